//! `replace`'s edit as Ansible's module does it: optionally narrow the
//! text to the part between `after` and `before`, then `re.subn` with
//! `re.MULTILINE`, Python's rules for empty matches included.

use super::{Edited, PyTextRegex, Template};

/// `replace`'s arguments, read.
#[derive(Debug, Clone)]
pub(crate) struct ReplaceWant {
    pub regexp: PyTextRegex,
    pub replace: Template,
    /// The `after`/`before` section pattern, already combined (`re.DOTALL`),
    /// with the text of the pattern for Ansible's message.
    pub section: Option<(PyTextRegex, String)>,
}

/// Apply the replacement to `contents`.
pub(crate) fn replace_all(contents: &str, want: &ReplaceWant) -> Edited {
    let (start, end) = match &want.section {
        None => (0, contents.len()),
        Some((section, pattern)) => {
            let found = section
                .regex()
                .captures(contents)
                .and_then(|c| c.name("subsection"));
            match found {
                Some(found) => (found.start(), found.end()),
                None => {
                    return Edited {
                        content: contents.as_bytes().to_vec(),
                        changed: false,
                        msg: format!(
                            "Pattern for before/after params did not match the given file: {pattern}"
                        ),
                    };
                }
            }
        }
    };
    let (replaced, count) = substitute(contents, start, end, want);
    let changed = count > 0 && replaced != contents[start..end];
    let content = if changed {
        [&contents[..start], replaced.as_str(), &contents[end..]].concat()
    } else {
        contents.to_string()
    };
    Edited {
        content: content.into_bytes(),
        changed,
        msg: if changed {
            format!("{count} replacements made")
        } else {
            String::new()
        },
    }
}

/// `re.subn` on `text[start..end]`, matching as Python does on the slice
/// alone: `^`, `$` and `\b` see only the section.
fn substitute(text: &str, start: usize, end: usize, want: &ReplaceWant) -> (String, usize) {
    let section = &text[start..end];
    let regex = want.regexp.regex();
    let mut out = String::with_capacity(section.len());
    let mut count = 0;
    let mut copied = 0;
    let mut at = 0;
    let mut last_empty_at = None;
    while at <= section.len() {
        let Some(captures) = regex.captures_at(section, at) else {
            break;
        };
        let Some(whole) = captures.get(0) else {
            break;
        };
        if whole.is_empty() && last_empty_at == Some(whole.start()) {
            // Python never takes two empty matches at one place: move on a character.
            at = next_char(section, whole.start());
            continue;
        }
        out.push_str(&section[copied..whole.start()]);
        let expanded = want
            .replace
            .expand(|i| captures.get(i).map(|m| m.as_str().as_bytes()));
        out.push_str(&String::from_utf8_lossy(&expanded));
        count += 1;
        copied = whole.end();
        last_empty_at = Some(whole.end());
        at = whole.end();
        if !whole.is_empty() {
            last_empty_at = None;
            // An empty match right after this one is allowed (Python 3.7+).
        }
        if whole.is_empty() {
            last_empty_at = Some(whole.end());
        }
    }
    out.push_str(&section[copied..]);
    (out, count)
}

fn next_char(text: &str, at: usize) -> usize {
    text[at..]
        .chars()
        .next()
        .map_or(text.len() + 1, |c| at + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want(regexp: &str, replace: &str) -> ReplaceWant {
        let regexp = PyTextRegex::multiline(regexp).expect("regexp");
        let replace = Template::parse(replace, &regexp.group_names()).expect("template");
        ReplaceWant {
            regexp,
            replace,
            section: None,
        }
    }

    fn run(contents: &str, want: &ReplaceWant) -> (String, String) {
        let edit = replace_all(contents, want);
        (String::from_utf8(edit.content).expect("utf8"), edit.msg)
    }

    #[test]
    fn replaces_every_match_line_by_line() {
        let (out, msg) = run("a=1\nb=2\n", &want(r"^(\w)=(\d)$", r"\2=\g<1>"));
        assert_eq!(
            (out.as_str(), msg.as_str()),
            ("1=a\n2=b\n", "2 replacements made")
        );
        assert_eq!(run("x\n", &want("y", "z")), ("x\n".into(), String::new()));
        assert_eq!(
            run("same\n", &want("same", "same")).1,
            "",
            "no change, no report"
        );
    }

    #[test]
    fn empty_matches_follow_python() {
        assert_eq!(run("abxd", &want("x*", "-")).0, "-a-b--d-");
        assert_eq!(run("a\nb\n", &want("^", "> ")).0, "> a\n> b\n> ");
    }

    #[test]
    fn after_and_before_narrow_the_section() {
        let mut w = want("x", "y");
        let pattern = "start(?P<subsection>.*?)stop".to_string();
        w.section = Some((PyTextRegex::dotall(&pattern).expect("section"), pattern));
        assert_eq!(run("x start x\nx stop x", &w).0, "x start y\ny stop x");
        let (out, msg) = run("x", &w);
        assert_eq!(out, "x");
        assert!(msg.starts_with("Pattern for before/after params did not match"));
    }

    proptest::proptest! {
        #[test]
        fn replacing_never_panics_and_settles(text in "[a-c\n ]{0,30}", pattern in "[a-c^$*+?.|()]{0,6}") {
            if let Ok(regexp) = PyTextRegex::multiline(&pattern) {
                let replace = Template::parse("c", &regexp.group_names()).expect("literal");
                let want = ReplaceWant { regexp, replace, section: None };
                let _ = replace_all(&text, &want);
            }
            let removal = want("[ab]", "");
            let once = replace_all(&text, &removal);
            let twice = replace_all(std::str::from_utf8(&once.content).expect("utf8"), &removal);
            proptest::prop_assert!(!twice.changed);
        }
    }
}
