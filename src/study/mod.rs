//! Studies: many runs of one scenario. A [`Sweep`] is every combination of its axes' values
//! (`--set PATH=a..b:step`, `--set PATH=x,y`; see [`axes`]), each run for N replications with
//! seeds derived from a master seed ([`seeds`]). [`Sweep::prepare`] validates every point's
//! scenario before anything runs; [`run_sweep`] runs them on a rayon pool and keeps only each
//! run's key figures ([`metrics`]); [`output`] writes `runs.csv`, `points.csv` and
//! `sweep.json` in a fixed order, so that the files do not depend on the thread count.

pub mod axes;
pub mod charts;
pub mod metrics;
pub mod output;
pub mod seeds;
pub mod shard;
pub mod stats;

pub use axes::Axis;
pub use shard::Shard;

use crate::engine::stable_hash;
use crate::model::Scenario;
use crate::run::{RunError, RunOutput, RunSpec};
use crate::scenario::{self, Override, ScenarioError, ScenarioErrors};
use rayon::prelude::*;
use std::fmt;
use std::path::{Path, PathBuf};

/// The most runs one sweep may make.
pub const MAX_RUNS: u64 = 10_000_000;

/// One combination of the axes' values, with its validated scenario.
#[derive(Debug, Clone)]
pub struct Point {
    /// The value index on each axis.
    pub index: Vec<usize>,
    /// The overrides it applies, one per axis, in axis order.
    pub overrides: Vec<Override>,
    pub scenario: Scenario,
}

/// A validated sweep: ready to run.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub file: PathBuf,
    /// The scenario's name (of the first point).
    pub name: String,
    /// FNV-1a of the scenario file as written.
    pub file_hash: u64,
    pub axes: Vec<Axis>,
    /// Every combination, the first axis outermost, the last varying fastest.
    pub points: Vec<Point>,
    pub replications: u32,
    pub master_seed: u64,
    /// `estate`, then every VM family of any point, in first-seen order.
    pub scopes: Vec<String>,
}

/// One run's record: where it sits in the sweep, its seed and its metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub point: usize,
    pub replication: u32,
    pub seed: u64,
    /// Per scope of [`Sweep::scopes`]; `None` for a family this point's scenario lacks.
    pub metrics: Vec<Option<metrics::Values>>,
}

/// Why a sweep could not be prepared or run.
#[derive(Debug)]
pub enum SweepError {
    /// A `--set`, or a point's scenario, is not valid (every error found, each once).
    Scenario(ScenarioErrors),
    /// The sweep is too large, or has no replications.
    Size(String),
    /// A run failed.
    Run {
        point: usize,
        replication: u32,
        seed: u64,
        error: RunError,
    },
    /// A kept run's files could not be written.
    Io(String),
    /// The thread pool could not be built.
    Threads(String),
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepError::Scenario(e) => write!(f, "{e}"),
            SweepError::Size(m) | SweepError::Io(m) | SweepError::Threads(m) => {
                write!(f, "error: {m}")
            }
            SweepError::Run {
                point,
                replication,
                seed,
                error,
            } => write!(
                f,
                "error: point {point}, replication {replication} (seed {seed}): {error}"
            ),
        }
    }
}

impl std::error::Error for SweepError {}

impl Sweep {
    /// Read the scenario file and prepare a sweep over `sets` (`PATH=SPEC` arguments).
    pub fn load(
        file: &Path,
        sets: &[String],
        replications: u32,
        seed: Option<u64>,
    ) -> Result<Sweep, SweepError> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            SweepError::Scenario(ScenarioErrors(vec![ScenarioError {
                file: file.to_path_buf(),
                line: 0,
                column: 0,
                field: String::new(),
                problem: format!("cannot read the scenario file: {e}"),
                allowed: None,
                override_arg: None,
            }]))
        })?;
        Sweep::prepare(&text, file, sets, replications, seed)
    }

    /// Prepare a sweep of scenario `text` (read from `file`): parse the axes, build every
    /// point and validate its scenario with its overrides. Nothing runs; every error found is
    /// returned, each once.
    pub fn prepare(
        text: &str,
        file: &Path,
        sets: &[String],
        replications: u32,
        seed: Option<u64>,
    ) -> Result<Sweep, SweepError> {
        let mut errors = Vec::new();
        let mut axes = Vec::new();
        for arg in sets {
            match Axis::parse(arg) {
                Ok(a) => axes.push(a),
                Err(message) => {
                    // "--set ARG: problem\n  allowed: ..." as a located error of the file.
                    let body = message
                        .strip_prefix(&format!("--set {arg}: "))
                        .unwrap_or(&message);
                    let (problem, allowed) = match body.split_once("\n  allowed: ") {
                        Some((p, a)) => (p.to_string(), Some(a.to_string())),
                        None => (body.to_string(), None),
                    };
                    errors.push(ScenarioError {
                        file: file.to_path_buf(),
                        line: 0,
                        column: 0,
                        field: String::new(),
                        problem,
                        allowed,
                        override_arg: Some(arg.trim().to_string()),
                    });
                }
            }
        }
        if !errors.is_empty() {
            return Err(SweepError::Scenario(ScenarioErrors(errors)));
        }
        if replications == 0 {
            return Err(SweepError::Size("--replications must be at least 1".into()));
        }
        let combos = axes
            .iter()
            .try_fold(1u64, |n, a| n.checked_mul(a.values.len() as u64));
        let runs = combos.and_then(|c| c.checked_mul(u64::from(replications)));
        match runs {
            Some(r) if r <= MAX_RUNS => {}
            _ => {
                return Err(SweepError::Size(format!(
                    "the sweep would make {} runs ({} points x {replications} replications); the limit is {MAX_RUNS}",
                    runs.map_or("too many".to_string(), |r| r.to_string()),
                    combos.map_or("too many".to_string(), |c| c.to_string()),
                )))
            }
        }
        let combos = combos.unwrap_or(1) as usize;
        let mut points = Vec::with_capacity(combos);
        let mut seen: Vec<String> = Vec::new();
        for p in 0..combos {
            // Mixed radix, last axis fastest.
            let mut index = vec![0; axes.len()];
            let mut rest = p;
            for (k, a) in axes.iter().enumerate().rev() {
                index[k] = rest % a.values.len();
                rest /= a.values.len();
            }
            let overrides: Vec<Override> = axes
                .iter()
                .zip(&index)
                .map(|(a, &k)| a.override_at(k))
                .collect();
            match scenario::from_text_with(text, file, &overrides) {
                Ok(scenario) => points.push(Point {
                    index,
                    overrides,
                    scenario,
                }),
                Err(ScenarioErrors(es)) => {
                    // The same error at several points (an unknown path: once per value)
                    // is reported once, at the first; an error about a value names it.
                    for e in es {
                        let mut key = e.clone();
                        key.override_arg = key
                            .override_arg
                            .map(|a| a.split_once('=').map_or(a.clone(), |(p, _)| p.to_string()));
                        let key = format!("{key}|{}", e.problem);
                        if !seen.contains(&key) {
                            seen.push(key);
                            errors.push(e);
                        }
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(SweepError::Scenario(ScenarioErrors(errors)));
        }
        let first = &points[0].scenario;
        let mut scopes: Vec<String> = Vec::new();
        for p in &points {
            for s in metrics::scopes(&p.scenario) {
                if !scopes.contains(&s) {
                    scopes.push(s);
                }
            }
        }
        Ok(Sweep {
            file: file.to_path_buf(),
            name: first.name.clone(),
            file_hash: stable_hash(text.as_bytes()),
            master_seed: seed.unwrap_or(first.seed),
            axes,
            points,
            replications,
            scopes,
        })
    }

    /// How many runs the sweep makes.
    pub fn run_count(&self) -> usize {
        self.points.len() * self.replications as usize
    }

    /// The point and replication of run `r` (runs are numbered point by point).
    pub fn run_at(&self, r: usize) -> (usize, u32) {
        let n = self.replications as usize;
        (r / n, (r % n) as u32)
    }

    /// The seed of replication `i` (the same at every point).
    pub fn seed(&self, i: u32) -> u64 {
        seeds::replication_seed(self.master_seed, i)
    }

    /// The sweep's identity: every point's scenario hash (which covers its overrides), the
    /// replications and the master seed.
    pub fn hash(&self) -> u64 {
        let mut b = Vec::new();
        b.extend_from_slice(b"drsim/sweep");
        b.extend_from_slice(&self.file_hash.to_le_bytes());
        for p in &self.points {
            b.extend_from_slice(&p.scenario.hash.to_le_bytes());
            for o in &p.overrides {
                b.extend_from_slice(o.to_string().as_bytes());
                b.push(0);
            }
        }
        b.extend_from_slice(&self.replications.to_le_bytes());
        b.extend_from_slice(&self.master_seed.to_le_bytes());
        stable_hash(&b)
    }
}

/// How to run a sweep.
#[derive(Default)]
pub struct Options<'a> {
    /// Worker threads; `None` for one per core.
    pub threads: Option<usize>,
    /// Keep each run's time series (for a caller that writes the full outputs).
    pub keep_series: bool,
    /// Called after each run with its point's index, the point, the replication and the
    /// run's output, from a worker thread (a progress bar; writing a kept run's files). An
    /// error ends the sweep.
    #[allow(clippy::type_complexity)]
    pub each: Option<&'a (dyn Fn(usize, &Point, u32, &RunOutput) -> Result<(), String> + Sync)>,
    /// Run only this shard's runs (see [`shard`]); `None` for all.
    pub shard: Option<Shard>,
}

/// Run every point's replications (or a shard's share of them) in parallel; the records come
/// back in run order (point by point, replication by replication) whatever the thread count.
pub fn run_sweep(sweep: &Sweep, options: &Options<'_>) -> Result<Vec<RunRecord>, SweepError> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = options.threads {
        pool = pool.num_threads(n.max(1));
    }
    let pool = pool
        .build()
        .map_err(|e| SweepError::Threads(format!("cannot start the worker threads: {e}")))?;
    let one = |r: usize| -> Result<RunRecord, SweepError> {
        let (p, i) = sweep.run_at(r);
        let point = &sweep.points[p];
        let seed = sweep.seed(i);
        let out = crate::run::run(
            RunSpec::new(&point.scenario)
                .seed(seed)
                .keep_series(options.keep_series),
        )
        .and_then(|out| out.whole(&point.scenario))
        .map_err(|error| SweepError::Run {
            point: p,
            replication: i,
            seed,
            error,
        })?;
        let by_scope = metrics::of(&point.scenario, &out.result);
        let own = metrics::scopes(&point.scenario);
        let metrics = sweep
            .scopes
            .iter()
            .map(|s| own.iter().position(|o| o == s).map(|k| by_scope[k]))
            .collect();
        if let Some(each) = options.each {
            each(p, point, i, &out).map_err(SweepError::Io)?;
        }
        Ok(RunRecord {
            point: p,
            replication: i,
            seed,
            metrics,
        })
    };
    // collect() keeps the index order; the first error in run order wins, whichever thread
    // met it first.
    let runs: Vec<usize> = match options.shard {
        Some(k) => k.runs(sweep.run_count()).collect(),
        None => (0..sweep.run_count()).collect(),
    };
    let all: Vec<Result<RunRecord, SweepError>> =
        pool.install(|| runs.into_par_iter().map(one).collect());
    all.into_iter().collect()
}
