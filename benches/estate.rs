//! `cargo bench`: the generated estate of `drsim::generated::bench` (1,000 VMs, 7 days,
//! 5-minute cycles).
//! Prints events processed, wall time and events/s; asserts nothing about time.

fn main() {
    // `cargo bench` passes `--bench`; accept and ignore harness arguments.
    match drsim::generated::bench::run(1000, 7) {
        Ok(report) => println!("{report}"),
        Err(e) => eprintln!("error: {e}"),
    }
}
