//! runbook: an agentless, Ansible-compatible fleet task runner.

pub mod cli;
pub mod commands;
pub mod config;
pub mod connection;
pub mod executor;
pub mod interruption;
pub mod inventory;
pub mod lab;
pub mod lint;
pub mod local_time;
pub mod modules;
pub mod plan;
pub mod playbook;
pub mod report;
pub mod scaffold;
pub mod source;
pub mod template;
pub mod terminal;
pub mod value;
pub mod vault;
pub mod yaml;
