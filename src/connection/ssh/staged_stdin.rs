//! A command's stdin is staged in a file on the host and checked before the
//! command starts, so a command never runs on part of its input.
//!
//! Input travels as a base64 here-document. When the connection breaks
//! inside one, the host's `sh` sees its input end and runs the line anyway
//! with the part that arrived (dash does). So the data goes first, decoded
//! into a private file (`${TMPDIR:-/tmp}/.runbook-stdin.<marker>`, created
//! with `O_EXCL`, mode 0600), and the command follows in one `{ …; }` group
//! that runs it on that file only when its POSIX `cksum` (CRC-32 and
//! length) is the one computed here. A connection broken in the data never
//! delivers the command; one broken inside the group leaves a group the
//! shell cannot parse, so none of it runs. The command reads the file
//! through a descriptor opened before its name is removed, so the file is
//! gone while the command runs (a command killed leaves nothing), and the
//! persistent shell's `EXIT`/`HUP`/`PIPE` traps remove it when the
//! connection is lost before. No extra round trip: the check runs in the
//! same exchange, and the checksum is computed while the data is encoded.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::connection::transfer::Cksum;

/// Input bytes per base64 line (76 characters, as `base64` writes them).
const LINE_INPUT: usize = 57;

/// The line that starts the here-document: it sets the traps and decodes
/// the data into the staging file.
pub(super) fn head(marker: &str) -> String {
    format!(
        "__runbook_in=${{TMPDIR:-/tmp}}/.runbook-stdin.{marker}; \
         trap 'rm -f \"$__runbook_in\"' EXIT; trap 'exit 129' HUP INT TERM PIPE; \
         ( umask 077; set -C; base64 -d > \"$__runbook_in\" ) <<'{marker}'\n"
    )
}

/// Encodes the data as the here-document's lines, keeping its checksum.
pub(super) struct Body {
    sum: Cksum,
    /// Input not yet encoded: less than a line's worth.
    pending: Vec<u8>,
}

impl Body {
    pub(super) fn new() -> Self {
        Self {
            sum: Cksum::new(),
            pending: Vec::with_capacity(LINE_INPUT),
        }
    }

    /// Append the lines for `input` to `out`.
    pub(super) fn encode(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        self.sum.update(input);
        if !self.pending.is_empty() {
            let take = (LINE_INPUT - self.pending.len()).min(input.len());
            self.pending.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.pending.len() < LINE_INPUT {
                return;
            }
            push_line(&self.pending, out);
            self.pending.clear();
        }
        let whole = input.len() - input.len() % LINE_INPUT;
        for line in input[..whole].chunks(LINE_INPUT) {
            push_line(line, out);
        }
        self.pending.extend_from_slice(&input[whole..]);
    }

    /// The last line of data, the here-document's end and the command, run
    /// only on whole input.
    pub(super) fn finish(self, script_quoted: &str, marker: &str, out: &mut Vec<u8>) {
        if !self.pending.is_empty() {
            push_line(&self.pending, out);
        }
        let expected = self.sum.line();
        out.extend_from_slice(
            format!(
                "{marker}\n\
                 {{ if [ $? = 0 ] && [ \"$(cksum < \"$__runbook_in\")\" = '{expected}' ]; \
                 then {{ rm -f \"$__runbook_in\"; ( eval {script_quoted} ); }} < \"$__runbook_in\"; \
                 else echo \"runbook: the command's input did not arrive whole (got $(cksum < \"$__runbook_in\" 2>&1), expected {expected}: cksum and length); the command was not run\" >&2; (exit 125); fi; \
                 __runbook_rc=$?; rm -f \"$__runbook_in\"; trap - EXIT HUP INT TERM PIPE; \
                 printf '%s %d\\n' {marker} \"$__runbook_rc\"; printf '%s\\n' {marker} >&2; }}\n"
            )
            .as_bytes(),
        );
    }
}

fn push_line(input: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + input.len().div_ceil(3) * 4, 0);
    // The buffer was sized for exactly this input.
    let written = STANDARD
        .encode_slice(input, &mut out[start..])
        .unwrap_or_default();
    out.truncate(start + written);
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::super::framing::{StreamEnd, frame, new_marker};
    use std::io::Write;
    use std::process::{Command, Stdio};

    fn sh(input: &[u8], tmp: &std::path::Path) -> std::process::Output {
        shell("sh", input, tmp)
    }

    /// Feed `input` to a fresh `shell` as the persistent shell gets it, its
    /// input then ending; the staging directory is `tmp`.
    fn shell(shell: &str, input: &[u8], tmp: &std::path::Path) -> std::process::Output {
        let mut child = Command::new(shell)
            .env("TMPDIR", tmp)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sh");
        let mut pipe = child.stdin.take().expect("stdin");
        let _ = pipe.write_all(input);
        drop(pipe);
        child.wait_with_output().expect("sh ends")
    }

    #[test]
    fn the_input_arrives_byte_for_byte_and_its_file_is_gone_while_the_command_runs() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let marker = new_marker();
        let input: Vec<u8> = (0..=255u8).cycle().take(10_000).chain(*b"\nEOF").collect();
        // The staging file is already gone while the command runs.
        let framed = frame("ls -A \"$TMPDIR\"; cat; exit 7", Some(&input), &marker);
        let output = sh(&framed, tmp.path());
        let mut out = StreamEnd::stdout(&marker, None);
        out.feed(&output.stdout);
        assert_eq!(out.status(), Some(7));
        assert_eq!(out.into_output(), input);
        assert_eq!(std::fs::read_dir(tmp.path()).expect("dir").count(), 0);
    }

    #[test]
    fn a_frame_cut_anywhere_never_runs_its_command_and_leaves_no_file() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let ran = tmp.path().join("ran");
        let ran_text = ran.display().to_string();
        let marker = new_marker();
        let input = b"line one\nline two\n".repeat(40);
        let script = format!("cat > /dev/null; echo ran > {ran_text}");
        let framed = frame(&script, Some(&input), &marker);
        let staging = tmp.path().join("staging");
        std::fs::create_dir(&staging).expect("staging");
        let whole = framed.len();
        // The shells hosts have as `sh`: dash (Debian) and bash (Red Hat).
        for name in ["dash", "bash"] {
            // Every cut up to the command's group, and every byte inside it.
            for cut in (0..whole).step_by(7).chain(whole - 400..whole - 1) {
                let output = shell(name, &framed[..cut], &staging);
                assert!(
                    !ran.exists(),
                    "{name}: cut at {cut} of {whole} ran the command: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                let left = std::fs::read_dir(&staging).expect("dir").count();
                assert_eq!(
                    left, 0,
                    "{name}: cut at {cut} of {whole} left the staging file"
                );
            }
            shell(name, &framed, &staging);
            assert!(ran.exists(), "{name}: the whole frame runs its command");
            std::fs::remove_file(&ran).expect("reset");
        }
    }

    #[test]
    fn a_damaged_upload_is_refused_with_a_reason() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let marker = new_marker();
        let framed = frame("cat", Some(b"abcdefghijkl"), &marker);
        let text = String::from_utf8(framed).expect("ascii");
        // One base64 character changed: the right length, the wrong bytes.
        let damaged = text.replacen("YWJj", "YWJk", 1);
        let output = sh(damaged.as_bytes(), tmp.path());
        let mut out = StreamEnd::stdout(&marker, None);
        out.feed(&output.stdout);
        assert_eq!(out.status(), Some(125));
        assert_eq!(out.into_output(), b"");
        assert!(
            String::from_utf8_lossy(&output.stderr)
                .contains("the command's input did not arrive whole"),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
