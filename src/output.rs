//! The writers behind one interface (as mdBook's renderers), and writing
//! their files as one set: a failed or interrupted build never leaves a
//! partial file, and the previous good report stays until the new one is
//! complete.
//!
//! Every file is first written in full to a temporary name in the output
//! folder. A journal listing the renames is then made durable, the files are
//! renamed into place (the manifest last), and the journal is removed. A
//! build killed before the journal exists leaves only temporaries, which the
//! next run deletes (the old set is intact); killed after, the next run
//! finishes the renames (the new set is complete). Either way no file is
//! ever half-written.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::manifest::{self, Change, Manifest};
use crate::pipeline::Report;

/// What the writers render: the Markdown and its document model.
pub struct Rendering {
    pub markdown: String,
    pub document: crate::document::Document,
}

/// One output format, rendered from the same report.
pub trait Renderer: Sync {
    /// File extension, also the renderer's name ("md", "docx", "pdf").
    fn extension(&self) -> &'static str;
    fn render(&self, doc: &Rendering) -> Result<Vec<u8>, String>;
}

/// The Markdown as the templates produced it.
pub struct MarkdownRenderer;

impl Renderer for MarkdownRenderer {
    fn extension(&self) -> &'static str {
        "md"
    }
    fn render(&self, doc: &Rendering) -> Result<Vec<u8>, String> {
        Ok(doc.markdown.clone().into_bytes())
    }
}

/// The Word document (docx-rs), from the document model.
pub struct DocxRenderer;

impl Renderer for DocxRenderer {
    fn extension(&self) -> &'static str {
        "docx"
    }
    fn render(&self, doc: &Rendering) -> Result<Vec<u8>, String> {
        crate::docx::write(&doc.document).map_err(|e| e.to_string())
    }
}

/// The PDF, typeset by our own layout engine (printpdf), from the same model.
pub struct PdfRenderer;

impl Renderer for PdfRenderer {
    fn extension(&self) -> &'static str {
        "pdf"
    }
    fn render(&self, doc: &Rendering) -> Result<Vec<u8>, String> {
        crate::pdf::write(&doc.document).map_err(|e| e.to_string())
    }
}

/// Every renderer, in the order files are listed.
pub fn renderers() -> Vec<Box<dyn Renderer>> {
    vec![
        Box::new(MarkdownRenderer),
        Box::new(DocxRenderer),
        Box::new(PdfRenderer),
    ]
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("không tạo được định dạng {format}: {message}")]
    Render {
        format: &'static str,
        message: String,
    },
    #[error("không ghi được tệp {}: {}; kiểm tra tệp có đang mở trong chương trình khác (Word, trình đọc PDF) hoặc thư mục có bị khóa quyền ghi không", path.display(), io_reason(*kind))]
    Write {
        path: PathBuf,
        kind: std::io::ErrorKind,
    },
    #[error("{} đã có nhưng là thư mục chứ không phải tệp; đổi tên hoặc xóa thư mục đó", .0.display())]
    NotAFile(PathBuf),
}

/// Why a write failed, in Vietnamese.
fn io_reason(kind: std::io::ErrorKind) -> &'static str {
    use std::io::ErrorKind as K;
    match kind {
        K::PermissionDenied => "không có quyền ghi",
        K::NotFound => "không tìm thấy thư mục",
        K::StorageFull => "ổ đĩa đã đầy",
        K::ReadOnlyFilesystem => "ổ đĩa chỉ cho đọc",
        K::IsADirectory => "đã có một thư mục trùng tên",
        K::ResourceBusy => "tệp đang bị chương trình khác dùng",
        _ => "lỗi hệ thống khi ghi",
    }
}

/// The base name of the report files for a year.
pub fn base_name(year: i32) -> String {
    format!("bao-cao-khuyen-cong-{year}")
}

pub fn manifest_path(dir: &Path, year: i32) -> PathBuf {
    dir.join(format!("{}.manifest.json", base_name(year)))
}

/// What a build wrote, and what changed since the previous one (None when
/// there was no previous manifest).
pub struct Written {
    pub files: Vec<PathBuf>,
    pub manifest: Manifest,
    pub changes: Option<Vec<Change>>,
}

/// Renders every format and writes the set with its manifest. Takes the
/// report by value: the data and the summary go into the manifest first and
/// are dropped before rendering, which is where a large build peaks.
pub fn write(report: Report, dir: &Path) -> Result<Written, OutputError> {
    let year = report.summary.nam;
    let base = base_name(year);
    let mut manifest = manifest::of(&report);
    let Report {
        data,
        summary,
        templates,
        markdown,
        document,
    } = report;
    drop((data, summary, templates));
    let doc = Rendering { markdown, document };
    // The formats are independent: render them side by side, each on a
    // thread of its own (the last on this one).
    let render = |r: &dyn Renderer| {
        let bytes = r.render(&doc).map_err(|message| OutputError::Render {
            format: r.extension(),
            message,
        })?;
        Ok((format!("{base}.{}", r.extension()), bytes))
    };
    let all = renderers();
    let (last, others) = all.split_last().expect("there is a renderer");
    let mut files = std::thread::scope(|scope| {
        let started: Vec<_> = others
            .iter()
            .map(|r| scope.spawn(move || render(r.as_ref())))
            .collect();
        let last = render(last.as_ref());
        let mut done: Vec<Result<(String, Vec<u8>), OutputError>> = started
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        done.push(last);
        done.into_iter().collect::<Result<Vec<_>, OutputError>>()
    })?;
    manifest.dau_ra = manifest::outputs(&files);
    let mut json = serde_json::to_string_pretty(&manifest).expect("a manifest always serialises");
    json.push('\n');
    let manifest_file = manifest_path(dir, year);
    files.push((
        manifest_file
            .file_name()
            .expect("has a name")
            .to_string_lossy()
            .into_owned(),
        json.into_bytes(),
    ));

    recover(dir)?;
    let previous = read_manifest(&manifest_file);
    let written = commit(dir, &files)?;
    let changes = previous.map(|old| manifest::diff(&old, &manifest));
    Ok(Written {
        files: written,
        manifest,
        changes,
    })
}

/// A previous manifest, if there is a readable one.
pub fn read_manifest(path: &Path) -> Option<Manifest> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

const JOURNAL: &str = ".khuyencong-dang-ghi";
const TEMP_MARK: &str = ".tmp-khuyencong";

fn io(path: &Path) -> impl Fn(std::io::Error) -> OutputError + '_ {
    move |e| OutputError::Write {
        path: path.to_path_buf(),
        kind: e.kind(),
    }
}

fn durable_write(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let mut f = std::fs::File::create(path).map_err(io(path))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(io(path))
}

fn sync_dir(dir: &Path) {
    // Makes the renames durable; not every platform can open a directory.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `files` (name, bytes) into `dir` as one set, all or nothing.
pub fn commit(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>, OutputError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    // Refuse early what a rename would refuse midway.
    for (name, _) in files {
        let target = dir.join(name);
        match std::fs::metadata(&target) {
            Ok(m) if m.is_dir() => return Err(OutputError::NotAFile(target)),
            Ok(m) if m.permissions().readonly() => {
                return Err(OutputError::Write {
                    path: target,
                    kind: std::io::ErrorKind::PermissionDenied,
                })
            }
            _ => {}
        }
    }
    let pairs: Vec<(PathBuf, PathBuf)> = files
        .iter()
        .map(|(name, _)| (dir.join(format!(".{name}{TEMP_MARK}")), dir.join(name)))
        .collect();
    let staged = (|| {
        for ((_, bytes), (temp, _)) in files.iter().zip(&pairs) {
            durable_write(temp, bytes)?;
        }
        let journal: Vec<[String; 2]> = pairs
            .iter()
            .map(|(t, f)| {
                [t.file_name(), f.file_name()]
                    .map(|n| n.expect("named").to_string_lossy().into_owned())
            })
            .collect();
        durable_write(
            &dir.join(JOURNAL),
            serde_json::to_string(&journal).expect("strings").as_bytes(),
        )?;
        sync_dir(dir);
        Ok(())
    })();
    if let Err(e) = staged {
        for (temp, _) in &pairs {
            let _ = std::fs::remove_file(temp); // may not exist yet
        }
        return Err(e);
    }
    finish(dir, &pairs)?;
    Ok(pairs.into_iter().map(|(_, f)| f).collect())
}

/// Renames the staged files into place and drops the journal.
fn finish(dir: &Path, pairs: &[(PathBuf, PathBuf)]) -> Result<(), OutputError> {
    for (temp, target) in pairs {
        if temp.exists() {
            std::fs::rename(temp, target).map_err(io(target))?;
        }
    }
    sync_dir(dir);
    let journal = dir.join(JOURNAL);
    std::fs::remove_file(&journal).map_err(io(&journal))?;
    sync_dir(dir);
    Ok(())
}

/// Completes or discards the work of a build that was interrupted.
pub fn recover(dir: &Path) -> Result<(), OutputError> {
    let journal = dir.join(JOURNAL);
    if let Ok(text) = std::fs::read_to_string(&journal) {
        match serde_json::from_str::<Vec<[String; 2]>>(&text) {
            Ok(list) => {
                let pairs: Vec<(PathBuf, PathBuf)> = list
                    .iter()
                    .map(|[t, f]| (dir.join(t), dir.join(f)))
                    .collect();
                finish(dir, &pairs)?;
            }
            // A journal cut short was never complete: nothing was renamed.
            Err(_) => std::fs::remove_file(&journal).map_err(io(&journal))?,
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().ends_with(TEMP_MARK) {
                let _ = std::fs::remove_file(entry.path()); // leftovers of a build killed while staging
            }
        }
    }
    Ok(())
}
