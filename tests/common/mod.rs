//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::PathBuf;
use std::process::Command;

/// True when an external checker (pdftotext, qpdf, soffice...) can run.
/// Locally a missing checker skips the test with a loud message; under CI
/// (`CI` set) it fails, because CI must install every checker.
pub fn have_tool(tool: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("CI: công cụ kiểm tra `{tool}` chưa được cài; .ci/run phải cài nó");
        }
        eprintln!("\n!!! BỎ QUA (SKIPPED): không tìm thấy `{tool}` trên máy này; CI sẽ bắt buộc có nó !!!\n");
    }
    found
}

/// Path of a file under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Collapses every run of whitespace to one space, for text comparisons.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
