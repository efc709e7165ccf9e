//! The layout engine: document model → pages of positioned text spans and
//! rules. Everything is plain data in points, with `y` measured down from the
//! top edge of the page, so tests can check positions directly and the
//! renderer only has to transcribe it.
//!
//! Body blocks become a flow of [`Slot`]s (one per text line, one per table
//! row, one for the whole closing block) carrying keep-with-next flags; the
//! paginator fills pages and backs up to the last allowed break when a slot
//! does not fit. Widow/orphan control and keeping headings with what follows
//! are both expressed as those flags.

use unicode_normalization::UnicodeNormalization;

use super::fonts::{self, Face, FaceData};
use super::{MissingGlyph, PdfError};
use crate::document::{plain_text, Align, Block, Document, Inline, Metadata, PageSettings, Table};

const PT_PER_MM: f32 = 72.0 / 25.4;
/// Tolerance for "fits" comparisons, far below anything visible.
const EPS: f32 = 0.01;
/// Distance from a line box's bottom to the rule under it, in em: clears
/// the dot below Vietnamese capitals (Ệ, Ộ) and descenders.
const RULE_GAP_EM: f32 = 0.3;

/// The laid-out document.
#[derive(Debug, Clone)]
pub struct Layout {
    pub width: f32,
    pub height: f32,
    /// The text area inside the margins.
    pub frame: Frame,
    pub pages: Vec<Page>,
}

/// Edges of the text area, in page coordinates.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub left: f32,
    pub right: f32,
    pub top: f32,
    pub bottom: f32,
}

impl Frame {
    pub fn width(&self) -> f32 {
        self.right - self.left
    }
}

#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Item>,
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

/// Lays out the whole report.
pub fn layout(doc: &Document) -> Result<Layout, PdfError> {
    let mut layouter = Layouter::new(&doc.meta.trang)?;
    let mut slots = vec![layouter.header(&doc.meta)];
    let mut headers = Vec::new();
    for (index, block) in doc.blocks.iter().enumerate() {
        layouter.location = block_location(index, block);
        layouter.block(block, &mut slots, &mut headers);
    }
    layouter.location = "khối ký và nơi nhận".into();
    slots.push(layouter.closing(&doc.meta));
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
            items.first().map(|i| plain_text(i)).unwrap_or_default(),
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

/// One character to draw, measured in its face.
#[derive(Debug, Clone, Copy)]
struct Glyph {
    ch: char,
    face: Face,
    width: f32,
}

impl Glyph {
    fn is_space(&self) -> bool {
        self.ch == ' '
    }
}

#[derive(Debug, Clone)]
enum Token {
    Word(Vec<Glyph>),
    Space(Glyph),
    Break,
}

/// A broken line before positioning; `justify` is false for the last line
/// of a paragraph and lines ended by a hard break.
#[derive(Debug, Clone)]
struct RawLine {
    glyphs: Vec<Glyph>,
    justify: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum TextAlign {
    Justify,
    Left,
    Center,
    Right,
}

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
    width: f32,
    height: f32,
    frame: Frame,
    faces: [&'static FaceData; 4],
    /// Where the text being measured comes from, for missing-glyph reports.
    location: String,
    missing: Vec<MissingGlyph>,
}

impl<'a> Layouter<'a> {
    fn new(settings: &'a PageSettings) -> Result<Self, PdfError> {
        let width = settings.kho_giay_rong_mm * PT_PER_MM;
        let height = settings.kho_giay_cao_mm * PT_PER_MM;
        let frame = Frame {
            left: settings.le_trai_mm * PT_PER_MM,
            right: width - settings.le_phai_mm * PT_PER_MM,
            top: settings.le_tren_mm * PT_PER_MM,
            bottom: height - settings.le_duoi_mm * PT_PER_MM,
        };
        Ok(Layouter {
            settings,
            width,
            height,
            frame,
            faces: [
                fonts::face(Face::Regular)?,
                fonts::face(Face::Bold)?,
                fonts::face(Face::Italic)?,
                fonts::face(Face::BoldItalic)?,
            ],
            location: String::new(),
            missing: Vec::new(),
        })
    }

    fn metrics(&self, face: Face) -> &'static FaceData {
        self.faces[face as usize]
    }

    /// Single line spacing at `size`.
    fn single(&self, size: f32) -> f32 {
        size * self.metrics(Face::Regular).line_height
    }

    fn body_style(&self, bold: bool, italic: bool, align: TextAlign, role: Role) -> Style {
        let s = self.settings;
        Style {
            size: s.co_chu,
            bold,
            italic,
            align,
            first_indent: s.thut_dau_dong_cm * 10.0 * PT_PER_MM,
            line_height: self.single(s.co_chu) * s.gian_dong,
            role,
        }
    }

    /// Single-spaced, unindented: header, closing block and table cells.
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

    // ---- text → glyphs → lines -------------------------------------------

    /// Splits inlines into words, spaces and hard breaks, measuring each
    /// character in the face its run asks for. Text is NFC-normalised so a
    /// decomposed accent still maps to the precomposed glyph.
    fn tokens(&mut self, inlines: &[Inline], style: &Style) -> Vec<Token> {
        let mut tokens = Vec::new();
        for inline in inlines {
            let run = match inline {
                Inline::Text(run) => run,
                Inline::LineBreak => {
                    tokens.push(Token::Break);
                    continue;
                }
            };
            let face = Face::new(run.bold || style.bold, run.italic || style.italic);
            for ch in run.text.nfc() {
                let ch = if matches!(ch, '\t' | '\n' | '\r') {
                    ' '
                } else {
                    ch
                };
                let Some(advance) = self.metrics(face).advance(ch) else {
                    self.report_missing(ch);
                    continue;
                };
                let glyph = Glyph {
                    ch,
                    face,
                    width: advance * style.size / 1000.0,
                };
                match tokens.last_mut() {
                    _ if glyph.is_space() => {
                        if !matches!(tokens.last(), Some(Token::Space(_))) {
                            tokens.push(Token::Space(glyph));
                        }
                    }
                    Some(Token::Word(word)) => word.push(glyph),
                    _ => tokens.push(Token::Word(vec![glyph])),
                }
            }
        }
        tokens
    }

    fn report_missing(&mut self, ch: char) {
        let location = self.location.clone();
        match self.missing.iter_mut().find(|m| m.ch == ch) {
            Some(m) if m.locations.contains(&location) => {}
            Some(m) => m.locations.push(location),
            None => self.missing.push(MissingGlyph {
                ch,
                locations: vec![location],
            }),
        }
    }

    /// Breaks and positions text: one entry per line, items relative to the
    /// line's top, with `x` absolute from the column's left edge `x`.
    fn set_lines(
        &mut self,
        inlines: &[Inline],
        style: &Style,
        x: f32,
        width: f32,
    ) -> Vec<Vec<Item>> {
        let tokens = self.tokens(inlines, style);
        let regular = self.metrics(Face::Regular);
        // Centre the glyph box (ascent + descent) in the line box.
        let baseline = (style.line_height - (regular.ascent + regular.descent) * style.size) / 2.0
            + regular.ascent * style.size;
        break_lines(tokens, width - style.first_indent, width)
            .into_iter()
            .enumerate()
            .map(|(i, line)| {
                let indent = if i == 0 { style.first_indent } else { 0.0 };
                position_line(&line, style, x + indent, width - indent, baseline)
                    .into_iter()
                    .map(Item::Text)
                    .collect()
            })
            .collect()
    }

    /// Sets text line after line from `top` down, in a column.
    fn stack(
        &mut self,
        inlines: &[Inline],
        style: &Style,
        x: f32,
        width: f32,
        top: f32,
    ) -> Stacked {
        let mut stacked = Stacked {
            items: Vec::new(),
            bottom: top,
            widest: 0.0,
            first_baseline: top,
        };
        for (i, line) in self
            .set_lines(inlines, style, x, width)
            .into_iter()
            .enumerate()
        {
            let (left, right) = extent(&line);
            stacked.widest = stacked.widest.max(right - left);
            for item in &line {
                let item = item.shifted(stacked.bottom);
                if let (0, Item::Text(span)) = (i, &item) {
                    stacked.first_baseline = span.baseline;
                }
                stacked.items.push(item);
            }
            stacked.bottom += style.line_height;
        }
        stacked
    }

    /// Natural (unbroken) width of some text and its widest word.
    fn measure(&mut self, inlines: &[Inline], style: &Style) -> (f32, f32) {
        let (mut natural, mut line, mut widest_word) = (0.0f32, 0.0f32, 0.0f32);
        for token in self.tokens(inlines, style) {
            match token {
                Token::Word(word) => {
                    let w: f32 = word.iter().map(|g| g.width).sum();
                    widest_word = widest_word.max(w);
                    line += w;
                }
                Token::Space(space) => line += space.width,
                Token::Break => line = 0.0,
            }
            natural = natural.max(line);
        }
        (natural, widest_word)
    }

    // ---- body blocks ------------------------------------------------------

    fn block(&mut self, block: &Block, slots: &mut Vec<Slot>, headers: &mut Vec<Slot>) {
        match block {
            Block::Heading { level, content } => {
                let style = self.body_style(true, *level >= 4, TextAlign::Left, Role::Heading);
                let mut lines = self.paragraph(content, &style);
                for line in &mut lines {
                    line.keep_with_next = true;
                }
                slots.extend(lines);
            }
            Block::Paragraph(content) => {
                let style = self.body_style(false, false, TextAlign::Justify, Role::Body);
                slots.extend(self.paragraph(content, &style));
            }
            Block::List { start, items } => {
                let style = self.body_style(false, false, TextAlign::Justify, Role::Body);
                for (i, item) in items.iter().enumerate() {
                    let marker = match start {
                        Some(n) => format!("{}. ", n + i as u64),
                        None => "- ".to_string(),
                    };
                    let content: Vec<Inline> = std::iter::once(Inline::plain(marker))
                        .chain(item.iter().cloned())
                        .collect();
                    slots.extend(self.paragraph(&content, &style));
                }
            }
            Block::Table(table) => {
                let (header, rows) = self.table(table, headers.len());
                slots.push(header.clone());
                slots.extend(rows);
                headers.push(header);
            }
            Block::PageBreak => slots.push(Slot {
                kind: SlotKind::PageBreak,
                ..Slot::flow(0.0, Vec::new())
            }),
        }
    }

    /// One slot per line. The first line keeps with the second (no orphan)
    /// and the last-but-one with the last (no widow).
    fn paragraph(&mut self, inlines: &[Inline], style: &Style) -> Vec<Slot> {
        let frame = self.frame;
        let lines = self.set_lines(inlines, style, frame.left, frame.width());
        let count = lines.len();
        let mut slots: Vec<Slot> = lines
            .into_iter()
            .enumerate()
            .map(|(i, items)| Slot {
                keep_with_next: i + 1 < count && (i == 0 || i + 2 == count),
                ..Slot::flow(style.line_height, items)
            })
            .collect();
        if let Some(last) = slots.last_mut() {
            last.space_after = self.settings.cach_doan_pt;
        }
        slots
    }

    // ---- tables -----------------------------------------------------------

    /// The header row slot (kept with the first row) and one slot per body
    /// row; a row taller than a page is cut into page-sized pieces.
    fn table(&mut self, table: &Table, id: usize) -> (Slot, Vec<Slot>) {
        let size = self.settings.co_chu_bang;
        let pad_x = size * 0.4;
        let pad_y = size * 0.2;
        let columns = table
            .header
            .len()
            .max(table.align.len())
            .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
        let align = |col: usize| match table.align.get(col).copied().unwrap_or(Align::None) {
            Align::None | Align::Left => TextAlign::Left,
            Align::Center => TextAlign::Center,
            Align::Right => TextAlign::Right,
        };
        let header_styles =
            vec![self.plain_style(size, true, false, TextAlign::Center, Role::Table); columns];
        let body_styles: Vec<Style> = (0..columns)
            .map(|col| self.plain_style(size, false, false, align(col), Role::Table))
            .collect();

        let base_location = self.location.clone();
        let mut measures = vec![ColumnMeasure::default(); columns];
        for (col, measure) in measures.iter_mut().enumerate() {
            self.location = format!("{base_location}, hàng tiêu đề, cột {}", col + 1);
            let (natural, word) = self.measure(cell(&table.header, col), &header_styles[col]);
            measure.header_natural = natural + 2.0 * pad_x;
            measure.header_word = word + 2.0 * pad_x;
            measure.numeric = true;
            for (r, row) in table.rows.iter().enumerate() {
                self.location = format!("{base_location}, hàng {}, cột {}", r + 1, col + 1);
                let content = cell(row, col);
                let (natural, word) = self.measure(content, &body_styles[col]);
                measure.natural = measure.natural.max(natural + 2.0 * pad_x);
                measure.word = measure.word.max(word + 2.0 * pad_x);
                measure.numeric &= is_numeric(&plain_text(content));
            }
        }
        let widths = column_widths(&measures, self.frame.width());

        self.location = format!("{base_location}, hàng tiêu đề");
        let header_cells = table.header.iter().collect::<Vec<_>>();
        let mut header = self.row(
            &header_cells,
            &widths,
            &header_styles,
            pad_x,
            pad_y,
            f32::INFINITY,
            true,
        );
        let header = header.remove(0);
        // Rows must fit under a repeated header on an otherwise empty page.
        let room = self.frame.bottom - self.frame.top - header.height;
        let mut rows = Vec::new();
        for (r, row) in table.rows.iter().enumerate() {
            self.location = format!("{base_location}, hàng {}", r + 1);
            let cells = row.iter().collect::<Vec<_>>();
            for mut piece in self.row(&cells, &widths, &body_styles, pad_x, pad_y, room, false) {
                piece.kind = SlotKind::TableRow(id);
                rows.push(piece);
            }
        }
        self.location = base_location;
        if let Some(last) = rows.last_mut() {
            last.space_after = self.settings.cach_doan_pt;
        }
        (
            Slot {
                keep_with_next: !rows.is_empty(),
                ..header
            },
            rows,
        )
    }

    /// One table row as slots with borders (one slot unless the row is
    /// taller than `room`). The header row also draws the top border.
    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        cells: &[&Vec<Inline>],
        widths: &[f32],
        styles: &[Style],
        pad_x: f32,
        pad_y: f32,
        room: f32,
        top_border: bool,
    ) -> Vec<Slot> {
        let empty = Vec::new();
        let mut x = self.frame.left;
        let mut columns = Vec::with_capacity(widths.len());
        let mut line_height = 0.0f32;
        for (col, (width, style)) in widths.iter().zip(styles).enumerate() {
            line_height = line_height.max(style.line_height);
            let content = cells.get(col).copied().unwrap_or(&empty);
            columns.push(self.set_lines(content, style, x + pad_x, width - 2.0 * pad_x));
            x += width;
        }
        let lines = columns.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let per_slot = (((room - 2.0 * pad_y) / line_height).floor() as usize).max(1);
        let thin = self.settings.co_chu_bang / 24.0;
        let mut slots = Vec::new();
        for first in (0..lines).step_by(per_slot) {
            let count = per_slot.min(lines - first);
            let height = count as f32 * line_height + 2.0 * pad_y;
            let mut items: Vec<Item> = columns
                .iter()
                .flat_map(|column| column.iter().skip(first).take(count).enumerate())
                .flat_map(|(i, line)| {
                    line.iter()
                        .map(move |item| item.shifted(pad_y + i as f32 * line_height))
                })
                .collect();
            let (left, right) = (
                self.frame.left,
                self.frame.left + widths.iter().sum::<f32>(),
            );
            let rule = |x1, y1, x2, y2| {
                Item::Rule(Rule {
                    x1,
                    y1,
                    x2,
                    y2,
                    thickness: thin,
                })
            };
            if top_border || first > 0 {
                items.push(rule(left, 0.0, right, 0.0));
            }
            items.push(rule(left, height, right, height));
            let mut x = left;
            items.push(rule(x, 0.0, x, height));
            for width in widths {
                x += width;
                items.push(rule(x, 0.0, x, height));
            }
            slots.push(Slot::flow(height, items));
        }
        slots
    }

    // ---- page 1 header and closing block ------------------------------------

    /// Left/right column widths shared by the header and the closing block:
    /// about 40/60, widened on the right when the national name needs it.
    fn columns(&mut self, meta: &Metadata) -> (f32, f32) {
        let s = self.settings;
        let width = self.frame.width();
        let quoc_hieu = self.plain_style(
            s.co_chu_dau_trang,
            true,
            false,
            TextAlign::Center,
            Role::Header,
        );
        let tieu_ngu = self.plain_style(s.co_chu, true, false, TextAlign::Center, Role::Header);
        let needed = self
            .measure(&[Inline::plain(meta.quoc_hieu.to_uppercase())], &quoc_hieu)
            .0
            .max(self.measure(&[Inline::plain(&meta.tieu_ngu)], &tieu_ngu).0);
        let right = (width * 0.6).max(needed + s.co_chu).min(width * 0.7);
        (width - right, right)
    }

    fn header(&mut self, meta: &Metadata) -> Slot {
        let s = self.settings;
        let (left_w, right_w) = self.columns(meta);
        let (left_x, right_x) = (self.frame.left, self.frame.left + left_w);
        let small = s.co_chu_dau_trang;
        let body = s.co_chu;
        let centred = |this: &Self, size, bold, italic| {
            this.plain_style(size, bold, italic, TextAlign::Center, Role::Header)
        };
        let mut items = Vec::new();

        // Left column: agencies, a short rule, the number.
        let mut left_y = 0.0;
        if !meta.co_quan_chu_quan.trim().is_empty() {
            self.location = "khóa co_quan_chu_quan".into();
            let text = self.stack(
                &[Inline::plain(meta.co_quan_chu_quan.to_uppercase())],
                &centred(self, small, false, false),
                left_x,
                left_w,
                left_y,
            );
            left_y = text.bottom;
            items.extend(text.items);
        }
        self.location = "khóa co_quan_ban_hanh".into();
        let agency = self.stack(
            &[Inline::plain(meta.co_quan_ban_hanh.to_uppercase())],
            &centred(self, small, true, false),
            left_x,
            left_w,
            left_y,
        );
        left_y = agency.bottom + small * RULE_GAP_EM;
        items.push(centred_rule(
            left_x + left_w / 2.0,
            left_y,
            agency.widest / 3.0,
        ));
        items.extend(agency.items);

        // Right column: national name, motto underlined by a rule as long as it.
        self.location = "khóa quoc_hieu".into();
        let nation = self.stack(
            &[Inline::plain(meta.quoc_hieu.to_uppercase())],
            &centred(self, small, true, false),
            right_x,
            right_w,
            0.0,
        );
        self.location = "khóa tieu_ngu".into();
        let motto = self.stack(
            &[Inline::plain(&meta.tieu_ngu)],
            &centred(self, body, true, false),
            right_x,
            right_w,
            nation.bottom,
        );
        let right_y = motto.bottom + body * RULE_GAP_EM;
        items.push(centred_rule(right_x + right_w / 2.0, right_y, motto.widest));
        items.extend(nation.items);
        items.extend(motto.items);

        // "Số: ..." and the place/date line share one baseline.
        let top = left_y.max(right_y) + body * 0.5;
        self.location = "khóa so_ky_hieu".into();
        let mut number = self.stack(
            &[Inline::plain(format!("Số: {}", meta.so_ky_hieu))],
            &centred(self, small, false, false),
            left_x,
            left_w,
            top,
        );
        self.location = "khóa dia_danh_ngay".into();
        let mut date = self.stack(
            &[Inline::plain(&meta.dia_danh_ngay)],
            &centred(self, body, false, true),
            right_x,
            right_w,
            top,
        );
        let (low, high) = if number.first_baseline < date.first_baseline {
            (&mut number, &date)
        } else {
            (&mut date, &number)
        };
        let dy = high.first_baseline - low.first_baseline;
        low.items.iter_mut().for_each(|item| item.shift(dy));
        low.bottom += dy;
        let mut y = number.bottom.max(date.bottom) + self.single(body);
        items.extend(number.items);
        items.extend(date.items);

        // Document type and summary, centred over the full width, then a rule.
        let full = self.frame.width();
        self.location = "khóa loai_van_ban".into();
        let kind = self.stack(
            &[Inline::plain(&meta.loai_van_ban)],
            &centred(self, body, true, false),
            left_x,
            full,
            y,
        );
        self.location = "khóa trich_yeu".into();
        let summary = self.stack(
            &[Inline::plain(&meta.trich_yeu)],
            &centred(self, body, true, false),
            left_x,
            full,
            kind.bottom,
        );
        y = summary.bottom + body * RULE_GAP_EM;
        items.push(centred_rule(left_x + full / 2.0, y, summary.widest / 3.0));
        items.extend(kind.items);
        items.extend(summary.items);
        y += self.single(body);
        Slot::flow(y, items)
    }

    /// Recipients on the left; authority, room to sign and the signer's name
    /// on the right. One slot, so it is never split across pages.
    fn closing(&mut self, meta: &Metadata) -> Slot {
        let s = self.settings;
        let (left_w, right_w) = self.columns(meta);
        let (left_x, right_x) = (self.frame.left, self.frame.left + left_w);
        let top = self.single(s.co_chu);
        let mut items = Vec::new();

        let mut left_y = top;
        if !meta.noi_nhan.is_empty() {
            let heading = self.plain_style(
                s.co_chu_noi_nhan,
                true,
                true,
                TextAlign::Left,
                Role::Closing,
            );
            let title = self.stack(
                &[Inline::plain("Nơi nhận:")],
                &heading,
                left_x,
                left_w,
                left_y,
            );
            left_y = title.bottom;
            items.extend(title.items);
            let line = self.plain_style(
                s.co_chu_noi_nhan - 1.0,
                false,
                false,
                TextAlign::Left,
                Role::Closing,
            );
            for recipient in &meta.noi_nhan {
                let text = self.stack(&[Inline::plain(recipient)], &line, left_x, left_w, left_y);
                left_y = text.bottom;
                items.extend(text.items);
            }
        }

        let signer = self.plain_style(s.co_chu, true, false, TextAlign::Center, Role::Closing);
        let mut right_y = top;
        for authority in &meta.tham_quyen {
            let text = self.stack(
                &[Inline::plain(authority.to_uppercase())],
                &signer,
                right_x,
                right_w,
                right_y,
            );
            right_y = text.bottom;
            items.extend(text.items);
        }
        right_y += 4.0 * signer.line_height;
        let name = self.stack(
            &[Inline::plain(&meta.nguoi_ky)],
            &signer,
            right_x,
            right_w,
            right_y,
        );
        right_y = name.bottom;
        items.extend(name.items);
        Slot::flow(left_y.max(right_y), items)
    }

    // ---- pagination -------------------------------------------------------

    fn paginate(&self, slots: &[Slot], headers: &[Slot]) -> Layout {
        enum Source {
            Slot(usize),
            Header(usize),
        }
        let frame = self.frame;
        let mut pages: Vec<Vec<(Source, f32)>> = vec![Vec::new()];
        let mut y = frame.top;
        let mut page_start = 0;
        let mut i = 0;
        while i < slots.len() {
            let slot = &slots[i];
            if slot.kind == SlotKind::PageBreak {
                if pages.last().is_some_and(|p| !p.is_empty()) {
                    pages.push(Vec::new());
                    y = frame.top;
                }
                i += 1;
                page_start = i;
                continue;
            }
            if y + slot.height > frame.bottom + EPS && i > page_start {
                // Back up to the last break the keep flags allow; if the whole
                // page is one kept chain, break here anyway.
                let mut j = i;
                while j > page_start && slots[j - 1].keep_with_next {
                    j -= 1;
                }
                if j == page_start {
                    j = i;
                }
                if let Some(page) = pages.last_mut() {
                    page.retain(|(source, _)| !matches!(source, Source::Slot(k) if *k >= j));
                }
                let mut page = Vec::new();
                y = frame.top;
                if let SlotKind::TableRow(table) = slots[j].kind {
                    page.push((Source::Header(table), y));
                    y += headers[table].height;
                }
                pages.push(page);
                page_start = j;
                i = j;
                continue;
            }
            if let Some(page) = pages.last_mut() {
                page.push((Source::Slot(i), y));
            }
            y += slot.height + slot.space_after;
            i += 1;
        }

        let pages = pages
            .into_iter()
            .enumerate()
            .map(|(index, placed)| {
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
                if index > 0 {
                    items.push(Item::Text(self.page_number(index + 1)));
                }
                Page { items }
            })
            .collect();
        Layout {
            width: self.width,
            height: self.height,
            frame,
            pages,
        }
    }

    /// The page number, centred in the top margin.
    fn page_number(&self, number: usize) -> Span {
        let size = self.settings.co_chu_so_trang;
        let face = self.metrics(Face::Regular);
        let text = number.to_string();
        // Digits always exist in the face; the fallback is unreachable.
        let width: f32 = text.chars().filter_map(|c| face.advance(c)).sum::<f32>() * size / 1000.0;
        Span {
            role: Role::PageNumber,
            face: Face::Regular,
            size,
            x: self.frame.left + (self.frame.width() - width) / 2.0,
            baseline: self.frame.top / 2.0 + (face.ascent - face.descent) * size / 2.0,
            width,
            gap_extra: 0.0,
            text,
        }
    }
}

fn cell(row: &[Vec<Inline>], col: usize) -> &[Inline] {
    row.get(col).map(Vec::as_slice).unwrap_or(&[])
}

/// Horizontal extent of a line's spans.
fn extent(items: &[Item]) -> (f32, f32) {
    items.iter().fold(
        (f32::INFINITY, f32::NEG_INFINITY),
        |(l, r), item| match item {
            Item::Text(span) => (l.min(span.x), r.max(span.x + span.width)),
            Item::Rule(_) => (l, r),
        },
    )
}

fn centred_rule(centre: f32, y: f32, length: f32) -> Item {
    Item::Rule(Rule {
        x1: centre - length / 2.0,
        y1: y,
        x2: centre + length / 2.0,
        y2: y,
        thickness: 0.6,
    })
}

/// Greedy line breaking. Breaks at spaces; a word wider than a whole line
/// is cut, preferably just after a `-` or `/`, else between characters,
/// filling the current line first so it never overflows.
fn break_lines(tokens: Vec<Token>, first_width: f32, width: f32) -> Vec<RawLine> {
    let mut lines = Vec::new();
    let mut line: Vec<Glyph> = Vec::new();
    let mut used = 0.0f32;
    let mut space: Option<Glyph> = None;
    let finish = |lines: &mut Vec<RawLine>, line: &mut Vec<Glyph>, justify| {
        lines.push(RawLine {
            glyphs: std::mem::take(line),
            justify,
        });
    };
    for token in tokens {
        match token {
            Token::Space(glyph) => space = (!line.is_empty()).then_some(glyph),
            Token::Break => {
                finish(&mut lines, &mut line, false);
                used = 0.0;
                space = None;
            }
            Token::Word(mut word) => loop {
                let available = if lines.is_empty() { first_width } else { width };
                let gap = space.map_or(0.0, |g| g.width);
                let room = available - used - gap;
                let word_width: f32 = word.iter().map(|g| g.width).sum();
                if word_width <= room + EPS {
                    line.extend(space.take());
                    line.extend(word);
                    used += gap + word_width;
                    break;
                }
                if word_width > width + EPS {
                    if let Some(cut) = cut_point(&word, room, line.is_empty()) {
                        let rest = word.split_off(cut);
                        line.extend(space.take());
                        line.extend(word);
                        word = rest;
                    }
                }
                // Whatever did not fit starts the next line.
                finish(&mut lines, &mut line, true);
                used = 0.0;
                space = None;
            },
        }
    }
    if !line.is_empty() || lines.is_empty() {
        finish(&mut lines, &mut line, false);
    } else if let Some(last) = lines.last_mut() {
        last.justify = false;
    }
    lines
}

/// Where to cut an over-long word so its head fits in `room`: after the last
/// fitting `-` or `/`, or (only on an empty line) after as many characters
/// as fit, at least one.
fn cut_point(word: &[Glyph], room: f32, empty_line: bool) -> Option<usize> {
    let mut width = 0.0;
    let mut fits = 0;
    let mut at_mark = None;
    for (i, glyph) in word.iter().enumerate() {
        width += glyph.width;
        if width > room + EPS {
            break;
        }
        fits = i + 1;
        // After a mark, but never inside a run of them ("//", "--").
        let mark = |g: &Glyph| matches!(g.ch, '-' | '/');
        if mark(glyph) && word.get(i + 1).is_some_and(|next| !mark(next)) {
            at_mark = Some(i + 1);
        }
    }
    at_mark.or(empty_line.then_some(fits.max(1)))
}

/// Turns a broken line into spans (one per face change) starting at `x`,
/// aligned in `width`, with `baseline` relative to the line's top.
fn position_line(line: &RawLine, style: &Style, x: f32, width: f32, baseline: f32) -> Vec<Span> {
    let natural: f32 = line.glyphs.iter().map(|g| g.width).sum();
    let gaps = line.glyphs.iter().filter(|g| g.is_space()).count();
    let (start, gap_extra) = match style.align {
        TextAlign::Justify if line.justify && gaps > 0 => {
            (x, (width - natural).max(0.0) / gaps as f32)
        }
        TextAlign::Justify | TextAlign::Left => (x, 0.0),
        TextAlign::Center => (x + (width - natural) / 2.0, 0.0),
        TextAlign::Right => (x + width - natural, 0.0),
    };
    let mut spans: Vec<Span> = Vec::new();
    let mut pen = start;
    for glyph in &line.glyphs {
        let advance = glyph.width + if glyph.is_space() { gap_extra } else { 0.0 };
        match spans.last_mut() {
            Some(span) if span.face == glyph.face => {
                span.text.push(glyph.ch);
                span.width += advance;
            }
            _ => spans.push(Span {
                role: style.role,
                face: glyph.face,
                size: style.size,
                x: pen,
                baseline,
                width: advance,
                gap_extra,
                text: glyph.ch.to_string(),
            }),
        }
        pen += advance;
    }
    spans
}

#[derive(Debug, Clone, Default)]
struct ColumnMeasure {
    /// Widest unbreakable word and natural width of the body cells (padded).
    word: f32,
    natural: f32,
    header_word: f32,
    header_natural: f32,
    /// Every body cell is a number: the column gets its natural width.
    numeric: bool,
}

/// Column widths filling `total`. Number columns keep figures on one line
/// (their headers too when every column fits unwrapped, else the header
/// wraps at word boundaries); text columns share the rest, each at least its
/// widest word, growing in proportion to how much wrapping they would need.
fn column_widths(columns: &[ColumnMeasure], total: f32) -> Vec<f32> {
    let want: Vec<f32> = columns
        .iter()
        .map(|c| c.natural.max(c.header_natural))
        .collect();
    let least: Vec<f32> = columns
        .iter()
        .map(|c| {
            if c.numeric {
                c.natural.max(c.header_word)
            } else {
                c.word.max(c.header_word)
            }
        })
        .collect();
    // With no text column every column is flexible.
    let any_text = columns.iter().any(|c| !c.numeric);
    let flexible: Vec<bool> = columns.iter().map(|c| !any_text || !c.numeric).collect();
    let sum = |values: &[f32], flex: bool| -> f32 {
        values
            .iter()
            .zip(&flexible)
            .filter(|(_, &f)| f == flex)
            .map(|(v, _)| v)
            .sum()
    };
    let (flex_want, flex_least) = (sum(&want, true), sum(&least, true));
    let fixed = if total - sum(&want, false) >= flex_want {
        &want
    } else {
        &least
    };
    let room = total - sum(fixed, false);
    let widths = want.iter().zip(&least).zip(fixed).zip(&flexible);
    if room >= flex_want {
        // Everything fits on one line: the spare width goes to text columns.
        let spare = room - flex_want;
        widths
            .map(|(((&w, _), &x), &f)| {
                if f {
                    w + spare * w / flex_want.max(EPS)
                } else {
                    x
                }
            })
            .collect()
    } else if room >= flex_least {
        let stretch = flex_want - flex_least;
        widths
            .map(|(((&w, &l), &x), &f)| {
                if f {
                    l + (room - flex_least) * (w - l) / stretch.max(EPS)
                } else {
                    x
                }
            })
            .collect()
    } else {
        // Not even the words fit: scale the minimums down (long words get cut).
        let sum: f32 = least.iter().sum();
        least.iter().map(|l| l * total / sum.max(EPS)).collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown;

    const FRONT: &str = "+++\nco_quan_chu_quan = \"SỞ CÔNG THƯƠNG TỈNH ĐỒNG NAI\"\nco_quan_ban_hanh = \"TRUNG TÂM KHUYẾN CÔNG\"\nso_ky_hieu = \"1/BC-KC\"\ndia_danh_ngay = \"Đồng Nai, ngày 15 tháng 12 năm 2023\"\nngay = \"2023-12-15\"\ntrich_yeu = \"Kết quả\"\nnoi_nhan = [\"- Như trên;\", \"- Lưu: VT.\"]\ntham_quyen = [\"GIÁM ĐỐC\"]\nnguoi_ky = \"Nguyễn Văn A\"\n+++\n\n";

    fn lay(body: &str) -> Layout {
        layout(&markdown::parse(&format!("{FRONT}{body}")).unwrap()).unwrap()
    }

    fn fixture() -> Layout {
        let md = include_str!("../../tests/fixtures/bao-cao-mau.md");
        layout(&markdown::parse(md).unwrap()).unwrap()
    }

    fn spans(page: &Page) -> impl Iterator<Item = &Span> {
        page.items.iter().filter_map(|item| match item {
            Item::Text(span) => Some(span),
            Item::Rule(_) => None,
        })
    }

    /// Text lines of a page with one role: (baseline, left, right, text, justified).
    fn lines(page: &Page, role: Role) -> Vec<(f32, f32, f32, String, bool)> {
        let mut lines: Vec<(f32, f32, f32, String, bool)> = Vec::new();
        for span in spans(page).filter(|s| s.role == role) {
            match lines.iter_mut().find(|l| {
                (l.0 - span.baseline).abs() < EPS && span.x >= l.2 - EPS && span.x <= l.2 + EPS
            }) {
                Some(line) => {
                    line.2 = span.x + span.width;
                    line.3.push_str(&span.text);
                    line.4 |= span.gap_extra > 0.0;
                }
                None => lines.push((
                    span.baseline,
                    span.x,
                    span.x + span.width,
                    span.text.clone(),
                    span.gap_extra > 0.0,
                )),
            }
        }
        lines
    }

    fn measured(span: &Span) -> f32 {
        let face = fonts::face(span.face).unwrap();
        let natural: f32 = span
            .text
            .chars()
            .map(|c| face.advance(c).unwrap())
            .sum::<f32>()
            * span.size
            / 1000.0;
        natural + span.text.matches(' ').count() as f32 * span.gap_extra
    }

    #[test]
    fn justified_lines_fill_the_measure_and_last_lines_do_not() {
        let layout = fixture();
        let mut justified = 0;
        for page in &layout.pages {
            for span in spans(page) {
                assert!(
                    (measured(span) - span.width).abs() < 0.01,
                    "drawn width differs from the text's: {span:?}"
                );
            }
            for (_, _, right, text, is_justified) in lines(page, Role::Body) {
                if is_justified {
                    justified += 1;
                    assert!(
                        (right - layout.frame.right).abs() < 0.5,
                        "{right} vs {}: {text}",
                        layout.frame.right
                    );
                }
                if text.ends_with("(đạt 97,7% kế hoạch).") {
                    assert!(
                        !is_justified && right < layout.frame.right - 10.0,
                        "last line justified: {text}"
                    );
                }
            }
        }
        assert!(justified >= 10, "only {justified} justified lines");
    }

    #[test]
    fn mixed_faces_share_a_line_and_measure_with_their_own_face() {
        let layout = lay("**Kế hoạch:** tổ chức *lớp học*.\n");
        let body: Vec<&Span> = spans(&layout.pages[0])
            .filter(|s| s.role == Role::Body)
            .collect();
        let faces: Vec<(Face, &str)> = body.iter().map(|s| (s.face, s.text.as_str())).collect();
        assert_eq!(
            faces,
            [
                (Face::Bold, "Kế hoạch:"),
                (Face::Regular, " tổ chức "),
                (Face::Italic, "lớp học"),
                (Face::Regular, ".")
            ]
        );
        for pair in body.windows(2) {
            assert!((pair[0].x + pair[0].width - pair[1].x).abs() < EPS);
        }
        let indent = layout.frame.left + 1.27 * 10.0 * PT_PER_MM;
        assert!((body[0].x - indent).abs() < EPS, "first-line indent");
    }

    #[test]
    fn long_words_break_at_slashes_or_between_characters_never_overflowing() {
        let url = format!(
            "https://example.gov.vn/{}",
            (0..30)
                .map(|i| format!("muc-{i}"))
                .collect::<Vec<_>>()
                .join("/")
        );
        let solid = "x".repeat(300);
        let layout = lay(&format!("Xem {url} và {solid} hết.\n"));
        let page = &layout.pages[0];
        let body = lines(page, Role::Body);
        assert!(body.len() >= 6, "{body:?}");
        for (_, left, right, text, _) in &body {
            assert!(
                *left >= layout.frame.left - EPS && *right <= layout.frame.right + EPS,
                "overflow: {text}"
            );
        }
        let all: String = body.iter().map(|l| l.3.as_str()).collect();
        assert_eq!(all.replace(' ', ""), format!("Xem{url}và{solid}hết."));
        let url_lines: Vec<&String> = body
            .iter()
            .map(|l| &l.3)
            .filter(|t| t.contains("muc-"))
            .collect();
        assert!(url_lines.len() >= 2);
        for text in &url_lines[..url_lines.len() - 1] {
            assert!(
                text.ends_with('/') || text.ends_with('-'),
                "URL cut mid-token: {text}"
            );
        }
        assert!(!all.contains(":/ /"), "cut inside //");
    }

    #[test]
    fn hard_line_break_ends_an_unjustified_line() {
        let layout = lay("Dòng một có vài chữ  \nDòng hai.\n");
        let body = lines(&layout.pages[0], Role::Body);
        assert_eq!(body.len(), 2);
        assert_eq!(body[0].3, "Dòng một có vài chữ");
        assert!(!body[0].4);
    }

    #[test]
    fn every_item_lies_inside_the_margins_and_numbers_in_the_top_margin() {
        let layout = fixture();
        let f = layout.frame;
        assert!(layout.pages.len() >= 3);
        for (index, page) in layout.pages.iter().enumerate() {
            let mut numbers = 0;
            for item in &page.items {
                match item {
                    Item::Text(span) => {
                        let face = fonts::face(span.face).unwrap();
                        let (top, bottom) = (
                            span.baseline - face.ascent * span.size,
                            span.baseline + face.descent * span.size,
                        );
                        assert!(
                            span.x >= f.left - EPS && span.x + span.width <= f.right + EPS,
                            "{span:?}"
                        );
                        if span.role == Role::PageNumber {
                            numbers += 1;
                            assert_eq!(span.text, (index + 1).to_string());
                            assert!(top > 0.0 && bottom < f.top, "{span:?}");
                            assert!(
                                (span.x + span.width / 2.0 - (f.left + f.right) / 2.0).abs() < EPS
                            );
                        } else {
                            assert!(
                                top >= f.top - EPS && bottom <= f.bottom + EPS,
                                "page {}: {span:?}",
                                index + 1
                            );
                        }
                    }
                    Item::Rule(r) => {
                        for (x, y) in [(r.x1, r.y1), (r.x2, r.y2)] {
                            assert!(
                                x >= f.left - EPS
                                    && x <= f.right + EPS
                                    && y >= f.top - EPS
                                    && y <= f.bottom + EPS,
                                "{r:?}"
                            );
                        }
                    }
                }
            }
            assert_eq!(
                numbers,
                usize::from(index > 0),
                "page number on page {}",
                index + 1
            );
        }
    }

    #[test]
    fn page_one_header_puts_number_and_date_on_one_baseline() {
        let layout = fixture();
        let header: Vec<&Span> = spans(&layout.pages[0])
            .filter(|s| s.role == Role::Header)
            .collect();
        let find = |prefix: &str| {
            header
                .iter()
                .find(|s| s.text.starts_with(prefix))
                .unwrap_or_else(|| panic!("{prefix}"))
        };
        let (number, date) = (find("Số: "), find("Đồng Nai, ngày"));
        assert!((number.baseline - date.baseline).abs() < EPS);
        assert_eq!(date.face, Face::Italic);
        assert!(number.x + number.width < date.x, "two columns");
        assert_eq!(find("CỘNG HÒA").face, Face::Bold);
        assert!(find("BÁO CÁO").baseline > date.baseline);
        let rules = layout.pages[0]
            .items
            .iter()
            .filter(|i| matches!(i, Item::Rule(r) if r.y1 < find("Kết quả").baseline + 20.0))
            .count();
        assert_eq!(
            rules, 3,
            "rules under the agency, the motto and the summary"
        );
    }

    #[test]
    fn headings_are_never_last_on_a_page_and_paragraphs_keep_two_lines() {
        let mut body = String::new();
        for n in 0..40 {
            body.push_str(&format!("## {n}. Mục thứ {n}\n\n"));
            let words = 12 + (n * 7) % 50;
            body.push_str(&format!(
                "{}\n\n",
                vec![format!("đoạn{n}"); words].join(" ")
            ));
        }
        let layouts = [lay(&body), fixture()];
        for layout in &layouts {
            let count = layout.pages.len();
            for page in &layout.pages[..count - 1] {
                let last = spans(page)
                    .filter(|s| s.role != Role::PageNumber)
                    .last()
                    .unwrap();
                assert_ne!(
                    last.role,
                    Role::Heading,
                    "heading last on a page: {}",
                    last.text
                );
            }
        }
        let layout = &layouts[0];
        assert!(layout.pages.len() >= 4);
        let per_page: Vec<Vec<String>> = layout
            .pages
            .iter()
            .map(|p| {
                lines(p, Role::Body)
                    .into_iter()
                    .map(|l| l.3.split(' ').next().unwrap().to_string())
                    .collect()
            })
            .collect();
        let mut split = 0;
        for pair in per_page.windows(2) {
            let (tail, head) = (pair[0].last().unwrap(), pair[1].first().unwrap());
            if tail == head {
                split += 1;
                assert!(
                    pair[0].iter().filter(|w| *w == tail).count() >= 2,
                    "orphan of {tail}"
                );
                assert!(
                    pair[1].iter().filter(|w| *w == head).count() >= 2,
                    "widow of {head}"
                );
            }
        }
        assert!(
            split >= 1,
            "no paragraph was split across pages: the test proves nothing"
        );
    }

    #[test]
    fn a_row_taller_than_the_space_left_moves_with_the_header_repeated() {
        let tall = vec!["nội dung dài"; 60].join(" ");
        for fillers in 0..45 {
            let filler = "Một dòng.\n\n".repeat(fillers);
            let layout = lay(&format!(
                "{filler}| Cột A | Cột B |\n|:--|--:|\n| ngắn | 1 |\n| {tall} | 2 |\n"
            ));
            let page_of = |needle: &str| {
                layout
                    .pages
                    .iter()
                    .position(|p| spans(p).any(|s| s.text.contains(needle)))
                    .unwrap()
            };
            if page_of("ngắn") != 0 || page_of("nội dung dài") == 0 {
                continue;
            }
            let next = &layout.pages[page_of("nội dung dài")];
            let mut table: Vec<&Span> = spans(next).filter(|s| s.role == Role::Table).collect();
            table.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
            let row_top = table
                .iter()
                .find(|s| s.text.contains("nội dung"))
                .unwrap()
                .baseline;
            let header: Vec<&&Span> = table.iter().filter(|s| s.baseline < row_top).collect();
            assert!(header.iter().all(|s| s.face == Face::Bold), "{header:?}");
            let mut words: Vec<&str> = header.iter().flat_map(|s| s.text.split(' ')).collect();
            words.sort_unstable();
            assert_eq!(
                words,
                ["A", "B", "Cột", "Cột"],
                "header row repeated above the moved row"
            );
            let rows = spans(&layout.pages[0])
                .filter(|s| s.text.contains("nội dung dài"))
                .count();
            assert_eq!(rows, 0, "the row was split across pages");
            return;
        }
        panic!("no filler count put the tall row on page 2");
    }

    #[test]
    fn a_row_taller_than_a_page_is_cut_and_continues_under_the_header() {
        let huge = vec!["chữ"; 1500].join(" ");
        let layout = lay(&format!("| Cột A |\n|:--|\n| {huge} |\n"));
        let pages: Vec<usize> = (0..layout.pages.len())
            .filter(|&i| spans(&layout.pages[i]).any(|s| s.text.contains("chữ")))
            .collect();
        assert!(pages.len() >= 2);
        for &i in &pages[1..] {
            let first = spans(&layout.pages[i])
                .filter(|s| s.role == Role::Table)
                .min_by(|a, b| a.baseline.total_cmp(&b.baseline))
                .unwrap();
            assert_eq!(first.text, "Cột A");
        }
    }

    #[test]
    fn table_columns_fill_the_width_and_numbers_stay_on_one_line() {
        let layout = fixture();
        let f = layout.frame;
        let borders: Vec<&Rule> = layout.pages[0]
            .items
            .iter()
            .filter_map(|i| if let Item::Rule(r) = i { Some(r) } else { None })
            .filter(|r| r.y1 == r.y2 && r.x2 - r.x1 > 400.0)
            .collect();
        assert!(!borders.is_empty());
        for r in borders {
            assert!(
                (r.x1 - f.left).abs() < 0.01 && (r.x2 - f.right).abs() < 0.1,
                "{r:?}"
            );
        }
        for page in &layout.pages {
            for span in spans(page).filter(|s| s.role == Role::Table && s.text.contains(".000")) {
                assert!(!span.text.contains(' '), "{}", span.text);
            }
        }
        let total =
            spans(&layout.pages[0]).find(|s| s.text == "224.730.000" && s.face == Face::Bold);
        assert!(total.is_some(), "totals row is bold");
    }

    #[test]
    fn page_break_starts_a_new_page_and_the_closing_block_stays_whole() {
        let layout = lay("Trước.\n\n<!-- ngat-trang -->\n\nSau.\n");
        assert_eq!(layout.pages.len(), 2);
        assert!(spans(&layout.pages[1]).any(|s| s.text == "Sau."));
        let closing: Vec<usize> = (0..layout.pages.len())
            .filter(|&i| spans(&layout.pages[i]).any(|s| s.role == Role::Closing))
            .collect();
        assert_eq!(closing, [1]);

        let fixture = fixture();
        let last = fixture.pages.len() - 1;
        for (i, page) in fixture.pages.iter().enumerate() {
            assert_eq!(spans(page).any(|s| s.role == Role::Closing), i == last);
        }
        let texts: Vec<&str> = spans(&fixture.pages[last])
            .filter(|s| s.role == Role::Closing)
            .map(|s| s.text.as_str())
            .collect();
        for expected in [
            "Nơi nhận:",
            "- Lưu: VT, KC.",
            "KT. GIÁM ĐỐC",
            "PHÓ GIÁM ĐỐC",
            "Nguyễn Văn Bình",
        ] {
            assert!(texts.contains(&expected), "{expected} in {texts:?}");
        }
    }

    #[test]
    fn closing_block_moves_whole_to_a_new_page_when_it_does_not_fit() {
        for fillers in 25..45 {
            let layout = lay(&"Một dòng.\n\n".repeat(fillers));
            let pages: Vec<usize> = (0..layout.pages.len())
                .filter(|&i| spans(&layout.pages[i]).any(|s| s.role == Role::Closing))
                .collect();
            assert_eq!(pages.len(), 1, "closing block split with {fillers} fillers");
        }
    }

    #[test]
    fn characters_the_font_lacks_are_reported_with_their_places() {
        let doc =
            markdown::parse(&format!("{FRONT}Đoạn một.\n\nCó chữ 中 và \u{1F600}.\n")).unwrap();
        let mut doc = doc;
        doc.meta.trich_yeu = "Kết quả 中".into();
        let Err(PdfError::MissingGlyphs(missing)) = layout(&doc) else {
            panic!("not reported")
        };
        assert_eq!(
            missing.iter().map(|m| m.ch).collect::<Vec<_>>(),
            ['中', '\u{1F600}']
        );
        assert_eq!(missing[0].locations.len(), 2);
        assert!(missing[0].locations[0].contains("trich_yeu"));
        assert!(
            missing[0].locations[1].contains("khối nội dung thứ 2"),
            "{:?}",
            missing[0].locations
        );
        let message = PdfError::MissingGlyphs(missing).to_string();
        assert!(
            message.contains("U+4E2D") && message.contains("U+1F600"),
            "{message}"
        );
    }
}
