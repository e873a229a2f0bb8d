//! The terminal summary: one line per VM; for a large estate, one line per VM family and the
//! worst VMs instead (the rest is in vms.csv); then the links, the host volumes and the
//! failovers.

use crate::model::calendar::Calendar;
use crate::model::Scenario;
use crate::sim::RunResult;
use crate::units::{Bytes, Millis};
use std::fmt::Write;

/// Estates up to this many VMs get a row per VM; larger ones a row per family and the
/// worst VMs (the full list is in vms.csv).
const MAX_ROWS: usize = 25;

/// The worst VMs a large estate's table shows.
const WORST_ROWS: usize = 10;

/// Host volumes listed (the fullest first).
const HOST_ROWS: usize = 10;

fn dur(ms: Option<u64>) -> String {
    ms.map_or("-".into(), |m| Millis(m - m % 1000).to_string())
}

fn s(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{x:.0}"))
}

/// The terminal summary (the command line prints it; `table.txt` in a folder).
pub struct TerminalTable;

impl super::Exporter for TerminalTable {
    fn file_name(&self) -> &'static str {
        "table.txt"
    }

    fn export(
        &self,
        report: &super::Report<'_>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        out.write_all(terminal_table(report.scenario, &report.run.result).as_bytes())
    }
}

fn terminal_table(scenario: &Scenario, result: &RunResult) -> String {
    let title = &scenario.name;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{title}: {} VMs, {} simulated, {} events",
        result.vms.len(),
        Millis(result.horizon),
        result.events_processed
    );
    if result.vms.len() > MAX_ROWS {
        families(&mut out, scenario, result);
    }
    let _ = writeln!(
        out,
        "{:<16} {:<22} {:>10} {:>10} {:>8} {:>8} {:>8} {:>7} {:>7} {:>9} {:>7}",
        "vm",
        "state",
        "protected",
        "IR time",
        "RPO avg",
        "RPO p95",
        "RPO max",
        "in tgt",
        "missed",
        "critical",
        "resyncs"
    );
    // A large estate: its worst VMs, as report.html ranks them.
    let shown: Vec<&crate::sim::VmResult> = if result.vms.len() > MAX_ROWS {
        let worst = super::digest::worst_first(&result.vms);
        worst
            .iter()
            .take(WORST_ROWS)
            .map(|&v| &result.vms[v])
            .collect()
    } else {
        result.vms.iter().collect()
    };
    for v in shown.iter().copied() {
        let _ = writeln!(
            out,
            "{:<16} {:<22} {:>10} {:>10} {:>8} {:>8} {:>8} {:>7} {:>7} {:>9} {:>7}",
            v.name,
            v.state,
            dur(v.protected_at),
            dur(v.initial_replication_ms),
            s(v.rpo.mean_s),
            s(v.rpo.p95_s),
            s(v.rpo.max_s),
            v.rpo
                .target_met_fraction
                .map_or("-".into(), |f| format!("{:.1}%", f * 100.0)),
            format!("{}/{}", v.cycles_missed, v.cycles_missed + v.cycles_done),
            Millis(v.time_critical_ms - v.time_critical_ms % 60_000).to_string(),
            v.resyncs.len(),
        );
    }
    if result.vms.len() > shown.len() {
        let _ = writeln!(
            out,
            "(the {} worst of {} VMs by longest time over target RPO; every VM is in vms.csv)",
            shown.len(),
            result.vms.len()
        );
    }
    let _ = writeln!(
        out,
        "(RPO in seconds, time-weighted over the protected time; missed = missed/all cycles;\n\
         critical = time in Critical health; resyncs = required or run)"
    );
    let windows = super::digest::windows(scenario, result.seed);
    for l in &result.links {
        let _ = writeln!(
            out,
            "link {}: {} sent, utilization {}, saturated {}",
            l.name,
            Bytes(l.bytes_sent),
            l.utilization_mean
                .map_or("-".into(), |u| format!("{:.1}%", u * 100.0)),
            Millis(l.saturated_s as u64 * 1000),
        );
        windows_line(&mut out, &l.name, &windows);
    }
    volumes(&mut out, result);
    if let Some(line) = point_alerts_line(scenario, result) {
        let _ = writeln!(out, "{line}");
    }
    for (i, f) in result.failovers.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}",
            failover_line(i + 1, f, &scenario.calendar, result.horizon)
        );
    }
    out
}

/// One line per VM family (the `[[vms]]` table its VMs were stamped from): VMs protected,
/// the worst VM's p95 and max RPO and time within target, resyncs.
fn families(out: &mut String, scenario: &Scenario, result: &RunResult) {
    let head = |out: &mut String, what: &str| {
        let _ = writeln!(
            out,
            "{:<16} {:>6} {:>9} {:>8} {:>8} {:>9} {:>7}",
            what, "VMs", "protected", "RPO p95", "RPO max", "worst tgt", "resyncs"
        );
    };
    head(out, "family");
    let line = |out: &mut String, f: &super::digest::Totals| {
        let _ = writeln!(
            out,
            "{:<16} {:>6} {:>9} {:>8} {:>8} {:>9} {:>7}",
            f.name,
            f.vms,
            f.protected,
            s(f.p95_worst),
            s(f.max_worst),
            f.met_worst
                .map_or("-".into(), |m| format!("{:.1}%", m * 100.0)),
            f.resyncs,
        );
    };
    for f in super::digest::families(scenario, &result.vms) {
        line(out, &f);
    }
    let sites = super::digest::sites(scenario, &result.vms);
    if sites.len() > 1 {
        head(out, "site");
        for f in &sites {
            line(out, f);
        }
    }
    let _ = writeln!(
        out,
        "(the same totals per host, with volume peaks, are in rollups.csv)"
    );
}

/// A link's outage and degradation windows as drawn for this run, in one line.
fn windows_line(out: &mut String, link: &str, windows: &[super::digest::Window]) {
    let mine = || windows.iter().filter(|w| w.link == link);
    let (outages, down) = mine()
        .filter(|w| w.kind.capacity_percent() == 0)
        .fold((0, 0), |(n, t), w| (n + 1, t + (w.end - w.start)));
    let (degraded, slow) = mine()
        .filter(|w| w.kind.capacity_percent() > 0)
        .fold((0, 0), |(n, t), w| (n + 1, t + (w.end - w.start)));
    if outages + degraded == 0 {
        return;
    }
    let mut parts = Vec::new();
    if outages > 0 {
        parts.push(format!("{outages} outage(s), {} down", dur(Some(down))));
    }
    if degraded > 0 {
        parts.push(format!(
            "{degraded} degradation(s), {} degraded",
            dur(Some(slow))
        ));
    }
    let _ = writeln!(out, "link {link}: {} (outages.csv)", parts.join("; "));
}

/// Host volumes: the peak of snapshot and log space against the declared free space, the
/// fullest first; hosts that held nothing are left out.
fn volumes(out: &mut String, result: &RunResult) {
    let mut hosts: Vec<_> = result
        .hosts
        .iter()
        .filter(|h| h.peak_volume_used_bytes > 0 || h.volume_full_events > 0)
        .collect();
    let share = |h: &crate::sim::record::HostResult| match h.volume_free_bytes {
        Some(free) if free > 0 => h.peak_volume_used_bytes as f64 / free as f64,
        _ => 0.0,
    };
    hosts.sort_by(|a, b| {
        share(b)
            .total_cmp(&share(a))
            .then(b.peak_volume_used_bytes.cmp(&a.peak_volume_used_bytes))
            .then(a.name.cmp(&b.name))
    });
    for h in hosts.iter().take(HOST_ROWS) {
        let mut line = format!(
            "host {}: volume peak {}",
            h.name,
            Bytes(h.peak_volume_used_bytes)
        );
        if let Some(free) = h.volume_free_bytes {
            line += &format!(" of {} free ({:.0}%)", Bytes(free), share(h) * 100.0);
        }
        if h.volume_full_events > 0 {
            line += &format!(", full {} time(s)", h.volume_full_events);
        }
        if h.start_waits > 0 {
            line += &format!(", {} start(s) waited for room (events.csv)", h.start_waits);
        }
        let _ = writeln!(out, "{line}");
    }
    if hosts.len() > HOST_ROWS {
        let _ = writeln!(
            out,
            "({} more hosts in summary.json)",
            hosts.len() - HOST_ROWS
        );
    }
}

/// One failover: what it was, when, its RTO, the data it lost and the longest downtime.
/// azure-to-azure's 60-minute alert, if any VM raised it: how many VMs, how often, and the
/// first few by the first time.
pub(super) fn point_alerts_line(scenario: &Scenario, result: &RunResult) -> Option<String> {
    const SHOWN: usize = 3;
    let mut raised: Vec<(u64, &str, u32)> = result
        .vms
        .iter()
        .filter_map(|v| Some((v.first_point_alert_at?, v.name.as_str(), v.point_alerts)))
        .collect();
    if raised.is_empty() {
        return None;
    }
    raised.sort();
    let total: u32 = raised.iter().map(|r| r.2).sum();
    let firsts: Vec<String> = raised
        .iter()
        .take(SHOWN)
        .map(|&(at, name, n)| {
            let when = scenario
                .calendar
                .datetime(at)
                .format("%a %Y-%m-%d %H:%M:%S");
            let times = if n == 1 { "once" } else { "times" };
            match n {
                1 => format!("{name} {times}, at {when}"),
                _ => format!("{name} {n} {times}, first at {when}"),
            }
        })
        .collect();
    let more = if raised.len() > SHOWN { "; ..." } else { "" };
    Some(format!(
        "alert \"no new recovery point for 60 minutes\": {} of {} VMs, raised {total} times: {}{more}",
        raised.len(),
        result.vms.len(),
        firsts.join("; ")
    ))
}

fn failover_line(
    n: usize,
    f: &crate::sim::FailoverRecord,
    calendar: &Calendar,
    end: u64,
) -> String {
    let kind = if f.target_is_plan { "plan" } else { "VM" };
    let refused = f.vms.iter().filter(|v| v.refused.is_some()).count();
    let lost: u64 = f.vms.iter().filter_map(|v| v.data_loss_bytes).sum();
    let window = f.vms.iter().filter_map(|v| v.data_loss_ms).max();
    let downtime = f.vms.iter().filter_map(|v| v.downtime(end)).max();
    let mut line = format!(
        "failover {n}: {} of {kind} {} at {}: ",
        f.kind,
        f.target,
        calendar.datetime(f.at).format("%a %Y-%m-%d %H:%M:%S")
    );
    match (f.rto(), &f.stopped) {
        (_, Some(why)) => line += &format!("stopped ({why})"),
        (Some(rto), None) => line += &format!("RTO {}", dur(Some(rto))),
        (None, None) => line += "not complete",
    }
    if let Some(window) = window {
        line += &format!(", lost {} ({} at most)", Bytes(lost), dur(Some(window)));
    }
    if let Some(d) = downtime {
        line += &format!(", downtime up to {}", dur(Some(d)));
    }
    if refused > 0 {
        line += &format!(", {refused} of {} VMs refused (events.csv)", f.vms.len());
    }
    line
}
