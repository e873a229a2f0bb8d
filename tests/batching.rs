//! Initial-replication batching (issue 17): `batch`, `protect_after`,
//! `protect_after_delay` in the simulation, their errors, and the planner's batch plan.

use drsim::model::Scenario;
use drsim::run::{run, RunSpec};
use drsim::sim::RunResult;
use std::path::Path;

fn scenario(text: &str) -> Scenario {
    drsim::scenario::from_text(text, Path::new("batch-test.toml"))
        .unwrap_or_else(|e| panic!("scenario rejected:\n{e}"))
}

fn errors(text: &str) -> String {
    match drsim::scenario::from_text(text, Path::new("batch-test.toml")) {
        Ok(_) => panic!("accepted a scenario with an error"),
        Err(e) => e.to_string(),
    }
}

fn result(sc: &Scenario) -> RunResult {
    run(RunSpec::new(sc).keep_series(false)).unwrap().result
}

/// A 80 Mbps link (10^7 B/s), one host, the default jobs (enable 2 min, finalize 1 min),
/// and `vms` appended. Idle disks: initial replication copies the used bytes and finalize
/// has no IR-time log to send.
fn estate(vms: &str) -> String {
    format!(
        r#"
[scenario]
name = "batches"
topology = "hyperv-to-azure"
start = "2026-11-23T08:00"
duration = "1d"
seed = 3

[[links]]
name = "wan"
capacity = "80 Mbps"

[[policies]]
name = "p"
copy_interval = "5m"

[[sites]]
name = "s"

[[hosts]]
name = "h"
{vms}
"#
    )
}

const S: u64 = 1000;
/// Enable job, initial copy of 10 GB at 10^7 B/s alone on the link, finalize job.
const ENABLE: u64 = 120 * S;
const COPY_10GB: u64 = 1000 * S;
const FINALIZE: u64 = 60 * S;

fn vm(name: &str, extra: &str) -> String {
    format!(
        "\n[[vms]]\nname = \"{name}\"\nchurn = \"0 MB/s\"\ndisks = [{{ size = \"20 GB\", used = \"10 GB\" }}]\n{extra}\n"
    )
}

#[test]
fn b_is_enabled_the_instant_a_is_protected() {
    let sc = scenario(&estate(&(vm("a", "") + &vm("b", "protect_after = \"a\""))));
    let r = result(&sc);
    let (a, b) = (&r.vms[0], &r.vms[1]);
    // A alone on the link: enable, copy, finalize.
    let a_protected = ENABLE + COPY_10GB + FINALIZE;
    assert_eq!(a.protection_enabled_at, Some(0));
    assert_eq!(a.protected_at, Some(a_protected));
    // B's enable is A's protection, to the millisecond; then B runs alone the same course.
    assert_eq!(b.protection_enabled_at, a.protected_at);
    assert_eq!(b.protected_at, Some(2 * a_protected));
}

#[test]
fn a_chain_of_batches_with_a_delay() {
    // b1: x and y copy together (each at half the link: 2000 s); b2 waits for both, 30 min
    // later; c (a VM name) waits for b2.
    let vms = vm("x", "batch = \"b1\"")
        + &vm("y", "batch = \"b1\"")
        + &vm(
            "z",
            "batch = \"b2\"\nprotect_after = \"b1\"\nprotect_after_delay = \"30m\"",
        )
        + &vm("c", "protect_after = \"z\"");
    let sc = scenario(&estate(&vms));
    assert_eq!(sc.vms[2].batch.as_deref(), Some("b2"));
    let r = result(&sc);
    let b1_protected = ENABLE + 2 * COPY_10GB + FINALIZE;
    assert_eq!(r.vms[0].protected_at, Some(b1_protected));
    assert_eq!(r.vms[1].protected_at, Some(b1_protected));
    let z_enabled = b1_protected + 30 * 60 * S;
    assert_eq!(r.vms[2].protection_enabled_at, Some(z_enabled));
    let z_protected = z_enabled + ENABLE + COPY_10GB + FINALIZE;
    assert_eq!(r.vms[2].protected_at, Some(z_protected));
    assert_eq!(r.vms[3].protection_enabled_at, Some(z_protected));
}

#[test]
fn protect_at_is_a_not_before() {
    // Waiting for a, and not before 2h: the later instant wins.
    let sc = scenario(&estate(
        &(vm("a", "") + &vm("b", "protect_after = \"a\"\nprotect_at = \"2h\"")),
    ));
    let r = result(&sc);
    assert!(r.vms[0].protected_at.unwrap() < 2 * 3600 * S);
    assert_eq!(r.vms[1].protection_enabled_at, Some(2 * 3600 * S));
}

#[test]
fn a_family_name_waits_for_all_its_vms() {
    let sc = scenario(&estate(
        &(vm("web", "count = 3") + &vm("app", "protect_after = \"web\"")),
    ));
    assert_eq!(sc.vms[3].protect_after.as_ref().unwrap().vms, vec![0, 1, 2]);
    let r = result(&sc);
    let last = r.vms[..3].iter().filter_map(|v| v.protected_at).max();
    // Three 10 GB copies sharing the link: 3000 s together.
    assert_eq!(last, Some(ENABLE + 3 * COPY_10GB + FINALIZE));
    assert_eq!(r.vms[3].protection_enabled_at, last);
}

#[test]
fn a_vm_waiting_for_one_never_protected_is_never_enabled_and_the_events_say_why() {
    // a is a generation-2 VM with a 400 GB OS disk: Azure's prerequisite check fails it.
    let a = "\n[[vms]]\nname = \"a\"\ngeneration = 2\nchurn = \"0 MB/s\"\ndisks = [{ size = \"400 GB\", used = \"1 GB\" }]\n";
    let sc = scenario(&estate(
        &(a.to_string() + &vm("b", "protect_after = \"a\"")),
    ));
    let out = run(RunSpec::new(&sc).keep_series(false)).unwrap();
    assert!(out.result.vms[0].enable_failure.is_some());
    assert_eq!(out.result.vms[1].protection_enabled_at, None);
    let why: Vec<String> = out
        .log
        .events()
        .filter(|e| e.vm() == Some(1))
        .map(|e| e.detail.to_string())
        .collect();
    assert_eq!(
        why,
        vec![
            "waiting for \"a\" (protect_after): protection is enabled once its 1 VM(s) are protected"
                .to_string()
        ]
    );
}

#[test]
fn an_unknown_name_is_a_located_error_listing_what_is_allowed() {
    let text =
        estate(&(vm("web", "count = 2\nbatch = \"b1\"") + &vm("app", "protect_after = \"b2\"")));
    let line = text
        .lines()
        .position(|l| l.starts_with("protect_after"))
        .unwrap()
        + 1;
    assert_eq!(
        errors(&text),
        format!(
            "error: batch-test.toml:{line}:17: vms[1].protect_after: no batch, [[vms]] table or VM is named \"b2\"\n  allowed: a batch (b1), a [[vms]] name (web, app) or a VM name (app, web-01, web-02)"
        )
    );
}

#[test]
fn a_cycle_is_an_error_naming_it() {
    let text = estate(
        &(vm("a", "batch = \"b1\"\nprotect_after = \"b3\"")
            + &vm("b", "batch = \"b2\"\nprotect_after = \"b1\"")
            + &vm("c", "batch = \"b3\"\nprotect_after = \"b2\"")),
    );
    let line = text
        .lines()
        .position(|l| l == "protect_after = \"b3\"")
        .unwrap()
        + 1;
    assert_eq!(
        errors(&text),
        format!(
            "error: batch-test.toml:{line}:17: vms[0].protect_after: a cycle: a (protect_after = \"b3\") -> c (protect_after = \"b2\") -> b (protect_after = \"b1\") -> a: none of them would ever be protected\n  allowed: protect_after chains that end at VMs protected without it"
        )
    );
    // Waiting for oneself is the shortest cycle.
    let text = estate(&vm("a", "protect_after = \"a\""));
    assert!(errors(&text).contains("a cycle: a (protect_after = \"a\") -> a"));
}

#[test]
fn the_other_refusals() {
    let text =
        estate(&(vm("a", "protected_at_start = true\nprotect_after = \"b\"") + &vm("b", "")));
    assert!(errors(&text).contains(
        "vms[0].protect_after: does not apply to a VM protected at the start\n  allowed: either protect_after or protected_at_start = true"
    ));
    let text = estate(&vm("a", "protect_after_delay = \"5m\""));
    assert!(errors(&text).contains("vms[0].protect_after_delay: applies only with protect_after"));
    let text = estate(&(vm("a", "batch = \"b\"") + &vm("b", "")));
    assert!(errors(&text).contains("vms[0].batch: \"b\" is also the name of a VM"));
    let text =
        estate(&(vm("a", "") + &vm("b", "protect_after = \"a\"\nprotect_after_delay = \"soon\"")));
    assert!(errors(&text).contains("vms[1].protect_after_delay:"));
}

// ---- the planner's batch plan ----

use drsim::plan::batch;

const IR_BATCHING: &str = "scenarios/ir-batching.toml";

/// The batch plan of the bundled example at `mbps` with `goal_h`, and its rows.
fn batch_plan(mbps: u64, goal_h: u64) -> (Scenario, batch::BatchPlan) {
    let sc = drsim::scenario::load(Path::new(IR_BATCHING)).unwrap();
    let scope: Vec<usize> = (0..sc.vms.len()).collect();
    let b = batch::plan(
        &sc,
        0,
        &scope,
        mbps * 1_000_000,
        goal_h * 3_600_000,
        99.0,
        15 * 60 * S,
    )
    .unwrap();
    (sc, b)
}

#[test]
fn no_batch_copies_more_than_the_link_carries_in_the_goal() {
    for (mbps, goal_h) in [(100, 72), (100, 24), (400, 12)] {
        let (sc, b) = batch_plan(mbps, goal_h);
        // What the link carries in the goal: bits per second times seconds, in bytes.
        let carries = mbps * 1_000_000 / 8 * goal_h * 3600;
        assert_eq!(b.goal_bytes, carries);
        let total: u64 = sc.vms.iter().map(|v| v.used_size()).sum();
        assert_eq!(b.batches.iter().map(|x| x.used_bytes).sum::<u64>(), total);
        for x in &b.batches {
            // Only a table larger than the goal on its own may break it, alone in its batch.
            assert!(
                x.used_bytes <= carries || x.tables.len() == 1,
                "{mbps} Mbps {goal_h}h: {} copies {} > {carries}",
                x.name,
                x.used_bytes
            );
        }
        // Batches run one after the other.
        for w in b.batches.windows(2) {
            assert!(w[0].end_ms.is_none() || w[1].start_ms >= w[0].end_ms);
        }
    }
}

#[test]
fn the_plan_scenario_file_reproduces_the_planned_times() {
    let (sc, b) = batch_plan(100, 72);
    let text = std::fs::read_to_string(IR_BATCHING).unwrap();
    let written = batch::scenario_text(&text, Path::new("scenarios"), &sc, 0, &b).unwrap();
    // Comments survive the edit.
    assert!(written.contains("# two database servers, busy writers"));
    replays_the_plan(&written, &b);
}

#[test]
fn tables_that_share_a_name_are_batched_and_written_each_on_its_own() {
    // The file servers renamed `sql`: two tables named `sql` (sql-01..02 on hv-01, sql-03..04
    // on hv-02), planned into two batches. Each batch names its table by its VMs' span, and
    // the plan's scenario file marks each table, not the first of the name twice.
    let text = std::fs::read_to_string(IR_BATCHING)
        .unwrap()
        .replace("name = \"files\"", "name = \"sql\"");
    let sc = drsim::scenario::from_text(&text, Path::new(IR_BATCHING)).unwrap();
    let scope: Vec<usize> = (0..sc.vms.len()).collect();
    let b = batch::plan(
        &sc,
        0,
        &scope,
        100_000_000,
        72 * 3_600_000,
        99.0,
        15 * 60 * S,
    )
    .unwrap();
    let tables: Vec<&str> = b
        .batches
        .iter()
        .flat_map(|x| x.tables.iter().map(String::as_str))
        .collect();
    assert_eq!(tables.len(), 4, "{tables:?}");
    assert!(tables.contains(&"sql:sql-01..sql-02"), "{tables:?}");
    assert!(tables.contains(&"sql:sql-03..sql-04"), "{tables:?}");
    assert!(
        tables.contains(&"app") && tables.contains(&"web"),
        "{tables:?}"
    );
    let written = batch::scenario_text(&text, Path::new("scenarios"), &sc, 0, &b).unwrap();
    replays_the_plan(&written, &b);
}

/// `written`, a plan's scenario file, run: each batch holds the VMs the plan put in it and
/// starts and ends when the plan said.
fn replays_the_plan(written: &str, b: &batch::BatchPlan) {
    let replay = drsim::scenario::from_text(written, Path::new(IR_BATCHING)).unwrap();
    let r = result(&replay);
    for x in &b.batches {
        let vms: Vec<usize> = (0..replay.vms.len())
            .filter(|&v| replay.vms[v].batch.as_deref() == Some(x.name.as_str()))
            .collect();
        assert_eq!(vms.len(), x.vms);
        let start = vms
            .iter()
            .filter_map(|&v| r.vms[v].protection_enabled_at)
            .min();
        let end = vms
            .iter()
            .map(|&v| r.vms[v].protected_at)
            .collect::<Option<Vec<_>>>();
        assert_eq!(start, x.start_ms, "{}", x.name);
        assert_eq!(
            end.and_then(|e| e.into_iter().max()),
            x.end_ms,
            "{}",
            x.name
        );
    }
    let last = r
        .vms
        .iter()
        .map(|v| v.protected_at)
        .collect::<Option<Vec<_>>>();
    assert_eq!(last.and_then(|l| l.into_iter().max()), b.ir_completion_ms);
}

#[test]
fn the_plan_scenario_file_finds_its_trace_files_from_the_output_folder() {
    // measured-churn.toml names its imports relative to scenarios/; the plan's copy lives in
    // an output folder, so they are written as absolute paths and load from anywhere.
    let path = "scenarios/measured-churn.toml";
    let sc = drsim::scenario::load(Path::new(path)).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let b = batch::plan(&sc, 0, &[], 1_000_000_000, 72 * 3_600_000, 99.0, 900_000).unwrap();
    let written = batch::scenario_text(&text, Path::new("scenarios"), &sc, 0, &b).unwrap();
    let doc: toml::Table = written.parse().unwrap();
    let files: Vec<&str> = doc["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.get("file").and_then(|f| f.as_str()))
        .collect();
    assert!(!files.is_empty());
    for f in &files {
        assert!(Path::new(f).is_absolute(), "{f}");
        assert!(Path::new(f).exists(), "{f}");
    }
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("plan-scenario.toml");
    drsim::scenario::from_text(&written, &elsewhere).unwrap_or_else(|e| panic!("{e}"));
}
