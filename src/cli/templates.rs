//! `khuyencong templates export|check`: hand the default templates out for
//! editing, and try the templates on the current data.

use std::process::ExitCode;

use khuyencong::pipeline;
use khuyencong::templating::{self, Exported};

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
/// rendering them with the current data.
pub fn check(args: CheckArgs) -> ExitCode {
    match pipeline::run(&args.data.inputs(args.templates)) {
        Ok(report) => {
            let sources = &report.templates.sources;
            let from_disk = sources.iter().filter(|t| t.path.is_some()).count();
            out!(
                "Mẫu hợp lệ: {} mẫu ({} từ thư mục, {} mặc định), báo cáo có {} khối nội dung.",
                sources.len(),
                from_disk,
                sources.len() - from_disk,
                report.document.blocks.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            messages::build_error(&e);
            ExitCode::from(1)
        }
    }
}
