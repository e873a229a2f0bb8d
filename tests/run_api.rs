//! The run API (`drsim::run`): a scenario in, results, log and series out, in memory; the
//! halt hook; the series bound; exporters over the output.

use drsim::report::{self, Report, Stamp};
use drsim::run::{run, RunError, RunSpec};
use std::path::Path;

fn quickstart() -> drsim::model::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
    drsim::scenario::load(&path).unwrap()
}

#[test]
fn series_hold_every_sample_and_the_estate_adds_up_the_vms() {
    let sc = quickstart();
    let out = run(RunSpec::new(&sc)).unwrap();
    // One day at a 5-minute step: samples at 0, 5m, ... 23h55m.
    assert_eq!(out.series.len(), 288);
    assert_eq!(out.series.times()[1], 300_000);
    for i in 0..out.series.len() {
        let points: Vec<_> = (0..sc.vms.len()).map(|vm| out.series.vm(i, vm)).collect();
        let e = out.series.estate(i);
        assert_eq!(
            e.backlog_bytes,
            points.iter().map(|p| p.backlog_bytes).sum::<u64>()
        );
        assert_eq!(
            e.rpo_max_ms,
            points.iter().filter_map(|p| p.rpo_ms).max(),
            "sample {i}"
        );
        let protected = points
            .iter()
            .filter(|p| p.state == drsim::replication::StateKind::Protected)
            .count();
        assert_eq!(e.protected as usize, protected);
    }
    // The link is used while the VMs replicate, and its capacity is the scenario's.
    let l = out.series.link(12, 0);
    assert_eq!(l.capacity_bps, 100_000_000);
    assert!(l.utilization.unwrap() > 0.0);
    assert!(out.halted_at.is_none());
    assert!(out.log.event_count() > 0);
}

#[test]
fn series_are_optional_and_change_no_result() {
    let sc = quickstart();
    let with = run(RunSpec::new(&sc)).unwrap();
    let without = run(RunSpec::new(&sc).keep_series(false)).unwrap();
    assert!(without.series.is_empty());
    assert_eq!(with.result, without.result);
}

#[test]
fn a_halt_hook_that_never_halts_changes_nothing_and_one_that_halts_ends_the_run_there() {
    let sc = quickstart();
    let plain = run(RunSpec::new(&sc)).unwrap();
    let mut asked = 0u32;
    let mut never = |_: &drsim::run::Progress<'_>| {
        asked += 1;
        false
    };
    let watched = run(RunSpec::new(&sc).halt_every(3_600_000, &mut never)).unwrap();
    assert_eq!(watched.result, plain.result);
    assert!(watched.halted_at.is_none());
    // Asked once per hour of the day that has an event (every hour has cycle ticks).
    assert_eq!(asked, 24);

    // Halt when app01 (office hours, 4 MB/s) has spent 30 minutes over its target.
    let app01 = sc.vms.iter().position(|v| v.name == "app01").unwrap();
    let mut over = |p: &drsim::run::Progress<'_>| p.rpo_observed_and_missed_ms(app01).1 > 1_800_000;
    let halted = run(RunSpec::new(&sc).halt_every(60_000, &mut over)).unwrap();
    let at = halted
        .halted_at
        .expect("app01 misses its target for over 30 minutes");
    assert!(at < sc.horizon);
    assert_eq!(halted.result.horizon, at);
    assert!(halted.result.events_processed < plain.result.events_processed);
    // The series stop at the halt, and the figures cover the time up to it.
    assert!(*halted.series.times().last().unwrap() < at);
    let missed_s = {
        let r = &halted.result.vms[app01].rpo;
        r.observed_s * (1.0 - r.target_met_fraction.unwrap())
    };
    // Over 30 minutes at the halt, and the hook is asked every minute: under 31.
    assert!((1800.0..1860.0).contains(&missed_s), "{missed_s}");
}

#[test]
fn a_run_whose_series_would_not_fit_is_refused_before_it_starts() {
    let sc = quickstart();
    let mut spec = RunSpec::new(&sc);
    spec.max_series_bytes = 1000;
    let err = run(spec).unwrap_err();
    let RunError::SeriesTooLarge { samples, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(*samples, 288);
    let text = err.to_string();
    assert!(text.contains("coarser sample_step"), "{text}");
    // Without series the same run is fine.
    let mut spec = RunSpec::new(&sc).keep_series(false);
    spec.max_series_bytes = 1000;
    assert!(run(spec).is_ok());
}

#[test]
fn exporters_write_from_memory_what_the_command_line_writes_to_its_folder() {
    let sc = quickstart();
    let out = run(RunSpec::new(&sc)).unwrap();
    let stamp = Stamp::new(&sc, out.seed);
    let report = Report::new(&sc, &stamp, &out);
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("q");
    assert_cmd::Command::cargo_bin("drsim")
        .unwrap()
        .arg("run")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml"))
        .arg("--out")
        .arg(&folder)
        .assert()
        .success();
    for e in report::standard() {
        let written = std::fs::read(folder.join(e.file_name())).unwrap();
        assert!(
            written == report::to_bytes(e.as_ref(), &report),
            "{} differs",
            e.file_name()
        );
    }
    let links = String::from_utf8(report::to_bytes(&report::LinksTimeseriesCsv, &report)).unwrap();
    // The stamp, the header, one row per link and sample.
    assert_eq!(links.lines().count(), 2 + 288);
    assert!(links
        .lines()
        .nth(2)
        .unwrap()
        .starts_with("0,2026-11-23T08:00:00.000,wan,100000000,"));
}
