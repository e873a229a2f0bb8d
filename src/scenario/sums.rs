//! `sum` profiles: a workload whose writes are the total of its `parts` (a base profile plus
//! bursts). Resolved after every other profile, since a part may be defined later in the
//! file.

use super::import::Import;
use super::raw::RawProfile;
use super::validate::Ctx;
use crate::model::workload::WorkloadSpec;
use crate::units::parse_rate;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a part may be, for errors.
const PARTS: &str =
    "profile names of kind constant, office-hours, bursts or trace, or constant rates such as \"2 MB/s\"";

/// The workload of sum profile `p` (its `parts` present). `profiles` holds the other
/// profiles that validated; `kinds` every profile's name and kind as written, so a part that
/// names a profile with an error of its own adds none.
pub(super) fn sum_profile(
    ctx: &mut Ctx,
    p: &RawProfile,
    field: &str,
    profiles: &BTreeMap<String, WorkloadSpec>,
    imports: &BTreeMap<String, Option<Import>>,
    kinds: &BTreeMap<&str, &str>,
) -> Option<WorkloadSpec> {
    let raw = p.parts.as_ref().expect("checked present");
    if raw.is_empty() {
        ctx.error(
            p.name.span(),
            field,
            "an empty sum",
            Some(format!("one or more parts: {PARTS}")),
        );
        return None;
    }
    let mut parts = Vec::with_capacity(raw.len());
    let mut ok = true;
    for (j, v) in raw.iter().enumerate() {
        let name = v.get_ref().as_str();
        let f = format!("{field}[{j}]");
        if let Some(spec) = profiles.get(name) {
            parts.push(spec.clone());
            continue;
        }
        let problem = match kinds.get(name) {
            Some(&"sum") => format!("\"{name}\" is itself a sum; a sum's parts are not sums"),
            Some(kind) if imports.contains_key(name) => format!(
                "\"{name}\" is a {kind} import, resolved per disk; it cannot be a part of a sum"
            ),
            // A profile with an error of its own: reported there.
            Some(_) => {
                ok = false;
                continue;
            }
            None => match parse_rate(name) {
                Ok(rate) => {
                    parts.push(WorkloadSpec::Constant { rate });
                    continue;
                }
                Err(_) => format!("\"{name}\" is neither a profile name nor a rate"),
            },
        };
        ok = false;
        ctx.error(v.span(), &f, problem, Some(PARTS.to_string()));
    }
    ok.then(|| WorkloadSpec::Sum {
        parts: Arc::from(parts),
    })
}
