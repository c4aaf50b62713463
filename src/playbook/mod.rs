//! Playbooks in Ansible's syntax: the model, the loader that builds it from
//! YAML with positions, and the checks that reject what we do not support
//! before any host is touched.

mod become_keywords;
mod builtin_action;
mod collections;
mod conditions;
mod connection_keywords;
mod free_form;
mod keywords;
mod loader;
#[cfg(test)]
mod loader_fuzz;
mod locate;
mod meta_step;
mod model;
mod module_defaults;
mod play_keywords;
mod role_argument_specs;
mod role_handlers;
mod role_steps;
mod roles;
mod split_args;
mod steps;
mod task_loader;

pub use become_keywords::BecomeKeywords;
pub use connection_keywords::ConnectionKeywords;
pub use free_form::parse_free_form;
pub use loader::{LoadOptions, load};
pub use locate::{PLAYBOOKS_DIR, locate_playbook};
pub use model::{
    BatchSize, Block, DynamicInclude, Handler, HostOrder, Include, Loop, LoopControl, LoopKind,
    Meta, MetaAction, Play, Playbook, RoleId, RoleKey, Step, Strategy, Task, VarPrompt, VarsFile,
};
pub use module_defaults::ModuleDefaults;
pub use play_keywords::{KeywordTemplate, PlayKeywords};
pub use roles::Role;
pub use steps::{IncludeLoadError, load_included};

/// A task from the ad-hoc command line (`-m MODULE -a ARGS`), checked like a
/// playbook task. `ARGS` is `k=v` text, or a JSON object as Ansible also
/// accepts (`-a '{"path": "/x"}'`).
pub fn adhoc_task(module: &str, args: &str) -> Result<Task, crate::source::Diagnostic> {
    let trimmed = args.trim();
    let json_object = trimmed.starts_with('{')
        && trimmed.ends_with('}')
        && serde_json::from_str::<serde_json::Value>(trimmed).is_ok_and(|v| v.is_object());
    let module_key = serde_json::Value::from(module);
    // A block scalar keeps the arguments on a line as typed, so an error in
    // them is shown with a caret under the text the user wrote.
    let verbatim = !args.starts_with(char::is_whitespace)
        && !args.ends_with(char::is_whitespace)
        && !args.contains('\r');
    let text = if trimmed.is_empty() {
        format!("{{{module_key}: null}}")
    } else if json_object {
        format!("{{{module_key}: {trimmed}}}")
    } else if verbatim {
        let indented = args.lines().collect::<Vec<_>>().join("\n  ");
        format!("{module_key}: |-\n  {indented}\n")
    } else {
        format!("{{{module_key}: {}}}", serde_json::Value::from(args))
    };
    let file = crate::source::SourceFile::new("<command line>", text);
    let node = crate::yaml::parse_str(file)?;
    task_loader::load_task(&node, task_loader::TaskRole::Task)
}
