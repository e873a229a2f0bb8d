//! Failover (issue "Failover and failback", point 7): planned failover loses nothing and its
//! downtime includes the final delta; unplanned failover loses the writes after the newest
//! complete point; azure-to-azure points every 5 minutes and the RPO saw-tooth; recovery
//! plan RTO; refused operations. Every expected figure is worked out by hand in the comments.

mod common;
use common::{run, Memory};
use drsim::sim::{FailoverRecord, ResyncCause, ResyncOutcome, RunResult};

const S: u64 = 1000;

/// An estate on Monday 2026-11-23 from 08:00 for 1 day: VMs protected at t = 0 with their
/// first tick at 300 s, then every 5 minutes; a 100 Mbps (12,500,000 B/s) link.
/// `vms` and `extra` are TOML fragments (VM tables; failovers, plans, site events).
fn estate(topology: &str, policy: &str, vms: &str, extra: &str) -> String {
    let (link_table, site_link) = if topology == "azure-to-azure" {
        ("", "")
    } else {
        (
            "[[links]]\nname = \"wan\"\ncapacity = \"100 Mbps\"\n",
            "link = \"wan\"\n",
        )
    };
    format!(
        r#"
[scenario]
name = "failover"
topology = "{topology}"
start = "2026-11-23T08:00"
duration = "1d"
sample_step = "1h"

{link_table}
[[policies]]
name = "p"
{policy}

[[sites]]
name = "dc"
{site_link}network_mappings = {{ corp = "vnet-prod" }}

[[hosts]]
name = "h"

{vms}
{extra}
"#
    )
}

/// A VM protected at the start: 1 MB/s of writes (300 MB per cycle), one disk with 10 GB
/// used, booting in `boot`; no preparation at the target and no shutdown time (the tests of
/// those set them with `timed`).
fn vm(name: &str, boot: &str) -> String {
    format!(
        r#"
[[vms]]
name = "{name}"
network = "corp"
protected_at_start = true
first_tick = "300s"
boot_time = "{boot}"
prepare_time = "0s"
shutdown_time = "0s"
churn = "1 MB/s"
disks = [{{ size = "100 GB", used = "10 GB" }}]
"#
    )
}

fn only_failover(r: &RunResult) -> &FailoverRecord {
    assert_eq!(r.failovers.len(), 1, "{:?}", r.failovers);
    &r.failovers[0]
}

fn refusals(mem: &Memory) -> Vec<String> {
    mem.events
        .iter()
        .filter(|e| e.2 == "refused")
        .map(|e| e.4.clone())
        .collect()
}

/// Conservation with failover losses: written = applied + pending + discarded + lost.
fn balanced(r: &RunResult) {
    for v in &r.vms {
        assert_eq!(
            v.bytes_written,
            v.bytes_replicated + v.bytes_pending + v.bytes_discarded + v.bytes_lost,
            "{}",
            v.name
        );
    }
}

#[test]
fn planned_failover_loses_nothing_and_its_downtime_includes_the_final_delta() {
    // Ticks at 300, 600, 900 s: each log is 300 MB, 24 s on the link; the 900 s log is
    // applied at 924 s. At 1,000 s the VM shuts down; the last changes (900-1,000 s:
    // 100 MB) take 8 s: ready at 1,008 s, booted 120 s later at 1,128 s.
    let extra = r#"
[[failovers]]
at = "2026-11-23T08:16:40"
kind = "planned"
vm = "app"
"#;
    let (r, mem) = run(&estate("hyperv-to-azure", "", &vm("app", "2m"), extra));
    let f = only_failover(&r);
    assert_eq!(f.kind, "planned");
    let v = &f.vms[0];
    assert_eq!(v.refused, None);
    assert_eq!(v.data_loss_bytes, Some(0));
    assert_eq!(v.data_loss_ms, Some(0));
    assert_eq!(v.source_stopped_at, Some(1_000 * S));
    assert_eq!(v.ready_at, Some(1_008 * S));
    assert_eq!(v.booted_at, Some(1_128 * S));
    assert_eq!(
        v.downtime(r.horizon),
        Some(128 * S),
        "8 s final delta + 120 s boot"
    );
    assert_eq!(f.rto(), Some(128 * S));
    assert_eq!(v.state_after, "failed-over");
    assert!(refusals(&mem).is_empty(), "{:?}", refusals(&mem));
    // Nothing written was lost: every byte up to the shutdown arrived.
    let app = &r.vms[0];
    assert_eq!(app.bytes_lost, 0);
    assert_eq!(app.bytes_replicated, 1_000_000_000);
    balanced(&r);
}

#[test]
fn unplanned_failover_loses_the_writes_after_the_newest_complete_point() {
    // The site is lost at 1,000 s; the newest complete point is the log closed at 900 s
    // (applied at 924 s). The failover at 1,200 s loses 100 s of writes: 100,000,000 B.
    // Downtime runs from the loss (1,000 s) to the boot (1,200 + 120 = 1,320 s).
    let extra = r#"
[[site_events]]
site = "dc"
down_at = "2026-11-23T08:16:40"

[[failovers]]
at = "2026-11-23T08:20"
kind = "unplanned"
vm = "app"
"#;
    let (r, _) = run(&estate("hyperv-to-azure", "", &vm("app", "2m"), extra));
    let v = &only_failover(&r).vms[0];
    assert_eq!(v.recovery_point_at, Some(900 * S));
    assert_eq!(v.data_loss_ms, Some(100 * S));
    assert_eq!(v.data_loss_bytes, Some(100_000_000));
    assert_eq!(v.downtime(r.horizon), Some(320 * S));
    assert_eq!(only_failover(&r).rto(), Some(120 * S));
    assert_eq!(r.vms[0].bytes_lost, 100_000_000);
    balanced(&r);

    // An older point by time. Hyper-V to Azure keeps the latest point and one per hour
    // (the first of each hour) for the retention window, 2 h by default. At 10:16:40
    // (8,200 s) the newest point is 8,100 s; at or before 09:30 the kept one is 09:00
    // (3,600 s). Loss: 4,600 s of writes, 4.6 GB, of which 4.5 GB had been applied.
    let extra = r#"
[[failovers]]
at = "2026-11-23T10:16:40"
kind = "unplanned"
vm = "app"
point = "2026-11-23T09:30"
"#;
    let (r, _) = run(&estate("hyperv-to-azure", "", &vm("app", "2m"), extra));
    let v = &only_failover(&r).vms[0];
    assert_eq!(v.recovery_point_at, Some(3_600 * S));
    assert_eq!(v.data_loss_ms, Some(4_600 * S));
    assert_eq!(v.data_loss_bytes, Some(4_600_000_000));
    assert_eq!(r.vms[0].bytes_lost, 4_600_000_000);
    balanced(&r);
}

#[test]
fn an_unplanned_failover_during_resync_cancels_it() {
    // The 50% rule set at 1% of a 20 GB disk (200 MB) fires at 200 s; the resync, started by hand
    // at 1,000 s, compares 10 GB (50 s) then sends blocks. The unplanned failover at 1,080 s
    // cancels it and starts from the only point, the one at the start: 1,080 s of writes
    // are lost.
    let extra = r#"
[[actions]]
at = "2026-11-23T08:16:40"
vm = "app"
action = "resynchronize"

[[failovers]]
at = "2026-11-23T08:18"
kind = "unplanned"
vm = "app"
"#;
    let policy = r#"resync_threshold = "1%"
resync_start = "manual""#;
    let small = vm("app", "2m").replace("100 GB", "20 GB");
    let (r, _) = run(&estate("hyperv-to-azure", policy, &small, extra));
    let v = &only_failover(&r).vms[0];
    assert_eq!(v.refused, None);
    let resyncs = &r.vms[0].resyncs;
    assert_eq!(resyncs.len(), 1, "{resyncs:?}");
    assert_eq!(resyncs[0].outcome, ResyncOutcome::Cancelled);
    assert_eq!(resyncs[0].ended_at, Some(1_080 * S));
    assert_eq!(v.recovery_point_at, Some(0));
    assert_eq!(v.data_loss_bytes, Some(1_080_000_000));
    balanced(&r);
}

#[test]
fn azure_to_azure_points_every_five_minutes_give_a_saw_tooth_rpo() {
    // 1 MB/s stays far below the cache limits (54 MB/s per VM, 20 MB/s per disk): the
    // writes are in the cache as they are made, so the point taken at each 5-minute tick is
    // complete at once. RPO climbs from 0 to 300 s and drops back: mean 150 s, max 300 s.
    let (r, mem) = run(&estate("azure-to-azure", "", &vm("app", "2m"), ""));
    let app = &r.vms[0];
    assert_eq!(app.cycles_missed, 0);
    assert_eq!(app.cycles_done, 287, "ticks at 300 s ... 86,100 s");
    assert_eq!(app.rpo.max_s, Some(300.0));
    assert_eq!(app.rpo.mean_s, Some(150.0));
    // Hourly samples see the RPO at its phase in the cycle: 0 s at 09:00 (a tick).
    let rpo_at_9: Vec<_> = mem
        .samples
        .iter()
        .filter(|s| s.0 == 3_600 * S)
        .map(|s| s.2)
        .collect();
    assert_eq!(rpo_at_9, vec![Some(0)]);
}

#[test]
fn azure_to_azure_churn_over_the_disk_limit_delays_points_until_cycles_are_missed() {
    // 25 MB/s on one disk against its 20 MB/s limit: a 5-minute log is 7.5 GB. By its close
    // 6 GB are already in the cache; 1.5 GB more take 75 s: the 300 s point completes at
    // 375 s. The next log's upload starts at 375 s: by 600 s 4.5 GB are up, 3 GB take 150 s
    // (done 750 s); then 225 s (done 1,125 s). Over the first 1,190 s the RPO peaks just
    // before 1,125 s at 1,125 - 600 = 525 s.
    let fast = vm("app", "2m").replace("1 MB/s", "25 MB/s");
    let text = estate("azure-to-azure", "", &fast, "");
    let (r, _) = run(&text.replace("duration = \"1d\"", "duration = \"1190s\""));
    assert_eq!(r.vms[0].cycles_missed, 0);
    assert_eq!(r.vms[0].rpo.max_s, Some(525.0));
    // Then 300 s (done 1,500 s, with the next tick, which comes first: a missed cycle).
    // Replication never catches up.
    let (r, _) = run(&text);
    assert!(r.vms[0].cycles_missed > 0);
    assert!(r.vms[0].rpo.max_s.unwrap() > 1_800.0, "{:?}", r.vms[0].rpo);
    // High churn raises the VM limit to 100 MB/s; with the disk limit at 50 MB/s it keeps up.
    let policy = "high_churn = true\ncache_disk_limit = \"50 MB/s\"";
    let (r, _) = run(&estate("azure-to-azure", policy, &fast, ""));
    assert_eq!(r.vms[0].cycles_missed, 0);
    assert_eq!(r.vms[0].rpo.max_s, Some(300.0));
}

#[test]
fn azure_to_azure_alerts_after_an_hour_without_a_new_point() {
    // A 100 kB/s disk limit against 1 MB/s: the first log (300 MB, 30 MB uploaded by its
    // close) completes at 300 + 2,700 = 3,000 s; the next covers 300-3,300 s (3 GB) and
    // needs 29,700 s more. An hour after the 3,000 s point, at 6,600,001 ms, the alert.
    let policy = "cache_disk_limit = \"100 kB/s\"";
    let (_, mem) = run(&estate("azure-to-azure", policy, &vm("app", "2m"), ""));
    let alert: Vec<_> = mem
        .health
        .iter()
        .filter(|h| h.4 == "no new recovery point for 60 minutes")
        .collect();
    assert!(!alert.is_empty(), "{:?}", mem.health);
    assert_eq!(alert[0].1, 6_600_001);
}

#[test]
fn plan_rto_is_the_slowest_vm_of_each_group_plus_the_steps_between() {
    // Group 1: db-a boots in 2 min, db-b in 5 min; then a 3-minute script and a 4-minute
    // manual action; group 2: web boots in 1 min. Unplanned at 1,000 s: every VM's point is
    // ready at once. RTO = 5 + 3 + 4 + 1 = 13 min = 780 s.
    let vms = [vm("db-a", "2m"), vm("db-b", "5m"), vm("web", "1m")].concat();
    let extra = r#"
[[recovery_plans]]
name = "erp"
groups = [
  { vms = ["db-a", "db-b"], after = [{ script = "check-db", duration = "3m" }, { manual = "DBA sign-off", wait = "4m" }] },
  { vms = ["web"] },
]

[[failovers]]
at = "2026-11-23T08:16:40"
kind = "unplanned"
plan = "erp"
"#;
    let (r, _) = run(&estate("hyperv-to-azure", "", &vms, extra));
    let f = only_failover(&r);
    assert!(f.target_is_plan);
    assert_eq!(f.rto(), Some(780 * S));
    assert_eq!(f.groups[0].started_at, Some(1_000 * S));
    assert_eq!(f.groups[0].booted_at, Some(1_300 * S));
    assert_eq!(f.groups[1].started_at, Some(1_720 * S));
    assert_eq!(f.groups[1].booted_at, Some(1_780 * S));
    assert_eq!(f.steps.len(), 2);
    assert_eq!(
        (f.steps[0].started_at, f.steps[0].ended_at),
        (1_300 * S, 1_480 * S)
    );
    // Every VM lost the 100 s since the 900 s point.
    assert!(f.vms.iter().all(|v| v.data_loss_ms == Some(100 * S)));
    balanced(&r);
}

#[test]
fn a_failed_script_stops_a_planned_plan_but_not_an_unplanned_one() {
    let vms = [vm("db", "2m"), vm("web", "1m")].concat();
    let plan = r#"
[[recovery_plans]]
name = "erp"
groups = [
  { vms = ["db"], after = [{ script = "check-db", duration = "3m", fails = true }] },
  { vms = ["web"] },
]
"#;
    let order = |kind: &str| {
        format!("{plan}\n[[failovers]]\nat = \"2026-11-23T08:16:40\"\nkind = \"{kind}\"\nplan = \"erp\"\n")
    };
    let (r, _) = run(&estate("hyperv-to-azure", "", &vms, &order("planned")));
    let f = only_failover(&r);
    assert_eq!(f.stopped.as_deref(), Some("script check-db failed"));
    assert_eq!(f.completed_at, None);
    assert_eq!(f.groups[1].started_at, None);
    // web was shut down with the plan at 1,000 s and never booted: down to the end.
    assert_eq!(f.vms[1].downtime(r.horizon), Some(r.horizon - 1_000 * S));
    let (r, _) = run(&estate("hyperv-to-azure", "", &vms, &order("unplanned")));
    let f = only_failover(&r);
    assert_eq!(f.stopped, None);
    assert_eq!(f.steps[0].outcome, "failed");
    // 120 s boot + 180 s script + 60 s boot.
    assert_eq!(f.rto(), Some(360 * S));
}

#[test]
fn refused_operations_say_why_in_the_event_log() {
    // Planned failover during a resync; a test failover of a VM still in initial
    // replication; a failover of a VM whose network has no mapping; a planned failover when
    // the site is lost.
    let ir_vm = r#"
[[vms]]
name = "new"
network = "corp"
churn = "1 MB/s"
disks = [{ size = "100 GB", used = "50 GB" }]
"#;
    let unmapped = vm("dmz", "2m").replace("network = \"corp\"", "network = \"dmz\"");
    let small = vm("app", "2m").replace("100 GB", "20 GB");
    let vms = [small, ir_vm.to_string(), unmapped].concat();
    let extra = r#"
[[actions]]
at = "2026-11-23T08:10"
vm = "app"
action = "resynchronize"

[[failovers]]
at = "2026-11-23T08:11"
kind = "planned"
vm = "app"

[[failovers]]
at = "2026-11-23T08:11"
kind = "test"
vm = "new"

[[failovers]]
at = "2026-11-23T08:11"
kind = "unplanned"
vm = "dmz"
"#;
    // 1% of 20 GB: resync required at 200 s, started at 600 s, sending blocks at 650 s.
    let policy = "resync_threshold = \"1%\"\nresync_start = \"manual\"";
    let (r, mem) = run(&estate("hyperv-to-azure", policy, &vms, extra));
    let why = refusals(&mem);
    assert!(
        why.contains(&"planned-failover is not allowed in state resynchronizing".to_string()),
        "{why:?}"
    );
    assert!(
        why.contains(&"test-failover is not allowed in state initial-replication".to_string()),
        "{why:?}"
    );
    assert!(
        why.contains(&"unplanned-failover: network dmz has no mapping at site dc".to_string()),
        "{why:?}"
    );
    assert!(r.failovers.iter().all(|f| f.vms[0].refused.is_some()));

    let extra = r#"
[[site_events]]
site = "dc"
down_at = "2026-11-23T08:10"

[[failovers]]
at = "2026-11-23T08:11"
kind = "planned"
vm = "app"
"#;
    let (_, mem) = run(&estate("hyperv-to-azure", "", &vm("app", "2m"), extra));
    assert_eq!(
        refusals(&mem),
        vec!["planned-failover: the source site dc is unreachable".to_string()]
    );
}

#[test]
fn test_failover_keeps_replicating_and_cleanup_removes_the_copy() {
    let extra = r#"
[[failovers]]
at = "2026-11-23T10:00"
kind = "test"
vm = "app"

[[failovers]]
at = "2026-11-23T11:00"
kind = "cleanup"
vm = "app"
"#;
    let (r, mem) = run(&estate("hyperv-to-azure", "", &vm("app", "2m"), extra));
    let f = only_failover(&r);
    let v = &f.vms[0];
    // The 10:00 tick (7,200 s) has just closed a log, still in flight: the newest point is
    // the previous tick's.
    assert_eq!(v.recovery_point_at, Some(6_900 * S));
    assert_eq!(v.data_loss_bytes, Some(0));
    assert_eq!(
        v.downtime(r.horizon),
        None,
        "a test failover has no downtime"
    );
    assert_eq!(f.rto(), Some(120 * S));
    assert_eq!(v.state_after, "protected");
    // Replication never stopped: every tick of the day was a cycle.
    assert_eq!(r.vms[0].cycles_done + r.vms[0].cycles_missed, 287);
    assert!(mem.events.iter().any(|e| e.4 == "test copy removed"));
    assert!(refusals(&mem).is_empty());
}

#[test]
fn vmm_to_vmm_unplanned_commit_reverse_and_failback() {
    // Unplanned at 1,000 s (no site loss), commit at 1,200 s, reverse replication at
    // 1,500 s (a sync: compare 10 GB at 200 MB/s = 50 s, then the differing blocks), a
    // planned failback at 3 h, after which the VM is protected from the primary again.
    let extra = r#"
[[failovers]]
at = "2026-11-23T08:16:40"
kind = "unplanned"
vm = "app"

[[failovers]]
at = "2026-11-23T08:20"
kind = "commit"
vm = "app"

[[failovers]]
at = "2026-11-23T08:25"
kind = "reverse-replicate"
vm = "app"

[[failovers]]
at = "2026-11-23T11:00"
kind = "failback"
vm = "app"
"#;
    let (r, mem) = run(&estate("vmm-to-vmm", "", &vm("app", "2m"), extra));
    assert_eq!(r.failovers.len(), 2);
    assert_eq!(r.failovers[0].vms[0].state_after, "failed-over");
    let back = &r.failovers[1];
    assert_eq!(back.kind, "failback");
    assert_eq!(back.vms[0].data_loss_bytes, Some(0));
    assert_eq!(back.vms[0].state_after, "protected");
    let resyncs = &r.vms[0].resyncs;
    assert_eq!(resyncs.len(), 1);
    assert_eq!(resyncs[0].cause, ResyncCause::ReverseReplication);
    assert_eq!(resyncs[0].outcome, ResyncOutcome::Completed);
    assert_eq!(resyncs[0].started_at, Some(1_500 * S));
    assert_eq!(r.vms[0].state, "protected");
    assert!(refusals(&mem).is_empty(), "{:?}", refusals(&mem));
    balanced(&r);
}

/// An unplanned failover at 1,000 s, committed at 1,200 s, and a failback in `mode` at 4 h.
fn failback_after_a_committed_failover(mode: &str) -> String {
    format!(
        r#"
[[failovers]]
at = "2026-11-23T08:16:40"
kind = "unplanned"
vm = "app"

[[failovers]]
at = "2026-11-23T08:20"
kind = "commit"
vm = "app"

[[failovers]]
at = "2026-11-23T12:00"
kind = "failback"
vm = "app"
mode = "{mode}"
"#
    )
}

#[test]
fn hyperv_to_azure_failback_sync_first_has_less_downtime_than_a_full_download() {
    let failback = failback_after_a_committed_failover;
    let (r, _) = run(&estate(
        "hyperv-to-azure",
        "",
        &vm("app", "2m"),
        &failback("full-download"),
    ));
    let full = &r.failovers[1].vms[0];
    // The Azure VM shuts down at 4 h (14,400 s); 10 GB at 12.5 MB/s take 800 s; 2 min boot.
    assert_eq!(full.source_stopped_at, Some(14_400 * S));
    assert_eq!(full.downtime(r.horizon), Some(920 * S));
    assert_eq!(full.state_after, "failed-over");
    // Commit and re-enable replication to Azure at 5 h: only the writes made on-premises
    // since the boot (15,320 s to 18,000 s: 2.68 GB at most) differ from the Azure copy.
    let more = r#"
[[failovers]]
at = "2026-11-23T13:00"
kind = "commit"
vm = "app"

[[failovers]]
at = "2026-11-23T13:00"
kind = "reverse-replicate"
vm = "app"
"#;
    let text = estate(
        "hyperv-to-azure",
        "",
        &vm("app", "2m"),
        &(failback("full-download") + more),
    );
    let (r, mem) = run(&text);
    let sync = &r.vms[0].resyncs[0];
    assert_eq!(sync.cause, ResyncCause::ReverseReplication);
    assert!(sync.bytes_to_send <= 2_680_000_000, "{sync:?}");
    assert!(sync.bytes_to_send > 2_000_000_000, "{sync:?}");
    assert!(mem
        .jobs
        .iter()
        .any(|j| j.1 == "Failback download" && j.3 == Some(15_200 * S)));
    balanced(&r);
    let (r, _) = run(&estate(
        "hyperv-to-azure",
        "",
        &vm("app", "2m"),
        &failback("sync-first"),
    ));
    let sync = &r.failovers[1].vms[0];
    // Compared and sent while running; the shutdown comes later and only the writes made
    // during the block transfer go after it.
    assert!(sync.source_stopped_at.unwrap() > 14_400 * S);
    assert!(sync.downtime(r.horizon).unwrap() < full.downtime(r.horizon).unwrap());
    assert_eq!(r.vms[0].resyncs[0].cause, ResyncCause::FailbackSync);
    balanced(&r);
}

#[test]
fn failback_waits_for_the_lost_site_to_come_back() {
    // The site is lost at 1,000 s and back at 2 h (7,200 s) with its disks. The unplanned
    // failover at 1,200 s runs the VM on the secondary site; commit. Reverse replication and
    // failback are refused while the primary is down; after it is back, reverse replication
    // syncs the differences and the failback at 4 h brings the VM home, protected again.
    let extra = r#"
[[site_events]]
site = "dc"
down_at = "2026-11-23T08:16:40"
up_at = "2026-11-23T10:00"

[[failovers]]
at = "2026-11-23T08:20"
kind = "unplanned"
vm = "app"

[[failovers]]
at = "2026-11-23T08:25"
kind = "commit"
vm = "app"

[[failovers]]
at = "2026-11-23T09:00"
kind = "reverse-replicate"
vm = "app"

[[failovers]]
at = "2026-11-23T09:30"
kind = "failback"
vm = "app"

[[failovers]]
at = "2026-11-23T10:30"
kind = "reverse-replicate"
vm = "app"

[[failovers]]
at = "2026-11-23T12:00"
kind = "failback"
vm = "app"
"#;
    let (r, mem) = run(&estate("vmm-to-vmm", "", &vm("app", "2m"), extra));
    assert_eq!(
        refusals(&mem),
        vec![
            "reverse-replicate: site dc is down".to_string(),
            "failback: the primary site dc is unreachable".to_string()
        ]
    );
    let back = r.failovers.last().unwrap();
    assert_eq!(back.kind, "failback");
    assert_eq!(back.vms[0].refused, None);
    assert_eq!(back.vms[0].state_after, "protected");
    assert_eq!(r.vms[0].resyncs[0].started_at, Some(9_000 * S));
    balanced(&r);
    // With the disks lost, reverse replication is a full initial replication.
    let lost = extra.replace(
        "up_at = \"2026-11-23T10:00\"",
        "up_at = \"2026-11-23T10:00\"\ndisks_lost = true",
    );
    let (r, mem) = run(&estate("vmm-to-vmm", "", &vm("app", "2m"), &lost));
    assert!(r.vms[0].resyncs.is_empty());
    assert!(mem
        .jobs
        .iter()
        .any(|j| j.1 == "Initial replication" && j.2 == 9_000 * S && j.4 == "succeeded"));
    balanced(&r);
}

#[test]
fn a_vm_ready_during_a_step_does_not_start_it_again() {
    // Planned failover of a plan: db is ready at once (its final log is small), web sends a
    // large final log (10 MB/s of writes) and is ready later, while the 5-minute sign-off
    // after group 1 runs. Each step runs once; the steps after the last group do not count
    // in the RTO, which ends at web's boot.
    let web = vm("web", "1m").replace("1 MB/s", "10 MB/s");
    let vms = [vm("db", "2m"), web].concat();
    let extra = r#"
[[recovery_plans]]
name = "erp"
groups = [
  { vms = ["db"], after = [{ manual = "sign-off", wait = "5m" }] },
  { vms = ["web"], after = [{ manual = "check web", wait = "30m" }] },
]

[[failovers]]
at = "2026-11-23T08:16:40"
kind = "planned"
plan = "erp"
"#;
    let (r, _) = run(&estate("hyperv-to-azure", "", &vms, extra));
    let f = only_failover(&r);
    let names: Vec<&str> = f.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["sign-off", "check web"]);
    assert!(f.steps.iter().all(|s| s.outcome == "succeeded"));
    let sign_off = &f.steps[0];
    assert_eq!(sign_off.ended_at - sign_off.started_at, 300 * S);
    let group2 = f.groups[1].started_at.unwrap();
    assert!(group2 >= sign_off.ended_at);
    let web_boot = f.vms[1].booted_at.unwrap();
    assert_eq!(web_boot, group2 + 60 * S);
    assert_eq!(f.rto(), Some(web_boot - f.at));
    assert_eq!(f.completed_at, Some(web_boot + 1_800 * S));
}

#[test]
fn azure_to_azure_resync_blocks_go_at_the_busiest_disks_limit() {
    // Two disks; only the data disk is written (5 MB/s). A non-recoverable error at 1,000 s,
    // repaired 10 minutes later: the resync starts at once at 1,600 s, compares 12 GB of used
    // bytes at 200 MB/s (60 s), then sends the differing blocks, all on the data disk, at
    // its 20 MB/s limit (the VM's 54 MB/s is not the bottleneck).
    let vms = r#"
[[vms]]
name = "app"
protected_at_start = true
first_tick = "300s"
churn = "5 MB/s"
disks = [{ size = "10 GB", used = "2 GB", churn = "0 MB/s" }, { size = "100 GB", used = "10 GB" }]

[[faults]]
kind = "vm-not-found"
vm = "app"
at = "1000s"
"#;
    let policy = "admin_response = \"10m\"\nresync_start = \"immediate\"";
    let (r, _) = run(&estate("azure-to-azure", policy, vms, ""));
    let rs = &r.vms[0].resyncs[0];
    assert_eq!(rs.started_at, Some(1_600 * S));
    let sending_from = 1_660 * S;
    // bytes / 20,000,000 B/s, in ms rounded up.
    let expected = rs.bytes_to_send.div_ceil(20_000);
    assert_eq!(rs.ended_at, Some(sending_from + expected), "{rs:?}");
    balanced(&r);
}

#[test]
fn every_bundled_scenario_runs_and_keeps_its_books() {
    // The worked examples, run with the debug assertions on (conservation after every step,
    // every move in the transition table); their failovers complete.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    let mut with_failovers = 0;
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        let (r, _) = common::run_in(&dir, &text);
        balanced(&r);
        if !r.failovers.is_empty() {
            with_failovers += 1;
        }
        for f in &r.failovers {
            assert!(
                f.completed_at.is_some(),
                "{}: {} of {} did not complete",
                path.display(),
                f.kind,
                f.target
            );
        }
    }
    assert!(
        with_failovers >= 4,
        "{with_failovers} scenarios with failovers"
    );
}

#[test]
fn before_commit_another_point_can_be_chosen() {
    // Unplanned at 10:16:40 (8,200 s) from the latest point (8,100 s): 100 s, 100 MB lost.
    // At 10:30 the VM is started from the 09:00 point instead (the hourly one kept at or
    // before 09:30): 4,600 s, 4.6 GB lost. At 10:40 back to the latest: 100 MB again. After
    // the commit at 11:00 the points are gone and a change is refused.
    let order = |at: &str, kind: &str, point: &str| {
        format!(
            "\n[[failovers]]\nat = \"2026-11-23T{at}\"\nkind = \"{kind}\"\nvm = \"app\"\n{point}"
        )
    };
    let older = [
        order("10:16:40", "unplanned", ""),
        order("10:30", "change-point", "point = \"2026-11-23T09:30\"\n"),
    ]
    .concat();
    let (r, _) = run(&estate("hyperv-to-azure", "", &vm("app", "2m"), &older));
    let v = &only_failover(&r).vms[0];
    assert_eq!(v.recovery_point_at, Some(3_600 * S));
    assert_eq!(v.data_loss_ms, Some(4_600 * S));
    assert_eq!(v.data_loss_bytes, Some(4_600_000_000));
    assert_eq!(r.vms[0].bytes_lost, 4_600_000_000);
    balanced(&r);
    let back = older
        + &order("10:40", "change-point", "")
        + &order("11:00", "commit", "")
        + &order("11:10", "change-point", "");
    let (r, mem) = run(&estate("hyperv-to-azure", "", &vm("app", "2m"), &back));
    let v = &only_failover(&r).vms[0];
    assert_eq!(v.recovery_point_at, Some(8_100 * S));
    assert_eq!(v.data_loss_bytes, Some(100_000_000));
    assert_eq!(r.vms[0].bytes_lost, 100_000_000);
    assert_eq!(
        refusals(&mem),
        vec!["change-point is not allowed in state failover-committed".to_string()]
    );
    balanced(&r);
}

#[test]
fn a_later_order_neither_breaks_nor_strands_a_failover_in_progress() {
    // A planned failover of the plan at 1,000 s: both VMs shut down and send their last
    // changes. A second planned order of `a` at 1,004 s is refused (a is failing over):
    // the first run goes on. The link fails at 1,006 s until 2 h, while both VMs' last
    // changes (100 MB each, sharing the link: 16 s) are on their way; at 1,200 s an unplanned
    // failover of `a` alone takes it out of the plan's run: a loses what it wrote after its
    // 900 s point, up to its shutdown at 1,000 s (100 s, 100 MB). The plan goes on with b,
    // which fails over once the link is back, and completes.
    let vms = [vm("a", "2m"), vm("b", "2m")].concat();
    let extra = r#"
[[recovery_plans]]
name = "app"
groups = [{ vms = ["a"] }, { vms = ["b"] }]

[[failovers]]
at = "2026-11-23T08:16:40"
kind = "planned"
plan = "app"

[[failovers]]
at = "2026-11-23T08:16:44"
kind = "planned"
vm = "a"

[[failovers]]
at = "2026-11-23T08:20"
kind = "unplanned"
vm = "a"
"#;
    let text = estate("hyperv-to-azure", "", &vms, extra).replace(
        "capacity = \"100 Mbps\"\n",
        "capacity = \"100 Mbps\"\noutages = [{ start = \"1006s\", duration = \"6194s\" }]\n",
    );
    let (r, mem) = run(&text);
    assert_eq!(r.failovers.len(), 3);
    let (plan, again, alone) = (&r.failovers[0], &r.failovers[1], &r.failovers[2]);
    assert!(again.vms[0].refused.is_some());
    assert_eq!(
        plan.vms[0].refused.as_deref(),
        Some("superseded by the unplanned-failover at the same VM")
    );
    assert!(plan.completed_at.is_some(), "{plan:?}");
    assert!(plan.vms[1].booted_at.unwrap() > 7_200 * S);
    let a = &alone.vms[0];
    assert_eq!(a.source_stopped_at, Some(1_000 * S));
    assert_eq!(a.data_loss_ms, Some(100 * S));
    assert_eq!(a.data_loss_bytes, Some(100_000_000));
    assert_eq!(r.vms[0].bytes_lost, 100_000_000);
    assert!(refusals(&mem)
        .iter()
        .any(|w| w == "planned-failover is not allowed in state failing-over"));
    balanced(&r);

    // A planned failover while the link is down is refused: the source is unreachable.
    let down = extra.replace("08:16:40", "08:17:00");
    let (_, mem) = run(&estate("hyperv-to-azure", "", &vms, &down).replace(
        "capacity = \"100 Mbps\"\n",
        "capacity = \"100 Mbps\"\noutages = [{ start = \"1006s\", duration = \"6194s\" }]\n",
    ));
    assert!(refusals(&mem)
        .iter()
        .any(|w| w == "planned-failover: the source is unreachable: link wan is down"));
}

#[test]
fn azure_to_azure_low_memory_spares_a_vm_that_is_not_sending() {
    // A resync compares checksums from 08:20 (after a repaired error); low memory on the
    // host at 08:20:10 for 10 s stops only transfers: the comparison (10 GB at 200 MB/s,
    // 50 s) ends on time and the resync completes.
    let extra = r#"
[[faults]]
kind = "broken-vhd-chain"
vm = "app"
at = "2026-11-23T08:10"

[[faults]]
kind = "low-memory"
host = "h"
start = "2026-11-23T08:20:10"
duration = "10s"
"#;
    let policy = "admin_response = \"10m\"\nresync_start = \"immediate\"";
    let (r, _) = run(&estate("azure-to-azure", policy, &vm("app", "2m"), extra));
    let rs = &r.vms[0].resyncs[0];
    assert_eq!(rs.started_at, Some(1_200 * S));
    assert_eq!(rs.outcome, ResyncOutcome::Completed);
    assert_eq!(r.vms[0].state, "protected");
}

#[test]
fn vmm_to_vmm_compression_halves_the_bytes_on_the_wire() {
    // Ratio 2: each 300 MB log crosses as 150 MB, 12 s on the 12.5 MB/s link instead of 24:
    // the RPO just before each arrival is 300 + 12 s.
    let (r, _) = run(&estate(
        "vmm-to-vmm",
        "compression_ratio = 2.0",
        &vm("app", "2m"),
        "",
    ));
    let app = &r.vms[0];
    assert_eq!(r.links[0].bytes_sent * 2, app.bytes_replicated);
    assert_eq!(app.arrivals.rpo_max_s(), Some(312.0));
}

#[test]
fn azure_to_azure_high_churn_is_a_vms_own_option() {
    // 64 MB/s over four data disks (16 MB/s each, under the 20 MB/s disk limit): over the
    // 54 MB/s a VM may push normally, within the 100 MB/s of high churn. The policy keeps
    // the normal limit; the VM sets high churn for itself and keeps up.
    let busy = |option: &str| {
        format!(
            r#"
[[vms]]
name = "ingest"
protected_at_start = true
first_tick = "300s"
churn = "16 MB/s"
{option}
disks = [{{ size = "100 GB", used = "10 GB", churn = "0 MB/s" }}, {{ size = "1 TB", used = "100 GB" }}, {{ size = "1 TB", used = "100 GB" }}, {{ size = "1 TB", used = "100 GB" }}, {{ size = "1 TB", used = "100 GB" }}]
"#
        )
    };
    let short = |text: String| text.replace("duration = \"1d\"", "duration = \"2h\"");
    let (r, _) = run(&short(estate(
        "azure-to-azure",
        "",
        &busy("high_churn = true"),
        "",
    )));
    assert_eq!(r.vms[0].cycles_missed, 0);
    assert_eq!(r.vms[0].rpo.max_s, Some(300.0));
    let (r, _) = run(&short(estate("azure-to-azure", "", &busy(""), "")));
    assert!(r.vms[0].cycles_missed > 0);
    // Only azure-to-azure has a cache to raise the limit of.
    let text = estate("hyperv-to-azure", "", &busy("high_churn = true"), "");
    let err = drsim::scenario::from_text(&text, std::path::Path::new("t.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("vms[0].high_churn: does not apply to topology \"hyperv-to-azure\""),
        "{err}"
    );
}

#[test]
fn an_unplanned_failover_during_a_failback_download_is_refused_and_the_download_completes() {
    // As above: the Azure VM shuts down at 4 h and the 800 s download starts. An unplanned
    // failover at 4 h 5 min finds no recovery point on the primary side (the points stayed
    // behind with the direction that was committed): refused, and the download goes on.
    let extra = failback_after_a_committed_failover("full-download")
        + r#"
[[failovers]]
at = "2026-11-23T12:05"
kind = "unplanned"
vm = "app"
"#;
    let (r, mem) = run(&estate("hyperv-to-azure", "", &vm("app", "2m"), &extra));
    assert_eq!(
        r.failovers[2].vms[0].refused.as_deref(),
        Some("no recovery point")
    );
    let downloads: Vec<_> = mem
        .jobs
        .iter()
        .filter(|j| j.1 == "Failback download")
        .collect();
    assert_eq!(downloads.len(), 1, "{downloads:?}");
    assert_eq!(downloads[0].3, Some(15_200 * S), "{downloads:?}");
    assert_eq!(downloads[0].4, "succeeded", "{downloads:?}");
    balanced(&r);
}

/// `vm` with a preparation time at the target and a shutdown time for planned failovers.
fn timed(name: &str, boot: &str, prepare: &str, shutdown: &str) -> String {
    vm(name, boot)
        .replace(
            "prepare_time = \"0s\"",
            &format!("prepare_time = \"{prepare}\""),
        )
        .replace(
            "shutdown_time = \"0s\"",
            &format!("shutdown_time = \"{shutdown}\""),
        )
}

#[test]
fn a_planned_failover_waits_for_the_shutdown_and_the_preparation() {
    // As the planned failover above, with a 90 s shutdown and a 45 s preparation. At 1,000 s
    // the VM starts to shut down: it stops writing (downtime starts). At 1,090 s it is off;
    // the last changes (900-1,000 s: 100 MB) take 8 s: ready at 1,098 s. Prepared at
    // 1,143 s, booted 120 s later at 1,263 s. Downtime and RTO: 263 s = 90 + 8 + 45 + 120.
    let extra = r#"
[[failovers]]
at = "2026-11-23T08:16:40"
kind = "planned"
vm = "app"
"#;
    let (r, mem) = run(&estate(
        "hyperv-to-azure",
        "",
        &timed("app", "2m", "45s", "90s"),
        extra,
    ));
    let f = only_failover(&r);
    let v = &f.vms[0];
    assert_eq!(v.refused, None);
    assert_eq!(v.data_loss_bytes, Some(0));
    assert_eq!(v.source_stopped_at, Some(1_000 * S));
    assert_eq!(v.ready_at, Some(1_098 * S));
    assert_eq!(v.boot_started_at, Some(1_143 * S));
    assert_eq!(v.booted_at, Some(1_263 * S));
    assert_eq!(v.downtime(r.horizon), Some(263 * S));
    assert_eq!(f.rto(), Some(263 * S));
    // Writes stopped at the start of the shutdown: the 1,000 MB written by 1,000 s all arrived.
    assert_eq!(r.vms[0].bytes_lost, 0);
    assert_eq!(r.vms[0].bytes_replicated, 1_000_000_000);
    let steps: Vec<(u64, &str)> = mem
        .events
        .iter()
        .filter(|e| e.2 == "failover")
        .map(|e| (e.0, e.4.as_str()))
        .collect();
    assert_eq!(
        &steps[..2],
        [
            (1_000 * S, "shutting down the source (1m30s)"),
            (1_090 * S, "source shut down")
        ]
    );
    balanced(&r);
}

#[test]
fn an_unplanned_failover_has_no_shutdown_but_is_prepared() {
    // As the unplanned failover above (site lost at 1,000 s, ordered at 1,200 s, the point
    // ready at once), with a 10-minute shutdown time that an unplanned failover never waits
    // for, and a 45 s preparation: boot from 1,245 s to 1,365 s. RTO 165 s; downtime from
    // the loss, 365 s.
    let extra = r#"
[[site_events]]
site = "dc"
down_at = "2026-11-23T08:16:40"

[[failovers]]
at = "2026-11-23T08:20"
kind = "unplanned"
vm = "app"
"#;
    let text = estate(
        "hyperv-to-azure",
        "",
        &timed("app", "2m", "45s", "10m"),
        extra,
    );
    let (r, _) = run(&text);
    let f = only_failover(&r);
    let v = &f.vms[0];
    assert_eq!(v.ready_at, Some(1_200 * S));
    assert_eq!(v.boot_started_at, Some(1_245 * S));
    assert_eq!(v.booted_at, Some(1_365 * S));
    assert_eq!(f.rto(), Some(165 * S));
    assert_eq!(v.downtime(r.horizon), Some(365 * S));
}

#[test]
fn a_planned_plan_adds_each_shutdown_and_preparation_in_group_order() {
    // db: shutdown 3 min, preparation 4 min, boot 2 min; web: 1 min, 30 s, 1 min. Both logs
    // of the 900 s tick (300 MB each) share the link: 48 s, applied at 948 s. Planned at
    // 1,000 s: both stop writing. web is off at 1,060 s, its last 100 MB take 8 s: ready at
    // 1,068 s. db is off at 1,180 s: ready at 1,188 s. Group 1 (db) starts at 1,188 s,
    // prepared at 1,428 s, booted at 1,548 s; the 2-minute script runs to 1,668 s. Group 2
    // (web) starts then, prepared at 1,698 s, booted at 1,758 s. RTO 758 s; downtime db
    // 548 s, web 758 s.
    let vms = [
        timed("db", "2m", "4m", "3m"),
        timed("web", "1m", "30s", "1m"),
    ]
    .concat();
    let extra = r#"
[[recovery_plans]]
name = "erp"
groups = [
  { vms = ["db"], after = [{ script = "check-db", duration = "2m" }] },
  { vms = ["web"] },
]

[[failovers]]
at = "2026-11-23T08:16:40"
kind = "planned"
plan = "erp"
"#;
    let (r, _) = run(&estate("hyperv-to-azure", "", &vms, extra));
    let f = only_failover(&r);
    let (db, web) = (&f.vms[0], &f.vms[1]);
    assert_eq!((db.vm.as_str(), web.vm.as_str()), ("db", "web"));
    assert_eq!(web.ready_at, Some(1_068 * S));
    assert_eq!(db.ready_at, Some(1_188 * S));
    assert_eq!(f.groups[0].started_at, Some(1_188 * S));
    assert_eq!(db.boot_started_at, Some(1_428 * S));
    assert_eq!(f.groups[0].booted_at, Some(1_548 * S));
    assert_eq!(f.groups[1].started_at, Some(1_668 * S));
    assert_eq!(web.boot_started_at, Some(1_698 * S));
    assert_eq!(f.groups[1].booted_at, Some(1_758 * S));
    assert_eq!(f.rto(), Some(758 * S));
    assert_eq!(db.downtime(r.horizon), Some(548 * S));
    assert_eq!(web.downtime(r.horizon), Some(758 * S));
    assert_eq!(
        (db.data_loss_bytes, web.data_loss_bytes),
        (Some(0), Some(0))
    );
    balanced(&r);
}

#[test]
fn a_planned_failover_refused_after_the_shutdown_restarts_the_source() {
    // The link goes down at 1,030 s, while the VM shuts down (1,000-1,090 s): at 1,090 s
    // the source is unreachable, the failover is refused and the VM runs again at the
    // source, having written nothing for 90 s.
    let link = "[[links]]\nname = \"wan\"\ncapacity = \"100 Mbps\"\noutages = [{ start = \"2026-11-23T08:17:10\", duration = \"1h\" }]\n";
    let extra = r#"
[[failovers]]
at = "2026-11-23T08:16:40"
kind = "planned"
vm = "app"
"#;
    let text = estate(
        "hyperv-to-azure",
        "",
        &timed("app", "2m", "45s", "90s"),
        extra,
    )
    .replace("[[links]]\nname = \"wan\"\ncapacity = \"100 Mbps\"\n", link);
    let (r, mem) = run(&text);
    let f = only_failover(&r);
    assert_eq!(
        f.vms[0].refused.as_deref(),
        Some("the source is unreachable: link wan is down")
    );
    assert_eq!(f.vms[0].booted_at, None);
    assert_eq!(refusals(&mem).len(), 1, "{:?}", refusals(&mem));
    // 1 MB/s for the day but the 90 s it was shutting down: 86,310 MB.
    assert_eq!(r.vms[0].bytes_written, 86_310_000_000);
}
