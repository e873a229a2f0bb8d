//! What a run keeps while it runs (the event log, in memory and compact) and the results it
//! returns at the end. Reports turn these into files; the simulation never touches a file.

use super::health::Health;
use crate::engine::Time;
use crate::model::faults::NonRecoverableError;
use crate::model::ResyncBasis;
use crate::replication::StateKind;
use crate::stats::RpoSummary;
use std::fmt;

/// What a line of the event log is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    State,
    Refused,
    Health,
    JobStart,
    JobEnd,
    RetryWait,
    TransferFailed,
    Resync,
    Fault,
    Admin,
    Site,
    Failover,
    Operation,
    /// azure-to-azure's 60-minute alert raised or cleared.
    Alert,
    /// A disk of a VM finished its initial copy.
    DiskCopied,
    /// A transfer that had failed got through on a retry.
    RetrySucceeded,
    /// A resync's (or failback synchronization's) checksums are compared.
    ChecksumsCompared,
    /// A link's outage or degradation starts or ends: a row of the link, not of a VM.
    Link,
}

impl EventKind {
    /// Every kind with its name in `events.csv`.
    pub const ALL: [(EventKind, &'static str); 18] = [
        (EventKind::State, "state"),
        (EventKind::Refused, "refused"),
        (EventKind::Health, "health"),
        (EventKind::JobStart, "job-start"),
        (EventKind::JobEnd, "job-end"),
        (EventKind::RetryWait, "retry-wait"),
        (EventKind::TransferFailed, "transfer-failed"),
        (EventKind::Resync, "resync"),
        (EventKind::Fault, "fault"),
        (EventKind::Admin, "admin"),
        (EventKind::Site, "site"),
        (EventKind::Failover, "failover"),
        (EventKind::Operation, "operation"),
        (EventKind::Alert, "alert"),
        (EventKind::DiskCopied, "disk-copied"),
        (EventKind::RetrySucceeded, "retry-succeeded"),
        (EventKind::ChecksumsCompared, "checksums-compared"),
        (EventKind::Link, "link"),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL[self as usize].1
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `from_state` and `to_state` of an event: a replication state, a health, or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mark {
    None,
    State(StateKind),
    Health(Health),
}

impl Mark {
    pub fn name(self) -> &'static str {
        match self {
            Mark::None => "",
            Mark::State(s) => s.name(),
            Mark::Health(h) => h.name(),
        }
    }
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an event line is about: a VM, or (kind `link`) a link as a whole. A link's row is
/// one row however many VMs use the link: a large estate's log does not grow per VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventSubject {
    /// The VM's index in the scenario.
    Vm(usize),
    /// The link's index in the scenario.
    Link(usize),
}

/// One line of the event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRecord<'a> {
    pub at: Time,
    pub subject: EventSubject,
    pub kind: EventKind,
    pub from: Mark,
    pub to: Mark,
    pub detail: &'a str,
}

impl EventRecord<'_> {
    /// The VM the line is about (none for a link's line).
    pub fn vm(&self) -> Option<usize> {
        match self.subject {
            EventSubject::Vm(vm) => Some(vm),
            EventSubject::Link(_) => None,
        }
    }

    /// The link the line is about (none for a VM's line).
    pub fn link(&self) -> Option<usize> {
        match self.subject {
            EventSubject::Link(l) => Some(l),
            EventSubject::Vm(_) => None,
        }
    }
}

/// Declares a keyword enum with one table of (variant, name): `ALL`, `name()` and `Display`
/// all read it.
macro_rules! named {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant,)+
        }

        impl $name {
            /// Every variant with its name in the reports.
            pub const ALL: &'static [($name, &'static str)] = &[$(($name::$variant, $text),)+];

            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

named! {
    /// A job as the portal's Jobs tab names it.
    JobKind {
        EnableProtection => "Enable protection",
        InitialReplication => "Initial replication",
        FinalizeProtection => "Finalize protection",
        Resynchronize => "Resynchronize",
        FailbackDownload => "Failback download",
    }
}

named! {
    /// How a job ended.
    JobOutcome {
        Succeeded => "succeeded",
        Failed => "failed",
        Cancelled => "cancelled",
        /// Still running when the run ended.
        InProgress => "in-progress",
    }
}

named! {
    /// How a resync ended (or where it stands at the end of the run).
    ResyncOutcome {
        /// Required, never started.
        Waiting => "waiting",
        InProgress => "in-progress",
        Completed => "completed",
        Cancelled => "cancelled",
        /// Required again while it ran.
        Restarted => "restarted",
        /// Cut short by a non-recoverable error.
        Interrupted => "interrupted",
    }
}

impl ResyncOutcome {
    /// The outcome of the resync's job, once it had started.
    pub fn job_outcome(self) -> JobOutcome {
        match self {
            ResyncOutcome::Completed => JobOutcome::Succeeded,
            ResyncOutcome::Cancelled => JobOutcome::Cancelled,
            ResyncOutcome::Waiting | ResyncOutcome::InProgress => JobOutcome::InProgress,
            ResyncOutcome::Restarted | ResyncOutcome::Interrupted => JobOutcome::Failed,
        }
    }
}

named! {
    /// The rule that decided a VM's health (domain.md section 6), as the health log says it.
    HealthReason {
        /// Normal: no rule applies.
        None => "",
        NotReplicating => "not replicating",
        NonRecoverableError => "non-recoverable error",
        ResyncRequired => "resynchronization required",
        CannotSend => "cannot send: retrying",
        InitialReplication => "initial replication not complete",
        Paused => "replication paused",
        Resynchronizing => "resynchronizing",
        FailingOver => "failover in progress",
        FailedOver => "failed over without reverse replication",
        NoSendForAnHour => "no successful send for over 1 h",
        /// azure-to-azure's alert: the same hour, since a point is what a transfer makes.
        NoPointForAnHour => "no new recovery point for 60 minutes",
        MissedCycles => "over 20% of cycles missed in the interval",
        SlowCycles => "average latency over 5 min in the interval",
        /// A transfer cannot get through: its link is down.
        LinkDown => "network error: link down",
        /// Its site (or region) is down.
        SiteDown => "site down",
        /// Its host is low on memory.
        LowMemory => "low memory on the host",
        /// azure-to-azure: its cache storage account is out.
        CacheDown => "cache storage account unavailable",
        /// Its host crashed and has not restarted yet.
        HostDown => "host down (crashed)",
    }
}

named! {
    /// Who repaired a VM that needed an administrator.
    RepairBy {
        /// An ordered `repair` action.
        Administrator => "administrator repair",
        /// The policy's administrator response time elapsed.
        ResponseTime => "administrator response time elapsed",
    }
}

/// Why a VM needs a resync (or synchronizes the way a resync does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResyncCause {
    /// The 50% rule: the pending log reached `ppm` millionths of the basis.
    LogThreshold { ppm: u32, basis: ResyncBasis },
    /// A log write failed: the host's volume is full.
    VolumeFull { host: String },
    /// The host crashed; it is back now.
    HostCrash { host: String },
    /// A non-recoverable error.
    Error(NonRecoverableError),
    /// A repair after the error that needed an administrator.
    Repaired {
        by: RepairBy,
        after: Option<NonRecoverableError>,
    },
    /// Replication runs the other way after a failover.
    ReverseReplication,
    /// A failback compares and sends what differs.
    FailbackSync,
    /// A cancelled resync is required again.
    RestartAfterCancel(Box<ResyncCause>),
}

impl fmt::Display for ResyncCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResyncCause::LogThreshold { ppm, basis } => {
                let percent = f64::from(*ppm) / 10_000.0;
                let basis = match basis {
                    ResyncBasis::Vm => "the VM's virtual size",
                    ResyncBasis::Disk => "a disk's size",
                };
                write!(f, "pending log reached {percent}% of {basis}")
            }
            ResyncCause::VolumeFull { host } => {
                write!(f, "log write failure: volume of host {host} is full")
            }
            ResyncCause::HostCrash { host } => write!(f, "host crash: host {host} restarted"),
            ResyncCause::Error(e) => write!(f, "{}: {}", e.name(), e.message()),
            ResyncCause::Repaired { by, after: None } => write!(f, "repaired ({by})"),
            ResyncCause::Repaired { by, after: Some(e) } => {
                write!(f, "repaired ({by}) after {}", ResyncCause::Error(*e))
            }
            ResyncCause::ReverseReplication => f.write_str("reverse replication"),
            ResyncCause::FailbackSync => f.write_str("failback synchronization"),
            ResyncCause::RestartAfterCancel(c) => write!(f, "restart after cancel ({c})"),
        }
    }
}

/// A job as the portal's Jobs tab lists it, logged when it ends (or at the end of the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobRecord<'a> {
    pub vm: usize,
    pub job: JobKind,
    pub started_at: Time,
    /// `None`: still running when the run ended.
    pub ended_at: Option<Time>,
    pub outcome: JobOutcome,
    pub detail: &'a str,
}

/// A span of one VM's health timeline, logged when it ends (or at the end of the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthSpan {
    pub vm: usize,
    pub from: Time,
    pub to: Time,
    pub health: Health,
    /// The rule that decided it (empty for Normal).
    pub reason: HealthReason,
}

/// An event line as stored: 24 bytes, its detail text in the log's shared text.
#[derive(Debug, Clone, Copy)]
struct StoredEvent {
    at: Time,
    /// A VM's index, or a link's when `link`.
    index: u32,
    link: bool,
    /// End of its detail in `EventLog::text`; it starts where the previous detail ended.
    detail_end: u32,
    kind: EventKind,
    from: Mark,
    to: Mark,
}

#[derive(Debug, Clone)]
struct StoredJob {
    vm: u32,
    job: JobKind,
    started_at: Time,
    ended_at: Option<Time>,
    outcome: JobOutcome,
    detail: Box<str>,
}

#[derive(Debug, Clone, Copy)]
struct StoredSpan {
    vm: u32,
    health: Health,
    from: Time,
    to: Time,
    reason: HealthReason,
}

/// The run's event log, jobs and health spans, in the order they were logged. Compact: an
/// event takes 24 bytes plus its detail text (most events have none), so a large estate's
/// log stays small beside its state; the log grows with notable events (state changes,
/// failures, jobs), never with replication cycles.
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    events: Vec<StoredEvent>,
    /// Every event's detail, one after the other.
    text: String,
    jobs: Vec<StoredJob>,
    health: Vec<StoredSpan>,
}

impl EventLog {
    pub fn event(
        &mut self,
        at: Time,
        vm: usize,
        kind: EventKind,
        from: Mark,
        to: Mark,
        detail: &str,
    ) {
        self.push(at, EventSubject::Vm(vm), kind, from, to, detail);
    }

    /// A line about link `link` as a whole (kind `link`).
    pub fn link_event(&mut self, at: Time, link: usize, detail: &str) {
        let (kind, none) = (EventKind::Link, Mark::None);
        self.push(at, EventSubject::Link(link), kind, none, none, detail);
    }

    fn push(
        &mut self,
        at: Time,
        subject: EventSubject,
        kind: EventKind,
        from: Mark,
        to: Mark,
        detail: &str,
    ) {
        let (index, link) = match subject {
            EventSubject::Vm(vm) => (vm, false),
            EventSubject::Link(l) => (l, true),
        };
        self.text.push_str(detail);
        self.events.push(StoredEvent {
            at,
            index: index as u32,
            link,
            detail_end: u32::try_from(self.text.len()).expect("event log text under 4 GiB"),
            kind,
            from,
            to,
        });
    }

    pub fn job(&mut self, job: JobRecord<'_>) {
        self.jobs.push(StoredJob {
            vm: job.vm as u32,
            job: job.job,
            started_at: job.started_at,
            ended_at: job.ended_at,
            outcome: job.outcome,
            detail: job.detail.into(),
        });
    }

    /// Rows held (events, jobs and health spans) and the bytes of their detail text.
    pub fn size(&self) -> (u64, u64) {
        let rows = self.events.len() + self.jobs.len() + self.health.len();
        (rows as u64, self.text.len() as u64)
    }

    pub fn health(&mut self, span: HealthSpan) {
        self.health.push(StoredSpan {
            vm: span.vm as u32,
            health: span.health,
            from: span.from,
            to: span.to,
            reason: span.reason,
        });
    }

    pub fn events(&self) -> impl Iterator<Item = EventRecord<'_>> + '_ {
        let mut start = 0usize;
        self.events.iter().map(move |e| {
            let end = e.detail_end as usize;
            let detail = &self.text[start..end];
            start = end;
            let index = e.index as usize;
            EventRecord {
                at: e.at,
                subject: if e.link {
                    EventSubject::Link(index)
                } else {
                    EventSubject::Vm(index)
                },
                kind: e.kind,
                from: e.from,
                to: e.to,
                detail,
            }
        })
    }

    pub fn jobs(&self) -> impl Iterator<Item = JobRecord<'_>> + '_ {
        self.jobs.iter().map(|j| JobRecord {
            vm: j.vm as usize,
            job: j.job,
            started_at: j.started_at,
            ended_at: j.ended_at,
            outcome: j.outcome,
            detail: &j.detail,
        })
    }

    pub fn health_spans(&self) -> impl Iterator<Item = HealthSpan> + '_ {
        self.health.iter().map(|h| HealthSpan {
            vm: h.vm as usize,
            from: h.from,
            to: h.to,
            health: h.health,
            reason: h.reason,
        })
    }

    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Bytes the log holds (its vectors' capacity and text), for the memory notes.
    pub fn heap_bytes(&self) -> usize {
        self.events.capacity() * std::mem::size_of::<StoredEvent>()
            + self.text.capacity()
            + self.jobs.capacity() * std::mem::size_of::<StoredJob>()
            + self.jobs.iter().map(|j| j.detail.len()).sum::<usize>()
            + self.health.capacity() * std::mem::size_of::<StoredSpan>()
    }
}

/// Per-VM results.
#[derive(Debug, Clone, PartialEq)]
pub struct VmResult {
    /// The VM's name; its host, site and link are the scenario's (see [`Placement`]).
    pub name: String,
    pub state: &'static str,
    pub disks: usize,
    pub virtual_size_bytes: u64,
    pub used_size_bytes: u64,
    pub protection_enabled_at: Option<Time>,
    pub initial_replication_started_at: Option<Time>,
    /// When the VM became protected (finalize done).
    pub protected_at: Option<Time>,
    /// From IR start to the last disk copied.
    pub initial_replication_ms: Option<Time>,
    pub enable_failure: Option<String>,
    pub target_rpo_ms: Time,
    pub rpo: RpoSummary,
    pub bytes_written: u64,
    pub bytes_replicated: u64,
    pub bytes_pending: u64,
    pub bytes_initial_copy: u64,
    pub cycles_done: u64,
    pub cycles_missed: u64,
    pub peak_log_bytes: u64,
    pub arrivals: Arrivals,
    /// Transfers (or attempts) that failed with a recoverable error.
    pub transfer_failures: u64,
    /// Retry attempts made after a failure.
    pub retries: u64,
    /// Resynchronizations, required or run, in order.
    pub resyncs: Vec<ResyncRecord>,
    /// Bytes written that the logs dropped (resync required, non-recoverable error) or never
    /// logged (tracking stopped); resyncs send their distinct blocks instead.
    pub bytes_discarded: u64,
    /// Bytes of differing blocks sent by completed resyncs.
    pub bytes_resync_sent: u64,
    /// Writes lost at unplanned failovers: pending then, or applied after the chosen point.
    pub bytes_lost: u64,
    /// Health at the end of the run and time spent Warning and Critical.
    pub health: &'static str,
    pub time_warning_ms: Time,
    pub time_critical_ms: Time,
    /// Last successful transfer to the target.
    pub last_sync_at: Option<Time>,
    /// Mean time from a log's close to its arrival, over the run.
    pub average_latency_ms: Option<f64>,
    /// Largest snapshot + log space this VM held on its host's volume.
    pub peak_volume_used_bytes: u64,
    /// azure-to-azure: how many times the "no new recovery point for 60 minutes" alert was
    /// raised, and the first time.
    pub point_alerts: u32,
    pub first_point_alert_at: Option<Time>,
}

/// One resynchronization of a VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResyncRecord {
    /// Why it was required.
    pub cause: ResyncCause,
    pub required_at: Time,
    pub started_at: Option<Time>,
    pub ended_at: Option<Time>,
    pub outcome: ResyncOutcome,
    /// Bytes read on each side to compare checksums.
    pub bytes_compared: u64,
    /// Differing blocks' bytes (sent, or to send if it did not complete).
    pub bytes_to_send: u64,
}

/// Delta logs that arrived at the target, with the RPO sampled just before each arrival (the
/// peak of each saw-tooth tooth). Empty logs are not counted. These are the figures the
/// canonical workload's SimPy peer reports.
///
/// One VM's: the sum of samples fits `u64` (at most 366 days of 30-second cycles, each
/// sample at most 366 days, is below 2^55), which keeps the per-VM state small; an estate's
/// totals are [`ArrivalTotals`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Arrivals {
    pub transfers: u64,
    pub bytes: u64,
    pub rpo_sum_ms: u64,
    pub rpo_max_ms: u64,
}

impl Arrivals {
    pub fn add(&mut self, rpo_ms: Time, bytes: u64) {
        self.transfers += 1;
        self.bytes += bytes;
        self.rpo_sum_ms += rpo_ms;
        self.rpo_max_ms = self.rpo_max_ms.max(rpo_ms);
    }

    /// Mean RPO sample in seconds; `None` without arrivals.
    pub fn rpo_mean_s(&self) -> Option<f64> {
        ArrivalTotals::from(*self).rpo_mean_s()
    }

    pub fn rpo_max_s(&self) -> Option<f64> {
        ArrivalTotals::from(*self).rpo_max_s()
    }
}

/// [`Arrivals`] of many VMs together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArrivalTotals {
    pub transfers: u64,
    pub bytes: u64,
    pub rpo_sum_ms: u128,
    pub rpo_max_ms: u64,
}

impl From<Arrivals> for ArrivalTotals {
    fn from(a: Arrivals) -> Self {
        ArrivalTotals {
            transfers: a.transfers,
            bytes: a.bytes,
            rpo_sum_ms: u128::from(a.rpo_sum_ms),
            rpo_max_ms: a.rpo_max_ms,
        }
    }
}

impl ArrivalTotals {
    pub fn merge(&mut self, other: &Arrivals) {
        self.transfers += other.transfers;
        self.bytes += other.bytes;
        self.rpo_sum_ms += u128::from(other.rpo_sum_ms);
        self.rpo_max_ms = self.rpo_max_ms.max(other.rpo_max_ms);
    }

    /// Mean RPO sample in seconds; `None` without arrivals.
    pub fn rpo_mean_s(&self) -> Option<f64> {
        (self.transfers > 0).then(|| self.rpo_sum_ms as f64 / self.transfers as f64 / 1000.0)
    }

    pub fn rpo_max_s(&self) -> Option<f64> {
        (self.transfers > 0).then(|| self.rpo_max_ms as f64 / 1000.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkResult {
    pub name: String,
    pub bytes_sent: u64,
    /// Bytes the link could have carried at its (throttled) capacity.
    pub bytes_offered: u64,
    /// Bytes sent over bytes offered.
    pub utilization_mean: Option<f64>,
    pub saturated_s: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HostResult {
    pub name: String,
    pub volume_free_bytes: Option<u64>,
    /// Largest snapshot + log usage seen at a sample instant.
    pub peak_volume_used_bytes: u64,
    /// Times the volume was full (a fixed fault, or its VMs' snapshots and logs reaching
    /// its free space).
    pub volume_full_events: u64,
    /// Attempts to start an initial replication or a resync that found the volume full and
    /// waited for the next one on the retry schedule.
    pub start_waits: u64,
}

/// Everything a run found.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    pub seed: u64,
    pub horizon: Time,
    pub events_processed: u64,
    pub vms: Vec<VmResult>,
    pub links: Vec<LinkResult>,
    pub hosts: Vec<HostResult>,
    /// Ordered failovers and failbacks, in order of their start.
    pub failovers: Vec<FailoverRecord>,
}

/// Where a VM runs, by name, from the scenario (results keep only the VM's own name: a large
/// estate's results would otherwise hold three more strings per VM).
pub struct Placement<'a> {
    pub host: &'a str,
    pub site: &'a str,
    /// Empty for azure-to-azure, which has no link.
    pub link: &'a str,
}

impl<'a> Placement<'a> {
    /// The placement of VM `vm` of `scenario`.
    pub fn of(scenario: &'a crate::model::Scenario, vm: usize) -> Self {
        let host = &scenario.hosts[scenario.vms[vm].host];
        let site = &scenario.sites[host.site];
        Placement {
            host: &host.name,
            site: &site.name,
            link: site.link.map_or("", |l| scenario.links[l].name.as_str()),
        }
    }
}

/// One failover (or failback) of a VM or a recovery plan.
#[derive(Debug, Clone, PartialEq)]
pub struct FailoverRecord {
    /// `test`, `planned`, `unplanned`, `failback`.
    pub kind: &'static str,
    /// The VM's or the plan's name.
    pub target: String,
    pub target_is_plan: bool,
    pub at: Time,
    /// When the last VM had booted and the steps after it were done; `None` if the run
    /// ended first or the plan was stopped.
    pub completed_at: Option<Time>,
    /// Why the plan stopped early (a failed script in a planned failover).
    pub stopped: Option<String>,
    pub groups: Vec<GroupRecord>,
    /// Scripts and manual actions, in the order they ran.
    pub steps: Vec<StepRecord>,
    pub vms: Vec<FailoverVmRecord>,
}

impl FailoverRecord {
    /// From the order to the last VM booted (steps after the last group do not count); only
    /// for a failover that completed.
    pub fn rto(&self) -> Option<Time> {
        self.completed_at?;
        let last_boot = self.vms.iter().filter_map(|v| v.booted_at).max()?;
        Some(last_boot - self.at)
    }
}

/// A group of a recovery plan (a single VM's failover has one group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    /// When its VMs started to boot.
    pub started_at: Option<Time>,
    /// When its last VM had booted (its steps after it not included).
    pub booted_at: Option<Time>,
    pub vms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    pub name: String,
    /// `script` or `manual`.
    pub kind: &'static str,
    /// The group it follows (`None`: before the first group).
    pub after_group: Option<usize>,
    pub started_at: Time,
    pub ended_at: Time,
    /// `succeeded`, `failed`, `timed-out`.
    pub outcome: &'static str,
}

/// What a failover did to one VM.
#[derive(Debug, Clone, PartialEq)]
pub struct FailoverVmRecord {
    pub vm: String,
    /// Why the VM was not failed over.
    pub refused: Option<String>,
    pub recovery_point_at: Option<Time>,
    /// `crash` or `app`.
    pub recovery_point_consistency: Option<&'static str>,
    /// Writes after the recovery point that the failover loses: their time window and bytes.
    pub data_loss_ms: Option<Time>,
    pub data_loss_bytes: Option<u64>,
    /// When the VM stopped writing at the source (shut down, or its site lost).
    pub source_stopped_at: Option<Time>,
    /// When its data was complete on the other side.
    pub ready_at: Option<Time>,
    pub boot_started_at: Option<Time>,
    pub booted_at: Option<Time>,
    /// The VM's state when the failover completed (or the run ended).
    pub state_after: &'static str,
}

impl FailoverVmRecord {
    /// From the source's stop to the boot at the other side, or to `end` (the end of the
    /// run) for a VM that never booted (a plan stopped by a failed script); none for a test
    /// failover or a VM taken out of the failover.
    pub fn downtime(&self, end: Time) -> Option<Time> {
        if self.refused.is_some() {
            return None;
        }
        let stopped = self.source_stopped_at?;
        Some(self.booted_at.unwrap_or(end).saturating_sub(stopped))
    }
}
