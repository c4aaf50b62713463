//! `tempfile`: a new temporary file (0600) or directory (0700) on the
//! host, made exclusively (`mkdir`, or a `set -C` redirection) under a
//! name drawn as Python's `mkstemp` draws it, reported with the path and
//! the file facts Ansible adds to any result with a `path`. Like Ansible's, it cannot run in check mode (skipped there).

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct Tempfile;

static SPEC: ArgSpec = ArgSpec {
    names: &["state", "path", "prefix", "suffix"],
    free_form: FreeForm::KeyValue,
    choices: &[("state", &["file", "directory"])],
    paths: &["path"],
    ..ArgSpec::EMPTY
};

/// A name part must be one component: no `/`.
fn component(what: &str, text: &str) -> Result<(), ModuleError> {
    if text.contains('/') {
        return Err(ModuleError::failed(format!(
            "{what} must be a valid file name component, got '{text}'"
        )));
    }
    Ok(())
}

/// Python's `tempfile` alphabet for the random part of the name.
const NAME_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_";

/// Eight random characters, as Python's `mkstemp` draws them.
fn random_part() -> String {
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(NAME_CHARS[usize::from(*b) % NAME_CHARS.len()]))
        .collect()
}

/// How many names to try before giving up, as Python's `TMP_MAX` bounds it.
const ATTEMPTS: usize = 16;

/// The `sh` that makes the file or directory under the first free name of
/// `names` (exclusively: `mkdir`, or `set -C` for a file) and prints its
/// path, then `uid|gid|owner|group|mode|size`.
fn script(directory: bool, dir: Option<&str>, names: &[String]) -> String {
    let dir = dir.map_or_else(|| "\"${TMPDIR:-/tmp}\"".to_string(), shell_quote);
    let make = if directory {
        "mkdir -m 0700 -- \"$p\""
    } else {
        "(umask 077; set -C; : > \"$p\")"
    };
    let names: Vec<String> = names.iter().map(|n| shell_quote(n)).collect();
    format!(
        "command -v stat >/dev/null 2>&1 || {{ echo stat >&2; exit 127; }}\n\
         d={dir}\n\
         for n in {}; do\n\
         p=\"${{d%/}}/$n\"\n\
         if {make} 2>/dev/null; then\n\
         printf '%s\\n' \"$p\"\n\
         exec stat -c '%u|%g|%U|%G|%a|%s' -- \"$p\"\n\
         fi\n\
         [ -d \"$d\" ] || {{ echo \"No such file or directory: '$d'\" >&2; exit 1; }}\n\
         done\n\
         echo 'No usable temporary file name found' >&2; exit 1\n",
        names.join(" ")
    )
}

impl Module for Tempfile {
    fn name(&self) -> &'static str {
        "tempfile"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let directory = match args.str("state")?.as_deref() {
            None | Some("file") => false,
            Some("directory") => true,
            Some(other) => {
                return Err(ModuleError::failed(format!(
                    "value of state must be one of: file, directory, got: {other}"
                )));
            }
        };
        let prefix = args.str("prefix")?.unwrap_or_else(|| "ansible.".into());
        let suffix = args.str("suffix")?.unwrap_or_default();
        component("prefix", &prefix)?;
        component("suffix", &suffix)?;
        if ctx.check_mode {
            return Ok(Outcome::skipped(
                "remote module (tempfile) does not support check mode",
            ));
        }
        let path = args.str("path")?;
        let names: Vec<String> = (0..ATTEMPTS)
            .map(|_| format!("{prefix}{}{suffix}", random_part()))
            .collect();
        let output = ctx
            .connection()?
            .run(&script(directory, path.as_deref(), &names), None)?;
        if output.rc == 127 {
            return Err(ModuleError::failed(format!(
                "tempfile needs stat on {}, which is not installed there",
                ctx.host
            )));
        }
        let stdout = output.stdout_text();
        let mut lines = stdout.lines();
        let (Some(made), Some(facts)) = (lines.next(), lines.next()) else {
            return Err(ModuleError::failed(output.stderr_text().trim().to_string()));
        };
        let mut outcome = Outcome::changed().with("path", Value::from(made));
        if let [uid, gid, owner, group, mode, size] = facts.split('|').collect::<Vec<_>>()[..] {
            let number = |text: &str| Value::from(text.parse::<u64>().unwrap_or(0));
            let mode = u32::from_str_radix(mode, 8).unwrap_or(0);
            outcome = outcome
                .with("uid", number(uid))
                .with("gid", number(gid))
                .with("owner", Value::from(owner))
                .with("group", Value::from(group))
                .with("mode", Value::from(format!("0{mode:03o}")))
                .with("state", Value::from(if directory { "directory" } else { "file" }))
                .with("size", number(size));
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_exclusively_in_the_directory() {
        let sh = script(true, Some("/srv/x y"), &["a.b".into()]);
        assert!(sh.contains("d='/srv/x y'\nfor n in a.b; do"), "{sh}");
        assert!(sh.contains("mkdir -m 0700"), "{sh}");
        assert!(script(false, None, &[]).contains("set -C"));
        assert!(component("prefix", "a/b").is_err());
        let part = random_part();
        assert_eq!(part.len(), 8);
        assert!(part.bytes().all(|b| NAME_CHARS.contains(&b)), "{part}");
    }
}
