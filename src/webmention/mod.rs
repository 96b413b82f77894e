//! Sending Webmentions (W3C Recommendation): after a post is published, tell every
//! page it links to, so those blogs can show the post as a response.
//!
//! Reading order: `discover` (where a page takes Webmentions) → `ledger` (what was
//! already sent) → `journal` (what a running send did, safe from a kill) → `send`
//! (all of it for every post, with a bounded pool).

pub mod discover;
pub mod journal;
pub mod ledger;
pub mod send;
