//! `git`: a checkout of `repo` at `version` in `dest`. Inspect reads the
//! checkout's commit, its local modifications and the commit `version`
//! names on the remote (`git ls-remote`), in one round trip; apply clones or
//! fetches and checks out. Local modifications are never discarded unless
//! `force: true`.

use super::utils::host::{require_tools, run_checked};
use super::{
    ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule,
};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct Git;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "repo",
        "dest",
        "version",
        "force",
        "update",
        "clone",
        "depth",
        "remote",
        "accept_hostkey",
        "accept_newhostkey",
        "single_branch",
        "executable",
        "key_file",
        "ssh_opts",
        "recursive",
        "track_submodules",
        "umask",
        "bare",
    ],
    aliases: &[("name", "repo")],
    required: &["repo", "dest"],
    free_form: FreeForm::KeyValue,
    paths: &["dest"],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Desired {
    repo: String,
    dest: String,
    version: String,
    remote: String,
    force: bool,
    update: bool,
    clone: bool,
    depth: Option<u64>,
    /// `GIT_SSH_COMMAND` options (`accept_hostkey`, `key_file`, `ssh_opts`).
    ssh: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Observed {
    /// The checkout's commit; `None` when `dest` is not a checkout.
    before: Option<String>,
    /// Files with uncommitted changes (`git status --porcelain`).
    modified: Vec<String>,
    /// The commit `version` names on the remote, when the remote knows it.
    remote_head: Option<String>,
}

impl StateModule for Git {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "git"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let desired = read_args(args)?;
        refuse_options(&desired)?;
        Ok(desired)
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        require_tools(ctx, "git", &["git"])?;
        let dest = shell_quote(&operand(&want.dest));
        let script = format!(
            "{env}if [ -d {dest}/.git ] || git -C {dest} rev-parse --git-dir >/dev/null 2>&1; then\n\
             \x20 printf 'before=%s\\n' \"$(git -C {dest} rev-parse HEAD 2>/dev/null)\"\n\
             \x20 git -C {dest} status --porcelain --untracked-files=no | sed 's/^/modified=/'\n\
             fi\n\
             git ls-remote -- {repo} {refs} 2>/dev/null | sed 's/^/remote=/'\n\
             exit 0",
            env = env_prefix(want),
            repo = shell_quote(&want.repo),
            refs = ref_patterns(&want.version),
        );
        let output = run_checked(ctx, &format!("reading {}", want.dest), &script, None)?;
        Ok(parse_observed(&output.stdout_text(), &want.version))
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        let target = have
            .remote_head
            .clone()
            .or_else(|| is_commit_id(&want.version).then(|| want.version.clone()));
        match &have.before {
            None if !want.clone => {}
            None => changes.add(
                format!("clone {} into {}", want.repo, want.dest),
                Some(Diff::attribute(
                    &want.dest,
                    "version",
                    "absent",
                    target.as_deref().unwrap_or(&want.version),
                )),
            ),
            Some(before) => {
                if !want.update {
                    return Ok(changes);
                }
                if !have.modified.is_empty() && !want.force {
                    return Err(ModuleError::failed(format!(
                        "Local modifications exist in the destination: {} (force=no). Modified: {}",
                        want.dest,
                        have.modified.join(", ")
                    )));
                }
                let moves = target
                    .as_deref()
                    .is_none_or(|t| !t.starts_with(before.as_str()) && !before.starts_with(t));
                if moves || (want.force && !have.modified.is_empty()) {
                    let after = target.as_deref().unwrap_or(&want.version);
                    changes.add(
                        format!("update {} {before} -> {after}", want.dest),
                        Some(Diff::attribute(&want.dest, "version", before, after)),
                    );
                }
            }
        }
        Ok(changes)
    }

    fn apply(
        &self,
        want: &Desired,
        have: &Observed,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let dest = shell_quote(&operand(&want.dest));
        let repo = shell_quote(&want.repo);
        let remote = shell_quote(&want.remote);
        let version = shell_quote(&want.version);
        let depth = want
            .depth
            .map(|d| format!(" --depth {d}"))
            .unwrap_or_default();
        let mut script = env_prefix(want);
        if have.before.is_none() {
            let branch =
                if want.version == "HEAD" || is_commit_id(&want.version) || want.depth.is_none() {
                    String::new()
                } else {
                    format!(" --branch {version}")
                };
            script.push_str(&format!(
                "mkdir -p \"$(dirname -- {dest})\" && git clone --origin {remote}{depth}{branch} -- {repo} {dest} || exit 1\n"
            ));
        } else {
            script.push_str(&format!(
                "git -C {dest} fetch --tags{depth} {remote} || exit 1\n"
            ));
        }
        // Resolve `version` as a remote branch, then a tag, then a commit.
        script.push_str(&format!(
            "cd {dest} || exit 1\n\
             if [ {version} = HEAD ]; then target=$(git rev-parse {remote}/HEAD 2>/dev/null || git rev-parse HEAD)\n\
             elif git rev-parse -q --verify {remote}/{version}^{{commit}} >/dev/null; then\n\
             \x20 git checkout -q -B {version} {remote}/{version} --force >/dev/null 2>&1 || exit 1; target=\n\
             else target=$(git rev-parse -q --verify {version}^{{commit}}) || {{ printf 'Failed to checkout %s\\n' {version} >&2; exit 1; }}; fi\n\
             if [ -n \"$target\" ]; then git checkout -q --force --detach \"$target\" || exit 1; fi\n\
             git reset -q --hard || exit 1\n\
             printf 'after=%s\\n' \"$(git rev-parse HEAD)\"",
        ));
        let output = run_checked(ctx, &format!("updating {}", want.dest), &script, None)?;
        let after = output
            .stdout_text()
            .lines()
            .find_map(|l| l.strip_prefix("after=").map(str::to_string))
            .unwrap_or_default();
        Ok(Outcome::ok().with("after", after))
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        let before = have.before.as_deref().map_or(Value::from(()), Value::from);
        let after = match &have.before {
            Some(before) if !want.update => before.clone(),
            _ => have
                .remote_head
                .clone()
                .or_else(|| have.before.clone())
                .unwrap_or_default(),
        };
        Outcome::ok()
            .with("before", before)
            .with("after", after)
            .with("remote_url_changed", false)
    }
}

fn read_args(args: &Args) -> Result<Desired, ModuleError> {
    let mut ssh = Vec::new();
    if args.bool("accept_hostkey", false)? {
        ssh.push("-o StrictHostKeyChecking=no".to_string());
    } else if args.bool("accept_newhostkey", false)? {
        ssh.push("-o StrictHostKeyChecking=accept-new".to_string());
    }
    if let Some(key) = args.str("key_file")? {
        ssh.push(format!("-i {}", shell_quote(&key)));
    }
    if let Some(opts) = args.str("ssh_opts")? {
        ssh.push(opts);
    }
    Ok(Desired {
        repo: args.str("repo")?.unwrap_or_default(),
        dest: args.str("dest")?.unwrap_or_default(),
        version: args.str("version")?.unwrap_or_else(|| "HEAD".into()),
        remote: args.str("remote")?.unwrap_or_else(|| "origin".into()),
        force: args.bool("force", false)?,
        update: args.bool("update", true)?,
        clone: args.bool("clone", true)?,
        depth: args.f64("depth")?.map(|d| d.max(1.0) as u64),
        ssh: (!ssh.is_empty()).then(|| format!("ssh {}", ssh.join(" "))),
    })
}

/// A repository, remote or version starting with `-` would reach git as an
/// option (`--upload-pack=...` runs a command); git refuses such ref and
/// remote names itself, so they can only be an attack.
fn refuse_options(want: &Desired) -> Result<(), ModuleError> {
    for (name, value) in [
        ("repo", &want.repo),
        ("remote", &want.remote),
        ("version", &want.version),
    ] {
        if value.starts_with('-') {
            return Err(ModuleError::failed(format!(
                "{name} must not start with '-': {value}"
            )));
        }
    }
    Ok(())
}

/// A path as a command operand: one starting with `-` (even `-` alone,
/// which `cd` reads as "the previous directory") gets a `./` in front.
fn operand(path: &str) -> String {
    if path.starts_with('-') {
        format!("./{path}")
    } else {
        path.to_string()
    }
}

fn env_prefix(want: &Desired) -> String {
    match &want.ssh {
        Some(ssh) => format!(
            "GIT_SSH_COMMAND={}; export GIT_SSH_COMMAND\n",
            shell_quote(ssh)
        ),
        None => String::new(),
    }
}

/// The refs `ls-remote` should list for `version` (a branch, a tag, HEAD).
fn ref_patterns(version: &str) -> String {
    if version == "HEAD" {
        return "HEAD".into();
    }
    [
        version.to_string(),
        format!("refs/heads/{version}"),
        format!("refs/tags/{version}"),
        format!("refs/tags/{version}^{{}}"),
    ]
    .iter()
    .map(|pattern| shell_quote(pattern))
    .collect::<Vec<_>>()
    .join(" ")
}

fn is_commit_id(version: &str) -> bool {
    (7..=40).contains(&version.len()) && version.chars().all(|c| c.is_ascii_hexdigit())
}

fn parse_observed(text: &str, version: &str) -> Observed {
    let mut observed = Observed::default();
    let mut remote: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(commit) = line.strip_prefix("before=") {
            observed.before = (!commit.is_empty()).then(|| commit.to_string());
        } else if let Some(status) = line.strip_prefix("modified=") {
            observed
                .modified
                .push(status.get(3..).unwrap_or(status).to_string());
        } else if let Some(entry) = line.strip_prefix("remote=")
            && let Some((commit, name)) = entry.split_once('\t')
        {
            remote.push((name.to_string(), commit.to_string()));
        }
    }
    let wanted = [
        format!("refs/tags/{version}^{{}}"),
        format!("refs/heads/{version}"),
        format!("refs/tags/{version}"),
        version.to_string(),
    ];
    observed.remote_head = wanted.iter().find_map(|name| {
        remote
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.clone())
    });
    observed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want(version: &str, force: bool) -> Desired {
        Desired {
            repo: "/srv/r.git".into(),
            dest: "/opt/app".into(),
            version: version.into(),
            remote: "origin".into(),
            force,
            update: true,
            clone: true,
            depth: None,
            ssh: None,
        }
    }

    #[test]
    fn reads_the_checkout_and_the_remote() {
        let text = "before=aaa\nmodified= M src/x.rs\nremote=bbb\trefs/heads/main\nremote=ccc\trefs/tags/v1\nremote=ddd\trefs/tags/v1^{}\n";
        let observed = parse_observed(text, "v1");
        assert_eq!(observed.before.as_deref(), Some("aaa"));
        assert_eq!(observed.modified, vec!["src/x.rs"]);
        assert_eq!(
            observed.remote_head.as_deref(),
            Some("ddd"),
            "a tag peels to its commit"
        );
        assert_eq!(
            parse_observed(text, "main").remote_head.as_deref(),
            Some("bbb")
        );
    }

    #[test]
    fn local_changes_are_refused_unless_forced() {
        let have = Observed {
            before: Some("aaa".into()),
            modified: vec!["README".into()],
            remote_head: Some("aaa".into()),
        };
        let refused = Git.diff(&want("main", false), &have).expect_err("refused");
        assert!(refused.to_string().contains("README"), "{refused}");
        assert!(
            !Git.diff(&want("main", true), &have)
                .expect("forced")
                .is_empty()
        );
    }

    #[test]
    fn an_up_to_date_checkout_is_ok_and_a_missing_one_is_cloned() {
        let current = Observed {
            before: Some("aaa".into()),
            modified: vec![],
            remote_head: Some("aaa".into()),
        };
        assert!(
            Git.diff(&want("main", false), &current)
                .expect("diff")
                .is_empty()
        );
        let pinned = Observed {
            before: Some("abcdef0123456789".into()),
            modified: vec![],
            remote_head: None,
        };
        assert!(
            Git.diff(&want("abcdef0", false), &pinned)
                .expect("diff")
                .is_empty(),
            "a short commit id matches the checkout"
        );
        assert!(
            !Git.diff(&want("main", false), &Observed::default())
                .expect("diff")
                .is_empty()
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_host_output(text in "\\PC{0,200}", version in "\\PC{0,10}") {
            let _ = parse_observed(&text, &version);
        }
    }
}
