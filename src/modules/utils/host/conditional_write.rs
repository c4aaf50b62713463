//! A file put in place in one round trip: the script sent carries the new
//! content (inside the script, see `connection::inline_data`) and decides on
//! the host whether to write it, from the destination's size and, only
//! when the sizes match, its SHA-1. It prints the facts it found before
//! (for the controller to judge changed/ok as an inspection would) and
//! those of the file it wrote, so the controller never has to ask again.
//!
//! It writes as [`super::write_file`] does: a temporary file beside the
//! destination, created with `O_EXCL`, renamed into place only once it is
//! whole, removed however the script ends otherwise. A new file without
//! `mode` gets `0666 & ~umask`; an existing one keeps its mode and owner.
//!
//! The only processes it starts on the host are `stat` (the destination's,
//! when it exists; the temporary file's, for the facts of the new file),
//! `sha1sum` (when the sizes match and the file is too large, or not text,
//! for `sh` to compare it itself), `chmod`/`chown` (when a mode cannot
//! come from a umask, or an existing file's mode and owner must be kept)
//! and `mv`. Everything else is `sh` builtins.

use crate::connection::{inline_data, shell_quote, transfer};
use crate::modules::{ModuleContext, ModuleError};

use super::builtin_read::{BUILTIN_READ_MAX, read_whole};
use super::file_info::{FileInfo, FileKind, STAT_FORMAT, parse_info};

/// What should be at a path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WantedFile<'a> {
    /// `dest` as given.
    pub dest: &'a str,
    /// The name the file takes when `dest` is a directory.
    pub name: Option<&'a str>,
    pub content: &'a [u8],
    /// SHA-1 (hex) of `content`.
    pub checksum: &'a str,
    /// Mode bits; `None` keeps an existing file's, gives a new one the umask's.
    pub mode: Option<u32>,
    /// Whether an existing file is replaced (`copy`'s `force`).
    pub force: bool,
    /// Whether an existing file that is not replaced is read back (for an
    /// edit of it, when the content sent was only for a missing file).
    pub read_existing: bool,
}

/// What the script found and did.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Settled {
    /// `dest` is a directory and the file has no name to take in it.
    IntoDirectoryWithoutName,
    /// The final path is a directory.
    Directory { path: String },
    /// The file does not exist and neither does its directory.
    NoParent { path: String },
    /// The file as found (its checksum only when the sizes matched) and,
    /// when anything was changed, as it is now; with `read_existing`, the
    /// content of an existing file that was left alone.
    Done {
        path: String,
        before: Box<FileInfo>,
        after: Option<Box<FileInfo>>,
        existing: Option<Vec<u8>>,
    },
}

/// Put `want` in place when it differs, in one round trip; `None` when its
/// content cannot travel inside a script (the caller inspects and writes
/// the usual way).
pub(crate) fn write_if_differs(
    ctx: &mut ModuleContext,
    want: &WantedFile,
) -> Result<Option<Settled>, ModuleError> {
    let Some(set_content) = inline_data::assignment("content", want.content) else {
        return Ok(None);
    };
    let joined = want
        .name
        .map(|name| format!("{}/{name}", want.dest.trim_end_matches('/')));
    let script = script(want, &set_content, joined.as_deref());
    let output = ctx.connection()?.run(&script, None)?;
    let path = joined.as_deref().unwrap_or(want.dest);
    let marker = format!("{CONTENT}\n");
    let (facts, existing) = match memchr::memmem::find(&output.stdout, marker.as_bytes()) {
        Some(at) => (
            &output.stdout[..at],
            Some(output.stdout[at + marker.len()..].to_vec()),
        ),
        None => (&output.stdout[..], None),
    };
    let stdout = String::from_utf8_lossy(facts);
    if output.rc != 0 {
        let detail = output.stderr_text();
        let detail = detail.trim();
        return Err(ModuleError::failed(match output.rc {
            2 => format!("cannot read the state of {path} on {}: {detail}", ctx.host),
            3 => format!(
                "cannot compute the SHA-1 of {path} on {}: {detail}",
                ctx.host
            ),
            5 => format!("cannot read {path} on {}: {detail}", ctx.host),
            rc => format!("writing {path} failed (rc={rc}): {detail}"),
        }));
    }
    parse(want, &stdout, joined.as_deref())
        .map(|settled| match settled {
            Settled::Done {
                path,
                before,
                after,
                ..
            } => Settled::Done {
                path,
                before,
                after,
                existing,
            },
            other => other,
        })
        .map(Some)
        .ok_or_else(|| {
            ModuleError::failed(format!(
                "cannot read what writing {path} on {} found: {}",
                ctx.host,
                output.stderr_text().trim()
            ))
        })
}

/// Marks where an existing file's content begins after its facts.
const CONTENT: &str = "@runbook-content";

fn script(want: &WantedFile, set_content: &str, joined: Option<&str>) -> String {
    let into = match joined {
        Some(joined) => format!("p={}; at=joined", shell_quote(joined)),
        None => "echo dest; echo into-directory; exit 0".to_string(),
    };
    // A `dest` ending in `/` that does not exist names the directory too.
    let trailing = if want.dest.ends_with('/') {
        format!("elif [ ! -e \"$p\" ] && [ ! -L \"$p\" ]; then\n  {into}\n")
    } else {
        String::new()
    };
    let keep_going = match (want.force, want.read_existing) {
        (true, _) => String::new(),
        (false, false) => "  exit 0\n".to_string(),
        (false, true) => format!(
            "  echo {CONTENT}\n  if [ -f \"$p\" ] && [ -r \"$p\" ] && [ \"$7\" -le {BUILTIN_READ_MAX} ] && {}; then printf '%s' \"$c\"; else cat -- \"$p\" || exit 5; fi\n  exit 0\n",
            read_whole("p", "7", "c")
        ),
    };
    let sum = want.checksum;
    let size = want.content.len();
    let fix_mode = match want.mode {
        Some(mode) => {
            format!(
                "    [ \"$2\" = {mode:o} ] || {{ chmod {mode:o} -- \"$p\" || exit 4; echo chmod; }}\n"
            )
        }
        None => String::new(),
    };
    let (umask, finish) = match want.mode {
        Some(mode) => match transfer::creation_umask(mode) {
            Some(umask) => (format!("umask {umask:03o}"), String::new()),
            None => (
                "umask 077".to_string(),
                format!("chmod {mode:o} \"$tmp\" || exit 1\n"),
            ),
        },
        // An existing file's mode and owner are kept: the new file gets the
        // mode from a umask (computed by `sh`'s arithmetic) when one can
        // give it, else it is private until `chmod` gives it.
        None => (
            "if [ -n \"$w\" ]; then\n  m=$((0$w))\n  if [ $((m & ~0666)) = 0 ] && [ $((m & 0200)) != 0 ]; then\n    k=$((0777 & ~m)); umask $((k >> 6 & 7))$((k >> 3 & 7))$((k & 7))\n  else\n    umask 077\n  fi\nfi".to_string(),
            "if [ -n \"$w\" ]; then\n  o=$IFS; IFS='|'; set -f; set -- $t; set +f; IFS=$o\n  [ \"$2\" = \"$w\" ] || chmod \"$w\" \"$tmp\" || exit 1\n  [ \"$3:$4\" = \"$u\" ] || chown \"$u\" \"$tmp\" || exit 1\nfi\n".to_string(),
        ),
    };
    // Same-sized small content is compared by `sh` itself, else by SHA-1.
    let sha1 = "s=$(sha1sum < \"$p\") || exit 3\n    s=${s%% *}";
    let compare = if size as u64 <= BUILTIN_READ_MAX {
        format!(
            "    if {}; then\n      [ \"$c\" != \"${}\" ] || s={sum}\n    else\n      {sha1}\n    fi\n",
            read_whole("p", "7", "c"),
            inline_data::variable("content"),
        )
    } else {
        format!("    {sha1}\n")
    };
    let mut name = [0u8; 8];
    rand::fill(&mut name);
    let temporary = hex::encode(name);
    let variable = inline_data::variable("content");
    format!(
        "{set_content}
p={dest}
at=dest
if [ -d \"$p\" ]; then\n  {into}
{trailing}fi
echo \"$at\"
if [ -d \"$p\" ]; then echo directory; exit 0; fi
case $p in */*) d=${{p%/*}}; d=${{d:-/}} ;; *) d=. ;; esac
w=
if [ -e \"$p\" ] || [ -L \"$p\" ]; then
  f=$(stat -L -c {STAT_FORMAT} -- \"$p\") || exit 2
  o=$IFS; IFS='|'; set -f; set -- $f; set +f; IFS=$o
  s=
  if [ {keep_going_flag} = 1 ] && [ \"$7\" = {size} ] && [ -f \"$p\" ] && [ -r \"$p\" ]; then
{compare}  fi
  printf 'before\\n%s\\n\\n%s\\n' \"$f\" \"$s\"
{keep_going}  if [ \"$s\" = {sum} ]; then
{fix_mode}    exit 0
  fi
  w=$2; u=$3:$4
else
  [ -d \"$d\" ] || {{ echo no-parent; exit 0; }}
  echo before; echo absent
fi
{umask}
tmp=$d/.runbook.{temporary}
set -C
: > \"$tmp\" || exit 1
set +C
{remove}
t=$(stat -c {STAT_FORMAT} -- \"$tmp\") || exit 2
printf '%s' \"${variable}\" > \"$tmp\" || exit 1
{finish}mv -f \"$tmp\" \"$p\" || exit 1
{keep}
printf 'after\\n%s\\n' \"$t\"",
        dest = shell_quote(want.dest),
        keep_going_flag = u8::from(want.force),
        remove = transfer::remove_on_exit("tmp"),
        keep = transfer::keep_on_exit(),
    )
}

/// The [`Settled`] that the script's output says: which path it took
/// (`dest`, or the joined one), then what it found and did.
fn parse(want: &WantedFile, stdout: &str, joined: Option<&str>) -> Option<Settled> {
    let (taken, rest) = stdout.split_once('\n')?;
    let path = match (taken, joined) {
        ("dest", _) => want.dest.to_string(),
        ("joined", Some(joined)) => joined.to_string(),
        _ => return None,
    };
    let (first, rest) = rest.split_once('\n')?;
    match first {
        "into-directory" => return Some(Settled::IntoDirectoryWithoutName),
        "directory" => return Some(Settled::Directory { path }),
        "no-parent" => return Some(Settled::NoParent { path }),
        "before" => {}
        _ => return None,
    }
    let (before_text, after_text) = match rest.split_once("after\n") {
        Some((before, after)) => (before, Some(after)),
        None => (rest, None),
    };
    let (before_text, chmodded) = match before_text.strip_suffix("chmod\n") {
        Some(before) => (before, true),
        None => (before_text, false),
    };
    let before = parse_info(&path, before_text)?;
    let after = match after_text {
        Some(text) => Some(written(want, &before, parse_info(&path, text)?)),
        None if chmodded => Some(FileInfo {
            mode: want.mode?,
            ..before.clone()
        }),
        None => None,
    };
    Some(Settled::Done {
        path,
        before: Box::new(before),
        after: after.map(Box::new),
        existing: None,
    })
}

/// The new file's facts: the temporary file's, with the content's size and
/// the mode and owner the script gave it.
fn written(want: &WantedFile, before: &FileInfo, temporary: FileInfo) -> FileInfo {
    let mut now = FileInfo {
        path: before.path.clone(),
        kind: FileKind::File,
        size: want.content.len() as u64,
        checksum: Some(want.checksum.to_string()),
        ..temporary
    };
    match want.mode {
        Some(mode) => now.mode = mode,
        None if before.exists() => {
            now.mode = before.mode;
            now.uid = before.uid;
            now.gid = before.gid;
            now.owner = before.owner.clone();
            now.group = before.group.clone();
        }
        None => {}
    }
    now
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::{Connection, LocalConnection};
    use std::os::unix::fs::PermissionsExt;

    fn settle(dest: &str, name: Option<&str>, content: &[u8], mode: Option<u32>) -> Settled {
        let checksum = crate::modules::utils::placement::sha1_hex(content);
        let want = WantedFile {
            dest,
            name,
            content,
            checksum: &checksum,
            mode,
            force: true,
            read_existing: false,
        };
        let joined = name.map(|name| format!("{}/{name}", dest.trim_end_matches('/')));
        let set = inline_data::assignment("content", content).expect("inline");
        let output = LocalConnection::new()
            .run(&script(&want, &set, joined.as_deref()), None)
            .expect("run");
        assert_eq!(output.rc, 0, "{}", output.stderr_text());
        parse(&want, &output.stdout_text(), joined.as_deref()).expect("parses")
    }

    fn mode_of(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).expect("stat").permissions().mode() & 0o7777
    }

    #[test]
    fn writes_only_what_differs_and_reports_before_and_after() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.conf");
        let dest = path.display().to_string();
        let Settled::Done { before, after, .. } = settle(&dest, None, b"one\n", Some(0o640)) else {
            panic!("not written");
        };
        assert_eq!(before.kind, FileKind::Absent);
        let after = after.expect("written");
        assert_eq!((after.size, after.mode), (4, 0o640));
        assert_eq!(std::fs::read(&path).expect("read"), b"one\n");
        assert_eq!(mode_of(&path), 0o640);
        // The same content: nothing written, the checksum seen.
        let Settled::Done { before, after, .. } = settle(&dest, None, b"one\n", Some(0o640)) else {
            panic!("not settled");
        };
        assert_eq!(before.checksum.as_deref(), Some(sha1_of(b"one\n").as_str()));
        assert_eq!(after, None);
        // Only the mode differs: chmod, no write.
        let Settled::Done { after, .. } = settle(&dest, None, b"one\n", Some(0o600)) else {
            panic!("not settled");
        };
        assert_eq!(after.map(|a| a.mode), Some(0o600));
        assert_eq!(mode_of(&path), 0o600);
        // Other content without a mode keeps the file's mode; the size
        // differs, so no checksum was needed.
        let Settled::Done { before, after, .. } = settle(&dest, None, b"two 'quoted'\n", None)
        else {
            panic!("not settled");
        };
        assert_eq!(before.checksum, None);
        assert_eq!(after.map(|a| (a.mode, a.size)), Some((0o600, 13)));
        assert_eq!(mode_of(&path), 0o600);
        assert_eq!(std::fs::read(&path).expect("read"), b"two 'quoted'\n");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
        // A mode no umask gives (executable) is kept too.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        settle(&dest, None, b"three\n", None);
        assert_eq!(mode_of(&path), 0o755);
        assert_eq!(std::fs::read(&path).expect("read"), b"three\n");
    }

    fn sha1_of(content: &[u8]) -> String {
        crate::modules::utils::placement::sha1_hex(content)
    }

    #[test]
    fn a_directory_dest_takes_the_name_and_a_missing_parent_is_said() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().display().to_string();
        let Settled::Done { path, .. } = settle(&dest, Some("motd"), b"hi\n", None) else {
            panic!("not written");
        };
        assert_eq!(path, format!("{dest}/motd"));
        assert_eq!(
            std::fs::read(dir.path().join("motd")).expect("read"),
            b"hi\n"
        );
        assert_eq!(
            settle(&dest, None, b"hi\n", None),
            Settled::IntoDirectoryWithoutName
        );
        let missing = format!("{dest}/no/such");
        assert_eq!(
            settle(&missing, None, b"hi\n", None),
            Settled::NoParent { path: missing }
        );
    }

    /// A script cut anywhere in its content is never run: the old file stays.
    #[test]
    fn a_script_cut_short_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.conf");
        std::fs::write(&path, "old\n").expect("write");
        let dest = path.display().to_string();
        let content = b"new content\n".repeat(100);
        let checksum = sha1_of(&content);
        let want = WantedFile {
            dest: &dest,
            name: None,
            content: &content,
            checksum: &checksum,
            mode: None,
            force: true,
            read_existing: false,
        };
        let set = inline_data::assignment("content", &content).expect("inline");
        let script = script(&want, &set, None);
        let framed = format!("( eval '{}' )", script.replace('\'', r"'\''"));
        for cut in (0..framed.len() - 1).step_by(97) {
            let _ = std::process::Command::new("sh")
                .arg("-c")
                .arg(&framed[..cut])
                .output()
                .expect("sh");
            assert_eq!(
                std::fs::read(&path).expect("read"),
                b"old\n",
                "cut at {cut}"
            );
        }
    }
}
