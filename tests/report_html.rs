//! report.html and summary.md: self-contained (no external reference of any kind), escaped,
//! deterministic; and the page renders in headless Chromium with its charts visible
//! (skipped, saying so, when Debian's `chromium` is not installed).

use assert_cmd::Command;
use drsim::report::{self, HtmlReport, Report, Stamp, SummaryMd};
use drsim::run::{run, RunSpec};
use std::path::{Path, PathBuf};

fn load(file: &Path) -> drsim::model::Scenario {
    let text = std::fs::read_to_string(file).unwrap();
    drsim::scenario::from_text(&text, file).unwrap()
}

fn scenario_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"))
}

/// report.html and summary.md of a scenario, as text.
fn documents(scenario: &drsim::model::Scenario) -> (String, String) {
    let out = run(RunSpec::new(scenario)).unwrap();
    let stamp = Stamp::new(scenario, out.seed);
    let r = Report::new(scenario, &stamp, &out);
    let html = String::from_utf8(report::to_bytes(&HtmlReport::default(), &r)).unwrap();
    let md = String::from_utf8(report::to_bytes(&SummaryMd, &r)).unwrap();
    (html, md)
}

/// Everything that would make a browser fetch something, or name a place on the web.
fn assert_self_contained(case: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    for needle in [
        "http://",
        "https://",
        "\"//",
        "'//",
        "(//",
        "<link",
        "<script src",
        "src=",
        "url(",
        "@import",
        "@font-face",
        "<iframe",
        "<img",
    ] {
        assert!(
            !lower.contains(needle),
            "{case}: report.html contains {needle:?}"
        );
    }
}

#[test]
fn reports_of_bundled_scenarios_are_self_contained_and_complete() {
    for name in ["link-outage", "bad-day", "vmm-to-secondary-site"] {
        let scenario = load(&scenario_file(name));
        let (html, md) = documents(&scenario);
        assert_self_contained(name, &html);
        assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
        assert!(html.trim_end().ends_with("</html>"), "{name}");
        for section in [
            "id=\"estate\"",
            "id=\"charts\"",
            "id=\"families\"",
            "id=\"failovers\"",
            "id=\"attention\"",
            "id=\"vms\"",
            "id=\"assumptions\"",
        ] {
            assert!(html.contains(section), "{name}: {section} missing");
        }
        // Every chart inline, and every VM in the table.
        assert_eq!(html.matches("<svg").count(), 6, "{name}: charts inline");
        for v in &scenario.vms {
            assert!(html.contains(&format!("<td>{}</td>", v.name)), "{name}");
        }
        assert!(html.contains(&format!("fnv1a64:{:016x}", scenario.hash)));
        assert!(md.starts_with(&format!("# drsim run: {name}")), "{name}");
        assert!(md.contains("## VM families") && md.contains("## Events worth attention"));
        // Deterministic bytes.
        assert_eq!(
            documents(&scenario),
            (html, md),
            "{name}: not deterministic"
        );
    }
}

#[test]
fn failovers_and_resyncs_are_told() {
    let scenario = load(&scenario_file("vmm-to-secondary-site"));
    let (html, md) = documents(&scenario);
    if !drsim::run::run(RunSpec::new(&scenario))
        .unwrap()
        .result
        .failovers
        .is_empty()
    {
        assert!(!html.contains("No failover in this run."));
        assert!(!md.contains("No failover in this run."));
    }
    let scenario = load(&scenario_file("bad-day"));
    let (html, md) = documents(&scenario);
    assert!(html.contains("log write failure: volume of host hv02 is full"));
    assert!(md.contains("log write failure: volume of host hv02 is full"));
    assert!(html.contains("Critical health"));
}

#[test]
fn names_with_markup_are_escaped() {
    let file = scenario_file("quickstart");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("name = \"quickstart\"", "name = \"q<script>&\\\"x|y\"")
        .replace(
            "[scenario]",
            "[scenario]\ndescription = \"<b>bold</b> & https://example.org\"",
        );
    let scenario = drsim::scenario::from_text(&text, &file).unwrap();
    let (html, md) = documents(&scenario);
    assert!(!html.contains("<script>&"), "unescaped name");
    assert!(html.contains("q&lt;script&gt;&amp;&quot;x|y"));
    assert!(!html.contains("<b>bold"));
    assert!(md.contains("q&lt;script&gt;&amp;\"x\\|y"));
}

#[test]
fn no_charts_leaves_them_out_and_says_so() {
    let scenario = load(&scenario_file("quickstart"));
    let out = run(RunSpec::new(&scenario)).unwrap();
    let stamp = Stamp::new(&scenario, out.seed);
    let r = Report::new(&scenario, &stamp, &out);
    let html = String::from_utf8(report::to_bytes(&HtmlReport { charts: false }, &r)).unwrap();
    assert!(!html.contains("<svg"));
    assert!(html.contains("--no-charts"));
    assert!(!report::standard_with(false)
        .iter()
        .any(|e| e.file_name().starts_with("charts/")));
}

/// The PNG's size and its pixels as RGB.
fn decode(bytes: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
    let mut decoder = png::Decoder::new(bytes);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let px = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|c| match channels {
            1 | 2 => [c[0], c[0], c[0]],
            _ => [c[0], c[1], c[2]],
        })
        .collect();
    (info.width, info.height, px)
}

/// Pixels within 3 of `rgb` in each channel.
fn count_near(px: &[[u8; 3]], rgb: [u8; 3]) -> usize {
    px.iter()
        .filter(|p| p.iter().zip(rgb).all(|(&a, b)| a.abs_diff(b) <= 3))
        .count()
}

/// Screenshot `html` with headless Chromium; `None` when it is not installed.
fn screenshot(html: &Path, png: &Path) -> Option<Vec<u8>> {
    let chromium = ["chromium", "chromium-browser"].into_iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })?;
    let status = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1280,2000")
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    assert!(
        status.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    Some(std::fs::read(png).expect("chromium wrote the screenshot"))
}

#[test]
fn report_renders_in_headless_chromium_with_its_charts() {
    let dir = tempfile::tempdir().unwrap();
    let mut shots = Vec::new();
    for (case, extra) in [("charts", None), ("no-charts", Some("--no-charts"))] {
        let out = dir.path().join(case);
        let mut cmd = Command::cargo_bin("drsim").unwrap();
        cmd.arg("run")
            .arg(scenario_file("link-outage"))
            .arg("--out")
            .arg(&out);
        if let Some(x) = extra {
            cmd.arg(x);
        }
        cmd.assert().success();
        let html = out.join("report.html");
        assert_self_contained(case, &std::fs::read_to_string(&html).unwrap());
        let html = html.canonicalize().unwrap();
        let Some(bytes) = screenshot(&html, &dir.path().join(format!("{case}.png"))) else {
            println!(
                "SKIPPED: chromium is not installed (apt-get install -y chromium); \
                 report.html was not rendered"
            );
            return;
        };
        shots.push(decode(&bytes));
    }
    let (w, h, charts) = &shots[0];
    assert_eq!((*w, *h), (1280, 2000));
    // Not blank: a page of text, tables and charts has many non-white pixels.
    let white = count_near(charts, [255, 255, 255]);
    assert!(
        white < charts.len() * 95 / 100,
        "the screenshot is (almost) blank: {white} of {} pixels white",
        charts.len()
    );
    // The charts are visible: the RPO chart's work-hours shading (#FFF4D6) and the link
    // chart's capacity use (green) fill large areas with charts, none without.
    let shade = |px: &[[u8; 3]]| count_near(px, [0xFF, 0xF4, 0xD6]);
    let (_, _, plain) = &shots[1];
    assert!(
        shade(charts) > 20_000,
        "no chart visible: {} shaded pixels",
        shade(charts)
    );
    assert_eq!(shade(plain), 0, "--no-charts page shows chart colours");
}
