//! The command line: parses arguments and calls the library. No simulation logic lives here.

use crate::generated::{bench, canonical};
use crate::model::Scenario;
use crate::report::{self, OutputDir, Report, Stamp};
use crate::run::{RunError, RunSpec};
use crate::{replication, scenario};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "drsim",
    version,
    about = "Deterministic simulator for disaster-recovery replication planning (Azure Site Recovery, Hyper-V Replica)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario and write its results.
    Run(RunArgs),
    /// Run every combination of parameter values, each with seeded replications, in
    /// parallel; write runs.csv, points.csv (mean, sd, 95% CI per point and metric) and
    /// sweep.json.
    Sweep(SweepArgs),
    /// Combine the folders of `drsim sweep --shard K/N` (all N of one sweep) into exactly the
    /// files the unsharded sweep writes.
    Merge(MergeArgs),
    /// Plan capacity: the smallest link bandwidth (and throttle limits, copy interval) at
    /// which the VMs meet a target RPO for a share of their protected time, searched over
    /// seeded replications; write plan.json and plan.csv.
    Plan(PlanArgs),
    /// Check a scenario file and report every error.
    Validate {
        file: PathBuf,
        /// Override a scenario field by path (as `run --set`).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<scenario::Override>,
    },
    /// Print the replication state machine from its transition table: Markdown (diagram
    /// and table), or the diagram alone in Mermaid or Graphviz DOT.
    States {
        #[arg(long, value_enum, default_value_t = StatesFormat::Markdown)]
        format: StatesFormat,
    },
    /// Run a scenario and narrate, step by step, what the replication state machine did
    /// with one VM and why (nothing is written to disk).
    Explain {
        file: PathBuf,
        /// The VM to follow [default: the scenario's first VM].
        #[arg(long)]
        vm: Option<String>,
        /// Override a scenario field by path (as `run --set`).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<scenario::Override>,
    },
    /// Print a generated scenario file to stdout.
    Gen {
        #[command(subcommand)]
        workload: GenWorkload,
    },
    /// Time a generated estate: events, wall time, events/s.
    Bench {
        /// Number of VMs (1 to 1,000,000).
        #[arg(long, default_value_t = 1000, allow_hyphen_values = true, value_parser = whole::<u32>(1, MAX_VMS))]
        vms: u32,
        /// Simulated days (1 to 3650).
        #[arg(long, default_value_t = 7, allow_hyphen_values = true, value_parser = whole::<u32>(1, MAX_DAYS))]
        days: u32,
    },
}

/// A value parser for a whole number from `lo` to `hi`, refusing in the user's words
/// (`allowed: a whole number from 1 to 1,000`) what clap would call a flag (`-1`) or an
/// out-of-range `u32`.
fn whole<T>(lo: u64, hi: u64) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: TryFrom<u64> + Clone + Send + Sync + 'static,
{
    move |s: &str| {
        let allowed = format!(
            "allowed: a whole number from {} to {}",
            crate::units::thousands(lo),
            crate::units::thousands(hi)
        );
        match s.trim().parse::<u64>() {
            Ok(n) if (lo..=hi).contains(&n) => T::try_from(n).map_err(|_| allowed),
            Ok(_) => Err(format!("out of range; {allowed}")),
            Err(_) if s.trim().starts_with('-') => Err(format!("cannot be negative; {allowed}")),
            Err(_) => Err(format!("not a whole number; {allowed}")),
        }
    }
}

/// [ours] The most worker threads a sweep or a plan may ask for.
const MAX_THREADS: u64 = 1024;
/// [ours] The most replications per point of a sweep.
const MAX_SWEEP_REPLICATIONS: u64 = 1_000_000;

/// [ours] The largest generated estate (`bench`, `gen canonical`).
const MAX_VMS: u64 = 1_000_000;
/// [ours] The longest generated run, in days (`bench`, `gen canonical`).
const MAX_DAYS: u64 = 3650;

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum StatesFormat {
    Markdown,
    Mermaid,
    Dot,
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// The scenario file (TOML).
    file: PathBuf,
    /// Output folder [default: output/<scenario name>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Master seed; replaces the scenario's `seed`.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_seed)]
    seed: Option<u64>,
    /// Print summary.json to stdout instead of the table.
    #[arg(long)]
    json: bool,
    /// Replace an output folder that holds another scenario's or seed's results.
    #[arg(long)]
    force: bool,
    /// Print to stderr how long loading, simulating and writing took (wall clock; it
    /// never reaches the results).
    #[arg(long)]
    timing: bool,
    /// Override a scenario field by path, e.g. `links.wan.capacity=200Mbps` (repeatable;
    /// tables in lists are addressed by their `name`).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<scenario::Override>,
    /// Check the simulation's invariants after every event and step (byte conservation,
    /// no link over capacity, monotone time, legal transitions); a violation stops the
    /// run with an error. Debug builds always check.
    #[arg(long)]
    check: bool,
    /// No progress bar (there is none either when stderr is not a terminal).
    #[arg(long)]
    quiet: bool,
    /// Draw no charts: no charts/ files, and report.html says so (faster batch runs).
    #[arg(long)]
    no_charts: bool,
    /// Stop the run after N events, its results marked partial (exit 3) [default: 2e9, and
    /// a run estimated over it is refused before it starts].
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = whole::<u64>(1, u64::MAX))]
    max_events: Option<u64>,
    /// Stop the run once its CSV tables reach SIZE (e.g. 500MB), its results marked partial
    /// (exit 3) [default: 2 GiB, and a run estimated over it is refused before it starts].
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true)]
    max_output_size: Option<String>,
}

#[derive(clap::Args, Debug)]
struct SweepArgs {
    /// The scenario file (TOML).
    file: PathBuf,
    /// A swept parameter: `PATH=VALUE`, a list `PATH=x,y,z` or a range `PATH=a..b:step`
    /// with units (`links.wan.capacity=100Mbps..400Mbps:50Mbps`); repeatable, every
    /// combination runs.
    #[arg(long = "set", value_name = "PATH=SPEC")]
    set: Vec<String>,
    /// Runs per combination, each with its own seed.
    #[arg(long, default_value_t = 10, allow_hyphen_values = true, value_parser = whole::<u32>(1, MAX_SWEEP_REPLICATIONS))]
    replications: u32,
    /// Master seed from which replication i's seed derives [default: the scenario's seed].
    #[arg(long, allow_hyphen_values = true, value_parser = parse_seed)]
    seed: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, allow_hyphen_values = true, value_parser = whole::<usize>(1, MAX_THREADS))]
    threads: Option<usize>,
    /// Output folder [default: output/<scenario name>-sweep].
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress bar (there is none either when stderr is not a terminal).
    #[arg(long)]
    quiet: bool,
    /// Also write every run's full outputs, into runs/p<point>-r<replication>/.
    #[arg(long)]
    keep_runs: bool,
    /// Replace an output folder that holds another sweep's results.
    #[arg(long)]
    force: bool,
    /// Run only shard K of N (K from 1): the runs whose index r (as in runs.csv) has
    /// r mod N = K-1; `drsim merge` combines the N folders.
    #[arg(long, value_name = "K/N")]
    shard: Option<crate::study::Shard>,
}

#[derive(clap::Args, Debug)]
struct PlanArgs {
    /// The scenario file (TOML).
    file: PathBuf,
    /// The target RPO every VM is judged against, e.g. 15m.
    #[arg(long, default_value = "15m")]
    target_rpo: String,
    /// The share of protected time the RPO must be within target, in percent (0, 100].
    #[arg(long, default_value_t = 99.0, allow_hyphen_values = true)]
    percent: f64,
    /// Runs per candidate bandwidth, each with its own seed (as in `drsim sweep`).
    #[arg(long, default_value_t = 10, allow_hyphen_values = true, value_parser = whole::<u32>(1, 1000))]
    replications: u32,
    /// Churn growth applied to every workload, e.g. 30% [default: 30%, the ASR
    /// Deployment Planner's].
    #[arg(long, default_value = "30%", allow_hyphen_values = true)]
    growth: String,
    /// Master seed from which replication i's seed derives [default: the scenario's seed].
    #[arg(long, allow_hyphen_values = true, value_parser = parse_seed)]
    seed: Option<u64>,
    /// Worker threads [default: one per core]; never changes the results.
    #[arg(long, allow_hyphen_values = true, value_parser = whole::<usize>(1, MAX_THREADS))]
    threads: Option<usize>,
    /// Output folder [default: output/<scenario name>-plan].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print only where the results are (no table).
    #[arg(long)]
    quiet: bool,
    /// Replace an output folder that holds another plan's results.
    #[arg(long)]
    force: bool,
    /// The goal for initial replication of the estate: the batch plan
    /// (batches.csv, plan-scenario.toml) finishes it within this.
    #[arg(long, default_value = "72h")]
    ir_goal: String,
}

#[derive(clap::Args, Debug)]
struct MergeArgs {
    /// The shard folders (written by `drsim sweep --shard K/N`), in any order.
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Output folder [default: output/<scenario name>-sweep].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an output folder that holds another sweep's results.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand, Debug)]
enum GenWorkload {
    /// The canonical delta-replication workload of shared/bench (SimPy peer's input).
    Canonical {
        /// Number of VMs (1 to 1,000,000).
        #[arg(long, allow_hyphen_values = true, value_parser = whole::<u32>(1, MAX_VMS))]
        vms: u32,
        /// Simulated days (1 to 3650).
        #[arg(long, default_value_t = 1, allow_hyphen_values = true, value_parser = whole::<u32>(1, MAX_DAYS))]
        days: u32,
        /// Link capacity over the total write rate (0.95 overloads the link).
        #[arg(long, default_value_t = canonical::HEADROOM)]
        headroom: f64,
        /// Time-series step of the generated scenario.
        #[arg(long, default_value = "6h")]
        sample_step: String,
    },
}

/// Exit codes: 0 success, 1 the run failed (I/O, or an invariant violated under `--check`),
/// 2 bad input (arguments, scenario, output folder, or a run estimated over its budget),
/// 3 a budget stopped the run (the folder holds its partial results, marked so), 130 and 143 stopped by SIGINT and
/// SIGTERM (see [`report::stop_on_signals`]).
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    report::stop_on_signals();
    match cli.command {
        Command::Run(args) => run(args),
        Command::Sweep(args) => sweep(args),
        Command::Merge(args) => merge(args),
        Command::Plan(args) => plan(args),
        Command::Validate { file, set } => match scenario::load_with(&file, &set) {
            Ok(s) => {
                s.warnings.iter().for_each(|w| eprintln!("{w}"));
                stdout(&format!(
                    "{}: ok: scenario \"{}\", {} VMs, {} links, {} simulated\n",
                    file.display(),
                    s.name,
                    s.vms.len(),
                    s.links.len(),
                    crate::units::Millis(s.horizon)
                ));
                0
            }
            Err(e) => {
                eprintln!("{e}");
                2
            }
        },
        Command::States { format } => {
            stdout(&match format {
                StatesFormat::Markdown => replication::state_machine_markdown(),
                StatesFormat::Mermaid => replication::state_machine_mermaid(),
                StatesFormat::Dot => replication::state_machine_dot(),
            });
            0
        }
        Command::Explain { file, vm, set } => explain(&file, vm.as_deref(), &set),
        Command::Gen {
            workload:
                GenWorkload::Canonical {
                    vms,
                    days,
                    headroom,
                    sample_step,
                },
        } => {
            if vms == 0 || days == 0 || !(headroom > 0.0 && headroom.is_finite()) {
                eprintln!("error: --vms and --days must be at least 1 and --headroom above 0");
                return 2;
            }
            stdout(&canonical::scenario_toml(vms, days, headroom, &sample_step));
            0
        }
        Command::Bench { vms, days } => match bench::run(vms, days) {
            Ok(report) => {
                stdout(&format!("{report}\n"));
                0
            }
            Err(e) => {
                eprintln!("error: bench --vms {vms} --days {days}: {e}");
                2
            }
        },
    }
}

/// Print to stdout; a reader that went away (`drsim ... | head`) is not an error.
fn stdout(text: &str) {
    stdout_bytes(text.as_bytes());
}

fn stdout_bytes(bytes: &[u8]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes).and_then(|()| out.flush());
}

/// The progress bar of `drsim run`: shown on a terminal once a run has taken about a second
/// (shorter runs finish without one), with the simulated time and events per second. Wall
/// clock time only decides what the terminal shows; it never reaches the results.
struct RunProgress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    horizon: u64,
}

impl RunProgress {
    /// How often (virtual time) the bar is updated: a thousand times per run.
    fn step(scenario: &Scenario) -> u64 {
        (scenario.horizon / 1000).max(1)
    }

    fn new(scenario: &Scenario, quiet: bool) -> Self {
        use std::io::IsTerminal;
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::hidden();
            bar.set_length(scenario.horizon);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:40}] {percent}% {msg}, {elapsed} elapsed, about {eta} left",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(scenario.name.clone());
            bar
        });
        RunProgress {
            bar,
            started: Instant::now(),
            horizon: scenario.horizon,
        }
    }

    /// Never halts the run.
    fn show(&mut self, p: &crate::run::Progress<'_>) -> bool {
        let Some(bar) = &self.bar else {
            return false;
        };
        let wall = self.started.elapsed();
        if bar.is_hidden() && wall.as_millis() >= 1000 {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        bar.set_position(p.now().min(self.horizon));
        let rate = p.events() as f64 / wall.as_secs_f64().max(1e-3);
        bar.set_message(format!(
            "{} simulated, {:.1} M events/s",
            crate::units::Millis(p.now() - p.now() % 1000),
            rate / 1e6
        ));
        false
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The default output folder: `output/<scenario name>` with the name made path-safe.
fn default_out(scenario: &Scenario) -> PathBuf {
    default_out_named(&scenario.name)
}

fn default_out_named(name: &str) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    Path::new("output").join(safe)
}

fn run(args: RunArgs) -> i32 {
    let RunArgs {
        file,
        out,
        seed,
        json,
        force,
        timing,
        set,
        check,
        quiet,
        no_charts,
        max_events,
        max_output_size,
    } = args;
    let file = file.as_path();
    let max_output_bytes = match max_output_size.as_deref().map(crate::units::parse_bytes) {
        None => crate::run::budget::DEFAULT_MAX_OUTPUT_BYTES,
        Some(Ok(b)) => b.0,
        Some(Err(e)) => {
            eprintln!("error: --max-output-size: {e}");
            return 2;
        }
    };
    // Budgets given here are stops; the defaults also refuse a run estimated over them.
    let budget = crate::run::Budget {
        max_events: max_events.unwrap_or(crate::run::budget::DEFAULT_MAX_EVENTS),
        max_output_bytes,
        refuse_over_estimate: max_events.is_none() && max_output_size.is_none(),
    };
    let started = Instant::now();
    let scenario = match scenario::load_with(file, &set) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    scenario.warnings.iter().for_each(|w| eprintln!("{w}"));
    let seed = seed.unwrap_or(scenario.seed);
    let stamp = Stamp::new(&scenario, seed);
    let target = out.unwrap_or_else(|| default_out(&scenario));
    let loaded = started.elapsed();
    // Refuse an output folder before simulating into it.
    let dir = match OutputDir::prepare(&target, &stamp, force) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let mut progress = RunProgress::new(&scenario, quiet);
    let mut hook = |p: &crate::run::Progress<'_>| progress.show(p);
    let spec = RunSpec::new(&scenario)
        .seed(seed)
        .check(check)
        .budget(budget);
    let spec = spec.halt_every(RunProgress::step(&scenario), &mut hook);
    let ran = crate::run::run(spec);
    progress.finish();
    let output = match ran {
        Ok(output) => output,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return match e {
                RunError::InvariantViolated(_) => 1,
                RunError::SeriesTooLarge { .. } | RunError::OverBudget(_) => 2,
                RunError::Stopped(_) => 3,
            };
        }
    };
    let simulated = started.elapsed() - loaded;
    let report = Report::new(&scenario, &stamp, &output);
    // The output budget stops a run near it; twice over, its estimate was wrong.
    let exporters = report::standard_with(!no_charts);
    let cap = max_output_bytes.saturating_mul(2);
    if let Err(e) = report::write_files_capped(dir.path(), &exporters, &report, cap) {
        eprintln!("error: writing results to {}: {e}", target.display());
        return 1;
    }
    if let Err(e) = dir.commit() {
        eprintln!("error: {e}");
        return 2;
    }
    if timing {
        // The simulation's share is what compares with a peer model's own timer.
        let total = started.elapsed();
        eprintln!(
            "timing: load {:.3} s, simulate {:.3} s, write {:.3} s, total {:.3} s",
            loaded.as_secs_f64(),
            simulated.as_secs_f64(),
            (total - loaded - simulated).as_secs_f64(),
            total.as_secs_f64()
        );
    }
    if json {
        // Streamed: a large estate's document is tens of megabytes.
        use report::Exporter;
        let mut out = std::io::stdout().lock();
        let _ = report::SummaryJson.export(&report, &mut out);
    } else {
        let mut text = report::to_bytes(&report::TerminalTable, &report);
        text.extend_from_slice(format!("results in {}\n", target.display()).as_bytes());
        stdout_bytes(&text);
    }
    match output.stopped(&scenario) {
        Some(stopped) => {
            eprintln!("{}: {stopped}; the results are partial", file.display());
            3
        }
        None => 0,
    }
}

fn explain(file: &Path, vm: Option<&str>, set: &[scenario::Override]) -> i32 {
    let scenario = match scenario::load_with(file, set) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let vm = match crate::teach::find_vm(&scenario, vm) {
        Ok(vm) => vm,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return 2;
        }
    };
    match crate::run::run(RunSpec::new(&scenario).keep_series(false)) {
        Ok(output) => {
            stdout(&crate::teach::explain(&scenario, &output, vm));
            0
        }
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            1
        }
    }
}

fn sweep(args: SweepArgs) -> i32 {
    use crate::study::{self, output, Sweep, SweepError};
    use std::io::IsTerminal;
    let SweepArgs {
        file,
        set,
        replications,
        seed,
        threads,
        out,
        quiet,
        keep_runs,
        force,
        shard,
    } = args;
    if threads == Some(0) {
        eprintln!("error: --threads must be at least 1");
        return 2;
    }
    // Every point is validated here, before any run.
    let sweep = match Sweep::load(&file, &set, replications, seed) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let target = out.unwrap_or_else(|| default_out_named(&format!("{}-sweep", sweep.name)));
    let layout = output::Layout::of(&sweep);
    let mut sweep_hash = output::hash_text(layout.sweep_hash);
    if let Some(k) = shard {
        sweep_hash = format!("{sweep_hash} shard {k}");
    }
    let dir = match OutputDir::prepare_sweep(&target, &sweep_hash, sweep.master_seed, force) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let runs_dir = dir.path().join("runs");
    if keep_runs {
        if let Err(e) = std::fs::create_dir(&runs_dir) {
            eprintln!("error: {}: {e}", runs_dir.display());
            return 1;
        }
    }
    let total = shard.map_or(sweep.run_count(), |k| k.count(sweep.run_count()));
    let bar = if quiet || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        let bar = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:40}] {pos}/{len} runs, {elapsed} elapsed, about {eta} left",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(sweep.name.clone());
        bar
    };
    let (pw, rw) = (
        (sweep.points.len() - 1).to_string().len(),
        (sweep.replications - 1).to_string().len(),
    );
    let each = |p: usize, point: &study::Point, i: u32, output: &crate::run::RunOutput| {
        if keep_runs {
            let sub = runs_dir.join(format!("p{p:0pw$}-r{i:0rw$}"));
            let stamp = Stamp::new(&point.scenario, output.seed);
            let report = Report::new(&point.scenario, &stamp, output);
            std::fs::create_dir(&sub)
                .and_then(|()| report::write_files_in(&sub, &report::standard(), &report))
                .map_err(|e| format!("writing the run's results to {}: {e}", sub.display()))?;
        }
        bar.inc(1);
        report::test_pause("sweep-run");
        Ok(())
    };
    let options = study::Options {
        threads,
        keep_series: keep_runs,
        each: Some(&each),
        shard,
    };
    let records = match study::run_sweep(&sweep, &options) {
        Ok(r) => r,
        Err(e) => {
            bar.abandon();
            eprintln!("{e}");
            return match e {
                SweepError::Run { .. } | SweepError::Io(_) => 1,
                _ => 2,
            };
        }
    };
    bar.finish_and_clear();
    if let Err(e) = output::write_all_of(&layout, shard, &records, dir.path()) {
        eprintln!("error: writing results to {}: {e}", target.display());
        return 1;
    }
    if let Err(e) = dir.commit() {
        eprintln!("error: {e}");
        return 2;
    }
    let of = shard.map_or(String::new(), |k| {
        format!(
            "shard {k}: {total} of the {} runs (run r with r mod {} = {})\n",
            sweep.run_count(),
            k.n,
            k.k - 1
        )
    });
    stdout(&format!(
        "{}: {} points x {} replications = {} runs, master seed {}\n{of}results in {}\n",
        sweep.name,
        sweep.points.len(),
        sweep.replications,
        sweep.run_count(),
        sweep.master_seed,
        target.display()
    ));
    0
}

fn merge(args: MergeArgs) -> i32 {
    use crate::study::{output, shard};
    let MergeArgs { dirs, out, force } = args;
    let (layout, records) = match shard::merge(&dirs) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let target = out.unwrap_or_else(|| default_out_named(&format!("{}-sweep", layout.name)));
    let sweep_hash = output::hash_text(layout.sweep_hash);
    let dir = match OutputDir::prepare_sweep(&target, &sweep_hash, layout.seed, force) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if let Err(e) = output::write_all_of(&layout, None, &records, dir.path()) {
        eprintln!("error: writing results to {}: {e}", target.display());
        return 1;
    }
    if let Err(e) = dir.commit() {
        eprintln!("error: {e}");
        return 2;
    }
    stdout(&format!(
        "{}: merged {} shards: {} points x {} replications = {} runs, master seed {}\nresults in {}\n",
        layout.name,
        dirs.len(),
        layout.points.len(),
        layout.replications,
        layout.run_count(),
        layout.seed,
        target.display()
    ));
    0
}

fn plan(args: PlanArgs) -> i32 {
    use crate::plan::{self, output, PlanSpec};
    let PlanArgs {
        file,
        target_rpo,
        percent,
        replications,
        growth,
        seed,
        threads,
        out,
        quiet,
        force,
        ir_goal,
    } = args;
    let ir_goal = match crate::units::parse_duration(&ir_goal) {
        Ok(t) if t.0 > 0 => t.0,
        Ok(_) => {
            eprintln!("error: --ir-goal {ir_goal}: must be above 0");
            return 2;
        }
        Err(e) => {
            eprintln!("error: --ir-goal {ir_goal}: {e}");
            return 2;
        }
    };
    let target_rpo = match crate::units::parse_duration(&target_rpo) {
        Ok(t) => t.0,
        Err(e) => {
            eprintln!("error: --target-rpo {target_rpo}: {e}");
            return 2;
        }
    };
    let growth_percent = match growth.trim().trim_end_matches('%').trim().parse::<f64>() {
        Ok(g) if g.is_finite() && g > -100.0 => g,
        Ok(_) => {
            eprintln!("error: --growth {growth}: out of range; allowed: a percentage above -100%, e.g. 30% or -20%");
            return 2;
        }
        _ => {
            eprintln!("error: --growth {growth}: not a percentage (e.g. 30%)");
            return 2;
        }
    };
    let scenario = match scenario::load(&file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let spec = PlanSpec {
        target_rpo,
        percent,
        replications,
        growth_percent,
        seed,
        threads,
        ir_goal,
    };
    // Refuse bad options, and an output folder, before any run.
    let planner = match plan::Planner::new(&scenario, spec.clone()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let plan_hash = output::plan_hash(&scenario, &spec, planner.master_seed);
    drop(planner);
    let target = out.unwrap_or_else(|| default_out_named(&format!("{}-plan", scenario.name)));
    let seed = spec.seed.unwrap_or(scenario.seed);
    let dir = match OutputDir::prepare_plan(&target, &plan_hash, seed, force) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let made = match plan::plan(&scenario, spec) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return match e {
                plan::PlanError::Input(_) => 2,
                plan::PlanError::Run { .. } => 1,
            };
        }
    };
    if let Err(e) = output::write_all(&made, dir.path()) {
        eprintln!("error: writing results to {}: {e}", target.display());
        return 1;
    }
    let scenario_dir = file.parent().unwrap_or(std::path::Path::new("."));
    if let Err(e) = std::fs::read_to_string(&file)
        .map_err(|e| format!("error: {}: {e}", file.display()))
        .and_then(|text| {
            plan::batch::write_scenario(&text, scenario_dir, &scenario, &made, dir.path())
        })
    {
        eprintln!("{e}");
        return 1;
    }
    if let Err(e) = dir.commit() {
        eprintln!("error: {e}");
        return 2;
    }
    if !quiet {
        stdout(&output::terminal(&made));
        stdout(&plan::batch::terminal(&made.batches));
    }
    stdout(&format!("results in {}\n", target.display()));
    0
}

/// `--seed`: a whole number from 0 to 2^64-1, and a message, not clap's flag confusion, for
/// `--seed -1`.
fn parse_seed(s: &str) -> Result<u64, String> {
    s.trim().parse::<u64>().map_err(|_| {
        let what = if s.trim().starts_with('-') {
            "seeds are non-negative"
        } else {
            "not a whole number"
        };
        format!(
            "{what}; allowed: a whole number from 0 to 18,446,744,073,709,551,615, e.g. --seed 7"
        )
    })
}
