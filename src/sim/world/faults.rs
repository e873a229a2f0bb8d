//! Injected faults as they strike: link outages, low memory on a host, a host volume that
//! runs full (a declared fault, or its VMs' snapshots and logs reaching its free space, found
//! at the exact instant).

use super::*;

/// What [`World::try_start`] starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StartKind {
    InitialReplication,
    Resync,
}

impl StartKind {
    /// What events.csv calls it.
    fn name(self) -> &'static str {
        match self {
            StartKind::InitialReplication => "initial replication",
            StartKind::Resync => "resync",
        }
    }
}

impl World<'_> {
    /// A host's memory runs low: every transfer of its VMs stops with a recoverable error.
    pub(super) fn low_memory_start(
        &mut self,
        now: Time,
        host: usize,
        queue: &mut EventQueue<Event>,
    ) {
        self.hosts[host].low_memory += 1;
        self.obstacles += 1;
        self.fail_host_transfers(now, host, Blocked::LowMemory, queue);
    }

    /// A host crashes: its VMs write nothing and every transfer of theirs fails (a
    /// recoverable error, retried on the back-off schedule) until it is back.
    pub(super) fn host_crash(&mut self, now: Time, host: usize, queue: &mut EventQueue<Event>) {
        self.hosts[host].crashed += 1;
        self.obstacles += 1;
        if self.hosts[host].crashed > 1 {
            return; // Already down.
        }
        let sc = self.scenario;
        let name = &sc.hosts[host].name;
        let detail =
            format!("host {name} crashed: its VMs write and send nothing until it is back");
        for i in 0..self.hosts[host].vms.len() {
            let vm = self.hosts[host].vms[i] as usize;
            self.log_event(now, vm, EventKind::Fault, Mark::None, Mark::None, &detail);
            if !self.cold[vm].at_secondary() {
                self.stop_writes(now, vm, failover::STOP_HOST_DOWN);
            }
        }
        self.fail_host_transfers(now, host, Blocked::HostDown, queue);
    }

    /// A host is back from its crash: its VMs write again, and each that was replicating
    /// needs a resync (a new initial replication before protection).
    pub(super) fn host_restart(&mut self, now: Time, host: usize, queue: &mut EventQueue<Event>) {
        self.hosts[host].crashed -= 1;
        self.obstacles -= 1;
        if self.hosts[host].crashed > 0 {
            return; // Another crash is still in force.
        }
        let sc = self.scenario;
        let name = &sc.hosts[host].name;
        let detail = format!("host {name} restarted after a crash");
        for i in 0..self.hosts[host].vms.len() {
            let vm = self.hosts[host].vms[i] as usize;
            self.log_event(now, vm, EventKind::Fault, Mark::None, Mark::None, &detail);
            if self.cold[vm].at_secondary() {
                continue;
            }
            self.start_writes(now, vm, failover::STOP_HOST_DOWN, queue);
            if self.vms[vm].machine.state().writes_to_volume() {
                let cause = ResyncCause::HostCrash { host: name.clone() };
                self.feed_because(now, vm, Input::HostCrashed, cause, queue);
            }
        }
    }

    /// Every transfer of a host's VMs stops now and fails with `why`.
    fn fail_host_transfers(
        &mut self,
        now: Time,
        host: usize,
        why: Blocked,
        queue: &mut EventQueue<Event>,
    ) {
        for i in 0..self.hosts[host].vms.len() {
            let vm = self.hosts[host].vms[i] as usize;
            let v = &mut self.vms[vm];
            let left = v.path.stop(now, vm as FlowId, &mut self.links, queue);
            if left.is_some() && v.path.link().is_none() {
                // The cache pipe's completion is void; retries and comparisons stand. (A
                // link's completion is voided by the link.)
                v.work_gen += 1;
            }
            if let Some(left) = left {
                self.vms[vm].books.interrupted(left);
                self.cold[vm].blocked = Some(why);
                self.transfer_failed(now, vm, queue);
            }
        }
    }

    /// The snapshots and logs on a host's volume cannot be written: each VM writing to it
    /// gets a log write failure (a resync, or a new initial replication before protection).
    /// The space they drop is free again, so the check is re-armed.
    pub(super) fn volume_full(&mut self, now: Time, host: usize, queue: &mut EventQueue<Event>) {
        self.hosts[host].volume_full_events += 1;
        self.hosts[host].last_full_at = Some(now);
        for i in 0..self.hosts[host].vms.len() {
            let vm = self.hosts[host].vms[i] as usize;
            if self.vms[vm].machine.state().writes_to_volume() {
                let host = self.scenario.hosts[host].name.clone();
                let cause = ResyncCause::VolumeFull { host };
                self.feed_because(now, vm, Input::LogWriteFailed, cause, queue);
            }
        }
        self.volume_recheck(now, host, queue);
    }

    /// A `volume-full` fault strikes: full now, and until its end for any start.
    pub(super) fn volume_fault(
        &mut self,
        now: Time,
        host: usize,
        until: Time,
        queue: &mut EventQueue<Event>,
    ) {
        let h = &mut self.hosts[host];
        h.full_until = h.full_until.max(until);
        self.volume_full(now, host, queue);
    }

    /// Re-arm a limited volume's check at this instant, once however many VMs ask (a VM
    /// whose snapshot or log started growing): the earliest crossing moved closer.
    pub(super) fn volume_recheck(&mut self, now: Time, h: usize, queue: &mut EventQueue<Event>) {
        let host = &mut self.hosts[h];
        if !host.volume_limited || host.volume_recheck_due {
            return;
        }
        host.volume_recheck_due = true;
        host.volume_gen += 1;
        let ev = Event::VolumeCheck {
            host: h as u32,
            gen: host.volume_gen,
        };
        queue.schedule(now, ev.class(), ev);
    }

    /// Check a host volume with a size limit: full now, or schedule the check at the first
    /// instant its VMs' snapshots and logs could reach the free space if nothing were
    /// applied or dropped before (exact, as the 50% rule's: a check that finds space was
    /// freed meanwhile schedules itself again).
    pub(super) fn volume_check(&mut self, now: Time, h: usize, queue: &mut EventQueue<Event>) {
        self.hosts[h].volume_recheck_due = false;
        let used = self.host_volume_used(now, h);
        let free = self.scenario.hosts[h].volume_free.map_or(u64::MAX, |b| b.0);
        if used >= free {
            if self.hosts[h].last_full_at == Some(now) {
                // Still full after every writer failed at this instant: what holds the space
                // cannot fail. Starts check the volume themselves; a VM that starts writing
                // re-arms the check.
                self.hosts[h].volume_gen += 1;
                return;
            }
            // Re-arms through `volume_full`, after the VMs dropped their logs.
            return self.volume_full(now, h, queue);
        }
        let sc = self.scenario;
        let mut cursors = Vec::new();
        let mut base = 0u64;
        for i in 0..self.hosts[h].vms.len() {
            let vm = self.hosts[h].vms[i] as usize;
            if self.cold[vm].at_secondary() {
                continue; // Its logs are at the secondary side.
            }
            let grows = self.books(vm).volume_growth(now, &sc.vms[vm], &mut cursors);
            base = base.saturating_add(grows);
        }
        self.hosts[h].volume_gen += 1;
        if cursors.is_empty() {
            return; // Nothing grows: a VM that starts writing re-arms the check.
        }
        let target = base.saturating_add(free - used);
        if let Some(at) = first_weighted_reaching(cursors, now, target, sc.horizon, &sc.calendar) {
            let ev = Event::VolumeCheck {
                host: h as u32,
                gen: self.hosts[h].volume_gen,
            };
            queue.schedule(at, ev.class(), ev);
        }
    }

    /// Whether the host volume of `vm` is full now (a fault's spell, or its VMs' use at its
    /// free space): an initial replication or a resync cannot start on it.
    pub(super) fn volume_is_full(&mut self, now: Time, vm: usize) -> bool {
        let h = self.scenario.vms[vm].host;
        if !self.hosts[h].volume_limited && self.hosts[h].full_until <= now {
            return false;
        }
        if self.hosts[h].full_until > now {
            return true;
        }
        let free = self.scenario.hosts[h].volume_free.map_or(u64::MAX, |b| b.0);
        self.host_volume_used(now, h) >= free
    }

    /// Start an initial replication or a resync now, unless the host volume is full: then
    /// the start waits for the next attempt on the retry schedule.
    pub(super) fn try_start(
        &mut self,
        now: Time,
        vm: usize,
        kind: StartKind,
        queue: &mut EventQueue<Event>,
    ) {
        if self.volume_is_full(now, vm) {
            if let Some((due, waiting)) = self.cold[vm].start_due {
                if waiting == kind && due > now {
                    return self.join_wait(now, vm, kind, due);
                }
            }
            self.hosts[self.scenario.vms[vm].host].start_waits += 1;
            return self.retry_start(now, vm, kind, false, queue);
        }
        self.cold[vm].start_waits = 0;
        self.cold[vm].start_due = None;
        let input = match kind {
            StartKind::InitialReplication => Input::StartInitialReplication,
            StartKind::Resync => Input::StartResync,
        };
        self.feed(now, vm, input, queue);
    }

    /// Schedule the next attempt of a start after the back-off wait (the recoverable
    /// low-disk error's schedule), and say so; `after_crash`: the first attempt after the
    /// host came back from a crash.
    pub(super) fn retry_start(
        &mut self,
        now: Time,
        vm: usize,
        kind: StartKind,
        after_crash: bool,
        queue: &mut EventQueue<Event>,
    ) {
        let attempt = {
            let c = &mut self.cold[vm];
            c.start_waits += 1;
            c.start_waits
        };
        let wait = self.vms[vm].machine.config().retry.wait_before(attempt);
        let ev = match kind {
            StartKind::InitialReplication => Event::StartInitialReplication { vm: vm as u32 },
            StartKind::Resync => Event::StartResync { vm: vm as u32 },
        };
        let what = kind.name();
        let due = now.saturating_add(wait);
        queue.schedule(due, ev.class(), ev);
        self.cold[vm].start_due = Some((due, kind));
        let host = &self.scenario.hosts[self.scenario.vms[vm].host].name;
        let wait_text = crate::units::Millis(wait);
        let detail = if after_crash {
            format!("{what} starts over after the crash of host {host}: attempt {attempt} in {wait_text}")
        } else {
            format!("{what} waits for room on the volume of host {host}: attempt {attempt} in {wait_text}")
        };
        self.log_event(
            now,
            vm,
            EventKind::RetryWait,
            Mark::None,
            Mark::None,
            detail,
        );
    }

    /// A start that finds the volume full while an attempt of the same kind is already due:
    /// it waits for that attempt (one chain of waits, one back-off position), and says so.
    fn join_wait(&mut self, now: Time, vm: usize, kind: StartKind, due: Time) {
        let what = kind.name();
        let host = &self.scenario.hosts[self.scenario.vms[vm].host].name;
        let detail = format!(
            "{what} already waits for room on the volume of host {host}: attempt {} in {}",
            self.cold[vm].start_waits,
            crate::units::Millis(due - now)
        );
        self.log_event(
            now,
            vm,
            EventKind::RetryWait,
            Mark::None,
            Mark::None,
            detail,
        );
    }

    /// A link goes down (an outage, or its site is lost): every transfer on it fails.
    pub(super) fn outage_start(&mut self, now: Time, l: usize, queue: &mut EventQueue<Event>) {
        self.obstacles += 1;
        let mut failed = Vec::new();
        self.links.outage_start(now, l, &mut failed, queue);
        for (flow, left) in failed {
            self.vms[flow as usize].books.interrupted(left);
            self.cold[flow as usize].blocked = Some(Blocked::LinkDown);
            self.transfer_failed(now, flow as usize, queue);
        }
    }

    pub(super) fn outage_end(&mut self, now: Time, l: usize, queue: &mut EventQueue<Event>) {
        self.obstacles -= 1;
        self.links.outage_end(now, l, queue);
    }

    /// An outage window of a link (scheduled or random) starts: the link's row says so,
    /// before its transfers fail.
    pub(super) fn outage_window_start(
        &mut self,
        now: Time,
        l: usize,
        queue: &mut EventQueue<Event>,
    ) {
        let detail = format!("link {}: outage started", self.scenario.links[l].name);
        self.log.link_event(now, l, &detail);
        self.outage_start(now, l, queue);
    }

    /// An outage window of a link ends; the link may stay down (another window, its site).
    pub(super) fn outage_window_end(&mut self, now: Time, l: usize, queue: &mut EventQueue<Event>) {
        self.outage_end(now, l, queue);
        let name = &self.scenario.links[l].name;
        let detail = if self.links.is_down(l) {
            format!("link {name}: outage ended; the link stays down (another outage or its site's loss)")
        } else {
            format!("link {name}: outage ended")
        };
        self.log.link_event(now, l, &detail);
    }

    /// A degradation leaves `percent` of a link's capacity (100: it ends).
    pub(super) fn degradation(
        &mut self,
        now: Time,
        l: usize,
        percent: u8,
        queue: &mut EventQueue<Event>,
    ) {
        self.links.degrade(now, l, percent, queue);
        let name = &self.scenario.links[l].name;
        let detail = if percent == 100 {
            format!("link {name}: degradation ended")
        } else {
            format!("link {name}: degraded to {percent}% of its capacity")
        };
        self.log.link_event(now, l, &detail);
    }
}
