//! Invariants under random failover orders (domain.md section 9): over random sequences of
//! test, planned and unplanned failovers, changes of point, commits, cleanups, reverse replications and
//! failbacks, of VMs and a recovery plan, with a site lost and back, in all three
//! topologies: every step keeps byte conservation and follows the transition table (debug
//! assertions in the world), the run never panics, and at the end
//! `written = replicated + pending + discarded + lost` for every VM.

mod common;
use proptest::prelude::*;

const H: u64 = 3_600;
const KINDS: [&str; 8] = [
    "test",
    "planned",
    "unplanned",
    "change-point",
    "commit",
    "cleanup",
    "reverse-replicate",
    "failback",
];
const POINTS: [&str; 3] = ["latest", "latest-app-consistent", "latest-processed"];

#[derive(Debug, Clone)]
struct Orders {
    topology: usize,
    churn_kbps: [u64; 3],
    site_loss: Option<(u64, Option<u64>, bool)>,
    /// (target: 0-2 a VM, 3 the plan; kind; point; at in seconds)
    ops: Vec<(usize, usize, usize, u64)>,
    full_download: bool,
    seed: u64,
}

fn orders() -> impl Strategy<Value = Orders> {
    (
        0usize..3,
        [0u64..30_000, 0u64..30_000, 0u64..3_000],
        prop::option::of((0..20 * H, prop::option::of(60..6 * H), any::<bool>())),
        prop::collection::vec((0usize..4, 0usize..8, 0usize..3, 0..24 * H), 0..14),
        any::<bool>(),
        0u64..1 << 40,
    )
        .prop_map(
            |(topology, churn_kbps, site_loss, ops, full_download, seed)| Orders {
                topology,
                churn_kbps,
                site_loss: site_loss.map(|(down, up, lost)| (down, up.map(|d| down + d), lost)),
                ops,
                full_download,
                seed,
            },
        )
}

fn scenario(o: &Orders) -> String {
    let topology = ["hyperv-to-azure", "vmm-to-vmm", "azure-to-azure"][o.topology];
    let a2a = topology == "azure-to-azure";
    let mut s = format!(
        "[scenario]\nname = \"p\"\ntopology = \"{topology}\"\nstart = \"2026-11-23T06:00\"\n\
         duration = \"1d\"\nseed = {}\nsample_step = \"off\"\n\n",
        o.seed
    );
    if !a2a {
        s += "[[links]]\nname = \"wan\"\ncapacity = \"50 Mbps\"\n\n";
    }
    s += "[[policies]]\nname = \"p\"\napp_consistent_frequency = \"1h\"\n";
    if topology == "vmm-to-vmm" {
        s += "compression_ratio = 1.5\n";
    }
    if a2a {
        s += "cache_disk_limit = \"5 MB/s\"\n";
    }
    s += "\n[[sites]]\nname = \"s\"\n";
    if !a2a {
        s += "link = \"wan\"\n";
    }
    s += "network_mappings = { corp = \"target\" }\n\n[[hosts]]\nname = \"h\"\n\n";
    for (i, name) in ["a", "b", "c"].iter().enumerate() {
        let start = if i < 2 {
            "protected_at_start = true"
        } else {
            "protect_at = \"1h\""
        };
        s += &format!(
            "[[vms]]\nname = \"{name}\"\nnetwork = \"corp\"\n{start}\nchurn = \"{} KB/s\"\n\
             disks = [{{ size = \"40 GB\", used = \"4 GB\" }}, {{ size = \"20 GB\", used = \"2 GB\" }}]\n\n",
            o.churn_kbps[i]
        );
    }
    s += "[[recovery_plans]]\nname = \"app\"\ngroups = [\n  { vms = [\"a\"], after = [{ script = \"s\", duration = \"2m\" }] },\n  { vms = [\"b\", \"c\"] },\n]\n\n";
    if let Some((down, up, lost)) = o.site_loss {
        s += &format!("[[site_events]]\nsite = \"s\"\ndown_at = \"{down}s\"\n");
        if let Some(up) = up.filter(|&u| u < 24 * H) {
            s += &format!("up_at = \"{up}s\"\ndisks_lost = {lost}\n");
        }
        s += "\n";
    }
    for &(target, kind, point, at) in &o.ops {
        let target = if target == 3 {
            "plan = \"app\"".to_string()
        } else {
            format!("vm = \"{}\"", ["a", "b", "c"][target])
        };
        s += &format!(
            "[[failovers]]\nat = \"{at}s\"\nkind = \"{}\"\n{target}\n",
            KINDS[kind]
        );
        if ["test", "unplanned", "change-point"].contains(&KINDS[kind]) {
            s += &format!("point = \"{}\"\n", POINTS[point]);
        }
        if KINDS[kind] == "failback" && topology == "hyperv-to-azure" && o.full_download {
            s += "mode = \"full-download\"\n";
        }
        s += "\n";
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn bytes_are_conserved_under_any_failover_orders(o in orders()) {
        let text = scenario(&o);
        let (r, mem) = common::run(&text);
        for vm in &r.vms {
            prop_assert_eq!(
                vm.bytes_written,
                vm.bytes_replicated + vm.bytes_pending + vm.bytes_discarded + vm.bytes_lost,
                "VM {}", vm.name
            );
        }
        for f in &r.failovers {
            for v in &f.vms {
                // A refused VM has no figures; an accepted one boots after it is ready.
                if v.refused.is_some() {
                    prop_assert!(v.ready_at.is_none() && v.booted_at.is_none());
                }
                if let (Some(ready), Some(boot)) = (v.ready_at, v.boot_started_at) {
                    prop_assert!(boot >= ready && ready >= f.at);
                }
                if let (Some(point), true) = (v.recovery_point_at, f.kind == "unplanned") {
                    prop_assert!(point <= f.at);
                }
            }
            if let Some(done) = f.completed_at {
                prop_assert!(done >= f.at);
            }
        }
        prop_assert!(mem.events.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}
