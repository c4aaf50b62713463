//! How many SSH handshakes run at once, and trying a handshake again when
//! a busy sshd dropped it.
//!
//! A handshake costs CPU on both ends (key exchange, host key signature, an
//! sshd child per connection). Started for a thousand hosts at once they
//! starve each other on the controller and hit their timeouts while waiting
//! for CPU, not for the network. And one sshd — a jump host, or a server
//! reached through one address — drops unauthenticated connections beyond its
//! `MaxStartups` (10 by default). So handshakes are admitted: at most
//! [`CONTROLLER_HANDSHAKES`] at a time in all, at most [`SERVER_HANDSHAKES`]
//! toward one sshd, and the connect timeout starts only once a handshake is
//! admitted — time spent queued here is not time waiting on the network.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::Thread;
use std::time::Duration;

use super::config::{Proxy, SshConfig};
use crate::connection::ConnectionError;

/// Handshakes in flight from this controller at once.
pub(super) const CONTROLLER_HANDSHAKES: usize = 32;
/// Handshakes in flight toward one sshd: OpenSSH's default `MaxStartups`
/// starts refusing unauthenticated connections past 10.
pub(super) const SERVER_HANDSHAKES: usize = 10;
/// Attempts at one handshake when sshd dropped it before the key exchange,
/// as a busy sshd does.
const ATTEMPTS: u32 = 3;
/// The first pause before another attempt; it doubles, plus up to as much
/// again at random so that hosts dropped together do not return together.
const FIRST_PAUSE: Duration = Duration::from_millis(250);

/// The controller's handshake queue. A freed place goes to the first
/// waiter that fits, and only that waiter is woken: with a thousand hosts
/// queued, waking them all at every free place (a condition variable's
/// `notify_all`) cost more CPU than the handshakes.
fn admission() -> &'static Mutex<InFlight> {
    static ADMISSION: OnceLock<Mutex<InFlight>> = OnceLock::new();
    ADMISSION.get_or_init(|| Mutex::new(InFlight::default()))
}

#[derive(Default)]
struct InFlight {
    total: usize,
    per_server: HashMap<String, usize>,
    waiting: VecDeque<Waiter>,
}

struct Waiter {
    server: String,
    thread: Thread,
    admitted: Arc<AtomicBool>,
}

impl InFlight {
    fn has_room_for(&self, server: &str) -> bool {
        self.total < CONTROLLER_HANDSHAKES
            && self.per_server.get(server).copied().unwrap_or(0) < SERVER_HANDSHAKES
    }

    fn take(&mut self, server: &str) {
        self.total += 1;
        *self.per_server.entry(server.to_string()).or_insert(0) += 1;
    }

    /// Admit waiters in the order they came while there is room for them.
    fn admit_waiting(&mut self) {
        let mut index = 0;
        while index < self.waiting.len() && self.total < CONTROLLER_HANDSHAKES {
            if !self.has_room_for(&self.waiting[index].server) {
                index += 1;
                continue;
            }
            let Some(waiter) = self.waiting.remove(index) else {
                break;
            };
            self.take(&waiter.server);
            waiter.admitted.store(true, Ordering::Release);
            waiter.thread.unpark();
        }
    }
}

fn lock(admission: &Mutex<InFlight>) -> MutexGuard<'_, InFlight> {
    // The counts stay consistent even if a holder panicked: every change is
    // made under the lock by code that does not panic.
    admission.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One admitted handshake; dropping it lets the next one in.
pub(super) struct Permit {
    server: String,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = lock(admission());
        state.total = state.total.saturating_sub(1);
        if let Some(count) = state.per_server.get_mut(&self.server) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                state.per_server.remove(&self.server);
            }
        }
        state.admit_waiting();
    }
}

/// Wait until a handshake toward `config`'s sshd may start.
fn admit(config: &SshConfig) -> Permit {
    let server = first_server(config);
    let admitted = Arc::new(AtomicBool::new(false));
    {
        let mut state = lock(admission());
        state.waiting.push_back(Waiter {
            server: server.clone(),
            thread: std::thread::current(),
            admitted: Arc::clone(&admitted),
        });
        state.admit_waiting();
    }
    while !admitted.load(Ordering::Acquire) {
        std::thread::park();
    }
    Permit { server }
}

/// The sshd that sees this connection's first handshake: the first jump
/// host, or the host itself. A proxy command's server is unknown; each such
/// host counts as its own.
fn first_server(config: &SshConfig) -> String {
    match &config.proxy {
        Proxy::Jump(hops) => match hops.first() {
            Some(hop) => format!("jump {hop}"),
            None => format!("{}:{}", config.hostname, config.port),
        },
        Proxy::Direct | Proxy::Command(_) => format!("{}:{}", config.hostname, config.port),
    }
}

/// Run `open` (connect, handshake, log in) once admitted, again after a
/// pause when a busy sshd dropped it, at most [`ATTEMPTS`]
/// times. Nothing has been sent to the host's shell before `open` returns,
/// so trying again cannot run anything twice.
pub(super) fn with_admission<T>(
    config: &SshConfig,
    mut open: impl FnMut() -> Result<T, ConnectionError>,
) -> Result<T, ConnectionError> {
    let mut attempt = 1;
    loop {
        let result = {
            let _permit = admit(config);
            open()
        };
        match result {
            Err(error) if attempt < ATTEMPTS && is_busy_server(&error) => {
                if crate::interruption::stop_scheduling() {
                    return Err(error);
                }
                std::thread::sleep(pause_before(attempt));
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Failures that a loaded sshd produces and that a later attempt may not
/// meet: the connection closed before or during the key exchange, as sshd
/// does past `MaxStartups`. Those come at once, so trying again costs little.
/// A timeout is not tried again: once admitted, a handshake that times out
/// met a host that does not answer, and Ansible too reports it unreachable
/// after one timeout. A refused connection, a wrong key or a failed login
/// are answers, not load.
fn is_busy_server(error: &ConnectionError) -> bool {
    let reason = match error {
        ConnectionError::Handshake { reason, .. } | ConnectionError::Connect { reason, .. } => {
            reason.to_ascii_lowercase()
        }
        _ => return false,
    };
    [
        "banner",
        "exchange encryption keys",
        "socket disconnect",
        "connection reset",
    ]
    .iter()
    .any(|sign| reason.contains(sign))
}

fn pause_before(attempt: u32) -> Duration {
    let base = FIRST_PAUSE.saturating_mul(1 << (attempt - 1).min(8));
    let jitter_ms = rand::random_range(0..=u64::try_from(base.as_millis()).unwrap_or(u64::MAX));
    base + Duration::from_millis(jitter_ms)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::super::config::{SshG, merge};
    use super::*;
    use crate::connection::ConnectionSpec;

    fn direct(hostname: &str, port: u16) -> SshConfig {
        let mut spec = ConnectionSpec::local(hostname);
        spec.port = Some(port);
        merge(&spec, SshG::default(), std::path::Path::new("/root"))
    }

    fn handshake(reason: &str) -> ConnectionError {
        ConnectionError::Handshake {
            address: "h:22".to_string(),
            reason: reason.to_string(),
        }
    }

    #[test]
    fn busy_server_failures_are_tried_again_and_answers_are_not() {
        assert!(!is_busy_server(&handshake("Timed out waiting on socket")));
        assert!(is_busy_server(&handshake("Failed getting banner")));
        assert!(is_busy_server(&handshake(
            "Unable to exchange encryption keys"
        )));
        assert!(!is_busy_server(&ConnectionError::Connect {
            address: "h:22".to_string(),
            reason: "Connection refused (os error 111)".to_string(),
        }));
        assert!(!is_busy_server(&ConnectionError::Auth {
            user: "root".to_string(),
            reason: "timed out".to_string(),
        }));
    }

    #[test]
    fn a_busy_handshake_is_tried_three_times_then_reported() {
        let config = direct("10.9.9.1", 22);
        let calls = AtomicUsize::new(0);
        let result: Result<(), _> = with_admission(&config, || {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(handshake("Failed getting banner"))
        });
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert!(matches!(result, Err(ConnectionError::Handshake { .. })));
    }

    #[test]
    fn a_refused_login_is_not_tried_again() {
        let config = direct("10.9.9.2", 22);
        let calls = AtomicUsize::new(0);
        let result: Result<(), _> = with_admission(&config, || {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(ConnectionError::Auth {
                user: "root".to_string(),
                reason: "no key was accepted".to_string(),
            })
        });
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(result.is_err());
    }

    #[test]
    fn handshakes_toward_one_server_are_limited_and_others_go_on() {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..3 * SERVER_HANDSHAKES)
            .map(|_| {
                let in_flight = Arc::clone(&in_flight);
                let most = Arc::clone(&most);
                std::thread::spawn(move || {
                    let config = direct("10.9.9.3", 2222);
                    with_admission(&config, || {
                        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                        Ok::<(), ConnectionError>(())
                    })
                })
            })
            .collect();
        for worker in workers {
            assert!(worker.join().is_ok_and(|result| result.is_ok()));
        }
        assert_eq!(most.load(Ordering::SeqCst), SERVER_HANDSHAKES);
    }

    #[test]
    fn jump_hosts_count_as_the_server_of_every_host_behind_them() {
        let mut behind = direct("10.0.0.5", 22);
        behind.proxy = Proxy::Jump(vec!["bastion".to_string(), "inner".to_string()]);
        assert_eq!(first_server(&behind), "jump bastion");
        assert_eq!(first_server(&direct("10.0.0.5", 22)), "10.0.0.5:22");
    }
}
