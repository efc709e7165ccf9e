//! One build, stage by stage: load and validate → aggregate → render the
//! templates to Markdown → the report check (`report_check`: every problem
//! at the template's line; headings and tables numbered; the document
//! model). The writers then turn the model into files (see `output`).

use std::path::{Component, Path, PathBuf};

use crate::aggregate::{self, SumMismatch, Summary};
use crate::contract::Unit;
use crate::diagnostic::Diagnostics;
use crate::document::Document;
use crate::report_check::{self, Checked};
use crate::templating::{TemplateError, Templates};
use crate::validate::{self, Dataset};

/// The templates folder of a build that names none. Unlike a folder named
/// with `--templates`, it may be absent: the embedded defaults are used.
pub const DEFAULT_TEMPLATES: &str = "templates";

/// Where a build reads from.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub input: PathBuf,
    pub templates: PathBuf,
    pub year: Option<i32>,
}

/// An output folder that is the data folder or lies inside it: the next
/// build would read the reports and their manifest back as data.
#[derive(Debug, thiserror::Error)]
#[error("thư mục kết quả {} nằm trong thư mục dữ liệu {}: lần tạo sau sẽ đọc chính các tệp kết quả (cả bản kê) như dữ liệu. Chọn thư mục kết quả ở ngoài thư mục dữ liệu, ví dụ --output output", output.display(), input.display())]
pub struct OutputInInput {
    pub output: PathBuf,
    pub input: PathBuf,
}

impl Inputs {
    /// The templates folder to read: None when it is the default one and
    /// absent (the embedded defaults are used; any other folder that does
    /// not exist is refused by [`Templates::load`]).
    pub fn templates_dir(&self) -> Option<&Path> {
        let default_absent =
            self.templates == Path::new(DEFAULT_TEMPLATES) && !self.templates.exists();
        (!default_absent).then_some(self.templates.as_path())
    }

    /// Refuses an output folder that is the data folder or inside it,
    /// compared on real paths (symlinks followed, `..` resolved) so that no
    /// spelling of it slips through. Writes nothing: run it first.
    pub fn check_output(&self, output: &Path) -> Result<(), OutputInInput> {
        if real(output).starts_with(real(&self.input)) {
            Err(OutputInInput {
                output: output.to_path_buf(),
                input: self.input.clone(),
            })
        } else {
            Ok(())
        }
    }
}

/// `path` made absolute, with every symlink in it followed as far as it
/// exists; the part that does not exist yet is taken as written, its `..`
/// undoing the name before (that folder will be a real one when made).
fn real(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut real = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::ParentDir => {
                real.pop();
            }
            Component::CurDir => {}
            Component::Normal(name) => {
                real.push(name);
                if let Ok(resolved) = real.canonicalize() {
                    real = resolved;
                }
            }
            Component::Prefix(_) | Component::RootDir => real.push(part),
        }
    }
    real
}

/// Everything one build produced in memory.
pub struct Report {
    /// What the build read (the manifest records paths relative to it).
    pub inputs: Inputs,
    pub data: Dataset,
    pub summary: Summary,
    pub templates: Templates,
    pub markdown: String,
    pub document: Document,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Data(Diagnostics),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Template(Vec<TemplateError>),
    #[error(transparent)]
    Sums(#[from] SumMismatch),
    #[error(transparent)]
    Incomplete(#[from] MissingUnits),
}

/// Units of the registry that sent nothing, refused when the report must be
/// complete (`build --du`, for the official report).
#[derive(Debug, thiserror::Error)]
#[error("chưa có báo cáo của {} đơn vị: {}; báo cáo chính thức (--du) cần báo cáo của mọi đơn vị trong danh mục. Chờ các đơn vị này gửi báo cáo, hoặc bỏ --du để tạo bản tạm.", .0.len(), self.named())]
pub struct MissingUnits(pub Vec<Unit>);

impl MissingUnits {
    /// "739 Huyện Cẩm Mỹ, 740 Huyện Long Thành": codes with names.
    pub fn named(&self) -> String {
        let named: Vec<String> = self
            .0
            .iter()
            .map(|u| format!("{} {}", u.ma, u.ten))
            .collect();
        named.join(", ")
    }
}

/// Refuses a dataset some unit of the registry has not reported in.
pub fn complete(data: &Dataset) -> Result<(), MissingUnits> {
    let missing = data.missing_units();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(MissingUnits(missing.into_iter().cloned().collect()))
    }
}

/// Runs every stage up to the document model.
pub fn run(inputs: &Inputs) -> Result<Report, BuildError> {
    let data = validate::load(std::slice::from_ref(&inputs.input), &[], inputs.year)
        .map_err(BuildError::Data)?;
    let summary = aggregate::summarise(&data)?;
    let templates = Templates::load(inputs.templates_dir()).map_err(BuildError::Template)?;
    let limits = crate::templating::bounds::Limits::for_units(summary.don_vi.len());
    let rendered = templates
        .render_within(&summary, limits)
        .map_err(BuildError::Template)?;
    let Checked {
        markdown,
        mut document,
    } = report_check::check(&templates, &rendered).map_err(BuildError::Template)?;
    // A report some unit is missing from is a draft (`--du` refuses it).
    document.draft = !data.missing_units().is_empty();
    Ok(Report {
        inputs: inputs.clone(),
        data,
        summary,
        templates,
        markdown,
        document,
    })
}
