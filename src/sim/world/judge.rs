//! The health judgement of each VM (domain.md section 6) as the world runs it: inline for
//! the common case, in full otherwise, with the staleness check an hour after the last send.

use super::*;

impl World<'_> {
    /// Judge the VM's health now; record a change; keep a staleness check scheduled.
    #[inline(always)]
    pub(super) fn refresh_health(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let v = &self.vms[vm];
        match v.watch.quick_health(now, &v.machine) {
            Quick::Steady => {}
            Quick::SteadyScheduleStale(last) => self.schedule_stale_check(vm, last, queue),
            Quick::Judge => self.judge_health(now, vm, queue),
        }
    }

    /// [`World::refresh_health`] in full (rare once protected: kept out of line).
    #[inline(never)]
    pub(super) fn judge_health(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let v = &self.vms[vm];
        let state = v.machine.state();
        let observed = v.watch.observed(now, &v.machine);
        let (h, reason) = health::judge(&observed);
        // [src] azure-to-azure raises its alert after 60 minutes without a new point: the
        // same hour, since a point is what a completed transfer makes there.
        let reason = match (reason, self.scenario.topology) {
            (HealthReason::NoSendForAnHour, Topology::AzureToAzure) => {
                HealthReason::NoPointForAnHour
            }
            _ => reason,
        };
        let reason = match self.cold[vm].blocked {
            Some(blocked) if h == Health::Critical && observed.cannot_send => blocked.reason(),
            _ => reason,
        };
        let stale_after = self.vms[vm].watch.judged(now, h == Health::Normal, state);
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
                reason.name(),
            );
        }
        if let Some(last) = stale_after {
            self.schedule_stale_check(vm, last, queue);
        }
    }

    /// Check the VM's health again just after an hour without a send since `last`.
    #[inline(always)]
    pub(super) fn schedule_stale_check(
        &mut self,
        vm: usize,
        last: Time,
        queue: &mut EventQueue<Event>,
    ) {
        self.vms[vm].watch.stale_check_scheduled();
        let ev = Event::HealthStale { vm: vm as u32 };
        queue.schedule_in_lane(self.stale_lane, last + health::STALE_AFTER_MS + 1, ev);
    }
}
