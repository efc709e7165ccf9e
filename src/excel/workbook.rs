//! Reading the cells of an `.xlsx` file within bounds: the input adapter
//! of the forms. Nothing is allocated by what a file declares. Every part
//! of the zip is first decompressed through a counter that stops at the
//! limit, the worksheets are scanned for where their cells lie (the used
//! range, each row and cell reference, merged ranges, shared formulas)
//! and the shared strings for how many they say they are; only a file
//! within every limit is handed to calamine, whose streaming cell reader
//! then fills a sparse map of the cells that hold something.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufReader, Cursor, Read};

use calamine::{DataRef, Reader, Xlsx, XlsxFormulaMetadata};
use quick_xml::events::{BytesStart, Event};

/// Largest part of the zip, decompressed (a filled form's biggest part,
/// the activities sheet, is a few hundred KB).
pub const MAX_PART_BYTES: u64 = 16 * 1024 * 1024;
/// All parts together, decompressed.
pub const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;
/// Parts in the zip (a form has about twenty).
pub const MAX_PARTS: usize = 1_000;
/// Rows and columns a sheet may use: a unit reports a few dozen
/// activities, and a form has a few dozen columns.
pub const MAX_ROWS: u32 = 5_000;
pub const MAX_COLUMNS: u32 = 256;
/// Cells written in all sheets together (a blank form has about 25.000,
/// most of them empty but formatted).
pub const MAX_CELLS: u64 = 500_000;
/// Shared strings, as declared and as found.
pub const MAX_STRINGS: u64 = 200_000;
/// Text in the cells read, all together: a cell may repeat a shared
/// string (or a shared formula) that is itself within the limits, so the
/// copies are counted.
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file is refused before its cells are read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("không mở được như tệp Excel .xlsx (tệp không phải dạng zip của .xlsx, hoặc bị hỏng, cắt cụt); mở bằng Excel hay LibreOffice Calc rồi lưu lại dạng .xlsx (Excel Workbook)")]
    NotXlsx,
    #[error("tệp được đặt mật khẩu hoặc là tệp Excel 97-2003 (.xls): chương trình không đọc được; bỏ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc) hoặc lưu lại dạng .xlsx (Excel Workbook)")]
    Encrypted,
    #[error("tệp có {0} phần nén, vượt giới hạn {MAX_PARTS} phần của một biểu mẫu; đây không phải biểu mẫu do `khuyencong bieu-mau` tạo")]
    TooManyParts(usize),
    #[error("phần {part} của tệp giải nén ra hơn {} MiB, vượt giới hạn {} MiB của một phần (biểu mẫu thật chỉ vài trăm KB); tệp không được đọc", MAX_PART_BYTES / (1024 * 1024), MAX_PART_BYTES / (1024 * 1024))]
    PartTooLarge { part: String },
    #[error("các phần của tệp giải nén ra hơn {} MiB, vượt giới hạn {} MiB của một biểu mẫu; tệp không được đọc", MAX_TOTAL_BYTES / (1024 * 1024), MAX_TOTAL_BYTES / (1024 * 1024))]
    TotalTooLarge,
    #[error("phần {part} của tệp ghi có {declared} chuỗi chữ, vượt giới hạn {MAX_STRINGS} chuỗi của một biểu mẫu; tệp không được đọc")]
    TooManyStrings { part: String, declared: u64 },
    #[error("phần {part} của tệp có ô {cell} nằm ngoài vùng một biểu mẫu dùng được (tối đa {MAX_ROWS} dòng và {MAX_COLUMNS} cột, tới ô {}); xóa các ô ở xa đó (hoặc chép số liệu sang biểu mẫu mới) rồi lưu lại", last_cell())]
    OutOfRange { part: String, cell: String },
    #[error("tệp có hơn {MAX_CELLS} ô được ghi, vượt giới hạn của một biểu mẫu; xóa các dòng, cột thừa rồi lưu lại")]
    TooManyCells,
    #[error("chữ trong các ô của tệp dài hơn {} MiB, vượt giới hạn của một biểu mẫu; tệp không được đọc", MAX_TEXT_BYTES / (1024 * 1024))]
    TooMuchText,
    #[error("phần {part} của tệp bị hỏng (nội dung XML không đọc được); mở bằng Excel hay LibreOffice Calc rồi lưu lại dạng .xlsx")]
    Damaged { part: String },
    #[error("trang \"{sheet}\" của tệp ghi ô {cell} hai lần (tệp bị hỏng: Excel hay LibreOffice không lưu như vậy), nên không biết giá trị nào là đúng; mở bằng Excel hay LibreOffice Calc, xem lại ô {cell} rồi lưu lại dạng .xlsx")]
    CellTwice { sheet: String, cell: String },
}

impl Refusal {
    /// Where the refusal is said: the cell when it is about one
    /// (`Hoạt động!T3`), else the whole file (`$`).
    pub fn place(&self) -> String {
        match self {
            Refusal::CellTwice { sheet, cell } => format!("{sheet}!{cell}"),
            _ => "$".into(),
        }
    }
}

/// The bottom-right cell within the limits, as a spreadsheet names it.
fn last_cell() -> String {
    format!(
        "{}{}",
        super::column_letters((MAX_COLUMNS - 1) as u16),
        MAX_ROWS
    )
}

/// What a cell holds, as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    /// A number shown as a date or time (its format is one): the day, or
    /// `None` for a time without a day or a serial out of range; the
    /// serial as stored, to tell which.
    Date(Option<crate::contract::Date>, f64),
    Bool(bool),
    /// An error value, spelled as the spreadsheet shows it (`#DIV/0!`).
    Error(String),
    /// Nothing: only a formula whose result was not saved with it.
    Empty,
}

/// One cell that holds a value or a formula.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub value: Value,
    /// The formula's text when the cell has one (`SUM(T3:T9)`); empty
    /// when the spreadsheet shared it from another cell.
    pub formula: Option<String>,
}

/// A sheet's cells by (row, column), from 0, and its merged ranges.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    pub cells: BTreeMap<(u32, u32), Cell>,
    /// Merged ranges: (first row, first column, last row, last column).
    pub merged: Vec<(u32, u32, u32, u32)>,
}

impl Sheet {
    pub fn get(&self, row: u32, col: u32) -> Option<&Cell> {
        self.cells.get(&(row, col))
    }

    /// The last row and column holding something (0 for an empty sheet).
    pub fn end(&self) -> (u32, u32) {
        let row = self.cells.keys().next_back().map_or(0, |&(r, _)| r);
        let col = self.cells.keys().map(|&(_, c)| c).max().unwrap_or(0);
        (row, col)
    }
}

/// The sheets of a workbook that were asked for, by name: each read, or
/// damaged (present, but its content could not be read).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workbook {
    pub sheets: Vec<(String, Option<Sheet>)>,
    /// Dates counted from 1904 (old Mac Excel), not 1900.
    pub is_1904: bool,
}

impl Workbook {
    /// `None` when the sheet is absent; `Some(None)` when it is damaged.
    pub fn sheet(&self, name: &str) -> Option<Option<&Sheet>> {
        self.sheets
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_ref())
    }
}

/// Reads the sheets `wanted` of an `.xlsx` file's bytes within the limits.
pub fn read(bytes: &[u8], wanted: &[&str]) -> Result<Workbook, Refusal> {
    // A password-protected workbook, like an Excel 97-2003 file, is an OLE
    // compound file, not a zip.
    const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(&OLE) {
        return Err(Refusal::Encrypted);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(Refusal::NotXlsx);
    }
    scan(bytes)?;
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| match e {
            calamine::XlsxError::Password => Refusal::Encrypted,
            _ => Refusal::NotXlsx,
        })?;
    let is_1904 = book.has_1904_epoch();
    let names = book.sheet_names();
    let mut sheets = Vec::new();
    let mut text = 0u64;
    for &name in wanted {
        if !names.iter().any(|n| n == name) {
            continue;
        }
        let sheet = read_sheet(&mut book, name, is_1904, &mut text)?;
        sheets.push((name.to_string(), sheet));
    }
    Ok(Workbook { sheets, is_1904 })
}

/// A sheet's cells and merged ranges; `None` when its content cannot be
/// read. `text` counts the bytes of text copied so far.
fn read_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    is_1904: bool,
    text: &mut u64,
) -> Result<Option<Sheet>, Refusal> {
    let mut sheet = Sheet::default();
    let mut shared: HashMap<usize, String> = HashMap::new();
    // Every cell once: a second one at the same place would replace the
    // first without a word.
    let mut seen: HashSet<(u32, u32)> = HashSet::new();
    {
        let Ok(mut cells) = book.worksheet_cells_reader(name) else {
            return Ok(None);
        };
        loop {
            let record = match cells.next_cell_with_formula_metadata() {
                Ok(Some(record)) => record,
                Ok(None) => break,
                Err(_) => return Ok(None),
            };
            if !seen.insert(record.pos) {
                return Err(Refusal::CellTwice {
                    sheet: name.to_string(),
                    cell: super::cell_ref(record.pos.0, record.pos.1),
                });
            }
            let formula = record.formula.map(|f| match f {
                XlsxFormulaMetadata::Normal { formula } => formula,
                XlsxFormulaMetadata::Shared {
                    shared_index,
                    formula,
                    ..
                } => {
                    shared.insert(shared_index, formula.clone());
                    formula
                }
                XlsxFormulaMetadata::SharedDerived { shared_index } => {
                    shared.get(&shared_index).cloned().unwrap_or_default()
                }
                _ => String::new(),
            });
            *text += formula.as_ref().map_or(0, |f| f.len() as u64);
            *text += match &record.value {
                DataRef::SharedString(s) => s.len() as u64,
                DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                    s.len() as u64
                }
                _ => 0,
            };
            if *text > MAX_TEXT_BYTES {
                return Err(Refusal::TooMuchText);
            }
            let value = value(record.value, is_1904);
            if value == Value::Empty && formula.is_none() {
                continue;
            }
            sheet.cells.insert(record.pos, Cell { value, formula });
        }
    }
    let Ok(merged) = book.merge_cells_by_sheet_name(name) else {
        return Ok(None);
    };
    sheet.merged = merged
        .into_iter()
        .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
        .collect();
    Ok(Some(sheet))
}

fn value(data: DataRef, is_1904: bool) -> Value {
    match data {
        DataRef::Empty => Value::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Value::Text(s),
        DataRef::SharedString(s) => Value::Text(s.to_string()),
        DataRef::Int(i) => Value::Number(i as f64),
        DataRef::Float(f) => Value::Number(f),
        DataRef::Bool(b) => Value::Bool(b),
        DataRef::Error(e) => Value::Error(e.to_string()),
        DataRef::DateTime(d) => Value::Date(serial_day(d.as_f64(), is_1904), d.as_f64()),
    }
}

/// The day of a spreadsheet serial number (the time of day dropped), in
/// the workbook's epoch; `None` before 1 March 1900 (no date of a report,
/// and where Excel's 1900 calendar is wrong) or after 9999.
pub fn serial_day(serial: f64, is_1904: bool) -> Option<crate::contract::Date> {
    let serial = if is_1904 { serial + 1462.0 } else { serial };
    if !(61.0..2_958_466.0).contains(&serial) {
        return None;
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
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Some(crate::contract::Date { year, month, day })
}

// ---- the scan before calamine ----

/// Counts what passes through and stops past the limit.
struct Counted<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.count > MAX_PART_BYTES {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Checks every part of the zip against the limits, decompressing each
/// once through a counter.
fn scan(bytes: &[u8]) -> Result<(), Refusal> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Refusal::NotXlsx)?;
    if zip.len() > MAX_PARTS {
        return Err(Refusal::TooManyParts(zip.len()));
    }
    let mut total = 0u64;
    let mut cells = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| Refusal::NotXlsx)?;
        let part = crate::diagnostic::escaped(entry.name()).into_owned();
        if entry.size() > MAX_PART_BYTES {
            return Err(Refusal::PartTooLarge { part });
        }
        let lower = entry.name().to_ascii_lowercase();
        let mut counted = Counted {
            inner: entry,
            count: 0,
        };
        // Any part may be named a worksheet by the workbook's links: each
        // is scanned as one, as far as it reads as XML, the way calamine
        // reads it (what cannot be read past is not read by calamine
        // either). A part under xl/worksheets/ must read to its end.
        let read = if lower.ends_with("sharedstrings.xml") {
            scan_strings(&mut counted, &part)
        } else {
            match scan_sheet(&mut counted, &part, &mut cells) {
                Err(Refusal::Damaged { .. }) if !lower.starts_with("xl/worksheets/") => Ok(()),
                other => other,
            }
        };
        if counted.count > MAX_PART_BYTES {
            return Err(Refusal::PartTooLarge { part });
        }
        read?;
        // What the XML scan left unread counts too.
        std::io::copy(&mut counted, &mut std::io::sink())
            .map_err(|_| Refusal::Damaged { part: part.clone() })?;
        if counted.count > MAX_PART_BYTES {
            return Err(Refusal::PartTooLarge { part });
        }
        total += counted.count;
        if total > MAX_TOTAL_BYTES {
            return Err(Refusal::TotalTooLarge);
        }
    }
    Ok(())
}

/// An XML reader set as calamine sets its own, so that both stop at the
/// same place in a damaged part.
fn xml<R: Read>(part: R) -> quick_xml::Reader<BufReader<R>> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part));
    let config = reader.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    config.trim_text(false);
    reader
}

fn attribute(e: &BytesStart, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// The shared strings: as many as declared, and as found, within the limit.
fn scan_strings<R: Read>(part: R, name: &str) -> Result<(), Refusal> {
    let damaged = || Refusal::Damaged {
        part: name.to_string(),
    };
    let too_many = |declared| Refusal::TooManyStrings {
        part: name.to_string(),
        declared,
    };
    let mut reader = xml(part);
    let mut buf = Vec::new();
    let mut found = 0u64;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).map_err(|_| damaged())? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"sst" => {
                    for key in [&b"count"[..], b"uniqueCount"] {
                        if let Some(n) = attribute(&e, key) {
                            let n: u64 = n.trim().parse().map_err(|_| damaged())?;
                            if n > MAX_STRINGS {
                                return Err(too_many(n));
                            }
                        }
                    }
                }
                b"si" => {
                    found += 1;
                    if found > MAX_STRINGS {
                        return Err(too_many(found));
                    }
                }
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Where a worksheet's cells lie: its declared range, every row and cell
/// (numbered as a reader numbers those without a reference), and the
/// ranges of merged cells and shared formulas, all within the limits.
fn scan_sheet<R: Read>(part: R, name: &str, cells: &mut u64) -> Result<(), Refusal> {
    let damaged = || Refusal::Damaged {
        part: name.to_string(),
    };
    let outside = |cell: String| Refusal::OutOfRange {
        part: name.to_string(),
        cell,
    };
    let mut reader = xml(part);
    let mut buf = Vec::new();
    let (mut row, mut col) = (0u32, 0u32);
    loop {
        buf.clear();
        let event = reader.read_event_into(&mut buf).map_err(|_| damaged())?;
        let (e, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) if e.local_name().as_ref() == b"row" => {
                row = row.saturating_add(1);
                col = 0;
                continue;
            }
            Event::Eof => return Ok(()),
            _ => continue,
        };
        match e.local_name().as_ref() {
            b"dimension" | b"mergeCell" => {
                let range = attribute(&e, b"ref").ok_or_else(damaged)?;
                check_range(&range).map_err(|cell| cell.map_or_else(damaged, outside))?;
            }
            b"f" => {
                if let Some(range) = attribute(&e, b"ref") {
                    check_range(&range).map_err(|cell| cell.map_or_else(damaged, outside))?;
                }
            }
            b"row" => {
                if let Some(r) = attribute(&e, b"r") {
                    let n: u32 = r.trim().parse().map_err(|_| damaged())?;
                    row = n.checked_sub(1).ok_or_else(damaged)?;
                }
                if row >= MAX_ROWS {
                    return Err(outside(format!("A{}", u64::from(row) + 1)));
                }
                if empty {
                    row = row.saturating_add(1);
                    col = 0;
                }
            }
            b"c" => {
                *cells += 1;
                if *cells > MAX_CELLS {
                    return Err(Refusal::TooManyCells);
                }
                match attribute(&e, b"r") {
                    Some(r) => {
                        let (r, c) =
                            reference(&r).map_err(|cell| cell.map_or_else(damaged, outside))?;
                        row = r;
                        col = c;
                    }
                    None if row >= MAX_ROWS || col >= MAX_COLUMNS => {
                        return Err(outside(super::cell_ref(row, col)));
                    }
                    None => {}
                }
                col += 1;
            }
            _ => {}
        }
    }
}

/// `A1` → (row, column) from 0, within the limits. `Err(None)`: not a
/// cell reference; `Err(Some(name))`: a cell beyond the limits.
fn reference(a1: &str) -> Result<(u32, u32), Option<String>> {
    let a1 = a1.trim().trim_start_matches('$');
    let split = a1.find(|c: char| !c.is_ascii_alphabetic()).ok_or(None)?;
    let (letters, digits) = a1.split_at(split);
    let digits = digits.trim_start_matches('$');
    if letters.is_empty()
        || letters.len() > 3
        || digits.is_empty()
        || digits.len() > 7
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(None);
    }
    let col = letters.bytes().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
    }) - 1;
    let row = digits
        .parse::<u32>()
        .map_err(|_| None)?
        .checked_sub(1)
        .ok_or(None)?;
    if row >= MAX_ROWS || col >= MAX_COLUMNS {
        return Err(Some(a1.to_ascii_uppercase()));
    }
    Ok((row, col))
}

/// `A1:C9` (or one cell): both corners within the limits, in order.
fn check_range(range: &str) -> Result<(), Option<String>> {
    let mut corners = range.split(':');
    let first = reference(corners.next().unwrap_or(""))?;
    let last = match corners.next() {
        Some(c) => reference(c)?,
        None => first,
    };
    if corners.next().is_some() || last.0 < first.0 || last.1 < first.1 {
        return Err(None);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_within_and_beyond() {
        assert_eq!(reference("A1"), Ok((0, 0)));
        assert_eq!(reference("$B$3"), Ok((2, 1)));
        assert_eq!(reference("XFD1048576"), Err(Some("XFD1048576".into())));
        assert_eq!(reference("IV1"), Ok((0, 255)));
        assert_eq!(reference("IW1"), Err(Some("IW1".into())));
        assert_eq!(reference("A0"), Err(None));
        assert_eq!(reference("AAAAAAAAAAAA1"), Err(None));
        assert_eq!(reference("A99999999999"), Err(None));
        assert_eq!(check_range("B2:A1"), Err(None));
        assert_eq!(check_range("A1:Z302"), Ok(()));
        assert_eq!(last_cell(), "IV5000");
    }

    #[test]
    fn serial_days() {
        let day = |s| serial_day(s, false).map(|d| d.to_string());
        assert_eq!(day(45245.0).as_deref(), Some("2023-11-15"));
        assert_eq!(day(45245.75).as_deref(), Some("2023-11-15"));
        assert_eq!(day(36526.0).as_deref(), Some("2000-01-01"));
        assert_eq!(day(12.0), None);
        assert_eq!(
            serial_day(45245.0 - 1462.0, true)
                .map(|d| d.to_string())
                .as_deref(),
            Some("2023-11-15")
        );
    }
}
