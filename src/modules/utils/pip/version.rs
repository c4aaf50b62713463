//! PEP 440 versions, ordered as pip orders them, so `pip` can tell whether
//! an installed version satisfies `>=1.2` without asking the host's Python.
//! Covers the forms seen in practice: epochs, releases, `a`/`b`/`rc`
//! pre-releases, post and dev releases and local labels, with PEP 440's
//! normalisation (`1.0-RC1` is `1.0rc1`, `v1.0` is `1.0`).

use std::cmp::Ordering;
use std::fmt;

/// A parsed version. Equality and order are PEP 440's: `1.0 == 1.0.0`.
#[derive(Debug, Clone)]
pub(crate) struct Version {
    epoch: u64,
    release: Vec<u64>,
    pre: Option<(PreKind, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Option<Vec<LocalPart>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PreKind {
    Alpha,
    Beta,
    Candidate,
}

/// A local label part: text sorts before numbers, as in `packaging`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalPart {
    Text(String),
    Number(u64),
}

/// Where the pre-release part puts a version among its release's versions:
/// `1.0.dev1 < 1.0a1 < 1.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PreRank {
    DevOnly,
    Pre(PreKind, u64),
    Final,
}

/// Dev releases sort before the version they lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum DevRank {
    Dev(u64),
    None,
}

impl Version {
    /// Parse a version, or `None` when it is not PEP 440 (`2.x`, `latest`).
    pub(crate) fn parse(text: &str) -> Option<Version> {
        Parser::new(text).version()
    }

    /// The release numbers (`1.2.3` → `[1, 2, 3]`).
    pub(crate) fn release(&self) -> &[u64] {
        &self.release
    }

    pub(crate) fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    pub(crate) fn is_postrelease(&self) -> bool {
        self.post.is_some()
    }

    pub(crate) fn has_local(&self) -> bool {
        self.local.is_some()
    }

    /// The same version without its local label (`1.0+cpu` → `1.0`).
    pub(crate) fn public(&self) -> Version {
        Version {
            local: None,
            ..self.clone()
        }
    }

    /// The same release without pre, post, dev or local parts.
    pub(crate) fn base(&self) -> Version {
        Version {
            epoch: self.epoch,
            release: self.release.clone(),
            pre: None,
            post: None,
            dev: None,
            local: None,
        }
    }

    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }

    fn trimmed_release(&self) -> &[u64] {
        let end = self
            .release
            .iter()
            .rposition(|n| *n != 0)
            .map_or(0, |i| i + 1);
        &self.release[..end]
    }

    fn pre_rank(&self) -> PreRank {
        match (self.pre, self.post, self.dev) {
            (None, None, Some(_)) => PreRank::DevOnly,
            (Some((kind, n)), _, _) => PreRank::Pre(kind, n),
            (None, _, _) => PreRank::Final,
        }
    }

    fn dev_rank(&self) -> DevRank {
        self.dev.map_or(DevRank::None, DevRank::Dev)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.trimmed_release().cmp(other.trimmed_release()))
            .then_with(|| self.pre_rank().cmp(&other.pre_rank()))
            .then_with(|| self.post.cmp(&other.post))
            .then_with(|| self.dev_rank().cmp(&other.dev_rank()))
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    /// The normalised form (`1.0rc1.post2.dev3+local.1`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}!", self.epoch)?;
        }
        let release: Vec<String> = self.release.iter().map(u64::to_string).collect();
        f.write_str(&release.join("."))?;
        if let Some((kind, n)) = self.pre {
            let tag = match kind {
                PreKind::Alpha => "a",
                PreKind::Beta => "b",
                PreKind::Candidate => "rc",
            };
            write!(f, "{tag}{n}")?;
        }
        if let Some(n) = self.post {
            write!(f, ".post{n}")?;
        }
        if let Some(n) = self.dev {
            write!(f, ".dev{n}")?;
        }
        if let Some(local) = &self.local {
            let parts: Vec<String> = local
                .iter()
                .map(|part| match part {
                    LocalPart::Text(text) => text.clone(),
                    LocalPart::Number(n) => n.to_string(),
                })
                .collect();
            write!(f, "+{}", parts.join("."))?;
        }
        Ok(())
    }
}

/// A cursor over the lowercased version text.
struct Parser {
    text: Vec<char>,
    at: usize,
}

impl Parser {
    fn new(text: &str) -> Self {
        Self {
            text: text.trim().to_ascii_lowercase().chars().collect(),
            at: 0,
        }
    }

    fn version(mut self) -> Option<Version> {
        self.eat("v");
        let (epoch, release) = self.epoch_and_release()?;
        let pre = self.pre();
        let post = self.post();
        let dev = self.dev();
        let local = self.local()?;
        (self.at == self.text.len()).then_some(Version {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    fn epoch_and_release(&mut self) -> Option<(u64, Vec<u64>)> {
        let first = self.number()?;
        let (epoch, first) = if self.eat("!") {
            (first, self.number()?)
        } else {
            (0, first)
        };
        let mut release = vec![first];
        loop {
            let mark = self.at;
            if !self.eat(".") {
                break;
            }
            match self.number() {
                Some(n) => release.push(n),
                None => {
                    self.at = mark;
                    break;
                }
            }
        }
        Some((epoch, release))
    }

    fn pre(&mut self) -> Option<(PreKind, u64)> {
        const TAGS: &[(&str, PreKind)] = &[
            ("alpha", PreKind::Alpha),
            ("beta", PreKind::Beta),
            ("preview", PreKind::Candidate),
            ("pre", PreKind::Candidate),
            ("rc", PreKind::Candidate),
            ("a", PreKind::Alpha),
            ("b", PreKind::Beta),
            ("c", PreKind::Candidate),
        ];
        let mark = self.at;
        self.separator();
        for (tag, kind) in TAGS {
            if self.eat(tag) {
                return Some((*kind, self.optional_number()));
            }
        }
        self.at = mark;
        None
    }

    fn post(&mut self) -> Option<u64> {
        let mark = self.at;
        if self.eat("-")
            && let Some(n) = self.number()
        {
            return Some(n);
        }
        self.at = mark;
        self.separator();
        for tag in ["post", "rev", "r"] {
            if self.eat(tag) {
                return Some(self.optional_number());
            }
        }
        self.at = mark;
        None
    }

    fn dev(&mut self) -> Option<u64> {
        let mark = self.at;
        self.separator();
        if self.eat("dev") {
            return Some(self.optional_number());
        }
        self.at = mark;
        None
    }

    /// `Some(None)` when there is no local label; `None` when it is malformed.
    fn local(&mut self) -> Option<Option<Vec<LocalPart>>> {
        if !self.eat("+") {
            return Some(None);
        }
        let rest: String = self.text[self.at..].iter().collect();
        self.at = self.text.len();
        let parts: Vec<&str> = rest.split(['.', '-', '_']).collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return None;
        }
        Some(Some(
            parts
                .into_iter()
                .map(|p| {
                    p.parse()
                        .map_or_else(|_| LocalPart::Text(p.to_string()), LocalPart::Number)
                })
                .collect(),
        ))
    }

    /// A number after an optional separator, `0` when absent (`1.0a` is `1.0a0`).
    fn optional_number(&mut self) -> u64 {
        let mark = self.at;
        self.separator();
        self.number().unwrap_or_else(|| {
            self.at = mark;
            0
        })
    }

    fn separator(&mut self) {
        if matches!(self.peek(), Some('.' | '-' | '_')) {
            self.at += 1;
        }
    }

    fn number(&mut self) -> Option<u64> {
        let start = self.at;
        while matches!(self.peek(), Some(c) if c.is_ascii_digit()) {
            self.at += 1;
        }
        if start == self.at {
            return None;
        }
        let digits: String = self.text[start..self.at].iter().collect();
        digits.parse().ok()
    }

    fn eat(&mut self, word: &str) -> bool {
        let len = word.chars().count();
        let matches = self.text.len() >= self.at + len
            && self.text[self.at..self.at + len]
                .iter()
                .copied()
                .eq(word.chars());
        if matches {
            self.at += len;
        }
        matches
    }

    fn peek(&self) -> Option<char> {
        self.text.get(self.at).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    #[test]
    fn orders_as_pep_440() {
        let ordered = [
            "1.0.dev0",
            "1.0a1",
            "1.0a2.dev1",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+local",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1",
            "1.10",
            "2!0.1",
        ];
        for pair in ordered.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn normalises_spellings() {
        assert_eq!(v("1.0"), v("1.0.0"));
        assert_eq!(v("v1.0-RC1").to_string(), "1.0rc1");
        assert_eq!(v("1.0-1").to_string(), "1.0.post1");
        assert_eq!(v("1.0alpha").to_string(), "1.0a0");
        assert_eq!(v("1.0.DEV").to_string(), "1.0.dev0");
        assert_eq!(v("1.0+Ubuntu-1").to_string(), "1.0+ubuntu.1");
    }

    #[test]
    fn rejects_what_is_not_a_version() {
        for text in ["", "latest", "1.x", "1..0", "1.0+", "1.0 beta 2", "abc1"] {
            assert!(Version::parse(text).is_none(), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,30}") {
            let _ = Version::parse(&text);
        }

        #[test]
        fn normal_form_round_trips(
            release in proptest::collection::vec(0u64..1000, 1..4),
            pre in proptest::option::of((0usize..3, 0u64..50)),
            post in proptest::option::of(0u64..50),
            dev in proptest::option::of(0u64..50),
        ) {
            let mut text = release.iter().map(u64::to_string).collect::<Vec<_>>().join(".");
            if let Some((kind, n)) = pre {
                text.push_str(&format!("{}{n}", ["a", "b", "rc"][kind]));
            }
            if let Some(n) = post { text.push_str(&format!(".post{n}")); }
            if let Some(n) = dev { text.push_str(&format!(".dev{n}")); }
            let parsed = Version::parse(&text).expect("a normal form parses");
            proptest::prop_assert_eq!(parsed.to_string(), text);
        }

        #[test]
        fn release_order_is_numeric(a in 0u64..10_000, b in 0u64..10_000) {
            let (va, vb) = (v(&format!("1.{a}")), v(&format!("1.{b}")));
            proptest::prop_assert_eq!(va.cmp(&vb), a.cmp(&b));
        }
    }
}
