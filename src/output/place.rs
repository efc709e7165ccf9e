//! The one rule by which every command writes its files (`build` through
//! `write`, `nhap`, `bieu-mau`, `templates export` through [`place`]):
//! under the folder's lock, each file written in full to a temporary name
//! beside it and renamed into place (a crash never leaves half a file);
//! a name held by a link is never written through; and whether a
//! different file already there is overwritten is decided here, once,
//! from what the command asked ([`Overwrite`]).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::commit::{Folder, Staging};
use super::{OutputError, Wait};

/// What a command asked about a different file already at a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Keep it (it may be a filled form, an edited template, a report).
    Never,
    /// Replace it (`--force`); a link there is replaced, never written
    /// through.
    Always,
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    Written(PathBuf),
    /// The same bytes were there already.
    Unchanged(PathBuf),
    /// Something else is there and was kept.
    Kept(PathBuf, Kept),
}

/// What was kept in a file's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// A different file.
    Different,
    /// A symbolic link (to whatever, or to nothing).
    Link,
}

impl Placed {
    pub fn path(&self) -> &Path {
        match self {
            Placed::Written(p) | Placed::Unchanged(p) | Placed::Kept(p, _) => p,
        }
    }
}

/// Largest existing file compared with the new bytes; a larger one is
/// different.
const COMPARED_BYTES: u64 = 64 * 1024 * 1024;

/// Writes `files` (names relative to `dir`: a file of `dir` or of a folder
/// below it, made if missing) by the rule above. With `all_or_nothing`,
/// nothing is written when anything is kept. Folders are written one after
/// the other, each all or nothing.
pub fn place(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    overwrite: Overwrite,
    all_or_nothing: bool,
    wait: &Wait,
) -> Result<Vec<Placed>, OutputError> {
    let mut by_folder: BTreeMap<PathBuf, Vec<(String, &[u8])>> = BTreeMap::new();
    for (name, bytes) in files {
        let relative = Path::new(name);
        let plain = relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        let (Some(file), true) = (relative.file_name(), plain) else {
            panic!("{name} is no name of a file below the folder");
        };
        let folder = relative.parent().unwrap_or(Path::new(""));
        by_folder
            .entry(folder.to_path_buf())
            .or_default()
            .push((file.to_string_lossy().into_owned(), bytes));
    }
    let mut placed = Vec::new();
    let mut writes = Vec::new();
    for (folder, files) in &by_folder {
        let path = inside(dir, folder)?;
        let mut new = Vec::new();
        for (name, bytes) in files {
            let decided = judge(&path.join(name), bytes, overwrite)?;
            if matches!(decided, Placed::Written(_)) {
                new.push((name.clone(), *bytes));
            }
            placed.push(decided);
        }
        writes.push((path, new));
    }
    if all_or_nothing && placed.iter().any(|p| matches!(p, Placed::Kept(..))) {
        return Ok(placed);
    }
    for (path, new) in writes.into_iter().filter(|(_, new)| !new.is_empty()) {
        let lock = Folder::open(&path, wait)?;
        // Decided again under the lock: another command may have written
        // since.
        for (name, bytes) in &new {
            if let Placed::Kept(target, why) = judge(&path.join(name), bytes, overwrite)? {
                return Err(match why {
                    Kept::Link => OutputError::Link(target),
                    Kept::Different => OutputError::Write {
                        path: target,
                        kind: std::io::ErrorKind::AlreadyExists,
                    },
                });
            }
        }
        let names: Vec<String> = new.iter().map(|(n, _)| n.clone()).collect();
        let staging = Staging::new(&lock, &names)?;
        for (name, bytes) in &new {
            staging.stage(name, bytes)?;
        }
        staging.commit()?;
    }
    Ok(placed)
}

/// `dir/folder`, each folder below `dir` made if missing and never a link
/// (which could lead out of `dir`).
fn inside(dir: &Path, folder: &Path) -> Result<PathBuf, OutputError> {
    let mut path = dir.to_path_buf();
    for part in folder.components() {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => return Err(OutputError::Link(path)),
            Ok(m) if !m.is_dir() => return Err(OutputError::NotAFile(path)),
            Ok(_) => {}
            Err(_) => std::fs::create_dir_all(&path).map_err(|e| OutputError::Write {
                path: path.clone(),
                kind: e.kind(),
            })?,
        }
    }
    Ok(path)
}

/// What becomes of `bytes` at `target`.
fn judge(target: &Path, bytes: &[u8], overwrite: Overwrite) -> Result<Placed, OutputError> {
    let target = target.to_path_buf();
    let meta = match std::fs::symlink_metadata(&target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Placed::Written(target)),
        Err(e) => {
            return Err(OutputError::Write {
                path: target,
                kind: e.kind(),
            })
        }
        Ok(m) => m,
    };
    if meta.file_type().is_symlink() {
        return Ok(match overwrite {
            Overwrite::Never => Placed::Kept(target, Kept::Link),
            Overwrite::Always => Placed::Written(target),
        });
    }
    if !meta.is_file() {
        return Err(OutputError::NotAFile(target));
    }
    let same = meta.len() == bytes.len() as u64
        && crate::load::read_bytes(&target, COMPARED_BYTES).is_ok_and(|old| old == bytes);
    Ok(match (same, overwrite) {
        (true, _) => Placed::Unchanged(target),
        (false, Overwrite::Never) => Placed::Kept(target, Kept::Different),
        (false, Overwrite::Always) => Placed::Written(target),
    })
}
