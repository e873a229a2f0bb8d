//! The raw layer: serde structs that mirror the scenario file one to one. Values that need
//! units or references stay strings with their source span, so validation can point at them.
//! Unknown fields are errors (`deny_unknown_fields`).

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawHeader,
    pub calendar: Option<RawCalendar>,
    #[serde(default)]
    pub links: Vec<RawLink>,
    #[serde(default)]
    pub policies: Vec<RawPolicy>,
    #[serde(default)]
    pub sites: Vec<RawSite>,
    #[serde(default)]
    pub hosts: Vec<RawHost>,
    #[serde(default)]
    pub profiles: Vec<RawProfile>,
    #[serde(default)]
    pub vms: Vec<RawVm>,
    #[serde(default)]
    pub faults: Vec<RawFault>,
    #[serde(default)]
    pub actions: Vec<RawAction>,
    #[serde(default)]
    pub recovery_plans: Vec<RawPlan>,
    #[serde(default)]
    pub failovers: Vec<RawFailover>,
    #[serde(default)]
    pub site_events: Vec<RawSiteEvent>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    pub name: Text,
    pub description: Option<String>,
    pub topology: Text,
    pub start: Text,
    pub duration: Text,
    pub seed: Option<Spanned<u64>>,
    pub sample_step: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    pub work_days: Option<Spanned<Vec<String>>>,
    pub work_hours: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub name: Text,
    pub capacity: Text,
    pub work_hours_limit: Option<Text>,
    pub non_work_hours_limit: Option<Text>,
    pub per_vm_cap: Option<Text>,
    #[serde(default)]
    pub outages: Vec<RawOutage>,
    pub random_outages: Option<RawRandomOutages>,
    #[serde(default)]
    pub degradations: Vec<RawDegradation>,
}

/// A scheduled link outage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutage {
    pub start: Text,
    pub duration: Text,
}

/// Random link outages: mean time between failures and to repair, and the repair
/// distribution (`sigma` only for `lognormal`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRandomOutages {
    pub mtbf: Text,
    pub mttr: Text,
    pub repair: Option<Text>,
    pub sigma: Option<Spanned<f64>>,
}

/// A window of reduced link capacity; `capacity` is the percentage left.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDegradation {
    pub start: Text,
    pub duration: Text,
    pub capacity: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub name: Text,
    pub copy_interval: Option<Text>,
    pub target_rpo: Option<Text>,
    pub enable_job: Option<Text>,
    pub finalize_job: Option<Text>,
    pub initial_replication_start: Option<Text>,
    pub retry_schedule: Option<Text>,
    pub resync_threshold: Option<Text>,
    pub resync_basis: Option<Text>,
    pub resync_threshold_during_ir: Option<Spanned<bool>>,
    pub resync_start: Option<Text>,
    pub resync_window: Option<Text>,
    pub resync_read_rate: Option<Text>,
    pub resync_block_size: Option<Text>,
    pub admin_response: Option<Text>,
    pub health_interval: Option<Text>,
    pub health_interval_start: Option<Text>,
    pub recovery_point_retention: Option<Text>,
    pub app_consistent_frequency: Option<Text>,
    pub compression_ratio: Option<Spanned<f64>>,
    pub high_churn: Option<Spanned<bool>>,
    pub cache_disk_limit: Option<Text>,
    pub processing_delay: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub name: Text,
    pub link: Option<Text>,
    pub policy: Option<Text>,
    pub orchestration: Option<Text>,
    /// Source network -> target network, as an inline table.
    pub network_mappings: Option<Spanned<BTreeMap<Text, Text>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHost {
    pub name: Text,
    pub site: Option<Text>,
    pub volume_free: Option<Text>,
    pub parallel_transfers: Option<Spanned<u32>>,
}

/// A named write workload. Which fields apply depends on `kind`; validation checks that.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    pub name: Text,
    pub kind: Text,
    pub rate: Option<Text>,
    pub peak: Option<Text>,
    pub base: Option<Text>,
    pub burst_rate: Option<Text>,
    pub mean_gap: Option<Text>,
    pub burst_size_median: Option<Text>,
    pub burst_size_sigma: Option<Spanned<f64>>,
    pub hours: Option<Text>,
    pub parts: Option<Vec<Text>>,
    pub file: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVm {
    pub name: Text,
    pub count: Option<Spanned<u32>>,
    /// Labels that VM selectors (`tag:NAME`) pick VMs by.
    pub tags: Option<Spanned<Vec<Text>>>,
    pub host: Option<Text>,
    pub generation: Option<Spanned<u8>>,
    pub protect_at: Option<Text>,
    pub protected_at_start: Option<bool>,
    /// The initial-replication batch the VMs belong to.
    pub batch: Option<Text>,
    /// A batch, `[[vms]]` name or VM whose protection these VMs' protection waits for.
    pub protect_after: Option<Text>,
    pub protect_after_delay: Option<Text>,
    pub first_tick: Option<Text>,
    pub first_tick_step: Option<Text>,
    pub boot_time: Option<Text>,
    pub prepare_time: Option<Text>,
    pub shutdown_time: Option<Text>,
    pub churn: Option<Text>,
    pub network: Option<Text>,
    /// azure-to-azure: this VM's churn option, over its policy's.
    pub high_churn: Option<Spanned<bool>>,
    pub disks: Spanned<Vec<RawDisk>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisk {
    /// Names the disk for imported churn (`perfmon`, `disk-bytes`).
    pub name: Option<Text>,
    pub size: Text,
    pub used: Option<Text>,
    pub churn: Option<Text>,
    pub shared: Option<Spanned<bool>>,
    pub hot_region: Option<Text>,
}

/// Injected trouble. Which fields apply depends on `kind`; validation checks that.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    pub kind: Text,
    pub vm: Option<Text>,
    pub host: Option<Text>,
    pub at: Option<Text>,
    pub probability: Option<Spanned<f64>>,
    pub start: Option<Text>,
    pub duration: Option<Text>,
    pub rate: Option<Text>,
    pub mtbf: Option<Text>,
    pub restart: Option<Text>,
}

/// A scheduled administrator action on one VM.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    pub at: Text,
    pub vm: Text,
    pub action: Text,
}

/// A recovery plan: ordered groups of VMs, with steps before the first group and after each.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlan {
    pub name: Text,
    pub groups: Spanned<Vec<Spanned<RawGroup>>>,
    #[serde(default)]
    pub before: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub vms: Spanned<Vec<Text>>,
    #[serde(default)]
    pub after: Vec<Spanned<RawStep>>,
}

/// A plan step: a script (`duration`, `fails`) or a manual action (`wait`); validation checks
/// which fields go with which.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub script: Option<Text>,
    pub manual: Option<Text>,
    pub duration: Option<Text>,
    pub fails: Option<Spanned<bool>>,
    pub wait: Option<Text>,
}

/// An ordered operation on a VM or a recovery plan. Which fields apply depends on `kind`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFailover {
    pub at: Text,
    pub kind: Text,
    pub vm: Option<Text>,
    pub plan: Option<Text>,
    pub point: Option<Text>,
    pub mode: Option<Text>,
    pub alternate_vm: Option<Spanned<bool>>,
}

/// The loss of a whole site, and its return if `up_at` is set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSiteEvent {
    pub site: Text,
    pub down_at: Text,
    pub up_at: Option<Text>,
    pub disks_lost: Option<Spanned<bool>>,
}
