//! The pure parts of the `file` module: its states, what each one does to
//! what is found on the host, and Ansible's `modification_time` /
//! `access_time` values (`preserve`, `now`, or a timestamp in a strftime
//! format, `%Y%m%d%H%M.%S` by default).

use super::host::FileKind;

/// `state:` of the `file` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileState {
    File,
    Directory,
    Absent,
    Touch,
    Link,
    Hard,
}

impl FileState {
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        Ok(match text {
            "file" => Self::File,
            "directory" => Self::Directory,
            "absent" => Self::Absent,
            "touch" => Self::Touch,
            "link" => Self::Link,
            "hard" => Self::Hard,
            other => {
                return Err(format!(
                    "value of state must be one of: absent, directory, file, hard, link, touch, got: {other}"
                ));
            }
        })
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Directory => "directory",
            Self::Absent => "absent",
            Self::Touch => "touch",
            Self::Link => "link",
            Self::Hard => "hard",
        }
    }
}

/// How Ansible names what it found (`before.state` of the diff).
pub(crate) fn kind_state(kind: FileKind, hard_links: u64) -> &'static str {
    match kind {
        FileKind::Absent => "absent",
        FileKind::Directory => "directory",
        FileKind::Link => "link",
        FileKind::File if hard_links > 1 => "hard",
        FileKind::File | FileKind::Other => "file",
    }
}

/// What to do about the path itself (attributes are decided apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    Nothing,
    Remove,
    MakeDirectory,
    Touch,
    /// Create or replace the link (`replace` when something is in the way).
    Link {
        replace: bool,
    },
    Fail(String),
}

/// The action `state` calls for on a path found as `kind`.
/// `link_matches` says an existing link or hard link already points at `src`.
pub(crate) fn action_for(
    state: FileState,
    path: &str,
    kind: FileKind,
    link_matches: bool,
    force: bool,
) -> Action {
    use FileKind as K;
    match (state, kind) {
        (FileState::Absent, K::Absent) => Action::Nothing,
        (FileState::Absent, _) => Action::Remove,
        (FileState::Directory, K::Directory) => Action::Nothing,
        (FileState::Directory, K::Absent) => Action::MakeDirectory,
        (FileState::Directory, _) => Action::Fail(format!(
            "{path} already exists as a {}",
            kind_state(kind, 1)
        )),
        (FileState::File, K::Absent) => {
            Action::Fail(format!("file ({path}) is absent, cannot continue"))
        }
        (FileState::File, K::Directory) => Action::Fail(format!(
            "file ({path}) exists but is a directory, cannot continue"
        )),
        (FileState::File, _) => Action::Nothing,
        (FileState::Touch, K::Absent) => Action::Touch,
        (FileState::Touch, _) => Action::Nothing,
        (FileState::Link | FileState::Hard, _) if link_matches => Action::Nothing,
        (FileState::Link | FileState::Hard, K::Absent) => Action::Link { replace: false },
        (FileState::Link, K::Link) => Action::Link { replace: true },
        (FileState::Link | FileState::Hard, K::Directory) => Action::Fail(format!(
            "refusing to convert from directory to {} for {path}",
            state.as_str()
        )),
        (FileState::Link | FileState::Hard, _) if force => Action::Link { replace: true },
        (FileState::Link | FileState::Hard, _) => Action::Fail(format!(
            "refusing to convert from {} to {} for {path}",
            kind_state(kind, 1),
            if state == FileState::Link {
                "symlink"
            } else {
                "hard link"
            }
        )),
    }
}

/// A `modification_time`/`access_time` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TimeSpec {
    Preserve,
    Now,
    /// Local time on the host, as `YYYY-mm-dd HH:MM:SS`.
    At(String),
}

/// Read a time argument with its `_format` (a strftime pattern using
/// `%Y %m %d %H %M %S %y %%`).
pub(crate) fn parse_time(text: &str, format: &str) -> Result<TimeSpec, String> {
    match text {
        "preserve" => return Ok(TimeSpec::Preserve),
        "now" => return Ok(TimeSpec::Now),
        _ => {}
    }
    let fields = parse_with_format(text, format)
        .ok_or_else(|| format!("time {text:?} does not match the format {format:?}"))?;
    let [year, month, day, hour, minute, second] = fields;
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 62;
    if !valid {
        return Err(format!("time {text:?} is not a valid date"));
    }
    Ok(TimeSpec::At(format!(
        "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"
    )))
}

/// `[year, month, day, hour, minute, second]` read from `text` by `format`.
fn parse_with_format(text: &str, format: &str) -> Option<[u32; 6]> {
    let mut fields = [1900, 1, 1, 0, 0, 0];
    let mut rest = text;
    let mut pattern = format.chars();
    while let Some(c) = pattern.next() {
        if c != '%' {
            rest = rest.strip_prefix(c)?;
            continue;
        }
        let (slot, width) = match pattern.next()? {
            'Y' => (0, 4),
            'y' => (6, 2),
            'm' => (1, 2),
            'd' => (2, 2),
            'H' => (3, 2),
            'M' => (4, 2),
            'S' => (5, 2),
            '%' => {
                rest = rest.strip_prefix('%')?;
                continue;
            }
            _ => return None,
        };
        let digits = rest
            .char_indices()
            .take(width)
            .take_while(|(_, d)| d.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        let value: u32 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        if slot == 6 {
            fields[0] = if value < 69 {
                2000 + value
            } else {
                1900 + value
            };
        } else {
            fields[slot] = value;
        }
    }
    rest.is_empty().then_some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_on_what_is_found() {
        let act = |state, kind| action_for(state, "/p", kind, false, false);
        assert_eq!(
            act(FileState::Directory, FileKind::Absent),
            Action::MakeDirectory
        );
        assert_eq!(
            act(FileState::Directory, FileKind::Directory),
            Action::Nothing
        );
        assert!(matches!(
            act(FileState::Directory, FileKind::File),
            Action::Fail(_)
        ));
        assert_eq!(act(FileState::Absent, FileKind::Link), Action::Remove);
        assert_eq!(act(FileState::Absent, FileKind::Absent), Action::Nothing);
        assert!(matches!(
            act(FileState::File, FileKind::Absent),
            Action::Fail(m) if m.contains("is absent, cannot continue")
        ));
        assert_eq!(act(FileState::Touch, FileKind::Absent), Action::Touch);
        assert_eq!(
            act(FileState::Link, FileKind::Link),
            Action::Link { replace: true }
        );
        assert!(matches!(
            act(FileState::Link, FileKind::File),
            Action::Fail(_)
        ));
        assert_eq!(
            action_for(FileState::Link, "/p", FileKind::File, false, true),
            Action::Link { replace: true }
        );
        assert_eq!(
            action_for(FileState::Link, "/p", FileKind::Link, true, false),
            Action::Nothing
        );
    }

    #[test]
    fn times_in_ansible_default_and_custom_formats() {
        assert_eq!(parse_time("now", "%Y"), Ok(TimeSpec::Now));
        assert_eq!(parse_time("preserve", "%Y"), Ok(TimeSpec::Preserve));
        assert_eq!(
            parse_time("202403051230.15", "%Y%m%d%H%M.%S"),
            Ok(TimeSpec::At("2024-03-05 12:30:15".into()))
        );
        assert_eq!(
            parse_time("2024-03-05 12:30", "%Y-%m-%d %H:%M"),
            Ok(TimeSpec::At("2024-03-05 12:30:00".into()))
        );
        assert!(parse_time("202413051230.15", "%Y%m%d%H%M.%S").is_err());
        assert!(parse_time("yesterday", "%Y%m%d%H%M.%S").is_err());
        assert!(parse_time("2024", "%Y%m").is_err());
    }

    proptest::proptest! {
        #[test]
        fn time_parsing_never_panics(text in "\\PC{0,20}", format in "[%YmdHMSy.: -]{0,16}") {
            let _ = parse_time(&text, &format);
        }

        #[test]
        fn default_format_reads_back_what_it_writes(
            y in 1970u32..2100, mo in 1u32..13, d in 1u32..29, h in 0u32..24, mi in 0u32..60, s in 0u32..60
        ) {
            let text = format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}.{s:02}");
            let expected = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
            proptest::prop_assert_eq!(parse_time(&text, "%Y%m%d%H%M.%S"), Ok(TimeSpec::At(expected)));
        }
    }
}
