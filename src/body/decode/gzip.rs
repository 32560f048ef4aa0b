//! gzip (RFC 1952): a header, a raw deflate stream, a CRC-32 and the length; members may follow
//! one another. The framing is read here, byte by byte as it arrives (a file name of any length
//! is skipped, never kept); the deflate stream is flate2's, into bounded output.

use std::io;

use flate2::{Crc, Decompress, FlushDecompress};

use super::{Format, Status};

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

enum State {
    /// The 10 fixed header bytes, `n` of them read.
    Fixed {
        buf: [u8; 10],
        n: usize,
    },
    /// The 2-byte length of the extra field.
    ExtraLen {
        buf: [u8; 2],
        n: usize,
    },
    /// Extra-field bytes still to skip.
    Extra(usize),
    /// Skipping a zero-terminated name.
    Name,
    /// Skipping a zero-terminated comment.
    Comment,
    /// Header CRC bytes still to skip.
    HeaderCrc(usize),
    Body(Box<Decompress>),
    /// The 8-byte trailer: CRC-32 and length.
    Trailer {
        buf: [u8; 8],
        n: usize,
    },
    /// A member ended; another may begin.
    Between,
}

pub(crate) struct Gzip {
    state: State,
    flags: u8,
    crc: Crc,
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_owned())
}

impl Gzip {
    pub(crate) fn new() -> Self {
        Gzip {
            state: State::Fixed { buf: [0; 10], n: 0 },
            flags: 0,
            crc: Crc::new(),
        }
    }

    /// The header part after `done`, given the flags.
    fn after(&self, done: u8) -> State {
        let f = self.flags;
        if done < FEXTRA && f & FEXTRA != 0 {
            State::ExtraLen { buf: [0; 2], n: 0 }
        } else if done < FNAME && f & FNAME != 0 {
            State::Name
        } else if done < FCOMMENT && f & FCOMMENT != 0 {
            State::Comment
        } else if done < 0x20 && f & FHCRC != 0 {
            State::HeaderCrc(2)
        } else {
            State::Body(Box::new(Decompress::new(false)))
        }
    }
}

impl Format for Gzip {
    fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> io::Result<(usize, Status)> {
        let mut pos = 0;
        loop {
            let rest = &input[pos..];
            match &mut self.state {
                State::Between if rest.is_empty() => return Ok((pos, Status::End)),
                State::Between => {
                    self.state = State::Fixed { buf: [0; 10], n: 0 };
                }
                _ if rest.is_empty() => return Ok((pos, Status::Going)),
                State::Fixed { buf, n } => {
                    let take = (10 - *n).min(rest.len());
                    buf[*n..*n + take].copy_from_slice(&rest[..take]);
                    *n += take;
                    pos += take;
                    if *n == 10 {
                        if buf[0] != 0x1f || buf[1] != 0x8b {
                            return Err(invalid("not gzip (bad magic bytes)"));
                        }
                        if buf[2] != 8 {
                            return Err(invalid("gzip member not compressed with deflate"));
                        }
                        if buf[3] & 0xe0 != 0 {
                            return Err(invalid("gzip header with reserved flags set"));
                        }
                        self.flags = buf[3];
                        self.crc.reset();
                        self.state = self.after(0);
                    }
                }
                State::ExtraLen { buf, n } => {
                    let take = (2 - *n).min(rest.len());
                    buf[*n..*n + take].copy_from_slice(&rest[..take]);
                    *n += take;
                    pos += take;
                    if *n == 2 {
                        self.state = State::Extra(usize::from(u16::from_le_bytes(*buf)));
                    }
                }
                State::Extra(left) => {
                    let take = (*left).min(rest.len());
                    *left -= take;
                    pos += take;
                    if *left == 0 {
                        self.state = self.after(FEXTRA);
                    }
                }
                State::Name | State::Comment => {
                    let field = if matches!(self.state, State::Name) {
                        FNAME
                    } else {
                        FCOMMENT
                    };
                    match rest.iter().position(|&b| b == 0) {
                        Some(i) => {
                            pos += i + 1;
                            self.state = self.after(field);
                        }
                        None => pos += rest.len(),
                    }
                }
                State::HeaderCrc(left) => {
                    let take = (*left).min(rest.len());
                    *left -= take;
                    pos += take;
                    if *left == 0 {
                        self.state = self.after(0x20);
                    }
                }
                State::Body(inflate) => {
                    let spare = out.capacity() - out.len();
                    if spare == 0 {
                        return Ok((pos, Status::Going));
                    }
                    let (in0, start) = (inflate.total_in(), out.len());
                    let status = inflate
                        .decompress_vec(rest, out, FlushDecompress::None)
                        .map_err(|e| invalid(&format!("bad deflate data: {e}")))?;
                    let used = (inflate.total_in() - in0) as usize;
                    self.crc.update(&out[start..]);
                    pos += used;
                    if status == flate2::Status::StreamEnd {
                        self.state = State::Trailer { buf: [0; 8], n: 0 };
                    } else if used == 0 && out.len() == start {
                        // Needs more input (or more room, which the caller gives next).
                        return Ok((pos, Status::Going));
                    }
                }
                State::Trailer { buf, n } => {
                    let take = (8 - *n).min(rest.len());
                    buf[*n..*n + take].copy_from_slice(&rest[..take]);
                    *n += take;
                    pos += take;
                    if *n == 8 {
                        let crc = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]);
                        let len = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
                        if crc != self.crc.sum() {
                            return Err(invalid("gzip CRC-32 mismatch"));
                        }
                        if len != self.crc.amount() {
                            return Err(invalid("gzip length mismatch"));
                        }
                        self.state = State::Between;
                    }
                }
            }
        }
    }

    fn finish(&self) -> io::Result<()> {
        match self.state {
            State::Between => Ok(()),
            _ => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "truncated gzip stream",
            )),
        }
    }
}
