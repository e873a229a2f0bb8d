//! report.html: the story of a run in one self-contained page. The charts are inlined as
//! `<svg>` elements; there is no external reference of any kind (no stylesheet, font,
//! script or image is fetched), so the page opens offline from the output folder. It reads
//! without JavaScript: a small inline script only makes the tables sortable by a click on a
//! column heading. Every text from the scenario or the run is escaped. Deterministic bytes.

use super::charts::ChartKind;
use super::digest::{self, at, dur, pct, secs, Digest, Totals};
use super::{Exporter, Report};
use crate::units::{Bytes, Millis};
use std::fmt::Write as _;
use std::io::Write;

/// Rows each list of events shows at most (the VM table shows every VM).
const MAX_EVENTS: usize = 200;

/// report.html. `charts: false` leaves the charts out (`drsim run --no-charts`) and says so.
#[derive(Debug, Clone, Copy)]
pub struct HtmlReport {
    pub charts: bool,
}

impl Default for HtmlReport {
    fn default() -> Self {
        HtmlReport { charts: true }
    }
}

impl Exporter for HtmlReport {
    fn file_name(&self) -> &'static str {
        "report.html"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(html(report, self.charts).as_bytes())
    }
}

/// `text` with `& < > " '` escaped, for element content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:1240px;padding:0 16px 48px;color:#1d2433;line-height:1.4}
h1{margin:24px 0 4px}h2{margin-top:36px;border-bottom:2px solid #dde3ee;padding-bottom:4px}h3{margin-top:24px}
.desc{color:#4a5568;margin:4px 0 12px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}dl.meta dt{color:#4a5568}dl.meta dd{margin:0}
nav{margin:12px 0;font-size:14px}nav a{margin-right:12px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #dde3ee;border-radius:6px;padding:8px 14px;min-width:150px}
.card b{display:block;font-size:22px}.card span{color:#4a5568;font-size:13px}
figure{margin:16px 0;border:1px solid #dde3ee;border-radius:6px;padding:8px}figure svg{width:100%;height:auto;display:block}
figcaption{font-size:13px;color:#4a5568;margin-top:4px}
.tw{overflow-x:auto}table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #dde3ee;padding:3px 7px;text-align:left;white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f2f5fa;position:sticky;top:0;white-space:normal;vertical-align:bottom}th.s{cursor:pointer}tr:nth-child(even) td{background:#fafbfd}
.note{color:#4a5568;font-size:13px}.bad{color:#b42318;font-weight:600}
.partial{border:2px solid #b42318;border-radius:6px;background:#fef3f2;padding:8px 14px;margin:12px 0}
code{background:#f2f5fa;padding:0 3px;border-radius:3px}
@media print{figure{break-inside:avoid}th{position:static}}";

/// Click a heading of a `table.sort` to sort by it (numbers by their `data-v`); without
/// JavaScript the tables keep the order they were written in.
const SCRIPT: &str = "(function(){document.querySelectorAll('table.sort').forEach(function(t){
var hs=t.querySelectorAll('th');hs.forEach(function(h,i){h.className='s';h.title='sort';
h.addEventListener('click',function(){var b=t.tBodies[0],rs=Array.prototype.slice.call(b.rows);
var d=h.getAttribute('data-d')==='1'?-1:1;h.setAttribute('data-d',d===1?'1':'0');
rs.sort(function(x,y){var a=x.cells[i],c=y.cells[i];var p=a.getAttribute('data-v'),q=c.getAttribute('data-v');
if(p!==null&&q!==null){return d*(parseFloat(p)-parseFloat(q));}
return d*a.textContent.localeCompare(c.textContent);});rs.forEach(function(r){b.appendChild(r);});});});});})();";

/// Table builder: headings, then rows of cells (text, optional numeric sort key).
struct Table {
    html: String,
}

impl Table {
    fn new(class: &str, heads: &[&str]) -> Table {
        let mut html = format!("<div class=\"tw\"><table class=\"{class}\"><thead><tr>");
        for h in heads {
            let _ = write!(html, "<th>{}</th>", escape(h));
        }
        html.push_str("</tr></thead><tbody>\n");
        Table { html }
    }

    fn row(&mut self, cells: &[Cell]) {
        self.html.push_str("<tr>");
        for c in cells {
            match c {
                Cell::T(t) => {
                    let _ = write!(self.html, "<td>{}</td>", escape(t));
                }
                Cell::N(t, v) => {
                    let v = if v.is_finite() { *v } else { 0.0 };
                    let _ = write!(
                        self.html,
                        "<td class=\"n\" data-v=\"{v}\">{}</td>",
                        escape(t)
                    );
                }
            }
        }
        self.html.push_str("</tr>\n");
    }

    fn finish(mut self, out: &mut String) {
        self.html.push_str("</tbody></table></div>\n");
        out.push_str(&self.html);
    }
}

enum Cell {
    T(String),
    N(String, f64),
}

fn t(s: impl Into<String>) -> Cell {
    Cell::T(s.into())
}

fn n(s: impl Into<String>, v: f64) -> Cell {
    Cell::N(s.into(), v)
}

fn bytes(b: u64) -> Cell {
    n(Bytes(b).to_string(), b as f64)
}

fn seconds(s: Option<f64>) -> Cell {
    n(secs(s), s.unwrap_or(-1.0))
}

fn ms_cell(ms: u64) -> Cell {
    n(dur(ms), ms as f64)
}

fn share(f: Option<f64>) -> Cell {
    n(pct(f), f.unwrap_or(-1.0))
}

/// The page.
pub fn html(report: &Report<'_>, charts: bool) -> String {
    let sc = report.scenario;
    let res = &report.run.result;
    let d = Digest::new(report);
    let mut o = String::with_capacity(64 * 1024 + res.vms.len() * 1024);
    let title = format!("drsim report: {}", sc.name);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n",
        escape(&title)
    );
    let _ = writeln!(o, "<h1>{}</h1>", escape(&sc.name));
    if !sc.description.trim().is_empty() {
        let _ = writeln!(o, "<p class=\"desc\">{}</p>", escape(sc.description.trim()));
    }
    let mut meta: Vec<(&str, String)> = vec![
        ("Topology", sc.topology.name().to_string()),
        (
            "Calendar start",
            sc.calendar.start.format("%a %Y-%m-%d %H:%M:%S").to_string(),
        ),
        ("Horizon", Millis(res.horizon).to_string()),
        (
            "Sample step",
            sc.sample_step
                .map_or("off (no time series)".into(), |s| Millis(s).to_string()),
        ),
        ("Seed", report.stamp.seed.to_string()),
        ("Scenario hash", report.stamp.scenario_hash.clone()),
        ("drsim version", report.stamp.version.to_string()),
        ("Events processed", res.events_processed.to_string()),
    ];
    if !sc.overrides.is_empty() {
        meta.push(("Overrides", sc.overrides.join(" ")));
    }
    if let Some(h) = report.run.halted_at {
        meta.push(("Halted at", at(sc, h)));
    }
    // A budget's stop comes before everything else: every figure below covers the run only
    // up to that instant.
    if let Some(why) = report.run.stopped(sc) {
        let _ = writeln!(
            o,
            "<p class=\"partial\" role=\"alert\"><b>Partial results.</b> The run was {}. \
             Every figure on this page covers the simulated time up to then.</p>",
            escape(&why)
        );
    }
    o.push_str("<dl class=\"meta\">\n");
    for (k, v) in &meta {
        let _ = writeln!(o, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
    }
    o.push_str(
        "</dl>\n<nav><a href=\"#estate\">Estate</a><a href=\"#charts\">Charts</a>\
<a href=\"#families\">Families</a><a href=\"#places\">Sites and hosts</a><a href=\"#failovers\">Failovers</a>\
<a href=\"#attention\">Attention</a><a href=\"#vms\">VMs</a>\
<a href=\"#assumptions\">Assumptions</a></nav>\n",
    );

    estate(&mut o, report, &d);
    charts_section(&mut o, report, charts);
    families(&mut o, &d.families);
    places(&mut o, report, &d);
    failovers(&mut o, report);
    attention(&mut o, report, &d);
    vm_table(&mut o, report);
    assumptions(&mut o, &d);
    o.push_str(
        "<footer class=\"note\"><p>Written by drsim from the run's results; the same figures \
         are in <code>summary.json</code> and the CSV files beside this page \
         (<code>vms.csv</code>, <code>rollups.csv</code>, <code>outages.csv</code>, \
         <code>events.csv</code>, <code>health.csv</code>, <code>failovers.csv</code>, \
         <code>timeseries.csv</code>).</p></footer>\n",
    );
    let _ = write!(o, "<script>\n{SCRIPT}\n</script>\n</body>\n</html>\n");
    o
}

fn estate(o: &mut String, report: &Report<'_>, d: &Digest<'_>) {
    let res = &report.run.result;
    let e = &d.estate;
    let sent: u64 = res.links.iter().map(|l| l.bytes_sent).sum();
    o.push_str("<h2 id=\"estate\">Estate</h2>\n<div class=\"cards\">\n");
    let cards: Vec<(String, &str)> = vec![
        (format!("{} / {}", e.protected, e.vms), "VMs protected"),
        (secs(e.p95_median), "median VM's RPO p95"),
        (secs(e.p95_worst), "worst VM's RPO p95"),
        (secs(e.max_worst), "worst RPO"),
        (pct(e.met_worst), "lowest time within target RPO"),
        (secs(Some(e.longest_violation_s)), "longest RPO violation"),
        (e.resyncs.to_string(), "resyncs"),
        (dur(e.critical_ms), "VM time in Critical"),
        (Bytes(e.written).to_string(), "written"),
        (Bytes(sent).to_string(), "sent over links"),
        (Bytes(e.lost).to_string(), "lost at failovers"),
        (res.failovers.len().to_string(), "failovers"),
    ];
    for (v, label) in cards {
        let _ = writeln!(
            o,
            "<div class=\"card\"><b>{}</b><span>{}</span></div>",
            escape(&v),
            escape(label)
        );
    }
    o.push_str("</div>\n");
    if !res.links.is_empty() {
        let mut tb = Table::new("sort", &["link", "sent", "utilization", "saturated"]);
        for l in &res.links {
            tb.row(&[
                t(l.name.clone()),
                bytes(l.bytes_sent),
                share(l.utilization_mean),
                seconds(Some(l.saturated_s)),
            ]);
        }
        tb.finish(o);
    }
    let hosts: Vec<_> = res
        .hosts
        .iter()
        .filter(|h| h.volume_free_bytes.is_some() || h.volume_full_events > 0)
        .collect();
    if !hosts.is_empty() {
        let mut tb = Table::new(
            "sort",
            &["host", "volume free", "peak used", "use", "volume full"],
        );
        for h in hosts {
            let use_ = h
                .volume_free_bytes
                .filter(|&f| f > 0)
                .map(|f| h.peak_volume_used_bytes as f64 / f as f64);
            tb.row(&[
                t(h.name.clone()),
                h.volume_free_bytes.map_or(t("-"), bytes),
                bytes(h.peak_volume_used_bytes),
                share(use_),
                n(
                    h.volume_full_events.to_string(),
                    h.volume_full_events as f64,
                ),
            ]);
        }
        tb.finish(o);
    }
}

fn charts_section(o: &mut String, report: &Report<'_>, charts: bool) {
    o.push_str("<h2 id=\"charts\">Charts</h2>\n");
    if !charts {
        o.push_str(
            "<p class=\"note\">Charts were not drawn for this run (<code>--no-charts</code>); \
             run without it to see them here and in <code>charts/</code>.</p>\n",
        );
        return;
    }
    for kind in ChartKind::ALL {
        let _ = writeln!(o, "<figure id=\"chart-{}\">", kind.name());
        if kind.needs_series() && report.run.series.is_empty() {
            let _ = writeln!(
                o,
                "<p class=\"note\">{}: not drawn, the run kept no time series \
                 (<code>sample_step = \"off\"</code>).</p></figure>",
                escape(kind.title())
            );
            continue;
        }
        match kind.svg(report) {
            Ok(svg) => o.push_str(&inline_svg(&svg, kind.title())),
            Err(e) => {
                let _ = write!(
                    o,
                    "<p class=\"note\">{}: could not be drawn: {}</p>",
                    escape(kind.title()),
                    escape(&e.to_string())
                );
            }
        }
        let _ = writeln!(
            o,
            "<figcaption>{} (also <code>charts/{n}.svg</code> and <code>charts/{n}.png</code>)\
             </figcaption></figure>",
            escape(kind.title()),
            n = kind.name()
        );
    }
}

/// An SVG document as an inline element: no XML namespace attribute (HTML gives inline
/// `<svg>` its namespace, and the page names no URL), labelled for screen readers.
fn inline_svg(svg: &str, label: &str) -> String {
    let body = svg.trim_start();
    let body = body.strip_prefix("<?xml").map_or(body, |rest| {
        rest.find("?>").map_or(body, |i| rest[i + 2..].trim_start())
    });
    let Some(end) = body.find('>') else {
        return String::new();
    };
    let (open, rest) = body.split_at(end);
    let open = open
        .replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
        .replace(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "");
    format!(
        "{open} role=\"img\" aria-label=\"{}\"{rest}\n",
        escape(label)
    )
}

fn families(o: &mut String, fams: &[Totals]) {
    o.push_str(
        "<h2 id=\"families\">VM families</h2>\n<p class=\"note\">A family is the \
                <code>[[vms]]</code> table its VMs were stamped from (tables that share a \
                name are one family). RPO figures are each \
                VM's time-weighted RPO over its protected time.</p>\n",
    );
    let mut tb = Table::new("sort", &[&["family"][..], &TOTALS_HEADS].concat());
    for f in fams {
        tb.row(&family_cells(f));
    }
    tb.finish(o);
}

/// Totals per site and per host; host rows add the volume's peak against its free space.
fn places(o: &mut String, report: &Report<'_>, d: &Digest<'_>) {
    o.push_str(
        "<h2 id=\"places\">Sites and hosts</h2>\n<p class=\"note\">The same totals per \
         source site and per host (all in <code>rollups.csv</code>). Volume peak: the \
         largest snapshot and log space the host's VMs held at once.</p>\n",
    );
    let mut tb = Table::new("sort", &[&["site"][..], &TOTALS_HEADS].concat());
    for s in &d.sites {
        tb.row(&family_cells(s));
    }
    tb.finish(o);
    let volumes = digest::hosts_by_name(&report.run.result.hosts);
    let mut tb = Table::new(
        "sort",
        &[
            &["host"][..],
            &TOTALS_HEADS,
            &["volume peak", "volume free"],
        ]
        .concat(),
    );
    for h in &d.hosts {
        let mut cells = family_cells(h);
        let v = volumes.get(h.name.as_str());
        cells.push(v.map_or(t("-"), |v| bytes(v.peak_volume_used_bytes)));
        cells.push(
            v.and_then(|v| v.volume_free_bytes)
                .map_or(t("not modelled"), bytes),
        );
        tb.row(&cells);
    }
    tb.finish(o);
}

/// The columns of [`family_cells`].
const TOTALS_HEADS: [&str; 14] = [
    "VMs",
    "protected",
    "RPO p95 (median VM)",
    "RPO p95 (worst VM)",
    "RPO max",
    "lowest within target",
    "longest violation",
    "missed cycles",
    "resyncs",
    "time Critical",
    "written",
    "replicated",
    "pending at end",
    "lost",
];

/// A family's, site's or host's totals, after its name.
fn family_cells(f: &Totals) -> Vec<Cell> {
    vec![
        t(f.name.clone()),
        n(f.vms.to_string(), f.vms as f64),
        n(f.protected.to_string(), f.protected as f64),
        seconds(f.p95_median),
        seconds(f.p95_worst),
        seconds(f.max_worst),
        share(f.met_worst),
        seconds(Some(f.longest_violation_s)),
        n(
            format!("{}/{}", f.cycles_missed, f.cycles),
            f.cycles_missed as f64,
        ),
        n(f.resyncs.to_string(), f.resyncs as f64),
        ms_cell(f.critical_ms),
        bytes(f.written),
        bytes(f.replicated),
        bytes(f.pending),
        bytes(f.lost),
    ]
}

fn failovers(o: &mut String, report: &Report<'_>) {
    let sc = report.scenario;
    let res = &report.run.result;
    o.push_str("<h2 id=\"failovers\">Failovers</h2>\n");
    if res.failovers.is_empty() {
        o.push_str("<p class=\"note\">No failover in this run.</p>\n");
        return;
    }
    let mut tb = Table::new(
        "",
        &[
            "#",
            "kind",
            "of",
            "ordered at",
            "RTO",
            "data loss (longest)",
            "bytes lost",
            "downtime (longest)",
            "VMs",
            "refused",
            "outcome",
        ],
    );
    for (i, f) in res.failovers.iter().enumerate() {
        let window = f.vms.iter().filter_map(|v| v.data_loss_ms).max();
        let lost: u64 = f.vms.iter().filter_map(|v| v.data_loss_bytes).sum();
        let downtime = f.vms.iter().filter_map(|v| v.downtime(res.horizon)).max();
        let refused = f.vms.iter().filter(|v| v.refused.is_some()).count();
        let outcome = match (&f.stopped, f.completed_at) {
            (Some(why), _) => format!("stopped: {why}"),
            (None, Some(c)) => format!("completed {}", at(sc, c)),
            (None, None) => "not complete at the end of the run".into(),
        };
        tb.row(&[
            n((i + 1).to_string(), (i + 1) as f64),
            t(f.kind),
            t(format!(
                "{} {}",
                if f.target_is_plan { "plan" } else { "VM" },
                f.target
            )),
            t(at(sc, f.at)),
            f.rto().map_or(t("-"), ms_cell),
            window.map_or(t("-"), ms_cell),
            bytes(lost),
            downtime.map_or(t("-"), ms_cell),
            n(f.vms.len().to_string(), f.vms.len() as f64),
            n(refused.to_string(), refused as f64),
            t(outcome),
        ]);
    }
    tb.finish(o);
    o.push_str(
        "<p class=\"note\">RTO: from the order to the last VM booted. Data loss: \
                writes after the recovery point used. Per-VM details in \
                <code>failovers.csv</code>.</p>\n",
    );
}

fn more(o: &mut String, total: usize, shown: usize, where_: &str) {
    if total > shown {
        let _ = writeln!(
            o,
            "<p class=\"note\">{} more in {}.</p>",
            total - shown,
            escape(where_)
        );
    }
}

fn attention(o: &mut String, report: &Report<'_>, d: &Digest<'_>) {
    let sc = report.scenario;
    let vms = &report.run.result.vms;
    let name = |i: usize| vms.get(i).map_or(String::new(), |v| v.name.clone());
    o.push_str("<h2 id=\"attention\">Events worth attention</h2>\n");

    let _ = writeln!(o, "<h3>Resynchronizations ({})</h3>", d.resyncs.len());
    if d.resyncs.is_empty() {
        o.push_str("<p class=\"note\">None.</p>\n");
    } else {
        let mut tb = Table::new(
            "sort",
            &[
                "VM",
                "cause",
                "required",
                "started",
                "ended",
                "outcome",
                "bytes sent",
            ],
        );
        for (i, r) in d.resyncs.iter().take(MAX_EVENTS) {
            tb.row(&[
                t(name(*i)),
                t(r.cause.to_string()),
                t(at(sc, r.required_at)),
                t(r.started_at.map_or("-".into(), |x| at(sc, x))),
                t(r.ended_at.map_or("-".into(), |x| at(sc, x))),
                t(r.outcome.name()),
                bytes(r.bytes_to_send),
            ]);
        }
        tb.finish(o);
        more(
            o,
            d.resyncs.len(),
            MAX_EVENTS,
            "summary.json (resyncs of each VM)",
        );
    }

    let _ = writeln!(o, "<h3>Critical health ({} periods)</h3>", d.critical.len());
    if d.critical.is_empty() {
        o.push_str("<p class=\"note\">No VM was Critical.</p>\n");
    } else {
        let mut tb = Table::new("sort", &["VM", "from", "to", "for", "rule"]);
        for c in d.critical.iter().take(MAX_EVENTS) {
            tb.row(&[
                t(name(c.vm)),
                t(at(sc, c.from)),
                t(at(sc, c.to)),
                ms_cell(c.to - c.from),
                t(c.reason.name()),
            ]);
        }
        tb.finish(o);
        more(o, d.critical.len(), MAX_EVENTS, "health.csv");
    }

    let _ = writeln!(
        o,
        "<h3>RPO violations ({} VMs over target)</h3>",
        d.violations.len()
    );
    if d.violations.is_empty() {
        o.push_str("<p class=\"note\">Every VM stayed within its target RPO.</p>\n");
    } else {
        let mut tb = Table::new(
            "sort",
            &[
                "VM",
                "longest violation",
                "target RPO",
                "RPO max",
                "within target",
            ],
        );
        for &(i, s) in d.violations.iter().take(MAX_EVENTS) {
            let v = &vms[i];
            tb.row(&[
                t(v.name.clone()),
                seconds(Some(s)),
                ms_cell(v.target_rpo_ms),
                seconds(v.rpo.max_s),
                share(v.rpo.target_met_fraction),
            ]);
        }
        tb.finish(o);
        more(o, d.violations.len(), MAX_EVENTS, "vms.csv");
    }

    let _ = writeln!(
        o,
        "<h3>Link outages and degradations ({})</h3>",
        d.windows.len()
    );
    if d.windows.is_empty() {
        o.push_str("<p class=\"note\">No link was down or degraded.</p>\n");
    } else {
        let mut tb = Table::new("sort", &["link", "what", "from", "to", "for"]);
        for w in d.windows.iter().take(MAX_EVENTS) {
            tb.row(&[
                t(w.link.clone()),
                t(w.kind.to_string()),
                t(at(sc, w.start)),
                t(at(sc, w.end)),
                ms_cell(w.end.saturating_sub(w.start)),
            ]);
        }
        tb.finish(o);
        more(o, d.windows.len(), MAX_EVENTS, "outages.csv");
    }

    let _ = writeln!(
        o,
        "<h3>Refusals and failed starts ({})</h3>",
        d.refusals.len()
    );
    if d.refusals.is_empty() {
        o.push_str("<p class=\"note\">Nothing was refused.</p>\n");
    } else {
        let mut tb = Table::new("sort", &["at", "VM", "what"]);
        for r in d.refusals.iter().take(MAX_EVENTS) {
            tb.row(&[t(at(sc, r.at)), t(r.vm.clone()), t(r.what.clone())]);
        }
        tb.finish(o);
        more(o, d.refusals.len(), MAX_EVENTS, "events.csv");
    }
}

fn vm_table(o: &mut String, report: &Report<'_>) {
    let sc = report.scenario;
    let vms = &report.run.result.vms;
    let _ = writeln!(
        o,
        "<h2 id=\"vms\">VMs ({})</h2>\n<p class=\"note\">Every VM, in scenario order; click a \
         heading to sort (with JavaScript). RPO: time-weighted over the protected time.</p>",
        vms.len()
    );
    let mut tb = Table::new(
        "sort",
        &[
            "VM",
            "family",
            "host",
            "site",
            "state",
            "health",
            "protected at",
            "IR time",
            "RPO mean",
            "RPO p95",
            "RPO max",
            "within target",
            "longest violation",
            "missed cycles",
            "time Critical",
            "resyncs",
            "written",
            "pending",
            "lost",
        ],
    );
    for (i, v) in vms.iter().enumerate() {
        let place = crate::sim::record::Placement::of(sc, i);
        tb.row(&[
            t(v.name.clone()),
            t(digest::family_of(sc, i)),
            t(place.host),
            t(place.site),
            t(v.state),
            t(v.health),
            v.protected_at
                .map_or(n("-", -1.0), |p| n(at(sc, p), p as f64)),
            v.initial_replication_ms.map_or(n("-", -1.0), ms_cell),
            seconds(v.rpo.mean_s),
            seconds(v.rpo.p95_s),
            seconds(v.rpo.max_s),
            share(v.rpo.target_met_fraction),
            seconds(Some(v.rpo.longest_violation_s)),
            n(
                format!("{}/{}", v.cycles_missed, v.cycles_missed + v.cycles_done),
                v.cycles_missed as f64,
            ),
            ms_cell(v.time_critical_ms),
            n(v.resyncs.len().to_string(), v.resyncs.len() as f64),
            bytes(v.bytes_written),
            bytes(v.bytes_pending),
            bytes(v.bytes_lost),
        ]);
    }
    tb.finish(o);
}

fn assumptions(o: &mut String, d: &Digest<'_>) {
    o.push_str(
        "<h2 id=\"assumptions\">Model assumptions in force [ours]</h2>\n\
                <p class=\"note\">Modelling choices drsim makes where the sources are silent, \
                with the values this run used (the whole list, with sources, is \
                <code>docs/model-card.md</code>).</p>\n",
    );
    let mut tb = Table::new("", &["assumption", "value in this run", "why"]);
    for a in &d.assumptions {
        tb.row(&[t(a.field.clone()), t(a.value.clone()), t(a.note)]);
    }
    tb.finish(o);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href='x'>&\""),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
    }

    #[test]
    fn inline_svg_drops_the_namespace_url() {
        let s = inline_svg(
            "<svg width=\"1\" height=\"1\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/></svg>",
            "T<",
        );
        assert!(!s.contains("http"));
        assert!(s.starts_with("<svg width=\"1\" height=\"1\" role=\"img\" aria-label=\"T&lt;\">"));
    }
}
