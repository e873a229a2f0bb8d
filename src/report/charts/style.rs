//! What every chart shares: the embedded font, the canvas, colours, the title and the legend
//! beside the plot (never over the data).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::Once;

/// Every chart's size in pixels (the SVG's viewBox too).
pub const SIZE: (u32, u32) = (1200, 640);
/// Width of the legend column at the right of each chart.
pub const LEGEND_WIDTH: u32 = 250;

/// The family name charts ask for; the embedded font is registered under it.
pub const FONT: &str = "sans-serif";

/// DejaVu Sans (Bitstream Vera licence: `assets/fonts/LICENSE-DejaVu`), embedded so that PNG
/// rendering needs no font on the machine.
static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Register the embedded font with plotters (once per process).
pub fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if plotters::style::register_font(FONT, FontStyle::Normal, DEJAVU_SANS).is_err() {
            panic!("the embedded DejaVu Sans font does not parse");
        }
    });
}

pub fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

pub const TITLE_SIZE: u32 = 24;
pub const LABEL_SIZE: u32 = 16;
pub const TICK_SIZE: u32 = 14;
pub const LEGEND_SIZE: u32 = 14;

/// Light shading of work hours behind the data.
pub const WORK_HOURS: RGBColor = RGBColor(255, 244, 214);
/// Outages of a link, behind the data.
pub const OUTAGE: RGBColor = RGBColor(250, 205, 205);
pub const TARGET: RGBColor = RGBColor(200, 30, 30);
pub const GRID: RGBColor = RGBColor(225, 225, 225);

/// Colours for one line per item (Tableau 10).
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

pub fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// How an entry of the legend is drawn.
#[derive(Clone, Copy)]
pub enum Mark {
    Line(RGBColor),
    Thick(RGBColor),
    Dashed(RGBColor),
    Fill(RGBColor),
}

pub struct Legend {
    pub entries: Vec<(String, Mark)>,
    /// Lines of text under the entries (notes: what is aggregated, what is left out).
    pub notes: Vec<String>,
}

impl Legend {
    pub fn new() -> Legend {
        Legend {
            entries: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn add(&mut self, label: impl Into<String>, mark: Mark) {
        self.entries.push((label.into(), mark));
    }

    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }
}

pub type Area<DB> = DrawingArea<DB, Shift>;
pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// White canvas with the title on top; returns (plot area, legend area).
pub fn frame<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
) -> Result<(Area<DB>, Area<DB>), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let body = root.titled(title, font(TITLE_SIZE))?;
    let (w, _) = body.dim_in_pixel();
    let (plot, legend) = body.split_horizontally(w.saturating_sub(LEGEND_WIDTH));
    Ok((plot, legend))
}

/// Draw the legend entries top-down in `area`, then its notes, wrapped to the column.
pub fn draw_legend<DB: DrawingBackend>(area: &Area<DB>, legend: &Legend) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let text = font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    let mut y = 30i32;
    let x = 8i32;
    for (label, mark) in &legend.entries {
        match *mark {
            Mark::Line(c) => area.draw(&PathElement::new(
                vec![(x, y), (x + 26, y)],
                c.stroke_width(2),
            ))?,
            Mark::Thick(c) => area.draw(&PathElement::new(
                vec![(x, y), (x + 26, y)],
                c.stroke_width(4),
            ))?,
            Mark::Dashed(c) => {
                for i in 0..3 {
                    let a = x + i * 10;
                    area.draw(&PathElement::new(
                        vec![(a, y), (a + 6, y)],
                        c.stroke_width(2),
                    ))?;
                }
            }
            Mark::Fill(c) => {
                area.draw(&Rectangle::new([(x, y - 7), (x + 26, y + 7)], c.filled()))?;
                area.draw(&Rectangle::new(
                    [(x, y - 7), (x + 26, y + 7)],
                    RGBColor(160, 160, 160).stroke_width(1),
                ))?;
            }
        }
        area.draw_text(&clip(label, 26), &text, (x + 34, y))?;
        y += 22;
    }
    y += 10;
    let note = font(LEGEND_SIZE - 2)
        .color(&RGBColor(80, 80, 80))
        .pos(Pos::new(HPos::Left, VPos::Center));
    for line in legend.notes.iter().flat_map(|n| wrap(n, 32)) {
        area.draw_text(&line, &note, (x, y))?;
        y += 18;
    }
    Ok(())
}

/// A chart that has nothing to show says so in its plot area.
pub fn draw_empty<DB: DrawingBackend>(area: &Area<DB>, why: &str) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    let style = font(LABEL_SIZE).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(why, &style, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
