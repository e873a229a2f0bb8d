//! summary.json: the run's results in one document. Later checks rely on its field names
//! (see the README's "summary.json contract"); fields are added, never renamed.

use super::secs;
use crate::model::Scenario;
use crate::sim::RunResult;
use serde_json::{json, Value};

/// What every output file states about where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub version: &'static str,
    pub scenario: String,
    /// `fnv1a64:` and 16 hex digits.
    pub scenario_hash: String,
    pub seed: u64,
}

impl Stamp {
    pub fn new(scenario: &Scenario, seed: u64) -> Stamp {
        Stamp {
            version: crate::VERSION,
            scenario: scenario.name.clone(),
            scenario_hash: format!("fnv1a64:{:016x}", scenario.hash),
            seed,
        }
    }

    /// The first line of every CSV file (a `#` comment: `pandas.read_csv(comment="#")`).
    pub fn csv_comment(&self) -> String {
        format!(
            "# drsim {} scenario={} scenario_hash={} seed={}\n",
            self.version, self.scenario, self.scenario_hash, self.seed
        )
    }
}

pub fn summary_json(scenario: &Scenario, stamp: &Stamp, result: &RunResult) -> Value {
    let vms: Vec<Value> = result
        .vms
        .iter()
        .map(|v| {
            json!({
                "name": v.name,
                "host": v.host,
                "site": v.site,
                "link": v.link,
                "state": v.state,
                "enable_failure": v.enable_failure,
                "protection_enabled_at_s": v.protection_enabled_at.map(secs),
                "initial_replication_started_at_s": v.initial_replication_started_at.map(secs),
                "protected_at_s": v.protected_at.map(secs),
                "initial_replication_s": v.initial_replication_ms.map(secs),
                "disks": v.disks,
                "virtual_size_bytes": v.virtual_size_bytes,
                "used_size_bytes": v.used_size_bytes,
                "rpo_target_s": secs(v.target_rpo_ms),
                "rpo_observed_s": v.rpo.observed_s,
                "rpo_s_mean": v.rpo.mean_s,
                "rpo_s_p50": v.rpo.p50_s,
                "rpo_s_p95": v.rpo.p95_s,
                "rpo_s_p99": v.rpo.p99_s,
                "rpo_s_max": v.rpo.max_s,
                "rpo_target_met_fraction": v.rpo.target_met_fraction,
                "longest_rpo_violation_s": v.rpo.longest_violation_s,
                "bytes_written": v.bytes_written,
                "bytes_replicated": v.bytes_replicated,
                "bytes_pending": v.bytes_pending,
                "bytes_initial_copy": v.bytes_initial_copy,
                "cycles_done": v.cycles_done,
                "cycles_missed": v.cycles_missed,
                "peak_log_bytes": v.peak_log_bytes,
            })
        })
        .collect();
    let links: Vec<Value> = result
        .links
        .iter()
        .map(|l| {
            json!({
                "name": l.name,
                "bytes_sent": l.bytes_sent,
                "utilization_mean": l.utilization_mean,
                "saturated_s": l.saturated_s,
            })
        })
        .collect();
    let bytes_sent: u64 = result.links.iter().map(|l| l.bytes_sent).sum();
    // The estate-wide figure: bytes sent over bytes all links could have carried.
    let offered: f64 = result
        .links
        .iter()
        .filter_map(|l| l.utilization_mean.map(|u| (l.bytes_sent, u)))
        .map(|(b, u)| if u > 0.0 { b as f64 / u } else { 0.0 })
        .sum();
    let hosts: Vec<Value> = result
        .hosts
        .iter()
        .map(|h| {
            json!({
                "name": h.name,
                "volume_free_bytes": h.volume_free_bytes,
                "peak_volume_used_bytes": h.peak_volume_used_bytes,
            })
        })
        .collect();
    json!({
        "drsim_version": stamp.version,
        "scenario": stamp.scenario,
        "scenario_hash": stamp.scenario_hash,
        "seed": stamp.seed,
        "topology": scenario.topology.name(),
        "start": scenario.calendar.start.format("%Y-%m-%dT%H:%M:%S").to_string(),
        "horizon_s": secs(result.horizon),
        "sample_step_s": scenario.sample_step.map(secs),
        "events_processed": result.events_processed,
        "vms": vms,
        "link": {
            "bytes_sent": bytes_sent,
            "utilization_mean": (offered > 0.0).then(|| bytes_sent as f64 / offered),
        },
        "links": links,
        "hosts": hosts,
    })
}
