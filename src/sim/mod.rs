//! The DR simulation: the world of VMs, links and hosts that drives one replication state
//! machine per VM on the engine, and carries out the actions the machines return. It keeps
//! its event log and time series in memory and touches no file; [`crate::run`] is the API
//! that callers use.

pub mod check;
pub mod event;
pub mod health;
pub mod record;
pub mod resync;
pub mod series;
mod world;

pub use record::{
    EventKind, EventLog, EventRecord, EventSubject, FailoverRecord, FailoverVmRecord, GroupRecord,
    HealthReason, HealthSpan, JobKind, JobOutcome, JobRecord, Mark, Placement, RepairBy,
    ResyncCause, ResyncOutcome, ResyncRecord, RunResult, StepRecord, VmResult,
};
pub use series::{EstatePoint, LinkPoint, Series, VmPoint};

use crate::engine::{self, EventQueue, Halt, Time};
use crate::model::Scenario;
use crate::replication::StateKind;
use event::Event;

/// A run in progress, as a halt hook sees it.
pub struct Progress<'w> {
    now: Time,
    events: u64,
    world: &'w world::World<'w>,
}

impl Progress<'_> {
    /// The instant of the event about to be handled.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Events handled so far.
    pub fn events(&self) -> u64 {
        self.events
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

/// Before each event: asks a caller's hook at most once per `every` of virtual time, checks
/// the output budget once per `budget_every`, counts the events against the event budget,
/// and runs the invariant checks of each event when they are on. `next` is the first instant
/// at which something is due: 0 while checking (every event), else the earlier of the hook's
/// and the budget's next turns. So checks that are off cost the engine loop one comparison
/// with `next` and one with `max_events`.
struct Checkpoints<'h> {
    every: Time,
    next: Time,
    /// The hook's next turn.
    hook_next: Time,
    hook: Option<&'h mut dyn FnMut(&Progress<'_>) -> bool>,
    check: check::Checker,
    /// The event budget: the run stops before event number `max_events + 1`.
    max_events: u64,
    /// The output budget, checked at `budget_next` and then every `budget_every`.
    max_output: u64,
    budget_every: Time,
    budget_next: Time,
    meter: crate::run::budget::OutputMeter,
    /// The budget that stopped the run.
    exceeded: Option<crate::run::Exceeded>,
}

impl<'a> Halt<world::World<'a>> for Checkpoints<'_> {
    #[inline(always)]
    fn halt(&mut self, now: Time, events: u64, world: &world::World<'a>) -> bool {
        if now < self.next && events < self.max_events {
            return false;
        }
        self.due(now, events, world)
    }
}

impl Checkpoints<'_> {
    /// Something is due before the event at `now`; `true` stops the run there. Out of line:
    /// inlined, it cost the engine loop two instructions per event.
    #[cold]
    #[inline(never)]
    fn due(&mut self, now: Time, events: u64, world: &world::World<'_>) -> bool {
        use crate::run::Exceeded;
        if events >= self.max_events {
            self.exceeded = Some(Exceeded::Events {
                limit: self.max_events,
            });
            return true;
        }
        if self.check.on() {
            // The previous event's effects, and the clock.
            world.check_event(now, &mut self.check);
            if self.check.found() || world.step_violated() {
                return true;
            }
        }
        if now >= self.budget_next {
            self.budget_next = (now / self.budget_every + 1).saturating_mul(self.budget_every);
            let (rows, text, samples) = world.output_so_far();
            if self.meter.bytes(rows, text, samples) > self.max_output {
                self.exceeded = Some(Exceeded::Output {
                    limit: self.max_output,
                });
                return true;
            }
            let limit = crate::run::budget::MAX_LOG_TEXT;
            if text >= limit {
                self.exceeded = Some(Exceeded::LogText { limit });
                return true;
            }
        }
        let mut stop = false;
        if now >= self.hook_next {
            self.hook_next = (now / self.every + 1).saturating_mul(self.every);
            stop = self
                .hook
                .as_mut()
                .is_some_and(|hook| hook(&Progress { now, events, world }));
        }
        if !self.check.on() {
            self.next = self.hook_next.min(self.budget_next);
        }
        stop
    }
}

/// Each link's outage windows `[start, end)` as a run with `seed` draws them (the scheduled
/// ones and the random ones, from the same streams), sorted, clipped to the horizon; for
/// reports, since results keep only their effects.
pub fn link_outage_windows(scenario: &Scenario, seed: u64) -> Vec<Vec<(Time, Time)>> {
    let streams = engine::RngStreams::new(seed);
    scenario
        .links
        .iter()
        .map(|l| {
            let mut w: Vec<(Time, Time)> = world::outage_windows_of(l, &streams, scenario.horizon)
                .into_iter()
                .filter(|&(s, _)| s < scenario.horizon)
                .map(|(s, e)| (s, e.min(scenario.horizon)))
                .collect();
            w.sort_unstable();
            w
        })
        .collect()
}

/// What [`simulate`] returns.
pub(crate) struct Simulated {
    pub result: RunResult,
    pub log: EventLog,
    pub series: Series,
    /// The instant a halt hook or a budget stopped the run.
    pub halted_at: Option<Time>,
    /// The budget that stopped it.
    pub exceeded: Option<crate::run::Exceeded>,
}

/// A halt hook and how often (virtual time) it is asked.
pub(crate) type HaltCheck<'h> = (Time, &'h mut dyn FnMut(&Progress<'_>) -> bool);

/// Run `scenario` with `seed` (which replaces the scenario's own). `check`: run the
/// invariant checks ([`check`]) in a release build too; the first violation ends the run.
pub(crate) fn simulate(
    scenario: &Scenario,
    seed: u64,
    keep_series: bool,
    halt: Option<HaltCheck<'_>>,
    check: bool,
    budget: crate::run::Budget,
    exact_host_peaks: bool,
) -> Result<Simulated, check::Violation> {
    let mut queue: EventQueue<Event> = EventQueue::with_capacity(scenario.vms.len() * 2 + 16);
    let mut world = world::World::new(scenario, seed, keep_series, &mut queue);
    if check {
        world.check_steps();
    }
    if exact_host_peaks {
        world.exact_host_peaks();
    }
    world.schedule_start(&mut queue);
    // One loop with or without a hook: a second copy of the engine loop made the compiler
    // stop inlining the queue into either (5% more instructions per event).
    let (every, hook) = match halt {
        Some((every, hook)) => (every.max(1), Some(hook)),
        None => (1, None),
    };
    let hook_next = if hook.is_some() { 0 } else { Time::MAX };
    let check = check::Checker::new(check);
    // The output budget is checked a thousand times per run and at every sample.
    let budget_every = (scenario.horizon / 1000)
        .min(scenario.sample_step.unwrap_or(Time::MAX))
        .max(1);
    let mut checks = Checkpoints {
        every,
        next: if check.on() {
            0
        } else {
            hook_next.min(budget_every)
        },
        hook_next,
        hook,
        check,
        max_events: budget.max_events,
        max_output: budget.max_output_bytes,
        budget_every,
        budget_next: budget_every,
        meter: crate::run::budget::OutputMeter::new(scenario),
        exceeded: None,
    };
    let counts = engine::run_with(&mut world, &mut queue, scenario.horizon, &mut checks);
    if checks.check.on() {
        // The last event's effects.
        world.check_event(counts.end, &mut checks.check);
    }
    // A step's violation comes before any found at the next check of the events.
    if let Some(v) = world.take_step_violation().or_else(|| checks.check.take()) {
        return Err(v);
    }
    // The events left are never handled: free them before the results are built.
    drop(queue);
    let (result, log, series) = world.finish(counts);
    Ok(Simulated {
        result,
        log,
        series,
        halted_at: counts.halted.then_some(counts.end),
        exceeded: checks.exceeded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoints(sc: &Scenario, check: check::Checker) -> Checkpoints<'static> {
        Checkpoints {
            every: 1,
            next: if check.on() { 0 } else { Time::MAX },
            hook_next: Time::MAX,
            hook: None,
            check,
            max_events: u64::MAX,
            max_output: u64::MAX,
            budget_every: Time::MAX,
            budget_next: Time::MAX,
            meter: crate::run::budget::OutputMeter::new(sc),
            exceeded: None,
        }
    }

    #[test]
    fn a_violation_found_before_an_event_stops_the_run_there() {
        let text = include_str!("../../scenarios/quickstart.toml");
        let sc = crate::scenario::from_text(text, "quickstart.toml".as_ref()).unwrap();
        let mut queue = EventQueue::new();
        let world = world::World::new(&sc, 1, false, &mut queue);
        let mut checks = checkpoints(&sc, check::Checker::with(true, false));
        assert!(!checks.halt(10, 0, &world));
        assert!(!checks.halt(10, 1, &world));
        assert!(checks.halt(5, 2, &world), "time went back");
        let v = checks.check.take().expect("kept");
        assert_eq!((v.at, v.subject), (5, check::Subject::Clock));
        // Checks that are off see nothing.
        let mut checks = checkpoints(&sc, check::Checker::with(false, false));
        assert!(!checks.halt(10, 0, &world));
        assert!(!checks.halt(5, 1, &world));
        assert!(checks.check.take().is_none());
    }
}
