//! The command-line schema: every option with its Vietnamese help, and
//! clap's refusals said in Vietnamese (exit code 2).

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};
use khuyencong::pipeline;
use khuyencong::render::Format;

const HELP_TEMPLATE: &str = "{about}\n\nCách dùng: {usage}\n\n{all-args}{after-help}";

#[derive(Parser)]
#[command(
    name = "khuyencong",
    version,
    about = "Tổng hợp báo cáo kết quả thực hiện kế hoạch khuyến công của các đơn vị thành báo cáo của tỉnh (Markdown, DOCX, PDF, và bảng tổng hợp Excel).",
    help_template = HELP_TEMPLATE,
    override_usage = "khuyencong [LỆNH] [TÙY_CHỌN]",
    subcommand_help_heading = "Lệnh",
    disable_help_subcommand = true,
    disable_help_flag = true,
    disable_version_flag = true,
    after_help = "Chạy `khuyencong` không có lệnh = `khuyencong build` với các thư mục mặc định."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub build: BuildArgs,
    /// In hướng dẫn này
    #[arg(short = 'h', long = "help", action = clap::ArgAction::Help, global = true, help_heading = "Tùy chọn chung")]
    help: Option<bool>,
    /// In số phiên bản
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version, help_heading = "Tùy chọn chung")]
    version: Option<bool>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Kiểm tra dữ liệu, tổng hợp và ghi báo cáo (.md, .docx, .pdf, .xlsx) vào thư mục kết quả
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong build [TÙY_CHỌN]")]
    Build(BuildArgs),
    /// Chỉ kiểm tra các tệp dữ liệu (không ghi gì); liệt kê mọi lỗi của mọi tệp
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong validate [TÙY_CHỌN] [ĐƯỜNG_DẪN]...")]
    Validate(ValidateArgs),
    /// So sánh hai bản kê (manifest) và in những gì đã thay đổi
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong diff BẢN_KÊ_CŨ BẢN_KÊ_MỚI")]
    Diff(DiffArgs),
    /// In (dạng JSON) mọi biến mà mẫu báo cáo dùng được, với số liệu hiện tại
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong context [TÙY_CHỌN]")]
    Context(DataArgs),
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
    Render(RenderArgs),
    /// Tạo biểu mẫu Excel cho đơn vị điền báo cáo (một tệp .xlsx mỗi đơn vị)
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong bieu-mau [TÙY_CHỌN] [MÃ_ĐƠN_VỊ]...")]
    BieuMau(FormArgs),
    /// Nhập biểu mẫu Excel đã điền thành tệp báo cáo JSON trong thư mục dữ liệu
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong nhap BIỂU_MẪU.xlsx... [TÙY_CHỌN]")]
    Nhap(ImportArgs),
    /// Mở bàn làm việc trong trình duyệt: xem báo cáo tự cập nhật khi lưu tệp, tình trạng đơn vị, nhận biểu mẫu, tạo báo cáo
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong xem [TÙY_CHỌN]")]
    Xem(ViewArgs),
    /// In lược đồ JSON (JSON Schema) của tệp kế hoạch hoặc tệp báo cáo đơn vị
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong schema ke_hoach|bao_cao")]
    Schema(SchemaArgs),
}

#[derive(Subcommand)]
pub enum TemplatesCommand {
    /// Ghi các mẫu mặc định ra thư mục để sửa (không ghi đè mẫu đã sửa nếu không có --force)
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong templates export [THƯ_MỤC] [--force]")]
    Export(ExportArgs),
    /// Dựng thử mẫu với số liệu hiện tại; báo lỗi kèm tệp, dòng, cột (mọi tên bộ lọc sai cùng lúc, lỗi khi dựng thì lỗi đầu tiên)
    #[command(help_template = HELP_TEMPLATE, override_usage = "khuyencong templates check [TÙY_CHỌN]")]
    Check(CheckArgs),
}

#[derive(Args)]
pub struct ValidateArgs {
    /// Tệp hoặc thư mục cần kiểm tra (mặc định: thư mục dữ liệu)
    #[arg(value_name = "ĐƯỜNG_DẪN", help_heading = "Tham số")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Args)]
pub struct FormArgs {
    /// Mã các đơn vị cần tạo biểu mẫu (mặc định: mọi đơn vị trong danh mục)
    #[arg(value_name = "MÃ_ĐƠN_VỊ", help_heading = "Tham số")]
    pub units: Vec<String>,
    /// Thư mục ghi biểu mẫu (mặc định: bieu-mau)
    #[arg(
        long,
        value_name = "THƯ_MỤC",
        default_value = "bieu-mau",
        hide_default_value = true,
        help_heading = "Tùy chọn"
    )]
    pub output: PathBuf,
    /// Điền sẵn báo cáo mới nhất của đơn vị (nếu có) để sửa, với lần nộp tiếp theo
    #[arg(long = "dien-san", help_heading = "Tùy chọn")]
    pub prefill: bool,
    /// Ghi đè tệp khác đã có cùng tên (mặc định: không ghi đè, vì đó có thể là biểu mẫu đơn vị đã điền)
    #[arg(long, help_heading = "Tùy chọn")]
    pub force: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Args)]
pub struct ImportArgs {
    /// Các biểu mẫu .xlsx đã điền
    #[arg(
        value_name = "BIỂU_MẪU.xlsx",
        required = true,
        help_heading = "Tham số"
    )]
    pub forms: Vec<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Args)]
pub struct DiffArgs {
    /// Bản kê của lần tạo trước (…manifest.json)
    #[arg(value_name = "BẢN_KÊ_CŨ", help_heading = "Tham số", display_order = 1)]
    pub old: PathBuf,
    /// Bản kê của lần tạo sau
    #[arg(value_name = "BẢN_KÊ_MỚI", help_heading = "Tham số", display_order = 2)]
    pub new: PathBuf,
}

#[derive(Args)]
pub struct RenderArgs {
    /// Tệp Markdown có khối thông tin văn bản +++ ở đầu
    #[arg(value_name = "TỆP.md", help_heading = "Tham số")]
    pub file: PathBuf,
    /// Thư mục ghi DOCX và PDF (mặc định: thư mục của tệp Markdown)
    #[arg(long, value_name = "THƯ_MỤC", help_heading = "Tùy chọn")]
    pub output: Option<PathBuf>,
    /// Chỉ dựng một định dạng: docx hoặc pdf (mặc định: cả hai)
    #[arg(long, value_name = "ĐỊNH_DẠNG", value_parser = RenderFormat, help_heading = "Tùy chọn")]
    pub format: Option<Format>,
}

#[derive(Args)]
pub struct SchemaArgs {
    /// ke_hoach hoặc bao_cao
    #[arg(value_name = "LOẠI", value_parser = ["ke_hoach", "bao_cao"], help_heading = "Tham số")]
    pub kind: String,
}

#[derive(Args)]
pub struct ExportArgs {
    /// Thư mục ghi mẫu (mặc định: templates)
    #[arg(
        value_name = "THƯ_MỤC",
        default_value = "templates",
        hide_default_value = true,
        help_heading = "Tham số"
    )]
    pub dir: PathBuf,
    /// Ghi đè cả những mẫu đã được sửa
    #[arg(long, help_heading = "Tùy chọn")]
    pub force: bool,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub templates: TemplatesArg,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Args)]
pub struct TemplatesArg {
    /// Thư mục mẫu báo cáo (mặc định: templates; thư mục này vắng thì dùng mẫu mặc định gắn sẵn, thư mục khác phải có thật). Tệp mẫu nào không có trong thư mục thì dùng mẫu mặc định của tệp đó
    #[arg(
        long = "templates",
        value_name = "THƯ_MỤC",
        default_value = "templates",
        hide_default_value = true,
        help_heading = "Tùy chọn"
    )]
    pub dir: PathBuf,
}

#[derive(Args)]
pub struct DataArgs {
    /// Thư mục chứa tệp kế hoạch và báo cáo của các đơn vị (mặc định: input)
    #[arg(
        long,
        value_name = "THƯ_MỤC",
        default_value = "input",
        hide_default_value = true,
        help_heading = "Tùy chọn"
    )]
    pub input: PathBuf,
    /// Năm báo cáo (mặc định: năm của tệp kế hoạch)
    #[arg(long, value_name = "NĂM", help_heading = "Tùy chọn")]
    pub year: Option<i32>,
}

impl DataArgs {
    /// What a build reads: this data with the templates in `templates`.
    pub fn inputs(self, templates: TemplatesArg) -> pipeline::Inputs {
        pipeline::Inputs {
            input: self.input,
            templates: templates.dir,
            year: self.year,
        }
    }
}

#[derive(Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub templates: TemplatesArg,
    /// Thư mục ghi báo cáo (mặc định: output)
    #[arg(
        long,
        value_name = "THƯ_MỤC",
        default_value = "output",
        hide_default_value = true,
        help_heading = "Tùy chọn"
    )]
    pub output: PathBuf,
    /// Theo dõi thư mục dữ liệu và mẫu, tự tạo lại báo cáo khi có tệp thay đổi (Ctrl+C để dừng)
    #[arg(long, help_heading = "Tùy chọn")]
    pub watch: bool,
    /// Coi thiếu báo cáo của đơn vị là lỗi, dùng cho lần tạo báo cáo chính thức
    ///
    /// Khi còn đơn vị trong danh mục chưa nộp: không ghi gì (các tệp cũ giữ nguyên), liệt kê
    /// các đơn vị đó kèm mã và thoát với mã 1. Không dùng cùng --watch.
    #[arg(long, conflicts_with = "watch", help_heading = "Tùy chọn")]
    pub du: bool,
}

#[derive(Args)]
pub struct ViewArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub templates: TemplatesArg,
    /// Thư mục ghi báo cáo khi bấm "Tạo báo cáo" (mặc định: output)
    #[arg(
        long,
        value_name = "THƯ_MỤC",
        default_value = "output",
        hide_default_value = true,
        help_heading = "Tùy chọn"
    )]
    pub output: PathBuf,
    /// Cổng của bàn làm việc (mặc định: 8686; 0: để máy chọn một cổng trống)
    #[arg(long = "cong", value_name = "CỔNG", default_value_t = khuyencong::desk::DEFAULT_PORT, hide_default_value = true, help_heading = "Tùy chọn")]
    pub port: u16,
    /// Địa chỉ mở bàn làm việc (mặc định: 127.0.0.1, chỉ máy này); địa chỉ khác, như 0.0.0.0, cần mật khẩu
    #[arg(
        long = "dia-chi",
        value_name = "ĐỊA_CHỈ",
        default_value = "127.0.0.1",
        hide_default_value = true,
        help_heading = "Tùy chọn"
    )]
    pub address: std::net::IpAddr,
    /// Mật khẩu của bàn làm việc (hoặc biến môi trường KHUYENCONG_MAT_KHAU); bắt buộc khi --dia-chi không phải 127.0.0.1
    #[arg(long = "mat-khau", value_name = "MẬT_KHẨU", help_heading = "Tùy chọn")]
    pub password: Option<String>,
}

/// `render --format`: the extension of a format that `render` makes. The
/// list comes from the library, so a new format needs no change here.
#[derive(Clone)]
struct RenderFormat;

impl TypedValueParser for RenderFormat {
    type Value = Format;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Format, clap::Error> {
        let name = value.to_string_lossy();
        Format::from_extension(&name)
            .filter(|&f| super::render::makes(f))
            .ok_or_else(|| {
                let valid: Vec<&str> = super::render::formats().map(Format::extension).collect();
                let arg = arg.map(ToString::to_string).unwrap_or_default();
                // Kept to one line: `usage_error` shows only the first.
                let message = format!(
                    "invalid value '{name}' for '{arg}'; chọn một trong: {}",
                    valid.join(", ")
                );
                clap::Error::raw(ErrorKind::InvalidValue, message).with_cmd(cmd)
            })
    }

    /// Listed in `--help` as `[possible values: …]`.
    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            super::render::formats().map(|f| PossibleValue::new(f.extension())),
        ))
    }
}

/// clap's own messages, said in Vietnamese (help and version exit 0).
pub fn usage_error(e: clap::Error) -> ExitCode {
    use ErrorKind as K;
    let what = match e.kind() {
        K::DisplayHelp | K::DisplayVersion => {
            super::messages::clap_output(&e);
            return ExitCode::SUCCESS;
        }
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
    err!("{what} ({detail}).");
    diag!("Chạy `khuyencong --help` để xem cách dùng.");
    ExitCode::from(2)
}
