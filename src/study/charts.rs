//! A sweep's charts: each metric against the first swept parameter, as SVG and PNG in
//! `charts/` (`charts/rpo_p95_s.svg`, ...). With one parameter, a line for the estate and one
//! per VM family (up to [`MAX_LINES`]); with more, a line per combination of the others (the
//! estate's figure). Each point is the mean over the replications with its 95% confidence
//! interval. A metric that is zero or undefined at every point (no failover, no data lost)
//! has no chart. Drawn from the same statistics as `points.csv`, so a merged sweep draws the
//! same bytes as an unsharded one.

use super::metrics::METRICS;
use super::output::{point_stats_of, Layout};
use super::stats::Summary;
use super::RunRecord;
use crate::report::charts::metric::{Line, MetricChart, Point, XAxis};
use crate::report::charts::{to_png, to_svg};
use std::io::{self, Write};
use std::path::Path;

/// The most lines one chart draws; the rest is in points.csv.
pub const MAX_LINES: usize = 8;

/// The charts of a sweep: (file stem, chart), in [`METRICS`] order.
pub fn charts(l: &Layout, runs: &[RunRecord]) -> Vec<(&'static str, MetricChart)> {
    let stats = point_stats_of(l, runs);
    let Some(first) = l.axes.first() else {
        return Vec::new();
    };
    let x_labels = first.values.clone();
    // The x category and the line key (the other axes' values) of each point.
    let x_of = |p: usize| {
        first
            .values
            .iter()
            .position(|v| *v == l.points[p].values[0])
            .unwrap_or(0)
    };
    let mut lines: Vec<(String, usize, Vec<Option<usize>>)> = Vec::new(); // (label, scope, point per x)
    if l.axes.len() == 1 {
        for (s, scope) in l.scopes.iter().enumerate() {
            let mut at = vec![None; x_labels.len()];
            for p in 0..l.points.len() {
                if l.points[p].scopes.contains(&s) {
                    at[x_of(p)] = Some(p);
                }
            }
            lines.push((scope.clone(), s, at));
        }
    } else {
        for p in 0..l.points.len() {
            let label = l.axes[1..]
                .iter()
                .zip(&l.points[p].values[1..])
                .map(|(a, v)| format!("{}={v}", a.path))
                .collect::<Vec<_>>()
                .join(", ");
            let k = match lines.iter().position(|(name, _, _)| *name == label) {
                Some(k) => k,
                None => {
                    lines.push((label, 0, vec![None; x_labels.len()]));
                    lines.len() - 1
                }
            };
            lines[k].2[x_of(p)] = Some(p);
        }
    }
    let all_lines = lines.len();
    lines.truncate(MAX_LINES);
    let reps = l.replications;
    let mut out = Vec::new();
    for (m, metric) in METRICS.iter().enumerate() {
        let summary = |p: usize, s: usize| -> &Summary { &stats[p][s][m] };
        let drawn: Vec<Line> = lines
            .iter()
            .map(|(label, s, at)| Line {
                label: label.clone(),
                points: at
                    .iter()
                    .map(|p| {
                        let st = summary((*p)?, *s);
                        Some(Point {
                            mean: st.mean?,
                            interval: st.ci,
                        })
                    })
                    .collect(),
            })
            .collect();
        let something = drawn
            .iter()
            .flat_map(|l| l.points.iter().flatten())
            .any(|p| p.mean != 0.0 || p.interval.is_some_and(|(lo, hi)| lo != 0.0 || hi != 0.0));
        if !something {
            continue;
        }
        let mut notes = Vec::new();
        if drawn
            .iter()
            .flat_map(|l| l.points.iter().flatten())
            .any(|p| p.interval.is_some())
        {
            notes.push(
                "Bars: the 95% confidence interval of the mean over the replications.".into(),
            );
        }
        notes.push(format!(
            "{} replication(s) per point; {}.",
            reps, metric.meaning
        ));
        if all_lines > MAX_LINES {
            notes.push(format!(
                "The first {MAX_LINES} of {all_lines} lines; every point is in points.csv."
            ));
        }
        out.push((
            metric.name,
            MetricChart {
                title: format!("{} by {}: {}", metric.title, first.path, l.name),
                x_desc: first.path.clone(),
                x: XAxis::Categories(x_labels.clone()),
                y_desc: metric.title.to_string(),
                unit: metric.unit,
                lines: drawn,
                reference: None,
                notes,
            },
        ));
    }
    out
}

/// Write each chart as `charts/<metric>.svg` and `.png` into `dir`; returns the files
/// written (relative to `dir`).
pub fn write_charts(l: &Layout, runs: &[RunRecord], dir: &Path) -> io::Result<Vec<String>> {
    let charts = charts(l, runs);
    let mut written = Vec::new();
    if charts.is_empty() {
        return Ok(written);
    }
    std::fs::create_dir_all(dir.join("charts"))?;
    for (stem, chart) in &charts {
        let svg = to_svg(chart).map_err(|e| io::Error::other(e.to_string()))?;
        let name = format!("charts/{stem}.svg");
        std::fs::write(dir.join(&name), svg)?;
        written.push(name);
        let name = format!("charts/{stem}.png");
        let mut file = std::fs::File::create(dir.join(&name))?;
        to_png(chart, &mut file)?;
        file.flush()?;
        written.push(name);
    }
    Ok(written)
}
