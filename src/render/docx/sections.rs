//! Where the body, the annex and the sections' properties go in the
//! document docx-rs builds around them, and the properties of the sections
//! after page 1's.
//!
//! Word keeps a section's properties in its last paragraph (`w:sectPr` in
//! `w:pPr`) and the last section's at the end of the body. Page 1's section
//! keeps what docx-rs wrote: the header references and `w:titlePg` (no page
//! number on page 1). A later section names no header, so it goes on with
//! the previous one's; it sets its paper, turned or not, and the annex's
//! first section numbers its pages from 1 again, without a number on its
//! first page (the first-page header it goes on with is page 1's, empty).

use std::ops::Range;

use docx_rs::{
    BuildXML, PageMargin, PageNumType, PageOrientationType, PageSize, Paragraph, Run,
    SectionProperty,
};

use super::{mm, DocxError};
use crate::document::{Orientation, PageSettings};

/// What is written into the frame docx-rs built, in document order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    /// The body, in place of its marker paragraph (after the title).
    Body,
    /// The annex, in place of its marker paragraph (after the closing
    /// block).
    Annex,
    /// The last section's properties, in place of those docx-rs wrote.
    LastSection,
}

/// A slot and the bytes of the frame document it replaces.
pub(super) type Placed = (Range<usize>, Slot);

impl Slot {
    /// Text no report can contain (private-use characters), marking where
    /// the body or the annex goes.
    fn marker(self) -> &'static str {
        match self {
            Slot::Body => "\u{E000}khuyencong-body\u{E000}",
            Slot::Annex => "\u{E000}khuyencong-annex\u{E000}",
            Slot::LastSection => "",
        }
    }
}

/// The paragraph standing where the body or the annex goes.
pub(super) fn marker(slot: Slot) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(slot.marker()))
}

/// Page 1's section properties as docx-rs wrote them, where they are in
/// the frame document, and where the slots are, in document order: the
/// annex's only if the document has one, and the last section's only if
/// it is not page 1's (the frame's bytes are written in as few pieces as
/// can be, as the compressor's output depends on them).
pub(super) fn slots(frame: &[u8], sections: usize) -> Result<(&str, Vec<Placed>), DocxError> {
    let text = std::str::from_utf8(frame).map_err(|_| DocxError::Splice {
        part: "word/document.xml",
        what: "phần thân văn bản (XML không phải UTF-8)",
    })?;
    let missing = |what| DocxError::Splice {
        part: "word/document.xml",
        what,
    };
    let paragraph = |slot: Slot| {
        let at = text.find(slot.marker())?;
        let start = text[..at].rfind("<w:p ")?;
        let end = text[at..].find("</w:p>")? + at + "</w:p>".len();
        Some((start..end, slot))
    };
    let body = paragraph(Slot::Body).ok_or(missing("phần thân văn bản"))?;
    let start = text
        .rfind("<w:sectPr")
        .ok_or(missing("thuộc tính vùng trang cuối (w:sectPr)"))?;
    let end = text[start..]
        .find("</w:sectPr>")
        .ok_or(missing("thuộc tính vùng trang cuối (w:sectPr)"))?
        + start
        + "</w:sectPr>".len();
    let last = (sections > 1).then_some((start..end, Slot::LastSection));
    let slots = [Some(body), paragraph(Slot::Annex), last];
    Ok((&text[start..end], slots.into_iter().flatten().collect()))
}

/// The properties of a section after page 1's: its paper, turned as
/// `orientation` says, and the document's margins; when it numbers its
/// pages from 1 again (`restart`: the annex), its first page shows no
/// number (`w:titlePg`, with page 1's empty first-page header).
pub(super) fn later(
    s: &PageSettings,
    orientation: Orientation,
    restart: bool,
    margin: PageMargin,
) -> Result<String, DocxError> {
    let (width, height) = s.paper_mm(orientation);
    let mut size = PageSize::new().size(mm(width) as u32, mm(height) as u32);
    if orientation == Orientation::Landscape {
        size = size.orient(PageOrientationType::Landscape);
    }
    let mut props = SectionProperty::new().page_size(size).page_margin(margin);
    if restart {
        props = props.title_pg().page_num_type(PageNumType::new().start(1));
    }
    // In schema order: the last section's properties are written as they
    // are, not through the body's pass.
    let xml = super::ordered("word/document.xml", &props.build())?;
    Ok(String::from_utf8_lossy(&xml).into_owned())
}
