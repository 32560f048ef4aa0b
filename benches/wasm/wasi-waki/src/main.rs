//! The benchmark program with waki 0.5 (see `../common/args.rs`).
include!("../../common/args.rs");

fn main() -> std::process::ExitCode {
    let args = args();
    let client = waki::Client::new();
    let mut doc = serde_json::Value::Null;
    for _ in 0..args.count {
        let response = match client.get(&args.url).send() {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e:?}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let status = response.status_code();
        if status != 200 {
            eprintln!("status {status}");
            return std::process::ExitCode::FAILURE;
        }
        doc = match response.json::<serde_json::Value>() {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: {e:?}");
                return std::process::ExitCode::FAILURE;
            }
        };
    }
    report(&args, 200, &doc)
}
