//! The capacity planner (`drsim plan`): how much bandwidth an estate needs for a target RPO.
//!
//! The question: the smallest link bandwidth at which every VM (and, separately, the estate
//! as a whole) has its RPO within the target for at least `percent` of its protected time.
//! A [`search`] brackets then bisects the link's capacity (throttle limits lifted); each
//! candidate runs the scenario N times, replication `i` with the seed a sweep gives it
//! ([`crate::study::seeds`]), and passes when the **lower one-sided 95% Student t bound**
//! (statrs) of the mean of the per-replication metric is at least `percent` (with one
//! replication: the metric itself). The metric is, per replication:
//!
//! - every VM: the lowest fraction of protected time within target among the VMs (a VM
//!   never protected in the run counts 0);
//! - estate: time within target over protected time, summed over the VMs (a VM never
//!   protected counts the whole horizon as missed).
//!
//! VMs that fail Azure's prerequisite check cannot be protected at any bandwidth: they are
//! left out of both, and listed.
//!
//! **Early stop.** A replication's metric is at most `1 - missed/horizon` for the VM (or,
//! estate, the sum) that has missed `missed` ms of target so far. Once `missed` exceeds
//! `N (1 - percent)` of the horizon, the mean of the N replications is below `percent`
//! whatever the others do, so the candidate fails: the run is stopped there
//! ([`crate::run::RunSpec::halt_every`]) and the candidate is failed. The plan records how
//! much simulated time this saved.
//!
//! Besides the main answer the plan gives the ASR Deployment Planner's pair (bandwidth for
//! RPO met 100% and 90% of the time), the throttle limits a throttled link needs in and
//! outside work hours, the copy interval that needs least, the RPO achievable at the
//! scenario's own link, host volume peaks, and the Deployment Planner's static estimate
//! beside the simulated answer with what made them differ. Churn is scaled by the growth
//! factor ([`crate::model::Scenario::scale_churn`]) in every run and in the estimate.
//!
//! Deterministic: candidates run in a fixed order, replications in parallel on a rayon pool
//! are collected in replication order, so the thread count never changes the plan.

pub mod batch;
pub mod charts;
pub mod output;
pub mod search;

use crate::engine::{stable_hash, Time};
use crate::model::{Scenario, Topology};
use crate::run::{RunError, RunSpec};
use crate::sim::RunResult;
use crate::study::{seeds, stats};
use crate::units::ByteRate;
use rayon::prelude::*;
use search::Found;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// [ours] The confidence of the one-sided t bound a candidate must pass.
pub const CONFIDENCE: f64 = 0.95;
/// [ours] A candidate run is asked whether its answer is decided every 10 minutes of
/// virtual time.
pub const HALT_CHECK_MS: Time = 10 * 60_000;
/// [src: ASR Deployment Planner] The default churn growth: 30%.
pub const DEFAULT_GROWTH_PERCENT: f64 = 30.0;
/// [src: ASR Deployment Planner] The planner's standard pair: RPO met 100% and 90% of the
/// time.
pub const DP_PERCENTS: [f64; 2] = [100.0, 90.0];
/// [ours] The Deployment Planner's static estimate takes the 95th percentile of the
/// estate's per-minute churn (the sum over its VMs, minute by minute).
pub const STATIC_PERCENTILE: usize = 95;
/// [ours] A busiest minute over 1.5 times the 95th percentile is reported as bursts.
pub const BURST_RATIO: f64 = 1.5;
/// The most replications per candidate.
pub const MAX_REPLICATIONS: u32 = 1000;

/// What to plan.
#[derive(Debug, Clone)]
pub struct PlanSpec {
    /// The target RPO every policy is judged against.
    pub target_rpo: Time,
    /// The share of protected time within target, in percent (0, 100].
    pub percent: f64,
    pub replications: u32,
    /// Churn growth in percent (30 = 1.3 times the scenario's churn).
    pub growth_percent: f64,
    /// Master seed [default: the scenario's].
    pub seed: Option<u64>,
    /// Worker threads; `None` for one per core.
    pub threads: Option<usize>,
    /// The goal of the initial-replication batch plan ([`batch::DEFAULT_IR_GOAL`]).
    pub ir_goal: Time,
}

/// Whose RPO a criterion judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    EveryVm,
    Estate,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::EveryVm => "every-vm",
            Scope::Estate => "estate",
        }
    }
}

/// A criterion: RPO within target for `percent` of protected time, for `scope`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Criterion {
    pub scope: Scope,
    pub percent: f64,
}

/// Which link setting a search varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Knob {
    /// The link's capacity, throttle limits lifted.
    Capacity,
    /// The work-hours throttle limit, at the planned capacity.
    WorkHoursLimit,
    /// The non-work-hours throttle limit, at the planned capacity.
    NonWorkHoursLimit,
}

impl Knob {
    pub fn name(self) -> &'static str {
        match self {
            Knob::Capacity => "capacity",
            Knob::WorkHoursLimit => "work-hours-limit",
            Knob::NonWorkHoursLimit => "non-work-hours-limit",
        }
    }
}

/// A candidate's setting besides the searched value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Setting {
    pub knob: Knob,
    /// The capacity under a throttle search (mB/s).
    pub capacity: u64,
    /// Every policy's copy interval, when the plan changes it.
    pub copy_interval: Option<Time>,
    /// Under a throttle search: the other limit, when the plan sets it (mB/s).
    pub other_limit: Option<u64>,
}

/// One VM's figures in one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct VmRep {
    pub within: Option<f64>,
    pub p95_s: Option<f64>,
    pub p99_s: Option<f64>,
    pub max_s: Option<f64>,
    pub peak_volume_bytes: u64,
    pub protected: bool,
}

/// What one replication of a candidate found (the rest of its results are dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct Rep {
    pub seed: u64,
    pub halted_at: Option<Time>,
    /// Every-VM and estate metrics (fractions of protected time within target).
    pub every_vm: f64,
    pub estate: f64,
    pub vms: Vec<VmRep>,
    /// Per host: the run's peak of snapshot and log space (exact in full runs, see
    /// [`RunSpec::exact_host_peaks`]; in runs with early stop, at sample instants).
    pub host_peak: Vec<u64>,
    pub resyncs: u64,
    pub cycles_missed: u64,
    pub transfer_failures: u64,
}

/// A candidate's verdict under one criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trial {
    pub n: usize,
    /// Mean of the per-replication metric, in percent.
    pub mean_percent: f64,
    /// Its lower one-sided bound at [`CONFIDENCE`], in percent (n = 1: the value).
    pub bound_percent: f64,
    /// Replications stopped early (each proves the candidate fails).
    pub halted: usize,
    /// Simulated time of the candidate's replications, ms (0 when reused from an earlier
    /// candidate at the same value).
    pub simulated_ms: u64,
}

/// One search.
#[derive(Debug, Clone)]
pub struct SearchResult {
    pub label: String,
    pub criterion: Criterion,
    pub knob: Knob,
    pub copy_interval: Time,
    pub found: Found<Trial>,
}

/// What the plan found about a host's volume.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostVolume {
    pub host: String,
    pub volume_free_bytes: Option<u64>,
    /// The host's exact peak of snapshot and log space (read before every transfer
    /// arrival, drop and snapshot deletion, the only instants it falls), the largest over
    /// the replications at the answer: the free space to provision.
    pub peak_bytes: u64,
    /// [src] Static worst case during initial replication: 100% of the host's VHDs.
    pub static_worst_bytes: u64,
    /// [src] Static worst case during delta replication: 50% of the host's VHDs.
    pub static_delta_bytes: u64,
}

/// The achievable RPO of one VM at the scenario's own link (means over replications).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VmAchieved {
    pub vm: String,
    pub within_percent: Option<f64>,
    pub rpo_p95_s: Option<f64>,
    pub rpo_p99_s: Option<f64>,
    pub rpo_max_s: Option<f64>,
}

/// The Deployment Planner's static estimate, per replication's workload draw, averaged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaticEstimate {
    /// 95th percentile of the estate's per-minute churn, as a bandwidth (bps).
    pub p95_bps: f64,
    /// The busiest minute's churn, as a bandwidth (bps).
    pub max_bps: f64,
    /// Mean churn, as a bandwidth (bps).
    pub mean_bps: f64,
}

/// The plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub scenario: String,
    pub scenario_hash: u64,
    pub spec: PlanSpec,
    pub master_seed: u64,
    pub link: String,
    /// The VMs judged (behind the link, inside Azure's limits), and those left out.
    pub vms: Vec<String>,
    pub excluded: Vec<(String, String)>,
    pub own: OwnLink,
    /// Main (every VM, estate), the Deployment Planner pair, the copy intervals, the
    /// throttle limits; in that order.
    pub searches: Vec<SearchResult>,
    pub copy_interval: Time,
    /// The interval that needs least bandwidth for the main criterion, when the topology
    /// offers a choice and it changes the answer.
    pub recommended_copy_interval: Option<Time>,
    pub hosts: Vec<HostVolume>,
    pub achieved: Vec<VmAchieved>,
    /// At the scenario's own link: the estate's within-target percent and the worst VM's.
    pub achieved_estate_percent: f64,
    pub achieved_worst_percent: f64,
    pub static_estimate: StaticEstimate,
    /// Plain-words reasons the simulated answer differs from the static estimate.
    pub effects: Vec<String>,
    pub runs: u64,
    pub simulated_ms: u64,
    /// What the runs would have simulated without early stop.
    pub full_ms: u64,
    /// The initial-replication batches at the answer (the scenario's own capacity when
    /// there is none).
    pub batches: batch::BatchPlan,
}

/// The scenario's own link as planned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnLink {
    pub capacity_bps: u64,
    pub work_hours_limit_bps: Option<u64>,
    pub non_work_hours_limit_bps: Option<u64>,
}

impl Plan {
    /// The main answer: every VM at `percent`.
    pub fn answer(&self) -> Option<u64> {
        self.searches[0].found.answer_bps
    }

    /// The plan's identity: the scenario, the options and the seed.
    pub fn hash(&self) -> u64 {
        hash_of(self.scenario_hash, &self.spec, self.master_seed)
    }
}

/// A plan's identity from its inputs (the thread count is not one: it changes nothing).
pub fn hash_of(scenario_hash: u64, spec: &PlanSpec, master_seed: u64) -> u64 {
    let mut b = Vec::new();
    b.extend_from_slice(b"drsim/plan");
    b.extend_from_slice(&scenario_hash.to_le_bytes());
    b.extend_from_slice(&spec.target_rpo.to_le_bytes());
    b.extend_from_slice(&spec.percent.to_bits().to_le_bytes());
    b.extend_from_slice(&spec.growth_percent.to_bits().to_le_bytes());
    b.extend_from_slice(&spec.replications.to_le_bytes());
    b.extend_from_slice(&master_seed.to_le_bytes());
    b.extend_from_slice(&spec.ir_goal.to_le_bytes());
    stable_hash(&b)
}

/// Why a plan could not be made.
#[derive(Debug)]
pub enum PlanError {
    /// The options or the scenario do not allow a plan (exit 2).
    Input(String),
    /// A run failed (exit 1).
    Run { seed: u64, error: RunError },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Input(m) => write!(f, "error: {m}"),
            PlanError::Run { seed, error } => write!(f, "error: a run (seed {seed}): {error}"),
        }
    }
}

impl std::error::Error for PlanError {}

/// bits per second as a [`ByteRate`] (mB/s): exact.
pub fn rate_of_bps(bps: u64) -> ByteRate {
    ByteRate(bps.saturating_mul(125))
}

/// A [`ByteRate`] in bits per second, rounded down.
pub fn bps_of(rate: ByteRate) -> u64 {
    rate.0 / 125
}

/// The planner: the base scenario (growth and target applied), the pool, the cache of
/// fully run candidates, the time accounts.
pub struct Planner {
    pub base: Scenario,
    pub spec: PlanSpec,
    pub master_seed: u64,
    pub link: usize,
    /// The VMs judged.
    pub scope: Vec<usize>,
    pool: rayon::ThreadPool,
    cache: BTreeMap<(Setting, u64), Vec<Rep>>,
    pub runs: u64,
    pub simulated_ms: u64,
    pub full_ms: u64,
}

impl Planner {
    /// Check the options against `scenario` and prepare the base scenario.
    pub fn new(scenario: &Scenario, spec: PlanSpec) -> Result<Planner, PlanError> {
        let bad = |m: String| Err(PlanError::Input(m));
        if !(spec.percent > 0.0 && spec.percent <= 100.0) {
            return bad(format!(
                "--percent {} is outside (0, 100]: the share of protected time the RPO must be within target",
                spec.percent
            ));
        }
        if spec.replications == 0 || spec.replications > MAX_REPLICATIONS {
            return bad(format!(
                "--replications {} is outside 1..={MAX_REPLICATIONS}",
                spec.replications
            ));
        }
        if !(spec.growth_percent >= 0.0 && spec.growth_percent <= 1000.0) {
            return bad(format!(
                "--growth {}% is outside 0%..=1000%",
                spec.growth_percent
            ));
        }
        if spec.target_rpo == 0 {
            return bad("--target-rpo must be above 0".into());
        }
        if spec.threads == Some(0) {
            return bad("--threads must be at least 1".into());
        }
        let links: Vec<usize> =
            scenario
                .sites
                .iter()
                .filter_map(|s| s.link)
                .fold(Vec::new(), |mut v, l| {
                    if !v.contains(&l) {
                        v.push(l);
                    }
                    v
                });
        let link = match links.as_slice() {
            [l] => *l,
            [] => {
                return bad(format!(
                    "scenario \"{}\" has no link to plan ({} replicates through the cache storage account)",
                    scenario.name,
                    scenario.topology.name()
                ))
            }
            _ => {
                return bad(format!(
                    "scenario \"{}\" replicates over {} links; drsim plan plans one link (use --set to give the sites one link)",
                    scenario.name,
                    links.len()
                ))
            }
        };
        let mut base = scenario.clone();
        base.scale_churn(1.0 + spec.growth_percent / 100.0);
        for p in &mut base.policies {
            p.target_rpo = spec.target_rpo;
        }
        // The plan keeps no time series: host peaks come from the results.
        let scope = (0..base.vms.len())
            .filter(|&v| excluded_reason(&base, v).is_none())
            .collect();
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(n) = spec.threads {
            pool = pool.num_threads(n);
        }
        let pool = pool
            .build()
            .map_err(|e| PlanError::Input(format!("cannot start the worker threads: {e}")))?;
        Ok(Planner {
            master_seed: spec.seed.unwrap_or(scenario.seed),
            base,
            spec,
            link,
            scope,
            pool,
            cache: BTreeMap::new(),
            runs: 0,
            simulated_ms: 0,
            full_ms: 0,
        })
    }

    /// The scenario of a candidate.
    pub fn scenario_at(&self, setting: Setting, bps: u64) -> Scenario {
        let mut sc = self.base.clone();
        let l = &mut sc.links[self.link];
        match setting.knob {
            Knob::Capacity => {
                l.capacity = rate_of_bps(bps);
                l.work_hours_limit = None;
                l.non_work_hours_limit = None;
            }
            Knob::WorkHoursLimit => {
                l.capacity = ByteRate(setting.capacity);
                l.work_hours_limit = Some(rate_of_bps(bps));
                if let Some(o) = setting.other_limit {
                    l.non_work_hours_limit = Some(ByteRate(o));
                }
            }
            Knob::NonWorkHoursLimit => {
                l.capacity = ByteRate(setting.capacity);
                l.non_work_hours_limit = Some(rate_of_bps(bps));
                if let Some(o) = setting.other_limit {
                    l.work_hours_limit = Some(ByteRate(o));
                }
            }
        }
        if let Some(c) = setting.copy_interval {
            for p in &mut sc.policies {
                p.copy_interval = c;
            }
        }
        sc
    }

    /// Run the N replications of `sc`; with `halt`, each stops once it proves the
    /// criterion fails.
    pub fn replicate(
        &mut self,
        sc: &Scenario,
        halt: Option<Criterion>,
    ) -> Result<Vec<Rep>, PlanError> {
        let n = self.spec.replications;
        let scope = &self.scope;
        let master = self.master_seed;
        let one = |i: u32| -> Result<Rep, PlanError> {
            let seed = seeds::replication_seed(master, i);
            // Full runs give the host volumes' exact peaks (a read of every VM on the host
            // per arrival); a run that may stop early is judged on RPO alone.
            let spec = RunSpec::new(sc)
                .seed(seed)
                .keep_series(false)
                .exact_host_peaks(halt.is_none());
            let out = match halt {
                Some(c) => {
                    // Missed ms beyond which the mean over N replications is below percent.
                    let limit = f64::from(n) * (1.0 - c.percent / 100.0) * sc.horizon as f64;
                    let mut hook = |p: &crate::run::Progress<'_>| match c.scope {
                        Scope::EveryVm => scope
                            .iter()
                            .any(|&v| p.rpo_observed_and_missed_ms(v).1 as f64 > limit),
                        Scope::Estate => {
                            let missed: u64 = scope
                                .iter()
                                .map(|&v| p.rpo_observed_and_missed_ms(v).1)
                                .sum();
                            missed as f64 > limit * scope.len() as f64
                        }
                    };
                    crate::run::run(spec.halt_every(HALT_CHECK_MS, &mut hook))
                }
                None => crate::run::run(spec),
            }
            .and_then(|out| out.whole(sc))
            .map_err(|error| PlanError::Run { seed, error })?;
            Ok(rep_of(scope, seed, out.halted_at, &out.result))
        };
        let all: Vec<Result<Rep, PlanError>> = self
            .pool
            .install(|| (0..n).into_par_iter().map(one).collect());
        let reps: Vec<Rep> = all.into_iter().collect::<Result<_, _>>()?;
        self.runs += u64::from(n);
        self.full_ms += u64::from(n) * sc.horizon;
        self.simulated_ms += reps
            .iter()
            .map(|r| r.halted_at.unwrap_or(sc.horizon))
            .sum::<u64>();
        Ok(reps)
    }

    /// Full (not stopped) replications at a candidate, from the cache or run now.
    pub fn full_reps(&mut self, setting: Setting, bps: u64) -> Result<Vec<Rep>, PlanError> {
        if let Some(r) = self.cache.get(&(setting, bps)) {
            return Ok(r.clone());
        }
        let sc = self.scenario_at(setting, bps);
        let reps = self.replicate(&sc, None)?;
        self.cache.insert((setting, bps), reps.clone());
        Ok(reps)
    }

    /// Judge a candidate under `c`: reuse full replications if a candidate at the same
    /// value ran them, else run with early stop.
    pub fn trial(
        &mut self,
        setting: Setting,
        bps: u64,
        c: Criterion,
    ) -> Result<(bool, Trial), PlanError> {
        let (reps, simulated_ms) = match self.cache.get(&(setting, bps)) {
            Some(r) => (r.clone(), 0),
            None => {
                let before = self.simulated_ms;
                let sc = self.scenario_at(setting, bps);
                let reps = self.replicate(&sc, Some(c))?;
                if reps.iter().all(|r| r.halted_at.is_none()) {
                    self.cache.insert((setting, bps), reps.clone());
                }
                (reps, self.simulated_ms - before)
            }
        };
        Ok(judge(&reps, c, simulated_ms))
    }

    /// Search `knob` for criterion `c` from `guess`.
    pub fn search(
        &mut self,
        label: &str,
        c: Criterion,
        setting: Setting,
        guess: u64,
    ) -> Result<SearchResult, PlanError> {
        let mut err = None;
        let found = search::search(guess, |bps| {
            if err.is_some() {
                return (false, Trial::default());
            }
            match self.trial(setting, bps, c) {
                Ok(t) => t,
                Err(e) => {
                    err = Some(e);
                    (false, Trial::default())
                }
            }
        });
        if let Some(e) = err {
            return Err(e);
        }
        Ok(SearchResult {
            label: label.to_string(),
            criterion: c,
            knob: setting.knob,
            copy_interval: setting.copy_interval.unwrap_or(self.base_copy_interval()),
            found,
        })
    }

    /// The copy interval of the link's policy (the first site on the link).
    pub fn base_copy_interval(&self) -> Time {
        self.base
            .sites
            .iter()
            .find(|s| s.link == Some(self.link))
            .map_or(0, |s| self.base.policies[s.policy].copy_interval)
    }
}

impl Default for Trial {
    fn default() -> Self {
        Trial {
            n: 0,
            mean_percent: 0.0,
            bound_percent: 0.0,
            halted: 0,
            simulated_ms: 0,
        }
    }
}

/// Why VM `v` cannot be protected at any bandwidth, if so.
fn excluded_reason(sc: &Scenario, v: usize) -> Option<String> {
    let vm = &sc.vms[v];
    let site = &sc.sites[sc.hosts[vm.host].site];
    if site.link.is_none() {
        return Some("not behind a link".into());
    }
    if sc.topology == Topology::HyperVToAzure {
        return vm.azure_support_violation();
    }
    None
}

/// The figures the plan keeps of one run.
fn rep_of(scope: &[usize], seed: u64, halted_at: Option<Time>, r: &RunResult) -> Rep {
    let vms: Vec<VmRep> = r
        .vms
        .iter()
        .map(|v| VmRep {
            within: v.rpo.target_met_fraction,
            p95_s: v.rpo.p95_s,
            p99_s: v.rpo.p99_s,
            max_s: v.rpo.max_s,
            peak_volume_bytes: v.peak_volume_used_bytes,
            protected: v.protected_at.is_some() || v.rpo.observed_s > 0.0,
        })
        .collect();
    let every_vm = scope
        .iter()
        .map(|&i| vms[i].within.unwrap_or(0.0))
        .fold(1.0f64, f64::min);
    let horizon_s = r.horizon as f64 / 1000.0;
    let (mut met, mut observed) = (0.0, 0.0);
    for &i in scope {
        let v = &r.vms[i];
        match v.rpo.target_met_fraction {
            Some(f) => {
                met += f * v.rpo.observed_s;
                observed += v.rpo.observed_s;
            }
            None => observed += horizon_s,
        }
    }
    let estate = if observed > 0.0 { met / observed } else { 1.0 };
    let sum = |f: fn(&crate::sim::VmResult) -> u64| scope.iter().map(|&i| f(&r.vms[i])).sum();
    Rep {
        seed,
        halted_at,
        every_vm,
        estate,
        vms,
        host_peak: r.hosts.iter().map(|h| h.peak_volume_used_bytes).collect(),
        resyncs: sum(|v| v.resyncs.len() as u64),
        cycles_missed: sum(|v| v.cycles_missed),
        transfer_failures: sum(|v| v.transfer_failures),
    }
}

/// The verdict on a candidate's replications under `c`.
pub fn judge(reps: &[Rep], c: Criterion, simulated_ms: u64) -> (bool, Trial) {
    let values: Vec<f64> = reps
        .iter()
        .map(|r| match c.scope {
            Scope::EveryVm => r.every_vm,
            Scope::Estate => r.estate,
        })
        .collect();
    let halted = reps.iter().filter(|r| r.halted_at.is_some()).count();
    let s = stats::summarize(&values);
    let mean = s.mean.unwrap_or(0.0);
    let bound = match (
        s.sd,
        stats::t_quantile(CONFIDENCE, values.len().saturating_sub(1)),
    ) {
        (Some(sd), Some(t)) => mean - t * sd / (values.len() as f64).sqrt(),
        _ => mean,
    };
    // A fraction computed as met/observed may land a rounding error below an exact share.
    let pass = halted == 0 && bound * 100.0 >= c.percent - 1e-9;
    (
        pass,
        Trial {
            n: values.len(),
            mean_percent: mean * 100.0,
            bound_percent: bound * 100.0,
            halted,
            simulated_ms,
        },
    )
}

/// The Deployment Planner's static estimate for the VMs `scope` of `sc` under the workload
/// draws of `seeds`: per-minute churn of the estate, its 95th percentile (statrs), the
/// busiest minute and the mean, each as a bandwidth, averaged over the draws.
pub fn static_estimate(sc: &Scenario, scope: &[usize], seeds: &[u64]) -> StaticEstimate {
    use crate::model::workload::DiskWrites;
    use statrs::statistics::{Data, OrderStatistics};
    const MIN: Time = 60_000;
    let minutes = (sc.horizon / MIN).max(1);
    let (mut p95, mut max, mut mean) = (0.0, 0.0, 0.0);
    for &seed in seeds {
        let streams = crate::engine::RngStreams::new(seed);
        let mut per_minute = vec![0u64; minutes as usize];
        for &v in scope {
            let vm = &sc.vms[v];
            for (i, d) in vm.disks.iter().enumerate() {
                // The stream the simulation gives the disk: the same draws.
                let rng = streams.stream(&format!("vm/{}/disk/{i}/workload", vm.name));
                let mut w = DiskWrites::new(d.workload.clone(), &sc.calendar, rng);
                let mut before = 0;
                for (m, slot) in per_minute.iter_mut().enumerate() {
                    let now = w.written_by((m as u64 + 1) * MIN, &sc.calendar);
                    *slot += now - before;
                    before = now;
                }
            }
        }
        let bps = |bytes_per_min: f64| bytes_per_min * 8.0 / 60.0;
        let values: Vec<f64> = per_minute.iter().map(|&b| b as f64).collect();
        mean += bps(values.iter().sum::<f64>() / values.len() as f64);
        max += bps(values.iter().cloned().fold(0.0, f64::max));
        p95 += bps(Data::new(values).percentile(STATIC_PERCENTILE));
    }
    let n = seeds.len().max(1) as f64;
    StaticEstimate {
        p95_bps: p95 / n,
        max_bps: max / n,
        mean_bps: mean / n,
    }
}

/// Make the plan of `scenario`.
pub fn plan(scenario: &Scenario, spec: PlanSpec) -> Result<Plan, PlanError> {
    let mut p = Planner::new(scenario, spec)?;
    let seeds: Vec<u64> = (0..p.spec.replications)
        .map(|i| seeds::replication_seed(p.master_seed, i))
        .collect();
    let estimate = static_estimate(&p.base, &p.scope, &seeds);
    let own_link = p.base.links[p.link].clone();
    let guess = (estimate.p95_bps as u64).max(search::FLOOR_BPS);
    let percent = p.spec.percent;
    let cap = Setting {
        knob: Knob::Capacity,
        capacity: 0,
        copy_interval: None,
        other_limit: None,
    };
    let mut searches = Vec::new();
    let every = Criterion {
        scope: Scope::EveryVm,
        percent,
    };
    let main = p.search("every VM", every, cap, guess)?;
    let answer = main.found.answer_bps;
    let start = answer.unwrap_or(guess);
    searches.push(main);
    let estate = Criterion {
        scope: Scope::Estate,
        percent,
    };
    searches.push(p.search("estate", estate, cap, start)?);
    for dp in DP_PERCENTS {
        let c = Criterion {
            scope: Scope::EveryVm,
            percent: dp,
        };
        searches.push(p.search(&format!("ASR pair: {dp}% of the time"), c, cap, start)?);
    }
    // The copy intervals the topology offers.
    let own_interval = p.base_copy_interval();
    let mut recommended = None;
    let offered: Vec<Time> = p.base.topology.copy_intervals_ms().to_vec();
    if offered.len() > 1 {
        let mut best = (answer, own_interval);
        for &c in offered.iter().filter(|&&c| c != own_interval) {
            let s = Setting {
                copy_interval: Some(c),
                ..cap
            };
            let r = p.search(
                &format!("copy every {}", crate::units::Millis(c)),
                every,
                s,
                start,
            )?;
            if let Some(a) = r.found.answer_bps {
                if best.0.is_none_or(|b| a < b) {
                    best = (Some(a), c);
                }
            }
            searches.push(r);
        }
        if best.1 != own_interval {
            recommended = Some(best.1);
        }
    }
    // The throttle limits, at the larger of the scenario's capacity and the answer: first
    // the work-hours limit (outside work hours the scenario's), then the non-work-hours
    // limit with the work-hours limit found.
    if own_link.is_throttled() {
        let capacity = own_link.capacity.0.max(rate_of_bps(start).0);
        let work = Setting {
            knob: Knob::WorkHoursLimit,
            capacity,
            copy_interval: None,
            other_limit: None,
        };
        let r = p.search("work-hours limit", every, work, start)?;
        let found = r.found.answer_bps;
        searches.push(r);
        let non_work = Setting {
            knob: Knob::NonWorkHoursLimit,
            capacity,
            copy_interval: None,
            other_limit: found.map(|b| rate_of_bps(b).0),
        };
        searches.push(p.search("non-work-hours limit", every, non_work, start)?);
    }
    // The answer's full runs: volume peaks and the effects seen.
    let at_answer = p.full_reps(cap, start)?;
    let hosts = host_volumes(&p, &at_answer);
    // The scenario's own link.
    let own_sc = p.base.clone();
    let own = p.replicate(&own_sc, None)?;
    let achieved = achieved(&p, &own);
    let achieved_estate_percent = mean(own.iter().map(|r| r.estate)) * 100.0;
    let achieved_worst_percent = mean(own.iter().map(|r| r.every_vm)) * 100.0;
    let effects = effects(&p, &estimate, answer, &at_answer, &seeds);
    let excluded = (0..p.base.vms.len())
        .filter_map(|v| excluded_reason(&p.base, v).map(|r| (p.base.vms[v].name.clone(), r)))
        .collect();
    // The batches, at the every-VM answer; the scenario as written (today's churn).
    let batch_bps = searches[0]
        .found
        .answer_bps
        .unwrap_or(bps_of(own_link.capacity));
    let batches = batch::plan(
        scenario,
        p.link,
        &p.scope,
        batch_bps,
        p.spec.ir_goal,
        p.spec.percent,
        p.spec.target_rpo,
    )?;
    Ok(Plan {
        batches,
        scenario: scenario.name.clone(),
        scenario_hash: scenario.hash,
        link: own_link.name.clone(),
        vms: p
            .scope
            .iter()
            .map(|&v| p.base.vms[v].name.clone())
            .collect(),
        excluded,
        own: OwnLink {
            capacity_bps: bps_of(own_link.capacity),
            work_hours_limit_bps: own_link.work_hours_limit.map(bps_of),
            non_work_hours_limit_bps: own_link.non_work_hours_limit.map(bps_of),
        },
        searches,
        copy_interval: own_interval,
        recommended_copy_interval: recommended,
        hosts,
        achieved,
        achieved_estate_percent,
        achieved_worst_percent,
        static_estimate: estimate,
        effects,
        runs: p.runs,
        simulated_ms: p.simulated_ms,
        full_ms: p.full_ms,
        master_seed: p.master_seed,
        spec: p.spec.clone(),
    })
}

fn mean(it: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = it.collect();
    stats::summarize(&v).mean.unwrap_or(0.0)
}

fn host_volumes(p: &Planner, reps: &[Rep]) -> Vec<HostVolume> {
    let sc = &p.base;
    sc.hosts
        .iter()
        .enumerate()
        .map(|(h, host)| {
            let on: Vec<usize> = (0..sc.vms.len()).filter(|&v| sc.vms[v].host == h).collect();
            let peak = reps.iter().map(|r| r.host_peak[h]).max().unwrap_or(0);
            let vhd = |v: usize| sc.vms[v].virtual_size();
            let worst = on.iter().map(|&v| vhd(v)).sum();
            HostVolume {
                host: host.name.clone(),
                volume_free_bytes: host.volume_free.map(|b| b.0),
                peak_bytes: peak,
                static_worst_bytes: worst,
                static_delta_bytes: on.iter().map(|&v| vhd(v) / 2).sum(),
            }
        })
        .collect()
}

fn achieved(p: &Planner, reps: &[Rep]) -> Vec<VmAchieved> {
    let avg = |v: usize, f: fn(&VmRep) -> Option<f64>| {
        let xs: Vec<f64> = reps.iter().filter_map(|r| f(&r.vms[v])).collect();
        stats::summarize(&xs).mean
    };
    p.scope
        .iter()
        .map(|&v| VmAchieved {
            vm: p.base.vms[v].name.clone(),
            within_percent: avg(v, |x| x.within).map(|f| f * 100.0),
            rpo_p95_s: avg(v, |x| x.p95_s),
            rpo_p99_s: avg(v, |x| x.p99_s),
            rpo_max_s: avg(v, |x| x.max_s),
        })
        .collect()
}

/// What made the simulated answer differ from the static estimate, in plain words, from the
/// scenario and the runs at the answer.
fn effects(
    p: &Planner,
    est: &StaticEstimate,
    answer: Option<u64>,
    reps: &[Rep],
    seeds: &[u64],
) -> Vec<String> {
    use crate::units::Millis;
    let sc = &p.base;
    let mut out = Vec::new();
    let gbps = |b: f64| crate::units::ByteRate((b * 125.0) as u64).to_string();
    match answer {
        Some(a) => out.push(format!(
            "the simulated answer, {}, is {:.2} times the static estimate of {} (95th percentile of per-minute churn with growth)",
            rate_of_bps(a),
            a as f64 / est.p95_bps.max(1.0),
            gbps(est.p95_bps)
        )),
        None => out.push(format!(
            "no bandwidth up to {} meets the criterion; the static estimate says {}",
            rate_of_bps(search::CEILING_BPS),
            gbps(est.p95_bps)
        )),
    }
    let c = p.base_copy_interval();
    let t = p.spec.target_rpo;
    if c > 0 && t < 2 * c {
        out.push(format!(
            "copy interval: a log closed every {} must arrive within {} for the RPO to stay under {}, so the link needs about {:.1} times the churn of each interval",
            Millis(c),
            Millis(t.saturating_sub(c)),
            Millis(t),
            c as f64 / t.saturating_sub(c).max(1) as f64
        ));
    }
    if est.max_bps > BURST_RATIO * est.p95_bps {
        out.push(format!(
            "bursts: the busiest minute writes {:.1} times the 95th percentile ({} against {}); a log closed after a burst must still arrive within the target",
            est.max_bps / est.p95_bps.max(1.0),
            gbps(est.max_bps),
            gbps(est.p95_bps)
        ));
    }
    let link = &sc.links[p.link];
    if link.is_throttled() {
        out.push(format!(
            "throttle: the scenario's link is throttled ({} in work hours, {} outside); the answer is the unthrottled bandwidth, the throttle searches give the limits it needs",
            link.work_hours_limit.map_or("no limit".into(), |l| l.to_string()),
            link.non_work_hours_limit.map_or("no limit".into(), |l| l.to_string())
        ));
    }
    let ir: Vec<usize> = p
        .scope
        .iter()
        .copied()
        .filter(|&v| !sc.vms[v].protected_at_start)
        .collect();
    if !ir.is_empty() {
        let bytes: u64 = ir.iter().map(|&v| sc.vms[v].used_size()).sum();
        out.push(format!(
            "initial replication and finalize backlog: {} VMs copy {} and then send what was written during their copy; their RPO counts from protection",
            ir.len(),
            crate::units::Bytes(bytes)
        ));
    }
    let windows: Vec<Vec<(Time, Time)>> = seeds
        .iter()
        .map(|&s| crate::sim::link_outage_windows(sc, s).swap_remove(p.link))
        .collect();
    let count: usize = windows.iter().map(Vec::len).sum();
    if count > 0 {
        let down: u64 = windows.iter().flatten().map(|(a, b)| b - a).sum();
        let longest = windows
            .iter()
            .flatten()
            .map(|(a, b)| b - a)
            .max()
            .unwrap_or(0);
        let n = seeds.len() as u64;
        out.push(format!(
            "outages: {:.1} per replication, {} down on average, the longest {}; the backlog after each must drain{}",
            count as f64 / n as f64,
            Millis(down / n),
            Millis(longest),
            if longest > t {
                format!(
                    ", and an outage longer than the {} target cannot be made up by bandwidth",
                    Millis(t)
                )
            } else {
                String::new()
            }
        ));
    }
    let resyncs: u64 = reps.iter().map(|r| r.resyncs).sum();
    if resyncs > 0 {
        out.push(format!(
            "resynchronization: {resyncs} in {} replications at the answer",
            reps.len()
        ));
    }
    out
}
