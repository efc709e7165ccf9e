//! What a build used and produced: the SHA-256 of every input and template,
//! the revision taken for each unit, the key figures, the output files. Two
//! manifests give the change report ("what changed since yesterday?").
//!
//! Paths are recorded relative to their folder (the input folder, the
//! templates folder) with `/`, so the change report does not depend on how
//! the folder was typed (`input`, `./input`, an absolute path).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostic::{escaped, shown_path};
use crate::format;
use crate::load::hex;
use crate::pipeline::Report;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Tool name and version.
    pub cong_cu: String,
    pub nam: i32,
    pub dau_vao: Vec<InputEntry>,
    pub mau: Vec<TemplateEntry>,
    pub so_lieu: Recorded,
    pub dau_ra: Vec<OutputEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputEntry {
    /// Relative to the input folder.
    pub tep: String,
    pub sha256: String,
    pub loai: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ma_don_vi: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lan_nop: Option<u32>,
    /// False for a revision superseded by a later one.
    pub duoc_tinh: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateEntry {
    pub ten: String,
    /// Relative to the templates folder; None: the default embedded in the
    /// program.
    pub tep: Option<String>,
    pub sha256: String,
}

impl TemplateEntry {
    /// A file of the templates folder that differs from the program's
    /// default of its name: a clerk's edit, which a build must not drop
    /// without a word.
    pub fn edited(&self) -> bool {
        self.tep.is_some()
            && crate::templating::default_text(&self.ten)
                .is_some_and(|d| sha256(d.as_bytes()) != self.sha256)
    }
}

/// The report's key figures as the manifest records them (what a later
/// build compares against), not the aggregation's `Figures`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    /// The khuyến công budget, planned and spent.
    pub ke_hoach: Decimal,
    pub thuc_hien: Decimal,
    /// Counterpart funds and other money outside the budget, spent (absent
    /// from manifests written before sources had kinds).
    #[serde(default)]
    pub ngoai_ngan_sach: Decimal,
    pub ngoai_ke_hoach: Decimal,
    pub noi_dung: Vec<RecordedItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedItem {
    pub so: String,
    pub ma: String,
    pub ten: String,
    pub trang_thai: String,
    pub ke_hoach: Decimal,
    pub thuc_hien: Decimal,
    /// Indicator code → (unit of measure, achieved quantity).
    pub chi_tieu: BTreeMap<String, (String, Decimal)>,
    pub don_vi: Vec<RecordedUnit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedUnit {
    pub ma: String,
    pub ten: String,
    pub lan_nop: u32,
    pub kinh_phi: Decimal,
    pub chi_tieu: BTreeMap<String, Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputEntry {
    pub tep: String,
    pub sha256: String,
}

pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `path` as it lies under `root`, with `/` (a file named as the input
/// itself is its name).
fn relative(path: &Path, root: &Path) -> String {
    let inside = path
        .strip_prefix(root)
        .ok()
        .filter(|p| !p.as_os_str().is_empty());
    let path = inside
        .or_else(|| path.file_name().map(Path::new))
        .unwrap_or(path);
    let parts: Vec<_> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// The manifest of a build, before its outputs exist (see [`outputs`]).
pub fn of(report: &Report) -> Manifest {
    let data = &report.data;
    let plan = &data.plan;
    let root = report.inputs.input.as_path();
    let mut dau_vao = vec![InputEntry {
        tep: relative(&plan.path, root),
        sha256: plan.sha256.clone(),
        loai: crate::contract::KIND_PLAN.into(),
        ma_don_vi: None,
        lan_nop: None,
        duoc_tinh: true,
    }];
    let units = data
        .submissions
        .iter()
        .map(|s| (s, true))
        .chain(data.superseded.iter().map(|s| (s, false)));
    for (s, counted) in units {
        dau_vao.push(InputEntry {
            tep: relative(&s.path, root),
            sha256: s.sha256.clone(),
            loai: crate::contract::KIND_SUBMISSION.into(),
            ma_don_vi: Some(s.value.ma_don_vi.clone()),
            lan_nop: Some(s.value.lan_nop),
            duoc_tinh: counted,
        });
    }
    dau_vao.sort_by(|a, b| a.tep.cmp(&b.tep));
    let mau = report
        .templates
        .sources
        .iter()
        .map(|t| TemplateEntry {
            ten: t.name.clone(),
            tep: t.path.as_ref().map(|_| t.name.clone()),
            sha256: sha256(t.text.as_bytes()),
        })
        .collect();
    let s = &report.summary;
    let revisions: std::collections::HashMap<&str, u32> = data
        .submissions
        .iter()
        .map(|x| (x.value.ma_don_vi.as_str(), x.value.lan_nop))
        .collect();
    let lan_nop = |code: &str| revisions.get(code).copied().unwrap_or(0);
    let noi_dung = s
        .chuong_trinh
        .iter()
        .flat_map(|p| &p.noi_dung)
        .map(|i| RecordedItem {
            so: i.so.clone(),
            ma: i.ma.clone(),
            ten: i.ten.clone(),
            trang_thai: i.trang_thai.to_string(),
            ke_hoach: i.tien.kinh_phi.ke_hoach,
            thuc_hien: i.tien.kinh_phi.thuc_hien,
            chi_tieu: i
                .chi_tieu
                .iter()
                .map(|c| (c.ma.clone(), (c.nhan.clone(), c.so_lieu.thuc_hien)))
                .collect(),
            don_vi: i
                .theo_don_vi
                .iter()
                .map(|u| RecordedUnit {
                    ma: u.ma_don_vi.clone(),
                    ten: u.don_vi.clone(),
                    lan_nop: lan_nop(&u.ma_don_vi),
                    kinh_phi: u.tien.kinh_phi,
                    chi_tieu: i
                        .chi_tieu
                        .iter()
                        .zip(&u.chi_tieu)
                        .filter_map(|(c, q)| q.map(|q| (c.ma.clone(), q)))
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Manifest {
        cong_cu: format!("khuyencong {}", env!("CARGO_PKG_VERSION")),
        nam: s.nam,
        dau_vao,
        mau,
        so_lieu: Recorded {
            ke_hoach: s.tong.kinh_phi.ke_hoach,
            thuc_hien: s.tong.kinh_phi.thuc_hien,
            ngoai_ngan_sach: s.tong.ngoai_ngan_sach.thuc_hien,
            ngoai_ke_hoach: s.tong.ngoai_ke_hoach,
            noi_dung,
        },
        dau_ra: Vec::new(),
    }
}

/// The output entries of a manifest: each file's name and SHA-256.
pub fn outputs(files: &[(String, Vec<u8>)]) -> Vec<OutputEntry> {
    files
        .iter()
        .map(|(name, bytes)| OutputEntry {
            tep: name.clone(),
            sha256: sha256(bytes),
        })
        .collect()
}

/// One difference between two builds, said in Vietnamese by Display.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    InputAdded(String),
    InputRemoved(String),
    InputEdited(String),
    Revision {
        unit: String,
        from: Option<u32>,
        to: Option<u32>,
    },
    Template(String),
    /// A template edited last time whose file is gone: the default was used.
    TemplateLost(String),
    Cost {
        so: String,
        from: Decimal,
        to: Decimal,
        units: Vec<(String, u32)>,
    },
    Quantity {
        so: String,
        label: String,
        from: Decimal,
        to: Decimal,
        units: Vec<(String, u32)>,
    },
    Status {
        so: String,
        from: String,
        to: String,
    },
    Total {
        what: &'static str,
        from: Decimal,
        to: Decimal,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let by = |units: &[(String, u32)]| -> String {
            if units.is_empty() {
                String::new()
            } else {
                let list: Vec<String> = units
                    .iter()
                    .map(|(u, n)| format!("{u}, lần nộp {n}"))
                    .collect();
                format!(" ({})", list.join("; "))
            }
        };
        match self {
            Change::InputAdded(p) => write!(f, "Tệp mới: {}", shown_path(Path::new(p))),
            Change::InputRemoved(p) => write!(f, "Tệp không còn: {}", shown_path(Path::new(p))),
            Change::InputEdited(p) => write!(f, "Tệp đã sửa: {}", shown_path(Path::new(p))),
            Change::Revision { unit, from, to } => {
                let n = |x: &Option<u32>| {
                    x.map_or("chưa nộp".to_string(), |n| format!("lần nộp {n}"))
                };
                write!(f, "Đơn vị {unit}: {} → {}", n(from), n(to))
            }
            Change::Template(name) => write!(f, "Mẫu đã sửa: {name}"),
            Change::TemplateLost(name) => write!(
                f,
                "Mẫu đã sửa ở lần trước không còn tệp, dùng mẫu mặc định: {name}"
            ),
            Change::Cost {
                so,
                from,
                to,
                units,
            } => {
                write!(
                    f,
                    "{so} Kinh phí thực hiện: {} → {}{}",
                    format::so(*from, Some(0)),
                    format::tien(*to),
                    by(units)
                )
            }
            Change::Quantity {
                so,
                label,
                from,
                to,
                units,
            } => {
                write!(
                    f,
                    "{so} Chỉ tiêu {label}: {} → {}{}",
                    format::so(*from, None),
                    format::so(*to, None),
                    by(units)
                )
            }
            Change::Status { so, from, to } => write!(f, "{so} Đánh giá: {from} → {to}"),
            Change::Total { what, from, to } => write!(
                f,
                "{what}: {} → {}",
                format::so(*from, Some(0)),
                format::tien(*to)
            ),
        }
    }
}

/// What changed from `old` to `new`, in report order.
pub fn diff(old: &Manifest, new: &Manifest) -> Vec<Change> {
    let mut changes = Vec::new();
    let new_files: BTreeMap<&str, &InputEntry> =
        new.dau_vao.iter().map(|e| (e.tep.as_str(), e)).collect();
    let names: BTreeSet<&str> = new_files.keys().copied().collect();
    let old_files: BTreeMap<&str, &InputEntry> = old
        .dau_vao
        .iter()
        .map(|e| (same_file(&e.tep, &names), e))
        .collect();
    for (path, e) in &new_files {
        match old_files.get(path) {
            None => changes.push(Change::InputAdded(path.to_string())),
            Some(o) if o.sha256 != e.sha256 => changes.push(Change::InputEdited(path.to_string())),
            _ => {}
        }
    }
    changes.extend(
        old_files
            .keys()
            .filter(|p| !new_files.contains_key(*p))
            .map(|p| Change::InputRemoved(p.to_string())),
    );

    let counted = |m: &Manifest| -> BTreeMap<String, u32> {
        m.dau_vao
            .iter()
            .filter(|e| e.duoc_tinh)
            .filter_map(|e| Some((e.ma_don_vi.clone()?, e.lan_nop?)))
            .collect()
    };
    let (old_rev, new_rev) = (counted(old), counted(new));
    let mut units: Vec<&String> = old_rev.keys().chain(new_rev.keys()).collect();
    units.sort();
    units.dedup();
    for unit in units {
        let (from, to) = (old_rev.get(unit).copied(), new_rev.get(unit).copied());
        if from != to {
            changes.push(Change::Revision {
                unit: unit.clone(),
                from,
                to,
            });
        }
    }

    for t in &new.mau {
        match old.mau.iter().find(|o| o.ten == t.ten) {
            Some(o) if o.edited() && t.tep.is_none() => {
                changes.push(Change::TemplateLost(t.ten.clone()))
            }
            Some(o) if o.sha256 == t.sha256 => {}
            _ => changes.push(Change::Template(t.ten.clone())),
        }
    }

    for item in &new.so_lieu.noi_dung {
        let Some(before) = old.so_lieu.noi_dung.iter().find(|o| o.ma == item.ma) else {
            continue;
        };
        let so = if item.so.is_empty() {
            item.ma.clone()
        } else {
            item.so.clone()
        };
        let was: std::collections::HashMap<&str, &RecordedUnit> =
            before.don_vi.iter().map(|u| (u.ma.as_str(), u)).collect();
        let movers = |pick: &dyn Fn(&RecordedUnit) -> Option<Decimal>| -> Vec<(String, u32)> {
            item.don_vi
                .iter()
                .filter(|u| pick(u) != was.get(u.ma.as_str()).and_then(|o| pick(o)))
                .map(|u| (u.ten.clone(), u.lan_nop))
                .collect()
        };
        if before.thuc_hien != item.thuc_hien {
            changes.push(Change::Cost {
                so: so.clone(),
                from: before.thuc_hien,
                to: item.thuc_hien,
                units: movers(&|u| Some(u.kinh_phi)),
            });
        }
        for (code, (label, qty)) in &item.chi_tieu {
            let was = before.chi_tieu.get(code).map_or(Decimal::ZERO, |(_, q)| *q);
            if was != *qty {
                let units = movers(&|u| u.chi_tieu.get(code).copied());
                changes.push(Change::Quantity {
                    so: so.clone(),
                    label: label.clone(),
                    from: was,
                    to: *qty,
                    units,
                });
            }
        }
        if before.trang_thai != item.trang_thai {
            changes.push(Change::Status {
                so,
                from: before.trang_thai.clone(),
                to: item.trang_thai.clone(),
            });
        }
    }
    let (o, n) = (&old.so_lieu, &new.so_lieu);
    for (what, from, to) in [
        ("Tổng kinh phí kế hoạch", o.ke_hoach, n.ke_hoach),
        ("Tổng kinh phí thực hiện", o.thuc_hien, n.thuc_hien),
        (
            "Kinh phí ngoài ngân sách khuyến công (vốn đối ứng, nguồn khác)",
            o.ngoai_ngan_sach,
            n.ngoai_ngan_sach,
        ),
        (
            "Kinh phí ngoài kế hoạch",
            o.ngoai_ke_hoach,
            n.ngoai_ke_hoach,
        ),
    ] {
        if from != to {
            changes.push(Change::Total { what, from, to });
        }
    }
    changes
}

/// The name under which an input of an older manifest is found among
/// `names` (this build's): itself, or else the longest of its trailing
/// parts that is one of them. Manifests used to record paths as the
/// folder was typed (`input/bao-cao/a.json`, `./input/…`, absolute), and
/// comparing those with relative ones would list every file as removed
/// and added again.
fn same_file<'a>(old: &'a str, names: &BTreeSet<&'a str>) -> &'a str {
    let parts: Vec<&str> = old.split(['/', '\\']).collect();
    (0..parts.len())
        .find_map(|skip| names.get(parts[skip..].join("/").as_str()).copied())
        .unwrap_or(old)
}

/// The change report as printed; `against` says what the changes are
/// relative to ("so với lần tạo báo cáo trước").
pub fn report(changes: &[Change], against: &str) -> String {
    if changes.is_empty() {
        return format!("Không có thay đổi nào {against}.");
    }
    let mut out = format!("Thay đổi {against} ({} mục):", changes.len());
    // One line each, whatever a manifest holds: its names and words come
    // from a file that may have been edited.
    for c in changes {
        out.push_str(&format!("\n  - {}", escaped(&c.to_string())));
    }
    out
}
