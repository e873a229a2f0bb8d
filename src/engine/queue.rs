//! The event queue: a binary heap keyed by `(time, class, sequence)`, plus sorted lanes.
//!
//! A *lane* is a FIFO of events of one class kept in key order: an event scheduled into a
//! lane joins its back when its key is not below the back's (always so for events a fixed
//! delay ahead, such as periodic cycle ticks, since the clock never goes back), and goes into
//! the heap otherwise. Pushing and popping a lane is O(1) instead of O(log n). `pop` takes the
//! smallest key among the heap's top and the lanes' fronts, so the order of events is exactly
//! the order one heap would give; lanes only make the common, nearly periodic cases cheaper.

use super::Time;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// The priority class of an event among events at the same instant: lower runs first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Class(pub u8);

/// Sequence numbers take the low 56 bits of the key; a run would need 7 * 10^16 events to
/// wrap, far beyond any horizon drsim accepts.
const SEQ_BITS: u32 = 56;

#[derive(Clone, Copy)]
struct Entry<E> {
    /// `time << 64 | class << 56 | sequence`: one integer compare orders the queue.
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse so the smallest key pops first.
        other.key.cmp(&self.key)
    }
}

#[inline(always)]
fn make_key(time: Time, class: Class, seq: u64) -> u128 {
    debug_assert!(seq < 1 << SEQ_BITS);
    (u128::from(time) << 64) | (u128::from(class.0) << SEQ_BITS) | u128::from(seq)
}

/// Names a sorted lane of a queue (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lane(usize);

struct LaneQueue<E> {
    class: Class,
    entries: Ring<E>,
}

/// A FIFO of copyable entries in a power-of-two ring. Not `VecDeque`: its out-of-line
/// `push_back` took the entry through the stack, where loading it back stalled on store
/// forwarding (8% of the samples of a canonical run); this push is inlined and writes the
/// slot in place. Nothing out of line ever receives an entry (growing takes none): an event
/// handed to a call by pointer stays in memory, and copying it into a slot then stalls the
/// same way.
struct Ring<E> {
    /// Slot `i` of the ring is `slots[i]`; slots fill in order up to `capacity`, then hold
    /// live entries or stale copies.
    slots: Vec<Entry<E>>,
    /// Zero or a power of two.
    capacity: usize,
    head: usize,
    len: usize,
}

impl<E: Copy> Ring<E> {
    fn new() -> Self {
        Ring {
            slots: Vec::new(),
            capacity: 0,
            head: 0,
            len: 0,
        }
    }

    #[inline(always)]
    fn mask(&self) -> usize {
        self.capacity.wrapping_sub(1)
    }

    #[inline(always)]
    fn front(&self) -> Option<&Entry<E>> {
        (self.len > 0).then(|| &self.slots[self.head])
    }

    #[inline(always)]
    fn back(&self) -> Option<&Entry<E>> {
        (self.len > 0).then(|| &self.slots[(self.head + self.len - 1) & self.mask()])
    }

    #[inline(always)]
    fn push_back(&mut self, entry: Entry<E>) {
        if self.len == self.capacity {
            self.grow();
        }
        // Slots fill in order before the ring wraps: `at` is a used slot or the next one.
        let at = (self.head + self.len) & self.mask();
        if at < self.slots.len() {
            let slot = &mut self.slots[at];
            slot.key = entry.key;
            slot.event = entry.event;
        } else {
            self.slots.push(entry);
        }
        self.len += 1;
    }

    /// Twice the capacity (at least 16), the live entries first, in order.
    #[inline(never)]
    fn grow(&mut self) {
        let capacity = (self.capacity * 2).max(16);
        let mut slots = Vec::with_capacity(capacity);
        slots.extend_from_slice(&self.slots[self.head..]);
        slots.extend_from_slice(&self.slots[..self.head]);
        slots.truncate(self.len);
        self.slots = slots;
        self.capacity = capacity;
        self.head = 0;
    }

    #[inline(always)]
    fn pop_front(&mut self) -> Option<Entry<E>> {
        if self.len == 0 {
            return None;
        }
        let entry = self.slots[self.head];
        self.head = (self.head + 1) & self.mask();
        self.len -= 1;
        Some(entry)
    }
}

/// Pending events in total order. See the module docs of [`crate::engine`].
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    lanes: Vec<LaneQueue<E>>,
    len: usize,
    next_seq: u64,
    now: Time,
}

/// Where the next event is.
#[derive(Clone, Copy)]
enum Source {
    Heap,
    Lane(usize),
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            heap: BinaryHeap::with_capacity(capacity),
            lanes: Vec::new(),
            len: 0,
            next_seq: 0,
            now: 0,
        }
    }

    /// A new lane for events of `class` (see the module docs).
    pub fn lane(&mut self, class: Class) -> Lane {
        self.lanes.push(LaneQueue {
            class,
            entries: Ring::new(),
        });
        Lane(self.lanes.len() - 1)
    }

    /// Queue `event` at `time` in `lane`'s class: at the lane's back when that keeps it
    /// sorted, O(1), else in the heap, O(log n). Either way it pops in key order.
    ///
    /// # Panics
    /// As [`EventQueue::schedule`].
    #[inline(always)]
    pub fn schedule_in_lane(&mut self, lane: Lane, time: Time, event: E) {
        assert!(
            time >= self.now,
            "event scheduled in the past: {time} < now {}",
            self.now
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        // One look-up of the lane for its class and its entries.
        let lane = &mut self.lanes[lane.0];
        let key = make_key(time, lane.class, seq);
        let entries = &mut lane.entries;
        // The key's sequence number is the largest yet: it sorts after the back unless its
        // time (or class, which is the lane's) is smaller.
        if entries.back().is_none_or(|b| b.key < key) {
            entries.push_back(Entry { key, event });
        } else {
            self.heap.push(Entry { key, event });
        }
        self.len += 1;
    }

    #[inline]
    fn key(&mut self, time: Time, class: Class) -> u128 {
        let seq = self.next_seq;
        self.next_seq += 1;
        make_key(time, class, seq)
    }

    /// The source holding the smallest key, and that key.
    #[inline]
    fn next_source(&self) -> Option<(Source, u128)> {
        // No key is u128::MAX (sequence numbers stay below 2^56): it stands for "none".
        let mut best = (Source::Heap, self.heap.peek().map_or(u128::MAX, |e| e.key));
        for (i, lane) in self.lanes.iter().enumerate() {
            if let Some(front) = lane.entries.front() {
                if front.key < best.1 {
                    best = (Source::Lane(i), front.key);
                }
            }
        }
        (best.1 != u128::MAX).then_some(best)
    }

    /// The time of the last popped event (or the horizon after a run).
    pub fn now(&self) -> Time {
        self.now
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Queue `event` at `time` in `class`. O(log n).
    ///
    /// # Panics
    /// If `time` is before the current time: that would make time run backwards, a bug in the
    /// model, never a consequence of input.
    pub fn schedule(&mut self, time: Time, class: Class, event: E) {
        assert!(
            time >= self.now,
            "event scheduled in the past: {time} < now {}",
            self.now
        );
        let key = self.key(time, class);
        self.heap.push(Entry { key, event });
        self.len += 1;
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<Time> {
        self.next_source().map(|(_, key)| (key >> 64) as Time)
    }

    /// Remove the next event and move the clock to its time. O(log n).
    pub fn pop(&mut self) -> Option<(Time, E)> {
        let (source, key) = self.next_source()?;
        Some(self.take(source, key))
    }

    /// Remove the next event if it is due before `horizon`, and move the clock to its time.
    /// One search for the smallest key serves both the test and the removal.
    #[inline]
    pub fn pop_before(&mut self, horizon: Time) -> Option<(Time, E)> {
        let (source, key) = self.next_source()?;
        if (key >> 64) as Time >= horizon {
            return None;
        }
        Some(self.take(source, key))
    }

    #[inline]
    fn take(&mut self, source: Source, key: u128) -> (Time, E) {
        let entry = match source {
            Source::Heap => self.heap.pop(),
            Source::Lane(i) => self.lanes[i].entries.pop_front(),
        }
        .expect("the source had an entry");
        self.len -= 1;
        let time = (key >> 64) as Time;
        self.now = time;
        (time, entry.event)
    }

    /// Move the clock forward to `time` without handling anything (the end of a run).
    pub(crate) fn advance_to(&mut self, time: Time) {
        self.now = self.now.max(time);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_time_and_class_pops_in_scheduling_order() {
        let mut q = EventQueue::new();
        for i in 0..100u32 {
            q.schedule(7, Class(3), i);
        }
        let order: Vec<u32> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn class_beats_sequence_and_time_beats_class() {
        let mut q = EventQueue::new();
        q.schedule(2, Class(0), "late");
        q.schedule(1, Class(9), "b");
        q.schedule(1, Class(1), "a");
        assert_eq!(q.pop(), Some((1, "a")));
        assert_eq!(q.pop(), Some((1, "b")));
        assert_eq!(q.pop(), Some((2, "late")));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn lanes_merge_with_the_heap_in_exact_key_order() {
        // The same schedule through a lane and through the heap alone pops identically.
        let run = |use_lane: bool| {
            let mut q = EventQueue::new();
            let lane = q.lane(Class(1));
            let mut out = vec![];
            for vm in 0..5u32 {
                q.schedule(u64::from(vm) * 60, Class(1), vm);
            }
            q.schedule(300, Class(0), 100); // same instant as a lane tick, earlier class
            q.schedule(300, Class(2), 101); // same instant, later class
            while let Some((t, e)) = q.pop() {
                out.push((t, e));
                if e < 100 && t < 1000 {
                    if use_lane {
                        q.schedule_in_lane(lane, t + 300, e);
                    } else {
                        q.schedule(t + 300, Class(1), e);
                    }
                }
            }
            out
        };
        let with_lane = run(true);
        assert_eq!(with_lane, run(false));
        assert_eq!(
            &with_lane[..8],
            &[
                (0, 0),
                (60, 1),
                (120, 2),
                (180, 3),
                (240, 4),
                (300, 100),
                (300, 0),
                (300, 101)
            ]
        );
    }

    #[test]
    fn out_of_order_lane_events_still_pop_in_key_order() {
        // Times that jump back and forth: what cannot join a lane's back goes to the heap,
        // and the pops equal those of the heap alone.
        let run = |use_lanes: bool| {
            let mut q = EventQueue::new();
            let lanes = [q.lane(Class(2)), q.lane(Class(5))];
            let mut x: u64 = 12345;
            let mut out = vec![];
            for i in 0..2000u32 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let time = q.now() + (x >> 33) % 50;
                let which = (x >> 20) as usize % 3;
                match which {
                    2 => q.schedule(time, Class(3), i),
                    l if use_lanes => q.schedule_in_lane(lanes[l], time, i),
                    l => q.schedule(time, [Class(2), Class(5)][l], i),
                }
                if i % 3 == 0 {
                    out.extend(q.pop_before(q.now() + 20));
                }
            }
            while let Some(p) = q.pop() {
                out.push(p);
            }
            out
        };
        let with_lanes = run(true);
        assert_eq!(with_lanes.len(), 2000);
        assert_eq!(with_lanes, run(false));
    }

    #[test]
    #[should_panic(expected = "in the past")]
    fn scheduling_in_the_past_is_a_bug() {
        let mut q = EventQueue::new();
        q.schedule(10, Class(0), ());
        q.pop();
        q.schedule(9, Class(0), ());
    }
}
