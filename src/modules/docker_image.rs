//! `docker_image` (community.docker): an image present (pulled, loaded
//! from an archive, or required locally) or absent. Idempotent through
//! `docker image inspect`.

use serde_json::Value as Json;

use super::utils::docker_cli::{self, Object, full_reference, text_at};
use super::{ArgSpec, Args, Changes, Diff, ModuleContext, ModuleError, Outcome, StateModule};
use crate::value::Value;

pub(super) struct DockerImage;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "tag",
        "source",
        "load_path",
        "state",
        "force_source",
        "force_tag",
        "force_absent",
        "repository",
    ],
    required: &["name"],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Source {
    Pull,
    Load(String),
    Local,
}

pub(super) struct Wanted {
    reference: String,
    /// `None` for `state: absent`.
    source: Option<Source>,
    force_source: bool,
    force_absent: bool,
    /// Also tag the image as this, for `repository`.
    repository: Option<String>,
    force_tag: bool,
}

pub(super) struct Found {
    image: Option<Json>,
    repository: Option<Json>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Fetch,
    Tag,
    Remove,
}

impl StateModule for DockerImage {
    type Desired = Wanted;
    type Observed = Found;

    fn name(&self) -> &'static str {
        "docker_image"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Wanted, ModuleError> {
        let tag = args.str("tag")?.unwrap_or_else(|| "latest".into());
        let reference = full_reference(&args.str("name")?.unwrap_or_default(), &tag);
        let present = match args.str("state")?.as_deref().unwrap_or("present") {
            "present" => true,
            "absent" => false,
            other => {
                return Err(ModuleError::failed(format!(
                    "state must be present or absent, got `{other}`"
                )));
            }
        };
        let load_path = args.str("load_path")?;
        let source = match (args.str("source")?.as_deref(), load_path) {
            (Some("pull"), _) => Source::Pull,
            (Some("local"), _) => Source::Local,
            (Some("load"), Some(path)) => Source::Load(path),
            (Some("load"), None) => {
                return Err(ModuleError::failed(
                    "source is load but load_path is missing",
                ));
            }
            (None, Some(path)) => Source::Load(path),
            (None, None) => Source::Pull,
            (Some(other), _) => {
                return Err(ModuleError::failed(format!(
                    "source must be one of pull, load, local, got `{other}` (build is not supported)"
                )));
            }
        };
        Ok(Wanted {
            reference,
            source: present.then_some(source),
            force_source: args.bool("force_source", false)?,
            force_absent: args.bool("force_absent", false)?,
            repository: args.str("repository")?.map(|r| full_reference(&r, &tag)),
            force_tag: args.bool("force_tag", false)?,
        })
    }

    fn inspect(&self, want: &Wanted, ctx: &mut ModuleContext) -> Result<Found, ModuleError> {
        let mut objects = vec![Object::Image(&want.reference)];
        if let Some(repository) = &want.repository {
            objects.push(Object::Image(repository));
        }
        let mut found = docker_cli::inspect(ctx, self.name(), &objects)?.into_iter();
        Ok(Found {
            image: found.next().flatten(),
            repository: found.next().flatten(),
        })
    }

    fn diff(&self, want: &Wanted, have: &Found) -> Result<Changes, ModuleError> {
        let steps = steps(want, have)?;
        let mut changes = Changes::none();
        if steps.is_empty() {
            return Ok(changes);
        }
        let state = |present: bool| if present { "present" } else { "absent" };
        let mut before = format!("{}: {}\n", want.reference, state(have.image.is_some()));
        let mut after = format!("{}: {}\n", want.reference, state(want.source.is_some()));
        if steps.contains(&Step::Fetch) {
            after.push_str(&format!("source: {}\n", source_text(want)));
        }
        if let Some(repository) = &want.repository
            && steps.contains(&Step::Tag)
        {
            before.push_str(&format!(
                "{repository}: {}\n",
                state(have.repository.is_some())
            ));
            after.push_str(&format!("{repository}: tagged from {}\n", want.reference));
        }
        for step in steps {
            changes.add(format!("{step:?}").to_lowercase(), None);
        }
        changes.diffs.push(Diff::content(
            &format!("image {}", want.reference),
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
        let reference = &want.reference;
        let mut actions = Vec::new();
        for step in steps(want, have)? {
            match step {
                Step::Remove => {
                    let mut args = vec!["rmi".to_string()];
                    if want.force_absent {
                        args.push("--force".into());
                    }
                    args.push(reference.clone());
                    docker_cli::run(ctx, &format!("removing {reference}"), &args)?;
                    actions.push(format!("Removed image {reference}"));
                }
                Step::Fetch => actions.push(fetch(want, ctx)?),
                Step::Tag => {
                    let repository = want.repository.clone().unwrap_or_default();
                    let args = ["tag".to_string(), reference.clone(), repository.clone()];
                    docker_cli::run(ctx, &format!("tagging {reference}"), &args)?;
                    actions.push(format!("Tagged image {reference} to {repository}"));
                }
            }
        }
        let image = if want.source.is_some() {
            let mut found = docker_cli::inspect(ctx, self.name(), &[Object::Image(reference)])?;
            found.pop().flatten()
        } else {
            None
        };
        Ok(Outcome::ok()
            .with(
                "image",
                image.as_ref().map_or_else(empty, docker_cli::to_value),
            )
            .with("actions", Value::from(actions)))
    }

    fn describe(&self, _want: &Wanted, have: &Found) -> Outcome {
        Outcome::ok()
            .with(
                "image",
                have.image.as_ref().map_or_else(empty, docker_cli::to_value),
            )
            .with("actions", Value::from(Vec::<Value>::new()))
    }
}

fn empty() -> Value {
    crate::value::map_value(Default::default())
}

fn source_text(want: &Wanted) -> String {
    match &want.source {
        Some(Source::Pull) => "pull".into(),
        Some(Source::Load(path)) => format!("load {path}"),
        Some(Source::Local) => "local".into(),
        None => "none".into(),
    }
}

/// What must be done, in order; empty when the host is as wanted.
fn steps(want: &Wanted, have: &Found) -> Result<Vec<Step>, ModuleError> {
    let Some(source) = &want.source else {
        return Ok(if have.image.is_some() {
            vec![Step::Remove]
        } else {
            vec![]
        });
    };
    let mut steps = Vec::new();
    if have.image.is_none() || (want.force_source && *source != Source::Local) {
        if *source == Source::Local {
            return Err(ModuleError::failed(format!(
                "Cannot find the image {} locally.",
                want.reference
            )));
        }
        steps.push(Step::Fetch);
    }
    if want.repository.is_some() {
        let same = match (&have.image, &have.repository) {
            (Some(image), Some(tagged)) => text_at(image, &["Id"]) == text_at(tagged, &["Id"]),
            _ => false,
        };
        if have.repository.is_none() || (want.force_tag && (!same || steps.contains(&Step::Fetch)))
        {
            steps.push(Step::Tag);
        }
    }
    Ok(steps)
}

/// Pull or load the image; a loaded archive must hold the image asked for.
fn fetch(want: &Wanted, ctx: &mut ModuleContext) -> Result<String, ModuleError> {
    let reference = &want.reference;
    match &want.source {
        Some(Source::Load(path)) => {
            let args = ["load".to_string(), "--input".into(), path.clone()];
            let output = docker_cli::run(ctx, &format!("loading {path}"), &args)?;
            let loaded: Vec<String> = output
                .stdout_text()
                .lines()
                .filter_map(|line| line.strip_prefix("Loaded image: "))
                .map(str::to_string)
                .collect();
            if !loaded.iter().any(|image| image == reference) {
                return Err(ModuleError::failed(format!(
                    "The archive {path} did not contain image {reference}. Instead, found {}.",
                    if loaded.is_empty() {
                        "no named image".into()
                    } else {
                        loaded.join(", ")
                    }
                )));
            }
            Ok(format!("Loaded image {reference} from {path}"))
        }
        _ => {
            let args = ["pull".to_string(), reference.clone()];
            docker_cli::run(ctx, &format!("pulling {reference}"), &args)?;
            Ok(format!("Pulled image {reference}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want(source: Option<Source>) -> Wanted {
        Wanted {
            reference: "kwdb:2.2.0".into(),
            source,
            force_source: false,
            force_absent: false,
            repository: None,
            force_tag: false,
        }
    }

    fn found(image: Option<&str>, repository: Option<&str>) -> Found {
        let inspect = |id: &str| serde_json::json!({"Id": id});
        Found {
            image: image.map(inspect),
            repository: repository.map(inspect),
        }
    }

    #[test]
    fn steps_follow_presence_and_force() {
        let pull = want(Some(Source::Pull));
        assert_eq!(steps(&pull, &found(None, None)).expect("ok"), [Step::Fetch]);
        assert_eq!(steps(&pull, &found(Some("a"), None)).expect("ok"), []);
        let forced = Wanted {
            force_source: true,
            ..want(Some(Source::Pull))
        };
        assert_eq!(
            steps(&forced, &found(Some("a"), None)).expect("ok"),
            [Step::Fetch]
        );
        assert_eq!(
            steps(&want(None), &found(Some("a"), None)).expect("ok"),
            [Step::Remove]
        );
        assert_eq!(steps(&want(None), &found(None, None)).expect("ok"), []);
        assert!(steps(&want(Some(Source::Local)), &found(None, None)).is_err());
    }

    #[test]
    fn a_repository_is_tagged_once_unless_forced() {
        let tagged = Wanted {
            repository: Some("reg/kwdb:2.2.0".into()),
            ..want(Some(Source::Pull))
        };
        assert_eq!(
            steps(&tagged, &found(Some("a"), None)).expect("ok"),
            [Step::Tag]
        );
        assert_eq!(
            steps(&tagged, &found(Some("a"), Some("b"))).expect("ok"),
            []
        );
        let forced = Wanted {
            force_tag: true,
            ..tagged
        };
        assert_eq!(
            steps(&forced, &found(Some("a"), Some("b"))).expect("ok"),
            [Step::Tag]
        );
        assert_eq!(
            steps(&forced, &found(Some("a"), Some("a"))).expect("ok"),
            []
        );
    }
}
