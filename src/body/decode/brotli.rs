//! `br` (RFC 7932), through brotli-decompressor's stream API: input in, at most the output room
//! given out. Its window (at most 16 MiB, as the stream declares) is the decoder's own memory.

use std::io;

use brotli_decompressor::{BrotliDecompressStream, BrotliResult, BrotliState, StandardAlloc};

use super::{Format, Status};

pub(crate) struct Brotli {
    state: Box<BrotliState<StandardAlloc, StandardAlloc, StandardAlloc>>,
    done: bool,
}

impl Brotli {
    pub(crate) fn new() -> Self {
        Brotli {
            state: Box::new(BrotliState::new(
                StandardAlloc::default(),
                StandardAlloc::default(),
                StandardAlloc::default(),
            )),
            done: false,
        }
    }
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_owned())
}

impl Format for Brotli {
    fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> io::Result<(usize, Status)> {
        if self.done {
            if input.is_empty() {
                return Ok((0, Status::End));
            }
            return Err(invalid("data after the end of the brotli stream"));
        }
        let start = out.len();
        let room = out.capacity() - start;
        if room == 0 {
            return Ok((0, Status::Going));
        }
        out.resize(start + room, 0);
        let (mut avail_in, mut in_off) = (input.len(), 0);
        let (mut avail_out, mut out_off, mut total) = (room, start, 0);
        let result = BrotliDecompressStream(
            &mut avail_in,
            &mut in_off,
            input,
            &mut avail_out,
            &mut out_off,
            out,
            &mut total,
            &mut self.state,
        );
        out.truncate(out_off);
        match result {
            BrotliResult::ResultFailure => Err(invalid("bad brotli data")),
            BrotliResult::ResultSuccess => {
                self.done = true;
                if in_off < input.len() {
                    return Err(invalid("data after the end of the brotli stream"));
                }
                Ok((in_off, Status::End))
            }
            BrotliResult::NeedsMoreInput | BrotliResult::NeedsMoreOutput => {
                Ok((in_off, Status::Going))
            }
        }
    }

    fn finish(&self) -> io::Result<()> {
        if self.done {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "truncated brotli stream",
            ))
        }
    }
}
