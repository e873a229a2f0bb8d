//! Generated workloads: estates that drsim builds itself rather than reads from a scenario
//! file, for the benchmarks and the canonical cross-tool comparison.
//!
//! - [`bench`](mod@bench): a mixed estate as a validated model, timed by `drsim bench` and `cargo bench`.
//! - [`canonical`]: the canonical delta-replication workload of `shared/bench/README.md`,
//!   written out as a scenario file (`drsim gen canonical`) so that drsim and the SimPy peer
//!   run identical work.

pub mod bench;
pub mod canonical;
