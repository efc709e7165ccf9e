//! What a file says about itself (title, author, date, language), decided
//! once: the DOCX's `docProps/core.xml`, the PDF's Info dictionary and XMP
//! packet and the workbook's properties carry the report's one value; a
//! unit's Excel form carries its own, made by the same rule. Dated by the
//! document, never by the clock, so the same input gives the same bytes.

use crate::contract::{Date, Plan, Unit};
use crate::document::Metadata;

/// The language every output declares.
pub const LANGUAGE: &str = "vi-VN";

/// The program named as the files' creator.
pub const CREATOR: &str = "khuyencong";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Properties {
    pub title: String,
    pub subject: String,
    /// The issuing agency: the author and the company.
    pub author: String,
    pub language: &'static str,
    /// Created and last modified.
    pub date: Date,
    pub creator: &'static str,
    /// The program and its version.
    pub producer: String,
}

impl Properties {
    fn new(title: String, subject: String, author: &str, date: Date) -> Properties {
        Properties {
            title,
            subject,
            author: author.to_string(),
            language: LANGUAGE,
            date,
            creator: CREATOR,
            producer: format!("{CREATOR} {}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// A report's: its summary line (trích yếu) as the title, its type and
    /// number ("Báo cáo số 581/BC-KC&TV") as the subject, the issuing
    /// agency, the report's date.
    pub fn of_report(meta: &Metadata) -> Properties {
        Properties::new(
            meta.trich_yeu.clone(),
            format!(
                "{} số {}",
                sentence_case(&meta.loai_van_ban),
                meta.so_ky_hieu
            ),
            &meta.co_quan_ban_hanh,
            meta.ngay,
        )
    }

    /// A unit's form for a plan: dated by the plan.
    pub fn of_form(plan: &Plan, unit: &Unit) -> Properties {
        Properties::new(
            format!(
                "Biểu mẫu báo cáo kết quả khuyến công năm {} — {}",
                plan.nam, unit.ten
            ),
            format!("Kế hoạch khuyến công năm {} của {}", plan.nam, plan.tinh),
            &plan.van_ban.co_quan_ban_hanh,
            plan.van_ban.ngay,
        )
    }

    /// Created and modified, as XML Schema's dateTime (DOCX, XMP).
    pub fn timestamp(&self) -> String {
        format!("{}T00:00:00Z", self.date)
    }
}

/// "BÁO CÁO" → "Báo cáo".
fn sentence_case(text: &str) -> String {
    let lower = text.trim().to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_titled_by_its_summary_and_named_by_its_number() {
        let md = "+++\nco_quan_ban_hanh = \"TRUNG TÂM\"\nso_ky_hieu = \"581/BC-KC\"\ndia_danh_ngay = \"Đồng Nai, ngày 15 tháng 12 năm 2023\"\nngay = \"2023-12-15\"\ntrich_yeu = \"Kết quả\"\n+++\n";
        let doc = crate::markdown::parse(md).unwrap();
        let p = Properties::of_report(&doc.meta);
        assert_eq!(p.title, "Kết quả");
        assert_eq!(p.subject, "Báo cáo số 581/BC-KC");
        assert_eq!(p.author, "TRUNG TÂM");
        assert_eq!(p.timestamp(), "2023-12-15T00:00:00Z");
        assert_eq!(p.language, "vi-VN");
    }
}
