//! The retry back-off for recoverable errors (domain.md section 4).
//!
//! The sources give the numbers 1, 2, 4, 8, 10 minutes, then every 30 minutes. Two readings:
//! - [`RetryReading::Waits`] (default) [ours]: the numbers are waits between attempts, so
//!   attempts come 1, 3, 7, 15, 25, 55, 85, ... minutes after the first failure;
//! - [`RetryReading::Offsets`]: the numbers are offsets from the first failure, so attempts come
//!   at 1, 2, 4, 8, 10, 40, 70, ... minutes.
//!
//! A successful attempt resets the schedule.

const MIN: u64 = 60_000;
const STEPS: [u64; 5] = [MIN, 2 * MIN, 4 * MIN, 8 * MIN, 10 * MIN];
const THEN_EVERY: u64 = 30 * MIN;

/// How the back-off numbers are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RetryReading {
    #[default]
    Waits,
    Offsets,
}

impl RetryReading {
    pub fn name(self) -> &'static str {
        crate::model::Keyword::keyword(self)
    }

    /// The wait before retry number `attempt` (1 = the first retry after the first failure),
    /// in milliseconds.
    pub fn wait_before(self, attempt: u32) -> u64 {
        let k = attempt.max(1) as usize - 1;
        match self {
            RetryReading::Waits => STEPS.get(k).copied().unwrap_or(THEN_EVERY),
            RetryReading::Offsets => match k {
                0 => STEPS[0],
                k if k < STEPS.len() => STEPS[k] - STEPS[k - 1],
                _ => THEN_EVERY,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets_min(r: RetryReading, n: u32) -> Vec<u64> {
        let mut t = 0;
        (1..=n)
            .map(|k| {
                t += r.wait_before(k);
                t / MIN
            })
            .collect()
    }

    #[test]
    fn both_readings_give_the_documented_attempt_times() {
        assert_eq!(
            offsets_min(RetryReading::Waits, 8),
            [1, 3, 7, 15, 25, 55, 85, 115]
        );
        assert_eq!(
            offsets_min(RetryReading::Offsets, 8),
            [1, 2, 4, 8, 10, 40, 70, 100]
        );
    }
}
