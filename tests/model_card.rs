//! The model card (docs/model-card.md, section "Defaults") quotes every default as
//! `drsim::model::defaults` has it, so the card cannot drift from the code: a default changed
//! in the code without the card, or on the card without the code, fails here.

use drsim::model::defaults;

const CARD: &str = include_str!("../docs/model-card.md");

/// The `field = value` lines of the card's Defaults block, padding trimmed.
fn quoted_defaults() -> Vec<(String, String)> {
    let section = CARD
        .split("\n## Defaults\n")
        .nth(1)
        .expect("docs/model-card.md has a \"## Defaults\" section");
    let block = section
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the Defaults section has a ```text block");
    block
        .lines()
        .map(|line| {
            let (field, value) = line
                .split_once(" = ")
                .unwrap_or_else(|| panic!("not a `field = value` line: {line:?}"));
            (field.trim().to_string(), value.trim().to_string())
        })
        .collect()
}

#[test]
fn the_model_card_quotes_every_default_at_its_current_value() {
    let expected: Vec<(String, String)> = defaults::card()
        .into_iter()
        .map(|(field, value)| (field.to_string(), value))
        .collect();
    let block: Vec<String> = expected.iter().map(|(f, v)| format!("{f} = {v}")).collect();
    assert_eq!(
        quoted_defaults(),
        expected,
        "the Defaults block of docs/model-card.md should read:\n{}",
        block.join("\n")
    );
}

/// The card's values mean what they say: a scenario that writes out every default the card
/// gives for its tables validates to the same model as one that leaves them out.
#[test]
fn the_defaults_written_out_as_the_card_quotes_them_change_nothing() {
    // Not for hyperv-to-azure, or not writable in these tables as they stand.
    let skip = [
        "policies.recovery_point_retention (azure-to-azure)",
        "policies.compression_ratio",
        "policies.high_churn",
        "policies.cache_disk_limit",
        "policies.processing_delay",
        "vms.first_tick_step",
        "vms.prepare_time (vmm-to-vmm)",
    ];
    let quoted = quoted_defaults();
    let lines = |table: &str| -> String {
        quoted
            .iter()
            .filter(|(f, _)| !skip.contains(&f.as_str()))
            .filter_map(|(f, v)| {
                let key = f.strip_prefix(table)?.strip_prefix('.')?;
                (!key.contains('.')).then(|| format!("{key} = {v}\n"))
            })
            .collect()
    };
    let scenario = |with_defaults: bool| {
        let l = |table: &str| {
            if with_defaults {
                lines(table)
            } else {
                String::new()
            }
        };
        format!(
            "[scenario]\nname = \"defaults\"\ntopology = \"hyperv-to-azure\"\nstart = \"2026-11-23T08:00\"\nduration = \"1d\"\n{}\n\
             [calendar]\n{}\n\
             [[links]]\nname = \"wan\"\ncapacity = \"100 Mbps\"\n\n\
             [[policies]]\nname = \"p\"\n{}\n\
             [[sites]]\nname = \"s\"\n{}\n\
             [[hosts]]\nname = \"h\"\n\n\
             [[vms]]\nname = \"vm\"\nchurn = \"1 MB/s\"\ndisks = [{{ size = \"10 GiB\" }}]\n{}",
            l("scenario"),
            l("calendar"),
            l("policies"),
            l("sites"),
            l("vms"),
        )
    };
    let load = |text: &str| {
        drsim::scenario::from_text(text, std::path::Path::new("defaults.toml"))
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
    };
    let (written, plain) = (load(&scenario(true)), load(&scenario(false)));
    assert!(scenario(true).contains("resync_read_rate = \"200 MB/s\"\n"));
    assert_eq!(written.policies, plain.policies);
    assert_eq!(
        plain.policies,
        vec![drsim::model::Policy::default_named("p")]
    );
    assert_eq!(written.calendar, plain.calendar);
    assert_eq!(written.sample_step, plain.sample_step);
    assert_eq!(written.seed, plain.seed);
    assert_eq!(written.sites, plain.sites);
    assert_eq!(written.vms, plain.vms);
}
