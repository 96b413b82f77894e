//! staffroom patch: the bounds in `crate::limits` turn into errors, and legitimate
//! templates below them still render.

use crate::context::Context;
use crate::tera::Tera;

fn render(templates: Vec<(&str, &str)>) -> Result<String, String> {
    // The stack staffroom gives Tera: on a test thread's 2 MB the stack check would
    // stop a macro before its call-depth bound does.
    stacker::maybe_grow(64 << 20, 64 << 20, || render_here(templates))
}

fn render_here(templates: Vec<(&str, &str)>) -> Result<String, String> {
    let mut tera = Tera::default();
    tera.add_raw_templates(templates).map_err(|e| format!("{:?}", e))?;
    tera.render("tpl", &Context::new()).map_err(|e| {
        let mut all = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            all += &format!("\n{}", s);
            source = s.source();
        }
        all
    })
}

fn error(templates: Vec<(&str, &str)>) -> String {
    render(templates).expect_err("should be refused")
}

#[test]
fn a_macro_that_calls_itself_is_an_error() {
    let e = error(vec![(
        "tpl",
        "{% macro m(n) %}{{ self::m(n=n) }}{% endmacro m %}{{ self::m(n=1) }}",
    )]);
    assert!(e.contains("macro calls nested more than 100 deep: the macro `self::m`"), "{}", e);
}

#[test]
fn macros_that_call_each_other_are_an_error() {
    let e = error(vec![(
        "tpl",
        "{% macro a() %}{{ self::b() }}{% endmacro a %}\
         {% macro b() %}{{ self::a() }}{% endmacro b %}{{ self::a() }}",
    )]);
    assert!(e.contains("macro calls nested more than 100 deep"), "{}", e);
}

#[test]
fn a_recursive_macro_with_a_stop_renders() {
    let out = render(vec![(
        "tpl",
        "{% macro m(n) %}{% if n > 0 %}({{ self::m(n=n-1) }}){% endif %}{% endmacro m %}\
         {{ self::m(n=50) }}",
    )])
    .unwrap();
    assert_eq!(out, format!("{}{}", "(".repeat(50), ")".repeat(50)));
}

#[test]
fn an_include_of_itself_through_a_list_is_an_error() {
    let e = error(vec![("tpl", "{% include [\"nope\", \"tpl\"] %}")]);
    assert!(e.contains("includes nested more than 100 deep: 'tpl'"), "{}", e);
}

#[test]
fn range_is_bounded() {
    let e = error(vec![("tpl", "{% for i in range(end=1000000000) %}{% endfor %}")]);
    assert!(e.contains("would make 1000000000 items; the limit is 100000"), "{}", e);
    let e = error(vec![("tpl", "{{ range(end=5, step_by=0) }}")]);
    assert!(e.contains("step_by=0"), "{}", e);
    assert_eq!(render(vec![("tpl", "{{ range(start=1, end=8, step_by=3) }}")]).unwrap(), "[1, 4, 7]");
}

#[test]
fn loops_are_bounded() {
    let e = error(vec![(
        "tpl",
        "{% for i in range(end=2000) %}{% for j in range(end=2000) %}{% endfor %}{% endfor %}",
    )]);
    assert!(e.contains("more than 1000000 loop turns"), "{}", e);
}

#[test]
fn text_that_doubles_is_bounded() {
    let e = error(vec![(
        "tpl",
        "{% set s = \"xxxxxxxx\" %}{% for i in range(end=40) %}{% set_global s = s ~ s %}{% endfor %}",
    )]);
    assert!(e.contains("would be more than 32 MB"), "{}", e);
    let e = error(vec![(
        "tpl",
        "{% set s = \"xxxxxxxxxxxxxxxx\" %}{% for i in range(end=8) %}\
         {% set_global s = s | replace(from=\"x\", to=s) %}{% endfor %}",
    )]);
    assert!(e.contains("would be more than 32 MB"), "{}", e);
}

#[test]
fn deep_source_nesting_is_an_error() {
    let deep = format!("{{{{ 1{} }}}}", " + 1".repeat(1000));
    let e = error(vec![("tpl", &deep)]);
    assert!(e.contains("nested more than 400 deep"), "{}", e);
}

#[test]
fn nesting_past_the_parsers_stack_is_the_same_error() {
    // Deep enough for pest's own stack guard on the test thread's stack, which
    // comes before `check_nesting` can see the tree.
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(200_000), ")".repeat(200_000));
    let e = error(vec![("tpl", &deep)]);
    assert!(e.contains("line 1, column "), "{}", e);
    assert!(e.contains("nested more than 400 deep here"), "{}", e);
    assert!(!e.contains("stack limit"), "{}", e);
}

#[test]
fn an_import_cycle_is_an_error() {
    let e = error(vec![
        ("m1", "{% import \"m2\" as m2 %}{% macro a() %}{{ m2::b() }}{% endmacro a %}"),
        ("m2", "{% import \"m1\" as m1 %}{% macro b() %}{{ m1::a() }}{% endmacro b %}"),
        ("tpl", "{% import \"m1\" as m1 %}{{ m1::a() }}"),
    ]);
    assert!(e.contains("import macros from each other in a circle"), "{}", e);
}
