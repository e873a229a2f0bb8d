//! summary.md: the run in Markdown, for tickets and wikis: the headline figures, totals per
//! VM family, the worst VMs (at most [`MAX_VMS`]), the failovers and the events worth
//! attention (each list bounded), saying where the rest is. Cell text is escaped so a VM
//! name cannot break a table. Deterministic bytes.

use super::digest::{at, dur, pct, secs, Digest, Totals};
use super::{Exporter, Report};
use crate::units::{Bytes, Millis};
use std::fmt::Write as _;
use std::io::Write;

/// VM rows at most; the rest are in vms.csv and report.html.
pub const MAX_VMS: usize = 50;
/// Rows of each list of events at most.
const MAX_EVENTS: usize = 20;

/// summary.md.
#[derive(Debug, Clone, Copy, Default)]
pub struct SummaryMd;

impl Exporter for SummaryMd {
    fn file_name(&self) -> &'static str {
        "summary.md"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(markdown(report).as_bytes())
    }
}

/// Text safe in a Markdown table cell or paragraph: one line, with the characters that
/// Markdown or HTML would read as markup escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn table(o: &mut String, heads: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(o, "| {} |", heads.join(" | "));
    let _ = writeln!(o, "|{}", heads.iter().map(|_| "---|").collect::<String>());
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| escape(c)).collect();
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
    o.push('\n');
}

fn more(o: &mut String, total: usize, shown: usize, where_: &str) {
    if total > shown {
        let _ = writeln!(o, "{} more in {where_}.\n", total - shown);
    }
}

/// Totals of a family, site or host, one row each (the first `max`).
fn totals_table(o: &mut String, what: &str, totals: &[Totals], max: usize) {
    let rows: Vec<Vec<String>> = totals
        .iter()
        .take(max)
        .map(|f| {
            vec![
                f.name.clone(),
                f.vms.to_string(),
                f.protected.to_string(),
                secs(f.p95_median),
                secs(f.p95_worst),
                secs(f.max_worst),
                pct(f.met_worst),
                f.resyncs.to_string(),
                dur(f.critical_ms),
                Bytes(f.written).to_string(),
                Bytes(f.lost).to_string(),
            ]
        })
        .collect();
    table(
        o,
        &[
            what,
            "VMs",
            "protected",
            "RPO p95 (median VM)",
            "RPO p95 (worst VM)",
            "RPO max",
            "lowest within target",
            "resyncs",
            "time Critical",
            "written",
            "lost",
        ],
        &rows,
    );
}

/// The document.
pub fn markdown(report: &Report<'_>) -> String {
    let sc = report.scenario;
    let res = &report.run.result;
    let d = Digest::new(report);
    let e = &d.estate;
    let mut o = String::new();
    let _ = writeln!(o, "# drsim run: {}\n", escape(&sc.name));
    if !sc.description.trim().is_empty() {
        let _ = writeln!(o, "{}\n", escape(sc.description.trim()));
    }
    let _ = writeln!(
        o,
        "- Topology: {}\n- Calendar start: {}, horizon {}\n- Seed {}, scenario hash `{}`, drsim {}\n- {} events processed",
        sc.topology.name(),
        sc.calendar.start.format("%a %Y-%m-%d %H:%M:%S"),
        Millis(res.horizon),
        report.stamp.seed,
        report.stamp.scenario_hash,
        report.stamp.version,
        res.events_processed
    );
    if !sc.overrides.is_empty() {
        let _ = writeln!(o, "- Overrides: {}", escape(&sc.overrides.join(" ")));
    }
    if let Some(why) = report.run.stopped(sc) {
        let _ = writeln!(
            o,
            "\n> **Partial results.** The run was {}. Every figure below covers the simulated \
             time up to then.",
            escape(&why)
        );
    }
    o.push_str("\n## Headline\n\n");
    let sent: u64 = res.links.iter().map(|l| l.bytes_sent).sum();
    table(
        &mut o,
        &["figure", "value"],
        &[
            vec![
                "VMs protected".into(),
                format!("{} of {}", e.protected, e.vms),
            ],
            vec!["RPO p95, median VM".into(), secs(e.p95_median)],
            vec!["RPO p95, worst VM".into(), secs(e.p95_worst)],
            vec!["worst RPO".into(), secs(e.max_worst)],
            vec!["lowest time within target RPO".into(), pct(e.met_worst)],
            vec![
                "longest RPO violation".into(),
                secs(Some(e.longest_violation_s)),
            ],
            vec!["resyncs".into(), e.resyncs.to_string()],
            vec!["VM time in Critical".into(), dur(e.critical_ms)],
            vec![
                "missed cycles".into(),
                format!("{} of {}", e.cycles_missed, e.cycles),
            ],
            vec!["written".into(), Bytes(e.written).to_string()],
            vec!["sent over links".into(), Bytes(sent).to_string()],
            vec!["lost at failovers".into(), Bytes(e.lost).to_string()],
        ],
    );
    for l in &res.links {
        let _ = writeln!(
            o,
            "Link {}: {} sent, utilization {}, saturated {}.",
            escape(&l.name),
            Bytes(l.bytes_sent),
            pct(l.utilization_mean),
            secs(Some(l.saturated_s))
        );
    }
    if !res.links.is_empty() {
        o.push('\n');
    }

    o.push_str("## VM families\n\n");
    totals_table(&mut o, "family", &d.families, usize::MAX);
    if d.sites.len() > 1 {
        o.push_str("## Sites\n\n");
        totals_table(&mut o, "site", &d.sites, usize::MAX);
    }
    if d.hosts.len() > 1 {
        o.push_str("## Hosts\n\n");
        totals_table(&mut o, "host", &d.hosts, MAX_EVENTS);
        more(&mut o, d.hosts.len(), MAX_EVENTS, "rollups.csv");
    }

    let shown = d.worst.len().min(MAX_VMS);
    if d.worst.len() > MAX_VMS {
        let _ = writeln!(o, "## Worst {shown} VMs\n");
    } else {
        o.push_str("## VMs, worst first\n\n");
    }
    let rows: Vec<Vec<String>> = d
        .worst
        .iter()
        .take(MAX_VMS)
        .map(|&i| {
            let v = &res.vms[i];
            vec![
                v.name.clone(),
                v.state.to_string(),
                v.health.to_string(),
                secs(v.rpo.p95_s),
                secs(v.rpo.max_s),
                pct(v.rpo.target_met_fraction),
                secs(Some(v.rpo.longest_violation_s)),
                format!("{}/{}", v.cycles_missed, v.cycles_missed + v.cycles_done),
                v.resyncs.len().to_string(),
                dur(v.time_critical_ms),
            ]
        })
        .collect();
    table(
        &mut o,
        &[
            "VM",
            "state",
            "health",
            "RPO p95",
            "RPO max",
            "within target",
            "longest violation",
            "missed cycles",
            "resyncs",
            "time Critical",
        ],
        &rows,
    );
    more(
        &mut o,
        d.worst.len(),
        shown,
        "vms.csv and report.html (every VM)",
    );
    if let Some(line) = super::table::point_alerts_line(sc, res) {
        let _ = writeln!(o, "{}\n", escape(&line));
    }

    o.push_str("## Failovers\n\n");
    if res.failovers.is_empty() {
        o.push_str("No failover in this run.\n\n");
    } else {
        let rows: Vec<Vec<String>> = res
            .failovers
            .iter()
            .map(|f| {
                let window = f.vms.iter().filter_map(|v| v.data_loss_ms).max();
                let lost: u64 = f.vms.iter().filter_map(|v| v.data_loss_bytes).sum();
                let refused = f.vms.iter().filter(|v| v.refused.is_some()).count();
                vec![
                    f.kind.to_string(),
                    format!(
                        "{} {}",
                        if f.target_is_plan { "plan" } else { "VM" },
                        f.target
                    ),
                    at(sc, f.at),
                    match (&f.stopped, f.rto()) {
                        (Some(why), _) => format!("stopped: {why}"),
                        (None, Some(r)) => dur(r),
                        (None, None) => "not complete".into(),
                    },
                    window.map_or("-".into(), dur),
                    Bytes(lost).to_string(),
                    format!("{refused} of {}", f.vms.len()),
                ]
            })
            .collect();
        table(
            &mut o,
            &[
                "kind",
                "of",
                "ordered at",
                "RTO",
                "data loss",
                "bytes lost",
                "VMs refused",
            ],
            &rows,
        );
    }

    o.push_str("## Events worth attention\n\n");
    let name = |i: usize| res.vms.get(i).map_or(String::new(), |v| v.name.clone());
    let _ = writeln!(o, "### Resynchronizations ({})\n", d.resyncs.len());
    if !d.resyncs.is_empty() {
        let rows: Vec<Vec<String>> = d
            .resyncs
            .iter()
            .take(MAX_EVENTS)
            .map(|(i, r)| {
                vec![
                    name(*i),
                    r.cause.to_string(),
                    at(sc, r.required_at),
                    r.outcome.name().to_string(),
                    Bytes(r.bytes_to_send).to_string(),
                ]
            })
            .collect();
        table(
            &mut o,
            &["VM", "cause", "required", "outcome", "bytes sent"],
            &rows,
        );
        more(&mut o, d.resyncs.len(), MAX_EVENTS, "summary.json");
    }
    let _ = writeln!(
        o,
        "### Critical health, longest first ({} periods)\n",
        d.critical.len()
    );
    if !d.critical.is_empty() {
        let rows: Vec<Vec<String>> = d
            .critical
            .iter()
            .take(MAX_EVENTS)
            .map(|c| {
                vec![
                    name(c.vm),
                    at(sc, c.from),
                    dur(c.to - c.from),
                    c.reason.name().to_string(),
                ]
            })
            .collect();
        table(&mut o, &["VM", "from", "for", "rule"], &rows);
        more(&mut o, d.critical.len(), MAX_EVENTS, "health.csv");
    }
    let _ = writeln!(
        o,
        "### RPO violations, longest first ({} VMs)\n",
        d.violations.len()
    );
    if !d.violations.is_empty() {
        let rows: Vec<Vec<String>> = d
            .violations
            .iter()
            .take(MAX_EVENTS)
            .map(|&(i, s)| {
                let v = &res.vms[i];
                vec![
                    v.name.clone(),
                    secs(Some(s)),
                    dur(v.target_rpo_ms),
                    secs(v.rpo.max_s),
                ]
            })
            .collect();
        table(
            &mut o,
            &["VM", "longest violation", "target RPO", "RPO max"],
            &rows,
        );
        more(&mut o, d.violations.len(), MAX_EVENTS, "vms.csv");
    }
    let _ = writeln!(
        o,
        "### Link outages and degradations ({})\n",
        d.windows.len()
    );
    if !d.windows.is_empty() {
        let rows: Vec<Vec<String>> = d
            .windows
            .iter()
            .take(MAX_EVENTS)
            .map(|w| {
                vec![
                    w.link.clone(),
                    w.kind.to_string(),
                    at(sc, w.start),
                    dur(w.end.saturating_sub(w.start)),
                ]
            })
            .collect();
        table(&mut o, &["link", "what", "from", "for"], &rows);
        more(&mut o, d.windows.len(), MAX_EVENTS, "outages.csv");
    }
    let _ = writeln!(o, "### Refusals and failed starts ({})\n", d.refusals.len());
    if !d.refusals.is_empty() {
        let rows: Vec<Vec<String>> = d
            .refusals
            .iter()
            .take(MAX_EVENTS)
            .map(|r| vec![at(sc, r.at), r.vm.clone(), r.what.clone()])
            .collect();
        table(&mut o, &["at", "VM", "what"], &rows);
        more(&mut o, d.refusals.len(), MAX_EVENTS, "events.csv");
    }

    o.push_str("## Model assumptions in force [ours]\n\n");
    for a in &d.assumptions {
        let _ = writeln!(
            o,
            "- {}: {} ({})",
            escape(&a.field),
            escape(&a.value),
            escape(a.note)
        );
    }
    o.push_str("\nThe full list, with sources, is docs/model-card.md; charts and every VM are in report.html.\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_table_breakers() {
        assert_eq!(escape("a|b<c>_d\ne"), "a\\|b&lt;c&gt;\\_d e");
    }
}
