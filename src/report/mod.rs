//! Reports: the output folder (written atomically), summary.json, the CSV files and the
//! terminal table. Reports read the simulation's results; they never drive it.

mod csv_files;
mod output_dir;
mod summary;
mod table;

pub use csv_files::{write_failovers_csv, write_vms_csv, CsvRecorder};
pub use output_dir::{OutputDir, OutputError};
pub use summary::{write_summary, Stamp};
pub use table::terminal_table;

/// Milliseconds as seconds for reports.
pub(crate) fn secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}
