//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use khuyencong::contract::keys::Key;
use khuyencong::contract::{Plan, Submission};
use khuyencong::excel::form::{Cell, Entry};
use khuyencong::excel::{self, Field};
use khuyencong::validate::{Dataset, Loaded};

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

/// Converts DOCX (or XLSX) files to PDF, each into `dir`, with one LibreOffice run
/// (starting it costs seconds). The profile is private, in `dir`: a
/// LibreOffice already running would otherwise take the job.
pub fn libreoffice_to_pdf(dir: &Path, files: &[PathBuf]) {
    let mut soffice = Command::new("soffice");
    soffice
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("profile").display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .args(files);
    succeed(soffice);
}

/// The text of a PDF as pdftotext reads it in `mode` ("-raw", "-layout"),
/// every page ending with a form feed.
pub fn pdf_text(pdf: &Path, mode: &str) -> String {
    let mut pdftotext = Command::new("pdftotext");
    pdftotext.arg(mode).arg(pdf).arg("-");
    String::from_utf8(succeed(pdftotext)).expect("pdftotext ra UTF-8")
}

/// Runs an external tool, which must succeed, and returns its output.
fn succeed(mut command: Command) -> Vec<u8> {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("chạy {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
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

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An empty private folder for one test (unique per test binary and name).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kc-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies a folder tree.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A private copy of the bundled input, to change or break.
pub fn copy_of_input(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_dir(&root().join("input"), &dir);
    dir
}

/// Replaces the first `from` in a file, which must contain it.
pub fn edit(path: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Runs the built `khuyencong` binary from the repository root.
pub fn khuyencong(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_khuyencong"));
    c.args(args).current_dir(root());
    c
}

/// Asserts that an independent OOXML validator (`openxml-audit`, the
/// schema and semantic rules Word applies) finds nothing in any DOCX under
/// `dir` (one run for all: the validator takes a second to start). Returns
/// false (after a loud skip message) when the validator is absent outside
/// CI.
pub fn assert_word_valid(dir: &std::path::Path) -> bool {
    if !have_tool("openxml-audit") {
        return false;
    }
    let out = Command::new("openxml-audit")
        .args(["-r", "-m", "0", "-o", "json"])
        .arg(dir)
        .output()
        .expect("chạy openxml-audit");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "openxml-audit {}: {e}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    // Only the DOCX files: a LibreOffice profile beside them holds ODF files.
    let files: Vec<&serde_json::Value> = report
        .as_array()
        .expect("một danh sách kết quả")
        .iter()
        .filter(|f| f["file"].as_str().is_some_and(|n| n.ends_with(".docx")))
        .collect();
    assert!(
        !files.is_empty(),
        "không có tệp DOCX nào trong {}",
        dir.display()
    );
    let mut problems = Vec::new();
    for entry in files {
        for error in entry["errors"].as_array().into_iter().flatten() {
            problems.push(format!(
                "{}: {} {} ({})",
                entry["file"], error["part_uri"], error["path"], error["description"]
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} lỗi lược đồ OOXML:\n{}",
        problems.len(),
        problems.join("\n")
    );
    true
}

/// Width and height of every page, in points (pdfinfo).
pub fn page_sizes(pdf: &Path) -> Vec<(f32, f32)> {
    let info = |args: &[&str]| {
        let out = std::process::Command::new("pdfinfo")
            .args(args)
            .arg(pdf)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let pages = info(&[])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .to_string();
    info(&["-f", "1", "-l", &pages])
        .lines()
        .filter(|l| l.starts_with("Page ") && l.contains(" size:"))
        .map(|l| {
            let n: Vec<f32> = l
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            (n[n.len() - 2], n[n.len() - 1])
        })
        .collect()
}

/// A4 portrait, in points.
pub fn is_portrait((w, h): (f32, f32)) -> bool {
    (w - 595.3).abs() < 0.5 && (h - 841.9).abs() < 0.5
}

/// A4 landscape, in points.
pub fn is_landscape((w, h): (f32, f32)) -> bool {
    is_portrait((h, w))
}

/// The page texts of a PDF (pdftotext -layout), page 1 first.
pub fn pdf_pages(pdf: &Path) -> Vec<String> {
    let text = pdf_text(pdf, "-layout");
    let mut pages: Vec<String> = text.split('\u{c}').map(String::from).collect();
    pages.pop(); // after the last form feed
    pages
}

/// The main part of a DOCX, as text.
pub fn document_xml(docx: &Path) -> String {
    zip_part(docx, "word/document.xml")
}

/// The DOCX of a document, through its prepared layout.
pub fn docx(doc: &khuyencong::document::Document) -> Vec<u8> {
    let prepared = khuyencong::render::prepared::prepare(doc).unwrap_or_else(|e| panic!("{e}"));
    khuyencong::render::docx::write(&prepared).unwrap_or_else(|e| panic!("ghi DOCX: {e}"))
}

/// The PDF of a document, through its prepared layout.
pub fn pdf(doc: &khuyencong::document::Document) -> Vec<u8> {
    try_pdf(doc).unwrap_or_else(|e| panic!("ghi PDF: {e}"))
}

/// The PDF of a document, or the PDF writer's error.
pub fn try_pdf(
    doc: &khuyencong::document::Document,
) -> Result<Vec<u8>, khuyencong::render::pdf::PdfError> {
    let prepared = khuyencong::render::prepared::prepare(doc).unwrap_or_else(|e| panic!("{e}"));
    khuyencong::render::pdf::write(&prepared)
}

/// The PDF's pages of a document, through its prepared layout.
pub fn layout(
    doc: &khuyencong::document::Document,
) -> Result<khuyencong::render::pdf::layout::Layout, khuyencong::render::pdf::PdfError> {
    let prepared = khuyencong::render::prepared::prepare(doc).unwrap_or_else(|e| panic!("{e}"));
    khuyencong::render::pdf::layout::layout(&prepared)
}

/// A part of a zip package (DOCX, XLSX), as text.
pub fn zip_part(package: &Path, name: &str) -> String {
    let bytes = std::fs::read(package).unwrap();
    zip_part_of(&bytes, name).unwrap_or_else(|| panic!("{}: thiếu {name}", package.display()))
}

/// A part of a zip package held in memory, as text; None when missing.
pub fn zip_part_of(package: &[u8], name: &str) -> Option<String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(package)).unwrap();
    let mut xml = String::new();
    zip.by_name(name).ok()?.read_to_string(&mut xml).unwrap();
    Some(xml)
}

/// The text of XML, tags taken out (entities left as written).
pub fn xml_text(xml: &str) -> String {
    let mut text = String::new();
    let mut inside = false;
    for c in xml.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => text.push(c),
            _ => {}
        }
    }
    text
}

/// Every file under `dir` with its bytes, by path relative to `dir`.
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            (e.path().strip_prefix(dir).unwrap().to_path_buf(), bytes)
        })
        .collect();
    all.sort();
    all
}

/// The command under test: this build, or `KC_BIN` (another build, to
/// show a test fails against it).
pub fn bin() -> PathBuf {
    std::env::var_os("KC_BIN")
        .map_or_else(|| env!("CARGO_BIN_EXE_khuyencong").into(), PathBuf::from)
}

/// Runs a command, killing it after `limit`: a command that hangs fails
/// the test instead of hanging it.
pub fn timed(command: &mut Command, limit: Duration) -> Output {
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

/// What a command printed, stdout then stderr.
pub fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `build --input INPUT --output OUTPUT`, run as a user runs it.
pub fn build(input: &Path, output: &Path) -> Output {
    khuyencong(&["build", "--input"])
        .arg(input)
        .arg("--output")
        .arg(output)
        .output()
        .unwrap()
}

/// The report of `input` with the bundled templates, through the library.
pub fn report(input: &Path) -> khuyencong::pipeline::Report {
    khuyencong::pipeline::run(&khuyencong::pipeline::Inputs {
        input: input.to_path_buf(),
        templates: root().join("templates"),
        year: None,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

// ---- filling a unit's Excel form ----

/// The submission of `unit` that is counted (its highest revision).
pub fn counted<'d>(data: &'d Dataset, unit: &str) -> &'d Loaded<Submission> {
    data.submissions
        .iter()
        .find(|s| s.value.ma_don_vi == unit)
        .expect("đơn vị có báo cáo")
}

/// The index of a column of the "Hoạt động" sheet.
pub fn col(plan: &Plan, field: &Field) -> u16 {
    excel::activity_columns(plan)
        .iter()
        .position(|c| &c.field == field)
        .unwrap() as u16
}

/// A form's entries with one cell set (or, with None, cleared).
pub fn set(entries: &mut Vec<Entry>, sheet: &'static str, row: u32, col: u16, cell: Option<Cell>) {
    entries.retain(|e| !(e.sheet == sheet && e.row == row && e.col == col));
    entries.extend(cell.map(|cell| Entry {
        sheet,
        row,
        col,
        cell,
    }));
}

/// The first activity's cell of a column (row 3 of "Hoạt động").
pub fn first(entries: &mut Vec<Entry>, plan: &Plan, field: Field, cell: Option<Cell>) {
    set(entries, excel::SHEET_ACTIVITIES, 2, col(plan, &field), cell);
}

pub fn text(s: &str) -> Option<Cell> {
    Some(Cell::Text(s.into()))
}

/// The "Thông tin" sheet's cell of a submission's key.
pub fn info(entries: &mut Vec<Entry>, key: Key, cell: Option<Cell>) {
    set(
        entries,
        excel::SHEET_INFO,
        excel::info_row(key),
        excel::INFO_VALUE_COL,
        cell,
    );
}
