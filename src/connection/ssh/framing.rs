//! How one command travels over the persistent shell and how its end is
//! recognised, kept free of I/O so it can be tested on its own.
//!
//! A command is sent as one line of `sh`:
//!
//! ```text
//! ( eval '<script>' ) </dev/null; printf '%s %d\n' MARK $?; printf '%s\n' MARK >&2
//! ```
//!
//! The subshell keeps `exit`, `cd`, `export` and `umask` from touching the
//! persistent shell, and `</dev/null` keeps the script from eating the shell's
//! own input (the rest of the command stream). `MARK` is 32 random hex digits,
//! fresh for every command, so no output can fake it; the end of stdout is
//! `MARK <status>\n` and the end of stderr is `MARK\n`, found anywhere in the
//! byte stream, so output without a final newline comes back exactly.
//!
//! Input for the command goes first, as a quoted here-document of base64
//! decoded on the host into a private file, and the command follows, run on
//! that file only once its checksum matches (see `staged_stdin`): a
//! connection broken mid-input never starts the command on part of it.
//! base64 makes any bytes (NUL, a line that equals the delimiter, no final
//! newline) safe inside the here-document. It needs `base64` and `cksum` on
//! the host (coreutils and busybox have them).

use super::staged_stdin;
use crate::connection::kept_output::KeptOutput;

/// A fresh random marker: 32 lowercase hex digits.
pub(super) fn new_marker() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// The bytes to write to the shell to run `script` with `stdin`.
pub(super) fn frame(script: &str, stdin: Option<&[u8]>, marker: &str) -> Vec<u8> {
    let quoted = quote_script(script);
    match stdin {
        None => format!(
            "( eval {quoted} ) </dev/null; printf '%s %d\\n' {marker} $?; printf '%s\\n' {marker} >&2\n"
        )
        .into_bytes(),
        Some(input) => {
            let mut text = staged_stdin::head(marker).into_bytes();
            text.reserve(input.len() / 3 * 4 + input.len() / 57 + 1024);
            let mut body = staged_stdin::Body::new();
            body.encode(input, &mut text);
            body.finish(&quoted, marker, &mut text);
            text
        }
    }
}

/// `script` as one single-quoted word for `eval`.
pub(super) fn quote_script(script: &str) -> String {
    format!("'{}'", script.replace('\'', r"'\''"))
}

/// What the shell prints before any command, to skip whatever the login shell's
/// rc files may have printed. Its "status" is the shell's process id, which
/// stopping a command needs.
pub(super) fn sync_frame(marker: &str) -> Vec<u8> {
    format!("printf '%s %d\\n' {marker} $$; printf '%s\\n' {marker} >&2\n").into_bytes()
}

/// A script for a second channel that stops everything the shell `pid`
/// started: SIGTERM to each process but the shells (so a module's own
/// shell still removes its temporary files when its command dies), a
/// second for them to do so, then every process of the tree stopped and
/// killed, the shell itself too.
pub(super) fn stop_tree_script(pid: i32) -> String {
    format!(
        r#"tree() {{ echo "$1"; for c in $(ps -A -o pid= -o ppid= | awk -v p="$1" '$2 == p {{ print $1 }}'); do tree "$c"; done; }}
for p in $(tree {pid}); do
  [ "$p" = {pid} ] && continue
  [ "$(ps -o comm= -p "$p" 2>/dev/null)" = sh ] || kill -TERM "$p" 2>/dev/null
done
sleep 1
all=$(tree {pid})
for p in $all; do kill -STOP "$p" 2>/dev/null; done
all="$all $(tree {pid})"
for p in $all; do kill -KILL "$p" 2>/dev/null; done
exit 0
"#
    )
}

/// Collects one stream of a command until its end marker shows up. The
/// bytes that might be the start of the marker are held back until the next
/// chunk decides; everything before goes to the (possibly bounded) output.
#[derive(Debug)]
pub(super) struct StreamEnd {
    needle: Vec<u8>,
    kept: KeptOutput,
    /// The last bytes seen that could still begin the marker.
    held: Vec<u8>,
    /// What followed the marker (its status line), once it was found.
    after: Option<Vec<u8>>,
    /// Whether the marker is followed by ` <status>` (stdout) or not (stderr).
    with_status: bool,
    status: Option<i32>,
}

/// Enough of what follows the marker for any status line.
const STATUS_LINE_MAX: usize = 32;

impl StreamEnd {
    /// The end of stdout: `MARK <status>\n`.
    pub(super) fn stdout(marker: &str, limit: Option<usize>) -> Self {
        Self::new(format!("{marker} "), true, limit)
    }

    /// The end of stderr: `MARK\n`.
    pub(super) fn stderr(marker: &str, limit: Option<usize>) -> Self {
        Self::new(format!("{marker}\n"), false, limit)
    }

    fn new(needle: String, with_status: bool, limit: Option<usize>) -> Self {
        Self {
            needle: needle.into_bytes(),
            kept: KeptOutput::new(limit),
            held: Vec::new(),
            after: None,
            with_status,
            status: None,
        }
    }

    /// Take in the next bytes read from the stream.
    pub(super) fn feed(&mut self, chunk: &[u8]) {
        if let Some(after) = self.after.as_mut() {
            let room = STATUS_LINE_MAX.saturating_sub(after.len());
            after.extend_from_slice(&chunk[..room.min(chunk.len())]);
        } else {
            self.held.extend_from_slice(chunk);
            match find(&self.held, &self.needle) {
                Some(at) => {
                    self.kept.push(&self.held[..at]);
                    let rest = &self.held[at + self.needle.len()..];
                    self.after = Some(rest[..rest.len().min(STATUS_LINE_MAX)].to_vec());
                    self.held = Vec::new();
                }
                None => {
                    let keep = (self.needle.len() - 1).min(self.held.len());
                    let settled = self.held.len() - keep;
                    self.kept.push(&self.held[..settled]);
                    self.held.drain(..settled);
                }
            }
        }
        if let Some(after) = &self.after {
            if !self.with_status {
                self.status = Some(0);
            } else if self.status.is_none() {
                self.status = parse_status(after);
            }
        }
    }

    /// Whether the whole end marker has arrived.
    pub(super) fn is_complete(&self) -> bool {
        self.status.is_some()
    }

    /// The exit status carried by the marker (stdout only).
    pub(super) fn status(&self) -> Option<i32> {
        self.status.filter(|_| self.with_status)
    }

    /// How many bytes the output limit left out.
    pub(super) fn dropped(&self) -> u64 {
        self.kept.dropped()
    }

    /// Everything before the marker (or everything, if it never came), with
    /// a note where the limit left bytes out.
    pub(super) fn into_output(mut self) -> Vec<u8> {
        let held = std::mem::take(&mut self.held);
        self.kept.push(&held);
        let stream = if self.with_status { "stdout" } else { "stderr" };
        self.kept.into_bytes(stream)
    }
}

/// `<digits>\n` at the start of `rest`, once the newline has arrived.
fn parse_status(rest: &[u8]) -> Option<i32> {
    let newline = rest.iter().position(|&b| b == b'\n')?;
    let text = std::str::from_utf8(&rest[..newline]).ok()?;
    // A status that does not parse is still an end: report it as -1.
    Some(text.trim().parse().unwrap_or(-1))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn markers_are_fresh_hex() {
        let (a, b) = (new_marker(), new_marker());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn frames_run_the_script_in_a_subshell_under_sh() {
        let marker = new_marker();
        let framed = frame("echo 'hi'; exit 3", None, &marker);
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(String::from_utf8(framed).expect("utf8"))
            .output()
            .expect("sh");
        let mut out = StreamEnd::stdout(&marker, None);
        out.feed(&output.stdout);
        let mut err = StreamEnd::stderr(&marker, None);
        err.feed(&output.stderr);
        assert_eq!(out.status(), Some(3));
        assert!(err.is_complete());
        assert_eq!(out.into_output(), b"hi\n");
    }

    #[test]
    fn stdin_arrives_byte_for_byte_through_sh() {
        let marker = new_marker();
        let input: Vec<u8> = (0..=255u8).chain(*b"\nEOF\n").collect();
        let framed = frame("cat", Some(&input), &marker);
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(String::from_utf8(framed).expect("utf8"))
            .output()
            .expect("sh");
        let mut out = StreamEnd::stdout(&marker, None);
        out.feed(&output.stdout);
        assert_eq!(out.status(), Some(0));
        assert_eq!(out.into_output(), input);
    }

    #[test]
    fn status_waits_for_its_newline() {
        let mut out = StreamEnd::stdout("M", None);
        out.feed(b"dataM 1");
        assert!(!out.is_complete());
        out.feed(b"27\n");
        assert_eq!(out.status(), Some(127));
        assert_eq!(out.into_output(), b"data");
    }

    proptest! {
        #[test]
        fn output_comes_back_exactly_however_it_is_split(
            output in proptest::collection::vec(any::<u8>(), 0..2000),
            status in 0i32..256,
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ) {
            let marker = new_marker();
            let mut stream = output.clone();
            stream.extend_from_slice(format!("{marker} {status}\n").as_bytes());
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (stream.len() + 1)).collect();
            cuts.sort_unstable();
            let mut end = StreamEnd::stdout(&marker, None);
            let mut from = 0;
            for cut in cuts.into_iter().chain([stream.len()]) {
                end.feed(&stream[from..cut]);
                from = cut;
            }
            prop_assert_eq!(end.status(), Some(status));
            prop_assert_eq!(end.into_output(), output);
        }

        /// Whatever a host sends, in whatever pieces: no panic, and a stream
        /// counts as ended only when its marker really arrived, with the
        /// output before it returned unchanged.
        #[test]
        fn any_bytes_in_any_pieces_never_panic(
            noise in proptest::collection::vec(any::<u8>(), 0..600),
            marker_at in proptest::option::of(any::<usize>()),
            status in "[0-9 -]{0,6}\n?",
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ) {
            let marker = new_marker();
            let mut stream = noise.clone();
            let planted = marker_at.map(|at| at % (noise.len() + 1));
            if let Some(at) = planted {
                let tail = format!("{marker} {status}");
                stream.splice(at..at, tail.bytes());
            }
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (stream.len() + 1)).collect();
            cuts.sort_unstable();
            let mut out = StreamEnd::stdout(&marker, None);
            let mut err = StreamEnd::stderr(&marker, None);
            let mut from = 0;
            for cut in cuts.into_iter().chain([stream.len()]) {
                out.feed(&stream[from..cut]);
                err.feed(&stream[from..cut]);
                from = cut;
            }
            match (out.is_complete(), planted) {
                (true, None) => prop_assert!(false, "ended without its marker"),
                (_, Some(at)) => prop_assert_eq!(out.into_output(), noise[..at].to_vec()),
                (false, None) => prop_assert_eq!(out.into_output(), stream.clone()),
            }
            let _ = err.into_output();
        }

        #[test]
        fn a_bounded_stream_keeps_head_and_tail_and_still_finds_its_end(
            output in proptest::collection::vec(any::<u8>(), 0..3000),
            limit in 1usize..200,
            status in 0i32..256,
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ) {
            let marker = new_marker();
            let mut stream = output.clone();
            stream.extend_from_slice(format!("{marker} {status}\n").as_bytes());
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (stream.len() + 1)).collect();
            cuts.sort_unstable();
            let mut end = StreamEnd::stdout(&marker, Some(limit));
            let mut from = 0;
            for cut in cuts.into_iter().chain([stream.len()]) {
                end.feed(&stream[from..cut]);
                from = cut;
            }
            prop_assert_eq!(end.status(), Some(status));
            let dropped = output.len().saturating_sub(limit);
            prop_assert_eq!(end.dropped(), dropped as u64);
            let kept = end.into_output();
            if dropped == 0 {
                prop_assert_eq!(kept, output);
            } else {
                let (head, tail) = (limit / 2, limit - limit / 2);
                prop_assert_eq!(&kept[..head], &output[..head]);
                prop_assert_eq!(&kept[kept.len() - tail..], &output[output.len() - tail..]);
            }
        }

        #[test]
        fn an_unfinished_stream_is_not_complete(
            output in proptest::collection::vec(any::<u8>(), 0..500),
        ) {
            let marker = new_marker();
            let mut end = StreamEnd::stderr(&marker, None);
            end.feed(&output);
            end.feed(&marker.as_bytes()[..16]);
            prop_assert!(!end.is_complete());
        }
    }
}
