//! The four Liberation Serif faces compiled into the binary: parsed once,
//! measured with their exact advances (as Word and LibreOffice measure
//! Times New Roman, whose widths these are), and subset per PDF so only
//! the glyphs actually drawn are embedded.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use allsorts::binary::read::ReadScope;
use allsorts::font::read_cmap_subtable;
use allsorts::font_data::FontData;
use allsorts::subset::{subset as subset_glyphs, CmapTarget, SubsetProfile};
use allsorts::tables::cmap::Cmap;
use allsorts::tables::{HeadTable, HheaTable, HmtxTable, MaxpTable, OpenTypeData, OpenTypeFont};
use allsorts::tag::{self, DisplayTag};
use printpdf::ParsedFont;
use sha2::{Digest, Sha256};

/// A face that cannot be read or subset (a damaged build, never user data).
#[derive(Debug, Clone, thiserror::Error)]
#[error("lỗi phông chữ: {0}")]
pub struct FontError(pub String);

/// One of the four faces; a run's bold/italic flags choose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Face {
    Regular,
    Bold,
    Italic,
    BoldItalic,
}

impl Face {
    pub const ALL: [Face; 4] = [Face::Regular, Face::Bold, Face::Italic, Face::BoldItalic];

    pub fn new(bold: bool, italic: bool) -> Face {
        match (bold, italic) {
            (false, false) => Face::Regular,
            (true, false) => Face::Bold,
            (false, true) => Face::Italic,
            (true, true) => Face::BoldItalic,
        }
    }

    /// PostScript name, written (with a subset tag) as the PDF /BaseFont.
    pub fn postscript_name(self) -> &'static str {
        match self {
            Face::Regular => "LiberationSerif",
            Face::Bold => "LiberationSerif-Bold",
            Face::Italic => "LiberationSerif-Italic",
            Face::BoldItalic => "LiberationSerif-BoldItalic",
        }
    }

    /// The face's file, as compiled into the binary.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Face::Regular => include_bytes!("../../assets/fonts/LiberationSerif-Regular.ttf"),
            Face::Bold => include_bytes!("../../assets/fonts/LiberationSerif-Bold.ttf"),
            Face::Italic => include_bytes!("../../assets/fonts/LiberationSerif-Italic.ttf"),
            Face::BoldItalic => include_bytes!("../../assets/fonts/LiberationSerif-BoldItalic.ttf"),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A face's character map, its advance widths (read in place from the bytes
/// compiled into the binary) and its vertical metrics in em.
pub struct FaceData {
    /// (code point, glyph) sorted by code point: allsorts looks a character
    /// up by scanning every cmap segment, hundreds of steps for the
    /// Vietnamese letters at the end of the table; this is a binary search.
    chars: Vec<(u32, u16)>,
    /// The advance of each entry of `chars`, in thousandths of an em: every
    /// width the frame, the prepared layout and the PDF layout measure is
    /// one lookup, not a read of `hmtx`.
    advances: Vec<f32>,
    /// Advances of ASCII, the bulk of any report, by code point (NaN: none).
    ascii: [f32; 128],
    /// Height above the baseline, in em.
    pub ascent: f32,
    /// Depth below the baseline, in em (positive).
    pub descent: f32,
    /// Single line spacing (ascent + descent + line gap), in em.
    pub line_height: f32,
}

impl FaceData {
    fn parse(face: Face) -> Result<FaceData, String> {
        let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", face.postscript_name());
        let scope = ReadScope::new(face.bytes());
        let font = scope
            .read::<OpenTypeFont<'static>>()
            .map_err(|e| fail(&e))?;
        let OpenTypeData::Single(tables) = font.data else {
            return Err(fail(&"là một bộ sưu tập phông, không phải một phông"));
        };
        let table = |tag| match tables.read_table(&font.scope, tag) {
            Ok(Some(table)) => Ok(table),
            Ok(None) => Err(fail(&format!("thiếu bảng {}", DisplayTag(tag)))),
            Err(e) => Err(fail(&e)),
        };
        let head = table(tag::HEAD)?
            .read::<HeadTable>()
            .map_err(|e| fail(&e))?;
        let hhea = table(tag::HHEA)?
            .read::<HheaTable>()
            .map_err(|e| fail(&e))?;
        let maxp = table(tag::MAXP)?
            .read::<MaxpTable>()
            .map_err(|e| fail(&e))?;
        let hmtx = table(tag::HMTX)?
            .read_dep::<HmtxTable<'_>>((
                usize::from(maxp.num_glyphs),
                usize::from(hhea.num_h_metrics),
            ))
            .map_err(|e| fail(&e))?;
        let cmap = table(tag::CMAP)?.read::<Cmap<'_>>().map_err(|e| fail(&e))?;
        let (_, cmap) = read_cmap_subtable(&cmap)
            .map_err(|e| fail(&e))?
            .ok_or_else(|| fail(&"không có bảng mã Unicode"))?;
        let mut chars = Vec::new();
        cmap.mappings_fn(|ch, gid| chars.push((ch, gid)))
            .map_err(|e| fail(&e))?;
        chars.sort_unstable();
        chars.dedup_by_key(|&mut (ch, _)| ch);
        let upm = f32::from(head.units_per_em);
        // Exact, as Word and LibreOffice measure: a line breaks where
        // theirs does (see `pdf_advance` for what the PDF's `/W` says).
        let advances: Vec<f32> = chars
            .iter()
            .map(|&(_, gid)| match hmtx.horizontal_advance(gid) {
                Ok(w) if gid != 0 => f32::from(w) * 1000.0 / upm,
                _ => f32::NAN,
            })
            .collect();
        let mut ascii = [f32::NAN; 128];
        for (&(ch, _), &w) in chars.iter().zip(&advances) {
            if let Some(slot) = ascii.get_mut(ch as usize) {
                *slot = w;
            }
        }
        Ok(FaceData {
            chars,
            advances,
            ascii,
            ascent: f32::from(hhea.ascender) / upm,
            descent: -f32::from(hhea.descender) / upm,
            line_height: (f32::from(hhea.ascender) - f32::from(hhea.descender)
                + f32::from(hhea.line_gap))
                / upm,
        })
    }

    /// The face's glyph for `ch`, if it has one (glyph 0 is .notdef).
    fn glyph(&self, ch: char) -> Option<u16> {
        let at = self
            .chars
            .binary_search_by_key(&(ch as u32), |&(c, _)| c)
            .ok()?;
        Some(self.chars[at].1).filter(|&g| g != 0)
    }

    /// The advance printpdf writes into the PDF's `/W` array for `ch`: the
    /// exact one truncated to whole thousandths of an em. A viewer's pen
    /// moves by this; the renderer makes up the difference at each space
    /// of a justified line, so words land where the layout put them.
    pub fn pdf_advance(&self, ch: char) -> Option<f32> {
        self.advance(ch).map(f32::trunc)
    }

    /// Advance of `ch` in thousandths of an em (exact, with its fraction),
    /// or `None` when the face has no glyph for it.
    pub fn advance(&self, ch: char) -> Option<f32> {
        let width = match self.ascii.get(ch as usize) {
            Some(&w) => w,
            None => {
                let at = self
                    .chars
                    .binary_search_by_key(&(ch as u32), |&(c, _)| c)
                    .ok()?;
                self.advances[at]
            }
        };
        (!width.is_nan()).then_some(width)
    }
}

/// The four faces, read on first use and shared by every document.
pub fn face(face: Face) -> Result<&'static FaceData, FontError> {
    static FACES: OnceLock<Result<[FaceData; 4], String>> = OnceLock::new();
    let faces = FACES.get_or_init(|| {
        let [regular, bold, italic, bold_italic] = Face::ALL.map(FaceData::parse);
        Ok([regular?, bold?, italic?, bold_italic?])
    });
    match faces {
        Ok(faces) => Ok(&faces[face.index()]),
        Err(message) => Err(FontError(message.clone())),
    }
}

/// Whether every face draws `ch`: what validation asks of each character of
/// the data (a template may set any text bold or italic). Below U+3000
/// (Latin, Vietnamese, punctuation, symbols) the answer comes from a bit
/// set made once from the four character maps.
pub fn in_every_face(ch: char) -> Result<bool, FontError> {
    const KEPT: usize = 0x3000;
    static COMMON: OnceLock<Result<Vec<u64>, FontError>> = OnceLock::new();
    let common = COMMON.get_or_init(|| {
        let mut all = vec![u64::MAX; KEPT / 64];
        for face_id in Face::ALL {
            let face_data = face(face_id)?;
            let mut bits = vec![0u64; KEPT / 64];
            for (&(c, _), w) in face_data.chars.iter().zip(&face_data.advances) {
                if (c as usize) < KEPT && !w.is_nan() {
                    bits[c as usize / 64] |= 1 << (c % 64);
                }
            }
            all.iter_mut().zip(bits).for_each(|(a, b)| *a &= b);
        }
        Ok(all)
    });
    let common = common.as_ref().map_err(Clone::clone)?;
    match common.get(ch as usize / 64) {
        Some(word) => Ok(word & (1 << (ch as u32 % 64)) != 0),
        None => Face::ALL
            .iter()
            .try_fold(true, |all, &f| Ok(all && face(f)?.advance(ch).is_some())),
    }
}

/// A copy of `face` holding only the glyphs for `chars` (plus .notdef),
/// ready for `PdfDocument` resources. Its name carries a subset tag derived
/// from the glyph set, so the same text always gives the same bytes.
pub fn subset(face_id: Face, chars: &BTreeSet<char>) -> Result<ParsedFont, FontError> {
    let full = face(face_id)?;
    let mut gids: Vec<u16> = std::iter::once(0)
        .chain(chars.iter().filter_map(|&c| full.glyph(c)))
        .collect();
    gids.sort_unstable();
    gids.dedup();

    let fail = |e: &dyn std::fmt::Display| {
        FontError(format!(
            "không tạo được tập con phông {}: {e}",
            face_id.postscript_name()
        ))
    };
    let data = ReadScope::new(face_id.bytes())
        .read::<FontData<'_>>()
        .map_err(|e| fail(&e))?;
    let provider = data.table_provider(0).map_err(|e| fail(&e))?;
    let bytes = subset_glyphs(&provider, &gids, &SubsetProfile::Pdf, CmapTarget::Unicode)
        .map_err(|e| fail(&e))?;
    let mut font = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
        .ok_or_else(|| fail(&"phông con không hợp lệ"))?;
    font.font_name = Some(format!(
        "{}+{}",
        subset_tag(face_id, &gids),
        face_id.postscript_name()
    ));
    Ok(font)
}

/// Six capital letters (ISO 32000-1, 9.6.4) from a hash of the glyph set.
fn subset_tag(face: Face, gids: &[u16]) -> String {
    let mut hash = Sha256::new();
    hash.update(face.postscript_name());
    for gid in gids {
        hash.update(gid.to_be_bytes());
    }
    hash.finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_vietnamese_and_reports_missing_glyphs() {
        let regular = face(Face::Regular).unwrap();
        assert!(regular.advance('ệ').unwrap() > 0.0);
        assert!(
            regular.advance('\u{4E2D}').is_none(),
            "Liberation Serif has no CJK"
        );
        assert!(regular.line_height > regular.ascent + regular.descent - 0.001);
    }

    #[test]
    fn every_face_answer_matches_asking_each_face() {
        for ch in [
            'a', 'ệ', 'Ự', '–', '“', '€', '✓', '㎡', '\u{200B}', '中', '😀',
        ] {
            let each = Face::ALL
                .iter()
                .all(|&f| face(f).unwrap().advance(ch).is_some());
            assert_eq!(in_every_face(ch).unwrap(), each, "{ch:?}");
        }
    }

    #[test]
    fn subsets_are_small_and_tagged_deterministically() {
        let chars: BTreeSet<char> = "Cộng hòa".chars().collect();
        let a = subset(Face::Bold, &chars).unwrap();
        let b = subset(Face::Bold, &chars).unwrap();
        assert!(
            a.original_bytes.len() < 20_000,
            "{} bytes",
            a.original_bytes.len()
        );
        assert_eq!(a.font_name, b.font_name);
        let name = a.font_name.clone().unwrap();
        assert!(
            name.ends_with("+LiberationSerif-Bold")
                && name[..6].bytes().all(|c| c.is_ascii_uppercase()),
            "{name}"
        );
        assert!(a.lookup_glyph_index('ộ' as u32).is_some());
    }
}
