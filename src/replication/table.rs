//! The transition table: every move the replication state machine may make.

use super::{InputKind, StateKind};

/// One allowed move, with the condition that selects it when one input has several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: StateKind,
    pub input: InputKind,
    pub to: StateKind,
    /// When this row applies, and what happens, in the domain's words.
    pub note: &'static str,
}

const fn t(from: StateKind, input: InputKind, to: StateKind, note: &'static str) -> Transition {
    Transition {
        from,
        input,
        to,
        note,
    }
}

use InputKind as I;
use StateKind as S;

/// Every allowed transition. Anything else is refused.
pub const TRANSITIONS: &[Transition] = &[
    t(
        S::Unprotected,
        I::EnableProtection,
        S::EnablingProtection,
        "start the Enable protection job",
    ),
    t(
        S::EnablingProtection,
        I::JobFailed,
        S::Unprotected,
        "prerequisite check failed (support limits); the job log says why",
    ),
    t(
        S::EnablingProtection,
        I::JobSucceeded,
        S::InitialReplicationPending,
        "IR is scheduled for later",
    ),
    t(
        S::EnablingProtection,
        I::JobSucceeded,
        S::InitialReplication,
        "IR starts at once: snapshot, start logging, copy disk 0",
    ),
    t(
        S::InitialReplicationPending,
        I::StartInitialReplication,
        S::InitialReplication,
        "scheduled IR start: snapshot, start logging, copy disk 0",
    ),
    t(
        S::EnablingProtection,
        I::JobSucceeded,
        S::FinalizingProtection,
        "a VM with no disks: nothing to copy",
    ),
    t(
        S::InitialReplicationPending,
        I::StartInitialReplication,
        S::FinalizingProtection,
        "a VM with no disks: nothing to copy",
    ),
    t(
        S::InitialReplication,
        I::TransferDone,
        S::InitialReplication,
        "disk copied; copy the next disk",
    ),
    t(
        S::InitialReplication,
        I::TransferDone,
        S::FinalizingProtection,
        "last disk copied: delete the snapshot, send the logs written during IR",
    ),
    t(
        S::FinalizingProtection,
        I::TransferDone,
        S::FinalizingProtection,
        "IR logs arrived; the Finalize protection job merges them",
    ),
    t(
        S::FinalizingProtection,
        I::JobSucceeded,
        S::Protected,
        "merged: first recovery point; delta cycles start",
    ),
    t(
        S::Unprotected,
        I::AssumeProtected,
        S::Protected,
        "the run starts with the VM protected and in sync: a recovery point now, first tick at its phase",
    ),
    t(
        S::Protected,
        I::CycleTick,
        S::Protected,
        "close the log and send it, or, if the previous log is still in transit, miss the cycle",
    ),
    t(
        S::Protected,
        I::TransferDone,
        S::Protected,
        "log applied: a recovery point at its close time",
    ),
    t(
        S::InitialReplication,
        I::TransferFailed,
        S::InitialReplication,
        "network error: wait out the retry back-off; writes keep going to the logs",
    ),
    t(
        S::InitialReplication,
        I::RetryTimer,
        S::InitialReplication,
        "retry: resume the disk copy",
    ),
    t(
        S::FinalizingProtection,
        I::TransferFailed,
        S::FinalizingProtection,
        "network error while sending the IR logs: wait out the retry back-off",
    ),
    t(
        S::FinalizingProtection,
        I::RetryTimer,
        S::FinalizingProtection,
        "retry: resume sending the IR logs",
    ),
    t(
        S::Protected,
        I::TransferFailed,
        S::Protected,
        "network error: wait out the retry back-off; ticks meanwhile are missed cycles",
    ),
    t(
        S::Protected,
        I::RetryTimer,
        S::Protected,
        "retry: resume sending the log (a success resets the back-off)",
    ),
];

/// Whether `from --input--> to` is in the table.
pub fn allows(from: StateKind, input: InputKind, to: StateKind) -> bool {
    TRANSITIONS
        .iter()
        .any(|r| r.from == from && r.input == input && r.to == to)
}
