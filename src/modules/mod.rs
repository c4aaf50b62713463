//! Modules: the units of work a task names (`shell`, `debug`, `copy`...).
//! One module per file behind the [`Module`] trait, beside the contract it
//! is written against (`Args`, `ArgSpec`, `Outcome`, `ModuleError`,
//! `ModuleContext`, `StateModule`); shared helpers live in `utils/`.
//! Adding a module touches its own file, one line of [`registry`] and its
//! docs page (see "Adding a module" there).

// The module files themselves are declared by the registry's list, so a
// new module needs no line here.
#[macro_use]
pub mod registry;

pub mod async_job;

mod args;
mod context;
mod diff;
mod error;
mod host_paths;
mod outcome;
mod spec;
mod state;
mod utils;

/// Declares each file named in the registry's list as a module of this folder.
macro_rules! declare_module_files {
    ($($file:ident: $($module:expr),+;)*) => {
        $(mod $file;)*
    };
}
every_module!(declare_module_files);

pub use args::Args;
pub use context::{ConnectionSlot, ModuleContext};
pub use diff::{Changes, Diff};
pub use error::ModuleError;
pub(crate) use host_paths::expand_host_paths;
pub use outcome::Outcome;
pub use setup::FACTS_GATHERED;
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

    /// Start the work as a background job on the host (`async:`), for the
    /// modules that can; `None` runs it in the foreground instead.
    fn start_in_background(
        &self,
        _args: &Args,
        _ctx: &mut ModuleContext,
        _limit: u64,
    ) -> Option<Result<async_job::Job, ModuleError>> {
        None
    }
}
