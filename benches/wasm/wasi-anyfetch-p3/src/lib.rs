//! The benchmark program with anyfetch on WASI 0.3 (see `../common/args.rs`).
include!("../../common/args.rs");

struct Bench;

wasip3::cli::command::export!(Bench);

impl wasip3::exports::cli::run::Guest for Bench {
    async fn run() -> Result<(), ()> {
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
