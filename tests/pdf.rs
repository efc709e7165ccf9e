//! The PDF writer end to end: the sample report rendered, then checked with
//! poppler and qpdf the way a reader of the file would see it.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{fixture, have_tool, squash};
use khuyencong::document::{plain_text, Block, Document};

fn sample() -> Document {
    let md = std::fs::read_to_string(fixture("bao-cao-mau.md")).unwrap();
    khuyencong::markdown::parse(&md).unwrap()
}

/// The sample rendered once and written to a unique temporary file.
struct Rendered {
    doc: Document,
    bytes: Vec<u8>,
    path: PathBuf,
}

impl Rendered {
    fn new() -> Rendered {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let doc = sample();
        let bytes = common::pdf(&doc);
        let path = std::env::temp_dir().join(format!(
            "khuyencong-pdf-{}-{}.pdf",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, &bytes).unwrap();
        Rendered { doc, bytes, path }
    }

    fn run(&self, tool: &str, args: &[&str]) -> (bool, String, String) {
        let out = Command::new(tool)
            .args(args)
            .arg(&self.path)
            .args(if tool == "pdftotext" {
                &["-"][..]
            } else {
                &[][..]
            })
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Rendered {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[test]
fn renders_identical_bytes_every_time() {
    let doc = sample();
    let first = common::pdf(&doc);
    // Another document in between must not shift any id or counter.
    let mut other = doc.clone();
    other.meta.trich_yeu = "Báo cáo khác".into();
    let between = common::pdf(&other);
    assert!(between != first);
    let second = common::pdf(&doc);
    assert!(first.starts_with(b"%PDF-"));
    assert!(first == second, "two renders in one process differ");
    // The clock never leaks in: dates come from `ngay`.
    let text = String::from_utf8_lossy(&first);
    assert!(
        text.contains("D:20231215000000"),
        "creation date not taken from `ngay`"
    );
}

/// Nghị định 30/2020: electronic documents are PDF 1.4 or later; the XMP
/// metadata carries the title, the author and the report's date.
#[test]
fn is_pdf_1_4_with_xmp_metadata() {
    let doc = sample();
    let bytes = common::pdf(&doc);
    assert!(
        bytes.starts_with(b"%PDF-1.4"),
        "{:?}",
        String::from_utf8_lossy(&bytes[..8])
    );
    let text = String::from_utf8_lossy(&bytes);
    let xmp = &text
        [text.find("<x:xmpmeta").expect("có XMP")..text.find("</x:xmpmeta>").expect("XMP đóng")];
    assert!(xmp.contains(&doc.meta.trich_yeu), "{xmp}");
    assert!(
        xmp.contains(&doc.meta.co_quan_ban_hanh.replace('&', "&amp;")),
        "{xmp}"
    );
    assert!(
        xmp.contains("<xmp:CreateDate>2023-12-15T00:00:00Z</xmp:CreateDate>"),
        "{xmp}"
    );
    assert!(text.contains("/Metadata"), "catalog links the metadata");
}

#[test]
fn qpdf_finds_no_problem() {
    if !have_tool("qpdf") {
        return;
    }
    let pdf = Rendered::new();
    let (ok, out, err) = pdf.run("qpdf", &["--check"]);
    assert!(ok, "qpdf --check failed:\n{out}\n{err}");
    assert!(
        !out.to_lowercase().contains("warning") && err.trim().is_empty(),
        "qpdf warnings:\n{out}\n{err}"
    );
}

#[test]
fn every_page_is_a4() {
    if !have_tool("pdfinfo") {
        return;
    }
    let pdf = Rendered::new();
    let last = pdf
        .run("pdfinfo", &[])
        .1
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().to_string())
        .unwrap();
    let (ok, out, err) = pdf.run("pdfinfo", &["-f", "1", "-l", &last]);
    assert!(ok, "{err}");
    let sizes: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("Page ") && l.contains(" size:") && !l.starts_with("Page size"))
        .collect();
    assert_eq!(sizes.len().to_string(), last);
    assert!(sizes.len() >= 2, "{out}");
    for line in sizes {
        let numbers: Vec<f32> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        let (w, h) = (numbers[numbers.len() - 2], numbers[numbers.len() - 1]);
        assert!(
            (w - 595.0).abs() <= 1.0 && (h - 842.0).abs() <= 1.0,
            "{line}"
        );
    }
    assert!(
        out.contains("Title:           Kết quả thực hiện kế hoạch khuyến công năm 2023"),
        "{out}"
    );
    assert!(
        out.contains("Author:          TRUNG TÂM KHUYẾN CÔNG"),
        "{out}"
    );
    assert!(!out.contains("PDF/X"), "claims PDF/X:\n{out}");
}

#[test]
fn every_font_is_embedded_and_subset() {
    if !have_tool("pdffonts") {
        return;
    }
    let pdf = Rendered::new();
    let (ok, out, err) = pdf.run("pdffonts", &[]);
    assert!(ok, "{err}");
    let fonts: Vec<&str> = out.lines().skip(2).collect();
    assert!(fonts.len() >= 3, "{out}");
    for font in fonts {
        let name = font.split_whitespace().next().unwrap();
        let columns: Vec<&str> = font.split_whitespace().collect();
        let flags = &columns[columns.len() - 5..columns.len() - 2];
        assert_eq!(flags, ["yes", "yes", "yes"], "emb/sub/uni: {font}");
        assert!(
            name.len() > 7
                && name.as_bytes()[6] == b'+'
                && name[..6].bytes().all(|b| b.is_ascii_uppercase()),
            "{font}"
        );
    }
    assert!(
        pdf.bytes.len() < 150_000,
        "{} bytes: fonts not subset?",
        pdf.bytes.len()
    );
}

/// The document's texts in reading order: each paragraph, heading and list
/// item alone, and each table's cells together (pdftotext reads a table's
/// cells in no reliable order, interleaving the lines of wrapped cells).
enum Piece {
    Text(String),
    Table(Vec<String>),
}

fn pieces(doc: &Document) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for block in &doc.blocks {
        match block {
            Block::Heading { content, .. } | Block::Paragraph(content) => {
                pieces.push(Piece::Text(plain_text(content)))
            }
            Block::List { items, .. } => {
                pieces.extend(items.iter().map(|i| Piece::Text(plain_text(&i.content))))
            }
            Block::Table(table) => pieces.push(Piece::Table(
                std::iter::once(&table.header)
                    .chain(&table.rows)
                    .flatten()
                    .map(|c| plain_text(c))
                    .filter(|t| !t.trim().is_empty())
                    .collect(),
            )),
            Block::PageBreak => {}
        }
    }
    pieces
}

/// Text with whitespace and hyphens removed: a word cut over two lines
/// gets a line break inside it, and pdftotext may drop the hyphen it was
/// cut at.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// The words of `text` appear in `haystack` (normalised) in order, from
/// byte `from`; returns where the first one starts and the last one ends.
fn find_in_order(haystack: &str, from: usize, text: &str) -> Option<(usize, usize)> {
    let mut at = from;
    let mut start = None;
    for word in text.split_whitespace() {
        let word = normalise(word);
        let found = at + haystack[at..].find(&word)?;
        start.get_or_insert(found);
        at = found + word.len();
    }
    Some((start.unwrap_or(at), at))
}

#[test]
fn pdftotext_finds_every_text_in_order() {
    if !have_tool("pdftotext") {
        return;
    }
    let pdf = Rendered::new();
    let (ok, out, err) = pdf.run("pdftotext", &[]);
    assert!(ok, "{err}");
    let haystack = normalise(&out);
    let find = |from, text: &str| {
        find_in_order(&haystack, from, text).unwrap_or_else(|| {
            panic!(
                "missing or out of order: {}\n--- PDF text ---\n{out}",
                squash(text)
            )
        })
    };
    let (mut at, mut checked) = (0, 0);
    // Cells of the table before `at`: each must end before the next text.
    let mut table_ends: Vec<usize> = Vec::new();
    for piece in pieces(&pdf.doc) {
        match piece {
            Piece::Text(text) => {
                let (start, end) = find(at, &text);
                assert!(
                    table_ends.iter().all(|&e| e <= start),
                    "table cell after {text}"
                );
                table_ends.clear();
                at = end;
                checked += 1;
            }
            Piece::Table(cells) => {
                table_ends = cells.iter().map(|cell| find(at, cell).1).collect();
                checked += cells.len();
            }
        }
    }
    assert!(checked > 100, "only {checked} texts checked");
    let url = "https://congthuong.dongnai.gov.vn/khuyen-cong/bao-cao/2023/ket-qua-thuc-hien-ke-hoach-khuyen-cong-nam-2023-chi-tiet-theo-tung-don-vi.";
    assert!(haystack.contains(&normalise(url)), "URL lost:\n{out}");
    find(at, "Nơi nhận: - Sở Công Thương (b/c); - Lưu: VT, KC.");
    find(at, "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC Nguyễn Văn Bình");
}

#[test]
fn page_one_carries_the_official_header() {
    if !have_tool("pdftotext") {
        return;
    }
    let pdf = Rendered::new();
    let (ok, first, err) = pdf.run("pdftotext", &["-f", "1", "-l", "1"]);
    assert!(ok, "{err}");
    let first = squash(&first);
    for expected in [
        "SỞ CÔNG THƯƠNG",
        "TỈNH ĐỒNG NAI",
        "TRUNG TÂM KHUYẾN",
        "Số: 581/BC-KC&TV",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Đồng Nai, ngày 15 tháng 12 năm 2023",
        "BÁO CÁO",
        "Kết quả thực hiện kế hoạch khuyến công năm 2023",
    ] {
        assert!(
            first.contains(expected),
            "page 1 lacks {expected:?}:\n{first}"
        );
    }
    let (_, second, _) = pdf.run("pdftotext", &["-f", "2", "-l", "2"]);
    assert!(
        squash(&second).starts_with('2'),
        "page 2 starts with its number:\n{second}"
    );
    assert!(!first.starts_with('1'));
}

#[test]
fn missing_glyphs_are_an_error_not_a_gap() {
    let mut doc = sample();
    doc.meta.nguoi_ky = "Nguyễn 中".into();
    let err = common::try_pdf(&doc).unwrap_err().to_string();
    assert!(
        err.contains("U+4E2D") && err.contains("ký và nơi nhận"),
        "{err}"
    );
}
