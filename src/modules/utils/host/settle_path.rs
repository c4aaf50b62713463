//! A path made a directory, or given a mode, in one round trip: the script
//! looks at the path (following a final link) and, only where the facts
//! call for it, creates the missing directories or changes the mode,
//! printing the facts it found before and those after. The controller
//! judges changed/ok from the facts before, as an inspection would; the
//! script changes nothing the controller would not have changed.
//!
//! Processes on the host: `stat` of the path when it exists (and `readlink`
//! when it is a link), `chmod` when the mode differs, or one `mkdir -p` of
//! all the missing directories and a `stat` of the new one.

use crate::connection::shell_quote;
use crate::modules::{ModuleContext, ModuleError};

use super::file_info::{FileInfo, STAT_FORMAT, parse_info};

/// What the path should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathWant {
    /// A directory, created with its missing parents when absent.
    Directory,
    /// Whatever is there but a directory; nothing is created.
    NoDirectory,
    /// Whatever is there; nothing is created.
    Anything,
}

/// The facts before, and after when anything was changed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PathSettled {
    pub before: FileInfo,
    pub after: Option<FileInfo>,
}

/// Make `path` what `want` says with `mode` (on every directory created,
/// too), in one round trip.
pub(crate) fn settle_path(
    ctx: &mut ModuleContext,
    path: &str,
    want: PathWant,
    mode: Option<u32>,
) -> Result<PathSettled, ModuleError> {
    run_settling(
        ctx,
        path,
        &script(path, want, mode),
        &format!("setting {path}"),
        |stdout| parse(path, mode, stdout),
    )
}

/// Run a settling script for `path`: exit 2 is a state it could not read,
/// any other failure is `doing` failed; what it printed is `parse`d.
pub(super) fn run_settling<T>(
    ctx: &mut ModuleContext,
    path: &str,
    script: &str,
    doing: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, ModuleError> {
    let output = ctx.connection()?.run(script, None)?;
    let detail = output.stderr_text();
    let detail = detail.trim();
    let unreadable = || {
        ModuleError::failed(format!(
            "cannot read the state of {path} on {}: {detail}",
            ctx.host
        ))
    };
    match output.rc {
        0 => parse(&output.stdout_text()).ok_or_else(unreadable),
        2 => Err(unreadable()),
        rc => Err(ModuleError::failed(format!(
            "{doing} failed (rc={rc}): {detail}"
        ))),
    }
}

fn script(path: &str, want: PathWant, mode: Option<u32>) -> String {
    let kinds = match want {
        PathWant::Directory => "directory",
        PathWant::NoDirectory => "directory) ;; *",
        PathWant::Anything => "*",
    };
    let fix_mode = match mode {
        Some(mode) => format!(
            "  case $1 in {kinds}) [ \"$2\" = {mode:o} ] || {{ chmod {mode:o} -- \"$p\" || exit 4; echo chmod; }} ;; esac\n"
        ),
        None => String::new(),
    };
    let create = match want {
        PathWant::Directory => {
            // Directories a mode leaves unwritable get it once all exist.
            // `-p`: another host or task may make one of them meanwhile.
            let make = match mode {
                Some(mode) if mode & 0o300 == 0o300 => {
                    format!("mkdir -p -m {mode:o} -- \"$@\" || exit 1")
                }
                Some(mode) => {
                    format!("mkdir -p -- \"$@\" && chmod {mode:o} -- \"$@\" || exit 1")
                }
                None => "mkdir -p -- \"$@\" || exit 1".to_string(),
            };
            // One made meanwhile by someone else may have another mode; when
            // it is the directory itself, nothing is left to make.
            let recheck = match mode {
                Some(mode) => format!(
                    "\n  o=$IFS; IFS='|'; set -f; set -- $f; set +f; IFS=$o\n  if [ \"$2\" != {mode:o} ]; then\n    chmod {mode:o} -- \"$p\" || exit 4\n    f=$(stat -L -c {STAT_FORMAT} -- \"$p\") || exit 2\n  fi"
                ),
                None => String::new(),
            };
            format!(
                "  set --\n  q=$p\n  while [ ! -e \"$q\" ] && [ ! -L \"$q\" ]; do\n    set -- \"$q\" \"$@\"\n    case $q in */*) q=${{q%/*}}; q=${{q:-/}} ;; *) q=. ;; esac\n  done\n  [ $# = 0 ] || {{ {make}; }}\n  f=$(stat -L -c {STAT_FORMAT} -- \"$p\") || exit 2{recheck}\n  printf 'after\\n%s\\n\\n\\n' \"$f\"\n"
            )
        }
        PathWant::NoDirectory | PathWant::Anything => String::new(),
    };
    format!(
        "p={quoted}
if [ -e \"$p\" ] || [ -L \"$p\" ]; then
  f=$(stat -L -c {STAT_FORMAT} -- \"$p\") || exit 2
  l=
  if [ -L \"$p\" ]; then l=$(readlink -- \"$p\") || exit 2; fi
  printf 'before\\n%s\\n%s\\n\\n' \"$f\" \"$l\"
  o=$IFS; IFS='|'; set -f; set -- $f; set +f; IFS=$o
{fix_mode}else
  printf 'before\\nabsent\\n'
{create}fi",
        quoted = shell_quote(path),
    )
}

fn parse(path: &str, mode: Option<u32>, stdout: &str) -> Option<PathSettled> {
    let rest = stdout.strip_prefix("before\n")?;
    let (before_text, after_text) = match rest.split_once("after\n") {
        Some((before, after)) => (before, Some(after)),
        None => (rest, None),
    };
    let (before_text, chmodded) = match before_text.strip_suffix("chmod\n") {
        Some(before) => (before, true),
        None => (before_text, false),
    };
    let before = parse_info(path, before_text)?;
    let after = match after_text {
        Some(text) => Some(parse_info(path, text)?),
        None if chmodded => Some(FileInfo {
            mode: mode?,
            ..before.clone()
        }),
        None => None,
    };
    Some(PathSettled { before, after })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::{Connection, LocalConnection};
    use crate::modules::utils::host::FileKind;
    use std::os::unix::fs::PermissionsExt;

    fn settle(path: &std::path::Path, want: PathWant, mode: Option<u32>) -> PathSettled {
        let path = path.display().to_string();
        let output = LocalConnection::new()
            .run(&script(&path, want, mode), None)
            .expect("run");
        assert_eq!(output.rc, 0, "{}", output.stderr_text());
        parse(&path, mode, &output.stdout_text()).expect("parses")
    }

    fn mode_of(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).expect("stat").permissions().mode() & 0o7777
    }

    #[test]
    fn creates_every_missing_directory_with_the_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let deep = dir.path().join("a/b/c");
        let settled = settle(&deep, PathWant::Directory, Some(0o750));
        assert_eq!(settled.before.kind, FileKind::Absent);
        let after = settled.after.expect("created");
        assert_eq!((after.kind, after.mode), (FileKind::Directory, 0o750));
        for made in ["a", "a/b", "a/b/c"] {
            assert_eq!(mode_of(&dir.path().join(made)), 0o750, "{made}");
        }
        // There already, with that mode: nothing done.
        assert_eq!(settle(&deep, PathWant::Directory, Some(0o750)).after, None);
        // A mode that leaves the directory unwritable comes last.
        let locked = dir.path().join("x/y");
        settle(&locked, PathWant::Directory, Some(0o555));
        assert_eq!(mode_of(&locked), 0o555);
        assert_eq!(mode_of(&dir.path().join("x")), 0o555);
    }

    #[test]
    fn changes_only_a_mode_that_differs_and_never_creates_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("f");
        std::fs::write(&file, "x").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let settled = settle(&file, PathWant::NoDirectory, Some(0o600));
        assert_eq!(settled.before.mode, 0o644);
        assert_eq!(settled.after.map(|a| a.mode), Some(0o600));
        assert_eq!(mode_of(&file), 0o600);
        assert_eq!(
            settle(&file, PathWant::NoDirectory, Some(0o600)).after,
            None
        );
        // A directory where a file is wanted is left alone.
        let settled = settle(dir.path(), PathWant::NoDirectory, Some(0o700));
        assert_eq!(settled.after, None);
        let missing = dir.path().join("none");
        let settled = settle(&missing, PathWant::Anything, Some(0o600));
        assert_eq!(
            (settled.before.kind, settled.after),
            (FileKind::Absent, None)
        );
        assert!(!missing.exists());
    }
}
