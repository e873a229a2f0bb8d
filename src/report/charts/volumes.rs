//! Host volume use (the snapshot and log bytes its VMs hold) against the volume's free
//! space, for the [`MAX_HOSTS`] hosts closest to full (or with the most use).

use super::axis::{self, TimeAxis};
use super::style::{self, Area, DrawResult, Legend, Mark};
use super::Report;
use plotters::prelude::*;

pub const MAX_HOSTS: usize = 8;

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
    let mut legend = Legend::new();
    legend.add("work hours", Mark::Fill(style::WORK_HOURS));
    let peak = |h: usize| {
        (0..series.len())
            .map(|s| series.host_volume_used_bytes(s, h))
            .max()
            .unwrap_or(0)
    };
    let free = |h: usize| sc.hosts[h].volume_free.map(|b| b.0 as f64);
    // Closest to full first (peak over free; hosts without a free figure after), then most use.
    let mut order: Vec<(f64, u64, usize)> = (0..sc.hosts.len())
        .map(|h| {
            (
                free(h).map_or(-1.0, |f| peak(h) as f64 / f.max(1.0)),
                peak(h),
                h,
            )
        })
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    order.truncate(MAX_HOSTS);
    order.sort_by_key(|o| o.2);
    if sc.hosts.len() > MAX_HOSTS {
        legend.note(format!(
            "{} hosts: the {MAX_HOSTS} closest to full are shown.",
            sc.hosts.len()
        ));
    }
    let max = order
        .iter()
        .map(|o| (o.1 as f64).max(free(o.2).unwrap_or(0.0)))
        .fold(0.0, f64::max);
    let (div, unit) = axis::bytes_unit(max.max(1e9));
    let top = (max / div * 1.08).max(1.0);
    let ax = TimeAxis::new(&sc.calendar, sc.horizon);
    let y_desc = format!("volume ({unit})");
    let none = (&[][..], style::WORK_HOURS);
    let mut chart = axis::time_chart(&mut axis::builder(plot), &ax, top, &y_desc, none)?;
    let times: Vec<f64> = series.times().iter().map(|&t| axis::hours(t)).collect();
    let mut without_free = Vec::new();
    for (i, &(_, _, h)) in order.iter().enumerate() {
        let color = style::palette(i);
        let points =
            (0..series.len()).map(|s| (times[s], series.host_volume_used_bytes(s, h) as f64 / div));
        chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
        legend.add(format!("{} used", sc.hosts[h].name), Mark::Line(color));
        match free(h) {
            Some(f) => {
                let y = f / div;
                chart.draw_series(DashedLineSeries::new(
                    [(0.0, y), (ax.end_h, y)],
                    10,
                    6,
                    color.stroke_width(2),
                ))?;
                legend.add(
                    format!("{} free space", sc.hosts[h].name),
                    Mark::Dashed(color),
                );
            }
            None => without_free.push(sc.hosts[h].name.clone()),
        }
    }
    if !without_free.is_empty() {
        legend.note(format!(
            "No volume_free in the scenario for {}: use only.",
            without_free.join(", ")
        ));
    }
    style::draw_legend(legend_area, &legend)
}
