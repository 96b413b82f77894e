#![forbid(unsafe_code)]

fn main() {
    std::process::exit(staffroom::cli::main());
}
