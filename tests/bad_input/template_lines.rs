//! Which line a template error names (issue #14): Tera's runtime errors say what is
//! wrong but not where, so the line is claimed only when what they name is in one
//! place, and the note after a failed build names the folder that was kept.

use std::ffi::OsString;

cases! {
    a_missing_variable_asked_about_before_it_is_printed {
        intent: "`is defined` on line 3, the variable printed on line 5",
        code: 1,
        setup: |s| {
            s.file(
                "templates/post.html",
                "<article>\n\n{% if post.nosuch.field is defined %}yes{% endif %}\n\n\
                 <p>{{ post.nosuch.field }}</p>\n</article>\n",
            );
        },
    }
    a_missing_variable_printed_in_two_places {
        intent: "a missing variable printed on lines 2 and 4: Tera does not say which failed",
        code: 1,
        setup: |s| {
            s.file(
                "templates/post.html",
                "<h1>{{ post.title }}</h1>\n<p>{{ post.subtitle }}</p>\n\n\
                 <footer>{{ post.subtitle }}</footer>\n",
            );
        },
    }
    a_template_error_with_another_output_folder {
        intent: "a template error while building into --output elsewhere",
        code: 1,
        setup: |s| {
            s.file("templates/post.html", "{{ nosuch }}\n");
        },
        args: |s| vec![OsString::from("--output"), s.root().join("site-out").into()],
    }
}
