//! Document model → DOCX, laid out as Nghị định 30/2020/NĐ-CP asks.
//!
//! docx-rs builds the parts; what it cannot express is patched in the XML
//! before packing: repeated table header rows (`w:tblHeader`), the document
//! language, Normal as the default style, and the core properties (title,
//! author, dates). The package is zipped here with every timestamp taken
//! from the report's date, so the same Markdown always gives the same bytes.

use std::io::{Cursor, Write};

use docx_rs::{
    AlignmentType, BorderType, BreakType, BuildXML, Docx, FieldCharType, Header, InstrPAGE,
    InstrText, LineSpacing, LineSpacingType, PageMargin, Paragraph, ParagraphBorder,
    ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, SpecialIndentType, Style, StyleType,
    Table, TableBorder, TableBorderPosition, TableBorders, TableCell, TableCellMargins,
    TableLayoutType, TableRow, VAlignType, WidthType, XMLDocx,
};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::document::{self, Align, Block, Document, Inline, Metadata, PageSettings};

#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("ngày văn bản `{0}` (khóa `ngay`) phải có dạng NNNN-TT-NN, ví dụ 2023-12-15")]
    InvalidDate(String),
    #[error(
        "lề trang ({left} mm + {right} mm) không chừa chỗ cho chữ trên khổ giấy rộng {width} mm"
    )]
    NoTextWidth { left: f32, right: f32, width: f32 },
    #[error("không ghi được tệp DOCX: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("không ghi được tệp DOCX: {0}")]
    Io(#[from] std::io::Error),
}

/// Style ids. Word's own ids, so Word treats them as its built-in styles
/// (navigation pane, table of contents, "Body Text" restyling).
const BODY: &str = "BodyText";
const TABLE_TEXT: &str = "TableText";
const HEADINGS: [&str; 4] = ["Heading1", "Heading2", "Heading3", "Heading4"];

/// Left share of the text width for the two-column header and closing tables.
const HEADER_LEFT: f32 = 0.40;
const CLOSING_LEFT: f32 = 0.45;
/// Left and right cell margins of body tables (twips).
const CELL_MARGIN: i32 = 85;
/// Empty lines left for the handwritten signature and the seal.
const SIGNATURE_LINES: usize = 4;

/// Renders the report as a DOCX package.
pub fn write(doc: &Document) -> Result<Vec<u8>, DocxError> {
    let date = parse_date(&doc.meta.ngay)?;
    let page = Page::new(&doc.meta.trang)?;
    let meta = &doc.meta;
    let mut docx = Docx::new()
        .page_size(
            mm(page.s.kho_giay_rong_mm) as u32,
            mm(page.s.kho_giay_cao_mm) as u32,
        )
        .page_margin(
            PageMargin::new()
                .top(mm(page.s.le_tren_mm))
                .bottom(mm(page.s.le_duoi_mm))
                .left(mm(page.s.le_trai_mm))
                .right(mm(page.s.le_phai_mm))
                .header(mm(page.s.le_tren_mm / 2.0))
                .footer(mm(page.s.le_duoi_mm / 2.0)),
        )
        .default_fonts(page.fonts())
        .default_size(half_points(page.s.co_chu))
        .default_line_spacing(
            LineSpacing::new()
                .after(0)
                .line(240)
                .line_rule(LineSpacingType::Auto),
        )
        .header(Header::new().add_paragraph(page.page_number()))
        // A first-page header of its own (empty) keeps the number off page 1.
        .first_header(Header::new().add_paragraph(Paragraph::new()));
    for style in page.styles() {
        docx = docx.add_style(style);
    }

    docx = docx.add_table(page.header_block(meta));
    for p in page.title_block(meta) {
        docx = docx.add_paragraph(p);
    }
    // The body goes in where this marker paragraph is (see `body_slot`).
    docx = docx.add_paragraph(Paragraph::new().add_run(Run::new().add_text(BODY_MARKER)));
    docx = docx.add_table(page.closing_block(meta));

    package(
        docx.build(),
        |out| page.body_xml(&doc.blocks, out),
        meta,
        &date,
    )
}

/// Page settings with the text width they leave, and the builders that
/// need them.
struct Page<'a> {
    s: &'a PageSettings,
    /// Width between the margins, in twips.
    width: i32,
    /// The next body paragraph id (see [`Page::paragraph`]).
    next_id: std::cell::Cell<u32>,
    /// An empty paragraph made before the frame is built, copied for every
    /// body paragraph (see [`Page::paragraph`]).
    blank: Paragraph,
}

impl<'a> Page<'a> {
    fn new(s: &'a PageSettings) -> Result<Self, DocxError> {
        let width = mm(s.kho_giay_rong_mm) - mm(s.le_trai_mm) - mm(s.le_phai_mm);
        if width <= 0 {
            return Err(DocxError::NoTextWidth {
                left: s.le_trai_mm,
                right: s.le_phai_mm,
                width: s.kho_giay_rong_mm,
            });
        }
        Ok(Self {
            s,
            width,
            next_id: std::cell::Cell::new(BODY_PARAGRAPH_IDS),
            blank: Paragraph::new(),
        })
    }

    fn fonts(&self) -> RunFonts {
        let f = &self.s.phong_chu;
        RunFonts::new().ascii(f).hi_ansi(f).cs(f).east_asia(f)
    }

    /// Body Text carries the decree's paragraph layout; headings inherit it,
    /// so a clerk who changes it in Word changes them all.
    fn styles(&self) -> Vec<Style> {
        let s = self.s;
        let spacing = LineSpacing::new()
            .after(pt(s.cach_doan_pt) as u32)
            .line((240.0 * s.gian_dong).round() as i32)
            .line_rule(LineSpacingType::Auto);
        let body = Style::new(BODY, StyleType::Paragraph)
            .name("Body Text")
            .based_on("Normal")
            .next(BODY)
            .align(AlignmentType::Both)
            .indent(
                None,
                Some(SpecialIndentType::FirstLine(cm(s.thut_dau_dong_cm))),
                None,
                None,
            )
            .line_spacing(spacing);
        let table = Style::new(TABLE_TEXT, StyleType::Paragraph)
            .name("Table Text")
            .based_on("Normal")
            .size(half_points(s.co_chu_bang));
        let headings = HEADINGS.iter().enumerate().map(|(level, id)| {
            let mut style = Style::new(*id, StyleType::Paragraph)
                .name(format!("heading {}", level + 1))
                .based_on(BODY)
                .next(BODY)
                .fonts(self.fonts())
                .size(half_points(s.co_chu))
                .color("000000")
                .bold()
                .outline_lvl(level);
            if level == 3 {
                style = style.italic();
            }
            style.paragraph_property = style.paragraph_property.keep_next(true);
            style
        });
        [body, table].into_iter().chain(headings).collect()
    }

    /// The paragraphs of a block other than a table (tables are added by
    /// the caller).
    fn paragraphs(&self, block: &Block) -> Vec<Paragraph> {
        match block {
            Block::Heading { level, content } => {
                let style = HEADINGS[usize::from(*level).clamp(1, 4) - 1];
                vec![add_inlines(self.paragraph().style(style), content, false)]
            }
            Block::Paragraph(inlines) => vec![add_inlines(self.body(), inlines, false)],
            Block::List { start, items } => items
                .iter()
                .zip(0..)
                .map(|(item, i)| {
                    let marker = start.map_or_else(|| "- ".to_string(), |n| format!("{}. ", n + i));
                    add_inlines(
                        self.body().add_run(Run::new().add_text(marker)),
                        item,
                        false,
                    )
                })
                .collect(),
            Block::PageBreak => {
                vec![self
                    .paragraph()
                    .add_run(Run::new().add_break(BreakType::Page))]
            }
            Block::Table(_) => Vec::new(),
        }
    }

    /// The PAGE field, centred in the top margin.
    fn page_number(&self) -> Paragraph {
        let field = Run::new()
            .size(half_points(self.s.co_chu_so_trang))
            .add_field_char(FieldCharType::Begin, false)
            .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
            .add_field_char(FieldCharType::Separate, false)
            .add_text("1")
            .add_field_char(FieldCharType::End, false);
        Paragraph::new().align(AlignmentType::Center).add_run(field)
    }

    /// Agency and number on the left, national name and motto on the right.
    fn header_block(&self, m: &Metadata) -> Table {
        let (lw, rw) = self.split(HEADER_LEFT);
        let small = Look::new(self.s.co_chu_dau_trang);
        let body = Look::new(self.s.co_chu);
        let mut left = Vec::new();
        if !m.co_quan_chu_quan.is_empty() {
            left.push(centred(&m.co_quan_chu_quan.to_uppercase(), small));
        }
        left.push(centred(&m.co_quan_ban_hanh.to_uppercase(), small.bold()));
        left.push(rule(lw / 3, lw, 6.0));
        left.push(centred(&format!("Số: {}", m.so_ky_hieu), small));
        let right = vec![
            centred(&m.quoc_hieu.to_uppercase(), small.bold()),
            centred(&m.tieu_ngu, body.bold()),
            rule(text_width(&m.tieu_ngu, body.bold()), rw, 6.0),
            centred(&m.dia_danh_ngay, body.italic()),
        ];
        two_columns((lw, rw), left, right)
    }

    /// Document type and summary, centred under the header block.
    fn title_block(&self, m: &Metadata) -> Vec<Paragraph> {
        let look = Look::new(self.s.co_chu).bold();
        let summary = text_width(&m.trich_yeu, look).min(self.width);
        vec![
            centred(&m.loai_van_ban.to_uppercase(), look)
                .line_spacing(LineSpacing::new().before(pt(18.0) as u32)),
            centred(&m.trich_yeu, look),
            rule(summary / 3, self.width, 12.0),
        ]
    }

    /// Recipients on the left, authority and signer on the right.
    fn closing_block(&self, m: &Metadata) -> Table {
        let (lw, rw) = self.split(CLOSING_LEFT);
        let label = Look::new(self.s.co_chu_noi_nhan);
        let recipient = Look::new(self.s.co_chu_noi_nhan - 1.0);
        let body = Look::new(self.s.co_chu);
        let left = std::iter::once(line(
            "Nơi nhận:",
            label.bold().italic(),
            AlignmentType::Left,
        ))
        .chain(
            m.noi_nhan
                .iter()
                .map(|r| line(r, recipient, AlignmentType::Left)),
        )
        .collect();
        let right = m
            .tham_quyen
            .iter()
            .map(|t| centred(&t.to_uppercase(), body.bold()))
            .chain((0..SIGNATURE_LINES).map(|_| centred("", body)))
            .chain(std::iter::once(centred(&m.nguoi_ky, body.bold())))
            .collect();
        two_columns((lw, rw), left, right)
    }

    /// The body blocks as XML, written one element (one table row) at a
    /// time straight into the archive: a national report has tens of
    /// thousands of rows, and neither a docx-rs tree of them all nor their
    /// XML (≈50 MB for 10.000 units) is ever held in memory.
    fn body_xml(&self, blocks: &[Block], out: &mut dyn Write) -> std::io::Result<()> {
        // Word and LibreOffice merge adjacent tables and glue text to a
        // table's bottom edge: keep them apart with a paragraph or some space.
        let mut after_table = false;
        for (n, block) in blocks.iter().enumerate() {
            if let Block::Table(table) = block {
                if after_table {
                    out.write_all(&self.paragraph().build())?;
                }
                self.table_xml(table, out)?;
                after_table = true;
                continue;
            }
            // A caption paragraph ("Bảng 1. ...") stays on the page of its
            // table; the closing sentence stays with the signature block.
            let introduces_table = matches!(blocks.get(n + 1), Some(Block::Table(_)) | None);
            for (i, p) in self.paragraphs(block).into_iter().enumerate() {
                let p = if after_table && i == 0 {
                    p.line_spacing(LineSpacing::new().before(pt(self.s.cach_doan_pt) as u32))
                } else {
                    p
                };
                let p = if introduces_table {
                    p.keep_next(true)
                } else {
                    p
                };
                out.write_all(&p.build())?;
            }
            after_table = false;
        }
        if after_table {
            out.write_all(&self.paragraph().build())?;
        }
        Ok(())
    }

    /// A new body paragraph, with the next id of the body's own range. The
    /// frame is built (and its paragraphs numbered by docx-rs) before the
    /// body exists, so the body cannot take docx-rs's numbers; and as a copy
    /// of `blank` it does not advance docx-rs's per-thread counter either,
    /// which `Docx::build` left at its start, so the next document written on
    /// this thread (`build --watch`) numbers its frame the same way.
    fn paragraph(&self) -> Paragraph {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.blank.clone().id(format!("{id:08x}"))
    }

    fn body(&self) -> Paragraph {
        self.paragraph().style(BODY)
    }

    /// A bordered body table with its header row repeated on every page
    /// (see [`repeat_on_each_page`]), written to `out` row by row.
    fn table_xml(&self, t: &document::Table, out: &mut dyn Write) -> std::io::Result<()> {
        let columns = t
            .rows
            .iter()
            .map(Vec::len)
            .chain([t.header.len(), t.align.len()])
            .max()
            .unwrap_or(0);
        let widths = column_widths(t, columns, self.width, Look::new(self.s.co_chu_bang));
        let row = |cells: &[document::Cell], header: bool| {
            let cells = (0..columns)
                .map(|i| {
                    let align = if header {
                        AlignmentType::Center
                    } else {
                        alignment(t.align.get(i).copied().unwrap_or(Align::None))
                    };
                    let p = self.paragraph().style(TABLE_TEXT).align(align);
                    TableCell::new()
                        .width(widths[i] as usize, WidthType::Dxa)
                        .vertical_align(VAlignType::Center)
                        .add_paragraph(add_inlines(
                            p,
                            cells.get(i).map_or(&[][..], Vec::as_slice),
                            header,
                        ))
                })
                .collect();
            TableRow::new(cells).cant_split()
        };
        let border = |position| TableBorder::new(position).size(4).color("000000");
        let borders = [
            TableBorderPosition::Top,
            TableBorderPosition::Left,
            TableBorderPosition::Bottom,
            TableBorderPosition::Right,
            TableBorderPosition::InsideH,
            TableBorderPosition::InsideV,
        ]
        .into_iter()
        .fold(TableBorders::new(), |b, p| b.set(border(p)));
        let frame = Table::new(Vec::new())
            .set_grid(widths.iter().map(|&w| w as usize).collect())
            .width(self.width as usize, WidthType::Dxa)
            .layout(TableLayoutType::Fixed)
            .set_borders(borders)
            .margins(TableCellMargins::new().margin(
                30,
                CELL_MARGIN as usize,
                30,
                CELL_MARGIN as usize,
            ))
            .build();
        const END: &[u8] = b"</w:tbl>";
        let open = frame.len().saturating_sub(END.len());
        debug_assert!(
            frame.ends_with(END),
            "docx-rs writes a table as <w:tbl>...</w:tbl>"
        );
        out.write_all(&frame[..open])?;
        out.write_all(&repeat_on_each_page(row(&t.header, true).build()))?;
        for r in &t.rows {
            out.write_all(&row(r, false).build())?;
        }
        out.write_all(END)
    }

    /// Widths of the two columns of the header and closing tables.
    fn split(&self, left_share: f32) -> (i32, i32) {
        let left = (self.width as f32 * left_share).round() as i32;
        (left, self.width - left)
    }
}

/// Size and weight of a piece of text.
#[derive(Clone, Copy)]
struct Look {
    size: f32,
    bold: bool,
    italic: bool,
}

impl Look {
    fn new(size: f32) -> Self {
        Self {
            size,
            bold: false,
            italic: false,
        }
    }
    fn bold(self) -> Self {
        Self { bold: true, ..self }
    }
    fn italic(self) -> Self {
        Self {
            italic: true,
            ..self
        }
    }
}

/// A run with bold and italic on the run itself (`Paragraph::bold` would
/// only bold the paragraph mark).
fn run(text: &str, bold: bool, italic: bool) -> Run {
    let mut run = Run::new().add_text(text);
    if bold {
        run = run.bold();
    }
    if italic {
        run = run.italic();
    }
    run
}

/// Appends the model's inlines; `bold` forces bold (table header rows).
fn add_inlines(p: Paragraph, inlines: &[Inline], bold: bool) -> Paragraph {
    inlines.iter().fold(p, |p, inline| match inline {
        Inline::Text(r) => p.add_run(run(&r.text, r.bold || bold, r.italic)),
        // docx-rs drops a `\n` inside text: a line break is a break element.
        Inline::LineBreak => p.add_run(Run::new().add_break(BreakType::TextWrapping)),
    })
}

/// One fixed line (Normal style: no indent, no space after).
fn line(text: &str, look: Look, align: AlignmentType) -> Paragraph {
    let run = run(text, look.bold, look.italic).size(half_points(look.size));
    Paragraph::new().align(align).add_run(run)
}

fn centred(text: &str, look: Look) -> Paragraph {
    line(text, look, AlignmentType::Center)
}

/// A centred solid rule `length` twips long in a column `column` twips wide,
/// followed by `after_pt` of space:
/// the bottom border of an empty paragraph a few points high (the gap under
/// the text above), narrowed by its indents.
/// Borders render the same in Word and LibreOffice, unlike drawn shapes.
fn rule(length: i32, column: i32, after_pt: f32) -> Paragraph {
    let side = ((column - length) / 2).max(0);
    let mut p = Paragraph::new()
        .align(AlignmentType::Center)
        .indent(Some(side), None, Some(side), None)
        .line_spacing(
            LineSpacing::new()
                .after(pt(after_pt) as u32)
                .line(pt(5.0))
                .line_rule(LineSpacingType::Exact),
        );
    let border = ParagraphBorder::new(ParagraphBorderPosition::Bottom)
        .val(BorderType::Single)
        .size(6);
    p.property = p
        .property
        .set_borders(ParagraphBorders::with_empty().set(border));
    p
}

/// A borderless full-width table of two cells.
fn two_columns((lw, rw): (i32, i32), left: Vec<Paragraph>, right: Vec<Paragraph>) -> Table {
    let cell = |width: i32, ps: Vec<Paragraph>| {
        ps.into_iter().fold(
            TableCell::new().width(width as usize, WidthType::Dxa),
            TableCell::add_paragraph,
        )
    };
    Table::without_borders(vec![TableRow::new(vec![cell(lw, left), cell(rw, right)])])
        .set_grid(vec![lw as usize, rw as usize])
        .width((lw + rw) as usize, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .margins(TableCellMargins::new().margin(0, 0, 0, 0))
}

fn alignment(align: Align) -> AlignmentType {
    match align {
        Align::None | Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
    }
}

/// Estimated printed width (twips) of `text` in Times New Roman: capitals
/// are wider than the half-em of digits and small letters. Close enough for
/// rule lengths and column widths; no font file is read.
fn text_width(text: &str, look: Look) -> i32 {
    let ems: f32 = text
        .chars()
        .map(|c| match c {
            ' ' | '.' | ',' | ';' | ':' | '/' => 0.25,
            '%' => 0.83,
            '&' | '@' => 0.78,
            c if c.is_uppercase() => 0.72,
            c if c.is_alphanumeric() => 0.50,
            _ => 0.33,
        })
        .sum();
    let weight = if look.bold { 1.05 } else { 1.0 };
    (ems * weight * look.size * 20.0).round() as i32
}

/// Column widths (twips) summing to `total`. Each column gets at least its
/// longest word, so numbers never break inside a cell; the space left goes
/// to the columns whose text would otherwise wrap (the item column).
fn column_widths(t: &document::Table, columns: usize, total: i32, look: Look) -> Vec<i32> {
    let pad = 2 * CELL_MARGIN + 60;
    let mut min = vec![pad; columns];
    let mut want = vec![pad; columns];
    let cells = t
        .rows
        .iter()
        .flat_map(|r| r.iter().enumerate().map(|(i, c)| (i, c, false)))
        .chain(t.header.iter().enumerate().map(|(i, c)| (i, c, true)));
    for (i, cell, header) in cells {
        let text = document::plain_text(cell);
        let look = if header || cell.iter().any(|x| matches!(x, Inline::Text(r) if r.bold)) {
            look.bold()
        } else {
            look
        };
        let longest_word = text
            .split_whitespace()
            .map(|w| text_width(w, look))
            .max()
            .unwrap_or(0);
        min[i] = min[i].max(longest_word + pad);
        want[i] = want[i].max(text_width(&text, look) + pad);
    }
    let (min_sum, want_sum): (i32, i32) = (min.iter().sum(), want.iter().sum());
    let mut widths: Vec<i32> = if want_sum <= total {
        // Everything fits on one line: share the slack in proportion.
        want.iter().map(|&w| w * total / want_sum).collect()
    } else if min_sum < total {
        let stretch = (want_sum - min_sum).max(1);
        min.iter()
            .zip(&want)
            .map(|(&m, &w)| m + (w - m) * (total - min_sum) / stretch)
            .collect()
    } else {
        min.iter().map(|&m| m * total / min_sum).collect()
    };
    // Rounding leftovers go to the widest column.
    let rest = total - widths.iter().sum::<i32>();
    if let Some(widest) = widths.iter_mut().max() {
        *widest += rest;
    }
    widths
}

fn mm(v: f32) -> i32 {
    (v * 1440.0 / 25.4).round() as i32
}

fn cm(v: f32) -> i32 {
    mm(v * 10.0)
}

fn pt(v: f32) -> i32 {
    (v * 20.0).round() as i32
}

fn half_points(v: f32) -> usize {
    (v * 2.0).round() as usize
}

/// The report date (`YYYY-MM-DD`), checked.
struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    fn iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T00:00:00Z",
            self.year, self.month, self.day
        )
    }
}

fn parse_date(s: &str) -> Result<Date, DocxError> {
    let d = crate::contract::Date::parse(s).filter(|d| (1980..=2107).contains(&d.year));
    let d = d.ok_or_else(|| DocxError::InvalidDate(s.to_string()))?;
    Ok(Date {
        year: d.year as u16,
        month: d.month as u8,
        day: d.day as u8,
    })
}

/// Patches what docx-rs cannot express and zips the parts, every entry
/// dated with the report date (never the clock) so output is reproducible.
fn package(
    xml: XMLDocx,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    meta: &Metadata,
    date: &Date,
) -> Result<Vec<u8>, DocxError> {
    let stamp = DateTime::from_date_and_time(date.year, date.month, date.day, 0, 0, 0)
        .map_err(|_| DocxError::InvalidDate(meta.ngay.clone()))?;
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        // The fast level: a few percent larger, several times quicker.
        .compression_level(Some(1))
        .last_modified_time(stamp);
    // Parts under 1 KiB are stored: packing one saves a few hundred bytes,
    // but each compressor the zip writer sets up zeroes ~400 KB of tables.
    let options = |len: usize| {
        if len < 1024 {
            deflated
                .compression_method(CompressionMethod::Stored)
                .compression_level(None)
        } else {
            deflated
        }
    };
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), xml.content_type),
        ("_rels/.rels".into(), xml.rels),
        ("docProps/app.xml".into(), xml.doc_props.app),
        (
            "docProps/core.xml".into(),
            core_properties(meta, date).into_bytes(),
        ),
        ("docProps/custom.xml".into(), xml.doc_props.custom),
        ("word/_rels/document.xml.rels".into(), xml.document_rels),
        (
            "word/styles.xml".into(),
            patch_styles(&String::from_utf8_lossy(&xml.styles)).into_bytes(),
        ),
        ("word/settings.xml".into(), xml.settings),
        ("word/fontTable.xml".into(), xml.font_table),
        ("word/comments.xml".into(), xml.comments),
        ("word/numbering.xml".into(), xml.numberings),
        ("word/commentsExtended.xml".into(), xml.comments_extended),
        ("word/footnotes.xml".into(), xml.footnotes),
    ];
    for (i, (header, rels)) in xml.headers.into_iter().zip(xml.header_rels).enumerate() {
        parts.push((format!("word/header{}.xml", i + 1), header));
        parts.push((format!("word/_rels/header{}.xml.rels", i + 1), rels));
    }
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    // The document (after its relationships, as Word writes it): the frame
    // docx-rs built with the body in the marker's place, streamed into the
    // archive without assembling a copy.
    let slot = body_slot(&xml.document);
    let mut body = Some(body);
    for (name, bytes) in parts {
        zip.start_file(name.as_str(), options(bytes.len()))?;
        zip.write_all(&bytes)?;
        if name == "word/_rels/document.xml.rels" {
            zip.start_file("word/document.xml", deflated)?;
            zip.write_all(&xml.document[..slot.start])?;
            if let Some(body) = body.take() {
                body(&mut zip)?;
            }
            zip.write_all(&xml.document[slot.end..])?;
        }
    }
    Ok(zip.finish()?.into_inner())
}

/// First id of the body's paragraphs: far above the few dozen docx-rs gives
/// the frame, below the 0x80000000 the format allows.
const BODY_PARAGRAPH_IDS: u32 = 0x1000_0000;

/// Put where the body goes: a paragraph no report text can contain (a
/// private-use character).
const BODY_MARKER: &str = "\u{E000}khuyencong-body\u{E000}";

/// Where the marker paragraph sits in the frame document: the body is
/// written in its place.
fn body_slot(frame: &[u8]) -> std::ops::Range<usize> {
    let text = String::from_utf8_lossy(frame);
    let at = text
        .find(BODY_MARKER)
        .expect("the frame always carries the body marker");
    let start = text[..at]
        .rfind("<w:p ")
        .expect("the marker is inside a paragraph");
    let end = at
        + text[at..]
            .find("</w:p>")
            .expect("the marker paragraph is closed")
        + "</w:p>".len();
    start..end
}

/// Marks a header row to repeat at the top of every page (`w:tblHeader`),
/// which docx-rs has no API for.
fn repeat_on_each_page(row: Vec<u8>) -> Vec<u8> {
    const PLAIN: &str = "<w:trPr><w:cantSplit /></w:trPr>";
    const HEADER: &str = "<w:trPr><w:cantSplit /><w:tblHeader /></w:trPr>";
    String::from_utf8_lossy(&row)
        .replacen(PLAIN, HEADER, 1)
        .into_bytes()
}

/// Marks the default text as Vietnamese (spelling, hyphenation) and Normal
/// as the default paragraph style, which docx-rs leaves unmarked. `w:lang`
/// comes after `w:sz` in `w:rPr`, so it goes at the end of the defaults.
fn patch_styles(styles: &str) -> String {
    styles
        .replacen(
            "</w:rPr></w:rPrDefault>",
            r#"<w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA" /></w:rPr></w:rPrDefault>"#,
            1,
        )
        .replacen(
            r#"<w:style w:type="paragraph" w:styleId="Normal">"#,
            r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#,
            1,
        )
}

fn core_properties(meta: &Metadata, date: &Date) -> String {
    let title = escape(&meta.trich_yeu);
    let author = escape(&meta.co_quan_ban_hanh);
    let when = date.iso();
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
            r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
            r#"xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            "<dc:title>{title}</dc:title><dc:subject>{title}</dc:subject>",
            "<dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy>",
            "<dc:language>vi-VN</dc:language><cp:revision>1</cp:revision>",
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>"#,
            r#"<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>"#,
            "</cp:coreProperties>"
        ),
        title = title,
        author = author,
        when = when
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
