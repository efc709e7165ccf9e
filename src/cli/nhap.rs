//! `khuyencong nhap`: filled Excel forms → the units' JSON submissions in
//! the input folder; all or nothing (`excel::nhap`, the path the desk's
//! "Nhận biểu mẫu" page takes too).

use std::process::ExitCode;

use khuyencong::diagnostic::Diagnostics;
use khuyencong::excel::import;
use khuyencong::excel::nhap::{self, Received, Refused};
use khuyencong::load;

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
    // Each form read once: what is checked is what is written.
    let mut diags = Diagnostics::default();
    let received: Vec<Received> = forms
        .iter()
        .filter_map(|path| {
            load::read_bytes(path, &mut diags).map(|bytes| Received {
                name: path.clone(),
                bytes,
            })
        })
        .collect();
    if !diags.is_empty() {
        return refuse(diags.sorted());
    }
    let outcome = nhap::import(&received, &data.input, data.year);
    for n in &outcome.notices {
        note!("{}: {}.", n.form.display(), n.message);
    }
    match outcome.result {
        Ok(imported) => {
            for i in &imported {
                out!("Đã nhập {} → {}", i.form.display(), i.target.display());
            }
            ExitCode::SUCCESS
        }
        Err(Refused::Checks(diags)) => refuse(diags),
        Err(e @ Refused::Write { .. }) => {
            err!("{e}");
            diag!("Không nhập biểu mẫu nào: các tệp vừa ghi đã được xóa lại.");
            ExitCode::from(1)
        }
    }
}

/// What reading the forms did that the officer should know: columns
/// ignored, a form without activities (`validate` of forms).
pub fn tell_about(forms: &[std::path::PathBuf]) {
    for path in forms.iter().filter(|p| import::is_form(p)) {
        if let Ok(form) = import::read(path) {
            for n in nhap::notices_of(path, &form) {
                note!("{}: {}.", n.form.display(), n.message);
            }
        }
    }
}

fn refuse(diags: Diagnostics) -> ExitCode {
    diag!("{diags}");
    diag!("Không nhập biểu mẫu nào: sửa các lỗi trên trong biểu mẫu rồi chạy lại lệnh.");
    ExitCode::from(1)
}
