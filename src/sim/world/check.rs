//! The world's side of the invariant checker ([`crate::sim::check`]): it hands the checker
//! what the components say through their read-only queries (`books::conserves`,
//! [`Links::load`](super::links::Links::load), the machine's state) and names the VM or link
//! a violation is about.

use super::World;
use crate::engine::{EventQueue, Time};
use crate::replication::{Actions, Input};
use crate::sim::check::{self, Checker, Subject, Violation};
use crate::sim::event::Event;
use crate::sim::record::ResyncCause;

impl World<'_> {
    /// Check every step of every machine (they always are with debug assertions).
    pub fn check_steps(&mut self) {
        self.check = Checker::new(true);
    }

    /// [`World::feed`] with its step checked: while the checks are on, every step comes here
    /// first and goes on to its own code through [`Checker::wrap`]. The machine's move is a
    /// row of the transition table, or a refused input left the state as it was; after the
    /// actions, the VM's byte books balance.
    #[cold]
    #[inline(never)]
    pub(super) fn feed_under_check(
        &mut self,
        now: Time,
        vm: usize,
        input: Input,
        cause: Option<&ResyncCause>,
        queue: &mut EventQueue<Event>,
    ) -> bool {
        let from = self.vms[vm].machine.state();
        let kind = input.kind();
        // The step is a pure function of the machine and the input: taken on a copy first,
        // it tells the state the step leaves, which its actions may change again (they can
        // step other VMs, and those this one).
        let mut copy = self.vms[vm].machine.clone();
        let dry = copy.step(&input, &mut Actions::default()).ok();
        self.check.wrap();
        let accepted = self.feed_inline(now, vm, input, cause, queue);
        let to = match (accepted, dry) {
            (true, Some(to)) => Some(to),
            // A refusal carries out no action: the state now is the one it left.
            (false, None) => Some(self.vms[vm].machine.state()),
            _ => None,
        };
        let step = match to {
            Some(to) => check::transition(from, kind, to, accepted),
            None => Err(format!(
                "the machine both took and refused {kind:?} in {from:?}"
            )),
        };
        if let Err(what) = step {
            self.check.report(now, self.vm_subject(vm), what);
        }
        if !self.conserves_bytes(vm) {
            let (hot, cold) = (&self.vms[vm].books, &self.cold[vm].books);
            let what = format!(
                "byte conservation broken (captured != applied + in flight + waiting + discarded + lost): {hot:?}, {cold:?}"
            );
            self.check.report(now, self.vm_subject(vm), what);
        }
        accepted
    }

    /// Before the event at `now` (or at the end of the run): time has not gone back, no link
    /// is over its capacity. Into `checker`, which remembers the last instant.
    pub fn check_event(&self, now: Time, checker: &mut Checker) {
        checker.clock(now);
        for l in 0..self.links.count() {
            if let Err(what) = check::link(&self.links.load(l)) {
                let subject = Subject::Link {
                    index: l,
                    name: self.scenario.links[l].name.clone(),
                };
                checker.report(now, subject, what);
            }
        }
    }

    /// A step's check found a violation.
    pub fn step_violated(&self) -> bool {
        self.check.found()
    }

    /// The first violation a step's check found.
    pub fn take_step_violation(&mut self) -> Option<Violation> {
        self.check.take()
    }

    fn vm_subject(&self, vm: usize) -> Subject {
        Subject::Vm {
            index: vm,
            name: self.scenario.vms[vm].name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replication::StateKind;

    const SCENARIO: &str = r#"
[scenario]
name = "check"
topology = "hyperv-to-azure"
start = "2026-11-23T08:00"
duration = "1d"

[[links]]
name = "wan"
capacity = "100 Mbps"

[[sites]]
name = "branch"
link = "wan"

[[hosts]]
name = "hv01"
site = "branch"

[[vms]]
name = "dc01"
host = "hv01"
churn = "1 MB/s"
protected_at_start = true
disks = [{ size = "127 GiB", used = "30 GiB" }]
"#;

    fn scenario() -> crate::model::Scenario {
        crate::scenario::from_text(SCENARIO, "check.toml".as_ref()).unwrap()
    }

    /// A world whose VM is protected, after a sound (checked) step; then two logs closed
    /// with no room for the first, whose bytes vanish from the books.
    fn unbalanced<'a>(
        sc: &'a crate::model::Scenario,
        checker: Checker,
        queue: &mut EventQueue<Event>,
    ) -> World<'a> {
        let mut world = World::new(sc, 1, false, queue);
        world.check = checker;
        world.feed(0, 0, Input::AssumeProtected, queue);
        assert!(!world.step_violated(), "a sound step");
        assert_eq!(world.state_kind(0), StateKind::Protected);
        assert!(world.books(0).close_log(60_000) > 0);
        world.books(0).close_log(120_000);
        assert!(!world.conserves_bytes(0));
        world
    }

    #[test]
    fn a_step_that_leaves_the_books_unbalanced_is_a_violation() {
        let sc = scenario();
        let mut queue = EventQueue::new();
        let mut world = unbalanced(&sc, Checker::with(true, false), &mut queue);
        // Refused in Protected: no action, the books stay as they are.
        assert!(!world.try_feed(120_000, 0, Input::Commit, None, &mut queue));
        let v = world.take_step_violation().expect("a violation");
        assert_eq!(v.at, 120_000);
        assert_eq!(
            v.subject,
            Subject::Vm {
                index: 0,
                name: "dc01".into()
            }
        );
        assert!(v.what.starts_with("byte conservation broken"), "{}", v.what);
    }

    #[test]
    #[should_panic(expected = "VM \"dc01\" (#0): byte conservation broken")]
    fn a_panicking_checker_stops_at_the_step() {
        let sc = scenario();
        let mut queue = EventQueue::new();
        let mut world = unbalanced(&sc, Checker::with(true, true), &mut queue);
        world.feed(120_000, 0, Input::Commit, &mut queue);
    }

    #[test]
    fn checks_that_are_off_look_at_nothing() {
        let sc = scenario();
        let mut queue = EventQueue::new();
        let mut world = unbalanced(&sc, Checker::with(false, false), &mut queue);
        world.feed(120_000, 0, Input::Commit, &mut queue);
        assert!(world.take_step_violation().is_none());
    }

    #[test]
    fn a_sound_run_of_steps_and_links_passes() {
        let sc = scenario();
        let mut queue = EventQueue::new();
        let mut world = World::new(&sc, 1, false, &mut queue);
        world.check = Checker::with(true, false);
        world.schedule_start(&mut queue);
        let mut events = Checker::with(true, false);
        while let Some((now, event)) = queue.pop_before(3_600_000) {
            world.check_event(now, &mut events);
            crate::engine::Model::handle(&mut world, now, event, &mut queue);
        }
        world.check_event(3_600_000, &mut events);
        assert!(world.take_step_violation().is_none());
        assert!(events.take().is_none());
        // The hour did something: logs went over the link.
        assert!(world.links.load(0).delivered_bytes > 0);
    }
}
