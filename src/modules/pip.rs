//! `pip`: Python packages in a virtualenv or a system Python, as Ansible's
//! `pip` module. Inspect reads `pip list --format=freeze` and decides plain
//! requirements (`foo`, `foo>=1,<2`) itself; what only pip can decide
//! (`state: latest`, requirements files, URLs and paths) is asked of pip
//! with `pip install --dry-run --report -`, so `changed` means an installed
//! version really changes, in check mode too.

#[path = "pip_command.rs"]
mod command;

use self::command::{Verb, path_word, pip_command, prelude};
use super::utils::host::{require_tools, run_checked};
use super::utils::pip::packages::{Installed, Package, planned_installs};
use super::utils::pip::requirement::{Requirement, starts_with_operator};
use super::{
    ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule,
};
use crate::value::Value;

pub(super) struct Pip;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "requirements",
        "version",
        "state",
        "virtualenv",
        "virtualenv_command",
        "virtualenv_python",
        "virtualenv_site_packages",
        "executable",
        "extra_args",
        "chdir",
        "editable",
        "umask",
        "break_system_packages",
    ],
    aliases: &[],
    one_of: &[&["name", "requirements"]],
    free_form: FreeForm::KeyValue,
    paths: &["virtualenv", "chdir"],
    ..ArgSpec::EMPTY
};

const DEFAULT_VIRTUALENV_COMMAND: &str = "python3 -m venv";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PipState {
    Present,
    Latest,
    Absent,
    ForceReinstall,
}

impl PipState {
    fn parse(text: &str) -> Result<Self, ModuleError> {
        match text {
            "present" => Ok(Self::Present),
            "latest" => Ok(Self::Latest),
            "absent" => Ok(Self::Absent),
            "forcereinstall" => Ok(Self::ForceReinstall),
            other => Err(ModuleError::failed(format!(
                "argument `state`: expected one of present, latest, absent, forcereinstall, got {other:?}"
            ))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Present => "present",
            Self::Latest => "latest",
            Self::Absent => "absent",
            Self::ForceReinstall => "forcereinstall",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Desired {
    /// The names as pip gets them (`version` already appended).
    names: Vec<String>,
    requirements: Option<String>,
    version: Option<String>,
    state: PipState,
    virtualenv: Option<Virtualenv>,
    /// The pip to run, as a shell word (`/opt/venv/bin/pip`, `pip3`).
    pip: String,
    extra_args: Vec<String>,
    chdir: Option<String>,
    editable: bool,
    umask: Option<String>,
    break_system_packages: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Virtualenv {
    path: String,
    /// The full creation command line.
    create: String,
    /// The program that creates it, which the host must have.
    program: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Observed {
    /// False when the virtualenv is still to be created.
    environment_exists: bool,
    installed: Installed,
    /// What pip's dry run would install, when it was asked.
    forecast: Forecast,
    /// The names in `requirements`, for `state: absent`.
    listed: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
enum Forecast {
    #[default]
    NotAsked,
    Installs(Vec<Package>),
    /// pip is too old for `--dry-run`: assume it changes something.
    Unknown,
}

impl StateModule for Pip {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "pip"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let state = PipState::parse(args.str("state")?.as_deref().unwrap_or("present"))?;
        let version = args.str("version")?;
        let names = with_version(
            rejoin_specifiers(args.str_list("name")?.unwrap_or_default()),
            version.as_deref(),
        )?;
        let executable = args.str("executable")?;
        let virtualenv = match args.str("virtualenv")? {
            Some(_) if executable.is_some() => {
                return Err(ModuleError::failed(
                    "parameters are mutually exclusive: executable|virtualenv",
                ));
            }
            Some(path) => Some(virtualenv(args, path)?),
            None => None,
        };
        let pip = match (&virtualenv, &executable) {
            (Some(env), _) => format!("{}/bin/pip", path_word(&env.path)),
            (None, Some(executable)) => path_word(executable),
            (None, None) => "pip3".to_string(),
        };
        Ok(Desired {
            names,
            requirements: args.str("requirements")?,
            version,
            state,
            virtualenv,
            pip,
            extra_args: words("extra_args", args.str("extra_args")?)?,
            chdir: args.str("chdir")?,
            editable: args.bool("editable", false)?,
            umask: args.str("umask")?,
            break_system_packages: args.bool("break_system_packages", false)?,
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let text = run_checked(
            ctx,
            "reading installed packages",
            &inspect_script(want, ctx),
            None,
        )?
        .stdout_text();
        if let Some(missing) = text.lines().find_map(|l| l.strip_prefix("missing=")) {
            require_tools(ctx, "pip", &[missing])?;
        }
        let mut observed = Observed {
            environment_exists: !text.lines().any(|l| l == "environment=absent"),
            installed: Installed::from_freeze(&prefixed(&text, "freeze=")),
            forecast: Forecast::NotAsked,
            listed: prefixed(&text, "listed=")
                .lines()
                .filter_map(Requirement::parse)
                .map(|r| r.name)
                .collect(),
        };
        if !observed.environment_exists {
            if let Some(env) = &want.virtualenv
                && want.state != PipState::Absent
            {
                require_tools(ctx, "pip", &[env.program.as_str()])?;
            }
        } else if needs_dry_run(want) {
            observed.forecast = dry_run(want, ctx)?;
        }
        Ok(observed)
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        let target = target(want);
        if want.state == PipState::Absent {
            if have.environment_exists {
                removals(want, have, &target, &mut changes);
            }
            return Ok(changes);
        }
        if let Some(env) = want
            .virtualenv
            .as_ref()
            .filter(|_| !have.environment_exists)
        {
            changes.add(
                format!("create virtualenv {}", env.path),
                Some(Diff::attribute(
                    &env.path,
                    "virtualenv",
                    "absent",
                    "present",
                )),
            );
        }
        match &have.forecast {
            Forecast::Installs(planned) => forecast_changes(planned, have, &target, &mut changes),
            Forecast::Unknown => changes.add("pip may change packages (no --dry-run)", None),
            Forecast::NotAsked => name_changes(want, have, &target, &mut changes),
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
        let mut script = prelude(want, ctx.environment);
        if let Some(env) = want
            .virtualenv
            .as_ref()
            .filter(|_| !have.environment_exists)
        {
            script.push_str(&format!("{} || exit 1\n", env.create));
        }
        let cmd = pip_command(want, Verb::Apply);
        script.push_str(&cmd);
        let what = format!("pip {}", want.state.as_str());
        let output = run_checked(ctx, &what, &script, None)?;
        Ok(Outcome::ok()
            .with("stdout", output.stdout_text())
            .with("stderr", output.stderr_text()))
    }

    fn describe(&self, want: &Desired, _have: &Observed) -> Outcome {
        let optional = |text: &Option<String>| text.as_deref().map_or(Value::from(()), Value::from);
        Outcome::ok()
            .with("cmd", pip_command(want, Verb::Apply))
            .with("name", Value::from(want.names.clone()))
            .with("requirements", optional(&want.requirements))
            .with("version", optional(&want.version))
            .with(
                "virtualenv",
                optional(&want.virtualenv.as_ref().map(|env| env.path.clone())),
            )
            .with("state", want.state.as_str())
            .with("stdout", "")
            .with("stderr", "")
    }
}

/// Ansible's `type='list'` splits `foo>=1,<2` at the comma; put such
/// specifier pieces back on their name.
fn rejoin_specifiers(pieces: Vec<String>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for piece in pieces {
        match names.last_mut() {
            Some(last) if starts_with_operator(&piece) => {
                last.push(',');
                last.push_str(piece.trim());
            }
            _ => names.push(piece.trim().to_string()),
        }
    }
    names.retain(|name| !name.is_empty());
    names
}

/// `name: foo` with `version: 1.0` is `foo==1.0`, as in Ansible.
fn with_version(mut names: Vec<String>, version: Option<&str>) -> Result<Vec<String>, ModuleError> {
    let Some(version) = version else {
        return Ok(names);
    };
    match names.as_mut_slice() {
        [name] if Requirement::parse(name).is_some_and(|r| r.specifiers.is_empty()) => {
            name.push_str(&format!("=={version}"));
            Ok(names)
        }
        [_] => Err(ModuleError::failed(
            "`version` cannot be used with a name that has a version specifier or is not a package name",
        )),
        _ => Err(ModuleError::failed(
            "`version` is ambiguous with several names (or with `requirements`): put the version in each name (`foo==1.0`)",
        )),
    }
}

fn virtualenv(args: &Args, path: String) -> Result<Virtualenv, ModuleError> {
    let command = args
        .str("virtualenv_command")?
        .unwrap_or_else(|| DEFAULT_VIRTUALENV_COMMAND.to_string());
    let mut command = words("virtualenv_command", Some(command))?;
    if command.is_empty() {
        return Err(ModuleError::failed(
            "argument `virtualenv_command` is empty",
        ));
    }
    let is_venv = command.windows(2).any(|w| w == ["-m", "venv"]) || command[0].ends_with("pyvenv");
    if let Some(python) = args.str("virtualenv_python")? {
        if is_venv && command.len() >= 3 {
            // `python3 -m venv` creates environments for the python that runs it.
            command[0] = python;
        } else if is_venv {
            return Err(ModuleError::failed(
                "virtualenv_python needs a `<python> -m venv` or `virtualenv` virtualenv_command",
            ));
        } else {
            command.push(format!("-p{python}"));
        }
    }
    if args.bool("virtualenv_site_packages", false)? {
        command.push("--system-site-packages".into());
    }
    let program = command[0].clone();
    let create = format!("{} {}", command::join(&command), path_word(&path));
    Ok(Virtualenv {
        path,
        create,
        program,
    })
}

fn words(name: &str, text: Option<String>) -> Result<Vec<String>, ModuleError> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    shell_words::split(&text)
        .map_err(|error| ModuleError::failed(format!("argument `{name}`: {error}")))
}

fn inspect_script(want: &Desired, ctx: &ModuleContext) -> String {
    let mut script = prelude(want, ctx.environment);
    if let Some(env) = &want.virtualenv {
        script.push_str(&format!(
            "[ -f {}/bin/activate ] || {{ echo environment=absent; exit 0; }}\n",
            path_word(&env.path)
        ));
    }
    script.push_str(&format!(
        "command -v {pip} >/dev/null 2>&1 || {{ echo missing={pip}; exit 0; }}\n\
         installed=$({freeze}) || exit 1\n\
         printf '%s\\n' \"$installed\" | sed 's/^/freeze=/'\n",
        pip = want.pip,
        freeze = pip_command(want, Verb::Freeze),
    ));
    if let (Some(requirements), PipState::Absent) = (&want.requirements, want.state) {
        script.push_str(&format!(
            "sed 's/^/listed=/' {} || exit 1\n",
            path_word(requirements)
        ));
    }
    script
}

/// The text of the lines that start with `prefix`, without it.
fn prefixed(text: &str, prefix: &str) -> String {
    text.lines()
        .filter_map(|line| line.strip_prefix(prefix))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether only pip can tell what would change.
fn needs_dry_run(want: &Desired) -> bool {
    match want.state {
        PipState::Absent | PipState::ForceReinstall => false,
        PipState::Latest => true,
        PipState::Present => {
            want.requirements.is_some()
                || want.editable
                || want
                    .names
                    .iter()
                    .any(|name| Requirement::parse(name).is_none())
        }
    }
}

fn dry_run(want: &Desired, ctx: &mut ModuleContext) -> Result<Forecast, ModuleError> {
    let script = format!(
        "{}{}",
        prelude(want, ctx.environment),
        pip_command(want, Verb::DryRun)
    );
    let output = ctx.connection()?.run(&script, None)?;
    let stderr = output.stderr_text();
    if output.rc != 0 && stderr.contains("no such option") {
        return Ok(Forecast::Unknown);
    }
    if output.rc != 0 {
        return Err(ModuleError::failed(format!(
            "pip cannot resolve the request (rc={}): {}",
            output.rc,
            stderr.trim()
        )));
    }
    Ok(planned_installs(&output.stdout_text()).map_or(Forecast::Unknown, Forecast::Installs))
}

/// Where packages go, for diff headers: the virtualenv or pip itself.
fn target(want: &Desired) -> String {
    want.virtualenv
        .as_ref()
        .map_or_else(|| want.pip.clone(), |env| env.path.clone())
}

fn forecast_changes(planned: &[Package], have: &Observed, target: &str, changes: &mut Changes) {
    for package in planned {
        let before = have.installed.version(&package.name);
        if before == Some(package.version.as_str()) {
            continue;
        }
        let before = before.unwrap_or("absent");
        changes.add(
            format!("{} {before} -> {}", package.name, package.version),
            Some(Diff::attribute(
                target,
                &package.name,
                before,
                &package.version,
            )),
        );
    }
}

fn name_changes(want: &Desired, have: &Observed, target: &str, changes: &mut Changes) {
    for name in &want.names {
        let Some(requirement) = Requirement::parse(name) else {
            changes.add(format!("install {name}"), None);
            continue;
        };
        let installed = have.installed.version(&requirement.name);
        let satisfied = installed.is_some_and(|v| requirement.satisfied_by(v));
        if satisfied && want.state != PipState::ForceReinstall {
            continue;
        }
        let wanted = match requirement.specifier_text() {
            spec if spec.is_empty() => "present".to_string(),
            spec => spec,
        };
        let before = installed.unwrap_or("absent");
        changes.add(
            format!("{} {before} -> {wanted}", requirement.name),
            Some(Diff::attribute(target, &requirement.name, before, &wanted)),
        );
    }
}

fn removals(want: &Desired, have: &Observed, target: &str, changes: &mut Changes) {
    let names = want.names.iter().chain(&have.listed);
    for name in names {
        let Some(requirement) = Requirement::parse(name) else {
            changes.add(format!("uninstall {name}"), None);
            continue;
        };
        let Some(installed) = have.installed.version(&requirement.name) else {
            continue;
        };
        if requirement.satisfied_by(installed) {
            changes.add(
                format!("uninstall {} {installed}", requirement.name),
                Some(Diff::attribute(
                    target,
                    &requirement.name,
                    installed,
                    "absent",
                )),
            );
        }
    }
}

#[cfg(test)]
#[path = "pip_tests.rs"]
mod tests;
