//! The DR simulation: the world of VMs, links and hosts that drives one replication state
//! machine per VM on the engine, and carries out the actions the machines return.

pub mod event;
pub mod health;
pub mod record;
pub mod resync;
mod world;

pub use record::{
    Discard, EventRecord, FailoverRecord, FailoverVmRecord, GroupRecord, HealthSpan, JobRecord,
    Placement, Recorder, ResyncRecord, RunResult, StepRecord, VmResult, VmSample,
};

use crate::engine::{self, EventQueue};
use crate::model::Scenario;
use event::Event;

/// Run `scenario` with `seed` (which replaces the scenario's own), streaming the event log and
/// samples to `recorder`.
pub fn run(
    scenario: &Scenario,
    seed: u64,
    recorder: &mut dyn Recorder,
) -> std::io::Result<RunResult> {
    let mut queue: EventQueue<Event> = EventQueue::with_capacity(scenario.vms.len() * 2 + 16);
    let mut world = world::World::new(scenario, seed, recorder, &mut queue);
    world.schedule_start(&mut queue);
    let counts = engine::run(&mut world, &mut queue, scenario.horizon);
    // The events left are never handled: free them before the results are built.
    drop(queue);
    world.finish(counts)
}
