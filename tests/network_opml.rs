//! `network import` and `network export` with the OPML files in tests/fixtures/opml.

mod common;

use common::*;

fn blogs(root: &std::path::Path) -> usize {
    read(root, "network.toml")
        .lines()
        .filter(|l| *l == "[[blog]]")
        .count()
}

#[test]
fn imports_the_shared_opml_files_with_the_counts_in_sources_md() {
    // (file, outlines with xmlUrl per SOURCES.md, added, already followed, unusable, tags)
    let cases = [
        // Two of its 207 feeds are listed twice in other spellings (a trailing slash;
        // http vs https://www.), which are the same feed: a blogroll follows each once.
        ("Subs.opml", 207, 205, 2, 0, 4),
        // 664 feed outlines, of which one feed is listed twice.
        ("development.opml", 664, 663, 1, 0, 0),
        ("subscriptionList.opml", 13, 13, 0, 0, 0),
        // Its xmlUrl values are placeholder text ("Outline XML URL"), not addresses:
        // reported as unusable, and network.toml is not created.
        ("valid_opml_with_everything.opml", 2, 0, 0, 2, 0),
    ];
    for (file, outlines, added, already, unusable, folders) in cases {
        assert_eq!(outlines, added + already + unusable, "{file}");
        let site = site("");
        let path = fixtures().join("opml").join(file);
        let out = staffroom(site.path(), &["network", "import", path.to_str().unwrap()]).success();
        let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        let expected = format!(
            "Imported {added} blogs from {} ({already} already followed, {unusable} without a usable feed address)",
            // As messages write paths (with `/` on Windows too).
            staffroom::error::shown(&path)
        );
        assert!(stdout.contains(&expected), "{file}: {stdout}");
        if added == 0 {
            assert!(!site.path().join("network.toml").exists());
            continue;
        }
        assert_eq!(blogs(site.path()), added, "{file}");
        let toml = read(site.path(), "network.toml");
        let tags: std::collections::BTreeSet<&str> = toml
            .lines()
            .filter_map(|l| l.strip_prefix("tags = [\""))
            .map(|l| l.split('"').next().unwrap())
            .collect();
        assert_eq!(tags.len(), folders, "{file}: {tags:?}");

        // A second import adds nothing.
        staffroom(site.path(), &["network", "import", path.to_str().unwrap()])
            .success()
            .stdout(predicates::str::contains("Imported 0 blogs"));
        assert_eq!(read(site.path(), "network.toml"), toml);

        // Export and import into a fresh site: the same feeds come back.
        let exported = site.path().join("out.opml");
        staffroom(
            site.path(),
            &["network", "export", exported.to_str().unwrap()],
        )
        .success();
        let other = common::site("");
        staffroom(
            other.path(),
            &["network", "import", exported.to_str().unwrap()],
        )
        .success()
        .stdout(predicates::str::contains(format!("Imported {added} blogs")));
        assert_eq!(blogs(other.path()), added, "{file} after export");
    }
}

#[test]
fn subs_opml_folders_become_tags() {
    let site = site("");
    let path = fixtures().join("opml/Subs.opml");
    staffroom(site.path(), &["network", "import", path.to_str().unwrap()]).success();
    let toml = read(site.path(), "network.toml");
    staffroom(site.path(), &["network", "status"])
        .success()
        .stdout(predicates::str::contains("205 blogs: 205 not fetched yet"));
    assert!(toml.contains("tags = [\""), "{toml}");
}

#[test]
fn bad_opml_is_an_error_and_leaves_network_toml_untouched() {
    let original = "# mine, with a comment\n[[blog]]\nname = \"Ms A\"\nfeed = \"https://a.example.org/feed\"\n";
    for file in ["invalid_xml.opml", "malformed.opml"] {
        let site = site(original);
        let path = fixtures().join("opml").join(file);
        staffroom(site.path(), &["network", "import", path.to_str().unwrap()])
            .code(1)
            .stderr(predicates::str::contains(format!(
                "{file}: is not an OPML file"
            )))
            .stderr(predicates::str::contains("hint:"));
        assert_eq!(read(site.path(), "network.toml"), original);
    }
}

#[test]
fn an_opml_file_nested_without_end_is_an_error_not_a_crash() {
    let original = "[[blog]]\nname = \"Ms A\"\nfeed = \"https://a.example.org/feed\"\n";
    let site = site(original);
    let deep = format!(
        "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n{}{}</body></opml>\n",
        "<outline text=\"a\">".repeat(100_000),
        "</outline>".repeat(100_000)
    );
    let path = site.path().join("deep.opml");
    std::fs::write(&path, deep).unwrap();
    let out = staffroom(site.path(), &["network", "import", path.to_str().unwrap()])
        .code(1)
        .get_output()
        .clone();
    // As messages write paths (with `/` on Windows too).
    let stderr =
        String::from_utf8_lossy(&out.stderr).replace(&staffroom::error::shown(&path), "[FILE]");
    assert_eq!(
        stderr,
        "error: [FILE]:3: folders are nested more than 64 deep, which no feed reader writes\n  \
         hint: export your subscriptions again from your feed reader (it is usually called \
         \"Export OPML\"); network.toml was not changed\n"
    );
    assert_eq!(read(site.path(), "network.toml"), original);
}

#[test]
fn export_to_stdout_keeps_tags_and_notes() {
    let site = site(
        "[[blog]]\nname = \"Ms A\"\nsite = \"https://a.example.org/\"\nfeed = \"https://a.example.org/feed\"\ntags = [\"Maths\", \"K-5\"]\nnote = \"Number talks\"\n",
    );
    let out = staffroom(site.path(), &["network", "export"]).success();
    let xml = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(xml.starts_with("<?xml"), "{xml}");
    for s in [
        "version=\"2.0\"",
        "text=\"Maths\"",
        "xmlUrl=\"https://a.example.org/feed\"",
        "htmlUrl=\"https://a.example.org/\"",
        "/Maths,/K-5",
        "Number talks",
        "Room 9: blogroll",
    ] {
        assert!(xml.contains(s), "{s} missing in {xml}");
    }
}
