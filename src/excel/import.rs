//! Reading a filled form back: each cell becomes the JSON value the
//! contract expects, with what spreadsheets do to data undone (numbers typed
//! as text with separators, dates as serial numbers or as "15/11/2023",
//! formulas read as their saved values). Nothing here judges the values:
//! the JSON text goes through the same checks as a hand-written file, and
//! `place_in_cells` turns the JSON paths of their findings into cells.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_from_rs, Data, Range, Reader, Xlsx};
use serde_json::{Map, Number, Value};

use super::*;
use crate::contract::ProjectStatus;
use crate::diagnostic::{shown_path, Code, Diagnostic, Diagnostics};
use crate::json::key_path;
use crate::load::identity;
use crate::validate::{Dataset, Loaded};

/// A form read into a submission's JSON text.
#[derive(Debug, Clone)]
pub struct Form {
    pub json: String,
    /// Where each JSON path came from: path → `Sheet!A1`.
    pub cells: HashMap<String, String>,
    /// Things done that the officer should know (extra columns ignored).
    pub notices: Vec<String>,
    pub activities: usize,
}

impl Form {
    /// The cell of a JSON path, or of the nearest enclosing value.
    pub fn cell_of(&self, path: &str) -> Option<&str> {
        let mut path = path;
        loop {
            if let Some(cell) = self.cells.get(path) {
                return Some(cell);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

/// True for a file the forms' reader takes (by extension).
pub fn is_form(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// Reads a form from disk.
pub fn read(path: &Path) -> Result<Form, Diagnostics> {
    match std::fs::read(path) {
        Ok(bytes) => from_bytes(path, &bytes),
        Err(e) => Err(Diagnostics(vec![problem(
            path,
            "$",
            Code::Unreadable,
            format!("không đọc được tệp ({e})"),
        )])),
    }
}

fn problem(path: &Path, at: &str, code: Code, message: String) -> Diagnostic {
    Diagnostic {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        path: at.to_string(),
        code,
        message,
    }
}

fn not_a_form(path: &Path, at: &str, why: String) -> Diagnostics {
    Diagnostics(vec![problem(path, at, Code::NotAForm, why)])
}

/// Reads a form's bytes; `path` is only named in problems.
pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Form, Diagnostics> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        not_a_form(
            path,
            "$",
            format!("không mở được như tệp Excel .xlsx ({e}); mở bằng Excel hay LibreOffice Calc rồi lưu lại dạng .xlsx (Excel Workbook)"),
        )
    })?;
    let mut sheet = |name: &str| {
        book.worksheet_range(name).map_err(|_| {
            not_a_form(
                path,
                "$",
                format!("không có trang \"{name}\": đây không phải biểu mẫu do `khuyencong bieu-mau` tạo, hoặc trang đã bị đổi tên; điền vào biểu mẫu gốc"),
            )
        })
    };
    let info = sheet(SHEET_INFO)?;
    let activities = sheet(SHEET_ACTIVITIES)?;
    let not_done = sheet(SHEET_NOT_DONE)?;
    let extra = sheet(SHEET_EXTRA)?;
    let catalogue = sheet(SHEET_CATALOGUE)?;

    // The drop-downs' words → item and source codes.
    let codes = |col: u16| {
        let mut codes = HashMap::new();
        for row in 1..=catalogue.end().map_or(0, |(r, _)| r) {
            if let (Some(words), Some(code)) =
                (text(&catalogue, row, col), text(&catalogue, row, col + 1))
            {
                codes.insert(words, code);
            }
        }
        codes
    };

    let mut reader = FormReader {
        path,
        cells: HashMap::new(),
        notices: Vec::new(),
        problems: Diagnostics::default(),
        items: codes(0),
        sources: codes(4),
    };
    let mut root = Map::new();
    root.insert(
        "loai".into(),
        Value::String(crate::contract::KIND_SUBMISSION.into()),
    );
    reader.cells.insert(
        "$".into(),
        cell_name(SHEET_INFO, info_row("ma_don_vi"), INFO_VALUE_COL),
    );
    for (key, _) in INFO {
        if key == "ten_don_vi" {
            continue;
        }
        let (row, col) = (info_row(key), INFO_VALUE_COL);
        reader
            .cells
            .insert(key.into(), cell_name(SHEET_INFO, row, col));
        let data = cell(&info, row, col);
        let value = match key {
            "nam" | "lan_nop" => whole(data),
            "ngay_nop" => date(data),
            _ => text_value(data),
        };
        root.insert(key.into(), value.unwrap_or(Value::Null));
    }
    // A blank detail is a missing key for the checks, which say so at its cell.
    root.retain(|_, v| !v.is_null());

    let rows = reader.table(&activities, SHEET_ACTIVITIES, "hoat_dong", &activity_keys)?;
    let count = rows.len();
    root.insert("hoat_dong".into(), Value::Array(rows));
    let rows = reader.table(&not_done, SHEET_NOT_DONE, "khong_thuc_hien", &not_done_keys)?;
    if !rows.is_empty() {
        root.insert("khong_thuc_hien".into(), Value::Array(rows));
    }
    let rows = reader.table(&extra, SHEET_EXTRA, "ngoai_ke_hoach", &extra_keys)?;
    if !rows.is_empty() {
        root.insert("ngoai_ke_hoach".into(), Value::Array(rows));
    }
    if !reader.problems.is_empty() {
        return Err(reader.problems);
    }
    let mut json = serde_json::to_string_pretty(&Value::Object(root)).expect("JSON values print");
    json.push('\n');
    Ok(Form {
        json,
        cells: reader.cells,
        notices: reader.notices,
        activities: count,
    })
}

fn info_row(key: &str) -> u32 {
    INFO_FIRST_ROW + INFO.iter().position(|(k, _)| *k == key).unwrap_or(0) as u32
}

/// The keys a table's key row may hold.
fn activity_keys(key: &str) -> Option<ColumnKind> {
    use ColumnKind::*;
    if key.starts_with(INDICATOR_KEY) {
        return Some(Quantity);
    }
    if key.starts_with(MONEY_KEY) {
        return Some(Money);
    }
    Some(match key {
        "noi_dung" => Item,
        "mo_ta" | "de_an.ten" | "de_an.co_so" | "ghi_chu" => Text,
        "dia_diem" => Places,
        "tu_ngay" | "den_ngay" => Date,
        "de_an.trang_thai" => Status,
        _ => return None,
    })
}

fn not_done_keys(key: &str) -> Option<ColumnKind> {
    kind_in(&not_done_columns(), key)
}

fn extra_keys(key: &str) -> Option<ColumnKind> {
    kind_in(&extra_columns(), key)
}

fn kind_in(columns: &[Column], key: &str) -> Option<ColumnKind> {
    columns.iter().find(|c| c.key == key).map(|c| c.kind)
}

struct FormReader<'a> {
    path: &'a Path,
    cells: HashMap<String, String>,
    notices: Vec<String>,
    problems: Diagnostics,
    items: HashMap<String, String>,
    sources: HashMap<String, String>,
}

impl FormReader<'_> {
    /// The rows of a table sheet as JSON objects, blank rows skipped.
    fn table(
        &mut self,
        range: &Range<Data>,
        sheet: &str,
        list: &str,
        known: &dyn Fn(&str) -> Option<ColumnKind>,
    ) -> Result<Vec<Value>, Diagnostics> {
        let (last_row, last_col) = range.end().unwrap_or((0, 0));
        let mut columns = Vec::new();
        let mut extra = Vec::new();
        for col in 0..=last_col.min(u32::from(u16::MAX)) as u16 {
            match text(range, KEY_ROW, col) {
                Some(key) => match known(&key) {
                    Some(kind) => columns.push((col, key, kind)),
                    None => {
                        return Err(not_a_form(
                            self.path,
                            &cell_name(sheet, KEY_ROW, col),
                            format!("cột {} có khóa lạ \"{key}\" ở dòng ẩn số {}: biểu mẫu đã bị sửa cấu trúc; chép số liệu sang biểu mẫu mới do `khuyencong bieu-mau` tạo", column_letters(col), KEY_ROW + 1),
                        ))
                    }
                },
                None => extra.push(col),
            }
        }
        if columns.is_empty() {
            return Err(not_a_form(
                self.path,
                &cell_name(sheet, KEY_ROW, 0),
                format!("trang \"{sheet}\" không có dòng khóa ẩn (dòng {}) của biểu mẫu: biểu mẫu đã bị sửa cấu trúc; chép số liệu sang biểu mẫu mới do `khuyencong bieu-mau` tạo", KEY_ROW + 1),
            ));
        }
        let used_extra: Vec<String> = extra
            .iter()
            .filter(|&&c| (FIRST_DATA_ROW..=last_row).any(|r| !blank(cell(range, r, c))))
            .map(|&c| column_letters(c))
            .collect();
        if !used_extra.is_empty() {
            self.notices.push(format!(
                "trang \"{sheet}\": cột {} không thuộc biểu mẫu nên số liệu trong đó bị bỏ qua",
                used_extra.join(", ")
            ));
        }

        let mut rows = Vec::new();
        for row in FIRST_DATA_ROW..=last_row {
            if columns.iter().all(|(c, ..)| blank(cell(range, row, *c))) {
                continue;
            }
            let at = format!("{list}[{}]", rows.len());
            let value = self.row(range, sheet, row, &at, &columns);
            rows.push(value);
        }
        Ok(rows)
    }

    /// One row as the contract's object (an activity or an item not done).
    fn row(
        &mut self,
        range: &Range<Data>,
        sheet: &str,
        row: u32,
        at: &str,
        columns: &[(u16, String, ColumnKind)],
    ) -> Value {
        let mut object = Map::new();
        let mut quantities = Map::new();
        let mut money: Vec<(String, Value, String)> = Vec::new();
        let mut project = Map::new();
        let mut first_money = None;
        self.cells
            .insert(at.to_string(), cell_name(sheet, row, columns[0].0));
        for (col, key, kind) in columns {
            let name = cell_name(sheet, row, *col);
            let data = cell(range, row, *col);
            if key.starts_with(MONEY_KEY) && first_money.is_none() {
                first_money = Some(name.clone());
            }
            let value = match kind {
                ColumnKind::Item => text(range, row, *col)
                    .map(|t| Value::String(self.items.get(&t).cloned().unwrap_or(t))),
                ColumnKind::Source => text(range, row, *col)
                    .map(|t| Value::String(self.sources.get(&t).cloned().unwrap_or(t))),
                ColumnKind::YesNo => text(range, row, *col).map(|t| {
                    match YES_NO.iter().position(|w| w.eq_ignore_ascii_case(&t)) {
                        Some(i) => Value::Bool(i == 0),
                        None => Value::String(t),
                    }
                }),
                ColumnKind::Text => text_value(data),
                ColumnKind::Places => text(range, row, *col).map(|t| {
                    Value::Array(
                        t.split([';', '\n'])
                            .map(str::trim)
                            .filter(|p| !p.is_empty())
                            .map(|p| Value::String(p.into()))
                            .collect(),
                    )
                }),
                ColumnKind::Date => date(data),
                ColumnKind::Quantity | ColumnKind::Money => number(data),
                ColumnKind::Status => text(range, row, *col).map(|t| {
                    let code = ProjectStatus::ALL
                        .iter()
                        .find(|(_, _, words)| words.eq_ignore_ascii_case(&t))
                        .map_or(t, |(_, code, _)| code.to_string());
                    Value::String(code)
                }),
            };
            if let Some(code) = key.strip_prefix(INDICATOR_KEY) {
                let path = key_path(&key_path(at, "chi_tieu"), code);
                self.cells.insert(path, name);
                quantities.extend(value.map(|v| (code.to_string(), v)));
            } else if let Some(code) = key.strip_prefix(MONEY_KEY) {
                let path = key_path(&key_path(at, "theo_nguon"), code);
                self.cells.insert(path, name.clone());
                money.extend(value.map(|v| (code.to_string(), v, name)));
            } else if let Some(field) = key.strip_prefix("de_an.") {
                let path = key_path(&key_path(at, "de_an"), field);
                self.cells.insert(path, name);
                project.extend(value.map(|v| (field.to_string(), v)));
            } else {
                self.cells.insert(key_path(at, key), name);
                object.extend(value.map(|v| (key.clone(), v)));
            }
        }
        if !quantities.is_empty() {
            object.insert("chi_tieu".into(), Value::Object(quantities));
        }
        if let Some(first) = first_money {
            self.money(at, &mut object, money, first);
        }
        if !project.is_empty() {
            let first = columns.iter().find(|(_, k, _)| k.starts_with("de_an."));
            if let Some((col, ..)) = first {
                let name = cell_name(sheet, row, *col);
                self.cells.insert(key_path(at, "de_an"), name);
            }
            object.insert("de_an".into(), Value::Object(project));
        }
        Value::Object(object)
    }

    /// An activity's money: one source's amount with its code, several as a
    /// split, none as zero (the item's one source).
    fn money(
        &mut self,
        at: &str,
        object: &mut Map<String, Value>,
        money: Vec<(String, Value, String)>,
        first_column: String,
    ) {
        let kinh_phi = key_path(at, "kinh_phi");
        let split = key_path(at, "theo_nguon");
        match money.as_slice() {
            [] => {
                self.cells.insert(kinh_phi, first_column.clone());
                self.cells
                    .insert(key_path(at, "nguon"), first_column.clone());
                self.cells.insert(split, first_column);
                object.insert("kinh_phi".into(), Value::from(0));
            }
            [(code, value, name)] => {
                self.cells.insert(kinh_phi, name.clone());
                self.cells.insert(key_path(at, "nguon"), name.clone());
                self.cells.insert(split, name.clone());
                object.insert("kinh_phi".into(), value.clone());
                object.insert("nguon".into(), Value::String(code.clone()));
            }
            [(_, _, name), ..] => {
                self.cells.insert(kinh_phi, name.clone());
                self.cells.insert(key_path(at, "nguon"), name.clone());
                self.cells.insert(split, name.clone());
                let parts = money.into_iter().map(|(c, v, _)| (c, v)).collect();
                object.insert("theo_nguon".into(), Value::Object(parts));
            }
        }
    }
}

fn cell(range: &Range<Data>, row: u32, col: u16) -> &Data {
    range
        .get_value((row, u32::from(col)))
        .unwrap_or(&Data::Empty)
}

fn blank(data: &Data) -> bool {
    match data {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A cell as trimmed text.
fn text(range: &Range<Data>, row: u32, col: u16) -> Option<String> {
    text_of(cell(range, row, col))
}

/// A value as trimmed text; numbers as the spreadsheet shows them plainly.
fn text_of(data: &Data) -> Option<String> {
    match data {
        Data::Empty => None,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            Some(s.trim().to_string()).filter(|s| !s.is_empty())
        }
        Data::Float(f) => Some(plain_number(*f)),
        Data::Int(i) => Some(i.to_string()),
        Data::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.into()),
        Data::DateTime(d) => Some(plain_number(d.as_f64())),
        Data::Error(e) => Some(format!("#{e:?}")),
    }
}

fn text_value(data: &Data) -> Option<Value> {
    text_of(data).map(Value::String)
}

/// The shortest text that reads back as the same double ("2.5", "18000000").
fn plain_number(f: f64) -> String {
    format!("{f}")
}

/// A whole number cell (year, submission number).
fn whole(data: &Data) -> Option<Value> {
    match number(data)? {
        Value::String(s) => Some(s.parse::<u64>().map_or(Value::String(s), Value::from)),
        v => Some(v),
    }
}

/// A quantity or an amount: numbers stay numbers (whole ones exactly, as
/// integers); text is read the Vietnamese way — dots or spaces between
/// thousands ("18.000.000", "18 000 000"), a comma before decimals ("2,5")
/// — and given to the checks as the digits it means, or as typed when it
/// means no number (they refuse it there, at its cell).
fn number(data: &Data) -> Option<Value> {
    let f = match data {
        Data::Empty => return None,
        Data::Int(i) => return Some(Value::from(*i)),
        Data::Float(f) => *f,
        Data::DateTime(d) => d.as_f64(),
        Data::String(s) => {
            let s = s.trim();
            return (!s.is_empty()).then(|| Value::String(vietnamese_number(s)));
        }
        other => return text_value(other),
    };
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        return Some(Value::from(f as i64));
    }
    // Not whole: the checks say whether a fraction is allowed here.
    Some(
        plain_number(f)
            .parse::<Number>()
            .map_or_else(|_| Value::String(plain_number(f)), Value::Number),
    )
}

/// "18.000.000" → "18000000", "1.234,5" → "1234.5", "2,5" → "2.5"; other
/// text unchanged.
fn vietnamese_number(typed: &str) -> String {
    let s: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .collect();
    let (whole, fraction) = match s.split_once(',') {
        Some((w, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (w, Some(f)),
        Some(_) => return typed.to_string(),
        None => (s.as_str(), None),
    };
    let groups: Vec<&str> = whole.split('.').collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    let digits = if grouped {
        groups.concat()
    } else if groups.len() == 1 && whole.bytes().all(|b| b.is_ascii_digit()) {
        whole.to_string()
    } else {
        // No number read the Vietnamese way ("mười", "-5", "1.5"): as
        // typed, for the checks to judge.
        return typed.to_string();
    };
    match fraction {
        Some(f) => format!("{digits}.{f}"),
        None => digits,
    }
}

/// A date cell: a date or a serial number, or text "15/11/2023" (also with
/// "-" or "."), or "2023-11-15"; other text as typed, for the checks.
fn date(data: &Data) -> Option<Value> {
    let serial = match data {
        Data::Empty => return None,
        Data::DateTime(d) => d.as_f64(),
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        Data::DateTimeIso(s) => return Some(Value::String(s.chars().take(10).collect())),
        Data::String(s) => {
            let s = s.trim();
            return (!s.is_empty()).then(|| Value::String(day_month_year(s)));
        }
        other => return text_value(other),
    };
    Some(Value::String(serial_date(serial)))
}

/// "15/11/2023" → "2023-11-15"; other text unchanged.
fn day_month_year(s: &str) -> String {
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    match parts.as_slice() {
        [d, m, y]
            if y.len() == 4
                && (1..=2).contains(&d.len())
                && (1..=2).contains(&m.len())
                && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) =>
        {
            format!("{y}-{m:0>2}-{d:0>2}")
        }
        _ => s.to_string(),
    }
}

/// An Excel serial day (1900 system; the time of day dropped) as
/// "YYYY-MM-DD"; serials before 1 March 1900 are not dates of this report.
fn serial_date(serial: f64) -> String {
    if !(61.0..2_958_466.0).contains(&serial) {
        return plain_number(serial);
    }
    // Days from 1970-01-01: Excel's day 25569.
    let days = serial.floor() as i64 - 25_569;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The forms' problems pointed at their cells instead of lines of the JSON
/// text made from them. Each form named is read again (cheap, and the same
/// reading); other files' problems pass unchanged.
pub fn place_in_cells(diags: Diagnostics) -> Diagnostics {
    place_with(diags, |path| read(path).ok())
}

/// [`place_in_cells`] for forms already read (the desk's uploads).
pub fn place_in(diags: Diagnostics, forms: &HashMap<PathBuf, Form>) -> Diagnostics {
    place_with(diags, |path| forms.get(path).cloned())
}

fn place_with(diags: Diagnostics, mut form_of: impl FnMut(&Path) -> Option<Form>) -> Diagnostics {
    let mut forms: BTreeMap<std::path::PathBuf, Option<Form>> = BTreeMap::new();
    let placed = diags
        .0
        .into_iter()
        .map(|mut d| {
            if !is_form(&d.file) || d.line == 0 {
                return d;
            }
            let form = forms
                .entry(d.file.clone())
                .or_insert_with(|| form_of(&d.file));
            if let Some(cell) = form.as_ref().and_then(|f| f.cell_of(&d.path)) {
                d.path = cell.to_string();
                d.line = 0;
                d.column = 0;
            }
            d
        })
        .collect();
    Diagnostics(placed).sorted()
}

/// Where an imported submission goes in the input folder: the usual names,
/// `bao-cao/<mã>-<tên>.json` for a first submission, `…-lan-N.json` after.
pub fn destination(input: &Path, unit: &crate::contract::Unit, lan_nop: u32) -> PathBuf {
    let name = format!("{}-{}", unit.ma, ascii_name(&unit.ten));
    let name = match lan_nop {
        1 => format!("{name}.json"),
        n => format!("{name}-lan-{n}.json"),
    };
    input.join("bao-cao").join(name)
}

/// Each form with the file its submission is to be written to, once the
/// forms have passed the checks (`data` holds them with the input folder).
/// Refused: a form superseded by a revision already there or imported with
/// it, and a file already in the way (nothing is ever overwritten).
/// Submissions by the identity of their file.
fn by_identity(
    list: &[Loaded<crate::contract::Submission>],
) -> std::collections::HashMap<PathBuf, &Loaded<crate::contract::Submission>> {
    list.iter().map(|s| (identity(&s.path), s)).collect()
}

pub fn destinations(
    forms: &[PathBuf],
    data: &Dataset,
    input: &Path,
) -> Result<Vec<(PathBuf, PathBuf)>, Diagnostics> {
    let index = data.plan.value.index();
    let mut problems = Diagnostics::default();
    let mut out = Vec::new();
    let lan_nop_cell = cell_name(SHEET_INFO, info_row("lan_nop"), INFO_VALUE_COL);
    // Each file's identity once: a folder can hold 10.000 reports.
    let (superseded, submissions) = (
        by_identity(&data.superseded),
        by_identity(&data.submissions),
    );
    for form in forms {
        let form_identity = identity(form);
        if let Some(old) = superseded.get(&form_identity) {
            let newer = data
                .submissions
                .iter()
                .find(|s| s.value.ma_don_vi == old.value.ma_don_vi);
            if let Some(newer) = newer {
                problems.push(problem(form, &lan_nop_cell, Code::DuplicateSubmission, format!(
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
        let Some(sub) = submissions.get(&form_identity) else {
            continue;
        };
        let Some((_, unit)) = index.unit(&sub.value.ma_don_vi) else {
            continue;
        };
        let target = destination(input, unit, sub.value.lan_nop);
        if target.exists() {
            problems.push(problem(form, &lan_nop_cell, Code::DuplicateSubmission, format!(
                "đã có tệp {} nên không ghi đè; nếu đây là bản sửa thì tăng lần nộp lên {}, nếu tệp đó ghi nhầm thì chuyển nó ra khỏi thư mục dữ liệu",
                shown_path(&target),
                sub.value.lan_nop + 1
            )));
            continue;
        }
        out.push((form.clone(), target));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.sorted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_the_vietnamese_way() {
        assert_eq!(vietnamese_number("18.000.000"), "18000000");
        assert_eq!(vietnamese_number("18 000 000"), "18000000");
        assert_eq!(vietnamese_number("1.234,5"), "1234.5");
        assert_eq!(vietnamese_number("2,5"), "2.5");
        assert_eq!(vietnamese_number("1.5"), "1.5");
        assert_eq!(vietnamese_number("18,000,000"), "18,000,000");
        assert_eq!(vietnamese_number("mười tám"), "mười tám");
        assert_eq!(vietnamese_number("-5"), "-5");
    }

    #[test]
    fn dates() {
        assert_eq!(day_month_year("15/11/2023"), "2023-11-15");
        assert_eq!(day_month_year("5-1-2023"), "2023-01-05");
        assert_eq!(day_month_year("2023-11-15"), "2023-11-15");
        assert_eq!(serial_date(45245.0), "2023-11-15");
        assert_eq!(serial_date(45245.75), "2023-11-15");
        assert_eq!(serial_date(36526.0), "2000-01-01");
    }
}
