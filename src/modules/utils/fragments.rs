//! Joining a directory's fragments into one file as Ansible's `assemble`
//! does: names in string order, filtered by a regular expression and by
//! "hidden", a newline added after a fragment that lacks one, and a
//! delimiter (with Python's backslash escapes decoded) between fragments.
//! Also the `sh` that reads a host directory's fragments in one round trip.

use regex::Regex;

use crate::connection::shell_quote;

/// One file of the fragment directory.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fragment {
    pub name: String,
    pub content: Vec<u8>,
}

/// Which fragments take part, and what separates them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Joining {
    pub regexp: Option<Regex>,
    pub ignore_hidden: bool,
    pub delimiter: Option<String>,
}

/// The assembled bytes. Fragments are sorted by name here; the delimiter
/// is decoded once more at each use, as Ansible's loop re-decodes it.
pub(crate) fn join(mut fragments: Vec<Fragment>, how: &Joining) -> Result<Vec<u8>, String> {
    fragments.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = Vec::new();
    let mut delimiter = how.delimiter.clone().map(String::into_bytes);
    let mut first = true;
    let mut add_newline = false;
    for fragment in fragments {
        if how
            .regexp
            .as_ref()
            .is_some_and(|re| !re.is_match(&fragment.name))
            || (how.ignore_hidden && fragment.name.starts_with('.'))
        {
            continue;
        }
        if add_newline {
            out.push(b'\n');
        }
        if !first && let Some(text) = delimiter.as_mut().filter(|d| !d.is_empty()) {
            *text = escape_decode(text)?;
            out.extend_from_slice(text);
            if text.last() != Some(&b'\n') {
                out.push(b'\n');
            }
        }
        add_newline = !fragment.content.ends_with(b"\n");
        out.extend(fragment.content);
        first = false;
    }
    Ok(out)
}

/// Python's `codecs.escape_decode`: `\n`, `\t`, `\\`, `\x41`, `\101`...
/// decoded, an unknown escape kept as written, a backslash-newline removed.
pub(crate) fn escape_decode(text: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let byte = text[i];
        i += 1;
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        let Some(&next) = text.get(i) else {
            return Err("Trailing \\ in string".into());
        };
        i += 1;
        match next {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(next),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'0'..=b'7' => {
                let mut value = u32::from(next - b'0');
                for _ in 0..2 {
                    match text.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((value & 0xff) as u8);
            }
            b'x' => {
                let hex = text
                    .get(i..i + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("invalid \\x escape at position {}", i - 2))?;
                out.push(hex);
                i += 2;
            }
            other => out.extend_from_slice(&[b'\\', other]),
        }
    }
    Ok(out)
}

/// Exit status of [`host_script`] when the directory is missing.
pub(crate) const MISSING: i32 = 3;
/// Exit status of [`host_script`] when the path is not a directory.
pub(crate) const NOT_A_DIRECTORY: i32 = 4;

/// The `sh` that prints every regular file (symlinks followed) of `dir`
/// as `name\0size\0content`.
pub(crate) fn host_script(dir: &str) -> String {
    format!(
        "d={}\n\
         [ -e \"$d\" ] || exit {MISSING}\n\
         [ -d \"$d\" ] || exit {NOT_A_DIRECTORY}\n\
         cd -- \"$d\" || exit 1\n\
         for f in * .*; do\n\
         [ -f \"$f\" ] || continue\n\
         n=$(wc -c < \"$f\") || exit 1\n\
         printf '%s\\0%s\\0' \"$f\" $n && cat -- \"$f\" || exit 1\n\
         done\n",
        shell_quote(dir)
    )
}

/// The fragments [`host_script`] printed.
pub(crate) fn parse_host_listing(mut out: &[u8]) -> Result<Vec<Fragment>, String> {
    let mut fragments = Vec::new();
    while !out.is_empty() {
        let (name, rest) = split_nul(out)?;
        let (size, rest) = split_nul(rest)?;
        let size: usize = String::from_utf8_lossy(size)
            .trim()
            .parse()
            .map_err(|_| "unreadable fragment size".to_string())?;
        let content = rest
            .get(..size)
            .ok_or_else(|| "a fragment changed while it was read".to_string())?;
        fragments.push(Fragment {
            name: String::from_utf8_lossy(name).into_owned(),
            content: content.to_vec(),
        });
        out = &rest[size..];
    }
    Ok(fragments)
}

fn split_nul(bytes: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let at = bytes
        .iter()
        .position(|b| *b == 0)
        .ok_or_else(|| "unreadable fragment listing".to_string())?;
    Ok((&bytes[..at], &bytes[at + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::{Connection, LocalConnection};

    fn fragment(name: &str, content: &str) -> Fragment {
        Fragment {
            name: name.into(),
            content: content.as_bytes().to_vec(),
        }
    }

    #[test]
    fn joins_in_name_order_with_newlines_and_delimiters() {
        let parts = vec![
            fragment("20-b", "b"),
            fragment("10-a", "a\n"),
            fragment(".hidden", "h"),
            fragment("30-c", "c"),
        ];
        let plain = join(parts.clone(), &Joining::default()).expect("joins");
        assert_eq!(plain, b"h\na\nb\nc");
        let how = Joining {
            regexp: Some(Regex::new("^[0-9]").expect("regex")),
            ignore_hidden: true,
            delimiter: Some("# --".into()),
        };
        let joined = join(parts.clone(), &how).expect("joins");
        assert_eq!(joined, b"a\n# --\nb\n# --\nc");
        let hidden_out = Joining {
            ignore_hidden: true,
            delimiter: Some("\\n---\\n".into()),
            ..Joining::default()
        };
        let joined = join(parts, &hidden_out).expect("joins");
        assert_eq!(joined, b"a\n\n---\nb\n\n---\nc");
    }

    #[test]
    fn decodes_python_escapes_and_each_use_decodes_again() {
        assert_eq!(
            escape_decode(b"a\\tb\\x41\\101\\q\\\\").expect("ok"),
            b"a\tbAA\\q\\"
        );
        assert!(escape_decode(b"end\\").is_err());
        assert!(escape_decode(b"\\x4").is_err());
        let parts = vec![
            fragment("1", "a\n"),
            fragment("2", "b\n"),
            fragment("3", "c\n"),
        ];
        let how = Joining {
            delimiter: Some("\\\\t".into()),
            ..Joining::default()
        };
        assert_eq!(join(parts, &how).expect("joins"), b"a\n\\t\nb\n\t\nc\n");
    }

    #[test]
    fn reads_a_host_directory_in_one_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("b"), "two\0bytes").expect("write");
        std::fs::write(dir.path().join(".h"), "").expect("write");
        std::fs::write(dir.path().join("a b\nc"), "one\n").expect("write");
        std::os::unix::fs::symlink(dir.path().join("b"), dir.path().join("link")).expect("link");
        let mut local = LocalConnection::new();
        let path = dir.path().display().to_string();
        let out = local.run(&host_script(&path), None).expect("runs");
        assert_eq!(out.rc, 0, "{}", out.stderr_text());
        let mut found = parse_host_listing(&out.stdout).expect("parses");
        found.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(
            found,
            vec![
                fragment(".h", ""),
                fragment("a b\nc", "one\n"),
                fragment("b", "two\0bytes"),
                fragment("link", "two\0bytes"),
            ]
        );
        let missing = local
            .run(&host_script(&format!("{path}/nope")), None)
            .expect("runs");
        assert_eq!(missing.rc, MISSING);
        let file = local
            .run(&host_script(&format!("{path}/b")), None)
            .expect("runs");
        assert_eq!(file.rc, NOT_A_DIRECTORY);
    }
}
