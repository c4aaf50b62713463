//! Bringing a whole lab up and down, and one host at a time, with the lab's
//! state file as the single record of what runs.

use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::addresses::{self, Registry};
use super::host;
use super::inventory::{self, InventoryHost};
use super::keys;
use super::paths::{LabPaths, validate_name};
use super::preflight;
use super::shims;
use super::state::{HostState, LabState};
use super::{Lab, LabError, LabHost, LabUpOptions};

/// How long every sshd of a lab gets to answer after it was started.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

const SETUP_SCRIPT: &str = include_str!("host_setup.sh");

/// The directories of a host's private root, bound over the real ones.
const HOST_DIRS: &[&str] = &["etc", "opt", "srv", "var/lib", "var/log", "usr/local/sbin"];

/// [`super::up`] with an explicit lab directory.
pub fn up_in(dir: &Path, options: &LabUpOptions) -> Result<Lab, LabError> {
    preflight::check()?;
    validate_name(&options.name)?;
    if options.hosts == 0 || options.hosts > addresses::MAX_HOSTS {
        return Err(LabError::Failed(format!(
            "a lab has 1 to {} hosts, not {}",
            addresses::MAX_HOSTS,
            options.hosts
        )));
    }
    let paths = LabPaths::new(absolute(dir)?);
    prepare_dir(&paths, &options.name)?;
    let _lock = lock(&paths)?;
    let mut state = claim_addresses(&paths, options)?;
    build_and_start(&paths, &mut state, options).inspect_err(|_| teardown(&paths, &state))
}

/// [`super::down`] with an explicit lab directory.
pub fn down_in(dir: &Path) -> Result<Vec<String>, LabError> {
    let paths = LabPaths::new(absolute(dir)?);
    let state = load_existing(&paths)?;
    let lock = lock(&paths)?;
    let running: Vec<&HostState> = state
        .hosts
        .iter()
        .filter(|host| is_running(&paths, host))
        .collect();
    for host in &running {
        host::request_stop(&paths, host);
    }
    let mut stopped = Vec::new();
    for host in running {
        host::stop(&paths, host)?;
        stopped.push(format!("{} ({}:{})", host.name, host.address, host.port));
    }
    Registry::open()?.release(state.block, &paths.dir);
    drop(lock);
    fs::remove_dir_all(&paths.dir)
        .map_err(|error| LabError::io(format!("cannot remove {}", paths.dir.display()), error))?;
    Ok(stopped)
}

pub(super) fn open(dir: &Path) -> Result<Lab, LabError> {
    let paths = LabPaths::new(absolute(dir)?);
    let state = load_existing(&paths)?;
    Ok(lab_from_state(&paths, &state))
}

pub(super) fn stop_host_in(dir: &Path, name: &str) -> Result<Lab, LabError> {
    let paths = LabPaths::new(absolute(dir)?);
    let _lock = lock(&paths)?;
    let mut state = load_existing(&paths)?;
    let host = state.host_mut(name)?;
    host::stop(&paths, host)?;
    host.unshare = None;
    host.sshd = None;
    state.save(&paths.dir)?;
    Ok(lab_from_state(&paths, &state))
}

pub(super) fn start_host_in(dir: &Path, name: &str) -> Result<Lab, LabError> {
    let paths = LabPaths::new(absolute(dir)?);
    let _lock = lock(&paths)?;
    let mut state = load_existing(&paths)?;
    let host = state.host_mut(name)?;
    if is_running(&paths, host) {
        return Err(LabError::Failed(format!("{name} is already running")));
    }
    host::write_sshd_config(&paths, host)?;
    host.unshare = Some(host::spawn(&paths, name)?);
    state.save(&paths.dir)?;
    let host = state.host(name)?.clone();
    host::wait_ready(&paths, std::slice::from_ref(&host), READY_TIMEOUT)?;
    record_sshd(&paths, state.host_mut(name)?);
    state.save(&paths.dir)?;
    Ok(lab_from_state(&paths, &state))
}

/// Fail unless the lab in `dir` is called `name` (`RUNBOOK_LAB_DIR` may
/// point at another lab).
pub(super) fn expect_lab_named(dir: &Path, name: &str) -> Result<(), LabError> {
    let state = load_existing(&LabPaths::new(dir))?;
    if state.name == name {
        Ok(())
    } else {
        Err(LabError::Failed(format!(
            "{} holds lab {}, not {name}",
            dir.display(),
            state.name
        )))
    }
}

fn load_existing(paths: &LabPaths) -> Result<LabState, LabError> {
    if !paths.state().is_file() {
        return Err(LabError::Failed(format!(
            "no lab in {} (no lab.json); `runbook lab up` creates one",
            paths.dir.display()
        )));
    }
    LabState::load(&paths.dir)
}

fn absolute(path: &Path) -> Result<PathBuf, LabError> {
    std::path::absolute(path)
        .map_err(|error| LabError::io(format!("cannot resolve {}", path.display()), error))
}

/// Make way for a new lab in `paths.dir`: refuse while a lab runs there or
/// the directory holds something else; clear a lab whose hosts all died.
fn prepare_dir(paths: &LabPaths, name: &str) -> Result<(), LabError> {
    if paths.state().is_file() {
        let state = LabState::load(&paths.dir)?;
        if state.hosts.iter().any(|host| is_running(paths, host)) {
            return Err(LabError::Failed(format!(
                "lab {} is already up in {}; run `runbook lab down --name {}` first",
                state.name,
                paths.dir.display(),
                state.name
            )));
        }
        down_in(&paths.dir)?;
    } else if fs::read_dir(&paths.dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(LabError::Failed(format!(
            "{} is not empty and holds no lab; choose another directory for lab {name}",
            paths.dir.display()
        )));
    }
    create_dir(&paths.dir)?;
    fs::set_permissions(&paths.dir, fs::Permissions::from_mode(0o700))
        .map_err(|error| LabError::io(format!("cannot chmod {}", paths.dir.display()), error))
}

fn is_running(paths: &LabPaths, host: &HostState) -> bool {
    let marker = host::markers(paths, &host.name).unshare;
    host.unshare.is_some_and(|id| id.is_running(&marker))
}

/// Serialises everything that reads and writes one lab's state.
fn lock(paths: &LabPaths) -> Result<File, LabError> {
    let path = paths.lock();
    let file = File::create(&path)
        .map_err(|error| LabError::io(format!("cannot open {}", path.display()), error))?;
    file.lock()
        .map_err(|error| LabError::io(format!("cannot lock {}", path.display()), error))?;
    Ok(file)
}

/// Claim a loopback block, choose each host's port and record both before
/// the registry is released.
fn claim_addresses(paths: &LabPaths, options: &LabUpOptions) -> Result<LabState, LabError> {
    let registry = Registry::open()?;
    let block = registry.claim(&paths.dir)?;
    let mut state = LabState::new(&options.name, block);
    for index in 1..=options.hosts {
        let address = addresses::host_address(block, index);
        state.hosts.push(HostState {
            name: format!("node{index}"),
            address: address.to_string(),
            port: addresses::pick_port(address)?,
            unshare: None,
            sshd: None,
        });
    }
    state.save(&paths.dir)?;
    Ok(state)
}

fn build_and_start(
    paths: &LabPaths,
    state: &mut LabState,
    options: &LabUpOptions,
) -> Result<Lab, LabError> {
    write_lab_files(paths, state)?;
    for host in &state.hosts {
        create_host_dirs(paths, &host.name)?;
        shims::install(&paths.host_root(&host.name))?;
        host::write_sshd_config(paths, host)?;
    }
    write_keys(paths, state)?;
    for host in &mut state.hosts {
        host.unshare = Some(host::spawn(paths, &host.name)?);
    }
    state.save(&paths.dir)?;
    host::wait_ready(paths, &state.hosts, READY_TIMEOUT)?;
    for host in &mut state.hosts {
        record_sshd(paths, host);
    }
    let inventory = absolute(
        &options
            .inventory_out
            .clone()
            .unwrap_or_else(|| Path::new("inventories").join(&options.name)),
    )?;
    write_inventory(paths, state, &inventory)?;
    state.inventory = Some(inventory);
    state.save(&paths.dir)?;
    Ok(lab_from_state(paths, state))
}

fn record_sshd(paths: &LabPaths, host: &mut HostState) {
    let markers = host::markers(paths, &host.name);
    host.sshd = host
        .unshare
        .and_then(|unshare| host::find_sshd(&unshare, &markers));
}

fn write_lab_files(paths: &LabPaths, state: &LabState) -> Result<(), LabError> {
    write(&paths.setup_script(), SETUP_SCRIPT)?;
    let mut etc_hosts = String::from("# runbook lab\n");
    for host in &state.hosts {
        etc_hosts.push_str(&format!("{}\t{}\n", host.address, host.name));
    }
    write(&paths.etc_hosts_lines(), &etc_hosts)?;
    create_dir(&paths.cluster())
}

fn create_host_dirs(paths: &LabPaths, host: &str) -> Result<(), LabError> {
    let root = paths.host_root(host);
    for dir in HOST_DIRS {
        create_dir(&root.join(dir))?;
    }
    create_dir(&paths.sshd_dir(host).join("etc-work"))
}

/// The user key, one host key per host, and the files that trust them.
fn write_keys(paths: &LabPaths, state: &LabState) -> Result<(), LabError> {
    let mut wanted = vec![(paths.user_key(), format!("runbook-lab-{}", state.name))];
    for host in &state.hosts {
        wanted.push((paths.host_key(&host.name), host.name.clone()));
    }
    keys::generate(&wanted)?;
    let user_public = read(&keys::public_key_path(&paths.user_key()))?;
    write(&paths.authorized_keys(), &user_public)?;
    let mut known_hosts = String::new();
    for host in &state.hosts {
        let public = read(&keys::public_key_path(&paths.host_key(&host.name)))?;
        let body = keys::public_key_body(&public).ok_or_else(|| {
            LabError::Failed(format!("ssh-keygen wrote no public key for {}", host.name))
        })?;
        known_hosts.push_str(&keys::known_hosts_line(&host.address, host.port, &body));
    }
    write(&paths.known_hosts(), &known_hosts)
}

fn write_inventory(paths: &LabPaths, state: &LabState, path: &Path) -> Result<(), LabError> {
    let hosts: Vec<InventoryHost<'_>> = state
        .hosts
        .iter()
        .map(|host| InventoryHost {
            name: &host.name,
            address: &host.address,
            port: host.port,
        })
        .collect();
    if let Some(parent) = path.parent() {
        create_dir(parent)?;
    }
    write(
        path,
        &inventory::render(&hosts, &paths.user_key(), &paths.known_hosts()),
    )
}

/// Undo a failed `up`: stop what started, give the block back, remove the
/// directory. Best effort: the error that got us here is what the user sees.
fn teardown(paths: &LabPaths, state: &LabState) {
    for host in &state.hosts {
        let _ = host::stop(paths, host);
    }
    if let Ok(registry) = Registry::open() {
        registry.release(state.block, &paths.dir);
    }
    let _ = fs::remove_dir_all(&paths.dir);
}

fn lab_from_state(paths: &LabPaths, state: &LabState) -> Lab {
    Lab {
        name: state.name.clone(),
        state_dir: paths.dir.clone(),
        inventory: state
            .inventory
            .clone()
            .unwrap_or_else(|| Path::new("inventories").join(&state.name)),
        hosts: state
            .hosts
            .iter()
            .map(|host| LabHost {
                name: host.name.clone(),
                address: host.address.clone(),
                port: host.port,
                pid: host::current_sshd(paths, host).map_or(0, |id| id.pid),
                root: paths.host_root(&host.name),
            })
            .collect(),
    }
}

fn create_dir(path: &Path) -> Result<(), LabError> {
    fs::create_dir_all(path)
        .map_err(|error| LabError::io(format!("cannot create {}", path.display()), error))
}

fn write(path: &Path, text: &str) -> Result<(), LabError> {
    fs::write(path, text)
        .map_err(|error| LabError::io(format!("cannot write {}", path.display()), error))
}

fn read(path: &Path) -> Result<String, LabError> {
    fs::read_to_string(path)
        .map_err(|error| LabError::io(format!("cannot read {}", path.display()), error))
}
