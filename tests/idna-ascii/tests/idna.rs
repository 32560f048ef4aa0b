//! anyfetch with the ASCII-only IDNA backend (`idna_adapter` 1.0, pinned in Cargo.toml).

use anyfetch::Client;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn url_of(url: &str) -> anyfetch::Result<String> {
    let client = Client::builder().build()?;
    Ok(client.get(url).build()?.url().to_string())
}

#[test]
fn ascii_and_punycode_hosts_work() {
    assert_eq!(
        url_of("http://Example.COM/a").unwrap(),
        "http://example.com/a"
    );
    assert_eq!(
        url_of("http://xn--bcher-kva.example/").unwrap(),
        "http://xn--bcher-kva.example/"
    );
}

/// Natively nothing else maps the host: a builder error that says why and what to do.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn an_international_host_is_a_builder_error_that_says_why() {
    let e = url_of("http://bücher.example/").unwrap_err();
    assert!(e.is_builder(), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("ASCII-only idna_adapter"), "{msg}");
    assert!(msg.contains("xn--"), "{msg}");
    let source = std::error::Error::source(&e).expect("the url error");
    assert_eq!(source.to_string(), "invalid international domain name");
}

/// In a browser or Node, the runtime's own URL parser maps the host.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#[test]
fn the_web_runtime_maps_an_international_host() {
    assert_eq!(
        url_of("http://bücher.example/x?q=1").unwrap(),
        "http://xn--bcher-kva.example/x?q=1"
    );
}
