//! A positioned reader over one JSON file: it decodes values into the
//! contract's types and records every problem with its line:column and JSON
//! path, instead of stopping at the first one as serde would.

use std::path::Path;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};

use jsonc_parser::ast::{ObjectProp, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};
use rust_decimal::Decimal;
use unicode_normalization::UnicodeNormalization;

use crate::contract::keys::{Key, Object};
use crate::contract::{Date, Money, Quantity};
use crate::diagnostic::{hint, is_invisible, Code, Diagnostic, Diagnostics};
use crate::render::fonts;

/// Deepest nesting accepted; the contract needs 5 levels. Checked before
/// parsing so a hostile file cannot exhaust the stack.
pub const MAX_DEPTH: usize = 64;

/// 10^18 đồng, the first amount refused (and the largest quantity
/// accepted): far above any budget, far below rust_decimal's limits, so sums
/// of amounts can never overflow.
pub fn money_limit() -> Decimal {
    Decimal::from(1_000_000_000_000_000_000_i64)
}

/// Unknown or repeated keys listed one by one in one object; one more line
/// counts the rest.
pub const LISTED_KEYS: usize = 30;

/// Where the JSON text of a form came from: each JSON path's cell and the
/// header of its column. A check that finds a problem in a form's text
/// points at the cell and, where its message would name a JSON key, says
/// it with the column's header instead.
pub trait Cells: Sync {
    /// The cell (`Hoạt động!E7`) of a JSON path or of its nearest
    /// enclosing value.
    fn cell(&self, path: &str) -> Option<&str>;
    /// The header of that cell's column (`Mô tả: đã làm gì (một câu)`),
    /// or the label of a detail of the "Thông tin" sheet.
    fn header(&self, path: &str) -> Option<&str>;

    /// What a required value left blank is told.
    fn blank(&self, path: &str) -> String {
        match self.header(path) {
            Some(header) => format!("ô “{header}” còn trống; điền vào ô này"),
            None => "ô này còn trống; điền vào ô này".into(),
        }
    }
}

/// One input file's text with a line index.
pub struct Source<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    line_starts: Vec<usize>,
    /// The last position found (byte offset, column): problems mostly come
    /// in file order, so on a long line (a minified file is one line) the
    /// count of characters resumes there instead of at the line start.
    last: Mutex<(usize, usize)>,
    /// Set when the text was read from a form: problems are placed in its
    /// cells.
    pub form: Option<&'a dyn Cells>,
}

impl<'a> Source<'a> {
    pub fn new(file: &'a Path, text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            file,
            text,
            line_starts,
            last: Mutex::new((0, 1)),
            form: None,
        }
    }

    /// The text of a form, whose problems are placed in `cells`.
    pub fn of_form(file: &'a Path, text: &'a str, cells: &'a dyn Cells) -> Self {
        Source {
            form: Some(cells),
            ..Source::new(file, text)
        }
    }

    /// 1-based line and character column of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let offset = offset.min(self.text.len());
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let (from, column) = if (start..=offset).contains(&last.0) {
            *last
        } else {
            (start, 1)
        };
        let Some(between) = self.text.get(from..offset) else {
            return (line, 1);
        };
        *last = (offset, column + between.chars().count());
        (line, last.1)
    }

    pub fn diagnostic(&self, offset: usize, path: &str, code: Code, message: String) -> Diagnostic {
        if let Some(cell) = self.form.and_then(|f| f.cell(path)) {
            return Diagnostic::at(self.file, cell, code, message);
        }
        let (line, column) = self.position(offset);
        Diagnostic {
            file: self.file.to_path_buf(),
            line,
            column,
            path: path.to_string(),
            code,
            message,
        }
    }
}

/// Parses strict JSON (no comments, trailing commas or JSON5 forms).
pub fn parse<'a>(src: &Source<'a>, diags: &mut Diagnostics) -> Option<Value<'a>> {
    match prescan(src.text) {
        Some(Unparsable::TooDeep(offset)) => {
            diags.push(src.diagnostic(
                offset,
                "$",
                Code::TooDeep,
                format!("dữ liệu lồng nhau quá {MAX_DEPTH} cấp; tệp báo cáo chỉ cần vài cấp, hãy kiểm tra lại cấu trúc tệp"),
            ));
            return None;
        }
        Some(Unparsable::RawControl(offset, c)) => {
            diags.push(src.diagnostic(
                offset,
                "$",
                Code::Syntax,
                format!("JSON sai cú pháp: chuỗi văn bản chứa ký tự điều khiển U+{:04X} viết trực tiếp (JSON không cho phép, kể cả dấu tab và xuống dòng); xóa ký tự này hoặc thay bằng dấu cách", c as u32),
            ));
            return None;
        }
        None => {}
    }
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    match jsonc_parser::parse_to_ast(src.text, &CollectOptions::default(), &strict) {
        Ok(result) => match result.value {
            Some(v) => Some(v),
            None => {
                diags.push(src.diagnostic(
                    0,
                    "$",
                    Code::Syntax,
                    "tệp rỗng: tệp phải chứa một đối tượng JSON `{ ... }`".into(),
                ));
                None
            }
        },
        Err(e) => {
            let offset = e.range().start;
            let message = format!(
                "JSON sai cú pháp: {}; kiểm tra dấu phẩy, dấu ngoặc và dấu nháy kép quanh vị trí này (tệp có thể bị cắt cụt hoặc không phải JSON)",
                syntax_problem(e.kind())
            );
            diags.push(src.diagnostic(offset, "$", Code::Syntax, message));
            None
        }
    }
}

/// The parser's complaint, in Vietnamese.
fn syntax_problem(kind: &jsonc_parser::errors::ParseErrorKind) -> &'static str {
    use jsonc_parser::errors::ParseErrorKind as K;
    match kind {
        K::CommentsNotAllowed => "JSON không cho phép chú thích (// hay /* */)",
        K::TrailingCommasNotAllowed => "thừa dấu phẩy trước dấu đóng ngoặc",
        K::ExpectedComma => "thiếu dấu phẩy giữa hai mục",
        K::ExpectedColonAfterObjectKey => "thiếu dấu hai chấm sau tên khóa",
        K::ExpectedObjectValue => "thiếu giá trị sau dấu hai chấm",
        K::ExpectedStringObjectProperty | K::UnexpectedWord => {
            "tên khóa và văn bản phải đặt trong dấu nháy kép \"...\""
        }
        K::SingleQuotedStringsNotAllowed => "phải dùng dấu nháy kép \", không dùng nháy đơn '",
        K::String(_) => "chuỗi văn bản chưa đóng dấu nháy kép hoặc có ký tự thoát sai",
        K::UnterminatedArray => "mảng [ chưa được đóng bằng ]",
        K::UnterminatedObject => "đối tượng { chưa được đóng bằng }",
        K::UnterminatedCommentBlock => "chú thích chưa đóng",
        K::MultipleRootJsonValues => "có nội dung thừa sau khi đối tượng JSON đã đóng",
        K::UnexpectedCloseBrace | K::UnexpectedCloseBracket => "dấu đóng ngoặc thừa hoặc sai loại",
        K::UnexpectedColon
        | K::UnexpectedComma
        | K::UnexpectedToken
        | K::UnexpectedTokenInObject => "ký tự không hợp lệ ở vị trí này",
        K::NestingDepthExceeded => "dữ liệu lồng nhau quá sâu",
        K::BareDecimalPointNumbersNotAllowed
        | K::ExpectedDigit
        | K::ExpectedDigitFollowingNegativeSign
        | K::ExpectedPlusMinusOrDigitInNumberLiteral
        | K::HexadecimalNumbersNotAllowed
        | K::NonFiniteNumbersNotAllowed
        | K::UnaryPlusNumbersNotAllowed => "số viết sai dạng",
    }
}

/// What makes a text unfit for the parser, found before parsing.
enum Unparsable {
    /// Nesting first exceeds MAX_DEPTH here: parsing could exhaust the stack.
    TooDeep(usize),
    /// A control character written as it is inside a string, which strict
    /// JSON forbids but the parser lets through.
    RawControl(usize, char),
}

/// The first problem of either kind, by byte offset.
fn prescan(text: &str) -> Option<Unparsable> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                // Never part of a multi-byte UTF-8 sequence.
                0..=0x1F => return Some(Unparsable::RawControl(i, char::from(b))),
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(Unparsable::TooDeep(i));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Decodes values of one file, collecting diagnostics.
pub struct Reader<'s, 'a> {
    pub src: &'s Source<'a>,
    pub diags: &'s mut Diagnostics,
}

/// A JSON path being built: `hoat_dong[2].kinh_phi`.
pub fn key_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_');
    match (parent == "$", plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{parent}.{key}"),
        // An empty or odd key is quoted so the path still says where it is.
        (_, false) => format!("{parent}[{key:?}]"),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::StringLit(_) => "chuỗi",
        Value::NumberLit(_) => "số",
        Value::BooleanLit(_) => "true/false",
        Value::Object(_) => "đối tượng { }",
        Value::Array(_) => "mảng [ ]",
        Value::NullKeyword(_) => "null",
    }
}

impl<'s, 'a> Reader<'s, 'a> {
    pub fn error(&mut self, offset: usize, path: &str, code: Code, message: String) {
        let d = self.src.diagnostic(offset, path, code, message);
        self.diags.push(d);
    }

    fn wrong_type(&mut self, v: &Value, path: &str, expected: &str) {
        self.error(
            v.start(),
            path,
            Code::WrongType,
            format!("cần {expected} nhưng gặp {}", type_name(v)),
        );
    }

    /// An object of the contract, whose keys are those of `table`.
    pub fn object<'v, 'x>(
        &mut self,
        v: &'v Value<'x>,
        path: &str,
        table: Object,
    ) -> Option<Obj<'v, 'x>> {
        let o = self.map(v, path)?;
        Some(Obj {
            props: &o.properties,
            start: o.range.start,
            path: path.to_string(),
            table,
        })
    }

    /// An object whose keys are codes (`chi_tieu`, `theo_nguon`): each key
    /// once.
    pub fn map<'v, 'x>(
        &mut self,
        v: &'v Value<'x>,
        path: &str,
    ) -> Option<&'v jsonc_parser::ast::Object<'x>> {
        let Value::Object(o) = v else {
            self.wrong_type(v, path, "một đối tượng { ... }");
            return None;
        };
        // A set, not a list: an object can hold hundreds of thousands of keys.
        let mut seen = std::collections::HashSet::with_capacity(o.properties.len());
        let repeated: Vec<&ObjectProp> = o
            .properties
            .iter()
            .filter(|p| !seen.insert(p.name.as_str()))
            .collect();
        self.report_keys(
            path,
            &repeated,
            Code::DuplicateKey,
            |name| format!("khóa `{name}` xuất hiện hai lần trong cùng một đối tượng; xóa một lần (chỉ giữ giá trị đúng)"),
            |rest| format!("còn {rest} khóa lặp lại khác trong đối tượng này, không liệt kê hết; mỗi khóa chỉ được ghi một lần"),
        );
        Some(o)
    }

    /// A non-empty text the report can print, trimmed and normalised to NFC.
    pub fn text(&mut self, v: &Value, path: &str) -> Option<String> {
        let Value::StringLit(s) = v else {
            self.wrong_type(v, path, "một chuỗi văn bản trong dấu nháy kép");
            return None;
        };
        let trimmed = s.value.trim();
        // Most text is NFC already: check before copying through the normaliser.
        let t: String = match unicode_normalization::is_nfc_quick(trimmed.chars()) {
            unicode_normalization::IsNormalized::Yes => trimmed.to_string(),
            _ => trimmed.nfc().collect(),
        };
        // Before the blank check, so zero-width characters alone are named.
        let bad = unprintable(&s.value, &t);
        if let Some(&first) = bad.first() {
            let literal = &self.src.text[v.start()..v.end()];
            let at = v.start() + offset_in_literal(literal, first).unwrap_or(0);
            self.error(at, path, Code::Unprintable, unprintable_message(&bad));
            return None;
        }
        if t.is_empty() {
            self.error(v.start(), path, Code::EmptyText, "văn bản không được để trống; điền nội dung hoặc bỏ hẳn khóa này nếu nó không bắt buộc".into());
            return None;
        }
        Some(t)
    }

    /// One of a documented list of values (`what` names it: "cấp đơn vị");
    /// a value not in it is named with the nearest one and the whole list.
    pub fn choice<T: Copy>(
        &mut self,
        v: &Value,
        path: &str,
        what: &str,
        options: &[(T, &str)],
    ) -> Option<T> {
        let text = self.text(v, path)?;
        if let Some((value, _)) = options.iter().find(|(_, name)| *name == text) {
            return Some(*value);
        }
        let names = || options.iter().map(|(_, name)| *name);
        self.error(
            v.start(),
            path,
            Code::UnknownValue,
            format!(
                "{what} `{text}` không có trong danh sách.{} Các giá trị hợp lệ: {}",
                hint(&text, names()),
                names().collect::<Vec<_>>().join(", ")
            ),
        );
        None
    }

    pub fn texts(&mut self, v: &Value, path: &str) -> Option<Vec<String>> {
        self.array(v, path, |r, item, p| r.text(item, p))
    }

    pub fn boolean(&mut self, v: &Value, path: &str) -> Option<bool> {
        match v {
            Value::BooleanLit(b) => Some(b.value),
            _ => {
                self.wrong_type(v, path, "true hoặc false");
                None
            }
        }
    }

    /// An integer in `min..=max` (years, revision numbers).
    pub fn integer(&mut self, v: &Value, path: &str, min: i64, max: i64) -> Option<i64> {
        let n = match v {
            Value::NumberLit(n) => n.value.parse::<i64>().ok(),
            _ => {
                self.wrong_type(v, path, "một số nguyên");
                return None;
            }
        };
        match n {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.error(
                    v.start(),
                    path,
                    Code::WrongType,
                    format!("cần một số nguyên từ {min} đến {max}"),
                );
                None
            }
        }
    }

    /// Whole, non-negative đồng, as an integer or a string of digits.
    pub fn money(&mut self, v: &Value, path: &str) -> Option<Money> {
        let (raw, quoted) = match v {
            Value::NumberLit(n) => (n.value.to_string(), false),
            Value::StringLit(s) => (s.value.trim().to_string(), true),
            _ => {
                self.wrong_type(v, path, "số tiền (số nguyên đồng, ví dụ 224730000)");
                return None;
            }
        };
        let fix = match self.src.form {
            Some(_) => cell_money_problem(&raw),
            None => money_problem(&raw, quoted),
        };
        if let Some(problem) = fix {
            self.error(v.start(), path, Code::InvalidMoney, problem);
            return None;
        }
        Some(Money(Decimal::from_str(&raw).ok()?))
    }

    /// A non-negative quantity: integer, or decimal with "." (as a string or number).
    pub fn quantity(&mut self, v: &Value, path: &str) -> Option<Quantity> {
        let raw = match v {
            Value::NumberLit(n) => n.value.to_string(),
            Value::StringLit(s) => s.value.trim().to_string(),
            _ => {
                self.wrong_type(v, path, "một số lượng (ví dụ 48)");
                return None;
            }
        };
        let ok = !raw.is_empty()
            && raw.len() <= 20
            && raw.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && raw.matches('.').count() <= 1
            && !raw.starts_with('.')
            && !raw.ends_with('.');
        let parsed = if ok {
            Decimal::from_str(&raw).ok()
        } else {
            None
        };
        match parsed {
            Some(d) if d <= money_limit() => Some(Quantity(d)),
            _ => {
                let why = if raw.starts_with('-') {
                    "số lượng không được âm"
                } else {
                    "số lượng không hợp lệ"
                };
                let message = match self.src.form {
                    Some(_) => format!("{why} (“{raw}”): ghi số không âm, phần thập phân (nếu có) ngăn bằng dấu phẩy, ví dụ 48 hoặc 2,5"),
                    None => format!("{why} (`{raw}`): ghi số không âm, phần thập phân (nếu có) dùng dấu chấm, ví dụ 48 hoặc \"2.5\""),
                };
                self.error(v.start(), path, Code::InvalidQuantity, message);
                None
            }
        }
    }

    pub fn date(&mut self, v: &Value, path: &str) -> Option<Date> {
        let Value::StringLit(s) = v else {
            self.wrong_type(v, path, "một ngày dạng \"YYYY-MM-DD\"");
            return None;
        };
        let d = Date::parse(s.value.trim());
        if d.is_none() {
            self.error(
                v.start(),
                path,
                Code::InvalidDate,
                format!("ngày `{}` không hợp lệ: ghi theo dạng \"YYYY-MM-DD\", ví dụ \"2023-11-15\", và ngày phải có thật", s.value),
            );
        }
        d
    }

    /// Decodes every element; failed elements are reported and left out.
    pub fn array<'v, 'x, T>(
        &mut self,
        v: &'v Value<'x>,
        path: &str,
        mut each: impl FnMut(&mut Self, &'v Value<'x>, &str) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Value::Array(a) = v else {
            self.wrong_type(v, path, "một mảng [ ... ]");
            return None;
        };
        let before = self.diags.len();
        let items: Vec<T> = a
            .elements
            .iter()
            .enumerate()
            .filter_map(|(i, e)| each(self, e, &format!("{path}[{i}]")))
            .collect();
        (self.diags.len() == before).then_some(items)
    }

    /// Reports keys of one object that are wrong where they stand (unknown,
    /// repeated), each with `explain(name)`, up to LISTED_KEYS; then one line
    /// with `rest(count)` at the first one left out, so a file with thousands
    /// of stray keys gives a report a person can read.
    pub fn report_keys(
        &mut self,
        object: &str,
        keys: &[&ObjectProp],
        code: Code,
        explain: impl Fn(&str) -> String,
        rest: impl FnOnce(usize) -> String,
    ) {
        for p in keys.iter().take(LISTED_KEYS) {
            let name = p.name.as_str();
            self.error(p.range.start, &key_path(object, name), code, explain(name));
        }
        if let Some(first) = keys.get(LISTED_KEYS) {
            let message = rest(keys.len() - LISTED_KEYS);
            self.error(
                first.range.start,
                &key_path(object, first.name.as_str()),
                code,
                message,
            );
        }
    }
}

/// The characters of a text the report cannot print, each once, in order,
/// at most a few: invisible ones anywhere in the value, edges included
/// (tab and line breaks excepted: the report prints them as a space), then
/// those of the text as printed that one of the four faces lacks, so
/// `validate` refuses what `build` could not print.
fn unprintable(raw: &str, printed: &str) -> Vec<char> {
    const NAMED: usize = 5;
    // Printable ASCII, most of any text, is neither: decided in one compare.
    let suspect = |c: &char| !matches!(c, ' '..='~' | '\t' | '\n' | '\r');
    let invisible = raw.chars().filter(suspect).filter(|&c| is_invisible(c));
    let undrawable = printed.chars().filter(suspect).filter(|&c| !drawable(c));
    let mut found = Vec::new();
    for c in invisible.chain(undrawable) {
        if !found.contains(&c) {
            found.push(c);
            if found.len() == NAMED {
                break;
            }
        }
    }
    found
}

/// Whether all four faces draw `c`. Fonts that cannot be read are a
/// damaged build, which `build` reports.
fn drawable(c: char) -> bool {
    fonts::in_every_face(c).unwrap_or(true)
}

fn unprintable_message(chars: &[char]) -> String {
    let named: Vec<String> = chars
        .iter()
        .map(|&c| match c {
            c if c.is_control() => format!("U+{:04X} (ký tự điều khiển)", c as u32),
            c if is_invisible(c) => format!("U+{:04X} (ký tự ẩn)", c as u32),
            c => format!("“{c}” (U+{:04X})", c as u32),
        })
        .collect();
    let mut fixes = Vec::new();
    if chars.iter().any(|&c| is_invisible(c)) {
        fixes.push("ký tự ẩn thường lẫn vào khi chép chữ từ trang web, Word hay tin nhắn: xóa nó (không thấy thì xóa rồi gõ lại mấy chữ quanh vị trí này)");
    }
    if chars.iter().any(|&c| !is_invisible(c)) {
        fixes.push("phông chữ của báo cáo không có ký tự này: thay bằng chữ hay ký hiệu thông thường, ví dụ \"m2\" thay cho \"㎡\", \"đạt\" thay cho \"✓\", bỏ biểu tượng cảm xúc, chữ Hán ghi bằng phiên âm tiếng Việt");
    }
    format!(
        "văn bản có ký tự báo cáo không in được: {}; {}",
        named.join(", "),
        fixes.join("; ")
    )
}

/// Byte offset, in a string literal as written (quotes included), of the
/// first `target`, written as it is or as an escape (`\u200b`, a surrogate
/// pair, `\b`); the parser has already checked the escapes.
fn offset_in_literal(literal: &str, target: char) -> Option<usize> {
    let hex = |at: usize| u32::from_str_radix(literal.get(at..at + 4)?, 16).ok();
    let mut at = 1;
    while let Some(c) = literal[at..].chars().next() {
        let (decoded, len) = match c {
            '\\' => match literal.as_bytes().get(at + 1)? {
                b'u' => {
                    let unit = hex(at + 2)?;
                    match hex(at + 8).filter(|_| (0xD800..0xDC00).contains(&unit)) {
                        Some(low) => (
                            char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low & 0x3FF)),
                            12,
                        ),
                        None => (char::from_u32(unit), 6),
                    }
                }
                b'b' => (Some('\u{8}'), 2),
                b'f' => (Some('\u{C}'), 2),
                b'n' => (Some('\n'), 2),
                b'r' => (Some('\r'), 2),
                b't' => (Some('\t'), 2),
                &other => (Some(char::from(other)), 2),
            },
            c => (Some(c), c.len_utf8()),
        };
        if decoded == Some(target) {
            return Some(at);
        }
        at += len;
    }
    None
}

/// Why a money literal is not acceptable, with what to write instead.
fn money_problem(raw: &str, quoted: bool) -> Option<String> {
    if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
        return match Decimal::from_str(raw) {
            Ok(d) if d < money_limit() => None,
            _ => Some(format!(
                "số tiền `{raw}` vượt quá giới hạn (phải nhỏ hơn 10^18 đồng, tức nhiều nhất 18 chữ số); kiểm tra lại số chữ số"
            )),
        };
    }
    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
    let negative = raw
        .strip_prefix('-')
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
    Some(if let Some(rest) = negative {
        // The whole đồng written, without leading zeros: "-0" is shown "0".
        let whole = rest.trim_start_matches('0');
        let end = whole
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(whole.len());
        let example = if end == 0 { "0" } else { &whole[..end] };
        format!("số tiền không được âm (`{raw}`); ghi số tiền đã chi, ví dụ {example}")
    } else if !quoted && (raw.contains('.') || raw.contains('e') || raw.contains('E')) {
        match raw.split_once('.') {
            Some((whole, _)) if !raw.contains(['e', 'E']) => format!(
                "số tiền phải là số nguyên đồng, không có phần lẻ (`{raw}`); làm tròn rồi ghi, ví dụ {whole}"
            ),
            _ => format!("số tiền phải viết đủ các chữ số nguyên đồng, không dùng dạng số mũ (`{raw}`)"),
        }
    } else if is_grouped(raw) {
        format!(
            "số tiền không được có dấu phân cách hay chữ (`{raw}`); ghi liền các chữ số, ví dụ {} (không có dấu chấm, phẩy, khoảng trắng)",
            digits
        )
    } else {
        format!("số tiền `{raw}` không hợp lệ; chỉ ghi các chữ số của số đồng nguyên, không có chữ, dấu hay phần lẻ, ví dụ 224730000")
    })
}

/// Why an amount read from a form's cell is not acceptable, in the words
/// of a spreadsheet: what the officer typed (a number read the Vietnamese
/// way is already digits here), with what to type instead.
fn cell_money_problem(raw: &str) -> Option<String> {
    if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
        return match Decimal::from_str(raw) {
            Ok(d) if d < money_limit() => None,
            _ => Some(format!("số tiền {raw} đồng vượt quá giới hạn (phải nhỏ hơn 10^18 đồng, tức nhiều nhất 18 chữ số); kiểm tra lại số chữ số")),
        };
    }
    let vietnamese = raw.replacen('.', ",", 1);
    Some(if let Some(rest) = raw.strip_prefix('-') {
        let whole = rest
            .split(['.', ','])
            .next()
            .unwrap_or("0")
            .trim_start_matches('0');
        let example = if whole.is_empty() { "0" } else { whole };
        format!("số tiền không được âm ({vietnamese}); ghi số tiền đã chi, ví dụ {example}")
    } else if raw.split_once('.').is_some_and(|(w, f)| {
        !w.is_empty()
            && w.bytes().all(|b| b.is_ascii_digit())
            && f.bytes().all(|b| b.is_ascii_digit())
    }) {
        let whole = raw.split('.').next().unwrap_or("0");
        format!("số tiền phải là số đồng nguyên, không có phần lẻ ({vietnamese}); làm tròn rồi ghi, ví dụ {whole}")
    } else if is_grouped(raw) && raw.contains(',') {
        format!("số tiền “{raw}” viết dấu phẩy ngăn nghìn theo kiểu tiếng Anh, mà dấu phẩy là dấu thập phân: ghi {} hoặc dùng dấu chấm ngăn nghìn", raw.replace(',', ""))
    } else {
        format!("số tiền “{raw}” không đọc được thành số đồng; ghi các chữ số, có thể có dấu chấm ngăn nghìn, ví dụ 18000000 hoặc 18.000.000")
    })
}

/// "224.730.000", "224,730,000" or "224 730 000": digits grouped by three.
fn is_grouped(raw: &str) -> bool {
    let mut groups = raw.split(['.', ',', ' ']);
    let first = groups.next().unwrap_or("");
    let rest: Vec<&str> = groups.collect();
    !rest.is_empty()
        && (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && rest
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// A value was invalid and its problem is already among the diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported;

/// The properties of one JSON object of the contract, with its table of keys.
pub struct Obj<'v, 'a> {
    props: &'v [ObjectProp<'a>],
    start: usize,
    pub path: String,
    table: Object,
}

impl<'v, 'a> Obj<'v, 'a> {
    fn find(&self, key: Key) -> Option<&'v Value<'a>> {
        debug_assert!(
            self.table.keys.contains(&key),
            "{} is not a key of {}",
            key.name,
            self.table.schema
        );
        self.props
            .iter()
            .find(|p| p.name.as_str() == key.name)
            .map(|p| &p.value)
    }

    /// A required key, decoded with `decode`.
    pub fn req<T>(
        &mut self,
        r: &mut Reader,
        key: Key,
        decode: impl FnOnce(&mut Reader, &'v Value<'a>, &str) -> Option<T>,
    ) -> Option<T> {
        debug_assert!(key.is_required(), "{} is optional", key.name);
        let path = key_path(&self.path, key.name);
        match self.find(key) {
            Some(v) => decode(r, v, &path),
            None => {
                let name = key.name;
                let message = match r.src.form {
                    Some(form) => form.blank(&path),
                    None => format!(
                        "thiếu khóa bắt buộc `{name}`; thêm `\"{name}\": ...` vào đối tượng này"
                    ),
                };
                r.error(self.start, &path, Code::MissingKey, message);
                None
            }
        }
    }

    /// An optional key (absent or null → Ok(None)); Err when present but invalid.
    pub fn opt<T>(
        &mut self,
        r: &mut Reader,
        key: Key,
        decode: impl FnOnce(&mut Reader, &'v Value<'a>, &str) -> Option<T>,
    ) -> Result<Option<T>, Reported> {
        debug_assert!(!key.is_required(), "{} is required", key.name);
        let path = key_path(&self.path, key.name);
        match self.find(key) {
            None | Some(Value::NullKeyword(_)) => Ok(None),
            Some(v) => decode(r, v, &path).map(Some).ok_or(Reported),
        }
    }

    /// Reports every key that is not one of the object's.
    pub fn finish(self, r: &mut Reader) {
        let table = self.table;
        let unknown: Vec<&ObjectProp> = self
            .props
            .iter()
            .filter(|p| table.key(p.name.as_str()).is_none())
            .collect();
        let names = || table.keys.iter().map(|k| k.name);
        let allowed = names().collect::<Vec<_>>().join(", ");
        r.report_keys(
            &self.path,
            &unknown,
            Code::UnknownKey,
            |name| {
                format!(
                    "khóa `{name}` không có trong mẫu dữ liệu.{} Các khóa hợp lệ ở đây: {allowed}",
                    hint(name, names())
                )
            },
            |rest| format!("còn {rest} khóa lạ khác trong đối tượng này, không liệt kê hết: tệp không theo mẫu dữ liệu (xem docs/du-lieu.md). Các khóa hợp lệ ở đây: {allowed}"),
        );
    }

    /// Whether the object has `key` (a required key whose absence a
    /// decoder explains in its own words).
    pub fn has(&self, key: Key) -> bool {
        self.find(key).is_some()
    }

    /// The object's own position, for cross-checks reported later.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Position of a key's value (or of the object when absent).
    pub fn offset_of(&self, key: &str) -> usize {
        self.props
            .iter()
            .find(|p| p.name.as_str() == key)
            .map_or(self.start, |p| p.value.start())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(raw: &str) -> Result<Money, Vec<String>> {
        use crate::contract::keys::extra;
        let text = format!("{{\"kinh_phi\": {raw}}}");
        let src = Source::new(Path::new("t.json"), &text);
        let mut diags = Diagnostics::default();
        let v = parse(&src, &mut diags).expect("valid JSON");
        let mut r = Reader {
            src: &src,
            diags: &mut diags,
        };
        let mut o = r.object(&v, "$", extra::OBJECT).unwrap();
        let m = o.req(&mut r, extra::KINH_PHI, |r, v, p| r.money(v, p));
        m.ok_or_else(|| {
            diags
                .0
                .iter()
                .map(|d| format!("{} {}", d.code.id(), d.message))
                .collect()
        })
    }

    #[test]
    fn money_accepts_whole_dong_only() {
        assert_eq!(
            money("224730000").unwrap(),
            Money(Decimal::from(224_730_000))
        );
        assert_eq!(
            money("\"224730000\"").unwrap(),
            Money(Decimal::from(224_730_000))
        );
        let float = money("224730000.5").unwrap_err();
        assert!(
            float[0].contains("KC020") && float[0].contains("224730000"),
            "{float:?}"
        );
        let neg = money("-5").unwrap_err();
        assert!(neg[0].contains("không được âm"), "{neg:?}");
        let formatted = money("\"224.730.000\"").unwrap_err();
        assert!(
            formatted[0].contains("ghi liền các chữ số, ví dụ 224730000"),
            "{formatted:?}"
        );
        let huge = money("1000000000000000000000000000000").unwrap_err();
        assert!(huge[0].contains("vượt quá giới hạn"), "{huge:?}");
        assert!(money("1e9").unwrap_err()[0].contains("số mũ"));
        // Only digits grouped by three get the "write them together" hint.
        let odd = money("\"18000000.5\"").unwrap_err();
        assert!(
            odd[0].contains("không có chữ, dấu hay phần lẻ") && !odd[0].contains("180000005"),
            "{odd:?}"
        );
        assert!(!money("\"18 triệu\"").unwrap_err()[0].contains("ví dụ 18 "));
        assert!(money("true").unwrap_err()[0].contains("KC010"));
    }

    #[test]
    fn money_limit_is_below_ten_to_the_eighteen() {
        assert_eq!(
            money("999999999999999999").unwrap(),
            Money(Decimal::from(999_999_999_999_999_999_i64))
        );
        for at_limit in ["1000000000000000000", "\"1000000000000000000\""] {
            let refused = money(at_limit).unwrap_err();
            assert!(
                refused[0].contains("KC020") && refused[0].contains("10^18"),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn negative_money_gets_a_real_example() {
        for (raw, example) in [
            ("-0", "ví dụ 0"),
            ("\"-000\"", "ví dụ 0"),
            ("-5", "ví dụ 5"),
            ("\"-0018000000\"", "ví dụ 18000000"),
            ("-18000000.5", "ví dụ 18000000"),
        ] {
            let neg = money(raw).unwrap_err();
            assert!(
                neg[0].contains("không được âm") && neg[0].ends_with(example),
                "{raw}: {neg:?}"
            );
        }
    }

    #[test]
    fn positions_are_line_and_character_column() {
        let text = "{\n  \"tên\": \"Đồng\",\n  \"x\": 1\n}";
        let src = Source::new(Path::new("t.json"), text);
        let offset = text.find("\"x\"").unwrap();
        assert_eq!(src.position(offset), (3, 3));
        let offset = text.find("\"Đồng\"").unwrap();
        assert_eq!(src.position(offset), (2, 10));
    }

    #[test]
    fn positions_asked_out_of_order_are_right() {
        let text = "{\"tên\": \"Đồng Nai\", \"x\": 1, \"y\": [\"ữ\"]}\n{\"z\": 2}";
        let src = Source::new(Path::new("t.json"), text);
        for (key, expected) in [
            ("\"y\"", (1, 29)),
            ("\"x\"", (1, 21)),
            ("\"ữ\"", (1, 35)),
            ("\"z\"", (2, 2)),
            ("\"x\"", (1, 21)),
        ] {
            assert_eq!(src.position(text.find(key).unwrap()), expected, "{key}");
        }
    }

    #[test]
    fn paths_quote_odd_keys() {
        assert_eq!(key_path("$", "nam"), "nam");
        assert_eq!(
            key_path("hoat_dong[0]", "kinh_phi"),
            "hoat_dong[0].kinh_phi"
        );
        assert_eq!(key_path("$", ""), "$[\"\"]");
        assert_eq!(key_path("a", "x.y"), "a[\"x.y\"]");
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let text = "[".repeat(10_000);
        let src = Source::new(Path::new("t.json"), &text);
        let mut diags = Diagnostics::default();
        assert!(parse(&src, &mut diags).is_none());
        assert_eq!(diags.codes(), vec!["KC005"]);
    }
}
