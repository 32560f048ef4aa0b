//! The npm package's command-line client: links `anyfetch-cli`, whose `web` module holds the
//! export (`run`). See `Cargo.toml` for why this is a package of its own.
pub use anyfetch_cli;
