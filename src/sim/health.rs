//! Replication health by the Hyper-V Replica rules (domain.md section 5), as a pure judgement
//! of a VM's state and its statistics in the current monitoring interval, and the clock that
//! adds up the time spent in each health.

use crate::engine::Time;
use crate::replication::State;
pub use crate::sim::record::HealthReason;

/// More than this since the last successful send is a Warning [src: 1 h].
pub const STALE_AFTER_MS: Time = 3_600_000;
/// More than this share of the interval's cycles missed is a Warning [src: 20%].
pub const MISSED_LIMIT_PERCENT: u64 = 20;
/// An average latency above this is not Normal [src: 5 min].
pub const LATENCY_LIMIT_MS: u64 = 300_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Health {
    /// Not replicating (before protection is enabled, or after a failed enable job).
    NotApplicable,
    Normal,
    Warning,
    Critical,
}

impl Health {
    pub const ALL: [Health; 4] = [
        Health::NotApplicable,
        Health::Normal,
        Health::Warning,
        Health::Critical,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Health::NotApplicable => "not-applicable",
            Health::Normal => "normal",
            Health::Warning => "warning",
            Health::Critical => "critical",
        }
    }
}

/// Statistics of the current monitoring interval; reset at each interval boundary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntervalStats {
    /// Cycle ticks while protected (each one sent a log or was missed). Counts are `u32`
    /// (an interval holds a few hundred cycles) to keep the per-VM state small.
    pub cycles: u32,
    pub missed: u32,
    /// Sum and count of log latencies (close to arrival at the target).
    pub latency_sum_ms: u64,
    pub latencies: u32,
}

impl IntervalStats {
    pub fn missed_too_often(&self) -> bool {
        u64::from(self.missed) * 100 > u64::from(self.cycles) * MISSED_LIMIT_PERCENT
    }
    pub fn latency_too_high(&self) -> bool {
        self.latencies > 0 && self.latency_sum_ms > LATENCY_LIMIT_MS * u64::from(self.latencies)
    }
}

/// What the judgement looks at.
#[derive(Debug, Clone, Copy)]
pub struct Observed {
    pub state: State,
    /// A transfer failed and waits for its retry: the VM cannot send.
    pub cannot_send: bool,
    /// Time since the last successful send, if there was one.
    pub since_last_sync_ms: Option<Time>,
    pub interval: IntervalStats,
}

/// The VM's health and the rule that decided it.
pub fn judge(o: &Observed) -> (Health, HealthReason) {
    use HealthReason as R;
    use State as S;
    match o.state {
        S::Unprotected => return (Health::NotApplicable, R::NotReplicating),
        S::AdminRequired => return (Health::Critical, R::NonRecoverableError),
        S::ResyncRequired => return (Health::Critical, R::ResyncRequired),
        _ if o.cannot_send => return (Health::Critical, R::CannotSend),
        S::EnablingProtection
        | S::InitialReplicationPending
        | S::InitialReplication { .. }
        | S::FinalizingProtection(_) => return (Health::Warning, R::InitialReplication),
        // [ours] The sources do not rate these states; a DR engineer reads them as needing
        // attention, not as failures.
        S::ReplicationPaused { .. } => return (Health::Warning, R::Paused),
        S::Resynchronizing(_) | S::ResyncPaused(_) => return (Health::Warning, R::Resynchronizing),
        // [ours] A failover moving its data is attention-worthy, not a failure.
        S::FailingOver(_) => return (Health::Warning, R::FailingOver),
        S::FailedOver | S::FailoverCommitted => return (Health::Warning, R::FailedOver),
        S::Protected { .. } => {}
    }
    if o.since_last_sync_ms.is_some_and(|d| d > STALE_AFTER_MS) {
        (Health::Warning, R::NoSendForAnHour)
    } else if o.interval.missed_too_often() {
        (Health::Warning, R::MissedCycles)
    } else if o.interval.latency_too_high() {
        (Health::Warning, R::SlowCycles)
    } else {
        (Health::Normal, R::None)
    }
}

/// Adds up the time spent in each health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthClock {
    pub current: Health,
    pub reason: HealthReason,
    pub since: Time,
    time_ms: [u64; 4],
}

impl Default for HealthClock {
    fn default() -> Self {
        HealthClock {
            current: Health::NotApplicable,
            reason: HealthReason::NotReplicating,
            since: 0,
            time_ms: [0; 4],
        }
    }
}

impl HealthClock {
    /// Move to `health` at `now`; returns the span that ended, if the health changed.
    pub fn set(
        &mut self,
        now: Time,
        health: Health,
        reason: HealthReason,
    ) -> Option<(Health, HealthReason, Time)> {
        if health == self.current && reason == self.reason {
            return None;
        }
        let ended = (self.current, self.reason, self.since);
        self.time_ms[self.current as usize] += now - self.since;
        (self.current, self.reason, self.since) = (health, reason, now);
        Some(ended)
    }

    /// Time spent in `health` up to `now`.
    pub fn time_in(&self, health: Health, now: Time) -> Time {
        let open = if self.current == health {
            now - self.since
        } else {
            0
        };
        self.time_ms[health as usize] + open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protected(since: Option<Time>, interval: IntervalStats) -> Observed {
        Observed {
            state: State::Protected { sending: false },
            cannot_send: false,
            since_last_sync_ms: since,
            interval,
        }
    }

    #[test]
    fn thresholds_are_strict() {
        let calm = IntervalStats::default();
        assert_eq!(
            judge(&protected(Some(STALE_AFTER_MS), calm)).0,
            Health::Normal
        );
        assert_eq!(
            judge(&protected(Some(STALE_AFTER_MS + 1), calm)).0,
            Health::Warning
        );
        let at_limit = IntervalStats {
            cycles: 10,
            missed: 2,
            ..calm
        };
        assert_eq!(judge(&protected(Some(0), at_limit)).0, Health::Normal);
        let over = IntervalStats {
            cycles: 10,
            missed: 3,
            ..calm
        };
        assert_eq!(judge(&protected(Some(0), over)).0, Health::Warning);
        let slow = IntervalStats {
            latency_sum_ms: 2 * LATENCY_LIMIT_MS + 1,
            latencies: 2,
            ..calm
        };
        assert_eq!(judge(&protected(Some(0), slow)).0, Health::Warning);
        let just = IntervalStats {
            latency_sum_ms: 2 * LATENCY_LIMIT_MS,
            latencies: 2,
            ..calm
        };
        assert_eq!(judge(&protected(Some(0), just)).0, Health::Normal);
    }

    #[test]
    fn critical_beats_everything() {
        let mut o = protected(Some(0), IntervalStats::default());
        o.cannot_send = true;
        assert_eq!(judge(&o).0, Health::Critical);
        o.state = State::ResyncRequired;
        assert_eq!(judge(&o), (Health::Critical, HealthReason::ResyncRequired));
        o.state = State::InitialReplication { disk: 0 };
        o.cannot_send = false;
        assert_eq!(judge(&o).0, Health::Warning);
    }

    #[test]
    fn the_clock_adds_up_spans() {
        let mut c = HealthClock::default();
        let (x, y) = (HealthReason::Paused, HealthReason::CannotSend);
        assert!(c.set(10, Health::Warning, x).is_some());
        assert!(c.set(15, Health::Warning, x).is_none());
        assert!(c
            .set(16, Health::Warning, HealthReason::Resynchronizing)
            .is_some());
        assert_eq!(
            c.set(30, Health::Critical, y),
            Some((Health::Warning, HealthReason::Resynchronizing, 16))
        );
        assert_eq!(c.time_in(Health::Warning, 100), 20);
        assert_eq!(c.time_in(Health::Critical, 100), 70);
        assert_eq!(c.time_in(Health::NotApplicable, 100), 10);
    }
}
