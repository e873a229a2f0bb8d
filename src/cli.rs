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
    /// Check a scenario file and report every error.
    Validate {
        file: PathBuf,
        /// Override a scenario field by path (as `run --set`).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<scenario::Override>,
    },
    /// Print the replication state machine: diagram and transition table (Markdown).
    States,
    /// Print a generated scenario file to stdout.
    Gen {
        #[command(subcommand)]
        workload: GenWorkload,
    },
    /// Time a generated estate: events, wall time, events/s.
    Bench {
        /// Number of VMs.
        #[arg(long, default_value_t = 1000)]
        vms: u32,
        /// Simulated days.
        #[arg(long, default_value_t = 7)]
        days: u32,
    },
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// The scenario file (TOML).
    file: PathBuf,
    /// Output folder [default: output/<scenario name>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Master seed; replaces the scenario's `seed`.
    #[arg(long)]
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
    /// Draw no charts: no charts/ files, and report.html says so (faster batch runs).
    #[arg(long)]
    no_charts: bool,
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
    #[arg(long, default_value_t = 10)]
    replications: u32,
    /// Master seed from which replication i's seed derives [default: the scenario's seed].
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long)]
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
}

#[derive(Subcommand, Debug)]
enum GenWorkload {
    /// The canonical delta-replication workload of shared/bench (SimPy peer's input).
    Canonical {
        #[arg(long)]
        vms: u32,
        #[arg(long, default_value_t = 1)]
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
/// 2 bad input (arguments or scenario).
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Run(args) => run(args),
        Command::Sweep(args) => sweep(args),
        Command::Validate { file, set } => match scenario::load_with(&file, &set) {
            Ok(s) => {
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
        Command::States => {
            stdout(&replication::state_machine_markdown());
            0
        }
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
        Command::Bench { vms, days } => {
            let report = bench::run(vms, days);
            stdout(&format!("{report}\n"));
            0
        }
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
        no_charts,
    } = args;
    let file = file.as_path();
    let started = Instant::now();
    let scenario = match scenario::load_with(file, &set) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
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
    let output = match crate::run::run(RunSpec::new(&scenario).seed(seed).check(check)) {
        Ok(output) => output,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return match e {
                RunError::InvariantViolated(_) => 1,
                RunError::SeriesTooLarge { .. } => 2,
            };
        }
    };
    let simulated = started.elapsed() - loaded;
    let report = Report::new(&scenario, &stamp, &output);
    if let Err(e) = report::write_files(&dir, &report::standard_with(!no_charts), &report) {
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
    0
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
    let sweep_hash = output::hash_text(sweep.hash());
    let dir = match OutputDir::prepare_sweep(&target, &sweep_hash, sweep.master_seed, force) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let runs_dir = dir.path().join("runs");
    if keep_runs {
        if let Err(e) = std::fs::create_dir_all(&runs_dir) {
            eprintln!("error: {}: {e}", runs_dir.display());
            return 1;
        }
    }
    let total = sweep.run_count();
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
        Ok(())
    };
    let options = study::Options {
        threads,
        keep_series: keep_runs,
        each: Some(&each),
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
    if let Err(e) = output::write_all(&sweep, &records, dir.path()) {
        eprintln!("error: writing results to {}: {e}", target.display());
        return 1;
    }
    if let Err(e) = dir.commit() {
        eprintln!("error: {e}");
        return 2;
    }
    stdout(&format!(
        "{}: {} points x {} replications = {total} runs, master seed {}\nresults in {}\n",
        sweep.name,
        sweep.points.len(),
        sweep.replications,
        sweep.master_seed,
        target.display()
    ));
    0
}
