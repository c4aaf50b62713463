//! The account databases as `getent` prints them: `passwd`, `group` and
//! `shadow` lines, read into fields (user, group, getent).

/// One `passwd` line: `name:x:uid:gid:comment:home:shell`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PasswdEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub comment: String,
    pub home: String,
    pub shell: String,
}

impl PasswdEntry {
    pub(crate) fn parse(line: &str) -> Option<Self> {
        let fields: Vec<&str> = line.trim_end_matches('\n').split(':').collect();
        if fields.len() != 7 {
            return None;
        }
        Some(Self {
            name: fields[0].to_string(),
            uid: fields[2].parse().ok()?,
            gid: fields[3].parse().ok()?,
            comment: fields[4].to_string(),
            home: fields[5].to_string(),
            shell: fields[6].to_string(),
        })
    }
}

/// One `group` line: `name:x:gid:member,member`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupEntry {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

impl GroupEntry {
    pub(crate) fn parse(line: &str) -> Option<Self> {
        let fields: Vec<&str> = line.trim_end_matches('\n').split(':').collect();
        if fields.len() != 4 {
            return None;
        }
        Some(Self {
            name: fields[0].to_string(),
            gid: fields[2].parse().ok()?,
            members: fields[3]
                .split(',')
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect(),
        })
    }

    /// Every group line of `text` that reads.
    pub(crate) fn parse_all(text: &str) -> Vec<Self> {
        text.lines().filter_map(Self::parse).collect()
    }
}

/// One `shadow` line: the hash and the aging fields (days; `None` when empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ShadowEntry {
    pub hash: String,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub warn: Option<i64>,
    pub expire: Option<i64>,
}

impl ShadowEntry {
    pub(crate) fn parse(line: &str) -> Option<Self> {
        let fields: Vec<&str> = line.trim_end_matches('\n').split(':').collect();
        if fields.len() != 9 {
            return None;
        }
        let days = |text: &str| text.parse::<i64>().ok();
        Some(Self {
            hash: fields[1].to_string(),
            min: days(fields[3]),
            max: days(fields[4]),
            warn: days(fields[5]),
            expire: days(fields[7]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_databases() {
        let user = PasswdEntry::parse("alice:x:1001:1001:Alice A,,,:/home/alice:/bin/bash\n");
        assert_eq!(
            user,
            Some(PasswdEntry {
                name: "alice".into(),
                uid: 1001,
                gid: 1001,
                comment: "Alice A,,,".into(),
                home: "/home/alice".into(),
                shell: "/bin/bash".into(),
            })
        );
        let group = GroupEntry::parse("ops:x:2000:alice,bob").map(|g| g.members);
        assert_eq!(group, Some(vec!["alice".to_string(), "bob".to_string()]));
        let shadow = ShadowEntry::parse("alice:!:19000:0:99999:7:::");
        assert_eq!(
            shadow.map(|s| (s.hash, s.max, s.expire)),
            Some(("!".into(), Some(99999), None))
        );
        assert_eq!(PasswdEntry::parse("broken:x:1"), None);
    }

    proptest::proptest! {
        #[test]
        fn passwd_lines_round_trip(
            name in "[a-z_][a-z0-9_-]{0,15}",
            uid in 0u32..70000,
            gid in 0u32..70000,
            comment in "[A-Za-z ,.]{0,20}",
            home in "/[a-z/]{0,20}",
        ) {
            let line = format!("{name}:x:{uid}:{gid}:{comment}:{home}:/bin/sh");
            let entry = PasswdEntry::parse(&line).expect("reads");
            proptest::prop_assert_eq!(
                (entry.name, entry.uid, entry.gid, entry.comment, entry.home),
                (name, uid, gid, comment, home)
            );
        }

        #[test]
        fn any_line_reads_without_panicking(line in "[a-z0-9:,!$/]{0,60}") {
            let _ = PasswdEntry::parse(&line);
            let _ = GroupEntry::parse(&line);
            let _ = ShadowEntry::parse(&line);
        }
    }
}
