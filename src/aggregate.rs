//! The provincial summary: plan vs actual per item, programme, unit and
//! funding source, in exact decimals. This is also the template context, so
//! its field names are the Vietnamese variables clerks write in templates.

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::contract::{Date, DocumentInfo, Indicator, PlanIndex, PlanItem};
use crate::validate::Dataset;

/// Serialises a decimal as a JSON integer when whole (so templates can
/// compare and do arithmetic), otherwise as an exact string; never a float.
fn exact<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    match i128::try_from(*d) {
        Ok(n) if d.fract().is_zero() => s.serialize_i128(n),
        _ => s.serialize_str(&d.normalize().to_string()),
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// Earlier revisions that were replaced (never counted).
    pub ban_thay_the: Vec<SupersededSummary>,
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
    pub kinh_phi: Figures,
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
    pub kinh_phi: Figures,
    pub nguon: String,
    pub trang_thai: &'static str,
    pub trang_thai_ma: Status,
    /// Each activity of each unit, in registry order.
    pub hoat_dong: Vec<ActivitySummary>,
    /// Names of the units that took part, in registry order, once each.
    pub don_vi: Vec<String>,
    /// Each unit's figures for the item (its activities added up).
    pub theo_don_vi: Vec<UnitFigures>,
    /// Distinct descriptions, in order, each with the places where it was done.
    pub mo_ta: Vec<Description>,
    /// Distinct places, in order.
    pub dia_diem: Vec<String>,
    /// Notes of the activities, in order.
    pub ghi_chu: Vec<String>,
    /// When not implemented: the reason, and the units' explanations.
    pub ly_do_khong_thuc_hien: Option<String>,
    pub ghi_chu_khong_thuc_hien: Vec<String>,
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
    #[serde(serialize_with = "exact")]
    pub kinh_phi: Decimal,
    pub nguon: String,
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
    #[serde(serialize_with = "exact")]
    pub kinh_phi: Decimal,
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
    pub ly_do: String,
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
    /// Actual cost of the unit's plan activities.
    #[serde(serialize_with = "exact")]
    pub kinh_phi: Decimal,
    /// Actual cost of its out-of-plan tasks.
    #[serde(serialize_with = "exact")]
    pub kinh_phi_ngoai_ke_hoach: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceSummary {
    pub ma: String,
    pub ten: String,
    #[serde(flatten)]
    pub kinh_phi: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalSummary {
    #[serde(flatten)]
    pub kinh_phi: Figures,
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
    let units = &plan.don_vi;
    let index = plan.index();
    let zero = Decimal::ZERO;

    // Who declared which item not implemented, with what.
    let mut declared: BTreeMap<&str, (Option<&str>, Vec<String>)> = BTreeMap::new();
    for s in &data.submissions {
        for n in &s.value.khong_thuc_hien {
            let entry = declared.entry(n.noi_dung.as_str()).or_default();
            if entry.0.is_none() {
                entry.0 = n.ly_do.as_deref();
            }
            entry.1.extend(n.ghi_chu.clone());
        }
    }

    // Items are independent: each scans the submissions, in parallel.
    let plan_items: Vec<&PlanItem> = plan.chuong_trinh.iter().flat_map(|p| &p.noi_dung).collect();
    let large = data.submissions.len() >= crate::par::PARALLEL_FROM;
    let summarised: Vec<ItemSummary> = crate::par::map_if(large, &plan_items, |item| {
        summarise_item(item, data, &index, declared.get(item.ma.as_str()))
    });
    let mut summarised = summarised.into_iter();
    let mut programmes = Vec::new();
    let mut by_source: BTreeMap<&str, (Decimal, Decimal)> = BTreeMap::new();
    let mut not_implemented = Vec::new();
    let mut reported_programmes = 0;
    for prog in &plan.chuong_trinh {
        let mut items: Vec<ItemSummary> = summarised.by_ref().take(prog.noi_dung.len()).collect();
        for (item, summary) in prog.noi_dung.iter().zip(&items) {
            by_source.entry(item.nguon.as_str()).or_default().0 += item.kinh_phi.0;
            for a in &summary.hoat_dong {
                by_source.entry(plan_source(plan, &a.nguon)).or_default().1 += a.kinh_phi;
            }
            if summary.trang_thai_ma == Status::KhongThucHien {
                not_implemented.push(summary.clone());
            }
        }
        // Section I reports items with a budget or with activity.
        let reported: Vec<usize> = (0..items.len())
            .filter(|&i| !items[i].kinh_phi.ke_hoach.is_zero() || !items[i].hoat_dong.is_empty())
            .collect();
        let so = if reported.is_empty() {
            String::new()
        } else {
            reported_programmes += 1;
            reported_programmes.to_string()
        };
        for (n, &i) in reported.iter().enumerate() {
            items[i].so = if reported.len() == 1 {
                so.clone()
            } else {
                format!("{so}.{}", n + 1)
            };
        }
        let planned = items.iter().map(|i| i.kinh_phi.ke_hoach).sum();
        let actual = items.iter().map(|i| i.kinh_phi.thuc_hien).sum();
        programmes.push(ProgrammeSummary {
            so,
            ma: prog.ma.clone(),
            ten: prog.ten.clone(),
            kinh_phi: Figures::new(planned, actual),
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
            let (cost, extra) = sub.map_or((zero, zero), |s| {
                (
                    s.value.hoat_dong.iter().map(|a| a.kinh_phi.0).sum(),
                    s.value.ngoai_ke_hoach.iter().map(|t| t.kinh_phi.0).sum(),
                )
            });
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
                kinh_phi: cost,
                kinh_phi_ngoai_ke_hoach: extra,
            }
        })
        .collect();

    let theo_nguon = plan
        .nguon_kinh_phi
        .iter()
        .filter_map(|src| {
            let (planned, actual) = by_source.get(src.ma.as_str()).copied().unwrap_or_default();
            (!planned.is_zero() || !actual.is_zero()).then(|| SourceSummary {
                ma: src.ma.clone(),
                ten: src.ten.clone(),
                kinh_phi: Figures::new(planned, actual),
            })
        })
        .collect();

    let all_items = || programmes.iter().flat_map(|p| &p.noi_dung);
    let count = |s: Status| all_items().filter(|i| i.trang_thai_ma == s).count();
    let tong = TotalSummary {
        kinh_phi: Figures::new(
            programmes.iter().map(|p| p.kinh_phi.ke_hoach).sum(),
            programmes.iter().map(|p| p.kinh_phi.thuc_hien).sum(),
        ),
        ngoai_ke_hoach: extras.iter().map(|e| e.kinh_phi).sum(),
        so_noi_dung: all_items().count(),
        so_don_vi: units.len(),
        so_don_vi_bao_cao: data.submissions.len(),
        so_vuot: count(Status::Vuot),
        so_dat: count(Status::Dat),
        so_chua_dat: count(Status::ChuaDat),
    };

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

    let summary = Summary {
        nam: plan.nam,
        tinh: plan.tinh.clone(),
        van_ban: plan.van_ban.clone(),
        chuong_trinh: programmes,
        khong_thuc_hien,
        ngoai_ke_hoach: extras,
        don_vi,
        don_vi_chua_nop: data.missing_units().into_iter().cloned().collect(),
        theo_nguon,
        tong,
        ban_thay_the,
    };
    self_check(&summary, data)?;
    Ok(summary)
}

/// The plan's own copy of a source code, so the totals map can borrow it.
fn plan_source<'p>(plan: &'p crate::contract::Plan, code: &str) -> &'p str {
    plan.nguon_kinh_phi
        .iter()
        .find(|s| s.ma == code)
        .map_or("", |s| s.ma.as_str())
}

fn summarise_item(
    item: &PlanItem,
    data: &Dataset,
    index: &PlanIndex,
    declared: Option<&(Option<&str>, Vec<String>)>,
) -> ItemSummary {
    let mut hoat_dong = Vec::new();
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
            let at = *mo_ta_at.entry(a.mo_ta.as_str()).or_insert_with(|| {
                mo_ta.push((a.mo_ta.clone(), Distinct::default()));
                mo_ta.len() - 1
            });
            for p in &a.dia_diem {
                mo_ta[at].1.push(p);
                dia_diem.push(p);
            }
            ghi_chu.extend(a.ghi_chu.clone());
            hoat_dong.push(ActivitySummary {
                ma_don_vi: s.value.ma_don_vi.clone(),
                don_vi: name.to_string(),
                lan_nop: s.value.lan_nop,
                mo_ta: a.mo_ta.clone(),
                chi_tieu: item
                    .chi_tieu
                    .iter()
                    .filter_map(|ind| {
                        a.chi_tieu.get(&ind.ma).map(|q| ActivityQuantity {
                            ma: ind.ma.clone(),
                            ten: ind.ten.clone(),
                            don_vi_tinh: ind.don_vi_tinh.clone(),
                            nhan: label(ind),
                            thuc_hien: q.0,
                        })
                    })
                    .collect(),
                kinh_phi: a.kinh_phi.0,
                nguon: a.nguon.clone().unwrap_or_else(|| item.nguon.clone()),
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
                    kinh_phi: Decimal::ZERO,
                });
                theo_don_vi.last_mut().expect("just pushed")
            }
        };
        row.kinh_phi += a.kinh_phi;
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
                .and_then(|d| d.0)
                .or(item.ly_do_khong_thuc_hien.as_deref())
                .map(str::to_string),
            declared.map(|d| d.1.clone()).unwrap_or_default(),
        ),
        _ => (None, Vec::new()),
    };
    ItemSummary {
        so: String::new(),
        ma: item.ma.clone(),
        ten: item.ten.clone(),
        ke_hoach: item.ke_hoach.clone(),
        kinh_phi: Figures::new(item.kinh_phi.0, hoat_dong.iter().map(|a| a.kinh_phi).sum()),
        chi_tieu,
        nguon: item.nguon.clone(),
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
        ly_do_khong_thuc_hien: ly_do,
        ghi_chu_khong_thuc_hien: ghi_chu_khong,
    }
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
            ly_do: item
                .ly_do_khong_thuc_hien
                .clone()
                .unwrap_or_else(|| NO_REASON.to_string()),
            kinh_phi_ke_hoach: item.kinh_phi.ke_hoach,
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

/// Recomputes every printed total from the raw submissions, by another
/// route (per unit and per source), and compares.
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
    let raw_actual: Decimal = data
        .submissions
        .iter()
        .flat_map(|s| &s.value.hoat_dong)
        .map(|a| a.kinh_phi.0)
        .sum();
    let raw_plan: Decimal = data
        .plan
        .value
        .chuong_trinh
        .iter()
        .flat_map(|p| &p.noi_dung)
        .map(|i| i.kinh_phi.0)
        .sum();
    check(
        "tổng kinh phí thực hiện".into(),
        s.tong.kinh_phi.thuc_hien,
        raw_actual,
    )?;
    check(
        "tổng kinh phí kế hoạch".into(),
        s.tong.kinh_phi.ke_hoach,
        raw_plan,
    )?;
    check(
        "tổng kinh phí thực hiện theo đơn vị".into(),
        s.don_vi.iter().map(|u| u.kinh_phi).sum(),
        raw_actual,
    )?;
    check(
        "tổng kinh phí thực hiện theo nguồn".into(),
        s.theo_nguon.iter().map(|n| n.kinh_phi.thuc_hien).sum(),
        raw_actual,
    )?;
    check(
        "tổng kinh phí kế hoạch theo nguồn".into(),
        s.theo_nguon.iter().map(|n| n.kinh_phi.ke_hoach).sum(),
        raw_plan,
    )?;
    check(
        "kinh phí ngoài kế hoạch".into(),
        s.tong.ngoai_ke_hoach,
        s.don_vi.iter().map(|u| u.kinh_phi_ngoai_ke_hoach).sum(),
    )?;
    let by_programme =
        |f: fn(&Figures) -> Decimal| s.chuong_trinh.iter().map(|p| f(&p.kinh_phi)).sum();
    check(
        "tổng kinh phí kế hoạch theo chương trình".into(),
        by_programme(|f| f.ke_hoach),
        raw_plan,
    )?;
    check(
        "tổng kinh phí thực hiện theo chương trình".into(),
        by_programme(|f| f.thuc_hien),
        raw_actual,
    )?;
    for p in &s.chuong_trinh {
        check(
            format!("kinh phí thực hiện của chương trình {}", p.ma),
            p.kinh_phi.thuc_hien,
            p.noi_dung.iter().map(|i| i.kinh_phi.thuc_hien).sum(),
        )?;
        for i in &p.noi_dung {
            check(
                format!("kinh phí thực hiện của nội dung {}", i.ma),
                i.kinh_phi.thuc_hien,
                i.hoat_dong.iter().map(|a| a.kinh_phi).sum(),
            )?;
            check(
                format!("kinh phí theo đơn vị của nội dung {}", i.ma),
                i.kinh_phi.thuc_hien,
                i.theo_don_vi.iter().map(|u| u.kinh_phi).sum(),
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
    fn a_total_that_does_not_add_up_is_caught() {
        let data = sample();
        let good = summarise(&data).unwrap();
        // Each printed total, nudged by one đồng, must be caught.
        let nudges: [fn(&mut Summary); 5] = [
            |s| s.tong.kinh_phi.thuc_hien += Decimal::ONE,
            |s| s.chuong_trinh[0].kinh_phi.thuc_hien += Decimal::ONE,
            |s| s.chuong_trinh[0].noi_dung[0].kinh_phi.thuc_hien += Decimal::ONE,
            |s| s.don_vi[0].kinh_phi += Decimal::ONE,
            |s| s.chuong_trinh[0].noi_dung[0].theo_don_vi[0].kinh_phi += Decimal::ONE,
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
