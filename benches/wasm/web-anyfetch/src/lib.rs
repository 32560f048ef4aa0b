//! The web benchmark program with anyfetch: `run(url, pointer)` GETs `url`, parses the body as
//! JSON and resolves to `status=200 field=VALUE` (the JSON at `pointer`), or rejects.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub async fn run(url: String, pointer: String) -> Result<String, JsError> {
    let mut response = anyfetch::get(url).await?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(JsError::new(&format!("status {status}")));
    }
    let doc: serde_json::Value = response.json().await?;
    match doc.pointer(&pointer) {
        Some(v) => Ok(format!("status={status} field={v}")),
        None => Err(JsError::new(&format!("no {pointer} in the body"))),
    }
}
