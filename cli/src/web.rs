//! The command in the npm package: `js/bin/anyfetch.mjs` calls [`run`] with the arguments and a
//! host object for its I/O (see `host.rs`), and exits with the code it resolves to. Requests go
//! through anyfetch's fetch backend, as the package's JavaScript API's do.

use js_sys::Array;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

/// Runs `anyfetch ARGS...` with `host` for its I/O; resolves to the exit code.
#[wasm_bindgen]
pub async fn run(args: Array, host: JsValue) -> u8 {
    crate::host::set(host);
    let argv = std::iter::once("anyfetch".to_owned())
        .chain(args.iter().map(|a| a.as_string().unwrap_or_default()));
    crate::main(argv).await
}
