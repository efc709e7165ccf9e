//! Section numbers, computed by the document rather than kept by the
//! template: a clerk can move, add or drop a section and the report still
//! reads I, II, III. The numbers are written into the rendered Markdown
//! once, before it is parsed, so the Markdown file, the DOCX and the PDF
//! carry the same ones and no writer numbers anything.
//!
//! Numbering of Nghị định 30/2020/NĐ-CP (Phụ lục I): `#` → I., II.;
//! `##` → 1., 2. (again from 1 under each `#`); `###` → 1.1., 1.2. (the
//! `##` number, then its own); `####` and below → a), b), đ)… A heading
//! that already starts with a number in the form of its level keeps it,
//! and the count goes on from it (`# V. KIẾN NGHỊ` is followed by VI.). Empty
//! headings, and every heading of the annex (after `<!-- phu-luc -->`),
//! are left as written.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag};

use super::ANNEX;
use crate::format::so_la_ma;

/// The letters of the points (điểm) of the decree, in Vietnamese order.
const LETTERS: [&str; 23] = [
    "a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t",
    "u", "v", "x", "y",
];

/// The Markdown with every body heading numbered.
pub fn number_headings(markdown: &str) -> String {
    let options = super::options();
    let mut counters = Counters::default();
    let mut out = String::with_capacity(markdown.len() + 256);
    let mut copied = 0;
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Html(html) if html.trim() == ANNEX => break,
            Event::Start(Tag::Heading { level, .. }) => {
                let (at, atx) = text_start(markdown, range.start);
                let line = markdown[at..].lines().next().unwrap_or_default();
                let title = line.trim_end().trim_end_matches('#').trim_end();
                if title.is_empty() {
                    continue;
                }
                let level = depth(level);
                match written_number(title, level) {
                    // The count goes on from a number written by hand.
                    Some(number) => counters.set(level, number),
                    None => {
                        out.push_str(&markdown[copied..at]);
                        let number = counters.next(level);
                        // "1. " opening a Setext heading's line would make it a list.
                        match number.strip_suffix('.') {
                            Some(digits) if !atx && level == 2 => {
                                out.push_str(digits);
                                out.push_str("\\.");
                            }
                            _ => out.push_str(&number),
                        }
                        out.push(' ');
                        copied = at;
                    }
                }
            }
            _ => {}
        }
    }
    out.push_str(&markdown[copied..]);
    out
}

/// What a table caption starts with.
const TABLE: &str = "Bảng";

/// A table caption ("**Bảng 2. Kinh phí theo nguồn**"): where its number is
/// (or goes), the number written, its line.
struct Caption {
    number: std::ops::Range<usize>,
    written: Option<u32>,
    line: usize,
}

/// A "Bảng N" in the text: where N is, N.
struct Reference {
    number: std::ops::Range<usize>,
    written: u32,
}

/// The Markdown with every table caption numbered by the document, and
/// every "Bảng N" of the text following its table.
///
/// A caption is a paragraph set wholly in bold that starts with "Bảng", a
/// number or none, and a full stop or colon: `**Bảng 2. Kinh phí theo
/// nguồn**`, `**Bảng. …**`. Captions are numbered 1, 2, 3… in the order
/// of the document, whatever number the template wrote: that number is
/// the table's name, by which the text refers to it. "Bảng 3" in the text,
/// when one caption was written "Bảng 3", becomes that caption's number;
/// a number no caption was written with is left as it is (another
/// document's table) unless `unprinted` names a caption written with it
/// that did not print (its table dropped by an `{% if %}`: the reference
/// would name another table, or none), an error; a number two captions
/// were written with cannot say which, and is an error too.
pub fn number_tables(
    markdown: &str,
    unprinted: &std::collections::BTreeMap<u32, String>,
) -> Result<String, super::MarkdownError> {
    let options = super::options();
    let mut captions: Vec<Caption> = Vec::new();
    let mut references: Vec<Reference> = Vec::new();
    let mut lines = super::LineCounter::new(markdown);
    let mut in_meta = false;
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(Tag::MetadataBlock(_)) => in_meta = true,
            Event::End(pulldown_cmark::TagEnd::MetadataBlock(_)) => in_meta = false,
            Event::Start(Tag::Paragraph) => {
                if let Some((number, written)) = caption(&markdown[range.clone()]) {
                    let at = range.start;
                    captions.push(Caption {
                        number: at + number.start..at + number.end,
                        written,
                        line: lines.at(at),
                    });
                }
            }
            Event::Text(_) if !in_meta => {
                let text = &markdown[range.clone()];
                for (number, written) in mentions(text) {
                    let number = range.start + number.start..range.start + number.end;
                    // A caption's own number is not a reference; another
                    // table named in its title is.
                    if captions.last().is_some_and(|c| c.number == number) {
                        continue;
                    }
                    references.push(Reference { number, written });
                }
            }
            _ => {}
        }
    }
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (n, caption) in (1..).zip(&captions) {
        let number = if caption.number.is_empty() {
            format!(" {n}")
        } else {
            n.to_string()
        };
        edits.push((caption.number.clone(), number));
    }
    for reference in &references {
        let named: Vec<(usize, &Caption)> = captions
            .iter()
            .enumerate()
            .filter(|(_, c)| c.written == Some(reference.written))
            .collect();
        match named[..] {
            [] => {
                // A caption that is not a paragraph of its own (stuck to a
                // table, in a list) is not a reference: the parser says why.
                let before = markdown[..reference.number.start].trim_end_matches(' ');
                let caption_like = ["**", "__"]
                    .iter()
                    .any(|m| before.ends_with(&format!("{m}{TABLE}")));
                if caption_like {
                    continue;
                }
                if let Some(caption) = unprinted.get(&reference.written) {
                    let (line, column) = super::line_column(markdown, reference.number.start);
                    return Err(super::MarkdownError::UnprintedTable {
                        line,
                        column: column - "Bảng ".chars().count(),
                        number: reference.written,
                        caption: caption.clone(),
                    });
                }
            }
            [(i, _)] => edits.push((reference.number.clone(), (i + 1).to_string())),
            _ => {
                let (line, column) = super::line_column(markdown, reference.number.start);
                return Err(super::MarkdownError::AmbiguousTable {
                    line,
                    column: column - "Bảng ".chars().count(),
                    number: reference.written,
                    captions: named.iter().map(|(_, c)| c.line).collect(),
                });
            }
        }
    }
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(markdown.len() + 16);
    let mut copied = 0;
    for (range, text) in edits {
        out.push_str(&markdown[copied..range.start]);
        out.push_str(&text);
        copied = range.end;
    }
    out.push_str(&markdown[copied..]);
    Ok(out)
}

/// Whether a paragraph's Markdown is a table caption: where its number is
/// (an empty range where it goes, after "Bảng") and the number written.
fn caption(paragraph: &str) -> Option<(std::ops::Range<usize>, Option<u32>)> {
    let lead = paragraph.len() - paragraph.trim_start().len();
    let text = paragraph.trim();
    let (open, inner) = ["**", "__"]
        .iter()
        .find_map(|m| Some((*m, text.strip_prefix(m)?.strip_suffix(m)?)))?;
    if inner.contains(open) {
        return None;
    }
    let (spaces, count) = written_after(inner.strip_prefix(TABLE)?)?;
    if count > 0 && spaces == 0 {
        return None;
    }
    let start = lead + open.len() + TABLE.len();
    if count == 0 {
        // "Bảng." takes its number right after the word.
        return (spaces == 0).then_some((start..start, None));
    }
    let number = start + spaces..start + spaces + count;
    Some((number, inner[TABLE.len() + spaces..][..count].parse().ok()))
}

/// What follows "Bảng" in a caption: spaces, digits (maybe none), then a
/// full stop or a colon; how many spaces and digits, if it is so.
fn written_after(after: &str) -> Option<(usize, usize)> {
    let digits = after.trim_start_matches(' ');
    let count = digits.bytes().take_while(u8::is_ascii_digit).count();
    digits[count..]
        .starts_with(['.', ':'])
        .then_some((after.len() - digits.len(), count))
}

/// The numbers the captions of a template's text are written with
/// (`**Bảng 4. …`), printed or not.
pub fn caption_numbers(text: &str) -> impl Iterator<Item = (usize, u32)> + '_ {
    text.lines().enumerate().flat_map(|(i, line)| {
        ["**", "__"].into_iter().flat_map(move |open| {
            line.match_indices(open).filter_map(move |(at, _)| {
                let after = line[at + open.len()..].strip_prefix(TABLE)?;
                let (spaces, count) = written_after(after)?;
                if spaces == 0 || count == 0 {
                    return None;
                }
                Some((i + 1, after[spaces..spaces + count].parse().ok()?))
            })
        })
    })
}

/// Data text (escaped by the templates, [`crate::format::escape_markdown`])
/// written so that the numbering never takes it for the template's words:
/// the space after the "Bảng" of a "Bảng N" becomes the character reference
/// `&#32;` (no longer a reference to follow), a full stop or colon right
/// after "Bảng" is backslash-escaped (no longer a caption to number). Both
/// print the same characters: a project "Lắp Bảng 2 điện tử" prints as
/// typed whatever the tables' new numbers.
pub fn keep_data_tables(escaped: String) -> String {
    let mentioned: Vec<usize> = mentions(&escaped)
        .iter()
        .map(|(number, _)| escaped[..number.start].trim_end_matches(' ').len())
        .collect();
    let captioned = escaped.match_indices(TABLE).filter_map(|(at, _)| {
        let after = at + TABLE.len();
        escaped[after..].starts_with(['.', ':']).then_some(after)
    });
    let mut at: Vec<usize> = mentioned.into_iter().chain(captioned).collect();
    if at.is_empty() {
        return escaped;
    }
    at.sort_unstable();
    let mut out = String::with_capacity(escaped.len() + 5 * at.len());
    let mut copied = 0;
    for at in at {
        out.push_str(&escaped[copied..at]);
        if escaped[at..].starts_with(' ') {
            out.push_str("&#32;");
            copied = at + 1;
        } else {
            out.push('\\');
            copied = at;
        }
    }
    out.push_str(&escaped[copied..]);
    out
}

/// Every "Bảng N" of a run of text: where N is, N.
fn mentions(text: &str) -> Vec<(std::ops::Range<usize>, u32)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices(TABLE) {
        let word_start = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = &text[at + TABLE.len()..];
        let digits = after.trim_start_matches(' ');
        let spaces = after.len() - digits.len();
        let count = digits.bytes().take_while(u8::is_ascii_digit).count();
        let word_end = digits[count..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if !word_start || spaces == 0 || count == 0 || !word_end {
            continue;
        }
        let start = at + TABLE.len() + spaces;
        if let Ok(n) = digits[..count].parse() {
            found.push((start..start + count, n));
        }
    }
    found
}

/// Levels as the document model has them: 5 and 6 are points too.
fn depth(level: HeadingLevel) -> usize {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        _ => 4,
    }
}

/// Where a heading's text starts: after the `#` marks and the spaces that
/// follow them (an ATX heading, `true`), or at its first letter (a Setext
/// one).
fn text_start(markdown: &str, start: usize) -> (usize, bool) {
    let rest = &markdown[start..];
    let indent = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let after = &rest[indent..];
    let marks = after.len() - after.trim_start_matches('#').len();
    let after_marks = &after[marks..];
    let spaces = after_marks.len() - after_marks.trim_start_matches([' ', '\t']).len();
    (start + indent + marks + spaces, marks > 0)
}

/// The number a heading of `level` was written with, in the form of its
/// level ("V." for a section, "3." or "3)", "2.4.", "c)"), if any. Only
/// that form counts: a programme named "IV. …" under `##` is a name.
fn written_number(title: &str, level: usize) -> Option<usize> {
    let head = title.split([' ', '\t']).next().unwrap_or(title);
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    match level {
        1 => roman_value(head.strip_suffix('.')?),
        2 => {
            let body = head.strip_suffix('.').or_else(|| head.strip_suffix(')'))?;
            digits(body).then(|| body.parse().ok()).flatten()
        }
        3 => {
            let body = head.strip_suffix('.').unwrap_or(head);
            let parts: Vec<&str> = body.split('.').collect();
            let last = parts.last().copied().filter(|_| parts.len() >= 2)?;
            parts
                .iter()
                .all(|p| digits(p))
                .then(|| last.parse().ok())
                .flatten()
        }
        _ => {
            let body = head.strip_suffix(')')?;
            LETTERS.iter().position(|l| *l == body).map(|i| i + 1)
        }
    }
}

/// The value of a Roman numeral written the usual way ("IV", not "IIII"),
/// checked by writing it back.
fn roman_value(text: &str) -> Option<usize> {
    let mut total = 0;
    let mut last = 0;
    for c in text.chars().rev() {
        let v = match c {
            'I' => 1,
            'V' => 5,
            'X' => 10,
            'L' => 50,
            'C' => 100,
            'D' => 500,
            'M' => 1000,
            _ => return None,
        };
        if v < last {
            total -= v;
        } else {
            total += v;
            last = v;
        }
    }
    let written = so_la_ma(u64::try_from(total).ok()?).ok()?;
    (written == text).then_some(total as usize)
}

/// The count at each level (1 = sections … 4 = points).
#[derive(Default)]
struct Counters([usize; 4]);

impl Counters {
    /// The next number at `level`, as the decree writes it.
    fn next(&mut self, level: usize) -> String {
        self.set(level, self.0[level - 1] + 1);
        let n = self.0[level - 1];
        match level {
            1 => format!("{}.", so_la_ma(n as u64).unwrap_or_else(|_| n.to_string())),
            2 => format!("{n}."),
            // Under a section without a `##` there is no parent number.
            3 if self.0[1] == 0 => format!("{n}."),
            3 => format!("{}.{n}.", self.0[1]),
            _ => match LETTERS.get(n - 1) {
                Some(letter) => format!("{letter})"),
                None => format!("{n})"),
            },
        }
    }

    /// `level` is at `n`; the levels below start again.
    fn set(&mut self, level: usize, n: usize) {
        self.0[level - 1] = n;
        self.0[level..].fill(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRONT: &str = "+++\n# a TOML comment, not a heading\nco_quan_ban_hanh = \"TRUNG TÂM\"\nso_ky_hieu = \"1/BC\"\ndia_danh_ngay = \"Đồng Nai, ngày 15 tháng 12 năm 2023\"\nngay = \"2023-12-15\"\ntrich_yeu = \"Kết quả\"\n+++\n";

    fn headings(markdown: &str) -> Vec<String> {
        let numbered = number_headings(markdown);
        let body = numbered
            .strip_prefix(FRONT)
            .expect("the front matter unchanged");
        body.lines()
            .filter(|l| l.starts_with('#'))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn numbers_follow_level_and_position() {
        let md = format!(
            "{FRONT}\nMở đầu.\n\n# KẾT QUẢ\n\n## Chương trình A\n\n### Nội dung\n\n#### Điểm\n\n#### Điểm\n\n### Nội dung\n\n## Chương trình B\n\n# TỔNG HỢP\n\n## Lại từ 1\n"
        );
        assert_eq!(
            headings(&md),
            [
                "# I. KẾT QUẢ",
                "## 1. Chương trình A",
                "### 1.1. Nội dung",
                "#### a) Điểm",
                "#### b) Điểm",
                "### 1.2. Nội dung",
                "## 2. Chương trình B",
                "# II. TỔNG HỢP",
                "## 1. Lại từ 1",
            ]
        );
        assert!(number_headings(&md).contains("# a TOML comment"));
    }

    #[test]
    fn a_number_written_by_hand_is_kept_and_counted_from() {
        let md = format!(
            "{FRONT}\n# KẾT QUẢ\n\n# V. KIẾN NGHỊ\n\n## 3. Ba\n\n## Bốn\n\n### 4.7. Bảy\n\n### Tám\n\n#### c) Ba\n\n#### Bốn\n\n# Sáu\n"
        );
        assert_eq!(
            headings(&md),
            [
                "# I. KẾT QUẢ",
                "# V. KIẾN NGHỊ",
                "## 3. Ba",
                "## 4. Bốn",
                "### 4.7. Bảy",
                "### 4.8. Tám",
                "#### c) Ba",
                "#### d) Bốn",
                "# VI. Sáu",
            ]
        );
    }

    #[test]
    fn words_and_escaped_data_are_not_numbers() {
        // "1\." is data text escaped by the templates, "IV" a word.
        let md = format!("{FRONT}\n# MỞ ĐẦU\n\n## 1\\. Tên có số\n\n# IVAN\n\n# Đ) x\n");
        assert_eq!(
            headings(&md),
            [
                "# I. MỞ ĐẦU",
                "## 1. 1\\. Tên có số",
                "# II. IVAN",
                "# III. Đ) x"
            ]
        );
    }

    #[test]
    fn the_annex_code_and_empty_headings_are_left_alone() {
        let md = format!(
            "{FRONT}\n#\n\n```\n# mã\n```\n\nTiêu đề\n===\n\nMục\n---\n\n{ANNEX}\n\n# PHỤ LỤC\n"
        );
        let out = number_headings(&md);
        assert!(out.contains("\n#\n"), "{out}");
        assert!(out.contains("\n# mã\n"), "{out}");
        assert!(out.contains("\nI. Tiêu đề\n===\n"), "{out}");
        assert!(out.contains("\n1\\. Mục\n---\n"), "{out}");
        let doc = crate::markdown::parse(&out).unwrap();
        assert!(doc.blocks.iter().any(|b| matches!(b,
            crate::document::Block::Heading { level: 2, content }
                if crate::document::plain_text(content) == "1. Mục")));
        assert!(out.ends_with("\n# PHỤ LỤC\n"), "{out}");
    }

    #[test]
    fn tables_are_numbered_in_order_and_references_follow() {
        let md = format!(
            "{FRONT}\nXem Bảng 3 và Bảng 1; Bảng 7 của Quyết định; Bảng 12a.\n\n**Bảng 3. Ba**\n\n| a |\n|---|\n| Bảng 3 |\n\n**Bảng. Không số**\n\n**Bảng 1: Một**\n\n**Bảng tổng hợp**\n\n*Bảng 2. Nghiêng, không phải chú thích*\n"
        );
        let out = number_tables(&md, &Default::default()).unwrap();
        let body = out.strip_prefix(FRONT).unwrap();
        assert_eq!(
            body,
            "\nXem Bảng 1 và Bảng 3; Bảng 7 của Quyết định; Bảng 12a.\n\n**Bảng 1. Ba**\n\n| a |\n|---|\n| Bảng 1 |\n\n**Bảng 2. Không số**\n\n**Bảng 3: Một**\n\n**Bảng tổng hợp**\n\n*Bảng 2. Nghiêng, không phải chú thích*\n"
        );
        let twice = format!("{FRONT}\nXem Bảng 2.\n\n**Bảng 2. A**\n\n**Bảng 2. B**\n");
        assert_eq!(
            number_tables(&twice, &Default::default()),
            Err(crate::markdown::MarkdownError::AmbiguousTable {
                line: 10,
                column: 5,
                number: 2,
                captions: vec![12, 14]
            })
        );
    }

    #[test]
    fn data_text_is_never_numbered() {
        let data = |text: &str| crate::format::escape_markdown_str(text);
        let md = format!(
            "{FRONT}\nXem Bảng 2; {}.\n\n**{}**\n\n**Bảng 2. Hai**\n\n| {} |\n|---|\n\n**Bảng 1. Một**\n",
            data("Lắp Bảng 2 điện tử"),
            data("Bảng. Dữ liệu in đậm"),
            data("Bảng 1: x"),
        );
        let out = number_tables(&md, &Default::default()).unwrap();
        let body = out.strip_prefix(FRONT).unwrap();
        assert_eq!(
            body,
            "\nXem Bảng 1; Lắp Bảng&#32;2 điện tử.\n\n**Bảng\\. Dữ liệu in đậm**\n\n**Bảng 1. Hai**\n\n| Bảng&#32;1: x |\n|---|\n\n**Bảng 2. Một**\n"
        );
        let doc = crate::markdown::parse(&out).unwrap();
        let text: Vec<String> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                crate::document::Block::Paragraph(content) => {
                    Some(crate::document::plain_text(content))
                }
                _ => None,
            })
            .collect();
        assert!(
            text.iter().any(|t| t == "Xem Bảng 1; Lắp Bảng 2 điện tử."),
            "{text:?}"
        );
        assert!(text.iter().any(|t| t == "Bảng. Dữ liệu in đậm"), "{text:?}");
    }

    #[test]
    fn data_opening_a_heading_with_a_number_does_not_take_over_the_count() {
        // A template's `# {{ … }}` (and `#### …`) given data that opens
        // with a heading number: the data prints as typed, the heading
        // gets the document's number, and the count goes on. (Under `###`
        // a dotted number from the data is the item's own, on purpose.)
        let data = |text: &str| crate::format::escape_markdown_str(text);
        let md = format!(
            "# {}\n\n### Một\n\n#### {}\n\n# Hai\n\n### Ba\n\n#### Bốn\n",
            data("IV. Nhiệm vụ khác"),
            data("c) Tư vấn"),
        );
        let out = number_headings(&md);
        let titles: Vec<String> = crate::markdown::parse(&format!("{FRONT}\n{out}"))
            .unwrap()
            .blocks
            .iter()
            .filter_map(|b| match b {
                crate::document::Block::Heading { content, .. } => {
                    Some(crate::document::plain_text(content))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            titles,
            [
                "I. IV. Nhiệm vụ khác",
                "1. Một",
                "a) c) Tư vấn",
                "II. Hai",
                "1. Ba",
                "a) Bốn"
            ],
            "{out}"
        );
    }

    #[test]
    fn a_table_named_in_a_caption_follows_its_table_too() {
        let md = format!("{FRONT}\n**Bảng 2. Chi tiết của Bảng 1**\n\n**Bảng 1. Tổng**\n");
        let out = number_tables(&md, &Default::default()).unwrap();
        assert!(
            out.ends_with("\n**Bảng 1. Chi tiết của Bảng 2**\n\n**Bảng 2. Tổng**\n"),
            "{out}"
        );
    }

    #[test]
    fn a_reference_to_a_table_that_did_not_print_is_an_error() {
        // Tables 1, 2, 3 written; table 2 dropped by an `{% if %}`: "Bảng
        // 2" would name the table written 3 (now 2), "Bảng 4" (written in
        // another template, not included) none.
        let template = "{% if x %}\n**Bảng 2. Hai**\n{% endif %}\n  __Bảng 4: Bốn__ và **Bảng 5** **Bảng 6 . x**";
        assert_eq!(
            caption_numbers(template).collect::<Vec<_>>(),
            [(2, 2), (4, 4)]
        );
        let unprinted = [(2, "mau.md:2".to_string()), (4, "mau.md:4".to_string())].into();
        let md = format!("{FRONT}\nXem Bảng 1, Bảng 3.\n\n**Bảng 1. Một**\n\n**Bảng 3. Ba**\n\n- **Bảng 2. Trong danh sách**\n");
        let out = number_tables(&md, &unprinted).unwrap();
        assert!(out.contains("Xem Bảng 1, Bảng 2."), "{out}");
        for (reference, number) in [("Bảng 2", 2), ("Bảng 4", 4)] {
            let md = format!("{FRONT}\nXem {reference}.\n\n**Bảng 1. Một**\n\n**Bảng 3. Ba**\n");
            assert_eq!(
                number_tables(&md, &unprinted),
                Err(crate::markdown::MarkdownError::UnprintedTable {
                    line: 10,
                    column: 5,
                    number,
                    caption: format!("mau.md:{number}"),
                })
            );
        }
    }

    #[test]
    fn points_run_through_the_vietnamese_letters() {
        let md: String = std::iter::once(format!("{FRONT}\n"))
            .chain((0..25).map(|_| "#### x\n\n".to_string()))
            .collect();
        let numbers: Vec<String> = headings(&md)
            .iter()
            .map(|h| h.split(' ').nth(1).unwrap().to_string())
            .collect();
        assert_eq!(numbers[4], "đ)");
        assert_eq!(numbers[5], "e)");
        assert_eq!(numbers[22], "y)");
        assert_eq!(numbers[24], "25)");
    }
}
