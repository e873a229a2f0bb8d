//! summary.json: the run's results in one document. Later checks rely on its field names
//! (see the README's "summary.json contract"); fields are added, never renamed.
//!
//! The document is serialized from borrowed structs straight to its writer, so a large
//! estate's summary is never held in memory as a JSON tree.

use super::secs;
use crate::model::Scenario;
use crate::sim::record::{ArrivalTotals, FailoverRecord, Placement, RunResult, VmResult};
use serde::Serialize;
use std::io::Write;

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

#[derive(Serialize)]
struct Summary<'a> {
    drsim_version: &'a str,
    scenario: &'a str,
    scenario_hash: &'a str,
    seed: u64,
    topology: &'a str,
    start: String,
    horizon_s: f64,
    sample_step_s: Option<f64>,
    events_processed: u64,
    /// Set when a budget stopped the run: the results cover the time up to then (partial).
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped: Option<String>,
    vms: VmList<'a>,
    link: LinkTotals,
    links: Vec<LinkSummary<'a>>,
    hosts: Vec<HostSummary<'a>>,
    /// Ordered failovers and failbacks (domain.md section 7), in order of their start.
    failovers: Vec<FailoverSummary<'a>>,
    /// The figures the canonical workload's SimPy peer prints (shared/bench), over all VMs.
    canonical: Canonical,
}

/// Serializes the VMs one by one from the results.
struct VmList<'a>(&'a [VmResult], &'a Scenario);

impl Serialize for VmList<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.0
                .iter()
                .enumerate()
                .map(|(i, v)| VmSummary::new(v, Placement::of(self.1, i))),
        )
    }
}

#[derive(Serialize)]
struct VmSummary<'a> {
    name: &'a str,
    host: &'a str,
    site: &'a str,
    link: &'a str,
    state: &'a str,
    enable_failure: Option<&'a str>,
    protection_enabled_at_s: Option<f64>,
    initial_replication_started_at_s: Option<f64>,
    protected_at_s: Option<f64>,
    initial_replication_s: Option<f64>,
    disks: usize,
    virtual_size_bytes: u64,
    used_size_bytes: u64,
    rpo_target_s: f64,
    rpo_observed_s: f64,
    rpo_s_mean: Option<f64>,
    rpo_s_p50: Option<f64>,
    rpo_s_p95: Option<f64>,
    rpo_s_p99: Option<f64>,
    rpo_s_max: Option<f64>,
    rpo_target_met_fraction: Option<f64>,
    longest_rpo_violation_s: f64,
    bytes_written: u64,
    bytes_replicated: u64,
    bytes_pending: u64,
    bytes_initial_copy: u64,
    cycles_done: u64,
    cycles_missed: u64,
    peak_log_bytes: u64,
    transfers: u64,
    transfer_failures: u64,
    retries: u64,
    rpo_at_arrival_s_mean: Option<f64>,
    rpo_at_arrival_s_max: Option<f64>,
    bytes_discarded: u64,
    bytes_resync_sent: u64,
    /// Writes lost at unplanned failovers.
    bytes_lost: u64,
    resync_count: usize,
    resyncs: Vec<ResyncSummary<'a>>,
    health: &'a str,
    time_warning_s: f64,
    time_critical_s: f64,
    last_sync_at_s: Option<f64>,
    /// Missed cycles over all cycles, in percent, over the run.
    missed_cycles_percent: Option<f64>,
    average_latency_s: Option<f64>,
    peak_volume_used_bytes: u64,
    /// azure-to-azure's "no new recovery point for 60 minutes" alert: times raised, first.
    point_alerts: u32,
    first_point_alert_at_s: Option<f64>,
}

#[derive(Serialize)]
struct ResyncSummary<'a> {
    cause: String,
    required_at_s: f64,
    start_s: Option<f64>,
    end_s: Option<f64>,
    outcome: &'a str,
    bytes_compared: u64,
    /// Bytes of differing blocks: sent when `outcome` is `completed`.
    bytes_sent: u64,
}

impl<'a> VmSummary<'a> {
    fn new(v: &'a VmResult, place: Placement<'a>) -> Self {
        VmSummary {
            name: &v.name,
            host: place.host,
            site: place.site,
            link: place.link,
            state: v.state,
            enable_failure: v.enable_failure.as_deref(),
            protection_enabled_at_s: v.protection_enabled_at.map(secs),
            initial_replication_started_at_s: v.initial_replication_started_at.map(secs),
            protected_at_s: v.protected_at.map(secs),
            initial_replication_s: v.initial_replication_ms.map(secs),
            disks: v.disks,
            virtual_size_bytes: v.virtual_size_bytes,
            used_size_bytes: v.used_size_bytes,
            rpo_target_s: secs(v.target_rpo_ms),
            rpo_observed_s: v.rpo.observed_s,
            rpo_s_mean: v.rpo.mean_s,
            rpo_s_p50: v.rpo.p50_s,
            rpo_s_p95: v.rpo.p95_s,
            rpo_s_p99: v.rpo.p99_s,
            rpo_s_max: v.rpo.max_s,
            rpo_target_met_fraction: v.rpo.target_met_fraction,
            longest_rpo_violation_s: v.rpo.longest_violation_s,
            bytes_written: v.bytes_written,
            bytes_replicated: v.bytes_replicated,
            bytes_pending: v.bytes_pending,
            bytes_initial_copy: v.bytes_initial_copy,
            cycles_done: v.cycles_done,
            cycles_missed: v.cycles_missed,
            peak_log_bytes: v.peak_log_bytes,
            transfers: v.arrivals.transfers,
            transfer_failures: v.transfer_failures,
            retries: v.retries,
            rpo_at_arrival_s_mean: v.arrivals.rpo_mean_s(),
            rpo_at_arrival_s_max: v.arrivals.rpo_max_s(),
            bytes_discarded: v.bytes_discarded,
            bytes_resync_sent: v.bytes_resync_sent,
            bytes_lost: v.bytes_lost,
            resync_count: v.resyncs.len(),
            resyncs: v
                .resyncs
                .iter()
                .map(|r| ResyncSummary {
                    cause: r.cause.to_string(),
                    required_at_s: secs(r.required_at),
                    start_s: r.started_at.map(secs),
                    end_s: r.ended_at.map(secs),
                    outcome: r.outcome.name(),
                    bytes_compared: r.bytes_compared,
                    bytes_sent: r.bytes_to_send,
                })
                .collect(),
            health: v.health,
            time_warning_s: secs(v.time_warning_ms),
            time_critical_s: secs(v.time_critical_ms),
            last_sync_at_s: v.last_sync_at.map(secs),
            missed_cycles_percent: (v.cycles_done + v.cycles_missed > 0)
                .then(|| 100.0 * v.cycles_missed as f64 / (v.cycles_done + v.cycles_missed) as f64),
            average_latency_s: v.average_latency_ms.map(|ms| ms / 1000.0),
            peak_volume_used_bytes: v.peak_volume_used_bytes,
            point_alerts: v.point_alerts,
            first_point_alert_at_s: v.first_point_alert_at.map(secs),
        }
    }
}

#[derive(Serialize)]
struct FailoverSummary<'a> {
    kind: &'a str,
    target: &'a str,
    /// `vm` or `plan`.
    target_type: &'a str,
    at_s: f64,
    /// The oldest recovery point any of its VMs started from.
    recovery_point_at_s: Option<f64>,
    /// The longest data-loss window and the bytes lost over its VMs.
    data_loss_s: Option<f64>,
    data_loss_bytes: Option<u64>,
    /// The longest downtime of its VMs (source stopped to booted on the other side).
    downtime_s: Option<f64>,
    /// From the order to the last VM booted; `None` if it did not complete.
    rto_s: Option<f64>,
    /// When the last VM had booted and the steps after it were done.
    completed_at_s: Option<f64>,
    stopped: Option<&'a str>,
    groups: Vec<GroupSummary<'a>>,
    steps: Vec<StepSummary<'a>>,
    vms: Vec<FailoverVmSummary<'a>>,
}

#[derive(Serialize)]
struct GroupSummary<'a> {
    group: usize,
    vms: &'a [String],
    start_s: Option<f64>,
    /// When its last VM had booted.
    end_s: Option<f64>,
}

#[derive(Serialize)]
struct StepSummary<'a> {
    name: &'a str,
    kind: &'a str,
    /// The group it follows (from 1); `None` before the first group.
    after_group: Option<usize>,
    start_s: f64,
    end_s: f64,
    outcome: &'a str,
}

#[derive(Serialize)]
struct FailoverVmSummary<'a> {
    vm: &'a str,
    refused: Option<&'a str>,
    recovery_point_at_s: Option<f64>,
    recovery_point_consistency: Option<&'a str>,
    data_loss_s: Option<f64>,
    data_loss_bytes: Option<u64>,
    downtime_s: Option<f64>,
    source_stopped_at_s: Option<f64>,
    ready_at_s: Option<f64>,
    boot_start_s: Option<f64>,
    booted_at_s: Option<f64>,
    state_after: &'a str,
}

impl<'a> FailoverSummary<'a> {
    /// `end`: the end of the run, for VMs still down then.
    fn new(f: &'a FailoverRecord, end: u64) -> Self {
        let max = |x: Option<u64>, y: Option<u64>| x.max(y);
        FailoverSummary {
            kind: f.kind,
            target: &f.target,
            target_type: if f.target_is_plan { "plan" } else { "vm" },
            at_s: secs(f.at),
            recovery_point_at_s: f
                .vms
                .iter()
                .filter_map(|v| v.recovery_point_at)
                .min()
                .map(secs),
            data_loss_s: f
                .vms
                .iter()
                .map(|v| v.data_loss_ms)
                .fold(None, max)
                .map(secs),
            data_loss_bytes: f
                .vms
                .iter()
                .filter_map(|v| v.data_loss_bytes)
                .reduce(|a, b| a + b),
            downtime_s: f
                .vms
                .iter()
                .map(|v| v.downtime(end))
                .fold(None, max)
                .map(secs),
            rto_s: f.rto().map(secs),
            completed_at_s: f.completed_at.map(secs),
            stopped: f.stopped.as_deref(),
            groups: f
                .groups
                .iter()
                .enumerate()
                .map(|(i, g)| GroupSummary {
                    group: i + 1,
                    vms: &g.vms,
                    start_s: g.started_at.map(secs),
                    end_s: g.booted_at.map(secs),
                })
                .collect(),
            steps: f
                .steps
                .iter()
                .map(|s| StepSummary {
                    name: &s.name,
                    kind: s.kind,
                    after_group: s.after_group.map(|g| g + 1),
                    start_s: secs(s.started_at),
                    end_s: secs(s.ended_at),
                    outcome: s.outcome,
                })
                .collect(),
            vms: f
                .vms
                .iter()
                .map(|v| FailoverVmSummary {
                    vm: &v.vm,
                    refused: v.refused.as_deref(),
                    recovery_point_at_s: v.recovery_point_at.map(secs),
                    recovery_point_consistency: v.recovery_point_consistency,
                    data_loss_s: v.data_loss_ms.map(secs),
                    data_loss_bytes: v.data_loss_bytes,
                    downtime_s: v.downtime(end).map(secs),
                    source_stopped_at_s: v.source_stopped_at.map(secs),
                    ready_at_s: v.ready_at.map(secs),
                    boot_start_s: v.boot_started_at.map(secs),
                    booted_at_s: v.booted_at.map(secs),
                    state_after: v.state_after,
                })
                .collect(),
        }
    }
}

/// Over all links.
#[derive(Serialize)]
struct LinkTotals {
    bytes_sent: u64,
    /// Bytes sent over bytes all links could have carried.
    utilization_mean: Option<f64>,
}

#[derive(Serialize)]
struct LinkSummary<'a> {
    name: &'a str,
    bytes_sent: u64,
    utilization_mean: Option<f64>,
    saturated_s: f64,
}

#[derive(Serialize)]
struct HostSummary<'a> {
    name: &'a str,
    volume_free_bytes: Option<u64>,
    peak_volume_used_bytes: u64,
    volume_full_events: u64,
    start_waits: u64,
}

/// Delta logs that arrived, their bytes, the RPO sampled just before each arrival, and the
/// ticks skipped because the previous log was still in transit.
#[derive(Serialize)]
struct Canonical {
    transfers: u64,
    bytes_transferred: u64,
    mean_rpo_s: Option<f64>,
    max_rpo_s: Option<f64>,
    skipped_ticks: u64,
}

/// summary.json: the run's results in one pretty-printed document.
pub struct SummaryJson;

impl super::Exporter for SummaryJson {
    fn file_name(&self) -> &'static str {
        "summary.json"
    }

    fn export(&self, report: &super::Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        // Buffered here, so the serializer's many small writes are not virtual calls.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        let stopped = report.run.stopped(report.scenario);
        write_summary(
            &mut out,
            report.scenario,
            report.stamp,
            &report.run.result,
            stopped,
        )?;
        out.flush()
    }
}

/// Write summary.json (pretty-printed, newline-terminated) to `out`. Generic, not `dyn`: the
/// serializer makes a few small writes per field, each a virtual call through `dyn Write`
/// (a quarter of the instructions of a large estate's summary).
fn write_summary<W: Write>(
    out: &mut W,
    scenario: &Scenario,
    stamp: &Stamp,
    result: &RunResult,
    stopped: Option<String>,
) -> std::io::Result<()> {
    let mut arrivals = ArrivalTotals::default();
    for v in &result.vms {
        arrivals.merge(&v.arrivals);
    }
    let bytes_sent: u64 = result.links.iter().map(|l| l.bytes_sent).sum();
    let offered: u64 = result.links.iter().map(|l| l.bytes_offered).sum();
    let summary = Summary {
        drsim_version: stamp.version,
        scenario: &stamp.scenario,
        scenario_hash: &stamp.scenario_hash,
        seed: stamp.seed,
        topology: scenario.topology.name(),
        start: scenario
            .calendar
            .start
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string(),
        horizon_s: secs(result.horizon),
        sample_step_s: scenario.sample_step.map(secs),
        events_processed: result.events_processed,
        stopped,
        vms: VmList(&result.vms, scenario),
        link: LinkTotals {
            bytes_sent,
            utilization_mean: (offered > 0).then(|| bytes_sent as f64 / offered as f64),
        },
        links: result
            .links
            .iter()
            .map(|l| LinkSummary {
                name: &l.name,
                bytes_sent: l.bytes_sent,
                utilization_mean: l.utilization_mean,
                saturated_s: l.saturated_s,
            })
            .collect(),
        hosts: result
            .hosts
            .iter()
            .map(|h| HostSummary {
                name: &h.name,
                volume_free_bytes: h.volume_free_bytes,
                peak_volume_used_bytes: h.peak_volume_used_bytes,
                volume_full_events: h.volume_full_events,
                start_waits: h.start_waits,
            })
            .collect(),
        failovers: result
            .failovers
            .iter()
            .map(|f| FailoverSummary::new(f, result.horizon))
            .collect(),
        canonical: Canonical {
            transfers: arrivals.transfers,
            bytes_transferred: arrivals.bytes,
            mean_rpo_s: arrivals.rpo_mean_s(),
            max_rpo_s: arrivals.rpo_max_s(),
            skipped_ticks: result.vms.iter().map(|v| v.cycles_missed).sum(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &summary)?;
    out.write_all(b"\n")
}
