//! The world: per-VM runtime state around each state machine, the links and the hosts. It
//! turns events into machine inputs, carries out the actions the machines return, applies
//! injected faults, and keeps the books (bytes, recovery points, health, jobs, resyncs).

mod alert;
mod books;
mod cache;
mod cache_trouble;
mod check;
mod drive;
mod failover;
mod faults;
mod finish;
mod judge;
mod links;
mod observe;
mod path;
mod records;
mod start;
pub(super) use start::outage_windows as outage_windows_of;

use books::{Books, ColdBooks, Disks, HotBooks, Transfer};
use faults::StartKind;
use links::Links;
use observe::{Quick, VmWatch};
use path::DataPath;
use records::VmRecords;

use super::event::{self, Event};
use super::health::{self, Health, HealthClock};
use super::record::*;
use super::resync;
use super::series::{Series, VmPoint};
use crate::engine::{EventQueue, Lane, Model, RngStreams, RunCounts, Time};
use crate::model::faults::{AdminAction, ErrorTrigger, HostFaultKind, NonRecoverableError};
use crate::model::faults::{RandomOutages, RepairDistribution};
use crate::model::link::FlowId;
use crate::model::workload::{first_weighted_reaching, DiskWrites};
use crate::model::{ResyncStart, Scenario, Topology};
use crate::replication::{
    self as rep, Action, Actions, Input, Job, JobFailure, Replication, State,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal};
use std::num::NonZeroU64;

/// An optional instant in 8 bytes (an `Option<Time>` takes 16): part of the hot per-VM
/// state. Holds the instant plus one; instants stay far below `u64::MAX` (the horizon is at
/// most a year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct MaybeTime(Option<NonZeroU64>);

impl MaybeTime {
    const NONE: MaybeTime = MaybeTime(None);

    fn at(t: Time) -> Self {
        MaybeTime(NonZeroU64::new(t + 1))
    }

    fn get(self) -> Option<Time> {
        self.0.map(|n| n.get() - 1)
    }

    fn take(&mut self) -> Option<Time> {
        std::mem::take(self).get()
    }
}

/// Why a transfer cannot get through (a recoverable error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Blocked {
    LinkDown,
    SiteDown,
    LowMemory,
    /// azure-to-azure: the VM's cache storage account is out.
    CacheDown,
    HostDown,
}

impl Blocked {
    /// The health reason while it lasts.
    fn reason(self) -> HealthReason {
        match self {
            Blocked::LinkDown => HealthReason::LinkDown,
            Blocked::SiteDown => HealthReason::SiteDown,
            Blocked::LowMemory => HealthReason::LowMemory,
            Blocked::CacheDown => HealthReason::CacheDown,
            Blocked::HostDown => HealthReason::HostDown,
        }
    }
}

/// A VM's random non-recoverable errors: drawn per log transfer from its own stream.
struct ErrorDraws {
    rng: ChaCha8Rng,
    errors: Vec<(NonRecoverableError, f64)>,
}

/// The lazy deadline of the 50% rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ThresholdCheck {
    /// Nothing scheduled; arm when the VM watches its log size.
    Idle,
    /// A check is scheduled, no later than the crossing.
    Armed,
    /// The logs cannot reach the threshold before the horizon; the threshold's base only
    /// rises, so this never changes.
    Never,
}

/// A VM's state that a replication cycle touches (hot), kept apart from the rest
/// ([`VmCold`]) so that the cycles of a large estate walk fewer cache lines.
#[repr(align(64))]
struct Vm {
    machine: Replication,
    path: DataPath,
    /// An index as `u32` (see `policy()`): the hot state stays small.
    policy: u32,
    books: HotBooks,
    watch: VmWatch,
    /// Bumped when the machine stops its work: older transfer, retry and compare events are
    /// void.
    work_gen: u32,
    /// Bumped when delta cycles stop: older ticks are void.
    tick_gen: u32,
    /// How many of snapshot and log grow with its writes on its host volume (0 to 2), as of
    /// its last step: a rise re-arms a limited volume's check.
    volume_weight: u8,
    /// Its host volume has a declared free space (only then is `volume_weight` kept).
    volume_watched: bool,
    threshold: ThresholdCheck,
    /// The VM has random non-recoverable errors (`VmCold::errors`) to draw per log.
    draws_errors: bool,
}

impl Vm {
    #[inline(always)]
    fn policy(&self) -> usize {
        self.policy as usize
    }
}

/// A VM's state for jobs, faults, resyncs and the report: touched rarely.
#[derive(Default)]
struct VmCold {
    books: ColdBooks,
    records: VmRecords,
    /// Bumped per non-recoverable error: an older scheduled repair is void.
    repair_gen: u32,
    /// Why the transfer in progress last failed (the health and event logs say it).
    blocked: Option<Blocked>,
    /// Checksum comparison: time left, and when the running part started.
    compare_left_ms: Time,
    compare_started: Option<Time>,
    transfer_failures: u64,
    retries: u64,
    /// When the transfer in progress first failed (the VM could not send since then).
    failing_since: Time,
    health: HealthClock,
    /// azure-to-azure's 60-minute alert.
    alert: alert::PointAlert,
    /// The back-off position of a start (initial replication or resync) waiting for room
    /// on the host volume.
    start_waits: u32,
    /// When the next attempt of a waiting start falls, and its kind: a second start of the
    /// same kind in the meantime (an administrator's resynchronize, a window opening) joins
    /// that wait instead of starting a second chain of them.
    start_due: Option<(Time, faults::StartKind)>,
    /// Random non-recoverable errors, drawn per log transfer (`Vm::draws_errors`).
    errors: Option<Box<ErrorDraws>>,
    /// Failover state and the azure-to-azure cache pipe; boxed: most planning runs never
    /// need them, and a large estate pays for the space per VM.
    failover: Option<Box<failover::VmFailover>>,
}

impl VmCold {
    /// The VM's failover state, created on first use.
    fn failover(&mut self) -> &mut failover::VmFailover {
        self.failover.get_or_insert_with(Default::default)
    }

    /// The VM runs on the secondary side (failed over).
    fn at_secondary(&self) -> bool {
        self.failover.as_ref().is_some_and(|f| f.at_secondary)
    }
}

struct HostState {
    /// Low-memory windows in force.
    low_memory: u32,
    /// Crashes in force (fixed and random ones may overlap): the host is down.
    crashed: u32,
    vms: Vec<u32>,
    /// The volume has a declared free space: it is watched for running full.
    volume_limited: bool,
    /// Bumped when the volume check is re-armed: an older check is void.
    volume_gen: u32,
    /// A check at the current instant is scheduled (coalesces the re-arms of one instant).
    volume_recheck_due: bool,
    /// A `volume-full` fault keeps the volume full until then (0: none).
    full_until: Time,
    volume_full_events: u64,
    /// When the volume was last found full: what still holds space at that instant after
    /// every writer failed is not failed again (no loop within one instant).
    last_full_at: Option<Time>,
    /// Attempts to start an initial replication or a resync that found the volume full.
    start_waits: u64,
}

pub(super) struct World<'a> {
    scenario: &'a Scenario,
    /// The invariant checks of each step (see `sim::check`).
    check: crate::sim::check::Checker,
    /// The event log, jobs and health spans, kept in memory.
    log: EventLog,
    /// The time series, when the run keeps them.
    series: Option<Series>,
    vms: Vec<Vm>,
    cold: Vec<VmCold>,
    /// Every VM's disk cursors and marks (the books' share that is not per VM).
    disks: Disks,
    links: Links<'a>,
    hosts: Vec<HostState>,
    /// Queue lanes (see the engine docs) for the events that mostly come in time order: per
    /// policy its cycle ticks, link wake-ups, staleness checks.
    tick_lanes: Vec<Lane>,
    stale_lane: Lane,
    host_peak_volume: Vec<u64>,
    /// Host peaks are read before every drop of a VM's volume use, not only at samples.
    exact_host_peaks: bool,
    seed: u64,
    streams: RngStreams,
    /// Per site: losses in force.
    site_down: Vec<u32>,
    /// Link outages, low-memory windows and site losses in force, counted together:
    /// while none is, a transfer start skips looking for one.
    obstacles: u32,
    runs: Vec<failover::FailoverRun>,
    /// The scenario orders failovers: VMs keep their recovery points.
    keeps_points: bool,
    /// Some policy compresses (vmm-to-vmm): transfers go through `wire_bytes`.
    compresses: bool,
    /// `protect_after` triggers, when some VM has one.
    waits: Option<Box<start::Waits>>,
}

impl<'a> World<'a> {
    pub fn new(
        scenario: &'a Scenario,
        seed: u64,
        keep_series: bool,
        queue: &mut EventQueue<Event>,
    ) -> Self {
        let streams = RngStreams::new(seed);
        let disk_count = scenario.vms.iter().map(|v| v.disks.len()).sum();
        let mut disks = Disks::with_capacity(disk_count);
        let mut errors: Vec<Option<Box<ErrorDraws>>> =
            (0..scenario.vms.len()).map(|_| None).collect();
        for f in &scenario.faults.vm_errors {
            if let ErrorTrigger::PerTransfer(p) = f.trigger {
                errors[f.vm]
                    .get_or_insert_with(|| {
                        let name = &scenario.vms[f.vm].name;
                        Box::new(ErrorDraws {
                            rng: streams.stream(&format!("vm/{name}/errors")),
                            errors: Vec::new(),
                        })
                    })
                    .errors
                    .push((f.error, p));
            }
        }
        let vms = scenario
            .vms
            .iter()
            .zip(&errors)
            .map(|(spec, errors)| {
                let host = &scenario.hosts[spec.host];
                let site = &scenario.sites[host.site];
                let policy = &scenario.policies[site.policy];
                let books = disks.add_vm(spec.disks.iter().enumerate().map(|(i, d)| {
                    let rng = streams.stream(&format!("vm/{}/disk/{i}/workload", spec.name));
                    DiskWrites::new(d.workload.clone(), &scenario.calendar, rng)
                }));
                Vm {
                    machine: Replication::new(rep::Config {
                        disks: spec.disks.len() as u16,
                        copy_interval_ms: policy.copy_interval,
                        enable_job_ms: policy.enable_job,
                        finalize_job_ms: policy.finalize_job,
                        ir_scheduled: policy.initial_replication_start.is_some(),
                        // [ours] A VM protected at the start without a phase gets one from its
                        // name: cycles across an estate are staggered (as their protection
                        // times would have staggered them), and deterministically so.
                        first_tick_ms: spec.first_tick.unwrap_or_else(|| {
                            crate::engine::stable_hash(spec.name.as_bytes())
                                % policy.copy_interval.max(1)
                        }),
                        retry: policy.retry_reading,
                        protected_after_planned: scenario.topology == Topology::VmmToVmm,
                    }),
                    path: match site.link {
                        Some(l) => DataPath::Link(l as u32),
                        None => DataPath::Cache(Box::default()),
                    },
                    policy: site.policy as u32,
                    books,
                    watch: VmWatch::new(policy.target_rpo),
                    work_gen: 0,
                    tick_gen: 0,
                    volume_weight: 0,
                    volume_watched: scenario.hosts[spec.host].volume_free.is_some(),
                    threshold: ThresholdCheck::Idle,
                    draws_errors: errors.is_some(),
                }
            })
            .collect();
        let mut hosts: Vec<HostState> = scenario
            .hosts
            .iter()
            .map(|_| HostState {
                low_memory: 0,
                crashed: 0,
                vms: Vec::new(),
                volume_limited: false,
                volume_gen: 0,
                volume_recheck_due: false,
                full_until: 0,
                volume_full_events: 0,
                last_full_at: None,
                start_waits: 0,
            })
            .collect();
        for (host, spec) in hosts.iter_mut().zip(&scenario.hosts) {
            host.volume_limited = spec.volume_free.is_some();
        }
        for (i, spec) in scenario.vms.iter().enumerate() {
            let host = &mut hosts[spec.host];
            host.vms.push(i as u32);
        }
        let keeps_points = !scenario.failovers.operations.is_empty();
        let series = scenario.sample_step.filter(|_| keep_series).map(|step| {
            let samples = scenario.horizon.div_ceil(step.max(1)) as usize;
            Series::new(
                scenario.vms.len(),
                scenario.links.len(),
                scenario.hosts.len(),
                samples,
            )
        });
        World {
            scenario,
            check: crate::sim::check::Checker::new(false),
            log: EventLog::default(),
            series,
            cold: errors
                .into_iter()
                .map(|errors| VmCold {
                    errors,
                    ..Default::default()
                })
                .collect(),
            vms,
            disks,
            links: Links::new(scenario, queue),
            hosts,
            tick_lanes: scenario
                .policies
                .iter()
                .map(|_| queue.lane(event::TICK))
                .collect(),
            stale_lane: queue.lane(event::HEALTH),
            host_peak_volume: vec![0; scenario.hosts.len()],
            exact_host_peaks: false,
            seed,
            streams,
            site_down: vec![0; scenario.sites.len()],
            obstacles: 0,
            runs: Vec::new(),
            keeps_points,
            compresses: scenario.policies.iter().any(|p| p.compression_ratio != 1.0),
            waits: start::Waits::of(scenario),
        }
    }

    pub fn vm_count(&self) -> usize {
        self.vms.len()
    }

    /// Rows logged so far (events, jobs, health spans), their detail text's bytes, and the
    /// time series' samples: what the output budget measures during a run.
    pub fn output_so_far(&self) -> (u64, u64, u64) {
        let (rows, text) = self.log.size();
        (
            rows,
            text,
            self.series.as_ref().map_or(0, |s| s.len() as u64),
        )
    }

    pub fn state_kind(&self, vm: usize) -> rep::StateKind {
        self.vms[vm].machine.state().kind()
    }

    /// RPO time observed and time over target up to `now`: the closed ramps and the one
    /// running since the last recovery point change.
    pub fn rpo_so_far(&self, vm: usize, now: Time) -> (Time, Time) {
        self.vms[vm].watch.rpo_so_far(now)
    }

    fn log_event(
        &mut self,
        at: Time,
        vm: usize,
        kind: EventKind,
        from: Mark,
        to: Mark,
        detail: impl AsRef<str>,
    ) {
        self.log.event(at, vm, kind, from, to, detail.as_ref());
    }

    /// One VM's byte books.
    #[inline(always)]
    fn books(&mut self, vm: usize) -> Books<'_> {
        let cal = &self.scenario.calendar;
        self.disks
            .books(&mut self.vms[vm].books, &mut self.cold[vm].books, cal)
    }

    /// Set every disk mark of a VM to its writes by `now` (tracking starts from a clean slate).
    fn mark_all(&mut self, vm: usize, now: Time) -> u64 {
        self.vms[vm].path.log_closed(now);
        self.books(vm).mark_all(now)
    }

    /// [`Books::start_tracking`]; the cache pipe's log starts now too.
    fn start_tracking(&mut self, vm: usize, now: Time) -> u64 {
        self.vms[vm].path.log_closed(now);
        self.books(vm).start_tracking(now)
    }

    /// [`books::conserves`]: the byte books of `vm` balance.
    fn conserves_bytes(&self, vm: usize) -> bool {
        books::conserves(&self.vms[vm].books, &self.cold[vm].books)
    }
}

impl Model for World<'_> {
    type Event = Event;

    // Inlined into the engine's loop (its one caller): a call per event showed.
    #[inline(always)]
    fn handle(&mut self, now: Time, event: Event, queue: &mut EventQueue<Event>) {
        match event {
            Event::CapacityChange { link } => {
                self.links.update_capacity(now, link as usize, queue);
                if let Some(t) = self.scenario.calendar.next_change(now) {
                    queue.schedule(t, event.class(), event);
                }
            }
            Event::OutageStart { link } => self.outage_window_start(now, link as usize, queue),
            Event::OutageEnd { link } => self.outage_window_end(now, link as usize, queue),
            Event::SiteDown { site } => self.site_down(now, site as usize, queue),
            Event::SiteUp { site, disks_lost } => {
                self.site_up(now, site as usize, disks_lost, queue)
            }
            Event::Operation { index } => self.operation(now, index as usize, queue),
            Event::BootDone { run, slot } => {
                self.boot_done(now, run as usize, slot as usize, queue)
            }
            Event::Prepared { run, slot } => self.prepared(now, run as usize, slot as usize, queue),
            Event::ShutdownDone { run, slot } => {
                self.shutdown_done(now, run as usize, slot as usize, queue)
            }
            Event::PlanStepDone { run } => self.step_done(now, run as usize, queue),
            Event::CacheDone { vm, gen } => {
                let v = vm as usize;
                let current = gen == self.vms[v].work_gen;
                if current && self.vms[v].path.cache().is_some_and(|p| p.done(now)) {
                    self.transfer_done(now, v, queue);
                }
            }
            Event::DegradationStart { link, percent } => {
                self.degradation(now, link as usize, percent, queue)
            }
            Event::DegradationEnd { link } => self.degradation(now, link as usize, 100, queue),
            Event::LowMemoryStart { host } => self.low_memory_start(now, host as usize, queue),
            Event::CacheFaultStart { fault } => self.cache_fault(now, fault as usize, true, queue),
            Event::CacheFaultEnd { fault } => self.cache_fault(now, fault as usize, false, queue),
            Event::HostCrash { host } => self.host_crash(now, host as usize, queue),
            Event::HostRestart { host } => self.host_restart(now, host as usize, queue),
            Event::LowMemoryEnd { host } => {
                self.hosts[host as usize].low_memory -= 1;
                self.obstacles -= 1;
            }
            Event::VolumeFull { host, fault } => {
                let until = match self.scenario.faults.hosts[fault as usize].kind {
                    HostFaultKind::VolumeFull { until, .. } => until,
                    _ => unreachable!("a volume-full fault"),
                };
                self.volume_fault(now, host as usize, until, queue)
            }
            Event::VolumeCheck { host, gen } => {
                if gen == self.hosts[host as usize].volume_gen {
                    self.volume_check(now, host as usize, queue)
                }
            }
            Event::TransferFailed { vm, gen } => {
                if gen == self.vms[vm as usize].work_gen {
                    self.transfer_failed(now, vm as usize, queue)
                }
            }
            Event::RetryTimer { vm, gen } => {
                let v = vm as usize;
                if gen == self.vms[v].work_gen {
                    self.cold[v].retries += 1;
                    self.feed(now, v, Input::RetryTimer, queue)
                }
            }
            Event::ChecksumsCompared { vm, gen } => {
                if gen == self.vms[vm as usize].work_gen {
                    self.checksums_compared(now, vm as usize, queue)
                }
            }
            Event::CycleTick { vm, gen } => {
                if gen == self.vms[vm as usize].tick_gen {
                    self.feed_cycle_tick(now, vm as usize, queue)
                }
            }
            Event::LinkWake { link, gen } => {
                let l = link as usize;
                let Some(finished) = self.links.wake(now, l, gen, queue) else {
                    return;
                };
                for &flow in &finished {
                    self.transfer_done(now, flow as usize, queue);
                }
                self.links.finished_done(l, finished, queue);
            }
            Event::JobDone { vm, gen } => {
                let v = vm as usize;
                let (records, log) = (&mut self.cold[v].records, &mut self.log);
                let Some(ended) = records.job_done(now, v, gen, log) else {
                    return;
                };
                let name = ended.job.name();
                let detail = match &ended.failure {
                    Some(why) => format!("{name}: failed: {why}"),
                    None => format!("{name}: succeeded"),
                };
                self.log_event(now, v, EventKind::JobEnd, Mark::None, Mark::None, detail);
                let input = match ended.failure {
                    Some(why) => Input::JobFailed(ended.job, JobFailure(why)),
                    None => Input::JobSucceeded(ended.job),
                };
                self.feed(now, v, input, queue);
            }
            Event::VmError { vm, error } => {
                let v = vm as usize;
                let cause = ResyncCause::Error(error);
                let detail = cause.to_string();
                self.log_event(now, v, EventKind::Fault, Mark::None, Mark::None, detail);
                self.feed_because(now, v, Input::NonRecoverableError(error), cause, queue);
            }
            Event::LogThresholdCheck { vm } => self.threshold_check(now, vm as usize, queue),
            Event::StartResync { vm } => {
                // A stale window opening (the resync already started another way) is void.
                if self.vms[vm as usize].machine.state() == State::ResyncRequired {
                    self.try_start(now, vm as usize, StartKind::Resync, queue)
                }
            }
            Event::Repair { vm, gen } => {
                let v = vm as usize;
                if gen == self.cold[v].repair_gen
                    && self.vms[v].machine.state() == State::AdminRequired
                {
                    self.repair(now, v, RepairBy::ResponseTime, queue);
                }
            }
            Event::EnableProtection { vm } => {
                self.feed(now, vm as usize, Input::EnableProtection, queue)
            }
            Event::AssumeProtected { vm } => {
                self.feed(now, vm as usize, Input::AssumeProtected, queue)
            }
            Event::StartInitialReplication { vm } => {
                let v = vm as usize;
                if self.vms[v].machine.state() == State::InitialReplicationPending {
                    self.try_start(now, v, StartKind::InitialReplication, queue)
                } else {
                    self.feed(now, v, Input::StartInitialReplication, queue)
                }
            }
            Event::Admin { vm, action } => {
                let v = vm as usize;
                self.log_event(
                    now,
                    v,
                    EventKind::Admin,
                    Mark::None,
                    Mark::None,
                    action.name(),
                );
                match action {
                    AdminAction::Pause => self.feed(now, v, Input::Pause, queue),
                    AdminAction::Resume => self.feed(now, v, Input::Resume, queue),
                    AdminAction::Resynchronize
                        if self.vms[v].machine.state() == State::ResyncRequired =>
                    {
                        self.try_start(now, v, StartKind::Resync, queue)
                    }
                    AdminAction::Resynchronize => self.feed(now, v, Input::StartResync, queue),
                    AdminAction::CancelResync => self.feed(now, v, Input::CancelResync, queue),
                    AdminAction::Repair => self.repair(now, v, RepairBy::Administrator, queue),
                }
            }
            Event::HealthInterval { policy } => {
                let p = policy as usize;
                for vm in 0..self.vms.len() {
                    if self.vms[vm].policy() == p {
                        self.vms[vm].watch.new_interval();
                        self.refresh_health(now, vm, queue);
                    }
                }
                let step = self.scenario.policies[p].health_interval;
                queue.schedule(now + step, event.class(), event);
            }
            Event::PointAlertCheck { vm } => self.point_alert_check(now, vm as usize, queue),
            Event::HealthStale { vm } => {
                self.vms[vm as usize].watch.stale_check_fired();
                self.refresh_health(now, vm as usize, queue);
            }
            Event::Sample => {
                self.sample(now);
                if let Some(step) = self.scenario.sample_step {
                    queue.schedule(now + step, event.class(), event);
                }
            }
        }
    }
}

#[cfg(test)]
mod layout_tests {
    /// Every cycle touches all of a VM's hot state; in a large estate the other VMs' cycles
    /// evict it in between, so each cache line it spans is a miss per cycle.
    #[test]
    fn a_vms_hot_state_spans_seven_cache_lines() {
        assert_eq!(std::mem::align_of::<super::Vm>(), 64);
        assert!(std::mem::size_of::<super::Vm>() <= 7 * 64);
    }
}
