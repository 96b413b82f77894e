//! network.toml: any text gives a blogroll or an error naming the file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use staffroom::network::blogroll::Blogroll;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = Blogroll::parse(Path::new("network.toml"), text) {
        assert!(e.to_string().starts_with("network.toml"), "{e}");
    }
});
