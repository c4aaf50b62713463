//! Modules: the units of work a task names (`shell`, `debug`, `copy`...).
//! One module per file behind the [`Module`] trait; adding a module touches
//! its own file and one line of [`registry`].

mod archive;
mod args;
mod assert;
mod blockinfile;
mod command;
mod context;
mod copy;
mod debug;
mod diff;
mod docker_compose;
mod docker_container;
mod docker_image;
mod error;
mod fail;
mod fetch;
mod file;
mod get_url;
mod git;
mod include_vars;
mod lineinfile;
mod outcome;
mod pause;
mod ping;
mod pip;
mod raw;
pub mod registry;
mod replace;
mod script;
mod set_fact;
mod setup;
mod shell;
mod slurp;
mod spec;
mod stat;
mod state;
mod systemd;
mod template_module;
mod unarchive;
mod uri;
mod utils;
mod wait_for;

pub use args::Args;
pub use context::{ConnectionSlot, ModuleContext};
pub use diff::{Changes, Diff};
pub use error::ModuleError;
pub use outcome::Outcome;
pub use spec::{ArgSpec, FreeForm};
pub use state::{StateModule, Stateful};

/// One module: what arguments it takes and what it does on a host.
pub trait Module: Send + Sync {
    /// The short name (`shell`); `ansible.builtin.shell` resolves to it.
    fn name(&self) -> &'static str;

    /// Its arguments, checked before any host is touched.
    fn spec(&self) -> &'static ArgSpec;

    /// Do the work on one host. [`ModuleError::Failed`] fails the task (as
    /// does an `Ok` outcome with `failed` set, which keeps its result keys);
    /// [`ModuleError::Unreachable`] takes the host out of the play. `?` on a
    /// [`ConnectionError`](crate::connection::ConnectionError) sorts it into
    /// one or the other.
    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError>;
}
