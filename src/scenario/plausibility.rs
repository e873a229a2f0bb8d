//! Warnings about a valid scenario that will not show what its writer probably meant: a VM
//! Azure refuses to protect, a throttle that never binds, a VM that writes faster than its
//! link can carry, a run too short for initial replication, a trace that ends before the run.
//! None of these refuses the file: each is something a scenario may want to show (a VM that
//! never catches up, a refused VM), so it is printed by `validate` and `run` and the exit
//! code stays 0.

use super::error::line_col;
use super::raw::{RawScenario, RawVm, Text};
use super::validate::Ctx;
use crate::engine::{RngStreams, Time};
use crate::model::workload::{BurstHours, DiskWrites, WorkloadKind, WorkloadSpec};
use crate::model::{Keyword, Scenario, Topology, VmFamily, VmSpec};
use crate::units::{ByteRate, Bytes, Millis};
use std::collections::BTreeMap;
use std::ops::Range;

const MINUTE: Time = 60_000;

/// Every plausibility warning of the valid `scenario` read from `raw`; `profiles` are the
/// validated `[[profiles]]` workloads by name.
pub(super) fn check(
    ctx: &mut Ctx,
    raw: &RawScenario,
    profiles: &BTreeMap<String, WorkloadSpec>,
    scenario: &Scenario,
) {
    // A scenario outside the model's limits is refused after validation, with errors that
    // say what to fix; the walks below rely on those limits (a year at the fastest churn
    // fits a byte count), so it gets no warnings.
    if !super::limits::check(scenario, raw, ctx.text, ctx.file).is_empty() {
        return;
    }
    azure_prerequisites(ctx, raw, scenario);
    throttles(ctx, raw, scenario);
    churn_over_link(ctx, raw, scenario);
    initial_replication(ctx, raw, scenario);
    short_traces(ctx, raw, profiles, scenario);
}

fn warn(ctx: &mut Ctx, span: Range<usize>, field: &str, what: String) {
    let (line, column) = line_col(ctx.text, span.start);
    ctx.warnings.push(format!(
        "warning: {}:{line}:{column}: {field}: {what}",
        ctx.file.display()
    ));
}

/// Who a `[[vms]]` table stamps out: `VM "sql01"`, or `the 60 VMs "app-01" to "app-60"`.
fn who(scenario: &Scenario, family: &VmFamily) -> String {
    let vms = &scenario.vms[family.vms.clone()];
    match vms {
        [one] => format!("VM \"{}\"", one.name),
        [first, .., last] => format!(
            "the {} VMs \"{}\" to \"{}\"",
            vms.len(),
            first.name,
            last.name
        ),
        [] => String::new(),
    }
}

/// Each `[[vms]]` table with the first VM it stamps out. Stamped VMs share their table's
/// disks, generation, host and churn, so what holds for the first holds for all, and the
/// warning is given once per table rather than once per VM.
fn families<'s>(
    raw: &'s RawScenario,
    scenario: &'s Scenario,
) -> impl Iterator<Item = (usize, &'s RawVm, &'s VmFamily, &'s VmSpec)> {
    raw.vms
        .iter()
        .zip(&scenario.vm_families)
        .enumerate()
        .filter(|(_, (_, f))| !f.vms.is_empty())
        .map(|(i, (v, f))| (i, v, f, &scenario.vms[f.vms.start]))
}

/// Azure's prerequisite check of Enable protection (OS disk size by generation, data disk
/// size and count, shared VHDs) for hyperv-to-azure, the topology whose run applies it.
///
/// A warning, not an error: the sources say the job fails and the VM stays unprotected, and
/// the run shows exactly that (jobs.csv has the failed job and its reason), which a scenario
/// may be written to demonstrate. What the warning adds is seeing it before the run, at the
/// field that breaks the rule. A VM protected at the start never runs the job, and one whose
/// protection starts after the run never reaches it: neither is reported.
fn azure_prerequisites(ctx: &mut Ctx, raw: &RawScenario, scenario: &Scenario) {
    if scenario.topology != Topology::HyperVToAzure {
        return;
    }
    for (i, v, family, vm) in families(raw, scenario) {
        if vm.protected_at_start || vm.protect_at >= scenario.horizon {
            continue;
        }
        let plural = family.vms.len() > 1;
        for broken in vm.azure_support_violations() {
            let disks = v.disks.get_ref();
            let (span, field) = match broken.disk {
                Some(d) => {
                    let span = match broken.field {
                        "shared" => disks[d].shared.as_ref().map(|s| s.span()),
                        _ => None,
                    };
                    (
                        span.unwrap_or_else(|| disks[d].size.span()),
                        format!("vms[{i}].disks[{d}].{}", broken.field),
                    )
                }
                None => (v.disks.span(), format!("vms[{i}].disks")),
            };
            let outcome = if plural {
                "their Enable protection jobs fail Azure's prerequisite check and they stay unprotected"
            } else {
                "its Enable protection job fails Azure's prerequisite check and it stays unprotected"
            };
            let what = format!("{}: {}: {outcome}", who(scenario, family), broken.problem);
            warn(ctx, span, &field, what);
        }
    }
}

/// A link's throttle limits and per-VM cap above its capacity: they never slow anything.
fn throttles(ctx: &mut Ctx, raw: &RawScenario, scenario: &Scenario) {
    for (i, (l, link)) in raw.links.iter().zip(&scenario.links).enumerate() {
        let limits = [
            (
                "work_hours_limit",
                &l.work_hours_limit,
                link.work_hours_limit,
            ),
            (
                "non_work_hours_limit",
                &l.non_work_hours_limit,
                link.non_work_hours_limit,
            ),
            ("per_vm_cap", &l.per_vm_cap, link.per_vm_cap),
        ];
        for (name, written, value) in limits {
            let (Some(written), Some(value)) = (written, value) else {
                continue;
            };
            if value > link.capacity {
                let what = if name == "per_vm_cap" {
                    "the cap never slows a VM"
                } else {
                    "the limit never slows the link"
                };
                warn(
                    ctx,
                    written.span(),
                    &format!("links[{i}].{name}"),
                    format!(
                        "{value} is above the link's capacity, {}: {what}",
                        link.capacity
                    ),
                );
            }
        }
    }
}

/// A VM whose churn alone is more than its link can carry.
///
/// The mean over the run, not the peak: a peak above the link is normal (a burst or a working
/// day queues and drains later), while a mean above it means the VM's backlog can only grow,
/// whatever the other VMs do. The ceiling is the link's capacity, or its per-VM cap when
/// lower; churn counts on the wire, after the policy's compression.
fn churn_over_link(ctx: &mut Ctx, raw: &RawScenario, scenario: &Scenario) {
    for (i, v, family, vm) in families(raw, scenario) {
        let site = &scenario.sites[scenario.hosts[vm.host].site];
        let Some(l) = site.link else { continue };
        let link = &scenario.links[l];
        let ratio = scenario.policies[site.policy].compression_ratio;
        let mean = vm_mean_churn(scenario, vm);
        let wire = ByteRate((mean.0 as f64 / ratio).round() as u64);
        let (ceiling, which) = match link.per_vm_cap {
            Some(cap) if cap < link.capacity => (cap, "per-VM cap"),
            _ => (link.capacity, "capacity"),
        };
        if wire <= ceiling {
            continue;
        }
        let (span, field) = match &v.churn {
            Some(c) => (c.span(), format!("vms[{i}].churn")),
            None => (v.disks.span(), format!("vms[{i}].disks")),
        };
        let writes = if family.vms.len() > 1 {
            "each writes"
        } else {
            "writes"
        };
        let on_wire = if ratio == 1.0 {
            String::new()
        } else {
            format!(", {wire} on the wire after compression_ratio {ratio}")
        };
        warn(
            ctx,
            span,
            &field,
            format!(
                "{}: {writes} a mean of {mean} over the run{on_wire}, above the {ceiling} {which} of link \"{}\": replication cannot keep up and the backlog only grows",
                who(scenario, family),
                link.name
            ),
        );
    }
}

/// The VM's writes over the run, as a mean rate: the sum of its disks' means.
fn vm_mean_churn(scenario: &Scenario, vm: &VmSpec) -> ByteRate {
    let streams = RngStreams::new(scenario.seed);
    let sum: u128 = vm
        .disks
        .iter()
        .enumerate()
        .map(|(d, disk)| {
            // The stream the simulation gives the disk, though no kind walked here uses it.
            let rng = || streams.stream(&format!("vm/{}/disk/{d}/workload", vm.name));
            u128::from(mean_rate(&disk.workload, scenario, &rng).0)
        })
        .sum();
    ByteRate(u64::try_from(sum).unwrap_or(u64::MAX))
}

/// A workload's mean rate over the run. Deterministic kinds are walked segment by segment
/// (exact, and cheap: a segment per calendar change or trace row); bursts take their expected
/// rate, as walking a burst stream of millisecond gaps over a year would cost the run's time.
fn mean_rate(
    spec: &WorkloadSpec,
    scenario: &Scenario,
    rng: &dyn Fn() -> rand_chacha::ChaCha8Rng,
) -> ByteRate {
    let horizon = scenario.horizon.max(1);
    match spec {
        WorkloadSpec::Constant { rate } => *rate,
        WorkloadSpec::OfficeHours { .. } | WorkloadSpec::Trace { .. } => {
            let mut w = DiskWrites::new(spec.clone(), &scenario.calendar, rng());
            let bytes = w.written_by(horizon, &scenario.calendar);
            // bytes per ms = 10^6 mB/s.
            let mbps = u128::from(bytes) * 1_000_000 / u128::from(horizon);
            ByteRate(u64::try_from(mbps).unwrap_or(u64::MAX))
        }
        WorkloadSpec::Bursts {
            base,
            burst_rate,
            mean_gap_ms,
            size_median_bytes,
            size_sigma,
            hours,
        } => {
            // A cycle is a gap (mean `mean_gap_ms`) then a burst writing a lognormal size
            // (mean median * e^(sigma^2 / 2)) at `burst_rate`; with `hours = "work"` only in
            // the run's share of work hours.
            let size = *size_median_bytes as f64 * (size_sigma * size_sigma / 2.0).exp();
            let burst_ms = size * 1e6 / burst_rate.0.max(1) as f64;
            let share = match hours {
                BurstHours::Always => 1.0,
                BurstHours::Work => {
                    let unit = ByteRate::from_bytes_per_s(1000);
                    let work = WorkloadSpec::OfficeHours {
                        peak: unit,
                        base: ByteRate(0),
                    };
                    mean_rate(&work, scenario, rng).0 as f64 / unit.0 as f64
                }
            };
            let extra = share * size * 1e6 / (*mean_gap_ms as f64 + burst_ms);
            ByteRate(base.0.saturating_add(extra.round() as u64))
        }
        WorkloadSpec::Sum { parts } => ByteRate(
            parts
                .iter()
                .map(|p| mean_rate(p, scenario, rng).0)
                .fold(0, u64::saturating_add),
        ),
    }
}

/// A link whose VMs' initial replication cannot fit in the run even at its full capacity:
/// the used bytes of every VM behind it that starts protection in the run (on the wire,
/// after compression) take longer than the run lasts.
fn initial_replication(ctx: &mut Ctx, raw: &RawScenario, scenario: &Scenario) {
    let mut per_link: BTreeMap<usize, (u128, usize)> = BTreeMap::new();
    for vm in &scenario.vms {
        if vm.protected_at_start || vm.protect_at >= scenario.horizon {
            continue;
        }
        let site = &scenario.sites[scenario.hosts[vm.host].site];
        let Some(l) = site.link else { continue };
        let ratio = scenario.policies[site.policy].compression_ratio;
        let used = vm.used_size();
        let wire = if ratio == 1.0 {
            used
        } else {
            (used as f64 / ratio).ceil() as u64
        };
        let entry = per_link.entry(l).or_default();
        entry.0 += u128::from(wire);
        entry.1 += 1;
    }
    for (l, (bytes, vms)) in per_link {
        let link = &scenario.links[l];
        let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
        let need = link.capacity.millis_for(bytes).unwrap_or(u64::MAX);
        if need <= scenario.horizon {
            continue;
        }
        // Whole minutes, rounded up: the figure is a lower bound.
        let need = Millis(need.div_ceil(MINUTE).saturating_mul(MINUTE));
        let vms = match vms {
            1 => "the VM".to_string(),
            n => format!("the {n} VMs"),
        };
        warn(
            ctx,
            raw.links[l].capacity.span(),
            &format!("links[{l}].capacity"),
            format!(
                "initial replication of {vms} behind link \"{}\" sends {}, which takes at least {need} at its full {}; the run lasts {}: not every VM can finish initial replication in the run",
                link.name,
                Bytes(bytes),
                link.capacity,
                Millis(scenario.horizon)
            ),
        );
    }
}

/// A `trace` profile whose rows end before the run does: its last rate holds to the end
/// [ours], which a trace of one day replayed in a week's run rarely means. The rows cover up
/// to the last one plus the step between the last two (a trace sampled hourly whose last row
/// is at 23:00 covers the day); a one-row trace is a constant rate and covers any run.
/// Imported files (perfmon, disk-bytes) have their own warning where they are read.
fn short_traces(
    ctx: &mut Ctx,
    raw: &RawScenario,
    profiles: &BTreeMap<String, WorkloadSpec>,
    scenario: &Scenario,
) {
    for (i, p) in raw.profiles.iter().enumerate() {
        if WorkloadKind::parse(p.kind.get_ref()) != Some(WorkloadKind::Trace) {
            continue;
        }
        let Some(WorkloadSpec::Trace { points }) = profiles.get(p.name.get_ref()) else {
            continue;
        };
        let [.., (before, _), (last, rate)] = points[..] else {
            continue;
        };
        let step = last - before;
        let covered = last.saturating_add(step);
        if covered >= scenario.horizon {
            continue;
        }
        let file: &Text = p.file.as_ref().expect("a trace profile has a file");
        warn(
            ctx,
            file.span(),
            &format!("profiles[{i}].file"),
            format!(
                "the trace covers {} (its last row at {} plus the {} between its last two rows), the run {}: its last rate, {rate}, holds for the remaining {} [ours]",
                Millis(covered),
                Millis(last),
                Millis(step),
                Millis(scenario.horizon),
                Millis(scenario.horizon - covered)
            ),
        );
    }
}
