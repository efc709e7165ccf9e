//! One build, stage by stage: load and validate → aggregate → render the
//! templates to Markdown → parse into the document model. The writers then
//! turn the model into files (see `output`).

use std::path::PathBuf;

use crate::aggregate::{self, SumMismatch, Summary};
use crate::diagnostic::Diagnostics;
use crate::document::Document;
use crate::markdown::{self, MarkdownError};
use crate::templating::{TemplateError, Templates};
use crate::validate::{self, Dataset};

/// Where a build reads from.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub input: PathBuf,
    pub templates: PathBuf,
    pub year: Option<i32>,
}

/// Everything one build produced in memory.
pub struct Report {
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
    #[error("Markdown do mẫu tạo ra không dùng được: {0}")]
    Markdown(#[from] MarkdownError),
    #[error(transparent)]
    Sums(#[from] SumMismatch),
}

/// Runs every stage up to the document model.
pub fn run(inputs: &Inputs) -> Result<Report, BuildError> {
    let data = validate::load(std::slice::from_ref(&inputs.input), &[], inputs.year)
        .map_err(BuildError::Data)?;
    let summary = aggregate::summarise(&data)?;
    let templates = Templates::load(Some(&inputs.templates)).map_err(BuildError::Template)?;
    let markdown = templates.render(&summary).map_err(BuildError::Template)?;
    let document = markdown::parse(&markdown)?;
    Ok(Report {
        data,
        summary,
        templates,
        markdown,
        document,
    })
}
