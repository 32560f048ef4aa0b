//! The npm package's wasm module: links anyfetch, whose `js` feature holds every export (the
//! `#[wasm_bindgen]` items of `src/js/`). See `Cargo.toml` for why this is a package of its own.
pub use anyfetch;
