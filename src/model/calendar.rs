//! The scenario's calendar: maps virtual time to a local date-time, and answers "is this
//! instant inside office hours?" for workloads and link throttles.
//!
//! Time zones and daylight saving are not modelled: the calendar is the local wall clock of
//! the protected site [ours].

use crate::engine::Time;
use chrono::{Datelike, NaiveDateTime, Timelike};

const MS_PER_MIN: u64 = 60_000;
const MS_PER_DAY: u64 = 86_400_000;

/// The days of the week as scenario files write them (in any case), Monday first: the index
/// of `Calendar::work_days`.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Work days and daily work hours, plus the start of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub start: NaiveDateTime,
    /// Indexed by `Weekday::num_days_from_monday()`.
    pub work_days: [bool; 7],
    /// Minutes after midnight; work hours are `[work_start_min, work_end_min)`.
    pub work_start_min: u32,
    pub work_end_min: u32,
}

impl Calendar {
    /// The default calendar ([`super::defaults`]: work days and hours) from `start`.
    pub fn default_from(start: NaiveDateTime) -> Calendar {
        let (work_start_min, work_end_min) = super::defaults::WORK_HOURS;
        Calendar {
            start,
            work_days: super::defaults::WORK_DAYS,
            work_start_min,
            work_end_min,
        }
    }

    /// The local date-time of virtual time `t`.
    pub fn datetime(&self, t: Time) -> NaiveDateTime {
        self.start + chrono::Duration::milliseconds(t as i64)
    }

    /// Milliseconds since the local midnight before (or at) `t`.
    pub fn ms_into_day(&self, t: Time) -> u64 {
        let dt = self.datetime(t);
        u64::from(dt.num_seconds_from_midnight()) * 1000 + u64::from(dt.nanosecond() / 1_000_000)
    }

    /// Whether `t` lies inside work hours on a work day.
    pub fn is_work_time(&self, t: Time) -> bool {
        let dt = self.datetime(t);
        let minute = dt.hour() * 60 + dt.minute();
        self.work_days[dt.weekday().num_days_from_monday() as usize]
            && minute >= self.work_start_min
            && minute < self.work_end_min
    }

    /// The first instant after `t` at which `is_work_time` changes, or `None` if it never
    /// does (no work days, or empty hours). Work periods are whole minutes, so the answer is
    /// found by walking day boundaries and the two daily edges: O(days) at worst, O(1) usually.
    pub fn next_change(&self, t: Time) -> Option<Time> {
        if !self.work_days.iter().any(|&d| d) || self.work_start_min >= self.work_end_min {
            return None;
        }
        let now = self.is_work_time(t);
        let dt = self.datetime(t);
        let ms_into_day = u64::from(dt.num_seconds_from_midnight()) * 1000
            + u64::from(dt.nanosecond() / 1_000_000);
        let day_start = t as i128 - ms_into_day as i128;
        let first_weekday = dt.weekday().num_days_from_monday() as usize;
        for day in 0..8u64 {
            let base = day_start + (day * MS_PER_DAY) as i128;
            let is_work_day = self.work_days[(first_weekday + day as usize) % 7];
            let edges: [u64; 2] = [
                u64::from(self.work_start_min) * MS_PER_MIN,
                u64::from(self.work_end_min) * MS_PER_MIN,
            ];
            for edge in edges {
                let at = base + edge as i128;
                if at > t as i128 && is_work_day {
                    let candidate = at as Time;
                    if self.is_work_time(candidate) != now {
                        return Some(candidate);
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
impl Calendar {
    /// For unit tests: a start on Monday 2026-11-23 at `hour`:00, work Mon-Fri 08:00-18:00.
    pub(crate) fn test_monday(hour: u32) -> Calendar {
        Calendar {
            start: chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
                .unwrap()
                .and_hms_opt(hour, 0, 0)
                .unwrap(),
            work_days: [true, true, true, true, true, false, false],
            work_start_min: 8 * 60,
            work_end_min: 18 * 60,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monday_8am() -> Calendar {
        Calendar::test_monday(8)
    }

    #[test]
    fn office_hours_edges() {
        let c = monday_8am();
        let h = 3_600_000;
        assert!(c.is_work_time(0));
        assert!(c.is_work_time(10 * h - 1));
        assert!(!c.is_work_time(10 * h)); // 18:00 Monday
        assert_eq!(c.next_change(0), Some(10 * h));
        assert_eq!(c.next_change(10 * h), Some(24 * h)); // Tuesday 08:00
                                                         // Friday 18:00 -> Monday 08:00
        let friday_6pm = 4 * 24 * h + 10 * h;
        assert!(!c.is_work_time(friday_6pm));
        assert_eq!(c.next_change(friday_6pm), Some(7 * 24 * h));
    }

    #[test]
    fn no_work_days_never_changes() {
        let mut c = monday_8am();
        c.work_days = [false; 7];
        assert_eq!(c.next_change(0), None);
        assert!(!c.is_work_time(0));
    }
}
