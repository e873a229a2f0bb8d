//! The output folder, written atomically, leaving nothing behind (issue 15).
//!
//! **Checks, before a run starts.** A path that cannot be an output folder is refused: the
//! current folder or one of its parents (`.`, `..`, `/`), a path ending in `..` elsewhere, a
//! file, a symbolic link, a path under a file (`/dev/null/x`), a parent drsim cannot write in.
//! A folder holding another scenario's or seed's results is replaced only with `--force`, a
//! drsim folder holding files drsim did not write (see [`MANIFEST`]) only with `--force`, and
//! a non-empty folder that is not a drsim output folder never.
//!
//! **One writer.** `.<name>.lock` beside the target is locked (`flock`, Unix only) from the
//! checks to the commit; a second drsim writing to the same folder is refused at once. The
//! lock file is removed by its holder when done (a process that opened it just before takes
//! the new one instead), so nothing is left beside the target.
//!
//! **Writing and commit.** Every file goes into `.<name>.tmp-<pid>` beside the target (marked
//! by its [`MANIFEST`] from the start), which then takes the target's place: on Linux in one
//! step, `renameat2(RENAME_EXCHANGE)`, then the old folder (now at the temporary name) is
//! removed; the target always holds the previous complete results or the new ones. Elsewhere,
//! or on a file system without the exchange, the target is first renamed to `.<name>.old`,
//! which leaves a moment without a target; the next run repairs a kill in that moment.
//!
//! **Stopped runs.** Dropping an [`OutputDir`] without committing removes its temporary
//! folder. [`stop_on_signals`] (called by the command line, not by the library) removes the
//! temporary folders at SIGINT and SIGTERM and exits with 130 or 143. A run killed hard
//! (SIGKILL, a power cut) leaves its temporary folder: the next run into the same target, once
//! it holds the lock (so no live drsim owns them), removes every `.<name>.tmp-<pid>` folder
//! that holds a [`MANIFEST`] or stamped drsim results (or nothing), and puts a `.<name>.old`
//! holding either back in place of a missing target (or removes it). Nothing else is deleted.
//!
//! **Test hook.** With `DRSIM_TEST_PAUSE=<point>` and `DRSIM_TEST_PAUSE_FILE=<path>` in the
//! environment, the process creates `<path>` when it reaches `<point>` and waits there for up
//! to a minute, so that a test can kill it at that point (`tests/output_dir.rs`). Points:
//! `prepared` (checks done, temporary folder made), `written` (all files written, commit
//! next), `commit` (inside the commit: new folder in place, old one not yet removed),
//! `sweep-run` (a sweep's first finished run). Not for users.

use super::Stamp;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file in every output folder drsim writes (and in its temporary folder from the start):
/// the list of the files drsim wrote there, sorted, one a line after a `#` comment. A rerun
/// replaces these; any other file stops it without `--force`. It is not one of the results
/// (no fingerprint pins it) and is deterministic: the same run lists the same files.
pub const MANIFEST: &str = ".drsim-manifest";

const MANIFEST_HEAD: &str =
    "# drsim output folder: the files drsim wrote here; a rerun refuses to delete others without --force\n";
const MANIFEST_TEMP: &str = "# drsim temporary output folder (unfinished)\n";

#[derive(Debug)]
pub enum OutputError {
    /// The folder holds results of another scenario or seed.
    OtherRun { dir: PathBuf, found: String },
    /// The folder exists, is not empty and is not a drsim output folder (has no `marker`,
    /// `summary.json` or `sweep.json`).
    Foreign { dir: PathBuf, marker: &'static str },
    /// The drsim output folder holds files drsim did not write (the first few of `count`).
    Unknown {
        dir: PathBuf,
        files: Vec<String>,
        count: usize,
    },
    /// The path cannot be an output folder: `why`.
    BadPath { dir: PathBuf, why: String },
    /// Another drsim process is writing to the folder.
    Busy { dir: PathBuf, holder: String },
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
            OutputError::Unknown { dir, files, count } => write!(
                f,
                "{} holds {count} file{} drsim did not write ({}{}), which a rerun would delete. Move them away, use --force to delete them, or --out to write elsewhere",
                dir.display(),
                if *count == 1 { "" } else { "s" },
                files.join(", "),
                if *count > files.len() { ", ..." } else { "" }
            ),
            OutputError::BadPath { dir, why } => write!(
                f,
                "{} cannot be an output folder: {why}. Use --out to choose another folder",
                dir.display()
            ),
            OutputError::Busy { dir, holder } => write!(
                f,
                "{} is being written by another drsim ({holder}); wait for it to finish, or use --out to write elsewhere",
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
    lock: Lock,
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
        let (parent, name) = check_path(target)?;
        let lock = Lock::take(target, &parent.join(format!(".{name}.lock")))?;
        recover_leftovers(target, &parent, &name)?;
        if fs::symlink_metadata(target).is_ok() {
            check_replaceable(target, kind, hash, seed, force)?;
        }
        let temp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        fs::create_dir(&temp).map_err(io_err(&temp))?;
        let dir = OutputDir {
            target: target.to_path_buf(),
            temp,
            lock,
            committed: false,
        };
        let marker = dir.temp.join(MANIFEST);
        fs::write(&marker, MANIFEST_TEMP).map_err(io_err(&marker))?;
        live().push(Live {
            temp: dir.temp.clone(),
            lock: dir.lock.path.clone(),
            target: dir.target.clone(),
            committed: false,
        });
        test_pause("prepared");
        Ok(dir)
    }

    /// Where files are written until commit.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Put the complete folder in place of the target, in one step where the platform
    /// allows (see the module docs).
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        write_manifest(&self.temp)?;
        test_pause("written");
        let mut registry = live();
        if fs::symlink_metadata(&self.target).is_err() {
            fs::rename(&self.temp, &self.target).map_err(io_err(&self.target))?;
            self.committed = true;
            forget(&mut registry, &self.temp);
            return Ok(self.target.clone());
        }
        // The old folder ends at `old`, which is removed after the new one is in place.
        let old = match exchange(&self.temp, &self.target) {
            Ok(()) => self.temp.clone(),
            Err(_) => {
                let old = old_name(&self.target);
                fs::rename(&self.target, &old).map_err(io_err(&self.target))?;
                fs::rename(&self.temp, &self.target).map_err(io_err(&self.target))?;
                old
            }
        };
        self.committed = true;
        if let Some(l) = registry.iter_mut().find(|l| l.temp == self.temp) {
            l.temp = old.clone();
            l.committed = true;
        }
        drop(registry);
        test_pause("commit");
        let removed = fs::remove_dir_all(&old);
        forget(&mut live(), &old);
        removed.map_err(io_err(&old))?;
        Ok(self.target.clone())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        let mut registry = live();
        if !self.committed {
            remove_tree(&self.temp);
            forget(&mut registry, &self.temp);
        }
        self.lock.release();
    }
}

/// The lock file `.<name>.lock` beside the target, held from the checks to the commit.
struct Lock {
    path: PathBuf,
    file: Option<fs::File>,
}

impl Lock {
    fn take(target: &Path, path: &Path) -> Result<Lock, OutputError> {
        // A lock file removed by its holder between our open and our lock is not the lock any
        // more: take the new one.
        for _ in 0..100 {
            let mut file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(|e| unwritable(target, path, e))?;
            match try_lock(&file) {
                Ok(true) => {}
                Ok(false) => {
                    let pid = fs::read_to_string(path).unwrap_or_default();
                    let holder = match pid.trim() {
                        "" => format!("lock {}", path.display()),
                        pid => format!("process {pid}, lock {}", path.display()),
                    };
                    return Err(OutputError::Busy {
                        dir: target.to_path_buf(),
                        holder,
                    });
                }
                Err(e) => return Err(unwritable(target, path, e)),
            }
            if same_file(&file, path) {
                let _ = file.set_len(0);
                let _ = write!(file, "{}", std::process::id());
                return Ok(Lock {
                    path: path.to_path_buf(),
                    file: Some(file),
                });
            }
        }
        Err(OutputError::Busy {
            dir: target.to_path_buf(),
            holder: format!("lock {} keeps changing", path.display()),
        })
    }

    /// Remove the lock file while holding it, then unlock.
    fn release(&mut self) {
        if let Some(file) = self.file.take() {
            let _ = fs::remove_file(&self.path);
            drop(file);
        }
    }
}

/// Lock `file` exclusively without waiting: `false` if another process holds it. The lock
/// dies with the process, however it ends.
#[cfg(unix)]
fn try_lock(file: &fs::File) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a descriptor `file` owns for the duration of the call.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.kind() == std::io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(e)
    }
}

/// Elsewhere there is no lock (drsim's cluster targets are Linux): two runs into one folder
/// are not detected.
#[cfg(not(unix))]
fn try_lock(_file: &fs::File) -> std::io::Result<bool> {
    Ok(true)
}

impl Drop for Lock {
    fn drop(&mut self) {
        self.release();
    }
}

#[cfg(unix)]
fn same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &fs::File, path: &Path) -> bool {
    path.exists()
}

fn unwritable(target: &Path, path: &Path, e: std::io::Error) -> OutputError {
    let parent = path.parent().unwrap_or(Path::new("."));
    OutputError::BadPath {
        dir: target.to_path_buf(),
        why: format!(
            "cannot write in its parent folder {} ({e}); drsim writes a temporary folder and a lock file there",
            parent.display()
        ),
    }
}

/// Refuse a path that cannot be an output folder; return its parent (made if missing) and
/// its name.
fn check_path(target: &Path) -> Result<(PathBuf, String), OutputError> {
    let bad = |why: &str| OutputError::BadPath {
        dir: target.to_path_buf(),
        why: why.to_string(),
    };
    let here = std::env::current_dir().and_then(|d| d.canonicalize());
    let is_here_or_above = |full: &Path| here.as_ref().is_ok_and(|h| h.starts_with(full));
    const HERE: &str =
        "it is the current folder or one of its parents, which drsim would have to replace";
    let name = match target.components().next_back() {
        Some(std::path::Component::Normal(n)) => n.to_string_lossy().into_owned(),
        _ if target.canonicalize().is_ok_and(|t| is_here_or_above(&t)) => return Err(bad(HERE)),
        _ => {
            return Err(bad(
                "it names no folder of its own (use a name such as out/run1)",
            ))
        }
    };
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    // The first ancestor that exists must be a folder.
    let mut existing = parent.as_path();
    loop {
        match fs::metadata(existing) {
            Ok(m) if m.is_dir() => break,
            Ok(_) => {
                return Err(bad(&format!(
                    "{} is a file, not a folder",
                    existing.display()
                )))
            }
            Err(_) => match existing.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(p) => existing = p,
                None => break,
            },
        }
    }
    fs::create_dir_all(&parent).map_err(|e| unwritable(target, &parent.join("x"), e))?;
    match fs::symlink_metadata(target) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(bad(
                "it is a symbolic link (drsim replaces folders, not links); give the folder it points to",
            ))
        }
        Ok(m) if !m.is_dir() => return Err(bad("it is a file, not a folder")),
        _ => {}
    }
    if parent
        .canonicalize()
        .is_ok_and(|p| is_here_or_above(&p.join(&name)))
    {
        return Err(bad(HERE));
    }
    Ok((parent, name))
}

/// The legacy and fallback place of the old folder during a commit.
fn old_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or("output".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.old"))
}

/// Swap two folders in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Remove what killed runs into `target` left beside it (the caller holds the lock, so no
/// live drsim owns them): temporary folders, and an old folder, which is put back if the
/// target is missing. Only drsim's own folders go (see [`is_ours`]).
fn recover_leftovers(target: &Path, parent: &Path, name: &str) -> Result<(), OutputError> {
    let old = old_name(target);
    if fs::symlink_metadata(&old).is_ok_and(|m| m.is_dir()) && is_ours(&old) {
        if fs::symlink_metadata(target).is_err() {
            fs::rename(&old, target).map_err(io_err(&old))?;
        } else {
            fs::remove_dir_all(&old).map_err(io_err(&old))?;
        }
    }
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let path = entry.path();
        let is_dir = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || !is_dir {
            continue;
        }
        let empty = fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none());
        if empty {
            fs::remove_dir(&path).map_err(io_err(&path))?;
        } else if is_ours(&path) {
            fs::remove_dir_all(&path).map_err(io_err(&path))?;
        }
    }
    Ok(())
}

/// Whether a folder is drsim's: it holds a [`MANIFEST`], or results with a drsim stamp (a
/// folder written before manifests existed).
fn is_ours(dir: &Path) -> bool {
    if fs::symlink_metadata(dir.join(MANIFEST)).is_ok_and(|m| m.is_file()) {
        return true;
    }
    [Kind::Run, Kind::Sweep, Kind::Plan].iter().any(|k| {
        fs::File::open(dir.join(k.marker()))
            .ok()
            .and_then(|f| serde_json::from_reader::<_, FoundStamp>(std::io::BufReader::new(f)).ok())
            .is_some_and(|s| s.drsim_version.is_some())
    })
}

/// Every file under `dir`, as `a/b` paths, sorted; an empty folder as `a/`; the manifest
/// left out. Symbolic links are listed, not followed.
fn files_under(dir: &Path) -> std::io::Result<Vec<String>> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) -> std::io::Result<()> {
        let mut any = false;
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            any = true;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{rel}{name}");
            if entry.file_type()?.is_dir() {
                walk(&entry.path(), &format!("{path}/"), out)?;
            } else if path != MANIFEST {
                out.push(path);
            }
        }
        if !any && !rel.is_empty() {
            out.push(rel.to_string());
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out)?;
    out.sort();
    Ok(out)
}

fn write_manifest(dir: &Path) -> Result<(), OutputError> {
    let files = files_under(dir).map_err(io_err(dir))?;
    let mut text = String::from(MANIFEST_HEAD);
    for f in files {
        text.push_str(&f);
        text.push('\n');
    }
    let path = dir.join(MANIFEST);
    fs::write(&path, text).map_err(io_err(&path))
}

/// The files in the drsim output folder `dir` that drsim did not write: not in its
/// manifest, or, in a folder written before manifests, not among the files drsim writes.
fn unknown_files(dir: &Path, kind: Kind) -> Result<Vec<String>, OutputError> {
    let present = files_under(dir).map_err(io_err(dir))?;
    let listed: Option<std::collections::HashSet<String>> =
        fs::read_to_string(dir.join(MANIFEST)).ok().map(|text| {
            text.lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .map(str::to_string)
                .collect()
        });
    let run_files: Vec<&str> = super::standard().iter().map(|e| e.file_name()).collect();
    let known = |f: &str| match &listed {
        Some(listed) => listed.contains(f),
        None => match kind {
            Kind::Run => run_files.contains(&f),
            Kind::Sweep => {
                crate::study::output::FILES.contains(&f)
                    || f == crate::study::shard::SHARD_FILE
                    || f.strip_prefix("runs/")
                        .and_then(|r| r.split_once('/'))
                        .is_some_and(|(_, file)| run_files.contains(&file))
            }
            // Plans came after manifests: a plan folder without one holds nothing known.
            Kind::Plan => false,
        },
    };
    Ok(present.into_iter().filter(|f| !known(f)).collect())
}

/// Remove a folder that writers may still be filling (a signal arrived mid-write): a file
/// created during the removal makes it fail, so try again.
fn remove_tree(path: &Path) {
    for _ in 0..5 {
        match fs::remove_dir_all(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => continue,
            _ => return,
        }
    }
}

/// A temporary folder of this process, for the signal handler.
struct Live {
    /// The temporary folder, or, once committed, the old folder being removed.
    temp: PathBuf,
    lock: PathBuf,
    target: PathBuf,
    committed: bool,
}

static LIVE: Mutex<Vec<Live>> = Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<Live>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

fn forget(registry: &mut Vec<Live>, temp: &Path) {
    registry.retain(|l| l.temp != temp);
}

/// Handle SIGINT and SIGTERM for the rest of the process (the command line calls this once):
/// on a thread of its own, remove every temporary folder and lock file of this process, say
/// so in one line on stderr and exit with 128 + the signal's number (130, 143). A commit under
/// way finishes its step first; the targets hold their previous results, or the new ones if
/// the commit had put them in place.
#[cfg(unix)]
pub fn stop_on_signals() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("drsim-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let name = if signal == SIGINT {
                    "SIGINT"
                } else {
                    "SIGTERM"
                };
                // Held until exit: no commit or drop starts after the cleanup.
                let registry = live();
                let mut said = Vec::new();
                for l in registry.iter() {
                    remove_tree(&l.temp);
                    let _ = fs::remove_file(&l.lock);
                    said.push(format!(
                        "{} {}",
                        l.target.display(),
                        if l.committed {
                            "holds the new results"
                        } else {
                            "is as it was"
                        }
                    ));
                }
                let what = if said.is_empty() {
                    String::new()
                } else {
                    format!("; unfinished output removed, {}", said.join(", "))
                };
                eprintln!("drsim: stopped by {name}{what}");
                std::process::exit(128 + signal);
            }
        });
}

#[cfg(not(unix))]
pub fn stop_on_signals() {}

/// The test hook of the module docs: wait at `point` if `DRSIM_TEST_PAUSE` names it (the
/// first time only).
pub fn test_pause(point: &str) {
    static PAUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if std::env::var_os("DRSIM_TEST_PAUSE").is_none_or(|p| p != point)
        || PAUSED.swap(true, std::sync::atomic::Ordering::SeqCst)
    {
        return;
    }
    if let Some(file) = std::env::var_os("DRSIM_TEST_PAUSE_FILE") {
        let _ = fs::write(file, std::process::id().to_string());
    }
    std::thread::sleep(std::time::Duration::from_secs(60));
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
    if force {
        return Ok(());
    }
    let (hash, seed) = (identity(&found), found.seed);
    if hash.as_deref() == Some(expected) && seed == Some(expected_seed) {
        let unknown = unknown_files(target, kind)?;
        if unknown.is_empty() {
            return Ok(());
        }
        return Err(OutputError::Unknown {
            dir: target.to_path_buf(),
            count: unknown.len(),
            files: unknown.into_iter().take(5).collect(),
        });
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
