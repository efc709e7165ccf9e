//! `nhap`: which checked forms become which files of the data folder. The
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
    let problem = |form: &Path, message: String| Diagnostic {
        file: form.to_path_buf(),
        line: 0,
        column: 0,
        path: cell.clone(),
        code: Code::DuplicateSubmission,
        message,
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
