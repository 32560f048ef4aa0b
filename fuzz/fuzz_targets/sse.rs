//! A `text/event-stream` body parsed whole and cut in two, under a size limit. Input: two
//! bytes for where to cut (little-endian, modulo the body's length + 1), one for the limit on
//! an event's size (0: 1 MiB, else that many bytes), then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, m, body @ ..] = data else {
        return;
    };
    let split = usize::from(u16::from_le_bytes([*a, *b])) % (body.len() + 1);
    let max = if *m == 0 { 1 << 20 } else { usize::from(*m) };
    // Asserts inside: the same events (and the same verdict on the limit) either way.
    anyfetch::fuzz::sse(body, split, max);
});
