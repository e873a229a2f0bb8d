//! A metric against a swept parameter: the parameter's values as evenly spaced categories on
//! x (in the order swept), one line per series (the estate, a family, or a combination of
//! the other parameters), each point's mean marked, with its confidence interval as an error
//! bar when there are replications. Sweeps draw one per metric; the planner draws its search
//! steps with it.

use super::axis::{self, Ticks};
use super::style::{self, Area, DrawResult, Legend, Mark};
use plotters::prelude::*;

/// How a metric's values read, and so its axis's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A duration in seconds (drawn in s, min or h).
    Seconds,
    /// A share from 0 to 1 (drawn in percent).
    Fraction,
    /// Bytes (drawn in kB, MB, GB or TB).
    Bytes,
    /// A count.
    Count,
    /// A rate in bits per second (drawn in kbps, Mbps or Gbps).
    BitsPerSecond,
}

/// One point of a line: the mean and, with two or more replications, its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub mean: f64,
    pub interval: Option<(f64, f64)>,
}

/// One line: its legend label and a point per x category (`None`: undefined there).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub points: Vec<Option<Point>>,
}

/// What x is: the swept values as evenly spaced categories, or numbers on a linear axis.
#[derive(Debug, Clone, PartialEq)]
pub enum XAxis {
    /// Category labels, in order (a sweep's values as given).
    Categories(Vec<String>),
    /// Values in `unit` (a planner's candidate bandwidths), in the order of the points.
    Values { values: Vec<f64>, unit: Unit },
}

impl XAxis {
    /// How many x positions (points per line).
    pub fn len(&self) -> usize {
        match self {
            XAxis::Categories(labels) => labels.len(),
            XAxis::Values { values, .. } => values.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The chart's data and words.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricChart {
    pub title: String,
    /// The x axis's description (the swept parameter), without its unit.
    pub x_desc: String,
    pub x: XAxis,
    /// The y axis's description, without its unit (added from `unit`).
    pub y_desc: String,
    pub unit: Unit,
    pub lines: Vec<Line>,
    /// A horizontal reference (a target), in the metric's own unit, with its label.
    pub reference: Option<(f64, String)>,
    /// Lines of text under the legend (what the bars mean, what was left out).
    pub notes: Vec<String>,
}

/// About `count` round tick positions from `lo` to `hi`.
fn round_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    let span = (hi - lo).max(f64::MIN_POSITIVE);
    let raw = span / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// The scale of `unit` for values up to `max`: (divisor, unit name; empty for a count).
fn scale(unit: Unit, max: f64) -> (f64, &'static str) {
    match unit {
        Unit::Seconds => axis::duration_unit(max),
        Unit::Fraction => (0.01, "%"),
        Unit::Bytes => axis::bytes_unit(max),
        Unit::Count => (1.0, ""),
        Unit::BitsPerSecond => axis::rate_unit(max),
    }
}

impl MetricChart {
    /// The largest value drawn (means, interval ends, the reference).
    fn max(&self) -> f64 {
        let mut m = self.reference.as_ref().map_or(0.0, |r| r.0);
        for p in self.lines.iter().flat_map(|l| l.points.iter().flatten()) {
            m = m.max(p.mean);
            if let Some((lo, hi)) = p.interval {
                m = m.max(lo).max(hi);
            }
        }
        m
    }

    fn min(&self) -> f64 {
        let mut m = self.reference.as_ref().map_or(f64::INFINITY, |r| r.0);
        for p in self.lines.iter().flat_map(|l| l.points.iter().flatten()) {
            m = m.min(p.mean);
            if let Some((lo, _)) = p.interval {
                m = m.min(lo);
            }
        }
        m
    }

    /// Draw the chart on `root`.
    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (plot, legend_area) = style::frame(root, &self.title)?;
        let mut legend = Legend::new();
        let defined = self
            .lines
            .iter()
            .any(|l| l.points.iter().any(Option::is_some));
        if self.x.is_empty() || !defined {
            style::draw_empty(&plot, "No point has a value for this metric.")?;
            return style::draw_legend(&legend_area, &legend);
        }
        let (div, unit) = scale(self.unit, self.max());
        let (lo, hi) = (self.min() / div, self.max() / div);
        // Counts, durations and sizes start at zero (honest bars); shares zoom to their
        // spread, which is where sweeps differ (99.1% against 99.8%).
        let (bottom, top) = match self.unit {
            Unit::Fraction => {
                let pad = ((hi - lo) * 0.1).max(0.5);
                ((lo - pad).max(0.0), (hi + pad).min(100.0))
            }
            _ => (0.0, if hi > 0.0 { hi * 1.1 } else { 1.0 }),
        };
        // Each point's x coordinate, the axis's range and ticks, its labels and description.
        let (xs, range, ticks, x_desc): (Vec<f64>, _, _, String) = match &self.x {
            XAxis::Categories(labels) => {
                let n = labels.len() as f64;
                let xs: Vec<f64> = (0..labels.len()).map(|i| i as f64).collect();
                (xs.clone(), -0.5..n - 0.5, xs, self.x_desc.clone())
            }
            XAxis::Values { values, unit } => {
                let max = values.iter().copied().fold(0.0, f64::max);
                let (div, name) = scale(*unit, max);
                let xs: Vec<f64> = values.iter().map(|v| v / div).collect();
                let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let pad = ((hi - lo) * 0.06).max(hi.abs() * 0.02).max(1e-9);
                let (lo, hi) = (lo - pad, hi + pad);
                let desc = format!("{} ({name})", self.x_desc);
                (xs, lo..hi, round_ticks(lo, hi, 8), desc)
            }
        };
        let n = xs.len();
        let (x_lo, x_hi) = (range.start, range.end);
        let mut chart =
            axis::builder(&plot).build_cartesian_2d(Ticks::new(range, ticks), bottom..top)?;
        let x_fmt = |v: &f64| match &self.x {
            XAxis::Categories(labels) => {
                let i = v.round();
                if (v - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[i as usize].clone()
                } else {
                    String::new()
                }
            }
            XAxis::Values { .. } => axis::num(*v),
        };
        let y_desc = if unit.is_empty() {
            self.y_desc.clone()
        } else {
            format!("{} ({unit})", self.y_desc)
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(style::GRID)
            .x_desc(x_desc.as_str())
            .y_desc(y_desc)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&|v: &f64| axis::num(*v))
            .axis_desc_style(style::font(style::LABEL_SIZE))
            .label_style(style::font(style::TICK_SIZE))
            .y_labels(8)
            .draw()?;
        if let Some((value, label)) = &self.reference {
            let y = value / div;
            chart.draw_series(DashedLineSeries::new(
                [(x_lo, y), (x_hi, y)],
                10,
                6,
                style::TARGET.stroke_width(2),
            ))?;
            legend.add(label.clone(), Mark::Dashed(style::TARGET));
        }
        for (i, line) in self.lines.iter().enumerate() {
            let color = style::palette(i);
            let at = |k: usize, p: &Point| (xs[k], p.mean / div);
            for run in axis::runs(
                line.points
                    .iter()
                    .take(n)
                    .enumerate()
                    .map(|(k, p)| (xs[k], p.map(|p| p.mean / div))),
            ) {
                chart.draw_series(LineSeries::new(run, color.stroke_width(2)))?;
            }
            for (k, p) in line.points.iter().take(n).enumerate() {
                let Some(p) = p else { continue };
                if let Some((l, h)) = p.interval {
                    chart.draw_series(std::iter::once(ErrorBar::new_vertical(
                        xs[k],
                        l / div,
                        p.mean / div,
                        h / div,
                        color.stroke_width(2),
                        12,
                    )))?;
                }
                chart.draw_series(std::iter::once(Circle::new(at(k, p), 4, color.filled())))?;
            }
            legend.add(line.label.clone(), Mark::Line(color));
        }
        for note in &self.notes {
            legend.note(note.clone());
        }
        style::draw_legend(&legend_area, &legend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(unit: Unit, means: &[f64]) -> MetricChart {
        MetricChart {
            title: "t".into(),
            x_desc: "x".into(),
            x: XAxis::Categories(means.iter().map(|m| m.to_string()).collect()),
            y_desc: "y".into(),
            unit,
            lines: vec![Line {
                label: "estate".into(),
                points: means
                    .iter()
                    .map(|&mean| {
                        Some(Point {
                            mean,
                            interval: Some((mean - 1.0, mean + 2.0)),
                        })
                    })
                    .collect(),
            }],
            reference: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn extremes_include_the_intervals() {
        let c = chart(Unit::Count, &[3.0, 10.0]);
        assert_eq!((c.min(), c.max()), (2.0, 12.0));
    }

    #[test]
    fn round_ticks_fall_on_round_numbers_inside_the_range() {
        assert_eq!(round_ticks(0.0, 10.0, 5), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(
            round_ticks(291.0, 352.0, 8),
            [300.0, 310.0, 320.0, 330.0, 340.0, 350.0]
        );
    }

    #[test]
    fn units_scale_to_what_reads() {
        assert_eq!(scale(Unit::Seconds, 7200.0 * 3.0), (3600.0, "h"));
        assert_eq!(scale(Unit::Fraction, 1.0), (0.01, "%"));
        assert_eq!(scale(Unit::Bytes, 5e9), (1e9, "GB"));
        assert_eq!(scale(Unit::BitsPerSecond, 2e8), (1e6, "Mbps"));
    }
}
