//! site.toml.

use crate::write::{raw, site_toml};

cases! {
    site_toml_missing {
        intent: "site.toml missing",
        code: 1,
        setup: |s| std::fs::remove_file(s.root().join("site.toml")).unwrap(),
    }
    site_toml_empty {
        intent: "site.toml empty",
        code: 1,
        setup: |s| site_toml(s, ""),
    }
    site_toml_not_toml {
        intent: "site.toml not TOML",
        code: 1,
        setup: |s| site_toml(s, "title: T\n"),
    }
    site_toml_not_utf8 {
        intent: "site.toml not UTF-8",
        code: 1,
        setup: |s| raw(s, "site.toml", b"title = \"\xff\"\n"),
    }
    base_url_with_an_ftp_scheme {
        intent: "base_url with an ftp scheme",
        code: 1,
        setup: |s| site_toml(s, "title = \"T\"\nbase_url = \"ftp://x.org/\"\n"),
    }
    posts_per_page_of_zero {
        intent: "posts_per_page of zero",
        code: 1,
        setup: |s| site_toml(s, "title = \"T\"\nbase_url = \"https://x.org/\"\nposts_per_page = 0\n"),
    }
    a_theme_name_that_climbs_out {
        intent: "a theme name that climbs out",
        code: 1,
        setup: |s| site_toml(s, "title = \"T\"\nbase_url = \"https://x.org/\"\ntheme = \"../../x\"\n"),
    }
    a_theme_that_does_not_exist {
        intent: "a theme that does not exist",
        code: 1,
        setup: |s| site_toml(s, "title = \"T\"\nbase_url = \"https://x.org/\"\ntheme = \"fancy\"\n"),
    }

    // Added with issue #13: what teachers hit.
    no_base_url {
        intent: "site.toml without base_url",
        code: 1,
        setup: |s| site_toml(s, "title = \"T\"\n"),
    }
    a_misspelt_key {
        intent: "a misspelt key in site.toml (titel)",
        code: 1,
        setup: |s| site_toml(s, "titel = \"T\"\nbase_url = \"https://x.org/\"\n"),
    }
    a_site_toml_key_given_twice {
        intent: "the same key twice in site.toml",
        code: 1,
        setup: |s| site_toml(s, "title = \"T\"\nbase_url = \"https://x.org/\"\ntitle = \"U\"\n"),
    }
    posts_per_page_as_text {
        intent: "posts_per_page written as text",
        code: 1,
        setup: |s| site_toml(s, "title = \"T\"\nbase_url = \"https://x.org/\"\nposts_per_page = \"ten\"\n"),
    }
    posts_per_page_negative {
        intent: "posts_per_page below zero",
        code: 1,
        setup: |s| site_toml(s, "title = \"T\"\nbase_url = \"https://x.org/\"\nposts_per_page = -1\n"),
    }
    base_url_without_a_scheme {
        intent: "base_url without https://",
        code: 1,
        setup: |s| site_toml(s, "title = \"T\"\nbase_url = \"teacher.github.io/blog/\"\n"),
    }
    base_url_of_the_repository {
        intent: "base_url copied from the repository's page on GitHub",
        code: 1,
        setup: |s| site_toml(s, "title = \"T\"\nbase_url = \"https://github.com/teacher/blog\"\n"),
    }
    base_url_without_a_trailing_slash {
        intent: "a project-site base_url without its trailing slash",
        code: 0,
        setup: |s| site_toml(s, "title = \"T\"\nbase_url = \"https://teacher.github.io/blog\"\n"),
        check: |s, _| assert!(s.read("index.html").contains("/blog/posts/good/")),
    }
    site_toml_with_a_byte_order_mark {
        intent: "site.toml saved with a byte-order mark",
        code: 0,
        setup: |s| raw(s, "site.toml", b"\xef\xbb\xbftitle = \"T\"\nbase_url = \"https://x.org/\"\n"),
    }
    site_toml_with_windows_line_ends {
        intent: "site.toml with CRLF line ends",
        code: 0,
        setup: |s| site_toml(s, "title = \"T\"\r\nbase_url = \"https://x.org/\"\r\n[author]\r\nname = \"A\"\r\n"),
    }
    an_empty_theme_folder {
        intent: "theme = \"mine\" with an empty themes/mine/ folder",
        code: 0,
        setup: |s| {
            site_toml(s, "title = \"T\"\nbase_url = \"https://x.org/\"\ntheme = \"mine\"\n");
            std::fs::create_dir_all(s.root().join("themes/mine")).unwrap();
        },
    }
    author_as_a_string {
        intent: "author = \"Name\" instead of an [author] table",
        code: 0,
        setup: |s| site_toml(s, "title = \"T\"\nbase_url = \"https://x.org/\"\nauthor = \"T. Teacher\"\n"),
        check: |s, _| assert!(s.read("atom.xml").contains("T. Teacher")),
    }
}
