//! The limits of the model on a validated scenario: disk sizes and write rates outside
//! [`crate::units::MIN_DISK_SIZE`]..[`crate::units::MAX_DISK_SIZE`] and over
//! [`crate::units::MAX_CHURN`] (in the file, a profile or an imported trace) are refused,
//! so that no run meets a threshold it reaches with every write or byte counts that
//! overflow (issue 15).

use super::error::{line_col, ScenarioError};
use super::raw::RawScenario;
use crate::model::Scenario;
use crate::units::{churn_problem, disk_size_problem, MAX_CHURN, MAX_DISK_SIZE, MIN_DISK_SIZE};
use std::collections::BTreeSet;
use std::path::Path;

/// Every disk of `scenario` outside the limits, as errors about `path`, located at the
/// disk's field in `text` (or, for churn set on the VM or in a profile, the VM's `churn`,
/// else its table's name); once per `[[vms]]` table and field.
pub(super) fn check(
    scenario: &Scenario,
    raw: &RawScenario,
    text: &str,
    path: &Path,
) -> Vec<ScenarioError> {
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for (f, family) in scenario.vm_families.iter().enumerate() {
        let table = raw.vms.get(f);
        for vm in &scenario.vms[family.vms.clone()] {
            for (d, disk) in vm.disks.iter().enumerate() {
                let raw_disk = table.and_then(|t| t.disks.get_ref().get(d));
                let at = |span: Option<std::ops::Range<usize>>| {
                    let fallback = table.map_or(0..0, |t| t.name.span());
                    line_col(text, span.unwrap_or(fallback).start)
                };
                let mut error = |n: &str, span, problem: String, allowed: String| {
                    if !seen.insert((f, d, n.to_string())) {
                        return;
                    }
                    let (line, column) = at(span);
                    errors.push(ScenarioError {
                        file: path.to_path_buf(),
                        line,
                        column,
                        field: format!("vms[{f}].disks[{d}].{n}"),
                        problem: format!("VM \"{}\": {problem}", vm.name),
                        allowed: Some(allowed),
                        override_arg: None,
                    })
                };
                if let Some(p) = disk_size_problem(disk.size) {
                    let span = raw_disk.map(|r| r.size.span());
                    let allowed = format!("{MIN_DISK_SIZE} to {MAX_DISK_SIZE}");
                    error("size", span, p, allowed);
                }
                if let Some(p) = churn_problem(disk.workload.max_rate()) {
                    let span = raw_disk
                        .and_then(|r| r.churn.as_ref())
                        .or(table.and_then(|t| t.churn.as_ref()))
                        .map(|c| c.span());
                    error("churn", span, p, format!("at most {MAX_CHURN}"));
                }
            }
        }
    }
    errors
}
