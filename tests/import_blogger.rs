//! `staffroom import` of a Blogger export (tests/fixtures/import/blogger/, made by hand
//! after Blogger's format, CC0), its images served by a real HTTP server on 127.0.0.1
//! standing in for blogger.googleusercontent.com and 1.bp.blogspot.com.

mod common;

use std::path::{Path, PathBuf};

use common::{Reply, Server, fixture, fixtures, snapshot};

const EXPORT: &str = "import/blogger/blog-12-01-2026.xml";

fn images() -> Server {
    let jpg =
        fixture("import/hugo-papermod/content/posts/papermod/papermod-features/images/regular.jpg");
    Server::start(move |_, _| Reply::Ok {
        body: jpg.clone(),
        content_type: "image/jpeg",
        headers: vec![],
    })
}

fn new_site() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    assert_cmd::Command::cargo_bin("staffroom")
        .unwrap()
        .arg("init")
        .arg(&root)
        .assert()
        .success();
    let export = dir.path().join("blog-12-01-2026.xml");
    std::fs::copy(fixtures().join(EXPORT), &export).unwrap();
    (dir, root, export)
}

fn import(root: &Path, export: &Path, server: &Server) -> String {
    let args = [
        "import",
        export.to_str().unwrap(),
        "--download-from",
        &server.base,
    ];
    let out = common::staffroom(root, &args).success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    text.replace(export.parent().unwrap().to_str().unwrap(), "[TMP]")
}

fn text(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn a_blogger_export_comes_across_with_threaded_comments_and_its_images() {
    let server = images();
    let (dir, root, export) = new_site();
    let report = import(&root, &export, &server);
    insta::assert_snapshot!("blogger_first_import", report);
    assert!(report.contains("3 posts, 1 page, 4 comments"), "{report}");
    assert!(
        report.contains("Wrote 2 posts, 1 draft, 1 page, 4 responses, 2 files."),
        "{report}"
    );

    let garden = text(&root, "content/posts/our-class-garden/index.md");
    assert!(garden.starts_with("---\ntitle: Our class garden\ndate: 2026-04-18T09:15:00+02:00\ntags:\n- Science\n- Garden\naliases:\n- /2026/04/our-class-garden.html\n---\n"), "{garden}");
    // The small image and the link to its full size are one file in the bundle.
    assert!(
        garden.contains("[![Three raised garden beds](garden-beds.jpg)](garden-beds.jpg)"),
        "{garden}"
    );
    let bytes = std::fs::read(root.join("content/posts/our-class-garden/garden-beds.jpg")).unwrap();
    assert_eq!(&bytes[..2], b"\xff\xd8");
    let asked: Vec<String> = server
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.path.clone())
        .collect();
    assert!(
        asked.contains(&"/img/b/R29vZ2xl/AVvXsEhGarden/s1600/garden%20beds.jpg".to_string()),
        "{asked:?}"
    );

    // A link to another post of the old blog goes through its alias.
    let pizza = text(&root, "content/posts/fractions-with-paper-pizzas/index.md");
    assert!(
        pizza.contains("[our garden post](/2026/04/our-class-garden.html)"),
        "{pizza}"
    );

    let draft = text(&root, "content/posts/ideas-for-the-winter-term.md");
    assert!(draft.contains("\ndraft: true\n"), "{draft}");
    let about = text(&root, "content/pages/about-room-12.md");
    assert!(
        about.contains("aliases:\n- /p/about-room-12.html\n"),
        "{about}"
    );

    let reply = text(
        &root,
        "data/responses/imported/our-class-garden/blogger-5000000000000000002.toml",
    );
    assert_eq!(
        reply,
        "target = \"/posts/our-class-garden/\"\nid = \"blogger-5000000000000000002\"\n\
         in_reply_to = \"blogger-5000000000000000001\"\nkind = \"comment\"\nauthor = \"Ms Example\"\n\
         author_url = \"https://www.blogger.com/profile/00000000000000000001\"\n\
         date = 2026-04-18T16:40:00Z\nhtml = \"Runner beans, from the garden centre. They grow fast!\"\n"
    );
    let on_page = text(
        &root,
        "data/responses/imported/about-room-12/blogger-5000000000000000004.toml",
    );
    assert!(
        on_page.starts_with("target = \"/about-room-12/\"\n"),
        "{on_page}"
    );

    // A second run changes nothing and fetches nothing.
    let before = snapshot(&root);
    let fetched = server.seen.lock().unwrap().len();
    let again = import(&root, &export, &server);
    assert!(
        again.contains("Wrote 0 posts, 0 drafts, 0 pages, 0 responses, 0 files."),
        "{again}"
    );
    assert_eq!(snapshot(&root), before);
    assert_eq!(server.seen.lock().unwrap().len(), fetched);

    // The site builds, and the old addresses answer with a redirect page.
    std::fs::rename(root.join("data/responses"), dir.path().join("responses")).unwrap();
    common::staffroom(&root, &["build"]).success();
    let old = text(&root, "public/2026/04/our-class-garden.html");
    assert!(
        old.contains("url=https://your-name.github.io/blog/posts/our-class-garden/\""),
        "{old}"
    );
    let page = text(&root, "public/p/about-room-12.html");
    assert!(
        page.contains("url=https://your-name.github.io/blog/about-room-12/\""),
        "{page}"
    );
    assert!(!root.join("public/posts/ideas-for-the-winter-term").exists());
}
