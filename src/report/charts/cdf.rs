//! The RPO distribution: the cumulative share of sampled RPO values (every protected VM at
//! every sample, pooled) at or under each RPO, on a logarithmic RPO axis; the target RPO
//! and the pooled p95 and p99 marked.

use super::axis;
use super::rpo::{quantile, targets};
use super::style::{self, Area, DrawResult, Legend, Mark};
use super::Report;
use crate::replication::StateKind;
use plotters::prelude::*;

/// Points of the drawn curve.
const POINTS: usize = 400;

const CURVE: RGBColor = RGBColor(31, 119, 180);
const P95: RGBColor = RGBColor(230, 85, 13);
const P99: RGBColor = RGBColor(117, 107, 177);

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
    let mut values: Vec<f64> = Vec::with_capacity(series.len() * vms);
    for s in 0..series.len() {
        for v in 0..vms {
            let p = series.vm(s, v);
            if p.state == StateKind::Protected {
                if let Some(r) = p.rpo_ms {
                    values.push(r as f64 / 1000.0);
                }
            }
        }
    }
    let mut legend = Legend::new();
    if values.is_empty() {
        style::draw_empty(plot, "No protected VM had a recovery point at a sample.")?;
        return style::draw_legend(legend_area, &legend);
    }
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    let p95 = quantile(&mut values.clone(), 0.95);
    let p99 = quantile(&mut values.clone(), 0.99);
    let targets = targets(report);
    let lo = values[0].max(1.0);
    let hi = values[n - 1]
        .max(targets.last().copied().unwrap_or(0.0) * 1.5)
        .max(lo * 10.0);
    let (lo, hi) = (lo * 0.8, hi * 1.2);
    let mut chart = ChartBuilder::on(plot)
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(86)
        .build_cartesian_2d((lo..hi).log_scale(), 0.0..100.0)?;
    let xf = |v: &f64| axis::num(*v);
    let yf = |v: &f64| format!("{v:.0}%");
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(style::GRID)
        .x_desc("RPO (s, logarithmic)")
        .y_desc("samples with RPO at or under x (%)")
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .axis_desc_style(style::font(style::LABEL_SIZE))
        .label_style(style::font(style::TICK_SIZE))
        .draw()?;
    // The curve: POINTS evenly spaced ranks, each drawn as a step.
    let mut curve = Vec::with_capacity(2 * POINTS + 2);
    let mut prev = 0.0;
    for i in 0..=POINTS {
        let rank = ((n - 1) * i) / POINTS;
        let x = values[rank].max(lo);
        let y = 100.0 * (rank + 1) as f64 / n as f64;
        curve.push((x, prev));
        curve.push((x, y));
        prev = y;
    }
    chart.draw_series(LineSeries::new(curve, CURVE.stroke_width(3)))?;
    legend.add("share of samples", Mark::Thick(CURVE));
    let vline = |x: f64, color: RGBColor| {
        DashedLineSeries::new(
            [(x.max(lo), 0.0), (x.max(lo), 100.0)],
            10,
            6,
            color.stroke_width(2),
        )
    };
    for &t in &targets {
        chart.draw_series(vline(t, style::TARGET))?;
        let within = values.partition_point(|&v| v <= t) as f64 / n as f64 * 100.0;
        legend.add(
            format!(
                "target {}: {within:.1}%",
                crate::units::Millis((t * 1000.0) as u64)
            ),
            Mark::Dashed(style::TARGET),
        );
    }
    chart.draw_series(vline(p95, P95))?;
    legend.add(format!("p95 {}", axis::num(p95)) + " s", Mark::Dashed(P95));
    chart.draw_series(vline(p99, P99))?;
    legend.add(format!("p99 {}", axis::num(p99)) + " s", Mark::Dashed(P99));
    legend.note(format!(
        "{n} samples: every protected VM with a recovery point at every sample step, pooled (the per-VM time-weighted figures are in summary.json)."
    ));
    style::draw_legend(legend_area, &legend)
}
