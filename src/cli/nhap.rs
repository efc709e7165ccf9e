//! `khuyencong nhap`: filled Excel forms → the units' JSON submissions in
//! the input folder; all or nothing. Each form is read once: the text
//! written is the text checked.

use std::process::ExitCode;

use khuyencong::diagnostic::{shown_path, Code, Diagnostic, Diagnostics};
use khuyencong::excel::import;
use khuyencong::intake::{self, Intake};
use khuyencong::output::{self, Overwrite, Placed};
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
            diags.push(Diagnostic {
                file: form.clone(),
                line: 0,
                column: 0,
                path: "$".into(),
                code: Code::Unreadable,
                message: e.to_string(),
            });
        }
    }
    if !diags.is_empty() {
        return refuse(diags.sorted());
    }
    let named = validate::read_all(&forms, &mut diags);
    let input = std::slice::from_ref(&data.input);
    let dataset = match validate::load_read(named, diags, &forms, input, data.year) {
        Ok(d) => d,
        Err(diags) => return refuse(diags),
    };
    messages::warnings(&dataset.warnings);
    let intakes = match intake::plan(&forms, &dataset, &data.input) {
        Ok(i) => i,
        Err(diags) => return refuse(diags),
    };
    let files: Vec<(String, Vec<u8>)> = intakes
        .iter()
        .filter_map(|i| match i {
            Intake::Write { name, json, .. } => Some((name.clone(), json.clone().into_bytes())),
            Intake::Skip { .. } => None,
        })
        .collect();
    // All or nothing, never over another file, never through a link.
    match output::place(
        &data.input,
        &files,
        Overwrite::Never,
        true,
        &messages::wait(),
    ) {
        Ok(placed) if placed.iter().all(|p| matches!(p, Placed::Written(_))) => {}
        Ok(placed) => {
            for p in placed.iter().filter(|p| !matches!(p, Placed::Written(_))) {
                err!(
                    "{} vừa có tệp khác được ghi vào trong lúc nhập nên không ghi đè.",
                    shown_path(p.path())
                );
            }
            diag!("Không nhập biểu mẫu nào: chạy lại lệnh.");
            return ExitCode::from(1);
        }
        Err(e) => {
            err!("{e}");
            diag!("Không nhập biểu mẫu nào: các tệp chưa được ghi.");
            return ExitCode::from(1);
        }
    }
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
