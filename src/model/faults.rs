//! Trouble a scenario injects: random link outages and degradation (on links), host faults,
//! non-recoverable replication errors, and scheduled administrator actions (domain.md
//! sections 2, 3.5-3.7 and 4).

use super::keyword::Keyword;
use crate::engine::Time;

/// The non-recoverable errors of domain.md section 4: no retry, health Critical, an
/// administrator must act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NonRecoverableError {
    BrokenVhdChain,
    InvalidReplicaState,
    AuthenticationFailure,
    AuthorizationFailure,
    VmNotFound,
}

impl Keyword for NonRecoverableError {
    /// The fault kinds of scenario files.
    const ALL: &'static [(Self, &'static str)] = &[
        (NonRecoverableError::BrokenVhdChain, "broken-vhd-chain"),
        (
            NonRecoverableError::InvalidReplicaState,
            "invalid-replica-state",
        ),
        (
            NonRecoverableError::AuthenticationFailure,
            "authentication-failure",
        ),
        (
            NonRecoverableError::AuthorizationFailure,
            "authorization-failure",
        ),
        (NonRecoverableError::VmNotFound, "vm-not-found"),
    ];
}

impl NonRecoverableError {
    /// The name scenario files use.
    pub fn name(self) -> &'static str {
        self.keyword()
    }

    /// How the event and jobs logs word it.
    pub fn message(self) -> &'static str {
        match self {
            NonRecoverableError::BrokenVhdChain => "the VHD chain is broken",
            NonRecoverableError::InvalidReplicaState => "the replica is in an invalid state",
            NonRecoverableError::AuthenticationFailure => "network authentication failed",
            NonRecoverableError::AuthorizationFailure => "network authorization failed",
            NonRecoverableError::VmNotFound => "the virtual machine was not found",
        }
    }
}

/// When a non-recoverable error strikes a VM.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ErrorTrigger {
    /// At this instant (if the VM is replicating then; otherwise it has no effect).
    At(Time),
    /// Each log transfer fails with this error with this probability (drawn from the VM's
    /// own fault stream, so other VMs' draws are unaffected).
    PerTransfer(f64),
}

/// A non-recoverable error injected into one VM.
#[derive(Debug, Clone, PartialEq)]
pub struct VmErrorFault {
    pub vm: usize,
    pub error: NonRecoverableError,
    pub trigger: ErrorTrigger,
}

/// A fault of a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostFaultKind {
    /// `[start, end)`: the host is low on memory. Every transfer of its VMs fails with a
    /// recoverable error and retries on the back-off schedule until it ends.
    LowMemory { start: Time, end: Time },
    /// At `at` the volume holding the snapshots and logs is full (other data took the
    /// space): the VMs writing to it get a log write failure and need resynchronization, or
    /// a new initial replication before protection [src: log write failure -> resync]. Until
    /// `until` (equal to `at` for an instant) it stays full: an initial replication or a
    /// resync that would start waits with the retry schedule [ours].
    VolumeFull { at: Time, until: Time },
    /// At `at` the host crashes; it is back `restart` later. While it is down its VMs write
    /// nothing and every transfer fails (a recoverable error, as in low memory); when it is
    /// back each VM that was replicating needs a resync, or a new initial replication before
    /// protection [src: resync "after a log write failure or a host crash"].
    Crash { at: Time, restart: Time },
    /// Crashes at random: up-times exponential with mean `mtbf` [ours], drawn from the
    /// host's own stream; each one down for `restart`.
    RandomCrashes { mtbf: Time, restart: Time },
}

/// The `kind` of a host fault in a scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostFaultType {
    LowMemory,
    VolumeFull,
    Crash,
}

impl Keyword for HostFaultType {
    const ALL: &'static [(Self, &'static str)] = &[
        (HostFaultType::LowMemory, "low-memory"),
        (HostFaultType::VolumeFull, "volume-full"),
        (HostFaultType::Crash, "host-crash"),
    ];
}

#[derive(Debug, Clone, PartialEq)]
pub struct HostFault {
    pub host: usize,
    pub kind: HostFaultKind,
}

/// Random link outages: times between failures are exponential with mean `mtbf`; repair
/// times follow `repair` [ours: the domain names MTBF and MTTR, not the distributions].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RandomOutages {
    pub mtbf: Time,
    pub mttr: Time,
    pub repair: RepairDistribution,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RepairDistribution {
    /// Exponential with mean `mttr`.
    Exponential,
    /// Lognormal with mean `mttr` and shape `sigma` (long repairs are rarer but longer).
    LogNormal { sigma: f64 },
}

/// The `repair` keyword of random outages (the lognormal shape is a field of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepairKind {
    Exponential,
    LogNormal,
}

impl Keyword for RepairKind {
    const ALL: &'static [(Self, &'static str)] = &[
        (RepairKind::Exponential, "exponential"),
        (RepairKind::LogNormal, "lognormal"),
    ];
    const DEFAULT: Option<Self> = Some(super::defaults::REPAIR);

    fn note(self) -> Option<&'static str> {
        match self {
            RepairKind::Exponential => None,
            RepairKind::LogNormal => Some("with sigma"),
        }
    }
}

/// A window `[start, end)` in which a link carries only `percent` of its capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Degradation {
    pub start: Time,
    pub end: Time,
    /// Capacity left, 0-100.
    pub percent: u8,
}

/// What an administrator (or the scenario on their behalf) does to a VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdminAction {
    /// Pause replication (or a running resync): nothing is sent, writes keep being logged.
    Pause,
    /// Resume where it stopped.
    Resume,
    /// Start the resynchronization of a VM that needs one, now.
    Resynchronize,
    /// Cancel a running resync: the VM needs one again, and the next starts from scratch.
    CancelResync,
    /// Repair the cause of a non-recoverable error; the VM then needs resynchronization.
    Repair,
}

impl Keyword for AdminAction {
    const ALL: &'static [(Self, &'static str)] = &[
        (AdminAction::Pause, "pause"),
        (AdminAction::Resume, "resume"),
        (AdminAction::Resynchronize, "resynchronize"),
        (AdminAction::CancelResync, "cancel-resync"),
        (AdminAction::Repair, "repair"),
    ];
}

impl AdminAction {
    pub fn name(self) -> &'static str {
        self.keyword()
    }
}

/// An administrator action at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledAction {
    pub at: Time,
    pub vm: usize,
    pub action: AdminAction,
}

/// azure-to-azure: a window `[start, end)` in which the cache storage account a VM uploads to
/// is out (`rate` `None`: every upload fails with a recoverable error and retries on the
/// back-off schedule) or throttled (each upload at most `rate`, per VM and per disk) [ours:
/// the sources name the cache's limits, not its failures].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheFault {
    pub vm: usize,
    pub start: Time,
    pub end: Time,
    pub rate: Option<crate::units::ByteRate>,
}

/// Everything a scenario injects besides link windows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    pub vm_errors: Vec<VmErrorFault>,
    pub hosts: Vec<HostFault>,
    pub actions: Vec<ScheduledAction>,
    pub cache: Vec<CacheFault>,
}
