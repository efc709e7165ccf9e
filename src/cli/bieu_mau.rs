//! `khuyencong bieu-mau`: one Excel form per unit, from the year's plan.

use std::process::ExitCode;

use khuyencong::diagnostic::{hint, shown_path};
use khuyencong::excel::{form, form_name};
use khuyencong::output::{self, Kept, Overwrite, Placed};
use khuyencong::validate;

use super::args::FormArgs;
use super::messages;

pub fn run(args: FormArgs) -> ExitCode {
    let FormArgs {
        units,
        output: dir,
        prefill,
        force,
        data,
    } = args;
    // Forms in the data folder would be refused there (KC043).
    let inputs = khuyencong::pipeline::Inputs {
        input: data.input.clone(),
        templates: khuyencong::pipeline::DEFAULT_TEMPLATES.into(),
        year: data.year,
    };
    if inputs.check_output(&dir).is_err() {
        err!(
            "thư mục biểu mẫu {} nằm trong thư mục dữ liệu {}: các tệp .xlsx ở đó làm `validate` và `build` báo lỗi KC043. Chọn --output ở ngoài thư mục dữ liệu, ví dụ --output bieu-mau",
            shown_path(&dir),
            shown_path(&data.input)
        );
        return ExitCode::from(1);
    }
    let data = match validate::load(std::slice::from_ref(&data.input), &[], data.year) {
        Ok(d) => d,
        Err(diags) => {
            diag!("{diags}");
            return ExitCode::from(1);
        }
    };
    let plan = &data.plan.value;
    let index = plan.index();
    let unknown: Vec<&String> = units.iter().filter(|u| index.unit(u).is_none()).collect();
    if !unknown.is_empty() {
        for code in unknown {
            err!(
                "không có đơn vị mã `{}` trong danh mục năm {}.{}",
                khuyencong::diagnostic::escaped(code),
                plan.nam,
                hint(code, plan.don_vi.iter().map(|u| u.ma.as_str()))
            );
        }
        return ExitCode::from(1);
    }
    let chosen: Vec<_> = plan
        .don_vi
        .iter()
        .filter(|u| units.is_empty() || units.contains(&u.ma))
        .collect();
    // The latest submission of each unit, looked up once per unit.
    let latest_of: std::collections::HashMap<&str, _> = data
        .submissions
        .iter()
        .filter(|_| prefill)
        .map(|s| (s.value.ma_don_vi.as_str(), s))
        .collect();
    let mut files = Vec::with_capacity(chosen.len());
    for unit in &chosen {
        let latest = latest_of.get(unit.ma.as_str()).map(|s| &s.value);
        match form::of_unit(plan, unit, latest) {
            Ok(bytes) => files.push((form_name(unit), bytes)),
            Err(e) => {
                err!("{}: {e}", shown_path(&dir.join(form_name(unit))));
                return ExitCode::from(1);
            }
        }
    }
    let overwrite = if force {
        Overwrite::Always
    } else {
        Overwrite::Never
    };
    let placed = match output::place(&dir, &files, overwrite, false, &messages::wait()) {
        Ok(p) => p,
        Err(e) => {
            err!("{e}");
            return ExitCode::from(1);
        }
    };
    let mut refused = 0;
    for (unit, p) in chosen.iter().zip(&placed) {
        let path = shown_path(p.path());
        match p {
            Placed::Unchanged(_) => out!("Giữ nguyên (đã đúng): {path}"),
            Placed::Kept(_, why) => {
                refused += 1;
                let what = match why {
                    Kept::Different => {
                        "đã có tệp khác biểu mẫu sẽ ghi (có thể là biểu mẫu đơn vị đã điền)"
                    }
                    Kept::Link => {
                        "đó là một liên kết tượng trưng (chương trình không ghi qua liên kết)"
                    }
                };
                err!("{path}: {what} nên không ghi đè; chuyển tệp đó đi, chọn --output khác, hoặc ghi đè bằng --force.");
            }
            Placed::Written(_) => match latest_of.get(unit.ma.as_str()) {
                Some(s) => out!(
                    "Đã ghi biểu mẫu: {path} (điền sẵn lần nộp {} từ {}, lần nộp mới là {})",
                    s.value.lan_nop,
                    shown_path(&s.path),
                    s.value.lan_nop + 1
                ),
                None => out!("Đã ghi biểu mẫu: {path}"),
            },
        }
    }
    if refused > 0 {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
