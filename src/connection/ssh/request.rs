//! The bytes one command sends to the persistent shell: a frame built in
//! memory, or — for input too large to hold (a file being uploaded) — one
//! built as it is written: the input is read and encoded a chunk at a time,
//! so a transfer costs the controller a fixed amount of memory whatever its
//! size, and the checksum the host verifies is computed on the way.

use std::io::{ErrorKind, Read};

use super::framing;
use super::staged_stdin::{self, Body};

/// Input read per chunk: a multiple of a base64 line's 57 bytes.
const CHUNK: usize = 57 * 1024;

/// A command's stdin, as the shell's caller hands it over.
pub(super) enum Stdin<'a> {
    None,
    Bytes(&'a [u8]),
    /// `prefix`, then everything the stream yields.
    Stream(&'a [u8], &'a mut dyn Read),
}

impl<'a> From<Option<&'a [u8]>> for Stdin<'a> {
    fn from(stdin: Option<&'a [u8]>) -> Self {
        stdin.map_or(Stdin::None, Stdin::Bytes)
    }
}

pub(super) struct Request<'a> {
    /// Encoded bytes ready to write, and how many of them were written.
    ready: Vec<u8>,
    sent: usize,
    rest: Option<Rest<'a>>,
}

/// What a streamed request still has to read and encode.
struct Rest<'a> {
    stream: &'a mut dyn Read,
    body: Body,
    buffer: Vec<u8>,
    quoted_script: String,
    marker: String,
}

impl<'a> Request<'a> {
    /// Bytes built in full already.
    pub(super) fn whole(bytes: Vec<u8>) -> Self {
        Self {
            ready: bytes,
            sent: 0,
            rest: None,
        }
    }

    /// The request that runs `script` with `stdin`.
    pub(super) fn command(script: &str, stdin: Stdin<'a>, marker: &str) -> Self {
        match stdin {
            Stdin::None => Self::whole(framing::frame(script, None, marker)),
            Stdin::Bytes(bytes) => Self::whole(framing::frame(script, Some(bytes), marker)),
            Stdin::Stream(prefix, stream) => {
                let mut ready = staged_stdin::head(marker).into_bytes();
                let mut body = Body::new();
                body.encode(prefix, &mut ready);
                Self {
                    ready,
                    sent: 0,
                    rest: Some(Rest {
                        stream,
                        body,
                        buffer: vec![0u8; CHUNK],
                        quoted_script: framing::quote_script(script),
                        marker: marker.to_string(),
                    }),
                }
            }
        }
    }

    /// Whether everything was written.
    pub(super) fn is_done(&self) -> bool {
        self.rest.is_none() && self.sent == self.ready.len()
    }

    /// The bytes to write next (empty once done), reading and encoding the
    /// next chunk of a stream when the previous one is written.
    pub(super) fn pending(&mut self) -> std::io::Result<&[u8]> {
        if self.sent == self.ready.len()
            && let Some(rest) = self.rest.as_mut()
        {
            self.ready.clear();
            self.sent = 0;
            let count = loop {
                match rest.stream.read(&mut rest.buffer) {
                    Ok(count) => break count,
                    Err(error) if error.kind() == ErrorKind::Interrupted => {}
                    Err(error) => return Err(error),
                }
            };
            if count == 0 {
                if let Some(rest) = self.rest.take() {
                    rest.body
                        .finish(&rest.quoted_script, &rest.marker, &mut self.ready);
                }
            } else {
                rest.body.encode(&rest.buffer[..count], &mut self.ready);
            }
        }
        Ok(&self.ready[self.sent..])
    }

    /// `count` more bytes of [`Request::pending`] were written.
    pub(super) fn advance(&mut self, count: usize) {
        self.sent = (self.sent + count).min(self.ready.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(mut request: Request) -> Vec<u8> {
        let mut out = Vec::new();
        while !request.is_done() {
            let pending = request.pending().expect("reads").to_vec();
            // Written in odd pieces, as a full channel window does.
            let piece = pending.len().min(1000);
            out.extend_from_slice(&pending[..piece]);
            request.advance(piece);
        }
        out
    }

    #[test]
    fn a_streamed_request_is_the_frame_built_in_memory() {
        let input: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let marker = framing::new_marker();
        let in_memory = framing::frame("cat", Some(&input), &marker);
        let (prefix, rest) = input.split_at(1234);
        let mut stream = std::io::Cursor::new(rest.to_vec());
        let streamed = drain(Request::command(
            "cat",
            Stdin::Stream(prefix, &mut stream),
            &marker,
        ));
        assert_eq!(streamed, in_memory);
    }
}
