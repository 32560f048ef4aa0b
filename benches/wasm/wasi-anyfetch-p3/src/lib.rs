//! The benchmark program with anyfetch on WASI 0.3 (see `../common/args.rs`).
include!("../../common/args.rs");
include!("../../common/anyfetch.rs");

struct Bench;

wasip3::cli::command::export!(Bench);

impl wasip3::exports::cli::run::Guest for Bench {
    async fn run() -> Result<(), ()> {
        let args = args();
        let run = fetch_all(&args);
        match run.await {
            Ok((200, doc)) if doc.pointer(&args.pointer).is_some() => {
                report(&args, 200, &doc);
                Ok(())
            }
            Ok((200, _)) => {
                eprintln!("no {} in the body", args.pointer);
                Err(())
            }
            Ok((status, _)) => {
                eprintln!("status {status}");
                Err(())
            }
            Err(e) => {
                eprintln!("error: {}", e.display_chain());
                Err(())
            }
        }
    }
}
