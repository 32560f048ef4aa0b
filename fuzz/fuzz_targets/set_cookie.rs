//! `Set-Cookie` headers stored in the jar, then read back for a request. Input: the response
//! URL on the first line, one `Set-Cookie` value per following line.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut lines = data.split(|&b| b == b'\n');
    let url = String::from_utf8_lossy(lines.next().unwrap_or_default());
    let headers: Vec<&[u8]> = lines.take(64).collect();
    let _ = anyfetch::fuzz::set_cookie(&url, &headers);
});
