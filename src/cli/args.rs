//! Command-line definitions. Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// runbook: run Ansible-style playbooks over SSH on a fleet, fast and safely.
#[derive(Debug, Parser)]
#[command(name = "runbook", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run playbooks against an inventory.
    Play(PlayArgs),
    /// Run one module on the hosts matching a pattern (ad-hoc).
    Run(RunArgs),
    /// Show an inventory: its hosts, groups and variables.
    Inventory(InventoryArgs),
    /// Lint playbooks without touching hosts: syntax, YAML traps, undefined variables, handlers, removed keywords.
    Check(CheckArgs),
    /// Start or stop a disposable fleet of real SSH hosts on this machine.
    Lab(LabArgs),
    /// Show the Ansible configuration runbook reads (ansible.cfg, ANSIBLE_* variables).
    Config(ConfigArgs),
    /// The runs recorded in the journal, or one of them replayed.
    Runs(RunsArgs),
    /// Print a shell completion script: `runbook completions bash > /etc/bash_completion.d/runbook`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `runbook man | man -l -`.
    Man,
    /// Show a module's documentation (arguments, results, check mode, differences from Ansible).
    Doc {
        /// The module, short or qualified (`copy`, `ansible.builtin.copy`).
        #[arg(required_unless_present = "list")]
        module: Option<String>,
        /// List every module instead.
        #[arg(short = 'l', long, conflicts_with = "module")]
        list: bool,
    },
    /// Encrypt, decrypt, view and edit Ansible Vault files and strings (as ansible-vault).
    Vault(VaultArgs),
    /// Write a GitOps repository to start from: inventories, the shipped procedures, ansible.cfg and CI pipelines.
    Init(InitArgs),
    /// Predict what playbooks would change (check mode, with diffs) and write it as a plan to review.
    Plan(PlanArgs),
    /// Show a plan written by `runbook plan`: text, Markdown for a pull request, or JSON.
    Show(ShowArgs),
}

/// `runbook init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the repository (created if missing; nothing in it is ever overwritten).
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// Encrypt each inventory's group_vars/all/vault.yml with this password (a file, or an executable printing it).
    #[arg(long = "vault-password-file", value_name = "FILE")]
    pub vault_password_file: Option<PathBuf>,
}

/// Options shared by everything that talks to hosts.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Inventory: a file, a directory, a name under inventories/, or a comma list (`h1,h2,`). Repeatable.
    #[arg(short = 'i', long = "inventory", value_name = "INVENTORY")]
    pub inventory: Vec<String>,
    /// Further limit the hosts to a pattern (`web*:!web03`, `@file`).
    #[arg(short = 'l', long = "limit", value_name = "PATTERN")]
    pub limit: Option<String>,
    /// Extra variables: `k=v k2=v2`, `@vars.yml`, or JSON/YAML `{"k": 1}`. Repeatable; highest precedence.
    #[arg(short = 'e', long = "extra-vars", value_name = "VARS")]
    pub extra_vars: Vec<String>,
    /// How many hosts to work on at once (default: ansible.cfg's forks, else 50).
    #[arg(short = 'f', long = "forks", value_name = "N")]
    pub forks: Option<usize>,
    /// Seconds to wait for a host to accept the SSH connection (default: ansible.cfg's timeout, else 10).
    #[arg(short = 'T', long = "timeout", value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Connect as this user where the inventory sets no ansible_user.
    #[arg(short = 'u', long = "user", value_name = "USER")]
    pub user: Option<String>,
    /// The SSH private key where the inventory sets no ansible_ssh_private_key_file.
    #[arg(long = "private-key", visible_alias = "key-file", value_name = "FILE")]
    pub private_key: Option<PathBuf>,
    /// The connection where the inventory sets no ansible_connection: `ssh` or `local`.
    #[arg(short = 'c', long = "connection", value_name = "CONNECTION")]
    pub connection: Option<String>,
    /// Arguments for ssh (`-o ProxyJump=bastion`) where the inventory sets no ansible_ssh_common_args.
    #[arg(
        long = "ssh-common-args",
        value_name = "ARGS",
        allow_hyphen_values = true
    )]
    pub ssh_common_args: Option<String>,
    /// Further arguments for ssh where the inventory sets no ansible_ssh_extra_args.
    #[arg(
        long = "ssh-extra-args",
        value_name = "ARGS",
        allow_hyphen_values = true
    )]
    pub ssh_extra_args: Option<String>,
    /// Record unknown SSH host keys in known_hosts instead of refusing the host (changed keys are always refused).
    #[arg(long)]
    pub accept_new_host_keys: bool,
    /// Predict changes without making them.
    #[arg(short = 'C', long)]
    pub check: bool,
    /// Show what changes (or would change, with --check).
    #[arg(short = 'D', long)]
    pub diff: bool,
    /// More output: -v results, -vv and -vvv more detail.
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Output format: `human` for people, `json` for one JSON event per line.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// Run tasks as another user (`become: true` unless a play or task says otherwise).
    #[arg(short = 'b', long = "become")]
    pub become_: bool,
    /// The user to become (default root).
    #[arg(long, value_name = "USER")]
    pub become_user: Option<String>,
    /// How to become it: `sudo` (default) or `su`.
    #[arg(long, value_name = "METHOD")]
    pub become_method: Option<String>,
    /// Ask once for the become (sudo) password, on the terminal.
    #[arg(short = 'K', long = "ask-become-pass")]
    pub ask_become_pass: bool,
    /// Ask once for the SSH password, on the terminal; used where the inventory sets no ansible_password.
    #[arg(short = 'k', long = "ask-pass")]
    pub ask_pass: bool,
    #[command(flatten)]
    pub vault: VaultFlags,
}

/// Where vault passwords come from (`play`, `run` and `vault`).
#[derive(Debug, Args)]
pub struct VaultFlags {
    /// A vault identity: `label@FILE`, `label@SCRIPT` or `label@prompt` (a bare source is labelled `default`). Repeatable.
    #[arg(long = "vault-id", value_name = "ID")]
    pub vault_id: Vec<String>,
    /// A file holding the vault password, or an executable printing it. Repeatable.
    #[arg(
        long = "vault-password-file",
        visible_alias = "vault-pass-file",
        value_name = "FILE"
    )]
    pub vault_password_file: Vec<PathBuf>,
    /// Ask for the vault password on the terminal.
    #[arg(
        short = 'J',
        long = "ask-vault-pass",
        visible_alias = "ask-vault-password"
    )]
    pub ask_vault_pass: bool,
}

#[derive(Debug, Args)]
pub struct VaultArgs {
    #[command(subcommand)]
    pub action: VaultAction,
}

/// ansible-vault's actions, with its arguments.
#[derive(Debug, Subcommand)]
pub enum VaultAction {
    /// Create a new encrypted file in $EDITOR.
    Create {
        #[command(flatten)]
        keys: VaultFlags,
        /// The vault id to encrypt with (needed when several are given).
        #[arg(long, value_name = "ID")]
        encrypt_vault_id: Option<String>,
        /// Open the editor even when stdout is not a terminal.
        #[arg(long)]
        skip_tty_check: bool,
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Decrypt files in place (or to --output; `-` or no file: stdin/stdout).
    Decrypt {
        #[command(flatten)]
        keys: VaultFlags,
        /// Where to write (`-` for stdout); one input file at most.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Edit encrypted files in $EDITOR (decrypted in a 0600 temporary file, removed after).
    Edit {
        #[command(flatten)]
        keys: VaultFlags,
        /// The vault id to encrypt with (needed when several are given).
        #[arg(long, value_name = "ID")]
        encrypt_vault_id: Option<String>,
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Show the cleartext of encrypted files.
    View {
        #[command(flatten)]
        keys: VaultFlags,
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Encrypt files in place (or to --output; `-` or no file: stdin/stdout).
    Encrypt {
        #[command(flatten)]
        keys: VaultFlags,
        /// Where to write (`-` for stdout); one input file at most.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The vault id to encrypt with (needed when several are given).
        #[arg(long, value_name = "ID")]
        encrypt_vault_id: Option<String>,
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Encrypt strings into `!vault |` YAML values.
    #[command(name = "encrypt_string")]
    EncryptString {
        #[command(flatten)]
        keys: VaultFlags,
        /// Where to write (`-` for stdout).
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The vault id to encrypt with (needed when several are given).
        #[arg(long, value_name = "ID")]
        encrypt_vault_id: Option<String>,
        /// Ask for the string to encrypt on the terminal.
        #[arg(short = 'p', long = "prompt")]
        prompt: bool,
        /// Show what is typed at --prompt.
        #[arg(long)]
        show_input: bool,
        /// The variable name of each string, in order. Repeatable.
        #[arg(short = 'n', long = "name", value_name = "NAME")]
        names: Vec<String>,
        /// The variable name for the string read from stdin.
        #[arg(long, value_name = "NAME")]
        stdin_name: Option<String>,
        /// Strings to encrypt (`-` or none: read stdin).
        #[arg(value_name = "STRING")]
        strings: Vec<String>,
    },
    /// Encrypt files again with a new password.
    Rekey {
        #[command(flatten)]
        keys: VaultFlags,
        /// The vault id to encrypt with.
        #[arg(long, value_name = "ID")]
        encrypt_vault_id: Option<String>,
        /// The new password's file (or executable).
        #[arg(long, value_name = "FILE", conflicts_with = "new_vault_id")]
        new_vault_password_file: Option<PathBuf>,
        /// The new vault identity (`label@source`).
        #[arg(long, value_name = "ID")]
        new_vault_id: Option<String>,
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct PlayArgs {
    /// Playbook files, run in order.
    #[arg(required = true, value_name = "PLAYBOOK")]
    pub playbooks: Vec<PathBuf>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Check the playbooks and stop.
    #[arg(long)]
    pub syntax_check: bool,
    /// List the hosts each play would run on, and stop.
    #[arg(long)]
    pub list_hosts: bool,
    /// List the tasks of each play, and stop.
    #[arg(long)]
    pub list_tasks: bool,
    /// Where to find roles besides `roles/` beside the playbook (`:`-separated).
    #[arg(
        long = "roles-path",
        value_name = "PATHS",
        env = "RUNBOOK_ROLES_PATH",
        value_delimiter = ':'
    )]
    pub roles_path: Vec<std::path::PathBuf>,
    /// Start at the first task with this name (earlier tasks do not run).
    #[arg(long = "start-at-task", value_name = "NAME")]
    pub start_at_task: Option<String>,
    /// Confirm each task on the terminal before it runs: (y)es, (n)o, (c)ontinue without asking.
    #[arg(long)]
    pub step: bool,
    /// Run handlers on hosts that failed, as `force_handlers: true` on every play.
    #[arg(long)]
    pub force_handlers: bool,
    /// Accepted for compatibility; runbook keeps no fact cache.
    #[arg(long, hide = true)]
    pub flush_cache: bool,
    /// List the tags of each play, and stop.
    #[arg(long)]
    pub list_tags: bool,
    /// Also write the run as a JUnit XML report (a test case per host and task).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Run again only on the hosts that failed or were unreachable in a recorded run (an id from `runbook runs`, or `last`).
    #[arg(long, value_name = "ID", conflicts_with = "limit")]
    pub retry: Option<String>,
    /// Keep no journal of this run (see `runbook runs`).
    #[arg(long)]
    pub no_journal: bool,
    /// Only run tasks with these tags (comma-separated, repeatable; `all`, `tagged`, `untagged`, `never`'s own tags).
    #[arg(short = 't', long = "tags", value_name = "TAGS", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Skip tasks with these tags (comma-separated, repeatable).
    #[arg(long = "skip-tags", value_name = "TAGS", value_delimiter = ',')]
    pub skip_tags: Vec<String>,
    /// Apply a plan from `runbook plan`: hosts whose predicted changes differ from it now are refused.
    #[arg(long, value_name = "FILE", conflicts_with = "step")]
    pub plan: Option<PathBuf>,
    /// With --plan: apply on hosts that no longer match the plan too.
    #[arg(long, requires = "plan")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Playbook files, planned in order.
    #[arg(required = true, value_name = "PLAYBOOK")]
    pub playbooks: Vec<PathBuf>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Where to write the plan (JSON, see docs/plan.md).
    #[arg(
        short = 'o',
        long = "out",
        value_name = "FILE",
        default_value = "plan.json"
    )]
    pub out: PathBuf,
    /// Where to find roles besides `roles/` beside the playbook (`:`-separated).
    #[arg(
        long = "roles-path",
        value_name = "PATHS",
        env = "RUNBOOK_ROLES_PATH",
        value_delimiter = ':'
    )]
    pub roles_path: Vec<std::path::PathBuf>,
    /// Start at the first task with this name (earlier tasks do not run).
    #[arg(long = "start-at-task", value_name = "NAME")]
    pub start_at_task: Option<String>,
    /// Run handlers on hosts that failed, as `force_handlers: true` on every play.
    #[arg(long)]
    pub force_handlers: bool,
    /// Only plan tasks with these tags (comma-separated, repeatable).
    #[arg(short = 't', long = "tags", value_name = "TAGS", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Skip tasks with these tags (comma-separated, repeatable).
    #[arg(long = "skip-tags", value_name = "TAGS", value_delimiter = ',')]
    pub skip_tags: Vec<String>,
    /// Also write the check-mode run as a JUnit XML report (a test case per host and task).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan file written by `runbook plan`.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// `text` for the terminal, `markdown` for a pull-request comment, `json` normalised.
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    pub format: ShowFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The hosts to run on: a host pattern (`all`, `db*:!db03`, `web:&prod`).
    #[arg(value_name = "PATTERN")]
    pub pattern: String,
    /// The module to run.
    #[arg(short = 'm', long = "module-name", default_value = "command")]
    pub module: String,
    /// The module's arguments (`"uptime"`, `"msg=hello"`).
    #[arg(short = 'a', long = "args", default_value = "")]
    pub args: String,
    /// List the hosts the pattern matches, and stop (no host is touched).
    #[arg(long)]
    pub list_hosts: bool,
    /// One line per host: `host | CHANGED | rc=0 | (stdout) ...`, or the result as one-line JSON.
    #[arg(short = 'o', long = "one-line")]
    pub one_line: bool,
    /// Also write each host's result as JSON to DIR/HOST.
    #[arg(short = 't', long = "tree", value_name = "DIR")]
    pub tree: Option<PathBuf>,
    /// Run the module as a background job for at most SECONDS (`async:`).
    #[arg(
        short = 'B',
        long = "background",
        value_name = "SECONDS",
        default_value_t = 0
    )]
    pub background: u64,
    /// With -B: check on the job every SECONDS; 0 starts it and returns (`poll:`).
    #[arg(
        short = 'P',
        long = "poll",
        value_name = "SECONDS",
        default_value_t = 15
    )]
    pub poll: u64,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Inventory sources, as for `play`.
    #[arg(short = 'i', long = "inventory", value_name = "INVENTORY")]
    pub inventory: Vec<String>,
    /// Every group and host with its variables, as JSON (like ansible-inventory --list).
    #[arg(long, group = "view")]
    pub list: bool,
    /// The group tree (from `all`, or from GROUP).
    #[arg(long, group = "view", value_name = "GROUP", num_args = 0..=1, default_missing_value = "all")]
    pub graph: Option<String>,
    /// With --graph: each host's and group's variables.
    #[arg(long, requires = "graph")]
    pub vars: bool,
    /// With --list: each group's own variables under `vars`, and only the host's own under `_meta.hostvars` (for exporting an inventory).
    #[arg(long)]
    pub export: bool,
    /// One host's variables, as JSON.
    #[arg(long, value_name = "HOST", group = "view")]
    pub host: Option<String>,
    /// With --list or --host: YAML instead of JSON, laid out as ansible-inventory's (ignored with --graph).
    #[arg(short = 'y', long)]
    pub yaml: bool,
    #[command(flatten)]
    pub vault: VaultFlags,
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    #[command(subcommand)]
    pub action: Option<RunsAction>,
}

#[derive(Debug, Subcommand)]
pub enum RunsAction {
    /// Show a recorded run as it was shown when it ran (an id, a unique prefix of one, or `last`).
    Show {
        id: String,
        /// Output format of the replay.
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        output: OutputFormat,
        /// More output: -v results, -vv and -vvv more detail.
        #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count)]
        verbose: u8,
    },
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Every setting runbook reads, its value and where it came from (as `ansible-config dump`).
    Dump {
        /// Only the settings that differ from the defaults.
        #[arg(long)]
        only_changed: bool,
    },
    /// The ansible.cfg in use, as it is.
    View,
}

#[derive(Debug, Args)]
pub struct LabArgs {
    #[command(subcommand)]
    pub action: LabAction,
}

#[derive(Debug, Subcommand)]
pub enum LabAction {
    /// Start N hosts (default 3) and write their inventory.
    Up {
        #[arg(default_value_t = 3)]
        hosts: usize,
        /// The lab's name; several labs can run at once.
        #[arg(long, default_value = "lab")]
        name: String,
        /// Where to write the inventory (default inventories/NAME).
        #[arg(long, value_name = "PATH")]
        inventory_out: Option<PathBuf>,
    },
    /// Stop every host of a lab and remove its files.
    Down {
        #[arg(long, default_value = "lab")]
        name: String,
    },
    /// Stop one host (its address then refuses connections), to rehearse an outage.
    Stop {
        host: String,
        #[arg(long, default_value = "lab")]
        name: String,
    },
    /// Start a stopped host again, with the same address and keys.
    Start {
        host: String,
        #[arg(long, default_value = "lab")]
        name: String,
    },
    /// List a lab's hosts and whether each is running.
    Status {
        #[arg(long, default_value = "lab")]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Playbooks, or directories searched for them (default: `playbooks/` if present, else `.`).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// How findings are shown: `human`, `github` (workflow annotations) or `json`.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Fail on warnings too (exit 2).
    #[arg(long)]
    pub strict: bool,
    /// An inventory whose variables count as defined, as for `play`. Repeatable.
    #[arg(short = 'i', long = "inventory", value_name = "INVENTORY")]
    pub inventory: Vec<String>,
    /// Variables the playbooks will be given (`k=v`, `@vars.yml`, JSON): they count as defined. Repeatable.
    #[arg(short = 'e', long = "extra-vars", value_name = "VARS")]
    pub extra_vars: Vec<String>,
    /// Tags the playbooks will be run with: each one no play, role, block or task has is an error (comma-separated, repeatable).
    #[arg(short = 't', long = "tags", value_name = "TAGS", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Tags the playbooks will be run without, checked as `--tags` are (comma-separated, repeatable).
    #[arg(long = "skip-tags", value_name = "TAGS", value_delimiter = ',')]
    pub skip_tags: Vec<String>,
    /// Where to find roles besides `roles/` beside the playbook (`:`-separated).
    #[arg(
        long = "roles-path",
        value_name = "PATHS",
        env = "RUNBOOK_ROLES_PATH",
        value_delimiter = ':'
    )]
    pub roles_path: Vec<PathBuf>,
    #[command(flatten)]
    pub vault: VaultFlags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Github,
    Json,
}
