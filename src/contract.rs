//! The data contract: the two kinds of input file (the year's plan and a
//! unit's submission), as validated Rust types. JSON keys are Vietnamese
//! without diacritics; `khuyencong schema` prints the JSON Schema derived
//! from these types, so the schema and the code never drift.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Serialize, Serializer};

pub mod keys;

/// Giá trị `loai` của tệp kế hoạch.
pub const KIND_PLAN: &str = "ke_hoach";
/// Giá trị `loai` của tệp báo cáo đơn vị.
pub const KIND_SUBMISSION: &str = "bao_cao";

/// Số tiền nguyên đồng, không âm. Ghi trong JSON bằng số nguyên hoặc chuỗi
/// chữ số ("224730000").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Money(pub Decimal);

/// Số lượng không âm của một chỉ tiêu (thường là số nguyên; có thể có phần
/// thập phân, ví dụ "2.5").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Quantity(pub Decimal);

impl Quantity {
    /// The exact sum of two quantities, or `None` where rust_decimal would
    /// round it (past 28 significant digits) or overflow. Quantities are
    /// never negative, so taking the larger one back out of the sum is
    /// always exact: a rounded sum shows there.
    pub fn checked_add(self, other: Quantity) -> Option<Quantity> {
        let (small, large) = (self.0.min(other.0), self.0.max(other.0));
        let sum = small.checked_add(large)?;
        (sum.checked_sub(large)? == small).then_some(Quantity(sum))
    }

    /// Whether templates get this quantity exactly: a whole number always
    /// (an integer), a number with a fraction only up to 15 significant
    /// digits (templates compute with f64, which keeps 15).
    pub fn fits_a_template(self) -> bool {
        let d = self.0.normalize();
        d.fract().is_zero() || d.mantissa().unsigned_abs().to_string().len() <= 15
    }
}

/// Ngày dương lịch, ghi trong JSON dạng "YYYY-MM-DD".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// Kế hoạch khuyến công năm của tỉnh (`"loai": "ke_hoach"`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, title = "Kế hoạch khuyến công năm")]
pub struct Plan {
    /// Luôn là "ke_hoach".
    #[schemars(regex(pattern = "^ke_hoach$"))]
    pub loai: String,
    /// Năm kế hoạch, ví dụ 2023.
    #[schemars(range(min = 2000, max = 2100))]
    pub nam: i32,
    /// Tên tỉnh, ví dụ "Đồng Nai".
    pub tinh: String,
    /// Thông tin để in báo cáo thành văn bản hành chính.
    pub van_ban: DocumentInfo,
    /// Danh mục đơn vị báo cáo của năm, theo thứ tự chính thức.
    pub don_vi: Vec<Unit>,
    /// Các nguồn kinh phí.
    pub nguon_kinh_phi: Vec<FundingSource>,
    /// Các chương trình và nội dung, theo thứ tự của kế hoạch.
    pub chuong_trinh: Vec<Programme>,
}

/// Thông tin văn bản báo cáo (đầu trang, chữ ký, nơi nhận).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DocumentInfo {
    /// Cơ quan chủ quản, chữ in hoa, ví dụ "SỞ CÔNG THƯƠNG TỈNH ĐỒNG NAI".
    pub co_quan_chu_quan: String,
    /// Cơ quan ban hành, chữ in hoa.
    pub co_quan_ban_hanh: String,
    /// Tên cơ quan ban hành viết thường, dùng trong câu văn.
    pub ten_co_quan: String,
    /// Số, ký hiệu văn bản (không có "Số:"), ví dụ "648/BC-KC&TV".
    pub so_ky_hieu: String,
    /// Địa danh ở dòng ngày tháng, ví dụ "Đồng Nai".
    pub dia_danh: String,
    /// Ngày ban hành báo cáo.
    pub ngay: Date,
    /// Trích yếu (dòng dưới tên loại văn bản).
    pub trich_yeu: String,
    /// Căn cứ (văn bản phê duyệt kế hoạch), trích ở câu mở đầu.
    pub can_cu: String,
    /// Quyền hạn, chức vụ người ký, ví dụ ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"].
    pub tham_quyen: Vec<String>,
    /// Họ tên người ký.
    pub nguoi_ky: String,
    /// Nơi nhận, không ghi "- " ở đầu và ";" ở cuối.
    pub noi_nhan: Vec<String>,
    /// Phần sau "Lưu:", ví dụ "VT, KC".
    pub luu: String,
    /// Đơn vị tiền của cả báo cáo: "dong" (mặc định), "nghin_dong" hoặc
    /// "trieu_dong". Số tiền bằng chữ vẫn tính bằng đồng.
    #[serde(default)]
    pub don_vi_tien: MoneyUnit,
}

/// Đơn vị in mọi số tiền của báo cáo. Số liệu và các tổng vẫn là đồng
/// nguyên; chỉ lúc in mới đổi đơn vị (làm tròn một lần).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MoneyUnit {
    /// Đồng.
    #[default]
    Dong,
    /// Nghìn đồng.
    NghinDong,
    /// Triệu đồng.
    TrieuDong,
}

impl MoneyUnit {
    /// Every unit with its JSON value, in documented order.
    pub const ALL: [(MoneyUnit, &'static str); 3] = [
        (MoneyUnit::Dong, "dong"),
        (MoneyUnit::NghinDong, "nghin_dong"),
        (MoneyUnit::TrieuDong, "trieu_dong"),
    ];

    /// The words printed after a figure and in table headers.
    pub fn label(self) -> &'static str {
        match self {
            MoneyUnit::Dong => "đồng",
            MoneyUnit::NghinDong => "nghìn đồng",
            MoneyUnit::TrieuDong => "triệu đồng",
        }
    }

    /// The unit whose label is `label`.
    pub fn from_label(label: &str) -> Option<MoneyUnit> {
        Self::ALL
            .iter()
            .map(|(u, _)| *u)
            .find(|u| u.label() == label)
    }

    /// Decimals a figure in this unit is printed with: whole đồng; nghìn
    /// and triệu đồng to two places.
    pub fn decimals(self) -> u32 {
        match self {
            MoneyUnit::Dong => 0,
            MoneyUnit::NghinDong | MoneyUnit::TrieuDong => 2,
        }
    }

    /// How many đồng one unit is.
    pub fn dong(self) -> u32 {
        match self {
            MoneyUnit::Dong => 1,
            MoneyUnit::NghinDong => 1_000,
            MoneyUnit::TrieuDong => 1_000_000,
        }
    }
}

/// Một đơn vị trong danh mục đơn vị báo cáo của năm.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Unit {
    /// Mã đơn vị (mã hành chính, hoặc mã ngắn cho Trung tâm, ví dụ "TTKC").
    pub ma: String,
    /// Tên đầy đủ, ví dụ "Huyện Nhơn Trạch".
    pub ten: String,
    // Cấp đơn vị. Not a doc comment: it would replace the schema's
    // description, which `unit_level_schema` writes with the list.
    #[schemars(schema_with = "unit_level_schema")]
    pub cap: String,
}

/// The `cap` of the province's own centre: a unit that is no area, so a
/// project it reports takes no place from it.
pub const CENTRE: &str = "trung_tam";

/// The values `cap` may take: the administrative levels that report (from
/// the province down to the commune, with the 2025 special zones) and the
/// province's own centre. The check and the JSON Schema both read this list.
pub const UNIT_LEVELS: [&str; 10] = [
    "tinh",
    "thanh_pho",
    "thi_xa",
    "huyen",
    "quan",
    "xa",
    "phuong",
    "thi_tran",
    "dac_khu",
    CENTRE,
];

/// How each level of `UNIT_LEVELS` begins a unit's name ("Huyện Vĩnh
/// Cửu"), in the same order; the centre's name begins with none.
pub const UNIT_LEVEL_WORDS: [&str; 10] = [
    "Tỉnh",
    "Thành phố",
    "Thị xã",
    "Huyện",
    "Quận",
    "Xã",
    "Phường",
    "Thị trấn",
    "Đặc khu",
    "",
];

fn unit_level_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    let schema = serde_json::json!({
        "description": format!("Cấp đơn vị, một trong: {}", UNIT_LEVELS.join(", ")),
        "type": "string",
        "enum": UNIT_LEVELS
    });
    serde_json::from_value(schema).expect("static schema is valid")
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FundingSource {
    /// Mã nguồn, ví dụ "dia_phuong".
    pub ma: String,
    /// Tên nguồn, ví dụ "Kinh phí khuyến công địa phương".
    pub ten: String,
    /// Loại nguồn (bắt buộc): ngân sách khuyến công ("dia_phuong",
    /// "quoc_gia") hay ngoài ngân sách ("doi_ung", "khac").
    pub loai: SourceKind,
}

/// What a funding source is: the khuyến công budget (counted in the
/// report's "kinh phí khuyến công") or money from outside it (shown apart,
/// never mixed in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Kinh phí khuyến công địa phương (ngân sách tỉnh, huyện, xã).
    DiaPhuong,
    /// Kinh phí khuyến công quốc gia.
    QuocGia,
    /// Vốn đối ứng của cơ sở thụ hưởng.
    DoiUng,
    /// Nguồn khác ngoài ngân sách khuyến công (vốn vay, tài trợ…).
    Khac,
}

impl SourceKind {
    /// Every kind with its JSON value, in documented order.
    pub const ALL: [(SourceKind, &'static str); 4] = [
        (SourceKind::DiaPhuong, "dia_phuong"),
        (SourceKind::QuocGia, "quoc_gia"),
        (SourceKind::DoiUng, "doi_ung"),
        (SourceKind::Khac, "khac"),
    ];

    /// Part of the khuyến công budget.
    pub fn is_budget(self) -> bool {
        matches!(self, SourceKind::DiaPhuong | SourceKind::QuocGia)
    }
}

/// The indicator code that counts projects: its result is the number of
/// the item's activities with `de_an`, never a typed quantity.
pub const PROJECT_COUNT: &str = "de_an";

/// Money split by funding source: source code → amount.
pub type Split = BTreeMap<String, Money>;

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Programme {
    /// Mã chương trình, cố định (số thứ tự trong báo cáo tự tính theo thứ tự).
    pub ma: String,
    /// Tên chương trình.
    pub ten: String,
    /// Các nội dung của chương trình.
    pub noi_dung: Vec<PlanItem>,
}

/// Một nội dung của kế hoạch.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PlanItem {
    /// Mã nội dung, duy nhất trong kế hoạch; báo cáo đơn vị ghi mã này.
    pub ma: String,
    /// Tên nội dung.
    pub ten: String,
    /// Câu kế hoạch (không ghi kinh phí; báo cáo tự thêm).
    pub ke_hoach: String,
    /// Các chỉ tiêu và số kế hoạch (có thể để trống `[]`).
    pub chi_tieu: Vec<Indicator>,
    /// Kinh phí kế hoạch (đồng): tổng mọi nguồn khi có `theo_nguon`.
    pub kinh_phi: Money,
    /// Mã nguồn kinh phí, khi cả nội dung chỉ có một nguồn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nguon: Option<String>,
    /// Kinh phí kế hoạch chia theo nguồn (mã nguồn → đồng), thay cho `nguon`;
    /// cộng lại phải đúng bằng `kinh_phi`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(default)]
    pub theo_nguon: Split,
    /// Lý do mặc định khi không đơn vị nào thực hiện nội dung.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ly_do_khong_thuc_hien: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Indicator {
    /// Mã chỉ tiêu, duy nhất trong nội dung.
    pub ma: String,
    /// Tên ngắn, ví dụ "học viên".
    pub ten: String,
    /// Đơn vị tính in sau con số, ví dụ "lượt học viên".
    pub don_vi_tinh: String,
    /// Số lượng kế hoạch.
    pub ke_hoach: Quantity,
}

/// Báo cáo năm của một đơn vị (`"loai": "bao_cao"`); gửi lại bản sửa thì
/// tăng `lan_nop`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, title = "Báo cáo kết quả khuyến công của đơn vị")]
pub struct Submission {
    /// Luôn là "bao_cao".
    #[schemars(regex(pattern = "^bao_cao$"))]
    pub loai: String,
    /// Năm báo cáo, phải trùng năm kế hoạch.
    #[schemars(range(min = 2000, max = 2100))]
    pub nam: i32,
    /// Mã đơn vị trong danh mục của kế hoạch.
    pub ma_don_vi: String,
    /// Lần nộp (1, 2...): lần cao nhất được tính.
    #[schemars(range(min = 1, max = 999))]
    pub lan_nop: u32,
    /// Ngày nộp báo cáo.
    pub ngay_nop: Date,
    /// Họ tên người lập báo cáo.
    pub nguoi_lap: String,
    /// Các hoạt động đã thực hiện, theo nội dung kế hoạch.
    pub hoat_dong: Vec<Activity>,
    /// Các nội dung kế hoạch đơn vị không thực hiện được.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub khong_thuc_hien: Vec<NotImplemented>,
    /// Các nhiệm vụ được giao ngoài kế hoạch.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub ngoai_ke_hoach: Vec<ExtraTask>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Activity {
    /// Mã nội dung kế hoạch.
    pub noi_dung: String,
    /// Một câu, không có dấu chấm cuối: đã làm gì.
    pub mo_ta: String,
    /// Số lượng đạt được theo mã chỉ tiêu của nội dung.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(default)]
    pub chi_tieu: BTreeMap<String, Quantity>,
    /// Kinh phí thực hiện (đồng): tổng mọi nguồn khi có `theo_nguon` (khi đó
    /// có thể bỏ, chương trình tự cộng).
    pub kinh_phi: Money,
    /// Mã nguồn kinh phí; bỏ trống thì lấy nguồn của nội dung.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nguon: Option<String>,
    /// Kinh phí chia theo nguồn (mã nguồn → đồng), thay cho `nguon`, ví dụ
    /// phần khuyến công hỗ trợ và vốn đối ứng của cơ sở.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(default)]
    pub theo_nguon: Split,
    /// Đề án mà hoạt động này thực hiện (hỗ trợ một cơ sở thụ hưởng).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub de_an: Option<Project>,
    /// Địa điểm thực hiện.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub dia_diem: Vec<String>,
    /// Ngày bắt đầu.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tu_ngay: Option<Date>,
    /// Ngày kết thúc (không trước `tu_ngay`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub den_ngay: Option<Date>,
    /// Ghi chú, viết thành câu đầy đủ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghi_chu: Option<String>,
}

/// Một đề án khuyến công: hỗ trợ một cơ sở thụ hưởng; kinh phí là kinh phí
/// của hoạt động.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Project {
    /// Tên đề án, ví dụ "Hỗ trợ ứng dụng máy chế biến hạt điều".
    pub ten: String,
    /// Cơ sở thụ hưởng, ví dụ "Cơ sở chế biến điều Hòa Phát".
    pub co_so: String,
    /// Tình trạng cuối năm.
    pub trang_thai: ProjectStatus,
}

/// Where a project stands at the end of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    /// Đã hoàn thành, nghiệm thu.
    HoanThanh,
    /// Đang thực hiện.
    DangThucHien,
    /// Chuyển tiếp sang năm sau.
    ChuyenTiep,
}

impl ProjectStatus {
    /// Every status with its JSON value and its words in the report.
    pub const ALL: [(ProjectStatus, &'static str, &'static str); 3] = [
        (
            ProjectStatus::HoanThanh,
            "hoan_thanh",
            "đã hoàn thành, nghiệm thu",
        ),
        (
            ProjectStatus::DangThucHien,
            "dang_thuc_hien",
            "đang thực hiện",
        ),
        (
            ProjectStatus::ChuyenTiep,
            "chuyen_tiep",
            "chuyển tiếp sang năm sau",
        ),
    ];

    pub fn label(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(k, ..)| *k == self)
            .map_or("", |(.., l)| l)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct NotImplemented {
    /// Mã nội dung kế hoạch.
    pub noi_dung: String,
    /// Lý do; bỏ trống thì lấy `ly_do_khong_thuc_hien` của kế hoạch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ly_do: Option<String>,
    /// Giải trình thêm, viết thành câu đầy đủ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghi_chu: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ExtraTask {
    /// Tên nhiệm vụ.
    pub ten: String,
    /// Các văn bản giao nhiệm vụ.
    pub can_cu: String,
    /// Kinh phí (đồng).
    pub kinh_phi: Money,
    /// true nếu kinh phí là số dự kiến.
    pub du_kien: bool,
    /// Mã nguồn kinh phí.
    pub nguon: String,
    /// Ghi chú, viết thành câu đầy đủ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghi_chu: Option<String>,
}

impl PlanItem {
    /// The item's source when all its money has one.
    pub fn sole_source(&self) -> Option<&str> {
        match (&self.nguon, self.theo_nguon.len()) {
            (Some(code), _) => Some(code),
            (None, 1) => self.theo_nguon.keys().next().map(String::as_str),
            _ => None,
        }
    }

    /// The planned money by source: the split, or the whole amount under
    /// the one source.
    pub fn split(&self) -> Split {
        split_of(self.kinh_phi, self.nguon.as_deref(), &self.theo_nguon)
    }
}

impl Activity {
    /// The money by source; an activity naming no source takes its item's
    /// one source (validation refuses that when the item has several).
    pub fn split(&self, item: &PlanItem) -> Split {
        let source = self.nguon.as_deref().or(item.sole_source());
        split_of(self.kinh_phi, source, &self.theo_nguon)
    }
}

fn split_of(total: Money, source: Option<&str>, split: &Split) -> Split {
    match source {
        Some(code) if split.is_empty() => Split::from([(code.to_string(), total)]),
        _ => split.clone(),
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Date {
    /// Đọc ngày dạng "YYYY-MM-DD", kiểm tra ngày có thật.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
        let (year, month, day) = (num(0..4)? as i32, num(5..7)?, num(8..10)?);
        (1..=days_in_month(year, month))
            .contains(&day)
            .then_some(Date { year, month, day })
    }
}

/// Days in a month of the Gregorian calendar; 0 for a month that does not exist.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

/// Ghi số nguyên thành số nguyên JSON (như trong tệp), số khác thành chuỗi,
/// để không con số nào đi qua số thực (float).
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

fn number_or_digits_schema(
    description: &str,
    number: &str,
    pattern: &str,
) -> schemars::schema::Schema {
    let schema = serde_json::json!({
        "description": description,
        "anyOf": [
            { "type": number, "minimum": 0 },
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
            "integer",
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
            "number",
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

/// Lookups into a plan by code, built once: a registry can list 100.000
/// units, so no check may search it linearly per submission.
pub struct PlanIndex<'p> {
    units: std::collections::HashMap<&'p str, (usize, &'p Unit)>,
    items: std::collections::HashMap<&'p str, &'p PlanItem>,
    sources: std::collections::HashMap<&'p str, SourceKind>,
}

impl Plan {
    pub fn index(&self) -> PlanIndex<'_> {
        PlanIndex {
            units: self
                .don_vi
                .iter()
                .enumerate()
                .map(|(i, u)| (u.ma.as_str(), (i, u)))
                .collect(),
            items: self
                .chuong_trinh
                .iter()
                .flat_map(|p| &p.noi_dung)
                .map(|i| (i.ma.as_str(), i))
                .collect(),
            sources: self
                .nguon_kinh_phi
                .iter()
                .map(|s| (s.ma.as_str(), s.loai))
                .collect(),
        }
    }
}

impl<'p> PlanIndex<'p> {
    /// A unit and its position in the registry.
    pub fn unit(&self, code: &str) -> Option<(usize, &'p Unit)> {
        self.units.get(code).copied()
    }
    pub fn item(&self, code: &str) -> Option<&'p PlanItem> {
        self.items.get(code).copied()
    }
    pub fn has_source(&self, code: &str) -> bool {
        self.sources.contains_key(code)
    }
    /// The kind of a declared source.
    pub fn source_kind(&self, code: &str) -> Option<SourceKind> {
        self.sources.get(code).copied()
    }
}
