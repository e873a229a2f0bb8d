//! The validated estate model: what a scenario describes, with typed units and resolved
//! references. Nothing outside `scenario` ever sees the raw file.

pub mod calendar;
pub mod defaults;
pub mod failover;
pub mod faults;
pub mod keyword;
pub mod link;
pub mod recovery_points;
pub mod workload;

pub use keyword::Keyword;

use crate::engine::Time;
use crate::units::{ByteRate, Bytes};
use calendar::Calendar;
use workload::WorkloadSpec;

/// The three topologies of the source documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topology {
    /// Hyper-V hosts (a Hyper-V site, or VMM clouds) replicating to Azure storage.
    HyperVToAzure,
    /// Hyper-V hosts in a primary VMM cloud replicating to a secondary VMM site.
    VmmToVmm,
    /// Azure VMs replicating from a source region to a target region.
    AzureToAzure,
}

impl Keyword for Topology {
    const ALL: &'static [(Self, &'static str)] = &[
        (Topology::HyperVToAzure, "hyperv-to-azure"),
        (Topology::VmmToVmm, "vmm-to-vmm"),
        (Topology::AzureToAzure, "azure-to-azure"),
    ];
}

impl Topology {
    pub fn name(self) -> &'static str {
        self.keyword()
    }

    /// The copy intervals the topology offers (domain.md section 3.4).
    pub fn copy_intervals_ms(self) -> &'static [u64] {
        match self {
            Topology::HyperVToAzure => &[30_000, 300_000],
            Topology::VmmToVmm => &[30_000, 300_000, 900_000],
            Topology::AzureToAzure => &[300_000],
        }
    }
}

/// A validated scenario: everything the simulation needs, nothing it must re-check.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// FNV-1a fingerprint of the scenario file (as edited by the overrides, if any) and every
    /// file it includes (traces).
    pub hash: u64,
    /// The overrides applied to the file before validation (`PATH=VALUE`, in order); empty
    /// when the file was read as written.
    pub overrides: Vec<String>,
    pub topology: Topology,
    pub calendar: Calendar,
    pub horizon: Time,
    pub seed: u64,
    /// Step of the time series; `None` writes no time series.
    pub sample_step: Option<Time>,
    pub links: Vec<LinkSpec>,
    pub policies: Vec<Policy>,
    pub sites: Vec<Site>,
    pub hosts: Vec<Host>,
    pub vms: Vec<VmSpec>,
    /// The `[[vms]]` tables the VMs were stamped from, in file order: each table's `name` and
    /// the range of `vms` it made (sweeps report per family).
    pub vm_families: Vec<VmFamily>,
    /// Injected trouble and scheduled administrator actions.
    pub faults: faults::Faults,
    /// Ordered failovers, recovery plans and site losses.
    pub failovers: failover::Failovers,
    /// What validation reported without refusing the file (e.g. imported churn columns no
    /// disk takes), each a line `warning: file:line:column: field: problem`.
    pub warnings: Vec<String>,
}

impl Scenario {
    /// The VM families by name, in the order their names first appear, each with its VMs in
    /// scenario order: `[[vms]]` tables that share a name (one role stamped out on several
    /// hosts, numbered on across them) make one family, as their VMs' names say.
    pub fn families(&self) -> Vec<(&str, Vec<usize>)> {
        let mut out: Vec<(&str, Vec<usize>)> = Vec::new();
        for f in &self.vm_families {
            match out.iter_mut().find(|(name, _)| *name == f.name) {
                Some((_, vms)) => vms.extend(f.vms.clone()),
                None => out.push((f.name.as_str(), f.vms.clone().collect())),
            }
        }
        out
    }

    /// Multiply every disk's churn by `factor` (see [`WorkloadSpec::scaled`]).
    pub fn scale_churn(&mut self, factor: f64) {
        for vm in &mut self.vms {
            for d in &mut vm.disks {
                d.workload = d.workload.scaled(factor);
            }
        }
    }
}

/// A site's uplink.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkSpec {
    pub name: String,
    pub capacity: ByteRate,
    /// Replication throttle during the calendar's work hours (ASR agent throttling).
    pub work_hours_limit: Option<ByteRate>,
    /// Replication throttle outside work hours.
    pub non_work_hours_limit: Option<ByteRate>,
    /// The most one VM's transfer may use (its upload threads' worth) [ours: off by default].
    pub per_vm_cap: Option<ByteRate>,
    /// Scheduled outages `[start, end)`, sorted and disjoint: the link carries nothing and
    /// every transfer on it fails with a recoverable network error.
    pub outages: Vec<(Time, Time)>,
    /// Random outages on top of the scheduled ones.
    pub random_outages: Option<faults::RandomOutages>,
    /// Windows of reduced capacity, sorted by start.
    pub degradations: Vec<faults::Degradation>,
}

impl LinkSpec {
    /// The capacity available to replication at a time that is (or is not) work time.
    pub fn capacity_at(&self, work_time: bool) -> ByteRate {
        let limit = if work_time {
            self.work_hours_limit
        } else {
            self.non_work_hours_limit
        };
        limit.map_or(self.capacity, |l| l.min(self.capacity))
    }

    pub fn is_throttled(&self) -> bool {
        self.work_hours_limit.is_some() || self.non_work_hours_limit.is_some()
    }
}

/// A replication policy: belongs to a site, applies to every VM on its hosts. The default
/// of each field, with its source, is in [`defaults`].
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: String,
    pub copy_interval: Time,
    pub target_rpo: Time,
    /// Duration of the Enable protection job.
    pub enable_job: Time,
    /// Duration of the Finalize protection job after the IR logs arrive.
    pub finalize_job: Time,
    /// Initial replication starts right after enabling, or at this time.
    pub initial_replication_start: Option<Time>,
    /// How the retry back-off numbers are read (domain.md section 4).
    pub retry_reading: crate::replication::RetryReading,
    /// The 50% rule (domain.md 3.5): resync is required when pending log bytes reach this
    /// share of the virtual size, in parts per million.
    pub resync_threshold_ppm: u32,
    /// Whether the rule compares the VM's total or each disk on its own.
    pub resync_basis: ResyncBasis,
    /// Whether the rule also watches the logs written during initial replication and
    /// finalize (reaching it then starts initial replication over).
    pub resync_threshold_during_ir: bool,
    /// When a required resync starts.
    pub resync_start: ResyncStart,
    /// The off-peak window.
    pub resync_window: ResyncWindow,
    /// Disk read throughput for checksum comparison, each side.
    pub resync_read_rate: ByteRate,
    /// Checksum block size.
    pub resync_block_size: u64,
    /// Time until an administrator repairs a non-recoverable error; `None`: only a
    /// scheduled `repair` action does.
    pub admin_response: Option<Time>,
    /// Health monitoring interval [src: 1 h to 7 days].
    pub health_interval: Time,
    /// Minute of the day the monitoring intervals are aligned to.
    pub health_interval_start_min: u32,
    /// How long recovery points are kept [src: 0-24 h for Hyper-V sources, up to 15 days
    /// for azure-to-azure].
    pub recovery_point_retention: Time,
    /// App-consistent snapshot frequency; `None` is off [src: 1-12 h].
    pub app_consistent_every: Option<Time>,
    /// Bytes on the wire per logical byte sent, as a ratio of at least 1 (vmm-to-vmm only).
    pub compression_ratio: f64,
    /// azure-to-azure: the cache storage account's churn limits.
    pub cache: CacheLimits,
    /// azure-to-azure: from a point's data reaching the cache to the point processed at the
    /// target (`latest-processed` can use it) [ours].
    pub processing_delay: Time,
}

impl Policy {
    /// A policy with every default of [`defaults`] (a Hyper-V source's recovery-point
    /// retention; validation gives azure-to-azure its own).
    pub fn default_named(name: &str) -> Policy {
        Policy {
            name: name.to_string(),
            copy_interval: defaults::COPY_INTERVAL,
            target_rpo: defaults::TARGET_RPO,
            enable_job: defaults::ENABLE_JOB,
            finalize_job: defaults::FINALIZE_JOB,
            initial_replication_start: defaults::INITIAL_REPLICATION_START,
            retry_reading: defaults::RETRY_READING,
            resync_threshold_ppm: defaults::RESYNC_THRESHOLD_PPM,
            resync_basis: defaults::RESYNC_BASIS,
            resync_threshold_during_ir: defaults::RESYNC_THRESHOLD_DURING_IR,
            resync_start: defaults::RESYNC_START,
            resync_window: defaults::RESYNC_WINDOW,
            resync_read_rate: defaults::RESYNC_READ_RATE,
            resync_block_size: defaults::RESYNC_BLOCK_SIZE,
            admin_response: defaults::ADMIN_RESPONSE,
            health_interval: defaults::HEALTH_INTERVAL,
            health_interval_start_min: defaults::HEALTH_INTERVAL_START_MIN,
            recovery_point_retention: defaults::RECOVERY_POINT_RETENTION,
            app_consistent_every: defaults::APP_CONSISTENT_FREQUENCY,
            compression_ratio: defaults::COMPRESSION_RATIO,
            cache: if defaults::HIGH_CHURN {
                CacheLimits::HIGH_CHURN
            } else {
                CacheLimits::NORMAL
            },
            processing_delay: defaults::PROCESSING_DELAY,
        }
    }
}

/// [src] Azure to Azure: the churn a VM (and each of its disks) can push to the cache storage
/// account. Above them recovery points fall behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheLimits {
    /// [src: 54 MB/s per VM; 100 MB/s with high churn enabled].
    pub per_vm: ByteRate,
    /// [ours: [`defaults::CACHE_DISK_LIMIT`]].
    pub per_disk: ByteRate,
}

impl CacheLimits {
    pub const NORMAL: CacheLimits = CacheLimits {
        per_vm: ByteRate::from_bytes_per_s(54_000_000),
        per_disk: defaults::CACHE_DISK_LIMIT,
    };
    pub const HIGH_CHURN: CacheLimits = CacheLimits {
        per_vm: ByteRate::from_bytes_per_s(100_000_000),
        per_disk: defaults::CACHE_DISK_LIMIT,
    };
}

/// What the 50% rule compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResyncBasis {
    /// The VM's pending bytes against its total virtual size.
    Vm,
    /// Each disk's pending bytes against its own size; the first disk to cross decides.
    Disk,
}

impl Keyword for ResyncBasis {
    const ALL: &'static [(Self, &'static str)] =
        &[(ResyncBasis::Vm, "vm"), (ResyncBasis::Disk, "disk")];
    const DEFAULT: Option<Self> = Some(defaults::RESYNC_BASIS);

    fn note(self) -> Option<&'static str> {
        Some(match self {
            ResyncBasis::Vm => "the VM's pending log bytes against its virtual size",
            ResyncBasis::Disk => "each disk against its own size",
        })
    }
}

/// When a required resynchronization starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResyncStart {
    /// At the next opening of the off-peak window (at once when inside it).
    OffPeak,
    Immediate,
    /// Only on a scheduled `resynchronize` action.
    Manual,
}

impl Keyword for ResyncStart {
    const ALL: &'static [(Self, &'static str)] = &[
        (ResyncStart::OffPeak, "off-peak"),
        (ResyncStart::Immediate, "immediate"),
        (ResyncStart::Manual, "manual"),
    ];
    const DEFAULT: Option<Self> = Some(defaults::RESYNC_START);

    fn note(self) -> Option<&'static str> {
        match self {
            ResyncStart::OffPeak => Some("at the next opening of resync_window"),
            ResyncStart::Immediate => None,
            ResyncStart::Manual => Some("only on a scheduled resynchronize action"),
        }
    }
}

/// The off-peak window for automatic resync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResyncWindow {
    /// Whenever the calendar says it is not work time.
    OutsideWorkHours,
    /// Every day from `from_min` to `to_min` (minutes of the day; wraps past midnight when
    /// `to_min <= from_min`).
    Daily { from_min: u32, to_min: u32 },
}

impl Keyword for ResyncWindow {
    /// `Daily` is written as `"HH:MM-HH:MM"`.
    const ALL: &'static [(Self, &'static str)] =
        &[(ResyncWindow::OutsideWorkHours, "outside-work-hours")];
    const DEFAULT: Option<Self> = Some(defaults::RESYNC_WINDOW);
}

#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub name: String,
    /// The site's uplink; `None` for azure-to-azure, whose writes go to the cache storage
    /// account (within its churn limits) rather than over a link the scenario models.
    pub link: Option<usize>,
    pub policy: usize,
    /// hyperv-to-azure: where the orchestrating Provider runs.
    pub orchestration: Orchestration,
    /// Source VM network -> target network. A failover of a VM whose network has no mapping
    /// is refused [src]. Sorted by source network.
    pub network_mappings: Vec<(String, String)>,
}

impl Site {
    /// The target network a source network maps to.
    pub fn mapped_network(&self, source: &str) -> Option<&str> {
        self.network_mappings
            .iter()
            .find(|(s, _)| s == source)
            .map(|(_, t)| t.as_str())
    }
}

/// Where the Provider that orchestrates replication runs (hyperv-to-azure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orchestration {
    /// A Hyper-V site without VMM: the Provider runs on each host.
    HyperVSite,
    /// Hosts managed by VMM in clouds: the Provider runs on the VMM server. Also the only
    /// choice for vmm-to-vmm; azure-to-azure uses the Mobility service extension.
    Vmm,
    /// azure-to-azure: the Mobility service extension on each VM.
    MobilityService,
}

impl Keyword for Orchestration {
    const ALL: &'static [(Self, &'static str)] = &[
        (Orchestration::HyperVSite, "hyperv-site"),
        (Orchestration::Vmm, "vmm"),
        (Orchestration::MobilityService, "mobility-service"),
    ];
    const DEFAULT: Option<Self> = Some(defaults::ORCHESTRATION);

    fn note(self) -> Option<&'static str> {
        match self {
            Orchestration::HyperVSite => Some("a Hyper-V site, the Provider on each host"),
            Orchestration::Vmm => Some("hosts in VMM clouds, the Provider on the VMM server"),
            Orchestration::MobilityService => None,
        }
    }

    /// The Mobility service comes with azure-to-azure; a file does not choose it.
    fn in_files(self) -> bool {
        self != Orchestration::MobilityService
    }
}

impl Orchestration {
    pub fn name(self) -> &'static str {
        self.keyword()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    pub name: String,
    pub site: usize,
    /// Free space on the volume that holds the VMs' snapshots and .hrl logs; `None` when
    /// the scenario does not model it.
    pub volume_free: Option<Bytes>,
    /// How many of its VMs' transfers may be on the link at once; the others wait for a
    /// slot in arrival order (hyperv-to-azure and vmm-to-vmm).
    pub parallel_transfers: u32,
}

/// One `[[vms]]` table: its name (`sql` of `sql-01`, `sql-02`) and the VMs it stamped out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmFamily {
    pub name: String,
    pub vms: std::ops::Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VmSpec {
    pub name: String,
    pub host: usize,
    /// Hyper-V generation (1 or 2): decides the OS disk limit for Azure.
    pub generation: u8,
    /// When protection is enabled.
    pub protect_at: Time,
    /// The VM is protected and in sync when the run starts (no enable job, no IR); its first
    /// cycle tick comes at `first_tick`.
    pub protected_at_start: bool,
    /// [ours] Enable protection only once every VM this names is protected (finalize done),
    /// `delay` later, and never before `protect_at`. `None`: at `protect_at`.
    pub protect_after: Option<ProtectAfter>,
    /// The initial-replication batch the VM belongs to (`batch` in the file).
    pub batch: Option<String>,
    pub first_tick: Option<Time>,
    /// Boot time at the target (for RTO, used by failover).
    pub boot_time: Time,
    /// [ours] Preparation at the target before the boot (its VM created or its recovery
    /// point applied).
    pub prepare_time: Time,
    /// [ours] How long the source VM takes to shut down in a planned failover, before the
    /// last changes are sent.
    pub shutdown_time: Time,
    /// The VM network it is attached to; failover needs a mapping for it at its site.
    pub network: Option<String>,
    /// azure-to-azure: the VM's own churn option (ASR sets it per VM), over its policy's.
    pub high_churn: Option<bool>,
    /// Disk 0 is the OS disk.
    pub disks: Vec<DiskSpec>,
}

/// What a VM's protection waits for: `protect_after = "<batch, [[vms]] name or VM>"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectAfter {
    /// The name as written.
    pub name: String,
    /// The VMs it names, ascending.
    pub vms: Vec<usize>,
    /// `protect_after_delay`: from the last of them protected to the enable.
    pub delay: Time,
}

/// One rule of the Azure prerequisite check a VM breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportViolation {
    /// The disk the rule is about; `None` for the count of data disks.
    pub disk: Option<usize>,
    /// The field of the disk (`size`, `shared`), or `disks` for the count.
    pub field: &'static str,
    /// What is wrong, with the limit: the Enable protection job's failure detail.
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiskSpec {
    pub size: Bytes,
    pub used: Bytes,
    pub shared: bool,
    pub workload: WorkloadSpec,
    /// The region writes land in, uniformly: what the distinct-blocks model of resync uses
    /// [ours: the used size].
    pub hot_region: Bytes,
}

impl VmSpec {
    pub fn virtual_size(&self) -> u64 {
        self.disks.iter().map(|d| d.size.0).sum()
    }
    pub fn used_size(&self) -> u64 {
        self.disks.iter().map(|d| d.used.0).sum()
    }

    /// The prerequisite check of Enable protection for an Azure target (domain.md 3.1): the
    /// first rule the VM breaks, the reason its job fails. `None` if the VM is inside the
    /// support limits.
    pub fn azure_support_violation(&self) -> Option<String> {
        self.azure_support_violations()
            .into_iter()
            .next()
            .map(|v| v.problem)
    }

    /// Every rule of the Azure prerequisite check the VM breaks, in the order the check reads
    /// them (`validate` reports them all; the job fails on the first).
    pub fn azure_support_violations(&self) -> Vec<SupportViolation> {
        const GB: u64 = 1_000_000_000;
        let mut out = Vec::new();
        if let Some(os) = self.disks.first() {
            let limit = if self.generation == 1 { 2048 } else { 300 };
            if os.size.0 > limit * GB {
                out.push(SupportViolation {
                    disk: Some(0),
                    field: "size",
                    problem: format!(
                        "OS disk of {} GB is over the {limit} GB limit for generation {} VMs",
                        os.size.0 / GB,
                        self.generation
                    ),
                });
            }
        }
        for (i, d) in self.disks.iter().enumerate().skip(1) {
            if d.size.0 > 4095 * GB {
                out.push(SupportViolation {
                    disk: Some(i),
                    field: "size",
                    problem: format!(
                        "data disk {i} of {} GB is over the 4,095 GB limit",
                        d.size.0 / GB
                    ),
                });
            }
        }
        if self.disks.len() > 17 {
            out.push(SupportViolation {
                disk: None,
                field: "disks",
                problem: format!(
                    "{} data disks; at most 16 are supported",
                    self.disks.len() - 1
                ),
            });
        }
        for (i, d) in self.disks.iter().enumerate() {
            if d.shared {
                out.push(SupportViolation {
                    disk: Some(i),
                    field: "shared",
                    problem: "shared VHDs are not supported".to_string(),
                });
            }
        }
        out
    }
}
