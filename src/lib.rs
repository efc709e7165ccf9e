//! khuyencong: district submissions → provincial khuyến công report
//! (Markdown, DOCX, PDF). The binary is a thin CLI over this library.

pub mod aggregate;
pub mod contract;
pub mod desk;
pub mod diagnostic;
pub mod document;
pub mod excel;
pub mod format;
pub mod intake;
pub mod json;
pub mod load;
pub mod manifest;
pub mod markdown;
pub mod memory;
pub mod output;
pub mod par;
pub mod pipeline;
pub mod render;
pub mod report_check;
pub mod schema;
pub mod synth;
pub mod templating;
pub mod validate;
pub mod watch;
