//! The terminal summary: one line per VM (the first rows of a large estate) and the links.

use crate::model::calendar::Calendar;
use crate::model::Scenario;
use crate::sim::RunResult;
use crate::units::{Bytes, Millis};
use std::fmt::Write;

/// Rows shown before the table is cut (the full list is in vms.csv).
const MAX_ROWS: usize = 25;

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
    for v in result.vms.iter().take(MAX_ROWS) {
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
    if result.vms.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "... {} more VMs in vms.csv",
            result.vms.len() - MAX_ROWS
        );
    }
    let _ = writeln!(
        out,
        "(RPO in seconds, time-weighted over the protected time; missed = missed/all cycles;\n\
         critical = time in Critical health; resyncs = required or run)"
    );
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

/// One failover: what it was, when, its RTO, the data it lost and the longest downtime.
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
