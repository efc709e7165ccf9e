//! The units' Excel forms: `form` writes one from the year's plan, `import`
//! reads a filled one back into a submission's JSON text, which the JSON
//! checks then judge. This module is the layout both sides share: sheet
//! names, the fixed cells of the unit's details, and the row of JSON keys
//! that names each column, so a form says by itself what its columns hold.

pub mod form;
pub mod import;
pub mod nhap;

use crate::contract::{Plan, PlanItem};

pub const SHEET_GUIDE: &str = "Hướng dẫn";
pub const SHEET_INFO: &str = "Thông tin";
pub const SHEET_ACTIVITIES: &str = "Hoạt động";
pub const SHEET_NOT_DONE: &str = "Không thực hiện";
pub const SHEET_EXTRA: &str = "Ngoài kế hoạch";
pub const SHEET_CATALOGUE: &str = "Danh mục";

/// The unit's details on the "Thông tin" sheet: JSON key and label, one a
/// row from `INFO_FIRST_ROW`, the value in column B.
pub const INFO: [(&str, &str); 6] = [
    ("nam", "Năm báo cáo"),
    ("ma_don_vi", "Mã đơn vị"),
    ("ten_don_vi", "Tên đơn vị"),
    (
        "lan_nop",
        "Lần nộp (1 cho lần đầu; gửi bản sửa thì tăng lên 2, 3…)",
    ),
    ("ngay_nop", "Ngày nộp (ngày/tháng/năm)"),
    ("nguoi_lap", "Người lập báo cáo (họ và tên)"),
];
/// 0-based row of the first detail (Excel row 3).
pub const INFO_FIRST_ROW: u32 = 2;
/// 0-based column of the details' values (column B).
pub const INFO_VALUE_COL: u16 = 1;

/// The row of column labels, then the hidden row of JSON keys; data below.
pub const LABEL_ROW: u32 = 0;
pub const KEY_ROW: u32 = 1;
pub const FIRST_DATA_ROW: u32 = 2;

/// Key prefixes of the activity columns holding an indicator's quantity and
/// a source's money: `chi_tieu.hoc_vien`, `theo_nguon.dia_phuong`.
pub const INDICATOR_KEY: &str = "chi_tieu.";
pub const MONEY_KEY: &str = "theo_nguon.";

/// One column of a table sheet: its JSON key, label and width.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
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
    fn new(key: impl Into<String>, label: impl Into<String>, kind: ColumnKind) -> Self {
        Column {
            key: key.into(),
            label: label.into(),
            kind,
        }
    }
}

/// The activity columns for a plan: one per indicator code and per funding
/// source of the plan.
pub fn activity_columns(plan: &Plan) -> Vec<Column> {
    use ColumnKind::*;
    let mut columns = vec![
        Column::new("noi_dung", "Nội dung kế hoạch (chọn trong danh sách)", Item),
        Column::new("mo_ta", "Mô tả: đã làm gì (một câu)", Text),
        Column::new("dia_diem", "Địa điểm (nhiều nơi: ngăn bằng dấu ;)", Places),
        Column::new("tu_ngay", "Từ ngày", Date),
        Column::new("den_ngay", "Đến ngày", Date),
    ];
    // One column per indicator code; items sharing a code share the column.
    let mut indicators: Vec<(&str, Vec<String>)> = Vec::new();
    for ind in plan_items(plan).flat_map(|i| &i.chi_tieu) {
        let name = format!("{} ({})", ind.ten, ind.don_vi_tinh);
        match indicators.iter_mut().find(|(code, _)| *code == ind.ma) {
            Some((_, names)) if !names.contains(&name) => names.push(name),
            Some(_) => {}
            None => indicators.push((&ind.ma, vec![name])),
        }
    }
    for (code, names) in indicators {
        columns.push(Column::new(
            format!("{INDICATOR_KEY}{code}"),
            format!("Số lượng: {}", names.join(" / ")),
            Quantity,
        ));
    }
    for source in &plan.nguon_kinh_phi {
        columns.push(Column::new(
            format!("{MONEY_KEY}{}", source.ma),
            format!("Kinh phí (đồng): {}", source.ten),
            Money,
        ));
    }
    columns.extend([
        Column::new("de_an.ten", "Đề án: tên (khi hỗ trợ một cơ sở)", Text),
        Column::new("de_an.co_so", "Đề án: cơ sở thụ hưởng", Text),
        Column::new("de_an.trang_thai", "Đề án: tình trạng cuối năm", Status),
        Column::new("ghi_chu", "Ghi chú (câu đầy đủ)", Text),
    ]);
    columns
}

/// The columns of the "Không thực hiện" sheet.
pub fn not_done_columns() -> Vec<Column> {
    use ColumnKind::*;
    vec![
        Column::new("noi_dung", "Nội dung kế hoạch không thực hiện", Item),
        Column::new(
            "ly_do",
            "Lý do (bỏ trống: lấy lý do chung của kế hoạch)",
            Text,
        ),
        Column::new("ghi_chu", "Giải trình thêm (câu đầy đủ)", Text),
    ]
}

/// The columns of the "Ngoài kế hoạch" sheet (tasks assigned outside the plan).
pub fn extra_columns() -> Vec<Column> {
    use ColumnKind::*;
    vec![
        Column::new("ten", "Tên nhiệm vụ", Text),
        Column::new("can_cu", "Văn bản giao nhiệm vụ", Text),
        Column::new("kinh_phi", "Kinh phí (đồng)", Money),
        Column::new("du_kien", "Kinh phí là số dự kiến?", YesNo),
        Column::new("nguon", "Nguồn kinh phí", Source),
        Column::new("ghi_chu", "Ghi chú (câu đầy đủ)", Text),
    ]
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

/// Excel's column letters: 0 → A, 26 → AA.
pub fn column_letters(col: u16) -> String {
    let mut n = u32::from(col) + 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(cell_name(SHEET_ACTIVITIES, 6, 4), "Hoạt động!E7");
        assert_eq!(ascii_name("Huyện Nhơn Trạch"), "huyen-nhon-trach");
        assert_eq!(
            ascii_name("Trung tâm Khuyến công & TV"),
            "trung-tam-khuyen-cong-tv"
        );
    }
}
