//! A symbolic link made in one round trip: the script looks at the path
//! (without following it) and whether the link's source exists (relative
//! to the link's directory, as the link will read it), and makes the link
//! only where the controller would have: the path is missing, or is
//! another link, or (with `force`) is a file; and the source exists, or
//! `force` says to link anyway. It prints the facts before and after for
//! the controller to judge changed/ok, and the errors, as an inspection
//! would have.

use crate::connection::{shell_quote, transfer};
use crate::modules::{ModuleContext, ModuleError};

use super::file_info::{FileInfo, STAT_FORMAT, parse_info};
use super::settle_path::run_settling;

/// What the script found and did.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LinkSettled {
    pub before: FileInfo,
    /// Whether the source exists, seen from the link's directory.
    pub source_exists: bool,
    /// The link's facts, when it was made.
    pub after: Option<FileInfo>,
}

/// Make `path` a symbolic link to `src` where it is not one already.
pub(crate) fn settle_link(
    ctx: &mut ModuleContext,
    path: &str,
    src: &str,
    force: bool,
) -> Result<LinkSettled, ModuleError> {
    run_settling(
        ctx,
        path,
        &script(path, src, force),
        &format!("setting {path} to link"),
        |stdout| parse(path, src, stdout),
    )
}

fn script(path: &str, src: &str, force: bool) -> String {
    let quoted_src = shell_quote(src);
    let force = u8::from(force);
    format!(
        "p={quoted}
h=$PWD
e=
cd -- {dir} 2>/dev/null
[ -e {quoted_src} ] && e=1
cd -- \"$h\" || exit 1
if [ -n \"$e\" ]; then echo present; else echo missing; fi
if [ -e \"$p\" ] || [ -L \"$p\" ]; then
  f=$(stat -c {STAT_FORMAT} -- \"$p\") || exit 2
  l=
  if [ -L \"$p\" ]; then l=$(readlink -- \"$p\") || exit 2; fi
  printf 'before\\n%s\\n%s\\n\\n' \"$f\" \"$l\"
  o=$IFS; IFS='|'; set -f; set -- $f; set +f; IFS=$o
  k=$1
else
  printf 'before\\nabsent\\n'
  k=absent
fi
case $k in
  'symbolic link') [ \"$l\" = {quoted_src} ] && exit 0; flags=-sfn ;;
  directory) exit 0 ;;
  absent) flags=-s ;;
  *) [ {force} = 1 ] || exit 0; flags=-sfn ;;
esac
[ -n \"$e\" ] || [ {force} = 1 ] || exit 0
ln $flags -- {quoted_src} \"$p\" || exit 1
f=$(stat -c {STAT_FORMAT} -- \"$p\") || exit 2
printf 'after\\n%s\\n%s\\n\\n' \"$f\" {quoted_src}",
        quoted = shell_quote(path),
        dir = shell_quote(&transfer::parent_dir(path)),
    )
}

fn parse(path: &str, src: &str, stdout: &str) -> Option<LinkSettled> {
    let (source, rest) = stdout.split_once('\n')?;
    let source_exists = match source {
        "present" => true,
        "missing" => false,
        _ => return None,
    };
    let rest = rest.strip_prefix("before\n")?;
    let (before_text, after_text) = match rest.split_once("after\n") {
        Some((before, after)) => (before, Some(after)),
        None => (rest, None),
    };
    let before = parse_info(path, before_text)?;
    let after = match after_text {
        Some(text) => {
            let mut after = parse_info(path, text)?;
            after.link_target = Some(src.to_string());
            Some(after)
        }
        None => None,
    };
    Some(LinkSettled {
        before,
        source_exists,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::{Connection, LocalConnection};
    use crate::modules::utils::host::FileKind;

    fn settle(path: &std::path::Path, src: &str, force: bool) -> LinkSettled {
        let path = path.display().to_string();
        let output = LocalConnection::new()
            .run(&script(&path, src, force), None)
            .expect("run");
        assert_eq!(output.rc, 0, "{}", output.stderr_text());
        parse(&path, src, &output.stdout_text()).expect("parses")
    }

    #[test]
    fn links_only_where_it_should() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("app.conf"), "x").expect("write");
        let link = dir.path().join("current.conf");
        // A relative source is looked for beside the link.
        let made = settle(&link, "app.conf", false);
        assert!(made.source_exists);
        assert_eq!(made.before.kind, FileKind::Absent);
        let after = made.after.expect("made");
        assert_eq!(after.kind, FileKind::Link);
        assert_eq!(after.link_target.as_deref(), Some("app.conf"));
        assert_eq!(
            std::fs::read_link(&link).expect("link"),
            std::path::Path::new("app.conf")
        );
        // Already so: nothing done.
        assert_eq!(settle(&link, "app.conf", false).after, None);
        // A missing source is linked only with force.
        let other = dir.path().join("other.conf");
        let refused = settle(&other, "none.conf", false);
        assert!(!refused.source_exists);
        assert_eq!(refused.after, None);
        assert!(std::fs::symlink_metadata(&other).is_err());
        assert!(settle(&other, "none.conf", true).after.is_some());
        // A file is replaced only with force; a directory never.
        let file = dir.path().join("app.conf");
        assert_eq!(settle(&file, "current.conf", false).after, None);
        assert_eq!(settle(dir.path(), "app.conf", true).after, None);
    }
}
