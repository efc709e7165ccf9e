//! The summary as a workbook (rust_xlsxwriter): the report's summary tables
//! by item, unit, funding source and project, one sheet each, each laid
//! out as a formal table (biểu) an accountant signs: A4, Times New Roman,
//! the agency above, the title, the report it goes with, "Đơn vị tính",
//! the table, the place and date, and the signature rows.
//!
//! Made from the `Summary`, not the document model: every figure is the
//! aggregation's, written as a number (whole đồng, shown in the report's
//! money unit by the number format, so the cell keeps the exact amount),
//! every total is a formula over the rows above it and every ratio a
//! formula over its two cells, each carrying the aggregation's value as
//! its cached result, so a viewer that does not recalculate shows the
//! same figure as the report. Columns follow the data as the report's
//! tables do ("Số đề án" when there are projects, money outside the
//! budget when there is some). Number formats are the standard codes
//! (`#,##0`, `0.0%`): Excel and Calc show them with the reader's locale
//! separators. Nothing depends on the clock: the creation date is the
//! report date, so the same summary always gives the same bytes.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::utility::{column_number_to_name, row_col_to_cell};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format as Style, FormatAlign, FormatBorder, Formula, IgnoreError,
    Workbook, Worksheet,
};

use crate::aggregate::{Amounts, Figures, Summary};
use crate::contract::MoneyUnit;
use crate::format;
use crate::render::fonts::{self, Face, FontError};
use crate::render::prepared::Properties;

/// Why the workbook could not be made; the cause is kept.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error("số tiền {} đồng quá lớn để bảng tính lưu đúng từng đồng (tối đa {} đồng)", format::so(*.0, Some(0)), format::so(Decimal::from(EXACT), Some(0)))]
    Inexact(Decimal),
    #[error("{0}")]
    Writer(#[from] rust_xlsxwriter::XlsxError),
    #[error(transparent)]
    Font(#[from] FontError),
}

/// The largest whole number a spreadsheet cell (an IEEE double) holds
/// exactly, and so the largest amount or total written; `validate` refuses
/// data whose totals pass it.
pub const EXACT: i64 = 1 << 53;

/// The font of every cell, as in the report.
const FONT: &str = "Times New Roman";
const FONT_SIZE: f64 = 12.0;
/// Excel's default row (pixels) and column (pixels) for that font, which
/// the workbook and each sheet declare with it.
const ROW_PIXELS: u32 = 21;
const COLUMN_PIXELS: u32 = 72;
/// Height of one line of text (points).
const LINE_HEIGHT: f64 = 15.75;
/// Pixels per point of type on the 96 dpi grid Excel measures columns in.
const PIXELS_PER_POINT: f32 = 96.0 / 72.0;
/// Room a cell leaves around its text (pixels), as Excel's autofit does.
const CELL_PADDING: u32 = 7;
/// Widest a text column grows (pixels, about 60 characters); longer text
/// wraps in its cell, and its row is made as tall as the lines it needs.
const MAX_TEXT_WIDTH: u32 = 480;
/// A4 in Excel's paper codes.
const PAPER_A4: u8 = 9;
/// Width of the printed area of A4 between Excel's default margins
/// (0,7 inch each side), pixels: upright, and turned.
const PORTRAIT_PIXELS: u32 = 659;
const LANDSCAPE_PIXELS: u32 = 988;
/// Blank lines left to sign in, as in the report.
const SIGNING_LINES: u32 = 4;
/// Under a table whose rounded rows do not add up to its rounded total.
const ROUNDING_NOTE: &str = "Ghi chú: số liệu đã làm tròn theo {unit}; dòng tổng cộng được cộng từ số liệu chính xác bằng đồng rồi mới làm tròn, nên có thể chênh lệch với cộng các dòng đã làm tròn.";

/// The workbook of a summary, with the report's properties.
pub fn write(summary: &Summary, properties: &Properties) -> Result<Vec<u8>, WorkbookError> {
    let mut book = Workbook::new();
    book.set_default_format(&font(), ROW_PIXELS, COLUMN_PIXELS)?;
    book.set_properties(&spreadsheet_properties(properties));
    let page = Page::of(summary);
    book.push_worksheet(by_item(summary, &page)?);
    book.push_worksheet(by_unit(summary, &page)?);
    book.push_worksheet(by_source(summary, &page)?);
    if summary.phu_luc.so_de_an > 0 {
        book.push_worksheet(projects(summary, &page)?);
    }
    Ok(book.save_to_buffer()?)
}

/// What every sheet prints around its table, taken once from the summary.
struct Page {
    parent: String,
    agency: String,
    /// "(Kèm theo Báo cáo số … ngày … của …)".
    attached: String,
    unit: MoneyUnit,
    /// "Đồng Nai, ngày 15 tháng 12 năm 2023".
    place_date: String,
    roles: Vec<String>,
    signer: String,
}

impl Page {
    fn of(s: &Summary) -> Page {
        let doc = &s.van_ban;
        let (d, m, y) = (doc.ngay.day, doc.ngay.month, doc.ngay.year);
        // The report date was checked when the plan was read.
        let written = format::ngay_chu(d, m, y).unwrap_or_default();
        let short = format::ngay_so(d, m, y).unwrap_or_default();
        Page {
            parent: doc.co_quan_chu_quan.clone(),
            agency: doc.co_quan_ban_hanh.clone(),
            attached: format!(
                "(Kèm theo Báo cáo số {} ngày {short} của {})",
                doc.so_ky_hieu, doc.ten_co_quan
            ),
            unit: doc.don_vi_tien,
            place_date: format!("{}, {written}", doc.dia_danh),
            roles: doc.tham_quyen.clone(),
            signer: doc.nguoi_ky.clone(),
        }
    }

    /// The number format of an amount: whole đồng, or the exact đồng shown
    /// in nghìn or triệu đồng (each "," after the digits divides by 1000)
    /// with the report's decimals.
    fn money_format(&self) -> String {
        let decimals = self.unit.decimals() as usize;
        let fraction = if decimals == 0 {
            String::new()
        } else {
            format!(".{}", "0".repeat(decimals))
        };
        let scale = match self.unit {
            MoneyUnit::Dong => "",
            MoneyUnit::NghinDong => ",",
            MoneyUnit::TrieuDong => ",,",
        };
        format!("#,##0{fraction}{scale}")
    }
}

/// Bảng 1: the khuyến công budget by programme and item.
fn by_item(s: &Summary, page: &Page) -> Result<Worksheet, WorkbookError> {
    let budget = if s.tong.co_ngoai_ngan_sach {
        "khuyến công "
    } else {
        ""
    };
    let mut t = Table::new(
        "Theo nội dung",
        &format!(
            "Kinh phí {budget}theo chương trình và nội dung năm {}",
            s.nam
        ),
        &[
            "STT",
            "Chương trình, nội dung",
            "Kế hoạch",
            "Thực hiện",
            "Tỷ lệ",
            "Đánh giá",
        ],
        page,
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
                figures_row(
                    Cell::Label(ct.so.clone()),
                    &ct.ten,
                    money,
                    status.map_or("", |nd| nd.trang_thai),
                ),
            )?
        } else {
            let first = t.next_row() + 1;
            let rows: Vec<u32> = (first..first + items.len() as u32).collect();
            let row = t.row(
                Weight::Group,
                totals_row(Cell::Label(ct.so.clone()), &ct.ten, &rows, money),
            )?;
            for nd in items {
                t.row(
                    Weight::Plain,
                    figures_row(
                        Cell::Label(nd.so.clone()),
                        &nd.ten,
                        &nd.tien.kinh_phi,
                        nd.trang_thai,
                    ),
                )?;
            }
            row
        };
        programme_rows.push(row);
    }
    t.row(
        Weight::Group,
        totals_row(Cell::Blank, "Tổng cộng", &programme_rows, &s.tong.kinh_phi),
    )?;
    t.finish(s.lam_tron.chuong_trinh)
}

/// Bảng 3: what each unit sent and spent; a unit that sent nothing says so,
/// with its figures left empty (not zero).
fn by_unit(s: &Summary, page: &Page) -> Result<Worksheet, WorkbookError> {
    let projects = s.phu_luc.so_de_an > 0;
    let outside = s.tong.co_ngoai_ngan_sach;
    let mut header = vec!["STT", "Mã đơn vị", "Đơn vị", "Lần nộp", "Số hoạt động"];
    if projects {
        header.push("Số đề án");
    }
    if outside {
        header.extend(["Kinh phí khuyến công", "Ngoài ngân sách"]);
    } else {
        header.push("Kinh phí");
    }
    let mut t = Table::new(
        "Theo đơn vị",
        &format!("Kinh phí thực hiện theo đơn vị năm {}", s.nam),
        &header,
        page,
    )?;
    t.identifiers(&[0, 1]);
    let first = t.next_row();
    for (n, u) in s.don_vi.iter().enumerate() {
        let mut cells = vec![
            Cell::Ordinal(n + 1),
            Cell::Label(u.ma.clone()),
            Cell::Text(u.ten.clone()),
        ];
        match u.lan_nop.filter(|_| u.co_bao_cao) {
            Some(lan_nop) => {
                cells.extend([Cell::Count(lan_nop as usize), Cell::Count(u.so_hoat_dong)]);
                if projects {
                    cells.push(Cell::Count(u.so_de_an));
                }
                cells.push(Cell::Money(u.tien.kinh_phi));
                if outside {
                    cells.push(Cell::Money(u.tien.ngoai_ngan_sach));
                }
            }
            None => {
                cells.push(Cell::Label("chưa nộp".into()));
                cells.resize_with(header.len(), || Cell::Blank);
            }
        }
        t.row(Weight::Plain, cells)?;
    }
    let rows: Vec<u32> = (first..t.next_row()).collect();
    let mut total = vec![
        Cell::Blank,
        Cell::Blank,
        Cell::Text("Tổng cộng".into()),
        Cell::Blank,
        Cell::Blank,
    ];
    if projects {
        total.push(Cell::Total(
            rows.clone(),
            Decimal::from(s.phu_luc.so_de_an),
            Kind::Count,
        ));
    }
    total.push(Cell::Total(
        rows.clone(),
        s.tong.kinh_phi.thuc_hien,
        Kind::Money,
    ));
    if outside {
        total.push(Cell::Total(
            rows,
            s.tong.ngoai_ngan_sach.thuc_hien,
            Kind::Money,
        ));
    }
    t.row(Weight::Group, total)?;
    t.finish(s.lam_tron.don_vi)
}

/// Bảng 2: plan and actual per funding source; with money outside the
/// budget, the khuyến công budget and that money apart, then every source
/// together, as the report's table.
fn by_source(s: &Summary, page: &Page) -> Result<Worksheet, WorkbookError> {
    let mut t = Table::new(
        "Theo nguồn",
        &format!("Kinh phí theo nguồn năm {}", s.nam),
        &["STT", "Nguồn kinh phí", "Kế hoạch", "Thực hiện", "Tỷ lệ"],
        page,
    )?;
    let sources = |budget: bool| s.theo_nguon.iter().filter(move |n| n.ngan_sach == budget);
    let source_rows = |t: &mut Table, budget: bool| -> Result<(), WorkbookError> {
        for (n, source) in sources(budget).enumerate() {
            let mut cells = figures_row(Cell::Ordinal(n + 1), &source.ten, &source.kinh_phi, "");
            cells.pop(); // no status
            t.row(Weight::Plain, cells)?;
        }
        Ok(())
    };
    if !s.tong.co_ngoai_ngan_sach {
        let first = t.next_row();
        source_rows(&mut t, true)?;
        let rows: Vec<u32> = (first..t.next_row()).collect();
        let mut cells = totals_row(Cell::Blank, "Tổng cộng", &rows, &s.tong.kinh_phi);
        cells.pop();
        t.row(Weight::Group, cells)?;
        return t.finish(s.lam_tron.nguon);
    }
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
        let first = t.next_row() + 1;
        let rows: Vec<u32> = (first..first + sources(budget).count() as u32).collect();
        let mut cells = totals_row(Cell::Label(so.into()), ten, &rows, money);
        cells.pop();
        group_rows.push(t.row(Weight::Group, cells)?);
        source_rows(&mut t, budget)?;
    }
    let mut cells = totals_row(
        Cell::Blank,
        "Tổng cộng mọi nguồn",
        &group_rows,
        &s.tong.tong_kinh_phi,
    );
    cells.pop();
    t.row(Weight::Group, cells)?;
    t.finish(s.lam_tron.nguon)
}

/// The annex: every project, by programme and item, with subtotals.
fn projects(s: &Summary, page: &Page) -> Result<Worksheet, WorkbookError> {
    let outside = !s.phu_luc.tong.ngoai_ngan_sach.is_zero();
    let mut header = vec![
        "STT",
        "Tên đề án",
        "Nội dung thực hiện",
        "Cơ sở thụ hưởng",
        "Đơn vị",
        "Địa điểm",
    ];
    if outside {
        header.extend([
            "Tổng kinh phí",
            "Khuyến công hỗ trợ",
            "Vốn đối ứng, nguồn khác",
        ]);
    } else {
        header.push("Kinh phí");
    }
    header.push("Tình trạng");
    let mut t = Table::new(
        "Đề án",
        &format!("Danh sách đề án khuyến công năm {}", s.nam),
        &header,
        page,
    )?;
    t.identifiers(&[0]);
    // Total, and with money outside the budget its two parts.
    let money = |a: &Amounts, total: Option<&[u32]>| -> Vec<Cell> {
        let mut parts = vec![a.tong_kinh_phi];
        if outside {
            parts.extend([a.kinh_phi, a.ngoai_ngan_sach]);
        }
        parts
            .into_iter()
            .map(|value| match total {
                Some(rows) => Cell::Total(rows.to_vec(), value, Kind::Money),
                None => Cell::Money(value),
            })
            .collect()
    };
    let subtotal = |so: &str, name: &str, rows: &[u32], a: &Amounts| {
        let mut cells = vec![Cell::Label(so.into()), Cell::Text(name.into())];
        cells.extend(std::iter::repeat_with(|| Cell::Blank).take(4));
        cells.extend(money(a, Some(rows)));
        cells.push(Cell::Blank);
        cells
    };
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
        t.row(Weight::Group, subtotal(&g.so, &g.ten, &top, &g.tong))?;
        for (nd, (item, rows)) in g.noi_dung.iter().zip(parts) {
            if item.is_some() {
                t.row(Weight::Item, subtotal(&nd.so, &nd.ten, &rows, &nd.tong))?;
            }
            for d in &nd.de_an {
                let mut cells = vec![
                    Cell::Ordinal(d.stt),
                    Cell::Text(d.ten.clone()),
                    Cell::Text(d.mo_ta.clone()),
                    Cell::Text(d.co_so.clone()),
                    Cell::Text(d.don_vi.clone()),
                    Cell::Text(d.noi_thuc_hien.clone().unwrap_or_else(|| "—".into())),
                ];
                cells.extend(money(&d.tien, None));
                // Spelled as the annex prints it.
                cells.push(Cell::Text(format::viet_hoa_dau(d.trang_thai)));
                t.row(Weight::Plain, cells)?;
            }
        }
    }
    let label = format!("Tổng cộng ({} đề án)", s.phu_luc.so_de_an);
    t.row(
        Weight::Group,
        subtotal("", &label, &programme_rows, &s.phu_luc.tong),
    )?;
    t.finish(s.lam_tron.phu_luc)
}

/// A line of plan, actual, rate (of the two) and status.
fn figures_row(so: Cell, name: &str, f: &Figures, status: &str) -> Vec<Cell> {
    vec![
        so,
        Cell::Text(name.into()),
        Cell::Money(f.ke_hoach),
        Cell::Money(f.thuc_hien),
        Cell::RateOfLeft(f.ty_le),
        Cell::Label(status.into()),
    ]
}

/// A line of plan and actual totalled over `rows`, with its rate.
fn totals_row(so: Cell, name: &str, rows: &[u32], f: &Figures) -> Vec<Cell> {
    vec![
        so,
        Cell::Text(name.into()),
        Cell::Total(rows.to_vec(), f.ke_hoach, Kind::Money),
        Cell::Total(rows.to_vec(), f.thuc_hien, Kind::Money),
        Cell::RateOfLeft(f.ty_le),
        Cell::Blank,
    ]
}

/// How a row stands out.
#[derive(Clone, Copy, PartialEq)]
enum Weight {
    Plain,
    /// A programme or a total: bold.
    Group,
    /// An item's subtotal inside a programme: italic.
    Item,
}

impl Weight {
    const ALL: [Weight; 3] = [Weight::Plain, Weight::Group, Weight::Item];

    fn face(self) -> Face {
        Face::new(self == Weight::Group, self == Weight::Item)
    }
}

/// The styles of a table's cells in one weight, made once per sheet.
struct Styles {
    blank: Style,
    text: Style,
    centred: Style,
    count: Style,
    money: Style,
    rate: Style,
}

impl Styles {
    fn new(weight: Weight, money: &str) -> Styles {
        let framed = match weight {
            Weight::Plain => base(),
            Weight::Group => base().set_bold(),
            Weight::Item => base().set_italic(),
        };
        Styles {
            text: framed.clone().set_text_wrap(),
            centred: framed.clone().set_align(FormatAlign::Center),
            count: framed.clone().set_num_format("#,##0"),
            money: framed.clone().set_num_format(money),
            rate: framed.clone().set_num_format("0.0%"),
            blank: framed,
        }
    }
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
    /// A short word or an identifier shown as text, centred (a section
    /// number, a unit's code, a status): text even when it looks like a
    /// number, without the spreadsheet's warning about it.
    Label(String),
    /// A row's number in its list, a number, centred.
    Ordinal(usize),
    Count(usize),
    Money(Decimal),
    /// The sum of this column over `rows`, with its value.
    Total(Vec<u32>, Decimal, Kind),
    /// Actual over plan of the two cells to its left, with its value (a
    /// percentage, as the summary keeps it; none when nothing was planned).
    RateOfLeft(Option<Decimal>),
}

/// Text laid over one cell or a merged run of cells, whose row is made as
/// tall as its lines.
struct Wrapped {
    row: u32,
    first: u16,
    last: u16,
    text: String,
    face: Face,
}

/// A sheet being written row by row: the page's top block, the header, the
/// rows, then (`finish`) the note, the date and the signature; the column
/// widths and the heights of rows with wrapped text follow what was
/// written, measured with the metrics of the font itself (Liberation
/// Serif, the widths of Times New Roman), so the same content always gets
/// the same sizes.
struct Table<'p> {
    sheet: Worksheet,
    page: &'p Page,
    columns: u16,
    widths: Vec<u32>,
    /// For each column holding wrapped text, its longest word.
    least: Vec<Option<u32>>,
    /// Each column's longest header word.
    header_words: Vec<u32>,
    wrapped: Vec<Wrapped>,
    header: u32,
    row: u32,
    /// Columns of identifiers written as text (see `Cell::Label`).
    identifiers: Vec<u16>,
    /// By `Weight`.
    styles: [Styles; 3],
}

impl<'p> Table<'p> {
    fn new(
        name: &str,
        title: &str,
        header: &[&str],
        page: &'p Page,
    ) -> Result<Self, WorkbookError> {
        let mut sheet = Worksheet::new();
        sheet.set_default_format(&font(), ROW_PIXELS, COLUMN_PIXELS)?;
        sheet.set_name(name)?;
        // Every formula carries its result; an empty one is a rate of
        // nothing planned, shown empty (the default would show 0).
        sheet.set_formula_result_default("");
        let columns = header.len() as u16;
        let mut t = Table {
            sheet,
            page,
            columns,
            widths: vec![0; header.len()],
            least: vec![None; header.len()],
            header_words: Vec::new(),
            wrapped: Vec::new(),
            header: 0,
            row: 0,
            identifiers: Vec::new(),
            styles: Weight::ALL.map(|w| Styles::new(w, &page.money_format())),
        };
        // Rows 0 and 1 hold the agency, written once the widths are known.
        let last = columns - 1;
        let title_style = font().set_bold().set_align(FormatAlign::Center);
        t.merged(3, 0, last, &title.to_uppercase(), title_style, Face::Bold)?;
        let italic = font().set_italic().set_align(FormatAlign::Center);
        t.merged(4, 0, last, &page.attached, italic, Face::Italic)?;
        let unit = font().set_italic().set_align(FormatAlign::Right);
        let unit_line = format!("Đơn vị tính: {}", page.unit.label());
        t.merged(5, 0, last, &unit_line, unit, Face::Italic)?;
        t.header = 6;
        let style = base()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter);
        for (col, text) in (0..).zip(header) {
            t.sheet
                .write_string_with_format(t.header, col, *text, &style)?;
            // A header wraps between words: its longest word must fit.
            let words = text.split(' ').map(|w| width(w, Face::Bold));
            let widest = words
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .max()
                .unwrap_or(0);
            t.widths[usize::from(col)] = widest;
            t.header_words.push(widest);
            t.wrapped.push(Wrapped {
                row: t.header,
                first: col,
                last: col,
                text: text.to_string(),
                face: Face::Bold,
            });
        }
        t.sheet.set_freeze_panes(t.header + 1, 0)?;
        // Printed: A4 (turned when the table is wide: see `finish`),
        // across one page wide, the header on every page.
        t.sheet
            .set_paper_size(PAPER_A4)
            .set_print_fit_to_pages(1, 0)
            .set_print_center_horizontally(true);
        t.sheet.set_repeat_rows(t.header, t.header)?;
        t.row = t.header + 1;
        Ok(t)
    }

    /// Columns whose identifiers are text on purpose.
    fn identifiers(&mut self, columns: &[u16]) {
        self.identifiers = columns.to_vec();
    }

    /// Text across columns `first..=last` of `row`, outside the table.
    fn merged(
        &mut self,
        row: u32,
        first: u16,
        last: u16,
        text: &str,
        style: Style,
        face: Face,
    ) -> Result<(), WorkbookError> {
        let style = style.set_text_wrap().set_align(FormatAlign::VerticalCenter);
        self.sheet
            .merge_range(row, first, row, last, text, &style)?;
        self.wrapped.push(Wrapped {
            row,
            first,
            last,
            text: text.to_string(),
            face,
        });
        Ok(())
    }

    /// The row the next [`Table::row`] writes.
    fn next_row(&self) -> u32 {
        self.row
    }

    /// Writes a row; returns its index.
    fn row(&mut self, weight: Weight, cells: Vec<Cell>) -> Result<u32, WorkbookError> {
        let row = self.row;
        for (col, cell) in (0..).zip(cells) {
            let wraps = matches!(cell, Cell::Text(_));
            let shown = self.cell(row, col, cell, weight)?;
            let w = width(&shown, weight.face())?;
            let column = &mut self.widths[usize::from(col)];
            *column = (*column).max(w);
            if wraps {
                let mut longest = self.least[usize::from(col)].unwrap_or(0);
                for word in shown.split(' ') {
                    longest = longest.max(width(word, weight.face())?);
                }
                self.least[usize::from(col)] = Some(longest);
                self.wrapped.push(Wrapped {
                    row,
                    first: col,
                    last: col,
                    text: shown,
                    face: weight.face(),
                });
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
        weight: Weight,
    ) -> Result<String, WorkbookError> {
        let unit = self.page.unit;
        let ws = &mut self.sheet;
        let styles = &self.styles[weight as usize];
        let shown = match cell {
            Cell::Blank => {
                ws.write_blank(row, col, &styles.blank)?;
                String::new()
            }
            Cell::Text(text) => {
                ws.write_string_with_format(row, col, &text, &styles.text)?;
                text
            }
            Cell::Label(text) => {
                ws.write_string_with_format(row, col, &text, &styles.centred)?;
                text
            }
            Cell::Ordinal(n) => {
                ws.write_number_with_format(row, col, n as f64, &styles.centred)?;
                n.to_string()
            }
            Cell::Count(n) => {
                ws.write_number_with_format(row, col, n as f64, &styles.count)?;
                format::so(Decimal::from(n), None)
            }
            Cell::Money(d) => {
                ws.write_number_with_format(row, col, exact(d)?, &styles.money)?;
                format::so_tien(d, unit, None)
            }
            Cell::Total(rows, value, kind) => {
                exact(value)?;
                let style = match kind {
                    Kind::Money => &styles.money,
                    Kind::Count => &styles.count,
                };
                if rows.is_empty() {
                    ws.write_number_with_format(row, col, exact(value)?, style)?;
                } else {
                    let formula =
                        Formula::new(sum(&rows, col)).set_result(value.normalize().to_string());
                    ws.write_formula_with_format(row, col, formula, style)?;
                }
                match kind {
                    Kind::Money => format::so_tien(value, unit, None),
                    Kind::Count => format::so(value, None),
                }
            }
            Cell::RateOfLeft(r) => {
                let plan = row_col_to_cell(row, col - 2);
                let actual = row_col_to_cell(row, col - 1);
                let result = r.map_or(String::new(), |r| fraction(r).to_string());
                let formula =
                    Formula::new(format!("IF({plan}=0,\"\",{actual}/{plan})")).set_result(result);
                ws.write_formula_with_format(row, col, formula, &styles.rate)?;
                r.map_or(String::new(), |r| format::phan_tram(r, 1))
            }
        };
        Ok(shown)
    }

    /// The rest of the page (the rounding note when `rounded`, the place
    /// and date, the signature), then the column widths, the page's
    /// orientation and the row heights.
    fn finish(mut self, rounded: bool) -> Result<Worksheet, WorkbookError> {
        let body = (self.header + 1, self.row - 1);
        for &col in &self.identifiers {
            let ignore = IgnoreError::NumberStoredAsText;
            self.sheet
                .ignore_error_range(body.0, col, body.1, col, ignore)?;
        }
        let widths = self.fitted_widths();
        for (col, width) in (0..).zip(&widths) {
            self.sheet.set_column_autofit_width(col, *width)?;
        }
        if widths.iter().sum::<u32>() > PORTRAIT_PIXELS {
            self.sheet.set_landscape();
        }
        let last = self.columns - 1;
        let mut row = self.row;
        if rounded {
            let note = ROUNDING_NOTE.replace("{unit}", self.page.unit.label());
            let style = font().set_italic().set_align(FormatAlign::Left);
            self.merged(row, 0, last, &note, style, Face::Italic)?;
            row += 1;
        }
        // The agency, top left as on the report's first page: the left
        // half, or more when its longest line needs it.
        let mut left = (self.columns / 2).max(2) - 1;
        let needed =
            width(&self.page.parent, Face::Regular)?.max(width(&self.page.agency, Face::Bold)?);
        while left + 2 < self.columns && widths[..=usize::from(left)].iter().sum::<u32>() < needed {
            left += 1;
        }
        let parent = self.page.parent.clone();
        let centred = font().set_align(FormatAlign::Center);
        self.merged(0, 0, left, &parent, centred.clone(), Face::Regular)?;
        let agency = self.page.agency.clone();
        self.merged(1, 0, left, &agency, centred.set_bold(), Face::Bold)?;
        // The signature block, at the right under the table: the right
        // half, or more when its longest line needs it (never column A).
        let mut needed = width(&self.page.place_date, Face::Italic)?;
        for line in self.page.roles.iter().chain([&self.page.signer]) {
            needed = needed.max(width(line, Face::Bold)?);
        }
        let mut right = self.columns / 2;
        while right > 1 && widths[usize::from(right)..].iter().sum::<u32>() < needed {
            right -= 1;
        }
        row += 1;
        let place_date = self.page.place_date.clone();
        let italic = font().set_italic().set_align(FormatAlign::Center);
        self.merged(row, right, last, &place_date, italic, Face::Italic)?;
        for role in self.page.roles.clone() {
            row += 1;
            let bold = font().set_bold().set_align(FormatAlign::Center);
            self.merged(row, right, last, &role, bold, Face::Bold)?;
        }
        row += SIGNING_LINES + 1;
        let signer = self.page.signer.clone();
        let bold = font().set_bold().set_align(FormatAlign::Center);
        self.merged(row, right, last, &signer, bold, Face::Bold)?;

        let mut lines: std::collections::BTreeMap<u32, u32> = Default::default();
        for w in &self.wrapped {
            let room: u32 = widths[usize::from(w.first)..=usize::from(w.last)]
                .iter()
                .sum();
            let n = line_count(&w.text, room, w.face)?;
            let most = lines.entry(w.row).or_default();
            *most = (*most).max(n);
        }
        for (row, n) in lines.into_iter().filter(|&(_, n)| n > 1) {
            self.sheet.set_row_height(row, LINE_HEIGHT * f64::from(n))?;
        }
        Ok(self.sheet)
    }
}

impl Table<'_> {
    /// The columns' widths: what their content needs, text columns at most
    /// `MAX_TEXT_WIDTH`; when that is wider than a turned A4 page, the text
    /// columns give up their room beyond their longest word, each in
    /// proportion, so the table prints at full size where it can.
    fn fitted_widths(&self) -> Vec<u32> {
        // The narrowest each column may get: a text column its longest
        // word (of the header too), any other its content.
        let floors: Vec<u32> = (self.widths.iter().zip(&self.least))
            .zip(&self.header_words)
            .map(|((w, least), header)| least.map_or(*w, |l| l.max(*header)))
            .collect();
        let mut widths: Vec<u32> = (self.widths.iter().zip(&floors))
            .map(|(w, floor)| (*w).min(MAX_TEXT_WIDTH).max(*floor))
            .collect();
        let total: u32 = widths.iter().sum();
        let slack: Vec<u32> = (widths.iter().zip(&floors))
            .map(|(w, floor)| w - floor)
            .collect();
        let spare: u32 = slack.iter().sum();
        if total > LANDSCAPE_PIXELS && spare > 0 {
            let cut = (total - LANDSCAPE_PIXELS).min(spare);
            for (w, s) in widths.iter_mut().zip(&slack) {
                let share = (u64::from(cut) * u64::from(*s)).div_ceil(u64::from(spare));
                *w -= (share as u32).min(*s);
            }
        }
        widths
    }
}

/// The width of `text` set in `face` at the workbook's size, with a
/// cell's padding (pixels).
fn width(text: &str, face: Face) -> Result<u32, WorkbookError> {
    Ok(pixels(advance(text, fonts::face(face)?)))
}

/// The advance of `text` in thousandths of an em.
fn advance(text: &str, face: &fonts::FaceData) -> f32 {
    text.chars().map(|c| face.advance(c).unwrap_or(500.0)).sum()
}

/// Thousandths of an em at the workbook's size, with a cell's padding, in
/// pixels.
fn pixels(thousandths: f32) -> u32 {
    let pixels = thousandths * FONT_SIZE as f32 / 1000.0 * PIXELS_PER_POINT;
    pixels.ceil() as u32 + CELL_PADDING
}

/// How many lines `text` takes in a column `room` pixels wide, wrapped
/// between words; measured as the column widths are.
fn line_count(text: &str, room: u32, face: Face) -> Result<u32, WorkbookError> {
    let face = fonts::face(face)?;
    Ok(wrapped_lines(text, room, |s| advance(s, face), pixels))
}

/// How many lines `text` takes in a column `room` pixels wide, wrapped
/// between words, each of its own lines apart: `advance` measures a run of
/// text (measures add up), `pixels` is the width a line of that measure
/// takes in a cell. The one wrap rule of the workbooks this tool writes,
/// the report's and the units' forms.
pub(crate) fn wrapped_lines(
    text: &str,
    room: u32,
    advance: impl Fn(&str) -> f32,
    pixels: impl Fn(f32) -> u32,
) -> u32 {
    let space = advance(" ");
    text.split('\n')
        .map(|paragraph| {
            let mut lines = 1;
            let mut line: Option<f32> = None;
            for word in paragraph.split(' ') {
                let w = advance(word);
                line = Some(match line {
                    Some(l) if pixels(l + space + w) > room => {
                        lines += 1;
                        w
                    }
                    Some(l) => l + space + w,
                    None => w,
                });
            }
            lines
        })
        .sum()
}

/// The report's type, in every cell.
fn font() -> Style {
    Style::new().set_font_name(FONT).set_font_size(FONT_SIZE)
}

/// Every table cell is framed.
fn base() -> Style {
    font()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
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

    #[test]
    fn bold_text_is_wider_and_a_plain_row_is_measured_plain() {
        let text = "Trung tâm Khuyến công và Tư vấn Phát triển Công nghiệp";
        let plain = width(text, Face::Regular).unwrap();
        let bold = width(text, Face::Bold).unwrap();
        assert!(bold > plain, "{bold} {plain}");
        // Just wide enough for the plain text: one line, not two.
        assert_eq!(line_count(text, plain, Face::Regular).unwrap(), 1);
        assert_eq!(line_count(text, plain, Face::Bold).unwrap(), 2);
    }

    #[test]
    fn money_is_shown_in_the_report_unit_and_kept_in_dong() {
        let page = |unit| Page {
            parent: String::new(),
            agency: String::new(),
            attached: String::new(),
            unit,
            place_date: String::new(),
            roles: Vec::new(),
            signer: String::new(),
        };
        assert_eq!(page(MoneyUnit::Dong).money_format(), "#,##0");
        assert_eq!(page(MoneyUnit::NghinDong).money_format(), "#,##0.00,");
        assert_eq!(page(MoneyUnit::TrieuDong).money_format(), "#,##0.00,,");
    }
}
