//! The world: per-VM runtime state around each state machine, the links and the hosts. It
//! turns events into machine inputs, carries out the actions the machines return, applies
//! injected faults, and keeps the books (bytes, recovery points, health, jobs, resyncs).

mod cache;
mod failover;

use super::event::{self, Event};
use super::health::{self, Health, HealthClock, IntervalStats};
use super::record::*;
use super::resync;
use super::series::{LinkPoint, Series, VmPoint};
use crate::engine::{EventQueue, Lane, Model, RngStreams, RunCounts, Time};
use crate::model::faults::{AdminAction, ErrorTrigger, HostFaultKind, NonRecoverableError};
use crate::model::faults::{RandomOutages, RepairDistribution};
use crate::model::link::{FairLink, FlowId};
use crate::model::workload::{first_time_reaching, DiskWrites};
use crate::model::{ResyncBasis, ResyncStart, Scenario, Topology};
use crate::replication::{
    self as rep, Action, Actions, Input, Job, JobFailure, Replication, State,
};
use crate::stats::RpoMonitor;
use crate::units::ByteRate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal};
use std::num::NonZeroU64;

/// [ours] The finest step at which a host volume with a size limit is checked for running
/// full; checks further apart are scheduled when the logs cannot fill it sooner.
const VOLUME_CHECK_MS: Time = 60_000;

/// `Vm::link()` of a VM whose site has no link (azure-to-azure: writes go to the cache).
const NO_LINK: usize = u32::MAX as usize;

/// What a VM is sending now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transfer {
    /// Initial replication of one disk's used bytes.
    Disk { bytes: u64 },
    /// A closed log, with the instant it was closed (its recovery point).
    Log { bytes: u64, closed_at: Time },
    /// A resync's differing blocks.
    Blocks { bytes: u64 },
}

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

/// A log that has arrived at the target and waits to be applied (merged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ArrivedLog {
    bytes: u64,
    closed_at: Time,
}

/// Cumulative guest writes of one disk at three instants the books need.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct DiskMarks {
    /// When the open log was opened.
    log_open: u64,
    /// Where the pending (logged, not applied) bytes begin: the 50% rule's base.
    pending_base: u64,
    /// The target's last consistent state: what a resync's checksums compare against.
    good: u64,
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
    /// Indices as `u32` (see `link()`, `policy()`): the hot state stays small.
    link: u32,
    policy: u32,
    /// This VM's disk cursors are `World::disks[disks.0 .. disks.0 + disks.1]`.
    disks: (u32, u32),
    /// Writes are being logged now.
    tracking: bool,
    /// Cumulative guest writes when the current log was opened (or tracking stopped).
    written_at_log_open: u64,
    transfer: Option<Transfer>,
    /// Bytes of `transfer` that have not arrived (all of it until a failure interrupts it).
    transfer_left: u64,
    arrived: Option<ArrivedLog>,
    bytes_replicated: u64,
    /// The IR snapshot exists (its copy-on-write space holds the bytes written since).
    snapshot_open: bool,
    recovery_point: MaybeTime,
    /// Start of the current RPO ramp (last recovery point change or protection).
    rpo_ramp_from: Time,
    rpo: RpoMonitor,
    /// Bumped when the machine stops its work: older transfer, retry and compare events are
    /// void.
    work_gen: u32,
    /// Bumped when delta cycles stop: older ticks are void.
    tick_gen: u32,
    threshold: ThresholdCheck,
    /// The VM has random non-recoverable errors (`VmCold::errors`) to draw per log.
    draws_errors: bool,
    /// `VmCold::health` is Normal (a copy for the inline health check).
    normal: bool,
    interval: IntervalStats,
    last_sync: MaybeTime,
    stale_check_pending: bool,
    /// Sum of the latencies of the `cycles_done` delta logs.
    latency_sum_ms: u64,
    cycles_done: u64,
    cycles_missed: u64,
    peak_log_bytes: u64,
    peak_volume_used: u64,
    arrivals: Arrivals,
}

impl Vm {
    /// The VM's link, or `NO_LINK`.
    #[inline(always)]
    fn link(&self) -> usize {
        self.link as usize
    }

    #[inline(always)]
    fn policy(&self) -> usize {
        self.policy as usize
    }
}

/// A VM's state for jobs, faults, resyncs and the report: touched rarely.
#[derive(Default)]
struct VmCold {
    /// Cumulative guest writes when write tracking first started (IR start or in sync).
    tracking_origin: Option<u64>,
    bytes_initial_copy: u64,
    bytes_discarded: u64,
    bytes_resync_sent: u64,
    /// Cumulative guest writes when the IR snapshot was taken.
    written_at_snapshot: u64,
    job_gen: u32,
    job_pending: Option<(Job, Option<String>, Time)>,
    /// Bumped per non-recoverable error: an older scheduled repair is void.
    repair_gen: u32,
    /// Why the transfer in progress last failed (the health and event logs say it).
    failure_reason: &'static str,
    /// Checksum comparison: time left, and when the running part started.
    compare_left_ms: Time,
    compare_started: Option<Time>,
    /// Why the next resync is required (set just before the input that requires it).
    cause: String,
    /// Boxed: most VMs never need one, and a large estate pays for the space per VM.
    resync: Option<Box<ResyncRecord>>,
    resyncs: Vec<ResyncRecord>,
    enabled_at: Option<Time>,
    ir_started_at: Option<Time>,
    ir_done_at: Option<Time>,
    protected_at: Option<Time>,
    enable_failure: Option<String>,
    transfer_failures: u64,
    retries: u64,
    health: HealthClock,
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

    /// Writes lost at unplanned failovers (the books' share; see `lose_writes_after_point`).
    fn bytes_lost(&self) -> u64 {
        self.failover.as_ref().map_or(0, |f| f.bytes_lost)
    }
}

struct Link {
    fair: FairLink,
    gen: u64,
    /// Outages in force (scheduled and random ones may overlap).
    down: u32,
    /// Capacity left by a degradation in force, in percent.
    percent: u8,
    /// Delivered bytes at the last sample, for per-step utilization.
    delivered_at_sample: u64,
    offered_at_sample: u64,
}

struct HostState {
    /// Low-memory windows in force.
    low_memory: u32,
    vms: Vec<u32>,
    /// The fastest its VMs' snapshots and logs can grow together (each write may land in a
    /// log and in an IR snapshot's copy-on-write space).
    max_growth: ByteRate,
    volume_full_events: u64,
}

pub(super) struct World<'a> {
    scenario: &'a Scenario,
    /// The event log, jobs and health spans, kept in memory.
    log: EventLog,
    /// The time series, when the run keeps them.
    series: Option<Series>,
    vms: Vec<Vm>,
    cold: Vec<VmCold>,
    /// Every VM's disk cursors, VM after VM: one allocation, walked in VM order.
    disks: Vec<DiskWrites>,
    marks: Vec<DiskMarks>,
    links: Vec<Link>,
    hosts: Vec<HostState>,
    /// Queue lanes (see the engine docs) for the events that mostly come in time order: per
    /// policy its cycle ticks, link wake-ups, staleness checks.
    tick_lanes: Vec<Lane>,
    wake_lane: Lane,
    stale_lane: Lane,
    host_peak_volume: Vec<u64>,
    /// A reused buffer: link completions allocate nothing per event.
    finished: Vec<FlowId>,
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
        let mut all_disks = Vec::with_capacity(disk_count);
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
                let first = all_disks.len() as u32;
                all_disks.extend(spec.disks.iter().enumerate().map(|(i, d)| {
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
                    link: site.link.map_or(NO_LINK, |l| l) as u32,
                    policy: site.policy as u32,
                    disks: (first, spec.disks.len() as u32),
                    tracking: false,
                    written_at_log_open: 0,
                    transfer: None,
                    transfer_left: 0,
                    arrived: None,
                    bytes_replicated: 0,
                    snapshot_open: false,
                    recovery_point: MaybeTime::NONE,
                    rpo_ramp_from: 0,
                    rpo: RpoMonitor::new(policy.target_rpo),
                    work_gen: 0,
                    tick_gen: 0,
                    threshold: ThresholdCheck::Idle,
                    draws_errors: errors.is_some(),
                    normal: false,
                    interval: IntervalStats::default(),
                    last_sync: MaybeTime::NONE,
                    stale_check_pending: false,
                    latency_sum_ms: 0,
                    cycles_done: 0,
                    cycles_missed: 0,
                    peak_log_bytes: 0,
                    peak_volume_used: 0,
                    arrivals: Arrivals::default(),
                }
            })
            .collect();
        let links = scenario
            .links
            .iter()
            .map(|l| Link {
                fair: FairLink::new(
                    l.capacity_at(scenario.calendar.is_work_time(0)),
                    l.per_vm_cap,
                ),
                gen: 0,
                down: 0,
                percent: 100,
                delivered_at_sample: 0,
                offered_at_sample: 0,
            })
            .collect();
        let mut hosts: Vec<HostState> = scenario
            .hosts
            .iter()
            .map(|_| HostState {
                low_memory: 0,
                vms: Vec::new(),
                max_growth: ByteRate(0),
                volume_full_events: 0,
            })
            .collect();
        for (i, spec) in scenario.vms.iter().enumerate() {
            let host = &mut hosts[spec.host];
            host.vms.push(i as u32);
            for d in &spec.disks {
                let twice = d.workload.max_rate().0.saturating_mul(2);
                host.max_growth = ByteRate(host.max_growth.0.saturating_add(twice));
            }
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
            marks: vec![DiskMarks::default(); all_disks.len()],
            disks: all_disks,
            links,
            hosts,
            tick_lanes: scenario
                .policies
                .iter()
                .map(|_| queue.lane(event::TICK))
                .collect(),
            wake_lane: queue.lane(event::TRANSFER),
            stale_lane: queue.lane(event::HEALTH),
            host_peak_volume: vec![0; scenario.hosts.len()],
            finished: Vec::new(),
            seed,
            streams,
            site_down: vec![0; scenario.sites.len()],
            obstacles: 0,
            runs: Vec::new(),
            keeps_points,
            compresses: scenario.policies.iter().any(|p| p.compression_ratio != 1.0),
        }
    }

    pub fn schedule_start(&mut self, queue: &mut EventQueue<Event>) {
        let sc = self.scenario;
        let at = |queue: &mut EventQueue<Event>, t: Time, ev: Event| {
            if t < sc.horizon {
                queue.schedule(t, ev.class(), ev)
            }
        };
        for (i, spec) in sc.vms.iter().enumerate() {
            let vm = i as u32;
            if spec.protected_at_start {
                at(queue, 0, Event::AssumeProtected { vm });
            } else {
                at(queue, spec.protect_at, Event::EnableProtection { vm });
            }
        }
        for (i, l) in sc.links.iter().enumerate() {
            let link = i as u32;
            let mut windows = l.outages.clone();
            if let Some(random) = l.random_outages {
                let mut rng = self.streams.stream(&format!("link/{}/outages", l.name));
                windows.extend(random_outage_windows(random, sc.horizon, &mut rng));
            }
            for (start, end) in windows {
                at(queue, start, Event::OutageStart { link });
                at(queue, end, Event::OutageEnd { link });
            }
            for d in &l.degradations {
                let percent = d.percent;
                at(queue, d.start, Event::DegradationStart { link, percent });
                at(queue, d.end, Event::DegradationEnd { link });
            }
            if l.is_throttled() {
                if let Some(t) = sc.calendar.next_change(0) {
                    at(queue, t, Event::CapacityChange { link });
                }
            }
        }
        for f in &sc.faults.hosts {
            let host = f.host as u32;
            match f.kind {
                HostFaultKind::LowMemory { start, end } => {
                    at(queue, start, Event::LowMemoryStart { host });
                    at(queue, end, Event::LowMemoryEnd { host });
                }
                HostFaultKind::VolumeFull { at: t } => at(queue, t, Event::VolumeFull { host }),
            }
        }
        for (i, h) in sc.hosts.iter().enumerate() {
            if h.volume_free.is_some() {
                at(
                    queue,
                    VOLUME_CHECK_MS,
                    Event::VolumeCheck { host: i as u32 },
                );
            }
        }
        for f in &sc.faults.vm_errors {
            if let ErrorTrigger::At(t) = f.trigger {
                let (vm, error) = (f.vm as u32, f.error);
                at(queue, t, Event::VmError { vm, error });
            }
        }
        for a in &sc.faults.actions {
            let (vm, action) = (a.vm as u32, a.action);
            at(queue, a.at, Event::Admin { vm, action });
        }
        for (i, _) in sc.failovers.operations.iter().enumerate() {
            let op = &sc.failovers.operations[i];
            at(queue, op.at, Event::Operation { index: i as u32 });
        }
        for e in &sc.failovers.site_events {
            let site = e.site as u32;
            at(queue, e.down_at, Event::SiteDown { site });
            if let Some(up) = e.up_at {
                let disks_lost = e.disks_lost;
                at(queue, up, Event::SiteUp { site, disks_lost });
            }
        }
        for (i, p) in sc.policies.iter().enumerate() {
            let first = first_interval_boundary(
                &sc.calendar,
                p.health_interval_start_min,
                p.health_interval,
            );
            at(queue, first, Event::HealthInterval { policy: i as u32 });
        }
        if sc.sample_step.is_some() {
            at(queue, 0, Event::Sample);
        }
    }

    pub fn vm_count(&self) -> usize {
        self.vms.len()
    }

    pub fn state_kind(&self, vm: usize) -> rep::StateKind {
        self.vms[vm].machine.state().kind()
    }

    /// RPO time observed and time over target up to `now`: the closed ramps and the one
    /// running since the last recovery point change.
    pub fn rpo_so_far(&self, vm: usize, now: Time) -> (Time, Time) {
        let v = &self.vms[vm];
        let (mut observed, mut met) = (v.rpo.observed_ms(), v.rpo.met_ms());
        if let Some(rp) = v.recovery_point.get() {
            let (start, dur) = (v.rpo_ramp_from - rp, now.saturating_sub(v.rpo_ramp_from));
            observed += dur;
            met += v.rpo.target_ms().saturating_sub(start).min(dur);
        }
        (observed, observed - met)
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

    fn log_job(
        &mut self,
        vm: usize,
        job: &'static str,
        started_at: Time,
        ended_at: Option<Time>,
        outcome: &'static str,
        detail: impl AsRef<str>,
    ) {
        let detail = detail.as_ref();
        self.log.job(JobRecord {
            vm,
            job,
            started_at,
            ended_at,
            outcome,
            detail,
        });
    }

    fn disk_range(&self, vm: usize) -> std::ops::Range<usize> {
        let (first, count) = self.vms[vm].disks;
        first as usize..(first + count) as usize
    }

    /// Cumulative guest writes of a VM by `now`.
    // Inlined here and below: on every cycle's path, where the call cost showed.
    #[inline(always)]
    fn written(&mut self, vm: usize, now: Time) -> u64 {
        let cal = &self.scenario.calendar;
        let range = self.disk_range(vm);
        self.disks[range]
            .iter_mut()
            .map(|d| d.written_by(now, cal))
            .sum()
    }

    /// Cumulative guest writes of a VM by `now`, also stored per disk as `mark`.
    fn written_marking(
        &mut self,
        vm: usize,
        now: Time,
        mark: fn(&mut DiskMarks) -> &mut u64,
    ) -> u64 {
        let cal = &self.scenario.calendar;
        let range = self.disk_range(vm);
        let mut total = 0;
        for (d, m) in self.disks[range.clone()]
            .iter_mut()
            .zip(&mut self.marks[range])
        {
            let w = d.written_by(now, cal);
            *mark(m) = w;
            total += w;
        }
        total
    }

    /// Set every disk mark of a VM to its writes by `now` (tracking starts from a clean slate).
    fn mark_all(&mut self, vm: usize, now: Time) -> u64 {
        if self.vms[vm].link() == NO_LINK {
            self.cache_log_closed(now, vm);
        }
        let w = self.written_marking(vm, now, |m| &mut m.log_open);
        let range = self.disk_range(vm);
        for m in &mut self.marks[range] {
            m.pending_base = m.log_open;
            m.good = m.log_open;
        }
        w
    }

    /// Start tracking writes from a clean slate at `now` (initial replication, or in sync):
    /// the first time sets the books' origin; later (after a repaired error, a planned
    /// failover) what was written untracked in between is discarded. Returns the writes by
    /// `now`.
    fn start_tracking(&mut self, vm: usize, now: Time) -> u64 {
        let w = self.mark_all(vm, now);
        let (v, c) = (&mut self.vms[vm], &mut self.cold[vm]);
        match c.tracking_origin {
            Some(_) => c.bytes_discarded += w - v.written_at_log_open,
            None => c.tracking_origin = Some(w),
        }
        v.tracking = true;
        v.written_at_log_open = w;
        w
    }

    /// Feed `input` to a VM's machine and carry out the actions.
    #[inline(always)]
    fn feed(&mut self, now: Time, vm: usize, input: Input, queue: &mut EventQueue<Event>) {
        self.try_feed(now, vm, input, queue);
    }

    /// [`World::feed`], telling whether the machine accepted the input (a refusal is logged).
    #[inline(never)]
    fn try_feed(
        &mut self,
        now: Time,
        vm: usize,
        input: Input,
        queue: &mut EventQueue<Event>,
    ) -> bool {
        self.feed_inline(now, vm, input, queue)
    }

    /// [`World::feed`] for the inputs of every replication cycle: the input is known where
    /// this copy is compiled, so the state machine's match on it folds away.
    #[inline(never)]
    fn feed_cycle_tick(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        self.feed_inline(now, vm, Input::CycleTick, queue);
    }

    /// As [`World::feed_cycle_tick`].
    #[inline(never)]
    fn feed_transfer_done(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        self.feed_inline(now, vm, Input::TransferDone, queue);
    }

    // Inlined into each of the three entry points above, with what it calls on a cycle's
    // path (the machine's step, `act`, `after_step`, `start_transfer`): otherwise LLVM keeps
    // one shared out-of-line copy and nothing folds.
    #[inline(always)]
    fn feed_inline(
        &mut self,
        now: Time,
        vm: usize,
        input: Input,
        queue: &mut EventQueue<Event>,
    ) -> bool {
        let mut actions = Actions::default();
        let from = self.vms[vm].machine.state();
        let accepted = match self.vms[vm].machine.step(&input, &mut actions) {
            Ok(to) => {
                if to.kind() != from.kind() {
                    let detail = match &input {
                        Input::JobFailed(job, JobFailure(why)) => {
                            format!("{} failed: {why}", job.name())
                        }
                        Input::NonRecoverableError(e) => e.message().to_string(),
                        _ if to == State::ResyncRequired => self.cold[vm].cause.clone(),
                        _ => String::new(),
                    };
                    self.log_event(
                        now,
                        vm,
                        EventKind::State,
                        Mark::State(from.kind()),
                        Mark::State(to.kind()),
                        detail,
                    );
                    self.on_state_change(now, vm, from, to, &input);
                }
                for action in actions.as_slice() {
                    self.act(now, vm, from, action, queue);
                }
                self.after_step(now, vm, queue);
                true
            }
            Err(refused) => {
                self.log_event(
                    now,
                    vm,
                    EventKind::Refused,
                    Mark::State(from.kind()),
                    Mark::State(from.kind()),
                    refused.to_string(),
                );
                false
            }
        };
        debug_assert!(
            self.conserves_bytes(vm),
            "byte conservation broken for VM {vm}"
        );
        accepted
    }

    /// Bookkeeping of resync runs when the coarse state changes.
    fn on_state_change(&mut self, now: Time, vm: usize, from: State, to: State, input: &Input) {
        use State as S;
        let v = &mut self.cold[vm];
        let resyncing = matches!(from, S::Resynchronizing(_) | S::ResyncPaused(_));
        let ended = match (from, to) {
            (S::Resynchronizing(_), S::Protected { .. }) => None, // ResyncComplete closes it
            (S::ResyncRequired, S::Resynchronizing(_)) => None,
            (_, S::ResyncPaused(_)) | (S::ResyncPaused(_), S::Resynchronizing(_)) => None,
            (_, S::ResyncRequired) if resyncing => Some(match input {
                Input::CancelResync => "cancelled",
                _ => "restarted",
            }),
            (S::ResyncRequired | S::Resynchronizing(_) | S::ResyncPaused(_), S::AdminRequired) => {
                Some("interrupted")
            }
            (S::ResyncRequired | S::Resynchronizing(_) | S::ResyncPaused(_), S::FailedOver) => {
                Some("cancelled")
            }
            _ => None,
        };
        if let Some(outcome) = ended {
            let job_outcome = if outcome == "cancelled" {
                "cancelled"
            } else {
                "failed"
            };
            let detail = format!("{outcome}: {}", v.cause);
            self.close_resync(now, vm, outcome, job_outcome, detail);
        }
        let v = &mut self.cold[vm];
        // Reverse replication and failback synchronize the way a resync does.
        let sync_cause = match (from, to) {
            (S::FailoverCommitted, S::Resynchronizing(_)) => Some("reverse replication"),
            (S::FailoverCommitted, S::FailingOver(rep::FailoverStep::Comparing)) => {
                Some("failback synchronization")
            }
            _ => None,
        };
        if let Some(cause) = sync_cause {
            v.cause = cause.to_string();
        }
        if (to == S::ResyncRequired || sync_cause.is_some()) && v.resync.is_none() {
            if matches!(input, Input::CancelResync) {
                v.cause = format!("restart after cancel ({})", v.cause);
            }
            v.resync = Some(Box::new(ResyncRecord {
                cause: v.cause.clone(),
                required_at: now,
                started_at: None,
                ended_at: None,
                outcome: "waiting",
                bytes_compared: 0,
                bytes_to_send: 0,
            }));
        }
        if to == S::AdminRequired {
            // Jobs that the error cut short.
            if let Some((job, _, started)) = v.job_pending.take() {
                v.job_gen += 1;
                let why = v.cause.clone();
                self.log_job(vm, job.name(), started, Some(now), "failed", &why);
            }
            let v = &mut self.cold[vm];
            if let (Some(started), None) = (v.ir_started_at, v.ir_done_at) {
                if matches!(from, S::InitialReplication { .. }) {
                    let why = v.cause.clone();
                    self.log_job(
                        vm,
                        "Initial replication",
                        started,
                        Some(now),
                        "failed",
                        &why,
                    );
                }
            }
        }
    }

    /// End the VM's resync record with `outcome`; one that had started also ends its job.
    fn close_resync(
        &mut self,
        now: Time,
        vm: usize,
        outcome: &'static str,
        job_outcome: &'static str,
        detail: String,
    ) {
        let c = &mut self.cold[vm];
        let Some(mut record) = c.resync.take() else {
            return;
        };
        record.outcome = outcome;
        let started = record.started_at;
        if started.is_some() {
            record.ended_at = Some(now);
        }
        c.resyncs.push(*record);
        if let Some(started) = started {
            self.log_job(
                vm,
                "Resynchronize",
                started,
                Some(now),
                job_outcome,
                &detail,
            );
        }
    }

    /// After every accepted input: arm the 50% rule's check and judge the health again.
    #[inline(always)]
    fn after_step(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let state = self.vms[vm].machine.state();
        if state.watches_log_size() && self.vms[vm].threshold == ThresholdCheck::Idle {
            self.arm_threshold(now, vm, queue);
        }
        self.refresh_health(now, vm, queue);
    }

    /// Schedule the 50% rule's check at the instant the pending bytes would reach the
    /// threshold if nothing were applied before: exact, and lazy (a check that finds the base
    /// has risen since schedules itself again).
    fn arm_threshold(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let sc = self.scenario;
        let policy = &sc.policies[self.vms[vm].policy()];
        let spec = &sc.vms[vm];
        let range = self.disk_range(vm);
        let threshold = |size: u64| {
            (u128::from(size) * u128::from(policy.resync_threshold_ppm)).div_ceil(1_000_000) as u64
        };
        let disks = &self.disks[range.clone()];
        let marks = &self.marks[range];
        let crossing = match policy.resync_basis {
            ResyncBasis::Vm => {
                let base: u64 = marks.iter().map(|m| m.pending_base).sum();
                let target = base + threshold(spec.virtual_size());
                first_time_reaching(disks, now, target, sc.horizon, &sc.calendar)
            }
            ResyncBasis::Disk => (0..disks.len())
                .filter_map(|d| {
                    let target = marks[d].pending_base + threshold(spec.disks[d].size.0);
                    first_time_reaching(&disks[d..=d], now, target, sc.horizon, &sc.calendar)
                })
                .min(),
        };
        let v = &mut self.vms[vm];
        match crossing {
            Some(at) => {
                v.threshold = ThresholdCheck::Armed;
                let ev = Event::LogThresholdCheck { vm: vm as u32 };
                queue.schedule(at, ev.class(), ev);
            }
            None => v.threshold = ThresholdCheck::Never,
        }
    }

    fn threshold_check(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        if self.vms[vm].threshold != ThresholdCheck::Armed {
            return;
        }
        self.vms[vm].threshold = ThresholdCheck::Idle;
        if !self.vms[vm].machine.state().watches_log_size() {
            return;
        }
        let sc = self.scenario;
        let policy = &sc.policies[self.vms[vm].policy()];
        let pending = self.pending_log_bytes(vm, now);
        let reached = match policy.resync_basis {
            ResyncBasis::Vm => {
                u128::from(pending) * 1_000_000
                    >= u128::from(sc.vms[vm].virtual_size())
                        * u128::from(policy.resync_threshold_ppm)
            }
            ResyncBasis::Disk => {
                let range = self.disk_range(vm);
                let cal = &sc.calendar;
                self.disks[range.clone()]
                    .iter_mut()
                    .zip(&self.marks[range])
                    .zip(&sc.vms[vm].disks)
                    .any(|((d, m), spec)| {
                        u128::from(d.written_by(now, cal) - m.pending_base) * 1_000_000
                            >= u128::from(spec.size.0) * u128::from(policy.resync_threshold_ppm)
                    })
            }
        };
        if reached {
            let percent = f64::from(policy.resync_threshold_ppm) / 10_000.0;
            let basis = match policy.resync_basis {
                ResyncBasis::Vm => "the VM's virtual size",
                ResyncBasis::Disk => "a disk's size",
            };
            self.cold[vm].cause = format!("pending log reached {percent}% of {basis}");
            self.feed(now, vm, Input::LogThresholdReached, queue);
        } else {
            self.arm_threshold(now, vm, queue);
        }
    }

    /// Judge the VM's health now; record a change; keep a staleness check scheduled.
    #[inline(always)]
    fn refresh_health(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        // The common case, checked inline: a protected VM that can send, Normal, whose
        // interval statistics still rate it Normal and whose last send is under an hour old
        // (or that never sent and has its staleness check scheduled). The full judgement
        // would change nothing but schedule the staleness check, done here too: a staleness
        // check that finds a recent send (once an hour per VM) then skips the VM's cold
        // state, which in a large estate is a cache miss.
        let v = &mut self.vms[vm];
        if v.normal
            && matches!(v.machine.state(), State::Protected { .. })
            && !v.machine.failing()
            && !v.interval.missed_too_often()
            && !v.interval.latency_too_high()
        {
            match v.last_sync.get() {
                Some(last) if now - last <= health::STALE_AFTER_MS => {
                    if !v.stale_check_pending {
                        self.schedule_stale_check(vm, last, queue);
                    }
                    return;
                }
                None if v.stale_check_pending => return,
                _ => {}
            }
        }
        self.judge_health(now, vm, queue);
    }

    /// [`World::refresh_health`] in full (rare once protected: kept out of line).
    #[inline(never)]
    fn judge_health(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let v = &mut self.vms[vm];
        let state = v.machine.state();
        let observed = health::Observed {
            state,
            cannot_send: v.machine.failing(),
            since_last_sync_ms: v.last_sync.get().map(|t| now - t),
            interval: v.interval,
        };
        let (h, reason) = health::judge(&observed);
        // [src] azure-to-azure raises its alert after 60 minutes without a new point: the
        // same hour, since a point is what a completed transfer makes there.
        let reason = if reason == health::NO_SEND_FOR_AN_HOUR
            && self.scenario.topology == Topology::AzureToAzure
        {
            "no new recovery point for 60 minutes"
        } else {
            reason
        };
        let reason = if h == Health::Critical
            && observed.cannot_send
            && !self.cold[vm].failure_reason.is_empty()
        {
            self.cold[vm].failure_reason
        } else {
            reason
        };
        v.normal = h == Health::Normal;
        if let Some((old, old_reason, since)) = self.cold[vm].health.set(now, h, reason) {
            if now > since {
                self.log.health(HealthSpan {
                    vm,
                    from: since,
                    to: now,
                    health: old,
                    reason: old_reason,
                });
            }
            self.log_event(
                now,
                vm,
                EventKind::Health,
                Mark::Health(old),
                Mark::Health(h),
                reason,
            );
        }
        let v = &mut self.vms[vm];
        if matches!(state, State::Protected { .. }) && !v.stale_check_pending {
            let last_sync = v.last_sync.get();
            if let Some(last) = last_sync.filter(|&t| now - t <= health::STALE_AFTER_MS) {
                self.schedule_stale_check(vm, last, queue);
            }
        }
    }

    /// Check the VM's health again just after an hour without a send since `last`.
    #[inline(always)]
    fn schedule_stale_check(&mut self, vm: usize, last: Time, queue: &mut EventQueue<Event>) {
        self.vms[vm].stale_check_pending = true;
        let ev = Event::HealthStale { vm: vm as u32 };
        queue.schedule_in_lane(self.stale_lane, last + health::STALE_AFTER_MS + 1, ev);
    }

    /// domain.md section 9: every byte the logs captured is applied, in flight, waiting to be
    /// merged, or was discarded for a resync. (Bytes in the open log are the rest of
    /// `written`.)
    fn conserves_bytes(&self, vm: usize) -> bool {
        let (v, c) = (&self.vms[vm], &self.cold[vm]);
        let Some(origin) = c.tracking_origin else {
            return v.bytes_replicated == 0;
        };
        let in_flight = match v.transfer {
            Some(Transfer::Log { bytes, .. }) => bytes,
            _ => 0,
        };
        v.written_at_log_open - origin
            == v.bytes_replicated
                + in_flight
                + v.arrived.map_or(0, |a| a.bytes)
                + c.bytes_discarded
                + c.bytes_lost()
    }

    #[inline(always)]
    fn act(
        &mut self,
        now: Time,
        vm: usize,
        from: State,
        action: &Action,
        queue: &mut EventQueue<Event>,
    ) {
        match *action {
            Action::StartJob { job, duration_ms } => {
                let failure = match job {
                    Job::EnableProtection => {
                        self.cold[vm].enabled_at = Some(now);
                        match self.scenario.topology {
                            Topology::HyperVToAzure => {
                                self.scenario.vms[vm].azure_support_violation()
                            }
                            _ => None,
                        }
                    }
                    Job::FinalizeProtection => None,
                };
                let v = &mut self.cold[vm];
                v.job_gen += 1;
                // Finalize protection includes sending the logs written during IR.
                let started = match job {
                    Job::FinalizeProtection => v.ir_done_at.unwrap_or(now),
                    Job::EnableProtection => now,
                };
                v.job_pending = Some((job, failure, started));
                let ev = Event::JobDone {
                    vm: vm as u32,
                    gen: v.job_gen,
                };
                queue.schedule(now + duration_ms, ev.class(), ev);
                self.log_event(
                    now,
                    vm,
                    EventKind::JobStart,
                    Mark::None,
                    Mark::None,
                    job.name(),
                );
            }
            Action::ScheduleInitialReplication => {
                let at = self.scenario.policies[self.vms[vm].policy()]
                    .initial_replication_start
                    .unwrap_or(now)
                    .max(now);
                let ev = Event::StartInitialReplication { vm: vm as u32 };
                queue.schedule(at, ev.class(), ev);
            }
            Action::StartInitialReplication => {
                let w = self.start_tracking(vm, now);
                let (v, c) = (&mut self.vms[vm], &mut self.cold[vm]);
                c.ir_started_at = Some(now);
                c.ir_done_at = None;
                v.snapshot_open = true;
                c.written_at_snapshot = w;
                self.log_event(
                    now,
                    vm,
                    EventKind::JobStart,
                    Mark::None,
                    Mark::None,
                    "Initial replication",
                );
            }
            Action::CopyDisk { disk } => {
                let bytes = self.scenario.vms[vm].disks[disk as usize].used.0;
                self.vms[vm].transfer = Some(Transfer::Disk { bytes });
                let wire = self.wire_bytes(vm, bytes);
                self.start_transfer(now, vm, wire, None, queue);
            }
            Action::ScheduleRetry { attempt, after_ms } => {
                let v = &self.vms[vm];
                let ev = Event::RetryTimer {
                    vm: vm as u32,
                    gen: v.work_gen,
                };
                queue.schedule(now + after_ms, ev.class(), ev);
                let detail = format!("retry {attempt} in {}", crate::units::Millis(after_ms));
                self.log_event(
                    now,
                    vm,
                    EventKind::RetryWait,
                    Mark::None,
                    Mark::None,
                    detail,
                );
            }
            Action::ResumeTransfer => {
                let left = self.vms[vm].transfer_left;
                self.start_transfer(now, vm, left, None, queue);
            }
            Action::DeleteSnapshot => {
                let (pending, snapshot) = self.volume_bytes(vm, now);
                let v = &mut self.vms[vm];
                v.peak_volume_used = v.peak_volume_used.max(pending + snapshot);
                v.snapshot_open = false;
                let c = &mut self.cold[vm];
                c.ir_done_at = Some(now);
                let started = c.ir_started_at.unwrap_or(now);
                let detail = format!("{} disk(s) copied", self.scenario.vms[vm].disks.len());
                self.log_job(
                    vm,
                    "Initial replication",
                    started,
                    Some(now),
                    "succeeded",
                    detail,
                );
            }
            Action::CloseAndSendLog { .. } => {
                let disk_max = (self.vms[vm].link() == NO_LINK).then(|| self.log_disk_max(vm, now));
                let w = self.written_marking(vm, now, |m| &mut m.log_open);
                let v = &mut self.vms[vm];
                let bytes = w - v.written_at_log_open;
                v.written_at_log_open = w;
                v.transfer = Some(Transfer::Log {
                    bytes,
                    closed_at: now,
                });
                if matches!(from, State::Protected { .. }) {
                    v.interval.cycles += 1;
                }
                if v.draws_errors {
                    let draws = self.cold[vm].errors.as_mut().expect("the VM draws errors");
                    let ErrorDraws { rng, errors } = &mut **draws;
                    let hit = errors
                        .iter()
                        .find(|&&(_, p)| rng.gen::<f64>() < p)
                        .map(|&(e, _)| e);
                    if let Some(error) = hit {
                        let ev = Event::VmError {
                            vm: vm as u32,
                            error,
                        };
                        queue.schedule(now, ev.class(), ev);
                    }
                }
                let wire = self.wire_bytes(vm, bytes);
                self.start_transfer(now, vm, wire, disk_max, queue);
                if disk_max.is_some() {
                    self.cache_log_closed(now, vm);
                }
            }
            Action::RecoveryPointCreated { .. } => {
                let range = self.disk_range(vm);
                for m in &mut self.marks[range] {
                    m.pending_base = m.log_open;
                    m.good = m.log_open;
                }
                let v = &mut self.vms[vm];
                let log = v
                    .arrived
                    .take()
                    .expect("a log arrived before its recovery point");
                v.bytes_replicated += log.bytes;
                let delta = matches!(from, State::Protected { .. });
                if let (Some(rp), true) = (v.recovery_point.get(), log.bytes > 0) {
                    if delta {
                        v.arrivals.add(now - rp, log.bytes);
                    }
                }
                if let Some(rp) = v.recovery_point.get() {
                    v.rpo.add_ramp(v.rpo_ramp_from - rp, now - v.rpo_ramp_from);
                }
                v.recovery_point = MaybeTime::at(log.closed_at);
                v.rpo_ramp_from = now;
                if self.keeps_points {
                    let written = v.written_at_log_open;
                    self.keep_point(now, vm, log.closed_at, written);
                }
                let v = &mut self.vms[vm];
                if delta {
                    v.cycles_done += 1;
                    let latency = now - log.closed_at;
                    v.interval.latency_sum_ms += latency;
                    v.interval.latencies += 1;
                    v.latency_sum_ms += latency;
                } else if self.cold[vm].protected_at.is_none() {
                    self.cold[vm].protected_at = Some(now);
                }
            }
            Action::AssumeInSync => {
                let w = self.start_tracking(vm, now);
                let (v, c) = (&mut self.vms[vm], &mut self.cold[vm]);
                v.recovery_point = MaybeTime::at(now);
                v.rpo_ramp_from = now;
                c.protected_at.get_or_insert(now);
                v.last_sync = MaybeTime::at(now);
                self.keep_point(now, vm, now, w);
            }
            Action::CycleMissed => {
                let v = &mut self.vms[vm];
                v.cycles_missed += 1;
                v.interval.cycles += 1;
                v.interval.missed += 1;
            }
            Action::ScheduleTick { after_ms } => {
                let ev = Event::CycleTick {
                    vm: vm as u32,
                    gen: self.vms[vm].tick_gen,
                };
                let lane = self.tick_lanes[self.vms[vm].policy()];
                queue.schedule_in_lane(lane, now + after_ms, ev);
            }
            Action::StopTransfer => self.stop_work(now, vm, queue),
            Action::StopCycles => self.vms[vm].tick_gen += 1,
            Action::DropLogs => self.drop_logs(now, vm),
            Action::ScheduleResync => self.schedule_resync(now, vm, queue),
            Action::BeginResync { .. } => self.begin_resync(now, vm),
            Action::CompareChecksums => {
                let c = &mut self.cold[vm];
                c.compare_started = Some(now);
                let ev = Event::ChecksumsCompared {
                    vm: vm as u32,
                    gen: self.vms[vm].work_gen,
                };
                queue.schedule(now + c.compare_left_ms, ev.class(), ev);
            }
            Action::SendDifferingBlocks => {
                let c = &mut self.cold[vm];
                c.compare_started = None;
                c.compare_left_ms = 0;
                let bytes = c.resync.as_ref().map_or(0, |r| r.bytes_to_send);
                self.vms[vm].transfer = Some(Transfer::Blocks { bytes });
                let wire = self.wire_bytes(vm, bytes);
                self.start_transfer(now, vm, wire, None, queue);
            }
            Action::ResyncComplete => {
                self.clear_points(vm);
                let range = self.disk_range(vm);
                for m in &mut self.marks[range] {
                    m.good = m.pending_base;
                }
                let c = &mut self.cold[vm];
                if let Some(record) = c.resync.as_ref() {
                    c.bytes_resync_sent += record.bytes_to_send;
                    let detail = format!(
                        "{}; {} bytes compared, {} bytes sent; all recovery points deleted",
                        record.cause, record.bytes_compared, record.bytes_to_send
                    );
                    self.close_resync(now, vm, "completed", "succeeded", detail);
                }
                self.log_event(
                    now,
                    vm,
                    EventKind::Resync,
                    Mark::None,
                    Mark::None,
                    "resync complete: all recovery points deleted",
                );
            }
            Action::StartTestCopy => self.start_test_copy(now, vm, queue),
            Action::RemoveTestCopy => self.log_failover(now, vm, "test copy removed".into()),
            Action::ShutDown => self.shut_down(now, vm),
            Action::FailoverReady { .. } => self.failover_ready(now, vm, from, queue),
            Action::LoseWritesAfterPoint => self.lose_writes_after_point(now, vm),
            Action::UseAnotherPoint => self.use_another_point(now, vm),
            Action::DeleteRecoveryPoints => {
                self.clear_points(vm);
                self.log_failover(now, vm, "recovery points deleted".into());
            }
            Action::ReverseDirection => {
                // Points belong to one direction: the new one starts without any.
                self.clear_points(vm);
                let (from, to) = if self.cold[vm].at_secondary() {
                    ("secondary", "primary")
                } else {
                    ("primary", "secondary")
                };
                let detail = format!("replication now runs from the {from} to the {to} side");
                self.log_failover(now, vm, detail);
            }
            Action::DownloadDisks => {
                self.cold[vm].failover().download_started = Some(now);
                let bytes = self.scenario.vms[vm].used_size();
                // [ours] As many bytes on each disk as it has used.
                if self.vms[vm].link() == NO_LINK {
                    let most = self.scenario.vms[vm].disks.iter().map(|d| d.used.0).max();
                    self.cold[vm].failover().blocks_disk_max = most.unwrap_or(0);
                }
                self.log_event(
                    now,
                    vm,
                    EventKind::JobStart,
                    Mark::None,
                    Mark::None,
                    "Failback download",
                );
                self.vms[vm].transfer = Some(Transfer::Blocks { bytes });
                let wire = self.wire_bytes(vm, bytes);
                self.start_transfer(now, vm, wire, None, queue);
            }
            Action::ScheduleRepair => {
                let v = &mut self.cold[vm];
                v.repair_gen += 1;
                let response = self.scenario.policies[self.vms[vm].policy()].admin_response;
                if let Some(after) = response {
                    let ev = Event::Repair {
                        vm: vm as u32,
                        gen: v.repair_gen,
                    };
                    queue.schedule(now + after, ev.class(), ev);
                }
            }
            // TODO(issue 12.7): use (on_state_change infers it from `from` and `to` today).
            Action::Interrupted { .. } => {}
        }
    }

    /// Stop the VM's work in progress, keeping what remains: the transfer on the link, a
    /// retry wait, a checksum comparison. Their pending events become void.
    fn stop_work(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let l = self.vms[vm].link();
        let left = if l == NO_LINK {
            self.cache_stop(now, vm)
        } else {
            self.links[l].fair.stop(now, vm as FlowId)
        };
        let v = &mut self.vms[vm];
        v.work_gen += 1;
        if let Some(left) = left {
            v.transfer_left = left;
        }
        let c = &mut self.cold[vm];
        if let Some(started) = c.compare_started.take() {
            c.compare_left_ms -= (now - started).min(c.compare_left_ms);
        }
        if l != NO_LINK {
            self.rearm(l, queue);
        }
    }

    /// Stop tracking writes and discard the logs: the open one, one in flight or waiting to
    /// be merged. A disk copy in progress is abandoned.
    fn drop_logs(&mut self, now: Time, vm: usize) {
        if !self.vms[vm].tracking {
            return;
        }
        let (pending, snapshot) = self.volume_bytes(vm, now);
        let w = self.written(vm, now);
        let v = &mut self.vms[vm];
        v.peak_log_bytes = v.peak_log_bytes.max(pending);
        v.peak_volume_used = v.peak_volume_used.max(pending + snapshot);
        let in_flight = match v.transfer.take() {
            Some(Transfer::Log { bytes, .. }) => bytes,
            _ => 0,
        };
        let arrived = v.arrived.take().map_or(0, |a| a.bytes);
        self.cold[vm].bytes_discarded += (w - v.written_at_log_open) + in_flight + arrived;
        v.written_at_log_open = w;
        v.transfer_left = 0;
        v.tracking = false;
        v.snapshot_open = false;
    }

    /// Arrange the resync's start as the policy says.
    fn schedule_resync(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let policy = &self.scenario.policies[self.vms[vm].policy()];
        let at = match policy.resync_start {
            ResyncStart::Immediate => Some(now),
            ResyncStart::OffPeak => {
                resync::next_window_open(policy.resync_window, &self.scenario.calendar, now)
            }
            ResyncStart::Manual => None,
        };
        let detail = match at {
            Some(t) if t == now => "resync starts now".to_string(),
            Some(t) => format!(
                "resync waits for the off-peak window at {}",
                self.scenario.calendar.datetime(t).format("%Y-%m-%d %H:%M")
            ),
            None => "resync waits for an administrator".to_string(),
        };
        self.log_event(now, vm, EventKind::Resync, Mark::None, Mark::None, detail);
        if let Some(t) = at {
            let ev = Event::StartResync { vm: vm as u32 };
            queue.schedule(t, ev.class(), ev);
        }
    }

    /// Start a resync: tracking restarts with a fresh log; the blocks that differ are those the
    /// writes since the target's last consistent state touched (distinct-blocks model).
    fn begin_resync(&mut self, now: Time, vm: usize) {
        let sc = self.scenario;
        let spec = &sc.vms[vm];
        let policy = &sc.policies[self.vms[vm].policy()];
        let range = self.disk_range(vm);
        let cal = &sc.calendar;
        let mut to_send = 0;
        let mut disk_max = 0;
        let mut w = 0;
        for ((d, m), disk) in self.disks[range.clone()]
            .iter_mut()
            .zip(&mut self.marks[range])
            .zip(&spec.disks)
        {
            let now_w = d.written_by(now, cal);
            let differ = resync::differing_bytes(
                now_w - m.good,
                disk.hot_region.0,
                policy.resync_block_size,
                disk.size.0,
            );
            to_send += differ;
            disk_max = disk_max.max(differ);
            m.log_open = now_w;
            m.pending_base = now_w;
            w += now_w;
        }
        if self.vms[vm].link() == NO_LINK {
            self.cold[vm].failover().blocks_disk_max = disk_max;
        }
        let compared = spec.used_size();
        let compare_ms =
            resync::compare_ms(compared, policy.resync_read_rate).unwrap_or(Time::MAX / 4);
        if self.vms[vm].link() == NO_LINK {
            self.cache_log_closed(now, vm);
        }
        let (v, c) = (&mut self.vms[vm], &mut self.cold[vm]);
        c.bytes_discarded += w - v.written_at_log_open;
        v.written_at_log_open = w;
        v.tracking = true;
        c.compare_left_ms = compare_ms;
        c.compare_started = None;
        if let Some(record) = c.resync.as_mut() {
            record.started_at = Some(now);
            record.outcome = "in-progress";
            record.bytes_compared = compared;
            record.bytes_to_send = to_send;
        }
        let detail = format!("Resynchronize: {compared} bytes to compare, {to_send} bytes differ");
        self.log_event(now, vm, EventKind::JobStart, Mark::None, Mark::None, detail);
    }

    /// Start sending `bytes` (on the wire). `log_disk_max`: for a log, its largest share of
    /// one disk (what the azure-to-azure cache's per-disk limit looks at).
    #[inline(always)]
    fn start_transfer(
        &mut self,
        now: Time,
        vm: usize,
        bytes: u64,
        log_disk_max: Option<u64>,
        queue: &mut EventQueue<Event>,
    ) {
        let l = self.vms[vm].link();
        self.vms[vm].transfer_left = bytes;
        // Nothing in force anywhere (the common case): no per-link, host or site look-up.
        let reason = if self.obstacles > 0 {
            self.blocked_reason(vm)
        } else {
            None
        };
        if let Some(reason) = reason {
            // Nothing gets through: the attempt fails at once (a recoverable error).
            self.cold[vm].failure_reason = reason;
            let ev = Event::TransferFailed {
                vm: vm as u32,
                gen: self.vms[vm].work_gen,
            };
            queue.schedule(now, ev.class(), ev);
            return;
        }
        if l == NO_LINK {
            // [ours] A disk copy is one disk's; blocks and resumed logs spread evenly.
            let disk_max = log_disk_max.unwrap_or_else(|| match self.vms[vm].transfer {
                Some(Transfer::Disk { .. }) => bytes,
                // The disk with the most differing blocks (what is left of them).
                Some(Transfer::Blocks { .. }) => match &self.cold[vm].failover {
                    Some(f) if f.blocks_disk_max > 0 => f.blocks_disk_max.min(bytes),
                    _ => bytes.div_ceil(u64::from(self.vms[vm].disks.1.max(1))),
                },
                _ => bytes.div_ceil(u64::from(self.vms[vm].disks.1.max(1))),
            });
            self.start_cache_transfer(now, vm, bytes, disk_max, log_disk_max.is_some(), queue);
            return;
        }
        self.links[l].fair.start(now, vm as FlowId, bytes);
        self.rearm(l, queue);
    }

    /// Why a transfer of `vm` cannot start now, if it cannot: its site or link is down, or
    /// its host is low on memory.
    #[inline(never)]
    fn blocked_reason(&self, vm: usize) -> Option<&'static str> {
        let l = self.vms[vm].link();
        let reason = if l == NO_LINK {
            (self.site_down[self.site_of(vm)] > 0).then_some("site down")
        } else if self.links[l].down > 0 {
            Some("network error: link down")
        } else {
            None
        };
        if reason.is_some() {
            reason
        } else if self.hosts[self.scenario.vms[vm].host].low_memory > 0 {
            Some("low memory on the host")
        } else {
            None
        }
    }

    /// Bytes on the wire for `bytes` of data: vmm-to-vmm may compress [ours: off].
    #[inline(always)]
    fn wire_bytes(&self, vm: usize, bytes: u64) -> u64 {
        if !self.compresses {
            return bytes;
        }
        let ratio = self.scenario.policies[self.vms[vm].policy()].compression_ratio;
        (bytes as f64 / ratio).ceil() as u64
    }

    /// The most one disk has written since the open log was opened (azure-to-azure logs).
    fn log_disk_max(&mut self, vm: usize, now: Time) -> u64 {
        let cal = &self.scenario.calendar;
        let range = self.disk_range(vm);
        self.disks[range.clone()]
            .iter_mut()
            .zip(&self.marks[range])
            .map(|(d, m)| d.written_by(now, cal) - m.log_open)
            .max()
            .unwrap_or(0)
    }

    /// The link's capacity now: zero in an outage, else the throttle schedule's, degraded.
    fn link_capacity(&self, l: usize, now: Time) -> ByteRate {
        let link = &self.links[l];
        if link.down > 0 {
            return ByteRate(0);
        }
        let work = self.scenario.calendar.is_work_time(now);
        let full = self.scenario.links[l].capacity_at(work);
        ByteRate((u128::from(full.0) * u128::from(link.percent) / 100) as u64)
    }

    fn update_capacity(&mut self, now: Time, l: usize, queue: &mut EventQueue<Event>) {
        let capacity = self.link_capacity(l, now);
        self.links[l].fair.set_capacity(now, capacity);
        self.rearm(l, queue);
    }

    fn transfer_failed(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        self.cold[vm].transfer_failures += 1;
        let detail = match self.cold[vm].failure_reason {
            "network error: link down" => format!(
                "network error: link {} is down",
                self.scenario.links[self.vms[vm].link()].name
            ),
            "site down" => format!(
                "site {} is down",
                self.scenario.sites[self.site_of(vm)].name
            ),
            other => other.to_string(),
        };
        self.log_event(
            now,
            vm,
            EventKind::TransferFailed,
            Mark::None,
            Mark::None,
            detail,
        );
        self.feed(now, vm, Input::TransferFailed, queue);
    }

    /// Schedule the link's next completion; earlier wake-ups become stale.
    #[inline(always)]
    fn rearm(&mut self, l: usize, queue: &mut EventQueue<Event>) {
        let link = &mut self.links[l];
        link.gen += 1;
        if let Some(at) = link.fair.next_finish() {
            let ev = Event::LinkWake {
                link: l as u32,
                gen: link.gen,
            };
            queue.schedule_in_lane(self.wake_lane, at, ev);
        }
    }

    /// Bytes written and not yet applied at the target: the open log, a log in flight or
    /// waiting to be merged. Zero while tracking is stopped (the logs were dropped).
    fn pending_log_bytes(&mut self, vm: usize, now: Time) -> u64 {
        if !self.vms[vm].tracking {
            return 0;
        }
        let w = self.written(vm, now);
        let v = &self.vms[vm];
        let in_flight = match v.transfer {
            Some(Transfer::Log { bytes, .. }) => bytes,
            _ => 0,
        };
        (w - v.written_at_log_open) + in_flight + v.arrived.map_or(0, |a| a.bytes)
    }

    /// [`World::pending_log_bytes`] and the copy-on-write space of the IR snapshot, from one
    /// reading of the disks.
    #[inline(always)]
    fn volume_bytes(&mut self, vm: usize, now: Time) -> (u64, u64) {
        let v = &self.vms[vm];
        if !v.tracking && !v.snapshot_open {
            return (0, 0);
        }
        let w = self.written(vm, now);
        let v = &self.vms[vm];
        let pending = if v.tracking {
            let in_flight = match v.transfer {
                Some(Transfer::Log { bytes, .. }) => bytes,
                _ => 0,
            };
            (w - v.written_at_log_open) + in_flight + v.arrived.map_or(0, |a| a.bytes)
        } else {
            0
        };
        let snapshot = if v.snapshot_open {
            (w - self.cold[vm].written_at_snapshot).min(self.scenario.vms[vm].virtual_size())
        } else {
            0
        };
        (pending, snapshot)
    }

    /// Used bytes of the disks initial replication has not copied yet.
    fn initial_copy_left(&self, vm: usize, now: Time) -> u64 {
        let v = &self.vms[vm];
        match v.machine.state() {
            State::InitialReplication { disk } => {
                let later: u64 = self.scenario.vms[vm].disks[disk as usize + 1..]
                    .iter()
                    .map(|d| d.used.0)
                    .sum();
                let left = if v.link() == NO_LINK {
                    self.cache_remaining(now, vm)
                } else {
                    self.links[v.link()].fair.remaining_bytes(vm as FlowId)
                };
                later + left
            }
            State::Unprotected | State::EnablingProtection | State::InitialReplicationPending => {
                self.scenario.vms[vm].used_size()
            }
            _ => 0,
        }
    }

    // Inlined into the link wake-up handling: once per transfer.
    #[inline(always)]
    fn transfer_done(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let (pending, snapshot) = self.volume_bytes(vm, now);
        let v = &mut self.vms[vm];
        // Pending bytes only fall when a log is applied (or dropped), so their peak is reached
        // just before a transfer completes, a drop, or the end of the run.
        v.peak_log_bytes = v.peak_log_bytes.max(pending);
        v.peak_volume_used = v.peak_volume_used.max(pending + snapshot);
        v.last_sync = MaybeTime::at(now);
        match v.transfer.take() {
            Some(Transfer::Disk { bytes }) => self.cold[vm].bytes_initial_copy += bytes,
            Some(Transfer::Log { bytes, closed_at }) => {
                v.arrived = Some(ArrivedLog { bytes, closed_at })
            }
            Some(Transfer::Blocks { .. }) => {}
            None => unreachable!("a transfer finished for a VM that sent nothing"),
        }
        self.feed_transfer_done(now, vm, queue);
    }

    /// A host's memory runs low: every transfer of its VMs stops with a recoverable error.
    fn low_memory_start(&mut self, now: Time, host: usize, queue: &mut EventQueue<Event>) {
        self.hosts[host].low_memory += 1;
        self.obstacles += 1;
        for i in 0..self.hosts[host].vms.len() {
            let vm = self.hosts[host].vms[i] as usize;
            let l = self.vms[vm].link();
            let left = if l == NO_LINK {
                let left = self.cache_stop(now, vm);
                if left.is_some() {
                    // Only the transfer's completion is void; retries and comparisons stand.
                    self.vms[vm].work_gen += 1;
                }
                left
            } else {
                let left = self.links[l].fair.stop(now, vm as FlowId);
                self.rearm(l, queue);
                left
            };
            if let Some(left) = left {
                self.vms[vm].transfer_left = left;
                self.cold[vm].failure_reason = "low memory on the host";
                self.transfer_failed(now, vm, queue);
            }
        }
    }

    /// The logs on a host's volume cannot be written: each VM whose log size is watched needs
    /// a resync.
    fn volume_full(&mut self, now: Time, host: usize, queue: &mut EventQueue<Event>) {
        self.hosts[host].volume_full_events += 1;
        for i in 0..self.hosts[host].vms.len() {
            let vm = self.hosts[host].vms[i] as usize;
            if self.vms[vm].machine.state().watches_log_size() {
                let name = &self.scenario.hosts[host].name;
                self.cold[vm].cause = format!("log write failure: volume of host {name} is full");
                self.feed(now, vm, Input::LogWriteFailed, queue);
            }
        }
    }

    /// Snapshot and log space a host's VMs hold now; updates each VM's peak.
    fn host_volume_used(&mut self, now: Time, host: usize) -> u64 {
        let mut used = 0;
        for i in 0..self.hosts[host].vms.len() {
            let vm = self.hosts[host].vms[i] as usize;
            let (pending, snapshot) = self.volume_bytes(vm, now);
            let mine = pending + snapshot;
            let v = &mut self.vms[vm];
            v.peak_volume_used = v.peak_volume_used.max(mine);
            used += mine;
        }
        used
    }

    fn sample(&mut self, now: Time) {
        let mut utilization = Vec::with_capacity(self.links.len());
        for link in &mut self.links {
            link.fair.advance(now);
            let delivered = link.fair.delivered_bytes() - link.delivered_at_sample;
            let offered = link.fair.offered_bytes() - link.offered_at_sample;
            link.delivered_at_sample = link.fair.delivered_bytes();
            link.offered_at_sample = link.fair.offered_bytes();
            utilization.push((now > 0 && offered > 0).then(|| delivered as f64 / offered as f64));
        }
        let mut series = self.series.take();
        if let Some(s) = series.as_mut() {
            s.begin_sample(now);
        }
        let mut host_used = vec![0u64; self.host_peak_volume.len()];
        for vm in 0..self.vms.len() {
            let (pending, snapshot) = self.volume_bytes(vm, now);
            let copy_left = self.initial_copy_left(vm, now);
            let v = &mut self.vms[vm];
            v.peak_volume_used = v.peak_volume_used.max(pending + snapshot);
            let spec = &self.scenario.vms[vm];
            host_used[spec.host] += snapshot + pending;
            if let Some(s) = series.as_mut() {
                let point = VmPoint {
                    state: v.machine.state().kind(),
                    health: self.cold[vm].health.current,
                    rpo_ms: v.recovery_point.get().map(|rp| now - rp),
                    backlog_bytes: pending,
                    initial_copy_left_bytes: copy_left,
                };
                s.push_vm(point, v.rpo.target_ms());
            }
        }
        if let Some(s) = series.as_mut() {
            for (link, utilization) in self.links.iter().zip(utilization) {
                s.push_link(LinkPoint {
                    capacity_bps: link.fair.capacity().0 * 8 / 1000,
                    utilization,
                });
            }
            for &used in &host_used {
                s.push_host(used);
            }
            s.end_sample();
        }
        self.series = series;
        for (peak, used) in self.host_peak_volume.iter_mut().zip(host_used) {
            *peak = (*peak).max(used);
        }
    }

    /// The results, the event log and the time series of a run that ended with `counts`.
    pub fn finish(mut self, counts: RunCounts) -> (RunResult, EventLog, Series) {
        let end = counts.end;
        let sc = self.scenario;
        // What the disk cursors say at the end, read first: the cursors go before the
        // results are built, so a large estate never holds both.
        let at_end: Vec<(u64, u64, u64)> = (0..self.vms.len())
            .map(|vm| {
                let (pending, snapshot) = self.volume_bytes(vm, end);
                (pending, snapshot, self.written(vm, end))
            })
            .collect();
        self.disks = Vec::new();
        self.marks = Vec::new();
        let mut vms = Vec::with_capacity(self.vms.len());
        for (vm, &(pending, snapshot, w)) in at_end.iter().enumerate() {
            self.close_open_records(end, vm);
            let (v, c) = (&mut self.vms[vm], &mut self.cold[vm]);
            v.peak_log_bytes = v.peak_log_bytes.max(pending);
            v.peak_volume_used = v.peak_volume_used.max(pending + snapshot);
            if !v.tracking && c.tracking_origin.is_some() {
                // Written while tracking was stopped: the next resync's blocks cover them.
                c.bytes_discarded += w - v.written_at_log_open;
                v.written_at_log_open = w;
            }
            if let Some(rp) = v.recovery_point.get() {
                v.rpo.add_ramp(v.rpo_ramp_from - rp, end - v.rpo_ramp_from);
            }
            let spec = &sc.vms[vm];
            let host = &sc.hosts[spec.host];
            let site = &sc.sites[host.site];
            vms.push(VmResult {
                name: spec.name.clone(),
                state: v.machine.state().kind().name(),
                disks: spec.disks.len(),
                virtual_size_bytes: spec.virtual_size(),
                used_size_bytes: spec.used_size(),
                protection_enabled_at: c.enabled_at,
                initial_replication_started_at: c.ir_started_at,
                protected_at: c.protected_at,
                initial_replication_ms: c.ir_started_at.zip(c.ir_done_at).map(|(a, b)| b - a),
                enable_failure: c.enable_failure.clone(),
                target_rpo_ms: sc.policies[site.policy].target_rpo,
                rpo: v.rpo.summary(),
                bytes_written: c.tracking_origin.map_or(0, |s| w - s),
                bytes_replicated: v.bytes_replicated,
                bytes_pending: pending,
                bytes_initial_copy: c.bytes_initial_copy,
                cycles_done: v.cycles_done,
                cycles_missed: v.cycles_missed,
                peak_log_bytes: v.peak_log_bytes,
                arrivals: v.arrivals,
                transfer_failures: c.transfer_failures,
                retries: c.retries,
                resyncs: std::mem::take(&mut c.resyncs),
                bytes_discarded: c.bytes_discarded,
                bytes_resync_sent: c.bytes_resync_sent,
                bytes_lost: c.bytes_lost(),
                health: c.health.current.name(),
                time_warning_ms: c.health.time_in(Health::Warning, end),
                time_critical_ms: c.health.time_in(Health::Critical, end),
                last_sync_at: v.last_sync.get(),
                average_latency_ms: (v.cycles_done > 0)
                    .then(|| v.latency_sum_ms as f64 / v.cycles_done as f64),
                peak_volume_used_bytes: v.peak_volume_used,
            });
        }
        let links = self
            .links
            .iter_mut()
            .zip(&sc.links)
            .map(|(l, spec)| {
                l.fair.advance(end);
                let offered = l.fair.offered_bytes();
                LinkResult {
                    name: spec.name.clone(),
                    bytes_sent: l.fair.delivered_bytes(),
                    bytes_offered: offered,
                    utilization_mean: (offered > 0)
                        .then(|| l.fair.delivered_bytes() as f64 / offered as f64),
                    saturated_s: l.fair.saturated_ms() as f64 / 1000.0,
                }
            })
            .collect();
        let hosts = sc
            .hosts
            .iter()
            .zip(&self.host_peak_volume)
            .zip(&self.hosts)
            .map(|((h, &peak), state)| HostResult {
                name: h.name.clone(),
                volume_free_bytes: h.volume_free.map(|b| b.0),
                peak_volume_used_bytes: peak,
                volume_full_events: state.volume_full_events,
            })
            .collect();
        let failovers = self.failover_records();
        let result = RunResult {
            failovers,
            seed: self.seed,
            horizon: end,
            events_processed: counts.events_processed,
            vms,
            links,
            hosts,
        };
        let series = self.series.take().unwrap_or_default();
        (result, std::mem::take(&mut self.log), series)
    }

    /// At the end of the run: jobs still running, the open health span and resync.
    fn close_open_records(&mut self, end: Time, vm: usize) {
        let (v, c) = (&mut self.vms[vm], &mut self.cold[vm]);
        let mut open: Vec<(&'static str, Time)> = Vec::new();
        if let Some((job, _, started)) = c.job_pending {
            open.push((job.name(), started));
        }
        if let (Some(started), None) = (c.ir_started_at, c.ir_done_at) {
            if matches!(v.machine.state(), State::InitialReplication { .. }) {
                open.push(("Initial replication", started));
            }
        }
        if let Some(record) = c.resync.take() {
            if let Some(started) = record.started_at {
                open.push(("Resynchronize", started));
            }
            c.resyncs.push(*record);
        }
        if let Some(started) = c.failover.as_ref().and_then(|f| f.download_started) {
            open.push(("Failback download", started));
        }
        self.log.health(HealthSpan {
            vm,
            from: c.health.since,
            to: end,
            health: c.health.current,
            reason: c.health.reason,
        });
        for (job, started) in open {
            self.log_job(vm, job, started, None, "in-progress", "");
        }
    }
}

/// Random outage windows over `[0, horizon)`: up-times exponential with mean MTBF, repair
/// times as the spec says. Drawn from the link's own stream.
fn random_outage_windows(
    spec: RandomOutages,
    horizon: Time,
    rng: &mut ChaCha8Rng,
) -> Vec<(Time, Time)> {
    let up = Exp::new(1.0 / spec.mtbf.max(1) as f64).expect("positive MTBF");
    let mttr = spec.mttr.max(1) as f64;
    let mut out = Vec::new();
    let mut t: Time = 0;
    loop {
        let start = t.saturating_add((up.sample(rng).ceil() as Time).max(1));
        if start >= horizon {
            return out;
        }
        let repair = match spec.repair {
            RepairDistribution::Exponential => Exp::new(1.0 / mttr).expect("positive").sample(rng),
            // Mean mttr: mu = ln(mttr) - sigma^2 / 2.
            RepairDistribution::LogNormal { sigma } => {
                LogNormal::new(mttr.ln() - sigma * sigma / 2.0, sigma)
                    .expect("validated sigma")
                    .sample(rng)
            }
        };
        let end = start.saturating_add((repair.min(1e15).ceil() as Time).max(1));
        out.push((start, end));
        t = end;
    }
}

/// The first monitoring-interval boundary after the start: intervals are aligned to
/// `start_min` past midnight of the first day.
fn first_interval_boundary(
    calendar: &crate::model::calendar::Calendar,
    start_min: u32,
    interval: Time,
) -> Time {
    let into_day = calendar.ms_into_day(0) as i128;
    let mut b = -into_day + i128::from(start_min) * 60_000;
    let step = i128::from(interval.max(1));
    if b <= 0 {
        b += ((-b) / step + 1) * step;
    }
    b as Time
}

impl Model for World<'_> {
    type Event = Event;

    // Inlined into the engine's loop (its one caller): a call per event showed.
    #[inline(always)]
    fn handle(&mut self, now: Time, event: Event, queue: &mut EventQueue<Event>) {
        match event {
            Event::CapacityChange { link } => {
                self.update_capacity(now, link as usize, queue);
                if let Some(t) = self.scenario.calendar.next_change(now) {
                    queue.schedule(t, event.class(), event);
                }
            }
            Event::OutageStart { link } => self.outage_start(now, link as usize, queue),
            Event::OutageEnd { link } => self.outage_end(now, link as usize, queue),
            Event::SiteDown { site } => self.site_down(now, site as usize, queue),
            Event::SiteUp { site, disks_lost } => {
                self.site_up(now, site as usize, disks_lost, queue)
            }
            Event::Operation { index } => self.operation(now, index as usize, queue),
            Event::BootDone { run, slot } => {
                self.boot_done(now, run as usize, slot as usize, queue)
            }
            Event::PlanStepDone { run } => self.step_done(now, run as usize, queue),
            Event::CacheDone { vm, gen } => {
                let v = vm as usize;
                if gen == self.vms[v].work_gen && self.cache_done(now, v) {
                    self.transfer_done(now, v, queue);
                }
            }
            Event::DegradationStart { link, percent } => {
                self.links[link as usize].percent = percent;
                self.update_capacity(now, link as usize, queue);
            }
            Event::DegradationEnd { link } => {
                self.links[link as usize].percent = 100;
                self.update_capacity(now, link as usize, queue);
            }
            Event::LowMemoryStart { host } => self.low_memory_start(now, host as usize, queue),
            Event::LowMemoryEnd { host } => {
                self.hosts[host as usize].low_memory -= 1;
                self.obstacles -= 1;
            }
            Event::VolumeFull { host } => self.volume_full(now, host as usize, queue),
            Event::VolumeCheck { host } => {
                let h = host as usize;
                let used = self.host_volume_used(now, h);
                let free = self.scenario.hosts[h].volume_free.map_or(u64::MAX, |b| b.0);
                let next = if used >= free {
                    self.volume_full(now, h, queue);
                    VOLUME_CHECK_MS
                } else {
                    // The volume cannot fill before the logs have grown by what is left
                    // at their fastest.
                    let soonest = self.hosts[h].max_growth.millis_for(free - used);
                    soonest.map_or(Time::MAX / 4, |ms| ms.max(VOLUME_CHECK_MS))
                };
                if let Some(at) = now.checked_add(next).filter(|&t| t < self.scenario.horizon) {
                    queue.schedule(at, event.class(), event);
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
                    self.feed(now, vm as usize, Input::ChecksumsCompared, queue)
                }
            }
            Event::CycleTick { vm, gen } => {
                if gen == self.vms[vm as usize].tick_gen {
                    self.feed_cycle_tick(now, vm as usize, queue)
                }
            }
            Event::LinkWake { link, gen } => {
                let l = link as usize;
                if gen != self.links[l].gen {
                    return;
                }
                let mut finished = std::mem::take(&mut self.finished);
                self.links[l].fair.take_finished(now, &mut finished);
                for &flow in &finished {
                    self.transfer_done(now, flow as usize, queue);
                }
                finished.clear();
                self.finished = finished;
                self.rearm(l, queue);
            }
            Event::JobDone { vm, gen } => {
                let v = vm as usize;
                if gen != self.cold[v].job_gen {
                    return;
                }
                let Some((job, failure, started)) = self.cold[v].job_pending.take() else {
                    return;
                };
                let outcome = if failure.is_some() {
                    "failed"
                } else {
                    "succeeded"
                };
                let detail = match &failure {
                    Some(why) => format!("{}: {outcome}: {why}", job.name()),
                    None => format!("{}: {outcome}", job.name()),
                };
                self.log_event(now, v, EventKind::JobEnd, Mark::None, Mark::None, detail);
                self.log_job(
                    v,
                    job.name(),
                    started,
                    Some(now),
                    outcome,
                    failure.as_deref().unwrap_or_default(),
                );
                let input = match failure {
                    Some(why) => {
                        self.cold[v].enable_failure = Some(why.clone());
                        Input::JobFailed(job, JobFailure(why))
                    }
                    None => Input::JobSucceeded(job),
                };
                self.feed(now, v, input, queue);
            }
            Event::VmError { vm, error } => {
                let v = vm as usize;
                self.cold[v].cause = format!("{}: {}", error.name(), error.message());
                self.log_event(
                    now,
                    v,
                    EventKind::Fault,
                    Mark::None,
                    Mark::None,
                    self.cold[v].cause.clone(),
                );
                self.feed(now, v, Input::NonRecoverableError(error), queue);
            }
            Event::LogThresholdCheck { vm } => self.threshold_check(now, vm as usize, queue),
            Event::StartResync { vm } => {
                // A stale window opening (the resync already started another way) is void.
                if self.vms[vm as usize].machine.state() == State::ResyncRequired {
                    self.feed(now, vm as usize, Input::StartResync, queue)
                }
            }
            Event::Repair { vm, gen } => {
                let v = vm as usize;
                if gen == self.cold[v].repair_gen
                    && self.vms[v].machine.state() == State::AdminRequired
                {
                    self.repair(now, v, "administrator response time elapsed", queue);
                }
            }
            Event::EnableProtection { vm } => {
                self.feed(now, vm as usize, Input::EnableProtection, queue)
            }
            Event::AssumeProtected { vm } => {
                self.feed(now, vm as usize, Input::AssumeProtected, queue)
            }
            Event::StartInitialReplication { vm } => {
                self.feed(now, vm as usize, Input::StartInitialReplication, queue)
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
                    AdminAction::Resynchronize => self.feed(now, v, Input::StartResync, queue),
                    AdminAction::CancelResync => self.feed(now, v, Input::CancelResync, queue),
                    AdminAction::Repair => self.repair(now, v, "administrator repair", queue),
                }
            }
            Event::HealthInterval { policy } => {
                let p = policy as usize;
                for vm in 0..self.vms.len() {
                    if self.vms[vm].policy() == p {
                        self.vms[vm].interval = IntervalStats::default();
                        self.refresh_health(now, vm, queue);
                    }
                }
                let step = self.scenario.policies[p].health_interval;
                queue.schedule(now + step, event.class(), event);
            }
            Event::HealthStale { vm } => {
                self.vms[vm as usize].stale_check_pending = false;
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

impl World<'_> {
    /// A link goes down (an outage, or its site is lost): every transfer on it fails.
    fn outage_start(&mut self, now: Time, l: usize, queue: &mut EventQueue<Event>) {
        self.links[l].down += 1;
        self.obstacles += 1;
        self.update_capacity(now, l, queue);
        let mut failed = Vec::new();
        self.links[l].fair.fail_all(now, &mut failed);
        self.rearm(l, queue);
        for (flow, left) in failed {
            self.vms[flow as usize].transfer_left = left;
            self.cold[flow as usize].failure_reason = "network error: link down";
            self.transfer_failed(now, flow as usize, queue);
        }
    }

    fn outage_end(&mut self, now: Time, l: usize, queue: &mut EventQueue<Event>) {
        self.links[l].down -= 1;
        self.obstacles -= 1;
        self.update_capacity(now, l, queue);
    }

    fn repair(&mut self, now: Time, vm: usize, how: &str, queue: &mut EventQueue<Event>) {
        let v = &mut self.cold[vm];
        v.cause = format!("repaired ({how}) after {}", v.cause);
        self.feed(now, vm, Input::Repair, queue);
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
