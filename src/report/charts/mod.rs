//! Charts of a run, each as SVG and PNG, drawn with plotters: one [`Exporter`] per chart and
//! format (`charts/rpo.svg`, `charts/rpo.png`, ...). Every chart has a title, axis labels
//! with units, a legend beside the plot, calendar time on the x axis with work hours shaded
//! (the distribution has RPO on x), and stays readable from 1 VM to thousands: past a few
//! VMs it aggregates (percentile bands, families), never one line per VM.
//!
//! Text is drawn with the embedded DejaVu Sans ([`style::register_font`]): no system font
//! is needed. Rendering is deterministic: the same run gives the same bytes.
//!
//! A chart that needs the time series ([`ChartKind::needs_series`]) is skipped when the run
//! kept none (`sample_step = "off"`).

mod axis;
mod backlog;
mod cdf;
mod links;
pub mod metric;
mod rpo;
mod states;
mod style;
mod volumes;

use super::{Exporter, Report};
use plotters::prelude::*;
use std::io::Write;

/// One kind of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// RPO over time: lines per VM, or percentile bands across VMs.
    Rpo,
    /// Link capacity and use, per link.
    Links,
    /// Pending log bytes of the worst VMs against their resync thresholds.
    Backlog,
    /// A Gantt of replication states, per VM or per family.
    States,
    /// The distribution (CDF) of sampled RPO.
    RpoCdf,
    /// Host volume use against free space.
    Volumes,
}

impl ChartKind {
    pub const ALL: [ChartKind; 6] = [
        ChartKind::Rpo,
        ChartKind::Links,
        ChartKind::Backlog,
        ChartKind::States,
        ChartKind::RpoCdf,
        ChartKind::Volumes,
    ];

    /// The file stem under `charts/`.
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Rpo => "rpo",
            ChartKind::Links => "links",
            ChartKind::Backlog => "backlog",
            ChartKind::States => "states",
            ChartKind::RpoCdf => "rpo-cdf",
            ChartKind::Volumes => "volumes",
        }
    }

    /// The chart's title (before the scenario's name).
    pub fn title(self) -> &'static str {
        match self {
            ChartKind::Rpo => "RPO over time",
            ChartKind::Links => "Link capacity and use",
            ChartKind::Backlog => "Pending log against the resync threshold",
            ChartKind::States => "Replication states",
            ChartKind::RpoCdf => "RPO distribution",
            ChartKind::Volumes => "Host volume use",
        }
    }

    /// Whether the chart is drawn from the time series (and so skipped without it).
    pub fn needs_series(self) -> bool {
        !matches!(self, ChartKind::States)
    }

    fn draw<DB: DrawingBackend>(
        self,
        root: &style::Area<DB>,
        report: &Report<'_>,
    ) -> style::DrawResult
    where
        DB::ErrorType: 'static,
    {
        let title = format!("{}: {}", self.title(), report.scenario.name);
        let (plot, legend) = style::frame(root, &title)?;
        match self {
            ChartKind::Rpo => rpo::draw(&plot, &legend, report),
            ChartKind::Links => links::draw(&plot, &legend, report),
            ChartKind::Backlog => backlog::draw(&plot, &legend, report),
            ChartKind::States => states::draw(&plot, &legend, report),
            ChartKind::RpoCdf => cdf::draw(&plot, &legend, report),
            ChartKind::Volumes => volumes::draw(&plot, &legend, report),
        }
    }

    /// The chart as an SVG document.
    pub fn svg(self, report: &Report<'_>) -> Result<String, Box<dyn std::error::Error>> {
        to_svg(&RunChart { kind: self, report })
    }

    /// The chart as RGB pixels, [`style::SIZE`] (row by row, 3 bytes a pixel).
    pub fn rgb(self, report: &Report<'_>) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        to_rgb(&RunChart { kind: self, report })
    }

    /// The chart as a PNG file.
    pub fn png(self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        to_png(&RunChart { kind: self, report }, out)
    }
}

/// Something drawn on a chart's canvas ([`style::SIZE`]): a run's chart, or a metric against
/// a swept parameter ([`metric::MetricChart`]).
pub trait Drawing {
    fn draw_on<DB: DrawingBackend>(&self, root: &style::Area<DB>) -> style::DrawResult
    where
        DB::ErrorType: 'static;
}

/// A chart of one run.
struct RunChart<'r, 'a> {
    kind: ChartKind,
    report: &'r Report<'a>,
}

impl Drawing for RunChart<'_, '_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &style::Area<DB>) -> style::DrawResult
    where
        DB::ErrorType: 'static,
    {
        self.kind.draw(root, self.report)
    }
}

impl Drawing for metric::MetricChart {
    fn draw_on<DB: DrawingBackend>(&self, root: &style::Area<DB>) -> style::DrawResult
    where
        DB::ErrorType: 'static,
    {
        self.draw(root)
    }
}

/// `drawing` as an SVG document.
pub fn to_svg(drawing: &impl Drawing) -> Result<String, Box<dyn std::error::Error>> {
    style::register_font();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, style::SIZE).into_drawing_area();
        drawing.draw_on(&root)?;
        root.present()?;
    }
    Ok(text)
}

/// `drawing` as RGB pixels, [`style::SIZE`] (row by row, 3 bytes a pixel).
pub fn to_rgb(drawing: &impl Drawing) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    style::register_font();
    let (w, h) = style::SIZE;
    let mut pixels = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, style::SIZE).into_drawing_area();
        drawing.draw_on(&root)?;
        root.present()?;
    }
    Ok(pixels)
}

/// `drawing` as a PNG file.
pub fn to_png(drawing: &impl Drawing, out: &mut dyn Write) -> std::io::Result<()> {
    let pixels = to_rgb(drawing).map_err(|e| std::io::Error::other(e.to_string()))?;
    let (w, h) = style::SIZE;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(out), w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder
        .write_header()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(())
}

/// A chart's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    Svg,
    Png,
}

/// One chart in one format, as an exporter.
#[derive(Debug, Clone, Copy)]
pub struct Chart {
    pub kind: ChartKind,
    pub format: ChartFormat,
}

/// `charts/<name>.<ext>` for each kind and format, as `&'static str`.
macro_rules! chart_files {
    ($($kind:ident => $name:literal,)+) => {
        fn file_name_of(kind: ChartKind, format: ChartFormat) -> &'static str {
            match (kind, format) {
                $(
                    (ChartKind::$kind, ChartFormat::Svg) => concat!("charts/", $name, ".svg"),
                    (ChartKind::$kind, ChartFormat::Png) => concat!("charts/", $name, ".png"),
                )+
            }
        }
    };
}

chart_files! {
    Rpo => "rpo",
    Links => "links",
    Backlog => "backlog",
    States => "states",
    RpoCdf => "rpo-cdf",
    Volumes => "volumes",
}

impl Exporter for Chart {
    fn file_name(&self) -> &'static str {
        file_name_of(self.kind, self.format)
    }

    fn applies(&self, report: &Report<'_>) -> bool {
        !self.kind.needs_series() || !report.run.series.is_empty()
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        match self.format {
            ChartFormat::Svg => {
                let svg = self
                    .kind
                    .svg(report)
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                out.write_all(svg.as_bytes())
            }
            ChartFormat::Png => self.kind.png(report, out),
        }
    }
}

/// Every chart in both formats, SVG first.
pub fn all() -> Vec<Chart> {
    ChartKind::ALL
        .iter()
        .flat_map(|&kind| [ChartFormat::Svg, ChartFormat::Png].map(|format| Chart { kind, format }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_kind_names() {
        for c in all() {
            let ext = match c.format {
                ChartFormat::Svg => "svg",
                ChartFormat::Png => "png",
            };
            assert_eq!(c.file_name(), format!("charts/{}.{ext}", c.kind.name()));
        }
    }
}
