//! The command line: parses arguments and calls the library. No simulation logic lives here.

use crate::model::Scenario;
use crate::report::{self, OutputDir, Stamp};
use crate::{bench, replication, scenario, sim};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
    Run {
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
    },
    /// Check a scenario file and report every error.
    Validate { file: PathBuf },
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

#[derive(Subcommand, Debug)]
enum GenWorkload {
    /// The canonical delta-replication workload of shared/bench (SimPy peer's input).
    Canonical {
        #[arg(long)]
        vms: u32,
        #[arg(long, default_value_t = 1)]
        days: u32,
        /// Link capacity over the total write rate (0.95 overloads the link).
        #[arg(long, default_value_t = crate::canonical::HEADROOM)]
        headroom: f64,
        /// Time-series step of the generated scenario.
        #[arg(long, default_value = "6h")]
        sample_step: String,
    },
}

/// Exit codes: 0 success, 1 the run failed (I/O), 2 bad input (arguments or scenario).
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Run {
            file,
            out,
            seed,
            json,
            force,
            timing,
        } => run(&file, out, seed, json, force, timing),
        Command::Validate { file } => match scenario::load(&file) {
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
            stdout(&crate::canonical::scenario_toml(
                vms,
                days,
                headroom,
                &sample_step,
            ));
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

fn run(
    file: &Path,
    out: Option<PathBuf>,
    seed: Option<u64>,
    json: bool,
    force: bool,
    timing: bool,
) -> i32 {
    let started = Instant::now();
    let scenario = match scenario::load(file) {
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
    match write_run(&scenario, &stamp, &target, force) {
        Ok((table, simulated)) => {
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
                // The document just written, byte for byte.
                match std::fs::read(target.join("summary.json")) {
                    Ok(bytes) => stdout_bytes(&bytes),
                    Err(e) => {
                        eprintln!("error: reading back {}: {e}", target.display());
                        return 1;
                    }
                }
            } else {
                stdout(&format!("{table}results in {}\n", target.display()));
            }
            0
        }
        Err(RunError::Output(e)) => {
            eprintln!("error: {e}");
            2
        }
        Err(RunError::Io(e)) => {
            eprintln!("error: writing results to {}: {e}", target.display());
            1
        }
    }
}

enum RunError {
    Output(report::OutputError),
    Io(std::io::Error),
}

/// Simulate into a temporary folder and put it in place only when every file is complete.
/// Returns the terminal table and how long the simulation itself took (it streams the event
/// log and time series as it goes; the per-VM tables and the summary are written after).
fn write_run(
    scenario: &Scenario,
    stamp: &Stamp,
    target: &Path,
    force: bool,
) -> Result<(String, Duration), RunError> {
    let dir = OutputDir::prepare(target, stamp, force).map_err(RunError::Output)?;
    let mut recorder =
        report::CsvRecorder::create(dir.path(), stamp, &scenario.calendar).map_err(RunError::Io)?;
    let started = Instant::now();
    let result = sim::run(scenario, stamp.seed, &mut recorder).map_err(RunError::Io)?;
    let simulated = started.elapsed();
    recorder.finish().map_err(RunError::Io)?;
    report::write_vms_csv(&dir.path().join("vms.csv"), stamp, scenario, &result)
        .map_err(RunError::Io)?;
    report::write_failovers_csv(&dir.path().join("failovers.csv"), stamp, &result)
        .map_err(RunError::Io)?;
    let path = dir.path().join("summary.json");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).map_err(RunError::Io)?);
    report::write_summary(&mut file, scenario, stamp, &result).map_err(RunError::Io)?;
    std::io::Write::flush(&mut file).map_err(RunError::Io)?;
    drop(file);
    dir.commit().map_err(RunError::Output)?;
    Ok((report::terminal_table(scenario, &result), simulated))
}
