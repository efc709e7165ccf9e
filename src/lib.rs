//! khuyencong: district submissions → provincial khuyến công report
//! (Markdown, DOCX, PDF). The binary is a thin CLI over this library.

pub mod document;
pub mod format;
pub mod markdown;
pub mod contract;
pub mod diagnostic;
pub mod json;
pub mod load;
pub mod validate;
pub mod aggregate;
