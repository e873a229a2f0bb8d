//! The DR simulation: the world of VMs, links and hosts that drives one replication state
//! machine per VM on the engine, and carries out the actions the machines return. It keeps
//! its event log and time series in memory and touches no file; [`crate::run`] is the API
//! that callers use.

pub mod event;
pub mod health;
pub mod record;
pub mod resync;
pub mod series;
mod world;

pub use record::{
    EventKind, EventLog, EventRecord, FailoverRecord, FailoverVmRecord, GroupRecord, HealthReason,
    HealthSpan, JobKind, JobOutcome, JobRecord, Mark, Placement, RepairBy, ResyncCause,
    ResyncOutcome, ResyncRecord, RunResult, StepRecord, VmResult,
};
pub use series::{EstatePoint, LinkPoint, Series, VmPoint};

use crate::engine::{self, EventQueue, Halt, Time};
use crate::model::Scenario;
use crate::replication::StateKind;
use event::Event;

/// A run in progress, as a halt hook sees it.
pub struct Progress<'w> {
    now: Time,
    world: &'w world::World<'w>,
}

impl Progress<'_> {
    /// The instant of the event about to be handled.
    pub fn now(&self) -> Time {
        self.now
    }

    pub fn vm_count(&self) -> usize {
        self.world.vm_count()
    }

    pub fn state(&self, vm: usize) -> StateKind {
        self.world.state_kind(vm)
    }

    /// Time the VM's RPO has been observed so far (it has had a recovery point), and the part
    /// of it with the RPO over the policy's target, in ms, up to now.
    pub fn rpo_observed_and_missed_ms(&self, vm: usize) -> (Time, Time) {
        self.world.rpo_so_far(vm, self.now)
    }
}

/// Asks a caller's hook at most once per `every` of virtual time; without a hook, `next` is
/// never reached.
struct Checkpoints<'h> {
    every: Time,
    next: Time,
    hook: Option<&'h mut dyn FnMut(&Progress<'_>) -> bool>,
}

impl<'a> Halt<world::World<'a>> for Checkpoints<'_> {
    #[inline(always)]
    fn halt(&mut self, now: Time, world: &world::World<'a>) -> bool {
        if now < self.next {
            return false;
        }
        self.next = (now / self.every + 1).saturating_mul(self.every);
        self.hook
            .as_mut()
            .is_some_and(|hook| hook(&Progress { now, world }))
    }
}

/// What [`simulate`] returns.
pub(crate) struct Simulated {
    pub result: RunResult,
    pub log: EventLog,
    pub series: Series,
    /// The instant a halt hook stopped the run.
    pub halted_at: Option<Time>,
}

/// A halt hook and how often (virtual time) it is asked.
pub(crate) type HaltCheck<'h> = (Time, &'h mut dyn FnMut(&Progress<'_>) -> bool);

/// Run `scenario` with `seed` (which replaces the scenario's own).
pub(crate) fn simulate(
    scenario: &Scenario,
    seed: u64,
    keep_series: bool,
    halt: Option<HaltCheck<'_>>,
) -> Simulated {
    let mut queue: EventQueue<Event> = EventQueue::with_capacity(scenario.vms.len() * 2 + 16);
    let mut world = world::World::new(scenario, seed, keep_series, &mut queue);
    world.schedule_start(&mut queue);
    // One loop with or without a hook: a second copy of the engine loop made the compiler
    // stop inlining the queue into either (5% more instructions per event).
    let mut checks = match halt {
        Some((every, hook)) => Checkpoints {
            every: every.max(1),
            next: 0,
            hook: Some(hook),
        },
        None => Checkpoints {
            every: 1,
            next: Time::MAX,
            hook: None,
        },
    };
    let counts = engine::run_with(&mut world, &mut queue, scenario.horizon, &mut checks);
    // The events left are never handled: free them before the results are built.
    drop(queue);
    let (result, log, series) = world.finish(counts);
    Simulated {
        result,
        log,
        series,
        halted_at: counts.halted.then_some(counts.end),
    }
}
