use std::io::Write;

use http::header::{HeaderMap, CONTENT_ENCODING};

use super::*;

fn headers(enc: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(CONTENT_ENCODING, enc.parse().unwrap());
    h
}

fn decode_chunked(enc: &str, data: &[u8], chunk: usize) -> Result<Vec<u8>> {
    decode_all(&headers(enc), data, chunk)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn encode(enc: &str, data: &[u8]) -> Vec<u8> {
    anyfetch_testserver::compress(enc, data).unwrap()
}

#[test]
fn every_encoding_in_small_chunks() {
    let data = b"hello hello hello world, and more to compress ".repeat(3000);
    for enc in ["gzip", "deflate", "br", "zstd"] {
        let encoded = encode(enc, &data);
        for chunk in [1, 7, 4096, usize::MAX] {
            let out = decode_chunked(enc, &encoded, chunk)
                .unwrap_or_else(|e| panic!("{enc} in chunks of {chunk}: {e:?}"));
            assert_eq!(out, data, "{enc} in chunks of {chunk}");
        }
    }
    let mut r = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    r.write_all(&data).unwrap();
    assert_eq!(
        decode_chunked("deflate", &r.finish().unwrap(), 5).unwrap(),
        data
    );
}

#[test]
fn gzip_header_fields_and_members() {
    let data = b"member data ".repeat(100);
    let mut e = flate2::GzBuilder::new()
        .filename("a-long-file-name.txt")
        .comment("a comment")
        .extra(vec![1, 2, 3, 4])
        .write(Vec::new(), flate2::Compression::default());
    e.write_all(&data).unwrap();
    let mut two = e.finish().unwrap();
    two.extend(gzip(&data));
    let out = decode_chunked("gzip", &two, 3).unwrap();
    assert_eq!(out.len(), data.len() * 2);
}

#[test]
fn stacked_encodings_decode_in_reverse() {
    let data = b"stacked".repeat(5000);
    let twice = gzip(&gzip(&data));
    assert_eq!(decode_chunked("gzip, gzip", &twice, 3).unwrap(), data);
    let mixed = encode("zstd", &encode("br", &encode("gzip", &data)));
    assert_eq!(decode_chunked("gzip, br, zstd", &mixed, 100).unwrap(), data);
    let e = decode_chunked("gzip,gzip,gzip,gzip,gzip,gzip", &twice, 3).unwrap_err();
    assert!(e.is_decode(), "{e}");
}

#[test]
fn bad_truncated_and_trailing_input_are_decode_errors() {
    assert!(decode_chunked("gzip", b"not gzip at all", 4)
        .unwrap_err()
        .is_decode());
    let data = b"some data to truncate, long enough".repeat(10);
    for enc in ["gzip", "deflate", "br", "zstd"] {
        let encoded = encode(enc, &data);
        let cut = &encoded[..encoded.len() - 3];
        assert!(
            decode_chunked(enc, cut, 4).unwrap_err().is_decode(),
            "{enc} truncated"
        );
        let half = &encoded[..encoded.len() / 2];
        assert!(
            decode_chunked(enc, half, 4).unwrap_err().is_decode(),
            "{enc} half"
        );
    }
    for enc in ["deflate", "br"] {
        let mut encoded = encode(enc, &data);
        encoded.extend_from_slice(b"junk");
        assert!(
            decode_chunked(enc, &encoded, 4).unwrap_err().is_decode(),
            "{enc} + junk"
        );
    }
    let mut g = gzip(&data);
    let n = g.len();
    g[n - 8] ^= 1; // the CRC
    assert!(decode_chunked("gzip", &g, 4).unwrap_err().is_decode());
    assert!(decode_chunked("compress", b"x", 1).unwrap_err().is_decode());
    assert!(decode_chunked("deflate", b"x", 1).unwrap_err().is_decode());
}

#[test]
fn zstd_frames_follow_one_another_and_large_windows_are_refused() {
    let mut two = encode("zstd", b"first ");
    // A skippable frame between them.
    two.extend_from_slice(&0x184D_2A5Au32.to_le_bytes());
    two.extend_from_slice(&3u32.to_le_bytes());
    two.extend_from_slice(b"xyz");
    two.extend(encode("zstd", b"second"));
    assert_eq!(decode_chunked("zstd", &two, 2).unwrap(), b"first second");
    // A frame that asks for a 1 GiB window (exponent 20).
    let mut big = 0xFD2F_B528u32.to_le_bytes().to_vec();
    big.extend_from_slice(&[0x00, 20 << 3]);
    big.extend_from_slice(&[0x01, 0x00, 0x00]); // an empty last raw block
    let e = decode_chunked("zstd", &big, 64).unwrap_err();
    assert!(format!("{e:?}").contains("8 MiB"), "{e:?}");
}

#[test]
fn identity_is_ignored() {
    assert!(decoders_for(&headers("identity")).unwrap().is_empty());
}

#[test]
fn output_comes_in_bounded_slices() {
    // 32 MiB of zeros in a few KiB of gzip: every chunk handed on is at most one slice.
    let bomb = gzip(&vec![0u8; 32 << 20]);
    let decoders = decoders_for(&headers("gzip")).unwrap();
    let chunks = vec![Ok(Bytes::from(bomb))];
    let mut stream = Decode::new(futures_util::stream::iter(chunks), decoders);
    let mut total = 0;
    futures_executor_lite(async {
        use futures_util::StreamExt;
        while let Some(c) = stream.next().await {
            let c = c.unwrap();
            assert!(c.len() <= SLICE, "{}", c.len());
            total += c.len();
        }
    });
    assert_eq!(total, 32 << 20);
}

/// Found by `fuzz/` (target `decode`) in the previous decoder: a zstd frame that promises a
/// checksum and ends before its 4 bytes. Here it is a truncation error, however it is chunked.
#[test]
fn zstd_frame_without_its_checksum_is_an_error() {
    // Magic, checksum flag, window 1152 B, one last RLE block of 5 × 'a', then 0 to 3 of the 4
    // checksum bytes.
    let frame = [0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x01, 0x2b, 0x00, 0x00, b'a'];
    let fuzzed = [0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x01, 0x23, 0x4e, 0x04, 0xf3];
    for body in [&frame[..], &fuzzed[..]] {
        for extra in 0..4 {
            let data = [body, &[0x12, 0x34, 0x56][..extra]].concat();
            for chunk in [1, 3, 4, data.len()] {
                let e = decode_chunked("zstd", &data, chunk).unwrap_err();
                assert!(e.is_decode(), "{e}");
            }
        }
    }
}

/// A frame with a checksum whose block decodes to more than one slice: drained whole.
#[test]
fn zstd_frame_with_a_checksum_and_a_large_block() {
    // Checksum flag, window 128 KiB, one last RLE block of 128 KiB of 'z', the 4 checksum
    // bytes (not verified).
    let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0x04, 7 << 3, 0x03, 0x00, 0x10, b'z'];
    frame.extend_from_slice(&[1, 2, 3, 4]);
    for chunk in [1, 5, frame.len()] {
        let out = decode_chunked("zstd", &frame, chunk).unwrap();
        assert_eq!(out.len(), 128 << 10, "chunks of {chunk}");
        assert!(out.iter().all(|&b| b == b'z'));
    }
}
