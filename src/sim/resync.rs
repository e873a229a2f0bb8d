//! The cost of a resynchronization (domain.md section 3.6): reading both copies to compare
//! block checksums, and the blocks that differ.
//!
//! [ours] Writes land uniformly in a hot region of `hot` bytes, so after `written` bytes the
//! distinct bytes changed are `hot * (1 - exp(-written / hot))` (overwrites count once). The
//! differing blocks are those distinct bytes in whole blocks, never more than the disk.

use crate::engine::Time;
use crate::model::calendar::Calendar;
use crate::model::ResyncWindow;
use crate::units::ByteRate;

const MS_PER_MIN: u64 = 60_000;
const MS_PER_DAY: u64 = 86_400_000;

/// The first instant at or after `now` inside the off-peak window; `None` if the window never
/// opens (a calendar where it is always work time).
pub fn next_window_open(window: ResyncWindow, calendar: &Calendar, now: Time) -> Option<Time> {
    match window {
        ResyncWindow::OutsideWorkHours => {
            if calendar.is_work_time(now) {
                calendar.next_change(now)
            } else {
                Some(now)
            }
        }
        ResyncWindow::Daily { from_min, to_min } => {
            let into = calendar.ms_into_day(now);
            let (from, to) = (
                u64::from(from_min) * MS_PER_MIN,
                u64::from(to_min) * MS_PER_MIN,
            );
            let inside = if from < to {
                from <= into && into < to
            } else {
                into >= from || into < to
            };
            if inside {
                Some(now)
            } else if into < from {
                Some(now + (from - into))
            } else {
                Some(now + (MS_PER_DAY - into) + from)
            }
        }
    }
}

/// Distinct bytes changed by `written` bytes of writes over a hot region of `hot` bytes.
pub fn distinct_bytes(written: u64, hot: u64) -> f64 {
    if hot == 0 || written == 0 {
        return 0.0;
    }
    let hot = hot as f64;
    hot * (1.0 - (-(written as f64) / hot).exp())
}

/// Bytes a resync sends for one disk: the distinct changed bytes rounded up to whole blocks
/// of `block` bytes, at most the disk's `size`.
pub fn differing_bytes(written: u64, hot: u64, block: u64, size: u64) -> u64 {
    let distinct = distinct_bytes(written, hot);
    if distinct <= 0.0 {
        return 0;
    }
    let blocks = (distinct / block as f64).ceil() as u64;
    blocks.saturating_mul(block).min(size)
}

/// Time to compare `bytes` of each copy: both sides read in parallel at `read_rate` [ours:
/// comparison and sending do not overlap]. `None` at a zero read rate.
pub fn compare_ms(bytes: u64, read_rate: ByteRate) -> Option<u64> {
    read_rate.millis_for(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn overwrites_count_once() {
        // Writing the hot region's size once touches 1 - 1/e of it.
        let hot = 10_000 * MIB;
        let d = distinct_bytes(hot, hot);
        assert!((d / hot as f64 - (1.0 - (-1.0f64).exp())).abs() < 1e-12);
        // Small writes are nearly all distinct; huge ones saturate at the region.
        assert!((distinct_bytes(MIB, hot) - MIB as f64).abs() < 60.0);
        assert!(distinct_bytes(1000 * hot, hot) <= hot as f64);
    }

    #[test]
    fn off_peak_windows() {
        // Monday 2026-11-23 00:00; work hours Mon-Fri 08:00-18:00.
        let cal = Calendar::test_monday(0);
        let h = 3_600_000;
        let w = ResyncWindow::OutsideWorkHours;
        assert_eq!(next_window_open(w, &cal, 3 * h), Some(3 * h));
        assert_eq!(next_window_open(w, &cal, 14 * h), Some(18 * h));
        // Saturday noon is off-peak.
        assert_eq!(
            next_window_open(w, &cal, 5 * 24 * h + 12 * h),
            Some(5 * 24 * h + 12 * h)
        );
        let night = ResyncWindow::Daily {
            from_min: 22 * 60,
            to_min: 6 * 60,
        };
        assert_eq!(next_window_open(night, &cal, 5 * h), Some(5 * h));
        assert_eq!(next_window_open(night, &cal, 6 * h), Some(22 * h));
        assert_eq!(next_window_open(night, &cal, 23 * h), Some(23 * h));
        let lunch = ResyncWindow::Daily {
            from_min: 12 * 60,
            to_min: 13 * 60,
        };
        assert_eq!(next_window_open(lunch, &cal, 13 * h), Some(36 * h));
    }

    #[test]
    fn whole_blocks_never_past_the_disk() {
        let block = 2 * MIB;
        assert_eq!(differing_bytes(0, 100 * MIB, block, 127 * MIB), 0);
        assert_eq!(differing_bytes(1, 100 * MIB, block, 127 * MIB), block);
        assert_eq!(
            differing_bytes(u64::MAX / 2, 1000 * MIB, block, 127 * MIB),
            127 * MIB
        );
    }
}
