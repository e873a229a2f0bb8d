//! What report.html and summary.md tell, computed once from a run: the headline, totals
//! per VM family (the `[[vms]]` table a VM was stamped from), the worst VMs, and the events
//! worth attention (resyncs, critical periods, RPO violations, link outages and
//! degradations, refusals), and the [ours] assumptions in force. Orders are total (ties
//! broken by VM index, then time), so the documents are deterministic.

use super::Report;
use crate::engine::Time;
use crate::model::{defaults, Keyword, ResyncWindow, Scenario};
use crate::sim::health::Health;
use crate::sim::record::{EventKind, HealthReason, ResyncRecord, VmResult};
use crate::units::{ByteRate, Bytes, Millis};

/// Totals over a set of VMs (a family, or the estate).
#[derive(Debug, Clone, Default)]
pub(crate) struct Totals {
    pub name: String,
    pub vms: usize,
    /// VMs that reached protection during the run.
    pub protected: usize,
    pub written: u64,
    pub replicated: u64,
    pub pending: u64,
    pub lost: u64,
    /// Of the VMs' time-weighted RPO: the median VM's p95 and the worst p95 and max, s.
    pub p95_median: Option<f64>,
    pub p95_worst: Option<f64>,
    pub max_worst: Option<f64>,
    /// The lowest share of protected time within target RPO of any VM.
    pub met_worst: Option<f64>,
    pub longest_violation_s: f64,
    pub resyncs: usize,
    pub critical_ms: Time,
    pub cycles_missed: u64,
    pub cycles: u64,
}

impl Totals {
    pub(crate) fn of<'v>(name: &str, vms: impl Iterator<Item = &'v VmResult>) -> Totals {
        let mut t = Totals {
            name: name.to_string(),
            ..Totals::default()
        };
        let mut p95s = Vec::new();
        for v in vms {
            t.vms += 1;
            t.protected += usize::from(v.protected_at.is_some());
            t.written = t.written.saturating_add(v.bytes_written);
            t.replicated = t.replicated.saturating_add(v.bytes_replicated);
            t.pending = t.pending.saturating_add(v.bytes_pending);
            t.lost = t.lost.saturating_add(v.bytes_lost);
            if let Some(p) = v.rpo.p95_s.filter(|p| p.is_finite()) {
                p95s.push(p);
            }
            t.max_worst = max_opt(t.max_worst, v.rpo.max_s);
            t.met_worst = match (t.met_worst, v.rpo.target_met_fraction) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            t.longest_violation_s = t.longest_violation_s.max(v.rpo.longest_violation_s);
            t.resyncs += v.resyncs.len();
            t.critical_ms = t.critical_ms.saturating_add(v.time_critical_ms);
            t.cycles_missed += v.cycles_missed;
            t.cycles += v.cycles_missed + v.cycles_done;
        }
        p95s.sort_unstable_by(f64::total_cmp);
        t.p95_median = (!p95s.is_empty()).then(|| p95s[(p95s.len() - 1) / 2]);
        t.p95_worst = p95s.last().copied();
        t
    }
}

/// Totals per VM family (the `[[vms]]` tables a VM was stamped from, by name).
pub(crate) fn families(sc: &Scenario, vms: &[VmResult]) -> Vec<Totals> {
    let mut families: Vec<Totals> = sc
        .families()
        .into_iter()
        .map(|(name, members)| Totals::of(name, members.iter().filter_map(|&v| vms.get(v))))
        .collect();
    if families.is_empty() && !vms.is_empty() {
        families.push(Totals::of("(all)", vms.iter()));
    }
    families
}

/// Totals per site, in the scenario's order; sites without VMs are left out.
pub(crate) fn sites(sc: &Scenario, vms: &[VmResult]) -> Vec<Totals> {
    let site_of = |i: usize| sc.hosts[sc.vms[i].host].site;
    grouped(sc.sites.iter().map(|s| s.name.as_str()), vms, site_of)
}

/// Totals per host, in the scenario's order; hosts without VMs are left out.
pub(crate) fn hosts(sc: &Scenario, vms: &[VmResult]) -> Vec<Totals> {
    grouped(sc.hosts.iter().map(|h| h.name.as_str()), vms, |i| {
        sc.vms[i].host
    })
}

/// The hosts' results by name (to join them to [`hosts`]' totals).
pub(crate) fn hosts_by_name(
    hosts: &[crate::sim::record::HostResult],
) -> std::collections::BTreeMap<&str, &crate::sim::record::HostResult> {
    hosts.iter().map(|h| (h.name.as_str(), h)).collect()
}

/// Totals of the VMs grouped by `group_of` (an index into `names`).
fn grouped<'n>(
    names: impl Iterator<Item = &'n str>,
    vms: &[VmResult],
    group_of: impl Fn(usize) -> usize,
) -> Vec<Totals> {
    let names: Vec<&str> = names.collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    for i in 0..vms.len() {
        members[group_of(i)].push(i);
    }
    names
        .iter()
        .zip(&members)
        .filter(|(_, m)| !m.is_empty())
        .map(|(name, m)| Totals::of(name, m.iter().map(|&i| &vms[i])))
        .collect()
}

/// VM indices, worst first: longest RPO violation, then worst RPO, then the lowest share
/// within target, then the index.
pub(crate) fn worst_first(vms: &[VmResult]) -> Vec<usize> {
    let mut worst: Vec<usize> = (0..vms.len()).collect();
    let key = |v: &VmResult| {
        (
            v.rpo.longest_violation_s,
            v.rpo.max_s.unwrap_or(0.0),
            -v.rpo.target_met_fraction.unwrap_or(1.0),
        )
    };
    worst.sort_by(|&a, &b| {
        let (ka, kb) = (key(&vms[a]), key(&vms[b]));
        kb.0.total_cmp(&ka.0)
            .then(kb.1.total_cmp(&ka.1))
            .then(kb.2.total_cmp(&ka.2))
            .then(a.cmp(&b))
    });
    worst
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b.filter(|x| x.is_finite())) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// A link outage or degradation window, as drawn for this run.
pub(crate) struct Window {
    pub link: String,
    pub kind: WindowKind,
    pub start: Time,
    pub end: Time,
}

/// What a [`Window`] was.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum WindowKind {
    /// A `[[links.outages]]` entry.
    ScheduledOutage,
    /// Drawn from the link's MTBF and repair time with the run's seed.
    RandomOutage,
    /// Capacity reduced to this percent.
    Degraded(u8),
}

impl WindowKind {
    /// `outage` or `degradation` (outages.csv's `kind`).
    pub fn kind(self) -> &'static str {
        match self {
            WindowKind::Degraded(_) => "degradation",
            _ => "outage",
        }
    }

    /// `scheduled` or `random` (outages.csv's `cause`).
    pub fn cause(self) -> &'static str {
        match self {
            WindowKind::RandomOutage => "random",
            _ => "scheduled",
        }
    }

    /// The link's capacity during the window, as a percentage of its own.
    pub fn capacity_percent(self) -> u8 {
        match self {
            WindowKind::Degraded(p) => p,
            _ => 0,
        }
    }
}

impl std::fmt::Display for WindowKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WindowKind::ScheduledOutage => f.write_str("outage (scheduled)"),
            WindowKind::RandomOutage => f.write_str("outage (random)"),
            WindowKind::Degraded(p) => write!(f, "degraded to {p}% of capacity"),
        }
    }
}

/// Something that was refused or failed to start.
pub(crate) struct Refusal {
    pub at: Time,
    pub vm: String,
    pub what: String,
}

/// A period of Critical health.
pub(crate) struct Critical {
    pub vm: usize,
    pub from: Time,
    pub to: Time,
    pub reason: HealthReason,
}

/// One assumption in force: the field, its value in this run, and why it is ours.
pub(crate) struct Assumption {
    pub field: String,
    pub value: String,
    pub note: &'static str,
}

/// Everything the two documents tell.
pub(crate) struct Digest<'a> {
    pub estate: Totals,
    pub families: Vec<Totals>,
    pub sites: Vec<Totals>,
    pub hosts: Vec<Totals>,
    /// VM indices, worst first: longest RPO violation, then worst RPO, then the lowest share
    /// within target, then the index.
    pub worst: Vec<usize>,
    pub resyncs: Vec<(usize, &'a ResyncRecord)>,
    pub critical: Vec<Critical>,
    /// (VM, longest violation in s), longest first; only VMs with one.
    pub violations: Vec<(usize, f64)>,
    pub windows: Vec<Window>,
    pub refusals: Vec<Refusal>,
    pub assumptions: Vec<Assumption>,
}

impl<'a> Digest<'a> {
    pub fn new(report: &Report<'a>) -> Digest<'a> {
        let sc = report.scenario;
        let vms = &report.run.result.vms;
        let estate = Totals::of("estate", vms.iter());
        let families = families(sc, vms);
        let sites = sites(sc, vms);
        let hosts = hosts(sc, vms);
        let worst = worst_first(vms);
        let mut resyncs: Vec<(usize, &ResyncRecord)> = vms
            .iter()
            .enumerate()
            .flat_map(|(i, v)| v.resyncs.iter().map(move |r| (i, r)))
            .collect();
        resyncs.sort_by_key(|&(i, r)| (r.required_at, i));
        let mut critical: Vec<Critical> = report
            .run
            .log
            .health_spans()
            .filter(|h| h.health == Health::Critical && h.to > h.from)
            .map(|h| Critical {
                vm: h.vm,
                from: h.from,
                to: h.to,
                reason: h.reason,
            })
            .collect();
        critical.sort_by_key(|c| (std::cmp::Reverse(c.to - c.from), c.from, c.vm));
        let mut violations: Vec<(usize, f64)> = vms
            .iter()
            .enumerate()
            .filter(|(_, v)| v.rpo.longest_violation_s > 0.0)
            .map(|(i, v)| (i, v.rpo.longest_violation_s))
            .collect();
        violations.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Digest {
            estate,
            families,
            sites,
            hosts,
            worst,
            resyncs,
            critical,
            violations,
            windows: windows(sc, report.run.seed),
            refusals: refusals(report),
            assumptions: assumptions(sc),
        }
    }
}

/// Every link's outage and degradation windows within the horizon, by start.
pub(crate) fn windows(sc: &Scenario, seed: u64) -> Vec<Window> {
    let mut out = Vec::new();
    for (l, drawn) in sc
        .links
        .iter()
        .zip(crate::sim::link_outage_windows(sc, seed))
    {
        for (start, end) in drawn {
            let scheduled = l.outages.contains(&(start, end));
            out.push(Window {
                link: l.name.clone(),
                kind: if scheduled {
                    WindowKind::ScheduledOutage
                } else {
                    WindowKind::RandomOutage
                },
                start,
                end,
            });
        }
        for d in l.degradations.iter().filter(|d| d.start < sc.horizon) {
            out.push(Window {
                link: l.name.clone(),
                kind: WindowKind::Degraded(d.percent),
                start: d.start,
                end: d.end.min(sc.horizon),
            });
        }
    }
    out.sort_by(|a, b| (a.start, a.end, &a.link).cmp(&(b.start, b.end, &b.link)));
    out
}

fn refusals(report: &Report<'_>) -> Vec<Refusal> {
    let vms = &report.run.result.vms;
    let name = |i: Option<usize>| {
        i.and_then(|i| vms.get(i))
            .map_or("", |v| v.name.as_str())
            .to_string()
    };
    let mut out: Vec<Refusal> = report
        .run
        .log
        .events()
        .filter(|e| e.kind == EventKind::Refused)
        .map(|e| Refusal {
            at: e.at,
            vm: name(e.vm()),
            what: e.detail.to_string(),
        })
        .collect();
    for v in vms {
        if let Some(why) = &v.enable_failure {
            out.push(Refusal {
                at: v.protection_enabled_at.unwrap_or(0),
                vm: v.name.clone(),
                what: format!("Enable protection failed: {why}"),
            });
        }
    }
    out.sort_by(|a, b| (a.at, &a.vm, &a.what).cmp(&(b.at, &b.vm, &b.what)));
    out
}

/// The [ours] modelling choices a scenario can set, with the values this run used (each
/// distinct policy's value; "a / b" when policies differ), then fixed rules of the model.
fn assumptions(sc: &Scenario) -> Vec<Assumption> {
    let mut out = Vec::new();
    let cal = &sc.calendar;
    let clock = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
    let days: Vec<&str> = crate::model::calendar::WEEKDAYS
        .iter()
        .zip(cal.work_days)
        .filter(|&(_, on)| on)
        .map(|(d, _)| *d)
        .collect();
    let mut push = |field: &str, value: String, note: &'static str| {
        out.push(Assumption {
            field: field.to_string(),
            value,
            note,
        })
    };
    push(
        "calendar.work_days / work_hours",
        format!(
            "{} {}-{}",
            days.join(","),
            clock(cal.work_start_min),
            clock(cal.work_end_min)
        ),
        "work hours drive throttles, workloads and the off-peak resync window",
    );
    let per_policy = |f: &dyn Fn(&crate::model::Policy) -> String| -> String {
        let mut vals: Vec<String> = Vec::new();
        for p in &sc.policies {
            let v = f(p);
            if !vals.contains(&v) {
                vals.push(v);
            }
        }
        if vals.is_empty() {
            "-".into()
        } else {
            vals.join(" / ")
        }
    };
    let ms = |t: Time| Millis(t).to_string();
    let rows: [(&str, String, &'static str); 10] = [
        (
            "policies.enable_job",
            per_policy(&|p| ms(p.enable_job)),
            "the sources name the job, not its length",
        ),
        (
            "policies.finalize_job",
            per_policy(&|p| ms(p.finalize_job)),
            "the sources name the merge, not its length",
        ),
        (
            "policies.retry_schedule",
            per_policy(&|p| p.retry_reading.name().to_string()),
            "back-off numbers read as waits between attempts (or offsets)",
        ),
        (
            "policies.resync_threshold / basis",
            per_policy(&|p| {
                format!(
                    "{}% of {}",
                    f64::from(p.resync_threshold_ppm) / 10_000.0,
                    p.resync_basis.keyword()
                )
            }),
            "the 50% rule compares the VM's total unless set per disk",
        ),
        (
            "policies.resync_start / resync_window",
            per_policy(&|p| {
                let window = match p.resync_window {
                    ResyncWindow::OutsideWorkHours => "outside work hours".to_string(),
                    ResyncWindow::Daily { from_min, to_min } => {
                        format!("daily {}-{}", clock(from_min), clock(to_min))
                    }
                };
                format!("{}, {window}", p.resync_start.keyword())
            }),
            "the off-peak window is the calendar's non-work time",
        ),
        (
            "policies.resync_read_rate",
            per_policy(&|p| p.resync_read_rate.to_string()),
            "checksum comparison reads both sides in parallel, then sends",
        ),
        (
            "policies.resync_block_size",
            per_policy(&|p| Bytes(p.resync_block_size).to_string()),
            "differing blocks are rounded up to whole blocks",
        ),
        (
            "policies.admin_response",
            per_policy(&|p| p.admin_response.map_or("manual".into(), ms)),
            "time until an administrator repairs a non-recoverable error",
        ),
        (
            "policies.recovery_point_retention",
            per_policy(&|p| ms(p.recovery_point_retention)),
            "Hyper-V sources keep 2 h unless set (the sources allow 0-24 h)",
        ),
        (
            "policies.compression_ratio",
            per_policy(&|p| format!("{}", p.compression_ratio)),
            "1.0: no compression (vmm-to-vmm only)",
        ),
    ];
    for (f, v, n) in rows {
        push(f, v, n);
    }
    let caps: Vec<String> = sc
        .links
        .iter()
        .map(|l| {
            format!(
                "{}: {}",
                l.name,
                l.per_vm_cap
                    .map_or_else(|| "none".to_string(), |c: ByteRate| c.to_string())
            )
        })
        .collect();
    if !caps.is_empty() {
        push(
            "links.per_vm_cap",
            caps.join(", "),
            "no per-VM cap unless set: the sources give threads, not a rate",
        );
    }
    push(
        "scenario.sample_step",
        sc.sample_step.map_or("off".into(), ms),
        "charts and percentiles over time read samples at this step",
    );
    push(
        "resync differing blocks",
        "hot * (1 - exp(-written / hot))".into(),
        "writes land uniformly in a hot region (disks.hot_region, default the used size)",
    );
    push(
        "log apply time at the target",
        "0".into(),
        "small next to transfer time",
    );
    push(
        "host volume check",
        format!("at most {} apart", Millis(60_000)),
        "an exact instant would need the inverse of a host's write sum",
    );
    push(
        "boot time at the target (default)",
        Millis(defaults::BOOT_TIME).to_string(),
        "vms.boot_time; the sources give no figure",
    );
    out
}

/// `Tue 2024-01-02 15:42:10` (the scenario's calendar).
pub(crate) fn at(sc: &Scenario, t: Time) -> String {
    sc.calendar
        .datetime(t)
        .format("%a %Y-%m-%d %H:%M:%S")
        .to_string()
}

/// A duration in whole seconds (`1h2m3s`).
pub(crate) fn dur(ms: Time) -> String {
    Millis(ms - ms % 1000).to_string()
}

/// Seconds as a duration (`-` for none).
pub(crate) fn secs(s: Option<f64>) -> String {
    match s {
        Some(s) if s.is_finite() && s >= 0.0 => dur((s * 1000.0).round() as Time),
        _ => "-".into(),
    }
}

/// A share as a percentage with one decimal.
pub(crate) fn pct(f: Option<f64>) -> String {
    f.filter(|f| f.is_finite())
        .map_or("-".into(), |f| format!("{:.1}%", f * 100.0))
}

/// The family name of VM `i`.
pub(crate) fn family_of(sc: &Scenario, i: usize) -> &str {
    sc.vm_families
        .iter()
        .find(|f| f.vms.contains(&i))
        .map_or("", |f| f.name.as_str())
}
