//! Link capacity (its throttle schedule and degradations as sampled) and the rate used, one
//! panel per link (the busiest [`MAX_PANELS`]), scheduled outages and samples without
//! capacity shaded.

use super::axis::{self, TimeAxis};
use super::style::{self, Area, DrawResult, Legend, Mark};
use super::Report;
use plotters::prelude::*;

pub const MAX_PANELS: usize = 4;

const CAPACITY: RGBColor = RGBColor(31, 119, 180);
const USED: RGBColor = RGBColor(116, 196, 118);

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
    legend.add("link down", Mark::Fill(style::OUTAGE));
    legend.add("capacity", Mark::Thick(CAPACITY));
    legend.add("used", Mark::Fill(USED));
    legend.note("Capacity as sampled: the throttle schedule, degradations, 0 while the link is down. Used: the mean rate over each sample step.");
    let mut order: Vec<usize> = (0..sc.links.len()).collect();
    // The busiest links first (bytes sent), then scenario order.
    order.sort_by_key(|&l| {
        std::cmp::Reverse(report.run.result.links.get(l).map_or(0, |r| r.bytes_sent))
    });
    order.truncate(MAX_PANELS);
    order.sort_unstable();
    if sc.links.len() > MAX_PANELS {
        legend.note(format!(
            "{} links: the {MAX_PANELS} busiest are shown.",
            sc.links.len()
        ));
    }
    if order.is_empty() {
        style::draw_empty(plot, "This scenario has no link.")?;
        return style::draw_legend(legend_area, &legend);
    }
    let panels = plot.split_evenly((order.len(), 1));
    let ax = TimeAxis::new(&sc.calendar, sc.horizon);
    let times: Vec<f64> = series.times().iter().map(|&t| axis::hours(t)).collect();
    for (panel, &l) in panels.iter().zip(&order) {
        let cap: Vec<f64> = (0..series.len())
            .map(|s| series.link(s, l).capacity_bps as f64)
            .collect();
        let max = cap
            .iter()
            .copied()
            .fold(sc.links[l].capacity.0 as f64 * 8.0 / 1000.0, f64::max);
        let (div, unit) = axis::rate_unit(max);
        let top = max / div * 1.1;
        // Outages: the scheduled windows, and steps that ended with no capacity.
        let mut down: Vec<(f64, f64)> = sc.links[l]
            .outages
            .iter()
            .map(|&(start, end)| (axis::hours(start), axis::hours(end)))
            .collect();
        for s in 1..series.len() {
            if cap[s] == 0.0 {
                down.push((times[s - 1], times[s]));
            }
        }
        let mut builder = axis::builder(panel);
        builder.caption(
            format!("link {}", sc.links[l].name),
            style::font(style::LABEL_SIZE),
        );
        let y_desc = format!("rate ({unit})");
        let spans = (&down[..], style::OUTAGE);
        let mut chart = axis::time_chart(&mut builder, &ax, top, &y_desc, spans)?;
        // Used: the step ending at each sample, drawn as steps.
        let mut used = Vec::with_capacity(2 * series.len() + 2);
        for s in 1..series.len() {
            let u = series.link(s, l).utilization.unwrap_or(0.0) * cap[s] / div;
            used.push((times[s - 1], u));
            used.push((times[s], u));
        }
        if !used.is_empty() {
            let mut poly = used.clone();
            poly.push((used[used.len() - 1].0, 0.0));
            poly.push((used[0].0, 0.0));
            chart.draw_series(std::iter::once(Polygon::new(poly, USED.filled())))?;
        }
        let mut line = Vec::with_capacity(2 * series.len());
        for s in 0..series.len() {
            if s > 0 {
                line.push((times[s], cap[s - 1] / div));
            }
            line.push((times[s], cap[s] / div));
        }
        chart.draw_series(LineSeries::new(line, CAPACITY.stroke_width(2)))?;
    }
    style::draw_legend(legend_area, &legend)
}
