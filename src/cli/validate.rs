//! `khuyencong validate`: check data files without writing anything.

use std::process::ExitCode;

use khuyencong::validate;

use super::args::ValidateArgs;

pub fn run(args: ValidateArgs) -> ExitCode {
    let ValidateArgs { paths, data } = args;
    let paths = if paths.is_empty() {
        vec![data.input.clone()]
    } else {
        paths
    };
    match validate::load(&paths, &[data.input], data.year) {
        Ok(data) => {
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
                        old.path.display(),
                        old.value.lan_nop,
                        old.value.ma_don_vi,
                        newer.value.lan_nop,
                        newer.path.display()
                    );
                }
            }
            out!(
                "Dữ liệu hợp lệ: kế hoạch năm {} ({}), {} báo cáo đơn vị, {} bản đã được thay thế.",
                data.plan.value.nam,
                data.plan.path.display(),
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
