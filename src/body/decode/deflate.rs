//! `deflate`: zlib-wrapped by the standard (RFC 9110), raw by some servers; decided on the first
//! two bytes.

use std::io;

use flate2::{Decompress, FlushDecompress};

use super::{Format, Status};

enum State {
    /// Nothing decided until two bytes can be looked at (a lone first byte stays unused, and
    /// comes back joined with the next chunk).
    Undecided,
    Inflate(Box<Decompress>),
    Done,
}

pub(crate) struct Deflate {
    state: State,
}

impl Deflate {
    pub(crate) fn new() -> Self {
        Deflate {
            state: State::Undecided,
        }
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

impl Format for Deflate {
    fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> io::Result<(usize, Status)> {
        if let State::Undecided = self.state {
            let [cmf, flg, ..] = *input else {
                return Ok((0, Status::Going));
            };
            let zlib = cmf & 0x0f == 8 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0;
            self.state = State::Inflate(Box::new(Decompress::new(zlib)));
        }
        match &mut self.state {
            State::Undecided => Ok((0, Status::Going)),
            State::Done if input.is_empty() => Ok((0, Status::End)),
            State::Done => Err(invalid("data after the end of the deflate stream".into())),
            State::Inflate(inflate) => {
                if out.len() == out.capacity() {
                    return Ok((0, Status::Going));
                }
                let in0 = inflate.total_in();
                let status = inflate
                    .decompress_vec(input, out, FlushDecompress::None)
                    .map_err(|e| invalid(format!("bad deflate data: {e}")))?;
                let used = (inflate.total_in() - in0) as usize;
                if status == flate2::Status::StreamEnd {
                    self.state = State::Done;
                    if used < input.len() {
                        return Err(invalid("data after the end of the deflate stream".into()));
                    }
                    return Ok((used, Status::End));
                }
                Ok((used, Status::Going))
            }
        }
    }

    fn finish(&self) -> io::Result<()> {
        match self.state {
            State::Done => Ok(()),
            _ => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "truncated deflate stream",
            )),
        }
    }
}
