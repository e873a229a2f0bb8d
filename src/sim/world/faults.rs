//! Injected faults as they strike: link outages, low memory on a host, a host volume that
//! runs full (declared, or found by the periodic volume check).

use super::*;

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
                self.cold[vm].blocked = Some(Blocked::LowMemory);
                self.transfer_failed(now, vm, queue);
            }
        }
    }

    /// The logs on a host's volume cannot be written: each VM whose log size is watched needs
    /// a resync.
    pub(super) fn volume_full(&mut self, now: Time, host: usize, queue: &mut EventQueue<Event>) {
        self.hosts[host].volume_full_events += 1;
        for i in 0..self.hosts[host].vms.len() {
            let vm = self.hosts[host].vms[i] as usize;
            if self.vms[vm].machine.state().watches_log_size() {
                let host = self.scenario.hosts[host].name.clone();
                let cause = ResyncCause::VolumeFull { host };
                self.feed_because(now, vm, Input::LogWriteFailed, cause, queue);
            }
        }
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

    /// Check a host volume with a size limit: full now, or when to look again.
    pub(super) fn volume_check(&mut self, now: Time, h: usize, queue: &mut EventQueue<Event>) {
        let used = self.host_volume_used(now, h);
        let free = self.scenario.hosts[h].volume_free.map_or(u64::MAX, |b| b.0);
        let next = if used >= free {
            self.volume_full(now, h, queue);
            VOLUME_CHECK_MS
        } else {
            // The volume cannot fill before the logs have grown by what is left at their
            // fastest.
            let soonest = self.hosts[h].max_growth.millis_for(free - used);
            soonest.map_or(Time::MAX / 4, |ms| ms.max(VOLUME_CHECK_MS))
        };
        if let Some(at) = now.checked_add(next).filter(|&t| t < self.scenario.horizon) {
            let ev = Event::VolumeCheck { host: h as u32 };
            queue.schedule(at, ev.class(), ev);
        }
    }
}
