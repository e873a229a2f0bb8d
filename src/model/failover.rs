//! What a scenario orders after protection (domain.md section 7): failovers of VMs or
//! recovery plans, commit, cleanup, reverse replication, failback; the recovery plans
//! themselves; and the loss (and return) of whole sites.
//!
//! Failover is never automatic: it happens when the scenario orders it.

use super::keyword::Keyword;
use super::recovery_points::PointChoice;
use crate::engine::Time;

/// The three kinds of failover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailoverKind {
    /// A copy starts at the target from a chosen point; replication continues; a cleanup
    /// removes it. No data loss, no downtime.
    Test,
    /// The source is shut down, its last changes are sent, then the VM starts at the target:
    /// zero data loss. Refused during resync or while the source is unreachable.
    Planned,
    /// The source is gone: the VM starts from a chosen point and the writes after it are lost.
    Unplanned,
}

impl Keyword for FailoverKind {
    const ALL: &'static [(Self, &'static str)] = &[
        (FailoverKind::Test, "test"),
        (FailoverKind::Planned, "planned"),
        (FailoverKind::Unplanned, "unplanned"),
    ];
}

impl FailoverKind {
    pub fn name(self) -> &'static str {
        self.keyword()
    }
}

/// How a VM running in Azure comes back on-premises (hyperv-to-azure failback).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailbackMode {
    /// Checksums are compared and the differing blocks sent while the Azure VM runs; then it
    /// is shut down and a short final delta sent.
    SyncFirst,
    /// The Azure VM is shut down and its disks downloaded in full.
    FullDownload,
}

impl Keyword for FailbackMode {
    const ALL: &'static [(Self, &'static str)] = &[
        (FailbackMode::SyncFirst, "sync-first"),
        (FailbackMode::FullDownload, "full-download"),
    ];
    const DEFAULT: Option<Self> = Some(super::defaults::FAILBACK_MODE);

    fn note(self) -> Option<&'static str> {
        match self {
            FailbackMode::SyncFirst => Some("differences sent while the Azure VM runs"),
            FailbackMode::FullDownload => None,
        }
    }
}

impl FailbackMode {
    pub fn name(self) -> &'static str {
        self.keyword()
    }
}

/// The `kind` of a `[[failovers]]` order: a failover of one of the three kinds, or another
/// operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKind {
    Failover(FailoverKind),
    ChangePoint,
    Commit,
    Cleanup,
    ReverseReplicate,
    Failback,
}

impl Keyword for OrderKind {
    const ALL: &'static [(Self, &'static str)] = &[
        (OrderKind::Failover(FailoverKind::Test), "test"),
        (OrderKind::Failover(FailoverKind::Planned), "planned"),
        (OrderKind::Failover(FailoverKind::Unplanned), "unplanned"),
        (OrderKind::ChangePoint, "change-point"),
        (OrderKind::Commit, "commit"),
        (OrderKind::Cleanup, "cleanup"),
        (OrderKind::ReverseReplicate, "reverse-replicate"),
        (OrderKind::Failback, "failback"),
    ];
}

/// What an ordered operation applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationTarget {
    Vm(usize),
    Plan(usize),
}

/// One operation a scenario orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    /// A failover from the side the VMs run on to the other side. `point` applies to test and
    /// unplanned failovers (a planned failover always uses the final sync).
    Failover {
        kind: FailoverKind,
        point: PointChoice,
    },
    /// Remove a test failover's copy.
    Cleanup,
    /// Before commit: start the failed-over VM from another recovery point instead.
    ChangePoint { point: PointChoice },
    /// Make a failover final: the recovery points are deleted; cannot be undone.
    Commit,
    /// Start replicating from the side the VMs now run on back to the other side.
    ReverseReplicate,
    /// Come back to the primary side: a planned failover back (vmm-to-vmm, azure-to-azure
    /// after reprotect), or for hyperv-to-azure the download from Azure in `mode`, to the
    /// original VM or an alternate one (always a full download).
    Failback {
        mode: FailbackMode,
        alternate_vm: bool,
    },
}

impl OperationKind {
    pub fn name(&self) -> &'static str {
        match self {
            OperationKind::Failover { kind, .. } => match kind {
                FailoverKind::Test => "test-failover",
                FailoverKind::Planned => "planned-failover",
                FailoverKind::Unplanned => "unplanned-failover",
            },
            OperationKind::ChangePoint { .. } => "change-point",
            OperationKind::Cleanup => "cleanup",
            OperationKind::Commit => "commit",
            OperationKind::ReverseReplicate => "reverse-replicate",
            OperationKind::Failback { .. } => "failback",
        }
    }
}

/// An operation at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    pub at: Time,
    pub target: OperationTarget,
    pub kind: OperationKind,
}

/// A step between two groups of a recovery plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanStep {
    /// An automation script. It ends after `duration`, or fails at the plan's script
    /// timeout [src: 10 min] if `duration` is longer; `fails` makes it fail at its end.
    /// A failed script stops a planned failover, not an unplanned one.
    Script {
        name: String,
        duration: Time,
        fails: bool,
    },
    /// A manual action: the plan waits `wait` for someone to confirm it.
    Manual { name: String, wait: Time },
}

/// One group of a recovery plan: its VMs fail over and boot in parallel, then the steps run
/// in order before the next group starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanGroup {
    pub vms: Vec<usize>,
    pub after: Vec<PlanStep>,
}

/// A recovery plan: up to [`MAX_PLAN_GROUPS`] ordered groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryPlan {
    pub name: String,
    pub groups: Vec<PlanGroup>,
    /// Steps run before the first group.
    pub before: Vec<PlanStep>,
}

/// [src] A recovery plan has at most 7 groups.
pub const MAX_PLAN_GROUPS: usize = 7;
/// [src] A script that runs longer than this fails.
pub const SCRIPT_TIMEOUT_MS: Time = 10 * 60_000;

/// A whole site is lost (all its hosts and its link) at `down_at`, and comes back at `up_at`
/// if given; `disks_lost` means it comes back without the VMs' disks (a later reverse
/// replication needs a full initial replication).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteEvent {
    pub site: usize,
    pub down_at: Time,
    pub up_at: Option<Time>,
    pub disks_lost: bool,
}

/// Everything a scenario orders about failover.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Failovers {
    /// In time order (file order among equal times).
    pub operations: Vec<Operation>,
    pub plans: Vec<RecoveryPlan>,
    pub site_events: Vec<SiteEvent>,
}

impl Failovers {
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty() && self.site_events.is_empty()
    }
}
