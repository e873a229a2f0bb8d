//! Parallel transfers per host (issue 14 item 7): a host sends at most `parallel_transfers`
//! transfers at once; the others wait in arrival order.

mod common;
use common::errors;

/// Seven VMs on one host, each with one disk of 4,200 MB used and nothing written, protected
/// at the start over a 336 Mbps (42 MB/s) link: 6 or 7 transfers share it at exactly 7 or
/// 6 MB/s each. `extra`: more `[[hosts]]` fields.
fn seven(extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "slots"
topology = "hyperv-to-azure"
start = "2026-11-23T00:00"
duration = "1d"

[[links]]
name = "wan"
capacity = "336 Mbps"

[[sites]]
name = "s"

[[hosts]]
name = "h"
{extra}

[[vms]]
name = "vm"
count = 7
churn = "0 B/s"
disks = [{{ size = "10 GiB", used = "4200 MB" }}]
"#
    )
}

/// When each VM's disk copy ended: the instant it moved to finalizing-protection, by VM.
fn copies_ended(text: &str) -> Vec<(String, u64)> {
    let (_, m) = common::run(text);
    m.events
        .into_iter()
        .filter(|e| e.2 == "state" && e.3 == "finalizing-protection")
        .map(|e| (e.1, e.0))
        .collect()
}

fn vm(k: usize) -> String {
    format!("vm-{k:02}")
}

// Every VM's Enable job ends at 120 s and its copy of 4.2 GB asks for a transfer then. Alone
// at 42 MB/s a copy takes 100 s; n copies sharing the link take n * 100 s together.

#[test]
fn the_seventh_transfer_starts_when_the_first_six_end() {
    // Six slots: six copies share the link and end at 120 + 600 = 720 s; the seventh starts
    // then, alone, and ends at 720 + 100 = 820 s: delayed by the first ones' 600 s.
    let mut expected: Vec<(String, u64)> = (1..=6).map(|k| (vm(k), 720_000)).collect();
    expected.push((vm(7), 820_000));
    assert_eq!(copies_ended(&seven("")), expected);
}

#[test]
fn seven_slots_let_all_seven_share_the_link() {
    // 7 * 100 s together: all end at 820 s.
    let expected: Vec<(String, u64)> = (1..=7).map(|k| (vm(k), 820_000)).collect();
    assert_eq!(copies_ended(&seven("parallel_transfers = 7")), expected);
}

#[test]
fn one_slot_sends_one_copy_after_the_other_in_arrival_order() {
    // vm-k's copy ends at 120 + k * 100 s.
    let expected: Vec<(String, u64)> = (1..=7)
        .map(|k| (vm(k), 120_000 + k as u64 * 100_000))
        .collect();
    assert_eq!(copies_ended(&seven("parallel_transfers = 1")), expected);
}

#[test]
fn a_link_outage_fails_the_waiting_transfer_too() {
    // At 600 s six copies are on the link and the seventh waits: all seven fail at once.
    let text = seven("").replace(
        "capacity = \"336 Mbps\"",
        "capacity = \"336 Mbps\"\noutages = [{ start = \"10m\", duration = \"5m\" }]",
    );
    let (_, m) = common::run(&text);
    let failed: Vec<(u64, String, String)> = m
        .events
        .into_iter()
        // Retries in the outage (from 660 s) fail too; the outage's start is the point.
        .filter(|e| e.2 == "transfer-failed" && e.0 == 600_000)
        .map(|e| (e.0, e.1, e.4))
        .collect();
    let expected: Vec<(u64, String, String)> = (1..=7)
        .map(|k| {
            (
                600_000,
                vm(k),
                "network error: link wan is down".to_string(),
            )
        })
        .collect();
    assert_eq!(failed, expected);
}

#[test]
fn zero_slots_and_slots_on_azure_to_azure_are_errors() {
    let text = seven("parallel_transfers = 0");
    let line = text
        .lines()
        .position(|l| l.contains("parallel_transfers"))
        .unwrap()
        + 1;
    assert_eq!(
        errors(&text),
        format!("error: bad.toml:{line}:22: hosts[0].parallel_transfers: zero transfer slots: no transfer would ever start\n  allowed: a whole number of at least 1 (default 6)")
    );
    let a2a = seven("parallel_transfers = 4")
        .replace("hyperv-to-azure", "azure-to-azure")
        .replace("[[links]]\nname = \"wan\"\ncapacity = \"336 Mbps\"\n", "");
    let line = a2a
        .lines()
        .position(|l| l.contains("parallel_transfers"))
        .unwrap()
        + 1;
    assert_eq!(
        errors(&a2a),
        format!("error: bad.toml:{line}:22: hosts[0].parallel_transfers: azure-to-azure VMs send to the cache storage account, not through a host's transfer slots\n  allowed: no parallel_transfers with topology = \"azure-to-azure\"")
    );
}
