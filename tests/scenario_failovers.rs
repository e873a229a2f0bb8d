//! Scenario files order failovers, define recovery plans and lose whole sites, set the
//! recovery-point, compression and cache fields of policies, the orchestration and network
//! mappings of sites and the network of VMs; azure-to-azure is a topology. A file using every
//! such field validates into exactly these model values; each mistake is an error naming the
//! file, line, column, field and what is allowed.

mod common;
use common::errors;

use drsim::model::failover::{
    FailbackMode, FailoverKind, Failovers, Operation, OperationKind, OperationTarget, PlanGroup,
    PlanStep, RecoveryPlan, SiteEvent,
};
use drsim::model::recovery_points::PointChoice;
use drsim::model::{CacheLimits, Orchestration, Policy, Topology};
use drsim::units::ByteRate;
use std::path::Path;

const M: u64 = 60_000;
const H: u64 = 60 * M;
const D: u64 = 24 * H;

const EVERYTHING: &str = r#"
[scenario]
name = "failovers"
topology = "hyperv-to-azure"
start = "2026-11-23T08:00"
duration = "2d"

[[links]]
name = "wan"
capacity = "100 Mbps"

[[policies]]
name = "gold"
recovery_point_retention = "12h"
app_consistent_frequency = "4h"

[[policies]]
name = "plain"
app_consistent_frequency = "off"

[[sites]]
name = "dc"
link = "wan"
policy = "gold"
orchestration = "vmm"
network_mappings = { dmz = "vnet-dmz", corp = "vnet-prod" }

[[sites]]
name = "branch"
link = "wan"
policy = "plain"

[[hosts]]
name = "hv-01"
site = "dc"

[[hosts]]
name = "hv-02"
site = "branch"

[[vms]]
name = "sql-01"
host = "hv-01"
network = "corp"
churn = "1 MB/s"
disks = [{ size = "127 GiB", used = "60 GiB" }]

[[vms]]
name = "web"
count = 3
host = "hv-01"
network = "dmz"
churn = "200 kB/s"
disks = [{ size = "50 GiB", used = "10 GiB" }]

[[vms]]
name = "file-01"
host = "hv-02"
churn = "100 kB/s"
disks = [{ size = "50 GiB", used = "10 GiB" }]

[[recovery_plans]]
name = "app"
before = [{ manual = "tell the users", wait = "0s" }]
groups = [
  { vms = ["sql-01"], after = [
      { script = "check-sql", duration = "3m" },
      { manual = "DBA sign-off", wait = "10m" },
  ] },
  { vms = ["web-03", "web-01", "web-02"], after = [
      { script = "warm-cache", duration = "15m", fails = true },
  ] },
]

[[recovery_plans]]
name = "files"
groups = [{ vms = ["file-01"] }]

[[failovers]]
at = "2026-11-24T10:00"
kind = "test"
plan = "app"
point = "latest-app-consistent"

[[failovers]]
at = "6h"
kind = "unplanned"
vm = "file-01"
point = "2026-11-23T13:30"

[[failovers]]
at = "26h"
kind = "cleanup"
plan = "app"

[[failovers]]
at = "30h"
kind = "planned"
plan = "app"

[[failovers]]
at = "31h"
kind = "commit"
plan = "app"

[[failovers]]
at = "32h"
kind = "reverse-replicate"
vm = "sql-01"

[[failovers]]
at = "40h"
kind = "failback"
vm = "sql-01"
mode = "full-download"

[[failovers]]
at = "40h"
kind = "failback"
vm = "web-01"
alternate_vm = true

[[failovers]]
at = "40h"
kind = "failback"
vm = "web-02"

[[failovers]]
at = "1h"
kind = "test"
vm = "web-03"

[[failovers]]
at = "2h"
kind = "unplanned"
vm = "web-02"
point = "latest-processed"

[[failovers]]
at = "3h"
kind = "test"
vm = "sql-01"
point = "latest"

[[site_events]]
site = "branch"
down_at = "5h"
up_at = "1d"
disks_lost = true

[[site_events]]
site = "dc"
down_at = "2026-11-24T20:00"

[[site_events]]
site = "branch"
down_at = "1d"
up_at = "25h"
"#;

#[test]
fn every_new_field_reaches_the_model() {
    let s = drsim::scenario::from_text(EVERYTHING, Path::new("everything.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.topology, Topology::HyperVToAzure);

    // Policies: retention and app-consistent frequency; the rest keeps Hyper-V's defaults.
    let gold = &s.policies[0];
    assert_eq!(gold.recovery_point_retention, 12 * H);
    assert_eq!(gold.app_consistent_every, Some(4 * H));
    assert_eq!(gold.compression_ratio, 1.0);
    assert_eq!(gold.cache, CacheLimits::NORMAL);
    assert_eq!(s.policies[1], Policy::default_named("plain"));
    assert_eq!(s.policies[1].recovery_point_retention, 2 * H);
    assert_eq!(s.policies[1].app_consistent_every, None);

    // Sites: the link stays required; orchestration chosen or hyperv-site by default;
    // mappings sorted by source network.
    assert_eq!(s.sites[0].link, Some(0));
    assert_eq!(s.sites[0].orchestration, Orchestration::Vmm);
    assert_eq!(
        s.sites[0].network_mappings,
        [
            ("corp".to_string(), "vnet-prod".to_string()),
            ("dmz".to_string(), "vnet-dmz".to_string())
        ]
    );
    assert_eq!(s.sites[0].mapped_network("dmz"), Some("vnet-dmz"));
    assert_eq!(s.sites[1].orchestration, Orchestration::HyperVSite);
    assert!(s.sites[1].network_mappings.is_empty());

    // VMs: the network, copied to every stamped VM; none when left out.
    let names: Vec<&str> = s.vms.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["sql-01", "web-01", "web-02", "web-03", "file-01"]);
    let networks: Vec<Option<&str>> = s.vms.iter().map(|v| v.network.as_deref()).collect();
    assert_eq!(
        networks,
        [Some("corp"), Some("dmz"), Some("dmz"), Some("dmz"), None]
    );

    let script = |name: &str, duration: u64, fails: bool| PlanStep::Script {
        name: name.to_string(),
        duration,
        fails,
    };
    let manual = |name: &str, wait: u64| PlanStep::Manual {
        name: name.to_string(),
        wait,
    };
    let failover = |kind, point| OperationKind::Failover { kind, point };
    let op = |at, target, kind| Operation { at, target, kind };
    use OperationTarget::{Plan, Vm};
    assert_eq!(
        s.failovers,
        Failovers {
            // In time order; file order among equal times (the three failbacks at 40h).
            operations: vec![
                op(H, Vm(3), failover(FailoverKind::Test, PointChoice::Latest)),
                op(
                    2 * H,
                    Vm(2),
                    failover(FailoverKind::Unplanned, PointChoice::LatestProcessed)
                ),
                op(
                    3 * H,
                    Vm(0),
                    failover(FailoverKind::Test, PointChoice::Latest)
                ),
                op(
                    6 * H,
                    Vm(4),
                    failover(
                        FailoverKind::Unplanned,
                        PointChoice::AtOrBefore(5 * H + 30 * M)
                    )
                ),
                op(
                    26 * H,
                    Plan(0),
                    failover(FailoverKind::Test, PointChoice::LatestAppConsistent)
                ),
                op(26 * H, Plan(0), OperationKind::Cleanup),
                op(
                    30 * H,
                    Plan(0),
                    failover(FailoverKind::Planned, PointChoice::Latest)
                ),
                op(31 * H, Plan(0), OperationKind::Commit),
                op(32 * H, Vm(0), OperationKind::ReverseReplicate),
                op(
                    40 * H,
                    Vm(0),
                    OperationKind::Failback {
                        mode: FailbackMode::FullDownload,
                        alternate_vm: false
                    }
                ),
                // An alternate VM is always a full download.
                op(
                    40 * H,
                    Vm(1),
                    OperationKind::Failback {
                        mode: FailbackMode::FullDownload,
                        alternate_vm: true
                    }
                ),
                op(
                    40 * H,
                    Vm(2),
                    OperationKind::Failback {
                        mode: FailbackMode::SyncFirst,
                        alternate_vm: false
                    }
                ),
            ],
            plans: vec![
                RecoveryPlan {
                    name: "app".to_string(),
                    groups: vec![
                        PlanGroup {
                            vms: vec![0],
                            after: vec![
                                script("check-sql", 3 * M, false),
                                manual("DBA sign-off", 10 * M)
                            ],
                        },
                        // In the order written; a script longer than the 10-minute timeout
                        // is allowed (it times out in the run).
                        PlanGroup {
                            vms: vec![3, 1, 2],
                            after: vec![script("warm-cache", 15 * M, true)],
                        },
                    ],
                    before: vec![manual("tell the users", 0)],
                },
                RecoveryPlan {
                    name: "files".to_string(),
                    groups: vec![PlanGroup {
                        vms: vec![4],
                        after: vec![],
                    }],
                    before: vec![],
                },
            ],
            // Sorted by down_at; an event may start when the previous one of its site ends.
            site_events: vec![
                SiteEvent {
                    site: 1,
                    down_at: 5 * H,
                    up_at: Some(D),
                    disks_lost: true,
                },
                SiteEvent {
                    site: 1,
                    down_at: D,
                    up_at: Some(25 * H),
                    disks_lost: false,
                },
                SiteEvent {
                    site: 0,
                    down_at: D + 12 * H,
                    up_at: None,
                    disks_lost: false,
                },
            ],
        }
    );
}

const A2A: &str = r#"
[scenario]
name = "regions"
topology = "azure-to-azure"
start = "2026-11-23T08:00"
duration = "1d"

[[policies]]
name = "busy"
copy_interval = "5m"
high_churn = true
cache_disk_limit = "30 MB/s"
app_consistent_frequency = "24h"
recovery_point_retention = "15d"

[[policies]]
name = "defaults"

[[sites]]
name = "westeurope"
policy = "busy"
network_mappings = { "vnet-we" = "vnet-ne" }

[[sites]]
name = "francecentral"
policy = "defaults"

[[hosts]]
name = "we"
site = "westeurope"

[[vms]]
name = "vm-01"
host = "we"
network = "vnet-we"
churn = "5 MB/s"
disks = [{ size = "128 GiB", used = "40 GiB" }]

[[failovers]]
at = "12h"
kind = "unplanned"
vm = "vm-01"
point = "latest-processed"

[[site_events]]
site = "westeurope"
down_at = "11h"
"#;

#[test]
fn azure_to_azure_has_no_links_and_its_own_policy_defaults() {
    let s =
        drsim::scenario::from_text(A2A, Path::new("a2a.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.topology, Topology::AzureToAzure);
    assert!(s.links.is_empty());
    for site in &s.sites {
        assert_eq!(site.link, None);
        assert_eq!(site.orchestration, Orchestration::MobilityService);
    }
    assert_eq!(
        s.sites[0].network_mappings,
        [("vnet-we".to_string(), "vnet-ne".to_string())]
    );
    let busy = &s.policies[0];
    assert_eq!(busy.recovery_point_retention, 15 * D);
    assert_eq!(busy.app_consistent_every, Some(24 * H));
    assert_eq!(
        busy.cache,
        CacheLimits {
            per_vm: CacheLimits::HIGH_CHURN.per_vm,
            per_disk: ByteRate::from_bytes_per_s(30_000_000),
        }
    );
    // The defaults: retention 24 h, normal churn limits, no app-consistent points.
    let defaults = &s.policies[1];
    assert_eq!(defaults.recovery_point_retention, 24 * H);
    assert_eq!(defaults.cache, CacheLimits::NORMAL);
    assert_eq!(defaults.app_consistent_every, None);
    assert_eq!(defaults.compression_ratio, 1.0);
    assert_eq!(
        s.failovers.operations,
        [Operation {
            at: 12 * H,
            target: OperationTarget::Vm(0),
            kind: OperationKind::Failover {
                kind: FailoverKind::Unplanned,
                point: PointChoice::LatestProcessed,
            },
        }]
    );
    // Without a [[policies]] table the default policy keeps 24 h too.
    let bare = A2A
        .split("[[policies]]")
        .next()
        .unwrap()
        .to_string()
        + "[[sites]]\nname = \"westeurope\"\n\n[[hosts]]\nname = \"we\"\n\n\
           [[vms]]\nname = \"vm-01\"\nhost = \"we\"\nchurn = \"1 MB/s\"\ndisks = [{ size = \"32 GiB\" }]\n";
    let s =
        drsim::scenario::from_text(&bare, Path::new("bare.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.policies[0].recovery_point_retention, 24 * H);
    assert_eq!(s.sites[0].link, None);
}

const QUICKSTART: &str = include_str!("../scenarios/quickstart.toml");

#[test]
fn vmm_to_vmm_compresses_and_keeps_hyperv_defaults() {
    let text = QUICKSTART
        .replace(
            "topology = \"hyperv-to-azure\"",
            "topology = \"vmm-to-vmm\"",
        )
        .replace(
            "target_rpo = \"15m\"",
            "target_rpo = \"15m\"\ncompression_ratio = 1.5\nrecovery_point_retention = \"0s\"",
        );
    let s =
        drsim::scenario::from_text(&text, Path::new("vmm.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.policies[0].compression_ratio, 1.5);
    assert_eq!(s.policies[0].recovery_point_retention, 0);
    assert_eq!(s.sites[0].orchestration, Orchestration::Vmm);
    assert_eq!(s.sites[0].link, Some(0));
    assert!(s.failovers.is_empty());
    assert!(s.failovers.plans.is_empty());

    // The quickstart itself: hyperv-to-azure defaults.
    let s = drsim::scenario::from_text(QUICKSTART, Path::new("q.toml")).unwrap();
    assert_eq!(s.policies[0].recovery_point_retention, 2 * H);
    assert_eq!(s.sites[0].orchestration, Orchestration::HyperVSite);
    assert!(s.vms.iter().all(|v| v.network.is_none()));
    assert_eq!(s.failovers, Failovers::default());
}

// ---- errors ----

const BASE: &str = r#"[scenario]
name = "base"
topology = "hyperv-to-azure"
start = "2026-11-23T08:00"
duration = "1d"

[[links]]
name = "wan"
capacity = "100 Mbps"

[[policies]]
name = "p"

[[sites]]
name = "dc"
link = "wan"

[[sites]]
name = "branch"
link = "wan"
policy = "p"

[[hosts]]
name = "hv-01"
site = "dc"

[[vms]]
name = "web"
count = 9
host = "hv-01"
churn = "1 MB/s"
disks = [{ size = "50 GiB", used = "10 GiB" }]
"#;

const WEB: &str = "web-01, web-02, web-03, web-04, web-05, web-06, web-07, web-08, web-09";

/// Line and column (1-based) of the first occurrence of `needle` at or after the line that
/// contains `after`.
fn at(text: &str, after: &str, needle: &str) -> String {
    let found = text.find(after).expect("after");
    let from = text[..found].rfind('\n').map_or(0, |n| n + 1);
    let offset = from + text[from..].find(needle).expect("needle");
    let line = text[..offset].matches('\n').count() + 1;
    let column = offset - text[..offset].rfind('\n').map_or(0, |n| n + 1) + 1;
    format!("{line}:{column}")
}

fn with(extra: &str) -> String {
    format!("{BASE}\n{extra}")
}

#[test]
fn the_base_file_is_valid() {
    drsim::scenario::from_text(BASE, Path::new("base.toml")).unwrap();
}

#[test]
fn a_plan_has_at_most_seven_groups() {
    let groups: Vec<String> = (1..=8)
        .map(|k| format!("{{ vms = [\"web-0{k}\"] }}"))
        .collect();
    let text = with(&format!(
        "[[recovery_plans]]\nname = \"big\"\ngroups = [{}]\n",
        groups.join(", ")
    ));
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: recovery_plans[0].groups: 8 groups; a recovery plan has at most 7\n  allowed: 1 to 7 groups (Site Recovery's limit), each {{ vms = [...], after = [...] }}",
            at(&text, "groups =", "[")
        )
    );
    // Seven are fine.
    let text = text.replace(", { vms = [\"web-08\"] }", "");
    let s = drsim::scenario::from_text(&text, Path::new("ok.toml")).unwrap();
    assert_eq!(s.failovers.plans[0].groups.len(), 7);
}

#[test]
fn plan_vms_must_exist_and_appear_once() {
    let text = with(
        "[[recovery_plans]]\nname = \"app\"\ngroups = [\n  { vms = [\"web-01\", \"web-10\"] },\n  { vms = [\"web-02\", \"web-01\"] },\n  { vms = [\"web-03\", \"web-03\"] },\n  { vms = [] },\n]\n",
    );
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: recovery_plans[0].groups[0].vms[1]: no vm is named \"web-10\"\n  allowed: {WEB}; or a [[vms]] table: web; a glob with * and ?; tag:NAME (no VM has tags)\n\
             error: bad.toml:{}: recovery_plans[0].groups[1].vms[1]: \"web-01\" is already in groups[0] of this plan\n  allowed: a VM in at most one group of a plan\n\
             error: bad.toml:{}: recovery_plans[0].groups[2].vms[1]: \"web-03\" is already in vms[0] of this group\n  allowed: a VM in at most one group of a plan\n\
             error: bad.toml:{}: recovery_plans[0].groups[3].vms: a group without VMs\n  allowed: at least one VM name, such as vms = [\"web-01\"]",
            at(&text, "web-10", "\"web-10\""),
            at(&text, "\"web-02\", \"web-01\"", "\"web-01\""),
            at(&text, "\"web-03\", \"web-03\"", "\"web-03\"]"),
            at(&text, "vms = []", "["),
        )
    );
}

#[test]
fn plan_steps_are_scripts_or_manual_actions() {
    let text = with(
        "[[recovery_plans]]\nname = \"app\"\n\
         before = [{ script = \"s\", manual = \"m\" }, {}, { script = \"s\", wait = \"1m\" }]\n\
         groups = [{ vms = [\"web-01\"], after = [{ script = \"t\" }, { manual = \"n\", fails = true }, { script = \"z\", duration = \"0s\" }] }]\n",
    );
    let step = "{ script = \"name\", duration = \"3m\", fails = false } or { manual = \"name\", wait = \"10m\" }";
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: recovery_plans[0].before[0].manual: set together with script\n  allowed: exactly one of script or manual: {step}\n\
             error: bad.toml:{}: recovery_plans[0].before[1]: a step needs script or manual\n  allowed: {step}\n\
             error: bad.toml:{}: recovery_plans[0].before[2].wait: does not apply to a script step\n  allowed: {step}\n\
             error: bad.toml:{}: recovery_plans[0].before[2].duration: missing; a script step needs it\n  allowed: a duration above zero (over 10m the script times out); a step is {step}\n\
             error: bad.toml:{}: recovery_plans[0].groups[0].after[0].duration: missing; a script step needs it\n  allowed: a duration above zero (over 10m the script times out); a step is {step}\n\
             error: bad.toml:{}: recovery_plans[0].groups[0].after[1].fails: does not apply to a manual step\n  allowed: {step}\n\
             error: bad.toml:{}: recovery_plans[0].groups[0].after[1].wait: missing; a manual step needs it\n  allowed: how long until someone confirms it, such as \"10m\" (\"0s\" for at once); a step is {step}\n\
             error: bad.toml:{}: recovery_plans[0].groups[0].after[2].duration: a script of zero length\n  allowed: a duration above zero, such as \"3m\"",
            at(&text, "before", "\"m\""),
            at(&text, "before", "{}"),
            at(&text, "wait = \"1m\"", "\"1m\""),
            at(&text, "before", "\"s\", wait"),
            at(&text, "script = \"t\"", "\"t\""),
            at(&text, "fails = true", "true"),
            at(&text, "manual = \"n\"", "\"n\""),
            at(&text, "duration = \"0s\"", "\"0s\""),
        )
    );
}

#[test]
fn unknown_kind_lists_the_kinds() {
    let text = with("[[failovers]]\nat = \"1h\"\nkind = \"switchover\"\nvm = \"web-01\"\n");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: failovers[0].kind: unknown failover kind \"switchover\"\n  allowed: test (point), planned, unplanned (point), change-point (point), commit, cleanup, reverse-replicate, failback (mode, alternate_vm); each with at, and vm or plan",
            at(&text, "kind", "\"switchover\"")
        )
    );
}

#[test]
fn fields_must_fit_the_kind() {
    let text = with(
        "[[failovers]]\nat = \"1h\"\nkind = \"commit\"\nvm = \"web-01\"\npoint = \"latest\"\n\n\
         [[failovers]]\nat = \"1h\"\nkind = \"planned\"\nvm = \"web-01\"\nmode = \"full-download\"\n\n\
         [[failovers]]\nat = \"1h\"\nkind = \"test\"\nvm = \"web-01\"\nalternate_vm = false\n",
    );
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: failovers[0].point: does not apply to kind \"commit\"; point is for test, unplanned, change-point\n  allowed: for commit: at, vm or plan\n\
             error: bad.toml:{}: failovers[1].mode: does not apply to kind \"planned\"; mode is for failback\n  allowed: for planned: at, vm or plan\n\
             error: bad.toml:{}: failovers[2].alternate_vm: does not apply to kind \"test\"; alternate_vm is for failback\n  allowed: for test: at, vm or plan, point",
            at(&text, "point =", "\"latest\""),
            at(&text, "mode =", "\"full-download\""),
            at(&text, "alternate_vm =", "false"),
        )
    );
}

#[test]
fn an_operation_names_a_vm_or_a_plan_not_both_nor_neither() {
    let plan = "[[recovery_plans]]\nname = \"app\"\ngroups = [{ vms = [\"web-01\"] }]\n\n";
    let text = with(&format!(
        "{plan}[[failovers]]\nat = \"1h\"\nkind = \"planned\"\nvm = \"web-01\"\nplan = \"app\"\n\n\
         [[failovers]]\nat = \"2h\"\nkind = \"commit\"\n\n\
         [[failovers]]\nat = \"3h\"\nkind = \"cleanup\"\nplan = \"db\"\n"
    ));
    let allowed = "exactly one of vm (a VM name) or plan (a recovery plan name)";
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: failovers[0].plan: set together with vm\n  allowed: {allowed}\n\
             error: bad.toml:{}: failovers[1].vm: missing; kind \"commit\" needs vm or plan\n  allowed: {allowed}\n\
             error: bad.toml:{}: failovers[2].plan: no recovery plan is named \"db\"\n  allowed: app",
            at(&text, "plan = \"app\"", "\"app\""),
            at(&text, "\"commit\"", "\"commit\""),
            at(&text, "\"db\"", "\"db\""),
        )
    );
}

#[test]
fn points_and_failback_modes_are_checked() {
    let text = with(
        "[[failovers]]\nat = \"2h\"\nkind = \"unplanned\"\nvm = \"web-01\"\npoint = \"newest\"\n\n\
         [[failovers]]\nat = \"2h\"\nkind = \"test\"\nvm = \"web-01\"\npoint = \"3h\"\n\n\
         [[failovers]]\nat = \"2h\"\nkind = \"test\"\nvm = \"web-01\"\npoint = \"2026-11-22T08:00\"\n\n\
         [[failovers]]\nat = \"2h\"\nkind = \"failback\"\nvm = \"web-01\"\nmode = \"sync-first\"\nalternate_vm = true\n\n\
         [[failovers]]\nat = \"2h\"\nkind = \"failback\"\nvm = \"web-01\"\nmode = \"download\"\n",
    );
    let points = "\"latest\" (the default), \"latest-processed\", \"latest-app-consistent\", or a point in time at or before the failover's at (a date-time such as \"2026-11-23T20:00\" or an offset from the start such as \"6h\"): the newest recovery point at or before it";
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: failovers[0].point: unknown point \"newest\"\n  allowed: {points}\n\
             error: bad.toml:{}: failovers[1].point: \"3h\" is after the failover (at = \"2h\"): no recovery point from then exists yet\n  allowed: a point in time at or before 2h, or a keyword: {points}\n\
             error: bad.toml:{}: failovers[2].point: \"2026-11-22T08:00\" is before the scenario start 2026-11-23 08:00:00\n  allowed: a date-time at or after scenario.start, or an offset such as \"6h\"\n\
             error: bad.toml:{}: failovers[3].mode: \"sync-first\" does not go with alternate_vm = true: a failback to an alternate VM is always a full download\n  allowed: mode = \"full-download\", or leave mode out\n\
             error: bad.toml:{}: failovers[4].mode: unknown failback mode \"download\"\n  allowed: \"sync-first\" (the default: differences sent while the Azure VM runs) or \"full-download\"",
            at(&text, "\"newest\"", "\"newest\""),
            at(&text, "\"3h\"", "\"3h\""),
            at(&text, "2026-11-22", "\"2026"),
            at(&text, "\"sync-first\"", "\"sync-first\""),
            at(&text, "\"download\"", "\"download\""),
        )
    );
    // The point at the failover's own instant is fine, and a time in the run.
    let ok = with("[[failovers]]\nat = \"2h\"\nkind = \"test\"\nvm = \"web-01\"\npoint = \"2h\"\n");
    let s = drsim::scenario::from_text(&ok, Path::new("ok.toml")).unwrap();
    assert_eq!(
        s.failovers.operations[0].kind,
        OperationKind::Failover {
            kind: FailoverKind::Test,
            point: PointChoice::AtOrBefore(2 * H)
        }
    );
}

#[test]
fn failback_mode_is_for_hyperv_to_azure_only() {
    let text = with("[[failovers]]\nat = \"2h\"\nkind = \"failback\"\nvm = \"web-01\"\nmode = \"full-download\"\n")
        .replace("hyperv-to-azure", "vmm-to-vmm");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: failovers[0].mode: does not apply to topology \"vmm-to-vmm\": its failback is a planned failover back\n  allowed: mode only with topology = \"hyperv-to-azure\"; leave it out",
            at(&text, "mode =", "\"full")
        )
    );
}

#[test]
fn failover_times_must_fall_inside_the_run() {
    let text = with("[[failovers]]\nat = \"1d\"\nkind = \"test\"\nvm = \"web-01\"\n");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: failovers[0].at: \"1d\" is not before the end of the run\n  allowed: a point in time before 2026-11-24 08:00:00 (scenario.start + scenario.duration), or an offset below 1d",
            at(&text, "at = \"1d\"", "\"1d\"")
        )
    );
}

#[test]
fn compression_is_for_vmm_to_vmm_only() {
    let text = BASE.replace("name = \"p\"", "name = \"p\"\ncompression_ratio = 2.0");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: policies[0].compression_ratio: does not apply to topology \"hyperv-to-azure\": Hyper-V to Azure does not compress\n  allowed: compression_ratio only with topology = \"vmm-to-vmm\"; leave it out",
            at(&text, "compression_ratio", "2.0")
        )
    );
    let vmm = text
        .replace("hyperv-to-azure", "vmm-to-vmm")
        .replace("2.0", "0.5");
    assert_eq!(
        errors(&vmm),
        format!(
            "error: bad.toml:{}: policies[0].compression_ratio: 0.5 is out of range\n  allowed: a ratio of at least 1.0 (logical bytes per byte sent), such as 1.5; 1.0 (the default) is no compression",
            at(&vmm, "compression_ratio", "0.5")
        )
    );
}

#[test]
fn cache_fields_are_for_azure_to_azure_only() {
    let text = BASE.replace("hyperv-to-azure", "vmm-to-vmm").replace(
        "name = \"p\"",
        "name = \"p\"\nhigh_churn = true\ncache_disk_limit = \"10 MB/s\"",
    );
    let why = "only azure-to-azure replicates through a cache storage account";
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: policies[0].high_churn: does not apply to topology \"vmm-to-vmm\": {why}\n  allowed: high_churn only with topology = \"azure-to-azure\"; leave it out\n\
             error: bad.toml:{}: policies[0].cache_disk_limit: does not apply to topology \"vmm-to-vmm\": {why}\n  allowed: cache_disk_limit only with topology = \"azure-to-azure\"; leave it out",
            at(&text, "high_churn", "true"),
            at(&text, "cache_disk_limit", "\"10"),
        )
    );
    let a2a = A2A.replace("\"30 MB/s\"", "\"0 MB/s\"");
    let e = drsim::scenario::from_text(&a2a, Path::new("bad.toml"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "error: bad.toml:{}: policies[0].cache_disk_limit: a zero cache limit\n  allowed: a rate above zero, such as \"20 MB/s\"",
            at(&a2a, "cache_disk_limit", "\"0 MB/s\"")
        )
    );
}

#[test]
fn retention_and_app_consistent_ranges_follow_the_topology() {
    let text = BASE.replace(
        "name = \"p\"",
        "name = \"p\"\nrecovery_point_retention = \"25h\"\napp_consistent_frequency = \"13h\"",
    );
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: policies[0].recovery_point_retention: \"25h\" is out of range for hyperv-to-azure\n  allowed: from 0s to 1d for hyperv-to-azure (default 2h)\n\
             error: bad.toml:{}: policies[0].app_consistent_frequency: \"13h\" is out of range for hyperv-to-azure\n  allowed: from 1h to 12h for hyperv-to-azure, or \"off\" (the default)",
            at(&text, "recovery_point_retention", "\"25h\""),
            at(&text, "app_consistent_frequency", "\"13h\""),
        )
    );
    let a2a = A2A.replace("\"15d\"", "\"16d\"").replace(
        "app_consistent_frequency = \"24h\"",
        "app_consistent_frequency = \"often\"",
    );
    let e = drsim::scenario::from_text(&a2a, Path::new("bad.toml"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "error: bad.toml:{}: policies[0].recovery_point_retention: \"16d\" is out of range for azure-to-azure\n  allowed: from 1h to 15d for azure-to-azure (default 1d)\n\
             error: bad.toml:{}: policies[0].app_consistent_frequency: \"often\" is neither a duration nor \"off\"\n  allowed: from 1h to 1d for azure-to-azure, or \"off\" (the default)",
            at(&a2a, "recovery_point_retention", "\"16d\""),
            at(&a2a, "app_consistent_frequency", "\"often\""),
        )
    );
    // "0" is off, like "off".
    let off = BASE.replace(
        "name = \"p\"",
        "name = \"p\"\napp_consistent_frequency = \"0\"",
    );
    let s = drsim::scenario::from_text(&off, Path::new("ok.toml")).unwrap();
    assert_eq!(s.policies[0].app_consistent_every, None);
}

#[test]
fn azure_to_azure_offers_a_five_minute_copy_interval_only() {
    for interval in ["15m", "30s"] {
        let text = A2A.replace(
            "copy_interval = \"5m\"",
            &format!("copy_interval = \"{interval}\""),
        );
        let e = drsim::scenario::from_text(&text, Path::new("bad.toml"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!(
                "error: bad.toml:{}: policies[0].copy_interval: \"{interval}\" is not a copy interval azure-to-azure offers (it makes a crash-consistent recovery point every 5 minutes)\n  allowed: 30s, 5m for hyperv-to-azure; 30s, 5m, 15m for vmm-to-vmm; 5m for azure-to-azure",
                at(&text, "copy_interval", &format!("\"{interval}\""))
            )
        );
    }
}

#[test]
fn azure_to_azure_sites_have_no_link_and_there_are_no_links() {
    let text = A2A.replace("policy = \"busy\"", "policy = \"busy\"\nlink = \"wan\"");
    let e = drsim::scenario::from_text(&text, Path::new("bad.toml"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "error: bad.toml:{}: sites[0].link: azure-to-azure replicates through the cache storage account; a site has no link\n  allowed: no link on an azure-to-azure site; leave it out",
            at(&text, "link =", "\"wan\"")
        )
    );
    let text = A2A.replace(
        "[[policies]]\nname = \"busy\"",
        "[[links]]\nname = \"wan\"\ncapacity = \"1 Gbps\"\n\n[[policies]]\nname = \"busy\"",
    );
    let e = drsim::scenario::from_text(&text, Path::new("bad.toml"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "error: bad.toml:{}: links: azure-to-azure replicates through the cache storage account; it has no links\n  allowed: no [[links]] tables with topology = \"azure-to-azure\" (the policy's high_churn and cache_disk_limit set the cache's limits)",
            at(&text, "[[links]]", "\"wan\"")
        )
    );
}

#[test]
fn orchestration_is_chosen_for_hyperv_to_azure_only() {
    let text = BASE.replace("name = \"dc\"", "name = \"dc\"\norchestration = \"scvmm\"");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: sites[0].orchestration: unknown orchestration \"scvmm\"\n  allowed: \"hyperv-site\" (the default: a Hyper-V site, the Provider on each host) or \"vmm\" (hosts in VMM clouds, the Provider on the VMM server)",
            at(&text, "orchestration", "\"scvmm\"")
        )
    );
    let vmm = text
        .replace("hyperv-to-azure", "vmm-to-vmm")
        .replace("\"scvmm\"", "\"vmm\"");
    assert_eq!(
        errors(&vmm),
        format!(
            "error: bad.toml:{}: sites[0].orchestration: does not apply to topology \"vmm-to-vmm\": its sites are VMM clouds\n  allowed: orchestration only with topology = \"hyperv-to-azure\"; leave it out",
            at(&vmm, "orchestration", "\"vmm\"")
        )
    );
}

#[test]
fn network_names_must_not_be_empty() {
    let text = BASE
        .replace(
            "name = \"dc\"",
            "name = \"dc\"\nnetwork_mappings = { corp = \"\", \"\" = \"vnet\" }",
        )
        .replace("count = 9", "count = 9\nnetwork = \" \"");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: sites[0].network_mappings.: an empty source network name\n  allowed: an inline table of source network = \"target network\", both non-empty, such as {{ corp = \"vnet-prod\" }}\n\
             error: bad.toml:{}: sites[0].network_mappings.corp: an empty target network for \"corp\"\n  allowed: an inline table of source network = \"target network\", both non-empty, such as {{ corp = \"vnet-prod\" }}\n\
             error: bad.toml:{}: vms[0].network: an empty network name\n  allowed: the name of a VM network, such as \"corp\", or leave it out",
            at(&text, "network_mappings", "\"\" ="),
            at(&text, "network_mappings", "\"\","),
            at(&text, "network =", "\" \""),
        )
    );
    // A VM network without a mapping is not an error: that failover is refused in the run.
    let text = BASE.replace("count = 9", "count = 9\nnetwork = \"corp\"");
    let s = drsim::scenario::from_text(&text, Path::new("ok.toml")).unwrap();
    assert!(s.vms.iter().all(|v| v.network.as_deref() == Some("corp")));
    assert_eq!(s.sites[0].mapped_network("corp"), None);
}

#[test]
fn site_events_must_not_overlap_and_come_back_after_going_down() {
    let text = with(
        "[[site_events]]\nsite = \"dc\"\ndown_at = \"2h\"\nup_at = \"6h\"\n\n\
         [[site_events]]\nsite = \"branch\"\ndown_at = \"3h\"\n\n\
         [[site_events]]\nsite = \"dc\"\ndown_at = \"5h\"\nup_at = \"8h\"\n\n\
         [[site_events]]\nsite = \"branch\"\ndown_at = \"20h\"\n\n\
         [[site_events]]\nsite = \"dc\"\ndown_at = \"10h\"\nup_at = \"9h\"\n\n\
         [[site_events]]\nsite = \"lab\"\ndown_at = \"1h\"\n",
    );
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{}: site_events[4].up_at: \"9h\" is not after down_at (\"10h\")\n  allowed: a point in time after down_at, or leave up_at out (the site does not come back)\n\
             error: bad.toml:{}: site_events[5].site: no site is named \"lab\"\n  allowed: dc, branch\n\
             error: bad.toml:{}: site_events[2].down_at: overlaps site_events[0]: site \"dc\" is down from \"2h\" until its up_at \"6h\"\n  allowed: events of one site that do not overlap: each down_at at or after the previous event's up_at\n\
             error: bad.toml:{}: site_events[3].down_at: overlaps site_events[1]: site \"branch\" is down from \"3h\" and does not come back\n  allowed: events of one site that do not overlap: each down_at at or after the previous event's up_at",
            at(&text, "up_at = \"9h\"", "\"9h\""),
            at(&text, "\"lab\"", "\"lab\""),
            at(&text, "down_at = \"5h\"", "\"5h\""),
            at(&text, "down_at = \"20h\"", "\"20h\""),
        )
    );
}
