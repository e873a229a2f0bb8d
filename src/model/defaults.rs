//! Every value a scenario file gets for a field it leaves out, in one place.
//!
//! Validation, [`Policy::default_named`](super::Policy::default_named), the generated
//! workloads ([`crate::generated`]) and the "(the default)" marks of error messages read
//! these constants; the model card (`docs/model-card.md`, section "Defaults") quotes each as
//! a `field = value` line, and `tests/model_card.rs` checks the card against [`card`].
//!
//! Each is marked [src] (from the sources: `shared/domain.md` and the documents behind it) or
//! [ours] (a modelling choice), with why.

use super::failover::FailbackMode;
use super::faults::RepairKind;
use super::keyword::Keyword;
use super::recovery_points::PointChoice;
use super::workload::BurstHours;
use super::{Orchestration, ResyncBasis, ResyncStart, ResyncWindow};
use crate::engine::Time;
use crate::replication::RetryReading;
use crate::units::{ByteRate, Millis};

const MIN: Time = 60_000;
const HOUR: Time = 60 * MIN;

/// Declares the constants and [`card`], which lists each with the field it fills and its
/// value written as in a scenario file, so that no default escapes the card.
macro_rules! defaults {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident: $ty:ty = $value:expr; $field:literal => $show:expr;
    )*) => {
        $(
            $(#[doc = $doc])*
            pub const $name: $ty = $value;
        )*

        /// Every default as the model card quotes it: the field it fills and its value as a
        /// scenario file would write it, in the card's order.
        pub fn card() -> Vec<(&'static str, String)> {
            vec![$(($field, ($show)($name))),*]
        }
    };
}

defaults! {
    /// [ours] The seed of every random stream: any fixed value makes runs reproducible.
    SEED: u64 = 1; "scenario.seed" => |s: u64| s.to_string();
    /// [ours] The step of the time series: the default copy interval, so a default estate
    /// gets about one sample per cycle.
    SAMPLE_STEP: Time = COPY_INTERVAL; "scenario.sample_step" => duration;
    /// [ours] Work days, Monday first: Monday to Friday, common office days.
    WORK_DAYS: [bool; 7] = [true, true, true, true, true, false, false];
        "calendar.work_days" => work_days;
    /// [ours] Work hours, minutes after midnight `[start, end)`: 08:00-18:00, common office
    /// hours. One calendar drives workloads, throttles and the off-peak resync window.
    WORK_HOURS: (u32, u32) = (8 * 60, 18 * 60); "calendar.work_hours" => work_hours;
    /// [ours] No per-VM cap on a link: the sources give upload threads per VM (4), not a
    /// rate per thread.
    PER_VM_CAP: Option<ByteRate> = None; "links.per_vm_cap" => |c: Option<ByteRate>| {
        c.map_or_else(|| "unset".to_string(), rate)
    };
    /// [ours] Repair times of random outages: exponential, the memoryless choice (the
    /// sources name MTBF and MTTR, not the distributions).
    REPAIR: RepairKind = RepairKind::Exponential; "links.random_outages.repair" => word;
    /// [ours] A crashed host is back 10 minutes later: a server's restart (firmware checks,
    /// the OS, the Hyper-V services) takes minutes; the sources give no figure.
    HOST_RESTART: Time = 10 * MIN; "faults.restart" => duration;
    /// [src] The copy interval: 5 minutes (domain.md 3.4).
    COPY_INTERVAL: Time = 5 * MIN; "policies.copy_interval" => duration;
    /// [src] The target RPO: 15 minutes, the ASR planner's default desired RPO.
    TARGET_RPO: Time = 15 * MIN; "policies.target_rpo" => duration;
    /// [ours] The Enable protection job: 2 minutes (the sources name the job, not its
    /// length).
    ENABLE_JOB: Time = 2 * MIN; "policies.enable_job" => duration;
    /// [ours] The Finalize protection merge: 1 minute (the sources name the steps, not the
    /// merge time).
    FINALIZE_JOB: Time = MIN; "policies.finalize_job" => duration;
    /// [src] Initial replication starts right after enabling (`None`), not at a set time.
    INITIAL_REPLICATION_START: Option<Time> = None;
        "policies.initial_replication_start" => |t: Option<Time>| match t {
            None => quoted("immediate"),
            Some(t) => duration(t),
        };
    /// [ours] The back-off numbers read as waits between attempts (domain.md 4 allows both
    /// readings).
    RETRY_READING: RetryReading = RetryReading::Waits; "policies.retry_schedule" => word;
    /// [src] The 50% rule (domain.md 3.5), in parts per million of the virtual size.
    RESYNC_THRESHOLD_PPM: u32 = 500_000; "policies.resync_threshold" => |ppm: u32| {
        quoted(&format!("{}%", f64::from(ppm) / 10_000.0))
    };
    /// [ours] The 50% rule compares the VM's total, not each disk.
    RESYNC_BASIS: ResyncBasis = ResyncBasis::Vm; "policies.resync_basis" => word;
    /// [ours] The sources state the rule for the .hrl logs without exempting those written
    /// during initial replication (the same files, domain.md 3.2): it watches them too.
    RESYNC_THRESHOLD_DURING_IR: bool = true; "policies.resync_threshold_during_ir" => |b: bool| b.to_string();
    /// [src] A required resync starts automatically, off-peak (domain.md 3.5).
    RESYNC_START: ResyncStart = ResyncStart::OffPeak; "policies.resync_start" => word;
    /// [ours] The off-peak window: outside the calendar's work hours (weekdays 18:00-08:00
    /// and all weekend with the default calendar).
    RESYNC_WINDOW: ResyncWindow = ResyncWindow::OutsideWorkHours;
        "policies.resync_window" => word;
    /// [ours] Disk read throughput of the checksum comparison, each side: 200 MB/s
    /// (domain.md 3.6).
    RESYNC_READ_RATE: ByteRate = ByteRate::from_bytes_per_s(200_000_000);
        "policies.resync_read_rate" => rate;
    /// [ours] The checksum block size: 2 MiB (domain.md 3.6).
    RESYNC_BLOCK_SIZE: u64 = 2 << 20; "policies.resync_block_size" => size;
    /// [ours] An administrator repairs a non-recoverable error 4 hours after it (domain.md
    /// 3.7); `None` would leave it to a scheduled `repair` action (`"manual"`).
    ADMIN_RESPONSE: Option<Time> = Some(4 * HOUR); "policies.admin_response" => |t: Option<Time>| {
        t.map_or_else(|| quoted("manual"), duration)
    };
    /// [src] The health monitoring interval: 12 hours (domain.md 5).
    HEALTH_INTERVAL: Time = 12 * HOUR; "policies.health_interval" => duration;
    /// [src] The minute of the day monitoring intervals align to: 09:00 (domain.md 5).
    HEALTH_INTERVAL_START_MIN: u32 = 9 * 60; "policies.health_interval_start" => clock;
    /// [ours] Hyper-V sources keep recovery points 2 hours (the sources allow 0-24 h and give
    /// no default).
    RECOVERY_POINT_RETENTION: Time = 2 * HOUR; "policies.recovery_point_retention" => duration;
    /// [src] azure-to-azure keeps recovery points 24 hours (domain.md 6).
    RECOVERY_POINT_RETENTION_A2A: Time = 24 * HOUR;
        "policies.recovery_point_retention (azure-to-azure)" => duration;
    /// [ours] No app-consistent snapshots (`None`, `"off"`): they cost the guest a VSS
    /// quiesce, so a planner turns them on.
    APP_CONSISTENT_FREQUENCY: Option<Time> = None;
        "policies.app_consistent_frequency" => |t: Option<Time>| {
            t.map_or_else(|| quoted("off"), duration)
        };
    /// [ours] vmm-to-vmm compression ratio 1.0: no compression (domain.md 2).
    COMPRESSION_RATIO: f64 = 1.0; "policies.compression_ratio" => |r: f64| format!("{r:.1}");
    /// [src] azure-to-azure: high churn is off.
    HIGH_CHURN: bool = false; "policies.high_churn" => |b: bool| b.to_string();
    /// [ours] The churn one disk can push to the cache storage account: 20 MB/s, a premium
    /// disk's limit for large I/O.
    CACHE_DISK_LIMIT: ByteRate = ByteRate::from_bytes_per_s(20_000_000);
        "policies.cache_disk_limit" => rate;
    /// [ours] azure-to-azure: a point's data is processed from the cache into the target 5
    /// minutes after it reached the cache, one point-generation interval (the service makes
    /// a crash-consistent point every 5 minutes from processed data [src]): `latest-processed`
    /// trails `latest` by a point in steady replication.
    PROCESSING_DELAY: Time = 5 * MIN; "policies.processing_delay" => duration;
    /// [ours] hyperv-to-azure: a Hyper-V site (the Provider on each host), the plainest
    /// estate.
    ORCHESTRATION: Orchestration = Orchestration::HyperVSite; "sites.orchestration" => word;
    /// [ours] Hyper-V generation 2: most current Hyper-V VMs are.
    GENERATION: u8 = 2; "vms.generation" => |g: u8| g.to_string();
    /// [ours] Protection is enabled at the start of the run.
    PROTECT_AT: Time = 0; "vms.protect_at" => duration;
    /// [ours] A VM starts the run unprotected (protection is enabled at `protect_at`).
    PROTECTED_AT_START: bool = false; "vms.protected_at_start" => |b: bool| b.to_string();
    /// [ours] VMs stamped out together that start protected tick together unless a step is
    /// set.
    FIRST_TICK_STEP: Time = 0; "vms.first_tick_step" => duration;
    /// [ours] Boot time at the target: 3 minutes.
    BOOT_TIME: Time = 3 * MIN; "vms.boot_time" => duration;
    /// [ours] Preparation at an Azure target before the boot: 5 minutes to create the VM from
    /// the recovery point's disks (the sources name the step, not its length).
    PREPARE_TIME: Time = 5 * MIN; "vms.prepare_time" => duration;
    /// [ours] vmm-to-vmm: 1 minute; the replica VM exists at the secondary site, its
    /// recovery point is applied.
    PREPARE_TIME_VMM: Time = MIN; "vms.prepare_time (vmm-to-vmm)" => duration;
    /// [ours] A planned failover shuts the source VM down: 2 minutes for a server guest to
    /// stop its services and power off (the sources say it is shut down, not how long it
    /// takes).
    SHUTDOWN_TIME: Time = 2 * MIN; "vms.shutdown_time" => duration;
    /// [src, third-party] A Hyper-V Replica host sends 6 transfers at once.
    PARALLEL_TRANSFERS: u32 = 6; "hosts.parallel_transfers" => |n: u32| n.to_string();
    /// [ours] A disk is not a shared VHD.
    SHARED_DISK: bool = false; "vms.disks.shared" => |b: bool| b.to_string();
    /// [ours] The lognormal shape of burst sizes: 1.0 (the domain names the family, not the
    /// shape).
    BURST_SIZE_SIGMA: f64 = 1.0; "profiles.burst_size_sigma" => |s: f64| format!("{s:.1}");
    /// [ours] A bursts profile bursts at any hour unless it says `hours = "work"`: the
    /// behaviour of bursts profiles before `hours` existed.
    BURST_HOURS: BurstHours = BurstHours::Always; "profiles.hours" => word;
    /// [ours] A failover uses the newest recovery point: the lowest RPO.
    POINT: PointChoice = PointChoice::Latest; "failovers.point" => word;
    /// [src] hyperv-to-azure failback compares checksums while the Azure VM runs
    /// (a failback to an alternate VM is always a full download).
    FAILBACK_MODE: FailbackMode = FailbackMode::SyncFirst; "failovers.mode" => word;
}

/// [ours] A `[[vms]]` table without `count` describes one VM, named as written. Not on the
/// card's list: `count = 1` written out is not the same, it numbers the name (`name-01`).
pub const VM_COUNT: u32 = 1;

/// `"text"`.
fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

fn duration(ms: Time) -> String {
    quoted(&Millis(ms).to_string())
}

fn word<K: Keyword>(k: K) -> String {
    quoted(k.keyword())
}

/// A rate as the card and the sources write it: whole MB/s where it is one.
fn rate(r: ByteRate) -> String {
    const MB_PER_S: u64 = 1_000_000_000; // in milli-bytes per second
    if r.0 % MB_PER_S == 0 {
        quoted(&format!("{} MB/s", r.0 / MB_PER_S))
    } else {
        quoted(&r.to_string())
    }
}

/// A size in whole MiB where it is one.
fn size(bytes: u64) -> String {
    if bytes % (1 << 20) == 0 {
        quoted(&format!("{} MiB", bytes >> 20))
    } else {
        quoted(&format!("{bytes} B"))
    }
}

fn clock(min: u32) -> String {
    quoted(&format!("{:02}:{:02}", min / 60, min % 60))
}

fn work_hours((from, to): (u32, u32)) -> String {
    let c = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
    quoted(&format!("{}-{}", c(from), c(to)))
}

fn work_days(days: [bool; 7]) -> String {
    let names: Vec<String> = super::calendar::WEEKDAYS
        .iter()
        .zip(days)
        .filter(|&(_, on)| on)
        .map(|(d, _)| quoted(d))
        .collect();
    format!("[{}]", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_card_writes_values_as_a_scenario_file_would() {
        let card = card();
        let get = |field: &str| {
            card.iter()
                .find(|(f, _)| *f == field)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("{field} not on the card"))
        };
        assert_eq!(get("scenario.sample_step"), "\"5m\"");
        assert_eq!(
            get("calendar.work_days"),
            "[\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]"
        );
        assert_eq!(get("calendar.work_hours"), "\"08:00-18:00\"");
        assert_eq!(get("policies.resync_threshold"), "\"50%\"");
        assert_eq!(get("policies.resync_read_rate"), "\"200 MB/s\"");
        assert_eq!(get("policies.resync_block_size"), "\"2 MiB\"");
        assert_eq!(get("policies.admin_response"), "\"4h\"");
        assert_eq!(get("policies.health_interval_start"), "\"09:00\"");
        assert_eq!(get("policies.initial_replication_start"), "\"immediate\"");
        assert_eq!(get("failovers.point"), "\"latest\"");
    }
}
