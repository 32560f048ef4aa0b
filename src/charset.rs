//! Text decoding by the `charset` of `Content-Type`, incremental across chunks.

use http::HeaderMap;

/// Decodes bytes to text chunk by chunk; invalid input becomes U+FFFD.
pub(crate) enum TextDecoder {
    Utf8 {
        pending: Vec<u8>,
    },
    Latin1,
    #[cfg(feature = "charset")]
    Other(Box<encoding_rs::Decoder>),
}

/// The `charset` parameter of a `Content-Type` header, lower-cased.
pub(crate) fn charset_of(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(http::header::CONTENT_TYPE)?.to_str().ok()?;
    ct.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset"))
            .then(|| v.trim().trim_matches('"').to_ascii_lowercase())
    })
}

impl TextDecoder {
    pub(crate) fn for_headers(headers: &HeaderMap) -> Self {
        match charset_of(headers) {
            Some(cs) => Self::for_label(&cs),
            None => TextDecoder::Utf8 {
                pending: Vec::new(),
            },
        }
    }

    pub(crate) fn for_label(label: &str) -> Self {
        match label {
            "utf-8" | "utf8" | "us-ascii" | "ascii" => TextDecoder::Utf8 {
                pending: Vec::new(),
            },
            "iso-8859-1" | "latin1" | "latin-1" | "l1" => TextDecoder::Latin1,
            #[cfg(feature = "charset")]
            other => match encoding_rs::Encoding::for_label(other.as_bytes()) {
                Some(enc) if enc != encoding_rs::UTF_8 => {
                    TextDecoder::Other(Box::new(enc.new_decoder_without_bom_handling()))
                }
                _ => TextDecoder::Utf8 {
                    pending: Vec::new(),
                },
            },
            #[cfg(not(feature = "charset"))]
            _ => TextDecoder::Utf8 {
                pending: Vec::new(),
            },
        }
    }

    pub(crate) fn decode(&mut self, chunk: &[u8]) -> String {
        match self {
            TextDecoder::Utf8 { pending } => {
                pending.extend_from_slice(chunk);
                let mut out = String::with_capacity(pending.len());
                let mut input: &[u8] = pending;
                loop {
                    match std::str::from_utf8(input) {
                        Ok(s) => {
                            out.push_str(s);
                            input = &[];
                            break;
                        }
                        Err(e) => {
                            let (valid, rest) = input.split_at(e.valid_up_to());
                            out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                            match e.error_len() {
                                Some(n) => {
                                    out.push('\u{FFFD}');
                                    input = &rest[n..];
                                }
                                // An incomplete character at the end: keep it for the next chunk.
                                None => {
                                    input = rest;
                                    break;
                                }
                            }
                        }
                    }
                }
                let keep = input.to_vec();
                *pending = keep;
                out
            }
            TextDecoder::Latin1 => chunk.iter().map(|&b| b as char).collect(),
            #[cfg(feature = "charset")]
            TextDecoder::Other(d) => {
                let mut out = String::with_capacity(
                    d.max_utf8_buffer_length(chunk.len())
                        .unwrap_or(chunk.len() * 3),
                );
                let _ = d.decode_to_string(chunk, &mut out, false);
                out
            }
        }
    }

    pub(crate) fn finish(&mut self) -> String {
        match self {
            TextDecoder::Utf8 { pending } if !pending.is_empty() => {
                pending.clear();
                "\u{FFFD}".to_string()
            }
            #[cfg(feature = "charset")]
            TextDecoder::Other(d) => {
                let mut out = String::with_capacity(16);
                let _ = d.decode_to_string(&[], &mut out, true);
                out
            }
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_split_across_chunks() {
        let bytes = "café 日本".as_bytes();
        let mut d = TextDecoder::for_label("utf-8");
        let mut s = String::new();
        for b in bytes {
            s.push_str(&d.decode(&[*b]));
        }
        s.push_str(&d.finish());
        assert_eq!(s, "café 日本");
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let mut d = TextDecoder::for_label("utf-8");
        let mut s = d.decode(b"a\xffb\xe6");
        s.push_str(&d.finish());
        assert_eq!(s, "a\u{FFFD}b\u{FFFD}");
    }

    #[test]
    fn latin1_and_charset_header() {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::CONTENT_TYPE,
            "text/plain; charset=\"ISO-8859-1\"".parse().unwrap(),
        );
        assert_eq!(charset_of(&h).as_deref(), Some("iso-8859-1"));
        let mut d = TextDecoder::for_headers(&h);
        assert_eq!(d.decode(b"caf\xe9"), "café");
    }

    #[cfg(feature = "charset")]
    #[test]
    fn other_charsets_through_encoding_rs() {
        let mut d = TextDecoder::for_label("shift_jis");
        let mut s = d.decode(b"\x93\xfa");
        s.push_str(&d.decode(b"\x96\x7b"));
        s.push_str(&d.finish());
        assert_eq!(s, "日本");
    }
}
