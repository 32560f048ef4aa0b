// The Node entry (Node >= 18): loads the wasm from disk once, at import, then exports the API.
import { readFileSync } from "node:fs";
import { initSync } from "../pkg/anyfetch.js";

initSync({ module: readFileSync(new URL("../pkg/anyfetch_bg.wasm", import.meta.url)) });

export * from "./api.js";
