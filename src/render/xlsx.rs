//! The summary as a workbook (rust_xlsxwriter), for the Sở Công Thương to
//! merge into its own spreadsheets: the report's summary tables by item,
//! unit, funding source and project, one sheet each.
//!
//! Made from the `Summary`, not the document model: every figure is the
//! aggregation's, written as a number (whole đồng; rates as fractions with
//! a percent format), and every total is a formula over the rows above it
//! that carries the aggregation's total as its cached value, so a viewer
//! that does not recalculate shows the same figure as the report. Number
//! formats are the standard codes (`#,##0`, `0.0%`): Excel and Calc show
//! them with the reader's locale separators (dots for thousands in
//! Vietnamese). Nothing depends on the clock: the creation date is the
//! report date, so the same summary always gives the same bytes.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::utility::{cell_autofit_width, column_number_to_name, row_col_to_cell};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format as Style, FormatAlign, FormatBorder, Formula, Workbook,
    Worksheet,
};

use crate::aggregate::{Amounts, Figures, Summary};
use crate::format;
use crate::render::prepared::Properties;

/// Why the workbook could not be made; the cause is kept.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error("số tiền {} đồng quá lớn để bảng tính lưu đúng từng đồng (tối đa {} đồng)", format::so(*.0, Some(0)), format::so(Decimal::from(EXACT), Some(0)))]
    Inexact(Decimal),
    #[error("{0}")]
    Writer(#[from] rust_xlsxwriter::XlsxError),
}

/// The largest whole number a spreadsheet cell (an IEEE double) holds
/// exactly, and so the largest amount written.
const EXACT: i64 = 1 << 53;

/// Widest a text column grows (pixels, about 65 characters); longer text
/// wraps in its cell, and its row is made as tall as the lines it needs.
const MAX_TEXT_WIDTH: u32 = 480;

/// Height of one line of text (points, the default font's row).
const LINE_HEIGHT: f64 = 15.0;

/// The workbook of a summary, with the report's properties.
pub fn write(summary: &Summary, properties: &Properties) -> Result<Vec<u8>, WorkbookError> {
    let mut book = Workbook::new();
    book.set_properties(&spreadsheet_properties(properties));
    book.push_worksheet(by_item(summary)?);
    book.push_worksheet(by_unit(summary)?);
    book.push_worksheet(by_source(summary)?);
    if summary.phu_luc.so_de_an > 0 {
        book.push_worksheet(projects(summary)?);
    }
    Ok(book.save_to_buffer()?)
}

/// Bảng 1: the khuyến công budget by programme and item.
fn by_item(s: &Summary) -> Result<Worksheet, WorkbookError> {
    let mut t = Table::new(
        "Theo nội dung",
        &format!(
            "Kinh phí khuyến công theo chương trình và nội dung năm {}",
            s.nam
        ),
        &[
            "STT",
            "Chương trình, nội dung",
            "Kế hoạch (đồng)",
            "Thực hiện (đồng)",
            "Tỷ lệ",
            "Đánh giá",
        ],
    )?;
    let mut programme_rows = Vec::new();
    for ct in s.chuong_trinh.iter().filter(|ct| !ct.so.is_empty()) {
        let items: Vec<_> = ct
            .noi_dung
            .iter()
            .filter(|nd| !nd.so.is_empty() && nd.so != ct.so)
            .collect();
        let money = &ct.tien.kinh_phi;
        let row = if items.is_empty() {
            // Its only item, reported under the programme's number.
            let status = ct.noi_dung.iter().find(|nd| nd.so == ct.so);
            t.row(
                Weight::Group,
                figures_row(&ct.so, &ct.ten, money, status.map(|nd| nd.trang_thai)),
            )?
        } else {
            let first = t.next_row() + 1;
            let rows: Vec<u32> = (first..first + items.len() as u32).collect();
            let row = t.row(Weight::Group, totals_row(&ct.so, &ct.ten, &rows, money, ""))?;
            for nd in items {
                t.row(
                    Weight::Plain,
                    figures_row(&nd.so, &nd.ten, &nd.tien.kinh_phi, Some(nd.trang_thai)),
                )?;
            }
            row
        };
        programme_rows.push(row);
    }
    t.row(
        Weight::Group,
        totals_row("", "Tổng cộng", &programme_rows, &s.tong.kinh_phi, ""),
    )?;
    t.finish()
}

/// Bảng 3: what each unit sent and spent; a unit that sent nothing says so,
/// with its figures left empty (not zero).
fn by_unit(s: &Summary) -> Result<Worksheet, WorkbookError> {
    let mut t = Table::new(
        "Theo đơn vị",
        &format!("Kinh phí thực hiện theo đơn vị năm {}", s.nam),
        &[
            "STT",
            "Mã đơn vị",
            "Đơn vị",
            "Lần nộp",
            "Số hoạt động",
            "Số đề án",
            "Kinh phí khuyến công (đồng)",
            "Ngoài ngân sách (đồng)",
        ],
    )?;
    let first = t.next_row();
    for (n, u) in s.don_vi.iter().enumerate() {
        let mut cells = vec![
            Cell::Label((n + 1).to_string()),
            Cell::Label(u.ma.clone()),
            Cell::Text(u.ten.clone()),
        ];
        match u.lan_nop.filter(|_| u.co_bao_cao) {
            Some(lan_nop) => cells.extend([
                Cell::Label(lan_nop.to_string()),
                Cell::Count(u.so_hoat_dong),
                Cell::Count(u.so_de_an),
                Cell::Money(u.tien.kinh_phi),
                Cell::Money(u.tien.ngoai_ngan_sach),
            ]),
            None => {
                cells.push(Cell::Label("chưa nộp".into()));
                cells.extend(std::iter::repeat_with(|| Cell::Blank).take(4));
            }
        }
        t.row(Weight::Plain, cells)?;
    }
    let rows: Vec<u32> = (first..t.next_row()).collect();
    t.row(
        Weight::Group,
        vec![
            Cell::Blank,
            Cell::Blank,
            Cell::Text("Tổng cộng".into()),
            Cell::Blank,
            Cell::Blank,
            Cell::Total(rows.clone(), Decimal::from(s.phu_luc.so_de_an), Kind::Count),
            Cell::Total(rows.clone(), s.tong.kinh_phi.thuc_hien, Kind::Money),
            Cell::Total(rows, s.tong.ngoai_ngan_sach.thuc_hien, Kind::Money),
        ],
    )?;
    t.finish()
}

/// Bảng 2: plan and actual per funding source, the khuyến công budget and
/// the money outside it apart, then every source together.
fn by_source(s: &Summary) -> Result<Worksheet, WorkbookError> {
    let mut t = Table::new(
        "Theo nguồn",
        &format!("Kinh phí theo nguồn năm {}", s.nam),
        &[
            "STT",
            "Mã nguồn",
            "Nguồn kinh phí",
            "Kế hoạch (đồng)",
            "Thực hiện (đồng)",
            "Tỷ lệ",
        ],
    )?;
    let groups = [
        ("I", "Kinh phí khuyến công", true, &s.tong.kinh_phi),
        (
            "II",
            "Ngoài ngân sách khuyến công",
            false,
            &s.tong.ngoai_ngan_sach,
        ),
    ];
    let mut group_rows = Vec::new();
    for (so, ten, budget, money) in groups {
        let sources: Vec<_> = s
            .theo_nguon
            .iter()
            .filter(|n| n.ngan_sach == budget)
            .collect();
        let first = t.next_row() + 1;
        let rows: Vec<u32> = (first..first + sources.len() as u32).collect();
        let mut cells = vec![Cell::Label(so.into()), Cell::Blank];
        cells.extend(
            totals_row("", ten, &rows, money, "")
                .into_iter()
                .skip(1)
                .take(4),
        );
        group_rows.push(t.row(Weight::Group, cells)?);
        for (n, source) in sources.into_iter().enumerate() {
            let mut cells = vec![
                Cell::Label((n + 1).to_string()),
                Cell::Label(source.ma.clone()),
            ];
            cells.extend(
                figures_row("", &source.ten, &source.kinh_phi, None)
                    .into_iter()
                    .skip(1)
                    .take(4),
            );
            t.row(Weight::Plain, cells)?;
        }
    }
    let mut cells = vec![Cell::Blank, Cell::Blank];
    cells.extend(
        totals_row(
            "",
            "Tổng cộng mọi nguồn",
            &group_rows,
            &s.tong.tong_kinh_phi,
            "",
        )
        .into_iter()
        .skip(1)
        .take(4),
    );
    t.row(Weight::Group, cells)?;
    t.finish()
}

/// The annex: every project, by programme and item, with subtotals.
fn projects(s: &Summary) -> Result<Worksheet, WorkbookError> {
    let mut t = Table::new(
        "Đề án",
        &format!("Danh sách đề án khuyến công năm {}", s.nam),
        &[
            "STT",
            "Tên đề án",
            "Cơ sở thụ hưởng",
            "Đơn vị",
            "Địa điểm",
            "Tổng (đồng)",
            "Khuyến công hỗ trợ (đồng)",
            "Vốn đối ứng, nguồn khác (đồng)",
            "Tình trạng",
        ],
    )?;
    let mut programme_rows = Vec::new();
    for g in &s.phu_luc.chuong_trinh {
        let programme = t.next_row();
        programme_rows.push(programme);
        let split = g.noi_dung.len() > 1;
        // Placeholder rows are not possible in a streamed sheet, so the
        // programme's parts are laid out first: an item line (when there
        // are several items) then its projects.
        let mut parts = Vec::new();
        let mut next = programme + 1;
        for nd in &g.noi_dung {
            let item = split.then(|| {
                next += 1;
                next - 1
            });
            let projects: Vec<u32> = (next..next + nd.de_an.len() as u32).collect();
            next += nd.de_an.len() as u32;
            parts.push((item, projects));
        }
        let top: Vec<u32> = parts
            .iter()
            .flat_map(|(item, projects)| match item {
                Some(row) => vec![*row],
                None => projects.clone(),
            })
            .collect();
        t.row(Weight::Group, amounts_total(&g.so, &g.ten, &top, &g.tong))?;
        for (nd, (item, rows)) in g.noi_dung.iter().zip(parts) {
            if item.is_some() {
                t.row(
                    Weight::Item,
                    amounts_total(&nd.so, &nd.ten, &rows, &nd.tong),
                )?;
            }
            for d in &nd.de_an {
                let place = if d.dia_diem.is_empty() {
                    d.don_vi.clone()
                } else {
                    d.dia_diem.join(", ")
                };
                t.row(
                    Weight::Plain,
                    vec![
                        Cell::Label(d.stt.to_string()),
                        Cell::Text(d.ten.clone()),
                        Cell::Text(d.co_so.clone()),
                        Cell::Text(d.don_vi.clone()),
                        Cell::Text(place),
                        Cell::Money(d.tien.tong_kinh_phi),
                        Cell::Money(d.tien.kinh_phi),
                        Cell::Money(d.tien.ngoai_ngan_sach),
                        Cell::Text(d.trang_thai.into()),
                    ],
                )?;
            }
        }
    }
    t.row(
        Weight::Group,
        amounts_total(
            "",
            &format!("Tổng cộng ({} đề án)", s.phu_luc.so_de_an),
            &programme_rows,
            &s.phu_luc.tong,
        ),
    )?;
    t.finish()
}

/// A line of plan, actual, rate and status, as figures.
fn figures_row(so: &str, name: &str, f: &Figures, status: Option<&str>) -> Vec<Cell> {
    vec![
        Cell::Label(so.into()),
        Cell::Text(name.into()),
        Cell::Money(f.ke_hoach),
        Cell::Money(f.thuc_hien),
        Cell::Rate(f.ty_le),
        Cell::Label(status.unwrap_or_default().into()),
    ]
}

/// A line of plan and actual totalled over `rows`, with its rate.
fn totals_row(so: &str, name: &str, rows: &[u32], f: &Figures, status: &str) -> Vec<Cell> {
    vec![
        Cell::Label(so.into()),
        Cell::Text(name.into()),
        Cell::Total(rows.to_vec(), f.ke_hoach, Kind::Money),
        Cell::Total(rows.to_vec(), f.thuc_hien, Kind::Money),
        Cell::RateOfLeft(f.ty_le),
        Cell::Label(status.into()),
    ]
}

/// An annex subtotal: total, support and money outside, over `rows`.
fn amounts_total(so: &str, name: &str, rows: &[u32], a: &Amounts) -> Vec<Cell> {
    vec![
        Cell::Label(so.into()),
        Cell::Text(name.into()),
        Cell::Blank,
        Cell::Blank,
        Cell::Blank,
        Cell::Total(rows.to_vec(), a.tong_kinh_phi, Kind::Money),
        Cell::Total(rows.to_vec(), a.kinh_phi, Kind::Money),
        Cell::Total(rows.to_vec(), a.ngoai_ngan_sach, Kind::Money),
        Cell::Blank,
    ]
}

/// How a row stands out.
#[derive(Clone, Copy)]
enum Weight {
    Plain,
    /// A programme or a total: bold.
    Group,
    /// An item's subtotal inside a programme: italic.
    Item,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Money,
    Count,
}

/// One cell of a table.
enum Cell {
    Blank,
    /// Text, left-aligned, wrapped when long.
    Text(String),
    /// A short word or number shown as text, centred (STT, status).
    Label(String),
    Count(usize),
    Money(Decimal),
    /// A rate in percent (as the summary keeps it); none when nothing was
    /// planned.
    Rate(Option<Decimal>),
    /// The sum of this column over `rows`, with its value.
    Total(Vec<u32>, Decimal, Kind),
    /// Actual over plan of the two cells to its left, with its value.
    RateOfLeft(Option<Decimal>),
}

/// A sheet being written row by row: title, header, rows; the column
/// widths and the heights of rows with wrapped text follow what was
/// written (measured with the library's character widths, so the same
/// content always gets the same sizes).
struct Table {
    sheet: Worksheet,
    widths: Vec<u32>,
    /// Text that wraps: row, column, text.
    wrapped: Vec<(u32, u16, String)>,
    row: u32,
}

impl Table {
    fn new(name: &str, title: &str, header: &[&str]) -> Result<Self, WorkbookError> {
        let mut sheet = Worksheet::new();
        sheet.set_name(name)?;
        // Every formula carries its result; an empty one is a rate of
        // nothing planned, shown empty (the default would show 0).
        sheet.set_formula_result_default("");
        sheet.write_string_with_format(0, 0, title, &Style::new().set_bold())?;
        let style = base()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center);
        let mut widths = Vec::with_capacity(header.len());
        let mut wrapped = Vec::new();
        for (col, text) in (0..).zip(header) {
            sheet.write_string_with_format(1, col, *text, &style)?;
            // A header wraps between words: its longest word must fit.
            widths.push(text.split(' ').map(bold_width).max().unwrap_or(0));
            wrapped.push((1, col, text.to_string()));
        }
        sheet.set_freeze_panes(2, 0)?;
        // Printed, a table runs across one landscape page wide.
        sheet.set_landscape().set_print_fit_to_pages(1, 0);
        sheet.set_repeat_rows(0, 1)?;
        Ok(Table {
            sheet,
            widths,
            wrapped,
            row: 2,
        })
    }

    /// The row the next [`Table::row`] writes.
    fn next_row(&self) -> u32 {
        self.row
    }

    /// Writes a row; returns its index.
    fn row(&mut self, weight: Weight, cells: Vec<Cell>) -> Result<u32, WorkbookError> {
        let row = self.row;
        for (col, cell) in (0..).zip(cells) {
            let style = match weight {
                Weight::Plain => base(),
                Weight::Group => base().set_bold(),
                Weight::Item => base().set_italic(),
            };
            let wraps = matches!(cell, Cell::Text(_));
            let shown = self.cell(row, col, cell, style)?;
            let width = &mut self.widths[usize::from(col)];
            *width = (*width).max(bold_width(&shown));
            if wraps {
                self.wrapped.push((row, col, shown));
            }
        }
        self.row += 1;
        Ok(row)
    }

    /// Writes one cell; returns the text it shows, for the column width.
    fn cell(
        &mut self,
        row: u32,
        col: u16,
        cell: Cell,
        style: Style,
    ) -> Result<String, WorkbookError> {
        let ws = &mut self.sheet;
        let money = |s: Style| s.set_num_format("#,##0");
        let rate = |s: Style| s.set_num_format("0.0%");
        let shown = match cell {
            Cell::Blank => {
                ws.write_blank(row, col, &style)?;
                String::new()
            }
            Cell::Text(text) => {
                ws.write_string_with_format(row, col, &text, &style.set_text_wrap())?;
                text
            }
            Cell::Label(text) => {
                ws.write_string_with_format(
                    row,
                    col,
                    &text,
                    &style.set_align(FormatAlign::Center),
                )?;
                text
            }
            Cell::Count(n) => {
                ws.write_number_with_format(row, col, n as f64, &money(style))?;
                n.to_string()
            }
            Cell::Money(d) => {
                ws.write_number_with_format(row, col, exact(d)?, &money(style))?;
                format::so(d, Some(0))
            }
            Cell::Rate(r) => match r {
                Some(r) => {
                    ws.write_number_with_format(row, col, fraction(r), &rate(style))?;
                    format::phan_tram(r, 1)
                }
                None => {
                    ws.write_blank(row, col, &style)?;
                    String::new()
                }
            },
            Cell::Total(rows, value, kind) => {
                exact(value)?;
                let style = money(style);
                if rows.is_empty() {
                    ws.write_number_with_format(row, col, exact(value)?, &style)?;
                } else {
                    let formula =
                        Formula::new(sum(&rows, col)).set_result(value.normalize().to_string());
                    ws.write_formula_with_format(row, col, formula, &style)?;
                }
                match kind {
                    Kind::Money => format::so(value, Some(0)),
                    Kind::Count => value.to_string(),
                }
            }
            Cell::RateOfLeft(r) => {
                let plan = row_col_to_cell(row, col - 2);
                let actual = row_col_to_cell(row, col - 1);
                let result = r.map_or(String::new(), |r| fraction(r).to_string());
                let formula =
                    Formula::new(format!("IF({plan}=0,\"\",{actual}/{plan})")).set_result(result);
                ws.write_formula_with_format(row, col, formula, &rate(style))?;
                r.map_or(String::new(), |r| format::phan_tram(r, 1))
            }
        };
        Ok(shown)
    }

    /// The sheet with its column widths and row heights.
    fn finish(mut self) -> Result<Worksheet, WorkbookError> {
        let widths: Vec<u32> = self
            .widths
            .iter()
            .map(|w| (*w).min(MAX_TEXT_WIDTH))
            .collect();
        for (col, width) in (0..).zip(&widths) {
            self.sheet.set_column_autofit_width(col, *width)?;
        }
        let mut lines: std::collections::BTreeMap<u32, u32> = Default::default();
        for (row, col, text) in &self.wrapped {
            let n = line_count(text, widths[usize::from(*col)]);
            let most = lines.entry(*row).or_default();
            *most = (*most).max(n);
        }
        for (row, n) in lines.into_iter().filter(|&(_, n)| n > 1) {
            self.sheet.set_row_height(row, LINE_HEIGHT * f64::from(n))?;
        }
        Ok(self.sheet)
    }
}

/// The width of text in a cell (pixels), with room for bold type, which
/// the library's widths (of regular type) do not have.
fn bold_width(text: &str) -> u32 {
    let width = cell_autofit_width(text);
    width + width / 8
}

/// How many lines `text` takes in a column `width` pixels wide, wrapped
/// between words; measured as the column widths are.
fn line_count(text: &str, width: u32) -> u32 {
    let mut lines = 1;
    let mut line = String::new();
    for word in text.split(' ') {
        let longer = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && bold_width(&longer) > width {
            lines += 1;
            line = word.to_string();
        } else {
            line = longer;
        }
    }
    lines
}

/// Every table cell is framed.
fn base() -> Style {
    Style::new().set_border(FormatBorder::Thin)
}

/// `SUM(C3:C5,C7)`: column `col` over `rows`, runs of rows as ranges.
fn sum(rows: &[u32], col: u16) -> String {
    let name = column_number_to_name(col);
    let mut parts = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let mut j = i;
        while j + 1 < rows.len() && rows[j + 1] == rows[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            format!("{name}{}", rows[i] + 1)
        } else {
            format!("{name}{}:{name}{}", rows[i] + 1, rows[j] + 1)
        });
        i = j + 1;
    }
    format!("SUM({})", parts.join(","))
}

/// An amount as a cell number: exact, or refused.
fn exact(d: Decimal) -> Result<f64, WorkbookError> {
    cell_number(d).ok_or(WorkbookError::Inexact(d))
}

/// A whole amount as a spreadsheet number when the cell holds it exactly
/// (the rule for every workbook this tool writes, forms included).
pub(crate) fn cell_number(d: Decimal) -> Option<f64> {
    match i64::try_from(d) {
        Ok(n) if d.fract().is_zero() && n.unsigned_abs() <= EXACT as u64 => Some(n as f64),
        _ => None,
    }
}

/// A date as a spreadsheet date (every date the contract accepts is one).
/// The properties of a spreadsheet (this workbook, a unit's form), as the
/// prepared layout decided them. A date a spreadsheet cannot hold (the
/// report's was checked when it was read) leaves Excel's default.
pub(crate) fn spreadsheet_properties(p: &Properties) -> DocProperties {
    DocProperties::new()
        .set_title(&p.title)
        .set_subject(&p.subject)
        .set_author(&p.author)
        .set_company(&p.author)
        .set_creation_datetime(&cell_date(p.date).unwrap_or_default())
}

pub(crate) fn cell_date(d: crate::contract::Date) -> Option<ExcelDateTime> {
    let (y, m, day) = (
        u16::try_from(d.year).ok()?,
        u8::try_from(d.month).ok()?,
        u8::try_from(d.day).ok()?,
    );
    ExcelDateTime::from_ymd(y, m, day).ok()
}

/// A rate in percent as the fraction a percent format shows.
fn fraction(percent: Decimal) -> f64 {
    (percent / Decimal::ONE_HUNDRED)
        .to_f64()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_join_runs_of_rows_into_ranges() {
        assert_eq!(sum(&[2, 3, 4], 2), "SUM(C3:C5)");
        assert_eq!(sum(&[2, 5, 6, 9], 3), "SUM(D3,D6:D7,D10)");
    }

    #[test]
    fn amounts_beyond_a_double_are_refused_not_rounded() {
        assert_eq!(exact(Decimal::from(EXACT)).unwrap(), EXACT as f64);
        assert!(matches!(
            exact(Decimal::from(EXACT + 1)),
            Err(WorkbookError::Inexact(_))
        ));
        assert!(exact(Decimal::new(15, 1)).is_err());
    }
}
