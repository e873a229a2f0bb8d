//! A shared link: max-min fair sharing among concurrent transfers with a uniform per-transfer
//! cap, in exact integer arithmetic.
//!
//! With one cap for every transfer on a link, max-min fair sharing gives every active transfer
//! the same rate `r = min(cap, C / n)`. So the link keeps one *virtual time* `V`: the service
//! each active transfer has received since the link started (processor sharing). A transfer of
//! `b` bytes that starts when `V = v0` finishes when `V` reaches its finish tag `v0 + b`; tags
//! sit in a min-heap. A change (start, finish, capacity change) advances `V`, then at most one
//! heap operation follows: O(log n) per change, whatever the estate's size.
//!
//! Units: rates in milli-bytes/s times milliseconds give micro-bytes (µB), so `V` and tags are
//! `u128` µB and every step is exact. Service per step is rounded down (capacity is never
//! exceeded) and completion times are rounded up to the next millisecond (a transfer never
//! finishes early).

use crate::engine::Time;
use crate::units::ByteRate;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Micro-bytes per byte.
const UB_PER_B: u128 = 1_000_000;

/// `a / b`, through u64 division when both fit (a u128 division is a slow library call).
fn div(a: u128, b: u128) -> u128 {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(a), Ok(b)) => u128::from(a / b),
        _ => a / b,
    }
}

/// `ceil(a / b)`, as [`div`].
fn div_ceil(a: u128, b: u128) -> u128 {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(a), Ok(b)) => u128::from(a.div_ceil(b)),
        _ => a.div_ceil(b),
    }
}

/// Identifies a transfer's owner on a link (the simulation uses the VM's index).
pub type FlowId = u32;

/// `FairLink::finish_tags` of a flow with no transfer.
const NO_TRANSFER: u128 = u128::MAX;

/// What a link carries, for the invariant checker ([`FairLink::load`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    pub capacity: ByteRate,
    /// The sum of the rates its active transfers get now.
    pub allocated: ByteRate,
    /// Payload delivered since the link started, and what its capacity could have carried in
    /// that time (both rounded down).
    pub delivered_bytes: u64,
    pub offered_bytes: u64,
}

/// One link's fair-sharing state.
#[derive(Debug, Clone)]
pub struct FairLink {
    capacity: ByteRate,
    per_flow_cap: Option<ByteRate>,
    vtime_ub: u128,
    last_update: Time,
    /// (finish tag, start order, flow): ties finish in start order.
    finish: BinaryHeap<Reverse<(u128, u64, FlowId)>>,
    /// Per flow, the finish tag of its transfer or `NO_TRANSFER`: 16 bytes per flow (the
    /// simulation's flows are VMs; each transfer's start and end writes its slot). The bytes
    /// left follow from the tag alone: `ceil((tag - V) / 1 B)`.
    finish_tags: Vec<u128>,
    active: u64,
    started: u64,
    /// Payload delivered so far, in µB: completed transfers plus progress of active ones.
    delivered_ub: u128,
    /// Integral of capacity over time, in µB.
    offered_ub: u128,
    /// Time during which the link had at least one transfer and no spare capacity.
    saturated_ms: u64,
}

impl FairLink {
    pub fn new(capacity: ByteRate, per_flow_cap: Option<ByteRate>) -> Self {
        FairLink {
            capacity,
            per_flow_cap,
            vtime_ub: 0,
            last_update: 0,
            finish: BinaryHeap::new(),
            finish_tags: Vec::new(),
            active: 0,
            started: 0,
            delivered_ub: 0,
            offered_ub: 0,
            saturated_ms: 0,
        }
    }

    pub fn capacity(&self) -> ByteRate {
        self.capacity
    }

    pub fn active_flows(&self) -> u64 {
        self.active
    }

    /// Bring the virtual time up to `now`.
    // Inlined: every start, completion and capacity change begins here.
    #[inline(always)]
    pub fn advance(&mut self, now: Time) {
        debug_assert!(now >= self.last_update);
        let dt = u128::from(now - self.last_update);
        if dt == 0 {
            return;
        }
        let cap_total = u128::from(self.capacity.0) * dt;
        self.offered_ub += cap_total;
        if self.active > 0 {
            let n = u128::from(self.active);
            // One transfer (common): no division, which showed as one of the slowest
            // instructions of the engine loop.
            let fair = if n == 1 { cap_total } else { div(cap_total, n) };
            let service = match self.per_flow_cap {
                Some(cap) => fair.min(u128::from(cap.0) * dt),
                None => fair,
            };
            self.vtime_ub += service;
            self.delivered_ub += service * n;
            if service == fair {
                self.saturated_ms += now - self.last_update;
            }
        }
        self.last_update = now;
    }

    /// Start a transfer of `size_bytes` for `flow` at `now`. A flow has at most one transfer.
    // Inlined (as `take_finished`): once per transfer, and the call cost showed.
    #[inline(always)]
    pub fn start(&mut self, now: Time, flow: FlowId, size_bytes: u64) {
        self.advance(now);
        let idx = flow as usize;
        if self.finish_tags.len() <= idx {
            self.finish_tags.resize(idx + 1, NO_TRANSFER);
        }
        debug_assert!(
            self.finish_tags[idx] == NO_TRANSFER,
            "flow {flow} already transferring"
        );
        let tag = self.vtime_ub + u128::from(size_bytes) * UB_PER_B;
        self.finish_tags[idx] = tag;
        self.finish.push(Reverse((tag, self.started, flow)));
        self.started += 1;
        self.active += 1;
    }

    /// Change the capacity at `now` (throttle schedule, outage, degradation).
    pub fn set_capacity(&mut self, now: Time, capacity: ByteRate) {
        self.advance(now);
        self.capacity = capacity;
    }

    /// Advance to `now` and move every finished transfer's flow into `done`, in finish order.
    #[inline(always)]
    pub fn take_finished(&mut self, now: Time, done: &mut Vec<FlowId>) {
        self.advance(now);
        while let Some(&Reverse((tag, _, flow))) = self.finish.peek() {
            if tag > self.vtime_ub {
                break;
            }
            self.finish.pop();
            self.finish_tags[flow as usize] = NO_TRANSFER;
            self.active -= 1;
            // The last step may have served this flow past its size: that surplus was never
            // sent, so it does not count as delivered.
            self.delivered_ub -= self.vtime_ub - tag;
            done.push(flow);
        }
    }

    /// When the next transfer finishes if nothing changes, rounded up to the millisecond;
    /// `None` if nothing is active or the capacity is zero.
    pub fn next_finish(&self) -> Option<Time> {
        let &Reverse((tag, _, _)) = self.finish.peek()?;
        let left = tag.saturating_sub(self.vtime_ub);
        if left == 0 {
            return Some(self.last_update);
        }
        let n = u128::from(self.active);
        let c = u128::from(self.capacity.0);
        if c == 0 {
            return None;
        }
        // Smallest dt with floor(c*dt/n) >= left, i.e. c*dt >= n*left.
        let mut dt = div_ceil(n * left, c);
        if let Some(cap) = self.per_flow_cap {
            if cap.0 == 0 {
                return None;
            }
            dt = dt.max(div_ceil(left, u128::from(cap.0)));
        }
        Some(self.last_update + dt as Time)
    }

    /// Advance to `now` and end every active transfer unfinished (the link went down): each
    /// flow with the bytes it had not delivered goes into `failed`, in start order.
    pub fn fail_all(&mut self, now: Time, failed: &mut Vec<(FlowId, u64)>) {
        self.advance(now);
        let mut flows: Vec<(u64, FlowId)> = self
            .finish
            .drain()
            .map(|Reverse((_, order, f))| (order, f))
            .collect();
        flows.sort_unstable();
        for (_, flow) in flows {
            let left = self.remaining_bytes(flow);
            self.finish_tags[flow as usize] = NO_TRANSFER;
            failed.push((flow, left));
        }
        self.active = 0;
    }

    /// Advance to `now` and stop `flow`'s transfer unfinished (paused, or its host failed):
    /// returns the bytes it had not delivered, `None` if it had no transfer. O(n) in the
    /// active transfers: stops are rare next to starts and finishes.
    pub fn stop(&mut self, now: Time, flow: FlowId) -> Option<u64> {
        self.advance(now);
        self.finish_tag(flow)?;
        let left = self.remaining_bytes(flow);
        self.finish_tags[flow as usize] = NO_TRANSFER;
        self.finish.retain(|Reverse((_, _, f))| *f != flow);
        self.active -= 1;
        Some(left)
    }

    fn finish_tag(&self, flow: FlowId) -> Option<u128> {
        let tag = *self.finish_tags.get(flow as usize)?;
        (tag != NO_TRANSFER).then_some(tag)
    }

    /// Bytes of `flow`'s transfer still to send (0 if it has none). Call after `advance`.
    /// A transfer of `b` bytes started at `V0` has been sent `floor((V - V0) / 1 B)`; with
    /// its tag `T = V0 + b`, what is left is `b` minus that: `ceil((T - V) / 1 B)`.
    pub fn remaining_bytes(&self, flow: FlowId) -> u64 {
        match self.finish_tag(flow) {
            Some(tag) => div_ceil(tag.saturating_sub(self.vtime_ub), UB_PER_B) as u64,
            None => 0,
        }
    }

    /// Payload bytes delivered so far (rounded down). Call after `advance`.
    pub fn delivered_bytes(&self) -> u64 {
        div(self.delivered_ub, UB_PER_B) as u64
    }

    /// Bytes the link could have carried so far at its capacity.
    pub fn offered_bytes(&self) -> u64 {
        div(self.offered_ub, UB_PER_B) as u64
    }

    pub fn saturated_ms(&self) -> u64 {
        self.saturated_ms
    }

    /// What the link carries, as of its last update (read-only: it does not advance). Each
    /// active transfer gets `min(capacity / n, per-flow cap)`, rounded down as [`advance`]
    /// serves it.
    ///
    /// [`advance`]: FairLink::advance
    pub fn load(&self) -> Load {
        let each = match self.active {
            0 => 0,
            n => {
                let fair = self.capacity.0 / n;
                self.per_flow_cap.map_or(fair, |cap| fair.min(cap.0))
            }
        };
        Load {
            capacity: self.capacity,
            allocated: ByteRate(each.saturating_mul(self.active)),
            delivered_bytes: self.delivered_bytes(),
            offered_bytes: self.offered_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finish_all(link: &mut FairLink) -> Vec<(Time, FlowId)> {
        let mut out = vec![];
        let mut done = vec![];
        while let Some(t) = link.next_finish() {
            link.take_finished(t, &mut done);
            out.extend(done.drain(..).map(|f| (t, f)));
        }
        out
    }

    #[test]
    fn one_flow_takes_size_over_capacity_rounded_up() {
        // 1000 B/s, 1500 B -> 1.5 s exactly.
        let mut l = FairLink::new(ByteRate::from_bytes_per_s(1000), None);
        l.start(0, 0, 1500);
        assert_eq!(finish_all(&mut l), vec![(1500, 0)]);
        assert_eq!(l.delivered_bytes(), 1500);
        // 3 B/s, 10 B -> 3333.33 ms -> 3334 ms.
        let mut l = FairLink::new(ByteRate::from_bytes_per_s(3), None);
        l.start(0, 7, 10);
        assert_eq!(finish_all(&mut l), vec![(3334, 7)]);
        assert_eq!(l.delivered_bytes(), 10);
    }

    #[test]
    fn processor_sharing_by_hand() {
        // 100 B/s shared: A=100 B at 0, B=300 B at 0. Each gets 50 B/s: A done at 2 s
        // (B has 200 left), then B alone at 100 B/s: done at 4 s.
        let mut l = FairLink::new(ByteRate::from_bytes_per_s(100), None);
        l.start(0, 0, 100);
        l.start(0, 1, 300);
        assert_eq!(finish_all(&mut l), vec![(2000, 0), (4000, 1)]);
        assert_eq!(l.delivered_bytes(), 400);
        assert_eq!(l.offered_bytes(), 400);
        assert_eq!(l.saturated_ms(), 4000);
    }

    #[test]
    fn per_flow_cap_limits_a_lone_flow() {
        let mut l = FairLink::new(
            ByteRate::from_bytes_per_s(100),
            Some(ByteRate::from_bytes_per_s(25)),
        );
        l.start(0, 0, 100);
        l.start(0, 1, 100);
        // Each capped at 25 B/s although 50 B/s each is available.
        assert_eq!(finish_all(&mut l), vec![(4000, 0), (4000, 1)]);
        assert_eq!(l.saturated_ms(), 0);
    }

    #[test]
    fn capacity_change_mid_transfer() {
        let mut l = FairLink::new(ByteRate::from_bytes_per_s(100), None);
        l.start(0, 0, 1000);
        l.set_capacity(5000, ByteRate::from_bytes_per_s(50)); // 500 B left at 50 B/s
        assert_eq!(l.remaining_bytes(0), 500);
        assert_eq!(finish_all(&mut l), vec![(15000, 0)]);
    }

    #[test]
    fn what_is_left_counts_only_whole_bytes_sent() {
        // 3 B/s, 10 B: after 334 ms 1.002 B were served (1 whole byte), after 3,333 ms
        // 9.999 B (9), after 3,334 ms all of it.
        let mut l = FairLink::new(ByteRate::from_bytes_per_s(3), None);
        l.start(0, 0, 10);
        for (t, left) in [(1, 10), (333, 10), (334, 9), (3333, 1)] {
            l.advance(t);
            assert_eq!(l.remaining_bytes(0), left, "at {t} ms");
        }
        assert_eq!(l.stop(3333, 0), Some(1));
        assert_eq!(l.remaining_bytes(0), 0);
        assert_eq!(l.stop(3334, 0), None);
    }

    #[test]
    fn a_failed_link_reports_what_each_transfer_had_left() {
        let mut l = FairLink::new(ByteRate::from_bytes_per_s(100), None);
        l.start(0, 4, 1000);
        l.start(0, 2, 300);
        let mut failed = vec![];
        l.fail_all(4000, &mut failed); // 200 B each so far
        assert_eq!(failed, vec![(4, 800), (2, 100)]);
        assert_eq!(l.active_flows(), 0);
        assert_eq!(l.next_finish(), None);
        assert_eq!(l.delivered_bytes(), 400);
        l.start(4000, 4, 800);
        assert_eq!(l.next_finish(), Some(12_000));
    }

    #[test]
    fn a_stopped_transfer_frees_its_share() {
        // 100 B/s shared by two 1000 B transfers; flow 1 stops at 4 s (200 B sent), flow 0
        // then has the link alone: 800 B left at 100 B/s -> done at 12 s.
        let mut l = FairLink::new(ByteRate::from_bytes_per_s(100), None);
        l.start(0, 0, 1000);
        l.start(0, 1, 1000);
        assert_eq!(l.stop(4000, 1), Some(800));
        assert_eq!(l.stop(4000, 1), None, "a second stop finds nothing");
        assert_eq!(l.active_flows(), 1);
        assert_eq!(finish_all(&mut l), vec![(12_000, 0)]);
        l.start(12_000, 1, 800);
        assert_eq!(finish_all(&mut l), vec![(20_000, 1)]);
    }

    #[test]
    fn load_sums_the_fair_shares_and_the_bytes_so_far() {
        // 100 B/s among 3: 33.333 B/s each, rounded down to the mB/s.
        let mut l = FairLink::new(ByteRate::from_bytes_per_s(100), None);
        assert_eq!(l.load().allocated, ByteRate(0));
        for f in 0..3 {
            l.start(0, f, 1000);
        }
        l.advance(3000);
        let load = l.load();
        assert_eq!(load.capacity, ByteRate(100_000));
        assert_eq!(load.allocated, ByteRate(99_999));
        assert_eq!((load.delivered_bytes, load.offered_bytes), (300, 300));
        // A per-flow cap of 25 B/s leaves a quarter idle.
        let mut l = FairLink::new(
            ByteRate::from_bytes_per_s(100),
            Some(ByteRate::from_bytes_per_s(25)),
        );
        l.start(0, 0, 1000);
        l.start(0, 1, 1000);
        l.start(0, 2, 1000);
        l.advance(1000);
        let load = l.load();
        assert_eq!(load.allocated, ByteRate::from_bytes_per_s(75));
        assert_eq!((load.delivered_bytes, load.offered_bytes), (75, 100));
    }

    #[test]
    fn zero_capacity_never_finishes_and_zero_bytes_finish_at_once() {
        let mut l = FairLink::new(ByteRate(0), None);
        l.start(10, 0, 5);
        assert_eq!(l.next_finish(), None);
        let mut l = FairLink::new(ByteRate::from_bytes_per_s(1), None);
        l.advance(10);
        l.start(10, 3, 0);
        assert_eq!(finish_all(&mut l), vec![(10, 3)]);
    }

    #[test]
    fn never_early_never_over_capacity_with_awkward_rates() {
        // 7 flows of prime sizes on a 13 B/s link started at different times: each finishes
        // no earlier than its fluid-model time, and delivered never exceeds offered.
        let mut l = FairLink::new(ByteRate::from_bytes_per_s(13), None);
        let mut done = vec![];
        let sizes = [17u64, 19, 23, 29, 31, 37, 41];
        let mut t = 0;
        for (i, s) in sizes.iter().enumerate() {
            l.take_finished(t, &mut done);
            l.start(t, i as FlowId, *s);
            assert!(l.delivered_bytes() <= l.offered_bytes());
            t += 333;
        }
        let out = finish_all(&mut l);
        assert_eq!(out.len() + done.len(), 7);
        assert_eq!(l.delivered_bytes(), sizes.iter().sum::<u64>());
        assert!(l.delivered_bytes() <= l.offered_bytes());
        // Total work 197 B at 13 B/s needs at least 15.15 s from t=0.
        assert!(out.last().unwrap().0 >= 15_154);
    }
}
