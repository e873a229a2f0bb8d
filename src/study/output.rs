//! A sweep's files: `runs.csv` (one row per run), `points.csv` (per point and metric: n, mean,
//! standard deviation, 95% t confidence interval, min, max) and `sweep.json` (the same
//! statistics with the sweep's stamp). Written from the records in run order, so the bytes do
//! not depend on how many threads ran the sweep.

use super::metrics::METRICS;
use super::stats::{self, Summary};
use super::{RunRecord, Sweep};
use serde::Serialize;
use std::io::{self, Write};

/// The files a sweep writes, in the order they are written.
pub const FILES: [&str; 3] = ["runs.csv", "points.csv", "sweep.json"];

/// `fnv1a64:` and 16 hex digits, as every drsim stamp writes hashes.
pub fn hash_text(h: u64) -> String {
    format!("fnv1a64:{h:016x}")
}

/// The first line of the sweep's CSV files.
fn comment(sweep: &Sweep) -> String {
    format!(
        "# drsim {} sweep scenario={} scenario_hash={} sweep_hash={} seed={} replications={}\n",
        crate::VERSION,
        sweep.name,
        hash_text(sweep.file_hash),
        hash_text(sweep.hash()),
        sweep.master_seed,
        sweep.replications
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
    let mut out = io::BufWriter::new(out);
    out.write_all(comment(sweep).as_bytes())?;
    let mut w = csv::Writer::from_writer(&mut out);
    let mut header: Vec<String> = ["run", "point", "replication", "seed"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(sweep.axes.iter().map(|a| a.path.clone()));
    for s in &sweep.scopes {
        header.extend(METRICS.iter().map(|m| format!("{s}.{}", m.name)));
    }
    w.write_record(&header).map_err(csv_err)?;
    for (r, run) in runs.iter().enumerate() {
        let point = &sweep.points[run.point];
        let mut row = vec![
            r.to_string(),
            run.point.to_string(),
            run.replication.to_string(),
            run.seed.to_string(),
        ];
        row.extend(point.overrides.iter().map(|o| o.value.clone()));
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
    let n = sweep.replications as usize;
    (0..sweep.points.len())
        .map(|p| {
            let mine = runs.get(p * n..(p + 1) * n).unwrap_or(&[]);
            (0..sweep.scopes.len())
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
    let mut out = io::BufWriter::new(out);
    out.write_all(comment(sweep).as_bytes())?;
    let mut w = csv::Writer::from_writer(&mut out);
    let mut header = vec!["point".to_string()];
    header.extend(sweep.axes.iter().map(|a| a.path.clone()));
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
    let stats = point_stats(sweep, runs);
    for (p, by_scope) in stats.iter().enumerate() {
        let point = &sweep.points[p];
        for (s, scope) in sweep.scopes.iter().enumerate() {
            if !has_scope(sweep, p, scope) {
                continue;
            }
            for (m, st) in by_scope[s].iter().enumerate() {
                let mut row = vec![p.to_string()];
                row.extend(point.overrides.iter().map(|o| o.value.clone()));
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

fn has_scope(sweep: &Sweep, p: usize, scope: &str) -> bool {
    scope == "estate"
        || sweep.points[p]
            .scenario
            .vm_families
            .iter()
            .any(|f| f.name == scope)
}

#[derive(Serialize)]
struct SweepJson<'a> {
    drsim_version: &'a str,
    kind: &'a str,
    scenario: &'a str,
    scenario_file: String,
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
    overrides: Vec<String>,
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
    let stats = point_stats(sweep, runs);
    let points = stats
        .iter()
        .enumerate()
        .map(|(p, by_scope)| {
            let point = &sweep.points[p];
            let mut rows = Vec::new();
            for (s, scope) in sweep.scopes.iter().enumerate() {
                if !has_scope(sweep, p, scope) {
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
                overrides: point.overrides.iter().map(|o| o.to_string()).collect(),
                scenario_hash: hash_text(point.scenario.hash),
                stats: rows,
            }
        })
        .collect();
    let doc = SweepJson {
        drsim_version: crate::VERSION,
        kind: "sweep",
        scenario: &sweep.name,
        scenario_file: sweep.file.display().to_string(),
        scenario_hash: hash_text(sweep.file_hash),
        sweep_hash: hash_text(sweep.hash()),
        seed: sweep.master_seed,
        replications: sweep.replications,
        replication_seeds: (0..sweep.replications).map(|i| sweep.seed(i)).collect(),
        runs: sweep.run_count(),
        confidence: stats::CONFIDENCE,
        axes: sweep
            .axes
            .iter()
            .map(|a| AxisJson {
                set: &a.arg,
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
        scopes: &sweep.scopes,
        points,
    };
    let mut out = io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &doc).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Write the three files into `dir` (an [`crate::report::OutputDir`]'s path).
pub fn write_all(sweep: &Sweep, runs: &[RunRecord], dir: &std::path::Path) -> io::Result<()> {
    type Writer = fn(&Sweep, &[RunRecord], &mut dyn Write) -> io::Result<()>;
    let writers: [(&str, Writer); 3] = [
        (FILES[0], write_runs_csv),
        (FILES[1], write_points_csv),
        (FILES[2], write_sweep_json),
    ];
    for (name, write) in writers {
        let mut file = std::fs::File::create(dir.join(name))?;
        write(sweep, runs, &mut file)?;
        file.flush()?;
    }
    Ok(())
}
