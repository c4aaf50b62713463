//! `host:port` in inventory host names, split as Ansible's `parse_address`
//! does: a trailing `:NN` is a port only when what precedes it is a valid
//! hostname or IPv4 address (ranges allowed), or is bracketed (`[::1]:22`).

// Hand-written rather than regular expressions: compiling the Unicode
// classes of the equivalent patterns cost more than parsing a whole small
// inventory (the tests check both agree).

/// A host name and the port written after it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address<'a> {
    pub host: &'a str,
    pub port: Option<u64>,
}

/// Split `text` into host and port; text that is not a recognisable
/// `host:port` is all host, as Ansible leaves it.
pub fn split_port(text: &str) -> Address<'_> {
    let whole = Address {
        host: text,
        port: None,
    };
    let Some((host, port)) = bracketed_port(text).or_else(|| trailing_port(text)) else {
        return whole;
    };
    match port.parse() {
        Ok(port) if is_valid_host(host) => Address {
            host,
            port: Some(port),
        },
        _ => whole,
    }
}

/// `^\[(.+)\]:([0-9]+)$`
fn bracketed_port(text: &str) -> Option<(&str, &str)> {
    let (head, port) = port_suffix(text)?;
    let host = head.strip_prefix('[')?.strip_suffix(']')?;
    (!host.is_empty() && !host.contains('\n')).then_some((host, port))
}

/// `^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$`
fn trailing_port(text: &str) -> Option<(&str, &str)> {
    let (head, port) = port_suffix(text)?;
    let mut rest = head;
    while let Some(c) = rest.chars().next() {
        rest = match c {
            ':' | ']' => return None,
            '[' => &rest[rest[1..].find(']')? + 2..],
            _ => &rest[c.len_utf8()..],
        };
    }
    Some((head, port))
}

/// What precedes the last `:` and the digits after it, if only digits are.
fn port_suffix(text: &str) -> Option<(&str, &str)> {
    let (head, port) = text.rsplit_once(':')?;
    (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())).then_some((head, port))
}

/// The regex crate's `\w` (Unicode word characters).
pub(super) fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '_'
        || (!c.is_ascii() && regex_syntax::try_is_word_character(c).unwrap_or(false))
}

/// `^(?:\w|RANGE)(?:[\w-]|RANGE)*$`, RANGE being
/// `\[(?:[a-zA-Z]:[a-zA-Z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`.
fn is_label(label: &str) -> bool {
    let mut rest = label;
    let mut first = true;
    while let Some(c) = rest.chars().next() {
        rest = if c == '[' {
            match after_range(rest, Range::Label) {
                Some(after) => after,
                None => return false,
            }
        } else if is_word(c) || (c == '-' && !first) {
            &rest[c.len_utf8()..]
        } else {
            return false;
        };
        first = false;
    }
    !first
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Range {
    /// `[a:z]` or `[01:20]`, then an optional `:step`.
    Label,
    /// `[0a:ff]` in lowercase hex, then an optional `:step`.
    Ipv6,
}

/// The text after the range that opens `text` (at its `[`).
fn after_range(text: &str, kind: Range) -> Option<&str> {
    let bytes = text.as_bytes();
    let run = |from: usize, accept: fn(&u8) -> bool| {
        bytes
            .get(from..)
            .map_or(0, |tail| tail.iter().take_while(|b| accept(b)).count())
    };
    let hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
    let mut at = 1;
    let letter = bytes.get(at).is_some_and(u8::is_ascii_alphabetic);
    if kind == Range::Label && letter {
        if bytes.get(at + 1) != Some(&b':')
            || !bytes.get(at + 2).is_some_and(u8::is_ascii_alphabetic)
        {
            return None;
        }
        at += 3;
    } else {
        let digit: fn(&u8) -> bool = if kind == Range::Label {
            u8::is_ascii_digit
        } else {
            hex
        };
        for separator in [true, false] {
            let len = run(at, digit);
            if len == 0 {
                return None;
            }
            at += len;
            if separator {
                if bytes.get(at) != Some(&b':') {
                    return None;
                }
                at += 1;
            }
        }
    }
    if bytes.get(at) == Some(&b':') {
        let len = run(at + 1, u8::is_ascii_digit);
        if len == 0 {
            return None;
        }
        at += 1 + len;
    }
    (bytes.get(at) == Some(&b']')).then(|| &text[at + 1..])
}

/// `^(?:[0-9a-fA-F:.]|\[[0-9a-f]+:[0-9a-f]+(?::[0-9]+)?\])+$`
fn is_ipv6_chars(host: &str) -> bool {
    let mut rest = host;
    while let Some(&b) = rest.as_bytes().first() {
        rest = if b.is_ascii_hexdigit() || b == b':' || b == b'.' {
            &rest[1..]
        } else if b == b'[' {
            match after_range(rest, Range::Ipv6) {
                Some(after) => after,
                None => return false,
            }
        } else {
            return false;
        };
    }
    !host.is_empty()
}

/// Whether `text` is one host address, optionally with a port, rather
/// than a `:`-separated list of patterns (Ansible's `parse_address`
/// succeeding).
pub(super) fn is_single_address(text: &str) -> bool {
    is_valid_host(split_port(text).host)
}

fn is_valid_host(host: &str) -> bool {
    is_ipv6(host) || is_hostname(host)
}

/// IPv6 as Ansible's pattern accepts it: hex groups (or ranges), either
/// compressed with `::` or all eight written out. `db:cafe` is not one.
fn is_ipv6(host: &str) -> bool {
    is_ipv6_chars(host) && (host.contains("::") || host.matches(':').count() == 7)
}

/// Dot-separated labels of word characters, `-` and ranges, none ending
/// in `-` or `_` (IPv4 addresses pass this too).
fn is_hostname(host: &str) -> bool {
    host.split('.')
        .all(|label| is_label(label) && !label.ends_with(['-', '_']))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    const RANGE: &str = r"\[(?:[a-zA-Z]:[a-zA-Z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]";

    fn regex(pattern: &str) -> Regex {
        Regex::new(pattern).expect("regex")
    }

    fn two_groups<'t>(re: &Regex, text: &'t str) -> Option<(&'t str, &'t str)> {
        let captures = re.captures(text)?;
        Some((captures.get(1)?.as_str(), captures.get(2)?.as_str()))
    }

    /// Pieces that make ranges, ports and brackets likely.
    const FRAGMENTS: &[&str] = &[
        "[01:20]",
        "[a:f]",
        "[1:9:2]",
        "[0a:ff]",
        "[0a:ff:3]",
        "[A:B]",
        "[",
        "]",
        ":",
        "::",
        ":22",
        "-",
        "_",
        "a",
        "1",
        "f",
        ".",
        "é",
        " ",
        "\n",
        "[]",
        "[1:]",
    ];

    // The patterns these functions replace, as the oracle.
    proptest! {
        #[test]
        fn agrees_with_the_regular_expressions(
            text in prop_oneof![
                "[a-fA-Z0-9_.:\\[\\]\\- \n\u{e9}\u{663}\u{2000}]{0,14}",
                proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..6)
                    .prop_map(|parts| parts.concat()),
            ]
        ) {
            let bracketed = regex(r"^\[(.+)\]:([0-9]+)$");
            let trailing = regex(r"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$");
            let label = regex(&format!(r"^(?:\w|{RANGE})(?:[\w-]|{RANGE})*$"));
            let ipv6 = regex(r"^(?:[0-9a-fA-F:.]|\[[0-9a-f]+:[0-9a-f]+(?::[0-9]+)?\])+$");
            prop_assert_eq!(bracketed_port(&text), two_groups(&bracketed, &text));
            prop_assert_eq!(trailing_port(&text), two_groups(&trailing, &text));
            prop_assert_eq!(is_label(&text), label.is_match(&text));
            prop_assert_eq!(is_ipv6_chars(&text), ipv6.is_match(&text));
        }
    }

    #[test]
    fn ranges_as_the_regular_expressions_read_them() {
        for label in ["db[01:20]", "web[a:f]", "x[1:9:2]-y", "_a", "é1", "a[b:c]d"] {
            assert!(is_label(label), "{label}");
        }
        for label in ["-a", "a[1:]", "a[a:1]", "a[:2]", "a[1:2:]", "a b", ""] {
            assert!(!is_label(label), "{label}");
        }
        assert!(is_ipv6_chars("fe80::[0a:ff]:1"));
        assert!(!is_ipv6_chars("fe80::[0A:ff]"));
    }

    fn split(text: &str) -> (&str, Option<u64>) {
        let address = split_port(text);
        (address.host, address.port)
    }

    #[test]
    fn ports_after_names_and_addresses() {
        assert_eq!(
            split("badwolf.example.com:5309"),
            ("badwolf.example.com", Some(5309))
        );
        assert_eq!(split("192.0.2.50:2222"), ("192.0.2.50", Some(2222)));
        assert_eq!(split("db[01:20]:2222"), ("db[01:20]", Some(2222)));
        assert_eq!(split("[2001:db8::1]:22"), ("2001:db8::1", Some(22)));
    }

    #[test]
    fn no_port_leaves_the_name_whole() {
        assert_eq!(split("web1"), ("web1", None));
        assert_eq!(split("db[01:20]"), ("db[01:20]", None));
        assert_eq!(split("2001:db8::1"), ("2001:db8::1", None));
        assert_eq!(split("bad-:22"), ("bad-:22", None));
        assert_eq!(split("web:"), ("web:", None));
    }

    #[test]
    fn single_addresses_versus_pattern_lists() {
        assert!(is_single_address("web01.example.com"));
        assert!(is_single_address("db[1:3]"));
        assert!(is_single_address("fe80::1"));
        assert!(is_single_address("host:22"));
        assert!(!is_single_address("webservers:dbservers"));
        assert!(!is_single_address("db:cafe"));
        assert!(!is_single_address("web*:!web1"));
    }
}
