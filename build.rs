//! Names for the targets anyfetch tells apart, so that code says `#[cfg(wasip2)]` rather than
//! `#[cfg(all(target_arch = "wasm32", target_os = "wasi", not(feature = "wasip3")))]`. Each
//! alias is one backend's (or one platform file's) condition; docs/architecture.md has the table.

fn main() {
    cfg_aliases::cfg_aliases! {
        // Any WebAssembly target (its futures and host values are not `Send`).
        wasm: { target_arch = "wasm32" },
        // A native target: an operating system with threads and sockets.
        native: { not(target_arch = "wasm32") },
        // The native backend is compiled in (hyper, rustls, tokio; feature `native`).
        hyper: { all(native, feature = "native") },
        // Browsers, web workers, Node, Deno, Bun, workerd: the global `fetch` (wasm32-unknown-unknown).
        web: { all(target_arch = "wasm32", target_os = "unknown") },
        // A WASI component (wasm32-wasip2), either version.
        wasi: { all(target_arch = "wasm32", target_os = "wasi") },
        // WASI 0.2: `wasi:http/outgoing-handler@0.2.0`, the default on wasm32-wasip2.
        wasip2: { all(wasi, not(feature = "wasip3")) },
        // WASI 0.3: `wasi:http/client@0.3.0` (feature `wasip3`).
        wasip3: { all(wasi, feature = "wasip3") },
    }
}
