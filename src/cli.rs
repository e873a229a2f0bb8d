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
    let safe: String = scenario
        .name
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
    if let Err(e) = report::write_files(&dir, &report::standard(), &report) {
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
