//! Jinja2 templating with Ansible's filters and tests, on minijinja.
//!
//! [`Templar`] is the engine the executor shares between workers.

mod cache;
mod condition;
mod environment;
mod error;
mod filters;
mod inner_error;
mod jinja_tests;
mod known_names;
pub(crate) mod lookups;
mod native;
mod pyrandom;
mod pyrepr;
mod templar;
#[cfg(test)]
mod templar_tests;
mod trust;
mod undeclared;
mod version;

pub use error::{TemplateError, TemplateErrorKind, Unknown};
pub(crate) use filters::pyjson::{JsonStyle, dumps as python_json};
pub use inner_error::{nesting, record_inner_error, take_inner_error};
pub use lookups::take_warnings as take_lookup_warnings;
pub use native::{TemplateShape, has_template_markers, shape};
pub use pyrepr::{py_repr, py_str};
pub use templar::Templar;

/// The placeholder `omit` renders to; an argument with this value is
/// dropped, and in text it renders to nothing, as Ansible's `Omit` does.
pub const OMIT: &str = "__omit_place_holder__runbook";
pub use trust::{as_data, is_data};
pub use undeclared::{condition_variables, template_variables};
