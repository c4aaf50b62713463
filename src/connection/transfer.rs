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
    let mut sum = Cksum::new();
    sum.update(content);
    sum.line()
}

static CKSUM_CRC: Crc<u32> = Crc::<u32>::new(&CRC_32_CKSUM);

/// POSIX `cksum` computed piece by piece, for content that is streamed.
pub struct Cksum {
    digest: crc::Digest<'static, u32>,
    length: u64,
}

impl Default for Cksum {
    fn default() -> Self {
        Self::new()
    }
}

impl Cksum {
    pub fn new() -> Self {
        Self {
            digest: CKSUM_CRC.digest(),
            length: 0,
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.digest.update(bytes);
        self.length += bytes.len() as u64;
    }

    /// `<crc> <length>`, as `cksum` prints it.
    pub fn line(self) -> String {
        let Self { mut digest, length } = self;
        // POSIX appends the length, least significant octet first, in as few
        // octets as it takes.
        let mut rest = length;
        while rest > 0 {
            digest.update(&[(rest & 0xff) as u8]);
            rest >>= 8;
        }
        format!("{} {length}", digest.finalize())
    }
}

/// `sh` that succeeds only when the file named by `"$<variable>"` holds
/// exactly `content`, and otherwise says so on stderr.
pub fn verify_received(variable: &str, content: &[u8]) -> String {
    verify_cksum(variable, &cksum_line(content))
}

/// [`verify_received`] against the `cksum` line `expected`.
pub fn verify_cksum(variable: &str, expected: &str) -> String {
    format!(
        "{{ [ \"$(cksum < \"${variable}\")\" = '{expected}' ] || {{ echo \"the transfer was cut short: got $(cksum < \"${variable}\"), expected {expected} (cksum and length)\" >&2; false; }}; }}"
    )
}

/// The `cksum` line of everything `reader` yields, read a chunk at a time.
pub fn cksum_of(reader: &mut impl std::io::Read) -> std::io::Result<String> {
    let mut sum = Cksum::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Ok(sum.line()),
            Ok(count) => sum.update(&buffer[..count]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
}

/// `trap` lines that remove the temporary file named by `"$<variable>"`
/// however the script ends, a lost connection (`HUP`, `PIPE`) included.
pub fn remove_on_exit(variable: &str) -> String {
    format!(
        "trap 'rm -f \"${variable}\"' EXIT\ntrap 'rm -f \"${variable}\"; exit 129' HUP INT TERM PIPE"
    )
}

/// `sh` that creates an empty file beside `path` under a fresh random name
/// and sets `"$<variable>"` to it, failing the script when it cannot. As
/// `mktemp` does, the file is created with `O_EXCL` (the shell's noclobber
/// option), so nothing that was there is ever written through; unlike it,
/// this starts no process on the host (nor does finding the directory,
/// which `dirname` did). Its mode is `0666 & ~umask`.
pub fn create_beside(variable: &str, path: &str) -> String {
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    let dir = parent_dir(path);
    let slash = if dir.ends_with('/') { "" } else { "/" };
    let name = format!("{dir}{slash}.runbook.{}", hex::encode(bytes));
    format!(
        "{variable}={}\nset -C\n: > \"${variable}\" || exit 1\nset +C",
        crate::connection::shell_quote(&name)
    )
}

/// The `umask` under which a new file gets exactly `mode` when it is
/// created, if there is one: read and write bits only, and writable by its
/// owner (the content is written after the file is created).
pub fn creation_umask(mode: u32) -> Option<u32> {
    (mode & !0o666 == 0 && mode & 0o200 != 0).then_some(!mode & 0o777)
}

/// What POSIX `dirname` prints for `path`.
pub fn parent_dir(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" }.to_string();
    }
    match trimmed.rfind('/') {
        None => ".".to_string(),
        Some(slash) => {
            let parent = trimmed[..slash].trim_end_matches('/');
            if parent.is_empty() { "/" } else { parent }.to_string()
        }
    }
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

    #[test]
    fn parent_dir_is_what_dirname_prints() {
        for path in [
            "/opt/app.conf",
            "/opt/dir/",
            "/x",
            "/",
            "//",
            "app.conf",
            "a/b",
            "a//b//",
            "",
            "./x",
        ] {
            let dirname = std::process::Command::new("dirname")
                .arg("--")
                .arg(path)
                .output()
                .expect("dirname");
            let expected = String::from_utf8_lossy(&dirname.stdout)
                .trim_end()
                .to_string();
            assert_eq!(parent_dir(path), expected, "{path:?}");
        }
    }

    #[test]
    fn creation_umask_only_for_plain_writable_modes() {
        assert_eq!(creation_umask(0o644), Some(0o133));
        assert_eq!(creation_umask(0o600), Some(0o177));
        assert_eq!(creation_umask(0o755), None);
        assert_eq!(creation_umask(0o444), None);
        assert_eq!(creation_umask(0o4644), None);
    }

    #[test]
    fn create_beside_never_writes_through_what_is_there() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("target");
        let script = create_beside("tmp", &target.display().to_string());
        let run = |script: &str| {
            std::process::Command::new("sh")
                .arg("-c")
                .arg(script)
                .output()
                .expect("sh")
        };
        let made = run(&format!("{script}\nprintf '%s' \"$tmp\""));
        assert!(made.status.success(), "{made:?}");
        let made = String::from_utf8_lossy(&made.stdout).to_string();
        assert!(
            made.starts_with(&format!("{}/.runbook.", dir.path().display())),
            "{made}"
        );
        assert_eq!(std::fs::read(&made).expect("created").len(), 0);
        // The same name again (as if someone raced us to it): refused.
        let name = script.lines().next().expect("the name line");
        std::fs::write(&made, "theirs").expect("write");
        let again = run(&format!(
            "{name}\nset -C\n: > \"$tmp\" || exit 1\necho reached"
        ));
        assert!(!again.status.success());
        assert_eq!(std::fs::read_to_string(&made).expect("read"), "theirs");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn agrees_with_the_hosts_cksum(content in proptest::collection::vec(any::<u8>(), 0..3000)) {
            prop_assert_eq!(cksum_line(&content), host_cksum(&content));
        }
    }
}
