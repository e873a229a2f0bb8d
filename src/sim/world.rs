//! The world: per-VM runtime state around each state machine, the links and the hosts.

use super::event::Event;
use super::record::*;
use crate::engine::{EventQueue, Lane, Model, RngStreams, RunCounts, Time};
use crate::model::link::{FairLink, FlowId};
use crate::model::workload::DiskWrites;
use crate::model::{Scenario, Topology};
use crate::replication::{self as rep, Action, Input, Job, JobFailure, Replication, State};
use crate::stats::RpoMonitor;

/// What a VM is sending now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transfer {
    /// Initial replication of one disk's used bytes.
    Disk { bytes: u64 },
    /// A closed log, with the instant it was closed (its recovery point).
    Log { bytes: u64, closed_at: Time },
}

/// A log that has arrived at the target and waits to be applied (merged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ArrivedLog {
    bytes: u64,
    closed_at: Time,
}

struct Vm {
    machine: Replication,
    link: usize,
    host: usize,
    policy: usize,
    /// This VM's disk cursors are `World::disks[disks.0 .. disks.0 + disks.1]`.
    disks: (u32, u32),
    /// Cumulative guest writes (all disks) when write tracking started (IR start).
    written_at_tracking_start: Option<u64>,
    /// Cumulative guest writes when the current log was opened.
    written_at_log_open: u64,
    transfer: Option<Transfer>,
    /// Bytes of `transfer` that have not arrived (all of it until a failure interrupts it).
    transfer_left: u64,
    arrived: Option<ArrivedLog>,
    bytes_replicated: u64,
    bytes_initial_copy: u64,
    /// Bytes written during IR while the snapshot exists (copy-on-write space).
    snapshot_open: bool,
    written_at_snapshot: u64,
    recovery_point: Option<Time>,
    /// Start of the current RPO ramp (last recovery point change or protection).
    rpo_ramp_from: Time,
    rpo: RpoMonitor,
    job_gen: u32,
    job_pending: Option<(Job, Option<String>)>,
    enabled_at: Option<Time>,
    ir_started_at: Option<Time>,
    ir_done_at: Option<Time>,
    protected_at: Option<Time>,
    enable_failure: Option<String>,
    cycles_done: u64,
    cycles_missed: u64,
    peak_log_bytes: u64,
    arrivals: Arrivals,
    transfer_failures: u64,
    retries: u64,
}

struct Link {
    fair: FairLink,
    gen: u64,
    /// Inside a scheduled outage.
    down: bool,
    /// Delivered bytes at the last sample, for per-step utilization.
    delivered_at_sample: u64,
    offered_at_sample: u64,
}

pub(super) struct World<'a> {
    scenario: &'a Scenario,
    recorder: &'a mut dyn Recorder,
    vms: Vec<Vm>,
    /// Every VM's disk cursors, VM after VM: one allocation, walked in VM order.
    disks: Vec<DiskWrites>,
    links: Vec<Link>,
    /// Per policy: the queue lane of cycle ticks one copy interval ahead (see engine docs).
    tick_lanes: Vec<Option<Lane>>,
    host_peak_volume: Vec<u64>,
    /// Reused buffers: stepping and link completions allocate nothing per event.
    actions: Vec<Action>,
    finished: Vec<FlowId>,
    io_error: Option<std::io::Error>,
    seed: u64,
}

impl<'a> World<'a> {
    pub fn new(scenario: &'a Scenario, seed: u64, recorder: &'a mut dyn Recorder) -> Self {
        let streams = RngStreams::new(seed);
        let mut all_disks = Vec::with_capacity(scenario.vms.iter().map(|v| v.disks.len()).sum());
        let vms = scenario
            .vms
            .iter()
            .map(|spec| {
                let host = &scenario.hosts[spec.host];
                let site = &scenario.sites[host.site];
                let policy = &scenario.policies[site.policy];
                let first = all_disks.len() as u32;
                all_disks.extend(spec.disks.iter().enumerate().map(|(i, d)| {
                    let rng = streams.stream(&format!("vm/{}/disk/{i}/workload", spec.name));
                    DiskWrites::new(d.workload.clone(), &scenario.calendar, rng)
                }));
                let disks = (first, spec.disks.len() as u32);
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
                    }),
                    link: site.link,
                    host: spec.host,
                    policy: site.policy,
                    disks,
                    written_at_tracking_start: None,
                    written_at_log_open: 0,
                    transfer: None,
                    transfer_left: 0,
                    arrived: None,
                    bytes_replicated: 0,
                    bytes_initial_copy: 0,
                    snapshot_open: false,
                    written_at_snapshot: 0,
                    recovery_point: None,
                    rpo_ramp_from: 0,
                    rpo: RpoMonitor::new(policy.target_rpo),
                    job_gen: 0,
                    job_pending: None,
                    enabled_at: None,
                    ir_started_at: None,
                    ir_done_at: None,
                    protected_at: None,
                    enable_failure: None,
                    cycles_done: 0,
                    cycles_missed: 0,
                    peak_log_bytes: 0,
                    arrivals: Arrivals::default(),
                    transfer_failures: 0,
                    retries: 0,
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
                down: false,
                delivered_at_sample: 0,
                offered_at_sample: 0,
            })
            .collect();
        World {
            scenario,
            recorder,
            vms,
            disks: all_disks,
            links,
            tick_lanes: vec![None; scenario.policies.len()],
            host_peak_volume: vec![0; scenario.hosts.len()],
            actions: Vec::with_capacity(8),
            finished: Vec::new(),
            io_error: None,
            seed,
        }
    }

    pub fn schedule_start(&mut self, queue: &mut EventQueue<Event>) {
        for (lane, policy) in self.tick_lanes.iter_mut().zip(&self.scenario.policies) {
            *lane = Some(queue.lane(policy.copy_interval, super::event::TICK));
        }
        for (i, spec) in self.scenario.vms.iter().enumerate() {
            let vm = i as u32;
            let (at, ev) = if spec.protected_at_start {
                (0, Event::AssumeProtected { vm })
            } else {
                (spec.protect_at, Event::EnableProtection { vm })
            };
            queue.schedule(at, ev.class(), ev);
        }
        for (i, l) in self.scenario.links.iter().enumerate() {
            for (k, &(start, end)) in l.outages.iter().enumerate() {
                let (link, index) = (i as u32, k as u32);
                queue.schedule(
                    start,
                    super::event::CAPACITY,
                    Event::OutageStart { link, index },
                );
                queue.schedule(
                    end,
                    super::event::CAPACITY,
                    Event::OutageEnd { link, index },
                );
            }
            if l.is_throttled() {
                if let Some(t) = self.scenario.calendar.next_change(0) {
                    let ev = Event::CapacityChange { link: i as u32 };
                    queue.schedule(t, ev.class(), ev);
                }
            }
        }
        if self.scenario.sample_step.is_some() {
            queue.schedule(0, Event::Sample.class(), Event::Sample);
        }
    }

    fn vm_name(&self, vm: usize) -> &'a str {
        &self.scenario.vms[vm].name
    }

    fn log_event(
        &mut self,
        at: Time,
        vm: usize,
        kind: &'static str,
        from: &'static str,
        to: &'static str,
        detail: String,
    ) {
        let record = EventRecord {
            at,
            vm: self.vm_name(vm),
            kind,
            from,
            to,
            detail,
        };
        if let Err(e) = self.recorder.event(&record) {
            self.io_error.get_or_insert(e);
        }
    }

    /// Cumulative guest writes of a VM by `now`.
    fn written(&mut self, vm: usize, now: Time) -> u64 {
        let cal = &self.scenario.calendar;
        let (first, count) = self.vms[vm].disks;
        self.disks[first as usize..(first + count) as usize]
            .iter_mut()
            .map(|d| d.written_by(now, cal))
            .sum()
    }

    /// Feed `input` to a VM's machine and carry out the actions.
    fn feed(&mut self, now: Time, vm: usize, input: Input, queue: &mut EventQueue<Event>) {
        let mut actions = std::mem::take(&mut self.actions);
        actions.clear();
        let from = self.vms[vm].machine.state();
        match self.vms[vm].machine.step(&input, &mut actions) {
            Ok(to) => {
                if to.kind() != from.kind() {
                    let detail = match &input {
                        Input::JobFailed(job, JobFailure(why)) => {
                            format!("{} failed: {why}", job.name())
                        }
                        _ => String::new(),
                    };
                    self.log_event(
                        now,
                        vm,
                        "state",
                        from.kind().name(),
                        to.kind().name(),
                        detail,
                    );
                }
                for action in actions.drain(..) {
                    self.act(now, vm, from, action, queue);
                }
            }
            Err(refused) => {
                self.log_event(
                    now,
                    vm,
                    "refused",
                    from.kind().name(),
                    from.kind().name(),
                    refused.to_string(),
                );
            }
        }
        self.actions = actions;
        debug_assert!(
            self.conserves_bytes(vm),
            "byte conservation broken for VM {vm}"
        );
    }

    /// domain.md section 9: every byte the logs captured is applied, in flight, or waiting to
    /// be merged. (Bytes still in the open log are the rest of `written`.)
    fn conserves_bytes(&self, vm: usize) -> bool {
        let v = &self.vms[vm];
        let Some(start) = v.written_at_tracking_start else {
            return v.bytes_replicated == 0;
        };
        let in_flight = match v.transfer {
            Some(Transfer::Log { bytes, .. }) => bytes,
            _ => 0,
        };
        v.written_at_log_open - start
            == v.bytes_replicated + in_flight + v.arrived.map_or(0, |a| a.bytes)
    }

    fn act(
        &mut self,
        now: Time,
        vm: usize,
        from: State,
        action: Action,
        queue: &mut EventQueue<Event>,
    ) {
        match action {
            Action::StartJob { job, duration_ms } => {
                let failure = match job {
                    Job::EnableProtection => {
                        self.vms[vm].enabled_at = Some(now);
                        match self.scenario.topology {
                            Topology::HyperVToAzure => {
                                self.scenario.vms[vm].azure_support_violation()
                            }
                            _ => None,
                        }
                    }
                    Job::FinalizeProtection => None,
                };
                let v = &mut self.vms[vm];
                v.job_gen += 1;
                v.job_pending = Some((job, failure));
                let ev = Event::JobDone {
                    vm: vm as u32,
                    gen: v.job_gen,
                };
                queue.schedule(now + duration_ms, ev.class(), ev);
                self.log_event(now, vm, "job-start", "", "", job.name().to_string());
            }
            Action::ScheduleInitialReplication => {
                let at = self.scenario.policies[self.policy_of(vm)]
                    .initial_replication_start
                    .unwrap_or(now)
                    .max(now);
                let ev = Event::StartInitialReplication { vm: vm as u32 };
                queue.schedule(at, ev.class(), ev);
            }
            Action::StartInitialReplication => {
                let w = self.written(vm, now);
                let v = &mut self.vms[vm];
                v.ir_started_at = Some(now);
                v.written_at_tracking_start = Some(w);
                v.written_at_log_open = w;
                v.snapshot_open = true;
                v.written_at_snapshot = w;
            }
            Action::CopyDisk { disk } => {
                let bytes = self.scenario.vms[vm].disks[disk as usize].used.0;
                self.vms[vm].transfer = Some(Transfer::Disk { bytes });
                self.start_transfer(now, vm, bytes, queue);
            }
            Action::ScheduleRetry { attempt, after_ms } => {
                let ev = Event::RetryTimer { vm: vm as u32 };
                queue.schedule(now + after_ms, ev.class(), ev);
                let detail = format!("retry {attempt} in {}", crate::units::Millis(after_ms));
                self.log_event(now, vm, "retry-wait", "", "", detail);
            }
            Action::ResumeTransfer => {
                self.vms[vm].retries += 1;
                let left = self.vms[vm].transfer_left;
                self.start_transfer(now, vm, left, queue);
            }
            Action::DeleteSnapshot => {
                let v = &mut self.vms[vm];
                v.snapshot_open = false;
                v.ir_done_at = Some(now);
            }
            Action::CloseAndSendLog => {
                let w = self.written(vm, now);
                let v = &mut self.vms[vm];
                let bytes = w - v.written_at_log_open;
                v.written_at_log_open = w;
                v.transfer = Some(Transfer::Log {
                    bytes,
                    closed_at: now,
                });
                self.start_transfer(now, vm, bytes, queue);
            }
            Action::RecoveryPointCreated => {
                let v = &mut self.vms[vm];
                let log = v
                    .arrived
                    .take()
                    .expect("a log arrived before its recovery point");
                v.bytes_replicated += log.bytes;
                if let (Some(rp), true) = (v.recovery_point, log.bytes > 0) {
                    if matches!(from, State::Protected { .. }) {
                        v.arrivals.add(now - rp, log.bytes);
                    }
                }
                if let Some(rp) = v.recovery_point {
                    v.rpo.add_ramp(v.rpo_ramp_from - rp, now - v.rpo_ramp_from);
                }
                v.recovery_point = Some(log.closed_at);
                v.rpo_ramp_from = now;
                if matches!(from, State::Protected { .. }) {
                    v.cycles_done += 1;
                } else {
                    v.protected_at = Some(now);
                }
            }
            Action::AssumeInSync => {
                let w = self.written(vm, now);
                let v = &mut self.vms[vm];
                v.written_at_tracking_start = Some(w);
                v.written_at_log_open = w;
                v.recovery_point = Some(now);
                v.rpo_ramp_from = now;
                v.protected_at = Some(now);
            }
            Action::CycleMissed => self.vms[vm].cycles_missed += 1,
            Action::ScheduleTick { after_ms } => {
                let ev = Event::CycleTick { vm: vm as u32 };
                match self.tick_lanes[self.policy_of(vm)] {
                    Some(lane) if queue.lane_delay(lane) == after_ms => {
                        queue.schedule_in_lane(lane, ev)
                    }
                    _ => queue.schedule(now + after_ms, ev.class(), ev),
                }
            }
        }
    }

    fn policy_of(&self, vm: usize) -> usize {
        self.vms[vm].policy
    }

    fn start_transfer(&mut self, now: Time, vm: usize, bytes: u64, queue: &mut EventQueue<Event>) {
        let l = self.vms[vm].link;
        self.vms[vm].transfer_left = bytes;
        if self.links[l].down {
            // Nothing gets through: the attempt fails at once (recoverable network error).
            let ev = Event::TransferFailed { vm: vm as u32 };
            queue.schedule(now, ev.class(), ev);
            return;
        }
        self.links[l].fair.start(now, vm as FlowId, bytes);
        self.rearm(l, queue);
    }

    /// The link's capacity now: zero in an outage, else the throttle schedule's.
    fn link_capacity(&self, l: usize, now: Time) -> crate::units::ByteRate {
        if self.links[l].down {
            return crate::units::ByteRate(0);
        }
        let work = self.scenario.calendar.is_work_time(now);
        self.scenario.links[l].capacity_at(work)
    }

    fn transfer_failed(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        self.vms[vm].transfer_failures += 1;
        let link = &self.scenario.links[self.vms[vm].link].name;
        let detail = format!("network error: link {link} is down");
        self.log_event(now, vm, "transfer-failed", "", "", detail);
        self.feed(now, vm, Input::TransferFailed, queue);
    }

    /// Schedule the link's next completion; earlier wake-ups become stale.
    fn rearm(&mut self, l: usize, queue: &mut EventQueue<Event>) {
        let link = &mut self.links[l];
        link.gen += 1;
        if let Some(at) = link.fair.next_finish() {
            let ev = Event::LinkWake {
                link: l as u32,
                gen: link.gen,
            };
            queue.schedule(at, ev.class(), ev);
        }
    }

    /// Bytes written and not yet applied at the target: the open log, a log in flight or
    /// waiting to be merged.
    fn pending_log_bytes(&mut self, vm: usize, now: Time) -> u64 {
        let w = self.written(vm, now);
        let v = &self.vms[vm];
        if v.written_at_tracking_start.is_none() {
            return 0;
        }
        let in_flight = match v.transfer {
            Some(Transfer::Log { bytes, .. }) => bytes,
            _ => 0,
        };
        (w - v.written_at_log_open) + in_flight + v.arrived.map_or(0, |a| a.bytes)
    }

    /// Used bytes of the disks initial replication has not copied yet.
    fn initial_copy_left(&self, vm: usize) -> u64 {
        let v = &self.vms[vm];
        match v.machine.state() {
            State::InitialReplication { disk } => {
                let later: u64 = self.scenario.vms[vm].disks[disk as usize + 1..]
                    .iter()
                    .map(|d| d.used.0)
                    .sum();
                later + self.links[v.link].fair.remaining_bytes(vm as FlowId)
            }
            State::Unprotected | State::EnablingProtection | State::InitialReplicationPending => {
                self.scenario.vms[vm].used_size()
            }
            _ => 0,
        }
    }

    fn transfer_done(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let pending = self.pending_log_bytes(vm, now);
        let v = &mut self.vms[vm];
        // Pending bytes only fall when a log is applied, so their peak is reached just before
        // a transfer completes (or at the end of the run).
        v.peak_log_bytes = v.peak_log_bytes.max(pending);
        match v.transfer.take() {
            Some(Transfer::Disk { bytes }) => v.bytes_initial_copy += bytes,
            Some(Transfer::Log { bytes, closed_at }) => {
                v.arrived = Some(ArrivedLog { bytes, closed_at })
            }
            None => unreachable!("a transfer finished for a VM that sent nothing"),
        }
        self.feed(now, vm, Input::TransferDone, queue);
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
        let mut host_used = vec![0u64; self.host_peak_volume.len()];
        for vm in 0..self.vms.len() {
            let pending = self.pending_log_bytes(vm, now);
            let w = self.written(vm, now);
            let v = &self.vms[vm];
            let spec = &self.scenario.vms[vm];
            let snapshot = if v.snapshot_open {
                (w - v.written_at_snapshot).min(spec.virtual_size())
            } else {
                0
            };
            host_used[v.host] += snapshot + pending;
            let copy_left = self.initial_copy_left(vm);
            let v = &self.vms[vm];
            let l = v.link;
            let sample = VmSample {
                at: now,
                vm: &spec.name,
                state: v.machine.state().kind().name(),
                rpo_ms: v.recovery_point.map(|rp| now - rp),
                backlog_bytes: pending,
                initial_copy_left_bytes: copy_left,
                link: &self.scenario.links[l].name,
                link_utilization: utilization[l],
                link_capacity_bps: self.links[l].fair.capacity().0 * 8 / 1000,
            };
            if let Err(e) = self.recorder.sample(&sample) {
                self.io_error.get_or_insert(e);
            }
        }
        for (peak, used) in self.host_peak_volume.iter_mut().zip(host_used) {
            *peak = (*peak).max(used);
        }
    }

    pub fn finish(mut self, counts: RunCounts) -> std::io::Result<RunResult> {
        if let Some(e) = self.io_error.take() {
            return Err(e);
        }
        let end = counts.end;
        let sc = self.scenario;
        let mut vms = Vec::with_capacity(self.vms.len());
        for vm in 0..self.vms.len() {
            let pending = self.pending_log_bytes(vm, end);
            let w = self.written(vm, end);
            let v = &mut self.vms[vm];
            v.peak_log_bytes = v.peak_log_bytes.max(pending);
            if let Some(rp) = v.recovery_point {
                v.rpo.add_ramp(v.rpo_ramp_from - rp, end - v.rpo_ramp_from);
            }
            let spec = &sc.vms[vm];
            let host = &sc.hosts[spec.host];
            let site = &sc.sites[host.site];
            vms.push(VmResult {
                name: spec.name.clone(),
                host: host.name.clone(),
                site: site.name.clone(),
                link: sc.links[site.link].name.clone(),
                state: v.machine.state().kind().name(),
                disks: spec.disks.len(),
                virtual_size_bytes: spec.virtual_size(),
                used_size_bytes: spec.used_size(),
                protection_enabled_at: v.enabled_at,
                initial_replication_started_at: v.ir_started_at,
                protected_at: v.protected_at,
                initial_replication_ms: v.ir_started_at.zip(v.ir_done_at).map(|(a, b)| b - a),
                enable_failure: v.enable_failure.clone(),
                target_rpo_ms: sc.policies[site.policy].target_rpo,
                rpo: v.rpo.summary(),
                bytes_written: v.written_at_tracking_start.map_or(0, |s| w - s),
                bytes_replicated: v.bytes_replicated,
                bytes_pending: pending,
                bytes_initial_copy: v.bytes_initial_copy,
                cycles_done: v.cycles_done,
                cycles_missed: v.cycles_missed,
                peak_log_bytes: v.peak_log_bytes,
                arrivals: v.arrivals,
                transfer_failures: v.transfer_failures,
                retries: v.retries,
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
            .map(|(h, &peak)| HostResult {
                name: h.name.clone(),
                volume_free_bytes: h.volume_free.map(|b| b.0),
                peak_volume_used_bytes: peak,
            })
            .collect();
        Ok(RunResult {
            seed: self.seed,
            horizon: end,
            events_processed: counts.events_processed,
            vms,
            links,
            hosts,
        })
    }
}

impl Model for World<'_> {
    type Event = Event;

    fn handle(&mut self, now: Time, event: Event, queue: &mut EventQueue<Event>) {
        match event {
            Event::CapacityChange { link } => {
                let l = link as usize;
                let capacity = self.link_capacity(l, now);
                self.links[l].fair.set_capacity(now, capacity);
                self.rearm(l, queue);
                if let Some(t) = self.scenario.calendar.next_change(now) {
                    queue.schedule(t, event.class(), event);
                }
            }
            Event::OutageStart { link, .. } => {
                let l = link as usize;
                self.links[l].down = true;
                self.links[l]
                    .fair
                    .set_capacity(now, crate::units::ByteRate(0));
                let mut failed = Vec::new();
                self.links[l].fair.fail_all(now, &mut failed);
                self.rearm(l, queue);
                for (flow, left) in failed {
                    self.vms[flow as usize].transfer_left = left;
                    self.transfer_failed(now, flow as usize, queue);
                }
            }
            Event::OutageEnd { link, .. } => {
                let l = link as usize;
                self.links[l].down = false;
                let capacity = self.link_capacity(l, now);
                self.links[l].fair.set_capacity(now, capacity);
                self.rearm(l, queue);
            }
            Event::TransferFailed { vm } => self.transfer_failed(now, vm as usize, queue),
            Event::RetryTimer { vm } => self.feed(now, vm as usize, Input::RetryTimer, queue),
            Event::CycleTick { vm } => self.feed(now, vm as usize, Input::CycleTick, queue),
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
                if gen != self.vms[v].job_gen {
                    return;
                }
                let (job, failure) = self.vms[v].job_pending.take().expect("a job was pending");
                let outcome = if failure.is_some() {
                    "failed"
                } else {
                    "succeeded"
                };
                let detail = match &failure {
                    Some(why) => format!("{}: {outcome}: {why}", job.name()),
                    None => format!("{}: {outcome}", job.name()),
                };
                self.log_event(now, v, "job-end", "", "", detail);
                let input = match failure {
                    Some(why) => {
                        self.vms[v].enable_failure = Some(why.clone());
                        Input::JobFailed(job, JobFailure(why))
                    }
                    None => Input::JobSucceeded(job),
                };
                self.feed(now, v, input, queue);
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
            Event::Sample => {
                self.sample(now);
                if let Some(step) = self.scenario.sample_step {
                    queue.schedule(now + step, event.class(), event);
                }
            }
        }
    }
}
