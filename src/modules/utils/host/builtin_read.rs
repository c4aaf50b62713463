//! Reading a small file into a shell variable with `sh` builtins only
//! (`read`, no `cat`, no command substitution), for comparing it with
//! content or printing it back.
//!
//! `read` drops NUL bytes (and a shell that counts characters, bash in a
//! UTF-8 locale, counts fewer than the file's bytes), so what was read is
//! trusted only when its length is the file's size; otherwise the caller
//! falls back to a tool. `read` takes a byte per system call, so this is
//! for small files only.

/// Files up to this size are read with builtins.
pub(crate) const BUILTIN_READ_MAX: u64 = 16 * 1024;

/// `sh` that reads the file `"$<path>"` into `$<into>` and succeeds only
/// when it holds exactly the file's `"$<size>"` bytes.
pub(crate) fn read_whole(path: &str, size: &str, into: &str) -> String {
    format!(
        "{{ {into}=; __l=; while IFS= read -r __l; do {into}=\"${into}$__l\n\"; __l=; done < \"${path}\"; {into}=\"${into}$__l\"; [ \"${{#{into}}}\" = \"${size}\" ]; }}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(content: &[u8]) -> Option<Vec<u8>> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        std::fs::write(&path, content).expect("write");
        let script = format!(
            "p='{}'; s={}\nif {}; then printf '%s' \"$c\"; else exit 9; fi",
            path.display(),
            content.len(),
            read_whole("p", "s", "c")
        );
        for shell in ["dash", "bash"] {
            let output = std::process::Command::new(shell)
                .arg("-c")
                .arg(&script)
                .env("LC_ALL", "C.UTF-8")
                .output()
                .expect("sh");
            if output.status.code() == Some(9) {
                return None;
            }
            assert_eq!(output.stdout, content, "{shell}");
        }
        Some(content.to_vec())
    }

    #[test]
    fn reads_text_exactly_and_refuses_what_it_cannot_hold() {
        for text in [
            &b""[..],
            b"one\n",
            b"no final newline",
            b"  spaces \t and \\ backslashes\\\n\n\nblank lines\n",
            b"\r\nwindows\r\n",
        ] {
            assert_eq!(read_back(text).as_deref(), Some(text), "{text:?}");
        }
        assert_eq!(read_back(b"a\0b"), None);
    }
}
