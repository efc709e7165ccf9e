//! `nhap`'s one path, taken by the command and by the desk's "Nhận biểu
//! mẫu" page alike: filled forms, each read once into memory under a name
//! that is only ever shown, checked together with the data folder exactly
//! as `validate` checks them, then written into the folder all or nothing
//! (never over a file; a file that cannot be written takes back the others).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::import::{self, Form};
use crate::diagnostic::Diagnostics;
use crate::load::{self, InputFile};
use crate::validate;

/// A filled form's bytes and the name its problems are reported under.
pub struct Received {
    pub name: PathBuf,
    pub bytes: Vec<u8>,
}

/// What reading a form did that the officer should know: columns ignored,
/// a form without activities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub form: PathBuf,
    pub message: String,
}

/// A form written into the data folder as `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub form: PathBuf,
    pub target: PathBuf,
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// The checks' findings, placed in the forms' cells.
    #[error("{0}")]
    Checks(Diagnostics),
    /// A file could not be written; those written before it were removed.
    #[error("không ghi được {}: {source}", target.display())]
    Write {
        target: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What became of the forms.
pub struct Outcome {
    pub notices: Vec<Notice>,
    pub result: Result<Vec<Imported>, Refused>,
}

/// What the officer should know about a form that was read.
pub fn notices_of(name: &Path, form: &Form) -> Vec<Notice> {
    let mut notices: Vec<Notice> = form
        .notices
        .iter()
        .map(|n| Notice {
            form: name.to_path_buf(),
            message: n.clone(),
        })
        .collect();
    if form.activities == 0 {
        notices.push(Notice {
            form: name.to_path_buf(),
            message: "biểu mẫu không có hoạt động nào (trang \"Hoạt động\" để trống); báo cáo của đơn vị sẽ ghi là không có hoạt động".into(),
        });
    }
    notices
}

/// Checks the forms with the data folder `input` and, when nothing is
/// wrong, writes each as its unit's submission there.
pub fn import(forms: &[Received], input: &Path, year: Option<i32>) -> Outcome {
    let mut diags = Diagnostics::default();
    let mut notices = Vec::new();
    let mut read: HashMap<PathBuf, Form> = HashMap::new();
    let mut files = Vec::new();
    for f in forms {
        if !load::within_limit(&f.name, f.bytes.len() as u64, &mut diags) {
            continue;
        }
        match import::from_bytes(&f.name, &f.bytes) {
            Ok(form) => {
                notices.extend(notices_of(&f.name, &form));
                files.push(InputFile::new(&f.name, form.json.clone(), &f.bytes));
                read.insert(f.name.clone(), form);
            }
            Err(found) => diags.0.extend(found.0),
        }
    }
    let names: Vec<PathBuf> = forms.iter().map(|f| f.name.clone()).collect();
    let context = [input.to_path_buf()];
    let checked = validate::load_read(files, diags, &names, &context, year)
        .and_then(|data| import::destinations(&names, &data, input));
    let result = match checked {
        Ok(moves) => write_all(&moves, &read),
        Err(diags) => Err(Refused::Checks(import::place_in(diags, &read))),
    };
    Outcome { notices, result }
}

/// Writes every form's text to its target, or none.
fn write_all(
    moves: &[(PathBuf, PathBuf)],
    read: &HashMap<PathBuf, Form>,
) -> Result<Vec<Imported>, Refused> {
    let mut written: Vec<Imported> = Vec::new();
    for (form, target) in moves {
        let json = read.get(form).map_or("", |f| f.json.as_str());
        if let Err(source) = write_new(target, json) {
            for done in &written {
                let _ = std::fs::remove_file(&done.target);
            }
            return Err(Refused::Write {
                target: target.clone(),
                source,
            });
        }
        written.push(Imported {
            form: form.clone(),
            target: target.clone(),
        });
    }
    Ok(written)
}

/// Writes a file that must not exist yet; a file left half-written (disk
/// full) is removed, or the next build would stop on it and every later
/// import would refuse to overwrite it.
fn write_new(target: &Path, json: &str) -> std::io::Result<()> {
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::File::create_new(target)?;
    let written = file
        .write_all(json.as_bytes())
        .and_then(|()| file.sync_all());
    if written.is_err() {
        drop(file);
        let _ = std::fs::remove_file(target);
    }
    written
}
