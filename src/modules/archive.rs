//! `archive`: pack files and trees on the host into a tar (gz/bz2/xz) or
//! zip archive, or compress a single file. As Ansible, the archive is
//! rebuilt only when its *content* (member names and bytes) would differ
//! from the existing `dest`; timestamps alone do not count.

use super::utils::host::FILE_ATTRIBUTES;
use super::utils::host::{
    Attributes, apply_attributes, attribute_changes, file_info, require_tools, run_checked,
};
use super::{ArgSpec, Args, Changes, Diff, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct Archive;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "path",
        "dest",
        "format",
        "exclude_path",
        "remove",
        "force_archive",
    ],
    groups: &[&FILE_ATTRIBUTES],
    required: &["path"],
    paths: &["path", "dest"],
    ..ArgSpec::EMPTY
};

const FORMATS: &[&str] = &["gz", "bz2", "xz", "zip", "tar"];

pub(super) struct Wanted {
    patterns: Vec<String>,
    dest: Option<String>,
    format: String,
    exclude: Vec<String>,
    remove: bool,
    force_archive: bool,
    attributes: Attributes,
}

pub(super) struct Found {
    expanded: Vec<String>,
    missing: Vec<String>,
    plan: Plan,
    /// Fingerprint of what would be written, and of the existing `dest`.
    new_print: String,
    old_print: Option<String>,
    members: Vec<String>,
    dest_info: super::utils::host::FileInfo,
}

/// What is built from the expanded paths.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Plan {
    /// A multi-member archive, or one compressed file.
    pub archive: bool,
    pub dest: String,
    pub arcroot: String,
    /// Members relative to `arcroot`.
    pub members: Vec<String>,
}

impl StateModule for Archive {
    type Desired = Wanted;
    type Observed = Found;

    fn name(&self) -> &'static str {
        "archive"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Wanted, ModuleError> {
        let format = args.str("format")?.unwrap_or_else(|| "gz".into());
        if !FORMATS.contains(&format.as_str()) {
            return Err(ModuleError::failed(format!(
                "format must be one of {}, got {format:?}",
                FORMATS.join(", ")
            )));
        }
        Ok(Wanted {
            patterns: args.str_list("path")?.unwrap_or_default(),
            dest: args.str("dest")?,
            format,
            exclude: args.str_list("exclude_path")?.unwrap_or_default(),
            remove: args.bool("remove", false)?,
            force_archive: args.bool("force_archive", false)?,
            attributes: Attributes::from_args(args)?,
        })
    }

    fn inspect(&self, want: &Wanted, ctx: &mut ModuleContext) -> Result<Found, ModuleError> {
        let (expanded, dirs, missing) = expand(ctx, want)?;
        if expanded.is_empty() {
            return Err(ModuleError::failed(format!(
                "Error, no source paths were found: {}",
                want.patterns.join(", ")
            )));
        }
        let plan = plan(want, &expanded, &dirs).map_err(ModuleError::failed)?;
        require_tools(ctx, "archive", &[tool(&want.format, plan.archive)])?;
        let script = format!(
            "w=$(mktemp -d) || exit 1\ntrap 'rm -rf \"$w\"' EXIT\n{build}\n{done}\n{new}\nif [ -e {dest} ]; then {old}; else echo none; fi\n{list}",
            build = build_command(want, &plan, "$w/new"),
            done = build_failed_exit(want, &plan),
            new = fingerprint(want, &plan, "\"$w/new\""),
            dest = shell_quote(&plan.dest),
            old = fingerprint(want, &plan, &shell_quote(&plan.dest)),
            list = if plan.archive {
                list_command(&want.format, "\"$w/new\"")
            } else {
                String::new()
            },
        );
        let output = run_checked(ctx, "building the archive", &script, None)?;
        let text = output.stdout_text();
        let mut lines = text.lines();
        let new_print = lines.next().unwrap_or_default().to_string();
        let old_print = lines.next().filter(|l| *l != "none").map(str::to_string);
        let members = lines
            .filter(|l| !l.ends_with('/'))
            .map(str::to_string)
            .collect();
        let dest_info = file_info(ctx, &plan.dest, true, false)?;
        Ok(Found {
            expanded,
            missing,
            plan,
            new_print,
            old_print,
            members,
            dest_info,
        })
    }

    fn diff(&self, want: &Wanted, have: &Found) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        if have.old_print.as_ref() != Some(&have.new_print) {
            let before = if have.dest_info.exists() {
                "outdated"
            } else {
                "absent"
            };
            changes.add(
                format!("build {}", have.plan.dest),
                Some(Diff::attribute(
                    &have.plan.dest,
                    "state",
                    before,
                    "archived",
                )),
            );
            return Ok(changes);
        }
        changes.extend(attribute_changes(&want.attributes, &have.dest_info)?);
        Ok(changes)
    }

    fn apply(
        &self,
        want: &Wanted,
        have: &Found,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let plan = &have.plan;
        if have.old_print.as_ref() != Some(&have.new_print) {
            let dest = shell_quote(&plan.dest);
            let script = format!(
                "w=$(mktemp \"$(dirname -- {dest})/.runbook-archive.XXXXXX\") || exit 1\ntrap 'rm -f \"$w\"' EXIT\n{build}\n{done}\nmv -f \"$w\" {dest} && trap - EXIT",
                build = build_command(want, plan, "$w"),
                done = build_failed_exit(want, plan),
            );
            run_checked(ctx, &format!("writing {}", plan.dest), &script, None)?;
        }
        if want.remove {
            let targets: Vec<String> = have.expanded.iter().map(|p| shell_quote(p)).collect();
            run_checked(
                ctx,
                "removing archived paths",
                &format!("rm -rf -- {}", targets.join(" ")),
                None,
            )?;
        }
        let current = file_info(ctx, &plan.dest, true, false)?;
        apply_attributes(ctx, &plan.dest, &want.attributes, &current)?;
        Ok(Outcome::ok())
    }

    fn describe(&self, _want: &Wanted, have: &Found) -> Outcome {
        let list = |items: &[String]| {
            items
                .iter()
                .map(|i| Value::from(i.as_str()))
                .collect::<Vec<_>>()
        };
        let archived: Vec<String> = if have.plan.archive {
            have.members
                .iter()
                .map(|m| format!("{}{m}", have.plan.arcroot))
                .collect()
        } else {
            have.expanded.clone()
        };
        let state = match (have.missing.is_empty(), have.plan.archive) {
            (false, _) => "incomplete",
            (true, true) => "archive",
            (true, false) => "compress",
        };
        Outcome::ok()
            .with("dest", have.plan.dest.as_str())
            .with("arcroot", have.plan.arcroot.as_str())
            .with("archived", list(&archived))
            .with("expanded_paths", list(&have.expanded))
            .with("missing", list(&have.missing))
            .with("state", state)
    }
}

/// Paths to pack, which of them are directories, literal paths not found.
type Expanded = (Vec<String>, Vec<String>, Vec<String>);

/// Expand `path` and `exclude_path` globs on the host: the paths to pack
/// (without the excluded ones), which of them are directories, and the
/// literal paths that do not exist. Each name ends with a NUL, printed by
/// `printf '%s'`: names may hold newlines, and `echo` would read backslashes.
fn expand(ctx: &mut ModuleContext, want: &Wanted) -> Result<Expanded, ModuleError> {
    let mut script = String::new();
    for (tag, patterns) in [("P", &want.patterns), ("X", &want.exclude)] {
        for pattern in patterns {
            script.push_str(&format!(
                "for f in {}; do if [ -d \"$f\" ]; then k=D; elif [ -e \"$f\" ] || [ -L \"$f\" ]; then k=F; else k=M; fi; printf '{tag}%s %s\\0' \"$k\" \"$f\"; done\n",
                glob_word(pattern)
            ));
        }
    }
    let output = run_checked(ctx, "expanding paths", &script, None)?;
    let text = output.stdout_text();
    let entries = || text.split('\0').filter(|entry| !entry.is_empty());
    let excluded: Vec<&str> = entries()
        .filter_map(|l| l.strip_prefix("XD ").or(l.strip_prefix("XF ")))
        .collect();
    let (mut found, mut dirs, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for line in entries() {
        let (tag, path) = line.split_at(line.len().min(3));
        if excluded.contains(&path) {
            continue;
        }
        match tag {
            "PD " => {
                dirs.push(path.to_string());
                found.push(path.to_string());
            }
            "PF " => found.push(path.to_string()),
            "PM " if !has_glob(path) => missing.push(path.to_string()),
            _ => {}
        }
    }
    Ok((found, dirs, missing))
}

fn has_glob(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// A shell word that globs like `pattern`: glob characters bare, the rest quoted.
fn glob_word(pattern: &str) -> String {
    let mut word = String::new();
    let mut literal = String::new();
    for c in pattern.chars() {
        if matches!(c, '*' | '?' | '[' | ']') {
            if !literal.is_empty() {
                word.push_str(&shell_quote(&literal));
                literal.clear();
            }
            word.push(c);
        } else {
            literal.push(c);
        }
    }
    if !literal.is_empty() {
        word.push_str(&shell_quote(&literal));
    }
    word
}

/// Decide archive vs compress, `dest` and `arcroot` as Ansible does.
pub(super) fn plan(want: &Wanted, expanded: &[String], dirs: &[String]) -> Result<Plan, String> {
    let archive = want.force_archive
        || expanded.len() > 1
        || !dirs.is_empty()
        || matches!(want.format.as_str(), "zip" | "tar");
    let dest = match (&want.dest, archive) {
        (Some(dest), _) => dest.clone(),
        (None, false) => format!("{}.{}", expanded[0], want.format),
        (None, true) => {
            return Err(
                "Error, must specify \"dest\" when archiving multiple files or trees".into(),
            );
        }
    };
    let arcroot = if expanded.len() == 1 {
        parent(&expanded[0])
    } else {
        common_dir(expanded)
    };
    let members = expanded
        .iter()
        .map(|p| p.strip_prefix(&arcroot).unwrap_or(p).to_string())
        .collect();
    Ok(Plan {
        archive,
        dest,
        arcroot,
        members,
    })
}

fn parent(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(at) => trimmed[..=at].to_string(),
        None => String::new(),
    }
}

/// The longest directory (ending in `/`) that contains every path.
fn common_dir(paths: &[String]) -> String {
    let mut common = parent(&paths[0]);
    while !paths.iter().all(|p| p.starts_with(&common)) {
        common = parent(common.trim_end_matches('/'));
    }
    common
}

fn tool(format: &str, archive: bool) -> &'static str {
    match (format, archive) {
        ("zip", _) => "zip",
        (_, true) => "tar",
        ("bz2", false) => "bzip2",
        ("xz", false) => "xz",
        _ => "gzip",
    }
}

fn compressor(format: &str) -> &'static str {
    match format {
        "bz2" => "bzip2",
        "xz" => "xz",
        _ => "gzip",
    }
}

/// Shell that writes the archive to `out` (a path expression, unquoted `$w/...`).
fn build_command(want: &Wanted, plan: &Plan, out: &str) -> String {
    let out = format!("\"{out}\"");
    if !plan.archive {
        return format!(
            "{} -c -- {} > {out}",
            compressor(&want.format),
            shell_quote(&plan_source(plan))
        );
    }
    let members: Vec<String> = plan.members.iter().map(|m| shell_quote(m)).collect();
    let excludes: Vec<String> = want
        .exclude
        .iter()
        .map(|e| e.strip_prefix(&plan.arcroot).unwrap_or(e).to_string())
        .collect();
    let cd = format!(
        "cd {} || exit 1",
        shell_quote(if plan.arcroot.is_empty() {
            "."
        } else {
            &plan.arcroot
        })
    );
    if want.format == "zip" {
        let mut x: Vec<String> = Vec::new();
        for e in &excludes {
            x.push(shell_quote(e));
            x.push(shell_quote(&format!("{e}/*")));
        }
        let exclude = if x.is_empty() {
            String::new()
        } else {
            format!(" -x {}", x.join(" "))
        };
        return format!(
            "( {cd}; rm -f {out}; zip -q -r -X {out} {}{exclude} )",
            members.join(" ")
        );
    }
    let flag = match want.format.as_str() {
        "gz" => "z",
        "bz2" => "j",
        "xz" => "J",
        _ => "",
    };
    let exclude: String = excludes
        .iter()
        .map(|e| format!(" {}", shell_quote(&format!("--exclude={e}"))))
        .collect();
    // GNU tar reads backslash escapes in names unless told not to.
    format!(
        "( {cd}; tar -c{flag}f {out} --sort=name --no-unquote{exclude} -- {} )",
        members.join(" ")
    )
}

/// Shell ending the script when the build failed (a full disk, an
/// unreadable file), so its partial output is never taken for the archive.
/// What each tool counts as a warning passes: GNU tar's 1 (a file changed
/// while it was read, which Python's tarfile in Ansible's module does not
/// notice either), gzip's and xz's 2.
fn build_failed_exit(want: &Wanted, plan: &Plan) -> &'static str {
    match (want.format.as_str(), plan.archive) {
        ("zip", _) => "rc=$?; [ \"$rc\" -eq 0 ] || exit \"$rc\"",
        (_, true) => "rc=$?; [ \"$rc\" -le 1 ] || exit \"$rc\"",
        ("bz2", false) => "rc=$?; [ \"$rc\" -eq 0 ] || exit \"$rc\"",
        _ => "rc=$?; [ \"$rc\" -ne 1 ] || exit \"$rc\"",
    }
}

fn plan_source(plan: &Plan) -> String {
    format!("{}{}", plan.arcroot, plan.members[0])
}

/// Shell printing one line: a SHA-1 over member names and contents (or the
/// uncompressed bytes of a single compressed file).
fn fingerprint(want: &Wanted, plan: &Plan, archive: &str) -> String {
    let sum = "sha1sum | cut -d' ' -f1";
    if !plan.archive {
        return format!("{} -dc < {archive} | {sum}", compressor(&want.format));
    }
    if want.format == "zip" {
        return format!("{{ unzip -Z1 {archive}; unzip -p {archive}; }} 2>/dev/null | {sum}");
    }
    format!("{{ tar -tf {archive}; tar -xOf {archive}; }} 2>/dev/null | {sum}")
}

fn list_command(format: &str, archive: &str) -> String {
    if format == "zip" {
        format!("unzip -Z1 {archive}")
    } else {
        format!("tar -tf {archive}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(format: &str, dest: Option<&str>) -> Wanted {
        Wanted {
            patterns: Vec::new(),
            dest: dest.map(str::to_string),
            format: format.into(),
            exclude: Vec::new(),
            remove: false,
            force_archive: false,
            attributes: Attributes::default(),
        }
    }

    #[test]
    fn one_file_is_compressed_beside_itself() {
        let plan = plan(&wanted("gz", None), &["/var/log/app.log".into()], &[]).expect("plan");
        assert_eq!(
            (plan.archive, plan.dest.as_str(), plan.arcroot.as_str()),
            (false, "/var/log/app.log.gz", "/var/log/")
        );
    }

    #[test]
    fn several_paths_share_their_common_directory_as_root() {
        let paths = vec!["/opt/app/a.txt".to_string(), "/opt/app/conf".to_string()];
        let plan = plan(
            &wanted("zip", Some("/tmp/a.zip")),
            &paths,
            &["/opt/app/conf".into()],
        )
        .expect("plan");
        assert!(plan.archive);
        assert_eq!(plan.arcroot, "/opt/app/");
        assert_eq!(plan.members, vec!["a.txt", "conf"]);
        assert!(super::plan(&wanted("gz", None), &paths, &[]).is_err());
    }

    #[test]
    fn globs_stay_bare_and_the_rest_is_quoted() {
        assert_eq!(glob_word("/opt/my dir/*.log"), "'/opt/my dir/'*.log");
        assert_eq!(glob_word("/opt/$(x)"), "'/opt/$(x)'");
    }

    proptest::proptest! {
        #[test]
        fn common_dir_contains_every_path(paths in proptest::collection::vec("(/[a-c]{1,2}){1,4}", 1..5)) {
            let root = common_dir(&paths);
            for path in &paths {
                proptest::prop_assert!(path.starts_with(&root));
            }
        }
    }
}
