//! Recovery points a VM keeps at the target, with retention and thinning (domain.md section
//! 6), and the choice a failover makes among them (section 7).
//!
//! Points arrive in time order. Points newer than `keep_all_ms` are all kept; older ones
//! are thinned to the first point of each clock hour; points older than `retention_ms` go,
//! except that the newest point is never dropped by age (a VM whose replication stalled still
//! has its last point). Each prune touches only the points that aged since the last one, so
//! adding a point costs O(1) amortised.
//!
//! The same rule covers both sources: Hyper-V to Azure keeps the latest point plus up to 24
//! hourly ones (`keep_all_ms` = one copy interval, `retention_ms` = the retention window);
//! Azure to Azure keeps every 5-minute point for 2 h, then one per hour up to 24 h by default.
//!

use super::keyword::Keyword;
use crate::engine::Time;
use std::collections::VecDeque;

const HOUR_MS: Time = 3_600_000;

/// What a point guarantees when the VM starts from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Consistency {
    /// As if the power had been cut: the disks' state at one instant.
    Crash,
    /// Applications quiesced (VSS): databases start without recovery.
    App,
}

/// One recovery point: the instant its data stands for, and whether it is app-consistent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryPoint {
    pub at: Time,
    pub consistency: Consistency,
    /// The VM's cumulative guest writes at `at`: a failover's lost bytes are the writes
    /// after it.
    pub written: u64,
    /// When the point is processed at the target and `latest-processed` can use it: when it
    /// arrived for Hyper-V sources; azure-to-azure adds the processing of the cache's data.
    pub processed_at: Time,
}

/// How long points are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Every point younger than this is kept.
    pub keep_all_ms: Time,
    /// Older points are thinned to one per clock hour and dropped after this age.
    pub retention_ms: Time,
}

/// Which point a failover uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointChoice {
    /// The newest point, after processing what has reached the target but is not a point yet
    /// (azure-to-azure: the cache's unprocessed data). Lowest RPO.
    Latest,
    /// The newest point already processed at the failover's instant. Lowest RTO. The same
    /// as `Latest` for Hyper-V sources, whose logs are applied as they arrive;
    /// azure-to-azure processes a point `processing_delay` after its data reached the
    /// cache.
    LatestProcessed,
    /// The newest app-consistent point.
    LatestAppConsistent,
    /// The newest point at or before this instant.
    AtOrBefore(Time),
}

impl Keyword for PointChoice {
    /// `AtOrBefore` is written as a point in time.
    const ALL: &'static [(Self, &'static str)] = &[
        (PointChoice::Latest, "latest"),
        (PointChoice::LatestProcessed, "latest-processed"),
        (PointChoice::LatestAppConsistent, "latest-app-consistent"),
    ];
    const DEFAULT: Option<Self> = Some(super::defaults::POINT);
}

/// The points one VM has at the target, oldest first.
#[derive(Debug, Clone, Default)]
pub struct RecoveryPoints {
    points: VecDeque<RecoveryPoint>,
    /// Points before this index are already thinned (they are older than `keep_all_ms`).
    thinned: usize,
}

impl RecoveryPoints {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &RecoveryPoint> {
        self.points.iter()
    }

    /// Add a point created at `point.at` (not older than the newest one) and prune at `now`.
    pub fn add(&mut self, point: RecoveryPoint, now: Time, retention: Retention) {
        debug_assert!(self.points.back().is_none_or(|p| p.at <= point.at));
        self.points.push_back(point);
        self.prune(now, retention);
    }

    /// Apply retention and thinning as of `now`.
    pub fn prune(&mut self, now: Time, retention: Retention) {
        // Thin the points that have aged past keep-all since the last prune (never the newest).
        while self.thinned + 1 < self.points.len()
            && now.saturating_sub(self.points[self.thinned].at) > retention.keep_all_ms
        {
            let i = self.thinned;
            let same_hour_as_previous =
                i > 0 && self.points[i - 1].at / HOUR_MS == self.points[i].at / HOUR_MS;
            if same_hour_as_previous {
                // Keep the hour's first point; an app-consistent one replaces a crash one.
                if self.points[i].consistency > self.points[i - 1].consistency {
                    self.points[i - 1] = self.points[i];
                }
                self.points.remove(i);
            } else {
                self.thinned += 1;
            }
        }
        let newest = self.points.len().saturating_sub(1);
        let mut expired = 0;
        while expired < newest
            && now.saturating_sub(self.points[expired].at) > retention.retention_ms
        {
            expired += 1;
        }
        self.points.drain(..expired);
        self.thinned = self.thinned.saturating_sub(expired);
    }

    /// Delete every point (a resync's end, a failover's commit).
    pub fn clear(&mut self) {
        self.points.clear();
        self.thinned = 0;
    }

    /// The point a failover at `now` would use, if there is one.
    pub fn choose(&self, choice: PointChoice, now: Time) -> Option<RecoveryPoint> {
        match choice {
            PointChoice::Latest => self.points.back().copied(),
            PointChoice::LatestProcessed => self
                .points
                .iter()
                .rev()
                .find(|p| p.processed_at <= now)
                .copied(),
            PointChoice::LatestAppConsistent => self
                .points
                .iter()
                .rev()
                .find(|p| p.consistency == Consistency::App)
                .copied(),
            PointChoice::AtOrBefore(t) => self.points.iter().rev().find(|p| p.at <= t).copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Time = 60_000;

    fn crash(at: Time) -> RecoveryPoint {
        RecoveryPoint {
            at,
            consistency: Consistency::Crash,
            written: 0,
            processed_at: at,
        }
    }

    /// Azure to Azure: a point every 5 minutes, all kept for 2 h, then hourly up to 24 h.
    const A2A: Retention = Retention {
        keep_all_ms: 2 * HOUR_MS,
        retention_ms: 24 * HOUR_MS,
    };

    #[test]
    fn all_for_two_hours_then_one_per_hour() {
        let mut rp = RecoveryPoints::new();
        let mut t = 5 * MIN;
        while t <= 30 * HOUR_MS {
            rp.add(crash(t), t, A2A);
            t += 5 * MIN;
        }
        let now = 30 * HOUR_MS;
        let times: Vec<Time> = rp.iter().map(|p| p.at).collect();
        // Newer than 28:00: every point (28:00 itself is exactly 2 h old and kept).
        let recent: Vec<Time> = times
            .iter()
            .copied()
            .filter(|&a| a >= 28 * HOUR_MS)
            .collect();
        assert_eq!(recent.len(), 25);
        // Older: the first point of each hour from 6:00 (24 h) to 27:00.
        let older: Vec<Time> = times
            .iter()
            .copied()
            .filter(|&a| a < 28 * HOUR_MS)
            .collect();
        let expected: Vec<Time> = (6..28).map(|h| h * HOUR_MS).collect();
        assert_eq!(older, expected);
        assert!(times.iter().all(|&a| now - a <= 24 * HOUR_MS));
    }

    #[test]
    fn the_newest_point_survives_any_age_and_choices_pick_the_right_one() {
        let mut rp = RecoveryPoints::new();
        rp.add(crash(10 * MIN), 10 * MIN, A2A);
        rp.add(
            RecoveryPoint {
                at: 20 * MIN,
                consistency: Consistency::App,
                written: 0,
                processed_at: 20 * MIN,
            },
            20 * MIN,
            A2A,
        );
        rp.add(crash(30 * MIN), 30 * MIN, A2A);
        assert_eq!(
            rp.choose(PointChoice::Latest, 30 * MIN).map(|p| p.at),
            Some(30 * MIN)
        );
        assert_eq!(
            rp.choose(PointChoice::LatestAppConsistent, 30 * MIN)
                .map(|p| p.at),
            Some(20 * MIN)
        );
        assert_eq!(
            rp.choose(PointChoice::AtOrBefore(25 * MIN), 30 * MIN)
                .map(|p| p.at),
            Some(20 * MIN)
        );
        assert_eq!(rp.choose(PointChoice::AtOrBefore(5 * MIN), 30 * MIN), None);
        // Replication stalls for two days: only the newest point is left.
        rp.prune(48 * HOUR_MS, A2A);
        assert_eq!(rp.len(), 1);
        assert_eq!(
            rp.choose(PointChoice::Latest, 30 * MIN).map(|p| p.at),
            Some(30 * MIN)
        );
        rp.clear();
        assert!(rp.is_empty());
    }

    #[test]
    fn latest_processed_is_the_newest_point_processed_by_then() {
        // Points created at 5, 10, 15 min, each processed 7 min later (12, 17, 22 min).
        let mut rp = RecoveryPoints::new();
        for m in [5, 10, 15] {
            let p = RecoveryPoint {
                processed_at: (m + 7) * MIN,
                ..crash(m * MIN)
            };
            rp.add(p, m * MIN, A2A);
        }
        let at = |choice, now| rp.choose(choice, now).map(|p| p.at);
        assert_eq!(at(PointChoice::Latest, 16 * MIN), Some(15 * MIN));
        assert_eq!(at(PointChoice::LatestProcessed, 16 * MIN), Some(5 * MIN));
        assert_eq!(at(PointChoice::LatestProcessed, 17 * MIN), Some(10 * MIN));
        assert_eq!(at(PointChoice::LatestProcessed, 11 * MIN), None);
    }

    #[test]
    fn an_app_consistent_point_is_the_one_an_hour_keeps() {
        let mut rp = RecoveryPoints::new();
        rp.add(crash(0), 0, A2A);
        rp.add(
            RecoveryPoint {
                at: 30 * MIN,
                consistency: Consistency::App,
                written: 0,
                processed_at: 30 * MIN,
            },
            30 * MIN,
            A2A,
        );
        rp.add(crash(HOUR_MS), HOUR_MS, A2A);
        rp.add(crash(4 * HOUR_MS), 4 * HOUR_MS, A2A);
        let kept: Vec<_> = rp.iter().map(|p| (p.at, p.consistency)).collect();
        assert_eq!(
            kept,
            [
                (30 * MIN, Consistency::App),
                (HOUR_MS, Consistency::Crash),
                (4 * HOUR_MS, Consistency::Crash)
            ]
        );
    }
}
