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

/// The chart's data and words.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricChart {
    pub title: String,
    /// The x axis's description (the swept parameter).
    pub x_desc: String,
    /// The category labels on x, in order.
    pub x_labels: Vec<String>,
    /// The y axis's description, without its unit (added from `unit`).
    pub y_desc: String,
    pub unit: Unit,
    pub lines: Vec<Line>,
    /// A horizontal reference (a target), in the metric's own unit, with its label.
    pub reference: Option<(f64, String)>,
    /// Lines of text under the legend.
    pub notes: Vec<String>,
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
        if self.x_labels.is_empty() || !defined {
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
        let n = self.x_labels.len();
        let x = Ticks::new(-0.5..n as f64 - 0.5, (0..n).map(|i| i as f64).collect());
        let mut chart = axis::builder(&plot).build_cartesian_2d(x, bottom..top)?;
        let labels = &self.x_labels;
        let x_fmt = |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < labels.len() {
                labels[i as usize].clone()
            } else {
                String::new()
            }
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
            .x_desc(self.x_desc.as_str())
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
                [(-0.5, y), (n as f64 - 0.5, y)],
                10,
                6,
                style::TARGET.stroke_width(2),
            ))?;
            legend.add(label.clone(), Mark::Dashed(style::TARGET));
        }
        let mut intervals = false;
        for (i, line) in self.lines.iter().enumerate() {
            let color = style::palette(i);
            let at = |k: usize, p: &Point| (k as f64, p.mean / div);
            for run in axis::runs(
                line.points
                    .iter()
                    .enumerate()
                    .map(|(k, p)| (k as f64, p.map(|p| p.mean / div))),
            ) {
                chart.draw_series(LineSeries::new(run, color.stroke_width(2)))?;
            }
            for (k, p) in line.points.iter().enumerate() {
                let Some(p) = p else { continue };
                if let Some((l, h)) = p.interval {
                    intervals = true;
                    chart.draw_series(std::iter::once(ErrorBar::new_vertical(
                        k as f64,
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
        if intervals {
            legend.note("Bars: the 95% confidence interval of the mean over the replications.");
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
            x_labels: means.iter().map(|m| m.to_string()).collect(),
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
    fn units_scale_to_what_reads() {
        assert_eq!(scale(Unit::Seconds, 7200.0 * 3.0), (3600.0, "h"));
        assert_eq!(scale(Unit::Fraction, 1.0), (0.01, "%"));
        assert_eq!(scale(Unit::Bytes, 5e9), (1e9, "GB"));
        assert_eq!(scale(Unit::BitsPerSecond, 2e8), (1e6, "Mbps"));
    }
}
