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
use khuyencong::output::{self, OutputError};
use khuyencong::pipeline::{self, Inputs};
use khuyencong::render::xlsx::WorkbookError;
use khuyencong::render::RenderError;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The two datasets the project keeps building: the bundled sample (no
/// projects, budget only) and the Đắk Lắk example (projects, counterpart
/// funds, a unit that did not submit).
fn datasets() -> [(PathBuf, i32); 2] {
    [
        (root().join("input"), 2023),
        (root().join("examples/du-lieu/dak-lak-2020"), 2020),
    ]
}

fn run(input: &Path) -> pipeline::Report {
    pipeline::run(&Inputs {
        input: input.to_path_buf(),
        templates: root().join("templates"),
        year: None,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Builds into `out`; returns the summary and the Markdown.
fn build(input: &Path, out: &Path) -> (Summary, String) {
    let report = run(input);
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
    for u in &s.don_vi {
        let row = book.find(sheet, 1, &u.ma);
        assert_eq!(book.text(sheet, row, 2), u.ten);
        if u.co_bao_cao {
            assert_eq!(book.text(sheet, row, 3), u.lan_nop.unwrap().to_string());
            assert_eq!(book.figure(sheet, row, 4), Decimal::from(u.so_hoat_dong));
            assert_eq!(book.figure(sheet, row, 5), Decimal::from(u.so_de_an));
            assert_eq!(book.figure(sheet, row, 6), u.tien.kinh_phi);
            assert_eq!(book.figure(sheet, row, 7), u.tien.ngoai_ngan_sach);
        } else {
            assert_eq!(book.text(sheet, row, 3), "chưa nộp");
            for col in 4..=7 {
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
    assert_eq!(book.total(sheet, row, 5), Decimal::from(s.phu_luc.so_de_an));
    assert_eq!(book.total(sheet, row, 6), s.tong.kinh_phi.thuc_hien);
    assert_eq!(book.total(sheet, row, 7), s.tong.ngoai_ngan_sach.thuc_hien);
}

fn check_sources(book: &Book, s: &Summary) {
    let sheet = "Theo nguồn";
    for n in &s.theo_nguon {
        let row = book.find(sheet, 1, &n.ma);
        assert_eq!(book.text(sheet, row, 2), n.ten);
        assert_figures(book, sheet, row, 3, &n.kinh_phi, false);
    }
    for (name, figures) in [
        ("Kinh phí khuyến công", &s.tong.kinh_phi),
        ("Ngoài ngân sách khuyến công", &s.tong.ngoai_ngan_sach),
        ("Tổng cộng mọi nguồn", &s.tong.tong_kinh_phi),
    ] {
        let row = book.find(sheet, 2, name);
        let has_rows = book.formula(sheet, row, 3).is_some();
        assert!(has_rows || figures.ke_hoach.is_zero() && figures.thuc_hien.is_zero());
        assert_figures(book, sheet, row, 3, figures, has_rows);
    }
}

fn check_projects(book: &Book, s: &Summary) {
    let sheet = "Đề án";
    let amounts = |row, a: &khuyencong::aggregate::Amounts, total: bool| {
        let read = |c| {
            if total {
                book.total(sheet, row, c)
            } else {
                book.figure(sheet, row, c)
            }
        };
        assert_eq!(read(5), a.tong_kinh_phi, "row {row}");
        assert_eq!(read(6), a.kinh_phi, "row {row}");
        assert_eq!(read(7), a.ngoai_ngan_sach, "row {row}");
    };
    for g in &s.phu_luc.chuong_trinh {
        amounts(book.find(sheet, 0, &g.so), &g.tong, true);
        for nd in &g.noi_dung {
            if g.noi_dung.len() > 1 {
                amounts(book.find(sheet, 0, &nd.so), &nd.tong, true);
            }
            for d in &nd.de_an {
                let row = book.find(sheet, 1, &d.ten);
                assert_eq!(book.text(sheet, row, 0), d.stt.to_string());
                assert_eq!(book.text(sheet, row, 2), d.co_so);
                assert_eq!(book.text(sheet, row, 3), d.don_vi);
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
    for (input, year) in datasets() {
        let out = scratch(&format!("book-{year}"));
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
        // with their locale's separators.
        for n in 1..=sheets.len() {
            let sheet = part(&bytes, &format!("xl/worksheets/sheet{n}.xml"));
            assert!(
                sheet.contains(r#"ySplit="2" topLeftCell="A3""#)
                    && sheet.contains(r#"state="frozen""#),
                "{year} sheet {n}: header not frozen"
            );
            assert!(
                sheet.contains("customWidth=\"1\""),
                "{year} sheet {n}: no widths"
            );
        }
        let styles = part(&bytes, "xl/styles.xml");
        assert!(styles.contains(r#"formatCode="0.0%""#), "{styles}");
        assert!(styles.contains(r##"formatCode="#,##0""##), "{styles}");
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
    // An amount a spreadsheet cannot hold to the đồng (the data allows up
    // to 10^18): the workbook refuses it rather than round it.
    edit(
        &input.join("bao-cao/ttkc.json"),
        "\"kinh_phi\": 119068000",
        "\"kinh_phi\": 9999999999999999",
    );
    match output::write(run(&input), &out, &output::Wait::default()) {
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
    for (input, year) in datasets() {
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
        let sources = markdown_totals(
            &markdown,
            "**Bảng 2.",
            if s.tong.co_ngoai_ngan_sach {
                "Tổng cộng mọi nguồn"
            } else {
                "Tổng cộng"
            },
        );
        assert_eq!(
            csv_totals(&sheet("Theo nguồn"), "Tổng cộng mọi nguồn"),
            sources
        );
        // Bảng 3 totals the projects and the money; the sheet has the
        // same, with the projects' count even where the report leaves it.
        let units = markdown_totals(&markdown, "**Bảng 3.", "Tổng cộng");
        let shown = csv_totals(&sheet("Theo đơn vị"), "Tổng cộng");
        assert!(
            shown.ends_with(&units) || shown[1..2] == units[..],
            "{shown:?} vs {units:?}"
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
