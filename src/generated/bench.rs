//! A generated estate for benchmarks: `drsim bench` and `cargo bench` time it.
//!
//! The estate: `vms` VMs on hosts of 20, one site, one link sized at 1.67x the estate's mean
//! churn (60% load in steady state), 5-minute copy intervals, protection enabled in a
//! stagger over the first hour. Disks are small (4 GiB used) so initial replication ends in
//! the first hours and the run is dominated by delta cycles. Workloads mix constant,
//! office-hours and burst profiles (one third each), so every workload path is timed.

use crate::model::calendar::Calendar;
use crate::model::defaults;
use crate::model::workload::{BurstHours, WorkloadSpec};
use crate::model::*;
use crate::run::{self, RunSpec};
use crate::units::{ByteRate, Bytes};
use std::time::Instant;

const VMS_PER_HOST: u32 = 20;
const MEAN_CHURN_BYTES_PER_S: u64 = 200_000;

/// The benchmark estate as a validated scenario.
pub fn estate(vms: u32, days: u32) -> Scenario {
    let calendar = Calendar::default_from(
        crate::scenario::parse_datetime("2026-11-23T00:00").expect("literal"),
    );
    let rate = ByteRate::from_bytes_per_s;
    let workloads = [
        WorkloadSpec::Constant {
            rate: rate(MEAN_CHURN_BYTES_PER_S),
        },
        WorkloadSpec::OfficeHours {
            peak: rate(MEAN_CHURN_BYTES_PER_S * 2),
            base: rate(MEAN_CHURN_BYTES_PER_S / 2),
        },
        WorkloadSpec::Bursts {
            base: rate(MEAN_CHURN_BYTES_PER_S / 2),
            burst_rate: rate(20_000_000),
            mean_gap_ms: 1_800_000,
            size_median_bytes: 150_000_000,
            size_sigma: 0.5,
            hours: BurstHours::Always,
        },
    ];
    let hosts = vms.div_ceil(VMS_PER_HOST).max(1);
    Scenario {
        name: format!("bench-{vms}vms-{days}d"),
        description: "generated benchmark estate".into(),
        hash: 0,
        overrides: Vec::new(),
        warnings: Vec::new(),
        topology: Topology::HyperVToAzure,
        calendar,
        horizon: u64::from(days) * 86_400_000,
        seed: defaults::SEED,
        sample_step: Some(3_600_000),
        links: vec![LinkSpec {
            name: "wan".into(),
            capacity: rate(MEAN_CHURN_BYTES_PER_S * u64::from(vms) * 5 / 3),
            work_hours_limit: None,
            non_work_hours_limit: None,
            per_vm_cap: defaults::PER_VM_CAP,
            outages: Vec::new(),
            random_outages: None,
            degradations: Vec::new(),
        }],
        policies: vec![Policy::default_named("default")],
        sites: vec![Site {
            name: "site".into(),
            link: Some(0),
            policy: 0,
            orchestration: defaults::ORCHESTRATION,
            network_mappings: Vec::new(),
        }],
        hosts: (0..hosts)
            .map(|h| Host {
                name: format!("host-{h:05}"),
                site: 0,
                volume_free: None,
                parallel_transfers: defaults::PARALLEL_TRANSFERS,
            })
            .collect(),
        vms: (0..vms)
            .map(|i| VmSpec {
                name: format!("vm-{i:06}"),
                host: (i / VMS_PER_HOST) as usize,
                generation: defaults::GENERATION,
                protect_at: u64::from(i) * 3_600_000 / u64::from(vms.max(1)),
                protected_at_start: defaults::PROTECTED_AT_START,
                protect_after: None,
                batch: None,
                first_tick: None,
                boot_time: defaults::BOOT_TIME,
                prepare_time: defaults::PREPARE_TIME,
                shutdown_time: defaults::SHUTDOWN_TIME,
                network: None,
                high_churn: None,
                disks: vec![DiskSpec {
                    size: Bytes(16 << 30),
                    used: Bytes(4 << 30),
                    shared: defaults::SHARED_DISK,
                    workload: workloads[i as usize % 3].clone(),
                    hot_region: Bytes(4 << 30),
                }],
            })
            .collect(),
        vm_families: vec![crate::model::VmFamily {
            name: "vm".into(),
            vms: 0..vms as usize,
        }],
        faults: Default::default(),
        failovers: Default::default(),
    }
}

/// Run the benchmark estate once and describe the figures.
pub fn run(vms: u32, days: u32) -> Result<String, run::RunError> {
    let scenario = estate(vms, days);
    let started = Instant::now();
    let out = run::run(RunSpec::new(&scenario).keep_series(false))?;
    let result = out.result;
    let wall = started.elapsed().as_secs_f64();
    let sim_s = scenario.horizon as f64 / 1000.0;
    let partial = out
        .exceeded
        .map_or(String::new(), |e| format!("; partial: {}", e.explain()));
    Ok(format!(
        "bench: {vms} VMs x {days} days, 5-minute cycles: {} events in {wall:.3} s wall = {:.0} events/s, {:.0} simulated s per wall s; cycles done {}, missed {}{partial}",
        result.events_processed,
        result.events_processed as f64 / wall,
        sim_s / wall,
        result.vms.iter().map(|v| v.cycles_done).sum::<u64>(),
        result.vms.iter().map(|v| v.cycles_missed).sum::<u64>(),
    ))
}
