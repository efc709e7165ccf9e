//! Problems found in the input, each pinned to a file, a line:column, a JSON
//! path and a stable code, with a Vietnamese message that says how to fix it.

use std::borrow::Cow;
use std::fmt::{self, Write};
use std::path::{Path, PathBuf};

/// Stable error codes (documented in docs/ma-loi.md). Never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// The file cannot be read (permissions, vanished, symlink loop).
    Unreadable,
    /// Not UTF-8 text (UTF-16, Windows-1258, binary).
    Encoding,
    /// Larger than the size limit.
    TooLarge,
    /// JSON syntax error (includes empty and truncated files).
    Syntax,
    /// Nested deeper than the limit.
    TooDeep,
    /// A value of the wrong JSON type.
    WrongType,
    /// A required key is absent.
    MissingKey,
    /// A key the contract does not know.
    UnknownKey,
    /// The same key twice in one object.
    DuplicateKey,
    /// An empty or blank text where text is required.
    EmptyText,
    /// A money amount that is not whole, non-negative đồng.
    InvalidMoney,
    /// A quantity that is negative or not a number.
    InvalidQuantity,
    /// A date that is not YYYY-MM-DD or does not exist.
    InvalidDate,
    /// `loai` is neither "ke_hoach" nor "bao_cao".
    UnknownKind,
    /// The file is for another year.
    WrongYear,
    /// A unit code not in the year's registry.
    UnknownUnit,
    /// A plan item code not in the plan.
    UnknownItem,
    /// An indicator code not defined for the item.
    UnknownIndicator,
    /// A funding source code not in the plan.
    UnknownSource,
    /// Two submissions for the same unit with the same revision number.
    DuplicateSubmission,
    /// The same code twice in the plan (unit, programme, item, indicator, source).
    DuplicateCode,
    /// No plan file for the year, or more than one.
    PlanMissing,
    /// Values that contradict each other (an end date before the start date).
    Inconsistent,
    /// Text with a character the report cannot print (invisible, or missing
    /// from the embedded fonts).
    Unprintable,
    /// A value outside a documented list (a unit's `cap`, a source's
    /// `loai`, a project's `trang_thai`).
    UnknownValue,
    /// An Excel file that is not a form of `khuyencong bieu-mau` (or too
    /// big to be one), whose layout or locked cells were changed, or with
    /// rows or cells that are no data (a total row, a signature, merged
    /// cells).
    NotAForm,
    /// An Excel file in the data folder: forms are brought in by `nhap`.
    FormInInput,
    // Templates: said at the template's file:line.
    /// A `--templates` folder or a template file that cannot be read.
    TemplateUnreadable,
    /// A template Tera cannot compile or render: syntax, a name that does
    /// not exist, a filter given the wrong value.
    TemplateWrong,
    /// The document block between the `+++` lines is not valid.
    TemplateFrontMatter,
    /// What the template prints cannot be printed as written (a raw
    /// value, a character the fonts lack, HTML, an image, a table row
    /// outside its table, a reference to a table not printed…).
    TemplatePrint,
    /// A render past its time, output or memory bound.
    TemplateBounds,
    // Warnings: the data are taken, but may not be what was meant.
    /// An amount above zero and under 1.000 đồng.
    SmallAmount,
    /// A date outside the report's year.
    DateOutsideYear,
    /// Data in a form's columns that are not the form's: ignored.
    ColumnsIgnored,
    /// A form without any activity.
    NoActivity,
}

impl Code {
    /// The code printed to users: short, stable, searchable in the docs.
    pub fn id(self) -> &'static str {
        match self {
            Code::Unreadable => "KC001",
            Code::Encoding => "KC002",
            Code::TooLarge => "KC003",
            Code::Syntax => "KC004",
            Code::TooDeep => "KC005",
            Code::WrongType => "KC010",
            Code::MissingKey => "KC011",
            Code::UnknownKey => "KC012",
            Code::DuplicateKey => "KC013",
            Code::EmptyText => "KC014",
            Code::InvalidMoney => "KC020",
            Code::InvalidQuantity => "KC021",
            Code::InvalidDate => "KC022",
            Code::UnknownKind => "KC030",
            Code::WrongYear => "KC031",
            Code::UnknownUnit => "KC032",
            Code::UnknownItem => "KC033",
            Code::UnknownIndicator => "KC034",
            Code::UnknownSource => "KC035",
            Code::DuplicateSubmission => "KC036",
            Code::DuplicateCode => "KC037",
            Code::PlanMissing => "KC038",
            Code::Inconsistent => "KC039",
            Code::Unprintable => "KC040",
            Code::UnknownValue => "KC041",
            Code::NotAForm => "KC042",
            Code::FormInInput => "KC043",
            Code::TemplateUnreadable => "KC060",
            Code::TemplateWrong => "KC061",
            Code::TemplateFrontMatter => "KC062",
            Code::TemplatePrint => "KC063",
            Code::TemplateBounds => "KC064",
            Code::SmallAmount => "KC050",
            Code::DateOutsideYear => "KC051",
            Code::ColumnsIgnored => "KC052",
            Code::NoActivity => "KC053",
        }
    }

    /// A warning: the data are taken, and the officer told.
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            Code::SmallAmount | Code::DateOutsideYear | Code::ColumnsIgnored | Code::NoActivity
        )
    }
}

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as found: the folder the user gave, joined with its path inside it.
    pub file: PathBuf,
    /// 1-based line and column (in characters); 0 when the whole file is concerned.
    pub line: usize,
    pub column: usize,
    /// JSON path of the value, e.g. `hoat_dong[2].kinh_phi` (`$` = the whole document).
    pub path: String,
    pub code: Code,
    pub message: String,
}

impl Diagnostic {
    /// A problem placed by its path alone, with no line: the whole file
    /// (`$`) or a form's cell (`Hoạt động!T3`).
    pub fn at(file: &Path, path: impl Into<String>, code: Code, message: String) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            path: path.into(),
            code,
            message,
        }
    }
}

/// Problems in file order: by position, and in a form by sheet, then row,
/// then column (`Hoạt động!B3` before `Hoạt động!A10`).
impl Ord for Diagnostic {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.file, self.line, self.column)
            .cmp(&(&other.file, other.line, other.column))
            .then_with(|| cell_order(&self.path).cmp(&cell_order(&other.path)))
            .then_with(|| {
                (&self.path, self.code, &self.message).cmp(&(
                    &other.path,
                    other.code,
                    &other.message,
                ))
            })
    }
}

impl PartialOrd for Diagnostic {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// `Sheet!B12` → (sheet, row 12, column 2); anything else sorts as itself.
fn cell_order(path: &str) -> Option<(&str, u64, u64)> {
    let (sheet, cell) = path.rsplit_once('!')?;
    let split = cell.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = cell.split_at(split);
    let col = letters.bytes().try_fold(0u64, |n, b| {
        b.is_ascii_uppercase()
            .then(|| n * 26 + u64::from(b - b'A') + 1)
    })?;
    Some((sheet, digits.parse().ok()?, col))
}

impl fmt::Display for Diagnostic {
    /// One line whatever the file is named and the data holds: a value
    /// quoted in a message can neither break the line nor hide in it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", shown_path(&self.file))?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        write!(
            f,
            ": {} {} tại {}: {}",
            if self.code.is_warning() {
                "lưu ý"
            } else {
                "lỗi"
            },
            self.code.id(),
            escaped(&self.path),
            escaped(&self.message)
        )
    }
}

/// Characters that print nothing visible: controls (Cc), the Unicode line
/// and paragraph separators, and the format characters (Cf: zero-width
/// spaces and joiners, direction marks and overrides, the BOM, the soft
/// hyphen…), which the fonts may even map to an empty glyph.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{AD}'
                | '\u{600}'..='\u{605}'
                | '\u{61C}'
                | '\u{6DD}'
                | '\u{70F}'
                | '\u{890}'..='\u{891}'
                | '\u{8E2}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
        )
}

/// `\n`, `\r`, `\t`, or `\u{200B}`: how an invisible character is written
/// in a message, so a reader sees it and can search for it.
fn escape_into(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:04X}}}", c as u32);
        }
    }
}

/// Text with its invisible characters escaped.
pub fn escaped(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_invisible) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_invisible(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A file name as printed: as it is when it is plain text (Vietnamese
/// included), else in double quotes with `\"` and `\\`, invisible
/// characters escaped and bytes that are not UTF-8 as `\xFF`, so a name can
/// neither split an error line nor pass for another name.
pub fn shown_path(path: &Path) -> Cow<'_, str> {
    let bytes = path.as_os_str().as_encoded_bytes();
    if let Ok(plain) = std::str::from_utf8(bytes) {
        if !plain.chars().any(|c| is_invisible(c) || c == '"') {
            return Cow::Borrowed(plain);
        }
    }
    let mut out = String::from('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                c if is_invisible(c) => escape_into(&mut out, c),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02X}");
        }
    }
    out.push('"');
    Cow::Owned(out)
}

/// All the problems of a run, in a stable order (file, position, code).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn sorted(mut self) -> Self {
        self.0.sort();
        self.0.dedup();
        self
    }
    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(|d| d.code.id()).collect()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let files = {
            let mut v: Vec<_> = self.0.iter().map(|d| &d.file).collect();
            v.dedup();
            v.len()
        };
        write!(
            f,
            "Có {} lỗi trong {} tệp. Sửa các lỗi trên rồi chạy lại.",
            self.0.len(),
            files
        )
    }
}

/// The closest of `candidates` to `word` (Levenshtein distance ≤ 1/3 of its
/// length, at least 2), for "did you mean" hints.
fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// " Có phải ý bạn là `x`?" or nothing.
pub fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, candidates)
        .map(|c| format!(" Có phải ý bạn là `{c}`?"))
        .unwrap_or_default()
}
