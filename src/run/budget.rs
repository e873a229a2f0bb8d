//! Run budgets (issue 15): the events a run may process and the bytes of tables it may
//! write. Before simulating, [`estimate`] bounds both from the scenario alone and a run over
//! a budget is refused with the way out; during the run the same budgets are enforced (the
//! event count before every event, the output at every checkpoint), so an estimate that was
//! wrong still stops cleanly, with the results up to that instant marked as partial.
//!
//! The estimate is a simple formula, deliberately generous (every bundled scenario comes
//! out between 1.5 and 30 times its real count, see `tests/budgets.rs`):
//!
//! - **events** = sum over VMs of `(horizon / copy_interval + 1) * 12` (a delta cycle's tick,
//!   transfer, link wake-ups, staleness check and retries) `+ horizon / health_interval + 64`
//!   (enabling, initial replication, jobs), plus per time-series sample 1, plus per link with
//!   random outages `2 * (VMs + 1) * (horizon / mtbf + 1)` (every VM on the link reacts to
//!   an outage and its repair).
//! - **output bytes** = the time series' rows (`samples * (VMs + links + hosts)`, samples =
//!   `horizon / sample_step + 1`) at [`row_bytes`] each, plus 1 KiB per VM (its rows in
//!   vms.csv and rollups.csv and its share of the event log).
//!
//! Defaults [ours]: [`DEFAULT_MAX_EVENTS`] (2e9) and [`DEFAULT_MAX_OUTPUT_BYTES`] (2 GiB of
//! tables); docs/model-card.md lists what the canonical estates use. A budget the caller
//! chose (`--max-events`, `--max-output-size`) is a stop, not a refusal: the run goes as far
//! as it allows and its results are marked partial.

use crate::engine::Time;
use crate::model::Scenario;

/// [ours] The most events a run may process unless the caller says otherwise.
pub const DEFAULT_MAX_EVENTS: u64 = 2_000_000_000;

/// [ours] The most bytes of tables (the CSV files) a run may write unless the caller says
/// otherwise: 2 GiB.
pub const DEFAULT_MAX_OUTPUT_BYTES: u64 = 2 << 30;

/// Events per delta cycle in the estimate (an upper bound of what a cycle costs).
const EVENTS_PER_CYCLE: u64 = 12;
/// Events per VM beside its cycles (enabling, initial replication, jobs).
const EVENTS_PER_VM: u64 = 64;
/// Bytes per VM beside its time series (vms.csv, rollups.csv, its events).
const OUTPUT_BYTES_PER_VM: u64 = 1024;

/// What a run may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Events processed (stale ones included).
    pub max_events: u64,
    /// Bytes of the CSV tables.
    pub max_output_bytes: u64,
    /// Refuse a run whose estimate is over a budget before it starts (default). Off, the
    /// budgets only stop the run where it reaches one (a caller who chose them accepts a
    /// partial run: `drsim run --max-events N`).
    pub refuse_over_estimate: bool,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_events: DEFAULT_MAX_EVENTS,
            max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES,
            refuse_over_estimate: true,
        }
    }
}

/// What a run will use at most, by [`estimate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    pub events: u64,
    /// Time-series rows (every VM, link and host at every sample).
    pub series_rows: u64,
    pub output_bytes: u64,
}

/// Which budget a run reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    Events {
        limit: u64,
    },
    Output {
        limit: u64,
    },
    /// The event log's detail text reached [`MAX_LOG_TEXT`] bytes in memory.
    LogText {
        limit: u64,
    },
}

/// [ours] The most detail text the event log holds in memory: it keeps 32-bit offsets into
/// one string, so a run stops (marked partial) at 2 GiB of it, whatever its output budget.
pub const MAX_LOG_TEXT: u64 = 2 << 30;

impl Exceeded {
    /// "event budget of N reached; rerun with ...": what the terminal and summary.json say
    /// after "stopped at <time>: ".
    pub fn explain(&self) -> String {
        match *self {
            Exceeded::Events { limit } => format!(
                "event budget of {} reached; rerun with --max-events {} (or a shorter duration)",
                crate::units::thousands(limit),
                limit.saturating_mul(10)
            ),
            Exceeded::Output { limit } => format!(
                "output budget of {} reached; rerun with a coarser sample_step, a shorter duration or --max-output-size {}",
                crate::units::Bytes(limit),
                crate::units::Bytes(limit.saturating_mul(10)).exact_arg()
            ),
            Exceeded::LogText { limit } => format!(
                "the event log's text reached {} in memory, its limit; rerun with a shorter duration",
                crate::units::Bytes(limit)
            ),
        }
    }
}

/// Time-series samples of a run (0 without a sample step).
pub fn samples(sc: &Scenario) -> u64 {
    sc.sample_step
        .map_or(0, |step| sc.horizon / step.max(1) + 1)
}

/// Bytes of one time-series row and of one event-log row (without its detail text): a
/// fixed part (times, states, numbers) and the longest names.
pub fn row_bytes(sc: &Scenario) -> (u64, u64) {
    let longest = |names: &mut dyn Iterator<Item = usize>| names.max().unwrap_or(0) as u64;
    let vm = longest(&mut sc.vms.iter().map(|v| v.name.len()));
    let link = longest(&mut sc.links.iter().map(|l| l.name.len()));
    let host = longest(&mut sc.hosts.iter().map(|h| h.name.len()));
    (128 + vm.max(host) + link, 128 + vm)
}

/// The upper-bound estimate of a run's events and output (see the module docs), with its
/// time series kept.
pub fn estimate(sc: &Scenario) -> Estimate {
    estimate_with(sc, true)
}

/// [`estimate`]; `keep_series`: the run keeps (and writes) its time series.
pub fn estimate_with(sc: &Scenario, keep_series: bool) -> Estimate {
    let horizon = sc.horizon;
    let per = |every: Time| horizon / every.max(1) + 1;
    let mut events: u64 = 0;
    let mut vms_on_link = vec![0u64; sc.links.len()];
    for vm in &sc.vms {
        let site = &sc.sites[sc.hosts[vm.host].site];
        let policy = &sc.policies[site.policy];
        let cycles = per(policy.copy_interval).saturating_mul(EVENTS_PER_CYCLE);
        events = events
            .saturating_add(cycles)
            .saturating_add(per(policy.health_interval))
            .saturating_add(EVENTS_PER_VM);
        if let Some(l) = site.link {
            vms_on_link[l] += 1;
        }
    }
    let samples = samples(sc);
    events = events.saturating_add(samples);
    let samples = if keep_series { samples } else { 0 };
    for (link, on) in sc.links.iter().zip(&vms_on_link) {
        if let Some(r) = &link.random_outages {
            events = events.saturating_add(per(r.mtbf).saturating_mul(2 * (on + 1)));
        }
    }
    let rows_per_sample = (sc.vms.len() + sc.links.len() + sc.hosts.len()) as u64;
    let series_rows = samples.saturating_mul(rows_per_sample);
    let output_bytes = series_rows
        .saturating_mul(row_bytes(sc).0)
        .saturating_add(OUTPUT_BYTES_PER_VM.saturating_mul(sc.vms.len() as u64));
    Estimate {
        events,
        series_rows,
        output_bytes,
    }
}

/// Measures the bytes of tables a run has produced so far, with the same row sizes as
/// [`estimate`].
#[derive(Debug, Clone, Copy)]
pub struct OutputMeter {
    per_sample: u64,
    per_log_row: u64,
    fixed: u64,
}

impl OutputMeter {
    pub fn new(sc: &Scenario) -> Self {
        let (series_row, log_row) = row_bytes(sc);
        let rows_per_sample = (sc.vms.len() + sc.links.len() + sc.hosts.len()) as u64;
        OutputMeter {
            per_sample: rows_per_sample.saturating_mul(series_row),
            per_log_row: log_row,
            fixed: OUTPUT_BYTES_PER_VM.saturating_mul(sc.vms.len() as u64),
        }
    }

    /// `log_rows` rows with `text` bytes of detail, and `samples` time-series samples.
    pub fn bytes(&self, log_rows: u64, text: u64, samples: u64) -> u64 {
        samples
            .saturating_mul(self.per_sample)
            .saturating_add(log_rows.saturating_mul(self.per_log_row))
            .saturating_add(text)
            .saturating_add(self.fixed)
    }
}

/// Why a run was refused before it started (`keep_series`: the run keeps its time series).
pub fn refuse(sc: &Scenario, budget: &Budget, keep_series: bool) -> Option<String> {
    if !budget.refuse_over_estimate {
        return None;
    }
    let e = estimate_with(sc, keep_series);
    if e.output_bytes > budget.max_output_bytes {
        let step = sc
            .sample_step
            .map_or(String::from("off"), |s| crate::units::Millis(s).to_string());
        return Some(format!(
            "the run would write up to {} of tables ({} time-series rows at a sample_step of {step}), over the output budget of {}; use a coarser sample_step or a shorter duration, or write at most SIZE with --max-output-size SIZE (the results then stop there, partial)",
            crate::units::Bytes(e.output_bytes),
            crate::units::thousands(e.series_rows),
            crate::units::Bytes(budget.max_output_bytes)
        ));
    }
    if e.events > budget.max_events {
        return Some(format!(
            "the run would process up to {} events, over the event budget of {}; use a shorter duration, fewer VMs, a longer copy_interval or a coarser sample_step, or run at most N events with --max-events N (the results then stop there, partial)",
            crate::units::thousands(e.events),
            crate::units::thousands(budget.max_events)
        ));
    }
    None
}
