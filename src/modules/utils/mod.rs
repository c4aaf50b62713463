//! Helpers that modules share (Ansible's `module_utils`): host-side file
//! work, command runs, text edits, file placement, HTTP, docker and pip
//! knowledge. Nothing here is a module; modules live one per file in the
//! folder above, beside their contract (`Module`, `ArgSpec`, `Outcome`...).

pub(super) mod accounts;
pub(super) mod apt;
pub(super) mod argument_spec;
pub(super) mod authorized_keys;
pub(super) mod copy_source;
pub(super) mod crontab;
pub(super) mod docker_cli;
pub(super) mod docker_container_options;
pub(super) mod exec;
pub(super) mod file_state;
pub(super) mod fragments;
pub(super) mod host;
pub(super) mod http;
pub(super) mod local_source;
pub(super) mod mysql;
pub(super) mod output_lines;
pub(super) mod pip;
pub(super) mod placement;
pub(super) mod probe;
pub(super) mod template_text;
pub(super) mod text_edit;
pub(super) mod text_file;
