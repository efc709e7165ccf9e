//! `khuyencong templates export|check`: hand the default templates out for
//! editing, and try the templates on the current data.

use std::process::ExitCode;

use khuyencong::diagnostic::shown_path;
use khuyencong::output::{Kept, Placed};
use khuyencong::pipeline;
use khuyencong::templating::{self, Origin};

use super::args::{CheckArgs, ExportArgs};
use super::messages;

pub fn export(args: ExportArgs) -> ExitCode {
    match templating::export(&args.dir, args.force, &messages::wait()) {
        Ok(done) => {
            for d in &done {
                let path = shown_path(d.path());
                match d {
                    Placed::Written(_) => out!("Đã ghi mẫu: {path}"),
                    Placed::Unchanged(_) => out!("Giữ nguyên (giống mẫu mặc định): {path}"),
                    Placed::Kept(_, Kept::Different) => {
                        out!("Không ghi đè mẫu đã sửa: {path} (dùng --force để ghi đè)")
                    }
                    Placed::Kept(_, Kept::Link) => out!(
                        "Không ghi qua liên kết tượng trưng: {path} (xóa liên kết, hoặc dùng --force để thay liên kết bằng mẫu)"
                    ),
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            err!("không ghi được mẫu vào {}: {e}", shown_path(&args.dir));
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
                        shown_path(std::path::Path::new(&source.name)),
                        shown_path(&report.inputs.templates)
                    ),
                    Some(path) => out!(
                        "  {}: {} ({})",
                        shown_path(std::path::Path::new(&source.name)),
                        match origin {
                            Origin::Edited => "đã sửa",
                            Origin::AsDefault => "giống mẫu mặc định",
                            Origin::Added => "mẫu thêm",
                            Origin::Default => "mặc định",
                        },
                        shown_path(path)
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
