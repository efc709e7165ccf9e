//! The command line, in the manner of mdBook's `src/cmd/`: the schema
//! (`args`), one module per command, and `messages`, the one place that
//! prints (declared first, so that its macros are in scope in the others).

#[macro_use]
mod messages;

pub mod args;
pub mod bieu_mau;
pub mod build;
pub mod context;
pub mod diff;
pub mod nhap;
pub mod render;
pub mod schema;
pub mod templates;
pub mod validate;
pub mod xem;
