//! A synthetic data set of realistic shape, deterministic from a seed, for
//! benchmarks and scale tests: a plan with a registry of N units and one
//! submission per unit (some re-sent, some with items not implemented or
//! tasks outside the plan).

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::contract::*;

/// Deterministic "random" numbers: a hash of (seed, stream, index), so any
/// unit's data does not depend on how many were generated before it.
struct Draw(u64);

impl Draw {
    fn int(&self, stream: &str, index: u64, below: u64) -> u64 {
        let mut h = Sha256::new();
        h.update(self.0.to_le_bytes());
        h.update(stream.as_bytes());
        h.update(index.to_le_bytes());
        let bytes: [u8; 8] = h.finalize()[..8].try_into().expect("8 bytes");
        u64::from_le_bytes(bytes) % below.max(1)
    }
}

/// (code, title, items); an item is (code, title, "indicator:name:unit").
type Catalogue = &'static [(
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static str)],
)];

const PROGRAMMES: Catalogue = &[
    (
        "NANG_LUC_QL",
        "Chương trình nâng cao năng lực quản lý cho cơ sở CNNT",
        &[
            (
                "KSDN",
                "Tổ chức lớp khởi sự doanh nghiệp",
                "hoc_vien:học viên:lượt học viên",
            ),
            ("HTKN", "Học tập kinh nghiệm", "doan:đoàn:đoàn"),
        ],
    ),
    (
        "MO_HINH_TD",
        "Xây dựng mô hình trình diễn kỹ thuật, chuyển giao công nghệ",
        &[(
            "MMTB",
            "Hỗ trợ ứng dụng máy móc thiết bị tiên tiến",
            "co_so:cơ sở được hỗ trợ:cơ sở CNNT",
        )],
    ),
    (
        "PHAT_TRIEN_SP",
        "Chương trình phát triển sản phẩm CNNT",
        &[
            (
                "HOI_CHO",
                "Tham gia hội chợ triển lãm",
                "hoi_cho:hội chợ:hội chợ",
            ),
            (
                "BINH_CHON",
                "Bình chọn sản phẩm CNNT tiêu biểu",
                "san_pham:sản phẩm được công nhận:sản phẩm",
            ),
            (
                "THUONG_HIEU",
                "Hỗ trợ xây dựng và đăng ký thương hiệu",
                "co_so:cơ sở được hỗ trợ:cơ sở CNNT",
            ),
        ],
    ),
    (
        "CUNG_CAP_TT",
        "Chương trình cung cấp thông tin về khuyến công",
        &[
            (
                "CHUYEN_DE",
                "Xây dựng chuyên đề khuyến công",
                "chuyen_de:chuyên đề:chuyên đề",
            ),
            ("HOI_THAO", "Tổ chức hội thảo", "hoi_thao:hội thảo:hội thảo"),
        ],
    ),
    (
        "NANG_LUC_TC",
        "Chương trình nâng cao năng lực và tổ chức thực hiện",
        &[
            (
                "TAP_HUAN",
                "Tập huấn về công tác khuyến công",
                "nguoi:người được tập huấn:người",
            ),
            (
                "CTV",
                "Duy trì mạng lưới cộng tác viên",
                "cong_tac_vien:cộng tác viên:người",
            ),
        ],
    ),
];

const PLACES: &[&str] = &[
    "xã An Bình",
    "phường Tân Hòa",
    "thị trấn Long Giao",
    "xã Suối Nho",
    "xã Phú Lợi",
    "phường Xuân Trung",
];

/// Writes `ke-hoach.json` and `bao-cao/NNNNNN.json` for `units` units into
/// `dir`. The files are the contract's types written out, so their keys
/// are the contract's (`contract::keys`).
pub fn generate(dir: &Path, units: usize, seed: u64) -> io::Result<()> {
    let draw = Draw(seed);
    std::fs::create_dir_all(dir.join("bao-cao"))?;
    let n = units as u64;
    let items: Vec<(&str, &str, &str)> = PROGRAMMES
        .iter()
        .flat_map(|(_, _, items)| items.iter().copied())
        .collect();
    let per_unit_budget = 40_000_000u64;
    let text = |s: &str| s.to_string();
    let programmes = PROGRAMMES
        .iter()
        .map(|(code, name, its)| Programme {
            ma: text(code),
            ten: text(name),
            noi_dung: its
                .iter()
                .map(|(ic, iname, ind)| {
                    let parts: Vec<&str> = ind.split(':').collect();
                    PlanItem {
                        ma: text(ic),
                        ten: text(iname),
                        ke_hoach: format!("{iname} tại các đơn vị trong tỉnh"),
                        chi_tieu: vec![Indicator {
                            ma: text(parts[0]),
                            ten: text(parts[1]),
                            don_vi_tinh: text(parts[2]),
                            ke_hoach: Quantity(Decimal::from(n * 3)),
                        }],
                        kinh_phi: money(per_unit_budget * n / 10),
                        nguon: Some(text("dia_phuong")),
                        theo_nguon: Split::new(),
                        ly_do_khong_thuc_hien: Some(text("Không phát sinh nhu cầu hỗ trợ")),
                    }
                })
                .collect(),
        })
        .collect();
    let registry = (0..n)
        .map(|i| Unit {
            ma: format!("{:06}", i + 1),
            ten: format!("Xã Thử Nghiệm Số {}", i + 1),
            cap: text("xa"),
        })
        .collect();
    let plan = Plan {
        loai: text(KIND_PLAN),
        nam: 2025,
        tinh: text("Tỉnh Thử Nghiệm"),
        van_ban: DocumentInfo {
            co_quan_chu_quan: text("SỞ CÔNG THƯƠNG TỈNH THỬ NGHIỆM"),
            co_quan_ban_hanh: text("TRUNG TÂM KHUYẾN CÔNG"),
            ten_co_quan: text("Trung tâm Khuyến công"),
            so_ky_hieu: text("01/BC-KC"),
            dia_danh: text("Thử Nghiệm"),
            ngay: date(2025, 12, 15),
            trich_yeu: text("Kết quả thực hiện kế hoạch khuyến công năm 2025"),
            can_cu: text(
                "Quyết định số 01/QĐ-UBND ngày 10/01/2025 phê duyệt Kế hoạch khuyến công năm 2025",
            ),
            tham_quyen: vec![text("GIÁM ĐỐC")],
            nguoi_ky: text("Nguyễn Văn An"),
            noi_nhan: vec![text("Sở Công Thương (b/c)")],
            luu: text("VT, KC"),
            don_vi_tien: MoneyUnit::default(),
        },
        don_vi: registry,
        nguon_kinh_phi: vec![
            FundingSource {
                ma: text("dia_phuong"),
                ten: text("Kinh phí khuyến công địa phương"),
                loai: SourceKind::DiaPhuong,
            },
            FundingSource {
                ma: text("doi_ung"),
                ten: text("Vốn đối ứng của cơ sở"),
                loai: SourceKind::DoiUng,
            },
        ],
        chuong_trinh: programmes,
    };
    write_json(&dir.join("ke-hoach.json"), &plan)?;

    for u in 0..n {
        let code = format!("{:06}", u + 1);
        let count = 2 + draw.int("count", u, 4);
        let activities = (0..count)
            .map(|k| {
                let idx = u * 8 + k;
                let (item, name, ind) = items[draw.int("item", idx, items.len() as u64) as usize];
                let indicator = ind.split(':').next().expect("code");
                let day = 1 + draw.int("day", idx, 27) as u32;
                let month = 1 + draw.int("month", idx, 11) as u32;
                let cost = (5 + draw.int("cost", idx, 60)) * 500_000;
                let mut activity = Activity {
                    noi_dung: text(item),
                    mo_ta: format!("{name} cho cơ sở công nghiệp nông thôn"),
                    chi_tieu: BTreeMap::from([(
                        text(indicator),
                        Quantity(Decimal::from(1 + draw.int("qty", idx, 9))),
                    )]),
                    kinh_phi: money(cost),
                    nguon: None,
                    theo_nguon: Split::new(),
                    de_an: None,
                    dia_diem: vec![text(
                        PLACES[draw.int("place", idx, PLACES.len() as u64) as usize],
                    )],
                    tu_ngay: Some(date(2025, month, day)),
                    den_ngay: Some(date(2025, month, day + 1)),
                    ghi_chu: Some(format!("Hoạt động số {} của đơn vị.", k + 1)),
                };
                // One activity in ten is a project with counterpart funds,
                // as provinces that work by đề án report them.
                if draw.int("project", idx, 10) == 0 {
                    activity.kinh_phi = money(cost + cost / 2);
                    activity.theo_nguon = Split::from([
                        (text("dia_phuong"), money(cost)),
                        (text("doi_ung"), money(cost / 2)),
                    ]);
                    activity.de_an = Some(Project {
                        ten: format!("{name} tại cơ sở số {}", idx + 1),
                        co_so: format!("Cơ sở sản xuất số {}", idx + 1),
                        trang_thai: ProjectStatus::HoanThanh,
                    });
                }
                activity
            })
            .collect();
        let mut submission = Submission {
            loai: text(KIND_SUBMISSION),
            nam: 2025,
            ma_don_vi: code.clone(),
            lan_nop: 1,
            ngay_nop: date(2025, 11, 20),
            nguoi_lap: text("Trần Thị Bình"),
            hoat_dong: activities,
            khong_thuc_hien: Vec::new(),
            ngoai_ke_hoach: Vec::new(),
        };
        if draw.int("extra", u, 100) == 0 {
            submission.ngoai_ke_hoach = vec![ExtraTask {
                ten: text("Hỗ trợ đột xuất theo chỉ đạo của UBND tỉnh"),
                can_cu: text("Công văn số 100/UBND-KT"),
                kinh_phi: money(25_000_000),
                du_kien: false,
                nguon: text("dia_phuong"),
                ghi_chu: None,
            }];
        }
        write_json(&dir.join(format!("bao-cao/{code}.json")), &submission)?;
        if draw.int("resend", u, 20) == 0 {
            submission.lan_nop = 2;
            submission.ngay_nop = date(2025, 12, 1);
            write_json(&dir.join(format!("bao-cao/{code}-lan-2.json")), &submission)?;
        }
    }
    Ok(())
}

fn money(dong: u64) -> Money {
    Money(Decimal::from(dong))
}

fn date(year: i32, month: u32, day: u32) -> Date {
    Date { year, month, day }
}

fn write_json(path: &Path, value: &impl Serialize) -> io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    text.push('\n');
    std::fs::write(path, text)
}
