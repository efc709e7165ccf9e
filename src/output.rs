//! Writing the rendered files as one set: a failed or interrupted build never leaves a
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
use crate::render::{self, Format, RenderError, Renderer, Rendering};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(transparent)]
    Render(#[from] RenderError),
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
/// are dropped before rendering, which is where a large build peaks. Each
/// file is staged by the thread that rendered it, so the disk works while
/// the slower formats are still being made.
pub fn write(report: Report, dir: &Path) -> Result<Written, OutputError> {
    let year = report.summary.nam;
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
    let manifest_file = manifest_path(dir, year);
    let manifest_name = manifest_file
        .file_name()
        .expect("has a name")
        .to_string_lossy()
        .into_owned();
    let previous = read_manifest(&manifest_file);
    let (staging, files) = stage_formats(
        dir,
        &base_name(year),
        &doc,
        &Format::ALL,
        std::slice::from_ref(&manifest_name),
    )?;
    manifest.dau_ra = manifest::outputs(&files);
    drop(files);
    let mut json = serde_json::to_string_pretty(&manifest).expect("a manifest always serialises");
    json.push('\n');
    staging.stage(&manifest_name, json.as_bytes())?;
    let written = staging.commit()?;
    let changes = previous.map(|old| manifest::diff(&old, &manifest));
    Ok(Written {
        files: written,
        manifest,
        changes,
    })
}

/// Renders `formats` of a document as `<stem>.<extension>` into `dir`, as
/// one set (`khuyencong render`).
pub fn write_formats(
    dir: &Path,
    stem: &str,
    doc: &Rendering,
    formats: &[Format],
) -> Result<Vec<PathBuf>, OutputError> {
    let (staging, _) = stage_formats(dir, stem, doc, formats, &[])?;
    staging.commit()
}

/// A rendered file: its name and its bytes.
type Named = (String, Vec<u8>);

/// Readies `dir` for the files of `formats` (and `extra` names staged by the
/// caller), then renders every format, each on a thread of its own (the
/// last on this one), staging each file as soon as it is made: the disk
/// works while the slower formats are still being rendered. Returns the
/// staging and the (name, bytes) of every rendered file.
fn stage_formats<'a>(
    dir: &'a Path,
    stem: &str,
    doc: &Rendering,
    formats: &[Format],
    extra: &[String],
) -> Result<(Staging<'a>, Vec<Named>), OutputError> {
    let all = render::renderers(formats);
    let names: Vec<String> = all
        .iter()
        .map(|r| format!("{stem}.{}", r.format().extension()))
        .collect();
    let everything: Vec<String> = names.iter().chain(extra).cloned().collect();
    let staging = Staging::new(dir, &everything)?;
    let render = |(r, name): (&dyn Renderer, &String)| {
        let bytes = r.render(doc)?;
        staging.stage(name, &bytes)?;
        Ok((name.clone(), bytes))
    };
    let jobs: Vec<_> = all.iter().map(AsRef::as_ref).zip(&names).collect();
    let files = match jobs.split_last() {
        None => Vec::new(),
        Some((last, others)) => std::thread::scope(|scope| {
            let started: Vec<_> = others
                .iter()
                .map(|&job| scope.spawn(move || render(job)))
                .collect();
            let last = render(*last);
            let mut done: Vec<Result<Named, OutputError>> = started
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect();
            done.push(last);
            done.into_iter().collect::<Result<Vec<_>, OutputError>>()
        })?,
    };
    Ok((staging, files))
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

/// A set of files on its way into a folder: each is staged (written in full
/// and synced under a temporary name) as soon as it exists, from any
/// thread, and [`Staging::commit`] puts them all in place. Dropped without
/// a commit, it removes what it staged.
pub struct Staging<'a> {
    dir: &'a Path,
    /// (temporary, final) paths, in the order the set is listed.
    pairs: Vec<(PathBuf, PathBuf)>,
    staged: Vec<std::sync::atomic::AtomicBool>,
    committed: bool,
}

impl<'a> Staging<'a> {
    /// Readies `dir` for the files `names`: creates it, finishes or discards
    /// an interrupted build, and refuses early what a rename would refuse
    /// midway.
    pub fn new(dir: &'a Path, names: &[String]) -> Result<Staging<'a>, OutputError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        recover(dir)?;
        for name in names {
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
        Ok(Staging {
            dir,
            pairs: names
                .iter()
                .map(|name| (dir.join(format!(".{name}{TEMP_MARK}")), dir.join(name)))
                .collect(),
            staged: names.iter().map(|_| Default::default()).collect(),
            committed: false,
        })
    }

    /// Writes one file of the set under its temporary name.
    pub fn stage(&self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let i = self
            .pairs
            .iter()
            .position(|(_, target)| target.file_name() == Some(name.as_ref()))
            .expect("a file of the set");
        durable_write(&self.pairs[i].0, bytes)?;
        self.staged[i].store(true, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// Puts every staged file in place, all or nothing.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, OutputError> {
        assert!(
            self.staged
                .iter()
                .all(|s| s.load(std::sync::atomic::Ordering::Acquire)),
            "every file of the set is staged before the commit"
        );
        let journal: Vec<[String; 2]> = self
            .pairs
            .iter()
            .map(|(t, f)| {
                [t.file_name(), f.file_name()]
                    .map(|n| n.expect("named").to_string_lossy().into_owned())
            })
            .collect();
        durable_write(
            &self.dir.join(JOURNAL),
            serde_json::to_string(&journal).expect("strings").as_bytes(),
        )?;
        sync_dir(self.dir);
        // From here on the set is complete on disk: an error leaves the
        // journal, and the next run finishes the renames.
        self.committed = true;
        finish(self.dir, &self.pairs)?;
        Ok(std::mem::take(&mut self.pairs)
            .into_iter()
            .map(|(_, f)| f)
            .collect())
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if !self.committed {
            for (temp, _) in &self.pairs {
                let _ = std::fs::remove_file(temp); // may not exist
            }
        }
    }
}

/// Renames the staged files into place and drops the journal.
fn finish(dir: &Path, pairs: &[(PathBuf, PathBuf)]) -> Result<(), OutputError> {
    for (temp, target) in pairs {
        if temp.exists() {
            std::fs::rename(temp, target).map_err(io(target))?;
        }
    }
    sync_dir(dir);
    // The removal needs no sync of its own: a journal that comes back after
    // a crash names temporaries that no longer exist, and is then removed.
    let journal = dir.join(JOURNAL);
    std::fs::remove_file(&journal).map_err(io(&journal))?;
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
