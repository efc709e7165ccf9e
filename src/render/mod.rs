//! The writers, behind one interface (as mdBook's renderers) and one list.
//!
//! Everything both documents share is decided upstream, once: the report
//! date and page settings are checked when the Markdown is parsed
//! (`markdown`), the official frame's words and line breaks in [`frame`],
//! and the rest of the page — column widths, paragraph formats, list
//! markers, strokes, gaps, keep-together rules, page numbers, document
//! properties — in the prepared layout ([`prepared`]), every width
//! measured with the embedded faces ([`fonts`]). The DOCX and PDF writers
//! only transcribe the prepared layout into their formats. The workbook
//! ([`xlsx`]) transcribes the summary's tables instead, so it exists only
//! where there is a summary (a build, not a Markdown file rendered). No
//! command calls a writer except through [`renderers`].

pub mod docx;
pub mod fonts;
pub mod frame;
pub mod html;
pub mod pdf;
pub mod prepared;
pub mod xlsx;

use crate::aggregate::Summary;
use crate::document::Document;
use prepared::{LayoutError, Prepared};

/// What the writers render: the Markdown, its document model and, in a
/// build, the summary it was made from.
pub struct Rendering {
    pub markdown: String,
    pub document: Document,
    pub summary: Option<Summary>,
}

/// An output format. Its extension is also its name on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Markdown,
    Docx,
    Pdf,
    /// The summary tables as a workbook.
    Xlsx,
    /// The PDF's pages as HTML, for the desk's preview (`khuyencong xem`).
    Html,
}

impl Format {
    /// Every format, in the order files are listed.
    pub const ALL: [Format; 5] = [
        Format::Markdown,
        Format::Docx,
        Format::Pdf,
        Format::Xlsx,
        Format::Html,
    ];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
            Format::Html => "html",
        }
    }

    /// Whether `build` and `render` write it as a file. The HTML is the
    /// desk's preview, rendered in memory: its faces are served by the
    /// desk, so a file of it alone would not show as the PDF does.
    pub fn is_file(self) -> bool {
        self != Format::Html
    }

    /// Whether the format is made from the summary, which only a build
    /// has (not a Markdown file).
    pub fn needs_summary(self) -> bool {
        self == Format::Xlsx
    }

    /// The format whose extension is `name` ("md", "docx", "pdf", "xlsx").
    pub fn from_extension(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.extension() == name)
    }
}

/// One output format, rendered from the same report and its one prepared
/// layout.
pub trait Renderer: Sync {
    fn format(&self) -> Format;
    fn render(&self, doc: &Rendering, prepared: &Prepared) -> Result<Vec<u8>, RenderError>;
}

/// Why a writer could not make its file; the cause is kept.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("không dàn trang được văn bản: {0}")]
    Layout(#[from] LayoutError),
    #[error("không tạo được tệp DOCX: {0}")]
    Docx(#[from] docx::DocxError),
    #[error("không tạo được tệp PDF: {0}")]
    Pdf(#[from] pdf::PdfError),
    #[error("không tạo được bảng tính XLSX: {0}")]
    Xlsx(#[from] xlsx::WorkbookError),
    #[error("bảng tính XLSX chỉ được tạo cùng báo cáo (`khuyencong build`), từ số liệu tổng hợp; không tạo từ một tệp Markdown")]
    NoSummary,
}

impl Rendering {
    /// The layout every writer transcribes, decided once per rendering.
    pub fn prepare(&self) -> Result<Prepared<'_>, RenderError> {
        Ok(prepared::prepare(&self.document)?)
    }
}

/// The Markdown as the templates produced it.
struct MarkdownRenderer;

impl Renderer for MarkdownRenderer {
    fn format(&self) -> Format {
        Format::Markdown
    }
    fn render(&self, doc: &Rendering, _: &Prepared) -> Result<Vec<u8>, RenderError> {
        Ok(doc.markdown.clone().into_bytes())
    }
}

/// The Word document (docx-rs), from the prepared layout.
struct DocxRenderer;

impl Renderer for DocxRenderer {
    fn format(&self) -> Format {
        Format::Docx
    }
    fn render(&self, _: &Rendering, prepared: &Prepared) -> Result<Vec<u8>, RenderError> {
        Ok(docx::write(prepared)?)
    }
}

/// The PDF, paginated by our own engine (printpdf), from the same layout.
struct PdfRenderer;

impl Renderer for PdfRenderer {
    fn format(&self) -> Format {
        Format::Pdf
    }
    fn render(&self, _: &Rendering, prepared: &Prepared) -> Result<Vec<u8>, RenderError> {
        Ok(pdf::write(prepared)?)
    }
}

/// The summary tables (rust_xlsxwriter), from the summary, with the
/// report's properties.
struct XlsxRenderer;

impl Renderer for XlsxRenderer {
    fn format(&self) -> Format {
        Format::Xlsx
    }
    fn render(&self, doc: &Rendering, prepared: &Prepared) -> Result<Vec<u8>, RenderError> {
        let summary = doc.summary.as_ref().ok_or(RenderError::NoSummary)?;
        Ok(xlsx::write(summary, &prepared.properties)?)
    }
}

/// The PDF's pages as HTML (the desk's preview): the PDF's own line and
/// page breaks of the same prepared layout, transcribed.
struct HtmlRenderer;

impl Renderer for HtmlRenderer {
    fn format(&self) -> Format {
        Format::Html
    }
    fn render(&self, _: &Rendering, prepared: &Prepared) -> Result<Vec<u8>, RenderError> {
        let layout = pdf::layout::layout(prepared)?;
        Ok(html::pages(&layout).into_bytes())
    }
}

/// The one place that decides which writers run: the renderers of
/// `formats`, in the order of [`Format::ALL`].
pub fn renderers(formats: &[Format]) -> Vec<Box<dyn Renderer>> {
    Format::ALL
        .into_iter()
        .filter(|f| formats.contains(f))
        .map(|f| -> Box<dyn Renderer> {
            match f {
                Format::Markdown => Box::new(MarkdownRenderer),
                Format::Docx => Box::new(DocxRenderer),
                Format::Pdf => Box::new(PdfRenderer),
                Format::Xlsx => Box::new(XlsxRenderer),
                Format::Html => Box::new(HtmlRenderer),
            }
        })
        .collect()
}

/// Text as XML character data or attribute value: both writers put the
/// document's title and author into XML metadata.
pub(crate) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
