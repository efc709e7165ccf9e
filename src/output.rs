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

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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
    #[error("một lần tạo báo cáo khác vẫn đang ghi vào {} sau {} giây chờ (có thể là một `khuyencong build --watch` đang chạy); chạy lại khi lần đó xong", dir.display(), waited.as_secs())]
    Busy { dir: PathBuf, waited: Duration },
    #[error("không khóa được thư mục kết quả bằng tệp {}: {}; kiểm tra thư mục có cho ghi không", path.display(), io_reason(source.kind()))]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("nhật ký ghi dở {} không hợp lệ: {reason}. Chương trình không làm theo nhật ký này và không đụng tới tệp nào; xem lại các tệp trong thư mục rồi xóa tệp nhật ký để chạy lại", path.display())]
    Journal {
        path: PathBuf,
        #[source]
        reason: JournalError,
    },
    #[error("không thay được {}: {}; các tệp đã thay được trả lại như cũ. Kiểm tra tệp có đang mở trong chương trình khác (Word, trình đọc PDF) hoặc bị khóa không", path.display(), io_reason(source.kind()))]
    RolledBack {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("không trả lại được {}: {}; nhật ký {} được giữ lại để lần chạy sau trả lại bộ báo cáo cũ", path.display(), io_reason(source.kind()), journal.display())]
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
    #[error("không đọc được ({})", io_reason(.0.kind()))]
    Read(#[source] std::io::Error),
    #[error("không phải nhật ký của chương trình này ({0})")]
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

impl OutputError {
    /// What the folder holds now.
    pub fn left(&self) -> Left {
        match self {
            OutputError::Busy { .. } | OutputError::Lock { .. } | OutputError::Journal { .. } => {
                Left::Untouched
            }
            OutputError::Unfinished { .. } => Left::Unfinished,
            OutputError::Render(_)
            | OutputError::Write { .. }
            | OutputError::NotAFile(_)
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
}

/// Renders every format and writes the set with its manifest. Takes the
/// report by value: the data and the summary go into the manifest first and
/// are dropped before rendering, which is where a large build peaks. Each
/// file is staged by the thread that rendered it, so the disk works while
/// the slower formats are still being made.
pub fn write(report: Report, dir: &Path, wait: &Wait) -> Result<Written, OutputError> {
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
    let folder = Folder::open(dir, wait)?;
    let manifest_file = manifest_path(dir, year);
    let manifest_name = manifest_file
        .file_name()
        .expect("has a name")
        .to_string_lossy()
        .into_owned();
    // Read under the lock, once an interrupted build was put right.
    let previous = read_manifest(&manifest_file);
    let (staging, files) = stage_formats(
        &folder,
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
    wait: &Wait,
) -> Result<Vec<PathBuf>, OutputError> {
    let folder = Folder::open(dir, wait)?;
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

const LOCK: &str = ".khuyencong-khoa";
const JOURNAL: &str = ".khuyencong-dang-ghi";
const TEMP_MARK: &str = ".tmp-khuyencong";
const BACKUP_MARK: &str = ".cu-khuyencong";

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

fn exists(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

/// An output folder this process holds: locked against other builds, and
/// put right after an interrupted one. The lock is the operating system's,
/// so a killed build releases it; the lock file is removed (still locked)
/// when the folder is let go, so that the folder holds only the set.
struct Folder<'a> {
    dir: &'a Path,
    lock: PathBuf,
    /// The locked lock file, compared by identity with what `lock` names.
    _held: same_file::Handle,
}

impl<'a> Folder<'a> {
    /// Makes `dir`, takes its lock, waiting for another build as `wait`
    /// says, and puts right what an interrupted build left.
    fn open(dir: &'a Path, wait: &Wait) -> Result<Folder<'a>, OutputError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let lock = dir.join(LOCK);
        let failed = |source| OutputError::Lock {
            path: lock.clone(),
            source,
        };
        let started = Instant::now();
        let mut told = false;
        loop {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&lock)
                .map_err(failed)?;
            match file.try_lock() {
                Ok(()) => {
                    let held = same_file::Handle::from_file(file).map_err(failed)?;
                    // The build before removes the lock file as it leaves: a
                    // lock on a file no longer under that name guards
                    // nothing, and the next turn opens the new one.
                    if same_file::Handle::from_path(&lock).is_ok_and(|now| now == held) {
                        let folder = Folder {
                            dir,
                            lock,
                            _held: held,
                        };
                        repair(dir)?;
                        return Ok(folder);
                    }
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    if started.elapsed() >= wait.limit {
                        return Err(OutputError::Busy {
                            dir: dir.to_path_buf(),
                            waited: started.elapsed(),
                        });
                    }
                    if !told {
                        (wait.notify)(dir);
                        told = true;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(failed(e)),
            }
        }
    }
}

impl Drop for Folder<'_> {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.lock);
    }
}

/// The names one file of a set goes by in the folder.
struct Slot {
    /// Where it is staged.
    temp: PathBuf,
    /// Where it ends.
    target: PathBuf,
    /// Where the previous file waits while the set is replaced.
    backup: PathBuf,
}

impl Slot {
    fn new(dir: &Path, name: &str) -> Slot {
        Slot {
            temp: dir.join(format!(".{name}{TEMP_MARK}")),
            target: dir.join(name),
            backup: dir.join(format!(".{name}{BACKUP_MARK}")),
        }
    }
}

/// One file of a set being committed, as the journal records it.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// Its name in the folder.
    tep: String,
    /// Whether a previous file of that name is moved to its backup name.
    co_ban_cu: bool,
}

/// Renames, through which a commit moves every file: a test fails one.
type Rename<'r> = &'r mut dyn FnMut(&Path, &Path) -> std::io::Result<()>;

/// A set of files on its way into a folder: each is staged (written in full
/// and synced under a temporary name) as soon as it exists, from any
/// thread, and [`Staging::commit`] puts them all in place. Dropped without
/// a commit, it removes what it staged.
struct Staging<'a> {
    dir: &'a Path,
    /// The names of the set, in the order it is listed (the manifest last).
    names: Vec<String>,
    slots: Vec<Slot>,
    staged: Vec<AtomicBool>,
    committed: bool,
}

impl<'a> Staging<'a> {
    /// Readies the folder for the files `names`, refusing early what a
    /// rename would refuse midway.
    fn new(folder: &'a Folder, names: &[String]) -> Result<Staging<'a>, OutputError> {
        let dir = folder.dir;
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
            names: names.to_vec(),
            slots: names.iter().map(|name| Slot::new(dir, name)).collect(),
            staged: names.iter().map(|_| Default::default()).collect(),
            committed: false,
        })
    }

    /// Writes one file of the set under its temporary name.
    fn stage(&self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let i = self
            .names
            .iter()
            .position(|n| n == name)
            .expect("a file of the set");
        durable_write(&self.slots[i].temp, bytes)?;
        self.staged[i].store(true, Ordering::Release);
        Ok(())
    }

    /// Puts every staged file in place, all or nothing.
    fn commit(self) -> Result<Vec<PathBuf>, OutputError> {
        self.commit_with(&mut |from, to| std::fs::rename(from, to))
    }

    fn commit_with(mut self, rename: Rename) -> Result<Vec<PathBuf>, OutputError> {
        assert!(
            self.staged.iter().all(|s| s.load(Ordering::Acquire)),
            "every file of the set is staged before the commit"
        );
        let entries: Vec<Entry> = self
            .names
            .iter()
            .zip(&self.slots)
            .map(|(name, slot)| Entry {
                tep: name.clone(),
                co_ban_cu: exists(&slot.target),
            })
            .collect();
        write_journal(self.dir, &entries)?;
        // From here on the journal speaks for the set: a failure puts the
        // previous set back, or leaves the journal for the next run.
        self.committed = true;
        install(self.dir, &entries, rename)?;
        Ok(std::mem::take(&mut self.slots)
            .into_iter()
            .map(|s| s.target)
            .collect())
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if !self.committed {
            for slot in &self.slots {
                let _ = std::fs::remove_file(&slot.temp); // may not exist
            }
        }
    }
}

/// Makes the journal durable. Written aside and renamed, it is whole or
/// absent: one that does not parse was not written by a build.
fn write_journal(dir: &Path, entries: &[Entry]) -> Result<(), OutputError> {
    let journal = dir.join(JOURNAL);
    let aside = dir.join(format!("{JOURNAL}{TEMP_MARK}"));
    durable_write(
        &aside,
        serde_json::to_string(entries).expect("strings").as_bytes(),
    )?;
    std::fs::rename(&aside, &journal).map_err(io(&journal))?;
    sync_dir(dir);
    Ok(())
}

/// Moves the previous files to their backup names, then the new ones into
/// place, then drops the backups and the journal. A rename that fails puts
/// the previous set back.
fn install(dir: &Path, entries: &[Entry], rename: Rename) -> Result<(), OutputError> {
    let slots: Vec<Slot> = entries.iter().map(|e| Slot::new(dir, &e.tep)).collect();
    let aside = entries
        .iter()
        .zip(&slots)
        .filter(|(e, _)| e.co_ban_cu)
        .map(|(_, s)| (&s.target, &s.backup, &s.target));
    let in_place = slots.iter().map(|s| (&s.temp, &s.target, &s.target));
    for (from, to, file) in aside.chain(in_place) {
        if let Err(source) = rename(from, to) {
            roll_back(dir, entries, rename)?;
            return Err(OutputError::RolledBack {
                path: file.clone(),
                source,
            });
        }
    }
    sync_dir(dir);
    finish(dir, &slots);
    Ok(())
}

/// The new set is in place: the backups go, then the journal. What cannot
/// be removed is harmless: a journal without temporaries only makes the
/// next run do this again.
fn finish(dir: &Path, slots: &[Slot]) {
    for slot in slots {
        let _ = std::fs::remove_file(&slot.backup); // none without a previous file
    }
    sync_dir(dir);
    let _ = std::fs::remove_file(dir.join(JOURNAL));
}

/// Puts the previous set back: every backup to its name, every new file
/// that had no previous one removed; then the temporaries go, and the
/// journal last. Stops at the first failure, keeping the journal, so the
/// next run takes it up again. Doing it twice does no harm: a backup
/// already back is gone, and a new file is recognised by its temporary
/// being gone, which the first pass removes only once all is back.
fn roll_back(dir: &Path, entries: &[Entry], rename: Rename) -> Result<(), OutputError> {
    let slots: Vec<Slot> = entries.iter().map(|e| Slot::new(dir, &e.tep)).collect();
    for (entry, slot) in entries.iter().zip(&slots) {
        let undone = if entry.co_ban_cu {
            if !exists(&slot.backup) {
                continue; // not moved yet, or already back
            }
            rename(&slot.backup, &slot.target)
        } else if !exists(&slot.temp) && exists(&slot.target) {
            std::fs::remove_file(&slot.target)
        } else {
            continue;
        };
        undone.map_err(|source| OutputError::Unfinished {
            path: slot.target.clone(),
            journal: dir.join(JOURNAL),
            source,
        })?;
    }
    sync_dir(dir);
    for slot in &slots {
        let _ = std::fs::remove_file(&slot.temp);
    }
    sync_dir(dir);
    let _ = std::fs::remove_file(dir.join(JOURNAL));
    Ok(())
}

/// Puts right what an interrupted build left: the commit its journal
/// describes is finished when every new file is already in place, rolled
/// back otherwise; then any temporary of a build killed while staging goes.
fn repair(dir: &Path) -> Result<(), OutputError> {
    let journal = dir.join(JOURNAL);
    // A journal that is not followed is left where it is: removing it would
    // hide that the folder may hold a mixed set, and following it could
    // touch files it has no business with. A person looks, then removes it.
    let entries = read_journal(&journal).map_err(|reason| OutputError::Journal {
        path: journal.clone(),
        reason,
    })?;
    if let Some(entries) = entries {
        let slots: Vec<Slot> = entries.iter().map(|e| Slot::new(dir, &e.tep)).collect();
        if slots.iter().any(|s| exists(&s.temp)) {
            roll_back(dir, &entries, &mut |from, to| std::fs::rename(from, to))?;
        } else {
            finish(dir, &slots);
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

/// The journal at `path`, if there is one, once every name in it is one a
/// build writes.
fn read_journal(path: &Path) -> Result<Option<Vec<Entry>>, JournalError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(JournalError::Read(e)),
    };
    let entries: Vec<Entry> = serde_json::from_str(&text)?;
    match entries.iter().find(|e| !report_name(&e.tep)) {
        Some(bad) => Err(JournalError::Name(bad.tep.clone())),
        None => Ok(Some(entries)),
    }
}

/// Whether `name` is one a build writes into its folder: a plain file name
/// (no separator, no `..`, not absolute) ending as a report or a manifest.
fn report_name(name: &str) -> bool {
    let mut parts = Path::new(name).components();
    let plain = matches!(
        (parts.next(), parts.next()),
        (Some(Component::Normal(part)), None) if part == name
    ) && !name.contains(['/', '\\']);
    let extension = Path::new(name).extension().and_then(|e| e.to_str());
    plain && (name.ends_with(MANIFEST) || extension.and_then(Format::from_extension).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 4] = ["r.md", "r.docx", "r.pdf", "r.manifest.json"];

    /// With a previous set of every file, and of two only (the others new).
    const OLD: [usize; 2] = [4, 2];

    /// A set of the first `count` names, every file saying `which` it is.
    fn set(count: usize, which: &str) -> Vec<(String, String)> {
        let mut all: Vec<_> = NAMES[..count]
            .iter()
            .map(|n| (n.to_string(), format!("{which} {n}")))
            .collect();
        all.sort();
        all
    }

    /// A fresh private folder holding the previous set of `old` files.
    fn folder_with(name: &str, old: usize) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kc-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (n, text) in set(old, "cũ") {
            std::fs::write(dir.join(n), text).unwrap();
        }
        dir
    }

    /// Every file in `dir` with its text, by name.
    fn contents(dir: &Path) -> Vec<(String, String)> {
        let mut all: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                let text = std::fs::read_to_string(e.path()).unwrap();
                (e.file_name().into_string().unwrap(), text)
            })
            .collect();
        all.sort();
        all
    }

    /// Stages the new set in `dir` and commits it through `rename`.
    fn commit(dir: &Path, rename: Rename) -> Result<Vec<PathBuf>, OutputError> {
        let folder = Folder::open(dir, &Wait::default())?;
        let names: Vec<String> = NAMES.iter().map(ToString::to_string).collect();
        let staging = Staging::new(&folder, &names)?;
        for n in NAMES {
            staging.stage(n, format!("mới {n}").as_bytes())?;
        }
        staging.commit_with(rename)
    }

    /// Renames that do `stop` instead at the positions (from 0) `at` names.
    fn stopping(
        at: impl Fn(usize) -> bool,
        stop: impl Fn() -> std::io::Error,
    ) -> impl FnMut(&Path, &Path) -> std::io::Result<()> {
        let mut count = 0;
        move |from, to| {
            count += 1;
            if at(count - 1) {
                Err(stop())
            } else {
                std::fs::rename(from, to)
            }
        }
    }

    /// Renames that fail at the positions (from 0) `at` names.
    fn failing(at: impl Fn(usize) -> bool) -> impl FnMut(&Path, &Path) -> std::io::Result<()> {
        stopping(at, || std::io::Error::other("hỏng khi thử"))
    }

    /// A commit of `dir` over `old` files stopped at rename `k` left its
    /// journal, and the next run puts the old set back (then `dir` goes).
    fn assert_next_run_restores(dir: &Path, old: usize, k: usize) {
        assert!(dir.join(JOURNAL).exists(), "{old} old, rename {k}");
        recover(dir, &Wait::default()).unwrap();
        assert_eq!(contents(dir), set(old, "cũ"), "{old} old, rename {k}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_rename_that_fails_anywhere_puts_the_old_set_back() {
        for old in OLD {
            for k in 0..old + NAMES.len() {
                let dir = folder_with("fails", old);
                let err = commit(&dir, &mut failing(|i| i == k)).expect_err("a rename failed");
                assert!(
                    matches!(err, OutputError::RolledBack { .. }) && err.left() == Left::Previous,
                    "{old} old, rename {k}: {err}"
                );
                assert_eq!(contents(&dir), set(old, "cũ"), "{old} old, rename {k}");
            }
            let dir = folder_with("fails", old);
            assert_eq!(commit(&dir, &mut failing(|_| false)).unwrap().len(), 4);
            assert_eq!(contents(&dir), set(4, "mới"), "{old} old, no failure");
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    #[test]
    fn a_commit_stopped_anywhere_is_put_right_by_the_next_run() {
        for old in OLD {
            for k in 0..old + NAMES.len() {
                let dir = folder_with("stopped", old);
                // Unwinding out of the k-th rename skips all a failure would
                // do, as when the process is killed there.
                let mut kill = stopping(
                    |i| i == k,
                    || std::panic::resume_unwind(Box::new("tắt máy")),
                );
                let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    commit(&dir, &mut kill)
                }));
                assert!(stopped.is_err(), "{old} old, rename {k}: not stopped");
                assert_next_run_restores(&dir, old, k);
            }
        }
    }

    #[test]
    fn a_roll_back_that_fails_keeps_the_journal_for_the_next_run() {
        for old in OLD {
            // The first rename back fails too; there is one from position 1.
            for k in 1..old + NAMES.len() {
                let dir = folder_with("unfinished", old);
                let err = commit(&dir, &mut failing(|i| i == k || i == k + 1))
                    .expect_err("a rename failed");
                assert_eq!(err.left(), Left::Unfinished, "{old} old, rename {k}: {err}");
                assert!(err.to_string().contains(JOURNAL), "{err}");
                assert_next_run_restores(&dir, old, k);
            }
        }
    }

    #[test]
    fn a_second_writer_waits_then_gives_up() {
        let dir = folder_with("busy", 4);
        let first = Folder::open(&dir, &Wait::default()).unwrap();
        let told = std::cell::Cell::new(0);
        let wait = Wait {
            limit: Duration::from_millis(300),
            notify: &|_| told.set(told.get() + 1),
        };
        let err = Folder::open(&dir, &wait).err().expect("the folder is held");
        assert!(matches!(err, OutputError::Busy { .. }), "{err}");
        assert_eq!(err.left(), Left::Untouched);
        assert_eq!(told.get(), 1, "told once");
        drop(first);
        assert_eq!(
            contents(&dir),
            set(4, "cũ"),
            "the lock file goes with its holder"
        );
        drop(Folder::open(&dir, &wait).unwrap());
        assert_eq!(told.get(), 1);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn journal_names_are_plain_report_names() {
        for good in [
            "bao-cao-khuyen-cong-2023.pdf",
            "x.docx",
            "x.md",
            "x.manifest.json",
        ] {
            assert!(report_name(good), "{good}");
        }
        for bad in [
            "../x.pdf",
            "/tmp/x.pdf",
            "a/x.pdf",
            "a\\x.pdf",
            "x.pdf/",
            "./x.pdf",
            "..",
            ".",
            "",
            "pdf",
            "x.txt",
            ".khuyencong-khoa",
        ] {
            assert!(!report_name(bad), "{bad}");
        }
    }
}
