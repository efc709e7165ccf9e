//! The data contract: the two kinds of input file (the year's plan and a
//! unit's submission), as validated Rust types. JSON keys are Vietnamese
//! without diacritics; `khuyencong schema` prints the JSON Schema derived
//! from these types, so the schema and the code never drift.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Serialize, Serializer};

/// The `loai` of a plan file.
pub const KIND_PLAN: &str = "ke_hoach";
/// The `loai` of a unit's submission.
pub const KIND_SUBMISSION: &str = "bao_cao";

/// Whole đồng, never negative. Written in JSON as an integer or a string of
/// digits ("224730000").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Money(pub Decimal);

/// A non-negative quantity of an indicator (usually whole, may have decimals
/// when written as a string such as "2.5").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Quantity(pub Decimal);

/// A calendar date, written in JSON as "YYYY-MM-DD".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// The provincial khuyến công plan of one year (`"loai": "ke_hoach"`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, title = "Kế hoạch khuyến công năm")]
pub struct Plan {
    /// Always "ke_hoach".
    #[schemars(regex(pattern = "^ke_hoach$"))]
    pub loai: String,
    /// The plan year.
    pub nam: i32,
    /// Province name, e.g. "Đồng Nai".
    pub tinh: String,
    /// What the report needs to be an official document.
    pub van_ban: DocumentInfo,
    /// The registry of reporting units for this year, in official order.
    pub don_vi: Vec<Unit>,
    /// Funding sources.
    pub nguon_kinh_phi: Vec<FundingSource>,
    /// The catalogue of programmes and their items, in plan order.
    pub chuong_trinh: Vec<Programme>,
}

/// Metadata of the report document (header, signature, recipients).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DocumentInfo {
    /// Parent body in capitals, e.g. "SỞ CÔNG THƯƠNG TỈNH ĐỒNG NAI".
    pub co_quan_chu_quan: String,
    /// Issuing body in capitals.
    pub co_quan_ban_hanh: String,
    /// Issuing body as written in running text.
    pub ten_co_quan: String,
    /// Number and symbol, e.g. "581/BC-KC&TV".
    pub so_ky_hieu: String,
    /// Place name for the date line, e.g. "Đồng Nai".
    pub dia_danh: String,
    /// Date of the report.
    pub ngay: Date,
    /// Summary line under the title.
    pub trich_yeu: String,
    /// Legal basis of the plan, cited in the opening sentence.
    pub can_cu: String,
    /// Authority lines above the signature, e.g. ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"].
    pub tham_quyen: Vec<String>,
    /// Signer's full name.
    pub nguoi_ky: String,
    /// Recipients, without the leading "- " and trailing ";".
    pub noi_nhan: Vec<String>,
    /// The filing line after "Lưu:", e.g. "VT, KC".
    pub luu: String,
}

/// A reporting unit of the year's registry.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Unit {
    /// Unit code (administrative code, or a short code for the centre).
    pub ma: String,
    /// Full name, e.g. "Huyện Nhơn Trạch".
    pub ten: String,
    /// Kind of unit: "thanh_pho", "huyen", "thi_xa", "xa", "phuong", "trung_tam", ...
    pub cap: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FundingSource {
    pub ma: String,
    pub ten: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Programme {
    /// Stable code (numbering in the report is computed from the order).
    pub ma: String,
    pub ten: String,
    pub noi_dung: Vec<PlanItem>,
}

/// One item (nội dung) of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PlanItem {
    /// Stable code, unique in the plan; submissions refer to it.
    pub ma: String,
    pub ten: String,
    /// The plan sentence (without the budget, which the report adds).
    pub ke_hoach: String,
    /// Indicators with their targets (may be empty).
    pub chi_tieu: Vec<Indicator>,
    /// Planned budget.
    pub kinh_phi: Money,
    /// Funding source code.
    pub nguon: String,
    /// Default reason when nobody implements the item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ly_do_khong_thuc_hien: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Indicator {
    /// Code, unique within the item.
    pub ma: String,
    /// Short noun, e.g. "học viên".
    pub ten: String,
    /// Unit of measure as printed after the number, e.g. "lượt học viên".
    pub don_vi_tinh: String,
    /// Target quantity.
    pub ke_hoach: Quantity,
}

/// One unit's report for the year (`"loai": "bao_cao"`), possibly re-sent
/// with a higher `lan_nop`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, title = "Báo cáo kết quả khuyến công của đơn vị")]
pub struct Submission {
    /// Always "bao_cao".
    #[schemars(regex(pattern = "^bao_cao$"))]
    pub loai: String,
    pub nam: i32,
    /// Unit code from the plan's registry.
    pub ma_don_vi: String,
    /// Revision number (1, 2, ...): the highest one counts.
    #[schemars(range(min = 1))]
    pub lan_nop: u32,
    pub ngay_nop: Date,
    pub nguoi_lap: String,
    /// What the unit did, per plan item.
    pub hoat_dong: Vec<Activity>,
    /// Plan items the unit could not implement.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub khong_thuc_hien: Vec<NotImplemented>,
    /// Tasks assigned outside the plan.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub ngoai_ke_hoach: Vec<ExtraTask>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Activity {
    /// Plan item code.
    pub noi_dung: String,
    /// One sentence, no final full stop: what was done.
    pub mo_ta: String,
    /// Achieved quantity per indicator code of the item.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(default)]
    pub chi_tieu: BTreeMap<String, Quantity>,
    /// Actual cost.
    pub kinh_phi: Money,
    /// Funding source code; defaults to the item's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nguon: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub dia_diem: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tu_ngay: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub den_ngay: Option<Date>,
    /// Free text, full sentences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghi_chu: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct NotImplemented {
    /// Plan item code.
    pub noi_dung: String,
    /// Reason; defaults to the plan item's `ly_do_khong_thuc_hien`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ly_do: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghi_chu: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ExtraTask {
    pub ten: String,
    /// The documents that assigned the task.
    pub can_cu: String,
    pub kinh_phi: Money,
    /// True when the amount is an estimate (dự kiến).
    pub du_kien: bool,
    /// Funding source code.
    pub nguon: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghi_chu: Option<String>,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Date {
    /// Parses "YYYY-MM-DD", checking the day exists.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
        let (year, month, day) = (num(0..4)? as i32, num(5..7)?, num(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Date { year, month, day })
    }
}

/// Serialises a whole number as a JSON integer (as written in the files),
/// anything else as a string, so no float ever carries a figure.
fn serialize_decimal<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    if d.fract().is_zero() {
        if let Ok(n) = i64::try_from(d.trunc()) {
            return s.serialize_i64(n);
        }
    }
    s.serialize_str(&d.normalize().to_string())
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_decimal(&self.0, s)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_decimal(&self.0, s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn number_or_digits_schema(description: &str, pattern: &str) -> schemars::schema::Schema {
    let schema = serde_json::json!({
        "description": description,
        "anyOf": [
            { "type": "integer", "minimum": 0 },
            { "type": "string", "pattern": pattern }
        ]
    });
    serde_json::from_value(schema).expect("static schema is valid")
}

impl JsonSchema for Money {
    fn schema_name() -> String {
        "Money".into()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        number_or_digits_schema(
            "Số tiền nguyên đồng, không âm: số nguyên hoặc chuỗi chữ số",
            "^[0-9]+$",
        )
    }
}

impl JsonSchema for Quantity {
    fn schema_name() -> String {
        "Quantity".into()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        number_or_digits_schema(
            "Số lượng không âm: số nguyên hoặc chuỗi số thập phân dùng dấu chấm",
            "^[0-9]+(\\.[0-9]+)?$",
        )
    }
}

impl JsonSchema for Date {
    fn schema_name() -> String {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let schema = serde_json::json!({
            "description": "Ngày theo dạng YYYY-MM-DD",
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
        });
        serde_json::from_value(schema).expect("static schema is valid")
    }
}
