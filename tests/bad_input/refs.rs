//! Names that become addresses: slugs, tags, aliases, links, and two things wanting
//! the same address.

use crate::common::TestSite;
use crate::write::{fm, raw};

/// A slug's page landed inside public/posts/, and nothing named `escaped` anywhere else.
fn slug_stayed_in_posts(s: &TestSite) {
    assert!(
        !s.root().join("escaped").exists(),
        "the slug escaped public/"
    );
    assert!(
        !s.dir.path().join("escaped").exists(),
        "the slug escaped the site"
    );
    assert!(
        !s.public().join("escaped").exists(),
        "the slug escaped public/posts/"
    );
}

fn page(s: &TestSite, name: &str, front: &str) {
    s.file(
        &format!("content/pages/{name}"),
        &format!("---\n{front}\n---\nPage.\n"),
    );
}

cases! {
    a_slug_that_climbs_out_of_public {
        intent: "a slug that climbs out of public/",
        code: 0,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\nslug: ../../../escaped"),
        check: |s, _| {
            slug_stayed_in_posts(s);
            assert!(s.exists("posts/escaped/index.html"));
        },
    }
    an_absolute_slug {
        intent: "an absolute slug",
        code: 0,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\nslug: /etc/passwd"),
        check: |s, _| {
            slug_stayed_in_posts(s);
            assert!(!s.exists("etc"), "the slug left public/posts/");
        },
    }
    a_slug_with_nothing_usable_in_it {
        intent: "a slug with nothing usable in it",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\nslug: \"../\""),
    }
    a_tag_that_tries_to_climb_out {
        intent: "a tag that tries to climb out",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\ntags: [\"../..\"]"),
    }
    an_empty_tag {
        intent: "an empty tag",
        code: 0,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\ntags: [\"\", ok]"),
        check: |s, _| assert!(s.exists("tags/ok/index.html")),
    }
    an_alias_that_climbs_out {
        intent: "an alias that climbs out",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\naliases: [\"/../../outside/\"]"),
    }
    an_alias_with_an_absolute_system_path {
        intent: "an alias with an absolute system path",
        code: 0,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\naliases: [\"/etc/cron.d/x\"]"),
        check: |s, _| {
            assert!(
                s.exists("etc/cron.d/x/index.html") || s.exists("etc/cron.d/x"),
                "the alias did not land inside public/"
            );
            assert!(!std::path::Path::new("/etc/cron.d/x").exists(), "the alias wrote to /etc");
        },
    }
    an_alias_that_takes_an_existing_pages_url {
        intent: "an alias that takes an existing page's URL",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\naliases: [\"/posts/good/\"]"),
    }
    a_link_to_a_markdown_file_outside_content {
        intent: "a link to a Markdown file outside content/",
        code: 1,
        setup: |s| raw(
            s,
            "content/posts/bad.md",
            b"---\ntitle: T\ndate: 2024-01-01\n---\n[x](../../../site.md)\n",
        ),
    }

    // Added with issue #13: what teachers hit.
    a_tag_that_is_only_symbols {
        intent: "a tag that is only symbols",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\ntags: [\"!!!\"]"),
    }
    tags_that_differ_only_in_case {
        intent: "the same tag spelt EdTech and edtech on two posts",
        code: 0,
        setup: |s| {
            fm(s, "title: T\ndate: 2024-01-01\ntags: [EdTech]");
            s.post("other.md", "title: O\ndate: 2024-01-02\ntags: [edtech]", "x");
        },
        check: |s, _| assert!(s.exists("tags/edtech/index.html")),
    }
    two_posts_with_the_same_slug {
        intent: "two posts whose front matter gives the same slug",
        code: 1,
        setup: |s| {
            fm(s, "title: T\ndate: 2024-01-01\nslug: same");
            s.post("other.md", "title: O\ndate: 2024-01-02\nslug: same", "x");
        },
    }
    a_slug_that_is_another_posts_file_name {
        intent: "a post whose slug is the file name of another post",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\nslug: good"),
    }
    two_posts_with_one_file_name_in_two_folders {
        intent: "posts/good.md and posts/2023/good.md",
        code: 1,
        setup: |s| {
            s.post("2023/good.md", "title: Old\ndate: 2023-01-01", "x");
        },
    }
    a_post_and_its_bundle {
        intent: "a post both as good.md and as the bundle good/index.md",
        code: 1,
        setup: |s| {
            s.post("good/index.md", "title: Bundle\ndate: 2023-01-01", "x");
        },
    }
    a_page_that_takes_the_tags_index {
        intent: "a page named tags.md, where the tag index goes",
        code: 1,
        setup: |s| {
            page(s, "tags.md", "title: My tags");
            fm(s, "title: T\ndate: 2024-01-01\ntags: [a]");
        },
    }
    a_page_named_posts {
        intent: "a page named posts.md, whose folder holds every post",
        code: 0,
        setup: |s| page(s, "posts.md", "title: All my posts"),
        check: |s, _| {
            assert!(s.read("posts/index.html").contains("All my posts"));
            assert!(s.exists("posts/good/index.html"));
        },
    }
    a_page_slug_that_takes_a_posts_address {
        intent: "a page whose slug is posts/good, a post's address",
        code: 0,
        setup: |s| page(s, "p.md", "title: P\nslug: posts/good"),
        check: |s, _| {
            assert!(s.read("posts-good/index.html").contains("Page."));
            assert!(s.read("posts/good/index.html").contains("Fine."));
        },
    }
    an_alias_that_takes_another_posts_alias {
        intent: "two posts with the same alias",
        code: 1,
        setup: |s| {
            fm(s, "title: T\ndate: 2024-01-01\naliases: [/old/]");
            s.post("other.md", "title: O\ndate: 2024-01-02\naliases: [/old/]", "x");
        },
    }
    an_alias_that_takes_a_page {
        intent: "an alias that takes a page's URL",
        code: 1,
        setup: |s| {
            page(s, "about.md", "title: About");
            fm(s, "title: T\ndate: 2024-01-01\naliases: [/about/]");
        },
    }
    an_alias_that_takes_the_home_page {
        intent: "an alias of /, the home page",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\naliases: [/]"),
    }
    an_alias_that_is_the_posts_own_address {
        intent: "an alias that is the post's own address",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\naliases: [/posts/bad/]"),
    }
    a_static_file_that_takes_a_posts_address {
        intent: "static/posts/good/index.html, where a post is written",
        code: 1,
        setup: |s| {
            s.file("static/posts/good/index.html", "hand-made");
        },
    }
    a_link_to_a_markdown_file_that_does_not_exist {
        intent: "a link to a Markdown post that does not exist",
        code: 1,
        setup: |s| raw(
            s,
            "content/posts/bad.md",
            b"---\ntitle: T\ndate: 2024-01-01\n---\nSee [the other](nope.md).\n",
        ),
    }
}
