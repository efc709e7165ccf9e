//! `khuyencong nhap`: filled Excel forms → the units' JSON submissions in
//! the input folder; all or nothing.

use std::io::Write;
use std::process::ExitCode;

use khuyencong::diagnostic::Diagnostics;
use khuyencong::excel::import;
use khuyencong::validate;

use super::args::ImportArgs;

pub fn run(args: ImportArgs) -> ExitCode {
    let ImportArgs { forms, data } = args;
    tell_about(&forms);
    let checked = validate::load(&forms, std::slice::from_ref(&data.input), data.year)
        .and_then(|dataset| import::destinations(&forms, &dataset, &data.input));
    let moves = match checked {
        Ok(moves) => moves,
        Err(diags) => return refuse(diags),
    };
    for (form, target) in &moves {
        let written = import::read(form).map_err(|d| d.to_string()).and_then(|f| {
            let dir = target.parent().unwrap_or(target);
            std::fs::create_dir_all(dir)
                .and_then(|()| {
                    let mut file = std::fs::File::create_new(target)?;
                    file.write_all(f.json.as_bytes())?;
                    file.sync_all()
                })
                .map_err(|e| e.to_string())
        });
        if let Err(e) = written {
            err!("không ghi được {}: {e}", target.display());
            return ExitCode::from(1);
        }
        out!("Đã nhập {} → {}", form.display(), target.display());
    }
    ExitCode::SUCCESS
}

/// What reading the forms did that the officer should know: columns
/// ignored, a form without activities.
pub fn tell_about(forms: &[std::path::PathBuf]) {
    for path in forms.iter().filter(|p| import::is_form(p)) {
        let Ok(form) = import::read(path) else {
            continue;
        };
        for notice in &form.notices {
            note!("{}: {notice}.", path.display());
        }
        if form.activities == 0 {
            note!(
                "{}: biểu mẫu không có hoạt động nào (trang \"Hoạt động\" để trống); báo cáo của đơn vị sẽ ghi là không có hoạt động.",
                path.display()
            );
        }
    }
}

fn refuse(diags: Diagnostics) -> ExitCode {
    diag!("{}", import::place_in_cells(diags));
    diag!("Không nhập biểu mẫu nào: sửa các lỗi trên trong biểu mẫu rồi chạy lại lệnh.");
    ExitCode::from(1)
}
