//! The run API: one scenario, a seed and options in; results, the event log and the time
//! series out, in memory. Nothing here touches a file or a clock: the command line, the
//! tests, the benchmarks and (later) sweeps and planners all run a scenario through
//! [`run`], and hand its [`RunOutput`] to exporters ([`crate::report`]).
//!
//! ```
//! use drsim::run::{run, RunSpec};
//! let text = std::fs::read_to_string("scenarios/quickstart.toml").unwrap();
//! let scenario = drsim::scenario::from_text(&text, "scenarios/quickstart.toml".as_ref()).unwrap();
//! // Stop as soon as any VM has spent more than an hour over its target RPO.
//! let mut over_an_hour = |p: &drsim::run::Progress<'_>| {
//!     (0..p.vm_count()).any(|vm| p.rpo_observed_and_missed_ms(vm).1 > 3_600_000)
//! };
//! let out = run(RunSpec::new(&scenario).halt_every(60_000, &mut over_an_hour)).unwrap();
//! assert!(out.halted_at.is_some());
//! ```

use crate::engine::Time;
use crate::model::Scenario;
pub use crate::sim::check::Violation;
pub use crate::sim::Progress;
use crate::sim::{EventLog, RunResult, Series};
use std::fmt;

pub mod budget;
pub use budget::{Budget, Exceeded};

/// [ours] The most memory a run's time series may take unless the caller says otherwise:
/// 1 GiB is 41 million VM samples (1,000 VMs for 30 days at a 1-minute step), whose
/// `timeseries.csv` would be about 4 GB.
pub const DEFAULT_MAX_SERIES_BYTES: u64 = 1 << 30;

/// A caller's halt hook: `true` stops the run.
pub type HaltHook<'a> = &'a mut dyn FnMut(&Progress<'_>) -> bool;

/// What to run and how.
pub struct RunSpec<'a> {
    pub scenario: &'a Scenario,
    /// The master seed of every random stream (default: the scenario's).
    pub seed: u64,
    /// Keep the time series in memory at the scenario's sample step (default: yes).
    pub keep_series: bool,
    /// Refuse a run whose time series would take more (default
    /// [`DEFAULT_MAX_SERIES_BYTES`]).
    pub max_series_bytes: u64,
    /// Asked at most once per `.0` of virtual time whether the run should stop.
    pub halt: Option<(Time, HaltHook<'a>)>,
    /// Run the invariant checks ([`crate::sim::check`]) after every event and state machine
    /// step in a release build too (default: no; builds with debug assertions always do).
    pub check: bool,
    /// The events and output the run may use ([`budget`]): refused before it starts when
    /// the estimate is over, stopped when the run reaches either.
    pub budget: Budget,
    /// Find each host volume's exact peak of snapshot and log space, read before every
    /// transfer arrival, drop and snapshot deletion (default: no, the peak at sample
    /// instants). Costs a read of every VM on the host per arrival: for planning runs.
    pub exact_host_peaks: bool,
}

impl<'a> RunSpec<'a> {
    /// `scenario` with its own seed, time series kept, no halt hook.
    pub fn new(scenario: &'a Scenario) -> Self {
        RunSpec {
            scenario,
            seed: scenario.seed,
            keep_series: true,
            max_series_bytes: DEFAULT_MAX_SERIES_BYTES,
            halt: None,
            check: false,
            budget: Budget::default(),
            exact_host_peaks: false,
        }
    }

    pub fn budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// See [`RunSpec::exact_host_peaks`].
    pub fn exact_host_peaks(mut self, exact: bool) -> Self {
        self.exact_host_peaks = exact;
        self
    }

    pub fn keep_series(mut self, keep: bool) -> Self {
        self.keep_series = keep;
        self
    }

    /// Ask `hook` at the first event of each `every` ms of virtual time whether the run has
    /// decided its answer; `true` ends the run there (a planner abandons a candidate that
    /// has already failed).
    pub fn halt_every(mut self, every: Time, hook: HaltHook<'a>) -> Self {
        self.halt = Some((every, hook));
        self
    }

    /// Check the invariants after every event and step ([`crate::sim::check`]); a violation
    /// ends the run with [`RunError::InvariantViolated`]. Builds with debug assertions always
    /// check, and panic at a violation.
    pub fn check(mut self, check: bool) -> Self {
        self.check = check;
        self
    }
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct RunOutput {
    pub seed: u64,
    pub result: RunResult,
    /// The event log, jobs and health spans.
    pub log: EventLog,
    /// Time series at the sample step (empty without one, or when not kept).
    pub series: Series,
    /// The instant a halt hook stopped the run; the results cover the time up to it.
    pub halted_at: Option<Time>,
    /// The budget that stopped the run at `halted_at`, if one did (not the caller's hook).
    pub exceeded: Option<Exceeded>,
}

impl RunOutput {
    /// "stopped at <time>: event budget of N reached; rerun with ...": when a budget stopped
    /// the run (the results are partial), what summary.json and the terminal say.
    pub fn stopped(&self, scenario: &Scenario) -> Option<String> {
        let (at, why) = (self.halted_at?, self.exceeded?);
        Some(format!(
            "stopped at {} ({} simulated of {}): {}",
            scenario
                .calendar
                .datetime(at)
                .format("%Y-%m-%d %H:%M:%S%.3f"),
            crate::units::Millis(at),
            crate::units::Millis(scenario.horizon),
            why.explain()
        ))
    }
}

impl RunOutput {
    /// The output of a run that was not stopped by a budget, else [`RunError::Stopped`]: for
    /// callers that compare whole runs (sweeps, plans) and cannot use partial ones.
    pub fn whole(self, scenario: &Scenario) -> Result<RunOutput, RunError> {
        match self.stopped(scenario) {
            Some(why) => Err(RunError::Stopped(why)),
            None => Ok(self),
        }
    }
}

/// Why a run did not start, or did not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The time series would take more memory than allowed.
    SeriesTooLarge {
        samples: u64,
        bytes: u64,
        limit: u64,
    },
    /// A checked run ([`RunSpec::check`]) broke an invariant: a bug in drsim, not in the
    /// scenario. The run stopped before the next event.
    InvariantViolated(Violation),
    /// The estimate ([`budget::estimate`]) is over the run's budget: refused before any event.
    OverBudget(String),
    /// A budget stopped the run (what [`RunOutput::stopped`] says), where the caller needs
    /// whole runs ([`RunOutput::whole`]: sweeps, plans).
    Stopped(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::SeriesTooLarge {
                samples,
                bytes,
                limit,
            } => write!(
                f,
                "the time series would hold {samples} samples, {} in memory, over the limit of {}; use a coarser sample_step, a shorter duration, or fewer VMs",
                crate::units::Bytes(*bytes),
                crate::units::Bytes(*limit)
            ),
            RunError::OverBudget(why) | RunError::Stopped(why) => f.write_str(why),
            RunError::InvariantViolated(v) => write!(
                f,
                "{v} (a bug in drsim: please report it with the scenario and seed)"
            ),
        }
    }
}

impl std::error::Error for RunError {}

/// Run one scenario. Deterministic: the same scenario, seed and options give the same
/// output, whatever the machine, the thread or the time of day.
pub fn run(spec: RunSpec<'_>) -> Result<RunOutput, RunError> {
    let sc = spec.scenario;
    if let Some(why) = budget::refuse(sc, &spec.budget, spec.keep_series) {
        return Err(RunError::OverBudget(why));
    }
    if spec.keep_series {
        if let Some(step) = sc.sample_step {
            let samples = sc.horizon.div_ceil(step.max(1));
            let bytes = Series::bytes_for(sc.vms.len(), sc.links.len(), sc.hosts.len(), samples);
            if bytes > spec.max_series_bytes {
                return Err(RunError::SeriesTooLarge {
                    samples,
                    bytes,
                    limit: spec.max_series_bytes,
                });
            }
        }
    }
    let done = crate::sim::simulate(
        sc,
        spec.seed,
        spec.keep_series,
        spec.halt,
        spec.check,
        spec.budget,
        spec.exact_host_peaks,
    )
    .map_err(RunError::InvariantViolated)?;
    Ok(RunOutput {
        seed: spec.seed,
        result: done.result,
        log: done.log,
        series: done.series,
        halted_at: done.halted_at,
        exceeded: done.exceeded,
    })
}
