//! Python `re` patterns run on Rust's `regex`. Playbooks are written for
//! Python, so the few places where the two syntaxes read the same text
//! differently are translated: `$` before a line's final newline, `\Z`,
//! a `{` that is not a quantifier, `[` and set operators inside a class,
//! `(?#...)` comments. What `regex` cannot do at all (look-around and
//! backreferences) is refused with an error that says so.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::sync::{LazyLock, Mutex, PoisonError};

/// A pattern that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid regular expression {pattern:?}: {problem}")]
pub(crate) struct PyRegexError {
    pub pattern: String,
    pub problem: String,
}

/// How a pattern's `$` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dollar {
    /// Searching one line that may end in `\n`: Python's `$` also matches
    /// just before that newline.
    BeforeFinalNewline,
    /// As `regex` reads it (multi-line patterns, where it already agrees).
    AsIs,
}

/// A Python bytes pattern (`lineinfile`, `blockinfile`): ASCII classes,
/// `.` matches any byte but `\n`.
#[derive(Clone)]
pub(crate) struct PyRegex {
    regex: regex::bytes::Regex,
    multiline: bool,
}

impl fmt::Debug for PyRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PyRegex({:?})", self.regex.as_str())
    }
}

impl PyRegex {
    /// A pattern searched in one line at a time (`re.search(line)`),
    /// compiled once per pattern for the run (a loop over many items or
    /// hosts uses the same few).
    pub(crate) fn for_lines(pattern: &str) -> Result<Self, PyRegexError> {
        static CACHE: Cache<String, PyRegex> = LazyLock::new(Mutex::default);
        cached(&CACHE, pattern.to_string(), || {
            Self::compile_for_lines(pattern)
        })
    }

    fn compile_for_lines(pattern: &str) -> Result<Self, PyRegexError> {
        #[cfg(test)]
        tests::count_compile(pattern);
        let multiline = has_multiline_flag(pattern);
        let dollar = if multiline {
            Dollar::AsIs
        } else {
            Dollar::BeforeFinalNewline
        };
        let translated = translate(pattern, dollar)?;
        let regex = regex::bytes::RegexBuilder::new(&translated)
            .unicode(false)
            .build()
            .or_else(|_| regex::bytes::RegexBuilder::new(&translated).build())
            .map_err(|e| compile_error(pattern, &e))?;
        Ok(Self { regex, multiline })
    }

    /// Whether the pattern sets Python's `re.MULTILINE` (`(?m)`) itself.
    pub(crate) fn is_multiline(&self) -> bool {
        self.multiline
    }

    pub(crate) fn is_match(&self, haystack: &[u8]) -> bool {
        self.regex.is_match(haystack)
    }

    pub(crate) fn find(&self, haystack: &[u8]) -> Option<std::ops::Range<usize>> {
        self.regex.find(haystack).map(|m| m.range())
    }

    pub(crate) fn captures<'h>(&self, haystack: &'h [u8]) -> Option<regex::bytes::Captures<'h>> {
        self.regex.captures(haystack)
    }

    pub(crate) fn group_names(&self) -> GroupNames {
        GroupNames::from_iter(self.regex.capture_names())
    }
}

/// A Python text pattern (`replace`): Unicode classes, `re.MULTILINE`.
#[derive(Debug, Clone)]
pub(crate) struct PyTextRegex {
    regex: regex::Regex,
}

impl PyTextRegex {
    /// `re.compile(pattern, re.MULTILINE)`.
    pub(crate) fn multiline(pattern: &str) -> Result<Self, PyRegexError> {
        Self::build(pattern, "(?m)")
    }

    /// `re.compile(pattern, re.DOTALL)`.
    pub(crate) fn dotall(pattern: &str) -> Result<Self, PyRegexError> {
        Self::build(pattern, "(?s)")
    }

    fn build(pattern: &str, flags: &'static str) -> Result<Self, PyRegexError> {
        static CACHE: Cache<(&'static str, String), PyTextRegex> = LazyLock::new(Mutex::default);
        cached(&CACHE, (flags, pattern.to_string()), || {
            Self::compile(pattern, flags)
        })
    }

    fn compile(pattern: &str, flags: &str) -> Result<Self, PyRegexError> {
        #[cfg(test)]
        tests::count_compile(pattern);
        let translated = format!("{flags}{}", translate(pattern, Dollar::AsIs)?);
        regex::Regex::new(&translated)
            .map(|regex| Self { regex })
            .map_err(|e| compile_error(pattern, &e))
    }

    pub(crate) fn regex(&self) -> &regex::Regex {
        &self.regex
    }

    pub(crate) fn group_names(&self) -> GroupNames {
        GroupNames::from_iter(self.regex.capture_names())
    }
}

/// Compiled patterns (and the errors of bad ones) by pattern.
type Cache<K, V> = LazyLock<Mutex<HashMap<K, Result<V, PyRegexError>>>>;

/// Patterns kept at once; past that the cache starts again.
const CACHE_LIMIT: usize = 512;

fn cached<K: Hash + Eq, V: Clone>(
    cache: &Cache<K, V>,
    key: K,
    compile: impl FnOnce() -> Result<V, PyRegexError>,
) -> Result<V, PyRegexError> {
    // A poisoned cache still holds whole entries: each is one insertion.
    if let Some(found) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return found.clone();
    }
    let compiled = compile();
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(key, compiled.clone());
    compiled
}

/// The groups of a pattern, to check a replacement's references.
#[derive(Debug, Clone, Default)]
pub(crate) struct GroupNames {
    /// Index 0 is the whole match.
    names: Vec<Option<String>>,
}

impl<'a> FromIterator<Option<&'a str>> for GroupNames {
    fn from_iter<I: IntoIterator<Item = Option<&'a str>>>(names: I) -> Self {
        Self {
            names: names.into_iter().map(|n| n.map(str::to_string)).collect(),
        }
    }
}

impl GroupNames {
    /// How many groups, the whole match included.
    pub(crate) fn count(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.as_deref() == Some(name))
    }
}

fn compile_error(pattern: &str, error: &regex::Error) -> PyRegexError {
    let unsupported = ["(?=", "(?!", "(?<=", "(?<!"];
    let problem = if unsupported.iter().any(|s| pattern.contains(s)) {
        "look-ahead and look-behind are not supported by runbook's regular expressions".into()
    } else {
        error.to_string()
    };
    PyRegexError {
        pattern: pattern.to_string(),
        problem,
    }
}

/// Python allows global flags only at the very start: `(?im)...`.
fn has_multiline_flag(pattern: &str) -> bool {
    let Some(rest) = pattern.strip_prefix("(?") else {
        return false;
    };
    let flags: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
    rest[flags.len()..].starts_with(')') && flags.contains('m')
}

/// Rewrite a Python pattern in `regex`'s syntax.
fn translate(pattern: &str, dollar: Dollar) -> Result<String, PyRegexError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        at += 1;
        match c {
            '\\' => {
                let Some(&next) = chars.get(at) else {
                    return Err(error(pattern, "bad escape (end of pattern)"));
                };
                at += 1;
                match next {
                    'Z' => out.push_str("\\z"),
                    '1'..='9' => return Err(error(pattern, "backreferences are not supported")),
                    _ => {
                        out.push('\\');
                        out.push(next);
                    }
                }
            }
            '[' => at = translate_class(&chars, at, &mut out, pattern)?,
            '{' => match quantifier(&chars[at..]) {
                Some((text, used)) => {
                    out.push_str(&text);
                    at += used;
                }
                None => out.push_str("\\{"),
            },
            '}' => out.push_str("\\}"),
            '$' if dollar == Dollar::BeforeFinalNewline => out.push_str("(?m:$)"),
            '(' if chars[at..].starts_with(&['?', '#']) => {
                let close = chars[at..]
                    .iter()
                    .position(|c| *c == ')')
                    .ok_or_else(|| error(pattern, "missing ), unterminated comment"))?;
                at += close + 1;
            }
            '(' if chars[at..].starts_with(&['?', 'P', '=']) => {
                return Err(error(pattern, "backreferences are not supported"));
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// A character class from just after its `[`; returns where it ends.
fn translate_class(
    chars: &[char],
    mut at: usize,
    out: &mut String,
    pattern: &str,
) -> Result<usize, PyRegexError> {
    out.push('[');
    if chars.get(at) == Some(&'^') {
        out.push('^');
        at += 1;
    }
    let mut first = true;
    while let Some(&c) = chars.get(at) {
        at += 1;
        match c {
            ']' if !first => {
                out.push(']');
                return Ok(at);
            }
            '\\' => {
                let next = chars
                    .get(at)
                    .ok_or_else(|| error(pattern, "bad escape (end of pattern)"))?;
                at += 1;
                out.push('\\');
                out.push(*next);
            }
            '[' | ']' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '-' if chars.get(at) == Some(&'-') => out.push_str("\\-"),
            _ => out.push(c),
        }
        first = false;
    }
    Err(error(pattern, "unterminated character set"))
}

/// A `{m,n}` quantifier after its `{`, as `regex` writes it, and how many
/// characters it used; `None` when Python would read the `{` literally.
fn quantifier(chars: &[char]) -> Option<(String, usize)> {
    let close = chars.iter().position(|c| *c == '}')?;
    let body: String = chars[..close].iter().collect();
    let (low, high) = match body.split_once(',') {
        Some((low, high)) => (low, Some(high)),
        None => (body.as_str(), None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !digits(low) || !high.is_none_or(digits) || (low.is_empty() && high.is_none()) {
        return None;
    }
    let low = if low.is_empty() { "0" } else { low };
    let text = match high {
        Some(high) => format!("{{{low},{high}}}"),
        None => format!("{{{low}}}"),
    };
    Some((text, close + 1))
}

fn error(pattern: &str, problem: &str) -> PyRegexError {
    PyRegexError {
        pattern: pattern.to_string(),
        problem: problem.to_string(),
    }
}

#[cfg(test)]
mod tests {
    static COMPILES: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);

    pub(super) fn count_compile(pattern: &str) {
        let mut compiles = COMPILES.lock().unwrap_or_else(PoisonError::into_inner);
        *compiles
            .get_or_insert_with(HashMap::new)
            .entry(pattern.to_string())
            .or_default() += 1;
    }

    fn compiles_of(pattern: &str) -> usize {
        let compiles = COMPILES.lock().unwrap_or_else(PoisonError::into_inner);
        compiles
            .as_ref()
            .and_then(|c| c.get(pattern).copied())
            .unwrap_or(0)
    }

    #[test]
    fn each_pattern_is_compiled_once_however_often_it_is_used() {
        for _ in 0..1000 {
            assert!(PyRegex::for_lines("^cached line (\\d+)$").is_ok());
            assert!(PyTextRegex::multiline("^cached text$").is_ok());
            assert!(PyRegex::for_lines("cached (?<=bad)").is_err());
        }
        assert_eq!(compiles_of("^cached line (\\d+)$"), 1);
        assert_eq!(compiles_of("^cached text$"), 1);
        assert_eq!(compiles_of("cached (?<=bad)"), 1);
        let line = PyRegex::for_lines("^cached line (\\d+)$").expect("regex");
        assert!(line.is_match(b"cached line 42\n"));
    }

    use super::*;

    fn line_match(pattern: &str, line: &[u8]) -> bool {
        PyRegex::for_lines(pattern)
            .expect("compiles")
            .is_match(line)
    }

    #[test]
    fn dollar_matches_before_the_final_newline_as_in_python() {
        assert!(line_match("^foo$", b"foo\n"));
        assert!(line_match("^foo$", b"foo"));
        assert!(!line_match("^foo$", b"foo\r\n"));
        assert!(!line_match("^$", b"foo\n"));
        assert!(line_match("^$", b"\n"));
    }

    #[test]
    fn python_literals_that_regex_would_reject() {
        assert!(line_match("\\${HOME}/bin", b"PATH=${HOME}/bin\n"));
        assert!(
            !line_match("${HOME}", b"${HOME}"),
            "`$` is an anchor in Python too"
        );
        assert!(line_match("a{,2}b", b"aab"));
        assert!(line_match("x{2}", b"xx"));
        assert!(line_match("[[]x]", b"[x]"));
        assert!(line_match("[a&&b]", b"&"));
        assert!(line_match("[]a]", b"]"));
        assert!(line_match("end\\Z", b"the end"));
        assert!(line_match("a(?#note)b", b"ab"));
    }

    #[test]
    fn bytes_patterns_have_ascii_classes_and_any_byte_dots() {
        assert!(line_match("^caf.$", b"caf\xff\n"));
        assert!(!line_match("^\\w+$", "café".as_bytes()));
        assert!(line_match("café", "un café".as_bytes()));
    }

    #[test]
    fn unsupported_syntax_is_named() {
        let error = PyRegex::for_lines("^(?!#)foo").expect_err("look-ahead");
        assert!(error.to_string().contains("look-ahead"), "{error}");
        let error = PyRegex::for_lines("(a)\\1").expect_err("backreference");
        assert!(error.to_string().contains("backreferences"), "{error}");
        assert!(PyRegex::for_lines("(").is_err());
    }

    #[test]
    fn multiline_flag_is_recognised_only_at_the_start() {
        assert!(PyRegex::for_lines("(?m)^x").expect("ok").is_multiline());
        assert!(PyRegex::for_lines("(?im)^x").expect("ok").is_multiline());
        assert!(!PyRegex::for_lines("^x(?m)").is_ok_and(|r| r.is_multiline()));
    }

    proptest::proptest! {
        #[test]
        fn translating_any_pattern_never_panics(pattern in "\\PC{0,24}") {
            let _ = PyRegex::for_lines(&pattern);
            let _ = PyTextRegex::multiline(&pattern);
        }

        #[test]
        fn escaped_text_matches_itself(text in "\\PC{0,24}") {
            let regex = PyRegex::for_lines(&regex::escape(&text)).expect("escaped text compiles");
            proptest::prop_assert!(regex.is_match(text.as_bytes()));
        }
    }
}
