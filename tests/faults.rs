//! Link outages and the retry back-off (issue "Trouble", points 1, 2 and 8: retry attempt
//! times to the millisecond for both readings).

mod common;
use common::run;

/// One VM already protected, 1 MB/s, a 100 Mbps link, and a 3-hour outage that starts 10 s
/// into the first log's 24-second transfer (t = 310 s).
fn scenario(reading: &str) -> String {
    common::one_vm(
        "2026-11-24T14:00",
        "6h",
        r#"capacity = "100 Mbps"
outages = [{ start = "310s", duration = "3h" }]"#,
        &format!("retry_schedule = \"{reading}\""),
        r#"protected_at_start = true
first_tick = "300s"
churn = "1 MB/s"
disks = [{ size = "100 GiB", used = "10 GiB" }]"#,
    )
}

fn failure_times_s(mem: &common::Memory) -> Vec<u64> {
    mem.events
        .iter()
        .filter(|e| e.2 == "transfer-failed")
        .map(|e| e.0 / 1000)
        .collect()
}

#[test]
fn retries_follow_the_waits_reading() {
    let (r, mem) = run(&scenario("waits"));
    // First failure at 310 s, then attempts 1, 2, 4, 8, 10, 30, 30, ... minutes apart; every
    // attempt inside the outage (until 11,110 s) fails at once.
    assert_eq!(
        failure_times_s(&mem),
        [310, 370, 490, 730, 1210, 1810, 3610, 5410, 7210, 9010, 10810]
    );
    let vm = &r.vms[0];
    assert_eq!(vm.transfer_failures, 11);
    // The 11th retry, at 12,610 s, succeeds: 175 MB were left (10 s of 24 had been sent).
    assert_eq!(vm.retries, 11);
    // The log closed at 300 s arrives at 12,610 + 14 s. The next tick (12,900 s) sends
    // everything written since 300 s, 12.6 GB: 1,008 s, arriving at 13,908 s with the RPO
    // at 13,908 - 300 = 13,608 s just before: the largest arrival sample.
    assert_eq!(vm.arrivals.rpo_max_ms, 13_608_000);
    // Every tick from 600 s to 12,600 s found the log still in transit (41), and so did the
    // three while the catch-up log was in transit (13,200, 13,500 and 13,800 s).
    assert_eq!(vm.cycles_missed, (12_600 - 600) / 300 + 1 + 3);
    assert_eq!(vm.bytes_replicated + vm.bytes_pending, vm.bytes_written);
}

#[test]
fn a_retry_resumes_the_transfer_rather_than_resending_it() {
    // End the run after the first arrival (12,624 s) and before the next tick (12,900 s): the
    // link carried the 300 MB log exactly once, 125 MB before the outage and 175 MB after.
    let (r, _) = run(&scenario("waits").replace("duration = \"6h\"", "duration = \"12700s\""));
    assert_eq!(r.links[0].bytes_sent, 300_000_000);
    assert_eq!(r.vms[0].bytes_replicated, 300_000_000);
}

#[test]
fn retries_follow_the_offsets_reading() {
    let (r, mem) = run(&scenario("offsets"));
    // Attempts at 1, 2, 4, 8, 10, 40, 70, 100, 130, 160 minutes after the first failure.
    assert_eq!(
        failure_times_s(&mem),
        [310, 370, 430, 550, 790, 910, 2710, 4510, 6310, 8110, 9910]
    );
    // The attempt at 190 min (11,710 s) is after the outage: it succeeds, arriving at 11,724 s.
    // The tick at 12,000 s sends 11.7 GB (936 s): RPO 12,936 - 300 s just before it arrives.
    assert_eq!(r.vms[0].retries, 11);
    assert_eq!(r.vms[0].arrivals.rpo_max_ms, 12_636_000);
}

#[test]
fn no_outage_no_failures() {
    let text =
        scenario("waits").replace("outages = [{ start = \"310s\", duration = \"3h\" }]\n", "");
    assert!(
        !text.contains("outages"),
        "the outage must be gone for this test to mean anything"
    );
    let (r, mem) = run(&text);
    assert!(failure_times_s(&mem).is_empty());
    assert_eq!(r.vms[0].retries, 0);
    assert_eq!(r.vms[0].cycles_missed, 0);
}
