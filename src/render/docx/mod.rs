//! Document model → DOCX, laid out as Nghị định 30/2020/NĐ-CP asks.
//!
//! docx-rs builds the parts; [`schema`] then puts every part (and each body
//! element as it is streamed) in the element order the OOXML schema
//! requires, which docx-rs does not. What docx-rs cannot express is spliced
//! into its XML by [`splice`], which fails rather than silently doing
//! nothing when its anchor is missing: repeated table header rows
//! (`w:tblHeader`), the document language, Normal as the default style,
//! the theme part. The official frame comes from [`crate::render::frame`],
//! shared with the PDF. The package is zipped here with every timestamp
//! taken from the report's date, so the same Markdown always gives the same
//! bytes.

mod schema;
mod sections;

use std::io::{Cursor, Write};

use docx_rs::{
    AlignmentType, BorderType, BreakType, BuildXML, Docx, FieldCharType, Header, InstrPAGE,
    InstrText, LineSpacing, LineSpacingType, PageMargin, Paragraph, ParagraphBorder,
    ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, SpecialIndentType, Style, StyleType,
    Table, TableBorder, TableBorderPosition, TableBorders, TableCell, TableCellMargins,
    TableLayoutType, TableRow, VAlignType, VMergeType, WidthType, XMLDocx,
};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

pub use schema::SchemaError;

use crate::document::{
    self, Align, Block, Document, Inline, Metadata, Orientation, PageSettings, Place, Section,
};
use crate::render::fonts::FontError;
use crate::render::frame::{self, Frame, Line, Look, TableError};
use crate::render::xml_escape;
use sections::Slot;

#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error(transparent)]
    Font(#[from] FontError),
    #[error(transparent)]
    Table(#[from] TableError),
    #[error("XML của phần {part} sai thứ tự lược đồ OOXML: {source}")]
    Schema {
        part: String,
        #[source]
        source: SchemaError,
    },
    #[error("không chèn được {what} vào phần {part}: không thấy chỗ chèn trong XML của docx-rs")]
    Splice {
        part: &'static str,
        what: &'static str,
    },
    #[error("ngày văn bản {0} nằm ngoài các năm một tệp DOCX ghi được (1980–2107)")]
    Date(crate::contract::Date),
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

/// Renders the report as a DOCX package: page 1's header and title, the
/// body, the closing block, then the annex, each page orientation a
/// section of its own.
pub fn write(doc: &Document) -> Result<Vec<u8>, DocxError> {
    let frame = frame::frame(&doc.meta)?;
    let b = Builder::new(&doc.meta.trang, &frame);
    let s = b.s;
    let (body, annex) = (doc.body_sections(), doc.annex_sections());
    for section in body.iter().chain(&annex) {
        for block in section.blocks {
            if let Block::Table(table) = block {
                frame::check_table(table, s, section.orientation)?;
            }
        }
    }
    let (width, height) = s.paper_mm(Orientation::Portrait);
    let mut docx = Docx::new()
        .page_size(mm(width) as u32, mm(height) as u32)
        .page_margin(page_margin(s))
        .default_fonts(b.fonts())
        .default_size(half_points(s.co_chu))
        .default_line_spacing(
            LineSpacing::new()
                .after(0)
                .line(240)
                .line_rule(LineSpacingType::Auto),
        )
        .header(Header::new().add_paragraph(b.page_number()))
        // A first-page header of its own (empty) keeps the number off page 1.
        .first_header(Header::new().add_paragraph(Paragraph::new()));
    for style in b.styles() {
        docx = docx.add_style(style);
    }

    docx = docx.add_table(b.header_block());
    for p in b.title_block() {
        docx = docx.add_paragraph(p);
    }
    // The body and the annex go in where these marker paragraphs are (see
    // `sections::slots`).
    docx = docx.add_paragraph(sections::marker(Slot::Body));
    docx = docx.add_table(b.closing_block());
    if !annex.is_empty() {
        docx = docx.add_paragraph(sections::marker(Slot::Annex));
    }

    // Page 1's section keeps the properties docx-rs wrote (headers, no
    // number on page 1); every later one only turns the paper.
    let orientations: Vec<Orientation> = body.iter().chain(&annex).map(|s| s.orientation).collect();
    let props = |first: &str, k: usize| match k {
        0 => first.to_string(),
        k => sections::later(s, orientations[k], page_margin(s)),
    };
    package(
        docx.build(),
        orientations.len(),
        |slot, first, out| match slot {
            Slot::Body => b.flow_xml(&body, 0, &|k| props(first, k), out),
            Slot::Annex => b.flow_xml(&annex, body.len(), &|k| props(first, k), out),
            Slot::LastSection => {
                Ok(out.write_all(props(first, orientations.len() - 1).as_bytes())?)
            }
        },
        &doc.meta,
    )
}

/// The decree's margins (kept on every page, whichever way it is turned).
fn page_margin(s: &PageSettings) -> PageMargin {
    PageMargin::new()
        .top(mm(s.le_tren_mm))
        .bottom(mm(s.le_duoi_mm))
        .left(mm(s.le_trai_mm))
        .right(mm(s.le_phai_mm))
        .header(mm(s.le_tren_mm / 2.0))
        .footer(mm(s.le_duoi_mm / 2.0))
}

/// Page settings and the frame, with the builders that need them.
struct Builder<'a> {
    s: &'a PageSettings,
    frame: &'a Frame,
    /// Width between the margins, in twips.
    width: i32,
    /// The next body paragraph id (see [`Builder::paragraph`]).
    next_id: std::cell::Cell<u32>,
    /// An empty paragraph made before the frame is built, copied for every
    /// body paragraph (see [`Builder::paragraph`]).
    blank: Paragraph,
}

impl<'a> Builder<'a> {
    fn new(s: &'a PageSettings, frame: &'a Frame) -> Self {
        Self {
            s,
            frame,
            width: twips(frame.text_width),
            next_id: std::cell::Cell::new(BODY_PARAGRAPH_IDS),
            blank: Paragraph::new(),
        }
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

    /// Agencies over the number on the left, national name and motto over
    /// the place and date on the right: two rows, so the number and the
    /// date start on one line however the agency name wraps.
    fn header_block(&self) -> Table {
        let h = &self.frame.header;
        let (lw, rw) = self.columns();
        let mut left: Vec<Paragraph> = h.left.iter().flat_map(|s| &s.lines).map(centred).collect();
        left.push(rule(twips(h.left_rule.length), lw, 6.0));
        let mut right: Vec<Paragraph> =
            h.right.iter().flat_map(|s| &s.lines).map(centred).collect();
        right.push(rule(twips(h.right_rule.length), rw, 6.0));
        let number = h.number.lines.iter().map(centred).collect();
        let date = h.place_date.lines.iter().map(centred).collect();
        two_columns((lw, rw), vec![(left, right), (number, date)])
    }

    /// Document type and summary, centred under the header block.
    fn title_block(&self) -> Vec<Paragraph> {
        let t = &self.frame.title;
        let mut ps: Vec<Paragraph> = t.lines.iter().flat_map(|s| &s.lines).map(centred).collect();
        if let Some(first) = ps.first_mut() {
            *first = first
                .clone()
                .line_spacing(LineSpacing::new().before(pt(18.0) as u32));
        }
        ps.push(rule(twips(t.rule.length), self.width, 12.0));
        ps
    }

    /// Recipients on the left, authority and signer on the right: one row
    /// that cannot split, so the block is always on one page.
    fn closing_block(&self) -> Table {
        let c = &self.frame.closing;
        let left = c
            .left
            .iter()
            .map(|l| line(l, AlignmentType::Left))
            .collect();
        let blank = Line {
            text: String::new(),
            look: c.signer.look,
        };
        let right = c
            .authority
            .iter()
            .chain(std::iter::repeat_n(&blank, c.signature_lines))
            .chain([&c.signer])
            .map(centred)
            .collect();
        two_columns(self.columns(), vec![(left, right)])
    }

    fn columns(&self) -> (i32, i32) {
        let left = twips(self.frame.columns.0);
        (left, self.width - left)
    }

    /// The body's sections (`first` = 0) or the annex's (`first` = the
    /// number of the body's, the annex's first section's number) as XML,
    /// written one element (one table row) at a
    /// time straight into the archive, each in schema order: a national
    /// report has tens of thousands of rows, and neither a docx-rs tree of
    /// them all nor their XML (≈50 MB for 10.000 units) is ever held in
    /// memory. A section starting a new page first ends the one before
    /// with its properties (`props` of its number).
    fn flow_xml(
        &self,
        sections: &[Section],
        first: usize,
        props: &dyn Fn(usize) -> String,
        out: &mut dyn Write,
    ) -> Result<(), DocxError> {
        let mut out = Body {
            out,
            orderer: schema::Orderer::default(),
            xml: Vec::new(),
        };
        // Word and LibreOffice merge adjacent tables and glue text to a
        // table's bottom edge: keep them apart with a paragraph or some space.
        let mut after_table = false;
        for (k, section) in (first..).zip(sections) {
            if section.new_page && k > 0 {
                out.element(&self.section_break(&props(k - 1))?)?;
                after_table = false;
            }
            after_table = self.blocks_xml(section, after_table, &mut out)?;
        }
        // The annex ends the document: the paragraph Word needs after a
        // last table must not spill onto a page of its own.
        match (after_table, first > 0) {
            (true, false) => out.element(&self.paragraph().build())?,
            (true, true) => out.element(&self.point_high().build())?,
            (false, _) => {}
        }
        Ok(())
    }

    /// An empty paragraph a point high: it never pushes a page over.
    fn point_high(&self) -> Paragraph {
        self.paragraph().line_spacing(
            LineSpacing::new()
                .before(0)
                .after(0)
                .line(20)
                .line_rule(LineSpacingType::Exact),
        )
    }

    /// An empty paragraph ending a section whose properties are `props`
    /// (Word keeps them in a section's last paragraph).
    fn section_break(&self, props: &str) -> Result<Vec<u8>, DocxError> {
        let xml = splice(
            "word/document.xml",
            "ngắt vùng trang (w:sectPr)",
            &String::from_utf8_lossy(&self.point_high().build()),
            "</w:pPr>",
            &format!("{props}</w:pPr>"),
        )?;
        Ok(xml.into_bytes())
    }

    /// A section's blocks; `after_table` says whether a table ends what
    /// is already written, and the result whether one ends the section.
    fn blocks_xml(
        &self,
        section: &Section,
        mut after_table: bool,
        out: &mut Body<'_>,
    ) -> Result<bool, DocxError> {
        let blocks = section.blocks;
        let width = twips(frame::text_width(self.s, section.orientation));
        for (n, block) in blocks.iter().enumerate() {
            if let Block::Table(table) = block {
                if after_table {
                    out.element(&self.paragraph().build())?;
                }
                self.table_xml(table, width, out)?;
                after_table = true;
                continue;
            }
            let keep = frame::keeps_with_next(blocks, n, self.s, section.orientation);
            for (i, p) in self.paragraphs(block).into_iter().enumerate() {
                let p = if after_table && i == 0 {
                    p.line_spacing(LineSpacing::new().before(pt(self.s.cach_doan_pt) as u32))
                } else {
                    p
                };
                let p = if keep { p.keep_next(true) } else { p };
                out.element(&p.build())?;
            }
            after_table = false;
        }
        Ok(after_table)
    }

    /// A new body paragraph, with the next id of the body's own range. The
    /// frame is built (and its paragraphs numbered by docx-rs) before the
    /// body exists, so the body cannot take docx-rs's numbers; and as a copy
    /// of `blank` it does not advance docx-rs's per-thread counter either,
    /// which `Docx::build` left at its start, so the next document written on
    /// this thread (`build --watch`) numbers its frame the same way.
    fn paragraph(&self) -> Paragraph {
        self.numbered(&self.blank)
    }

    /// A copy of `template` with the next body paragraph id. docx-rs's
    /// builders move the whole paragraph at every call: a national report
    /// copies prepared templates instead of building each cell afresh.
    fn numbered(&self, template: &Paragraph) -> Paragraph {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        template.clone().id(format!("{id:08x}"))
    }

    fn body(&self) -> Paragraph {
        self.paragraph().style(BODY)
    }

    /// A bordered table `width` twips wide with its header rows repeated
    /// on every page and its last rows kept together, written row by row.
    /// Merged cells span grid columns (`w:gridSpan`) and rows (`w:vMerge`).
    fn table_xml(
        &self,
        t: &document::Table,
        width: i32,
        out: &mut Body<'_>,
    ) -> Result<(), DocxError> {
        let columns = t.columns();
        let grid = t.grid();
        let header_rows = t.subheader.len() + 1;
        let look = Look {
            size: self.s.co_chu_bang,
            bold: false,
            italic: false,
        };
        let (pad_x, pad_y) = frame::cell_padding(self.s);
        let (pad_x, pad_y) = (twips(pad_x), twips(pad_y));
        let widths = column_widths(t, &grid, width, look, pad_x)?;
        // Word keeps a row on the page of the next when its paragraphs keep
        // with the next one.
        let kept_from = t.rows.len().saturating_sub(frame::TABLE_END_ROWS);
        // Per column: the empty cell, and its paragraph as a header cell, a
        // body cell and a kept body cell.
        let templates: Vec<(TableCell, [Paragraph; 3])> = (0..columns)
            .map(|i| {
                let align = alignment(t.align.get(i).copied().unwrap_or(Align::None));
                let p = |align, keep| {
                    self.blank
                        .clone()
                        .style(TABLE_TEXT)
                        .align(align)
                        .keep_next(keep)
                };
                let cell = TableCell::new()
                    .width(widths[i] as usize, WidthType::Dxa)
                    .vertical_align(VAlignType::Center);
                (
                    cell,
                    [
                        p(AlignmentType::Center, true),
                        p(align, false),
                        p(align, true),
                    ],
                )
            })
            .collect();
        let row = |cells: &[document::Cell], places: &[Place], header: bool, keep: bool| {
            let kind = if header { 0 } else { 1 + usize::from(keep) };
            let merged = |first: usize, columns: usize| {
                let width: i32 = widths.iter().skip(first).take(columns).sum();
                let cell = TableCell::new()
                    .width(width as usize, WidthType::Dxa)
                    .vertical_align(VAlignType::Center);
                if columns > 1 {
                    cell.grid_span(columns)
                } else {
                    cell
                }
            };
            let cells = templates
                .iter()
                .zip(places)
                .enumerate()
                .filter_map(|(i, ((cell, paragraphs), place))| {
                    let content = cells.get(i).map_or(&[][..], Vec::as_slice);
                    let p = self.numbered(&paragraphs[kind]);
                    let cell = match *place {
                        Place::Cell {
                            columns: 1,
                            rows: 1,
                        } => cell.clone(),
                        Place::Cell { columns, rows } => {
                            let cell = merged(i, columns);
                            if rows > 1 {
                                cell.vertical_merge(VMergeType::Restart)
                            } else {
                                cell
                            }
                        }
                        Place::Below { columns } => {
                            return Some(
                                merged(i, columns)
                                    .vertical_merge(VMergeType::Continue)
                                    .add_paragraph(p),
                            )
                        }
                        Place::Covered => return None,
                    };
                    Some(cell.add_paragraph(add_inlines(p, content, header)))
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
            .width(width as usize, WidthType::Dxa)
            .layout(TableLayoutType::Fixed)
            .set_borders(borders)
            .margins(TableCellMargins::new().margin(
                pad_y as usize,
                pad_x as usize,
                pad_y as usize,
                pad_x as usize,
            ))
            .build();
        const END: &[u8] = b"</w:tbl>";
        // The schema pass reads whole elements: the empty table is opened,
        // then each row written, then the table closed.
        out.open(&frame, END)?;
        for (r, cells) in t.header_rows().enumerate() {
            let header = splice(
                "word/document.xml",
                "hàng tiêu đề lặp lại (w:tblHeader)",
                &String::from_utf8_lossy(&row(cells, grid.row(r), true, true).build()),
                "<w:cantSplit />",
                "<w:cantSplit /><w:tblHeader />",
            )?;
            out.element(header.as_bytes())?;
        }
        for (i, r) in t.rows.iter().enumerate() {
            let keep = i >= kept_from && i + 1 < t.rows.len();
            out.element(&row(r, grid.row(header_rows + i), false, keep).build())?;
        }
        Ok(out.out.write_all(END)?)
    }
}

/// Where the body goes: every element passes the schema pass on its way
/// into the archive.
struct Body<'w> {
    out: &'w mut dyn Write,
    orderer: schema::Orderer,
    /// The element in schema order (reused).
    xml: Vec<u8>,
}

impl Body<'_> {
    fn schema_error(source: SchemaError) -> DocxError {
        DocxError::Schema {
            part: "word/document.xml".into(),
            source,
        }
    }

    /// A paragraph or a table row.
    fn element(&mut self, element: &[u8]) -> Result<(), DocxError> {
        self.xml.clear();
        self.orderer
            .write_element(element, &mut self.xml)
            .map_err(Self::schema_error)?;
        Ok(self.out.write_all(&self.xml)?)
    }

    /// Writes all of `element` (with every rule of the pass, once per
    /// table) but its end tag `end`: its children follow.
    fn open(&mut self, element: &[u8], end: &[u8]) -> Result<(), DocxError> {
        self.xml.clear();
        self.orderer
            .write(element, &mut self.xml)
            .map_err(Self::schema_error)?;
        let start = self.xml.strip_suffix(end).ok_or(DocxError::Splice {
            part: "word/document.xml",
            what: "các hàng của bảng",
        })?;
        Ok(self.out.write_all(start)?)
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

/// One line of the frame (Normal style: no indent, no space after).
fn line(l: &Line, align: AlignmentType) -> Paragraph {
    let look = l.look;
    let run = run(&l.text, look.bold, look.italic).size(half_points(look.size));
    Paragraph::new().align(align).add_run(run)
}

fn centred(l: &Line) -> Paragraph {
    line(l, AlignmentType::Center)
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

/// A borderless full-width table of two columns, one row per (left,
/// right) pair of cell contents; its rows never split across pages.
fn two_columns((lw, rw): (i32, i32), rows: Vec<(Vec<Paragraph>, Vec<Paragraph>)>) -> Table {
    let cell = |width: i32, ps: Vec<Paragraph>| {
        ps.into_iter().fold(
            TableCell::new().width(width as usize, WidthType::Dxa),
            TableCell::add_paragraph,
        )
    };
    let rows = rows
        .into_iter()
        .map(|(left, right)| TableRow::new(vec![cell(lw, left), cell(rw, right)]).cant_split())
        .collect();
    Table::without_borders(rows)
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

/// Printed width (twips) of `text`, measured with the faces the PDF
/// embeds (metric-compatible with Times New Roman).
fn text_width(text: &str, look: Look) -> Result<i32, FontError> {
    Ok(twips(frame::width(text, look)?))
}

/// Column widths (twips) summing to `total`. Each column gets at least its
/// longest word, so numbers never break inside a cell; the space left goes
/// to the columns whose text would otherwise wrap (the item column). What
/// a merged cell needs beyond its columns is shared among them.
fn column_widths(
    t: &document::Table,
    grid: &document::Grid,
    total: i32,
    look: Look,
    pad_x: i32,
) -> Result<Vec<i32>, FontError> {
    let columns = t.columns();
    let pad = 2 * pad_x + 60;
    let mut min = vec![pad; columns];
    let mut want = vec![pad; columns];
    let headers = t.subheader.len() + 1;
    let mut merged = Vec::new();
    let rows = t.header_rows().chain(t.rows.iter().map(Vec::as_slice));
    for (r, row) in rows.enumerate() {
        for (i, (cell, place)) in row.iter().zip(grid.row(r)).enumerate() {
            let Place::Cell { columns: span, .. } = *place else {
                continue;
            };
            let text = document::plain_text(cell);
            let look = Look {
                bold: r < headers || cell.iter().any(|x| matches!(x, Inline::Text(r) if r.bold)),
                ..look
            };
            let mut longest_word = 0;
            for word in text.split_whitespace() {
                longest_word = longest_word.max(text_width(word, look)?);
            }
            let (least, natural) = (longest_word + pad, text_width(&text, look)? + pad);
            if span == 1 {
                min[i] = min[i].max(least);
                want[i] = want[i].max(natural);
            } else {
                merged.push((i..(i + span).min(columns), least, natural));
            }
        }
    }
    for (span, least, natural) in merged {
        for (widths, need) in [(&mut min, least), (&mut want, natural)] {
            let widths = &mut widths[span.clone()];
            let short = need - widths.iter().sum::<i32>();
            if short > 0 {
                let n = widths.len() as i32;
                for (k, w) in widths.iter_mut().enumerate() {
                    // The rounding remainder goes to the first columns.
                    *w += short / n + i32::from((k as i32) < short % n);
                }
            }
        }
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
    Ok(widths)
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

fn twips(points: f32) -> i32 {
    pt(points)
}

fn half_points(v: f32) -> usize {
    (v * 2.0).round() as usize
}

/// Replaces the one `anchor` in `part`'s XML; its absence (a docx-rs that
/// writes the part differently) is an error, never a silent no-op.
fn splice(
    part: &'static str,
    what: &'static str,
    xml: &str,
    anchor: &str,
    replacement: &str,
) -> Result<String, DocxError> {
    match xml.match_indices(anchor).count() {
        1 => Ok(xml.replacen(anchor, replacement, 1)),
        _ => Err(DocxError::Splice { part, what }),
    }
}

/// A part's XML in schema order.
fn ordered(part: &str, xml: &[u8]) -> Result<Vec<u8>, DocxError> {
    let mut out = Vec::with_capacity(xml.len());
    schema::Orderer::default()
        .write(xml, &mut out)
        .map_err(|source| DocxError::Schema {
            part: part.into(),
            source,
        })?;
    Ok(out)
}

/// Patches what docx-rs cannot express, puts every part in schema order
/// and zips them, every entry dated with the report date (never the clock)
/// so output is reproducible.
/// `fill` writes each slot of the document (see [`sections::slots`]) given
/// page 1's section properties; there are `sections` sections.
fn package(
    xml: XMLDocx,
    sections: usize,
    mut fill: impl FnMut(Slot, &str, &mut dyn Write) -> Result<(), DocxError>,
    meta: &Metadata,
) -> Result<Vec<u8>, DocxError> {
    let date = meta.ngay;
    // Parsed Markdown carries a date of `document::REPORT_YEARS`, which a zip
    // entry can carry; a model built in code may not.
    let stamp = u16::try_from(date.year)
        .ok()
        .and_then(|year| {
            DateTime::from_date_and_time(year, date.month as u8, date.day as u8, 0, 0, 0).ok()
        })
        .ok_or(DocxError::Date(date))?;
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
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let content_types = splice(
        "[Content_Types].xml",
        "phần theme",
        &text(&xml.content_type),
        "</Types>",
        &format!(
            r#"<Override PartName="/{THEME}" ContentType="application/vnd.openxmlformats-officedocument.theme+xml" /></Types>"#
        ),
    )?;
    let document_rels = splice(
        "word/_rels/document.xml.rels",
        "quan hệ tới phần theme",
        &text(&xml.document_rels),
        "</Relationships>",
        r#"<Relationship Id="rIdThemeKhuyencong" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme" Target="theme/theme1.xml" /></Relationships>"#,
    )?;
    let styles = patch_styles(&text(&xml.styles))?;
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), content_types.into_bytes()),
        ("_rels/.rels".into(), xml.rels),
        ("docProps/app.xml".into(), xml.doc_props.app),
        (
            "docProps/core.xml".into(),
            core_properties(meta).into_bytes(),
        ),
        ("docProps/custom.xml".into(), xml.doc_props.custom),
        (
            "word/_rels/document.xml.rels".into(),
            document_rels.into_bytes(),
        ),
        (
            "word/styles.xml".into(),
            ordered("word/styles.xml", styles.as_bytes())?,
        ),
        (
            "word/settings.xml".into(),
            ordered("word/settings.xml", &xml.settings)?,
        ),
        ("word/fontTable.xml".into(), xml.font_table),
        (THEME.into(), THEME_XML.as_bytes().to_vec()),
        ("word/comments.xml".into(), xml.comments),
        (
            "word/numbering.xml".into(),
            ordered("word/numbering.xml", &xml.numberings)?,
        ),
        ("word/commentsExtended.xml".into(), xml.comments_extended),
        (
            "word/footnotes.xml".into(),
            ordered("word/footnotes.xml", &xml.footnotes)?,
        ),
    ];
    for (i, (header, rels)) in xml.headers.into_iter().zip(xml.header_rels).enumerate() {
        let name = format!("word/header{}.xml", i + 1);
        let header = ordered(&name, &header)?;
        parts.push((name, header));
        parts.push((format!("word/_rels/header{}.xml.rels", i + 1), rels));
    }
    let frame = ordered("word/document.xml", &xml.document)?;
    let (first, slots) = sections::slots(&frame, sections)?;
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    // The document (after its relationships, as Word writes it): the frame
    // docx-rs built with the body, the annex and the last section's
    // properties in their places, streamed into the archive without
    // assembling a copy.
    for (name, bytes) in parts {
        zip.start_file(name.as_str(), options(bytes.len()))?;
        zip.write_all(&bytes)?;
        if name == "word/_rels/document.xml.rels" {
            zip.start_file("word/document.xml", deflated)?;
            let mut at = 0;
            for (range, slot) in &slots {
                zip.write_all(&frame[at..range.start])?;
                fill(*slot, first, &mut zip)?;
                at = range.end;
            }
            zip.write_all(&frame[at..])?;
        }
    }
    Ok(zip.finish()?.into_inner())
}

/// First id of the body's paragraphs: far above the few dozen docx-rs gives
/// the frame, below the 0x80000000 the format allows.
const BODY_PARAGRAPH_IDS: u32 = 0x1000_0000;

/// Marks the default text as Vietnamese (spelling, hyphenation) and Normal
/// as the default paragraph style, which docx-rs leaves unmarked.
fn patch_styles(styles: &str) -> Result<String, DocxError> {
    let styles = splice(
        "word/styles.xml",
        "ngôn ngữ mặc định",
        styles,
        "</w:rPr></w:rPrDefault>",
        r#"<w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA" /></w:rPr></w:rPrDefault>"#,
    )?;
    splice(
        "word/styles.xml",
        "kiểu Normal mặc định",
        &styles,
        r#"<w:style w:type="paragraph" w:styleId="Normal">"#,
        r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#,
    )
}

const THEME: &str = "word/theme/theme1.xml";

/// The theme part Word expects beside the document: Office's colours, with
/// Times New Roman as the theme fonts.
const THEME_XML: &str = include_str!("theme1.xml");

fn core_properties(meta: &Metadata) -> String {
    let title = xml_escape(&meta.trich_yeu);
    let author = xml_escape(&meta.co_quan_ban_hanh);
    let when = format!("{}T00:00:00Z", meta.ngay);
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
