//! Stand-ins for the services an ops playbook drives (`systemctl`, `docker`,
//! `mysqldump`, the KWDB installer...). Each is a small POSIX `sh` script in
//! the host's own `/usr/local/sbin`, first on root's PATH over ssh. Every call
//! appends `<timestamp>\t<shim>\t<argv, shell-quoted>` to the host's
//! `/var/log/runbook-shims.log`; state lives under `/var/lib/runbook-shims/`.
//!
//! A systemd unit exists for `systemctl` when
//! `/var/lib/runbook-shims/systemd/<unit>/` exists (seeded by `up` for
//! [`SEEDED_UNITS`]) or when `/etc/systemd/system/<unit>` exists on the host.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::LabError;

const PRELUDE: &str = include_str!("shims/prelude.sh");

/// `(file name, body)` of every shim; each is installed as
/// `#!/bin/sh`, the prelude, then its body.
pub const SHIMS: &[(&str, &str)] = &[
    ("systemctl", include_str!("shims/systemctl.sh")),
    ("docker", include_str!("shims/docker.sh")),
    ("docker-compose", include_str!("shims/docker-compose.sh")),
    ("supervisorctl", include_str!("shims/supervisorctl.sh")),
    ("mysqldump", include_str!("shims/mysqldump.sh")),
    ("mysql", include_str!("shims/mysql.sh")),
    ("kwbase", include_str!("shims/kwbase.sh")),
    ("celery", include_str!("shims/celery.sh")),
    ("jms", include_str!("shims/jms.sh")),
    ("deploy.sh", include_str!("shims/deploy.sh")),
    ("uwsgi", include_str!("shims/uwsgi.sh")),
    ("nginx", include_str!("shims/nginx.sh")),
    // issue 9: what must not reach the machine's kernel, clock or debconf.
    ("modprobe", include_str!("shims/modprobe.sh")),
    ("lsmod", include_str!("shims/lsmod.sh")),
    ("hwclock", include_str!("shims/hwclock.sh")),
    (
        "dpkg-reconfigure",
        include_str!("shims/dpkg-reconfigure.sh"),
    ),
    ("dnf", include_str!("shims/dnf.sh")),
    ("yum", include_str!("shims/dnf.sh")),
    ("rpm", include_str!("shims/rpm.sh")),
    // issue 9: the host's power commands ask its init to reboot or power off.
    ("shutdown", include_str!("shims/shutdown.sh")),
    ("reboot", include_str!("shims/shutdown.sh")),
    ("halt", include_str!("shims/shutdown.sh")),
    ("poweroff", include_str!("shims/shutdown.sh")),
];

/// Units every lab host knows, and whether each starts out running (and
/// enabled). The rest start stopped and disabled, as before an install.
pub const SEEDED_UNITS: &[(&str, bool)] = &[
    ("ssh.service", true),
    ("cron.service", true),
    ("docker.service", true),
    ("kaiwudb.service", false),
    ("nginx.service", false),
    ("mysql.service", false),
    ("supervisor.service", false),
    ("uwsgi.service", false),
    ("celery.service", false),
    ("jms_core.service", false),
    ("redis-server.service", false),
];

/// The full text of one installed shim.
pub fn script(body: &str) -> String {
    format!("#!/bin/sh\n{PRELUDE}\n{body}")
}

/// Install every shim and seed the unit states below a host's private root.
pub fn install(host_root: &Path) -> Result<(), LabError> {
    let bin = host_root.join("usr/local/sbin");
    for (name, body) in SHIMS {
        write_executable(&bin.join(name), &script(body))?;
    }
    let units = host_root.join("var/lib/runbook-shims/systemd");
    for (unit, running) in SEEDED_UNITS {
        let dir = units.join(unit);
        create_dir(&dir)?;
        if *running {
            write(&dir.join("active"), "")?;
            write(&dir.join("enabled"), "")?;
        }
    }
    Ok(())
}

fn write_executable(path: &Path, text: &str) -> Result<(), LabError> {
    write(path, text)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .map_err(|error| LabError::io(format!("cannot chmod {}", path.display()), error))
}

fn write(path: &Path, text: &str) -> Result<(), LabError> {
    fs::write(path, text)
        .map_err(|error| LabError::io(format!("cannot write {}", path.display()), error))
}

fn create_dir(path: &Path) -> Result<(), LabError> {
    fs::create_dir_all(path)
        .map_err(|error| LabError::io(format!("cannot create {}", path.display()), error))
}

#[cfg(test)]
mod tests;
