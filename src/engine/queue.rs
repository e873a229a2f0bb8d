//! The event queue: a binary heap keyed by `(time, class, sequence)`.

use super::Time;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// The priority class of an event among events at the same instant: lower runs first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Class(pub u8);

/// Sequence numbers take the low 56 bits of the key; a run would need 7 * 10^16 events to
/// wrap, far beyond any horizon drsim accepts.
const SEQ_BITS: u32 = 56;

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

/// Pending events in total order. See the module docs of [`crate::engine`].
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    now: Time,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            heap: BinaryHeap::with_capacity(capacity),
            next_seq: 0,
            now: 0,
        }
    }

    /// The time of the last popped event (or the horizon after a run).
    pub fn now(&self) -> Time {
        self.now
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
        let seq = self.next_seq;
        self.next_seq += 1;
        debug_assert!(seq < 1 << SEQ_BITS);
        let key = (u128::from(time) << 64) | (u128::from(class.0) << SEQ_BITS) | u128::from(seq);
        self.heap.push(Entry { key, event });
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|e| (e.key >> 64) as Time)
    }

    /// Remove the next event and move the clock to its time. O(log n).
    pub fn pop(&mut self) -> Option<(Time, E)> {
        let entry = self.heap.pop()?;
        let time = (entry.key >> 64) as Time;
        self.now = time;
        Some((time, entry.event))
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
    #[should_panic(expected = "in the past")]
    fn scheduling_in_the_past_is_a_bug() {
        let mut q = EventQueue::new();
        q.schedule(10, Class(0), ());
        q.pop();
        q.schedule(9, Class(0), ());
    }
}
