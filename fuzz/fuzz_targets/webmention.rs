//! Webmention endpoint discovery from headers + HTML: the input is `Link` header
//! lines, a blank line, then the page's HTML. Discovery never panics, and what it
//! finds is an absolute URL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use staffroom::webmention::discover;

fuzz_target!(|data: &[u8]| {
    let page = url::Url::parse("https://target.example.org/posts/a/").unwrap();
    let split = data.windows(2).position(|w| w == b"\n\n").unwrap_or(data.len());
    let headers: Vec<String> = String::from_utf8_lossy(&data[..split]).lines().map(str::to_string).collect();
    let body = data.get(split + 2..).unwrap_or(&[]);
    if let Some(endpoint) = discover::endpoint(&page, &headers, "text/html", body) {
        assert!(endpoint.has_host() || endpoint.scheme() != "http", "{endpoint}");
    }
});
