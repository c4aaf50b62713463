//! What every task of a play (or of one `serial` batch) shares: the play,
//! its variables, the hosts of the batch, and whether the batch or the
//! play was told to stop. Where each host stands in the play is in its
//! [`HostRecord`](super::host_record::HostRecord).

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::playbook::{Play, PlayKeywords, Role};
use crate::source::Diagnostic;
use crate::value::VarMap;

pub(super) struct PlayCtx<'a> {
    pub play: &'a Play,
    /// The play's keywords, their templates rendered.
    pub keywords: PlayKeywords,
    /// `ansible_play_hosts`, `ansible_play_batch` and friends.
    pub magic: Arc<VarMap>,
    /// Play `vars` with `vars_files` above them.
    pub vars: Arc<VarMap>,
    /// `vars_files` entries read for each host from its own variables.
    pub host_vars_files: Arc<super::vars_files::HostVarsFiles>,
    /// The hosts of this batch still in the run.
    pub batch: Vec<String>,
    /// How many hosts the batch was cut with, those already out of the run
    /// included: Ansible's batch size, which `max_fail_percentage` divides by.
    pub batch_size: usize,
    /// The batch stops (failure limits, `any_errors_fatal`, `end_batch`).
    stop_batch: AtomicBool,
    /// The whole play stops (`end_play`, failure limits).
    stop_play: AtomicBool,
    /// The plays after this one do not run either (`max_fail_percentage`).
    abandon_playbook: AtomicBool,
    /// Roles `include_role` with `public: true` made the play's once it
    /// ran. Ansible runs each `serial` batch on a fresh copy of the play, so
    /// the next batch starts without them.
    published_roles: RwLock<Vec<Arc<Role>>>,
    /// An error that ends the whole run, as Ansible's `ERROR!` does.
    fatal: Mutex<Option<Diagnostic>>,
}

/// What the batches of one play share.
pub(super) struct PlayScope {
    /// Play `vars` with `vars_files` above them.
    pub vars: Arc<VarMap>,
    /// `vars_files` entries read for each host from its own variables.
    pub host_vars_files: Arc<super::vars_files::HostVarsFiles>,
}

impl PlayScope {
    pub(super) fn new(vars: VarMap, host_vars_files: super::vars_files::HostVarsFiles) -> Self {
        Self {
            vars: Arc::new(vars),
            host_vars_files: Arc::new(host_vars_files),
        }
    }
}

/// The hosts of one `serial` batch.
pub(super) struct Batch {
    /// Those still in the run.
    pub live: Vec<String>,
    /// How many the batch was cut with.
    pub size: usize,
}

impl<'a> PlayCtx<'a> {
    pub(super) fn new(
        play: &'a Play,
        keywords: PlayKeywords,
        magic: Arc<VarMap>,
        scope: &PlayScope,
        batch: Batch,
    ) -> Self {
        Self {
            play,
            keywords,
            magic,
            vars: scope.vars.clone(),
            host_vars_files: scope.host_vars_files.clone(),
            batch: batch.live,
            batch_size: batch.size,
            stop_batch: AtomicBool::new(false),
            stop_play: AtomicBool::new(false),
            abandon_playbook: AtomicBool::new(false),
            published_roles: RwLock::default(),
            fatal: Mutex::new(None),
        }
    }

    /// The roles whose defaults and vars every task of the play sees:
    /// those of `roles:` and `import_role`, then those published since.
    pub(super) fn public_roles(&self) -> Cow<'_, [Arc<Role>]> {
        let own = Cow::Borrowed(self.play.public_roles.as_slice());
        match self.published_roles.read() {
            Ok(published) if !published.is_empty() => {
                let mut roles = own.into_owned();
                roles.extend(published.iter().cloned());
                Cow::Owned(roles)
            }
            _ => own,
        }
    }

    /// `include_role` with `public: true` ran: its roles are the play's.
    pub(super) fn publish(&self, roles: &[Arc<Role>]) {
        if let Ok(mut published) = self.published_roles.write() {
            for role in roles {
                if !published.iter().any(|known| Arc::ptr_eq(known, role)) {
                    published.push(role.clone());
                }
            }
        }
    }

    pub(super) fn stop_batch(&self) {
        self.stop_batch.store(true, Ordering::SeqCst);
    }

    pub(super) fn stop_play(&self) {
        self.stop_play.store(true, Ordering::SeqCst);
        self.stop_batch();
    }

    /// Stop this play, and the playbook with it.
    pub(super) fn abandon_playbook(&self) {
        self.abandon_playbook.store(true, Ordering::SeqCst);
        self.stop_play();
    }

    /// End the run with `error` (the first one counts): no task starts
    /// after the one running now, and no recap is shown.
    pub(super) fn fail_run(&self, error: Diagnostic) {
        if let Ok(mut fatal) = self.fatal.lock() {
            fatal.get_or_insert(error);
        }
        self.abandon_playbook();
    }

    pub(super) fn take_fatal_error(&self) -> Option<Diagnostic> {
        self.fatal.lock().ok().and_then(|mut fatal| fatal.take())
    }

    pub(super) fn playbook_abandoned(&self) -> bool {
        self.abandon_playbook.load(Ordering::SeqCst)
    }

    pub(super) fn batch_stopped(&self) -> bool {
        self.stop_batch.load(Ordering::SeqCst)
    }

    pub(super) fn play_stopped(&self) -> bool {
        self.stop_play.load(Ordering::SeqCst)
    }
}
