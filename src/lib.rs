//! khuyencong: district submissions → provincial khuyến công report
//! (Markdown, DOCX, PDF). The binary is a thin CLI over this library.

pub mod document;
pub mod markdown;
pub mod pdf;
