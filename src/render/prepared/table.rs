//! Tables: the one rule for column widths, and the cells' formats and keep
//! rules, for both writers.
//!
//! A column's width comes from what its cells hold, measured with the
//! embedded faces: a figure never breaks (a number column is as wide as its
//! widest figure); a word breaks only when it is longer than
//! [`WHOLE_WORD_EM`] (a web address, a code) and the table cannot give it
//! its whole width; no column is ever narrower than its padding. Space
//! left over goes to the text columns, in proportion to how much their
//! text would wrap. A table whose columns cannot get even that is refused
//! ([`TableError::TooWide`]), naming it.

use crate::document::{plain_text, Cell, Grid, Inline, Orientation, PageSettings, Place, Table};
use crate::render::fonts::{self, Face, FaceData, FontError};
use crate::render::frame::{self, PT_PER_MM};

use super::{emphasised, ParaFormat, TextAlign, VerticalAlign};

/// Rows kept together at the end of a table, so its last row (the total)
/// never stands alone under a repeated header.
pub const TABLE_END_ROWS: usize = 2;

/// The longest word, in em of the table text, that a column must hold on
/// one line when the table is short of room; a longer one (a web address,
/// a code) is cut over lines instead. Four em leave room for eight columns
/// of any words on a portrait A4 page.
pub const WHOLE_WORD_EM: f32 = 4.0;

/// Added to every measured width: Word and LibreOffice round each glyph's
/// advance to their own units, so a word measured exactly as wide as its
/// cell could wrap there.
pub const FIT_SLACK: f32 = 1.0;

/// Inner margins of a table cell, (left and right, top and bottom) in
/// points.
pub fn cell_padding(settings: &PageSettings) -> (f32, f32) {
    (settings.co_chu_bang * 0.4, settings.co_chu_bang * 0.2)
}

/// How a cell's text is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellFormat {
    pub align: TextAlign,
    /// Bold forced on every run (header rows).
    pub bold: bool,
    pub vertical: VerticalAlign,
}

/// A table ready to set. Its header rows are repeated on every page it
/// continues on and always stay with its first body row; no row is split
/// across pages unless it is taller than a page.
#[derive(Debug, Clone)]
pub struct TableLayout<'d> {
    pub table: &'d Table,
    pub grid: Grid,
    /// `header` and `subheader` rows.
    pub header_rows: usize,
    /// Width of each column, in points; together the text width.
    pub widths: Vec<f32>,
    /// Header cells: bold, centred both ways.
    pub header: CellFormat,
    /// Body cells, per column: aligned as the Markdown's delimiter row
    /// says, centred vertically.
    pub body: Vec<CellFormat>,
    /// The cells' text: size, single spacing.
    pub text: ParaFormat,
    /// Inner margins (left and right, top and bottom).
    pub padding: (f32, f32),
    /// Width of every border line.
    pub border: f32,
    /// Per body row: no page break between it and the next row (or, for
    /// the last, what follows the table).
    pub keep_with_next: Vec<bool>,
    /// Space below the table.
    pub space_after: f32,
    /// Index of its block in the region, for messages.
    pub block: usize,
}

impl TableLayout<'_> {
    /// The height of a row of `lines` lines `line` points apart: the lines,
    /// the top and bottom padding, and one border (each row's border takes
    /// room of its own, as in Word and LibreOffice).
    pub fn row_height(&self, lines: usize, line: f32) -> f32 {
        lines as f32 * line + 2.0 * self.padding.1 + self.border
    }

    /// From a row's top to its first line's top: the padding below half
    /// the border.
    pub fn inset(&self) -> f32 {
        self.padding.1 + self.border / 2.0
    }

    /// The width of `n` columns from `column`.
    pub fn span(&self, column: usize, n: usize) -> f32 {
        self.widths[column..(column + n).min(self.widths.len())]
            .iter()
            .sum()
    }
}

/// A table the page cannot hold, or a face that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error(transparent)]
    Font(#[from] FontError),
    #[error(
        "bảng “{name}”{} có {columns} cột, cần ít nhất {needed_mm:.0} mm bề ngang (mỗi cột vừa số dài nhất và chữ dài nhất của nó) nhưng trang {} chỉ có {available_mm:.0} mm cho chữ; {}",
        at_line(*.line),
        page_name(*.orientation),
        too_wide_hint(*.orientation)
    )]
    TooWide {
        /// Its first header cells.
        name: String,
        line: usize,
        columns: usize,
        needed_mm: f32,
        available_mm: f32,
        orientation: Orientation,
    },
}

fn at_line(line: usize) -> String {
    match line {
        0 => String::new(),
        n => format!(" (dòng {n} của Markdown đã dựng)"),
    }
}

fn page_name(orientation: Orientation) -> &'static str {
    match orientation {
        Orientation::Portrait => "dọc",
        Orientation::Landscape => "ngang",
    }
}

fn too_wide_hint(orientation: Orientation) -> &'static str {
    match orientation {
        Orientation::Portrait => "hãy bớt cột, rút ngắn tiêu đề cột, hoặc viết `<!-- trang-ngang -->` trên một dòng riêng ngay trước bảng để in bảng trên trang ngang",
        Orientation::Landscape => "hãy bớt cột, rút ngắn tiêu đề cột hoặc chữ dài trong bảng, hoặc chia thành hai bảng",
    }
}

/// Lays out a table on a page turned `orientation`, or refuses it when
/// its columns cannot hold their figures and words within the text width.
pub fn layout<'d>(
    table: &'d Table,
    settings: &PageSettings,
    orientation: Orientation,
    block: usize,
) -> Result<TableLayout<'d>, TableError> {
    let total = frame::text_width(settings, orientation);
    let grid = table.grid();
    let padding = cell_padding(settings);
    let measures = measure(table, &grid, settings.co_chu_bang, padding.0)?;
    let cap = WHOLE_WORD_EM * settings.co_chu_bang + 2.0 * padding.0;
    let Some(widths) = widths(&measures, cap, total) else {
        return Err(too_wide(table, &measures, cap, total, orientation));
    };
    let body = (0..table.columns())
        .map(|c| CellFormat {
            align: match table.align.get(c) {
                Some(crate::document::Align::Center) => TextAlign::Center,
                Some(crate::document::Align::Right) => TextAlign::Right,
                _ => TextAlign::Left,
            },
            bold: false,
            vertical: VerticalAlign::Center,
        })
        .collect();
    let rows = table.rows.len();
    let keep_with_next = table
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| r + 1 < rows && (r + TABLE_END_ROWS >= rows || group_row(row)))
        .collect();
    Ok(TableLayout {
        table,
        grid,
        header_rows: table.subheader.len() + 1,
        widths,
        header: CellFormat {
            align: TextAlign::Center,
            bold: true,
            vertical: VerticalAlign::Center,
        },
        body,
        text: super::formats(settings).table,
        padding,
        border: super::STROKES.table_border,
        keep_with_next,
        space_after: settings.cach_doan_pt,
        block,
    })
}

/// A row heading a group ("II | Ngoài ngân sách …", "*1.1* | *…*"): its
/// first cell holds the group's number and every cell with text is wholly
/// bold or italic. It never ends a page.
fn group_row(row: &[Cell]) -> bool {
    let filled = |c: &&Cell| !plain_text(c).trim().is_empty();
    row.first().is_some_and(|c| filled(&c)) && row.iter().filter(filled).all(|c| emphasised(c))
}

/// What a column's cells need, in points, padding included.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Measure {
    /// Widest unbreakable word and widest unbroken line of the body cells.
    word: f32,
    natural: f32,
    header_word: f32,
    header_natural: f32,
    /// Every body cell is a figure (or empty).
    numeric: bool,
}

/// Measures every column: each cell set in its face (bold in the header
/// rows and in bold runs); a merged cell's needs spread evenly over its
/// columns.
fn measure(table: &Table, grid: &Grid, size: f32, pad_x: f32) -> Result<Vec<Measure>, FontError> {
    let faces = Faces::new()?;
    let columns = table.columns();
    let mut measures = vec![
        Measure {
            numeric: true,
            ..Measure::default()
        };
        columns
    ];
    let headers = table.subheader.len() + 1;
    let pad = 2.0 * pad_x;
    let mut merged = Vec::new();
    let rows = table
        .header_rows()
        .chain(table.rows.iter().map(Vec::as_slice));
    for (r, row) in rows.enumerate() {
        let header = r < headers;
        for (c, place) in grid.row(r).iter().enumerate() {
            let Place::Cell { columns: n, .. } = *place else {
                continue;
            };
            let cell = row.get(c).map_or(&[][..], Vec::as_slice);
            let (natural, word) = faces.measure(cell, size, header);
            let (natural, word) = (natural + pad, word + pad);
            if n > 1 {
                merged.push((c, n, natural, word, header));
                continue;
            }
            let m = &mut measures[c];
            if header {
                m.header_natural = m.header_natural.max(natural);
                m.header_word = m.header_word.max(word);
            } else {
                m.natural = m.natural.max(natural);
                m.word = m.word.max(word);
                m.numeric &= is_numeric(&plain_text(cell));
            }
        }
    }
    for (c, n, natural, word, header) in merged {
        let span = &mut measures[c..(c + n).min(columns)];
        if header {
            spread(span, natural, |m| &mut m.header_natural);
            spread(span, word, |m| &mut m.header_word);
        } else {
            spread(span, natural, |m| &mut m.natural);
            spread(span, word, |m| &mut m.word);
        }
    }
    // No column narrower than its padding, whatever its cells hold.
    for m in &mut measures {
        m.word = m.word.max(pad);
        m.natural = m.natural.max(pad);
        m.header_word = m.header_word.max(pad);
        m.header_natural = m.header_natural.max(pad);
    }
    Ok(measures)
}

/// Widens the columns of a merged cell by equal shares until `field` of
/// them adds up to `need`.
fn spread(span: &mut [Measure], need: f32, field: impl Fn(&mut Measure) -> &mut f32) {
    let have: f32 = span.iter_mut().map(|m| *field(m)).sum();
    if need > have && !span.is_empty() {
        let share = (need - have) / span.len() as f32;
        for m in span {
            *field(m) += share;
        }
    }
}

/// Figures like "224.730.000", "97,7%", "1.1" or "-".
fn is_numeric(text: &str) -> bool {
    let text = text.trim();
    text.is_empty()
        || (text.chars().any(|c| c.is_ascii_digit())
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || ".,%+-() ".contains(c)))
}

/// The four faces, for measuring.
struct Faces([&'static FaceData; 4]);

impl Faces {
    fn new() -> Result<Faces, FontError> {
        Ok(Faces([
            fonts::face(Face::Regular)?,
            fonts::face(Face::Bold)?,
            fonts::face(Face::Italic)?,
            fonts::face(Face::BoldItalic)?,
        ]))
    }

    /// The widest unbroken line of a cell (between its hard line breaks)
    /// and its widest word, at `size`, with slack ([`FIT_SLACK`]) when not
    /// empty. Spaces, tabs and line ends separate words, as when the text
    /// is set; a character the faces lack counts half an em (the PDF
    /// refuses it anyway).
    fn measure(&self, cell: &[Inline], size: f32, bold: bool) -> (f32, f32) {
        let (mut natural, mut widest) = (0.0f32, 0.0f32);
        // The current line: its words and spaces up to the last word, the
        // word being read, and the space before it.
        let (mut line, mut word, mut space) = (0.0f32, 0.0f32, 0.0f32);
        let mut end_word = |line: &mut f32, word: &mut f32, space: &mut f32| {
            if *word > 0.0 {
                *line += if *line > 0.0 { *space } else { 0.0 } + *word;
                widest = widest.max(*word);
                *word = 0.0;
            }
        };
        for inline in cell {
            let run = match inline {
                crate::document::Inline::Text(run) => run,
                crate::document::Inline::LineBreak => {
                    end_word(&mut line, &mut word, &mut space);
                    natural = natural.max(line);
                    line = 0.0;
                    continue;
                }
            };
            let face = self.0[Face::new(run.bold || bold, run.italic) as usize];
            let advance = |c: char| face.advance(c).unwrap_or(500.0) * size / 1000.0;
            for c in run.text.chars() {
                if matches!(c, ' ' | '\t' | '\n' | '\r') {
                    end_word(&mut line, &mut word, &mut space);
                    space = advance(' ');
                } else {
                    word += advance(c);
                }
            }
        }
        end_word(&mut line, &mut word, &mut space);
        natural = natural.max(line);
        let slack = |w: f32| if w > 0.0 { w + FIT_SLACK } else { 0.0 };
        (slack(natural), slack(widest))
    }
}

/// The column widths filling `total`, or `None` when the columns cannot
/// hold their figures and their words up to `cap` (padded
/// [`WHOLE_WORD_EM`]).
///
/// Each column has three widths: `want`, its text on one line; `least`,
/// each of its words whole (a number column: each figure whole, its header
/// broken between words); `hard`, `least` with words longer than `cap`
/// cut (figures never are, unless wider than the page). Number columns
/// keep their width when a text column is there to take the room; the
/// others share it:
/// 1. everything on one line fits: text columns get the spare width, in
///    proportion to their text;
/// 2. otherwise text columns grow from `least` towards `want`, in
///    proportion to what they lack; when not every word fits whole, from
///    `hard` (so only a column with a word longer than `cap` cuts it, and
///    such a column gets its share of the room like the others).
pub(crate) fn widths(columns: &[Measure], cap: f32, total: f32) -> Option<Vec<f32>> {
    let want: Vec<f32> = columns
        .iter()
        .map(|m| m.natural.max(m.header_natural))
        .collect();
    let least: Vec<f32> = columns.iter().map(least).collect();
    let hard: Vec<f32> = columns.iter().map(|m| hard(m, cap, total)).collect();
    let sum = |values: &[f32]| values.iter().sum::<f32>();
    if sum(&hard) > total + 0.01 {
        return None;
    }
    let any_text = columns.iter().any(|m| !m.numeric);
    let flexible: Vec<bool> = columns.iter().map(|m| !any_text || !m.numeric).collect();
    // `spare` shared among the flexible columns in proportion to `by`.
    let share = |base: &[f32], by: &[f32], spare: f32| -> Vec<f32> {
        let weight: f32 = by
            .iter()
            .zip(&flexible)
            .filter(|(_, &f)| f)
            .map(|(b, _)| b)
            .sum();
        let count = flexible.iter().filter(|&&f| f).count().max(1) as f32;
        base.iter()
            .zip(by)
            .zip(&flexible)
            .map(|((&b, &w), &f)| match (f, weight > f32::EPSILON) {
                (false, _) => b,
                (true, true) => b + spare * w / weight,
                (true, false) => b + spare / count,
            })
            .collect()
    };

    if sum(&want) <= total {
        // 1. Text columns take the spare width.
        return Some(share(&want, &want, total - sum(&want)));
    }
    // 2. From `least` (or, when not every word fits whole, `hard`) towards
    // `want`. `hard` fits: it was checked above.
    let low = if sum(&least) <= total { least } else { hard };
    let lack: Vec<f32> = want
        .iter()
        .zip(&low)
        .map(|(&w, &l)| (w - l).max(0.0))
        .collect();
    Some(share(&low, &lack, total - sum(&low)))
}

/// A column's words whole: a number column's figures whole, its header
/// broken between words.
fn least(m: &Measure) -> f32 {
    if m.numeric {
        m.natural.max(m.header_word)
    } else {
        m.word.max(m.header_word)
    }
}

/// The least width a column can be given: its figures whole when the
/// widest fits the page, its words cut to `cap`.
fn hard(m: &Measure, cap: f32, total: f32) -> f32 {
    if m.numeric && m.natural <= total {
        m.natural.max(m.header_word.min(cap))
    } else {
        least(m).min(cap)
    }
}

/// The refusal of a table whose columns need more than `total`.
fn too_wide(
    table: &Table,
    measures: &[Measure],
    cap: f32,
    total: f32,
    orientation: Orientation,
) -> TableError {
    let needed: f32 = measures.iter().map(|m| hard(m, cap, total)).sum();
    let mut name = table
        .header
        .iter()
        .map(|c| plain_text(c))
        .filter(|t| !t.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" | ");
    if let Some((cut, _)) = name.char_indices().nth(60) {
        name.truncate(cut);
        name.push('…');
    }
    TableError::TooWide {
        name,
        line: table.line,
        columns: table.columns(),
        needed_mm: needed / PT_PER_MM,
        available_mm: total / PT_PER_MM,
        orientation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(word: f32, natural: f32) -> Measure {
        Measure {
            word,
            natural,
            header_word: 20.0,
            header_natural: 20.0,
            numeric: false,
        }
    }

    fn number(natural: f32) -> Measure {
        Measure {
            word: natural,
            natural,
            header_word: 20.0,
            header_natural: 40.0,
            numeric: true,
        }
    }

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01)
    }

    #[test]
    fn everything_on_one_line_gives_the_spare_to_text_columns() {
        let w = widths(
            &[number(30.0), text(50.0, 100.0), number(60.0)],
            60.0,
            400.0,
        )
        .unwrap();
        assert!(close(&w, &[40.0, 300.0, 60.0]), "{w:?}");
    }

    #[test]
    fn text_columns_wrap_in_proportion_and_numbers_stay_whole() {
        let w = widths(
            &[
                number(30.0),
                text(50.0, 250.0),
                text(40.0, 140.0),
                number(80.0),
            ],
            60.0,
            300.0,
        )
        .unwrap();
        // Numbers at their figures; 300 − 110 = 190 over the text columns'
        // least (90) and lack (200 and 100).
        assert!(close(&w, &[30.0, 116.67, 73.33, 80.0]), "{w:?}");
    }

    /// A web address in one column: it is capped and cut, the other
    /// columns keep their words whole and the figures their width.
    #[test]
    fn a_long_token_is_capped_and_the_figures_keep_their_width() {
        let url = text(700.0, 700.0);
        let w = widths(
            &[number(30.0), text(50.0, 250.0), url, number(90.0)],
            60.0,
            400.0,
        )
        .unwrap();
        assert_eq!(w[0], 30.0);
        assert_eq!(w[3], 90.0);
        assert!(w[1] >= 50.0 && w[2] >= 60.0, "{w:?}");
        assert!((w.iter().sum::<f32>() - 400.0).abs() < 0.01);
    }

    #[test]
    fn when_words_do_not_fit_only_the_long_ones_are_cut() {
        let w = widths(
            &[text(50.0, 50.0), text(300.0, 300.0), text(200.0, 200.0)],
            100.0,
            300.0,
        )
        .unwrap();
        // The short words whole; the long ones from the cap, sharing the
        // 50 points left by what they lack (200 and 100).
        assert!(close(&w, &[50.0, 133.33, 116.67]), "{w:?}");
        // Figures are never cut: a table that cannot give them their width
        // is refused.
        assert!(widths(&[number(200.0), number(200.0)], 60.0, 300.0).is_none());
        // A "figure" wider than the page is a long token.
        assert!(widths(&[number(900.0), text(20.0, 20.0)], 60.0, 300.0).is_some());
    }

    #[test]
    fn widths_are_never_negative_nor_below_the_padding() {
        for total in [10.0, 100.0, 1000.0] {
            let columns = [number(1.0), text(1.0, 1.0), text(5000.0, 5000.0)];
            if let Some(w) = widths(&columns, 40.0, total) {
                assert!(w.iter().all(|&x| x >= 1.0), "{w:?}");
                assert!((w.iter().sum::<f32>() - total).abs() < 0.05, "{w:?}");
            }
        }
    }
}
