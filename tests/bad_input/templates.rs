//! The teacher's template overrides.

use crate::write::raw;

cases! {
    a_template_that_includes_itself {
        intent: "a template that includes itself",
        code: 1,
        setup: |s| {
            s.file("templates/post.html", "{% include \"post.html\" %}");
        },
    }
    two_templates_that_include_each_other {
        intent: "two templates that include each other",
        code: 1,
        setup: |s| {
            s.file("templates/partials/a.html", "{% include \"partials/b.html\" %}");
            s.file("templates/partials/b.html", "\n{% include \"partials/a.html\" %}");
            s.file("templates/page.html", "{% include \"partials/a.html\" %}");
        },
    }
    a_template_with_a_syntax_error {
        intent: "a template with a syntax error",
        code: 1,
        setup: |s| {
            s.file("templates/index.html", "{% if %}");
        },
    }
    a_template_that_is_not_utf8 {
        intent: "a template that is not UTF-8",
        code: 1,
        setup: |s| raw(s, "templates/index.html", b"\xff"),
    }

    // Added with issue #13: what teachers hit.
    a_template_using_an_unknown_variable {
        intent: "a template that prints a variable that does not exist",
        code: 1,
        setup: |s| {
            s.file("templates/post.html", "<h1>{{ page.title }}</h1>\n<p>{{ post.subtitle }}</p>\n");
        },
    }
    a_template_using_an_unknown_filter {
        intent: "a template that uses a filter that does not exist",
        code: 1,
        setup: |s| {
            s.file("templates/index.html", "\n\n{{ site.title | shout }}\n");
        },
    }
    a_template_including_a_missing_file {
        intent: "a template that includes a file that does not exist",
        code: 1,
        setup: |s| {
            s.file("templates/index.html", "{% include \"partials/nav.html\" %}");
        },
    }
    a_block_never_closed {
        intent: "a template with an {% if %} never closed",
        code: 1,
        setup: |s| {
            s.file("templates/post.html", "line one\n{% if post.title %}\n<h1>x</h1>\n");
        },
    }
}
