//! The logs and snapshots of initial replication (issue 14, items 4 and 5): host volumes run
//! full at the exact millisecond the VMs' snapshots and logs reach the free space, during
//! initial replication too; a start that finds the volume full waits on the retry schedule
//! instead of looping; the 50% rule watches the logs written during initial replication.

mod common;
use common::run;

const S: u64 = 1000;

/// When `mem`'s events of kind `kind` moved the VM to (or named) `to`.
fn times(mem: &common::Memory, kind: &str, to: &str) -> Vec<u64> {
    mem.events
        .iter()
        .filter(|e| e.2 == kind && (e.3 == to || e.4 == to))
        .map(|e| e.0)
        .collect()
}

/// One VM on host `h` with `volume` free: 1 MB/s onto one disk, 10 GiB used, over 10 Mbps.
fn ir_scenario(volume: &str, duration: &str) -> String {
    common::one_vm(
        "2026-11-24T14:00",
        duration,
        r#"capacity = "10 Mbps""#,
        "",
        r#"churn = "1 MB/s"
disks = [{ size = "100 GiB", used = "10 GiB" }]"#,
    )
    .replace(
        "[[hosts]]\nname = \"h\"\n",
        &format!("[[hosts]]\nname = \"h\"\nvolume_free = \"{volume}\"\n"),
    )
}

#[test]
fn a_volume_filling_during_initial_replication_fails_it_at_the_exact_millisecond() {
    let (r, mem) = run(&ir_scenario("1 GB", "1h"));
    // IR starts after the 2-minute Enable protection job (120 s). Each byte written lands in
    // the .hrl log and in the snapshot's copy-on-write space: 2 MB/s against 1 GB free, full
    // after 500 s, at 620 s exactly (the 10 GiB copy would take 8,590 s). The VM waits the
    // first back-off step (1 min) and starts over at 680 s, full again 500 s later.
    let left_ir: Vec<u64> = times(&mem, "state", "initial-replication-pending");
    assert_eq!(
        left_ir,
        [620 * S, 1180 * S, 1740 * S, 2300 * S, 2860 * S, 3420 * S]
    );
    let waits: Vec<(u64, &str)> = mem
        .events
        .iter()
        .filter(|e| e.2 == "retry-wait")
        .map(|e| (e.0, e.4.as_str()))
        .collect();
    assert_eq!(
        waits[0],
        (
            620 * S,
            "initial replication waits for room on the volume of host h: attempt 1 in 1m"
        )
    );
    let starts: Vec<u64> = times(&mem, "job-start", "Initial replication");
    assert_eq!(
        starts,
        [
            120 * S,
            680 * S,
            1240 * S,
            1800 * S,
            2360 * S,
            2920 * S,
            3480 * S
        ]
    );
    // Each attempt's job fails with the reason.
    let failed: Vec<_> = mem
        .jobs
        .iter()
        .filter(|j| j.1 == "Initial replication" && j.4 == "failed")
        .collect();
    assert_eq!(failed.len(), 6);
    assert_eq!(failed[0].2, 120 * S);
    assert_eq!(failed[0].3, Some(620 * S));
    assert_eq!(failed[0].5, "log write failure: volume of host h is full");
    let host = &r.hosts[0];
    assert_eq!(host.volume_full_events, 6);
    assert_eq!(host.start_waits, 0, "the volume had room at every restart");
    // Sampled each minute: the most is at 600 s, 480 s into the first attempt (960 MB); the
    // volume never holds more than its free space.
    assert_eq!(host.peak_volume_used_bytes, 960_000_000);
    // The snapshots and logs dropped at each failure are discarded writes, not lost ones.
    let vm = &r.vms[0];
    assert_eq!(vm.state, "initial-replication");
    assert_eq!(vm.protected_at, None);
}

#[test]
fn the_volume_is_full_one_millisecond_later_with_one_byte_more_free() {
    // 1 GB + 2 bytes: at 620 s the two copies hold exactly 1 GB, 2 bytes short; 1 ms later
    // they hold 1 GB + 2,000 bytes.
    let (_, mem) = run(&ir_scenario("1000000002 B", "700s"));
    let left: Vec<u64> = times(&mem, "state", "initial-replication-pending");
    assert_eq!(left, [620 * S + 1]);
}

/// `mem`'s retry-wait events: (seconds, detail).
fn retry_waits(mem: &common::Memory) -> Vec<(u64, &str)> {
    mem.events
        .iter()
        .filter(|e| e.2 == "retry-wait")
        .map(|e| (e.0 / S, e.4.as_str()))
        .collect()
}

/// One VM protected from the start on host `h`, resync at once, and a volume-full spell.
fn spell_scenario(fault: &str) -> String {
    let mut text = common::one_vm(
        "2026-11-24T14:00",
        "3h",
        r#"capacity = "100 Mbps""#,
        r#"resync_start = "immediate""#,
        r#"protected_at_start = true
churn = "1 MB/s"
disks = [{ size = "100 GiB", used = "10 GiB" }]"#,
    );
    text.push_str(&format!(
        "\n[[faults]]\nkind = \"volume-full\"\nhost = \"h\"\n{fault}\n"
    ));
    text
}

#[test]
fn a_resync_that_finds_the_volume_full_waits_on_the_retry_schedule() {
    let (r, mem) = run(&spell_scenario("at = \"1h\"\nduration = \"30m\""));
    // At 1 h the log write fails and the resync is required; it would start at once, but the
    // volume is full until 1 h 30 m: attempts wait 1, 2, 4, 8, 10, then 30 minutes (the
    // waits reading), at 1:01, 1:03, 1:07, 1:15, 1:25; the one at 1:55 starts it.
    let waits = retry_waits(&mem);
    let room = "resync waits for room on the volume of host h";
    assert_eq!(
        waits,
        [
            (3600, &*format!("{room}: attempt 1 in 1m")),
            (3660, &*format!("{room}: attempt 2 in 2m")),
            (3780, &*format!("{room}: attempt 3 in 4m")),
            (4020, &*format!("{room}: attempt 4 in 8m")),
            (4500, &*format!("{room}: attempt 5 in 10m")),
            (5100, &*format!("{room}: attempt 6 in 30m")),
        ]
    );
    let resyncing: Vec<u64> = times(&mem, "state", "resynchronizing");
    assert_eq!(resyncing, [6900 * S]);
    assert_eq!(r.hosts[0].start_waits, 6);
    assert_eq!(r.hosts[0].volume_full_events, 1);
    assert_eq!(r.vms[0].resyncs.len(), 1);
}

#[test]
fn an_administrators_resynchronize_while_a_resync_waits_joins_the_wait() {
    // As above, and at 1:02 the administrator asks for the resync: the volume is still
    // full, and the attempt due at 1:03 stands (no second chain of waits, the same back-off).
    let mut text = spell_scenario("at = \"1h\"\nduration = \"30m\"");
    text.push_str("\n[[actions]]\nat = \"1h2m\"\nvm = \"vm\"\naction = \"resynchronize\"\n");
    let (r, mem) = run(&text);
    let waits = retry_waits(&mem);
    let room = "resync waits for room on the volume of host h";
    assert_eq!(
        waits,
        [
            (3600, &*format!("{room}: attempt 1 in 1m")),
            (3660, &*format!("{room}: attempt 2 in 2m")),
            (
                3720,
                "resync already waits for room on the volume of host h: attempt 2 in 1m"
            ),
            (3780, &*format!("{room}: attempt 3 in 4m")),
            (4020, &*format!("{room}: attempt 4 in 8m")),
            (4500, &*format!("{room}: attempt 5 in 10m")),
            (5100, &*format!("{room}: attempt 6 in 30m")),
        ]
    );
    assert_eq!(times(&mem, "state", "resynchronizing"), [6900 * S]);
    assert_eq!(r.hosts[0].start_waits, 6);
    assert_eq!(r.vms[0].resyncs.len(), 1);
}

#[test]
fn a_volume_full_for_an_instant_lets_the_resync_start_at_once() {
    let (r, mem) = run(&spell_scenario("at = \"1h\""));
    assert!(mem.events.iter().all(|e| e.2 != "retry-wait"));
    let resyncing: Vec<u64> = times(&mem, "state", "resynchronizing");
    assert_eq!(resyncing, [3600 * S]);
    assert_eq!(r.hosts[0].start_waits, 0);
}

/// One VM, 2 GB virtual (1.5 GB used), 1 MB/s, over 1 Mbps: the copy would take 12,000 s.
fn threshold_scenario(during_ir: bool) -> String {
    common::one_vm(
        "2026-11-24T14:00",
        "1h",
        r#"capacity = "1 Mbps""#,
        &format!("resync_threshold_during_ir = {during_ir}"),
        r#"churn = "1 MB/s"
disks = [{ size = "2 GB", used = "1.5 GB" }]"#,
    )
}

#[test]
fn the_50_percent_rule_watches_the_logs_of_initial_replication() {
    let (r, mem) = run(&threshold_scenario(true));
    // IR starts at 120 s; its log reaches 50% of 2 GB (1 GB) 1,000 s later, at 1,120 s: the
    // IR starts over at 1,180 s (the first back-off wait), and again at 2,240 s, 3,300 s.
    let left: Vec<u64> = times(&mem, "state", "initial-replication-pending");
    assert_eq!(left, [1120 * S, 2180 * S, 3240 * S]);
    let failed: Vec<_> = mem
        .jobs
        .iter()
        .filter(|j| j.1 == "Initial replication" && j.4 == "failed")
        .map(|j| (j.2, j.3, j.5.as_str()))
        .collect();
    assert_eq!(
        failed[0],
        (
            120 * S,
            Some(1120 * S),
            "pending log reached 50% of the VM's virtual size"
        )
    );
    assert_eq!(r.vms[0].protected_at, None);
    // From protection on only: the log grows to 3.48 GB over the hour, the copy goes on.
    let (r, mem) = run(&threshold_scenario(false));
    assert!(mem
        .events
        .iter()
        .all(|e| e.3 != "initial-replication-pending"));
    assert_eq!(r.vms[0].state, "initial-replication");
}

#[test]
fn a_volume_full_spell_of_zero_length_is_refused_with_its_location() {
    let text = spell_scenario("at = \"1h\"\nduration = \"0s\"");
    let line = text
        .lines()
        .position(|l| l.starts_with("duration = \"0s\""))
        .unwrap()
        + 1;
    let err = drsim::scenario::from_text(&text, "t.toml".as_ref())
        .expect_err("refused")
        .to_string();
    assert_eq!(
        err,
        format!(
            "error: t.toml:{line}:12: faults[0].duration: a full-volume spell of zero length\n  allowed: a duration of at least 1s, or none for an instant"
        )
    );
}
