//! Driving each VM's replication state machine: feeding it inputs (with the cause an input
//! carries), carrying out the actions it returns on the components (books, data path,
//! records, observation), and the VM-level reactions to transfers, failures and the 50% rule.

use super::*;

impl World<'_> {
    /// Feed `input` to a VM's machine and carry out the actions.
    #[inline(always)]
    pub(super) fn feed(
        &mut self,
        now: Time,
        vm: usize,
        input: Input,
        queue: &mut EventQueue<Event>,
    ) {
        self.try_feed(now, vm, input, None, queue);
    }

    /// [`World::feed`] an input that comes with a cause: why a resync is needed (or why
    /// the jobs it cuts short failed).
    pub(super) fn feed_because(
        &mut self,
        now: Time,
        vm: usize,
        input: Input,
        cause: ResyncCause,
        queue: &mut EventQueue<Event>,
    ) {
        self.try_feed(now, vm, input, Some(cause), queue);
    }

    /// [`World::feed`], telling whether the machine accepted the input (a refusal is logged).
    #[inline(never)]
    pub(super) fn try_feed(
        &mut self,
        now: Time,
        vm: usize,
        input: Input,
        cause: Option<ResyncCause>,
        queue: &mut EventQueue<Event>,
    ) -> bool {
        self.feed_inline(now, vm, input, cause.as_ref(), queue)
    }

    /// [`World::feed`] for the inputs of every replication cycle: the input is known where
    /// this copy is compiled, so the state machine's match on it folds away.
    #[inline(never)]
    pub(super) fn feed_cycle_tick(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        self.feed_inline(now, vm, Input::CycleTick, None, queue);
    }

    /// As [`World::feed_cycle_tick`].
    #[inline(never)]
    pub(super) fn feed_transfer_done(
        &mut self,
        now: Time,
        vm: usize,
        queue: &mut EventQueue<Event>,
    ) {
        self.feed_inline(now, vm, Input::TransferDone, None, queue);
    }

    // Inlined into each of the three entry points above, with what it calls on a cycle's
    // path (the machine's step, `act`, `after_step`, `start_transfer`): otherwise LLVM keeps
    // one shared out-of-line copy and nothing folds.
    #[inline(always)]
    pub(super) fn feed_inline(
        &mut self,
        now: Time,
        vm: usize,
        input: Input,
        cause: Option<&ResyncCause>,
        queue: &mut EventQueue<Event>,
    ) -> bool {
        if self.check.on() && self.check.enter() {
            return self.feed_under_check(now, vm, input, cause, queue);
        }
        let mut actions = Actions::default();
        let from = self.vms[vm].machine.state();
        match self.vms[vm].machine.step(&input, &mut actions) {
            Ok(to) => {
                if to.kind() != from.kind() {
                    let detail = match &input {
                        Input::JobFailed(job, JobFailure(why)) => {
                            format!("{} failed: {why}", job.name())
                        }
                        Input::NonRecoverableError(e) => e.message().to_string(),
                        Input::HostCrashed => cause.map(ToString::to_string).unwrap_or_default(),
                        _ if to == State::ResyncRequired => cause
                            .or(self.cold[vm].records.resync_cause())
                            .map(ToString::to_string)
                            .unwrap_or_default(),
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
                    self.point_alert_state(now, vm, to.kind(), queue);
                }
                for action in actions.as_slice() {
                    self.act(now, vm, action, cause, queue);
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
        }
    }

    /// After every accepted input: arm the 50% rule's check, re-arm a limited host volume's
    /// check when the VM's snapshot or log started growing, and judge the health again.
    #[inline(always)]
    pub(super) fn after_step(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        if self.vms[vm].volume_watched {
            let weight = self.vms[vm].books.volume_weight();
            if weight > self.vms[vm].volume_weight {
                self.volume_recheck(now, self.scenario.vms[vm].host, queue);
            }
            self.vms[vm].volume_weight = weight;
        }
        let state = self.vms[vm].machine.state();
        if self.vms[vm].threshold == ThresholdCheck::Idle && self.rule_watches(vm, state) {
            self.arm_threshold(now, vm, queue);
        }
        self.refresh_health(now, vm, queue);
    }

    /// Whether the 50% rule watches the VM's logs in `state`: from protection on, and during
    /// initial replication and finalize when its policy says so.
    #[inline(always)]
    fn rule_watches(&self, vm: usize, state: State) -> bool {
        state.watches_log_size()
            || (matches!(
                state,
                State::InitialReplication { .. } | State::FinalizingProtection(_)
            ) && self.scenario.policies[self.vms[vm].policy()].resync_threshold_during_ir)
    }

    /// Schedule the 50% rule's check at the instant the pending bytes would reach the
    /// threshold if nothing were applied before: exact, and lazy (a check that finds the base
    /// has risen since schedules itself again).
    pub(super) fn arm_threshold(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let sc = self.scenario;
        let policy = &sc.policies[self.vms[vm].policy()];
        let spec = &sc.vms[vm];
        let crossing = self
            .books(vm)
            .threshold_crossing(now, spec, policy, sc.horizon);
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

    pub(super) fn threshold_check(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        if self.vms[vm].threshold != ThresholdCheck::Armed {
            return;
        }
        self.vms[vm].threshold = ThresholdCheck::Idle;
        if !self.rule_watches(vm, self.vms[vm].machine.state()) {
            return;
        }
        let sc = self.scenario;
        let policy = &sc.policies[self.vms[vm].policy()];
        let reached = self.books(vm).threshold_reached(now, &sc.vms[vm], policy);
        if reached {
            let cause = ResyncCause::LogThreshold {
                ppm: policy.resync_threshold_ppm,
                basis: policy.resync_basis,
            };
            self.feed_because(now, vm, Input::LogThresholdReached, cause, queue);
        } else {
            self.arm_threshold(now, vm, queue);
        }
    }

    #[inline(always)]
    pub(super) fn act(
        &mut self,
        now: Time,
        vm: usize,
        action: &Action,
        cause: Option<&ResyncCause>,
        queue: &mut EventQueue<Event>,
    ) {
        match *action {
            Action::Interrupted { work, by } => {
                let (records, log) = (&mut self.cold[vm].records, &mut self.log);
                records.interrupted(now, vm, (work, by), cause, log);
                if work == rep::Work::FailbackDownload {
                    self.download_interrupted(now, vm, by);
                }
            }
            Action::StartJob { job, duration_ms } => {
                let failure = match (job, self.scenario.topology) {
                    (Job::EnableProtection, Topology::HyperVToAzure) => {
                        self.scenario.vms[vm].azure_support_violation()
                    }
                    _ => None,
                };
                let gen = self.cold[vm].records.start_job(now, job, failure);
                let ev = Event::JobDone { vm: vm as u32, gen };
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
            Action::RetryInitialReplication => {
                self.cold[vm].start_waits = 0;
                let after_crash = matches!(cause, Some(ResyncCause::HostCrash { .. }));
                let kind = StartKind::InitialReplication;
                self.retry_start(now, vm, kind, after_crash, queue);
            }
            Action::StartInitialReplication => {
                let w = self.start_tracking(vm, now);
                self.books(vm).open_snapshot(w);
                self.cold[vm].records.ir_started(now);
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
                if disk > 0 {
                    self.disk_copied(now, vm, disk as usize - 1);
                }
                let bytes = self.scenario.vms[vm].disks[disk as usize].used.0;
                self.vms[vm].books.send(Transfer::Disk { bytes });
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
                let left = self.vms[vm].books.transfer_left();
                self.start_transfer(now, vm, left, None, queue);
            }
            Action::DeleteSnapshot => {
                if let Some(last) = self.scenario.vms[vm].disks.len().checked_sub(1) {
                    self.disk_copied(now, vm, last);
                }
                self.before_volume_drop(now, vm);
                let (pending, snapshot) = self.volume_bytes(vm, now);
                self.books(vm).delete_snapshot();
                self.vms[vm].watch.saw_volume(pending + snapshot);
                let disks = self.scenario.vms[vm].disks.len();
                self.cold[vm].records.ir_done(now, vm, disks, &mut self.log);
            }
            Action::CloseAndSendLog { cycle } => {
                let disk_max = match self.vms[vm].path {
                    DataPath::Cache(_) => Some(self.books(vm).log_disk_max(now)),
                    DataPath::Link(_) => None,
                };
                let bytes = self.books(vm).close_log(now);
                let v = &mut self.vms[vm];
                if cycle {
                    v.watch.cycle_sent();
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
                self.vms[vm].path.log_closed(now);
            }
            Action::RecoveryPointCreated { cycle } => {
                let log = self.books(vm).apply_arrived();
                let delta = cycle;
                self.vms[vm]
                    .watch
                    .point_created(now, log.closed_at, log.bytes, delta);
                self.point_alert_point(now, vm, queue);
                if self.keeps_points {
                    let written = self.vms[vm].books.written_at_log_open();
                    self.keep_point(now, vm, log.closed_at, written, false);
                }
                if !delta {
                    self.protected(now, vm, queue);
                }
            }
            Action::AssumeInSync => {
                let w = self.start_tracking(vm, now);
                self.vms[vm].watch.in_sync(now);
                self.point_alert_point(now, vm, queue);
                self.protected(now, vm, queue);
                self.keep_point(now, vm, now, w, true);
            }
            Action::CycleMissed => {
                self.vms[vm].watch.cycle_missed();
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
            Action::ScheduleResync => {
                self.cold[vm].records.resync_required(now, cause);
                self.schedule_resync(now, vm, queue);
            }
            Action::BeginResync { sync } => {
                self.cold[vm].records.sync_started(now, sync);
                self.begin_resync(now, vm);
            }
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
                let bytes = c.records.resync_to_send();
                self.vms[vm].books.send(Transfer::Blocks { bytes });
                let wire = self.wire_bytes(vm, bytes);
                self.start_transfer(now, vm, wire, None, queue);
            }
            Action::ResyncComplete => {
                self.clear_points(vm);
                let sent = self.cold[vm].records.resync_to_send();
                self.books(vm).resync_complete(sent);
                self.cold[vm]
                    .records
                    .resync_completed(now, vm, &mut self.log);
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
            Action::FailoverReady { after } => self.failover_ready(now, vm, after, queue),
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
                if let Some(pipe) = self.vms[vm].path.cache() {
                    let most = self.scenario.vms[vm].disks.iter().map(|d| d.used.0).max();
                    pipe.set_blocks_disk_max(most.unwrap_or(0));
                }
                self.log_event(
                    now,
                    vm,
                    EventKind::JobStart,
                    Mark::None,
                    Mark::None,
                    "Failback download",
                );
                self.vms[vm].books.send(Transfer::Blocks { bytes });
                let wire = self.wire_bytes(vm, bytes);
                self.start_transfer(now, vm, wire, None, queue);
            }
            Action::ScheduleRepair => {
                self.cold[vm].records.admin_required(cause);
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
        }
    }

    /// Stop the VM's work in progress, keeping what remains: the transfer on the link, a
    /// retry wait, a checksum comparison. Their pending events become void.
    pub(super) fn stop_work(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let v = &mut self.vms[vm];
        let left = v.path.stop(now, vm as FlowId, &mut self.links, queue);
        v.work_gen += 1;
        if let Some(left) = left {
            v.books.interrupted(left);
        }
        let c = &mut self.cold[vm];
        if let Some(started) = c.compare_started.take() {
            c.compare_left_ms -= (now - started).min(c.compare_left_ms);
        }
    }

    /// Stop tracking writes and discard the logs: the open one, one in flight or waiting to
    /// be merged. A disk copy in progress is abandoned.
    pub(super) fn drop_logs(&mut self, now: Time, vm: usize) {
        self.before_volume_drop(now, vm);
        let sc = self.scenario;
        if let Some((pending, snapshot)) = self.books(vm).drop_logs(now, &sc.vms[vm]) {
            self.vms[vm].watch.saw(pending, snapshot);
        }
    }

    /// Arrange the resync's start as the policy says.
    pub(super) fn schedule_resync(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
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
    pub(super) fn begin_resync(&mut self, now: Time, vm: usize) {
        let sc = self.scenario;
        let spec = &sc.vms[vm];
        let policy = &sc.policies[self.vms[vm].policy()];
        let (to_send, disk_max) = self.books(vm).begin_resync(now, spec, policy);
        if let Some(pipe) = self.vms[vm].path.cache() {
            pipe.set_blocks_disk_max(disk_max);
        }
        let compared = spec.used_size();
        let compare_ms =
            resync::compare_ms(compared, policy.resync_read_rate).unwrap_or(Time::MAX / 4);
        self.vms[vm].path.log_closed(now);
        let c = &mut self.cold[vm];
        c.compare_left_ms = compare_ms;
        c.compare_started = None;
        c.records.resync_started(now, compared, to_send);
        let detail = format!("Resynchronize: {compared} bytes to compare, {to_send} bytes differ");
        self.log_event(now, vm, EventKind::JobStart, Mark::None, Mark::None, detail);
    }

    /// Start sending `bytes` (on the wire). `log_disk_max`: for a log, its largest share of
    /// one disk (what the azure-to-azure cache's per-disk limit looks at).
    #[inline(always)]
    pub(super) fn start_transfer(
        &mut self,
        now: Time,
        vm: usize,
        bytes: u64,
        log_disk_max: Option<u64>,
        queue: &mut EventQueue<Event>,
    ) {
        self.vms[vm].books.sending(bytes);
        // Nothing in force anywhere (the common case): no per-link, host or site look-up.
        let reason = if self.obstacles > 0 {
            self.blocked_reason(vm)
        } else {
            None
        };
        if let Some(reason) = reason {
            // Nothing gets through: the attempt fails at once (a recoverable error).
            self.cold[vm].blocked = Some(reason);
            let ev = Event::TransferFailed {
                vm: vm as u32,
                gen: self.vms[vm].work_gen,
            };
            queue.schedule(now, ev.class(), ev);
            return;
        }
        let v = &mut self.vms[vm];
        match &mut v.path {
            DataPath::Link(l) => self
                .links
                .start(now, *l as usize, vm as FlowId, bytes, queue),
            DataPath::Cache(pipe) => {
                let transfer = v.books.transfer();
                let disk_max = log_disk_max.unwrap_or_else(|| {
                    pipe.disk_share(
                        bytes,
                        v.books.disk_count(),
                        matches!(transfer, Some(Transfer::Disk { .. })),
                        matches!(transfer, Some(Transfer::Blocks { .. })),
                    )
                });
                let sc = self.scenario;
                let mut limits = sc.policies[v.policy as usize].cache;
                match sc.vms[vm].high_churn {
                    Some(true) => limits.per_vm = crate::model::CacheLimits::HIGH_CHURN.per_vm,
                    Some(false) => limits.per_vm = crate::model::CacheLimits::NORMAL.per_vm,
                    None => {}
                }
                let limits = pipe.limits(limits);
                let done = pipe.start(now, bytes, disk_max, log_disk_max.is_some(), limits);
                let ev = Event::CacheDone {
                    vm: vm as u32,
                    gen: v.work_gen,
                };
                queue.schedule(done, ev.class(), ev);
            }
        }
    }

    /// Why a transfer of `vm` cannot start now, if it cannot: its site or link is down, or
    /// its host is low on memory.
    #[inline(never)]
    pub(super) fn blocked_reason(&self, vm: usize) -> Option<Blocked> {
        let reason = match self.vms[vm].path.link() {
            None if self.site_down[self.site_of(vm)] > 0 => Some(Blocked::SiteDown),
            None => match &self.vms[vm].path {
                DataPath::Cache(pipe) if pipe.is_down() => Some(Blocked::CacheDown),
                _ => None,
            },
            Some(l) if self.links.is_down(l) => Some(Blocked::LinkDown),
            Some(_) => None,
        };
        if reason.is_some() {
            reason
        } else if self.hosts[self.scenario.vms[vm].host].crashed > 0 {
            Some(Blocked::HostDown)
        } else if self.hosts[self.scenario.vms[vm].host].low_memory > 0 {
            Some(Blocked::LowMemory)
        } else {
            None
        }
    }

    /// Bytes on the wire for `bytes` of data: vmm-to-vmm may compress [ours: off].
    #[inline(always)]
    pub(super) fn wire_bytes(&self, vm: usize, bytes: u64) -> u64 {
        if !self.compresses {
            return bytes;
        }
        let ratio = self.scenario.policies[self.vms[vm].policy()].compression_ratio;
        (bytes as f64 / ratio).ceil() as u64
    }

    pub(super) fn transfer_failed(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        self.cold[vm].transfer_failures += 1;
        if !self.vms[vm].machine.failing() {
            self.cold[vm].failing_since = now;
        }
        let sc = self.scenario;
        let detail = match (self.cold[vm].blocked, self.vms[vm].path.link()) {
            (Some(Blocked::LinkDown), Some(l)) => {
                format!("network error: link {} is down", sc.links[l].name)
            }
            (Some(Blocked::SiteDown), _) => {
                format!("site {} is down", sc.sites[self.site_of(vm)].name)
            }
            (Some(Blocked::HostDown), _) => {
                format!("host {} is down (crashed)", sc.hosts[sc.vms[vm].host].name)
            }
            (Some(blocked), _) => blocked.reason().to_string(),
            (None, _) => String::new(),
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

    // Inlined into the link wake-up handling: once per transfer.
    #[inline(always)]
    pub(super) fn transfer_done(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        self.before_volume_drop(now, vm);
        let (pending, snapshot) = self.volume_bytes(vm, now);
        let v = &mut self.vms[vm];
        v.watch.saw(pending, snapshot);
        v.watch.synced(now);
        v.books.arrive(&mut self.cold[vm].books);
        let attempts = v.machine.failed_attempts();
        self.feed_transfer_done(now, vm, queue);
        if attempts > 0 && !self.vms[vm].machine.failing() {
            self.retry_succeeded(now, vm, attempts);
        }
    }

    /// Disk `disk` (0-based) of a VM finished its initial copy now.
    #[cold]
    pub(super) fn disk_copied(&mut self, now: Time, vm: usize, disk: usize) {
        let spec = &self.scenario.vms[vm];
        let detail = format!(
            "disk {} of {} copied: {} bytes",
            disk + 1,
            spec.disks.len(),
            spec.disks[disk].used.0
        );
        let none = Mark::None;
        self.log_event(now, vm, EventKind::DiskCopied, none, none, detail);
    }

    /// A transfer got through on retry `attempt` after failing since `failing_since`.
    #[cold]
    #[inline(never)]
    fn retry_succeeded(&mut self, now: Time, vm: usize, attempt: u32) {
        let since = self.cold[vm].failing_since;
        let detail = format!(
            "retry {attempt} succeeded: the VM could not send for {}",
            crate::units::Millis(now.saturating_sub(since))
        );
        let none = Mark::None;
        self.log_event(now, vm, EventKind::RetrySucceeded, none, none, detail);
    }

    /// A resync's (or a failback synchronization's) checksums are compared now: the line
    /// gives what was read and what differs, then the machine goes on to send it.
    pub(super) fn checksums_compared(
        &mut self,
        now: Time,
        vm: usize,
        queue: &mut EventQueue<Event>,
    ) {
        let (compared, differ) = self.cold[vm].records.resync_figures();
        let detail =
            format!("checksums compared: {compared} bytes compared, {differ} bytes differ");
        let none = Mark::None;
        self.log_event(now, vm, EventKind::ChecksumsCompared, none, none, detail);
        self.feed(now, vm, Input::ChecksumsCompared, queue);
    }

    pub(super) fn repair(
        &mut self,
        now: Time,
        vm: usize,
        by: RepairBy,
        queue: &mut EventQueue<Event>,
    ) {
        let after = self.cold[vm].records.admin_error();
        let cause = ResyncCause::Repaired { by, after };
        self.feed_because(now, vm, Input::Repair, cause, queue);
    }
}
