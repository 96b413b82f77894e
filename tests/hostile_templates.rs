//! Templates that would make Tera recurse, loop or allocate without end (issue #13
//! item 4): each is an error naming the template and line, exit 1, never a crash
//! (a stack overflow aborted with 134), in `build` and in `serve`.

mod common;
mod serve_support;

use std::time::Duration;

use common::TestSite;
use serve_support::{Events, Serve, Site, get};

/// A site whose `post.html` is `template`, plus any other templates.
fn site_with(templates: &[(&str, &str)]) -> TestSite {
    let site = TestSite::new();
    site.post("hello.md", "title: Hello\ndate: 2024-05-01", "Hello class.");
    for (name, text) in templates {
        site.file(&format!("templates/{name}"), text);
    }
    site
}

/// `build`'s whole error output, with the site's folder as `SITE`. A deadline, so a
/// template that makes the build run forever fails the test instead of hanging it.
fn build_error(site: &TestSite) -> String {
    let out = assert_cmd::Command::cargo_bin("staffroom")
        .unwrap()
        // Output as on a teacher's computer, even when the tests run on GitHub Actions.
        .env_remove("GITHUB_ACTIONS")
        .arg("--root")
        .arg(site.root())
        .arg("build")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let err = common::Run(out).user_error();
    assert!(
        !site.exists("index.html"),
        "a failed build writes nothing into public/"
    );
    // Written as messages write paths (with `/` on Windows too).
    err.replace(&staffroom::error::shown(site.root()), "SITE")
}

const HINT: &str = "  hint: fix the template, or delete your copy to go back to the theme's\n\
                    the build stopped; public/ was left as it was\n";

#[test]
fn a_macro_that_calls_itself_is_an_error_at_its_definition() {
    let site = site_with(&[(
        "post.html",
        "<ul>\n{% macro menu(n) %}<li>{{ self::menu(n=n+1) }}</li>{% endmacro menu %}\n\
         {{ self::menu(n=1) }}</ul>",
    )]);
    assert_eq!(
        build_error(&site),
        format!(
            "error: SITE/templates/post.html:2: template error: macro calls nested more than \
             100 deep: the macro `self::menu` keeps calling itself (directly or through other \
             macros) in 'post.html'\n{HINT}"
        )
    );
}

#[test]
fn macros_that_call_each_other_are_an_error() {
    let site = site_with(&[(
        "post.html",
        "{% macro ping() %}{{ self::pong() }}{% endmacro ping %}\n\
         {% macro pong() %}{{ self::ping() }}{% endmacro pong %}\n\
         {{ self::ping() }}",
    )]);
    let err = build_error(&site);
    // Either macro may be the one that crosses the bound; both are defined here.
    let ping = format!(
        "error: SITE/templates/post.html:1: template error: macro calls nested more than 100 \
         deep: the macro `self::ping` keeps calling itself (directly or through other macros) \
         in 'post.html'\n{HINT}"
    );
    let pong = ping
        .replace("post.html:1", "post.html:2")
        .replace("self::ping", "self::pong");
    assert!(err == ping || err == pong, "{err}");
}

#[test]
fn recursion_in_an_imported_macro_file_names_that_file() {
    let site = site_with(&[
        (
            "macros.html",
            "{# helpers #}\n\n{% macro walk(n) %}{{ self::walk(n=n) }}{% endmacro walk %}\n",
        ),
        (
            "post.html",
            "{% import \"macros.html\" as m %}\n{{ m::walk(n=1) }}",
        ),
    ]);
    assert_eq!(
        build_error(&site),
        format!(
            "error: SITE/templates/macros.html:3: template error: macro calls nested more than \
             100 deep: the macro `self::walk` keeps calling itself (directly or through other \
             macros) in 'macros.html'\n{HINT}"
        )
    );
}

#[test]
fn an_include_of_itself_through_a_list_of_names_is_an_error() {
    let site = site_with(&[
        (
            "partials/box.html",
            "<div>\n{% include [\"partials/none.html\", \"partials/box.html\"] %}</div>",
        ),
        ("post.html", "{% include \"partials/box.html\" %}"),
    ]);
    assert_eq!(
        build_error(&site),
        format!(
            "error: SITE/templates/partials/box.html:2: template error: includes nested more \
             than 100 deep: 'partials/box.html' keeps being included inside itself, last by the \
             include of 'partials/box.html' in 'partials/box.html'\n{HINT}"
        )
    );
}

#[test]
fn macro_files_that_import_each_other_are_an_error() {
    // Backquoted names, which the up-front include check does not read.
    let site = site_with(&[
        (
            "a.html",
            "{% import `b.html` as b %}{% macro x() %}{{ b::y() }}{% endmacro x %}",
        ),
        (
            "b.html",
            "{% import `a.html` as a %}{% macro y() %}{{ a::x() }}{% endmacro y %}",
        ),
        ("post.html", "{% import `a.html` as a %}{{ a::x() }}"),
    ]);
    assert_eq!(
        build_error(&site),
        format!(
            "error: SITE/templates/b.html:1: template error: templates import macros from each \
             other in a circle: 'a.html' → 'b.html' → 'a.html'; the last is the import of \
             'a.html' in 'b.html'\n{HINT}"
        )
    );
}

#[test]
fn a_huge_range_is_an_error_at_its_line() {
    let site = site_with(&[(
        "post.html",
        "<ol>\n\n{% for i in range(end=1000000000) %}<li>{{ i }}</li>{% endfor %}</ol>",
    )]);
    assert_eq!(
        build_error(&site),
        format!(
            "error: SITE/templates/post.html:3: template error: `range(start=0, \
             end=1000000000, step_by=1)` would make 1000000000 items; the limit is 100000\n{HINT}"
        )
    );
}

#[test]
fn a_range_that_never_steps_is_an_error() {
    let site = site_with(&[("post.html", "{{ range(end=10, step_by=0) | length }}")]);
    assert_eq!(
        build_error(&site),
        format!(
            "error: SITE/templates/post.html:1: template error: Function `range` was called \
             with `step_by=0`; it must be 1 or more\n{HINT}"
        )
    );
}

#[test]
fn nested_loops_that_never_finish_are_an_error() {
    let site = site_with(&[(
        "post.html",
        "{% for i in range(end=100000) %}\n{% for j in range(end=100000) %}{{ j }}\
         {% endfor %}{% endfor %}",
    )]);
    assert_eq!(
        build_error(&site),
        format!(
            "error: SITE/templates/post.html:2: template error: the template does too much \
             work: more than 1000000 loop turns, macro calls and includes for one page, the \
             last at the loop `for j in` in 'post.html'\n{HINT}"
        )
    );
}

#[test]
fn a_macro_that_calls_itself_twice_is_bounded_in_work() {
    // Depth 60 stays under the depth bound, but makes 2^60 calls (each with a short
    // loop, so the bound is reached in seconds even in a debug build).
    let site = site_with(&[(
        "post.html",
        "{% macro tree(n) %}{% for i in range(end=50) %}{% endfor %}{% if n > 0 %}\
         {{ self::tree(n=n-1) }}{{ self::tree(n=n-1) }}{% endif %}{% endmacro tree %}\n\
         {{ self::tree(n=60) }}",
    )]);
    let err = build_error(&site);
    assert!(
        err.starts_with(
            "error: SITE/templates/post.html:1: template error: the template does too much work"
        ),
        "{err}"
    );
}

#[test]
fn text_that_keeps_doubling_is_an_error() {
    let site = site_with(&[(
        "post.html",
        "{% set s = \"ab\" %}{% for i in range(end=60) %}{% set_global s = s ~ s %}\
         {% endfor %}{{ s }}",
    )]);
    assert_eq!(
        build_error(&site),
        format!(
            "error: SITE/templates/post.html: template error: joining text with `~` would be \
             more than 32 MB; a page can be at most that big\n{HINT}"
        )
    );
}

#[test]
fn copying_a_big_text_a_million_times_is_bounded_in_work() {
    // Each turn is one step, but each reads (and so copies) 16 MB.
    let site = site_with(&[(
        "post.html",
        "{% set s = \"abcdefgh\" %}{% for i in range(end=21) %}{% set_global s = s ~ s %}\
         {% endfor %}\n{% for i in range(end=100000) %}{% if s %}{% endif %}{% endfor %}",
    )]);
    assert_eq!(
        build_error(&site),
        format!(
            "error: SITE/templates/post.html: template error: the template does too much \
             work: it makes or copies more than 4 GB of text and values for one page (while \
             rendering 'post.html')\n{HINT}"
        )
    );
}

#[test]
fn filters_that_multiply_text_are_bounded() {
    for filter in [
        "replace(from=\"a\", to=s)",
        "split(pat=\"\")",
        "indent(prefix=s)",
    ] {
        let site = site_with(&[(
            "post.html",
            &format!(
                "{{% set s = \"a\nb\" %}}{{% for i in range(end=20) %}}{{% set_global s = s ~ s %}}\
                 {{% endfor %}}\n{{{{ s | {filter} | length }}}}"
            ),
        )]);
        let err = build_error(&site);
        assert!(
            err.starts_with("error: SITE/templates/post.html:3: template error: "),
            "{filter}: {err}"
        );
    }
}

#[test]
fn lists_nested_without_end_are_an_error() {
    let site = site_with(&[(
        "post.html",
        "{% set a = 1 %}{% for i in range(end=10000) %}{% set_global a = [a] %}{% endfor %}",
    )]);
    let err = build_error(&site);
    assert!(
        err.contains("makes lists nested more than 64 deep"),
        "{err}"
    );
}

#[test]
fn very_deep_nesting_in_a_templates_source_is_an_error() {
    let sum = format!("\n{{{{ 1{} }}}}", " + 1".repeat(5000));
    let brackets = format!("\n{{{{ {}1{} }}}}", "(".repeat(5000), ")".repeat(5000));
    let ifs = format!(
        "\n{}x{}",
        "{% if true %}".repeat(3000),
        "{% endif %}".repeat(3000)
    );
    let lists = format!("\n{{{{ {}1{} }}}}", "[".repeat(3000), "]".repeat(3000));
    for text in [sum, brackets, ifs, lists] {
        let site = site_with(&[("post.html", &text)]);
        let err = build_error(&site);
        assert!(
            err.starts_with("error: SITE/templates/post.html:2:"),
            "{err}"
        );
    }
}

// The four shapes below start like the default theme's post.html, with
// `{% extends "base.html" %}` on the line of the error: the name quoted in that line
// of source was taken for the template at fault, so the error blamed the built-in
// base.html while showing post.html.
const POST_HEAD: &str = "{% extends \"base.html\" %}{% block content %}";
const POST_TAIL: &str = "{% endblock content %}";

/// The error for a `post.html` that is `POST_HEAD`, `expr` in `{{ }}`, `POST_TAIL`.
fn post_expression_error(expr: &str) -> String {
    let text = format!("{POST_HEAD}{{{{ {expr} }}}}{POST_TAIL}");
    build_error(&site_with(&[("post.html", &text)]))
}

/// The error's first line, then the source line cut around the column with a caret.
fn parse_error(at: &str, message: &str, shown: &str, caret: usize) -> String {
    format!(
        "error: SITE/templates/post.html:{at}: template error: {message}\n    \
         |\n  1 | {shown}\n    | {}^\n{HINT}",
        " ".repeat(caret)
    )
}

const TOO_DEEP: &str =
    "tags, brackets and operators are nested more than 400 deep here; make the template simpler";

#[test]
fn brackets_nested_too_deep_name_the_teachers_template() {
    let err = post_expression_error(&format!("{}1{}", "(".repeat(1000), ")".repeat(1000)));
    let shown = format!("…{}…", "(".repeat(80));
    assert_eq!(err, parse_error("1:438", TOO_DEEP, &shown, 51));
}

#[test]
fn brackets_nested_past_the_parsers_stack_name_the_teachers_template() {
    // Deep enough that the parser's stack guard stops first; where it stops depends
    // on the build's stack use, so the column is left out of the comparison.
    let err = post_expression_error(&format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000)));
    let column = regex::Regex::new(r"^error: SITE/templates/post\.html:1:(\d+):").unwrap();
    let col: usize = column.captures(&err).expect(&err)[1].parse().unwrap();
    assert!(col > 400, "{err}");
    let shown = format!("…{}…", "(".repeat(80));
    assert_eq!(
        err,
        parse_error(&format!("1:{col}"), TOO_DEEP, &shown, 51),
        "the line is cut to a window around the column"
    );
}

#[test]
fn a_long_chain_of_not_names_the_teachers_template() {
    let err = post_expression_error(&format!("{}true", "not ".repeat(500)));
    let expected = "expected `or`, `and`, `<=`, `>=`, `<`, `>`, `==`, `!=`, `+`, `-`, `*`, `/`, \
                    `%`, a filter, or a variable end (`}}`)";
    let shown = format!(
        "…tends \"base.html\" %}}{{% block content %}}{{{{ {}no…",
        "not ".repeat(9)
    );
    assert_eq!(err, parse_error("1:56", expected, &shown, 51));
}

#[test]
fn a_long_chain_of_minus_names_the_teachers_template() {
    let err = post_expression_error(&format!("{}1", "-".repeat(500)));
    let expected = "expected a value that can be negated or an array of values";
    let shown = format!("{POST_HEAD}{{{{ {}…", "-".repeat(33));
    assert_eq!(err, parse_error("1:48", expected, &shown, 47));
}

#[test]
fn lists_nested_in_the_source_name_the_teachers_template() {
    let err = post_expression_error(&format!(
        "{}1{} | length",
        "[".repeat(1000),
        "]".repeat(1000)
    ));
    let shown = format!("{POST_HEAD}{{{{ {}…", "[".repeat(33));
    assert_eq!(
        err,
        parse_error("1:49", "expected a value that can be negated", &shown, 48)
    );
}

#[test]
fn other_load_errors_name_the_template_that_has_them() {
    let cases = [
        (
            format!(
                "{POST_HEAD}\n{{% block a %}}{{% endblock a %}}\n{{% block a %}}{{% endblock a %}}{POST_TAIL}"
            ),
            "post.html:3: template error: Block `a` is duplicated",
        ),
        (
            format!("{POST_HEAD}\n{{{{ 99999999999999999999 }}}}{POST_TAIL}"),
            "post.html:2: template error: Integer out of bounds: `99999999999999999999`",
        ),
        (
            "{% import \"base.html\" as b %}\n{% extends \"nothing.html\" %}".to_string(),
            "post.html:2: template error: extends 'nothing.html', but there is no such template",
        ),
        (
            "{% import \"nothing.html\" as n %}{% extends \"base.html\" %}".to_string(),
            "post.html:1: template error: imports macros from 'nothing.html', but there is no \
             such template",
        ),
    ];
    for (text, expected) in cases {
        let err = build_error(&site_with(&[("post.html", &text)]));
        assert_eq!(err, format!("error: SITE/templates/{expected}\n{HINT}"));
    }
}

#[test]
fn values_tera_cannot_handle_are_errors_not_crashes() {
    let huge_float = format!("{}.0", "9".repeat(400));
    for (text, says) in [
        ("{{ get_random(start=5, end=5) }}", "`end` must be larger"),
        ("{{ \"zz\" | int(base=99) }}", "it must be from 2 to 36"),
        (
            "{{ 99999999999999 | date }}",
            "which is no date it can show",
        ),
        (
            "{{ -9223372036854775808 % -1 }}",
            "results in an out of bounds i64",
        ),
        (
            &format!("{{{{ {huge_float} > 1 }}}}"),
            "Float out of bounds",
        ),
    ] {
        let site = site_with(&[("post.html", text)]);
        let err = build_error(&site);
        assert!(
            err.starts_with("error: SITE/templates/post.html") && err.contains(says),
            "{text}: {err}"
        );
    }
}

#[test]
fn a_loop_over_a_text_goes_by_letters_accents_included() {
    // `e` + a combining accent is one letter, so the loop turns twice (it panicked).
    let site = site_with(&[(
        "post.html",
        "{% set word = \"e\u{301}a\" %}{% for c in word %}[{{ c }}]{% endfor %}",
    )]);
    site.run(&["build"]).ok();
    assert!(
        site.read("posts/hello/index.html")
            .contains("[e\u{301}][a]")
    );

    let site = site_with(&[(
        "post.html",
        "{% set s = \"abcdefgh\" %}{% for i in range(end=17) %}{% set_global s = s ~ s %}\
         {% endfor %}\n{% for c in s %}{% endfor %}",
    )]);
    assert_eq!(
        build_error(&site),
        format!(
            "error: SITE/templates/post.html:2: template error: the loop `for c in` over a text \
             would make 1048576 items; the limit is 100000\n{HINT}"
        )
    );
}

#[test]
fn a_recursive_macro_with_a_stop_still_renders() {
    // A nested menu ten levels deep: legitimate recursion.
    let site = site_with(&[(
        "post.html",
        "{% macro menu(n) %}<ul><li>level {{ n }}{% if n < 10 %}{{ self::menu(n=n+1) }}\
         {% endif %}</li></ul>{% endmacro menu %}{{ self::menu(n=1) }}",
    )]);
    site.run(&["build"]).ok();
    let html = site.read("posts/hello/index.html");
    assert_eq!(html.matches("<ul>").count(), 10, "{html}");
    assert!(html.contains("<li>level 10</li>"), "{html}");
}

#[test]
fn serve_reports_a_recursive_macro_and_keeps_the_last_good_site() {
    let site = Site::new("https://room9.example.org/");
    let good = "{% macro title(t) %}<h1>{{ t }}</h1>{% endmacro title %}\
                {{ self::title(t=post.title) }}{{ post.content | safe }}";
    site.write("templates/post.html", good);
    let serve = Serve::start(&site);
    let url = format!("{}posts/first/", serve.url);
    assert!(get(&url).body.contains("<h1>First post</h1>"));
    let (mut events, _) = Events::open(&serve.url);

    site.write(
        "templates/post.html",
        "\n{% macro title(t) %}{{ self::title(t=t) }}{% endmacro title %}\
         {{ self::title(t=post.title) }}",
    );
    let failed = events
        .wait_for("build-error", Duration::from_secs(30))
        .expect("a build-error event");
    assert!(
        failed.data.contains("templates/post.html:2: template error: macro calls nested more than 100 deep: the macro `self::title` keeps calling itself"),
        "file, line and message: {}",
        failed.data
    );
    let page = get(&url);
    assert_eq!(page.status, 200, "the server is still up");
    assert!(
        page.body.contains("<h1>First post</h1>"),
        "the last good page is served"
    );

    site.write(
        "templates/post.html",
        &good.replace("<h1>", "<h1 class=\"t\">"),
    );
    let fixed = events
        .wait_for("reload", Duration::from_secs(30))
        .expect("a reload after the fix");
    assert!(fixed.data.contains("\"error\":null"), "{}", fixed.data);
    assert!(get(&url).body.contains("<h1 class=\"t\">First post</h1>"));
}

#[test]
fn a_template_name_in_the_teachers_own_message_does_not_move_the_error() {
    let text = format!("{POST_HEAD}\n{{{{ throw(message=\"see 'base.html'\") }}}}{POST_TAIL}");
    let err = build_error(&site_with(&[("post.html", &text)]));
    assert_eq!(
        err,
        format!("error: SITE/templates/post.html:2: template error: see 'base.html'\n{HINT}")
    );
}
