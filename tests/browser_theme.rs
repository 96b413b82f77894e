//! The default theme as readers see it, in headless Chromium: the example site under
//! `staffroom serve`, at phone and desktop width, light and dark. A portrait photo is
//! capped to most of the screen's height, keeps its shape and sits centred above its
//! caption; lead images show as thumbnails beside titles; a one-minute post has no
//! "Read more"; the My network river shows each blog's name and letter avatar; nothing
//! scrolls sideways.
//!
//! Needs `chromium` and `chromium-driver` (scripts/install-browser.sh); without them the
//! test says so and passes on a developer's machine, but fails under CI=true.
//! Set STAFFROOM_SCREENSHOTS=DIR to keep a picture of each page.

mod common;
mod serve_support;

use std::path::Path;

use serde_json::Value;
use serve_support::browser::{self, Browser};
use serve_support::{Serve, Site};

const SIZES: [(&str, u32, u32); 2] = [("desktop", 1280, 900), ("phone", 390, 844)];

#[test]
fn the_theme_at_phone_and_desktop_width_light_and_dark() {
    if !browser::available() {
        return;
    }
    let site = Site {
        dir: tempfile::tempdir().unwrap(),
    };
    common::copy_dir(&common::repo().join("example-site"), site.path());
    // What will be published: the example's post dated in the future would head the lists.
    let serve = Serve::start_with(&site, &["--no-drafts"]);
    let browser = Browser::start_sized(1280, 900);
    for (size, width, height) in SIZES {
        browser.resize(width, height);
        for scheme in ["light", "dark"] {
            browser.color_scheme(scheme);
            let view = View {
                browser: &browser,
                base: &serve.url,
                name: format!("{size}, {scheme}"),
            };
            view.post_with_a_portrait_photo(size);
            view.home(size);
            view.network();
            view.tag_page();
        }
    }
}

struct View<'a> {
    browser: &'a Browser,
    base: &'a str,
    name: String,
}

impl View<'_> {
    /// Opens a page and waits for its images; checks the colour scheme is the one
    /// asked for and that the page does not scroll sideways.
    fn open(&self, path: &str) {
        let b = self.browser;
        b.go(&format!("{}{path}", self.base));
        b.wait_until("the images have loaded", |b| {
            b.run("return document.readyState === 'complete' && [...document.images].every(i => i.complete);")
                == Value::Bool(true)
        });
        let bg = b.run("return getComputedStyle(document.body).backgroundColor;");
        let dark = self.name.ends_with("dark");
        let want = if dark {
            "rgb(28, 26, 23)"
        } else {
            "rgb(253, 250, 245)"
        };
        assert_eq!(bg, want, "{}: {path}: the colour scheme", self.name);
        let sideways = b.run("return document.documentElement.scrollWidth - window.innerWidth;");
        assert!(
            sideways.as_f64().unwrap() <= 0.0,
            "{}: {path} scrolls sideways by {sideways}px",
            self.name
        );
        if let Ok(dir) = std::env::var("STAFFROOM_SCREENSHOTS") {
            let page = match path.trim_matches('/') {
                "" => "home".to_string(),
                p => p.replace('/', "-"),
            };
            let file = format!("{page}-{}.png", self.name.replace(", ", "-"));
            self.browser.screenshot(&Path::new(&dir).join(file));
        }
    }

    /// The values `script` returns (an object), as JSON.
    fn measure(&self, script: &str) -> Value {
        let v = self.browser.run(script);
        assert!(v.is_object(), "{}: {script}: {v}", self.name);
        v
    }

    fn post_with_a_portrait_photo(&self, size: &str) {
        self.open("posts/bean-diary/");
        let m = self.measure(
            "const f = document.querySelector('.e-content figure.figure');
             if (!f) return 'no figure';
             const img = f.querySelector('img'), cap = f.querySelector('figcaption');
             const r = img.getBoundingClientRect(), c = cap.getBoundingClientRect();
             const p = document.querySelector('.e-content').getBoundingClientRect();
             const lead = document.querySelector('.lead-image').getBoundingClientRect();
             return { w: r.width, h: r.height, nw: img.naturalWidth, nh: img.naturalHeight,
                      left: r.left, right: r.right, bottom: r.bottom, cap_top: c.top,
                      cap_left: c.left, cap_right: c.right, caption: cap.innerText,
                      prose_left: p.left, prose_right: p.right, vh: innerHeight,
                      lead_w: lead.width, lead_h: lead.height };",
        );
        let n = |k: &str| m[k].as_f64().unwrap_or_else(|| panic!("{k} in {m}"));
        let name = &self.name;
        assert_eq!(
            (n("nw"), n("nh")),
            (600.0, 900.0),
            "{name}: the photo loaded"
        );
        assert!(
            n("h") <= 0.7 * n("vh") + 1.0,
            "{name}: taller than 70% of the screen: {m}"
        );
        assert!(
            (n("w") / n("h") - 600.0 / 900.0).abs() < 0.01,
            "{name}: the photo is squashed: {m}"
        );
        assert!(
            n("right") <= n("prose_right") + 0.5,
            "{name}: wider than the text: {m}"
        );
        let centre = (n("left") + n("right")) / 2.0;
        let column = (n("prose_left") + n("prose_right")) / 2.0;
        assert!((centre - column).abs() < 1.0, "{name}: not centred: {m}");
        assert!(
            n("cap_top") >= n("bottom"),
            "{name}: the caption is not under the photo: {m}"
        );
        assert!(
            m["caption"].as_str().unwrap().starts_with("Day 12: Amara"),
            "{name}: {m}"
        );
        if size == "desktop" {
            // 900 px high: the cap, not the column's width, decides the size.
            assert!(n("h") > 0.69 * n("vh"), "{name}: {m}");
        }
        // The lead image heads the post across the column's width.
        let column_width = n("prose_right") - n("prose_left");
        assert!(
            (n("lead_w") - column_width).abs() < 1.0 && n("lead_h") > 50.0,
            "{name}: {m}"
        );
    }

    fn home(&self, size: &str) {
        self.open("");
        let m = self.measure(
            "const a = [...document.querySelectorAll('article.post-summary')];
             const beans = a.find(x => x.querySelector('h2').innerText.startsWith('Beans'));
             const notice = a.find(x => x.querySelector('h2').innerText.startsWith('Parents'));
             if (!beans || !notice) return 'posts missing';
             const t = beans.querySelector('.post-thumb'), h = beans.querySelector('h2 a');
             const r = t.getBoundingClientRect(), hr = h.getBoundingClientRect();
             const ar = beans.getBoundingClientRect();
             return { w: r.width, h: r.height, loaded: t.naturalWidth, left: r.left,
                      right: r.right, top: r.top, title_right: hr.right, title_top: hr.top,
                      title_bottom: hr.bottom, article_right: ar.right,
                      beans_more: !!beans.querySelector('.read-more'),
                      notice_more: !!notice.querySelector('.read-more'),
                      notice_text: notice.querySelector('.p-summary').innerText };",
        );
        let n = |k: &str| m[k].as_f64().unwrap_or_else(|| panic!("{k} in {m}"));
        let name = &self.name;
        assert!(n("loaded") > 0.0, "{name}: the thumbnail did not load: {m}");
        let side = if size == "desktop" { 144.0 } else { 88.0 };
        assert!(
            (n("w") - side).abs() < 1.0 && (n("h") - side).abs() < 1.0,
            "{name}: thumbnail size: {m}"
        );
        // Beside the title, at the right edge, not over it.
        assert!((n("right") - n("article_right")).abs() < 1.0, "{name}: {m}");
        assert!(
            n("title_right") <= n("left"),
            "{name}: the title runs under the thumbnail: {m}"
        );
        assert!(
            n("top") < n("title_bottom"),
            "{name}: the thumbnail is not beside the title: {m}"
        );
        assert_eq!(m["beans_more"], true, "{name}: {m}");
        assert_eq!(
            m["notice_more"], false,
            "{name}: a one-minute post needs no Read more: {m}"
        );
        assert!(
            m["notice_text"]
                .as_str()
                .unwrap()
                .contains("find another one"),
            "{name}: the short post is shown whole: {m}"
        );
    }

    fn network(&self) {
        self.open("network/");
        let m = self.measure(
            "const g = [...document.querySelectorAll('.river-group')];
             const avatars = g.map(x => x.querySelector('.blog-avatar'));
             if (!g.length || avatars.some(a => !a)) return 'no groups or avatars';
             const s = avatars.map(a => getComputedStyle(a));
             return { groups: g.length,
                      names: g.map(x => x.querySelector('.river-blog a').innerText),
                      letters: avatars.map(a => a.innerText),
                      hidden: avatars.every(a => a.getAttribute('aria-hidden') === 'true'),
                      sizes: avatars.map(a => [a.getBoundingClientRect().width, a.getBoundingClientRect().height]),
                      colours: s.map(x => x.color), backgrounds: s.map(x => x.backgroundColor),
                      round: s.every(x => x.borderRadius === '50%') };",
        );
        let name = &self.name;
        assert!(m["groups"].as_u64().unwrap() >= 5, "{name}: {m}");
        let names: Vec<&str> = (m["names"].as_array().unwrap().iter())
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"Coding in Class") && names.contains(&"Lab Notes from Room 203"),
            "{name}: {m}"
        );
        let letters = m["letters"].as_array().unwrap();
        for (blog, letter) in names.iter().zip(letters) {
            let first = letter.as_str().unwrap();
            assert!(
                first.chars().count() == 1 && blog.contains(first),
                "{name}: {blog} {first}"
            );
        }
        assert_eq!(m["hidden"], true, "{name}: {m}");
        assert_eq!(m["round"], true, "{name}: {m}");
        for (size, (colour, bg)) in (m["sizes"].as_array().unwrap().iter()).zip(
            m["colours"]
                .as_array()
                .unwrap()
                .iter()
                .zip(m["backgrounds"].as_array().unwrap()),
        ) {
            assert_eq!(size[0], size[1], "{name}: not a circle: {m}");
            assert!(size[0].as_f64().unwrap() >= 30.0, "{name}: {m}");
            // White letters on one of the theme's dark avatar colours, in both schemes.
            assert_eq!(colour, "rgb(255, 255, 255)", "{name}: {m}");
            assert!(bg.as_str().unwrap().starts_with("rgb("), "{name}: {m}");
        }
    }

    fn tag_page(&self) {
        self.open("tags/science/");
        let m = self.measure(
            "const t = [...document.querySelectorAll('.post-thumb')];
             return { count: t.length, loaded: t.every(i => i.naturalWidth > 0),
                      decorative: t.every(i => i.getAttribute('alt') === '') };",
        );
        let name = &self.name;
        assert_eq!(
            m["count"], 2,
            "{name}: the bean diary and the field trip: {m}"
        );
        assert_eq!(m["loaded"], true, "{name}: {m}");
        assert_eq!(m["decorative"], true, "{name}: {m}");
    }
}
