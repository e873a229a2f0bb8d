//! Run budgets and no hangs (issue 15, point 1): a run estimated over its event or output
//! budget is refused before any event; one that reaches a budget stops with its partial
//! results marked, exit code 3 and a complete folder; degenerate inputs are refused with a
//! reason or finish in a bounded number of events.

use assert_cmd::Command;
use drsim::run::budget::{self, Budget};
use drsim::run::{run, Exceeded, RunError, RunSpec};
use std::path::{Path, PathBuf};

fn drsim() -> Command {
    Command::cargo_bin("drsim").unwrap()
}

/// A one-site scenario: `policy` lines in the policy table, `vms` after the host.
fn scenario(duration: &str, extra: &str, policy: &str, vms: &str) -> String {
    format!(
        "[scenario]\nname = \"budget\"\ntopology = \"hyperv-to-azure\"\nstart = \"2026-11-23T08:00\"\n\
         duration = \"{duration}\"\nseed = 1\n{extra}\n\
         [[links]]\nname = \"internet\"\ncapacity = \"100 Mbps\"\n\n\
         [[policies]]\nname = \"p\"\ncopy_interval = \"5m\"\n{policy}\n\
         [[sites]]\nname = \"branch\"\n\n[[hosts]]\nname = \"hv01\"\n\n{vms}"
    )
}

fn one_vm(churn: &str, size: &str) -> String {
    format!("[[vms]]\nname = \"a\"\nchurn = \"{churn}\"\ndisks = [{{ size = \"{size}\", used = \"{size}\" }}]\n")
}

/// `text` as `s.toml` (and `files` beside it) in a fresh folder.
fn folder(text: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Run `drsim run s.toml --out DIR/out` with `args`: (exit code, stderr with the folder's
/// path replaced by DIR).
fn run_cli(text: &str, files: &[(&str, &str)], args: &[&str]) -> (tempfile::TempDir, i32, String) {
    let (dir, path) = folder(text, files);
    let out = dir.path().join("out");
    let a = drsim()
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .args(args)
        .assert();
    let o = a.get_output();
    let stderr =
        String::from_utf8_lossy(&o.stderr).replace(&dir.path().display().to_string(), "DIR");
    (dir, o.status.code().unwrap_or(-1), stderr)
}

#[test]
fn a_millisecond_sample_step_over_30_days_for_100_vms_is_refused_before_any_event() {
    let vms = "[[vms]]\nname = \"vm\"\ncount = 100\nchurn = \"1 MB/s\"\ndisks = [{ size = \"100 GiB\", used = \"10 GiB\" }]\n";
    let text = scenario("30d", "sample_step = \"1ms\"", "", vms);
    let sc = drsim::scenario::from_text(&text, "s.toml".as_ref()).unwrap();
    // A hook asked before the first event would see it: it must never be asked.
    let mut asked = 0u32;
    let mut hook = |_: &drsim::run::Progress<'_>| {
        asked += 1;
        false
    };
    let e = run(RunSpec::new(&sc).halt_every(1, &mut hook)).unwrap_err();
    assert_eq!(asked, 0, "no event was processed");
    assert_eq!(
        e.to_string(),
        "the run would write up to 34.14 TiB of tables (264,384,000,102 time-series rows at a sample_step of 1ms), over the output budget of 2.00 GiB; use a coarser sample_step or a shorter duration, or write at most SIZE with --max-output-size SIZE (the results then stop there, partial)"
    );
    assert!(matches!(e, RunError::OverBudget(_)));
    // The command line says the same, exit code 2, and writes nothing.
    let (dir, code, stderr) = run_cli(&text, &[], &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("over the output budget of 2.00 GiB; use a coarser sample_step"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_run_estimated_over_the_event_budget_is_refused_before_any_event() {
    let text = scenario("1d", "", "", &one_vm("1 MB/s", "10 GiB"));
    let sc = drsim::scenario::from_text(&text, "s.toml".as_ref()).unwrap();
    let mut asked = 0u32;
    let mut hook = |_: &drsim::run::Progress<'_>| {
        asked += 1;
        false
    };
    let budget = Budget {
        max_events: 100,
        ..Budget::default()
    };
    let e = run(RunSpec::new(&sc).budget(budget).halt_every(1, &mut hook)).unwrap_err();
    assert_eq!(asked, 0, "no event was processed");
    assert_eq!(
        e.to_string(),
        "the run would process up to 3,824 events, over the event budget of 100; use a shorter duration, fewer VMs, a longer copy_interval or a coarser sample_step, or run at most N events with --max-events N (the results then stop there, partial)"
    );
}

/// Every file of the folder, sorted (subfolders as `charts/...`).
fn files(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().unwrap().is_dir() {
            names.extend(files(&e.path()).into_iter().map(|n| format!("{name}/{n}")));
        } else {
            names.push(name);
        }
    }
    names.sort();
    names
}

/// The files of a complete run of `scenarios/quickstart.toml`.
fn complete_folder() -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    drsim()
        .args(["run", "scenarios/quickstart.toml", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    files(&out)
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn a_run_that_reaches_the_event_budget_stops_marked_partial_with_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let a = drsim()
        .args([
            "run",
            "scenarios/quickstart.toml",
            "--quiet",
            "--max-events",
            "1000",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    let s = summary(&out);
    assert_eq!(s["events_processed"], 1000);
    let stopped = s["stopped"].as_str().unwrap();
    assert!(stopped.starts_with("stopped at 2026-"), "{stopped}");
    assert!(
        stopped.ends_with(
            ": event budget of 1,000 reached; rerun with --max-events 10000 (or a shorter duration)"
        ),
        "{stopped}"
    );
    assert_eq!(
        stderr,
        format!("scenarios/quickstart.toml: {stopped}; the results are partial\n")
    );
    // The reports say it first, before any figure.
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    let banner = format!("> **Partial results.** The run was {stopped}.");
    assert!(md.contains(&banner), "{md}");
    assert!(md.find(&banner) < md.find("## Headline"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let banner = format!("<b>Partial results.</b> The run was {stopped}.");
    assert!(html.contains(&banner), "report.html lacks {banner}");
    assert!(html.find(&banner) < html.find("<h2 id=\"estate\">"));
    // The folder is complete: every file a finished run writes, nothing left over.
    assert_eq!(files(&out), complete_folder());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_run_that_reaches_the_output_budget_stops_marked_partial_with_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let a = drsim()
        .args([
            "run",
            "scenarios/quickstart.toml",
            "--quiet",
            "--max-output-size",
            "10kB",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    let s = summary(&out);
    let stopped = s["stopped"].as_str().unwrap();
    assert!(
        stopped.ends_with(": output budget of 9.77 KiB reached; rerun with a coarser sample_step, a shorter duration or --max-output-size 100kB"),
        "{stopped}"
    );
    assert!(stderr.contains(stopped), "{stderr}");
    assert_eq!(files(&out), complete_folder());
    // The way out is an argument drsim takes, as printed (it once printed "97.66 KiB",
    // which is no whole number of bytes and needs quotes).
    drsim()
        .args(["run", "scenarios/quickstart.toml", "--quiet"])
        .args(["--max-output-size", "100kB", "--out"])
        .arg(dir.path().join("rerun"))
        .assert()
        .code(3);
    // The tables stayed within the hard limit (twice the budget).
    let tables: u64 = files(&out)
        .iter()
        .filter(|n| n.ends_with(".csv"))
        .map(|n| std::fs::metadata(out.join(n)).unwrap().len())
        .sum();
    assert!(tables <= 20_000, "{tables} bytes of tables");
}

#[test]
fn an_event_budget_stops_the_run_api_at_the_budget_with_the_results_so_far() {
    let text = std::fs::read_to_string("scenarios/quickstart.toml").unwrap();
    let sc = drsim::scenario::from_text(&text, "quickstart.toml".as_ref()).unwrap();
    // A budget the caller chose: a stop, not a refusal.
    let budget = Budget {
        max_events: 500,
        refuse_over_estimate: false,
        ..Budget::default()
    };
    let out = run(RunSpec::new(&sc).budget(budget)).unwrap();
    assert_eq!(out.result.events_processed, 500);
    assert_eq!(out.exceeded, Some(Exceeded::Events { limit: 500 }));
    let at = out.halted_at.unwrap();
    assert!(at < sc.horizon);
    assert!(out.series.times().iter().all(|&t| t <= at));
    // Without a budget stop there is no mark.
    let full = run(RunSpec::new(&sc)).unwrap();
    assert_eq!((full.halted_at, full.exceeded), (None, None));
    assert!(full.stopped(&sc).is_none());
}

#[test]
fn every_bundled_scenario_is_within_its_estimate_and_the_default_budgets() {
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let sc = drsim::scenario::load(&path).unwrap();
        let est = budget::estimate(&sc);
        let out = run(RunSpec::new(&sc)).unwrap();
        let events = out.result.events_processed;
        assert!(
            est.events >= events && est.events <= events.saturating_mul(40),
            "{}: estimate {} events, ran {events}",
            path.display(),
            est.events
        );
        assert!(est.events < budget::DEFAULT_MAX_EVENTS / 1000);
        assert!(est.output_bytes < budget::DEFAULT_MAX_OUTPUT_BYTES / 100);
    }
}

#[test]
fn the_canonical_estates_are_well_within_the_default_budgets() {
    for (vms, days, step) in [(1000, 7, "6h"), (100_000, 1, "6h")] {
        let text = drsim::generated::canonical::scenario_toml(vms, days, 0.95, step);
        let sc = drsim::scenario::from_text(&text, "c.toml".as_ref()).unwrap();
        let est = budget::estimate(&sc);
        assert!(
            est.events < budget::DEFAULT_MAX_EVENTS / 2,
            "{vms}: {est:?}"
        );
        assert!(
            est.output_bytes < budget::DEFAULT_MAX_OUTPUT_BYTES / 2,
            "{vms}: {est:?}"
        );
    }
}

#[test]
fn disks_of_zero_or_one_byte_are_refused_with_the_reason() {
    // Zero is refused where it is written, by the field's domain check.
    let text = scenario("1d", "", "", &one_vm("4 MB/s", "0 B"));
    let (_dir, code, stderr) = run_cli(&text, &[], &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: DIR/s.toml:")
            && stderr.contains(": vms[0].disks[0].size: a disk of zero size\n"),
        "{stderr}"
    );
    // Above zero, the model's size limit says why.
    for (size, shown) in [("1 B", "1 B"), ("1023 KiB", "1023.00 KiB")] {
        let text = scenario("1d", "", "", &one_vm("4 MB/s", size));
        let (_dir, code, stderr) = run_cli(&text, &[], &[]);
        assert_eq!(code, 2);
        assert_eq!(
            stderr,
            format!("error: DIR/s.toml:25:19: vms[0].disks[0].size: VM \"a\": {shown} is outside the disk sizes drsim models, 1.00 MiB to 64.00 TiB (a smaller disk reaches the 50% rule's threshold with its first write and resyncs without end)\n  allowed: 1.00 MiB to 64.00 TiB\n")
        );
    }
}

#[test]
fn a_vm_writing_2147483648_mb_per_s_is_refused_with_the_reason() {
    let text = scenario("1d", "", "", &one_vm("2147483648 MB/s", "100 GiB"));
    let (_dir, code, stderr) = run_cli(&text, &[], &[]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: DIR/s.toml:24:9: vms[0].disks[0].churn: VM \"a\": writes at up to 17179.869 Tbps, over the fastest churn drsim models, 80 Gbps per disk\n  allowed: at most 80 Gbps\n"
    );
}

#[test]
fn a_trace_of_1e308_bytes_per_s_is_refused_like_the_same_rate_in_the_scenario() {
    // Located at the VM's `churn` (line 29: the profile it names holds the rate).
    let perf = "\"(PDH-CSV 4.0) (GMT Standard Time)(0)\",\"\\\\HV\\Hyper-V Virtual Storage Device(D:-VMs-a-a.vhdx)\\Write Bytes/sec\"\r\n\
                \"11/23/2026 08:00:00.000\",\" \"\r\n\
                \"11/23/2026 08:01:00.000\",\"1e308\"\r\n";
    let vms = "[[profiles]]\nname = \"measured\"\nkind = \"perfmon\"\nfile = \"perf.csv\"\n\n\
               [[vms]]\nname = \"a\"\nchurn = \"measured\"\ndisks = [{ size = \"100 GiB\" }]\n";
    let text = scenario("1h", "", "", vms);
    let (_dir, code, stderr) = run_cli(&text, &[("perf.csv", perf)], &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("DIR/s.toml:29:9: vms[0].disks[0].churn: VM \"a\": writes at up to ")
            && stderr.contains(", over the fastest churn drsim models, 80 Gbps per disk"),
        "{stderr}"
    );
}

#[test]
fn the_most_degenerate_accepted_disk_finishes_in_bounded_events_with_time_advancing() {
    // The smallest disk at the fastest churn, resyncing at once: its 50% rule fires within
    // a millisecond of every resync. Every step takes time: at most a few events per ms.
    // (By default the rule fires during its initial replication already, which then starts
    // over after a minute's back-off; the rule from protection on reaches the resync loop.)
    let text = scenario(
        "5m",
        "",
        "resync_start = \"immediate\"\nresync_threshold_during_ir = false",
        &one_vm("10 GB/s", "1 MiB"),
    );
    let sc = drsim::scenario::from_text(&text, "s.toml".as_ref()).unwrap();
    let out = run(RunSpec::new(&sc)).unwrap();
    assert_eq!(out.halted_at, None);
    let events = out.result.events_processed;
    assert!(events > 1000, "{events}: the resync loop ran");
    assert!(
        events <= 10 * sc.horizon,
        "{events} events in {} ms",
        sc.horizon
    );
}

#[test]
fn bench_refuses_days_and_vms_out_of_range_at_once() {
    for (args, message) in [
        (
            ["--days", "4294967295"],
            "error: invalid value '4294967295' for '--days <DAYS>': out of range; allowed: a whole number from 1 to 3,650\n",
        ),
        (
            ["--vms", "4294967295"],
            "error: invalid value '4294967295' for '--vms <VMS>': out of range; allowed: a whole number from 1 to 1,000,000\n",
        ),
    ] {
        let a = drsim().arg("bench").args(args).assert().code(2);
        let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        assert!(stderr.starts_with(message), "{stderr}");
    }
    // In range but over the event budget: refused before simulating, no abort.
    let a = drsim()
        .args(["bench", "--vms", "1000000", "--days", "3650"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(
        stderr.starts_with("error: bench --vms 1000000 --days 3650: the run would process up to "),
        "{stderr}"
    );
}

#[test]
fn command_line_numbers_out_of_range_or_negative_get_a_message_in_the_users_words() {
    let q = "scenarios/quickstart.toml";
    for (args, message) in [
        (
            vec!["sweep", q, "--replications", "-1"],
            "error: invalid value '-1' for '--replications <REPLICATIONS>': cannot be negative; allowed: a whole number from 1 to 1,000,000\n",
        ),
        (
            vec!["sweep", q, "--threads", "0"],
            "error: invalid value '0' for '--threads <THREADS>': out of range; allowed: a whole number from 1 to 1,024\n",
        ),
        (
            vec!["plan", q, "--replications", "5000"],
            "error: invalid value '5000' for '--replications <REPLICATIONS>': out of range; allowed: a whole number from 1 to 1,000\n",
        ),
        (
            vec!["plan", q, "--percent", "-3"],
            "error: --percent -3 is outside (0, 100]: the share of protected time the RPO must be within target\n",
        ),
        (
            vec!["plan", q, "--growth", "-150%"],
            "error: --growth -150%: out of range; allowed: a percentage above -100%, e.g. 30% or -20%\n",
        ),
        (
            vec!["run", q, "--max-events", "0"],
            "error: invalid value '0' for '--max-events <N>': out of range; allowed: a whole number from 1 to 18,446,744,073,709,551,615\n",
        ),
        (
            vec!["bench", "--vms", "-5"],
            "error: invalid value '-5' for '--vms <VMS>': cannot be negative; allowed: a whole number from 1 to 1,000,000\n",
        ),
        (
            vec!["gen", "canonical", "--vms", "x"],
            "error: invalid value 'x' for '--vms <VMS>': not a whole number; allowed: a whole number from 1 to 1,000,000\n",
        ),
    ] {
        // Refused while reading the arguments: nothing is run or written.
        let a = drsim()
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        assert!(stderr.starts_with(message), "{args:?}: {stderr}");
    }
}
