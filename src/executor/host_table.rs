//! The run's [`HostRecord`]s by host name. Each record has its own lock,
//! held only for the length of one method call, so workers on different
//! hosts never wait on each other.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use indexmap::IndexMap;

use super::HostStats;
use super::host_record::HostRecord;

#[derive(Default)]
pub(super) struct HostTable {
    records: RwLock<HashMap<String, Arc<Mutex<HostRecord>>>>,
    /// The hosts of the PLAY RECAP: those that ran at least one task.
    recap: Mutex<BTreeSet<String>>,
}

impl HostTable {
    fn record(&self, host: &str) -> Arc<Mutex<HostRecord>> {
        if let Ok(records) = self.records.read()
            && let Some(record) = records.get(host)
        {
            return record.clone();
        }
        match self.records.write() {
            Ok(mut records) => records.entry(host.to_string()).or_default().clone(),
            Err(poisoned) => poisoned
                .into_inner()
                .entry(host.to_string())
                .or_default()
                .clone(),
        }
    }

    /// Change `host`'s record (created on first use).
    pub(super) fn update<T>(&self, host: &str, change: impl FnOnce(&mut HostRecord) -> T) -> T {
        let record = self.record(host);
        let mut record = record
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        change(&mut record)
    }

    /// Read `host`'s record.
    pub(super) fn read<T>(&self, host: &str, look: impl FnOnce(&HostRecord) -> T) -> T {
        self.update(host, |record| look(record))
    }

    /// The hosts among `hosts` for which `test` holds, in order.
    pub(super) fn filter(
        &self,
        hosts: &[String],
        test: impl Fn(&HostRecord) -> bool,
    ) -> Vec<String> {
        hosts
            .iter()
            .filter(|host| self.read(host, &test))
            .cloned()
            .collect()
    }

    /// Every one of `hosts` starts a new play (or batch).
    pub(super) fn begin_play(&self, hosts: &[String]) {
        for host in hosts {
            self.update(host, HostRecord::begin_play);
        }
    }

    /// The host shows in the PLAY RECAP, even with nothing counted.
    pub(super) fn join_recap(&self, host: &str) {
        if let Ok(mut recap) = self.recap.lock() {
            recap.insert(host.to_string());
        }
    }

    /// The recap so far, sorted by host name as Ansible's.
    pub(super) fn recap(&self) -> IndexMap<String, HostStats> {
        let hosts: Vec<String> = self
            .recap
            .lock()
            .map(|recap| recap.iter().cloned().collect())
            .unwrap_or_default();
        hosts
            .into_iter()
            .map(|host| {
                let stats = self.read(&host, HostRecord::stats);
                (host, stats)
            })
            .collect()
    }
}
