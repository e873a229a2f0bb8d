//! Helpers shared by the integration tests.
#![allow(dead_code)]

use drsim::run::{run as run_spec, RunOutput, RunSpec};
use drsim::sim::RunResult;
use std::path::Path;

/// What a run logged and sampled, as plain tuples for assertions.
#[derive(Default)]
pub struct Memory {
    /// (time ms, vm, event, to state, detail); a link's line (event `link`) has an empty vm.
    pub events: Vec<(u64, String, String, String, String)>,
    /// (time ms, vm, rpo ms, backlog bytes)
    pub samples: Vec<(u64, String, Option<u64>, u64)>,
    /// (vm, job, start ms, end ms, outcome, detail)
    pub jobs: Vec<(String, String, u64, Option<u64>, String, String)>,
    /// (vm, from ms, to ms, health, reason)
    pub health: Vec<(String, u64, u64, String, String)>,
}

impl Memory {
    /// The tuples of `out`, a run of `scenario`.
    pub fn of(scenario: &drsim::model::Scenario, out: &RunOutput) -> Memory {
        let name = |vm: usize| scenario.vms[vm].name.clone();
        let series = &out.series;
        let mut samples = Vec::new();
        for (i, &at) in series.times().iter().enumerate() {
            for vm in 0..scenario.vms.len() {
                let p = series.vm(i, vm);
                samples.push((at, name(vm), p.rpo_ms, p.backlog_bytes));
            }
        }
        Memory {
            events: out
                .log
                .events()
                .map(|r| {
                    (
                        r.at,
                        r.vm().map(name).unwrap_or_default(),
                        r.kind.to_string(),
                        r.to.to_string(),
                        r.detail.to_string(),
                    )
                })
                .collect(),
            samples,
            jobs: out
                .log
                .jobs()
                .map(|j| {
                    (
                        name(j.vm),
                        j.job.to_string(),
                        j.started_at,
                        j.ended_at,
                        j.outcome.to_string(),
                        j.detail.to_string(),
                    )
                })
                .collect(),
            health: out
                .log
                .health_spans()
                .map(|h| {
                    (
                        name(h.vm),
                        h.from,
                        h.to,
                        h.health.name().to_string(),
                        h.reason.to_string(),
                    )
                })
                .collect(),
        }
    }
}

/// Validate `text` as a scenario in `dir` (for relative trace files) and run it.
pub fn run_in(dir: &Path, text: &str) -> (RunResult, Memory) {
    let scenario = drsim::scenario::from_text(text, &dir.join("test.toml"))
        .unwrap_or_else(|e| panic!("scenario rejected:\n{e}"));
    let out = run_spec(RunSpec::new(&scenario)).expect("series within bounds");
    let memory = Memory::of(&scenario, &out);
    (out.result, memory)
}

pub fn run(text: &str) -> (RunResult, Memory) {
    run_in(Path::new("."), text)
}

/// A one-VM scenario: `link` and `vm` are TOML fragments inserted into the tables.
pub fn one_vm(start: &str, duration: &str, link: &str, policy: &str, vm: &str) -> String {
    format!(
        r#"
[scenario]
name = "t"
topology = "hyperv-to-azure"
start = "{start}"
duration = "{duration}"
sample_step = "1m"

[[links]]
name = "wan"
{link}

[[policies]]
name = "p"
{policy}

[[sites]]
name = "s"

[[hosts]]
name = "h"

[[vms]]
name = "vm"
{vm}
"#
    )
}

/// The errors of scenario `text`, read as `bad.toml`, which must be refused.
pub fn errors(text: &str) -> String {
    match drsim::scenario::from_text(text, Path::new("bad.toml")) {
        Ok(_) => panic!("accepted a bad scenario:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// The line (from 1) of the first line of `text` that holds `needle`.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle")
        + 1
}

/// Non-overlapping windows `(start_s, duration_s)` from (gap, duration) pairs, all starting
/// before `end`.
pub fn windows(pairs: &[(u64, u64)], end: u64) -> Vec<(u64, u64)> {
    let mut t = 0;
    pairs
        .iter()
        .map(|&(gap, dur)| {
            let start = t + gap;
            t = start + dur;
            (start, dur)
        })
        .filter(|&(start, _)| start < end)
        .collect()
}
