//! Invariants under random trouble (domain.md section 9): over random fault schedules,
//! administrator actions and policies, every step keeps byte conservation (a debug assertion
//! in the world checks it after each machine step; tests build with debug assertions), every
//! state change is in the transition table (another debug assertion), and at the end
//! `written = replicated + pending + discarded` for every VM.

mod common;
use common::windows;
use proptest::prelude::*;

const H: u64 = 3_600;

fn list(ws: &[(u64, u64)], extra: &str) -> String {
    ws.iter()
        .map(|(s, d)| format!("{{ start = \"{s}s\", duration = \"{d}s\"{extra} }}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone)]
struct Trouble {
    capacity_mbps: u64,
    outages: Vec<(u64, u64)>,
    degradations: Vec<(u64, u64)>,
    degraded_percent: u8,
    random_mtbf_h: Option<u64>,
    threshold_percent: u8,
    per_disk: bool,
    start_mode: usize,
    offsets: bool,
    disk_gb: [u64; 3],
    churn_kbps: [u64; 3],
    volume_free_gb: Option<u64>,
    low_memory: Vec<(u64, u64)>,
    volume_full_at: Option<u64>,
    errors: Vec<(usize, usize, u64)>,
    error_probability: Option<(usize, f64)>,
    actions: Vec<(usize, usize, u64)>,
    seed: u64,
}

fn trouble() -> impl Strategy<Value = Trouble> {
    let pairs = || prop::collection::vec((0..6 * H, 60..4 * H), 0..4);
    (
        (
            5u64..200,
            pairs(),
            pairs(),
            0u8..=100,
            prop::option::of(2u64..24),
            5u8..=60,
            any::<bool>(),
            0usize..3,
            any::<bool>(),
        ),
        (
            [2u64..40, 2u64..40, 2u64..40],
            [0u64..3_000, 0u64..3_000, 0u64..3_000],
            prop::option::of(1u64..30),
            pairs(),
            prop::option::of(0..24 * H),
            prop::collection::vec((0usize..3, 0usize..5, 0..24 * H), 0..3),
            prop::option::of((0usize..3, 0.0f64..0.05)),
            prop::collection::vec((0usize..3, 0usize..5, 0..24 * H), 0..8),
            0u64..1 << 40,
        ),
    )
        .prop_map(|(a, b)| Trouble {
            capacity_mbps: a.0,
            outages: windows(&a.1, 24 * H),
            degradations: windows(&a.2, 24 * H),
            degraded_percent: a.3,
            random_mtbf_h: a.4,
            threshold_percent: a.5,
            per_disk: a.6,
            start_mode: a.7,
            offsets: a.8,
            disk_gb: b.0,
            churn_kbps: b.1,
            volume_free_gb: b.2,
            low_memory: windows(&b.3, 24 * H),
            volume_full_at: b.4,
            errors: b.5,
            error_probability: b.6,
            actions: b.7,
            seed: b.8,
        })
}

fn scenario(t: &Trouble) -> String {
    let vms = ["a", "b", "c"];
    let mut s = format!(
        "[scenario]\nname = \"p\"\ntopology = \"hyperv-to-azure\"\nstart = \"2026-11-23T06:00\"\n\
         duration = \"1d\"\nseed = {}\nsample_step = \"off\"\n\n",
        t.seed
    );
    s += &format!(
        "[[links]]\nname = \"wan\"\ncapacity = \"{} Mbps\"\noutages = [{}]\ndegradations = [{}]\n",
        t.capacity_mbps,
        list(&t.outages, ""),
        list(
            &t.degradations,
            &format!(", capacity = \"{}%\"", t.degraded_percent)
        ),
    );
    if let Some(h) = t.random_mtbf_h {
        s += &format!("random_outages = {{ mtbf = \"{h}h\", mttr = \"40m\" }}\n");
    }
    s += &format!(
        "\n[[policies]]\nname = \"p\"\nresync_threshold = \"{}%\"\nresync_basis = \"{}\"\n\
         resync_start = \"{}\"\nretry_schedule = \"{}\"\nadmin_response = \"90m\"\n",
        t.threshold_percent,
        if t.per_disk { "disk" } else { "vm" },
        ["off-peak", "immediate", "manual"][t.start_mode],
        if t.offsets { "offsets" } else { "waits" },
    );
    s += "\n[[sites]]\nname = \"s\"\n\n[[hosts]]\nname = \"h\"\n";
    if let Some(gb) = t.volume_free_gb {
        s += &format!("volume_free = \"{gb} GB\"\n");
    }
    s += "\n[[profiles]]\nname = \"bursty\"\nkind = \"bursts\"\nbase = \"100 KB/s\"\n\
          burst_rate = \"20 MB/s\"\nmean_gap = \"20m\"\nburst_size_median = \"500 MB\"\n\n";
    for (i, name) in vms.iter().enumerate() {
        let start = match i {
            0 => "protected_at_start = true".to_string(),
            1 => "protect_at = \"10m\"".to_string(),
            _ => "protect_at = \"3h\"".to_string(),
        };
        let size = t.disk_gb[i];
        s += &format!(
            "[[vms]]\nname = \"{name}\"\n{start}\nchurn = \"{} KB/s\"\n\
             disks = [{{ size = \"{size} GB\", used = \"{} GB\" }}, \
             {{ size = \"{size} GB\", used = \"1 GB\", churn = \"bursty\", hot_region = \"30%\" }}]\n\n",
            t.churn_kbps[i],
            size / 2,
        );
    }
    for &(start, dur) in &t.low_memory {
        s += &format!(
            "[[faults]]\nkind = \"low-memory\"\nhost = \"h\"\nstart = \"{start}s\"\nduration = \"{dur}s\"\n"
        );
    }
    if let Some(at) = t.volume_full_at {
        s += &format!("[[faults]]\nkind = \"volume-full\"\nhost = \"h\"\nat = \"{at}s\"\n");
    }
    let errors = [
        "broken-vhd-chain",
        "invalid-replica-state",
        "authentication-failure",
        "authorization-failure",
        "vm-not-found",
    ];
    for &(vm, e, at) in &t.errors {
        s += &format!(
            "[[faults]]\nkind = \"{}\"\nvm = \"{}\"\nat = \"{at}s\"\n",
            errors[e], vms[vm]
        );
    }
    if let Some((vm, p)) = t.error_probability {
        if p > 0.0 {
            s += &format!(
                "[[faults]]\nkind = \"vm-not-found\"\nvm = \"{}\"\nprobability = {p}\n",
                vms[vm]
            );
        }
    }
    let actions = [
        "pause",
        "resume",
        "resynchronize",
        "cancel-resync",
        "repair",
    ];
    for &(vm, a, at) in &t.actions {
        s += &format!(
            "[[actions]]\nat = \"{at}s\"\nvm = \"{}\"\naction = \"{}\"\n",
            vms[vm], actions[a]
        );
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn bytes_are_conserved_under_any_trouble(t in trouble()) {
        let text = scenario(&t);
        let (r, mem) = common::run(&text);
        for vm in &r.vms {
            prop_assert_eq!(
                vm.bytes_written,
                vm.bytes_replicated + vm.bytes_pending + vm.bytes_discarded,
                "VM {}", vm.name
            );
            for rs in &vm.resyncs {
                if let Some(start) = rs.started_at {
                    prop_assert!(start >= rs.required_at);
                    if let Some(end) = rs.ended_at {
                        prop_assert!(end >= start);
                    }
                }
            }
            prop_assert!(vm.time_warning_ms + vm.time_critical_ms <= r.horizon);
        }
        // Time never runs backwards in the logs.
        prop_assert!(mem.events.windows(2).all(|w| w[0].0 <= w[1].0));
        prop_assert!(mem.health.iter().all(|h| h.1 < h.2));
    }
}
