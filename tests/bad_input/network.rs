//! network.toml, the network cache and the responses.

use crate::write::{BLOG_A, raw};

cases! {
    network_toml_not_toml {
        intent: "network.toml not TOML",
        code: 1,
        setup: |s| {
            s.file("network.toml", "[[blog]\nname = \"A\"\n");
        },
    }
    network_toml_not_utf8 {
        intent: "network.toml not UTF-8",
        code: 1,
        setup: |s| raw(s, "network.toml", b"# \xff\n"),
    }
    a_blog_without_a_feed {
        intent: "a blog without a feed in network.toml",
        code: 1,
        setup: |s| {
            s.file("network.toml", "[[blog]]\nname = \"A\"\n");
        },
    }
    a_blog_whose_feed_is_not_a_url {
        intent: "a blog whose feed is not a URL",
        code: 1,
        setup: |s| {
            s.file("network.toml", &BLOG_A.replace("https://a.example.org/feed", "feed please"));
        },
    }
    blog_is_a_string {
        intent: "blog is a string, not a table",
        code: 1,
        setup: |s| {
            s.file("network.toml", "blog = \"A\"\n");
        },
    }
    a_corrupt_network_cache_file {
        intent: "a corrupt network cache file",
        code: 1,
        setup: |s| {
            s.file("network.toml", BLOG_A);
            s.file("data/network/a.json", "{\"name\": \"A\", \"entries\": [{\"id\": ");
        },
    }
    a_network_cache_file_with_wrong_types {
        intent: "a network cache file with wrong types",
        code: 1,
        setup: |s| {
            s.file("network.toml", BLOG_A);
            s.file("data/network/a.json", "{\"entries\": \"none\"}");
        },
    }
    a_network_cache_entry_with_hostile_html {
        intent: "a network cache entry with hostile HTML and a javascript: link",
        code: 0,
        setup: |s| {
            s.file("network.toml", BLOG_A);
            s.file(
                "data/network/a.json",
                r#"{"entries": [{"id": "1", "title": "<script>alert(1)</script>", "url": "javascript:alert(1)", "summary": "<img src=x onerror=alert(1)>", "published": "2024-01-02T00:00:00Z"}]}"#,
            );
        },
        check: |s, _| {
            let html = s.read("network/index.html");
            for bad in ["<script>alert", "href=\"javascript:", "<img src=x"] {
                assert!(!html.contains(bad), "`{bad}` from the cache reached the network page");
            }
        },
    }

    // Added with issue #13: what teachers hit.
    the_same_blog_twice {
        intent: "the same feed followed twice in network.toml",
        code: 1,
        setup: |s| {
            s.file("network.toml", &format!("{BLOG_A}{}", BLOG_A.replace("\"A\"", "\"A again\"")));
        },
    }
    two_blogs_with_one_name {
        intent: "two blogs with the same name in network.toml",
        code: 1,
        setup: |s| {
            s.file(
                "network.toml",
                &format!("{BLOG_A}{}", BLOG_A.replace("a.example.org", "b.example.org")),
            );
        },
    }
    an_empty_network_toml {
        intent: "an empty network.toml",
        code: 0,
        setup: |s| {
            s.file("network.toml", "");
        },
    }
    a_blog_with_a_misspelt_key {
        intent: "a blog in network.toml with a misspelt key (fed)",
        code: 1,
        setup: |s| {
            s.file("network.toml", "[[blog]]\nname = \"A\"\nfed = \"https://a.example.org/feed\"\n");
        },
    }
    a_corrupt_responses_file {
        intent: "a hand-edited responses file that is not JSON",
        code: 1,
        setup: |s| {
            s.file("data/responses/good.json", "[{\"author\": \"X\",\n");
        },
    }
}
