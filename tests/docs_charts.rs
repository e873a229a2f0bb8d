//! The charts the README shows (`docs/*.png`) are drsim's own output for bundled scenarios:
//! each is drawn again here and must match the committed file byte for byte, so the README
//! cannot show a picture the code no longer draws. After an intended change of a chart or a
//! scenario, `DRSIM_BLESS=1 cargo test --test docs_charts` rewrites them; look at them before
//! committing.

use drsim::report::charts::{self, ChartKind};
use drsim::report::{Report, Stamp};
use drsim::run::{run, RunSpec};
use drsim::study::{self, output, Sweep};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compare `png` with `docs/<name>`, or rewrite it when blessing.
fn check(name: &str, png: &[u8], made_by: &str) {
    let path = root().join("docs").join(name);
    if std::env::var_os("DRSIM_BLESS").is_some() {
        std::fs::write(&path, png).unwrap();
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == png,
        "docs/{name} is not what `{made_by}` draws now; if the change is intended, run \
         `DRSIM_BLESS=1 cargo test --test docs_charts`, look at the picture and commit it"
    );
}

fn run_chart(scenario: &str, kind: ChartKind, name: &str) {
    let file = root().join("scenarios").join(scenario);
    let text = std::fs::read_to_string(&file).unwrap();
    let sc = drsim::scenario::from_text(&text, &file).unwrap();
    let out = run(RunSpec::new(&sc)).unwrap();
    let stamp = Stamp::new(&sc, out.seed);
    let report = Report::new(&sc, &stamp, &out);
    let mut png = Vec::new();
    kind.png(&report, &mut png).unwrap();
    check(
        name,
        &png,
        &format!(
            "drsim run scenarios/{scenario}` (charts/{}.png",
            kind.name()
        ),
    );
}

#[test]
fn the_readme_charts_of_runs_are_current() {
    run_chart("link-outage.toml", ChartKind::Rpo, "link-outage-rpo.png");
    run_chart(
        "teaching-one-vm.toml",
        ChartKind::Backlog,
        "teaching-one-vm-backlog.png",
    );
    run_chart(
        "teaching-one-vm.toml",
        ChartKind::States,
        "teaching-one-vm-states.png",
    );
}

#[test]
fn the_readme_sweep_chart_is_current() {
    let file = root().join("scenarios/branch-office.toml");
    let sets = [
        "links.internet.work_hours_limit=50Mbps..150Mbps:50Mbps".to_string(),
        "policies.branch-5min.copy_interval=30s,5m".to_string(),
    ];
    let sweep = Sweep::load(Path::new(&file), &sets, 20, None).unwrap();
    let runs = study::run_sweep(&sweep, &Default::default()).unwrap();
    let all = study::charts::charts(&output::Layout::of(&sweep), &runs);
    let (_, chart) = all
        .iter()
        .find(|(name, _)| *name == "worst_vm_within_target")
        .unwrap();
    let mut png = Vec::new();
    charts::to_png(chart, &mut png).unwrap();
    check(
        "sweep-branch-office-worst-vm.png",
        &png,
        "drsim sweep scenarios/branch-office.toml --set \
         links.internet.work_hours_limit=50Mbps..150Mbps:50Mbps --set \
         policies.branch-5min.copy_interval=30s,5m --replications 20` \
         (charts/worst_vm_within_target.png",
    );
}
