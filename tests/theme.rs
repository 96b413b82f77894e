//! The default theme's polish, end to end through the real binary: captions under
//! images, lead images (thumbnails in lists, the head of the post, Open Graph),
//! "Read more" only where there is more to read, and a My network river that says
//! whose blog each post is from and groups a blog's burst of posts.

mod common;

use common::TestSite;
use common::net::{Reply, Server, site, staffroom};

/// The smallest valid PNG: the theme only needs the file to exist.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

fn write_bytes(site: &TestSite, rel: &str, bytes: &[u8]) {
    let p = site.root().join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Words enough for a post longer than a minute's reading.
fn long_text() -> String {
    "Plenty to say about beans and jars and light. ".repeat(30)
}

#[test]
fn captions_lead_images_and_read_more() {
    let site = TestSite::new();
    site.file(
        "content/posts/beans/index.md",
        &format!(
            "---\ntitle: Beans\ndate: 2024-05-02\ntags: [plants]\nimage: row.png\nimage_alt: Five jars\n---\n\
             First paragraph.\n\n![A bean in a jar](jar.png \"Day 12: the tallest bean\")\n\n\
             ![An inline one](jar.png) in a sentence.\n\n{}\n",
            long_text()
        ),
    );
    write_bytes(&site, "content/posts/beans/row.png", PNG);
    write_bytes(&site, "content/posts/beans/jar.png", PNG);
    write_bytes(&site, "static/images/door.png", PNG);
    // Its lead image is also in its text: not shown twice.
    site.post(
        "door.md",
        "title: Door\ndate: 2024-05-01\ntags: [plants]\nimage: /images/door.png",
        &format!("![Our door](/images/door.png)\n\n{}", long_text()),
    );
    site.post(
        "notice.md",
        "title: Notice\ndate: 2024-04-30\ntags: [plants]",
        "Parents' evening is on Thursday.\n\nSign up at the office.",
    );
    site.file(
        "content/pages/about.md",
        "---\ntitle: About\nimage: /images/door.png\n---\nHello.\n",
    );
    site.run(&["build"]).ok();
    let about = site.read("about/index.html");
    assert!(about.contains("<meta property=\"og:image\" content=\"https://teacher.github.io/blog/images/door.png\">"), "{about}");

    let post = site.read("posts/beans/index.html");
    assert!(
        post.contains("<figure class=\"figure\"><img src=\"/blog/posts/beans/jar.png\" alt=\"A bean in a jar\" loading=\"lazy\"><figcaption>Day 12: the tallest bean</figcaption></figure>"),
        "{post}"
    );
    assert!(
        post.contains(
            "<p><img src=\"/blog/posts/beans/jar.png\" alt=\"An inline one\" /> in a sentence.</p>"
        ),
        "{post}"
    );
    assert!(
        post.contains(
            "<img class=\"lead-image u-photo\" src=\"/blog/posts/beans/row.png\" alt=\"Five jars\">"
        ),
        "{post}"
    );
    assert!(post.contains("<meta property=\"og:image\" content=\"https://teacher.github.io/blog/posts/beans/row.png\">"), "{post}");
    assert!(
        post.contains("<meta property=\"og:image:alt\" content=\"Five jars\">"),
        "{post}"
    );
    let door = site.read("posts/door/index.html");
    assert!(
        !door.contains("lead-image"),
        "shown once, in the text: {door}"
    );
    assert!(
        door.contains("content=\"https://teacher.github.io/blog/images/door.png\""),
        "{door}"
    );
    let notice = site.read("posts/notice/index.html");
    assert!(!notice.contains("og:image"), "{notice}");

    // posts_per_page is 2: the tag page has all three.
    let list = site.read("tags/plants/index.html");
    let thumb = |src: &str| {
        format!(
            "<img class=\"post-thumb u-photo\" src=\"{src}\" alt=\"\" loading=\"lazy\" decoding=\"async\">"
        )
    };
    assert!(list.contains(&thumb("/blog/posts/beans/row.png")), "{list}");
    assert!(list.contains(&thumb("/blog/images/door.png")), "{list}");
    assert_eq!(list.matches("post-thumb").count(), 2, "{list}");
    assert!(
        site.read("index.html")
            .contains(&thumb("/blog/posts/beans/row.png"))
    );
    // "Read more" for the two long posts; the short notice is shown whole.
    assert_eq!(list.matches("class=\"read-more\"").count(), 2, "{list}");
    assert!(
        !list.contains("Read more<span class=\"visually-hidden\"> of “Notice”"),
        "{list}"
    );
    assert!(list.contains("<p>Sign up at the office.</p>"), "{list}");
}

#[test]
fn a_missing_or_faraway_lead_image_is_an_error_with_its_line() {
    let cases = [
        (
            "a lead image that does not exist",
            "content/posts/a/index.md",
            "image: nope.png",
        ),
        (
            "a lead image beside a post that is not a bundle",
            "content/posts/a.md",
            "image: photo.png",
        ),
        (
            "a lead image missing from static",
            "content/posts/a.md",
            "image: /images/nope.png",
        ),
        (
            "a lead image on another site",
            "content/posts/a.md",
            "image: https://pics.example.org/a.png",
        ),
    ];
    for (name, file, line) in cases {
        let site = TestSite::new();
        site.file(
            file,
            &format!("---\ntitle: A\ndate: 2024-01-01\n{line}\n---\nText.\n"),
        );
        if file.ends_with("index.md") {
            write_bytes(&site, "content/posts/a/other.png", PNG);
        }
        let run = site.run(&["build"]);
        let err = run.user_error();
        assert!(
            err.contains(&format!("{file}:4: the lead image")),
            "{name}: {err}"
        );
        // Written as messages write paths (with `/` on Windows too).
        let shown = err.replace(&staffroom::error::shown(site.root()), "[SITE]");
        insta::with_settings!({ description => name, omit_expression => true }, {
            insta::assert_snapshot!(name.replace(' ', "_"), shown);
        });
    }
}

/// An RSS feed of `posts` (title, RFC 2822 date) on `host`.
fn feed(host: &str, posts: &[(&str, &str)]) -> Vec<u8> {
    let items: String = posts
        .iter()
        .map(|(title, date)| {
            let slug = title.to_lowercase().replace(' ', "-");
            format!("<item><title>{title}</title><link>https://{host}/{slug}/</link><guid>https://{host}/{slug}/</guid><pubDate>{date}</pubDate><description>About {title}.</description></item>")
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{host}</title><link>https://{host}/</link>{items}</channel></rss>").into_bytes()
}

#[test]
fn the_river_names_each_blog_and_groups_its_bursts() {
    let ada = feed(
        "ada.example.org",
        &[
            ("Roots", "Fri, 03 May 2024 20:00:00 +0000"),
            ("Shoots", "Fri, 03 May 2024 09:00:00 +0000"),
            ("Leaves", "Thu, 02 May 2024 12:00:00 +0000"),
            ("Seeds", "Mon, 15 Apr 2024 12:00:00 +0000"),
        ],
    );
    let bo = feed(
        "bo.example.org",
        &[("Fractions", "Sat, 20 Apr 2024 12:00:00 +0000")],
    );
    let server = Server::start(move |path, _| match path {
        "/ada.xml" => Reply::feed(ada.clone()),
        "/bo.xml" => Reply::feed(bo.clone()),
        _ => Reply::Status(404, vec![]),
    });
    let dir = site(&format!(
        "[[blog]]\nname = \"The Ada Lab\"\nsite = \"https://ada.example.org/\"\nfeed = \"{}\"\n\n\
         [[blog]]\nname = \"Bo's Class\"\nfeed = \"{}\"\n",
        server.url("/ada.xml"),
        server.url("/bo.xml")
    ));
    let root = dir.path();
    let toml = std::fs::read_to_string(root.join("site.toml")).unwrap();
    std::fs::write(
        root.join("site.toml"),
        format!("{toml}river_per_blog = 10\n"),
    )
    .unwrap();
    staffroom(root, &["network", "fetch"]).success();
    staffroom(root, &["build"]).success();
    let page = common::net::read(root, "public/network/index.html");

    // Newest first: Ada's burst of three, Bo, then Ada's older post on its own.
    let headings: Vec<String> = regex::Regex::new(r#"(?s)<h3 class="river-blog">(.*?)</h3>"#)
        .unwrap()
        .captures_iter(&page)
        .map(|c| {
            let text = regex::Regex::new(r"<[^>]*>")
                .unwrap()
                .replace_all(&c[1], " ");
            text.replace("&#39;", "'")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        headings,
        ["A The Ada Lab 3 posts", "B Bo's Class", "A The Ada Lab"],
        "{page}"
    );
    let group = page.split("<li class=\"river-group\">").nth(1).unwrap();
    for title in ["Roots", "Shoots", "Leaves"] {
        assert!(
            group.contains(&format!(">{title}</a></h4>")),
            "{title}: {group}"
        );
    }
    assert!(!group.contains("Seeds"), "{group}");
    // The blog's name links to its site; the letter avatar is hidden from screen readers.
    assert!(
        page.contains("<a href=\"https://ada.example.org/\" rel=\"noopener\">The Ada Lab</a>"),
        "{page}"
    );
    assert!(page.contains("aria-hidden=\"true\">A</span>"), "{page}");
    // Without a `site` in network.toml, the site the feed names.
    assert!(
        page.contains("<a href=\"https://bo.example.org/\" rel=\"noopener\">Bo&#39;s Class</a>"),
        "{page}"
    );
}
