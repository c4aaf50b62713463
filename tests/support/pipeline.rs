//! Runs the shell steps of the CI pipelines `runbook init` writes, as the
//! CI would, in the generated repository: a GitHub Actions job (its `run:`
//! steps and those of the local composite actions it uses, with the
//! workflow's and job's `env`, `GITHUB_ENV` and `GITHUB_STEP_SUMMARY`), or a
//! GitLab CI job (`before_script` and `script` as one shell script, with the
//! pipeline's and the job's `variables`). Steps that need the CI service
//! itself (checkout, artifacts, comments) are left out: the work tree stays
//! in place between jobs, which is what the artifacts carry.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::Output;

/// What a job is run with: `${{ matrix.* }}`, `${{ secrets.* }}`,
/// `${{ vars.* }}` values (GitLab: CI/CD variables).
#[derive(Default)]
pub(crate) struct CiContext {
    pub matrix: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
    pub vars: BTreeMap<String, String>,
    /// `HOME` and `RUNNER_TEMP` of the job, outside the repository.
    pub home: PathBuf,
    /// Commands this runbook does not have yet (`runbook check`): steps and
    /// script lines starting with one are left out, and said so on stderr.
    pub unavailable: Vec<String>,
}

impl CiContext {
    fn available(&self, script: &str) -> bool {
        let first = script.trim_start();
        let missing = self
            .unavailable
            .iter()
            .find(|command| first.starts_with(command.as_str()));
        if let Some(command) = missing {
            eprintln!(
                "note: `{command}` is not in this runbook yet; the pipeline step running it was left out"
            );
        }
        missing.is_none()
    }
}

/// Read a pipeline file as JSON values.
pub(crate) fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

/// Run GitHub job `job` of `.github/workflows/runbook.yml` in `repo`;
/// stops at the first failing step, whose output is returned.
pub(crate) fn run_github_job(repo: &Path, job: &str, context: &CiContext) -> Output {
    let workflow = read_yaml(&repo.join(".github/workflows/runbook.yml"));
    let job_def = &workflow["jobs"][job];
    assert!(job_def.is_object(), "no job {job} in the workflow");
    let github_env = context.home.join("github-env");
    let summary = context.home.join("step-summary");
    let mut env: BTreeMap<String, String> = BTreeMap::from([
        ("GITHUB_ENV".into(), path_text(&github_env)),
        ("GITHUB_STEP_SUMMARY".into(), path_text(&summary)),
        ("RUNNER_TEMP".into(), path_text(&context.home)),
        ("HOME".into(), path_text(&context.home)),
    ]);
    let expressions = Expressions {
        context,
        repo,
        inputs: BTreeMap::new(),
    };
    for scope in [&workflow["env"], &job_def["env"]] {
        extend_env(&mut env, scope, &expressions);
    }
    let mut transcript = Output {
        code: 0,
        stdout: String::new(),
        stderr: String::new(),
    };
    for step in job_def["steps"].as_array().into_iter().flatten() {
        for (script, step_env) in step_scripts(repo, step, &expressions, &env) {
            let output = bash(repo, &script, &step_env);
            apply_github_env(&mut env, &github_env);
            append(&mut transcript, &output);
            if output.code != 0 {
                return transcript;
            }
        }
    }
    transcript
}

/// The shell scripts one step runs, each with its environment.
fn step_scripts(
    repo: &Path,
    step: &Value,
    expressions: &Expressions,
    env: &BTreeMap<String, String>,
) -> Vec<(String, BTreeMap<String, String>)> {
    let condition = step["if"].as_str().unwrap_or("always()");
    if condition != "always()" {
        return Vec::new();
    }
    if let Some(script) = step["run"].as_str() {
        if !expressions.context.available(script) {
            return Vec::new();
        }
        let mut step_env = env.clone();
        extend_env(&mut step_env, &step["env"], expressions);
        return vec![(script.to_string(), step_env)];
    }
    let Some(action) = step["uses"]
        .as_str()
        .and_then(|uses| uses.strip_prefix("./"))
    else {
        return Vec::new();
    };
    let action_def = read_yaml(&repo.join(action).join("action.yml"));
    let mut inputs = BTreeMap::new();
    if let Some(declared) = action_def["inputs"].as_object() {
        for (name, input) in declared {
            let given = step["with"][name.as_str()]
                .as_str()
                .map(|text| expressions.fill(text))
                .or_else(|| input["default"].as_str().map(String::from))
                .unwrap_or_default();
            inputs.insert(name.clone(), given);
        }
    }
    let inner = Expressions {
        context: expressions.context,
        repo: expressions.repo,
        inputs,
    };
    let mut scripts = Vec::new();
    for inner_step in action_def["runs"]["steps"].as_array().into_iter().flatten() {
        if let Some(script) = inner_step["run"].as_str() {
            let mut step_env = env.clone();
            extend_env(&mut step_env, &inner_step["env"], &inner);
            scripts.push((script.to_string(), step_env));
        }
    }
    scripts
}

/// Run GitLab job `job` of `.gitlab-ci.yml` in `repo` (its `extends`
/// resolved), with `variables` as CI/CD variables.
pub(crate) fn run_gitlab_job(repo: &Path, job: &str, context: &CiContext) -> Output {
    let pipeline = read_yaml(&repo.join(".gitlab-ci.yml"));
    let job_def = resolve_extends(&pipeline, job);
    let mut env: BTreeMap<String, String> = BTreeMap::from([
        ("HOME".into(), path_text(&context.home)),
        ("CI_PROJECT_DIR".into(), path_text(repo)),
    ]);
    env.extend(context.vars.clone());
    env.extend(context.secrets.clone());
    for scope in [&pipeline["variables"], &job_def["variables"]] {
        for (name, value) in scope.as_object().into_iter().flatten() {
            let text = value
                .as_str()
                .map(String::from)
                .unwrap_or_else(|| value.to_string());
            let expanded = expand_dollars(&text, &env);
            env.insert(name.clone(), expanded);
        }
    }
    let lines: Vec<&str> = ["before_script", "script"]
        .iter()
        .flat_map(|key| job_def[*key].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .filter(|line| context.available(line))
        .collect();
    bash(repo, &lines.join("\n"), &env)
}

/// A job with the keys of what it `extends` beneath its own (GitLab's
/// deep merge of hashes; lists are replaced).
fn resolve_extends(pipeline: &Value, job: &str) -> Value {
    let own = pipeline[job].clone();
    assert!(own.is_object(), "no job {job} in .gitlab-ci.yml");
    let mut merged = match own["extends"].as_str() {
        Some(parent) => resolve_extends(pipeline, parent),
        None => Value::Object(serde_json::Map::new()),
    };
    deep_merge(&mut merged, &own);
    merged
}

fn deep_merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                deep_merge(base.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
        (base, over) => *base = over.clone(),
    }
}

/// `${{ ... }}` expressions of the contexts a test gives.
struct Expressions<'a> {
    context: &'a CiContext,
    repo: &'a Path,
    inputs: BTreeMap<String, String>,
}

impl Expressions<'_> {
    fn fill(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 3..];
            let end = after.find("}}").unwrap_or(after.len());
            out.push_str(&self.value(after[..end].trim()));
            rest = after.get(end + 2..).unwrap_or("");
        }
        out.push_str(rest);
        out
    }

    fn value(&self, expression: &str) -> String {
        let lookup =
            |map: &BTreeMap<String, String>, name: &str| map.get(name).cloned().unwrap_or_default();
        match expression.split_once('.') {
            Some(("matrix", name)) => lookup(&self.context.matrix, name),
            Some(("secrets", name)) => lookup(&self.context.secrets, name),
            Some(("vars", name)) => lookup(&self.context.vars, name),
            Some(("inputs", name)) => lookup(&self.inputs, name),
            Some(("github", "workspace")) => path_text(self.repo),
            _ => panic!("the test's CI runner does not know ${{{{ {expression} }}}}"),
        }
    }
}

fn extend_env(env: &mut BTreeMap<String, String>, scope: &Value, expressions: &Expressions) {
    for (name, value) in scope.as_object().into_iter().flatten() {
        let text = value
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| value.to_string());
        env.insert(name.clone(), expressions.fill(&text));
    }
}

/// `KEY=VALUE` lines a step appended to `$GITHUB_ENV`.
fn apply_github_env(env: &mut BTreeMap<String, String>, file: &Path) {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    for line in text.lines() {
        if let Some((key, value)) = line.split_once('=') {
            env.insert(key.to_string(), value.to_string());
        }
    }
}

/// `$NAME` and `${NAME}` in a GitLab variable, from those already set.
fn expand_dollars(text: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for (name, value) in env {
        out = out
            .replace(&format!("${{{name}}}"), value)
            .replace(&format!("${name}"), value);
    }
    out
}

/// The script as the runners run it (`bash -eo pipefail`), with the built
/// runbook first on PATH.
fn bash(repo: &Path, script: &str, env: &BTreeMap<String, String>) -> Output {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_runbook"));
    let bin_dir = binary.parent().expect("the binary's folder");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(repo)
        .env_clear()
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .envs(env)
        .output()
        .expect("bash runs");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn append(transcript: &mut Output, output: &Output) {
    transcript.code = output.code;
    transcript.stdout.push_str(&output.stdout);
    transcript.stderr.push_str(&output.stderr);
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}
