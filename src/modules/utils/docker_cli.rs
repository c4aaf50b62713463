//! What the docker modules share: driving the `docker` CLI on the host
//! (the engine is whatever answers there: a daemon, or the lab's shim),
//! reading `docker inspect` JSON in one round trip, and image references.

use serde_json::Value as Json;

use super::host::run_checked;
use crate::connection::{ExecOutput, shell_quote};
use crate::modules::{ModuleContext, ModuleError};
use crate::value::Value;

/// What to look up with `docker inspect`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Object<'a> {
    Container(&'a str),
    Image(&'a str),
}

const SEPARATOR: &str = "--runbook-inspect--";

/// `docker` with these arguments, as one shell command line.
pub(crate) fn command_line<S: AsRef<str>>(args: &[S]) -> String {
    let mut line = String::from("docker");
    for arg in args {
        line.push(' ');
        line.push_str(&shell_quote(arg.as_ref()));
    }
    line
}

/// Inspect every object in one round trip; `None` for those that do not exist.
pub(crate) fn inspect(
    ctx: &mut ModuleContext,
    module: &str,
    objects: &[Object],
) -> Result<Vec<Option<Json>>, ModuleError> {
    let mut script = String::from("command -v docker >/dev/null 2>&1 || exit 127\n");
    for object in objects {
        let (kind, name) = match object {
            Object::Container(name) => ("container", name),
            Object::Image(name) => ("image", name),
        };
        script.push_str(&format!(
            "echo {SEPARATOR}\nout=$(docker {kind} inspect {} 2>/dev/null) || out='[]'\nprintf '%s\\n' \"$out\"\n",
            shell_quote(name)
        ));
    }
    let output = ctx.connection()?.run(&script, None)?;
    if output.rc == 127 {
        return Err(missing_docker(ctx, module));
    }
    if output.rc != 0 {
        return Err(ModuleError::failed(format!(
            "docker inspect failed on {} (rc={}): {}",
            ctx.host,
            output.rc,
            output.stderr_text().trim()
        )));
    }
    parse_inspections(&output.stdout_text(), objects.len())
}

fn parse_inspections(text: &str, expected: usize) -> Result<Vec<Option<Json>>, ModuleError> {
    let chunks: Vec<&str> = text.split(&format!("{SEPARATOR}\n")).skip(1).collect();
    if chunks.len() != expected {
        return Err(ModuleError::failed(format!(
            "unexpected output from docker inspect: {text:?}"
        )));
    }
    chunks.into_iter().map(parse_inspection).collect()
}

fn parse_inspection(chunk: &str) -> Result<Option<Json>, ModuleError> {
    let parsed: Json = serde_json::from_str(chunk.trim()).map_err(|error| {
        ModuleError::failed(format!(
            "cannot read docker inspect output ({error}): {chunk:?}"
        ))
    })?;
    match parsed {
        Json::Array(items) => Ok(items.into_iter().next()),
        other => Ok(Some(other)),
    }
}

/// Run `docker ARGS...`; a non-zero exit fails the task with docker's message.
pub(crate) fn run(
    ctx: &mut ModuleContext,
    what: &str,
    args: &[String],
) -> Result<ExecOutput, ModuleError> {
    run_checked(ctx, what, &command_line(args), None)
}

pub(crate) fn missing_docker(ctx: &ModuleContext, module: &str) -> ModuleError {
    ModuleError::failed(format!(
        "{module} needs docker on {}, which is not installed there",
        ctx.host
    ))
}

/// An image reference with its tag: `nginx` → `nginx:latest`; a registry
/// port (`registry:5000/app`) is not a tag, a digest (`@sha256:`) needs none.
pub(crate) fn full_reference(name: &str, tag: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    if last.contains(':') || last.contains('@') {
        name.to_string()
    } else {
        format!("{name}:{tag}")
    }
}

/// Inspect data as a result value.
pub(crate) fn to_value(json: &Json) -> Value {
    Value::from(minijinja::value::Serde(json))
}

/// A string field at `path` (`["Config", "Image"]`), if present.
pub(crate) fn text_at<'a>(json: &'a Json, path: &[&str]) -> Option<&'a str> {
    at(json, path).and_then(Json::as_str)
}

pub(crate) fn at<'a>(json: &'a Json, path: &[&str]) -> Option<&'a Json> {
    path.iter().try_fold(json, |node, key| node.get(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_get_a_tag_unless_they_have_one() {
        assert_eq!(full_reference("nginx", "latest"), "nginx:latest");
        assert_eq!(full_reference("nginx:1.25", "latest"), "nginx:1.25");
        assert_eq!(
            full_reference("registry:5000/app", "2"),
            "registry:5000/app:2"
        );
        assert_eq!(full_reference("app@sha256:ab", "x"), "app@sha256:ab");
    }

    #[test]
    fn reads_found_and_missing_objects() {
        let text = format!("{SEPARATOR}\n[{{\"Id\": \"a\"}}]\n{SEPARATOR}\n[]\n");
        let found = parse_inspections(&text, 2).expect("parses");
        assert_eq!(
            found[0].as_ref().and_then(|j| text_at(j, &["Id"])),
            Some("a")
        );
        assert!(found[1].is_none());
        assert!(parse_inspections(&text, 3).is_err());
        assert!(parse_inspections(&format!("{SEPARATOR}\nnot json\n"), 1).is_err());
    }

    #[test]
    fn quotes_every_argument() {
        assert_eq!(
            command_line(&["run", "-e", "A=b c"]),
            "docker run -e 'A=b c'"
        );
    }
}
