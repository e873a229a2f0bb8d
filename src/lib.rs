//! drsim: a deterministic discrete-event simulator for disaster-recovery replication
//! planning (Azure Site Recovery and Hyper-V Replica).
//!
//! The crate is layered so that each layer knows only the ones below it:
//!
//! - [`engine`]: a generic discrete-event engine (integer virtual time, a totally ordered
//!   event queue, per-component RNG streams). It knows nothing of DR.
//! - [`units`]: human units (sizes, rates, durations) as DR engineers write them.
//! - [`scenario`]: scenario files: a raw serde layer that mirrors the TOML, overrides by
//!   parameter path (`links.wan.capacity=200Mbps`) applied to the document, and validation
//!   into the typed [`model`] that the rest of the code sees.
//! - [`model`]: the estate: calendar, disks, write workloads, links with fair sharing.
//! - [`replication`]: the per-VM replication state machine, sans-IO, with its transition
//!   table as data.
//! - [`stats`]: time-weighted statistics (RPO distributions, level monitors).
//! - [`sim`]: the DR simulation: drives the state machines and the model on the engine,
//!   keeping its event log and time series ([`sim::Series`], columnar) in memory. Inside,
//!   the world is a small dispatcher around components that own their state: byte books,
//!   the data path (link or cache), links, job and resync records, observation.
//! - [`run`]: the run API. A [`run::RunSpec`] (scenario, seed, options, a halt hook) in, a
//!   [`run::RunOutput`] (results, event log, series) out; no file is touched.
//! - [`report`]: exporters behind one trait ([`report::Exporter`]): summary.json, each CSV
//!   file, the terminal table; and the atomic output folder.
//! - [`study`]: many runs of one scenario: sweeps over parameter values, seeded
//!   replications in parallel, t confidence intervals.
//! - [`plan`]: the capacity planner: the smallest bandwidth (and throttle limits, copy
//!   interval) for a target RPO, by bracket and bisection over replicated runs that stop
//!   early once a candidate is decided; on [`run`] and [`study`].
//! - [`cli`]: the thin command-line front end, one client of [`run`] and [`report`].
//! - [`generated`]: generated workloads for the benchmarks and the canonical cross-tool
//!   comparison.

pub mod cli;
pub mod engine;
pub mod generated;
pub mod model;
pub mod plan;
pub mod replication;
pub mod report;
pub mod run;
pub mod scenario;
pub mod sim;
pub mod stats;
pub mod study;
pub mod teach;
pub mod units;

/// The drsim version stamped into every output file.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
