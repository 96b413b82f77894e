//! staffroom: a static-site generator for teachers' blogs with a personal learning
//! network built in.
//!
//! The pipeline, one module per stage:
//! `config` → `content` → `site` → `render` → `feeds` → `output`, run in order by `build`;
//! beside them `network` (the blogroll, its feeds and their cache), `responses` (what
//! other blogs wrote back, shown under each post), `webmention` (telling linked sites
//! about new posts), `check` (links and images in the built site) and `serve` (the live
//! preview, which runs the same stages again on each save). `import` brings an old blog
//! (WordPress, Blogger, Jekyll, Hugo) into the site's files before any of that runs.
//! The `cli` module is the thin edge that turns arguments into calls.

#![forbid(unsafe_code)]

pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod error;
pub mod feeds;
pub mod import;
pub mod incremental;
pub mod init;
pub mod lock;
pub mod network;
pub mod output;
pub mod render;
pub mod responses;
pub mod serve;
pub mod site;
pub mod webmention;
pub mod words;

pub use error::{Error, Result};
