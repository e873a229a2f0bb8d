//! azure-to-azure trouble (issue 14 items 1 and 2): the 60-minute alert apart from health, a
//! cache storage account outage or throttling window, and the processing of cache data that
//! lets `latest-processed` trail `latest` (and `latest` wait for its processing).

mod common;
use common::{errors, line_of};

const MIN: u64 = 60_000;
const MB: u64 = 1_000_000;

/// One or more azure-to-azure VMs protected at the start, one 128 GiB disk writing `churn`,
/// cycles at 5, 10, 15, ... min (`first_tick = "5m"`). `policy` and `more` are TOML
/// fragments for the policy table and after the VMs.
fn a2a(churn: &str, count: u32, policy: &str, more: &str) -> String {
    format!(
        r#"
[scenario]
name = "a2a"
topology = "azure-to-azure"
start = "2026-11-23T00:00"
duration = "6h"

[[policies]]
name = "p"
{policy}

[[sites]]
name = "region"

[[hosts]]
name = "fleet"

[[vms]]
name = "vm"
count = {count}
protected_at_start = true
first_tick = "5m"
churn = "{churn}"
disks = [{{ size = "128 GiB", used = "10 GiB" }}]
{more}
"#
    )
}

/// The alert's events of `vm`: (time, detail).
fn alerts(m: &common::Memory, vm: &str) -> Vec<(u64, String)> {
    m.events
        .iter()
        .filter(|e| e.1 == vm && e.2 == "alert")
        .map(|e| (e.0, e.4.clone()))
        .collect()
}

/// The VM's health at `t` (the span holding it).
fn health_at(m: &common::Memory, vm: &str, t: u64) -> String {
    m.health
        .iter()
        .find(|h| h.0 == vm && h.1 <= t && t < h.2)
        .map(|h| h.3.clone())
        .expect("a health span")
}

#[test]
fn the_alert_rises_at_sixty_minutes_during_a_cache_outage_whatever_the_health() {
    // 1 MB/s uploads as it is written (below 20 MB/s per disk): each 5-minute log's point is
    // created at its tick, the last before the outage at 55 min. The outage runs 1:00-2:30;
    // the 1:00 log (300 MB) fails at once, and every retry until the outage ends: retries
    // 1, 3, 7, 15, 25, 55, 85, 115 min after the failure, at 2:55 the first to get through.
    // The alert rises at 0:55 + 60 min = 1:55 exactly, while the VM is Critical. The resumed
    // log uploads at the limits: 300 MB at 20 MB/s per disk (54 MB/s per VM is not the
    // binding one) = 15 s, so the first point after the outage, the 1:00 log's, is created
    // at 2:55:15 and clears the alert, 2 h 15 s after the 0:55 point.
    let text = a2a(
        "1 MB/s",
        1,
        "",
        "[[faults]]\nkind = \"cache-outage\"\nvm = \"vm\"\nstart = \"1h\"\nduration = \"90m\"\n",
    );
    let (r, m) = common::run(&text);
    let raised = 115 * MIN;
    let cleared = 175 * MIN + 15_000;
    assert_eq!(
        alerts(&m, "vm-01"),
        [
            (
                raised,
                "raised: no new recovery point for 60 minutes".to_string()
            ),
            (
                cleared,
                "cleared: a new recovery point after 2h15s".to_string()
            ),
        ]
    );
    // Critical wins the health, and the alert rose all the same.
    assert_eq!(health_at(&m, "vm-01", raised), "critical");
    let reason = m
        .health
        .iter()
        .find(|h| h.1 <= raised && raised < h.2)
        .map(|h| h.4.clone());
    assert_eq!(reason.as_deref(), Some("cache storage account unavailable"));
    assert_eq!(r.vms[0].point_alerts, 1);
    assert_eq!(r.vms[0].first_point_alert_at, Some(raised));
    // The attempts that failed: the 1:00 transfer and its retries at 1:01, 1:03, 1:07, 1:15,
    // 1:25, 1:55 and 2:25.
    assert_eq!(r.vms[0].transfer_failures, 8);
}

#[test]
fn the_alert_rises_once_per_gap_and_not_without_a_gap() {
    // No trouble: a point every 5 minutes, never 60 minutes without one.
    let (r, m) = common::run(&a2a("1 MB/s", 1, "", ""));
    assert!(alerts(&m, "vm-01").is_empty());
    assert_eq!(r.vms[0].point_alerts, 0);
    assert_eq!(r.vms[0].first_point_alert_at, None);
    // Two outages of 90 min (1:00-2:30 and 4:00-5:30): two alerts, the second 60 min after
    // the last point before it. After the first outage the points come again from 2:55:15
    // (the retry) and with the ticks at 3:00 ... 3:55; the 4:00 log fails: the alert rises
    // at 3:55 + 60 min = 4:55.
    let two = a2a(
        "1 MB/s",
        1,
        "",
        "[[faults]]\nkind = \"cache-outage\"\nvm = \"vm\"\nstart = \"1h\"\nduration = \"90m\"\n\n\
         [[faults]]\nkind = \"cache-outage\"\nvm = \"vm\"\nstart = \"4h\"\nduration = \"90m\"\n",
    );
    let (r, m) = common::run(&two);
    let raised: Vec<u64> = alerts(&m, "vm-01")
        .into_iter()
        .filter(|a| a.1.starts_with("raised"))
        .map(|a| a.0)
        .collect();
    assert_eq!(raised, [115 * MIN, 295 * MIN]);
    assert_eq!(r.vms[0].point_alerts, 2);
    assert_eq!(r.vms[0].first_point_alert_at, Some(115 * MIN));
}

#[test]
fn a_throttling_window_slows_the_logs_closed_in_it() {
    // 10 MB/s written; a throttle to 8 MB/s from 1:00. The 1:00 log holds 3,000 MB written
    // since 0:55, uploading as written at 8 MB/s: 2,400 MB by 1:00, the other 600 MB take
    // 75 s: its point is created at 1:01:15 (without the window, at 1:00).
    let window = |duration: &str| {
        format!(
            "[[faults]]\nkind = \"cache-outage\"\nvm = \"vm\"\nstart = \"1h\"\nduration = \"{duration}\"\nrate = \"8 MB/s\"\n\n\
             [[failovers]]\nat = \"1h01m10s\"\nkind = \"test\"\nvm = \"vm\"\n"
        )
    };
    // A test failover at 1:01:10 takes the newest point: the 0:55 one while the 1:00 log is
    // still uploading (ends 1:01:15).
    let (r, _) = common::run(&a2a("10 MB/s", 1, "", &window("1h")));
    assert_eq!(r.failovers[0].vms[0].recovery_point_at, Some(55 * MIN));
    // Without the window the 1:00 log's point exists at 1:00.
    let (r, _) = common::run(&a2a(
        "10 MB/s",
        1,
        "",
        "[[failovers]]\nat = \"1h01m10s\"\nkind = \"test\"\nvm = \"vm\"\n",
    ));
    assert_eq!(r.failovers[0].vms[0].recovery_point_at, Some(60 * MIN));
    // The window ends at 1:01: the upload has uploaded at 8 MB/s since 0:55, 375 s in all
    // planned, 15 s left: 3,000 MB * 15 / 375 = 120 MB, now at 20 MB/s per disk: 6 s. The
    // point exists from 1:01:06, before the test failover at 1:01:10.
    let (r, _) = common::run(&a2a("10 MB/s", 1, "", &window("1m")));
    assert_eq!(r.failovers[0].vms[0].recovery_point_at, Some(60 * MIN));
    let (r, _) = common::run(&a2a(
        "10 MB/s",
        1,
        "",
        &window("1m").replace("1h01m10s", "1h01m05s"),
    ));
    assert_eq!(r.failovers[0].vms[0].recovery_point_at, Some(55 * MIN));
}

#[test]
fn latest_processed_trails_latest_when_processing_lags() {
    // Two VMs alike; points at 0 (in sync), 5, 10, ..., 60 min, each created at its tick
    // (1 MB/s uploads as written). processing_delay = 12m: a point is processed 12 min after
    // it was created. An unplanned failover at 1:02: `latest` takes the 1:00 point (loss 2
    // min, 120 MB at 1 MB/s); `latest-processed` the newest created by 1:02 - 12 min = 0:50,
    // the 0:50 point (loss 12 min, 720 MB).
    let failovers = "[[failovers]]\nat = \"1h02m\"\nkind = \"unplanned\"\nvm = \"vm-01\"\n\n\
         [[failovers]]\nat = \"1h02m\"\nkind = \"unplanned\"\nvm = \"vm-02\"\npoint = \"latest-processed\"\n";
    let (r, _) = common::run(&a2a("1 MB/s", 2, "processing_delay = \"12m\"", failovers));
    let got = |i: usize| {
        let v = &r.failovers[i].vms[0];
        (v.recovery_point_at, v.data_loss_ms, v.data_loss_bytes)
    };
    assert_eq!(got(0), (Some(60 * MIN), Some(2 * MIN), Some(120 * MB)));
    assert_eq!(got(1), (Some(50 * MIN), Some(12 * MIN), Some(720 * MB)));
    // `latest` waits for its point to be processed (1:00 + 12 min = 1:12) before the VM is
    // prepared (5 min): boot starts at 1:17; `latest-processed` prepares at once: 1:07.
    let boot = |i: usize| r.failovers[i].vms[0].boot_started_at;
    assert_eq!(boot(0), Some(77 * MIN));
    assert_eq!(boot(1), Some(67 * MIN));
    // The default, 5 min: processed by 1:02 are the points created by 0:57, the 0:55 one.
    let (r, _) = common::run(&a2a("1 MB/s", 2, "", failovers));
    assert_eq!(r.failovers[1].vms[0].recovery_point_at, Some(55 * MIN));
    assert_eq!(r.failovers[0].vms[0].recovery_point_at, Some(60 * MIN));
}

/// The errors of a scenario that must be refused.
#[test]
fn cache_outages_refuse_bad_fields_with_exact_errors() {
    let fault = |fields: &str| {
        a2a(
            "1 MB/s",
            1,
            "",
            &format!("[[faults]]\nkind = \"cache-outage\"\nvm = \"vm\"\n{fields}\n"),
        )
    };
    let text = fault("start = \"1h\"\nduration = \"0s\"\nrate = \"0 MB/s\"");
    let (d, r) = (
        line_of(&text, "duration = \"0s\""),
        line_of(&text, "rate ="),
    );
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{d}:12: faults[0].duration: a cache outage of zero length\n  allowed: a duration of at least 1s\n\
             error: bad.toml:{r}:8: faults[0].rate: a zero rate\n  allowed: a rate above zero for a throttling window, such as \"5 MB/s\"; leave it out for an outage"
        )
    );
    let text = fault("at = \"1h\"");
    let (k, at) = (line_of(&text, "cache-outage"), line_of(&text, "at = "));
    let usage = "allowed: for cache-outage: vm, start, duration, optional rate";
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{at}:6: faults[0].at: does not apply to kind \"cache-outage\"; at is for broken-vhd-chain, invalid-replica-state, authentication-failure, authorization-failure, vm-not-found, volume-full, host-crash\n  {usage}\n\
             error: bad.toml:{k}:8: faults[0].start: missing; kind \"cache-outage\" needs it\n  {usage}\n\
             error: bad.toml:{k}:8: faults[0].duration: missing; kind \"cache-outage\" needs it\n  {usage}"
        )
    );
    // `rate` belongs to cache outages alone.
    let text = a2a(
        "1 MB/s",
        1,
        "",
        "[[faults]]\nkind = \"vm-not-found\"\nvm = \"vm\"\nat = \"1h\"\nrate = \"1 MB/s\"\n",
    );
    let r = line_of(&text, "rate =");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{r}:8: faults[0].rate: does not apply to kind \"vm-not-found\"; rate is for cache-outage\n  allowed: for vm-not-found: vm, and at or probability"
        )
    );
}

#[test]
fn cache_outages_and_processing_belong_to_azure_to_azure() {
    let text = common::one_vm(
        "2026-11-23T00:00",
        "1d",
        "capacity = \"100 Mbps\"",
        "processing_delay = \"5m\"",
        "churn = \"1 MB/s\"\ndisks = [{ size = \"10 GB\", used = \"1 GB\" }]\n\n\
         [[faults]]\nkind = \"cache-outage\"\nvm = \"vm\"\nstart = \"1h\"\nduration = \"1h\"",
    );
    let (p, k) = (
        line_of(&text, "processing_delay"),
        line_of(&text, "cache-outage"),
    );
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{p}:20: policies[0].processing_delay: does not apply to topology \"hyperv-to-azure\": only azure-to-azure replicates through a cache storage account\n  allowed: processing_delay only with topology = \"azure-to-azure\"; leave it out\n\
             error: bad.toml:{k}:8: faults[0].kind: \"cache-outage\" does not apply to topology \"hyperv-to-azure\": only azure-to-azure replicates through a cache storage account\n  allowed: cache-outage only with topology = \"azure-to-azure\""
        )
    );
    let text = a2a("1 MB/s", 1, "processing_delay = \"3h\"", "");
    let p = line_of(&text, "processing_delay");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{p}:20: policies[0].processing_delay: \"3h\" is out of range\n  allowed: a duration from 0s to 2h (every point is kept for 2 h), such as \"5m\" (the default)"
        )
    );
}
