//! The provincial summary: plan vs actual per item, programme, unit and
//! funding source, in exact decimals. This is also the template context, so
//! its field names are the Vietnamese variables clerks write in templates.

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::contract::{
    Date, DocumentInfo, FundingSource, Indicator, MoneyUnit, Plan, PlanIndex, PlanItem,
    ProjectStatus, SourceKind, Split, CENTRE, PROJECT_COUNT,
};
use crate::validate::Dataset;

/// Serialises a decimal as a number, so templates can compare, sort and
/// compute: an integer when whole (every amount of money: whole đồng, exact),
/// otherwise the nearest `f64` (rates, fractional quantities). The filters
/// read an `f64` back through its shortest decimal form, which is the exact
/// value whenever that has at most 15 significant digits (see
/// docs/mau-bao-cao.md, "Làm tròn").
fn exact<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    match i128::try_from(*d) {
        Ok(n) if d.fract().is_zero() => s.serialize_i128(n),
        // The decimal text parses to the correctly rounded nearest f64.
        _ => s.serialize_f64(
            d.normalize()
                .to_string()
                .parse()
                .expect("a decimal's text is an f64 literal"),
        ),
    }
}

fn exact_opts<S: serde::Serializer>(v: &[Option<Decimal>], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    #[derive(Serialize)]
    struct Exact(#[serde(serialize_with = "exact_opt")] Option<Decimal>);
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for d in v {
        seq.serialize_element(&Exact(*d))?;
    }
    seq.end()
}

fn exact_opt<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => exact(d, s),
        None => s.serialize_none(),
    }
}

/// Planned vs actual amount (money or quantity).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figures {
    #[serde(serialize_with = "exact")]
    pub ke_hoach: Decimal,
    #[serde(serialize_with = "exact")]
    pub thuc_hien: Decimal,
    /// thuc_hien − ke_hoach.
    #[serde(serialize_with = "exact")]
    pub chenh_lech: Decimal,
    /// thuc_hien / ke_hoach × 100, unrounded; null when nothing was planned.
    #[serde(serialize_with = "exact_opt")]
    pub ty_le: Option<Decimal>,
}

impl Figures {
    pub fn new(ke_hoach: Decimal, thuc_hien: Decimal) -> Self {
        Figures {
            ke_hoach,
            thuc_hien,
            chenh_lech: thuc_hien - ke_hoach,
            ty_le: crate::format::ty_le(thuc_hien, ke_hoach),
        }
    }
}

/// Money by funding source, plan and actual, keyed by the source's place
/// in the plan: every level (activity, item, programme, unit, total) is a
/// ledger, and each figure the report prints is read off one.
#[derive(Debug, Clone, Default, PartialEq)]
struct Ledger(BTreeMap<usize, (Decimal, Decimal)>);

impl Ledger {
    fn add(&mut self, other: &Ledger) {
        for (&source, &(planned, actual)) in &other.0 {
            let entry = self.0.entry(source).or_default();
            entry.0 += planned;
            entry.1 += actual;
        }
    }

    /// Plan and actual over the sources `wanted` keeps.
    fn figures(&self, sources: &[FundingSource], wanted: impl Fn(SourceKind) -> bool) -> Figures {
        let (mut planned, mut actual) = (Decimal::ZERO, Decimal::ZERO);
        for (&source, &(p, a)) in &self.0 {
            if wanted(sources[source].loai) {
                planned += p;
                actual += a;
            }
        }
        Figures::new(planned, actual)
    }

    /// The three headline figures of a ledger.
    fn money(&self, sources: &[FundingSource]) -> Money {
        Money {
            kinh_phi: self.figures(sources, SourceKind::is_budget),
            ngoai_ngan_sach: self.figures(sources, |k| !k.is_budget()),
            tong_kinh_phi: self.figures(sources, |_| true),
        }
    }

    /// Each source with money, in plan order.
    fn by_source(&self, sources: &[FundingSource]) -> Vec<SourceSummary> {
        self.0
            .iter()
            .filter(|(_, (p, a))| !p.is_zero() || !a.is_zero())
            .map(|(&i, &(p, a))| SourceSummary::new(&sources[i], Figures::new(p, a)))
            .collect()
    }
}

/// A source's place in the plan.
fn source_at(plan: &Plan, code: &str) -> usize {
    plan.nguon_kinh_phi
        .iter()
        .position(|s| s.ma == code)
        .expect("validation checked every source code")
}

fn planned(plan: &Plan, split: &Split) -> Ledger {
    Ledger(
        split
            .iter()
            .map(|(code, m)| (source_at(plan, code), (m.0, Decimal::ZERO)))
            .collect(),
    )
}

fn spent(plan: &Plan, split: &Split) -> Ledger {
    Ledger(
        split
            .iter()
            .map(|(code, m)| (source_at(plan, code), (Decimal::ZERO, m.0)))
            .collect(),
    )
}

/// The khuyến công budget apart from the money outside it: the report's
/// "kinh phí khuyến công" is `kinh_phi` alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Money {
    /// Khuyến công budget (local and national sources).
    pub kinh_phi: Figures,
    /// Counterpart funds and other money outside the budget.
    pub ngoai_ngan_sach: Figures,
    /// Both together.
    pub tong_kinh_phi: Figures,
}

/// One source's share of an amount actually spent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceAmount {
    pub ma: String,
    pub ten: String,
    pub loai: SourceKind,
    pub ngan_sach: bool,
    #[serde(serialize_with = "exact")]
    pub so_tien: Decimal,
}

/// How an item went, against its indicator targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every target met and at least one exceeded.
    Vuot,
    /// Every target met (or no countable target, and something was done).
    Dat,
    /// Some target not met.
    ChuaDat,
    /// Nothing done.
    KhongThucHien,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Vuot => "vượt",
            Status::Dat => "đạt",
            Status::ChuaDat => "chưa đạt",
            Status::KhongThucHien => "không thực hiện",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub nam: i32,
    pub tinh: String,
    /// The plan's document information, as written in the plan file.
    pub van_ban: DocumentInfo,
    /// The money unit's words ("triệu đồng"): table headers print it, and
    /// the `tien` filter converts to it, so the two cannot disagree.
    pub don_vi_tien: &'static str,
    /// Programmes with their items, in plan order.
    pub chuong_trinh: Vec<ProgrammeSummary>,
    /// Items nobody implemented, numbered (1), (2)...
    pub khong_thuc_hien: NotImplementedSummary,
    /// Tasks outside the plan, in registry order of the units that sent them.
    pub ngoai_ke_hoach: Vec<ExtraSummary>,
    /// Per unit of the registry (including those that sent nothing).
    pub don_vi: Vec<UnitSummary>,
    /// Units of the registry that sent nothing, in registry order.
    pub don_vi_chua_nop: Vec<crate::contract::Unit>,
    /// Per funding source, plan vs actual (sources with no money left out).
    pub theo_nguon: Vec<SourceSummary>,
    /// Whole plan.
    pub tong: TotalSummary,
    /// The project annex: every project, by programme and item.
    pub phu_luc: Annex,
    /// Earlier revisions that were replaced (never counted).
    pub ban_thay_the: Vec<SupersededSummary>,
    /// The summary tables whose rows, rounded to the money unit, do not
    /// add up to their rounded totals.
    pub lam_tron: Rounding,
}

/// Which tables need the note that their figures are rounded: those whose
/// rows, converted to the report's money unit and rounded, do not add up
/// to their total, itself the exact total rounded once. Never in đồng.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Rounding {
    /// Bảng 1: programmes to the total, items to their programme (budget
    /// plan and actual).
    pub chuong_trinh: bool,
    /// Bảng 2: sources to their group and the groups to the total.
    pub nguon: bool,
    /// Bảng 3: units to the total.
    pub don_vi: bool,
    /// The annex: projects to their item, items to their programme,
    /// programmes to the total.
    pub phu_luc: bool,
}

/// A date as templates use it: `{{ d.iso }}`, `{{ d | ngay }}`, `{{ d.nam }}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DateContext {
    pub iso: Date,
    pub ngay: u32,
    pub thang: u32,
    pub nam: i32,
}

impl From<Date> for DateContext {
    fn from(d: Date) -> Self {
        DateContext {
            iso: d,
            ngay: d.day,
            thang: d.month,
            nam: d.year,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgrammeSummary {
    /// Number in section I ("1", "2"...), empty when the programme has no
    /// item to report there.
    pub so: String,
    pub ma: String,
    pub ten: String,
    #[serde(flatten)]
    pub tien: Money,
    pub theo_nguon: Vec<SourceSummary>,
    /// Every item of the programme, in plan order.
    pub noi_dung: Vec<ItemSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemSummary {
    /// Number in section I ("1.1", or "2" when it is its programme's only
    /// reported item); empty when it is not reported there.
    pub so: String,
    pub ma: String,
    pub ten: String,
    /// The plan sentence.
    pub ke_hoach: String,
    pub chi_tieu: Vec<IndicatorSummary>,
    /// `kinh_phi`: the khuyến công budget; `ngoai_ngan_sach`, `tong_kinh_phi`.
    #[serde(flatten)]
    pub tien: Money,
    /// Each source with money planned or spent, in plan order.
    pub theo_nguon: Vec<SourceSummary>,
    /// The sources with money planned, and those with money spent: more
    /// than one is where the text says "trong đó …".
    pub nguon_ke_hoach: Vec<SourceSummary>,
    pub nguon_thuc_hien: Vec<SourceSummary>,
    pub trang_thai: &'static str,
    pub trang_thai_ma: Status,
    /// Each activity of each unit, in registry order.
    pub hoat_dong: Vec<ActivitySummary>,
    /// Names of the units that took part, in registry order, once each.
    pub don_vi: Vec<String>,
    /// Each unit's figures for the item (its activities added up).
    pub theo_don_vi: Vec<UnitFigures>,
    /// Distinct descriptions of the activities that are not projects, in
    /// order, each with the places where it was done.
    pub mo_ta: Vec<Description>,
    /// Distinct places, in order.
    pub dia_diem: Vec<String>,
    /// Notes of the activities that are not projects, in order (a
    /// project's note stays with its project).
    pub ghi_chu: Vec<String>,
    /// The projects of the item, in registry order of their units.
    pub de_an: Vec<ProjectSummary>,
    /// When not implemented: the reason, and the units' explanations.
    pub ly_do_khong_thuc_hien: Option<String>,
    pub ghi_chu_khong_thuc_hien: Vec<String>,
    /// Units that declared the item not implemented (when others did carry
    /// it out, the text names them in the item's paragraph).
    pub don_vi_khong_thuc_hien: Vec<UnitNotImplemented>,
    /// The units' rows (`theo_don_vi`), rounded to the money unit, do not
    /// add up to the item's rounded actual amounts.
    pub lam_tron: bool,
}

/// A unit's declaration that it did not carry out an item others did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitNotImplemented {
    pub ma_don_vi: String,
    pub don_vi: String,
    pub ly_do: Option<String>,
    pub ghi_chu: Option<String>,
}

/// One project (đề án): an activity that supports one beneficiary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectSummary {
    /// Number in the annex (1, 2… across the whole annex).
    pub stt: usize,
    pub ten: String,
    pub co_so: String,
    pub ma_don_vi: String,
    pub don_vi: String,
    pub dia_diem: Vec<String>,
    /// Where the project was carried out, as printed: its places ("A, B
    /// và C"), else the area of the unit that reports it; none for a
    /// unit that is no area (the centre), printed "—" in tables.
    pub noi_thuc_hien: Option<String>,
    pub mo_ta: String,
    pub trang_thai: &'static str,
    pub trang_thai_ma: ProjectStatus,
    /// `kinh_phi` (khuyến công support), `ngoai_ngan_sach`, `tong_kinh_phi`:
    /// amounts spent.
    #[serde(flatten)]
    pub tien: Amounts,
    pub theo_nguon: Vec<SourceAmount>,
    pub ghi_chu: Option<String>,
}

/// Amounts spent: the khuyến công budget, the money outside it, and both.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Amounts {
    #[serde(serialize_with = "exact")]
    pub kinh_phi: Decimal,
    #[serde(serialize_with = "exact")]
    pub ngoai_ngan_sach: Decimal,
    #[serde(serialize_with = "exact")]
    pub tong_kinh_phi: Decimal,
}

impl Amounts {
    fn of(money: &Money) -> Self {
        Amounts {
            kinh_phi: money.kinh_phi.thuc_hien,
            ngoai_ngan_sach: money.ngoai_ngan_sach.thuc_hien,
            tong_kinh_phi: money.tong_kinh_phi.thuc_hien,
        }
    }

    fn add(&mut self, other: &Amounts) {
        self.kinh_phi += other.kinh_phi;
        self.ngoai_ngan_sach += other.ngoai_ngan_sach;
        self.tong_kinh_phi += other.tong_kinh_phi;
    }
}

/// The project annex ("Phụ lục"): projects grouped by programme and item,
/// with subtotals. Empty when no activity describes a project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Annex {
    pub so_de_an: usize,
    pub chuong_trinh: Vec<AnnexProgramme>,
    #[serde(flatten)]
    pub tong: Amounts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnexProgramme {
    /// "I", "II"… in the annex.
    pub so: String,
    pub ma: String,
    pub ten: String,
    pub so_de_an: usize,
    pub noi_dung: Vec<AnnexItem>,
    #[serde(flatten)]
    pub tong: Amounts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnexItem {
    /// The item's number in section I of the report.
    pub so: String,
    pub ma: String,
    pub ten: String,
    pub de_an: Vec<ProjectSummary>,
    #[serde(flatten)]
    pub tong: Amounts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorSummary {
    pub ma: String,
    pub ten: String,
    pub don_vi_tinh: String,
    /// What to print after the number: the name when it starts with the
    /// unit of measure ("sản phẩm được công nhận cấp tỉnh"), else the unit.
    pub nhan: String,
    #[serde(flatten)]
    pub so_lieu: Figures,
    /// False when no activity reported this indicator.
    pub co_so_lieu: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivitySummary {
    pub ma_don_vi: String,
    pub don_vi: String,
    pub lan_nop: u32,
    pub mo_ta: String,
    /// Quantities in the item's indicator order (only those reported).
    pub chi_tieu: Vec<ActivityQuantity>,
    /// `kinh_phi` (khuyến công budget), `ngoai_ngan_sach`, `tong_kinh_phi`
    /// (the split by source is the item's and, for a project, the
    /// project's: one copy per activity would make a national context
    /// heavy for nothing).
    #[serde(flatten)]
    pub tien: Amounts,
    pub dia_diem: Vec<String>,
    pub tu_ngay: Option<DateContext>,
    pub den_ngay: Option<DateContext>,
    pub ghi_chu: Option<String>,
}

/// What was done (one distinct description) and where.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Description {
    pub noi_dung: String,
    pub dia_diem: Vec<String>,
}

/// One unit's share of an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitFigures {
    pub ma_don_vi: String,
    pub don_vi: String,
    /// Per indicator of the item, in plan order; null where not reported.
    #[serde(serialize_with = "exact_opts")]
    pub chi_tieu: Vec<Option<Decimal>>,
    #[serde(flatten)]
    pub tien: Amounts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityQuantity {
    pub ma: String,
    pub ten: String,
    pub don_vi_tinh: String,
    pub nhan: String,
    #[serde(serialize_with = "exact")]
    pub thuc_hien: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotImplementedSummary {
    pub so_luong: usize,
    pub noi_dung: Vec<NotImplementedItem>,
    /// Reasons, each with the numbers of the items it explains, in order of
    /// first appearance.
    pub nguyen_nhan: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotImplementedItem {
    pub so: usize,
    pub ma: String,
    pub ten: String,
    /// The item's number in section I; empty when it is not reported
    /// there (no budget), so its notes belong here.
    pub so_noi_dung: String,
    pub ly_do: String,
    /// The units that declared it not implemented, with their notes.
    pub don_vi: Vec<UnitNotImplemented>,
    #[serde(serialize_with = "exact")]
    pub kinh_phi_ke_hoach: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub ly_do: String,
    pub noi_dung: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtraSummary {
    pub so: usize,
    pub ma_don_vi: String,
    pub don_vi: String,
    pub ten: String,
    pub can_cu: String,
    #[serde(serialize_with = "exact")]
    pub kinh_phi: Decimal,
    pub du_kien: bool,
    pub nguon: String,
    pub ghi_chu: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitSummary {
    pub ma: String,
    pub ten: String,
    pub cap: String,
    pub co_bao_cao: bool,
    pub lan_nop: Option<u32>,
    pub ngay_nop: Option<DateContext>,
    pub nguoi_lap: Option<String>,
    pub tep: Option<String>,
    /// Number of activities reported.
    pub so_hoat_dong: usize,
    /// Number of projects among them.
    pub so_de_an: usize,
    /// Actual cost of the unit's plan activities: `kinh_phi` (khuyến công
    /// budget), `ngoai_ngan_sach`, `tong_kinh_phi`.
    #[serde(flatten)]
    pub tien: Amounts,
    /// Actual cost of its out-of-plan tasks.
    #[serde(serialize_with = "exact")]
    pub kinh_phi_ngoai_ke_hoach: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceSummary {
    pub ma: String,
    pub ten: String,
    pub loai: SourceKind,
    /// Part of the khuyến công budget.
    pub ngan_sach: bool,
    #[serde(flatten)]
    pub kinh_phi: Figures,
}

impl SourceSummary {
    fn new(source: &FundingSource, kinh_phi: Figures) -> Self {
        SourceSummary {
            ma: source.ma.clone(),
            ten: source.ten.clone(),
            loai: source.loai,
            ngan_sach: source.loai.is_budget(),
            kinh_phi,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalSummary {
    /// The khuyến công budget (`ke_hoach`, `thuc_hien`, `ty_le` at the top
    /// level, as before sources had kinds).
    #[serde(flatten)]
    pub kinh_phi: Figures,
    /// Counterpart funds and other money outside the budget.
    pub ngoai_ngan_sach: Figures,
    /// Both together.
    pub tong_kinh_phi: Figures,
    /// Whether any money outside the budget was planned or spent: the
    /// report then shows the budget and the total apart.
    pub co_ngoai_ngan_sach: bool,
    #[serde(serialize_with = "exact")]
    pub ngoai_ke_hoach: Decimal,
    pub so_noi_dung: usize,
    pub so_don_vi: usize,
    pub so_don_vi_bao_cao: usize,
    pub so_vuot: usize,
    pub so_dat: usize,
    pub so_chua_dat: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupersededSummary {
    pub ma_don_vi: String,
    pub don_vi: String,
    pub lan_nop: u32,
    pub tep: String,
}

/// A total that does not add up: a bug in this program, never in the data.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("lỗi nội bộ khi tự kiểm tra tổng số: {what} là {got} nhưng cộng các phần được {expected}; xin báo lỗi này cho người phát triển")]
pub struct SumMismatch {
    pub what: String,
    pub got: Decimal,
    pub expected: Decimal,
}

fn unit_name<'a>(index: &PlanIndex<'a>, code: &'a str) -> &'a str {
    index.unit(code).map_or(code, |(_, u)| u.ten.as_str())
}

/// Distinct strings in first-seen order, without quadratic searching.
#[derive(Default)]
struct Distinct {
    list: Vec<String>,
    seen: HashSet<String>,
}

impl Distinct {
    fn push(&mut self, value: &str) {
        if self.seen.insert(value.to_string()) {
            self.list.push(value.to_string());
        }
    }
}

/// Builds the summary and checks that every total adds up.
pub fn summarise(data: &Dataset) -> Result<Summary, SumMismatch> {
    let plan = &data.plan.value;
    let sources = &plan.nguon_kinh_phi;
    let units = &plan.don_vi;
    let index = plan.index();
    let zero = Decimal::ZERO;

    // Who declared which item not implemented, with what.
    let mut declared: BTreeMap<&str, Vec<UnitNotImplemented>> = BTreeMap::new();
    for s in &data.submissions {
        for n in &s.value.khong_thuc_hien {
            declared
                .entry(n.noi_dung.as_str())
                .or_default()
                .push(UnitNotImplemented {
                    ma_don_vi: s.value.ma_don_vi.clone(),
                    don_vi: unit_name(&index, &s.value.ma_don_vi).to_string(),
                    ly_do: n.ly_do.clone(),
                    ghi_chu: n.ghi_chu.clone(),
                });
        }
    }

    // Items are independent: each scans the submissions, in parallel.
    let plan_items: Vec<&PlanItem> = plan.chuong_trinh.iter().flat_map(|p| &p.noi_dung).collect();
    let large = data.submissions.len() >= crate::par::PARALLEL_FROM;
    let no_declarations = Vec::new();
    let summarised: Vec<(ItemSummary, Ledger)> = crate::par::map_if(large, &plan_items, |item| {
        let declared = declared.get(item.ma.as_str()).unwrap_or(&no_declarations);
        summarise_item(item, data, &index, declared)
    });
    let mut summarised = summarised.into_iter();
    let mut programmes = Vec::new();
    let mut total = Ledger::default();
    let mut not_implemented = Vec::new();
    let mut numbering = SectionNumbers::default();
    for prog in &plan.chuong_trinh {
        let (mut items, ledgers): (Vec<ItemSummary>, Vec<Ledger>) =
            summarised.by_ref().take(prog.noi_dung.len()).unzip();
        let mut ledger = Ledger::default();
        ledgers.iter().for_each(|l| ledger.add(l));
        total.add(&ledger);
        let shown: Vec<bool> = items
            .iter()
            .map(|i| in_section_one(i.tien.tong_kinh_phi.ke_hoach, !i.hoat_dong.is_empty()))
            .collect();
        let (so, numbers) = numbering.programme(&shown);
        for (item, number) in items.iter_mut().zip(numbers) {
            item.so = number;
        }
        not_implemented.extend(
            items
                .iter()
                .filter(|i| i.trang_thai_ma == Status::KhongThucHien)
                .cloned(),
        );
        programmes.push(ProgrammeSummary {
            so,
            ma: prog.ma.clone(),
            ten: prog.ten.clone(),
            tien: ledger.money(sources),
            theo_nguon: ledger.by_source(sources),
            noi_dung: items,
        });
    }

    let khong_thuc_hien = not_implemented_summary(&not_implemented);

    let mut extras = Vec::new();
    for s in &data.submissions {
        for t in &s.value.ngoai_ke_hoach {
            extras.push(ExtraSummary {
                so: extras.len() + 1,
                ma_don_vi: s.value.ma_don_vi.clone(),
                don_vi: unit_name(&index, &s.value.ma_don_vi).to_string(),
                ten: t.ten.clone(),
                can_cu: t.can_cu.clone(),
                kinh_phi: t.kinh_phi.0,
                du_kien: t.du_kien,
                nguon: t.nguon.clone(),
                ghi_chu: t.ghi_chu.clone(),
            });
        }
    }

    let by_unit: HashMap<&str, &crate::validate::Loaded<crate::contract::Submission>> = data
        .submissions
        .iter()
        .map(|s| (s.value.ma_don_vi.as_str(), s))
        .collect();
    let don_vi: Vec<UnitSummary> = units
        .iter()
        .map(|u| {
            let sub = by_unit.get(u.ma.as_str()).copied();
            let mut ledger = Ledger::default();
            let mut extra = zero;
            if let Some(s) = sub {
                for a in &s.value.hoat_dong {
                    let item = index.item(&a.noi_dung).expect("validated item code");
                    ledger.add(&spent(plan, &a.split(item)));
                }
                extra = s.value.ngoai_ke_hoach.iter().map(|t| t.kinh_phi.0).sum();
            }
            UnitSummary {
                ma: u.ma.clone(),
                ten: u.ten.clone(),
                cap: u.cap.clone(),
                co_bao_cao: sub.is_some(),
                lan_nop: sub.map(|s| s.value.lan_nop),
                ngay_nop: sub.map(|s| s.value.ngay_nop.into()),
                nguoi_lap: sub.map(|s| s.value.nguoi_lap.clone()),
                tep: sub.map(|s| s.path.display().to_string()),
                so_hoat_dong: sub.map_or(0, |s| s.value.hoat_dong.len()),
                so_de_an: sub.map_or(0, |s| {
                    s.value
                        .hoat_dong
                        .iter()
                        .filter(|a| a.de_an.is_some())
                        .count()
                }),
                tien: Amounts::of(&ledger.money(sources)),
                kinh_phi_ngoai_ke_hoach: extra,
            }
        })
        .collect();

    let all_items = || programmes.iter().flat_map(|p| &p.noi_dung);
    let count = |s: Status| all_items().filter(|i| i.trang_thai_ma == s).count();
    let money = total.money(sources);
    let tong = TotalSummary {
        kinh_phi: money.kinh_phi,
        ngoai_ngan_sach: money.ngoai_ngan_sach,
        co_ngoai_ngan_sach: !money.ngoai_ngan_sach.ke_hoach.is_zero()
            || !money.ngoai_ngan_sach.thuc_hien.is_zero(),
        tong_kinh_phi: money.tong_kinh_phi,
        ngoai_ke_hoach: extras.iter().map(|e| e.kinh_phi).sum(),
        so_noi_dung: all_items().count(),
        so_don_vi: units.len(),
        so_don_vi_bao_cao: data.submissions.len(),
        so_vuot: count(Status::Vuot),
        so_dat: count(Status::Dat),
        so_chua_dat: count(Status::ChuaDat),
    };
    let theo_nguon = total.by_source(sources);
    let phu_luc = annex(&mut programmes);

    let ban_thay_the = data
        .superseded
        .iter()
        .map(|s| SupersededSummary {
            ma_don_vi: s.value.ma_don_vi.clone(),
            don_vi: unit_name(&index, &s.value.ma_don_vi).to_string(),
            lan_nop: s.value.lan_nop,
            tep: s.path.display().to_string(),
        })
        .collect();

    let mut summary = Summary {
        nam: plan.nam,
        tinh: plan.tinh.clone(),
        van_ban: DocumentInfo {
            so_ky_hieu: crate::format::so_ky_hieu(&plan.van_ban.so_ky_hieu),
            ..plan.van_ban.clone()
        },
        don_vi_tien: plan.van_ban.don_vi_tien.label(),
        chuong_trinh: programmes,
        khong_thuc_hien,
        ngoai_ke_hoach: extras,
        don_vi,
        don_vi_chua_nop: data.missing_units().into_iter().cloned().collect(),
        theo_nguon,
        tong,
        phu_luc,
        ban_thay_the,
        lam_tron: Rounding::default(),
    };
    note_rounding(&mut summary, plan.van_ban.don_vi_tien);
    self_check(&summary, data)?;
    Ok(summary)
}

/// Sets the rounding flags of the summary tables (`Rounding`) and of each
/// item's table of units.
fn note_rounding(s: &mut Summary, unit: MoneyUnit) {
    use crate::format::lech_lam_tron;
    // Plan and actual of `rows` against those of `total`.
    let figures = |rows: &[&Figures], total: &Figures| {
        lech_lam_tron(rows.iter().map(|f| f.ke_hoach), total.ke_hoach, unit)
            || lech_lam_tron(rows.iter().map(|f| f.thuc_hien), total.thuc_hien, unit)
    };
    let amounts = |rows: &[&Amounts], total: &Amounts| {
        lech_lam_tron(rows.iter().map(|a| a.kinh_phi), total.kinh_phi, unit)
            || lech_lam_tron(
                rows.iter().map(|a| a.ngoai_ngan_sach),
                total.ngoai_ngan_sach,
                unit,
            )
            || lech_lam_tron(
                rows.iter().map(|a| a.tong_kinh_phi),
                total.tong_kinh_phi,
                unit,
            )
    };
    let shown: Vec<&ProgrammeSummary> =
        s.chuong_trinh.iter().filter(|p| !p.so.is_empty()).collect();
    let programmes: Vec<&Figures> = shown.iter().map(|p| &p.tien.kinh_phi).collect();
    let chuong_trinh = figures(&programmes, &s.tong.kinh_phi)
        || shown.iter().any(|p| {
            let items: Vec<&Figures> = p
                .noi_dung
                .iter()
                .filter(|i| !i.so.is_empty() && i.so != p.so)
                .map(|i| &i.tien.kinh_phi)
                .collect();
            !items.is_empty() && figures(&items, &p.tien.kinh_phi)
        });
    let sources = |budget: bool| -> Vec<&Figures> {
        s.theo_nguon
            .iter()
            .filter(|n| n.ngan_sach == budget)
            .map(|n| &n.kinh_phi)
            .collect()
    };
    let t = &s.tong;
    let nguon = figures(&sources(true), &t.kinh_phi)
        || figures(&sources(false), &t.ngoai_ngan_sach)
        || figures(&[&t.kinh_phi, &t.ngoai_ngan_sach], &t.tong_kinh_phi);
    let units: Vec<&Amounts> = s.don_vi.iter().map(|u| &u.tien).collect();
    let spent = Amounts::of(&Money {
        kinh_phi: t.kinh_phi,
        ngoai_ngan_sach: t.ngoai_ngan_sach,
        tong_kinh_phi: t.tong_kinh_phi,
    });
    let don_vi = amounts(&units, &spent);
    let a = &s.phu_luc;
    let groups: Vec<&Amounts> = a.chuong_trinh.iter().map(|g| &g.tong).collect();
    let phu_luc = amounts(&groups, &a.tong)
        || a.chuong_trinh.iter().any(|g| {
            let items: Vec<&Amounts> = g.noi_dung.iter().map(|i| &i.tong).collect();
            amounts(&items, &g.tong)
                || g.noi_dung.iter().any(|i| {
                    let projects: Vec<&Amounts> = i.de_an.iter().map(|d| &d.tien).collect();
                    amounts(&projects, &i.tong)
                })
        });
    s.lam_tron = Rounding {
        chuong_trinh,
        nguon,
        don_vi,
        phu_luc,
    };
    for item in s.chuong_trinh.iter_mut().flat_map(|p| &mut p.noi_dung) {
        let rows: Vec<&Amounts> = item.theo_don_vi.iter().map(|u| &u.tien).collect();
        item.lam_tron = amounts(&rows, &Amounts::of(&item.tien));
    }
}

/// Section I reports the items with a budget or with activity.
fn in_section_one(planned: Decimal, has_activity: bool) -> bool {
    !planned.is_zero() || has_activity
}

/// Section I's numbering, one programme after the other: a programme with
/// an item to show gets the next number, its items "1.1", "1.2"… (or just
/// "1" when it shows one), the others "". The units' forms number their
/// drop-down with it, so an officer picks "1.1" as the report will print it.
#[derive(Default)]
pub struct SectionNumbers {
    programmes: usize,
}

impl SectionNumbers {
    /// The programme's number and its items' numbers; `shown` says which
    /// items section I shows.
    pub fn programme(&mut self, shown: &[bool]) -> (String, Vec<String>) {
        let count = shown.iter().filter(|&&s| s).count();
        if count == 0 {
            return (String::new(), vec![String::new(); shown.len()]);
        }
        self.programmes += 1;
        let so = self.programmes.to_string();
        let mut n = 0;
        let numbers = shown
            .iter()
            .map(|&s| match (s, count) {
                (false, _) => String::new(),
                (true, 1) => so.clone(),
                (true, _) => {
                    n += 1;
                    format!("{so}.{n}")
                }
            })
            .collect();
        (so, numbers)
    }
}

/// Each plan item's number in section I as it stands before any unit
/// reports (items with a budget), in plan order, keyed by item code.
pub fn plan_numbers(plan: &Plan) -> HashMap<&str, String> {
    let mut numbering = SectionNumbers::default();
    let mut numbers = HashMap::new();
    for prog in &plan.chuong_trinh {
        let shown: Vec<bool> = prog
            .noi_dung
            .iter()
            .map(|i| in_section_one(i.kinh_phi.0, false))
            .collect();
        let (_, item_numbers) = numbering.programme(&shown);
        for (item, number) in prog.noi_dung.iter().zip(item_numbers) {
            numbers.insert(item.ma.as_str(), number);
        }
    }
    numbers
}

/// Numbers the projects 1, 2… in plan order and groups them for the annex.
fn annex(programmes: &mut [ProgrammeSummary]) -> Annex {
    let mut stt = 0;
    let mut groups = Vec::new();
    let mut total = Amounts::default();
    for prog in programmes.iter_mut() {
        let mut items = Vec::new();
        let mut prog_total = Amounts::default();
        for item in prog.noi_dung.iter_mut().filter(|i| !i.de_an.is_empty()) {
            let mut item_total = Amounts::default();
            for p in &mut item.de_an {
                stt += 1;
                p.stt = stt;
                item_total.add(&p.tien);
            }
            prog_total.add(&item_total);
            items.push(AnnexItem {
                so: item.so.clone(),
                ma: item.ma.clone(),
                ten: item.ten.clone(),
                de_an: item.de_an.clone(),
                tong: item_total,
            });
        }
        if items.is_empty() {
            continue;
        }
        total.add(&prog_total);
        groups.push(AnnexProgramme {
            // Roman numerals stop at 3999; a plan never has that many programmes.
            so: crate::format::so_la_ma(groups.len() as u64 + 1)
                .unwrap_or_else(|_| (groups.len() + 1).to_string()),
            ma: prog.ma.clone(),
            ten: prog.ten.clone(),
            so_de_an: items.iter().map(|i| i.de_an.len()).sum(),
            noi_dung: items,
            tong: prog_total,
        });
    }
    Annex {
        so_de_an: stt,
        chuong_trinh: groups,
        tong: total,
    }
}

fn summarise_item(
    item: &PlanItem,
    data: &Dataset,
    index: &PlanIndex,
    declared: &[UnitNotImplemented],
) -> (ItemSummary, Ledger) {
    let plan = &data.plan.value;
    let sources = &plan.nguon_kinh_phi;
    let mut ledger = planned(plan, &item.split());
    let mut hoat_dong = Vec::new();
    let mut de_an = Vec::new();
    let (mut don_vi, mut dia_diem, mut ghi_chu) =
        (Distinct::default(), Distinct::default(), Vec::new());
    // Each description with its places, and where it is in the list.
    let mut mo_ta: Vec<(String, Distinct)> = Vec::new();
    let mut mo_ta_at: HashMap<&str, usize> = HashMap::new();
    // Submissions are in registry order already.
    for s in &data.submissions {
        for a in s.value.hoat_dong.iter().filter(|a| a.noi_dung == item.ma) {
            let name = unit_name(index, &s.value.ma_don_vi);
            don_vi.push(name);
            for p in &a.dia_diem {
                dia_diem.push(p);
            }
            let split = spent(plan, &a.split(item));
            ledger.add(&split);
            let tien = Amounts::of(&split.money(sources));
            match &a.de_an {
                Some(project) => de_an.push(ProjectSummary {
                    stt: 0,
                    ten: project.ten.clone(),
                    co_so: project.co_so.clone(),
                    ma_don_vi: s.value.ma_don_vi.clone(),
                    don_vi: name.to_string(),
                    dia_diem: a.dia_diem.clone(),
                    noi_thuc_hien: place(&a.dia_diem, index, &s.value.ma_don_vi),
                    mo_ta: a.mo_ta.clone(),
                    trang_thai: project.trang_thai.label(),
                    trang_thai_ma: project.trang_thai,
                    tien,
                    theo_nguon: split
                        .0
                        .iter()
                        .map(|(&i, &(_, amount))| SourceAmount {
                            ma: sources[i].ma.clone(),
                            ten: sources[i].ten.clone(),
                            loai: sources[i].loai,
                            ngan_sach: sources[i].loai.is_budget(),
                            so_tien: amount,
                        })
                        .collect(),
                    ghi_chu: a.ghi_chu.clone(),
                }),
                None => {
                    let at = *mo_ta_at.entry(a.mo_ta.as_str()).or_insert_with(|| {
                        mo_ta.push((a.mo_ta.clone(), Distinct::default()));
                        mo_ta.len() - 1
                    });
                    for p in &a.dia_diem {
                        mo_ta[at].1.push(p);
                    }
                    ghi_chu.extend(a.ghi_chu.clone());
                }
            }
            hoat_dong.push(ActivitySummary {
                ma_don_vi: s.value.ma_don_vi.clone(),
                don_vi: name.to_string(),
                lan_nop: s.value.lan_nop,
                mo_ta: a.mo_ta.clone(),
                chi_tieu: item
                    .chi_tieu
                    .iter()
                    .filter_map(|ind| {
                        // Projects are counted, never typed (validation
                        // refuses a typed count that disagrees).
                        let q = if ind.ma == PROJECT_COUNT {
                            Some(Decimal::from(u8::from(a.de_an.is_some())))
                        } else {
                            a.chi_tieu.get(&ind.ma).map(|q| q.0)
                        };
                        q.map(|thuc_hien| ActivityQuantity {
                            ma: ind.ma.clone(),
                            ten: ind.ten.clone(),
                            don_vi_tinh: ind.don_vi_tinh.clone(),
                            nhan: label(ind),
                            thuc_hien,
                        })
                    })
                    .collect(),
                tien,
                dia_diem: a.dia_diem.clone(),
                tu_ngay: a.tu_ngay.map(Into::into),
                den_ngay: a.den_ngay.map(Into::into),
                ghi_chu: a.ghi_chu.clone(),
            });
        }
    }
    let chi_tieu: Vec<IndicatorSummary> = item
        .chi_tieu
        .iter()
        .map(|ind| {
            let reported: Vec<Decimal> = hoat_dong
                .iter()
                .flat_map(|a: &ActivitySummary| {
                    a.chi_tieu
                        .iter()
                        .filter(|q| q.ma == ind.ma)
                        .map(|q| q.thuc_hien)
                })
                .collect();
            IndicatorSummary {
                ma: ind.ma.clone(),
                ten: ind.ten.clone(),
                don_vi_tinh: ind.don_vi_tinh.clone(),
                nhan: label(ind),
                so_lieu: Figures::new(ind.ke_hoach.0, reported.iter().sum()),
                co_so_lieu: !reported.is_empty(),
            }
        })
        .collect();
    let mut theo_don_vi: Vec<UnitFigures> = Vec::new();
    for a in &hoat_dong {
        // A unit's activities are contiguous (submissions come in registry
        // order), so its row, if any, is the last one.
        let row = match theo_don_vi
            .last_mut()
            .filter(|r| r.ma_don_vi == a.ma_don_vi)
        {
            Some(row) => row,
            None => {
                theo_don_vi.push(UnitFigures {
                    ma_don_vi: a.ma_don_vi.clone(),
                    don_vi: a.don_vi.clone(),
                    chi_tieu: vec![None; item.chi_tieu.len()],
                    tien: Amounts::default(),
                });
                theo_don_vi.last_mut().expect("just pushed")
            }
        };
        row.tien.add(&a.tien);
        for q in &a.chi_tieu {
            if let Some(i) = item.chi_tieu.iter().position(|ind| ind.ma == q.ma) {
                *row.chi_tieu[i].get_or_insert(Decimal::ZERO) += q.thuc_hien;
            }
        }
    }
    let status = status(&hoat_dong, &chi_tieu);
    let (ly_do, ghi_chu_khong) = match status {
        Status::KhongThucHien => (
            declared
                .iter()
                .find_map(|d| d.ly_do.clone())
                .or(item.ly_do_khong_thuc_hien.clone()),
            declared.iter().filter_map(|d| d.ghi_chu.clone()).collect(),
        ),
        _ => (None, Vec::new()),
    };
    let summary = ItemSummary {
        so: String::new(),
        ma: item.ma.clone(),
        ten: item.ten.clone(),
        ke_hoach: item.ke_hoach.clone(),
        tien: ledger.money(sources),
        theo_nguon: ledger.by_source(sources),
        nguon_ke_hoach: ledger
            .by_source(sources)
            .into_iter()
            .filter(|n| !n.kinh_phi.ke_hoach.is_zero())
            .collect(),
        nguon_thuc_hien: ledger
            .by_source(sources)
            .into_iter()
            .filter(|n| !n.kinh_phi.thuc_hien.is_zero())
            .collect(),
        chi_tieu,
        trang_thai: status.label(),
        trang_thai_ma: status,
        hoat_dong,
        don_vi: don_vi.list,
        theo_don_vi,
        mo_ta: mo_ta
            .into_iter()
            .map(|(noi_dung, places)| Description {
                noi_dung,
                dia_diem: places.list,
            })
            .collect(),
        dia_diem: dia_diem.list,
        ghi_chu,
        de_an,
        ly_do_khong_thuc_hien: ly_do,
        ghi_chu_khong_thuc_hien: ghi_chu_khong,
        don_vi_khong_thuc_hien: declared.to_vec(),
        lam_tron: false,
    };
    (summary, ledger)
}

/// Where a project was carried out, as printed: its places, else the
/// area of its unit; nothing for the centre, which is no area.
fn place(places: &[String], index: &PlanIndex, unit: &str) -> Option<String> {
    if !places.is_empty() {
        return Some(crate::format::danh_sach(places));
    }
    index
        .unit(unit)
        .filter(|(_, u)| u.cap != CENTRE)
        .map(|(_, u)| u.ten.clone())
}

fn label(ind: &Indicator) -> String {
    if ind.ten.starts_with(&ind.don_vi_tinh) {
        ind.ten.clone()
    } else {
        ind.don_vi_tinh.clone()
    }
}

fn status(activities: &[ActivitySummary], indicators: &[IndicatorSummary]) -> Status {
    if activities.is_empty() {
        return Status::KhongThucHien;
    }
    let targets: Vec<&Figures> = indicators
        .iter()
        .map(|i| &i.so_lieu)
        .filter(|f| !f.ke_hoach.is_zero())
        .collect();
    if targets.iter().any(|f| f.thuc_hien < f.ke_hoach) {
        Status::ChuaDat
    } else if targets.iter().any(|f| f.thuc_hien > f.ke_hoach) {
        Status::Vuot
    } else {
        Status::Dat
    }
}

fn not_implemented_summary(items: &[ItemSummary]) -> NotImplementedSummary {
    const NO_REASON: &str = "Chưa có đơn vị báo cáo thực hiện và kế hoạch không ghi lý do";
    let noi_dung: Vec<NotImplementedItem> = items
        .iter()
        .enumerate()
        .map(|(i, item)| NotImplementedItem {
            so: i + 1,
            ma: item.ma.clone(),
            ten: item.ten.clone(),
            so_noi_dung: item.so.clone(),
            don_vi: item.don_vi_khong_thuc_hien.clone(),
            ly_do: item
                .ly_do_khong_thuc_hien
                .clone()
                .unwrap_or_else(|| NO_REASON.to_string()),
            kinh_phi_ke_hoach: item.tien.kinh_phi.ke_hoach,
        })
        .collect();
    let mut nguyen_nhan: Vec<Reason> = Vec::new();
    for item in &noi_dung {
        match nguyen_nhan.iter_mut().find(|r| r.ly_do == item.ly_do) {
            Some(r) => r.noi_dung.push(item.so),
            None => nguyen_nhan.push(Reason {
                ly_do: item.ly_do.clone(),
                noi_dung: vec![item.so],
            }),
        }
    }
    NotImplementedSummary {
        so_luong: noi_dung.len(),
        noi_dung,
        nguyen_nhan,
    }
}

/// Recomputes every printed total from the raw input by another route
/// (the stated totals of the activities, per unit and per source) and
/// compares.
fn self_check(s: &Summary, data: &Dataset) -> Result<(), SumMismatch> {
    let check = |what: String, got: Decimal, expected: Decimal| {
        if got == expected {
            Ok(())
        } else {
            Err(SumMismatch {
                what,
                got,
                expected,
            })
        }
    };
    let plan = &data.plan.value;
    let index = plan.index();
    let budget = |code: &str| index.source_kind(code).is_some_and(SourceKind::is_budget);
    let activities = || data.submissions.iter().flat_map(|s| &s.value.hoat_dong);
    let items = || plan.chuong_trinh.iter().flat_map(|p| &p.noi_dung);
    // What the files state as totals, and the khuyến công part of their splits.
    let raw_all: Decimal = activities().map(|a| a.kinh_phi.0).sum();
    let raw_budget: Decimal = activities()
        .flat_map(|a| {
            let item = index.item(&a.noi_dung).expect("validated item code");
            a.split(item)
        })
        .filter(|(code, _)| budget(code))
        .map(|(_, m)| m.0)
        .sum();
    let plan_all: Decimal = items().map(|i| i.kinh_phi.0).sum();
    let plan_budget: Decimal = items()
        .flat_map(|i| i.split())
        .filter(|(code, _)| budget(code))
        .map(|(_, m)| m.0)
        .sum();
    let t = &s.tong;
    for (what, got, expected) in [
        (
            "tổng kinh phí khuyến công thực hiện",
            t.kinh_phi.thuc_hien,
            raw_budget,
        ),
        (
            "tổng kinh phí khuyến công kế hoạch",
            t.kinh_phi.ke_hoach,
            plan_budget,
        ),
        (
            "tổng kinh phí mọi nguồn thực hiện",
            t.tong_kinh_phi.thuc_hien,
            raw_all,
        ),
        (
            "tổng kinh phí mọi nguồn kế hoạch",
            t.tong_kinh_phi.ke_hoach,
            plan_all,
        ),
        (
            "kinh phí ngoài ngân sách thực hiện",
            t.ngoai_ngan_sach.thuc_hien,
            raw_all - raw_budget,
        ),
        (
            "tổng kinh phí khuyến công thực hiện theo đơn vị",
            s.don_vi.iter().map(|u| u.tien.kinh_phi).sum(),
            raw_budget,
        ),
        (
            "tổng kinh phí mọi nguồn thực hiện theo đơn vị",
            s.don_vi.iter().map(|u| u.tien.tong_kinh_phi).sum(),
            raw_all,
        ),
        (
            "kinh phí ngoài ngân sách thực hiện theo đơn vị",
            s.don_vi.iter().map(|u| u.tien.ngoai_ngan_sach).sum(),
            raw_all - raw_budget,
        ),
        (
            "tổng kinh phí thực hiện theo nguồn",
            s.theo_nguon.iter().map(|n| n.kinh_phi.thuc_hien).sum(),
            raw_all,
        ),
        (
            "tổng kinh phí kế hoạch theo nguồn",
            s.theo_nguon.iter().map(|n| n.kinh_phi.ke_hoach).sum(),
            plan_all,
        ),
        (
            "kinh phí khuyến công thực hiện theo nguồn ngân sách",
            s.theo_nguon
                .iter()
                .filter(|n| n.ngan_sach)
                .map(|n| n.kinh_phi.thuc_hien)
                .sum(),
            raw_budget,
        ),
        (
            "kinh phí ngoài kế hoạch",
            t.ngoai_ke_hoach,
            s.don_vi.iter().map(|u| u.kinh_phi_ngoai_ke_hoach).sum(),
        ),
        (
            "tổng kinh phí khuyến công kế hoạch theo chương trình",
            s.chuong_trinh
                .iter()
                .map(|p| p.tien.kinh_phi.ke_hoach)
                .sum(),
            plan_budget,
        ),
        (
            "tổng kinh phí khuyến công thực hiện theo chương trình",
            s.chuong_trinh
                .iter()
                .map(|p| p.tien.kinh_phi.thuc_hien)
                .sum(),
            raw_budget,
        ),
        (
            "tổng kinh phí mọi nguồn của các đề án trong phụ lục",
            s.phu_luc.tong.tong_kinh_phi,
            activities()
                .filter(|a| a.de_an.is_some())
                .map(|a| a.kinh_phi.0)
                .sum(),
        ),
    ] {
        check(what.into(), got, expected)?;
    }
    for p in &s.chuong_trinh {
        check(
            format!("kinh phí khuyến công thực hiện của chương trình {}", p.ma),
            p.tien.kinh_phi.thuc_hien,
            p.noi_dung.iter().map(|i| i.tien.kinh_phi.thuc_hien).sum(),
        )?;
        for i in &p.noi_dung {
            check(
                format!("kinh phí mọi nguồn thực hiện của nội dung {}", i.ma),
                i.tien.tong_kinh_phi.thuc_hien,
                i.hoat_dong.iter().map(|a| a.tien.tong_kinh_phi).sum(),
            )?;
            check(
                format!("kinh phí khuyến công theo đơn vị của nội dung {}", i.ma),
                i.tien.kinh_phi.thuc_hien,
                i.theo_don_vi.iter().map(|u| u.tien.kinh_phi).sum(),
            )?;
            check(
                format!("kinh phí theo nguồn của nội dung {}", i.ma),
                i.tien.tong_kinh_phi.thuc_hien,
                i.theo_nguon.iter().map(|n| n.kinh_phi.thuc_hien).sum(),
            )?;
            for ind in &i.chi_tieu {
                let parts: Decimal = i
                    .hoat_dong
                    .iter()
                    .flat_map(|a| &a.chi_tieu)
                    .filter(|q| q.ma == ind.ma)
                    .map(|q| q.thuc_hien)
                    .sum();
                check(
                    format!("chỉ tiêu {} của nội dung {}", ind.ma, i.ma),
                    ind.so_lieu.thuc_hien,
                    parts,
                )?;
            }
        }
    }
    // Every level: the budget and the money outside it make the whole.
    let money = |what: String, m: &Money| {
        check(
            format!("{what}, kế hoạch"),
            m.tong_kinh_phi.ke_hoach,
            m.kinh_phi.ke_hoach + m.ngoai_ngan_sach.ke_hoach,
        )?;
        check(
            format!("{what}, thực hiện"),
            m.tong_kinh_phi.thuc_hien,
            m.kinh_phi.thuc_hien + m.ngoai_ngan_sach.thuc_hien,
        )
    };
    let amounts =
        |what: String, a: &Amounts| check(what, a.tong_kinh_phi, a.kinh_phi + a.ngoai_ngan_sach);
    // Amounts over a list, all three of them.
    let sums = |what: String, total: &Amounts, parts: &mut dyn Iterator<Item = &Amounts>| {
        let mut sum = Amounts::default();
        parts.for_each(|p| sum.add(p));
        check(format!("{what}: khuyến công"), total.kinh_phi, sum.kinh_phi)?;
        check(
            format!("{what}: ngoài ngân sách"),
            total.ngoai_ngan_sach,
            sum.ngoai_ngan_sach,
        )?;
        check(
            format!("{what}: mọi nguồn"),
            total.tong_kinh_phi,
            sum.tong_kinh_phi,
        )
    };
    money(
        "tổng kinh phí".into(),
        &Money {
            kinh_phi: t.kinh_phi,
            ngoai_ngan_sach: t.ngoai_ngan_sach,
            tong_kinh_phi: t.tong_kinh_phi,
        },
    )?;
    for p in &s.chuong_trinh {
        money(format!("kinh phí của chương trình {}", p.ma), &p.tien)?;
        check(
            format!("kinh phí mọi nguồn kế hoạch của chương trình {}", p.ma),
            p.tien.tong_kinh_phi.ke_hoach,
            p.noi_dung
                .iter()
                .map(|i| i.tien.tong_kinh_phi.ke_hoach)
                .sum(),
        )?;
        for i in &p.noi_dung {
            money(format!("kinh phí của nội dung {}", i.ma), &i.tien)?;
            check(
                format!("kinh phí ngoài ngân sách theo đơn vị của nội dung {}", i.ma),
                i.tien.ngoai_ngan_sach.thuc_hien,
                i.theo_don_vi.iter().map(|u| u.tien.ngoai_ngan_sach).sum(),
            )?;
            check(
                format!("kinh phí kế hoạch theo nguồn của nội dung {}", i.ma),
                i.tien.tong_kinh_phi.ke_hoach,
                i.nguon_ke_hoach.iter().map(|n| n.kinh_phi.ke_hoach).sum(),
            )?;
            for d in &i.de_an {
                amounts(format!("kinh phí của đề án {}", d.stt), &d.tien)?;
                check(
                    format!("kinh phí theo nguồn của đề án {}", d.stt),
                    d.tien.tong_kinh_phi,
                    d.theo_nguon.iter().map(|n| n.so_tien).sum(),
                )?;
            }
        }
    }
    for u in &s.don_vi {
        amounts(format!("kinh phí của đơn vị {}", u.ma), &u.tien)?;
    }
    for g in &s.phu_luc.chuong_trinh {
        for i in &g.noi_dung {
            sums(
                format!("nhóm đề án của nội dung {}", i.ma),
                &i.tong,
                &mut i.de_an.iter().map(|d| &d.tien),
            )?;
        }
        sums(
            format!("nhóm đề án {}", g.ma),
            &g.tong,
            &mut g.noi_dung.iter().map(|i| &i.tong),
        )?;
    }
    sums(
        "tổng các đề án".into(),
        &s.phu_luc.tong,
        &mut s.phu_luc.chuong_trinh.iter().map(|g| &g.tong),
    )?;
    // A ratio printed in two places (a sentence and Bảng 1, a table and the
    // workbook) is one field, read off the same plan and actual: each must
    // be that actual over that plan.
    let ratio = |what: String, f: &Figures| {
        let expected = crate::format::ty_le(f.thuc_hien, f.ke_hoach);
        if f.ty_le == expected {
            Ok(())
        } else {
            Err(SumMismatch {
                what: format!("tỷ lệ {what}"),
                got: f.ty_le.unwrap_or_default(),
                expected: expected.unwrap_or_default(),
            })
        }
    };
    let three = |what: &str, m: &Money| {
        ratio(format!("kinh phí khuyến công {what}"), &m.kinh_phi)?;
        ratio(
            format!("kinh phí ngoài ngân sách {what}"),
            &m.ngoai_ngan_sach,
        )?;
        ratio(format!("kinh phí mọi nguồn {what}"), &m.tong_kinh_phi)
    };
    three(
        "cả kế hoạch",
        &Money {
            kinh_phi: t.kinh_phi,
            ngoai_ngan_sach: t.ngoai_ngan_sach,
            tong_kinh_phi: t.tong_kinh_phi,
        },
    )?;
    for n in &s.theo_nguon {
        ratio(format!("nguồn {}", n.ma), &n.kinh_phi)?;
    }
    for p in &s.chuong_trinh {
        three(&format!("của chương trình {}", p.ma), &p.tien)?;
        for i in &p.noi_dung {
            three(&format!("của nội dung {}", i.ma), &i.tien)?;
            for ind in &i.chi_tieu {
                ratio(
                    format!("chỉ tiêu {} của nội dung {}", ind.ma, i.ma),
                    &ind.so_lieu,
                )?;
                // The count of projects is the number of project entries.
                if ind.ma == PROJECT_COUNT {
                    check(
                        format!("số đề án của nội dung {}", i.ma),
                        ind.so_lieu.thuc_hien,
                        Decimal::from(i.de_an.len()),
                    )?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Dataset {
        let input = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("input");
        crate::validate::load(&[input], &[], None).expect("the sample is valid")
    }

    #[test]
    fn the_sample_adds_up() {
        let data = sample();
        let s = summarise(&data).expect("sums add up");
        assert_eq!(s.tong.kinh_phi.ke_hoach, Decimal::from(7_204_400_000_i64));
        assert_eq!(s.tong.kinh_phi.thuc_hien, Decimal::from(3_246_633_000_i64));
        self_check(&s, &data).expect("consistent");
    }

    #[test]
    fn totals_by_source_and_of_the_annex_are_checked_too() {
        let input = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("examples/du-lieu/dak-lak-2020");
        let data = crate::validate::load(&[input], &[], None).expect("the example is valid");
        let good = summarise(&data).expect("sums add up");
        assert_eq!(good.phu_luc.so_de_an, 16);
        assert!(good.tong.co_ngoai_ngan_sach);
        let nudges: [fn(&mut Summary); 11] = [
            |s| s.tong.ngoai_ngan_sach.ke_hoach += Decimal::ONE,
            |s| {
                s.chuong_trinh[0].noi_dung[0].theo_don_vi[0]
                    .tien
                    .ngoai_ngan_sach += Decimal::ONE
            },
            |s| s.phu_luc.chuong_trinh[0].noi_dung[0].tong.kinh_phi += Decimal::ONE,
            |s| s.phu_luc.tong.ngoai_ngan_sach += Decimal::ONE,
            |s| s.chuong_trinh[0].noi_dung[0].de_an[0].theo_nguon[0].so_tien += Decimal::ONE,
            |s| s.tong.ngoai_ngan_sach.thuc_hien += Decimal::ONE,
            |s| s.tong.tong_kinh_phi.ke_hoach += Decimal::ONE,
            |s| s.theo_nguon[2].kinh_phi.thuc_hien += Decimal::ONE,
            |s| s.don_vi[1].tien.ngoai_ngan_sach += Decimal::ONE,
            |s| s.phu_luc.tong.tong_kinh_phi += Decimal::ONE,
            |s| {
                s.phu_luc.chuong_trinh[0].noi_dung[0].de_an[0]
                    .tien
                    .tong_kinh_phi += Decimal::ONE
            },
        ];
        for (i, nudge) in nudges.iter().enumerate() {
            let mut bad = good.clone();
            nudge(&mut bad);
            assert!(
                self_check(&bad, &data).is_err(),
                "nudge {i} slipped through"
            );
        }
    }

    #[test]
    fn every_ratio_and_the_count_of_projects_are_checked() {
        let input = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("examples/du-lieu/dak-lak-2020");
        let data = crate::validate::load(&[input], &[], None).expect("the example is valid");
        let good = summarise(&data).expect("sums add up");
        // MMTB: 1.300.000.000 of khuyến công budget spent of as much
        // planned (100%), 2.700.000.000 of 2.800.000.000 from every source.
        let mmtb = &good.chuong_trinh[0].noi_dung[0];
        assert_eq!(mmtb.tien.kinh_phi.ty_le, Some(Decimal::ONE_HUNDRED));
        assert_eq!(mmtb.chi_tieu[0].so_lieu.thuc_hien, Decimal::from(7));
        let nudges: [fn(&mut Summary); 6] = [
            // The all-source ratio where the budget's belongs.
            |s| {
                let i = &mut s.chuong_trinh[0].noi_dung[0].tien;
                i.kinh_phi.ty_le = i.tong_kinh_phi.ty_le;
            },
            |s| s.chuong_trinh[1].tien.tong_kinh_phi.ty_le = Some(Decimal::ONE),
            |s| s.tong.kinh_phi.ty_le = None,
            |s| s.theo_nguon[2].kinh_phi.ty_le = Some(Decimal::ZERO),
            |s| s.chuong_trinh[1].noi_dung[0].chi_tieu[0].so_lieu.ty_le = None,
            // A project the count no longer matches.
            |s| {
                s.chuong_trinh[0].noi_dung[0].de_an.pop();
            },
        ];
        for (i, nudge) in nudges.iter().enumerate() {
            let mut bad = good.clone();
            nudge(&mut bad);
            assert!(
                self_check(&bad, &data).is_err(),
                "nudge {i} slipped through"
            );
        }
    }

    #[test]
    fn a_total_that_does_not_add_up_is_caught() {
        let data = sample();
        let good = summarise(&data).unwrap();
        // Each printed total, nudged by one đồng, must be caught.
        let nudges: [fn(&mut Summary); 5] = [
            |s| s.tong.kinh_phi.thuc_hien += Decimal::ONE,
            |s| s.chuong_trinh[0].tien.kinh_phi.thuc_hien += Decimal::ONE,
            |s| s.chuong_trinh[0].noi_dung[0].tien.kinh_phi.thuc_hien += Decimal::ONE,
            |s| s.don_vi[0].tien.kinh_phi += Decimal::ONE,
            |s| s.chuong_trinh[0].noi_dung[0].theo_don_vi[0].tien.kinh_phi += Decimal::ONE,
        ];
        for (i, nudge) in nudges.iter().enumerate() {
            let mut bad = good.clone();
            nudge(&mut bad);
            assert!(
                self_check(&bad, &data).is_err(),
                "nudge {i} slipped through"
            );
        }
    }
}
