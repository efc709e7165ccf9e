//! The summary as a workbook (`bao-cao-khuyen-cong-<năm>.xlsx`): read back,
//! its figures are the summary's, its totals are formulas whose cached
//! values add up; it is deterministic, in the manifest, all-or-nothing, and
//! LibreOffice shows the same totals as the Markdown.

mod common;

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{open_workbook_from_rs, Data, Range, Reader, Xlsx};
use common::{copy_of_input, edit, khuyencong, root, scratch};
use khuyencong::aggregate::{Figures, Summary};
use khuyencong::contract::MoneyUnit;
use khuyencong::output::{self, OutputError};
use khuyencong::render::xlsx::{WorkbookError, EXACT};
use khuyencong::render::RenderError;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The two datasets the project keeps building: the bundled sample (no
/// projects, budget only) and the Đắk Lắk example (projects, counterpart
/// funds, a unit that did not submit), each also in triệu đồng; `test`
/// names the copies (the tests of a file run in one process).
fn datasets(test: &str) -> Vec<(PathBuf, i32)> {
    let mut sets = vec![
        (root().join("input"), 2023),
        (root().join("examples/du-lieu/dak-lak-2020"), 2020),
    ];
    for (i, (input, year)) in sets.clone().into_iter().enumerate() {
        let copy = scratch(&format!("{test}-trieu-{i}"));
        common::copy_dir(&input, &copy);
        let plan = copy.join(format!("ke-hoach-{year}.json"));
        edit(
            &plan,
            "\"van_ban\": {",
            "\"van_ban\": { \"don_vi_tien\": \"trieu_dong\",",
        );
        sets.push((copy, year));
    }
    sets
}

/// Builds into `out`; returns the summary and the Markdown.
fn build(input: &Path, out: &Path) -> (Summary, String) {
    let report = common::report(input);
    let kept = (report.summary.clone(), report.markdown.clone());
    output::write(report, out, &output::Wait::default()).unwrap_or_else(|e| panic!("{e}"));
    kept
}

fn workbook_path(out: &Path, year: i32) -> PathBuf {
    out.join(format!("{}.xlsx", output::base_name(year)))
}

/// A workbook read back: each sheet's values (formulas' cached values) and
/// formulas.
struct Book {
    names: Vec<String>,
    values: HashMap<String, Range<Data>>,
    formulas: HashMap<String, Range<String>>,
}

impl Book {
    fn read(bytes: &[u8]) -> Book {
        let mut xlsx: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
        let names = xlsx.sheet_names();
        let mut values = HashMap::new();
        let mut formulas = HashMap::new();
        for name in &names {
            values.insert(name.clone(), xlsx.worksheet_range(name).unwrap());
            formulas.insert(name.clone(), xlsx.worksheet_formula(name).unwrap());
        }
        Book {
            names,
            values,
            formulas,
        }
    }

    fn value(&self, sheet: &str, row: u32, col: u32) -> Data {
        self.values[sheet]
            .get_value((row, col))
            .cloned()
            .unwrap_or(Data::Empty)
    }

    fn formula(&self, sheet: &str, row: u32, col: u32) -> Option<String> {
        self.formulas[sheet]
            .get_value((row, col))
            .filter(|f| !f.is_empty())
            .cloned()
    }

    fn text(&self, sheet: &str, row: u32, col: u32) -> String {
        match self.value(sheet, row, col) {
            Data::String(s) => s,
            Data::Empty => String::new(),
            other => panic!("{sheet} ({row}, {col}): {other:?} is not text"),
        }
    }

    /// A whole number stored as a number, never as text.
    fn number(&self, sheet: &str, row: u32, col: u32) -> Decimal {
        match self.value(sheet, row, col) {
            Data::Float(f) => {
                assert_eq!(f.fract(), 0.0, "{sheet} ({row}, {col}): {f} is not whole");
                Decimal::from(f as i64)
            }
            Data::Int(n) => Decimal::from(n),
            other => panic!("{sheet} ({row}, {col}): {other:?} is not a number"),
        }
    }

    /// A figure that is not a total: a number, not a formula.
    fn figure(&self, sheet: &str, row: u32, col: u32) -> Decimal {
        assert_eq!(
            self.formula(sheet, row, col),
            None,
            "{sheet} ({row}, {col})"
        );
        self.number(sheet, row, col)
    }

    /// A total: a SUM formula whose cached value is what its terms add up
    /// to. Returns the cached value.
    fn total(&self, sheet: &str, row: u32, col: u32) -> Decimal {
        let formula = self
            .formula(sheet, row, col)
            .unwrap_or_else(|| panic!("{sheet} ({row}, {col}) is not a formula"));
        let terms = formula
            .strip_prefix("SUM(")
            .and_then(|f| f.strip_suffix(')'))
            .unwrap_or_else(|| panic!("{sheet} ({row}, {col}): {formula} is not a SUM"));
        let mut sum = Decimal::ZERO;
        for term in terms.split(',') {
            let (from, to) = term.split_once(':').unwrap_or((term, term));
            let (c, first) = cell(from);
            let (c2, last) = cell(to);
            assert_eq!(c, col, "{formula} adds another column");
            assert_eq!(c2, col, "{formula} adds another column");
            for r in first..=last {
                sum += match self.value(sheet, r, col) {
                    Data::Empty | Data::String(_) => Decimal::ZERO,
                    _ => self.number(sheet, r, col),
                };
            }
        }
        let cached = self.number(sheet, row, col);
        assert_eq!(cached, sum, "{sheet} ({row}, {col}): {formula}");
        cached
    }

    /// A rate: a fraction shown as a percent, or empty when nothing was
    /// planned.
    fn rate(&self, sheet: &str, row: u32, col: u32) -> Option<f64> {
        match self.value(sheet, row, col) {
            Data::Float(f) => Some(f),
            Data::Empty => None,
            Data::String(s) if s.is_empty() => None,
            other => panic!("{sheet} ({row}, {col}): {other:?} is not a rate"),
        }
    }

    /// Every text of a sheet.
    fn texts(&self, sheet: &str) -> Vec<String> {
        self.values[sheet]
            .cells()
            .filter_map(|(_, _, d)| match d {
                Data::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    /// The row whose column `col` reads `text`.
    fn find(&self, sheet: &str, col: u32, text: &str) -> u32 {
        let range = &self.values[sheet];
        (0..range.end().unwrap().0 + 1)
            .find(|&r| matches!(self.value(sheet, r, col), Data::String(ref s) if s == text))
            .unwrap_or_else(|| panic!("{sheet}: no row reads {text:?} in column {col}"))
    }
}

/// "C12" → (column 2, row 11), zero-based.
fn cell(name: &str) -> (u32, u32) {
    let split = name.find(|c: char| c.is_ascii_digit()).unwrap();
    let (letters, digits) = name.split_at(split);
    let col = letters
        .bytes()
        .fold(0, |n, b| n * 26 + u32::from(b - b'A' + 1))
        - 1;
    (col, digits.parse::<u32>().unwrap() - 1)
}

fn assert_rate(book: &Book, sheet: &str, row: u32, col: u32, f: &Figures) {
    // Every ratio is a formula over its row's plan and actual.
    let formula = book.formula(sheet, row, col).unwrap_or_default();
    assert!(
        formula.starts_with("IF("),
        "{sheet} row {row}: rate {formula:?}"
    );
    let expected = f
        .ty_le
        .map(|r| (r / Decimal::ONE_HUNDRED).to_f64().unwrap());
    let got = book.rate(sheet, row, col);
    match (got, expected) {
        (Some(g), Some(e)) => assert!((g - e).abs() < 1e-12, "{sheet} row {row}: {g} ≠ {e}"),
        (g, e) => assert_eq!(g, e, "{sheet} row {row}"),
    }
}

/// Plan and actual (columns `col`, `col + 1`) and the rate after them.
fn assert_figures(book: &Book, sheet: &str, row: u32, col: u32, f: &Figures, total: bool) {
    let read = |c| {
        if total {
            book.total(sheet, row, c)
        } else {
            book.figure(sheet, row, c)
        }
    };
    assert_eq!(read(col), f.ke_hoach, "{sheet} row {row}: plan");
    assert_eq!(read(col + 1), f.thuc_hien, "{sheet} row {row}: actual");
    assert_rate(book, sheet, row, col + 2, f);
}

/// The header row of a sheet (the row whose first cell is "STT") and the
/// column of each header.
fn header(book: &Book, sheet: &str) -> (u32, HashMap<String, u32>) {
    let row = book.find(sheet, 0, "STT");
    let range = &book.values[sheet];
    let columns = (0..range.end().unwrap().1 + 1)
        .filter_map(|c| match book.value(sheet, row, c) {
            Data::String(h) => Some((h, c)),
            _ => None,
        })
        .collect();
    (row, columns)
}

fn check_items(book: &Book, s: &Summary) {
    let sheet = "Theo nội dung";
    for ct in s.chuong_trinh.iter().filter(|ct| !ct.so.is_empty()) {
        let row = book.find(sheet, 0, &ct.so);
        assert_eq!(book.text(sheet, row, 1), ct.ten);
        let items: Vec<_> = ct
            .noi_dung
            .iter()
            .filter(|nd| !nd.so.is_empty() && nd.so != ct.so)
            .collect();
        assert_figures(book, sheet, row, 2, &ct.tien.kinh_phi, !items.is_empty());
        for nd in items {
            let row = book.find(sheet, 0, &nd.so);
            assert_eq!(book.text(sheet, row, 1), nd.ten);
            assert_figures(book, sheet, row, 2, &nd.tien.kinh_phi, false);
            assert_eq!(book.text(sheet, row, 5), nd.trang_thai);
        }
    }
    let row = book.find(sheet, 1, "Tổng cộng");
    assert_figures(book, sheet, row, 2, &s.tong.kinh_phi, true);
}

fn check_units(book: &Book, s: &Summary) {
    let sheet = "Theo đơn vị";
    let (_, columns) = header(book, sheet);
    let outside = s.tong.co_ngoai_ngan_sach;
    let projects = s.phu_luc.so_de_an > 0;
    // The columns follow the data, as Bảng 3.
    assert_eq!(columns.contains_key("Số đề án"), projects, "{columns:?}");
    assert_eq!(
        columns.contains_key("Ngoài ngân sách"),
        outside,
        "{columns:?}"
    );
    let budget = columns[if outside {
        "Kinh phí khuyến công"
    } else {
        "Kinh phí"
    }];
    for (n, u) in s.don_vi.iter().enumerate() {
        let row = book.find(sheet, 1, &u.ma);
        // A number for the rank, text for the code.
        assert_eq!(book.figure(sheet, row, 0), Decimal::from(n + 1));
        assert_eq!(book.text(sheet, row, 2), u.ten);
        let lan_nop = columns["Lần nộp"];
        if u.co_bao_cao {
            let figure = |col| book.figure(sheet, row, col);
            assert_eq!(figure(lan_nop), Decimal::from(u.lan_nop.unwrap()));
            assert_eq!(
                figure(columns["Số hoạt động"]),
                Decimal::from(u.so_hoat_dong)
            );
            if projects {
                assert_eq!(figure(columns["Số đề án"]), Decimal::from(u.so_de_an));
            }
            assert_eq!(figure(budget), u.tien.kinh_phi);
            if outside {
                assert_eq!(figure(columns["Ngoài ngân sách"]), u.tien.ngoai_ngan_sach);
            }
        } else {
            assert_eq!(book.text(sheet, row, lan_nop), "chưa nộp");
            for col in lan_nop + 1..columns.len() as u32 {
                assert_eq!(
                    book.value(sheet, row, col),
                    Data::Empty,
                    "{} col {col}",
                    u.ten
                );
            }
        }
    }
    let row = book.find(sheet, 2, "Tổng cộng");
    if projects {
        assert_eq!(
            book.total(sheet, row, columns["Số đề án"]),
            Decimal::from(s.phu_luc.so_de_an)
        );
    }
    assert_eq!(book.total(sheet, row, budget), s.tong.kinh_phi.thuc_hien);
    if outside {
        assert_eq!(
            book.total(sheet, row, columns["Ngoài ngân sách"]),
            s.tong.ngoai_ngan_sach.thuc_hien
        );
    }
}

fn check_sources(book: &Book, s: &Summary) {
    let sheet = "Theo nguồn";
    for n in &s.theo_nguon {
        let row = book.find(sheet, 1, &n.ten);
        assert_figures(book, sheet, row, 2, &n.kinh_phi, false);
    }
    // As Bảng 2: the budget and the money outside it apart only when there
    // is money outside it.
    let groups: Vec<(&str, &Figures)> = if s.tong.co_ngoai_ngan_sach {
        vec![
            ("Kinh phí khuyến công", &s.tong.kinh_phi),
            ("Ngoài ngân sách khuyến công", &s.tong.ngoai_ngan_sach),
            ("Tổng cộng mọi nguồn", &s.tong.tong_kinh_phi),
        ]
    } else {
        assert!(!book
            .texts(sheet)
            .iter()
            .any(|t| t.contains("Ngoài ngân sách")));
        vec![("Tổng cộng", &s.tong.kinh_phi)]
    };
    for (name, figures) in groups {
        let row = book.find(sheet, 1, name);
        assert_figures(book, sheet, row, 2, figures, true);
    }
}

fn check_projects(book: &Book, s: &Summary) {
    let sheet = "Đề án";
    let (_, columns) = header(book, sheet);
    let outside = !s.phu_luc.tong.ngoai_ngan_sach.is_zero();
    assert_eq!(columns.contains_key("Vốn đối ứng, nguồn khác"), outside);
    let total = columns[if outside {
        "Tổng kinh phí"
    } else {
        "Kinh phí"
    }];
    let amounts = |row, a: &khuyencong::aggregate::Amounts, sum: bool| {
        let read = |c| {
            if sum {
                book.total(sheet, row, c)
            } else {
                book.figure(sheet, row, c)
            }
        };
        assert_eq!(read(total), a.tong_kinh_phi, "row {row}");
        if outside {
            assert_eq!(read(columns["Khuyến công hỗ trợ"]), a.kinh_phi, "row {row}");
            assert_eq!(
                read(columns["Vốn đối ứng, nguồn khác"]),
                a.ngoai_ngan_sach,
                "row {row}"
            );
        }
    };
    for g in &s.phu_luc.chuong_trinh {
        amounts(book.find(sheet, 0, &g.so), &g.tong, true);
        for nd in &g.noi_dung {
            if g.noi_dung.len() > 1 {
                amounts(book.find(sheet, 0, &nd.so), &nd.tong, true);
            }
            for d in &nd.de_an {
                let row = book.find(sheet, 1, &d.ten);
                assert_eq!(book.figure(sheet, row, 0), Decimal::from(d.stt));
                let text = |name: &str| book.text(sheet, row, columns[name]);
                assert_eq!(text("Nội dung thực hiện"), d.mo_ta);
                assert_eq!(text("Cơ sở thụ hưởng"), d.co_so);
                assert_eq!(text("Đơn vị"), d.don_vi);
                // Spelled as the report's annex: "Đã hoàn thành, nghiệm thu".
                assert_eq!(
                    text("Tình trạng"),
                    khuyencong::format::viet_hoa_dau(d.trang_thai)
                );
                amounts(row, &d.tien, false);
            }
        }
    }
    let total = format!("Tổng cộng ({} đề án)", s.phu_luc.so_de_an);
    amounts(book.find(sheet, 1, &total), &s.phu_luc.tong, true);
}

/// A part of the workbook's zip package, as text.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn the_workbook_holds_the_summary_with_totals_as_formulas() {
    for (i, (input, year)) in datasets("tong").into_iter().enumerate() {
        let out = scratch(&format!("book-{i}"));
        let (s, _) = build(&input, &out);
        let bytes = std::fs::read(workbook_path(&out, year)).unwrap();
        let book = Book::read(&bytes);
        let mut sheets = vec!["Theo nội dung", "Theo đơn vị", "Theo nguồn"];
        if s.phu_luc.so_de_an > 0 {
            sheets.push("Đề án");
        }
        assert_eq!(book.names, sheets, "{year}");
        check_items(&book, &s);
        check_units(&book, &s);
        check_sources(&book, &s);
        if s.phu_luc.so_de_an > 0 {
            check_projects(&book, &s);
        }

        // The document's identity, dated by the report, not the clock.
        let core = part(&bytes, "docProps/core.xml");
        let doc = &s.van_ban;
        let created = format!(
            "{:04}-{:02}-{:02}T00:00:00Z",
            doc.ngay.year, doc.ngay.month, doc.ngay.day
        );
        for wanted in [
            format!("<dc:title>{}</dc:title>", xml(&doc.trich_yeu)),
            format!("<dc:creator>{}</dc:creator>", xml(&doc.co_quan_ban_hanh)),
            format!(">{created}</dcterms:created>"),
        ] {
            assert!(core.contains(&wanted), "{year}: no {wanted} in {core}");
        }
        // Header rows frozen, widths set, formats Vietnamese readers get
        // with their locale's separators; money shown in the report's
        // unit, the cells holding whole đồng (read back above).
        for (n, name) in (1..).zip(&sheets) {
            let sheet = part(&bytes, &format!("xl/worksheets/sheet{n}.xml"));
            let (row, _) = header(&book, name);
            assert!(
                sheet.contains(&format!(
                    r#"ySplit="{}" topLeftCell="A{}""#,
                    row + 1,
                    row + 2
                )) && sheet.contains(r#"state="frozen""#),
                "{year} sheet {n}: header not frozen"
            );
            assert!(
                sheet.contains("customWidth=\"1\""),
                "{year} sheet {n}: no widths"
            );
        }
        let styles = part(&bytes, "xl/styles.xml");
        assert!(styles.contains(r#"formatCode="0.0%""#), "{styles}");
        let money = match s.van_ban.don_vi_tien {
            MoneyUnit::Dong => r##"formatCode="#,##0""##,
            MoneyUnit::NghinDong => r##"formatCode="#,##0.00,""##,
            MoneyUnit::TrieuDong => r##"formatCode="#,##0.00,,""##,
        };
        assert!(styles.contains(money), "{money}: {styles}");
    }
}

/// What a sheet of the workbook holds around its table, as the report's
/// tables: the agency, the title, the report it goes with, the money unit,
/// the place and date and the signature; A4, Times New Roman; numbers as
/// numbers and identifiers as text without the spreadsheet's warning; no
/// internal code.
#[test]
fn every_sheet_is_a_formal_table() {
    for (i, (input, year)) in datasets("bieu").into_iter().enumerate() {
        let out = scratch(&format!("bieu-{i}"));
        let (s, _) = build(&input, &out);
        let bytes = std::fs::read(workbook_path(&out, year)).unwrap();
        let book = Book::read(&bytes);
        let doc = &s.van_ban;
        let date = format!(
            "{}, ngày {:02} tháng {} năm {}",
            doc.dia_danh, doc.ngay.day, doc.ngay.month, doc.ngay.year
        );
        let unit = format!("Đơn vị tính: {}", doc.don_vi_tien.label());
        let attached = format!("(Kèm theo Báo cáo số {} ngày ", doc.so_ky_hieu);
        let codes: Vec<&str> = s.theo_nguon.iter().map(|n| n.ma.as_str()).collect();
        for (n, name) in (1..).zip(&book.names) {
            let texts = book.texts(name);
            let has = |t: &str| texts.iter().any(|x| x == t);
            for line in [
                doc.co_quan_chu_quan.as_str(),
                &doc.co_quan_ban_hanh,
                &unit,
                &date,
                &doc.nguoi_ky,
            ]
            .into_iter()
            .chain(doc.tham_quyen.iter().map(String::as_str))
            {
                assert!(has(line), "{year} {name}: no {line:?}");
            }
            assert!(texts.iter().any(|t| t.starts_with(&attached)), "{name}");
            assert!(
                texts.iter().any(|t| t.ends_with(&format!("NĂM {year}"))),
                "{name}: no title"
            );
            for code in &codes {
                assert!(!has(code), "{name} shows the code {code}");
            }
            let sheet = part(&bytes, &format!("xl/worksheets/sheet{n}.xml"));
            assert!(
                sheet.contains(r#"<pageSetup paperSize="9""#),
                "{name}: not A4"
            );
        }
        // Unit codes are text, their column exempt from the warning about
        // numbers stored as text; ranks and revisions are numbers.
        let sheet = part(&bytes, "xl/worksheets/sheet2.xml");
        let (head, _) = header(&book, "Theo đơn vị");
        let exempt = format!("B{}:B{}", head + 2, head + 2 + s.don_vi.len() as u32);
        assert!(
            sheet.contains("numberStoredAsText=\"1\"") && sheet.contains(&exempt),
            "{exempt}: {sheet}"
        );
        assert!(matches!(
            book.value("Theo đơn vị", head + 1, 1),
            Data::String(_)
        ));
        // One face everywhere: Times New Roman, as the report.
        let styles = part(&bytes, "xl/styles.xml");
        let faces: Vec<&str> = styles
            .split("<name val=\"")
            .skip(1)
            .map(|f| f.split('"').next().unwrap())
            .collect();
        assert!(
            !faces.is_empty() && faces.iter().all(|f| *f == "Times New Roman"),
            "{faces:?}"
        );
        assert!(
            !styles.contains("scheme"),
            "a theme font would win: {styles}"
        );
        row_heights_fit(&bytes, &book);
    }
}

/// A sheet's XML attribute `name` of an element's opening tag.
fn attribute<'x>(tag: &'x str, name: &str) -> Option<&'x str> {
    let from = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[from..].split('"').next()
}

/// Every row is as tall as its wrapped text needs, measured in the face
/// its cells are set in (Times New Roman's widths: the embedded
/// Liberation Serif), no more and no less: a row with one line of text
/// keeps the default height, a plain row is not measured as if bold.
fn row_heights_fit(bytes: &[u8], book: &Book) {
    use khuyencong::render::fonts::{face, Face};
    let styles = part(bytes, "xl/styles.xml");
    let section = |name: &str| {
        let from = styles.find(&format!("<{name} ")).unwrap();
        let to = styles[from..].find(&format!("</{name}>")).unwrap();
        styles[from..from + to].to_string()
    };
    let faces: Vec<Face> = section("fonts")
        .split("<font>")
        .skip(1)
        .map(|f| Face::new(f.contains("<b/>"), f.contains("<i/>")))
        .collect();
    // Each style: its face, and whether its text wraps.
    let looks: Vec<(Face, bool)> = section("cellXfs")
        .split("<xf ")
        .skip(1)
        .map(|xf| {
            let font: usize = attribute(&format!(" {xf}"), "fontId")
                .unwrap()
                .parse()
                .unwrap();
            (faces[font], xf.contains("wrapText=\"1\""))
        })
        .collect();
    let pixels = |text: &str, f: Face| {
        let face = face(f).unwrap();
        let em: f32 = text.chars().map(|c| face.advance(c).unwrap_or(500.0)).sum();
        (em * 12.0 / 1000.0 * 96.0 / 72.0).ceil() as u32 + 7
    };
    let lines = |text: &str, room: u32, f: Face| {
        let (mut n, mut line) = (1, String::new());
        for word in text.split(' ') {
            let longer = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && pixels(&longer, f) > room {
                n += 1;
                line = word.to_string();
            } else {
                line = longer;
            }
        }
        n
    };
    for (n, name) in (1..).zip(&book.names) {
        let sheet = part(bytes, &format!("xl/worksheets/sheet{n}.xml"));
        // Column widths in pixels (characters of 8 pixels, the digit of
        // Times New Roman 12).
        let mut widths = vec![0u32; 64];
        for col in sheet.split("<col ").skip(1) {
            let col = format!(" {col}");
            let (min, max): (usize, usize) = (
                attribute(&col, "min").unwrap().parse().unwrap(),
                attribute(&col, "max").unwrap().parse().unwrap(),
            );
            let width: f64 = attribute(&col, "width").unwrap().parse().unwrap();
            for w in &mut widths[min - 1..max] {
                *w = (width * 8.0).round() as u32;
            }
        }
        let merges: Vec<(u32, u32, u32)> = sheet
            .split("<mergeCell ref=\"")
            .skip(1)
            .map(|m| {
                let (from, to) = m.split('"').next().unwrap().split_once(':').unwrap();
                let ((c1, r), (c2, _)) = (cell(from), cell(to));
                (r, c1, c2)
            })
            .collect();
        let mut checked = 0;
        for row in sheet.split("<row ").skip(1) {
            let tag = format!(" {}", &row[..row.find('>').unwrap()]);
            let r: u32 = attribute(&tag, "r").unwrap().parse::<u32>().unwrap() - 1;
            let mut most = 1;
            for c in row.split("<c ").skip(1) {
                let c = format!(" {c}");
                let (col, _) = cell(attribute(&c, "r").unwrap());
                let style: usize = attribute(&c, "s").map_or(0, |s| s.parse().unwrap());
                let (f, wraps) = looks[style];
                let Data::String(text) = book.value(name, r, col) else {
                    continue;
                };
                if !wraps {
                    continue;
                }
                let last = merges
                    .iter()
                    .find(|(mr, c1, _)| *mr == r && *c1 == col)
                    .map_or(col, |m| m.2);
                let room: u32 = widths[col as usize..=last as usize].iter().sum();
                most = most.max(lines(&text, room, f));
            }
            let height = attribute(&tag, "ht").map(|h| h.parse::<f64>().unwrap());
            let expected = (most > 1).then(|| 15.75 * f64::from(most));
            assert_eq!(height, expected, "{name} row {}", r + 1);
            checked += usize::from(most > 1);
        }
        assert!(checked > 0, "{name}: no row of several lines");
    }
}

#[test]
fn two_builds_write_the_same_workbook_and_list_it_in_the_manifest() {
    let input = root().join("examples/du-lieu/dak-lak-2020");
    let (a, b) = (scratch("book-same-a"), scratch("book-same-b"));
    build(&input, &a);
    // A clock-dated property would differ by now.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    build(&input, &b);
    let first = std::fs::read(workbook_path(&a, 2020)).unwrap();
    assert_eq!(first, std::fs::read(workbook_path(&b, 2020)).unwrap());
    let manifest = output::read_manifest(&output::manifest_path(&a, 2020)).unwrap();
    let entry = manifest
        .dau_ra
        .iter()
        .find(|e| e.tep == "bao-cao-khuyen-cong-2020.xlsx")
        .expect("the workbook is in the manifest");
    assert_eq!(entry.sha256, khuyencong::manifest::sha256(&first));
}

#[test]
fn a_failed_build_leaves_no_partial_workbook() {
    let input = copy_of_input("book-fail");
    let out = scratch("book-fail-out");
    build(&input, &out);
    let before = std::fs::read(workbook_path(&out, 2023)).unwrap();
    let names = |dir: &Path| {
        let mut n: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        n.sort();
        n
    };
    let listed = names(&out);
    // A total a spreadsheet cannot hold to the đồng: the workbook refuses
    // it rather than round it (data with such amounts never gets here:
    // `validate` refuses them, see tests/funding.rs).
    let mut report = common::report(&input);
    report.summary.tong.kinh_phi.thuc_hien = Decimal::from(EXACT + 1);
    match output::write(report, &out, &output::Wait::default()) {
        Err(OutputError::Render(e @ RenderError::Xlsx(WorkbookError::Inexact(_)))) => {
            let message = e.to_string();
            assert!(
                message.contains("quá lớn") && message.contains("XLSX"),
                "{message}"
            );
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("an inexact amount was written"),
    }
    assert_eq!(names(&out), listed, "the set changed");
    assert_eq!(std::fs::read(workbook_path(&out, 2023)).unwrap(), before);
}

#[test]
fn render_does_not_offer_the_workbook() {
    let out = scratch("book-render");
    let (_, markdown) = build(&root().join("input"), &out);
    let md = out.join("tay.md");
    std::fs::write(&md, markdown).unwrap();
    let o = khuyencong(&["render", md.to_str().unwrap(), "--format", "xlsx"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("docx, pdf") && !stderr.contains("xlsx,"),
        "{stderr}"
    );
    let o = khuyencong(&["render", md.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("tay.docx").exists() && !out.join("tay.xlsx").exists());
}

/// The bold whole numbers of the Markdown's total line that starts with
/// `label` after `caption` (percentages left out).
fn markdown_totals(markdown: &str, caption: &str, label: &str) -> Vec<Decimal> {
    let from = markdown
        .find(caption)
        .unwrap_or_else(|| panic!("no {caption}"));
    let line = markdown[from..]
        .lines()
        .find(|l| l.starts_with(&format!("| | **{label}")))
        .unwrap_or_else(|| panic!("no {label} after {caption}"));
    line.split('|')
        .map(|c| c.trim().trim_matches('*'))
        .filter(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit() || ch == '.'))
        .map(|c| c.replace('.', "").parse().unwrap())
        .collect()
}

/// One CSV line split into fields (LibreOffice quotes text with commas).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            _ => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

/// The whole numbers of the sheet's row whose field reads `label`.
fn csv_totals(csv: &str, label: &str) -> Vec<Decimal> {
    let row = csv
        .lines()
        .map(csv_fields)
        .find(|f| f.iter().any(|x| x == label))
        .unwrap_or_else(|| panic!("no {label} in\n{csv}"));
    row.iter()
        .filter(|x| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit()))
        .map(|x| x.parse().unwrap())
        .collect()
}

#[test]
fn libreoffice_shows_the_same_totals_as_the_markdown() {
    if !common::have_tool("soffice") {
        return;
    }
    // The Markdown's figures in đồng are the cells' values.
    for (input, year) in datasets("lo").into_iter().take(2) {
        let out = scratch(&format!("book-lo-{year}"));
        let (s, markdown) = build(&input, &out);
        let csv_dir = out.join("csv");
        // Every sheet to its own file, `<name>-<sheet>.csv`, raw values.
        let status = Command::new("soffice")
            .arg(format!(
                "-env:UserInstallation=file://{}",
                out.join("profile").display()
            ))
            .args([
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                "--outdir",
            ])
            .arg(&csv_dir)
            .arg(workbook_path(&out, year))
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        let sheet = |name: &str| {
            let path = csv_dir.join(format!("{}-{name}.csv", output::base_name(year)));
            std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (LibreOffice Calc installed? {:?})",
                    path.display(),
                    std::fs::read_dir(&csv_dir).map(|d| d.count())
                )
            })
        };
        assert_eq!(
            csv_totals(&sheet("Theo nội dung"), "Tổng cộng"),
            markdown_totals(&markdown, "**Bảng 1.", "Tổng cộng")
        );
        let total = if s.tong.co_ngoai_ngan_sach {
            "Tổng cộng mọi nguồn"
        } else {
            "Tổng cộng"
        };
        assert_eq!(
            csv_totals(&sheet("Theo nguồn"), total),
            markdown_totals(&markdown, "**Bảng 2.", total)
        );
        // Bảng 3 and its sheet: the same columns, the same totals.
        assert_eq!(
            csv_totals(&sheet("Theo đơn vị"), "Tổng cộng"),
            markdown_totals(&markdown, "**Bảng 3.", "Tổng cộng")
        );
        if s.phu_luc.so_de_an > 0 {
            let label = format!("Tổng cộng ({} đề án)", s.phu_luc.so_de_an);
            assert_eq!(
                csv_totals(&sheet("Đề án"), &label),
                markdown_totals(&markdown, "PHỤ LỤC", &label)
            );
        }
    }
}

/// Printed through LibreOffice, every sheet is on A4 in Times New Roman
/// (Liberation Serif where Times is not installed, as here and in CI).
#[test]
fn libreoffice_prints_every_sheet_on_a4_in_times_new_roman() {
    if !common::have_tool("soffice") || !common::have_tool("pdffonts") {
        return;
    }
    for (i, (input, year)) in datasets("a4").into_iter().enumerate() {
        let out = scratch(&format!("book-a4-{i}"));
        build(&input, &out);
        let status = Command::new("soffice")
            .arg(format!(
                "-env:UserInstallation=file://{}",
                out.join("profile").display()
            ))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(out.join("pdf"))
            .arg(workbook_path(&out, year))
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        let pdf = out
            .join("pdf")
            .join(format!("{}.pdf", output::base_name(year)));
        let sizes = common::page_sizes(&pdf);
        assert!(sizes.len() >= 3, "{sizes:?}");
        for size in sizes {
            assert!(
                common::is_portrait(size) || common::is_landscape(size),
                "{size:?} is not A4"
            );
        }
        let fonts = Command::new("pdffonts").arg(&pdf).output().unwrap();
        let fonts = String::from_utf8(fonts.stdout).unwrap();
        let names: Vec<&str> = fonts
            .lines()
            .skip(2)
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        assert!(!names.is_empty());
        for name in names {
            assert!(
                name.contains("LiberationSerif") || name.contains("TimesNewRoman"),
                "{name} in {fonts}"
            );
        }
    }
}
