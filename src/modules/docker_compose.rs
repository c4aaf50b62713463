//! `docker_compose` (community.docker's v1 API): a compose project up,
//! stopped, restarted or down, through `docker compose` (or
//! `docker-compose`). Idempotent by comparing `ps` with the services the
//! project's compose file (read from the host, parsed here) declares.

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::utils::docker_cli::text_at;
use super::utils::host::{read_file, run_checked};
use super::{ArgSpec, Args, Changes, Diff, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;
use crate::value::{Value, map_from_pairs};

pub(super) struct DockerCompose;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "project_src",
        "files",
        "project_name",
        "state",
        "pull",
        "build",
        "remove_orphans",
        "restarted",
        "stopped",
        "services",
        "recreate",
    ],
    required: &["project_src"],
    ..ArgSpec::EMPTY
};

const DEFAULT_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

pub(super) struct Wanted {
    project_src: String,
    files: Vec<String>,
    project_name: Option<String>,
    present: bool,
    pull: bool,
    remove_orphans: bool,
    restarted: bool,
    stopped: bool,
    services: Option<Vec<String>>,
    force_recreate: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Container {
    name: String,
    service: String,
    image: String,
    state: String,
}

pub(super) struct Found {
    /// `docker compose` or `docker-compose`, as words.
    cli: Vec<String>,
    /// Each declared service and its image (if it names one).
    declared: IndexMap<String, Option<String>>,
    containers: Vec<Container>,
}

/// What `apply` runs, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Down,
    Up,
    Stop,
    Restart,
}

impl StateModule for DockerCompose {
    type Desired = Wanted;
    type Observed = Found;

    fn name(&self) -> &'static str {
        "docker_compose"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Wanted, ModuleError> {
        let present = match args.str("state")?.as_deref().unwrap_or("present") {
            "present" => true,
            "absent" => false,
            other => {
                return Err(ModuleError::failed(format!(
                    "state must be present or absent, got `{other}`"
                )));
            }
        };
        let force_recreate = match args.str("recreate")?.as_deref().unwrap_or("smart") {
            "always" => true,
            "smart" | "never" => false,
            other => {
                return Err(ModuleError::failed(format!(
                    "recreate must be always, never or smart, got `{other}`"
                )));
            }
        };
        Ok(Wanted {
            project_src: args.str("project_src")?.unwrap_or_default(),
            files: args.str_list("files")?.unwrap_or_default(),
            project_name: args.str("project_name")?,
            present,
            pull: args.bool("pull", false)?,
            remove_orphans: args.bool("remove_orphans", false)?,
            restarted: args.bool("restarted", false)?,
            stopped: args.bool("stopped", false)?,
            services: args.str_list("services")?,
            force_recreate,
        })
    }

    fn inspect(&self, want: &Wanted, ctx: &mut ModuleContext) -> Result<Found, ModuleError> {
        let files = compose_files(want, ctx)?;
        let mut declared = IndexMap::new();
        for file in &files {
            let path = format!("{}/{file}", want.project_src.trim_end_matches('/'));
            let text = read_file(ctx, &path)?
                .ok_or_else(|| ModuleError::failed(format!("{path} does not exist")))?;
            declared.extend(declared_services(&path, &String::from_utf8_lossy(&text))?);
        }
        let probe = "if docker compose version >/dev/null 2>&1; then echo 'docker compose'; \
                     elif command -v docker-compose >/dev/null 2>&1; then echo docker-compose; \
                     else exit 127; fi";
        let output = ctx.connection()?.run(probe, None)?;
        if output.rc != 0 {
            return Err(ModuleError::failed(format!(
                "docker_compose needs `docker compose` or docker-compose on {}, which is not installed there",
                ctx.host
            )));
        }
        let cli: Vec<String> = output
            .stdout_text()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let mut found = Found {
            cli,
            declared,
            containers: Vec::new(),
        };
        let ps = compose_line(want, &found, &files, &["ps", "-a", "--format", "json"]);
        let listed = run_checked(ctx, "listing the project's containers", &ps, None)?;
        found.containers = parse_ps(&listed.stdout_text())?;
        Ok(found)
    }

    fn diff(&self, want: &Wanted, have: &Found) -> Result<Changes, ModuleError> {
        let steps = steps(want, have);
        let mut changes = Changes::none();
        if steps.is_empty() {
            return Ok(changes);
        }
        let before = state_text(
            have.containers
                .iter()
                .map(|c| (&c.service, c.state.as_str(), &c.image)),
        );
        let after = predicted(want, have, &steps);
        for step in &steps {
            changes.add(format!("{step:?}").to_lowercase(), None);
        }
        changes.diffs.push(Diff::content(
            &format!("compose project {}", want.project_src),
            before,
            after,
        ));
        Ok(changes)
    }

    fn apply(
        &self,
        want: &Wanted,
        have: &Found,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let files = compose_files(want, ctx)?;
        let chosen: Vec<&str> = want.services.iter().flatten().map(String::as_str).collect();
        for step in steps(want, have) {
            let mut words: Vec<&str> = match step {
                Step::Down => vec!["down"],
                Step::Up => {
                    if want.pull {
                        let mut pull = vec!["pull"];
                        pull.extend(&chosen);
                        run_checked(
                            ctx,
                            "pulling images",
                            &compose_line(want, have, &files, &pull),
                            None,
                        )?;
                    }
                    let mut up = vec!["up", "-d"];
                    if want.remove_orphans {
                        up.push("--remove-orphans");
                    }
                    if want.force_recreate {
                        up.push("--force-recreate");
                    }
                    up
                }
                Step::Stop => vec!["stop"],
                Step::Restart => vec!["restart"],
            };
            if step != Step::Down {
                words.extend(&chosen);
            } else if want.remove_orphans {
                words.push("--remove-orphans");
            }
            let what = format!("docker compose {}", words[0]);
            run_checked(ctx, &what, &compose_line(want, have, &files, &words), None)?;
        }
        let ps = compose_line(want, have, &files, &["ps", "-a", "--format", "json"]);
        let listed = run_checked(ctx, "listing the project's containers", &ps, None)?;
        let after = parse_ps(&listed.stdout_text())?;
        Ok(Outcome::ok()
            .with("services", services_value(&after))
            .with("actions", actions_value(want, have)))
    }

    fn describe(&self, _want: &Wanted, have: &Found) -> Outcome {
        Outcome::ok()
            .with("services", services_value(&have.containers))
            .with("actions", Value::from(Vec::<Value>::new()))
    }
}

/// The compose files to use, relative to `project_src`: as given, or the
/// first default name that exists there.
fn compose_files(want: &Wanted, ctx: &mut ModuleContext) -> Result<Vec<String>, ModuleError> {
    if !want.files.is_empty() {
        return Ok(want.files.clone());
    }
    let candidates: Vec<String> = DEFAULT_FILES.iter().map(|f| shell_quote(f)).collect();
    let script = format!(
        "cd {} || exit 3\nfor f in {}; do [ -f \"$f\" ] && {{ echo \"$f\"; exit 0; }}; done\nexit 4",
        shell_quote(&want.project_src),
        candidates.join(" ")
    );
    let output = ctx.connection()?.run(&script, None)?;
    match output.rc {
        0 => Ok(vec![output.stdout_text().trim().to_string()]),
        3 => Err(ModuleError::failed(format!(
            "project_src {} does not exist",
            want.project_src
        ))),
        _ => Err(ModuleError::failed(format!(
            "no compose file in {} (looked for {})",
            want.project_src,
            DEFAULT_FILES.join(", ")
        ))),
    }
}

fn compose_line(want: &Wanted, have: &Found, files: &[String], words: &[&str]) -> String {
    let mut line = format!(
        "cd {} && {}",
        shell_quote(&want.project_src),
        have.cli.join(" ")
    );
    for file in files {
        line.push_str(&format!(" -f {}", shell_quote(file)));
    }
    if let Some(project) = &want.project_name {
        line.push_str(&format!(" -p {}", shell_quote(project)));
    }
    for word in words {
        line.push(' ');
        line.push_str(&shell_quote(word));
    }
    line
}

/// `services:` of a compose file: each name and its `image`, if any.
pub(super) fn declared_services(
    path: &str,
    text: &str,
) -> Result<IndexMap<String, Option<String>>, ModuleError> {
    let file = crate::source::SourceFile::new(path, text);
    let root = crate::yaml::parse_str(file).map_err(|d| ModuleError::failed(d.to_string()))?;
    let Some(services) = root.get("services") else {
        return Ok(IndexMap::new());
    };
    let entries = services
        .expect_map("services")
        .map_err(|d| ModuleError::failed(d.to_string()))?;
    Ok(entries
        .iter()
        .map(|(key, service)| {
            let image = service.get("image").and_then(|i| i.scalar_text());
            (key.key_text(), image)
        })
        .collect())
}

/// `ps --format json`: one object per line (compose ≥ 2.21) or one array.
pub(super) fn parse_ps(text: &str) -> Result<Vec<Container>, ModuleError> {
    let text = text.trim();
    let items: Vec<Json> = if text.starts_with('[') {
        serde_json::from_str(text)
            .map_err(|e| ModuleError::failed(format!("cannot read compose ps: {e}")))?
    } else {
        text.lines()
            .filter(|line| line.trim_start().starts_with('{'))
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .map_err(|e| ModuleError::failed(format!("cannot read compose ps: {e}")))?
    };
    Ok(items
        .iter()
        .map(|item| Container {
            name: text_at(item, &["Name"]).unwrap_or_default().to_string(),
            service: text_at(item, &["Service"]).unwrap_or_default().to_string(),
            image: text_at(item, &["Image"]).unwrap_or_default().to_string(),
            state: text_at(item, &["State"]).unwrap_or_default().to_lowercase(),
        })
        .collect())
}

fn chosen<'a>(want: &'a Wanted, have: &'a Found) -> Vec<&'a str> {
    match &want.services {
        Some(services) => services.iter().map(String::as_str).collect(),
        None => have.declared.keys().map(String::as_str).collect(),
    }
}

/// What must run, in order; empty when the project is as wanted.
fn steps(want: &Wanted, have: &Found) -> Vec<Step> {
    if !want.present {
        return if have.containers.is_empty() {
            vec![]
        } else {
            vec![Step::Down]
        };
    }
    let container = |service: &str| have.containers.iter().find(|c| c.service == service);
    let mut steps = Vec::new();
    let chosen = chosen(want, have);
    let outdated = chosen.iter().any(|service| match container(service) {
        None => true,
        Some(c) => {
            let image_differs = have
                .declared
                .get(*service)
                .cloned()
                .flatten()
                .is_some_and(|image| image != c.image);
            image_differs || (!want.stopped && c.state != "running")
        }
    });
    let orphans = want.remove_orphans
        && have
            .containers
            .iter()
            .any(|c| !have.declared.contains_key(&c.service));
    if outdated || orphans || want.force_recreate {
        steps.push(Step::Up);
    }
    if want.stopped {
        let running = chosen
            .iter()
            .any(|s| container(s).is_none_or(|c| c.state == "running"));
        if running || steps.contains(&Step::Up) {
            steps.push(Step::Stop);
        }
    } else if want.restarted {
        steps.push(Step::Restart);
    }
    steps
}

fn state_text<'a>(items: impl Iterator<Item = (&'a String, &'a str, &'a String)>) -> String {
    let mut lines: Vec<String> = items
        .map(|(service, state, image)| format!("{service}: {state} ({image})\n"))
        .collect();
    lines.sort();
    if lines.is_empty() {
        return "no containers\n".into();
    }
    lines.concat()
}

/// The project's services as they will be after `steps`.
fn predicted(want: &Wanted, have: &Found, steps: &[Step]) -> String {
    if steps.contains(&Step::Down) {
        return "no containers\n".into();
    }
    let state = if want.stopped { "exited" } else { "running" };
    let chosen = chosen(want, have);
    let mut lines = Vec::new();
    for (service, image) in &have.declared {
        let current = have.containers.iter().find(|c| &c.service == service);
        let (state, image) = if chosen.contains(&service.as_str()) {
            (
                state.to_string(),
                image
                    .clone()
                    .unwrap_or_else(|| current.map(|c| c.image.clone()).unwrap_or_default()),
            )
        } else if let Some(c) = current {
            (c.state.clone(), c.image.clone())
        } else {
            continue;
        };
        lines.push(format!("{service}: {state} ({image})\n"));
    }
    if !want.remove_orphans {
        for orphan in have
            .containers
            .iter()
            .filter(|c| !have.declared.contains_key(&c.service))
        {
            lines.push(format!(
                "{}: {} ({})\n",
                orphan.service, orphan.state, orphan.image
            ));
        }
    }
    lines.sort();
    if want.restarted {
        lines.push("restarted: true\n".into());
    }
    lines.concat()
}

/// Ansible's `services`: `{service: {container: {image, state: {running, status}}}}`.
fn services_value(containers: &[Container]) -> Value {
    let mut by_service: IndexMap<String, Vec<(String, Value)>> = IndexMap::new();
    for c in containers {
        let state = map_from_pairs([
            ("running", Value::from(c.state == "running")),
            ("status", Value::from(c.state.as_str())),
        ]);
        let detail = map_from_pairs([("image", Value::from(c.image.as_str())), ("state", state)]);
        by_service
            .entry(c.service.clone())
            .or_default()
            .push((c.name.clone(), detail));
    }
    map_from_pairs(
        by_service
            .into_iter()
            .map(|(service, items)| (service, map_from_pairs(items))),
    )
}

/// Ansible's `actions`: for each service, what was done to it.
fn actions_value(want: &Wanted, have: &Found) -> Value {
    let steps = steps(want, have);
    let chosen = chosen(want, have);
    let pairs = chosen.iter().map(|service| {
        let exists = have.containers.iter().any(|c| c.service == *service);
        let done: Vec<Value> = steps
            .iter()
            .map(|step| match step {
                Step::Up if exists => "up",
                Step::Up => "create",
                Step::Down => "remove",
                Step::Stop => "stop",
                Step::Restart => "restart",
            })
            .map(Value::from)
            .collect();
        (service.to_string(), Value::from(done))
    });
    map_from_pairs(pairs)
}

#[cfg(test)]
#[path = "docker_compose_tests.rs"]
mod tests;
