//! The `khuyencong` command: a thin CLI over the library. Only this file
//! prints and chooses exit codes: 0 done, 1 the data or templates need
//! fixing (or the output cannot be written), 2 the command was mistyped.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use khuyencong::{format, manifest, output, pipeline, validate};

const HELP_TEMPLATE: &str = "{about}\n\nCách dùng: {usage}\n\n{all-args}{after-help}";

#[derive(Parser)]
#[command(
    name = "khuyencong",
    version,
    about = "Tổng hợp báo cáo kết quả thực hiện kế hoạch khuyến công của các đơn vị thành báo cáo của tỉnh (Markdown, DOCX, PDF).",
    help_template = HELP_TEMPLATE,
    override_usage = "khuyencong [LỆNH] [TÙY_CHỌN]",
    subcommand_help_heading = "Lệnh",
    disable_help_subcommand = true,
    disable_help_flag = true,
    disable_version_flag = true,
    after_help = "Chạy `khuyencong` không có lệnh = `khuyencong build` với các thư mục mặc định."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    build: BuildArgs,
    /// In hướng dẫn này
    #[arg(short = 'h', long = "help", action = clap::ArgAction::Help, global = true, help_heading = "Tùy chọn chung")]
    help: Option<bool>,
    /// In số phiên bản
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version, help_heading = "Tùy chọn chung")]
    version: Option<bool>,
}

#[derive(Subcommand)]
enum Command {
    /// Kiểm tra dữ liệu, tổng hợp và ghi báo cáo (.md, .docx, .pdf) vào thư mục kết quả
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong build [TÙY_CHỌN]")]
    Build(BuildArgs),
    /// Chỉ kiểm tra các tệp dữ liệu (không ghi gì); liệt kê mọi lỗi của mọi tệp
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong validate [TÙY_CHỌN] [ĐƯỜNG_DẪN]...")]
    Validate {
        /// Tệp hoặc thư mục cần kiểm tra (mặc định: thư mục dữ liệu)
        #[arg(value_name = "ĐƯỜNG_DẪN", help_heading = "Tham số")]
        paths: Vec<PathBuf>,
        /// Thư mục dữ liệu, nơi tìm tệp kế hoạch khi chỉ kiểm tra tệp của đơn vị (mặc định: input)
        #[arg(
            long,
            value_name = "THƯ_MỤC",
            default_value = "input",
            hide_default_value = true,
            help_heading = "Tùy chọn"
        )]
        input: PathBuf,
        /// Năm cần kiểm tra (mặc định: năm của tệp kế hoạch)
        #[arg(long, value_name = "NĂM", help_heading = "Tùy chọn")]
        year: Option<i32>,
    },
    /// In lược đồ JSON (JSON Schema) của tệp kế hoạch hoặc tệp báo cáo đơn vị
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong schema ke_hoach|bao_cao")]
    Schema {
        /// ke_hoach hoặc bao_cao
        #[arg(value_name = "LOẠI", value_parser = ["ke_hoach", "bao_cao"], help_heading = "Tham số")]
        kind: String,
    },
}

#[derive(Args, Clone)]
struct BuildArgs {
    /// Thư mục chứa tệp kế hoạch và báo cáo của các đơn vị (mặc định: input)
    #[arg(
        long,
        value_name = "THƯ_MỤC",
        default_value = "input",
        hide_default_value = true,
        help_heading = "Tùy chọn"
    )]
    input: PathBuf,
    /// Thư mục mẫu báo cáo, mẫu nào thiếu sẽ dùng mẫu mặc định (mặc định: templates)
    #[arg(
        long,
        value_name = "THƯ_MỤC",
        default_value = "templates",
        hide_default_value = true,
        help_heading = "Tùy chọn"
    )]
    templates: PathBuf,
    /// Thư mục ghi báo cáo (mặc định: output)
    #[arg(
        long,
        value_name = "THƯ_MỤC",
        default_value = "output",
        hide_default_value = true,
        help_heading = "Tùy chọn"
    )]
    output: PathBuf,
    /// Năm báo cáo (mặc định: năm của tệp kế hoạch)
    #[arg(long, value_name = "NĂM", help_heading = "Tùy chọn")]
    year: Option<i32>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match cli.command {
        None => build(cli.build),
        Some(Command::Build(args)) => build(args),
        Some(Command::Validate { paths, input, year }) => check(paths, input, year),
        Some(Command::Schema { kind }) => {
            println!("{}", khuyencong::schema::json_schema(&kind));
            ExitCode::SUCCESS
        }
    }
}

/// clap's own messages, said in Vietnamese (help and version exit 0).
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    match e.kind() {
        K::DisplayHelp | K::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let what = match e.kind() {
        K::UnknownArgument => "tùy chọn không hợp lệ",
        K::InvalidSubcommand => "lệnh không hợp lệ",
        K::InvalidValue | K::ValueValidation => "giá trị không hợp lệ",
        K::MissingRequiredArgument => "thiếu tham số bắt buộc",
        _ => "câu lệnh không hợp lệ",
    };
    let detail = e.to_string();
    let detail = detail
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ");
    eprintln!("Lỗi: {what} ({detail}).\nChạy `khuyencong --help` để xem cách dùng.");
    ExitCode::from(2)
}

fn build(args: BuildArgs) -> ExitCode {
    let inputs = pipeline::Inputs {
        input: args.input,
        templates: args.templates,
        year: args.year,
    };
    let report = match pipeline::run(&inputs) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            eprintln!(
                "Không ghi báo cáo nào; các tệp cũ trong {} được giữ nguyên.",
                args.output.display()
            );
            return ExitCode::from(1);
        }
    };
    match output::write(&report, &args.output) {
        Ok(written) => {
            print_summary(&report);
            println!("Đã ghi:");
            for f in &written.files {
                println!("  {}", f.display());
            }
            if let Some(changes) = &written.changes {
                println!("{}", manifest::report(changes));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Lỗi: {e}");
            ExitCode::from(1)
        }
    }
}

fn print_summary(report: &pipeline::Report) {
    let data = &report.data;
    let s = &report.summary;
    println!("Kế hoạch năm {}: {}", s.nam, data.plan.path.display());
    println!("Đã đọc {} báo cáo đơn vị:", data.submissions.len());
    for sub in &data.submissions {
        let unit = s.don_vi.iter().find(|u| u.ma == sub.value.ma_don_vi);
        println!(
            "  {} {}: lần nộp {} ({})",
            sub.value.ma_don_vi,
            unit.map_or("", |u| u.ten.as_str()),
            sub.value.lan_nop,
            sub.path.display()
        );
    }
    for old in &s.ban_thay_the {
        println!(
            "  Bản đã được thay thế, không tính: {} {} lần nộp {} ({})",
            old.ma_don_vi, old.don_vi, old.lan_nop, old.tep
        );
    }
    let missing = data.missing_units();
    if missing.is_empty() {
        println!("Đơn vị chưa nộp: không có.");
    } else {
        let names: Vec<String> = missing
            .iter()
            .map(|u| format!("{} {}", u.ma, u.ten))
            .collect();
        println!("Đơn vị chưa nộp ({}): {}", names.len(), names.join(", "));
    }
    let rate = s
        .tong
        .kinh_phi
        .ty_le
        .map_or("–".to_string(), |r| format::phan_tram(r, 1));
    println!(
        "Kinh phí: kế hoạch {}, thực hiện {} ({rate}).",
        format::tien(s.tong.kinh_phi.ke_hoach),
        format::tien(s.tong.kinh_phi.thuc_hien)
    );
}

fn check(paths: Vec<PathBuf>, input: PathBuf, year: Option<i32>) -> ExitCode {
    let paths = if paths.is_empty() {
        vec![input.clone()]
    } else {
        paths
    };
    match validate::load(&paths, &[input], year) {
        Ok(data) => {
            println!(
                "Dữ liệu hợp lệ: kế hoạch năm {} ({}), {} báo cáo đơn vị, {} bản đã được thay thế.",
                data.plan.value.nam,
                data.plan.path.display(),
                data.submissions.len(),
                data.superseded.len()
            );
            ExitCode::SUCCESS
        }
        Err(diags) => {
            eprintln!("{diags}");
            ExitCode::from(1)
        }
    }
}
