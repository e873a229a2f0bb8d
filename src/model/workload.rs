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
        /// When the burst process runs: always, or only in the calendar's work hours.
        hours: BurstHours,
    },
    /// The sum of other workloads (a base profile plus bursts): each part keeps its own
    /// segments and its own random stream, and the sum writes exactly what the parts write.
    Sum { parts: Arc<[WorkloadSpec]> },
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
    Sum,
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
        (WorkloadKind::Sum, "sum"),
        (WorkloadKind::Perfmon, "perfmon"),
        (WorkloadKind::DiskBytes, "disk-bytes"),
    ];
}

/// When a bursts profile's burst process runs (`hours`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BurstHours {
    Always,
    /// [ours] Only inside the calendar's work hours: outside them the disk writes its base
    /// rate and the burst process is paused, its gap or burst resuming where it stopped at
    /// the next work period. So the process seen in work hours is the same renewal process as
    /// `Always` on a clock that counts work hours only.
    Work,
}

impl Keyword for BurstHours {
    const ALL: &'static [(Self, &'static str)] =
        &[(BurstHours::Always, "always"), (BurstHours::Work, "work")];
    const DEFAULT: Option<Self> = Some(super::defaults::BURST_HOURS);

    fn note(self) -> Option<&'static str> {
        Some(match self {
            BurstHours::Always => "bursts at any hour",
            BurstHours::Work => "bursts only in the calendar's work hours, the base rate otherwise",
        })
    }
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
            // An upper bound: the parts' peaks need not coincide.
            WorkloadSpec::Sum { parts } => ByteRate(
                parts
                    .iter()
                    .map(|p| p.max_rate().0)
                    .fold(0, u64::saturating_add),
            ),
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
                hours,
            } => WorkloadSpec::Bursts {
                base: r(*base),
                // Rate and size together: a burst lasts as long and writes `factor` times
                // as much.
                burst_rate: r(*burst_rate),
                mean_gap_ms: *mean_gap_ms,
                size_median_bytes: (*size_median_bytes as f64 * factor).round() as u64,
                size_sigma: *size_sigma,
                hours: *hours,
            },
            WorkloadSpec::Trace { points } => WorkloadSpec::Trace {
                points: points.iter().map(|&(t, rate)| (t, r(rate))).collect(),
            },
            WorkloadSpec::Sum { parts } => WorkloadSpec::Sum {
                parts: parts.iter().map(|p| p.scaled(factor)).collect(),
            },
        }
    }
}

/// `DiskWrites::stopped_at_bytes` of a VM that runs.
const RUNNING: u64 = u64::MAX;

/// `DiskWrites::seg_rate` of a sum: its bytes are its parts' bytes (a sentinel keeps the
/// per-disk state small; no single workload writes 18 TB/s, validation caps churn far lower).
const SUM: ByteRate = ByteRate(u64::MAX);

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
    /// The segment's rate, or `SUM` for a sum (whose parts hold the bytes).
    seg_rate: ByteRate,
    /// Cumulative bytes written at `seg_start` (unused by a sum).
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
    /// Trace: points already in force. Bursts: 1 when the next piece drawn is a gap, 0 when
    /// it is a burst (so while a piece runs, 1 means it is a burst).
    phase: usize,
    /// Bursts: what is left of the current gap or burst, in ms of the process's clock (a
    /// work-hours process pauses outside work hours); 0 when the next piece is to be drawn.
    left_ms: u64,
    /// Sum: one cursor per part (never stopped: the sum's own cursor stops and restarts).
    parts: Vec<DiskWrites>,
}

/// The random stream of part `k` of a sum on a disk whose stream is `disk`: derived from
/// it, so each part draws on its own and adding a VM or a part changes no other draw.
pub fn part_stream(disk: &ChaCha8Rng, k: usize) -> ChaCha8Rng {
    let mut rng = disk.clone();
    let name = format!("{}/part/{k}", disk.get_stream());
    rng.set_stream(crate::engine::stable_hash(name.as_bytes()));
    rng
}

impl DiskWrites {
    /// Start the workload at time 0. `rng` is used only by random workloads.
    pub fn new(spec: WorkloadSpec, calendar: &Calendar, rng: ChaCha8Rng) -> Self {
        let (rate, segments) = match spec {
            WorkloadSpec::Constant { rate } => (rate, None),
            _ => {
                let bursts = matches!(spec, WorkloadSpec::Bursts { .. });
                let parts = match &spec {
                    WorkloadSpec::Sum { parts } => parts
                        .iter()
                        .enumerate()
                        .map(|(k, p)| DiskWrites::new(p.clone(), calendar, part_stream(&rng, k)))
                        .collect(),
                    _ => Vec::new(),
                };
                let segments = Segments {
                    rng: bursts.then_some(rng),
                    // Bursts start in a gap, so a burst never begins exactly at t = 0.
                    phase: usize::from(bursts),
                    left_ms: 0,
                    parts,
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
            self.skipped += self.schedule_in_segment(t) - at_stop;
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
            self.schedule_in_segment(t)
        };
        schedule - self.skipped
    }

    /// What the schedule has written by `t` inside (or at the end of) the current segment,
    /// whether the VM runs or not.
    #[inline(always)]
    fn schedule_in_segment(&self, t: Time) -> u64 {
        if self.seg_rate == SUM {
            return self.parts_in_segment(t);
        }
        self.bytes_at_seg_start + self.seg_rate.bytes_in(t - self.seg_start)
    }

    /// A sum's bytes: each part rounds on its own segments, so the sum is their total to the
    /// byte. Every part's segment holds `t`: the sum's segments end where any part's does.
    #[inline(never)]
    fn parts_in_segment(&self, t: Time) -> u64 {
        let segments = self.segments.as_deref().expect("a sum has parts");
        segments.parts.iter().map(|p| p.written_in_segment(t)).sum()
    }

    // Rare next to the queries: kept out of the inlined `written_by`.
    #[inline(never)]
    fn next_segment(&mut self, calendar: &Calendar) {
        let end = self.seg_end;
        if self.seg_rate != SUM {
            self.bytes_at_seg_start += self.seg_rate.bytes_in(end - self.seg_start);
        }
        self.make_segment(end, calendar);
    }

    /// Set the segment that starts at `from`.
    fn make_segment(&mut self, from: Time, calendar: &Calendar) {
        let Segments {
            spec,
            rng,
            phase,
            left_ms,
            parts,
        } = self
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
                hours,
            } => {
                let work_only = *hours == BurstHours::Work;
                if work_only && !calendar.is_work_time(from) {
                    // Paused: the base rate until work starts again.
                    (*base, calendar.next_change(from).unwrap_or(Time::MAX))
                } else {
                    if *left_ms == 0 {
                        let rng = rng.as_mut().expect("burst workloads own a stream");
                        *left_ms = if *phase == 1 {
                            let gap = Exp::new(1.0 / (*mean_gap_ms).max(1) as f64)
                                .expect("positive rate")
                                .sample(rng);
                            (gap.ceil() as u64).max(1)
                        } else {
                            let mu = ((*size_median_bytes).max(1) as f64).ln();
                            let size = LogNormal::new(mu, *size_sigma)
                                .expect("validated sigma")
                                .sample(rng);
                            let size = size.min(1e15) as u64;
                            burst_rate.millis_for(size.max(1)).unwrap_or(1).max(1)
                        };
                        *phase ^= 1;
                    }
                    let rate = if *phase == 1 {
                        ByteRate(base.0 + burst_rate.0)
                    } else {
                        *base
                    };
                    let mut end = from.saturating_add(*left_ms);
                    if work_only {
                        // Work time has a next change: it is not work time forever.
                        end = end.min(calendar.next_change(from).unwrap_or(Time::MAX));
                    }
                    *left_ms = left_ms.saturating_sub(end - from);
                    (rate, end)
                }
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
            WorkloadSpec::Sum { .. } => {
                // The parts move to `from`; the sum's segment ends at the first part's end,
                // so its boundaries are the union of the parts'.
                let mut end = Time::MAX;
                for p in parts.iter_mut() {
                    p.written_by(from, calendar);
                    end = end.min(p.seg_end);
                }
                (SUM, end)
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
            hours: BurstHours::Always,
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
            hours: BurstHours::Always,
        };
        let work_bursts = WorkloadSpec::Bursts {
            base: ByteRate(1_500),
            burst_rate: ByteRate(9_000_333),
            mean_gap_ms: 30_000,
            size_median_bytes: 40_000,
            size_sigma: 0.8,
            hours: BurstHours::Work,
        };
        let sum = WorkloadSpec::Sum {
            parts: vec![
                work_bursts.clone(),
                WorkloadSpec::Constant {
                    rate: ByteRate(2_333),
                },
            ]
            .into(),
        };
        let office = WorkloadSpec::OfficeHours {
            peak: ByteRate::from_bytes_per_s(11),
            base: ByteRate::from_bytes_per_s(1),
        };
        // Across 08:00, where the work-hours bursts (alone and in a sum) start.
        let mut disks = vec![
            DiskWrites::new(bursts, &c, rng()),
            DiskWrites::new(office, &c, rng()),
            DiskWrites::new(work_bursts, &c, rng()),
            DiskWrites::new(sum, &c, rng()),
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
        for extra in [0, 1, 999, 123_457, 400_000, 2_000_000, 5_000_000, 9_000_000] {
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

#[cfg(test)]
mod office_bursts_and_sums {
    use super::*;
    use crate::engine::RngStreams;

    const H: Time = 3_600_000;
    const DAY: Time = 24 * H;

    fn rng() -> ChaCha8Rng {
        RngStreams::new(1).stream("test")
    }

    /// Base 1 MB/s; bursts at 100 MB/s of lognormal size (median 600 MB, sigma 0.5) after
    /// exponential gaps of mean 20 s, in work hours only.
    fn work_bursts() -> WorkloadSpec {
        WorkloadSpec::Bursts {
            base: ByteRate::from_bytes_per_s(1_000_000),
            burst_rate: ByteRate::from_bytes_per_s(100_000_000),
            mean_gap_ms: 20_000,
            size_median_bytes: 600_000_000,
            size_sigma: 0.5,
            hours: BurstHours::Work,
        }
    }

    #[test]
    fn work_hours_bursts_are_the_base_outside_work_hours_and_the_renewal_mean_inside() {
        // Four weeks from Monday 00:00, work Mon-Fri 08:00-18:00: 20 work days of 10 h.
        let c = Calendar::test_monday(0);
        let mut w = DiskWrites::new(work_bursts(), &c, rng());
        let end = 28 * DAY;
        let (mut t, mut at_t) = (0, 0);
        let (mut work_ms, mut work_bytes) = (0u64, 0u64);
        while t < end {
            let next = c
                .next_change(t)
                .expect("the calendar has work days")
                .min(end);
            let at_next = w.written_by(next, &c);
            if c.is_work_time(t) {
                work_ms += next - t;
                work_bytes += at_next - at_t;
            } else {
                // Outside work hours exactly the base: 1 MB/s is 1,000 bytes a millisecond.
                assert_eq!(at_next - at_t, 1_000 * (next - t), "off period at {t}");
            }
            (t, at_t) = (next, at_next);
        }
        assert_eq!(work_ms, 20 * 10 * H);

        // The expectation the implementation draws from, in ms. A gap is ceil(X), X
        // exponential of mean m: geometric, E = 1 / (1 - e^(-1/m)) = 20,000.5 ms. A burst of
        // S bytes lasts ceil(S / 100,000) ms (100 MB/s is 100,000 B/ms): E[S]/1e5 + 0.5, with
        // E[S] = 600 MB * e^(sigma^2/2) = 679.8 MB, so E[D] = 6,799.0 ms.
        let m = 20_000.0_f64;
        let e_gap = 1.0 / (1.0 - (-1.0 / m).exp());
        let e_size = 600e6 * (0.5f64 * 0.5 / 2.0).exp();
        let e_burst = e_size / 1e5 + 0.5;
        let cycle = e_burst + e_gap;
        let p = e_burst / cycle;
        // In work hours: base + burst_rate * p = 1 MB/s + 100 MB/s * 0.2537 = 26.37 MB/s.
        let expected = 1e6 + 1e8 * p;
        let mean = work_bytes as f64 / (work_ms as f64 / 1000.0);
        // Tolerance: the share of time in bursts over N = 720,000 s / 26.8 s = 26,866 cycles
        // has (delta method) sd = sqrt(((1-p)^2 Var D + p^2 Var G) / N) / E[cycle]
        // = 0.0013, i.e. 131 kB/s of the mean (Var D = (E[S]/1e5)^2 (e^(sigma^2) - 1),
        // Var G = m^2). Four sd: 524 kB/s, 2% of the mean.
        let n = work_ms as f64 / cycle;
        let var_d = (e_size / 1e5).powi(2) * ((0.5f64 * 0.5).exp() - 1.0);
        let var_g = m * m;
        let sd_p = (((1.0 - p).powi(2) * var_d + p * p * var_g) / n).sqrt() / cycle;
        let tolerance = 4.0 * 1e8 * sd_p;
        assert!(
            (500_000.0..550_000.0).contains(&tolerance),
            "tolerance {tolerance}"
        );
        assert!(
            (mean - expected).abs() < tolerance,
            "mean {mean:.0} B/s in work hours, expected {expected:.0} +- {tolerance:.0}"
        );
    }

    #[test]
    fn bursts_at_any_hour_run_through_the_night() {
        // The same process with `hours = "always"` writes more than the base at night.
        let c = Calendar::test_monday(0);
        let mut spec = work_bursts();
        if let WorkloadSpec::Bursts { hours, .. } = &mut spec {
            *hours = BurstHours::Always;
        }
        let mut w = DiskWrites::new(spec, &c, rng());
        // Monday 00:00-08:00: 8 h of base alone would be 28.8 GB.
        assert!(w.written_by(8 * H, &c) > 28_800_000_000 * 2);
    }

    /// A sum of an office-hours profile, work-hours bursts, a constant and a trace, with
    /// rates that do not divide a millisecond evenly, so the parts round differently.
    fn parts() -> Vec<WorkloadSpec> {
        vec![
            WorkloadSpec::OfficeHours {
                peak: ByteRate(11_000_777),
                base: ByteRate(1_333),
            },
            WorkloadSpec::Bursts {
                base: ByteRate(777),
                burst_rate: ByteRate(90_000_333),
                mean_gap_ms: 600_000,
                size_median_bytes: 5_000_000,
                size_sigma: 1.0,
                hours: BurstHours::Work,
            },
            WorkloadSpec::Constant {
                rate: ByteRate(2_333),
            },
            WorkloadSpec::Trace {
                points: vec![(H + 1, ByteRate(4_999)), (30 * H + 7, ByteRate(123))].into(),
            },
        ]
    }

    /// The instants a cursor's segments end, up to `until`.
    fn boundaries(mut w: DiskWrites, c: &Calendar, until: Time) -> Vec<Time> {
        let mut out = Vec::new();
        while w.seg_end < until {
            out.push(w.seg_end);
            w.written_by(w.seg_end, c);
        }
        out
    }

    #[test]
    fn a_sum_writes_its_parts_bytes_to_the_byte() {
        let c = Calendar::test_monday(7);
        let sum = WorkloadSpec::Sum {
            parts: parts().into(),
        };
        let mut s = DiskWrites::new(sum, &c, rng());
        let mut each: Vec<DiskWrites> = parts()
            .into_iter()
            .enumerate()
            .map(|(k, p)| DiskWrites::new(p, &c, part_stream(&rng(), k)))
            .collect();
        // Three days every 997 ms: crosses every kind of segment edge at odd offsets.
        let mut t = 0;
        let mut bursts_wrote = 0;
        while t < 3 * DAY {
            let parts: Vec<u64> = each.iter_mut().map(|w| w.written_by(t, &c)).collect();
            assert_eq!(s.written_by(t, &c), parts.iter().sum::<u64>(), "at {t}");
            bursts_wrote = parts[1];
            t += 997;
        }
        // The bursts did burst (more than their base of 0.777 B/s alone).
        assert!(bursts_wrote > 1_000_000, "{bursts_wrote}");
    }

    #[test]
    fn a_sum_ends_its_segments_where_its_parts_do_and_nowhere_else() {
        let c = Calendar::test_monday(7);
        let until = 3 * DAY;
        let sum = WorkloadSpec::Sum {
            parts: parts().into(),
        };
        let mut union: Vec<Time> = parts()
            .into_iter()
            .enumerate()
            .flat_map(|(k, p)| {
                boundaries(DiskWrites::new(p, &c, part_stream(&rng(), k)), &c, until)
            })
            .collect();
        union.sort_unstable();
        union.dedup();
        assert_eq!(
            boundaries(DiskWrites::new(sum, &c, rng()), &c, until),
            union
        );
        // Office hours alone change 6 times in three days from Monday 07:00.
        assert!(union.len() > 6);
    }

    #[test]
    fn a_stopped_sum_writes_nothing_and_resumes_with_its_parts() {
        let c = Calendar::test_monday(7);
        let spec = WorkloadSpec::Sum {
            parts: parts().into(),
        };
        let mut s = DiskWrites::new(spec.clone(), &c, rng());
        let mut reference = DiskWrites::new(spec, &c, rng());
        s.stop(2 * H, &c);
        let at_stop = reference.written_by(2 * H, &c);
        assert_eq!(s.written_by(5 * H, &c), at_stop);
        s.restart(5 * H, &c);
        // From the restart on, it writes what the schedule writes.
        let skipped = reference.written_by(5 * H, &c) - at_stop;
        assert_eq!(
            s.written_by(9 * H, &c),
            reference.written_by(9 * H, &c) - skipped
        );
    }
}
