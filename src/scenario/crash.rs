//! `[[faults]]` of kind `host-crash`: a crash at a time (`at`) or at random (`mtbf`), each
//! down for `restart` [ours: 10 minutes by default].

use super::raw::RawFault;
use super::validate::{time_in_run, Ctx};
use crate::engine::Time;
use crate::model::defaults;
use crate::model::faults::HostFaultKind;
use chrono::NaiveDateTime;

const WHEN: &str =
    "exactly one of at (a point in time) or mtbf (the mean time between crashes, such as \"90d\")";

/// The crash fault `faults[i]` (its kind and fields already checked to apply).
pub(super) fn host_crash(
    ctx: &mut Ctx,
    fault: &RawFault,
    i: usize,
    start: Option<NaiveDateTime>,
    horizon: Option<Time>,
) -> Option<HostFaultKind> {
    let f = |n: &str| format!("faults[{i}].{n}");
    let positive = |ctx: &mut Ctx, name: &str, what: &str| -> Option<Option<Time>> {
        let Some(v) = (match name {
            "mtbf" => &fault.mtbf,
            _ => &fault.restart,
        }) else {
            return Some(None);
        };
        match ctx.duration(v, &f(name)) {
            Some(0) => {
                ctx.error(
                    v.span(),
                    &f(name),
                    format!("a zero {what}"),
                    Some("a duration of at least 1s".into()),
                );
                None
            }
            Some(d) => Some(Some(d)),
            None => None,
        }
    };
    // Both checked before either stops the fault: every error at once.
    let restart = positive(ctx, "restart", "restart time");
    let mtbf = positive(ctx, "mtbf", "mean time between crashes");
    let restart = restart?.unwrap_or(defaults::HOST_RESTART);
    match (&fault.at, &fault.mtbf) {
        (None, None) => {
            ctx.error(
                fault.kind.span(),
                &f("at"),
                "missing; kind \"host-crash\" needs at or mtbf",
                Some(WHEN.into()),
            );
            None
        }
        (Some(_), Some(m)) => {
            ctx.error(
                m.span(),
                &f("mtbf"),
                "set together with at",
                Some(WHEN.into()),
            );
            None
        }
        (Some(at), None) => {
            let at = time_in_run(ctx, at, &f("at"), start, horizon)?;
            Some(HostFaultKind::Crash { at, restart })
        }
        (None, Some(_)) => Some(HostFaultKind::RandomCrashes {
            mtbf: mtbf??,
            restart,
        }),
    }
}
