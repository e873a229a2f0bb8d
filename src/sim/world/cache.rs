//! azure-to-azure's data path (domain.md sections 1 and 2): writes go continuously to a cache
//! storage account in the source region, within a per-VM and a per-disk churn limit; a
//! recovery point exists once its writes are all in the cache (processing into the target
//! adds nothing [ours]). There is no link to share.
//!
//! [ours] The pipe is a per-VM server: while a log is open its writes upload as they come, at
//! up to the limits, so a log closed at `t` is complete at `t` plus what its writes exceed the
//! limits by, divided by the limits. Exact for steady churn; writes bunched at the end of an
//! interval complete a little early. Disk copies and resync blocks go at the limits from
//! their start.

use super::*;

/// A VM's use of the cache pipe (kept in its boxed failover state).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct CachePipe {
    /// When the pipe finished its last transfer: a log's writes upload from then at the
    /// earliest.
    free_at: Time,
    /// When the open log was opened (its writes started to come).
    log_opened_at: Time,
    /// The transfer in progress: started, ends, bytes.
    running: Option<(Time, Time, u64)>,
}

impl World<'_> {
    /// The time to upload `bytes` at `rate`, rounded up: never early.
    fn upload_ms(bytes: u64, rate: ByteRate) -> Time {
        rate.millis_for(bytes).unwrap_or(Time::MAX / 4)
    }

    /// Start a cache transfer of `bytes`; `per_disk_max` is the largest share of one disk
    /// (for a log) and `continuous` whether its writes have been uploading as they came.
    pub(super) fn start_cache_transfer(
        &mut self,
        now: Time,
        vm: usize,
        bytes: u64,
        per_disk_max: u64,
        continuous: bool,
        queue: &mut EventQueue<Event>,
    ) {
        let mut limits = self.scenario.policies[self.vms[vm].policy()].cache;
        match self.scenario.vms[vm].high_churn {
            Some(true) => limits.per_vm = crate::model::CacheLimits::HIGH_CHURN.per_vm,
            Some(false) => limits.per_vm = crate::model::CacheLimits::NORMAL.per_vm,
            None => {}
        }
        let pipe = &mut self.cold[vm].failover().cache;
        let since = if continuous {
            pipe.log_opened_at.max(pipe.free_at).min(now)
        } else {
            now
        };
        let already = now - since;
        let left_ms = |b: u64, rate: ByteRate| {
            let uploaded = rate.bytes_in(already);
            Self::upload_ms(b.saturating_sub(uploaded), rate)
        };
        let ms = left_ms(bytes, limits.per_vm).max(left_ms(per_disk_max, limits.per_disk));
        let done = now + ms;
        pipe.running = Some((now, done, bytes));
        let ev = Event::CacheDone {
            vm: vm as u32,
            gen: self.vms[vm].work_gen,
        };
        queue.schedule(done, ev.class(), ev);
    }

    /// A log was closed now: the next one's writes start to upload.
    pub(super) fn cache_log_closed(&mut self, now: Time, vm: usize) {
        self.cold[vm].failover().cache.log_opened_at = now;
    }

    /// The transfer in progress ended (its event was current).
    pub(super) fn cache_done(&mut self, now: Time, vm: usize) -> bool {
        let pipe = &mut self.cold[vm].failover().cache;
        if pipe.running.take().is_none() {
            return false;
        }
        pipe.free_at = now;
        true
    }

    /// Stop the transfer in progress; what it had left, in proportion to the time left.
    pub(super) fn cache_stop(&mut self, now: Time, vm: usize) -> Option<u64> {
        let pipe = &mut self.cold[vm].failover().cache;
        let (start, done, bytes) = pipe.running.take()?;
        pipe.free_at = now;
        let total = (done - start).max(1);
        let left = done.saturating_sub(now);
        Some((u128::from(bytes) * u128::from(left)).div_ceil(u128::from(total)) as u64)
    }

    /// Bytes the transfer in progress has left.
    pub(super) fn cache_remaining(&self, now: Time, vm: usize) -> u64 {
        match self.cold[vm]
            .failover
            .as_ref()
            .and_then(|f| f.cache.running)
        {
            Some((start, done, bytes)) => {
                let total = (done - start).max(1);
                (u128::from(bytes) * u128::from(done.saturating_sub(now)))
                    .div_ceil(u128::from(total)) as u64
            }
            None => 0,
        }
    }

    /// A region is lost: its VMs' cache transfers fail (the VMs running there, and those that
    /// replicate into it).
    pub(super) fn fail_cache_transfers(
        &mut self,
        now: Time,
        site: usize,
        queue: &mut EventQueue<Event>,
    ) {
        for vm in 0..self.vms.len() {
            if self.vms[vm].link() != NO_LINK || self.site_of(vm) != site {
                continue;
            }
            if let Some(left) = self.cache_stop(now, vm) {
                self.vms[vm].work_gen += 1;
                self.vms[vm].books.interrupted(left);
                self.cold[vm].failure_reason = "site down";
                self.transfer_failed(now, vm, queue);
            }
        }
    }
}
