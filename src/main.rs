fn main() {
    std::process::exit(staffroom::cli::main());
}
