//! Axes every chart shares: calendar time on x (hours since the start as the coordinate,
//! ticks at local clock times, labelled with the scenario calendar), work-hours shading, and
//! the units of durations and sizes.

use super::style::{self, Area, DrawResult};
use crate::engine::Time;
use crate::model::calendar::Calendar;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::ops::Range;

const MS_PER_HOUR: f64 = 3_600_000.0;

/// A linear f64 axis with the tick positions given (plotters' `WithKeyPoints` over f64 has
/// no default formatter, so labels could not be formatted).
pub struct Ticks {
    inner: RangedCoordf64,
    points: Vec<f64>,
}

impl Ticks {
    pub fn new(range: Range<f64>, points: Vec<f64>) -> Ticks {
        Ticks {
            inner: range.into(),
            points,
        }
    }
}

impl Ranged for Ticks {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.points.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// Virtual time as the x coordinate (hours since the start).
pub fn hours(t: Time) -> f64 {
    t as f64 / MS_PER_HOUR
}

/// The x axis of a run of `horizon` ms: ticks at round local times, at most about 12.
pub struct TimeAxis<'a> {
    pub calendar: &'a Calendar,
    pub end_h: f64,
    pub step_h: u64,
}

impl<'a> TimeAxis<'a> {
    pub fn new(calendar: &'a Calendar, horizon: Time) -> TimeAxis<'a> {
        let end_h = hours(horizon.max(60_000));
        let step_h = [1u64, 2, 3, 6, 12, 24, 48, 168, 336, 720]
            .into_iter()
            .find(|&s| end_h / s as f64 <= 8.0)
            .unwrap_or(1440);
        TimeAxis {
            calendar,
            end_h,
            step_h,
        }
    }

    /// The x range with its tick positions: multiples of the step in local time.
    pub fn range(&self) -> Ticks {
        let step_ms = self.step_h * 3_600_000;
        let into_day = self.calendar.ms_into_day(0);
        // Steps of a day or more start at a local midnight; shorter ones at a multiple of
        // the step after midnight.
        let align = step_ms.min(86_400_000);
        let first = (align - into_day % align) % align;
        let mut points = Vec::new();
        let mut t = first;
        while hours(t) <= self.end_h {
            points.push(hours(t));
            t += step_ms;
        }
        Ticks::new(0.0..self.end_h, points)
    }

    /// The label of tick `h`.
    pub fn label(&self, h: f64) -> String {
        let dt = self.calendar.datetime((h * MS_PER_HOUR).round() as Time);
        if self.step_h >= 24 || dt.time() == chrono::NaiveTime::MIN {
            dt.format("%a %d %b").to_string()
        } else {
            dt.format("%a %H:%M").to_string()
        }
    }

    /// The axis description: local time from the start date.
    pub fn description(&self) -> String {
        format!(
            "local time (scenario calendar, from {})",
            self.calendar.start.format("%a %Y-%m-%d %H:%M")
        )
    }

    /// The work periods inside the run, in hours.
    pub fn work_periods(&self) -> Vec<(f64, f64)> {
        let end = (self.end_h * MS_PER_HOUR) as Time;
        let mut out = Vec::new();
        let mut t: Time = 0;
        let mut working = self.calendar.is_work_time(0);
        while t < end {
            let next = self.calendar.next_change(t).unwrap_or(end).min(end);
            if working {
                out.push((hours(t), hours(next)));
            }
            if next <= t {
                break;
            }
            t = next;
            working = !working;
        }
        out
    }
}

/// Shade spans `[a, b)` of x over the whole y range `[y0, y1]`.
pub fn shade<DB: DrawingBackend, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<Ticks, Y>>,
    spans: &[(f64, f64)],
    y: (Y::ValueType, Y::ValueType),
    color: RGBColor,
) -> DrawResult
where
    DB::ErrorType: 'static,
    Y: Ranged,
    Y::ValueType: Clone + 'static,
{
    chart.draw_series(
        spans
            .iter()
            .map(|&(a, b)| Rectangle::new([(a, y.0.clone()), (b, y.1.clone())], color.filled())),
    )?;
    Ok(())
}

/// Configure the mesh of a time chart: calendar labels on x, `y_desc` on y.
pub fn mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<Ticks, RangedCoordf64>>,
    axis: &TimeAxis<'_>,
    y_desc: &str,
    y_fmt: &dyn Fn(&f64) -> String,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let x_fmt = |h: &f64| axis.label(*h);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(style::GRID)
        .x_desc(axis.description())
        .y_desc(y_desc)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(y_fmt)
        .axis_desc_style(style::font(style::LABEL_SIZE))
        .label_style(style::font(style::TICK_SIZE))
        .y_labels(8)
        .draw()?;
    Ok(())
}

/// A chart builder with the margins every time chart uses.
pub fn builder<'a, 'b, DB: DrawingBackend>(area: &'a Area<DB>) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(area);
    b.margin(12).x_label_area_size(56).y_label_area_size(86);
    b
}

/// A time chart with y from 0 to `top`: work hours shaded, then `spans` in `color` (outages),
/// then the mesh with `y_desc` on y.
pub fn time_chart<'a, 'b, 't, DB: DrawingBackend>(
    builder: &mut ChartBuilder<'a, 'b, DB>,
    ax: &TimeAxis<'t>,
    top: f64,
    y_desc: &str,
    spans: (&[(f64, f64)], RGBColor),
) -> Result<ChartContext<'a, DB, Cartesian2d<Ticks, RangedCoordf64>>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let mut chart = builder.build_cartesian_2d(ax.range(), 0.0..top)?;
    shade(
        &mut chart,
        &ax.work_periods(),
        (0.0, top),
        style::WORK_HOURS,
    )?;
    shade(&mut chart, spans.0, (0.0, top), spans.1)?;
    mesh(&mut chart, ax, y_desc, &|v: &f64| num(*v))?;
    Ok(chart)
}

/// A unit for durations: (divisor in seconds, name).
pub fn duration_unit(max_s: f64) -> (f64, &'static str) {
    if max_s >= 4.0 * 3600.0 {
        (3600.0, "h")
    } else if max_s >= 180.0 {
        (60.0, "min")
    } else {
        (1.0, "s")
    }
}

/// A unit for byte sizes (decimal, as the rest of drsim's reports): (divisor, name).
pub fn bytes_unit(max: f64) -> (f64, &'static str) {
    if max >= 1e12 {
        (1e12, "TB")
    } else if max >= 1e9 {
        (1e9, "GB")
    } else if max >= 1e6 {
        (1e6, "MB")
    } else {
        (1e3, "kB")
    }
}

/// A unit for link rates in bits per second: (divisor, name).
pub fn rate_unit(max_bps: f64) -> (f64, &'static str) {
    if max_bps >= 1e9 {
        (1e9, "Gbps")
    } else if max_bps >= 1e6 {
        (1e6, "Mbps")
    } else {
        (1e3, "kbps")
    }
}

/// Short numbers for tick labels.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .into()
    } else {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .into()
    }
}

/// Split `points` (x, Some(y)) into runs without gaps, for lines that must not bridge
/// samples where the value is undefined.
pub fn runs(points: impl Iterator<Item = (f64, Option<f64>)>) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur = Vec::new();
    for (x, y) in points {
        match y {
            Some(y) => cur.push((x, y)),
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}
