//! Replication timing against hand calculations (issue "Foundation", point 8 a-d).

mod common;
use common::{one_vm, run, run_in};

const MONDAY_8AM: &str = "2026-11-23T08:00";

/// (a) One VM alone: IR time is used bytes / bandwidth, and the VM is protected after the
/// enable job + IR + the IR-time log's transfer + the finalize job, to the millisecond.
#[test]
fn lone_vm_initial_replication_matches_hand_calculation() {
    let text = one_vm(
        MONDAY_8AM,
        "1d",
        r#"capacity = "100 Mbps""#,
        r#"enable_job = "2m"
finalize_job = "1m""#,
        r#"churn = "1 MB/s"
disks = [{ size = "100 GiB", used = "10 GiB" }]"#,
    );
    let (r, _) = run(&text);
    let vm = &r.vms[0];
    // 10 GiB at 12.5e6 B/s = 858.993459 s, rounded up to the millisecond.
    let ir_ms = (10u64 << 30).div_ceil(12_500); // bytes * 1000 / 12.5e6 = bytes / 12_500 ms
    assert_eq!(ir_ms, 858_994);
    assert_eq!(vm.initial_replication_ms, Some(ir_ms));
    assert_eq!(vm.initial_replication_started_at, Some(120_000));
    // Writes during IR: 1 MB/s for 858.994 s = 858,994,000 B, sent at 12.5e6 B/s.
    let ir_log = 858_994_000u64;
    let log_ms = (ir_log * 1000).div_ceil(12_500_000);
    assert_eq!(log_ms, 68_720);
    assert_eq!(vm.protected_at, Some(120_000 + ir_ms + log_ms + 60_000));
    assert_eq!(vm.bytes_initial_copy, 10 << 30);
    assert_eq!(vm.state, "protected");
}

/// (b) Steady state below capacity: the RPO never exceeds copy interval + one log's transfer
/// time, and written = replicated + pending exactly.
#[test]
fn steady_state_rpo_and_byte_conservation() {
    let text = one_vm(
        MONDAY_8AM,
        "6h",
        r#"capacity = "100 Mbps""#,
        r#"enable_job = "0s"
finalize_job = "0s""#,
        r#"churn = "1 MB/s"
disks = [{ size = "100 GiB", used = "0 GiB" }]"#,
    );
    let (r, mem) = run(&text);
    let vm = &r.vms[0];
    assert_eq!(vm.protected_at, Some(0));
    // A 5-minute log of 1 MB/s is 300 MB: 24 s at 12.5 MB/s.
    let bound_s = 300.0 + 24.0;
    assert_eq!(vm.rpo.max_s, Some(bound_s));
    for (_, _, rpo, _) in &mem.samples {
        assert!(rpo.unwrap() <= 324_000, "sampled RPO {rpo:?}");
    }
    assert_eq!(vm.cycles_missed, 0);
    // 6 h = 72 cycles; the last tick at 6 h is at the horizon and not processed.
    assert_eq!(vm.cycles_done, 71);
    assert_eq!(vm.bytes_written, 6 * 3600 * 1_000_000);
    assert_eq!(vm.bytes_replicated + vm.bytes_pending, vm.bytes_written);
    // Time-weighted mean by hand: one ramp 0->324 s, then ramps 24->324 s each 300 s long,
    // and the last ramp from 24 s for the 276 s to the horizon (ticks at 21300 s, done 21324).
    let first = 324.0 * 324.0 / 2.0;
    let middle = 70.0 * (24.0 + 324.0) / 2.0 * 300.0;
    let last = (24.0 + 300.0) / 2.0 * 276.0;
    let mean = (first + middle + last) / 21_600.0;
    assert!(
        (vm.rpo.mean_s.unwrap() - mean).abs() < 1e-9,
        "{:?} vs {mean}",
        vm.rpo.mean_s
    );
    assert_eq!(vm.rpo.target_met_fraction, Some(1.0));
}

/// (c) A log that takes longer than the interval misses the next cycle, and the RPO grows to
/// what the hand calculation says.
#[test]
fn slow_log_misses_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    // 20 MB/s for the first 5 minutes, then 1 MB/s.
    std::fs::write(
        dir.path().join("burst.csv"),
        "at,rate\n0s,20 MB/s\n5m,1 MB/s\n",
    )
    .unwrap();
    let text = one_vm(
        MONDAY_8AM,
        "1h",
        r#"capacity = "100 Mbps""#,
        r#"enable_job = "0s"
finalize_job = "0s"
target_rpo = "10m""#,
        r#"churn = "burst"
disks = [{ size = "100 GiB", used = "0 GiB" }]"#,
    ) + r#"
[[profiles]]
name = "burst"
kind = "trace"
file = "burst.csv"
"#;
    let (r, _) = run_in(dir.path(), &text);
    let vm = &r.vms[0];
    // Tick 300 s: a 6 GB log, 480 s at 12.5 MB/s: arrives at 780 s, so the 600 s tick is
    // missed. RPO just before 780 s is 780 s. Tick 900 s: 600 MB (300-900 s at 1 MB/s), 48 s:
    // RPO just before 948 s is 948 - 300 = 648 s. Then steady 324 s peaks.
    assert_eq!(vm.cycles_missed, 1);
    assert_eq!(vm.rpo.max_s, Some(780.0));
    assert_eq!(vm.peak_log_bytes, 6_000_000_000 + 480 * 1_000_000);
    // Target 10 min: violated 600-780 s (180 s) and 900-948 s (48 s).
    assert_eq!(vm.rpo.longest_violation_s, 180.0);
    assert_eq!(
        vm.rpo.target_met_fraction,
        Some((3600.0 - 180.0 - 48.0) / 3600.0)
    );
    assert_eq!(vm.bytes_replicated + vm.bytes_pending, vm.bytes_written);
}

/// (d) Throttle: IR during work hours runs at the work-hours limit, and speeds up when work
/// hours end.
#[test]
fn throttled_initial_replication() {
    let vm = r#"churn = "0 MB/s"
disks = [{ size = "100 GiB", used = "10 GiB" }]"#;
    let link = r#"capacity = "100 Mbps"
work_hours_limit = "20 Mbps"
non_work_hours_limit = "100 Mbps""#;
    let policy = r#"enable_job = "0s"
finalize_job = "0s""#;
    // Monday 08:00: all of IR inside work hours at 2.5 MB/s.
    let (r, _) = run(&one_vm(MONDAY_8AM, "1d", link, policy, vm));
    assert_eq!(
        r.vms[0].initial_replication_ms,
        Some((10u64 << 30).div_ceil(2_500))
    );
    // Monday 17:00: one hour at 2.5 MB/s (9e9 B), the rest at 12.5 MB/s.
    let (r, _) = run(&one_vm("2026-11-23T17:00", "1d", link, policy, vm));
    let rest = (10u64 << 30) - 9_000_000_000;
    assert_eq!(
        r.vms[0].initial_replication_ms,
        Some(3_600_000 + rest.div_ceil(12_500))
    );
}

/// Fair sharing: two identical VMs starting together take twice as long as one alone.
#[test]
fn two_vms_share_the_link_fairly() {
    let text = one_vm(
        MONDAY_8AM,
        "1d",
        r#"capacity = "100 Mbps""#,
        r#"enable_job = "0s"
finalize_job = "0s""#,
        r#"count = 2
churn = "0 MB/s"
disks = [{ size = "100 GiB", used = "10 GiB" }]"#,
    );
    let (r, _) = run(&text);
    assert_eq!(r.vms[0].name, "vm-01");
    assert_eq!(r.vms[1].name, "vm-02");
    for vm in &r.vms {
        assert_eq!(
            vm.initial_replication_ms,
            Some((20u64 << 30).div_ceil(12_500))
        );
    }
    assert_eq!(r.links[0].bytes_sent, 20 << 30);
}

/// The prerequisite check refuses a generation-2 VM whose OS disk is over 300 GB.
#[test]
fn enable_protection_fails_outside_azure_support_limits() {
    let text = one_vm(
        MONDAY_8AM,
        "1h",
        r#"capacity = "100 Mbps""#,
        "",
        r#"churn = "1 MB/s"
disks = [{ size = "400 GB", used = "10 GB" }]"#,
    );
    let (r, mem) = run(&text);
    assert_eq!(r.vms[0].state, "unprotected");
    assert_eq!(r.vms[0].protected_at, None);
    let why = r.vms[0].enable_failure.as_deref().unwrap();
    assert!(why.contains("300 GB limit for generation 2"), "{why}");
    assert!(mem
        .events
        .iter()
        .any(|e| e.2 == "job-end" && e.4.contains("Enable protection: failed")));
}
