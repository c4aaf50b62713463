//! One stream of a command's output as the controller keeps it: everything,
//! or — with a limit — the first and the last half of the limit and a count
//! of the bytes in between, so a host printing gigabytes costs the
//! controller a fixed amount of memory.

use std::collections::VecDeque;

#[derive(Debug)]
pub(super) struct KeptOutput {
    head: Vec<u8>,
    head_limit: usize,
    /// The newest bytes once the head is full; `None` without a limit.
    tail: Option<VecDeque<u8>>,
    tail_limit: usize,
    dropped: u64,
}

impl KeptOutput {
    pub(super) fn new(limit: Option<usize>) -> Self {
        match limit {
            None => Self {
                head: Vec::new(),
                head_limit: usize::MAX,
                tail: None,
                tail_limit: 0,
                dropped: 0,
            },
            Some(limit) => Self {
                head: Vec::new(),
                head_limit: limit / 2,
                tail: Some(VecDeque::new()),
                tail_limit: limit - limit / 2,
                dropped: 0,
            },
        }
    }

    pub(super) fn push(&mut self, mut bytes: &[u8]) {
        let room = self.head_limit.saturating_sub(self.head.len());
        let into_head = room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..into_head]);
        bytes = &bytes[into_head..];
        let Some(tail) = self.tail.as_mut() else {
            return;
        };
        if bytes.len() >= self.tail_limit {
            let skipped = bytes.len() - self.tail_limit;
            self.dropped += (tail.len() + skipped) as u64;
            tail.clear();
            bytes = &bytes[skipped..];
        } else {
            let overflow = (tail.len() + bytes.len()).saturating_sub(self.tail_limit);
            tail.drain(..overflow);
            self.dropped += overflow as u64;
        }
        tail.extend(bytes);
    }

    /// How many bytes were left out.
    pub(super) fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The kept bytes; where bytes were left out, a line saying how many.
    pub(super) fn into_bytes(self, stream: &str) -> Vec<u8> {
        let mut bytes = self.head;
        if self.dropped > 0 {
            let limit = self.head_limit + self.tail_limit;
            if bytes.last().is_some_and(|last| *last != b'\n') {
                bytes.push(b'\n');
            }
            bytes.extend_from_slice(
                format!(
                    "[runbook: {} bytes of {stream} left out here; at most {limit} bytes of each stream are kept (runbook_output_limit)]\n",
                    self.dropped
                )
                .as_bytes(),
            );
        }
        if let Some(tail) = self.tail {
            bytes.extend(tail);
        }
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn without_a_limit_everything_is_kept() {
        let mut kept = KeptOutput::new(None);
        kept.push(b"abc");
        kept.push(b"def");
        assert_eq!(kept.dropped(), 0);
        assert_eq!(kept.into_bytes("stdout"), b"abcdef");
    }

    #[test]
    fn the_middle_is_replaced_by_a_note() {
        let mut kept = KeptOutput::new(Some(4));
        kept.push(b"ab0123456789");
        kept.push(b"yz");
        assert_eq!(kept.dropped(), 10);
        assert_eq!(
            String::from_utf8_lossy(&kept.into_bytes("stdout")),
            "ab\n[runbook: 10 bytes of stdout left out here; at most 4 bytes of each stream are kept (runbook_output_limit)]\nyz"
        );
    }

    proptest! {
        #[test]
        fn head_and_tail_are_exact_however_the_stream_is_split(
            data in proptest::collection::vec(any::<u8>(), 0..400),
            limit in 0usize..64,
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (data.len() + 1)).collect();
            cuts.sort_unstable();
            let mut kept = KeptOutput::new(Some(limit));
            let mut from = 0;
            for cut in cuts.into_iter().chain([data.len()]) {
                kept.push(&data[from..cut]);
                from = cut;
            }
            let head = limit / 2;
            let tail = limit - head;
            if data.len() <= limit {
                prop_assert_eq!(kept.dropped(), 0);
                prop_assert_eq!(kept.into_bytes("stdout"), data);
            } else {
                let dropped = data.len() - limit;
                prop_assert_eq!(kept.dropped(), dropped as u64);
                let bytes = kept.into_bytes("stdout");
                prop_assert_eq!(&bytes[..head], &data[..head]);
                prop_assert_eq!(&bytes[bytes.len() - tail..], &data[data.len() - tail..]);
            }
        }
    }
}
