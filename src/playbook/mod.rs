//! Playbooks in Ansible's syntax: the model, the loader that builds it from
//! YAML with positions, and the checks that reject what we do not support
//! before any host is touched.

mod conditions;
mod free_form;
mod keywords;
mod loader;
mod model;
mod task_loader;

pub use free_form::parse_free_form;
pub use loader::load;
pub use model::{Loop, LoopControl, LoopKind, Play, Playbook, Strategy, Task};
