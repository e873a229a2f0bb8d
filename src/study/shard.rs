//! Shards of a sweep, for a cluster: `drsim sweep --shard K/N` runs the runs whose index `r`
//! (point by point, replication by replication: `r = point * replications + replication`, as
//! in `runs.csv`) has `r mod N = K - 1`. The slice depends only on the sweep and on K/N, never
//! on threads or machines; striding (rather than contiguous blocks) spreads the expensive
//! points over all shards. A shard's folder holds the sweep's files restricted to its runs and
//! `shard.json` (the sweep's [`Layout`] and K/N); [`merge`] reads the folders of all N shards
//! back into the records that the unsharded sweep would have, from which
//! [`super::output::write_all_of`] writes exactly the unsharded files.

use super::metrics::{Values, METRICS};
use super::output::{self, hash_text, Layout};
use super::seeds::replication_seed;
use super::RunRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The file that marks a shard's folder and says what merge needs.
pub const SHARD_FILE: &str = "shard.json";

/// Shard K of N (K from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl Shard {
    pub fn new(k: u32, n: u32) -> Result<Shard, String> {
        if n == 0 {
            return Err("N, the number of shards, must be at least 1".into());
        }
        if k == 0 || k > n {
            return Err(format!(
                "K must be between 1 and N: the shards of {n} are 1/{n} to {n}/{n}"
            ));
        }
        Ok(Shard { k, n })
    }

    /// Whether run `r` of the sweep is in this shard.
    pub fn contains(&self, r: usize) -> bool {
        r % self.n as usize == (self.k - 1) as usize
    }

    /// This shard's runs of a sweep of `total` runs, in order.
    pub fn runs(&self, total: usize) -> impl Iterator<Item = usize> {
        ((self.k - 1) as usize..total).step_by(self.n as usize)
    }

    /// How many of `total` runs this shard makes.
    pub fn count(&self, total: usize) -> usize {
        total
            .saturating_sub((self.k - 1) as usize)
            .div_ceil(self.n as usize)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || {
            format!("expected K/N with 1 <= K <= N, e.g. 2/4 (the second of 4 shards), not {s:?}")
        };
        let (k, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        Shard::new(k, n)
    }
}

#[derive(Serialize, Deserialize)]
struct ShardJson {
    drsim_version: String,
    kind: String,
    shard: String,
    k: u32,
    n: u32,
    sweep_hash: String,
    seed: u64,
    replications: u32,
    /// This shard's runs.
    runs: usize,
    layout: Layout,
}

/// Write `shard.json`.
pub fn write_shard_json(
    l: &Layout,
    shard: Shard,
    runs: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = ShardJson {
        drsim_version: crate::VERSION.to_string(),
        kind: "sweep-shard".into(),
        shard: shard.to_string(),
        k: shard.k,
        n: shard.n,
        sweep_hash: hash_text(l.sweep_hash),
        seed: l.seed,
        replications: l.replications,
        runs,
        layout: l.clone(),
    };
    let mut out = io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &doc).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Why shards could not be merged: a message naming the folders.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeError(pub String);

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.0)
    }
}

impl std::error::Error for MergeError {}

struct Found {
    dir: PathBuf,
    doc: ShardJson,
}

fn read_shard(dir: &Path) -> Result<Found, MergeError> {
    let path = dir.join(SHARD_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            let why = if !dir.is_dir() {
                "is not a folder".to_string()
            } else if dir.join(output::FILES[2]).exists() {
                format!("holds a whole sweep, not a shard (no {SHARD_FILE})")
            } else {
                format!("is not a shard folder (no {SHARD_FILE}: {e}); shards are written by drsim sweep --shard K/N")
            };
            return Err(MergeError(format!("{} {why}", dir.display())));
        }
    };
    let doc: ShardJson = serde_json::from_str(&text)
        .map_err(|e| MergeError(format!("{}: not a shard description: {e}", path.display())))?;
    if doc.drsim_version != crate::VERSION {
        return Err(MergeError(format!(
            "{} was written by drsim {}; this is drsim {}: merge shards with the drsim that ran them",
            dir.display(),
            doc.drsim_version,
            crate::VERSION
        )));
    }
    if Shard::new(doc.k, doc.n).is_err() || hash_text(doc.layout.sweep_hash) != doc.sweep_hash {
        return Err(MergeError(format!(
            "{}: not a valid shard description",
            path.display()
        )));
    }
    Ok(Found {
        dir: dir.to_path_buf(),
        doc,
    })
}

/// Read the shard folders `dirs` (in any order) and return the sweep's layout (with shard
/// 1's scenario path) and every run's record in run order, as the unsharded sweep has them.
/// Refuses, naming the folders, shards of different sweeps, of different N, a shard given
/// twice, missing shards, and a `runs.csv` that does not hold exactly its shard's runs.
pub fn merge(dirs: &[PathBuf]) -> Result<(Layout, Vec<RunRecord>), MergeError> {
    if dirs.is_empty() {
        return Err(MergeError("no shard folders given".into()));
    }
    let found = dirs
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>, _>>()?;
    let first = &found[0];
    for f in &found[1..] {
        let (a, b) = (&first.doc, &f.doc);
        let mut diffs = Vec::new();
        if a.sweep_hash != b.sweep_hash {
            diffs.push(format!("sweep_hash {} vs {}", a.sweep_hash, b.sweep_hash));
        }
        if a.seed != b.seed {
            diffs.push(format!("seed {} vs {}", a.seed, b.seed));
        }
        if a.replications != b.replications {
            diffs.push(format!(
                "replications {} vs {}",
                a.replications, b.replications
            ));
        }
        if !diffs.is_empty() {
            return Err(MergeError(format!(
                "{} and {} hold shards of different sweeps ({}); merge only the shards of one sweep",
                first.dir.display(),
                f.dir.display(),
                diffs.join(", ")
            )));
        }
        if a.n != b.n {
            return Err(MergeError(format!(
                "{} is shard {} but {} is shard {}: the shards of one sweep share N",
                first.dir.display(),
                a.shard,
                f.dir.display(),
                b.shard
            )));
        }
        let mut la = a.layout.clone();
        la.file = b.layout.file.clone();
        if la != b.layout {
            return Err(MergeError(format!(
                "{} and {} are shards of the same sweep written with different --set spellings; rerun them with the same arguments",
                first.dir.display(),
                f.dir.display()
            )));
        }
    }
    let n = first.doc.n;
    let mut by_k: BTreeMap<u32, &Found> = BTreeMap::new();
    for f in &found {
        if let Some(other) = by_k.insert(f.doc.k, f) {
            return Err(MergeError(format!(
                "shard {} is given twice: {} and {}",
                f.doc.shard,
                other.dir.display(),
                f.dir.display()
            )));
        }
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| !by_k.contains_key(k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        let given: Vec<String> = by_k
            .values()
            .map(|f| format!("{} in {}", f.doc.shard, f.dir.display()))
            .collect();
        return Err(MergeError(format!(
            "missing shard{} {} of {n} (given: {})",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            given.join("; ")
        )));
    }
    let layout = by_k[&1].doc.layout.clone();
    if layout.points.is_empty()
        || layout
            .points
            .iter()
            .any(|p| p.values.len() != layout.axes.len())
    {
        return Err(MergeError(format!(
            "{}: not a valid shard description",
            by_k[&1].dir.join(SHARD_FILE).display()
        )));
    }
    let total = layout.run_count();
    let mut all: Vec<Option<RunRecord>> = vec![None; total];
    for f in by_k.values() {
        let shard = Shard {
            k: f.doc.k,
            n: f.doc.n,
        };
        for rec in read_runs(&layout, shard, &f.dir)? {
            let r = rec.point * layout.replications as usize + rec.replication as usize;
            all[r] = Some(rec);
        }
    }
    // Every shard held exactly its slice, and the slices partition the runs.
    let records = all.into_iter().flatten().collect::<Vec<_>>();
    debug_assert_eq!(records.len(), total);
    Ok((layout, records))
}

/// Read a shard's `runs.csv` back into records, checking that it holds exactly the shard's
/// runs, in order, with their seeds.
fn read_runs(l: &Layout, shard: Shard, dir: &Path) -> Result<Vec<RunRecord>, MergeError> {
    let path = dir.join(output::FILES[0]);
    let at = |line: usize, what: String| MergeError(format!("{}:{line}: {what}", path.display()));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| MergeError(format!("{}: {e}", path.display())))?;
    let body = text
        .split_once('\n')
        .filter(|(c, _)| c.starts_with("# drsim "))
        .map(|(_, b)| b)
        .ok_or_else(|| at(1, "not a drsim sweep's runs.csv (no stamp line)".into()))?;
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes());
    let header = runs_header_len(l);
    let reps = l.replications as usize;
    let mut expected = shard.runs(l.run_count());
    let mut out = Vec::new();
    for (i, row) in rd.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| at(line, e.to_string()))?;
        if i == 0 {
            let want = output::runs_header(l);
            if row.iter().ne(want.iter().map(String::as_str)) {
                return Err(at(line, "the header is not this sweep's".into()));
            }
            continue;
        }
        if row.len() != header {
            return Err(at(line, format!("{} fields, expected {header}", row.len())));
        }
        let int = |k: usize| -> Result<u64, MergeError> {
            row[k]
                .parse::<u64>()
                .map_err(|_| at(line, format!("{:?} is not a whole number", &row[k])))
        };
        let (r, point, rep, seed) = (int(0)? as usize, int(1)? as usize, int(2)?, int(3)?);
        let want = expected.next();
        let placed = (rep as usize) < reps
            && point
                .checked_mul(reps)
                .and_then(|x| x.checked_add(rep as usize))
                == Some(r);
        if want != Some(r) || !placed {
            return Err(at(
                line,
                format!(
                    "run {r} is not the next run of shard {shard} ({})",
                    want.map_or("it has no more".into(), |w| format!("expected run {w}"))
                ),
            ));
        }
        let rep = rep as u32;
        if seed != replication_seed(l.seed, rep) {
            return Err(at(line, format!("seed {seed} is not replication {rep}'s")));
        }
        let mut k = 4 + l.axes.len();
        let mut metrics = Vec::with_capacity(l.scopes.len());
        for s in 0..l.scopes.len() {
            let mut values: Values = [None; METRICS.len()];
            for v in values.iter_mut() {
                let cell = &row[k];
                if !cell.is_empty() {
                    *v = Some(
                        cell.parse::<f64>()
                            .map_err(|_| at(line, format!("{cell:?} is not a number")))?,
                    );
                }
                k += 1;
            }
            metrics.push(l.points[point].scopes.contains(&s).then_some(values));
        }
        out.push(RunRecord {
            point,
            replication: rep,
            seed,
            metrics,
        });
    }
    if let Some(w) = expected.next() {
        return Err(MergeError(format!(
            "{}: run {w} is missing: shard {shard} has {} runs, the file {}",
            path.display(),
            shard.count(l.run_count()),
            out.len()
        )));
    }
    Ok(out)
}

fn runs_header_len(l: &Layout) -> usize {
    4 + l.axes.len() + l.scopes.len() * METRICS.len()
}
