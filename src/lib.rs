//! staffroom: a static-site generator for teachers' blogs with a personal learning
//! network built in.
//!
//! The pipeline, one module per stage:
//! `config` → `content` → `site` → `render` → `feeds` → `output`, run in order by `build`.
//! `serve` runs the same stages again on each save, for a live preview.
//! The `cli` module is the thin edge that turns arguments into calls.

pub mod build;
pub mod cli;
pub mod config;
pub mod content;
pub mod error;
pub mod feeds;
pub mod output;
pub mod render;
pub mod serve;
pub mod site;

pub use error::{Error, Result};
