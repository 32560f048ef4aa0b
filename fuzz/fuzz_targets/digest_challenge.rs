//! A `WWW-Authenticate: Digest ...` challenge, parsed and answered. Input: the header value.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(answer) = anyfetch::fuzz::digest_challenge(&text) {
        assert!(answer.starts_with("Digest username=\"Mufasa\""), "{answer}");
    }
});
