use super::*;
use crate::document::{Inline, Run, Table};

fn para(text: &str) -> Block {
    Block::Paragraph(vec![Inline::plain(text)])
}

#[test]
fn headings_captions_and_the_closing_sentence_keep_with_next_long_paragraphs_do_not() {
    let table = Block::Table(Table::default());
    let long = "Nội dung dài ".repeat(40);
    let blocks = vec![
        Block::Heading {
            level: 1,
            content: vec![],
        },
        para("Bảng 1. Kinh phí"),
        table.clone(),
        para(&long),
        table.clone(),
        para(&long),
        // Two captions over a table: both keep.
        para("Bảng 2. Kinh phí"),
        para("(Đơn vị: đồng)"),
        table,
        para("Ngắn."),
        para("Trên đây là báo cáo./."),
    ];
    let settings = PageSettings::default();
    let keeps: Vec<bool> = (0..blocks.len())
        .map(|i| keeps_with_next(&blocks, i, &settings, Orientation::Portrait).unwrap())
        .collect();
    assert_eq!(
        keeps,
        [true, true, false, false, false, false, true, true, false, false, true]
    );
}

const FRONT: &str = "+++\nco_quan_ban_hanh = \"TRUNG TÂM\"\nso_ky_hieu = \"581/BC-KC\"\ndia_danh_ngay = \"Đồng Nai, ngày 15 tháng 12 năm 2023\"\nngay = \"2023-12-15\"\ntrich_yeu = \"Kết quả\"\n+++\n";

fn paragraphs<'a>(region: &'a Region) -> Vec<&'a Para<'a>> {
    region
        .pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Paragraph(p) => Some(p),
            _ => None,
        })
        .collect()
}

fn text(p: &Para) -> String {
    format!(
        "{}{}",
        p.marker.as_deref().unwrap_or(""),
        plain_text(p.content)
    )
}

/// Every item of nested lists, numbered inside bulleted and back, is a
/// paragraph in order, one indent further per level.
#[test]
fn nested_lists_print_every_item_in_order_indented_by_level() {
    let md = format!(
        "{FRONT}\n- mục A\n  - mục con B\n    1. số một\n    2. số hai\n       - sâu\n- mục C\n\n  đoạn tiếp của C\n- mục D\n"
    );
    let doc = crate::markdown::parse(&md).unwrap();
    let prepared = prepare(&doc).unwrap();
    let paras = paragraphs(&prepared.body[0]);
    let texts: Vec<String> = paras.iter().map(|p| text(p)).collect();
    assert_eq!(
        texts,
        [
            "- mục A",
            "+ mục con B",
            "1. số một",
            "2. số hai",
            "- sâu",
            "- mục C",
            "đoạn tiếp của C",
            "- mục D"
        ]
    );
    let step = prepared.formats.body.first_indent;
    let indents: Vec<f32> = paras.iter().map(|p| p.format.left_indent / step).collect();
    assert_eq!(indents, [0.0, 1.0, 2.0, 2.0, 3.0, 0.0, 0.0, 0.0]);
}

/// A list nested deeper than the page is wide: every level's first line
/// keeps half the text width (it was indented past the right margin, its
/// words off the page); the levels that fit still step one indent each.
#[test]
fn a_list_nested_past_the_page_width_stays_on_the_page() {
    let md: String = std::iter::once(format!("{FRONT}\n"))
        .chain((0..30).map(|d| format!("{}- mục {d}\n", "  ".repeat(d))))
        .collect();
    let doc = crate::markdown::parse(&md).unwrap();
    let prepared = prepare(&doc).unwrap();
    let region = &prepared.body[0];
    let paras = paragraphs(region);
    assert_eq!(paras.len(), 30);
    let step = prepared.formats.body.first_indent;
    for (d, p) in paras.iter().enumerate() {
        assert_eq!(text(p), format!("{} mục {d}", ["-", "+", "•"][d % 3]));
        let start = p.format.left_indent + p.format.first_indent;
        assert!(
            start <= region.width / 2.0,
            "level {d}: {start} of {}",
            region.width
        );
    }
    assert_eq!(paras[5].format.left_indent, 5.0 * step);
}

#[test]
fn the_annex_title_is_centred_and_the_annex_numbers_its_own_pages() {
    let md = format!(
        "{FRONT}\nThân.\n\n<!-- phu-luc -->\n\n**PHỤ LỤC: DANH SÁCH**\n\n*(Kèm theo Báo cáo số 1)*\n\nMột đoạn thường.\n"
    );
    let doc = crate::markdown::parse(&md).unwrap();
    let prepared = prepare(&doc).unwrap();
    let annex = &prepared.annex[0];
    assert_eq!(annex.numbering, Numbering::Restart);
    assert_eq!(prepared.body[0].numbering, Numbering::Restart);
    let paras = paragraphs(annex);
    let aligns: Vec<(TextAlign, f32)> = paras
        .iter()
        .map(|p| (p.format.align, p.format.first_indent))
        .collect();
    let indent = prepared.formats.body.first_indent;
    assert_eq!(
        aligns,
        [
            (TextAlign::Center, 0.0),
            (TextAlign::Center, 0.0),
            (TextAlign::Justify, indent)
        ]
    );
    assert!(paras[0].keep_with_next && paras[1].keep_with_next);
    // In the body, an emphasised paragraph is only a paragraph.
    assert_eq!(
        paragraphs(&prepared.body[0])[0].format.align,
        TextAlign::Justify
    );
}

#[test]
fn group_rows_keep_with_the_next_row_and_the_total_with_the_row_above() {
    let bold = |t: &str| {
        vec![Inline::Text(Run {
            text: t.into(),
            bold: true,
            italic: false,
        })]
    };
    let plain = |t: &str| vec![Inline::plain(t)];
    let table = Table {
        header: vec![plain("STT"), plain("Nội dung"), plain("Kinh phí")],
        rows: vec![
            vec![bold("I"), bold("Nhóm một"), bold("10")],
            vec![plain("1"), plain("Việc một"), plain("10")],
            vec![bold("II"), bold("Nhóm hai"), bold("5")],
            vec![plain("2"), plain("Việc hai"), plain("5")],
            vec![plain("3"), plain("Việc ba"), plain("0")],
            vec![vec![], bold("Tổng cộng"), bold("15")],
        ],
        ..Table::default()
    };
    let t = table::layout(&table, &PageSettings::default(), Orientation::Portrait, 0).unwrap();
    assert_eq!(
        t.keep_with_next,
        [true, false, true, false, true, false],
        "group rows and the last two rows"
    );
    assert_eq!(t.widths.len(), 3);
    let total = frame::text_width(&PageSettings::default(), Orientation::Portrait);
    assert!((t.widths.iter().sum::<f32>() - total).abs() < 0.01);
}

/// "Đơn vị tính" over a table (after its caption, or alone) is set right,
/// without the first-line indent; the same words in a paragraph are body
/// text.
#[test]
fn the_unit_line_over_a_table_is_right_aligned() {
    let doc = crate::markdown::parse(&format!(
        "{FRONT}\n**Bảng 1. Kinh phí**\n\n*Đơn vị tính: đồng*\n\n| A | B |\n|---|--:|\n| x | 1 |\n\n*Đơn vị tính: triệu đồng*\n\n| A |\n|---|\n| y |\n\nĐơn vị tính theo quy định.\n"
    ))
    .unwrap();
    let prepared = prepare(&doc).unwrap();
    let paras = paragraphs(&prepared.body[0]);
    let formats: Vec<(String, TextAlign, f32, f32)> = paras
        .iter()
        .map(|p| {
            (
                text(p),
                p.format.align,
                p.format.first_indent,
                p.format.left_indent,
            )
        })
        .collect();
    let indent = prepared.formats.body.first_indent;
    assert_eq!(
        formats,
        [
            ("Bảng 1. Kinh phí".into(), TextAlign::Justify, indent, 0.0),
            ("Đơn vị tính: đồng".into(), TextAlign::Right, 0.0, 0.0),
            ("Đơn vị tính: triệu đồng".into(), TextAlign::Right, 0.0, 0.0),
            (
                "Đơn vị tính theo quy định.".into(),
                TextAlign::Justify,
                indent,
                0.0
            ),
        ]
    );
}
