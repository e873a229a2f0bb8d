//! The byte books of every VM (domain.md section 9): guest writes read from the disk cursors;
//! the open log, the log in flight, the log waiting to be merged; applied, discarded and lost
//! bytes; the IR snapshot's copy-on-write space; the marks the 50% rule and a resync's
//! checksums count from. Every move of bytes between those books happens here, so byte
//! conservation is checked in one place ([`Books::conserves`]).
//!
//! Layout: a VM's books live in three places, so that a replication cycle touches little
//! memory: [`HotBooks`] inside the world's hot per-VM state, [`ColdBooks`] inside its cold
//! state, and the disk cursors and marks of all VMs in one [`Disks`] (VM after VM). A
//! [`Books`] borrows the three together for one VM.

use crate::engine::Time;
use crate::model::calendar::Calendar;
use crate::model::workload::{first_time_reaching, DiskWrites};
use crate::model::{Policy, ResyncBasis, VmSpec};
use crate::sim::resync;

/// What a VM is sending now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Transfer {
    /// Initial replication of one disk's used bytes.
    Disk { bytes: u64 },
    /// A closed log, with the instant it was closed (its recovery point).
    Log { bytes: u64, closed_at: Time },
    /// A resync's differing blocks (or a failback's download).
    Blocks { bytes: u64 },
}

/// A log that has arrived at the target and waits to be applied (merged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ArrivedLog {
    pub(super) bytes: u64,
    pub(super) closed_at: Time,
}

/// Cumulative guest writes of one disk at three instants the books need.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct DiskMarks {
    /// When the open log was opened.
    log_open: u64,
    /// Where the pending (logged, not applied) bytes begin: the 50% rule's base.
    pending_base: u64,
    /// The target's last consistent state: what a resync's checksums compare against.
    good: u64,
}

/// Every VM's disk cursors and marks, VM after VM: one allocation each, walked in VM order.
#[derive(Default)]
pub(super) struct Disks {
    cursors: Vec<DiskWrites>,
    marks: Vec<DiskMarks>,
}

/// The books a replication cycle touches (hot).
#[derive(Debug)]
pub(super) struct HotBooks {
    /// This VM's disks are `Disks::cursors[disks.0 .. disks.0 + disks.1]`.
    disks: (u32, u32),
    /// Writes are being logged now.
    tracking: bool,
    /// The IR snapshot exists (its copy-on-write space holds the bytes written since).
    snapshot_open: bool,
    /// Cumulative guest writes when the current log was opened (or tracking stopped).
    written_at_log_open: u64,
    transfer: Option<Transfer>,
    /// Bytes of `transfer` that have not arrived (all of it until a failure interrupts it).
    transfer_left: u64,
    arrived: Option<ArrivedLog>,
    bytes_replicated: u64,
}

/// The rest of a VM's books (cold).
#[derive(Debug, Default)]
pub(super) struct ColdBooks {
    /// Cumulative guest writes when write tracking first started (IR start or in sync).
    tracking_origin: Option<u64>,
    bytes_initial_copy: u64,
    bytes_discarded: u64,
    bytes_resync_sent: u64,
    /// Writes lost at unplanned failovers.
    bytes_lost: u64,
    /// Cumulative guest writes when the IR snapshot was taken.
    written_at_snapshot: u64,
}

/// A VM's byte totals for its results.
#[derive(Debug, Clone, Copy)]
pub(super) struct ByteTotals {
    pub(super) written: u64,
    pub(super) replicated: u64,
    pub(super) initial_copy: u64,
    pub(super) discarded: u64,
    pub(super) resync_sent: u64,
    pub(super) lost: u64,
}

impl HotBooks {
    pub(super) fn transfer(&self) -> Option<Transfer> {
        self.transfer
    }

    /// Bytes of the transfer in progress that have not arrived.
    pub(super) fn transfer_left(&self) -> u64 {
        self.transfer_left
    }

    /// A transfer was stopped (or failed) with `left` bytes not arrived.
    pub(super) fn interrupted(&mut self, left: u64) {
        self.transfer_left = left;
    }

    /// `bytes` go on the wire now.
    pub(super) fn sending(&mut self, bytes: u64) {
        self.transfer_left = bytes;
    }

    pub(super) fn disk_count(&self) -> u32 {
        self.disks.1
    }

    /// Cumulative guest writes when the open log was opened: what the target holds once
    /// everything closed so far is applied.
    pub(super) fn written_at_log_open(&self) -> u64 {
        self.written_at_log_open
    }

    /// The transfer in progress arrived: a disk copy is done, a log waits to be merged.
    #[inline(always)]
    pub(super) fn arrive(&mut self, cold: &mut ColdBooks) {
        match self.transfer.take() {
            Some(Transfer::Disk { bytes }) => cold.bytes_initial_copy += bytes,
            Some(Transfer::Log { bytes, closed_at }) => {
                self.arrived = Some(ArrivedLog { bytes, closed_at })
            }
            Some(Transfer::Blocks { .. }) => {}
            None => unreachable!("a transfer finished for a VM that sent nothing"),
        }
    }

    /// Send a disk copy or blocks (a log is sent by [`Books::close_log`]).
    pub(super) fn send(&mut self, transfer: Transfer) {
        debug_assert!(!matches!(transfer, Transfer::Log { .. }));
        self.transfer = Some(transfer);
    }

    /// Stop tracking with the VM's writes at `written`: the open log, a log in flight and
    /// one waiting to be merged leave the books (a disk copy in progress is abandoned).
    /// Returns their bytes, for the caller to book as discarded or lost.
    fn stop_tracking(&mut self, written: u64) -> u64 {
        let in_flight = match self.transfer.take() {
            Some(Transfer::Log { bytes, .. }) => bytes,
            _ => 0,
        };
        let arrived = self.arrived.take().map_or(0, |a| a.bytes);
        let gone = (written - self.written_at_log_open) + in_flight + arrived;
        self.written_at_log_open = written;
        self.transfer_left = 0;
        self.tracking = false;
        self.snapshot_open = false;
        gone
    }

    /// How many of log and IR snapshot take space for each byte the VM writes now (0 to 2;
    /// the snapshot's cap at the virtual size is left to the caller).
    #[inline(always)]
    pub(super) fn volume_weight(&self) -> u8 {
        self.tracking as u8 + self.snapshot_open as u8
    }

    /// Writes go on untracked (the VM runs on a side that does not replicate yet); the next
    /// start of tracking, or the end of the run, books them as discarded.
    pub(super) fn pause_tracking(&mut self) {
        self.tracking = false;
    }
}

impl Disks {
    pub(super) fn with_capacity(disks: usize) -> Self {
        Disks {
            cursors: Vec::with_capacity(disks),
            marks: Vec::with_capacity(disks),
        }
    }

    /// Add a VM's disk cursors; its hot books address them.
    pub(super) fn add_vm(&mut self, cursors: impl IntoIterator<Item = DiskWrites>) -> HotBooks {
        let first = self.cursors.len();
        self.cursors.extend(cursors);
        self.marks.resize(self.cursors.len(), DiskMarks::default());
        HotBooks {
            disks: (first as u32, (self.cursors.len() - first) as u32),
            tracking: false,
            snapshot_open: false,
            written_at_log_open: 0,
            transfer: None,
            transfer_left: 0,
            arrived: None,
            bytes_replicated: 0,
        }
    }

    /// One VM's books.
    #[inline(always)]
    pub(super) fn books<'a>(
        &'a mut self,
        hot: &'a mut HotBooks,
        cold: &'a mut ColdBooks,
        calendar: &'a Calendar,
    ) -> Books<'a> {
        let (first, count) = hot.disks;
        let range = first as usize..(first + count) as usize;
        Books {
            cursors: &mut self.cursors[range.clone()],
            marks: &mut self.marks[range],
            hot,
            cold,
            calendar,
        }
    }

    /// The run is over: the cursors go before the results are built, so a large estate
    /// never holds both.
    pub(super) fn release(&mut self) {
        self.cursors = Vec::new();
        self.marks = Vec::new();
    }
}

/// One VM's books, borrowed together.
pub(super) struct Books<'a> {
    hot: &'a mut HotBooks,
    cold: &'a mut ColdBooks,
    cursors: &'a mut [DiskWrites],
    marks: &'a mut [DiskMarks],
    calendar: &'a Calendar,
}

impl Books<'_> {
    /// Cumulative guest writes by `now`.
    // Inlined here and below: on every cycle's path, where the call cost showed.
    #[inline(always)]
    pub(super) fn written(&mut self, now: Time) -> u64 {
        let cal = self.calendar;
        self.cursors
            .iter_mut()
            .map(|d| d.written_by(now, cal))
            .sum()
    }

    /// Cumulative guest writes by `now`, also stored per disk as the open log's start.
    #[inline(always)]
    fn mark_log_open(&mut self, now: Time) -> u64 {
        let cal = self.calendar;
        let mut total = 0;
        for (d, m) in self.cursors.iter_mut().zip(self.marks.iter_mut()) {
            let w = d.written_by(now, cal);
            m.log_open = w;
            total += w;
        }
        total
    }

    /// Set every disk mark to the writes by `now`: the target is taken to hold them (a
    /// clean slate for tracking, or a completed failback download).
    pub(super) fn mark_all(&mut self, now: Time) -> u64 {
        let w = self.mark_log_open(now);
        for m in self.marks.iter_mut() {
            m.pending_base = m.log_open;
            m.good = m.log_open;
        }
        w
    }

    /// Start tracking writes from a clean slate at `now` (initial replication, or in sync):
    /// the first time sets the books' origin; later (after a repaired error, a planned
    /// failover) what was written untracked in between is discarded. Returns the writes by
    /// `now`.
    pub(super) fn start_tracking(&mut self, now: Time) -> u64 {
        let w = self.mark_all(now);
        let (hot, cold) = (&mut *self.hot, &mut *self.cold);
        match cold.tracking_origin {
            Some(_) => cold.bytes_discarded += w - hot.written_at_log_open,
            None => cold.tracking_origin = Some(w),
        }
        hot.tracking = true;
        hot.written_at_log_open = w;
        w
    }

    /// The IR snapshot is taken when the VM had written `written`.
    pub(super) fn open_snapshot(&mut self, written: u64) {
        self.hot.snapshot_open = true;
        self.cold.written_at_snapshot = written;
    }

    pub(super) fn delete_snapshot(&mut self) {
        self.hot.snapshot_open = false;
    }

    /// Close the open log at `now` and send it; returns its bytes.
    #[inline(always)]
    pub(super) fn close_log(&mut self, now: Time) -> u64 {
        let w = self.mark_log_open(now);
        let hot = &mut *self.hot;
        let bytes = w - hot.written_at_log_open;
        hot.written_at_log_open = w;
        hot.transfer = Some(Transfer::Log {
            bytes,
            closed_at: now,
        });
        bytes
    }

    /// The most one disk has written since the open log was opened (azure-to-azure logs).
    pub(super) fn log_disk_max(&mut self, now: Time) -> u64 {
        let cal = self.calendar;
        self.cursors
            .iter_mut()
            .zip(self.marks.iter())
            .map(|(d, m)| d.written_by(now, cal) - m.log_open)
            .max()
            .unwrap_or(0)
    }

    /// The log that arrived is applied: the target holds everything up to the open log.
    #[inline(always)]
    pub(super) fn apply_arrived(&mut self) -> ArrivedLog {
        for m in self.marks.iter_mut() {
            m.pending_base = m.log_open;
            m.good = m.log_open;
        }
        let log = self
            .hot
            .arrived
            .take()
            .expect("a log arrived before its recovery point");
        self.hot.bytes_replicated += log.bytes;
        log
    }

    /// Bytes written and not yet applied at the target: the open log, a log in flight or
    /// waiting to be merged. Zero while tracking is stopped (the logs were dropped).
    pub(super) fn pending(&mut self, now: Time) -> u64 {
        if !self.hot.tracking {
            return 0;
        }
        let w = self.written(now);
        self.pending_given(w)
    }

    fn pending_given(&self, written: u64) -> u64 {
        let hot = &*self.hot;
        let in_flight = match hot.transfer {
            Some(Transfer::Log { bytes, .. }) => bytes,
            _ => 0,
        };
        (written - hot.written_at_log_open) + in_flight + hot.arrived.map_or(0, |a| a.bytes)
    }

    /// [`Books::pending`] and the copy-on-write space of the IR snapshot (at most the VM's
    /// virtual size), from one reading of the disks: what the VM holds on its host volume.
    #[inline(always)]
    pub(super) fn volume(&mut self, now: Time, spec: &VmSpec) -> (u64, u64) {
        if !self.hot.tracking && !self.hot.snapshot_open {
            return (0, 0);
        }
        let w = self.written(now);
        let pending = if self.hot.tracking {
            self.pending_given(w)
        } else {
            0
        };
        let snapshot = if self.hot.snapshot_open {
            // Only here: the virtual size is a sum over the spec's disks, off the hot path.
            (w - self.cold.written_at_snapshot).min(spec.virtual_size())
        } else {
            0
        };
        (pending, snapshot)
    }

    /// The disk cursors whose writes grow this VM's volume use from `now` on, each with its
    /// weight (log, and snapshot until it reaches its cap), pushed onto `into`; returns their
    /// weighted writes by `now`. Nothing is pushed for a VM whose use cannot grow.
    pub(super) fn volume_growth(
        &mut self,
        now: Time,
        spec: &VmSpec,
        into: &mut Vec<(DiskWrites, u64)>,
    ) -> u64 {
        let mut weight = u64::from(self.hot.tracking);
        if self.hot.snapshot_open {
            let w = self.written(now);
            weight += u64::from(w - self.cold.written_at_snapshot < spec.virtual_size());
        }
        if weight == 0 {
            return 0;
        }
        let cal = self.calendar;
        let mut sum = 0u64;
        for d in self.cursors.iter_mut() {
            sum = sum.saturating_add(d.written_by(now, cal).saturating_mul(weight));
            into.push((d.clone(), weight));
        }
        sum
    }

    /// Stop tracking writes and discard the logs: the open one, one in flight or waiting to
    /// be merged. A disk copy in progress is abandoned. Returns the volume use just before
    /// (see [`Books::volume`]), or `None` when nothing was tracked.
    pub(super) fn drop_logs(&mut self, now: Time, spec: &VmSpec) -> Option<(u64, u64)> {
        if !self.hot.tracking {
            return None;
        }
        let before = self.volume(now, spec);
        let w = self.written(now);
        self.cold.bytes_discarded += self.hot.stop_tracking(w);
        Some(before)
    }

    /// Start a resync at `now`: tracking restarts with a fresh log; the blocks that differ
    /// are those the writes since the target's last consistent state touched
    /// (distinct-blocks model). Returns the bytes that differ, in all and on the disk with
    /// the most.
    pub(super) fn begin_resync(&mut self, now: Time, spec: &VmSpec, policy: &Policy) -> (u64, u64) {
        let cal = self.calendar;
        let (mut to_send, mut disk_max, mut w) = (0, 0, 0);
        for ((d, m), disk) in self
            .cursors
            .iter_mut()
            .zip(self.marks.iter_mut())
            .zip(&spec.disks)
        {
            let now_w = d.written_by(now, cal);
            let differ = resync::differing_bytes(
                now_w - m.good,
                disk.hot_region.0,
                policy.resync_block_size,
                disk.size.0,
            );
            to_send += differ;
            disk_max = disk_max.max(differ);
            m.log_open = now_w;
            m.pending_base = now_w;
            w += now_w;
        }
        let hot = &mut *self.hot;
        self.cold.bytes_discarded += w - hot.written_at_log_open;
        hot.written_at_log_open = w;
        hot.tracking = true;
        (to_send, disk_max)
    }

    /// The resync is complete: the target is consistent up to where tracking restarted.
    pub(super) fn resync_complete(&mut self, bytes_sent: u64) {
        for m in self.marks.iter_mut() {
            m.good = m.pending_base;
        }
        self.cold.bytes_resync_sent += bytes_sent;
    }

    /// When the pending bytes reach the 50% rule's threshold if nothing is applied before
    /// (`None`: not before the horizon). The base only rises, so the answer is a lower bound
    /// of the real crossing: exact, and lazily re-checked.
    pub(super) fn threshold_crossing(
        &self,
        now: Time,
        spec: &VmSpec,
        policy: &Policy,
        horizon: Time,
    ) -> Option<Time> {
        let threshold = |size: u64| {
            (u128::from(size) * u128::from(policy.resync_threshold_ppm)).div_ceil(1_000_000) as u64
        };
        let (disks, marks, cal) = (&*self.cursors, &*self.marks, self.calendar);
        match policy.resync_basis {
            ResyncBasis::Vm => {
                let base: u64 = marks.iter().map(|m| m.pending_base).sum();
                let target = base + threshold(spec.virtual_size());
                first_time_reaching(disks, now, target, horizon, cal)
            }
            ResyncBasis::Disk => (0..disks.len())
                .filter_map(|d| {
                    let target = marks[d].pending_base + threshold(spec.disks[d].size.0);
                    first_time_reaching(&disks[d..=d], now, target, horizon, cal)
                })
                .min(),
        }
    }

    /// Whether the pending bytes have reached the 50% rule's threshold at `now`.
    pub(super) fn threshold_reached(&mut self, now: Time, spec: &VmSpec, policy: &Policy) -> bool {
        let ppm = u128::from(policy.resync_threshold_ppm);
        match policy.resync_basis {
            ResyncBasis::Vm => {
                u128::from(self.pending(now)) * 1_000_000 >= u128::from(spec.virtual_size()) * ppm
            }
            ResyncBasis::Disk => {
                let cal = self.calendar;
                self.cursors
                    .iter_mut()
                    .zip(self.marks.iter())
                    .zip(&spec.disks)
                    .any(|((d, m), disk)| {
                        u128::from(d.written_by(now, cal) - m.pending_base) * 1_000_000
                            >= u128::from(disk.size.0) * ppm
                    })
            }
        }
    }

    /// The VM stops writing on this side (shut down, or its site lost).
    pub(super) fn stop_writes(&mut self, now: Time) {
        let cal = self.calendar;
        for d in self.cursors.iter_mut() {
            d.stop(now, cal);
        }
    }

    /// The VM writes again.
    pub(super) fn restart_writes(&mut self, now: Time) {
        let cal = self.calendar;
        for d in self.cursors.iter_mut() {
            d.restart(now, cal);
        }
    }

    /// An unplanned failover: the writes after the chosen point are lost: what was pending,
    /// and `rolled_back` bytes that had been applied after it. Returns the writes by `now`.
    pub(super) fn lose_writes(&mut self, now: Time, rolled_back: u64) -> u64 {
        let w = self.written(now);
        let hot = &mut *self.hot;
        hot.bytes_replicated -= rolled_back.min(hot.bytes_replicated);
        self.cold.bytes_lost += hot.stop_tracking(w) + rolled_back;
        self.shift_good_marks(i128::from(rolled_back));
        w
    }

    /// The failed-over VM runs from another point: `rolled_back` applied bytes are lost
    /// (positive, an older point) or kept again (negative, a newer one).
    pub(super) fn change_point(&mut self, rolled_back: i128) {
        self.cold.bytes_lost = (i128::from(self.cold.bytes_lost) + rolled_back) as u64;
        self.hot.bytes_replicated = (i128::from(self.hot.bytes_replicated) - rolled_back) as u64;
        self.shift_good_marks(rolled_back);
    }

    /// [ours] The target's copy goes back (or forward) by `rolled_back` bytes of writes: the
    /// shift is spread over the disks in proportion to their writes up to the newest point.
    fn shift_good_marks(&mut self, rolled_back: i128) {
        let total: u64 = self.marks.iter().map(|m| m.good).sum();
        if rolled_back == 0 || total == 0 {
            return;
        }
        for m in self.marks.iter_mut() {
            let share = rolled_back * i128::from(m.good) / i128::from(total);
            m.good = (i128::from(m.good) - share).max(0) as u64;
        }
    }

    /// The run ends at `end`: returns the volume use and the writes by then, and books what
    /// was written while tracking was stopped as discarded (the next resync's blocks would
    /// cover it).
    pub(super) fn settle(&mut self, end: Time, spec: &VmSpec) -> ((u64, u64), u64) {
        let volume = self.volume(end, spec);
        let w = self.written(end);
        if !self.hot.tracking && self.cold.tracking_origin.is_some() {
            self.cold.bytes_discarded += w - self.hot.written_at_log_open;
            self.hot.written_at_log_open = w;
        }
        (volume, w)
    }
}

/// domain.md section 9: every byte the logs captured is applied, in flight, waiting to be
/// merged, was discarded for a resync, or was lost at a failover. (Bytes in the open log are
/// the rest of the writes.)
pub(super) fn conserves(hot: &HotBooks, cold: &ColdBooks) -> bool {
    let Some(origin) = cold.tracking_origin else {
        return hot.bytes_replicated == 0;
    };
    let in_flight = match hot.transfer {
        Some(Transfer::Log { bytes, .. }) => bytes,
        _ => 0,
    };
    hot.written_at_log_open - origin
        == hot.bytes_replicated
            + in_flight
            + hot.arrived.map_or(0, |a| a.bytes)
            + cold.bytes_discarded
            + cold.bytes_lost
}

/// A VM's totals, given its writes by the end (see [`Books::settle`]).
pub(super) fn totals(hot: &HotBooks, cold: &ColdBooks, written: u64) -> ByteTotals {
    ByteTotals {
        written: cold.tracking_origin.map_or(0, |s| written - s),
        replicated: hot.bytes_replicated,
        initial_copy: cold.bytes_initial_copy,
        discarded: cold.bytes_discarded,
        resync_sent: cold.bytes_resync_sent,
        lost: cold.bytes_lost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;
    use crate::model::workload::WorkloadSpec;
    use crate::units::ByteRate;

    /// Two 1 GiB disks, all of them in use and written to.
    fn spec() -> VmSpec {
        let disk = crate::model::DiskSpec {
            size: crate::units::Bytes(1 << 30),
            used: crate::units::Bytes(1 << 30),
            shared: false,
            workload: WorkloadSpec::Constant {
                rate: ByteRate::from_bytes_per_s(0),
            },
            hot_region: crate::units::Bytes(1 << 30),
        };
        VmSpec {
            name: "vm".into(),
            host: 0,
            generation: 2,
            protect_at: 0,
            protected_at_start: false,
            protect_after: None,
            batch: None,
            first_tick: None,
            boot_time: 0,
            prepare_time: 0,
            shutdown_time: 0,
            network: None,
            high_churn: None,
            disks: vec![disk.clone(), disk],
        }
    }

    /// One VM with two disks writing 1,000 and 3,000 bytes per second.
    fn one_vm() -> (Disks, HotBooks, ColdBooks, Calendar) {
        let cal =
            Calendar::default_from(crate::scenario::parse_datetime("2026-11-23T00:00").unwrap());
        let streams = RngStreams::new(1);
        let mut disks = Disks::with_capacity(2);
        let hot = disks.add_vm([1_000, 3_000].map(|bps| {
            let spec = WorkloadSpec::Constant {
                rate: ByteRate::from_bytes_per_s(bps),
            };
            DiskWrites::new(spec, &cal, streams.stream("d"))
        }));
        (disks, hot, ColdBooks::default(), cal)
    }

    #[test]
    fn a_cycle_moves_bytes_from_the_open_log_to_applied() {
        let (mut disks, mut hot, mut cold, cal) = one_vm();
        let mut books = disks.books(&mut hot, &mut cold, &cal);
        assert_eq!(books.start_tracking(0), 0);
        // 10 s of writes: 40,000 bytes in the open log.
        assert_eq!(books.pending(10_000), 40_000);
        assert_eq!(books.close_log(10_000), 40_000);
        assert_eq!(books.log_disk_max(10_000), 0, "the new log is empty");
        // In flight, still pending; 5 s later the open log holds 20,000 more.
        assert_eq!(books.pending(15_000), 60_000);
        books.hot.arrive(books.cold);
        let log = books.apply_arrived();
        assert_eq!((log.bytes, log.closed_at), (40_000, 10_000));
        assert_eq!(books.pending(15_000), 20_000);
        assert!(conserves(books.hot, books.cold));
        let totals = totals(books.hot, books.cold, 60_000);
        assert_eq!((totals.written, totals.replicated), (60_000, 40_000));
    }

    #[test]
    fn dropped_logs_are_discarded_and_books_still_balance() {
        let (mut disks, mut hot, mut cold, cal) = one_vm();
        let spec = spec();
        let mut books = disks.books(&mut hot, &mut cold, &cal);
        books.start_tracking(0);
        books.close_log(10_000);
        // The log in flight and 2 s of open log are dropped: the volume held 48,000 bytes.
        assert_eq!(books.drop_logs(12_000, &spec), Some((48_000, 0)));
        assert_eq!(books.pending(20_000), 0, "nothing is tracked any more");
        assert_eq!(books.drop_logs(20_000, &spec), None);
        assert!(conserves(books.hot, books.cold));
        // At the end the untracked writes since the drop count as discarded too.
        let (_, w) = books.settle(30_000, &spec);
        let t = totals(books.hot, books.cold, w);
        assert_eq!(
            (t.written, t.replicated, t.discarded),
            (120_000, 0, 120_000)
        );
    }

    #[test]
    fn conservation_fails_when_a_byte_goes_missing() {
        let (mut disks, mut hot, mut cold, cal) = one_vm();
        let mut books = disks.books(&mut hot, &mut cold, &cal);
        books.start_tracking(0);
        books.close_log(10_000);
        assert!(conserves(books.hot, books.cold));
        books.hot.bytes_replicated += 1;
        assert!(!conserves(books.hot, books.cold));
    }

    #[test]
    fn a_resync_sends_the_distinct_blocks_since_the_last_consistent_state() {
        let (mut disks, mut hot, mut cold, cal) = one_vm();
        let spec = spec();
        let mut books = disks.books(&mut hot, &mut cold, &cal);
        books.start_tracking(0);
        books.drop_logs(10_000, &spec);
        let policy = crate::model::Policy::default_named("p");
        let (to_send, disk_max) = books.begin_resync(10_000, &spec, &policy);
        // 10,000 and 30,000 bytes written since, each within one block of its disk.
        let block = policy.resync_block_size;
        assert_eq!((to_send, disk_max), (2 * block, block));
        books.resync_complete(to_send);
        assert!(conserves(books.hot, books.cold));
    }
}
