//! Prepared layout → PDF (Nghị định 30/2020 layout, Liberation Serif
//! embedded and subset). `layout` breaks lines and pages and positions
//! everything as plain data; `render` transcribes that into printpdf
//! operations and serialises deterministically.

pub mod layout;
mod render;

use std::fmt;

use crate::render::prepared::Prepared;

/// Renders the prepared report as PDF bytes. The same document always
/// gives the same bytes (no clock, no random ids).
pub fn write(prepared: &Prepared) -> Result<Vec<u8>, PdfError> {
    let layout = layout::layout(prepared)?;
    render::render(prepared, layout)
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("phông Liberation Serif không vẽ được {} ký tự sau; hãy thay hoặc xóa chúng trong văn bản:\n{}", .0.len(), MissingList(.0))]
    MissingGlyphs(Vec<MissingGlyph>),
    #[error(transparent)]
    Font(#[from] super::fonts::FontError),
    #[error("không tạo được tệp PDF: {0}")]
    Write(String),
}

/// A character the embedded font cannot draw and every place it occurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingGlyph {
    pub ch: char,
    pub locations: Vec<String>,
}

struct MissingList<'a>(&'a [MissingGlyph]);

impl fmt::Display for MissingList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "- “{}” (U+{:04X}) ở: {}",
                m.ch,
                m.ch as u32,
                m.locations.join("; ")
            )?;
        }
        Ok(())
    }
}
