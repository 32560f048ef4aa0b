//! The benchmark program with anyfetch (see `../common/args.rs`).
include!("../../common/args.rs");

fn main() -> std::process::ExitCode {
    let args = args();
    let run = async {
        let client = anyfetch::Client::new();
        let mut last = (0, serde_json::Value::Null);
        for _ in 0..args.count {
            let mut response = client.get(args.url.as_str()).await?;
            let status = response.status().as_u16();
            if status != 200 {
                return Ok((status, serde_json::Value::Null));
            }
            last = (status, response.json::<serde_json::Value>().await?);
        }
        Ok::<_, anyfetch::Error>(last)
    };
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
