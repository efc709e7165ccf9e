//! Hostile input: nothing may panic, corrupt the report or slip past the
//! checks. Property tests for the parsers, the escaping and the formatters,
//! exact sums at scale through every writer, and a table of hostile content.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use common::{copy_of_input, edit, root, scratch};
use khuyencong::document::{plain_text, text_char, Block, Document, TextChar};
use khuyencong::format;
use khuyencong::markdown;
use khuyencong::output::{self, OutputError};
use khuyencong::pipeline;
use khuyencong::render::pdf::{self, layout};
use khuyencong::render::prepared::{prepare, LayoutError, TableError};
use khuyencong::render::{fonts, RenderError};
use khuyencong::validate;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use rust_decimal::Decimal;

/// A folder with only the sample plan (units are added by the test).
fn plan_only(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("bao-cao")).unwrap();
    std::fs::copy(
        root().join("input/ke-hoach-2023.json"),
        dir.join("ke-hoach-2023.json"),
    )
    .unwrap();
    dir
}

/// Validation either explains every problem it found, or accepts the input
/// with every file accounted for (none skipped without a word).
fn assert_loads_or_explains(dir: &Path) {
    match validate::load(&[dir.to_path_buf()], &[], None) {
        Ok(data) => {
            let files = walkdir::WalkDir::new(dir)
                .into_iter()
                .filter(|e| e.as_ref().unwrap().path().extension() == Some("json".as_ref()))
                .count();
            let used = 1 + data.submissions.len() + data.superseded.len() + data.other_plans.len();
            assert_eq!(used, files, "a file was dropped without a diagnostic");
        }
        Err(diags) => {
            assert!(!diags.0.is_empty(), "rejected without a diagnostic");
            for d in &diags.0 {
                assert!(d.code.id().starts_with("KC"), "{d}");
                assert!(!d.message.trim().is_empty(), "empty message: {d:?}");
                assert!(!d.path.is_empty(), "no JSON path: {d:?}");
            }
        }
    }
}

const CONTRACT_KEYS: &[&str] = &[
    "loai",
    "nam",
    "ma_don_vi",
    "lan_nop",
    "ngay_nop",
    "nguoi_lap",
    "hoat_dong",
    "noi_dung",
    "mo_ta",
    "chi_tieu",
    "kinh_phi",
    "nguon",
    "dia_diem",
    "tu_ngay",
    "den_ngay",
    "ghi_chu",
    "khong_thuc_hien",
    "ly_do",
    "ngoai_ke_hoach",
    "ten",
    "can_cu",
    "du_kien",
    "cong_tac_vien",
    "hoc_vien",
];

/// Characters that have broken text handling elsewhere: NUL, controls, RTL
/// override, emoji, combining accents (NFD), quotes and backslashes.
fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        2 => select(&['a', 'Đ', 'ư', 'ờ', ' ', '\n', '\t'][..]),
        1 => select(&[
            '\0', '\u{7}', '\u{202E}', '\u{200F}', '\u{FEFF}', '\u{0301}', '\u{0323}', '😀',
            '中', '"', '\\', '\u{FFFD}', '\u{A0}',
        ][..]),
    ]
}

fn nasty_string() -> impl Strategy<Value = String> {
    vec(nasty_char(), 0..24).prop_map(|cs| cs.into_iter().collect())
}

/// A JSON scalar as source text, including numbers no float can hold.
fn json_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        select(
            &[
                "null",
                "true",
                "false",
                "0",
                "-0",
                "2023",
                "1",
                "-1",
                "1e400",
                "-1e-400",
                "0.5",
                "1E+2",
                "79228162514264337593543950336",
                "\"bao_cao\"",
                "\"ke_hoach\"",
                "\"2023-11-22\"",
                "\"2023-02-29\"",
                "\"731\"",
                "\"CTV\"",
                "\"dia_phuong\"",
                "\"64800000\"",
                "\"64.800.000\"",
                "\"\"",
                "\"  \"",
            ][..]
        )
        .prop_map(str::to_string),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:e}")),
        "-?[0-9]{1,40}(\\.[0-9]{1,30})?([eE][+-]?[0-9]{1,5})?",
        nasty_string().prop_map(|s| serde_json::to_string(&s).unwrap()),
        // A lone surrogate escape: valid JSON text, invalid Unicode.
        Just("\"\\ud800x\"".to_string()),
    ]
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(CONTRACT_KEYS).prop_map(str::to_string),
        1 => nasty_string(),
    ]
}

fn object(members: Vec<(String, String)>) -> String {
    let body: Vec<String> = members
        .into_iter()
        .map(|(k, v)| format!("{}: {v}", serde_json::to_string(&k).unwrap()))
        .collect();
    format!("{{{}}}", body.join(", "))
}

fn json_tree() -> impl Strategy<Value = String> {
    json_scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(|items| format!("[{}]", items.join(","))),
            vec((json_key(), inner), 0..8).prop_map(object),
        ]
    })
}

/// A submission whose keys are the contract's, each kept from the sample,
/// replaced by a random tree or dropped, so validation gets past the first
/// missing key and into the deeper checks.
fn submission_like() -> impl Strategy<Value = String> {
    let activity = vec(
        (
            select(
                &[
                    "noi_dung", "mo_ta", "chi_tieu", "kinh_phi", "nguon", "ghi_chu", "tu_ngay",
                ][..],
            ),
            prop_oneof![
                json_tree(),
                select(
                    &[
                        "\"CTV\"",
                        "\"Mô tả\"",
                        "{\"cong_tac_vien\": 8}",
                        "{\"cong_tac_vien\": -1e30}",
                        "64800000",
                    ][..]
                )
                .prop_map(str::to_string),
            ],
        ),
        0..7,
    )
    .prop_map(|m| object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()));
    let sample: [(&str, &str); 6] = [
        ("loai", "\"bao_cao\""),
        ("nam", "2023"),
        ("ma_don_vi", "\"731\""),
        ("lan_nop", "1"),
        ("ngay_nop", "\"2023-11-22\""),
        ("nguoi_lap", "\"Nguyễn Thị Mỹ Linh\""),
    ];
    (
        vec(0u8..4, sample.len()),
        vec(json_tree(), sample.len()),
        vec(activity, 0..4),
        proptest::option::of((json_key(), json_tree())),
    )
        .prop_map(move |(choice, trees, activities, extra)| {
            let mut members = Vec::new();
            for (((key, value), c), tree) in sample.iter().zip(choice).zip(trees) {
                match c {
                    0 => {}
                    1 => members.push((key.to_string(), tree)),
                    _ => members.push((key.to_string(), value.to_string())),
                }
            }
            members.push(("hoat_dong".into(), format!("[{}]", activities.join(","))));
            members.extend(extra);
            object(members)
        })
}

/// One way to damage a real file.
#[derive(Debug, Clone)]
enum Mutation {
    Delete {
        at: usize,
        len: usize,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    /// Replaces the n-th digit (modulo their count) by another digit.
    Digit {
        nth: usize,
        to: u8,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), b'0'..=b'9').prop_map(|(nth, to)| Mutation::Digit { nth, to }),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    match m {
        Mutation::Delete { at, len } => {
            let at = at % bytes.len();
            let end = (at + len).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::Insert { at, bytes: new } => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, new.iter().copied());
        }
        Mutation::Digit { nth, to } => {
            let digits: Vec<usize> = (0..bytes.len())
                .filter(|&i| bytes[i].is_ascii_digit())
                .collect();
            if !digits.is_empty() {
                bytes[digits[nth % digits.len()]] = *to;
            }
        }
    }
}

const FRONT: &str = "+++\nco_quan_ban_hanh = \"TRUNG TÂM\"\nso_ky_hieu = \"581/BC-KC\"\ndia_danh_ngay = \"Đồng Nai, ngày 15 tháng 12 năm 2023\"\nngay = \"2023-12-15\"\ntrich_yeu = \"Kết quả\"\n+++\n";

/// What the reader sees of data text: a whitespace run holding a line
/// break or a tab becomes one space (runs of plain spaces are kept, as
/// `escape_markdown` documents), the model takes each character as
/// `text_char` says (a line break shows as a space in plain text), trims
/// the edges and holds the text in NFC.
fn as_read(s: &str) -> String {
    let md_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}');
    let mut out = String::new();
    let mut run = String::new();
    for c in s.chars() {
        if md_space(c) {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            out.push_str(if run.chars().all(|c| c == ' ') {
                &run
            } else {
                " "
            });
            run.clear();
        }
        match text_char(c) {
            TextChar::Keep => out.push(c),
            TextChar::LineBreak => out.push(' '),
            TextChar::Drop => {}
        }
    }
    unicode_normalization::UnicodeNormalization::nfc(out.trim()).collect()
}

fn markdown_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        select(
            &[
                "#",
                "# ",
                "## ",
                "|",
                " | ",
                "|---|",
                "|:-:|--:|",
                "-",
                "- ",
                "*",
                "**",
                "_",
                "__",
                "`",
                "```",
                "+++",
                "+++\n",
                "<!-- ngat-trang -->",
                "<!--",
                "-->",
                "\n",
                "\n\n",
                "   ",
                "\t",
                "1. ",
                "1)",
                ">",
                "[",
                "](",
                ")",
                "\\",
                "&amp;",
                "&#0;",
                "---",
                "===",
                "Kinh phí thực hiện",
                "Đồng Nai",
                "ườ",
                "\u{0301}",
                "trich_yeu = \"x\"",
            ][..]
        )
        .prop_map(str::to_string),
        nasty_string(),
    ]
}

/// Parses a Roman numeral written with the subtractive pairs.
fn roman_value(s: &str) -> Option<u64> {
    let value = |c| match c {
        'I' => Some(1),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        'C' => Some(100),
        'D' => Some(500),
        'M' => Some(1000),
        _ => None,
    };
    let digits: Vec<u64> = s.chars().map(value).collect::<Option<_>>()?;
    let mut total = 0;
    for (i, d) in digits.iter().enumerate() {
        if digits.get(i + 1).is_some_and(|next| next > d) {
            total -= *d as i64;
        } else {
            total += *d as i64;
        }
    }
    u64::try_from(total).ok()
}

fn decimal() -> impl Strategy<Value = Decimal> {
    // The mantissa holds at most 96 bits.
    (-(1i128 << 96) + 1..(1i128 << 96), 0u32..=28)
        .prop_map(|(m, scale)| Decimal::from_i128_with_scale(m, scale))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_as_a_unit_file(bytes in vec(any::<u8>(), 0..400)) {
        let dir = plan_only("bytes");
        std::fs::write(dir.join("bao-cao/x.json"), &bytes).unwrap();
        assert_loads_or_explains(&dir);
    }

    #[test]
    fn arbitrary_json_as_a_unit_file(text in prop_oneof![json_tree(), submission_like()]) {
        let dir = plan_only("json");
        std::fs::write(dir.join("bao-cao/x.json"), &text).unwrap();
        assert_loads_or_explains(&dir);
    }

    #[test]
    fn damaged_sample_files(file in 0usize..14, m in mutation()) {
        let dir = copy_of_input("damaged");
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.is_file())
            .collect();
        let path = files.swap_remove(file % files.len());
        let mut bytes = std::fs::read(&path).unwrap();
        mutate(&mut bytes, &m);
        std::fs::write(&path, &bytes).unwrap();
        assert_loads_or_explains(&dir);
    }

    #[test]
    fn escaped_text_stays_one_paragraph(s in nasty_string()) {
        let md = format!("{FRONT}\n{}\n", format::escape_markdown_str(&s));
        let doc = markdown::parse(&md).unwrap();
        let expected = as_read(&s);
        if expected.is_empty() {
            prop_assert!(doc.blocks.is_empty(), "{:?}", doc.blocks);
        } else {
            prop_assert_eq!(doc.blocks.len(), 1, "{:?}", doc.blocks);
            let Block::Paragraph(p) = &doc.blocks[0] else {
                panic!("not a paragraph: {:?}", doc.blocks)
            };
            prop_assert_eq!(plain_text(p), expected);
        }
    }

    #[test]
    fn escaped_text_stays_in_its_cell(s in nasty_string()) {
        let md = format!(
            "{FRONT}\n| A | B |\n|---|---|\n| a | {} |\n",
            format::escape_markdown_str(&s)
        );
        let doc = markdown::parse(&md).unwrap();
        prop_assert_eq!(doc.blocks.len(), 1, "{:?}", doc.blocks);
        let Block::Table(table) = &doc.blocks[0] else {
            panic!("not a table: {:?}", doc.blocks)
        };
        prop_assert_eq!(table.header.len(), 2);
        prop_assert_eq!(table.rows.len(), 1);
        prop_assert_eq!(table.rows[0].len(), 2);
        prop_assert_eq!(plain_text(&table.rows[0][1]), as_read(&s));
    }

    #[test]
    fn any_markdown_parses_or_errs(pieces in vec(markdown_piece(), 0..40), front in any::<bool>()) {
        let body = pieces.concat();
        let md = if front { format!("{FRONT}{body}") } else { body };
        let _ = markdown::parse(&md);
    }

    #[test]
    fn number_formats_round_trip(v in decimal()) {
        let text = format::so(v, None);
        let back = Decimal::from_str(&text.replace('.', "").replace(',', ".")).unwrap();
        prop_assert_eq!(back, v, "{}", text);
        prop_assert!(format::tien(v).ends_with(" đồng"));
        let _ = format::so(v, Some(0));
        let _ = format::trieu_dong(v, 2);
        let _ = format::so_dem(v);
        let _ = format::phan_tram(v, 1);
        let words = format::bang_chu(v);
        prop_assert!(
            words.split(' ').all(|w| !w.is_empty()
                && w.chars().all(|c| c.is_alphabetic() && !c.is_uppercase())),
            "{}", words
        );
    }

    #[test]
    fn roman_numerals_round_trip(n in 0u64..5000) {
        match format::so_la_ma(n) {
            Ok(s) => prop_assert_eq!(roman_value(&s), Some(n)),
            Err(_) => prop_assert!(n == 0 || n > 3999),
        }
    }
}

/// Text of a DOCX body: the contents of its `<w:t>` runs.
fn docx_text(bytes: &[u8]) -> String {
    common::xml_text(&common::zip_part_of(bytes, "word/document.xml").unwrap())
}

/// Whether XML 1.0 allows `c` (its `Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Every XML part of a DOCX can be opened by a reader: quick-xml reads it
/// to the end, and every character, written or referenced, is one XML 1.0
/// allows (which quick-xml does not check). Returns word/document.xml.
fn assert_docx_is_xml_1_0(bytes: &[u8]) -> String {
    use quick_xml::events::Event;
    use quick_xml::XmlVersion;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut document = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let name = part.name().to_string();
        if !name.ends_with(".xml") && !name.ends_with(".rels") {
            continue;
        }
        let mut xml = String::new();
        part.read_to_string(&mut xml).unwrap();
        let mut chars: Vec<char> = xml.chars().collect();
        let mut reader = quick_xml::Reader::from_str(&xml);
        loop {
            match reader.read_event() {
                Ok(Event::Eof) => break,
                Ok(Event::GeneralRef(r)) => chars.extend(r.resolve_char_ref().unwrap()),
                Ok(Event::Start(e) | Event::Empty(e)) => {
                    for attribute in e.attributes() {
                        let value = attribute
                            .unwrap()
                            .decoded_and_normalized_value(XmlVersion::Implicit1_0, reader.decoder())
                            .unwrap();
                        chars.extend(value.chars());
                    }
                }
                Ok(_) => {}
                Err(e) => panic!("{name}: {e}"),
            }
        }
        let bad: Vec<char> = chars.into_iter().filter(|&c| !is_xml_char(c)).collect();
        assert!(bad.is_empty(), "{name}: XML 1.0 forbids {bad:?}");
        if name == "word/document.xml" {
            document = xml;
        }
    }
    document
}

/// Word's line break (U+000B) and controls that pasted text brings into
/// the Markdown, in the body and (as TOML escapes) in the front matter:
/// the DOCX stays XML 1.0 with the line break kept, and the PDF is drawn.
#[test]
fn pasted_controls_never_reach_the_xml_and_the_pdf_is_drawn() {
    let front = FRONT.replace(
        "trich_yeu = \"Kết quả\"",
        r#"trich_yeu = "Kết quả\u000Bnăm\u0001\u007F\uFEFF""#,
    );
    let md = format!(
        "{front}\nDòng một\u{b}dòng hai \u{1}\u{7f}\u{feff}hết\u{fffe}.\n\n\
         | A | B\u{2028}C |\n|---|---|\n| x\u{b}y | \u{1f}z |\n"
    );
    let doc = markdown::parse(&md).unwrap();
    let document = assert_docx_is_xml_1_0(&common::docx(&doc));
    let br = r#"<w:br w:type="textWrapping" />"#;
    for (before, after) in [("Dòng một", "dòng hai hết."), ("x", "y"), ("B", "C")] {
        let [at, after_at] = [before, after].map(|text| {
            document
                .find(&format!(">{text}<"))
                .unwrap_or_else(|| panic!("no run of {text:?}"))
        });
        let br_at = at + document[at..].find(br).expect(br);
        assert!(
            br_at < after_at,
            "no line break between {before} and {after}"
        );
    }
    common::pdf(&doc);
}

fn pdf_text(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The sample registry, with extra units when a case needs more than it has.
fn registry_with(dir: &Path, count: usize) -> Vec<String> {
    let path = dir.join("ke-hoach-2023.json");
    let mut plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let units = plan["don_vi"].as_array_mut().unwrap();
    for n in units.len()..count {
        units.push(serde_json::json!({"ma": format!("9{n:02}"), "ten": format!("Xã Thử {n}"), "cap": "xa"}));
    }
    let codes = units
        .iter()
        .map(|u| u["ma"].as_str().unwrap().to_string())
        .collect();
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    codes
}

proptest! {
    // Every case renders a PDF: few cases.
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn sums_stay_exact_through_every_writer(
        (total, cuts) in (0u64..=1_000_000_000_000_000, 1usize..=50)
            .prop_flat_map(|(t, k)| (Just(t), vec(0..=t, k - 1)))
    ) {
        let dir = plan_only("sums");
        let mut bounds = cuts;
        bounds.push(0);
        bounds.push(total);
        bounds.sort_unstable();
        let parts: Vec<u64> = bounds.windows(2).map(|w| w[1] - w[0]).collect();
        let codes = registry_with(&dir, parts.len());
        for (code, amount) in codes.iter().zip(&parts) {
            let unit = serde_json::json!({
                "loai": "bao_cao",
                "nam": 2023,
                "ma_don_vi": code,
                "lan_nop": 1,
                "ngay_nop": "2023-11-22",
                "nguoi_lap": "Nguyễn Văn A",
                "hoat_dong": [{
                    "noi_dung": "CTV",
                    "mo_ta": "Duy trì cộng tác viên",
                    "chi_tieu": {"cong_tac_vien": 1},
                    "kinh_phi": amount,
                }],
            });
            std::fs::write(dir.join(format!("bao-cao/{code}.json")), unit.to_string()).unwrap();
        }
        let report = common::report(&dir);
        let expected = Decimal::from(total);
        prop_assert_eq!(report.summary.tong.kinh_phi.thuc_hien, expected);
        let shown = format::so(expected, Some(0));
        prop_assert!(report.markdown.contains(&shown), "{} not in the Markdown", shown);
        let out = dir.join("ra");
        output::write(report, &out, &output::Wait::default()).unwrap_or_else(|e| panic!("{e}"));
        let base = out.join(output::base_name(2023));
        let docx = std::fs::read(base.with_extension("docx")).unwrap();
        prop_assert!(docx_text(&docx).contains(&shown), "{} not in the DOCX", shown);
        if common::have_tool("pdftotext") {
            let text = pdf_text(&base.with_extension("pdf"));
            prop_assert!(text.contains(&shown), "{} not in the PDF:\n{}", shown, text);
        }
    }
}

/// The structure of a report: block kinds, table sizes.
fn shape(doc: &Document) -> Vec<String> {
    doc.blocks
        .iter()
        .map(|b| match b {
            Block::Heading { level, .. } => format!("h{level}"),
            Block::Paragraph(_) => "p".into(),
            Block::List { items, .. } => format!("list {}", items.len()),
            Block::Table(t) => format!(
                "table {}x{} {:?}",
                t.header.len(),
                t.rows.len(),
                t.rows.iter().map(Vec::len).collect::<Vec<_>>()
            ),
            Block::PageBreak => "page break".into(),
        })
        .collect()
}

/// Every text span lies inside the text frame (page numbers in the top
/// margin), whatever the content.
fn assert_inside_frame(layout: &layout::Layout) {
    let f = layout.area;
    const EPS: f32 = 0.01;
    for (index, page) in layout.pages.iter().enumerate() {
        for item in &page.items {
            let layout::Item::Text(span) = item else {
                continue;
            };
            let face = fonts::face(span.face).unwrap();
            let top = span.baseline - face.ascent * span.size;
            let bottom = span.baseline + face.descent * span.size;
            let vertical_ok = if span.role == layout::Role::PageNumber {
                top > 0.0 && bottom < f.top
            } else {
                top >= f.top - EPS && bottom <= f.bottom + EPS
            };
            assert!(
                span.x >= f.left - EPS && span.x + span.width <= f.right + EPS && vertical_ok,
                "page {}: span outside the frame {f:?}: {span:?}",
                index + 1
            );
        }
    }
}

/// How often `c` is drawn in the PDF layout.
fn drawn(layout: &layout::Layout, c: char) -> usize {
    layout
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|i| match i {
            layout::Item::Text(span) => Some(span.text.matches(c).count()),
            layout::Item::Rule(_) => None,
        })
        .sum()
}

/// How often `c` occurs in the body of the document.
fn written(doc: &Document, c: char) -> usize {
    let count = |inlines: &[khuyencong::document::Inline]| plain_text(inlines).matches(c).count();
    doc.blocks
        .iter()
        .map(|b| match b {
            Block::Heading { content, .. } | Block::Paragraph(content) => count(content),
            Block::List { items, .. } => items.iter().map(|i| count(&i.content)).sum(),
            Block::Table(t) => t
                .header
                .iter()
                .chain(t.rows.iter().flatten())
                .map(|c| count(c))
                .sum(),
            Block::PageBreak => 0,
        })
        .sum()
}

const UNIT: &str = "bao-cao/731-bien-hoa.json";
const PLAN: &str = "ke-hoach-2023.json";

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// Adds a note to Biên Hòa's activity.
fn note(dir: &Path, text: &str) {
    edit(
        &dir.join(UNIT),
        "\"kinh_phi\": 64800000",
        &format!("\"ghi_chu\": {}, \"kinh_phi\": 64800000", json(text)),
    );
}

/// Closes the TOML string and the front matter, then starts a heading.
const HOSTILE_SUMMARY: &str = "Kết quả\"\"\" ''' +++\n+++\n# Tiêu đề\n[trang]\nco_chu = 1";

#[test]
fn hostile_content_keeps_the_structure_and_the_page() {
    let sample = common::report(&root().join("input"));
    let long_name: String = "Ạ".repeat(400);
    let long_description: String = "ợ".repeat(400);
    type Apply = fn(&Path);
    let cases: &[(&str, Apply, &[char])] = &[
        (
            "note with Markdown and table syntax",
            |d| {
                note(
                    d,
                    "| a | b |\n|---|---|\n# Tiêu đề\n\n- mục\n1. một\n<!-- ngat-trang -->\n---\n**đậm** `mã` [x](y) &amp; <b>\\",
                )
            },
            &[],
        ),
        (
            "summary line with front-matter syntax",
            |d| {
                edit(
                    &d.join(PLAN),
                    "\"trich_yeu\": \"Kết quả thực hiện kế hoạch khuyến công năm 2023\"",
                    &format!("\"trich_yeu\": {}", json(HOSTILE_SUMMARY)),
                )
            },
            &[],
        ),
        (
            "400-character unit name and description",
            |d| {
                edit(
                    &d.join(PLAN),
                    "\"ten\": \"Thành phố Biên Hòa\"",
                    &format!("\"ten\": {}", json(&"Ạ".repeat(400))),
                );
                edit(
                    &d.join(UNIT),
                    "\"mo_ta\": \"Duy trì hoạt động của mạng lưới cộng tác viên khuyến công trên địa bàn\"",
                    &format!("\"mo_ta\": {}", json(&"ợ".repeat(400))),
                );
            },
            &['Ạ', 'ợ'],
        ),
    ];
    for (name, apply, long_words) in cases {
        let dir = copy_of_input(&name.replace(' ', "-"));
        apply(&dir);
        let report = common::report(&dir);
        assert_eq!(shape(&report.document), shape(&sample.document), "{name}");
        let layout = common::layout(&report.document).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_inside_frame(&layout);
        let docx = docx_text(&common::docx(&report.document));
        for c in *long_words {
            let n = written(&report.document, *c);
            assert!(n >= 400, "{name}: {c} written {n} times");
            assert_eq!(drawn(&layout, *c), n, "{name}: {c} not drawn every time");
        }
        match *name {
            "note with Markdown and table syntax" => {
                let md_text = report
                    .document
                    .blocks
                    .iter()
                    .filter_map(|b| match b {
                        Block::Paragraph(p) => Some(plain_text(p)),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                let shown = "| a | b | |---|---| # Tiêu đề - mục 1. một <!-- ngat-trang --> --- **đậm** `mã` [x](y) &amp; <b>\\";
                assert!(md_text.contains(shown), "{name}: note altered");
                assert!(docx.contains("**đậm**"), "{name}: note missing in DOCX");
            }
            "summary line with front-matter syntax" => {
                assert_eq!(report.document.meta.trich_yeu, HOSTILE_SUMMARY, "{name}");
            }
            _ => {
                assert!(
                    docx.contains(&long_name),
                    "{name}: unit name missing in DOCX"
                );
                assert!(
                    docx.contains(&long_description),
                    "{name}: description missing in DOCX"
                );
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The stages after validation, on data changed after it was validated:
/// the PDF's own glyph check must hold even for text validation never saw
/// (templates, or a library caller's data).
fn build_changed(dir: &Path, change: fn(&mut validate::Dataset)) -> pipeline::Report {
    let mut data =
        validate::load(&[dir.to_path_buf()], &[], None).unwrap_or_else(|d| panic!("{d}"));
    change(&mut data);
    let summary = khuyencong::aggregate::summarise(&data).unwrap();
    let templates =
        khuyencong::templating::Templates::load(Some(&root().join("templates"))).unwrap();
    let markdown = markdown::number_headings(&templates.render(&summary).unwrap().markdown);
    let document = markdown::parse(&markdown).unwrap();
    pipeline::Report {
        inputs: pipeline::Inputs {
            input: dir.to_path_buf(),
            templates: root().join("templates"),
            year: None,
        },
        data,
        summary,
        templates,
        markdown,
        document,
    }
}

fn bien_hoa(data: &mut validate::Dataset) -> &mut khuyencong::contract::Submission {
    &mut data
        .submissions
        .iter_mut()
        .find(|s| s.value.ma_don_vi == "731")
        .unwrap()
        .value
}

#[test]
fn characters_outside_the_font_are_reported_not_dropped() {
    type Apply = fn(&mut validate::Dataset);
    let cases: &[(&str, Apply, &[&str])] = &[
        (
            "note",
            |d| bien_hoa(d).hoat_dong[0].ghi_chu = Some("Ghi chú có chữ 中文 và 😀.".into()),
            &[
                "“中” (U+4E2D)",
                "“文” (U+6587)",
                "“😀” (U+1F600)",
                "khối nội dung thứ",
            ],
        ),
        (
            "unit name",
            |d| {
                let unit = d
                    .plan
                    .value
                    .don_vi
                    .iter_mut()
                    .find(|u| u.ten == "Thành phố Biên Hòa");
                unit.unwrap().ten.push_str(" 中");
            },
            &["“中” (U+4E2D)", "bảng", "hàng"],
        ),
        (
            "signer",
            |d| d.plan.value.van_ban.nguoi_ky = "Trần Minh Tuấn 😀".into(),
            &["“😀” (U+1F600)", "khối ký"],
        ),
    ];
    for (name, apply, expected) in cases {
        let dir = copy_of_input(&format!("glyphs-{name}").replace(' ', "-"));
        let report = build_changed(&dir, *apply);
        assert!(
            matches!(
                common::try_pdf(&report.document),
                Err(pdf::PdfError::MissingGlyphs(_))
            ),
            "{name}: not reported as missing glyphs"
        );
        let out = dir.join("ra");
        match output::write(report, &out, &output::Wait::default()) {
            Err(OutputError::Render(err @ RenderError::Pdf(_))) => {
                let message = err.to_string();
                assert!(message.contains("không vẽ được"), "{name}: {message}");
                for part in *expected {
                    assert!(message.contains(part), "{name}: no {part:?} in {message}");
                }
            }
            Err(e) => panic!("{name}: {e}"),
            Ok(_) => panic!("{name}: the build succeeded"),
        }
        // All or nothing: no report file was written, and the Markdown
        // and DOCX staged before the PDF failed were taken back.
        let left: Vec<_> = std::fs::read_dir(&out)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{name}: left behind {left:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `validate` refuses, where it stands, any character a face lacks, so a
/// build of valid data never fails on a glyph, and every character it
/// accepts is drawn by all four faces.
#[test]
fn validation_and_the_pdf_agree_on_characters() {
    let dir = copy_of_input("agree");
    let original = std::fs::read_to_string(dir.join(UNIT)).unwrap();
    let mut accepted = String::new();
    for c in [
        '✓', '㎡', '😀', '中', '\u{3000}', '\u{F001}', '\u{F005}', '\u{FFFD}', '€', '₫', '–', '“',
        '…', '\u{A0}', 'ỹ', 'Ω', '∑', '≤', '→', '•', '½', '©', '°', '№', '\u{2009}', '\u{202F}',
    ] {
        std::fs::write(dir.join(UNIT), &original).unwrap();
        note(&dir, &format!("Ghi chú {c}."));
        let drawn_by_all = fonts::Face::ALL
            .iter()
            .all(|f| fonts::face(*f).unwrap().advance(c).is_some());
        match validate::load(std::slice::from_ref(&dir), &[], None) {
            Ok(_) => {
                assert!(drawn_by_all, "{c:?} accepted but a face lacks it");
                accepted.push(c);
            }
            Err(diags) => {
                assert!(!drawn_by_all, "{c:?} refused: {diags}");
                let [d] = &diags.0[..] else {
                    panic!("{c:?}: {diags}")
                };
                assert_eq!(
                    (d.code.id(), d.path.as_str()),
                    ("KC040", "hoat_dong[0].ghi_chu"),
                    "{d}"
                );
                assert!(d.message.contains(&format!("U+{:04X}", c as u32)), "{d}");
            }
        }
    }
    std::fs::write(dir.join(UNIT), &original).unwrap();
    note(&dir, &format!("Ghi chú {accepted}."));
    output::write(
        common::report(&dir),
        &dir.join("ra"),
        &output::Wait::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn dangling_symlink_is_reported() {
    let dir = copy_of_input("dangling");
    std::os::unix::fs::symlink(dir.join("khong-co.json"), dir.join("x.json")).unwrap();
    let diags = validate::load(std::slice::from_ref(&dir), &[], None).unwrap_err();
    assert!(
        diags
            .0
            .iter()
            .any(|d| d.code.id() == "KC001" && d.file.file_name().is_some_and(|n| n == "x.json")),
        "{diags}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether the document's table has a column of figures only (digits and
/// their signs, as the layout counts them).
fn has_number_column(doc: &Document) -> bool {
    let figure = |c: &Vec<khuyencong::document::Inline>| {
        let text = plain_text(c);
        let text = text.trim();
        text.is_empty()
            || (text.contains(|c: char| c.is_ascii_digit())
                && text
                    .chars()
                    .all(|c| c.is_ascii_digit() || ".,%+-() ".contains(c)))
    };
    doc.blocks.iter().any(|b| match b {
        Block::Table(t) => {
            (0..t.columns()).any(|c| t.rows.iter().all(|row| row.get(c).is_none_or(figure)))
        }
        _ => false,
    })
}

/// A table in Markdown, one column per cell of the widest row.
fn table_markdown(rows: Vec<Vec<(usize, char)>>) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(1);
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let mut md = format!("{FRONT}\n");
    md.push_str(&line((0..columns).map(|c| format!("C{c}")).collect()));
    md.push_str(&line(vec!["---".to_string(); columns]));
    for row in rows {
        md.push_str(&line(
            row.into_iter()
                .map(|(n, c)| c.to_string().repeat(n))
                .collect(),
        ));
    }
    md
}

fn table_rows(columns: usize) -> impl Strategy<Value = Vec<Vec<(usize, char)>>> {
    let cell = (0usize..300, select(&['x', 'Ạ', 'W', '1', '-', ' '][..]));
    vec(vec(cell, 1..=columns), 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Tables a template or a plan could produce, long words anywhere:
    /// laid out inside the frame, or — when figures, which never break,
    /// need more than the page — refused as too wide.
    #[test]
    fn any_table_is_laid_out_inside_the_frame(rows in table_rows(8)) {
        let doc = markdown::parse(&table_markdown(rows)).unwrap();
        match prepare(&doc) {
            Ok(prepared) => assert_inside_frame(&layout::layout(&prepared).unwrap()),
            Err(LayoutError::Table(TableError::TooWide { .. })) => {
                assert!(has_number_column(&doc), "a table of words refused");
            }
            Err(e) => panic!("{e}"),
        }
    }

    /// Far more columns than a page holds: no panic (see the report about
    /// such tables overflowing).
    #[test]
    fn very_wide_tables_do_not_panic(rows in table_rows(80)) {
        let doc = markdown::parse(&table_markdown(rows)).unwrap();
        if let Ok(prepared) = prepare(&doc) {
            let _ = layout::layout(&prepared);
        }
    }
}
