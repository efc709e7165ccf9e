//! Writing the rendered files as one set: a failed or interrupted build never leaves a
//! partial file or a mixed set, and the previous good report stays until
//! the new one is complete.
//!
//! A write first takes the folder's lock (`.khuyencong-khoa`), so that two
//! builds into one folder run one after the other, and puts right what an
//! interrupted build left. Every file is then written in full to a
//! temporary name in the folder. A journal naming the set is made durable,
//! the previous files are moved to backup names, the new ones renamed into
//! place (the manifest last), and the backups and the journal removed. A
//! rename that fails puts the backups back. A build killed before the
//! journal exists leaves only temporaries, which the next run deletes;
//! killed after, the next run puts the previous set back, or only removes
//! the backups when every new file was already in place. Either way the
//! folder holds one complete set, and no file is ever half-written.

use std::path::{Path, PathBuf};
use std::time::Duration;

mod commit;
mod place;

pub use place::{place, Kept, Overwrite, Placed};

use crate::diagnostic::shown_path;
use crate::manifest::{self, Change, Manifest};
use crate::pipeline::Report;
use crate::render::{self, Format, RenderError, Renderer, Rendering};
use commit::{Folder, Staging};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("không ghi được tệp {}: {}; kiểm tra tệp có đang mở trong chương trình khác (Word, Excel, trình đọc PDF) hoặc thư mục có bị khóa quyền ghi không", shown_path(path), io_reason(*kind))]
    Write {
        path: PathBuf,
        kind: std::io::ErrorKind,
    },
    #[error("{} đã có nhưng không phải tệp thường (thư mục, ống dẫn hay thiết bị); đổi tên hoặc xóa nó", shown_path(.0))]
    NotAFile(PathBuf),
    #[error("{} là liên kết tượng trưng (symlink): chương trình không ghi qua liên kết, vì tệp thật có thể nằm ngoài thư mục; xóa liên kết hoặc chọn thư mục khác", shown_path(.0))]
    Link(PathBuf),
    #[error("một lần chạy khác vẫn đang ghi vào {} sau {} giây chờ (có thể là một `khuyencong build --watch` đang chạy); chạy lại khi lần đó xong", shown_path(dir), waited.as_secs())]
    Busy { dir: PathBuf, waited: Duration },
    #[error("không ghi được vào thư mục của tệp khóa {}: {}; kiểm tra thư mục có cho ghi không", shown_path(path), io_reason(source.kind()))]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} là thư mục kết quả của `khuyencong build` (bản kê {}): ghi {} vào đây sẽ thay các tệp của lần tạo báo cáo đó, và lần `build` sau lại ghi đè mọi chỗ sửa tay. Chép tệp Markdown ra một thư mục khác (ví dụ `ban-sua-tay/`) rồi dựng ở đó, hoặc chọn nơi ghi khác bằng `--output THƯ_MỤC`", shown_path(dir), shown_path(manifest), names.join(", "))]
    BuildsFolder {
        dir: PathBuf,
        manifest: PathBuf,
        names: Vec<String>,
    },
    #[error("nhật ký ghi dở {} không hợp lệ: {reason}. Chương trình không làm theo nhật ký này và không đụng tới tệp nào; xem lại các tệp trong thư mục rồi xóa tệp nhật ký để chạy lại", shown_path(path))]
    Journal {
        path: PathBuf,
        #[source]
        reason: JournalError,
    },
    #[error("không thay được {}: {}; các tệp đã thay được trả lại như cũ. Kiểm tra tệp có đang mở trong chương trình khác (Word, Excel, trình đọc PDF) hoặc bị khóa không", shown_path(path), io_reason(source.kind()))]
    RolledBack {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("không trả lại được {}: {}; nhật ký {} được giữ lại để lần chạy sau trả lại bộ tệp cũ", shown_path(path), io_reason(source.kind()), shown_path(journal))]
    Unfinished {
        path: PathBuf,
        journal: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Why a journal is not followed.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("không đọc được ({0})")]
    Read(#[source] crate::load::ReadError),
    #[error("không phải nhật ký của chương trình này (nội dung không đúng dạng nhật ký)")]
    Syntax(#[from] serde_json::Error),
    #[error("{0:?} không phải tên một tệp báo cáo nằm ngay trong thư mục")]
    Name(String),
}

/// What an output folder holds after a failed write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Left {
    /// The previous set, complete (or nothing, when there was none).
    Previous,
    /// Whatever it held: the write stopped before it could tell (another
    /// build holds the folder, or a journal that is not followed).
    Untouched,
    /// A set stopped half-way, with its journal: the next run puts the
    /// previous set back.
    Unfinished,
}

impl Left {
    /// What the folder `dir` holds now, said to the user.
    pub fn said(self, dir: &Path) -> String {
        match self {
            Left::Previous => format!("Các báo cáo cũ trong {} được giữ nguyên.", shown_path(dir)),
            Left::Untouched => format!("Chưa ghi gì vào {}.", shown_path(dir)),
            Left::Unfinished => format!(
                "{} đang có bộ báo cáo ghi dở: đừng dùng các tệp trong đó; lần chạy sau sẽ trả lại bộ cũ trước khi làm tiếp.",
                shown_path(dir)
            ),
        }
    }
}

impl OutputError {
    /// What the folder holds now.
    pub fn left(&self) -> Left {
        match self {
            OutputError::Busy { .. }
            | OutputError::Lock { .. }
            | OutputError::Journal { .. }
            | OutputError::BuildsFolder { .. } => Left::Untouched,
            OutputError::Unfinished { .. } => Left::Unfinished,
            OutputError::Render(_)
            | OutputError::Write { .. }
            | OutputError::NotAFile(_)
            | OutputError::Link(_)
            | OutputError::RolledBack { .. } => Left::Previous,
        }
    }
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
        K::AlreadyExists => "vừa có một tệp khác được ghi vào đúng tên đó",
        K::ResourceBusy => "tệp đang bị chương trình khác dùng",
        K::Unsupported => "ổ đĩa không hỗ trợ việc này",
        _ => "lỗi hệ thống khi ghi",
    }
}

/// How a write meets another build writing into the same folder.
#[derive(Clone, Copy)]
pub struct Wait<'a> {
    /// How long to wait for the other build before giving up.
    pub limit: Duration,
    /// Told once, when the wait begins, with the folder.
    pub notify: &'a dyn Fn(&Path),
}

impl Default for Wait<'_> {
    /// Ten minutes, a national build with room to spare, without a word.
    fn default() -> Self {
        Wait {
            limit: Duration::from_secs(600),
            notify: &|_| {},
        }
    }
}

/// The base name of the report files for a year.
pub fn base_name(year: i32) -> String {
    format!("bao-cao-khuyen-cong-{year}")
}

const MANIFEST: &str = ".manifest.json";

pub fn manifest_path(dir: &Path, year: i32) -> PathBuf {
    dir.join(format!("{}{MANIFEST}", base_name(year)))
}

/// What a build wrote, and what changed since the previous one (None when
/// there was no previous manifest).
pub struct Written {
    pub files: Vec<PathBuf>,
    pub manifest: Manifest,
    pub changes: Option<Vec<Change>>,
    /// Reports changed outside the program since the previous build (their
    /// SHA-256 is not the manifest's): each replaced, and where what it held
    /// was kept.
    pub replaced: Vec<(PathBuf, PathBuf)>,
}

/// Where a report changed by hand is kept when a build replaces it:
/// `bao-cao-khuyen-cong-2023.md` → `bao-cao-khuyen-cong-2023.sua-tay.md`.
pub fn kept_name(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, extension)) => format!("{stem}.sua-tay.{extension}"),
        None => format!("{name}.sua-tay"),
    }
}

/// The reports of `previous` whose bytes in `dir` are no longer what it
/// wrote (a hand edit, `render` into the folder): (name, bytes now).
fn changed_by_hand(dir: &Path, previous: Option<&Manifest>) -> Vec<(String, Vec<u8>)> {
    let Some(previous) = previous else {
        return Vec::new();
    };
    previous
        .dau_ra
        .iter()
        .filter_map(|entry| {
            let bytes = read_report(&dir.join(&entry.tep)).ok()?;
            (manifest::sha256(&bytes) != entry.sha256).then(|| (entry.tep.clone(), bytes))
        })
        .collect()
}

/// Renders every format and writes the set with its manifest. Takes the
/// report by value: the data go into the manifest first and are dropped
/// before rendering, which is where a large build peaks; the summary stays
/// for the workbook. Each
/// file is staged by the thread that rendered it, so the disk works while
/// the slower formats are still being made.
pub fn write(report: Report, dir: &Path, wait: &Wait) -> Result<Written, OutputError> {
    let year = report.summary.nam;
    let mut manifest = manifest::of(&report);
    let Report {
        inputs: _,
        data,
        summary,
        templates,
        markdown,
        document,
    } = report;
    drop((data, templates));
    let doc = Rendering {
        markdown,
        document,
        summary: Some(summary),
    };
    let folder = Folder::open(dir, wait)?;
    let manifest_file = manifest_path(dir, year);
    let manifest_name = manifest_file
        .file_name()
        .expect("has a name")
        .to_string_lossy()
        .into_owned();
    // Read under the lock, once an interrupted build was put right.
    let previous = read_manifest(&manifest_file);
    // A report changed since is never replaced without a trace: what it
    // holds is kept beside it, in the same set.
    let by_hand = changed_by_hand(dir, previous.as_ref());
    let mut extra = vec![manifest_name.clone()];
    extra.extend(by_hand.iter().map(|(name, _)| kept_name(name)));
    let formats: Vec<Format> = Format::ALL.into_iter().filter(|f| f.is_file()).collect();
    let (staging, files) = stage_formats(&folder, &base_name(year), &doc, &formats, &extra)?;
    manifest.dau_ra = manifest::outputs(&files);
    drop(files);
    for (name, bytes) in &by_hand {
        staging.stage(&kept_name(name), bytes)?;
    }
    let mut json = serde_json::to_string_pretty(&manifest).expect("a manifest always serialises");
    json.push('\n');
    staging.stage(&manifest_name, json.as_bytes())?;
    let written = staging.commit()?;
    let changes = previous.map(|old| manifest::diff(&old, &manifest));
    let replaced = by_hand
        .into_iter()
        .map(|(name, _)| (dir.join(&name), dir.join(kept_name(&name))))
        .collect();
    Ok(Written {
        files: written,
        manifest,
        changes,
        replaced,
    })
}

/// The build whose reports `names` (in `dir`) would replace, if any: the
/// manifest of `dir` that lists one of them.
fn build_of(dir: &Path, names: &[String]) -> Option<(PathBuf, Vec<String>)> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut manifests: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(MANIFEST))
        .collect();
    manifests.sort();
    manifests.into_iter().find_map(|path| {
        let m = read_manifest(&path)?;
        let taken: Vec<String> = names
            .iter()
            .filter(|n| m.dau_ra.iter().any(|e| &e.tep == *n))
            .cloned()
            .collect();
        (!taken.is_empty()).then_some((path, taken))
    })
}

/// Renders `formats` of a document as `<stem>.<extension>` into `dir`, as
/// one set (`khuyencong render`); refused when one of them is a report of a
/// build in `dir` (its manifest lists it): the next build would overwrite
/// the hand edits, and this one would leave the manifest untrue.
pub fn write_formats(
    dir: &Path,
    stem: &str,
    doc: &Rendering,
    formats: &[Format],
    wait: &Wait,
) -> Result<Vec<PathBuf>, OutputError> {
    let folder = Folder::open(dir, wait)?;
    // Under the lock: a build writing now is seen.
    let names: Vec<String> = render::renderers(formats)
        .iter()
        .map(|r| format!("{stem}.{}", r.format().extension()))
        .collect();
    if let Some((manifest, names)) = build_of(dir, &names) {
        return Err(OutputError::BuildsFolder {
            dir: dir.to_path_buf(),
            manifest,
            names,
        });
    }
    let (staging, _) = stage_formats(&folder, stem, doc, formats, &[])?;
    staging.commit()
}

/// Puts right what an interrupted build left in `dir`, taking the folder's
/// lock as a write does. A folder that does not exist holds nothing to put
/// right, and is not made.
pub fn recover(dir: &Path, wait: &Wait) -> Result<(), OutputError> {
    if !dir.is_dir() {
        return Ok(());
    }
    Folder::open(dir, wait).map(drop)
}

/// A rendered file: its name and its bytes.
type Named = (String, Vec<u8>);

/// Readies the folder for the files of `formats` (and `extra` names staged
/// by the caller), then renders every format, each on a thread of its own
/// (the last on this one), staging each file as soon as it is made: the
/// disk works while the slower formats are still being rendered. Returns
/// the staging and the (name, bytes) of every rendered file.
fn stage_formats<'a>(
    folder: &'a Folder,
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
    let staging = Staging::new(folder, &everything)?;
    // Decided once, transcribed by each writer.
    let prepared = doc.prepare()?;
    let prepared = &prepared;
    let render = |(r, name): (&dyn Renderer, &String)| {
        let bytes = r.render(doc, prepared)?;
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

/// Largest manifest read: one of 100.000 units is some tens of MB.
const MAX_MANIFEST_BYTES: u64 = 512 * 1024 * 1024;

/// A report file of a set as it lies now (a regular file, read once within
/// the manifest's limit): what a hand edit left, or what the desk hands out.
pub fn read_report(path: &Path) -> Result<Vec<u8>, crate::load::ReadError> {
    crate::load::read_bytes(path, MAX_MANIFEST_BYTES)
}

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error(transparent)]
    Read(#[from] crate::load::ReadError),
    #[error("tệp không phải bản kê do `khuyencong build` ghi (nội dung không đúng dạng bản kê)")]
    NotAManifest,
}

/// A manifest (a regular file, read once within a size limit).
pub fn load_manifest(path: &Path) -> Result<Manifest, ManifestError> {
    let bytes = crate::load::read_bytes(path, MAX_MANIFEST_BYTES)?;
    serde_json::from_slice(&bytes).map_err(|_| ManifestError::NotAManifest)
}

/// A previous manifest, if there is a readable one.
pub fn read_manifest(path: &Path) -> Option<Manifest> {
    load_manifest(path).ok()
}
