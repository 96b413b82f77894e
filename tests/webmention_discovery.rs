//! Endpoint discovery, case by case as the public Webmention test suite numbers them
//! (webmention.rocks/test/1 ... 23). Each test serves the case's page from a real
//! HTTP server on 127.0.0.1, runs `staffroom webmention send` for a post that links to
//! it, and checks that exactly one POST reached the right endpoint with the right
//! `source` and `target`.

mod common;

use std::collections::HashMap;

use common::*;

const SOURCE: &str = "https://teacher.example.org/blog/posts/reply/";

fn html(body: String, headers: Vec<(&'static str, String)>) -> Reply {
    Reply::Ok {
        body: format!("<!doctype html><html><head><title>test</title>{body}").into_bytes(),
        content_type: "text/html; charset=utf-8",
        headers,
    }
}

/// Serve `page` (given the server's base URL and the request path; None for "not
/// the page") and expect the POST at `endpoint` (a path with its query). `target` is
/// the path the post links to.
fn check(
    target: &str,
    endpoint: &str,
    page: impl Fn(&str, &str) -> Option<Reply> + Send + Sync + 'static,
) {
    let server = Server::start(move |path, headers: &HashMap<String, String>| {
        let base = format!("http://{}", headers["host"]);
        page(&base, path).unwrap_or(Reply::Status(202, vec![]))
    });
    let site = site("");
    let link = server.url(target);
    std::fs::write(
        site.path().join("content/posts/reply.md"),
        format!("---\ntitle: A reply\ndate: 2024-02-01\n---\nI answer [this post]({link}).\n"),
    )
    .unwrap();
    staffroom(site.path(), &["webmention", "send", "--allow-private"]).success();
    let posts = server.posts();
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let post = &posts[0];
    assert_eq!(post.path, endpoint, "the POST went to the wrong endpoint");
    assert_eq!(post.form("source").as_deref(), Some(SOURCE));
    assert_eq!(post.form("target").as_deref(), Some(link.as_str()));
    assert!(
        post.headers["content-type"].starts_with("application/x-www-form-urlencoded"),
        "{:?}",
        post.headers
    );
}

/// A case whose page is at /test/N and answers GETs only there.
fn case(n: u32, endpoint: &str, page: impl Fn(&str) -> Reply + Send + Sync + 'static) {
    let me = format!("/test/{n}");
    let page_path = me.clone();
    check(&me, endpoint, move |base, path| {
        (path == page_path).then(|| page(base))
    });
}

#[test]
fn discovery_01_link_header_unquoted_rel_relative() {
    case(1, "/test/1/webmention?head=true", |_| {
        html(
            String::new(),
            vec![(
                "Link",
                "</test/1/webmention?head=true>; rel=webmention".into(),
            )],
        )
    });
}

#[test]
fn discovery_02_link_header_unquoted_rel_absolute() {
    case(2, "/test/2/webmention?head=true", |b| {
        html(
            String::new(),
            vec![(
                "Link",
                format!("<{b}/test/2/webmention?head=true>; rel=webmention"),
            )],
        )
    });
}

#[test]
fn discovery_03_link_element_relative() {
    case(3, "/test/3/webmention", |_| {
        html(
            r#"<link rel="webmention" href="/test/3/webmention">"#.into(),
            vec![],
        )
    });
}

#[test]
fn discovery_04_link_element_absolute() {
    case(4, "/test/4/webmention", |b| {
        html(
            format!(r#"<link rel="webmention" href="{b}/test/4/webmention">"#),
            vec![],
        )
    });
}

#[test]
fn discovery_05_a_element_relative() {
    case(5, "/test/5/webmention", |_| {
        html(
            r#"</head><body><a rel="webmention" href="/test/5/webmention">endpoint</a>"#.into(),
            vec![],
        )
    });
}

#[test]
fn discovery_06_a_element_absolute() {
    case(6, "/test/6/webmention", |b| {
        html(
            format!(
                r#"</head><body><a rel="webmention" href="{b}/test/6/webmention">endpoint</a>"#
            ),
            vec![],
        )
    });
}

#[test]
fn discovery_07_link_header_strange_casing() {
    case(7, "/test/7/webmention?head=true", |b| {
        html(
            String::new(),
            vec![(
                "LinK",
                format!("<{b}/test/7/webmention?head=true>; REL=\"WebMention\""),
            )],
        )
    });
}

#[test]
fn discovery_08_link_header_quoted_rel() {
    case(8, "/test/8/webmention?head=true", |b| {
        html(
            String::new(),
            vec![(
                "Link",
                format!("<{b}/test/8/webmention?head=true>; rel=\"webmention\""),
            )],
        )
    });
}

#[test]
fn discovery_09_link_element_with_several_rel_values() {
    case(9, "/test/9/webmention", |_| {
        html(
            r#"<link rel="webmention somethingelse" href="/test/9/webmention">"#.into(),
            vec![],
        )
    });
}

#[test]
fn discovery_10_link_header_with_several_rel_values() {
    case(10, "/test/10/webmention?head=true", |b| {
        html(
            String::new(),
            vec![(
                "Link",
                format!("<{b}/test/10/webmention?head=true>; rel=\"webmention somethingelse\""),
            )],
        )
    });
}

#[test]
fn discovery_11_header_link_and_a_all_present_header_wins() {
    case(11, "/test/11/webmention?head=true", |b| {
        html(
            format!(
                r#"<link rel="webmention" href="{b}/test/11/webmention?link=true"></head><body><a rel="webmention" href="{b}/test/11/webmention?a=true">endpoint</a>"#
            ),
            vec![(
                "Link",
                format!("<{b}/test/11/webmention?head=true>; rel=\"webmention\""),
            )],
        )
    });
}

#[test]
fn discovery_12_rel_must_be_exactly_webmention() {
    case(12, "/test/12/webmention", |_| {
        html(
            r#"<link rel="not-webmention" href="/test/12/wrong"><link rel="webmention" href="/test/12/webmention">"#.into(),
            vec![],
        )
    });
}

#[test]
fn discovery_13_false_endpoint_in_an_html_comment() {
    case(13, "/test/13/webmention", |_| {
        html(
            r#"</head><body><!-- <a href="/test/13/wrong" rel="webmention"></a> --><a href="/test/13/webmention" rel="webmention">endpoint</a>"#.into(),
            vec![],
        )
    });
}

#[test]
fn discovery_14_false_endpoint_in_escaped_html() {
    case(14, "/test/14/webmention", |_| {
        html(
            r#"</head><body><p>This post contains sample code with escaped HTML: <code>&lt;a href="/test/14/wrong" rel="webmention"&gt;&lt;/a&gt;</code></p><a href="/test/14/webmention" rel="webmention">endpoint</a>"#.into(),
            vec![],
        )
    });
}

#[test]
fn discovery_15_empty_href_means_the_page_itself() {
    case(15, "/test/15", |_| {
        html(r#"<link rel="webmention" href="">"#.into(), vec![])
    });
}

#[test]
fn discovery_16_a_before_link_first_wins() {
    case(16, "/test/16/webmention?a=true", |_| {
        html(
            r#"</head><body><a href="/test/16/webmention?a=true" rel="webmention">endpoint</a><link rel="webmention" href="/test/16/webmention?link=true">"#.into(),
            vec![],
        )
    });
}

#[test]
fn discovery_17_link_before_a_first_wins() {
    case(17, "/test/17/webmention?link=true", |_| {
        html(
            r#"<link rel="webmention" href="/test/17/webmention?link=true"></head><body><a href="/test/17/webmention?a=true" rel="webmention">endpoint</a>"#.into(),
            vec![],
        )
    });
}

#[test]
fn discovery_18_several_link_headers() {
    case(18, "/test/18/webmention?head=true", |b| {
        html(
            String::new(),
            vec![
                ("Link", format!("<{b}/test/18/error>; rel=\"other\"")),
                (
                    "Link",
                    format!("<{b}/test/18/webmention?head=true>; rel=\"webmention\""),
                ),
            ],
        )
    });
}

#[test]
fn discovery_19_one_link_header_with_several_values() {
    case(19, "/test/19/webmention?head=true", |b| {
        html(
            String::new(),
            vec![(
                "Link",
                format!(
                    "<{b}/test/19/error>; rel=\"other\", <{b}/test/19/webmention?head=true>; rel=\"webmention\""
                ),
            )],
        )
    });
}

#[test]
fn discovery_20_link_element_without_href_is_ignored() {
    case(20, "/test/20/webmention", |_| {
        html(
            r#"<link rel="webmention"></head><body><a href="/test/20/webmention" rel="webmention">endpoint</a>"#.into(),
            vec![],
        )
    });
}

#[test]
fn discovery_21_endpoint_query_string_is_kept() {
    case(21, "/test/21/webmention?query=yes", |_| {
        html(
            r#"<link rel="webmention" href="/test/21/webmention?query=yes">"#.into(),
            vec![],
        )
    });
}

#[test]
fn discovery_22_endpoint_relative_to_the_page_path() {
    case(22, "/test/22/webmention", |_| {
        html(
            r#"<link rel="webmention" href="22/webmention">"#.into(),
            vec![],
        )
    });
}

#[test]
fn discovery_23_redirected_target_with_relative_endpoint() {
    check(
        "/test/23/page",
        "/test/23/page/webmention-endpoint/k3y",
        |_, path| match path {
            "/test/23/page" => Some(Reply::Status(
                302,
                vec![("Location", "/test/23/page/k3y".into())],
            )),
            "/test/23/page/k3y" => Some(html(
                String::new(),
                vec![(
                    "Link",
                    "<webmention-endpoint/k3y>; rel=\"webmention\"".into(),
                )],
            )),
            _ => None,
        },
    );
}
