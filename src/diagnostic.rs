//! Problems found in the input, each pinned to a file, a line:column, a JSON
//! path and a stable code, with a Vietnamese message that says how to fix it.

use std::fmt;
use std::path::PathBuf;

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
        }
    }
}

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
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

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        write!(
            f,
            ": lỗi {} tại {}: {}",
            self.code.id(),
            self.path,
            self.message
        )
    }
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
