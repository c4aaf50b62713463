//! Python's `random.Random` (MT19937 seeded as CPython seeds it), so a
//! seeded `random`/`shuffle` gives the numbers Ansible gives: playbooks
//! spread cron minutes with `59 | random(seed=inventory_hostname)`, and
//! moving them to runbook must not move the jobs.

use sha2::{Digest, Sha512};

const STATE_WORDS: usize = 624;
const SHIFT_POINT: usize = 397;

/// A seed as Python's `Random(seed)` takes it.
pub(in crate::template) enum Seed<'a> {
    Int(i64),
    Text(&'a str),
}

pub(in crate::template) struct PyRandom {
    state: [u32; STATE_WORDS],
    index: usize,
}

impl PyRandom {
    pub(in crate::template) fn new(seed: Seed<'_>) -> Self {
        let key = match seed {
            Seed::Int(n) => int_key(&n.unsigned_abs().to_be_bytes()),
            // Python's version-2 string seeding: the text followed by its
            // SHA-512, read as one big-endian integer.
            Seed::Text(text) => {
                let mut bytes = text.as_bytes().to_vec();
                bytes.extend_from_slice(&Sha512::digest(text.as_bytes()));
                int_key(&bytes)
            }
        };
        let mut random = Self {
            state: [0; STATE_WORDS],
            index: STATE_WORDS,
        };
        random.init_by_array(&key);
        random
    }

    fn init_genrand(&mut self, seed: u32) {
        self.state[0] = seed;
        for i in 1..STATE_WORDS {
            let previous = self.state[i - 1];
            self.state[i] = 1_812_433_253u32
                .wrapping_mul(previous ^ (previous >> 30))
                .wrapping_add(i as u32);
        }
        self.index = STATE_WORDS;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..STATE_WORDS.max(key.len()) {
            let previous = self.state[i - 1];
            self.state[i] = (self.state[i] ^ (previous ^ (previous >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= STATE_WORDS {
                self.state[0] = self.state[STATE_WORDS - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..STATE_WORDS - 1 {
            let previous = self.state[i - 1];
            self.state[i] = (self.state[i]
                ^ (previous ^ (previous >> 30)).wrapping_mul(1_566_083_941))
            .wrapping_sub(i as u32);
            i += 1;
            if i >= STATE_WORDS {
                self.state[0] = self.state[STATE_WORDS - 1];
                i = 1;
            }
        }
        self.state[0] = 0x8000_0000;
    }

    fn next_u32(&mut self) -> u32 {
        if self.index >= STATE_WORDS {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn twist(&mut self) {
        for i in 0..STATE_WORDS {
            let y =
                (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % STATE_WORDS] & 0x7fff_ffff);
            let mut next = self.state[(i + SHIFT_POINT) % STATE_WORDS] ^ (y >> 1);
            if y & 1 != 0 {
                next ^= 0x9908_b0df;
            }
            self.state[i] = next;
        }
        self.index = 0;
    }

    /// `getrandbits(k)` for `k` ≤ 64.
    fn random_bits(&mut self, bits: u32) -> u64 {
        if bits <= 32 {
            return u64::from(self.next_u32() >> (32 - bits));
        }
        let low = u64::from(self.next_u32());
        let high = u64::from(self.next_u32() >> (64 - bits));
        low | (high << 32)
    }

    /// `_randbelow(n)`: uniform in `0..n`, by rejection as CPython draws it.
    pub(in crate::template) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let bits = u64::BITS - n.leading_zeros();
        loop {
            let candidate = self.random_bits(bits);
            if candidate < n {
                return candidate;
            }
        }
    }

    /// `shuffle(list)`: Fisher–Yates from the end, as CPython does it.
    pub(in crate::template) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// The 32-bit words of the big-endian integer in `bytes`, least
/// significant first, without leading zero words (at least one word).
fn int_key(bytes: &[u8]) -> Vec<u32> {
    let mut words: Vec<u32> = bytes
        .rchunks(4)
        .map(|chunk| {
            chunk
                .iter()
                .fold(0u32, |word, byte| (word << 8) | u32::from(*byte))
        })
        .collect();
    while words.len() > 1 && words.last() == Some(&0) {
        words.pop();
    }
    words
}

#[cfg(test)]
mod tests {
    use super::{PyRandom, Seed};

    // Figures printed by CPython 3.11's `random.Random`.
    #[test]
    fn draws_what_python_draws() {
        assert_eq!(PyRandom::new(Seed::Int(1)).below(10), 2);
        assert_eq!(PyRandom::new(Seed::Text("web01")).below(60), 22);
        assert_eq!(PyRandom::new(Seed::Text("x")).below(5) + 1, 3);
        assert_eq!(3 + 7 * PyRandom::new(Seed::Int(5)).below(14), 66);
        assert_eq!(
            PyRandom::new(Seed::Int((1 << 40) + 5)).below(1_000_000),
            528_881
        );
        assert_eq!(PyRandom::new(Seed::Text("")).below(60), 29);
        assert_eq!(PyRandom::new(Seed::Int(-3)).below(60), 15);
        assert_eq!(PyRandom::new(Seed::Int(0)).below(60), 54);
        let mut list: Vec<u32> = (0..10).collect();
        PyRandom::new(Seed::Text("s")).shuffle(&mut list);
        assert_eq!(list, [3, 2, 1, 4, 8, 0, 6, 5, 9, 7]);
    }
}
