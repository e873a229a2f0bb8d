//! A plan's charts: each bandwidth search as the criterion's figure against the bandwidths
//! it tried (`charts/search-<label>.svg` and `.png`), the target percent as a line. Each
//! candidate's point is the mean over its replications, its bar reaching down to the
//! one-sided 95% lower bound the search compares with the target: a candidate passes when
//! the bar's lower end is on or above the line.

use super::{Plan, Scope, SearchResult};
use crate::report::charts::metric::{Line, MetricChart, Point, Unit, XAxis};
use crate::report::charts::{to_png, to_svg};
use std::io::{self, Write};
use std::path::Path;

/// `every VM` -> `every-vm`, `ASR pair: 90% of the time` -> `asr-pair-90-of-the-time`.
fn slug(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The chart of one search.
pub fn search_chart(plan: &Plan, s: &SearchResult) -> MetricChart {
    // Each bandwidth once (a value tried twice gave the same trial), ascending.
    let mut steps: Vec<_> = s.found.steps.iter().collect();
    steps.sort_by_key(|st| st.value_bps);
    steps.dedup_by_key(|st| st.value_bps);
    let points = steps
        .iter()
        .map(|st| {
            let (mean, bound) = (
                st.detail.mean_percent / 100.0,
                st.detail.bound_percent / 100.0,
            );
            Some(Point {
                mean,
                interval: (st.detail.n > 1).then_some((bound.min(mean), mean)),
            })
        })
        .collect();
    let what = match s.criterion.scope {
        Scope::EveryVm => "worst VM's protected time within target",
        Scope::Estate => "estate's protected time within target",
    };
    let n = steps.first().map_or(0, |st| st.detail.n);
    let mut notes = vec![format!(
        "Each point: the mean of {n} replication(s); its bar reaches down to the one-sided 95% lower bound, which must reach the target line to pass."
    )];
    let stopped: usize = steps.iter().filter(|st| st.detail.halted > 0).count();
    if stopped > 0 {
        notes.push(format!(
            "{stopped} candidate(s) stopped early once they could not pass: their figure is the part simulated."
        ));
    }
    let mbps = |bps: u64| format!("{:.3} Mbps", bps as f64 / 1e6);
    notes.push(match (s.found.answer_bps, s.found.fail_bps) {
        (Some(a), Some(f)) => format!("Answer: {}; {} fails.", mbps(a), mbps(f)),
        (Some(a), None) => format!("Answer: {} (the smallest searched).", mbps(a)),
        (None, _) => "Not met at any bandwidth searched.".to_string(),
    });
    MetricChart {
        title: format!("Bandwidth search, {}: {}", s.label, plan.scenario),
        x_desc: format!("{} of link {}", s.knob.name(), plan.link),
        x: XAxis::Values {
            values: steps.iter().map(|st| st.value_bps as f64).collect(),
            unit: Unit::BitsPerSecond,
        },
        y_desc: what.to_string(),
        unit: Unit::Fraction,
        lines: vec![Line {
            label: "mean of the replications".to_string(),
            points,
        }],
        reference: Some((
            s.criterion.percent / 100.0,
            format!("target: {}%", s.criterion.percent),
        )),
        notes,
    }
}

/// Every search's chart: (file stem, chart), in the plan's order.
pub fn charts(plan: &Plan) -> Vec<(String, MetricChart)> {
    plan.searches
        .iter()
        .filter(|s| !s.found.steps.is_empty())
        .map(|s| (format!("search-{}", slug(&s.label)), search_chart(plan, s)))
        .collect()
}

/// Write each chart as `charts/<stem>.svg` and `.png` into `dir`.
pub fn write_charts(plan: &Plan, dir: &Path) -> io::Result<()> {
    let charts = charts(plan);
    if charts.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(dir.join("charts"))?;
    for (stem, chart) in &charts {
        let svg = to_svg(chart).map_err(|e| io::Error::other(e.to_string()))?;
        std::fs::write(dir.join(format!("charts/{stem}.svg")), svg)?;
        let mut file = std::fs::File::create(dir.join(format!("charts/{stem}.png")))?;
        to_png(chart, &mut file)?;
        file.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(slug("every VM"), "every-vm");
        assert_eq!(slug("ASR pair: 90% of the time"), "asr-pair-90-of-the-time");
        assert_eq!(slug("copy every 30s"), "copy-every-30s");
    }
}
