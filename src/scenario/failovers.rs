//! Validation of what a scenario orders about failover: `[[recovery_plans]]`, `[[failovers]]`
//! (operations on a VM or a plan, in time order) and `[[site_events]]` (whole sites lost).

use super::raw::*;
use super::select::{select_vms, VmIndex};
use super::validate::{names, parse_datetime, time_in_run, Ctx};
use crate::engine::Time;
use crate::model::defaults;
use crate::model::failover::{
    FailbackMode, FailoverKind, Failovers, Operation, OperationKind, OperationTarget, OrderKind,
    PlanGroup, PlanStep, RecoveryPlan, SiteEvent, MAX_PLAN_GROUPS,
};
use crate::model::recovery_points::PointChoice;
use crate::model::{Keyword, Site, Topology};
use crate::units::parse_duration;
use chrono::NaiveDateTime;
use std::collections::BTreeMap;
use std::ops::Range;

/// The fields an operation kind takes besides `at` and `vm` or `plan`.
fn fields(kind: OrderKind) -> &'static [&'static str] {
    match kind {
        OrderKind::Failover(FailoverKind::Planned) => &[],
        OrderKind::Failover(_) | OrderKind::ChangePoint => &["point"],
        OrderKind::Commit | OrderKind::Cleanup | OrderKind::ReverseReplicate => &[],
        OrderKind::Failback => &["mode", "alternate_vm"],
    }
}
const TARGET: &str = "exactly one of vm (a VM name) or plan (a recovery plan name)";
/// What a `point` may be besides a keyword.
const POINT_IN_TIME: &str = "a point in time at or before the failover's at (a date-time such as \"2026-11-23T20:00\" or an offset from the start such as \"6h\"): the newest recovery point at or before it";

/// The "allowed" text of `point`: the keywords, or a point in time.
fn points() -> String {
    format!("{}, or {POINT_IN_TIME}", PointChoice::choices().join(", "))
}
const STEP: &str = "{ script = \"name\", duration = \"3m\", fails = false } or { manual = \"name\", wait = \"10m\" }";
const SITE_EVENT_UP: &str =
    "a point in time after down_at, or leave up_at out (the site does not come back)";

/// Every kind with its own fields, for the unknown-kind error.
fn kinds() -> String {
    let kinds: Vec<String> = OrderKind::ALL
        .iter()
        .map(|&(kind, word)| match fields(kind) {
            [] => word.to_string(),
            f => format!("{word} ({})", f.join(", ")),
        })
        .collect();
    format!("{}; each with at, and vm or plan", kinds.join(", "))
}

/// The fields a kind takes, as the errors word them.
fn usage(kind: &str, fields: &[&str]) -> String {
    let mut out = format!("for {kind}: at, vm or plan");
    for f in fields {
        out += ", ";
        out += f;
    }
    out
}

/// The kinds that take `field`.
fn kinds_taking(field: &str) -> String {
    let kinds: Vec<&str> = OrderKind::ALL
        .iter()
        .filter(|&&(kind, _)| fields(kind).contains(&field))
        .map(|&(_, word)| word)
        .collect();
    kinds.join(", ")
}

/// Recovery plans, operations and site events. `horizon` is `None` when scenario.duration is
/// wrong.
pub(super) fn failovers(
    ctx: &mut Ctx,
    raw: &RawScenario,
    topology: Option<Topology>,
    sites: &[Site],
    start: Option<NaiveDateTime>,
    horizon: Option<Time>,
) -> Failovers {
    if raw.recovery_plans.is_empty() && raw.failovers.is_empty() && raw.site_events.is_empty() {
        return Failovers::default();
    }
    let vms = VmIndex::new(&raw.vms);
    let plan_names = names(&raw.recovery_plans, |p| &p.name, ctx, "recovery_plans");
    let plans = raw
        .recovery_plans
        .iter()
        .enumerate()
        .filter_map(|(i, p)| plan(ctx, p, i, &vms))
        .collect();
    let mut operations: Vec<Operation> = raw
        .failovers
        .iter()
        .enumerate()
        .flat_map(|(i, o)| operation(ctx, o, i, &vms, &plan_names, topology, start, horizon))
        .collect();
    // Stable: file order among equal times.
    operations.sort_by_key(|o| o.at);
    Failovers {
        operations,
        plans,
        site_events: site_events(ctx, &raw.site_events, sites, start, horizon),
    }
}

fn plan(ctx: &mut Ctx, p: &RawPlan, i: usize, vms: &VmIndex) -> Option<RecoveryPlan> {
    let f = |n: &str| format!("recovery_plans[{i}].{n}");
    let raw_groups = p.groups.get_ref();
    let mut ok = true;
    if raw_groups.is_empty() || raw_groups.len() > MAX_PLAN_GROUPS {
        ok = false;
        let problem = if raw_groups.is_empty() {
            "a recovery plan without groups".to_string()
        } else {
            format!(
                "{} groups; a recovery plan has at most {MAX_PLAN_GROUPS}",
                raw_groups.len()
            )
        };
        ctx.error(
            p.groups.span(),
            &f("groups"),
            problem,
            Some(format!(
                "1 to {MAX_PLAN_GROUPS} groups (Site Recovery's limit), each {{ vms = [...], after = [...] }}"
            )),
        );
    }
    let before = steps(ctx, &p.before, &f("before"));
    // Where each VM already is: (group, position in it).
    let mut placed: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    let mut groups = Vec::new();
    for (g, group) in raw_groups.iter().enumerate() {
        let fg = |n: &str| f(&format!("groups[{g}].{n}"));
        let written = group.get_ref().vms.get_ref();
        if written.is_empty() {
            ok = false;
            ctx.error(
                group.get_ref().vms.span(),
                &fg("vms"),
                "a group without VMs",
                Some("at least one VM name, such as vms = [\"web-01\"]".into()),
            );
        }
        let mut members = Vec::new();
        for (k, name) in written.iter().enumerate() {
            let field = fg(&format!("vms[{k}]"));
            let selected = select_vms(ctx, vms, name, &field);
            if selected.is_empty() {
                ok = false;
            }
            for vm in selected {
                if let Some((first_g, first_k)) = placed.insert(vm, (g, k)) {
                    ok = false;
                    let where_ = if first_g == g {
                        format!("vms[{first_k}] of this group")
                    } else {
                        format!("groups[{first_g}] of this plan")
                    };
                    // A selector names the VM it brought twice.
                    let vm_name = vms.name(vm);
                    let what = if vm_name == name.get_ref() {
                        format!("\"{vm_name}\"")
                    } else {
                        format!("\"{vm_name}\" (from \"{}\")", name.get_ref())
                    };
                    ctx.error(
                        name.span(),
                        &field,
                        format!("{what} is already in {where_}"),
                        Some("a VM in at most one group of a plan".into()),
                    );
                    placed.insert(vm, (first_g, first_k));
                    continue;
                }
                members.push(vm);
            }
        }
        let after = steps(ctx, &group.get_ref().after, &fg("after"));
        match after {
            Some(after) => groups.push(PlanGroup {
                vms: members,
                after,
            }),
            None => ok = false,
        }
    }
    Some(RecoveryPlan {
        name: p.name.get_ref().clone(),
        groups,
        before: before?,
    })
    .filter(|_| ok)
}

/// A list of plan steps; `None` if any is wrong (each error is reported).
fn steps(ctx: &mut Ctx, raw: &[toml::Spanned<RawStep>], field: &str) -> Option<Vec<PlanStep>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (k, s) in raw.iter().enumerate() {
        match step(ctx, s, &format!("{field}[{k}]")) {
            Some(s) => out.push(s),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn step(ctx: &mut Ctx, s: &toml::Spanned<RawStep>, field: &str) -> Option<PlanStep> {
    let f = |n: &str| format!("{field}.{n}");
    let r = s.get_ref();
    let name_ok = |ctx: &mut Ctx, v: &Text, n: &str| {
        if v.get_ref().trim().is_empty() {
            ctx.error(
                v.span(),
                &f(n),
                "an empty name",
                Some(format!("a non-empty name; a step is {STEP}")),
            );
            return false;
        }
        true
    };
    // A field that the other kind of step takes.
    let stray = |ctx: &mut Ctx, span: Option<Range<usize>>, n: &str, kind: &str| {
        if let Some(span) = span {
            ctx.error(
                span,
                &f(n),
                format!("does not apply to a {kind} step"),
                Some(STEP.into()),
            );
            return false;
        }
        true
    };
    match (&r.script, &r.manual) {
        (Some(_), Some(m)) => {
            ctx.error(
                m.span(),
                &f("manual"),
                "set together with script",
                Some(format!("exactly one of script or manual: {STEP}")),
            );
            None
        }
        (None, None) => {
            ctx.error(
                s.span(),
                field,
                "a step needs script or manual",
                Some(STEP.into()),
            );
            None
        }
        (Some(name), None) => {
            let mut ok = name_ok(ctx, name, "script");
            ok &= stray(ctx, r.wait.as_ref().map(|w| w.span()), "wait", "script");
            let duration = match &r.duration {
                None => {
                    ctx.error(
                        name.span(),
                        &f("duration"),
                        "missing; a script step needs it",
                        Some(format!("a duration above zero (over {} the script times out); a step is {STEP}", crate::units::Millis(crate::model::failover::SCRIPT_TIMEOUT_MS))),
                    );
                    None
                }
                Some(d) => match ctx.duration(d, &f("duration")) {
                    Some(0) => {
                        ctx.error(
                            d.span(),
                            &f("duration"),
                            "a script of zero length",
                            Some("a duration above zero, such as \"3m\"".into()),
                        );
                        None
                    }
                    other => other,
                },
            };
            let fails = r.fails.as_ref().is_some_and(|b| *b.get_ref());
            Some(PlanStep::Script {
                name: name.get_ref().clone(),
                duration: duration?,
                fails,
            })
            .filter(|_| ok)
        }
        (None, Some(name)) => {
            let mut ok = name_ok(ctx, name, "manual");
            ok &= stray(
                ctx,
                r.duration.as_ref().map(|d| d.span()),
                "duration",
                "manual",
            );
            ok &= stray(ctx, r.fails.as_ref().map(|b| b.span()), "fails", "manual");
            let wait = match &r.wait {
                None => {
                    ctx.error(
                        name.span(),
                        &f("wait"),
                        "missing; a manual step needs it",
                        Some(format!(
                            "how long until someone confirms it, such as \"10m\" (\"0s\" for at once); a step is {STEP}"
                        )),
                    );
                    None
                }
                Some(w) => ctx.duration(w, &f("wait")),
            };
            Some(PlanStep::Manual {
                name: name.get_ref().clone(),
                wait: wait?,
            })
            .filter(|_| ok)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn operation(
    ctx: &mut Ctx,
    o: &RawFailover,
    i: usize,
    vms: &VmIndex,
    plan_names: &[String],
    topology: Option<Topology>,
    start: Option<NaiveDateTime>,
    horizon: Option<Time>,
) -> Vec<Operation> {
    let f = |n: &str| format!("failovers[{i}].{n}");
    let at = time_in_run(ctx, &o.at, &f("at"), start, horizon);
    let kind = o.kind.get_ref().as_str();
    let Some(order) = OrderKind::parse(kind) else {
        ctx.error(
            o.kind.span(),
            &f("kind"),
            format!("unknown failover kind \"{kind}\""),
            Some(kinds()),
        );
        return Vec::new();
    };
    let takes = fields(order);
    let mut ok = true;
    let optional = [
        ("point", o.point.as_ref().map(|v| v.span())),
        ("mode", o.mode.as_ref().map(|v| v.span())),
        ("alternate_vm", o.alternate_vm.as_ref().map(|v| v.span())),
    ];
    for (name, span) in optional {
        let Some(span) = span else { continue };
        if !takes.contains(&name) {
            ok = false;
            ctx.error(
                span,
                &f(name),
                format!(
                    "does not apply to kind \"{kind}\"; {name} is for {}",
                    kinds_taking(name)
                ),
                Some(usage(kind, takes)),
            );
        } else if name != "point" {
            // mode and alternate_vm: how hyperv-to-azure downloads a VM back from Azure.
            if let Some(t) = topology.filter(|&t| t != Topology::HyperVToAzure) {
                ok = false;
                ctx.error(
                    span,
                    &f(name),
                    format!(
                        "does not apply to topology \"{}\": its failback is a planned failover back",
                        t.name()
                    ),
                    Some(format!(
                        "{name} only with topology = \"{}\"; leave it out",
                        Topology::HyperVToAzure.name()
                    )),
                );
            }
        }
    }
    let target = match (&o.vm, &o.plan) {
        (Some(_), Some(p)) => {
            ctx.error(
                p.span(),
                &f("plan"),
                "set together with vm",
                Some(TARGET.into()),
            );
            None
        }
        (None, None) => {
            ctx.error(
                o.kind.span(),
                &f("vm"),
                format!("missing; kind \"{kind}\" needs vm or plan"),
                Some(TARGET.into()),
            );
            None
        }
        // A selector of several VMs orders each its own operation, in file order.
        (Some(v), None) => {
            let selected = select_vms(ctx, vms, v, &f("vm"));
            let targets: Vec<_> = selected.into_iter().map(OperationTarget::Vm).collect();
            Some(targets).filter(|t| !t.is_empty())
        }
        (None, Some(p)) => match plan_names.iter().position(|n| n == p.get_ref()) {
            Some(k) => Some(vec![OperationTarget::Plan(k)]),
            None => {
                ctx.error(
                    p.span(),
                    &f("plan"),
                    format!("no recovery plan is named \"{}\"", p.get_ref()),
                    Some(if plan_names.is_empty() {
                        "none: add a [[recovery_plans]] table first".into()
                    } else {
                        plan_names.join(", ")
                    }),
                );
                None
            }
        },
    };
    if !ok {
        return Vec::new();
    }
    let point = match &o.point {
        None => Some(defaults::POINT),
        Some(v) => point(ctx, v, &f("point"), at, &o.at, start, horizon),
    };
    let kind = match order {
        // A planned failover always uses the final sync.
        OrderKind::Failover(kind @ FailoverKind::Planned) => Some(OperationKind::Failover {
            kind,
            point: PointChoice::Latest,
        }),
        OrderKind::Failover(kind) => point.map(|point| OperationKind::Failover { kind, point }),
        OrderKind::ChangePoint => point.map(|point| OperationKind::ChangePoint { point }),
        OrderKind::Commit => Some(OperationKind::Commit),
        OrderKind::Cleanup => Some(OperationKind::Cleanup),
        OrderKind::ReverseReplicate => Some(OperationKind::ReverseReplicate),
        OrderKind::Failback => failback(ctx, o, &f),
    };
    let (Some(at), Some(targets), Some(kind)) = (at, target, kind) else {
        return Vec::new();
    };
    targets
        .into_iter()
        .map(|target| Operation { at, target, kind })
        .collect()
}

/// A failover's `point`: a keyword, or a point in time inside the run and not after the
/// failover itself (`at`, `None` when it is wrong).
fn point(
    ctx: &mut Ctx,
    v: &Text,
    field: &str,
    at: Option<Time>,
    at_text: &Text,
    start: Option<NaiveDateTime>,
    horizon: Option<Time>,
) -> Option<PointChoice> {
    if let Some(choice) = PointChoice::parse(v.get_ref().trim()) {
        return Some(choice);
    }
    let is_time = parse_datetime(v.get_ref()).is_some() || parse_duration(v.get_ref()).is_ok();
    if !is_time {
        ctx.error(
            v.span(),
            field,
            format!("unknown point \"{}\"", v.get_ref()),
            Some(points()),
        );
        return None;
    }
    let t = time_in_run(ctx, v, field, start, horizon)?;
    if let Some(at) = at.filter(|&at| t > at) {
        ctx.error(
            v.span(),
            field,
            format!(
                "\"{}\" is after the failover (at = \"{}\"): no recovery point from then exists yet",
                v.get_ref(),
                at_text.get_ref()
            ),
            Some(format!(
                "a point in time at or before {}, or a keyword: {}",
                crate::units::Millis(at),
                points()
            )),
        );
        return None;
    }
    Some(PointChoice::AtOrBefore(t))
}

/// The download mode of a failback; a failback to an alternate VM is always a full download.
fn failback(ctx: &mut Ctx, o: &RawFailover, f: &dyn Fn(&str) -> String) -> Option<OperationKind> {
    let alternate_vm = o.alternate_vm.as_ref().is_some_and(|b| *b.get_ref());
    let mode = match o
        .mode
        .as_ref()
        .map(|m| (m, FailbackMode::parse(m.get_ref())))
    {
        None if alternate_vm => FailbackMode::FullDownload,
        None => defaults::FAILBACK_MODE,
        Some((m, Some(FailbackMode::SyncFirst))) if alternate_vm => {
            ctx.error(
                m.span(),
                &f("mode"),
                format!(
                    "\"{}\" does not go with alternate_vm = true: a failback to an alternate VM is always a full download",
                    FailbackMode::SyncFirst.keyword()
                ),
                Some(format!(
                    "mode = \"{}\", or leave mode out",
                    FailbackMode::FullDownload.keyword()
                )),
            );
            return None;
        }
        Some((_, Some(mode))) => mode,
        Some((m, None)) => {
            ctx.error(
                m.span(),
                &f("mode"),
                format!("unknown failback mode \"{}\"", m.get_ref()),
                Some(FailbackMode::one_of()),
            );
            return None;
        }
    };
    Some(OperationKind::Failback { mode, alternate_vm })
}

/// Site losses, sorted by `down_at` (file order among equal times); the events of one site
/// must not overlap.
fn site_events(
    ctx: &mut Ctx,
    raw: &[RawSiteEvent],
    sites: &[Site],
    start: Option<NaiveDateTime>,
    horizon: Option<Time>,
) -> Vec<SiteEvent> {
    let site_names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
    // With the index in the file, for the overlap errors.
    let mut events: Vec<(SiteEvent, usize)> = Vec::new();
    for (i, e) in raw.iter().enumerate() {
        let f = |n: &str| format!("site_events[{i}].{n}");
        let site = ctx.reference(
            Some(&e.site),
            &site_names,
            &f("site"),
            "sites",
            e.site.span(),
        );
        let down_at = time_in_run(ctx, &e.down_at, &f("down_at"), start, horizon);
        let up_at = match &e.up_at {
            None => Some(None),
            Some(v) => match (time_in_run(ctx, v, &f("up_at"), start, horizon), down_at) {
                (Some(up), Some(down)) if up <= down => {
                    ctx.error(
                        v.span(),
                        &f("up_at"),
                        format!(
                            "\"{}\" is not after down_at (\"{}\")",
                            v.get_ref(),
                            e.down_at.get_ref()
                        ),
                        Some(SITE_EVENT_UP.into()),
                    );
                    None
                }
                (up, _) => up.map(Some),
            },
        };
        if let (Some(site), Some(down_at), Some(up_at)) = (site, down_at, up_at) {
            let disks_lost = e.disks_lost.as_ref().is_some_and(|b| *b.get_ref());
            events.push((
                SiteEvent {
                    site,
                    down_at,
                    up_at,
                    disks_lost,
                },
                i,
            ));
        }
    }
    // Stable: file order among equal times.
    events.sort_by_key(|(e, _)| e.down_at);
    // Per site, the event reaching furthest so far (`None` end: it never comes back).
    let mut reach: BTreeMap<usize, (Option<Time>, usize)> = BTreeMap::new();
    for (e, i) in &events {
        if let Some(&(end, first)) = reach.get(&e.site) {
            if end.is_none_or(|end| e.down_at < end) {
                let until = match end {
                    Some(_) => format!(
                        "until its up_at \"{}\"",
                        raw[first].up_at.as_ref().map_or("", |u| u.get_ref())
                    ),
                    None => "and does not come back".to_string(),
                };
                ctx.error(
                    raw[*i].down_at.span(),
                    &format!("site_events[{i}].down_at"),
                    format!(
                        "overlaps site_events[{first}]: site \"{}\" is down from \"{}\" {until}",
                        site_names[e.site],
                        raw[first].down_at.get_ref()
                    ),
                    Some("events of one site that do not overlap: each down_at at or after the previous event's up_at".into()),
                );
            }
            let further = match (end, e.up_at) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(a), Some(b)) => b > a,
            };
            if !further {
                continue;
            }
        }
        reach.insert(e.site, (e.up_at, *i));
    }
    events.into_iter().map(|(e, _)| e).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_listed_with_its_fields() {
        assert_eq!(
            kinds(),
            "test (point), planned, unplanned (point), change-point (point), commit, cleanup, reverse-replicate, failback (mode, alternate_vm); each with at, and vm or plan"
        );
        assert_eq!(kinds_taking("point"), "test, unplanned, change-point");
        assert_eq!(usage("commit", &[]), "for commit: at, vm or plan");
        assert_eq!(usage("test", &["point"]), "for test: at, vm or plan, point");
    }
}
