//! `slurp`: read a whole file from a host and return it base64-encoded, as
//! Ansible does, so binary content survives `register`. Read-only.

use base64::Engine;

use super::{ArgSpec, Args, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;

pub(super) struct Slurp;

static SPEC: ArgSpec = ArgSpec {
    names: &["src"],
    aliases: &[("path", "src")],
    required: &["src"],
    paths: &["src"],
    ..ArgSpec::EMPTY
};

const MISSING: i32 = 3;
const DIRECTORY: i32 = 4;

impl Module for Slurp {
    fn name(&self) -> &'static str {
        "slurp"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let src = match args.str("src") {
            Ok(Some(src)) => src,
            Ok(None) => return Ok(Outcome::failed("missing required arguments: src")),
            Err(error) => return Ok(Outcome::failed(error.to_string())),
        };
        let quoted = shell_quote(&src);
        let script = format!(
            "[ -e {quoted} ] || exit {MISSING}\n[ -d {quoted} ] && exit {DIRECTORY}\ncat -- {quoted}"
        );
        let output = ctx.connection()?.run(&script, None)?;
        Ok(match output.rc {
            0 => Outcome::ok()
                .with(
                    "content",
                    base64::engine::general_purpose::STANDARD.encode(&output.stdout),
                )
                .with("encoding", "base64")
                .with("source", src),
            MISSING => Outcome::failed(format!("file not found: {src}")),
            DIRECTORY => {
                Outcome::failed(format!("source is a directory and must be a file: {src}"))
            }
            rc => Outcome::failed(format!(
                "cannot read {src} (rc={rc}): {}",
                output.stderr_text().trim()
            )),
        })
    }
}
