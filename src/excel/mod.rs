//! The units' Excel forms: `form` writes one from the year's plan;
//! `workbook` reads an `.xlsx` file's cells within bounds (the input
//! adapter, below loading and checking); `import` reads a form's cells
//! against the plan into a submission's JSON text, which the JSON checks
//! then judge. This module is the layout both sides share: sheet names,
//! the fixed cells of the unit's details, the columns (named by the
//! contract's keys, `contract::keys`) and the names of the files.

pub mod form;
pub mod import;
pub mod workbook;

use crate::contract::keys::{self, activity, extra, not_done, project, submission, Key};
use crate::contract::{Plan, PlanItem, Unit, UNIT_LEVELS, UNIT_LEVEL_WORDS};

pub const SHEET_GUIDE: &str = "Hướng dẫn";
pub const SHEET_INFO: &str = "Thông tin";
pub const SHEET_ACTIVITIES: &str = "Hoạt động";
pub const SHEET_NOT_DONE: &str = "Không thực hiện";
pub const SHEET_EXTRA: &str = "Ngoài kế hoạch";
pub const SHEET_CATALOGUE: &str = "Danh mục";

/// One of the unit's details on the "Thông tin" sheet: the key of the
/// submission it fills (none for the unit's name, which is only checked
/// against the code) and its label, one a row from `INFO_FIRST_ROW`, the
/// value in column B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detail {
    pub key: Option<Key>,
    pub label: &'static str,
}

pub const INFO: [Detail; 6] = [
    Detail {
        key: Some(submission::NAM),
        label: "Năm báo cáo",
    },
    Detail {
        key: Some(submission::MA_DON_VI),
        label: "Mã đơn vị",
    },
    Detail {
        key: None,
        label: "Tên đơn vị",
    },
    Detail {
        key: Some(submission::LAN_NOP),
        label: "Lần nộp (1 cho lần đầu; gửi bản sửa thì tăng lên 2, 3…)",
    },
    Detail {
        key: Some(submission::NGAY_NOP),
        label: "Ngày nộp (ngày/tháng/năm)",
    },
    Detail {
        key: Some(submission::NGUOI_LAP),
        label: "Người lập báo cáo (họ và tên)",
    },
];
/// 0-based row of the first detail (Excel row 3).
pub const INFO_FIRST_ROW: u32 = 2;
/// 0-based column of the details' labels (A) and values (B).
pub const INFO_LABEL_COL: u16 = 0;
pub const INFO_VALUE_COL: u16 = 1;
/// The row of the unit's name (`Thông tin!B5`).
pub const INFO_NAME_ROW: u32 = INFO_FIRST_ROW + 2;

/// The row of a detail of the submission.
pub fn info_row(key: Key) -> u32 {
    let at = INFO
        .iter()
        .position(|d| d.key == Some(key))
        .expect("a detail of the form");
    INFO_FIRST_ROW + at as u32
}

/// The cell of a detail of the submission: `Thông tin!B6`.
pub fn info_cell(key: Key) -> String {
    cell_name(SHEET_INFO, info_row(key), INFO_VALUE_COL)
}

/// The row of column labels, then the hidden row of JSON keys; data below.
pub const LABEL_ROW: u32 = 0;
pub const KEY_ROW: u32 = 1;
pub const FIRST_DATA_ROW: u32 = 2;

/// Rows of a table sheet made ready (drop-downs, rules) for data; a unit
/// reports a few dozen at most.
pub const PREPARED_ROWS: u32 = 1000;

/// What a column fills in its row's object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A key of the row's own object (`mo_ta`).
    Own(Key),
    /// A key of the activity's project (`de_an.ten`).
    Project(Key),
    /// An indicator's quantity, by its code (`chi_tieu.hoc_vien`).
    Indicator(String),
    /// The money from one funding source, by its code
    /// (`theo_nguon.dia_phuong`).
    Money(String),
}

impl Field {
    /// The column's name in the hidden key row: the JSON path of its value
    /// in the row's object.
    pub fn key(&self) -> String {
        match self {
            Field::Own(key) => key.name.to_string(),
            Field::Project(key) => keys::dotted(activity::DE_AN, key.name),
            Field::Indicator(code) => keys::dotted(activity::CHI_TIEU, code),
            Field::Money(code) => keys::dotted(activity::THEO_NGUON, code),
        }
    }
}

/// One column of a table sheet: what it fills, its label and kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub field: Field,
    pub key: String,
    pub label: String,
    pub kind: ColumnKind,
}

/// What a column holds, which sets its validation, format and reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Item,
    Text,
    Places,
    Date,
    Quantity,
    Money,
    Status,
    /// "Có" or "Không".
    YesNo,
    /// A funding source, chosen by its name.
    Source,
}

/// The words of a yes/no column, true first.
pub const YES_NO: [&str; 2] = ["Có", "Không"];

impl Column {
    fn new(field: Field, label: impl Into<String>, kind: ColumnKind) -> Self {
        Column {
            key: field.key(),
            field,
            label: label.into(),
            kind,
        }
    }
}

/// The label of an indicator's column: "Số lượng: học viên (lượt học
/// viên)", names of items sharing the code joined.
fn indicator_columns(plan: &Plan) -> Vec<(&str, String)> {
    let mut indicators: Vec<(&str, Vec<String>)> = Vec::new();
    for ind in plan_items(plan).flat_map(|i| &i.chi_tieu) {
        let name = format!("{} ({})", ind.ten, ind.don_vi_tinh);
        match indicators.iter_mut().find(|(code, _)| *code == ind.ma) {
            Some((_, names)) if !names.contains(&name) => names.push(name),
            Some(_) => {}
            None => indicators.push((&ind.ma, vec![name])),
        }
    }
    indicators
        .into_iter()
        .map(|(code, names)| (code, format!("Số lượng: {}", names.join(" / "))))
        .collect()
}

/// The activity columns for a plan: one per indicator code and per funding
/// source of the plan.
pub fn activity_columns(plan: &Plan) -> Vec<Column> {
    use ColumnKind::*;
    use Field::{Indicator, Own, Project};
    let mut columns = vec![
        Column::new(
            Own(activity::NOI_DUNG),
            "Nội dung kế hoạch (chọn trong danh sách)",
            Item,
        ),
        Column::new(Own(activity::MO_TA), "Mô tả: đã làm gì (một câu)", Text),
        Column::new(
            Own(activity::DIA_DIEM),
            "Địa điểm (nhiều nơi: ngăn bằng dấu ;)",
            Places,
        ),
        Column::new(Own(activity::TU_NGAY), "Từ ngày", Date),
        Column::new(Own(activity::DEN_NGAY), "Đến ngày", Date),
    ];
    // One column per indicator code; items sharing a code share the column.
    for (code, label) in indicator_columns(plan) {
        columns.push(Column::new(Indicator(code.into()), label, Quantity));
    }
    for source in &plan.nguon_kinh_phi {
        columns.push(Column::new(
            Field::Money(source.ma.clone()),
            format!("Kinh phí (đồng): {}", source.ten),
            ColumnKind::Money,
        ));
    }
    columns.extend([
        Column::new(
            Project(project::TEN),
            "Đề án: tên (khi hỗ trợ một cơ sở)",
            Text,
        ),
        Column::new(Project(project::CO_SO), "Đề án: cơ sở thụ hưởng", Text),
        Column::new(
            Project(project::TRANG_THAI),
            "Đề án: tình trạng cuối năm",
            Status,
        ),
        Column::new(Own(activity::GHI_CHU), "Ghi chú (câu đầy đủ)", Text),
    ]);
    columns
}

/// The header of the activity column that fills `field`, as the plan's
/// form shows it.
pub fn column_label(plan: &Plan, field: &Field) -> String {
    activity_columns(plan)
        .into_iter()
        .find(|c| &c.field == field)
        .map_or_else(|| field.key(), |c| c.label)
}

/// The columns of the "Không thực hiện" sheet.
pub fn not_done_columns() -> Vec<Column> {
    use ColumnKind::*;
    use Field::*;
    vec![
        Column::new(
            Own(not_done::NOI_DUNG),
            "Nội dung kế hoạch không thực hiện",
            Item,
        ),
        Column::new(
            Own(not_done::LY_DO),
            "Lý do (bỏ trống: lấy lý do chung của kế hoạch)",
            Text,
        ),
        Column::new(Own(not_done::GHI_CHU), "Giải trình thêm (câu đầy đủ)", Text),
    ]
}

/// The columns of the "Ngoài kế hoạch" sheet (tasks assigned outside the plan).
pub fn extra_columns() -> Vec<Column> {
    use ColumnKind::*;
    use Field::Own;
    vec![
        Column::new(Own(extra::TEN), "Tên nhiệm vụ", Text),
        Column::new(Own(extra::CAN_CU), "Văn bản giao nhiệm vụ", Text),
        Column::new(Own(extra::KINH_PHI), "Kinh phí (đồng)", Money),
        Column::new(Own(extra::DU_KIEN), "Kinh phí là số dự kiến?", YesNo),
        Column::new(Own(extra::NGUON), "Nguồn kinh phí", Source),
        Column::new(Own(extra::GHI_CHU), "Ghi chú (câu đầy đủ)", Text),
    ]
}

/// A table sheet of the form: its name, the array of the submission its
/// rows fill, and its columns for a plan.
pub struct Table {
    pub sheet: &'static str,
    pub list: Key,
    pub columns: Vec<Column>,
}

/// The three table sheets, in the form's order.
pub fn tables(plan: &Plan) -> [Table; 3] {
    [
        Table {
            sheet: SHEET_ACTIVITIES,
            list: submission::HOAT_DONG,
            columns: activity_columns(plan),
        },
        Table {
            sheet: SHEET_NOT_DONE,
            list: submission::KHONG_THUC_HIEN,
            columns: not_done_columns(),
        },
        Table {
            sheet: SHEET_EXTRA,
            list: submission::NGOAI_KE_HOACH,
            columns: extra_columns(),
        },
    ]
}

/// The headers of the "Danh mục" sheet: items (A–C), funding sources (E–F).
pub const CATALOGUE_HEADERS: [(u16, &str); 5] = [
    (0, "Nội dung (như trong danh sách chọn)"),
    (1, "Mã nội dung"),
    (2, "Chỉ tiêu"),
    (4, "Nguồn kinh phí (như trong danh sách chọn)"),
    (5, "Mã nguồn"),
];
/// Where the drop-down of project statuses reads its words: column H.
pub const CATALOGUE_STATUS_COL: u16 = 7;
pub const CATALOGUE_STATUS_HEADER: &str = "Tình trạng đề án (như trong danh sách chọn)";

/// Every row of the "Danh mục" sheet below its headers, by column: what
/// the form writes there for the plan, and what a form read back must
/// still hold.
pub fn catalogue(plan: &Plan) -> Vec<(u32, u16, String)> {
    let mut cells = Vec::new();
    for (r, (item, label)) in item_labels(plan).into_iter().enumerate() {
        let row = r as u32 + 1;
        let indicators: Vec<String> = item
            .chi_tieu
            .iter()
            .map(|i| format!("{} ({})", i.ten, i.don_vi_tinh))
            .collect();
        cells.push((row, 0, label));
        cells.push((row, 1, item.ma.clone()));
        if !indicators.is_empty() {
            cells.push((row, 2, indicators.join("; ")));
        }
    }
    for (r, source) in plan.nguon_kinh_phi.iter().enumerate() {
        cells.push((r as u32 + 1, 4, source.ten.clone()));
        cells.push((r as u32 + 1, 5, source.ma.clone()));
    }
    for (r, (.., words)) in crate::contract::ProjectStatus::ALL.iter().enumerate() {
        cells.push((r as u32 + 1, CATALOGUE_STATUS_COL, words.to_string()));
    }
    cells
}

/// The range a drop-down reads its choices from: `'Danh mục'!$A$2:$A$19`.
/// Each choice is a cell, so a choice with a comma in it stays one choice
/// (a literal list is split at every comma by the spreadsheets).
pub fn choices_range(col: u16, count: usize) -> String {
    let letters = column_letters(col);
    format!(
        "='{SHEET_CATALOGUE}'!${letters}$2:${letters}${}",
        count.max(1) + 1
    )
}

/// Every item of the plan, in plan order.
pub fn plan_items(plan: &Plan) -> impl Iterator<Item = &PlanItem> {
    plan.chuong_trinh.iter().flat_map(|p| &p.noi_dung)
}

/// Each item with the words its drop-down shows: section I's number and the
/// name ("1.1. Tổ chức lớp KSDN…"), in plan order.
pub fn item_labels(plan: &Plan) -> Vec<(&PlanItem, String)> {
    let numbers = crate::aggregate::plan_numbers(plan);
    plan_items(plan)
        .map(|item| {
            let label = match numbers.get(item.ma.as_str()) {
                Some(n) if !n.is_empty() => format!("{n}. {}", item.ten),
                _ => item.ten.clone(),
            };
            (item, label)
        })
        .collect()
}

/// A cell's A1 name on a sheet: `Hoạt động!E7`.
pub fn cell_name(sheet: &str, row: u32, col: u16) -> String {
    format!("{sheet}!{}{}", column_letters(col), row + 1)
}

/// A cell's A1 reference: (6, 4) → `E7`.
pub fn cell_ref(row: u32, col: u32) -> String {
    format!("{}{}", letters(col), u64::from(row) + 1)
}

/// Excel's column letters: 0 → A, 26 → AA.
pub fn column_letters(col: u16) -> String {
    letters(u32::from(col))
}

fn letters(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// A name without diacritics for file names: "Huyện Nhơn Trạch" →
/// "huyen-nhon-trach".
pub fn ascii_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    for c in name.nfd() {
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            c if unicode_normalization::char::is_combining_mark(c) => continue,
            _ => '-',
        };
        if c != '-' || !(out.is_empty() || out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The one name of a unit's files: its code, then its name without the
/// level it begins with ("735-vinh-cuu" for Huyện Vĩnh Cửu, "731-bien-hoa"
/// for Thành phố Biên Hòa); the centre goes by its code alone ("ttkc").
pub fn unit_stem(unit: &Unit) -> String {
    let code = ascii_name(&unit.ma);
    let word = UNIT_LEVELS
        .iter()
        .position(|l| *l == unit.cap)
        .map_or("", |i| UNIT_LEVEL_WORDS[i]);
    if word.is_empty() && unit.cap == "trung_tam" {
        return code;
    }
    let name = unit.ten.trim();
    let short = match name.get(..word.len()) {
        Some(start) if !word.is_empty() && start.to_lowercase() == word.to_lowercase() => {
            &name[word.len()..]
        }
        _ => name,
    };
    match ascii_name(short) {
        s if s.is_empty() => code,
        s => format!("{code}-{s}"),
    }
}

/// The name of a unit's submission as the data folder holds it:
/// `735-vinh-cuu.json` for its first, `735-vinh-cuu-lan-2.json` after.
pub fn submission_name(unit: &Unit, lan_nop: u32) -> String {
    match lan_nop {
        1 => format!("{}.json", unit_stem(unit)),
        n => format!("{}-lan-{n}.json", unit_stem(unit)),
    }
}

/// The name of a unit's form: `735-vinh-cuu.xlsx`.
pub fn form_name(unit: &Unit) -> String {
    format!("{}.xlsx", unit_stem(unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(ma: &str, ten: &str, cap: &str) -> Unit {
        Unit {
            ma: ma.into(),
            ten: ten.into(),
            cap: cap.into(),
        }
    }

    #[test]
    fn names() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(cell_ref(1_048_575, 16_383), "XFD1048576");
        assert_eq!(cell_name(SHEET_ACTIVITIES, 6, 4), "Hoạt động!E7");
        assert_eq!(ascii_name("Huyện Nhơn Trạch"), "huyen-nhon-trach");
        assert_eq!(
            ascii_name("Trung tâm Khuyến công & TV"),
            "trung-tam-khuyen-cong-tv"
        );
        assert_eq!(info_cell(submission::LAN_NOP), "Thông tin!B6");
    }

    #[test]
    fn one_naming_scheme() {
        let vinh_cuu = unit("735", "Huyện Vĩnh Cửu", "huyen");
        assert_eq!(submission_name(&vinh_cuu, 1), "735-vinh-cuu.json");
        assert_eq!(submission_name(&vinh_cuu, 2), "735-vinh-cuu-lan-2.json");
        assert_eq!(form_name(&vinh_cuu), "735-vinh-cuu.xlsx");
        let bien_hoa = unit("731", "Thành phố Biên Hòa", "thanh_pho");
        assert_eq!(submission_name(&bien_hoa, 1), "731-bien-hoa.json");
        let centre = unit("TTKC", "Trung tâm Khuyến công", "trung_tam");
        assert_eq!(submission_name(&centre, 1), "ttkc.json");
        // A name that does not begin with its level keeps every word.
        let odd = unit("9", "Vĩnh Cửu", "huyen");
        assert_eq!(form_name(&odd), "9-vinh-cuu.xlsx");
    }
}
