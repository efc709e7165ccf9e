//! The prepared layout: everything about the page that the DOCX and the PDF
//! share, decided once from the document model, in points (typst's
//! layout before its exporters). The writers only transcribe it: the DOCX
//! converts points to twips, half-points and eighths of a point, the PDF
//! places lines and rows where it says. Word and LibreOffice break lines
//! and pages of a DOCX themselves, so the two files cannot share page
//! breaks; they share every rule that makes them: the same column widths,
//! paragraph formats, strokes, gaps, keep-together rules and page-number
//! sections.
//!
//! What is decided here, and nowhere else:
//! - every table's column widths (one rule, [`table`]), its cells'
//!   alignment, padding and borders, and which rows keep with the next;
//! - each paragraph's format (alignment, indents, face, spacing), the list
//!   markers and indents per level, the annex title; where lines may break
//!   (only at spaces: [`glue_hyphens`]);
//! - the keep-together rules: a heading with what follows, a caption with
//!   its table, the closing sentence with the signature, two lines at least
//!   at either end of a page ([`WIDOW_ORPHAN_LINES`]);
//! - the line of a table's unit ("Đơn vị tính: đồng", [`UNIT_LINE`]) in a
//!   caption chain: right-aligned, no first-line indent;
//! - the frame's strokes and gaps (the words and line breaks of the frame
//!   are [`crate::render::frame`]'s), the page number's size and place,
//!   and where numbering restarts (the annex);
//! - the document properties ([`properties`]).

pub mod properties;
pub mod table;

use crate::document::{
    plain_text, Block, Document, Inline, ListItem, Orientation, PageSettings, Section,
};
use crate::render::fonts::{self, Face, FontError};
use crate::render::frame::{self, Frame, Look, PT_PER_MM};

pub use properties::Properties;
pub use table::{CellFormat, TableError, TableLayout};

/// Lines of a paragraph that stay together at the top and at the foot of a
/// page: no paragraph leaves one line alone on either side of a break
/// (Word's widow/orphan control).
pub const WIDOW_ORPHAN_LINES: usize = 2;

/// Why a document cannot be laid out.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error(transparent)]
    Font(#[from] FontError),
    #[error(transparent)]
    Table(#[from] TableError),
}

/// How a paragraph's lines sit between its indents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextAlign {
    Justify,
    Left,
    Center,
    Right,
}

/// Where a cell's lines sit between its top and bottom padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerticalAlign {
    Top,
    Center,
}

/// A paragraph's format, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParaFormat {
    pub size: f32,
    /// Bold or italic forced on every run (a run may add its own).
    pub bold: bool,
    pub italic: bool,
    pub align: TextAlign,
    /// Indent of every line from the left edge of the text.
    pub left_indent: f32,
    /// Further indent of the first line.
    pub first_indent: f32,
    /// Line spacing as a multiple of the face's single spacing.
    pub line_spacing: f32,
    /// Space below the paragraph (dropped at the foot of a page).
    pub space_after: f32,
    /// No page break inside the paragraph (headings).
    pub keep_together: bool,
}

/// The formats the writers name (Word's styles): every paragraph has one
/// of these, changed only where [`Para::format`] says.
#[derive(Debug, Clone, PartialEq)]
pub struct Formats {
    pub body: ParaFormat,
    /// Levels 1 to 4.
    pub headings: [ParaFormat; 4],
    /// Text in table cells (no indent, no space after; single spacing).
    pub table: ParaFormat,
}

/// The strokes of the page, in points: widths every writer can draw
/// exactly (eighths of a point, the DOCX's unit for borders).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strokes {
    /// The rules under the agency, the motto and the title.
    pub frame_rule: f32,
    /// Table borders.
    pub table_border: f32,
}

/// A solid three-quarter point for the frame's rules, half a point for
/// table borders (Word's usual weights).
const STROKES: Strokes = Strokes {
    frame_rule: 0.75,
    table_border: 0.5,
};

/// Vertical gaps of the frame, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameGaps {
    /// From the foot of the last line above a rule to the rule.
    pub above_rule: f32,
    /// From a rule of the header block to the number and date lines.
    pub below_header_rule: f32,
    /// From the number and date lines to the title.
    pub above_title: f32,
    /// From the title's rule to the body.
    pub below_title_rule: f32,
    /// From the body's last block to the closing block.
    pub above_closing: f32,
}

/// The page number: centred in the top margin, never on a region's first
/// page when numbering restarts there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageNumber {
    pub size: f32,
    /// From the top edge of the paper to the top of the number's line box
    /// (single spacing): the box is centred in the top margin.
    pub top: f32,
}

/// The words of the draft mark.
pub const DRAFT: &str = "DỰ THẢO";

/// The mark of a draft (a report built while units are missing): "DỰ
/// THẢO" in bold in a box at the top right of the first page, in the top
/// margin, where official drafts carry it. It stands in the first-page
/// header of the DOCX, which the annex's first page shares (its pages are
/// numbered anew, without a number on the first): so both writers mark
/// the first page of the report and of its annex, the pages numbering
/// restarts on.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftMark {
    pub text: &'static str,
    pub look: Look,
    /// The box's top, from the top edge of the paper (the page number's
    /// line box starts there too: the DOCX's header distance).
    pub top: f32,
    /// The box's size; its right side is the text area's right edge.
    pub width: f32,
    pub height: f32,
    /// Between the border and the text: left and right, top and bottom.
    pub padding: (f32, f32),
    /// The border's width.
    pub stroke: f32,
}

/// How a region's pages are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbering {
    /// On from the pages before.
    Continue,
    /// From 1, its first page without a number: the report's first page,
    /// and the annex's (Nghị định 30/2020: an annex numbers its own pages).
    Restart,
}

/// What a paragraph is, for the writers' style names and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParaKind {
    /// Level 1 to 4.
    Heading(u8),
    Body,
    /// A list item's paragraph (its first one carries the marker).
    ListItem,
}

/// A paragraph ready to set: its text, its format and how it keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct Para<'d> {
    pub kind: ParaKind,
    /// Printed before the content, in the paragraph's own face ("- ",
    /// "2. ").
    pub marker: Option<String>,
    pub content: &'d [Inline],
    pub format: ParaFormat,
    /// No page break between its last line and what follows.
    pub keep_with_next: bool,
    /// Index of its block in the region, for messages.
    pub block: usize,
}

/// A piece of a region's flow.
#[derive(Debug, Clone)]
pub enum Piece<'d> {
    Paragraph(Para<'d>),
    Table(TableLayout<'d>),
    /// `<!-- ngat-trang -->`.
    PageBreak,
}

/// A run of pages of one orientation.
#[derive(Debug, Clone)]
pub struct Region<'d> {
    pub orientation: Orientation,
    /// Starts on a new page (every region but the body's first).
    pub new_page: bool,
    pub numbering: Numbering,
    /// Width between the margins.
    pub width: f32,
    /// The blocks of the document the region holds (for messages).
    pub blocks: &'d [Block],
    /// Index of its first block in the body or the annex.
    pub first: usize,
    pub pieces: Vec<Piece<'d>>,
}

/// The prepared document: what both writers transcribe.
#[derive(Debug, Clone)]
pub struct Prepared<'d> {
    pub settings: &'d PageSettings,
    pub frame: Frame,
    pub formats: Formats,
    pub strokes: Strokes,
    pub gaps: FrameGaps,
    pub page_number: PageNumber,
    /// The draft mark, when the document is a draft.
    pub draft: Option<DraftMark>,
    pub properties: Properties,
    /// Page 1 under the title, then the body's later regions.
    pub body: Vec<Region<'d>>,
    /// After the closing block; empty without an annex.
    pub annex: Vec<Region<'d>>,
}

impl<'d> Prepared<'d> {
    /// Every region, the body's then the annex's.
    pub fn regions(&self) -> impl Iterator<Item = &Region<'d>> {
        self.body.iter().chain(&self.annex)
    }
}

/// The non-breaking hyphen (U+2011).
pub const NO_BREAK_HYPHEN: char = '\u{2011}';

/// `text` with every hyphen inside a word (between two characters that are
/// not spaces: "13264/UBND-KTNS", "2021-2025") made non-breaking. Lines
/// break only at spaces, in both writers: the PDF's own breaker does, but
/// Word and LibreOffice also break after a hyphen, which would split a
/// document's number and give the DOCX other lines (and pages) than the
/// PDF. A word longer than its line is still cut.
pub fn glue_hyphens(text: &str) -> std::borrow::Cow<'_, str> {
    let inner = |i: usize| {
        let before = text[..i].chars().next_back();
        let after = text[i + 1..].chars().next();
        before
            .zip(after)
            .is_some_and(|(a, b)| !a.is_whitespace() && !b.is_whitespace())
    };
    if !text.match_indices('-').any(|(i, _)| inner(i)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        out.push(if c == '-' && inner(i) {
            NO_BREAK_HYPHEN
        } else {
            c
        });
    }
    std::borrow::Cow::Owned(out)
}

/// Single line spacing of the faces at `size`, in points.
fn single_line(size: f32) -> Result<f32, FontError> {
    Ok(size * fonts::face(Face::Regular)?.line_height)
}

/// Lays out `doc` for the writers: fails when a table cannot fit its
/// page (naming it) or a face cannot be read.
pub fn prepare(doc: &Document) -> Result<Prepared<'_>, LayoutError> {
    let s = &doc.meta.trang;
    let frame = frame::frame(&doc.meta)?;
    let formats = formats(s);
    let body_line = single_line(s.co_chu)?;
    let gaps = FrameGaps {
        above_rule: 0.3 * s.co_chu,
        below_header_rule: 0.5 * s.co_chu,
        above_title: body_line,
        below_title_rule: body_line,
        above_closing: body_line,
    };
    let page_number = PageNumber {
        size: s.co_chu_so_trang,
        top: (s.le_tren_mm * PT_PER_MM - single_line(s.co_chu_so_trang)?) / 2.0,
    };
    let draft = doc
        .draft
        .then(|| draft_mark(s, page_number.top))
        .transpose()?;
    let body = regions(doc.body_sections(), false, s, &formats)?;
    let annex = regions(doc.annex_sections(), true, s, &formats)?;
    Ok(Prepared {
        settings: s,
        frame,
        formats,
        strokes: STROKES,
        gaps,
        page_number,
        draft,
        properties: Properties::of_report(&doc.meta),
        body,
        annex,
    })
}

/// The draft mark's box: the header's size, bold; room around the words
/// (and a point more, as for table columns: Word and LibreOffice round
/// each glyph's width), its top where the page number's line box is.
fn draft_mark(s: &PageSettings, top: f32) -> Result<DraftMark, FontError> {
    let look = Look {
        size: s.co_chu_dau_trang,
        bold: true,
        italic: false,
    };
    let padding = (0.4 * look.size, 0.15 * look.size);
    let width = frame::width(DRAFT, look)? + table::FIT_SLACK + 2.0 * padding.0;
    let height = single_line(look.size)? + 2.0 * padding.1;
    Ok(DraftMark {
        text: DRAFT,
        look,
        top,
        width,
        height,
        padding,
        stroke: STROKES.frame_rule,
    })
}

/// The regions of the body or (`annex`) of the annex: each part numbers
/// its pages from its first.
fn regions<'d>(
    sections: Vec<Section<'d>>,
    annex: bool,
    s: &PageSettings,
    formats: &Formats,
) -> Result<Vec<Region<'d>>, LayoutError> {
    sections
        .into_iter()
        .enumerate()
        .map(|(k, section)| {
            let numbering = if k == 0 {
                Numbering::Restart
            } else {
                Numbering::Continue
            };
            region(section, numbering, annex && k == 0, s, formats)
        })
        .collect()
}

/// The paragraph formats of the decree's body text, headings and tables.
fn formats(s: &PageSettings) -> Formats {
    let body = ParaFormat {
        size: s.co_chu,
        bold: false,
        italic: false,
        align: TextAlign::Justify,
        left_indent: 0.0,
        first_indent: s.thut_dau_dong_cm * 10.0 * PT_PER_MM,
        line_spacing: s.gian_dong,
        space_after: s.cach_doan_pt,
        keep_together: false,
    };
    // Headings start like a paragraph, bold (level 4 bold italic), ragged
    // right: a stretched heading line reads badly.
    let heading = |level: usize| ParaFormat {
        bold: true,
        italic: level == 4,
        align: TextAlign::Left,
        keep_together: true,
        ..body
    };
    Formats {
        body,
        headings: [heading(1), heading(2), heading(3), heading(4)],
        table: ParaFormat {
            size: s.co_chu_bang,
            align: TextAlign::Left,
            first_indent: 0.0,
            line_spacing: 1.0,
            space_after: 0.0,
            ..body
        },
    }
}

/// One region's pieces. `titled`: the annex's first region, whose leading
/// headings and wholly bold or italic paragraphs are its title.
fn region<'d>(
    section: Section<'d>,
    numbering: Numbering,
    titled: bool,
    s: &PageSettings,
    formats: &Formats,
) -> Result<Region<'d>, LayoutError> {
    let orientation = section.orientation;
    let width = frame::text_width(s, orientation);
    let blocks = section.blocks;
    let title = if titled { title_blocks(blocks) } else { 0 };
    let mut pieces = Vec::with_capacity(blocks.len());
    for (i, block) in blocks.iter().enumerate() {
        let before = pieces.len();
        match block {
            Block::Heading { level, content } => {
                let level = level.clamp(&1, &4);
                pieces.push(Piece::Paragraph(Para {
                    kind: ParaKind::Heading(*level),
                    marker: None,
                    content,
                    format: formats.headings[usize::from(*level) - 1],
                    keep_with_next: true,
                    block: i,
                }))
            }
            Block::Paragraph(content) => pieces.push(Piece::Paragraph(Para {
                kind: ParaKind::Body,
                marker: None,
                content,
                format: formats.body,
                keep_with_next: false,
                block: i,
            })),
            Block::List { start, items } => {
                let levels = indent_levels(width, formats.body.first_indent);
                let list_format = |depth: usize| ParaFormat {
                    left_indent: depth.min(levels) as f32 * formats.body.first_indent,
                    ..formats.body
                };
                list(*start, items, 0, i, &list_format, &mut pieces);
            }
            Block::Table(table) => {
                pieces.push(Piece::Table(table::layout(table, s, orientation, i)?));
            }
            Block::PageBreak => pieces.push(Piece::PageBreak),
        }
        if i < title {
            for piece in &mut pieces[before..] {
                if let Piece::Paragraph(p) = piece {
                    p.format.align = TextAlign::Center;
                    p.format.left_indent = 0.0;
                    p.format.first_indent = 0.0;
                    p.keep_with_next = true;
                }
            }
        }
        if unit_line(blocks, i, s, orientation)? {
            if let Some(Piece::Paragraph(p)) = pieces.last_mut() {
                p.format.align = TextAlign::Right;
                p.format.left_indent = 0.0;
                p.format.first_indent = 0.0;
            }
        }
        if keeps_with_next(blocks, i, s, orientation)? {
            if let Some(last) = pieces[before..].last_mut() {
                keep_with_next(last);
            }
        }
    }
    Ok(Region {
        orientation,
        new_page: section.new_page,
        numbering,
        width,
        blocks,
        first: section.first,
        pieces,
    })
}

fn keep_with_next(piece: &mut Piece) {
    match piece {
        Piece::Paragraph(p) => p.keep_with_next = true,
        Piece::Table(t) => {
            if let Some(last) = t.keep_with_next.last_mut() {
                *last = true;
            }
        }
        Piece::PageBreak => {}
    }
}

/// Markers of bullet lists by depth (then again from the first).
const BULLETS: [&str; 3] = ["-", "+", "•"];

/// How many levels of a list indent one step further (`step`, the
/// first-line indent) on a text `width` wide: the deepest item's first line
/// keeps half the width, so a list nested past that still prints on the
/// page (its deeper levels at the last indent, told apart by their
/// markers) rather than one letter a line, then off its edge.
fn indent_levels(width: f32, step: f32) -> usize {
    if step <= 0.0 {
        return usize::MAX;
    }
    ((width / 2.0 - step) / step).floor().max(0.0) as usize
}

/// The paragraphs of a list at `depth` (0 for a list in the flow): each
/// item's first paragraph after its marker, the item's further paragraphs
/// and nested lists under it, in the `format` of their level.
fn list<'d>(
    start: Option<u64>,
    items: &'d [ListItem],
    depth: usize,
    block: usize,
    format_of: &dyn Fn(usize) -> ParaFormat,
    pieces: &mut Vec<Piece<'d>>,
) {
    let format = format_of(depth);
    for (n, item) in (0..).zip(items) {
        let marker = match start {
            Some(first) => format!("{}. ", first.saturating_add(n)),
            None => format!("{} ", BULLETS[depth % BULLETS.len()]),
        };
        pieces.push(Piece::Paragraph(Para {
            kind: ParaKind::ListItem,
            marker: Some(marker),
            content: &item.content,
            format,
            keep_with_next: false,
            block,
        }));
        for child in &item.children {
            match child {
                Block::List { start, items } => {
                    list(*start, items, depth + 1, block, format_of, pieces)
                }
                Block::Paragraph(content) => pieces.push(Piece::Paragraph(Para {
                    kind: ParaKind::ListItem,
                    marker: None,
                    content,
                    format,
                    keep_with_next: false,
                    block,
                })),
                // The parser puts nothing else in an item.
                _ => {}
            }
        }
    }
}

/// How many blocks open the annex as its title: its first headings and
/// paragraphs set wholly in bold or italic ("PHỤ LỤC …", "(Kèm theo …)").
fn title_blocks(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .take_while(|b| match b {
            Block::Heading { .. } => true,
            Block::Paragraph(content) => emphasised(content),
            _ => false,
        })
        .count()
}

/// Whether every run of `inlines` with text is bold, or every one italic.
pub(crate) fn emphasised(inlines: &[Inline]) -> bool {
    let runs = || {
        inlines.iter().filter_map(|i| match i {
            Inline::Text(r) if !r.text.trim().is_empty() => Some(r),
            _ => None,
        })
    };
    runs().next().is_some() && (runs().all(|r| r.bold) || runs().all(|r| r.italic))
}

/// Whether block `i` of a region (on pages turned `orientation`) must stay
/// on the page of what follows it (the closing block after the body's
/// last block). Headings do; so does a caption (see `caption`) and the
/// closing sentence before the signature. A long paragraph never does: it
/// would drag its table to the next page and leave this one half empty.
pub fn keeps_with_next(
    blocks: &[Block],
    i: usize,
    settings: &PageSettings,
    orientation: Orientation,
) -> Result<bool, FontError> {
    match (&blocks[i], blocks.get(i + 1)) {
        (Block::Heading { .. }, _) | (_, None) => Ok(true),
        _ => caption(blocks, i, settings, orientation),
    }
}

/// Whether block `i` is a caption: a paragraph of one line before a table,
/// or before another caption ("Bảng 1. …" over "(Đơn vị: đồng)").
fn caption(
    blocks: &[Block],
    i: usize,
    settings: &PageSettings,
    orientation: Orientation,
) -> Result<bool, FontError> {
    let (Block::Paragraph(content), Some(next)) = (&blocks[i], blocks.get(i + 1)) else {
        return Ok(false);
    };
    Ok(one_line(content, settings, orientation)?
        && (matches!(next, Block::Table(_)) || caption(blocks, i + 1, settings, orientation)?))
}

/// What the line of a money table's unit starts with.
pub const UNIT_LINE: &str = "Đơn vị tính";

/// Whether block `i` is the line giving a table's unit ("*Đơn vị tính:
/// đồng*") in a caption chain: official tables print it right-aligned,
/// without a first-line indent.
fn unit_line(
    blocks: &[Block],
    i: usize,
    settings: &PageSettings,
    orientation: Orientation,
) -> Result<bool, FontError> {
    let Block::Paragraph(content) = &blocks[i] else {
        return Ok(false);
    };
    Ok(plain_text(content).trim_start().starts_with(UNIT_LINE)
        && caption(blocks, i, settings, orientation)?)
}

/// Whether a body paragraph fits on its first line.
fn one_line(
    content: &[Inline],
    settings: &PageSettings,
    orientation: Orientation,
) -> Result<bool, FontError> {
    let line =
        frame::text_width(settings, orientation) - settings.thut_dau_dong_cm * 10.0 * PT_PER_MM;
    Ok(frame::width(&plain_text(content), Look::new(settings.co_chu))? <= line)
}

#[cfg(test)]
mod tests;
