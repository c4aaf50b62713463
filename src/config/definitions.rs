//! The Ansible settings runbook reads, under Ansible's names (those
//! `ansible-config dump` prints), with where each can be set.

/// How a setting's text is read (Ansible's `type:` in its base.yml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Ansible's lenient boolean: yes/on/1/true/t/y are true, the rest false.
    Bool,
    Int,
    Text,
    /// One path: `~` and `$VARS` expanded, relative to ansible.cfg's folder.
    Path,
    /// Paths separated by `,`.
    PathList,
    /// Paths separated by `:`.
    PathSpec,
    /// Words separated by `,`.
    List,
}

/// What runbook does with a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// It behaves as in Ansible.
    Applied,
    /// It means nothing for runbook, by design (said in `config dump`).
    NoEffect(&'static str),
    /// Any value but this one would change results, so it is an error.
    OnlyDefault(&'static str),
}

#[derive(Debug)]
pub struct Definition {
    pub name: &'static str,
    /// `(section, key)` in ansible.cfg, first wins.
    pub ini: &'static [(&'static str, &'static str)],
    /// Environment variables, first wins; they beat ansible.cfg.
    pub env: &'static [&'static str],
    pub kind: Kind,
    /// Ansible's default, as `config dump` shows it.
    pub default: &'static str,
    pub effect: Effect,
}

macro_rules! settings {
    ($($id:ident = $name:literal, $kind:ident, default $default:literal, ini [$(($section:literal, $key:literal)),*], env [$($env:literal),*], $effect:expr;)*) => {
        $(pub const $id: &Definition = &Definition {
            name: $name,
            ini: &[$(($section, $key)),*],
            env: &[$($env),*],
            kind: Kind::$kind,
            default: $default,
            effect: $effect,
        };)*
        /// Every setting runbook knows, in `config dump` order.
        pub const ALL: &[&Definition] = &[$($id),*];
    };
}

const NO_PYTHON: Effect = Effect::NoEffect("runbook runs no Python on hosts");
const ONE_SHELL: Effect =
    Effect::NoEffect("runbook always runs a host's tasks through one persistent SSH session");

settings! {
    ANY_ERRORS_FATAL = "ANY_ERRORS_FATAL", Bool, default "False",
        ini [("defaults", "any_errors_fatal")], env ["ANSIBLE_ANY_ERRORS_FATAL"], Effect::Applied;
    COLOR_OFF = "ANSIBLE_NOCOLOR", Bool, default "False",
        ini [("defaults", "nocolor")], env ["ANSIBLE_NOCOLOR", "NO_COLOR"], Effect::Applied;
    COLOR_FORCED = "ANSIBLE_FORCE_COLOR", Bool, default "False",
        ini [("defaults", "force_color")], env ["ANSIBLE_FORCE_COLOR"], Effect::Applied;
    ASK_PASS = "DEFAULT_ASK_PASS", Bool, default "False",
        ini [("defaults", "ask_pass")], env ["ANSIBLE_ASK_PASS"], Effect::Applied;
    ASK_BECOME_PASS = "DEFAULT_BECOME_ASK_PASS", Bool, default "False",
        ini [("privilege_escalation", "become_ask_pass")], env ["ANSIBLE_BECOME_ASK_PASS"], Effect::Applied;
    BECOME = "DEFAULT_BECOME", Bool, default "False",
        ini [("privilege_escalation", "become")], env ["ANSIBLE_BECOME"], Effect::Applied;
    BECOME_METHOD = "DEFAULT_BECOME_METHOD", Text, default "sudo",
        ini [("privilege_escalation", "become_method")], env ["ANSIBLE_BECOME_METHOD"], Effect::Applied;
    BECOME_USER = "DEFAULT_BECOME_USER", Text, default "root",
        ini [("privilege_escalation", "become_user")], env ["ANSIBLE_BECOME_USER"], Effect::Applied;
    EXECUTABLE = "DEFAULT_EXECUTABLE", Text, default "/bin/sh",
        ini [("defaults", "executable")], env ["ANSIBLE_EXECUTABLE"], Effect::OnlyDefault("/bin/sh");
    FORCE_HANDLERS = "DEFAULT_FORCE_HANDLERS", Bool, default "False",
        ini [("defaults", "force_handlers")], env ["ANSIBLE_FORCE_HANDLERS"], Effect::Applied;
    FORKS = "DEFAULT_FORKS", Int, default "5",
        ini [("defaults", "forks")], env ["ANSIBLE_FORKS"], Effect::Applied;
    GATHERING = "DEFAULT_GATHERING", Text, default "implicit",
        ini [("defaults", "gathering")], env ["ANSIBLE_GATHERING"], Effect::Applied;
    HASH_BEHAVIOUR = "DEFAULT_HASH_BEHAVIOUR", Text, default "replace",
        ini [("defaults", "hash_behaviour")], env ["ANSIBLE_HASH_BEHAVIOUR"], Effect::OnlyDefault("replace");
    INVENTORY = "DEFAULT_HOST_LIST", PathList, default "/etc/ansible/hosts",
        ini [("defaults", "inventory")], env ["ANSIBLE_INVENTORY"], Effect::Applied;
    INVENTORY_IGNORE_EXTS = "INVENTORY_IGNORE_EXTS", List, default ".pyc, .pyo, .swp, .bak, ~, .rpm, .md, .txt, .rst, .orig, .cfg, .retry",
        ini [("defaults", "inventory_ignore_extensions"), ("inventory", "ignore_extensions")], env ["ANSIBLE_INVENTORY_IGNORE"], Effect::Applied;
    INVENTORY_IGNORE_PATTERNS = "INVENTORY_IGNORE_PATTERNS", List, default "",
        ini [("defaults", "inventory_ignore_patterns"), ("inventory", "ignore_patterns")], env ["ANSIBLE_INVENTORY_IGNORE_REGEX"], Effect::Applied;
    LOG_PATH = "DEFAULT_LOG_PATH", Path, default "",
        ini [("defaults", "log_path")], env ["ANSIBLE_LOG_PATH"], Effect::Applied;
    POLL_INTERVAL = "DEFAULT_POLL_INTERVAL", Int, default "15",
        ini [("defaults", "poll_interval")], env ["ANSIBLE_POLL_INTERVAL"], Effect::Applied;
    PRIVATE_KEY_FILE = "DEFAULT_PRIVATE_KEY_FILE", Path, default "",
        ini [("defaults", "private_key_file")], env ["ANSIBLE_PRIVATE_KEY_FILE"], Effect::Applied;
    REMOTE_PORT = "DEFAULT_REMOTE_PORT", Int, default "",
        ini [("defaults", "remote_port")], env ["ANSIBLE_REMOTE_PORT"], Effect::Applied;
    REMOTE_USER = "DEFAULT_REMOTE_USER", Text, default "",
        ini [("defaults", "remote_user")], env ["ANSIBLE_REMOTE_USER"], Effect::Applied;
    COLLECTIONS_PATHS = "COLLECTIONS_PATHS", PathSpec, default "~/.ansible/collections:/usr/share/ansible/collections",
        ini [("defaults", "collections_path"), ("defaults", "collections_paths")], env ["ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS"], Effect::Applied;
    ROLES_PATH = "DEFAULT_ROLES_PATH", PathSpec, default "~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles",
        ini [("defaults", "roles_path")], env ["ANSIBLE_ROLES_PATH"], Effect::Applied;
    STRATEGY = "DEFAULT_STRATEGY", Text, default "linear",
        ini [("defaults", "strategy")], env ["ANSIBLE_STRATEGY"], Effect::Applied;
    TIMEOUT = "DEFAULT_TIMEOUT", Int, default "10",
        ini [("defaults", "timeout"), ("ssh_connection", "timeout")], env ["ANSIBLE_TIMEOUT", "ANSIBLE_SSH_TIMEOUT"], Effect::Applied;
    UNDEFINED_VARS_ARE_ERRORS = "DEFAULT_UNDEFINED_VAR_BEHAVIOR", Bool, default "True",
        ini [("defaults", "error_on_undefined_vars")], env ["ANSIBLE_ERROR_ON_UNDEFINED_VARS"], Effect::OnlyDefault("True");
    HOST_KEY_CHECKING = "HOST_KEY_CHECKING", Bool, default "True",
        ini [("defaults", "host_key_checking"), ("ssh_connection", "host_key_checking")], env ["ANSIBLE_HOST_KEY_CHECKING", "ANSIBLE_SSH_HOST_KEY_CHECKING"], Effect::Applied;
    INTERPRETER_PYTHON = "INTERPRETER_PYTHON", Text, default "auto",
        ini [("defaults", "interpreter_python")], env ["ANSIBLE_PYTHON_INTERPRETER"], NO_PYTHON;
    PLAYBOOK_DIR = "PLAYBOOK_DIR", Path, default "",
        ini [("defaults", "playbook_dir")], env ["ANSIBLE_PLAYBOOK_DIR"], Effect::Applied;
    PIPELINING = "PIPELINING", Bool, default "False",
        ini [("ssh_connection", "pipelining"), ("connection", "pipelining")], env ["ANSIBLE_PIPELINING", "ANSIBLE_SSH_PIPELINING"], ONE_SHELL;
    RETRY_FILES_ENABLED = "RETRY_FILES_ENABLED", Bool, default "False",
        ini [("defaults", "retry_files_enabled")], env ["ANSIBLE_RETRY_FILES_ENABLED"], Effect::Applied;
    RETRY_FILES_SAVE_PATH = "RETRY_FILES_SAVE_PATH", Path, default "",
        ini [("defaults", "retry_files_save_path")], env ["ANSIBLE_RETRY_FILES_SAVE_PATH"], Effect::Applied;
    SSH_ARGS = "ssh_args", Text, default "-C -o ControlMaster=auto -o ControlPersist=60s",
        ini [("ssh_connection", "ssh_args")], env ["ANSIBLE_SSH_ARGS"], Effect::Applied;
    SSH_COMMON_ARGS = "ssh_common_args", Text, default "",
        ini [("ssh_connection", "ssh_common_args")], env ["ANSIBLE_SSH_COMMON_ARGS"], Effect::Applied;
    SSH_EXTRA_ARGS = "ssh_extra_args", Text, default "",
        ini [("ssh_connection", "ssh_extra_args")], env ["ANSIBLE_SSH_EXTRA_ARGS"], Effect::Applied;
    SSH_CONTROL_PATH = "control_path", Text, default "",
        ini [("ssh_connection", "control_path")], env ["ANSIBLE_SSH_CONTROL_PATH"], ONE_SHELL;
    SSH_CONTROL_PATH_DIR = "control_path_dir", Text, default "~/.ansible/cp",
        ini [("ssh_connection", "control_path_dir")], env ["ANSIBLE_SSH_CONTROL_PATH_DIR"], ONE_SHELL;
    VAULT_ASK_PASS = "DEFAULT_ASK_VAULT_PASS", Bool, default "False",
        ini [("defaults", "ask_vault_pass")], env ["ANSIBLE_ASK_VAULT_PASS"], Effect::Applied;
    VAULT_ENCRYPT_IDENTITY = "DEFAULT_VAULT_ENCRYPT_IDENTITY", Text, default "",
        ini [("defaults", "vault_encrypt_identity")], env ["ANSIBLE_VAULT_ENCRYPT_IDENTITY"], Effect::Applied;
    VAULT_ID_MATCH = "DEFAULT_VAULT_ID_MATCH", Bool, default "False",
        ini [("defaults", "vault_id_match")], env ["ANSIBLE_VAULT_ID_MATCH"], Effect::Applied;
    VAULT_IDENTITY_LIST = "DEFAULT_VAULT_IDENTITY_LIST", List, default "",
        ini [("defaults", "vault_identity_list")], env ["ANSIBLE_VAULT_IDENTITY_LIST"], Effect::Applied;
    VAULT_PASSWORD_FILE = "DEFAULT_VAULT_PASSWORD_FILE", Path, default "",
        ini [("defaults", "vault_password_file")], env ["ANSIBLE_VAULT_PASSWORD_FILE"], Effect::Applied;
    SSH_TRANSFER_METHOD = "ssh_transfer_method", Text, default "smart",
        ini [("ssh_connection", "transfer_method")], env ["ANSIBLE_SSH_TRANSFER_METHOD"],
        Effect::NoEffect("runbook moves files through its own SSH session");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_place_belongs_to_one_setting() {
        let mut places: Vec<String> = ALL
            .iter()
            .flat_map(|def| {
                def.ini
                    .iter()
                    .map(|(section, key)| format!("[{section}] {key}"))
                    .chain(def.env.iter().map(|var| (*var).to_string()))
            })
            .collect();
        let count = places.len();
        places.sort();
        places.dedup();
        assert_eq!(places.len(), count, "a key or variable is listed twice");
    }
}
