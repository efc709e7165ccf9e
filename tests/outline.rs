//! PDF navigation: the outline (bookmarks) read back with qpdf, the way a
//! reader's side panel shows it, and the catalogue's language and title
//! preference read back with lopdf.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{have_tool, pdf_text, root, scratch, squash};
use khuyencong::document::{plain_text, Block, Document};
use khuyencong::render::pdf::layout::{self, Item, Role};
use khuyencong::render::prepared::prepare;
use serde_json::Value;

fn golden(name: &str) -> Document {
    let md = std::fs::read_to_string(root().join("tests/golden").join(name)).unwrap();
    khuyencong::markdown::parse(&md).unwrap()
}

fn write(doc: &Document, name: &str) -> PathBuf {
    let path = scratch(name).join("bao-cao.pdf");
    std::fs::write(
        &path,
        khuyencong::render::pdf::write(&prepare(doc).unwrap()).unwrap(),
    )
    .unwrap();
    path
}

/// One outline item: title, depth (1 = top), page (from 1), and the top of
/// the view it opens, in PDF coordinates.
#[derive(Debug)]
struct Entry {
    title: String,
    level: usize,
    page: usize,
    top: f64,
}

/// The outline as qpdf reads it, flattened in order; qpdf --check clean.
fn outline(pdf: &Path) -> Vec<Entry> {
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(pdf)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&check.stdout).to_lowercase();
    assert!(
        check.status.success() && !said.contains("warning"),
        "qpdf --check: {said}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let out = Command::new("qpdf")
        .args(["--json", "--json-key=outlines"])
        .arg(pdf)
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    fn walk(items: &Value, level: usize, out: &mut Vec<Entry>) {
        for item in items.as_array().unwrap() {
            let dest = item["dest"].as_array().unwrap();
            assert_eq!(dest[1], "/XYZ", "{item}");
            out.push(Entry {
                title: item["title"].as_str().unwrap().to_string(),
                level,
                page: item["destpageposfrom1"].as_u64().unwrap() as usize,
                top: dest[3].as_f64().unwrap(),
            });
            walk(&item["kids"], level + 1, out);
        }
    }
    let mut entries = Vec::new();
    walk(&json["outlines"], 1, &mut entries);
    entries
}

/// Every heading of the body, in order, with its Markdown level.
fn headings(doc: &Document) -> Vec<(String, usize)> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, content } => Some((plain_text(content), *level as usize)),
            _ => None,
        })
        .collect()
}

/// The outline of the sample: every heading (I. → 1. → 1.1.) in order at
/// its level, opening the page that shows it, at its first line.
#[test]
fn the_sample_outline_lists_every_heading_where_it_is() {
    if !have_tool("qpdf") || !have_tool("pdftotext") {
        return;
    }
    let doc = golden("bao-cao-khuyen-cong-2023.md");
    let pdf = write(&doc, "outline-sample");
    let entries = outline(&pdf);
    let shown: Vec<(String, usize)> = entries.iter().map(|e| (e.title.clone(), e.level)).collect();
    assert_eq!(shown, headings(&doc));
    assert_eq!(
        shown.iter().map(|(_, l)| *l).max(),
        Some(3),
        "I., 1. and 1.1. levels"
    );
    assert!(entries.windows(2).all(|p| p[0].page <= p[1].page));

    let text = pdf_text(&pdf, "-raw");
    let pages: Vec<String> = text.split('\u{c}').map(squash).collect();
    let laid = layout::layout(&prepare(&doc).unwrap()).unwrap();
    for e in &entries {
        assert!(
            pages[e.page - 1].contains(&e.title),
            "“{}” not on page {}",
            e.title,
            e.page
        );
        // The view opens at the top of the heading's first line: its
        // baseline is less than a line below.
        let page = &laid.pages[e.page - 1];
        let from_top = page.sheet.height as f64 - e.top;
        let line = doc.meta.trang.co_chu as f64 * 1.5;
        let first_line = page.items.iter().any(|item| match item {
            Item::Text(span) => {
                span.role == Role::Heading
                    && e.title.starts_with(span.text.trim())
                    && (span.baseline as f64) > from_top
                    && (span.baseline as f64) < from_top + line
            }
            Item::Rule(_) => false,
        });
        assert!(first_line, "“{}” does not open at its first line", e.title);
    }
    // Page 2 starts with "1.2. Học tập kinh nghiệm": the view is the page's
    // top margin.
    let second = entries
        .iter()
        .find(|e| e.title == "1.2. Học tập kinh nghiệm")
        .unwrap();
    let margin = doc.meta.trang.le_tren_mm as f64 * 72.0 / 25.4;
    assert_eq!(second.page, 2);
    assert!((laid.pages[1].sheet.height as f64 - second.top - margin).abs() < 0.01);
    let _ = std::fs::remove_dir_all(pdf.parent().unwrap());
}

/// The annex's title is a top item opening the annex's first (landscape)
/// page, after the body's headings.
#[test]
fn the_annex_title_is_in_the_outline() {
    if !have_tool("qpdf") {
        return;
    }
    let doc = golden("bao-cao-khuyen-cong-2020-dak-lak.md");
    let pdf = write(&doc, "outline-annex");
    let entries = outline(&pdf);
    let mut expected = headings(&doc);
    expected.push(("PHỤ LỤC: DANH SÁCH ĐỀ ÁN KHUYẾN CÔNG NĂM 2020".into(), 1));
    let shown: Vec<(String, usize)> = entries.iter().map(|e| (e.title.clone(), e.level)).collect();
    assert_eq!(shown, expected);
    let laid = layout::layout(&prepare(&doc).unwrap()).unwrap();
    let annex = entries.last().unwrap();
    let first_annex_page = laid
        .pages
        .iter()
        .position(|p| p.orientation == khuyencong::document::Orientation::Landscape)
        .unwrap();
    assert_eq!(annex.page, first_annex_page + 1);
    let _ = std::fs::remove_dir_all(pdf.parent().unwrap());
}

const FRONT: &str = "+++\nco_quan_chu_quan = \"SỞ CÔNG THƯƠNG TỈNH ĐỒNG NAI\"\nco_quan_ban_hanh = \"TRUNG TÂM KHUYẾN CÔNG\"\nso_ky_hieu = \"1/BC-KC\"\ndia_danh_ngay = \"Đồng Nai, ngày 15 tháng 12 năm 2023\"\nngay = \"2023-12-15\"\ntrich_yeu = \"Kết quả\"\nnoi_nhan = [\"- Như trên;\", \"- Lưu: VT.\"]\ntham_quyen = [\"GIÁM ĐỐC\"]\nnguoi_ky = \"Nguyễn Văn A\"\n+++\n\n";

/// Four levels (I. → 1. → 1.1. → a)), a level skipped, and headings
/// inside the annex nested under its title.
#[test]
fn levels_nest_and_a_skipped_level_nests_under_the_heading_above() {
    if !have_tool("qpdf") {
        return;
    }
    let md = format!(
        "{FRONT}# I. MỘT\n\nChữ.\n\n### 1.1. Bỏ cấp\n\nChữ.\n\n## 1. Hai\n\n### 1.1. Ba\n\n#### a) Bốn\n\nChữ.\n\n# II. NĂM\n\nChữ.\n\n<!-- phu-luc -->\n\n**PHỤ LỤC**\n\n# I. TRONG PHỤ LỤC\n\nChữ.\n"
    );
    let doc = khuyencong::markdown::parse(&md).unwrap();
    let pdf = write(&doc, "outline-levels");
    let shown: Vec<(String, usize)> = outline(&pdf)
        .into_iter()
        .map(|e| (e.title, e.level))
        .collect();
    let expected = [
        ("I. MỘT", 1),
        ("1.1. Bỏ cấp", 2),
        ("1. Hai", 2),
        ("1.1. Ba", 3),
        ("a) Bốn", 4),
        ("II. NĂM", 1),
        ("PHỤ LỤC", 1),
        ("I. TRONG PHỤ LỤC", 2),
    ];
    let expected: Vec<(String, usize)> =
        expected.iter().map(|(t, l)| (t.to_string(), *l)).collect();
    assert_eq!(shown, expected);
    let _ = std::fs::remove_dir_all(pdf.parent().unwrap());
}

/// The catalogue says the text is Vietnamese and asks the window to show
/// the title; the outline panel opens with the file.
#[test]
fn the_catalogue_names_the_language_and_shows_the_title() {
    let doc = golden("bao-cao-khuyen-cong-2023.md");
    let bytes = khuyencong::render::pdf::write(&prepare(&doc).unwrap()).unwrap();
    let pdf = lopdf::Document::load_mem(&bytes).unwrap();
    let catalog = pdf.catalog().unwrap();
    assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"vi-VN");
    let prefs = catalog
        .get(b"ViewerPreferences")
        .unwrap()
        .as_dict()
        .unwrap();
    assert!(prefs.get(b"DisplayDocTitle").unwrap().as_bool().unwrap());
    assert_eq!(
        catalog.get(b"PageMode").unwrap().as_name().unwrap(),
        b"UseOutlines"
    );
    // The title shown is the report's.
    let info = pdf.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let title = pdf.get_dictionary(info).unwrap().get(b"Title").unwrap();
    assert_eq!(
        lopdf::decode_text_string(title).unwrap(),
        doc.meta.trich_yeu
    );
}
