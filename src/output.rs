//! The writers behind one interface (as mdBook's renderers), and writing
//! their files so that a failed build never leaves a partial or mixed set.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::pipeline::Report;

/// One output format, rendered from the same report.
pub trait Renderer {
    /// File extension, also the renderer's name ("md", "docx", "pdf").
    fn extension(&self) -> &'static str;
    fn render(&self, report: &Report) -> Result<Vec<u8>, String>;
}

/// The Markdown as the templates produced it.
pub struct MarkdownRenderer;

impl Renderer for MarkdownRenderer {
    fn extension(&self) -> &'static str {
        "md"
    }
    fn render(&self, report: &Report) -> Result<Vec<u8>, String> {
        Ok(report.markdown.clone().into_bytes())
    }
}

/// Every renderer this build knows, in the order files are listed.
pub fn renderers() -> Vec<Box<dyn Renderer>> {
    vec![Box::new(MarkdownRenderer)]
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("không tạo được định dạng {format}: {message}")]
    Render {
        format: &'static str,
        message: String,
    },
    #[error("không ghi được tệp {}: {}; kiểm tra tệp có đang mở trong chương trình khác (Word, trình đọc PDF) hoặc thư mục có bị khóa quyền ghi không", path.display(), kind)]
    Write {
        path: PathBuf,
        kind: std::io::ErrorKind,
    },
}

/// The base name of the report files for a year.
pub fn base_name(year: i32) -> String {
    format!("bao-cao-khuyen-cong-{year}")
}

/// Renders every format, then writes them: each to a temporary file in the
/// output folder first, renamed into place only when all are written.
pub fn write(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let mut rendered = Vec::new();
    for r in renderers() {
        let bytes = r.render(report).map_err(|message| OutputError::Render {
            format: r.extension(),
            message,
        })?;
        rendered.push((r.extension(), bytes));
    }
    let base = base_name(report.summary.nam);
    write_files(dir, &base, &rendered)
}

/// Writes `base.ext` for each (ext, bytes), all or nothing.
pub fn write_files(
    dir: &Path,
    base: &str,
    files: &[(&str, Vec<u8>)],
) -> Result<Vec<PathBuf>, OutputError> {
    std::fs::create_dir_all(dir).map_err(|e| OutputError::Write {
        path: dir.to_path_buf(),
        kind: e.kind(),
    })?;
    let mut temps = Vec::new();
    let result = (|| {
        for (ext, bytes) in files {
            let temp = dir.join(format!(".{base}.{ext}.tmp-{}", std::process::id()));
            temps.push(temp.clone());
            let mut f = std::fs::File::create(&temp).map_err(|e| OutputError::Write {
                path: temp.clone(),
                kind: e.kind(),
            })?;
            f.write_all(bytes)
                .and_then(|()| f.sync_all())
                .map_err(|e| OutputError::Write {
                    path: temp.clone(),
                    kind: e.kind(),
                })?;
        }
        let mut written = Vec::new();
        for ((ext, _), temp) in files.iter().zip(&temps) {
            let path = dir.join(format!("{base}.{ext}"));
            std::fs::rename(temp, &path).map_err(|e| OutputError::Write {
                path: path.clone(),
                kind: e.kind(),
            })?;
            written.push(path);
        }
        Ok(written)
    })();
    if result.is_err() {
        for t in &temps {
            let _ = std::fs::remove_file(t); // best effort: the temp may not exist
        }
    }
    result
}
