//! Decoding the input files into the contract's types and checking them
//! against each other: every problem of every file, in one pass.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use jsonc_parser::ast::Value;
use jsonc_parser::common::Ranged;

use crate::contract::keys::{
    activity, document, extra, indicator, item, not_done, plan, programme, project, source,
    submission, unit,
};
use crate::contract::*;
use crate::diagnostic::{hint, shown_path, Code, Diagnostics};
use crate::excel::import::{self, Form};
use crate::json::{self, Obj, Reader, Source};
use crate::load::{self, identity, Content, InputFile};

/// A decoded file with where it came from.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    pub path: PathBuf,
    pub sha256: String,
    pub value: T,
}

/// Everything a build needs: the plan, the submission that counts for each
/// unit, and those superseded by a later revision.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub plan: Loaded<Plan>,
    /// The highest revision of each unit, in registry order.
    pub submissions: Vec<Loaded<Submission>>,
    /// Earlier revisions, never counted.
    pub superseded: Vec<Loaded<Submission>>,
    /// Plans of other years found in the input, not used.
    pub other_plans: Vec<PathBuf>,
    /// The forms read, each with the JSON text that was checked: what
    /// `nhap` writes is this text, not a second reading of the file.
    pub forms: Vec<Loaded<Form>>,
    /// Forms whose text is that of a file already in the data folder
    /// (imported before): (form, file). The file is not counted twice.
    pub already_imported: Vec<(PathBuf, PathBuf)>,
    /// What the data may not mean (`Code::is_warning`): an amount under
    /// 1.000 đồng, a date outside the year, a form's columns ignored.
    pub warnings: Diagnostics,
}

impl Dataset {
    /// Units of the registry that sent nothing.
    pub fn missing_units(&self) -> Vec<&Unit> {
        let sent: std::collections::HashSet<&str> = self
            .submissions
            .iter()
            .map(|s| s.value.ma_don_vi.as_str())
            .collect();
        self.plan
            .value
            .don_vi
            .iter()
            .filter(|u| !sent.contains(u.ma.as_str()))
            .collect()
    }
}

/// Loads and checks every data file under `paths` (a form named is read
/// too), together with the files of `context_dirs` (the input folder),
/// reporting only the problems of the named files and of the plan
/// (`validate FILE` of one unit).
pub fn load(
    paths: &[PathBuf],
    context_dirs: &[PathBuf],
    year: Option<i32>,
) -> Result<Dataset, Diagnostics> {
    let mut diags = Diagnostics::default();
    let named = read_all(paths, &mut diags);
    if !paths.is_empty() && paths.iter().all(|p| !p.exists()) {
        // Nothing named exists (KC001 says so): a missing plan would be noise.
        return Err(diags.sorted());
    }
    load_read(named, diags, paths, context_dirs, year)
}

/// [`load`] of files already read (`diags`: the problems reading them)
/// from `paths`, for files that are read once and kept: `nhap`'s forms,
/// whose text checked is the text written, and the desk's uploads, which
/// are never on disk (`paths` are then only their names).
pub fn load_read(
    named: Vec<InputFile>,
    diags: Diagnostics,
    paths: &[PathBuf],
    context_dirs: &[PathBuf],
    year: Option<i32>,
) -> Result<Dataset, Diagnostics> {
    // Files named on their own are checked against the rest of the input
    // folder: the plan, and the unit's other revisions (a resent file with
    // the same `lan_nop` must be caught before it is sent). A folder that is
    // itself named needs no second reading.
    let named_dirs: HashSet<PathBuf> = paths.iter().map(|p| identity(p)).collect();
    let context_dirs: Vec<PathBuf> = context_dirs
        .iter()
        .filter(|d| !named_dirs.contains(&identity(d)))
        .cloned()
        .collect();
    if context_dirs.is_empty() {
        return check_files(&named, year, diags);
    }
    let named_files: HashSet<PathBuf> = named.iter().map(|f| identity(&f.path)).collect();
    let mut elsewhere = Diagnostics::default();
    let context: Vec<InputFile> = read_all(&context_dirs, &mut elsewhere)
        .into_iter()
        .filter(|c| !named_files.contains(&identity(&c.path)))
        .collect();
    if context.is_empty() {
        return check_files(&named, year, diags);
    }
    let all: Vec<InputFile> = named.iter().chain(&context).cloned().collect();
    let is_plan = |f: &InputFile| f.json().is_some_and(|t| t.contains("\"ke_hoach\""));
    let named_paths: HashSet<&Path> = named.iter().map(|f| f.path.as_path()).collect();
    match check_files(&all, year, diags.clone()) {
        Ok(mut data) => {
            // Other units' files are no concern of one checking its own.
            data.warnings
                .0
                .retain(|w| named_paths.contains(w.file.as_path()));
            Ok(data)
        }
        Err(found) => {
            let plan_paths: HashSet<&Path> = context
                .iter()
                .filter(|f| is_plan(f))
                .map(|f| f.path.as_path())
                .collect();
            let concerns_named = |d: &crate::diagnostic::Diagnostic| {
                named_paths.contains(d.file.as_path())
                    || plan_paths.contains(d.file.as_path())
                    || d.code == Code::PlanMissing
            };
            let mine: Vec<_> = found.0.into_iter().filter(concerns_named).collect();
            if mine.is_empty() {
                // Only other units' files are broken: check these against the plan alone.
                let plans = context.into_iter().filter(is_plan);
                let alone: Vec<InputFile> = named.into_iter().chain(plans).collect();
                check_files(&alone, year, diags)
            } else {
                Err(Diagnostics(mine).sorted())
            }
        }
    }
}

/// Finds and reads every input file under `paths`.
pub fn read_all(paths: &[PathBuf], diags: &mut Diagnostics) -> Vec<InputFile> {
    let read: Vec<(Option<InputFile>, Diagnostics)> =
        crate::par::map(&load::discover(paths, diags), |p| {
            let mut d = Diagnostics::default();
            (load::read(p, &mut d), d)
        });
    let mut files = Vec::with_capacity(read.len());
    for (f, d) in read {
        diags.0.extend(d.0);
        files.extend(f);
    }
    files
}

/// Checks files already read; `diags` holds the problems found reading them.
pub fn check_files(
    files: &[InputFile],
    year: Option<i32>,
    mut diags: Diagnostics,
) -> Result<Dataset, Diagnostics> {
    match check(files, year, &mut diags) {
        Some(d) if diags.is_empty() => Ok(d),
        _ => Err(diags.sorted()),
    }
}

/// What one submission file gave: the submission when all of it is valid,
/// and its unit, year and revision whenever those are (for KC036).
struct Placed {
    submission: Option<Loaded<Submission>>,
    revision: Option<Revision>,
    text: usize,
}

/// A submission's unit code, year and `lan_nop`, with where `lan_nop` stands.
struct Revision {
    unit: String,
    nam: i32,
    lan_nop: u32,
    offset: usize,
}

impl Revision {
    /// Files with the same key are the same revision of the same report.
    fn key(&self) -> (&str, i32, u32) {
        (&self.unit, self.nam, self.lan_nop)
    }
}

fn check(files: &[InputFile], year: Option<i32>, diags: &mut Diagnostics) -> Option<Dataset> {
    // The JSON files first: a form becomes a JSON text once the plan it
    // was made from is known.
    let json_sources: Vec<Option<Source>> = files
        .iter()
        .map(|f| f.json().map(|text| Source::new(&f.path, text)))
        .collect();
    // Files are independent until checked against each other: in parallel.
    let json_trees = parse_all(&json_sources, diags);

    // Plans first: submissions are checked against the year's plan.
    let mut plans = Vec::new();
    let mut unit_files = Vec::new();
    let mut broken_plan = false;
    for (i, tree) in json_trees.iter().enumerate() {
        let (Some(tree), Some(src)) = (tree, &json_sources[i]) else {
            continue;
        };
        let mut r = Reader { src, diags };
        match kind(&mut r, tree) {
            Some(KIND_PLAN) => match decode_plan(&mut r, tree) {
                Some(plan) => plans.push((i, plan)),
                None => broken_plan = true,
            },
            Some(KIND_SUBMISSION) => unit_files.push(i),
            _ => {}
        }
    }

    // A broken plan's own errors are reported; "no plan" would only mislead.
    let chosen = if broken_plan && plans.is_empty() {
        None
    } else {
        pick_plan(plans, year, &json_trees, &json_sources, diags)
    };

    // Each form read against the plan (without one, it waits: its cells
    // mean nothing without the plan's catalogue).
    // Most runs read no form: no work is handed to the threads for none.
    let any_form = files.iter().any(|f| matches!(f.content, Content::Form(_)));
    let forms: Vec<Option<Form>> = if !any_form {
        files.iter().map(|_| None).collect()
    } else {
        let read: Vec<(Option<Form>, Diagnostics)> =
            crate::par::map(files, |f| match (&f.content, &chosen) {
                (Content::Form(book), Some((_, plan, _))) => {
                    match import::read(&f.path, book, plan) {
                        Ok(form) => (Some(form), Diagnostics::default()),
                        Err(refused) => (None, refused),
                    }
                }
                _ => (None, Diagnostics::default()),
            });
        read.into_iter()
            .map(|(form, d)| {
                diags.0.extend(d.0);
                form
            })
            .collect()
    };
    let form_sources: Vec<Option<Source>> = files
        .iter()
        .zip(&forms)
        .map(|(f, form)| {
            form.as_ref()
                .map(|form| Source::of_form(&f.path, &form.json, &form.places))
        })
        .collect();
    let form_trees = if any_form {
        parse_all(&form_sources, diags)
    } else {
        files.iter().map(|_| None).collect()
    };
    // A form whose text is a JSON file's is that file, imported before.
    let mut already_imported = Vec::new();
    if any_form {
        let by_text: HashMap<&str, usize> = forms
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((f.as_ref()?.json.as_str(), i)))
            .collect();
        unit_files.retain(|&i| {
            let text = files[i].json().unwrap_or_default();
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            match by_text.get(text) {
                Some(&form) => {
                    already_imported.push((files[form].path.clone(), files[i].path.clone()));
                    false
                }
                None => true,
            }
        });
    }
    unit_files.extend((0..files.len()).filter(|&i| form_trees[i].is_some()));
    unit_files.sort_unstable();
    let sources: Vec<Option<&Source>> = json_sources
        .iter()
        .zip(&form_sources)
        .map(|(j, f)| j.as_ref().or(f.as_ref()))
        .collect();
    let trees: Vec<Option<&Value>> = json_trees
        .iter()
        .zip(&form_trees)
        .map(|(j, f)| j.as_ref().or(f.as_ref()))
        .collect();

    // Without the plan, the submissions still get every check that does
    // not need it (types, amounts, dates, revisions), in the same run.
    let against = chosen.as_ref().map(|(_, plan, _)| Against {
        plan,
        index: plan.index(),
    });
    let decoded: Vec<(Placed, Diagnostics)> = crate::par::map(&unit_files, |&i| {
        let mut d = Diagnostics::default();
        let src = sources[i].expect("a submission's text");
        let (submission, revision) = trees[i].map_or((None, None), |tree| {
            let mut r = Reader { src, diags: &mut d };
            decode_submission(&mut r, tree, against.as_ref())
        });
        // A cell the form's reader refused is told about once, in its words.
        if let Some(form) = &forms[i] {
            let refused: HashSet<&str> = form.problems.0.iter().map(|p| p.path.as_str()).collect();
            d.0.retain(|x| !refused.contains(x.path.as_str()));
            d.0.extend(form.problems.0.iter().cloned());
        }
        let submission = submission.map(|value| Loaded {
            path: files[i].path.clone(),
            sha256: files[i].sha256.clone(),
            value,
        });
        let placed = Placed {
            submission,
            revision,
            text: i,
        };
        (placed, d)
    });
    let mut placed = Vec::with_capacity(decoded.len());
    for (p, d) in decoded {
        diags.0.extend(d.0);
        placed.push(p);
    }
    same_revisions(&placed, &sources, diags);
    check_project_counts(&placed, &trees, &sources, diags);
    let against = against?;
    let (submissions, superseded) = pick_revisions(placed, &against.index);
    check_sums(&submissions, &against, &trees, &sources, diags);
    if let Some((plan_file, ..)) = &chosen {
        check_money_totals(*plan_file, &against, &submissions, &trees, &sources, diags);
    }
    let mut warnings = plausibility(&submissions, &against, &trees, &sources);
    drop(against);
    let (plan_index, plan, other_plans) = chosen?;
    let forms = files
        .iter()
        .zip(forms)
        .filter_map(|(f, form)| {
            let form = form?;
            warnings.0.extend(form.notes.0.iter().cloned());
            Some(Loaded {
                path: f.path.clone(),
                sha256: f.sha256.clone(),
                value: form,
            })
        })
        .collect();
    Some(Dataset {
        plan: Loaded {
            path: files[plan_index].path.clone(),
            sha256: files[plan_index].sha256.clone(),
            value: plan,
        },
        submissions: submissions.into_iter().map(|(_, s)| s).collect(),
        superseded,
        other_plans,
        forms,
        already_imported,
        warnings: warnings.sorted(),
    })
}

/// Each text parsed, in parallel; the problems in file order.
fn parse_all<'a>(
    sources: &[Option<Source<'a>>],
    diags: &mut Diagnostics,
) -> Vec<Option<Value<'a>>> {
    let parsed: Vec<(Option<Value>, Diagnostics)> = crate::par::map(sources, |s| {
        let mut d = Diagnostics::default();
        (s.as_ref().and_then(|s| json::parse(s, &mut d)), d)
    });
    parsed
        .into_iter()
        .map(|(tree, d)| {
            diags.0.extend(d.0);
            tree
        })
        .collect()
}

/// The `loai` of a file.
fn kind(r: &mut Reader, tree: &Value) -> Option<&'static str> {
    let Value::Object(o) = tree else {
        r.error(
            0,
            "$",
            Code::WrongType,
            "tệp phải là một đối tượng JSON `{ ... }` có khóa \"loai\"".into(),
        );
        return None;
    };
    // Both files name their kind with the same key.
    let loai = submission::LOAI.name;
    debug_assert_eq!(loai, plan::LOAI.name);
    let found = o.properties.iter().find(|p| p.name.as_str() == loai);
    let Some(prop) = found else {
        r.error(o.range.start, loai, Code::MissingKey, "thiếu khóa `loai`: ghi \"loai\": \"bao_cao\" cho báo cáo của đơn vị, hoặc \"ke_hoach\" cho tệp kế hoạch".into());
        return None;
    };
    match &prop.value {
        Value::StringLit(s) if s.value == KIND_PLAN => Some(KIND_PLAN),
        Value::StringLit(s) if s.value == KIND_SUBMISSION => Some(KIND_SUBMISSION),
        v => {
            let got = if let Value::StringLit(s) = v {
                s.value.to_string()
            } else {
                String::new()
            };
            r.error(
                v.start(),
                loai,
                Code::UnknownKind,
                format!("`loai` phải là \"bao_cao\" (báo cáo của đơn vị) hoặc \"ke_hoach\" (kế hoạch của tỉnh).{}", hint(&got, [KIND_PLAN, KIND_SUBMISSION])),
            );
            None
        }
    }
}

fn pick_plan(
    plans: Vec<(usize, Plan)>,
    year: Option<i32>,
    trees: &[Option<Value>],
    sources: &[Option<Source>],
    diags: &mut Diagnostics,
) -> Option<(usize, Plan, Vec<PathBuf>)> {
    // Plans are JSON files, each with its text.
    let source = |i: usize| sources[i].as_ref().expect("a plan's text");
    // Without --year, the year is the plans' own when they agree.
    let wanted = year.or_else(|| {
        let first = plans.first()?.1.nam;
        plans.iter().all(|(_, p)| p.nam == first).then_some(first)
    });
    let (mut chosen, others): (Vec<_>, Vec<_>) =
        plans.into_iter().partition(|(_, p)| Some(p.nam) == wanted);
    let other_paths = others
        .iter()
        .map(|(i, _)| source(*i).file.to_path_buf())
        .collect();
    match (chosen.len(), wanted) {
        (1, _) => chosen.pop().map(|(i, plan)| (i, plan, other_paths)),
        (0, Some(y)) => {
            diags.push(plan_problem(format!("không có tệp kế hoạch (\"loai\": \"ke_hoach\") cho năm {y}; chép tệp kế hoạch của năm vào thư mục dữ liệu")));
            None
        }
        (0, None) if !others.is_empty() => {
            diags.push(plan_problem(
                "có kế hoạch của nhiều năm; chọn năm bằng `--year NĂM`".into(),
            ));
            None
        }
        (0, None) => {
            diags.push(plan_problem("không tìm thấy tệp kế hoạch (\"loai\": \"ke_hoach\"); thư mục dữ liệu phải có tệp kế hoạch của năm".into()));
            None
        }
        // Which one is right cannot be guessed: each names them all.
        _ => {
            let names: Vec<String> = chosen
                .iter()
                .map(|(i, _)| shown_path(source(*i).file).into_owned())
                .collect();
            for (i, plan) in &chosen {
                let at = trees[*i].as_ref().map_or(0, |t| locate(t, plan::NAM.name));
                diags.push(source(*i).diagnostic(at, plan::NAM.name, Code::PlanMissing, format!("có hơn một tệp kế hoạch cho cùng một năm {}: {}; chỉ giữ một tệp kế hoạch mỗi năm trong thư mục dữ liệu", plan.nam, names.join(", "))));
            }
            None
        }
    }
}

fn plan_problem(message: String) -> crate::diagnostic::Diagnostic {
    crate::diagnostic::Diagnostic::at(
        Path::new("(thư mục dữ liệu)"),
        "$",
        Code::PlanMissing,
        message,
    )
}

/// Two files of one unit and year with the same `lan_nop`: which one
/// counts cannot be guessed, so each is reported naming the others. Needs
/// no plan.
fn same_revisions(placed: &[Placed], sources: &[Option<&Source>], diags: &mut Diagnostics) {
    let source = |i: usize| sources[i].expect("a submission's text");
    let mut revisions: Vec<(usize, &Revision)> = placed
        .iter()
        .filter_map(|p| Some((p.text, p.revision.as_ref()?)))
        .collect();
    // Stable: the files of one group stay in file order.
    revisions.sort_by(|(_, a), (_, b)| a.key().cmp(&b.key()));
    for files in revisions.chunk_by(|(_, a), (_, b)| a.key() == b.key()) {
        let [(_, first), _, ..] = files else {
            continue;
        };
        let count = match files.len() {
            2 => "hai".to_string(),
            n => n.to_string(),
        };
        for &(this, revision) in files {
            let others: Vec<String> = files
                .iter()
                .filter(|(other, _)| *other != this)
                .map(|(other, _)| shown_path(source(*other).file).into_owned())
                .collect();
            let src = source(this);
            let fix = match src.form {
                Some(_) => format!(
                    "bỏ tệp cũ, hoặc tăng “Lần nộp” (ô {}) của bản sửa",
                    crate::excel::info_cell(submission::LAN_NOP)
                ),
                None => "xóa tệp cũ hoặc tăng `lan_nop` của bản sửa".into(),
            };
            diags.push(src.diagnostic(
                revision.offset,
                submission::LAN_NOP.name,
                Code::DuplicateSubmission,
                format!(
                    "đơn vị {} có {count} báo cáo cùng lần nộp {} (tệp này và {}); {fix}",
                    first.unit,
                    first.lan_nop,
                    others.join(", ")
                ),
            ));
        }
    }
}

/// A submission with the index of its file, for positions in later checks.
type Indexed = (usize, Loaded<Submission>);

/// Keeps the highest revision of each unit, in registry order; the earlier
/// ones are superseded.
fn pick_revisions(
    placed: Vec<Placed>,
    index: &PlanIndex,
) -> (Vec<Indexed>, Vec<Loaded<Submission>>) {
    let mut by_unit: BTreeMap<usize, Vec<Indexed>> = BTreeMap::new();
    for p in placed {
        let Some(s) = p.submission else { continue };
        let order = index
            .unit(&s.value.ma_don_vi)
            .map_or(usize::MAX, |(i, _)| i);
        by_unit.entry(order).or_default().push((p.text, s));
    }
    let (mut current, mut superseded) = (Vec::new(), Vec::new());
    for (_, mut group) in by_unit {
        group.sort_by(|(_, a), (_, b)| {
            b.value
                .lan_nop
                .cmp(&a.value.lan_nop)
                .then(a.path.cmp(&b.path))
        });
        let mut group = group.into_iter();
        current.extend(group.next());
        superseded.extend(group.map(|(_, s)| s));
    }
    (current, superseded)
}

/// Adds up each indicator as the report will (the plan's target, then
/// every counted activity) and refuses the quantity from which the sum is
/// no longer exact: rust_decimal would round it past 28 significant digits
/// without a word. Every other quantity the report prints is a part of one
/// of these sums, or a difference no larger, so it is exact too.
fn check_sums(
    submissions: &[Indexed],
    against: &Against,
    trees: &[Option<&Value>],
    sources: &[Option<&Source>],
    diags: &mut Diagnostics,
) {
    // None once refused: one report per indicator is enough.
    let mut sums: HashMap<(&str, &str), Option<Quantity>> = HashMap::new();
    for (text, s) in submissions {
        for (ai, a) in s.value.hoat_dong.iter().enumerate() {
            let Some(item) = against.index.item(&a.noi_dung) else {
                continue;
            };
            for (code, q) in &a.chi_tieu {
                let sum = sums.entry((&item.ma, code)).or_insert_with(|| {
                    let target = item.chi_tieu.iter().find(|i| &i.ma == code);
                    Some(target.map_or(Quantity::default(), |i| i.ke_hoach))
                });
                let Some(so_far) = *sum else { continue };
                *sum = so_far.checked_add(*q).filter(|s| s.fits_a_template());
                if sum.is_some() {
                    continue;
                }
                let object = format!(
                    "{}[{ai}].{}",
                    submission::HOAT_DONG.name,
                    activity::CHI_TIEU.name
                );
                let at = trees[*text].map_or(0, |t| key_offset(t, &object, code));
                let src = sources[*text].expect("a submission's text");
                let path = json::key_path(&object, code);
                const TOO_LONG: &str = "cần quá nhiều chữ số (số có phần lẻ: tối đa 15 chữ số có nghĩa, để mẫu báo cáo in đúng từng chữ số; số nguyên: tối đa 28) nên không in chính xác được; bỏ các chữ số thập phân thừa hoặc kiểm tra lại số chữ số";
                let message = match src.form {
                    Some(form) => format!(
                        "số lượng {} làm tổng của cột “{}” cho nội dung “{}” (số kế hoạch cộng số của các hoạt động được tính) {TOO_LONG}, ví dụ ghi 2,5 thay cho 2,500000000000000001",
                        q.0,
                        form.header(&path).unwrap_or_default(),
                        item_words(against.plan, &item.ma)
                    ),
                    None => format!(
                        "số lượng `{}` làm tổng chỉ tiêu `{code}` của nội dung `{}` (số kế hoạch cộng số của các hoạt động được tính) {TOO_LONG}, ví dụ ghi 2.5 thay cho 2.500000000000000001",
                        q.0, item.ma
                    ),
                };
                diags.push(src.diagnostic(at, &path, Code::InvalidQuantity, message));
            }
        }
    }
}

/// The words of an item as its form's drop-down shows them.
fn item_words(plan: &Plan, code: &str) -> String {
    crate::excel::item_labels(plan)
        .into_iter()
        .find(|(item, _)| item.ma == code)
        .map_or_else(|| code.to_string(), |(_, label)| label)
}

/// What is taken but may not be what was meant, as warnings: an amount
/// above zero and under 1.000 đồng (an amount typed in thousands, or
/// "18.000" read as 18 by a spreadsheet set to English), an activity's
/// date outside the report's year, a submission dated outside the year
/// and the next.
fn plausibility(
    submissions: &[Indexed],
    against: &Against,
    trees: &[Option<&Value>],
    sources: &[Option<&Source>],
) -> Diagnostics {
    let year = against.plan.nam;
    let mut found = Diagnostics::default();
    for (text, s) in submissions {
        let src = sources[*text].expect("a submission's text");
        let tree = trees[*text];
        let form = src.form.is_some();
        let mut say = |object: &str, key: &str, code: Code, message: String| {
            let at = tree.map_or(0, |t| key_offset(t, object, key));
            found.push(src.diagnostic(at, &json::key_path(object, key), code, message));
        };
        let small =
            |m: Money| m.0 > rust_decimal::Decimal::ZERO && m.0 < rust_decimal::Decimal::from(1000);
        let small_message = |m: Money| {
            if form {
                format!("số tiền {} đồng nhỏ hơn 1.000 đồng: kiểm tra lại ô này (Excel cài tiếng Anh đọc “18.000” thành 18, vì dấu chấm là dấu thập phân; gõ 18000 không có dấu chấm)", m.0)
            } else {
                format!("số tiền {} đồng nhỏ hơn 1.000 đồng: kiểm tra lại số chữ số (số tiền ghi bằng đồng, không phải nghìn đồng hay triệu đồng)", m.0)
            }
        };
        let day = |d: Date| {
            if form {
                crate::excel::import::day_month_year(d)
            } else {
                d.to_string()
            }
        };
        for (ai, a) in s.value.hoat_dong.iter().enumerate() {
            let object = format!("{}[{ai}]", submission::HOAT_DONG.name);
            if a.theo_nguon.is_empty() {
                if small(a.kinh_phi) {
                    say(
                        &object,
                        activity::KINH_PHI.name,
                        Code::SmallAmount,
                        small_message(a.kinh_phi),
                    );
                }
            } else {
                let split = json::key_path(&object, activity::THEO_NGUON.name);
                for (code, m) in a.theo_nguon.iter().filter(|(_, m)| small(**m)) {
                    say(&split, code, Code::SmallAmount, small_message(*m));
                }
            }
            for (key, date) in [
                (activity::TU_NGAY, a.tu_ngay),
                (activity::DEN_NGAY, a.den_ngay),
            ] {
                if let Some(d) = date.filter(|d| d.year != year) {
                    say(
                        &object,
                        key.name,
                        Code::DateOutsideYear,
                        format!(
                            "ngày {} không thuộc năm báo cáo {year}: kiểm tra lại năm của ngày này",
                            day(d)
                        ),
                    );
                }
            }
        }
        for (ti, t) in s.value.ngoai_ke_hoach.iter().enumerate() {
            if small(t.kinh_phi) {
                let object = format!("{}[{ti}]", submission::NGOAI_KE_HOACH.name);
                say(
                    &object,
                    extra::KINH_PHI.name,
                    Code::SmallAmount,
                    small_message(t.kinh_phi),
                );
            }
        }
        let d = s.value.ngay_nop;
        if d.year != year && d.year != year + 1 {
            say("$", submission::NGAY_NOP.name, Code::DateOutsideYear, format!("ngày nộp {} không thuộc năm báo cáo {year} hay năm sau: kiểm tra lại năm của ngày này", day(d)));
        }
    }
    found
}

/// The number of projects of an item is the number of its activities with
/// `de_an`, one project each, never a typed quantity (docs/du-lieu.md): a
/// `de_an` quantity written in `chi_tieu` anyway must say the same, 1 on a
/// project and 0 elsewhere.
fn check_project_counts(
    placed: &[Placed],
    trees: &[Option<&Value>],
    sources: &[Option<&Source>],
    diags: &mut Diagnostics,
) {
    for p in placed {
        let Some(s) = &p.submission else { continue };
        let src = sources[p.text].expect("a submission's text");
        for (ai, a) in s.value.hoat_dong.iter().enumerate() {
            let Some(typed) = a.chi_tieu.get(PROJECT_COUNT) else {
                continue;
            };
            let counted = rust_decimal::Decimal::from(u8::from(a.de_an.is_some()));
            if typed.0 == counted {
                continue;
            }
            let object = json::key_path(
                &format!("{}[{ai}]", submission::HOAT_DONG.name),
                activity::CHI_TIEU.name,
            );
            let path = json::key_path(&object, PROJECT_COUNT);
            let at = trees[p.text].map_or(0, |t| key_offset(t, &object, PROJECT_COUNT));
            let message = match src.form {
                // The officer's words: the column of the count, the
                // project's own columns on the same row.
                Some(form) => format!(
                    "số đề án {} ở ô “{}” không khớp: mỗi hàng có tên đề án là một đề án và được tự đếm; {}",
                    typed.0,
                    form.header(&path).unwrap_or("đề án"),
                    if a.de_an.is_some() {
                        "ghi 1 ở hàng này (nhiều đề án thì mỗi đề án một hàng) hoặc để trống ô"
                    } else {
                        "hàng này không có tên đề án nên không phải đề án: điền tên đề án, cơ sở thụ hưởng và tình trạng, hoặc để trống ô"
                    }
                ),
                None => format!(
                    "số đề án `{}` không khớp: chỉ tiêu `de_an` được đếm từ các hoạt động có khóa `de_an`, mỗi hoạt động một đề án; {}, hoặc bỏ `de_an` khỏi `chi_tieu` để chương trình tự đếm",
                    typed.0,
                    if a.de_an.is_some() {
                        "hoạt động này là một đề án nên chỉ ghi 1; nhiều đề án thì ghi mỗi đề án thành một hoạt động riêng có `de_an`"
                    } else {
                        "hoạt động này không có khóa `de_an` nên không phải đề án; ghi mỗi đề án thành một hoạt động có `\"de_an\": {\"ten\": …, \"co_so\": …, \"trang_thai\": …}`"
                    }
                ),
            };
            diags.push(src.diagnostic(at, &path, Code::Inconsistent, message));
        }
    }
}

/// The workbook holds every amount and every total as a spreadsheet
/// number, exact to the đồng only up to `xlsx::EXACT`: what the build would
/// refuse, `validate` refuses first, at the amount. Amounts are never
/// negative, so no total exceeds the whole plan or the whole spending; the
/// amount at which either running sum passes the limit is the one reported.
fn check_money_totals(
    plan_file: usize,
    against: &Against,
    submissions: &[Indexed],
    trees: &[Option<&Value>],
    sources: &[Option<&Source>],
    diags: &mut Diagnostics,
) {
    let limit = rust_decimal::Decimal::from(crate::render::xlsx::EXACT);
    // The first amount (file, JSON path, amount) at which the running sum
    // passes the limit is where the total is said to be too large.
    let mut first_over = |amounts: &mut dyn Iterator<
        Item = (usize, String, rust_decimal::Decimal),
    >,
                          what: &str| {
        let mut sum = rust_decimal::Decimal::ZERO;
        for (file, path, amount) in amounts {
            sum += amount;
            if sum > limit {
                let at = trees[file].map_or(0, |t| locate(t, &path));
                let message = format!(
                    "số tiền này làm tổng {what} lên {} đồng, quá {} đồng, số lớn nhất bảng tính (.xlsx) của báo cáo lưu đúng từng đồng; kiểm tra lại số chữ số",
                    crate::format::so(sum, None),
                    crate::format::so(limit, None)
                );
                let src = sources[file].expect("the text of a decoded file");
                diags.push(src.diagnostic(at, &path, Code::InvalidMoney, message));
                return;
            }
        }
    };
    let mut items = against
        .plan
        .chuong_trinh
        .iter()
        .enumerate()
        .flat_map(|(pi, p)| {
            p.noi_dung.iter().enumerate().map(move |(ii, item)| {
                let object = format!(
                    "{}[{pi}].{}[{ii}]",
                    plan::CHUONG_TRINH.name,
                    programme::NOI_DUNG.name
                );
                let path = json::key_path(&object, item::KINH_PHI.name);
                (plan_file, path, item.kinh_phi.0)
            })
        });
    first_over(&mut items, "kinh phí kế hoạch của mọi nội dung");
    let mut activities = submissions.iter().flat_map(|(text, s)| {
        s.value.hoat_dong.iter().enumerate().map(move |(ai, a)| {
            let object = format!("{}[{ai}]", submission::HOAT_DONG.name);
            let path = json::key_path(&object, activity::KINH_PHI.name);
            (*text, path, a.kinh_phi.0)
        })
    });
    first_over(
        &mut activities,
        "kinh phí thực hiện của mọi hoạt động được tính",
    );
}

// ---- decoding one plan ----

fn decode_plan(r: &mut Reader, tree: &Value) -> Option<Plan> {
    let mut o = r.object(tree, "$", plan::OBJECT)?;
    let loai = o.req(r, plan::LOAI, |r, v, p| r.text(v, p));
    let nam = o.req(r, plan::NAM, |r, v, p| r.integer(v, p, 2000, 2100));
    let tinh = o.req(r, plan::TINH, |r, v, p| r.text(v, p));
    let van_ban = o.req(r, plan::VAN_BAN, decode_document_info);
    let don_vi = o.req(r, plan::DON_VI, |r, v, p| r.array(v, p, decode_unit));
    let nguon = o.req(r, plan::NGUON_KINH_PHI, |r, v, p| {
        r.array(v, p, decode_source)
    });
    let chuong_trinh = o.req(r, plan::CHUONG_TRINH, |r, v, p| {
        r.array(v, p, decode_programme)
    });
    o.finish(r);
    let plan = Plan {
        loai: loai?,
        nam: nam? as i32,
        tinh: tinh?,
        van_ban: van_ban?,
        don_vi: don_vi?,
        nguon_kinh_phi: nguon?,
        chuong_trinh: chuong_trinh?,
    };
    check_plan(r, tree, &plan).then_some(plan)
}

fn decode_document_info(r: &mut Reader, v: &Value, path: &str) -> Option<DocumentInfo> {
    let mut o = r.object(v, path, document::OBJECT)?;
    let text = |o: &mut Obj, r: &mut Reader, key| o.req(r, key, |r, v, p| r.text(v, p));
    let co_quan_chu_quan = text(&mut o, r, document::CO_QUAN_CHU_QUAN);
    let co_quan_ban_hanh = text(&mut o, r, document::CO_QUAN_BAN_HANH);
    let ten_co_quan = text(&mut o, r, document::TEN_CO_QUAN);
    let so_ky_hieu = text(&mut o, r, document::SO_KY_HIEU);
    let dia_danh = text(&mut o, r, document::DIA_DANH);
    let ngay = o.req(r, document::NGAY, |r, v, p| r.date(v, p));
    let trich_yeu = text(&mut o, r, document::TRICH_YEU);
    let can_cu = text(&mut o, r, document::CAN_CU);
    let tham_quyen = o.req(r, document::THAM_QUYEN, |r, v, p| r.texts(v, p));
    let nguoi_ky = text(&mut o, r, document::NGUOI_KY);
    let noi_nhan = o.req(r, document::NOI_NHAN, |r, v, p| r.texts(v, p));
    let luu = text(&mut o, r, document::LUU);
    let don_vi_tien = o.opt(r, document::DON_VI_TIEN, |r, v, p| {
        r.choice(v, p, "đơn vị tiền", &MoneyUnit::ALL)
    });
    o.finish(r);
    Some(DocumentInfo {
        co_quan_chu_quan: co_quan_chu_quan?,
        co_quan_ban_hanh: co_quan_ban_hanh?,
        ten_co_quan: ten_co_quan?,
        so_ky_hieu: so_ky_hieu?,
        dia_danh: dia_danh?,
        ngay: ngay?,
        trich_yeu: trich_yeu?,
        can_cu: can_cu?,
        tham_quyen: tham_quyen?,
        nguoi_ky: nguoi_ky?,
        noi_nhan: noi_nhan?.into_iter().map(|r| recipient(&r)).collect(),
        luu: filed(&luu?),
        don_vi_tien: don_vi_tien.ok()?.unwrap_or_default(),
    })
}

/// A recipient as the templates print it, between the dash and the
/// semicolon they add: a plan that writes them too ("- Sở Công Thương;")
/// would print "- - Sở Công Thương;;".
fn recipient(text: &str) -> String {
    let text = text.trim();
    let text = text
        .strip_prefix(['-', '+', '•', '–', '*'])
        .map_or(text, str::trim_start);
    text.trim_end_matches([';', ',', '.'])
        .trim_end()
        .to_string()
}

/// Where copies are filed ("VT, KC"), as the templates print it after
/// "- Lưu: " and before the full stop they add.
fn filed(text: &str) -> String {
    let text = recipient(text);
    let bare = ["Lưu:", "lưu:", "Lưu :"]
        .iter()
        .find_map(|p| text.strip_prefix(p))
        .map_or(text.as_str(), str::trim_start);
    bare.to_string()
}

fn decode_unit(r: &mut Reader, v: &Value, path: &str) -> Option<Unit> {
    let mut o = r.object(v, path, unit::OBJECT)?;
    let ma = o.req(r, unit::MA, |r, v, p| r.text(v, p));
    let ten = o.req(r, unit::TEN, |r, v, p| r.text(v, p));
    let levels = UNIT_LEVELS.map(|level| (level, level));
    let cap = o.req(r, unit::CAP, |r, v, p| {
        r.choice(v, p, "cấp đơn vị", &levels)
    });
    o.finish(r);
    Some(Unit {
        ma: ma?,
        ten: ten?,
        cap: cap?.to_string(),
    })
}

fn decode_source(r: &mut Reader, v: &Value, path: &str) -> Option<FundingSource> {
    let mut o = r.object(v, path, source::OBJECT)?;
    let ma = o.req(r, source::MA, |r, v, p| r.text(v, p));
    let ten = o.req(r, source::TEN, |r, v, p| r.text(v, p));
    let loai = if o.has(source::LOAI) {
        o.req(r, source::LOAI, |r, v, p| {
            r.choice(v, p, "loại nguồn kinh phí", &SourceKind::ALL)
        })
    } else {
        missing_source_kind(r, &o, ma.as_deref(), ten.as_deref());
        None
    };
    o.finish(r);
    Some(FundingSource {
        ma: ma?,
        ten: ten?,
        loai: loai?,
    })
}

/// A source without `loai`: whether its money is khuyến công budget cannot
/// be guessed (an older data set's "Vốn đối ứng" once counted as budget),
/// so the source is named with the one line to add.
fn missing_source_kind(r: &mut Reader, o: &Obj, ma: Option<&str>, ten: Option<&str>) {
    let name = ten.unwrap_or_default().to_lowercase();
    let likely = if name.contains("đối ứng") {
        "doi_ung"
    } else if name.contains("quốc gia") {
        "quoc_gia"
    } else if name.contains("khuyến công") {
        "dia_phuong"
    } else {
        "khac"
    };
    let named = match (ma, ten) {
        (Some(ma), Some(ten)) => format!("nguồn `{ma}` ({ten})"),
        (Some(ma), None) => format!("nguồn `{ma}`"),
        _ => "nguồn này".to_string(),
    };
    r.error(o.start(), &json::key_path(&o.path, "loai"), Code::MissingKey, format!(
        "{named} thiếu khóa `loai`: chương trình không tự đoán được tiền của nguồn này có phải kinh phí khuyến công không; thêm một dòng, ví dụ `\"loai\": \"{likely}\"` (dia_phuong, quoc_gia: ngân sách khuyến công; doi_ung: vốn đối ứng của cơ sở; khac: nguồn khác ngoài ngân sách). Bộ dữ liệu cũ, lập khi `loai` chưa bắt buộc, cần thêm dòng này vào từng nguồn"
    ));
}

fn decode_programme(r: &mut Reader, v: &Value, path: &str) -> Option<Programme> {
    let mut o = r.object(v, path, programme::OBJECT)?;
    let ma = o.req(r, programme::MA, |r, v, p| r.text(v, p));
    let ten = o.req(r, programme::TEN, |r, v, p| r.text(v, p));
    let noi_dung = o.req(r, programme::NOI_DUNG, |r, v, p| r.array(v, p, decode_item));
    o.finish(r);
    Some(Programme {
        ma: ma?,
        ten: ten?,
        noi_dung: noi_dung?,
    })
}

fn decode_item(r: &mut Reader, v: &Value, path: &str) -> Option<PlanItem> {
    let mut o = r.object(v, path, item::OBJECT)?;
    let ma = o.req(r, item::MA, |r, v, p| r.text(v, p));
    let ten = o.req(r, item::TEN, |r, v, p| r.text(v, p));
    let ke_hoach = o.req(r, item::KE_HOACH, |r, v, p| r.text(v, p));
    let chi_tieu = o.req(r, item::CHI_TIEU, |r, v, p| r.array(v, p, decode_indicator));
    let kinh_phi = o.req(r, item::KINH_PHI, |r, v, p| r.money(v, p));
    let nguon = o.opt(r, item::NGUON, |r, v, p| r.text(v, p));
    let theo_nguon = o.opt(r, item::THEO_NGUON, |r, v, p| decode_split(r, v, p, None));
    let ly_do = o.opt(r, item::LY_DO_KHONG_THUC_HIEN, |r, v, p| r.text(v, p));
    let total = kinh_phi.map(Some).ok_or(json::Reported);
    let money = money_by_source(r, &o, total, nguon, theo_nguon, SplitOwner::Plan);
    o.finish(r);
    let (kinh_phi, nguon, theo_nguon) = money?;
    Some(PlanItem {
        ma: ma?,
        ten: ten?,
        ke_hoach: ke_hoach?,
        chi_tieu: chi_tieu?,
        kinh_phi,
        nguon,
        theo_nguon,
        ly_do_khong_thuc_hien: ly_do.ok()?,
    })
}

fn decode_indicator(r: &mut Reader, v: &Value, path: &str) -> Option<Indicator> {
    let mut o = r.object(v, path, indicator::OBJECT)?;
    let ma = o.req(r, indicator::MA, |r, v, p| r.text(v, p));
    let ten = o.req(r, indicator::TEN, |r, v, p| r.text(v, p));
    let don_vi_tinh = o.req(r, indicator::DON_VI_TINH, |r, v, p| r.text(v, p));
    let ke_hoach = o.req(r, indicator::KE_HOACH, |r, v, p| r.quantity(v, p));
    o.finish(r);
    Some(Indicator {
        ma: ma?,
        ten: ten?,
        don_vi_tinh: don_vi_tinh?,
        ke_hoach: ke_hoach?,
    })
}

/// Codes must be unique; references inside the plan must resolve.
fn check_plan(r: &mut Reader, tree: &Value, plan: &Plan) -> bool {
    let before = r.diags.len();
    let locate = |path: &str| locate(tree, path);
    let dup = |r: &mut Reader, path: String, what: &str, code: &str| {
        r.error(
            locate(&path),
            &path,
            Code::DuplicateCode,
            format!("mã {what} `{code}` bị trùng; mỗi mã chỉ được dùng một lần trong kế hoạch"),
        );
    };
    let mut seen = HashMap::new();
    // A unit's forms and submissions are named after its code (`735-vinh-cuu.json`):
    // a code with no Latin letter or digit would name a hidden file
    // (`.json`, then never read) or one starting with "-", and two codes
    // alike but for their signs would share one file.
    let mut stems: HashMap<String, &str> = HashMap::new();
    for (i, u) in plan.don_vi.iter().enumerate() {
        if seen.insert(u.ma.as_str(), i).is_some() {
            dup(r, format!("don_vi[{i}].ma"), "đơn vị", &u.ma);
            continue;
        }
        let path = format!("don_vi[{i}].ma");
        if crate::excel::ascii_name(&u.ma).is_empty() {
            r.error(
                locate(&path),
                &path,
                Code::DuplicateCode,
                format!(
                    "mã đơn vị `{}` không có chữ cái Latin hay chữ số nào nên không đặt được tên tệp biểu mẫu và báo cáo của đơn vị; dùng mã có chữ số, ví dụ 735",
                    u.ma
                ),
            );
            continue;
        }
        let stem = crate::excel::unit_stem(u);
        if let Some(other) = stems.insert(stem.clone(), u.ma.as_str()) {
            r.error(
                locate(&path),
                &path,
                Code::DuplicateCode,
                format!(
                    "mã đơn vị `{}` và `{other}` cho cùng một tên tệp `{stem}.json` (tên tệp chỉ giữ chữ cái Latin và chữ số của mã và tên đơn vị), nên báo cáo của đơn vị này sẽ ghi đè lên đơn vị kia; đổi một trong hai mã",
                    u.ma
                ),
            );
        }
    }
    let mut seen = HashMap::new();
    for (i, s) in plan.nguon_kinh_phi.iter().enumerate() {
        if seen.insert(s.ma.as_str(), i).is_some() {
            dup(
                r,
                format!("nguon_kinh_phi[{i}].ma"),
                "nguồn kinh phí",
                &s.ma,
            );
        }
    }
    let (mut programmes, mut items) = (HashMap::new(), HashMap::new());
    for (pi, prog) in plan.chuong_trinh.iter().enumerate() {
        if programmes.insert(prog.ma.as_str(), pi).is_some() {
            dup(
                r,
                format!("chuong_trinh[{pi}].ma"),
                "chương trình",
                &prog.ma,
            );
        }
        for (ii, item) in prog.noi_dung.iter().enumerate() {
            let base = format!("chuong_trinh[{pi}].noi_dung[{ii}]");
            if items.insert(item.ma.as_str(), ii).is_some() {
                dup(r, format!("{base}.ma"), "nội dung", &item.ma);
            }
            let mut indicators = HashMap::new();
            for (ci, ind) in item.chi_tieu.iter().enumerate() {
                if indicators.insert(ind.ma.as_str(), ci).is_some() {
                    dup(r, format!("{base}.chi_tieu[{ci}].ma"), "chỉ tiêu", &ind.ma);
                }
            }
            if let Some(code) = &item.nguon {
                if !plan.nguon_kinh_phi.iter().any(|s| &s.ma == code) {
                    let path = format!("{base}.nguon");
                    unknown_source(r, locate(&path), &path, code, plan);
                }
            }
            let split = format!("{base}.theo_nguon");
            for code in item.theo_nguon.keys() {
                if !plan.nguon_kinh_phi.iter().any(|s| &s.ma == code) {
                    let at = key_offset(tree, &split, code);
                    unknown_source(r, at, &json::key_path(&split, code), code, plan);
                }
            }
        }
    }
    r.diags.len() == before
}

fn unknown_source(r: &mut Reader, offset: usize, path: &str, code: &str, plan: &Plan) {
    let codes: Vec<&str> = plan.nguon_kinh_phi.iter().map(|s| s.ma.as_str()).collect();
    r.error(
        offset,
        path,
        Code::UnknownSource,
        format!(
            "nguồn kinh phí `{code}` không có trong kế hoạch.{} Các mã hợp lệ: {}",
            hint(code, codes.iter().copied()),
            codes.join(", ")
        ),
    );
}

/// Byte offset of the value at a JSON path like `a[2].b` (for checks made
/// after decoding); the start of the file when it cannot be found.
fn locate(tree: &Value, path: &str) -> usize {
    value_at(tree, path).start()
}

/// The value at a JSON path like `a[2].b`, or the deepest one found on the way.
fn value_at<'t, 'a>(tree: &'t Value<'a>, path: &str) -> &'t Value<'a> {
    let mut v = tree;
    for part in path.split('.') {
        let (key, indices) = part
            .split_once('[')
            .map_or((part, ""), |(k, rest)| (k, rest));
        if let Value::Object(o) = v {
            match o.properties.iter().find(|p| p.name.as_str() == key) {
                Some(p) => v = &p.value,
                None => return v,
            }
        }
        for index in indices.split('[').filter(|s| !s.is_empty()) {
            let i: usize = index.trim_end_matches(']').parse().unwrap_or(usize::MAX);
            match v {
                Value::Array(a) if i < a.elements.len() => v = &a.elements[i],
                _ => return v,
            }
        }
    }
    v
}

/// Byte offset of the value of `key` (any key, even one with a dot) in the
/// object at `object`; the object's own when it has no such key.
fn key_offset(tree: &Value, object: &str, key: &str) -> usize {
    match value_at(tree, object) {
        Value::Object(o) => o
            .properties
            .iter()
            .find(|p| p.name.as_str() == key)
            .map_or(o.range.start, |p| p.value.start()),
        v => v.start(),
    }
}

// ---- decoding one submission against the plan ----

/// The year's plan with its lookups, as submissions are checked against it.
struct Against<'p> {
    plan: &'p Plan,
    index: PlanIndex<'p>,
}

/// The submission when it is valid against the plan, and its revision key
/// whenever the unit, year and `lan_nop` are valid. Without a plan (`None`), only
/// the checks that need none are made.
fn decode_submission(
    r: &mut Reader,
    tree: &Value,
    against: Option<&Against>,
) -> (Option<Submission>, Option<Revision>) {
    let Some(mut o) = r.object(tree, "$", submission::OBJECT) else {
        return (None, None);
    };
    let loai = o.req(r, submission::LOAI, |r, v, p| r.text(v, p));
    let nam = o
        .req(r, submission::NAM, |r, v, p| r.integer(v, p, 2000, 2100))
        .map(|n| n as i32);
    if let (Some(y), Some(a)) = (nam, against) {
        if y != a.plan.nam {
            r.error(
                o.offset_of(submission::NAM.name),
                submission::NAM.name,
                Code::WrongYear,
                format!("báo cáo của năm {y} nhưng đang tổng hợp năm {}; sửa `nam` thành {} hoặc bỏ tệp này ra khỏi thư mục dữ liệu", a.plan.nam, a.plan.nam),
            );
        }
    }
    let ma_don_vi = o.req(r, submission::MA_DON_VI, |r, v, p| r.text(v, p));
    if let (Some(code), Some(a)) = (&ma_don_vi, against) {
        if a.index.unit(code).is_none() {
            let codes: Vec<&str> = a.plan.don_vi.iter().map(|u| u.ma.as_str()).collect();
            r.error(
                o.offset_of(submission::MA_DON_VI.name),
                submission::MA_DON_VI.name,
                Code::UnknownUnit,
                format!(
                    "mã đơn vị `{code}` không có trong danh mục đơn vị năm {}.{} Các mã hợp lệ: {}",
                    a.plan.nam,
                    hint(code, codes.iter().copied()),
                    codes.join(", ")
                ),
            );
        }
    }
    let lan_nop = o
        .req(r, submission::LAN_NOP, |r, v, p| r.integer(v, p, 1, 999))
        .map(|n| n as u32);
    let revision = match (&ma_don_vi, nam, lan_nop) {
        (Some(unit), Some(nam), Some(lan_nop)) => Some(Revision {
            unit: unit.clone(),
            nam,
            lan_nop,
            offset: o.offset_of(submission::LAN_NOP.name),
        }),
        _ => None,
    };
    let ngay_nop = o.req(r, submission::NGAY_NOP, |r, v, p| r.date(v, p));
    let nguoi_lap = o.req(r, submission::NGUOI_LAP, |r, v, p| r.text(v, p));
    let hoat_dong = o.req(r, submission::HOAT_DONG, |r, v, p| {
        r.array(v, p, |r, v, p| decode_activity(r, v, p, against))
    });
    let khong = o.opt(r, submission::KHONG_THUC_HIEN, |r, v, p| {
        r.array(v, p, |r, v, p| decode_not_implemented(r, v, p, against))
    });
    let ngoai = o.opt(r, submission::NGOAI_KE_HOACH, |r, v, p| {
        r.array(v, p, |r, v, p| decode_extra(r, v, p, against))
    });
    o.finish(r);
    let submission = against.and_then(|a| {
        Some(Submission {
            loai: loai?,
            nam: nam.filter(|&y| y == a.plan.nam)?,
            ma_don_vi: ma_don_vi.filter(|c| a.index.unit(c).is_some())?,
            lan_nop: lan_nop?,
            ngay_nop: ngay_nop?,
            nguoi_lap: nguoi_lap?,
            hoat_dong: hoat_dong?,
            khong_thuc_hien: khong.ok()?.unwrap_or_default(),
            ngoai_ke_hoach: ngoai.ok()?.unwrap_or_default(),
        })
    });
    (submission, revision)
}

/// A plan item code, checked against the plan (without one, only as text).
fn item_code<'p>(
    r: &mut Reader,
    v: &Value,
    path: &str,
    against: Option<&Against<'p>>,
) -> Option<&'p PlanItem> {
    let code = r.text(v, path)?;
    let against = against?;
    let plan = against.plan;
    let item = against.index.item(&code);
    if item.is_none() {
        let codes: Vec<&str> = plan
            .chuong_trinh
            .iter()
            .flat_map(|p| &p.noi_dung)
            .map(|i| i.ma.as_str())
            .collect();
        r.error(
            v.start(),
            path,
            Code::UnknownItem,
            format!(
                "nội dung `{code}` không có trong kế hoạch năm {}.{} Các mã nội dung hợp lệ: {}",
                plan.nam,
                hint(&code, codes.iter().copied()),
                codes.join(", ")
            ),
        );
    }
    item
}

/// A funding source code, checked against the plan (without one, only as text).
fn source_code(r: &mut Reader, v: &Value, path: &str, against: Option<&Against>) -> Option<String> {
    let code = r.text(v, path)?;
    match against {
        Some(a) if !a.index.has_source(&code) => {
            unknown_source(r, v.start(), path, &code, a.plan);
            None
        }
        _ => Some(code),
    }
}

fn decode_activity(
    r: &mut Reader,
    v: &Value,
    path: &str,
    against: Option<&Against>,
) -> Option<Activity> {
    let mut o = r.object(v, path, activity::OBJECT)?;
    let item = o.req(r, activity::NOI_DUNG, |r, v, p| item_code(r, v, p, against));
    let mo_ta = o.req(r, activity::MO_TA, |r, v, p| r.text(v, p));
    let chi_tieu = o.opt(r, activity::CHI_TIEU, |r, v, p| {
        decode_quantities(r, v, p, item, against)
    });
    let kinh_phi = o.opt(r, activity::KINH_PHI, |r, v, p| r.money(v, p));
    let nguon = o.opt(r, activity::NGUON, |r, v, p| source_code(r, v, p, against));
    let theo_nguon = o.opt(r, activity::THEO_NGUON, |r, v, p| {
        decode_split(r, v, p, against)
    });
    let money = money_by_source(
        r,
        &o,
        kinh_phi,
        nguon,
        theo_nguon,
        SplitOwner::Activity(item, against.map(|a| a.plan)),
    );
    let de_an = o.opt(r, activity::DE_AN, decode_project);
    let dia_diem = o.opt(r, activity::DIA_DIEM, |r, v, p| r.texts(v, p));
    let tu_ngay = o.opt(r, activity::TU_NGAY, |r, v, p| r.date(v, p));
    let den_ngay = o.opt(r, activity::DEN_NGAY, |r, v, p| r.date(v, p));
    if let (Ok(Some(from)), Ok(Some(to))) = (&tu_ngay, &den_ngay) {
        if to < from {
            r.error(
                o.offset_of(activity::DEN_NGAY.name),
                &json::key_path(path, activity::DEN_NGAY.name),
                Code::Inconsistent,
                match r.src.form {
                    Some(form) => format!(
                        "“{}” ({}) trước “{}” ({}); kiểm tra lại hai ngày",
                        form.header(&json::key_path(path, activity::DEN_NGAY.name))
                            .unwrap_or_default(),
                        crate::excel::import::day_month_year(*to),
                        form.header(&json::key_path(path, activity::TU_NGAY.name))
                            .unwrap_or_default(),
                        crate::excel::import::day_month_year(*from),
                    ),
                    None => {
                        format!("`den_ngay` ({to}) trước `tu_ngay` ({from}); kiểm tra lại hai ngày")
                    }
                },
            );
        }
    }
    let ghi_chu = o.opt(r, activity::GHI_CHU, |r, v, p| r.text(v, p));
    o.finish(r);
    let (kinh_phi, nguon, theo_nguon) = money?;
    Some(Activity {
        noi_dung: item?.ma.clone(),
        mo_ta: mo_ta?,
        chi_tieu: chi_tieu.ok()?.unwrap_or_default(),
        kinh_phi,
        nguon,
        theo_nguon,
        de_an: de_an.ok()?,
        dia_diem: dia_diem.ok()?.unwrap_or_default(),
        tu_ngay: tu_ngay.ok()?,
        den_ngay: den_ngay.ok()?,
        ghi_chu: ghi_chu.ok()?,
    })
}

/// Whose money a split is: a plan item's (it must name its source), or an
/// activity's of this item (it may take the item's one source).
#[derive(Clone, Copy)]
enum SplitOwner<'p> {
    Plan,
    Activity(Option<&'p PlanItem>, Option<&'p Plan>),
}

/// `kinh_phi` with either one `nguon` or a `theo_nguon` split that adds up
/// to it; an activity with a split may leave the total out.
fn money_by_source(
    r: &mut Reader,
    o: &Obj,
    total: Result<Option<Money>, json::Reported>,
    nguon: Result<Option<String>, json::Reported>,
    split: Result<Option<Split>, json::Reported>,
    owner: SplitOwner,
) -> Option<(Money, Option<String>, Split)> {
    // An activity's and a plan item's money keys are spelled alike.
    const THEO_NGUON: &str = activity::THEO_NGUON.name;
    let path = |key| json::key_path(&o.path, key);
    let (total, nguon, split) = (total.ok()?, nguon.ok()?, split.ok()?.unwrap_or_default());
    if nguon.is_some() && !split.is_empty() {
        r.error(o.offset_of(THEO_NGUON), &path(THEO_NGUON), Code::Inconsistent, "ghi hoặc `nguon` (cả số tiền thuộc một nguồn) hoặc `theo_nguon` (chia theo nhiều nguồn), không ghi cả hai; xóa một trong hai khóa".into());
        return None;
    }
    let sum: rust_decimal::Decimal = split.values().map(|m| m.0).sum();
    let total = match (total, split.is_empty()) {
        (Some(total), false) if total.0 != sum => {
            let parts: Vec<String> = split
                .iter()
                .map(|(code, m)| format!("{code} {}", m.0))
                .collect();
            // Only an activity may leave its total to the split; a plan
            // item states its total (KC011 without it).
            let or_leave_out = match owner {
                SplitOwner::Activity(..) => ", hoặc bỏ `kinh_phi` để chương trình tự cộng",
                SplitOwner::Plan => " (kinh phí kế hoạch là tổng mọi nguồn)",
            };
            r.error(o.offset_of(THEO_NGUON), &path(THEO_NGUON), Code::Inconsistent, format!(
                "các phần theo nguồn ({}) cộng lại được {sum} đồng, khác `kinh_phi` {} đồng (lệch {} đồng); sửa cho tổng các phần đúng bằng `kinh_phi`{or_leave_out}",
                parts.join(" + "), total.0, (sum - total.0).abs()
            ));
            return None;
        }
        (Some(total), _) => total,
        (None, false) if matches!(owner, SplitOwner::Activity(..)) => Money(sum),
        (None, _) => {
            if matches!(owner, SplitOwner::Activity(..)) {
                r.error(o.start(), &path(activity::KINH_PHI.name), Code::MissingKey, "thiếu khóa `kinh_phi`: ghi `\"kinh_phi\": số đồng`, hoặc `\"theo_nguon\": {\"mã_nguồn\": số đồng, ...}` khi tiền đến từ nhiều nguồn".into());
            }
            // A plan item's missing total is already reported by `req`.
            return None;
        }
    };
    match owner {
        SplitOwner::Plan if nguon.is_none() && split.is_empty() => {
            r.error(o.start(), &path(item::NGUON.name), Code::MissingKey, "thiếu nguồn kinh phí: ghi `\"nguon\": \"mã_nguồn\"` khi cả kinh phí thuộc một nguồn, hoặc `\"theo_nguon\": {\"mã_nguồn\": số đồng, ...}` khi chia theo nhiều nguồn".into());
            return None;
        }
        SplitOwner::Activity(Some(item), plan)
            if nguon.is_none() && split.is_empty() && item.sole_source().is_none() =>
        {
            let codes: Vec<&str> = item.theo_nguon.keys().map(String::as_str).collect();
            let message = match (r.src.form, plan) {
                (Some(_), Some(plan)) => {
                    let headers: Vec<String> = codes
                        .iter()
                        .map(|c| format!("“{}”", crate::excel::column_label(plan, &crate::excel::Field::Money(c.to_string()))))
                        .collect();
                    format!(
                        "nội dung “{}” có kinh phí từ nhiều nguồn nên phải ghi số đồng vào cột của từng nguồn ({}); nguồn không chi thì ghi 0",
                        item_words(plan, &item.ma),
                        headers.join(", ")
                    )
                }
                _ => format!(
                    "nội dung `{}` có kinh phí từ nhiều nguồn ({}) nên phải ghi kinh phí của hoạt động theo nguồn: `\"theo_nguon\": {{\"{}\": số đồng, ...}}`, hoặc `\"nguon\"` khi cả số tiền thuộc một nguồn",
                    item.ma, codes.join(", "), codes.first().unwrap_or(&"")
                ),
            };
            r.error(o.start(), &path(THEO_NGUON), Code::MissingKey, message);
            return None;
        }
        _ => {}
    }
    Some((total, nguon, split))
}

/// `{"dia_phuong": 200000000, "doi_ung": 150000000}`: amounts by source
/// (checked against the plan's sources when there is one).
fn decode_split(r: &mut Reader, v: &Value, path: &str, against: Option<&Against>) -> Option<Split> {
    let Value::Object(obj) = v else {
        r.error(
            v.start(),
            path,
            Code::WrongType,
            "`theo_nguon` phải là một đối tượng dạng {\"mã_nguồn\": số đồng, ...}".into(),
        );
        return None;
    };
    r.map(v, path)?; // duplicate keys
    if obj.properties.is_empty() {
        r.error(v.start(), path, Code::Inconsistent, "`theo_nguon` không có nguồn nào; ghi ít nhất một `\"mã_nguồn\": số đồng`, hoặc bỏ hẳn khóa này".into());
        return None;
    }
    let before = r.diags.len();
    let mut out = Split::new();
    for prop in &obj.properties {
        let code = prop.name.as_str();
        let at = json::key_path(path, code);
        let money = r.money(&prop.value, &at);
        match against {
            Some(a) if !a.index.has_source(code) => {
                unknown_source(r, prop.value.start(), &at, code, a.plan)
            }
            _ => {
                out.extend(money.map(|m| (code.to_string(), m)));
            }
        }
    }
    (r.diags.len() == before).then_some(out)
}

fn decode_project(r: &mut Reader, v: &Value, path: &str) -> Option<Project> {
    let mut o = r.object(v, path, project::OBJECT)?;
    let ten = o.req(r, project::TEN, |r, v, p| r.text(v, p));
    let co_so = o.req(r, project::CO_SO, |r, v, p| r.text(v, p));
    let statuses = ProjectStatus::ALL.map(|(s, code, _)| (s, code));
    let trang_thai = o.req(r, project::TRANG_THAI, |r, v, p| {
        r.choice(v, p, "tình trạng đề án", &statuses)
    });
    o.finish(r);
    Some(Project {
        ten: ten?,
        co_so: co_so?,
        trang_thai: trang_thai?,
    })
}

/// `{"hoc_vien": 48}`: each code must be an indicator of the item (when
/// the item is known).
fn decode_quantities(
    r: &mut Reader,
    v: &Value,
    path: &str,
    item: Option<&PlanItem>,
    against: Option<&Against>,
) -> Option<BTreeMap<String, Quantity>> {
    let Value::Object(obj) = v else {
        r.error(
            v.start(),
            path,
            Code::WrongType,
            "`chi_tieu` phải là một đối tượng dạng {\"mã_chỉ_tiêu\": số lượng}".into(),
        );
        return None;
    };
    r.map(v, path)?; // duplicate keys
    let before = r.diags.len();
    let mut out = BTreeMap::new();
    let mut unknown = Vec::new();
    for prop in &obj.properties {
        let code = prop.name.as_str();
        let q = r.quantity(&prop.value, &json::key_path(path, code));
        if item.is_some_and(|item| !item.chi_tieu.iter().any(|i| i.ma == code)) {
            unknown.push(prop);
        } else if let Some(q) = q {
            out.insert(code.to_string(), q);
        }
    }
    if let (Some(item), Some(form), Some(a)) = (item, r.src.form, against) {
        // A form has a column per indicator: the cell is in one that is
        // not the item's.
        let plan = a.plan;
        let columns: Vec<String> = item
            .chi_tieu
            .iter()
            .map(|i| {
                format!(
                    "“{}”",
                    crate::excel::column_label(plan, &crate::excel::Field::Indicator(i.ma.clone()))
                )
            })
            .collect();
        let valid = if columns.is_empty() {
            "nội dung này không có chỉ tiêu nào".to_string()
        } else {
            format!("số lượng của nội dung này ghi ở cột {}", columns.join(", "))
        };
        for p in &unknown {
            let at = json::key_path(path, p.name.as_str());
            let message = format!(
                "cột “{}” không phải chỉ tiêu của nội dung “{}”: để trống ô này; {valid}",
                form.header(&at).unwrap_or_default(),
                item_words(plan, &item.ma)
            );
            r.error(p.range.start, &at, Code::UnknownIndicator, message);
        }
    } else if let Some(item) = item {
        let codes: Vec<&str> = item.chi_tieu.iter().map(|i| i.ma.as_str()).collect();
        let valid = if codes.is_empty() {
            "Nội dung này không có chỉ tiêu nào; bỏ `chi_tieu` đi.".to_string()
        } else {
            format!("Các mã hợp lệ: {}", codes.join(", "))
        };
        r.report_keys(
            path,
            &unknown,
            Code::UnknownIndicator,
            |code| {
                format!(
                    "chỉ tiêu `{code}` không có trong nội dung `{}` của kế hoạch.{} {valid}",
                    item.ma,
                    hint(code, codes.iter().copied())
                )
            },
            |rest| {
                format!(
                    "còn {rest} mã chỉ tiêu lạ khác trong `chi_tieu` này, không liệt kê hết: mỗi mã phải là một chỉ tiêu của nội dung `{}`. {valid}",
                    item.ma
                )
            },
        );
    }
    (r.diags.len() == before).then_some(out)
}

fn decode_not_implemented(
    r: &mut Reader,
    v: &Value,
    path: &str,
    against: Option<&Against>,
) -> Option<NotImplemented> {
    let mut o = r.object(v, path, not_done::OBJECT)?;
    let item = o.req(r, not_done::NOI_DUNG, |r, v, p| item_code(r, v, p, against));
    let ly_do = o.opt(r, not_done::LY_DO, |r, v, p| r.text(v, p));
    let ghi_chu = o.opt(r, not_done::GHI_CHU, |r, v, p| r.text(v, p));
    if let (Some(item), Ok(None)) = (item, &ly_do) {
        if item.ly_do_khong_thuc_hien.is_none() {
            let at = json::key_path(path, not_done::LY_DO.name);
            let message = match (r.src.form, against) {
                (Some(form), Some(a)) => format!(
                    "nội dung “{}” không có lý do chung trong kế hoạch: ghi lý do không thực hiện vào ô “{}”",
                    item_words(a.plan, &item.ma),
                    form.header(&at).unwrap_or_default()
                ),
                _ => format!("nội dung `{}` không có lý do mặc định trong kế hoạch: ghi `\"ly_do\": \"...\"` nêu nguyên nhân không thực hiện", item.ma),
            };
            r.error(o.start(), &at, Code::MissingKey, message);
        }
    }
    o.finish(r);
    Some(NotImplemented {
        noi_dung: item?.ma.clone(),
        ly_do: ly_do.ok()?,
        ghi_chu: ghi_chu.ok()?,
    })
}

fn decode_extra(
    r: &mut Reader,
    v: &Value,
    path: &str,
    against: Option<&Against>,
) -> Option<ExtraTask> {
    let mut o = r.object(v, path, extra::OBJECT)?;
    let ten = o.req(r, extra::TEN, |r, v, p| r.text(v, p));
    let can_cu = o.req(r, extra::CAN_CU, |r, v, p| r.text(v, p));
    let kinh_phi = o.req(r, extra::KINH_PHI, |r, v, p| r.money(v, p));
    let du_kien = o.req(r, extra::DU_KIEN, |r, v, p| r.boolean(v, p));
    let nguon = o.req(r, extra::NGUON, |r, v, p| source_code(r, v, p, against));
    let ghi_chu = o.opt(r, extra::GHI_CHU, |r, v, p| r.text(v, p));
    o.finish(r);
    Some(ExtraTask {
        ten: ten?,
        can_cu: can_cu?,
        kinh_phi: kinh_phi?,
        du_kien: du_kien?,
        nguon: nguon?,
        ghi_chu: ghi_chu.ok()?,
    })
}
