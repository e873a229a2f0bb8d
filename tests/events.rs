//! The events a user looks for in events.csv (issue 14 item 9): each disk's initial copy,
//! the retry that gets through, a resync's checksum comparison, and a link's outages and
//! degradations (one row for the link, its VM column empty), at their exact instants with
//! their exact text.

mod common;
use common::{run, Memory};

/// The rows of `kind`: (time ms, vm, detail).
fn rows(mem: &Memory, kind: &str) -> Vec<(u64, String, String)> {
    mem.events
        .iter()
        .filter(|e| e.2 == kind)
        .map(|e| (e.0, e.1.clone(), e.4.clone()))
        .collect()
}

fn row(at: u64, vm: &str, detail: &str) -> (u64, String, String) {
    (at, vm.to_string(), detail.to_string())
}

#[test]
fn each_disk_copied_in_initial_replication_has_its_row_with_its_bytes() {
    // 100 Mbps = 12.5 MB/s. Enable protection runs 2 min: IR starts at 120 s; the 1 GB disk
    // takes 80 s (done at 200 s), the 2 GB disk 160 s (done at 360 s). No writes.
    let text = common::one_vm(
        "2026-11-24T14:00",
        "1h",
        r#"capacity = "100 Mbps""#,
        "",
        r#"churn = "0 MB/s"
disks = [{ size = "10 GB", used = "1 GB" }, { size = "20 GB", used = "2 GB" }]"#,
    );
    let (r, mem) = run(&text);
    assert_eq!(
        rows(&mem, "disk-copied"),
        [
            row(200_000, "vm", "disk 1 of 2 copied: 1000000000 bytes"),
            row(360_000, "vm", "disk 2 of 2 copied: 2000000000 bytes"),
        ]
    );
    assert_eq!(r.vms[0].initial_replication_ms, Some(240_000));
}

/// One VM already protected, 1 MB/s, a 100 Mbps link, and a 3-hour outage that starts 10 s
/// into the first log's 24-second transfer (t = 310 s); `link` adds to the link's table.
fn outage_scenario(link: &str) -> String {
    common::one_vm(
        "2026-11-24T14:00",
        "6h",
        &format!(
            r#"capacity = "100 Mbps"
outages = [{{ start = "310s", duration = "3h" }}]
{link}"#
        ),
        "",
        r#"protected_at_start = true
first_tick = "300s"
churn = "1 MB/s"
disks = [{ size = "100 GiB", used = "10 GiB" }]"#,
    )
}

#[test]
fn the_retry_that_gets_through_says_its_attempt_and_how_long_the_vm_could_not_send() {
    let (r, mem) = run(&outage_scenario(""));
    // The first failure is at 310 s; retries 1 to 10 (at 370 s ... 10,810 s, the waits
    // reading) fall inside the outage (until 11,110 s) and fail; retry 11 at 12,610 s sends
    // the 175 MB left of the 300 MB log (14 s): it arrives at 12,624 s. The VM could not
    // send from 310 s to 12,624 s: 12,314 s = 3h25m14s.
    assert_eq!(
        rows(&mem, "retry-succeeded"),
        [row(
            12_624_000,
            "vm",
            "retry 11 succeeded: the VM could not send for 3h25m14s"
        )]
    );
    assert_eq!(r.vms[0].retries, 11);
}

#[test]
fn a_link_outage_is_one_row_of_the_link_at_its_start_and_one_at_its_end() {
    let (_, mem) = run(&outage_scenario(""));
    assert_eq!(
        rows(&mem, "link"),
        [
            row(310_000, "", "link wan: outage started"),
            row(11_110_000, "", "link wan: outage ended"),
        ]
    );
    // At 310 s the link's row comes first, then the transfer it fails.
    let at_310: Vec<&str> = mem
        .events
        .iter()
        .filter(|e| e.0 == 310_000)
        .map(|e| e.2.as_str())
        .collect();
    assert_eq!(at_310[..2], ["link", "transfer-failed"]);
}

#[test]
fn a_link_that_stays_down_and_a_degradation_have_their_rows() {
    // The site is lost from 1 h to 4 h, over the outage's end (3h5m10s): the link stays down
    // until 4 h (the site's loss has rows of its own per VM). A degradation to 40% from 5 h
    // to 5h30m.
    let extra = r#"degradations = [{ start = "5h", duration = "30m", capacity = "40%" }]"#;
    let text = outage_scenario(extra)
        + "\n[[site_events]]\nsite = \"s\"\ndown_at = \"1h\"\nup_at = \"4h\"\n";
    let (_, mem) = run(&text);
    assert_eq!(
        rows(&mem, "link"),
        [
            row(310_000, "", "link wan: outage started"),
            row(
                11_110_000,
                "",
                "link wan: outage ended; the link stays down (another outage or its site's loss)"
            ),
            row(18_000_000, "", "link wan: degraded to 40% of its capacity"),
            row(19_800_000, "", "link wan: degradation ended"),
        ]
    );
    assert_eq!(
        rows(&mem, "site"),
        [
            row(3_600_000, "vm", "site s lost"),
            row(14_400_000, "vm", "site s back")
        ]
    );
}

#[test]
fn a_resync_says_what_its_checksums_compared_and_what_differs() {
    // A full volume at 1,000 s is a log write failure: the resync starts at once (policy
    // "immediate"). It compares the 10 GB used at 200 MB/s: 50 s, done at 1,050 s. Every
    // write lands in a 4 MiB hot region and far more than that was written since the last
    // good point, so the whole region differs: 4 MiB = two 2 MiB blocks, 4,194,304 bytes.
    let text = common::one_vm(
        "2026-11-24T14:00",
        "1h",
        r#"capacity = "100 Mbps""#,
        r#"resync_start = "immediate""#,
        r#"protected_at_start = true
first_tick = "300s"
churn = "1 MB/s"
disks = [{ size = "100 GiB", used = "10 GB", hot_region = "4 MiB" }]

[[faults]]
kind = "volume-full"
host = "h"
at = "1000s""#,
    );
    let (r, mem) = run(&text);
    assert_eq!(
        rows(&mem, "checksums-compared"),
        [row(
            1_050_000,
            "vm",
            "checksums compared: 10000000000 bytes compared, 4194304 bytes differ"
        )]
    );
    let resync = &r.vms[0].resyncs[0];
    assert_eq!(resync.started_at, Some(1_000_000));
    assert_eq!(
        (resync.bytes_compared, resync.bytes_to_send),
        (10_000_000_000, 4_194_304)
    );
}

#[test]
fn events_csv_leaves_the_vm_column_of_a_link_row_empty() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("outage.toml");
    std::fs::write(&file, outage_scenario("")).unwrap();
    let out = dir.path().join("out");
    assert_cmd::Command::cargo_bin("drsim")
        .unwrap()
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("events.csv")).unwrap();
    let links: Vec<&str> = csv.lines().filter(|l| l.contains(",link,")).collect();
    assert_eq!(
        links,
        [
            "310,2026-11-24T14:05:10.000,,link,,,link wan: outage started",
            "11110,2026-11-24T17:05:10.000,,link,,,link wan: outage ended",
        ]
    );
}
