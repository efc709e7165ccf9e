//! Prepared layout → DOCX, laid out as Nghị định 30/2020/NĐ-CP asks.
//!
//! Everything about the page comes from [`crate::render::prepared`]
//! (shared with the PDF): column widths, paragraph formats and styles,
//! strokes, gaps, keep-together rules, page-number sections, properties;
//! this writer converts points to twips and writes them. Word and
//! LibreOffice break lines and pages themselves, with the same rules.
//!
//! docx-rs builds the parts; [`schema`] then puts every part (and each body
//! element as it is streamed) in the element order the OOXML schema
//! requires, which docx-rs does not. What docx-rs cannot express is spliced
//! into its XML by [`splice`], which fails rather than silently doing
//! nothing when its anchor is missing: repeated table header rows
//! (`w:tblHeader`), the document language, Normal as the default style,
//! the theme part. The package is zipped here with every timestamp taken
//! from the report's date, so the same Markdown always gives the same
//! bytes.

mod schema;
mod sections;

use std::io::{Cursor, Write};

use docx_rs::{
    AlignmentType, BorderType, BreakType, BuildXML, Docx, FieldCharType, Header, HeightRule,
    InstrPAGE, InstrText, LineSpacing, LineSpacingType, PageMargin, Paragraph, ParagraphBorder,
    ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, SpecialIndentType, Style, StyleType,
    Table, TableAlignmentType, TableBorder, TableBorderPosition, TableBorders, TableCell,
    TableCellMargins, TableLayoutType, TableRow, VAlignType, VMergeType, WidthType, XMLDocx,
};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

pub use schema::SchemaError;

use crate::document::{Inline, Orientation, Place};
use crate::render::frame::Line;
use crate::render::prepared::{
    glue_hyphens, CellFormat, Numbering, Para, ParaFormat, ParaKind, Piece, Prepared, Properties,
    Region, TableLayout, TextAlign, VerticalAlign, NO_BREAK_HYPHEN,
};
use crate::render::xml_escape;
use sections::Slot;

#[derive(Debug, thiserror::Error)]
pub enum DocxError {
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

/// Writes the prepared report as a DOCX package: page 1's header and
/// title, the body, the closing block, then the annex, each region of
/// pages a section of its own.
pub fn write(p: &Prepared) -> Result<Vec<u8>, DocxError> {
    let b = Builder::new(p);
    let s = p.settings;
    let (width, height) = s.paper_mm(Orientation::Portrait);
    let mut docx = Docx::new()
        .page_size(mm(width) as u32, mm(height) as u32)
        .page_margin(page_margin(p))
        .default_fonts(b.fonts())
        .default_size(half_points(p.formats.body.size))
        .default_line_spacing(
            LineSpacing::new()
                .after(0)
                .line(240)
                .line_rule(LineSpacingType::Auto),
        )
        .header(Header::new().add_paragraph(b.page_number()))
        // A first-page header of its own keeps the number off page 1; it
        // holds the draft mark, if any.
        .first_header(b.first_header());
    for style in b.styles() {
        docx = docx.add_style(style);
    }

    docx = docx.add_table(b.header_block());
    for paragraph in b.title_block() {
        docx = docx.add_paragraph(paragraph);
    }
    // The body and the annex go in where these marker paragraphs are (see
    // `sections::slots`).
    docx = docx.add_paragraph(sections::marker(Slot::Body));
    docx = docx.add_table(b.closing_block());
    if !p.annex.is_empty() {
        docx = docx.add_paragraph(sections::marker(Slot::Annex));
    }

    // Page 1's section keeps the properties docx-rs wrote (headers, no
    // number on page 1); every later one turns the paper and, where the
    // annex starts, numbers its pages from 1 again.
    let regions: Vec<&Region> = p.regions().collect();
    let props = |first: &str, k: usize| match k {
        0 => Ok(first.to_string()),
        k => sections::later(
            s,
            regions[k].orientation,
            regions[k].numbering == Numbering::Restart,
            page_margin(p),
        ),
    };
    package(
        docx.build(),
        regions.len(),
        |slot, first, out| match slot {
            Slot::Body => b.flow_xml(&p.body, 0, &|k| props(first, k), out),
            Slot::Annex => b.flow_xml(&p.annex, p.body.len(), &|k| props(first, k), out),
            Slot::LastSection => Ok(out.write_all(props(first, regions.len() - 1)?.as_bytes())?),
        },
        &p.properties,
    )
}

/// The decree's margins (kept on every page, whichever way it is turned),
/// the header where the page number goes.
fn page_margin(p: &Prepared) -> PageMargin {
    let s = p.settings;
    PageMargin::new()
        .top(mm(s.le_tren_mm))
        .bottom(mm(s.le_duoi_mm))
        .left(mm(s.le_trai_mm))
        .right(mm(s.le_phai_mm))
        .header(twips(p.page_number.top))
        .footer(mm(s.le_duoi_mm / 2.0))
}

/// The prepared document, with the builders that need it.
struct Builder<'a> {
    p: &'a Prepared<'a>,
    /// The next body paragraph id (see [`Builder::paragraph`]).
    next_id: std::cell::Cell<u32>,
    /// An empty paragraph made before the frame is built, copied for every
    /// body paragraph (see [`Builder::paragraph`]).
    blank: Paragraph,
}

impl<'a> Builder<'a> {
    fn new(p: &'a Prepared<'a>) -> Self {
        Self {
            p,
            next_id: std::cell::Cell::new(BODY_PARAGRAPH_IDS),
            blank: Paragraph::new(),
        }
    }

    fn fonts(&self) -> RunFonts {
        let f = &self.p.settings.phong_chu;
        RunFonts::new().ascii(f).hi_ansi(f).cs(f).east_asia(f)
    }

    /// Body Text carries the decree's paragraph format; headings inherit
    /// it, so a clerk who changes it in Word changes them all.
    fn styles(&self) -> Vec<Style> {
        let f = &self.p.formats;
        let body = f.body;
        let mut body_style = Style::new(BODY, StyleType::Paragraph)
            .name("Body Text")
            .based_on("Normal")
            .next(BODY)
            .align(alignment(body.align))
            .indent(
                None,
                Some(SpecialIndentType::FirstLine(twips(body.first_indent))),
                None,
                None,
            )
            .line_spacing(spacing(&body));
        // Two lines at least at either end of a page, as the PDF.
        body_style.paragraph_property = body_style.paragraph_property.widow_control(true);
        let table = Style::new(TABLE_TEXT, StyleType::Paragraph)
            .name("Table Text")
            .based_on("Normal")
            .size(half_points(f.table.size));
        let headings = HEADINGS
            .iter()
            .zip(&f.headings)
            .enumerate()
            .map(|(level, (id, h))| {
                let mut style = Style::new(*id, StyleType::Paragraph)
                    .name(format!("heading {}", level + 1))
                    .based_on(BODY)
                    .next(BODY)
                    .fonts(self.fonts())
                    .size(half_points(h.size))
                    .color("000000")
                    .align(alignment(h.align))
                    .outline_lvl(level);
                if h.bold {
                    style = style.bold();
                }
                if h.italic {
                    style = style.italic();
                }
                style.paragraph_property = style
                    .paragraph_property
                    .keep_next(true)
                    .keep_lines(h.keep_together);
                style
            });
        [body_style, table].into_iter().chain(headings).collect()
    }

    /// A paragraph of the flow: its style, what its format changes from
    /// the style's, its marker and its text.
    fn para(&self, para: &Para) -> Paragraph {
        let formats = &self.p.formats;
        let (style, base) = match para.kind {
            ParaKind::Heading(level) => {
                let level = usize::from(level).clamp(1, 4) - 1;
                (HEADINGS[level], &formats.headings[level])
            }
            ParaKind::Body | ParaKind::ListItem => (BODY, &formats.body),
        };
        let f = &para.format;
        let mut p = self.paragraph().style(style);
        if f.align != base.align {
            p = p.align(alignment(f.align));
        }
        if (f.left_indent, f.first_indent) != (base.left_indent, base.first_indent) {
            p = p.indent(
                Some(twips(f.left_indent)),
                Some(SpecialIndentType::FirstLine(twips(f.first_indent))),
                None,
                None,
            );
        }
        if para.keep_with_next {
            p = p.keep_next(true);
        }
        if let Some(marker) = &para.marker {
            p = p.add_run(Run::new().add_text(marker));
        }
        add_inlines(p, para.content, false)
    }

    /// Page 1's header (the annex's first page goes on with it): empty, or
    /// the draft mark, a table of one bordered cell at the right with the
    /// words centred, of the prepared size, then the paragraph a header
    /// must end with, a point high.
    fn first_header(&self) -> Header {
        let Some(d) = &self.p.draft else {
            return Header::new().add_paragraph(Paragraph::new());
        };
        let width = twips(d.width) as usize;
        let words = Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(run(d.text, d.look.bold, d.look.italic).size(half_points(d.look.size)));
        let cell = TableCell::new()
            .width(width, WidthType::Dxa)
            .vertical_align(VAlignType::Center)
            .add_paragraph(words);
        let row = TableRow::new(vec![cell])
            .row_height(twips(d.height) as f32)
            .height_rule(HeightRule::Exact)
            .cant_split();
        let borders = borders(TableBorders::with_empty(), d.stroke, false);
        let (pad_x, pad_y) = (twips(d.padding.0) as usize, twips(d.padding.1) as usize);
        let table = Table::new(vec![row])
            .set_grid(vec![width])
            .width(width, WidthType::Dxa)
            .layout(TableLayoutType::Fixed)
            .align(TableAlignmentType::Right)
            .set_borders(borders)
            .margins(TableCellMargins::new().margin(pad_y, pad_x, pad_y, pad_x));
        let end = Paragraph::new().line_spacing(
            LineSpacing::new()
                .before(0)
                .after(0)
                .line(20)
                .line_rule(LineSpacingType::Exact),
        );
        Header::new().add_table(table).add_paragraph(end)
    }

    /// The PAGE field, centred in the top margin.
    fn page_number(&self) -> Paragraph {
        let field = Run::new()
            .size(half_points(self.p.page_number.size))
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
        let h = &self.p.frame.header;
        let gaps = &self.p.gaps;
        let (lw, rw) = self.columns();
        let mut left: Vec<Paragraph> = h.left.iter().flat_map(|s| &s.lines).map(centred).collect();
        left.push(self.rule(h.left_rule.length, lw, gaps.below_header_rule));
        let mut right: Vec<Paragraph> =
            h.right.iter().flat_map(|s| &s.lines).map(centred).collect();
        right.push(self.rule(h.right_rule.length, rw, gaps.below_header_rule));
        let number = h.number.lines.iter().map(centred).collect();
        let date = h.place_date.lines.iter().map(centred).collect();
        two_columns((lw, rw), vec![(left, right), (number, date)])
    }

    /// Document type and summary, centred under the header block.
    fn title_block(&self) -> Vec<Paragraph> {
        let t = &self.p.frame.title;
        let gaps = &self.p.gaps;
        let mut ps: Vec<Paragraph> = t.lines.iter().flat_map(|s| &s.lines).map(centred).collect();
        if let Some(first) = ps.first_mut() {
            *first = first
                .clone()
                .line_spacing(LineSpacing::new().before(pt(gaps.above_title) as u32));
        }
        let width = twips(self.p.frame.text_width);
        ps.push(self.rule(t.rule.length, width, gaps.below_title_rule));
        ps
    }

    /// A centred solid rule `length` points long in a column `column`
    /// twips wide, the prepared gap under the text above it and `after`
    /// points under it: the bottom border of an empty paragraph as high as
    /// that gap, narrowed by its indents. Borders render the same in Word
    /// and LibreOffice, unlike drawn shapes.
    fn rule(&self, length: f32, column: i32, after: f32) -> Paragraph {
        let side = ((column - twips(length)) / 2).max(0);
        let mut p = Paragraph::new()
            .align(AlignmentType::Center)
            .indent(Some(side), None, Some(side), None)
            .line_spacing(
                LineSpacing::new()
                    .after(pt(after) as u32)
                    .line(pt(self.p.gaps.above_rule))
                    .line_rule(LineSpacingType::Exact),
            );
        let border = ParagraphBorder::new(ParagraphBorderPosition::Bottom)
            .val(BorderType::Single)
            .size(eighths(self.p.strokes.frame_rule));
        p.property = p
            .property
            .set_borders(ParagraphBorders::with_empty().set(border));
        p
    }

    /// Recipients on the left, authority and signer on the right: one row
    /// that cannot split, so the block is always on one page.
    fn closing_block(&self) -> Table {
        let c = &self.p.frame.closing;
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
        let frame = &self.p.frame;
        let left = twips(frame.columns.0);
        (left, twips(frame.text_width) - left)
    }

    /// The body's regions (`first` = 0) or the annex's (`first` = the
    /// number of the body's, the annex's first region's number) as XML,
    /// written one element (one table row) at a time straight into the
    /// archive, each in schema order: a national report has tens of
    /// thousands of rows, and neither a docx-rs tree of them all nor their
    /// XML (≈50 MB for 10.000 units) is ever held in memory. A region
    /// starting a new page first ends the one before with its properties
    /// (`props` of its number). The body ends with the gap above the
    /// closing block.
    fn flow_xml(
        &self,
        regions: &[Region],
        first: usize,
        props: &dyn Fn(usize) -> Result<String, DocxError>,
        out: &mut dyn Write,
    ) -> Result<(), DocxError> {
        let mut out = Body {
            out,
            orderer: schema::Orderer::default(),
            xml: Vec::new(),
        };
        // Space owed below a table just written, written as an empty
        // paragraph before whatever follows: Word and LibreOffice merge
        // adjacent tables, and LibreOffice ignores keep-with-next on a
        // paragraph right after a table.
        let mut after_table = None;
        let mut keeps = false;
        for (k, region) in (first..).zip(regions) {
            if region.new_page && k > 0 {
                out.element(&self.section_break(&props(k - 1)?)?)?;
                after_table = None;
            }
            (after_table, keeps) = self.pieces_xml(region, after_table, &mut out)?;
        }
        if first == 0 {
            // The closing block's gap, kept with it when the body's last
            // block keeps.
            let height = self.p.gaps.above_closing + after_table.unwrap_or(0.0);
            out.element(&self.gap(height).keep_next(keeps).build())?;
        } else if after_table.is_some() {
            // The annex ends the document: the paragraph Word needs after a
            // last table must not spill onto a page of its own.
            out.element(&self.gap(0.05).build())?;
        }
        Ok(())
    }

    /// An empty paragraph `height` points high.
    fn gap(&self, height: f32) -> Paragraph {
        self.paragraph().line_spacing(
            LineSpacing::new()
                .before(0)
                .after(0)
                .line(pt(height).max(1))
                .line_rule(LineSpacingType::Exact),
        )
    }

    /// An empty paragraph ending a section whose properties are `props`
    /// (Word keeps them in a section's last paragraph); a point high, it
    /// never pushes a page over.
    fn section_break(&self, props: &str) -> Result<Vec<u8>, DocxError> {
        let xml = splice(
            "word/document.xml",
            "ngắt vùng trang (w:sectPr)",
            &String::from_utf8_lossy(&self.gap(0.05).build()),
            "</w:pPr>",
            &format!("{props}</w:pPr>"),
        )?;
        Ok(xml.into_bytes())
    }

    /// A region's pieces; `after_table` is the space owed below a table
    /// that ends what is already written. Returns the same for the region's
    /// end, and whether its last piece keeps with what follows.
    fn pieces_xml(
        &self,
        region: &Region,
        mut after_table: Option<f32>,
        out: &mut Body<'_>,
    ) -> Result<(Option<f32>, bool), DocxError> {
        let mut keeps = false;
        for piece in &region.pieces {
            if let (Some(space), Piece::Paragraph(_) | Piece::Table(_)) = (after_table, piece) {
                out.element(&self.gap(space).keep_next(keeps).build())?;
            }
            after_table = None;
            match piece {
                Piece::Table(t) => {
                    self.table_xml(t, out)?;
                    after_table = Some(t.space_after);
                    keeps = t.keep_with_next.last().copied().unwrap_or(false);
                }
                Piece::Paragraph(para) => {
                    out.element(&self.para(para).build())?;
                    keeps = para.keep_with_next;
                }
                Piece::PageBreak => {
                    let p = self
                        .paragraph()
                        .add_run(Run::new().add_break(BreakType::Page));
                    out.element(&p.build())?;
                    keeps = false;
                }
            }
        }
        Ok((after_table, keeps))
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

    /// A bordered table in the prepared column widths (a fixed layout, so
    /// Word and LibreOffice keep them), its header rows repeated on every
    /// page and kept with the first row, its rows kept as prepared, written
    /// row by row. Merged cells span grid columns (`w:gridSpan`) and rows
    /// (`w:vMerge`).
    fn table_xml(&self, t: &TableLayout, out: &mut Body<'_>) -> Result<(), DocxError> {
        let table = t.table;
        let widths: Vec<i32> = t.widths.iter().map(|&w| twips(w)).collect();
        let width: i32 = widths.iter().sum();
        let (pad_x, pad_y) = (twips(t.padding.0), twips(t.padding.1));
        let cell_paragraph = |format: &CellFormat, keep: bool| {
            let mut p = self
                .blank
                .clone()
                .style(TABLE_TEXT)
                .align(alignment(format.align))
                .keep_next(keep);
            if format.bold {
                p = p.bold();
            }
            p
        };
        // Per column: the empty cell, and its paragraph as a header cell, a
        // body cell and a kept body cell.
        let templates: Vec<(TableCell, [Paragraph; 3])> = (0..widths.len())
            .map(|i| {
                let cell = TableCell::new()
                    .width(widths[i] as usize, WidthType::Dxa)
                    .vertical_align(vertical(t.body[i].vertical));
                (
                    cell,
                    [
                        cell_paragraph(&t.header, true),
                        cell_paragraph(&t.body[i], false),
                        cell_paragraph(&t.body[i], true),
                    ],
                )
            })
            .collect();
        let row = |cells: &[crate::document::Cell], places: &[Place], header: bool, keep: bool| {
            let kind = if header { 0 } else { 1 + usize::from(keep) };
            let merged = |first: usize, columns: usize| {
                let width: i32 = widths.iter().skip(first).take(columns).sum();
                let v = if header {
                    t.header.vertical
                } else {
                    t.body[first].vertical
                };
                let cell = TableCell::new()
                    .width(width as usize, WidthType::Dxa)
                    .vertical_align(vertical(v));
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
                        } if !header => cell.clone(),
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
        let borders = borders(TableBorders::new(), t.border, true);
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
        for (r, cells) in table.header_rows().enumerate() {
            let header = splice(
                "word/document.xml",
                "hàng tiêu đề lặp lại (w:tblHeader)",
                &String::from_utf8_lossy(&row(cells, t.grid.row(r), true, true).build()),
                "<w:cantSplit />",
                "<w:cantSplit /><w:tblHeader />",
            )?;
            out.element(header.as_bytes())?;
        }
        for (i, r) in table.rows.iter().enumerate() {
            let places = t.grid.row(t.header_rows + i);
            out.element(&row(r, places, false, t.keep_with_next[i]).build())?;
        }
        Ok(out.out.write_all(END)?)
    }
}

/// Line spacing of a paragraph format: its multiple of single spacing and
/// the space below it.
fn spacing(f: &ParaFormat) -> LineSpacing {
    LineSpacing::new()
        .after(pt(f.space_after) as u32)
        .line((240.0 * f.line_spacing).round() as i32)
        .line_rule(LineSpacingType::Auto)
}

fn vertical(v: VerticalAlign) -> VAlignType {
    match v {
        VerticalAlign::Top => VAlignType::Top,
        VerticalAlign::Center => VAlignType::Center,
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

    /// A paragraph or a table row. A non-breaking hyphen in its text is
    /// written as Word's own element: Word draws the character U+2011 only
    /// if the font has it, and Times New Roman may not.
    fn element(&mut self, element: &[u8]) -> Result<(), DocxError> {
        self.xml.clear();
        self.orderer
            .write_element(element, &mut self.xml)
            .map_err(Self::schema_error)?;
        let mut hyphen = [0; 4];
        let hyphen = NO_BREAK_HYPHEN.encode_utf8(&mut hyphen).as_bytes();
        let mut rest = &self.xml[..];
        while let Some(at) = memchr::memmem::find(rest, hyphen) {
            self.out.write_all(&rest[..at])?;
            self.out
                .write_all(br#"</w:t><w:noBreakHyphen /><w:t xml:space="preserve">"#)?;
            rest = &rest[at + hyphen.len()..];
        }
        Ok(self.out.write_all(rest)?)
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
/// Hyphens inside words are non-breaking (written as `w:noBreakHyphen` by
/// [`Body::element`]): lines break only at spaces ([`glue_hyphens`]).
fn add_inlines(p: Paragraph, inlines: &[Inline], bold: bool) -> Paragraph {
    inlines.iter().fold(p, |p, inline| match inline {
        Inline::Text(r) => p.add_run(run(&glue_hyphens(&r.text), r.bold || bold, r.italic)),
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

fn alignment(align: TextAlign) -> AlignmentType {
    match align {
        TextAlign::Justify => AlignmentType::Both,
        TextAlign::Left => AlignmentType::Left,
        TextAlign::Center => AlignmentType::Center,
        TextAlign::Right => AlignmentType::Right,
    }
}

fn mm(v: f32) -> i32 {
    (v * 1440.0 / 25.4).round() as i32
}

fn pt(v: f32) -> i32 {
    (v * 20.0).round() as i32
}

fn twips(points: f32) -> i32 {
    pt(points)
}

/// `base` with single black lines of `stroke` points on the four sides,
/// and between rows and columns too when `inside`.
fn borders(base: TableBorders, stroke: f32, inside: bool) -> TableBorders {
    use TableBorderPosition::*;
    let sides = [Top, Left, Bottom, Right, InsideH, InsideV];
    let count = if inside { 6 } else { 4 };
    sides.into_iter().take(count).fold(base, |b, side| {
        b.set(TableBorder::new(side).size(eighths(stroke)).color("000000"))
    })
}

/// Eighths of a point, the unit of border widths.
fn eighths(points: f32) -> usize {
    (points * 8.0).round() as usize
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
    properties: &Properties,
) -> Result<Vec<u8>, DocxError> {
    let date = properties.date;
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
            core_properties(properties).into_bytes(),
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

/// The prepared properties as the package's core properties.
fn core_properties(p: &Properties) -> String {
    let when = p.timestamp();
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
            r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
            r#"xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            "<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject>",
            "<dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy>",
            "<dc:language>{language}</dc:language><cp:revision>1</cp:revision>",
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>"#,
            r#"<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>"#,
            "</cp:coreProperties>"
        ),
        title = xml_escape(&p.title),
        subject = xml_escape(&p.subject),
        author = xml_escape(&p.author),
        language = p.language,
        when = when
    )
}
