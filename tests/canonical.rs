//! The canonical delta-replication workload against the SimPy peer of shared/bench
//! (issue "Performance", point 1). The peer's figures are recorded here so the suite needs no
//! Python; they were printed by `simpy_peer.py N 1 --link callback [--headroom 0.95]`
//! (simpy 4.1.2) and match shared/bench/README.md.
//!
//! At the canonical headroom drsim agrees with the peer to rounding: transfers and skipped
//! ticks exactly, bytes to 1e-9, RPO samples to the millisecond (drsim rounds completion
//! times up to whole milliseconds; the peer uses floats).
//!
//! At the stress headroom (0.95) the link is overloaded and the figures are chaotic: a 1-ppm
//! change of capacity moves skipped ticks by up to 1% in either simulator. drsim's
//! millisecond rounding of completion times is such a perturbation: unscaled, skipped ticks
//! at N = 1,000 differ by about 1% (95,443 against 96,470). Run with time stretched 100-fold
//! (copy interval, phases and horizon x100, rates /100: the same workload measured in 10-us
//! steps), drsim reproduces the peer's figures; that is what these tests check at 0.1%.

use drsim::model::workload::WorkloadSpec;
use drsim::sim::record::ArrivalTotals;

struct Figures {
    transfers: u64,
    skipped_ticks: u64,
    bytes: f64,
    mean_rpo_s: f64,
    max_rpo_s: f64,
}

const PEER_100: Figures = Figures {
    transfers: 28_799,
    skipped_ticks: 0,
    bytes: 25_710_394_455_771.3,
    mean_rpo_s: 301.281237,
    max_rpo_s: 302.351712,
};
const PEER_1000: Figures = Figures {
    transfers: 287_999,
    skipped_ticks: 0,
    bytes: 258_321_341_653_224.5,
    mean_rpo_s: 299.659370,
    max_rpo_s: 300.234066,
};
const PEER_100_STRESS: Figures = Figures {
    transfers: 19_252,
    skipped_ticks: 9_473,
    bytes: 23_680_770_750_171.3,
    mean_rpo_s: 773.311878,
    max_rpo_s: 22_793.006820,
};
const PEER_1000_STRESS: Figures = Figures {
    transfers: 190_668,
    skipped_ticks: 96_470,
    bytes: 237_874_379_286_910.2,
    mean_rpo_s: 781.603187,
    max_rpo_s: 22_852.049809,
};

/// Run the generated canonical scenario for one day with time stretched by `stretch`, and
/// report the peer's figures in the peer's units (seconds of the unstretched workload).
fn drsim(n: u32, headroom: f64, stretch: u64) -> Figures {
    let text = drsim::generated::canonical::scenario_toml(n, 1, headroom, "off");
    let mut s = drsim::scenario::from_text(&text, std::path::Path::new("canonical.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    if stretch > 1 {
        s.horizon *= stretch;
        for p in &mut s.policies {
            p.copy_interval *= stretch;
        }
        for v in &mut s.vms {
            v.first_tick = v.first_tick.map(|t| t * stretch);
            for d in &mut v.disks {
                match &mut d.workload {
                    WorkloadSpec::Constant { rate } => rate.0 /= stretch,
                    other => panic!("canonical workloads are constant, got {other:?}"),
                }
            }
        }
        for l in &mut s.links {
            l.capacity.0 /= stretch;
        }
    }
    let r = drsim::run::run(drsim::run::RunSpec::new(&s).keep_series(false))
        .unwrap()
        .result;
    let mut all = ArrivalTotals::default();
    for v in &r.vms {
        all.merge(&v.arrivals);
    }
    Figures {
        transfers: all.transfers,
        skipped_ticks: r.vms.iter().map(|v| v.cycles_missed).sum(),
        bytes: all.bytes as f64,
        mean_rpo_s: all.rpo_mean_s().unwrap() / stretch as f64,
        max_rpo_s: all.rpo_max_s().unwrap() / stretch as f64,
    }
}

fn within(name: &str, ours: f64, peer: f64, rel: f64) {
    let err = (ours - peer).abs() / peer.abs().max(1.0);
    assert!(
        err <= rel,
        "{name}: drsim {ours} vs peer {peer}: relative difference {err:.2e} > {rel:.0e}"
    );
}

fn agree(ours: &Figures, peer: &Figures, rel: f64) {
    within(
        "transfers",
        ours.transfers as f64,
        peer.transfers as f64,
        rel,
    );
    within(
        "skipped ticks",
        ours.skipped_ticks as f64,
        peer.skipped_ticks as f64,
        rel,
    );
    within("bytes", ours.bytes, peer.bytes, rel);
    within("mean RPO sample", ours.mean_rpo_s, peer.mean_rpo_s, rel);
    within("max RPO sample", ours.max_rpo_s, peer.max_rpo_s, rel);
}

#[test]
fn canonical_headroom_agrees_to_rounding() {
    for (n, peer) in [(100, &PEER_100), (1000, &PEER_1000)] {
        let ours = drsim(n, drsim::generated::canonical::HEADROOM, 1);
        agree(&ours, peer, 1e-3);
        // Tighter: the only differences are rounding.
        assert_eq!(ours.transfers, peer.transfers, "N={n}");
        assert_eq!(ours.skipped_ticks, 0, "N={n}");
        within("bytes", ours.bytes, peer.bytes, 1e-9);
        // Completion times round up to the next millisecond: RPO samples are at most 1 ms
        // later than the peer's.
        assert!(
            (ours.mean_rpo_s - peer.mean_rpo_s).abs() <= 0.001,
            "N={n} mean"
        );
        assert!(
            (ours.max_rpo_s - peer.max_rpo_s).abs() <= 0.001,
            "N={n} max"
        );
    }
}

#[test]
fn stress_headroom_agrees_at_fine_time_resolution() {
    for (n, peer) in [(100, &PEER_100_STRESS), (1000, &PEER_1000_STRESS)] {
        agree(&drsim(n, 0.95, 100), peer, 1e-3);
    }
}

#[test]
fn stress_headroom_unscaled_differs_only_by_the_documented_rounding_effect() {
    // Not an agreement claim: pins the size of the millisecond-rounding effect that the module
    // docs and the README state, so a change to it is noticed.
    let ours = drsim(1000, 0.95, 1);
    within(
        "skipped ticks",
        ours.skipped_ticks as f64,
        PEER_1000_STRESS.skipped_ticks as f64,
        0.02,
    );
    within(
        "mean RPO sample",
        ours.mean_rpo_s,
        PEER_1000_STRESS.mean_rpo_s,
        0.02,
    );
}
