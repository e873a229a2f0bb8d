//! Initial-replication batches: `batch = "b1"` on a `[[vms]]` table puts its VMs in batch
//! `b1`; `protect_after = "b1"` enables protection of a table's VMs once every VM of `b1` is
//! protected (finalize done), `protect_after_delay` later [ours: default 0], and not before
//! `protect_at` (both may be set: the later instant wins). `protect_after` names a batch, a
//! `[[vms]]` table (all the VMs it stamps out) or one VM, looked up in that order.
//!
//! Errors: an unknown name (listing the batches, tables and some VM names), a batch name
//! that is also a VM or table name, `protect_after` on a VM protected at the start,
//! `protect_after_delay` without `protect_after`, and a cycle (naming the tables on it).

use super::raw::{RawScenario, RawVm};
use super::validate::{stamped_names_by_table, vm_count, Ctx};
use crate::model::{ProtectAfter, VmSpec};
use std::collections::BTreeMap;

/// How many VM names an unknown-name error lists.
const VM_NAMES_SHOWN: usize = 10;

/// The VMs of each table (index ranges into the model's VMs), `None` if a count is wrong.
fn ranges(raw: &[RawVm]) -> Option<Vec<std::ops::Range<usize>>> {
    let mut out = Vec::with_capacity(raw.len());
    let mut first = 0;
    for v in raw {
        let n = vm_count(v);
        if n == 0 {
            return None;
        }
        out.push(first..first + n);
        first += n;
    }
    Some(out)
}

/// Check the batch fields of `raw` and set `protect_after` and `batch` on `vms`.
pub(super) fn resolve(ctx: &mut Ctx, raw: &RawScenario, vms: &mut [VmSpec]) {
    let tables = &raw.vms;
    let Some(ranges) = ranges(tables) else {
        return; // the count's own error says why
    };
    // Names: VM names after stamping, table names, batch names (first table that uses each).
    let mut vm_index: BTreeMap<String, usize> = BTreeMap::new();
    for (i, names) in stamped_names_by_table(tables).into_iter().enumerate() {
        for (name, vm) in names.into_iter().zip(ranges[i].clone()) {
            vm_index.entry(name).or_insert(vm);
        }
    }
    // Tables that share a name (their numbering continues) are named together.
    let mut table_index: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, v) in tables.iter().enumerate() {
        table_index
            .entry(v.name.get_ref().as_str())
            .or_default()
            .push(i);
    }
    let mut batches: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, v) in tables.iter().enumerate() {
        let f = format!("vms[{i}].batch");
        let Some(b) = &v.batch else { continue };
        let name = b.get_ref().trim();
        if name.is_empty() {
            ctx.error(
                b.span(),
                &f,
                "an empty batch name",
                Some("a batch name such as \"b1\", or leave it out".into()),
            );
            continue;
        }
        let clash = if vm_index.contains_key(name) {
            Some("a VM")
        } else if table_index.contains_key(name) {
            Some("a [[vms]] table")
        } else {
            None
        };
        if let Some(what) = clash {
            ctx.error(
                b.span(),
                &f,
                format!("\"{name}\" is also the name of {what}"),
                Some("a batch name that is no VM's or [[vms]] table's name".into()),
            );
            continue;
        }
        batches.entry(name.to_string()).or_default().push(i);
    }
    // What each table waits for: the tables that hold the VMs it names, and the VMs.
    let mut waits: Vec<Option<(Vec<usize>, Vec<usize>)>> = vec![None; tables.len()];
    for (i, v) in tables.iter().enumerate() {
        let f = |n: &str| format!("vms[{i}].{n}");
        if let (Some(d), None) = (&v.protect_after_delay, &v.protect_after) {
            ctx.error(
                d.span(),
                &f("protect_after_delay"),
                "applies only with protect_after",
                Some("set protect_after too, or leave it out".into()),
            );
        }
        let Some(after) = &v.protect_after else {
            continue;
        };
        if v.protected_at_start == Some(true) {
            ctx.error(
                after.span(),
                &f("protect_after"),
                "does not apply to a VM protected at the start",
                Some("either protect_after or protected_at_start = true".into()),
            );
            continue;
        }
        let name = after.get_ref().as_str();
        let (on_tables, on_vms): (Vec<usize>, Vec<usize>) = if let Some(ts) = batches.get(name) {
            let vms = ts.iter().flat_map(|&t| ranges[t].clone()).collect();
            (ts.clone(), vms)
        } else if let Some(ts) = table_index.get(name) {
            let vms = ts.iter().flat_map(|&t| ranges[t].clone()).collect();
            (ts.clone(), vms)
        } else if let Some(&vm) = vm_index.get(name) {
            let t = ranges.iter().position(|r| r.contains(&vm)).unwrap_or(0);
            (vec![t], vec![vm])
        } else {
            let shown: Vec<&str> = vm_index
                .keys()
                .take(VM_NAMES_SHOWN)
                .map(String::as_str)
                .collect();
            let more = if vm_index.len() > VM_NAMES_SHOWN {
                format!(", ... ({} VMs)", vm_index.len())
            } else {
                String::new()
            };
            let batch_names: Vec<&str> = batches.keys().map(String::as_str).collect();
            let mut table_names: Vec<&str> = Vec::new();
            for t in tables {
                if !table_names.contains(&t.name.get_ref().as_str()) {
                    table_names.push(t.name.get_ref());
                }
            }
            let allowed = format!(
                "a batch ({}), a [[vms]] name ({}) or a VM name ({}{more})",
                if batch_names.is_empty() {
                    "none: set batch = \"...\" on a [[vms]] table".to_string()
                } else {
                    batch_names.join(", ")
                },
                table_names.join(", "),
                shown.join(", ")
            );
            ctx.error(
                after.span(),
                &f("protect_after"),
                format!("no batch, [[vms]] table or VM is named \"{name}\""),
                Some(allowed),
            );
            continue;
        };
        let delay = match &v.protect_after_delay {
            Some(d) => match ctx.duration(d, &f("protect_after_delay")) {
                Some(t) => t,
                None => continue,
            },
            None => 0,
        };
        waits[i] = Some((on_tables.clone(), on_vms.clone()));
        if let Some(vms) = vms.get_mut(ranges[i].clone()) {
            for spec in vms {
                spec.protect_after = Some(ProtectAfter {
                    name: name.to_string(),
                    vms: on_vms.clone(),
                    delay,
                });
            }
        }
    }
    if let Some(cycle) = find_cycle(&waits) {
        let first = cycle[0];
        let steps: Vec<String> = cycle
            .iter()
            .map(|&t| {
                let after = tables[t].protect_after.as_ref().expect("on a cycle");
                format!(
                    "{} (protect_after = \"{}\")",
                    tables[t].name.get_ref(),
                    after.get_ref()
                )
            })
            .collect();
        let after = tables[first].protect_after.as_ref().expect("on a cycle");
        ctx.error(
            after.span(),
            &format!("vms[{first}].protect_after"),
            format!(
                "a cycle: {} -> {}: none of them would ever be protected",
                steps.join(" -> "),
                tables[first].name.get_ref()
            ),
            Some("protect_after chains that end at VMs protected without it".into()),
        );
    }
    for (i, v) in tables.iter().enumerate() {
        if let (Some(b), Some(vms)) = (&v.batch, vms.get_mut(ranges[i].clone())) {
            for spec in vms {
                spec.batch = Some(b.get_ref().trim().to_string());
            }
        }
    }
}

/// The first cycle of the table graph (a table waits for the tables holding the VMs it
/// names), from its lowest table, in wait order. A cycle of tables is one of VMs: every VM
/// of a table waits for the same VMs.
fn find_cycle(waits: &[Option<(Vec<usize>, Vec<usize>)>]) -> Option<Vec<usize>> {
    // 0 unvisited, 1 on the stack, 2 done.
    let mut mark = vec![0u8; waits.len()];
    for root in 0..waits.len() {
        if mark[root] != 0 {
            continue;
        }
        // Iterative depth-first search: (table, next edge).
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = 1;
        while let Some(&mut (t, ref mut e)) = stack.last_mut() {
            let edges: &[usize] = waits[t].as_ref().map_or(&[], |w| &w.0);
            if *e < edges.len() {
                let next = edges[*e];
                *e += 1;
                match mark[next] {
                    0 => {
                        mark[next] = 1;
                        stack.push((next, 0));
                    }
                    1 => {
                        let from = stack
                            .iter()
                            .position(|&(s, _)| s == next)
                            .expect("on stack");
                        let mut cycle: Vec<usize> = stack[from..].iter().map(|&(s, _)| s).collect();
                        // Start at the lowest table: the same text whatever the search order.
                        let low = (0..cycle.len()).min_by_key(|&k| cycle[k]).unwrap_or(0);
                        cycle.rotate_left(low);
                        return Some(cycle);
                    }
                    _ => {}
                }
            } else {
                mark[t] = 2;
                stack.pop();
            }
        }
    }
    None
}
