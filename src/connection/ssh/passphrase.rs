//! Passphrases of encrypted keys: from `RUNBOOK_SSH_KEY_PASSPHRASE`, or asked
//! once per key on the terminal. Many hosts connect at once, so one worker
//! asks while the others wait, and the answer serves every host.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::auth::PASSPHRASE_ENV;

static ASKED: Mutex<BTreeMap<PathBuf, Option<String>>> = Mutex::new(BTreeMap::new());

/// The passphrase for `key`, or `None` when there is neither the variable nor a terminal.
pub(super) fn passphrase_for(key: &Path) -> Option<String> {
    if let Ok(passphrase) = std::env::var(PASSPHRASE_ENV) {
        return Some(passphrase);
    }
    let mut asked = ASKED.lock().ok()?;
    if let Some(answer) = asked.get(key) {
        return answer.clone();
    }
    let answer = crate::terminal::ask(
        &format!("Enter passphrase for key '{}': ", key.display()),
        false,
    );
    asked.insert(key.to_path_buf(), answer.clone());
    answer
}
