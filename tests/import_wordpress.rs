//! `staffroom import` of the WordPress theme unit test export (a real WXR file, GPL),
//! with the old site's images served by a real HTTP server on 127.0.0.1.

mod common;

use std::path::{Path, PathBuf};

use common::{Reply, Server, fixture, fixtures, snapshot};

const WXR: &str = "import/wordpress/themeunittestdata.wordpress.xml";
/// One image of the export that the old site no longer has.
const GONE: &str = "/2013/09/dsc20040724_152504_532.jpg";

/// The old site: every image it had, in real image bytes, except [`GONE`].
fn old_site() -> Server {
    let jpg =
        fixture("import/hugo-papermod/content/posts/papermod/papermod-features/images/regular.jpg");
    let png = fixture("import/hugo-papermod/content/posts/inner-section/cover-page/image.png");
    Server::start(move |path, _| {
        let path = path.split('?').next().unwrap_or("");
        if path == GONE {
            return Reply::Status(404, vec![]);
        }
        let (body, content_type) = match path.rsplit('.').next().unwrap_or("") {
            "png" => (png.clone(), "image/png"),
            "jpg" | "jpeg" => (jpg.clone(), "image/jpeg"),
            _ => (
                b"not an image, but the old site had it".to_vec(),
                "application/octet-stream",
            ),
        };
        Reply::Ok {
            body,
            content_type,
            headers: vec![],
        }
    })
}

/// A new site made by `staffroom init`, and a copy of the export beside it.
fn new_site() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    assert_cmd::Command::cargo_bin("staffroom")
        .unwrap()
        .arg("init")
        .arg(&root)
        .assert()
        .success();
    let export = dir.path().join("blog.wordpress.2015-01-27.xml");
    std::fs::copy(fixtures().join(WXR), &export).unwrap();
    (dir, root, export)
}

fn import(root: &Path, export: &Path, server: &Server, extra: &[&str]) -> String {
    let mut args = vec![
        "import",
        export.to_str().unwrap(),
        "--download-from",
        &server.base,
    ];
    args.extend_from_slice(extra);
    let out = common::staffroom(root, &args).success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    text.replace(export.parent().unwrap().to_str().unwrap(), "[TMP]")
}

fn text(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn requests(server: &Server) -> usize {
    server.seen.lock().unwrap().len()
}

#[test]
fn the_theme_unit_test_export_comes_across_and_a_second_run_changes_nothing() {
    let server = old_site();
    let (_dir, root, export) = new_site();
    let report = import(&root, &export, &server, &[]);
    insta::assert_snapshot!("wordpress_first_import", report);

    // Counted from the XML: 58 posts (55 published, 1 scheduled, 1 draft, 1 password-
    // protected), 21 pages (the About page takes the place of init's untouched example), 33 comments of
    // which 30 approved, 37 attachments, 70 menu items.
    assert!(
        report.contains("58 posts, 21 pages, 33 comments, 37 attachments"),
        "{report}"
    );
    assert!(
        report.contains("left out: 70 menu items, 3 unapproved comments"),
        "{report}"
    );
    assert!(
        report.contains("Wrote 56 posts, 2 drafts, 21 pages, 30 responses,"),
        "{report}"
    );

    // The password-protected post must not be published by moving house.
    let locked = text(&root, "content/posts/template-password-protected.md");
    assert!(locked.contains("\ndraft: true\n"), "{locked}");
    assert!(text(&root, "content/posts/draft.md").contains("\ndraft: true\n"));
    let published = text(&root, "content/posts/template-comments.md");
    assert!(!published.contains("draft"), "{published}");

    // Every old address is an alias: the permalink and ?p=ID.
    let markup = text(&root, "content/posts/markup-html-tags-and-formatting.md");
    assert!(
        markup.contains("aliases:\n- /2013/01/11/markup-html-tags-and-formatting/\n- /?p=1178\n"),
        "{markup}"
    );
    assert!(
        markup.contains("categories:\n- Classic\n- Markup\n"),
        "{markup}"
    );

    // Comments are responses, a reply knows its parent; spam and unapproved are out.
    let reply = text(
        &root,
        "data/responses/imported/template-comments/wp-906.toml",
    );
    assert!(reply.starts_with("target = \"/posts/template-comments/\"\nid = \"wp-906\"\nin_reply_to = \"wp-905\"\nkind = \"comment\"\n"), "{reply}");
    assert!(reply.contains("\ndate = 2013-03-14T15:02:06Z\n"), "{reply}");
    let ping = text(
        &root,
        "data/responses/imported/template-pingbacks-an-trackbacks/wp-923.toml",
    );
    assert!(ping.contains("kind = \"pingback\""), "{ping}");
    // Comments on pages too.
    assert!(
        root.join("data/responses/imported/page-with-comments")
            .is_dir()
    );
    assert!(
        !root
            .join("data/responses/imported/page-with-comments/wp-1017.toml")
            .exists()
    );

    // [gallery] and [caption] become images in the bundle, block comments are gone.
    let gallery = text(&root, "content/posts/post-format-gallery/index.md");
    assert!(!gallery.contains("[gallery"), "{gallery}");
    assert!(
        gallery.contains("![")
            && root
                .join("content/posts/post-format-gallery/dsc20050813-115856-52.jpg")
                .is_file(),
        "{gallery}"
    );
    let captions = text(&root, "content/posts/wp-6-1-font-size-scale.md");
    assert!(!captions.contains("<!-- wp:"), "{captions}");
    let caption = text(&root, "content/posts/markup-image-alignment/index.md");
    assert!(caption.contains("![Image Alignment 150x150](image-alignment-150x150.jpg \"Bigger caption than the image usually is.\")"), "{caption}");

    // The image the old site no longer has is named; the rest came.
    assert!(report.contains(GONE), "{report}");
    let bytes = std::fs::read(
        root.join("content/posts/markup-image-alignment/image-alignment-150x150.jpg"),
    )
    .unwrap();
    assert_eq!(&bytes[..2], b"\xff\xd8");

    // A second run: nothing fetched, nothing written, every byte the same.
    let before = snapshot(&root);
    let asked = requests(&server);
    let again = import(&root, &export, &server, &[]);
    assert!(
        again.contains("Wrote 0 posts, 0 drafts, 0 pages, 0 responses, 0 files."),
        "{again}"
    );
    assert!(again.contains("Already imported, unchanged:"), "{again}");
    assert_eq!(snapshot(&root), before);
    // Only the missing image is asked for again.
    assert_eq!(requests(&server), asked + 1);
}

#[test]
fn the_imported_site_builds_and_old_addresses_redirect() {
    let server = old_site();
    let (_dir, root, export) = new_site();
    import(&root, &export, &server, &[]);
    common::staffroom(&root, &["build"]).success();
    // The comments are under their post, a reply nested under the comment it answers.
    let comments = text(&root, "public/posts/template-comments/index.html");
    assert!(
        comments.contains("response-list response-replies"),
        "{comments}"
    );
    assert!(
        comments.contains("class=\"response-in-reply-to\""),
        "{comments}"
    );
    let old = text(
        &root,
        "public/2013/01/11/markup-html-tags-and-formatting/index.html",
    );
    assert!(
        old.contains(
            "url=https://your-name.github.io/blog/posts/markup-html-tags-and-formatting/\""
        ),
        "{old}"
    );
    let page = text(&root, "public/about/page-image-alignment/index.html");
    assert!(page.contains("/page-image-alignment/\""), "{page}");
    // `/?p=1178` is answered by the home page (a static host ignores the query), so
    // the home page carries the map, and no folder named `?p=1178` is written.
    let home = text(&root, "public/index.html");
    assert!(
        home.contains(
            "\"p=1178\":\"https://your-name.github.io/blog/posts/markup-html-tags-and-formatting/\""
        ),
        "{home}"
    );
    assert!(
        home.contains(
            "\"page_id=1133\":\"https://your-name.github.io/blog/page-image-alignment/\""
        )
    );
    assert!(!root.join("public/?p=1178").exists());
    // The password-protected post is not on the site.
    assert!(
        !root
            .join("public/posts/template-password-protected")
            .exists()
    );
    assert!(
        root.join("public/posts/markup-image-alignment/image-alignment-150x150.jpg")
            .is_file()
    );
}

#[test]
fn a_dry_run_writes_nothing_and_fetches_nothing() {
    let server = old_site();
    let (_dir, root, export) = new_site();
    let before = snapshot(&root);
    let report = import(&root, &export, &server, &["--dry-run"]);
    assert!(
        report.contains("Would write 56 posts, 2 drafts, 21 pages, 30 responses,"),
        "{report}"
    );
    assert!(
        report.ends_with("Nothing was written (--dry-run).\n"),
        "{report}"
    );
    assert_eq!(snapshot(&root), before);
    assert_eq!(requests(&server), 0);
}

#[test]
fn an_export_cut_short_is_a_plain_error() {
    let (dir, root, _) = new_site();
    let wxr = std::fs::read_to_string(fixtures().join(WXR)).unwrap();
    let cut = dir.path().join("cut.xml");
    std::fs::write(&cut, &wxr[..wxr.len() / 2]).unwrap();
    let out = common::staffroom(&root, &["import", cut.to_str().unwrap()]).code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains("cut.xml:") && err.contains("export it again"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !root.join("content/posts/hello-world.md").exists()
            || text(&root, "content/posts/hello-world.md").contains("title")
    );
}

#[test]
fn a_lead_image_that_cannot_be_downloaded_is_left_out_and_the_site_builds() {
    // The old site has lost every picture.
    let server = Server::start(|_, _| Reply::Status(404, vec![]));
    let (_dir, root, export) = new_site();
    let report = import(&root, &export, &server, &[]);
    assert!(
        report.contains(
            "item 1011 “Template: Featured Image (Horizontal)”: its lead image featured-image-horizontal.jpg could not be downloaded, so the post has none"
        ),
        "{report}"
    );
    let post = text(
        &root,
        "content/posts/template-featured-image-horizontal/index.md",
    );
    assert!(!post.contains("\nimage:"), "{post}");
    common::staffroom(&root, &["build"]).success();
}
