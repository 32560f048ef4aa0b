// The Cloudflare Workers entry (the `workerd` export condition, which wrangler resolves first):
// a Worker cannot fetch or compile wasm at run time, so the .wasm comes in as an imported
// module (wrangler and workerd give a `.wasm` import as a compiled WebAssembly.Module), and is
// instantiated once, at import.
import { initSync } from "../pkg/anyfetch.js";
import module from "../pkg/anyfetch_bg.wasm";

initSync({ module });

export * from "./api.js";
