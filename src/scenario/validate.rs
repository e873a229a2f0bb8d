//! Validation: the raw file becomes the typed [`Scenario`] model, or a list of errors that
//! each point at a line, a column and a field, and say what is allowed.

use super::error::{line_col, ScenarioError};
use super::import::{self, Import};
use super::raw::*;
use super::select::{select_vms, VmIndex};
use crate::engine::Time;
use crate::model::calendar::{Calendar, WEEKDAYS};
use crate::model::defaults;
use crate::model::faults::{
    AdminAction, CacheFault, Degradation, ErrorTrigger, Faults, HostFault, HostFaultKind,
    HostFaultType, NonRecoverableError, RandomOutages, RepairDistribution, RepairKind,
    ScheduledAction, VmErrorFault,
};
use crate::model::workload::{BurstHours, WorkloadKind, WorkloadSpec};
use crate::model::*;
use crate::units::{parse_bytes, parse_duration, parse_rate, ByteRate, Bytes, Millis};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The longest run drsim accepts [ours: a limit on everything that can grow].
const MAX_HORIZON: Time = 366 * 86_400_000;
/// The most VMs one scenario may stamp out.
const MAX_VMS: usize = 1_000_000;

/// The copy intervals of every topology, for the error that refuses one: `30s, 5m for
/// hyperv-to-azure; ...`.
fn copy_intervals() -> String {
    let per_topology: Vec<String> = Topology::ALL
        .iter()
        .map(|&(t, word)| {
            let ms: Vec<String> = t
                .copy_intervals_ms()
                .iter()
                .map(|&ms| Millis(ms).to_string())
                .collect();
            format!("{} for {word}", ms.join(", "))
        })
        .collect();
    per_topology.join("; ")
}

/// Collects errors while validating one file.
pub(super) struct Ctx<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    pub errors: Vec<ScenarioError>,
    /// Fingerprint material of included files (traces), in the order they are read.
    pub included: Vec<u8>,
    /// What is reported without refusing the file, formatted `warning: ...`.
    pub warnings: Vec<String>,
}

impl<'a> Ctx<'a> {
    pub fn error(
        &mut self,
        span: std::ops::Range<usize>,
        field: &str,
        problem: impl Into<String>,
        allowed: Option<String>,
    ) {
        let (line, column) = line_col(self.text, span.start);
        self.errors.push(ScenarioError {
            file: self.file.to_path_buf(),
            line,
            column,
            field: field.to_string(),
            problem: problem.into(),
            allowed,
            override_arg: None,
        });
    }

    /// Parse a value with a unit parser whose messages already list what is allowed.
    fn unit<T>(
        &mut self,
        v: &Text,
        field: &str,
        parse: fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        match parse(v.get_ref()) {
            Ok(x) => Some(x),
            Err(msg) => {
                let (problem, allowed) = match msg.split_once("; allowed: ") {
                    Some((p, a)) => (p.to_string(), Some(a.to_string())),
                    None => (msg, None),
                };
                self.error(v.span(), field, problem, allowed);
                None
            }
        }
    }

    pub(super) fn duration(&mut self, v: &Text, field: &str) -> Option<Time> {
        self.unit(v, field, parse_duration).map(|m| m.0)
    }

    fn rate(&mut self, v: &Text, field: &str) -> Option<ByteRate> {
        self.unit(v, field, parse_rate)
    }

    fn bytes(&mut self, v: &Text, field: &str) -> Option<Bytes> {
        self.unit(v, field, parse_bytes)
    }

    /// A reference to a named item; may be omitted when exactly one item exists.
    pub(super) fn reference(
        &mut self,
        v: Option<&Text>,
        names: &[String],
        field: &str,
        what: &str,
        owner_span: std::ops::Range<usize>,
    ) -> Option<usize> {
        let allowed = || {
            if names.is_empty() {
                format!("none: add a [[{what}]] table first")
            } else {
                names.join(", ")
            }
        };
        match v {
            Some(v) => match names.iter().position(|n| n == v.get_ref()) {
                Some(i) => Some(i),
                None => {
                    let one = match what {
                        "policies" => "policy",
                        plural => plural.trim_end_matches('s'),
                    };
                    let problem = format!("no {one} is named \"{}\"", v.get_ref());
                    self.error(v.span(), field, problem, Some(allowed()));
                    None
                }
            },
            None if names.len() == 1 => Some(0),
            None => {
                let problem = format!(
                    "missing; name one of the {} {what} (it may be left out only when there is exactly one)",
                    names.len()
                );
                self.error(owner_span, field, problem, Some(allowed()));
                None
            }
        }
    }
}

/// A point in time: a date-time in the calendar (`2026-11-23T20:00`) or an offset from the
/// start (`6h`).
fn time_point(ctx: &mut Ctx, v: &Text, field: &str, start: Option<NaiveDateTime>) -> Option<Time> {
    if let Some(dt) = parse_datetime(v.get_ref()) {
        let start = start?;
        let ms = (dt - start).num_milliseconds();
        if ms < 0 {
            ctx.error(
                v.span(),
                field,
                format!("\"{}\" is before the scenario start {start}", v.get_ref()),
                Some("a date-time at or after scenario.start, or an offset such as \"6h\"".into()),
            );
            return None;
        }
        return Some(ms as Time);
    }
    match parse_duration(v.get_ref()) {
        Ok(m) => Some(m.0),
        Err(_) => {
            ctx.error(
                v.span(),
                field,
                format!("\"{}\" is neither a date-time nor an offset", v.get_ref()),
                Some("a date-time such as \"2026-11-23T20:00\", or an offset from the start such as \"6h\", \"1d12h\"".into()),
            );
            None
        }
    }
}

/// A point in time that must fall inside the run, `[0, horizon)`: injected faults and
/// scheduled actions (an instant at or after the horizon would never happen). `horizon` is
/// `None` when scenario.duration is itself wrong; then only the start is checked.
pub(super) fn time_in_run(
    ctx: &mut Ctx,
    v: &Text,
    field: &str,
    start: Option<NaiveDateTime>,
    horizon: Option<Time>,
) -> Option<Time> {
    let t = time_point(ctx, v, field, start)?;
    match horizon {
        Some(h) if t >= h => {
            let end = start.map_or_else(
                || "the end of the run".to_string(),
                |s| (s + chrono::Duration::milliseconds(h as i64)).to_string(),
            );
            ctx.error(
                v.span(),
                field,
                format!("\"{}\" is not before the end of the run", v.get_ref()),
                Some(format!(
                    "a point in time before {end} (scenario.start + scenario.duration), or an offset below {}",
                    Millis(h)
                )),
            );
            None
        }
        _ => Some(t),
    }
}

pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(NaiveTime::MIN))
}

pub(super) fn names<T>(
    items: &[T],
    name: impl Fn(&T) -> &Text,
    ctx: &mut Ctx,
    table: &str,
) -> Vec<String> {
    let mut seen = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let n = name(item);
        if n.get_ref().trim().is_empty() {
            ctx.error(
                n.span(),
                &format!("{table}[{i}].name"),
                "empty name",
                Some("a non-empty name".into()),
            );
        } else if let Some(first) = seen.insert(n.get_ref().clone(), i) {
            ctx.error(
                n.span(),
                &format!("{table}[{i}].name"),
                format!(
                    "\"{}\" is already the name of {table}[{first}]",
                    n.get_ref()
                ),
                Some("a name used once per table".into()),
            );
        }
    }
    items.iter().map(|t| name(t).get_ref().clone()).collect()
}

/// Validate `raw`. `base_dir` resolves relative paths (traces). All errors are collected.
pub(super) fn validate(ctx: &mut Ctx, raw: &RawScenario, base_dir: &Path) -> Option<Scenario> {
    let h = &raw.scenario;
    let topology = Topology::parse(h.topology.get_ref());
    if topology.is_none() {
        ctx.error(
            h.topology.span(),
            "scenario.topology",
            format!("unknown topology \"{}\"", h.topology.get_ref()),
            Some(Topology::listed()),
        );
    }
    let start = parse_datetime(h.start.get_ref());
    if start.is_none() {
        ctx.error(
            h.start.span(),
            "scenario.start",
            format!("\"{}\" is not a date-time", h.start.get_ref()),
            Some(
                "a local date-time such as \"2026-11-23T08:00\" or \"2026-11-23 08:00:00\"".into(),
            ),
        );
    }
    let horizon = ctx.duration(&h.duration, "scenario.duration");
    if let Some(d) = horizon {
        if d == 0 || d > MAX_HORIZON {
            ctx.error(
                h.duration.span(),
                "scenario.duration",
                format!("{} is out of range", crate::units::Millis(d)),
                Some("from 1s to 366d".into()),
            );
        }
    }
    let sample_step = match &h.sample_step {
        Some(v) if v.get_ref() == "off" => None,
        Some(v) => {
            let s = ctx.duration(v, "scenario.sample_step");
            if s == Some(0) {
                ctx.error(
                    v.span(),
                    "scenario.sample_step",
                    "a zero step",
                    Some("a duration of at least 1s, or \"off\"".into()),
                );
            }
            s
        }
        None => Some(defaults::SAMPLE_STEP),
    };
    let calendar = calendar(ctx, raw.calendar.as_ref(), start);

    let links = links(ctx, &raw.links, start);
    let policies = policies(ctx, &raw.policies, topology, start);
    if topology == Some(Topology::AzureToAzure) {
        if let Some(l) = raw.links.first() {
            ctx.error(
                l.name.span(),
                "links",
                "azure-to-azure replicates through the cache storage account; it has no links",
                Some("no [[links]] tables with topology = \"azure-to-azure\" (the policy's high_churn and cache_disk_limit set the cache's limits)".into()),
            );
        }
    }
    let sites = sites(ctx, raw, &links, &policies, topology);
    let hosts = hosts(ctx, raw, &sites, topology);
    let (profiles, mut imports) = profiles(ctx, &raw.profiles, base_dir);
    let mut vms = vms(ctx, raw, &hosts, &profiles, &mut imports, start, topology);
    super::batches::resolve(ctx, raw, &mut vms);
    for import in imports.values().flatten() {
        ctx.warnings.extend(import.unclaimed());
        if let Some(run) = horizon.filter(|&h| h > import.span) {
            ctx.warnings.push(format!(
                "warning: {}: the measurement covers {}, the run {}: its disks write nothing after {} [ours]",
                import.path.display(),
                Millis(import.span),
                Millis(run),
                Millis(import.span)
            ));
        }
    }
    let run = horizon.filter(|&d| d > 0 && d <= MAX_HORIZON);
    domains(ctx, raw, start, run);
    let faults = faults(ctx, raw, topology, &hosts, start, run);
    let failovers = super::failovers::failovers(ctx, raw, topology, &sites, start, run);

    if !ctx.errors.is_empty() {
        return None;
    }
    // Valid: every table stamped out its count of VMs, in file order.
    let mut vm_families = Vec::with_capacity(raw.vms.len());
    for v in &raw.vms {
        let first = vm_families.last().map_or(0, |f: &VmFamily| f.vms.end);
        vm_families.push(VmFamily {
            name: v.name.get_ref().clone(),
            vms: first..first + vm_count(v),
        });
    }
    let scenario = Scenario {
        name: h.name.get_ref().clone(),
        description: h.description.clone().unwrap_or_default(),
        hash: 0,
        overrides: Vec::new(),
        topology: topology?,
        calendar: calendar?,
        horizon: horizon?,
        seed: h.seed.as_ref().map_or(defaults::SEED, |s| *s.get_ref()),
        sample_step,
        links,
        policies,
        sites,
        hosts,
        vms,
        vm_families,
        faults,
        failovers,
        warnings: Vec::new(),
    };
    super::plausibility::check(ctx, raw, &profiles, &scenario);
    Some(scenario)
}

fn calendar(
    ctx: &mut Ctx,
    raw: Option<&RawCalendar>,
    start: Option<NaiveDateTime>,
) -> Option<Calendar> {
    let mut work_days = defaults::WORK_DAYS;
    let (mut work_start_min, mut work_end_min) = defaults::WORK_HOURS;
    if let Some(c) = raw {
        if let Some(days) = &c.work_days {
            work_days = [false; 7];
            for d in days.get_ref() {
                match WEEKDAYS.iter().position(|w| w.eq_ignore_ascii_case(d)) {
                    Some(i) => work_days[i] = true,
                    None => ctx.error(
                        days.span(),
                        "calendar.work_days",
                        format!("unknown day \"{d}\""),
                        Some(WEEKDAYS.join(", ")),
                    ),
                }
            }
        }
        if let Some(hours) = &c.work_hours {
            match parse_hours(hours.get_ref()) {
                Some((a, b)) => (work_start_min, work_end_min) = (a, b),
                None => ctx.error(
                    hours.span(),
                    "calendar.work_hours",
                    format!("\"{}\" is not a range of hours", hours.get_ref()),
                    Some(
                        "\"HH:MM-HH:MM\" with the start before the end, e.g. \"08:00-18:00\""
                            .into(),
                    ),
                ),
            }
        }
    }
    Some(Calendar {
        start: start?,
        work_days,
        work_start_min,
        work_end_min,
    })
}

fn parse_hours(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    let minute = |t: &str| {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
    };
    let (a, b) = (minute(a)?, minute(b)?);
    (a < b).then_some((a, b))
}

/// `"HH:MM"` as minutes of the day; `"24:00"` (1440) only when `allow_24`.
fn clock_minute(t: &str, allow_24: bool) -> Option<u32> {
    let (h, m) = t.trim().split_once(':')?;
    let digits = |x: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, 1..=2) || !digits(m, 2..=2) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    let total = h * 60 + m;
    (m < 60 && (total < 24 * 60 || (allow_24 && total == 24 * 60))).then_some(total)
}

/// A daily window `"HH:MM-HH:MM"` as minutes of the day in `0..1440` (`24:00` is midnight);
/// it wraps past midnight when the end is not after the start. `Err(true)` when start and
/// end are the same minute, `Err(false)` when it is not a window at all.
fn parse_daily_window(s: &str) -> Result<(u32, u32), bool> {
    let (a, b) = s.split_once('-').ok_or(false)?;
    let a = clock_minute(a, true).ok_or(false)? % (24 * 60);
    let b = clock_minute(b, true).ok_or(false)? % (24 * 60);
    if a == b {
        return Err(true);
    }
    Ok((a, b))
}

/// A percentage such as `"50%"` or `"37.5%"` in parts per million of the whole (100% is
/// 1,000,000), exactly: at most 4 decimals, no sign, no exponent.
fn parse_percent_ppm(s: &str) -> Option<u64> {
    let number = s.trim().strip_suffix('%')?.trim_end();
    let (int, frac) = match number.split_once('.') {
        Some((i, f)) if !f.is_empty() => (i, f),
        Some(_) => return None,
        None => (number, ""),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 12 || frac.len() > 4 || !digits(int) || !digits(frac) {
        return None;
    }
    let int: u64 = int.parse().ok()?;
    let frac: u64 = format!("{frac:0<4}").parse().ok()?;
    Some(int * 10_000 + frac)
}

fn links(ctx: &mut Ctx, raw: &[RawLink], start: Option<NaiveDateTime>) -> Vec<LinkSpec> {
    names(raw, |l| &l.name, ctx, "links");
    raw.iter()
        .enumerate()
        .map(|(i, l)| {
            let f = |n: &str| format!("links[{i}].{n}");
            let opt = |ctx: &mut Ctx, v: &Option<Text>, n: &str| {
                v.as_ref().and_then(|v| ctx.rate(v, &f(n)))
            };
            LinkSpec {
                name: l.name.get_ref().clone(),
                capacity: ctx.rate(&l.capacity, &f("capacity")).unwrap_or_default(),
                work_hours_limit: opt(ctx, &l.work_hours_limit, "work_hours_limit"),
                non_work_hours_limit: opt(ctx, &l.non_work_hours_limit, "non_work_hours_limit"),
                per_vm_cap: opt(ctx, &l.per_vm_cap, "per_vm_cap"),
                outages: outages(ctx, &l.outages, i, start),
                random_outages: l
                    .random_outages
                    .as_ref()
                    .and_then(|r| random_outages(ctx, r, i)),
                degradations: degradations(ctx, &l.degradations, i, start),
            }
        })
        .collect()
}

/// A link's outage windows, sorted; overlaps and empty windows are errors.
fn outages(
    ctx: &mut Ctx,
    raw: &[RawOutage],
    link: usize,
    start: Option<NaiveDateTime>,
) -> Vec<(Time, Time)> {
    let mut windows: Vec<(Time, Time, usize)> = Vec::new();
    for (k, o) in raw.iter().enumerate() {
        let f = |n: &str| format!("links[{link}].outages[{k}].{n}");
        let at = time_point(ctx, &o.start, &f("start"), start);
        let len = ctx.duration(&o.duration, &f("duration"));
        if len == Some(0) {
            ctx.error(
                o.duration.span(),
                &f("duration"),
                "an outage of zero length",
                Some("a duration of at least 1s".into()),
            );
        }
        if let (Some(at), Some(len)) = (at, len) {
            windows.push((at, at + len, k));
        }
    }
    let starts: Vec<&Text> = raw.iter().map(|o| &o.start).collect();
    disjoint(
        ctx,
        &mut windows,
        &starts,
        &format!("links[{link}].outages"),
        "outages that do not overlap (merge them into one)",
    );
    windows.into_iter().map(|(a, b, _)| (a, b)).collect()
}

/// Sort windows `(start, end, index in the file)` by start and report each that overlaps an
/// earlier one. `starts[index]` is where a window's start is written; `table` is its field
/// path without the index, e.g. `links[0].outages`.
fn disjoint(
    ctx: &mut Ctx,
    windows: &mut [(Time, Time, usize)],
    starts: &[&Text],
    table: &str,
    allowed: &str,
) {
    windows.sort_unstable();
    // The window reaching furthest so far: a window overlaps an earlier one iff it starts
    // before that one ends.
    let mut reach: Option<(Time, usize)> = None;
    for &(a, b, k) in windows.iter() {
        match reach {
            Some((end, first)) if a < end => ctx.error(
                starts[k].span(),
                &format!("{table}[{k}].start"),
                format!("overlaps {table}[{first}]"),
                Some(allowed.into()),
            ),
            _ => {}
        }
        if reach.is_none_or(|(end, _)| b > end) {
            reach = Some((b, k));
        }
    }
}

/// A link's random outages; `sigma` goes with (and only with) the lognormal repair.
fn random_outages(ctx: &mut Ctx, r: &RawRandomOutages, link: usize) -> Option<RandomOutages> {
    let f = |n: &str| format!("links[{link}].random_outages.{n}");
    let positive = |ctx: &mut Ctx, v: &Text, n: &str, what: &str| {
        let d = ctx.duration(v, &f(n));
        if d == Some(0) {
            ctx.error(
                v.span(),
                &f(n),
                format!("a zero {what}"),
                Some("a duration of at least 1s".into()),
            );
            return None;
        }
        d
    };
    let mtbf = positive(ctx, &r.mtbf, "mtbf", "mean time between failures");
    let mttr = positive(ctx, &r.mttr, "mttr", "mean time to repair");
    const SIGMA: &str = "a lognormal shape above 0, such as 1.0";
    let kind = match &r.repair {
        None => defaults::REPAIR,
        Some(v) => match RepairKind::parse(v.get_ref()) {
            Some(kind) => kind,
            None => {
                ctx.error(
                    v.span(),
                    &f("repair"),
                    format!("unknown repair distribution \"{}\"", v.get_ref()),
                    Some(RepairKind::one_of()),
                );
                return None;
            }
        },
    };
    let repair = match kind {
        RepairKind::Exponential => {
            if let Some(s) = &r.sigma {
                ctx.error(
                    s.span(),
                    &f("sigma"),
                    format!("does not apply to repair \"{}\"", kind.keyword()),
                    Some(format!(
                        "sigma only with repair = \"{}\"",
                        RepairKind::LogNormal.keyword()
                    )),
                );
                return None;
            }
            RepairDistribution::Exponential
        }
        RepairKind::LogNormal => match &r.sigma {
            Some(s) if *s.get_ref() > 0.0 && s.get_ref().is_finite() => {
                RepairDistribution::LogNormal {
                    sigma: *s.get_ref(),
                }
            }
            Some(s) => {
                ctx.error(
                    s.span(),
                    &f("sigma"),
                    format!("{} is out of range", s.get_ref()),
                    Some(SIGMA.into()),
                );
                return None;
            }
            None => {
                let at = r.repair.as_ref().map_or(r.mttr.span(), |v| v.span());
                ctx.error(
                    at,
                    &f("sigma"),
                    format!("missing; repair \"{}\" needs it", kind.keyword()),
                    Some(SIGMA.into()),
                );
                return None;
            }
        },
    };
    Some(RandomOutages {
        mtbf: mtbf?,
        mttr: mttr?,
        repair,
    })
}

const DEGRADED_CAPACITY: &str =
    "the share of the capacity left, a whole percent from 0% to 100%, such as \"40%\"";

/// A link's degradation windows, sorted by start; overlaps and empty windows are errors.
fn degradations(
    ctx: &mut Ctx,
    raw: &[RawDegradation],
    link: usize,
    start: Option<NaiveDateTime>,
) -> Vec<Degradation> {
    let mut windows: Vec<(Time, Time, usize)> = Vec::new();
    let mut percents = vec![0u8; raw.len()];
    for (k, d) in raw.iter().enumerate() {
        let f = |n: &str| format!("links[{link}].degradations[{k}].{n}");
        let at = time_point(ctx, &d.start, &f("start"), start);
        let len = ctx.duration(&d.duration, &f("duration"));
        if len == Some(0) {
            ctx.error(
                d.duration.span(),
                &f("duration"),
                "a degradation of zero length",
                Some("a duration of at least 1s".into()),
            );
        }
        let c = d.capacity.get_ref();
        match parse_percent_ppm(c) {
            Some(ppm) if ppm > 1_000_000 => ctx.error(
                d.capacity.span(),
                &f("capacity"),
                format!("\"{c}\" is out of range"),
                Some(DEGRADED_CAPACITY.into()),
            ),
            Some(ppm) if ppm % 10_000 != 0 => ctx.error(
                d.capacity.span(),
                &f("capacity"),
                format!("\"{c}\" is not a whole percent"),
                Some(DEGRADED_CAPACITY.into()),
            ),
            Some(ppm) => percents[k] = (ppm / 10_000) as u8,
            None => ctx.error(
                d.capacity.span(),
                &f("capacity"),
                format!("\"{c}\" is not a percentage"),
                Some(DEGRADED_CAPACITY.into()),
            ),
        }
        if let (Some(at), Some(len)) = (at, len) {
            windows.push((at, at.saturating_add(len), k));
        }
    }
    let starts: Vec<&Text> = raw.iter().map(|d| &d.start).collect();
    disjoint(
        ctx,
        &mut windows,
        &starts,
        &format!("links[{link}].degradations"),
        "degradations that do not overlap",
    );
    windows
        .into_iter()
        .map(|(start, end, k)| Degradation {
            start,
            end,
            percent: percents[k],
        })
        .collect()
}

fn policies(
    ctx: &mut Ctx,
    raw: &[RawPolicy],
    topology: Option<Topology>,
    start: Option<NaiveDateTime>,
) -> Vec<Policy> {
    names(raw, |p| &p.name, ctx, "policies");
    let mut out: Vec<Policy> = raw
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let f = |n: &str| format!("policies[{i}].{n}");
            let mut policy = default_policy(p.name.get_ref(), topology);
            if let Some(v) = &p.copy_interval {
                if let Some(ms) = ctx.duration(v, &f("copy_interval")) {
                    policy.copy_interval = ms;
                    if let Some(t) = topology {
                        if !t.copy_intervals_ms().contains(&ms) {
                            ctx.error(
                                v.span(),
                                &f("copy_interval"),
                                format!(
                                    "\"{}\" is not a copy interval {} offers{}",
                                    v.get_ref(),
                                    t.name(),
                                    if t == Topology::AzureToAzure {
                                        " (it makes a crash-consistent recovery point every 5 minutes)"
                                    } else {
                                        ""
                                    }
                                ),
                                Some(copy_intervals()),
                            );
                        }
                    }
                }
            }
            let dur = |ctx: &mut Ctx, v: &Option<Text>, n: &str, slot: &mut Time| {
                if let Some(ms) = v.as_ref().and_then(|v| ctx.duration(v, &f(n))) {
                    *slot = ms;
                }
            };
            dur(ctx, &p.target_rpo, "target_rpo", &mut policy.target_rpo);
            dur(ctx, &p.enable_job, "enable_job", &mut policy.enable_job);
            dur(
                ctx,
                &p.finalize_job,
                "finalize_job",
                &mut policy.finalize_job,
            );
            if let Some(v) = &p.retry_schedule {
                if let Some(r) = keyword(ctx, v, &f("retry_schedule"), "reading") {
                    policy.retry_reading = r;
                }
            }
            if let Some(v) = &p.initial_replication_start {
                if v.get_ref() != "immediate" {
                    policy.initial_replication_start =
                        time_point(ctx, v, &f("initial_replication_start"), start);
                }
            }
            resync_and_health(ctx, p, &f, &mut policy);
            if let Some(t) = topology {
                recovery_points_and_transfer(ctx, p, &f, t, &mut policy);
            }
            policy
        })
        .collect();
    if out.is_empty() {
        out.push(default_policy("default", topology));
    }
    out
}

/// A policy with the defaults of `topology`: [`Policy::default_named`] is Hyper-V's; an
/// azure-to-azure policy keeps its recovery points longer.
fn default_policy(name: &str, topology: Option<Topology>) -> Policy {
    let mut policy = Policy::default_named(name);
    if topology == Some(Topology::AzureToAzure) {
        policy.recovery_point_retention = defaults::RECOVERY_POINT_RETENTION_A2A;
    }
    policy
}

/// A keyword field: its value, or an error "unknown `what`" that lists the keywords.
fn keyword<K: Keyword>(ctx: &mut Ctx, v: &Text, field: &str, what: &str) -> Option<K> {
    let k = K::parse(v.get_ref());
    if k.is_none() {
        ctx.error(
            v.span(),
            field,
            format!("unknown {what} \"{}\"", v.get_ref()),
            Some(K::one_of()),
        );
    }
    k
}

const HOUR: Time = 3_600_000;

/// The recovery-point retention a topology allows, inclusive [src: 0-24 h for Hyper-V
/// sources, 1 h to 15 days for azure-to-azure].
fn retention_range(t: Topology) -> (Time, Time) {
    match t {
        Topology::HyperVToAzure | Topology::VmmToVmm => (0, 24 * HOUR),
        Topology::AzureToAzure => (HOUR, 15 * 24 * HOUR),
    }
}

/// The app-consistent snapshot frequency a topology allows, inclusive [src: 1-12 h for
/// Hyper-V sources; ours: up to 24 h for azure-to-azure].
fn app_consistent_range(t: Topology) -> (Time, Time) {
    match t {
        Topology::HyperVToAzure | Topology::VmmToVmm => (HOUR, 12 * HOUR),
        Topology::AzureToAzure => (HOUR, 24 * HOUR),
    }
}

/// Whether a field that only `wanted` takes may be set under topology `t`; if not, an error
/// saying why (`why`, e.g. "Hyper-V to Azure does not compress").
fn only_for(
    ctx: &mut Ctx,
    span: std::ops::Range<usize>,
    field: &str,
    t: Topology,
    wanted: Topology,
    why: &str,
) -> bool {
    if t == wanted {
        return true;
    }
    let name = field.rsplit('.').next().unwrap_or(field);
    ctx.error(
        span,
        field,
        format!("does not apply to topology \"{}\": {why}", t.name()),
        Some(format!(
            "{name} only with topology = \"{}\"; leave it out",
            wanted.name()
        )),
    );
    false
}

/// The recovery-point, compression and cache fields of a policy, whose defaults and ranges
/// depend on the topology.
fn recovery_points_and_transfer(
    ctx: &mut Ctx,
    p: &RawPolicy,
    f: &dyn Fn(&str) -> String,
    t: Topology,
    policy: &mut Policy,
) {
    if let Some(v) = &p.recovery_point_retention {
        let (low, high) = retention_range(t);
        match ctx.duration(v, &f("recovery_point_retention")) {
            Some(ms) if (low..=high).contains(&ms) => policy.recovery_point_retention = ms,
            Some(_) => ctx.error(
                v.span(),
                &f("recovery_point_retention"),
                format!("\"{}\" is out of range for {}", v.get_ref(), t.name()),
                Some(format!(
                    "from {} to {} for {} (default {})",
                    Millis(low),
                    Millis(high),
                    t.name(),
                    Millis(default_policy("", Some(t)).recovery_point_retention)
                )),
            ),
            None => {}
        }
    }
    if let Some(v) = &p.app_consistent_frequency {
        let (low, high) = app_consistent_range(t);
        let allowed = || {
            Some(format!(
                "from {} to {} for {}, or \"off\" (the default)",
                Millis(low),
                Millis(high),
                t.name()
            ))
        };
        let text = v.get_ref().trim();
        if text == "off" || text == "0" {
            policy.app_consistent_every = None;
        } else {
            match parse_duration(text) {
                Ok(Millis(0)) => policy.app_consistent_every = None,
                Ok(Millis(ms)) if (low..=high).contains(&ms) => {
                    policy.app_consistent_every = Some(ms);
                }
                Ok(_) => ctx.error(
                    v.span(),
                    &f("app_consistent_frequency"),
                    format!("\"{}\" is out of range for {}", v.get_ref(), t.name()),
                    allowed(),
                ),
                Err(_) => ctx.error(
                    v.span(),
                    &f("app_consistent_frequency"),
                    format!("\"{}\" is neither a duration nor \"off\"", v.get_ref()),
                    allowed(),
                ),
            }
        }
    }
    if let Some(v) = &p.compression_ratio {
        let why = match t {
            Topology::AzureToAzure => "Azure to Azure replication does not compress",
            _ => "Hyper-V to Azure does not compress",
        };
        let field = f("compression_ratio");
        if only_for(ctx, v.span(), &field, t, Topology::VmmToVmm, why) {
            let r = *v.get_ref();
            if r.is_finite() && r >= 1.0 {
                policy.compression_ratio = r;
            } else {
                ctx.error(
                    v.span(),
                    &field,
                    format!("{r} is out of range"),
                    Some("a ratio of at least 1.0 (logical bytes per byte sent), such as 1.5; 1.0 (the default) is no compression".into()),
                );
            }
        }
    }
    const CACHE: &str = "only azure-to-azure replicates through a cache storage account";
    if let Some(v) = &p.high_churn {
        let field = f("high_churn");
        if only_for(ctx, v.span(), &field, t, Topology::AzureToAzure, CACHE) && *v.get_ref() {
            policy.cache = CacheLimits::HIGH_CHURN;
        }
    }
    if let Some(v) = &p.cache_disk_limit {
        let field = f("cache_disk_limit");
        if only_for(ctx, v.span(), &field, t, Topology::AzureToAzure, CACHE) {
            match ctx.rate(v, &field) {
                Some(ByteRate(0)) => ctx.error(
                    v.span(),
                    &field,
                    "a zero cache limit",
                    Some("a rate above zero, such as \"20 MB/s\"".into()),
                ),
                Some(r) => policy.cache.per_disk = r,
                None => {}
            }
        }
    }
    if let Some(v) = &p.processing_delay {
        let field = f("processing_delay");
        if only_for(ctx, v.span(), &field, t, Topology::AzureToAzure, CACHE) {
            match ctx.duration(v, &field) {
                Some(ms) if ms <= PROCESSING_DELAY_MAX => policy.processing_delay = ms,
                Some(_) => ctx.error(
                    v.span(),
                    &field,
                    format!("\"{}\" is out of range", v.get_ref()),
                    Some(PROCESSING_DELAY.into()),
                ),
                None => {}
            }
        }
    }
}

/// Up to the 2 hours azure-to-azure keeps every point: a point is processed before it can be
/// thinned away.
const PROCESSING_DELAY_MAX: Time = 2 * 3_600_000;
const PROCESSING_DELAY: &str =
    "a duration from 0s to 2h (every point is kept for 2 h), such as \"5m\" (the default)";

const RESYNC_THRESHOLD: &str =
    "a share of the virtual size from 1% to 100%, such as \"50%\" or \"37.5%\" (up to 4 decimals)";
const RESYNC_DAILY_WINDOW: &str = "\"HH:MM-HH:MM\" every day, wrapping past midnight when the end is not after the start (e.g. \"18:00-08:00\")";

/// The resynchronization and health-monitoring fields of a policy.
fn resync_and_health(
    ctx: &mut Ctx,
    p: &RawPolicy,
    f: &dyn Fn(&str) -> String,
    policy: &mut Policy,
) {
    if let Some(v) = &p.resync_threshold {
        let t = v.get_ref();
        match parse_percent_ppm(t) {
            Some(ppm) if (10_000..=1_000_000).contains(&ppm) => {
                policy.resync_threshold_ppm = ppm as u32;
            }
            Some(_) => ctx.error(
                v.span(),
                &f("resync_threshold"),
                format!("\"{t}\" is out of range"),
                Some(RESYNC_THRESHOLD.into()),
            ),
            None => ctx.error(
                v.span(),
                &f("resync_threshold"),
                format!("\"{t}\" is not a percentage"),
                Some(RESYNC_THRESHOLD.into()),
            ),
        }
    }
    if let Some(v) = &p.resync_basis {
        if let Some(b) = keyword(ctx, v, &f("resync_basis"), "basis") {
            policy.resync_basis = b;
        }
    }
    if let Some(v) = &p.resync_threshold_during_ir {
        policy.resync_threshold_during_ir = *v.get_ref();
    }
    if let Some(v) = &p.resync_start {
        if let Some(s) = keyword(ctx, v, &f("resync_start"), "start") {
            policy.resync_start = s;
        }
    }
    if let Some(v) = &p.resync_window {
        let w = v.get_ref();
        if let Some(window) = ResyncWindow::parse(w) {
            policy.resync_window = window;
        } else {
            match parse_daily_window(w) {
                Ok((from_min, to_min)) => {
                    policy.resync_window = ResyncWindow::Daily { from_min, to_min };
                }
                Err(same) => ctx.error(
                    v.span(),
                    &f("resync_window"),
                    if same {
                        format!("\"{w}\" starts and ends at the same time")
                    } else {
                        format!("\"{w}\" is not a daily window")
                    },
                    Some(format!(
                        "{RESYNC_DAILY_WINDOW}, or {}",
                        ResyncWindow::one_of()
                    )),
                ),
            }
        }
    }
    if let Some(v) = &p.resync_read_rate {
        match ctx.rate(v, &f("resync_read_rate")) {
            Some(ByteRate(0)) => ctx.error(
                v.span(),
                &f("resync_read_rate"),
                "a zero read rate",
                Some("a rate above zero, such as \"200 MB/s\"".into()),
            ),
            Some(r) => policy.resync_read_rate = r,
            None => {}
        }
    }
    if let Some(v) = &p.resync_block_size {
        match ctx.bytes(v, &f("resync_block_size")) {
            Some(Bytes(b)) if (4 << 10..=1 << 30).contains(&b) => policy.resync_block_size = b,
            Some(_) => ctx.error(
                v.span(),
                &f("resync_block_size"),
                format!("\"{}\" is out of range", v.get_ref()),
                Some("from 4 KiB to 1 GiB".into()),
            ),
            None => {}
        }
    }
    if let Some(v) = &p.admin_response {
        if v.get_ref() == "manual" {
            policy.admin_response = None;
        } else {
            match ctx.duration(v, &f("admin_response")) {
                Some(0) => ctx.error(
                    v.span(),
                    &f("admin_response"),
                    "a zero response time",
                    Some("a duration above zero, such as \"4h\", or \"manual\" (only a scheduled repair action repairs)".into()),
                ),
                Some(ms) => policy.admin_response = Some(ms),
                None => {}
            }
        }
    }
    if let Some(v) = &p.health_interval {
        match ctx.duration(v, &f("health_interval")) {
            Some(ms) if (3_600_000..=7 * 86_400_000).contains(&ms) => policy.health_interval = ms,
            Some(_) => ctx.error(
                v.span(),
                &f("health_interval"),
                format!("\"{}\" is out of range", v.get_ref()),
                Some("from 1h to 7d".into()),
            ),
            None => {}
        }
    }
    if let Some(v) = &p.health_interval_start {
        match clock_minute(v.get_ref(), false) {
            Some(min) => policy.health_interval_start_min = min,
            None => ctx.error(
                v.span(),
                &f("health_interval_start"),
                format!("\"{}\" is not a time of day", v.get_ref()),
                Some("\"HH:MM\" from 00:00 to 23:59, such as \"09:00\"".into()),
            ),
        }
    }
}

const NO_LINK: &str =
    "azure-to-azure replicates through the cache storage account; a site has no link";

fn sites(
    ctx: &mut Ctx,
    raw: &RawScenario,
    links: &[LinkSpec],
    policies: &[Policy],
    topology: Option<Topology>,
) -> Vec<Site> {
    let link_names: Vec<String> = links.iter().map(|l| l.name.clone()).collect();
    let policy_names: Vec<String> = policies.iter().map(|p| p.name.clone()).collect();
    let a2a = topology == Some(Topology::AzureToAzure);
    names(&raw.sites, |s| &s.name, ctx, "sites");
    if raw.sites.is_empty() {
        ctx.error(
            0..0,
            "sites",
            "no [[sites]] table",
            Some(if a2a {
                "at least one site (the source region)".into()
            } else {
                "at least one site with a link".into()
            }),
        );
    }
    raw.sites
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let f = |n: &str| format!("sites[{i}].{n}");
            let link = match (&s.link, a2a) {
                (Some(l), true) => {
                    ctx.error(
                        l.span(),
                        &f("link"),
                        NO_LINK,
                        Some("no link on an azure-to-azure site; leave it out".into()),
                    );
                    None
                }
                (None, true) => None,
                (l, false) => ctx
                    .reference(l.as_ref(), &link_names, &f("link"), "links", s.name.span())
                    .or(Some(0)),
            };
            Site {
                name: s.name.get_ref().clone(),
                link,
                policy: ctx
                    .reference(
                        s.policy.as_ref(),
                        &policy_names,
                        &f("policy"),
                        "policies",
                        s.name.span(),
                    )
                    .unwrap_or(0),
                orchestration: orchestration(ctx, s.orchestration.as_ref(), &f, topology),
                network_mappings: network_mappings(ctx, s, &f),
            }
        })
        .collect()
}

/// Where a site's replication is orchestrated: chosen only for hyperv-to-azure.
fn orchestration(
    ctx: &mut Ctx,
    v: Option<&Text>,
    f: &dyn Fn(&str) -> String,
    topology: Option<Topology>,
) -> Orchestration {
    let fixed = match topology {
        Some(Topology::VmmToVmm) => Some((Orchestration::Vmm, "its sites are VMM clouds")),
        Some(Topology::AzureToAzure) => Some((
            Orchestration::MobilityService,
            "it uses the Mobility service extension on each VM",
        )),
        Some(Topology::HyperVToAzure) | None => None,
    };
    match (v, fixed) {
        (None, Some((o, _))) => o,
        (None, None) => defaults::ORCHESTRATION,
        (Some(v), Some((o, why))) => {
            if let Some(t) = topology {
                only_for(
                    ctx,
                    v.span(),
                    &f("orchestration"),
                    t,
                    Topology::HyperVToAzure,
                    why,
                );
            }
            o
        }
        (Some(v), None) => {
            keyword(ctx, v, &f("orchestration"), "orchestration").unwrap_or(defaults::ORCHESTRATION)
        }
    }
}

/// A site's network mappings, sorted by source network; names must not be empty.
fn network_mappings(
    ctx: &mut Ctx,
    s: &RawSite,
    f: &dyn Fn(&str) -> String,
) -> Vec<(String, String)> {
    const MAPPING: &str = "an inline table of source network = \"target network\", both non-empty, such as { corp = \"vnet-prod\" }";
    let Some(m) = &s.network_mappings else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (source, target) in m.get_ref() {
        let field = f(&format!("network_mappings.{}", source.get_ref()));
        if source.get_ref().trim().is_empty() {
            ctx.error(
                source.span(),
                &field,
                "an empty source network name",
                Some(MAPPING.into()),
            );
        } else if target.get_ref().trim().is_empty() {
            ctx.error(
                target.span(),
                &field,
                format!("an empty target network for \"{}\"", source.get_ref()),
                Some(MAPPING.into()),
            );
        } else {
            out.push((source.get_ref().clone(), target.get_ref().clone()));
        }
    }
    out
}

fn hosts(
    ctx: &mut Ctx,
    raw: &RawScenario,
    sites: &[Site],
    topology: Option<Topology>,
) -> Vec<Host> {
    let site_names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
    names(&raw.hosts, |h| &h.name, ctx, "hosts");
    raw.hosts
        .iter()
        .enumerate()
        .map(|(i, h)| Host {
            name: h.name.get_ref().clone(),
            site: ctx
                .reference(
                    h.site.as_ref(),
                    &site_names,
                    &format!("hosts[{i}].site"),
                    "sites",
                    h.name.span(),
                )
                .unwrap_or(0),
            volume_free: h
                .volume_free
                .as_ref()
                .and_then(|v| ctx.bytes(v, &format!("hosts[{i}].volume_free"))),
            parallel_transfers: super::slots::parallel_transfers(ctx, h, i, topology),
        })
        .collect()
}

/// The fields a workload kind needs, and those it may take besides.
fn profile_fields(kind: WorkloadKind) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        WorkloadKind::Constant => (&["rate"], &[]),
        WorkloadKind::OfficeHours => (&["peak", "base"], &[]),
        WorkloadKind::Bursts => (
            &["base", "burst_rate", "mean_gap", "burst_size_median"],
            &["burst_size_sigma", "hours"],
        ),
        WorkloadKind::Sum => (&["parts"], &[]),
        WorkloadKind::Trace | WorkloadKind::Perfmon | WorkloadKind::DiskBytes => (&["file"], &[]),
    }
}

/// Every workload kind with its fields, for the unknown-kind error.
fn profile_kinds() -> String {
    let kinds: Vec<String> = WorkloadKind::ALL
        .iter()
        .map(|&(kind, word)| {
            let (wanted, optional) = profile_fields(kind);
            format!("{word} ({})", [wanted, optional].concat().join(", "))
        })
        .collect();
    kinds.join(", ")
}

/// The profiles: workloads, and imported churn files (one trace per disk, resolved per VM).
fn profiles(
    ctx: &mut Ctx,
    raw: &[RawProfile],
    base_dir: &Path,
) -> (
    BTreeMap<String, WorkloadSpec>,
    BTreeMap<String, Option<Import>>,
) {
    names(raw, |p| &p.name, ctx, "profiles");
    let mut out = BTreeMap::new();
    let mut imports = BTreeMap::new();
    let mut sums = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let f = |n: &str| format!("profiles[{i}].{n}");
        let fields: [(&str, bool); 10] = [
            ("rate", p.rate.is_some()),
            ("peak", p.peak.is_some()),
            ("base", p.base.is_some()),
            ("burst_rate", p.burst_rate.is_some()),
            ("mean_gap", p.mean_gap.is_some()),
            ("burst_size_median", p.burst_size_median.is_some()),
            ("burst_size_sigma", p.burst_size_sigma.is_some()),
            ("hours", p.hours.is_some()),
            ("parts", p.parts.is_some()),
            ("file", p.file.is_some()),
        ];
        let Some(workload) = WorkloadKind::parse(p.kind.get_ref()) else {
            ctx.error(
                p.kind.span(),
                &f("kind"),
                format!("unknown workload kind \"{}\"", p.kind.get_ref()),
                Some(profile_kinds()),
            );
            continue;
        };
        let (wanted, optional) = profile_fields(workload);
        let kind = workload.keyword();
        let mut ok = true;
        for (name, present) in fields {
            let applies = wanted.contains(&name) || optional.contains(&name);
            if present && !applies {
                ok = false;
                ctx.error(
                    p.kind.span(),
                    &f(name),
                    format!("does not apply to kind \"{kind}\""),
                    Some(format!(
                        "for {kind}: {}",
                        [wanted, optional].concat().join(", ")
                    )),
                );
            }
            if !present && wanted.contains(&name) {
                ok = false;
                ctx.error(
                    p.name.span(),
                    &f(name),
                    format!("missing; kind \"{kind}\" needs it"),
                    Some(format!(
                        "for {kind}: {}",
                        [wanted, optional].concat().join(", ")
                    )),
                );
            }
        }
        if !ok {
            continue;
        }
        let format = match workload {
            WorkloadKind::Perfmon => Some(import::Format::Perfmon),
            WorkloadKind::DiskBytes => Some(import::Format::DiskBytes),
            _ => None,
        };
        if let Some(format) = format {
            let file = p.file.as_ref().expect("checked present");
            // A file that fails is reported once, here: `None` keeps the disks that use it
            // from repeating the error.
            let read = super::trace::read_included(ctx, file, &f("file"), base_dir, kind);
            let import = read.and_then(|(path, bytes)| {
                import::parse(&path, &bytes, format, &mut ctx.warnings)
                    .map_err(|e| ctx.errors.push(*e))
                    .ok()
            });
            imports.insert(p.name.get_ref().clone(), import);
            continue;
        }
        if workload == WorkloadKind::Sum {
            // Once every other profile is known: a part may be defined further down.
            sums.push(i);
            continue;
        }
        let spec = profile_spec(ctx, p, workload, &f, base_dir);
        if let Some(spec) = spec {
            out.insert(p.name.get_ref().clone(), spec);
        }
    }
    let kinds: BTreeMap<&str, &str> = raw
        .iter()
        .map(|p| (p.name.get_ref().as_str(), p.kind.get_ref().as_str()))
        .collect();
    let mut resolved = Vec::new();
    for i in sums {
        let p = &raw[i];
        let field = format!("profiles[{i}].parts");
        if let Some(spec) = super::sums::sum_profile(ctx, p, &field, &out, &imports, &kinds) {
            resolved.push((p.name.get_ref().clone(), spec));
        }
    }
    out.extend(resolved);
    // A profile with an error of its own is reported once: the disks that use it, like
    // those of a failed import, add no "no profile named" error.
    for p in raw {
        let name = p.name.get_ref();
        if !out.contains_key(name) && !imports.contains_key(name) {
            imports.insert(name.clone(), None);
        }
    }
    (out, imports)
}

/// The workload of a profile whose fields were checked against its kind.
fn profile_spec(
    ctx: &mut Ctx,
    p: &RawProfile,
    kind: WorkloadKind,
    f: &dyn Fn(&str) -> String,
    base_dir: &Path,
) -> Option<WorkloadSpec> {
    fn req(v: &Option<Text>) -> &Text {
        v.as_ref().expect("checked present")
    }
    match kind {
        WorkloadKind::Constant => ctx
            .rate(req(&p.rate), &f("rate"))
            .map(|rate| WorkloadSpec::Constant { rate }),
        WorkloadKind::OfficeHours => {
            let peak = ctx.rate(req(&p.peak), &f("peak"));
            let base = ctx.rate(req(&p.base), &f("base"));
            Some(WorkloadSpec::OfficeHours {
                peak: peak?,
                base: base?,
            })
        }
        WorkloadKind::Bursts => {
            let base = ctx.rate(req(&p.base), &f("base"));
            let burst_rate = ctx.rate(req(&p.burst_rate), &f("burst_rate"));
            let mean_gap = ctx.duration(req(&p.mean_gap), &f("mean_gap"));
            let median = ctx.bytes(req(&p.burst_size_median), &f("burst_size_median"));
            let sigma = p
                .burst_size_sigma
                .as_ref()
                .map_or(defaults::BURST_SIZE_SIGMA, |s| *s.get_ref());
            if !(0.0..=5.0).contains(&sigma) {
                let span = p
                    .burst_size_sigma
                    .as_ref()
                    .map_or(p.name.span(), |s| s.span());
                ctx.error(
                    span,
                    &f("burst_size_sigma"),
                    format!("{sigma} is out of range"),
                    Some(format!(
                        "a lognormal shape from 0.0 to 5.0 (default {:.1})",
                        defaults::BURST_SIZE_SIGMA
                    )),
                );
            }
            if burst_rate == Some(ByteRate(0)) {
                ctx.error(
                    req(&p.burst_rate).span(),
                    &f("burst_rate"),
                    "a burst needs a rate above zero",
                    Some("a rate such as \"50 MB/s\"".into()),
                );
            }
            if mean_gap == Some(0) {
                ctx.error(
                    req(&p.mean_gap).span(),
                    &f("mean_gap"),
                    "a zero mean gap",
                    Some("a duration of at least 1ms".into()),
                );
            }
            let hours = match &p.hours {
                Some(h) => keyword::<BurstHours>(ctx, h, &f("hours"), "hours"),
                None => Some(defaults::BURST_HOURS),
            };
            Some(WorkloadSpec::Bursts {
                hours: hours?,
                base: base?,
                burst_rate: burst_rate?,
                mean_gap_ms: mean_gap?,
                size_median_bytes: median?.0,
                size_sigma: sigma,
            })
        }
        WorkloadKind::Trace => {
            super::trace::load(ctx, req(&p.file), &f("file"), base_dir).map(|points| {
                WorkloadSpec::Trace {
                    points: Arc::from(points),
                }
            })
        }
        // Resolved per disk, in `vms`; sums once every other profile is known.
        WorkloadKind::Perfmon | WorkloadKind::DiskBytes | WorkloadKind::Sum => None,
    }
}

/// A disk's `hot_region`: bytes, or a percentage of the disk's `size` (rounded down to a
/// byte); above zero and at most the size. `size` is `None` when it is itself wrong.
fn hot_region(ctx: &mut Ctx, v: &Text, field: &str, size: Option<Bytes>) -> Option<Bytes> {
    let allowed = |size: Option<Bytes>| {
        let most = size.map_or_else(|| "the disk's size".to_string(), |s| s.to_string());
        Some(format!(
            "above zero and at most {most}: a size, or a percentage of the disk's size such as \"25%\""
        ))
    };
    let h = if v.get_ref().trim_end().ends_with('%') {
        let Some(ppm) = parse_percent_ppm(v.get_ref()) else {
            ctx.error(
                v.span(),
                field,
                format!("\"{}\" is not a percentage", v.get_ref()),
                allowed(size),
            );
            return None;
        };
        let size = size?;
        let h = u128::from(size.0) * u128::from(ppm) / 1_000_000;
        if h > u128::from(size.0) {
            ctx.error(
                v.span(),
                field,
                format!("\"{}\" is more than the disk's size", v.get_ref()),
                allowed(Some(size)),
            );
            return None;
        }
        Bytes(h as u64)
    } else {
        let h = ctx.bytes(v, field)?;
        if let Some(s) = size.filter(|&s| h > s) {
            ctx.error(
                v.span(),
                field,
                format!("{h} hot region is more than the disk's size {s}"),
                allowed(Some(s)),
            );
            return None;
        }
        h
    };
    if h == Bytes(0) {
        ctx.error(v.span(), field, "an empty hot region", allowed(size));
        return None;
    }
    Some(h)
}

/// A `churn` value: a profile name, or a rate meaning a constant workload.
/// A disk's churn: a workload, or a column of an imported file found per VM.
#[derive(Clone)]
enum Churn {
    Spec(WorkloadSpec),
    /// The profile's name, and where the churn and its field are written.
    Import(String, Text, String),
}

fn churn(
    ctx: &mut Ctx,
    v: &Text,
    field: &str,
    profiles: &BTreeMap<String, WorkloadSpec>,
    imports: &BTreeMap<String, Option<Import>>,
) -> Option<Churn> {
    if let Some(spec) = profiles.get(v.get_ref()) {
        return Some(Churn::Spec(spec.clone()));
    }
    if let Some(import) = imports.get(v.get_ref()) {
        // A file that failed has its error already.
        import.as_ref()?;
        return Some(Churn::Import(
            v.get_ref().clone(),
            v.clone(),
            field.to_string(),
        ));
    }
    if let Ok(rate) = parse_rate(v.get_ref()) {
        return Some(Churn::Spec(WorkloadSpec::Constant { rate }));
    }
    if looks_like_path(v.get_ref()) {
        ctx.error(
            v.span(),
            field,
            format!(
                "\"{}\" looks like a file path; churn names a profile or gives a rate, not a file",
                v.get_ref()
            ),
            Some(format!(
                "a [[profiles]] table with kind = \"trace\" and file = \"{}\" (relative to the scenario file), and churn = its name",
                v.get_ref()
            )),
        );
        return None;
    }
    let mut names: Vec<&str> = profiles
        .keys()
        .chain(imports.keys())
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    ctx.error(
        v.span(),
        field,
        format!("\"{}\" is neither a profile name nor a rate", v.get_ref()),
        Some(if names.is_empty() {
            "a constant rate such as \"2 MB/s\" (no [[profiles]] are defined)".to_string()
        } else {
            format!(
                "a profile name ({}) or a constant rate such as \"2 MB/s\"",
                names.join(", ")
            )
        }),
    );
    None
}

/// Whether a churn value that is neither a profile nor a rate was meant as a trace file: it
/// names a `.csv` file, or holds a path separator without being a rate gone wrong (a rate
/// starts with its number, as in "2 MB/sec").
fn looks_like_path(v: &str) -> bool {
    let v = v.trim();
    let csv = v.to_ascii_lowercase().ends_with(".csv");
    let separator = v.contains(['/', '\\']) && !v.starts_with(|c: char| c.is_ascii_digit());
    csv || separator
}

fn vms(
    ctx: &mut Ctx,
    raw: &RawScenario,
    hosts: &[Host],
    profiles: &BTreeMap<String, WorkloadSpec>,
    imports: &mut BTreeMap<String, Option<Import>>,
    start: Option<NaiveDateTime>,
    topology: Option<Topology>,
) -> Vec<VmSpec> {
    let host_names: Vec<String> = hosts.iter().map(|h| h.name.clone()).collect();
    vm_table_names(ctx, &raw.vms);
    let stamped = stamped_names_by_table(&raw.vms);
    if raw.vms.is_empty() {
        ctx.error(
            0..0,
            "vms",
            "no [[vms]] table",
            Some("at least one VM".into()),
        );
    }
    let mut out = Vec::new();
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    for (i, v) in raw.vms.iter().enumerate() {
        let f = |n: &str| format!("vms[{i}].{n}");
        let host = ctx.reference(
            v.host.as_ref(),
            &host_names,
            &f("host"),
            "hosts",
            v.name.span(),
        );
        let generation = v
            .generation
            .as_ref()
            .map_or(defaults::GENERATION, |g| *g.get_ref());
        if !(1..=2).contains(&generation) {
            let span = v.generation.as_ref().expect("set").span();
            ctx.error(
                span,
                &f("generation"),
                format!("generation {generation}"),
                Some("1 or 2".into()),
            );
        }
        let protect_at = v
            .protect_at
            .as_ref()
            .map_or(Some(defaults::PROTECT_AT), |p| {
                time_point(ctx, p, &f("protect_at"), start)
            });
        let protected_at_start = v.protected_at_start.unwrap_or(defaults::PROTECTED_AT_START);
        if let (true, Some(p)) = (protected_at_start, &v.protect_at) {
            ctx.error(
                p.span(),
                &f("protect_at"),
                "does not apply to a VM protected at the start",
                Some("either protect_at or protected_at_start = true".into()),
            );
        }
        let tick = |ctx: &mut Ctx, t: &Option<Text>, n: &str| match t {
            Some(t) if !protected_at_start => {
                ctx.error(
                    t.span(),
                    &f(n),
                    "applies only to a VM protected at the start",
                    Some("set protected_at_start = true, or leave it out".into()),
                );
                None
            }
            Some(t) => ctx.duration(t, &f(n)),
            None => None,
        };
        let first_tick = tick(ctx, &v.first_tick, "first_tick");
        let first_tick_step =
            tick(ctx, &v.first_tick_step, "first_tick_step").unwrap_or(defaults::FIRST_TICK_STEP);
        let boot_time = v.boot_time.as_ref().map_or(Some(defaults::BOOT_TIME), |b| {
            ctx.duration(b, &f("boot_time"))
        });
        let prepare_default = match topology {
            Some(Topology::VmmToVmm) => defaults::PREPARE_TIME_VMM,
            _ => defaults::PREPARE_TIME,
        };
        let prepare_time = v.prepare_time.as_ref().map_or(Some(prepare_default), |p| {
            ctx.duration(p, &f("prepare_time"))
        });
        let shutdown_time = v
            .shutdown_time
            .as_ref()
            .map_or(Some(defaults::SHUTDOWN_TIME), |p| {
                ctx.duration(p, &f("shutdown_time"))
            });
        super::select::tags(ctx, v, &f("tags"));
        let network = v.network.as_ref().and_then(|n| {
            if n.get_ref().trim().is_empty() {
                ctx.error(
                    n.span(),
                    &f("network"),
                    "an empty network name",
                    Some("the name of a VM network, such as \"corp\", or leave it out".into()),
                );
                return None;
            }
            Some(n.get_ref().clone())
        });
        let high_churn = match (&v.high_churn, topology) {
            (Some(h), Some(t)) => {
                const CACHE: &str =
                    "only azure-to-azure replicates through a cache storage account";
                only_for(
                    ctx,
                    h.span(),
                    &f("high_churn"),
                    t,
                    Topology::AzureToAzure,
                    CACHE,
                )
                .then_some(*h.get_ref())
            }
            _ => None,
        };
        let vm_churn = v
            .churn
            .as_ref()
            .and_then(|c| churn(ctx, c, &f("churn"), profiles, imports));
        let mut disks = Vec::new();
        // Disks whose churn is imported: (index, name, profile, churn as written, field).
        let mut imported: Vec<(usize, Option<String>, String, Text, String)> = Vec::new();
        for (d, disk) in v.disks.get_ref().iter().enumerate() {
            let fd = |n: &str| format!("vms[{i}].disks[{d}].{n}");
            let size = ctx.bytes(&disk.size, &fd("size"));
            let used = disk
                .used
                .as_ref()
                .map_or(size, |u| ctx.bytes(u, &fd("used")));
            if let (Some(s), Some(u), Some(us)) = (size, used, disk.used.as_ref()) {
                if u > s {
                    ctx.error(
                        us.span(),
                        &fd("used"),
                        format!("{u} used is more than the disk's size {s}"),
                        Some(format!("at most {s}")),
                    );
                }
            }
            let hot_region = match &disk.hot_region {
                Some(h) => hot_region(ctx, h, &fd("hot_region"), size),
                None => used,
            };
            let disk_name = disk.name.as_ref().and_then(|n| {
                if n.get_ref().trim().is_empty() {
                    ctx.error(
                        n.span(),
                        &fd("name"),
                        "an empty disk name",
                        Some(
                            "a word of the disk's VHD file name, such as \"data\", or leave it out"
                                .into(),
                        ),
                    );
                    return None;
                }
                Some(n.get_ref().trim().to_string())
            });
            let workload = match &disk.churn {
                Some(c) => churn(ctx, c, &fd("churn"), profiles, imports),
                None if v.churn.is_some() => vm_churn.clone(),
                None => {
                    ctx.error(
                        disk.size.span(),
                        &fd("churn"),
                        "no write workload: set churn on the disk or on its VM",
                        Some("a profile name or a constant rate such as \"2 MB/s\" (\"0 MB/s\" for an idle disk)".into()),
                    );
                    None
                }
            };
            let workload = match workload {
                Some(Churn::Import(profile, text, field)) => {
                    imported.push((d, disk_name, profile, text, field));
                    // Replaced per stamped VM below.
                    Some(WorkloadSpec::Constant { rate: ByteRate(0) })
                }
                Some(Churn::Spec(spec)) => Some(spec),
                None => None,
            };
            if let (Some(size), Some(used), Some(workload), Some(hot_region)) =
                (size, used, workload, hot_region)
            {
                disks.push(DiskSpec {
                    size,
                    used,
                    shared: disk
                        .shared
                        .as_ref()
                        .map_or(defaults::SHARED_DISK, |s| *s.get_ref()),
                    workload,
                    hot_region,
                });
            }
        }
        if v.disks.get_ref().is_empty() {
            ctx.error(
                v.disks.span(),
                &f("disks"),
                "a VM needs at least one disk",
                Some("a list such as [{ size = \"127 GiB\", used = \"60 GiB\" }]".into()),
            );
        }
        let count = vm_count(v);
        if count == 0 || out.len() + count > MAX_VMS {
            let span = v.count.as_ref().map_or(v.name.span(), |c| c.span());
            ctx.error(
                span,
                &f("count"),
                format!("{count} VMs"),
                Some(format!("1 to {MAX_VMS} VMs in all")),
            );
            continue;
        }
        let (
            Some(host),
            Some(protect_at),
            Some(boot_time),
            Some(prepare_time),
            Some(shutdown_time),
        ) = (host, protect_at, boot_time, prepare_time, shutdown_time)
        else {
            continue;
        };
        if stamped[i].len() != count {
            continue; // past MAX_VMS: an earlier table's error says why
        }
        for k in 1..=count {
            let first_tick = first_tick.map(|t| t + (k as Time - 1) * first_tick_step);
            let name = stamped[i][k - 1].clone();
            if let Some(first) = taken.insert(name.clone(), i) {
                if first != i {
                    ctx.error(
                        v.name.span(),
                        &f("name"),
                        format!("the VM name \"{name}\" is also made by vms[{first}]"),
                        Some("names unique after numbering (name-01, name-02, ...)".into()),
                    );
                }
            }
            let disks = imported_disks(ctx, &name, &disks, &imported, imports);
            out.push(VmSpec {
                name,
                host,
                generation,
                protect_at,
                protected_at_start,
                protect_after: None,
                batch: None,
                first_tick,
                boot_time,
                prepare_time,
                shutdown_time,
                network: network.clone(),
                high_churn,
                disks,
            });
        }
    }
    out
}

/// `disks` of the VM `vm`, with the imported churn of each disk in `imported` found in its
/// file; a disk that matches no series, or several, or one another disk took, is an error at
/// its churn.
fn imported_disks(
    ctx: &mut Ctx,
    vm: &str,
    disks: &[DiskSpec],
    imported: &[(usize, Option<String>, String, Text, String)],
    imports: &mut BTreeMap<String, Option<Import>>,
) -> Vec<DiskSpec> {
    let mut out = disks.to_vec();
    for (d, disk_name, profile, text, field) in imported {
        let Some(Some(import)) = imports.get_mut(profile) else {
            continue; // churn checked the name and that the file loaded
        };
        let what = match disk_name {
            Some(n) => format!("VM \"{vm}\" disk {d} (\"{n}\")"),
            None => format!("VM \"{vm}\" disk {d}"),
        };
        let file = import.path.display().to_string();
        match import.find(vm, disk_name.as_deref(), *d) {
            import::Match::One(i) => {
                if let Some((other, od)) = &import.claimed[i] {
                    let problem = format!(
                        "{what} matches \"{}\" of {file}, which VM \"{other}\" disk {od} already takes",
                        import.series[i].label
                    );
                    let allowed = import.rule();
                    ctx.error(text.span(), field, problem, Some(allowed));
                    continue;
                }
                import.claimed[i] = Some((vm.to_string(), *d));
                if let Some(disk) = out.get_mut(*d) {
                    disk.workload = WorkloadSpec::Trace {
                        points: import.series[i].points.clone(),
                    };
                }
            }
            import::Match::None => {
                let problem = format!("{what} matches no series of {file}");
                let allowed = import.rule();
                ctx.error(text.span(), field, problem, Some(allowed));
            }
            import::Match::Many(hits) => {
                let problem = format!(
                    "{what} matches {} series of {file}: {}",
                    hits.len(),
                    import.labels(hits.iter().copied())
                );
                let allowed = format!(
                    "one series per disk: give the disk a `name` that picks one; {}",
                    import.rule()
                );
                ctx.error(text.span(), field, problem, Some(allowed));
            }
        }
    }
    out
}

/// How many VMs a `[[vms]]` table stamps out.
pub(super) fn vm_count(v: &RawVm) -> usize {
    v.count
        .as_ref()
        .map_or(defaults::VM_COUNT, |c| *c.get_ref()) as usize
}

/// Every VM name after stamping, per table, in model order: what VM selectors name. A table
/// with `count` stamps `name-01`, `name-02`, ...; tables that share a name (each with
/// `count`) number on, the second from the first's last number + 1, all with as many digits
/// as the last number of the name needs (at least two). Taken from the file rather than from
/// the validated VMs, so that a VM with an error of its own does not also make every
/// reference to it an error. A table whose count is wrong, or past [`MAX_VMS`], has none.
pub(super) fn stamped_names_by_table(raw: &[RawVm]) -> Vec<Vec<String>> {
    // Per table its first number; per name the last number so far.
    let mut last: BTreeMap<&str, usize> = BTreeMap::new();
    let mut firsts = Vec::with_capacity(raw.len());
    let mut total = 0;
    for v in raw {
        let count = vm_count(v);
        if count == 0 || total + count > MAX_VMS {
            firsts.push(None);
            continue;
        }
        total += count;
        let end = last.entry(v.name.get_ref()).or_insert(0);
        firsts.push(Some(*end + 1));
        *end += count;
    }
    raw.iter()
        .zip(firsts)
        .map(|(v, first)| {
            let Some(first) = first else {
                return Vec::new();
            };
            let name = v.name.get_ref();
            if v.count.is_none() {
                return vec![name.clone()];
            }
            let width = last[name.as_str()].to_string().len().max(2);
            (first..first + vm_count(v))
                .map(|k| format!("{name}-{k:0width$}"))
                .collect()
        })
        .collect()
}

/// The names of the `[[vms]]` tables: not empty, and used once unless every table of the name
/// has `count` (then their numbering continues).
fn vm_table_names(ctx: &mut Ctx, raw: &[RawVm]) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, v) in raw.iter().enumerate() {
        let n = v.name.get_ref();
        if n.trim().is_empty() {
            ctx.error(
                v.name.span(),
                &format!("vms[{i}].name"),
                "empty name",
                Some("a non-empty name".into()),
            );
        } else if let Some(&first) = seen.get(n.as_str()) {
            if v.count.is_none() || raw[first].count.is_none() {
                ctx.error(
                    v.name.span(),
                    &format!("vms[{i}].name"),
                    format!("\"{n}\" is already the name of vms[{first}]"),
                    Some("a name used once per table, or on tables that all set count (their numbering continues)".into()),
                );
            }
        } else {
            seen.insert(n, i);
        }
    }
}

/// The fields of the error kinds (a VM, and `at` or `probability`).
const ERROR_FIELDS: &[&str] = &["vm", "at", "probability"];
const PROBABILITY: &str =
    "exactly one of at (a point in time) or probability (per log transfer, above 0 and at most 1)";

/// The `kind` of a `[[faults]]` table: a non-recoverable error of a VM, a host fault, or
/// (azure-to-azure) an outage or throttling of the VMs' cache storage account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaultKind {
    Error(NonRecoverableError),
    Host(HostFaultType),
    CacheOutage,
}

const CACHE_OUTAGE: &str = "cache-outage";

impl FaultKind {
    fn parse(word: &str) -> Option<FaultKind> {
        NonRecoverableError::parse(word)
            .map(FaultKind::Error)
            .or_else(|| HostFaultType::parse(word).map(FaultKind::Host))
            .or((word == CACHE_OUTAGE).then_some(FaultKind::CacheOutage))
    }

    /// Every kind with its keyword: the errors, then the host faults.
    fn all() -> impl Iterator<Item = (FaultKind, &'static str)> {
        let errors = NonRecoverableError::ALL
            .iter()
            .map(|&(e, word)| (FaultKind::Error(e), word));
        let hosts = HostFaultType::ALL
            .iter()
            .map(|&(h, word)| (FaultKind::Host(h), word));
        errors
            .chain(hosts)
            .chain([(FaultKind::CacheOutage, CACHE_OUTAGE)])
    }

    /// The fields the kind takes.
    fn fields(self) -> &'static [&'static str] {
        match self {
            FaultKind::Error(_) => ERROR_FIELDS,
            FaultKind::Host(HostFaultType::LowMemory) => &["host", "start", "duration"],
            FaultKind::Host(HostFaultType::VolumeFull) => &["host", "at", "duration"],
            FaultKind::CacheOutage => &["vm", "start", "duration", "rate"],
            FaultKind::Host(HostFaultType::Crash) => &["host", "at", "mtbf", "restart"],
        }
    }

    /// The kind's fields as the errors word them.
    fn usage(self) -> String {
        match self {
            FaultKind::Error(_) => "vm, and at or probability".to_string(),
            FaultKind::Host(HostFaultType::VolumeFull) => "host, at, optional duration".to_string(),
            FaultKind::CacheOutage => "vm, start, duration, optional rate".to_string(),
            FaultKind::Host(HostFaultType::Crash) => {
                "host, at or mtbf, optional restart".to_string()
            }
            FaultKind::Host(_) => self.fields().join(", "),
        }
    }
}

/// Every fault kind with its fields, for the unknown-kind error.
fn fault_kinds() -> String {
    let usage = FaultKind::Error(NonRecoverableError::BrokenVhdChain).usage();
    let mut out = format!("{} ({usage})", NonRecoverableError::listed());
    for (kind, word) in FaultKind::all().filter(|(k, _)| !matches!(k, FaultKind::Error(_))) {
        out += &format!("; {word} ({})", kind.usage());
    }
    out
}

/// The fault kinds that take `field`.
fn kinds_taking(field: &str) -> String {
    let kinds: Vec<&str> = FaultKind::all()
        .filter(|(k, _)| k.fields().contains(&field))
        .map(|(_, word)| word)
        .collect();
    kinds.join(", ")
}

/// Injected faults and scheduled administrator actions, in file order. `horizon` is `None`
/// when scenario.duration is wrong.
fn faults(
    ctx: &mut Ctx,
    raw: &RawScenario,
    topology: Option<Topology>,
    hosts: &[Host],
    start: Option<NaiveDateTime>,
    horizon: Option<Time>,
) -> Faults {
    let mut out = Faults::default();
    if raw.faults.is_empty() && raw.actions.is_empty() {
        return out;
    }
    let vms = VmIndex::new(&raw.vms);
    let host_names: Vec<String> = hosts.iter().map(|h| h.name.clone()).collect();
    for (i, fault) in raw.faults.iter().enumerate() {
        let f = |n: &str| format!("faults[{i}].{n}");
        let kind = fault.kind.get_ref().as_str();
        let Some(fault_kind) = FaultKind::parse(kind) else {
            ctx.error(
                fault.kind.span(),
                &f("kind"),
                format!("unknown fault kind \"{kind}\""),
                Some(fault_kinds()),
            );
            continue;
        };
        let takes = fault_kind.fields();
        let span = |v: &Option<Text>| v.as_ref().map(|v| v.span());
        let fields = [
            ("vm", span(&fault.vm)),
            ("host", span(&fault.host)),
            ("at", span(&fault.at)),
            ("probability", fault.probability.as_ref().map(|p| p.span())),
            ("start", span(&fault.start)),
            ("duration", span(&fault.duration)),
            ("rate", span(&fault.rate)),
            ("mtbf", span(&fault.mtbf)),
            ("restart", span(&fault.restart)),
        ];
        let usage = Some(format!("for {kind}: {}", fault_kind.usage()));
        let mut ok = true;
        for (name, at) in &fields {
            let Some(at) = at else { continue };
            if !takes.contains(name) {
                ok = false;
                ctx.error(
                    at.clone(),
                    &f(name),
                    format!(
                        "does not apply to kind \"{kind}\"; {name} is for {}",
                        kinds_taking(name)
                    ),
                    usage.clone(),
                );
            }
        }
        let (error, host_fault) = match fault_kind {
            FaultKind::Error(e) => (Some(e), None),
            FaultKind::Host(h) => (None, Some(h)),
            FaultKind::CacheOutage => (None, None),
        };
        // An error fault needs `vm` and one of `at` and `probability`; a host fault every field
        // (but a volume-full fault's duration: none means an instant); a cache outage all
        // but `rate` (none: nothing gets through).
        let required: &[&str] = if error.is_some() { &["vm"] } else { takes };
        let optional = |name: &str| match host_fault {
            Some(HostFaultType::VolumeFull) => name == "duration",
            // at or mtbf: checked with the crash's other fields.
            Some(HostFaultType::Crash) => name != "host",
            _ => name == "rate" && fault_kind == FaultKind::CacheOutage,
        };
        for (name, at) in &fields {
            if at.is_none() && required.contains(name) && !optional(name) {
                ok = false;
                ctx.error(
                    fault.kind.span(),
                    &f(name),
                    format!("missing; kind \"{kind}\" needs it"),
                    usage.clone(),
                );
            }
        }
        if error.is_some() {
            match (&fault.at, &fault.probability) {
                (None, None) => {
                    ok = false;
                    ctx.error(
                        fault.kind.span(),
                        &f("at"),
                        format!("missing; kind \"{kind}\" needs at or probability"),
                        Some(PROBABILITY.into()),
                    );
                }
                (Some(_), Some(p)) => {
                    ok = false;
                    ctx.error(
                        p.span(),
                        &f("probability"),
                        "set together with at",
                        Some(PROBABILITY.into()),
                    );
                }
                _ => {}
            }
        }
        if !ok {
            continue;
        }
        fn req(v: &Option<Text>) -> &Text {
            v.as_ref().expect("checked present")
        }
        if let Some(error) = error {
            let selected = select_vms(ctx, &vms, req(&fault.vm), &f("vm"));
            let trigger = match (&fault.at, &fault.probability) {
                (Some(at), _) => {
                    time_in_run(ctx, at, &f("at"), start, horizon).map(ErrorTrigger::At)
                }
                (None, Some(p)) => {
                    let p_val = *p.get_ref();
                    if p_val > 0.0 && p_val <= 1.0 {
                        Some(ErrorTrigger::PerTransfer(p_val))
                    } else {
                        ctx.error(
                            p.span(),
                            &f("probability"),
                            format!("{p_val} is out of range"),
                            Some("a probability per log transfer above 0 and at most 1, such as 0.01".into()),
                        );
                        None
                    }
                }
                (None, None) => unreachable!("checked above"),
            };
            if let Some(trigger) = trigger {
                // One fault per VM selected, in file order.
                for vm in selected {
                    out.vm_errors.push(VmErrorFault { vm, error, trigger });
                }
            }
            continue;
        }
        if fault_kind == FaultKind::CacheOutage {
            if let Some(fault) = cache_outage(ctx, &vms, fault, &f, topology, start, horizon) {
                out.cache.extend(fault);
            }
            continue;
        }
        let host_field = req(&fault.host);
        let host = ctx.reference(
            Some(host_field),
            &host_names,
            &f("host"),
            "hosts",
            host_field.span(),
        );
        let kind = match host_fault.expect("not an error kind") {
            HostFaultType::LowMemory => {
                let from = time_in_run(ctx, req(&fault.start), &f("start"), start, horizon);
                let d = req(&fault.duration);
                let len = ctx.duration(d, &f("duration"));
                if len == Some(0) {
                    ctx.error(
                        d.span(),
                        &f("duration"),
                        "a low-memory spell of zero length",
                        Some("a duration of at least 1s".into()),
                    );
                }
                match (from, len) {
                    (Some(from), Some(len)) if len > 0 => Some(HostFaultKind::LowMemory {
                        start: from,
                        end: from.saturating_add(len),
                    }),
                    _ => None,
                }
            }
            HostFaultType::VolumeFull => {
                let at = time_in_run(ctx, req(&fault.at), &f("at"), start, horizon);
                // Without a duration the volume is full for an instant: the logs written then
                // fail, and the space their VMs drop frees it.
                let len = match &fault.duration {
                    None => Some(0),
                    Some(d) => match ctx.duration(d, &f("duration")) {
                        Some(0) => {
                            ctx.error(
                                d.span(),
                                &f("duration"),
                                "a full-volume spell of zero length",
                                Some("a duration of at least 1s, or none for an instant".into()),
                            );
                            None
                        }
                        len => len,
                    },
                };
                match (at, len) {
                    (Some(at), Some(len)) => Some(HostFaultKind::VolumeFull {
                        at,
                        until: at.saturating_add(len),
                    }),
                    _ => None,
                }
            }
            HostFaultType::Crash => super::crash::host_crash(ctx, fault, i, start, horizon),
        };
        if let (Some(host), Some(kind)) = (host, kind) {
            out.hosts.push(HostFault { host, kind });
        }
    }
    for (i, a) in raw.actions.iter().enumerate() {
        let f = |n: &str| format!("actions[{i}].{n}");
        let at = time_in_run(ctx, &a.at, &f("at"), start, horizon);
        let selected = select_vms(ctx, &vms, &a.vm, &f("vm"));
        let action = AdminAction::parse(a.action.get_ref());
        if action.is_none() {
            ctx.error(
                a.action.span(),
                &f("action"),
                format!("unknown action \"{}\"", a.action.get_ref()),
                Some(AdminAction::listed()),
            );
        }
        if let (Some(at), Some(action)) = (at, action) {
            for vm in selected {
                out.actions.push(ScheduledAction { at, vm, action });
            }
        }
    }
    out
}

/// A `cache-outage` fault (its fields are present): one per VM selected, in file order.
fn cache_outage(
    ctx: &mut Ctx,
    vms: &VmIndex,
    fault: &RawFault,
    f: &dyn Fn(&str) -> String,
    topology: Option<Topology>,
    start: Option<NaiveDateTime>,
    horizon: Option<Time>,
) -> Option<Vec<CacheFault>> {
    let req = |v: &Option<Text>| v.clone().expect("checked present");
    let (kind, vm) = (&fault.kind, req(&fault.vm));
    if let Some(t) = topology.filter(|&t| t != Topology::AzureToAzure) {
        ctx.error(
            kind.span(),
            &f("kind"),
            format!("\"{CACHE_OUTAGE}\" does not apply to topology \"{}\": only azure-to-azure replicates through a cache storage account", t.name()),
            Some(format!("{CACHE_OUTAGE} only with topology = \"azure-to-azure\"")),
        );
        return None;
    }
    let selected = select_vms(ctx, vms, &vm, &f("vm"));
    let from = time_in_run(ctx, &req(&fault.start), &f("start"), start, horizon);
    let d = req(&fault.duration);
    let len = ctx.duration(&d, &f("duration"));
    if len == Some(0) {
        ctx.error(
            d.span(),
            &f("duration"),
            "a cache outage of zero length",
            Some("a duration of at least 1s".into()),
        );
    }
    let rate = match &fault.rate {
        None => Some(None),
        Some(r) => match ctx.rate(r, &f("rate")) {
            Some(ByteRate(0)) => {
                ctx.error(
                    r.span(),
                    &f("rate"),
                    "a zero rate",
                    Some("a rate above zero for a throttling window, such as \"5 MB/s\"; leave it out for an outage".into()),
                );
                None
            }
            other => other.map(Some),
        },
    };
    match (from, len, rate) {
        (Some(from), Some(len), Some(rate)) if len > 0 => Some(
            selected
                .into_iter()
                .map(|vm| CacheFault {
                    vm,
                    start: from,
                    end: from.saturating_add(len),
                    rate,
                })
                .collect(),
        ),
        _ => None,
    }
}

/// Where a scenario file lives; relative trace paths resolve against it.
pub fn base_dir(file: &Path) -> PathBuf {
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Domain checks on values that parse but make no sense (issue 15 point 3): zero where a
/// zero cannot work, names left empty, days listed twice, times the run never reaches. Each
/// value is read quietly here: a value that does not parse was reported where it is read.
///
/// At or after the end of the run: an outage or a degradation is an error, as a fault is (the
/// trouble the scenario was written to show would never happen); an initial replication
/// start or a protect_at is a warning (the VM stays unprotected for the whole run, which the
/// results show, and a shorter `scenario.duration` in a sweep should not refuse the file).
fn domains(ctx: &mut Ctx, raw: &RawScenario, start: Option<NaiveDateTime>, run: Option<Time>) {
    if raw.scenario.name.get_ref().trim().is_empty() {
        ctx.error(
            raw.scenario.name.span(),
            "scenario.name",
            "empty name",
            Some("a non-empty name (it heads every report)".into()),
        );
    }
    if let Some(days) = raw.calendar.as_ref().and_then(|c| c.work_days.as_ref()) {
        let mut seen: Vec<String> = Vec::new();
        for d in days.get_ref() {
            let d = d.to_ascii_lowercase();
            if seen.contains(&d) && WEEKDAYS.iter().any(|w| w.eq_ignore_ascii_case(&d)) {
                ctx.error(
                    days.span(),
                    "calendar.work_days",
                    format!("\"{d}\" is listed twice"),
                    Some(
                        "each day at most once, e.g. [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]"
                            .into(),
                    ),
                );
            }
            seen.push(d);
        }
    }
    let zero_rate = |ctx: &mut Ctx, v: &Option<Text>, field: String, what: &str| {
        if let Some(v) = v {
            if parse_rate(v.get_ref()).is_ok_and(|r| r.0 == 0) {
                ctx.error(
                    v.span(),
                    &field,
                    format!("a zero rate: {what}"),
                    Some("a rate above zero, e.g. \"100 Mbps\"".into()),
                );
            }
        }
    };
    for (i, l) in raw.links.iter().enumerate() {
        let f = |n: &str| format!("links[{i}].{n}");
        let cap = Some(l.capacity.clone());
        zero_rate(
            ctx,
            &cap,
            f("capacity"),
            "the link would never carry a byte",
        );
        zero_rate(
            ctx,
            &l.per_vm_cap,
            f("per_vm_cap"),
            "no VM could send a byte",
        );
        zero_rate(
            ctx,
            &l.work_hours_limit,
            f("work_hours_limit"),
            "nothing would replicate in work hours",
        );
        zero_rate(
            ctx,
            &l.non_work_hours_limit,
            f("non_work_hours_limit"),
            "nothing would replicate outside work hours",
        );
        let windows = l
            .outages
            .iter()
            .map(|o| (&o.start, "outages", "outage"))
            .enumerate()
            .chain(
                l.degradations
                    .iter()
                    .map(|d| (&d.start, "degradations", "degradation"))
                    .enumerate(),
            );
        for (k, (at, table, what)) in windows {
            if let (Some(t), Some(h)) = (quiet_time(at, start), run) {
                if t >= h {
                    ctx.error(
                        at.span(),
                        &format!("links[{i}].{table}[{k}].start"),
                        format!("\"{}\" is not before the end of the run: the {what} would never happen", at.get_ref()),
                        Some(before_end(start, h)),
                    );
                }
            }
        }
    }
    for (i, p) in raw.policies.iter().enumerate() {
        if let Some(v) = &p.target_rpo {
            if parse_duration(v.get_ref()).is_ok_and(|d| d.0 == 0) {
                ctx.error(
                    v.span(),
                    &format!("policies[{i}].target_rpo"),
                    "a zero target: no recovery point is ever zero seconds old",
                    Some("a duration above zero, e.g. \"15m\"".into()),
                );
            }
        }
        if let Some(v) = &p.initial_replication_start {
            late(
                ctx,
                v,
                &format!("policies[{i}].initial_replication_start"),
                start,
                run,
                "no VM of this policy starts initial replication in the run",
            );
        }
    }
    for (i, v) in raw.vms.iter().enumerate() {
        if let Some(at) = &v.protect_at {
            late(
                ctx,
                at,
                &format!("vms[{i}].protect_at"),
                start,
                run,
                "the VM is never protected in the run",
            );
        }
        for (k, d) in v.disks.get_ref().iter().enumerate() {
            if parse_bytes(d.size.get_ref()).is_ok_and(|b| b.0 == 0) {
                ctx.error(
                    d.size.span(),
                    &format!("vms[{i}].disks[{k}].size"),
                    "a disk of zero size",
                    Some("a size above zero, e.g. \"127 GiB\"".into()),
                );
            }
        }
    }
}

/// A warning, not an error, for a start the run never reaches.
fn late(
    ctx: &mut Ctx,
    v: &Text,
    field: &str,
    start: Option<NaiveDateTime>,
    run: Option<Time>,
    what: &str,
) {
    if let (Some(t), Some(h)) = (quiet_time(v, start), run) {
        if t >= h {
            let (line, column) = line_col(ctx.text, v.span().start);
            ctx.warnings.push(format!(
                "warning: {}:{line}:{column}: {field}: \"{}\" is not before the end of the run ({}): {what}",
                ctx.file.display(),
                v.get_ref(),
                Millis(h)
            ));
        }
    }
}

/// The `allowed` text for a point in time that must fall before the end of the run.
fn before_end(start: Option<NaiveDateTime>, h: Time) -> String {
    let end = start.map_or_else(
        || "the end of the run".to_string(),
        |s| (s + chrono::Duration::milliseconds(h as i64)).to_string(),
    );
    format!(
        "a point in time before {end} (scenario.start + scenario.duration), or an offset below {}",
        Millis(h)
    )
}

/// [`time_point`] without reporting: `None` for a value that does not parse (reported where it
/// is read) or for "immediate".
fn quiet_time(v: &Text, start: Option<NaiveDateTime>) -> Option<Time> {
    match parse_datetime(v.get_ref()) {
        Some(dt) => u64::try_from((dt - start?).num_milliseconds()).ok(),
        None => parse_duration(v.get_ref()).ok().map(|m| m.0),
    }
}
