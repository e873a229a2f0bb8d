//! A Gantt of replication states from the event log (so it needs no time series): one row
//! per VM up to [`MAX_VM_ROWS`] VMs; past that one row per family (`web-01`, `web-02`: `web`)
//! whose bar is split, at each instant, by the share of its VMs in each state. Critical
//! health (from the health timeline) is drawn over the state it occurred in.

use super::axis::{self, TimeAxis};
use super::style::{self, Area, DrawResult, Legend, Mark};
use super::Report;
use crate::engine::Time;
use crate::replication::StateKind;
use crate::sim::health::Health;
use crate::sim::record::Mark as EventMark;
use crate::sim::EventKind;
use plotters::prelude::*;

pub const MAX_VM_ROWS: usize = 30;
pub const MAX_FAMILY_ROWS: usize = 30;
/// Time columns the run is cut into (each row's state is read at each column's middle).
const COLUMNS: usize = 600;

/// What a bar shows: states grouped as a reader of the portal groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Category {
    NotProtected,
    Enabling,
    InitialReplication,
    Protected,
    Critical,
    Paused,
    Resync,
    AdminRequired,
    Failover,
}

const CATEGORIES: [(Category, &str, RGBColor); 9] = [
    (
        Category::NotProtected,
        "not protected",
        RGBColor(205, 205, 205),
    ),
    (
        Category::Enabling,
        "enabling, IR pending",
        RGBColor(158, 202, 225),
    ),
    (
        Category::InitialReplication,
        "initial replication",
        RGBColor(49, 130, 189),
    ),
    (Category::Protected, "protected", RGBColor(116, 196, 118)),
    (Category::Critical, "critical health", RGBColor(222, 45, 38)),
    (
        Category::Paused,
        "replication paused",
        RGBColor(253, 208, 162),
    ),
    (
        Category::Resync,
        "resync (required, running)",
        RGBColor(253, 141, 60),
    ),
    (
        Category::AdminRequired,
        "admin required (error)",
        RGBColor(103, 0, 13),
    ),
    (
        Category::Failover,
        "failing / failed over",
        RGBColor(117, 107, 177),
    ),
];

fn category(s: StateKind) -> Category {
    match s {
        StateKind::Unprotected => Category::NotProtected,
        StateKind::EnablingProtection | StateKind::InitialReplicationPending => Category::Enabling,
        StateKind::InitialReplication | StateKind::FinalizingProtection => {
            Category::InitialReplication
        }
        StateKind::Protected => Category::Protected,
        StateKind::ReplicationPaused => Category::Paused,
        StateKind::ResyncRequired | StateKind::Resynchronizing | StateKind::ResyncPaused => {
            Category::Resync
        }
        StateKind::AdminRequired => Category::AdminRequired,
        StateKind::FailingOver | StateKind::FailedOver | StateKind::FailoverCommitted => {
            Category::Failover
        }
    }
}

/// Each VM's category at the middle of each column.
fn columns(report: &Report<'_>) -> Vec<Vec<Category>> {
    let sc = report.scenario;
    let vms = sc.vms.len();
    let horizon = sc.horizon.max(1);
    let mid = |c: usize| (horizon as u128 * (2 * c as u128 + 1) / (2 * COLUMNS as u128)) as Time;
    // State changes per VM, in time order; the state before the first is its `from`.
    let mut changes: Vec<Vec<(Time, StateKind)>> = vec![Vec::new(); vms];
    let mut first: Vec<Option<StateKind>> = vec![None; vms];
    for e in report.run.log.events() {
        let Some(vm) = e.vm().filter(|&vm| vm < vms) else {
            continue;
        };
        if e.kind != EventKind::State {
            continue;
        }
        if let EventMark::State(to) = e.to {
            if first[vm].is_none() {
                first[vm] = Some(match e.from {
                    EventMark::State(from) => from,
                    _ => to,
                });
            }
            changes[vm].push((e.at, to));
        }
    }
    let mut critical: Vec<Vec<(Time, Time)>> = vec![Vec::new(); vms];
    for span in report.run.log.health_spans() {
        if span.health == Health::Critical && span.vm < vms {
            critical[span.vm].push((span.from, span.to));
        }
    }
    (0..vms)
        .map(|v| {
            let start = first[v].unwrap_or_else(|| {
                let name = report.run.result.vms[v].state;
                StateKind::ALL
                    .into_iter()
                    .find(|k| k.name() == name)
                    .unwrap_or(StateKind::Unprotected)
            });
            let (mut state, mut i) = (start, 0);
            let mut spans = critical[v].clone();
            spans.sort_unstable();
            let mut j = 0;
            (0..COLUMNS)
                .map(|c| {
                    let t = mid(c);
                    while i < changes[v].len() && changes[v][i].0 <= t {
                        state = changes[v][i].1;
                        i += 1;
                    }
                    while j < spans.len() && spans[j].1 <= t {
                        j += 1;
                    }
                    let cat = category(state);
                    let crit = j < spans.len() && spans[j].0 <= t;
                    if crit && !matches!(cat, Category::NotProtected | Category::Failover) {
                        Category::Critical
                    } else {
                        cat
                    }
                })
                .collect()
        })
        .collect()
}

pub fn draw<DB: DrawingBackend>(
    plot: &Area<DB>,
    legend_area: &Area<DB>,
    report: &Report<'_>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let sc = report.scenario;
    let vms = sc.vms.len();
    let mut legend = Legend::new();
    let cols = columns(report);
    // Rows: (label, member VMs).
    let mut rows: Vec<(String, Vec<usize>)> = Vec::new();
    let by_family = vms > MAX_VM_ROWS;
    if !by_family {
        rows.extend((0..vms).map(|v| (sc.vms[v].name.clone(), vec![v])));
    } else {
        rows.extend(
            sc.families()
                .into_iter()
                .filter(|(_, members)| !members.is_empty())
                .map(|(name, members)| (name.to_string(), members)),
        );
        let families = rows.len();
        if families > MAX_FAMILY_ROWS {
            rows.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.1[0].cmp(&b.1[0])));
            rows.truncate(MAX_FAMILY_ROWS);
            rows.sort_by_key(|r| r.1[0]);
            legend.note(format!(
                "{families} families: the {MAX_FAMILY_ROWS} largest are shown."
            ));
        }
        for r in &mut rows {
            r.0 = format!("{} ({})", r.0, r.1.len());
        }
        legend.note(format!(
            "{vms} VMs by family (VMs in brackets): each bar is split by the share of the family's VMs in each state."
        ));
    }
    let n = rows.len().max(1) as f64;
    let ax = TimeAxis::new(&sc.calendar, sc.horizon);
    let centers: Vec<f64> = (0..rows.len()).map(|i| n - i as f64 - 0.5).collect();
    let label_of = |y: &f64| {
        let i = (n - y - 0.5).round();
        if i >= 0.0 && (i as usize) < rows.len() {
            let name = &rows[i as usize].0;
            if name.chars().count() > 22 {
                let mut s: String = name.chars().take(21).collect();
                s.push('…');
                s
            } else {
                name.clone()
            }
        } else {
            String::new()
        }
    };
    let mut chart = ChartBuilder::on(plot)
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(170)
        .build_cartesian_2d(ax.range(), axis::Ticks::new(0.0..n, centers))?;
    axis::shade(&mut chart, &ax.work_periods(), (0.0, n), style::WORK_HOURS)?;
    let x_fmt = |h: &f64| ax.label(*h);
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(ax.description())
        .y_desc(if by_family { "VM family" } else { "VM" })
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&label_of)
        .axis_desc_style(style::font(style::LABEL_SIZE))
        .label_style(style::font(style::TICK_SIZE))
        .draw()?;
    legend
        .entries
        .push(("work hours".into(), Mark::Fill(style::WORK_HOURS)));

    let col_h = ax.end_h / COLUMNS as f64;
    let mut seen = [false; CATEGORIES.len()];
    let mut rects = Vec::new();
    for (i, (_, members)) in rows.iter().enumerate() {
        let base = n - i as f64 - 0.85;
        let height = 0.7;
        let counts = |c: usize| {
            let mut k = [0u32; CATEGORIES.len()];
            for &v in members {
                k[cols[v][c] as usize] += 1;
            }
            k
        };
        let mut c = 0;
        while c < COLUMNS {
            let k = counts(c);
            let mut end = c + 1;
            while end < COLUMNS && counts(end) == k {
                end += 1;
            }
            let (x0, x1) = (c as f64 * col_h, end as f64 * col_h);
            let mut y = base;
            for (ci, &count) in k.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                seen[ci] = true;
                let h = height * f64::from(count) / members.len() as f64;
                rects.push(Rectangle::new(
                    [(x0, y), (x1, y + h)],
                    CATEGORIES[ci].2.filled(),
                ));
                y += h;
            }
            c = end;
        }
    }
    chart.draw_series(rects)?;
    for (ci, &(_, label, color)) in CATEGORIES.iter().enumerate() {
        if seen[ci] {
            legend.add(label, Mark::Fill(color));
        }
    }
    if rows.is_empty() {
        legend.note("This scenario has no VM.");
    }
    style::draw_legend(legend_area, &legend)
}
