//! OPML import: any bytes give blogs or an error naming the file, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use staffroom::network::{blogroll::Blogroll, opml};

fuzz_target!(|data: &[u8]| {
    let existing = Blogroll::parse(Path::new("network.toml"), "").unwrap();
    match opml::import(Path::new("feeds.opml"), data, &existing) {
        Ok(import) => {
            for blog in &import.new {
                assert!(blog.feed.starts_with("http"), "{}", blog.feed);
            }
        }
        Err(e) => assert!(e.to_string().starts_with("feeds.opml"), "{e}"),
    }
});
