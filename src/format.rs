//! Vietnamese formatting filters for the report templates.
//!
//! Function names are the filter names the templates use. Every number is a
//! [`Decimal`] (no floats, so money and percentages never pick up binary
//! rounding errors); every function is pure and never panics: inputs that
//! can be out of range give a [`FormatError`] with a Vietnamese message.
//!
//! Numbers follow Luật Kế toán: "." groups thousands, "," separates decimals.
//! Spelled-out numbers ([`bang_chu`]) follow the rule of Vietnamese
//! administrative and accounting writing documented there.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::contract::MoneyUnit;

/// Why a value cannot be formatted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("ngày {day}/{month}/{year} không hợp lệ")]
    NgayKhongHopLe { day: u32, month: u32, year: i32 },
    #[error("khoảng ngày không hợp lệ: ngày kết thúc {to} trước ngày bắt đầu {from}")]
    KhoangNgayNguoc { from: String, to: String },
    #[error("số La Mã chỉ viết được các số từ 1 đến 3999, không viết được {0}")]
    SoLaMaNgoaiPhamVi(u64),
    #[error("số tiền bằng chữ phải là số đồng nguyên, nhận được {0}")]
    TienKhongNguyen(Decimal),
}

/// `Decimal` cannot hold more than 28 decimal places.
const MAX_DECIMALS: u32 = 28;

/// Formats a number with "." thousands and "," decimal separators.
///
/// `decimals = None` prints the value's own decimals without trailing zeros;
/// `Some(n)` rounds half away from zero to `n` places and prints exactly `n`
/// (`n` above 28, the most a `Decimal` holds, is treated as 28).
///
/// ```
/// use khuyencong::format::so;
/// use rust_decimal::Decimal;
/// assert_eq!(so(Decimal::new(224730000, 0), None), "224.730.000");
/// assert_eq!(so(Decimal::new(177997, 2), None), "1.779,97");
/// assert_eq!(so(Decimal::new(-12345, 1), None), "-1.234,5");
/// assert_eq!(so(Decimal::new(9745, 2), Some(1)), "97,5");
/// assert_eq!(so(Decimal::new(5, 0), Some(2)), "5,00");
/// ```
pub fn so(value: Decimal, decimals: Option<u32>) -> String {
    let (value, width) = match decimals {
        None => (value.normalize(), 0),
        Some(n) => {
            let n = n.min(MAX_DECIMALS);
            (
                value.round_dp_with_strategy(n, RoundingStrategy::MidpointAwayFromZero),
                n,
            )
        }
    };
    let (int, frac) = split(value);
    // Rounding can leave "-0"; a sign on zero would only confuse readers.
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    let frac = format!("{frac:0<width$}", width = width as usize);
    if frac.is_empty() {
        format!("{sign}{}", group_thousands(int))
    } else {
        format!("{sign}{},{frac}", group_thousands(int))
    }
}

/// Splits |value| into its integer part and its decimal digits as written
/// (the scale decides how many, so callers normalize or round first).
fn split(value: Decimal) -> (u128, String) {
    let mantissa = value.mantissa().unsigned_abs();
    // scale ≤ 28, and 10^28 fits in u128.
    let scale = value.scale();
    let unit = 10u128.pow(scale);
    let frac = if scale == 0 {
        String::new()
    } else {
        format!("{:0width$}", mantissa % unit, width = scale as usize)
    };
    (mantissa / unit, frac)
}

fn group_thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Money in whole đồng.
///
/// ```
/// use khuyencong::format::tien;
/// use rust_decimal::Decimal;
/// assert_eq!(tien(Decimal::new(224730000, 0)), "224.730.000 đồng");
/// ```
pub fn tien(value: Decimal) -> String {
    tien_theo(value, MoneyUnit::Dong, Some(0))
}

/// Money in millions of đồng rounded to `decimals` places, by the same
/// rule as [`tien_theo`] (decimals only when needed).
///
/// ```
/// use khuyencong::format::trieu_dong;
/// use rust_decimal::Decimal;
/// assert_eq!(trieu_dong(Decimal::new(1779970000, 0), 2), "1.779,97 triệu đồng");
/// assert_eq!(trieu_dong(Decimal::new(1779900000, 0), 2), "1.779,9 triệu đồng");
/// ```
pub fn trieu_dong(value: Decimal, decimals: u32) -> String {
    tien_theo(value, MoneyUnit::TrieuDong, Some(decimals))
}

/// An amount of đồng converted to `unit` and rounded once, half away from
/// zero, to `decimals` places (default [`MoneyUnit::decimals`]): the
/// figure a report prints. Every printed amount and every rounding check
/// ([`lech_lam_tron`]) goes through here.
///
/// ```
/// use khuyencong::contract::MoneyUnit;
/// use khuyencong::format::lam_tron;
/// use rust_decimal::Decimal;
/// assert_eq!(lam_tron(Decimal::new(315725000, 0), MoneyUnit::TrieuDong, None), Decimal::new(31573, 2));
/// ```
pub fn lam_tron(value: Decimal, unit: MoneyUnit, decimals: Option<u32>) -> Decimal {
    let places = decimals.unwrap_or(unit.decimals()).min(MAX_DECIMALS);
    // Dividing by a power of ten shrinks the value, so it cannot overflow.
    let converted = value / Decimal::from(unit.dong());
    converted.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// Whether the rounded `parts` fail to add up to the rounded `total` (in
/// `unit`, at its default decimals): a table of such rows needs the note
/// that its figures are rounded. Never in đồng.
///
/// ```
/// use khuyencong::contract::MoneyUnit;
/// use khuyencong::format::lech_lam_tron;
/// use rust_decimal::Decimal;
/// // 0,0050 + 0,0050 triệu show 0,01 each; their total 0,01.
/// let half = Decimal::new(5000, 0);
/// assert!(lech_lam_tron([half, half], half + half, MoneyUnit::TrieuDong));
/// assert!(!lech_lam_tron([half, half], half + half, MoneyUnit::Dong));
/// ```
pub fn lech_lam_tron(
    parts: impl IntoIterator<Item = Decimal>,
    total: Decimal,
    unit: MoneyUnit,
) -> bool {
    let shown: Decimal = parts.into_iter().map(|p| lam_tron(p, unit, None)).sum();
    shown != lam_tron(total, unit, None)
}

/// An amount of đồng in `unit`, without the unit's words: a table cell
/// under "Đơn vị tính: triệu đồng". Converted from the exact amount and
/// rounded once ([`lam_tron`]), always with the same number of decimals
/// (`decimals`, default 0 in đồng, 2 in nghìn and triệu đồng), so a
/// column's figures line up.
///
/// ```
/// use khuyencong::contract::MoneyUnit;
/// use khuyencong::format::so_tien;
/// use rust_decimal::Decimal;
/// assert_eq!(so_tien(Decimal::new(2146000000, 0), MoneyUnit::TrieuDong, None), "2.146,00");
/// assert_eq!(so_tien(Decimal::new(1779970000, 0), MoneyUnit::TrieuDong, None), "1.779,97");
/// assert_eq!(so_tien(Decimal::new(64800000, 0), MoneyUnit::TrieuDong, None), "64,80");
/// assert_eq!(so_tien(Decimal::new(1779975000, 0), MoneyUnit::TrieuDong, Some(1)), "1.780,0");
/// assert_eq!(so_tien(Decimal::new(224730000, 0), MoneyUnit::Dong, None), "224.730.000");
/// ```
pub fn so_tien(value: Decimal, unit: MoneyUnit, decimals: Option<u32>) -> String {
    let places = decimals.unwrap_or(unit.decimals()).min(MAX_DECIMALS);
    so(lam_tron(value, unit, Some(places)), Some(places))
}

/// An amount in a sentence: [`lam_tron`], trailing zeros dropped (decimals
/// only when needed), then the unit's words: "2.146 triệu đồng",
/// "1.779,97 triệu đồng".
///
/// ```
/// use khuyencong::contract::MoneyUnit;
/// use khuyencong::format::tien_theo;
/// use rust_decimal::Decimal;
/// assert_eq!(tien_theo(Decimal::new(2146000000, 0), MoneyUnit::TrieuDong, None), "2.146 triệu đồng");
/// ```
pub fn tien_theo(value: Decimal, unit: MoneyUnit, decimals: Option<u32>) -> String {
    format!(
        "{} {}",
        so(lam_tron(value, unit, decimals), None),
        unit.label()
    )
}

/// A document number as the decree writes it (Nghị định 30/2020/NĐ-CP,
/// Phụ lục I): a number below 10 takes a leading zero, "5/BC-UBND" is
/// "05/BC-UBND"; anything else is left as written.
///
/// ```
/// use khuyencong::format::so_ky_hieu;
/// assert_eq!(so_ky_hieu("5/BC-KC&TV"), "05/BC-KC&TV");
/// assert_eq!(so_ky_hieu("648/BC-KC&TV"), "648/BC-KC&TV");
/// ```
pub fn so_ky_hieu(number: &str) -> String {
    let b = number.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_digit() && b[1] == b'/' {
        format!("0{number}")
    } else {
        number.to_string()
    }
}

/// A count, with the leading zero the reports use for 0 to 9.
///
/// ```
/// use khuyencong::format::so_dem;
/// use rust_decimal::Decimal;
/// assert_eq!(so_dem(Decimal::new(5, 0)), "05");
/// assert_eq!(so_dem(Decimal::new(2000, 0)), "2.000");
/// ```
pub fn so_dem(value: Decimal) -> String {
    let text = so(value, None);
    // "01 đoàn" but "0 cơ sở": a leading zero on nothing reads oddly.
    if value.is_integer() && value > Decimal::ZERO && value < Decimal::TEN {
        format!("0{text}")
    } else {
        text
    }
}

/// A value already in percent, with `decimals` places and no space before "%".
///
/// ```
/// use khuyencong::format::phan_tram;
/// use rust_decimal::Decimal;
/// assert_eq!(phan_tram(Decimal::new(9743, 2), 1), "97,4%");
/// assert_eq!(phan_tram(Decimal::ONE_HUNDRED, 1), "100,0%");
/// ```
pub fn phan_tram(value: Decimal, decimals: u32) -> String {
    format!("{}%", so(value, Some(decimals)))
}

/// `part` as a percentage of `whole`, unrounded (rounding is for display).
/// `None` when `whole` is 0 or the result does not fit in a `Decimal`.
///
/// ```
/// use khuyencong::format::ty_le;
/// use rust_decimal::Decimal;
/// assert_eq!(ty_le(Decimal::new(1949, 0), Decimal::new(2000, 0)), Some(Decimal::new(9745, 2)));
/// assert_eq!(ty_le(Decimal::ONE, Decimal::ZERO), None);
/// ```
pub fn ty_le(part: Decimal, whole: Decimal) -> Option<Decimal> {
    part.checked_div(whole)?.checked_mul(Decimal::ONE_HUNDRED)
}

fn check_date(day: u32, month: u32, year: i32) -> Result<(), FormatError> {
    let days = crate::contract::days_in_month(year, month);
    // Four-digit years only: the formats below assume them.
    if (1..=days).contains(&day) && (1..=9999).contains(&year) {
        Ok(())
    } else {
        Err(FormatError::NgayKhongHopLe { day, month, year })
    }
}

/// A date as "dd/mm/yyyy".
///
/// ```
/// use khuyencong::format::ngay_so;
/// assert_eq!(ngay_so(5, 1, 2023).unwrap(), "05/01/2023");
/// assert!(ngay_so(29, 2, 2023).is_err());
/// ```
pub fn ngay_so(day: u32, month: u32, year: i32) -> Result<String, FormatError> {
    check_date(day, month, year)?;
    Ok(format!("{day:02}/{month:02}/{year}"))
}

/// The date line of an administrative document (Nghị định 30/2020/NĐ-CP):
/// days below 10 and months 1 and 2 take a leading zero.
///
/// ```
/// use khuyencong::format::ngay_chu;
/// assert_eq!(ngay_chu(5, 1, 2024).unwrap(), "ngày 05 tháng 01 năm 2024");
/// assert_eq!(ngay_chu(15, 3, 2024).unwrap(), "ngày 15 tháng 3 năm 2024");
/// ```
pub fn ngay_chu(day: u32, month: u32, year: i32) -> Result<String, FormatError> {
    check_date(day, month, year)?;
    let month = if month <= 2 {
        format!("0{month}")
    } else {
        month.to_string()
    };
    Ok(format!("ngày {day:02} tháng {month} năm {year}"))
}

/// A date range as the reports write it, each date as (day, month, year):
/// "15/8 – 18/8/2023" within a year, "15/8/2023" for a single day, full
/// dates across years.
///
/// ```
/// use khuyencong::format::khoang_ngay;
/// assert_eq!(khoang_ngay((15, 8, 2023), (18, 8, 2023)).unwrap(), "15/8 – 18/8/2023");
/// assert_eq!(khoang_ngay((28, 12, 2023), (5, 1, 2024)).unwrap(), "28/12/2023 – 05/01/2024");
/// ```
pub fn khoang_ngay(from: (u32, u32, i32), to: (u32, u32, i32)) -> Result<String, FormatError> {
    let (d1, m1, y1) = from;
    let (d2, m2, y2) = to;
    let start = ngay_so(d1, m1, y1)?;
    let end = ngay_so(d2, m2, y2)?;
    if (y2, m2, d2) < (y1, m1, d1) {
        return Err(FormatError::KhoangNgayNguoc {
            from: start,
            to: end,
        });
    }
    Ok(if from == to {
        format!("{d1}/{m1}/{y1}")
    } else if y1 == y2 {
        format!("{d1}/{m1} – {d2}/{m2}/{y2}")
    } else {
        format!("{start} – {end}")
    })
}

/// Joins items the Vietnamese way: "A, B và C".
///
/// ```
/// use khuyencong::format::danh_sach;
/// let items = ["A", "B", "C"].map(String::from);
/// assert_eq!(danh_sach(&items), "A, B và C");
/// ```
pub fn danh_sach(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [head @ .., last] => format!("{} và {last}", head.join(", ")),
    }
}

/// Roman numerals (used for the report's section numbers), 1 to 3999.
///
/// ```
/// use khuyencong::format::so_la_ma;
/// assert_eq!(so_la_ma(2023).unwrap(), "MMXXIII");
/// assert!(so_la_ma(0).is_err());
/// ```
pub fn so_la_ma(n: u64) -> Result<String, FormatError> {
    const NUMERALS: [(u64, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    if !(1..=3999).contains(&n) {
        return Err(FormatError::SoLaMaNgoaiPhamVi(n));
    }
    let mut rest = n;
    let mut out = String::new();
    for (value, numeral) in NUMERALS {
        while rest >= value {
            out.push_str(numeral);
            rest -= value;
        }
    }
    Ok(out)
}

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// The number in Vietnamese words, lower case.
///
/// The rule of administrative and accounting writing ("Bằng chữ" lines):
/// digits are read in groups of three from the right, each followed by its
/// scale word (nghìn, triệu, tỷ; past a "tỷ" the groups start again and
/// nest: "một nghìn tỷ", "một tỷ tỷ"). The first group is read as it is
/// ("mười lăm", "một trăm lẻ năm"); **every later group is read with its
/// three digits**: "không trăm" when its hundreds are zero, then "lẻ" before
/// a lone units digit ("một nghìn không trăm lẻ năm", "một triệu không
/// trăm lẻ năm nghìn", "một triệu không trăm lẻ năm", "một tỷ không trăm
/// mười"). A group that is entirely zero is not read, nor its scale word
/// ("một triệu", "mười tỷ", "một nghìn tỷ không trăm lẻ năm"). "mười lăm"
/// (15), "hai mươi mốt" (21), "hai mươi lăm" (25), and 4 is always "bốn"
/// ("hai mươi bốn", not "hai mươi tư"), as the official lines write it.
/// Every `Decimal` (up to about 7,9 × 10^28) has words, so no total can
/// fail the template. Decimals: "phẩy" then each digit on its own (1,25 is
/// "một phẩy hai năm", 1,05 "một phẩy không năm"). Negative numbers start
/// with "âm".
///
/// ```
/// use khuyencong::format::bang_chu;
/// use rust_decimal::Decimal;
/// assert_eq!(bang_chu(Decimal::new(1005, 0)), "một nghìn không trăm lẻ năm");
/// assert_eq!(bang_chu(Decimal::new(1_005_000, 0)), "một triệu không trăm lẻ năm nghìn");
/// assert_eq!(bang_chu(Decimal::new(15, 1)), "một phẩy năm");
/// ```
pub fn bang_chu(value: Decimal) -> String {
    let value = value.normalize();
    let (int, frac) = split(value);
    let mut out = String::new();
    if value.is_sign_negative() && !value.is_zero() {
        out.push_str("âm ");
    }
    if int == 0 {
        out.push_str(DIGITS[0]);
    } else {
        out.push_str(&groups(int, false).join(" "));
    }
    if !frac.is_empty() {
        out.push_str(" phẩy");
        for digit in frac.bytes() {
            out.push(' ');
            out.push_str(DIGITS[usize::from(digit - b'0')]);
        }
    }
    out
}

const BILLION: u128 = 1_000_000_000;

/// The words of `n` (> 0), group by group; `full` when a group was read
/// before it, so that its leading group too is read with three digits.
fn groups(n: u128, full: bool) -> Vec<String> {
    if n >= BILLION {
        let (high, low) = (n / BILLION, n % BILLION);
        let mut words = groups(high, full);
        words.push("tỷ".into());
        if low > 0 {
            words.extend(groups(low, true));
        }
        return words;
    }
    let mut words = Vec::new();
    let mut full = full;
    for (scale, size) in [("triệu", 1_000_000), ("nghìn", 1_000), ("", 1)] {
        let group = n / size % 1_000;
        if group == 0 {
            continue;
        }
        words.push(if full {
            three_digits(group)
        } else {
            below_thousand(group)
        });
        if !scale.is_empty() {
            words.push(scale.into());
        }
        full = true;
    }
    words
}

/// A group (1..=999) read as it is: "năm", "mười lăm", "một trăm lẻ năm".
fn below_thousand(n: u128) -> String {
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10..=99 => tens(n),
        _ => three_digits(n),
    }
}

/// A group (0..=999) read with its hundreds, even when zero: "không trăm
/// lẻ năm", "không trăm mười", "một trăm".
fn three_digits(n: u128) -> String {
    let hundreds = format!("{} trăm", DIGITS[(n / 100) as usize]);
    match n % 100 {
        0 => hundreds,
        r @ 1..=9 => format!("{hundreds} lẻ {}", DIGITS[r as usize]),
        r => format!("{hundreds} {}", tens(r)),
    }
}

/// 10..=99: "mười", "mười lăm", "hai mươi mốt", "hai mươi bốn".
fn tens(n: u128) -> String {
    let (t, u) = ((n / 10) as usize, (n % 10) as usize);
    let head = if t == 1 {
        "mười".to_string()
    } else {
        format!("{} mươi", DIGITS[t])
    };
    match u {
        0 => head,
        5 => format!("{head} lăm"),
        1 if t > 1 => format!("{head} mốt"),
        _ => format!("{head} {}", DIGITS[u]),
    }
}

/// The "Bằng chữ" line under an amount: capitalised, ending in " đồng".
///
/// ```
/// use khuyencong::format::bang_chu_tien;
/// use rust_decimal::Decimal;
/// assert_eq!(
///     bang_chu_tien(Decimal::new(224730000, 0)).unwrap(),
///     "Hai trăm hai mươi bốn triệu bảy trăm ba mươi nghìn đồng"
/// );
/// ```
pub fn bang_chu_tien(value: Decimal) -> Result<String, FormatError> {
    if !value.is_integer() {
        return Err(FormatError::TienKhongNguyen(value));
    }
    Ok(format!("{} đồng", viet_hoa_dau(&bang_chu(value))))
}

/// Upper-cases the first letter and leaves the rest as written, unlike
/// Tera's `capitalize`, which lowers "CNNT" to "cnnt". Opening punctuation
/// before it is passed over; text that starts with a digit is unchanged.
///
/// ```
/// use khuyencong::format::viet_hoa_dau;
/// assert_eq!(viet_hoa_dau("cơ sở CNNT"), "Cơ sở CNNT");
/// assert_eq!(viet_hoa_dau("đơn vị"), "Đơn vị");
/// assert_eq!(viet_hoa_dau("2 lớp"), "2 lớp");
/// ```
pub fn viet_hoa_dau(text: &str) -> String {
    first_letter(text, |c| c.to_uppercase().collect())
}

/// The first letter in lower case, the rest as written (as
/// [`viet_hoa_dau`]): a name from the data ("Vốn đối ứng của cơ sở") in
/// the middle of a sentence.
///
/// ```
/// use khuyencong::format::viet_thuong_dau;
/// assert_eq!(viet_thuong_dau("Kinh phí khuyến công quốc gia"), "kinh phí khuyến công quốc gia");
/// assert_eq!(viet_thuong_dau("Đối ứng HTX"), "đối ứng HTX");
/// ```
pub fn viet_thuong_dau(text: &str) -> String {
    first_letter(text, |c| c.to_lowercase().collect())
}

/// `text` with its first letter changed, past any opening punctuation;
/// unchanged when it starts with a digit.
fn first_letter(text: &str, change: impl Fn(char) -> String) -> String {
    match text.char_indices().find(|(_, c)| c.is_alphanumeric()) {
        Some((at, c)) if c.is_alphabetic() => {
            let rest = &text[at + c.len_utf8()..];
            format!("{}{}{rest}", &text[..at], change(c))
        }
        _ => text.to_string(),
    }
}

/// CommonMark's whitespace (not Unicode's: a no-break space is text).
fn is_md_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}')
}

/// Tera escape function: makes data text inert inside a Markdown paragraph
/// or table cell, so it can never change the document structure.
///
/// - A whitespace run holding anything but spaces (a line break, a tab)
///   becomes one space: data cannot end a paragraph or start a block. Runs at
///   the start or end also become one space, so they cannot make an indented
///   code block or a hard line break.
/// - Backslash-escapes `` \ ` * _ [ ] < > | # ~ ! & ^ `` wherever they stand
///   (`&` so that entity references stay literal; `<` and `^` so that a
///   table cell of data is never read as a merge sign).
/// - At the very start, escapes a block marker: `-`, `+`, `=` and an ordered
///   list marker ("1. x" → "1\. x", but "224.730.000" stays as it is).
/// - Writes a "Bảng 2" or "Bảng." of the data so that the table numbering
///   leaves it as typed ([`crate::markdown::keep_data_tables`]).
///
/// ```
/// use khuyencong::format::escape_markdown_str;
/// assert_eq!(escape_markdown_str("1. *a*\n\nb"), r"1\. \*a\* b");
/// assert_eq!(escape_markdown_str("224.730.000 (97,4%)"), "224.730.000 (97,4%)");
/// ```
pub fn escape_markdown(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(escape_markdown_str(text).as_bytes())
}

/// Where data opening with a section's or a point's own number ("IV. …",
/// "c) …") gets a backslash, so that a template's `# {{ … }}` prints the
/// data as typed under the number the document gives (the numbering takes
/// a number written by hand in a heading as its count): the byte index of
/// the mark to escape. Dotted numbers ("2.4") are left: the templates
/// print an item's own number from the data (`{{ nd.so }}.`) on purpose.
fn heading_number_mark(text: &str) -> Option<usize> {
    let head = text.split(is_md_space).next().unwrap_or(text);
    let last = head.chars().last()?;
    let body = &head[..head.len() - last.len_utf8()];
    let roman = last == '.' && !body.is_empty() && body.chars().all(|c| "IVXLCDM".contains(c));
    let mut letters = body.chars();
    let letter =
        last == ')' && letters.next().is_some_and(char::is_lowercase) && letters.next().is_none();
    (roman || letter).then_some(body.len())
}

/// [`escape_markdown`] into a `String`.
///
/// ```
/// use khuyencong::format::escape_markdown_str;
/// assert_eq!(escape_markdown_str("# h"), r"\# h");
/// assert_eq!(escape_markdown_str("^"), r"\^");
/// ```
pub fn escape_markdown_str(text: &str) -> String {
    let mut buf = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if is_md_space(c) {
            let end = rest.find(|c| !is_md_space(c)).unwrap_or(rest.len());
            let run = &rest[..end];
            let at_edge = buf.is_empty() || end == rest.len();
            if at_edge || run.chars().any(|c| c != ' ') {
                buf.push(' ');
            } else {
                buf.push_str(run);
            }
            rest = &rest[end..];
            continue;
        }
        // Only the first character (after a leading space) can open a block.
        if buf.trim_start_matches(' ').is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let after = rest.as_bytes().get(digits + 1).copied();
            if matches!(c, '-' | '+' | '=') {
                buf.push('\\');
            } else if (1..=9).contains(&digits)
                && matches!(rest.as_bytes().get(digits), Some(b'.' | b')'))
                && after.is_none_or(|b| is_md_space(char::from(b)))
            {
                buf.push_str(&rest[..digits]);
                buf.push('\\');
                rest = &rest[digits..];
                continue;
            } else if let Some(mark) = heading_number_mark(rest) {
                buf.push_str(&rest[..mark]);
                buf.push('\\');
                rest = &rest[mark..];
                continue;
            }
        }
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' | '&' | '^'
        ) {
            buf.push('\\');
        }
        buf.push(c);
        rest = &rest[c.len_utf8()..];
    }
    crate::markdown::keep_data_tables(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test literal")
    }

    #[test]
    fn viet_hoa_dau_raises_only_the_first_letter() {
        let cases = [
            ("cơ sở CNNT", "Cơ sở CNNT"),
            ("đơn vị", "Đơn vị"),
            ("ấp", "Ấp"),
            ("ưu tiên", "Ưu tiên"),
            // Decomposed: the base letter is raised, its marks stay on it.
            ("a\u{0302}\u{0301}p", "A\u{0302}\u{0301}p"),
            ("“lượt học viên”", "“Lượt học viên”"),
            ("2 lớp", "2 lớp"),
            ("Đã viết hoa", "Đã viết hoa"),
            ("", ""),
            ("…", "…"),
        ];
        for (text, expected) in cases {
            assert_eq!(viet_hoa_dau(text), expected, "{text:?}");
        }
    }

    #[test]
    fn so_formats() {
        let cases = [
            ("224730000", None, "224.730.000"),
            ("1779.97", None, "1.779,97"),
            ("0", None, "0"),
            ("-1234.5", None, "-1.234,5"),
            ("97.44", Some(1), "97,4"),
            ("97.45", Some(1), "97,5"),
            ("-97.45", Some(1), "-97,5"),
            ("5", Some(2), "5,00"),
            ("1.500", None, "1,5"),
            ("999", None, "999"),
            ("1000", None, "1.000"),
            ("-0.04", Some(1), "0,0"),
            ("999.96", Some(1), "1.000,0"),
            ("1234567.891", Some(0), "1.234.568"),
            (
                "79228162514264337593543950335",
                None,
                "79.228.162.514.264.337.593.543.950.335",
            ),
            (
                "0.0000000000000000000000000001",
                None,
                "0,0000000000000000000000000001",
            ),
            ("1", Some(u32::MAX), "1,0000000000000000000000000000"),
        ];
        for (value, decimals, expected) in cases {
            assert_eq!(so(d(value), decimals), expected, "{value} {decimals:?}");
        }
    }

    #[test]
    fn money_counts_and_percent() {
        assert_eq!(tien(d("224730000")), "224.730.000 đồng");
        assert_eq!(tien(d("1500.5")), "1.501 đồng");
        assert_eq!(trieu_dong(d("1779970000"), 2), "1.779,97 triệu đồng");
        assert_eq!(trieu_dong(d("224730000"), 1), "224,7 triệu đồng");
        assert_eq!(
            trieu_dong(d("-79228162514264337593543950335"), 0),
            "-79.228.162.514.264.337.593.544 triệu đồng"
        );
        assert_eq!(so_dem(d("0")), "0");
        assert_eq!(so_dem(d("1")), "01");
        assert_eq!(so_dem(d("5")), "05");
        assert_eq!(so_dem(d("9.0")), "09");
        assert_eq!(so_dem(d("10")), "10");
        assert_eq!(so_dem(d("12")), "12");
        assert_eq!(so_dem(d("2000")), "2.000");
        assert_eq!(so_dem(d("2.5")), "2,5");
        assert_eq!(so_dem(d("-3")), "-3");
        assert_eq!(phan_tram(d("97.43"), 1), "97,4%");
        assert_eq!(phan_tram(d("100"), 1), "100,0%");
        assert_eq!(phan_tram(d("12.345"), 2), "12,35%");
    }

    #[test]
    fn money_in_the_report_unit() {
        use MoneyUnit::*;
        let cases = [
            // A table cell: every figure of a column with the same decimals.
            ("2146000000", TrieuDong, None, "2.146,00"),
            ("1779970000", TrieuDong, None, "1.779,97"),
            ("1779975000", TrieuDong, None, "1.779,98"),
            ("-1779975000", TrieuDong, None, "-1.779,98"),
            ("1779900000", TrieuDong, None, "1.779,90"),
            ("4999", TrieuDong, None, "0,00"),
            ("-4999", TrieuDong, None, "0,00"),
            ("5000", TrieuDong, None, "0,01"),
            ("224730000", TrieuDong, Some(0), "225"),
            ("224730000", NghinDong, None, "224.730,00"),
            ("224730500", NghinDong, None, "224.730,50"),
            ("224730000", Dong, None, "224.730.000"),
            ("1500.5", Dong, None, "1.501"),
        ];
        for (value, unit, places, expected) in cases {
            assert_eq!(
                so_tien(d(value), unit, places),
                expected,
                "{value} {unit:?}"
            );
        }
        assert_eq!(
            tien_theo(d("1779970000"), TrieuDong, None),
            "1.779,97 triệu đồng"
        );
        assert_eq!(tien_theo(d("224730000"), Dong, None), tien(d("224730000")));
        // In a sentence, decimals only when needed.
        assert_eq!(
            tien_theo(d("1779900000"), TrieuDong, None),
            "1.779,9 triệu đồng"
        );
        assert_eq!(tien_theo(d("4999"), TrieuDong, None), "0 triệu đồng");
    }

    #[test]
    fn rounded_rows_that_miss_the_rounded_total_are_found() {
        use MoneyUnit::*;
        // Bảng 1 of the sample in triệu đồng: 343,80 + 0 + 1.203,84 +
        // 921,40 + 777,60 = 3.246,64, the exact total 3.246,633 → 3.246,63.
        let programmes = ["343798000", "0", "1203835000", "921400000", "777600000"].map(d);
        let total = d("3246633000");
        assert_eq!(programmes.iter().sum::<Decimal>(), total);
        assert!(lech_lam_tron(programmes, total, TrieuDong));
        assert!(!lech_lam_tron(programmes, total, Dong));
        assert!(!lech_lam_tron(programmes, total, NghinDong));
        assert!(!lech_lam_tron(
            [d("1500000"), d("2500000")],
            d("4000000"),
            TrieuDong
        ));
    }

    #[test]
    fn document_numbers_below_ten_take_a_leading_zero() {
        for (written, printed) in [
            ("5/BC-KC&TV", "05/BC-KC&TV"),
            ("05/BC-KC&TV", "05/BC-KC&TV"),
            ("10/BC-KC&TV", "10/BC-KC&TV"),
            ("648/BC-KC&TV", "648/BC-KC&TV"),
            ("BC-KC", "BC-KC"),
            ("5", "5"),
            ("", ""),
        ] {
            assert_eq!(so_ky_hieu(written), printed, "{written}");
        }
    }

    #[test]
    fn ratios() {
        assert_eq!(ty_le(d("1949"), d("2000")), Some(d("97.45")));
        assert_eq!(
            ty_le(d("1"), d("3")).map(|r| phan_tram(r, 1)).as_deref(),
            Some("33,3%")
        );
        assert_eq!(ty_le(d("5"), d("0")), None);
        assert_eq!(ty_le(d("79228162514264337593543950335"), d("0.5")), None);
    }

    #[test]
    fn dates() {
        assert_eq!(ngay_so(15, 11, 2023).as_deref(), Ok("15/11/2023"));
        assert_eq!(ngay_so(5, 1, 2023).as_deref(), Ok("05/01/2023"));
        assert_eq!(ngay_so(29, 2, 2024).as_deref(), Ok("29/02/2024"));
        assert_eq!(ngay_so(29, 2, 2000).as_deref(), Ok("29/02/2000"));
        for (day, month, year) in [
            (29, 2, 2023),
            (29, 2, 1900),
            (31, 4, 2023),
            (0, 1, 2023),
            (1, 0, 2023),
            (1, 13, 2023),
            (32, 1, 2023),
            (1, 1, 0),
            (1, 1, -1),
            (1, 1, 10000),
        ] {
            assert_eq!(
                ngay_so(day, month, year),
                Err(FormatError::NgayKhongHopLe { day, month, year })
            );
        }
        assert_eq!(
            ngay_so(31, 4, 2023).unwrap_err().to_string(),
            "ngày 31/4/2023 không hợp lệ"
        );
        assert_eq!(
            ngay_chu(15, 12, 2023).as_deref(),
            Ok("ngày 15 tháng 12 năm 2023")
        );
        assert_eq!(
            ngay_chu(5, 1, 2024).as_deref(),
            Ok("ngày 05 tháng 01 năm 2024")
        );
        assert_eq!(
            ngay_chu(15, 2, 2024).as_deref(),
            Ok("ngày 15 tháng 02 năm 2024")
        );
        assert_eq!(
            ngay_chu(15, 3, 2024).as_deref(),
            Ok("ngày 15 tháng 3 năm 2024")
        );
        assert_eq!(
            ngay_chu(5, 3, 2024).as_deref(),
            Ok("ngày 05 tháng 3 năm 2024")
        );
        assert!(ngay_chu(30, 2, 2024).is_err());
    }

    #[test]
    fn date_ranges() {
        assert_eq!(
            khoang_ngay((15, 8, 2023), (18, 8, 2023)).as_deref(),
            Ok("15/8 – 18/8/2023")
        );
        assert_eq!(
            khoang_ngay((5, 8, 2023), (3, 9, 2023)).as_deref(),
            Ok("5/8 – 3/9/2023")
        );
        assert_eq!(
            khoang_ngay((15, 8, 2023), (15, 8, 2023)).as_deref(),
            Ok("15/8/2023")
        );
        assert_eq!(
            khoang_ngay((28, 12, 2023), (5, 1, 2024)).as_deref(),
            Ok("28/12/2023 – 05/01/2024")
        );
        assert_eq!(
            khoang_ngay((18, 8, 2023), (15, 8, 2023)),
            Err(FormatError::KhoangNgayNguoc {
                from: "18/08/2023".into(),
                to: "15/08/2023".into()
            })
        );
        assert!(khoang_ngay((1, 1, 2024), (31, 12, 2023)).is_err());
        assert!(khoang_ngay((31, 2, 2023), (1, 3, 2023)).is_err());
        assert!(khoang_ngay((1, 3, 2023), (31, 3, 2023)).is_ok());
    }

    #[test]
    fn lists() {
        let list =
            |items: &[&str]| danh_sach(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(list(&[]), "");
        assert_eq!(list(&["A"]), "A");
        assert_eq!(list(&["A", "B"]), "A và B");
        assert_eq!(list(&["A", "B", "C"]), "A, B và C");
        assert_eq!(
            list(&["Sơn Tây", "Ba Vì", "Thạch Thất", "Phúc Thọ"]),
            "Sơn Tây, Ba Vì, Thạch Thất và Phúc Thọ"
        );
    }

    #[test]
    fn roman() {
        for (n, expected) in [
            (1, "I"),
            (4, "IV"),
            (9, "IX"),
            (14, "XIV"),
            (40, "XL"),
            (90, "XC"),
            (400, "CD"),
            (1994, "MCMXCIV"),
            (2023, "MMXXIII"),
            (3999, "MMMCMXCIX"),
        ] {
            assert_eq!(so_la_ma(n).as_deref(), Ok(expected), "{n}");
        }
        for n in [0, 4000, u64::MAX] {
            assert_eq!(so_la_ma(n), Err(FormatError::SoLaMaNgoaiPhamVi(n)));
        }
    }

    /// The rule of `bang_chu`: the first group as it is, every later
    /// non-zero group with its three digits ("không trăm", "lẻ"), zero
    /// groups skipped, at every magnitude.
    #[test]
    fn words() {
        let cases = [
            ("0", "không"),
            ("1", "một"),
            ("4", "bốn"),
            ("5", "năm"),
            ("10", "mười"),
            ("11", "mười một"),
            ("14", "mười bốn"),
            ("15", "mười lăm"),
            ("20", "hai mươi"),
            ("21", "hai mươi mốt"),
            ("24", "hai mươi bốn"),
            ("25", "hai mươi lăm"),
            ("31", "ba mươi mốt"),
            ("55", "năm mươi lăm"),
            ("100", "một trăm"),
            ("101", "một trăm lẻ một"),
            ("105", "một trăm lẻ năm"),
            ("110", "một trăm mười"),
            ("115", "một trăm mười lăm"),
            ("121", "một trăm hai mươi mốt"),
            ("1000", "một nghìn"),
            ("1005", "một nghìn không trăm lẻ năm"),
            ("1010", "một nghìn không trăm mười"),
            ("1015", "một nghìn không trăm mười lăm"),
            ("1050", "một nghìn không trăm năm mươi"),
            ("1100", "một nghìn một trăm"),
            ("15000", "mười lăm nghìn"),
            ("21005", "hai mươi mốt nghìn không trăm lẻ năm"),
            ("105000", "một trăm lẻ năm nghìn"),
            ("1000000", "một triệu"),
            ("1000005", "một triệu không trăm lẻ năm"),
            ("1000010", "một triệu không trăm mười"),
            ("1000100", "một triệu một trăm"),
            ("1005000", "một triệu không trăm lẻ năm nghìn"),
            ("1015000", "một triệu không trăm mười lăm nghìn"),
            ("1005005", "một triệu không trăm lẻ năm nghìn không trăm lẻ năm"),
            ("10000000", "mười triệu"),
            ("25000001", "hai mươi lăm triệu không trăm lẻ một"),
            ("1000000000", "một tỷ"),
            ("1000000001", "một tỷ không trăm lẻ một"),
            ("1005000000", "một tỷ không trăm lẻ năm triệu"),
            ("1000005000", "một tỷ không trăm lẻ năm nghìn"),
            ("10000000000", "mười tỷ"),
            ("224730000", "hai trăm hai mươi bốn triệu bảy trăm ba mươi nghìn"),
            ("7204400000", "bảy tỷ hai trăm lẻ bốn triệu bốn trăm nghìn"),
            ("6000000000", "sáu tỷ"),
            ("1000000000000", "một nghìn tỷ"),
            ("1000000000005", "một nghìn tỷ không trăm lẻ năm"),
            ("1005000000000", "một nghìn không trăm lẻ năm tỷ"),
            ("1000000000000000", "một triệu tỷ"),
            ("1000000000000000000", "một tỷ tỷ"),
            ("1000000000000000000000", "một nghìn tỷ tỷ"),
            (
                "999999999999999999999999",
                "chín trăm chín mươi chín nghìn chín trăm chín mươi chín tỷ \
                 chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín tỷ \
                 chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín",
            ),
            ("1.5", "một phẩy năm"),
            ("1.50", "một phẩy năm"),
            ("2.0", "hai"),
            ("1.25", "một phẩy hai năm"),
            ("1.05", "một phẩy không năm"),
            ("0.5", "không phẩy năm"),
            ("1005.5", "một nghìn không trăm lẻ năm phẩy năm"),
            ("1779.97", "một nghìn bảy trăm bảy mươi chín phẩy chín bảy"),
            ("-1.5", "âm một phẩy năm"),
            ("-21", "âm hai mươi mốt"),
            ("-1000005", "âm một triệu không trăm lẻ năm"),
            ("-0", "không"),
        ];
        assert!(cases.len() >= 40);
        for (value, expected) in cases {
            assert_eq!(bang_chu(d(value)), expected, "{value}");
        }
    }

    /// Any total the data can reach has words: the whole range of a
    /// `Decimal`, the groups nesting on "tỷ" as they do below 10^24.
    #[test]
    fn words_cover_every_decimal() {
        let max = "bảy mươi chín tỷ hai trăm hai mươi tám triệu một trăm sáu mươi hai nghìn \
                   năm trăm mười bốn tỷ hai trăm sáu mươi bốn triệu ba trăm ba mươi bảy nghìn \
                   năm trăm chín mươi ba tỷ năm trăm bốn mươi ba triệu chín trăm năm mươi nghìn \
                   ba trăm ba mươi lăm";
        let cases = [
            ("1000000000000000000000000", "một triệu tỷ tỷ".to_string()),
            (
                "1000000000000000000000005",
                "một triệu tỷ tỷ không trăm lẻ năm".into(),
            ),
            ("1000000000000000000000000000", "một tỷ tỷ tỷ".into()),
            ("79228162514264337593543950335", max.into()),
            ("-79228162514264337593543950335", format!("âm {max}")),
        ];
        for (value, expected) in &cases {
            assert_eq!(bang_chu(d(value)), *expected, "{value}");
        }
        assert_eq!(
            bang_chu_tien(d("1000000000000000000000000")).as_deref(),
            Ok("Một triệu tỷ tỷ đồng")
        );
    }

    #[test]
    fn words_for_money() {
        assert_eq!(
            bang_chu_tien(d("224730000")).as_deref(),
            Ok("Hai trăm hai mươi bốn triệu bảy trăm ba mươi nghìn đồng")
        );
        assert_eq!(bang_chu_tien(d("0")).as_deref(), Ok("Không đồng"));
        assert_eq!(bang_chu_tien(d("1000.00")).as_deref(), Ok("Một nghìn đồng"));
        assert_eq!(bang_chu_tien(d("-5")).as_deref(), Ok("Âm năm đồng"));
        assert_eq!(
            bang_chu_tien(d("1.5")),
            Err(FormatError::TienKhongNguyen(d("1.5")))
        );
    }

    #[test]
    fn escapes() {
        let cases = [
            ("*a*", r"\*a\*"),
            ("# h", r"\# h"),
            ("1. x", r"1\. x"),
            ("12) x", r"12\) x"),
            ("- x", r"\- x"),
            ("===", r"\==="),
            ("a\n\nb", "a b"),
            ("a \t b", "a b"),
            ("a  b", "a  b"),
            ("    code  ", " code "),
            ("a\\", r"a\\"),
            ("&amp;", r"\&amp;"),
            ("224.730.000", "224.730.000"),
            ("97,4%", "97,4%"),
            ("2023.", r"2023\."),
            ("1234567890. x", "1234567890. x"),
            ("Lắp Bảng 2 điện tử", "Lắp Bảng&#32;2 điện tử"),
            ("Bảng  12: x", "Bảng&#32; 12: x"),
            ("Bảng. x", r"Bảng\. x"),
            ("Bảng 12a, Bảng tổng hợp", "Bảng 12a, Bảng tổng hợp"),
            ("IV. Tên", r"IV\. Tên"),
            ("2.4. Tên", "2.4. Tên"),
            ("c) Tên", r"c\) Tên"),
            ("đ) Tên", r"đ\) Tên"),
            ("Ích lợi. x", "Ích lợi. x"),
            ("CNNT. x", "CNNT. x"),
            (
                "Hỗ trợ cơ sở công nghiệp nông thôn",
                "Hỗ trợ cơ sở công nghiệp nông thôn",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(escape_markdown_str(text), expected, "{text:?}");
        }
        let mut out = Vec::new();
        escape_markdown("[l](u)", &mut out).expect("writing to a Vec");
        assert_eq!(out, br"\[l\](u)");
    }

    /// The paragraph's text when `doc` parses as exactly one paragraph.
    fn single_paragraph_text(doc: &str) -> Option<String> {
        let events: Vec<Event> = Parser::new_ext(doc, Options::ENABLE_TABLES).collect();
        let (first, rest) = events.split_first()?;
        let (last, inner) = rest.split_last()?;
        if *first != Event::Start(Tag::Paragraph) || *last != Event::End(TagEnd::Paragraph) {
            return None;
        }
        inner
            .iter()
            .map(|event| match event {
                Event::Text(text) => Some(text.to_string()),
                Event::SoftBreak => Some("\n".to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn escaped_text_stays_one_paragraph() {
        let nasty = [
            ("*a*", "*a*"),
            ("_b_", "_b_"),
            ("# h", "# h"),
            ("1. x", "1. x"),
            ("3) x", "3) x"),
            ("| a | b |", "| a | b |"),
            ("a\n\nb", "a b"),
            ("- x", "- x"),
            ("+ x", "+ x"),
            ("> q", "> q"),
            ("[l](u)", "[l](u)"),
            ("[l]: /u", "[l]: /u"),
            ("![i](u)", "![i](u)"),
            ("<b>", "<b>"),
            ("<div>", "<div>"),
            ("a\\", "a\\"),
            ("`c`", "`c`"),
            ("```", "```"),
            ("~~s~~", "~~s~~"),
            ("===", "==="),
            ("---", "---"),
            ("***", "***"),
            ("&copy;", "&copy;"),
            ("a  \nb", "a b"),
            ("\t\tcode", " code"),
            ("224.730.000 đồng (97,4%)", "224.730.000 đồng (97,4%)"),
            ("theo Bảng 2: x", "theo Bảng 2: x"),
            ("Bảng. x", "Bảng. x"),
        ];
        for (text, collapsed) in nasty {
            let escaped = escape_markdown_str(text);
            // Alone, after text on the line, and on the line after text
            // (where "===" or "---" would make a setext heading).
            for (before, after) in [("", ""), ("Trước ", " sau"), ("dòng\n", "")] {
                let doc = format!("{before}{escaped}{after}");
                let expected = format!("{before}{collapsed}{after}");
                // The parser drops spaces at the ends of each paragraph line.
                let expected: Vec<&str> = expected
                    .split('\n')
                    .map(|line| line.trim_matches(' '))
                    .collect();
                let expected = expected.join("\n");
                assert_eq!(
                    single_paragraph_text(&doc).as_deref(),
                    Some(expected.as_str()),
                    "{text:?} in {doc:?}"
                );
            }
        }
    }
}
