//! What a run observes of each VM without changing it: the recovery point and the RPO ramps
//! behind it (the RPO monitor), delta cycles and their latency, the monitoring interval's
//! statistics and the inputs of the health judgement, and the peaks of log and volume use.
//! The world tells a [`VmWatch`] what happened; the watch answers the report, the series and
//! the health check.

use super::MaybeTime;
use crate::engine::Time;
use crate::replication::{Replication, State};
use crate::sim::health::{self, IntervalStats};
use crate::sim::record::Arrivals;
use crate::stats::{RpoMonitor, RpoSummary};

/// One VM's observation; part of its hot state (every cycle updates it).
pub(super) struct VmWatch {
    recovery_point: MaybeTime,
    /// Start of the current RPO ramp (last recovery point change or protection).
    rpo_ramp_from: Time,
    rpo: RpoMonitor,
    /// The VM's health is Normal (a copy for the inline health check).
    normal: bool,
    stale_check_pending: bool,
    interval: IntervalStats,
    last_sync: MaybeTime,
    /// Sum of the latencies of the `cycles_done` delta logs.
    latency_sum_ms: u64,
    cycles_done: u64,
    cycles_missed: u64,
    peak_log_bytes: u64,
    peak_volume_used: u64,
    arrivals: Arrivals,
}

/// What the inline health check found.
pub(super) enum Quick {
    /// Nothing can have changed.
    Steady,
    /// Nothing can have changed; the staleness check after the send at this instant is due
    /// to be scheduled.
    SteadyScheduleStale(Time),
    /// Judge in full.
    Judge,
}

impl VmWatch {
    pub(super) fn new(target_rpo_ms: Time) -> Self {
        VmWatch {
            recovery_point: MaybeTime::NONE,
            rpo_ramp_from: 0,
            rpo: RpoMonitor::new(target_rpo_ms),
            normal: false,
            stale_check_pending: false,
            interval: IntervalStats::default(),
            last_sync: MaybeTime::NONE,
            latency_sum_ms: 0,
            cycles_done: 0,
            cycles_missed: 0,
            peak_log_bytes: 0,
            peak_volume_used: 0,
            arrivals: Arrivals::default(),
        }
    }

    /// The VM held `pending` log bytes and a `snapshot`'s copy-on-write bytes now.
    ///
    /// Pending bytes only fall when a log is applied (or dropped), so their peak is reached
    /// just before a transfer completes, a drop, or the end of the run: those are where the
    /// world reports both.
    #[inline(always)]
    pub(super) fn saw(&mut self, pending: u64, snapshot: u64) {
        self.peak_log_bytes = self.peak_log_bytes.max(pending);
        self.saw_volume(pending + snapshot);
    }

    /// The VM held `used` bytes on its host volume now.
    #[inline(always)]
    pub(super) fn saw_volume(&mut self, used: u64) {
        self.peak_volume_used = self.peak_volume_used.max(used);
    }

    /// A transfer arrived now.
    #[inline(always)]
    pub(super) fn synced(&mut self, now: Time) {
        self.last_sync = MaybeTime::at(now);
    }

    /// A log was closed and sent in protection: a delta cycle.
    #[inline(always)]
    pub(super) fn cycle_sent(&mut self) {
        self.interval.cycles += 1;
    }

    /// A cycle tick found the previous log still in transit.
    pub(super) fn cycle_missed(&mut self) {
        self.cycles_missed += 1;
        self.interval.cycles += 1;
        self.interval.missed += 1;
    }

    /// The log of `bytes` closed at `closed_at` was applied now: its close is the newest
    /// recovery point. `delta`: a delta cycle's log (not the finalize log of IR).
    #[inline(always)]
    pub(super) fn point_created(&mut self, now: Time, closed_at: Time, bytes: u64, delta: bool) {
        if let Some(rp) = self.recovery_point.get() {
            if delta && bytes > 0 {
                self.arrivals.add(now - rp, bytes);
            }
            self.rpo
                .add_ramp(self.rpo_ramp_from - rp, now - self.rpo_ramp_from);
        }
        self.recovery_point = MaybeTime::at(closed_at);
        self.rpo_ramp_from = now;
        if delta {
            self.cycles_done += 1;
            let latency = now - closed_at;
            self.interval.latency_sum_ms += latency;
            self.interval.latencies += 1;
            self.latency_sum_ms += latency;
        }
    }

    /// Source and target are in sync now (a VM protected when the run starts).
    pub(super) fn in_sync(&mut self, now: Time) {
        self.recovery_point = MaybeTime::at(now);
        self.rpo_ramp_from = now;
        self.last_sync = MaybeTime::at(now);
    }

    /// The VM's recovery point is gone (it failed over): the RPO ramp ends now.
    pub(super) fn point_gone(&mut self, now: Time) {
        if let Some(rp) = self.recovery_point.take() {
            self.rpo
                .add_ramp(self.rpo_ramp_from - rp, now - self.rpo_ramp_from);
        }
    }

    /// The run ends: the open RPO ramp closes.
    pub(super) fn end(&mut self, end: Time) {
        if let Some(rp) = self.recovery_point.get() {
            self.rpo
                .add_ramp(self.rpo_ramp_from - rp, end - self.rpo_ramp_from);
        }
    }

    /// The RPO now, if the VM has a recovery point.
    pub(super) fn rpo_now(&self, now: Time) -> Option<Time> {
        self.recovery_point.get().map(|rp| now - rp)
    }

    pub(super) fn target_rpo_ms(&self) -> Time {
        self.rpo.target_ms()
    }

    /// RPO time observed and time over target up to `now`: the closed ramps and the one
    /// running since the last recovery point change.
    pub(super) fn rpo_so_far(&self, now: Time) -> (Time, Time) {
        let (mut observed, mut met) = (self.rpo.observed_ms(), self.rpo.met_ms());
        if let Some(rp) = self.recovery_point.get() {
            let (start, dur) = (
                self.rpo_ramp_from - rp,
                now.saturating_sub(self.rpo_ramp_from),
            );
            observed += dur;
            met += self.rpo.target_ms().saturating_sub(start).min(dur);
        }
        (observed, observed - met)
    }

    /// A monitoring interval begins.
    pub(super) fn new_interval(&mut self) {
        self.interval = IntervalStats::default();
    }

    /// The common case of the health check, inline: a protected VM that can send, Normal,
    /// whose interval statistics still rate it Normal and whose last send is under an hour
    /// old (or that never sent and has its staleness check scheduled). The full judgement
    /// would change nothing but schedule the staleness check, reported here too: a staleness
    /// check that finds a recent send (once an hour per VM) then skips the VM's cold state,
    /// which in a large estate is a cache miss.
    #[inline(always)]
    pub(super) fn quick_health(&self, now: Time, machine: &Replication) -> Quick {
        if self.normal
            && matches!(machine.state(), State::Protected { .. })
            && !machine.failing()
            && !self.interval.missed_too_often()
            && !self.interval.latency_too_high()
        {
            match self.last_sync.get() {
                Some(last) if now - last <= health::STALE_AFTER_MS => {
                    return if self.stale_check_pending {
                        Quick::Steady
                    } else {
                        Quick::SteadyScheduleStale(last)
                    };
                }
                None if self.stale_check_pending => return Quick::Steady,
                _ => {}
            }
        }
        Quick::Judge
    }

    /// What the full health judgement looks at.
    pub(super) fn observed(&self, now: Time, machine: &Replication) -> health::Observed {
        health::Observed {
            state: machine.state(),
            cannot_send: machine.failing(),
            since_last_sync_ms: self.last_sync.get().map(|t| now - t),
            interval: self.interval,
        }
    }

    /// The judgement said whether the VM is Normal. Returns the send a staleness check
    /// should follow, when one is due to be scheduled (a protected VM whose last send is
    /// under an hour old).
    pub(super) fn judged(&mut self, now: Time, normal: bool, state: State) -> Option<Time> {
        self.normal = normal;
        if matches!(state, State::Protected { .. }) && !self.stale_check_pending {
            return self
                .last_sync
                .get()
                .filter(|&t| now - t <= health::STALE_AFTER_MS);
        }
        None
    }

    pub(super) fn stale_check_scheduled(&mut self) {
        self.stale_check_pending = true;
    }

    pub(super) fn stale_check_fired(&mut self) {
        self.stale_check_pending = false;
    }

    pub(super) fn rpo_summary(&self) -> RpoSummary {
        self.rpo.summary()
    }

    pub(super) fn cycles_done(&self) -> u64 {
        self.cycles_done
    }

    pub(super) fn cycles_missed(&self) -> u64 {
        self.cycles_missed
    }

    pub(super) fn peak_log_bytes(&self) -> u64 {
        self.peak_log_bytes
    }

    pub(super) fn peak_volume_used(&self) -> u64 {
        self.peak_volume_used
    }

    pub(super) fn arrivals(&self) -> Arrivals {
        self.arrivals
    }

    pub(super) fn last_sync(&self) -> Option<Time> {
        self.last_sync.get()
    }

    pub(super) fn average_latency_ms(&self) -> Option<f64> {
        (self.cycles_done > 0).then(|| self.latency_sum_ms as f64 / self.cycles_done as f64)
    }
}
