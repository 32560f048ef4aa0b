//! `zstd` (RFC 8878) through ruzstd. ruzstd decodes every whole block it is handed at once, and a
//! 4-byte block can stand for 128 KiB, so the framing is read here and ruzstd gets one block at a
//! time; what it decoded is drained into bounded output before the next. Frames may follow one
//! another (skippable ones are skipped). A frame that asks for a window over 8 MiB is refused,
//! as RFC 9659 allows for `Content-Encoding: zstd`, so a hostile frame cannot make the decoder
//! allocate more.

use std::io;

use ruzstd::decoding::FrameDecoder;

use super::{Format, Status};

/// The largest window a `Content-Encoding: zstd` frame may use (RFC 9659).
const MAX_WINDOW: u64 = 8 << 20;
/// The largest block (RFC 8878).
const MAX_BLOCK: usize = 128 << 10;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a frame (or between frames).
    FrameStart,
    /// Skipping the rest of a skippable frame.
    Skip(usize),
    /// Reading blocks; the frame ends with a checksum when `checksum`.
    Blocks { checksum: bool },
    /// The 4-byte checksum after the last block.
    Checksum,
    /// A frame ended; another may begin.
    Between,
}

pub(crate) struct Zstd {
    decoder: Box<FrameDecoder>,
    state: State,
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_owned())
}

fn zstd_err(e: impl std::fmt::Display) -> io::Error {
    invalid(&format!("bad zstd data: {e}"))
}

/// The length of a frame header starting with `input` (magic included), and its window size,
/// if enough bytes are there to tell.
fn frame_header(input: &[u8]) -> io::Result<Option<(usize, bool, u64)>> {
    let Some(&fhd) = input.get(4) else {
        return Ok(None);
    };
    if fhd & 0x08 != 0 {
        return Err(invalid("zstd frame header with the reserved bit set"));
    }
    let single_segment = fhd & 0x20 != 0;
    let checksum = fhd & 0x04 != 0;
    let dict_len = [0, 1, 2, 4][usize::from(fhd & 0x03)];
    let fcs_len = match fhd >> 6 {
        0 if single_segment => 1,
        0 => 0,
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let window_len = usize::from(!single_segment);
    let len = 5 + window_len + dict_len + fcs_len;
    if input.len() < len {
        return Ok(None);
    }
    let window = if single_segment {
        // The window is the content size.
        let fcs = &input[5 + dict_len..len];
        let mut v = [0u8; 8];
        v[..fcs.len()].copy_from_slice(fcs);
        let size = u64::from_le_bytes(v);
        if fcs_len == 2 {
            size + 256
        } else {
            size
        }
    } else {
        let wd = input[5];
        let base = 1u64 << (10 + u32::from(wd >> 3));
        base + (base / 8) * u64::from(wd & 7)
    };
    Ok(Some((len, checksum, window)))
}

/// The length of the block starting at `input` (its 3-byte header included), and whether it is
/// the frame's last, if the header is there.
fn block(input: &[u8]) -> io::Result<Option<(usize, bool)>> {
    let [a, b, c, ..] = *input else {
        return Ok(None);
    };
    let header = u32::from_le_bytes([a, b, c, 0]);
    let last = header & 1 != 0;
    let size = (header >> 3) as usize;
    let content = match (header >> 1) & 3 {
        0 => size, // raw
        1 => 1,    // RLE: one byte, repeated `size` times
        2 => size, // compressed
        _ => return Err(invalid("zstd block of the reserved type")),
    };
    if size > MAX_BLOCK {
        return Err(invalid("zstd block over 128 KiB"));
    }
    Ok(Some((3 + content, last)))
}

impl Zstd {
    pub(crate) fn new() -> Self {
        Zstd {
            decoder: Box::new(FrameDecoder::new()),
            state: State::FrameStart,
        }
    }

    /// Moves what the decoder holds into the room left in `out`.
    fn drain(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        let start = out.len();
        let room = (out.capacity() - start).min(self.decoder.can_collect());
        if room == 0 {
            return Ok(());
        }
        out.resize(start + room, 0);
        // `Read`, not `decode_from_to(&[], ..)`: once a frame with a checksum has ended, the
        // latter reports 4 bytes read and drains nothing.
        let written = std::io::Read::read(&mut *self.decoder, &mut out[start..]);
        out.truncate(start + written.as_ref().map_or(0, |n| *n));
        written.map(|_| ()).map_err(zstd_err)
    }

    /// Hands exactly `unit` (a frame header with its first block, a block, a checksum) to the
    /// decoder and drains what it can.
    fn feed(&mut self, unit: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        let start = out.len();
        let room = out.capacity() - start;
        out.resize(start + room, 0);
        let (read, written) = self
            .decoder
            .decode_from_to(unit, &mut out[start..])
            .map_err(zstd_err)?;
        out.truncate(start + written);
        if read != unit.len() {
            return Err(invalid("zstd block not decoded whole"));
        }
        Ok(())
    }
}

impl Format for Zstd {
    fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> io::Result<(usize, Status)> {
        // What was decoded goes out first: nothing new is decoded while the decoder holds some.
        if self.decoder.can_collect() > 0 {
            self.drain(out)?;
            return Ok((0, Status::Going));
        }
        match self.state {
            State::Between | State::FrameStart if input.is_empty() => {
                let status = if self.state == State::Between {
                    Status::End
                } else {
                    Status::Going
                };
                Ok((0, status))
            }
            State::Between => {
                *self.decoder = FrameDecoder::new();
                self.state = State::FrameStart;
                Ok((0, Status::Going))
            }
            State::FrameStart => {
                let Some(magic) = input.get(..4) else {
                    return Ok((0, Status::Going));
                };
                let magic = u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]);
                if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
                    // A skippable frame: its length, then that many bytes to ignore.
                    let Some(len) = input.get(4..8) else {
                        return Ok((0, Status::Going));
                    };
                    let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]);
                    self.state = State::Skip(len as usize);
                    return Ok((8, Status::Going));
                }
                if magic != 0xFD2F_B528 {
                    return Err(invalid("not zstd (bad magic number)"));
                }
                let Some((header, checksum, window)) = frame_header(input)? else {
                    return Ok((0, Status::Going));
                };
                if window > MAX_WINDOW {
                    return Err(invalid(
                        "zstd frame with a window over 8 MiB (RFC 9659 allows no more)",
                    ));
                }
                let Some((len, last)) = block(&input[header..])? else {
                    return Ok((0, Status::Going));
                };
                if input.len() < header + len {
                    return Ok((0, Status::Going));
                }
                self.feed(&input[..header + len], out)?;
                self.state = match (last, checksum) {
                    (false, _) => State::Blocks { checksum },
                    (true, true) => State::Checksum,
                    (true, false) => State::Between,
                };
                Ok((header + len, Status::Going))
            }
            State::Skip(left) => {
                let take = left.min(input.len());
                self.state = if take == left {
                    State::Between
                } else {
                    State::Skip(left - take)
                };
                Ok((take, Status::Going))
            }
            State::Blocks { checksum } => {
                let Some((len, last)) = block(input)? else {
                    return Ok((0, Status::Going));
                };
                if input.len() < len {
                    return Ok((0, Status::Going));
                }
                self.feed(&input[..len], out)?;
                if last {
                    self.state = if checksum {
                        State::Checksum
                    } else {
                        State::Between
                    };
                }
                Ok((len, Status::Going))
            }
            State::Checksum => {
                if input.len() < 4 {
                    return Ok((0, Status::Going));
                }
                // Handed to ruzstd, which holds back the frame's last window of output until it
                // has the checksum (it does not verify it: the checksum is optional in RFC 8878).
                self.decoder
                    .decode_from_to(&input[..4], &mut [])
                    .map_err(zstd_err)?;
                self.state = State::Between;
                Ok((4, Status::Going))
            }
        }
    }

    fn finish(&self) -> io::Result<()> {
        if self.state == State::Between && self.decoder.can_collect() == 0 {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "truncated zstd stream",
            ))
        }
    }
}
