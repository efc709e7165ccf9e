//! Justified lines as a reader sees them: the two bundled reports rendered
//! to PDF, read back with `pdftotext -bbox-layout`, and the mean gap
//! between the words of every line that reaches the right margin measured
//! against a normal space (0,25 em in Liberation Serif).

mod common;

use std::path::Path;
use std::process::Command;

use common::{have_tool, root, scratch};
use khuyencong::document::{plain_text, Block, Document, Orientation};
use quick_xml::events::Event;
use quick_xml::Reader;

/// A word's box on the page, as pdftotext gives it.
struct Word {
    x_min: f32,
    x_max: f32,
    text: String,
}

/// The lines of every page, each with the page's width.
fn bbox_lines(pdf: &Path) -> Vec<(f32, Vec<Word>)> {
    let out = Command::new("pdftotext")
        .arg("-bbox-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("chạy pdftotext");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = String::from_utf8(out.stdout).expect("pdftotext ra UTF-8");
    let mut reader = Reader::from_str(&xml);
    let (mut lines, mut page_width, mut word) = (Vec::new(), 0.0, None);
    let number = |e: &quick_xml::events::BytesStart, key: &[u8]| -> f32 {
        let value = e
            .try_get_attribute(key)
            .unwrap()
            .unwrap_or_else(|| panic!("thiếu {}", String::from_utf8_lossy(key)));
        std::str::from_utf8(&value.value).unwrap().parse().unwrap()
    };
    loop {
        match reader.read_event().expect("XML của pdftotext") {
            Event::Start(e) => match e.name().as_ref() {
                b"page" => page_width = number(&e, b"width"),
                b"line" => lines.push((page_width, Vec::new())),
                b"word" => {
                    word = Some(Word {
                        x_min: number(&e, b"xMin"),
                        x_max: number(&e, b"xMax"),
                        text: String::new(),
                    })
                }
                _ => {}
            },
            Event::Text(t) => {
                if let Some(w) = word.as_mut() {
                    w.text.push_str(&t.decode().unwrap());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(w) = word.as_mut() {
                    let name = r.decode().unwrap();
                    w.text.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("&{other};"),
                    });
                }
            }
            Event::End(e) if e.name().as_ref() == b"word" => {
                if let (Some(w), Some((_, line))) = (word.take(), lines.last_mut()) {
                    line.push(w);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    lines
}

/// Each justified body line's word spacing in normal spaces, with its text:
/// lines of the portrait pages that start at the left margin or the
/// first-line indent and end at the right margin.
fn justified(doc: &Document, pdf: &Path) -> Vec<(f32, String)> {
    let s = &doc.meta.trang;
    let pt = 72.0 / 25.4;
    let (paper, _) = s.paper_mm(Orientation::Portrait);
    let (left, right) = (s.le_trai_mm * pt, (paper - s.le_phai_mm) * pt);
    let indent = left + s.thut_dau_dong_cm * 10.0 * pt;
    let space = 0.25 * s.co_chu;
    bbox_lines(pdf)
        .into_iter()
        .filter(|(width, words)| {
            (width - paper * pt).abs() < 0.5
                && words.len() >= 2
                && [left, indent]
                    .iter()
                    .any(|x| (words[0].x_min - x).abs() < 0.5)
                && (words[words.len() - 1].x_max - right).abs() < 0.5
        })
        .map(|(_, words)| {
            let gaps: f32 = words.windows(2).map(|p| p[1].x_min - p[0].x_max).sum();
            let text: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
            (gaps / (words.len() - 1) as f32 / space, text.join(" "))
        })
        .collect()
}

fn render(golden: &str, name: &str) -> (Document, std::path::PathBuf) {
    let md = std::fs::read_to_string(root().join("tests/golden").join(golden)).unwrap();
    let doc = khuyencong::markdown::parse(&md).unwrap();
    let pdf = scratch(name).join("bao-cao.pdf");
    let prepared = khuyencong::render::prepared::prepare(&doc).unwrap();
    std::fs::write(&pdf, khuyencong::render::pdf::write(&prepared).unwrap()).unwrap();
    (doc, pdf)
}

/// Checks one report's justified lines: at most `loose` at 1,6 × a normal
/// space or more, none at `worst` or more, none shrunk below two thirds; and no
/// word with "/" or "-" split across lines.
fn check(golden: &str, loose: usize, worst: f32) {
    let (doc, pdf) = render(golden, golden);
    let lines = justified(&doc, &pdf);
    assert!(lines.len() > 50, "{golden}: only {} lines", lines.len());
    let report: Vec<String> = lines
        .iter()
        .filter(|(ratio, _)| *ratio >= 1.6)
        .map(|(ratio, text)| format!("{ratio:.2} {text}"))
        .collect();
    assert!(
        report.len() <= loose,
        "{golden}: {} lines at ≥ 1,6×:\n{}",
        report.len(),
        report.join("\n")
    );
    for (ratio, text) in &lines {
        assert!(*ratio < worst, "{golden}: {ratio:.2}× {text}");
        assert!(
            *ratio > 2.0 / 3.0 - 0.01,
            "{golden}: shrunk to {ratio:.2}: {text}"
        );
    }
    // Document numbers ("13264/UBND-KTNS") stay whole: every word the PDF
    // shows with a "/" or "-" is a word of the source.
    // List items start with their marker ("- ").
    let mut source = String::from("- ");
    for block in &doc.blocks {
        match block {
            Block::Paragraph(content) => source.push_str(&plain_text(content)),
            Block::List { items, .. } => {
                for item in items {
                    source.push_str(&plain_text(&item.content));
                    source.push(' ');
                }
            }
            _ => {}
        }
        source.push(' ');
    }
    let words: std::collections::HashSet<&str> = source.split_whitespace().collect();
    for (_, text) in &lines {
        for word in text.split(' ') {
            if word.contains(['/', '-']) {
                assert!(words.contains(word), "{golden}: “{word}” split: {text}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(pdf.parent().unwrap());
}

/// Before total fit: 22 of 148 lines at ≥ 1,6×, 4 at ≥ 2,5× (worst 3,91×
/// "13264/UBND-KTNS ngày 08/12/2023 …"). With spaces shrinking to 80 %:
/// 4 and 1 (2,54×, "… (Quyết định số" before "1994/QĐ-UBND"); to two
/// thirds, as typst: 2 and none (worst 1,99×) — the target.
#[test]
fn the_sample_has_at_most_two_loose_lines_and_none_at_two_and_a_half_spaces() {
    if !have_tool("pdftotext") {
        return;
    }
    check("bao-cao-khuyen-cong-2023.md", 2, 2.5);
}

/// Before: 20 of 82 lines at ≥ 1,6×, 4 at ≥ 2,5× (worst 2,70×); now 6 and
/// none (worst 2,02×).
#[test]
fn the_dak_lak_example_has_no_line_at_two_and_a_half_spaces() {
    if !have_tool("pdftotext") {
        return;
    }
    check("bao-cao-khuyen-cong-2020-dak-lak.md", 6, 2.5);
}
