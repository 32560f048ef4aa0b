//! One test per rule of the standard's event stream interpretation, with the exact bytes.

use super::*;

/// The events of `chunks`, fed in that order, as `(event, data, id, retry in ms)`.
fn events(chunks: &[&[u8]]) -> Vec<(String, String, String, Option<u128>)> {
    let mut p = Parser::new(1 << 20);
    let mut out = VecDeque::new();
    for c in chunks {
        p.feed(c, &mut out).unwrap();
    }
    out.into_iter()
        .map(|e| (e.event, e.data, e.id, e.retry.map(|d| d.as_millis())))
        .collect()
}

fn ev(
    event: &str,
    data: &str,
    id: &str,
    retry: Option<u128>,
) -> (String, String, String, Option<u128>) {
    (event.into(), data.into(), id.into(), retry)
}

fn data_of(chunks: &[&[u8]]) -> Vec<String> {
    events(chunks).into_iter().map(|e| e.1).collect()
}

#[test]
fn a_message_with_the_default_type() {
    assert_eq!(
        events(&[b"data: hello\n\n"]),
        [ev("message", "hello", "", None)]
    );
}

#[test]
fn data_lines_join_with_lf_and_lose_the_last_one() {
    assert_eq!(
        data_of(&[b"data: a\ndata: b\ndata\ndata:\n\n"]),
        ["a\nb\n\n"]
    );
    // A single empty data field is an event with empty data.
    assert_eq!(data_of(&[b"data\n\n"]), [""]);
}

#[test]
fn the_three_line_endings_and_a_crlf_split_between_chunks() {
    assert_eq!(
        data_of(&[b"data: a\r\n\r\ndata: b\r\rdata: c\n\n"]),
        ["a", "b", "c"]
    );
    // CR at a chunk's end, LF at the next one's start: one line ending, not an empty line.
    assert_eq!(
        data_of(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]),
        ["a\nb"]
    );
    // A CR then an empty chunk then an LF: still one ending.
    assert_eq!(data_of(&[b"data: a\r", b"", b"\ndata: b\n\n"]), ["a\nb"]);
    // An event ended by a CR is dispatched at once, without waiting for a possible LF.
    assert_eq!(data_of(&[b"data: a\r\r"]), ["a"]);
}

#[test]
fn comments_are_ignored_even_when_long_or_over_the_limit() {
    assert_eq!(data_of(&[b": hi\ndata: a\n:\n\n"]), ["a"]);
    let mut p = Parser::new(16);
    let mut out = VecDeque::new();
    p.feed(b":", &mut out).unwrap();
    p.feed(&[b'x'; 100], &mut out).unwrap();
    p.feed(b"\ndata: ok\n\n", &mut out).unwrap();
    assert_eq!(out.pop_front().unwrap().data, "ok");
}

#[test]
fn the_value_starts_after_the_first_colon_minus_one_space() {
    assert_eq!(data_of(&[b"data:a:b\n\n"]), ["a:b"]);
    assert_eq!(data_of(&[b"data:  two spaces\n\n"]), [" two spaces"]);
    assert_eq!(data_of(&[b"data:\tx\n\n"]), ["\tx"]);
    // A space before the colon is part of the name: not the data field.
    assert_eq!(data_of(&[b"data : x\ndata: y\n\n"]), ["y"]);
}

#[test]
fn an_event_field_sets_the_type_of_that_event_only() {
    assert_eq!(
        events(&[b"event: add\ndata: 1\n\ndata: 2\n\n"]),
        [ev("add", "1", "", None), ev("message", "2", "", None)]
    );
    // An empty type is "message".
    assert_eq!(events(&[b"event\ndata: 3\n\n"])[0].0, "message");
}

#[test]
fn a_block_without_data_is_not_dispatched_but_resets_the_type() {
    assert_eq!(
        events(&[b"event: lost\n\ndata: x\n\nevent: lost\nid: 5\n\n"]),
        [ev("message", "x", "", None)]
    );
}

#[test]
fn the_id_is_the_last_event_id_at_dispatch() {
    assert_eq!(
        events(&[b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: 7\n\nid: 8\ndata: d\n\n"]),
        [
            ev("message", "a", "1", None),
            ev("message", "b", "1", None), // kept across events
            ev("message", "c", "", None),  // an empty id resets it
            ev("message", "d", "8", None), // 7 was set, then replaced
        ]
    );
    let mut p = Parser::new(100);
    p.feed(b"id: 7\n\n", &mut VecDeque::new()).unwrap();
    assert_eq!(
        p.last_event_id(),
        "7",
        "set by a block that dispatches nothing"
    );
    p.feed(b"retry: 250\n\n", &mut VecDeque::new()).unwrap();
    assert_eq!(p.retry(), Some(Duration::from_millis(250)), "likewise");
}

#[test]
fn an_id_with_nul_is_ignored() {
    assert_eq!(events(&[b"id: 1\n\nid: a\0b\ndata: x\n\n"])[0].2, "1");
}

#[test]
fn retry_needs_ascii_digits_only_and_lasts() {
    assert_eq!(
        events(&[
            b"retry: 1500\ndata: a\n\nretry: 1a\ndata: b\n\nretry:  20\nretry\nretry: -5\nretry: \xd9\xa1\ndata: c\n\n"
        ]),
        [
            ev("message", "a", "", Some(1500)),
            ev("message", "b", "", Some(1500)),
            ev("message", "c", "", Some(1500)),
        ]
    );
    // Set by a block without data, carried by the next event; too large saturates.
    assert_eq!(events(&[b"retry: 0\n\ndata: x\n\n"])[0].3, Some(0));
    assert_eq!(
        events(&[b"retry: 99999999999999999999999\ndata: x\n\n"])[0].3,
        Some(u64::MAX as u128)
    );
}

#[test]
fn unknown_fields_and_other_cases_are_ignored() {
    assert_eq!(
        events(&[b"foo: bar\nData: no\nDATA: no\nevent2: x\nid2: 3\n: c\ndata: yes\n\n"]),
        [ev("message", "yes", "", None)]
    );
}

#[test]
fn an_unterminated_event_at_the_end_is_discarded() {
    assert_eq!(data_of(&[b"data: a\n\ndata: b\n"]), ["a"]);
    assert_eq!(data_of(&[b"data: a\n\ndata: b"]), ["a"]);
}

#[test]
fn utf8_with_a_split_character_invalid_bytes_and_one_bom() {
    // "é" split between chunks decodes whole.
    assert_eq!(data_of(&[b"data: caf\xc3", b"\xa9\n\n"]), ["café"]);
    // Invalid bytes (and a sequence cut by the line ending) become U+FFFD.
    assert_eq!(
        data_of(&[b"data: a\xffb\xe2\x82\n\n"]),
        ["a\u{fffd}b\u{fffd}"]
    );
    // A leading BOM is dropped, even split between chunks; a second one is not.
    assert_eq!(data_of(&[b"\xef\xbb\xbfdata: a\n\n"]), ["a"]);
    assert_eq!(data_of(&[b"\xef", b"\xbb", b"\xbfdata: a\n\n"]), ["a"]);
    assert_eq!(
        data_of(&[b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n"]),
        ["b"]
    );
    assert_eq!(data_of(&[b"\n\xef\xbb\xbfdata: a\n\ndata: b\n\n"]), ["b"]);
    // A BOM then a comment.
    assert_eq!(data_of(&[b"\xef\xbb\xbf: hi\ndata: a\n\n"]), ["a"]);
}

#[test]
fn an_event_over_the_limit_fails_after_the_events_before_it() {
    // "data: 12345" is 11 bytes: within 12.
    let mut p = Parser::new(12);
    let mut out = VecDeque::new();
    assert_eq!(p.feed(b"data: 12345\n\n", &mut out), Ok(()));
    assert_eq!(out.len(), 1);
    // Many short data lines: the data buffer grows past the limit.
    assert_eq!(p.feed(b"data: 1234\ndata: 1234\n", &mut out), Err(TooLarge));
    // One long line without an ending: stopped before it is complete.
    let mut p = Parser::new(10);
    assert_eq!(p.feed(b"data: 1234", &mut out), Ok(()));
    assert_eq!(p.feed(b"5", &mut out), Err(TooLarge));
    // Invalid bytes grow as they decode (each becomes U+FFFD, 3 bytes): counted as decoded.
    let mut p = Parser::new(12);
    assert_eq!(p.feed(b"data:\xff\xff\xff\xff\n", &mut out), Err(TooLarge));
}

/// The same stream, cut at every point (and at every pair of points), gives the same events.
#[test]
fn any_split_gives_the_same_events() {
    let stream: &[u8] =
        b"\xef\xbb\xbf: c\r\nretry: 10\revent: t\ndata: a\r\ndata:  b\xc3\xa9\n\rid: 4\n\
        data\r\n\r\n:x\rdata: z\n\ndata: cut";
    let whole = events(&[stream]);
    assert_eq!(
        whole,
        [
            ev("t", "a\n b\u{e9}", "", Some(10)),
            ev("message", "", "4", Some(10)),
            ev("message", "z", "4", Some(10))
        ]
    );
    for i in 0..=stream.len() {
        let (a, rest) = stream.split_at(i);
        assert_eq!(events(&[a, rest]), whole, "split at {i}");
        for j in 0..=rest.len() {
            let (b, c) = rest.split_at(j);
            assert_eq!(events(&[a, b, c]), whole, "split at {i} and {}", i + j);
        }
    }
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(events(&bytes), whole, "byte by byte");
}
