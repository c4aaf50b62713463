//! Loopback addresses for labs. Each lab gets its own block `127.0.<k>.0/24`
//! (host `i` listens on `127.0.<k>.<i>`), claimed in a machine-wide registry
//! under a file lock so labs started at the same time, from any lab
//! directory, never share an address.

use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::path::{Path, PathBuf};

use super::LabError;
use super::state::LabState;

/// Machine-wide: addresses are a machine-wide resource, whatever
/// `RUNBOOK_LAB_DIR` each lab uses.
pub(super) const REGISTRY_DIR: &str = "/run/runbook-lab/blocks";

/// The blocks labs may use; `127.0.0.x` and `127.0.1.1` (Debian's hostname
/// entry) are left alone.
pub(super) const BLOCKS: std::ops::RangeInclusive<u8> = 3..=254;

/// Most hosts one block holds.
pub(super) const MAX_HOSTS: usize = 254;

/// The address of host `index` (1-based) in block `block`.
pub(super) fn host_address(block: u8, index: usize) -> Ipv4Addr {
    let last = u8::try_from(index).unwrap_or(u8::MAX);
    Ipv4Addr::new(127, 0, block, last)
}

/// Port 22 when nothing listens there on `address`, else a free port.
pub(super) fn pick_port(address: Ipv4Addr) -> Result<u16, LabError> {
    if port_is_free(address, 22) {
        return Ok(22);
    }
    let listener = TcpListener::bind(SocketAddrV4::new(address, 0))
        .map_err(|error| LabError::io(format!("no free port on {address}"), error))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|error| LabError::io(format!("no free port on {address}"), error))
}

pub(super) fn port_is_free(address: Ipv4Addr, port: u16) -> bool {
    TcpListener::bind(SocketAddrV4::new(address, port)).is_ok()
}

/// The registry of claimed blocks; holds its lock while alive.
pub(super) struct Registry {
    dir: PathBuf,
    _lock: File,
}

impl Registry {
    pub(super) fn open() -> Result<Self, LabError> {
        Self::open_at(Path::new(REGISTRY_DIR))
    }

    pub(super) fn open_at(dir: &Path) -> Result<Self, LabError> {
        fs::create_dir_all(dir)
            .map_err(|error| LabError::io(format!("cannot create {}", dir.display()), error))?;
        let lock_path = dir.join(".lock");
        let lock = File::create(&lock_path)
            .map_err(|error| LabError::io(format!("cannot open {}", lock_path.display()), error))?;
        lock.lock()
            .map_err(|error| LabError::io(format!("cannot lock {}", lock_path.display()), error))?;
        Ok(Registry {
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    /// Claim the lowest free block for the lab in `lab_dir`. The claim stays
    /// valid while that lab's state names the block, so the caller writes
    /// its state before dropping the registry.
    pub(super) fn claim(&self, lab_dir: &Path) -> Result<u8, LabError> {
        let block = BLOCKS
            .into_iter()
            .find(|block| !self.is_claimed(*block, lab_dir))
            .ok_or_else(|| {
                LabError::Failed(format!(
                    "every loopback block in {} is claimed; run `runbook lab down` for labs you no longer need",
                    self.dir.display()
                ))
            })?;
        let path = self.claim_path(block);
        fs::write(&path, lab_dir.as_os_str().as_encoded_bytes())
            .map_err(|error| LabError::io(format!("cannot write {}", path.display()), error))?;
        Ok(block)
    }

    /// Give `block` back if `lab_dir` holds it.
    pub(super) fn release(&self, block: u8, lab_dir: &Path) {
        if self.claimant(block).as_deref() == Some(lab_dir) {
            let _ = fs::remove_file(self.claim_path(block));
        }
    }

    /// A block is claimed while its claimant lab still records it; claims of
    /// labs that were deleted by hand expire on their own.
    fn is_claimed(&self, block: u8, lab_dir: &Path) -> bool {
        match self.claimant(block) {
            None => false,
            Some(owner) if owner == lab_dir => false,
            Some(owner) => LabState::load(&owner).is_ok_and(|state| state.block == block),
        }
    }

    fn claimant(&self, block: u8) -> Option<PathBuf> {
        let bytes = fs::read(self.claim_path(block)).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        Some(PathBuf::from(text))
    }

    fn claim_path(&self, block: u8) -> PathBuf {
        self.dir.join(block.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_addresses_count_from_one_in_the_block() {
        assert_eq!(host_address(7, 1), Ipv4Addr::new(127, 0, 7, 1));
        assert_eq!(host_address(7, 12), Ipv4Addr::new(127, 0, 7, 12));
    }

    #[test]
    fn a_listening_port_is_not_picked() {
        let address = Ipv4Addr::new(127, 0, 251, 9);
        let taken = TcpListener::bind(SocketAddrV4::new(address, 0)).expect("bind");
        let taken_port = taken.local_addr().expect("addr").port();
        assert!(!port_is_free(address, taken_port));
        let picked = pick_port(address).expect("a port");
        assert_ne!(picked, taken_port);
        assert!(port_is_free(address, picked));
    }

    #[test]
    fn labs_get_distinct_blocks_and_released_blocks_are_reused() {
        let registry_dir = tempfile::tempdir().expect("tempdir");
        let labs = tempfile::tempdir().expect("tempdir");
        let (first_dir, second_dir) = (labs.path().join("a"), labs.path().join("b"));
        let registry = Registry::open_at(registry_dir.path()).expect("open");

        let first = registry.claim(&first_dir).expect("claim");
        LabState::new("a", first).save(&first_dir).expect("save");
        let second = registry.claim(&second_dir).expect("claim");
        assert_ne!(first, second);

        registry.release(first, &first_dir);
        assert_eq!(registry.claim(&second_dir.join("c")).expect("claim"), first);
    }

    #[test]
    fn claims_of_vanished_labs_expire() {
        let registry_dir = tempfile::tempdir().expect("tempdir");
        let labs = tempfile::tempdir().expect("tempdir");
        let registry = Registry::open_at(registry_dir.path()).expect("open");
        let gone = registry.claim(&labs.path().join("gone")).expect("claim");
        let next = registry.claim(&labs.path().join("next")).expect("claim");
        assert_eq!(gone, next, "a lab without state holds no block");
    }
}
