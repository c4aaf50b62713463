//! `host:port` in inventory host names, split as Ansible's `parse_address`
//! does: a trailing `:NN` is a port only when what precedes it is a valid
//! hostname or IPv4 address (ranges allowed), or is bracketed (`[::1]:22`).

use std::sync::LazyLock;

use regex::Regex;

const RANGE: &str = r"\[(?:[a-zA-Z]:[a-zA-Z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]";

static BRACKETED_PORT: LazyLock<Regex> = LazyLock::new(|| compile(r"^\[(.+)\]:([0-9]+)$"));
static TRAILING_PORT: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$"));
static LABEL: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"^(?:\w|{RANGE})(?:[\w-]|{RANGE})*$")));
static IPV6_CHARS: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^(?:[0-9a-fA-F:.]|\[[0-9a-f]+:[0-9a-f]+(?::[0-9]+)?\])+$"));

fn compile(pattern: &str) -> Regex {
    // The patterns are constants checked by the tests below.
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("invalid built-in regex: {e}"))
}

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
    let captures = BRACKETED_PORT
        .captures(text)
        .or_else(|| TRAILING_PORT.captures(text));
    let Some(captures) = captures else {
        return whole;
    };
    let (Some(host), Some(port)) = (captures.get(1), captures.get(2)) else {
        return whole;
    };
    match port.as_str().parse() {
        Ok(port) if is_valid_host(host.as_str()) => Address {
            host: host.as_str(),
            port: Some(port),
        },
        _ => whole,
    }
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
    IPV6_CHARS.is_match(host) && (host.contains("::") || host.matches(':').count() == 7)
}

/// Dot-separated labels of word characters, `-` and ranges, none ending
/// in `-` or `_` (IPv4 addresses pass this too).
fn is_hostname(host: &str) -> bool {
    host.split('.')
        .all(|label| LABEL.is_match(label) && !label.ends_with(['-', '_']))
}

#[cfg(test)]
mod tests {
    use super::*;

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
