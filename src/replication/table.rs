//! The transition table: every move the replication state machine may make.
//!
//! [`Replication::step`] consults it in every build, through [`MATRIX`]: a bitset of the
//! allowed target states per (state, input), built from [`TRANSITIONS`] at compile time. A
//! move the table lacks is refused like any other input the state does not accept.
//!
//! [`Replication::step`]: super::Replication::step

use super::{FailoverStep, FinalizeStep, Input, InputKind, Job, Replication, ResyncStep};
use super::{State, StateKind};

/// One allowed move, with the condition that selects it when one input has several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: StateKind,
    pub input: InputKind,
    pub to: StateKind,
    /// When the machine takes this row: all of these hold (none: whenever `from` is fed
    /// `input`). The rows of one `(from, input)` have guards that never hold together.
    pub guard: &'static [Cond],
    /// When this row applies, and what happens, in the domain's words.
    pub note: &'static str,
}

impl Transition {
    /// Whether the machine `m`, fed `input`, takes this row (given it is in state `from`
    /// and `input` is of kind `input`).
    pub fn guard_holds(&self, m: &Replication, input: &Input) -> bool {
        self.guard.iter().all(|c| c.holds(m, input))
    }

    /// The guard as the docs print it: its conditions, joined by commas.
    pub fn guard_text(&self) -> String {
        let names: Vec<&str> = self.guard.iter().map(|c| c.name()).collect();
        names.join(", ")
    }
}

/// A condition a transition's guard names: of the machine's state, its settings, or the
/// input's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cond {
    /// The job that ended is Enable protection.
    EnableJob,
    /// The job that ended is Finalize protection.
    FinalizeJob,
    /// The policy schedules initial replication for later.
    IrScheduled,
    /// Initial replication starts as soon as protection is enabled.
    IrAtOnce,
    /// The VM has disks to copy.
    Disks,
    /// The VM has no disks: nothing to copy.
    NoDisks,
    /// Initial replication: the disk copied was not the last.
    MoreDisks,
    /// Initial replication: the disk copied was the last.
    LastDisk,
    /// A transfer failed and waits for its retry timer.
    RetryPending,
    /// No retry is pending.
    NoRetryPending,
    /// Protected: a closed log is on its way to the target.
    LogInFlight,
    /// Finalizing: the logs written during IR are being sent.
    SendingIrLogs,
    /// Finalizing: the Finalize protection job merges the IR logs.
    Merging,
    /// A resync or a failback's synchronization compares checksums.
    Comparing,
    /// A resync or a failback's synchronization sends the blocks that differ.
    SendingBlocks,
    /// Failing over: anything but a checksum comparison (a transfer is under way).
    NotComparing,
    /// Failing over: the last changes follow what is under way (the log of the cycle in
    /// flight, or failback's differing blocks).
    FinalFollows,
    /// Failing over: the last changes are sent.
    SendingFinal,
    /// Failing over: the transfer under way is the last, and the VM then waits for a
    /// commit (the final changes outside vmm-to-vmm, or failback's full download).
    EndsFailedOver,
    /// vmm-to-vmm: after a planned failover the VM is protected in the reverse direction.
    VmmToVmm,
    /// The VM has been protected once: the target holds a full copy.
    WasProtected,
    /// The VM has never been protected.
    NeverProtected,
    /// A test failover's copy exists.
    TestCopy,
    /// No test failover's copy exists.
    NoTestCopy,
    /// Reverse replication: the other side has no disks, so a full copy.
    FullCopy,
    /// Reverse replication: the other side's disks exist, so only differing blocks.
    OtherSideHasDisks,
}

impl Cond {
    /// The condition's name in the docs.
    pub fn name(self) -> &'static str {
        match self {
            Cond::EnableJob => "enable job",
            Cond::FinalizeJob => "finalize job",
            Cond::IrScheduled => "IR scheduled",
            Cond::IrAtOnce => "IR at once",
            Cond::Disks => "has disks",
            Cond::NoDisks => "no disks",
            Cond::MoreDisks => "more disks",
            Cond::LastDisk => "last disk",
            Cond::RetryPending => "retry pending",
            Cond::NoRetryPending => "no retry pending",
            Cond::LogInFlight => "log in flight",
            Cond::SendingIrLogs => "sending IR logs",
            Cond::Merging => "merging",
            Cond::Comparing => "comparing",
            Cond::SendingBlocks => "sending blocks",
            Cond::NotComparing => "not comparing",
            Cond::FinalFollows => "finishing a cycle or sending blocks",
            Cond::SendingFinal => "sending final",
            Cond::EndsFailedOver => "sending final (not vmm-to-vmm) or downloading",
            Cond::VmmToVmm => "vmm-to-vmm",
            Cond::WasProtected => "was protected",
            Cond::NeverProtected => "never protected",
            Cond::TestCopy => "test copy",
            Cond::NoTestCopy => "no test copy",
            Cond::FullCopy => "full copy",
            Cond::OtherSideHasDisks => "other side has disks",
        }
    }

    /// Whether the condition holds for the machine `m` fed `input`. The machine does not
    /// call this (its match says the same in code); the tests check that the two agree.
    pub fn holds(self, m: &Replication, input: &Input) -> bool {
        use FailoverStep as F;
        let c = &m.config;
        match self {
            Cond::EnableJob => matches!(
                input,
                Input::JobSucceeded(Job::EnableProtection)
                    | Input::JobFailed(Job::EnableProtection, _)
            ),
            Cond::FinalizeJob => matches!(
                input,
                Input::JobSucceeded(Job::FinalizeProtection)
                    | Input::JobFailed(Job::FinalizeProtection, _)
            ),
            Cond::IrScheduled => c.ir_scheduled,
            Cond::IrAtOnce => !c.ir_scheduled,
            Cond::Disks => c.disks > 0,
            Cond::NoDisks => c.disks == 0,
            Cond::MoreDisks => {
                matches!(m.state, State::InitialReplication { disk } if disk + 1 < c.disks)
            }
            Cond::LastDisk => {
                matches!(m.state, State::InitialReplication { disk } if disk + 1 >= c.disks)
            }
            Cond::RetryPending => m.retry_pending,
            Cond::NoRetryPending => !m.retry_pending,
            Cond::LogInFlight => m.state == State::Protected { sending: true },
            Cond::SendingIrLogs => m.state == State::FinalizingProtection(FinalizeStep::SendingLog),
            Cond::Merging => m.state == State::FinalizingProtection(FinalizeStep::Merging),
            Cond::Comparing => matches!(
                m.state,
                State::Resynchronizing(ResyncStep::Comparing) | State::FailingOver(F::Comparing)
            ),
            Cond::SendingBlocks => matches!(
                m.state,
                State::Resynchronizing(ResyncStep::SendingBlocks)
                    | State::FailingOver(F::SendingBlocks)
            ),
            Cond::NotComparing => !Cond::Comparing.holds(m, input),
            Cond::FinalFollows => matches!(
                m.state,
                State::FailingOver(F::FinishingCycle | F::SendingBlocks)
            ),
            Cond::SendingFinal => m.state == State::FailingOver(F::SendingFinal),
            Cond::EndsFailedOver => match m.state {
                State::FailingOver(F::SendingFinal) => !c.protected_after_planned,
                State::FailingOver(F::Downloading) => true,
                _ => false,
            },
            Cond::VmmToVmm => c.protected_after_planned,
            Cond::WasProtected => m.was_protected,
            Cond::NeverProtected => !m.was_protected,
            Cond::TestCopy => m.test_copy,
            Cond::NoTestCopy => !m.test_copy,
            Cond::FullCopy => matches!(input, Input::ReverseReplicate { full_copy: true }),
            Cond::OtherSideHasDisks => {
                matches!(input, Input::ReverseReplicate { full_copy: false })
            }
        }
    }
}

const fn t(
    from: StateKind,
    input: InputKind,
    to: StateKind,
    guard: &'static [Cond],
    note: &'static str,
) -> Transition {
    Transition {
        from,
        input,
        to,
        guard,
        note,
    }
}

/// No condition: the row applies whenever its state is fed its input.
const ALWAYS: &[Cond] = &[];

use Cond as G;
use InputKind as I;
use StateKind as S;

/// Every allowed transition. Anything else is refused.
pub const TRANSITIONS: &[Transition] = &[
    t(
        S::Unprotected,
        I::EnableProtection,
        S::EnablingProtection,
        ALWAYS,
        "start the Enable protection job",
    ),
    t(
        S::EnablingProtection,
        I::JobFailed,
        S::Unprotected,
        &[G::EnableJob],
        "prerequisite check failed (support limits); the job log says why",
    ),
    t(
        S::EnablingProtection,
        I::JobSucceeded,
        S::InitialReplicationPending,
        &[G::EnableJob, G::IrScheduled],
        "IR is scheduled for later",
    ),
    t(
        S::EnablingProtection,
        I::JobSucceeded,
        S::InitialReplication,
        &[G::EnableJob, G::IrAtOnce, G::Disks],
        "IR starts at once: snapshot, start logging, copy disk 0",
    ),
    t(
        S::InitialReplicationPending,
        I::StartInitialReplication,
        S::InitialReplication,
        &[G::Disks],
        "scheduled IR start: snapshot, start logging, copy disk 0",
    ),
    t(
        S::EnablingProtection,
        I::JobSucceeded,
        S::FinalizingProtection,
        &[G::EnableJob, G::IrAtOnce, G::NoDisks],
        "a VM with no disks: nothing to copy",
    ),
    t(
        S::InitialReplicationPending,
        I::StartInitialReplication,
        S::FinalizingProtection,
        &[G::NoDisks],
        "a VM with no disks: nothing to copy",
    ),
    t(
        S::InitialReplication,
        I::TransferDone,
        S::InitialReplication,
        &[G::NoRetryPending, G::MoreDisks],
        "disk copied; copy the next disk",
    ),
    t(
        S::InitialReplication,
        I::TransferDone,
        S::FinalizingProtection,
        &[G::NoRetryPending, G::LastDisk],
        "last disk copied: delete the snapshot, send the logs written during IR",
    ),
    t(
        S::FinalizingProtection,
        I::TransferDone,
        S::FinalizingProtection,
        &[G::NoRetryPending, G::SendingIrLogs],
        "IR logs arrived; the Finalize protection job merges them",
    ),
    t(
        S::FinalizingProtection,
        I::JobSucceeded,
        S::Protected,
        &[G::FinalizeJob, G::Merging],
        "merged: first recovery point; delta cycles start",
    ),
    t(
        S::Unprotected,
        I::AssumeProtected,
        S::Protected,
        ALWAYS,
        "the run starts with the VM protected and in sync: a recovery point now, first tick at its phase",
    ),
    t(
        S::Protected,
        I::CycleTick,
        S::Protected,
        ALWAYS,
        "close the log and send it, or, if the previous log is still in transit, miss the cycle",
    ),
    t(
        S::Protected,
        I::TransferDone,
        S::Protected,
        &[G::NoRetryPending, G::LogInFlight],
        "log applied: a recovery point at its close time",
    ),
    t(
        S::InitialReplication,
        I::TransferFailed,
        S::InitialReplication,
        &[G::NoRetryPending],
        "network error: wait out the retry back-off; writes keep going to the logs",
    ),
    t(
        S::InitialReplication,
        I::RetryTimer,
        S::InitialReplication,
        &[G::RetryPending],
        "retry: resume the disk copy",
    ),
    t(
        S::FinalizingProtection,
        I::TransferFailed,
        S::FinalizingProtection,
        &[G::NoRetryPending, G::SendingIrLogs],
        "network error while sending the IR logs: wait out the retry back-off",
    ),
    t(
        S::FinalizingProtection,
        I::RetryTimer,
        S::FinalizingProtection,
        &[G::RetryPending],
        "retry: resume sending the IR logs",
    ),
    t(
        S::Protected,
        I::TransferFailed,
        S::Protected,
        &[G::NoRetryPending, G::LogInFlight],
        "network error: wait out the retry back-off; ticks meanwhile are missed cycles",
    ),
    t(
        S::Protected,
        I::RetryTimer,
        S::Protected,
        &[G::RetryPending],
        "retry: resume sending the log (a success resets the back-off)",
    ),
    t(
        S::Protected,
        I::Pause,
        S::ReplicationPaused,
        ALWAYS,
        "an administrator pauses: the log in flight stops (its rest is kept), cycles stop, writes keep being logged",
    ),
    t(
        S::ReplicationPaused,
        I::Resume,
        S::Protected,
        ALWAYS,
        "resume: send the rest of the paused log, if any; cycles restart one copy interval later",
    ),
    t(
        S::Protected,
        I::LogThresholdReached,
        S::ResyncRequired,
        ALWAYS,
        "the 50% rule: health Critical, tracking stops, logs dropped and their space released",
    ),
    t(
        S::ReplicationPaused,
        I::LogThresholdReached,
        S::ResyncRequired,
        ALWAYS,
        "the 50% rule while paused: health Critical, tracking stops, logs dropped and their space released",
    ),
    t(
        S::Resynchronizing,
        I::LogThresholdReached,
        S::ResyncRequired,
        ALWAYS,
        "the 50% rule (writes logged during the resync): health Critical, tracking stops, logs dropped and their space released",
    ),
    t(
        S::ResyncPaused,
        I::LogThresholdReached,
        S::ResyncRequired,
        ALWAYS,
        "the 50% rule while the resync is paused: health Critical, tracking stops, logs dropped and their space released",
    ),
    t(
        S::InitialReplication,
        I::LogThresholdReached,
        S::InitialReplicationPending,
        ALWAYS,
        "the 50% rule on the logs written during IR (policy resync_threshold_during_ir): snapshot and logs dropped; IR starts over after the first back-off wait [ours]",
    ),
    t(
        S::FinalizingProtection,
        I::LogThresholdReached,
        S::InitialReplicationPending,
        ALWAYS,
        "the 50% rule before protection (policy resync_threshold_during_ir): logs dropped; IR starts over after the first back-off wait [ours]",
    ),
    t(
        S::InitialReplication,
        I::LogWriteFailed,
        S::InitialReplicationPending,
        ALWAYS,
        "a log write failed (host volume full): snapshot and logs dropped; IR restarts after the back-off wait, once the volume has room [ours]",
    ),
    t(
        S::FinalizingProtection,
        I::LogWriteFailed,
        S::InitialReplicationPending,
        ALWAYS,
        "a log write failed (host volume full) before protection: logs dropped; IR restarts after the back-off wait, once the volume has room [ours]",
    ),
    t(
        S::Protected,
        I::LogWriteFailed,
        S::ResyncRequired,
        ALWAYS,
        "a log write failed (host volume full): tracking stops, logs dropped",
    ),
    t(
        S::ReplicationPaused,
        I::LogWriteFailed,
        S::ResyncRequired,
        ALWAYS,
        "a log write failed (host volume full): tracking stops, logs dropped",
    ),
    t(
        S::Resynchronizing,
        I::LogWriteFailed,
        S::ResyncRequired,
        ALWAYS,
        "a log write failed (host volume full): tracking stops, logs dropped",
    ),
    t(
        S::ResyncPaused,
        I::LogWriteFailed,
        S::ResyncRequired,
        ALWAYS,
        "a log write failed (host volume full): tracking stops, logs dropped",
    ),
    t(
        S::InitialReplication,
        I::HostCrashed,
        S::InitialReplicationPending,
        ALWAYS,
        "the host is back from a crash: snapshot and logs dropped; IR restarts after the back-off wait [ours]",
    ),
    t(
        S::FinalizingProtection,
        I::HostCrashed,
        S::InitialReplicationPending,
        ALWAYS,
        "the host is back from a crash before protection: logs dropped; IR restarts after the back-off wait [ours]",
    ),
    t(
        S::Protected,
        I::HostCrashed,
        S::ResyncRequired,
        ALWAYS,
        "the host is back from a crash: tracking stops, logs dropped",
    ),
    t(
        S::ReplicationPaused,
        I::HostCrashed,
        S::ResyncRequired,
        ALWAYS,
        "the host is back from a crash: tracking stops, logs dropped",
    ),
    t(
        S::Resynchronizing,
        I::HostCrashed,
        S::ResyncRequired,
        ALWAYS,
        "the host is back from a crash: the resync starts over",
    ),
    t(
        S::ResyncPaused,
        I::HostCrashed,
        S::ResyncRequired,
        ALWAYS,
        "the host is back from a crash: the resync starts over",
    ),
    t(
        S::ResyncRequired,
        I::StartResync,
        S::Resynchronizing,
        ALWAYS,
        "off-peak window, immediate policy or an administrator: a fresh log tracks writes, checksums are compared",
    ),
    t(
        S::Resynchronizing,
        I::ChecksumsCompared,
        S::Resynchronizing,
        &[G::Comparing],
        "both copies read and compared: send the differing blocks",
    ),
    t(
        S::Resynchronizing,
        I::TransferFailed,
        S::Resynchronizing,
        &[G::NoRetryPending, G::SendingBlocks],
        "network error while sending blocks: wait out the retry back-off",
    ),
    t(
        S::Resynchronizing,
        I::RetryTimer,
        S::Resynchronizing,
        &[G::RetryPending],
        "retry: resume sending the blocks",
    ),
    t(
        S::Resynchronizing,
        I::TransferDone,
        S::Protected,
        &[G::NoRetryPending, G::SendingBlocks],
        "blocks sent: every recovery point is deleted; the writes logged during the resync are sent; cycles restart",
    ),
    t(
        S::Resynchronizing,
        I::Pause,
        S::ResyncPaused,
        ALWAYS,
        "an administrator pauses the resync: the comparison or the block transfer stops where it is",
    ),
    t(
        S::ResyncPaused,
        I::Resume,
        S::Resynchronizing,
        ALWAYS,
        "resume: continue the comparison or the block transfer where it stopped",
    ),
    t(
        S::Resynchronizing,
        I::CancelResync,
        S::ResyncRequired,
        ALWAYS,
        "cancelled: logs dropped; the next resync starts from the beginning",
    ),
    t(
        S::ResyncPaused,
        I::CancelResync,
        S::ResyncRequired,
        ALWAYS,
        "cancelled: logs dropped; the next resync starts from the beginning",
    ),
    t(
        S::InitialReplication,
        I::NonRecoverableError,
        S::AdminRequired,
        ALWAYS,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::FinalizingProtection,
        I::NonRecoverableError,
        S::AdminRequired,
        ALWAYS,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::Protected,
        I::NonRecoverableError,
        S::AdminRequired,
        ALWAYS,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::ReplicationPaused,
        I::NonRecoverableError,
        S::AdminRequired,
        ALWAYS,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::ResyncRequired,
        I::NonRecoverableError,
        S::AdminRequired,
        ALWAYS,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::Resynchronizing,
        I::NonRecoverableError,
        S::AdminRequired,
        ALWAYS,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::ResyncPaused,
        I::NonRecoverableError,
        S::AdminRequired,
        ALWAYS,
        "non-recoverable error: no retry, health Critical, everything stops until an administrator repairs it",
    ),
    t(
        S::AdminRequired,
        I::Repair,
        S::ResyncRequired,
        &[G::WasProtected],
        "repaired: the VM needs a resync",
    ),
    t(
        S::AdminRequired,
        I::Repair,
        S::InitialReplication,
        &[G::NeverProtected, G::Disks],
        "repaired before the VM was ever protected: initial replication starts again",
    ),
    t(
        S::AdminRequired,
        I::Repair,
        S::FinalizingProtection,
        &[G::NeverProtected, G::NoDisks],
        "repaired before the VM was ever protected, and it has no disks",
    ),
    t(
        S::Protected,
        I::TestFailover,
        S::Protected,
        &[G::NoTestCopy],
        "a test copy starts at the target from the chosen point; replication continues",
    ),
    t(
        S::Protected,
        I::Cleanup,
        S::Protected,
        &[G::TestCopy],
        "the test failover's copy is removed",
    ),
    t(
        S::ReplicationPaused,
        I::Cleanup,
        S::ReplicationPaused,
        &[G::TestCopy],
        "the test failover's copy is removed",
    ),
    t(
        S::ResyncRequired,
        I::Cleanup,
        S::ResyncRequired,
        &[G::TestCopy],
        "the test failover's copy is removed",
    ),
    t(
        S::Resynchronizing,
        I::Cleanup,
        S::Resynchronizing,
        &[G::TestCopy],
        "the test failover's copy is removed",
    ),
    t(
        S::ResyncPaused,
        I::Cleanup,
        S::ResyncPaused,
        &[G::TestCopy],
        "the test failover's copy is removed",
    ),
    t(
        S::AdminRequired,
        I::Cleanup,
        S::AdminRequired,
        &[G::TestCopy],
        "the test failover's copy is removed",
    ),
    t(
        S::Protected,
        I::PlannedFailover,
        S::FailingOver,
        ALWAYS,
        "the VM is shut down; the log in flight finishes, or the last changes are sent at once",
    ),
    t(
        S::FailingOver,
        I::TransferDone,
        S::FailingOver,
        &[G::NoRetryPending, G::FinalFollows],
        "the log in flight arrived: the last changes are sent; or failback's blocks arrived: the VM is shut down and the final delta sent",
    ),
    t(
        S::FailingOver,
        I::TransferDone,
        S::FailedOver,
        &[G::NoRetryPending, G::EndsFailedOver],
        "the final changes (or the full download) arrived: the VM starts on the other side, not committed",
    ),
    t(
        S::FailingOver,
        I::TransferDone,
        S::Protected,
        &[G::NoRetryPending, G::SendingFinal, G::VmmToVmm],
        "vmm-to-vmm: after the final changes the VM runs on the other side, protected in the reverse direction at once",
    ),
    t(
        S::Protected,
        I::UnplannedFailover,
        S::FailedOver,
        ALWAYS,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::ReplicationPaused,
        I::UnplannedFailover,
        S::FailedOver,
        ALWAYS,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::ResyncRequired,
        I::UnplannedFailover,
        S::FailedOver,
        ALWAYS,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::Resynchronizing,
        I::UnplannedFailover,
        S::FailedOver,
        ALWAYS,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::ResyncPaused,
        I::UnplannedFailover,
        S::FailedOver,
        ALWAYS,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::AdminRequired,
        I::UnplannedFailover,
        S::FailedOver,
        ALWAYS,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::FailingOver,
        I::UnplannedFailover,
        S::FailedOver,
        ALWAYS,
        "the VM starts on the other side from the chosen point; later writes are lost; a resync is cancelled",
    ),
    t(
        S::FailedOver,
        I::ChangePoint,
        S::FailedOver,
        ALWAYS,
        "before commit: the VM starts again from another recovery point",
    ),
    t(
        S::FailedOver,
        I::Commit,
        S::FailoverCommitted,
        ALWAYS,
        "the failover is final: its recovery points are deleted",
    ),
    t(
        S::FailoverCommitted,
        I::ReverseReplicate,
        S::Resynchronizing,
        &[G::OtherSideHasDisks],
        "replicate back: the other side's disks exist, so only differing blocks are sent",
    ),
    t(
        S::FailoverCommitted,
        I::ReverseReplicate,
        S::InitialReplication,
        &[G::FullCopy, G::Disks],
        "replicate back: the other side has no disks, so a full initial replication",
    ),
    t(
        S::FailoverCommitted,
        I::ReverseReplicate,
        S::FinalizingProtection,
        &[G::FullCopy, G::NoDisks],
        "replicate back with a full copy of a VM without disks",
    ),
    t(
        S::FailoverCommitted,
        I::Failback,
        S::FailingOver,
        ALWAYS,
        "hyperv-to-azure failback: compare checksums while the Azure VM runs, or shut it down and download its disks",
    ),
    t(
        S::FailingOver,
        I::ChecksumsCompared,
        S::FailingOver,
        &[G::Comparing],
        "failback synchronizing first: the differing blocks are sent while the VM runs",
    ),
    t(
        S::FailingOver,
        I::TransferFailed,
        S::FailingOver,
        &[G::NoRetryPending, G::NotComparing],
        "recoverable error during the failover's transfer: wait for the retry",
    ),
    t(
        S::FailingOver,
        I::RetryTimer,
        S::FailingOver,
        &[G::RetryPending],
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
