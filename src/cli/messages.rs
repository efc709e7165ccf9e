//! The one place that prints, in the manner of ripgrep's `messages.rs`.
//!
//! Results go to stdout ([`out!`]), with a warning that qualifies them as
//! `Lưu ý: …` ([`note!`]). Problems go to stderr: an error of this command
//! as `Lỗi: …` ([`err!`]); a problem that did not stop it (a report built
//! without some unit's data) as `Cảnh báo: …` ([`warn!`]); text that
//! already says where and what went wrong (each `tệp:dòng:cột: lỗi KC…`
//! line of the data and template checks) and the advice that follows an
//! error, as it is ([`diag!`]).
//!
//! A line that cannot be written is dropped: a reader that stops early
//! (`| head`) is no reason to panic, nor to stop writing the report.

use std::fmt::Arguments;
use std::io::Write;
use std::path::Path;

use khuyencong::output::{OutputError, Wait};
use khuyencong::pipeline::BuildError;

/// A line of results on stdout.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::messages::stdout(format_args!($($arg)*))
    };
}

/// A warning on stdout, beside the result it qualifies: `Lưu ý: …`.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::cli::messages::stdout(format_args!("Lưu ý: {}", format_args!($($arg)*)))
    };
}

/// An error on stderr: `Lỗi: …`.
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::cli::messages::stderr(format_args!("Lỗi: {}", format_args!($($arg)*)))
    };
}

/// A problem that did not stop the command, on stderr: `Cảnh báo: …`.
macro_rules! warn {
    ($($arg:tt)*) => {
        $crate::cli::messages::stderr(format_args!("Cảnh báo: {}", format_args!($($arg)*)))
    };
}

/// Diagnostics, and the advice after an error, on stderr as they are.
macro_rules! diag {
    ($($arg:tt)*) => {
        $crate::cli::messages::stderr(format_args!($($arg)*))
    };
}

pub fn stdout(line: Arguments) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

pub fn stderr(line: Arguments) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Warnings about the data, one line each, beside the result: what was
/// taken but may not be what was meant.
pub fn warnings(warnings: &khuyencong::diagnostic::Diagnostics) {
    for w in &warnings.0 {
        out!("{w}");
    }
}

/// Why a build stopped. The data and template checks list their problems
/// as diagnostics; anything else is an error of the build.
pub fn build_error(e: &BuildError) {
    match e {
        BuildError::Data(_) | BuildError::Template(_) => diag!("{e}"),
        BuildError::Sums(_) | BuildError::Incomplete(_) => {
            err!("{e}")
        }
    }
}

/// How every command that writes meets another build writing into the same
/// folder: it waits (as long as the library's default), saying so once.
pub fn wait() -> Wait<'static> {
    Wait {
        notify: &|dir| {
            diag!(
                "Một lần chạy khác đang ghi vào {}; chờ lần đó ghi xong…",
                khuyencong::diagnostic::shown_path(dir)
            )
        },
        ..Wait::default()
    }
}

/// Why nothing new was written into `dir`, and what it holds now.
pub fn not_written(e: &OutputError, dir: &Path) {
    err!("{e}");
    diag!("{}", e.left().said(dir));
}

/// Help or version text, as clap lays it out.
pub fn clap_output(e: &clap::Error) {
    let _ = e.print();
}
