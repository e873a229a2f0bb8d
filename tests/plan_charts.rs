//! The planner's charts: one per bandwidth search, each candidate the search tried (once,
//! ascending) with its mean and one-sided lower bound, the target as a line; written as SVG
//! and PNG beside plan.json.

use drsim::plan::{self, PlanSpec};
use drsim::report::charts::metric::XAxis;
use std::path::Path;

/// Two VMs with bursty writes over a day: replications differ, so the bars have length.
const ESTATE: &str = r#"
[scenario]
name = "plan-charts"
topology = "hyperv-to-azure"
start = "2026-11-23T08:00"
duration = "1d"
seed = 3

[[links]]
name = "wan"
capacity = "100 Mbps"

[[policies]]
name = "p"
copy_interval = "5m"
target_rpo = "15m"

[[sites]]
name = "s"
link = "wan"
policy = "p"

[[hosts]]
name = "h"

[[profiles]]
name = "bursty"
kind = "bursts"
base = "200 kB/s"
burst_rate = "8 MB/s"
mean_gap = "45m"
burst_size_median = "1 GB"

[[vms]]
name = "vm"
count = 2
host = "h"
protected_at_start = true
churn = "bursty"
disks = [{ size = "100 GiB", used = "10 GiB" }]
"#;

#[test]
fn each_search_is_drawn_from_its_steps() {
    let sc = drsim::scenario::from_text(ESTATE, Path::new("plan-charts.toml")).unwrap();
    let spec = PlanSpec {
        target_rpo: 15 * 60_000,
        percent: 95.0,
        replications: 4,
        growth_percent: 0.0,
        seed: None,
        threads: Some(1),
        ir_goal: drsim::plan::batch::DEFAULT_IR_GOAL,
    };
    let made = plan::plan(&sc, spec).unwrap();
    let charts = plan::charts::charts(&made);
    let searched: Vec<_> = made
        .searches
        .iter()
        .filter(|s| !s.found.steps.is_empty())
        .collect();
    assert_eq!(charts.len(), searched.len());
    assert_eq!(charts[0].0, "search-every-vm");
    for ((_, chart), s) in charts.iter().zip(&searched) {
        let mut tried: Vec<u64> = s.found.steps.iter().map(|st| st.value_bps).collect();
        tried.sort_unstable();
        tried.dedup();
        let XAxis::Values { values, .. } = &chart.x else {
            panic!("a search's x is its bandwidths")
        };
        assert_eq!(values, &tried.iter().map(|&v| v as f64).collect::<Vec<_>>());
        let target = s.criterion.percent / 100.0;
        assert_eq!(chart.reference.as_ref().unwrap().0, target);
        for (x, p) in tried.iter().zip(&chart.lines[0].points) {
            let st = s.found.steps.iter().find(|st| st.value_bps == *x).unwrap();
            let p = p.unwrap();
            assert_eq!(p.mean, st.detail.mean_percent / 100.0);
            let (lo, hi) = p.interval.expect("4 replications give a bound");
            assert_eq!((lo, hi), (st.detail.bound_percent / 100.0, p.mean));
            // The verdict the chart shows is the search's: the bar's end against the line.
            assert_eq!(lo >= target - 1e-12, st.pass, "{x} bps");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    plan::charts::write_charts(&made, dir.path()).unwrap();
    let svg = std::fs::read_to_string(dir.path().join("charts/search-every-vm.svg")).unwrap();
    assert!(svg.contains("Bandwidth search, every VM: plan-charts"));
    assert!(dir.path().join("charts/search-estate.png").is_file());
}
