//! RPO over time: one line per VM up to [`MAX_LINES`] VMs; past that, bands across VMs
//! (p50 to p95, p95 to max) with the median and the worst VM drawn over them. Target RPO
//! lines dashed.

use super::axis::{self, TimeAxis};
use super::style::{self, Area, DrawResult, Legend, Mark};
use super::Report;
use plotters::prelude::*;

/// A band between two curves: (label, colour, (low, high) per sample).
type Band = (String, RGBColor, Vec<Option<(f64, f64)>>);

/// Up to this many VMs, one line each.
pub const MAX_LINES: usize = 8;

/// Sampled RPO of every VM with a recovery point, per sample (in seconds).
fn per_sample<'a>(report: &'a Report<'_>, vm: usize) -> impl Iterator<Item = Option<f64>> + 'a {
    let series = &report.run.series;
    (0..series.len()).map(move |s| series.vm(s, vm).rpo_ms.map(|r| r as f64 / 1000.0))
}

/// The `q` quantile (0..=1) of `v`, sorting it in place (nearest rank).
pub fn quantile(v: &mut [f64], q: f64) -> f64 {
    let i = ((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1;
    *v.select_nth_unstable_by(i, f64::total_cmp).1
}

/// Distinct target RPOs in seconds, ascending.
pub fn targets(report: &Report<'_>) -> Vec<f64> {
    let mut t: Vec<u64> = report
        .run
        .result
        .vms
        .iter()
        .map(|v| v.target_rpo_ms)
        .collect();
    t.sort_unstable();
    t.dedup();
    t.into_iter().map(|ms| ms as f64 / 1000.0).collect()
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
    let vms = report.scenario.vms.len();
    let times: Vec<f64> = series.times().iter().map(|&t| axis::hours(t)).collect();
    let targets = targets(report);
    let mut legend = Legend::new();
    let many = vms > MAX_LINES;

    // What to draw, in seconds: lines (label, colour, points) and bands (colour, low, high).
    let mut lines: Vec<(String, RGBColor, u32, Vec<Option<f64>>)> = Vec::new();
    let mut bands: Vec<Band> = Vec::new();
    if !many {
        for v in 0..vms {
            let name = report.scenario.vms[v].name.clone();
            lines.push((name, style::palette(v), 2, per_sample(report, v).collect()));
        }
    } else {
        let (mut p50, mut p95, mut max) = (Vec::new(), Vec::new(), Vec::new());
        let mut values = Vec::with_capacity(vms);
        for s in 0..series.len() {
            values.clear();
            values
                .extend((0..vms).filter_map(|v| series.vm(s, v).rpo_ms.map(|r| r as f64 / 1000.0)));
            if values.is_empty() {
                p50.push(None);
                p95.push(None);
                max.push(None);
                continue;
            }
            let m = values.iter().copied().fold(0.0, f64::max);
            p95.push(Some(quantile(&mut values, 0.95)));
            p50.push(Some(quantile(&mut values, 0.50)));
            max.push(Some(m));
        }
        let zip = |a: &[Option<f64>], b: &[Option<f64>]| -> Vec<Option<(f64, f64)>> {
            a.iter().zip(b).map(|(a, b)| a.zip(*b)).collect()
        };
        bands.push((
            "p95 to max across VMs".into(),
            RGBColor(198, 219, 239),
            zip(&p95, &max),
        ));
        bands.push((
            "p50 to p95 across VMs".into(),
            RGBColor(107, 174, 214),
            zip(&p50, &p95),
        ));
        lines.push((
            "median (p50) across VMs".into(),
            RGBColor(8, 69, 148),
            2,
            p50,
        ));
        // The worst VM: the highest time-weighted p95 (then max) in the results.
        let worst = (0..vms).max_by(|&a, &b| {
            let key = |v: usize| {
                let r = &report.run.result.vms[v].rpo;
                (r.p95_s.unwrap_or(-1.0), r.max_s.unwrap_or(-1.0))
            };
            let (ka, kb) = (key(a), key(b));
            ka.0.total_cmp(&kb.0)
                .then(ka.1.total_cmp(&kb.1))
                .then(b.cmp(&a))
        });
        if let Some(w) = worst {
            let name = format!("worst VM: {}", report.scenario.vms[w].name);
            lines.push((
                name,
                RGBColor(230, 85, 13),
                2,
                per_sample(report, w).collect(),
            ));
        }
        legend.note(format!("{vms} VMs: bands across the VMs with a recovery point at each sample; worst VM by time-weighted p95 RPO."));
    }

    let max_s = lines
        .iter()
        .flat_map(|l| l.3.iter().flatten().copied())
        .chain(bands.iter().flat_map(|b| b.2.iter().flatten().map(|p| p.1)))
        .chain(targets.iter().copied())
        .fold(0.0, f64::max);
    let (div, unit) = axis::duration_unit(max_s);
    let top = (max_s / div * 1.08).max(1.0);

    let ax = TimeAxis::new(&report.scenario.calendar, report.scenario.horizon);
    let y_desc = format!("RPO ({unit})");
    let none = (&[][..], style::WORK_HOURS);
    let mut chart = axis::time_chart(&mut axis::builder(plot), &ax, top, &y_desc, none)?;
    legend.add("work hours", Mark::Fill(style::WORK_HOURS));

    for (label, color, points) in &bands {
        let runs = axis::runs(
            times
                .iter()
                .zip(points)
                .map(|(&x, p)| (x, p.map(|p| p.0 / div))),
        );
        let highs = axis::runs(
            times
                .iter()
                .zip(points)
                .map(|(&x, p)| (x, p.map(|p| p.1 / div))),
        );
        for (low, high) in runs.iter().zip(&highs) {
            let mut poly: Vec<(f64, f64)> = high.clone();
            poly.extend(low.iter().rev());
            chart.draw_series(std::iter::once(Polygon::new(poly, color.filled())))?;
        }
        legend.add(label.clone(), Mark::Fill(*color));
    }
    for (label, color, width, points) in &lines {
        let runs = axis::runs(
            times
                .iter()
                .zip(points)
                .map(|(&x, p)| (x, p.map(|p| p / div))),
        );
        for run in runs {
            chart.draw_series(LineSeries::new(run, color.stroke_width(*width)))?;
        }
        legend.add(label.clone(), Mark::Line(*color));
    }
    for &t in &targets {
        let y = t / div;
        chart.draw_series(DashedLineSeries::new(
            [(0.0, y), (ax.end_h, y)],
            10,
            6,
            style::TARGET.stroke_width(2),
        ))?;
        legend.add(
            format!("target RPO {}", crate::units::Millis((t * 1000.0) as u64)),
            Mark::Dashed(style::TARGET),
        );
    }
    if lines.iter().all(|l| l.3.iter().all(Option::is_none)) {
        legend.note("No VM had a recovery point at any sample.");
    }
    style::draw_legend(legend_area, &legend)
}
