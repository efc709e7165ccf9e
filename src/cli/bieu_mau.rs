//! `khuyencong bieu-mau`: one Excel form per unit, from the year's plan.

use std::process::ExitCode;

use khuyencong::diagnostic::hint;
use khuyencong::excel::form;
use khuyencong::validate;

use super::args::FormArgs;

pub fn run(args: FormArgs) -> ExitCode {
    let FormArgs {
        units,
        output,
        prefill,
        data,
    } = args;
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
                "không có đơn vị mã `{code}` trong danh mục năm {}.{}",
                plan.nam,
                hint(code, plan.don_vi.iter().map(|u| u.ma.as_str()))
            );
        }
        return ExitCode::from(1);
    }
    let chosen = plan
        .don_vi
        .iter()
        .filter(|u| units.is_empty() || units.contains(&u.ma));
    if let Err(e) = std::fs::create_dir_all(&output) {
        err!("không tạo được thư mục {}: {e}", output.display());
        return ExitCode::from(1);
    }
    // The latest submission of each unit, looked up once per unit.
    let latest_of: std::collections::HashMap<&str, _> = data
        .submissions
        .iter()
        .filter(|_| prefill)
        .map(|s| (s.value.ma_don_vi.as_str(), s))
        .collect();
    let mut refused = 0;
    for unit in chosen {
        let latest = latest_of.get(unit.ma.as_str());
        let path = output.join(form::file_name(unit));
        let bytes = match form::of_unit(plan, unit, latest.map(|s| &s.value)) {
            Ok(b) => b,
            Err(e) => {
                err!("{}: {e}", path.display());
                return ExitCode::from(1);
            }
        };
        // A different file there may be a form a unit has filled in.
        match std::fs::read(&path) {
            Ok(old) if old == bytes => {
                out!("Giữ nguyên (đã đúng): {}", path.display());
                continue;
            }
            Ok(_) => {
                err!(
                    "đã có tệp {} khác biểu mẫu sẽ ghi (có thể là biểu mẫu đơn vị đã điền) nên không ghi đè; chuyển tệp đó đi hoặc chọn --output khác.",
                    path.display()
                );
                refused += 1;
                continue;
            }
            Err(_) => {}
        }
        if let Err(e) = std::fs::write(&path, bytes) {
            err!("không ghi được {}: {e}", path.display());
            return ExitCode::from(1);
        }
        match latest {
            Some(s) => out!(
                "Đã ghi biểu mẫu: {} (điền sẵn lần nộp {} từ {}, lần nộp mới là {})",
                path.display(),
                s.value.lan_nop,
                s.path.display(),
                s.value.lan_nop + 1
            ),
            None => out!("Đã ghi biểu mẫu: {}", path.display()),
        }
    }
    if refused > 0 {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
