// The browser and web-worker entry: fetches and compiles the wasm next to this package at
// import (top-level await), then exports the API. Bundlers that understand
// `new URL(..., import.meta.url)` copy the .wasm along.
import init from "../pkg/anyfetch.js";

await init({ module_or_path: new URL("../pkg/anyfetch_bg.wasm", import.meta.url) });

export * from "./api.js";
