//! Tera templates → Markdown. Templates are read from the templates folder
//! at run time (clerks edit them without rebuilding); any template missing
//! there falls back to the default embedded in the binary (a build warns
//! when one that was edited last time is gone: see `manifest`). Data text is
//! escaped for Markdown by default, so a note cannot change the structure.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use tera::{Context, Kwargs, State, Tera, Value};
use walkdir::WalkDir;

use crate::diagnostic::hint;
use crate::format;

/// The main template; it includes the partials.
pub const MAIN: &str = "bao-cao.md";

/// The default templates, embedded: (name, text).
pub const DEFAULTS: &[(&str, &str)] = &[
    (MAIN, include_str!("../templates/bao-cao.md")),
    (
        "phan/noi-dung.md",
        include_str!("../templates/phan/noi-dung.md"),
    ),
    (
        "phan/kinh-phi.md",
        include_str!("../templates/phan/kinh-phi.md"),
    ),
    (
        "phan/tong-hop.md",
        include_str!("../templates/phan/tong-hop.md"),
    ),
    (
        "phan/phu-luc.md",
        include_str!("../templates/phan/phu-luc.md"),
    ),
];

/// The Vietnamese filters this tool adds (documented in docs/mau-bao-cao.md).
pub const FILTERS: &[&str] = &[
    "so",
    "tien",
    "trieu_dong",
    "so_dem",
    "phan_tram",
    "ngay",
    "ngay_chu",
    "khoang_ngay",
    "danh_sach",
    "so_la_ma",
    "bang_chu",
    "bang_chu_tien",
    "viet_hoa_dau",
    "viet_thuong_dau",
    "toml",
];

/// Tera's own filters, for "did you mean" hints.
const BUILTIN_FILTERS: &[&str] = &[
    "safe",
    "default",
    "upper",
    "lower",
    "wordcount",
    "escape",
    "trim",
    "trim_start",
    "trim_end",
    "replace",
    "capitalize",
    "title",
    "truncate",
    "indent",
    "str",
    "int",
    "length",
    "reverse",
    "split",
    "abs",
    "first",
    "last",
    "nth",
    "join",
    "sort",
    "unique",
    "get",
    "values",
    "keys",
    "pairs",
    "group_by",
];

/// A template problem, pointing at the template file, line and column.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{}: lỗi mẫu báo cáo: {message}", file.display(), position(*line, *column))]
pub struct TemplateError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

fn position(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}:{column}")
    }
}

/// A template set ready to render, and where each template came from.
pub struct Templates {
    tera: Tera,
    /// (name, path on disk or None for the embedded default, text).
    pub sources: Vec<TemplateSource>,
}

#[derive(Debug, Clone)]
pub struct TemplateSource {
    pub name: String,
    pub path: Option<PathBuf>,
    pub text: String,
}

/// Where a template came from, as `templates check` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A file of the folder that differs from the default.
    Edited,
    /// A file of the folder identical to the default.
    AsDefault,
    /// No file: the default embedded in the program.
    Default,
    /// A file of the folder with no default of its name (a clerk's own).
    Added,
}

/// The embedded default of template `name`, if there is one.
pub fn default_text(name: &str) -> Option<&'static str> {
    DEFAULTS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

impl TemplateSource {
    pub fn origin(&self) -> Origin {
        match (&self.path, default_text(&self.name)) {
            (None, _) => Origin::Default,
            (Some(_), None) => Origin::Added,
            (Some(_), Some(default)) if default == self.text => Origin::AsDefault,
            (Some(_), Some(_)) => Origin::Edited,
        }
    }
}

/// A `--templates` folder that is not there.
fn missing_folder(dir: &Path) -> TemplateError {
    let what = if dir.exists() {
        "không phải là thư mục"
    } else {
        "không có thư mục mẫu này"
    };
    TemplateError {
        file: dir.to_path_buf(),
        line: 0,
        column: 0,
        message: format!(
            "{what} (--templates). Kiểm tra tên thư mục, hoặc lấy mẫu mặc định ra để sửa: `khuyencong templates export {}`",
            dir.display()
        ),
    }
}

impl Templates {
    /// Loads every `.md` under `dir`, then the embedded defaults for names
    /// not found there (every default when `dir` is None). A folder named
    /// that is not there is refused: a misspelt `--templates` must not
    /// quietly give the default report.
    pub fn load(dir: Option<&Path>) -> Result<Templates, Vec<TemplateError>> {
        let mut sources = Vec::new();
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(vec![missing_folder(dir)]);
            }
            for entry in WalkDir::new(dir)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
            {
                let path = entry.path();
                if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "md") {
                    continue;
                }
                let name = path
                    .strip_prefix(dir)
                    .unwrap_or(path)
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = std::fs::read_to_string(path).map_err(|e| {
                    vec![TemplateError {
                        file: path.to_path_buf(),
                        line: 0,
                        column: 0,
                        message: format!(
                            "không đọc được tệp mẫu ({}); mẫu phải là văn bản UTF-8",
                            e.kind()
                        ),
                    }]
                })?;
                sources.push(TemplateSource {
                    name,
                    path: Some(path.to_path_buf()),
                    text,
                });
            }
        }
        for (name, text) in DEFAULTS {
            if !sources.iter().any(|s| s.name == *name) {
                sources.push(TemplateSource {
                    name: name.to_string(),
                    path: None,
                    text: text.to_string(),
                });
            }
        }
        let mut tera = Tera::new();
        register_filters(&mut tera);
        tera.set_escape_fn(format::escape_markdown);
        tera.autoescape_on(vec![".md"]);
        let load =
            tera.add_raw_templates(sources.iter().map(|s| (s.name.as_str(), s.text.as_str())));
        let templates = Templates { tera, sources };
        match load {
            Ok(()) => Ok(templates),
            Err(e) => Err(templates.explain(&e)),
        }
    }

    /// Where each template came from, in the order they were loaded.
    pub fn origins(&self) -> impl Iterator<Item = (&TemplateSource, Origin)> {
        self.sources.iter().map(|s| (s, s.origin()))
    }

    /// Renders the main template with the summary as context.
    pub fn render(&self, summary: &impl serde::Serialize) -> Result<String, Vec<TemplateError>> {
        let context = Context::from_serialize(summary).map_err(|e| {
            vec![TemplateError {
                file: PathBuf::from(MAIN),
                line: 0,
                column: 0,
                message: format!("lỗi nội bộ khi tạo dữ liệu cho mẫu: {e}"),
            }]
        })?;
        self.tera
            .render(MAIN, &context)
            .map_err(|e| self.explain(&e))
    }

    fn file_of(&self, name: &str) -> PathBuf {
        self.sources
            .iter()
            .find(|s| s.name == name)
            .map(|s| {
                s.path
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(format!("(mẫu mặc định) {name}")))
            })
            .unwrap_or_else(|| PathBuf::from(name))
    }

    /// Turns a Tera error into positioned Vietnamese messages.
    fn explain(&self, e: &tera::Error) -> Vec<TemplateError> {
        let text = e.to_string();
        let mut found: Vec<TemplateError> = reports(&text)
            .into_iter()
            .map(|(message, name, line, column)| TemplateError {
                file: self.file_of(&name),
                line,
                column,
                message: translate(&message),
            })
            .collect();
        if found.is_empty() {
            found.push(TemplateError {
                file: PathBuf::from(MAIN),
                line: 0,
                column: 0,
                message: translate(&text),
            });
        }
        found
    }
}

/// Every `error: MESSAGE` / `--> NAME:LINE:COL` pair in a Tera report.
fn reports(text: &str) -> Vec<(String, String, usize, usize)> {
    let mut out = Vec::new();
    let mut message: Option<String> = None;
    for line in text.lines() {
        let line = line.trim_start();
        if let Some(m) = line.strip_prefix("error: ") {
            message = Some(m.to_string());
        } else if let Some(at) = line.strip_prefix("--> ") {
            let mut parts = at.rsplitn(3, ':');
            let (col, ln, name) = (parts.next(), parts.next(), parts.next());
            if let (Some(col), Some(ln), Some(name), Some(m)) = (col, ln, name, message.take()) {
                out.push((
                    m,
                    name.to_string(),
                    ln.parse().unwrap_or(0),
                    col.parse().unwrap_or(0),
                ));
            }
        }
    }
    out
}

/// The text between the first pair of backticks.
fn quoted(message: &str) -> &str {
    message.split('`').nth(1).unwrap_or("")
}

/// The names Tera lists after `label` ("Available fields: a, b").
fn listed<'m>(message: &'m str, label: &str) -> Vec<&'m str> {
    message
        .split(label)
        .nth(1)
        .map(|f| {
            f.split(", ")
                .map(|n| n.trim().trim_end_matches('.'))
                .collect()
        })
        .unwrap_or_default()
}

/// Tera's English messages, said in Vietnamese with a hint where possible.
fn translate(message: &str) -> String {
    let name = quoted(message);
    if message.starts_with("Unknown filter") {
        let all = FILTERS.iter().chain(BUILTIN_FILTERS).copied();
        return format!(
            "không có bộ lọc `{name}`.{} Các bộ lọc tiếng Việt: {}",
            hint(name, all),
            FILTERS.join(", ")
        );
    }
    if message.starts_with("Variable") && message.contains("is not defined") {
        let vars = listed(message, "Available variables: ");
        return format!(
            "không có biến `{name}`.{} Các biến dùng được ở đây: {} (xem `khuyencong context`)",
            hint(name, vars.iter().copied()),
            vars.join(", ")
        );
    }
    if message.starts_with("Field") && message.contains("is not defined") {
        let fields = listed(message, "Available fields: ");
        return format!(
            "không có trường `{name}`.{} Các trường có: {}",
            hint(name, fields.iter().copied()),
            fields.join(", ")
        );
    }
    if message.starts_with("Unknown template") {
        return format!(
            "không có mẫu `{name}` để chèn (include); kiểm tra tên tệp trong thư mục mẫu"
        );
    }
    format!("cú pháp hoặc dữ liệu mẫu không đúng ({message}); kiểm tra các cặp {{{{ }}}}, {{% %}} và tên biến quanh vị trí này")
}

/// What `templates export` did with one template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exported {
    Written(PathBuf),
    /// Already there and different: left alone (use --force).
    KeptEdited(PathBuf),
    /// Already there and identical.
    Unchanged(PathBuf),
}

/// Writes the embedded default templates into `dir` for editing, never
/// overwriting a file that differs unless `force`.
pub fn export(dir: &Path, force: bool) -> std::io::Result<Vec<Exported>> {
    let mut done = Vec::new();
    for (name, text) in DEFAULTS {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(existing) if existing == *text => done.push(Exported::Unchanged(path)),
            Ok(_) if !force => done.push(Exported::KeptEdited(path)),
            _ => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, text)?;
                done.push(Exported::Written(path));
            }
        }
    }
    Ok(done)
}

// ---- filters ----

fn filter_error(message: impl ToString) -> tera::Error {
    tera::Error::message(message)
}

/// A number from the context: whole numbers arrive as integers, exact
/// decimals as strings; floats are refused (they cannot carry money exactly).
fn decimal(v: &Value) -> tera::TeraResult<Decimal> {
    if let Some(n) = v.as_i128() {
        return Ok(Decimal::from_i128_with_scale(n, 0));
    }
    if let Some(s) = v.as_str() {
        return Decimal::from_str(s.trim())
            .map_err(|_| filter_error(format!("`{s}` không phải là số")));
    }
    if v.is_undefined() || v.is_none() {
        return Err(filter_error(
            "bộ lọc số nhận được một giá trị không tồn tại: kiểm tra tên biến hoặc trường đứng trước dấu `|` (xem các tên đúng bằng `khuyencong context`)",
        ));
    }
    Err(filter_error(format!(
        "bộ lọc số cần một số nguyên hoặc chuỗi số, nhận được {}",
        v.name()
    )))
}

fn decimals_kwarg(kwargs: &Kwargs, default: u32) -> tera::TeraResult<u32> {
    Ok(kwargs
        .get::<i64>("le")?
        .map_or(default, |n| n.clamp(0, 28) as u32))
}

/// A date from the context: `{iso, ngay, thang, nam}` or an ISO string.
fn date(v: &Value) -> tera::TeraResult<(u32, u32, i32)> {
    let iso = match v.as_map() {
        Some(_) => v
            .get_from_path("iso")
            .and_then(Value::as_str)
            .map(str::to_string),
        None => v.as_str().map(str::to_string),
    };
    let d = iso.as_deref().and_then(crate::contract::Date::parse);
    d.map(|d| (d.day, d.month, d.year))
        .ok_or_else(|| filter_error(format!("cần một ngày (YYYY-MM-DD), nhận được {}", v.name())))
}

fn register_filters(tera: &mut Tera) {
    tera.register_filter(
        "so",
        |v: &Value, k: Kwargs, _: &State| -> tera::TeraResult<String> {
            let places = k.get::<i64>("le")?.map(|n| n.clamp(0, 28) as u32);
            Ok(format::so(decimal(v)?, places))
        },
    );
    tera.register_filter(
        "tien",
        |v: &Value, _: Kwargs, _: &State| -> tera::TeraResult<String> {
            Ok(format::tien(decimal(v)?))
        },
    );
    tera.register_filter(
        "trieu_dong",
        |v: &Value, k: Kwargs, _: &State| -> tera::TeraResult<String> {
            Ok(format::trieu_dong(decimal(v)?, decimals_kwarg(&k, 2)?))
        },
    );
    tera.register_filter(
        "so_dem",
        |v: &Value, _: Kwargs, _: &State| -> tera::TeraResult<String> {
            Ok(format::so_dem(decimal(v)?))
        },
    );
    tera.register_filter(
        "phan_tram",
        |v: &Value, k: Kwargs, _: &State| -> tera::TeraResult<String> {
            if v.is_none() || v.is_undefined() {
                return Ok("–".to_string());
            }
            Ok(format::phan_tram(decimal(v)?, decimals_kwarg(&k, 1)?))
        },
    );
    tera.register_filter(
        "ngay",
        |v: &Value, _: Kwargs, _: &State| -> tera::TeraResult<String> {
            let (d, m, y) = date(v)?;
            format::ngay_so(d, m, y).map_err(filter_error)
        },
    );
    tera.register_filter(
        "ngay_chu",
        |v: &Value, _: Kwargs, _: &State| -> tera::TeraResult<String> {
            let (d, m, y) = date(v)?;
            format::ngay_chu(d, m, y).map_err(filter_error)
        },
    );
    tera.register_filter(
        "khoang_ngay",
        |v: &Value, k: Kwargs, _: &State| -> tera::TeraResult<String> {
            let to = k.must_get::<&Value>("den")?;
            format::khoang_ngay(date(v)?, date(to)?).map_err(filter_error)
        },
    );
    tera.register_filter(
        "danh_sach",
        |v: &Value, _: Kwargs, _: &State| -> tera::TeraResult<String> {
            let items = v
                .as_array()
                .ok_or_else(|| filter_error("bộ lọc danh_sach cần một danh sách"))?;
            let texts: Vec<String> = items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                .collect();
            Ok(format::danh_sach(&texts))
        },
    );
    tera.register_filter(
        "so_la_ma",
        |v: &Value, _: Kwargs, _: &State| -> tera::TeraResult<String> {
            let n = v
                .as_u64()
                .ok_or_else(|| filter_error("bộ lọc so_la_ma cần một số nguyên dương"))?;
            format::so_la_ma(n).map_err(filter_error)
        },
    );
    tera.register_filter(
        "bang_chu",
        |v: &Value, _: Kwargs, _: &State| -> tera::TeraResult<String> {
            Ok(format::bang_chu(decimal(v)?))
        },
    );
    tera.register_filter(
        "bang_chu_tien",
        |v: &Value, _: Kwargs, _: &State| -> tera::TeraResult<String> {
            format::bang_chu_tien(decimal(v)?).map_err(filter_error)
        },
    );
    // Names from the data placed in a sentence or a table heading.
    for (name, change) in [
        ("viet_hoa_dau", format::viet_hoa_dau as fn(&str) -> String),
        ("viet_thuong_dau", format::viet_thuong_dau),
    ] {
        tera.register_filter(
            name,
            move |v: &Value, _: Kwargs, _: &State| -> tera::TeraResult<String> {
                let text = v
                    .as_str()
                    .ok_or_else(|| filter_error(format!("bộ lọc {name} cần một chuỗi văn bản")))?;
                Ok(change(text))
            },
        );
    }
    // A TOML literal for the front matter: a JSON string or array of
    // strings is valid TOML, and must not be Markdown-escaped.
    tera.register_filter(
        "toml",
        |v: &Value, _: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let json = serde_json::to_string(v).map_err(filter_error)?;
            Ok(Value::safe_string(&json))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, context: serde_json::Value) -> Result<String, Vec<TemplateError>> {
        let mut tera = Tera::new();
        register_filters(&mut tera);
        tera.set_escape_fn(format::escape_markdown);
        tera.autoescape_on(vec![".md"]);
        let t = Templates {
            tera,
            sources: vec![],
        };
        let mut t = t;
        t.tera
            .add_raw_template("t.md", template)
            .map_err(|e| t.explain(&e))?;
        let ctx = Context::from_serialize(&context).unwrap();
        t.tera.render("t.md", &ctx).map_err(|e| t.explain(&e))
    }

    #[test]
    fn filters_format_the_vietnamese_way() {
        let ctx = serde_json::json!({"a": 224730000, "p": "97.7043", "n": 5, "d": {"iso": "2023-11-15"}, "l": ["A", "B", "C"]});
        let out = render(
            "{{ a | tien }}|{{ p | phan_tram }}|{{ n | so_dem }}|{{ d | ngay }}|{{ d | ngay_chu }}|{{ l | danh_sach }}|{{ a | bang_chu_tien }}|{{ 4 | so_la_ma }}",
            ctx,
        )
        .unwrap();
        assert_eq!(
            out,
            "224.730.000 đồng|97,7%|05|15/11/2023|ngày 15 tháng 11 năm 2023|A, B và C|Hai trăm hai mươi bốn triệu bảy trăm ba mươi nghìn đồng|IV"
        );
    }

    #[test]
    fn viet_hoa_dau_keeps_the_rest_unlike_capitalize() {
        let ctx = serde_json::json!({"t": "cơ sở CNNT"});
        let out = render("{{ t | viet_hoa_dau }}|{{ t | capitalize }}", ctx).unwrap();
        assert_eq!(out, "Cơ sở CNNT|Cơ sở cnnt");
        let errs = render("{{ 5 | viet_hoa_dau }}", serde_json::json!({})).unwrap_err();
        assert!(errs[0].message.contains("viet_hoa_dau"), "{errs:?}");
    }

    #[test]
    fn data_text_is_escaped_for_markdown() {
        let out = render("{{ x }}", serde_json::json!({"x": "1. *a* | b\n\n# c"})).unwrap();
        assert_eq!(out, "1\\. \\*a\\* \\| b \\# c");
    }

    #[test]
    fn unknown_variable_names_the_line_and_suggests() {
        let errs = render(
            "dòng 1\n{{ kinh_phii }}",
            serde_json::json!({"kinh_phi": 1}),
        )
        .unwrap_err();
        assert_eq!((errs[0].line, errs[0].column), (2, 4), "{errs:?}");
        assert!(
            errs[0].message.contains("không có biến `kinh_phii`"),
            "{errs:?}"
        );
        assert!(
            errs[0].message.contains("Có phải ý bạn là `kinh_phi`?"),
            "{errs:?}"
        );
    }

    #[test]
    fn unknown_filter_is_caught_at_load_with_a_hint() {
        let errs = render("a\nb {{ 5 | tienn }}", serde_json::json!({})).unwrap_err();
        assert_eq!(errs[0].line, 2, "{errs:?}");
        assert!(
            errs[0].message.contains("không có bộ lọc `tienn`")
                && errs[0].message.contains("`tien`"),
            "{errs:?}"
        );
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let errs = render("a\n\nb {% if %}", serde_json::json!({})).unwrap_err();
        assert_eq!(errs[0].line, 3, "{errs:?}");
        assert!(errs[0].message.contains("cú pháp"), "{errs:?}");
    }
}
