use crate::executor::HostStats;

/// One PLAY RECAP line in Ansible's exact layout, so tools that parse
/// Ansible's recap keep working.
pub(super) fn recap_line(host: &str, stats: &HostStats, paint: impl Fn(&str) -> String) -> String {
    format!(
        "{} : {} {} {} {} {} {} {}",
        paint(&format!("{host:<26}")),
        count("ok", stats.ok),
        count("changed", stats.changed),
        count("unreachable", stats.unreachable),
        count("failed", stats.failed),
        count("skipped", stats.skipped),
        count("rescued", stats.rescued),
        count("ignored", stats.ignored),
    )
}

/// `name=N` with the number padded to four columns, as Ansible's `%s=%-4s`.
fn count(name: &str, value: u32) -> String {
    format!("{name}={value:<4}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_ansibles_recap_format() {
        let stats = HostStats {
            ok: 2,
            changed: 1,
            ..HostStats::default()
        };
        assert_eq!(
            recap_line("node1", &stats, str::to_string),
            "node1                      : ok=2    changed=1    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   "
        );
    }
}
