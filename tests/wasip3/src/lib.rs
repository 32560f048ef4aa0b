//! The behaviour suite as a WASI 0.3 command. `run` takes the names of the cases to run (all
//! when none), or `--list`, and prints `test NAME ... ok` for each, then `N passed`. A failed
//! assertion panics, and a panic aborts the component (wasm has no unwinding), so run.sh runs
//! each case in its own `wasmtime run` and counts the passed and the failed.

// Each suite file declares `mod common;` for itself, as each is its own test binary elsewhere.
#![allow(clippy::duplicate_mod)]

use std::future::Future;
use std::io::Write;
use std::pin::Pin;

/// One case's test.
type Case = Pin<Box<dyn Future<Output = ()>>>;

/// A case: its name (`module::test`) and its test.
type Entry = (&'static str, fn() -> Case);

#[path = "../../behaviour.rs"]
mod behaviour;
#[path = "../../wasi.rs"]
mod wasi;

mod cases {
    // Generated: one `push` per case, each under the `#[cfg]`s its test carries.
    #![allow(clippy::vec_init_then_push)]
    include!(concat!(env!("OUT_DIR"), "/cases.rs"));
}

struct Suite;

wasip3::cli::command::export!(Suite);

impl wasip3::exports::cli::run::Guest for Suite {
    async fn run() -> Result<(), ()> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let cases = cases::cases();
        if args.iter().any(|a| a == "--list") {
            for (name, _) in &cases {
                println!("{name}");
            }
            return Ok(());
        }
        if let Some(unknown) = args.iter().find(|a| !cases.iter().any(|(n, _)| n == a)) {
            eprintln!("no such case: {unknown}");
            return Err(());
        }
        let mut passed = 0;
        for (name, case) in cases
            .iter()
            .filter(|(n, _)| args.is_empty() || args.iter().any(|a| a == n))
        {
            print!("test {name} ... ");
            let _ = std::io::stdout().flush();
            case().await;
            println!("ok");
            passed += 1;
        }
        println!("{passed} passed");
        Ok(())
    }
}
