//! `docker_container` (community.docker): a container in the state a task
//! names. Idempotent through `docker inspect`: a container whose image or
//! given settings differ is recreated (stop, rm, run), as Ansible does.

use serde_json::Value as Json;

use super::utils::docker_cli::{self, Object, full_reference, text_at};
use super::utils::docker_container_options::{ContainerOptions, Difference};
use super::{ArgSpec, Args, Changes, Diff, ModuleContext, ModuleError, Outcome, StateModule};
use crate::value::Value;

pub(super) struct DockerContainer;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "image",
        "state",
        "published_ports",
        "volumes",
        "env",
        "restart_policy",
        "restart_retries",
        "command",
        "privileged",
        "ulimits",
        "ipc_mode",
        "working_dir",
        "recreate",
        "restart",
        "pull",
        "network_mode",
        "networks",
        "labels",
        "detach",
        "container_default_behavior",
        "keep_volumes",
        "force_kill",
    ],
    aliases: &[("ports", "published_ports")],
    required: &["name"],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    Absent,
    Present,
    Started,
    Stopped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pull {
    Always,
    Missing,
    Never,
}

pub(super) struct Wanted {
    name: String,
    image: Option<String>,
    state: State,
    options: ContainerOptions,
    recreate: bool,
    restart: bool,
    pull: Pull,
    detach: bool,
}

pub(super) struct Found {
    container: Option<Json>,
    /// The wanted image as the host has it, if it has it.
    image: Option<Json>,
}

/// What `apply` does, decided by `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    Remove,
    Create,
    Recreate,
    Start,
    Stop,
    Restart,
}

impl StateModule for DockerContainer {
    type Desired = Wanted;
    type Observed = Found;

    fn name(&self) -> &'static str {
        "docker_container"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Wanted, ModuleError> {
        let state = match args.str("state")?.as_deref().unwrap_or("started") {
            "absent" => State::Absent,
            "present" => State::Present,
            "started" => State::Started,
            "stopped" => State::Stopped,
            other => {
                return Err(ModuleError::failed(format!(
                    "state must be one of absent, present, started, stopped, got `{other}`"
                )));
            }
        };
        Ok(Wanted {
            name: args.str("name")?.unwrap_or_default(),
            image: args
                .str("image")?
                .map(|image| full_reference(&image, "latest")),
            state,
            options: ContainerOptions::from_args(args)?,
            recreate: args.bool("recreate", false)?,
            restart: args.bool("restart", false)?,
            pull: pull(args)?,
            detach: args.bool("detach", true)?,
        })
    }

    fn inspect(&self, want: &Wanted, ctx: &mut ModuleContext) -> Result<Found, ModuleError> {
        if want.state != State::Absent
            && want.pull == Pull::Always
            && !ctx.check_mode
            && let Some(image) = &want.image
        {
            // As Ansible does: refresh the image first, so that a new
            // upstream version shows as an image difference below.
            docker_cli::run(
                ctx,
                &format!("pulling {image}"),
                &["pull".into(), image.clone()],
            )?;
        }
        let mut objects = vec![Object::Container(&want.name)];
        if let Some(image) = &want.image
            && want.state != State::Absent
        {
            objects.push(Object::Image(image));
        }
        let mut found = docker_cli::inspect(ctx, self.name(), &objects)?.into_iter();
        Ok(Found {
            container: found.next().flatten(),
            image: found.next().flatten(),
        })
    }

    fn diff(&self, want: &Wanted, have: &Found) -> Result<Changes, ModuleError> {
        let plan = plan(want, have)?;
        let mut changes = Changes::none();
        if let Some(plan) = plan {
            let (before, after) = describe_change(want, have, plan);
            changes.add(
                format!("{plan:?}").to_lowercase(),
                Some(Diff::content(
                    &format!("container {}", want.name),
                    before,
                    after,
                )),
            );
        }
        Ok(changes)
    }

    fn apply(
        &self,
        want: &Wanted,
        have: &Found,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let Some(plan) = plan(want, have)? else {
            return Ok(Outcome::ok());
        };
        let name = want.name.clone();
        match plan {
            Plan::Remove => docker_cli::run(ctx, &format!("removing {name}"), &rm(&name))?,
            Plan::Start => {
                docker_cli::run(ctx, &format!("starting {name}"), &words(&["start", &name]))?
            }
            Plan::Stop => {
                docker_cli::run(ctx, &format!("stopping {name}"), &words(&["stop", &name]))?
            }
            Plan::Restart => docker_cli::run(
                ctx,
                &format!("restarting {name}"),
                &words(&["restart", &name]),
            )?,
            Plan::Create | Plan::Recreate => {
                if plan == Plan::Recreate {
                    docker_cli::run(ctx, &format!("removing {name}"), &rm(&name))?;
                }
                let image = image_to_run(want, have)?;
                if have.image.is_none() && want.pull != Pull::Never {
                    docker_cli::run(ctx, &format!("pulling {image}"), &words(&["pull", &image]))?;
                }
                let args = create_args(want, &image, should_run(want, have));
                docker_cli::run(ctx, &format!("creating {name}"), &args)?
            }
        };
        if plan == Plan::Remove {
            return Ok(Outcome::ok().with("container", Value::from(())));
        }
        let mut after = docker_cli::inspect(ctx, self.name(), &[Object::Container(&name)])?;
        Ok(Outcome::ok().with(
            "container",
            after
                .pop()
                .flatten()
                .map_or(Value::from(()), |c| docker_cli::to_value(&c)),
        ))
    }

    fn describe(&self, _want: &Wanted, have: &Found) -> Outcome {
        Outcome::ok().with(
            "container",
            have.container
                .as_ref()
                .map_or(Value::from(()), docker_cli::to_value),
        )
    }
}

fn pull(args: &Args) -> Result<Pull, ModuleError> {
    match args.str("pull")?.as_deref() {
        None => Ok(Pull::Missing),
        Some("always") => Ok(Pull::Always),
        Some("missing") => Ok(Pull::Missing),
        Some("never") => Ok(Pull::Never),
        Some(other) => match crate::value::parse_bool(other) {
            Some(true) => Ok(Pull::Always),
            Some(false) => Ok(Pull::Missing),
            None => Err(ModuleError::failed(format!(
                "pull must be a boolean or one of always, missing, never, got `{other}`"
            ))),
        },
    }
}

fn words(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn rm(name: &str) -> Vec<String> {
    words(&["rm", "--force", name])
}

fn is_running(container: &Json) -> bool {
    docker_cli::at(container, &["State", "Running"]).and_then(Json::as_bool) == Some(true)
}

/// What must happen, or `None` when the container is already as wanted.
fn plan(want: &Wanted, have: &Found) -> Result<Option<Plan>, ModuleError> {
    let Some(container) = &have.container else {
        return match want.state {
            State::Absent => Ok(None),
            _ if want.image.is_none() => Err(ModuleError::failed(format!(
                "Cannot create container {} when image is not specified!",
                want.name
            ))),
            _ => Ok(Some(Plan::Create)),
        };
    };
    if want.state == State::Absent {
        return Ok(Some(Plan::Remove));
    }
    if want.recreate || !differences(want, have, container).is_empty() {
        return Ok(Some(Plan::Recreate));
    }
    let running = is_running(container);
    Ok(match want.state {
        State::Started if !running => Some(Plan::Start),
        State::Started if want.restart => Some(Plan::Restart),
        State::Stopped if running => Some(Plan::Stop),
        _ => None,
    })
}

/// The image difference (by id, as Ansible compares) and every given setting.
fn differences(want: &Wanted, have: &Found, container: &Json) -> Vec<Difference> {
    let mut found = Vec::new();
    if let Some(image) = &want.image {
        let wanted_id = have.image.as_ref().and_then(|i| text_at(i, &["Id"]));
        if wanted_id.is_none() || wanted_id != text_at(container, &["Image"]) {
            found.push(Difference {
                name: "image".into(),
                before: text_at(container, &["Config", "Image"])
                    .unwrap_or_default()
                    .to_string(),
                after: image.clone(),
            });
        }
    }
    found.extend(want.options.differences(container, have.image.as_ref()));
    found
}

fn state_name(container: Option<&Json>) -> &'static str {
    match container {
        None => "absent",
        Some(c) if is_running(c) => "started",
        Some(_) => "stopped",
    }
}

/// Before/after text for `--diff`: the state, then each differing setting.
fn describe_change(want: &Wanted, have: &Found, plan: Plan) -> (String, String) {
    let before_state = state_name(have.container.as_ref());
    let after_state = match want.state {
        State::Absent => "absent",
        State::Present if plan == Plan::Create => "stopped",
        State::Present => before_state,
        State::Started => "started",
        State::Stopped => "stopped",
    };
    let mut before = format!("state: {before_state}\n");
    let mut after = format!("state: {after_state}\n");
    if let Some(container) = &have.container
        && plan == Plan::Recreate
    {
        for difference in differences(want, have, container) {
            before.push_str(&format!("{}: {}\n", difference.name, difference.before));
            after.push_str(&format!("{}: {}\n", difference.name, difference.after));
        }
        if want.recreate {
            after.push_str("recreated: true\n");
        }
    }
    if plan == Plan::Restart {
        after.push_str("restarted: true\n");
    }
    (before, after)
}

fn image_to_run(want: &Wanted, have: &Found) -> Result<String, ModuleError> {
    want.image
        .clone()
        .or_else(|| {
            have.container
                .as_ref()
                .and_then(|c| text_at(c, &["Config", "Image"]))
                .map(str::to_string)
        })
        .ok_or_else(|| {
            ModuleError::failed(format!(
                "Cannot create container {} when image is not specified!",
                want.name
            ))
        })
}

/// Whether the new container runs: `started` always; `present` only when
/// the container it replaces was running.
fn should_run(want: &Wanted, have: &Found) -> bool {
    match want.state {
        State::Started => true,
        State::Present => have.container.as_ref().is_some_and(is_running),
        State::Stopped | State::Absent => false,
    }
}

fn create_args(want: &Wanted, image: &str, run: bool) -> Vec<String> {
    let mut args = if !run {
        words(&["create"])
    } else if want.detach {
        words(&["run", "--detach"])
    } else {
        words(&["run"])
    };
    args.extend(words(&["--name", &want.name]));
    args.extend(want.options.run_flags());
    args.push(image.to_string());
    args.extend(want.options.command.iter().flatten().cloned());
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(state: State) -> Wanted {
        Wanted {
            name: "web".into(),
            image: Some("nginx:1.25".into()),
            state,
            options: ContainerOptions::default(),
            recreate: false,
            restart: false,
            pull: Pull::Missing,
            detach: true,
        }
    }

    fn found(running: Option<bool>, image_id: &str) -> Found {
        Found {
            container: running.map(|running| {
                serde_json::json!({"Image": "sha256:1", "State": {"Running": running},
                    "Config": {"Image": "nginx:1.25"}})
            }),
            image: Some(serde_json::json!({"Id": image_id})),
        }
    }

    #[test]
    fn plans_follow_the_state_and_the_image() {
        let cases = [
            (State::Started, None, "sha256:1", Some(Plan::Create)),
            (State::Started, Some(true), "sha256:1", None),
            (State::Started, Some(false), "sha256:1", Some(Plan::Start)),
            (State::Started, Some(true), "sha256:2", Some(Plan::Recreate)),
            (State::Stopped, Some(true), "sha256:1", Some(Plan::Stop)),
            (State::Stopped, Some(false), "sha256:1", None),
            (State::Present, Some(false), "sha256:1", None),
            (State::Absent, Some(true), "sha256:1", Some(Plan::Remove)),
            (State::Absent, None, "sha256:1", None),
        ];
        for (state, running, image, expected) in cases {
            let plan = plan(&wanted(state), &found(running, image)).expect("plans");
            assert_eq!(plan, expected, "{state:?} {running:?} {image}");
        }
    }

    #[test]
    fn recreate_and_restart_force_a_change() {
        let mut want = wanted(State::Started);
        want.restart = true;
        assert_eq!(
            plan(&want, &found(Some(true), "sha256:1")).expect("plans"),
            Some(Plan::Restart)
        );
        want.recreate = true;
        assert_eq!(
            plan(&want, &found(Some(true), "sha256:1")).expect("plans"),
            Some(Plan::Recreate)
        );
    }

    #[test]
    fn a_new_container_needs_an_image() {
        let mut want = wanted(State::Started);
        want.image = None;
        let error = plan(&want, &found(None, "x")).expect_err("no image");
        assert!(error.to_string().contains("image is not specified"));
    }

    #[test]
    fn stopped_and_present_create_without_starting() {
        let want = wanted(State::Stopped);
        assert_eq!(create_args(&want, "nginx:1.25", false)[0], "create");
        let started = create_args(&wanted(State::Started), "nginx:1.25", true);
        assert_eq!(started[..4], ["run", "--detach", "--name", "web"]);
    }
}
