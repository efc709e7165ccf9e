//! Nothing written is silently lost: lists nested to any depth print every
//! item in order with an indent per level, in both writers; what the
//! writers cannot print (HTML, images, footnotes, link definitions) is
//! refused with its line; and for generated Markdown every word of the
//! source is in the PDF's text and the DOCX's, in order.

mod common;

use std::path::Path;

use common::{document_xml, have_tool, khuyencong, pdf_text, scratch};
use khuyencong::document::Document;
use proptest::prelude::*;

/// The sample's front matter.
fn front() -> String {
    let sample = std::fs::read_to_string(common::fixture("bao-cao-mau.md")).unwrap();
    let end = sample.match_indices("+++").nth(1).unwrap().0 + 4;
    sample[..end].to_string()
}

/// The lines of the front matter: a body starting after it is on line
/// `front_lines() + 1`.
fn front_lines() -> usize {
    front().lines().count()
}

/// The text of document.xml's runs (`w:t`, and `w:noBreakHyphen` as its
/// hyphen), a space between paragraphs.
fn docx_text(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..=end];
        rest = &rest[end + 1..];
        if tag == "<w:t>" || tag.starts_with("<w:t ") {
            let close = rest.find("</w:t>").unwrap();
            out.push_str(
                &rest[..close]
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&"),
            );
            rest = &rest[close..];
        } else if tag == "</w:p>" || tag.starts_with("<w:br") {
            out.push(' ');
        } else if tag == "<w:noBreakHyphen />" {
            out.push('-');
        }
    }
    out
}

/// The words of `text` (what whitespace separates), each with whether a
/// line ends after it.
fn words_of(text: &str) -> Vec<(&str, bool)> {
    let mut words = Vec::new();
    for line in text.lines() {
        let start = words.len();
        words.extend(line.split_whitespace().map(|w| (w, false)));
        if words.len() > start {
            words.last_mut().unwrap().1 = true;
        }
    }
    words
}

/// Whether `word` is printed from `words[i]` on, and where what follows it
/// starts: the very word, or, cut over lines as only the PDF does (a word
/// wider than a line, without a hyphen: pdf/layout/text.rs), its head
/// ending a line and the rest starting the next ones. Never a word run
/// into its neighbour ("mộttrích").
fn printed_at(words: &[(&str, bool)], i: usize, word: &str) -> Option<usize> {
    let mut rest = word;
    for (j, &(printed, line_ends)) in words.iter().enumerate().skip(i) {
        if printed == rest {
            return Some(j + 1);
        }
        match rest.strip_prefix(printed) {
            Some(tail) if line_ends && !printed.is_empty() => rest = tail,
            _ => return None,
        }
    }
    None
}

/// The first of `expected` (whitespace-separated words) missing from
/// `text` in order, word for word, if any.
fn missing_in_order<'a>(text: &str, expected: &[&'a str]) -> Option<&'a str> {
    let words = words_of(text);
    let mut at = 0;
    for word in expected.iter().flat_map(|w| w.split_whitespace()) {
        match (at..words.len()).find_map(|i| printed_at(&words, i, word)) {
            Some(next) => at = next,
            None => return Some(word),
        }
    }
    None
}

#[test]
fn words_run_together_are_missing_and_only_a_line_end_may_cut_one() {
    assert_eq!(
        missing_in_order("1. mộttrích 2. hai", &["một", "trích"]),
        Some("một")
    );
    assert_eq!(
        missing_in_order("một trích\nhai", &["một trích", "hai"]),
        None
    );
    // A word wider than a line, cut at the line's end (the PDF).
    assert_eq!(
        missing_in_order("a khuyến\nxxx\nxx b", &["khuyếnxxxxx", "b"]),
        None
    );
    assert_eq!(
        missing_in_order("a khuyến xxxxx\nb", &["khuyếnxxxxx"]),
        Some("khuyếnxxxxx")
    );
}

/// The DOCX and PDF of `md`, in `dir`, as text: (document.xml's, and
/// pdftotext's when it is installed).
fn both_texts(dir: &Path, name: &str, doc: &Document) -> (String, Option<String>) {
    let docx = dir.join(format!("{name}.docx"));
    std::fs::write(&docx, common::docx(doc)).unwrap();
    let docx = docx_text(&document_xml(&docx));
    let pdf = dir.join(format!("{name}.pdf"));
    std::fs::write(&pdf, common::pdf(doc)).unwrap();
    // Without the page numbers, which a word cut over a page end would
    // otherwise have inside it.
    let pdf = have_tool("pdftotext").then(|| {
        pdf_text(&pdf, "-raw")
            .lines()
            .filter(|l| !l.trim().chars().all(|c| c.is_ascii_digit()))
            .collect::<Vec<_>>()
            .join("\n")
    });
    (docx, pdf)
}

/// "mục C" after a nested list, numbered inside bulleted and back, four
/// levels deep: every item in order in both documents, each level one
/// indent further in the DOCX.
#[test]
fn nested_lists_print_every_item_in_order_in_both_documents() {
    let md = format!(
        "{}\n- mục A\n  - mục con B\n    1. số một\n    2. số hai\n       - sâu ba\n         - sâu bốn\n    3. số ba\n  - mục con B2\n- mục C\n\n  đoạn thêm của mục C\n- mục D\n\nĐoạn sau danh sách.\n",
        front()
    );
    let doc = khuyencong::markdown::parse(&md).unwrap();
    let items = [
        "- mục A",
        "+ mục con B",
        "1. số một",
        "2. số hai",
        "- sâu ba",
        "+ sâu bốn",
        "3. số ba",
        "+ mục con B2",
        "- mục C",
        "đoạn thêm của mục C",
        "- mục D",
        "Đoạn sau danh sách.",
    ];
    let dir = scratch("nested-lists");
    let (docx, pdf) = both_texts(&dir, "danh-sach", &doc);
    assert_eq!(missing_in_order(&docx, &items), None, "DOCX: {docx}");
    if let Some(pdf) = pdf {
        assert_eq!(missing_in_order(&pdf, &items), None, "PDF: {pdf}");
    }
    // The left indent of each item's paragraph in the DOCX: one step
    // (the first-line indent, 720 twips) per level.
    let xml = document_xml(&dir.join("danh-sach.docx"));
    let indent = |item: &str| -> u32 {
        let at = xml
            .find(&format!(">{item}<"))
            .unwrap_or_else(|| panic!("{item}"));
        let paragraph = &xml[xml[..at].rfind("<w:p ").unwrap()..at];
        paragraph
            .split("w:left=\"")
            .nth(1)
            .map_or(0, |rest| rest[..rest.find('"').unwrap()].parse().unwrap())
    };
    assert_eq!(
        ["mục A", "mục con B", "số một", "sâu ba", "sâu bốn", "mục C"].map(indent),
        [0, 720, 1440, 2160, 2880, 0]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `khuyencong render` refuses what the writers cannot print, naming the
/// file's line, and writes nothing; the HTML comments templates write
/// still work.
#[test]
fn markdown_the_writers_cannot_print_is_refused_with_its_line() {
    let body_line = front_lines() + 4;
    let cases = [
        (
            "html",
            "<div>\nchữ trong khối HTML\n</div>\n",
            "HTML `<div>`",
        ),
        ("anh", "Hình: ![sơ đồ](so-do.png)\n", "hình ảnh"),
        (
            "chu-thich",
            "Kết quả[^1].\n\n[^1]: Theo báo cáo của huyện.\n",
            "chú thích cuối trang",
        ),
        (
            "lien-ket",
            "[ghi chú]: /tai-lieu/quyet-dinh-12.pdf\n",
            "định nghĩa liên kết",
        ),
        (
            "de-muc",
            "- mục\n  # Đề mục trong danh sách\n",
            "đề mục nằm trong",
        ),
    ];
    for (name, body, expected) in cases {
        let dir = scratch(&format!("refused-{name}"));
        let file = dir.join("bao-cao.md");
        std::fs::write(&file, format!("{}\nĐoạn đầu.\n\n{body}", front())).unwrap();
        let out = dir.join("ra");
        let o = khuyencong(&[
            "render",
            file.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {stderr}");
        let line = if name == "de-muc" {
            body_line + 1
        } else {
            body_line
        };
        assert!(
            stderr.contains(&format!("dòng {line} ")) && stderr.contains(expected),
            "{name}: {stderr}"
        );
        assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
    let md = format!(
        "{}\nMột.\n\n<!-- ghi chú của mẫu -->\n\n<!-- ngat-trang -->\n\nHai.\n\n<!--\nghi chú\nnhiều dòng\n-->\n\nBa.\n",
        front()
    );
    let doc = khuyencong::markdown::parse(&md).unwrap();
    let kinds: Vec<String> = doc
        .blocks
        .iter()
        .map(|b| format!("{b:?}")[..5].to_string())
        .collect();
    assert_eq!(kinds, ["Parag", "PageB", "Parag", "Parag"]);
}

/// A word of generated text, unique by its number.
fn word() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["khuyến", "công", "đề", "án", "Ứng", "dụng", "tỉnh"][..]),
        0usize..100_000,
    )
        .prop_map(|(syllable, n)| format!("{syllable}{n}"))
}

/// A run of words, maybe emphasised, maybe with a line break (not at its
/// end) or a word longer than a line.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => word(),
            1 => word().prop_map(|w| format!("**{w}**")),
            1 => word().prop_map(|w| format!("*{w}*")),
            1 => word().prop_map(|w| format!("{w}\\\n")),
            1 => (word(), 60usize..400).prop_map(|(w, n)| format!("{w}{}", "x".repeat(n))),
        ],
        1..12,
    )
    .prop_map(|words| {
        // A backslash ending a block is not a line break: it prints.
        let text = words.join(" ").replace("\n ", "\n");
        text.strip_suffix("\\\n")
            .map_or(text.clone(), str::to_string)
    })
}

/// A block under a list item's text, on the very next line: a quote of
/// text, or a fenced code block of short words (a code block prints its
/// lines as written, emphasis marks and all).
fn under_item() -> impl Strategy<Value = String> {
    prop_oneof![
        text().prop_map(|t| format!("> {}", t.replace('\n', "\n> "))),
        prop::collection::vec(prop::collection::vec(word(), 1..4), 1..3).prop_map(|lines| {
            let lines: Vec<String> = lines.iter().map(|l| l.join(" ")).collect();
            format!("```\n{}\n```", lines.join("\n"))
        }),
    ]
}

/// A list nested up to three levels below, bulleted or numbered at each,
/// an item maybe with a quote or a code block under its text.
fn list(depth: usize) -> BoxedStrategy<String> {
    let item = (text(), prop::option::weighted(0.3, under_item()));
    let nested = if depth < 3 {
        prop::option::of(list(depth + 1)).boxed()
    } else {
        Just(None).boxed()
    };
    (prop::collection::vec((item, nested), 1..4), any::<bool>())
        .prop_map(|(items, numbered)| {
            let mut out = String::new();
            for (i, ((text, under), nested)) in items.iter().enumerate() {
                let marker = if numbered {
                    format!("{}. ", i + 1)
                } else {
                    "- ".to_string()
                };
                let pad = " ".repeat(marker.len());
                out.push_str(&marker);
                out.push_str(&text.replace('\n', &format!("\n{pad}")));
                out.push('\n');
                for line in under.iter().chain(nested).flat_map(|b| b.lines()) {
                    out.push_str(&pad);
                    out.push_str(line);
                    out.push('\n');
                }
            }
            out
        })
        .boxed()
}

/// A table of short words (one per cell, so its cells read row by row).
fn table() -> impl Strategy<Value = String> {
    (2usize..5, 1usize..4).prop_flat_map(|(columns, rows)| {
        prop::collection::vec(word(), columns * (rows + 1)).prop_map(move |words| {
            let row = |r: usize| {
                format!(
                    "| {} |\n",
                    words[r * columns..(r + 1) * columns].join(" | ")
                )
            };
            let mut t = row(0);
            t.push_str(&format!("|{}\n", "---|".repeat(columns)));
            for r in 1..=rows {
                t.push_str(&row(r));
            }
            t
        })
    })
}

/// A document body of headings, paragraphs, nested lists and tables.
fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            (1usize..5, text()).prop_map(|(level, t)| format!(
                "{} {}\n",
                "#".repeat(level),
                t.replace("\\\n", " ").replace('\n', " ")
            )),
            text().prop_map(|t| format!("{t}\n")),
            list(0),
            table(),
        ],
        1..8,
    )
    .prop_map(|blocks| blocks.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Every word of generated Markdown is printed, in order, in the PDF
    /// (pdftotext) and in the DOCX (its runs).
    #[test]
    fn every_word_of_the_source_is_printed_in_order(body in body()) {
        let md = format!("{}\n{body}", front());
        let doc = khuyencong::markdown::parse(&md).unwrap();
        let words: Vec<&str> = body
            .split(|c: char| c.is_whitespace() || "*\\|#".contains(c))
            .filter(|w| w.chars().any(char::is_alphabetic) && !w.ends_with('.'))
            .collect();
        let dir = scratch("every-word");
        let (docx, pdf) = both_texts(&dir, "van-ban", &doc);
        prop_assert_eq!(missing_in_order(&docx, &words), None, "DOCX of:\n{}", body);
        if let Some(pdf) = pdf {
            prop_assert_eq!(missing_in_order(&pdf, &words), None, "PDF of:\n{}", body);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
