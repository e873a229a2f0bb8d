//! Replication seeds. Replication `i` of a sweep runs with the seed
//! `stable_hash("drsim/sweep/replication" ++ master seed ++ i)` (FNV-1a over the little-endian
//! bytes): the same at every point of the sweep, so that replication `i` of two points draws
//! the same random numbers for the components they share (common random numbers: the
//! difference between two points is not drowned in the noise between seeds), and stable
//! across machines, threads and versions of the standard library.

use crate::engine::stable_hash;

const DOMAIN: &[u8] = b"drsim/sweep/replication";

/// The seed of replication `i` (from 0) of a sweep with master seed `master`.
pub fn replication_seed(master: u64, i: u32) -> u64 {
    let mut bytes = Vec::with_capacity(DOMAIN.len() + 16);
    bytes.extend_from_slice(DOMAIN);
    bytes.extend_from_slice(&master.to_le_bytes());
    bytes.extend_from_slice(&u64::from(i).to_le_bytes());
    stable_hash(&bytes)
}
