//! Small file content carried inside a command's script, as one quoted
//! shell word assigned to a variable, instead of as the command's input.
//!
//! Input costs the host processes of its own (decoding the base64
//! here-document, checking its `cksum`, removing the staging file, the
//! `cat` that reads it); a script's word costs none: `printf '%s'` is a
//! builtin. It is as safe against a broken connection as the script is: a
//! script cut anywhere inside the word is an unterminated quote, which the
//! host's `sh` refuses to run.
//!
//! The variable's name carries a token drawn once per run, so that
//! [`hidden`] can replace the content by its length wherever a script is
//! shown (`-vvv`): content is no more visible there than input is.

use std::borrow::Cow;
use std::sync::OnceLock;

/// Largest content sent inside a script; larger content goes as input.
pub const MAX_INLINE: usize = 64 * 1024;

fn prefix() -> &'static str {
    static PREFIX: OnceLock<String> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let mut bytes = [0u8; 8];
        rand::fill(&mut bytes);
        format!("__runbook_data_{}_", hex::encode(bytes))
    })
}

/// The name of the variable [`assignment`] sets for `name`.
pub fn variable(name: &str) -> String {
    format!("{}{name}", prefix())
}

/// `sh` that sets [`variable`]`(name)` to `content`, or `None` when the
/// content cannot be a shell word (a NUL byte, not UTF-8) or is larger
/// than [`MAX_INLINE`].
pub fn assignment(name: &str, content: &[u8]) -> Option<String> {
    if content.len() > MAX_INLINE || content.contains(&0) {
        return None;
    }
    let text = std::str::from_utf8(content).ok()?;
    Some(format!(
        "{}='{}'",
        variable(name),
        text.replace('\'', r"'\''")
    ))
}

/// `script` with the content of every [`assignment`] replaced by its
/// length, for showing the script.
pub fn hidden(script: &str) -> Cow<'_, str> {
    let prefix = prefix();
    if !script.contains(prefix) {
        return Cow::Borrowed(script);
    }
    let mut shown = String::with_capacity(script.len().min(4096));
    let mut rest = script;
    while let Some(at) = rest.find(prefix) {
        let after_prefix = &rest[at + prefix.len()..];
        let name = after_prefix
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after_prefix.len());
        // A use of the variable (`"$name"`), not its assignment.
        if !after_prefix[name..].starts_with("='") {
            let through = at + prefix.len() + name;
            shown.push_str(&rest[..through]);
            rest = &rest[through..];
            continue;
        }
        let value_start = at + prefix.len() + name + 2;
        shown.push_str(&rest[..value_start - 1]);
        let (length, end) = quoted_word_end(&rest[value_start..]);
        shown.push_str(&format!("<{length} bytes not shown>"));
        rest = &rest[value_start + end..];
    }
    shown.push_str(rest);
    Cow::Owned(shown)
}

/// In `text` (just after an opening `'`), the length of the value the
/// quoted word holds and where the word ends (after its closing `'`).
fn quoted_word_end(text: &str) -> (usize, usize) {
    let mut length = 0;
    let mut at = 0;
    loop {
        match text[at..].find('\'') {
            None => return (length + text.len() - at, text.len()),
            Some(quote) => {
                length += quote;
                at += quote;
                if text[at..].starts_with(r"'\''") {
                    length += 1;
                    at += 4;
                } else {
                    return (length, at + 1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<u8> {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .output()
            .expect("sh")
            .stdout
    }

    #[test]
    fn the_content_comes_back_byte_for_byte() {
        let content = "it's a 'quoted' \\ line\n$HOME `x` \"y\"\n\nno final newline ''".as_bytes();
        let set = assignment("c", content).expect("inline");
        let printed = sh(&format!("{set}\nprintf '%s' \"${}\"", variable("c")));
        assert_eq!(printed, content);
    }

    #[test]
    fn what_cannot_be_a_word_is_refused() {
        assert!(assignment("c", b"a\0b").is_none());
        assert!(assignment("c", &[0xff, 0xfe]).is_none());
        assert!(assignment("c", &vec![b'x'; MAX_INLINE + 1]).is_none());
        assert!(assignment("c", &vec![b'x'; MAX_INLINE]).is_some());
    }

    #[test]
    fn shown_scripts_hide_the_content_only() {
        let set = assignment("c", b"secret 'one'\n").expect("inline");
        let other = assignment("d", b"").expect("inline");
        let script = format!("p=/x\n{set}\n{other}\nprintf '%s' \"${}\"", variable("c"));
        let shown = hidden(&script);
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("<13 bytes not shown>"), "{shown}");
        assert!(shown.contains("<0 bytes not shown>"), "{shown}");
        assert!(shown.starts_with("p=/x\n"), "{shown}");
        assert!(shown.ends_with(&format!("printf '%s' \"${}\"", variable("c"))));
        assert_eq!(hidden("p=/x"), "p=/x");
    }
}
