//! Tera templates → Markdown. Templates are read from the templates folder
//! at run time (clerks edit them without rebuilding); any template missing
//! there falls back to the default embedded in the binary (a build warns
//! when one that was edited last time is gone: see `manifest`). Data text is
//! escaped for Markdown by default, so a note cannot change the structure.

pub mod bounds;
pub mod trace;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;
use tera::{Context, Kwargs, State, Tera, Value};
use walkdir::WalkDir;

use crate::contract::MoneyUnit;
use crate::diagnostic::{hint, Code};
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

/// The keyword arguments of Tera 2.4's filters that take any.
const BUILTIN_ARGS: &[(&str, &[&str])] = &[
    ("default", &["value", "boolean"]),
    ("pluralize", &["singular", "plural"]),
    ("trim", &["pat"]),
    ("trim_start", &["pat"]),
    ("trim_end", &["pat"]),
    ("replace", &["from", "to"]),
    ("truncate", &["length", "end"]),
    ("indent", &["width", "indentation", "first", "blank"]),
    ("int", &["base"]),
    ("split", &["pat"]),
    ("round", &["precision", "method"]),
    ("nth", &["n"]),
    ("join", &["sep"]),
    ("sort", &["attribute"]),
    ("unique", &["attribute"]),
    ("get", &["key", "default"]),
    ("group_by", &["attribute"]),
];

/// The keyword arguments filter `name` takes (ours or Tera's).
fn filter_args(name: &str) -> Option<&'static [&'static str]> {
    OUR_FILTERS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, args, _)| *args)
        .or_else(|| {
            BUILTIN_ARGS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, a)| *a)
        })
}

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
#[error("{}{}: lỗi {} trong mẫu báo cáo: {message}", file.display(), position(*line, *column), code.id())]
pub struct TemplateError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub code: Code,
    pub message: String,
}

impl TemplateError {
    /// A problem of a whole template file (or folder), with no line.
    pub fn whole(file: impl Into<PathBuf>, code: Code, message: String) -> Self {
        TemplateError {
            file: file.into(),
            line: 0,
            column: 0,
            code,
            message,
        }
    }
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
    tera: Arc<Tera>,
    /// The traced copies (see [`trace`]), when they load.
    traced: Option<Arc<Tera>>,
    /// The places the traced copies' marks name.
    pub origins: Vec<trace::Origin>,
    /// (name, path on disk or None for the embedded default, text).
    pub sources: Vec<TemplateSource>,
}

/// The Markdown the templates wrote, with the map back to them.
pub struct Rendered {
    pub markdown: String,
    /// None when the templates could not be traced faithfully (the checks
    /// then point at Markdown lines).
    pub trace: Option<Traced>,
}

/// Where the Markdown came from: (byte offset, index into
/// [`Templates::origins`]) in order, and the values printed without a
/// filter.
pub struct Traced {
    pub spans: Vec<(usize, usize)>,
    pub raw: Vec<trace::RawValue>,
}

impl Traced {
    /// The place that wrote byte `at` of the Markdown.
    pub fn place(&self, at: usize) -> Option<usize> {
        self.span(at).map(|(_, place)| place)
    }

    /// Where the run of text holding byte `at` starts, and its place.
    pub fn span(&self, at: usize) -> Option<(usize, usize)> {
        let i = self.spans.partition_point(|&(offset, _)| offset <= at);
        i.checked_sub(1).map(|i| self.spans[i])
    }
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
    let message = format!(
        "{what} (--templates). Kiểm tra tên thư mục, hoặc lấy mẫu mặc định ra để sửa: `khuyencong templates export {}`",
        dir.display()
    );
    TemplateError::whole(dir, Code::TemplateUnreadable, message)
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
                // Read as data is: a regular file within the limit, UTF-8,
                // Windows line ends and BOM made as on Linux.
                let text = crate::load::read_bytes(path, crate::load::MAX_FILE_BYTES)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| crate::load::text(&bytes))
                    .map_err(|reason| {
                        vec![TemplateError::whole(
                            path.to_path_buf(),
                            Code::TemplateUnreadable,
                            format!("không đọc được tệp mẫu: {reason}"),
                        )]
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
        let mut templates = Templates {
            tera: Arc::new(tera),
            traced: None,
            origins: Vec::new(),
            sources,
        };
        if let Err(e) = load {
            return Err(templates.explain(&e));
        }
        templates.trace();
        Ok(templates)
    }

    /// Loads the traced copies of the templates, if they load (a copy that
    /// does not leaves the report untraced, never wrong).
    fn trace(&mut self) {
        let mut origins = Vec::new();
        let copies: Vec<(&str, String)> = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let traced = trace::trace(i, &s.text, origins.len());
                origins.extend(traced.origins);
                (s.name.as_str(), traced.text)
            })
            .collect();
        let mut tera = engine();
        tera.register_filter(trace::VALUE_FILTER, trace::value_filter);
        if tera
            .add_raw_templates(copies.iter().map(|(n, t)| (*n, t.as_str())))
            .is_ok()
        {
            self.traced = Some(Arc::new(tera));
            self.origins = origins;
        }
    }

    /// Where each template came from, in the order they were loaded.
    pub fn origins(&self) -> impl Iterator<Item = (&TemplateSource, Origin)> {
        self.sources.iter().map(|s| (s, s.origin()))
    }

    /// Renders the main template with the summary as context, within the
    /// bounds of [`bounds`], and traced (see [`trace`]) at the same time
    /// on another thread.
    pub fn render(&self, summary: &impl serde::Serialize) -> Result<Rendered, Vec<TemplateError>> {
        self.render_within(summary, bounds::Limits::for_units(0))
    }

    /// As [`Templates::render`], within `limits` (see
    /// [`bounds::Limits::for_units`]).
    pub fn render_within(
        &self,
        summary: &impl serde::Serialize,
        limits: bounds::Limits,
    ) -> Result<Rendered, Vec<TemplateError>> {
        let context = Context::from_serialize(summary).map_err(|e| {
            vec![TemplateError::whole(
                PathBuf::from(MAIN),
                Code::TemplateWrong,
                format!("lỗi nội bộ khi tạo dữ liệu cho mẫu: {e}"),
            )]
        })?;
        // Marks make the traced Markdown longer than the plain one.
        let traced_budget = bounds::Budget::new(bounds::Limits {
            bytes: 3 * limits.bytes,
            ..limits
        });
        let traced = self.traced.clone().map(|tera| {
            let context = context.clone();
            bounds::spawn(Arc::clone(&traced_budget), move |budget| {
                let mut out = bounds::Bounded::new(budget);
                let rendered = tera.render_to(MAIN, &context, &mut out).is_ok();
                (rendered.then_some(out.bytes), trace::take_raw())
            })
        });
        let budget = bounds::Budget::new(limits);
        let tera = Arc::clone(&self.tera);
        let plain = bounds::spawn(Arc::clone(&budget), move |budget| {
            let mut out = bounds::Bounded::new(budget);
            tera.render_to(MAIN, &context, &mut out).map(|()| out.bytes)
        });
        let markdown = match plain.wait() {
            // Tera writes whole strings, and the writer refuses whole writes.
            Ok(Ok(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
            Ok(Err(e)) => {
                traced_budget.cancel();
                return Err(match budget.exceeded() {
                    Some(bound) => vec![self.exceeded(bound, &limits, Some(&e))],
                    None => self.explain_in(&e, Some(&Value::from_serializable(summary))),
                });
            }
            Err(bound) => {
                traced_budget.cancel();
                return Err(vec![self.exceeded(bound, &limits, None)]);
            }
        };
        let trace = traced
            .and_then(|t| t.wait().ok())
            .and_then(|(bytes, raw)| Some((String::from_utf8(bytes?).ok()?, raw)))
            .and_then(|(text, raw)| {
                let (stripped, spans) = trace::strip(&text);
                (stripped == markdown).then_some(Traced { spans, raw })
            });
        Ok(Rendered { markdown, trace })
    }

    /// A bound passed while rendering, said with the place Tera was at
    /// (a loop of ours that checked the time), or the main template.
    fn exceeded(
        &self,
        bound: bounds::Exceeded,
        limits: &bounds::Limits,
        error: Option<&tera::Error>,
    ) -> TemplateError {
        let at = error.and_then(|e| reports(&e.to_string()).into_iter().next());
        let (name, line, column) = at.map_or((MAIN.to_string(), 0, 0), |(_, n, l, c)| (n, l, c));
        let what = match bound {
            bounds::Exceeded::Time => format!(
                "dựng mẫu quá {} giây nên đã dừng{}: một vòng lặp `{{% for %}}` quá dài, hay nhiều vòng lồng nhau? Báo cáo cả nước chỉ cần dưới một giây; lặp trên danh sách của dữ liệu (`{{% for u in don_vi %}}`), không trên `range` lớn",
                limits.time.as_secs(),
                if line > 0 { " (đang chạy dòng này)" } else { "" }
            ),
            bounds::Exceeded::Size => format!(
                "mẫu dựng ra hơn {} MB Markdown nên đã dừng: một vòng lặp in chữ quá nhiều lần? Báo cáo cả nước chỉ vài MB; xem lại các vòng `{{% for %}}` lồng nhau",
                limits.bytes / (1024 * 1024)
            ),
            bounds::Exceeded::Memory => format!(
                "dựng mẫu cần hơn {} MB bộ nhớ nên đã dừng: một vòng lặp gom chữ (`{{% set %}}…{{% endset %}}`) hay nối chuỗi `~` quá nhiều lần? Xem lại các vòng `{{% for %}}` của mẫu",
                limits.memory / (1024 * 1024)
            ),
        };
        TemplateError {
            file: self.file_of(&name),
            line,
            column,
            code: Code::TemplateBounds,
            message: what,
        }
    }

    /// A TOML error in the rendered front matter, placed on the line of the
    /// main template that wrote it: the line setting the same key, or, for
    /// a line that sets none, the same line when the front matter rendered
    /// line for line (without the trace of the render, which places it
    /// exactly: see [`crate::report_check`]).
    pub fn front_matter_error(
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
            code: Code::TemplateFrontMatter,
            message: front_matter_message(rendered_line, message),
        }
    }

    /// The file template `name` was read from, as messages show it.
    pub fn file_of(&self, name: &str) -> PathBuf {
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
                let scope = context.map(|context| Scope {
                    context,
                    sources: &self.sources,
                    name: &name,
                    line,
                });
                let (line, column, message) = block.unwrap_or_else(|| {
                    (line, column, translate_in(&message, spot, scope.as_ref()))
                });
                TemplateError {
                    file: self.file_of(&name),
                    line,
                    column,
                    code: Code::TemplateWrong,
                    message,
                }
            })
            .collect();
        if found.is_empty() {
            found.push(self.unplaced(&text));
        }
        found
    }

    /// An error Tera gives no place for: a template that includes itself
    /// is said at its `{% include %}`.
    fn unplaced(&self, text: &str) -> TemplateError {
        let circular = text
            .split_once("Circular include detected for template '")
            .and_then(|(_, rest)| rest.split_once('\''))
            .map(|(name, _)| name);
        if let Some(name) = circular {
            let chain: Vec<&str> = text
                .split_once("Include chain: `[")
                .map(|(_, rest)| rest.split(']').next().unwrap_or(""))
                .unwrap_or("")
                .split(", ")
                .map(|n| n.trim_matches('"'))
                .filter(|n| !n.is_empty())
                .collect();
            // The template whose include closes the circle.
            let includer = chain.iter().rev().nth(1).copied().unwrap_or(name);
            let at = self
                .sources
                .iter()
                .find(|s| s.name == includer)
                .and_then(|s| include_tag(&s.text, name));
            let (line, column) = at.unwrap_or((0, 0));
            let circle = if chain.len() > 1 {
                chain.join(" → ")
            } else {
                format!("{name} → {name}")
            };
            return TemplateError {
                file: self.file_of(includer),
                line,
                column,
                code: Code::TemplateWrong,
                message: format!(
                    "`{{% include \"{name}\" %}}` chèn lại một mẫu đang được dựng ({circle}): mẫu sẽ chèn mình mãi không dừng. Bỏ thẻ này, hoặc chèn một mẫu khác"
                ),
            };
        }
        TemplateError::whole(
            PathBuf::from(MAIN),
            Code::TemplateWrong,
            translate(text, Spot::default()),
        )
    }
}

/// Line and column of the `{% include "name" %}` tag in `text`.
fn include_tag(text: &str, name: &str) -> Option<(usize, usize)> {
    text.match_indices("{%")
        .map(|(i, _)| i)
        .find(|&i| {
            let tag = &text[i..text[i..].find("%}").map_or(text.len(), |e| i + e)];
            tag.contains("include")
                && (tag.contains(&format!("\"{name}\"")) || tag.contains(&format!("'{name}'")))
        })
        .map(|i| crate::markdown::line_column(text, i))
}

/// Values a template line can name, for hints about a misspelt field: the
/// context's, and the loop variables of the `{% for %}` tags above it
/// (each the first item of what it iterates).
struct Scope<'a> {
    context: &'a Value,
    sources: &'a [TemplateSource],
    /// The template and line the error is on.
    name: &'a str,
    line: usize,
}

impl Scope<'_> {
    /// The value a variable path names at the error's line, if it can be
    /// found.
    fn value(&self, path: &str) -> Option<Value> {
        self.resolve(path, self.name, self.line, 0)
    }

    fn resolve(&self, path: &str, name: &str, line: usize, depth: usize) -> Option<Value> {
        let mut parts = path.split('.').filter(|p| !p.is_empty());
        let root = parts.next()?;
        let mut value = match self
            .context
            .get_from_path(root)
            .filter(|v| !v.is_undefined())
        {
            Some(v) => v.clone(),
            None if depth < 4 => self.loop_item(root, name, line, depth)?,
            None => return None,
        };
        for part in parts {
            value = value
                .get_from_path(part)
                .filter(|v| !v.is_undefined())?
                .clone();
        }
        Some(value)
    }

    /// The first item of what loop variable `var` iterates: the nearest
    /// `{% for var in … %}` above `line`, or in another template (an
    /// included one is rendered inside its includer's loop).
    fn loop_item(&self, var: &str, name: &str, line: usize, depth: usize) -> Option<Value> {
        let here = self.sources.iter().filter(|s| s.name == name);
        let others = self.sources.iter().filter(|s| s.name != name);
        for source in here.chain(others) {
            let before = if source.name == name {
                line
            } else {
                usize::MAX
            };
            if let Some((at, iterable)) = for_tag(&source.text, var, before) {
                let list = self.resolve(&iterable, &source.name, at, depth + 1)?;
                return match list.as_array() {
                    Some(items) => items.first().cloned(),
                    None => list.as_map().and_then(|m| m.values().next().cloned()),
                };
            }
        }
        None
    }
}

/// The last `{% for … var in ITERABLE %}` at or above `before` (1-based
/// line) in `text`: its line and the variable path it iterates.
fn for_tag(text: &str, var: &str, before: usize) -> Option<(usize, String)> {
    let mut found = None;
    for (i, line) in text.lines().enumerate().take(before) {
        for (at, _) in line.match_indices("{%") {
            let tag = line[at + 2..].trim_start_matches(['-', ' ']);
            let Some(rest) = tag.strip_prefix("for ") else {
                continue;
            };
            let Some((vars, iterable)) = rest.split_once(" in ") else {
                continue;
            };
            if !vars.split(',').any(|v| v.trim() == var) {
                continue;
            }
            // `[x for x in theo_nguon if …]`: the list it is made from.
            let iterable = iterable.trim_start_matches([' ', '[']);
            let iterable = match iterable.split_once(" in ") {
                Some((_, inner)) if iterable.contains(" for ") => inner,
                _ => iterable,
            };
            let path: String = iterable
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            if !path.is_empty() {
                found = Some((i + 1, path));
            }
        }
    }
    found
}

/// A problem of the `+++` block, with the line the template rendered.
pub fn front_matter_message(rendered_line: &str, message: &str) -> String {
    format!(
        "khối thông tin văn bản (giữa hai dòng `+++`) không hợp lệ: {message}. Dòng này dựng ra: `{}`",
        rendered_line.trim()
    )
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

    /// The variable path at the position (an operand of arithmetic).
    fn path(&self) -> &'t str {
        let at = self.at.trim_start_matches(['(', ' ']);
        let end = at
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(at.len());
        &at[..end]
    }

    /// The filter whose parenthesised arguments the position is inside
    /// (`phan_tram(2)`), if it is inside one.
    fn call(&self) -> Option<&'t str> {
        let open = self.before.rfind('(')?;
        if self.before[open..].contains(')') {
            return None;
        }
        let name = self.before[..open].trim_end();
        let start = name
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let name = &name[start..];
        (!name.is_empty()
            && self.before[..open].trim_end()[..start]
                .trim_end()
                .ends_with('|'))
        .then_some(name)
    }

    /// Whether the filter after the value is given arguments (`tien(…)`).
    fn filter_has_args(&self) -> bool {
        let filter = self.filter();
        !filter.is_empty()
            && self
                .at
                .split_once(filter)
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('('))
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

/// Which part of `path` (`van_ban.so_ky_hieuu`, `u.kinhphi`) the values
/// in scope lack, with the nearest field.
fn path_hint(scope: &Scope, path: &str) -> String {
    let parts: Vec<&str> = path.split('.').filter(|f| !f.is_empty()).collect();
    for n in (1..parts.len()).rev() {
        let walked = parts[..n].join(".");
        let Some(here) = scope.value(&walked) else {
            continue;
        };
        let Some(map) = here.as_map() else {
            return String::new();
        };
        let field = parts[n];
        let mut fields: Vec<String> = map.keys().map(|k| k.to_string()).collect();
        fields.sort();
        if fields.iter().any(|f| f == field) {
            return String::new();
        }
        return format!(
            ": `{walked}` không có trường `{field}`.{} Các trường có: {}",
            hint(field, fields.iter().map(String::as_str)),
            fields.join(", ")
        );
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

/// As [`translate`], with what the values in scope tell: the field a
/// misspelt path lacks (a loop variable's too), the fields of a list's
/// items, whether a filter's value or one of its arguments has the wrong
/// type.
fn translate_in(message: &str, spot: Spot, scope: Option<&Scope>) -> String {
    let Some(scope) = scope else {
        return translate(message, spot);
    };
    if let Some(path) = message.split("does not have an attribute at path: ").nth(1) {
        let list = spot.piped();
        let item = scope
            .value(list)
            .and_then(|v| v.as_array().and_then(|a| a.first().cloned()));
        let mut said = translate(message, spot);
        if let Some(item) = item {
            said.push_str(&missing_field(&item, path.trim()));
        }
        return said;
    }
    if let [expected, got] = all_quoted(message)[..] {
        if message.starts_with("Invalid type for the value") {
            let piped = scope.value(spot.piped());
            let value_is_fine = piped.is_some_and(|v| v.name() != got);
            if value_is_fine && spot.filter_has_args() {
                let filter = spot.filter();
                return format!(
                    "một tham số của bộ lọc `{filter}` cần {}, nhưng nhận được {}.{}",
                    type_name(expected),
                    type_name(got),
                    filter_args(filter)
                        .map(|a| format!(" Các tham số: {}.", a.join(", ")))
                        .unwrap_or_default()
                );
            }
        }
    }
    let mut said = translate(message, spot);
    if said.contains("không tồn tại") {
        let arithmetic = message.starts_with("Math operations") || message.contains("operands");
        let path = if arithmetic {
            spot.path()
        } else {
            spot.piped()
        };
        said.push_str(&path_hint(scope, path));
    }
    said
}

/// What `item` (an item of a list) lacks of `path`, with the nearest
/// field and the fields it has.
fn missing_field(item: &Value, path: &str) -> String {
    let mut here = item.clone();
    for field in path.split('.') {
        let Some(map) = here.as_map() else {
            return String::new();
        };
        match here.get_from_path(field).filter(|v| !v.is_undefined()) {
            Some(next) => here = next.clone(),
            None => {
                let mut fields: Vec<String> = map.keys().map(|k| k.to_string()).collect();
                fields.sort();
                return format!(
                    "{} Các trường có: {}",
                    hint(field, fields.iter().map(String::as_str)),
                    fields.join(", ")
                );
            }
        }
    }
    String::new()
}

/// A token Tera names, in a clerk's words.
fn token(name: &str) -> String {
    match name {
        "identifier" => "một tên (biến, trường, bộ lọc)".into(),
        "integer" => "một số nguyên".into(),
        "float" => "một số thập phân".into(),
        "string" => "một chuỗi".into(),
        "end of input" | "EOF" => "hết mẫu".into(),
        quoted if quoted.starts_with('`') => quoted.into(),
        other => format!("`{other}`"),
    }
}

/// Tera's English messages, said in Vietnamese with a hint where possible.
fn translate(message: &str, spot: Spot) -> String {
    let name = quoted(message);
    let q = all_quoted(message);
    // Our filters and functions already speak Vietnamese.
    if message.starts_with("bộ lọc `") || message.starts_with("hàm `") {
        return message.to_string();
    }
    if let Some(thrown) = message.split(bounds::THROWN).nth(1) {
        return format!("mẫu dừng ở đây bằng `throw`: {thrown}");
    }
    if let Some(path) = message.split("does not have an attribute at path: ").nth(1) {
        return format!(
            "bộ lọc `{}` dùng trường `{}` của từng phần tử của `{}`, nhưng các phần tử không có trường này.",
            spot.filter(),
            path.trim(),
            spot.piped()
        );
    }
    if let Some((found, expected)) = message
        .strip_prefix("Found ")
        .and_then(|m| m.split_once(" but expected "))
        .filter(|_| spot.call().is_none())
    {
        return format!(
            "cú pháp không đúng: ở đây cần {} nhưng gặp {}; kiểm tra các cặp {{{{ }}}}, {{% %}} và tên biến quanh vị trí này",
            token(expected.trim_end_matches('.')),
            token(found)
        );
    }
    if message.starts_with("Found ") && message.contains("but expected identifier") {
        if let Some(filter) = spot.call() {
            let args = filter_args(filter).unwrap_or(&[]);
            let written = spot.at.split([')', ',']).next().unwrap_or("").trim();
            return match args.first() {
                Some(first) => format!(
                    "tham số của bộ lọc `{filter}` viết kèm tên: `{filter}({first}={written})`, không phải `{filter}({written})`. Các tham số: {}",
                    args.join(", ")
                ),
                None => format!("bộ lọc `{filter}` không nhận tham số nào; bỏ `({written})`"),
            };
        }
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
        // A misspelt field is no question of precedence.
        if name == "undefined" {
            return format!(
                "phép tính chỉ làm được với số, nhận được {}",
                type_name(name)
            );
        }
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
    // Tera's own, bounded and said in Vietnamese.
    tera.register_function("range", bounds::range);
    tera.register_function("throw", bounds::throw);
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
    let mut tera = engine();
    let load = tera.add_raw_template(NAME, text);
    let t = Templates {
        tera: Arc::new(tera),
        traced: None,
        origins: Vec::new(),
        sources: vec![TemplateSource {
            name: NAME.into(),
            path: None,
            text: text.into(),
        }],
    };
    load.map_err(|e| t.explain(&e))?;
    let ctx = Context::from_serialize(context).map_err(|e| t.explain(&e))?;
    let limits = bounds::Limits::for_units(0);
    let budget = bounds::Budget::new(limits);
    let tera = Arc::clone(&t.tera);
    let rendered = bounds::spawn(Arc::clone(&budget), move |budget| {
        let mut out = bounds::Bounded::new(budget);
        tera.render_to(NAME, &ctx, &mut out).map(|()| out.bytes)
    })
    .wait();
    match rendered {
        Ok(Ok(bytes)) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Ok(Err(e)) => Err(match budget.exceeded() {
            Some(bound) => vec![t.exceeded(bound, &limits, Some(&e))],
            None => t.explain_in(&e, Some(&Value::from_serializable(context))),
        }),
        Err(bound) => Err(vec![t.exceeded(bound, &limits, None)]),
    }
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

/// A true/false argument of a filter (`don_vi=false`).
fn flag(filter: &str, kwargs: &Kwargs, name: &str) -> tera::TeraResult<Option<bool>> {
    match kwargs.get::<&Value>(name)? {
        None => Ok(None),
        Some(v) => v.as_bool().map(Some).ok_or_else(|| {
            filter_error(
                filter,
                format!(
                    "`{name}` là `true` hoặc `false` (không có dấu nháy), nhận được {}",
                    kind(v)
                ),
            )
        }),
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
        Ok(match flag("tien", k, "don_vi")? {
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
                bounds::check()?;
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
