//! Checking on the host that an upload arrived whole before it is used.
//!
//! Input reaches a host inside a here-document; when the connection breaks
//! mid-transfer the host's `sh` sees the end of its input, runs the command
//! anyway with the part that arrived, and `cat` ends with status 0. So every
//! upload is written to a temporary file first and compared, on the host,
//! with the length and POSIX `cksum` (CRC-32) computed here; only a file that
//! matches is renamed into place or executed. `cksum` is POSIX, so this needs
//! nothing a minimal host lacks.

use crc::{CRC_32_CKSUM, Crc};

/// The line POSIX `cksum` prints for `content` read from stdin:
/// `<crc> <length>`.
pub fn cksum_line(content: &[u8]) -> String {
    let crc = Crc::<u32>::new(&CRC_32_CKSUM);
    let mut digest = crc.digest();
    digest.update(content);
    // POSIX appends the length, least significant octet first, in as few
    // octets as it takes.
    let mut length = content.len() as u64;
    while length > 0 {
        digest.update(&[(length & 0xff) as u8]);
        length >>= 8;
    }
    format!("{} {}", digest.finalize(), content.len())
}

/// `sh` that succeeds only when the file named by `"$<variable>"` holds
/// exactly `content`, and otherwise says so on stderr.
pub fn verify_received(variable: &str, content: &[u8]) -> String {
    let expected = cksum_line(content);
    format!(
        "{{ [ \"$(cksum < \"${variable}\")\" = '{expected}' ] || {{ echo \"the transfer was cut short: got $(cksum < \"${variable}\"), expected {expected} (cksum and length)\" >&2; false; }}; }}"
    )
}

/// `trap` lines that remove the temporary file named by `"$<variable>"`
/// however the script ends, a lost connection (`HUP`, `PIPE`) included.
pub fn remove_on_exit(variable: &str) -> String {
    format!(
        "trap 'rm -f \"${variable}\"' EXIT\ntrap 'rm -f \"${variable}\"; exit 129' HUP INT TERM PIPE"
    )
}

/// Undo [`remove_on_exit`] once the file has been renamed into place.
pub fn keep_on_exit() -> &'static str {
    "trap - EXIT HUP INT TERM PIPE"
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn host_cksum(content: &[u8]) -> String {
        use std::io::Write;
        let mut child = std::process::Command::new("cksum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("cksum");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(content)
            .expect("write");
        let output = child.wait_with_output().expect("wait");
        String::from_utf8(output.stdout)
            .expect("utf8")
            .trim()
            .to_string()
    }

    #[test]
    fn matches_posix_cksum_on_known_lengths() {
        for length in [0usize, 1, 255, 256, 65_536, 1 << 20] {
            let content: Vec<u8> = (0..length).map(|i| (i * 7 % 251) as u8).collect();
            assert_eq!(
                cksum_line(&content),
                host_cksum(&content),
                "length {length}"
            );
        }
    }

    #[test]
    fn a_short_file_fails_the_check_and_a_whole_one_passes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        let content = b"line one\nline two\n";
        let check = |written: &[u8]| {
            std::fs::write(&path, written).expect("write");
            std::process::Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "f={}\n{}",
                    path.display(),
                    verify_received("f", content)
                ))
                .output()
                .expect("sh")
        };
        assert!(check(content).status.success());
        let short = check(&content[..9]);
        assert!(!short.status.success());
        assert!(String::from_utf8_lossy(&short.stderr).contains("the transfer was cut short"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn agrees_with_the_hosts_cksum(content in proptest::collection::vec(any::<u8>(), 0..3000)) {
            prop_assert_eq!(cksum_line(&content), host_cksum(&content));
        }
    }
}
