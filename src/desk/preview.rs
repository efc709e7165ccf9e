//! The desk's preview: the build path of `build` up to the document model
//! (`pipeline::run`), then the HTML writer of the one list
//! (`render::renderers`), in memory. A build that fails keeps the last
//! good pages and says why, each problem with its place and, for a line of
//! a file, that line with a mark under the column.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::aggregate::Summary;
use crate::diagnostic::{escaped, shown_path, Diagnostic};
use crate::load;
use crate::pipeline::{self, BuildError, Inputs};
use crate::render::{self, Format, Rendering};
use crate::templating::TemplateError;

/// A good build: its pages as HTML and what it added up to.
pub struct Good {
    pub pages: String,
    pub summary: Summary,
}

/// One problem as the desk shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file as found (empty when none is concerned).
    pub file: String,
    /// 1-based line and column; 0 when the whole file is concerned.
    pub line: usize,
    pub column: usize,
    /// Where inside: a JSON path or a form's cell.
    pub at: String,
    /// The error code (`KC033`), or what kind of problem it is.
    pub code: String,
    pub message: String,
    /// The line `line` of the file, as it was read.
    pub excerpt: Option<String>,
    /// The unit whose submission the file is, when it can be told.
    pub unit: Option<String>,
}

impl Problem {
    /// `tệp:dòng:cột` (or the file alone).
    pub fn place(&self) -> String {
        if self.line > 0 {
            format!("{}:{}:{}", self.file, self.line, self.column)
        } else {
            self.file.clone()
        }
    }

    /// A build that stopped on a fault of the program.
    pub fn bug() -> Problem {
        Problem::whole(
            "lỗi chương trình",
            "chương trình gặp lỗi bất thường khi dựng bản xem (không phải lỗi của dữ liệu hay mẫu); bản xem tốt gần nhất được giữ — hãy báo lỗi này kèm các tệp vừa sửa".into(),
        )
    }

    fn whole(code: &str, message: String) -> Problem {
        Problem {
            file: String::new(),
            line: 0,
            column: 0,
            at: String::new(),
            code: code.into(),
            message,
            excerpt: None,
            unit: None,
        }
    }
}

/// Builds the preview of what `inputs` hold now.
pub fn build(inputs: &Inputs) -> Result<Good, Vec<Problem>> {
    let report = pipeline::run(inputs).map_err(|e| problems(&e))?;
    let summary = report.summary.clone();
    let doc = Rendering {
        markdown: report.markdown,
        document: report.document,
        summary: None,
    };
    let failed = |e: render::RenderError| vec![Problem::whole("dựng trang", e.to_string())];
    let prepared = doc.prepare().map_err(failed)?;
    let mut html = Vec::new();
    for writer in render::renderers(&[Format::Html]) {
        html = writer.render(&doc, &prepared).map_err(failed)?;
    }
    Ok(Good {
        pages: String::from_utf8_lossy(&html).into_owned(),
        summary,
    })
}

/// A failed build's problems, each with its place.
pub fn problems(e: &BuildError) -> Vec<Problem> {
    match e {
        BuildError::Data(diags) => {
            // Each file read once and cut into lines once, however many
            // problems it has (a bad file can have thousands).
            let named: HashSet<&Path> = diags.0.iter().map(|d| d.file.as_path()).collect();
            let texts: HashMap<&Path, Option<String>> = named
                .into_iter()
                .map(|path| (path, text_of(path)))
                .collect();
            let files: HashMap<&Path, (Vec<&str>, Option<String>)> = texts
                .iter()
                .map(|(path, text)| {
                    let text = text.as_deref();
                    let lines = text.map_or_else(Vec::new, |t| t.lines().collect());
                    (*path, (lines, unit_of(path, text)))
                })
                .collect();
            diags
                .0
                .iter()
                .map(|d| {
                    let (lines, unit) = &files[d.file.as_path()];
                    let excerpt = d.line.checked_sub(1).and_then(|i| lines.get(i));
                    of_diagnostic(d, excerpt.map(|l| l.to_string()), unit.clone())
                })
                .collect()
        }
        BuildError::Template(errors) => errors.iter().map(of_template).collect(),
        BuildError::Sums(_) => vec![Problem::whole("tự kiểm tra", e.to_string())],
        BuildError::Incomplete(_) => vec![Problem::whole("thiếu đơn vị", e.to_string())],
    }
}

fn of_diagnostic(d: &Diagnostic, excerpt: Option<String>, unit: Option<String>) -> Problem {
    Problem {
        file: shown_path(&d.file).into_owned(),
        line: d.line,
        column: d.column,
        at: escaped(&d.path).into_owned(),
        code: d.code.id().into(),
        message: escaped(&d.message).into_owned(),
        excerpt,
        unit,
    }
}

fn of_template(e: &TemplateError) -> Problem {
    let excerpt = line_of(&e.file, e.line).or_else(|| {
        // An embedded default has no file: its own text.
        let name = e.file.to_string_lossy();
        let text = crate::templating::default_text(name.trim_start_matches("(mẫu mặc định) "))?;
        text.lines().nth(e.line.checked_sub(1)?).map(str::to_string)
    });
    Problem {
        file: shown_path(&e.file).into_owned(),
        line: e.line,
        column: e.column,
        at: String::new(),
        code: e.code.id().into(),
        message: e.message.clone(),
        excerpt,
        unit: None,
    }
}

/// A file a problem names, read again as the checks read it: a regular
/// file within the size limit, its text as `load::text` makes it (so that
/// line numbers are the checks'). The file may be what the problem is
/// about: a FIFO would keep the preview waiting for ever, a link to a
/// device would be read without end.
fn text_of(path: &Path) -> Option<String> {
    let bytes = load::read_bytes(path, load::MAX_FILE_BYTES).ok()?;
    load::text(&bytes).ok()
}

/// Line `line` (from 1) of a text file, without its end.
fn line_of(path: &Path, line: usize) -> Option<String> {
    if line == 0 {
        return None;
    }
    text_of(path)?.lines().nth(line - 1).map(str::to_string)
}

/// The unit a submission file is for: its `ma_don_vi`, read leniently
/// from its `text` (the file may be broken), else the code its name starts
/// with.
fn unit_of(path: &Path, text: Option<&str>) -> Option<String> {
    let named = || {
        let name = path.file_stem()?.to_str()?;
        let code = name.split('-').next()?;
        (!code.is_empty()).then(|| code.to_string())
    };
    text.and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| v.get("ma_don_vi")?.as_str().map(str::to_string))
        .or_else(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_file_is_still_told_apart_by_its_name() {
        let dir = std::env::temp_dir().join(format!("kc-preview-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("x.json");
        std::fs::write(&good, "{\"ma_don_vi\": \"735\", \"nam\": 2023}").unwrap();
        let broken = dir.join("742-nhon-trach-lan-2.json");
        std::fs::write(&broken, "{\"ma_don_vi\": \"742\",,}\nthứ hai").unwrap();
        let unit = |path: &Path| unit_of(path, text_of(path).as_deref());
        assert_eq!(unit(&good).as_deref(), Some("735"));
        assert_eq!(unit(&broken).as_deref(), Some("742"));
        assert_eq!(line_of(&broken, 2).as_deref(), Some("thứ hai"));
        assert_eq!(line_of(&broken, 3), None);
        // Lines as the checks count them: a file saved with lone CRs.
        let old_mac = dir.join("ke-hoach.json");
        std::fs::write(&old_mac, "\u{feff}{\r  \"nam\": 20x3\r}").unwrap();
        assert_eq!(line_of(&old_mac, 2).as_deref(), Some("  \"nam\": 20x3"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A file with many problems is read once, not once per problem: a
    /// 1 MB file with 20.000 of them (each a line of it) kept the preview
    /// reading for minutes, and the desk's pages still.
    #[test]
    fn a_file_with_many_problems_is_read_once() {
        let dir = std::env::temp_dir().join(format!("kc-preview-many-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("735-vinh-cuu.json");
        let lines: Vec<String> = (0..20_000).map(|i| format!("{i:050}")).collect();
        std::fs::write(&file, lines.join("\n")).unwrap();
        let diags = (0..20_000)
            .map(|i| Diagnostic {
                file: file.clone(),
                line: i + 1,
                column: 1,
                path: "$".into(),
                code: crate::diagnostic::Code::WrongType,
                message: "sai".into(),
            })
            .collect();
        let started = std::time::Instant::now();
        let problems = problems(&BuildError::Data(crate::diagnostic::Diagnostics(diags)));
        let took = started.elapsed();
        assert_eq!(
            problems[19_999].excerpt.as_deref(),
            Some(lines[19_999].as_str())
        );
        assert_eq!(problems[7].unit.as_deref(), Some("735"));
        assert!(took < std::time::Duration::from_secs(5), "{took:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
