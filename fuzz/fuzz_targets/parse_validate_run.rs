//! Parse + validate any bytes as a scenario file, and run the valid ones that are small
//! enough to finish in milliseconds (at most 20 VMs, a horizon of at most 2 days). Never a
//! panic: either located errors or a bounded run. Checked runs: an invariant violation is a
//! crash too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

/// Relative trace files resolve against the bundled scenarios, as the corpus's do.
const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/fuzz.toml");
const MAX_VMS: usize = 20;
const MAX_HORIZON_MS: u64 = 2 * 86_400_000;

fuzz_target!(|data: &[u8]| {
    let scenario = match drsim::scenario::from_bytes(data, Path::new(PATH)) {
        Ok(s) => s,
        Err(errors) => {
            // Every error is located: a file, and a line and column unless it is about the
            // file as a whole (unreadable) or a trace it names.
            for e in &errors.0 {
                assert!(!e.problem.is_empty(), "{e}");
            }
            let _ = errors.to_string();
            return;
        }
    };
    if scenario.vms.len() > MAX_VMS || scenario.horizon > MAX_HORIZON_MS {
        return;
    }
    let spec = drsim::run::RunSpec::new(&scenario).check(true);
    if let Err(e) = drsim::run::run(spec) {
        match e {
            drsim::run::RunError::InvariantViolated(v) => panic!("invariant violated: {v}"),
            // Refused or stopped by a run budget: a clean, explained end.
            drsim::run::RunError::SeriesTooLarge { .. }
            | drsim::run::RunError::OverBudget(_)
            | drsim::run::RunError::Stopped(_) => {}
        }
    }
});
