//! Writing a unit's form from the year's plan, optionally filled with a
//! submission (the unit's last one, to correct as the next `lan_nop`).
//! Same plan and unit → same bytes: the document's dates come from the plan.

use rust_xlsxwriter::{
    DataValidation, DataValidationRule, DocProperties, ExcelDateTime, Format, FormatAlign, Formula,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use super::*;
use crate::contract::{Date, Money, ProjectStatus, Quantity, Submission, Unit};

/// Rows made ready (formats, drop-downs) for activities and for items not
/// carried out; a unit reports a few dozen at most.
const PREPARED_ROWS: u32 = 300;

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

/// The file a unit's form is written as: `735-huyen-vinh-cuu.xlsx`.
pub fn file_name(unit: &Unit) -> String {
    format!("{}-{}.xlsx", unit.ma, super::ascii_name(&unit.ten))
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
    let d = plan.van_ban.ngay;
    let created = excel_date(d)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "Biểu mẫu báo cáo kết quả khuyến công năm {} — {}",
                plan.nam, unit.ten
            ))
            .set_company(&plan.van_ban.co_quan_ban_hanh)
            .set_author(&plan.van_ban.ten_co_quan)
            .set_creation_datetime(&created),
    );
    let styles = Styles::new();

    let guide = book.add_worksheet().set_name(SHEET_GUIDE)?;
    write_guide(guide, plan, unit, &styles)?;

    let info = book.add_worksheet().set_name(SHEET_INFO)?;
    write_info(info, plan, unit, &styles)?;

    let catalogue_range = format!("='{SHEET_CATALOGUE}'!$A$2:$A${}", labels.len().max(1) + 1);
    let activities = book.add_worksheet().set_name(SHEET_ACTIVITIES)?;
    write_table(
        activities,
        &activity_columns(plan),
        &catalogue_range,
        &styles,
    )?;
    let not_done = book.add_worksheet().set_name(SHEET_NOT_DONE)?;
    write_table(not_done, &not_done_columns(), &catalogue_range, &styles)?;
    let extra = book.add_worksheet().set_name(SHEET_EXTRA)?;
    let sources_range = format!(
        "='{SHEET_CATALOGUE}'!$E$2:$E${}",
        plan.nguon_kinh_phi.len().max(1) + 1
    );
    write_table(extra, &extra_columns(), &sources_range, &styles)?;

    let catalogue = book.add_worksheet().set_name(SHEET_CATALOGUE)?;
    write_catalogue(catalogue, plan, &labels, &styles)?;

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
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color("#DDEBF7")
                .set_border(rust_xlsxwriter::FormatBorder::Thin),
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

/// Every sheet prints on A4 landscape: the tables are wide.
fn landscape(sheet: &mut Worksheet) -> &mut Worksheet {
    sheet.set_paper_size(9).set_landscape()
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
        format!("3. Trang \"{SHEET_NOT_DONE}\": các nội dung được giao mà đơn vị không thực hiện được, kèm lý do."),
        format!("4. Trang \"{SHEET_EXTRA}\": các nhiệm vụ được giao ngoài kế hoạch (nếu có), kèm văn bản giao, kinh phí và nguồn."),
        format!("5. Trang \"{SHEET_CATALOGUE}\": danh mục nội dung và nguồn kinh phí của kế hoạch, chỉ để xem."),
        String::new(),
        "Gửi thế nào".into(),
        format!("Lưu tệp (giữ dạng .xlsx, không đổi tên trang, không thêm cột) và gửi cho {} như văn bản thường lệ. Tệp được nhập bằng lệnh `khuyencong nhap`; mọi lỗi được báo kèm trang và ô (ví dụ Hoạt động!E7) để đơn vị sửa.", plan.van_ban.ten_co_quan),
        String::new(),
        "Sửa báo cáo đã gửi".into(),
        "Sửa ngay trên tệp đã gửi, tăng \"Lần nộp\" thêm 1 (lần 2, lần 3…) rồi gửi lại: bản có lần nộp cao nhất được tính, bản cũ được giữ lại làm hồ sơ.".into(),
    ];
    let heading = |s: &str| matches!(s, "Điền gì" | "Gửi thế nào" | "Sửa báo cáo đã gửi");
    landscape(sheet).set_column_width(0, 110)?;
    for (row, line) in lines.iter().enumerate() {
        let format = match row {
            0 => &styles.title,
            _ if heading(line) => &styles.locked,
            _ => &styles.wrap,
        };
        sheet.write_string_with_format(row as u32, 0, line, format)?;
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
    landscape(sheet).set_column_width(0, 55)?;
    sheet.set_column_width(1, 40)?;
    sheet.write_string_with_format(0, 0, "THÔNG TIN ĐƠN VỊ BÁO CÁO", &styles.title)?;
    for (i, (key, label)) in INFO.iter().enumerate() {
        let row = INFO_FIRST_ROW + i as u32;
        let col = INFO_VALUE_COL;
        sheet.write_string(row, 0, *label)?;
        match *key {
            "nam" => sheet.write_number_with_format(row, col, plan.nam, &styles.locked)?,
            "ma_don_vi" => sheet.write_string_with_format(row, col, &unit.ma, &styles.locked)?,
            "ten_don_vi" => sheet.write_string_with_format(row, col, &unit.ten, &styles.locked)?,
            "lan_nop" => {
                sheet.add_data_validation(row, col, row, col, &whole_number(1, 999)?)?;
                sheet.write_number_with_format(row, col, 1, &styles.input)?
            }
            "ngay_nop" => {
                sheet.add_data_validation(row, col, row, col, &real_date()?)?;
                sheet.write_blank(row, col, &styles.date)?
            }
            _ => sheet.write_blank(row, col, &styles.input)?,
        };
    }
    sheet.protect();
    Ok(())
}

/// A table sheet; `choices` is the range its drop-down column (an item, or
/// a funding source) chooses from.
fn write_table(
    sheet: &mut Worksheet,
    columns: &[Column],
    choices: &str,
    styles: &Styles,
) -> Result<(), FormError> {
    let last = FIRST_DATA_ROW + PREPARED_ROWS - 1;
    sheet.set_row_height(LABEL_ROW, 48)?;
    // Room for three lines of a wrapped description: spreadsheets do not
    // grow a row of a file they open.
    for row in FIRST_DATA_ROW..=last {
        sheet.set_row_height(row, 45)?;
    }
    for (c, column) in columns.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(LABEL_ROW, c, &column.label, &styles.header)?;
        sheet.write_string(KEY_ROW, c, &column.key)?;
        let width = match column.kind {
            // The first five columns fit one landscape page.
            ColumnKind::Item | ColumnKind::Source => 34,
            ColumnKind::Text => 24,
            ColumnKind::Places => 16,
            ColumnKind::Date => 11,
            ColumnKind::Quantity => 14,
            ColumnKind::Money => 18,
            ColumnKind::Status => 26,
            ColumnKind::YesNo => 14,
        };
        sheet.set_column_width(c, width)?;
        let format = styles.for_kind(column.kind);
        for row in FIRST_DATA_ROW..=last {
            sheet.write_blank(row, c, format)?;
        }
        let rule = match column.kind {
            ColumnKind::Item | ColumnKind::Source => Some(
                DataValidation::new()
                    .allow_list_formula(Formula::new(choices))
                    .set_error_message("Chọn một mục trong danh sách (trang Danh mục).")?,
            ),
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
            ColumnKind::Status => {
                let words: Vec<&str> = ProjectStatus::ALL.iter().map(|(.., w)| *w).collect();
                Some(
                    DataValidation::new()
                        .allow_list_strings(&words)?
                        .set_error_message("Chọn một tình trạng trong danh sách.")?,
                )
            }
            ColumnKind::Text | ColumnKind::Places => None,
        };
        if let Some(rule) = rule {
            sheet.add_data_validation(FIRST_DATA_ROW, c, last, c, &rule)?;
        }
    }
    sheet.set_row_hidden(KEY_ROW)?;
    sheet.set_freeze_panes(FIRST_DATA_ROW, 1)?;
    landscape(sheet).set_print_gridlines(true);
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

/// The plan's items (columns A–C) and funding sources (E–F), which the
/// drop-downs list and the import reads back into codes.
fn write_catalogue(
    sheet: &mut Worksheet,
    plan: &Plan,
    labels: &[(&PlanItem, String)],
    styles: &Styles,
) -> Result<(), FormError> {
    let headers = [
        "Nội dung (như trong danh sách chọn)",
        "Mã nội dung",
        "Chỉ tiêu",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &styles.header)?;
    }
    landscape(sheet).set_column_width(0, 80)?;
    sheet.set_column_width(1, 16)?;
    sheet.set_column_width(2, 50)?;
    sheet.set_column_width(4, 50)?;
    sheet.set_column_width(5, 16)?;
    for (r, source) in plan.nguon_kinh_phi.iter().enumerate() {
        sheet.write_string(r as u32 + 1, 4, &source.ten)?;
        sheet.write_string(r as u32 + 1, 5, &source.ma)?;
    }
    for (r, (item, label)) in labels.iter().enumerate() {
        let row = r as u32 + 1;
        sheet.write_string(row, 0, label)?;
        sheet.write_string(row, 1, &item.ma)?;
        let indicators: Vec<String> = item
            .chi_tieu
            .iter()
            .map(|i| format!("{} ({})", i.ten, i.don_vi_tinh))
            .collect();
        sheet.write_string(row, 2, indicators.join("; "))?;
    }
    sheet.protect();
    Ok(())
}

/// The cells that fill a form with `submission` as revision `lan_nop`.
pub fn entries(plan: &Plan, submission: &Submission, lan_nop: u32) -> Vec<Entry> {
    let labels = item_labels(plan);
    let label = |code: &str| {
        labels
            .iter()
            .find(|(i, _)| i.ma == code)
            .map_or_else(|| code.to_string(), |(_, l)| l.clone())
    };
    let index = plan.index();
    let info_row =
        |key: &str| INFO_FIRST_ROW + INFO.iter().position(|(k, _)| *k == key).unwrap_or(0) as u32;
    let mut out = vec![
        info_entry(info_row("lan_nop"), Cell::Number(f64::from(lan_nop))),
        info_entry(info_row("ngay_nop"), Cell::Date(submission.ngay_nop)),
        info_entry(
            info_row("nguoi_lap"),
            Cell::Text(submission.nguoi_lap.clone()),
        ),
    ];
    let columns = activity_columns(plan);
    for (n, activity) in submission.hoat_dong.iter().enumerate() {
        let row = FIRST_DATA_ROW + n as u32;
        let split = index
            .item(&activity.noi_dung)
            .map(|item| activity.split(item))
            .unwrap_or_default();
        for (c, column) in columns.iter().enumerate() {
            let key = column.key.as_str();
            let cell = if let Some(code) = key.strip_prefix(INDICATOR_KEY) {
                activity.chi_tieu.get(code).map(|q| quantity_cell(*q))
            } else if let Some(code) = key.strip_prefix(MONEY_KEY) {
                split.get(code).map(|m| money_cell(*m))
            } else {
                let project = activity.de_an.as_ref();
                match key {
                    "noi_dung" => Some(Cell::Text(label(&activity.noi_dung))),
                    "mo_ta" => Some(Cell::Text(activity.mo_ta.clone())),
                    "dia_diem" if !activity.dia_diem.is_empty() => {
                        Some(Cell::Text(activity.dia_diem.join("; ")))
                    }
                    "tu_ngay" => activity.tu_ngay.map(Cell::Date),
                    "den_ngay" => activity.den_ngay.map(Cell::Date),
                    "de_an.ten" => project.map(|p| Cell::Text(p.ten.clone())),
                    "de_an.co_so" => project.map(|p| Cell::Text(p.co_so.clone())),
                    "de_an.trang_thai" => {
                        project.map(|p| Cell::Text(p.trang_thai.label().to_string()))
                    }
                    "ghi_chu" => activity.ghi_chu.clone().map(Cell::Text),
                    _ => None,
                }
            };
            out.extend(cell.map(|cell| Entry {
                sheet: SHEET_ACTIVITIES,
                row,
                col: c as u16,
                cell,
            }));
        }
    }
    for (n, item) in submission.khong_thuc_hien.iter().enumerate() {
        let row = FIRST_DATA_ROW + n as u32;
        let cells = [
            Some(label(&item.noi_dung)),
            item.ly_do.clone(),
            item.ghi_chu.clone(),
        ];
        for (c, text) in cells.into_iter().enumerate() {
            out.extend(text.map(|t| Entry {
                sheet: SHEET_NOT_DONE,
                row,
                col: c as u16,
                cell: Cell::Text(t),
            }));
        }
    }
    let source_name = |code: &str| {
        plan.nguon_kinh_phi
            .iter()
            .find(|s| s.ma == code)
            .map_or_else(|| code.to_string(), |s| s.ten.clone())
    };
    for (n, task) in submission.ngoai_ke_hoach.iter().enumerate() {
        let row = FIRST_DATA_ROW + n as u32;
        let cells = [
            Some(Cell::Text(task.ten.clone())),
            Some(Cell::Text(task.can_cu.clone())),
            Some(money_cell(task.kinh_phi)),
            Some(Cell::Text(YES_NO[usize::from(!task.du_kien)].to_string())),
            Some(Cell::Text(source_name(&task.nguon))),
            task.ghi_chu.clone().map(Cell::Text),
        ];
        for (c, cell) in cells.into_iter().enumerate() {
            out.extend(cell.map(|cell| Entry {
                sheet: SHEET_EXTRA,
                row,
                col: c as u16,
                cell,
            }));
        }
    }
    out
}

fn info_entry(row: u32, cell: Cell) -> Entry {
    Entry {
        sheet: SHEET_INFO,
        row,
        col: INFO_VALUE_COL,
        cell,
    }
}
