use super::builtin_read::{BUILTIN_READ_MAX, read_whole};
use crate::connection::shell_quote;
use crate::modules::{ModuleContext, ModuleError};

/// What kind of thing a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Absent,
    File,
    Directory,
    Link,
    Other,
}

/// A path's facts on the host, from one round trip.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FileInfo {
    pub path: String,
    pub kind: FileKind,
    /// Permission bits (`0o644`), including setuid/setgid/sticky.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub owner: String,
    pub group: String,
    pub size: u64,
    /// Seconds since the epoch.
    pub mtime: i64,
    pub atime: i64,
    /// The target of a symbolic link.
    pub link_target: Option<String>,
    /// SHA-1 of a regular file's content, when asked for.
    pub checksum: Option<String>,
}

impl FileInfo {
    pub(crate) fn exists(&self) -> bool {
        self.kind != FileKind::Absent
    }

    /// `0644`, as Ansible shows modes.
    pub(crate) fn mode_text(&self) -> String {
        format!("{:04o}", self.mode)
    }
}

/// Facts about `path` (not following a final symlink unless `follow`),
/// with the SHA-1 of a regular file when `checksum` is set.
pub(crate) fn file_info(
    ctx: &mut ModuleContext,
    path: &str,
    follow: bool,
    checksum: bool,
) -> Result<FileInfo, ModuleError> {
    file_info_and_parent(ctx, path, follow, checksum, None).map(|(info, _)| info)
}

/// [`file_info`], and when `path` does not exist whether its directory
/// `parent` does, in the same round trip (a path that exists has one).
pub(crate) fn file_info_and_parent(
    ctx: &mut ModuleContext,
    path: &str,
    follow: bool,
    checksum: bool,
    parent: Option<&str>,
) -> Result<(FileInfo, bool), ModuleError> {
    let script = info_script(path, follow, checksum, parent);
    let (info, text) = run_info_script(ctx, path, &script, None)?;
    let parent_exists = info.exists() || text.lines().nth(1) == Some("parent");
    Ok((info, parent_exists))
}

/// [`file_info`] (without a checksum), and what the `sh` of `then` printed,
/// run after it in the same round trip.
pub(crate) fn file_info_then(
    ctx: &mut ModuleContext,
    path: &str,
    follow: bool,
    then: &str,
) -> Result<(FileInfo, String), ModuleError> {
    let script = format!(
        "{}\necho {THEN}\n{then}",
        info_script(path, follow, false, None)
    );
    let marker = format!("{THEN}\n");
    let (info, text) = run_info_script(ctx, path, &script, Some(&marker))?;
    let printed = text.split_once(&marker).map_or("", |(_, printed)| printed);
    Ok((info, printed.to_string()))
}

/// Run a script that starts with [`info_script`]: the facts it printed
/// (up to `facts_end`, when given), and the whole of its stdout.
fn run_info_script(
    ctx: &mut ModuleContext,
    path: &str,
    script: &str,
    facts_end: Option<&str>,
) -> Result<(FileInfo, String), ModuleError> {
    let output = ctx.connection()?.run(script, None)?;
    if output.rc == 127 {
        return Err(ModuleError::failed(format!(
            "stat is not installed on {}",
            ctx.host
        )));
    }
    let text = output.stdout_text();
    let facts = facts_end
        .and_then(|end| text.split_once(end))
        .map_or(text.as_str(), |(facts, _)| facts);
    let info = parse_info(path, facts).ok_or_else(|| {
        ModuleError::failed(format!(
            "cannot read the state of {path} on {}: {}",
            ctx.host,
            output.stderr_text().trim()
        ))
    })?;
    Ok((info, text))
}

/// Marks where what [`file_info_then`] ran after the facts printed begins.
const THEN: &str = "@runbook-then";

/// A path's facts (following a link, no checksum), its content when it is
/// no directory, and whether its directory exists, in one round trip.
pub(crate) struct FileWithContent {
    pub info: FileInfo,
    pub content: Option<Vec<u8>>,
    pub parent_exists: bool,
}

/// Marks where a file's content begins after its facts.
const CONTENT: &str = "@runbook-content";

pub(crate) fn file_info_and_content(
    ctx: &mut ModuleContext,
    path: &str,
    parent: Option<&str>,
) -> Result<FileWithContent, ModuleError> {
    // A small regular file is read by `sh` itself; others by `cat`.
    let script = format!(
        "{}\nif [ -e \"$p\" ] && [ ! -d \"$p\" ]; then\n  echo {CONTENT}\n  o=$IFS; IFS='|'; set -f; set -- $f; set +f; IFS=$o\n  if [ -f \"$p\" ] && [ -r \"$p\" ] && [ \"$7\" -le {BUILTIN_READ_MAX} ] && {}; then printf '%s' \"$c\"; else cat -- \"$p\" || exit 4; fi\nfi",
        info_script(path, true, false, parent),
        read_whole("p", "7", "c"),
    );
    let output = ctx.connection()?.run(&script, None)?;
    let cannot = |why: String| {
        ModuleError::failed(format!(
            "cannot read {path} on {}: {why}{}",
            ctx.host,
            output.stderr_text().trim()
        ))
    };
    match output.rc {
        0 => {}
        127 => return Err(cannot("stat is not installed ".into())),
        rc => return Err(cannot(format!("rc={rc}: "))),
    }
    let marker = format!("{CONTENT}\n");
    let (facts, content) = match memchr::memmem::find(&output.stdout, marker.as_bytes()) {
        Some(at) => (
            &output.stdout[..at],
            Some(output.stdout[at + marker.len()..].to_vec()),
        ),
        None => (&output.stdout[..], None),
    };
    let facts = String::from_utf8_lossy(facts);
    let info = parse_info(path, &facts).ok_or_else(|| cannot(String::new()))?;
    let parent_exists = info.exists() || facts.lines().nth(1) == Some("parent");
    Ok(FileWithContent {
        info,
        content,
        parent_exists,
    })
}

/// Marks where the facts a command prints after its work begin.
pub(crate) const FACTS_AFTER: &str = "@runbook-facts-after";

/// `sh` to append to a command (a `&&` chain) so that, once it succeeded,
/// the same round trip prints `path`'s facts for [`facts_after`]; a failure
/// ends the script with its status.
pub(crate) fn then_stat(path: &str, follow: bool) -> String {
    format!(
        " || exit $?\necho {FACTS_AFTER}\n{}",
        info_script(path, follow, false, None)
    )
}

/// The facts [`then_stat`] printed.
pub(crate) fn facts_after(
    path: &str,
    output: &crate::connection::ExecOutput,
    host: &str,
) -> Result<FileInfo, ModuleError> {
    output
        .stdout_text()
        .split_once(&format!("{FACTS_AFTER}\n"))
        .and_then(|(_, facts)| parse_info(path, facts))
        .ok_or_else(|| {
            ModuleError::failed(format!(
                "cannot read the state of {path} on {host} after changing it: {}",
                output.stderr_text().trim()
            ))
        })
}

/// The `sh` that prints what [`parse_info`] reads, leaving the `stat` line
/// in `$f`.
fn info_script(path: &str, follow: bool, checksum: bool, parent: Option<&str>) -> String {
    let quoted = shell_quote(path);
    let follow_flag = if follow { "-L " } else { "" };
    let sum = if checksum {
        "if [ -f \"$p\" ] && [ -r \"$p\" ]; then command -v sha1sum >/dev/null 2>&1 || { echo 'sha1sum is not installed' >&2; exit 3; }; sha1sum < \"$p\"; else echo; fi"
    } else {
        "echo"
    };
    let parent = parent.map_or_else(String::new, |dir| {
        format!("\n  [ -d {} ] && echo parent", shell_quote(dir))
    });
    format!(
        "p={quoted}\nif [ -e \"$p\" ] || [ -L \"$p\" ]; then\n  f=$(stat {follow_flag}-c {STAT_FORMAT} -- \"$p\") || {{ r=$?; [ $r = 127 ] && exit 127; exit 2; }}\n  printf '%s\\n' \"$f\"\n  if [ -L \"$p\" ]; then readlink -- \"$p\"; else echo; fi\n  {sum}\nelse\n  echo absent{parent}\nfi"
    )
}

/// The `stat -c` format every fact script prints and [`parse_info`] reads
/// (quoted for `sh`).
pub(super) const STAT_FORMAT: &str = "'%F|%a|%u|%g|%U|%G|%s|%Y|%X'";

pub(super) fn parse_info(path: &str, text: &str) -> Option<FileInfo> {
    let mut lines = text.lines();
    let first = lines.next()?;
    if first == "absent" {
        return Some(absent(path));
    }
    let fields: Vec<&str> = first.split('|').collect();
    let [kind, mode, uid, gid, owner, group, size, mtime, atime] = fields[..] else {
        return None;
    };
    let link = lines.next().unwrap_or_default();
    let checksum = lines.next().unwrap_or_default();
    Some(FileInfo {
        path: path.to_string(),
        kind: match kind {
            "regular file" | "regular empty file" => FileKind::File,
            "directory" => FileKind::Directory,
            "symbolic link" => FileKind::Link,
            _ => FileKind::Other,
        },
        mode: u32::from_str_radix(mode, 8).ok()?,
        uid: uid.parse().ok()?,
        gid: gid.parse().ok()?,
        owner: owner.to_string(),
        group: group.to_string(),
        size: size.parse().ok()?,
        mtime: mtime.parse().ok()?,
        atime: atime.parse().ok()?,
        link_target: (!link.is_empty()).then(|| link.to_string()),
        // `sha1sum` prints `<digest>  -`.
        checksum: checksum.split_whitespace().next().map(str::to_string),
    })
}

fn absent(path: &str) -> FileInfo {
    FileInfo {
        path: path.to_string(),
        kind: FileKind::Absent,
        mode: 0,
        uid: 0,
        gid: 0,
        owner: String::new(),
        group: String::new(),
        size: 0,
        mtime: 0,
        atime: 0,
        link_target: None,
        checksum: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stat_output() {
        let info = parse_info(
            "/etc/x",
            "regular file|644|0|0|root|root|12|1700000000|1700000001\n\nabc123  -\n",
        )
        .expect("parses");
        assert_eq!(
            (info.kind, info.mode, info.size),
            (FileKind::File, 0o644, 12)
        );
        assert_eq!(info.checksum.as_deref(), Some("abc123"));
        assert_eq!(info.mode_text(), "0644");
        let link =
            parse_info("/l", "symbolic link|777|0|0|root|root|3|1|1\n/etc/x\n\n").expect("parses");
        assert_eq!(link.link_target.as_deref(), Some("/etc/x"));
        assert_eq!(
            parse_info("/n", "absent\n").map(|i| i.kind),
            Some(FileKind::Absent)
        );
        assert!(parse_info("/n", "garbage\n").is_none());
    }
}
