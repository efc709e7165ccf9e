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

use crate::contract::MoneyUnit;
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
    (
        "phan/lam-tron.md",
        include_str!("../templates/phan/lam-tron.md"),
    ),
];

/// The Vietnamese filters this tool adds (documented in docs/mau-bao-cao.md).
pub fn filter_names() -> impl Iterator<Item = &'static str> {
    OUR_FILTERS.iter().map(|(name, _, _)| *name)
}

/// Tera 2.4's own filters (`Tera::register_builtin_filters`), for hints
/// and for the guide's list.
pub const BUILTIN_FILTERS: &[&str] = &[
    "safe",
    "default",
    "upper",
    "lower",
    "wordcount",
    "escape",
    "escape_html",
    "escape_xml",
    "newlines_to_br",
    "pluralize",
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
    "float",
    "length",
    "reverse",
    "split",
    "abs",
    "round",
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

/// Tera 1 filters that Tera 2 dropped, with what to write instead.
const FORMER_FILTERS: &[(&str, &str)] = &[
    (
        "filter",
        "lọc bằng danh sách: `[x for x in ds if x.truong == gia_tri]`",
    ),
    (
        "map",
        "lấy một trường bằng danh sách: `[x.truong for x in ds]`",
    ),
    ("slice", "cắt danh sách: `ds[1:3]`"),
    ("concat", "không có; viết hai vòng `{% for %}` nối tiếp"),
    ("as_str", "`str`"),
    ("json_encode", "`toml` (chuỗi, danh sách chuỗi)"),
    ("date", "`ngay` hoặc `ngay_chu`"),
    ("linebreaksbr", "`newlines_to_br`"),
    ("striptags", "không có; chữ của dữ liệu đã được thoát"),
    ("spaceless", "`{%-` và `-%}` để bỏ khoảng trắng"),
    ("slugify", "không có"),
    ("urlencode", "không có"),
    ("filesizeformat", "không có"),
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
        let mut tera = engine();
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
        let markdown = self
            .tera
            .render(MAIN, &context)
            .map_err(|e| self.explain_in(&e, Some(&Value::from_serializable(summary))))?;
        match crate::markdown::check_front_matter(&markdown) {
            Err(crate::markdown::MarkdownError::FrontMatter {
                line,
                column,
                message,
            }) => Err(vec![
                self.front_matter_error(&markdown, line, column, &message)
            ]),
            _ => Ok(markdown),
        }
    }

    /// A TOML error in the rendered front matter, placed on the line of the
    /// main template that wrote it: the line setting the same key, or, for
    /// a line that sets none, the same line when the front matter rendered
    /// line for line.
    fn front_matter_error(
        &self,
        markdown: &str,
        line: usize,
        column: usize,
        message: &str,
    ) -> TemplateError {
        let template = self
            .sources
            .iter()
            .find(|s| s.name == MAIN)
            .map_or("", |s| s.text.as_str());
        let rendered_line = markdown.lines().nth(line.saturating_sub(1)).unwrap_or("");
        let (at, col) = front_matter_line(template, markdown, line, rendered_line)
            .map_or((0, 0), |(l, text)| {
                (l, same_prefix_column(text, rendered_line, column))
            });
        TemplateError {
            file: self.file_of(MAIN),
            line: at,
            column: col,
            message: format!(
                "khối thông tin văn bản (giữa hai dòng `+++`) không hợp lệ: {message}. Dòng này dựng ra: `{}`; giá trị lấy từ dữ liệu viết `{{{{ … | toml }}}}` (bộ lọc tự thêm dấu nháy)",
                rendered_line.trim()
            ),
        }
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
        self.explain_in(e, None)
    }

    /// As [`Templates::explain`]; with the context, a misspelt field before
    /// a filter gets the same suggestion as one printed alone.
    fn explain_in(&self, e: &tera::Error, context: Option<&Value>) -> Vec<TemplateError> {
        let text = e.to_string();
        let mut found: Vec<TemplateError> = reports(&text)
            .into_iter()
            .map(|(message, name, line, column)| {
                let source = self.sources.iter().find(|s| s.name == name);
                // Tera names the end of the input or a later end tag; the
                // clerk needs the tag left open.
                let spot = source.map_or(Spot::default(), |s| Spot::new(&s.text, line, column));
                let block = (message.starts_with("Unexpected end of input")
                    || (message.starts_with("Unknown tag") && spot.word().starts_with("end")))
                .then(|| source.and_then(|s| unbalanced_block(&s.text)))
                .flatten();
                let (line, column, mut message) =
                    block.unwrap_or_else(|| (line, column, translate(&message, spot)));
                if let Some(context) = context.filter(|_| message.contains("không tồn tại")) {
                    message.push_str(&path_hint(context, spot.piped()));
                }
                TemplateError {
                    file: self.file_of(&name),
                    line,
                    column,
                    message,
                }
            })
            .collect();
        if found.is_empty() {
            found.push(TemplateError {
                file: PathBuf::from(MAIN),
                line: 0,
                column: 0,
                message: translate(&text, Spot::default()),
            });
        }
        found
    }
}

/// The lines between the opening `+++` and the closing one, numbered from 1
/// as in the whole text.
fn front_matter_lines(text: &str) -> Vec<(usize, &str)> {
    // A template may open with Tera comments before its `+++` line.
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .skip_while(|(_, l)| l.trim_end() != "+++")
        .skip(1)
        .take_while(|(_, l)| l.trim_end() != "+++")
        .collect()
}

/// The TOML key a front-matter line sets (`key = …`, or `[table]`).
fn toml_key(line: &str) -> Option<&str> {
    let line = line.trim();
    if line.starts_with('[') {
        return Some(line);
    }
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.contains("{{") && !key.contains("{%")).then_some(key)
}

/// The template line that rendered front-matter line `line` came from.
fn front_matter_line<'t>(
    template: &'t str,
    markdown: &str,
    line: usize,
    rendered_line: &str,
) -> Option<(usize, &'t str)> {
    let written = front_matter_lines(template);
    if let Some(key) = toml_key(rendered_line) {
        let mut same = written.iter().filter(|(_, l)| toml_key(l) == Some(key));
        if let (Some(found), None) = (same.next(), same.next()) {
            return Some(*found);
        }
    }
    (front_matter_lines(markdown).len() == written.len())
        .then(|| written.iter().find(|(n, _)| *n == line).copied())
        .flatten()
}

/// The error's column when the template line reads the same as the rendered
/// one up to it, else where the value starts in the template line.
fn same_prefix_column(template_line: &str, rendered_line: &str, column: usize) -> usize {
    let prefix: String = rendered_line
        .chars()
        .take(column.saturating_sub(1))
        .collect();
    if template_line.starts_with(&prefix) {
        return column;
    }
    template_line
        .find('=')
        .map_or(1, |i| template_line[..=i].chars().count() + 2)
}

/// Block tags that need an end tag (`{% set x %}` only without `=`).
const BLOCKS: &[&str] = &[
    "if",
    "for",
    "block",
    "filter",
    "component",
    "raw",
    "set",
    "set_global",
];

/// A block left open or an end tag with no opener, found by scanning the
/// template's tags with a stack: Tera reports the end of the input, or the
/// next end tag, never the opener.
fn unbalanced_block(text: &str) -> Option<(usize, usize, String)> {
    let mut open: Vec<(&str, usize)> = Vec::new();
    let mut rest = 0;
    while let Some(start) = text[rest..].find(['{']).map(|i| rest + i) {
        let closing = match text.get(start + 1..start + 2) {
            Some("%") => "%}",
            // A comment may mention tags; it is not code.
            Some("#") => "#}",
            _ => {
                rest = start + 1;
                continue;
            }
        };
        let Some(end) = text[start..].find(closing).map(|i| start + i) else {
            break;
        };
        rest = end + 2;
        if closing == "#}" {
            continue;
        }
        let inner =
            text[start + 2..end].trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        let word = inner.split_whitespace().next().unwrap_or("");
        if let Some(closed) = word.strip_prefix("end") {
            match open.pop() {
                Some((opened, _)) if opened == closed => continue,
                Some((opened, at)) => return Some(unclosed(text, opened, at)),
                None => {
                    let (line, column) = crate::markdown::line_column(text, start);
                    return Some((
                        line,
                        column,
                        format!("`{{% {word} %}}` ở dòng {line} không có `{{% {closed} %}}` nào mở trước nó; xóa thẻ này hoặc thêm thẻ mở"),
                    ));
                }
            }
        }
        let is_set_block = word.starts_with("set") && !inner.contains('=');
        if BLOCKS.contains(&word) && (!word.starts_with("set") || is_set_block) {
            open.push((word, start));
        }
        if word == "raw" {
            // Nothing inside {% raw %} is a tag.
            let end_tag = text[rest..]
                .find("endraw")
                .and_then(|i| text[rest..rest + i].rfind("{%"));
            match end_tag {
                Some(i) => rest += i,
                None => return Some(unclosed(text, "raw", start)),
            }
        }
    }
    open.pop().map(|(opened, at)| unclosed(text, opened, at))
}

fn unclosed(text: &str, opened: &str, at: usize) -> (usize, usize, String) {
    let (line, column) = crate::markdown::line_column(text, at);
    let closer = if opened == "set_global" {
        "set"
    } else {
        opened
    };
    (
        line,
        column,
        format!("`{{% {opened} %}}` ở dòng {line} chưa có `{{% end{closer} %}}`; thêm thẻ đóng ở chỗ khối này kết thúc"),
    )
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

/// Where an error points in its template: the line's text before the
/// position and from it.
#[derive(Clone, Copy, Default)]
struct Spot<'t> {
    before: &'t str,
    at: &'t str,
}

impl<'t> Spot<'t> {
    fn new(text: &'t str, line: usize, column: usize) -> Spot<'t> {
        let Some(l) = text.lines().nth(line.saturating_sub(1)) else {
            return Spot::default();
        };
        let split = l
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(l.len(), |(i, _)| i);
        Spot {
            before: &l[..split],
            at: &l[split..],
        }
    }

    /// The word at the position (a filter's or a tag's name).
    fn word(&self) -> &'t str {
        let w = self.at.trim_start_matches(['{', '%', '-', ' ']);
        let end = w
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(w.len());
        &w[..end]
    }

    /// The variable path a filter was given: Tera points either at the
    /// filter (after `|`) or at the value (before `|`).
    fn piped(&self) -> &'t str {
        let before = self.before.trim_end();
        let text = match before.strip_suffix('|') {
            Some(b) => b.trim_end(),
            None => self.at.split('|').next().unwrap_or("").trim_end(),
        };
        let start = text
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        &text[start..]
    }

    /// The filter's name: at the position, or after the value's `|`.
    fn filter(&self) -> &'t str {
        if self.before.trim_end().ends_with('|') {
            return self.word();
        }
        let after = self.at.split_once('|').map_or("", |(_, a)| a);
        Spot {
            before: "|",
            at: after.trim_start(),
        }
        .word()
    }
}

/// Which part of `path` (`van_ban.so_ky_hieuu`) the context lacks, with the
/// nearest field; nothing for a path that starts at a loop variable.
fn path_hint(context: &Value, path: &str) -> String {
    let mut here = context;
    let mut walked: Vec<&str> = Vec::new();
    for field in path.split('.').filter(|f| !f.is_empty()) {
        let Some(map) = here.as_map() else {
            return String::new();
        };
        match here.get_from_path(field).filter(|v| !v.is_undefined()) {
            Some(next) => {
                here = next;
                walked.push(field);
            }
            None if walked.is_empty() => return String::new(),
            None => {
                let mut fields: Vec<String> = map.keys().map(|k| k.to_string()).collect();
                fields.sort();
                return format!(
                    ": `{}` không có trường `{field}`.{} Các trường có: {}",
                    walked.join("."),
                    hint(field, fields.iter().map(String::as_str)),
                    fields.join(", ")
                );
            }
        }
    }
    String::new()
}

/// Tera's type names in a clerk's words.
fn type_name(name: &str) -> &'static str {
    match name {
        "undefined" => {
            "một giá trị không tồn tại (tên biến hoặc trường viết sai? xem `khuyencong context`)"
        }
        "none" => "giá trị rỗng (`none`)",
        "bool" => "giá trị đúng/sai",
        "string" => "chuỗi",
        "array" => "danh sách",
        "map/struct" => "đối tượng",
        "bytes" => "dữ liệu nhị phân",
        _ => "số",
    }
}

/// Every `…`-quoted part of a message.
fn all_quoted(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

/// Filters bind tighter than arithmetic, the usual surprise.
const PRECEDENCE: &str = " Lưu ý: bộ lọc đứng sau `|` được tính trước phép toán, nên `a * 100 / b | phan_tram` là `a * 100 / (b | phan_tram)`; viết `(a * 100 / b) | phan_tram`.";

/// The tags Tera 2 knows, for hints.
const TAGS: &[&str] = &[
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "endfor",
    "set",
    "set_global",
    "endset",
    "include",
    "block",
    "endblock",
    "extends",
    "filter",
    "endfilter",
    "raw",
    "endraw",
    "break",
    "continue",
    "component",
    "endcomponent",
];

/// Tera's English messages, said in Vietnamese with a hint where possible.
fn translate(message: &str, spot: Spot) -> String {
    let name = quoted(message);
    let q = all_quoted(message);
    // Our filters already speak Vietnamese.
    if message.starts_with("bộ lọc `") {
        return message.to_string();
    }
    if message.starts_with("Unknown filter") {
        if let Some((_, instead)) = FORMER_FILTERS.iter().find(|(f, _)| *f == name) {
            return format!(
                "không có bộ lọc `{name}` (bộ lọc của Tera 1, Tera 2 đã bỏ); thay bằng: {instead}"
            );
        }
        let ours: Vec<&str> = filter_names().collect();
        let all = ours.iter().chain(BUILTIN_FILTERS).copied();
        return format!(
            "không có bộ lọc `{name}`.{} Các bộ lọc tiếng Việt: {}",
            hint(name, all),
            ours.join(", ")
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
    if let [op, a, b] = q[..] {
        if message.contains("requires both operands to be numbers") {
            let tip = if a == "string" || b == "string" {
                PRECEDENCE
            } else {
                ""
            };
            return format!(
                "phép `{op}` cần hai số, nhận được {} và {}.{tip}",
                type_name(a),
                type_name(b)
            );
        }
    }
    if message.starts_with("Math operations can only be done on numbers") {
        return format!(
            "phép tính chỉ làm được với số, nhận được {}.{PRECEDENCE}",
            type_name(name)
        );
    }
    if let [a, b] = q[..] {
        if message.starts_with("Cannot compare") {
            return format!(
                "không so sánh được {} với {} (so sánh số với số, chuỗi với chuỗi; tỷ lệ rỗng khi không có kế hoạch: kiểm tra `is not none` trước)",
                type_name(a),
                type_name(b)
            );
        }
        if message.starts_with("Cannot sort") {
            return format!(
                "không sắp xếp được: có {} lẫn {} ở trường dùng để sắp xếp",
                type_name(a),
                type_name(b)
            );
        }
        if message.starts_with("Invalid type for the value") {
            let wanted = if a == "string" {
                "một chuỗi"
            } else {
                "kiểu khác"
            };
            let piped = spot.piped();
            let what = if piped.is_empty() {
                String::new()
            } else {
                format!(" `{piped}`")
            };
            return format!(
                "bộ lọc `{}` cần {wanted}, nhưng giá trị trước `|`{what} là {}",
                spot.filter(),
                type_name(b)
            );
        }
    }
    if let Some(kind) = message
        .strip_prefix("Value of type ")
        .and_then(|m| m.strip_suffix(" has no length"))
    {
        let piped = spot.piped();
        return format!(
            "bộ lọc `length` cần một danh sách hoặc chuỗi, nhưng giá trị trước `|` `{piped}` là {}",
            type_name(kind)
        );
    }
    if message.starts_with("Iteration not possible") {
        return format!("không lặp `{{% for %}}` được trên {}", type_name(name));
    }
    if message.starts_with("Cannot divide by 0") {
        return "phép chia cho 0 (kiểm tra số chia, ví dụ kế hoạch bằng 0)".to_string();
    }
    if message.starts_with("Unknown tag") {
        let tag = spot.word();
        return format!(
            "không có thẻ `{{% {tag} %}}`.{} Các thẻ: if, elif, else, for, set, include, filter, raw (mỗi khối mở cần thẻ `end…` đóng)",
            hint(tag, TAGS.iter().copied())
        );
    }
    if message.starts_with("Unexpected end of input") {
        return "mẫu kết thúc khi một `{{ … }}` hay `{% … %}` còn chưa đóng".to_string();
    }
    format!("cú pháp hoặc dữ liệu mẫu không đúng; kiểm tra các cặp {{{{ }}}}, {{% %}} và tên biến quanh vị trí này\n(Tera: {message})")
}

/// Writes the embedded default templates into `dir` for editing, by the
/// one rule every command writes by (`output::place`): a template that
/// differs (edited) is kept unless `force`.
pub fn export(
    dir: &Path,
    force: bool,
    wait: &crate::output::Wait,
) -> Result<Vec<crate::output::Placed>, crate::output::OutputError> {
    let files: Vec<(String, Vec<u8>)> = DEFAULTS
        .iter()
        .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()))
        .collect();
    let overwrite = if force {
        crate::output::Overwrite::Always
    } else {
        crate::output::Overwrite::Never
    };
    crate::output::place(dir, &files, overwrite, false, wait)
}

/// Tera with the tool's filters and Markdown escaping.
fn engine() -> Tera {
    let mut tera = Tera::new();
    register_filters(&mut tera);
    tera.set_escape_fn(format::escape_markdown);
    tera.autoescape_on(vec![".md"]);
    tera
}

/// Renders one template text (an example of the guide, a test) against
/// `context`, with the report's filters, escaping and error messages.
pub fn render_text(
    text: &str,
    context: &impl serde::Serialize,
) -> Result<String, Vec<TemplateError>> {
    const NAME: &str = "vi-du.md";
    let mut t = Templates {
        tera: engine(),
        sources: vec![TemplateSource {
            name: NAME.into(),
            path: None,
            text: text.into(),
        }],
    };
    t.tera
        .add_raw_template(NAME, text)
        .map_err(|e| t.explain(&e))?;
    let ctx = Context::from_serialize(context).map_err(|e| t.explain(&e))?;
    t.tera
        .render(NAME, &ctx)
        .map_err(|e| t.explain_in(&e, Some(&Value::from_serializable(context))))
}

// ---- filters ----

/// Every error of our filters starts with "bộ lọc `name`", so `translate`
/// passes it through untouched.
fn filter_error(filter: &str, message: impl std::fmt::Display) -> tera::Error {
    tera::Error::message(format!("bộ lọc `{filter}`: {message}"))
}

/// What a value is, in a clerk's words (never `f64`, `i128`).
fn kind(v: &Value) -> String {
    if v.is_undefined() {
        return type_name("undefined").into();
    }
    if v.is_none() {
        return "giá trị rỗng (`none`)".into();
    }
    if v.is_number() {
        format!("số {v}")
    } else if v.is_bool() {
        format!("giá trị đúng/sai `{v}`")
    } else if v.is_string() {
        format!("chuỗi `{v}`")
    } else if v.is_array() {
        "một danh sách".into()
    } else if v.is_map() {
        "một đối tượng (có các trường, chưa chọn trường nào)".into()
    } else {
        "một giá trị không phải số".into()
    }
}

/// A number for the number filters. Integers (money, counts) are exact; a
/// non-integral number (a rate in the context, or a computed `a * 100 / b`)
/// is read through its shortest decimal form, the exact value whenever that
/// has at most 15 significant digits; numeric strings are accepted too.
fn decimal(filter: &str, v: &Value) -> tera::TeraResult<Decimal> {
    if let Some(n) = v.as_i128() {
        return Ok(Decimal::from_i128_with_scale(n, 0));
    }
    let not_a_number = || filter_error(filter, format!("cần một số, nhận được {}", kind(v)));
    let text = match (v.is_f64(), v.as_str()) {
        (true, _) => match v.as_f64() {
            Some(f) if f.is_finite() => f.to_string(),
            _ => return Err(not_a_number()),
        },
        (false, Some(s)) => s.trim().to_string(),
        _ => return Err(not_a_number()),
    };
    Decimal::from_str(&text).map_err(|_| not_a_number())
}

/// Refuses keyword arguments the filter does not know (`so_le=1` would be
/// silently ignored otherwise), with the nearest known name.
fn check_args(filter: &str, kwargs: &Kwargs, known: &[&str]) -> tera::TeraResult<()> {
    // Known arguments (every call in a well-formed template) cost nothing.
    let mut unknown: Vec<String> = kwargs
        .iter()
        .filter(|(k, _)| k.as_str().is_none_or(|k| !known.contains(&k)))
        .map(|(k, _)| k.to_string())
        .collect();
    unknown.sort();
    let Some(first) = unknown.first() else {
        return Ok(());
    };
    let list = if known.is_empty() {
        "Bộ lọc này không nhận tham số nào.".to_string()
    } else {
        format!("Các tham số: {}.", known.join(", "))
    };
    // "so_le" is too far from "le" for the edit distance; a known name
    // inside the unknown one is the likelier intent.
    let near = hint(first, known.iter().copied());
    let near = match known.iter().find(|k| first.contains(**k)) {
        Some(k) if near.is_empty() => format!(" Có phải ý bạn là `{k}`?"),
        _ => near,
    };
    Err(filter_error(
        filter,
        format!("tham số `{first}` không có;{near} {list}"),
    ))
}

/// Decimal places from `le=`, or `default`.
fn places(filter: &str, kwargs: &Kwargs) -> tera::TeraResult<Option<u32>> {
    match kwargs.get::<&Value>("le")? {
        None => Ok(None),
        Some(v) => match v.as_i64() {
            Some(n) if (0..=28).contains(&n) => Ok(Some(n as u32)),
            _ => Err(filter_error(
                filter,
                format!(
                    "`le` là số chữ số thập phân, từ 0 đến 28; nhận được {}",
                    kind(v)
                ),
            )),
        },
    }
}

/// The report's money unit, from the `don_vi_tien` variable the templates
/// print in table headers (absent: đồng).
fn money_unit(filter: &str, state: &State) -> tera::TeraResult<MoneyUnit> {
    match state.get::<String>("don_vi_tien")? {
        None => Ok(MoneyUnit::Dong),
        Some(label) => MoneyUnit::from_label(&label).ok_or_else(|| {
            let labels: Vec<&str> = MoneyUnit::ALL.iter().map(|(u, _)| u.label()).collect();
            filter_error(
                filter,
                format!(
                    "biến `don_vi_tien` là `{label}`, phải là một trong: {}",
                    labels.join(", ")
                ),
            )
        }),
    }
}

/// A date from the context: `{iso, ngay, thang, nam}` or an ISO string.
fn date(filter: &str, v: &Value) -> tera::TeraResult<(u32, u32, i32)> {
    let iso = match v.as_map() {
        Some(_) => v
            .get_from_path("iso")
            .and_then(Value::as_str)
            .map(str::to_string),
        None => v.as_str().map(str::to_string),
    };
    let d = iso.as_deref().and_then(crate::contract::Date::parse);
    d.map(|d| (d.day, d.month, d.year)).ok_or_else(|| {
        filter_error(
            filter,
            format!("cần một ngày (YYYY-MM-DD), nhận được {}", kind(v)),
        )
    })
}

type Filter = fn(&Value, &Kwargs, &State) -> tera::TeraResult<Value>;

/// Our filters: name, the keyword arguments each accepts, and the function.
const OUR_FILTERS: &[(&str, &[&str], Filter)] = &[
    ("so", &["le"], |v, k, _| {
        Ok(format::so(decimal("so", v)?, places("so", k)?).into())
    }),
    ("tien", &["le", "don_vi"], |v, k, state| {
        let (amount, unit) = (decimal("tien", v)?, money_unit("tien", state)?);
        let decimals = places("tien", k)?;
        Ok(match k.get::<bool>("don_vi")? {
            Some(false) => format::so_tien(amount, unit, decimals),
            _ => format::tien_theo(amount, unit, decimals),
        }
        .into())
    }),
    ("trieu_dong", &["le"], |v, k, _| {
        let decimals = places("trieu_dong", k)?.unwrap_or(2);
        Ok(format::trieu_dong(decimal("trieu_dong", v)?, decimals).into())
    }),
    ("so_dem", &[], |v, _, _| {
        Ok(format::so_dem(decimal("so_dem", v)?).into())
    }),
    ("phan_tram", &["le"], |v, k, _| {
        let decimals = places("phan_tram", k)?.unwrap_or(1);
        if v.is_none() {
            return Ok("–".into());
        }
        Ok(format::phan_tram(decimal("phan_tram", v)?, decimals).into())
    }),
    ("ngay", &[], |v, _, _| {
        let (d, m, y) = date("ngay", v)?;
        format::ngay_so(d, m, y)
            .map(Value::from)
            .map_err(|e| filter_error("ngay", e))
    }),
    ("ngay_chu", &[], |v, _, _| {
        let (d, m, y) = date("ngay_chu", v)?;
        format::ngay_chu(d, m, y)
            .map(Value::from)
            .map_err(|e| filter_error("ngay_chu", e))
    }),
    ("khoang_ngay", &["den"], |v, k, _| {
        let to = k
            .get::<&Value>("den")?
            .ok_or_else(|| filter_error("khoang_ngay", "thiếu tham số `den` (ngày kết thúc)"))?;
        format::khoang_ngay(date("khoang_ngay", v)?, date("khoang_ngay", to)?)
            .map(Value::from)
            .map_err(|e| filter_error("khoang_ngay", e))
    }),
    ("danh_sach", &[], |v, _, _| {
        let items = v.as_array().ok_or_else(|| {
            filter_error(
                "danh_sach",
                format!("cần một danh sách, nhận được {}", kind(v)),
            )
        })?;
        let texts: Vec<String> = items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect();
        Ok(format::danh_sach(&texts).into())
    }),
    ("so_la_ma", &[], |v, _, _| {
        let n = v.as_u64().ok_or_else(|| {
            filter_error(
                "so_la_ma",
                format!("cần một số nguyên dương, nhận được {}", kind(v)),
            )
        })?;
        format::so_la_ma(n)
            .map(Value::from)
            .map_err(|e| filter_error("so_la_ma", e))
    }),
    ("bang_chu", &[], |v, _, _| {
        Ok(format::bang_chu(decimal("bang_chu", v)?).into())
    }),
    // Always in đồng, whatever the report's unit: the words are the
    // legal statement of the amount.
    ("bang_chu_tien", &[], |v, _, _| {
        format::bang_chu_tien(decimal("bang_chu_tien", v)?)
            .map(Value::from)
            .map_err(|e| filter_error("bang_chu_tien", e))
    }),
    // Names from the data placed in a sentence or a table heading.
    ("viet_hoa_dau", &[], |v, _, _| {
        text("viet_hoa_dau", v).map(|t| format::viet_hoa_dau(t).into())
    }),
    ("viet_thuong_dau", &[], |v, _, _| {
        text("viet_thuong_dau", v).map(|t| format::viet_thuong_dau(t).into())
    }),
    // A TOML literal for the front matter: a JSON string or array of
    // strings is valid TOML, and must not be Markdown-escaped.
    ("toml", &[], |v, _, _| {
        if v.is_undefined() || v.is_none() {
            return Err(filter_error("toml", format!("nhận được {}", kind(v))));
        }
        let json = serde_json::to_string(v).map_err(|e| filter_error("toml", e))?;
        Ok(Value::safe_string(&json))
    }),
];

fn text<'v>(filter: &str, v: &'v Value) -> tera::TeraResult<&'v str> {
    v.as_str().ok_or_else(|| {
        filter_error(
            filter,
            format!("cần một chuỗi văn bản, nhận được {}", kind(v)),
        )
    })
}

fn register_filters(tera: &mut Tera) {
    for &(name, known, filter) in OUR_FILTERS {
        tera.register_filter(
            name,
            move |v: &Value, k: Kwargs, state: &State| -> tera::TeraResult<Value> {
                check_args(name, &k, known)?;
                filter(v, &k, state)
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, context: serde_json::Value) -> Result<String, Vec<TemplateError>> {
        render_text(template, &context)
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
