//! A sweep's files: `runs.csv` (one row per run), `points.csv` (per point and metric: n, mean,
//! standard deviation, 95% t confidence interval, min, max) and `sweep.json` (the same
//! statistics with the sweep's stamp). Written from the records in run order, so the bytes do
//! not depend on how many threads ran the sweep.

use super::metrics::METRICS;
use super::shard::Shard;
use super::stats::{self, Summary};
use super::{RunRecord, Sweep};
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// The files a sweep writes, in the order they are written.
pub const FILES: [&str; 3] = ["runs.csv", "points.csv", "sweep.json"];

/// `fnv1a64:` and 16 hex digits, as every drsim stamp writes hashes.
pub fn hash_text(h: u64) -> String {
    format!("fnv1a64:{h:016x}")
}

/// Everything the files say about a sweep besides its runs' metrics: what a shard records
/// (in `shard.json`) so that `drsim merge` writes the files of the whole sweep without the
/// scenario file (or the trace files it names) at hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    pub name: String,
    /// The scenario file's path as given to `drsim sweep`.
    pub file: String,
    pub file_hash: u64,
    pub sweep_hash: u64,
    pub seed: u64,
    pub replications: u32,
    pub axes: Vec<AxisLayout>,
    /// `estate`, then every VM family of any point.
    pub scopes: Vec<String>,
    pub points: Vec<PointLayout>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AxisLayout {
    /// The `--set` as given.
    pub set: String,
    pub path: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointLayout {
    /// Each axis's value at this point.
    pub values: Vec<String>,
    /// `PATH=VALUE` per axis.
    pub overrides: Vec<String>,
    pub scenario_hash: u64,
    /// Indices in [`Layout::scopes`] of the scopes this point's scenario has.
    pub scopes: Vec<usize>,
}

impl Layout {
    /// The layout of `sweep`.
    pub fn of(sweep: &Sweep) -> Layout {
        Layout {
            name: sweep.name.clone(),
            file: sweep.file.display().to_string(),
            file_hash: sweep.file_hash,
            sweep_hash: sweep.hash(),
            seed: sweep.master_seed,
            replications: sweep.replications,
            axes: sweep
                .axes
                .iter()
                .map(|a| AxisLayout {
                    set: a.arg.clone(),
                    path: a.path.clone(),
                    values: a.values.clone(),
                })
                .collect(),
            scopes: sweep.scopes.clone(),
            points: sweep
                .points
                .iter()
                .map(|p| {
                    let own = super::metrics::scopes(&p.scenario);
                    PointLayout {
                        values: p.overrides.iter().map(|o| o.value.clone()).collect(),
                        overrides: p.overrides.iter().map(|o| o.to_string()).collect(),
                        scenario_hash: p.scenario.hash,
                        scopes: (0..sweep.scopes.len())
                            .filter(|&s| own.contains(&sweep.scopes[s]))
                            .collect(),
                    }
                })
                .collect(),
        }
    }

    /// How many runs the whole sweep makes.
    pub fn run_count(&self) -> usize {
        self.points.len() * self.replications as usize
    }

    fn has_scope(&self, p: usize, s: usize) -> bool {
        self.points[p].scopes.contains(&s)
    }
}

/// The first line of the sweep's CSV files.
fn comment(l: &Layout, shard: Option<Shard>) -> String {
    format!(
        "# drsim {} sweep scenario={} scenario_hash={} sweep_hash={} seed={} replications={}{}\n",
        crate::VERSION,
        l.name,
        hash_text(l.file_hash),
        hash_text(l.sweep_hash),
        l.seed,
        l.replications,
        shard.map_or(String::new(), |k| format!(" shard={k}"))
    )
}

fn num(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// Write `runs.csv`: run, point, replication, seed, each axis's value, then
/// `<scope>.<metric>` for every scope and metric.
pub fn write_runs_csv(sweep: &Sweep, runs: &[RunRecord], out: &mut dyn Write) -> io::Result<()> {
    write_runs_csv_of(&Layout::of(sweep), None, runs, out)
}

/// The header of `runs.csv`.
pub fn runs_header(l: &Layout) -> Vec<String> {
    let mut header: Vec<String> = ["run", "point", "replication", "seed"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(l.axes.iter().map(|a| a.path.clone()));
    for s in &l.scopes {
        header.extend(METRICS.iter().map(|m| format!("{s}.{}", m.name)));
    }
    header
}

/// [`write_runs_csv`] from a layout; `shard` marks a shard's file (its runs only, each with
/// its index in the whole sweep).
pub fn write_runs_csv_of(
    l: &Layout,
    shard: Option<Shard>,
    runs: &[RunRecord],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    out.write_all(comment(l, shard).as_bytes())?;
    let mut w = csv::Writer::from_writer(&mut out);
    w.write_record(runs_header(l)).map_err(csv_err)?;
    for run in runs {
        let point = &l.points[run.point];
        let r = run.point * l.replications as usize + run.replication as usize;
        let mut row = vec![
            r.to_string(),
            run.point.to_string(),
            run.replication.to_string(),
            run.seed.to_string(),
        ];
        row.extend(point.values.iter().cloned());
        for m in &run.metrics {
            match m {
                Some(values) => row.extend(values.iter().map(|v| num(*v))),
                None => row.extend(METRICS.iter().map(|_| String::new())),
            }
        }
        w.write_record(&row).map_err(csv_err)?;
    }
    w.flush()?;
    drop(w);
    out.flush()
}

/// The statistics of every point: per point, per scope, per metric.
pub fn point_stats(sweep: &Sweep, runs: &[RunRecord]) -> Vec<Vec<[Summary; METRICS.len()]>> {
    point_stats_of(&Layout::of(sweep), runs)
}

/// [`point_stats`] from a layout, over the runs given (all, or a shard's), in their order.
pub fn point_stats_of(l: &Layout, runs: &[RunRecord]) -> Vec<Vec<[Summary; METRICS.len()]>> {
    let mut by_point: Vec<Vec<&RunRecord>> = vec![Vec::new(); l.points.len()];
    for r in runs {
        if let Some(v) = by_point.get_mut(r.point) {
            v.push(r);
        }
    }
    by_point
        .iter()
        .map(|mine| {
            (0..l.scopes.len())
                .map(|s| {
                    std::array::from_fn(|m| {
                        let values: Vec<f64> = mine
                            .iter()
                            .filter_map(|r| r.metrics.get(s).copied().flatten())
                            .filter_map(|v| v[m])
                            .collect();
                        stats::summarize(&values)
                    })
                })
                .collect()
        })
        .collect()
}

/// Write `points.csv`: point, each axis's value, scope, metric, n, mean, sd, ci95_low,
/// ci95_high, min, max. A scope that a point lacks (a family an override removed) has no rows.
pub fn write_points_csv(sweep: &Sweep, runs: &[RunRecord], out: &mut dyn Write) -> io::Result<()> {
    write_points_csv_of(&Layout::of(sweep), None, runs, out)
}

/// [`write_points_csv`] from a layout (a shard's: over its runs only).
pub fn write_points_csv_of(
    l: &Layout,
    shard: Option<Shard>,
    runs: &[RunRecord],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    out.write_all(comment(l, shard).as_bytes())?;
    let mut w = csv::Writer::from_writer(&mut out);
    let mut header = vec!["point".to_string()];
    header.extend(l.axes.iter().map(|a| a.path.clone()));
    header.extend(
        [
            "scope",
            "metric",
            "n",
            "mean",
            "sd",
            "ci95_low",
            "ci95_high",
            "min",
            "max",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    w.write_record(&header).map_err(csv_err)?;
    let stats = point_stats_of(l, runs);
    for (p, by_scope) in stats.iter().enumerate() {
        let point = &l.points[p];
        for (s, scope) in l.scopes.iter().enumerate() {
            if !l.has_scope(p, s) {
                continue;
            }
            for (m, st) in by_scope[s].iter().enumerate() {
                let mut row = vec![p.to_string()];
                row.extend(point.values.iter().cloned());
                row.extend([
                    scope.clone(),
                    METRICS[m].name.to_string(),
                    st.n.to_string(),
                    num(st.mean),
                    num(st.sd),
                    num(st.ci.map(|c| c.0)),
                    num(st.ci.map(|c| c.1)),
                    num(st.min),
                    num(st.max),
                ]);
                w.write_record(&row).map_err(csv_err)?;
            }
        }
    }
    w.flush()?;
    drop(w);
    out.flush()
}

#[derive(Serialize)]
struct SweepJson<'a> {
    drsim_version: &'a str,
    kind: &'a str,
    /// `K/N` in a shard's folder; absent in a whole sweep's.
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<String>,
    scenario: &'a str,
    scenario_file: &'a str,
    /// The scenario file as written (each point's own hash covers its overrides).
    scenario_hash: String,
    /// The sweep's identity (points, overrides, replications, seed).
    sweep_hash: String,
    /// The master seed.
    seed: u64,
    replications: u32,
    /// Replication i's seed, the same at every point.
    replication_seeds: Vec<u64>,
    runs: usize,
    confidence: f64,
    axes: Vec<AxisJson<'a>>,
    metrics: Vec<MetricJson<'a>>,
    scopes: &'a [String],
    points: Vec<PointJson<'a>>,
}

#[derive(Serialize)]
struct AxisJson<'a> {
    set: &'a str,
    path: &'a str,
    values: &'a [String],
}

#[derive(Serialize)]
struct MetricJson<'a> {
    name: &'a str,
    meaning: &'a str,
}

#[derive(Serialize)]
struct PointJson<'a> {
    point: usize,
    overrides: &'a [String],
    scenario_hash: String,
    stats: Vec<StatJson<'a>>,
}

#[derive(Serialize)]
struct StatJson<'a> {
    scope: &'a str,
    metric: &'a str,
    n: usize,
    mean: Option<f64>,
    sd: Option<f64>,
    ci95_low: Option<f64>,
    ci95_high: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
}

/// Write `sweep.json`: the stamp, the axes, the metrics' meanings and every point's
/// statistics (as `points.csv`).
pub fn write_sweep_json(sweep: &Sweep, runs: &[RunRecord], out: &mut dyn Write) -> io::Result<()> {
    write_sweep_json_of(&Layout::of(sweep), None, runs, out)
}

/// [`write_sweep_json`] from a layout; a shard's says `"kind": "sweep-shard"`, its `shard`
/// and its own number of runs.
pub fn write_sweep_json_of(
    l: &Layout,
    shard: Option<Shard>,
    runs: &[RunRecord],
    out: &mut dyn Write,
) -> io::Result<()> {
    let stats = point_stats_of(l, runs);
    let points = stats
        .iter()
        .enumerate()
        .map(|(p, by_scope)| {
            let point = &l.points[p];
            let mut rows = Vec::new();
            for (s, scope) in l.scopes.iter().enumerate() {
                if !l.has_scope(p, s) {
                    continue;
                }
                for (m, st) in by_scope[s].iter().enumerate() {
                    rows.push(StatJson {
                        scope,
                        metric: METRICS[m].name,
                        n: st.n,
                        mean: st.mean,
                        sd: st.sd,
                        ci95_low: st.ci.map(|c| c.0),
                        ci95_high: st.ci.map(|c| c.1),
                        min: st.min,
                        max: st.max,
                    });
                }
            }
            PointJson {
                point: p,
                overrides: &point.overrides,
                scenario_hash: hash_text(point.scenario_hash),
                stats: rows,
            }
        })
        .collect();
    let doc = SweepJson {
        drsim_version: crate::VERSION,
        kind: if shard.is_some() {
            "sweep-shard"
        } else {
            "sweep"
        },
        shard: shard.map(|k| k.to_string()),
        scenario: &l.name,
        scenario_file: &l.file,
        scenario_hash: hash_text(l.file_hash),
        sweep_hash: hash_text(l.sweep_hash),
        seed: l.seed,
        replications: l.replications,
        replication_seeds: (0..l.replications)
            .map(|i| super::seeds::replication_seed(l.seed, i))
            .collect(),
        runs: if shard.is_some() {
            runs.len()
        } else {
            l.run_count()
        },
        confidence: stats::CONFIDENCE,
        axes: l
            .axes
            .iter()
            .map(|a| AxisJson {
                set: &a.set,
                path: &a.path,
                values: &a.values,
            })
            .collect(),
        metrics: METRICS
            .iter()
            .map(|m| MetricJson {
                name: m.name,
                meaning: m.meaning,
            })
            .collect(),
        scopes: &l.scopes,
        points,
    };
    let mut out = io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &doc).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Write the three files into `dir` (an [`crate::report::OutputDir`]'s path).
pub fn write_all(sweep: &Sweep, runs: &[RunRecord], dir: &std::path::Path) -> io::Result<()> {
    write_all_of(&Layout::of(sweep), None, runs, dir)
}

/// [`write_all`] from a layout. A whole sweep's folder also gets its charts
/// ([`super::charts`]); a shard's gets [`super::shard::SHARD_FILE`] instead: what `drsim
/// merge` needs.
pub fn write_all_of(
    l: &Layout,
    shard: Option<Shard>,
    runs: &[RunRecord],
    dir: &std::path::Path,
) -> io::Result<()> {
    type Writer = fn(&Layout, Option<Shard>, &[RunRecord], &mut dyn Write) -> io::Result<()>;
    let writers: [(&str, Writer); 3] = [
        (FILES[0], write_runs_csv_of),
        (FILES[1], write_points_csv_of),
        (FILES[2], write_sweep_json_of),
    ];
    for (name, write) in writers {
        let mut file = std::fs::File::create(dir.join(name))?;
        write(l, shard, runs, &mut file)?;
        file.flush()?;
    }
    match shard {
        Some(shard) => {
            let mut file = std::fs::File::create(dir.join(super::shard::SHARD_FILE))?;
            super::shard::write_shard_json(l, shard, runs.len(), &mut file)?;
            file.flush()?;
        }
        // A shard holds part of each point's replications: its charts would mislead.
        None => {
            super::charts::write_charts(l, runs, dir)?;
        }
    }
    Ok(())
}
