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

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag};

use super::ANNEX;
use crate::format::so_la_ma;

/// The letters of the points (điểm) of the decree, in Vietnamese order.
const LETTERS: [&str; 23] = [
    "a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t",
    "u", "v", "x", "y",
];

/// The Markdown with every body heading numbered.
pub fn number_headings(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
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
