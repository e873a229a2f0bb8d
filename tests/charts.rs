//! Charts: every chart renders for every bundled scenario and for a generated 1,000-VM
//! estate, as an SVG document with its title and a PNG of the expected size; the same run
//! gives the same bytes; a run without time series writes the charts it can.

use drsim::report::charts::{self, ChartKind};
use drsim::report::{self, Exporter, OutputDir, Report, Stamp};
use drsim::run::{run, RunOutput, RunSpec};
use std::path::Path;

fn load(file: &Path) -> drsim::model::Scenario {
    let text = std::fs::read_to_string(file).unwrap();
    drsim::scenario::from_text(&text, file).unwrap()
}

fn bundled() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// The PNG's width and height, decoded.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    (info.width, info.height)
}

fn check_all(case: &str, report: &Report<'_>) {
    for kind in ChartKind::ALL {
        let svg = kind
            .svg(report)
            .unwrap_or_else(|e| panic!("{case}: {kind:?}: {e}"));
        assert!(svg.starts_with("<svg"), "{case}: {kind:?}");
        assert!(svg.trim_end().ends_with("</svg>"), "{case}: {kind:?}");
        assert!(
            svg.contains(kind.title()),
            "{case}: {kind:?}: title missing"
        );
        let mut png = Vec::new();
        kind.png(report, &mut png).unwrap();
        assert_eq!(png_size(&png), (1200, 640), "{case}: {kind:?}");
    }
}

fn output(scenario: &drsim::model::Scenario) -> RunOutput {
    run(RunSpec::new(scenario)).unwrap()
}

#[test]
fn every_chart_renders_for_every_bundled_scenario() {
    for file in bundled() {
        let scenario = load(&file);
        let out = output(&scenario);
        let stamp = Stamp::new(&scenario, out.seed);
        check_all(&scenario.name, &Report::new(&scenario, &stamp, &out));
    }
}

#[test]
fn every_chart_renders_for_a_thousand_vms() {
    let mut scenario = drsim::generated::bench::estate(1000, 1);
    scenario.sample_step = Some(300_000);
    let out = output(&scenario);
    let stamp = Stamp::new(&scenario, out.seed);
    let report = Report::new(&scenario, &stamp, &out);
    check_all("bench 1000 x 1d", &report);
    // Aggregated, never one line per VM: the SVG stays small.
    for kind in ChartKind::ALL {
        let svg = kind.svg(&report).unwrap();
        assert!(svg.len() < 1_000_000, "{kind:?}: {} bytes", svg.len());
    }
    let states = ChartKind::States.svg(&report).unwrap();
    assert!(states.contains("VM family"));
}

#[test]
fn the_same_run_gives_the_same_bytes() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/link-outage.toml");
    let scenario = load(&file);
    let (a, b) = (output(&scenario), output(&scenario));
    let stamp = Stamp::new(&scenario, a.seed);
    let (ra, rb) = (
        Report::new(&scenario, &stamp, &a),
        Report::new(&scenario, &stamp, &b),
    );
    for kind in ChartKind::ALL {
        assert_eq!(kind.svg(&ra).unwrap(), kind.svg(&rb).unwrap(), "{kind:?}");
        let (mut pa, mut pb) = (Vec::new(), Vec::new());
        kind.png(&ra, &mut pa).unwrap();
        kind.png(&rb, &mut pb).unwrap();
        assert!(pa == pb, "{kind:?}: PNG differs");
    }
}

#[test]
fn a_run_without_series_writes_the_charts_it_can() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
    let mut scenario = load(&file);
    scenario.sample_step = None;
    let out = output(&scenario);
    assert!(out.series.is_empty());
    let stamp = Stamp::new(&scenario, out.seed);
    let report = Report::new(&scenario, &stamp, &out);
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("out");
    let dir = OutputDir::prepare(&target, &stamp, false).unwrap();
    report::write_files(&dir, &report::standard(), &report).unwrap();
    dir.commit().unwrap();
    for c in charts::all() {
        let exists = target.join(c.file_name()).exists();
        assert_eq!(exists, !c.kind.needs_series(), "{}", c.file_name());
    }
    assert!(target.join("charts/states.svg").exists());
    assert!(target.join("summary.json").exists());
}
