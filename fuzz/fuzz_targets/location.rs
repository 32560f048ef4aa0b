//! A redirect's `Location` resolved against the request URL. Input: `<status>\n<from URL>\n`
//! then the raw `Location` bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == b'\n');
    let status = std::str::from_utf8(parts.next().unwrap_or_default())
        .ok()
        .and_then(|s| s.trim().parse::<u16>().ok())
        .unwrap_or(302);
    let from = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let location = parts.next().unwrap_or_default();
    if let Some(next) = anyfetch::fuzz::location(&from, location, status) {
        // The next hop is http(s), and a server's Location never plants credentials in it.
        let url = url::Url::parse(&next).expect("the next URL parses again");
        assert!(matches!(url.scheme(), "http" | "https"), "{next}");
        assert!(
            url.username().is_empty() && url.password().is_none(),
            "{next}"
        );
    }
});
