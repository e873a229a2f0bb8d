//! The invariant checker over every bundled scenario (issue 12, point 8): a checked run of
//! each finds no violation, and gives the same results as an unchecked one. (Builds with
//! debug assertions check every run anyway, and a violation panics; in a release build,
//! `cargo test --release`, `check(true)` is what turns the checks on.)

use drsim::run::{run, RunError, RunSpec, Violation};
use drsim::sim::check::Subject;
use std::path::PathBuf;

fn bundled() -> Vec<PathBuf> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
}

#[test]
fn every_bundled_scenario_runs_checked_without_a_violation() {
    let paths = bundled();
    assert!(paths.len() >= 8, "{paths:?}");
    for path in paths {
        let sc = drsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let checked = run(RunSpec::new(&sc).check(true))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let plain = run(RunSpec::new(&sc)).unwrap();
        assert_eq!(
            format!("{:?}", checked.result),
            format!("{:?}", plain.result),
            "{}: checking changed the results",
            path.display()
        );
        assert_eq!(checked.log.events().count(), plain.log.events().count());
        assert!(checked.result.events_processed > 0);
    }
}

#[test]
fn a_violation_reads_as_a_bug_with_when_and_where() {
    let err = RunError::InvariantViolated(Violation {
        at: 90_000,
        subject: Subject::Link {
            index: 0,
            name: "wan".into(),
        },
        what: "over capacity".into(),
    });
    assert_eq!(
        err.to_string(),
        "invariant violated at 1m30s (90000 ms): link \"wan\" (#0): over capacity (a bug in drsim: please report it with the scenario and seed)"
    );
}
