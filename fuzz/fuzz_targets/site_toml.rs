//! site.toml: any text gives a config or an error naming the file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = staffroom::config::Config::from_str(Path::new("."), Path::new("site.toml"), text) {
        assert!(e.to_string().starts_with("site.toml"));
    }
});
