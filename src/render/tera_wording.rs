//! Tera's own messages, from the patched Tera itself: `errors::locate` finds the line
//! by what they name, so an upgrade that changes their wording must fail here rather
//! than quietly drop the line from every template error.

use std::collections::BTreeMap;

use super::errors::template_error;
use super::load_errors::load_error;
use super::on_known_stack;
use super::theme::Origin;

/// The error that loading, then rendering the first template, gives.
fn error(templates: &[(&str, &str)]) -> String {
    let origins: BTreeMap<String, (String, Origin)> = templates
        .iter()
        .map(|(n, t)| (n.to_string(), (t.to_string(), Origin::BuiltIn(b""))))
        .collect();
    let mut tera = tera::Tera::default();
    let e = match on_known_stack(|| tera.add_raw_templates(templates.to_vec())) {
        Err(e) => load_error(&e, &origins),
        Ok(()) => on_known_stack(|| tera.render(templates[0].0, &tera::Context::new()))
            .map(|_| ())
            .map_or_else(|e| template_error(&e, &origins), |()| panic!("no error")),
    };
    e.to_string()
}

fn starts(templates: &[(&str, &str)], expected: &str) {
    let got = error(templates);
    assert!(got.starts_with(expected), "{got}");
}

#[test]
fn render_errors_name_what_is_wrong_so_the_line_is_found() {
    let t = "t.html (built-in default theme)";
    starts(
        &[(
            "t.html",
            "{% if no.field is defined %}{% endif %}\n\n{{ no.field }}",
        )],
        &format!(
            "{t}:3: template error: Variable `no.field` not found in context while rendering 't.html'"
        ),
    );
    starts(
        &[("t.html", "\n{{ range(end=1000000000) }}")],
        &format!(
            "{t}:2: template error: `range(start=0, end=1000000000, step_by=1)` would make \
             1000000000 items; the limit is 100000"
        ),
    );
    starts(
        &[("t.html", "\n\n{{ 1 | replace(from=1, to=2) }}")],
        &format!(
            "{t}:3: template error: Filter `replace` was called on an incorrect value: \
             got `1` but expected a String"
        ),
    );
    starts(
        &[("t.html", "\n{{ nofn() }}")],
        &format!("{t}:2: template error: Function 'nofn' not found"),
    );
    starts(
        &[("t.html", "\n\n{% include \"nav.html\" %}")],
        &format!("{t}:3: template error: Template '[nav.html]' not found"),
    );
    starts(
        &[
            ("t.html", "{% import \"m.html\" as m %}{{ m::menu() }}"),
            (
                "m.html",
                "\n{% macro menu() %}{{ self::menu() }}{% endmacro %}",
            ),
        ],
        "m.html (built-in default theme):2: template error: macro calls nested more than 100 \
         deep: the macro `self::menu` keeps calling itself (directly or through other macros) \
         in 'm.html'",
    );
}

#[test]
fn load_errors_name_what_is_wrong_so_the_line_is_found() {
    let t = "t.html (built-in default theme)";
    starts(
        &[("t.html", "\n{{ \"x\" | shout }}")],
        &format!("{t}:2: template error: Filter 'shout' not found"),
    );
    starts(
        &[("t.html", "\n\n{% if x is odd2 %}{% endif %}")],
        &format!("{t}:3: template error: Test 'odd2' not found"),
    );
    starts(
        &[(
            "t.html",
            "{% block a %}{% endblock a %}\n{% block a %}{% endblock a %}",
        )],
        &format!("{t}:2: template error: Block `a` is duplicated"),
    );
    starts(
        &[(
            "t.html",
            "{% macro m() %}{% endmacro m %}\n{% macro m() %}{% endmacro m %}",
        )],
        &format!("{t}:2: template error: Macro `m` is duplicated"),
    );
    starts(
        &[("t.html", "\n{{ 99999999999999999999 }}")],
        &format!("{t}:2: template error: Integer out of bounds: `99999999999999999999`"),
    );
}

#[test]
fn a_name_used_twice_gets_no_line_but_both() {
    assert_eq!(
        error(&[("t.html", "{{ a.b }}\n{{ a.b }}")]),
        "t.html (built-in default theme): template error: Variable `a.b` not found in \
         context while rendering 't.html'\n  \
         Tera does not say which line: first use at line 1 (also at 2)\n  \
         hint: fix the template, or delete your copy to go back to the theme's"
    );
}
