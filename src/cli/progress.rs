//! What a long network command shows while it works: a bar of its requests, and a
//! line when it waits for another command's lock.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Output;

/// A bar counting `what` ("feeds", "links") on stderr, drawn only at a terminal and
/// without --quiet (a log gets no bar).
pub fn bar(o: &Output, what: &str) -> ProgressBar {
    let bar = ProgressBar::hidden();
    if !o.quiet && std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        let template = format!("{{bar:30}} {{pos}}/{{len}} {what}  {{wide_msg}}");
        bar.set_style(
            ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
    }
    bar
}

/// What the library's runs call after each item: (done, total, the item's name).
pub fn advance(bar: &ProgressBar) -> impl FnMut(usize, usize, &str) + '_ {
    move |done, total, name| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(name.to_string());
    }
}

/// Tells the teacher when a command waits for another one's lock.
pub fn waiting<'a>(o: &'a mut Output<'_>) -> impl FnMut(&str) + 'a {
    move |message: &str| {
        if !o.quiet {
            let _ = writeln!(o.err, "{message}");
        }
    }
}
