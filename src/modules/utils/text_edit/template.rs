//! Python's replacement templates (`re.sub`'s `repl`, `match.expand`):
//! `\1`, `\g<1>`, `\g<name>`, the escapes `\n` `\t` `\\`..., and a
//! backslash before anything else kept as it is. `$` means nothing here,
//! unlike in `regex`'s own replacement syntax.

use super::pyre::GroupNames;

/// A replacement that cannot be used with its pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid replacement {template:?}: {problem}")]
pub(crate) struct TemplateError {
    pub template: String,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(Vec<u8>),
    Group(usize),
}

/// A parsed template, checked against the groups of its pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    pieces: Vec<Piece>,
}

impl Template {
    pub(crate) fn parse(template: &str, groups: &GroupNames) -> Result<Self, TemplateError> {
        let fail = |problem: String| TemplateError {
            template: template.to_string(),
            problem,
        };
        let bytes = template.as_bytes();
        let mut pieces = Vec::new();
        let mut literal = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let byte = bytes[at];
            at += 1;
            if byte != b'\\' {
                literal.push(byte);
                continue;
            }
            let Some(&next) = bytes.get(at) else {
                return Err(fail("bad escape (end of pattern)".into()));
            };
            at += 1;
            let group = match next {
                b'g' => {
                    let (name, used) = group_name(&bytes[at..])
                        .ok_or_else(|| fail("missing group name in \\g<...>".into()))?;
                    at += used;
                    Some(
                        group_index(&name, groups)
                            .ok_or_else(|| group_problem(&name))
                            .map_err(fail)?,
                    )
                }
                b'0' => {
                    let (value, used) = octal(&bytes[at..], 2);
                    at += used;
                    literal.push(value);
                    None
                }
                b'1'..=b'9' => {
                    let digits = octal(&bytes[at - 1..], 3);
                    if digits.1 == 3 && bytes[at - 1] <= b'3' {
                        at += 2;
                        literal.push(digits.0);
                        None
                    } else {
                        let mut number = usize::from(next - b'0');
                        if let Some(second) = bytes.get(at).filter(|b| b.is_ascii_digit()) {
                            number = number * 10 + usize::from(second - b'0');
                            at += 1;
                        }
                        if number >= groups.count() {
                            return Err(fail(format!("invalid group reference {number}")));
                        }
                        Some(number)
                    }
                }
                b'a' => push(&mut literal, 0x07),
                b'b' => push(&mut literal, 0x08),
                b'f' => push(&mut literal, 0x0c),
                b'n' => push(&mut literal, b'\n'),
                b'r' => push(&mut literal, b'\r'),
                b't' => push(&mut literal, b'\t'),
                b'v' => push(&mut literal, 0x0b),
                b'\\' => push(&mut literal, b'\\'),
                letter if letter.is_ascii_alphabetic() => {
                    return Err(fail(format!("bad escape \\{}", char::from(letter))));
                }
                other => {
                    literal.extend_from_slice(&[b'\\', other]);
                    None
                }
            };
            if let Some(group) = group {
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Group(group));
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Ok(Self { pieces })
    }

    /// The text, with each group's match (a group that took no part in the
    /// match gives nothing, as in Python 3.5+).
    pub(crate) fn expand<'a>(&self, group: impl Fn(usize) -> Option<&'a [u8]>) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(bytes) => out.extend_from_slice(bytes),
                Piece::Group(index) => out.extend_from_slice(group(*index).unwrap_or_default()),
            }
        }
        out
    }
}

fn push(literal: &mut Vec<u8>, byte: u8) -> Option<usize> {
    literal.push(byte);
    None
}

/// `<name>` after `\g`, and how many bytes it took.
fn group_name(rest: &[u8]) -> Option<(String, usize)> {
    let body = rest.strip_prefix(b"<")?;
    let close = body.iter().position(|b| *b == b'>')?;
    let name = std::str::from_utf8(&body[..close]).ok()?;
    (!name.is_empty()).then(|| (name.to_string(), close + 2))
}

fn group_index(name: &str, groups: &GroupNames) -> Option<usize> {
    match name.parse::<usize>() {
        Ok(number) => (number < groups.count()).then_some(number),
        Err(_) => groups.index_of(name),
    }
}

fn group_problem(name: &str) -> String {
    if name.parse::<usize>().is_ok() {
        format!("invalid group reference {name}")
    } else {
        format!("unknown group name '{name}'")
    }
}

/// Up to `max` octal digits from the start of `digits`: the byte they make
/// (wrapping as Python's `\0oo` cannot exceed 0o77) and how many were read.
fn octal(digits: &[u8], max: usize) -> (u8, usize) {
    let used = digits
        .iter()
        .take(max)
        .take_while(|b| (b'0'..=b'7').contains(b))
        .count();
    let value = digits[..used]
        .iter()
        .fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0'));
    (u8::try_from(value & 0xff).unwrap_or_default(), used)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modules::utils::text_edit::PyRegex;

    fn expand(pattern: &str, template: &str, line: &str) -> Result<String, TemplateError> {
        let regex = PyRegex::for_lines(pattern).expect("pattern");
        let template = Template::parse(template, &regex.group_names())?;
        let captures = regex.captures(line.as_bytes()).expect("matches");
        let out = template.expand(|i| captures.get(i).map(|m| m.as_bytes()));
        Ok(String::from_utf8(out).expect("utf8"))
    }

    #[test]
    fn group_references_in_every_spelling() {
        assert_eq!(expand("(a)(b)", r"\2\1", "ab").as_deref(), Ok("ba"));
        assert_eq!(
            expand("(a)(b)", r"\g<2>-\g<0>", "ab").as_deref(),
            Ok("b-ab")
        );
        assert_eq!(expand("(?P<x>a)", r"[\g<x>]", "a").as_deref(), Ok("[a]"));
        assert_eq!(expand("(a)|(b)", r"<\2>", "a").as_deref(), Ok("<>"));
        assert!(expand("(a)", r"\10", "a").is_err());
    }

    #[test]
    fn escapes_as_python_reads_them() {
        assert_eq!(expand("a", r"x\ty\nz", "a").as_deref(), Ok("x\ty\nz"));
        assert_eq!(expand("a", r"\.\\", "a").as_deref(), Ok("\\.\\"));
        assert_eq!(expand("a", "$1 $0", "a").as_deref(), Ok("$1 $0"));
        assert!(expand("a", r"\q", "a").is_err());
        assert!(expand("a", r"\g<nope>", "a").is_err());
        assert!(expand("a", "\\", "a").is_err());
    }

    proptest::proptest! {
        #[test]
        fn parsing_any_template_never_panics(template in "\\PC{0,24}") {
            let regex = PyRegex::for_lines("(a)(?P<n>b)").expect("pattern");
            if let Ok(parsed) = Template::parse(&template, &regex.group_names()) {
                let _ = parsed.expand(|_| Some(b"x".as_slice()));
            }
        }

        #[test]
        fn text_without_backslashes_is_literal(template in "[^\\\\]{0,24}") {
            let parsed = Template::parse(&template, &GroupNames::default()).expect("literal");
            proptest::prop_assert_eq!(parsed.expand(|_| None), template.into_bytes());
        }
    }
}
