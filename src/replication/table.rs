//! The transition table: every move the replication state machine may make.
//!
//! [`Replication::step`] consults it in every build, through [`MATRIX`]: a bitset of the
//! allowed target states per (state, input), built from [`TRANSITIONS`] at compile time. A
//! move the table lacks is refused like any other input the state does not accept.
//!
//! [`Replication::step`]: super::Replication::step

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
    t(
        S::Protected,
        I::Pause,
        S::ReplicationPaused,
        "an administrator pauses: the log in flight stops (its rest is kept), cycles stop, writes keep being logged",
    ),
    t(
        S::ReplicationPaused,
        I::Resume,
        S::Protected,
        "resume: send the rest of the paused log, if any; cycles restart one copy interval later",
    ),
    t(
        S::Protected,
        I::LogThresholdReached,
        S::ResyncRequired,
        "the 50% rule: health Critical, tracking stops, logs dropped and their space released",
    ),
    t(
        S::ReplicationPaused,
        I::LogThresholdReached,
        S::ResyncRequired,
        "the 50% rule while paused: health Critical, tracking stops, logs dropped and their space released",
    ),
    t(
        S::Resynchronizing,
        I::LogThresholdReached,
        S::ResyncRequired,
        "the 50% rule (writes logged during the resync): health Critical, tracking stops, logs dropped and their space released",
    ),
    t(
        S::ResyncPaused,
        I::LogThresholdReached,
        S::ResyncRequired,
        "the 50% rule while the resync is paused: health Critical, tracking stops, logs dropped and their space released",
    ),
    t(
        S::Protected,
        I::LogWriteFailed,
        S::ResyncRequired,
        "a log write failed (host volume full): tracking stops, logs dropped",
    ),
    t(
        S::ReplicationPaused,
        I::LogWriteFailed,
        S::ResyncRequired,
        "a log write failed (host volume full): tracking stops, logs dropped",
    ),
    t(
        S::Resynchronizing,
        I::LogWriteFailed,
        S::ResyncRequired,
        "a log write failed (host volume full): tracking stops, logs dropped",
    ),
    t(
        S::ResyncPaused,
        I::LogWriteFailed,
        S::ResyncRequired,
        "a log write failed (host volume full): tracking stops, logs dropped",
    ),
    t(
        S::ResyncRequired,
        I::StartResync,
        S::Resynchronizing,
        "off-peak window, immediate policy or an administrator: a fresh log tracks writes, checksums are compared",
    ),
    t(
        S::Resynchronizing,
        I::ChecksumsCompared,
        S::Resynchronizing,
        "both copies read and compared: send the differing blocks",
    ),
    t(
        S::Resynchronizing,
        I::TransferFailed,
        S::Resynchronizing,
        "network error while sending blocks: wait out the retry back-off",
    ),
    t(
        S::Resynchronizing,
        I::RetryTimer,
        S::Resynchronizing,
        "retry: resume sending the blocks",
    ),
    t(
        S::Resynchronizing,
        I::TransferDone,
        S::Protected,
        "blocks sent: every recovery point is deleted; the writes logged during the resync are sent; cycles restart",
    ),
    t(
        S::Resynchronizing,
        I::Pause,
        S::ResyncPaused,
        "an administrator pauses the resync: the comparison or the block transfer stops where it is",
    ),
    t(
        S::ResyncPaused,
        I::Resume,
        S::Resynchronizing,
        "resume: continue the comparison or the block transfer where it stopped",
    ),
    t(
        S::Resynchronizing,
        I::CancelResync,
        S::ResyncRequired,
        "cancelled: logs dropped; the next resync starts from the beginning",
    ),
    t(
        S::ResyncPaused,
        I::CancelResync,
        S::ResyncRequired,
        "cancelled: logs dropped; the next resync starts from the beginning",
    ),
    t(
        S::InitialReplication,
        I::NonRecoverableError,
        S::AdminRequired,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::FinalizingProtection,
        I::NonRecoverableError,
        S::AdminRequired,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::Protected,
        I::NonRecoverableError,
        S::AdminRequired,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::ReplicationPaused,
        I::NonRecoverableError,
        S::AdminRequired,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::ResyncRequired,
        I::NonRecoverableError,
        S::AdminRequired,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::Resynchronizing,
        I::NonRecoverableError,
        S::AdminRequired,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::ResyncPaused,
        I::NonRecoverableError,
        S::AdminRequired,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::AdminRequired,
        I::Repair,
        S::ResyncRequired,
        "repaired: the VM needs a resync",
    ),
    t(
        S::AdminRequired,
        I::Repair,
        S::InitialReplication,
        "repaired before the VM was ever protected: initial replication starts again",
    ),
    t(
        S::AdminRequired,
        I::Repair,
        S::FinalizingProtection,
        "repaired before the VM was ever protected, and it has no disks",
    ),
    t(
        S::Protected,
        I::TestFailover,
        S::Protected,
        "a test copy starts at the target from the chosen point; replication continues",
    ),
    t(
        S::Protected,
        I::Cleanup,
        S::Protected,
        "the test failover's copy is removed",
    ),
    t(
        S::ReplicationPaused,
        I::Cleanup,
        S::ReplicationPaused,
        "the test failover's copy is removed",
    ),
    t(
        S::ResyncRequired,
        I::Cleanup,
        S::ResyncRequired,
        "the test failover's copy is removed",
    ),
    t(
        S::Resynchronizing,
        I::Cleanup,
        S::Resynchronizing,
        "the test failover's copy is removed",
    ),
    t(
        S::ResyncPaused,
        I::Cleanup,
        S::ResyncPaused,
        "the test failover's copy is removed",
    ),
    t(
        S::AdminRequired,
        I::Cleanup,
        S::AdminRequired,
        "the test failover's copy is removed",
    ),
    t(
        S::Protected,
        I::PlannedFailover,
        S::FailingOver,
        "the VM is shut down; the log in flight finishes, or the last changes are sent at once",
    ),
    t(
        S::FailingOver,
        I::TransferDone,
        S::FailingOver,
        "the log in flight arrived: the last changes are sent; or failback's blocks arrived: the VM is shut down and the final delta sent",
    ),
    t(
        S::FailingOver,
        I::TransferDone,
        S::FailedOver,
        "the final changes (or the full download) arrived: the VM starts on the other side, not committed",
    ),
    t(
        S::FailingOver,
        I::TransferDone,
        S::Protected,
        "vmm-to-vmm: after the final changes the VM runs on the other side, protected in the reverse direction at once",
    ),
    t(
        S::Protected,
        I::UnplannedFailover,
        S::FailedOver,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::ReplicationPaused,
        I::UnplannedFailover,
        S::FailedOver,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::ResyncRequired,
        I::UnplannedFailover,
        S::FailedOver,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::Resynchronizing,
        I::UnplannedFailover,
        S::FailedOver,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::ResyncPaused,
        I::UnplannedFailover,
        S::FailedOver,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::AdminRequired,
        I::UnplannedFailover,
        S::FailedOver,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::FailingOver,
        I::UnplannedFailover,
        S::FailedOver,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::FailedOver,
        I::ChangePoint,
        S::FailedOver,
        "before commit: the VM starts again from another recovery point",
    ),
    t(
        S::FailedOver,
        I::Commit,
        S::FailoverCommitted,
        "the failover is final: its recovery points are deleted",
    ),
    t(
        S::FailoverCommitted,
        I::ReverseReplicate,
        S::Resynchronizing,
        "replicate back: the other side's disks exist, so only differing blocks are sent",
    ),
    t(
        S::FailoverCommitted,
        I::ReverseReplicate,
        S::InitialReplication,
        "replicate back: the other side has no disks, so a full initial replication",
    ),
    t(
        S::FailoverCommitted,
        I::ReverseReplicate,
        S::FinalizingProtection,
        "replicate back with a full copy of a VM without disks",
    ),
    t(
        S::FailoverCommitted,
        I::Failback,
        S::FailingOver,
        "hyperv-to-azure failback: compare checksums while the Azure VM runs, or shut it down and download its disks",
    ),
    t(
        S::FailingOver,
        I::ChecksumsCompared,
        S::FailingOver,
        "failback synchronizing first: the differing blocks are sent while the VM runs",
    ),
    t(
        S::FailingOver,
        I::TransferFailed,
        S::FailingOver,
        "recoverable error during the failover's transfer: wait for the retry",
    ),
    t(
        S::FailingOver,
        I::RetryTimer,
        S::FailingOver,
        "retry the failover's transfer",
    ),
];

/// The allowed target states of every `(state, input)`: bit `to` of
/// `targets[from][input]`. Built from a table of transitions by a `const fn`, so the
/// machine's look-up is one load and a bit test, or a constant where the state and the
/// input are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    targets: [[u16; InputKind::ALL.len()]; StateKind::ALL.len()],
}

// One bit per target state.
const _: () = assert!(StateKind::ALL.len() <= u16::BITS as usize);

impl Matrix {
    /// The matrix of `rows`.
    pub const fn from_rows(rows: &[Transition]) -> Matrix {
        let mut targets = [[0u16; InputKind::ALL.len()]; StateKind::ALL.len()];
        let mut i = 0;
        while i < rows.len() {
            let r = &rows[i];
            targets[r.from as usize][r.input as usize] |= 1 << r.to as usize;
            i += 1;
        }
        Matrix { targets }
    }

    /// Whether `from --input--> to` is one of the rows.
    #[inline(always)]
    pub const fn allows(&self, from: StateKind, input: InputKind, to: StateKind) -> bool {
        self.targets[from as usize][input as usize] & (1 << to as usize) != 0
    }
}

/// [`TRANSITIONS`] as a matrix, built at compile time: what [`Replication::step`] consults.
///
/// [`Replication::step`]: super::Replication::step
pub const MATRIX: Matrix = Matrix::from_rows(TRANSITIONS);
