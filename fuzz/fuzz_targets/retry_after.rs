//! A `Retry-After` value (delay-seconds or an HTTP date). Input: the header value.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = anyfetch::fuzz::retry_after(&text);
});
