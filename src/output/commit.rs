//! The commit of a set of files into the output folder: the folder's lock,
//! staging under temporary names, the journal, the renames with backups of
//! the previous set, and putting right what an interrupted build left (see
//! the module above for the whole story).

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{JournalError, OutputError, Wait, MANIFEST};
use crate::render::Format;

/// The lock file: present only while a build holds the folder.
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

/// Writes a new file in full and makes it durable. New: a name already
/// taken, even by a link, is refused rather than written through (the
/// folder's leftovers are removed before, under its lock).
fn durable_write(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io(path))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(io(path))
}

/// Options that never follow a link at the name itself, nor wait for a
/// FIFO's other end.
fn no_follow(options: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options
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
pub(super) struct Folder<'a> {
    pub(super) dir: &'a Path,
    lock: PathBuf,
    /// The locked lock file, compared by identity with what `lock` names.
    _held: same_file::Handle,
}

impl<'a> Folder<'a> {
    /// Makes `dir`, takes its lock, waiting for another build as `wait`
    /// says, and puts right what an interrupted build left.
    pub(super) fn open(dir: &'a Path, wait: &Wait) -> Result<Folder<'a>, OutputError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let lock = dir.join(LOCK);
        let failed = |source| OutputError::Lock {
            path: lock.clone(),
            source,
        };
        let started = Instant::now();
        let mut told = false;
        loop {
            // A link planted at the lock's name is not followed out of
            // the folder, and a FIFO there is not waited on: only a
            // regular file locks.
            let opened = no_follow(
                std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(false),
            )
            .open(&lock);
            let file = match opened {
                Ok(file) if file.metadata().is_ok_and(|m| m.is_file()) => file,
                Ok(_) => return Err(OutputError::NotAFile(lock)),
                Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
                    return Err(OutputError::NotAFile(lock))
                }
                #[cfg(unix)]
                Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                    return Err(OutputError::NotAFile(lock))
                }
                Err(e) => return Err(failed(e)),
            };
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
pub(super) struct Staging<'a> {
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
    pub(super) fn new(folder: &'a Folder, names: &[String]) -> Result<Staging<'a>, OutputError> {
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
    pub(super) fn stage(&self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
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
    pub(super) fn commit(self) -> Result<Vec<PathBuf>, OutputError> {
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
    // A journal names a few files: a larger one, or one that is no
    // regular file (a FIFO would block), is not a journal.
    let text = match crate::load::read_bytes(path, 1024 * 1024) {
        Ok(text) => text,
        Err(crate::load::ReadError::NotFound) => return Ok(None),
        Err(e) => return Err(JournalError::Read(e)),
    };
    let entries: Vec<Entry> = serde_json::from_slice(&text)?;
    match entries.iter().find(|e| !report_name(&e.tep)) {
        Some(bad) => Err(JournalError::Name(bad.tep.clone())),
        None => Ok(Some(entries)),
    }
}

/// Whether `name` is one a command writes into its folder: a plain file
/// name (no separator, no `..`, not absolute) ending as a report, a
/// manifest, a submission (`.json`, `nhap`), a form (`.xlsx`) or a
/// template (`.md`).
fn report_name(name: &str) -> bool {
    let mut parts = Path::new(name).components();
    let plain = matches!(
        (parts.next(), parts.next()),
        (Some(Component::Normal(part)), None) if part == name
    ) && !name.contains(['/', '\\']);
    let extension = Path::new(name).extension().and_then(|e| e.to_str());
    plain
        && (name.ends_with(MANIFEST)
            || extension == Some("json")
            || extension
                .and_then(Format::from_extension)
                .is_some_and(Format::is_file))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{recover, Left};

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

    /// A FIFO at the lock's name (planted, or left by a tool) is refused
    /// at once: opening it to write would wait for a reader for ever, and
    /// `build`, `nhap` and the desk with it.
    #[cfg(unix)]
    #[test]
    fn a_fifo_at_the_locks_name_is_refused_at_once() {
        let dir = folder_with("fifo-lock", 0);
        let lock = dir.join(LOCK);
        let made = std::process::Command::new("mkfifo").arg(&lock).status();
        assert!(made.unwrap().success());
        let (done, opened) = std::sync::mpsc::channel();
        let folder = dir.clone();
        std::thread::spawn(move || {
            let said = Folder::open(&folder, &Wait::default())
                .err()
                .map(|e| e.to_string());
            let _ = done.send(said);
        });
        let said = opened
            .recv_timeout(Duration::from_secs(10))
            .expect("opening the lock waited for a reader");
        let said = said.expect("a FIFO is no lock file");
        assert!(said.contains("không phải tệp thường"), "{said}");
        // Nor a folder.
        std::fs::remove_file(&lock).unwrap();
        std::fs::create_dir(&lock).unwrap();
        let said = Folder::open(&dir, &Wait::default())
            .err()
            .map(|e| e.to_string());
        assert!(said.is_some_and(|s| s.contains("không phải tệp thường")));
    }
}
