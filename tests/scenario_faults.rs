//! Scenario files set injected trouble, the resync and health settings of policies and the
//! hot region of disks: a file using every such field validates into exactly these model
//! values, and a file using none keeps the defaults.

use drsim::model::faults::{
    AdminAction, Degradation, ErrorTrigger, Faults, HostFault, HostFaultKind, NonRecoverableError,
    RandomOutages, RepairDistribution, ScheduledAction, VmErrorFault,
};
use drsim::model::{Policy, ResyncBasis, ResyncStart, ResyncWindow};
use drsim::units::{ByteRate, Bytes};
use std::path::Path;

const H: u64 = 3_600_000;
const D: u64 = 24 * H;
const GIB: u64 = 1 << 30;

const EVERYTHING: &str = r#"
[scenario]
name = "everything"
topology = "hyperv-to-azure"
start = "2026-11-23T08:00"
duration = "7d"

[[links]]
name = "wan"
capacity = "100 Mbps"
random_outages = { mtbf = "30d", mttr = "2h", repair = "lognormal", sigma = 0.8 }
degradations = [
  { start = "2026-11-24T10:00", duration = "3h", capacity = "40%" },
  { start = "6h", duration = "30m", capacity = "0%" },
]

[[links]]
name = "lan"
capacity = "1 Gbps"
random_outages = { mtbf = "10d", mttr = "45m" }

[[policies]]
name = "night"
resync_threshold = "37.5%"
resync_basis = "disk"
resync_start = "immediate"
resync_window = "18:00-08:00"
resync_read_rate = "100 MB/s"
resync_block_size = "4 MiB"
admin_response = "manual"
health_interval = "1d"
health_interval_start = "07:30"

[[policies]]
name = "late"
resync_threshold = "100%"
resync_basis = "vm"
resync_start = "manual"
resync_window = "22:00-24:00"
admin_response = "90m"

[[policies]]
name = "defaults"
resync_start = "off-peak"
resync_window = "outside-work-hours"

[[sites]]
name = "dc"
link = "wan"
policy = "night"

[[sites]]
name = "branch"
link = "lan"
policy = "late"

[[hosts]]
name = "hv-01"
site = "dc"

[[hosts]]
name = "hv-02"
site = "branch"

[[vms]]
name = "sql-01"
host = "hv-01"
churn = "1 MB/s"
disks = [
  { size = "127 GiB", used = "60 GiB", hot_region = "20 GiB" },
  { size = "1 TiB", used = "100 GiB", hot_region = "25%" },
  { size = "10 GiB", used = "5 GiB", hot_region = "0.0001%" },
  { size = "10 GiB", used = "5 GiB" },
]

[[vms]]
name = "web"
count = 3
host = "hv-02"
churn = "200 kB/s"
disks = [{ size = "50 GiB", used = "10 GiB" }]

[[faults]]
kind = "broken-vhd-chain"
vm = "sql-01"
at = "2026-11-24T10:00"

[[faults]]
kind = "low-memory"
host = "hv-01"
start = "2026-11-24T10:00"
duration = "45m"

[[faults]]
kind = "authentication-failure"
vm = "web-02"
probability = 0.01

[[faults]]
kind = "volume-full"
host = "hv-02"
at = "1d 6h"

[[faults]]
kind = "vm-not-found"
vm = "web-03"
probability = 1.0

[[actions]]
at = "2026-11-24T12:00"
vm = "sql-01"
action = "pause"

[[actions]]
at = "2h"
vm = "web-03"
action = "resume"

[[actions]]
at = "3h"
vm = "web-01"
action = "resynchronize"

[[actions]]
at = "3h"
vm = "web-01"
action = "cancel-resync"

[[actions]]
at = "6d 23h"
vm = "sql-01"
action = "repair"
"#;

#[test]
fn every_new_field_reaches_the_model() {
    let s = drsim::scenario::from_text(EVERYTHING, Path::new("everything.toml"))
        .unwrap_or_else(|e| panic!("{e}"));

    // Links: random outages (lognormal, and exponential by default), degradations sorted by
    // start.
    assert_eq!(
        s.links[0].random_outages,
        Some(RandomOutages {
            mtbf: 30 * D,
            mttr: 2 * H,
            repair: RepairDistribution::LogNormal { sigma: 0.8 },
        })
    );
    assert_eq!(
        s.links[0].degradations,
        [
            Degradation {
                start: 6 * H,
                end: 6 * H + H / 2,
                percent: 0,
            },
            Degradation {
                start: 26 * H,
                end: 29 * H,
                percent: 40,
            },
        ]
    );
    assert_eq!(
        s.links[1].random_outages,
        Some(RandomOutages {
            mtbf: 10 * D,
            mttr: 45 * 60_000,
            repair: RepairDistribution::Exponential,
        })
    );
    assert!(s.links[1].degradations.is_empty());

    // Policies: every resync and health field; unset ones keep their defaults.
    let night = &s.policies[0];
    assert_eq!(night.resync_threshold_ppm, 375_000);
    assert_eq!(night.resync_basis, ResyncBasis::Disk);
    assert_eq!(night.resync_start, ResyncStart::Immediate);
    assert_eq!(
        night.resync_window,
        ResyncWindow::Daily {
            from_min: 18 * 60,
            to_min: 8 * 60,
        }
    );
    assert_eq!(
        night.resync_read_rate,
        ByteRate::from_bytes_per_s(100_000_000)
    );
    assert_eq!(night.resync_block_size, 4 << 20);
    assert_eq!(night.admin_response, None);
    assert_eq!(night.health_interval, D);
    assert_eq!(night.health_interval_start_min, 7 * 60 + 30);

    let late = &s.policies[1];
    let defaults = Policy::default_named("late");
    assert_eq!(late.resync_threshold_ppm, 1_000_000);
    assert_eq!(late.resync_basis, ResyncBasis::Vm);
    assert_eq!(late.resync_start, ResyncStart::Manual);
    // 24:00 is midnight: the window wraps to 0.
    assert_eq!(
        late.resync_window,
        ResyncWindow::Daily {
            from_min: 22 * 60,
            to_min: 0,
        }
    );
    assert_eq!(late.admin_response, Some(90 * 60_000));
    assert_eq!(late.resync_read_rate, defaults.resync_read_rate);
    assert_eq!(late.resync_block_size, defaults.resync_block_size);
    assert_eq!(late.health_interval, defaults.health_interval);
    assert_eq!(
        late.health_interval_start_min,
        defaults.health_interval_start_min
    );
    assert_eq!(s.policies[2], Policy::default_named("defaults"));

    // Disks: a size, a percentage of the size (rounded down to a byte), the default.
    let hot: Vec<Bytes> = s.vms[0].disks.iter().map(|d| d.hot_region).collect();
    assert_eq!(
        hot,
        [
            Bytes(20 * GIB),
            Bytes(256 * GIB),
            Bytes(10 * GIB / 1_000_000),
            Bytes(5 * GIB),
        ]
    );
    assert!(s.vms[1..]
        .iter()
        .all(|v| v.disks[0].hot_region == Bytes(10 * GIB)));

    // Faults and actions: resolved, in file order; VM indices after stamping
    // (sql-01, web-01, web-02, web-03).
    let names: Vec<&str> = s.vms.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["sql-01", "web-01", "web-02", "web-03"]);
    assert_eq!(
        s.faults,
        Faults {
            vm_errors: vec![
                VmErrorFault {
                    vm: 0,
                    error: NonRecoverableError::BrokenVhdChain,
                    trigger: ErrorTrigger::At(26 * H),
                },
                VmErrorFault {
                    vm: 2,
                    error: NonRecoverableError::AuthenticationFailure,
                    trigger: ErrorTrigger::PerTransfer(0.01),
                },
                VmErrorFault {
                    vm: 3,
                    error: NonRecoverableError::VmNotFound,
                    trigger: ErrorTrigger::PerTransfer(1.0),
                },
            ],
            hosts: vec![
                HostFault {
                    host: 0,
                    kind: HostFaultKind::LowMemory {
                        start: 26 * H,
                        end: 26 * H + 45 * 60_000,
                    },
                },
                HostFault {
                    host: 1,
                    kind: HostFaultKind::VolumeFull {
                        at: 30 * H,
                        until: 30 * H,
                    },
                },
            ],
            actions: vec![
                ScheduledAction {
                    at: 28 * H,
                    vm: 0,
                    action: AdminAction::Pause,
                },
                ScheduledAction {
                    at: 2 * H,
                    vm: 3,
                    action: AdminAction::Resume,
                },
                ScheduledAction {
                    at: 3 * H,
                    vm: 1,
                    action: AdminAction::Resynchronize,
                },
                ScheduledAction {
                    at: 3 * H,
                    vm: 1,
                    action: AdminAction::CancelResync,
                },
                ScheduledAction {
                    at: 6 * D + 23 * H,
                    vm: 0,
                    action: AdminAction::Repair,
                },
            ],
            cache: vec![],
        }
    );
}

#[test]
fn a_file_without_the_new_fields_keeps_the_defaults() {
    let text = include_str!("../scenarios/quickstart.toml");
    let s = drsim::scenario::from_text(text, Path::new("scenarios/quickstart.toml")).unwrap();
    assert_eq!(s.faults, Faults::default());
    for l in &s.links {
        assert_eq!(l.random_outages, None);
        assert!(l.degradations.is_empty());
    }
    for p in &s.policies {
        let d = Policy::default_named(&p.name);
        assert_eq!(
            (
                p.resync_threshold_ppm,
                p.resync_basis,
                p.resync_start,
                p.resync_window,
                p.resync_read_rate,
                p.resync_block_size,
                p.admin_response,
                p.health_interval,
                p.health_interval_start_min,
            ),
            (
                d.resync_threshold_ppm,
                d.resync_basis,
                d.resync_start,
                d.resync_window,
                d.resync_read_rate,
                d.resync_block_size,
                d.admin_response,
                d.health_interval,
                d.health_interval_start_min,
            )
        );
    }
    for disk in s.vms.iter().flat_map(|v| &v.disks) {
        assert_eq!(disk.hot_region, disk.used);
    }
}

#[test]
fn a_fault_time_just_before_the_horizon_is_inside_the_run() {
    let text = EVERYTHING.replace("at = \"6d 23h\"", "at = \"6d 23h 59m 59s 999ms\"");
    let s = drsim::scenario::from_text(&text, Path::new("t.toml")).unwrap();
    assert_eq!(s.faults.actions[4].at, 7 * D - 1);
    let text = EVERYTHING.replace("at = \"6d 23h\"", "at = \"2026-11-30T08:00\"");
    let e = drsim::scenario::from_text(&text, Path::new("t.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("actions[4].at: \"2026-11-30T08:00\" is not before the end of the run"),
        "{e}"
    );
}
