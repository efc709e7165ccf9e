//! Writing a unit's form from the year's plan, optionally filled with a
//! submission (the unit's last one, to correct as the next `lan_nop`).
//! Same plan and unit → same bytes: the document's dates come from the plan.

use rust_xlsxwriter::utility::cell_autofit_width;
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ExcelDateTime, Format, FormatAlign, Formula,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use super::*;
use crate::contract::keys::{project, submission};
use crate::contract::{Date, Money, ProjectStatus, Quantity, Submission, Unit};

/// Whole đồng grouped by thousands, in Vietnamese (locale 042A): dots in
/// LibreOffice whatever the computer's language, and in Excel on a
/// Vietnamese Windows (Excel takes the separators from the computer).
/// Literal dots (`#\.##0`) would show ".0" for nothing spent.
pub const MONEY_FORMAT: &str = "[$-42A]#,##0";
const DATE_FORMAT: &str = "dd/mm/yyyy";

#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("không tạo được tệp Excel: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("ngày {0} không ghi được vào Excel (năm phải từ 1900 tới 9999)")]
    Date(Date),
}

/// What a filled cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Date(Date),
    /// A formula with the value the spreadsheet computed and saved with it.
    Formula(String, f64),
}

/// A value to put in a form, by sheet and 0-based position; written after
/// the form's own cells, so it can also replace them.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub sheet: &'static str,
    pub row: u32,
    pub col: u16,
    pub cell: Cell,
}

/// The form of `unit`: blank, or filled with its `latest` submission to be
/// corrected and sent as the next revision (`bieu-mau --dien-san`).
pub fn of_unit(
    plan: &Plan,
    unit: &Unit,
    latest: Option<&Submission>,
) -> Result<Vec<u8>, FormError> {
    let entries = latest.map_or_else(Vec::new, |s| entries(plan, s, s.lan_nop + 1));
    write(plan, unit, &entries)
}

/// The form of `unit` for `plan`, with `entries` filled in.
pub fn write(plan: &Plan, unit: &Unit, entries: &[Entry]) -> Result<Vec<u8>, FormError> {
    let labels = item_labels(plan);
    let mut book = Workbook::new();
    // A plan's date is always a spreadsheet date; refused here otherwise.
    excel_date(plan.van_ban.ngay)?;
    book.set_properties(&crate::render::xlsx::spreadsheet_properties(
        &crate::render::prepared::Properties::of_form(plan, unit),
    ));
    let styles = Styles::new();

    let guide = book.add_worksheet().set_name(SHEET_GUIDE)?;
    write_guide(guide, plan, unit, &styles)?;

    let info = book.add_worksheet().set_name(SHEET_INFO)?;
    write_info(info, plan, unit, &styles)?;

    let items = choices_range(0, labels.len());
    let sources = choices_range(4, plan.nguon_kinh_phi.len());
    let statuses = choices_range(CATALOGUE_STATUS_COL, ProjectStatus::ALL.len());
    let choices = |kind| match kind {
        ColumnKind::Item => Some(items.as_str()),
        ColumnKind::Source => Some(sources.as_str()),
        ColumnKind::Status => Some(statuses.as_str()),
        _ => None,
    };
    for table in tables(plan) {
        let sheet = book.add_worksheet().set_name(table.sheet)?;
        let rows = entries
            .iter()
            .filter(|e| e.sheet == table.sheet)
            .map(|e| e.row)
            .max();
        write_table(sheet, &table.columns, &choices, rows, &styles)?;
    }

    let catalogue = book.add_worksheet().set_name(SHEET_CATALOGUE)?;
    write_catalogue(catalogue, plan, &styles)?;

    for entry in entries {
        let sheet = book.worksheet_from_name(entry.sheet)?;
        let format = entry_format(entry, &styles);
        match &entry.cell {
            Cell::Text(t) => sheet.write_string_with_format(entry.row, entry.col, t, format)?,
            Cell::Number(n) => sheet.write_number_with_format(entry.row, entry.col, *n, format)?,
            Cell::Date(d) => sheet.write_datetime_with_format(
                entry.row,
                entry.col,
                excel_date(*d)?,
                &styles.date,
            )?,
            Cell::Formula(f, value) => sheet.write_formula_with_format(
                entry.row,
                entry.col,
                Formula::new(f).set_result(value.to_string()),
                format,
            )?,
        };
    }
    // Rows as tall as their wrapped text: spreadsheets do not grow a row
    // of a file they open, only one being typed in.
    for table in tables(plan) {
        let sheet = book.worksheet_from_name(table.sheet)?;
        let mut lines: std::collections::BTreeMap<u32, u32> = Default::default();
        for e in entries.iter().filter(|e| e.sheet == table.sheet) {
            if let (Cell::Text(text), Some(column)) =
                (&e.cell, table.columns.get(usize::from(e.col)))
            {
                let n = line_count(text, width_pixels(width(column.kind)));
                let most = lines.entry(e.row).or_default();
                *most = (*most).max(n);
            }
        }
        for (row, n) in lines.into_iter().filter(|&(_, n)| n > 1) {
            sheet.set_row_height(row, LINE_HEIGHT * f64::from(n))?;
        }
    }
    Ok(book.save_to_buffer()?)
}

/// A filled cell's format: whole numbers grouped by thousands, text wrapped.
fn entry_format<'s>(entry: &Entry, styles: &'s Styles) -> &'s Format {
    match &entry.cell {
        Cell::Number(n) if n.fract() == 0.0 => &styles.money,
        Cell::Formula(..) => &styles.money,
        Cell::Number(_) => &styles.quantity,
        _ => &styles.input_wrap,
    }
}

struct Styles {
    title: Format,
    header: Format,
    header_up: Format,
    locked: Format,
    input: Format,
    input_wrap: Format,
    money: Format,
    quantity: Format,
    date: Format,
    wrap: Format,
}

impl Styles {
    fn new() -> Self {
        let input = Format::new().set_unlocked().set_align(FormatAlign::Top);
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color("#DDEBF7")
            .set_border(rust_xlsxwriter::FormatBorder::Thin);
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            header: header.clone(),
            header_up: header.set_rotation(90),
            locked: Format::new().set_bold().set_background_color("#EDEDED"),
            money: input.clone().set_num_format(MONEY_FORMAT),
            quantity: input.clone().set_num_format("General"),
            date: input.clone().set_num_format(DATE_FORMAT),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            input_wrap: input.clone().set_text_wrap(),
            input,
        }
    }

    fn for_kind(&self, kind: ColumnKind) -> &Format {
        match kind {
            ColumnKind::Money => &self.money,
            ColumnKind::Quantity => &self.quantity,
            ColumnKind::Date => &self.date,
            ColumnKind::Item | ColumnKind::Source | ColumnKind::Text | ColumnKind::Places => {
                &self.input_wrap
            }
            _ => &self.input,
        }
    }
}

fn excel_date(d: Date) -> Result<ExcelDateTime, FormError> {
    crate::render::xlsx::cell_date(d).ok_or(FormError::Date(d))
}

/// Points per line of 11-point text.
const LINE_HEIGHT: f64 = 15.0;

/// A column `chars` characters wide, in pixels, as spreadsheets convert it.
fn width_pixels(chars: f64) -> u32 {
    (chars * 7.0 + 5.0) as u32
}

/// How many lines `text` takes in a column `width` pixels wide, wrapped
/// between words, each of its own lines apart.
fn line_count(text: &str, width: u32) -> u32 {
    text_lines(text, width, |px| px)
}

/// [`line_count`] with the measured widths `scaled` (for bold type).
fn text_lines(text: &str, width: u32, scaled: impl Fn(u32) -> u32) -> u32 {
    // Excel's widths of its default type, which add up but for a cell's
    // padding (the width of nothing).
    let padding = cell_autofit_width("");
    crate::render::xlsx::wrapped_lines(
        text,
        width,
        |s| (cell_autofit_width(s) - padding) as f32,
        |measure| scaled(measure as u32 + padding),
    )
}

/// Every sheet prints on A4 landscape, as wide as the page, the labels of
/// a table on every page.
fn landscape(sheet: &mut Worksheet) -> &mut Worksheet {
    sheet
        .set_paper_size(9)
        .set_landscape()
        .set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3)
        .set_print_fit_to_pages(1, 0)
}

fn write_guide(
    sheet: &mut Worksheet,
    plan: &Plan,
    unit: &Unit,
    styles: &Styles,
) -> Result<(), FormError> {
    let lines = [
        format!("BIỂU MẪU BÁO CÁO KẾT QUẢ KHUYẾN CÔNG NĂM {}", plan.nam),
        format!("Đơn vị: {} (mã {})", unit.ten, unit.ma),
        String::new(),
        "Điền gì".into(),
        format!("1. Trang \"{SHEET_INFO}\": lần nộp, ngày nộp, người lập. Mã và tên đơn vị đã ghi sẵn, không sửa được."),
        format!("2. Trang \"{SHEET_ACTIVITIES}\": mỗi hoạt động đã thực hiện một dòng. Chọn nội dung kế hoạch trong danh sách (số thứ tự như trong báo cáo của tỉnh), rồi ghi mô tả, địa điểm, ngày, số lượng đạt được của các chỉ tiêu của nội dung đó và kinh phí theo từng nguồn."),
        "   Kinh phí ghi số đồng nguyên (18000000 hoặc 18.000.000), không ghi phần lẻ. Ngày ghi ngày/tháng/năm (15/11/2023). Để trống ô không có số liệu.".into(),
        "   Hoạt động hỗ trợ một cơ sở (đề án) thì ghi thêm tên đề án, cơ sở thụ hưởng và chọn tình trạng cuối năm.".into(),
        "   Không thêm dòng tổng cộng (chương trình tự cộng), dòng chữ ký hay ô gộp vào các trang số liệu.".into(),
        format!("3. Trang \"{SHEET_NOT_DONE}\": các nội dung được giao mà đơn vị không thực hiện được, kèm lý do."),
        format!("4. Trang \"{SHEET_EXTRA}\": các nhiệm vụ được giao ngoài kế hoạch (nếu có), kèm văn bản giao, kinh phí và nguồn."),
        format!("5. Trang \"{SHEET_CATALOGUE}\": danh mục nội dung, nguồn kinh phí và tình trạng đề án của kế hoạch, chỉ để xem."),
        String::new(),
        "Gửi thế nào".into(),
        format!("Lưu tệp (giữ dạng .xlsx, không đổi tên trang, không thêm cột) và gửi cho {} như văn bản thường lệ. Tệp được nhập bằng lệnh `khuyencong nhap`; mọi lỗi được báo kèm trang và ô (ví dụ Hoạt động!E7) để đơn vị sửa.", plan.van_ban.ten_co_quan),
        String::new(),
        "Sửa báo cáo đã gửi".into(),
        "Sửa ngay trên tệp đã gửi, tăng \"Lần nộp\" thêm 1 (lần 2, lần 3…) rồi gửi lại: bản có lần nộp cao nhất được tính, bản cũ được giữ lại làm hồ sơ.".into(),
    ];
    let heading = |s: &str| matches!(s, "Điền gì" | "Gửi thế nào" | "Sửa báo cáo đã gửi");
    const WIDTH: f64 = 110.0;
    landscape(sheet).set_column_width(0, WIDTH)?;
    for (row, line) in lines.iter().enumerate() {
        let format = match row {
            0 => &styles.title,
            _ if heading(line) => &styles.locked,
            _ => &styles.wrap,
        };
        let row = row as u32;
        sheet.write_string_with_format(row, 0, line, format)?;
        let n = line_count(line, width_pixels(WIDTH));
        if n > 1 {
            sheet.set_row_height(row, LINE_HEIGHT * f64::from(n))?;
        }
    }
    sheet.protect();
    Ok(())
}

fn write_info(
    sheet: &mut Worksheet,
    plan: &Plan,
    unit: &Unit,
    styles: &Styles,
) -> Result<(), FormError> {
    landscape(sheet).set_column_width(INFO_LABEL_COL, 55)?;
    sheet.set_column_width(INFO_VALUE_COL, 40)?;
    sheet.write_string_with_format(0, 0, "THÔNG TIN ĐƠN VỊ BÁO CÁO", &styles.title)?;
    for (i, detail) in INFO.iter().enumerate() {
        let row = INFO_FIRST_ROW + i as u32;
        let col = INFO_VALUE_COL;
        sheet.write_string(row, INFO_LABEL_COL, detail.label)?;
        match detail.key {
            Some(submission::NAM) => {
                sheet.write_number_with_format(row, col, plan.nam, &styles.locked)?
            }
            Some(submission::MA_DON_VI) => {
                sheet.write_string_with_format(row, col, &unit.ma, &styles.locked)?
            }
            None => sheet.write_string_with_format(row, col, &unit.ten, &styles.locked)?,
            Some(submission::LAN_NOP) => {
                sheet.add_data_validation(row, col, row, col, &whole_number(1, 999)?)?;
                sheet.write_number_with_format(row, col, 1, &styles.input)?
            }
            Some(submission::NGAY_NOP) => {
                sheet.add_data_validation(row, col, row, col, &real_date()?)?;
                sheet.write_blank(row, col, &styles.date)?
            }
            Some(_) => sheet.write_blank(row, col, &styles.input)?,
        };
    }
    sheet.protect();
    Ok(())
}

/// How wide a column of each kind is, in characters: narrow enough that a
/// table fits the page at a scale one can read.
fn width(kind: ColumnKind) -> f64 {
    match kind {
        ColumnKind::Item | ColumnKind::Source => 30.0,
        ColumnKind::Text => 22.0,
        ColumnKind::Places => 14.0,
        ColumnKind::Date => 10.5,
        // Narrow, under a label turned upright: a plan has many indicators.
        ColumnKind::Quantity => 6.5,
        ColumnKind::Money => 14.0,
        ColumnKind::Status => 16.0,
        ColumnKind::YesNo => 10.0,
    }
}

/// Whether a column's label is turned upright (read bottom to top).
fn upright(kind: ColumnKind) -> bool {
    kind == ColumnKind::Quantity
}

/// How tall a column's label is, in points: its lines across the column,
/// or, upright, its length over the lines the column holds side by side.
fn label_height(label: &str, kind: ColumnKind) -> f64 {
    // Bold type is an eighth wider than the widths measured.
    let bold = |px: u32| px + px / 8;
    let across = width_pixels(width(kind)) - 10;
    if upright(kind) {
        let side_by_side = (across / 20).max(1);
        let length = f64::from(bold(cell_autofit_width(label)) / side_by_side + 20);
        length * 0.75
    } else {
        let lines = text_lines(label, across, bold);
        LINE_HEIGHT * f64::from(lines)
    }
}

/// Blank rows printed below the labels of a blank table, to fill by hand.
const PRINTED_BLANK_ROWS: u32 = 20;

/// A table sheet; `choices` gives the range a drop-down column reads its
/// choices from; `filled` is the last row entries fill, if any.
fn write_table<'c>(
    sheet: &mut Worksheet,
    columns: &[Column],
    choices: &dyn Fn(ColumnKind) -> Option<&'c str>,
    filled: Option<u32>,
    styles: &Styles,
) -> Result<(), FormError> {
    let last = FIRST_DATA_ROW + PREPARED_ROWS - 1;
    // The labels wrap within their columns: the row is as tall as the
    // longest of them.
    let label_height = columns
        .iter()
        .map(|c| label_height(&c.label, c.kind))
        .fold(LINE_HEIGHT * 2.0, f64::max);
    sheet.set_row_height(LABEL_ROW, label_height + 4.0)?;
    // What prints: the labels and the filled rows, or a few blank ones.
    let printed = filled.unwrap_or(FIRST_DATA_ROW + PRINTED_BLANK_ROWS - 1);
    for (c, column) in columns.iter().enumerate() {
        let c = c as u16;
        let header = if upright(column.kind) {
            &styles.header_up
        } else {
            &styles.header
        };
        sheet.write_string_with_format(LABEL_ROW, c, &column.label, header)?;
        sheet.write_string(KEY_ROW, c, &column.key)?;
        sheet.set_column_width(c, width(column.kind))?;
        // Every cell below the labels takes input: the column's format is
        // unlocked (the label and key rows have their own, locked).
        let format = styles.for_kind(column.kind);
        sheet.set_column_format(c, format)?;
        for row in FIRST_DATA_ROW..=printed {
            sheet.write_blank(row, c, format)?;
        }
        let rule = match column.kind {
            ColumnKind::Item | ColumnKind::Source | ColumnKind::Status => {
                let range = choices(column.kind).expect("a list's range");
                Some(
                    DataValidation::new()
                        .allow_list_formula(Formula::new(range))
                        .set_error_message(format!(
                            "Chọn một mục trong danh sách (trang {SHEET_CATALOGUE})."
                        ))?,
                )
            }
            ColumnKind::YesNo => Some(
                DataValidation::new()
                    .allow_list_strings(&YES_NO)?
                    .set_error_message("Chọn Có hoặc Không.")?,
            ),
            // Whole đồng: a formula, as Excel's "whole number" rule is
            // bounded by 32-bit limits in some readers and amounts pass 2 tỷ.
            ColumnKind::Money => {
                let cell = format!("{}{}", column_letters(c), FIRST_DATA_ROW + 1);
                Some(
                    DataValidation::new()
                        .allow_custom(Formula::new(format!(
                            "=AND(ISNUMBER({cell}),{cell}>=0,{cell}=INT({cell}))"
                        )))
                        .set_error_message("Ghi số đồng nguyên, không âm, không có phần lẻ.")?,
                )
            }
            ColumnKind::Quantity => Some(
                DataValidation::new()
                    .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
                    .set_error_message("Ghi số lượng không âm.")?,
            ),
            ColumnKind::Date => Some(real_date()?),
            ColumnKind::Text | ColumnKind::Places => None,
        };
        if let Some(rule) = rule {
            sheet.add_data_validation(FIRST_DATA_ROW, c, last, c, &rule)?;
        }
    }
    sheet.set_row_hidden(KEY_ROW)?;
    sheet.set_freeze_panes(FIRST_DATA_ROW, 1)?;
    landscape(sheet).set_print_gridlines(true);
    let last_col = columns.len().saturating_sub(1) as u16;
    sheet.set_print_area(LABEL_ROW, 0, printed, last_col)?;
    // The labels on every printed page.
    sheet.set_repeat_rows(LABEL_ROW, LABEL_ROW)?;
    sheet.protect_with_options(&ProtectionOptions {
        insert_rows: true,
        delete_rows: true,
        format_rows: true,
        format_columns: true,
        ..ProtectionOptions::default()
    });
    Ok(())
}

/// Money in an Excel number when the cell holds it exactly (the one rule,
/// `render::xlsx::cell_number`); digits as text beyond.
fn money_cell(m: Money) -> Cell {
    crate::render::xlsx::cell_number(m.0).map_or_else(|| Cell::Text(m.0.to_string()), Cell::Number)
}

fn quantity_cell(q: Quantity) -> Cell {
    let text = q.0.normalize().to_string();
    text.parse().map_or(Cell::Text(text), Cell::Number)
}

fn whole_number(min: i32, max: i32) -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_whole_number(DataValidationRule::Between(min, max))
        .set_error_message(format!("Ghi một số nguyên từ {min} tới {max}."))
}

fn real_date() -> Result<DataValidation, XlsxError> {
    let first = ExcelDateTime::from_ymd(2000, 1, 1)?;
    let last = ExcelDateTime::from_ymd(2100, 12, 31)?;
    DataValidation::new()
        .allow_date(DataValidationRule::Between(first, last))
        .set_error_message("Ghi một ngày có thật, dạng ngày/tháng/năm (ví dụ 15/11/2023).")
}

/// The plan's items (columns A–C), funding sources (E–F) and project
/// statuses (H): the drop-downs read their choices from here, and a form
/// read back must still hold them (`catalogue`).
fn write_catalogue(sheet: &mut Worksheet, plan: &Plan, styles: &Styles) -> Result<(), FormError> {
    for (c, h) in CATALOGUE_HEADERS {
        sheet.write_string_with_format(0, c, h, &styles.header)?;
    }
    sheet.write_string_with_format(
        0,
        CATALOGUE_STATUS_COL,
        CATALOGUE_STATUS_HEADER,
        &styles.header,
    )?;
    landscape(sheet).set_column_width(0, 60)?;
    sheet.set_column_width(1, 14)?;
    sheet.set_column_width(2, 40)?;
    sheet.set_column_width(4, 34)?;
    sheet.set_column_width(5, 14)?;
    sheet.set_column_width(CATALOGUE_STATUS_COL, 28)?;
    sheet.set_row_height(0, LINE_HEIGHT * 2.0 + 4.0)?;
    let mut lines: std::collections::BTreeMap<u32, u32> = Default::default();
    for (row, col, text) in catalogue(plan) {
        sheet.write_string_with_format(row, col, &text, &styles.wrap)?;
        let width = match col {
            0 => 60.0,
            2 => 40.0,
            4 => 34.0,
            c if c == CATALOGUE_STATUS_COL => 28.0,
            _ => 14.0,
        };
        let n = line_count(&text, width_pixels(width));
        let most = lines.entry(row).or_default();
        *most = (*most).max(n);
    }
    for (row, n) in lines.into_iter().filter(|&(_, n)| n > 1) {
        sheet.set_row_height(row, LINE_HEIGHT * f64::from(n))?;
    }
    sheet.set_repeat_rows(0, 0)?;
    sheet.protect();
    Ok(())
}

/// The cells that fill a form with `submission` as revision `lan_nop`.
pub fn entries(plan: &Plan, submission: &Submission, lan_nop: u32) -> Vec<Entry> {
    use crate::contract::keys::{activity as a, extra as x, not_done as n};
    let labels = item_labels(plan);
    let label = |code: &str| {
        labels
            .iter()
            .find(|(i, _)| i.ma == code)
            .map_or_else(|| code.to_string(), |(_, l)| l.clone())
    };
    let source_name = |code: &str| {
        plan.nguon_kinh_phi
            .iter()
            .find(|s| s.ma == code)
            .map_or_else(|| code.to_string(), |s| s.ten.clone())
    };
    let index = plan.index();
    let mut out = vec![
        info_entry(submission::LAN_NOP, Cell::Number(f64::from(lan_nop))),
        info_entry(submission::NGAY_NOP, Cell::Date(submission.ngay_nop)),
        info_entry(
            submission::NGUOI_LAP,
            Cell::Text(submission.nguoi_lap.clone()),
        ),
    ];
    let text = |t: &str| Some(Cell::Text(t.to_string()));
    let mut rows = |sheet: &'static str,
                    columns: &[Column],
                    n: usize,
                    cell: &dyn Fn(&Field) -> Option<Cell>| {
        let row = FIRST_DATA_ROW + n as u32;
        for (c, column) in columns.iter().enumerate() {
            out.extend(cell(&column.field).map(|cell| Entry {
                sheet,
                row,
                col: c as u16,
                cell,
            }));
        }
    };
    let columns = activity_columns(plan);
    for (n, activity) in submission.hoat_dong.iter().enumerate() {
        let split = index
            .item(&activity.noi_dung)
            .map(|item| activity.split(item))
            .unwrap_or_default();
        let project = activity.de_an.as_ref();
        rows(SHEET_ACTIVITIES, &columns, n, &|field| match field {
            Field::Indicator(code) => activity.chi_tieu.get(code).map(|q| quantity_cell(*q)),
            Field::Money(code) => split.get(code).map(|m| money_cell(*m)),
            Field::Own(a::NOI_DUNG) => text(&label(&activity.noi_dung)),
            Field::Own(a::MO_TA) => text(&activity.mo_ta),
            Field::Own(a::DIA_DIEM) if !activity.dia_diem.is_empty() => {
                text(&activity.dia_diem.join("; "))
            }
            Field::Own(a::TU_NGAY) => activity.tu_ngay.map(Cell::Date),
            Field::Own(a::DEN_NGAY) => activity.den_ngay.map(Cell::Date),
            Field::Own(a::GHI_CHU) => activity.ghi_chu.as_deref().and_then(text),
            Field::Project(project::TEN) => project.and_then(|p| text(&p.ten)),
            Field::Project(project::CO_SO) => project.and_then(|p| text(&p.co_so)),
            Field::Project(project::TRANG_THAI) => project.and_then(|p| text(p.trang_thai.label())),
            _ => None,
        });
    }
    let columns = not_done_columns();
    for (i, item) in submission.khong_thuc_hien.iter().enumerate() {
        rows(SHEET_NOT_DONE, &columns, i, &|field| match field {
            Field::Own(n::NOI_DUNG) => text(&label(&item.noi_dung)),
            Field::Own(n::LY_DO) => item.ly_do.as_deref().and_then(text),
            Field::Own(n::GHI_CHU) => item.ghi_chu.as_deref().and_then(text),
            _ => None,
        });
    }
    let columns = extra_columns();
    for (i, task) in submission.ngoai_ke_hoach.iter().enumerate() {
        rows(SHEET_EXTRA, &columns, i, &|field| match field {
            Field::Own(x::TEN) => text(&task.ten),
            Field::Own(x::CAN_CU) => text(&task.can_cu),
            Field::Own(x::KINH_PHI) => Some(money_cell(task.kinh_phi)),
            Field::Own(x::DU_KIEN) => text(YES_NO[usize::from(!task.du_kien)]),
            Field::Own(x::NGUON) => text(&source_name(&task.nguon)),
            Field::Own(x::GHI_CHU) => task.ghi_chu.as_deref().and_then(text),
            _ => None,
        });
    }
    out
}

fn info_entry(key: crate::contract::keys::Key, cell: Cell) -> Entry {
    Entry {
        sheet: SHEET_INFO,
        row: info_row(key),
        col: INFO_VALUE_COL,
        cell,
    }
}
