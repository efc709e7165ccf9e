//! The keys of every object of the contract, spelled once. The decoders in
//! `validate` read their keys from here (and refuse any other), the JSON
//! Schema takes its `required` lists from here (`schema`), the Excel form
//! names its columns with these keys (`excel`), and `synth` writes its data
//! through the contract's types, whose fields a test holds to this table.
//!
//! A key is added, or made required, in its object's list below; the
//! order of a list is the order the keys are read and named in messages
//! ("Các khóa hợp lệ ở đây: …").

/// One key of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub name: &'static str,
    pub need: Need,
}

/// Whether a key must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Need {
    Required,
    Optional,
    /// Required unless the other key is given (an activity's `kinh_phi`
    /// may be left for the program to add up from `theo_nguon`).
    Unless(&'static str),
}

impl Key {
    const fn required(name: &'static str) -> Key {
        Key {
            name,
            need: Need::Required,
        }
    }
    const fn optional(name: &'static str) -> Key {
        Key {
            name,
            need: Need::Optional,
        }
    }
    const fn unless(name: &'static str, other: &'static str) -> Key {
        Key {
            name,
            need: Need::Unless(other),
        }
    }

    pub fn is_required(self) -> bool {
        self.need == Need::Required
    }
}

/// An object of the contract: the name of its type (the definition in the
/// JSON Schema) and its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Object {
    pub schema: &'static str,
    pub keys: &'static [Key],
}

impl Object {
    pub fn key(&self, name: &str) -> Option<Key> {
        self.keys.iter().copied().find(|k| k.name == name)
    }
}

macro_rules! object {
    ($(#[$doc:meta])* $module:ident, $schema:literal, [$($key:ident = $make:ident($($arg:literal),+)),+ $(,)?]) => {
        $(#[$doc])*
        pub mod $module {
            use super::{Key, Object};
            $(pub const $key: Key = Key::$make($($arg),+);)+
            pub const OBJECT: Object = Object {
                schema: $schema,
                keys: &[$($key),+],
            };
        }
    };
}

// ---- the plan (`"loai": "ke_hoach"`) ----

object!(
    /// The plan file itself.
    plan, "Plan", [
        LOAI = required("loai"),
        NAM = required("nam"),
        TINH = required("tinh"),
        VAN_BAN = required("van_ban"),
        DON_VI = required("don_vi"),
        NGUON_KINH_PHI = required("nguon_kinh_phi"),
        CHUONG_TRINH = required("chuong_trinh"),
    ]
);

object!(
    /// `van_ban`: what the report prints as an official document.
    document, "DocumentInfo", [
        CO_QUAN_CHU_QUAN = required("co_quan_chu_quan"),
        CO_QUAN_BAN_HANH = required("co_quan_ban_hanh"),
        TEN_CO_QUAN = required("ten_co_quan"),
        SO_KY_HIEU = required("so_ky_hieu"),
        DIA_DANH = required("dia_danh"),
        NGAY = required("ngay"),
        TRICH_YEU = required("trich_yeu"),
        CAN_CU = required("can_cu"),
        THAM_QUYEN = required("tham_quyen"),
        NGUOI_KY = required("nguoi_ky"),
        NOI_NHAN = required("noi_nhan"),
        LUU = required("luu"),
        DON_VI_TIEN = optional("don_vi_tien"),
    ]
);

object!(
    /// A unit of the registry (`don_vi`).
    unit, "Unit", [
        MA = required("ma"),
        TEN = required("ten"),
        CAP = required("cap"),
    ]
);

object!(
    /// A funding source (`nguon_kinh_phi`).
    source, "FundingSource", [
        MA = required("ma"),
        TEN = required("ten"),
        LOAI = required("loai"),
    ]
);

object!(
    /// A programme (`chuong_trinh`).
    programme, "Programme", [
        MA = required("ma"),
        TEN = required("ten"),
        NOI_DUNG = required("noi_dung"),
    ]
);

object!(
    /// An item of a programme (`noi_dung`).
    item, "PlanItem", [
        MA = required("ma"),
        TEN = required("ten"),
        KE_HOACH = required("ke_hoach"),
        CHI_TIEU = required("chi_tieu"),
        KINH_PHI = required("kinh_phi"),
        NGUON = optional("nguon"),
        THEO_NGUON = optional("theo_nguon"),
        LY_DO_KHONG_THUC_HIEN = optional("ly_do_khong_thuc_hien"),
    ]
);

object!(
    /// An indicator of an item (`chi_tieu`).
    indicator, "Indicator", [
        MA = required("ma"),
        TEN = required("ten"),
        DON_VI_TINH = required("don_vi_tinh"),
        KE_HOACH = required("ke_hoach"),
    ]
);

// ---- a unit's submission (`"loai": "bao_cao"`) ----

object!(
    /// The submission file itself.
    submission, "Submission", [
        LOAI = required("loai"),
        NAM = required("nam"),
        MA_DON_VI = required("ma_don_vi"),
        LAN_NOP = required("lan_nop"),
        NGAY_NOP = required("ngay_nop"),
        NGUOI_LAP = required("nguoi_lap"),
        HOAT_DONG = required("hoat_dong"),
        KHONG_THUC_HIEN = optional("khong_thuc_hien"),
        NGOAI_KE_HOACH = optional("ngoai_ke_hoach"),
    ]
);

object!(
    /// An activity (`hoat_dong`).
    activity, "Activity", [
        NOI_DUNG = required("noi_dung"),
        MO_TA = required("mo_ta"),
        CHI_TIEU = optional("chi_tieu"),
        KINH_PHI = unless("kinh_phi", "theo_nguon"),
        NGUON = optional("nguon"),
        THEO_NGUON = optional("theo_nguon"),
        DE_AN = optional("de_an"),
        DIA_DIEM = optional("dia_diem"),
        TU_NGAY = optional("tu_ngay"),
        DEN_NGAY = optional("den_ngay"),
        GHI_CHU = optional("ghi_chu"),
    ]
);

object!(
    /// The project an activity carries out (`de_an`).
    project, "Project", [
        TEN = required("ten"),
        CO_SO = required("co_so"),
        TRANG_THAI = required("trang_thai"),
    ]
);

object!(
    /// An item not carried out (`khong_thuc_hien`).
    not_done, "NotImplemented", [
        NOI_DUNG = required("noi_dung"),
        LY_DO = optional("ly_do"),
        GHI_CHU = optional("ghi_chu"),
    ]
);

object!(
    /// A task outside the plan (`ngoai_ke_hoach`).
    extra, "ExtraTask", [
        TEN = required("ten"),
        CAN_CU = required("can_cu"),
        KINH_PHI = required("kinh_phi"),
        DU_KIEN = required("du_kien"),
        NGUON = required("nguon"),
        GHI_CHU = optional("ghi_chu"),
    ]
);

/// Every object of each file, the file's own first.
pub const PLAN_OBJECTS: [Object; 7] = [
    plan::OBJECT,
    document::OBJECT,
    unit::OBJECT,
    source::OBJECT,
    programme::OBJECT,
    item::OBJECT,
    indicator::OBJECT,
];
pub const SUBMISSION_OBJECTS: [Object; 5] = [
    submission::OBJECT,
    activity::OBJECT,
    project::OBJECT,
    not_done::OBJECT,
    extra::OBJECT,
];

/// `de_an.ten`: a key of an object inside another, as the form's hidden
/// key row names its columns.
pub fn dotted(outer: Key, inner: &str) -> String {
    format!("{}.{inner}", outer.name)
}
