//! The key figures of one run, estate-level and per VM family (the `[[vms]]` table a VM was
//! stamped from: `sql` for `sql-01`, `sql-02`), taken from the run's results. A sweep keeps
//! only these per run, so its memory is bounded by them, not by the runs' time series.

use crate::model::Scenario;
use crate::report::charts::metric::Unit;
use crate::sim::record::{RunResult, VmResult};

/// A metric: its column name, what it means, its chart's title and its unit.
pub struct Metric {
    pub name: &'static str,
    pub meaning: &'static str,
    pub title: &'static str,
    pub unit: Unit,
}

/// Every metric, in column order; each is computed for the estate and for each VM family.
pub const METRICS: [Metric; 12] = [
    Metric {
        name: "rpo_p50_s",
        meaning: "the highest time-weighted median RPO among the VMs (s)",
        title: "Worst median RPO",
        unit: Unit::Seconds,
    },
    Metric {
        name: "rpo_p95_s",
        meaning: "the highest time-weighted 95th percentile RPO among the VMs (s)",
        title: "Worst p95 RPO",
        unit: Unit::Seconds,
    },
    Metric {
        name: "rpo_p99_s",
        meaning: "the highest time-weighted 99th percentile RPO among the VMs (s)",
        title: "Worst p99 RPO",
        unit: Unit::Seconds,
    },
    Metric {
        name: "rpo_max_s",
        meaning: "the largest RPO any VM reached (s)",
        title: "Largest RPO",
        unit: Unit::Seconds,
    },
    Metric {
        name: "rpo_within_target",
        meaning: "fraction of the VMs' protected time with RPO within the policy's target RPO",
        title: "Protected time within target RPO",
        unit: Unit::Fraction,
    },
    Metric {
        name: "worst_vm_within_target",
        meaning: "the lowest fraction of time within target RPO among the VMs",
        title: "Worst VM's time within target RPO",
        unit: Unit::Fraction,
    },
    Metric {
        name: "ir_completed_s",
        meaning: "when the last VM that became protected was protected, from the start (s)",
        title: "Initial replication complete",
        unit: Unit::Seconds,
    },
    Metric {
        name: "vms_never_protected",
        meaning: "VMs never protected in the run",
        title: "VMs never protected",
        unit: Unit::Count,
    },
    Metric {
        name: "cycles_missed",
        meaning: "missed copy cycles, all VMs",
        title: "Missed copy cycles",
        unit: Unit::Count,
    },
    Metric {
        name: "resyncs",
        meaning: "resynchronizations required or run, all VMs",
        title: "Resynchronizations",
        unit: Unit::Count,
    },
    Metric {
        name: "bytes_lost",
        meaning: "writes lost at unplanned failovers (bytes)",
        title: "Data lost at failovers",
        unit: Unit::Bytes,
    },
    Metric {
        name: "peak_volume_bytes",
        meaning: "peak snapshot and log space on a host volume (estate: the fullest host; family: the largest one VM held) (bytes)",
        title: "Peak host volume use",
        unit: Unit::Bytes,
    },
];

/// One run's metrics: per scope (`estate`, then each family), one value per [`METRICS`]
/// entry; `None` when undefined (no VM observed).
pub type Values = [Option<f64>; METRICS.len()];

/// The scopes of `scenario`'s metrics: `estate`, then its VM families in file order.
pub fn scopes(scenario: &Scenario) -> Vec<String> {
    std::iter::once("estate".to_string())
        .chain(
            scenario
                .families()
                .into_iter()
                .map(|(name, _)| name.to_string()),
        )
        .collect()
}

/// The metrics of one run of `scenario`, per scope in [`scopes`] order.
pub fn of(scenario: &Scenario, result: &RunResult) -> Vec<Values> {
    let families = scenario.families();
    let mut out = Vec::with_capacity(1 + families.len());
    let host_peak = result
        .hosts
        .iter()
        .map(|h| h.peak_volume_used_bytes)
        .max()
        .unwrap_or(0);
    let all: Vec<&VmResult> = result.vms.iter().collect();
    out.push(group(&all, host_peak as f64));
    for (_, members) in families {
        let vms: Vec<&VmResult> = members.iter().filter_map(|&v| result.vms.get(v)).collect();
        let peak = vms
            .iter()
            .map(|v| v.peak_volume_used_bytes)
            .max()
            .unwrap_or(0);
        out.push(group(&vms, peak as f64));
    }
    out
}

fn max_of(it: impl Iterator<Item = f64>) -> Option<f64> {
    it.fold(None, |m, v| Some(m.map_or(v, |m: f64| m.max(v))))
}

fn group(vms: &[&VmResult], peak_volume: f64) -> Values {
    let rpo_max_of = |f: fn(&VmResult) -> Option<f64>| max_of(vms.iter().copied().filter_map(f));
    let observed: f64 = vms
        .iter()
        .copied()
        .filter(|v| v.rpo.target_met_fraction.is_some())
        .map(|v| v.rpo.observed_s)
        .sum();
    let met: f64 = vms
        .iter()
        .copied()
        .filter_map(|v| v.rpo.target_met_fraction.map(|f| f * v.rpo.observed_s))
        .sum();
    let within = (observed > 0.0).then(|| met / observed);
    let worst = vms
        .iter()
        .copied()
        .filter_map(|v| v.rpo.target_met_fraction)
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))));
    let ir_done = max_of(
        vms.iter()
            .copied()
            .filter_map(|v| v.protected_at)
            .map(|t| t as f64 / 1000.0),
    );
    let sum = |f: fn(&VmResult) -> u64| vms.iter().copied().map(f).sum::<u64>() as f64;
    [
        rpo_max_of(|v| v.rpo.p50_s),
        rpo_max_of(|v| v.rpo.p95_s),
        rpo_max_of(|v| v.rpo.p99_s),
        rpo_max_of(|v| v.rpo.max_s),
        within,
        worst,
        ir_done,
        Some(
            vms.iter()
                .copied()
                .filter(|v| v.protected_at.is_none())
                .count() as f64,
        ),
        Some(sum(|v| v.cycles_missed)),
        Some(sum(|v| v.resyncs.len() as u64)),
        Some(sum(|v| v.bytes_lost)),
        Some(peak_volume),
    ]
}
