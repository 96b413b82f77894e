//! Feed bytes → cache entries → sanitized HTML: whatever a feed contains, parsing
//! ends in entries or an error, and nothing unsafe survives into an entry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use staffroom::network::parse;

static HOOK: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    // libFuzzer's hook aborts on every panic, even one staffroom contains on purpose
    // (a bug inside the feed parser costs one feed): count only uncontained ones.
    HOOK.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !staffroom::error::panic_is_contained() {
                fuzzer_hook(info);
            }
        }));
    });
    let now = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap();
    let Ok(feed) = parse::parse(data, "https://blog.example.org/feed.xml", "", now) else { return };
    for e in &feed.entries {
        let html = e.content.to_ascii_lowercase();
        assert!(!html.contains("<script"), "script survived: {}", e.content);
        assert!(!html.contains("<iframe") && !html.contains("<style"), "{}", e.content);
        // In an attribute, not in prose: a post may well talk about "JavaScript: ...".
        for scheme in ["javascript:", "data:", "vbscript:"] {
            // The sanitizer always quotes attribute values. Only the start of a value
            // counts: `?q='vbscript:x` inside an http URL's query is harmless text.
            for quote in ['"', '\''] {
                let attr = format!("={quote}{scheme}");
                assert!(!html.contains(&attr), "{scheme} URL survived: {}", e.content);
            }
        }
        for link in &e.links {
            assert!(link.starts_with("http://") || link.starts_with("https://"), "{link}");
        }
        assert!(e.url.is_empty() || e.url.starts_with("http"), "{}", e.url);
        let json = serde_json::to_string(e).unwrap();
        let _: staffroom::network::cache::Entry = serde_json::from_str(&json).unwrap();
    }
});
