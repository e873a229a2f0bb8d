//! A VM's records of what it went through: its jobs (as the portal's Jobs tab lists them:
//! Enable protection, Initial replication, Finalize protection, Resynchronize), the instants
//! of its protection, and its resyncs with their causes and outcomes. The world reports each
//! state change here; the records decide which job or resync it starts, ends or interrupts.

use crate::engine::Time;
use crate::model::faults::NonRecoverableError;
use crate::replication::{InterruptedBy, Job, SyncKind, Work};
use crate::sim::record::{
    EventLog, JobKind, JobOutcome, JobRecord, ResyncCause, ResyncOutcome, ResyncRecord,
};

/// A job the state machine started and the world will end.
struct PendingJob {
    job: Job,
    /// Why its prerequisite check fails, if it does.
    failure: Option<String>,
    started: Time,
}

/// A job that ended: see [`VmRecords::job_done`].
pub(super) struct EndedJob {
    pub(super) job: Job,
    pub(super) failure: Option<String>,
}

/// One VM's records (cold: touched at state changes, not per cycle).
#[derive(Default)]
pub(super) struct VmRecords {
    /// Bumped per job started: an older job's completion event is void.
    job_gen: u32,
    job_pending: Option<PendingJob>,
    enabled_at: Option<Time>,
    ir_started_at: Option<Time>,
    ir_done_at: Option<Time>,
    protected_at: Option<Time>,
    enable_failure: Option<String>,
    /// The resync required or running. Boxed: most VMs never need one, and a large estate
    /// pays for the space per VM.
    resync: Option<Box<ResyncRecord>>,
    resyncs: Vec<ResyncRecord>,
    /// The error that made the VM need an administrator (what a repair follows).
    admin_error: Option<NonRecoverableError>,
}

/// What a VM's records hold at the end of a run.
pub(super) struct RecordsResult {
    pub(super) enabled_at: Option<Time>,
    pub(super) ir_started_at: Option<Time>,
    pub(super) protected_at: Option<Time>,
    pub(super) ir_ms: Option<Time>,
    pub(super) enable_failure: Option<String>,
    pub(super) resyncs: Vec<ResyncRecord>,
}

fn log_job(
    log: &mut EventLog,
    vm: usize,
    job: JobKind,
    started_at: Time,
    ended_at: Option<Time>,
    outcome: JobOutcome,
    detail: &str,
) {
    log.job(JobRecord {
        vm,
        job,
        started_at,
        ended_at,
        outcome,
        detail,
    });
}

fn job_kind(job: Job) -> JobKind {
    match job {
        Job::EnableProtection => JobKind::EnableProtection,
        Job::FinalizeProtection => JobKind::FinalizeProtection,
    }
}

impl VmRecords {
    /// The state machine started `job` now; `failure` is why its check will fail, if it will.
    /// Returns the job's generation (its completion event carries it).
    pub(super) fn start_job(&mut self, now: Time, job: Job, failure: Option<String>) -> u32 {
        self.job_gen += 1;
        let started = match job {
            Job::EnableProtection => {
                self.enabled_at = Some(now);
                now
            }
            // Finalize protection includes sending the logs written during IR.
            Job::FinalizeProtection => self.ir_done_at.unwrap_or(now),
        };
        self.job_pending = Some(PendingJob {
            job,
            failure,
            started,
        });
        self.job_gen
    }

    /// The job of generation `gen` ends now, if it is still the current one; it is logged.
    pub(super) fn job_done(
        &mut self,
        now: Time,
        vm: usize,
        gen: u32,
        log: &mut EventLog,
    ) -> Option<EndedJob> {
        if gen != self.job_gen {
            return None;
        }
        let PendingJob {
            job,
            failure,
            started,
        } = self.job_pending.take()?;
        let outcome = match failure {
            Some(_) => JobOutcome::Failed,
            None => JobOutcome::Succeeded,
        };
        let why = failure.as_deref().unwrap_or_default();
        log_job(log, vm, job_kind(job), started, Some(now), outcome, why);
        if let Some(why) = &failure {
            self.enable_failure = Some(why.clone());
        }
        Some(EndedJob { job, failure })
    }

    pub(super) fn ir_started(&mut self, now: Time) {
        self.ir_started_at = Some(now);
        self.ir_done_at = None;
    }

    /// Initial replication copied every disk now: its job ends.
    pub(super) fn ir_done(&mut self, now: Time, vm: usize, disks: usize, log: &mut EventLog) {
        self.ir_done_at = Some(now);
        let started = self.ir_started_at.unwrap_or(now);
        let detail = format!("{disks} disk(s) copied");
        let ok = JobOutcome::Succeeded;
        log_job(
            log,
            vm,
            JobKind::InitialReplication,
            started,
            Some(now),
            ok,
            &detail,
        );
    }

    /// When the VM was first protected.
    pub(super) fn protected_at(&self) -> Option<Time> {
        self.protected_at
    }

    /// The VM is protected now, if it was not before.
    pub(super) fn protected(&mut self, now: Time) {
        self.protected_at.get_or_insert(now);
    }

    /// The cause of the resync required or running, if any.
    pub(super) fn resync_cause(&self) -> Option<&ResyncCause> {
        self.resync.as_ref().map(|r| &r.cause)
    }

    /// The bytes compared and the differing bytes of the synchronization running (zeros
    /// without one).
    pub(super) fn resync_figures(&self) -> (u64, u64) {
        self.resync
            .as_ref()
            .map_or((0, 0), |r| (r.bytes_compared, r.bytes_to_send))
    }

    /// The differing bytes of the resync running.
    pub(super) fn resync_to_send(&self) -> u64 {
        self.resync.as_ref().map_or(0, |r| r.bytes_to_send)
    }

    /// The resync starts now: `compared` bytes to compare, `to_send` differ.
    pub(super) fn resync_started(&mut self, now: Time, compared: u64, to_send: u64) {
        if let Some(record) = self.resync.as_mut() {
            record.started_at = Some(now);
            record.outcome = ResyncOutcome::InProgress;
            record.bytes_compared = compared;
            record.bytes_to_send = to_send;
        }
    }

    /// The resync completed now (all recovery points are deleted).
    pub(super) fn resync_completed(&mut self, now: Time, vm: usize, log: &mut EventLog) {
        let Some(record) = self.resync.as_ref() else {
            return;
        };
        let detail = format!(
            "{}; {} bytes compared, {} bytes sent; all recovery points deleted",
            record.cause, record.bytes_compared, record.bytes_to_send
        );
        self.close_resync(now, vm, ResyncOutcome::Completed, &detail, log);
    }

    /// End the resync record with `outcome`; one that had started also ends its job.
    fn close_resync(
        &mut self,
        now: Time,
        vm: usize,
        outcome: ResyncOutcome,
        detail: &str,
        log: &mut EventLog,
    ) {
        let Some(mut record) = self.resync.take() else {
            return;
        };
        record.outcome = outcome;
        let started = record.started_at;
        if started.is_some() {
            record.ended_at = Some(now);
        }
        self.resyncs.push(*record);
        if let Some(started) = started {
            let job_outcome = outcome.job_outcome();
            log_job(
                log,
                vm,
                JobKind::Resynchronize,
                started,
                Some(now),
                job_outcome,
                detail,
            );
        }
    }

    /// A resync is required now (the machine arranges its start), for `cause`: the
    /// record opens, unless one is open already (a cancelled resync's restart).
    pub(super) fn resync_required(&mut self, now: Time, cause: Option<&ResyncCause>) {
        if self.resync.is_none() {
            debug_assert!(cause.is_some(), "a resync required without a cause");
            if let Some(cause) = cause {
                self.open_resync(now, cause.clone());
            }
        }
    }

    /// A synchronization starts now: reverse replication and failback synchronize the way
    /// a resync does, and get a record of their own; a resync has one since it was required.
    pub(super) fn sync_started(&mut self, now: Time, sync: SyncKind) {
        let cause = match sync {
            SyncKind::Resync => return,
            SyncKind::ReverseReplication => ResyncCause::ReverseReplication,
            SyncKind::FailbackSynchronization => ResyncCause::FailbackSync,
        };
        if self.resync.is_none() {
            self.open_resync(now, cause);
        }
    }

    fn open_resync(&mut self, now: Time, cause: ResyncCause) {
        self.resync = Some(Box::new(ResyncRecord {
            cause,
            required_at: now,
            started_at: None,
            ended_at: None,
            outcome: ResyncOutcome::Waiting,
            bytes_compared: 0,
            bytes_to_send: 0,
        }));
    }

    /// The machine cut `work` short now, because of `by`; `cause` is what the input that did
    /// it came with (an error's, or why a resync is needed again). The work's job or record
    /// ends.
    pub(super) fn interrupted(
        &mut self,
        now: Time,
        vm: usize,
        (work, by): (Work, InterruptedBy),
        cause: Option<&ResyncCause>,
        log: &mut EventLog,
    ) {
        let why = || cause.map(|c| c.to_string()).unwrap_or_default();
        match (work, by) {
            (Work::Resync, by) => {
                let outcome = match by {
                    InterruptedBy::Cancel | InterruptedBy::UnplannedFailover => {
                        ResyncOutcome::Cancelled
                    }
                    InterruptedBy::LogThreshold
                    | InterruptedBy::LogWriteFailed
                    | InterruptedBy::HostCrash => ResyncOutcome::Restarted,
                    InterruptedBy::NonRecoverableError => ResyncOutcome::Interrupted,
                };
                // An input with a cause of its own says it; else the resync's own cause.
                let (why, own) = match (cause, &self.resync) {
                    (Some(c), r) => (c.to_string(), r.as_ref().map(|r| r.cause.clone())),
                    (None, Some(r)) => (r.cause.to_string(), Some(r.cause.clone())),
                    (None, None) => (String::new(), None),
                };
                self.close_resync(now, vm, outcome, &format!("{outcome}: {why}"), log);
                if let (InterruptedBy::Cancel, Some(own)) = (by, own) {
                    // Required again at once: the next resync starts from the beginning.
                    self.open_resync(now, ResyncCause::RestartAfterCancel(Box::new(own)));
                }
            }
            (
                Work::InitialReplication,
                InterruptedBy::NonRecoverableError
                | InterruptedBy::LogWriteFailed
                | InterruptedBy::LogThreshold
                | InterruptedBy::HostCrash,
            ) => {
                if let (Some(started), None) = (self.ir_started_at, self.ir_done_at) {
                    let (kind, failed) = (JobKind::InitialReplication, JobOutcome::Failed);
                    log_job(log, vm, kind, started, Some(now), failed, &why());
                }
            }
            (
                Work::FinalizeProtection,
                InterruptedBy::NonRecoverableError
                | InterruptedBy::LogWriteFailed
                | InterruptedBy::LogThreshold
                | InterruptedBy::HostCrash,
            ) => {
                // Only the job's merging step has a job pending (sending the IR logs is
                // part of initial replication's books, not a job of its own).
                if let Some(job) = self.job_pending.take() {
                    self.job_gen += 1;
                    let failed = JobOutcome::Failed;
                    log_job(
                        log,
                        vm,
                        job_kind(job.job),
                        job.started,
                        Some(now),
                        failed,
                        &why(),
                    );
                }
            }
            // [ours] A failover cut short keeps its own books (failover.rs); the failback
            // download's job ends there too.
            _ => {}
        }
    }

    /// The VM needs an administrator now, after `cause` (the error a repair will follow).
    pub(super) fn admin_required(&mut self, cause: Option<&ResyncCause>) {
        if let Some(ResyncCause::Error(e)) = cause {
            self.admin_error = Some(*e);
        }
    }

    /// The error a repair follows (that made the VM need an administrator).
    pub(super) fn admin_error(&self) -> Option<NonRecoverableError> {
        self.admin_error
    }

    /// At the end of the run: the jobs still running are logged as in progress, the open
    /// resync joins the others. `in_ir`: the VM is in initial replication;
    /// `download_started`: a failback download runs since then.
    pub(super) fn close_open(
        &mut self,
        vm: usize,
        in_ir: bool,
        download_started: Option<Time>,
        log: &mut EventLog,
    ) {
        let mut open: Vec<(JobKind, Time)> = Vec::new();
        if let Some(job) = &self.job_pending {
            open.push((job_kind(job.job), job.started));
        }
        if let (Some(started), None) = (self.ir_started_at, self.ir_done_at) {
            if in_ir {
                open.push((JobKind::InitialReplication, started));
            }
        }
        if let Some(record) = self.resync.take() {
            if let Some(started) = record.started_at {
                open.push((JobKind::Resynchronize, started));
            }
            self.resyncs.push(*record);
        }
        if let Some(started) = download_started {
            open.push((JobKind::FailbackDownload, started));
        }
        for (job, started) in open {
            log_job(log, vm, job, started, None, JobOutcome::InProgress, "");
        }
    }

    /// The records for the VM's results (the resyncs move out).
    pub(super) fn result(&mut self) -> RecordsResult {
        RecordsResult {
            enabled_at: self.enabled_at,
            ir_started_at: self.ir_started_at,
            protected_at: self.protected_at,
            ir_ms: self.ir_started_at.zip(self.ir_done_at).map(|(a, b)| b - a),
            enable_failure: self.enable_failure.clone(),
            resyncs: std::mem::take(&mut self.resyncs),
        }
    }
}

/// A failback download ended at `now` with `outcome`: its job is logged.
pub(super) fn download_ended(
    log: &mut EventLog,
    vm: usize,
    (started, now): (Time, Time),
    outcome: JobOutcome,
    detail: &str,
) {
    let kind = JobKind::FailbackDownload;
    log_job(log, vm, kind, started, Some(now), outcome, detail);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ResyncBasis;

    const THRESHOLD: ResyncCause = ResyncCause::LogThreshold {
        ppm: 500_000,
        basis: ResyncBasis::Vm,
    };

    #[test]
    fn a_cancelled_resync_is_closed_and_required_again_with_its_cause() {
        let (mut r, mut log) = (VmRecords::default(), EventLog::default());
        r.resync_required(10, Some(&THRESHOLD));
        assert_eq!(r.resync_cause(), Some(&THRESHOLD));
        r.resync_started(20, 100, 10);
        let cancel = (Work::Resync, InterruptedBy::Cancel);
        r.interrupted(30, 0, cancel, None, &mut log);
        // The machine then arranges the restart: the record is already open.
        r.resync_required(30, None);
        let again = ResyncCause::RestartAfterCancel(Box::new(THRESHOLD));
        assert_eq!(r.resync_cause(), Some(&again));
        let jobs: Vec<_> = log.jobs().collect();
        assert_eq!(jobs.len(), 1);
        let (job, outcome) = (jobs[0].job, jobs[0].outcome);
        assert_eq!(
            (job, outcome),
            (JobKind::Resynchronize, JobOutcome::Cancelled)
        );
        let detail = "cancelled: pending log reached 50% of the VM's virtual size";
        assert_eq!(jobs[0].detail, detail);
        let result = r.result();
        assert_eq!(result.resyncs.len(), 1);
        assert_eq!(result.resyncs[0].outcome, ResyncOutcome::Cancelled);
        assert_eq!(result.resyncs[0].ended_at, Some(30));
    }

    #[test]
    fn an_error_interrupts_the_resync_and_cuts_the_running_job_short() {
        use crate::model::Keyword;
        let (mut r, mut log) = (VmRecords::default(), EventLog::default());
        r.resync_required(10, Some(&THRESHOLD));
        let error = crate::model::faults::NonRecoverableError::ALL[0].0;
        let cause = ResyncCause::Error(error);
        let by_error = (Work::Resync, InterruptedBy::NonRecoverableError);
        r.interrupted(20, 0, by_error, Some(&cause), &mut log);
        r.admin_required(Some(&cause));
        assert_eq!(r.admin_error(), Some(error));
        assert_eq!(r.resync_cause(), None);
        let result = r.result();
        assert_eq!(result.resyncs[0].outcome, ResyncOutcome::Interrupted);
        // It never started: no job to end.
        assert_eq!(log.jobs().count(), 0);
    }

    #[test]
    fn reverse_replication_opens_a_record_of_its_own() {
        let mut r = VmRecords::default();
        r.sync_started(5, SyncKind::Resync);
        assert_eq!(
            r.resync_cause(),
            None,
            "a resync's record opens when it is required"
        );
        r.sync_started(5, SyncKind::ReverseReplication);
        assert_eq!(r.resync_cause(), Some(&ResyncCause::ReverseReplication));
    }
}
