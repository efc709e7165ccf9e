//! The annex ("Phụ lục") end to end: `<!-- phu-luc -->` after the closing
//! block, `<!-- trang-ngang -->` pages, a two-level header with merged
//! cells repeated on every page, and tables too wide for their page
//! refused, through `khuyencong render` as a clerk runs it.

mod common;

use std::path::{Path, PathBuf};

use common::{
    document_xml, fixture, have_tool, is_landscape, is_portrait, khuyencong, page_sizes, pdf_pages,
    scratch, squash,
};
use khuyencong::document::{Block, Document};
use khuyencong::render::prepared::{prepare, LayoutError, TableError};

/// Renders a Markdown file with `khuyencong render` into `dir`.
fn render(md: &Path, dir: &Path) -> std::process::Output {
    khuyencong(&[
        "render",
        md.to_str().unwrap(),
        "--output",
        dir.to_str().unwrap(),
    ])
    .output()
    .unwrap()
}

/// The annex fixture rendered into a private folder.
fn rendered(name: &str) -> PathBuf {
    let dir = scratch(name);
    let o = render(&fixture("phu-luc.md"), &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

/// Checks the pages of a PDF of the annex fixture, whoever made it: the
/// body portrait, the annex landscape from "PHỤ LỤC" on, over at least two
/// pages, each with the whole two-level header, and the annex numbering
/// its own pages (Nghị định 30/2020): from 1 again, no number on its first
/// page as on the report's.
fn assert_annex_pages(pdf: &Path, maker: &str) {
    let sizes = page_sizes(pdf);
    let texts = pdf_pages(pdf);
    assert_eq!(sizes.len(), texts.len(), "{maker}");
    let annex = texts
        .iter()
        .position(|t| t.contains("PHỤ LỤC"))
        .unwrap_or_else(|| panic!("{maker}: không thấy trang PHỤ LỤC"));
    assert!(annex >= 2, "{maker}: the body should take two pages");
    assert!(
        texts[annex - 1].contains("Nguyễn Văn Bình"),
        "{maker}: the signature comes before the annex"
    );
    for (i, size) in sizes.iter().enumerate() {
        let expected = if i < annex { "dọc" } else { "ngang" };
        let ok = if i < annex {
            is_portrait(*size)
        } else {
            is_landscape(*size)
        };
        assert!(
            ok,
            "{maker}: page {} is {size:?}, expected {expected}",
            i + 1
        );
    }
    assert!(
        texts.len() - annex >= 2,
        "{maker}: the annex table takes more than one page"
    );
    for (i, text) in texts.iter().enumerate().skip(annex) {
        let flat = squash(text);
        for words in ["Kinh phí (đồng)", "Vốn đối ứng", "Tổng", "STT", "Tình"] {
            assert!(
                flat.contains(words),
                "{maker}: page {} lacks the header's “{words}”:\n{text}",
                i + 1
            );
        }
    }
    for (i, text) in texts.iter().enumerate() {
        let first = text.split_whitespace().next().unwrap_or_default();
        let number = if i < annex { i + 1 } else { i - annex + 1 };
        if number == 1 {
            assert!(
                first.parse::<usize>().is_err(),
                "{maker}: no number on page {}: {first}",
                i + 1
            );
        } else {
            assert_eq!(first, number.to_string(), "{maker}: page {}", i + 1);
        }
    }
    // The subtotal rows merge their first four cells.
    assert!(texts.iter().any(|t| t.contains("Cộng nhóm 3")), "{maker}");
}

#[test]
fn pdf_annex_is_landscape_after_the_signature_with_its_header_on_every_page() {
    if !have_tool("pdftotext") || !have_tool("pdfinfo") {
        return;
    }
    let dir = rendered("annex-pdf");
    assert_annex_pages(&dir.join("phu-luc.pdf"), "PDF");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn docx_annex_is_a_landscape_section_with_merged_header_cells() {
    let dir = rendered("annex-docx");
    let path = dir.join("phu-luc.docx");
    let xml = document_xml(&path);
    // Page 1's section (portrait, no number on its first page) ends just
    // before the annex; the last, landscape, section is the annex.
    let first = &xml[xml.find("<w:sectPr>").unwrap()..];
    let first = &first[..first.find("</w:sectPr>").unwrap()];
    assert!(
        first.contains(r#"<w:pgSz w:w="11906" w:h="16838" />"#) && first.contains("<w:titlePg />"),
        "{first}"
    );
    assert!(xml.find("<w:sectPr>").unwrap() > xml.find("Nguyễn Văn Bình").unwrap());
    assert!(xml.find("<w:sectPr>").unwrap() < xml.find("PHỤ LỤC").unwrap());
    let last = &xml[xml.rfind("<w:sectPr>").unwrap()..];
    assert!(
        last.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape" />"#),
        "{last}"
    );
    // The annex goes on with page 1's headers, numbers its pages from 1,
    // and shows no number on its first page.
    assert!(!last.contains("headerReference"), "{last}");
    assert!(
        last.contains(r#"<w:pgNumType w:start="1" />"#) && last.contains("<w:titlePg />"),
        "{last}"
    );
    assert_eq!(xml.matches("<w:sectPr>").count(), 2);

    let table = xml
        .split("<w:tbl>")
        .find(|t| t.contains("Vốn đối ứng"))
        .unwrap();
    let rows: Vec<&str> = table.split("<w:tr>").skip(1).collect();
    assert_eq!(
        table.matches("<w:tblHeader />").count(),
        2,
        "both header rows repeat"
    );
    assert!(rows[0].contains("<w:tblHeader />") && rows[1].contains("<w:tblHeader />"));
    assert!(
        rows[0].contains(r#"<w:gridSpan w:val="3" />"#),
        "{}",
        rows[0]
    );
    assert_eq!(
        rows[0].matches(r#"<w:vMerge w:val="restart" />"#).count(),
        5
    );
    assert_eq!(rows[1].matches("<w:vMerge").count(), 5, "{}", rows[1]);
    assert!(!rows[1].contains("restart"));
    // Grid: 8 columns; the subtotal row has 5 cells, the first 4 wide.
    assert_eq!(table.matches("<w:gridCol ").count(), 8);
    let subtotal = rows.iter().find(|r| r.contains("Cộng nhóm 1")).unwrap();
    assert_eq!(subtotal.matches("<w:tc>").count(), 5);
    assert!(subtotal.contains(r#"<w:gridSpan w:val="4" />"#));
    if common::assert_word_valid(&dir) && have_tool("soffice") && have_tool("pdfinfo") {
        common::libreoffice_to_pdf(&dir, &[path]);
        assert_annex_pages(&dir.join("phu-luc.pdf"), "LibreOffice");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The annex's title is centred, without the body's first-line indent, in
/// both writers (it was set left, indented, like a body heading).
#[test]
fn the_annex_title_is_centred_in_both_writers() {
    let doc = parsed(&std::fs::read_to_string(fixture("phu-luc.md")).unwrap());
    let xml = {
        let dir = scratch("annex-title");
        let path = dir.join("phu-luc.docx");
        std::fs::write(&path, common::docx(&doc)).unwrap();
        let xml = document_xml(&path);
        let _ = std::fs::remove_dir_all(dir);
        xml
    };
    let at = xml.find(">PHỤ LỤC<").unwrap();
    let paragraph = &xml[xml[..at].rfind("<w:p ").unwrap()..at];
    assert!(
        paragraph.contains(r#"<w:jc w:val="center" />"#)
            && paragraph.contains(r#"w:firstLine="0""#),
        "{paragraph}"
    );
    let layout = common::layout(&doc).unwrap();
    let span = layout
        .pages
        .iter()
        .flat_map(|p| p.items.iter().map(move |i| (p, i)))
        .find_map(|(p, i)| match i {
            khuyencong::render::pdf::layout::Item::Text(s) if s.text == "PHỤ LỤC" => {
                Some((p, s))
            }
            _ => None,
        });
    let (page, span) = span.expect("PHỤ LỤC in the PDF");
    let area = page.sheet.area;
    let centre = (area.left + area.right) / 2.0;
    assert!(
        (span.x + span.width / 2.0 - centre).abs() < 0.1,
        "{span:?} not centred on {centre}"
    );
}

fn parsed(md: &str) -> Document {
    khuyencong::markdown::parse(md).unwrap()
}

#[test]
fn the_annex_renders_the_same_bytes_every_time() {
    let doc = parsed(&std::fs::read_to_string(fixture("phu-luc.md")).unwrap());
    assert!(doc.annex.is_some());
    assert_eq!(common::docx(&doc), common::docx(&doc));
    assert!(common::pdf(&doc) == common::pdf(&doc));
}

/// The fixture's front matter, then `body`.
fn with_body(body: &str) -> String {
    let sample = std::fs::read_to_string(fixture("phu-luc.md")).unwrap();
    let end = sample.match_indices("+++").nth(1).unwrap().0 + 4;
    format!("{}\n{body}", &sample[..end])
}

/// A table of `columns` columns, each with a long word.
fn wide_table(columns: usize) -> String {
    let row = |f: &dyn Fn(usize) -> String| {
        format!(
            "| {} |\n",
            (1..=columns).map(f).collect::<Vec<_>>().join(" | ")
        )
    };
    row(&|c| format!("Cột{c}"))
        + &row(&|_| "---".into())
        + &row(&|c| format!("chuyên-đề-khuyến-công-{c}"))
}

/// `render` of `md` fails with every piece of `expected` in its message,
/// and writes nothing.
fn assert_refused(name: &str, md: &str, expected: &[&str]) {
    let dir = scratch(name);
    let file = dir.join("bao-cao.md");
    std::fs::write(&file, md).unwrap();
    let out = dir.join("ra");
    let o = render(&file, &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    for piece in expected {
        assert!(stderr.contains(piece), "no “{piece}” in: {stderr}");
    }
    let written: Vec<_> = std::fs::read_dir(&out)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(written.is_empty(), "{written:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_table_too_wide_for_its_page_is_refused_naming_it() {
    // Thirty columns fit no page.
    let md = with_body(&format!("Bảng rộng:\n\n{}", wide_table(30)));
    assert_refused(
        "annex-wide",
        &md,
        &[
            "bảng “Cột1 | Cột2 | Cột3",
            "dòng 15 của Markdown đã dựng",
            "30 cột",
            "trang dọc chỉ có 165 mm",
            "<!-- trang-ngang -->",
        ],
    );
    // Ten fit a landscape page but not a portrait one: refused once, by
    // the layout both writers transcribe.
    let portrait = parsed(&with_body(&wide_table(10)));
    let Err(LayoutError::Table(error @ TableError::TooWide { line, .. })) = prepare(&portrait)
    else {
        panic!("not a table error")
    };
    assert_eq!(line, 13);
    assert!(error.to_string().contains("10 cột"), "{error}");
    let landscape = parsed(&with_body(&format!(
        "<!-- trang-ngang -->\n\n{}",
        wide_table(10)
    )));
    assert!(matches!(landscape.blocks[0], Block::Table(_)));
    common::docx(&landscape);
    common::pdf(&landscape);
    // Thirty do not fit a landscape page either; the hint says so.
    let md = with_body(&format!("<!-- trang-ngang -->\n\n{}", wide_table(30)));
    assert_refused(
        "annex-wide-landscape",
        &md,
        &["trang ngang chỉ có 252 mm", "chia thành hai bảng"],
    );
}

#[test]
fn misplaced_merge_signs_are_refused_with_their_line() {
    let header = "| A | B | C |\n|---|---|---|\n";
    assert_refused(
        "annex-up-in-body",
        &with_body(&format!("{header}| 1 | 2 | 3 |\n| ^ | 4 | 5 |\n")),
        &["dòng 16, cột 1", "`^`", "hàng số liệu"],
    );
    assert_refused(
        "annex-left-first",
        &with_body(&format!("{header}| < | 2 | 3 |\n")),
        &["dòng 15", "`<`", "cột đầu"],
    );
    assert_refused(
        "annex-up-width",
        &with_body("| A | B | < |\n|---|---|---|\n| ^ | ^ | x |\n| 1 | 2 | 3 |\n"),
        &["dòng 15, cột 2", "rộng 1 cột", "rộng 2 cột"],
    );
    assert_refused(
        "annex-twice",
        &with_body("A\n\n<!-- phu-luc -->\n\nB\n\n<!-- phu-luc -->\n"),
        &["dòng 19", "dòng 15", "một phụ lục"],
    );
}
