//! The per-VM replication state machine, sans-IO.
//!
//! A [`Replication`] is a plain value: it is fed [`Input`]s (a command, a job's outcome, a
//! finished transfer, a cycle tick) and answers with [`Action`]s for the simulation to carry
//! out (start a job, copy a disk, close and send the change log, schedule the next tick). It
//! never sees the event queue, a file or a clock; durations it hands out are plain numbers
//! from its [`Config`].
//!
//! [`TRANSITIONS`] lists every allowed `(state, input) -> state` move. It is the single source
//! for the docs and diagrams, and [`Replication::step`] consults it in every build (as
//! [`MATRIX`], built from it at compile time): a move not in it is refused, and changes
//! nothing.
//!
//! States follow the Hyper-V Replica / Azure Site Recovery lifecycle (domain.md section 3).

mod retry;
mod table;

pub use crate::model::faults::NonRecoverableError;
pub use retry::RetryReading;
pub use table::{Cond, Matrix, Transition, MATRIX, TRANSITIONS};

/// The coarse states of the protection lifecycle, as the portal names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StateKind {
    /// Not protected: before enabling, or after a failed enable job.
    Unprotected,
    /// The Enable protection job runs (prerequisite check, relationship, start).
    EnablingProtection,
    /// Enabled, waiting for the scheduled start of initial replication (or its restart after
    /// a log write failure).
    InitialReplicationPending,
    /// Disks are copied one by one; writes are logged.
    InitialReplication,
    /// The logs written during IR are sent and merged, then the Finalize job ends.
    FinalizingProtection,
    /// Delta replication: a log is closed and sent every copy interval.
    Protected,
    /// An administrator paused replication: nothing is sent, writes keep being logged.
    ReplicationPaused,
    /// The 50% rule, a log write failure or a repaired error: write tracking has stopped
    /// and the VM waits for its resynchronization to start.
    ResyncRequired,
    /// Checksums of fixed-size blocks are compared, then the differing blocks are sent.
    Resynchronizing,
    /// A resync paused by an administrator; resume continues where it stopped.
    ResyncPaused,
    /// A non-recoverable error: nothing happens until an administrator repairs it.
    AdminRequired,
    /// A planned failover or failback moves the data: the last changes (or the differing
    /// blocks, or the whole disks) go to the side the VM will run on.
    FailingOver,
    /// The VM runs on the other side from a recovery point; not committed yet.
    FailedOver,
    /// The failover is final (its recovery points are deleted); the VM runs unprotected
    /// until reverse replication (or failback) starts.
    FailoverCommitted,
}

impl StateKind {
    pub const ALL: [StateKind; 14] = [
        StateKind::Unprotected,
        StateKind::EnablingProtection,
        StateKind::InitialReplicationPending,
        StateKind::InitialReplication,
        StateKind::FinalizingProtection,
        StateKind::Protected,
        StateKind::ReplicationPaused,
        StateKind::ResyncRequired,
        StateKind::Resynchronizing,
        StateKind::ResyncPaused,
        StateKind::AdminRequired,
        StateKind::FailingOver,
        StateKind::FailedOver,
        StateKind::FailoverCommitted,
    ];

    /// The name used in reports and CSV files.
    pub fn name(self) -> &'static str {
        match self {
            StateKind::Unprotected => "unprotected",
            StateKind::EnablingProtection => "enabling-protection",
            StateKind::InitialReplicationPending => "initial-replication-pending",
            StateKind::InitialReplication => "initial-replication",
            StateKind::FinalizingProtection => "finalizing-protection",
            StateKind::Protected => "protected",
            StateKind::ReplicationPaused => "replication-paused",
            StateKind::ResyncRequired => "resync-required",
            StateKind::Resynchronizing => "resynchronizing",
            StateKind::ResyncPaused => "resync-paused",
            StateKind::AdminRequired => "admin-required",
            StateKind::FailingOver => "failing-over",
            StateKind::FailedOver => "failed-over",
            StateKind::FailoverCommitted => "failover-committed",
        }
    }
}

/// The full state, with the data each state needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Unprotected,
    EnablingProtection,
    InitialReplicationPending,
    /// Copying disk `disk` (0-based) of the VM.
    InitialReplication {
        disk: u16,
    },
    FinalizingProtection(FinalizeStep),
    Protected {
        /// A closed log is on its way to the target.
        sending: bool,
    },
    ReplicationPaused {
        /// A log was on its way when replication was paused; resume sends the rest.
        sending: bool,
    },
    ResyncRequired,
    Resynchronizing(ResyncStep),
    ResyncPaused(ResyncStep),
    AdminRequired,
    FailingOver(FailoverStep),
    FailedOver,
    FailoverCommitted,
}

/// The data a planned failover (or failback) moves before the VM starts on the other side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailoverStep {
    /// The source is shut down; the log that was in flight finishes first.
    FinishingCycle,
    /// The last changes since the final log was opened are sent.
    SendingFinal,
    /// Failback synchronizing first: checksums are compared while the VM keeps running.
    Comparing,
    /// Failback synchronizing first: the differing blocks are sent while the VM runs.
    SendingBlocks,
    /// Failback by full download: the VM is shut down and its disks copied whole.
    Downloading,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResyncStep {
    /// Both copies are read and their block checksums compared.
    Comparing,
    /// The blocks that differ are sent.
    SendingBlocks,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalizeStep {
    /// The logs written during IR are being sent.
    SendingLog,
    /// The Finalize protection job merges them at the target.
    Merging,
}

impl State {
    pub fn kind(self) -> StateKind {
        match self {
            State::Unprotected => StateKind::Unprotected,
            State::EnablingProtection => StateKind::EnablingProtection,
            State::InitialReplicationPending => StateKind::InitialReplicationPending,
            State::InitialReplication { .. } => StateKind::InitialReplication,
            State::FinalizingProtection(_) => StateKind::FinalizingProtection,
            State::Protected { .. } => StateKind::Protected,
            State::ReplicationPaused { .. } => StateKind::ReplicationPaused,
            State::ResyncRequired => StateKind::ResyncRequired,
            State::Resynchronizing(_) => StateKind::Resynchronizing,
            State::ResyncPaused(_) => StateKind::ResyncPaused,
            State::AdminRequired => StateKind::AdminRequired,
            State::FailingOver(_) => StateKind::FailingOver,
            State::FailedOver => StateKind::FailedOver,
            State::FailoverCommitted => StateKind::FailoverCommitted,
        }
    }

    /// The work in progress that leaving this state cuts short, if any.
    pub fn work(self) -> Option<Work> {
        match self {
            State::InitialReplication { .. } => Some(Work::InitialReplication),
            State::FinalizingProtection(_) => Some(Work::FinalizeProtection),
            State::ResyncRequired | State::Resynchronizing(_) | State::ResyncPaused(_) => {
                Some(Work::Resync)
            }
            State::FailingOver(FailoverStep::FinishingCycle | FailoverStep::SendingFinal) => {
                Some(Work::PlannedFailover)
            }
            State::FailingOver(FailoverStep::Comparing | FailoverStep::SendingBlocks) => {
                Some(Work::FailbackSynchronization)
            }
            State::FailingOver(FailoverStep::Downloading) => Some(Work::FailbackDownload),
            State::Unprotected
            | State::EnablingProtection
            | State::InitialReplicationPending
            | State::Protected { .. }
            | State::ReplicationPaused { .. }
            | State::AdminRequired
            | State::FailedOver
            | State::FailoverCommitted => None,
        }
    }

    /// Whether the VM's snapshot or logs are written to its host volume and a full volume
    /// fails it: initial replication and finalize too, besides the states the 50% rule
    /// watches.
    pub fn writes_to_volume(self) -> bool {
        self.watches_log_size()
            || matches!(
                self,
                State::InitialReplication { .. } | State::FinalizingProtection(_)
            )
    }

    /// Whether writes are being logged and the 50% rule watches them: delta replication and
    /// resync (which logs the writes made while it runs).
    pub fn watches_log_size(self) -> bool {
        matches!(
            self,
            State::Protected { .. }
                | State::ReplicationPaused { .. }
                | State::Resynchronizing(_)
                | State::ResyncPaused(_)
        )
    }
}

/// A job as the portal's Jobs tab names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    EnableProtection,
    FinalizeProtection,
}

impl Job {
    pub fn name(self) -> &'static str {
        match self {
            Job::EnableProtection => "Enable protection",
            Job::FinalizeProtection => "Finalize protection",
        }
    }
}

/// Why a job failed (the job log says it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure(pub String);

/// What the machine is fed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The user (or scenario) enables protection.
    EnableProtection,
    /// A job the machine started has ended.
    JobSucceeded(Job),
    JobFailed(Job, JobFailure),
    /// The scheduled start time of initial replication has come.
    StartInitialReplication,
    /// The transfer the machine started (disk copy or log) has fully arrived at the target.
    TransferDone,
    /// The copy interval has elapsed.
    CycleTick,
    /// The run starts with the VM already protected and in sync (steady-state studies).
    AssumeProtected,
    /// The running transfer failed with a recoverable error (network).
    TransferFailed,
    /// The back-off wait after a failure has elapsed.
    RetryTimer,
    /// An administrator pauses replication, or a running resync.
    Pause,
    /// An administrator resumes what was paused.
    Resume,
    /// The off-peak window opened, or an administrator starts the resync (or the policy
    /// starts it at once).
    StartResync,
    /// An administrator cancels a running resync.
    CancelResync,
    /// Both copies have been read and the block checksums compared.
    ChecksumsCompared,
    /// Pending log bytes reached the resync threshold (the 50% rule).
    LogThresholdReached,
    /// A log could not be written (the host volume is full).
    LogWriteFailed,
    /// A non-recoverable error (domain.md section 4).
    NonRecoverableError(NonRecoverableError),
    /// An administrator repaired the cause of a non-recoverable error.
    Repair,
    /// A test failover starts a copy at the target; replication continues.
    TestFailover,
    /// The test failover's copy is removed.
    Cleanup,
    /// A planned failover (or, from the other side, failback) starts: shut down, send the
    /// last changes, start on the other side.
    PlannedFailover,
    /// An unplanned failover: start on the other side from a recovery point now.
    UnplannedFailover,
    /// Before commit: start the failed-over VM from another recovery point.
    ChangePoint,
    /// Make the failover final.
    Commit,
    /// Replicate from the side the VM runs on back to the other side; `full_copy` when the
    /// other side has no disks to compare against.
    ReverseReplicate {
        full_copy: bool,
    },
    /// hyperv-to-azure failback of a committed VM in Azure: synchronize first, or download
    /// the disks in full.
    Failback {
        sync_first: bool,
    },
    /// The VM's host crashed and is back now: the logs of its writes cannot be trusted
    /// [src: resync "after a log write failure or a host crash"].
    HostCrashed,
}

/// The input's kind, for the transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InputKind {
    EnableProtection,
    JobSucceeded,
    JobFailed,
    StartInitialReplication,
    TransferDone,
    CycleTick,
    AssumeProtected,
    TransferFailed,
    RetryTimer,
    Pause,
    Resume,
    StartResync,
    CancelResync,
    ChecksumsCompared,
    LogThresholdReached,
    LogWriteFailed,
    NonRecoverableError,
    Repair,
    TestFailover,
    Cleanup,
    PlannedFailover,
    UnplannedFailover,
    ChangePoint,
    Commit,
    ReverseReplicate,
    Failback,
    HostCrashed,
}

impl Input {
    pub fn kind(&self) -> InputKind {
        match self {
            Input::EnableProtection => InputKind::EnableProtection,
            Input::JobSucceeded(_) => InputKind::JobSucceeded,
            Input::JobFailed(..) => InputKind::JobFailed,
            Input::StartInitialReplication => InputKind::StartInitialReplication,
            Input::TransferDone => InputKind::TransferDone,
            Input::CycleTick => InputKind::CycleTick,
            Input::AssumeProtected => InputKind::AssumeProtected,
            Input::TransferFailed => InputKind::TransferFailed,
            Input::RetryTimer => InputKind::RetryTimer,
            Input::Pause => InputKind::Pause,
            Input::Resume => InputKind::Resume,
            Input::StartResync => InputKind::StartResync,
            Input::CancelResync => InputKind::CancelResync,
            Input::ChecksumsCompared => InputKind::ChecksumsCompared,
            Input::LogThresholdReached => InputKind::LogThresholdReached,
            Input::LogWriteFailed => InputKind::LogWriteFailed,
            Input::NonRecoverableError(_) => InputKind::NonRecoverableError,
            Input::Repair => InputKind::Repair,
            Input::TestFailover => InputKind::TestFailover,
            Input::Cleanup => InputKind::Cleanup,
            Input::PlannedFailover => InputKind::PlannedFailover,
            Input::UnplannedFailover => InputKind::UnplannedFailover,
            Input::ChangePoint => InputKind::ChangePoint,
            Input::Commit => InputKind::Commit,
            Input::ReverseReplicate { .. } => InputKind::ReverseReplicate,
            Input::Failback { .. } => InputKind::Failback,
            Input::HostCrashed => InputKind::HostCrashed,
        }
    }
}

impl InputKind {
    pub const ALL: [InputKind; 27] = [
        InputKind::EnableProtection,
        InputKind::JobSucceeded,
        InputKind::JobFailed,
        InputKind::StartInitialReplication,
        InputKind::TransferDone,
        InputKind::CycleTick,
        InputKind::AssumeProtected,
        InputKind::TransferFailed,
        InputKind::RetryTimer,
        InputKind::Pause,
        InputKind::Resume,
        InputKind::StartResync,
        InputKind::CancelResync,
        InputKind::ChecksumsCompared,
        InputKind::LogThresholdReached,
        InputKind::LogWriteFailed,
        InputKind::NonRecoverableError,
        InputKind::Repair,
        InputKind::TestFailover,
        InputKind::Cleanup,
        InputKind::PlannedFailover,
        InputKind::UnplannedFailover,
        InputKind::ChangePoint,
        InputKind::Commit,
        InputKind::ReverseReplicate,
        InputKind::Failback,
        InputKind::HostCrashed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            InputKind::EnableProtection => "enable-protection",
            InputKind::JobSucceeded => "job-succeeded",
            InputKind::JobFailed => "job-failed",
            InputKind::StartInitialReplication => "start-initial-replication",
            InputKind::TransferDone => "transfer-done",
            InputKind::CycleTick => "cycle-tick",
            InputKind::AssumeProtected => "assume-protected",
            InputKind::TransferFailed => "transfer-failed",
            InputKind::RetryTimer => "retry-timer",
            InputKind::Pause => "pause",
            InputKind::Resume => "resume",
            InputKind::StartResync => "start-resync",
            InputKind::CancelResync => "cancel-resync",
            InputKind::ChecksumsCompared => "checksums-compared",
            InputKind::LogThresholdReached => "log-threshold-reached",
            InputKind::LogWriteFailed => "log-write-failed",
            InputKind::NonRecoverableError => "non-recoverable-error",
            InputKind::Repair => "repair",
            InputKind::TestFailover => "test-failover",
            InputKind::Cleanup => "cleanup",
            InputKind::PlannedFailover => "planned-failover",
            InputKind::UnplannedFailover => "unplanned-failover",
            InputKind::ChangePoint => "change-point",
            InputKind::Commit => "commit",
            InputKind::ReverseReplicate => "reverse-replicate",
            InputKind::Failback => "failback",
            InputKind::HostCrashed => "host-crashed",
        }
    }
}

// The table's matrix indexes by discriminant: `ALL` lists each kind at its own index.
const _: () = {
    let mut i = 0;
    while i < StateKind::ALL.len() {
        assert!(StateKind::ALL[i] as usize == i);
        i += 1;
    }
    let mut i = 0;
    while i < InputKind::ALL.len() {
        assert!(InputKind::ALL[i] as usize == i);
        i += 1;
    }
};

/// Where [`Replication::step`] puts its actions, in order.
pub trait ActionSink {
    fn push(&mut self, action: Action);
    /// Actions pushed so far.
    fn count(&self) -> usize;
    fn truncate(&mut self, len: usize);
}

impl ActionSink for Vec<Action> {
    fn push(&mut self, action: Action) {
        Vec::push(self, action);
    }
    fn count(&self) -> usize {
        Vec::len(self)
    }
    fn truncate(&mut self, len: usize) {
        Vec::truncate(self, len);
    }
}

/// The most actions one step returns (an unplanned failover of a resync with a test copy: 7).
pub const MAX_ACTIONS: usize = 8;

/// A step's actions in a fixed array: the simulation keeps it on the stack, with no capacity
/// checks or heap buffer, and where a step is inlined its actions can fold into direct code.
pub struct Actions {
    buf: [Action; MAX_ACTIONS],
    len: usize,
}

impl Default for Actions {
    fn default() -> Self {
        Actions {
            buf: [const { Action::StopCycles }; MAX_ACTIONS],
            len: 0,
        }
    }
}

impl Actions {
    pub fn as_slice(&self) -> &[Action] {
        &self.buf[..self.len]
    }
}

impl ActionSink for Actions {
    #[inline(always)]
    fn push(&mut self, action: Action) {
        // Panics past MAX_ACTIONS: a transition returning more is a bug.
        self.buf[self.len] = action;
        self.len += 1;
    }
    fn count(&self) -> usize {
        self.len
    }
    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

/// What the simulation must do; it carries actions out in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start `job`; feed its outcome back after `duration_ms` (the simulation decides the
    /// outcome of the prerequisite check of Enable protection).
    StartJob { job: Job, duration_ms: u64 },
    /// Feed [`Input::StartInitialReplication`] at the policy's scheduled IR start.
    ScheduleInitialReplication,
    /// Feed [`Input::StartInitialReplication`] after the first back-off wait (a log write
    /// failed, or the 50% rule fired, before the VM was protected), and later ones while the
    /// host volume is full.
    RetryInitialReplication,
    /// Take the IR snapshot and start logging writes to the .hrl logs.
    StartInitialReplication,
    /// Copy the used bytes of disk `disk` to the target.
    CopyDisk { disk: u16 },
    /// Close the current log (new writes go to a fresh one) and send the closed one.
    /// `cycle`: the log is closed by delta replication in protection (a cycle tick's, or a
    /// planned failover's final log when no cycle was in flight), and counts as one of the
    /// monitoring interval's cycles. The logs written during IR, those written during a
    /// resync or a failback's synchronization, and the final log after a cycle that was in
    /// flight at a planned failover do not.
    CloseAndSendLog { cycle: bool },
    /// The log in flight has been applied: its close time is the newest recovery point.
    /// `cycle`: the log arrived in protection, as delta replication's (its latency and
    /// arrival count in the cycle statistics; this includes the log of the writes made
    /// during a resync, sent as the resync ends). Not the IR logs that Finalize protection
    /// merges (the VM's first point), nor a log that arrives during a planned failover.
    RecoveryPointCreated { cycle: bool },
    /// Delete the IR snapshot.
    DeleteSnapshot,
    /// A cycle tick found the previous log still in transit: the cycle is missed and writes
    /// keep accumulating in the open log.
    CycleMissed,
    /// Feed [`Input::CycleTick`] after `after_ms`.
    ScheduleTick { after_ms: u64 },
    /// Source and target are in sync now: start tracking writes with a recovery point at this
    /// instant (a VM that is already protected when the run starts).
    AssumeInSync,
    /// Feed [`Input::RetryTimer`] after `after_ms` (the back-off wait before retry `attempt`).
    ScheduleRetry { attempt: u32, after_ms: u64 },
    /// Retry the failed (or paused) transfer: send what had not arrived yet.
    ResumeTransfer,
    /// Stop what is in progress (a transfer, a retry wait, a checksum comparison) and keep
    /// what remains of it.
    StopTransfer,
    /// Stop the delta cycles: the pending tick is void. `ScheduleTick` starts them again.
    StopCycles,
    /// Stop tracking writes and discard the logs (their space on the host volume is
    /// released): what they held will be found again by the resync's checksums.
    DropLogs,
    /// Arrange [`Input::StartResync`] as the policy says: at once, at the off-peak window,
    /// or never (manual).
    ScheduleResync,
    /// Start the resync: a fresh log tracks writes from now; the blocks that differ are
    /// those the writes since the last consistent point touched. `sync`: a resync of its
    /// own, or the synchronization that starts reverse replication or failback.
    BeginResync { sync: SyncKind },
    /// Read both copies and compare checksums (or continue a paused comparison); feed
    /// [`Input::ChecksumsCompared`] when done.
    CompareChecksums,
    /// Send the blocks that differ.
    SendDifferingBlocks,
    /// The resync is complete: every recovery point is deleted (new ones follow).
    ResyncComplete,
    /// Arrange [`Input::Repair`] after the administrator's response time.
    ScheduleRepair,
    /// Start a test copy at the target from the chosen point.
    StartTestCopy,
    /// Remove the test copy.
    RemoveTestCopy,
    /// Shut the running VM down: it writes nothing more on this side.
    ShutDown,
    /// The data on the other side is complete (final sync done, or the chosen point for an
    /// unplanned failover): the VM runs there from now on and may boot. `after` says which.
    FailoverReady { after: ReadyAfter },
    /// Unplanned failover: the writes after the chosen point are lost; the logs and any
    /// transfer are abandoned.
    LoseWritesAfterPoint,
    /// The failed-over VM starts again from the newly chosen point.
    UseAnotherPoint,
    /// Commit: every recovery point is deleted.
    DeleteRecoveryPoints,
    /// Replication now runs from the side the VM runs on; the other side's copy is the
    /// target (reverse replication, failback synchronization).
    ReverseDirection,
    /// Copy the VM's used bytes whole to the other side (failback by full download).
    DownloadDisks,
    /// The transition cuts `work` short, because of `by`: the first action of its step (it
    /// ends the work before anything else happens). A resync's end when it completes is
    /// [`Action::ResyncComplete`]; the end of initial replication, [`Action::DeleteSnapshot`].
    Interrupted { work: Work, by: InterruptedBy },
}

/// Which synchronization [`Action::BeginResync`] starts (all compare checksums, then send
/// the blocks that differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncKind {
    /// A resync: the 50% rule, a log write failure or a repaired error required it.
    Resync,
    /// Reverse replication of a committed failover, to the other side's existing disks.
    ReverseReplication,
    /// hyperv-to-azure failback synchronizing first, while the Azure VM runs.
    FailbackSynchronization,
}

/// What the other side holds when [`Action::FailoverReady`] lets the VM run there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadyAfter {
    /// Everything: the final changes of a planned failover (or failback) arrived.
    FinalChanges,
    /// Everything: failback's full download arrived.
    Download,
    /// The chosen recovery point of an unplanned failover: later writes are lost.
    RecoveryPoint,
}

/// Work in progress that a transition can cut short ([`Action::Interrupted`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Work {
    /// Initial replication: the disk copy.
    InitialReplication,
    /// Finalize protection: sending the logs written during IR, or the job merging them.
    FinalizeProtection,
    /// A resync: required and waiting for its start, comparing, sending blocks, or paused.
    Resync,
    /// A planned failover's (or failback's) transfer of the last changes, or of the cycle
    /// that was in flight when it started.
    PlannedFailover,
    /// Failback synchronizing first: its checksum comparison or block transfer.
    FailbackSynchronization,
    /// Failback by full download.
    FailbackDownload,
}

/// What cut work short ([`Action::Interrupted`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InterruptedBy {
    /// An administrator cancelled the resync; the next starts from the beginning.
    Cancel,
    /// The 50% rule fired again, on the writes logged during the resync.
    LogThreshold,
    /// A log write failed (the host volume is full).
    LogWriteFailed,
    /// A non-recoverable error.
    NonRecoverableError,
    /// An unplanned failover.
    UnplannedFailover,
    /// The host crashed (the VM needs a resync, or initial replication again, once it is
    /// back).
    HostCrash,
}

/// Per-VM settings the machine needs: plain numbers, no clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub disks: u16,
    pub copy_interval_ms: u64,
    pub enable_job_ms: u64,
    pub finalize_job_ms: u64,
    /// Initial replication waits for a scheduled start instead of starting at once.
    pub ir_scheduled: bool,
    /// For a VM protected when the run starts: when its first cycle tick comes (its phase).
    pub first_tick_ms: u64,
    /// How the retry back-off numbers are read.
    pub retry: RetryReading,
    /// After a planned failover the VM is protected in the reverse direction at once
    /// (vmm-to-vmm) rather than failed over and waiting for commit.
    pub protected_after_planned: bool,
}

/// An input the current state does not accept. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub state: StateKind,
    pub input: InputKind,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is not allowed in state {}",
            self.input.name(),
            self.state.name()
        )
    }
}

/// One VM's replication.
#[derive(Debug, Clone)]
pub struct Replication {
    config: Config,
    state: State,
    /// Failed attempts since the last successful transfer (the back-off position).
    failures: u32,
    /// A transfer failed and waits for its retry timer: nothing is being sent.
    retry_pending: bool,
    /// The VM has been protected once: the target holds a full copy, so a repaired error
    /// needs a resync rather than a new initial replication.
    was_protected: bool,
    /// A test failover's copy exists at the target.
    test_copy: bool,
}

impl Replication {
    pub fn new(config: Config) -> Self {
        Replication {
            config,
            state: State::Unprotected,
            failures: 0,
            retry_pending: false,
            was_protected: false,
            test_copy: false,
        }
    }

    /// Whether a test failover's copy exists (until its cleanup).
    pub fn test_copy(&self) -> bool {
        self.test_copy
    }

    /// Whether a failed transfer waits for its retry.
    pub fn retry_pending(&self) -> bool {
        self.retry_pending
    }

    /// Whether the transfer in progress has failed since it last succeeded: the VM cannot
    /// send (retry attempts included, until one succeeds).
    pub fn failing(&self) -> bool {
        self.failures > 0
    }

    /// Failed attempts of the transfer in progress since it last succeeded: the retry that
    /// gets through is this one.
    pub fn failed_attempts(&self) -> u32 {
        self.failures
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Feed `input`; on success the actions are appended to `actions` (a buffer the caller
    /// reuses, so stepping allocates nothing) and the new state is returned. A move missing
    /// from [`TRANSITIONS`] is refused like an input the state does not accept, in every
    /// build: the machine follows its table.
    #[inline(always)]
    pub fn step(&mut self, input: &Input, actions: &mut impl ActionSink) -> Result<State, Refused> {
        self.step_by(&MATRIX, input, actions)
    }

    /// [`Replication::step`] against the table `table` (tests give it a reduced one).
    #[inline(always)]
    fn step_by(
        &mut self,
        table: &Matrix,
        input: &Input,
        actions: &mut impl ActionSink,
    ) -> Result<State, Refused> {
        let from = self.state;
        let start = actions.count();
        let saved = (
            self.failures,
            self.retry_pending,
            self.was_protected,
            self.test_copy,
        );
        let to = match self.next(table, input, actions) {
            Some(to) => to,
            None => {
                actions.truncate(start);
                (
                    self.failures,
                    self.retry_pending,
                    self.was_protected,
                    self.test_copy,
                ) = saved;
                return Err(Refused {
                    state: from.kind(),
                    input: input.kind(),
                });
            }
        };
        self.state = to;
        if to.kind() == StateKind::Protected {
            self.was_protected = true;
        }
        Ok(to)
    }

    /// Whether the state has a transfer of its own (running or waiting for a retry).
    fn transferring(&self) -> bool {
        matches!(
            self.state,
            State::InitialReplication { .. }
                | State::FinalizingProtection(FinalizeStep::SendingLog)
                | State::Protected { sending: true }
                | State::Resynchronizing(ResyncStep::SendingBlocks)
                | State::FailingOver(
                    FailoverStep::FinishingCycle
                        | FailoverStep::SendingFinal
                        | FailoverStep::SendingBlocks
                        | FailoverStep::Downloading
                )
        )
    }

    /// A failover removes a test copy that was not cleaned up [ours].
    fn drop_test_copy(&mut self, out: &mut impl ActionSink) {
        if self.test_copy {
            self.test_copy = false;
            out.push(Action::RemoveTestCopy);
        }
    }

    /// Leave delta replication (or a resync) for good: stop sending and cycling, drop logs.
    fn stop_and_drop(&mut self, out: &mut impl ActionSink) {
        self.failures = 0;
        self.retry_pending = false;
        out.push(Action::StopTransfer);
        out.push(Action::StopCycles);
        out.push(Action::DropLogs);
    }

    /// Say what the step cuts short, if anything: before its other actions.
    fn interrupt(&self, by: InterruptedBy, out: &mut impl ActionSink) {
        if let Some(work) = self.state.work() {
            out.push(Action::Interrupted { work, by });
        }
    }

    /// Enter ResyncRequired from a replicating state (or a resync, which `by` ends).
    fn require_resync(&mut self, by: InterruptedBy, out: &mut impl ActionSink) -> State {
        self.interrupt(by, out);
        self.stop_and_drop(out);
        out.push(Action::ScheduleResync);
        State::ResyncRequired
    }

    /// The transition function. `None` means refused.
    // Inlined (with `step`) into the simulation's one caller: a call per input was a
    // measurable share of the hot path.
    #[inline(always)]
    fn next(&mut self, table: &Matrix, input: &Input, out: &mut impl ActionSink) -> Option<State> {
        use Action as A;
        use StateKind as S;
        let c = self.config;
        let from = self.state.kind();
        let input_kind = input.kind();
        // Every move is checked against the table in the arm that chooses it: a move the
        // table lacks is refused there. The arm names its state (a debug build checks the
        // name), so where the input is known too, as on the simulation's hot paths, the
        // look-up folds to a constant.
        macro_rules! row {
            ($kind:expr, $to:expr) => {{
                let to: State = $to;
                debug_assert_eq!($kind, from, "the arm names the state it matched");
                if !table.allows($kind, input_kind, to.kind()) {
                    return None;
                }
                to
            }};
        }
        match input {
            Input::TransferFailed if self.transferring() && !self.retry_pending => {
                self.failures += 1;
                self.retry_pending = true;
                out.push(A::ScheduleRetry {
                    attempt: self.failures,
                    after_ms: c.retry.wait_before(self.failures),
                });
                return Some(row!(from, self.state));
            }
            Input::RetryTimer if self.retry_pending => {
                self.retry_pending = false;
                out.push(A::ResumeTransfer);
                return Some(row!(from, self.state));
            }
            Input::TransferDone if self.retry_pending => return None,
            Input::TransferFailed | Input::RetryTimer => return None,
            Input::TransferDone => self.failures = 0,
            _ => {}
        }
        let state = match (self.state, input) {
            (State::Unprotected, Input::EnableProtection) => row!(S::Unprotected, {
                out.push(A::StartJob {
                    job: Job::EnableProtection,
                    duration_ms: c.enable_job_ms,
                });
                State::EnablingProtection
            }),
            (State::EnablingProtection, Input::JobFailed(Job::EnableProtection, _)) => {
                row!(S::EnablingProtection, State::Unprotected)
            }
            (State::EnablingProtection, Input::JobSucceeded(Job::EnableProtection)) => {
                row!(S::EnablingProtection, {
                    if c.ir_scheduled {
                        out.push(A::ScheduleInitialReplication);
                        State::InitialReplicationPending
                    } else {
                        self.begin_initial_replication(out)
                    }
                })
            }
            (
                State::InitialReplication { .. } | State::FinalizingProtection(_),
                Input::LogWriteFailed | Input::LogThresholdReached,
            ) => row!(from, {
                // [ours] The target never held a full copy (as after a repaired error before
                // protection): initial replication starts over, after the first back-off
                // wait and once the volume has room.
                let by = match input {
                    Input::LogWriteFailed => InterruptedBy::LogWriteFailed,
                    _ => InterruptedBy::LogThreshold,
                };
                self.interrupt(by, out);
                self.stop_and_drop(out);
                out.push(A::RetryInitialReplication);
                State::InitialReplicationPending
            }),
            (State::InitialReplicationPending, Input::StartInitialReplication) => {
                row!(S::InitialReplicationPending, {
                    self.begin_initial_replication(out)
                })
            }
            (State::InitialReplication { disk }, Input::TransferDone) => {
                row!(S::InitialReplication, {
                    if disk + 1 < c.disks {
                        out.push(A::CopyDisk { disk: disk + 1 });
                        State::InitialReplication { disk: disk + 1 }
                    } else {
                        out.push(A::DeleteSnapshot);
                        out.push(A::CloseAndSendLog { cycle: false });
                        State::FinalizingProtection(FinalizeStep::SendingLog)
                    }
                })
            }
            (State::FinalizingProtection(FinalizeStep::SendingLog), Input::TransferDone) => {
                row!(S::FinalizingProtection, {
                    out.push(A::StartJob {
                        job: Job::FinalizeProtection,
                        duration_ms: c.finalize_job_ms,
                    });
                    State::FinalizingProtection(FinalizeStep::Merging)
                })
            }
            (
                State::FinalizingProtection(FinalizeStep::Merging),
                Input::JobSucceeded(Job::FinalizeProtection),
            ) => row!(S::FinalizingProtection, {
                out.push(A::RecoveryPointCreated { cycle: false });
                out.push(A::ScheduleTick {
                    after_ms: c.copy_interval_ms,
                });
                State::Protected { sending: false }
            }),
            (State::Protected { sending }, Input::CycleTick) => row!(S::Protected, {
                if sending {
                    out.push(A::CycleMissed);
                } else {
                    out.push(A::CloseAndSendLog { cycle: true });
                }
                out.push(A::ScheduleTick {
                    after_ms: c.copy_interval_ms,
                });
                State::Protected { sending: true }
            }),
            (State::Unprotected, Input::AssumeProtected) => row!(S::Unprotected, {
                out.push(A::AssumeInSync);
                out.push(A::ScheduleTick {
                    after_ms: c.first_tick_ms,
                });
                State::Protected { sending: false }
            }),
            (State::Protected { sending: true }, Input::TransferDone) => row!(S::Protected, {
                out.push(A::RecoveryPointCreated { cycle: true });
                State::Protected { sending: false }
            }),
            (State::Protected { sending }, Input::Pause) => row!(S::Protected, {
                (self.failures, self.retry_pending) = (0, false);
                out.push(A::StopTransfer);
                out.push(A::StopCycles);
                State::ReplicationPaused { sending }
            }),
            (State::ReplicationPaused { sending }, Input::Resume) => row!(S::ReplicationPaused, {
                if sending {
                    out.push(A::ResumeTransfer);
                }
                out.push(A::ScheduleTick {
                    after_ms: c.copy_interval_ms,
                });
                State::Protected { sending }
            }),
            (
                State::Protected { .. }
                | State::ReplicationPaused { .. }
                | State::Resynchronizing(_)
                | State::ResyncPaused(_),
                Input::LogThresholdReached | Input::LogWriteFailed,
            ) => row!(from, {
                let by = match input {
                    Input::LogWriteFailed => InterruptedBy::LogWriteFailed,
                    _ => InterruptedBy::LogThreshold,
                };
                self.require_resync(by, out)
            }),
            (State::ResyncRequired, Input::StartResync) => row!(S::ResyncRequired, {
                begin_sync(SyncKind::Resync, out);
                State::Resynchronizing(ResyncStep::Comparing)
            }),
            (State::Resynchronizing(ResyncStep::Comparing), Input::ChecksumsCompared) => {
                row!(S::Resynchronizing, {
                    out.push(A::SendDifferingBlocks);
                    State::Resynchronizing(ResyncStep::SendingBlocks)
                })
            }
            (State::Resynchronizing(ResyncStep::SendingBlocks), Input::TransferDone) => {
                row!(S::Resynchronizing, {
                    out.push(A::ResyncComplete);
                    out.push(A::CloseAndSendLog { cycle: false });
                    out.push(A::ScheduleTick {
                        after_ms: c.copy_interval_ms,
                    });
                    State::Protected { sending: true }
                })
            }
            (State::Resynchronizing(step), Input::Pause) => row!(S::Resynchronizing, {
                (self.failures, self.retry_pending) = (0, false);
                out.push(A::StopTransfer);
                State::ResyncPaused(step)
            }),
            (State::ResyncPaused(step), Input::Resume) => row!(S::ResyncPaused, {
                out.push(match step {
                    ResyncStep::Comparing => A::CompareChecksums,
                    ResyncStep::SendingBlocks => A::ResumeTransfer,
                });
                State::Resynchronizing(step)
            }),
            (State::Resynchronizing(_) | State::ResyncPaused(_), Input::CancelResync) => {
                row!(from, self.require_resync(InterruptedBy::Cancel, out))
            }
            (
                State::InitialReplication { .. }
                | State::FinalizingProtection(_)
                | State::Protected { .. }
                | State::ReplicationPaused { .. }
                | State::ResyncRequired
                | State::Resynchronizing(_)
                | State::ResyncPaused(_),
                Input::NonRecoverableError(_),
            ) => row!(from, {
                self.interrupt(InterruptedBy::NonRecoverableError, out);
                self.stop_and_drop(out);
                out.push(A::ScheduleRepair);
                State::AdminRequired
            }),
            (State::Protected { .. }, Input::TestFailover) if !self.test_copy => {
                row!(S::Protected, {
                    self.test_copy = true;
                    out.push(A::StartTestCopy);
                    self.state
                })
            }
            (
                State::Protected { .. }
                | State::ReplicationPaused { .. }
                | State::ResyncRequired
                | State::Resynchronizing(_)
                | State::ResyncPaused(_)
                | State::AdminRequired,
                Input::Cleanup,
            ) if self.test_copy => row!(from, {
                self.test_copy = false;
                out.push(A::RemoveTestCopy);
                self.state
            }),
            (State::Protected { sending }, Input::PlannedFailover) => row!(S::Protected, {
                self.drop_test_copy(out);
                out.push(A::StopCycles);
                out.push(A::ShutDown);
                if sending {
                    State::FailingOver(FailoverStep::FinishingCycle)
                } else {
                    out.push(A::CloseAndSendLog { cycle: true });
                    State::FailingOver(FailoverStep::SendingFinal)
                }
            }),
            (State::FailingOver(FailoverStep::FinishingCycle), Input::TransferDone) => {
                row!(S::FailingOver, {
                    out.push(A::RecoveryPointCreated { cycle: false });
                    out.push(A::CloseAndSendLog { cycle: false });
                    State::FailingOver(FailoverStep::SendingFinal)
                })
            }
            (State::FailingOver(FailoverStep::SendingFinal), Input::TransferDone) => {
                row!(S::FailingOver, {
                    out.push(A::RecoveryPointCreated { cycle: false });
                    out.push(A::FailoverReady {
                        after: ReadyAfter::FinalChanges,
                    });
                    if c.protected_after_planned {
                        out.push(A::ReverseDirection);
                        out.push(A::AssumeInSync);
                        out.push(A::ScheduleTick {
                            after_ms: c.copy_interval_ms,
                        });
                        State::Protected { sending: false }
                    } else {
                        State::FailedOver
                    }
                })
            }
            (
                State::Protected { .. }
                | State::ReplicationPaused { .. }
                | State::ResyncRequired
                | State::Resynchronizing(_)
                | State::ResyncPaused(_)
                | State::AdminRequired
                | State::FailingOver(_),
                Input::UnplannedFailover,
            ) => row!(from, {
                self.interrupt(InterruptedBy::UnplannedFailover, out);
                (self.failures, self.retry_pending) = (0, false);
                self.drop_test_copy(out);
                out.push(A::StopTransfer);
                out.push(A::StopCycles);
                out.push(A::LoseWritesAfterPoint);
                out.push(A::ShutDown);
                out.push(A::FailoverReady {
                    after: ReadyAfter::RecoveryPoint,
                });
                State::FailedOver
            }),
            (State::FailedOver, Input::ChangePoint) => row!(S::FailedOver, {
                out.push(A::UseAnotherPoint);
                State::FailedOver
            }),
            (State::FailedOver, Input::Commit) => row!(S::FailedOver, {
                out.push(A::DeleteRecoveryPoints);
                State::FailoverCommitted
            }),
            (State::FailoverCommitted, Input::ReverseReplicate { full_copy }) => {
                row!(S::FailoverCommitted, {
                    out.push(A::ReverseDirection);
                    if *full_copy {
                        self.begin_initial_replication(out)
                    } else {
                        begin_sync(SyncKind::ReverseReplication, out);
                        State::Resynchronizing(ResyncStep::Comparing)
                    }
                })
            }
            (State::FailoverCommitted, Input::Failback { sync_first: true }) => {
                row!(S::FailoverCommitted, {
                    out.push(A::ReverseDirection);
                    begin_sync(SyncKind::FailbackSynchronization, out);
                    State::FailingOver(FailoverStep::Comparing)
                })
            }
            (State::FailingOver(FailoverStep::Comparing), Input::ChecksumsCompared) => {
                row!(S::FailingOver, {
                    out.push(A::SendDifferingBlocks);
                    State::FailingOver(FailoverStep::SendingBlocks)
                })
            }
            (State::FailingOver(FailoverStep::SendingBlocks), Input::TransferDone) => {
                row!(S::FailingOver, {
                    out.push(A::ResyncComplete);
                    out.push(A::ShutDown);
                    out.push(A::CloseAndSendLog { cycle: false });
                    State::FailingOver(FailoverStep::SendingFinal)
                })
            }
            (State::FailoverCommitted, Input::Failback { sync_first: false }) => {
                row!(S::FailoverCommitted, {
                    out.push(A::ReverseDirection);
                    out.push(A::ShutDown);
                    out.push(A::DownloadDisks);
                    State::FailingOver(FailoverStep::Downloading)
                })
            }
            (State::FailingOver(FailoverStep::Downloading), Input::TransferDone) => {
                row!(S::FailingOver, {
                    out.push(A::FailoverReady {
                        after: ReadyAfter::Download,
                    });
                    State::FailedOver
                })
            }
            (
                State::InitialReplication { .. } | State::FinalizingProtection(_),
                Input::HostCrashed,
            ) => row!(from, {
                // As a log write failure before protection: the target never held a full
                // copy, so initial replication starts over.
                self.interrupt(InterruptedBy::HostCrash, out);
                self.stop_and_drop(out);
                out.push(A::RetryInitialReplication);
                State::InitialReplicationPending
            }),
            (
                State::Protected { .. }
                | State::ReplicationPaused { .. }
                | State::Resynchronizing(_)
                | State::ResyncPaused(_),
                Input::HostCrashed,
            ) => row!(from, self.require_resync(InterruptedBy::HostCrash, out)),
            (State::AdminRequired, Input::Repair) => row!(S::AdminRequired, {
                if self.was_protected {
                    out.push(A::ScheduleResync);
                    State::ResyncRequired
                } else {
                    // [ours] The target never held a full copy: initial replication again.
                    self.begin_initial_replication(out)
                }
            }),
            _ => return None,
        };
        Some(state)
    }

    fn begin_initial_replication(&self, out: &mut impl ActionSink) -> State {
        out.push(Action::StartInitialReplication);
        if self.config.disks == 0 {
            // A VM without disks has nothing to copy: go straight to finalizing.
            out.push(Action::DeleteSnapshot);
            out.push(Action::CloseAndSendLog { cycle: false });
            return State::FinalizingProtection(FinalizeStep::SendingLog);
        }
        out.push(Action::CopyDisk { disk: 0 });
        State::InitialReplication { disk: 0 }
    }
}

/// A resync, a reverse replication's sync and failback's sync all start the same way: track
/// writes afresh and compare checksums.
fn begin_sync(sync: SyncKind, out: &mut impl ActionSink) {
    out.push(Action::BeginResync { sync });
    out.push(Action::CompareChecksums);
}

#[cfg(test)]
mod tests;

/// The state machine's documentation page, generated from [`TRANSITIONS`]: `drsim states`
/// prints it, `docs/state-machine.md` is its output, and a test keeps the two equal.
pub fn state_machine_markdown() -> String {
    let mut out = String::from(
        "# The replication state machine\n\n\
         Generated from the transition table in `src/replication/table.rs` by\n\
         `cargo run --release -- states > docs/state-machine.md`; a test fails when the two differ.\n\n\
         Inputs not listed for a state are refused: the machine changes nothing and the event log\n\
         (`events.csv`) records a `refused` line. Where a state has several rows for one input,\n\
         or a row only applies sometimes, the guard (in brackets in the diagram) says when the\n\
         machine takes it: all of its conditions hold, and the guards of one state's rows for\n\
         one input never hold together (a test checks both against the machine). States follow\n\
         the Hyper-V Replica / Azure Site Recovery lifecycle (domain.md section 3).\n\n\
         ```mermaid\n",
    );
    out.push_str(&state_machine_mermaid());
    out.push_str(
        "```\n\n| from | input | to | guard | when / what happens |\n|---|---|---|---|---|\n",
    );
    for t in TRANSITIONS {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            t.from.name(),
            t.input.name(),
            t.to.name(),
            t.guard_text(),
            t.note
        ));
    }
    out
}

/// The state diagram in Mermaid (`stateDiagram-v2`), generated from [`TRANSITIONS`]: one
/// edge per row, labelled with its input and, in brackets, its guard. `drsim states --format
/// mermaid` prints it; the Markdown page and the README embed it.
pub fn state_machine_mermaid() -> String {
    let mut out = String::from("stateDiagram-v2\n    [*] --> unprotected\n");
    for t in TRANSITIONS {
        let guard = match t.guard_text() {
            g if g.is_empty() => g,
            g => format!(" [{g}]"),
        };
        out.push_str(&format!(
            "    {} --> {}: {}{guard}\n",
            t.from.name().replace('-', "_"),
            t.to.name().replace('-', "_"),
            t.input.name()
        ));
    }
    out
}

/// The state diagram in Graphviz DOT, generated from [`TRANSITIONS`]: every state as a node
/// (in [`StateKind::ALL`]'s order), one edge per row labelled with its input and guard.
/// `drsim states --format dot | dot -Tsvg > states.svg` draws it.
pub fn state_machine_dot() -> String {
    fn quoted(s: &str) -> String {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        )
    }
    let mut out = String::from(
        "// The replication state machine, generated from src/replication/table.rs\n\
         // (drsim states --format dot).\n\
         digraph replication {\n    rankdir=LR;\n    node [shape=box, style=rounded];\n    \
         start [shape=point];\n    start -> unprotected;\n",
    );
    for s in StateKind::ALL {
        out.push_str(&format!("    {};\n", quoted(s.name())));
    }
    for t in TRANSITIONS {
        let label = match t.guard_text() {
            g if g.is_empty() => t.input.name().to_string(),
            g => format!("{}\n[{g}]", t.input.name()),
        };
        out.push_str(&format!(
            "    {} -> {} [label={}];\n",
            quoted(t.from.name()),
            quoted(t.to.name()),
            quoted(&label)
        ));
    }
    out.push_str("}\n");
    out
}
