//! Write workloads: how many bytes a disk's guest writes, over virtual time.
//!
//! Every workload is a piecewise-constant write rate. [`DiskWrites`] walks its segments with a
//! cursor and answers "how many bytes were written by time t" exactly, as an integer that
//! never decreases: within a segment `W(t) = W(start) + floor(rate * (t - start))`. Queries
//! must come in non-decreasing time order (the simulation only moves forward), so each costs
//! O(1) amortised and random workloads are drawn lazily, one segment at a time.

use super::calendar::Calendar;
use super::keyword::Keyword;
use crate::engine::Time;
use crate::units::ByteRate;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal};
use std::sync::Arc;

/// A validated workload description (shared by every disk that uses the same profile).
#[derive(Debug, Clone, PartialEq)]
pub enum WorkloadSpec {
    /// The same rate at all times.
    Constant { rate: ByteRate },
    /// `peak` during the calendar's work hours, `base` otherwise.
    OfficeHours { peak: ByteRate, base: ByteRate },
    /// `base` all the time plus bursts at `burst_rate`: gaps between bursts are exponential
    /// with mean `mean_gap_ms`, burst sizes lognormal with median `size_median_bytes` and
    /// shape `size_sigma` [ours: the domain names the distribution families, not these
    /// parameters].
    Bursts {
        base: ByteRate,
        burst_rate: ByteRate,
        mean_gap_ms: u64,
        size_median_bytes: u64,
        size_sigma: f64,
    },
    /// A replayed churn trace: `(offset from start, rate)` points in increasing time order;
    /// each rate holds until the next point, the last one until the end of the run.
    Trace { points: Arc<[(Time, ByteRate)]> },
}

/// The `kind` of a `[[profiles]]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Constant,
    OfficeHours,
    Bursts,
    Trace,
    /// A typeperf / relog performance-counter CSV, one column per virtual disk: each disk
    /// becomes a `Trace` (`src/scenario/import.rs`).
    Perfmon,
    /// A CSV of bytes written per VM and disk per interval: each disk becomes a `Trace`.
    DiskBytes,
}

impl Keyword for WorkloadKind {
    const ALL: &'static [(Self, &'static str)] = &[
        (WorkloadKind::Constant, "constant"),
        (WorkloadKind::OfficeHours, "office-hours"),
        (WorkloadKind::Bursts, "bursts"),
        (WorkloadKind::Trace, "trace"),
        (WorkloadKind::Perfmon, "perfmon"),
        (WorkloadKind::DiskBytes, "disk-bytes"),
    ];
}

impl WorkloadSpec {
    /// The highest rate the workload ever writes at.
    pub fn max_rate(&self) -> ByteRate {
        match self {
            WorkloadSpec::Constant { rate } => *rate,
            WorkloadSpec::OfficeHours { peak, base } => (*peak).max(*base),
            WorkloadSpec::Bursts {
                base, burst_rate, ..
            } => ByteRate(base.0.saturating_add(burst_rate.0)),
            WorkloadSpec::Trace { points } => {
                points.iter().map(|p| p.1).max().unwrap_or(ByteRate(0))
            }
        }
    }
}

impl WorkloadSpec {
    /// The same workload writing `factor` times as much: every rate (and a burst's size) is
    /// multiplied, the timing (office hours, burst gaps, trace instants) is unchanged. The
    /// planner's churn growth (`drsim plan --growth`) goes through here and
    /// [`super::Scenario::scale_churn`] only. Rates round to the nearest mB/s.
    pub fn scaled(&self, factor: f64) -> WorkloadSpec {
        let r = |rate: ByteRate| ByteRate((rate.0 as f64 * factor).round() as u64);
        match self {
            WorkloadSpec::Constant { rate } => WorkloadSpec::Constant { rate: r(*rate) },
            WorkloadSpec::OfficeHours { peak, base } => WorkloadSpec::OfficeHours {
                peak: r(*peak),
                base: r(*base),
            },
            WorkloadSpec::Bursts {
                base,
                burst_rate,
                mean_gap_ms,
                size_median_bytes,
                size_sigma,
            } => WorkloadSpec::Bursts {
                base: r(*base),
                // Rate and size together: a burst lasts as long and writes `factor` times
                // as much.
                burst_rate: r(*burst_rate),
                mean_gap_ms: *mean_gap_ms,
                size_median_bytes: (*size_median_bytes as f64 * factor).round() as u64,
                size_sigma: *size_sigma,
            },
            WorkloadSpec::Trace { points } => WorkloadSpec::Trace {
                points: points.iter().map(|&(t, rate)| (t, r(rate))).collect(),
            },
        }
    }
}

/// `DiskWrites::stopped_at_bytes` of a VM that runs.
const RUNNING: u64 = u64::MAX;

/// The cumulative writes of one disk.
///
/// One cache line: every replication cycle reads it, and in a large estate the cycles of the
/// other VMs evict it in between, so its size is a cache miss per cycle. What only a segment
/// change needs (the workload's parameters, a random stream) lives behind one box.
#[derive(Debug, Clone)]
#[repr(align(64))]
pub struct DiskWrites {
    seg_start: Time,
    /// Exclusive end of the current segment; `Time::MAX` for "forever".
    seg_end: Time,
    seg_rate: ByteRate,
    /// Cumulative bytes written at `seg_start`.
    bytes_at_seg_start: u64,
    /// Bytes the schedule would have written while the VM was down: never written. The
    /// schedule itself runs on (an office day is an office day whenever the VM comes back).
    skipped: u64,
    /// While the VM is down: the schedule's cumulative bytes when it stopped; `RUNNING`
    /// otherwise (a sentinel keeps the per-disk state small).
    stopped_at_bytes: u64,
    /// Where the next segment comes from; `None` for a constant workload (one segment).
    segments: Option<Box<Segments>>,
}

/// What a workload that changes rate needs to make its next segment.
#[derive(Debug, Clone)]
struct Segments {
    spec: WorkloadSpec,
    /// Burst workloads only: this disk's own random stream.
    rng: Option<ChaCha8Rng>,
    /// Trace: points already in force. Bursts: 1 when the next segment is a gap, 0 when it
    /// is a burst.
    phase: usize,
}

impl DiskWrites {
    /// Start the workload at time 0. `rng` is used only by random workloads.
    pub fn new(spec: WorkloadSpec, calendar: &Calendar, rng: ChaCha8Rng) -> Self {
        let (rate, segments) = match spec {
            WorkloadSpec::Constant { rate } => (rate, None),
            _ => {
                let bursts = matches!(spec, WorkloadSpec::Bursts { .. });
                let segments = Segments {
                    rng: bursts.then_some(rng),
                    // Bursts start in a gap, so a burst never begins exactly at t = 0.
                    phase: usize::from(bursts),
                    spec,
                };
                (ByteRate(0), Some(segments))
            }
        };
        let mut w = DiskWrites {
            seg_start: 0,
            seg_end: Time::MAX,
            seg_rate: rate,
            bytes_at_seg_start: 0,
            skipped: 0,
            stopped_at_bytes: RUNNING,
            segments: segments.map(Box::new),
        };
        if w.segments.is_some() {
            w.make_segment(0, calendar);
        }
        w
    }

    /// Cumulative bytes written in `[0, t)`. `t` must not decrease between calls.
    #[inline]
    pub fn written_by(&mut self, t: Time, calendar: &Calendar) -> u64 {
        debug_assert!(t >= self.seg_start, "workload queried backwards in time");
        while t >= self.seg_end {
            self.next_segment(calendar);
        }
        self.written_in_segment(t)
    }

    /// The VM goes down at `t`: it writes nothing until [`DiskWrites::restart`].
    pub fn stop(&mut self, t: Time, calendar: &Calendar) {
        if !self.is_stopped() {
            self.stopped_at_bytes = self.written_by(t, calendar) + self.skipped;
        }
    }

    /// The VM runs again from `t`.
    pub fn restart(&mut self, t: Time, calendar: &Calendar) {
        if self.is_stopped() {
            let at_stop = std::mem::replace(&mut self.stopped_at_bytes, RUNNING);
            while t >= self.seg_end {
                self.next_segment(calendar);
            }
            let schedule = self.bytes_at_seg_start + self.seg_rate.bytes_in(t - self.seg_start);
            self.skipped += schedule - at_stop;
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped_at_bytes != RUNNING
    }

    /// Cumulative bytes at `t` inside (or at the end of) the current segment, without moving.
    #[inline(always)]
    fn written_in_segment(&self, t: Time) -> u64 {
        debug_assert!(self.seg_start <= t && t <= self.seg_end);
        let schedule = if self.is_stopped() {
            self.stopped_at_bytes
        } else {
            self.bytes_at_seg_start + self.seg_rate.bytes_in(t - self.seg_start)
        };
        schedule - self.skipped
    }

    // Rare next to the queries: kept out of the inlined `written_by`.
    #[inline(never)]
    fn next_segment(&mut self, calendar: &Calendar) {
        let end = self.seg_end;
        self.bytes_at_seg_start += self.seg_rate.bytes_in(end - self.seg_start);
        self.make_segment(end, calendar);
    }

    /// Set the segment that starts at `from`.
    fn make_segment(&mut self, from: Time, calendar: &Calendar) {
        let Segments { spec, rng, phase } = self
            .segments
            .as_deref_mut()
            .expect("a constant workload has one segment");
        self.seg_start = from;
        let (rate, end) = match spec {
            WorkloadSpec::Constant { .. } => unreachable!("a constant workload has one segment"),
            WorkloadSpec::OfficeHours { peak, base } => {
                let rate = if calendar.is_work_time(from) {
                    *peak
                } else {
                    *base
                };
                (rate, calendar.next_change(from).unwrap_or(Time::MAX))
            }
            WorkloadSpec::Bursts {
                base,
                burst_rate,
                mean_gap_ms,
                size_median_bytes,
                size_sigma,
            } => {
                let rng = rng.as_mut().expect("burst workloads own a stream");
                let (rate, len_ms) = if *phase == 1 {
                    let gap = Exp::new(1.0 / (*mean_gap_ms).max(1) as f64)
                        .expect("positive rate")
                        .sample(rng);
                    (*base, (gap.ceil() as u64).max(1))
                } else {
                    let mu = ((*size_median_bytes).max(1) as f64).ln();
                    let size = LogNormal::new(mu, *size_sigma)
                        .expect("validated sigma")
                        .sample(rng);
                    let size = size.min(1e15) as u64;
                    let ms = burst_rate.millis_for(size.max(1)).unwrap_or(1).max(1);
                    (ByteRate(base.0 + burst_rate.0), ms)
                };
                *phase ^= 1;
                (rate, from.saturating_add(len_ms))
            }
            WorkloadSpec::Trace { points } => {
                while *phase < points.len() && points[*phase].0 <= from {
                    *phase += 1;
                }
                // Before the first point the trace writes nothing.
                let rate = match *phase {
                    0 => ByteRate(0),
                    n => points[n - 1].1,
                };
                (rate, points.get(*phase).map_or(Time::MAX, |p| p.0))
            }
        };
        self.seg_rate = rate;
        self.seg_end = end;
    }
}

/// The first instant `t` in `[from, limit)` at which `disks` together have written at least
/// `target` bytes in total, or `None` if they have not by `limit`.
///
/// Exact: the cursors are cloned (the originals do not move, and a random workload's clone
/// draws the same segments), walked segment by segment, and inside the segment where the
/// target falls the millisecond is found by bisection (the sum of floors is monotone).
/// Cost: the segments crossed plus O(log segment length) per disk.
pub fn first_time_reaching(
    disks: &[DiskWrites],
    from: Time,
    target: u64,
    limit: Time,
    calendar: &Calendar,
) -> Option<Time> {
    let weighted = disks.iter().map(|d| (d.clone(), 1)).collect();
    first_weighted_reaching(weighted, from, target, limit, calendar)
}

/// [`first_time_reaching`] for a weighted sum: the first instant in `[from, limit)` at which
/// the sum of each cursor's cumulative writes times its weight reaches `target`. (A write
/// that lands in a log and in a snapshot's copy-on-write space takes its space twice.)
pub fn first_weighted_reaching(
    mut cursors: Vec<(DiskWrites, u64)>,
    from: Time,
    target: u64,
    limit: Time,
    calendar: &Calendar,
) -> Option<Time> {
    let mut t = from;
    while t < limit {
        for (c, _) in cursors.iter_mut() {
            c.written_by(t, calendar);
        }
        let end = cursors
            .iter()
            .map(|(c, _)| c.seg_end)
            .min()
            .unwrap_or(Time::MAX)
            .min(limit);
        let total = |x: Time| -> u64 {
            cursors
                .iter()
                .map(|(c, w)| c.written_in_segment(x).saturating_mul(*w))
                .fold(0u64, u64::saturating_add)
        };
        if total(end) >= target {
            let (mut lo, mut hi) = (t, end);
            if total(lo) >= target {
                return Some(lo);
            }
            // Invariant: total(lo) < target <= total(hi).
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if total(mid) >= target {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            return (hi < limit).then_some(hi);
        }
        t = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;

    fn cal() -> Calendar {
        Calendar::test_monday(0)
    }
    fn rng() -> ChaCha8Rng {
        RngStreams::new(1).stream("test")
    }
    const H: Time = 3_600_000;

    /// 1,000 bytes per second.
    fn constant_1000(c: &Calendar) -> DiskWrites {
        let rate = ByteRate::from_bytes_per_s(1000);
        DiskWrites::new(WorkloadSpec::Constant { rate }, c, rng())
    }

    #[test]
    fn a_disk_cursor_fills_one_cache_line() {
        assert_eq!(std::mem::size_of::<DiskWrites>(), 64);
        assert_eq!(std::mem::align_of::<DiskWrites>(), 64);
    }

    #[test]
    fn constant_is_exact() {
        let c = cal();
        let mut w = constant_1000(&c);
        assert_eq!(w.written_by(0, &c), 0);
        assert_eq!(w.written_by(1500, &c), 1500);
        assert_eq!(w.written_by(3 * H, &c), 3 * 3600 * 1000);
    }

    #[test]
    fn a_stopped_vm_writes_nothing_and_the_schedule_runs_on() {
        let c = cal();
        let mut w = constant_1000(&c);
        w.stop(10_000, &c);
        assert_eq!(w.written_by(50_000, &c), 10_000);
        let frozen = w.clone();
        // Nothing is reached while stopped.
        assert_eq!(first_time_reaching(&[frozen], 50_000, 10_001, H, &c), None);
        w.restart(60_000, &c);
        assert_eq!(w.written_by(60_000, &c), 10_000);
        assert_eq!(w.written_by(61_000, &c), 11_000);
        assert_eq!(
            first_time_reaching(&[w.clone()], 61_000, 12_000, H, &c),
            Some(62_000)
        );
    }

    #[test]
    fn office_hours_switch_at_the_edges() {
        let c = cal();
        let mut w = DiskWrites::new(
            WorkloadSpec::OfficeHours {
                peak: ByteRate::from_bytes_per_s(10),
                base: ByteRate::from_bytes_per_s(1),
            },
            &c,
            rng(),
        );
        // Monday 00:00-08:00 base, 08:00-18:00 peak, 18:00-24:00 base.
        let day = 8 * 3600 + 10 * 3600 * 10 + 6 * 3600;
        assert_eq!(w.written_by(24 * H, &c), day);
        // Saturday is all base.
        let sat = w.written_by(5 * 24 * H, &c);
        assert_eq!(w.written_by(6 * 24 * H, &c) - sat, 24 * 3600);
    }

    #[test]
    fn trace_holds_each_rate_until_the_next_point() {
        let c = cal();
        let points: Arc<[(Time, ByteRate)]> = vec![
            (H, ByteRate::from_bytes_per_s(2)),
            (2 * H, ByteRate::from_bytes_per_s(5)),
        ]
        .into();
        let mut w = DiskWrites::new(WorkloadSpec::Trace { points }, &c, rng());
        assert_eq!(w.written_by(H, &c), 0);
        assert_eq!(w.written_by(2 * H, &c), 7200);
        assert_eq!(w.written_by(3 * H, &c), 7200 + 18000);
    }

    #[test]
    fn bursts_are_seeded_and_add_to_the_base() {
        let c = cal();
        let spec = WorkloadSpec::Bursts {
            base: ByteRate::from_bytes_per_s(100),
            burst_rate: ByteRate::from_bytes_per_s(1_000_000),
            mean_gap_ms: 600_000,
            size_median_bytes: 50_000_000,
            size_sigma: 0.5,
        };
        let mut a = DiskWrites::new(spec.clone(), &c, rng());
        let mut b = DiskWrites::new(spec, &c, rng());
        let day = 24 * H;
        let wa = a.written_by(day, &c);
        assert_eq!(wa, b.written_by(day, &c));
        // Roughly 144 bursts of ~57 MB mean on top of 8.64 MB of base writes.
        assert!(wa > 100 * 3600 * 24, "base alone is a floor");
        assert!(wa > 2_000_000_000 && wa < 20_000_000_000, "{wa}");
    }

    #[test]
    fn first_time_reaching_matches_a_brute_force_scan() {
        let c = cal();
        let bursts = WorkloadSpec::Bursts {
            base: ByteRate::from_bytes_per_s(3),
            burst_rate: ByteRate::from_bytes_per_s(7_000),
            mean_gap_ms: 20_000,
            size_median_bytes: 50_000,
            size_sigma: 0.8,
        };
        let office = WorkloadSpec::OfficeHours {
            peak: ByteRate::from_bytes_per_s(11),
            base: ByteRate::from_bytes_per_s(1),
        };
        let mut disks = vec![
            DiskWrites::new(bursts, &c, rng()),
            DiskWrites::new(office, &c, rng()),
        ];
        // Move the cursors to a start instant first, as the simulation would have.
        let from = 7 * H + 59 * 60_000;
        let at_from: u64 = disks.iter_mut().map(|d| d.written_by(from, &c)).sum();
        let limit = from + 2 * H;
        let mut scan = disks.clone();
        let mut totals = Vec::new();
        for t in from..limit {
            totals.push(scan.iter_mut().map(|d| d.written_by(t, &c)).sum::<u64>());
        }
        for extra in [0, 1, 999, 123_457, 400_000, 2_000_000] {
            let target = at_from + extra;
            let expected = totals
                .iter()
                .position(|&w| w >= target)
                .map(|i| from + i as Time);
            assert_eq!(
                first_time_reaching(&disks, from, target, limit, &c),
                expected,
                "target {extra} bytes after {from}"
            );
        }
        // The originals did not move: they still answer for `from`.
        assert_eq!(
            disks
                .iter_mut()
                .map(|d| d.written_by(from, &c))
                .sum::<u64>(),
            at_from
        );
    }
}
