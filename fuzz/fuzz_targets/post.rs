//! Front matter + Markdown of one post: any bytes must give a post or an error,
//! never a panic, and rendered links must stay links the site can serve.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use staffroom::content::cache::FastMap;
use staffroom::content::{front_matter, highlight::Highlighter, markdown};

static HL: LazyLock<Highlighter> = LazyLock::new(Highlighter::new);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("content/posts/fuzz.md");
    let Ok(split) = front_matter::split(path, text) else { return };
    let mut pages = FastMap::default();
    pages.insert(PathBuf::from("posts/other.md"), "/blog/posts/other/".to_string());
    let links = markdown::LinkContext {
        base_path: "/blog/",
        page_url: "/blog/posts/fuzz/",
        source: Path::new("posts/fuzz.md"),
        pages: &pages,
    };
    if let Ok(r) = markdown::render(split.body, &links, &HL) {
        assert!(r.summary.len() <= r.html.len() + 64);
    }
    let _ = staffroom::site::urls::slugify(&split.front.title);
});
