//! Layout tests: positions checked on the sample report and on documents
//! built to hit each rule.

use super::*;
use crate::document::{Document, Orientation};
use crate::markdown;

/// The PDF's pages of a document, through its prepared layout.
fn lay_out(doc: &Document) -> Result<Layout, PdfError> {
    layout(&prepared::prepare(doc).expect("dàn trang"))
}

const FRONT: &str = "+++\nco_quan_chu_quan = \"SỞ CÔNG THƯƠNG TỈNH ĐỒNG NAI\"\nco_quan_ban_hanh = \"TRUNG TÂM KHUYẾN CÔNG\"\nso_ky_hieu = \"1/BC-KC\"\ndia_danh_ngay = \"Đồng Nai, ngày 15 tháng 12 năm 2023\"\nngay = \"2023-12-15\"\ntrich_yeu = \"Kết quả\"\nnoi_nhan = [\"- Như trên;\", \"- Lưu: VT.\"]\ntham_quyen = [\"GIÁM ĐỐC\"]\nnguoi_ky = \"Nguyễn Văn A\"\n+++\n\n";

fn lay(body: &str) -> Layout {
    lay_out(&markdown::parse(&format!("{FRONT}{body}")).unwrap()).unwrap()
}

fn fixture() -> Layout {
    let md = include_str!("../../../../tests/fixtures/bao-cao-mau.md");
    lay_out(&markdown::parse(md).unwrap()).unwrap()
}

fn spans(page: &Page) -> impl Iterator<Item = &Span> {
    page.items.iter().filter_map(|item| match item {
        Item::Text(span) => Some(span),
        Item::Rule(_) => None,
    })
}

/// Text lines of a page with one role: (baseline, left, right, text, justified).
fn lines(page: &Page, role: Role) -> Vec<(f32, f32, f32, String, bool)> {
    let mut lines: Vec<(f32, f32, f32, String, bool)> = Vec::new();
    for span in spans(page).filter(|s| s.role == role) {
        match lines.iter_mut().find(|l| {
            (l.0 - span.baseline).abs() < EPS && span.x >= l.2 - EPS && span.x <= l.2 + EPS
        }) {
            Some(line) => {
                line.2 = span.x + span.width;
                line.3.push_str(&span.text);
                line.4 |= span.gap_extra != 0.0;
            }
            None => lines.push((
                span.baseline,
                span.x,
                span.x + span.width,
                span.text.clone(),
                span.gap_extra != 0.0,
            )),
        }
    }
    lines
}

fn measured(span: &Span) -> f32 {
    let face = fonts::face(span.face).unwrap();
    let natural: f32 = span
        .text
        .chars()
        .map(|c| face.advance(c).unwrap())
        .sum::<f32>()
        * span.size
        / 1000.0;
    natural + span.text.matches(' ').count() as f32 * span.gap_extra
}

#[test]
fn justified_lines_fill_the_measure_and_last_lines_do_not() {
    let layout = fixture();
    let mut justified = 0;
    for page in &layout.pages {
        for span in spans(page) {
            assert!(
                (measured(span) - span.width).abs() < 0.01,
                "drawn width differs from the text's: {span:?}"
            );
        }
        for (_, _, right, text, is_justified) in lines(page, Role::Body) {
            if is_justified {
                justified += 1;
                assert!(
                    (right - layout.area.right).abs() < 0.5,
                    "{right} vs {}: {text}",
                    layout.area.right
                );
            }
            if text.ends_with("(đạt 97,7% kế hoạch).") {
                assert!(
                    !is_justified && right < layout.area.right - 10.0,
                    "last line justified: {text}"
                );
            }
        }
    }
    assert!(justified >= 10, "only {justified} justified lines");
}

#[test]
fn mixed_faces_share_a_line_and_measure_with_their_own_face() {
    let layout = lay("**Kế hoạch:** tổ chức *lớp học*.\n");
    let body: Vec<&Span> = spans(&layout.pages[0])
        .filter(|s| s.role == Role::Body)
        .collect();
    let faces: Vec<(Face, &str)> = body.iter().map(|s| (s.face, s.text.as_str())).collect();
    assert_eq!(
        faces,
        [
            (Face::Bold, "Kế hoạch:"),
            (Face::Regular, " tổ chức "),
            (Face::Italic, "lớp học"),
            (Face::Regular, ".")
        ]
    );
    for pair in body.windows(2) {
        assert!((pair[0].x + pair[0].width - pair[1].x).abs() < EPS);
    }
    let indent = layout.area.left + 1.27 * 10.0 * PT_PER_MM;
    assert!((body[0].x - indent).abs() < EPS, "first-line indent");
}

#[test]
fn long_words_break_at_slashes_or_between_characters_never_overflowing() {
    let url = format!(
        "https://example.gov.vn/{}",
        (0..30)
            .map(|i| format!("muc-{i}"))
            .collect::<Vec<_>>()
            .join("/")
    );
    let solid = "x".repeat(300);
    let layout = lay(&format!("Xem {url} và {solid} hết.\n"));
    let page = &layout.pages[0];
    let body = lines(page, Role::Body);
    assert!(body.len() >= 6, "{body:?}");
    for (_, left, right, text, _) in &body {
        assert!(
            *left >= layout.area.left - EPS && *right <= layout.area.right + EPS,
            "overflow: {text}"
        );
    }
    let all: String = body.iter().map(|l| l.3.as_str()).collect();
    assert_eq!(all.replace(' ', ""), format!("Xem{url}và{solid}hết."));
    let url_lines: Vec<&String> = body
        .iter()
        .map(|l| &l.3)
        .filter(|t| t.contains("muc-"))
        .collect();
    assert!(url_lines.len() >= 2);
    for text in &url_lines[..url_lines.len() - 1] {
        assert!(
            text.ends_with('/') || text.ends_with('-'),
            "URL cut mid-token: {text}"
        );
    }
    assert!(!all.contains(":/ /"), "cut inside //");
}

/// Breaking is linear in the text: a 2 MB word (a description pasted
/// without spaces) used to take minutes, cut a line at a time from the
/// front of the whole remaining word.
#[test]
fn a_two_megabyte_word_is_cut_in_one_pass_and_never_overflows() {
    let syllables = "khuyếncông";
    let mut word = syllables.repeat((2 << 20) / syllables.len());
    word.push_str(&"x".repeat((2 << 20) - word.len()));
    let doc = markdown::parse(&format!("{FRONT}{word}\n")).unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(lay_out(&doc).unwrap()));
    let layout = receiver
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("a 2 MB word took more than a minute to lay out");
    let mut all = String::with_capacity(word.len());
    for page in &layout.pages {
        for (_, left, right, text, _) in lines(page, Role::Body) {
            assert!(
                left >= layout.area.left - EPS && right <= layout.area.right + EPS,
                "overflow: {left}..{right} for {}",
                text.len()
            );
            all.push_str(&text);
        }
    }
    assert!(all == word, "the word was not kept whole");
}

#[test]
fn hard_line_break_ends_an_unjustified_line() {
    let layout = lay("Dòng một có vài chữ  \nDòng hai.\n");
    let body = lines(&layout.pages[0], Role::Body);
    assert_eq!(body.len(), 2);
    assert_eq!(body[0].3, "Dòng một có vài chữ");
    assert!(!body[0].4);
}

#[test]
fn every_item_lies_inside_the_margins_and_numbers_in_the_top_margin() {
    let layout = fixture();
    assert!(layout.pages.len() >= 3);
    assert_inside(&layout);
    // Landscape pages of the annex, inside their own, wider, margins.
    let annex = annex();
    let landscape = annex
        .pages
        .iter()
        .filter(|p| p.orientation == Orientation::Landscape)
        .count();
    assert!(landscape >= 2);
    assert_inside(&annex);
}

fn annex() -> Layout {
    let md = include_str!("../../../../tests/fixtures/phu-luc.md");
    lay_out(&markdown::parse(md).unwrap()).unwrap()
}

/// Every item inside the margins, and the page numbers centred in the top
/// margin: none on page 1 nor on the annex's first page, counting from 1
/// again there.
fn assert_inside(layout: &Layout) {
    let mut expected = 1;
    for (index, page) in layout.pages.iter().enumerate() {
        let f = page.sheet.area;
        let wide = page.orientation == Orientation::Landscape;
        assert_eq!(wide, page.sheet.width > page.sheet.height);
        let mut numbers = 0;
        for item in &page.items {
            match item {
                Item::Text(span) => {
                    let face = fonts::face(span.face).unwrap();
                    let (top, bottom) = (
                        span.baseline - face.ascent * span.size,
                        span.baseline + face.descent * span.size,
                    );
                    assert!(
                        span.x >= f.left - EPS && span.x + span.width <= f.right + EPS,
                        "{span:?}"
                    );
                    if span.role == Role::PageNumber {
                        numbers += 1;
                        assert_eq!(span.text, expected.to_string(), "page {}", index + 1);
                        assert!(top > 0.0 && bottom < f.top, "{span:?}");
                        assert!((span.x + span.width / 2.0 - (f.left + f.right) / 2.0).abs() < EPS);
                    } else {
                        assert!(
                            top >= f.top - EPS && bottom <= f.bottom + EPS,
                            "page {}: {span:?}",
                            index + 1
                        );
                    }
                }
                Item::Rule(r) => {
                    for (x, y) in [(r.x1, r.y1), (r.x2, r.y2)] {
                        assert!(
                            x >= f.left - EPS
                                && x <= f.right + EPS
                                && y >= f.top - EPS
                                && y <= f.bottom + EPS,
                            "{r:?}"
                        );
                    }
                }
            }
        }
        let annex = spans(page).any(|s| s.text.contains("PHỤ LỤC"));
        assert_eq!(
            numbers,
            usize::from(index > 0 && !annex),
            "page number on page {}",
            index + 1
        );
        expected = if numbers == 0 { 2 } else { expected + 1 };
    }
}

#[test]
fn page_one_header_puts_number_and_date_on_one_baseline() {
    let layout = fixture();
    let header: Vec<&Span> = spans(&layout.pages[0])
        .filter(|s| s.role == Role::Header)
        .collect();
    let find = |prefix: &str| {
        header
            .iter()
            .find(|s| s.text.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}"))
    };
    let (number, date) = (find("Số: "), find("Đồng Nai, ngày"));
    assert!((number.baseline - date.baseline).abs() < EPS);
    assert_eq!(date.face, Face::Italic);
    assert!(number.x + number.width < date.x, "two columns");
    assert_eq!(find("CỘNG HÒA").face, Face::Bold);
    assert!(find("BÁO CÁO").baseline > date.baseline);
    let rules = layout.pages[0]
        .items
        .iter()
        .filter(|i| matches!(i, Item::Rule(r) if r.y1 < find("Kết quả").baseline + 20.0))
        .count();
    assert_eq!(
        rules, 3,
        "rules under the agency, the motto and the summary"
    );
}

#[test]
fn headings_are_never_last_on_a_page_and_paragraphs_keep_two_lines() {
    let mut body = String::new();
    for n in 0..40 {
        body.push_str(&format!("## {n}. Mục thứ {n}\n\n"));
        let words = 12 + (n * 7) % 50;
        body.push_str(&format!(
            "{}\n\n",
            vec![format!("đoạn{n}"); words].join(" ")
        ));
    }
    let layouts = [lay(&body), fixture()];
    for layout in &layouts {
        let count = layout.pages.len();
        for page in &layout.pages[..count - 1] {
            let last = spans(page)
                .filter(|s| s.role != Role::PageNumber)
                .last()
                .unwrap();
            assert_ne!(
                last.role,
                Role::Heading,
                "heading last on a page: {}",
                last.text
            );
        }
    }
    let layout = &layouts[0];
    assert!(layout.pages.len() >= 4);
    let per_page: Vec<Vec<String>> = layout
        .pages
        .iter()
        .map(|p| {
            lines(p, Role::Body)
                .into_iter()
                .map(|l| l.3.split(' ').next().unwrap().to_string())
                .collect()
        })
        .collect();
    let mut split = 0;
    for pair in per_page.windows(2) {
        let (tail, head) = (pair[0].last().unwrap(), pair[1].first().unwrap());
        if tail == head {
            split += 1;
            assert!(
                pair[0].iter().filter(|w| *w == tail).count() >= 2,
                "orphan of {tail}"
            );
            assert!(
                pair[1].iter().filter(|w| *w == head).count() >= 2,
                "widow of {head}"
            );
        }
    }
    assert!(
        split >= 1,
        "no paragraph was split across pages: the test proves nothing"
    );
}

#[test]
fn a_row_taller_than_the_space_left_moves_with_the_header_repeated() {
    let tall = vec!["nội dung dài"; 60].join(" ");
    for fillers in 0..45 {
        let filler = "Một dòng.\n\n".repeat(fillers);
        let layout = lay(&format!(
            // A last row after the tall one: the last two rows of a table
            // stay together, and the short first row must be free to stay.
            "{filler}| Cột A | Cột B |\n|:--|--:|\n| ngắn | 1 |\n| {tall} | 2 |\n| cuối | 3 |\n"
        ));
        let page_of = |needle: &str| {
            layout
                .pages
                .iter()
                .position(|p| spans(p).any(|s| s.text.contains(needle)))
                .unwrap()
        };
        if page_of("ngắn") != 0 || page_of("nội dung dài") == 0 {
            continue;
        }
        let next = &layout.pages[page_of("nội dung dài")];
        let mut table: Vec<&Span> = spans(next).filter(|s| s.role == Role::Table).collect();
        table.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
        let row_top = table
            .iter()
            .find(|s| s.text.contains("nội dung"))
            .unwrap()
            .baseline;
        let header: Vec<&&Span> = table.iter().filter(|s| s.baseline < row_top).collect();
        assert!(header.iter().all(|s| s.face == Face::Bold), "{header:?}");
        let mut words: Vec<&str> = header.iter().flat_map(|s| s.text.split(' ')).collect();
        words.sort_unstable();
        assert_eq!(
            words,
            ["A", "B", "Cột", "Cột"],
            "header row repeated above the moved row"
        );
        let rows = spans(&layout.pages[0])
            .filter(|s| s.text.contains("nội dung dài"))
            .count();
        assert_eq!(rows, 0, "the row was split across pages");
        return;
    }
    panic!("no filler count put the tall row on page 2");
}

#[test]
fn a_row_taller_than_a_page_is_cut_and_continues_under_the_header() {
    let huge = vec!["chữ"; 1500].join(" ");
    let layout = lay(&format!("| Cột A |\n|:--|\n| {huge} |\n"));
    let pages: Vec<usize> = (0..layout.pages.len())
        .filter(|&i| spans(&layout.pages[i]).any(|s| s.text.contains("chữ")))
        .collect();
    assert!(pages.len() >= 2);
    for &i in &pages[1..] {
        let first = spans(&layout.pages[i])
            .filter(|s| s.role == Role::Table)
            .min_by(|a, b| a.baseline.total_cmp(&b.baseline))
            .unwrap();
        assert_eq!(first.text, "Cột A");
    }
}

#[test]
fn table_columns_fill_the_width_and_numbers_stay_on_one_line() {
    let layout = fixture();
    let f = layout.area;
    let borders: Vec<&Rule> = layout.pages[0]
        .items
        .iter()
        .filter_map(|i| if let Item::Rule(r) = i { Some(r) } else { None })
        .filter(|r| r.y1 == r.y2 && r.x2 - r.x1 > 400.0)
        .collect();
    assert!(!borders.is_empty());
    for r in borders {
        assert!(
            (r.x1 - f.left).abs() < 0.01 && (r.x2 - f.right).abs() < 0.1,
            "{r:?}"
        );
    }
    for page in &layout.pages {
        for span in spans(page).filter(|s| s.role == Role::Table && s.text.contains(".000")) {
            assert!(!span.text.contains(' '), "{}", span.text);
        }
    }
    let total = spans(&layout.pages[0]).find(|s| s.text == "224.730.000" && s.face == Face::Bold);
    assert!(total.is_some(), "totals row is bold");
}

#[test]
fn page_break_starts_a_new_page_and_the_closing_block_stays_whole() {
    let layout = lay("Trước.\n\n<!-- ngat-trang -->\n\nSau.\n");
    assert_eq!(layout.pages.len(), 2);
    assert!(spans(&layout.pages[1]).any(|s| s.text == "Sau."));
    let closing: Vec<usize> = (0..layout.pages.len())
        .filter(|&i| spans(&layout.pages[i]).any(|s| s.role == Role::Closing))
        .collect();
    assert_eq!(closing, [1]);

    let fixture = fixture();
    let last = fixture.pages.len() - 1;
    for (i, page) in fixture.pages.iter().enumerate() {
        assert_eq!(spans(page).any(|s| s.role == Role::Closing), i == last);
    }
    let texts: Vec<&str> = spans(&fixture.pages[last])
        .filter(|s| s.role == Role::Closing)
        .map(|s| s.text.as_str())
        .collect();
    for expected in [
        "Nơi nhận:",
        "- Lưu: VT, KC.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn Bình",
    ] {
        assert!(texts.contains(&expected), "{expected} in {texts:?}");
    }
}

#[test]
fn closing_block_moves_whole_to_a_new_page_when_it_does_not_fit() {
    for fillers in 25..45 {
        let layout = lay(&"Một dòng.\n\n".repeat(fillers));
        let pages: Vec<usize> = (0..layout.pages.len())
            .filter(|&i| spans(&layout.pages[i]).any(|s| s.role == Role::Closing))
            .collect();
        assert_eq!(pages.len(), 1, "closing block split with {fillers} fillers");
    }
}

#[test]
fn characters_the_font_lacks_are_reported_with_their_places() {
    let doc = markdown::parse(&format!("{FRONT}Đoạn một.\n\nCó chữ 中 và \u{1F600}.\n")).unwrap();
    let mut doc = doc;
    doc.meta.trich_yeu = "Kết quả 中".into();
    let Err(PdfError::MissingGlyphs(missing)) = lay_out(&doc) else {
        panic!("not reported")
    };
    assert_eq!(
        missing.iter().map(|m| m.ch).collect::<Vec<_>>(),
        ['中', '\u{1F600}']
    );
    assert_eq!(missing[0].locations.len(), 2);
    assert!(missing[0].locations[0].contains("trich_yeu"));
    assert!(
        missing[0].locations[1].contains("khối nội dung thứ 2"),
        "{:?}",
        missing[0].locations
    );
    let message = PdfError::MissingGlyphs(missing).to_string();
    assert!(
        message.contains("U+4E2D") && message.contains("U+1F600"),
        "{message}"
    );
}

#[test]
fn a_table_total_never_stands_alone_under_a_repeated_header() {
    let rows: String = (1..=30).map(|i| format!("| Hàng {i} | {i} |\n")).collect();
    let mut moved = 0;
    for fillers in 0..40 {
        let filler = "Một dòng.\n\n".repeat(fillers);
        let layout = lay(&format!(
            "{filler}| Cột A | Cột B |\n|:--|--:|\n{rows}| **Tổng cộng** | 465 |\n"
        ));
        let page_of = |needle: &str| {
            layout
                .pages
                .iter()
                .position(|p| spans(p).any(|s| s.role == Role::Table && s.text.trim() == needle))
                .unwrap_or_else(|| panic!("{needle} not found"))
        };
        let total = page_of("Tổng cộng");
        if total != page_of("Hàng 1") {
            moved += 1;
        }
        assert_eq!(
            total,
            page_of("Hàng 30"),
            "{fillers} dòng đệm: hàng tổng đứng một mình"
        );
    }
    assert!(
        moved > 0,
        "the table never crossed a page: the test proves nothing"
    );
}

#[test]
fn a_merged_header_cell_is_one_box_over_its_columns_and_repeats() {
    let mut body = String::from(
        "| STT | Kinh phí (đồng) | < | Ghi chú |\n|:-:|--:|--:|---|\n| ^ | Tổng | Hỗ trợ | ^ |\n",
    );
    for i in 0..80 {
        body.push_str(&format!("| {i} | 1.000 | 500 | x |\n"));
    }
    body.push_str("| **Cộng** | < | 40.000 | |\n");
    let layout = lay(&body);
    let verticals = |page: &Page| -> Vec<(f32, f32, f32)> {
        page.items
            .iter()
            .filter_map(|item| match item {
                Item::Rule(r) if r.x1 == r.x2 => Some((r.x1, r.y1, r.y2)),
                _ => None,
            })
            .collect()
    };
    let first = &layout.pages[0];
    let heading = |page: &Page, text: &str| {
        spans(page)
            .find(|s| s.text == text)
            .unwrap_or_else(|| panic!("no {text}"))
            .clone()
    };
    let (total, aid) = (heading(first, "Tổng"), heading(first, "Hỗ trợ"));
    let merged = heading(first, "Kinh phí (đồng)");
    // Centred over both columns, on a row above theirs.
    let middle = merged.x + merged.width / 2.0;
    let (left, right) = (total.x - 10.0, aid.x + aid.width + 10.0);
    assert!(middle > left && middle < right);
    assert!(merged.baseline < total.baseline);
    // The border between the two columns starts under the merged cell.
    let between = verticals(first)
        .into_iter()
        .filter(|(x, _, _)| *x > total.x + total.width && *x < aid.x)
        .map(|(_, y1, y2)| y1.min(y2))
        .fold(f32::INFINITY, f32::min);
    assert!(
        between.is_finite() && between > merged.baseline,
        "{between} vs {}",
        merged.baseline
    );
    // STT spans both header rows: centred between them.
    let stt = heading(first, "STT");
    assert!(stt.baseline > merged.baseline && stt.baseline < total.baseline);
    // Both header rows again on the next page.
    let second = &layout.pages[1];
    for text in ["Kinh phí (đồng)", "Tổng", "Hỗ trợ", "STT"] {
        heading(second, text);
    }
}
