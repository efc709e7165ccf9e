//! `khuyencong render`: the DOCX and PDF of a Markdown file, such as a
//! report edited by hand.

use std::path::PathBuf;
use std::process::ExitCode;

use khuyencong::diagnostic::shown_path;
use khuyencong::render::{Format, Rendering};
use khuyencong::{markdown, output};

use super::args::RenderArgs;
use super::messages;

/// Whether `render` makes `format`: every file format but its own source
/// and those made from the summary, which a Markdown file does not have.
pub fn makes(format: Format) -> bool {
    format.is_file() && format != Format::Markdown && !format.needs_summary()
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
                out!("Đã ghi: {}", shown_path(&p));
            }
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// Renders the file, or says why not.
fn render(args: RenderArgs) -> Result<Vec<PathBuf>, ExitCode> {
    let file = &args.file;
    let failed = |message: String| {
        err!("{message}");
        ExitCode::from(1)
    };
    // A regular file, read once; a FIFO or a device is refused at once. As
    // large as the templates may write (a national report is a few MB).
    let limit = khuyencong::templating::bounds::MAX_MARKDOWN_BYTES as u64;
    let bytes = khuyencong::load::read_bytes(file, limit)
        .map_err(|e| failed(format!("không đọc được {}: {e}", shown_path(file))))?;
    let markdown = khuyencong::load::text(&bytes)
        .map_err(|reason| failed(format!("không đọc được {}: {reason}", shown_path(file))))?;
    let document =
        markdown::parse(&markdown).map_err(|e| failed(format!("{}: {e}", shown_path(file))))?;
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
    let doc = Rendering {
        markdown,
        document,
        summary: None,
    };
    output::write_formats(&dir, &stem, &doc, &formats, &messages::wait()).map_err(|e| {
        messages::not_written(&e, &dir);
        ExitCode::from(1)
    })
}
