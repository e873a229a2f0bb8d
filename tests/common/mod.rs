//! Helpers shared by the integration tests.
#![allow(dead_code)]

use drsim::sim::{self, EventRecord, HealthSpan, JobRecord, Recorder, RunResult, VmSample};
use std::path::Path;

/// Keeps what a run records, for assertions.
#[derive(Default)]
pub struct Memory {
    pub events: Vec<(u64, String, String, String, String)>,
    /// (time ms, vm, rpo ms, backlog bytes)
    pub samples: Vec<(u64, String, Option<u64>, u64)>,
    /// (vm, job, start ms, end ms, outcome, detail)
    pub jobs: Vec<(String, String, u64, Option<u64>, String, String)>,
    /// (vm, from ms, to ms, health, reason)
    pub health: Vec<(String, u64, u64, String, String)>,
}

impl Recorder for Memory {
    fn event(&mut self, r: &EventRecord<'_>) -> std::io::Result<()> {
        self.events.push((
            r.at,
            r.vm.into(),
            r.kind.into(),
            r.to.into(),
            r.detail.clone(),
        ));
        Ok(())
    }
    fn sample(&mut self, s: &VmSample<'_>) -> std::io::Result<()> {
        self.samples
            .push((s.at, s.vm.into(), s.rpo_ms, s.backlog_bytes));
        Ok(())
    }
    fn job(&mut self, j: &JobRecord<'_>) -> std::io::Result<()> {
        self.jobs.push((
            j.vm.into(),
            j.job.into(),
            j.started_at,
            j.ended_at,
            j.outcome.into(),
            j.detail.clone(),
        ));
        Ok(())
    }
    fn health(&mut self, h: &HealthSpan<'_>) -> std::io::Result<()> {
        self.health
            .push((h.vm.into(), h.from, h.to, h.health.into(), h.reason.into()));
        Ok(())
    }
}

/// Validate `text` as a scenario in `dir` (for relative trace files) and run it.
pub fn run_in(dir: &Path, text: &str) -> (RunResult, Memory) {
    let scenario = drsim::scenario::from_text(text, &dir.join("test.toml"))
        .unwrap_or_else(|e| panic!("scenario rejected:\n{e}"));
    let mut memory = Memory::default();
    let result = sim::run(&scenario, scenario.seed, &mut memory).expect("memory recorder");
    (result, memory)
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
