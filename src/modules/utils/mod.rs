//! Helpers that modules share (Ansible's `module_utils`): host-side file
//! work, command runs, text edits, file placement, HTTP, docker and pip
//! knowledge. Nothing here is a module; modules live one per file in the
//! folder above, beside their contract (`Module`, `ArgSpec`, `Outcome`...).

pub mod copy_source;
pub mod docker_cli;
pub mod docker_container_options;
pub mod exec;
pub mod file_state;
pub mod host;
pub mod http;
pub mod local_source;
pub mod pip;
pub mod placement;
pub mod template_text;
pub mod text_edit;
pub mod text_file;
