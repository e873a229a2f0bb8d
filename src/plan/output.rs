//! A plan's outputs: the terminal text, `plan.json` (everything, with the stamp) and
//! `plan.csv` (one row per search step). Built from the [`Plan`] alone, in a fixed order.

use super::{search, Plan, SearchResult};
use crate::units::{ByteRate, Bytes, Millis};
use serde::Serialize;
use std::io::{self, Write};

/// The files a plan writes.
pub const FILES: [&str; 2] = ["plan.csv", "plan.json"];

fn rate(bps: u64) -> String {
    super::rate_of_bps(bps).to_string()
}

fn rate_f(bps: f64) -> String {
    ByteRate((bps * 125.0).round() as u64).to_string()
}

fn answer_text(s: &SearchResult) -> String {
    match (s.found.answer_bps, s.found.fail_bps) {
        (Some(a), Some(_)) => rate(a),
        (Some(a), None) => format!("at most {}", rate(a)),
        (None, _) => format!("not met at {}", rate(search::CEILING_BPS)),
    }
}

/// The plan hash as plan.json writes it (and the output folder checks).
pub fn plan_hash(scenario: &crate::model::Scenario, spec: &super::PlanSpec, seed: u64) -> String {
    crate::study::output::hash_text(super::hash_of(scenario.hash, spec, seed))
}

/// "simulated X of Y days; early stop saved Z".
pub fn time_saved(p: &Plan) -> String {
    let day = 86_400_000.0;
    format!(
        "{} runs simulated {:.1} of {:.1} days; early stop saved {:.1} days ({:.0}%)",
        p.runs,
        p.simulated_ms as f64 / day,
        p.full_ms as f64 / day,
        (p.full_ms - p.simulated_ms) as f64 / day,
        if p.full_ms > 0 {
            100.0 * (p.full_ms - p.simulated_ms) as f64 / p.full_ms as f64
        } else {
            0.0
        }
    )
}

/// The terminal text.
pub fn terminal(p: &Plan) -> String {
    let mut o = String::new();
    let s = &p.spec;
    o += &format!(
        "{}: plan for link {} ({} now{}), {} VMs, target RPO {} for {}% of protected time, churn +{}%, {} replications per candidate (master seed {})\n",
        p.scenario,
        p.link,
        rate(p.own.capacity_bps),
        match (p.own.work_hours_limit_bps, p.own.non_work_hours_limit_bps) {
            (None, None) => String::new(),
            (w, n) => format!(
                ", throttled to {} in work hours and {} outside",
                w.map_or("-".into(), rate),
                n.map_or("-".into(), rate)
            ),
        },
        p.vms.len(),
        Millis(s.target_rpo),
        s.percent,
        s.growth_percent,
        s.replications,
        p.master_seed
    );
    for (vm, why) in &p.excluded {
        o += &format!("  left out: {vm}: {why}\n");
    }
    o += &format!(
        "criterion: the lower one-sided {:.0}% t bound of the mean within-target share over the replications >= the percent; search step {}% (at least {})\n\n",
        super::CONFIDENCE * 100.0,
        search::STEP_PERCENT,
        rate(search::MIN_STEP_BPS)
    );
    o += &format!(
        "{:<32} {:>8} {:>9} {:>18} {:>16}\n",
        "question", "percent", "interval", "answer", "one step less"
    );
    for r in &p.searches {
        o += &format!(
            "{:<32} {:>7}% {:>9} {:>18} {:>16}\n",
            r.label,
            r.criterion.percent,
            Millis(r.copy_interval).to_string(),
            answer_text(r),
            r.found.fail_bps.map_or("-".into(), rate)
        );
    }
    if let Some(c) = p.recommended_copy_interval {
        o += &format!(
            "recommended copy interval: {} (needs least bandwidth)\n",
            Millis(c)
        );
    }
    o += "\nsearch steps (every VM):\n";
    for st in &p.searches[0].found.steps {
        o += &format!(
            "  {:<7} {:>16}  {:<4}  mean {:>7.3}%  bound {:>7.3}%  stopped early {}/{}\n",
            st.phase.name(),
            rate(st.value_bps),
            if st.pass { "pass" } else { "fail" },
            st.detail.mean_percent,
            st.detail.bound_percent,
            st.detail.halted,
            st.detail.n
        );
    }
    o += &format!(
        "\nat the scenario's own link: estate {:.2}% within target, worst VM {:.2}%\n",
        p.achieved_estate_percent, p.achieved_worst_percent
    );
    let mut worst: Vec<&super::VmAchieved> = p.achieved.iter().collect();
    worst.sort_by(|a, b| {
        a.within_percent
            .unwrap_or(0.0)
            .total_cmp(&b.within_percent.unwrap_or(0.0))
            .then(a.vm.cmp(&b.vm))
    });
    o += &format!(
        "  {:<16} {:>8} {:>9} {:>9} {:>9}\n",
        "worst VMs", "in tgt", "RPO p95", "RPO p99", "RPO max"
    );
    let num = |v: Option<f64>| v.map_or("-".into(), |x| format!("{x:.0}"));
    for a in worst.iter().take(5) {
        o += &format!(
            "  {:<16} {:>7}% {:>9} {:>9} {:>9}\n",
            a.vm,
            a.within_percent.map_or("-".into(), |x| format!("{x:.2}")),
            num(a.rpo_p95_s),
            num(a.rpo_p99_s),
            num(a.rpo_max_s)
        );
    }
    o += "  (RPO in seconds, means over the replications; all VMs in plan.json)\n";
    o += "\nhost volumes at the answer:\n";
    o += &format!(
        "  {:<12} {:>14} {:>14} {:>14} {:>14}\n",
        "host", "free", "peak", "static IR", "static delta"
    );
    for h in &p.hosts {
        o += &format!(
            "  {:<12} {:>14} {:>14} {:>14} {:>14}\n",
            h.host,
            h.volume_free_bytes
                .map_or("-".into(), |b| Bytes(b).to_string()),
            Bytes(h.peak_bytes).to_string(),
            Bytes(h.static_worst_bytes).to_string(),
            Bytes(h.static_delta_bytes).to_string()
        );
    }
    o += &format!(
        "\nstatic estimate (ASR Deployment Planner method): {} (95th percentile of per-minute churn with growth; mean {}, busiest minute {})\n",
        rate_f(p.static_estimate.p95_bps),
        rate_f(p.static_estimate.mean_bps),
        rate_f(p.static_estimate.max_bps)
    );
    o += "why the simulated answer differs:\n";
    for e in &p.effects {
        o += &format!("  - {e}\n");
    }
    o += &format!("{}\n", time_saved(p));
    o
}

#[derive(Serialize)]
struct StepJson {
    phase: &'static str,
    value_bps: u64,
    pass: bool,
    mean_percent: f64,
    bound_percent: f64,
    replications: usize,
    stopped_early: usize,
    simulated_ms: u64,
}

#[derive(Serialize)]
struct SearchJson<'a> {
    question: &'a str,
    scope: &'static str,
    percent: f64,
    knob: &'static str,
    copy_interval_s: f64,
    /// `null`: not met up to the ceiling.
    answer_bps: Option<u64>,
    /// The highest value that failed; `null`: even the floor passed.
    fail_bps: Option<u64>,
    step_bps: u64,
    steps: Vec<StepJson>,
}

#[derive(Serialize)]
struct PlanJson<'a> {
    drsim_version: &'static str,
    kind: &'static str,
    scenario: &'a str,
    scenario_hash: String,
    plan_hash: String,
    seed: u64,
    replication_seeds: Vec<u64>,
    link: &'a str,
    own_link: &'a super::OwnLink,
    target_rpo_s: f64,
    percent: f64,
    growth_percent: f64,
    replications: u32,
    confidence: f64,
    test: &'static str,
    search_floor_bps: u64,
    search_ceiling_bps: u64,
    step_percent: u64,
    vms: &'a [String],
    excluded: Vec<[&'a str; 2]>,
    searches: Vec<SearchJson<'a>>,
    copy_interval_s: f64,
    recommended_copy_interval_s: Option<f64>,
    host_volumes: &'a [super::HostVolume],
    achieved_estate_within_percent: f64,
    achieved_worst_vm_within_percent: f64,
    achieved: &'a [super::VmAchieved],
    static_estimate: &'a super::StaticEstimate,
    differences: &'a [String],
    runs: u64,
    simulated_ms: u64,
    full_ms: u64,
    early_stop_saved_ms: u64,
    /// The initial-replication batch plan (batches.csv has its rows).
    ir_batches: &'a super::batch::BatchPlan,
}

/// Write `plan.json`.
pub fn write_json(p: &Plan, out: &mut dyn Write) -> io::Result<()> {
    let doc = PlanJson {
        drsim_version: crate::VERSION,
        kind: "plan",
        scenario: &p.scenario,
        scenario_hash: crate::study::output::hash_text(p.scenario_hash),
        plan_hash: crate::study::output::hash_text(p.hash()),
        seed: p.master_seed,
        replication_seeds: (0..p.spec.replications)
            .map(|i| crate::study::seeds::replication_seed(p.master_seed, i))
            .collect(),
        link: &p.link,
        own_link: &p.own,
        target_rpo_s: p.spec.target_rpo as f64 / 1000.0,
        percent: p.spec.percent,
        growth_percent: p.spec.growth_percent,
        replications: p.spec.replications,
        confidence: super::CONFIDENCE,
        test: "lower one-sided Student t bound of the mean per-replication within-target share (statrs); one replication: the share itself; a replication stopped early fails the candidate",
        search_floor_bps: search::FLOOR_BPS,
        search_ceiling_bps: search::CEILING_BPS,
        step_percent: search::STEP_PERCENT,
        vms: &p.vms,
        excluded: p
            .excluded
            .iter()
            .map(|(a, b)| [a.as_str(), b.as_str()])
            .collect(),
        searches: p
            .searches
            .iter()
            .map(|s| SearchJson {
                question: &s.label,
                scope: s.criterion.scope.name(),
                percent: s.criterion.percent,
                knob: s.knob.name(),
                copy_interval_s: s.copy_interval as f64 / 1000.0,
                answer_bps: s.found.answer_bps,
                fail_bps: s.found.fail_bps,
                step_bps: s.found.step_bps,
                steps: s
                    .found
                    .steps
                    .iter()
                    .map(|st| StepJson {
                        phase: st.phase.name(),
                        value_bps: st.value_bps,
                        pass: st.pass,
                        mean_percent: st.detail.mean_percent,
                        bound_percent: st.detail.bound_percent,
                        replications: st.detail.n,
                        stopped_early: st.detail.halted,
                        simulated_ms: st.detail.simulated_ms,
                    })
                    .collect(),
            })
            .collect(),
        copy_interval_s: p.copy_interval as f64 / 1000.0,
        recommended_copy_interval_s: p.recommended_copy_interval.map(|c| c as f64 / 1000.0),
        host_volumes: &p.hosts,
        achieved_estate_within_percent: p.achieved_estate_percent,
        achieved_worst_vm_within_percent: p.achieved_worst_percent,
        achieved: &p.achieved,
        static_estimate: &p.static_estimate,
        differences: &p.effects,
        runs: p.runs,
        simulated_ms: p.simulated_ms,
        full_ms: p.full_ms,
        early_stop_saved_ms: p.full_ms - p.simulated_ms,
        ir_batches: &p.batches,
    };
    let mut out = io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &doc).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Write `plan.csv`: every search step, search by search.
pub fn write_csv(p: &Plan, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let e = |e: csv::Error| io::Error::other(e.to_string());
    w.write_record([
        "question",
        "scope",
        "percent",
        "knob",
        "copy_interval_s",
        "step",
        "phase",
        "value_bps",
        "pass",
        "mean_percent",
        "bound_percent",
        "replications",
        "stopped_early",
        "simulated_ms",
    ])
    .map_err(e)?;
    for s in &p.searches {
        for (k, st) in s.found.steps.iter().enumerate() {
            w.write_record([
                s.label.clone(),
                s.criterion.scope.name().to_string(),
                s.criterion.percent.to_string(),
                s.knob.name().to_string(),
                (s.copy_interval as f64 / 1000.0).to_string(),
                k.to_string(),
                st.phase.name().to_string(),
                st.value_bps.to_string(),
                st.pass.to_string(),
                format!("{:.6}", st.detail.mean_percent),
                format!("{:.6}", st.detail.bound_percent),
                st.detail.n.to_string(),
                st.detail.halted.to_string(),
                st.detail.simulated_ms.to_string(),
            ])
            .map_err(e)?;
        }
    }
    w.flush()
}

/// Write both files and the search charts ([`super::charts`]) into `dir` (an
/// [`crate::report::OutputDir`]'s path).
pub fn write_all(p: &Plan, dir: &std::path::Path) -> io::Result<()> {
    let mut f = std::fs::File::create(dir.join(FILES[0]))?;
    write_csv(p, &mut f)?;
    f.flush()?;
    let mut f = std::fs::File::create(dir.join(FILES[1]))?;
    write_json(p, &mut f)?;
    f.flush()?;
    std::fs::write(dir.join("batches.csv"), super::batch::csv(&p.batches))?;
    super::charts::write_charts(p, dir)
}
