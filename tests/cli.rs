//! The command line end to end (issue "Foundation", points 6, 7 and 8 e, g).

use assert_cmd::Command;
use std::path::Path;

fn drsim() -> Command {
    Command::cargo_bin("drsim").unwrap()
}

const QUICKSTART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml");
const FILES: [&str; 7] = [
    "summary.json",
    "vms.csv",
    "timeseries.csv",
    "events.csv",
    "jobs.csv",
    "health.csv",
    "failovers.csv",
];

fn run_into(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    drsim()
        .args(["run", QUICKSTART, "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

#[test]
fn run_with_check_succeeds_and_writes_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, checked) = (dir.path().join("plain"), dir.path().join("checked"));
    run_into(&plain, &[]).success();
    let out = run_into(&checked, &["--check"]).success();
    assert!(out.get_output().stderr.is_empty());
    for f in FILES {
        let (x, y) = (
            std::fs::read(plain.join(f)).unwrap(),
            std::fs::read(checked.join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs with --check");
    }
    // Only `run` checks.
    drsim()
        .args(["validate", QUICKSTART, "--check"])
        .assert()
        .code(2);
}

#[test]
fn run_writes_every_file_stamped_and_identical_across_runs_timed_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let out = run_into(&a, &[]).success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("dc01"), "{stdout}");
    assert!(stdout.contains("link wan:"), "{stdout}");
    assert!(out.get_output().stderr.is_empty());
    // The second run also prints its wall-clock timing, which must not reach any file.
    let timed = run_into(&b, &["--timing"]).success();
    let stderr = String::from_utf8(timed.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.starts_with("timing: load ") && stderr.contains(" s, simulate "),
        "{stderr}"
    );
    for f in FILES {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(
            x == y,
            "{f} differs between two runs of the same scenario and seed"
        );
        let text = String::from_utf8(x).unwrap();
        assert!(
            text.contains("drsim ") || text.contains("\"drsim_version\""),
            "{f} lacks the version"
        );
        assert!(text.contains("fnv1a64:"), "{f} lacks the scenario hash");
        assert!(text.contains("seed"), "{f} lacks the seed");
    }
    // No temporary folders are left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn json_output_follows_the_summary_contract() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_into(&dir.path().join("o"), &["--json", "--seed", "5"]).success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["scenario"], "quickstart");
    assert_eq!(v["seed"], 5);
    assert_eq!(v["horizon_s"], 86_400.0);
    assert!(v["events_processed"].as_u64().unwrap() > 100);
    let vms = v["vms"].as_array().unwrap();
    assert_eq!(vms.len(), 3);
    for key in [
        "name",
        "state",
        "protected_at_s",
        "initial_replication_s",
        "rpo_s_mean",
        "rpo_s_p50",
        "rpo_s_p95",
        "rpo_s_p99",
        "rpo_s_max",
        "rpo_target_met_fraction",
        "bytes_written",
        "bytes_replicated",
        "cycles_done",
        "cycles_missed",
    ] {
        assert!(vms[0].get(key).is_some(), "vms[0] lacks {key}");
    }
    assert!(v["link"]["bytes_sent"].as_u64().unwrap() > 0);
    let u = v["link"]["utilization_mean"].as_f64().unwrap();
    assert!(u > 0.0 && u <= 1.0, "{u}");
    // The file on disk is the same document.
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("o/summary.json")).unwrap()).unwrap();
    assert_eq!(file, v);
}

#[test]
fn another_seed_is_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    run_into(&out, &[]).success();
    let before = std::fs::read(out.join("summary.json")).unwrap();
    // Same scenario and seed: replacing is harmless and allowed.
    run_into(&out, &[]).success();
    let refused = run_into(&out, &["--seed", "9"]).code(2);
    let stderr = String::from_utf8(refused.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("holds results of scenario quickstart"),
        "{stderr}"
    );
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read(out.join("summary.json")).unwrap(),
        before,
        "left untouched"
    );
    run_into(&out, &["--seed", "9", "--force"]).success();
    let after: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(after["seed"], 9);
}

#[test]
fn a_folder_that_is_not_drsim_output_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("thesis.tex"), "precious").unwrap();
    let refused = run_into(dir.path(), &["--force"]).code(2);
    let stderr = String::from_utf8(refused.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("is not a drsim output folder"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("thesis.tex")).unwrap(),
        "precious"
    );
}

#[test]
fn validate_reports_errors_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(QUICKSTART)
        .unwrap()
        .replace("\"5m\" ", "\"10m\"");
    std::fs::write(&bad, text).unwrap();
    let out = drsim().arg("validate").arg(&bad).assert().code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("bad.toml:"), "{stderr}");
    assert!(stderr.contains("policies[0].copy_interval"), "{stderr}");
    // A bad file given to `run` writes nothing.
    drsim()
        .arg("run")
        .arg(&bad)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .code(2);
    assert!(!dir.path().join("o").exists());
    drsim().args(["validate", QUICKSTART]).assert().success();
    drsim()
        .args(["validate", "no-such-file.toml"])
        .assert()
        .code(2);
}

#[test]
fn states_prints_the_transition_table() {
    let out = drsim().arg("states").assert().success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout, drsim::replication::state_machine_markdown());
    assert!(stdout.contains("| protected | cycle-tick | protected |"));
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/state-machine.md"
    ))
    .unwrap();
    assert!(
        doc == stdout,
        "docs/state-machine.md is stale: regenerate it with `drsim states`"
    );
}

#[test]
fn events_log_lists_the_lifecycle_in_order() {
    let dir = tempfile::tempdir().unwrap();
    run_into(&dir.path().join("o"), &[]).success();
    let events = std::fs::read_to_string(dir.path().join("o/events.csv")).unwrap();
    let dc01: Vec<&str> = events
        .lines()
        .filter(|l| l.contains(",dc01,state,"))
        .map(|l| l.rsplit(",state,").next().unwrap())
        .collect();
    assert_eq!(
        dc01,
        [
            "unprotected,enabling-protection,",
            "enabling-protection,initial-replication,",
            "initial-replication,finalizing-protection,",
            "finalizing-protection,protected,",
        ]
    );
    assert!(events
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("time_s,datetime,vm,event"));
}

#[test]
fn failovers_csv_has_a_row_per_vm_of_each_failover() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/hyperv-site-to-azure.toml"
    );
    let out = drsim()
        .args(["run", scenario, "--out"])
        .arg(dir.path().join("o"))
        .assert()
        .success();
    // The terminal summary has a line per failover. RTO: the plan's boots and steps (30 min)
    // and three groups prepared for the default 5 min each.
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains(
            "failover 2: unplanned of plan office-dr at Mon 2026-11-23 14:20:00: RTO 45m, lost "
        ),
        "{stdout}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("o/summary.json")).unwrap()).unwrap();
    let expected: usize = summary["failovers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["vms"].as_array().unwrap().len())
        .sum();
    let text = std::fs::read_to_string(dir.path().join("o/failovers.csv")).unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(rows[0].starts_with("failover,kind,target,target_type,at_s,rto_s"));
    assert_eq!(rows.len() - 1, expected);
    assert!(expected >= 8, "{expected}");
    // The unplanned failover of the plan after the office is lost: 592 MB in all.
    let lost: u64 = rows[1..]
        .iter()
        .filter(|r| r.contains(",unplanned,"))
        .map(|r| r.split(',').nth(12).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(
        lost,
        summary["failovers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == "unplanned")
            .unwrap()["data_loss_bytes"]
            .as_u64()
            .unwrap()
    );
}

#[test]
fn a_run_off_a_terminal_prints_no_progress() {
    // stderr is a pipe here, as in a batch job: no progress bar, nothing at all.
    let dir = tempfile::tempdir().unwrap();
    let out = run_into(&dir.path().join("o"), &[]).success();
    assert!(out.get_output().stderr.is_empty(), "{:?}", out.get_output());
    let quiet = run_into(&dir.path().join("q"), &["--quiet"]).success();
    assert!(quiet.get_output().stderr.is_empty());
}

#[test]
fn the_readme_run_examples_are_what_drsim_prints() {
    // The README's worked examples, every line but the output folder, as drsim prints them.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for name in ["quickstart", "link-outage"] {
        let start = format!("$ cargo run --release -- run scenarios/{name}.toml\n");
        let block = &readme[readme.find(&start).expect("the README's example") + start.len()..];
        let end = format!("results in output/{name}\n");
        let block = &block[..block.find(&end).expect("its last line")];
        let dir = tempfile::tempdir().unwrap();
        let scenario = format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
        let out = drsim()
            .args(["run", &scenario, "--no-charts", "--out"])
            .arg(dir.path().join("o"))
            .assert()
            .success();
        let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        let printed = &stdout[..stdout.find("results in ").expect("the folder line")];
        assert_eq!(
            printed, block,
            "the README's {name} example should read:\n{printed}"
        );
    }
}
