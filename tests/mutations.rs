//! The fuzz target's property as a short deterministic pass for every test run (the long
//! passes are `fuzz/`): the bundled scenarios, mutated by a fixed-seed generator (a byte
//! changed, a line deleted or repeated, a number replaced by an extreme), go through parse and
//! validation and, when valid and small, a checked run. Never a panic: either errors that each
//! say what is wrong, or a run that ends (normally, or refused or stopped by a budget).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// Mutations tried per bundled scenario.
const PER_SCENARIO: usize = 600;
/// Runs are made only of scenarios this small (as in the fuzz target).
const MAX_VMS: usize = 20;
const MAX_HORIZON_MS: u64 = 2 * 86_400_000;

/// Replacements for a number: zero, negative, huge, fractional, not a number.
const EXTREMES: [&str; 8] = [
    "0",
    "-1",
    "4294967296",
    "1e308",
    "0.0001",
    "99999999999999999999",
    "nan",
    "\"\"",
];

fn bundled() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn mutate(text: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    let mut out: Vec<u8> = Vec::with_capacity(text.len() + 64);
    match rng.gen_range(0..4) {
        // A byte changed (any value: control characters and invalid UTF-8 too).
        0 => {
            out.extend_from_slice(text);
            let at = rng.gen_range(0..out.len());
            out[at] = rng.gen();
        }
        // A line deleted.
        1 => {
            let skip = rng.gen_range(0..lines.len());
            for (i, l) in lines.iter().enumerate() {
                if i != skip {
                    out.extend_from_slice(l);
                }
            }
        }
        // A line repeated (a duplicate key or table).
        2 => {
            let twice = rng.gen_range(0..lines.len());
            for (i, l) in lines.iter().enumerate() {
                out.extend_from_slice(l);
                if i == twice {
                    out.extend_from_slice(l);
                }
            }
        }
        // The digits of a number replaced by an extreme.
        _ => {
            let digits: Vec<usize> = (0..text.len())
                .filter(|&i| text[i].is_ascii_digit() && (i == 0 || !text[i - 1].is_ascii_digit()))
                .collect();
            if digits.is_empty() {
                return text.to_vec();
            }
            let start = digits[rng.gen_range(0..digits.len())];
            let end = (start..text.len())
                .find(|&i| !text[i].is_ascii_digit())
                .unwrap_or(text.len());
            out.extend_from_slice(&text[..start]);
            out.extend_from_slice(EXTREMES[rng.gen_range(0..EXTREMES.len())].as_bytes());
            out.extend_from_slice(&text[end..]);
        }
    }
    out
}

#[test]
fn mutated_bundled_scenarios_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let (mut refused, mut ran) = (0, 0);
    for file in bundled() {
        let text = std::fs::read(&file).unwrap();
        for _ in 0..PER_SCENARIO {
            let bytes = mutate(&text, &mut rng);
            let case = String::from_utf8_lossy(&bytes).into_owned();
            match drsim::scenario::from_bytes(&bytes, &file) {
                Err(errors) => {
                    refused += 1;
                    for e in &errors.0 {
                        assert!(!e.problem.is_empty(), "an empty error for:\n{case}");
                    }
                }
                Ok(sc) => {
                    if sc.vms.len() > MAX_VMS || sc.horizon > MAX_HORIZON_MS {
                        continue;
                    }
                    ran += 1;
                    let spec = drsim::run::RunSpec::new(&sc).check(true).keep_series(false);
                    if let Err(drsim::run::RunError::InvariantViolated(v)) = drsim::run::run(spec) {
                        panic!("invariant violated: {v}\n{case}");
                    }
                }
            }
        }
    }
    // The pass exercised both sides.
    assert!(refused > 1000 && ran > 300, "refused {refused}, ran {ran}");
    eprintln!("{refused} mutated scenarios refused, {ran} run");
}
