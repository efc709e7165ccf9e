//! The DOCX writer on the sample report: the package parts say what the
//! decree asks, and LibreOffice prints every line of the report.

mod common;

use std::io::{Cursor, Read};

use khuyencong::document::{plain_text, Align, Block, Document, Inline, ListItem, Table};
use khuyencong::markdown;

fn sample() -> Document {
    let md = std::fs::read_to_string(common::fixture("bao-cao-mau.md")).expect("đọc mẫu");
    markdown::parse(&md).expect("phân tích mẫu")
}

/// The named parts of a DOCX package, as text.
struct Package(zip::ZipArchive<Cursor<Vec<u8>>>);

impl Package {
    fn new(bytes: Vec<u8>) -> Self {
        Self(zip::ZipArchive::new(Cursor::new(bytes)).expect("gói DOCX là tệp zip"))
    }

    fn part(&mut self, name: &str) -> String {
        let mut s = String::new();
        self.0
            .by_name(name)
            .unwrap_or_else(|_| panic!("thiếu phần {name}"))
            .read_to_string(&mut s)
            .expect("phần XML là UTF-8");
        s
    }

    fn names(&self) -> Vec<String> {
        self.0.file_names().map(String::from).collect()
    }
}

fn render() -> Package {
    Package::new(common::docx(&sample()))
}

/// The text of every `w:t` (and the hyphen of `w:noBreakHyphen`),
/// paragraphs ending with a newline.
fn text_of(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let end = rest.find('>').expect("thẻ đóng");
        let tag = &rest[..=end];
        rest = &rest[end + 1..];
        if tag == "<w:t>" || tag.starts_with("<w:t ") {
            let close = rest.find("</w:t>").expect("</w:t>");
            out.push_str(&unescape(&rest[..close]));
            rest = &rest[close..];
        } else if tag == "</w:p>" {
            out.push('\n');
        } else if tag == "<w:noBreakHyphen />" {
            out.push('-');
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// What is compared between the model and a rendering: no whitespace and
/// no hyphens (line ends may add or drop them).
fn bare(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{ad}')
        .collect()
}

/// Every line of the report, in reading order: the header block, the
/// title, each paragraph, heading, list item and table cell, the closing.
fn report_lines(doc: &Document) -> Vec<String> {
    let m = &doc.meta;
    let mut lines = vec![
        m.co_quan_chu_quan.clone(),
        m.co_quan_ban_hanh.clone(),
        m.quoc_hieu.clone(),
        m.tieu_ngu.clone(),
        format!("Số: {}", m.so_ky_hieu),
        m.dia_danh_ngay.clone(),
        m.loai_van_ban.clone(),
        m.trich_yeu.clone(),
    ];
    for block in &doc.blocks {
        match block {
            Block::Heading { content, .. } | Block::Paragraph(content) => {
                lines.push(plain_text(content))
            }
            Block::List { start, items } => {
                for (i, item) in (0..).zip(items) {
                    let marker = start.map_or_else(|| "- ".to_string(), |n| format!("{}. ", n + i));
                    lines.push(marker + &plain_text(&item.content));
                }
            }
            Block::Table(t) => {
                for row in std::iter::once(&t.header).chain(&t.rows) {
                    lines.extend(row.iter().map(|c| plain_text(c)));
                }
            }
            Block::PageBreak => {}
        }
    }
    lines.push("Nơi nhận:".into());
    lines.extend(m.noi_nhan.iter().cloned());
    lines.extend(m.tham_quyen.iter().cloned());
    lines.push(m.nguoi_ky.clone());
    lines
}

/// Asserts that every line occurs in `text`, in order.
fn assert_in_order(text: &str, lines: &[String], what: &str) {
    let text = bare(text);
    let mut from = 0;
    for line in lines {
        let needle = bare(line);
        match text[from..].find(&needle) {
            Some(at) => from += at + needle.len(),
            None => panic!(
                "{what}: thiếu (hoặc sai thứ tự) dòng {line:?}\n--- văn bản từ vị trí đó ---\n{}",
                &text[from..]
            ),
        }
    }
}

/// The `w:tbl` elements of document.xml, in order.
fn tables(document: &str) -> Vec<&str> {
    document
        .split("<w:tbl>")
        .skip(1)
        .map(|t| &t[..t.find("</w:tbl>").expect("</w:tbl>")])
        .collect()
}

#[test]
fn page_is_a4_with_the_decree_margins_and_fonts() {
    let mut p = render();
    let document = p.part("word/document.xml");
    assert!(
        document.contains(r#"<w:pgSz w:w="11906" w:h="16838" />"#),
        "khổ A4 dọc"
    );
    for margin in [
        r#"w:top="1134""#,
        r#"w:bottom="1134""#,
        r#"w:left="1701""#,
        r#"w:right="850""#,
    ] {
        assert!(document.contains(margin), "lề trang {margin}");
    }
    let styles = p.part("word/styles.xml");
    let defaults = &styles[..styles.find("</w:docDefaults>").expect("docDefaults")];
    assert!(
        defaults.contains(r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="Times New Roman" />"#),
        "phông mặc định: {defaults}"
    );
    assert!(defaults.contains(r#"<w:sz w:val="28" />"#), "cỡ chữ 14");
    assert!(
        defaults.contains(r#"<w:lang w:val="vi-VN""#),
        "ngôn ngữ tiếng Việt"
    );
    let body = style(&styles, "BodyText");
    for want in [
        r#"<w:jc w:val="both" />"#,
        r#"w:firstLine="720""#,
        r#"<w:spacing w:after="120" w:line="276" w:lineRule="auto" />"#,
    ] {
        assert!(body.contains(want), "kiểu Body Text thiếu {want}: {body}");
    }
}

/// The `w:style` element with this id.
fn style<'a>(styles: &'a str, id: &str) -> &'a str {
    let start = styles
        .find(&format!(r#"w:styleId="{id}""#))
        .unwrap_or_else(|| panic!("thiếu kiểu {id}"));
    let rest = &styles[start..];
    &rest[..rest.find("</w:style>").expect("</w:style>")]
}

#[test]
fn header_block_has_agency_left_and_national_name_right() {
    let doc = sample();
    let m = &doc.meta;
    let document = render().part("word/document.xml");
    let header = tables(&document)[0];
    // Two rows of two columns: agencies | national name and motto, then
    // number | place and date (so those two start on one line).
    let cells: Vec<String> = header.split("<w:tc>").skip(1).map(text_of).collect();
    assert_eq!(cells.len(), 4, "hai hàng, hai cột");
    // Names wrap at word groups into several lines of the frame.
    let column = |i: usize, j: usize| -> String {
        [&cells[i], &cells[j]]
            .iter()
            .flat_map(|c| c.lines())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        column(0, 2),
        format!(
            "{} {} Số: 581/BC-KC&TV",
            m.co_quan_chu_quan, m.co_quan_ban_hanh
        )
    );
    assert_eq!(
        column(1, 3),
        format!("{} {} {}", m.quoc_hieu, m.tieu_ngu, m.dia_danh_ngay)
    );
    assert!(
        !header.contains("<w:top w:val=\"single\""),
        "khối đầu không có khung"
    );
    // Two rules (under the agency and the motto) are bottom borders.
    assert_eq!(header.matches(r#"<w:bottom w:val="single""#).count(), 2);
    let after = text_of(&document[document.find("</w:tbl>").expect("hết bảng")..]);
    let mut lines = after.lines().filter(|l| !l.is_empty());
    assert_eq!(lines.next(), Some("BÁO CÁO"));
    assert_eq!(lines.next(), Some(m.trich_yeu.as_str()));
}

#[test]
fn headings_use_real_heading_styles_with_outline_levels() {
    let doc = sample();
    let mut p = render();
    let styles = p.part("word/styles.xml");
    for level in 1..=4 {
        let s = style(&styles, &format!("Heading{level}"));
        assert!(
            s.contains(&format!(r#"<w:name w:val="heading {level}" />"#)),
            "{s}"
        );
        assert!(
            s.contains(&format!(r#"<w:outlineLvl w:val="{}" />"#, level - 1)),
            "{s}"
        );
        assert!(s.contains("<w:keepNext />") && s.contains("<w:b />"), "{s}");
        assert_eq!(
            s.contains("<w:i />"),
            level == 4,
            "chỉ mục cấp 4 in nghiêng: {s}"
        );
    }
    let document = p.part("word/document.xml");
    let paragraphs: Vec<&str> = document.split("<w:p ").skip(1).collect();
    let mut headings = doc.blocks.iter().filter_map(|b| match b {
        Block::Heading { level, content } => Some((*level, plain_text(content))),
        _ => None,
    });
    let styled: Vec<(u8, String)> = paragraphs
        .iter()
        .filter_map(|p| {
            const TAG: &str = r#"<w:pStyle w:val="Heading"#;
            let at = p.find(TAG)? + TAG.len();
            let level = p[at..at + 1].parse().ok()?;
            Some((level, text_of(p).trim().to_string()))
        })
        .collect();
    assert!(!styled.is_empty());
    for got in &styled {
        assert_eq!(
            Some(got),
            headings.next().as_ref(),
            "đề mục theo thứ tự, đúng cấp"
        );
    }
    assert_eq!(headings.next(), None, "mọi đề mục đều dùng kiểu Heading");
}

#[test]
fn page_number_is_in_the_header_but_not_on_page_one() {
    let mut p = render();
    let document = p.part("word/document.xml");
    assert!(
        document.contains("<w:titlePg />"),
        "trang đầu có đầu trang riêng"
    );
    let rid = |kind: &str| {
        let tag = format!(r#"<w:headerReference w:type="{kind}" r:id=""#);
        let at = document
            .find(&tag)
            .unwrap_or_else(|| panic!("thiếu đầu trang {kind}"))
            + tag.len();
        document[at..at + document[at..].find('"').expect("\"")].to_string()
    };
    let rels = p.part("word/_rels/document.xml.rels");
    let target = |rid: String| {
        let at = rels
            .find(&format!(r#"Id="{rid}""#))
            .expect("quan hệ đầu trang");
        let rel = &rels[rels[..at].rfind('<').expect("<")..];
        let t = &rel[rel.find("Target=\"").expect("Target") + 8..];
        format!("word/{}", &t[..t.find('"').expect("\"")])
    };
    let (default, first) = (target(rid("default")), target(rid("first")));
    let default = p.part(&default);
    let first = p.part(&first);
    assert!(
        default.contains("<w:instrText>PAGE</w:instrText>"),
        "{default}"
    );
    assert!(
        default.contains(r#"<w:jc w:val="center" />"#)
            && default.contains(r#"<w:sz w:val="26" />"#)
    );
    assert!(
        !first.contains("PAGE") && text_of(&first).trim().is_empty(),
        "trang 1 không đánh số: {first}"
    );
}

#[test]
fn body_tables_repeat_their_header_row_and_rows_never_split() {
    let doc = sample();
    let document = render().part("word/document.xml");
    let all = tables(&document);
    let body = &all[1..all.len() - 1];
    let expected = doc
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Table(_)))
        .count();
    assert_eq!(body.len(), expected, "khối đầu + bảng thân + khối ký");
    for (table, model) in body.iter().zip(doc.blocks.iter().filter_map(|b| match b {
        Block::Table(t) => Some(t),
        _ => None,
    })) {
        let rows: Vec<&str> = table.split("<w:tr>").skip(1).collect();
        assert_eq!(rows.len(), model.rows.len() + 1);
        assert!(rows[0].contains("<w:tblHeader />"), "hàng tiêu đề lặp lại");
        assert!(rows[1..].iter().all(|r| !r.contains("<w:tblHeader />")));
        assert!(
            rows.iter().all(|r| r.contains("<w:cantSplit />")),
            "hàng không bị ngắt"
        );
        assert!(
            table.contains(r#"<w:insideV w:val="single""#)
                && table.contains(r#"<w:top w:val="single""#)
        );
        assert!(rows[0].contains("<w:b />"), "tiêu đề in đậm");
        // The number columns (right-aligned in the Markdown) stay right-aligned.
        let last_cell = rows[1].rsplit("<w:tc>").next().expect("ô");
        assert!(
            last_cell.contains(r#"<w:jc w:val="right" />"#),
            "{last_cell}"
        );
        assert!(table.contains(r#"<w:pStyle w:val="TableText" />"#));
    }
    for frame in [all[0], all[all.len() - 1]] {
        assert!(!frame.contains("tblHeader"));
    }
    // The closing block is one row that never splits across pages.
    let closing = all[all.len() - 1];
    assert_eq!(closing.matches("<w:tr>").count(), 1);
    assert!(closing.contains("<w:cantSplit />"));
}

#[test]
fn every_line_of_the_report_is_in_the_document_in_order() {
    let doc = sample();
    let mut p = render();
    let document = p.part("word/document.xml");
    assert_in_order(&text_of(&document), &report_lines(&doc), "document.xml");
    // Bold and italic are on the runs, not only on the paragraph mark.
    assert!(
        document.contains(r#"<w:b /><w:bCs /></w:rPr><w:t xml:space="preserve">Kế hoạch:</w:t>"#)
    );
    assert!(document
        .contains(r#"<w:i /><w:iCs /></w:rPr><w:t xml:space="preserve">Không thực hiện.</w:t>"#));
}

#[test]
fn line_breaks_become_text_wrapping_breaks() {
    let mut doc = sample();
    doc.blocks = vec![Block::Paragraph(vec![
        Inline::plain("một"),
        Inline::LineBreak,
        Inline::plain("hai"),
    ])];
    let document = Package::new(common::docx(&doc)).part("word/document.xml");
    assert!(
        document.contains(r#"<w:t xml:space="preserve">một</w:t></w:r><w:r><w:rPr /><w:br w:type="textWrapping" />"#),
        "{document}"
    );
}

#[test]
fn level_four_headings_page_breaks_and_adjacent_tables() {
    let mut doc = sample();
    let table = Table {
        align: vec![Align::Left, Align::Right],
        header: vec![vec![Inline::plain("Nội dung")], vec![Inline::plain("Số")]],
        rows: vec![vec![vec![Inline::plain("a")], vec![Inline::plain("1")]]],
        ..Table::default()
    };
    doc.blocks = vec![
        Block::Heading {
            level: 4,
            content: vec![Inline::plain("a) Điểm")],
        },
        Block::PageBreak,
        Block::Table(table.clone()),
        Block::Table(table),
    ];
    let document = Package::new(common::docx(&doc)).part("word/document.xml");
    assert!(document.contains(r#"<w:pStyle w:val="Heading4" />"#));
    assert!(document.contains(r#"<w:br w:type="page" />"#));
    // Adjacent tables would merge into one, and the last one into the closing block.
    assert_eq!(
        document.matches("</w:tbl><w:tbl>").count(),
        0,
        "bảng liền nhau bị gộp"
    );
    assert_eq!(tables(&document).len(), 4);
}

#[test]
fn properties_come_from_the_metadata_and_output_is_reproducible() {
    let doc = sample();
    let first = common::docx(&doc);
    // docx-rs numbers paragraphs per thread: the same thread again (as in
    // `build --watch`) and a fresh thread must both agree.
    let same_thread = common::docx(&doc);
    assert!(first == same_thread, "hai lần ghi phải giống hệt từng byte");
    let again = std::thread::spawn(move || common::docx(&doc))
        .join()
        .expect("luồng");
    assert!(first == again, "hai lần ghi phải giống hệt từng byte");

    let mut p = Package::new(first);
    let core = p.part("docProps/core.xml");
    for want in [
        "<dc:title>Kết quả thực hiện kế hoạch khuyến công năm 2023</dc:title>",
        "<dc:subject>Báo cáo số 581/BC-KC&amp;TV</dc:subject>",
        "<dc:creator>TRUNG TÂM KHUYẾN CÔNG VÀ TƯ VẤN PHÁT TRIỂN CÔNG NGHIỆP</dc:creator>",
        "<dc:language>vi-VN</dc:language>",
        r#"<dcterms:created xsi:type="dcterms:W3CDTF">2023-12-15T00:00:00Z</dcterms:created>"#,
        r#"<dcterms:modified xsi:type="dcterms:W3CDTF">2023-12-15T00:00:00Z</dcterms:modified>"#,
    ] {
        assert!(core.contains(want), "core.xml thiếu {want}: {core}");
    }
    for name in p.names() {
        let entry = p.0.by_name(&name).expect("mục zip");
        let t = entry.last_modified().expect("ngày giờ");
        assert_eq!(
            (t.year(), t.month(), t.day()),
            (2023, 12, 15),
            "{name} mang ngày của báo cáo"
        );
    }
}

#[test]
fn paragraph_ids_are_unique_across_the_package() {
    // The frame's paragraphs are numbered by docx-rs, the streamed body's
    // by the writer: Word repairs (and warns about) a repeated w14:paraId.
    let mut p = render();
    let mut ids = Vec::new();
    for name in p.names() {
        if !name.ends_with(".xml") {
            continue;
        }
        let xml = p.part(&name);
        for piece in xml.split("w14:paraId=\"").skip(1) {
            let id = &piece[..piece.find('"').expect("attribute closed")];
            let value = u32::from_str_radix(id, 16).expect("hex id");
            assert!(value < 0x8000_0000, "{name}: id {id} out of range");
            ids.push(format!("{name}: {id}"));
        }
    }
    assert!(ids.len() > 100, "{} ids", ids.len());
    let mut values: Vec<&str> = ids.iter().map(|i| i.rsplit(' ').next().unwrap()).collect();
    values.sort_unstable();
    let before = values.len();
    values.dedup();
    assert_eq!(values.len(), before, "repeated paragraph ids: {ids:?}");
}

/// The date is checked once, when the Markdown is parsed, with one rule for
/// both writers (a real date in 1980–2107, the years a DOCX can carry).
#[test]
fn a_malformed_date_is_refused_once_in_vietnamese() {
    let md = std::fs::read_to_string(common::fixture("bao-cao-mau.md")).expect("đọc mẫu");
    let line = md
        .lines()
        .find(|l| l.starts_with("ngay ="))
        .expect("mẫu có khóa ngay");
    for bad in ["15/12/2023", "2023-02-29", "1979-12-31", "2108-01-01"] {
        let broken = md.replacen(line, &format!("ngay = \"{bad}\""), 1);
        match markdown::parse(&broken) {
            Err(e @ markdown::MarkdownError::FrontMatter { .. }) => {
                let text = e.to_string();
                assert!(text.contains("NNNN-TT-NN") && text.contains(bad), "{text}");
            }
            other => panic!(
                "{bad}: phải báo lỗi ngày, được {:?}",
                other.map(|d| d.meta.ngay)
            ),
        }
    }
}

#[test]
fn libreoffice_prints_every_line_and_numbers_pages_from_two() {
    if !common::have_tool("soffice") || !common::have_tool("pdftotext") {
        return;
    }
    let doc = sample();
    let dir = std::env::temp_dir().join(format!("khuyencong-docx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("thư mục tạm");
    let input = dir.join("bao-cao.docx");
    std::fs::write(&input, common::docx(&doc)).expect("ghi tệp");
    common::libreoffice_to_pdf(&dir, &[input]);
    // -raw keeps content-stream order: cell by cell, page header first.
    let text = common::pdf_text(&dir.join("bao-cao.pdf"), "-raw");
    let _ = std::fs::remove_dir_all(&dir);

    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() >= 2, "báo cáo mẫu dài hơn một trang");
    // Page 1 opens with the header block, unnumbered; later pages open with their number.
    assert!(
        pages[0]
            .trim_start()
            .starts_with(&doc.meta.co_quan_chu_quan[..5]),
        "{}",
        pages[0]
    );
    assert_in_order(pages[0], &report_lines(&doc)[..8], "trang 1 của PDF");
    let mut body = String::from(pages[0]);
    for (n, page) in (2..).zip(&pages[1..]) {
        let (number, rest) = page.split_once('\n').unwrap_or((page, ""));
        assert_eq!(number.trim(), n.to_string(), "số trang {n} ở đầu trang");
        body.push_str(rest);
    }
    assert_in_order(&body, &report_lines(&doc), "PDF của LibreOffice");

    // Numbers (right-aligned columns) are never broken inside their cell.
    let words: std::collections::HashSet<&str> = body.split_whitespace().collect();
    for t in doc.blocks.iter().filter_map(|b| match b {
        Block::Table(t) => Some(t),
        _ => None,
    }) {
        for row in &t.rows {
            for (cell, align) in row.iter().zip(&t.align) {
                let number = plain_text(cell);
                if *align == Align::Right && !number.is_empty() {
                    assert!(
                        words.contains(number.as_str()),
                        "số {number:?} bị ngắt dòng trong ô"
                    );
                }
            }
        }
    }
}

/// Word opens every kind of document the writer makes without repair: an
/// independent validator finds no schema or semantic error in the sample,
/// the bundled report, a long national-scale report, and documents with
/// level-4 headings, page breaks, lists, line breaks, adjacent and empty
/// tables, no parent body and no recipients.
#[test]
fn every_docx_is_schema_valid_for_word() {
    let dir = common::scratch("word-valid");
    let mut docs = vec![("mau", sample())];
    let bundled = khuyencong::pipeline::run(&khuyencong::pipeline::Inputs {
        input: common::root().join("input"),
        templates: common::root().join("templates"),
        year: None,
    })
    .expect("báo cáo mẫu");
    docs.push(("ban-mau", bundled.document));
    let national = dir.join("du-lieu");
    khuyencong::synth::generate(&national, 300, 7).expect("dữ liệu giả lập");
    let big = khuyencong::pipeline::run(&khuyencong::pipeline::Inputs {
        input: national,
        templates: common::root().join("templates"),
        year: None,
    })
    .expect("báo cáo 300 đơn vị");
    docs.push(("300-don-vi", big.document));
    let mut odd = sample();
    let table = Table {
        align: vec![Align::Center, Align::None, Align::Right],
        header: vec![
            vec![Inline::plain("STT")],
            vec![Inline::plain("Nội dung")],
            vec![],
        ],
        rows: vec![
            vec![
                vec![Inline::plain("1")],
                vec![Inline::plain("a"), Inline::LineBreak, Inline::plain("b")],
            ],
            vec![],
        ],
        ..Table::default()
    };
    odd.blocks.extend([
        Block::Heading {
            level: 4,
            content: vec![Inline::plain("a) Điểm")],
        },
        Block::List {
            start: Some(3),
            items: vec![
                ListItem::plain(vec![Inline::plain("ba")]),
                ListItem::plain(vec![Inline::plain("bốn")]),
            ],
        },
        Block::List {
            start: None,
            // Nested three deep, numbers inside bullets and back, then
            // an item after them (issue 18: it was lost).
            items: vec![
                ListItem {
                    content: vec![Inline::plain("gạch")],
                    children: vec![Block::List {
                        start: Some(1),
                        items: vec![ListItem {
                            content: vec![Inline::plain("số con")],
                            children: vec![Block::List {
                                start: None,
                                items: vec![ListItem::plain(vec![Inline::plain("gạch sâu")])],
                            }],
                        }],
                    }],
                },
                ListItem::plain(vec![Inline::plain("gạch sau")]),
            ],
        },
        Block::PageBreak,
        Block::Table(table.clone()),
        Block::Table(table),
    ]);
    odd.meta.co_quan_chu_quan.clear();
    odd.meta.noi_nhan.clear();
    odd.meta.tham_quyen.clear();
    docs.push(("la", odd));
    for (name, doc) in &docs {
        let path = dir.join(format!("{name}.docx"));
        std::fs::write(&path, common::docx(doc)).unwrap();
    }
    common::assert_word_valid(&dir);
}

/// Keep-with-next where Word users expect it: a one-line caption stays
/// with its table, the closing sentence with the signature, the last two
/// rows of a table together; a long paragraph does not drag its table to
/// the next page.
#[test]
fn keep_with_next_only_where_it_belongs() {
    let mut doc = sample();
    let rows: Vec<Vec<Vec<Inline>>> = (1..=4)
        .map(|i| vec![vec![Inline::plain(format!("Hàng {i}"))]])
        .collect();
    let table = Table {
        align: vec![Align::Left],
        header: vec![vec![Inline::plain("Cột")]],
        rows,
        ..Table::default()
    };
    let long = "Một đoạn văn rất dài về kết quả thực hiện. ".repeat(12);
    doc.blocks = vec![
        Block::Paragraph(vec![Inline::plain(long.trim())]),
        Block::Table(table.clone()),
        Block::Paragraph(vec![Inline::plain("Bảng 2. Kinh phí")]),
        Block::Table(table),
        Block::Paragraph(vec![Inline::plain("Trên đây là báo cáo./.")]),
    ];
    let document = Package::new(common::docx(&doc)).part("word/document.xml");
    let paragraph_with = |text: &str| -> &str {
        let at = document
            .find(text)
            .unwrap_or_else(|| panic!("thiếu {text}"));
        let start = document[..at].rfind("<w:p ").expect("đoạn");
        &document[start..at]
    };
    let keeps = |text: &str| paragraph_with(text).contains("<w:keepNext />");
    assert!(
        !keeps("Một đoạn văn rất dài"),
        "đoạn dài không giữ với bảng"
    );
    assert!(keeps("Bảng 2. Kinh phí"), "chú thích bảng đi cùng bảng");
    assert!(keeps("Trên đây là báo cáo"), "câu kết đi cùng khối ký");
    assert!(keeps("Hàng 3"), "hai hàng cuối của bảng đi cùng nhau");
    assert!(!keeps("Hàng 2") && !keeps("Hàng 4"));
}

/// Margins that leave no room for text are refused once, at parse, for
/// both writers (neither writer checks again).
#[test]
fn margins_without_room_are_refused_once() {
    let md = std::fs::read_to_string(common::fixture("bao-cao-mau.md")).expect("đọc mẫu");
    let (front, body) = md[3..].split_once("+++").expect("khối thông tin văn bản");
    for settings in ["le_trai_mm = 120.0\nle_phai_mm = 85.0", "co_chu = 0.0"] {
        let broken = format!("+++{front}\n[trang]\n{settings}\n+++{body}");
        match markdown::parse(&broken) {
            Err(e @ markdown::MarkdownError::Page(_)) => {
                assert!(e.to_string().contains("khổ trang"), "{e}")
            }
            other => panic!(
                "{settings}: phải báo lỗi khổ trang, được {:?}",
                other.map(|d| d.meta.trang)
            ),
        }
    }
}

/// Widow and orphan control as in the PDF (two lines at either end of a
/// page) is on in Body Text, which headings and list items inherit; and
/// through LibreOffice no page of the bundled reports ends with a heading
/// (the sample's "1.2. Học tập kinh nghiệm" did).
#[test]
fn widow_control_keeps_headings_off_the_foot_of_a_page() {
    let styles = render().part("word/styles.xml");
    let body = style(&styles, "BodyText");
    assert!(body.contains(r#"<w:widowControl w:val="1" />"#), "{body}");
    if !common::have_tool("soffice") || !common::have_tool("pdftotext") {
        return;
    }
    let dir = common::scratch("widow-control");
    let reports: Vec<Document> = ["input", "examples/du-lieu/dak-lak-2020"]
        .iter()
        .map(|input| {
            khuyencong::pipeline::run(&khuyencong::pipeline::Inputs {
                input: common::root().join(input),
                templates: common::root().join("templates"),
                year: None,
            })
            .expect("báo cáo")
            .document
        })
        .collect();
    let files: Vec<std::path::PathBuf> = reports
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let path = dir.join(format!("bao-cao-{i}.docx"));
            std::fs::write(&path, common::docx(doc)).unwrap();
            path
        })
        .collect();
    common::libreoffice_to_pdf(&dir, &files);
    for (doc, file) in reports.iter().zip(&files) {
        let headings: Vec<String> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { content, .. } => Some(common::squash(&plain_text(content))),
                _ => None,
            })
            .collect();
        let text = common::pdf_text(&file.with_extension("pdf"), "-layout");
        let pages: Vec<&str> = text.split_terminator('\u{c}').collect();
        for (n, page) in pages.iter().enumerate().take(pages.len() - 1) {
            // A heading takes one or two lines.
            let lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
            let tail = common::squash(&lines[lines.len().saturating_sub(2)..].join(" "));
            let last = common::squash(lines.last().unwrap());
            assert!(
                !headings
                    .iter()
                    .any(|h| *h == last || tail.ends_with(h.as_str())),
                "{}: trang {} kết thúc bằng đề mục “{last}”",
                file.display(),
                n + 1
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
