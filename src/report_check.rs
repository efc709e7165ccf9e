//! The one report check, run by `build` and `templates check` alike (both
//! through [`crate::pipeline::run`]): what the templates wrote is checked
//! before anything is written, so the two commands agree by construction,
//! and each problem is said at the template's file:line (through the map
//! of [`crate::templating::trace`]) with its fix:
//! - the `+++` block (TOML, keys, page settings);
//! - values printed without a filter: an integer of five digits or more,
//!   a decimal with a dot, an ISO date, `true`/`false`, an object or a
//!   list dumped whole;
//! - characters the fonts lack (the PDF cannot draw them);
//! - tables wider than their page (the writers could not set them);
//! - what the document model refuses ([`crate::markdown::parse_all`]):
//!   table rows cut off from their table, images, HTML, footnotes, link
//!   definitions, misplaced merge signs…
//!
//! Then the headings and the tables are numbered and the Markdown becomes
//! the document model.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Code;
use crate::document::{text_char, Document, TextChar};
use crate::markdown::{self, MarkdownError};
use crate::render::fonts;
use crate::render::prepared::{self, table::TableError, LayoutError};
use crate::templating::trace::{Raw, RawValue};
use crate::templating::{Rendered, TemplateError, Templates};

/// The report's Markdown, numbered, and its document model.
pub struct Checked {
    pub markdown: String,
    pub document: Document,
}

/// Checks what the templates wrote; every problem at once.
pub fn check(templates: &Templates, rendered: &Rendered) -> Result<Checked, Vec<TemplateError>> {
    let at = Places {
        templates,
        rendered,
    };
    let mut problems = Vec::new();
    let front_matter = front_matter(&at);
    let front_matter_failed = front_matter.is_some();
    problems.extend(front_matter);
    problems.extend(raw_values(&at));
    problems.extend(missing_glyphs(&at));
    let headed = markdown::number_headings(&rendered.markdown);
    // A reference that cannot follow its table is said with the rest.
    let numbered = match markdown::number_tables(&headed, &captions_written(templates)) {
        Ok(numbered) => numbered,
        Err(e) => {
            problems.push(at.markdown_error(&e));
            headed
        }
    };
    match markdown::parse_all(&numbered) {
        Ok(document) if problems.is_empty() => {
            // A table the page cannot hold would stop the writers.
            if let Err(LayoutError::Table(wide @ TableError::TooWide { line, .. })) =
                prepared::prepare(&document)
            {
                let start = line_start(&rendered.markdown, line);
                return Err(vec![at.error(start, wide.to_string())]);
            }
            return Ok(Checked {
                markdown: numbered,
                document,
            });
        }
        Ok(_) => {}
        Err(found) => {
            // One problem per kind and template line: a row of a loop is
            // cut off from its table once in the template, however many
            // times it printed.
            let mut said: Vec<(std::mem::Discriminant<MarkdownError>, TemplateError, usize)> =
                Vec::new();
            for e in found {
                // Said above, at the template's line.
                if front_matter_failed && matches!(e, MarkdownError::FrontMatter { .. }) {
                    continue;
                }
                let error = at.markdown_error(&e);
                let kind = std::mem::discriminant(&e);
                let same = said.iter_mut().find(|(k, s, _)| {
                    *k == kind
                        && s.line > 0
                        && (&s.file, s.line, s.column) == (&error.file, error.line, error.column)
                });
                match same {
                    Some((_, _, more)) => *more += 1,
                    None => said.push((kind, error, 0)),
                }
            }
            problems.extend(said.into_iter().map(|(_, mut error, more)| {
                if more > 0 {
                    error.message.push_str(&format!(
                        " (cùng lỗi ở {more} chỗ khác của Markdown do dòng mẫu này dựng ra)"
                    ));
                }
                error
            }));
        }
    }
    let mut seen = BTreeSet::new();
    problems.retain(|p| seen.insert(p.to_string()));
    // In the templates' order, line by line.
    problems.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    Err(problems)
}

/// Every number a table caption is written with in the templates, at the
/// first template line that writes it: a reference to one that did not
/// print is an error ([`markdown::number_tables`]).
fn captions_written(templates: &Templates) -> BTreeMap<u32, String> {
    let mut written = BTreeMap::new();
    for source in &templates.sources {
        for (line, number) in markdown::caption_numbers(&source.text) {
            written
                .entry(number)
                .or_insert_with(|| format!("{}:{line}", templates.file_of(&source.name).display()));
        }
    }
    written
}

/// Where the Markdown's parts came from.
struct Places<'a> {
    templates: &'a Templates,
    rendered: &'a Rendered,
}

impl Places<'_> {
    /// The template's file, line and column that wrote byte `at` of the
    /// Markdown: inside a run of template text, the very character; inside
    /// a printed value, its `{{`.
    fn place(&self, at: usize) -> Option<(std::path::PathBuf, usize, usize)> {
        let trace = self.rendered.trace.as_ref()?;
        let (start, id) = trace.span(at)?;
        let origin = self.templates.origins.get(id)?;
        let column = match origin.expression {
            Some(_) => origin.column,
            None => {
                let run = self.rendered.markdown.get(start..at).unwrap_or("");
                origin.column + run.chars().count()
            }
        };
        let file = self
            .templates
            .file_of(&self.templates.sources[origin.source].name);
        Some((file, origin.line, column))
    }

    /// A problem at byte `at` of the Markdown: at the template line that
    /// wrote it, or (untraced) at the main template, naming the Markdown's
    /// line in `message`.
    fn error(&self, at: usize, message: String) -> TemplateError {
        match self.place(at) {
            Some((file, line, column)) => TemplateError {
                file,
                line,
                column,
                code: Code::TemplatePrint,
                message,
            },
            None => {
                let (line, _) = markdown::line_column(&self.rendered.markdown, at);
                TemplateError::whole(
                    self.templates.file_of(crate::templating::MAIN),
                    Code::TemplatePrint,
                    format!("dòng {line} của Markdown đã dựng: {message}"),
                )
            }
        }
    }

    /// A problem of the document model, said at the template line that
    /// wrote its Markdown line.
    fn markdown_error(&self, e: &MarkdownError) -> TemplateError {
        let markdown = &self.rendered.markdown;
        let Some(line) = e.line() else {
            return TemplateError::whole(
                self.templates.file_of(crate::templating::MAIN),
                Code::TemplatePrint,
                e.to_string(),
            );
        };
        // Numbering writes inside lines: the line is the rendered one's
        // (a column, after a heading's number, may be a few off).
        let start = line_start(markdown, line);
        let text = &markdown[start..];
        let first = match e.column() {
            Some(column) => {
                let written = text.lines().next().unwrap_or("");
                start
                    + written
                        .char_indices()
                        .nth(column.saturating_sub(1))
                        .map_or(written.len(), |(i, _)| i)
            }
            None => start + (text.len() - text.trim_start_matches([' ', '\t']).len()),
        };
        let mut error = self.error(first, e.to_string());
        // Its message already names the Markdown's line.
        if error.line == 0 {
            error.message = e.to_string();
        }
        error
    }
}

/// A problem of the `+++` block (TOML, keys, values), at the template's
/// line.
fn front_matter(at: &Places) -> Option<TemplateError> {
    let markdown = &at.rendered.markdown;
    let Err(MarkdownError::FrontMatter {
        line,
        column,
        message,
    }) = markdown::check_front_matter(markdown)
    else {
        return None;
    };
    let start = line_start(markdown, line);
    let written = markdown[start..].lines().next().unwrap_or("");
    let offset = start
        + written
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(written.len(), |(i, _)| i);
    Some(match at.place(offset) {
        Some((file, line, column)) => TemplateError {
            file,
            line,
            column,
            code: Code::TemplateFrontMatter,
            message: crate::templating::front_matter_message(written, &message),
        },
        None => at
            .templates
            .front_matter_error(markdown, line, column, &message),
    })
}

/// Byte offset of 1-based `line` of `text` (its end when it has fewer).
fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    memchr::memchr_iter(b'\n', text.as_bytes())
        .nth(line - 2)
        .map_or(text.len(), |i| i + 1)
}

/// The end of the `+++` block at the start of `markdown` (0 without one).
fn front_matter_end(markdown: &str) -> usize {
    if !markdown.starts_with("+++") {
        return 0;
    }
    let mut offset = 0;
    for (i, line) in markdown.split_inclusive('\n').enumerate() {
        offset += line.len();
        if i > 0 && line.trim_end() == "+++" {
            return offset;
        }
    }
    0
}

/// Values printed without a filter in the body (the `+++` block holds
/// TOML, where `ngay = "{{ van_ban.ngay }}"` is right).
fn raw_values(at: &Places) -> Vec<TemplateError> {
    let Some(trace) = &at.rendered.trace else {
        return Vec::new();
    };
    let body = front_matter_end(&at.rendered.markdown);
    let mut said = BTreeSet::new();
    let mut problems = Vec::new();
    for value in &trace.raw {
        if said.contains(&value.place) {
            continue;
        }
        let printed = trace
            .spans
            .iter()
            .find(|&&(offset, place)| place == value.place && offset >= body);
        let (Some(&(offset, _)), Some(origin)) = (printed, at.templates.origins.get(value.place))
        else {
            continue;
        };
        said.insert(value.place);
        let expression = origin.expression.as_deref().unwrap_or("");
        problems.push(at.error(offset, raw_message(expression, value)));
    }
    problems
}

/// What a raw value prints, and the filter that prints it right.
fn raw_message(expression: &str, value: &RawValue) -> String {
    let shown = &value.shown;
    let written = format!("`{{{{ {expression} }}}}`");
    let with = |filter: &str| {
        if expression.contains('|') {
            format!("`{{{{ ({expression}) | {filter} }}}}`")
        } else {
            format!("`{{{{ {expression} | {filter} }}}}`")
        }
    };
    let money = ["kinh_phi", "ke_hoach", "thuc_hien", "chenh_lech", "tien"]
        .iter()
        .any(|k| expression.contains(k));
    match value.raw {
        Raw::Integer => format!(
            "{written} in số `{shown}` như dữ liệu, không có dấu chấm ngăn nghìn. Thêm bộ lọc: {} ({}), hoặc `| so`, `| so_dem`",
            with(if money { "tien" } else { "so" }),
            if money { "số tiền theo đơn vị của báo cáo" } else { "số có dấu chấm ngăn nghìn" }
        ),
        Raw::Decimal if expression.contains("round") => format!(
            "{written} in số `{shown}` với dấu chấm thập phân (`round` của Tera không định dạng số kiểu Việt Nam). Thay `round(…)` bằng `| phan_tram` (tỷ lệ: 45,1%) hoặc `| so(le=1)` (45,1)"
        ),
        Raw::Decimal => format!(
            "{written} in số `{shown}` như dữ liệu, với dấu chấm thập phân và chưa làm tròn. Thêm bộ lọc: {}",
            if expression.contains("ty_le") {
                format!("{} (45,1%), hoặc `| phan_tram(le=2)`", with("phan_tram"))
            } else {
                format!("{} (làm tròn 2 chữ số, dấu phẩy thập phân)", with("so(le=2)"))
            }
        ),
        Raw::Date => format!(
            "{written} in ngày `{shown}` kiểu ISO. Thêm bộ lọc: {} (15/12/2023) hoặc {} (ngày 15 tháng 12 năm 2023)",
            with("ngay"),
            with("ngay_chu")
        ),
        Raw::Bool => format!(
            "{written} in chữ tiếng Anh `{shown}`. Viết câu theo giá trị: `{{% if {expression} %}}…{{% else %}}…{{% endif %}}`"
        ),
        Raw::Map => format!(
            "{written} in cả một đối tượng (`{shown}`). Chọn một trường và bộ lọc của nó, ví dụ `{{{{ {expression}.{} | … }}}}`; các trường: {} (xem `khuyencong context`)",
            value.fields.first().map_or("ten", String::as_str),
            value.fields.join(", ")
        ),
        Raw::List => format!(
            "{written} in cả một danh sách (`{shown}`). Nối các mục bằng {} (\"A, B và C\"), hoặc lặp `{{% for x in {expression} %}}…{{% endfor %}}`",
            with("danh_sach")
        ),
    }
}

/// Characters no face of the PDF can draw, once per character and place;
/// only in what prints (not in a comment).
fn missing_glyphs(at: &Places) -> Vec<TemplateError> {
    let markdown = &at.rendered.markdown;
    let mut said = BTreeSet::new();
    let mut problems = Vec::new();
    // The HTML's places, found (a second parse) only once a character is
    // missing: most reports have none.
    let mut html = None;
    for (offset, c) in markdown.char_indices() {
        if c.is_ascii() || text_char(c) != TextChar::Keep {
            continue;
        }
        // Fonts that cannot be read fail the writers, with their reason.
        if fonts::in_every_face(c).unwrap_or(true) {
            continue;
        }
        let html =
            html.get_or_insert_with(|| markdown::html_ranges(markdown).into_iter().peekable());
        while html.next_if(|range| range.end <= offset).is_some() {}
        if html.peek().is_some_and(|range| range.contains(&offset)) {
            continue;
        }
        let place = at.rendered.trace.as_ref().and_then(|t| t.place(offset));
        if !said.insert((c, place)) {
            continue;
        }
        problems.push(at.error(
            offset,
            format!(
                "ký tự `{c}` (U+{:04X}) không có trong phông chữ của báo cáo (Liberation Serif trong PDF, cùng bộ chữ với Times New Roman) nên PDF không in được. Thay bằng chữ (ví dụ \"đạt\") hoặc một ký tự có trong phông (`x`, `+`, `-`, `•`)",
                c as u32
            ),
        ));
    }
    problems
}
