//! The DR model's events and their order among events at the same instant.
//!
//! Classes, lowest first:
//! 0. infrastructure: capacity changes (throttle schedule, outages, degradation), host
//!    faults and site losses: a transfer finishing now sees the new capacity only from now on, so the link is
//!    brought up to date first;
//! 1. cycle ticks: a tick and a transfer completion at the same instant count the transfer as
//!    still in flight (the cycle is missed), the canonical workload's rule;
//! 2. transfer completions and failures, non-recoverable errors;
//! 3. job completions, retry timers, checksum comparisons, the 50% rule's and the host
//!    volumes' checks (after this instant's transfers, so a log applied now counts), resync starts and repairs, boots and
//!    recovery plan steps;
//! 4. scenario commands (enable protection, scheduled IR start, administrator actions,
//!    ordered failover operations);
//! 5. health: monitoring-interval boundaries and staleness checks see every change of their
//!    instant;
//! 6. samplers, last.
//!
//! Per-VM `gen` fields make an event void when what it belonged to was stopped (a paused
//! transfer's retry timer, the tick chain of a VM that left delta replication).

use crate::engine::Class;
use crate::model::faults::{AdminAction, NonRecoverableError};

pub const CAPACITY: Class = Class(0);
pub const TICK: Class = Class(1);
pub const TRANSFER: Class = Class(2);
pub const JOB: Class = Class(3);
pub const COMMAND: Class = Class(4);
pub const HEALTH: Class = Class(5);
pub const SAMPLE: Class = Class(6);

/// VM, link and host indices are `u32` to keep events small (the queue holds many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The throttle schedule of a link changes.
    CapacityChange {
        link: u32,
    },
    /// A link outage (scheduled or random) starts or ends; outages may overlap.
    OutageStart {
        link: u32,
    },
    OutageEnd {
        link: u32,
    },
    /// A link's capacity drops to `percent`, or comes back.
    DegradationStart {
        link: u32,
        percent: u8,
    },
    DegradationEnd {
        link: u32,
    },
    /// A host runs low on memory, or recovers.
    LowMemoryStart {
        host: u32,
    },
    LowMemoryEnd {
        host: u32,
    },
    /// azure-to-azure: a `cache-outage` fault (index into the scenario's) starts or ends.
    CacheFaultStart {
        fault: u32,
    },
    CacheFaultEnd {
        fault: u32,
    },
    /// A host crashes, or is back from a crash.
    HostCrash {
        host: u32,
    },
    HostRestart {
        host: u32,
    },
    /// A host's log volume is full (the fixed fault `fault` of the scenario's host faults).
    VolumeFull {
        host: u32,
        fault: u32,
    },
    /// A host volume's snapshots and logs may have reached its free space (the earliest
    /// instant they can, lazily re-checked); stale if `gen` is old.
    VolumeCheck {
        host: u32,
        gen: u32,
    },
    /// A VM's copy interval elapsed.
    CycleTick {
        vm: u32,
        gen: u32,
    },
    /// The link's earliest transfer may have finished; stale if `gen` is old.
    LinkWake {
        link: u32,
        gen: u64,
    },
    /// A VM's job ends; stale if `gen` is old.
    JobDone {
        vm: u32,
        gen: u32,
    },
    /// A VM's transfer could not start: the link is down or the host low on memory.
    TransferFailed {
        vm: u32,
        gen: u32,
    },
    /// azure-to-azure: a VM's transfer to the cache storage account is complete.
    CacheDone {
        vm: u32,
        gen: u32,
    },
    /// A VM's back-off wait has elapsed.
    RetryTimer {
        vm: u32,
        gen: u32,
    },
    /// A VM's checksum comparison is done.
    ChecksumsCompared {
        vm: u32,
        gen: u32,
    },
    /// A non-recoverable error strikes a VM.
    VmError {
        vm: u32,
        error: NonRecoverableError,
    },
    /// The 50% rule may fire for a VM now (checked again when it comes: lazy deadline).
    LogThresholdCheck {
        vm: u32,
    },
    /// The resync of a VM that needs one may start (window open, or immediate).
    StartResync {
        vm: u32,
    },
    /// The administrator's response time after a non-recoverable error has elapsed.
    Repair {
        vm: u32,
        gen: u32,
    },
    /// Enable protection on a VM.
    EnableProtection {
        vm: u32,
    },
    /// Start a VM protected and in sync (at t = 0).
    AssumeProtected {
        vm: u32,
    },
    /// The scheduled start of a VM's initial replication.
    StartInitialReplication {
        vm: u32,
    },
    /// A scheduled administrator action.
    Admin {
        vm: u32,
        action: AdminAction,
    },
    /// A whole site is lost (its hosts and link), or comes back.
    SiteDown {
        site: u32,
    },
    SiteUp {
        site: u32,
        disks_lost: bool,
    },
    /// An ordered failover operation comes due (index into the scenario's operations).
    Operation {
        index: u32,
    },
    /// A failed-over VM has booted on the other side.
    BootDone {
        run: u32,
        slot: u32,
    },
    /// A VM of a failover run is prepared at the target: it starts to boot.
    Prepared {
        run: u32,
        slot: u32,
    },
    /// The source VM of a planned failover has shut down: the failover itself starts.
    ShutdownDone {
        run: u32,
        slot: u32,
    },
    /// A recovery plan's script or manual action ends.
    PlanStepDone {
        run: u32,
    },
    /// A monitoring interval of a policy's VMs ends: statistics reset.
    HealthInterval {
        policy: u32,
    },
    /// azure-to-azure: a VM may have gone 60 minutes without a new recovery point (checked
    /// again when it comes: lazy deadline).
    PointAlertCheck {
        vm: u32,
    },
    /// A VM's last successful send may now be over an hour ago.
    HealthStale {
        vm: u32,
    },
    /// Take a time-series sample of every VM and link.
    Sample,
}

impl Event {
    pub fn class(&self) -> Class {
        use Event as E;
        match self {
            E::CapacityChange { .. }
            | E::OutageStart { .. }
            | E::OutageEnd { .. }
            | E::DegradationStart { .. }
            | E::DegradationEnd { .. }
            | E::LowMemoryStart { .. }
            | E::LowMemoryEnd { .. }
            | E::CacheFaultStart { .. }
            | E::CacheFaultEnd { .. }
            | E::VolumeFull { .. }
            | E::HostCrash { .. }
            | E::HostRestart { .. }
            | E::SiteDown { .. }
            | E::SiteUp { .. } => CAPACITY,
            E::CycleTick { .. } => TICK,
            E::LinkWake { .. }
            | E::CacheDone { .. }
            | E::TransferFailed { .. }
            | E::VmError { .. } => TRANSFER,
            E::JobDone { .. }
            | E::RetryTimer { .. }
            | E::ChecksumsCompared { .. }
            | E::LogThresholdCheck { .. }
            | E::VolumeCheck { .. }
            | E::StartResync { .. }
            | E::Repair { .. }
            | E::BootDone { .. }
            | E::Prepared { .. }
            | E::ShutdownDone { .. }
            | E::PlanStepDone { .. } => JOB,
            E::EnableProtection { .. }
            | E::AssumeProtected { .. }
            | E::StartInitialReplication { .. }
            | E::Admin { .. }
            | E::Operation { .. } => COMMAND,
            E::HealthInterval { .. } | E::HealthStale { .. } | E::PointAlertCheck { .. } => HEALTH,
            E::Sample => SAMPLE,
        }
    }
}
