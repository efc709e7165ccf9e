//! The closing block (the closing sentence, `Nơi nhận:` with the
//! recipients, the authority lines and the signer) never splits across
//! pages, in the PDF layout and in the DOCX as LibreOffice prints it; and
//! the two writers give the same number of pages.

mod common;

use std::path::PathBuf;

use common::layout;
use common::{root, scratch, squash};
use khuyencong::document::{plain_text, Block, Document, Inline};
use khuyencong::pipeline::{self, Inputs};
use khuyencong::render::pdf::layout::{Item, Role};

/// Positions tried: position `n` puts `BASE + n` one-line paragraphs before
/// the closing sentence, each pushing the closing block down one body line.
const POSITIONS: usize = 21;
/// With no filler the fixture's closing block ends a little above the foot
/// of page 3. Printed with `--nocapture` (before the writers' fix): the
/// layout moves it whole to page 4 from 16 fillers; LibreOffice splits its
/// table row from 14 to 17 and moves it whole from 18. Six fillers first
/// centre the 21 positions (6 to 26) on that page end, so every offset at
/// which the block could straddle it is tried in both writers, with room on
/// either side should a fix move the break by a few lines.
const BASE: usize = 6;

fn fixture() -> Document {
    let md = std::fs::read_to_string(common::fixture("bao-cao-mau.md")).expect("đọc mẫu");
    khuyencong::markdown::parse(&md).expect("phân tích mẫu")
}

/// The fixture at position `n`: `BASE + n` one-line paragraphs just before
/// its closing sentence.
fn padded(n: usize) -> Document {
    let mut doc = fixture();
    let at = doc.blocks.len() - 1;
    assert!(
        matches!(&doc.blocks[at], Block::Paragraph(p) if plain_text(p).starts_with("Trên đây là báo cáo")),
        "khối cuối của mẫu phải là câu kết"
    );
    let filler =
        (1..=BASE + n).map(|i| Block::Paragraph(vec![Inline::plain(format!("Dòng đệm số {i}."))]));
    doc.blocks.splice(at..at, filler);
    doc
}

/// What must share one page: (name, text to find, its role in the PDF
/// layout). The sentence's last word stands for its last line.
fn closing_marks(doc: &Document) -> [(&'static str, String, Role); 4] {
    let Some(Block::Paragraph(sentence)) = doc.blocks.last() else {
        panic!("khối cuối phải là câu kết");
    };
    let end = plain_text(sentence)
        .split_whitespace()
        .last()
        .expect("câu kết")
        .to_string();
    let authority = doc
        .meta
        .tham_quyen
        .last()
        .expect("tham_quyen")
        .to_uppercase();
    [
        ("cuối câu kết", end, Role::Body),
        ("Nơi nhận", "Nơi nhận:".into(), Role::Closing),
        ("thẩm quyền", authority, Role::Closing),
        ("người ký", doc.meta.nguoi_ky.clone(), Role::Closing),
    ]
}

/// Checks every position: `page_of(n, text, role)` is the last page (from 1)
/// holding `text`. Prints the pages of each position, then fails once,
/// naming every position whose closing block is split.
fn assert_closing_on_one_page(what: &str, page_of: impl Fn(usize, &str, Role) -> Option<usize>) {
    let marks = closing_marks(&fixture());
    let mut split = Vec::new();
    for n in 0..POSITIONS {
        let pages: Vec<Option<usize>> = marks
            .iter()
            .map(|(_, text, role)| page_of(n, text, *role))
            .collect();
        let line = format!(
            "{what}, +{} dòng đệm: {}",
            BASE + n,
            marks
                .iter()
                .zip(&pages)
                .map(|((name, ..), page)| format!(
                    "{name} tr. {}",
                    page.map_or("?".into(), |p| p.to_string())
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!("{line}");
        if pages[0].is_none() || pages.iter().any(|p| *p != pages[0]) {
            split.push(line);
        }
    }
    assert!(
        split.is_empty(),
        "khối ký bị tách trang:\n{}",
        split.join("\n")
    );
}

/// The number (from 1) of the last page that `holds` the text looked for.
fn last_page<P>(pages: &[P], holds: impl Fn(&P) -> bool) -> Option<usize> {
    pages.iter().rposition(holds).map(|i| i + 1)
}

#[test]
fn pdf_layout_keeps_the_closing_block_on_one_page() {
    let layouts: Vec<_> = (0..POSITIONS)
        .map(|n| layout(&padded(n)).expect("dàn trang"))
        .collect();
    assert_closing_on_one_page("PDF", |n, text, role| {
        last_page(&layouts[n].pages, |page| {
            page.items.iter().any(
                |item| matches!(item, Item::Text(s) if s.role == role && s.text.contains(text)),
            )
        })
    });
}

#[test]
fn libreoffice_keeps_the_docx_closing_block_on_one_page() {
    if !common::have_tool("soffice") || !common::have_tool("pdftotext") {
        return;
    }
    let docs: Vec<Document> = (0..POSITIONS).map(padded).collect();
    let printed = libreoffice_pages("closing", &docs);
    assert_closing_on_one_page("DOCX", |n, text, _| {
        last_page(&printed[n], |page| squash(page).contains(text))
    });
}

#[test]
fn docx_and_pdf_have_the_same_number_of_pages() {
    if !common::have_tool("soffice") || !common::have_tool("pdftotext") {
        return;
    }
    let inputs = Inputs {
        input: root().join("input"),
        templates: root().join("templates"),
        year: None,
    };
    let report = pipeline::run(&inputs)
        .unwrap_or_else(|e| panic!("{e}"))
        .document;
    let docs = [fixture(), report];
    let printed = libreoffice_pages("page-count", &docs);
    let counts: Vec<(usize, usize)> = docs
        .iter()
        .zip(&printed)
        .map(|(doc, pages)| (pages.len(), layout(doc).expect("dàn trang").pages.len()))
        .collect();
    println!(
        "số trang (DOCX qua LibreOffice, PDF): mẫu thử {:?}, báo cáo mẫu {:?}",
        counts[0], counts[1]
    );
    assert!(
        counts.iter().all(|(docx, pdf)| docx == pdf),
        "số trang DOCX ≠ PDF: mẫu thử {:?}, báo cáo mẫu {:?}",
        counts[0],
        counts[1]
    );
}

/// The pages of each document's DOCX as LibreOffice prints them, as text.
fn libreoffice_pages(name: &str, docs: &[Document]) -> Vec<Vec<String>> {
    let dir = scratch(name);
    let files: Vec<PathBuf> = docs
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let path = dir.join(format!("f{i}.docx"));
            std::fs::write(&path, common::docx(doc)).expect("ghi tệp");
            path
        })
        .collect();
    common::libreoffice_to_pdf(&dir, &files);
    // Word must open each of them without repair, too.
    common::assert_word_valid(&dir);
    let pages = files
        .iter()
        .map(|file| {
            common::pdf_text(&file.with_extension("pdf"), "-layout")
                .split_terminator('\u{c}')
                .map(String::from)
                .collect()
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    pages
}
