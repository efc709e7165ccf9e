//! `khuyencong templates export|check`: hand the default templates out for
//! editing, and try the templates on the current data.

use std::process::ExitCode;

use khuyencong::pipeline;
use khuyencong::templating::{self, Exported, Origin};

use super::args::{CheckArgs, ExportArgs};
use super::messages;

pub fn export(args: ExportArgs) -> ExitCode {
    match templating::export(&args.dir, args.force) {
        Ok(done) => {
            for d in &done {
                match d {
                    Exported::Written(p) => out!("Đã ghi mẫu: {}", p.display()),
                    Exported::Unchanged(p) => {
                        out!("Giữ nguyên (giống mẫu mặc định): {}", p.display())
                    }
                    Exported::KeptEdited(p) => out!(
                        "Không ghi đè mẫu đã sửa: {} (dùng --force để ghi đè)",
                        p.display()
                    ),
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            err!(
                "không ghi được mẫu vào {}: {}",
                args.dir.display(),
                e.kind()
            );
            ExitCode::from(1)
        }
    }
}

/// A build that stops before writing: the templates are checked by
/// rendering them with the current data; each is listed with where it came
/// from, so a clerk sees which edits the report uses.
pub fn check(args: CheckArgs) -> ExitCode {
    match pipeline::run(&args.data.inputs(args.templates)) {
        Ok(report) => {
            let mut listed: Vec<_> = report.templates.origins().collect();
            listed.sort_by(|a, b| a.0.name.cmp(&b.0.name));
            let count = |o: Origin| listed.iter().filter(|(_, x)| *x == o).count();
            out!(
                "Mẫu hợp lệ: {} mẫu ({} đã sửa, {} giống mẫu mặc định, {} mặc định, {} thêm), báo cáo có {} khối nội dung.",
                listed.len(),
                count(Origin::Edited),
                count(Origin::AsDefault),
                count(Origin::Default),
                count(Origin::Added),
                report.document.blocks.len()
            );
            for (source, origin) in &listed {
                match &source.path {
                    None => out!(
                        "  {}: mặc định (không có tệp trong {})",
                        source.name,
                        report.inputs.templates.display()
                    ),
                    Some(path) => out!(
                        "  {}: {} ({})",
                        source.name,
                        match origin {
                            Origin::Edited => "đã sửa",
                            Origin::AsDefault => "giống mẫu mặc định",
                            Origin::Added => "mẫu thêm",
                            Origin::Default => "mặc định",
                        },
                        path.display()
                    ),
                }
            }
            if report.inputs.templates_dir().is_none() {
                super::build::no_templates_folder(&report.inputs);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            messages::build_error(&e);
            ExitCode::from(1)
        }
    }
}
