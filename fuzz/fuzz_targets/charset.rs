//! Response text decoded by the `charset` of its `Content-Type`, in two chunks. Input:
//! `<Content-Type>\n<body>`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (head, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let content_type = String::from_utf8_lossy(head);
    let text = anyfetch::fuzz::charset(&content_type, body);
    if !content_type.contains(';') {
        // No charset: UTF-8, decoded in two chunks exactly as in one.
        assert_eq!(text, String::from_utf8_lossy(body));
    }
});
