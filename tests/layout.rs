//! One layout, transcribed twice: the DOCX (as LibreOffice prints it) and
//! the PDF have the same pages and every table the same columns, tables
//! with a web address or a four-thousand-character word stay sane, group
//! rows and captions never end a page, and the files say the same things
//! about themselves.

mod common;

use std::path::{Path, PathBuf};

use common::{
    assert_word_valid, copy_dir, document_xml, have_tool, libreoffice_to_pdf, pdf_text, root,
    scratch, squash,
};
use khuyencong::document::{plain_text, Document};
use khuyencong::pipeline::{self, Inputs};
use khuyencong::render::pdf::layout::{Item, Layout};
use khuyencong::render::prepared::{prepare, Piece, Prepared, TableLayout};

/// The report built from the data in `input` with the bundled templates.
fn report(input: &Path) -> Document {
    pipeline::run(&Inputs {
        input: input.to_path_buf(),
        templates: root().join("templates"),
        year: None,
    })
    .unwrap_or_else(|e| panic!("{}: {e}", input.display()))
    .document
}

/// The bundled sample and the Đắk Lắk example.
fn examples() -> Vec<(&'static str, Document)> {
    vec![
        ("mau", report(&root().join("input"))),
        (
            "dak-lak",
            report(&root().join("examples/du-lieu/dak-lak-2020")),
        ),
    ]
}

fn tables<'a>(prepared: &'a Prepared) -> Vec<&'a TableLayout<'a>> {
    prepared
        .regions()
        .flat_map(|r| &r.pieces)
        .filter_map(|p| match p {
            Piece::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// The body tables of document.xml (the frame's have no repeated header),
/// each as its `w:gridCol` widths and its cells' `w:tcW` widths, in twips.
fn docx_tables(xml: &str) -> Vec<(Vec<i64>, Vec<i64>)> {
    let number = |attribute: &str| -> i64 {
        let at = attribute.find("w:w=\"").expect("w:w") + 5;
        let rest = &attribute[at..];
        rest[..rest.find('"').unwrap()].parse().unwrap()
    };
    xml.split("<w:tbl>")
        .skip(1)
        .map(|t| &t[..t.find("</w:tbl>").unwrap()])
        .filter(|t| t.contains("<w:tblHeader />"))
        .map(|t| {
            let grid = t.split("<w:gridCol ").skip(1).map(number).collect();
            let cells = t.split("<w:tcW ").skip(1).map(number).collect();
            (grid, cells)
        })
        .collect()
}

/// Where the PDF layout draws vertical rules (the tables' column edges).
fn vertical_rules(layout: &Layout) -> Vec<f32> {
    layout
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|i| match i {
            Item::Rule(r) if r.x1 == r.x2 => Some(r.x1),
            _ => None,
        })
        .collect()
}

/// Pages of each DOCX as LibreOffice prints them (one LibreOffice run),
/// which must also be valid for Word.
fn libreoffice_pages(dir: &Path, files: &[PathBuf]) -> Vec<Vec<String>> {
    libreoffice_to_pdf(dir, files);
    assert_word_valid(dir);
    files
        .iter()
        .map(|f| {
            pdf_text(&f.with_extension("pdf"), "-layout")
                .split_terminator('\u{c}')
                .map(String::from)
                .collect()
        })
        .collect()
}

/// The same columns in both writers, to the twip: the DOCX's grid and
/// cells carry the prepared widths, and the PDF draws its column edges
/// there. Then the same number of pages, through LibreOffice.
#[test]
fn the_examples_have_the_same_pages_and_columns_in_both_writers() {
    let dir = scratch("same-pages");
    let mut files = Vec::new();
    let mut counts = Vec::new();
    for (name, doc) in examples() {
        let prepared = prepare(&doc).unwrap();
        let docx = khuyencong::render::docx::write(&prepared).unwrap();
        let path = dir.join(format!("{name}.docx"));
        std::fs::write(&path, &docx).unwrap();
        let layout = khuyencong::render::pdf::layout::layout(&prepared).unwrap();

        let prepared_tables = tables(&prepared);
        let written = docx_tables(&document_xml(&path));
        assert_eq!(written.len(), prepared_tables.len(), "{name}: số bảng");
        let edges = vertical_rules(&layout);
        for (k, (table, (grid, cells))) in prepared_tables.iter().zip(&written).enumerate() {
            assert_eq!(grid.len(), table.widths.len(), "{name}, bảng {k}");
            for (twips, points) in grid.iter().zip(&table.widths) {
                assert!(
                    (*twips as f32 - points * 20.0).abs() <= 1.0,
                    "{name}, bảng {k}: DOCX {twips} twip, PDF {points} pt ({grid:?} / {:?})",
                    table.widths
                );
            }
            // The first row's cells (each as wide as the columns it spans)
            // fill the grid.
            let total: i64 = grid.iter().sum();
            let mut first_row = 0;
            for w in cells {
                first_row += w;
                if first_row >= total {
                    break;
                }
            }
            assert_eq!(first_row, total, "{name}, bảng {k}: w:tcW {cells:?}");
            // The PDF draws the same column edges.
            let area = layout.pages[0].sheet.area;
            let mut x = area.left;
            for w in std::iter::once(&0.0).chain(&table.widths) {
                x += w;
                assert!(
                    edges.iter().any(|e| (e - x).abs() < 0.05),
                    "{name}, bảng {k}: không có đường dọc ở x = {x}"
                );
            }
        }
        counts.push((name, layout.pages.len()));
        files.push(path);
    }
    if !have_tool("soffice") || !have_tool("pdftotext") {
        return;
    }
    let printed = libreoffice_pages(&dir, &files);
    for ((name, pdf), docx) in counts.iter().zip(&printed) {
        println!(
            "{name}: PDF {pdf} trang, DOCX qua LibreOffice {}",
            docx.len()
        );
        assert_eq!(*pdf, docx.len(), "{name}: số trang PDF ≠ DOCX");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every figure of `doc`'s tables that is a money amount ("520.000.000").
fn amounts(doc: &Document) -> Vec<String> {
    let mut found = Vec::new();
    for block in doc
        .blocks
        .iter()
        .chain(doc.annex.iter().flat_map(|a| &a.blocks))
    {
        if let khuyencong::document::Block::Table(t) = block {
            for cell in t.rows.iter().flatten() {
                let text = plain_text(cell);
                if text.len() > 8 && text.chars().all(|c| c.is_ascii_digit() || c == '.') {
                    found.push(text);
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Renders `doc` into `dir` as `name`.docx and .pdf, checks the DOCX's
/// grid is sane (every column wider than its padding, together the text
/// width), and returns the two files.
fn render_sane(dir: &Path, name: &str, doc: &Document) -> (PathBuf, PathBuf) {
    let prepared = prepare(doc).unwrap();
    let docx = dir.join(format!("{name}.docx"));
    std::fs::write(&docx, khuyencong::render::docx::write(&prepared).unwrap()).unwrap();
    let pdf = dir.join(format!("{name}-pdf.pdf"));
    std::fs::write(&pdf, khuyencong::render::pdf::write(&prepared).unwrap()).unwrap();
    let xml = document_xml(&docx);
    for (k, (grid, _)) in docx_tables(&xml).iter().enumerate() {
        let table = tables(&prepared)[k];
        let padding = (2.0 * table.padding.0 * 20.0) as i64;
        assert!(
            grid.iter().all(|&w| w >= padding),
            "{name}, bảng {k}: cột hẹp hơn lề ô: {grid:?}"
        );
        let text_width = (khuyencong::render::frame::text_width(
            &doc.meta.trang,
            table_orientation(&prepared, k),
        ) * 20.0) as i64;
        assert!(
            (grid.iter().sum::<i64>() - text_width).abs() <= grid.len() as i64,
            "{name}, bảng {k}: {grid:?} ≠ {text_width}"
        );
    }
    (docx, pdf)
}

fn table_orientation(prepared: &Prepared, k: usize) -> khuyencong::document::Orientation {
    prepared
        .regions()
        .flat_map(|r| {
            r.pieces
                .iter()
                .filter(|p| matches!(p, Piece::Table(_)))
                .map(move |_| r.orientation)
        })
        .nth(k)
        .unwrap()
}

/// Every amount is whole (never broken over two lines) in the text of
/// each PDF: ours and LibreOffice's of the DOCX.
fn assert_amounts_whole(doc: &Document, pdfs: &[PathBuf]) {
    let amounts = amounts(doc);
    assert!(!amounts.is_empty());
    for pdf in pdfs {
        let text = pdf_text(pdf, "-raw");
        let words: std::collections::HashSet<&str> = text.split_whitespace().collect();
        for amount in &amounts {
            assert!(
                words.contains(amount.as_str()),
                "{}: số {amount} bị ngắt dòng",
                pdf.display()
            );
        }
    }
}

/// A project's beneficiary given as a 200-character web address: the
/// annex keeps every column sane and every amount whole in both writers.
#[test]
fn a_web_address_in_a_cell_keeps_the_table_sane_and_the_amounts_whole() {
    let dir = scratch("url-cell");
    let data = dir.join("du-lieu");
    copy_dir(&root().join("examples/du-lieu/dak-lak-2020"), &data);
    let url = format!(
        "https://congthuong.daklak.gov.vn/khuyen-cong/de-an/2020/{}/ho-so-de-an-ung-dung-may-rang-xay-ca-phe-tu-dong.pdf",
        "co-so-ca-phe-thang-loi-thanh-pho-buon-ma-thuot".repeat(2)
    );
    assert!((150..=235).contains(&url.chars().count()), "{}", url.len());
    common::edit(
        &data.join("bao-cao/643-buon-ma-thuot.json"),
        "\"co_so\": \"Cơ sở cà phê Thắng Lợi\"",
        &format!("\"co_so\": \"{url}\""),
    );
    let doc = report(&data);
    let (docx, pdf) = render_sane(&dir, "url", &doc);
    if !have_tool("soffice") || !have_tool("pdftotext") {
        return;
    }
    libreoffice_pages(&dir, std::slice::from_ref(&docx));
    assert_amounts_whole(&doc, &[pdf, docx.with_extension("pdf")]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A 3.974-character word in a table cell: no negative grid column (Word
/// refuses one), the figures beside it whole.
#[test]
fn a_four_thousand_character_word_leaves_every_column_positive() {
    let dir = scratch("long-word");
    let word = "khuyếncông".repeat(397) + "tư-vấn";
    assert_eq!(word.chars().count(), 3976);
    let md = format!(
        "{}\n| STT | Nội dung | Kế hoạch (đồng) | Thực hiện (đồng) |\n|:-:|:--|--:|--:|\n| 1 | {word} | 2.700.000.000 | 1.300.000.000 |\n| 2 | Học tập kinh nghiệm | 220.000.000 | 119.068.000 |\n",
        front()
    );
    let doc = khuyencong::markdown::parse(&md).unwrap();
    let (docx, pdf) = render_sane(&dir, "tu-dai", &doc);
    if !have_tool("soffice") || !have_tool("pdftotext") {
        return;
    }
    libreoffice_pages(&dir, std::slice::from_ref(&docx));
    assert_amounts_whole(&doc, &[pdf, docx.with_extension("pdf")]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The sample's front matter.
fn front() -> String {
    let sample = std::fs::read_to_string(common::fixture("bao-cao-mau.md")).unwrap();
    let end = sample.match_indices("+++").nth(1).unwrap().0 + 4;
    sample[..end].to_string()
}

/// The Đắk Lắk annex with 20 projects (four more in group II), after
/// `shift` one-line notes that move its rows down the pages.
fn twenty_projects(shift: usize) -> Document {
    let golden =
        std::fs::read_to_string(root().join("tests/golden/bao-cao-khuyen-cong-2020-dak-lak.md"))
            .unwrap();
    let mut md = String::new();
    for line in golden.lines() {
        if line.starts_with("| STT | Tên đề án") {
            for i in 0..shift {
                md.push_str(&format!("Ghi chú số {i}.\n\n"));
            }
        }
        md.push_str(line);
        md.push('\n');
        if line.starts_with("| 11 | Đào tạo nghề chế biến cà phê") {
            for n in 1..=4 {
                md.push_str(&format!("| 11.{n} | Đào tạo nghề bổ sung số {n} | Cơ sở số {n} | Huyện Lắk | 10.000.000 | 5.000.000 | 5.000.000 | Đang thực hiện |\n"));
            }
        }
    }
    khuyencong::markdown::parse(&md).unwrap()
}

/// Whether a page's text ends with a group row ("II  Đào tạo nghề…") or
/// a caption, with nothing of its table after it.
fn ends_badly(page: &str) -> Option<String> {
    let last = page.lines().rev().map(str::trim).find(|l| !l.is_empty())?;
    let first = last.split_whitespace().next()?;
    let group = ["I", "II", "III", "IV", "V"].contains(&first);
    let caption = last.starts_with("(Kèm theo") || last.starts_with("Ghi chú số");
    (group || caption).then(|| squash(last))
}

/// Annex group rows ("II", "V") and captions stay with the row after them,
/// wherever the page ends, in the PDF and in the DOCX through LibreOffice.
#[test]
fn group_rows_and_captions_never_end_a_page() {
    let shifts: Vec<usize> = (0..12).collect();
    let dir = scratch("group-rows");
    let mut files = Vec::new();
    let mut breaks = 0;
    for &shift in &shifts {
        let doc = twenty_projects(shift);
        let prepared = prepare(&doc).unwrap();
        let layout = khuyencong::render::pdf::layout::layout(&prepared).unwrap();
        let pages: Vec<String> = layout
            .pages
            .iter()
            .map(|p| {
                // Lines in reading order: by baseline, then left to right.
                let mut spans: Vec<_> = p
                    .items
                    .iter()
                    .filter_map(|i| match i {
                        Item::Text(s) => Some(s),
                        _ => None,
                    })
                    .collect();
                spans.sort_by(|a, b| a.baseline.total_cmp(&b.baseline).then(a.x.total_cmp(&b.x)));
                let mut text = String::new();
                let mut baseline = f32::NAN;
                for s in spans {
                    if (s.baseline - baseline).abs() > 0.5 {
                        text.push('\n');
                        baseline = s.baseline;
                    }
                    text.push_str(&s.text);
                    text.push(' ');
                }
                text
            })
            .collect();
        let annex = pages.iter().position(|p| p.contains("PHỤ LỤC")).unwrap();
        breaks += pages.len() - annex - 1;
        for (i, page) in pages
            .iter()
            .enumerate()
            .skip(annex)
            .take(pages.len() - annex - 1)
        {
            assert_eq!(ends_badly(page), None, "PDF, dịch {shift}, trang {}", i + 1);
        }
        let path = dir.join(format!("dich-{shift:02}.docx"));
        std::fs::write(&path, khuyencong::render::docx::write(&prepared).unwrap()).unwrap();
        files.push(path);
    }
    assert!(breaks >= shifts.len(), "the annex spans pages");
    if !have_tool("soffice") || !have_tool("pdftotext") {
        return;
    }
    for (shift, pages) in shifts.iter().zip(libreoffice_pages(&dir, &files)) {
        let annex = pages.iter().position(|p| p.contains("PHỤ LỤC")).unwrap();
        for (i, page) in pages
            .iter()
            .enumerate()
            .skip(annex)
            .take(pages.len() - annex - 1)
        {
            assert_eq!(
                ends_badly(page),
                None,
                "DOCX, dịch {shift}, trang {}",
                i + 1
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The DOCX, the PDF and the workbook of one build say the same title,
/// subject, author and language: one value, decided once.
#[test]
fn every_file_of_a_build_carries_the_same_properties() {
    let dir = scratch("properties");
    let report = pipeline::run(&Inputs {
        input: root().join("input"),
        templates: root().join("templates"),
        year: None,
    })
    .unwrap();
    let expected = khuyencong::render::prepared::Properties::of_report(&report.document.meta);
    let written = khuyencong::output::write(report, &dir, &Default::default()).unwrap();
    let file = |ext: &str| {
        written
            .files
            .iter()
            .find(|f| f.extension().is_some_and(|e| e == ext))
            .unwrap()
            .clone()
    };
    let xml = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    for ext in ["docx", "xlsx"] {
        let core = common::zip_part(&file(ext), "docProps/core.xml");
        for want in [
            format!("<dc:title>{}</dc:title>", xml(&expected.title)),
            format!("<dc:subject>{}</dc:subject>", xml(&expected.subject)),
            format!("<dc:creator>{}</dc:creator>", xml(&expected.author)),
        ] {
            assert!(core.contains(&want), "{ext}: thiếu {want} trong {core}");
        }
    }
    let pdf = std::fs::read(file("pdf")).unwrap();
    let pdf = String::from_utf8_lossy(&pdf);
    for want in [
        format!(
            "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li>",
            xml(&expected.title)
        ),
        format!(
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li>",
            xml(&expected.subject)
        ),
        format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li>",
            xml(&expected.author)
        ),
        "<rdf:li>vi-VN</rdf:li>".to_string(),
    ] {
        assert!(pdf.contains(&want), "PDF (XMP): thiếu {want}");
    }
    if have_tool("pdfinfo") {
        let info = std::process::Command::new("pdfinfo")
            .arg(file("pdf"))
            .output()
            .unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        for (key, value) in [
            ("Title", &expected.title),
            ("Subject", &expected.subject),
            ("Author", &expected.author),
        ] {
            assert!(
                info.lines()
                    .any(|l| l.starts_with(key) && l.ends_with(value.as_str())),
                "PDF Info {key}: {info}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
