//! The benchmark program with anyfetch (see `../common/args.rs`).
include!("../../common/args.rs");
include!("../../common/anyfetch.rs");

fn main() -> std::process::ExitCode {
    let args = args();
    let run = fetch_all(&args);
    match anyfetch::block_on(run) {
        Ok((200, doc)) => report(&args, 200, &doc),
        Ok((status, _)) => {
            eprintln!("status {status}");
            std::process::ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {}", e.display_chain());
            std::process::ExitCode::FAILURE
        }
    }
}
