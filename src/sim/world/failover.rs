//! Failover in the world (domain.md section 7): ordered operations, recovery plans run group
//! by group, the loss and return of sites, the recovery points each VM keeps, and the books
//! of data loss, downtime and RTO. The per-VM moves themselves are the state machine's.

use super::*;
use crate::model::failover::{
    FailbackMode, FailoverKind, OperationKind, OperationTarget, PlanStep, SCRIPT_TIMEOUT_MS,
};
use crate::model::recovery_points::{
    Consistency, PointChoice, RecoveryPoint, RecoveryPoints, Retention,
};

/// Why a VM writes nothing now (bits of `VmFailover::stopped`).
pub(super) const STOP_SHUT_DOWN: u8 = 1;
pub(super) const STOP_SITE_LOST: u8 = 2;
/// Its host crashed and is not back yet.
pub(super) const STOP_HOST_DOWN: u8 = 4;

/// A VM's failover state (boxed in `VmCold`: created on first use).
#[derive(Default)]
pub(super) struct VmFailover {
    /// The VM runs on the secondary side (failed over).
    pub(super) at_secondary: bool,
    /// Why it writes nothing now (`STOP_*` bits); 0 while it runs.
    stopped: u8,
    /// When its site was lost, while it is.
    site_lost_at: Option<Time>,
    /// Recovery points at the target: kept only when the scenario orders failovers.
    points: RecoveryPoints,
    next_app_consistent: Option<Time>,
    /// The point an ordered test or unplanned failover uses.
    chosen_point: Option<RecoveryPoint>,
    /// The failover run this VM is part of, and its slot there.
    run: Option<(u32, u32)>,
    /// The last failover's run and slot, its point, and the source's stop (time, writes):
    /// what a change of point recomputes.
    last_slot: Option<(u32, u32)>,
    used_point: Option<RecoveryPoint>,
    stop: (Time, u64),
    /// A failback's full download started (for the jobs log).
    pub(super) download_started: Option<Time>,
    /// When the VM was shut down for a failover, until it runs again.
    shut_down_at: Option<Time>,
    /// Set by an unplanned failover's loss, read by the readiness that follows it.
    loss_booked: bool,
    /// The other side came back without this VM's disks: the next copy there is a full one.
    other_side_empty: bool,
    /// When the point a test or unplanned failover uses is processed (azure-to-azure's
    /// `latest` may take one whose data is still in the cache): its preparation waits for it.
    point_processed_at: Time,
}

/// Where a failover run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Running the plan's steps before the first group.
    Before(usize),
    /// Waiting until every accepted VM of the group has its data on the other side.
    Waiting(usize),
    /// The group's VMs boot; `left` have not finished.
    Booting {
        group: usize,
        left: usize,
    },
    /// The steps after a group.
    After {
        group: usize,
        step: usize,
    },
    Done,
}

/// One ordered failover (or failback) of a VM or plan, while it runs and after.
pub(super) struct FailoverRun {
    pub(super) record: FailoverRecord,
    plan: Option<usize>,
    /// Per group, the indices of its VMs in `record.vms`.
    groups: Vec<Vec<usize>>,
    /// The VM of each slot of `record.vms`.
    vm_of: Vec<usize>,
    phase: Phase,
    /// A failed script stops the run (planned failovers and failbacks).
    stops_on_failure: bool,
    test: bool,
    /// Set while the VMs are being ordered: readiness waits until all are.
    ordering: bool,
    /// A step is running: readiness of VMs meanwhile does not move the run on.
    step_running: bool,
    /// The step in progress fails when it ends.
    step_fails: Option<&'static str>,
}

impl World<'_> {
    /// The points a VM keeps, and how long: only when the scenario orders failovers.
    fn retention(&self, vm: usize) -> Retention {
        let policy = &self.scenario.policies[self.vms[vm].policy()];
        let keep_all_ms = match self.scenario.topology {
            // [src] All 5-minute points for the last 2 hours, then one per hour.
            Topology::AzureToAzure => 2 * 3_600_000,
            // The latest point plus the additional hourly ones.
            _ => policy.copy_interval,
        };
        Retention {
            keep_all_ms,
            retention_ms: policy.recovery_point_retention,
        }
    }

    /// A log closed at `closed_at` (the VM had written `written` by then) has been applied;
    /// `in_sync`: the point is the VM's state when the run starts, at the target already.
    pub(super) fn keep_point(
        &mut self,
        now: Time,
        vm: usize,
        closed_at: Time,
        written: u64,
        in_sync: bool,
    ) {
        if !self.keeps_points {
            return;
        }
        let retention = self.retention(vm);
        let policy = &self.scenario.policies[self.vms[vm].policy()];
        let every = policy.app_consistent_every;
        // [ours] azure-to-azure processes the cache's data into the point `processing_delay`
        // after it arrived; Hyper-V sources apply a log as it arrives.
        let processed_at = match self.scenario.topology {
            Topology::AzureToAzure if !in_sync => now + policy.processing_delay,
            _ => now,
        };
        let c = self.cold[vm].failover();
        // [ours] An app-consistent (VSS) snapshot is due every `every` from the first point;
        // the first log closed at or after it carries it.
        let consistency = match (every, c.next_app_consistent) {
            (Some(every), Some(due)) if closed_at >= due => {
                c.next_app_consistent = Some(closed_at + every);
                Consistency::App
            }
            (Some(every), None) => {
                c.next_app_consistent = Some(closed_at + every);
                Consistency::Crash
            }
            _ => Consistency::Crash,
        };
        let point = RecoveryPoint {
            at: closed_at,
            consistency,
            written,
            processed_at,
        };
        c.points.add(point, now, retention);
    }

    pub(super) fn clear_points(&mut self, vm: usize) {
        if let Some(f) = self.cold[vm].failover.as_mut() {
            f.points.clear();
        }
    }

    /// The point a failover would use now, after retention.
    fn choose_point(&mut self, now: Time, vm: usize, choice: PointChoice) -> Option<RecoveryPoint> {
        let retention = self.retention(vm);
        let points = &mut self.cold[vm].failover.as_mut()?.points;
        points.prune(now, retention);
        points.choose(choice, now)
    }

    /// The side the VM does not run on has no disks of it (its site came back without).
    fn other_side_empty(&self, vm: usize) -> bool {
        self.cold[vm]
            .failover
            .as_ref()
            .is_some_and(|f| f.other_side_empty)
    }

    /// Why the other side cannot be reached now over the VM's link, if it cannot (a planned
    /// failover needs the source reachable [src]).
    fn link_down(&self, vm: usize) -> Option<String> {
        let l = self.vms[vm]
            .path
            .link()
            .filter(|&l| self.links.is_down(l))?;
        Some({
            format!(
                "the source is unreachable: link {} is down",
                self.scenario.links[l].name
            )
        })
    }

    /// The site a VM's source hosts belong to.
    pub(super) fn site_of(&self, vm: usize) -> usize {
        self.scenario.hosts[self.scenario.vms[vm].host].site
    }

    pub(super) fn stop_writes(&mut self, now: Time, vm: usize, why: u8) {
        let f = self.cold[vm].failover();
        let was = f.stopped;
        f.stopped |= why;
        if was == 0 {
            self.books(vm).stop_writes(now);
        }
    }

    pub(super) fn start_writes(
        &mut self,
        now: Time,
        vm: usize,
        why: u8,
        queue: &mut EventQueue<Event>,
    ) {
        let f = self.cold[vm].failover();
        let was = f.stopped;
        f.stopped &= !why;
        if why & STOP_SHUT_DOWN != 0 {
            f.shut_down_at = None;
        }
        if was != 0 && f.stopped == 0 {
            self.books(vm).restart_writes(now);
            // Its snapshot and logs grow again: a volume check armed while it was down
            // counted them as still.
            self.volume_recheck(now, self.scenario.vms[vm].host, queue);
            // A deadline found unreachable while the VM was down may be reachable now.
            if self.vms[vm].threshold == ThresholdCheck::Never {
                self.vms[vm].threshold = ThresholdCheck::Idle;
                self.after_step(now, vm, queue);
            }
        }
    }

    pub(super) fn site_down(&mut self, now: Time, site: usize, queue: &mut EventQueue<Event>) {
        self.site_down[site] += 1;
        self.obstacles += 1;
        let name = &self.scenario.sites[site].name;
        for vm in 0..self.vms.len() {
            if self.site_of(vm) != site {
                continue;
            }
            self.log_event(
                now,
                vm,
                EventKind::Site,
                Mark::None,
                Mark::None,
                format!("site {name} lost"),
            );
            if !self.cold[vm].at_secondary() {
                self.cold[vm].failover().site_lost_at.get_or_insert(now);
                self.stop_writes(now, vm, STOP_SITE_LOST);
            }
        }
        if let Some(l) = self.scenario.sites[site].link {
            self.outage_start(now, l, queue);
        }
        self.fail_cache_transfers(now, site, queue);
    }

    /// A region is lost: its VMs' cache transfers fail (the VMs running there, and those that
    /// replicate into it).
    fn fail_cache_transfers(&mut self, now: Time, site: usize, queue: &mut EventQueue<Event>) {
        for vm in 0..self.vms.len() {
            if self.site_of(vm) != site {
                continue;
            }
            let Some(pipe) = self.vms[vm].path.cache() else {
                continue;
            };
            if let Some(left) = pipe.stop(now) {
                self.vms[vm].work_gen += 1;
                self.vms[vm].books.interrupted(left);
                self.cold[vm].blocked = Some(Blocked::SiteDown);
                self.transfer_failed(now, vm, queue);
            }
        }
    }

    pub(super) fn site_up(
        &mut self,
        now: Time,
        site: usize,
        disks_lost: bool,
        queue: &mut EventQueue<Event>,
    ) {
        self.site_down[site] -= 1;
        self.obstacles -= 1;
        if disks_lost {
            for vm in 0..self.vms.len() {
                if self.site_of(vm) == site && self.cold[vm].at_secondary() {
                    self.cold[vm].failover().other_side_empty = true;
                }
            }
        }
        if let Some(l) = self.scenario.sites[site].link {
            self.outage_end(now, l, queue);
        }
        if self.site_down[site] > 0 {
            return;
        }
        let name = &self.scenario.sites[site].name;
        for vm in 0..self.vms.len() {
            if self.site_of(vm) != site {
                continue;
            }
            self.log_event(
                now,
                vm,
                EventKind::Site,
                Mark::None,
                Mark::None,
                format!("site {name} back"),
            );
            let stopped = self.cold[vm].failover.as_ref().map_or(0, |f| f.stopped);
            if stopped & STOP_SITE_LOST != 0 {
                self.cold[vm].failover().site_lost_at = None;
                self.start_writes(now, vm, STOP_SITE_LOST, queue);
            }
        }
    }

    /// A failover step in the event log.
    pub(super) fn log_failover(&mut self, now: Time, vm: usize, detail: String) {
        self.log_event(now, vm, EventKind::Failover, Mark::None, Mark::None, detail);
    }

    /// Log a refused operation with its reason (the machine logs its own refusals).
    fn refuse(&mut self, now: Time, vm: usize, what: &str, why: String) -> Option<String> {
        let state = self.vms[vm].machine.state().kind();
        self.log_event(
            now,
            vm,
            EventKind::Refused,
            Mark::State(state),
            Mark::State(state),
            format!("{what}: {why}"),
        );
        Some(why)
    }

    /// Feed an operation's input; the machine's refusal (already logged) becomes the reason.
    fn feed_checked(
        &mut self,
        now: Time,
        vm: usize,
        input: Input,
        queue: &mut EventQueue<Event>,
    ) -> Option<String> {
        let state = self.vms[vm].machine.state().kind();
        let kind = input.kind();
        if self.try_feed(now, vm, input, None, queue) {
            None
        } else {
            Some(rep::Refused { state, input: kind }.to_string())
        }
    }

    /// An ordered operation comes due.
    pub(super) fn operation(&mut self, now: Time, index: usize, queue: &mut EventQueue<Event>) {
        let op = self.scenario.failovers.operations[index];
        let vms: Vec<usize> = match op.target {
            OperationTarget::Vm(vm) => vec![vm],
            OperationTarget::Plan(p) => self.scenario.failovers.plans[p]
                .groups
                .iter()
                .flat_map(|g| g.vms.iter().copied())
                .collect(),
        };
        let name = op.kind.name();
        for &vm in &vms {
            self.log_event(now, vm, EventKind::Operation, Mark::None, Mark::None, name);
        }
        match op.kind {
            OperationKind::Failover { .. } | OperationKind::Failback { .. } => {
                self.start_failover(now, op.target, op.kind, queue)
            }
            OperationKind::Cleanup => {
                for vm in vms {
                    self.feed_checked(now, vm, Input::Cleanup, queue);
                }
            }
            OperationKind::Commit => {
                for vm in vms {
                    self.feed_checked(now, vm, Input::Commit, queue);
                }
            }
            OperationKind::ChangePoint { point } => {
                for vm in vms {
                    let failed_over =
                        self.vms[vm].machine.state().kind() == rep::StateKind::FailedOver;
                    match self.choose_point(now, vm, point) {
                        Some(p) if failed_over => {
                            self.cold[vm].failover().chosen_point = Some(p);
                            self.feed_checked(now, vm, Input::ChangePoint, queue);
                        }
                        None if failed_over => {
                            let why = no_point_reason(self.scenario, point);
                            self.refuse(now, vm, name, why);
                        }
                        _ => {
                            self.feed_checked(now, vm, Input::ChangePoint, queue);
                        }
                    }
                }
            }
            OperationKind::ReverseReplicate => {
                for vm in vms {
                    let site = self.site_of(vm);
                    if self.site_down[site] > 0 {
                        let why = format!("site {} is down", self.scenario.sites[site].name);
                        self.refuse(now, vm, name, why);
                    } else if self.scenario.topology == Topology::HyperVToAzure
                        && self.cold[vm].at_secondary()
                    {
                        let why = "a VM running in Azure comes back by failback".to_string();
                        self.refuse(now, vm, name, why);
                    } else {
                        // The other side keeps its disks (a commit deletes recovery points,
                        // not replica disks) unless its site came back without them.
                        let full_copy = self.other_side_empty(vm);
                        let input = Input::ReverseReplicate { full_copy };
                        if self.feed_checked(now, vm, input, queue).is_none() && full_copy {
                            // The initial replication rebuilds the disks there.
                            self.cold[vm].failover().other_side_empty = false;
                        }
                    }
                }
            }
        }
    }

    fn start_failover(
        &mut self,
        now: Time,
        target: OperationTarget,
        kind: OperationKind,
        queue: &mut EventQueue<Event>,
    ) {
        let sc = self.scenario;
        let (plan, groups, label): (Option<usize>, Vec<Vec<usize>>, String) = match target {
            OperationTarget::Vm(vm) => (None, vec![vec![vm]], sc.vms[vm].name.clone()),
            OperationTarget::Plan(p) => (
                Some(p),
                sc.failovers.plans[p]
                    .groups
                    .iter()
                    .map(|g| g.vms.clone())
                    .collect(),
                sc.failovers.plans[p].name.clone(),
            ),
        };
        let (kind_name, test, stops_on_failure) = match kind {
            OperationKind::Failover { kind, .. } => (
                kind.name(),
                kind == FailoverKind::Test,
                kind == FailoverKind::Planned,
            ),
            _ => ("failback", false, true),
        };
        let run_index = self.runs.len();
        let mut vm_of = Vec::new();
        let mut slots = Vec::new();
        let mut group_records = Vec::new();
        for g in &groups {
            let mut slot_group = Vec::new();
            for &vm in g {
                slot_group.push(vm_of.len());
                vm_of.push(vm);
            }
            slots.push(slot_group);
            group_records.push(GroupRecord {
                started_at: None,
                booted_at: None,
                vms: g.iter().map(|&v| sc.vms[v].name.clone()).collect(),
            });
        }
        let vms_records = vm_of
            .iter()
            .map(|&vm| FailoverVmRecord {
                vm: sc.vms[vm].name.clone(),
                refused: None,
                recovery_point_at: None,
                recovery_point_consistency: None,
                data_loss_ms: None,
                data_loss_bytes: None,
                source_stopped_at: None,
                ready_at: None,
                boot_started_at: None,
                booted_at: None,
                state_after: "",
            })
            .collect();
        self.runs.push(FailoverRun {
            record: FailoverRecord {
                kind: kind_name,
                target: label,
                target_is_plan: plan.is_some(),
                at: now,
                completed_at: None,
                stopped: None,
                groups: group_records,
                steps: Vec::new(),
                vms: vms_records,
            },
            plan,
            groups: slots,
            vm_of: vm_of.clone(),
            phase: Phase::Before(0),
            stops_on_failure,
            test,
            ordering: true,
            step_running: false,
            step_fails: None,
        });
        for (slot, &vm) in vm_of.iter().enumerate() {
            let refused = self.order_vm(now, vm, kind, run_index, slot, queue);
            self.runs[run_index].record.vms[slot].refused = refused;
        }
        self.runs[run_index].ordering = false;
        self.advance_run(now, run_index, queue);
    }

    /// Order one VM's part of a failover; the reason if it is refused.
    fn order_vm(
        &mut self,
        now: Time,
        vm: usize,
        kind: OperationKind,
        run: usize,
        slot: usize,
        queue: &mut EventQueue<Event>,
    ) -> Option<String> {
        let sc = self.scenario;
        let what = kind.name();
        let site = self.site_of(vm);
        let at_secondary = self.cold[vm].at_secondary();
        if let Some(network) = &sc.vms[vm].network {
            if !at_secondary && sc.sites[site].mapped_network(network).is_none() {
                let why = format!(
                    "network {network} has no mapping at site {}",
                    sc.sites[site].name
                );
                return self.refuse(now, vm, what, why);
            }
        }
        let input = match kind {
            OperationKind::Failover {
                kind: FailoverKind::Planned,
                ..
            } => {
                if let Some(why) = self.planned_blocked(vm) {
                    return self.refuse(now, vm, what, why);
                }
                let shutdown = sc.vms[vm].shutdown_time;
                let protected = self.vms[vm].machine.state().kind() == rep::StateKind::Protected;
                if shutdown > 0 && protected {
                    return self.start_shutdown(now, vm, run, slot, shutdown, queue);
                }
                Input::PlannedFailover
            }
            OperationKind::Failover { kind, point } => {
                let input = if kind == FailoverKind::Test {
                    Input::TestFailover
                } else {
                    Input::UnplannedFailover
                };
                // Let the machine refuse a VM in the wrong state, with its own words.
                if self.vms[vm].machine.state().kind() != rep::StateKind::Protected
                    && kind == FailoverKind::Test
                {
                    return self.feed_checked(now, vm, input, queue);
                }
                let choice = point;
                match self.choose_point(now, vm, choice) {
                    Some(p) => self.cold[vm].failover().chosen_point = Some(p),
                    None if matches!(
                        self.vms[vm].machine.state().kind(),
                        rep::StateKind::Protected
                            | rep::StateKind::ReplicationPaused
                            | rep::StateKind::ResyncRequired
                            | rep::StateKind::Resynchronizing
                            | rep::StateKind::ResyncPaused
                            | rep::StateKind::AdminRequired
                            | rep::StateKind::FailingOver
                    ) =>
                    {
                        let why = no_point_reason(sc, choice);
                        return self.refuse(now, vm, what, why);
                    }
                    None => {}
                }
                input
            }
            OperationKind::Failback { mode, alternate_vm } => {
                if !at_secondary {
                    let why = "the VM runs on the primary side already".to_string();
                    return self.refuse(now, vm, what, why);
                }
                if self.site_down[site] > 0 {
                    let why = format!("the primary site {} is unreachable", sc.sites[site].name);
                    return self.refuse(now, vm, what, why);
                }
                if let Some(why) = self.link_down(vm) {
                    return self.refuse(now, vm, what, why);
                }
                match sc.topology {
                    Topology::HyperVToAzure => Input::Failback {
                        // [src] An alternate VM, or a site that came back without the VM's
                        // disks, has nothing to compare: a full download.
                        sync_first: mode == FailbackMode::SyncFirst
                            && !alternate_vm
                            && !self.other_side_empty(vm),
                    },
                    // A planned failover back: its source shuts down first as well.
                    _ => {
                        let shutdown = sc.vms[vm].shutdown_time;
                        let protected =
                            self.vms[vm].machine.state().kind() == rep::StateKind::Protected;
                        if shutdown > 0 && protected {
                            return self.start_shutdown(now, vm, run, slot, shutdown, queue);
                        }
                        Input::PlannedFailover
                    }
                }
            }
            _ => unreachable!("only failovers and failbacks start a run"),
        };
        let f = self.cold[vm].failover();
        let before = (f.run, f.last_slot);
        f.run = Some((run as u32, slot as u32));
        f.last_slot = f.run;
        let refused = self.feed_checked(now, vm, input, queue);
        if refused.is_some() {
            // The run the VM was part of (if any) goes on as before.
            let f = self.cold[vm].failover();
            (f.run, f.last_slot) = before;
        } else if let Some((old_run, old_slot)) = before.0 {
            // This order took the VM out of an unfinished run: that run goes on without it.
            let (old_run, old_slot) = (old_run as usize, old_slot as usize);
            let old = &mut self.runs[old_run].record.vms[old_slot];
            if old.ready_at.is_none() {
                old.refused = Some(format!("superseded by the {what} at the same VM"));
                self.advance_run(now, old_run, queue);
            }
        }
        refused
    }

    /// [ours] A planned failover first shuts the source VM down: it stops serving and
    /// writing at once (its downtime starts), and the last changes are sent once it is off,
    /// `shutdown` later. Part of `order_vm`: the VM joins run `run` at `slot`.
    fn start_shutdown(
        &mut self,
        now: Time,
        vm: usize,
        run: usize,
        slot: usize,
        shutdown: Time,
        queue: &mut EventQueue<Event>,
    ) -> Option<String> {
        let f = self.cold[vm].failover();
        let old = f.run;
        f.run = Some((run as u32, slot as u32));
        f.last_slot = f.run;
        self.shut_down(now, vm);
        let detail = format!(
            "shutting down the source ({})",
            crate::units::Millis(shutdown)
        );
        self.log_failover(now, vm, detail);
        let (run, slot) = (run as u32, slot as u32);
        let ev = Event::ShutdownDone { run, slot };
        queue.schedule(now + shutdown, ev.class(), ev);
        // This order took the VM out of an unfinished run: that run goes on without it.
        if let Some((old_run, old_slot)) = old {
            let (old_run, old_slot) = (old_run as usize, old_slot as usize);
            let what = match self.runs[run as usize].record.kind {
                "failback" => "failback",
                _ => "planned-failover",
            };
            let old = &mut self.runs[old_run].record.vms[old_slot];
            if old.ready_at.is_none() {
                old.refused = Some(format!("superseded by the {what} at the same VM"));
                self.advance_run(now, old_run, queue);
            }
        }
        None
    }

    /// The machine's `ShutDown`: the VM stops writing on the side it ran on.
    pub(super) fn shut_down(&mut self, now: Time, vm: usize) {
        let f = self.cold[vm].failover();
        let stopped_at = *f.shut_down_at.get_or_insert(f.site_lost_at.unwrap_or(now));
        self.stop_writes(now, vm, STOP_SHUT_DOWN);
        if let Some(slot) = self.run_slot(vm) {
            slot.source_stopped_at.get_or_insert(stopped_at);
        }
    }

    fn run_slot(&mut self, vm: usize) -> Option<&mut FailoverVmRecord> {
        let (run, slot) = self.cold[vm].failover.as_ref()?.run?;
        Some(&mut self.runs[run as usize].record.vms[slot as usize])
    }

    /// The machine's `LoseWritesAfterPoint`: the books of an unplanned failover. The writes
    /// after the chosen point are lost: what was pending, and what had been applied after it.
    pub(super) fn lose_writes_after_point(&mut self, now: Time, vm: usize) {
        let f = self.cold[vm].failover();
        let point = f.chosen_point.take();
        let newest = f.points.choose(PointChoice::Latest, now);
        let rolled_back = match (point, newest) {
            (Some(p), Some(n)) => n.written.saturating_sub(p.written),
            _ => 0,
        };
        let w = self.books(vm).lose_writes(now, rolled_back);
        let f = self.cold[vm].failover();
        // The source stopped writing when its site was lost, or when a planned failover this
        // one interrupts shut it down; else now.
        let stopped_at = f.site_lost_at.or(f.shut_down_at).unwrap_or(now);
        f.loss_booked = true;
        f.used_point = point;
        f.point_processed_at = point.map_or(0, |p| p.processed_at);
        f.stop = (stopped_at, w);
        if let Some(slot) = self.run_slot(vm) {
            if let Some(p) = point {
                slot.recovery_point_at = Some(p.at);
                slot.recovery_point_consistency = Some(consistency_name(p.consistency));
                slot.data_loss_ms = Some(stopped_at.saturating_sub(p.at));
                slot.data_loss_bytes = Some(w.saturating_sub(p.written));
            }
        }
    }

    /// The machine's `UseAnotherPoint`: the books and the last failover's figures follow the
    /// new point (writes made on the failed-over VM since are untracked, as before).
    pub(super) fn use_another_point(&mut self, now: Time, vm: usize) {
        let f = self.cold[vm].failover();
        let (Some(old), Some(new)) = (f.used_point, f.chosen_point.take()) else {
            return;
        };
        f.used_point = Some(new);
        // Applied bytes between the two points: lost now (older point) or kept (newer).
        let rolled_back = i128::from(old.written) - i128::from(new.written);
        let ((stopped_at, written_at_stop), slot) = (f.stop, f.last_slot);
        self.books(vm).change_point(rolled_back);
        if let Some((run, slot)) = slot {
            let record = &mut self.runs[run as usize].record.vms[slot as usize];
            record.recovery_point_at = Some(new.at);
            record.recovery_point_consistency = Some(consistency_name(new.consistency));
            record.data_loss_ms = Some(stopped_at.saturating_sub(new.at));
            record.data_loss_bytes = Some(written_at_stop.saturating_sub(new.written));
        }
        let detail = format!(
            "running from the point of {} instead",
            self.scenario
                .calendar
                .datetime(new.at)
                .format("%Y-%m-%d %H:%M:%S")
        );
        self.log_failover(now, vm, detail);
    }

    /// The machine's `StartTestCopy`: the copy's data is ready at once.
    pub(super) fn start_test_copy(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let f = self.cold[vm].failover();
        let point = f.chosen_point.take();
        f.point_processed_at = point.map_or(0, |p| p.processed_at);
        let detail = match point {
            Some(p) => format!(
                "test copy from the point of {}",
                self.scenario
                    .calendar
                    .datetime(p.at)
                    .format("%Y-%m-%d %H:%M:%S")
            ),
            None => "test copy".to_string(),
        };
        self.log_failover(now, vm, detail);
        if let Some(slot) = self.run_slot(vm) {
            if let Some(p) = point {
                slot.recovery_point_at = Some(p.at);
                slot.recovery_point_consistency = Some(consistency_name(p.consistency));
            }
            slot.data_loss_ms = Some(0);
            slot.data_loss_bytes = Some(0);
        }
        self.vm_ready(now, vm, queue);
    }

    /// A failback's download was cut short (by an unplanned failover): its job fails.
    pub(super) fn download_interrupted(&mut self, now: Time, vm: usize, by: rep::InterruptedBy) {
        let Some(started) = self.cold[vm].failover().download_started.take() else {
            return;
        };
        let detail = format!("interrupted: {by:?}");
        let span = (started, now);
        records::download_ended(&mut self.log, vm, span, JobOutcome::Failed, &detail);
    }

    /// The machine's `FailoverReady`: the VM now runs on the other side.
    pub(super) fn failover_ready(
        &mut self,
        now: Time,
        vm: usize,
        after: rep::ReadyAfter,
        queue: &mut EventQueue<Event>,
    ) {
        // Planned (and failback): everything written reached the other side; unless an
        // unplanned failover interrupted it (its loss is already booked).
        let unplanned = std::mem::take(&mut self.cold[vm].failover().loss_booked);
        let planned_zero_loss = !unplanned && after != rep::ReadyAfter::RecoveryPoint;
        if after == rep::ReadyAfter::Download {
            // The downloaded copy is the source as it stopped: later differences count from
            // here.
            self.mark_all(vm, now);
            self.cold[vm].failover().other_side_empty = false;
            let started = self.cold[vm].failover().download_started.take();
            let bytes = self.scenario.vms[vm].used_size();
            let (span, detail) = ((started.unwrap_or(now), now), format!("{bytes} bytes"));
            records::download_ended(&mut self.log, vm, span, JobOutcome::Succeeded, &detail);
        }
        // Writes on the new side are not tracked until replication runs from it.
        self.before_volume_drop(now, vm);
        self.vms[vm].books.pause_tracking();
        let f = self.cold[vm].failover();
        f.at_secondary = !f.at_secondary;
        // The lost site no longer holds the VM's writes back: it runs elsewhere.
        f.stopped &= !STOP_SITE_LOST;
        f.site_lost_at = None;
        // Its logs move with it: back at the primary they are on its host's volume again.
        self.volume_recheck(now, self.scenario.vms[vm].host, queue);
        self.vms[vm].watch.point_gone(now);
        let side = if self.cold[vm].at_secondary() {
            "secondary"
        } else {
            "primary"
        };
        self.log_failover(now, vm, format!("running on the {side} side"));
        if planned_zero_loss {
            let w = self.books(vm).written(now);
            let f = self.cold[vm].failover();
            f.used_point = f.points.choose(PointChoice::Latest, now);
            f.point_processed_at = 0;
            f.stop = (now, w);
            if let Some(slot) = self.run_slot(vm) {
                slot.data_loss_ms = Some(0);
                slot.data_loss_bytes = Some(0);
            }
        }
        self.vm_ready(now, vm, queue);
    }

    fn vm_ready(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let Some((run, slot)) = self.cold[vm].failover.as_ref().and_then(|f| f.run) else {
            return;
        };
        self.runs[run as usize].record.vms[slot as usize].ready_at = Some(now);
        self.advance_run(now, run as usize, queue);
    }

    /// Move a run on as far as it can go now.
    fn advance_run(&mut self, now: Time, r: usize, queue: &mut EventQueue<Event>) {
        if self.runs[r].ordering || self.runs[r].step_running {
            return;
        }
        loop {
            let run = &self.runs[r];
            match run.phase {
                Phase::Before(i) => {
                    if i < self.before_steps(r).len() {
                        self.start_step(now, r, None, i, queue);
                        return;
                    }
                    self.runs[r].phase = Phase::Waiting(0);
                }
                Phase::Waiting(g) => {
                    if g == run.groups.len() {
                        self.finish_run(now, r);
                        return;
                    }
                    let accepted: Vec<usize> = run.groups[g]
                        .iter()
                        .copied()
                        .filter(|&s| run.record.vms[s].refused.is_none())
                        .collect();
                    if accepted
                        .iter()
                        .any(|&s| run.record.vms[s].ready_at.is_none())
                    {
                        return;
                    }
                    self.runs[r].record.groups[g].started_at = Some(now);
                    for &s in &accepted {
                        let vm = self.runs[r].vm_of[s];
                        // [ours] Each VM of the group is prepared at the target (its VM
                        // created or its point applied), then boots; the VMs of a group in
                        // parallel.
                        // [ours] A point whose data is still being processed (azure-to-
                        // azure's `latest`) is processed first: the failover's RTO holds it.
                        let processed_at =
                            std::mem::take(&mut self.cold[vm].failover().point_processed_at);
                        let processing = processed_at.saturating_sub(now);
                        if processing > 0 {
                            let detail = format!(
                                "processing the point's data: {} before preparing",
                                crate::units::Millis(processing)
                            );
                            self.log_failover(now, vm, detail);
                        }
                        let prepare = self.scenario.vms[vm].prepare_time + processing;
                        if prepare == 0 {
                            self.prepared(now, r, s, queue);
                        } else {
                            let (run, slot) = (r as u32, s as u32);
                            let ev = Event::Prepared { run, slot };
                            queue.schedule(now + prepare, ev.class(), ev);
                        }
                    }
                    if accepted.is_empty() {
                        self.runs[r].phase = Phase::After { group: g, step: 0 };
                    } else {
                        self.runs[r].phase = Phase::Booting {
                            group: g,
                            left: accepted.len(),
                        };
                        return;
                    }
                }
                Phase::Booting { group, left } => {
                    if left > 0 {
                        return;
                    }
                    self.runs[r].record.groups[group].booted_at = Some(now);
                    self.runs[r].phase = Phase::After { group, step: 0 };
                }
                Phase::After { group, step } => {
                    if step < self.after_steps(r, group).len() {
                        self.start_step(now, r, Some(group), step, queue);
                        return;
                    }
                    self.runs[r].phase = Phase::Waiting(group + 1);
                }
                Phase::Done => return,
            }
        }
    }

    fn before_steps(&self, r: usize) -> &[PlanStep] {
        match self.runs[r].plan {
            Some(p) => &self.scenario.failovers.plans[p].before,
            None => &[],
        }
    }

    fn after_steps(&self, r: usize, group: usize) -> &[PlanStep] {
        match self.runs[r].plan {
            Some(p) => &self.scenario.failovers.plans[p].groups[group].after,
            None => &[],
        }
    }

    fn start_step(
        &mut self,
        now: Time,
        r: usize,
        group: Option<usize>,
        i: usize,
        queue: &mut EventQueue<Event>,
    ) {
        let step = match group {
            None => &self.before_steps(r)[i],
            Some(g) => &self.after_steps(r, g)[i],
        };
        let (name, kind, ends, fails) = match step {
            PlanStep::Script {
                name,
                duration,
                fails,
            } => {
                if *duration > SCRIPT_TIMEOUT_MS {
                    (name, "script", SCRIPT_TIMEOUT_MS, Some("timed-out"))
                } else {
                    (name, "script", *duration, fails.then_some("failed"))
                }
            }
            PlanStep::Manual { name, wait } => (name, "manual", *wait, None),
        };
        let record = StepRecord {
            name: name.clone(),
            kind,
            after_group: group,
            started_at: now,
            ended_at: now + ends,
            outcome: "in-progress",
        };
        let run = &mut self.runs[r];
        run.step_running = true;
        run.step_fails = fails;
        run.record.steps.push(record);
        let ev = Event::PlanStepDone { run: r as u32 };
        queue.schedule(now + ends, ev.class(), ev);
    }

    pub(super) fn step_done(&mut self, now: Time, r: usize, queue: &mut EventQueue<Event>) {
        let run = &mut self.runs[r];
        run.step_running = false;
        let failed = run.step_fails.take();
        if let Some(step) = run.record.steps.last_mut() {
            step.outcome = failed.unwrap_or("succeeded");
        }
        if let (Some(outcome), true) = (failed, run.stops_on_failure) {
            let name = run.record.steps.last().map_or("", |s| s.name.as_str());
            run.record.stopped = Some(format!("script {name} {outcome}"));
            run.phase = Phase::Done;
            self.record_states_after(r);
            return;
        }
        run.phase = match run.phase {
            Phase::Before(i) => Phase::Before(i + 1),
            Phase::After { group, step } => Phase::After {
                group,
                step: step + 1,
            },
            other => other,
        };
        self.advance_run(now, r, queue);
    }

    /// A VM of run `r` is prepared at the target: it boots.
    pub(super) fn prepared(
        &mut self,
        now: Time,
        r: usize,
        slot: usize,
        queue: &mut EventQueue<Event>,
    ) {
        let vm = self.runs[r].vm_of[slot];
        let boot = self.scenario.vms[vm].boot_time;
        self.runs[r].record.vms[slot].boot_started_at = Some(now);
        let ev = Event::BootDone {
            run: r as u32,
            slot: slot as u32,
        };
        queue.schedule(now + boot, ev.class(), ev);
    }

    /// The source VM of a planned failover (slot `slot` of run `r`) is off: the machine's
    /// planned failover sends the last changes now. Nothing happens if another order took
    /// the VM out of this run meanwhile.
    pub(super) fn shutdown_done(
        &mut self,
        now: Time,
        r: usize,
        slot: usize,
        queue: &mut EventQueue<Event>,
    ) {
        let vm = self.runs[r].vm_of[slot];
        if self.cold[vm].failover().run != Some((r as u32, slot as u32)) {
            return;
        }
        self.log_failover(now, vm, "source shut down".to_string());
        let what = match self.runs[r].record.kind {
            "failback" => "failback",
            _ => "planned-failover",
        };
        let refused = match self.planned_blocked(vm) {
            Some(why) => self.refuse(now, vm, what, why),
            None => self.feed_checked(now, vm, Input::PlannedFailover, queue),
        };
        if let Some(why) = refused {
            // [ours] The failover job fails; the operator starts the VM again at the source.
            let f = self.cold[vm].failover();
            (f.run, f.last_slot) = (None, None);
            self.runs[r].record.vms[slot].refused = Some(why);
            self.start_writes(now, vm, STOP_SHUT_DOWN, queue);
            self.advance_run(now, r, queue);
        }
    }

    /// Why a planned failover cannot reach the VM's source now, if it cannot [src].
    fn planned_blocked(&self, vm: usize) -> Option<String> {
        let sc = self.scenario;
        let site = self.site_of(vm);
        if self.site_down[site] > 0 {
            let side = if self.cold[vm].at_secondary() {
                "target"
            } else {
                "source"
            };
            return Some(format!(
                "the {side} site {} is unreachable",
                sc.sites[site].name
            ));
        }
        self.link_down(vm)
    }

    pub(super) fn boot_done(
        &mut self,
        now: Time,
        r: usize,
        slot: usize,
        queue: &mut EventQueue<Event>,
    ) {
        let vm = self.runs[r].vm_of[slot];
        self.runs[r].record.vms[slot].booted_at = Some(now);
        if !self.runs[r].test {
            self.start_writes(now, vm, STOP_SHUT_DOWN, queue);
        }
        self.log_failover(now, vm, "booted".to_string());
        if let Phase::Booting { group, left } = self.runs[r].phase {
            self.runs[r].phase = Phase::Booting {
                group,
                left: left - 1,
            };
        }
        self.advance_run(now, r, queue);
    }

    fn finish_run(&mut self, now: Time, r: usize) {
        let run = &mut self.runs[r];
        run.phase = Phase::Done;
        run.record.completed_at = Some(now);
        self.record_states_after(r);
    }

    fn record_states_after(&mut self, r: usize) {
        for s in 0..self.runs[r].vm_of.len() {
            let vm = self.runs[r].vm_of[s];
            let state = self.vms[vm].machine.state().kind().name();
            self.runs[r].record.vms[s].state_after = state;
            if let Some(f) = self.cold[vm].failover.as_mut() {
                if f.run == Some((r as u32, s as u32)) {
                    f.run = None;
                }
            }
        }
    }

    /// The records of every run, at the end of the simulation.
    pub(super) fn failover_records(&mut self) -> Vec<FailoverRecord> {
        for r in 0..self.runs.len() {
            if self.runs[r].phase != Phase::Done {
                self.record_states_after(r);
            }
        }
        self.runs.drain(..).map(|r| r.record).collect()
    }
}

fn no_point_reason(sc: &crate::model::Scenario, choice: PointChoice) -> String {
    match choice {
        PointChoice::LatestAppConsistent => "no app-consistent recovery point".to_string(),
        PointChoice::LatestProcessed => "no processed recovery point".to_string(),
        PointChoice::AtOrBefore(t) => format!(
            "no recovery point at or before {}",
            sc.calendar.datetime(t).format("%Y-%m-%d %H:%M:%S")
        ),
        _ => "no recovery point".to_string(),
    }
}

fn consistency_name(c: Consistency) -> &'static str {
    match c {
        Consistency::Crash => "crash",
        Consistency::App => "app",
    }
}
