//! The limits of the model on a validated scenario: disk sizes and write rates outside
//! [`crate::units::MIN_DISK_SIZE`]..[`crate::units::MAX_DISK_SIZE`] and over
//! [`crate::units::MAX_CHURN`] (in the file, a profile or an imported trace) are refused,
//! so that no run meets a threshold it reaches with every write or byte counts that
//! overflow (issue 15).

use super::error::ScenarioError;
use crate::model::Scenario;
use crate::units::{churn_problem, disk_size_problem, MAX_CHURN, MAX_DISK_SIZE, MIN_DISK_SIZE};
use std::path::Path;

/// Every disk of `scenario` outside the limits, as errors about `path`.
pub(super) fn check(scenario: &Scenario, path: &Path) -> Vec<ScenarioError> {
    let mut errors = Vec::new();
    let mut error = |field: String, problem: String, allowed: String| {
        errors.push(ScenarioError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            field,
            problem,
            allowed: Some(allowed),
            override_arg: None,
        })
    };
    for vm in &scenario.vms {
        for (d, disk) in vm.disks.iter().enumerate() {
            let field = |n: &str| format!("VM \"{}\": disks[{d}].{n}", vm.name);
            if let Some(p) = disk_size_problem(disk.size) {
                error(
                    field("size"),
                    p,
                    format!("{MIN_DISK_SIZE} to {MAX_DISK_SIZE}"),
                );
            }
            if let Some(p) = churn_problem(disk.workload.max_rate()) {
                error(field("churn"), p, format!("at most {MAX_CHURN}"));
            }
        }
    }
    errors
}
