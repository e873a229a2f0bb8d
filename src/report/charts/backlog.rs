//! Pending log bytes (written, not yet applied at the target) of the worst VMs (largest peak
//! log), each against its resync threshold: the policy's `resync_threshold` of the VM's
//! virtual size (or, with `resync_basis = "disk"`, of its largest disk).

use super::axis::{self, TimeAxis};
use super::style::{self, Area, DrawResult, Legend, Mark};
use super::Report;
use crate::model::ResyncBasis;
use plotters::prelude::*;

/// The most VMs drawn.
pub const MAX_VMS: usize = 5;

/// The resync threshold of VM `vm` in bytes and what it is a share of.
pub fn threshold(report: &Report<'_>, vm: usize) -> (f64, &'static str) {
    let sc = report.scenario;
    let spec = &sc.vms[vm];
    let policy = &sc.policies[sc.sites[sc.hosts[spec.host].site].policy];
    let share = f64::from(policy.resync_threshold_ppm) / 1e6;
    match policy.resync_basis {
        ResyncBasis::Vm => (share * spec.virtual_size() as f64, "virtual size"),
        ResyncBasis::Disk => {
            let largest = spec.disks.iter().map(|d| d.size.0).max().unwrap_or(0);
            (share * largest as f64, "largest disk")
        }
    }
}

pub fn draw<DB: DrawingBackend>(
    plot: &Area<DB>,
    legend_area: &Area<DB>,
    report: &Report<'_>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let series = &report.run.series;
    let sc = report.scenario;
    let vms = sc.vms.len();
    let mut legend = Legend::new();
    legend.add("work hours", Mark::Fill(style::WORK_HOURS));
    // The worst: largest sampled backlog against its threshold, then scenario order.
    let peak = |v: usize| {
        (0..series.len())
            .map(|s| series.vm(s, v).backlog_bytes)
            .max()
            .unwrap_or(0)
    };
    let mut ranked: Vec<(f64, usize)> = (0..vms)
        .map(|v| (peak(v) as f64 / threshold(report, v).0.max(1.0), v))
        .filter(|&(p, _)| p > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let with_backlog = ranked.len();
    ranked.truncate(MAX_VMS);
    let shown: Vec<usize> = ranked.iter().map(|r| r.1).collect();

    let max = shown
        .iter()
        .map(|&v| (peak(v) as f64).max(threshold(report, v).0))
        .fold(0.0, f64::max);
    let (div, unit) = axis::bytes_unit(max.max(1e9));
    let top = (max / div * 1.08).max(1.0);
    let ax = TimeAxis::new(&sc.calendar, sc.horizon);
    let y_desc = format!("pending log ({unit})");
    let none = (&[][..], style::WORK_HOURS);
    let mut chart = axis::time_chart(&mut axis::builder(plot), &ax, top, &y_desc, none)?;
    let times: Vec<f64> = series.times().iter().map(|&t| axis::hours(t)).collect();
    for (i, &v) in shown.iter().enumerate() {
        let color = style::palette(i);
        let points =
            (0..series.len()).map(|s| (times[s], series.vm(s, v).backlog_bytes as f64 / div));
        chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
        legend.add(sc.vms[v].name.clone(), Mark::Line(color));
    }
    // Thresholds: one dashed line per distinct value, in the colour of its first VM.
    let mut drawn: Vec<u64> = Vec::new();
    for (i, &v) in shown.iter().enumerate() {
        let (t, basis) = threshold(report, v);
        if drawn.contains(&(t as u64)) {
            continue;
        }
        drawn.push(t as u64);
        let color = if shown.len() == 1 {
            style::TARGET
        } else {
            style::palette(i)
        };
        let y = t / div;
        chart.draw_series(DashedLineSeries::new(
            [(0.0, y), (ax.end_h, y)],
            10,
            6,
            color.stroke_width(2),
        ))?;
        let policy = &sc.policies[sc.sites[sc.hosts[sc.vms[v].host].site].policy];
        let pct = f64::from(policy.resync_threshold_ppm) / 10_000.0;
        legend.add(format!("threshold {}", sc.vms[v].name), Mark::Dashed(color));
        let note = format!("Resync threshold: {pct}% of the {basis}.");
        if !legend.notes.contains(&note) {
            legend.note(note);
        }
    }
    if shown.is_empty() {
        legend.note("No VM had pending log bytes at a sample.");
    } else if with_backlog > shown.len() {
        legend.note(format!(
            "The {} VMs closest to their threshold of {with_backlog} with a pending log.",
            shown.len()
        ));
    }
    style::draw_legend(legend_area, &legend)
}
