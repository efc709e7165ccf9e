//! `khuyencong render`: the DOCX and PDF of a Markdown file, such as a
//! report edited by hand.

use std::path::PathBuf;
use std::process::ExitCode;

use khuyencong::render::{Format, Rendering};
use khuyencong::{markdown, output};

use super::args::RenderArgs;

/// Whether `render` makes `format`: every format but its own source.
pub fn makes(format: Format) -> bool {
    format != Format::Markdown
}

/// The formats `render` makes, in the library's order; all of them unless
/// `--format` names one.
pub fn formats() -> impl Iterator<Item = Format> {
    Format::ALL.into_iter().filter(|&f| makes(f))
}

pub fn run(args: RenderArgs) -> ExitCode {
    match render(args) {
        Ok(paths) => {
            for p in paths {
                out!("Đã ghi: {}", p.display());
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            err!("{message}");
            ExitCode::from(1)
        }
    }
}

fn render(args: RenderArgs) -> Result<Vec<PathBuf>, String> {
    let file = &args.file;
    let markdown = std::fs::read_to_string(file).map_err(|e| {
        format!(
            "không đọc được {} ({}); tệp phải là văn bản UTF-8",
            file.display(),
            e.kind()
        )
    })?;
    let document = markdown::parse(&markdown).map_err(|e| format!("{}: {e}", file.display()))?;
    let formats: Vec<Format> = match args.format {
        Some(only) => vec![only],
        None => formats().collect(),
    };
    let dir = args
        .output
        .unwrap_or_else(|| file.parent().map(PathBuf::from).unwrap_or_default());
    let stem = file
        .file_stem()
        .map_or_else(|| "bao-cao".into(), |s| s.to_string_lossy().into_owned());
    let doc = Rendering { markdown, document };
    output::write_formats(&dir, &stem, &doc, &formats).map_err(|e| e.to_string())
}
