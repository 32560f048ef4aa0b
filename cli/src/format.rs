//! What the CLI prints, as pure functions of what it received: the heads, the body by its
//! content type, and the colours (README.md, "The output, exactly"; the npm bin follows the same
//! rules, and the test command compares the two byte for byte).

use anyfetch::{HeaderMap, Method, StatusCode, Url, Version};

/// How the output looks (`--pretty`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Re-indent JSON, sort header lines, print binary bodies as a note.
    pub format: bool,
    /// ANSI colours.
    pub colors: bool,
}

const METHOD: &str = "1";
const VERSION: &str = "34";
const HEADER_NAME: &str = "36";
const JSON_KEY: &str = "34";
const JSON_STRING: &str = "32";
const JSON_NUMBER: &str = "36";
const JSON_LITERAL: &str = "35";
const TAG: &str = "34";
const ATTR_NAME: &str = "36";
const ATTR_VALUE: &str = "32";
const COMMENT: &str = "2";

/// Appends `token`, in colour `code` when colours are on.
fn paint(out: &mut String, colors: bool, code: &str, token: &str) {
    if colors {
        out.push_str("\x1b[");
        out.push_str(code);
        out.push('m');
        out.push_str(token);
        out.push_str("\x1b[0m");
    } else {
        out.push_str(token);
    }
}

fn version_str(v: Version) -> &'static str {
    match v {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_2 => "HTTP/2",
        Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
}

fn header_lines(out: &mut String, style: Style, headers: &[(String, String)]) {
    for (name, value) in headers {
        paint(out, style.colors, HEADER_NAME, name);
        out.push_str(": ");
        out.push_str(value);
        out.push('\n');
    }
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (n.as_str().to_owned(), v)
        })
        .collect()
}

/// The request head: `GET /path?q HTTP/1.1`, `host: ...`, then the headers as they are.
pub fn request_head(
    style: Style,
    method: &Method,
    url: &Url,
    version: Option<Version>,
    headers: &HeaderMap,
) -> String {
    let mut out = String::new();
    paint(&mut out, style.colors, METHOD, method.as_str());
    out.push(' ');
    out.push_str(url.path());
    if let Some(q) = url.query() {
        out.push('?');
        out.push_str(q);
    }
    out.push(' ');
    paint(
        &mut out,
        style.colors,
        VERSION,
        version_str(version.unwrap_or(Version::HTTP_11)),
    );
    out.push('\n');
    let mut host = url.host_str().unwrap_or_default().to_owned();
    if let Some(port) = url.port() {
        host = format!("{host}:{port}");
    }
    let mut lines = vec![("host".to_owned(), host)];
    lines.extend(header_pairs(headers));
    header_lines(&mut out, style, &lines);
    out
}

/// The response head: `HTTP/1.1 200 OK`, then the headers (sorted by name when formatting).
pub fn response_head(
    style: Style,
    version: Version,
    status: StatusCode,
    headers: &HeaderMap,
) -> String {
    let mut out = String::new();
    paint(&mut out, style.colors, VERSION, version_str(version));
    out.push(' ');
    let status_text = match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    };
    let code = match status.as_u16() {
        200..=299 => "1;32",
        300..=399 => "1;33",
        400..=599 => "1;31",
        _ => "1",
    };
    paint(&mut out, style.colors, code, &status_text);
    out.push('\n');
    let mut lines = header_pairs(headers);
    if style.format {
        lines.sort_by(|a, b| a.0.cmp(&b.0)); // stable: one name's values keep their order
    }
    header_lines(&mut out, style, &lines);
    out
}

/// What a body is, by the media type of its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `application/json`, `text/json`, `+json`.
    Json,
    /// XML and HTML: coloured, not re-indented.
    Markup,
    /// Other text (`text/*`, JavaScript, urlencoded forms, any type with a charset).
    Text,
    /// Anything else, or no `Content-Type`: text if it is UTF-8 without NUL, else a note.
    Other,
}

/// The kind of a body with this `Content-Type` value.
pub fn kind(content_type: Option<&str>) -> Kind {
    let Some(ct) = content_type else {
        return Kind::Other;
    };
    let mut parts = ct.split(';');
    let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let has_charset = parts.any(|p| {
        p.trim()
            .split('=')
            .next()
            .is_some_and(|k| k.trim().eq_ignore_ascii_case("charset"))
    });
    if media == "application/json" || media == "text/json" || media.ends_with("+json") {
        Kind::Json
    } else if media == "text/html" || media.ends_with("/xml") || media.ends_with("+xml") {
        Kind::Markup
    } else if media.starts_with("text/")
        || media == "application/javascript"
        || media == "application/x-www-form-urlencoded"
        || has_charset
    {
        Kind::Text
    } else {
        Kind::Other
    }
}

/// A body as printed with formatting. `text` is the body decoded by its charset, when it is one
/// of the text kinds; `bytes` the body itself.
pub fn body(style: Style, kind: Kind, text: Option<&str>, bytes: &[u8]) -> String {
    let mut out = match (kind, text) {
        (Kind::Json, Some(t)) if is_json(t) => json(t, style.colors),
        (Kind::Json | Kind::Text, Some(t)) => t.to_owned(),
        (Kind::Markup, Some(t)) => markup(t, style.colors),
        _ => match std::str::from_utf8(bytes) {
            Ok(t) if !t.contains('\0') => t.to_owned(),
            _ => format!("<{} bytes of binary data>", bytes.len()),
        },
    };
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Whether `text` is one JSON document.
pub fn is_json(text: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

fn is_json_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn indent(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("    ");
    }
}

/// Re-indents JSON (already checked by [`is_json`]) token by token, with 4 spaces: strings,
/// numbers and literals are copied as written, key order is kept.
pub fn json(text: &str, colors: bool) -> String {
    tokens(text, colors, true)
}

/// Colours JSON (already checked by [`is_json`]) as written: whitespace and all kept
/// (`--pretty colors`).
pub fn json_in_place(text: &str) -> String {
    tokens(text, true, false)
}

fn tokens(text: &str, colors: bool, reindent: bool) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut depth = 0usize;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            c if is_json_space(c) => {
                if !reindent {
                    out.push(c);
                }
                rest = &rest[c.len_utf8()..];
            }
            '{' | '[' | '}' | ']' | ',' | ':' if !reindent => {
                out.push(c);
                rest = &rest[1..];
            }
            '{' | '[' => {
                let after = rest[1..].trim_start_matches(is_json_space);
                let close = if c == '{' { '}' } else { ']' };
                if after.starts_with(close) {
                    out.push(c);
                    out.push(close);
                    rest = &after[1..];
                } else {
                    out.push(c);
                    depth += 1;
                    indent(&mut out, depth);
                    rest = &rest[1..];
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                indent(&mut out, depth);
                out.push(c);
                rest = &rest[1..];
            }
            ',' => {
                out.push(',');
                indent(&mut out, depth);
                rest = &rest[1..];
            }
            ':' => {
                out.push_str(": ");
                rest = &rest[1..];
            }
            '"' => {
                let end = string_end(rest);
                let is_key = rest[end..]
                    .trim_start_matches(is_json_space)
                    .starts_with(':');
                let code = if is_key { JSON_KEY } else { JSON_STRING };
                paint(&mut out, colors, code, &rest[..end]);
                rest = &rest[end..];
            }
            _ => {
                let end = rest
                    .find(|c: char| is_json_space(c) || matches!(c, ',' | ':' | ']' | '}'))
                    .unwrap_or(rest.len());
                let token = &rest[..end];
                let code = match token {
                    "true" | "false" | "null" => JSON_LITERAL,
                    _ => JSON_NUMBER,
                };
                paint(&mut out, colors, code, token);
                rest = &rest[end..];
            }
        }
    }
    out
}

/// The length of the JSON string at the start of `s` (which starts with `"`), quotes included.
fn string_end(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    s.len()
}

fn is_markup_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// Colours XML or HTML: comments, tags, attribute names and values; the text is left as is.
pub fn markup(text: &str, colors: bool) -> String {
    if !colors {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut rest = text;
    while !rest.is_empty() {
        if rest.starts_with("<!--") {
            let end = rest[4..].find("-->").map_or(rest.len(), |i| i + 4 + 3);
            paint(&mut out, true, COMMENT, &rest[..end]);
            rest = &rest[end..];
        } else if opens_tag(rest) {
            rest = tag(&mut out, rest);
        } else {
            // Text up to the next `<` (a `<` that opens nothing is text too).
            let end = rest[1..].find('<').map_or(rest.len(), |i| i + 1);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

/// `<` followed by a letter, `/`, `?` or `!`.
fn opens_tag(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next() == Some('<')
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '?' | '!'))
}

fn is_name_end(c: char) -> bool {
    is_markup_space(c) || matches!(c, '>' | '/' | '?' | '=' | '"' | '\'')
}

/// Colours one tag at the start of `s`; returns what follows it.
fn tag<'a>(out: &mut String, s: &'a str) -> &'a str {
    // `<`, an optional `/`, `?` or `!`, and the name.
    let prefix = if matches!(s.as_bytes()[1], b'/' | b'?' | b'!') {
        2
    } else {
        1
    };
    let name_end = s[prefix..]
        .find(is_name_end)
        .map_or(s.len(), |i| i + prefix);
    paint(out, true, TAG, &s[..name_end]);
    let mut rest = &s[name_end..];
    while let Some(c) = rest.chars().next() {
        if c == '>' {
            paint(out, true, TAG, ">");
            return &rest[1..];
        } else if rest.starts_with("/>") || rest.starts_with("?>") {
            paint(out, true, TAG, &rest[..2]);
            return &rest[2..];
        } else if is_markup_space(c) || c == '=' || c == '/' || c == '?' {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        } else if c == '"' || c == '\'' {
            let end = rest[1..].find(c).map_or(rest.len(), |i| i + 2);
            paint(out, true, ATTR_VALUE, &rest[..end]);
            rest = &rest[end..];
        } else {
            let end = rest.find(is_name_end).unwrap_or(rest.len());
            paint(out, true, ATTR_NAME, &rest[..end]);
            rest = &rest[end..];
        }
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_reindented_token_by_token() {
        let src = r#"{"a":[],"b":{},"c":[1,2.0,12345678901234567890],"d":{"e":"x\"y\u00e9","f":[{}]},"g":true,"h":null}"#;
        assert!(is_json(src));
        let want = r#"{
    "a": [],
    "b": {},
    "c": [
        1,
        2.0,
        12345678901234567890
    ],
    "d": {
        "e": "x\"y\u00e9",
        "f": [
            {}
        ]
    },
    "g": true,
    "h": null
}"#;
        assert_eq!(json(src, false), want);
        // Whitespace inside empty containers and between tokens goes; inside strings it stays.
        assert_eq!(
            json("[ { } ,\n[ ] , \" a , b \" ]", false),
            "[\n    {},\n    [],\n    \" a , b \"\n]"
        );
        assert_eq!(json("  42 ", false), "42");
    }

    #[test]
    fn json_coloured_in_place() {
        let c = |code: &str, t: &str| format!("\x1b[{code}m{t}\x1b[0m");
        assert_eq!(
            json_in_place("{\"a\" : \"b:c\",\n \"n\":[false, 1.0]}"),
            [
                "{".into(),
                c("34", "\"a\""),
                " : ".into(),
                c("32", "\"b:c\""),
                ",\n ".into(),
                c("34", "\"n\""),
                ":[".into(),
                c("35", "false"),
                ", ".into(),
                c("36", "1.0"),
                "]}".into(),
            ]
            .concat()
        );
    }

    #[test]
    fn json_colours() {
        assert_eq!(
            json(r#"{"k":"v","n":-1.5e3,"t":false}"#, true),
            "{\n    \x1b[34m\"k\"\x1b[0m: \x1b[32m\"v\"\x1b[0m,\n    \x1b[34m\"n\"\x1b[0m: \x1b[36m-1.5e3\x1b[0m,\n    \x1b[34m\"t\"\x1b[0m: \x1b[35mfalse\x1b[0m\n}"
        );
    }

    #[test]
    fn markup_colours() {
        let c = |code: &str, t: &str| format!("\x1b[{code}m{t}\x1b[0m");
        let got = markup(
            r#"<?xml version="1.0"?><!-- hi --><a href='x' checked>1 < 2</a><br/>"#,
            true,
        );
        let want = [
            c("34", "<?xml"),
            " ".into(),
            c("36", "version"),
            "=".into(),
            c("32", "\"1.0\""),
            c("34", "?>"),
            c("2", "<!-- hi -->"),
            c("34", "<a"),
            " ".into(),
            c("36", "href"),
            "=".into(),
            c("32", "'x'"),
            " ".into(),
            c("36", "checked"),
            c("34", ">"),
            "1 < 2".into(),
            c("34", "</a"),
            c("34", ">"),
            c("34", "<br"),
            c("34", "/>"),
        ]
        .concat();
        assert_eq!(got, want);
        // A tag that never closes is coloured to the end; an unclosed comment too.
        assert_eq!(
            markup("<a b", true),
            [c("34", "<a"), " ".into(), c("36", "b")].concat()
        );
        assert_eq!(
            markup("x<!-- y", true),
            ["x".into(), c("2", "<!-- y")].concat()
        );
        assert_eq!(markup("<a>", false), "<a>");
    }

    #[test]
    fn kinds_by_content_type() {
        assert_eq!(kind(Some("application/json")), Kind::Json);
        assert_eq!(
            kind(Some("Application/Problem+JSON; charset=utf-8")),
            Kind::Json
        );
        assert_eq!(kind(Some("text/html; charset=utf-8")), Kind::Markup);
        assert_eq!(kind(Some("application/xml")), Kind::Markup);
        assert_eq!(kind(Some("image/svg+xml")), Kind::Markup);
        assert_eq!(kind(Some("text/plain")), Kind::Text);
        assert_eq!(
            kind(Some("application/octet-stream; charset=latin1")),
            Kind::Text
        );
        assert_eq!(kind(Some("application/octet-stream")), Kind::Other);
        assert_eq!(kind(None), Kind::Other);
    }

    #[test]
    fn bodies() {
        let fmt = Style {
            format: true,
            colors: false,
        };
        assert_eq!(
            body(fmt, Kind::Json, Some("{\"a\":1}"), b""),
            "{\n    \"a\": 1\n}\n"
        );
        assert_eq!(body(fmt, Kind::Json, Some("{nope"), b""), "{nope\n");
        assert_eq!(
            body(fmt, Kind::Other, None, b"\x00\x01\xff"),
            "<3 bytes of binary data>\n"
        );
        assert_eq!(body(fmt, Kind::Other, None, b"plain"), "plain\n");
        assert_eq!(body(fmt, Kind::Other, None, b""), "");
    }

    #[test]
    fn heads() {
        let mut h = HeaderMap::new();
        h.append("x-b", "2".parse().unwrap());
        h.append("content-type", "text/plain".parse().unwrap());
        h.append("x-b", "1".parse().unwrap());
        let fmt = Style {
            format: true,
            colors: false,
        };
        assert_eq!(
            response_head(fmt, Version::HTTP_11, StatusCode::NOT_FOUND, &h),
            "HTTP/1.1 404 Not Found\ncontent-type: text/plain\nx-b: 2\nx-b: 1\n"
        );
        let col = Style {
            format: false,
            colors: true,
        };
        assert_eq!(
            response_head(
                col,
                Version::HTTP_2,
                StatusCode::from_u16(599).unwrap(),
                &HeaderMap::new()
            ),
            "\x1b[34mHTTP/2\x1b[0m \x1b[1;31m599\x1b[0m\n"
        );
        let url = Url::parse("http://localhost:8000/a%20b?q=1").unwrap();
        assert_eq!(
            request_head(fmt, &Method::POST, &url, None, &h),
            "POST /a%20b?q=1 HTTP/1.1\nhost: localhost:8000\nx-b: 2\nx-b: 1\ncontent-type: text/plain\n"
        );
    }
}
