//! Selecting VMs by pattern (issue 14 point 13): a `[[vms]]` table's name, a glob, or
//! `tag:NAME` wherever a VM is named (plans, failovers, faults, actions); tables that share a
//! name number on; the errors for a selector that finds nothing, each in full.

mod common;
use common::{errors, run};
use std::path::Path;

/// 60 VMs on two hosts: `app` 30 on hv1 tagged tier1, `app` 30 more on hv2 tagged tier2, and
/// `db` (no count). Protected at the start; a 3-hour run.
const BASE: &str = r#"
[scenario]
name = "selectors"
topology = "hyperv-to-azure"
start = "2026-11-23T08:00"
duration = "3h"
sample_step = "1h"

[[links]]
name = "wan"
capacity = "1 Gbps"

[[policies]]
name = "p"

[[sites]]
name = "dc"
link = "wan"
policy = "p"

[[hosts]]
name = "hv1"
site = "dc"

[[hosts]]
name = "hv2"
site = "dc"

[[vms]]
name = "app"
count = 30
host = "hv1"
tags = ["tier1"]
protected_at_start = true
first_tick = "300s"
churn = "100 KB/s"
disks = [{ size = "20 GB", used = "2 GB" }]

[[vms]]
name = "app"
count = 30
host = "hv2"
tags = ["tier2", "web"]
protected_at_start = true
first_tick = "300s"
churn = "200 KB/s"
disks = [{ size = "20 GB", used = "2 GB" }]

[[vms]]
name = "db"
host = "hv2"
tags = ["tier1"]
protected_at_start = true
first_tick = "300s"
churn = "1 MB/s"
disks = [{ size = "50 GB", used = "10 GB" }]
"#;

fn with(extra: &str) -> String {
    format!("{BASE}\n{extra}")
}

fn scenario(text: &str) -> drsim::model::Scenario {
    drsim::scenario::from_text(text, Path::new("sel.toml"))
        .unwrap_or_else(|e| panic!("scenario rejected:\n{e}"))
}

/// Line and column (1-based) of the last occurrence of `needle`.
fn at(text: &str, needle: &str) -> String {
    let offset = text.rfind(needle).expect("needle");
    let line = text[..offset].matches('\n').count() + 1;
    let column = offset - text[..offset].rfind('\n').map_or(0, |n| n + 1) + 1;
    format!("{line}:{column}")
}

/// What every "no vm is named" error of BASE lists.
const WAYS: &str = "app-01, app-02, app-03, app-04, app-05, app-06, app-07, app-08, app-09, app-10, ... (61 VMs in all); or a [[vms]] table: app; a glob with * and ?; tag:tier1, tag:tier2, tag:web";

#[test]
fn tables_that_share_a_name_number_on() {
    let sc = scenario(BASE);
    let names: Vec<&str> = sc.vms.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names.len(), 61);
    assert_eq!(&names[..2], ["app-01", "app-02"]);
    // The second table starts after the first's 30.
    assert_eq!(&names[29..32], ["app-30", "app-31", "app-32"]);
    assert_eq!(names[59], "app-60");
    assert_eq!(names[60], "db");
    assert_eq!(sc.hosts[sc.vms[30].host].name, "hv2");
    // 60 + 60: the family's last number, 120, needs three digits, so every name has three.
    let big = BASE
        .replacen("count = 30", "count = 60", 2)
        .replace("\"app\"", "\"big\"");
    let sc = scenario(&big);
    assert_eq!(sc.vms[0].name, "big-001");
    assert_eq!(sc.vms[59].name, "big-060");
    assert_eq!(sc.vms[60].name, "big-061");
    assert_eq!(sc.vms[119].name, "big-120");
}

#[test]
fn tables_that_share_a_name_are_one_family_in_rollups_and_studies() {
    let sc = scenario(BASE);
    let families: Vec<(&str, usize)> = sc
        .families()
        .into_iter()
        .map(|(name, vms)| (name, vms.len()))
        .collect();
    assert_eq!(families, [("app", 60), ("db", 1)]);
    assert_eq!(drsim::study::metrics::scopes(&sc), ["estate", "app", "db"]);
    let (r, _) = run(BASE);
    let values = drsim::study::metrics::of(&sc, &r);
    assert_eq!(values.len(), 3);
    // The family's worst RPO is the worst over both tables' 60 VMs (index 3: rpo max).
    let worst = |vms: &[drsim::sim::record::VmResult]| {
        vms.iter().filter_map(|v| v.rpo.max_s).fold(0.0, f64::max)
    };
    assert_eq!(values[1][3], Some(worst(&r.vms[..60])));
    assert_eq!(values[2][3], Some(worst(&r.vms[60..])));
    // Each table alone is not the family: the second table's VMs write twice as fast.
    assert_ne!(worst(&r.vms[..30]), worst(&r.vms[..60]));
}

#[test]
fn a_table_name_shared_with_a_table_without_count_is_an_error() {
    let text = BASE.replace("name = \"db\"", "name = \"app\"");
    let line = at(&text, "\"app\"");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{line}: vms[2].name: \"app\" is already the name of vms[0]\n  allowed: a name used once per table, or on tables that all set count (their numbering continues)"
        )
    );
}

#[test]
fn selectors_expand_in_file_order_for_faults_actions_and_failovers() {
    let text = with(
        r#"
[[actions]]
at = "1h"
vm = "tag:tier1"
action = "pause"

[[faults]]
kind = "broken-vhd-chain"
vm = "app-5?"
at = "2h"

[[failovers]]
at = "2h30m"
kind = "test"
vm = "app"
"#,
    );
    let sc = scenario(&text);
    // tier1: the first table's 30 VMs, then db (index 60).
    let paused: Vec<usize> = sc.faults.actions.iter().map(|a| a.vm).collect();
    let want: Vec<usize> = (0..30).chain([60]).collect();
    assert_eq!(paused, want);
    // app-50 .. app-59: indices 49 .. 58.
    let broken: Vec<usize> = sc.faults.vm_errors.iter().map(|e| e.vm).collect();
    assert_eq!(broken, (49..59).collect::<Vec<_>>());
    // The family `app`: both tables, 60 operations, one per VM, in file order.
    let ops: Vec<_> = sc.failovers.operations.iter().map(|o| o.target).collect();
    let want: Vec<_> = (0..60)
        .map(drsim::model::failover::OperationTarget::Vm)
        .collect();
    assert_eq!(ops, want);
}

#[test]
fn a_plan_written_with_selectors_runs_exactly_as_the_plan_listing_its_vms() {
    let names = |r: std::ops::Range<usize>| -> String {
        r.map(|k| format!("\"app-{k:02}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let plan = |groups: &str| {
        with(&format!(
            "[[recovery_plans]]\nname = \"all\"\ngroups = [{groups}]\n\n\
             [[failovers]]\nat = \"1h\"\nkind = \"planned\"\nplan = \"all\"\n"
        ))
    };
    let listed_one = plan(&format!("{{ vms = [{}] }}", names(1..61)));
    let glob_one = plan("{ vms = [\"app-*\"] }");
    let listed_two = plan(&format!(
        "{{ vms = [{}, \"db\"] }}, {{ vms = [{}] }}",
        names(1..31),
        names(31..61)
    ));
    let tags_two = plan("{ vms = [\"tag:tier1\"] }, { vms = [\"tag:tier2\"] }");
    for (listed, selected) in [(listed_one, glob_one), (listed_two, tags_two)] {
        assert_eq!(
            scenario(&listed).failovers.plans,
            scenario(&selected).failovers.plans
        );
        let (a, mem_a) = run(&listed);
        let (b, mem_b) = run(&selected);
        assert_eq!(a.failovers.len(), 1);
        assert!(a.failovers[0].completed_at.is_some(), "{:?}", a.failovers);
        assert_eq!(a.failovers[0].vms.len(), b.failovers[0].vms.len());
        assert_eq!(a, b);
        assert_eq!(mem_a.events, mem_b.events);
        assert_eq!(mem_a.jobs, mem_b.jobs);
    }
}

#[test]
fn an_unknown_name_lists_what_exists() {
    let text = with("[[actions]]\nat = \"1h\"\nvm = \"ap\"\naction = \"pause\"\n");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: actions[0].vm: no vm is named \"ap\"\n  allowed: {WAYS}",
            at(&text, "\"ap\"")
        )
    );
}

#[test]
fn a_glob_that_matches_nothing_is_an_error() {
    let text = with("[[failovers]]\nat = \"1h\"\nkind = \"test\"\nvm = \"web-*\"\n");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: failovers[0].vm: the glob \"web-*\" matches no VM name\n  allowed: app-01, app-02, app-03, app-04, app-05, app-06, app-07, app-08, app-09, app-10, ... (61 VMs in all)",
            at(&text, "\"web-*\"")
        )
    );
}

#[test]
fn a_tag_no_vm_has_is_an_error() {
    let text = with("[[faults]]\nkind = \"vm-not-found\"\nvm = \"tag:tier3\"\nat = \"1h\"\n");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: faults[0].vm: no VM has the tag \"tier3\"\n  allowed: tag:tier1, tag:tier2, tag:web",
            at(&text, "\"tag:tier3\"")
        )
    );
    // Without any tags in the file, the error says how to set one.
    let untagged = text
        .replace("tags = [\"tier1\"]\n", "")
        .replace("tags = [\"tier2\", \"web\"]\n", "");
    assert_eq!(
        errors(&untagged),
        format!(
            "error: bad.toml:{}: faults[0].vm: no VM has the tag \"tier3\"\n  allowed: none: no [[vms]] table sets tags, such as tags = [\"tier1\"]",
            at(&untagged, "\"tag:tier3\"")
        )
    );
}

#[test]
fn a_vm_a_selector_brings_twice_into_a_plan_is_named() {
    let text = with(
        "[[recovery_plans]]\nname = \"p\"\ngroups = [{ vms = [\"db\"] }, { vms = [\"tag:tier1\"] }]\n",
    );
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: recovery_plans[0].groups[1].vms[0]: \"db\" (from \"tag:tier1\") is already in groups[0] of this plan\n  allowed: a VM in at most one group of a plan",
            at(&text, "\"tag:tier1\"")
        )
    );
}

#[test]
fn a_tag_must_be_a_word_listed_once() {
    let text = BASE.replacen(
        "tags = [\"tier1\"]",
        "tags = [\"tier 1\", \"a*\", \"\", \"x\", \"x\"]",
        1,
    );
    let col = |needle: &str| at(&text, needle);
    let allowed = "tags such as [\"tier1\", \"sql\"]: words without spaces, * or ?";
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: vms[0].tags[0]: \"tier 1\" is not a tag\n  allowed: {allowed}\n\
             error: bad.toml:{}: vms[0].tags[1]: \"a*\" is not a tag\n  allowed: {allowed}\n\
             error: bad.toml:{}: vms[0].tags[2]: \"\" is not a tag\n  allowed: {allowed}\n\
             error: bad.toml:{}: vms[0].tags[4]: \"x\" is already tags[3]\n  allowed: {allowed}",
            col("\"tier 1\""),
            col("\"a*\""),
            col("\"\", \"x\""),
            col("\"x\"]"),
        )
    );
}
