//! Layout → printpdf operations → bytes. Font resource ids, the trailer /ID
//! and the document dates are all derived from the input, so the output is
//! byte-identical however often and wherever it is produced.

use std::collections::{BTreeMap, BTreeSet};

use printpdf::{
    Color, Date, DateTime, FontId, Greyscale, Line, LinePoint, Mm, Offset, Op, PdfDocument,
    PdfFont, PdfFontHandle, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Point, Pt, TextItem,
    TextMatrix, Time,
};
use sha2::{Digest, Sha256};

use super::layout::{Bookmark, Item, Layout, Page, Rule, Span, EPS};
use super::PdfError;
use crate::render::fonts::{self, Face, FaceData};
use crate::render::prepared::{Prepared, Properties};
use crate::render::xml_escape;

/// Takes the layout by value: each page is dropped once it is turned into
/// operations, and the operations once lopdf has them, so a report of a
/// thousand pages never holds three copies of itself.
pub fn render(prepared: &Prepared, layout: Layout) -> Result<Vec<u8>, PdfError> {
    let properties = &prepared.properties;
    let date = pdf_date(properties.date);
    let mut pdf = PdfDocument::new(&properties.title);
    let info = &mut pdf.metadata.info;
    info.author = properties.author.clone();
    info.subject = properties.subject.clone();
    info.creator = properties.creator.into();
    info.producer = properties.producer.clone();
    info.creation_date = date;
    info.modification_date = date;
    info.metadata_date = date;

    let mut used: BTreeMap<Face, BTreeSet<char>> = BTreeMap::new();
    for span in layout.pages.iter().flat_map(|p| &p.items).filter_map(text) {
        used.entry(span.face).or_default().extend(span.text.chars());
    }
    for (face, chars) in &used {
        pdf.resources
            .fonts
            .map
            .insert(font_id(*face), PdfFont::new(fonts::subset(*face, chars)?));
    }

    let settings = prepared.settings;
    let heights: Vec<f32> = layout.pages.iter().map(|p| p.sheet.height).collect();
    let faces = [
        fonts::face(Face::Regular)?,
        fonts::face(Face::Bold)?,
        fonts::face(Face::Italic)?,
        fonts::face(Face::BoldItalic)?,
    ];
    pdf.pages = layout
        .pages
        .into_iter()
        .map(|page| {
            let (width, height) = settings.paper_mm(page.orientation);
            PdfPage::new(
                Mm(width),
                Mm(height),
                page_ops(&page, page.sheet.height, &faces),
            )
        })
        .collect();

    let mut warnings = Vec::new();
    let mut lopdf_doc = printpdf::to_lopdf_doc(&pdf, &PdfSaveOptions::default(), &mut warnings);
    drop(pdf);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        return Err(PdfError::Write(w.msg.clone()));
    }
    drop_pdfx_claim(&mut lopdf_doc);
    // Nghị định 30/2020 asks for PDF 1.4 or later for electronic documents;
    // nothing written here needs more than 1.4.
    lopdf_doc.version = "1.4".into();
    add_xmp(&mut lopdf_doc, properties)?;
    add_outline(&mut lopdf_doc, &layout.outline, &heights)?;
    let catalog = lopdf_doc
        .catalog_mut()
        .map_err(|e| PdfError::Write(e.to_string()))?;
    // Readers (screen readers, search, hyphenation) learn the language, and
    // the window shows the report's title rather than the file's name.
    catalog.set(
        "Lang",
        lopdf::Object::String(b"vi-VN".to_vec(), lopdf::StringFormat::Literal),
    );
    catalog.set(
        "ViewerPreferences",
        lopdf::dictionary! { "DisplayDocTitle" => true },
    );
    let placeholder = lopdf::Object::String(vec![0; 16], lopdf::StringFormat::Hexadecimal);
    lopdf_doc.trailer.set(
        "ID",
        lopdf::Object::Array(vec![placeholder.clone(), placeholder]),
    );
    compress_streams(&mut lopdf_doc);
    let mut bytes = Vec::new();
    lopdf_doc
        .save_to(&mut bytes)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    set_document_id(&mut bytes)?;
    Ok(bytes)
}

/// A stable /ID: the hash of the file as written with an all-zero ID, put
/// in the placeholder's place (the trailer is the file's last dictionary,
/// so its two placeholders are the last two in the file).
fn set_document_id(bytes: &mut [u8]) -> Result<(), PdfError> {
    const PLACEHOLDER: &[u8] = b"<00000000000000000000000000000000>";
    let digest = Sha256::digest(&*bytes);
    let id: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let mut end = bytes.len();
    for _ in 0..2 {
        let at = bytes[..end]
            .windows(PLACEHOLDER.len())
            .rposition(|w| w == PLACEHOLDER)
            .ok_or_else(|| PdfError::Write("thiếu chỗ cho mã /ID của tệp".into()))?;
        bytes[at + 1..at + 33].copy_from_slice(id.as_bytes());
        end = at;
    }
    Ok(())
}

/// Compresses every stream at zlib's fast level: lopdf's own `compress`
/// uses the best (slowest) level, which costs several times the time for a
/// few percent of size.
fn compress_streams(doc: &mut lopdf::Document) {
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;
    // One encoder, reset between streams: setting one up clears a few
    // hundred kilobytes of tables, more than a small stream costs to pack.
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::fast());
    for object in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let compressed = encoder
            .write_all(&stream.content)
            .and_then(|()| encoder.reset(Vec::new()));
        // Writing to a Vec cannot fail; a stream left uncompressed is still valid.
        if let Some(c) = compressed.ok().filter(|c| c.len() < stream.content.len()) {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(c);
        }
    }
}

/// printpdf always writes /GTS_PDFXVersion into the Info dictionary, which
/// makes readers report a PDF/X file; this one makes no such claim.
/// XMP metadata (title, author, dates, producer) in the catalog, as archives
/// and the decree's electronic-document rule expect. Left uncompressed, so
/// any tool can read it.
fn add_xmp(doc: &mut lopdf::Document, properties: &Properties) -> Result<(), PdfError> {
    let when = properties.timestamp();
    let xmp = format!(
        concat!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">",
            "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" ",
            "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">",
            "<dc:format>application/pdf</dc:format>",
            "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>",
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{subject}</rdf:li></rdf:Alt></dc:description>",
            "<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>",
            "<dc:language><rdf:Bag><rdf:li>{language}</rdf:li></rdf:Bag></dc:language>",
            "<xmp:CreateDate>{when}</xmp:CreateDate><xmp:ModifyDate>{when}</xmp:ModifyDate>",
            "<xmp:MetadataDate>{when}</xmp:MetadataDate><xmp:CreatorTool>{creator}</xmp:CreatorTool>",
            "<pdf:Producer>{producer}</pdf:Producer>",
            "</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>"
        ),
        title = xml_escape(&properties.title),
        subject = xml_escape(&properties.subject),
        author = xml_escape(&properties.author),
        language = properties.language,
        when = when,
        creator = properties.creator,
        producer = xml_escape(&properties.producer),
    );
    let mut stream = lopdf::Stream::new(
        lopdf::dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp.into_bytes(),
    );
    stream.allows_compression = false;
    let id = doc.add_object(stream);
    doc.catalog_mut()
        .map_err(|e| PdfError::Write(e.to_string()))?
        .set("Metadata", id);
    Ok(())
}

/// The outline (bookmarks): one item per heading, nested by level, each
/// opening its page at the heading's first line; every item open. A level
/// skipped ("#" then "###") nests under the nearest heading above it.
fn add_outline(
    doc: &mut lopdf::Document,
    bookmarks: &[Bookmark],
    heights: &[f32],
) -> Result<(), PdfError> {
    use lopdf::{Dictionary, Object, ObjectId};
    if bookmarks.is_empty() {
        return Ok(());
    }
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    let root = doc.new_object_id();
    let ids: Vec<ObjectId> = bookmarks.iter().map(|_| doc.new_object_id()).collect();
    // Each item's parent: the nearest item above it of a lower level (None:
    // the root).
    let mut parent: Vec<Option<usize>> = Vec::with_capacity(bookmarks.len());
    let mut open: Vec<usize> = Vec::new();
    for (i, b) in bookmarks.iter().enumerate() {
        while open.last().is_some_and(|&j| bookmarks[j].level >= b.level) {
            open.pop();
        }
        parent.push(open.last().copied());
        open.push(i);
    }
    // Children of each item, and of the root (last).
    let root_kids = bookmarks.len();
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); bookmarks.len() + 1];
    for (i, p) in parent.iter().enumerate() {
        kids[p.unwrap_or(root_kids)].push(i);
    }
    // Every item open: an item's count is all its descendants.
    let mut descendants = vec![0i64; bookmarks.len()];
    for i in (0..bookmarks.len()).rev() {
        if let Some(p) = parent[i] {
            descendants[p] += 1 + descendants[i];
        }
    }
    let link = |dict: &mut Dictionary, kids: &[usize]| {
        if let (Some(&first), Some(&last)) = (kids.first(), kids.last()) {
            dict.set("First", ids[first]);
            dict.set("Last", ids[last]);
        }
    };
    let mut items: Vec<Dictionary> = Vec::with_capacity(bookmarks.len());
    for (i, b) in bookmarks.iter().enumerate() {
        let page = *pages
            .get(b.page)
            .ok_or_else(|| PdfError::Write(format!("đề mục “{}” ở trang không có", b.title)))?;
        let mut item = lopdf::dictionary! {
            "Title" => lopdf::text_string(&b.title),
            "Parent" => parent[i].map_or(root, |p| ids[p]),
            "Dest" => vec![
                page.into(),
                "XYZ".into(),
                Object::Null,
                Object::Real(heights[b.page] - b.top),
                Object::Null
            ]
        };
        link(&mut item, &kids[i]);
        if descendants[i] > 0 {
            item.set("Count", descendants[i]);
        }
        items.push(item);
    }
    for siblings in &kids {
        for pair in siblings.windows(2) {
            items[pair[0]].set("Next", ids[pair[1]]);
            items[pair[1]].set("Prev", ids[pair[0]]);
        }
    }
    for (id, item) in ids.iter().zip(items) {
        doc.objects.insert(*id, Object::Dictionary(item));
    }
    let mut outlines = lopdf::dictionary! {
        "Type" => "Outlines",
        "Count" => bookmarks.len() as i64
    };
    link(&mut outlines, &kids[root_kids]);
    doc.objects.insert(root, Object::Dictionary(outlines));
    let catalog = doc
        .catalog_mut()
        .map_err(|e| PdfError::Write(e.to_string()))?;
    catalog.set("Outlines", root);
    catalog.set("PageMode", "UseOutlines");
    Ok(())
}

fn drop_pdfx_claim(doc: &mut lopdf::Document) {
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(lopdf::Object::as_reference);
    if let Ok(dict) = info
        .and_then(|id| doc.get_object_mut(id))
        .and_then(lopdf::Object::as_dict_mut)
    {
        dict.remove(b"GTS_PDFXVersion");
    }
}

fn text(item: &Item) -> Option<&Span> {
    match item {
        Item::Text(span) => Some(span),
        Item::Rule(_) => None,
    }
}

/// Fixed resource names, so nothing depends on printpdf's id counter.
fn font_id(face: Face) -> FontId {
    FontId(face.postscript_name().replace('-', ""))
}

fn pdf_date(d: crate::contract::Date) -> DateTime {
    let (month, day) = (d.month as u8, d.day as u8);
    let year = d.year;
    DateTime::new_in_offset(
        Date { year, month, day },
        Time {
            hour: 0,
            minute: 0,
            second: 0,
            millisecond: 0,
        },
        Offset {
            hours: 0,
            minutes: 0,
            seconds: 0,
            milliseconds: 0,
        },
    )
}

/// All text of a page in one BT/ET section, then the rules.
fn page_ops(page: &Page, page_height: f32, faces: &[&FaceData; 4]) -> Vec<Op> {
    let rules = joined(
        page.items
            .iter()
            .filter_map(|item| match item {
                Item::Rule(rule) => Some(rule.clone()),
                Item::Text(_) => None,
            })
            .collect(),
    );
    // Sized once: at 128 bytes an operation, letting a thousand pages' lists
    // grow by doubling cost a hundred megabytes.
    let spans = page.items.iter().filter_map(text).count();
    let mut ops = Vec::with_capacity(3 * spans + 2 * rules.len() + 3);
    ops.push(Op::StartTextSection);
    let mut font: Option<(Face, f32)> = None;
    for span in page.items.iter().filter_map(text) {
        if font != Some((span.face, span.size)) {
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(font_id(span.face)),
                size: Pt(span.size),
            });
            font = Some((span.face, span.size));
        }
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(span.x), Pt(page_height - span.baseline)),
        });
        ops.push(Op::ShowText {
            items: text_items(span, faces[span.face as usize]),
        });
    }
    ops.push(Op::EndTextSection);

    if !rules.is_empty() {
        ops.push(Op::SetOutlineColor {
            col: Color::Greyscale(Greyscale {
                percent: 0.0,
                icc_profile: None,
            }),
        });
    }
    let mut thickness = None;
    for rule in rules {
        if thickness != Some(rule.thickness) {
            ops.push(Op::SetOutlineThickness {
                pt: Pt(rule.thickness),
            });
            thickness = Some(rule.thickness);
        }
        let point = |x: f32, y: f32| LinePoint {
            p: Point {
                x: Pt(x),
                y: Pt(page_height - y),
            },
            bezier: false,
        };
        ops.push(Op::DrawLine {
            line: Line {
                points: vec![point(rule.x1, rule.y1), point(rule.x2, rule.y2)],
                is_closed: false,
            },
        });
    }
    ops
}

/// Rules that continue one another joined into one: the layout draws a
/// table's borders cell by cell, so a column border down a full page is
/// dozens of segments end to end. One line each draws the same picture
/// with a fraction of the operations (a national report's PDF holds a
/// quarter million fewer). Sorted, so the output does not depend on the
/// order the layout listed them in.
fn joined(rules: Vec<Rule>) -> Vec<Rule> {
    // The line a straight rule lies on: direction, position across it and
    // thickness. Slanted rules are left as they are.
    let line = |r: &Rule| {
        if r.x1 == r.x2 {
            Some((true, r.x1.to_bits(), r.thickness.to_bits()))
        } else if r.y1 == r.y2 {
            Some((false, r.y1.to_bits(), r.thickness.to_bits()))
        } else {
            None
        }
    };
    let span = |r: &Rule| {
        if r.x1 == r.x2 {
            (r.y1, r.y2)
        } else {
            (r.x1, r.x2)
        }
    };
    let mut rules: Vec<Rule> = rules
        .into_iter()
        .map(|r| {
            // Each from its smaller end, so ends compare directly.
            if (r.x1, r.y1) > (r.x2, r.y2) {
                Rule {
                    x1: r.x2,
                    y1: r.y2,
                    x2: r.x1,
                    y2: r.y1,
                    ..r
                }
            } else {
                r
            }
        })
        .collect();
    rules.sort_by(|a, b| line(a).cmp(&line(b)).then(span(a).0.total_cmp(&span(b).0)));
    let mut out: Vec<Rule> = Vec::with_capacity(rules.len());
    for r in rules {
        match out.last_mut() {
            Some(last)
                if line(last).is_some()
                    && line(last) == line(&r)
                    && span(&r).0 <= span(last).1 + EPS =>
            {
                last.x2 = last.x2.max(r.x2);
                last.y2 = last.y2.max(r.y2);
            }
            _ => out.push(r),
        }
    }
    out
}

/// The span's text; for a justified line each space is followed by a
/// kern widening it (negative) or narrowing it (a shrunk line; word spacing
/// `Tw` is ignored for 2-byte codes) and making up what the `/W` widths of
/// the word before it lack (see `FaceData::pdf_advance`), so each word starts
/// where the layout put it and the line ends at the margin.
fn text_items(span: &Span, face: &FaceData) -> Vec<TextItem> {
    if span.gap_extra == 0.0 {
        return vec![TextItem::Text(span.text.clone())];
    }
    let kern = -span.gap_extra * 1000.0 / span.size;
    let lack = |text: &str| -> f32 {
        text.chars()
            .filter_map(|c| Some(face.advance(c)? - face.pdf_advance(c)?))
            .sum()
    };
    let mut items = Vec::with_capacity(2 * span.text.matches(' ').count() + 1);
    let mut rest = span.text.as_str();
    while let Some(at) = rest.find(' ') {
        items.push(TextItem::Text(rest[..=at].to_string()));
        items.push(TextItem::Offset(kern - lack(&rest[..=at])));
        rest = &rest[at + 1..];
    }
    if !rest.is_empty() {
        items.push(TextItem::Text(rest.to_string()));
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(x1: f32, y1: f32, x2: f32, y2: f32, thickness: f32) -> Rule {
        Rule {
            x1,
            y1,
            x2,
            y2,
            thickness,
        }
    }

    #[test]
    fn rules_end_to_end_become_one_line() {
        let column = |top: f32| rule(50.0, top, 50.0, top + 20.0, 0.5);
        let mut given = vec![
            column(40.0),
            column(0.0),
            column(20.0),
            // Drawn upwards: the same line.
            rule(50.0, 80.0, 50.0, 60.0, 0.5),
            // A gap: a line of its own.
            column(100.0),
            // Thicker, or on another x: not the same line.
            rule(50.0, 120.0, 50.0, 140.0, 1.0),
            rule(60.0, 0.0, 60.0, 20.0, 0.5),
            // Rows' bottom borders, end to end and reversed.
            rule(10.0, 20.0, 50.0, 20.0, 0.5),
            rule(90.0, 20.0, 50.0, 20.0, 0.5),
            // Slanted: kept as drawn.
            rule(0.0, 0.0, 10.0, 10.0, 0.5),
        ];
        let expected = joined(given.clone());
        let show = |rules: &[Rule]| {
            rules
                .iter()
                .map(|r| (r.x1, r.y1, r.x2, r.y2, r.thickness))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            show(&expected),
            [
                (0.0, 0.0, 10.0, 10.0, 0.5),
                (10.0, 20.0, 90.0, 20.0, 0.5),
                (50.0, 0.0, 50.0, 80.0, 0.5),
                (50.0, 100.0, 50.0, 120.0, 0.5),
                (50.0, 120.0, 50.0, 140.0, 1.0),
                (60.0, 0.0, 60.0, 20.0, 0.5),
            ]
        );
        given.reverse();
        assert_eq!(
            show(&joined(given)),
            show(&expected),
            "order does not matter"
        );
    }
}
