//! Churn measured on real hosts, imported per disk from one file for many VMs:
//!
//! - `perfmon`: a Windows performance-counter CSV as typeperf and relog write it
//!   (`PDH-CSV 4.0`): the first header cell is `(PDH-CSV 4.0) (<time zone>)(<bias>)`, the
//!   others are counter paths; each row is a time stamp (`11/23/2026 08:00:00.000`,
//!   month/day/year) then one value per counter, blank (or `" "`) where a sample is missing.
//!   The columns used are `\\HOST\Hyper-V Virtual Storage Device(<VHD path>)\Write Bytes/sec`.
//! - `disk-bytes`: a tidy CSV with the header `time,vm,disk,bytes`: the bytes a disk wrote in
//!   the interval that ends at `time` (a local date-time, or seconds since the first row).
//!
//! Both read the same way: a time stamp ends the interval that began at the previous time
//! stamp, as a PDH rate counter is computed from two raw samples and belongs to the later one
//! [src: PDH; ours for disk-bytes]. The first time stamp starts the measurement and is time 0
//! of the replay, which starts at the scenario's start whatever the file's date [ours]; its
//! own values end no interval and are not replayed (reported). Each interval's rate holds
//! over the interval (bytes / interval for disk-bytes); after the last time stamp the disk
//! writes nothing [ours]. A missing sample holds the previous measured rate of its column
//! (zero before the first) [ours], and the count is reported. Every disk becomes a `trace`
//! workload ([`WorkloadSpec::Trace`](crate::model::workload::WorkloadSpec)): the same replay.
//!
//! Matching [ours]: a perfmon column belongs to a disk when its instance name (the VHD path,
//! `\` written `-`) contains the VM's name and the disk's `name` as whole words (not
//! preceded or followed by a letter or digit), ignoring case; a disk without a name needs
//! the VM's name alone to pick one column. A disk-bytes series belongs to a disk when `vm`
//! equals the VM's name and `disk` the disk's `name` or its index (`0`: the OS disk),
//! ignoring case. No column, two columns, or a column taken by two disks is an error at the
//! disk's `churn`; a column no disk takes is a warning.

use super::error::ScenarioError;
use super::validate::parse_datetime;
use crate::engine::Time;
use crate::units::{ByteRate, Millis};
use chrono::NaiveDateTime;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The most samples (time stamps times series used) one file may hold [ours: a limit on
/// everything that can grow; the same as a trace's rows].
pub(super) const MAX_SAMPLES: usize = 10_000_000;
/// The most columns one perfmon file may hold [ours].
const MAX_COLUMNS: usize = 100_000;
/// How many names a list in an error or a warning shows.
const SHOWN: usize = 5;

const PDH_OBJECT: &str = "Hyper-V Virtual Storage Device";
const PDH_COUNTER: &str = "Write Bytes/sec";
const PDH_FORM: &str = "a typeperf or relog CSV: first header cell \"(PDH-CSV 4.0) (<time zone>)(<bias>)\", then counters such as \"\\\\HV-HOST01\\Hyper-V Virtual Storage Device(D:-VMs-sql01-sql01_data.vhdx)\\Write Bytes/sec\"";
const PDH_TIME: &str = "a PDH time stamp such as \"11/23/2026 08:00:00.000\" (month/day/year)";
const TIDY_FORM: &str =
    "a header `time,vm,disk,bytes` (bytes written in the interval ending at time)";
const TIDY_TIME: &str = "a local date-time such as \"2026-11-23T08:05:00\", or seconds since the first row, the same form in every row";

/// Which file format a profile imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Perfmon,
    DiskBytes,
}

/// One disk's measured series.
#[derive(Debug)]
pub(super) struct Series {
    /// perfmon: the instance name (VHD path); disk-bytes: the `vm` and `disk` cells.
    key: (String, String),
    /// How errors and warnings name it.
    pub label: String,
    /// Where it is named in the file (line, column).
    at: (usize, usize),
    pub points: Arc<[(Time, ByteRate)]>,
}

/// A loaded import file: its series, and which disk took each.
#[derive(Debug)]
pub(super) struct Import {
    pub path: PathBuf,
    pub format: Format,
    pub series: Vec<Series>,
    /// From the first to the last time stamp.
    pub span: Time,
    /// The disk (VM name, index) that took each series.
    pub claimed: Vec<Option<(String, usize)>>,
}

/// Which series a disk matches.
pub(super) enum Match {
    One(usize),
    None,
    Many(Vec<usize>),
}

impl Import {
    /// The series of VM `vm`'s disk `index`, named `name` if it has a name.
    pub fn find(&self, vm: &str, name: Option<&str>, index: usize) -> Match {
        let hits: Vec<usize> = (0..self.series.len())
            .filter(|&i| {
                let (a, b) = &self.series[i].key;
                match self.format {
                    Format::Perfmon => {
                        contains_word(a, vm) && name.is_none_or(|n| contains_word(a, n))
                    }
                    Format::DiskBytes => {
                        a.eq_ignore_ascii_case(vm)
                            && (name.is_some_and(|n| b.eq_ignore_ascii_case(n))
                                || *b == index.to_string())
                    }
                }
            })
            .collect();
        match hits.as_slice() {
            [] => Match::None,
            [one] => Match::One(*one),
            _ => Match::Many(hits),
        }
    }

    /// The labels of `which`, quoted, at most [`SHOWN`] of them.
    pub fn labels(&self, which: impl Iterator<Item = usize>) -> String {
        let all: Vec<String> = which
            .map(|i| format!("\"{}\"", self.series[i].label))
            .collect();
        shown(&all)
    }

    /// What the "allowed" text of a matching error says.
    pub fn rule(&self) -> String {
        let rule = match self.format {
            Format::Perfmon => "a Write Bytes/sec column whose instance name contains the VM's name and the disk's name as whole words, ignoring case (a disk without a name: the VM's name alone must pick one column)",
            Format::DiskBytes => "rows whose vm is the VM's name and whose disk is the disk's name or its index (0 for the OS disk), ignoring case",
        };
        format!(
            "{rule}; {} has {}",
            self.path.display(),
            self.labels(0..self.series.len())
        )
    }

    /// Warnings for the series no disk took.
    pub fn unclaimed(&self) -> Vec<String> {
        self.series
            .iter()
            .zip(&self.claimed)
            .filter(|(_, c)| c.is_none())
            .map(|(s, _)| {
                warning(
                    &self.path,
                    s.at,
                    &s.label,
                    "no disk of the scenario takes this series; its writes are not simulated",
                )
            })
            .collect()
    }
}

/// `word` occurs in `hay` not preceded or followed by an ASCII letter or digit, ignoring case.
fn contains_word(hay: &str, word: &str) -> bool {
    let (h, w) = (hay.as_bytes(), word.as_bytes());
    if w.is_empty() || w.len() > h.len() {
        return false;
    }
    (0..=h.len() - w.len()).any(|s| {
        let e = s + w.len();
        h[s..e].eq_ignore_ascii_case(w)
            && (s == 0 || !h[s - 1].is_ascii_alphanumeric())
            && (e == h.len() || !h[e].is_ascii_alphanumeric())
    })
}

fn shown(all: &[String]) -> String {
    let mut out = all[..all.len().min(SHOWN)].join(", ");
    if all.len() > SHOWN {
        out += &format!(" and {} more", all.len() - SHOWN);
    }
    out
}

fn warning(path: &Path, (line, column): (usize, usize), field: &str, problem: &str) -> String {
    let e = ScenarioError {
        file: path.to_path_buf(),
        line,
        column,
        field: field.to_string(),
        problem: problem.to_string(),
        allowed: None,
        override_arg: None,
    };
    format!("warning: {e}")
}

fn fail(
    path: &Path,
    line: usize,
    column: usize,
    field: &str,
    problem: String,
    allowed: &str,
) -> Box<ScenarioError> {
    Box::new(ScenarioError {
        file: path.to_path_buf(),
        line,
        column,
        field: field.to_string(),
        problem,
        allowed: Some(allowed.to_string()),
        override_arg: None,
    })
}

/// One series being built: a point per interval.
struct Builder {
    points: Vec<(Time, ByteRate)>,
    /// The last measured rate, which a missing sample holds.
    last: ByteRate,
    missing: usize,
}

/// The samples of every series at each time stamp, turned into trace points.
struct Samples {
    /// Time stamps, in ms since the first.
    times: Vec<Time>,
    builders: Vec<Builder>,
    /// Series with a value at the first time stamp (not replayed).
    at_first: Vec<usize>,
}

impl Samples {
    fn new(n: usize) -> Self {
        let builders = (0..n)
            .map(|_| Builder {
                points: Vec::new(),
                last: ByteRate(0),
                missing: 0,
            })
            .collect();
        Samples {
            times: Vec::new(),
            builders,
            at_first: Vec::new(),
        }
    }

    /// The sample of series `i` at the latest time stamp: `None` when missing.
    fn sample(&mut self, i: usize, rate: Option<ByteRate>, nonzero: bool) {
        let k = self.times.len() - 1;
        if k == 0 {
            if nonzero {
                self.at_first.push(i);
            }
            return;
        }
        let b = &mut self.builders[i];
        let rate = match rate {
            Some(r) => {
                b.last = r;
                r
            }
            None => {
                b.missing += 1;
                b.last
            }
        };
        b.points.push((self.times[k - 1], rate));
    }
}

/// Parse an import file already read; `warnings` gets what is reported but not refused.
pub(super) fn parse(
    path: &Path,
    bytes: &[u8],
    format: Format,
    warnings: &mut Vec<String>,
) -> Result<Import, Box<ScenarioError>> {
    let (labels, samples) = match format {
        Format::Perfmon => perfmon(path, bytes, warnings)?,
        Format::DiskBytes => disk_bytes(path, bytes)?,
    };
    let Samples {
        times,
        builders,
        at_first,
    } = samples;
    if times.len() < 2 {
        return Err(fail(
            path,
            2 + times.len(),
            1,
            "row",
            format!("{} time stamps", times.len()),
            "at least two: the first starts the measurement, each later one ends an interval",
        ));
    }
    let span = *times.last().expect("two");
    if !at_first.is_empty() {
        let names: Vec<String> = at_first
            .iter()
            .map(|&i| format!("\"{}\"", labels[i].0))
            .collect();
        warnings.push(warning(
            path,
            (2, 1),
            "time",
            &format!(
                "values at the first time stamp end an interval before the measurement starts and are not replayed: {}",
                shown(&names)
            ),
        ));
    }
    let missing: Vec<String> = builders
        .iter()
        .zip(&labels)
        .filter(|(b, _)| b.missing > 0)
        .map(|(b, l)| format!("\"{}\" ({})", l.0, b.missing))
        .collect();
    if !missing.is_empty() {
        warnings.push(warning(
            path,
            (2, 1),
            "row",
            &format!(
                "missing samples hold the previous sample's rate: {}",
                shown(&missing)
            ),
        ));
    }
    let series: Vec<Series> = builders
        .into_iter()
        .zip(labels)
        .map(|(mut b, (label, key, at))| {
            // After the last time stamp nothing was measured: nothing is written.
            b.points.push((span, ByteRate(0)));
            Series {
                key,
                label,
                at,
                points: Arc::from(b.points),
            }
        })
        .collect();
    Ok(Import {
        path: path.to_path_buf(),
        format,
        claimed: vec![None; series.len()],
        series,
        span,
    })
}

/// (label, match key, where it is named) per series.
type Labels = Vec<(String, (String, String), (usize, usize))>;

/// `\\HOST\Object(Instance)\Counter` as (object, instance, counter).
fn counter_path(cell: &str) -> Option<(&str, &str, &str)> {
    let rest = cell.strip_prefix("\\\\")?;
    let (_host, rest) = rest.split_once('\\')?;
    let (object, counter) = rest.rsplit_once('\\')?;
    let (object, instance) = match object.split_once('(') {
        Some((o, i)) => (o, i.strip_suffix(')')?),
        None => (object, ""),
    };
    Some((object, instance, counter))
}

/// The 1-based line a record starts on, counted from its byte offset (the reader's own line
/// count is not relied upon across line terminators).
fn line_of(bytes: &[u8], r: &csv::StringRecord) -> usize {
    let mut at = r
        .position()
        .map_or(0, |p| p.byte() as usize)
        .min(bytes.len());
    // After a CRLF row the next record's position can be its predecessor's `\n`.
    while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
        at += 1;
    }
    bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

fn unreadable(path: &Path, e: csv::Error, allowed: &str) -> Box<ScenarioError> {
    let line = e.position().map_or(1, |p| p.line() as usize);
    fail(
        path,
        line,
        1,
        "row",
        format!("unreadable CSV: {e}"),
        allowed,
    )
}

fn perfmon(
    path: &Path,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Result<(Labels, Samples), Box<ScenarioError>> {
    let mut reader = reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(unreadable(path, e, PDH_FORM)),
        None => return Err(fail(path, 1, 1, "header", "an empty file".into(), PDH_FORM)),
    };
    if !header.get(0).unwrap_or("").starts_with("(PDH-CSV 4.0)") {
        return Err(fail(
            path,
            1,
            1,
            "header",
            format!(
                "\"{}\" is not a PDH-CSV 4.0 header",
                header.get(0).unwrap_or("")
            ),
            PDH_FORM,
        ));
    }
    if header.len() > MAX_COLUMNS {
        return Err(fail(
            path,
            1,
            1,
            "header",
            format!("{} columns", header.len()),
            "at most 100,000 columns",
        ));
    }
    // The Write Bytes/sec columns of virtual disks: (column index, header cell, instance).
    let mut used: Vec<(usize, String, String)> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for (j, cell) in header.iter().enumerate().skip(1) {
        match counter_path(cell) {
            Some((object, instance, counter))
                if object.eq_ignore_ascii_case(PDH_OBJECT)
                    && counter.eq_ignore_ascii_case(PDH_COUNTER)
                    && !instance.is_empty() =>
            {
                used.push((j, cell.to_string(), instance.to_string()));
            }
            _ => others.push(format!("\"{cell}\"")),
        }
    }
    if used.is_empty() {
        return Err(fail(
            path,
            1,
            2,
            "header",
            format!("no \"{PDH_OBJECT}(<VHD>)\\{PDH_COUNTER}\" column"),
            PDH_FORM,
        ));
    }
    if !others.is_empty() {
        warnings.push(warning(
            path,
            (1, 1),
            "header",
            &format!(
                "{} columns are not {PDH_OBJECT} {PDH_COUNTER} and are not used: {}",
                others.len(),
                shown(&others)
            ),
        ));
    }
    let labels: Labels = used
        .iter()
        .map(|(j, cell, instance)| (cell.clone(), (instance.clone(), String::new()), (1, j + 1)))
        .collect();
    let mut samples = Samples::new(used.len());
    let mut first: Option<NaiveDateTime> = None;
    for record in records {
        let record = record.map_err(|e| unreadable(path, e, PDH_FORM))?;
        let line = line_of(bytes, &record);
        if record.len() != header.len() {
            return Err(fail(
                path,
                line,
                record.len().min(header.len()) + 1,
                "row",
                format!("{} fields; the header has {}", record.len(), header.len()),
                &format!("{} fields per row, as in the header", header.len()),
            ));
        }
        let stamp = record[0].trim();
        let Ok(at) = NaiveDateTime::parse_from_str(stamp, "%m/%d/%Y %H:%M:%S%.f") else {
            return Err(fail(
                path,
                line,
                1,
                "time",
                format!("\"{stamp}\" is not a time stamp"),
                PDH_TIME,
            ));
        };
        let t = since(path, line, 1, &mut first, at, &samples.times)?;
        if (samples.times.len() + 1) * used.len() > MAX_SAMPLES {
            return Err(too_many(path, line));
        }
        samples.times.push(t);
        for (i, (j, cell, _)) in used.iter().enumerate() {
            let text = record[*j].trim();
            if text.is_empty() {
                samples.sample(i, None, false);
                continue;
            }
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => {
                    let rate = ByteRate((v * 1000.0).round() as u64);
                    samples.sample(i, Some(rate), rate.0 > 0);
                }
                _ => {
                    return Err(fail(
                        path,
                        line,
                        j + 1,
                        cell,
                        format!("\"{text}\" is not a number of bytes per second"),
                        "a number >= 0, or blank for a missing sample",
                    ))
                }
            }
        }
    }
    Ok((labels, samples))
}

/// Milliseconds from the first time stamp to `at`, which must come after the last one.
fn since(
    path: &Path,
    line: usize,
    column: usize,
    first: &mut Option<NaiveDateTime>,
    at: NaiveDateTime,
    times: &[Time],
) -> Result<Time, Box<ScenarioError>> {
    let first = *first.get_or_insert(at);
    let ms = (at - first).num_milliseconds();
    let prev = times.last().copied();
    match (u64::try_from(ms), prev) {
        (Ok(t), None) => Ok(t),
        (Ok(t), Some(p)) if t > p => Ok(t),
        _ => Err(fail(
            path,
            line,
            column,
            "time",
            format!(
                "{} is not after the previous time stamp",
                at.format("%Y-%m-%d %H:%M:%S%.3f")
            ),
            "time stamps in increasing order",
        )),
    }
}

fn too_many(path: &Path, line: usize) -> Box<ScenarioError> {
    fail(
        path,
        line,
        1,
        "row",
        "too many samples".into(),
        "at most 10,000,000 samples (time stamps times series)",
    )
}

fn disk_bytes(path: &Path, bytes: &[u8]) -> Result<(Labels, Samples), Box<ScenarioError>> {
    let mut reader = reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(unreadable(path, e, TIDY_FORM)),
        None => {
            return Err(fail(
                path,
                1,
                1,
                "header",
                "an empty file".into(),
                TIDY_FORM,
            ))
        }
    };
    let names: Vec<String> = header.iter().map(|c| c.trim().to_string()).collect();
    let expected = ["time", "vm", "disk", "bytes"];
    if names.len() != 4
        || names
            .iter()
            .zip(expected)
            .any(|(n, e)| !n.eq_ignore_ascii_case(e))
    {
        return Err(fail(
            path,
            1,
            1,
            "header",
            format!("unexpected header \"{}\"", names.join(",")),
            TIDY_FORM,
        ));
    }
    // Rows as read: (time stamp index, series, bytes), series by first appearance.
    let mut keys: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut labels: Labels = Vec::new();
    let mut rows: Vec<(usize, usize, Option<u64>)> = Vec::new();
    let mut times: Vec<Time> = Vec::new();
    let mut first: Option<NaiveDateTime> = None;
    let mut seconds: Option<bool> = None;
    // The line of each series' row at the current time stamp.
    let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
    for record in records {
        let record = record.map_err(|e| unreadable(path, e, TIDY_FORM))?;
        let line = line_of(bytes, &record);
        if record.len() != 4 {
            return Err(fail(
                path,
                line,
                record.len().min(4) + 1,
                "row",
                format!("{} fields; the header has 4", record.len()),
                "4 fields per row: time,vm,disk,bytes",
            ));
        }
        let cell = |j: usize| record[j].trim();
        let bad_time = || {
            fail(
                path,
                line,
                1,
                "time",
                format!("\"{}\" is not a time", cell(0)),
                TIDY_TIME,
            )
        };
        let as_seconds = cell(0).parse::<f64>().ok();
        let is_seconds = *seconds.get_or_insert(as_seconds.is_some());
        let t = if is_seconds {
            match as_seconds {
                Some(s) if s.is_finite() && s >= 0.0 => (s * 1000.0).round() as Time,
                _ => return Err(bad_time()),
            }
        } else {
            let at = parse_datetime(cell(0)).ok_or_else(bad_time)?;
            let first = *first.get_or_insert(at);
            u64::try_from((at - first).num_milliseconds()).map_err(|_| bad_time())?
        };
        match times.last() {
            Some(&last) if t == last => {}
            Some(&last) if t < last => {
                return Err(fail(
                    path,
                    line,
                    1,
                    "time",
                    format!(
                        "{} is before the previous row's {}",
                        Millis(t),
                        Millis(last)
                    ),
                    "rows in time order (rows of one time together)",
                ))
            }
            _ => {
                times.push(t);
                seen.clear();
            }
        }
        for (j, what) in [(1, "vm"), (2, "disk")] {
            if cell(j).is_empty() {
                return Err(fail(
                    path,
                    line,
                    j + 1,
                    what,
                    format!("an empty {what}"),
                    "a VM name and a disk name or index",
                ));
            }
        }
        let key = (cell(1).to_ascii_lowercase(), cell(2).to_ascii_lowercase());
        let next = keys.len();
        let series = *keys.entry(key.clone()).or_insert(next);
        if series == labels.len() {
            labels.push((format!("{},{}", cell(1), cell(2)), key, (line, 2)));
        }
        if let Some(before) = seen.insert(series, line) {
            return Err(fail(
                path,
                line,
                2,
                "vm",
                format!(
                    "\"{},{}\" already has a row at this time (line {before})",
                    cell(1),
                    cell(2)
                ),
                "one row per VM and disk per time",
            ));
        }
        let b = match cell(3) {
            "" => None,
            text => Some(text.parse::<u64>().map_err(|_| {
                fail(
                    path,
                    line,
                    4,
                    "bytes",
                    format!("\"{text}\" is not a whole number of bytes"),
                    "a whole number >= 0, or blank for a missing sample",
                )
            })?),
        };
        if rows.len() >= MAX_SAMPLES {
            return Err(too_many(path, line));
        }
        rows.push((times.len() - 1, series, b));
    }
    if times.len().saturating_mul(labels.len()) > MAX_SAMPLES {
        return Err(too_many(path, 2));
    }
    // Dense per time stamp; an absent row is a missing sample.
    let mut grid: Vec<Option<u64>> = vec![None; times.len() * labels.len()];
    for &(k, s, b) in &rows {
        grid[k * labels.len() + s] = b;
    }
    let mut samples = Samples::new(labels.len());
    for (k, &t) in times.iter().enumerate() {
        samples.times.push(t);
        for s in 0..labels.len() {
            let b = grid[k * labels.len() + s];
            let rate = match (k, b) {
                (0, _) | (_, None) => None,
                // bytes / interval in mB/s, rounded up: an interval of up to 1,000 s then
                // replays its bytes exactly [ours].
                (_, Some(b)) => {
                    let ms = u128::from(t - times[k - 1]);
                    let r = (u128::from(b) * 1_000_000).div_ceil(ms);
                    Some(ByteRate(u64::try_from(r).unwrap_or(u64::MAX)))
                }
            };
            samples.sample(s, rate, b.is_some_and(|b| b > 0));
        }
    }
    Ok((labels, samples))
}
