//! Section numbers computed by the document (issue 14): a clerk moves the
//! sections of the default template by whole lines and the report still
//! reads I, II, III, IV; the numbers are in the Markdown, the DOCX and the
//! PDF; under section I they equal the `ct.so`, `nd.so` Bảng 1 prints.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, document_xml, have_tool, pdf_text, root, scratch, squash};
use khuyencong::document::{plain_text, Block, Document};
use khuyencong::output;
use khuyencong::pipeline::{self, Inputs};

fn inputs(input: PathBuf, templates: PathBuf) -> Inputs {
    Inputs {
        input,
        templates,
        year: None,
    }
}

/// The level-1 headings of the body, as printed.
fn sections(doc: &Document) -> Vec<String> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level: 1, content } => Some(plain_text(content)),
            _ => None,
        })
        .collect()
}

/// The default main template cut into: the lines before the first section,
/// each section (from its `#` heading line to the line before the next, the
/// last one to the line before the closing sentence), and the lines after.
/// A heading line is one that reads `# …` once the tags opening it are
/// left out, as a clerk sees it.
fn cut(template: &str) -> (Vec<&str>, Vec<Vec<&str>>, Vec<&str>) {
    let lines: Vec<&str> = template.lines().collect();
    let is_heading = |line: &str| {
        let mut rest = line;
        while let Some(after) = rest.strip_prefix("{%").and_then(|r| r.split_once("%}")) {
            rest = after.1;
        }
        rest.starts_with("# ")
    };
    let starts: Vec<usize> = (0..lines.len()).filter(|&i| is_heading(lines[i])).collect();
    let closing = lines
        .iter()
        .position(|l| l.starts_with("Trên đây là báo cáo"))
        .expect("the closing sentence");
    let mut bounds = starts.clone();
    bounds.push(closing);
    let parts = bounds
        .windows(2)
        .map(|w| lines[w[0]..w[1]].to_vec())
        .collect();
    (
        lines[..starts[0]].to_vec(),
        parts,
        lines[closing..].to_vec(),
    )
}

/// Every order of `n` things.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut all = Vec::new();
    for rest in permutations(n - 1) {
        for at in 0..=rest.len() {
            let mut p = rest.clone();
            p.insert(at, n - 1);
            all.push(p);
        }
    }
    all
}

#[test]
fn sections_moved_by_whole_lines_still_read_i_ii_iii_iv() {
    let default = std::fs::read_to_string(root().join("templates/bao-cao.md")).unwrap();
    let (head, parts, tail) = cut(&default);
    assert_eq!(parts.len(), 4, "{parts:#?}");
    let titles: Vec<String> = parts
        .iter()
        .map(|p| p[0].rsplit("# ").next().unwrap().to_string())
        .collect();
    let dir = scratch("permute");
    copy_dir(&root().join("templates"), &dir);
    let orders = permutations(parts.len());
    assert_eq!(orders.len(), 24);
    for order in orders {
        let mut lines = head.clone();
        for &i in &order {
            lines.extend(&parts[i]);
        }
        lines.extend(&tail);
        std::fs::write(dir.join("bao-cao.md"), lines.join("\n") + "\n").unwrap();
        let report = pipeline::run(&inputs(root().join("input"), dir.clone()))
            .unwrap_or_else(|e| panic!("order {order:?}: {e}"));
        let expected: Vec<String> = order
            .iter()
            .zip(["I", "II", "III", "IV"])
            .map(|(&i, roman)| format!("{roman}. {}", titles[i]))
            .collect();
        assert_eq!(sections(&report.document), expected, "order {order:?}");
        for heading in &expected {
            assert!(
                report.markdown.contains(&format!("\n# {heading}\n")),
                "order {order:?}: the Markdown lacks {heading}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The numbers the document gives the headings of section I are the ones
/// the aggregation computes for Bảng 1.
fn headings_match_the_computed_numbers(input: &Path) {
    let report = pipeline::run(&inputs(input.to_path_buf(), root().join("templates"))).unwrap();
    let mut expected = Vec::new();
    for ct in report
        .summary
        .chuong_trinh
        .iter()
        .filter(|c| !c.so.is_empty())
    {
        expected.push((2, format!("{}. {}", ct.so, ct.ten)));
        for nd in ct.noi_dung.iter().filter(|n| !n.so.is_empty()) {
            if nd.so != ct.so {
                expected.push((3, format!("{}. {}", nd.so, nd.ten)));
            }
        }
    }
    let found: Vec<(u8, String)> = report
        .document
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, content } if *level > 1 => Some((*level, plain_text(content))),
            _ => None,
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(found, expected, "{}", input.display());
    // Bảng 1 prints the same numbers.
    let tong_hop = &report.markdown[report.markdown.find("**Bảng 1.").unwrap()..];
    for ct in report
        .summary
        .chuong_trinh
        .iter()
        .filter(|c| !c.so.is_empty())
    {
        assert!(
            tong_hop.contains(&format!("| **{}** | **", ct.so)),
            "{}",
            ct.so
        );
    }
}

#[test]
fn heading_numbers_are_the_numbers_of_table_1_in_both_examples() {
    headings_match_the_computed_numbers(&root().join("input"));
    headings_match_the_computed_numbers(&root().join("examples/du-lieu/dak-lak-2020"));
}

#[test]
fn the_numbers_are_in_the_markdown_the_docx_and_the_pdf() {
    let out = scratch("numbers-out");
    let report = pipeline::run(&inputs(root().join("input"), root().join("templates"))).unwrap();
    output::write(report, &out, &output::Wait::default()).unwrap();
    let md = std::fs::read_to_string(out.join("bao-cao-khuyen-cong-2023.md")).unwrap();
    let numbered = [
        "I. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG THEO KẾ HOẠCH",
        "1.1. Tổ chức lớp KSDN và các lớp chuyên đề",
        "IV. TỔNG HỢP KINH PHÍ",
    ];
    for text in numbered {
        assert!(md.contains(text), "Markdown: {text}");
        assert!(
            document_xml(&out.join("bao-cao-khuyen-cong-2023.docx")).contains(text),
            "DOCX: {text}"
        );
    }
    if have_tool("pdftotext") {
        let pdf = squash(&pdf_text(&out.join("bao-cao-khuyen-cong-2023.pdf"), "-raw"));
        for text in numbered {
            assert!(pdf.contains(text), "PDF: {text}");
        }
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn an_item_named_with_its_own_number_keeps_the_reports_numbers() {
    // Plans copied from an old report often keep the numbers in the names.
    let dir = common::copy_of_input("ten-co-so");
    common::edit(
        &dir.join("ke-hoach-2023.json"),
        "\"ten\": \"Tổ chức lớp KSDN và các lớp chuyên đề\"",
        "\"ten\": \"2.1. Tổ chức lớp KSDN và các lớp chuyên đề\"",
    );
    common::edit(
        &dir.join("ke-hoach-2023.json"),
        "\"ten\": \"Tham gia hội chợ triển lãm trong nước\"",
        "\"ten\": \"1.1 Tham gia hội chợ triển lãm trong nước\"",
    );
    let md = khuyencong::pipeline::run(&khuyencong::pipeline::Inputs {
        input: dir.clone(),
        templates: common::root().join("templates"),
        year: None,
    })
    .unwrap_or_else(|e| panic!("{e}"))
    .markdown;
    assert!(md.contains("### 1.1. 2.1. Tổ chức lớp KSDN"), "{md}");
    assert!(md.contains("### 1.2. Học tập kinh nghiệm"), "{md}");
    assert!(md.contains("### 3.1. 1.1 Tham gia hội chợ"), "{md}");
    let _ = std::fs::remove_dir_all(&dir);
}
