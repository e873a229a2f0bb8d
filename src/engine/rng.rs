//! Per-component random streams derived from one master seed.
//!
//! Each component (a VM's workload, a link's outage process, ...) draws from its own ChaCha8
//! generator: the 256-bit key comes from the master seed, the 64-bit stream number from a
//! stable hash of the component's name. Adding or removing a component therefore changes no
//! other component's draws, and the generator is named and portable (unlike rand's standard
//! generator, whose algorithm may change between `rand` versions).

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Hands out one independent generator per named component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RngStreams {
    master_seed: u64,
}

impl RngStreams {
    pub fn new(master_seed: u64) -> Self {
        Self { master_seed }
    }

    pub fn master_seed(&self) -> u64 {
        self.master_seed
    }

    /// The generator of the component called `name` (e.g. `"vm/sql-01/disk/0/workload"`).
    /// The same seed and name always give the same sequence.
    pub fn stream(&self, name: &str) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.master_seed);
        rng.set_stream(stable_hash(name.as_bytes()));
        rng
    }
}

/// FNV-1a, 64 bits: a stable, platform-independent hash for stream names and scenario
/// fingerprints (never `std`'s randomly keyed hasher).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn first_draws_are_pinned() {
        // Pinned so that an upgrade of rand_chacha or a change of derivation shows up here
        // rather than as silently different results.
        let mut rng = RngStreams::new(42).stream("vm/a/disk/0/workload");
        let draws: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(draws, PINNED);
    }
    const PINNED: [u64; 3] = [
        270_297_982_530_567_875,
        17_946_877_948_220_110_250,
        13_011_806_382_170_340_194,
    ];

    #[test]
    fn streams_are_independent_of_each_other() {
        let s = RngStreams::new(7);
        let a1: Vec<u64> = {
            let mut r = s.stream("vm/a");
            (0..4).map(|_| r.next_u64()).collect()
        };
        let mut b = s.stream("vm/b");
        let b1: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let a2: Vec<u64> = {
            let mut r = s.stream("vm/a");
            (0..4).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a1, a2);
        assert_ne!(a1, b1);
        assert_ne!(
            RngStreams::new(8).stream("vm/a").next_u64(),
            a1[0],
            "the master seed must matter"
        );
    }

    #[test]
    fn stable_hash_matches_fnv1a_reference() {
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
