//! A generic discrete-event engine: integer virtual time, a totally ordered event queue and
//! per-component random streams. It knows nothing of disaster recovery.
//!
//! # Contract
//! - **Time** is a `u64` count of milliseconds since the run's start ([`Time`]). Calendar dates
//!   exist only at the edges (scenario parsing, reports).
//! - **Order.** Pending events are totally ordered by the key `(time, class, sequence)`:
//!   earlier time first; at the same time, the lower [`Class`] first; within a class, the order
//!   of scheduling (a per-queue sequence number). No two events share a key, so a run never
//!   depends on heap internals. The model picks the classes; the DR model's are listed in
//!   `sim::event`.
//! - **Cancellation** is by generation: an event carries whatever generation counter its model
//!   needs and the model ignores a stale one when it fires. Rescheduling is "bump the
//!   generation, schedule anew", O(log n). Stale entries stay in the heap until popped.
//! - **Horizon.** A run processes every event with `time < horizon` and none at or after it;
//!   afterwards the clock reads exactly `horizon`, so time-weighted statistics close there.
//! - **Halt.** A [`Halt`] hook is asked before each event whether the run should stop (the
//!   way nexosim's scheduler can be halted): a caller abandons a run whose answer is already
//!   decided. The run then ends at that event's instant, unprocessed; the clock reads that
//!   instant. [`Never`] costs nothing: the loop is generic over the hook.
//! - **Cost.** `schedule` and `pop` are O(log n) in pending events and allocate only when the
//!   heap grows past its capacity. Events of one kind that are mostly scheduled in time order
//!   (periodic ticks, link wake-ups) can go through a *lane* instead: O(1) when in order, the
//!   heap otherwise, same order either way (see [`EventQueue::lane`]).
//! - **Randomness** comes from [`RngStreams`]: one named, portable generator (ChaCha8) per
//!   component, keyed by a stable name, so adding a component never shifts another's draws.

mod queue;
mod rng;

pub use queue::{Class, EventQueue, Lane};
pub use rng::{stable_hash, RngStreams};

/// Virtual time: milliseconds since the start of the run.
pub type Time = u64;

/// A model the engine drives: it handles one event at a time and may schedule more.
pub trait Model {
    /// Copyable: the queue's lanes keep events in a ring of copies.
    type Event: Copy;
    /// Handle `event` at time `now`. New events go into `queue`; none may be earlier than `now`.
    fn handle(&mut self, now: Time, event: Self::Event, queue: &mut EventQueue<Self::Event>);
}

/// Asked before each event whether the run stops there.
pub trait Halt<M: Model> {
    /// `true` stops the run at `now`, before the event due then is handled; `events` have
    /// been handled so far.
    fn halt(&mut self, now: Time, events: u64, model: &M) -> bool;
}

/// The hook that never halts.
pub struct Never;

impl<M: Model> Halt<M> for Never {
    #[inline(always)]
    fn halt(&mut self, _: Time, _: u64, _: &M) -> bool {
        false
    }
}

/// What a run did, for benchmarks and reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Events popped and handed to the model (stale ones included: they cost a pop).
    pub events_processed: u64,
    /// The clock at the end of the run: the horizon, or the instant a halt hook stopped it.
    pub end: Time,
    /// A halt hook stopped the run before the horizon.
    pub halted: bool,
}

/// Run `model` until `horizon`: every queued event with `time < horizon` is handled in key
/// order (see the module docs).
pub fn run<M: Model>(model: &mut M, queue: &mut EventQueue<M::Event>, horizon: Time) -> RunCounts {
    run_with(model, queue, horizon, &mut Never)
}

/// [`run`], asking `halt` before each event whether to stop there.
pub fn run_with<M: Model, H: Halt<M>>(
    model: &mut M,
    queue: &mut EventQueue<M::Event>,
    horizon: Time,
    halt: &mut H,
) -> RunCounts {
    let mut events_processed = 0u64;
    while let Some((now, event)) = queue.pop_before(horizon) {
        if halt.halt(now, events_processed, model) {
            return RunCounts {
                events_processed,
                end: now,
                halted: true,
            };
        }
        events_processed += 1;
        model.handle(now, event, queue);
    }
    queue.advance_to(horizon);
    RunCounts {
        events_processed,
        end: horizon,
        halted: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Recorder {
        seen: Vec<(Time, u32)>,
    }
    impl Model for Recorder {
        type Event = u32;
        fn handle(&mut self, now: Time, event: u32, queue: &mut EventQueue<u32>) {
            self.seen.push((now, event));
            if event == 1 {
                // An event scheduled at the current instant in a later class still runs now.
                queue.schedule(now, Class(9), 100);
            }
        }
    }

    #[test]
    fn horizon_is_exclusive_and_order_is_time_class_sequence() {
        let mut q = EventQueue::new();
        q.schedule(10, Class(1), 3);
        q.schedule(10, Class(0), 2);
        q.schedule(5, Class(5), 1);
        q.schedule(10, Class(1), 4);
        q.schedule(20, Class(0), 5); // at the horizon: not processed
        let mut m = Recorder { seen: vec![] };
        let counts = run(&mut m, &mut q, 20);
        assert_eq!(m.seen, vec![(5, 1), (5, 100), (10, 2), (10, 3), (10, 4)]);
        assert_eq!(counts.events_processed, 5);
        assert_eq!(counts.end, 20);
        assert!(!counts.halted);
        assert_eq!(q.now(), 20);
        assert_eq!(q.len(), 1);
    }

    /// Halts at the first event at or after `at`.
    struct From(Time);
    impl Halt<Recorder> for From {
        fn halt(&mut self, now: Time, _: u64, _: &Recorder) -> bool {
            now >= self.0
        }
    }

    #[test]
    fn a_halt_hook_stops_the_run_before_the_event_at_its_instant() {
        let mut q = EventQueue::new();
        for (t, e) in [(5, 1), (8, 2), (10, 3), (12, 4)] {
            q.schedule(t, Class(1), e);
        }
        let mut m = Recorder { seen: vec![] };
        let counts = run_with(&mut m, &mut q, 20, &mut From(9));
        assert_eq!(m.seen, vec![(5, 1), (5, 100), (8, 2)]);
        assert_eq!(counts.events_processed, 3);
        assert_eq!(counts.end, 10);
        assert!(counts.halted);
    }
}
