//! Reading a filled form against the year's plan. The form must be the
//! plan's own: its locked cells (the unit's code and name, the year), its
//! catalogue and its label and key rows are compared with what
//! `bieu-mau` writes for that plan and unit, and any that disagrees is
//! refused at its cell (KC042): a protection without a password keeps no
//! one out. Then each cell gets in only as the type its column asks,
//! read the way spreadsheets hold it (numbers typed as text with
//! Vietnamese separators, dates as day/month/year text or as dates),
//! everything else refused at the cell in the officer's words. What is
//! read becomes exactly the JSON text a hand-written submission would
//! be, which the JSON checks then judge, their problems placed in the
//! cells (`Places`).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::{Map, Number, Value as Json};
use unicode_normalization::UnicodeNormalization;

use super::workbook::{Cell, Sheet, Value, Workbook};
use super::*;
use crate::contract::keys::{activity, submission};
use crate::contract::{Date, Plan, ProjectStatus, Unit};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::json::key_path;

/// The sheets a form is read from.
pub const SHEETS: [&str; 5] = [
    SHEET_INFO,
    SHEET_ACTIVITIES,
    SHEET_NOT_DONE,
    SHEET_EXTRA,
    SHEET_CATALOGUE,
];

/// True for a file the forms' reader takes (by extension).
pub fn is_form(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// A form read into a submission's JSON text.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub json: String,
    /// Where each JSON path came from.
    pub places: Places,
    /// Cells whose value could not get in, each at its cell; the JSON
    /// text leaves their values out.
    pub problems: Diagnostics,
    /// What the officer should know (columns ignored, no activity).
    pub notes: Diagnostics,
}

/// A cell and the header of its column (or the label of a detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub cell: String,
    pub header: String,
}

/// Each JSON path of a form's text with the cell it came from.
#[derive(Debug, Clone, Default)]
pub struct Places(HashMap<String, Place>);

impl Places {
    fn insert(&mut self, path: String, cell: String, header: &str) {
        self.0.insert(
            path,
            Place {
                cell,
                header: header.to_string(),
            },
        );
    }

    /// The place of a JSON path, or of the nearest enclosing value.
    pub fn of(&self, path: &str) -> Option<&Place> {
        let mut path = path;
        loop {
            if let Some(place) = self.0.get(path) {
                return Some(place);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

impl crate::json::Cells for Places {
    fn cell(&self, path: &str) -> Option<&str> {
        self.of(path).map(|p| p.cell.as_str())
    }
    fn header(&self, path: &str) -> Option<&str> {
        self.of(path).map(|p| p.header.as_str())
    }
}

/// Reads a form's cells against `plan`. Refused whole (`Err`) when it is
/// not the plan's form for one of its units; otherwise the values that
/// could not get in are among the form's `problems`.
pub fn read(path: &Path, book: &Workbook, plan: &Plan) -> Result<Form, Diagnostics> {
    let mut refusal = Diagnostics::default();
    let problem = |at: String, code: Code, message: String| Diagnostic::at(path, at, code, message);
    let mut sheets = HashMap::new();
    for name in SHEETS {
        match book.sheet(name) {
            Some(Some(sheet)) => {
                sheets.insert(name, sheet);
            }
            Some(None) => refusal.push(problem(
                "$".into(),
                Code::NotAForm,
                format!("trang \"{name}\" bị hỏng (không đọc được nội dung của trang); mở tệp bằng Excel hay LibreOffice Calc, lưu lại dạng .xlsx rồi gửi lại"),
            )),
            None => refusal.push(problem(
                "$".into(),
                Code::NotAForm,
                format!("không có trang \"{name}\": đây không phải biểu mẫu do `khuyencong bieu-mau` tạo, hoặc trang đã bị đổi tên; điền vào biểu mẫu gốc"),
            )),
        }
    }
    if !refusal.is_empty() {
        return Err(refusal);
    }
    let info = sheets[SHEET_INFO];
    let unit = match identity(info, plan) {
        Ok(unit) => unit,
        Err(found) => {
            return Err(Diagnostics(
                found
                    .into_iter()
                    .map(|(at, code, message)| problem(at, code, message))
                    .collect(),
            ))
        }
    };
    let tables = tables(plan);
    let mut layout = Vec::new();
    for table in &tables {
        layout.extend(check_layout(sheets[table.sheet], table));
    }
    layout.extend(check_catalogue(sheets[SHEET_CATALOGUE], plan));
    if !layout.is_empty() {
        return Err(Diagnostics(
            layout
                .into_iter()
                .map(|(at, message)| problem(at, Code::NotAForm, message))
                .collect(),
        ));
    }

    let mut reader = FormReader {
        path,
        plan,
        is_1904: book.is_1904,
        form: Form::default(),
        items: item_labels(plan)
            .into_iter()
            .map(|(item, label)| (label, item.ma.clone()))
            .collect(),
    };
    let json = reader.submission(info, unit, &tables, &sheets);
    let mut form = reader.form;
    form.json = serde_json::to_string_pretty(&Json::Object(json)).expect("JSON values print");
    form.json.push('\n');
    form.problems = std::mem::take(&mut form.problems).sorted();
    Ok(form)
}

/// A locked cell that disagrees with the plan: (cell, code, message).
type Disagreement = (String, Code, String);

/// The form's year and unit, from its locked cells, checked against the
/// plan: the year is the plan's, the code a unit of its registry, the name
/// that unit's. The labels beside them are the form's.
fn identity<'p>(info: &Sheet, plan: &'p Plan) -> Result<&'p Unit, Vec<Disagreement>> {
    let mut found = Vec::new();
    let at = |row: u32, col: u16| cell_name(SHEET_INFO, row, col);
    for (i, detail) in INFO.iter().enumerate() {
        let row = INFO_FIRST_ROW + i as u32;
        let typed = shown(info.get(row, u32::from(INFO_LABEL_COL)));
        if typed.as_deref() != Some(detail.label) {
            found.push((
                at(row, INFO_LABEL_COL),
                Code::NotAForm,
                locked_changed(typed.as_deref(), detail.label),
            ));
        }
    }
    if !found.is_empty() {
        return Err(found);
    }
    let year_row = info_row(submission::NAM);
    let year = info.get(year_row, u32::from(INFO_VALUE_COL));
    match year.map(|c| &c.value) {
        Some(Value::Number(n)) if *n == f64::from(plan.nam) => {}
        Some(Value::Number(n)) if n.fract() == 0.0 && (1900.0..=9999.0).contains(n) => {
            found.push((
                at(year_row, INFO_VALUE_COL),
                Code::WrongYear,
                format!("biểu mẫu của năm {n} nhưng đang tổng hợp năm {}; điền biểu mẫu của năm {} (`khuyencong bieu-mau`), hoặc chọn năm bằng `--year`", plan.nam, plan.nam),
            ));
            return Err(found);
        }
        _ => {
            let typed = shown(year);
            found.push((
                at(year_row, INFO_VALUE_COL),
                Code::NotAForm,
                locked_changed(typed.as_deref(), &plan.nam.to_string()),
            ));
            return Err(found);
        }
    }
    let code_row = info_row(submission::MA_DON_VI);
    let code = shown(info.get(code_row, u32::from(INFO_VALUE_COL))).unwrap_or_default();
    let Some((_, unit)) = plan.index().unit(&code) else {
        let codes: Vec<&str> = plan.don_vi.iter().map(|u| u.ma.as_str()).collect();
        found.push((
            at(code_row, INFO_VALUE_COL),
            Code::UnknownUnit,
            format!(
                "mã đơn vị `{code}` không có trong danh mục đơn vị năm {}.{} Các mã hợp lệ: {}. Ô này là ô khóa: dùng biểu mẫu do `khuyencong bieu-mau` tạo cho đơn vị mình",
                plan.nam,
                crate::diagnostic::hint(&code, codes.iter().copied()),
                codes.join(", ")
            ),
        ));
        return Err(found);
    };
    let name = shown(info.get(INFO_NAME_ROW, u32::from(INFO_VALUE_COL))).unwrap_or_default();
    if name != unit.ten {
        found.push((
            at(code_row, INFO_VALUE_COL),
            Code::NotAForm,
            format!(
                "mã đơn vị {} là của {} nhưng tên đơn vị ở ô {} là “{name}”: mã và tên đơn vị là ô khóa, biểu mẫu đã bị sửa; dùng biểu mẫu do `khuyencong bieu-mau` tạo cho đơn vị mình",
                unit.ma,
                unit.ten,
                cell_ref(INFO_NAME_ROW, u32::from(INFO_VALUE_COL)),
            ),
        ));
        return Err(found);
    }
    Ok(unit)
}

/// "ô khóa … đã bị sửa" for a cell that must hold `expected`.
fn locked_changed(typed: Option<&str>, expected: &str) -> String {
    let typed = typed.map_or_else(|| "để trống".to_string(), |t| format!("ghi “{t}”"));
    format!("ô này phải ghi “{expected}” như biểu mẫu do `khuyencong bieu-mau` tạo cho kế hoạch năm này, nhưng {typed}: biểu mẫu đã bị sửa cấu trúc; chép số liệu sang biểu mẫu mới do `khuyencong bieu-mau` tạo")
}

/// The label and key rows of a table sheet, which must be those of the
/// plan's form: the first cell of each that disagrees.
fn check_layout(sheet: &Sheet, table: &Table) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (row, what) in [(LABEL_ROW, "tiêu đề"), (KEY_ROW, "khóa ẩn")] {
        for (c, column) in table.columns.iter().enumerate() {
            let expected = if row == LABEL_ROW {
                &column.label
            } else {
                &column.key
            };
            let typed = shown(sheet.get(row, c as u32));
            if typed.as_deref() != Some(expected.as_str()) {
                let message = format!(
                    "dòng {what} số {} của trang: {}",
                    row + 1,
                    locked_changed(typed.as_deref(), expected)
                );
                found.push((cell_name(table.sheet, row, c as u16), message));
                break;
            }
        }
    }
    found
}

/// The catalogue, which must be the plan's: items, their codes and
/// indicators, funding sources, project statuses; nothing else below its
/// headers.
fn check_catalogue(sheet: &Sheet, plan: &Plan) -> Vec<(String, String)> {
    let mut expected: HashMap<(u32, u32), String> = CATALOGUE_HEADERS
        .iter()
        .map(|&(c, h)| ((0, u32::from(c)), h.to_string()))
        .collect();
    expected.insert(
        (0, u32::from(CATALOGUE_STATUS_COL)),
        CATALOGUE_STATUS_HEADER.into(),
    );
    for (row, col, text) in catalogue(plan) {
        expected.insert((row, u32::from(col)), text);
    }
    let mut cells: Vec<(u32, u32)> = expected
        .keys()
        .copied()
        .chain(sheet.cells.keys().copied())
        .collect();
    cells.sort_unstable();
    cells.dedup();
    cells
        .into_iter()
        .find_map(|(row, col)| {
            let want = expected.get(&(row, col));
            let typed = shown(sheet.get(row, col));
            (typed.as_deref() != want.map(String::as_str)).then(|| {
                let message = match want {
                    Some(want) => format!(
                        "danh mục của kế hoạch đã bị sửa: {}",
                        locked_changed(typed.as_deref(), want)
                    ),
                    None => format!(
                        "danh mục của kế hoạch đã bị sửa: ô này phải để trống nhưng ghi “{}”; chép số liệu sang biểu mẫu mới do `khuyencong bieu-mau` tạo",
                        typed.unwrap_or_default()
                    ),
                };
                (cell_name(SHEET_CATALOGUE, row, col as u16), message)
            })
        })
        .into_iter()
        .collect()
}

/// A cell as the text a spreadsheet shows plainly (locked cells, labels).
fn shown(cell: Option<&Cell>) -> Option<String> {
    match &cell?.value {
        Value::Text(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(f) => Some(plain_number(*f)),
        Value::Date(Some(d), _) => Some(day_month_year(*d)),
        Value::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.into()),
        Value::Error(e) => Some(e.clone()),
        Value::Date(None, serial) => Some(plain_number(*serial)),
        Value::Empty => None,
    }
}

/// 15/11/2023.
pub fn day_month_year(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day, d.month, d.year)
}

/// The shortest text that reads back as the same double ("2.5", "18000000").
fn plain_number(f: f64) -> String {
    format!("{f}")
}

/// A date cell's serial that is a time of day alone (no day).
fn time_alone(serial: f64) -> bool {
    (0.0..1.0).contains(&serial)
}

/// Why a cell shown as a date has no day, from its serial: a time alone,
/// or a number no day of a spreadsheet's calendar has.
fn no_day(serial: f64) -> String {
    if time_alone(serial) {
        "ô chỉ có giờ, không có ngày".into()
    } else {
        format!(
            "ô dạng Ngày ghi số {}, không phải ngày nào từ 01/03/1900 tới 31/12/9999",
            plain_number(serial)
        )
    }
}

/// Text compared the way an officer sees it: NFC, spaces collapsed,
/// case ignored.
fn normal(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .nfc()
        .collect::<String>()
        .to_lowercase()
}

/// Text without diacritics, for recognising rows typed in many ways.
fn bare(text: &str) -> String {
    ascii_name(text).replace('-', " ")
}

struct FormReader<'a> {
    path: &'a Path,
    plan: &'a Plan,
    is_1904: bool,
    form: Form,
    /// The drop-down's words of each item → its code.
    items: Vec<(String, String)>,
}

impl FormReader<'_> {
    fn problem(&mut self, cell: String, code: Code, message: String) {
        let problem = Diagnostic::at(self.path, cell, code, message);
        self.form.problems.push(problem);
    }

    fn note(&mut self, cell: String, code: Code, message: String) {
        let note = Diagnostic::at(self.path, cell, code, message);
        self.form.notes.push(note);
    }

    /// The submission's object, in the contract's order of keys.
    fn submission(
        &mut self,
        info: &Sheet,
        unit: &Unit,
        tables: &[Table; 3],
        sheets: &HashMap<&str, &Sheet>,
    ) -> Map<String, Json> {
        let mut root = Map::new();
        root.insert(
            submission::LOAI.name.into(),
            Json::String(crate::contract::KIND_SUBMISSION.into()),
        );
        self.form
            .places
            .insert("$".into(), info_cell(submission::MA_DON_VI), INFO[1].label);
        for (i, detail) in INFO.iter().enumerate() {
            let Some(key) = detail.key else { continue };
            let row = INFO_FIRST_ROW + i as u32;
            let at = cell_name(SHEET_INFO, row, INFO_VALUE_COL);
            self.form
                .places
                .insert(key.name.into(), at.clone(), detail.label);
            let cell = info.get(row, u32::from(INFO_VALUE_COL));
            let value = match key {
                submission::NAM => Some(Json::from(self.plan.nam)),
                submission::MA_DON_VI => Some(Json::String(unit.ma.clone())),
                submission::LAN_NOP => self.revision(cell, &at, detail.label),
                submission::NGAY_NOP => self.date(cell, &at, detail.label),
                _ => self.text(cell, &at, detail.label).map(Json::String),
            };
            root.extend(value.map(|v| (key.name.to_string(), v)));
        }
        for table in tables {
            let rows = self.table(sheets[table.sheet], table);
            if table.list == submission::HOAT_DONG {
                if rows.is_empty() {
                    self.note(
                        format!("{}!A{}", table.sheet, FIRST_DATA_ROW + 1),
                        Code::NoActivity,
                        format!("biểu mẫu không có hoạt động nào (trang \"{}\" để trống); báo cáo của đơn vị sẽ ghi là không có hoạt động", table.sheet),
                    );
                }
            } else if rows.is_empty() {
                continue;
            }
            root.insert(table.list.name.into(), Json::Array(rows));
        }
        root
    }

    /// The rows of a table sheet as the contract's objects, blank rows
    /// skipped; a total row, a signature row and merged cells refused.
    fn table(&mut self, sheet: &Sheet, table: &Table) -> Vec<Json> {
        for &(r0, c0, r1, c1) in &sheet.merged {
            self.problem(
                cell_name(table.sheet, r0, c0 as u16),
                Code::NotAForm,
                format!(
                    "các ô {}:{} được gộp thành một: bỏ gộp ô (Merge/Hợp nhất ô); mỗi ô của trang số liệu giữ một giá trị của đúng cột của nó",
                    cell_ref(r0, c0),
                    cell_ref(r1, c1)
                ),
            );
        }
        let width = table.columns.len() as u32;
        let (last_row, _) = sheet.end();
        let outside: Vec<u32> = {
            let mut cols: Vec<u32> = sheet
                .cells
                .iter()
                .filter(|(&(r, c), cell)| r >= FIRST_DATA_ROW && c >= width && !blank(Some(cell)))
                .map(|(&(_, c), _)| c)
                .collect();
            cols.sort_unstable();
            cols.dedup();
            cols
        };
        if let Some(&first) = outside.first() {
            let names: Vec<String> = outside.iter().map(|&c| column_letters(c as u16)).collect();
            self.note(
                cell_name(table.sheet, FIRST_DATA_ROW, first as u16),
                Code::ColumnsIgnored,
                format!(
                    "trang \"{}\": cột {} không thuộc biểu mẫu nên số liệu trong đó bị bỏ qua",
                    table.sheet,
                    names.join(", ")
                ),
            );
        }
        let mut rows = Vec::new();
        for row in FIRST_DATA_ROW..=last_row {
            let cells: Vec<Option<&Cell>> = (0..width).map(|c| sheet.get(row, c)).collect();
            if cells.iter().all(|c| blank(*c)) {
                continue;
            }
            if let Some(message) = self.not_data(&cells, table) {
                self.problem(cell_name(table.sheet, row, 0), Code::NotAForm, message);
                continue;
            }
            let at = format!("{}[{}]", table.list.name, rows.len());
            rows.push(self.row(table, row, &cells, &at));
        }
        rows
    }

    /// Why a row is not one of data: a total, or a signature.
    fn not_data(&self, cells: &[Option<&Cell>], table: &Table) -> Option<String> {
        let first = cells
            .first()
            .copied()
            .flatten()
            .and_then(|c| shown(Some(c)));
        let is_label = first
            .as_deref()
            .is_some_and(|t| self.item_code(t).is_some());
        if is_label {
            return None;
        }
        let texts: Vec<String> = cells
            .iter()
            .filter_map(|c| shown(*c))
            .map(|t| bare(&t))
            .collect();
        // Whole words: "Tổng kết …" names a task, "Tổng cộng" sums a table.
        let says = |exactly: &[&str], beginning: &[&str]| {
            texts.iter().any(|t| {
                exactly.contains(&t.as_str())
                    || beginning
                        .iter()
                        .any(|w| t == w || t.starts_with(&format!("{w} ")))
            })
        };
        let sums = cells.iter().zip(&table.columns).any(|(cell, column)| {
            matches!(column.kind, ColumnKind::Money | ColumnKind::Quantity)
                && cell.and_then(|c| c.formula.as_deref()).is_some_and(|f| {
                    let f = f.to_ascii_uppercase();
                    f.contains("SUM") || f.contains("SUBTOTAL")
                })
        });
        if sums
            || says(
                &["tong", "cong", "tong so", "total", "sum"],
                &["tong cong", "cong tong"],
            )
        {
            return Some("dòng này là dòng tổng cộng: xóa dòng tổng cộng: công cụ tự cộng kinh phí và số lượng của các hoạt động, nên dòng tổng sẽ bị cộng hai lần".into());
        }
        if says(
            &[
                "nguoi lap",
                "nguoi ky",
                "thu truong",
                "giam doc",
                "pho giam doc",
                "truong phong",
                "chu tich",
                "xac nhan",
                "ky ten",
            ],
            &[
                "nguoi lap bieu",
                "nguoi lap bao cao",
                "thu truong don vi",
                "ky ghi ro ho ten",
                "ky va ghi ro ho ten",
                "ky dong dau",
                "xac nhan cua",
            ],
        ) {
            return Some("dòng này là dòng chữ ký, không phải hoạt động: xóa dòng chữ ký; người lập báo cáo ghi ở trang \"Thông tin\" (ô B8), biểu mẫu không cần chữ ký".into());
        }
        None
    }

    /// The code of the item a drop-down's words name.
    fn item_code(&self, typed: &str) -> Option<&str> {
        choice(
            typed,
            self.items.iter().map(|(l, c)| (l.as_str(), c.as_str())),
        )
    }

    /// One row as the contract's object.
    fn row(&mut self, table: &Table, row: u32, cells: &[Option<&Cell>], at: &str) -> Json {
        let mut own = Map::new();
        let mut quantities = Map::new();
        let mut money: Vec<(String, Json, String)> = Vec::new();
        let mut project = Map::new();
        let (mut first_money, mut first_project, mut first_indicator) = (None, None, None);
        self.form.places.insert(
            at.to_string(),
            cell_name(table.sheet, row, 0),
            &table.columns[0].label,
        );
        for (c, column) in table.columns.iter().enumerate() {
            let name = cell_name(table.sheet, row, c as u16);
            let header = column.label.as_str();
            let value = self.value(cells[c], column.kind, &name, header);
            match &column.field {
                Field::Own(key) => {
                    self.form
                        .places
                        .insert(key_path(at, key.name), name, header);
                    own.extend(value.map(|v| (key.name.to_string(), v)));
                }
                Field::Project(key) => {
                    let path = key_path(&key_path(at, activity::DE_AN.name), key.name);
                    first_project.get_or_insert((name.clone(), column.label.clone()));
                    self.form.places.insert(path, name, header);
                    project.extend(value.map(|v| (key.name.to_string(), v)));
                }
                Field::Indicator(code) => {
                    let path = key_path(&key_path(at, activity::CHI_TIEU.name), code);
                    first_indicator.get_or_insert((name.clone(), column.label.clone()));
                    self.form.places.insert(path, name, header);
                    quantities.extend(value.map(|v| (code.clone(), v)));
                }
                Field::Money(code) => {
                    let path = key_path(&key_path(at, activity::THEO_NGUON.name), code);
                    first_money.get_or_insert((name.clone(), column.label.clone()));
                    self.form.places.insert(path, name.clone(), header);
                    money.extend(value.map(|v| (code.clone(), v, name)));
                }
            }
        }
        if table.list != submission::HOAT_DONG {
            return Json::Object(own);
        }
        // The activity's keys in the contract's order.
        let mut object = Map::new();
        let mut take = |key: crate::contract::keys::Key, object: &mut Map<String, Json>| {
            if let Some(v) = own.remove(key.name) {
                object.insert(key.name.into(), v);
            }
        };
        take(activity::NOI_DUNG, &mut object);
        take(activity::MO_TA, &mut object);
        if let Some((cell, header)) = first_indicator {
            self.form
                .places
                .insert(key_path(at, activity::CHI_TIEU.name), cell, &header);
        }
        if !quantities.is_empty() {
            object.insert(activity::CHI_TIEU.name.into(), Json::Object(quantities));
        }
        if let Some((cell, header)) = first_money {
            self.money(at, &mut object, money, cell, header);
        }
        if let Some((cell, header)) = first_project {
            self.form
                .places
                .insert(key_path(at, activity::DE_AN.name), cell, &header);
        }
        if !project.is_empty() {
            object.insert(activity::DE_AN.name.into(), Json::Object(project));
        }
        for key in [
            activity::DIA_DIEM,
            activity::TU_NGAY,
            activity::DEN_NGAY,
            activity::GHI_CHU,
        ] {
            take(key, &mut object);
        }
        Json::Object(object)
    }

    /// An activity's money: one source's amount with its code, several as a
    /// split, none as zero (the item's one source).
    fn money(
        &mut self,
        at: &str,
        object: &mut Map<String, Json>,
        money: Vec<(String, Json, String)>,
        first: String,
        header: String,
    ) {
        let (kinh_phi, nguon, split) = (
            key_path(at, activity::KINH_PHI.name),
            key_path(at, activity::NGUON.name),
            key_path(at, activity::THEO_NGUON.name),
        );
        let cell = money.first().map_or(first, |(_, _, name)| name.clone());
        for path in [kinh_phi, nguon, split] {
            self.form.places.insert(path, cell.clone(), &header);
        }
        match money.as_slice() {
            [] => {
                object.insert(activity::KINH_PHI.name.into(), Json::from(0));
            }
            [(code, value, _)] => {
                object.insert(activity::KINH_PHI.name.into(), value.clone());
                object.insert(activity::NGUON.name.into(), Json::String(code.clone()));
            }
            _ => {
                let parts = money.into_iter().map(|(c, v, _)| (c, v)).collect();
                object.insert(activity::THEO_NGUON.name.into(), Json::Object(parts));
            }
        }
    }

    /// A cell read as its column's kind: `None` when blank or refused.
    fn value(
        &mut self,
        cell: Option<&Cell>,
        kind: ColumnKind,
        at: &str,
        header: &str,
    ) -> Option<Json> {
        match kind {
            ColumnKind::Text => self.text(cell, at, header).map(Json::String),
            ColumnKind::Places => self.text(cell, at, header).map(|t| {
                Json::Array(
                    t.split([';', '\n'])
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(|p| Json::String(p.into()))
                        .collect(),
                )
            }),
            ColumnKind::Date => self.date(cell, at, header),
            ColumnKind::Money | ColumnKind::Quantity => self.number(cell, kind, at, header),
            ColumnKind::Item => {
                let typed = self.text(cell, at, header)?;
                let items = self.items.iter().map(|(l, c)| (l.as_str(), c.as_str()));
                let year = self.plan.nam;
                let picked = pick(&typed, items, |closest, _| {
                    format!("nội dung “{typed}” không có trong danh sách nội dung của kế hoạch năm {year}.{closest} Chọn nội dung bằng mũi tên ở cạnh ô (danh sách ở trang \"{SHEET_CATALOGUE}\")")
                });
                self.picked(picked, at, Code::UnknownItem)
            }
            ColumnKind::Source => {
                let typed = self.text(cell, at, header)?;
                let sources = self.plan.nguon_kinh_phi.iter();
                let picked = pick(
                    &typed,
                    sources.map(|s| (s.ten.as_str(), s.ma.as_str())),
                    |closest, all| {
                        format!("nguồn kinh phí “{typed}” không có trong kế hoạch.{closest} Chọn nguồn bằng mũi tên ở cạnh ô: {all}")
                    },
                );
                self.picked(picked, at, Code::UnknownSource)
            }
            ColumnKind::Status => {
                let typed = self.text(cell, at, header)?;
                let statuses = ProjectStatus::ALL.iter().map(|(_, c, w)| (*w, *c));
                let picked = pick(&typed, statuses, |closest, all| {
                    format!("tình trạng đề án “{typed}” không có trong danh sách.{closest} Chọn một trong: {all}")
                });
                self.picked(picked, at, Code::UnknownValue)
            }
            ColumnKind::YesNo => {
                let typed = self.text(cell, at, header)?;
                match YES_NO.iter().position(|w| bare(w) == bare(&typed)) {
                    Some(i) => Some(Json::Bool(i == 0)),
                    None => {
                        self.problem(
                            at.into(),
                            Code::WrongType,
                            format!("ô “{header}” ghi “{typed}”: chọn Có hoặc Không"),
                        );
                        None
                    }
                }
            }
        }
    }

    /// A drop-down's value, or its refusal made a problem of `cell`.
    fn picked(&mut self, picked: Result<Json, String>, at: &str, code: Code) -> Option<Json> {
        picked
            .map_err(|message| self.problem(at.into(), code, message))
            .ok()
    }

    /// What a cell that is no value of its column holds, refused in words
    /// the officer knows; `None` for a value to read.
    fn unusable(&mut self, cell: &Cell, code: Code, at: &str, what: &str) -> bool {
        let message = match &cell.value {
            Value::Error(e) => format!("ô có giá trị lỗi {e} của bảng tính (công thức tính sai hoặc trỏ tới ô không có): sửa công thức hoặc ghi thẳng {what}"),
            Value::Empty => format!("ô có công thức nhưng tệp không lưu kết quả của công thức (tệp được lưu bằng chương trình không tính công thức): mở tệp bằng Excel hay LibreOffice Calc rồi lưu lại, hoặc ghi thẳng {what}"),
            Value::Bool(b) => format!("ô là giá trị đúng/sai ({}) chứ không phải {what}: ghi lại ô này", if *b { "TRUE" } else { "FALSE" }),
            Value::Number(f) if !f.is_finite() => format!("ô có số không hữu hạn: ghi {what}"),
            _ => return false,
        };
        self.problem(at.into(), code, message);
        true
    }

    /// A text cell, trimmed; numbers and dates as the spreadsheet shows them.
    fn text(&mut self, cell: Option<&Cell>, at: &str, header: &str) -> Option<String> {
        let cell = cell.filter(|c| !blank(Some(c)))?;
        if self.unusable(
            cell,
            Code::WrongType,
            at,
            &format!("nội dung của cột “{header}”"),
        ) {
            return None;
        }
        match &cell.value {
            Value::Date(None, serial) => {
                self.problem(
                    at.into(),
                    Code::WrongType,
                    format!("{}, không phải chữ: ghi lại ô này", no_day(*serial)),
                );
                None
            }
            _ => shown(Some(cell)),
        }
    }

    /// `lan_nop`: a whole number, typed as a number or as digits.
    fn revision(&mut self, cell: Option<&Cell>, at: &str, header: &str) -> Option<Json> {
        let cell = cell.filter(|c| !blank(Some(c)))?;
        if self.unusable(cell, Code::WrongType, at, "số lần nộp") {
            return None;
        }
        let n = match &cell.value {
            Value::Number(f) if f.fract() == 0.0 && (1.0..=999.0).contains(f) => Some(*f as u64),
            Value::Text(s) => s
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=999).contains(n)),
            _ => None,
        };
        if n.is_none() {
            let typed = shown(Some(cell)).unwrap_or_default();
            self.problem(
                at.into(),
                Code::WrongType,
                format!("ô “{header}” ghi “{typed}”: ghi một số nguyên từ 1 tới 999 (1 cho lần nộp đầu)"),
            );
        }
        n.map(Json::from)
    }

    /// A date: a date cell, a serial number, or text "15/11/2023" (also
    /// with "-" or "."), or "2023-11-15".
    fn date(&mut self, cell: Option<&Cell>, at: &str, header: &str) -> Option<Json> {
        let cell = cell.filter(|c| !blank(Some(c)))?;
        if self.unusable(
            cell,
            Code::InvalidDate,
            at,
            "ngày dạng ngày/tháng/năm (ví dụ 15/11/2023)",
        ) {
            return None;
        }
        let read = match &cell.value {
            Value::Date(Some(d), _) => Ok(*d),
            Value::Date(None, serial) => Err(no_day(*serial)),
            Value::Number(f) => super::workbook::serial_day(*f, self.is_1904)
                .filter(|d| (1990..=2100).contains(&d.year))
                .ok_or_else(|| format!("số {} không phải một ngày", plain_number(*f))),
            Value::Text(s) => parse_date(s.trim()),
            _ => Err(String::new()),
        };
        match read {
            Ok(d) => Some(Json::String(d.to_string())),
            Err(why) => {
                let typed = shown(Some(cell)).unwrap_or_default();
                self.problem(
                    at.into(),
                    Code::InvalidDate,
                    format!("ô “{header}” ghi “{typed}”, không phải ngày có thật ({why}); ghi ngày theo dạng ngày/tháng/năm, ví dụ 15/11/2023"),
                );
                None
            }
        }
    }

    /// A quantity or an amount: numbers stay numbers (whole ones exactly,
    /// as integers); text is read the Vietnamese way — dots or spaces
    /// between thousands ("18.000.000", "18 000 000"), a comma before
    /// decimals ("2,5") — and given to the checks as the digits it means,
    /// or as typed when it means no number (they refuse it there).
    fn number(
        &mut self,
        cell: Option<&Cell>,
        kind: ColumnKind,
        at: &str,
        header: &str,
    ) -> Option<Json> {
        let cell = cell.filter(|c| !blank(Some(c)))?;
        let (code, what) = match kind {
            ColumnKind::Money => (
                Code::InvalidMoney,
                "số đồng (ví dụ 18000000 hoặc 18.000.000)",
            ),
            _ => (Code::InvalidQuantity, "số lượng (ví dụ 48 hoặc 2,5)"),
        };
        if self.unusable(cell, code, at, what) {
            return None;
        }
        match &cell.value {
            Value::Number(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
                Some(Json::from(*f as i64))
            }
            Value::Number(f) => Some(
                plain_number(*f)
                    .parse::<Number>()
                    .map_or_else(|_| Json::String(plain_number(*f)), Json::Number),
            ),
            Value::Text(s) => Some(Json::String(vietnamese_number(s.trim()))),
            Value::Date(d, serial) => {
                let shown = match d {
                    Some(d) => format!("ô là ngày {}", day_month_year(*d)),
                    None if time_alone(*serial) => "ô là một giờ".into(),
                    None => format!(
                        "ô ở dạng Ngày (số {}, không phải ngày nào)",
                        plain_number(*serial)
                    ),
                };
                self.problem(
                    at.into(),
                    code,
                    format!("{shown} chứ không phải số: cột “{header}” cần {what}; gõ lại số vào ô (bảng tính đã đổi ô thành dạng Ngày khi gõ)"),
                );
                None
            }
            _ => None,
        }
    }
}

/// Nothing in it: no cell, only spaces.
fn blank(cell: Option<&Cell>) -> bool {
    match cell {
        None => true,
        Some(c) => match &c.value {
            Value::Text(s) => s.trim().is_empty() && c.formula.is_none(),
            Value::Empty => c.formula.is_none(),
            _ => false,
        },
    }
}

/// The value of the choice (words, value) whose words are `typed` as the
/// officer sees them.
fn choice<'c>(
    typed: &str,
    mut choices: impl Iterator<Item = (&'c str, &'c str)>,
) -> Option<&'c str> {
    let wanted = normal(typed);
    choices
        .find(|(words, _)| normal(words) == wanted)
        .map(|(_, value)| value)
}

/// A drop-down's word as the [`choice`]'s value; else the refusal, worded
/// by `refuse` from the closest choice and the quoted list of all.
fn pick<'c>(
    typed: &str,
    choices: impl Iterator<Item = (&'c str, &'c str)> + Clone,
    refuse: impl FnOnce(String, String) -> String,
) -> Result<Json, String> {
    if let Some(value) = choice(typed, choices.clone()) {
        return Ok(Json::String(value.into()));
    }
    let all: Vec<&str> = choices.map(|(words, _)| words).collect();
    Err(refuse(closest(typed, &all), quoted(&all)))
}

/// " Có phải ý bạn là “…”?" with the choice closest to what was typed:
/// one that holds every typed word, or else the most alike.
fn closest(typed: &str, choices: &[&str]) -> String {
    let words: Vec<String> = bare(typed)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect();
    let holding = choices.iter().find(|c| {
        let c = bare(c);
        let have: HashSet<&str> = c.split(' ').collect();
        !words.is_empty() && words.iter().all(|w| have.contains(w.as_str()))
    });
    let best = holding.copied().or_else(|| {
        choices
            .iter()
            .map(|c| (strsim::normalized_levenshtein(&bare(typed), &bare(c)), *c))
            .filter(|(score, _)| *score >= 0.5)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| c)
    });
    best.map(|c| format!(" Có phải ý bạn là “{c}”?"))
        .unwrap_or_default()
}

fn quoted(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("“{w}”"))
        .collect::<Vec<_>>()
        .join(", ")
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
    } else if groups.len() == 1 && !whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit()) {
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

/// A day typed as text: "15/11/2023" (or with "-", "."), "2023-11-15";
/// why not, in words, when it is no real day.
fn parse_date(s: &str) -> Result<Date, String> {
    let parts: Vec<&str> = s.split(['/', '-', '.']).map(str::trim).collect();
    let numbers: Option<Vec<u32>> = parts
        .iter()
        .map(|p| {
            (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect();
    let (day, month, year) = match (parts.as_slice(), numbers.as_deref()) {
        ([y, ..], Some(&[year, month, day])) if y.len() == 4 => (day, month, year),
        ([_, _, y], Some(&[day, month, year])) if y.len() == 4 => (day, month, year),
        (_, Some(&[_, _, _])) => return Err("năm phải ghi đủ bốn chữ số".into()),
        _ => return Err("không đọc được thành ngày/tháng/năm".into()),
    };
    if !(1..=12).contains(&month) {
        return Err(if (1..=12).contains(&day) && month <= 31 {
            format!("tháng {month} không có; có vẻ đã ghi theo kiểu tháng/ngày/năm, ngày này là {month:02}/{day:02}/{year}")
        } else {
            format!("tháng {month} không có")
        });
    }
    let year = year as i32;
    if day == 0 || day > crate::contract::days_in_month(year, month) {
        return Err(format!("tháng {month} năm {year} không có ngày {day}"));
    }
    Ok(Date { year, month, day })
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
    fn dates_typed_as_text() {
        let ok = |s| parse_date(s).map(|d| d.to_string());
        assert_eq!(ok("15/11/2023").as_deref(), Ok("2023-11-15"));
        assert_eq!(ok("5-1-2023").as_deref(), Ok("2023-01-05"));
        assert_eq!(ok("2023-11-15").as_deref(), Ok("2023-11-15"));
        let swapped = parse_date("05/18/2023").unwrap_err();
        assert!(
            swapped.contains("tháng 18 không có") && swapped.contains("18/05/2023"),
            "{swapped}"
        );
        assert!(parse_date("31/02/2023")
            .unwrap_err()
            .contains("không có ngày 31"));
        assert!(parse_date("15/11/23").unwrap_err().contains("bốn chữ số"));
        assert!(parse_date("hôm qua").is_err());
    }

    #[test]
    fn the_closest_choice() {
        let labels = [
            "1.1. Tổ chức lớp KSDN",
            "3.1. Tập huấn về công tác khuyến công",
        ];
        assert!(closest("Tập huấn", &labels).contains("3.1. Tập huấn"));
        assert!(closest("To chuc lop KSDN", &labels).contains("1.1."));
        assert_eq!(closest("xyz", &labels), "");
    }
}
