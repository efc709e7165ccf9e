//! `nhap`: which checked forms become which files of the data folder, and
//! [`import`], the one path of the command and of the desk's "Nhận biểu
//! mẫu" page (`khuyencong xem`): check, plan, write all or nothing. The
//! text written is the one the checks judged (the form is read once); a
//! form imported before (its text is already a file there) is skipped; a
//! form superseded by a later revision, or whose file name is taken by a
//! different file, is refused at its "Lần nộp" cell.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::contract::keys::submission;
use crate::diagnostic::{shown_path, Code, Diagnostic, Diagnostics};
use crate::excel::{info_cell, submission_name};
use crate::load::identity;
use crate::validate::{Dataset, Loaded};

/// The folder of the units' submissions inside the data folder.
pub const SUBMISSIONS: &str = "bao-cao";

/// What becomes of one form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intake {
    /// Its text is to be written as `name` (relative to the data folder).
    Write {
        form: PathBuf,
        name: String,
        json: String,
    },
    /// Imported before: its text is already this file's.
    Skip { form: PathBuf, file: PathBuf },
}

/// Each form named with what becomes of it, once the forms have passed the
/// checks (`data` holds them with the data folder `input`).
pub fn plan(forms: &[PathBuf], data: &Dataset, input: &Path) -> Result<Vec<Intake>, Diagnostics> {
    let index = data.plan.value.index();
    let mut problems = Diagnostics::default();
    let mut out = Vec::new();
    let cell = info_cell(submission::LAN_NOP);
    let problem = |form: &Path, message: String| {
        Diagnostic::at(form, &cell, Code::DuplicateSubmission, message)
    };
    // Each file's identity once: a folder can hold 10.000 reports.
    let (superseded, submissions) = (
        by_identity(&data.superseded),
        by_identity(&data.submissions),
    );
    let read: HashMap<PathBuf, &Loaded<crate::excel::import::Form>> =
        data.forms.iter().map(|f| (identity(&f.path), f)).collect();
    let mut seen = std::collections::HashSet::new();
    for form in forms {
        let form_identity = identity(form);
        // A form named twice is one form.
        if !seen.insert(form_identity.clone()) {
            continue;
        }
        if let Some((_, file)) = data
            .already_imported
            .iter()
            .find(|(f, _)| identity(f) == form_identity)
        {
            out.push(Intake::Skip {
                form: form.clone(),
                file: file.clone(),
            });
            continue;
        }
        if let Some(old) = superseded.get(&form_identity) {
            let newer = data
                .submissions
                .iter()
                .find(|s| s.value.ma_don_vi == old.value.ma_don_vi);
            if let Some(newer) = newer {
                problems.push(problem(form, format!(
                    "lần nộp {} đã cũ: đã có lần nộp {} của đơn vị {} ({}); ghi lần nộp {} rồi nhập lại",
                    old.value.lan_nop,
                    newer.value.lan_nop,
                    old.value.ma_don_vi,
                    shown_path(&newer.path),
                    newer.value.lan_nop + 1
                )));
            }
            continue;
        }
        let (Some(sub), Some(read)) = (submissions.get(&form_identity), read.get(&form_identity))
        else {
            continue;
        };
        let Some((_, unit)) = index.unit(&sub.value.ma_don_vi) else {
            continue;
        };
        let name = format!("{SUBMISSIONS}/{}", submission_name(unit, sub.value.lan_nop));
        let target = input.join(&name);
        if target.symlink_metadata().is_ok() {
            problems.push(problem(form, format!(
                "đã có tệp {} (khác nội dung biểu mẫu này) nên không ghi đè; nếu đây là bản sửa thì tăng lần nộp lên {}, nếu tệp đó ghi nhầm thì chuyển nó ra khỏi thư mục dữ liệu",
                shown_path(&target),
                sub.value.lan_nop + 1
            )));
            continue;
        }
        out.push(Intake::Write {
            form: form.clone(),
            name,
            json: read.value.json.clone(),
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.sorted())
    }
}

/// Submissions by the identity of their file.
fn by_identity<T>(list: &[Loaded<T>]) -> HashMap<PathBuf, &Loaded<T>> {
    list.iter().map(|s| (identity(&s.path), s)).collect()
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// The checks' findings, at the forms' cells.
    #[error("{0}")]
    Checks(Diagnostics),
    /// Another file appeared in a form's place while importing.
    #[error("{} vừa có tệp khác được ghi vào trong lúc nhập nên không ghi đè", .0.iter().map(|p| shown_path(p).into_owned()).collect::<Vec<_>>().join(", "))]
    Taken(Vec<PathBuf>),
    /// The data folder could not be written.
    #[error(transparent)]
    Write(#[from] crate::output::OutputError),
}

/// What became of the forms: the checks' warnings, and each form's fate
/// or why none was imported.
pub struct Outcome {
    pub warnings: Diagnostics,
    pub result: Result<Vec<Intake>, Refused>,
}

/// Imports `forms`, already read once (`named`; `diags`: the problems
/// reading them), into the data folder `input`: the checks of `validate`
/// with the folder, [`plan`], then every file written by the one write
/// rule (`output::place`), never over another file, all or nothing. A
/// form's name only names it in messages: the desk's uploads are never
/// files.
pub fn import(
    named: Vec<crate::load::InputFile>,
    diags: Diagnostics,
    forms: &[PathBuf],
    input: &Path,
    year: Option<i32>,
    wait: &crate::output::Wait,
) -> Outcome {
    use crate::output::{self, Overwrite, Placed};
    let context = [input.to_path_buf()];
    let dataset = match crate::validate::load_read(named, diags, forms, &context, year) {
        Ok(d) => d,
        Err(diags) => {
            return Outcome {
                warnings: Diagnostics::default(),
                result: Err(Refused::Checks(diags)),
            }
        }
    };
    let warnings = dataset.warnings.clone();
    let result = plan(forms, &dataset, input)
        .map_err(Refused::Checks)
        .and_then(|intakes| {
            let files: Vec<(String, Vec<u8>)> = intakes
                .iter()
                .filter_map(|i| match i {
                    Intake::Write { name, json, .. } => {
                        Some((name.clone(), json.clone().into_bytes()))
                    }
                    Intake::Skip { .. } => None,
                })
                .collect();
            let placed = output::place(input, &files, Overwrite::Never, true, wait)?;
            let taken: Vec<PathBuf> = placed
                .iter()
                .filter(|p| !matches!(p, Placed::Written(_)))
                .map(|p| p.path().to_path_buf())
                .collect();
            if taken.is_empty() {
                Ok(intakes)
            } else {
                Err(Refused::Taken(taken))
            }
        });
    Outcome { warnings, result }
}
