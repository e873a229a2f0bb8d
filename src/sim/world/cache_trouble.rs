//! azure-to-azure trouble of its own: a `cache-outage` fault takes a VM's cache storage
//! account out, or throttles it, for a window (domain.md section 2; the fault itself is
//! [ours], the sources name the cache's limits, not its failures).
//!
//! [ours] An outage is a recoverable error: the upload in progress stops (what it had left is
//! kept) and fails, and every attempt until the outage ends fails at once, on the back-off
//! schedule; the writes of the open log upload only from the end of the outage. A throttling
//! window caps each upload that starts in it, per VM and per disk; an upload running when a
//! window starts or ends goes on at the new limits for what it has left.

use super::*;

impl World<'_> {
    /// A `cache-outage` fault (index `fault`) starts (`on`) or ends.
    pub(super) fn cache_fault(
        &mut self,
        now: Time,
        fault: usize,
        on: bool,
        queue: &mut EventQueue<Event>,
    ) {
        let f = self.scenario.faults.cache[fault];
        let vm = f.vm;
        let Some(pipe) = self.vms[vm].path.cache() else {
            return;
        };
        let detail = match (f.rate, on) {
            (None, true) => {
                pipe.outage_started();
                self.obstacles += 1;
                format!(
                    "cache storage account unavailable for {}",
                    crate::units::Millis(f.end - f.start)
                )
            }
            (None, false) => {
                pipe.outage_ended(now);
                self.obstacles -= 1;
                "cache storage account available again".to_string()
            }
            (Some(rate), true) => {
                pipe.throttle(rate, true);
                format!(
                    "cache storage account throttled to {rate} for {}",
                    crate::units::Millis(f.end - f.start)
                )
            }
            (Some(rate), false) => {
                pipe.throttle(rate, false);
                format!("cache storage account throttling to {rate} ends")
            }
        };
        self.log_event(now, vm, EventKind::Fault, Mark::None, Mark::None, detail);
        match (f.rate, on) {
            (None, true) => self.cache_upload_fails(now, vm, queue),
            (Some(_), _) => self.cache_replan(now, vm, queue),
            (None, false) => {}
        }
    }

    /// The upload in progress stops and fails (its retry waits for the outage to end).
    fn cache_upload_fails(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let v = &mut self.vms[vm];
        let Some(left) = v.path.stop(now, vm as FlowId, &mut self.links, queue) else {
            return;
        };
        // Its completion event is void; no retry or comparison runs beside an upload.
        v.work_gen += 1;
        v.books.interrupted(left);
        self.cold[vm].blocked = Some(Blocked::CacheDown);
        self.transfer_failed(now, vm, queue);
    }

    /// The upload in progress goes on at the limits in force now, for what it has left.
    fn cache_replan(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let v = &mut self.vms[vm];
        let Some(left) = v.path.cache().and_then(|p| p.stop_to_replan(now)) else {
            return;
        };
        v.work_gen += 1;
        v.books.interrupted(left);
        let left = self.vms[vm].books.transfer_left();
        self.start_transfer(now, vm, left, None, queue);
    }
}
