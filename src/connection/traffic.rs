//! What a connection cost the network: the framed commands it exchanged with
//! its host (each one request and one reply: a round trip) and the SSH
//! sessions it opened (each a handshake and a login). Counted where the bytes
//! are framed, so the figures do not move with the machine's load
//! (`scripts/bench` and docs/performance.md use them).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traffic {
    /// Framed commands sent and answered, shell start-up and idle probes included.
    pub round_trips: u64,
    /// SSH sessions opened (the first one and every reconnection).
    pub sessions: u64,
}

impl std::ops::Add for Traffic {
    type Output = Traffic;

    fn add(self, other: Traffic) -> Traffic {
        Traffic {
            round_trips: self.round_trips + other.round_trips,
            sessions: self.sessions + other.sessions,
        }
    }
}

impl std::ops::AddAssign for Traffic {
    fn add_assign(&mut self, other: Traffic) {
        *self = *self + other;
    }
}

#[cfg(test)]
mod tests {
    use super::Traffic;

    #[test]
    fn adds_field_by_field() {
        let mut total = Traffic {
            round_trips: 3,
            sessions: 1,
        };
        total += Traffic {
            round_trips: 2,
            sessions: 0,
        };
        assert_eq!(
            total,
            Traffic {
                round_trips: 5,
                sessions: 1
            }
        );
    }
}
