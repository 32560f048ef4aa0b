//! A request URL joined onto a client's `base_url`. Input: `<base>\n<relative>`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (base, rel) = text.split_once('\n').unwrap_or((&text, ""));
    if let Some(joined) = anyfetch::fuzz::join_url(base, rel) {
        // Whatever is joined, the client only ever fetches an http(s) URL with a host.
        let url = url::Url::parse(&joined).expect("a joined URL parses again");
        assert!(matches!(url.scheme(), "http" | "https"), "{joined}");
        assert!(url.host().is_some(), "{joined}");
    }
});
