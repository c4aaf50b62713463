//! `lineinfile`'s edit, step for step as Ansible's module does it, quirks
//! included (a matched CRLF line is rewritten with `\n`, `backrefs` with no
//! match leaves the file alone, `firstmatch` stops the exact-line search).

use super::{Edited, PyRegex, Template, read_lines, strip_eol};

/// Where a new line goes when nothing matches.
#[derive(Debug, Clone)]
pub(crate) enum Anchor {
    Bof,
    Eof,
    After(PyRegex),
    Before(PyRegex),
}

/// How a line is found: a regular expression or a plain substring.
#[derive(Debug, Clone)]
pub(crate) enum Finder {
    Regex(PyRegex),
    Substring(String),
}

/// `lineinfile` with `state: present`.
#[derive(Debug, Clone)]
pub(crate) struct LineWant {
    pub line: String,
    pub finder: Option<Finder>,
    pub anchor: Anchor,
    /// With `backrefs`, the line is a template over the regexp's groups.
    pub backrefs: Option<Template>,
    pub firstmatch: bool,
}

/// `lineinfile` with `state: absent`.
#[derive(Debug, Clone)]
pub(crate) struct LineRemoval {
    pub line: Option<String>,
    pub finder: Option<Finder>,
}

/// Where the regexp (or exact line) matched, and where the anchor did.
struct Found<'a> {
    line: Option<usize>,
    regex_match: Option<regex::bytes::Captures<'a>>,
    finder_matched: bool,
    anchor: Option<usize>,
}

/// Ensure the line is present (Ansible's `present()`).
pub(crate) fn set_line(content: &[u8], want: &LineWant) -> Edited {
    let lines = read_lines(content);
    let found = find(&lines, want);
    let new_line = want.line.as_bytes();
    let mut lines = lines.clone();
    let mut msg = "";
    if let Some(index) = found.line {
        let mut replacement = match (&want.backrefs, &found.regex_match) {
            (Some(template), Some(captures)) => {
                template.expand(|i| captures.get(i).map(|m| m.as_bytes()))
            }
            _ => new_line.to_vec(),
        };
        if !replacement.ends_with(b"\n") {
            replacement.push(b'\n');
        }
        if lines[index] != replacement {
            lines[index] = replacement;
            msg = "line replaced";
        }
    } else if want.backrefs.is_some() {
        // Without a match there are no groups to build the line from.
    } else if matches!(want.anchor, Anchor::Bof) {
        lines.insert(0, with_newline(new_line));
        msg = "line added";
    } else if matches!(want.anchor, Anchor::Eof) || found.anchor.is_none() {
        if lines.last().is_some_and(|last| !ends_line(last)) {
            lines.push(b"\n".to_vec());
        }
        lines.push(with_newline(new_line));
        msg = "line added";
    } else if let (Anchor::After(_), Some(at)) = (&want.anchor, found.anchor) {
        if at == lines.len() {
            if strip_eol(&lines[at - 1]) != new_line {
                lines.push(with_newline(new_line));
                msg = "line added";
            }
        } else if strip_eol(&lines[at]) != new_line {
            lines.insert(at, with_newline(new_line));
            msg = "line added";
        }
    } else if let Some(at) = found.anchor {
        lines.insert(at, with_newline(new_line));
        msg = "line added";
    }
    Edited {
        content: lines.concat(),
        changed: !msg.is_empty(),
        msg: msg.to_string(),
    }
}

fn find<'a>(lines: &'a [Vec<u8>], want: &LineWant) -> Found<'a> {
    let mut found = Found {
        line: None,
        regex_match: None,
        finder_matched: false,
        anchor: None,
    };
    match &want.finder {
        Some(Finder::Regex(regex)) => {
            for (index, line) in lines.iter().enumerate() {
                if let Some(captures) = regex.captures(line) {
                    found.line = Some(index);
                    found.regex_match = Some(captures);
                    found.finder_matched = true;
                    if want.firstmatch {
                        break;
                    }
                }
            }
        }
        Some(Finder::Substring(needle)) => {
            for (index, line) in lines.iter().enumerate() {
                if contains(line, needle.as_bytes()) {
                    found.line = Some(index);
                    found.finder_matched = true;
                    if want.firstmatch {
                        break;
                    }
                }
            }
        }
        None => {}
    }
    if found.finder_matched {
        return found;
    }
    let anchor_regex = match &want.anchor {
        Anchor::After(regex) | Anchor::Before(regex) => Some(regex),
        Anchor::Bof | Anchor::Eof => None,
    };
    for (index, line) in lines.iter().enumerate() {
        if strip_eol(line) == want.line.as_bytes() {
            found.line = Some(index);
        } else if let Some(regex) = anchor_regex
            && regex.is_match(line)
        {
            found.anchor = Some(match want.anchor {
                Anchor::After(_) => index + 1,
                _ => index,
            });
            if want.firstmatch {
                break;
            }
        }
    }
    found
}

/// Remove every matching line (Ansible's `absent()`); also returns how
/// many were found.
pub(crate) fn remove_lines(content: &[u8], want: &LineRemoval) -> (Edited, usize) {
    let lines = read_lines(content);
    let before = lines.len();
    let kept: Vec<Vec<u8>> = lines
        .into_iter()
        .filter(|line| !removal_matches(line, want))
        .collect();
    let found = before - kept.len();
    let edit = Edited {
        content: kept.concat(),
        changed: found > 0,
        msg: if found > 0 {
            format!("{found} line(s) removed")
        } else {
            String::new()
        },
    };
    (edit, found)
}

fn removal_matches(line: &[u8], want: &LineRemoval) -> bool {
    match (&want.finder, &want.line) {
        (Some(Finder::Regex(regex)), _) => regex.is_match(line),
        (Some(Finder::Substring(needle)), _) => contains(line, needle.as_bytes()),
        (None, Some(wanted)) => strip_eol(line) == wanted.as_bytes(),
        (None, None) => false,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

fn ends_line(line: &[u8]) -> bool {
    matches!(line.last(), Some(b'\n' | b'\r'))
}

fn with_newline(line: &[u8]) -> Vec<u8> {
    let mut out = line.to_vec();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex(pattern: &str) -> PyRegex {
        PyRegex::for_lines(pattern).expect("pattern")
    }

    fn present(line: &str) -> LineWant {
        LineWant {
            line: line.into(),
            finder: None,
            anchor: Anchor::Eof,
            backrefs: None,
            firstmatch: false,
        }
    }

    fn run(content: &str, want: &LineWant) -> (String, String) {
        let edit = set_line(content.as_bytes(), want);
        assert_eq!(edit.changed, !edit.msg.is_empty());
        (String::from_utf8(edit.content).expect("utf8"), edit.msg)
    }

    #[test]
    fn appends_a_missing_line_and_then_leaves_it() {
        assert_eq!(
            run("a\nb", &present("c")),
            ("a\nb\nc\n".into(), "line added".into())
        );
        assert_eq!(
            run("a\nc\n", &present("c")),
            ("a\nc\n".into(), String::new())
        );
        assert_eq!(run("", &present("c")), ("c\n".into(), "line added".into()));
    }

    #[test]
    fn regexp_replaces_the_last_match_or_the_first_with_firstmatch() {
        let mut want = present("port=2");
        want.finder = Some(Finder::Regex(regex("^port=")));
        assert_eq!(run("port=1\nx\nport=3\n", &want).0, "port=1\nx\nport=2\n");
        want.firstmatch = true;
        assert_eq!(run("port=1\nx\nport=3\n", &want).0, "port=2\nx\nport=3\n");
        assert_eq!(run("port=1\n", &want).1, "line replaced");
    }

    #[test]
    fn an_exact_crlf_line_is_rewritten_with_lf_as_ansible_does() {
        assert_eq!(
            run("a\r\nb\r\n", &present("a")),
            ("a\nb\r\n".into(), "line replaced".into())
        );
    }

    #[test]
    fn insertafter_uses_the_last_match_unless_firstmatch() {
        let mut want = present("new");
        want.anchor = Anchor::After(regex("^#"));
        assert_eq!(run("#1\nx\n#2\ny\n", &want).0, "#1\nx\n#2\nnew\ny\n");
        want.firstmatch = true;
        assert_eq!(run("#1\nx\n#2\ny\n", &want).0, "#1\nnew\nx\n#2\ny\n");
        want.firstmatch = false;
        assert_eq!(run("x\n#1", &want).0, "x\n#1new\n", "Ansible glues it on");
        assert_eq!(run("x\n", &want).0, "x\nnew\n", "no anchor: end of file");
    }

    #[test]
    fn insertbefore_and_bof() {
        let mut want = present("new");
        want.anchor = Anchor::Before(regex("^b"));
        assert_eq!(run("a\nb\n", &want).0, "a\nnew\nb\n");
        want.anchor = Anchor::Bof;
        assert_eq!(run("a\n", &want).0, "new\na\n");
        assert_eq!(run("new\na\n", &want).1, "", "present anywhere: ok");
    }

    #[test]
    fn backrefs_expand_groups_and_without_a_match_change_nothing() {
        let pattern = regex("^(\\w+)=(.*)$");
        let template = Template::parse("\\1: \\2", &pattern.group_names()).expect("template");
        let want = LineWant {
            line: "\\1: \\2".into(),
            finder: Some(Finder::Regex(pattern)),
            anchor: Anchor::Eof,
            backrefs: Some(template),
            firstmatch: false,
        };
        assert_eq!(run("key=value\n", &want).0, "key: value\n");
        assert_eq!(
            run("nothing here\n", &want),
            ("nothing here\n".into(), String::new())
        );
    }

    #[test]
    fn absent_removes_every_matching_line() {
        let want = LineRemoval {
            line: None,
            finder: Some(Finder::Regex(regex("^#"))),
        };
        let (edit, found) = remove_lines(b"#a\nb\n#c\r\n#d", &want);
        assert_eq!((edit.content.as_slice(), found), (b"b\n".as_slice(), 3));
        assert_eq!(edit.msg, "3 line(s) removed");
        let exact = LineRemoval {
            line: Some("b".into()),
            finder: None,
        };
        assert_eq!(remove_lines(b"b\r\nbb\n", &exact).1, 1);
    }

    proptest::proptest! {
        #[test]
        // Ansible itself is not idempotent on a last line without a newline
        // (`insertafter` glues the new line onto it), so every line ends here.
        fn adding_a_line_is_idempotent(
            content in "([a-c#=]{0,4}(\n|\r\n)){0,6}",
            line in "[a-c#=]{1,4}",
            anchor in 0..4usize,
            firstmatch: bool,
        ) {
            let mut want = present(&line);
            want.firstmatch = firstmatch;
            want.anchor = match anchor {
                0 => Anchor::Eof,
                1 => Anchor::Bof,
                2 => Anchor::After(regex("^#")),
                _ => Anchor::Before(regex("=")),
            };
            let once = set_line(content.as_bytes(), &want);
            let twice = set_line(&once.content, &want);
            proptest::prop_assert_eq!(&twice.content, &once.content);
            proptest::prop_assert!(!twice.changed);
        }

        #[test]
        fn removing_leaves_no_match(content in "([a-c#]{0,4}\n?){0,6}") {
            let want = LineRemoval { line: None, finder: Some(Finder::Regex(regex("^#"))) };
            let (once, _) = remove_lines(content.as_bytes(), &want);
            let (twice, found) = remove_lines(&once.content, &want);
            proptest::prop_assert_eq!(found, 0);
            proptest::prop_assert_eq!(twice.content, once.content);
        }
    }
}
