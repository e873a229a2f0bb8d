//! Reports: exporters that turn a [`RunOutput`] into files (summary.json, the CSV files) or
//! text (the terminal table), and the output folder that receives them atomically. Reports
//! read a run's output; they never drive a run.
//!
//! Adding a format is adding one [`Exporter`] (hyperfine's `src/export/` is the model) and
//! listing it in [`standard`] or offering it to the command line: no exporter knows another.

pub mod charts;
mod csv_files;
mod digest;
mod html;
mod markdown;
mod output_dir;
mod summary;
mod table;

pub use csv_files::{
    EventsCsv, FailoversCsv, HealthCsv, HostsTimeseriesCsv, JobsCsv, LinksTimeseriesCsv,
    OutagesCsv, RollupsCsv, TimeseriesCsv, VmsCsv,
};
pub use html::HtmlReport;
pub use markdown::SummaryMd;
#[doc(hidden)]
pub use output_dir::test_pause;
pub use output_dir::{stop_on_signals, OutputDir, OutputError, MANIFEST};
pub use summary::{Stamp, SummaryJson};
pub use table::TerminalTable;

use crate::model::Scenario;
use crate::run::RunOutput;
use std::io::Write;

/// A finished run with what every exporter needs beside it.
pub struct Report<'a> {
    pub scenario: &'a Scenario,
    pub stamp: &'a Stamp,
    pub run: &'a RunOutput,
}

impl<'a> Report<'a> {
    pub fn new(scenario: &'a Scenario, stamp: &'a Stamp, run: &'a RunOutput) -> Self {
        Report {
            scenario,
            stamp,
            run,
        }
    }
}

/// Turns a run into one document.
pub trait Exporter {
    /// The document's file name in an output folder (`summary.json`, `vms.csv`, ...); it
    /// may lie in a subfolder (`charts/rpo.svg`), which [`write_files`] creates.
    fn file_name(&self) -> &'static str;
    /// Whether this run has what the document needs (a chart of the time series does not
    /// apply to a run without one); [`write_files`] skips the others. Default: always.
    fn applies(&self, _report: &Report<'_>) -> bool {
        true
    }
    /// Write the document. `out` is unbuffered: exporters buffer their own small writes.
    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()>;
}

/// The files every run writes into its output folder, in the order they are written: the
/// text files, the reports (report.html with its charts inline, summary.md), then the
/// charts ([`charts::all`]).
pub fn standard() -> Vec<Box<dyn Exporter>> {
    standard_with(true)
}

/// [`standard`], or without charts (`drsim run --no-charts`): no `charts/` files, and
/// report.html says the charts were not drawn.
pub fn standard_with(charts: bool) -> Vec<Box<dyn Exporter>> {
    let text: Vec<Box<dyn Exporter>> = vec![
        Box::new(EventsCsv),
        Box::new(TimeseriesCsv),
        Box::new(LinksTimeseriesCsv),
        Box::new(HostsTimeseriesCsv),
        Box::new(JobsCsv),
        Box::new(HealthCsv),
        Box::new(VmsCsv),
        Box::new(FailoversCsv),
        Box::new(OutagesCsv),
        Box::new(RollupsCsv),
        Box::new(SummaryJson),
        Box::new(HtmlReport { charts }),
        Box::new(SummaryMd),
    ];
    let charts = if charts { charts::all() } else { Vec::new() };
    text.into_iter()
        .chain(charts.into_iter().map(|c| Box::new(c) as Box<dyn Exporter>))
        .collect()
}

/// Write every exporter's document into `dir` (not yet committed).
pub fn write_files(
    dir: &OutputDir,
    exporters: &[Box<dyn Exporter>],
    report: &Report<'_>,
) -> std::io::Result<()> {
    write_files_in(dir.path(), exporters, report)
}

/// Write every exporter that applies into the folder `dir` (a sweep's kept runs go into
/// subfolders of its output folder); exporters may write into subfolders (`charts/`).
pub fn write_files_in(
    dir: &std::path::Path,
    exporters: &[Box<dyn Exporter>],
    report: &Report<'_>,
) -> std::io::Result<()> {
    write_files_capped(dir, exporters, report, u64::MAX)
}

/// [`write_files_in`], counting the bytes of the tables (the `.csv` files) as they are
/// written: past `max_table_bytes` the writing fails (the caller then commits nothing). The
/// run's output budget ([`crate::run::budget`]) stops a run before its tables come near;
/// this catches an estimate that was wrong.
pub fn write_files_capped(
    dir: &std::path::Path,
    exporters: &[Box<dyn Exporter>],
    report: &Report<'_>,
    max_table_bytes: u64,
) -> std::io::Result<()> {
    let mut tables = 0u64;
    for e in exporters.iter().filter(|e| e.applies(report)) {
        let path = dir.join(e.file_name());
        // Subfolders one by one below `dir`, never `dir` itself: a folder removed under a
        // writer (a signal's cleanup) stays removed.
        let missing: Vec<&std::path::Path> = path
            .ancestors()
            .skip(1)
            .take_while(|d| *d != dir && !d.is_dir())
            .collect();
        for d in missing.into_iter().rev() {
            std::fs::create_dir(d)?;
        }
        let mut file = std::fs::File::create(&path)?;
        if e.file_name().ends_with(".csv") {
            let mut counted = Capped {
                inner: &mut file,
                written: &mut tables,
                cap: max_table_bytes,
            };
            e.export(report, &mut counted)?;
        } else {
            e.export(report, &mut file)?;
        }
        file.flush()?;
    }
    Ok(())
}

/// A writer that counts what passes and refuses to pass `cap` in all.
struct Capped<'w> {
    inner: &'w mut dyn Write,
    written: &'w mut u64,
    cap: u64,
}

impl Write for Capped<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let total = self.written.saturating_add(buf.len() as u64);
        if total > self.cap {
            return Err(std::io::Error::other(format!(
                "the tables would take more than {}, the output budget's hard limit (the budget's estimate was wrong); nothing was kept",
                crate::units::Bytes(self.cap)
            )));
        }
        let n = self.inner.write(buf)?;
        *self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The document as bytes (tests, and printing one to stdout).
pub fn to_bytes(exporter: &dyn Exporter, report: &Report<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    exporter
        .export(report, &mut out)
        .expect("writing to memory does not fail");
    out
}

/// Milliseconds as seconds for reports.
pub(crate) fn secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}
