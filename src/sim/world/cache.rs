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

use crate::engine::Time;
use crate::model::CacheLimits;
use crate::units::ByteRate;

/// A VM's use of the cache storage account.
#[derive(Debug, Clone, Default)]
pub(super) struct CachePipe {
    /// When the pipe finished its last transfer: a log's writes upload from then at the
    /// earliest.
    free_at: Time,
    /// When the open log was opened (its writes started to come).
    log_opened_at: Time,
    /// The transfer in progress: started, ends, bytes.
    running: Option<(Time, Time, u64)>,
    /// Since when the transfer in progress has been uploading at its rate: its start, or
    /// earlier for a log whose writes uploaded as they came.
    uploading_since: Time,
    /// The most differing (or downloaded) bytes of one disk: the per-disk limit's share of
    /// the blocks being sent.
    blocks_disk_max: u64,
    /// `cache-outage` windows in force: nothing gets through.
    down: u32,
    /// The rates of the throttling windows in force: the lowest caps each upload.
    throttles: Vec<ByteRate>,
}

/// The time to upload `bytes` at `rate`, rounded up: never early.
fn upload_ms(bytes: u64, rate: ByteRate) -> Time {
    rate.millis_for(bytes).unwrap_or(Time::MAX / 4)
}

impl CachePipe {
    /// Start a transfer of `bytes`; `per_disk_max` is the largest share of one disk and
    /// `continuous` whether its writes have been uploading as they came (a log). Returns
    /// when it completes.
    pub(super) fn start(
        &mut self,
        now: Time,
        bytes: u64,
        per_disk_max: u64,
        continuous: bool,
        limits: CacheLimits,
    ) -> Time {
        let since = if continuous {
            self.log_opened_at.max(self.free_at).min(now)
        } else {
            now
        };
        let already = now - since;
        let left_ms = |b: u64, rate: ByteRate| {
            let uploaded = rate.bytes_in(already);
            upload_ms(b.saturating_sub(uploaded), rate)
        };
        let ms = left_ms(bytes, limits.per_vm).max(left_ms(per_disk_max, limits.per_disk));
        let done = now + ms;
        self.running = Some((now, done, bytes));
        self.uploading_since = since;
        done
    }

    /// The largest share of one disk in a transfer of `bytes` that is not a log, over
    /// `disks` disks: a disk copy is one disk's; blocks go by the disk with the most
    /// differing (what is left of them); resumed logs spread evenly [ours].
    pub(super) fn disk_share(&self, bytes: u64, disks: u32, disk_copy: bool, blocks: bool) -> u64 {
        if disk_copy {
            bytes
        } else if blocks && self.blocks_disk_max > 0 {
            self.blocks_disk_max.min(bytes)
        } else {
            bytes.div_ceil(u64::from(disks.max(1)))
        }
    }

    /// The blocks about to be sent have at most `bytes` on one disk.
    pub(super) fn set_blocks_disk_max(&mut self, bytes: u64) {
        self.blocks_disk_max = bytes;
    }

    /// A log was closed now: the next one's writes start to upload.
    pub(super) fn log_closed(&mut self, now: Time) {
        self.log_opened_at = now;
    }

    /// The transfer in progress ended (its event was current); false if none was running or
    /// it ends at another instant (it was re-planned at a throttling window's edge).
    pub(super) fn done(&mut self, now: Time) -> bool {
        if self.running.is_none_or(|(_, done, _)| done != now) {
            return false;
        }
        self.running = None;
        self.free_at = now;
        true
    }

    /// Stop the transfer in progress to go on at other limits: what it has left, at the one
    /// rate it has been uploading at since `uploading_since` (a log's writes included).
    pub(super) fn stop_to_replan(&mut self, now: Time) -> Option<u64> {
        let (_, done, bytes) = self.running.take()?;
        self.free_at = now;
        let total = (done - self.uploading_since).max(1);
        let left = done.saturating_sub(now);
        Some((u128::from(bytes) * u128::from(left)).div_ceil(u128::from(total)) as u64)
    }

    /// The limits an upload starting now gets: `limits`, capped by the lowest throttling
    /// window in force, per VM and per disk [ours].
    pub(super) fn limits(&self, limits: CacheLimits) -> CacheLimits {
        match self.throttles.iter().min() {
            Some(&cap) => CacheLimits {
                per_vm: limits.per_vm.min(cap),
                per_disk: limits.per_disk.min(cap),
            },
            None => limits,
        }
    }

    /// The cache storage account is out: uploads fail.
    pub(super) fn is_down(&self) -> bool {
        self.down > 0
    }

    /// An outage starts.
    pub(super) fn outage_started(&mut self) {
        self.down += 1;
    }

    /// An outage ended now: the open log's writes could not upload while it lasted, so they
    /// upload from now at the earliest.
    pub(super) fn outage_ended(&mut self, now: Time) {
        self.down -= 1;
        self.free_at = self.free_at.max(now);
    }

    /// A throttling window at `rate` starts, or ends.
    pub(super) fn throttle(&mut self, rate: ByteRate, on: bool) {
        if on {
            self.throttles.push(rate);
        } else if let Some(i) = self.throttles.iter().position(|&r| r == rate) {
            self.throttles.swap_remove(i);
        }
    }

    /// Stop the transfer in progress; what it had left, in proportion to the time left.
    pub(super) fn stop(&mut self, now: Time) -> Option<u64> {
        let (start, done, bytes) = self.running.take()?;
        self.free_at = now;
        let total = (done - start).max(1);
        let left = done.saturating_sub(now);
        Some((u128::from(bytes) * u128::from(left)).div_ceil(u128::from(total)) as u64)
    }

    /// Bytes the transfer in progress has left.
    pub(super) fn remaining(&self, now: Time) -> u64 {
        match self.running {
            Some((start, done, bytes)) => {
                let total = (done - start).max(1);
                (u128::from(bytes) * u128::from(done.saturating_sub(now)))
                    .div_ceil(u128::from(total)) as u64
            }
            None => 0,
        }
    }
}
