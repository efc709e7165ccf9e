//! Templates a clerk can trust, round three (issue 20): nothing wrong
//! reaches the report without a word. One test (or more) for each numbered
//! case of the issue. They run the command as a clerk would;
//! `KC_BIN=/path/to/old/khuyencong` runs them against another build of it
//! (each fails against the build before the issue's work).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::{copy_dir, root, scratch};

// ---- running the command ----

/// The command under test: this build, or `KC_BIN`.
fn bin() -> PathBuf {
    std::env::var_os("KC_BIN")
        .map_or_else(|| env!("CARGO_BIN_EXE_khuyencong").into(), PathBuf::from)
}

/// Runs the command in `dir`, killing it after `limit`: a command that
/// hangs fails the test instead of hanging it.
fn timed(command: &mut Command, limit: Duration) -> Output {
    let child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if finished.recv_timeout(limit).is_err() {
            let _ = Command::new("kill").arg("-9").arg(id.to_string()).status();
        }
    });
    let out = child.wait_with_output().unwrap();
    let _ = done.send(());
    out
}

/// `khuyencong ARGS` run in `dir`, within a minute.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    timed(
        Command::new(bin()).args(args).current_dir(dir),
        Duration::from_secs(60),
    )
}

/// What the command printed, stdout then stderr.
fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A working folder as a clerk has it: `input/` (the sample data) and
/// `templates/` (the defaults, exported), nothing else.
fn workspace(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_dir(&root().join("input"), &dir.join("input"));
    copy_dir(&root().join("templates"), &dir.join("templates"));
    dir
}

/// Every file under `dir`, relative, in order.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect();
    found.sort();
    found
}

// ---- 1. Windows files ----

/// Rewrites a text file as Windows saves it: a BOM, CRLF line ends (or,
/// `cr_only`, the lone CR of old Mac editors).
fn as_windows(path: &Path, cr_only: bool) {
    let text = std::fs::read_to_string(path).unwrap();
    let end = if cr_only { "\r" } else { "\r\n" };
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(text.replace('\n', end).into_bytes());
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn windows_files_build_the_same_report_byte_for_byte() {
    let linux = workspace("windows-lf");
    let windows = workspace("windows-crlf");
    for (i, file) in files(&windows.join("templates")).iter().enumerate() {
        as_windows(&windows.join("templates").join(file), i == 1);
    }
    for (i, file) in files(&windows.join("input")).iter().enumerate() {
        as_windows(&windows.join("input").join(file), i == 2);
    }
    let check = run_in(&windows, &["templates", "check"]);
    assert!(check.status.success(), "{}", said(&check));
    assert!(
        said(&check).contains("0 đã sửa, 6 giống mẫu mặc định"),
        "a template saved on Windows is the default it was exported as: {}",
        said(&check)
    );
    for dir in [&linux, &windows] {
        let out = run_in(dir, &["build"]);
        assert!(out.status.success(), "{}: {}", dir.display(), said(&out));
    }
    let reports: Vec<PathBuf> = files(&linux.join("output"))
        .into_iter()
        .filter(|f| !f.to_string_lossy().contains("manifest"))
        .collect();
    assert_eq!(reports.len(), 4, "{reports:?}");
    for file in &reports {
        let (a, b) = (
            std::fs::read(linux.join("output").join(file)).unwrap(),
            std::fs::read(windows.join("output").join(file)).unwrap(),
        );
        assert!(a == b, "{} differs", file.display());
    }

    // A Markdown file edited on Windows renders as the same file on Linux.
    let md = reports
        .iter()
        .find(|f| f.extension().unwrap() == "md")
        .unwrap();
    for (dir, windows_file) in [("render-lf", false), ("render-crlf", true)] {
        let at = linux.join(dir);
        std::fs::create_dir_all(&at).unwrap();
        std::fs::copy(linux.join("output").join(md), at.join(md)).unwrap();
        if windows_file {
            as_windows(&at.join(md), false);
        }
        let out = run_in(&linux, &["render", &format!("{dir}/{}", md.display())]);
        assert!(out.status.success(), "{}", said(&out));
    }
    for ext in ["docx", "pdf"] {
        let name = md.with_extension(ext);
        assert!(
            std::fs::read(linux.join("render-lf").join(&name)).unwrap()
                == std::fs::read(linux.join("render-crlf").join(&name)).unwrap(),
            "{} rendered from a Windows file differs",
            name.display()
        );
    }
    let _ = std::fs::remove_dir_all(&linux);
    let _ = std::fs::remove_dir_all(&windows);
}

/// A clone by Git for Windows (`core.autocrlf=true`) checks out LF text:
/// the attributes say so for every kind of text file, and fonts are binary.
#[test]
fn git_checks_out_text_with_lf_everywhere() {
    if !common::have_tool("git") {
        return;
    }
    for (file, eol) in [
        ("templates/bao-cao.md", "lf"),
        ("input/ke-hoach-2023.json", "lf"),
        ("src/main.rs", "lf"),
        ("Cargo.toml", "lf"),
    ] {
        let out = Command::new("git")
            .args(["check-attr", "eol", "--", file])
            .current_dir(root())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(said.trim(), format!("{file}: eol: {eol}"));
    }
    let fonts: Vec<PathBuf> = files(&root().join("assets"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "ttf"))
        .collect();
    assert!(!fonts.is_empty());
    for font in fonts {
        let path = Path::new("assets").join(&font);
        let out = Command::new("git")
            .args(["check-attr", "binary", "--"])
            .arg(&path)
            .current_dir(root())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.trim().ends_with("binary: set"), "{said}");
    }
}
