//! docx-rs's XML, put in the order the OOXML schema requires.
//!
//! WordprocessingML's property containers (`w:pPr`, `w:rPr`, `w:tblPr`,
//! `w:sectPr`, `w:style`, ...) are `xsd:sequence`s: their children must
//! come in one fixed order. docx-rs writes them in an order of its own
//! (`w:rPr` first in `w:pPr`, `w:jc` before `w:spacing`, ...). LibreOffice
//! forgives that; Word reports "unreadable content" and repairs or refuses
//! the file. This pass rewrites each part (and each body element as it is
//! streamed) with the children of every container below in schema order
//! (ECMA-376 Part 1, transitional, §17), the rest byte for byte.
//!
//! It is checked, not best-effort: a child the order of its parent does not
//! list is an error, so a docx-rs upgrade that writes something new fails
//! the tests instead of writing a file Word may refuse.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// A child element the schema order of its parent does not know, or XML
/// that is not well formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("phần tử `{child}` không có trong thứ tự lược đồ của `{parent}`")]
    UnknownChild { parent: String, child: String },
    #[error("XML không hợp lệ ở byte {at}: {message}")]
    Malformed { at: u64, message: String },
}

/// One slot of a sequence: the names that may stand there (`w:left` and
/// `w:start` are one slot, as are the header and footer references).
type Slot = &'static [&'static [u8]];

/// Each ordered container and its children's slots, in schema order.
const ORDERS: &[(&[u8], &[Slot])] = &[
    (
        b"w:pPr",
        &[
            &[b"w:pStyle"],
            &[b"w:keepNext"],
            &[b"w:keepLines"],
            &[b"w:pageBreakBefore"],
            &[b"w:framePr"],
            &[b"w:widowControl"],
            &[b"w:numPr"],
            &[b"w:suppressLineNumbers"],
            &[b"w:pBdr"],
            &[b"w:shd"],
            &[b"w:tabs"],
            &[b"w:suppressAutoHyphens"],
            &[b"w:kinsoku"],
            &[b"w:wordWrap"],
            &[b"w:overflowPunct"],
            &[b"w:topLinePunct"],
            &[b"w:autoSpaceDE"],
            &[b"w:autoSpaceDN"],
            &[b"w:bidi"],
            &[b"w:adjustRightInd"],
            &[b"w:snapToGrid"],
            &[b"w:spacing"],
            &[b"w:ind"],
            &[b"w:contextualSpacing"],
            &[b"w:mirrorIndents"],
            &[b"w:suppressOverlap"],
            &[b"w:jc"],
            &[b"w:textDirection"],
            &[b"w:textAlignment"],
            &[b"w:textboxTightWrap"],
            &[b"w:outlineLvl"],
            &[b"w:divId"],
            &[b"w:cnfStyle"],
            &[b"w:rPr"],
            &[b"w:sectPr"],
            &[b"w:pPrChange"],
        ],
    ),
    (
        b"w:rPr",
        &[
            &[b"w:ins"],
            &[b"w:del"],
            &[b"w:moveFrom"],
            &[b"w:moveTo"],
            &[b"w:rStyle"],
            &[b"w:rFonts"],
            &[b"w:b"],
            &[b"w:bCs"],
            &[b"w:i"],
            &[b"w:iCs"],
            &[b"w:caps"],
            &[b"w:smallCaps"],
            &[b"w:strike"],
            &[b"w:dstrike"],
            &[b"w:outline"],
            &[b"w:shadow"],
            &[b"w:emboss"],
            &[b"w:imprint"],
            &[b"w:noProof"],
            &[b"w:snapToGrid"],
            &[b"w:vanish"],
            &[b"w:webHidden"],
            &[b"w:color"],
            &[b"w:spacing"],
            &[b"w:w"],
            &[b"w:kern"],
            &[b"w:position"],
            &[b"w:sz"],
            &[b"w:szCs"],
            &[b"w:highlight"],
            &[b"w:u"],
            &[b"w:effect"],
            &[b"w:bdr"],
            &[b"w:shd"],
            &[b"w:fitText"],
            &[b"w:vertAlign"],
            &[b"w:rtl"],
            &[b"w:cs"],
            &[b"w:em"],
            &[b"w:lang"],
            &[b"w:eastAsianLayout"],
            &[b"w:specVanish"],
            &[b"w:oMath"],
            &[b"w:rPrChange"],
        ],
    ),
    (
        b"w:tblPr",
        &[
            &[b"w:tblStyle"],
            &[b"w:tblpPr"],
            &[b"w:tblOverlap"],
            &[b"w:bidiVisual"],
            &[b"w:tblStyleRowBandSize"],
            &[b"w:tblStyleColBandSize"],
            &[b"w:tblW"],
            &[b"w:jc"],
            &[b"w:tblCellSpacing"],
            &[b"w:tblInd"],
            &[b"w:tblBorders"],
            &[b"w:shd"],
            &[b"w:tblLayout"],
            &[b"w:tblCellMar"],
            &[b"w:tblLook"],
            &[b"w:tblCaption"],
            &[b"w:tblDescription"],
            &[b"w:tblPrChange"],
        ],
    ),
    (
        b"w:tcPr",
        &[
            &[b"w:cnfStyle"],
            &[b"w:tcW"],
            &[b"w:gridSpan"],
            &[b"w:hMerge"],
            &[b"w:vMerge"],
            &[b"w:tcBorders"],
            &[b"w:shd"],
            &[b"w:noWrap"],
            &[b"w:tcMar"],
            &[b"w:textDirection"],
            &[b"w:tcFitText"],
            &[b"w:vAlign"],
            &[b"w:hideMark"],
            &[b"w:headers"],
            &[b"w:cellIns"],
            &[b"w:cellDel"],
            &[b"w:cellMerge"],
            &[b"w:tcPrChange"],
        ],
    ),
    // A table's borders are a cell's without the diagonals.
    (b"w:tblBorders", CELL_BORDERS.split_at(6).0),
    (b"w:tcBorders", CELL_BORDERS),
    (
        b"w:pBdr",
        &[
            &[b"w:top"],
            &[b"w:left"],
            &[b"w:bottom"],
            &[b"w:right"],
            &[b"w:between"],
            &[b"w:bar"],
        ],
    ),
    (b"w:tblCellMar", BOX),
    (b"w:tcMar", BOX),
    (
        b"w:sectPr",
        &[
            &[b"w:headerReference", b"w:footerReference"],
            &[b"w:footnotePr"],
            &[b"w:endnotePr"],
            &[b"w:type"],
            &[b"w:pgSz"],
            &[b"w:pgMar"],
            &[b"w:paperSrc"],
            &[b"w:pgBorders"],
            &[b"w:lnNumType"],
            &[b"w:pgNumType"],
            &[b"w:cols"],
            &[b"w:formProt"],
            &[b"w:vAlign"],
            &[b"w:noEndnote"],
            &[b"w:titlePg"],
            &[b"w:textDirection"],
            &[b"w:bidi"],
            &[b"w:rtlGutter"],
            &[b"w:docGrid"],
            &[b"w:printerSettings"],
            &[b"w:sectPrChange"],
        ],
    ),
    (
        b"w:style",
        &[
            &[b"w:name"],
            &[b"w:aliases"],
            &[b"w:basedOn"],
            &[b"w:next"],
            &[b"w:link"],
            &[b"w:autoRedefine"],
            &[b"w:hidden"],
            &[b"w:uiPriority"],
            &[b"w:semiHidden"],
            &[b"w:unhideWhenUsed"],
            &[b"w:qFormat"],
            &[b"w:locked"],
            &[b"w:personal"],
            &[b"w:personalCompose"],
            &[b"w:personalReply"],
            &[b"w:rsid"],
            &[b"w:pPr"],
            &[b"w:rPr"],
            &[b"w:tblPr"],
            &[b"w:trPr"],
            &[b"w:tcPr"],
            &[b"w:tblStylePr"],
        ],
    ),
    (b"w:docDefaults", &[&[b"w:rPrDefault"], &[b"w:pPrDefault"]]),
    (
        b"w:lvl",
        &[
            &[b"w:start"],
            &[b"w:numFmt"],
            &[b"w:lvlRestart"],
            &[b"w:pStyle"],
            &[b"w:isLgl"],
            &[b"w:suff"],
            &[b"w:lvlText"],
            &[b"w:lvlPicBulletId"],
            &[b"w:legacy"],
            &[b"w:lvlJc"],
            &[b"w:pPr"],
            &[b"w:rPr"],
        ],
    ),
    (b"w:settings", SETTINGS),
];

const BOX: &[Slot] = &[
    &[b"w:top"],
    &[b"w:left", b"w:start"],
    &[b"w:bottom"],
    &[b"w:right", b"w:end"],
];

const CELL_BORDERS: &[Slot] = &[
    &[b"w:top"],
    &[b"w:left", b"w:start"],
    &[b"w:bottom"],
    &[b"w:right", b"w:end"],
    &[b"w:insideH"],
    &[b"w:insideV"],
    &[b"w:tl2br"],
    &[b"w:tr2bl"],
];

/// CT_Settings, in full: docx-rs writes few of these, but which ones
/// depends on its version.
const SETTINGS: &[Slot] = &[
    &[b"w:writeProtection"],
    &[b"w:view"],
    &[b"w:zoom"],
    &[b"w:removePersonalInformation"],
    &[b"w:removeDateAndTime"],
    &[b"w:doNotDisplayPageBoundaries"],
    &[b"w:displayBackgroundShape"],
    &[b"w:printPostScriptOverText"],
    &[b"w:printFractionalCharacterWidth"],
    &[b"w:printFormsData"],
    &[b"w:embedTrueTypeFonts"],
    &[b"w:embedSystemFonts"],
    &[b"w:saveSubsetFonts"],
    &[b"w:saveFormsData"],
    &[b"w:mirrorMargins"],
    &[b"w:alignBordersAndEdges"],
    &[b"w:bordersDoNotSurroundHeader"],
    &[b"w:bordersDoNotSurroundFooter"],
    &[b"w:gutterAtTop"],
    &[b"w:hideSpellingErrors"],
    &[b"w:hideGrammaticalErrors"],
    &[b"w:activeWritingStyle"],
    &[b"w:proofState"],
    &[b"w:formsDesign"],
    &[b"w:attachedTemplate"],
    &[b"w:linkStyles"],
    &[b"w:stylePaneFormatFilter"],
    &[b"w:stylePaneSortMethod"],
    &[b"w:documentType"],
    &[b"w:mailMerge"],
    &[b"w:revisionView"],
    &[b"w:trackRevisions"],
    &[b"w:doNotTrackMoves"],
    &[b"w:doNotTrackFormatting"],
    &[b"w:documentProtection"],
    &[b"w:autoFormatOverride"],
    &[b"w:styleLockTheme"],
    &[b"w:styleLockQFSet"],
    &[b"w:defaultTabStop"],
    &[b"w:autoHyphenation"],
    &[b"w:consecutiveHyphenLimit"],
    &[b"w:hyphenationZone"],
    &[b"w:doNotHyphenateCaps"],
    &[b"w:showEnvelope"],
    &[b"w:summaryLength"],
    &[b"w:clickAndTypeStyle"],
    &[b"w:defaultTableStyle"],
    &[b"w:evenAndOddHeaders"],
    &[b"w:bookFoldRevPrinting"],
    &[b"w:bookFoldPrinting"],
    &[b"w:bookFoldPrintingSheets"],
    &[b"w:drawingGridHorizontalSpacing"],
    &[b"w:drawingGridVerticalSpacing"],
    &[b"w:displayHorizontalDrawingGridEvery"],
    &[b"w:displayVerticalDrawingGridEvery"],
    &[b"w:doNotUseMarginsForDrawingGridOrigin"],
    &[b"w:drawingGridHorizontalOrigin"],
    &[b"w:drawingGridVerticalOrigin"],
    &[b"w:doNotShadeFormData"],
    &[b"w:noPunctuationKerning"],
    &[b"w:characterSpacingControl"],
    &[b"w:printTwoOnOne"],
    &[b"w:strictFirstAndLastChars"],
    &[b"w:noLineBreaksAfter"],
    &[b"w:noLineBreaksBefore"],
    &[b"w:savePreviewPicture"],
    &[b"w:doNotValidateAgainstSchema"],
    &[b"w:saveInvalidXml"],
    &[b"w:ignoreMixedContent"],
    &[b"w:alwaysShowPlaceholderText"],
    &[b"w:doNotDemarcateInvalidXml"],
    &[b"w:saveXmlDataOnly"],
    &[b"w:useXSLTWhenSaving"],
    &[b"w:saveThroughXslt"],
    &[b"w:showXMLTags"],
    &[b"w:alwaysMergeEmptyNamespace"],
    &[b"w:updateFields"],
    &[b"w:hdrShapeDefaults"],
    &[b"w:footnotePr"],
    &[b"w:endnotePr"],
    &[b"w:compat"],
    &[b"w:docVars"],
    &[b"w:rsids"],
    &[b"m:mathPr"],
    &[b"w:attachedSchema"],
    &[b"w:themeFontLang"],
    &[b"w:clrSchemeMapping"],
    &[b"w:doNotIncludeSubdocsInStats"],
    &[b"w:doNotAutoCompressPictures"],
    &[b"w:forceUpgrade"],
    &[b"w:captions"],
    &[b"w:readModeInkLockDown"],
    &[b"w:smartTagType"],
    &[b"sl:schemaLibrary"],
    &[b"w:shapeDefaults"],
    &[b"w:doNotEmbedSmartTags"],
    &[b"w:decimalSymbol"],
    &[b"w:listSeparator"],
    &[b"w14:docId"],
    &[b"w15:docId"],
];

/// Attributes docx-rs writes that the schema does not declare: grid
/// columns are always in twips, so `w:gridCol` has no `w:type`.
const UNDECLARED: &[(&[u8], &[u8])] = &[(b"w:gridCol", b"w:type")];

fn order_of(name: &[u8]) -> Option<&'static [Slot]> {
    ORDERS.iter().find(|(n, _)| *n == name).map(|(_, o)| *o)
}

fn rank(order: &[Slot], child: &[u8]) -> Option<usize> {
    order.iter().position(|slot| slot.contains(&child))
}

/// An element still open, and where it and its children went in `out`.
struct Open {
    /// Its name, as a range of the input.
    name: (usize, usize),
    order: Option<&'static [Slot]>,
    /// Where its children's records start in [`Orderer::children`].
    first_child: usize,
    /// Where it starts in `out`, and its rank in its parent.
    start: usize,
    rank: Option<usize>,
}

/// (rank, start, end) of a child of an ordered element in `out`.
type Child = (usize, usize, usize);

/// The pass, with buffers kept from one element to the next: the body is
/// ordered element by element, and allocating for each would cost more
/// than the ordering.
#[derive(Default)]
pub struct Orderer {
    stack: Vec<Open>,
    children: Vec<Child>,
    region: Vec<u8>,
    sorted: Vec<Child>,
    /// Containers already put in order, by their bytes as docx-rs wrote
    /// them (see [`Orderer::write_element`]).
    done: HashMap<Vec<u8>, Vec<u8>>,
}

/// How many distinct containers [`Orderer::write_element`] remembers: a
/// report has a few dozen (one per paragraph kind, table column, run
/// style); the bound only caps what a pathological document can cost.
const REMEMBERED: usize = 4096;

impl Orderer {
    /// Like [`Orderer::write`], for the body's elements (one paragraph or
    /// table row at a time): the outermost ordered containers in `xml` are
    /// found with `memmem` (markup in WordprocessingML starts with `<w:`,
    /// and text and attribute values never hold a raw `<`), and each
    /// distinct one is ordered once and remembered. Tens of thousands of
    /// rows repeat the same few property blocks; their text is copied.
    pub fn write_element(&mut self, xml: &[u8], out: &mut Vec<u8>) -> Result<(), SchemaError> {
        let mut copied = 0;
        let mut from = 0;
        while let Some(found) = memchr::memmem::find(&xml[from..], b"<w:") {
            let at = from + found;
            let name_end = xml[at + 1..]
                .iter()
                .position(|&b| matches!(b, b' ' | b'>' | b'/'))
                .map_or(xml.len(), |n| at + 1 + n);
            let name = &xml[at + 1..name_end];
            let opens = xml.get(name_end) != Some(&b'/')
                && memchr::memchr(b'>', &xml[name_end..])
                    .is_some_and(|gt| xml[name_end + gt - 1] != b'/');
            if order_of(name).is_none() || !opens {
                from = name_end;
                continue;
            }
            let mut close = Vec::with_capacity(name.len() + 3);
            close.extend_from_slice(b"</");
            close.extend_from_slice(name);
            close.push(b'>');
            let Some(end) = memchr::memmem::find(&xml[at..], &close).map(|e| at + e + close.len())
            else {
                break; // malformed: the full pass below says where
            };
            out.extend_from_slice(&xml[copied..at]);
            let container = &xml[at..end];
            match self.done.get(container) {
                Some(ordered) => out.extend_from_slice(ordered),
                None => {
                    let start = out.len();
                    self.write(container, out)?;
                    if self.done.len() >= REMEMBERED {
                        self.done.clear();
                    }
                    self.done.insert(container.to_vec(), out[start..].to_vec());
                }
            }
            copied = end;
            from = end;
        }
        // Around the containers there is no ordered element left.
        out.extend_from_slice(&xml[copied..]);
        Ok(())
    }

    /// Appends `xml` (a whole part, or one complete element) to `out` with
    /// the children of every ordered container in schema order.
    pub fn write(&mut self, xml: &[u8], out: &mut Vec<u8>) -> Result<(), SchemaError> {
        self.stack.clear();
        self.children.clear();
        let mut reader = Reader::from_reader(xml);
        let mut from = 0usize;
        loop {
            let event = reader.read_event().map_err(|e| SchemaError::Malformed {
                at: reader.buffer_position(),
                message: e.to_string(),
            })?;
            let to = reader.buffer_position() as usize;
            let raw = &xml[from..to];
            let at = from;
            from = to;
            match event {
                Event::Start(e) => {
                    let name = (at + 1, at + 1 + e.name().as_ref().len());
                    let rank = self.child_rank(xml, &xml[name.0..name.1])?;
                    self.stack.push(Open {
                        name,
                        order: order_of(&xml[name.0..name.1]),
                        first_child: self.children.len(),
                        start: out.len(),
                        rank,
                    });
                    out.extend_from_slice(raw);
                }
                Event::End(_) => {
                    let open = self.stack.pop().ok_or_else(|| SchemaError::Malformed {
                        at: to as u64,
                        message: "thẻ đóng thừa".into(),
                    })?;
                    self.sort_children(out, open.first_child);
                    self.children.truncate(open.first_child);
                    out.extend_from_slice(raw);
                    self.close_child(open.rank, open.start, out.len());
                }
                Event::Empty(e) => {
                    let name = &raw[1..1 + e.name().as_ref().len()];
                    // docx-rs writes an empty `w:rPr` into every `w:pPr`: it
                    // says nothing, and in styles and numbering the schema
                    // does not allow it there at all.
                    if name == b"w:rPr"
                        && self
                            .stack
                            .last()
                            .is_some_and(|p| &xml[p.name.0..p.name.1] == b"w:pPr")
                    {
                        continue;
                    }
                    let rank = self.child_rank(xml, name)?;
                    let start = out.len();
                    match UNDECLARED.iter().find(|(n, _)| *n == name) {
                        Some((_, attribute)) => without_attribute(&e, name, attribute, out),
                        None => out.extend_from_slice(raw),
                    }
                    self.close_child(rank, start, out.len());
                }
                // Layout whitespace between ordered children would be moved
                // with the wrong neighbour; docx-rs writes none, and it means
                // nothing there.
                Event::Text(t)
                    if self.stack.last().is_some_and(|p| p.order.is_some())
                        && t.iter().all(u8::is_ascii_whitespace) => {}
                Event::Eof => break,
                _ => out.extend_from_slice(raw),
            }
        }
        match self.stack.last() {
            None => Ok(()),
            Some(open) => Err(SchemaError::Malformed {
                at: xml.len() as u64,
                message: format!(
                    "`{}` chưa được đóng",
                    String::from_utf8_lossy(&xml[open.name.0..open.name.1])
                ),
            }),
        }
    }

    /// The rank of `child` in the order of the innermost open element, if
    /// that element is ordered.
    fn child_rank(&self, xml: &[u8], child: &[u8]) -> Result<Option<usize>, SchemaError> {
        let Some(parent) = self.stack.last() else {
            return Ok(None);
        };
        let Some(order) = parent.order else {
            return Ok(None);
        };
        rank(order, child)
            .map(Some)
            .ok_or_else(|| SchemaError::UnknownChild {
                parent: String::from_utf8_lossy(&xml[parent.name.0..parent.name.1]).into_owned(),
                child: String::from_utf8_lossy(child).into_owned(),
            })
    }

    fn close_child(&mut self, rank: Option<usize>, start: usize, end: usize) {
        if let (Some(_), Some(rank)) = (self.stack.last(), rank) {
            self.children.push((rank, start, end));
        }
    }

    /// Rearranges the children from `first` (contiguous in `out`) by rank;
    /// a stable sort, so repeated children of one slot keep their order.
    fn sort_children(&mut self, out: &mut [u8], first: usize) {
        let children = &self.children[first..];
        if children.is_sorted_by_key(|c| c.0) {
            return;
        }
        let (begin, end) = (children[0].1, children[children.len() - 1].2);
        self.region.clear();
        self.region.extend_from_slice(&out[begin..end]);
        self.sorted.clear();
        self.sorted.extend_from_slice(children);
        self.sorted.sort_by_key(|c| c.0);
        let mut at = begin;
        for &(_, start, end) in &self.sorted {
            let piece = &self.region[start - begin..end - begin];
            out[at..at + piece.len()].copy_from_slice(piece);
            at += piece.len();
        }
    }
}

fn without_attribute(e: &BytesStart<'_>, name: &[u8], attribute: &[u8], out: &mut Vec<u8>) {
    out.push(b'<');
    out.extend_from_slice(name);
    for a in e.attributes().flatten() {
        if a.key.as_ref() != attribute {
            out.push(b' ');
            out.extend_from_slice(a.key.as_ref());
            out.extend_from_slice(b"=\"");
            out.extend_from_slice(&a.value);
            out.push(b'"');
        }
    }
    out.extend_from_slice(b" />");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ordered(xml: &str) -> Result<String, SchemaError> {
        let mut out = Vec::new();
        Orderer::default().write(xml.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn puts_nested_containers_in_schema_order_and_keeps_the_rest() {
        let xml = r#"<w:p><w:pPr><w:rPr /><w:jc w:val="both" /><w:spacing w:after="0" /><w:pStyle w:val="A" /></w:pPr><w:r><w:rPr><w:sz w:val="24" /><w:b /></w:rPr><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p>"#;
        assert_eq!(
            ordered(xml).unwrap(),
            r#"<w:p><w:pPr><w:pStyle w:val="A" /><w:spacing w:after="0" /><w:jc w:val="both" /></w:pPr><w:r><w:rPr><w:b /><w:sz w:val="24" /></w:rPr><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p>"#
        );
    }

    #[test]
    fn body_elements_ordered_from_memory_match_the_full_pass() {
        let mut orderer = Orderer::default();
        let elements = [
            r#"<w:p w14:paraId="1"><w:pPr><w:rPr /><w:jc w:val="both" /><w:pStyle w:val="A" /></w:pPr><w:r><w:rPr><w:sz w:val="24" /><w:b /></w:rPr><w:t>a &lt;w:b&gt;</w:t></w:r><w:r><w:rPr><w:i /><w:rFonts w:ascii="X" /></w:rPr><w:t>b</w:t></w:r></w:p>"#,
            r#"<w:p w14:paraId="2"><w:pPr><w:rPr /><w:jc w:val="both" /><w:pStyle w:val="A" /></w:pPr><w:r><w:rPr><w:sz w:val="24" /><w:b /></w:rPr><w:t>c</w:t></w:r></w:p>"#,
            r#"<w:tr><w:trPr><w:cantSplit /><w:tblHeader /></w:trPr><w:tc><w:tcPr><w:vAlign w:val="center" /><w:tcW w:w="1" w:type="dxa" /></w:tcPr><w:p><w:r><w:br w:type="page" /></w:r></w:p></w:tc></w:tr>"#,
            r#"<w:p><w:r><w:t>no properties</w:t></w:r></w:p>"#,
        ];
        for xml in elements {
            let mut full = Vec::new();
            Orderer::default().write(xml.as_bytes(), &mut full).unwrap();
            for _ in 0..2 {
                let mut fast = Vec::new();
                orderer.write_element(xml.as_bytes(), &mut fast).unwrap();
                assert_eq!(
                    String::from_utf8(fast).unwrap(),
                    String::from_utf8(full.clone()).unwrap()
                );
            }
        }
        let mut out = Vec::new();
        assert!(matches!(
            orderer.write_element(b"<w:p><w:pPr><w:madeUp /></w:pPr></w:p>", &mut out),
            Err(SchemaError::UnknownChild { .. })
        ));
    }

    #[test]
    fn one_slot_keeps_the_order_it_was_given() {
        let xml = r#"<w:sectPr><w:pgSz w:w="1" /><w:headerReference w:type="default" /><w:headerReference w:type="first" /><w:titlePg /></w:sectPr>"#;
        assert_eq!(
            ordered(xml).unwrap(),
            r#"<w:sectPr><w:headerReference w:type="default" /><w:headerReference w:type="first" /><w:pgSz w:w="1" /><w:titlePg /></w:sectPr>"#
        );
    }

    #[test]
    fn drops_only_the_undeclared_attribute() {
        assert_eq!(
            ordered(r#"<w:tblGrid><w:gridCol w:w="100" w:type="dxa" /></w:tblGrid>"#).unwrap(),
            r#"<w:tblGrid><w:gridCol w:w="100" /></w:tblGrid>"#
        );
    }

    #[test]
    fn an_unknown_child_is_an_error_not_a_guess() {
        assert_eq!(
            ordered("<w:pPr><w:madeUp /></w:pPr>"),
            Err(SchemaError::UnknownChild {
                parent: "w:pPr".into(),
                child: "w:madeUp".into()
            })
        );
        assert!(matches!(
            ordered("<w:p><w:pPr>"),
            Err(SchemaError::Malformed { .. })
        ));
    }
}
