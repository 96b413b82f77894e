// The default theme is embedded with include_dir, which does not tell cargo to
// rebuild when a theme file changes; this does.
fn main() {
    println!("cargo:rerun-if-changed=themes/default");
}
