//! Header name and value validation. Input: `<name>:<value>` (the value may hold anything,
//! CR, LF and NUL included).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (name, value) = match data.iter().position(|&b| b == b':') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    if anyfetch::fuzz::header(name, value) {
        // An accepted header can never smuggle a line break or a NUL onto the wire.
        assert!(!value.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)));
        assert!(!name.is_empty());
        assert!(!name
            .iter()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control()));
    }
});
