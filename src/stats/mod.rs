//! Time-weighted statistics: the RPO saw-tooth distribution and level monitors.
//!
//! All inputs are integer milliseconds (`u64`); results are `f64` seconds where noted.
//! Every accumulator is an integer, so results depend only on the sequence of calls, never
//! on floating-point summation order: the module is fully deterministic.

/// Sub-buckets per power of two, as a power of two (`2^SUB_BITS` = 32 sub-buckets).
const SUB_BITS: u32 = 5;
/// Number of sub-buckets per power of two.
const SUB: u64 = 1 << SUB_BITS;
/// Values below this many units are bucketed linearly, one bucket per unit.
const LINEAR_LIMIT: u64 = 2 * SUB;
/// The unit of the bucket layout is `2^UNIT_BITS` ms (128 ms): an RPO quantile needs no
/// finer resolution, and coarse low buckets keep a saw-tooth's ramps in few buckets (fewer
/// look-ups, less memory).
const UNIT_BITS: u32 = 7;

/// Index of the histogram bucket that holds RPO value `v` (ms).
///
/// See [`RpoMonitor`] for the layout. The largest index (for `u64::MAX`) is 1695.
fn bucket_index(v: u64) -> u16 {
    let v = v >> UNIT_BITS;
    if v < LINEAR_LIMIT {
        return v as u16;
    }
    let e = v.ilog2(); // >= SUB_BITS + 1
    let sub = (v >> (e - SUB_BITS)) - SUB; // 0..SUB
    (LINEAR_LIMIT + u64::from(e - SUB_BITS - 1) * SUB + sub) as u16
}

/// Lower bound (inclusive, ms) and width (ms) of bucket `idx`.
fn bucket_lo_width(idx: u16) -> (u64, u64) {
    let (lo, width) = bucket_lo_width_units(idx);
    (lo << UNIT_BITS, width << UNIT_BITS)
}

/// [`bucket_lo_width`] in layout units.
fn bucket_lo_width_units(idx: u16) -> (u64, u64) {
    let idx = u64::from(idx);
    if idx < LINEAR_LIMIT {
        return (idx, 1);
    }
    let group = (idx - LINEAR_LIMIT) / SUB; // power of two = group + SUB_BITS + 1
    let sub = (idx - LINEAR_LIMIT) % SUB;
    let shift = group + 1; // width = 2^(e - SUB_BITS)
    ((SUB + sub) << shift, 1 << shift)
}

/// One touched histogram bucket (sparse storage, kept sorted by `idx`).
#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Time (ms) added directly to this bucket by ramps that start or end inside it.
    /// Signed: a ramp that starts inside the bucket is recorded as covering the whole
    /// bucket (via `cover`) minus the part below its start.
    partial: i64,
    /// Difference-array entry: change in the number of ramps that fully cover a bucket,
    /// applied from this bucket upwards. `i32`: a VM makes at most about a million ramps a
    /// year, and the narrower field keeps a bucket in 16 bytes (two sit in the monitor).
    cover: i32,
    idx: u16,
}

/// The time-weighted distribution of a recovery point objective (RPO).
///
/// RPO(t) is t minus the time stamp of the newest recovery point at the target. It is fed
/// as contiguous *ramps* (see [`RpoMonitor::add_ramp`]); the distribution is the mixture
/// of the uniform distributions of the ramps, weighted by their durations.
///
/// Mean, maximum, target-met fraction and longest violation are exact (integer
/// accumulators, one final division). Quantiles come from a sparse log-linear histogram:
///
/// # Bucket layout
///
/// The layout counts in units of 128 ms (`UNIT_BITS`):
/// - values below 64 units (8,192 ms): one bucket per unit (indices 0..63);
/// - each power of two `[2^e, 2^(e+1))` units with `e >= 6` is split into 32 equal buckets of
///   width `2^(e-5)` units (indices `64 + 32*(e-6) + sub`), up to `u64::MAX` ms.
///
/// So a bucket's width is at most 1/32 of its lower bound, or 128 ms below 8,192 ms.
///
/// # Storage and cost
///
/// Only buckets in which some ramp starts or ends are stored (a sorted `Vec` of 24-byte
/// entries). A ramp adds its exact partial time to its first and last buckets and records
/// its full coverage of the buckets in between as a difference array (+1 from its first
/// bucket, -1 from its last, with the uncovered part of the first bucket subtracted from
/// that bucket's direct time): at most two entries are touched per ramp, whatever its length.
/// A steady saw-tooth therefore uses two entries; no allocation happens once the set of
/// touched buckets stops growing, and additions to the last start and end buckets wait in
/// the monitor itself until another bucket is touched. [`RpoMonitor::summary`] folds them in
/// and resolves the difference array.
///
/// # Quantile precision
///
/// Quantile p is the smallest value q such that the time with RPO <= q is at least
/// p * observed. The time in every bucket, and hence the cumulative time at every bucket
/// boundary, is exact, so the estimate lies in the same bucket as the true quantile:
///
/// - between stored buckets the density is exactly uniform and linear interpolation is
///   exact (up to `f64` rounding);
/// - inside a stored bucket the time is assumed uniform over the bucket (clipped to the
///   observed minimum and maximum RPO), so the error is at most one bucket width:
///   `|estimate - q| <= max(128 ms, q / 32)`, i.e. at most 3.125 % relative for q >= 4.1 s.
#[derive(Debug, Clone)]
pub struct RpoMonitor {
    /// Twice the time integral of the RPO (ms * ms), so that it stays an integer.
    integral2: u128,
    target_ms: u64,
    observed_ms: u64,
    /// Time (ms) with RPO <= target.
    met_ms: u64,
    /// Largest RPO value reached (the end of a ramp).
    max_ms: u64,
    /// Smallest RPO value seen (the start of a ramp); `u64::MAX` when empty.
    min_ms: u64,
    /// Length of the violation in progress at the end of the last ramp (0 if none).
    current_violation_ms: u64,
    longest_violation_ms: u64,
    /// Every touched bucket, sorted by `idx`; the additions held in `pending` are not in it.
    buckets: Vec<Bucket>,
    /// The last start bucket and the last end bucket touched, with what was added to them
    /// since they were last folded into `buckets`: successive ramps of a saw-tooth start and
    /// end in the same buckets, so most ramps add here, inside the monitor, without a look-up
    /// (or the cache misses of the bucket array in a large estate). Sums of integers, so
    /// folding them in later gives exactly the same buckets.
    pending: [Bucket; 2],
}

/// `idx` of an empty slot of `RpoMonitor::pending` (bucket indices stop at 1695).
const NO_BUCKET: u16 = u16::MAX;
const EMPTY_PENDING: Bucket = Bucket {
    partial: 0,
    cover: 0,
    idx: NO_BUCKET,
};

/// Summary of an [`RpoMonitor`], in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RpoSummary {
    /// Total time weighted.
    pub observed_s: f64,
    /// Time-weighted mean RPO (exact).
    pub mean_s: Option<f64>,
    /// Time-weighted median RPO (see [`RpoMonitor`] for the precision).
    pub p50_s: Option<f64>,
    /// Time-weighted 95th percentile RPO.
    pub p95_s: Option<f64>,
    /// Time-weighted 99th percentile RPO.
    pub p99_s: Option<f64>,
    /// Largest RPO reached (exact).
    pub max_s: Option<f64>,
    /// Fraction of the observed time with RPO <= target (exact).
    pub target_met_fraction: Option<f64>,
    /// Longest contiguous time with RPO > target, across ramps (exact).
    pub longest_violation_s: f64,
}

impl RpoMonitor {
    /// A monitor for an RPO target of `target_ms`.
    pub fn new(target_ms: u64) -> Self {
        RpoMonitor {
            integral2: 0,
            target_ms,
            observed_ms: 0,
            met_ms: 0,
            max_ms: 0,
            min_ms: u64::MAX,
            current_violation_ms: 0,
            longest_violation_ms: 0,
            buckets: Vec::new(),
            pending: [EMPTY_PENDING; 2],
        }
    }

    /// Time-weight a ramp: the RPO rose from `start_ms` to `start_ms + dur_ms` over `dur_ms` ms.
    ///
    /// `dur_ms == 0` is a no-op. Ramps must be fed in time order and be contiguous in time
    /// (a violation continues across a ramp boundary when the next ramp starts above the
    /// target). O(1) when the ramp starts and ends in the buckets the last one did, else
    /// O(log k) in the number k <= 1920 of stored buckets; allocation-free unless a bucket is
    /// touched for the first time. The end value saturates at `u64::MAX`.
    // Inlined into the recovery-point bookkeeping: once per cycle of every VM.
    #[inline(always)]
    pub fn add_ramp(&mut self, start_ms: u64, dur_ms: u64) {
        let a = start_ms;
        let b = start_ms.saturating_add(dur_ms);
        let dur = b - a;
        if dur == 0 {
            return;
        }

        // Exact moments.
        self.observed_ms += dur;
        self.integral2 += 2 * u128::from(a) * u128::from(dur) + u128::from(dur) * u128::from(dur);
        self.max_ms = self.max_ms.max(b);
        self.min_ms = self.min_ms.min(a);

        // Target: RPO(a + t) <= target for t <= target - a.
        let target = self.target_ms;
        self.met_ms += target.saturating_sub(a).min(dur);
        if a > target {
            // The whole ramp violates and continues any violation in progress.
            self.current_violation_ms += dur;
        } else {
            // RPO <= target at the start of the ramp: any earlier violation has ended.
            self.current_violation_ms = b.saturating_sub(target);
        }
        self.longest_violation_ms = self.longest_violation_ms.max(self.current_violation_ms);

        // Histogram: the ramp covers values [a, b).
        let ia = bucket_index(a);
        let ib = bucket_index(b - 1);
        if ia == ib {
            self.add_to_bucket(ia, 0, dur as i64, 0);
        } else {
            let (lo_a, _) = bucket_lo_width(ia);
            let (lo_b, _) = bucket_lo_width(ib);
            self.add_to_bucket(ia, 0, -((a - lo_a) as i64), 1);
            self.add_to_bucket(ib, 1, (b - lo_b) as i64, -1);
        }
    }

    /// Add `partial` and `cover` to bucket `idx` through pending slot `slot` (0 for a ramp's
    /// start, 1 for its end).
    #[inline]
    fn add_to_bucket(&mut self, idx: u16, slot: usize, partial: i64, cover: i32) {
        let p = &mut self.pending[slot];
        if p.idx == idx {
            p.partial += partial;
            p.cover += cover;
        } else {
            self.switch_pending(idx, slot, partial, cover);
        }
    }

    /// Fold pending slot `slot` into `buckets` and start it afresh on bucket `idx`, which is
    /// stored (zero) if it was never touched: `buckets` always lists every touched bucket.
    #[inline(never)]
    fn switch_pending(&mut self, idx: u16, slot: usize, partial: i64, cover: i32) {
        let old = std::mem::replace(
            &mut self.pending[slot],
            Bucket {
                partial,
                cover,
                idx,
            },
        );
        if old.idx != NO_BUCKET {
            let b = self.bucket_mut(old.idx);
            b.partial += old.partial;
            b.cover += old.cover;
        }
        self.bucket_mut(idx);
    }

    /// The stored entry for bucket `idx`, inserted (zero) if absent.
    fn bucket_mut(&mut self, idx: u16) -> &mut Bucket {
        let pos = match self.buckets.binary_search_by_key(&idx, |b| b.idx) {
            Ok(pos) => pos,
            Err(pos) => {
                self.buckets.insert(
                    pos,
                    Bucket {
                        partial: 0,
                        cover: 0,
                        idx,
                    },
                );
                pos
            }
        };
        &mut self.buckets[pos]
    }

    /// The buckets with the pending additions folded in.
    fn settled_buckets(&self) -> Vec<Bucket> {
        let mut buckets = self.buckets.clone();
        for p in self.pending.iter().filter(|p| p.idx != NO_BUCKET) {
            let pos = buckets
                .binary_search_by_key(&p.idx, |b| b.idx)
                .expect("a pending bucket is stored");
            buckets[pos].partial += p.partial;
            buckets[pos].cover += p.cover;
        }
        buckets
    }

    /// Total time weighted (ms).
    pub fn observed_ms(&self) -> u64 {
        self.observed_ms
    }

    /// Weighted time with the RPO within the target (ms).
    pub fn met_ms(&self) -> u64 {
        self.met_ms
    }

    pub fn target_ms(&self) -> u64 {
        self.target_ms
    }

    /// Time-weighted quantile `p` (clamped to [0, 1]) in ms; `None` when nothing was observed.
    #[cfg(test)]
    fn quantile_ms(&self, p: f64) -> Option<f64> {
        self.quantile_in(&self.settled_buckets(), p)
    }

    /// [`RpoMonitor::quantile_ms`] over `buckets`, the settled buckets.
    fn quantile_in(&self, buckets: &[Bucket], p: f64) -> Option<f64> {
        if self.observed_ms == 0 {
            return None;
        }
        let threshold = p.clamp(0.0, 1.0) * self.observed_ms as f64;
        let interpolate = |lo: u128, hi: u128, below: u128, mass: u128| -> f64 {
            let frac = ((threshold - below as f64) / mass as f64).clamp(0.0, 1.0);
            lo as f64 + (hi - lo) as f64 * frac
        };
        let mut below: u128 = 0; // exact time with RPO below the current segment
        let mut cover: i64 = 0; // ramps fully covering the current bucket
        for (i, bucket) in buckets.iter().enumerate() {
            let (lo, width) = bucket_lo_width(bucket.idx);
            let (lo, width) = (u128::from(lo), u128::from(width));
            let hi = lo + width;
            cover += i64::from(bucket.cover);
            debug_assert!(cover >= 0);
            let mass = i128::from(bucket.partial) + i128::from(cover) * width as i128;
            debug_assert!(mass >= 0);
            let mass = mass as u128;
            if mass > 0 && (below + mass) as f64 >= threshold {
                // Clip to the observed range: no time lies outside [min, max].
                let lo = lo.max(u128::from(self.min_ms));
                let hi = hi.min(u128::from(self.max_ms));
                return Some(interpolate(lo, hi.max(lo), below, mass));
            }
            below += mass;
            // The gap up to the next stored bucket is covered uniformly `cover` times.
            let next_lo = match buckets.get(i + 1) {
                Some(next) => u128::from(bucket_lo_width(next.idx).0),
                None => hi,
            };
            if cover > 0 && next_lo > hi {
                let mass = cover as u128 * (next_lo - hi);
                if (below + mass) as f64 >= threshold {
                    return Some(interpolate(hi, next_lo, below, mass));
                }
                below += mass;
            }
        }
        // Only reachable through f64 rounding of the threshold.
        Some(self.max_ms as f64)
    }

    /// Summary in seconds; all `None` (and zeros) when nothing was observed.
    pub fn summary(&self) -> RpoSummary {
        if self.observed_ms == 0 {
            return RpoSummary::default();
        }
        let observed = self.observed_ms as f64;
        let buckets = self.settled_buckets();
        let quantile_s = |p: f64| self.quantile_in(&buckets, p).map(|q| q / 1000.0);
        RpoSummary {
            observed_s: observed / 1000.0,
            mean_s: Some(self.integral2 as f64 / (2000 * u128::from(self.observed_ms)) as f64),
            p50_s: quantile_s(0.50),
            p95_s: quantile_s(0.95),
            p99_s: quantile_s(0.99),
            max_s: Some(self.max_ms as f64 / 1000.0),
            target_met_fraction: Some(self.met_ms as f64 / observed),
            longest_violation_s: self.longest_violation_ms as f64 / 1000.0,
        }
    }
}

/// Time-weighted mean and maximum of a piecewise-constant level (backlog bytes, link use).
#[derive(Debug, Clone, Default)]
pub struct LevelMonitor {
    start_ms: u64,
    last_change_ms: u64,
    level: u64,
    max: u64,
    /// Integral of the level over [start, last change] (level * ms).
    integral: u128,
}

impl LevelMonitor {
    /// A monitor whose level is `level` from `start_ms`.
    pub fn new(start_ms: u64, level: u64) -> Self {
        LevelMonitor {
            start_ms,
            last_change_ms: start_ms,
            level,
            max: level,
            integral: 0,
        }
    }

    /// The level changes to `level` at `at_ms` (at_ms >= last change).
    pub fn set(&mut self, at_ms: u64, level: u64) {
        debug_assert!(
            at_ms >= self.last_change_ms,
            "level change at {at_ms} ms before the previous one at {} ms",
            self.last_change_ms
        );
        let at_ms = at_ms.max(self.last_change_ms);
        self.integral += u128::from(self.level) * u128::from(at_ms - self.last_change_ms);
        self.last_change_ms = at_ms;
        self.level = level;
        self.max = self.max.max(level);
    }

    /// The current level.
    pub fn level(&self) -> u64 {
        self.level
    }

    /// The largest level ever set (including the initial one, even if held for 0 ms).
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Time-weighted mean over [start, until_ms]; `None` if the span is empty.
    pub fn mean_until(&self, until_ms: u64) -> Option<f64> {
        let span = until_ms.checked_sub(self.start_ms).filter(|&s| s > 0)?;
        Some(self.integral_until(until_ms) as f64 / span as f64)
    }

    /// Integral of the level over [start, until_ms] (level * ms), exact.
    ///
    /// `until_ms` must not precede the last change (debug-asserted; treated as the last
    /// change otherwise).
    pub fn integral_until(&self, until_ms: u64) -> u128 {
        debug_assert!(
            until_ms >= self.last_change_ms,
            "integral until {until_ms} ms before the last change at {} ms",
            self.last_change_ms
        );
        self.integral
            + u128::from(self.level) * u128::from(until_ms.saturating_sub(self.last_change_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic 64-bit LCG (Knuth MMIX constants).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 11
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    const PS: [f64; 10] = [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0];

    /// The documented bound: one bucket width, at most max(128 ms, q / 32).
    fn bound_ms(q: f64) -> f64 {
        (q / 32.0).max(128.0) + 1e-6 * q.max(1.0)
    }

    fn close(actual: Option<f64>, expected: f64, tol: f64) -> bool {
        matches!(actual, Some(a) if (a - expected).abs() <= tol)
    }

    #[test]
    fn bucket_layout_is_contiguous_and_fine() {
        let mut expected_lo: u128 = 0;
        let last = bucket_index(u64::MAX);
        for idx in 0..=last {
            let (lo, width) = bucket_lo_width(idx);
            assert_eq!(u128::from(lo), expected_lo, "bucket {idx}");
            assert_eq!(bucket_index(lo), idx);
            assert_eq!(bucket_index(lo + (width - 1)), idx);
            assert!(width == 128 || width * 32 <= lo, "bucket {idx} too wide");
            expected_lo = u128::from(lo) + u128::from(width);
        }
        assert_eq!(expected_lo, 1u128 << 64);
        assert_eq!(last, 64 + 32 * (56 - 6) + 31);
    }

    #[test]
    fn constant_saw_tooth() {
        let mut m = RpoMonitor::new(200_000);
        for _ in 0..10 {
            m.add_ramp(0, 300_000);
        }
        let s = m.summary();
        assert_eq!(m.observed_ms(), 3_000_000);
        assert_eq!(s.observed_s, 3000.0);
        assert_eq!(s.mean_s, Some(150.0));
        assert!(close(s.p50_s, 150.0, bound_ms(150_000.0) / 1000.0), "{s:?}");
        assert!(close(s.p95_s, 285.0, bound_ms(285_000.0) / 1000.0), "{s:?}");
        assert!(close(s.p99_s, 297.0, bound_ms(297_000.0) / 1000.0), "{s:?}");
        // In practice the saw-tooth is resolved much better than the bound.
        assert!(close(s.p50_s, 150.0, 1e-6), "{s:?}");
        assert!(close(s.p95_s, 285.0, 1e-6), "{s:?}");
        assert!(close(s.p99_s, 297.0, 1e-6), "{s:?}");
        assert_eq!(s.max_s, Some(300.0));
        assert_eq!(s.target_met_fraction, Some(2.0 / 3.0));
        assert_eq!(s.longest_violation_s, 100.0);
        // Sparse: a steady saw-tooth touches two buckets.
        assert_eq!(m.buckets.len(), 2);
    }

    #[test]
    fn ramps_starting_above_zero() {
        let mut m = RpoMonitor::new(200_000);
        for _ in 0..7 {
            m.add_ramp(10_000, 300_000);
        }
        let s = m.summary();
        assert_eq!(s.mean_s, Some(160.0));
        assert!(close(s.p50_s, 160.0, bound_ms(160_000.0) / 1000.0), "{s:?}");
        assert!(close(s.p95_s, 295.0, bound_ms(295_000.0) / 1000.0), "{s:?}");
        assert!(close(s.p99_s, 307.0, bound_ms(307_000.0) / 1000.0), "{s:?}");
        assert_eq!(s.max_s, Some(310.0));
        assert_eq!(s.target_met_fraction, Some(190.0 / 300.0));
        assert_eq!(s.longest_violation_s, 110.0);
    }

    #[test]
    fn violation_spans_several_ramps() {
        let mut m = RpoMonitor::new(100_000);
        m.add_ramp(0, 150_000); // violation 50 s, in progress
        m.add_ramp(120_000, 60_000); // starts above target: 110 s
        m.add_ramp(130_000, 30_000); // 140 s
        m.add_ramp(50_000, 40_000); // ends at 90 s: over
        m.add_ramp(0, 120_000); // 20 s
        let s = m.summary();
        assert_eq!(s.longest_violation_s, 140.0);
        assert_eq!(s.max_s, Some(180.0));
        assert_eq!(m.observed_ms(), 400_000);
        let met = 100_000 + 40_000 + 100_000;
        assert_eq!(s.target_met_fraction, Some(met as f64 / 400_000.0));
    }

    #[test]
    fn ramp_starting_exactly_at_target_ends_violation() {
        let mut m = RpoMonitor::new(100_000);
        m.add_ramp(0, 150_000); // 50 s
        m.add_ramp(100_000, 30_000); // RPO == target at the start: a new 30 s violation
        assert_eq!(m.summary().longest_violation_s, 50.0);
        m.add_ramp(100_001, 30_000); // continues: 60 s
        assert_eq!(m.summary().longest_violation_s, 60.0);
    }

    #[test]
    fn empty_monitor() {
        let mut m = RpoMonitor::new(1000);
        assert_eq!(m.observed_ms(), 0);
        assert_eq!(m.summary(), RpoSummary::default());
        m.add_ramp(500, 0);
        assert_eq!(m.observed_ms(), 0);
        let s = m.summary();
        assert_eq!(s, RpoSummary::default());
        assert_eq!(s.mean_s, None);
        assert_eq!(s.p50_s, None);
        assert_eq!(s.max_s, None);
        assert_eq!(s.target_met_fraction, None);
        assert_eq!(s.observed_s, 0.0);
        assert!(m.buckets.is_empty());
    }

    #[test]
    fn long_ramp_touches_two_buckets() {
        let mut m = RpoMonitor::new(0);
        m.add_ramp(3, 1 << 50);
        assert_eq!(m.buckets.len(), 2);
        m.add_ramp(u64::MAX - 10, 100); // saturates at u64::MAX: 10 ms
        assert_eq!(m.observed_ms(), (1 << 50) + 10);
        assert!(m.buckets.len() <= 3);
        let s = m.summary();
        assert!(s.p50_s.is_some() && s.mean_s.is_some());
        assert_eq!(s.max_s, Some(u64::MAX as f64 / 1000.0));
    }

    /// Reference: expand ramps into 1-ms samples (sample v stands for the RPO values
    /// [v, v + 1)). Quantile p of the continuous distribution lies in (v, v + 1] for the
    /// smallest sample v whose cumulative count reaches p * observed.
    #[test]
    fn brute_force_reference_small() {
        let mut rng = Lcg(0x5eed);
        let mut worst_rel = 0.0f64;
        for case in 0..300 {
            let target = rng.below(3000);
            let n = 1 + rng.below(30);
            let ramps: Vec<(u64, u64)> =
                (0..n).map(|_| (rng.below(2000), rng.below(2000))).collect();
            let mut m = RpoMonitor::new(target);
            let mut counts = vec![0u64; 4000];
            let (mut sum2, mut max, mut met, mut run, mut longest) =
                (0u128, 0u64, 0u64, 0u64, 0u64);
            for &(a, d) in &ramps {
                m.add_ramp(a, d);
                if d > 0 && a <= target {
                    run = 0;
                }
                for v in a..a + d {
                    counts[v as usize] += 1;
                    sum2 += u128::from(2 * v + 1);
                    max = max.max(v + 1);
                    if v < target {
                        met += 1;
                    } else {
                        run += 1;
                        longest = longest.max(run);
                    }
                }
            }
            let total: u64 = counts.iter().sum();
            assert_eq!(m.observed_ms(), total);
            let s = m.summary();
            if total == 0 {
                assert_eq!(s, RpoSummary::default());
                continue;
            }
            let t = total as f64;
            assert_eq!(
                s.mean_s,
                Some(sum2 as f64 / (2000 * u128::from(total)) as f64)
            );
            assert_eq!(s.max_s, Some(max as f64 / 1000.0));
            assert_eq!(s.target_met_fraction, Some(met as f64 / t));
            assert_eq!(s.longest_violation_s, longest as f64 / 1000.0);
            for p in PS {
                let est = m.quantile_ms(p).unwrap();
                let threshold = p * t;
                let mut cum = 0u64;
                let v = counts
                    .iter()
                    .position(|&c| {
                        cum += c;
                        c > 0 && cum as f64 >= threshold
                    })
                    .unwrap() as f64;
                // The true quantile q is in [v, v + 1]; the estimate within one bucket of q.
                let err = if est < v {
                    v - est
                } else {
                    (est - (v + 1.0)).max(0.0)
                };
                assert!(
                    err <= bound_ms(v + 1.0),
                    "case {case} p {p}: est {est} ref ({v}, {}]",
                    v + 1.0
                );
                if v >= 1.0 {
                    worst_rel = worst_rel.max(err / v);
                }
            }
            let q = [s.p50_s, s.p95_s, s.p99_s];
            assert_eq!(
                q,
                [0.5, 0.95, 0.99].map(|p| m.quantile_ms(p).map(|x| x / 1000.0))
            );
        }
        eprintln!("brute_force_reference_small: worst relative quantile error {worst_rel:.5}");
    }

    /// Exact continuous reference for large values: F(x) = sum of clamp(x - a, 0, d) is
    /// linear between integers, so bisect on integers and interpolate.
    #[test]
    fn analytic_reference_large() {
        fn cdf(ramps: &[(u64, u64)], x: u64) -> u128 {
            ramps
                .iter()
                .map(|&(a, d)| u128::from(x.saturating_sub(a).min(d)))
                .sum()
        }
        let mut rng = Lcg(42);
        let mut worst_rel = 0.0f64;
        for case in 0..400 {
            let scale = 1u64 << rng.below(34);
            let n = 1 + rng.below(40);
            let ramps: Vec<(u64, u64)> = (0..n)
                .map(|_| (rng.below(scale / 4 + 1), 1 + rng.below(scale)))
                .collect();
            let mut m = RpoMonitor::new(scale / 2);
            for &(a, d) in &ramps {
                m.add_ramp(a, d);
            }
            let total = cdf(&ramps, u64::MAX);
            assert_eq!(u128::from(m.observed_ms()), total);
            for p in PS {
                let threshold = p * total as f64;
                // Smallest integer x with F(x) >= threshold.
                let (mut lo, mut hi) = (0u64, 4 * scale + 2);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if cdf(&ramps, mid) as f64 >= threshold {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                let q = if lo == 0 {
                    0.0
                } else {
                    let f0 = cdf(&ramps, lo - 1) as f64;
                    let f1 = cdf(&ramps, lo) as f64;
                    (lo - 1) as f64 + (threshold - f0) / (f1 - f0)
                };
                // For p == 0 the quantile is the minimum start.
                let q = if p == 0.0 {
                    ramps.iter().map(|r| r.0).min().unwrap() as f64
                } else {
                    q
                };
                let est = m.quantile_ms(p).unwrap();
                let err = (est - q).abs();
                assert!(
                    err <= bound_ms(q),
                    "case {case} p {p}: est {est} ref {q} ramps {ramps:?}"
                );
                if q >= 1.0 {
                    worst_rel = worst_rel.max(err / q);
                }
            }
        }
        eprintln!("analytic_reference_large: worst relative quantile error {worst_rel:.5}");
    }

    #[test]
    fn deterministic() {
        let run = || {
            let mut rng = Lcg(7);
            let mut m = RpoMonitor::new(60_000);
            for _ in 0..1000 {
                m.add_ramp(rng.below(30_000), 50_000 + rng.below(20_000));
            }
            m.summary()
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn level_monitor_by_hand() {
        let mut l = LevelMonitor::new(1000, 5);
        assert_eq!(l.mean_until(1000), None);
        assert_eq!(l.integral_until(1000), 0);
        l.set(3000, 20); // 5 over 2000 ms
        l.set(3000, 2); // transient, held 0 ms
        l.set(4000, 0); // 2 over 1000 ms
        assert_eq!(l.level(), 0);
        assert_eq!(l.max(), 20);
        assert_eq!(l.integral_until(6000), 10_000 + 2000);
        assert_eq!(l.mean_until(6000), Some(12_000.0 / 5000.0));
        assert_eq!(l.mean_until(500), None);
        let d = LevelMonitor::default();
        assert_eq!(d.mean_until(0), None);
        assert_eq!(d.mean_until(10), Some(0.0));
        assert_eq!(d.max(), 0);
    }
}
