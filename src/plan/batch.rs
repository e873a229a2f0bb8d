//! The initial-replication batch plan (`drsim plan --ir-goal 72h`): named, ordered batches of
//! `[[vms]]` tables so that initial replication (IR) of the estate ends within the goal.
//!
//! [ours] The method, a greedy verified by simulation:
//! - the unit is a `[[vms]]` table (a family: all the VMs it stamps out), since a batch is
//!   written as `batch = "ir-k"` on a table; tables whose VMs are protected at the start,
//!   already have a `protect_after`, or are outside the plan's scope are left as written;
//! - tables are taken largest first (used bytes; file order on ties); batch `ir-k` waits
//!   for `ir-(k-1)` with `protect_after`;
//! - a table joins the last batch if (static) the batch's used bytes fit what the link
//!   carries in the goal, and (simulated, one run at the scenario's seed, the tables not yet
//!   placed left unprotected) every placed VM is protected within the goal, no VM needs a
//!   resync (the 50% rule), every host volume's exact peak stays under its free space and
//!   every protected VM's RPO is within the target for the plan's percent of its protected
//!   time (earlier batches' deltas keep up); otherwise it starts a new batch.
//!
//! The runs use the scenario as the user wrote it (today's churn: no growth, IR happens
//! now) at the planned bandwidth (the every-VM answer, throttle lifted), exactly what
//! `plan-scenario.toml` holds, so `drsim run` on that file gives the same times.

use super::{rate_of_bps, PlanError};
use crate::engine::Time;
use crate::model::{ProtectAfter, Scenario};
use crate::run::{run, RunSpec};
use crate::sim::RunResult;
use crate::units::{Bytes, Millis};
use serde::Serialize;
use std::fmt::Write as _;

/// [src: issue 17] The default goal for initial replication of the estate.
pub const DEFAULT_IR_GOAL: Time = 72 * 3_600_000;

/// One planned batch and its simulated times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Batch {
    pub name: String,
    /// The `[[vms]]` tables in it, in the order they joined: each by its name, and where
    /// tables share a name, with its VMs' span (`sql:sql-03..sql-04`).
    pub tables: Vec<String>,
    /// The same tables by position among the file's `[[vms]]` tables.
    #[serde(skip)]
    pub table_positions: Vec<usize>,
    pub vms: usize,
    pub used_bytes: u64,
    /// The first enable of its VMs and the last protection (None: some VM never protected).
    pub start_ms: Option<Time>,
    pub end_ms: Option<Time>,
}

/// The batch plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchPlan {
    pub ir_goal_ms: Time,
    pub bandwidth_bps: u64,
    /// What the link carries in the goal: the most a batch may copy.
    pub goal_bytes: u64,
    pub batches: Vec<Batch>,
    /// The last protection of a batched VM (None: some never protected).
    pub ir_completion_ms: Option<Time>,
    pub met: bool,
    /// Why a table could not join the batch before it, and other findings, in order.
    pub notes: Vec<String>,
    pub runs: u64,
}

/// The tables the plan batches: every VM needs initial replication, none waits already,
/// all in the plan's scope.
fn batchable(sc: &Scenario, scope: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = (0..sc.vm_families.len())
        .filter(|&f| {
            let r = sc.vm_families[f].vms.clone();
            !r.is_empty()
                && r.clone().all(|v| {
                    let s = &sc.vms[v];
                    !s.protected_at_start && s.protect_after.is_none() && scope.contains(&v)
                })
        })
        .collect();
    let used = |f: usize| -> u64 {
        sc.vm_families[f]
            .vms
            .clone()
            .map(|v| sc.vms[v].used_size())
            .sum()
    };
    out.sort_by(|&a, &b| used(b).cmp(&used(a)).then(a.cmp(&b)));
    out
}

/// Table `f` as a plan names it: its `name`, and where tables share that name (numbering
/// on across them), its VMs' span too, so that each batch says which one it holds.
fn table_label(sc: &Scenario, f: usize) -> String {
    let family = &sc.vm_families[f];
    let shared = sc
        .vm_families
        .iter()
        .filter(|o| o.name == family.name)
        .count()
        > 1;
    match (shared, family.vms.clone().next(), family.vms.clone().last()) {
        (true, Some(a), Some(b)) => {
            format!("{}:{}..{}", family.name, sc.vms[a].name, sc.vms[b].name)
        }
        _ => family.name.clone(),
    }
}

/// The batch name of position `k` (from 0).
pub fn batch_name(k: usize) -> String {
    format!("ir-{}", k + 1)
}

/// `sc` with `batches` (lists of tables) chained by `protect_after`; with `park`, the
/// tables in `pending` are never enabled.
pub fn batched(sc: &Scenario, batches: &[Vec<usize>], pending: &[usize]) -> Scenario {
    let mut out = sc.clone();
    let vms_of = |tables: &[usize]| -> Vec<usize> {
        let mut v: Vec<usize> = tables
            .iter()
            .flat_map(|&f| sc.vm_families[f].vms.clone())
            .collect();
        v.sort_unstable();
        v
    };
    for (k, tables) in batches.iter().enumerate() {
        let after = (k > 0).then(|| ProtectAfter {
            name: batch_name(k - 1),
            vms: vms_of(&batches[k - 1]),
            delay: 0,
        });
        for v in vms_of(tables) {
            out.vms[v].batch = Some(batch_name(k));
            out.vms[v].protect_after = after.clone();
        }
    }
    for v in vms_of(pending) {
        out.vms[v].protect_at = out.horizon;
    }
    out
}

/// The scenario of the batch runs: the user's, its link at `bps` with no throttle, every
/// policy judged against `target_rpo`.
pub fn at_bandwidth(sc: &Scenario, link: usize, bps: u64) -> Scenario {
    let mut out = sc.clone();
    let l = &mut out.links[link];
    l.capacity = rate_of_bps(bps);
    l.work_hours_limit = None;
    l.non_work_hours_limit = None;
    out
}

/// Why the run of `placed` tables breaks a rule, if it does.
fn broken(
    sc: &Scenario,
    r: &RunResult,
    placed: &[usize],
    goal: Time,
    percent: f64,
    target_rpo: Time,
) -> Option<String> {
    for &f in placed {
        for v in sc.vm_families[f].vms.clone() {
            let vm = &r.vms[v];
            match vm.protected_at {
                None => return Some(format!("{} is never protected", vm.name)),
                Some(t) if t > goal => {
                    return Some(format!(
                        "{} is protected at {}, after the goal",
                        vm.name,
                        Millis(t)
                    ))
                }
                _ => {}
            }
        }
    }
    if let Some(v) = r.vms.iter().find(|v| !v.resyncs.is_empty()) {
        return Some(format!(
            "{} needs a resync ({})",
            v.name, v.resyncs[0].cause
        ));
    }
    for (h, host) in sc.hosts.iter().enumerate() {
        let Some(free) = host.volume_free else {
            continue;
        };
        let (peak, full) = (
            r.hosts[h].peak_volume_used_bytes,
            r.hosts[h].volume_full_events,
        );
        if full > 0 || peak >= free.0 {
            return Some(format!(
                "host {}'s volume peaks at {} of {} free",
                host.name,
                Bytes(peak),
                free
            ));
        }
    }
    for vm in &r.vms {
        if let Some(f) = vm.rpo.target_met_fraction {
            if f * 100.0 < percent - 1e-9 {
                return Some(format!(
                    "{}'s RPO is within {} for {:.2}% of its protected time, under {percent}%",
                    vm.name,
                    Millis(target_rpo),
                    f * 100.0
                ));
            }
        }
    }
    None
}

/// Plan the batches of `user` (the scenario as loaded) at `bps` on link `link`.
pub fn plan(
    user: &Scenario,
    link: usize,
    scope: &[usize],
    bps: u64,
    goal: Time,
    percent: f64,
    target_rpo: Time,
) -> Result<BatchPlan, PlanError> {
    if goal == 0 {
        return Err(PlanError::Input("--ir-goal must be above 0".into()));
    }
    let mut base = at_bandwidth(user, link, bps);
    for p in &mut base.policies {
        p.target_rpo = target_rpo;
    }
    let order = batchable(&base, scope);
    let goal_bytes = u64::try_from(u128::from(bps) * u128::from(goal) / 8_000).unwrap_or(u64::MAX);
    let used = |f: usize| -> u64 {
        base.vm_families[f]
            .vms
            .clone()
            .map(|v| base.vms[v].used_size())
            .sum()
    };
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut notes = Vec::new();
    let mut runs = 0;
    let mut last: Option<RunResult> = None;
    let mut sim = |batches: &[Vec<usize>], pending: &[usize]| -> Result<RunResult, PlanError> {
        let sc = batched(&base, batches, pending);
        runs += 1;
        run(RunSpec::new(&sc).keep_series(false).exact_host_peaks(true))
            .map(|o| o.result)
            .map_err(|error| PlanError::Run {
                seed: sc.seed,
                error,
            })
    };
    for (i, &f) in order.iter().enumerate() {
        let pending = &order[i + 1..];
        let name = table_label(&base, f);
        if used(f) > goal_bytes {
            notes.push(format!(
                "{name} alone copies {}, more than the link carries in the goal ({}): it has a batch of its own and cannot finish in time",
                Bytes(used(f)),
                Bytes(goal_bytes)
            ));
        }
        if let Some(tail) = batches.last() {
            let joined: u64 = tail.iter().map(|&t| used(t)).sum::<u64>() + used(f);
            if joined <= goal_bytes {
                let mut trial = batches.clone();
                trial.last_mut().expect("a batch").push(f);
                let placed: Vec<usize> = trial.iter().flatten().copied().collect();
                let r = sim(&trial, pending)?;
                match broken(&base, &r, &placed, goal, percent, target_rpo) {
                    None => {
                        batches = trial;
                        last = Some(r);
                        continue;
                    }
                    Some(why) => notes.push(format!(
                        "{name} starts {}: with it in {}, {why}",
                        batch_name(batches.len()),
                        batch_name(batches.len() - 1)
                    )),
                }
            } else {
                notes.push(format!(
                    "{name} starts {}: {} would copy {}, more than the link carries in the goal ({})",
                    batch_name(batches.len()),
                    batch_name(batches.len() - 1),
                    Bytes(joined),
                    Bytes(goal_bytes)
                ));
            }
        }
        batches.push(vec![f]);
        let placed: Vec<usize> = batches.iter().flatten().copied().collect();
        let r = sim(&batches, pending)?;
        if let Some(why) = broken(&base, &r, &placed, goal, percent, target_rpo) {
            notes.push(format!("{}: {why}", batch_name(batches.len() - 1)));
        }
        last = Some(r);
    }
    let mut out = Vec::new();
    let mut completion = Some(0);
    if let Some(r) = &last {
        for (k, tables) in batches.iter().enumerate() {
            let vms: Vec<usize> = tables
                .iter()
                .flat_map(|&f| base.vm_families[f].vms.clone())
                .collect();
            let start = vms
                .iter()
                .filter_map(|&v| r.vms[v].protection_enabled_at)
                .min();
            let end = vms
                .iter()
                .map(|&v| r.vms[v].protected_at)
                .collect::<Option<Vec<Time>>>()
                .and_then(|t| t.into_iter().max());
            completion = match (completion, end) {
                (Some(c), Some(e)) => Some(c.max(e)),
                _ => None,
            };
            out.push(Batch {
                name: batch_name(k),
                tables: tables.iter().map(|&f| table_label(&base, f)).collect(),
                table_positions: tables.clone(),
                vms: vms.len(),
                used_bytes: tables.iter().map(|&f| used(f)).sum(),
                start_ms: start,
                end_ms: end,
            });
        }
    }
    let placed: Vec<usize> = batches.iter().flatten().copied().collect();
    let met = match &last {
        Some(r) => broken(&base, r, &placed, goal, percent, target_rpo).is_none(),
        None => true,
    };
    Ok(BatchPlan {
        ir_goal_ms: goal,
        bandwidth_bps: bps,
        goal_bytes,
        batches: out,
        ir_completion_ms: if batches.is_empty() { None } else { completion },
        met,
        notes,
        runs,
    })
}

/// The terminal text of a batch plan.
pub fn terminal(b: &BatchPlan) -> String {
    let mut o = String::new();
    if b.batches.is_empty() {
        o += "initial replication batches: none (no [[vms]] table needs initial replication)\n";
        return o;
    }
    let _ = writeln!(
        o,
        "initial replication batches at {} (goal {}: {} per batch at most; {} runs):",
        rate_of_bps(b.bandwidth_bps),
        Millis(b.ir_goal_ms),
        Bytes(b.goal_bytes),
        b.runs
    );
    let _ = writeln!(
        o,
        "  {:<8} {:>4} {:>12} {:>14} {:>14}  tables",
        "batch", "VMs", "copies", "starts", "protected"
    );
    let t = |x: Option<Time>| x.map_or("never".to_string(), |t| Millis(t).to_string());
    for batch in &b.batches {
        let _ = writeln!(
            o,
            "  {:<8} {:>4} {:>12} {:>14} {:>14}  {}",
            batch.name,
            batch.vms,
            Bytes(batch.used_bytes).to_string(),
            t(batch.start_ms),
            t(batch.end_ms),
            batch.tables.join(", ")
        );
    }
    let _ = writeln!(
        o,
        "initial replication complete at {} ({})",
        t(b.ir_completion_ms),
        if b.met {
            "within the goal"
        } else {
            "goal NOT met"
        }
    );
    for n in &b.notes {
        let _ = writeln!(o, "  - {n}");
    }
    o
}

/// `batches.csv`: one row per batch.
pub fn csv(b: &BatchPlan) -> String {
    let mut o = String::from("batch,protect_after,vms,used_bytes,start_ms,protected_ms,tables\n");
    for (k, batch) in b.batches.iter().enumerate() {
        let after = if k > 0 {
            batch_name(k - 1)
        } else {
            String::new()
        };
        let ms = |x: Option<Time>| x.map_or(String::new(), |t| t.to_string());
        let _ = writeln!(
            o,
            "{},{after},{},{},{},{},{}",
            batch.name,
            batch.vms,
            batch.used_bytes,
            ms(batch.start_ms),
            ms(batch.end_ms),
            batch.tables.join(" ")
        );
    }
    o
}

/// The user's scenario `text` as a runnable plan: the link at the planned bandwidth with no
/// throttle, each batched `[[vms]]` table with `batch` and `protect_after`. Edited with
/// toml_edit: everything else, comments included, stays as written.
pub fn scenario_text(
    text: &str,
    scenario_dir: &std::path::Path,
    sc: &Scenario,
    link: usize,
    b: &BatchPlan,
) -> Result<String, String> {
    use toml_edit::{value, DocumentMut};
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    let link_name = &sc.links[link].name;
    let links = doc
        .get_mut("links")
        .and_then(|l| l.as_array_of_tables_mut())
        .ok_or("the scenario has no [[links]]")?;
    let l = links
        .iter_mut()
        .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(link_name.as_str()))
        .ok_or_else(|| format!("no [[links]] table is named {link_name}"))?;
    l["capacity"] = value(format!("{} bps", b.bandwidth_bps));
    l.remove("work_hours_limit");
    l.remove("non_work_hours_limit");
    // The file lands in the output folder: relative trace and import files are resolved
    // against the scenario's folder now, so the plan runs from anywhere.
    if let Some(profiles) = doc
        .get_mut("profiles")
        .and_then(|p| p.as_array_of_tables_mut())
    {
        for p in profiles.iter_mut() {
            let Some(file) = p.get("file").and_then(|f| f.as_str()) else {
                continue;
            };
            let path = std::path::Path::new(file);
            if path.is_relative() {
                let full = std::path::absolute(scenario_dir.join(path))
                    .unwrap_or_else(|_| scenario_dir.join(path));
                p["file"] = value(full.to_string_lossy().into_owned());
            }
        }
    }
    let vms = doc
        .get_mut("vms")
        .and_then(|l| l.as_array_of_tables_mut())
        .ok_or("the scenario has no [[vms]]")?;
    for (k, batch) in b.batches.iter().enumerate() {
        // By position: tables may share a name.
        for (&position, label) in batch.table_positions.iter().zip(&batch.tables) {
            let t = vms
                .get_mut(position)
                .ok_or_else(|| format!("the file has no [[vms]] table for {label}"))?;
            t["batch"] = value(batch.name.clone());
            if k > 0 {
                t["protect_after"] = value(batch_name(k - 1));
            }
        }
    }
    let head = format!(
        "# Written by drsim plan: the scenario below with its initial replication in batches\n# ({}) and link {} at {} without throttle.\n# `drsim run` on this file reproduces the plan's batch times.\n",
        b.batches
            .iter()
            .map(|x| x.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        link_name,
        rate_of_bps(b.bandwidth_bps)
    );
    Ok(head + &doc.to_string())
}

/// `plan-scenario.toml` in `dir`: the user's scenario `written` (its file in `scenario_dir`)
/// with the batches of `made`.
pub fn write_scenario(
    written: &str,
    scenario_dir: &std::path::Path,
    scenario: &crate::model::Scenario,
    made: &super::Plan,
    dir: &std::path::Path,
) -> Result<(), String> {
    let link = scenario
        .links
        .iter()
        .position(|l| l.name == made.link)
        .ok_or("the planned link is gone")?;
    let toml = scenario_text(written, scenario_dir, scenario, link, &made.batches)
        .map_err(|e| format!("error: {e}"))?;
    std::fs::write(dir.join("plan-scenario.toml"), toml)
        .map_err(|e| format!("error: writing plan-scenario.toml: {e}"))
}
