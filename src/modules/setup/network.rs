//! Ansible's network subset: every interface with its addresses (also as a
//! fact of its own name), the default routes' interfaces, all addresses,
//! locally reachable ranges, and DNS from resolv.conf.

use std::net::Ipv4Addr;

use super::script::Sections;
use crate::value::{Value, VarMap, map_from_pairs, map_value};

/// One interface as `/sys/class/net` and `ip -o addr` describe it.
#[derive(Default)]
struct Interface {
    name: String,
    facts: VarMap,
    ipv4: Vec<VarMap>,
    ipv6: Vec<Value>,
}

pub(super) fn network(sections: &Sections, facts: &mut VarMap) {
    let mut interfaces: Vec<Interface> = sections.text("links").lines().filter_map(link).collect();
    let mut all_ipv4 = Vec::new();
    let mut all_ipv6 = Vec::new();
    for line in sections.text("addresses").lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(name) = words.get(1).map(|n| n.trim_end_matches(':')) else {
            continue;
        };
        let name = name.split('@').next().unwrap_or(name);
        let Some(interface) = interfaces.iter_mut().find(|i| i.name == name) else {
            continue;
        };
        let after = |key: &str| {
            words
                .iter()
                .position(|w| *w == key)
                .and_then(|i| words.get(i + 1))
                .copied()
        };
        match words.get(2) {
            Some(&"inet") => {
                let Some((address, prefix)) = after("inet").and_then(|a| a.split_once('/')) else {
                    continue;
                };
                let Some(ipv4) = ipv4_entry(address, prefix, after("brd").unwrap_or_default())
                else {
                    continue;
                };
                if !address.starts_with("127.") {
                    all_ipv4.push(Value::from(address));
                }
                interface.ipv4.push(ipv4);
            }
            Some(&"inet6") => {
                let Some((address, prefix)) = after("inet6").and_then(|a| a.split_once('/')) else {
                    continue;
                };
                if address != "::1" {
                    all_ipv6.push(Value::from(address));
                }
                interface.ipv6.push(map_from_pairs([
                    ("address", Value::from(address)),
                    ("prefix", Value::from(prefix)),
                    ("scope", Value::from(after("scope").unwrap_or_default())),
                ]));
            }
            _ => {}
        }
    }
    let default_ipv4 = default_route(sections.text("route4"), &interfaces, true);
    let default_ipv6 = default_route(sections.text("route6"), &interfaces, false);
    facts.insert("default_ipv4".into(), default_ipv4);
    facts.insert("default_ipv6".into(), default_ipv6);
    facts.insert("all_ipv4_addresses".into(), Value::from(all_ipv4));
    facts.insert("all_ipv6_addresses".into(), Value::from(all_ipv6));
    facts.insert(
        "locally_reachable_ips".into(),
        map_from_pairs([
            ("ipv4", local_ranges(sections.text("local4"))),
            ("ipv6", local_ranges(sections.text("local6"))),
        ]),
    );
    facts.insert(
        "interfaces".into(),
        interfaces
            .iter()
            .map(|i| Value::from(i.name.as_str()))
            .collect(),
    );
    for interface in interfaces {
        let name = interface.name.clone();
        facts.insert(name, interface_value(interface));
    }
}

/// `name|mtu|address|operstate|type|flags|speed|device|kind` from the script.
fn link(line: &str) -> Option<Interface> {
    let fields: Vec<&str> = line.split('|').collect();
    let [name, mtu, address, state, kind, flags, speed, device, special] = fields[..] else {
        return None;
    };
    let mut facts = VarMap::new();
    facts.insert("device".into(), Value::from(name));
    if !address.is_empty() && address != "00:00:00:00:00:00" {
        facts.insert("macaddress".into(), Value::from(address));
    }
    if let Ok(mtu) = mtu.parse::<i64>() {
        facts.insert("mtu".into(), Value::from(mtu));
    }
    if !state.is_empty() {
        facts.insert("active".into(), Value::from(state != "down"));
    }
    let kind = match special {
        "bridge" | "bonding" => special,
        _ => match kind {
            "1" => "ether",
            "32" => "infiniband",
            "512" => "ppp",
            "772" => "loopback",
            "65534" => "tunnel",
            _ => "unknown",
        },
    };
    facts.insert("type".into(), Value::from(kind));
    if !device.is_empty() {
        facts.insert("pciid".into(), Value::from(device));
    }
    if let Ok(speed) = speed.parse::<i64>() {
        facts.insert("speed".into(), Value::from(speed));
    }
    if let Ok(flags) = i64::from_str_radix(flags.trim_start_matches("0x"), 16) {
        facts.insert("promisc".into(), Value::from(flags & 0x100 != 0));
    }
    Some(Interface {
        name: name.to_string(),
        facts,
        ..Interface::default()
    })
}

/// An IPv4 address with the netmask, network and broadcast Ansible adds.
fn ipv4_entry(address: &str, prefix: &str, broadcast: &str) -> Option<VarMap> {
    let parsed: Ipv4Addr = address.parse().ok()?;
    let bits: u32 = prefix.parse().ok().filter(|bits| *bits <= 32)?;
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
    let network = Ipv4Addr::from(u32::from(parsed) & mask);
    let mut entry = VarMap::new();
    entry.insert("address".into(), Value::from(address));
    entry.insert("broadcast".into(), Value::from(broadcast));
    entry.insert(
        "netmask".into(),
        Value::from(Ipv4Addr::from(mask).to_string()),
    );
    entry.insert("network".into(), Value::from(network.to_string()));
    entry.insert("prefix".into(), Value::from(prefix));
    Some(entry)
}

fn interface_value(interface: Interface) -> Value {
    let mut facts = interface.facts;
    let mut ipv4 = interface.ipv4.into_iter();
    if let Some(primary) = ipv4.next() {
        facts.insert("ipv4".into(), map_value(primary));
    }
    let secondaries: Vec<Value> = ipv4.map(map_value).collect();
    if !secondaries.is_empty() {
        facts.insert("ipv4_secondaries".into(), Value::from(secondaries));
    }
    if !interface.ipv6.is_empty() {
        facts.insert("ipv6".into(), Value::from(interface.ipv6));
    }
    map_value(facts)
}

/// `ip route get` of a public address: the interface it leaves by, with
/// that interface's address details, as `default_ipv4`/`default_ipv6`.
fn default_route(text: &str, interfaces: &[Interface], v4: bool) -> Value {
    let words: Vec<&str> = text.split_whitespace().collect();
    let after = |key: &str| {
        words
            .iter()
            .position(|w| *w == key)
            .and_then(|i| words.get(i + 1))
            .copied()
    };
    let Some(device) = after("dev") else {
        return map_value(VarMap::new());
    };
    let source = after("src").unwrap_or_default();
    let mut facts = VarMap::new();
    facts.insert("interface".into(), Value::from(device));
    facts.insert("address".into(), Value::from(source));
    if let Some(gateway) = after("via") {
        facts.insert("gateway".into(), Value::from(gateway));
    }
    if let Some(interface) = interfaces.iter().find(|i| i.name == device) {
        for key in ["macaddress", "mtu", "type"] {
            if let Some(value) = interface.facts.get(key) {
                facts.insert(key.into(), value.clone());
            }
        }
        if v4 {
            facts.insert("alias".into(), Value::from(device));
            if let Some(entry) = interface
                .ipv4
                .iter()
                .find(|e| e.get("address").and_then(|a| a.as_str()) == Some(source))
            {
                for key in ["broadcast", "netmask", "network", "prefix"] {
                    if let Some(value) = entry.get(key) {
                        facts.insert(key.into(), value.clone());
                    }
                }
            }
        } else if let Some(entry) = interface.ipv6.iter().find(|e| {
            e.get_attr("address")
                .ok()
                .is_some_and(|a| a.as_str() == Some(source))
        }) {
            for key in ["prefix", "scope"] {
                if let Ok(value) = entry.get_attr(key) {
                    facts.insert(key.into(), value);
                }
            }
        }
    }
    map_value(facts)
}

/// The `local` routes of `ip route show table local`: what the host
/// answers for.
fn local_ranges(text: &str) -> Value {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("local")).then(|| words.next()).flatten()
        })
        .map(Value::from)
        .collect()
}

/// `/etc/resolv.conf` as `ansible_dns`.
pub(super) fn dns(sections: &Sections, facts: &mut VarMap) {
    let mut nameservers = Vec::new();
    let mut pairs = Vec::new();
    for line in sections.text("resolv").lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") => nameservers.extend(words.next().map(Value::from)),
            Some("domain") => pairs.push(("domain", Value::from(words.next().unwrap_or_default()))),
            Some("search") => pairs.push(("search", words.map(Value::from).collect())),
            Some("sortlist") => pairs.push(("sortlist", words.map(Value::from).collect())),
            Some("options") => {
                let options: VarMap = words
                    .map(|option| match option.split_once(':') {
                        Some((key, value)) => (key.to_string(), Value::from(value)),
                        None => (option.to_string(), Value::from(true)),
                    })
                    .collect();
                pairs.push(("options", map_value(options)));
            }
            _ => {}
        }
    }
    if !nameservers.is_empty() {
        pairs.insert(0, ("nameservers", Value::from(nameservers)));
    }
    facts.insert("dns".into(), map_from_pairs(pairs));
}
