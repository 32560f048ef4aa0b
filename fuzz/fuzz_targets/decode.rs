//! A response body decoded by its `Content-Encoding` (each decoder and stacked ones) through a
//! client, in chunks, under `max_decoded_size`. Input: `<max> <encodings>\n<body>`, e.g.
//! `65536 gzip, br` (when the first word is not a number the whole line is the encodings and
//! the limit is 1 MiB).
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The highest limit tried: a decompression bomb under it stays inside libFuzzer's memory.
const MAX_LIMIT: u64 = 64 << 20;

fuzz_target!(|data: &[u8]| {
    let (head, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let head = String::from_utf8_lossy(head);
    let (max, encodings) = match head.split_once(' ') {
        Some((n, rest)) if n.parse::<u64>().is_ok() => (n.parse::<u64>().unwrap(), rest),
        _ => (1 << 20, &*head),
    };
    let max = max.min(MAX_LIMIT);
    let n = anyfetch::fuzz::decode(encodings, body, max);
    // The limit guards decoding: a body with no content coding is not decoded.
    let decoded = encodings
        .split(',')
        .any(|c| !c.trim().is_empty() && !c.trim().eq_ignore_ascii_case("identity"));
    assert!(
        !decoded || n as u64 <= max,
        "decoded {n} bytes over the limit of {max}"
    );
});
