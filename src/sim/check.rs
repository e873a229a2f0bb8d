//! The invariant checker (TigerBeetle's state checker is the model): what must hold after
//! every event and every step of a VM's replication state machine, whatever the scenario.
//!
//! # What is checked
//! - **Byte conservation**, for the VM that stepped: every byte its logs captured is applied,
//!   in flight, waiting to be merged, discarded for a resync or lost at a failover
//!   (domain.md section 9; the books' own rule, `books::conserves`).
//! - **No link over capacity**, for every link after every event: the rates its transfers
//!   get sum to at most its capacity, and it has delivered no more bytes than its capacity
//!   could have carried since the start.
//! - **Monotone time**: no event is handled at an instant before the previous one.
//! - **Legal transitions**: every accepted input moves a VM's machine along a row of the
//!   transition table ([`crate::replication::MATRIX`]: state kind before, input, state
//!   kind after), and a refused input leaves the state exactly as it was.
//!
//! # When
//! Always in builds with debug assertions (`cargo test`, `cargo run`): a violation panics
//! with its message. In release builds only when asked ([`crate::run::RunSpec::check`],
//! `drsim run FILE --check`): the first violation stops the run before the next event, and
//! [`crate::run::run`] returns [`crate::run::RunError::InvariantViolated`] with it.
//!
//! # Cost
//! Off (release, the default): none measurable. The per-event checks ride on the comparison
//! the engine's halt hook makes before each event anyway ("is anything due now?"; while
//! checking, something is due at every event), and the per-step check is the test of one
//! flag next to the world's other hot fields. On: one pass over the links per event, and a
//! scan of the transition table and the VM's books per step.

use crate::engine::Time;
use crate::model::link::Load;
use crate::replication::{InputKind, State, MATRIX};
use crate::units::{ByteRate, Millis};
use std::fmt;

/// What an invariant was broken for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A VM: its index in the scenario (after `count` stamping) and its name.
    Vm { index: usize, name: String },
    /// A link: its index and its name.
    Link { index: usize, name: String },
    /// The simulation's clock.
    Clock,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Vm { index, name } => write!(f, "VM {name:?} (#{index})"),
            Subject::Link { index, name } => write!(f, "link {name:?} (#{index})"),
            Subject::Clock => f.write_str("the clock"),
        }
    }
}

/// A broken invariant: when (virtual time), what for, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub at: Time,
    pub subject: Subject,
    pub what: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invariant violated at {} ({} ms): {}: {}",
            Millis(self.at),
            self.at,
            self.subject,
            self.what
        )
    }
}

impl std::error::Error for Violation {}

/// Whether the checks run, what they remember between events, and the first violation.
#[derive(Debug)]
pub(crate) struct Checker {
    on: bool,
    /// A violation panics (debug builds) instead of being kept for the run to return.
    panics: bool,
    /// The instant of the last event checked.
    last: Time,
    found: Option<Box<Violation>>,
    /// The next step is the one a check is wrapped around (see [`Checker::enter`]).
    wrapped: bool,
}

impl Checker {
    /// Checks on when `asked`, and always in builds with debug assertions (which panic at a
    /// violation).
    pub(crate) fn new(asked: bool) -> Self {
        Checker::with(asked || cfg!(debug_assertions), cfg!(debug_assertions))
    }

    /// On or off as `on`, panicking at a violation or keeping it as `panics` says (tests).
    pub(crate) fn with(on: bool, panics: bool) -> Self {
        Checker {
            on,
            panics,
            last: 0,
            found: None,
            wrapped: false,
        }
    }

    /// Whether the checks run.
    #[inline(always)]
    pub(crate) fn on(&self) -> bool {
        self.on
    }

    /// A step starts while the checks are on: `true` if it is still to be wrapped in a
    /// check, `false` if it is the step a check wraps (which [`Checker::wrap`] announced).
    /// Steps the wrapped one causes (other VMs', at a failover) are wrapped in turn.
    #[inline(always)]
    pub(crate) fn enter(&mut self) -> bool {
        !std::mem::take(&mut self.wrapped)
    }

    /// The next step to [`Checker::enter`] is the one a check wraps.
    pub(crate) fn wrap(&mut self) {
        self.wrapped = true;
    }

    /// Book `what` was found wrong about `subject` at `at`: panic with it, or keep it if it is
    /// the first.
    pub(crate) fn report(&mut self, at: Time, subject: Subject, what: String) {
        let v = Violation { at, subject, what };
        if self.panics {
            panic!("{v}");
        }
        self.found.get_or_insert_with(|| Box::new(v));
    }

    /// Whether a violation was found.
    pub(crate) fn found(&self) -> bool {
        self.found.is_some()
    }

    /// The first violation found.
    pub(crate) fn take(&mut self) -> Option<Violation> {
        self.found.take().map(|v| *v)
    }

    /// An event is handled at `now`: time must not have gone back.
    pub(crate) fn clock(&mut self, now: Time) {
        if let Err(what) = clock(self.last, now) {
            self.report(now, Subject::Clock, what);
        }
        self.last = self.last.max(now);
    }
}

/// Monotone time: an event at `now` after one at `last`.
pub(crate) fn clock(last: Time, now: Time) -> Result<(), String> {
    if now < last {
        return Err(format!(
            "time went backwards: an event at {now} ms after one at {last} ms"
        ));
    }
    Ok(())
}

/// No link over capacity.
pub(crate) fn link(load: &Load) -> Result<(), String> {
    if load.allocated > load.capacity {
        return Err(format!(
            "over capacity: its transfers get {} in all, its capacity is {}",
            rate(load.allocated),
            rate(load.capacity)
        ));
    }
    if load.delivered_bytes > load.offered_bytes {
        return Err(format!(
            "over capacity: it delivered {} bytes, its capacity could carry {} so far",
            load.delivered_bytes, load.offered_bytes
        ));
    }
    Ok(())
}

/// A rate with its exact integer beside the human form.
fn rate(r: ByteRate) -> String {
    format!("{r} ({} mB/s)", r.0)
}

/// Legal transitions: a step on `input` from `from` that left `to` (`accepted`: the machine
/// took the input).
pub(crate) fn transition(
    from: State,
    input: InputKind,
    to: State,
    accepted: bool,
) -> Result<(), String> {
    if accepted && !MATRIX.allows(from.kind(), input, to.kind()) {
        return Err(format!(
            "illegal transition {:?} --{input:?}--> {:?}: not a row of the transition table ({from:?} -> {to:?})",
            from.kind(),
            to.kind()
        ));
    }
    if !accepted && to != from {
        return Err(format!(
            "a refused {input:?} changed the state: {from:?} -> {to:?}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replication::{FailoverStep, StateKind};

    fn vm() -> Subject {
        Subject::Vm {
            index: 3,
            name: "dc01".into(),
        }
    }

    #[test]
    fn time_going_back_is_a_violation_and_standing_still_is_not() {
        assert_eq!(clock(5, 5), Ok(()));
        assert_eq!(clock(5, 6), Ok(()));
        let err = clock(7_200_000, 7_199_999).unwrap_err();
        assert!(err.contains("7199999 ms after one at 7200000 ms"), "{err}");
        let mut c = Checker::with(true, false);
        c.clock(10);
        c.clock(10);
        assert!(!c.found());
        c.clock(9);
        let v = c.take().expect("a violation");
        assert_eq!((v.at, v.subject), (9, Subject::Clock));
        // The clock remembers the latest instant, not the one that went back.
        c.clock(9);
        assert!(c.found(), "9 ms still comes after 10 ms");
    }

    #[test]
    fn a_link_over_its_capacity_is_a_violation() {
        let ok = Load {
            capacity: ByteRate(100_000),
            allocated: ByteRate(100_000),
            delivered_bytes: 300,
            offered_bytes: 300,
        };
        assert_eq!(link(&ok), Ok(()));
        let over_rate = Load {
            allocated: ByteRate(100_001),
            ..ok
        };
        let err = link(&over_rate).unwrap_err();
        assert!(
            err.contains("(100001 mB/s)") && err.contains("(100000 mB/s)"),
            "{err}"
        );
        let over_bytes = Load {
            delivered_bytes: 301,
            ..ok
        };
        let err = link(&over_bytes).unwrap_err();
        assert!(err.contains("delivered 301 bytes"), "{err}");
    }

    #[test]
    fn a_move_missing_from_the_table_is_a_violation() {
        use crate::replication::InputKind as I;
        let protected = State::Protected { sending: false };
        let sending = State::Protected { sending: true };
        // Rows of the table, including a move within one state kind.
        assert_eq!(
            transition(
                State::Unprotected,
                I::EnableProtection,
                State::EnablingProtection,
                true
            ),
            Ok(())
        );
        assert_eq!(transition(protected, I::CycleTick, sending, true), Ok(()));
        // Not rows.
        let err = transition(protected, I::CycleTick, State::Unprotected, true).unwrap_err();
        assert!(
            err.contains("illegal transition Protected --CycleTick--> Unprotected"),
            "{err}"
        );
        assert!(transition(
            State::Unprotected,
            I::TransferDone,
            State::FailingOver(FailoverStep::Comparing),
            true
        )
        .is_err());
        // A refused input leaves the state as it was, down to its details.
        assert_eq!(transition(protected, I::Commit, protected, false), Ok(()));
        let err = transition(protected, I::Commit, sending, false).unwrap_err();
        assert!(err.contains("a refused Commit changed the state"), "{err}");
        assert_eq!(protected.kind(), StateKind::Protected);
    }

    #[test]
    fn the_first_violation_is_kept_and_reads_clearly() {
        let mut c = Checker::with(true, false);
        c.report(3_723_000, vm(), "first".into());
        c.report(3_723_001, Subject::Clock, "second".into());
        assert!(c.found());
        let v = c.take().expect("kept");
        assert_eq!(
            v.to_string(),
            "invariant violated at 1h2m3s (3723000 ms): VM \"dc01\" (#3): first"
        );
        assert!(c.take().is_none());
        let link = Subject::Link {
            index: 0,
            name: "wan".into(),
        };
        assert_eq!(link.to_string(), "link \"wan\" (#0)");
    }

    #[test]
    #[should_panic(expected = "invariant violated at 0s (0 ms): the clock: went wrong")]
    fn a_panicking_checker_panics_with_the_message() {
        Checker::with(true, true).report(0, Subject::Clock, "went wrong".into());
    }

    #[test]
    fn only_the_step_announced_as_wrapped_goes_unwrapped() {
        let mut c = Checker::with(true, false);
        assert!(c.enter(), "a step is wrapped in a check");
        c.wrap();
        assert!(!c.enter(), "the step the check wraps");
        assert!(c.enter(), "a step that one causes is wrapped in turn");
    }

    #[test]
    fn debug_builds_always_check_and_release_builds_when_asked() {
        assert!(Checker::new(true).on());
        assert_eq!(Checker::new(false).on(), cfg!(debug_assertions));
        assert_eq!(Checker::new(false).panics, cfg!(debug_assertions));
    }
}
