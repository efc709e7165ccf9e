//! `khuyencong nhap`: filled Excel forms → the units' JSON submissions in
//! the input folder; all or nothing. Each form is read once: the text
//! written is the text checked (`intake::import`, the path the desk's
//! "Nhận biểu mẫu" page takes too).

use std::process::ExitCode;

use khuyencong::diagnostic::{shown_path, Code, Diagnostic, Diagnostics};
use khuyencong::excel::import;
use khuyencong::intake::{self, Intake, Refused};
use khuyencong::{load, validate};

use super::args::ImportArgs;
use super::messages;

pub fn run(args: ImportArgs) -> ExitCode {
    let ImportArgs { forms, data } = args;
    if let Some(other) = forms.iter().find(|f| !import::is_form(f)) {
        err!(
            "{} không phải biểu mẫu Excel (.xlsx); tệp JSON thì chép thẳng vào thư mục dữ liệu và kiểm tra bằng `khuyencong validate`.",
            shown_path(other)
        );
        return ExitCode::from(1);
    }
    // A form is a file: a folder, a FIFO or a device named like one is
    // refused at once, before anything is read.
    let mut diags = Diagnostics::default();
    for form in &forms {
        if let Err(e) = load::regular(form) {
            diags.push(Diagnostic::at(form, "$", Code::Unreadable, e.to_string()));
        }
    }
    if !diags.is_empty() {
        return refuse(diags.sorted());
    }
    let named = validate::read_all(&forms, &mut diags);
    let outcome = intake::import(
        named,
        diags,
        &forms,
        &data.input,
        data.year,
        &messages::wait(),
    );
    messages::warnings(&outcome.warnings);
    let intakes = match outcome.result {
        Ok(intakes) => intakes,
        Err(Refused::Checks(diags)) => return refuse(diags),
        Err(taken @ Refused::Taken(_)) => {
            err!("{taken}.");
            diag!("Không nhập biểu mẫu nào: chạy lại lệnh.");
            return ExitCode::from(1);
        }
        Err(Refused::Write(e)) => {
            err!("{e}");
            diag!("Không nhập biểu mẫu nào: các tệp chưa được ghi.");
            return ExitCode::from(1);
        }
    };
    for i in &intakes {
        match i {
            Intake::Write { form, name, .. } => out!(
                "Đã nhập {} → {}",
                shown_path(form),
                shown_path(&data.input.join(name))
            ),
            Intake::Skip { form, file } => out!(
                "Bỏ qua {}: đã nhập trước đó ({} có đúng nội dung này).",
                shown_path(form),
                shown_path(file)
            ),
        }
    }
    ExitCode::SUCCESS
}

fn refuse(diags: Diagnostics) -> ExitCode {
    diag!("{diags}");
    diag!("Không nhập biểu mẫu nào: sửa các lỗi trên trong biểu mẫu rồi chạy lại lệnh.");
    ExitCode::from(1)
}
