//! `khuyencong nhap`: filled Excel forms → the units' JSON submissions in
//! the input folder; all or nothing.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use khuyencong::diagnostic::Diagnostics;
use khuyencong::excel::import;
use khuyencong::validate;

use super::args::ImportArgs;

pub fn run(args: ImportArgs) -> ExitCode {
    let ImportArgs { forms, data } = args;
    if let Some(other) = forms.iter().find(|f| !import::is_form(f)) {
        err!(
            "{} không phải biểu mẫu Excel (.xlsx); tệp JSON thì chép thẳng vào thư mục dữ liệu và kiểm tra bằng `khuyencong validate`.",
            other.display()
        );
        return ExitCode::from(1);
    }
    tell_about(&forms);
    let checked = validate::load(&forms, std::slice::from_ref(&data.input), data.year)
        .and_then(|dataset| import::destinations(&forms, &dataset, &data.input))
        .and_then(|moves| {
            moves
                .into_iter()
                .map(|(form, target)| import::read(&form).map(|f| (form, target, f.json)))
                .collect::<Result<Vec<_>, _>>()
        });
    let moves = match checked {
        Ok(moves) => moves,
        Err(diags) => return refuse(diags),
    };
    // All or nothing: a file that cannot be written takes back those written.
    let mut written = Vec::new();
    for (_, target, json) in &moves {
        if let Err(e) = write_new(target, json) {
            err!("không ghi được {}: {e}", target.display());
            for done in &written {
                let _ = std::fs::remove_file(done);
            }
            diag!("Không nhập biểu mẫu nào: các tệp vừa ghi đã được xóa lại.");
            return ExitCode::from(1);
        }
        written.push(target.clone());
    }
    for (form, target, _) in &moves {
        out!("Đã nhập {} → {}", form.display(), target.display());
    }
    ExitCode::SUCCESS
}

/// Writes a file that must not exist yet; a file left half-written (disk
/// full) is removed, or the next build would stop on it and every later
/// import would refuse to overwrite it.
fn write_new(target: &Path, json: &str) -> std::io::Result<()> {
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::File::create_new(target)?;
    let written = file
        .write_all(json.as_bytes())
        .and_then(|()| file.sync_all());
    if written.is_err() {
        drop(file);
        let _ = std::fs::remove_file(target);
    }
    written
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
