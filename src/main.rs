fn main() {
    std::process::exit(drsim::cli::main());
}
