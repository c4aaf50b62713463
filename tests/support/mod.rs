//! Test fixtures: a scratch project directory, a builder that runs the real
//! binary in it, a recap parser, and a lab of real sshd hosts.

#![allow(dead_code)]

mod ansible;
mod db_lab;
mod http_server;
mod lab;
mod mariadb;
mod pipeline;
mod processes;
mod project;
mod recap;
mod snapshot;
mod venv;

pub(crate) use ansible::{
    ansible_adhoc, ansible_playbook, ansible_playbook_with, ansible_playbook_without_terminal,
    ansible_vault,
};
pub(crate) use db_lab::{Account, DbLab};
pub(crate) use http_server::HttpServer;
pub(crate) use lab::Lab;
pub(crate) use mariadb::MariaDb;
pub(crate) use pipeline::{CiContext, read_yaml, run_github_job, run_gitlab_job};
pub(crate) use processes::watching_processes;
pub(crate) use project::{Output, Project};
pub(crate) use recap::{
    Recap, assert_nothing_changed, banner_lines, recap, result_blocks, task_banners,
};
pub(crate) use snapshot::{settings as snapshot_settings, transcript};
