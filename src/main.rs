//! The `khuyencong` command: a thin CLI over the library. Only this file
//! prints and chooses exit codes: 0 done, 1 the data or templates need
//! fixing (or the output cannot be written), 2 the command was mistyped.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use khuyencong::render::Format;
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
        #[command(flatten)]
        data: DataArgs,
    },
    /// So sánh hai bản kê (manifest) và in những gì đã thay đổi
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong diff BẢN_KÊ_CŨ BẢN_KÊ_MỚI")]
    Diff {
        /// Bản kê của lần tạo trước (…manifest.json)
        #[arg(value_name = "BẢN_KÊ_CŨ", help_heading = "Tham số", display_order = 1)]
        old: PathBuf,
        /// Bản kê của lần tạo sau
        #[arg(value_name = "BẢN_KÊ_MỚI", help_heading = "Tham số", display_order = 2)]
        new: PathBuf,
    },
    /// In (dạng JSON) mọi biến mà mẫu báo cáo dùng được, với số liệu hiện tại
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong context [TÙY_CHỌN]")]
    Context {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Làm việc với mẫu báo cáo: xuất mẫu mặc định ra để sửa, kiểm tra mẫu
    #[command(
        subcommand,
        help_template = HELP_TEMPLATE,
        subcommand_help_heading = "Lệnh",
        override_usage = "khuyencong templates export|check [TÙY_CHỌN]"
    )]
    Templates(TemplatesCommand),
    /// Dựng DOCX và PDF từ một tệp Markdown (ví dụ bản .md đã sửa tay)
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong render TỆP.md [--output THƯ_MỤC]")]
    Render {
        /// Tệp Markdown có khối thông tin văn bản +++ ở đầu
        #[arg(value_name = "TỆP.md", help_heading = "Tham số")]
        file: PathBuf,
        /// Thư mục ghi DOCX và PDF (mặc định: thư mục của tệp Markdown)
        #[arg(long, value_name = "THƯ_MỤC", help_heading = "Tùy chọn")]
        output: Option<PathBuf>,
        /// Chỉ dựng một định dạng: docx hoặc pdf (mặc định: cả hai)
        #[arg(long, value_name = "ĐỊNH_DẠNG", value_parser = ["docx", "pdf"], help_heading = "Tùy chọn")]
        format: Option<String>,
    },
    /// In lược đồ JSON (JSON Schema) của tệp kế hoạch hoặc tệp báo cáo đơn vị
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong schema ke_hoach|bao_cao")]
    Schema {
        /// ke_hoach hoặc bao_cao
        #[arg(value_name = "LOẠI", value_parser = ["ke_hoach", "bao_cao"], help_heading = "Tham số")]
        kind: String,
    },
}

#[derive(Subcommand)]
enum TemplatesCommand {
    /// Ghi các mẫu mặc định ra thư mục để sửa (không ghi đè mẫu đã sửa nếu không có --force)
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong templates export [THƯ_MỤC] [--force]")]
    Export {
        /// Thư mục ghi mẫu (mặc định: templates)
        #[arg(
            value_name = "THƯ_MỤC",
            default_value = "templates",
            hide_default_value = true,
            help_heading = "Tham số"
        )]
        dir: PathBuf,
        /// Ghi đè cả những mẫu đã được sửa
        #[arg(long, help_heading = "Tùy chọn")]
        force: bool,
    },
    /// Dựng thử mẫu với số liệu hiện tại; báo lỗi kèm tệp, dòng, cột (mọi tên bộ lọc sai cùng lúc, lỗi khi dựng thì lỗi đầu tiên)
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong templates check [TÙY_CHỌN]")]
    Check {
        #[command(flatten)]
        templates: TemplatesArg,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Args, Clone)]
struct TemplatesArg {
    /// Thư mục mẫu báo cáo, mẫu nào thiếu sẽ dùng mẫu mặc định (mặc định: templates)
    #[arg(
        long = "templates",
        value_name = "THƯ_MỤC",
        default_value = "templates",
        hide_default_value = true,
        help_heading = "Tùy chọn"
    )]
    dir: PathBuf,
}

#[derive(Args, Clone)]
struct DataArgs {
    /// Thư mục chứa tệp kế hoạch và báo cáo của các đơn vị (mặc định: input)
    #[arg(
        long,
        value_name = "THƯ_MỤC",
        default_value = "input",
        hide_default_value = true,
        help_heading = "Tùy chọn"
    )]
    input: PathBuf,
    /// Năm báo cáo (mặc định: năm của tệp kế hoạch)
    #[arg(long, value_name = "NĂM", help_heading = "Tùy chọn")]
    year: Option<i32>,
}

#[derive(Args, Clone)]
struct BuildArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    templates: TemplatesArg,
    /// Thư mục ghi báo cáo (mặc định: output)
    #[arg(
        long,
        value_name = "THƯ_MỤC",
        default_value = "output",
        hide_default_value = true,
        help_heading = "Tùy chọn"
    )]
    output: PathBuf,
    /// Theo dõi thư mục dữ liệu và mẫu, tự tạo lại báo cáo khi có tệp thay đổi (Ctrl+C để dừng)
    #[arg(long, help_heading = "Tùy chọn")]
    watch: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match cli.command {
        None => build(cli.build),
        Some(Command::Build(args)) => build(args),
        Some(Command::Validate { paths, data }) => check(paths, data.input, data.year),
        Some(Command::Diff { old, new }) => diff(&old, &new),
        Some(Command::Context { data }) => context(data),
        Some(Command::Templates(TemplatesCommand::Export { dir, force })) => export(&dir, force),
        Some(Command::Templates(TemplatesCommand::Check { templates, data })) => {
            check_templates(templates.dir, data)
        }
        Some(Command::Render {
            file,
            output,
            format,
        }) => render(&file, output, format.as_deref()),
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
        input: args.data.input,
        templates: args.templates.dir,
        year: args.data.year,
    };
    if args.watch {
        return watch(&inputs, &args.output);
    }
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
    print_summary(&report);
    match output::write(report, &args.output) {
        Ok(written) => {
            println!("Đã ghi:");
            for f in &written.files {
                println!("  {}", f.display());
            }
            if let Some(changes) = &written.changes {
                println!(
                    "{}",
                    manifest::report(changes, "so với lần tạo báo cáo trước")
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Lỗi: {e}");
            eprintln!(
                "Các báo cáo cũ trong {} được giữ nguyên.",
                args.output.display()
            );
            ExitCode::from(1)
        }
    }
}

fn print_summary(report: &pipeline::Report) {
    let data = &report.data;
    let s = &report.summary;
    println!("Kế hoạch năm {}: {}", s.nam, data.plan.path.display());
    for other in &data.other_plans {
        println!(
            "  Kế hoạch năm khác, không dùng lần này: {}",
            other.display()
        );
    }
    println!("Đã đọc {} báo cáo đơn vị:", data.submissions.len());
    // A province lists every unit; at national scale only the re-sent ones.
    const LIST_ALL: usize = 30;
    let names: std::collections::HashMap<&str, &str> = s
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
        println!(
            "  {} {}: lần nộp {} ({})",
            sub.value.ma_don_vi,
            names.get(sub.value.ma_don_vi.as_str()).unwrap_or(&""),
            sub.value.lan_nop,
            sub.path.display()
        );
    }
    if data.submissions.len() > LIST_ALL {
        println!("  ({} đơn vị nộp lần đầu, {resent} đơn vị đã nộp lại; danh sách đầy đủ trong bản kê manifest)", data.submissions.len() - resent);
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
            for old in &data.superseded {
                let named = paths
                    .iter()
                    .any(|p| old.path.starts_with(p) || p == &old.path);
                let newer = data
                    .submissions
                    .iter()
                    .find(|s| s.value.ma_don_vi == old.value.ma_don_vi);
                if let (true, Some(newer)) = (named, newer) {
                    println!(
                        "Lưu ý: {} là lần nộp {} của đơn vị {}, nhưng đã có lần nộp {} ({}) nên tệp này sẽ không được tính.",
                        old.path.display(),
                        old.value.lan_nop,
                        old.value.ma_don_vi,
                        newer.value.lan_nop,
                        newer.path.display()
                    );
                }
            }
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

fn watch(inputs: &pipeline::Inputs, output_dir: &std::path::Path) -> ExitCode {
    let (_keep_running, stop) = std::sync::mpsc::channel::<()>();
    println!(
        "Đang theo dõi {} và {}; sửa tệp rồi lưu để tạo lại báo cáo (Ctrl+C để dừng).",
        inputs.input.display(),
        inputs.templates.display()
    );
    let result = khuyencong::watch::watch(
        inputs,
        output_dir,
        std::time::Duration::from_millis(300),
        &stop,
        |outcome| {
            use khuyencong::watch::Outcome;
            match outcome {
                Outcome::Built(w) => {
                    println!("Đã tạo lại báo cáo ({} tệp).", w.files.len());
                    if let Some(changes) = &w.changes {
                        println!(
                            "{}",
                            manifest::report(changes, "so với lần tạo báo cáo trước")
                        );
                    }
                }
                Outcome::Failed(e) => {
                    eprintln!("{e}\nGiữ nguyên báo cáo tốt gần nhất; sửa lỗi rồi lưu lại tệp.")
                }
                Outcome::NotWritten(e) => eprintln!("Lỗi: {e}"),
            }
        },
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Lỗi: không theo dõi được thư mục: {e}");
            ExitCode::from(1)
        }
    }
}

fn diff(old: &std::path::Path, new: &std::path::Path) -> ExitCode {
    let read = |p: &std::path::Path| {
        output::read_manifest(p).ok_or_else(|| {
            format!(
                "không đọc được bản kê {} (tệp …manifest.json do `khuyencong build` ghi)",
                p.display()
            )
        })
    };
    match (read(old), read(new)) {
        (Ok(a), Ok(b)) => {
            println!(
                "{}",
                manifest::report(&manifest::diff(&a, &b), "so với bản kê cũ")
            );
            ExitCode::SUCCESS
        }
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("Lỗi: {e}");
            ExitCode::from(1)
        }
    }
}

fn load_summary(data: &DataArgs) -> Result<khuyencong::aggregate::Summary, ExitCode> {
    let dataset =
        validate::load(std::slice::from_ref(&data.input), &[], data.year).map_err(|d| {
            eprintln!("{d}");
            ExitCode::from(1)
        })?;
    khuyencong::aggregate::summarise(&dataset).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(1)
    })
}

fn context(data: DataArgs) -> ExitCode {
    match load_summary(&data) {
        Ok(summary) => {
            let json =
                serde_json::to_string_pretty(&summary).expect("the summary always serialises");
            // A reader that stops early (`| head`) is not an error.
            let _ = writeln!(std::io::stdout().lock(), "{json}");
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn export(dir: &std::path::Path, force: bool) -> ExitCode {
    use khuyencong::templating::Exported;
    match khuyencong::templating::export(dir, force) {
        Ok(done) => {
            for d in &done {
                match d {
                    Exported::Written(p) => println!("Đã ghi mẫu: {}", p.display()),
                    Exported::Unchanged(p) => {
                        println!("Giữ nguyên (giống mẫu mặc định): {}", p.display())
                    }
                    Exported::KeptEdited(p) => {
                        println!(
                            "Không ghi đè mẫu đã sửa: {} (dùng --force để ghi đè)",
                            p.display()
                        )
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "Lỗi: không ghi được mẫu vào {}: {}",
                dir.display(),
                e.kind()
            );
            ExitCode::from(1)
        }
    }
}

fn check_templates(templates: PathBuf, data: DataArgs) -> ExitCode {
    let inputs = pipeline::Inputs {
        input: data.input,
        templates,
        year: data.year,
    };
    match pipeline::run(&inputs) {
        Ok(report) => {
            let from_disk = report
                .templates
                .sources
                .iter()
                .filter(|t| t.path.is_some())
                .count();
            println!(
                "Mẫu hợp lệ: {} mẫu ({} từ thư mục, {} mặc định), báo cáo có {} khối nội dung.",
                report.templates.sources.len(),
                from_disk,
                report.templates.sources.len() - from_disk,
                report.document.blocks.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn render(file: &std::path::Path, output: Option<PathBuf>, only: Option<&str>) -> ExitCode {
    let fail = |message: String| {
        eprintln!("Lỗi: {message}");
        ExitCode::from(1)
    };
    let markdown = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            return fail(format!(
                "không đọc được {} ({}); tệp phải là văn bản UTF-8",
                file.display(),
                e.kind()
            ))
        }
    };
    let doc = match khuyencong::markdown::parse(&markdown) {
        Ok(doc) => doc,
        Err(e) => return fail(format!("{}: {e}", file.display())),
    };
    let formats: Vec<Format> = match only {
        Some(name) => Format::from_extension(name).into_iter().collect(),
        None => vec![Format::Docx, Format::Pdf],
    };
    let dir = output.unwrap_or_else(|| file.parent().map(PathBuf::from).unwrap_or_default());
    let stem = file
        .file_stem()
        .map_or_else(|| "bao-cao".into(), |s| s.to_string_lossy().into_owned());
    let doc = khuyencong::render::Rendering { markdown, document: doc };
    match output::write_formats(&dir, &stem, &doc, &formats) {
        Ok(paths) => {
            for p in paths {
                println!("Đã ghi: {}", p.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e.to_string()),
    }
}
