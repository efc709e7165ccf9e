//! The PDF's own pagination of the prepared layout: pages of positioned
//! text spans and rules. Everything is plain data in points, with `y`
//! measured down from the top edge of the page, so tests can check
//! positions directly and the renderer only has to transcribe it (as an
//! HTML view of the pages could).
//!
//! Column widths, formats, strokes, gaps and keep rules come from
//! [`crate::render::prepared`]; what is left here is what Word and
//! LibreOffice do for themselves with a DOCX: breaking lines and pages.
//! Body blocks become a flow of [`Slot`]s (one per text line, one per table
//! row, one for the whole closing block) carrying keep-with-next flags; the
//! paginator fills pages and backs up to the last allowed break when a slot
//! does not fit. Widow/orphan control and keeping headings with what
//! follows are both expressed as those flags.

mod justify;
mod official;
mod table;
mod text;

use super::{MissingGlyph, PdfError};
use crate::document::{plain_text, Block, Inline, Orientation, PageSettings};
use crate::render::fonts::{self, Face, FaceData};
use crate::render::prepared::{
    self, FrameGaps, Numbering, Para, ParaFormat, ParaKind, Piece, Prepared, Region, Strokes,
    WIDOW_ORPHAN_LINES,
};
use text::TextAlign;

const PT_PER_MM: f32 = 72.0 / 25.4;
/// Tolerance for "fits" comparisons, far below anything visible.
pub(super) const EPS: f32 = 0.01;

/// The laid-out document.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Size and text area of the front matter's page (portrait); each
    /// page carries its own [`Sheet`].
    pub width: f32,
    pub height: f32,
    /// The text area inside the margins.
    pub area: TextArea,
    pub pages: Vec<Page>,
    /// The headings in order, for the PDF's outline (bookmarks).
    pub outline: Vec<Bookmark>,
}

/// A heading in the outline: its text, its depth (1 for "I.", 2 for "1.",
/// … one more inside the annex, whose title is at 1), and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Bookmark {
    pub title: String,
    pub level: u8,
    /// Index in `Layout::pages`.
    pub page: usize,
    /// The top of its first line, from the top of the page.
    pub top: f32,
}

/// A page's size and text area, in points.
#[derive(Debug, Clone, Copy)]
pub struct Sheet {
    pub width: f32,
    pub height: f32,
    pub area: TextArea,
}

impl Sheet {
    /// The front matter's paper turned `orientation`, margins in place.
    fn new(settings: &PageSettings, orientation: Orientation) -> Sheet {
        let (width, height) = settings.paper_mm(orientation);
        let (width, height) = (width * PT_PER_MM, height * PT_PER_MM);
        Sheet {
            width,
            height,
            area: TextArea {
                left: settings.le_trai_mm * PT_PER_MM,
                right: width - settings.le_phai_mm * PT_PER_MM,
                top: settings.le_tren_mm * PT_PER_MM,
                bottom: height - settings.le_duoi_mm * PT_PER_MM,
            },
        }
    }
}

/// Edges of the text area, in page coordinates.
#[derive(Debug, Clone, Copy)]
pub struct TextArea {
    pub left: f32,
    pub right: f32,
    pub top: f32,
    pub bottom: f32,
}

impl TextArea {
    pub fn width(&self) -> f32 {
        self.right - self.left
    }
}

#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Item>,
    pub orientation: Orientation,
    pub sheet: Sheet,
}

#[derive(Debug, Clone)]
pub enum Item {
    Text(Span),
    Rule(Rule),
}

/// What a span belongs to, for tests and for nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Header,
    Heading,
    Body,
    Table,
    Closing,
    PageNumber,
}

/// A run of text in one face on one baseline.
#[derive(Debug, Clone)]
pub struct Span {
    pub role: Role,
    pub face: Face,
    pub size: f32,
    pub x: f32,
    pub baseline: f32,
    /// Drawn width, including the justification added at each space.
    pub width: f32,
    /// Extra width added after each space of `text` (justification).
    pub gap_extra: f32,
    pub text: String,
}

/// A straight solid line.
#[derive(Debug, Clone)]
pub struct Rule {
    pub x1: f32,
    pub y1: f32,
    pub x2: f32,
    pub y2: f32,
    pub thickness: f32,
}

impl Item {
    fn shift(&mut self, dy: f32) {
        match self {
            Item::Text(span) => span.baseline += dy,
            Item::Rule(rule) => {
                rule.y1 += dy;
                rule.y2 += dy;
            }
        }
    }

    fn shifted(&self, dy: f32) -> Item {
        let mut item = self.clone();
        item.shift(dy);
        item
    }
}

/// Paginates the whole report: page 1's header, the body, the closing
/// block, then the annex.
pub fn layout(prepared: &Prepared) -> Result<Layout, PdfError> {
    let mut layouter = Layouter::new(prepared)?;
    let mut slots = vec![layouter.header(&prepared.frame)];
    let mut headers = Vec::new();
    for region in &prepared.body {
        layouter.region(region, "", &mut slots, &mut headers);
    }
    layouter.location = "khối ký và nơi nhận".into();
    slots.push(layouter.closing(&prepared.frame));
    if let Some(first) = prepared.annex.first() {
        layouter.annex_bookmark(first.blocks, slots.len());
    }
    for region in &prepared.annex {
        layouter.region(region, "phụ lục, ", &mut slots, &mut headers);
    }
    if !layouter.missing.is_empty() {
        return Err(PdfError::MissingGlyphs(layouter.missing));
    }
    Ok(layouter.paginate(&slots, &headers))
}

/// Where a block is, in words a clerk can find in the Markdown.
fn block_location(index: usize, block: &Block) -> String {
    let (kind, text) = match block {
        Block::Heading { content, .. } => ("đề mục", plain_text(content)),
        Block::Paragraph(content) => ("đoạn văn", plain_text(content)),
        Block::List { items, .. } => (
            "danh sách",
            items
                .first()
                .map(|i| plain_text(&i.content))
                .unwrap_or_default(),
        ),
        Block::Table(table) => (
            "bảng",
            table
                .header
                .iter()
                .map(|c| plain_text(c))
                .collect::<Vec<_>>()
                .join(" | "),
        ),
        Block::PageBreak => ("ngắt trang", String::new()),
    };
    let mut start: String = text.chars().take(40).collect();
    if start.len() < text.len() {
        start.push('…');
    }
    format!("khối nội dung thứ {} ({kind} “{start}”)", index + 1)
}

/// A heading's text on one line, for the outline.
fn outline_title(content: &[Inline]) -> String {
    plain_text(content)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// How a piece of text is set: face flags forced on every run, size,
/// alignment, first-line indent and line height (all in points).
#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    bold: bool,
    italic: bool,
    align: TextAlign,
    first_indent: f32,
    line_height: f32,
    role: Role,
}

/// Lines set in a column, positioned relative to the column's top.
struct Stacked {
    items: Vec<Item>,
    bottom: f32,
    widest: f32,
    first_baseline: f32,
}

impl Stacked {
    fn empty(top: f32) -> Stacked {
        Stacked {
            items: Vec::new(),
            bottom: top,
            widest: 0.0,
            first_baseline: top,
        }
    }

    /// Puts `below`, set from this block's bottom, under it.
    fn append(&mut self, below: Stacked) {
        if self.items.is_empty() {
            self.first_baseline = below.first_baseline;
        }
        self.bottom = below.bottom;
        self.widest = self.widest.max(below.widest);
        self.items.extend(below.items);
    }
}

/// A piece of the body flow that pagination places whole.
#[derive(Debug, Clone)]
struct Slot {
    height: f32,
    /// Space below, dropped at the bottom of a page.
    space_after: f32,
    /// No page break allowed between this slot and the next.
    keep_with_next: bool,
    /// Items positioned relative to the slot's top.
    items: Vec<Item>,
    kind: SlotKind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum SlotKind {
    Flow,
    PageBreak,
    /// A new page turned this way, numbered on or from 1.
    Turn(Orientation, Numbering),
    /// A body row of the table with this index: a page starting with it gets
    /// the table's header row repeated first.
    TableRow(usize),
}

impl Slot {
    fn flow(height: f32, items: Vec<Item>) -> Slot {
        Slot {
            height,
            space_after: 0.0,
            keep_with_next: false,
            items,
            kind: SlotKind::Flow,
        }
    }
}

struct Layouter<'a> {
    settings: &'a PageSettings,
    gaps: FrameGaps,
    strokes: Strokes,
    page_number: prepared::PageNumber,
    /// The page being laid out for (a region's orientation).
    area: TextArea,
    faces: [&'static FaceData; 4],
    /// Where the text being measured comes from, for missing-glyph reports.
    location: String,
    missing: Vec<MissingGlyph>,
    /// Headings for the outline, each with the index of its first slot.
    marks: Vec<(usize, String, u8)>,
    /// Outline levels above the headings being laid out (the annex's title).
    depth: u8,
}

impl<'a> Layouter<'a> {
    fn new(prepared: &'a Prepared) -> Result<Self, PdfError> {
        let settings = prepared.settings;
        Ok(Layouter {
            settings,
            gaps: prepared.gaps,
            strokes: prepared.strokes,
            page_number: prepared.page_number,
            area: Sheet::new(settings, Orientation::Portrait).area,
            faces: [
                fonts::face(Face::Regular)?,
                fonts::face(Face::Bold)?,
                fonts::face(Face::Italic)?,
                fonts::face(Face::BoldItalic)?,
            ],
            location: String::new(),
            missing: Vec::new(),
            marks: Vec::new(),
            depth: 0,
        })
    }

    fn metrics(&self, face: Face) -> &'static FaceData {
        self.faces[face as usize]
    }

    /// Single line spacing at `size`.
    fn single(&self, size: f32) -> f32 {
        size * self.metrics(Face::Regular).line_height
    }

    /// How a paragraph of `format` is set, drawn as `role`.
    fn style(&self, format: &ParaFormat, role: Role) -> Style {
        Style {
            size: format.size,
            bold: format.bold,
            italic: format.italic,
            align: match format.align {
                prepared::TextAlign::Justify => TextAlign::Justify,
                prepared::TextAlign::Left => TextAlign::Left,
                prepared::TextAlign::Center => TextAlign::Center,
                prepared::TextAlign::Right => TextAlign::Right,
            },
            first_indent: format.first_indent,
            line_height: self.single(format.size) * format.line_spacing,
            role,
        }
    }

    /// Single-spaced, unindented: the frame's lines.
    fn plain_style(
        &self,
        size: f32,
        bold: bool,
        italic: bool,
        align: TextAlign,
        role: Role,
    ) -> Style {
        Style {
            size,
            bold,
            italic,
            align,
            first_indent: 0.0,
            line_height: self.single(size),
            role,
        }
    }

    /// A region's pieces, from a new page if it starts one; `part` names
    /// the annex in messages.
    fn region(
        &mut self,
        region: &Region,
        part: &str,
        slots: &mut Vec<Slot>,
        headers: &mut Vec<Slot>,
    ) {
        let orientation = region.orientation;
        if region.new_page {
            slots.push(Slot {
                kind: SlotKind::Turn(orientation, region.numbering),
                ..Slot::flow(0.0, Vec::new())
            });
        }
        self.area = Sheet::new(self.settings, orientation).area;
        for piece in &region.pieces {
            let block = match piece {
                Piece::Paragraph(p) => p.block,
                Piece::Table(t) => t.block,
                Piece::PageBreak => 0,
            };
            if let Some(source) = region.blocks.get(block) {
                self.location = format!("{part}{}", block_location(region.first + block, source));
            }
            match piece {
                Piece::Paragraph(p) => {
                    if let ParaKind::Heading(level) = p.kind {
                        let title = outline_title(p.content);
                        self.marks.push((slots.len(), title, level + self.depth));
                    }
                    slots.extend(self.paragraph(p));
                }
                Piece::Table(t) => {
                    let (header, rows) = self.table(t, headers.len());
                    slots.push(header.clone());
                    slots.extend(rows);
                    headers.push(header);
                }
                Piece::PageBreak => slots.push(Slot {
                    kind: SlotKind::PageBreak,
                    ..Slot::flow(0.0, Vec::new())
                }),
            }
        }
    }

    /// One slot per line. The first lines keep with the next and the
    /// last-but-ones with the last ([`WIDOW_ORPHAN_LINES`]); all of a
    /// paragraph kept together (a heading) keep.
    fn paragraph(&mut self, para: &Para) -> Vec<Slot> {
        let format = &para.format;
        let role = match para.kind {
            ParaKind::Heading(_) => Role::Heading,
            ParaKind::Body | ParaKind::ListItem => Role::Body,
        };
        let style = self.style(format, role);
        let marked: Vec<Inline>;
        let content = match &para.marker {
            Some(marker) => {
                marked = std::iter::once(Inline::plain(marker.as_str()))
                    .chain(para.content.iter().cloned())
                    .collect();
                &marked[..]
            }
            None => para.content,
        };
        let area = self.area;
        let lines = self.set_lines(
            content,
            &style,
            area.left + format.left_indent,
            area.width() - format.left_indent,
        );
        let count = lines.len();
        let n = WIDOW_ORPHAN_LINES;
        let mut slots: Vec<Slot> = lines
            .into_iter()
            .enumerate()
            .map(|(i, items)| Slot {
                keep_with_next: i + 1 < count
                    && (format.keep_together || i + 1 < n || i + n >= count),
                ..Slot::flow(style.line_height, items)
            })
            .collect();
        if let Some(last) = slots.last_mut() {
            last.space_after = format.space_after;
            last.keep_with_next = para.keep_with_next;
        }
        slots
    }

    /// The annex in the outline, at the top level, from the slot it starts
    /// at: titled by its first paragraph ("PHỤ LỤC: …"), with its headings
    /// one level below; an annex starting with a heading is told by it.
    fn annex_bookmark(&mut self, blocks: &[Block], slot: usize) {
        let title = match blocks.first() {
            Some(Block::Heading { .. }) => return,
            Some(Block::Paragraph(content)) => outline_title(content),
            _ => "PHỤ LỤC".to_string(),
        };
        self.marks.push((slot, title, 1));
        self.depth = 1;
    }

    fn paginate(&self, slots: &[Slot], headers: &[Slot]) -> Layout {
        enum Source {
            Slot(usize),
            Header(usize),
        }
        let sheet = |o| Sheet::new(self.settings, o);
        let portrait = sheet(Orientation::Portrait);
        // Each page's orientation and what goes on it.
        let mut pages: Vec<(Orientation, Vec<(Source, f32)>)> =
            vec![(Orientation::Portrait, Vec::new())];
        // The pages numbering starts again from (page 1 always).
        let mut restarts = vec![0];
        let mut area = portrait.area;
        let mut y = area.top;
        let mut page_start = 0;
        let mut i = 0;
        while i < slots.len() {
            let slot = &slots[i];
            if let SlotKind::PageBreak | SlotKind::Turn(..) = slot.kind {
                let (orientation, numbering) = match slot.kind {
                    SlotKind::Turn(o, numbering) => (o, numbering),
                    _ => (
                        pages.last().map_or(Orientation::Portrait, |p| p.0),
                        Numbering::Continue,
                    ),
                };
                match pages.last_mut() {
                    Some(page) if page.1.is_empty() => page.0 = orientation,
                    _ => pages.push((orientation, Vec::new())),
                }
                if numbering == Numbering::Restart {
                    restarts.push(pages.len() - 1);
                }
                area = sheet(orientation).area;
                y = area.top;
                i += 1;
                page_start = i;
                continue;
            }
            if y + slot.height > area.bottom + EPS && i > page_start {
                // Back up to the last break the keep flags allow; if the whole
                // page is one kept chain, break here anyway.
                let mut j = i;
                while j > page_start && slots[j - 1].keep_with_next {
                    j -= 1;
                }
                if j == page_start {
                    j = i;
                }
                let orientation = pages.last().map_or(Orientation::Portrait, |p| p.0);
                if let Some(page) = pages.last_mut() {
                    page.1
                        .retain(|(source, _)| !matches!(source, Source::Slot(k) if *k >= j));
                }
                let mut page = Vec::new();
                y = area.top;
                if let SlotKind::TableRow(table) = slots[j].kind {
                    page.push((Source::Header(table), y));
                    y += headers[table].height;
                }
                pages.push((orientation, page));
                page_start = j;
                i = j;
                continue;
            }
            if let Some(page) = pages.last_mut() {
                page.1.push((Source::Slot(i), y));
            }
            y += slot.height + slot.space_after;
            i += 1;
        }

        // Each heading opens where its first slot was finally placed (a
        // mark on a page break or turn, which is not placed, opens at the
        // slot after it).
        let mut outline = Vec::with_capacity(self.marks.len());
        let mut marks = self.marks.iter().peekable();
        for (index, (_, placed)) in pages.iter().enumerate() {
            for (source, y) in placed {
                let Source::Slot(k) = source else { continue };
                while let Some((_, title, level)) = marks.next_if(|(slot, ..)| slot <= k) {
                    outline.push(Bookmark {
                        title: title.clone(),
                        level: *level,
                        page: index,
                        top: *y,
                    });
                }
            }
        }
        let mut number = 0;
        let pages = pages
            .into_iter()
            .enumerate()
            .map(|(index, (orientation, placed))| {
                // A restarted count shows no number on its first page.
                let restart = restarts.contains(&index);
                number = if restart { 1 } else { number + 1 };
                let sheet = sheet(orientation);
                let mut items: Vec<Item> = placed
                    .iter()
                    .flat_map(|(source, y)| {
                        let slot = match source {
                            Source::Slot(k) => &slots[*k],
                            Source::Header(t) => &headers[*t],
                        };
                        slot.items.iter().map(move |item| item.shifted(*y))
                    })
                    .collect();
                if !restart {
                    items.push(Item::Text(self.page_number(number, &sheet)));
                }
                Page {
                    items,
                    orientation,
                    sheet,
                }
            })
            .collect();
        Layout {
            width: portrait.width,
            height: portrait.height,
            area: portrait.area,
            pages,
            outline,
        }
    }

    /// The page number, centred over the text area of `sheet`, in its line
    /// box where the prepared layout puts it.
    fn page_number(&self, number: usize, sheet: &Sheet) -> Span {
        let size = self.page_number.size;
        let face = self.metrics(Face::Regular);
        let text = number.to_string();
        // Digits always exist in the face; the fallback is unreachable.
        let width: f32 = text.chars().filter_map(|c| face.advance(c)).sum::<f32>() * size / 1000.0;
        let area = &sheet.area;
        let line = self.single(size);
        Span {
            role: Role::PageNumber,
            face: Face::Regular,
            size,
            x: area.left + (area.width() - width) / 2.0,
            // As `set_lines` centres glyphs in a line box.
            baseline: self.page_number.top
                + (line - (face.ascent + face.descent) * size) / 2.0
                + face.ascent * size,
            width,
            gap_extra: 0.0,
            text,
        }
    }
}

#[cfg(test)]
mod tests;
