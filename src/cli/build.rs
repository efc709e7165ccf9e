//! `khuyencong build`, also run when no command is named: check the data,
//! aggregate, write the report; with `--watch`, again after every change.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use khuyencong::diagnostic::shown_path;
use khuyencong::output::{self, Wait, Written};
use khuyencong::watch::Outcome;
use khuyencong::{format, manifest, pipeline};

use super::args::BuildArgs;
use super::messages;

pub fn run(args: BuildArgs) -> ExitCode {
    let inputs = args.data.inputs(args.templates);
    if let Err(e) = inputs.check_output(&args.output) {
        err!("{e}");
        return ExitCode::from(1);
    }
    let wait = messages::wait();
    if args.watch {
        return watch(&inputs, &args.output, &wait);
    }
    // An interrupted build is put right first, so that what is said below
    // about the old reports is what the folder holds.
    if let Err(e) = output::recover(&args.output, &wait) {
        messages::not_written(&e, &args.output);
        return ExitCode::from(1);
    }
    let built = pipeline::run(&inputs).and_then(|report| {
        if args.du {
            pipeline::complete(&report.data)?;
        }
        Ok(report)
    });
    let report = match built {
        Ok(r) => r,
        Err(e) => {
            messages::build_error(&e);
            diag!(
                "Không ghi báo cáo nào; các tệp cũ trong {} được giữ nguyên.",
                shown_path(&args.output)
            );
            return ExitCode::from(1);
        }
    };
    print_summary(&report);
    match output::write(report, &args.output, &wait) {
        Ok(written) => {
            out!("Đã ghi:");
            for f in &written.files {
                out!("  {}", shown_path(f));
            }
            print_changes(&written, &inputs);
            ExitCode::SUCCESS
        }
        Err(e) => {
            messages::not_written(&e, &args.output);
            ExitCode::from(1)
        }
    }
}

/// Says that the default templates folder is absent, so the report is
/// made from the templates embedded in the program.
pub fn no_templates_folder(inputs: &pipeline::Inputs) {
    note!(
        "không có thư mục mẫu {}: dùng các mẫu mặc định có sẵn trong chương trình (lấy ra để sửa: `khuyencong templates export`).",
        shown_path(&inputs.templates)
    );
}

/// What was read and what it adds up to, before the files are written.
fn print_summary(report: &pipeline::Report) {
    let data = &report.data;
    let s = &report.summary;
    if report.inputs.templates_dir().is_none() {
        no_templates_folder(&report.inputs);
    }
    out!("Kế hoạch năm {}: {}", s.nam, shown_path(&data.plan.path));
    for other in &data.other_plans {
        out!(
            "  Kế hoạch năm khác, không dùng lần này: {}",
            shown_path(other)
        );
    }
    out!("Đã đọc {} báo cáo đơn vị:", data.submissions.len());
    // A province lists every unit; at national scale only the re-sent ones.
    const LIST_ALL: usize = 30;
    let names: HashMap<&str, &str> = s
        .don_vi
        .iter()
        .map(|u| (u.ma.as_str(), u.ten.as_str()))
        .collect();
    let resent = data
        .submissions
        .iter()
        .filter(|sub| sub.value.lan_nop > 1)
        .count();
    for sub in data
        .submissions
        .iter()
        .filter(|sub| data.submissions.len() <= LIST_ALL || sub.value.lan_nop > 1)
    {
        out!(
            "  {} {}: lần nộp {} ({})",
            sub.value.ma_don_vi,
            names.get(sub.value.ma_don_vi.as_str()).unwrap_or(&""),
            sub.value.lan_nop,
            shown_path(&sub.path)
        );
    }
    if data.submissions.len() > LIST_ALL {
        out!("  ({} đơn vị nộp lần đầu, {resent} đơn vị đã nộp lại; danh sách đầy đủ trong bản kê manifest)", data.submissions.len() - resent);
    }
    for old in &s.ban_thay_the {
        out!(
            "  Bản đã được thay thế, không tính: {} {} lần nộp {} ({})",
            old.ma_don_vi,
            old.don_vi,
            old.lan_nop,
            shown_path(std::path::Path::new(&old.tep))
        );
    }
    match pipeline::complete(data) {
        Ok(()) => out!("Đơn vị chưa nộp: không có."),
        Err(missing) => warn!(
            "chưa có báo cáo của {} đơn vị: {}. Báo cáo vẫn được tạo nhưng không có số liệu của đơn vị chưa nộp (bảng theo đơn vị ghi \"chưa nộp\"); khi đủ báo cáo, tạo bản chính thức bằng `khuyencong build --du`.",
            missing.0.len(),
            missing.named()
        ),
    }
    let rate = s
        .tong
        .kinh_phi
        .ty_le
        .map_or("–".to_string(), |r| format::phan_tram(r, 1));
    out!(
        "Kinh phí{}: kế hoạch {}, thực hiện {} ({rate}).",
        if s.tong.co_ngoai_ngan_sach {
            " khuyến công"
        } else {
            ""
        },
        format::tien(s.tong.kinh_phi.ke_hoach),
        format::tien(s.tong.kinh_phi.thuc_hien)
    );
    if s.tong.co_ngoai_ngan_sach {
        out!(
            "Vốn đối ứng và nguồn khác ngoài ngân sách khuyến công: kế hoạch {}, thực hiện {}.",
            format::tien(s.tong.ngoai_ngan_sach.ke_hoach),
            format::tien(s.tong.ngoai_ngan_sach.thuc_hien)
        );
    }
}

/// What changed since the previous build, when there was one. An edited
/// template whose file is gone is also a warning: the report silently
/// lost the clerk's edit.
fn print_changes(written: &Written, inputs: &pipeline::Inputs) {
    if let Some(changes) = &written.changes {
        for change in changes {
            if let manifest::Change::TemplateLost(name) = change {
                warn!(
                    "mẫu {} đã được sửa ở lần tạo báo cáo trước nhưng không còn trong thư mục mẫu {}: lần này dùng mẫu mặc định, chỗ đã sửa không có trong báo cáo. Nếu xóa nhầm, hãy chép lại tệp đã sửa vào {}.",
                    shown_path(std::path::Path::new(name)),
                    shown_path(&inputs.templates),
                    shown_path(&inputs.templates.join(name))
                );
            }
        }
        out!(
            "{}",
            manifest::report(changes, "so với lần tạo báo cáo trước")
        );
    }
}

/// Builds, then rebuilds after every change until Ctrl+C; a failed rebuild
/// is reported and leaves the last good report in place.
fn watch(inputs: &pipeline::Inputs, output_dir: &Path, wait: &Wait) -> ExitCode {
    // Never sent to: the watch ends with the process.
    let (_keep_running, stop) = std::sync::mpsc::channel::<()>();
    out!(
        "Đang theo dõi {} và {}; sửa tệp rồi lưu để tạo lại báo cáo (Ctrl+C để dừng).",
        shown_path(&inputs.input),
        shown_path(&inputs.templates)
    );
    let result = khuyencong::watch::watch(
        inputs,
        output_dir,
        wait,
        Duration::from_millis(300),
        &stop,
        |outcome| match outcome {
            Outcome::Built(w) => {
                out!("Đã tạo lại báo cáo ({} tệp).", w.files.len());
                print_changes(&w, inputs);
            }
            Outcome::Failed(e) => {
                messages::build_error(&e);
                diag!("Giữ nguyên báo cáo tốt gần nhất; sửa lỗi rồi lưu lại tệp.");
            }
            Outcome::NotWritten(e) => messages::not_written(&e, output_dir),
        },
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            err!("không theo dõi được thư mục: {e}");
            ExitCode::from(1)
        }
    }
}
