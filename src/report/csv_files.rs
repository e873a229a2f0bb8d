//! The CSV files, one exporter each: the event log (`events.csv`, `jobs.csv`,
//! `health.csv`), the time series (`timeseries.csv` per VM, `links_timeseries.csv`,
//! `hosts_timeseries.csv`) and the per-VM and failover tables (`vms.csv`, `failovers.csv`).
//! Column names carry units; undefined cells are empty, never 0. Every file starts with the
//! stamp as a `#` comment.
//!
//! `timeseries.csv` keeps its link columns (`link`, `link_capacity_bps`,
//! `link_utilization`) on every VM row for compatibility with earlier versions; the links'
//! own series, one row per link and sample, are in `links_timeseries.csv`.

use super::{secs, Exporter, Report, Stamp};
use crate::model::calendar::Calendar;
use crate::sim::Placement;
use std::io::Write;

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// A CSV writer over `out`, the stamp and `header` written.
fn writer<'w>(
    out: &'w mut dyn Write,
    stamp: &Stamp,
    header: &[&str],
) -> std::io::Result<csv::Writer<&'w mut dyn Write>> {
    out.write_all(stamp.csv_comment().as_bytes())?;
    let mut w = csv::WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_writer(out);
    w.write_record(header).map_err(io)?;
    Ok(w)
}

fn io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// Writes CSV rows field by field; numbers are formatted into one reused buffer, so a row
/// allocates nothing.
struct Row<'w, W: Write> {
    w: &'w mut csv::Writer<W>,
    buf: String,
}

impl<'w, W: Write> Row<'w, W> {
    fn new(w: &'w mut csv::Writer<W>) -> Self {
        Row {
            w,
            buf: String::new(),
        }
    }

    fn text(&mut self, s: &str) -> std::io::Result<()> {
        self.w.write_field(s).map_err(io)
    }

    /// A field formatted into the reused buffer.
    fn formatted(&mut self, args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
        use std::fmt::Write as _;
        self.buf.clear();
        let _ = self.buf.write_fmt(args);
        self.w.write_field(&self.buf).map_err(io)
    }

    fn display(&mut self, x: impl std::fmt::Display) -> std::io::Result<()> {
        self.formatted(format_args!("{x}"))
    }

    /// `x` with `decimals` digits after the point; empty when undefined.
    fn fixed(&mut self, x: Option<f64>, decimals: usize) -> std::io::Result<()> {
        match x {
            Some(x) => self.formatted(format_args!("{x:.decimals$}")),
            None => self.text(""),
        }
    }

    /// Whole milliseconds as seconds with 3 decimals, by integer arithmetic: the same text
    /// as `{:.3}` of `secs(ms)` (see the test) without the float formatter. Exact below
    /// 4.4e15 ms (139,000 years), where `secs(ms)` lies far closer than 0.0005 to the
    /// 3-decimal value it rounds to.
    fn millis(&mut self, ms: Option<u64>) -> std::io::Result<()> {
        match ms {
            Some(ms) => self.formatted(format_args!("{}.{:03}", ms / 1000, ms % 1000)),
            None => self.text(""),
        }
    }

    /// End the row.
    fn end(&mut self) -> std::io::Result<()> {
        self.w.write_record(None::<&[u8]>).map_err(io)
    }
}

/// `dt` as chrono's `%Y-%m-%dT%H:%M:%S%.3f`, with the digits written directly: chrono
/// parses the format string on every call, and `format!` pads each field in turn, which cost
/// more than the rest of a CSV line.
fn datetime_text(dt: chrono::NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    let year = dt.year();
    if !(0..=9999).contains(&year) {
        // chrono signs and widens years outside 0..=9999: leave those to it.
        return dt.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
    }
    let mut text = *b"0000-00-00T00:00:00.000";
    let mut put = |at: usize, width: usize, mut value: u32| {
        for i in (at..at + width).rev() {
            text[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year as u32);
    put(5, 2, dt.month());
    put(8, 2, dt.day());
    put(11, 2, dt.hour());
    put(14, 2, dt.minute());
    put(17, 2, dt.second());
    put(20, 3, dt.nanosecond() / 1_000_000 % 1000);
    text.iter().map(|&b| char::from(b)).collect()
}

fn datetime(calendar: &Calendar, at: u64) -> String {
    datetime_text(calendar.datetime(at))
}

/// `events.csv`: the event log.
pub struct EventsCsv;

impl Exporter for EventsCsv {
    fn file_name(&self) -> &'static str {
        "events.csv"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        let header = [
            "time_s",
            "datetime",
            "vm",
            "event",
            "from_state",
            "to_state",
            "detail",
        ];
        let mut w = writer(out, report.stamp, &header)?;
        let (sc, cal) = (report.scenario, &report.scenario.calendar);
        for r in report.run.log.events() {
            // A link's row leaves the VM column empty; its detail names the link.
            let vm = r.vm().map_or("", |vm| sc.vms[vm].name.as_str());
            w.write_record([
                &secs(r.at).to_string(),
                &datetime(cal, r.at),
                vm,
                r.kind.name(),
                r.from.name(),
                r.to.name(),
                r.detail,
            ])
            .map_err(io)?;
        }
        w.flush()
    }
}

/// `jobs.csv`: the jobs, as the portal's Jobs tab lists them.
pub struct JobsCsv;

impl Exporter for JobsCsv {
    fn file_name(&self) -> &'static str {
        "jobs.csv"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        let header = [
            "vm",
            "job",
            "start_s",
            "start",
            "end_s",
            "end",
            "duration_s",
            "outcome",
            "detail",
        ];
        let mut w = writer(out, report.stamp, &header)?;
        let (sc, cal) = (report.scenario, &report.scenario.calendar);
        for j in report.run.log.jobs() {
            w.write_record([
                &sc.vms[j.vm].name,
                j.job.name(),
                &secs(j.started_at).to_string(),
                &datetime(cal, j.started_at),
                &opt(j.ended_at.map(secs)),
                &j.ended_at.map(|t| datetime(cal, t)).unwrap_or_default(),
                &opt(j.ended_at.map(|e| secs(e - j.started_at))),
                j.outcome.name(),
                j.detail,
            ])
            .map_err(io)?;
        }
        w.flush()
    }
}

/// `health.csv`: each VM's health timeline as spans.
pub struct HealthCsv;

impl Exporter for HealthCsv {
    fn file_name(&self) -> &'static str {
        "health.csv"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        let header = [
            "vm",
            "from_s",
            "from",
            "to_s",
            "to",
            "duration_s",
            "health",
            "reason",
        ];
        let mut w = writer(out, report.stamp, &header)?;
        let (sc, cal) = (report.scenario, &report.scenario.calendar);
        for h in report.run.log.health_spans() {
            w.write_record([
                &sc.vms[h.vm].name,
                &secs(h.from).to_string(),
                &datetime(cal, h.from),
                &secs(h.to).to_string(),
                &datetime(cal, h.to),
                &secs(h.to - h.from).to_string(),
                h.health.name(),
                h.reason.name(),
            ])
            .map_err(io)?;
        }
        w.flush()
    }
}

/// `timeseries.csv`: one row per VM and sample.
pub struct TimeseriesCsv;

impl Exporter for TimeseriesCsv {
    fn file_name(&self) -> &'static str {
        "timeseries.csv"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        let header = [
            "time_s",
            "datetime",
            "vm",
            "state",
            "health",
            "rpo_s",
            "backlog_bytes",
            "initial_copy_left_bytes",
            "link",
            "link_capacity_bps",
            "link_utilization",
        ];
        let mut w = writer(out, report.stamp, &header)?;
        let sc = report.scenario;
        let series = &report.run.series;
        // Each VM's link, looked up once.
        let links: Vec<Option<usize>> = sc
            .vms
            .iter()
            .map(|v| sc.sites[sc.hosts[v.host].site].link)
            .collect();
        for (i, &at) in series.times().iter().enumerate() {
            let (time, dt) = (secs(at).to_string(), datetime(&sc.calendar, at));
            for (vm, spec) in sc.vms.iter().enumerate() {
                let p = series.vm(i, vm);
                let link = links[vm].map(|l| (l, series.link(i, l)));
                w.write_record([
                    &time,
                    &dt,
                    &spec.name,
                    p.state.name(),
                    p.health.name(),
                    &opt(p.rpo_ms.map(secs)),
                    &p.backlog_bytes.to_string(),
                    &p.initial_copy_left_bytes.to_string(),
                    link.map_or("", |(l, _)| sc.links[l].name.as_str()) as &str,
                    &link.map_or(0, |(_, p)| p.capacity_bps).to_string(),
                    &opt(link
                        .and_then(|(_, p)| p.utilization)
                        .map(|u| format!("{u:.6}"))),
                ])
                .map_err(io)?;
            }
        }
        w.flush()
    }
}

/// `links_timeseries.csv`: one row per link and sample.
pub struct LinksTimeseriesCsv;

impl Exporter for LinksTimeseriesCsv {
    fn file_name(&self) -> &'static str {
        "links_timeseries.csv"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        let header = ["time_s", "datetime", "link", "capacity_bps", "utilization"];
        let mut w = writer(out, report.stamp, &header)?;
        let sc = report.scenario;
        let series = &report.run.series;
        for (i, &at) in series.times().iter().enumerate() {
            let (time, dt) = (secs(at).to_string(), datetime(&sc.calendar, at));
            for (l, spec) in sc.links.iter().enumerate() {
                let p = series.link(i, l);
                w.write_record([
                    &time,
                    &dt,
                    &spec.name,
                    &p.capacity_bps.to_string(),
                    &opt(p.utilization.map(|u| format!("{u:.6}"))),
                ])
                .map_err(io)?;
            }
        }
        w.flush()
    }
}

/// `outages.csv`: each link outage and degradation window as this run drew it (scheduled
/// ones, and random ones drawn from the link's MTBF with the run's seed), by start.
pub struct OutagesCsv;

impl Exporter for OutagesCsv {
    fn file_name(&self) -> &'static str {
        "outages.csv"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        let header = [
            "link",
            "kind",
            "cause",
            "capacity_percent",
            "start_s",
            "start",
            "end_s",
            "end",
            "duration_s",
        ];
        let mut w = writer(out, report.stamp, &header)?;
        let cal = &report.scenario.calendar;
        for win in super::digest::windows(report.scenario, report.run.seed) {
            let mut r = Row::new(&mut w);
            r.text(&win.link)?;
            r.text(win.kind.kind())?;
            r.text(win.kind.cause())?;
            r.display(win.kind.capacity_percent())?;
            r.millis(Some(win.start))?;
            r.text(&datetime(cal, win.start))?;
            r.millis(Some(win.end))?;
            r.text(&datetime(cal, win.end))?;
            r.millis(Some(win.end.saturating_sub(win.start)))?;
            r.end()?;
        }
        w.flush()
    }
}

/// `rollups.csv`: totals and RPO percentiles over the estate, each VM family (the `[[vms]]`
/// table its VMs were stamped from), each site and each host; host rows add the volume's
/// peak use against its free space.
pub struct RollupsCsv;

impl Exporter for RollupsCsv {
    fn file_name(&self) -> &'static str {
        "rollups.csv"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        use super::digest::{self, Totals};
        let header = [
            "level",
            "name",
            "vms",
            "protected",
            "rpo_p95_s_median_vm",
            "rpo_p95_s_worst_vm",
            "rpo_max_s",
            "rpo_target_met_lowest",
            "rpo_longest_violation_s",
            "cycles_missed",
            "cycles",
            "resyncs",
            "critical_s",
            "bytes_written",
            "bytes_replicated",
            "bytes_pending",
            "bytes_lost",
            "volume_peak_bytes",
            "volume_free_bytes",
        ];
        let mut w = writer(out, report.stamp, &header)?;
        let (sc, vms) = (report.scenario, &report.run.result.vms);
        let hosts = digest::hosts_by_name(&report.run.result.hosts);
        // `host`: the host's own results, for its volume columns (other levels have none).
        let mut row = |level: &str, t: &Totals, host: Option<&&crate::sim::record::HostResult>| {
            let mut r = Row::new(&mut w);
            r.text(level)?;
            r.text(&t.name)?;
            r.display(t.vms)?;
            r.display(t.protected)?;
            r.fixed(t.p95_median, 3)?;
            r.fixed(t.p95_worst, 3)?;
            r.fixed(t.max_worst, 3)?;
            r.fixed(t.met_worst, 6)?;
            r.fixed(Some(t.longest_violation_s), 3)?;
            r.display(t.cycles_missed)?;
            r.display(t.cycles)?;
            r.display(t.resyncs)?;
            r.millis(Some(t.critical_ms))?;
            r.display(t.written)?;
            r.display(t.replicated)?;
            r.display(t.pending)?;
            r.display(t.lost)?;
            match host {
                Some(h) => {
                    r.display(h.peak_volume_used_bytes)?;
                    r.text(&opt(h.volume_free_bytes))?;
                }
                None => {
                    r.text("")?;
                    r.text("")?;
                }
            }
            r.end()
        };
        row("estate", &Totals::of("estate", vms.iter()), None)?;
        for t in digest::families(sc, vms) {
            row("family", &t, None)?;
        }
        for t in digest::sites(sc, vms) {
            row("site", &t, None)?;
        }
        for t in digest::hosts(sc, vms) {
            row("host", &t, hosts.get(t.name.as_str()))?;
        }
        w.flush()
    }
}

/// `hosts_timeseries.csv`: one row per host and sample.
pub struct HostsTimeseriesCsv;

impl Exporter for HostsTimeseriesCsv {
    fn file_name(&self) -> &'static str {
        "hosts_timeseries.csv"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        let header = [
            "time_s",
            "datetime",
            "host",
            "volume_used_bytes",
            "volume_free_bytes",
        ];
        let mut w = writer(out, report.stamp, &header)?;
        let sc = report.scenario;
        let series = &report.run.series;
        for (i, &at) in series.times().iter().enumerate() {
            let (time, dt) = (secs(at).to_string(), datetime(&sc.calendar, at));
            for (h, spec) in sc.hosts.iter().enumerate() {
                w.write_record([
                    &time,
                    &dt,
                    &spec.name,
                    &series.host_volume_used_bytes(i, h).to_string(),
                    &opt(spec.volume_free.map(|b| b.0)),
                ])
                .map_err(io)?;
            }
        }
        w.flush()
    }
}

/// `vms.csv`: one row per VM.
pub struct VmsCsv;

impl Exporter for VmsCsv {
    fn file_name(&self) -> &'static str {
        "vms.csv"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        write_vms_csv(out, report)
    }
}

fn write_vms_csv(out: &mut dyn Write, report: &Report<'_>) -> std::io::Result<()> {
    let (stamp, scenario, result) = (report.stamp, report.scenario, &report.run.result);
    let header = [
        "vm",
        "host",
        "site",
        "link",
        "state",
        "protected_at_s",
        "initial_replication_s",
        "rpo_target_s",
        "rpo_s_mean",
        "rpo_s_p50",
        "rpo_s_p95",
        "rpo_s_p99",
        "rpo_s_max",
        "rpo_target_met_fraction",
        "longest_rpo_violation_s",
        "bytes_written",
        "bytes_replicated",
        "bytes_pending",
        "bytes_initial_copy",
        "cycles_done",
        "cycles_missed",
        "peak_log_bytes",
        "peak_volume_used_bytes",
        "bytes_discarded",
        "bytes_resync_sent",
        "bytes_lost",
        "transfer_failures",
        "retries",
        "resyncs",
        "health",
        "time_warning_s",
        "time_critical_s",
        "enable_failure",
        "point_alerts",
        "first_point_alert_at_s",
    ];
    let mut w = writer(out, stamp, &header)?;
    // One row per VM of the estate: fields go out one by one, numbers formatted into one
    // reused buffer (a `String` per field cost a quarter of the file's instructions).
    let mut row = Row::new(&mut w);
    for (i, v) in result.vms.iter().enumerate() {
        let place = Placement::of(scenario, i);
        row.text(&v.name)?;
        row.text(place.host)?;
        row.text(place.site)?;
        row.text(place.link)?;
        row.display(v.state)?;
        row.millis(v.protected_at)?;
        row.millis(v.initial_replication_ms)?;
        row.millis(Some(v.target_rpo_ms))?;
        row.fixed(v.rpo.mean_s, 3)?;
        row.fixed(v.rpo.p50_s, 3)?;
        row.fixed(v.rpo.p95_s, 3)?;
        row.fixed(v.rpo.p99_s, 3)?;
        row.fixed(v.rpo.max_s, 3)?;
        row.fixed(v.rpo.target_met_fraction, 6)?;
        row.fixed(Some(v.rpo.longest_violation_s), 3)?;
        for n in [
            v.bytes_written,
            v.bytes_replicated,
            v.bytes_pending,
            v.bytes_initial_copy,
            v.cycles_done,
            v.cycles_missed,
            v.peak_log_bytes,
            v.peak_volume_used_bytes,
            v.bytes_discarded,
            v.bytes_resync_sent,
            v.bytes_lost,
            v.transfer_failures,
            v.retries,
            v.resyncs.len() as u64,
        ] {
            row.display(n)?;
        }
        row.display(v.health)?;
        row.millis(Some(v.time_warning_ms))?;
        row.millis(Some(v.time_critical_ms))?;
        row.text(v.enable_failure.as_deref().unwrap_or_default())?;
        row.display(v.point_alerts)?;
        row.millis(v.first_point_alert_at)?;
        row.end()?;
    }
    w.flush()
}

/// `failovers.csv`: one row per VM of each ordered failover (or failback), in order.
pub struct FailoversCsv;

impl Exporter for FailoversCsv {
    fn file_name(&self) -> &'static str {
        "failovers.csv"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        write_failovers_csv(out, report)
    }
}

fn write_failovers_csv(out: &mut dyn Write, report: &Report<'_>) -> std::io::Result<()> {
    let (stamp, result) = (report.stamp, &report.run.result);
    let header = [
        "failover",
        "kind",
        "target",
        "target_type",
        "at_s",
        "rto_s",
        "stopped",
        "vm",
        "refused",
        "recovery_point_at_s",
        "recovery_point_consistency",
        "data_loss_s",
        "data_loss_bytes",
        "source_stopped_at_s",
        "ready_at_s",
        "boot_start_s",
        "booted_at_s",
        "downtime_s",
        "state_after",
    ];
    let mut w = writer(out, stamp, &header)?;
    let s = |x: Option<u64>| opt(x.map(|ms| format!("{:.3}", secs(ms))));
    for (i, f) in result.failovers.iter().enumerate() {
        for v in &f.vms {
            w.write_record([
                (i + 1).to_string(),
                f.kind.to_string(),
                f.target.clone(),
                if f.target_is_plan { "plan" } else { "vm" }.to_string(),
                s(Some(f.at)),
                s(f.rto()),
                f.stopped.clone().unwrap_or_default(),
                v.vm.clone(),
                v.refused.clone().unwrap_or_default(),
                s(v.recovery_point_at),
                v.recovery_point_consistency.unwrap_or_default().to_string(),
                s(v.data_loss_ms),
                opt(v.data_loss_bytes),
                s(v.source_stopped_at),
                s(v.ready_at),
                s(v.boot_started_at),
                s(v.booted_at),
                s(v.downtime(result.horizon)),
                v.state_after.to_string(),
            ])
            .map_err(io)?;
        }
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn millis_as_seconds_match_the_float_formatter() {
        // Every cell `Row::millis` writes must read as `{:.3}` of the float seconds did:
        // small values, second boundaries, and random instants up to 400 days.
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut expected = String::new();
        let mut x: u64 = 11;
        let mut row = Row::new(&mut w);
        for i in 0..20_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let ms = match i {
                0..=2_999 => i,
                3_000..=3_999 => (i - 3_000) * 1000 + 999,
                _ => (x >> 20) % (400 * 86_400_000),
            };
            row.millis(Some(ms)).unwrap();
            expected.push_str(&format!("{:.3},", secs(ms)));
        }
        row.millis(None).unwrap();
        row.end().unwrap();
        expected.push('\n');
        let written = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(written, expected);
    }

    #[test]
    fn datetime_text_matches_chrono() {
        let starts = [
            (2026, 11, 23),
            (1999, 12, 31),
            (2024, 2, 28),
            (9999, 12, 31),
            (0, 1, 1),
        ];
        let mut x: u64 = 7;
        for (y, m, d) in starts {
            let start = NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(23, 59, 58)
                .unwrap();
            for i in 0..2000u64 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let ms = if i < 10 {
                    i * 999
                } else {
                    (x >> 20) % (400 * 86_400_000)
                };
                let dt = start + chrono::Duration::milliseconds(ms as i64);
                let want = dt.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
                assert_eq!(datetime_text(dt), want);
            }
        }
    }
}
