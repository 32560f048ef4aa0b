//! The `anyfetch` binary, natively and as a WASI command component: the command itself is the
//! library (`lib.rs`), which the npm package's bin runs too.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(block_on(anyfetch_cli::main(std::env::args_os())))
}

#[cfg(not(target_arch = "wasm32"))]
fn block_on(f: impl std::future::Future<Output = u8>) -> u8 {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(f),
        Err(e) => {
            eprintln!("anyfetch: error: cannot start the async runtime: {e}");
            1
        }
    }
}

#[cfg(target_os = "wasi")]
fn block_on(f: impl std::future::Future<Output = u8>) -> u8 {
    anyfetch::block_on(f)
}

/// The npm package runs the library's `web::run` instead.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn block_on(_: impl std::future::Future<Output = u8>) -> u8 {
    2
}
