//! `khuyencong validate`: check data files without writing anything.

use std::process::ExitCode;

use khuyencong::diagnostic::{shown_path, Diagnostics};
use khuyencong::load::identity;
use khuyencong::{pipeline, validate};

use super::args::ValidateArgs;
use super::messages;

pub fn run(args: ValidateArgs) -> ExitCode {
    let ValidateArgs { paths, data } = args;
    // Which units have not reported is no concern of one checking its own file.
    let whole_folder =
        paths.is_empty() || paths.iter().any(|p| identity(p) == identity(&data.input));
    let paths = if paths.is_empty() {
        vec![data.input.clone()]
    } else {
        paths
    };
    let mut diags = Diagnostics::default();
    let named = validate::read_all(&paths, &mut diags);
    match validate::load_read(named, diags, &paths, &[data.input], data.year) {
        Ok(data) => {
            messages::warnings(&data.warnings);
            for (form, file) in &data.already_imported {
                note!(
                    "{} đã được nhập: {} có đúng nội dung của biểu mẫu này.",
                    shown_path(form),
                    shown_path(file)
                );
            }
            // Only a superseded file the clerk named is worth a word.
            for old in &data.superseded {
                let named = paths
                    .iter()
                    .any(|p| old.path.starts_with(p) || p == &old.path);
                let newer = data
                    .submissions
                    .iter()
                    .find(|s| s.value.ma_don_vi == old.value.ma_don_vi);
                if let (true, Some(newer)) = (named, newer) {
                    note!(
                        "{} là lần nộp {} của đơn vị {}, nhưng đã có lần nộp {} ({}) nên tệp này sẽ không được tính.",
                        shown_path(&old.path),
                        old.value.lan_nop,
                        old.value.ma_don_vi,
                        newer.value.lan_nop,
                        shown_path(&newer.path)
                    );
                }
            }
            if let (true, Err(missing)) = (whole_folder, pipeline::complete(&data)) {
                note!(
                    "chưa có báo cáo của {} đơn vị: {}; báo cáo tổng hợp sẽ không có số liệu của đơn vị chưa nộp.",
                    missing.0.len(),
                    missing.named()
                );
            }
            out!(
                "Dữ liệu hợp lệ: kế hoạch năm {} ({}), {} báo cáo đơn vị, {} bản đã được thay thế.",
                data.plan.value.nam,
                shown_path(&data.plan.path),
                data.submissions.len(),
                data.superseded.len()
            );
            ExitCode::SUCCESS
        }
        Err(diags) => {
            diag!("{diags}");
            ExitCode::from(1)
        }
    }
}
