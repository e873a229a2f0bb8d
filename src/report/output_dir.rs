//! The output folder, written atomically: every file goes into a hidden temporary folder
//! beside the target, which replaces the target only when all files are complete. A folder
//! holding another scenario's or seed's results is replaced only with `--force`, and a folder
//! that is not a drsim output folder never.

use super::Stamp;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum OutputError {
    /// The folder holds results of another scenario or seed.
    OtherRun { dir: PathBuf, found: String },
    /// The folder exists, is not empty and is not a drsim output folder (has no `marker`,
    /// `summary.json` or `sweep.json`).
    Foreign { dir: PathBuf, marker: &'static str },
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::OtherRun { dir, found } => write!(
                f,
                "{} holds results of {found}; not overwriting them. Use --force to replace them, or --out to write elsewhere",
                dir.display()
            ),
            OutputError::Foreign { dir, marker } => write!(
                f,
                "{} exists and is not a drsim output folder (no {marker}); not touching it, even with --force. Use --out to choose another folder",
                dir.display()
            ),
            OutputError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for OutputError {}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |error| OutputError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// A folder being written. Dropping it without [`OutputDir::commit`] removes the temporary
/// folder and leaves the target as it was.
pub struct OutputDir {
    target: PathBuf,
    temp: PathBuf,
    committed: bool,
}

impl OutputDir {
    /// Check that `target` may receive the results stamped `stamp`, then open a temporary
    /// folder for them.
    pub fn prepare(target: &Path, stamp: &Stamp, force: bool) -> Result<OutputDir, OutputError> {
        let kind = Kind::Run;
        Self::prepare_kind(target, kind, &stamp.scenario_hash, stamp.seed, force)
    }

    /// As [`OutputDir::prepare`] for a sweep's folder: its `sweep.json` marks it, and its
    /// `sweep_hash` and master seed say whose results it holds (a shard's folder: pass
    /// `"<sweep_hash> shard K/N"`).
    pub fn prepare_sweep(
        target: &Path,
        sweep_hash: &str,
        seed: u64,
        force: bool,
    ) -> Result<OutputDir, OutputError> {
        Self::prepare_kind(target, Kind::Sweep, sweep_hash, seed, force)
    }

    /// As [`OutputDir::prepare`] for a plan's folder (`drsim plan`): its `plan.json` marks
    /// it, and its `plan_hash` (scenario, target, percent, growth, replications) and master
    /// seed say whose results it holds.
    pub fn prepare_plan(
        target: &Path,
        plan_hash: &str,
        seed: u64,
        force: bool,
    ) -> Result<OutputDir, OutputError> {
        Self::prepare_kind(target, Kind::Plan, plan_hash, seed, force)
    }

    fn prepare_kind(
        target: &Path,
        kind: Kind,
        hash: &str,
        seed: u64,
        force: bool,
    ) -> Result<OutputDir, OutputError> {
        if target.exists() {
            check_replaceable(target, kind, hash, seed, force)?;
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        let name = target
            .file_name()
            .map_or("output".into(), |n| n.to_string_lossy().into_owned());
        let temp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if temp.exists() {
            fs::remove_dir_all(&temp).map_err(io_err(&temp))?;
        }
        fs::create_dir(&temp).map_err(io_err(&temp))?;
        Ok(OutputDir {
            target: target.to_path_buf(),
            temp,
            committed: false,
        })
    }

    /// Where files are written until commit.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Put the complete folder in place of the target.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        if self.target.exists() {
            let old = self.temp.with_extension("old");
            fs::rename(&self.target, &old).map_err(io_err(&self.target))?;
            fs::rename(&self.temp, &self.target).map_err(io_err(&self.target))?;
            fs::remove_dir_all(&old).map_err(io_err(&old))?;
        } else {
            fs::rename(&self.temp, &self.target).map_err(io_err(&self.target))?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}

/// What a folder holds: one run's results (marked by summary.json), a sweep's (sweep.json)
/// or a plan's (plan.json).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Run,
    Sweep,
    Plan,
}

impl Kind {
    fn marker(self) -> &'static str {
        match self {
            Kind::Run => "summary.json",
            Kind::Sweep => "sweep.json",
            Kind::Plan => "plan.json",
        }
    }
}

/// The stamp fields of an existing summary.json or sweep.json; the rest of the file is
/// skipped, not held.
#[derive(serde::Deserialize)]
struct FoundStamp {
    drsim_version: Option<String>,
    scenario: Option<String>,
    scenario_hash: Option<String>,
    sweep_hash: Option<String>,
    plan_hash: Option<String>,
    /// `K/N` in a sweep shard's folder.
    shard: Option<String>,
    seed: Option<u64>,
}

fn check_replaceable(
    target: &Path,
    kind: Kind,
    expected: &str,
    expected_seed: u64,
    force: bool,
) -> Result<(), OutputError> {
    let summary = target.join(kind.marker());
    let Ok(file) = fs::File::open(&summary) else {
        let empty = fs::read_dir(target)
            .map_err(io_err(target))?
            .next()
            .is_none();
        return if empty {
            Ok(())
        } else {
            Err(OutputError::Foreign {
                dir: target.to_path_buf(),
                marker: kind.marker(),
            })
        };
    };
    let found: Option<FoundStamp> = serde_json::from_reader(std::io::BufReader::new(file)).ok();
    let identity = |f: &FoundStamp| match kind {
        Kind::Run => f.scenario_hash.clone(),
        Kind::Sweep => f.sweep_hash.clone().map(|h| match &f.shard {
            Some(k) => format!("{h} shard {k}"),
            None => h,
        }),
        Kind::Plan => f.plan_hash.clone(),
    };
    let Some(found) = found.filter(|f| f.drsim_version.is_some() && identity(f).is_some()) else {
        return Err(OutputError::Foreign {
            dir: target.to_path_buf(),
            marker: kind.marker(),
        });
    };
    let (hash, seed) = (identity(&found), found.seed);
    if hash.as_deref() == Some(expected) && seed == Some(expected_seed) || force {
        return Ok(());
    }
    Err(OutputError::OtherRun {
        dir: target.to_path_buf(),
        found: format!(
            "{}scenario {} ({}) with seed {}",
            match kind {
                Kind::Sweep => "a sweep of ",
                Kind::Plan => "a plan of ",
                Kind::Run => "",
            },
            found.scenario.as_deref().unwrap_or("?"),
            hash.as_deref().unwrap_or("?"),
            seed.map_or("?".into(), |s| s.to_string())
        ),
    })
}
