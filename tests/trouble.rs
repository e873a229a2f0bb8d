//! Trouble (issue "Trouble", point 8): the 50% rule's trigger instant, resync cost and
//! timing, health at its thresholds, non-recoverable errors, host faults, administrator
//! actions. Every expected figure is worked out by hand in the comments.

mod common;
use common::{one_vm, run, Memory};
use drsim::sim::{ResyncCause, ResyncOutcome, ResyncRecord, RunResult};

const S: u64 = 1000;

/// One VM protected at t = 0 (Monday 08:00), 1 MB/s of writes (1,000 B per ms), on a
/// 100 Mbps (12.5 MB/s) link; first tick at 300 s, then every 5 minutes.
fn protected_vm(link: &str, policy: &str, disks: &str, extra: &str) -> String {
    let mut text = one_vm(
        "2026-11-23T08:00",
        "1d",
        &format!("capacity = \"100 Mbps\"\n{link}"),
        policy,
        &format!(
            "protected_at_start = true\nfirst_tick = \"300s\"\nchurn = \"1 MB/s\"\ndisks = {disks}"
        ),
    );
    text.push_str(extra);
    text
}

fn resyncs(r: &RunResult) -> &[ResyncRecord] {
    &r.vms[0].resyncs
}

fn events<'a>(mem: &'a Memory, kind: &str) -> Vec<&'a (u64, String, String, String, String)> {
    mem.events.iter().filter(|e| e.2 == kind).collect()
}

const TEN_GB_DISK: &str = r#"[{ size = "10 GB", used = "2 GB" }]"#;

#[test]
fn resync_is_required_the_millisecond_pending_bytes_reach_half_the_disk() {
    // Dead link from the start: nothing is ever applied, pending = 1,000 B/ms * t. Half of
    // 10 GB is 5e9 B, reached at t = 5,000,000 ms exactly.
    let (r, mem) = run(&protected_vm(
        r#"outages = [{ start = "0s", duration = "20h" }]"#,
        r#"resync_start = "manual""#,
        TEN_GB_DISK,
        "",
    ));
    let rs = resyncs(&r);
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].required_at, 5_000 * S);
    assert_eq!(rs[0].outcome, ResyncOutcome::Waiting);
    assert_eq!(
        rs[0].cause.to_string(),
        "pending log reached 50% of the VM's virtual size"
    );
    assert!(matches!(
        rs[0].cause,
        ResyncCause::LogThreshold { ppm: 500_000, .. }
    ));
    let state = events(&mem, "state");
    assert!(state
        .iter()
        .any(|e| e.0 == 5_000 * S && e.3 == "resync-required"));
    // On entry the logs are dropped: nothing pending, and the books still balance.
    let vm = &r.vms[0];
    assert_eq!(vm.state, "resync-required");
    assert_eq!(vm.bytes_pending, 0);
    assert_eq!(vm.peak_log_bytes, 5_000_000_000);
    assert_eq!(
        vm.bytes_written,
        vm.bytes_replicated + vm.bytes_pending + vm.bytes_discarded
    );
    assert_eq!(vm.health, "critical");
    // Critical from the first failure at 300 s to the end of the day.
    assert_eq!(vm.time_critical_ms, 86_400 * S - 300 * S);
}

#[test]
fn threshold_and_basis_are_parameters() {
    // 37.5% of 10 GB = 3.75e9 B -> 3,750 s.
    let (r, _) = run(&protected_vm(
        r#"outages = [{ start = "0s", duration = "20h" }]"#,
        "resync_start = \"manual\"\nresync_threshold = \"37.5%\"",
        TEN_GB_DISK,
        "",
    ));
    assert_eq!(resyncs(&r)[0].required_at, 3_750 * S);
    // Two disks: 10 GB at 1 MB/s and 2 GB at 0.5 MB/s. The VM basis compares 1.5 MB/s with
    // half of 12 GB: 6e9 / 1,500 B/ms = 4,000 s. The disk basis fires when the small disk
    // reaches half of 2 GB: 1e9 / 500 B/ms = 2,000 s.
    let disks = r#"[{ size = "10 GB", used = "2 GB" }, { size = "2 GB", used = "1 GB", churn = "0.5 MB/s" }]"#;
    let dead = r#"outages = [{ start = "0s", duration = "20h" }]"#;
    let (r, _) = run(&protected_vm(dead, r#"resync_start = "manual""#, disks, ""));
    assert_eq!(resyncs(&r)[0].required_at, 4_000 * S);
    let (r, _) = run(&protected_vm(
        dead,
        "resync_start = \"manual\"\nresync_basis = \"disk\"",
        disks,
        "",
    ));
    assert_eq!(resyncs(&r)[0].required_at, 2_000 * S);
}

#[test]
fn the_threshold_counts_from_the_last_applied_log() {
    // Logs of 300 MB every 5 minutes arrive 24 s after their tick until an outage at 3,610 s
    // stops the log closed at 3,600 s. The last applied log closed at 3,300 s (W = 3.3e9 B),
    // so pending reaches 5e9 B more at 8,300 s. The check armed at the start (for 5,000 s)
    // must have re-armed itself as logs were applied.
    let (r, _) = run(&protected_vm(
        r#"outages = [{ start = "3610s", duration = "3h" }]"#,
        r#"resync_start = "manual""#,
        TEN_GB_DISK,
        "",
    ));
    assert_eq!(resyncs(&r)[0].required_at, 8_300 * S);
}

#[test]
fn no_resync_when_the_outage_ends_earlier() {
    // A 45-minute outage from 3,610 s: retries at 3,670, 3,790, 4,030, 4,510, 5,110 s fail,
    // the one at 6,910 s succeeds; pending peaks near 3.9e9 B, under 5e9 B.
    let (r, _) = run(&protected_vm(
        r#"outages = [{ start = "3610s", duration = "45m" }]"#,
        r#"resync_start = "manual""#,
        TEN_GB_DISK,
        "",
    ));
    let vm = &r.vms[0];
    assert!(vm.resyncs.is_empty());
    assert_eq!(vm.state, "protected");
    assert!(vm.peak_log_bytes > 3_500_000_000 && vm.peak_log_bytes < 5_000_000_000);
    assert_eq!(vm.bytes_discarded, 0);
}

/// 100 GiB disk, 10 GiB used, writes land in an 8 GiB hot region; a 5% threshold
/// (5,368,709,120 B) is reached at 5,368,710 ms on a dead link.
fn resync_scenario(outage: &str, policy: &str, extra: &str) -> String {
    protected_vm(
        &format!("outages = [{{ start = \"0s\", duration = \"{outage}\" }}]"),
        &format!("resync_threshold = \"5%\"\n{policy}"),
        r#"[{ size = "100 GiB", used = "10 GiB", hot_region = "8 GiB" }]"#,
        extra,
    )
}

#[test]
fn resync_sends_the_distinct_blocks_the_writes_touched() {
    let (r, mem) = run(&resync_scenario("2h", r#"resync_start = "immediate""#, ""));
    let rs = resyncs(&r);
    assert_eq!(rs.len(), 1, "{rs:?}");
    let rs = &rs[0];
    assert_eq!(rs.required_at, 5_368_710);
    assert_eq!(rs.started_at, Some(5_368_710));
    // Written since the last consistent point: 1,000 B/ms * 5,368,710 ms = 5,368,710,000 B.
    // Distinct: 8 GiB * (1 - exp(-5,368,710,000 / 8 GiB)) = 3,992,074,402.4 B, in 2 MiB
    // blocks: 1,904 blocks = 3,992,977,408 B.
    assert_eq!(rs.bytes_to_send, 3_992_977_408);
    assert_eq!(rs.bytes_compared, 10 * (1 << 30));
    assert_eq!(rs.outcome, ResyncOutcome::Completed);
    assert_eq!(r.vms[0].bytes_resync_sent, 3_992_977_408);
    // Comparing 10 GiB at 200 MB/s takes 53,687.0912 ms -> 53,688 ms; the blocks then fail
    // on the dead link (5,422,398 ms) and the back-off's sixth retry, 55 min after the first
    // failure (8,722,398 ms), finds the link up: 3,992,977,408 B at 12.5 MB/s = 319,438.2 ms.
    assert_eq!(rs.ended_at, Some(8_722_398 + 319_439));
    let vm = &r.vms[0];
    assert_eq!(vm.state, "protected");
    // The writes logged during the resync were sent after it.
    assert!(vm.bytes_replicated > 0);
    assert_eq!(
        vm.bytes_written,
        vm.bytes_replicated + vm.bytes_pending + vm.bytes_discarded
    );
    // The job log and the event log tell the same story.
    let job = mem
        .jobs
        .iter()
        .find(|j| j.1 == "Resynchronize")
        .expect("a resync job");
    assert_eq!(
        (job.2, job.3, job.4.as_str()),
        (5_368_710, Some(9_041_837), "succeeded")
    );
    assert!(events(&mem, "resync")
        .iter()
        .any(|e| e.0 == 9_041_837 && e.4.contains("all recovery points deleted")));
}

#[test]
fn a_long_resync_can_be_required_again() {
    // The link stays down for 4 h: the resync's own log reaches 5% of the disk again
    // 5,368,710 ms after it started (pending base 5,368,710,000 B; 10,737,419,120 B are
    // written at 10,737,419.12 ms -> 10,737,420 ms). The first run is counted as restarted.
    let (r, _) = run(&resync_scenario("4h", r#"resync_start = "immediate""#, ""));
    let rs = resyncs(&r);
    assert!(rs.len() >= 2, "{rs:?}");
    assert_eq!(rs[0].outcome, ResyncOutcome::Restarted);
    assert_eq!(rs[0].ended_at, Some(10_737_420));
    assert_eq!(rs[1].required_at, 10_737_420);
}

#[test]
fn resync_waits_for_the_off_peak_window_or_an_administrator() {
    // Default: outside work hours; required at 09:29:28.71 on a Monday, starts at 18:00.
    let (r, _) = run(&resync_scenario("2h", "", ""));
    assert_eq!(resyncs(&r)[0].started_at, Some(10 * 3_600 * S));
    // A daily window.
    let (r, _) = run(&resync_scenario(
        "2h",
        r#"resync_window = "12:00-13:00""#,
        "",
    ));
    assert_eq!(resyncs(&r)[0].started_at, Some(4 * 3_600 * S));
    // Manual: an administrator's action at 11:00 (3 h after the start).
    let action = "\n[[actions]]\nat = \"3h\"\nvm = \"vm\"\naction = \"resynchronize\"\n";
    let (r, _) = run(&resync_scenario("2h", r#"resync_start = "manual""#, action));
    assert_eq!(resyncs(&r)[0].started_at, Some(3 * 3_600 * S));
}

#[test]
fn pause_resume_and_cancel_of_a_resync() {
    // Immediate resync at 5,368,710 ms; paused 10 s into its 53,688 ms comparison for an
    // hour, then resumed: the comparison ends 43,688 ms after the resume.
    let actions = "\n[[actions]]\nat = \"5378710ms\"\nvm = \"vm\"\naction = \"pause\"\n\
                   [[actions]]\nat = \"8978710ms\"\nvm = \"vm\"\naction = \"resume\"\n";
    let (_, mem) = run(&resync_scenario(
        "2h",
        r#"resync_start = "immediate""#,
        actions,
    ));
    let states: Vec<_> = events(&mem, "state")
        .into_iter()
        .filter(|e| e.0 >= 5_368_710)
        .map(|e| (e.0, e.3.as_str()))
        .take(3)
        .collect();
    assert_eq!(
        states,
        [
            (5_368_710, "resync-required"),
            (5_368_710, "resynchronizing"),
            (5_378_710, "resync-paused"),
        ]
    );
    // The blocks start once the comparison is done (they are the first transfer after it).
    let resumed = events(&mem, "state")
        .into_iter()
        .find(|e| e.0 == 8_978_710)
        .expect("resumed");
    assert_eq!(resumed.3, "resynchronizing");
    // 43,688 ms of comparison were left; the 3,992,977,408 B of blocks then take 319,439 ms.
    let job = mem
        .jobs
        .iter()
        .find(|j| j.1 == "Resynchronize")
        .expect("job");
    assert_eq!(job.3, Some(8_978_710 + 43_688 + 319_439));
    // Cancel: the resync is required again and, being immediate, restarts from scratch.
    let cancel = "\n[[actions]]\nat = \"5378710ms\"\nvm = \"vm\"\naction = \"cancel-resync\"\n";
    let (r, _) = run(&resync_scenario(
        "2h",
        r#"resync_start = "immediate""#,
        cancel,
    ));
    let rs = resyncs(&r);
    assert_eq!(rs[0].outcome, ResyncOutcome::Cancelled);
    assert_eq!(rs[1].required_at, 5_378_710);
    assert_eq!(rs[1].started_at, Some(5_378_710));
    assert!(matches!(rs[1].cause, ResyncCause::RestartAfterCancel(_)));
    assert!(rs[1]
        .cause
        .to_string()
        .starts_with("restart after cancel ("));
    assert_eq!(rs[1].outcome, ResyncOutcome::Completed);
}

#[test]
fn health_moves_at_its_thresholds() {
    // A 3 GB log every 5 minutes on a 0.5 MB/s link: the first log (closed at 300 s) takes
    // 6,000 s. The tick at 600 s is missed: 1 of 2 cycles > 20% -> Warning at 600 s. No send
    // has succeeded since the start (in sync at t = 0): over 1 h at 3,600,001 ms. The log
    // arrives at 6,300 s: the missed cycles decide again. (The run starts at 09:00, so the
    // monitoring interval runs past its end.)
    let text = one_vm(
        "2026-11-23T09:00",
        "2h",
        r#"capacity = "4 Mbps""#,
        "",
        "protected_at_start = true\nfirst_tick = \"300s\"\nchurn = \"10 MB/s\"\ndisks = [{ size = \"1 TB\", used = \"100 GB\" }]",
    );
    let (_, mem) = run(&text);
    let spans: Vec<_> = mem
        .health
        .iter()
        .map(|h| (h.1, h.2, h.3.as_str(), h.4.as_str()))
        .collect();
    assert_eq!(
        spans,
        [
            (0, 600_000, "normal", ""),
            (
                600_000,
                3_600_001,
                "warning",
                "over 20% of cycles missed in the interval"
            ),
            (
                3_600_001,
                6_300_000,
                "warning",
                "no successful send for over 1 h"
            ),
            (
                6_300_000,
                7_200_000,
                "warning",
                "over 20% of cycles missed in the interval"
            ),
        ]
    );
}

#[test]
fn a_failed_send_is_critical_until_a_transfer_succeeds() {
    // Outage 310 s - 3 h 310 s, on a disk large enough for the 50% rule to stay quiet.
    let (r, mem) = run(&protected_vm(
        r#"outages = [{ start = "310s", duration = "3h" }]"#,
        "",
        r#"[{ size = "100 GB", used = "2 GB" }]"#,
        "",
    ));
    let critical = mem
        .health
        .iter()
        .find(|h| h.3 == "critical")
        .expect("critical span");
    assert_eq!(critical.1, 310 * S);
    assert_eq!(critical.4, "network error: link down");
    // Attempts at 370, 490, 730, 1,210, 1,810, 3,610, 5,410, 7,210, 9,010, 10,810 s fail;
    // the link is back at 11,110 s and the attempt at 12,610 s sends the 175 MB the log had
    // left (125 MB went in its first 10 s) in 14 s.
    assert_eq!(critical.2, 12_624 * S, "{critical:?}");
    assert_eq!(r.vms[0].retries, 11);
}

#[test]
fn a_non_recoverable_error_waits_for_the_administrator_then_resyncs() {
    let extra = "\n[[faults]]\nkind = \"broken-vhd-chain\"\nvm = \"vm\"\nat = \"1000s\"\n";
    let (r, mem) = run(&protected_vm(
        "",
        r#"resync_start = "immediate""#,
        TEN_GB_DISK,
        extra,
    ));
    let state: Vec<_> = events(&mem, "state")
        .into_iter()
        .filter(|e| e.0 > 0)
        .map(|e| (e.0, e.3.as_str()))
        .collect();
    // No retry: admin-required at once; the default response time is 4 h.
    assert_eq!(state[0], (1_000 * S, "admin-required"));
    assert_eq!(state[1], (1_000 * S + 14_400 * S, "resync-required"));
    assert_eq!(state[2], (1_000 * S + 14_400 * S, "resynchronizing"));
    assert!(events(&mem, "retry-wait").is_empty());
    let vm = &r.vms[0];
    assert_eq!(vm.resyncs[0].outcome, ResyncOutcome::Completed);
    assert!(vm.resyncs[0].cause.to_string().contains("broken-vhd-chain"));
    assert!(matches!(
        vm.resyncs[0].cause,
        ResyncCause::Repaired { after: Some(_), .. }
    ));
    // Critical for the four hours.
    assert!(vm.time_critical_ms >= 14_400 * S);
}

#[test]
fn an_error_on_every_transfer_and_a_manual_repair() {
    let extra = "\n[[faults]]\nkind = \"authentication-failure\"\nvm = \"vm\"\nprobability = 1.0\n\
                 [[actions]]\nat = \"2h\"\nvm = \"vm\"\naction = \"repair\"\n";
    let (r, mem) = run(&protected_vm(
        "",
        "admin_response = \"manual\"\nresync_start = \"manual\"",
        TEN_GB_DISK,
        extra,
    ));
    let state: Vec<_> = events(&mem, "state")
        .into_iter()
        .filter(|e| e.0 > 0)
        .map(|e| (e.0, e.3.as_str()))
        .collect();
    assert_eq!(
        state,
        [(300 * S, "admin-required"), (7_200 * S, "resync-required")]
    );
    assert_eq!(r.vms[0].state, "resync-required");
}

#[test]
fn low_memory_fails_transfers_and_a_full_volume_forces_resync() {
    // Low memory from 310 s for 10 minutes: the log in flight fails, retries at 370, 490,
    // 730 s fail, the one at 1,210 s succeeds.
    let extra =
        "\n[[faults]]\nkind = \"low-memory\"\nhost = \"h\"\nstart = \"310s\"\nduration = \"10m\"\n\
                 [[faults]]\nkind = \"volume-full\"\nhost = \"h\"\nat = \"5h\"\n";
    let (r, mem) = run(&protected_vm("", "", TEN_GB_DISK, extra));
    let failures: Vec<u64> = events(&mem, "transfer-failed")
        .iter()
        .map(|e| e.0 / S)
        .collect();
    assert_eq!(failures, [310, 370, 490, 730]);
    assert!(events(&mem, "transfer-failed")[0].4.contains("low memory"));
    let rs = resyncs(&r);
    assert_eq!(rs[0].required_at, 5 * 3_600 * S);
    assert!(rs[0].cause.to_string().contains("volume of host h is full"));
    assert_eq!(rs[0].cause, ResyncCause::VolumeFull { host: "h".into() });
    assert_eq!(r.hosts[0].volume_full_events, 1);
}

#[test]
fn logs_filling_the_host_volume_force_a_resync() {
    // 3 GB free; the dead link lets the log grow at 1 MB/s: full at 3,000 s. The volume is
    // checked at most a minute apart once it could be full [ours], so the failure is seen
    // within a minute of it.
    let mut text = protected_vm(
        r#"outages = [{ start = "0s", duration = "20h" }]"#,
        r#"resync_start = "manual""#,
        TEN_GB_DISK,
        "",
    );
    text = text.replace("name = \"h\"", "name = \"h\"\nvolume_free = \"3 GB\"");
    let (r, _) = run(&text);
    let at = resyncs(&r)[0].required_at;
    assert!((3_000 * S..3_060 * S).contains(&at), "{at}");
    assert_eq!(
        r.vms[0].peak_volume_used_bytes,
        at * 1_000,
        "1,000 B per ms until then"
    );
    assert_eq!(r.hosts[0].volume_full_events, 1);
}

#[test]
fn degradation_slows_and_random_outages_are_seeded() {
    // A 300 MB log at 12.5 MB/s takes 24 s; at 40% it takes 60 s.
    let (r, _) = run(&protected_vm(
        r#"degradations = [{ start = "0s", duration = "1h", capacity = "40%" }]"#,
        "",
        TEN_GB_DISK,
        "",
    ));
    // RPO peaks at 300 + 60 s while degraded (the saw-tooth's top), 300 + 24 s after.
    assert_eq!(r.vms[0].arrivals.rpo_max_ms, 360 * S);
    let random = r#"random_outages = { mtbf = "6h", mttr = "30m" }"#;
    let (a, ma) = run(&protected_vm(random, "", TEN_GB_DISK, ""));
    let (b, mb) = run(&protected_vm(random, "", TEN_GB_DISK, ""));
    assert_eq!(a, b);
    assert_eq!(ma.events, mb.events);
    assert!(
        a.vms[0].transfer_failures > 0,
        "a day with a 6 h MTBF has outages"
    );
}

#[test]
fn the_jobs_log_reads_like_the_portal() {
    // Enable protection 0-120 s; IR copies 1 GB at 12.5 MB/s: 120-200 s; Finalize protection
    // sends the 80 MB written during IR (6.4 s) and merges them (1 min): 200-266.4 s.
    let text = one_vm(
        "2026-11-23T08:00",
        "1h",
        r#"capacity = "100 Mbps""#,
        "",
        r#"churn = "1 MB/s"
disks = [{ size = "10 GB", used = "1 GB" }]"#,
    );
    let (_, mem) = run(&text);
    let jobs: Vec<_> = mem
        .jobs
        .iter()
        .map(|j| (j.1.as_str(), j.2, j.3, j.4.as_str()))
        .collect();
    assert_eq!(
        jobs,
        [
            ("Enable protection", 0, Some(120 * S), "succeeded"),
            ("Initial replication", 120 * S, Some(200 * S), "succeeded"),
            ("Finalize protection", 200 * S, Some(266_400), "succeeded"),
        ]
    );
}
