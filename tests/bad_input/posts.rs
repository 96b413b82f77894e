//! A post's bytes, front matter and Markdown.

use crate::write::{fm, post, raw};

cases! {
    invalid_utf8_in_a_post {
        intent: "invalid UTF-8 in a post",
        code: 1,
        setup: |s| post(s, b"---\ntitle: T\ndate: 2024-01-01\n---\n\xff\xfe bad"),
    }
    an_empty_post_file {
        intent: "an empty post file",
        code: 1,
        setup: |s| post(s, b""),
    }
    front_matter_never_closed {
        intent: "front matter never closed",
        code: 1,
        setup: |s| post(s, b"---\ntitle: T\ndate: 2024-01-01\nBody"),
    }
    front_matter_that_is_a_list {
        intent: "front matter that is a list, not keys",
        code: 1,
        setup: |s| fm(s, "- a\n- b"),
    }
    yaml_alias_bomb {
        intent: "YAML alias bomb (billion laughs)",
        code: 1,
        setup: |s| fm(
            s,
            "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\ntitle: T\ndate: 2024-01-01",
        ),
    }
    a_date_that_does_not_exist {
        intent: "a date that does not exist",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2023-02-29"),
    }
    a_date_in_words {
        intent: "a date in words",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: last Tuesday"),
    }
    no_date_on_a_post {
        intent: "no date on a post",
        code: 1,
        setup: |s| fm(s, "title: T"),
    }
    no_title {
        intent: "no title",
        code: 1,
        setup: |s| fm(s, "date: 2024-01-01"),
    }
    title_is_a_list {
        intent: "title is a list",
        code: 1,
        setup: |s| fm(s, "title: [a, b]\ndate: 2024-01-01"),
    }
    date_is_a_number {
        intent: "date is a number",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 20240101"),
    }
    updated_is_a_list {
        intent: "updated is a list",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\nupdated: [1]"),
    }
    tags_is_a_table {
        intent: "tags is a table",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\ntags: {a: 1}"),
    }
    categories_is_true {
        intent: "categories is true",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\ncategories: true"),
    }
    draft_is_text {
        intent: "draft is text",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\ndraft: \"no\""),
    }
    summary_is_a_table {
        intent: "summary is a table",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\nsummary: {a: b}"),
    }
    slug_is_a_list {
        intent: "slug is a list",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\nslug: [a]"),
    }
    aliases_is_a_number {
        intent: "aliases is a number",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\naliases: 5"),
    }
    toml_front_matter_with_a_type_error {
        intent: "TOML front matter with a type error",
        code: 1,
        setup: |s| post(s, b"+++\ntitle = \"T\"\ndate = 2024-01-01\ndraft = 1\n+++\nx"),
    }
    toml_front_matter_that_does_not_parse {
        intent: "TOML front matter that does not parse",
        code: 1,
        setup: |s| post(s, b"+++\ntitle = T\n+++\nx"),
    }
    deeply_nested_block_quotes {
        intent: "deeply nested block quotes",
        code: 0,
        setup: |s| post(
            s,
            format!("---\ntitle: T\ndate: 2024-01-01\n---\n{}deep\n", ">".repeat(50_000)).as_bytes(),
        ),
    }
    deeply_nested_lists {
        intent: "deeply nested lists",
        code: 0,
        setup: |s| post(
            s,
            format!(
                "---\ntitle: T\ndate: 2024-01-01\n---\n{}",
                // 3,000 levels are 9 MB of indentation: deep enough to show a
                // quadratic step, and well inside the time bound on a busy debug build.
                (0..3_000).map(|i| format!("{}- x\n", "  ".repeat(i))).collect::<String>()
            )
            .as_bytes(),
        ),
    }
    a_200_kb_title {
        intent: "a 200 KB title",
        code: 0,
        setup: |s| fm(s, &format!("title: \"{}\"\ndate: 2024-01-01", "Long ".repeat(40_000))),
    }
    nul_bytes_in_a_post {
        intent: "NUL bytes in a post",
        code: 1,
        setup: |s| post(s, b"---\ntitle: T\ndate: 2024-01-01\n---\nA\0B"),
    }
    script_in_a_title_is_escaped {
        intent: "script in a title is escaped",
        code: 0,
        setup: |s| fm(s, "title: \"<script>alert(1)</script>\"\ndate: 2024-01-01"),
        check: |s, _| {
            let html = s.read("posts/bad/index.html");
            assert!(!html.contains("<script>alert"), "the title's script reached the page");
            assert!(html.contains("&lt;script&gt;alert(1)"), "the title is not on the page");
        },
    }
    a_byte_order_mark_and_crlf_line_ends {
        intent: "a byte-order mark and CRLF line ends",
        code: 0,
        setup: |s| post(s, b"\xef\xbb\xbf---\r\ntitle: T\r\ndate: 2024-01-01\r\n---\r\nBody\r\n"),
        check: |s, _| assert!(s.read("posts/bad/index.html").contains("Body")),
    }
    // Symbolic links need a privilege on Windows.
    #[cfg(unix)]
    a_symlink_loop_in_content {
        intent: "a symlink loop in content/",
        code: 1,
        setup: |s| std::os::unix::fs::symlink(
            s.root().join("content"),
            s.root().join("content/posts/loop"),
        )
        .unwrap(),
    }
    // Symbolic links need a privilege on Windows.
    #[cfg(unix)]
    a_post_file_that_is_a_dangling_symlink {
        intent: "a post file that is a dangling symlink",
        code: 1,
        setup: |s| std::os::unix::fs::symlink(
            s.root().join("nowhere.md"),
            s.root().join("content/posts/dangling.md"),
        )
        .unwrap(),
    }

    // Added with issue #13: what teachers hit.
    windows_line_ends_without_a_bom {
        intent: "Windows (CRLF) line ends in front matter and body, no byte-order mark",
        code: 0,
        setup: |s| post(s, b"---\r\ntitle: T\r\ndate: 2024-01-01\r\ntags: [a]\r\n---\r\nBody\r\n"),
        check: |s, _| {
            assert!(s.read("posts/bad/index.html").contains("Body"));
            assert!(s.exists("tags/a/index.html"), "the tag was lost");
        },
    }
    a_byte_order_mark_with_unix_line_ends {
        intent: "a byte-order mark before the front matter (Notepad), LF line ends",
        code: 0,
        setup: |s| post(s, b"\xef\xbb\xbf---\ntitle: T\ndate: 2024-01-01\n---\nBody\n"),
        check: |s, _| assert!(s.read("posts/bad/index.html").contains("Body")),
    }
    a_tab_indenting_yaml {
        intent: "a tab used to indent a list in YAML front matter",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\ntags:\n\t- a"),
    }
    a_title_in_curly_quotes {
        intent: "a title in a word processor's curly quotes, with a colon",
        code: 1,
        setup: |s| fm(s, "title: \u{201c}Pond day: fun\u{201d}\ndate: 2024-01-01"),
    }
    a_quote_left_open {
        intent: "a title whose closing quote is missing",
        code: 1,
        setup: |s| fm(s, "title: \"Pond day\ndate: 2024-01-01\ntags: [a]"),
    }
    february_the_thirtieth {
        intent: "a date that does not exist in a leap year: 2024-02-30",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-02-30"),
    }
    a_month_thirteen {
        intent: "a date with the day and month swapped: 2024-13-01",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-13-01"),
    }
    a_date_with_a_time_and_no_zone {
        intent: "a date with a time but no time zone",
        code: 0,
        setup: |s| fm(s, "title: T\ndate: 2024-03-01 09:30"),
    }
    front_matter_lists_nested_without_end {
        intent: "front matter with 100,000 nested [ (the YAML parser's time grows with the square)",
        code: 1,
        setup: |s| fm(s, &format!("title: T\ndate: 2024-01-01\nx: {}{}", "[".repeat(100_000), "]".repeat(100_000))),
    }
    front_matter_tables_nested_without_end {
        intent: "front matter with 50,000 nested {a: ",
        code: 1,
        setup: |s| fm(s, &format!("title: T\ndate: 2024-01-01\nx: {}1{}", "{a: ".repeat(50_000), "}".repeat(50_000))),
    }
    a_front_matter_key_given_twice {
        intent: "the same front matter key twice",
        code: 1,
        setup: |s| fm(s, "title: A\ndate: 2024-01-01\ntitle: B"),
    }
    an_empty_title {
        intent: "a title that is an empty string",
        code: 1,
        setup: |s| fm(s, "title: \"\"\ndate: 2024-01-01"),
    }
    a_title_with_a_colon_unquoted {
        intent: "a title with a colon and no quotes",
        code: 1,
        setup: |s| fm(s, "title: Week 3: fractions\ndate: 2024-01-01"),
    }
    only_front_matter_no_body {
        intent: "a post with front matter and no body at all",
        code: 0,
        setup: |s| post(s, b"---\ntitle: T\ndate: 2024-01-01\n---"),
    }
    a_closing_line_with_trailing_spaces {
        intent: "the closing --- of the front matter followed by spaces",
        code: 0,
        setup: |s| post(s, b"---\ntitle: T\ndate: 2024-01-01\n---   \nBody\n"),
        check: |s, _| assert!(s.read("posts/bad/index.html").contains("Body")),
    }
    a_latin1_post {
        intent: "a post saved as Latin-1 (an old Windows editor)",
        code: 1,
        setup: |s| post(s, b"---\ntitle: Caf\xe9\ndate: 2024-01-01\n---\nBody\n"),
    }
    a_post_dated_in_the_future {
        intent: "a post dated in the future",
        code: 0,
        setup: |s| fm(s, "title: T\ndate: 2999-01-01"),
        check: |s, _| assert!(!s.exists("posts/bad/index.html"), "a future post was published"),
    }
    a_five_digit_year {
        intent: "a date with a five-digit year (a typo)",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 20245-01-01"),
    }
    a_quoted_date {
        intent: "a date in quotes",
        code: 0,
        setup: |s| fm(s, "title: T\ndate: \"2024-01-01\""),
    }
    tags_as_one_string {
        intent: "tags written as one string, \"a, b\"",
        code: 0,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\ntags: \"maths, year 7\""),
        check: |s, _| {
            assert!(s.exists("tags/maths/index.html"));
            assert!(s.exists("tags/year-7/index.html"));
        },
    }
    a_file_name_with_spaces {
        intent: "a post file named with spaces and capitals",
        code: 0,
        setup: |s| {
            s.post("My First Post.md", "title: Hello\ndate: 2024-01-02", "x");
        },
    }
    an_upper_case_md_extension {
        intent: "a post file ending in .MD",
        code: 0,
        setup: |s| {
            s.post("Shouting.MD", "title: Hello\ndate: 2024-01-02", "x");
        },
    }
    four_dashes_to_open {
        intent: "front matter opened with ---- (four dashes)",
        code: 1,
        setup: |s| post(s, b"----\ntitle: T\ndate: 2024-01-01\n----\nBody\n"),
    }
    draft_yes {
        intent: "draft: yes (true in old YAML, text in YAML 1.2)",
        code: 1,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\ndraft: yes"),
    }
    a_date_without_leading_zeros {
        intent: "a date written 2024-3-5",
        code: 0,
        setup: |s| fm(s, "title: T\ndate: 2024-3-5"),
    }
    the_date_only_in_the_file_name {
        intent: "no date in the front matter, a Jekyll-style dated file name",
        code: 0,
        setup: |s| {
            s.post("2024-03-01-fractions.md", "title: Fractions", "x");
        },
        check: |s, _| {
            let page = s.read("posts/fractions/index.html");
            assert!(page.contains("2024-03-01"), "not dated by its file name");
        },
    }
    published_false {
        intent: "published: false (Jekyll's draft)",
        code: 0,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\npublished: false"),
        check: |s, _| assert!(!s.exists("posts/bad/index.html"), "an unpublished post was published"),
    }
    a_markdown_extension {
        intent: "a post file ending in .markdown",
        code: 0,
        setup: |s| {
            s.post("long.markdown", "title: Long\ndate: 2024-01-02", "x");
        },
        check: |s, _| assert!(s.exists("posts/long/index.html")),
    }
    redirect_from_jekyll {
        intent: "redirect_from (Jekyll's aliases)",
        code: 0,
        setup: |s| fm(s, "title: T\ndate: 2024-01-01\nredirect_from: [/2019/old/]"),
        check: |s, _| assert!(s.exists("2019/old/index.html"), "no page at the old address"),
    }
    a_markdown_file_outside_posts_and_pages {
        intent: "a post saved in content/ instead of content/posts/",
        code: 0,
        setup: |s| {
            s.file("content/stray.md", "---\ntitle: Stray\ndate: 2024-01-02\n---\nx\n");
        },
        check: |_, out| assert!(out.contains("content/stray.md"), "the summary does not name stray.md"),
    }
    an_image_that_does_not_exist {
        intent: "an image in a post whose file does not exist (`staffroom check` finds it)",
        code: 0,
        setup: |s| post(s, b"---\ntitle: T\ndate: 2024-01-01\n---\nText\n\n![a cell](cell.png)\n"),
    }
    a_post_that_is_a_folder_named_md {
        intent: "a folder whose name ends in .md inside content/posts",
        code: 0,
        setup: |s| raw(s, "content/posts/notes.md/readme.txt", b"hello"),
    }
}
