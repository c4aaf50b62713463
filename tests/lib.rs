//! Integration tests: every test drives the real `runbook` binary, against
//! the local machine or a lab of real sshd hosts.

// Tests may print timings; the user-facing output rule is the binary's.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod support;

mod adhoc;
mod ansible_cfg;
mod ask_pass;
mod async_jobs;
mod r#become;
mod bench;
mod control_flow;
mod differential;
mod error_contract;
mod events_schema;
mod fetch_flat;
mod fleet_agreement;
mod generated;
mod gitops;
mod host_limits;
mod injection;
mod interrupted_waits;
mod inventory_cli;
mod journal;
mod junit;
mod kv_syntax;
mod lab_fleet;
mod lab_runs;
mod lint;
mod live_view;
mod local_limits;
mod local_runs;
mod modules_docker;
mod modules_files;
mod modules_mysql;
mod modules_mysql_replication;
mod modules_packages;
mod modules_pip;
mod modules_reboot;
mod modules_sync;
mod modules_sysfiles;
mod modules_system;
mod modules_text;
mod modules_transfer;
mod modules_users;
mod plan;
mod playbook_errors;
mod procedures_bklog;
mod procedures_kwdb;
mod procedures_loonflow;
mod procedures_mysql;
mod roles_includes;
mod shipped;
mod snapshots;
mod transfer_interrupted;
mod vault;
mod verbose;
