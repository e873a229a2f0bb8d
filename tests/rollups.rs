//! Estate roll-ups: rollups.csv (estate, families, sites, hosts), outages.csv (the link
//! windows as drawn), and the terminal's site rows and outage line. Each figure is checked
//! against the run's own results, computed here independently.

use drsim::report::{self, Exporter, Report, Stamp};
use drsim::run::{run, RunOutput, RunSpec};

/// 32 VMs in three families on three hosts at two sites, two links; the first link fails at
/// random (MTBF 8 h, MTTR 1 h) and has one scheduled outage and one degradation.
const ESTATE: &str = r#"
[scenario]
name = "rollups"
topology = "hyperv-to-azure"
start = "2026-11-23T00:00"
duration = "2d"
seed = 11
sample_step = "1h"

[[links]]
name = "wan-a"
capacity = "60 Mbps"
outages = [{ start = "30h", duration = "2h" }]
degradations = [{ start = "40h", duration = "3h", capacity = "25%" }]
random_outages = { mtbf = "8h", mttr = "1h" }

[[links]]
name = "wan-b"
capacity = "100 Mbps"

[[policies]]
name = "p"
copy_interval = "5m"
target_rpo = "15m"

[[sites]]
name = "north"
link = "wan-a"
policy = "p"

[[sites]]
name = "south"
link = "wan-b"
policy = "p"

[[hosts]]
name = "n1"
site = "north"
volume_free = "40 GiB"

[[hosts]]
name = "n2"
site = "north"

[[hosts]]
name = "s1"
site = "south"

[[vms]]
name = "web"
count = 12
host = "n1"
protected_at_start = true
churn = "300 kB/s"
disks = [{ size = "100 GiB", used = "20 GiB" }]

[[vms]]
name = "app"
count = 10
host = "n2"
protected_at_start = true
churn = "600 kB/s"
disks = [{ size = "100 GiB", used = "20 GiB" }]

[[vms]]
name = "db"
count = 10
host = "s1"
protected_at_start = true
churn = "900 kB/s"
disks = [{ size = "200 GiB", used = "50 GiB" }]
"#;

struct Ran {
    scenario: drsim::model::Scenario,
    out: RunOutput,
}

fn ran() -> Ran {
    let scenario = drsim::scenario::from_text(ESTATE, "rollups.toml".as_ref()).unwrap();
    let out = run(RunSpec::new(&scenario)).unwrap();
    Ran { scenario, out }
}

fn document(r: &Ran, e: &dyn Exporter) -> String {
    let stamp = Stamp::new(&r.scenario, r.out.seed);
    let report = Report::new(&r.scenario, &stamp, &r.out);
    String::from_utf8(report::to_bytes(e, &report)).unwrap()
}

/// The CSV rows (after the `#` stamp line) as header -> value maps.
fn rows(csv_text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let body: String = csv_text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut rd = csv::Reader::from_reader(body.as_bytes());
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            head.iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn rollups_add_up_to_the_vms_for_every_level() {
    let r = ran();
    let vms = &r.out.result.vms;
    let rows = rows(&document(&r, &report::RollupsCsv));
    let level = |l: &'static str| rows.iter().filter(move |row| row["level"] == l);
    let names = |l: &'static str| level(l).map(|row| row["name"].clone()).collect::<Vec<_>>();
    assert_eq!(names("estate"), ["estate"]);
    assert_eq!(names("family"), ["web", "app", "db"]);
    assert_eq!(names("site"), ["north", "south"]);
    assert_eq!(names("host"), ["n1", "n2", "s1"]);

    // Each level partitions the estate: its VM counts and bytes written add up.
    let written: u64 = vms.iter().map(|v| v.bytes_written).sum();
    for l in ["estate", "family", "site", "host"] {
        let n: usize = level(l)
            .map(|row| row["vms"].parse::<usize>().unwrap())
            .sum();
        assert_eq!(n, 32, "{l}");
        let w: u64 = level(l)
            .map(|row| row["bytes_written"].parse::<u64>().unwrap())
            .sum();
        assert_eq!(w, written, "{l}");
    }

    // The north site is hosts n1 and n2, the VMs web-* and app-*: its worst RPO and resyncs
    // are theirs.
    let north: Vec<_> = vms
        .iter()
        .filter(|v| v.name.starts_with("web") || v.name.starts_with("app"))
        .collect();
    let site = level("site").find(|row| row["name"] == "north").unwrap();
    let max = north
        .iter()
        .filter_map(|v| v.rpo.max_s)
        .fold(f64::MIN, f64::max);
    assert_eq!(site["rpo_max_s"], format!("{max:.3}"));
    let resyncs: usize = north.iter().map(|v| v.resyncs.len()).sum();
    assert_eq!(site["resyncs"], resyncs.to_string());

    // Host rows carry the volume's peak and free space, from the host results.
    for row in level("host") {
        let h = r
            .out
            .result
            .hosts
            .iter()
            .find(|h| h.name == row["name"])
            .unwrap();
        assert_eq!(
            row["volume_peak_bytes"],
            h.peak_volume_used_bytes.to_string()
        );
        let free = h
            .volume_free_bytes
            .map(|b| b.to_string())
            .unwrap_or_default();
        assert_eq!(row["volume_free_bytes"], free);
    }
    assert_eq!(
        level("host").next().unwrap()["volume_free_bytes"],
        (40u64 << 30).to_string()
    );
}

#[test]
fn outages_csv_lists_every_window_as_drawn() {
    let r = ran();
    let rows = rows(&document(&r, &report::OutagesCsv));
    let drawn = drsim::sim::link_outage_windows(&r.scenario, r.out.seed);
    let (h, horizon) = (3_600_000u64, 48 * 3_600_000u64);
    // wan-a: the drawn outages (the scheduled one among them) and the degradation; wan-b
    // never fails.
    assert!(drawn[1].is_empty());
    assert!(drawn[0].contains(&(30 * h, 32 * h)), "{drawn:?}");
    let random = drawn[0].len() - 1;
    assert!(random >= 1, "MTBF 8 h over 2 days draws outages: {drawn:?}");
    assert_eq!(rows.len(), drawn[0].len() + 1);
    assert!(rows.iter().all(|row| row["link"] == "wan-a"));
    let secs = |ms: u64| format!("{}.{:03}", ms / 1000, ms % 1000);
    for &(start, end) in &drawn[0] {
        let row = rows
            .iter()
            .find(|row| row["start_s"] == secs(start) && row["kind"] == "outage")
            .unwrap_or_else(|| panic!("no row for {start}..{end}: {rows:?}"));
        assert_eq!(row["end_s"], secs(end.min(horizon)));
        assert_eq!(row["duration_s"], secs(end.min(horizon) - start));
        assert_eq!(row["capacity_percent"], "0");
        let cause = if (start, end) == (30 * h, 32 * h) {
            "scheduled"
        } else {
            "random"
        };
        assert_eq!(row["cause"], cause);
    }
    let degraded: Vec<_> = rows.iter().filter(|r| r["kind"] == "degradation").collect();
    assert_eq!(degraded.len(), 1);
    assert_eq!(degraded[0]["start"], "2026-11-24T16:00:00.000");
    assert_eq!(degraded[0]["end"], "2026-11-24T19:00:00.000");
    assert_eq!(degraded[0]["capacity_percent"], "25");
    // By start time.
    let starts: Vec<f64> = rows.iter().map(|r| r["start_s"].parse().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?}");
}

#[test]
fn the_terminal_shows_sites_and_each_links_windows() {
    let r = ran();
    let t = document(&r, &report::TerminalTable);
    let sites: Vec<&str> = t
        .lines()
        .skip_while(|l| !l.starts_with("site "))
        .skip(1)
        .take_while(|l| !l.starts_with('('))
        .collect();
    assert_eq!(sites.len(), 2, "{t}");
    assert!(
        sites[0].starts_with("north ") && sites[1].starts_with("south "),
        "{t}"
    );
    assert!(
        t.contains("per host, with volume peaks, are in rollups.csv"),
        "{t}"
    );
    let drawn = drsim::sim::link_outage_windows(&r.scenario, r.out.seed);
    let down: u64 = drawn[0].iter().map(|&(s, e)| e - s).sum();
    let line = format!(
        "link wan-a: {} outage(s), {} down; 1 degradation(s), 3h degraded (outages.csv)",
        drawn[0].len(),
        drsim::units::Millis(down - down % 1000)
    );
    assert!(t.contains(&line), "{line}\n{t}");
    // wan-b never fails: its usage line only, no windows line.
    assert_eq!(
        t.lines().filter(|l| l.starts_with("link wan-b:")).count(),
        1,
        "{t}"
    );
}
