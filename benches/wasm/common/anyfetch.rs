// Shared by the anyfetch programs (included with `include!`, after `args.rs`): the benchmark's
// requests, the same whether a 0.2 `block_on` or a 0.3 async export runs them.

/// GETs `args.url` `args.count` times, parsing each body as JSON: the last status and document
/// (`Null` after a status other than 200, which ends the loop).
async fn fetch_all(args: &Args) -> anyfetch::Result<(u16, serde_json::Value)> {
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
    Ok(last)
}
