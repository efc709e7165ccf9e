//! Markdown (from the templates) → the document model.
//!
//! The front matter is TOML between `+++` lines (as in Zola) and carries the
//! official frame; the body uses a small subset of CommonMark + GFM tables.
//! Nothing written in a template is silently lost: links, code and quotes
//! keep their text (a code block its lines), lists nest to any depth, and
//! what the writers cannot print — HTML other than comments, images,
//! footnotes, link definitions, a heading or table inside a list item — is
//! refused with its line.

mod merges;
mod numbering;

use std::collections::BTreeMap;
use std::ops::Range;

use pulldown_cmark::{
    Alignment, Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag, TagEnd,
};

use crate::document::{
    text_char, Align, Annex, Block, Document, Inline, ListItem, Metadata, Orientation, Run, Table,
    TextChar, Turn,
};
use merges::Mark;
pub use numbering::{caption_numbers, keep_data_tables, number_headings, number_tables};

/// The Markdown comment a template writes for a page break.
pub const PAGE_BREAK: &str = "<!-- ngat-trang -->";
/// Everything after it is the annex, printed after the signature.
pub const ANNEX: &str = "<!-- phu-luc -->";
/// A new page in landscape for what follows.
pub const LANDSCAPE: &str = "<!-- trang-ngang -->";
/// A new page in portrait for what follows.
pub const PORTRAIT: &str = "<!-- trang-doc -->";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MarkdownError {
    #[error("thiếu khối thông tin văn bản (front matter) ở đầu Markdown: mẫu phải bắt đầu bằng một dòng `+++`, các khóa TOML, rồi một dòng `+++`")]
    MissingFrontMatter,
    #[error("khối thông tin văn bản (giữa hai dòng `+++` ở đầu mẫu) không hợp lệ ở dòng {line}, cột {column} của Markdown đã dựng: {message}")]
    FrontMatter {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("khổ trang trong khối thông tin văn bản (`[trang]`) không dùng được: {0}")]
    Page(String),
    #[error("dòng {line} của Markdown đã dựng: văn bản chỉ có một phụ lục, nhưng `{ANNEX}` đã có ở dòng {first}; hãy xóa một trong hai dòng (mọi thứ sau dòng đầu tiên đã thuộc phụ lục)")]
    SecondAnnex { line: usize, first: usize },
    #[error("dòng {line} của Markdown đã dựng: ô `<` ở cột đầu của bảng không có ô nào bên trái để gộp vào; hãy ghi nội dung vào ô này, hoặc gõ `\\<` nếu muốn in dấu <")]
    MergeLeftFirst { line: usize },
    #[error("dòng {line}, cột {column} của Markdown đã dựng: ô `^` ở hàng tiêu đề đầu tiên (trên dòng kẻ `|---|`) không có ô nào bên trên để gộp vào; `^` chỉ dùng ở các hàng tiêu đề ngay dưới dòng kẻ, hãy ghi nội dung vào ô này")]
    MergeUpTop { line: usize, column: usize },
    #[error("dòng {line}, cột {column} của Markdown đã dựng: ô `^` (gộp với ô bên trên) nằm trong một hàng số liệu; `^` chỉ dùng ở các hàng tiêu đề liền ngay dưới dòng kẻ `|---|` — hãy đưa hàng này lên ngay dưới dòng kẻ, ghi nội dung vào ô, hoặc gõ `\\^` nếu muốn in dấu ^")]
    MergeUpBody { line: usize, column: usize },
    #[error("dòng {line}, cột {column} của Markdown đã dựng: ô `^` rộng {width} cột nhưng ô bên trên nó rộng {above} cột, bắt đầu từ cột {from}; ô `^` phải đứng đúng dưới ô cần gộp và rộng bằng nó — hãy viết `^` ở cột {from} và thêm hoặc bớt các ô `<` ngay sau nó cho đủ {above} cột")]
    MergeUpWidth {
        line: usize,
        column: usize,
        width: usize,
        above: usize,
        from: usize,
    },
    #[error("dòng {line} của Markdown đã dựng: HTML `{html}` không in được trong DOCX và PDF (chữ trong đó sẽ mất); hãy bỏ các thẻ HTML và viết chữ thành đoạn văn Markdown. Chỉ dùng được chú thích `<!-- … -->` (như `{PAGE_BREAK}`)")]
    Html { line: usize, html: String },
    #[error("dòng {line} của Markdown đã dựng: hình ảnh `![…](…)` không in được trong DOCX và PDF (chỉ chữ mô tả của nó sẽ còn). Chữ ký và con dấu không đặt trong mẫu: phần mềm ký số đóng chúng lên khi ký tệp PDF. Hãy xóa hình, hoặc gõ `\\!` nếu muốn in dấu !")]
    Image { line: usize },
    #[error("dòng {line} của Markdown đã dựng: `{row}` là một hàng bảng nhưng đứng ngoài bảng (DOCX và PDF sẽ in nó thành chữ, cả các dấu `|`). Các dòng của một bảng — tiêu đề, dòng kẻ `|---|`, các hàng — phải liền nhau, không có dòng trống xen giữa: trong mẫu, bỏ dòng trống quanh thẻ `{{% for %}}`, `{{% endfor %}}` của hàng, hoặc dùng `{{%-` và `-%}}` để bỏ cả xuống dòng bên cạnh thẻ")]
    RowOutsideTable { line: usize, row: String },
    #[error("dòng {line} của Markdown đã dựng: chú thích cuối trang `[^…]` không in được trong DOCX và PDF; hãy viết nội dung chú thích thành một đoạn văn, hoặc gõ `\\[` nếu muốn in dấu [")]
    Footnote { line: usize },
    #[error("dòng {line} của Markdown đã dựng: dòng `[{label}]: …` là định nghĩa liên kết của Markdown, không được in ra văn bản; hãy viết nó thành đoạn văn, hoặc gõ `\\[` ở đầu dòng nếu muốn in dấu [")]
    LinkDefinition { line: usize, label: String },
    #[error("dòng {line} của Markdown đã dựng: {what} nằm trong một mục của danh sách không in được; hãy bỏ thụt đầu dòng để {what} đứng riêng, sau danh sách")]
    InList { line: usize, what: &'static str },
    #[error("dòng {line} của Markdown đã dựng: `{mark}` nằm giữa chữ (trong một đoạn, một đề mục hay một ô bảng) nên sẽ tác động ở đầu khối đó chứ không đúng chỗ viết; hãy viết nó trên một dòng riêng, cách một dòng trống trước và sau")]
    MarkInline { line: usize, mark: String },
    #[error("dòng {line} của Markdown đã dựng: dòng `{text}` không có dấu `|` nhưng đứng liền dưới một bảng, nên Markdown đọc nó là một hàng của bảng đó (DOCX và PDF sẽ in nó trong ô đầu của một hàng). Thêm một dòng trống giữa bảng và dòng này")]
    LineInTable { line: usize, text: String },
    #[error("dòng {line} của Markdown đã dựng: \"Bảng {number}\" chỉ tới bảng nào? Có {} chú thích bảng viết số {number} (dòng {}); số bảng do chương trình đánh, số viết trong chú thích là tên để chỉ tới bảng: hãy viết mỗi chú thích một số khác nhau", captions.len(), captions.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    AmbiguousTable {
        line: usize,
        column: usize,
        number: u32,
        captions: Vec<usize>,
    },
    #[error("dòng {line} của Markdown đã dựng: câu văn nhắc tới \"Bảng {number}\" nhưng bảng có chú thích viết số {number} ({caption}) không được in trong báo cáo này (khối `{{% if %}}` quanh nó không in, hay tệp chứa nó không được `include`), nên chữ \"Bảng {number}\" sẽ chỉ sai bảng hoặc một bảng không có. Hãy đặt câu nhắc tới bảng vào cùng khối `{{% if %}}` với bảng, hoặc bỏ câu đó")]
    UnprintedTable {
        line: usize,
        column: usize,
        number: u32,
        caption: String,
    },
}

impl MarkdownError {
    /// The column (in characters) of the line the problem is at, when it
    /// is at one.
    pub fn column(&self) -> Option<usize> {
        match self {
            MarkdownError::FrontMatter { column, .. }
            | MarkdownError::MergeUpTop { column, .. }
            | MarkdownError::MergeUpBody { column, .. }
            | MarkdownError::MergeUpWidth { column, .. }
            | MarkdownError::AmbiguousTable { column, .. }
            | MarkdownError::UnprintedTable { column, .. } => Some(*column),
            _ => None,
        }
    }

    /// The line of the Markdown the problem is on, when it is on one.
    pub fn line(&self) -> Option<usize> {
        match self {
            MarkdownError::MissingFrontMatter | MarkdownError::Page(_) => None,
            MarkdownError::FrontMatter { line, .. }
            | MarkdownError::SecondAnnex { line, .. }
            | MarkdownError::MergeLeftFirst { line }
            | MarkdownError::MergeUpTop { line, .. }
            | MarkdownError::MergeUpBody { line, .. }
            | MarkdownError::MergeUpWidth { line, .. }
            | MarkdownError::Html { line, .. }
            | MarkdownError::Image { line }
            | MarkdownError::RowOutsideTable { line, .. }
            | MarkdownError::Footnote { line }
            | MarkdownError::LinkDefinition { line, .. }
            | MarkdownError::InList { line, .. }
            | MarkdownError::MarkInline { line, .. }
            | MarkdownError::AmbiguousTable { line, .. }
            | MarkdownError::UnprintedTable { line, .. }
            | MarkdownError::LineInTable { line, .. } => Some(*line),
        }
    }
}

/// What the document model, and the numbering before it, read of the
/// Markdown. Footnotes are parsed only to be refused with their line.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_FOOTNOTES
}

/// The byte ranges of the Markdown's HTML, in order: it never prints (a
/// comment is the template's note or a page mark, any other HTML is
/// refused by [`parse_all`]).
pub fn html_ranges(markdown: &str) -> Vec<Range<usize>> {
    Parser::new_ext(markdown, options())
        .into_offset_iter()
        .filter(|(event, _)| matches!(event, Event::Html(_) | Event::InlineHtml(_)))
        .map(|(_, range)| range)
        .collect()
}

/// Parses the rendered Markdown into the document model; the first
/// problem found, if any.
pub fn parse(markdown: &str) -> Result<Document, MarkdownError> {
    parse_all(markdown).map_err(|mut problems| problems.swap_remove(0))
}

/// As [`parse`], with every problem, in the order of the text: the report
/// check says them all at once.
pub fn parse_all(markdown: &str) -> Result<Document, Vec<MarkdownError>> {
    let options = options();
    let mut builder = Builder {
        source: markdown,
        lines: LineCounter::new(markdown),
        ..Builder::default()
    };
    let mut problems = Vec::new();
    let mut meta: Option<Metadata> = None;
    let mut in_meta = false;
    let events = Parser::new_ext(markdown, options).into_offset_iter();
    // A link reference definition prints nothing: each is refused. The
    // parser has read them all before any event.
    let mut definitions: Vec<(String, usize)> = events
        .reference_definitions()
        .iter()
        .map(|(label, def)| (label.to_string(), def.span.start))
        .collect();
    definitions.sort_by_key(|(_, at)| *at);
    for (label, at) in definitions {
        problems.push(MarkdownError::LinkDefinition {
            line: builder.line(at),
            label,
        });
    }
    for (event, range) in events {
        let read = match event {
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::PlusesStyle)) => {
                in_meta = true;
                Ok(())
            }
            Event::End(TagEnd::MetadataBlock(_)) => {
                in_meta = false;
                Ok(())
            }
            Event::Text(text) if in_meta => {
                read_meta(markdown, &text, range.start).map(|m| meta = Some(m))
            }
            other => builder.event(other, range),
        };
        problems.extend(read.err());
    }
    let Some(mut meta) = meta else {
        if problems.is_empty() {
            problems.push(MarkdownError::MissingFrontMatter);
        }
        return Err(problems);
    };
    if let Err(page) = meta.trang.check() {
        problems.push(MarkdownError::Page(page));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // TOML escapes ("\u0001") bring in what a raw TOML string refuses. A
    // line separator becomes the frame's own forced line break.
    for text in meta.texts_mut() {
        *text = text
            .chars()
            .filter_map(|c| match text_char(c) {
                TextChar::Keep => Some(c),
                TextChar::LineBreak => Some('\n'),
                TextChar::Drop => None,
            })
            .collect();
    }
    let (blocks, turns, annex) = match builder.body {
        Some((blocks, turns)) => (
            blocks,
            turns,
            Some(Annex {
                blocks: builder.blocks,
                turns: builder.turns,
            }),
        ),
        None => (builder.blocks, builder.turns, None),
    };
    Ok(Document {
        meta,
        blocks,
        turns,
        annex,
        draft: false,
    })
}

/// The first line of a paragraph whose every line is a table row (`| … |`):
/// rows cut off from their table by a blank line, which Markdown reads as
/// text.
fn stray_row(paragraph: &str) -> Option<String> {
    let row = |l: &str| {
        let l = l.trim();
        l.len() >= 2 && l.starts_with('|') && l.ends_with('|')
    };
    let mut lines = paragraph.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next()?;
    (row(first) && lines.all(row)).then(|| {
        let mut shown: String = first.trim().chars().take(50).collect();
        if shown.len() < first.trim().len() {
            shown.push('…');
        }
        shown
    })
}

/// The TOML reader's complaint, in Vietnamese with a hint where possible.
/// The front matter's TOML, `offset` bytes into `markdown` (just after the
/// opening `+++` line); errors are positioned in `markdown`.
fn read_meta(markdown: &str, text: &str, offset: usize) -> Result<Metadata, MarkdownError> {
    toml::from_str(text).map_err(|e| {
        let mut at = offset + e.span().map_or(0, |s| s.start);
        let line_start = markdown[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = markdown[at..].find('\n').map_or(markdown.len(), |i| at + i);
        let written = &markdown[line_start..line_end];
        let message = e.message();
        // A list left open is seen at the next line: the missing `,` or
        // `]` belongs at the end of the last line before it.
        if message.starts_with("invalid array") {
            let before = markdown[offset..line_start].trim_end();
            at = offset + before.len();
        }
        let (line, column) = line_column(markdown, at);
        MarkdownError::FrontMatter {
            line,
            column,
            message: explain_toml(message, written),
        }
    })
}

/// Reads only the front matter of `markdown`, so the templating stage can
/// report its errors at the template's line before the document is built.
pub fn check_front_matter(markdown: &str) -> Result<(), MarkdownError> {
    let options = Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    let mut events = Parser::new_ext(markdown, options).into_offset_iter();
    if let Some((Event::Start(Tag::MetadataBlock(MetadataBlockKind::PlusesStyle)), _)) =
        events.next()
    {
        if let Some((Event::Text(text), range)) = events.next() {
            read_meta(markdown, &text, range.start)?;
        }
    }
    Ok(())
}

/// The TOML reader's complaint about `written` (the line it is on), in
/// Vietnamese, with how to write it right.
fn explain_toml(message: &str, written: &str) -> String {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let key = written
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_'));
    let value = written.split_once('=').map_or("", |(_, v)| v.trim());
    let key_of = |what: &str| key.map_or(what.to_string(), |k| format!("`{k}`"));
    if message.starts_with("unknown field") {
        let (name, valid) = quoted.split_first().map_or(("", &[][..]), |(n, v)| (*n, v));
        if name == "don_vi_tien" {
            return "khóa `don_vi_tien` không đặt ở khối `+++`: đơn vị tiền ghi trong `van_ban` của tệp kế hoạch (`\"don_vi_tien\": \"trieu_dong\"`), vì mẫu phải biết nó ngay khi in các con số; khối `+++` chỉ được đọc sau khi mẫu đã dựng xong (xem docs/du-lieu.md)".into();
        }
        if valid.contains(&"co_chu") && top_level_keys().iter().any(|k| k == name) {
            return format!(
                "khóa `{name}` đứng sau dòng `[trang]` nên TOML đọc nó là khóa của bảng `[trang]` (mọi khóa sau một dòng `[…]` thuộc bảng đó, đến hết khối). Chuyển dòng `[trang]` và các khóa của nó xuống cuối khối `+++`, sau `{name}`"
            );
        }
        return format!(
            "khóa `{name}` không dùng được.{} Các khóa hợp lệ: {}",
            crate::diagnostic::hint(name, valid.iter().copied()),
            valid.join(", ")
        );
    }
    // The model's own checks already speak Vietnamese.
    if message.starts_with("khóa `") {
        return message.trim().to_string();
    }
    if message.starts_with("missing field") {
        return format!("thiếu khóa bắt buộc `{}`", quoted.first().unwrap_or(&""));
    }
    if message.starts_with("duplicate key") {
        return format!(
            "khóa `{}` được ghi hai lần; xóa một dòng",
            quoted.first().unwrap_or(&"")
        );
    }
    if message.starts_with("invalid type") {
        let number: String = value
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
            .collect::<String>()
            .replace(',', ".");
        let number = if number.is_empty() {
            "13".into()
        } else {
            number
        };
        if message.contains("expected f32") || message.contains("expected f64") {
            return format!(
                "{} là một số: viết không có dấu nháy và không có đơn vị, phần lẻ sau dấu chấm, ví dụ `{} = {number}`",
                key_of("giá trị này"),
                key.unwrap_or("co_chu")
            );
        }
        if message.contains("expected a sequence") {
            let inner = if value.starts_with('"') {
                value.to_string()
            } else {
                format!("\"{value}\"")
            };
            return format!(
                "{} là một danh sách, mỗi dòng một chuỗi trong dấu nháy kép, đặt trong `[ ]`: `{} = [{inner}]`",
                key_of("giá trị này"),
                key.unwrap_or("tham_quyen")
            );
        }
        if message.contains("expected a string") {
            return format!(
                "{} là chữ: đặt trong dấu nháy kép, hoặc lấy từ dữ liệu bằng `{{{{ … | toml }}}}`",
                key_of("giá trị này")
            );
        }
    }
    if message.starts_with("invalid array") {
        return "danh sách thiếu dấu phẩy `,` ở cuối dòng này (mọi phần tử, trừ phần tử cuối, kết thúc bằng `,`), hoặc thiếu `]` đóng danh sách".into();
    }
    if message.starts_with("expected newline") {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if let Some((whole, part)) = value
            .split_once(',')
            .filter(|(w, p)| digits(w) && digits(p))
        {
            return format!(
                "số thập phân viết bằng dấu chấm: `{} = {whole}.{part}`",
                key.unwrap_or("gian_dong")
            );
        }
        return "sau giá trị còn chữ khác trên cùng dòng: mỗi dòng một khóa `khóa = giá trị`; chữ đặt trọn trong một cặp dấu nháy kép".into();
    }
    if message.starts_with("invalid string") || message.starts_with("invalid literal string") {
        return "giá trị chữ phải đặt trong một cặp dấu nháy kép (`\"…\"`); giá trị lấy từ dữ liệu viết `{{ … | toml }}` (bộ lọc tự thêm dấu nháy)".into();
    }
    if message.starts_with("invalid integer") || message.starts_with("invalid float") {
        return format!("{} không phải một số viết đúng: chỉ chữ số và một dấu chấm thập phân, ví dụ `13` hoặc `1.5`", key_of("giá trị này"));
    }
    "dòng này không đúng cú pháp TOML: mỗi dòng `khóa = giá trị`; chữ trong dấu nháy kép (giá trị lấy từ dữ liệu viết `{{ … | toml }}`), số không có dấu nháy, danh sách trong `[ ]`".into()
}

/// The keys of the `+++` block itself (not of `[trang]`), as the reader
/// lists them when it meets one it does not know.
fn top_level_keys() -> &'static [String] {
    static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let refused = toml::from_str::<Metadata>("khong_co_khoa_nay = 1").err();
        refused
            .map(|e| {
                e.message()
                    .split('`')
                    .skip(3)
                    .step_by(2)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// 1-based lines of byte offsets, counting on from the last offset asked
/// for: asked in the order of the text, the text is read once.
#[derive(Default)]
struct LineCounter<'a> {
    text: &'a str,
    /// Up to byte `.0` there are `.1` line breaks.
    counted: (usize, usize),
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text,
            counted: (0, 0),
        }
    }

    fn at(&mut self, at: usize) -> usize {
        let (from, lines) = if at >= self.counted.0 {
            self.counted
        } else {
            (0, 0)
        };
        let lines = lines + memchr::memchr_iter(b'\n', &self.text.as_bytes()[from..at]).count();
        self.counted = (at, lines);
        lines + 1
    }
}

#[derive(Default)]
struct Builder<'a> {
    source: &'a str,
    lines: LineCounter<'a>,
    /// The blocks and turns of the part being read (the body, or the annex
    /// once `body` is set).
    blocks: Vec<Block>,
    turns: Vec<Turn>,
    /// The body, when the annex has begun, and the annex marker's line.
    body: Option<(Vec<Block>, Vec<Turn>)>,
    annex_line: usize,
    /// Inlines of the paragraph, heading, list item or cell being read.
    inlines: Vec<Inline>,
    bold: u32,
    italic: u32,
    heading: Option<u8>,
    /// The lists being read, outermost first, and the item being read in
    /// each (an item is pushed when it starts, so a nested list's item
    /// follows its parent's).
    lists: Vec<(Option<u64>, Vec<ListItem>)>,
    items: Vec<ListItem>,
    /// Inside a code block: its line ends are line breaks.
    code: bool,
    /// The HTML block being read: where it starts and its text.
    html: Option<(usize, String)>,
    table: Option<Table>,
    row: Vec<Vec<Inline>>,
    /// The table's rows holding a `<` or `^` (header row = 0), the marks of
    /// the row being read, and where each row starts.
    marked: BTreeMap<usize, Vec<Mark>>,
    marks: Vec<Mark>,
    row_starts: Vec<usize>,
}

impl Builder<'_> {
    /// Reads one event, from bytes `range` of the Markdown.
    fn event(&mut self, event: Event, range: Range<usize>) -> Result<(), MarkdownError> {
        let at = range.start;
        match event {
            // A cell the row lacks (filled in by the parser) is empty.
            Event::Start(Tag::TableCell) => self
                .marks
                .push(Mark::of(self.source.get(range).unwrap_or_default())),
            Event::Start(Tag::TableRow) if !self.source[range.clone()].contains('|') => {
                return Err(MarkdownError::LineInTable {
                    line: self.line(at),
                    text: self.source[range].trim().chars().take(50).collect(),
                })
            }
            Event::Start(Tag::TableHead | Tag::TableRow) => self.row_starts.push(at),
            Event::Start(Tag::HtmlBlock) => self.html = Some((at, String::new())),
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((start, html)) = self.html.take() {
                    self.html(&html, start, false)?;
                }
            }
            Event::Start(Tag::Paragraph) if self.items.is_empty() => {
                if let Some(row) = stray_row(&self.source[range]) {
                    return Err(MarkdownError::RowOutsideTable {
                        line: self.line(at),
                        row,
                    });
                }
                self.start(Tag::Paragraph, at)
            }
            Event::Start(Tag::Image { .. }) => {
                return Err(MarkdownError::Image {
                    line: self.line(at),
                })
            }
            Event::Start(Tag::FootnoteDefinition(_)) | Event::FootnoteReference(_) => {
                return Err(MarkdownError::Footnote {
                    line: self.line(at),
                })
            }
            Event::Start(tag @ (Tag::Heading { .. } | Tag::Table(_))) if !self.items.is_empty() => {
                let what = match tag {
                    Tag::Table(_) => "bảng",
                    _ => "đề mục",
                };
                return Err(MarkdownError::InList {
                    line: self.line(at),
                    what,
                });
            }
            Event::Start(tag) => self.start(tag, at),
            Event::End(TagEnd::Table) => self.end_table()?,
            Event::End(tag) => self.end(tag),
            Event::Text(t) | Event::Code(t) => self.text(&t),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.inlines.push(Inline::LineBreak),
            Event::Html(html) => match self.html.as_mut() {
                Some((_, block)) => block.push_str(&html),
                None => self.html(&html, at, false)?,
            },
            Event::InlineHtml(html) => self.html(&html, at, true)?,
            Event::Rule if !self.items.is_empty() => {
                return Err(MarkdownError::InList {
                    line: self.line(at),
                    what: "đường kẻ `---` (ngắt trang)",
                })
            }
            Event::Rule => self.page_break(),
            _ => {}
        }
        Ok(())
    }

    /// HTML starting at byte `at`: the comments a template writes (page
    /// breaks, turns, the annex; any other is the template's own note),
    /// nothing else — the writers cannot print HTML, and the text inside
    /// it would be lost.
    /// `inline`: inside a paragraph, a heading or a table cell.
    fn html(&mut self, html: &str, at: usize, inline: bool) -> Result<(), MarkdownError> {
        let mut rest = html.trim_start();
        while !rest.is_empty() {
            let end = rest
                .starts_with("<!--")
                .then(|| rest.find("-->"))
                .flatten()
                .map(|end| end + "-->".len());
            let Some(end) = end else {
                let first = rest.lines().next().unwrap_or_default().trim();
                let mut shown: String = first.chars().take(40).collect();
                if shown.len() < first.len() {
                    shown.push('…');
                }
                return Err(MarkdownError::Html {
                    line: self.line(at),
                    html: shown,
                });
            };
            let mark = &rest[..end];
            // Under a list item a page mark would act where the list
            // started (the annex would take the whole list along).
            let what = match mark {
                PAGE_BREAK => "dấu ngắt trang `<!-- ngat-trang -->`",
                LANDSCAPE => "dấu trang ngang `<!-- trang-ngang -->`",
                PORTRAIT => "dấu trang dọc `<!-- trang-doc -->`",
                ANNEX => "dấu phụ lục `<!-- phu-luc -->`",
                _ => "",
            };
            if !what.is_empty() && inline {
                return Err(MarkdownError::MarkInline {
                    line: self.line(at),
                    mark: mark.to_string(),
                });
            }
            if !what.is_empty() && !self.items.is_empty() {
                return Err(MarkdownError::InList {
                    line: self.line(at),
                    what,
                });
            }
            match mark {
                PAGE_BREAK => self.page_break(),
                LANDSCAPE => self.turn(Orientation::Landscape),
                PORTRAIT => self.turn(Orientation::Portrait),
                ANNEX => self.annex(at)?,
                _ => {}
            }
            rest = rest[end..].trim_start();
        }
        Ok(())
    }

    /// 1-based line of byte `at`: the parser asks in document order.
    fn line(&mut self, at: usize) -> usize {
        self.lines.at(at)
    }

    /// A page break, unless a new page starts here anyway (a turn, the
    /// annex): Word would print an empty page.
    fn page_break(&mut self) {
        let fresh = self
            .turns
            .last()
            .is_some_and(|t| t.before == self.blocks.len())
            || (self.body.is_some() && self.blocks.is_empty());
        if !fresh {
            self.blocks.push(Block::PageBreak);
        }
    }

    /// A new page in `orientation`: the last turn asked for at one place wins.
    fn turn(&mut self, orientation: Orientation) {
        if self.blocks.last() == Some(&Block::PageBreak) {
            self.blocks.pop();
        }
        let before = self.blocks.len();
        match self.turns.last_mut() {
            Some(turn) if turn.before == before => turn.orientation = orientation,
            _ => self.turns.push(Turn {
                before,
                orientation,
            }),
        }
    }

    /// What follows is the annex.
    fn annex(&mut self, at: usize) -> Result<(), MarkdownError> {
        let line = self.line(at);
        if self.body.is_some() {
            return Err(MarkdownError::SecondAnnex {
                line,
                first: self.annex_line,
            });
        }
        let body = (
            std::mem::take(&mut self.blocks),
            std::mem::take(&mut self.turns),
        );
        self.body = Some(body);
        self.annex_line = line;
        Ok(())
    }

    /// The table read, with its header rows and merged cells.
    fn end_table(&mut self) -> Result<(), MarkdownError> {
        let Some(mut table) = self.table.take() else {
            return Ok(());
        };
        let marked = std::mem::take(&mut self.marked);
        let starts = std::mem::take(&mut self.row_starts);
        if !marked.is_empty() {
            let mut lines = Vec::with_capacity(starts.len());
            for &at in &starts {
                lines.push(self.line(at));
            }
            let (header_rows, merges) = merges::resolve(&marked, table.columns(), |r| {
                lines.get(r).copied().unwrap_or(0)
            })?;
            table.subheader = table.rows.drain(..header_rows - 1).collect();
            table.merges = merges;
        }
        self.blocks.push(Block::Table(table));
        Ok(())
    }

    fn start(&mut self, tag: Tag, at: usize) {
        // A block inside a list item ends the item's text so far: a tight
        // item's text has no paragraph of its own, and a quote, a code
        // block or a nested list under it would run on into it.
        if !self.items.is_empty()
            && matches!(tag, Tag::Paragraph | Tag::CodeBlock(_) | Tag::List(_))
        {
            self.item_paragraph();
        }
        match tag {
            Tag::Heading { level, .. } => {
                self.heading = Some(match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    _ => 4,
                })
            }
            Tag::List(start) => self.lists.push((start, Vec::new())),
            Tag::Item => self.items.push(ListItem::default()),
            Tag::CodeBlock(_) => self.code = true,
            Tag::Table(aligns) => {
                self.table = Some(Table {
                    align: aligns.into_iter().map(align).collect(),
                    line: self.line(at),
                    ..Table::default()
                })
            }
            Tag::Strong => self.bold += 1,
            Tag::Emphasis => self.italic += 1,
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                let content = self.take_inlines();
                let level = self.heading.take().unwrap_or(4);
                self.blocks.push(Block::Heading { level, content });
            }
            // A code block is a paragraph whose lines are kept.
            TagEnd::Paragraph | TagEnd::CodeBlock => {
                self.code = false;
                if self.items.is_empty() {
                    let content = self.take_inlines();
                    if !content.is_empty() {
                        self.blocks.push(Block::Paragraph(content));
                    }
                } else {
                    // Paragraphs inside list items belong to the item.
                    self.item_paragraph();
                }
            }
            TagEnd::Item => {
                self.item_paragraph();
                if let (Some(item), Some((_, items))) = (self.items.pop(), self.lists.last_mut()) {
                    items.push(item);
                }
            }
            TagEnd::List(_) => {
                if let Some((start, items)) = self.lists.pop() {
                    let list = Block::List { start, items };
                    match self.items.last_mut() {
                        Some(parent) => parent.children.push(list),
                        None => self.blocks.push(list),
                    }
                }
            }
            TagEnd::TableCell => {
                let cell = self.take_inlines();
                // A merged cell's sign is not text.
                let merged = self.marks.get(self.row.len()) != Some(&Mark::Text);
                self.row.push(if merged { Vec::new() } else { cell });
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                let row = std::mem::take(&mut self.row);
                let marks = std::mem::take(&mut self.marks);
                if let Some(table) = self.table.as_mut() {
                    let index = if tag == TagEnd::TableHead {
                        table.header = row;
                        0
                    } else {
                        table.rows.push(row);
                        table.rows.len()
                    };
                    if marks.iter().any(|&m| m != Mark::Text) {
                        self.marked.insert(index, marks);
                    }
                }
            }
            TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
            _ => {}
        }
    }

    /// The text read so far in the current list item: its first paragraph,
    /// or a further one under it.
    fn item_paragraph(&mut self) {
        let content = self.take_inlines();
        let Some(item) = self.items.last_mut() else {
            return;
        };
        if item.content.is_empty() && item.children.is_empty() {
            item.content = content;
        } else if !content.is_empty() {
            item.children.push(Block::Paragraph(content));
        }
    }

    /// Appends text, merging with the previous run when the style matches,
    /// each character as [`text_char`] says: this is where the model is
    /// made safe for every writer.
    fn text(&mut self, text: &str) {
        let (bold, italic) = (self.bold > 0, self.italic > 0);
        let code = self.code;
        let lines = text.split(|c| text_char(c) == TextChar::LineBreak || (code && c == '\n'));
        for (i, line) in lines.enumerate() {
            if i > 0 {
                self.inlines.push(Inline::LineBreak);
            }
            let kept = line.chars().filter(|&c| text_char(c) == TextChar::Keep);
            if let Some(Inline::Text(run)) = self.inlines.last_mut() {
                if run.bold == bold && run.italic == italic {
                    run.text.extend(kept);
                    continue;
                }
            }
            self.inlines.push(Inline::Text(Run {
                text: kept.collect(),
                bold,
                italic,
            }));
        }
    }

    fn take_inlines(&mut self) -> Vec<Inline> {
        let mut inlines = std::mem::take(&mut self.inlines);
        trim_edges(&mut inlines);
        for inline in &mut inlines {
            if let Inline::Text(run) = inline {
                to_nfc(&mut run.text);
            }
        }
        inlines
    }
}

/// Puts text in NFC, the form the fonts' character maps and Word expect
/// (a template typed with decomposed accents would otherwise draw them
/// apart). Data is already NFC from loading; this catches template text.
fn to_nfc(text: &mut String) {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if is_nfc_quick(text.chars()) != IsNormalized::Yes {
        *text = text.nfc().collect();
    }
}

/// Removes leading/trailing spaces a template's line layout leaves behind,
/// and line breaks at the edges (pasted text may end in one), which would
/// only add an empty line.
fn trim_edges(inlines: &mut Vec<Inline>) {
    let blank = |inline: &Inline| match inline {
        Inline::Text(run) => run.text.trim().is_empty(),
        Inline::LineBreak => true,
    };
    let end = inlines.iter().rposition(|i| !blank(i)).map_or(0, |i| i + 1);
    inlines.truncate(end);
    let start = inlines
        .iter()
        .position(|i| !blank(i))
        .unwrap_or(inlines.len());
    inlines.drain(..start);
    if let Some(Inline::Text(run)) = inlines.first_mut() {
        run.text = run.text.trim_start().to_string();
    }
    if let Some(Inline::Text(run)) = inlines.last_mut() {
        run.text = run.text.trim_end().to_string();
    }
    inlines.retain(|i| !matches!(i, Inline::Text(r) if r.text.is_empty()));
}

fn align(a: Alignment) -> Align {
    match a {
        Alignment::None => Align::None,
        Alignment::Left => Align::Left,
        Alignment::Center => Align::Center,
        Alignment::Right => Align::Right,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRONT: &str = "+++\nco_quan_ban_hanh = \"TRUNG TÂM\"\nso_ky_hieu = \"581/BC-KC\"\ndia_danh_ngay = \"Đồng Nai, ngày 15 tháng 12 năm 2023\"\nngay = \"2023-12-15\"\ntrich_yeu = \"Kết quả\"\n+++\n";

    #[test]
    fn parses_front_matter_headings_paragraphs_tables() {
        let md = format!(
            "{FRONT}\n# I. KẾT QUẢ\n\n## 1. Mục\n\nMột **đậm** và *nghiêng*\ntiếp.\n\n| A | B |\n|:--|--:|\n| x | **1.000** |\n\n- một;\n- hai.\n\n{PAGE_BREAK}\n"
        );
        let doc = parse(&md).unwrap();
        assert_eq!(doc.meta.so_ky_hieu, "581/BC-KC");
        assert_eq!(doc.meta.trang.co_chu, 14.0);
        assert_eq!(doc.blocks.len(), 6);
        assert_eq!(
            doc.blocks[0],
            Block::Heading {
                level: 1,
                content: vec![Inline::plain("I. KẾT QUẢ")]
            }
        );
        let Block::Paragraph(p) = &doc.blocks[2] else {
            panic!("{:?}", doc.blocks[2])
        };
        assert_eq!(crate::document::plain_text(p), "Một đậm và nghiêng tiếp.");
        assert!(matches!(&p[1], Inline::Text(Run { bold: true, .. })));
        let Block::Table(t) = &doc.blocks[3] else {
            panic!()
        };
        assert_eq!(t.align, vec![Align::Left, Align::Right]);
        assert_eq!(t.rows.len(), 1);
        assert!(matches!(
            &t.rows[0][1][0],
            Inline::Text(Run { bold: true, .. })
        ));
        assert_eq!(
            doc.blocks[4],
            Block::List {
                start: None,
                items: vec![
                    ListItem::plain(vec![Inline::plain("một;")]),
                    ListItem::plain(vec![Inline::plain("hai.")])
                ]
            }
        );
        assert_eq!(doc.blocks[5], Block::PageBreak);
    }

    #[test]
    fn a_quote_or_code_under_a_tight_item_does_not_run_into_its_text() {
        // "1. một" then a quote, or a code block, indented under it: the
        // item's word and the next ran together ("mộttrích").
        for under in ["> trích", "```\n   trích\n   ```"] {
            let doc = parse(&format!("{FRONT}\n1. một\n   {under}\n2. hai\n")).unwrap();
            let Block::List { items, .. } = &doc.blocks[0] else {
                panic!("{:?}", doc.blocks);
            };
            assert_eq!(items.len(), 2, "{under}");
            assert_eq!(items[0].content, vec![Inline::plain("một")], "{under}");
            assert_eq!(
                items[0].children,
                vec![Block::Paragraph(vec![Inline::plain("trích")])],
                "{under}"
            );
        }
    }

    #[test]
    fn a_page_mark_under_a_list_item_is_refused_at_its_line() {
        // The annex mark under the last item took the whole list into the
        // annex, after the signature; a page break went before the list.
        for mark in [ANNEX, PAGE_BREAK, LANDSCAPE, "***"] {
            let md = format!("{FRONT}\nThân.\n\n- một\n- hai\n\n  {mark}\n\n# PHỤ LỤC\n");
            match parse(&md) {
                Err(MarkdownError::InList { line, .. }) => assert_eq!(line, 14, "{mark}"),
                other => panic!("{mark}: {other:?}"),
            }
        }
        // Inside a paragraph or a table cell, it is refused too.
        for body in [
            format!("Đoạn {ANNEX} tiếp."),
            format!("| a |\n|---|\n| x {PAGE_BREAK} |"),
        ] {
            let md = format!("{FRONT}\nThân.\n\n{body}\n\n# PHỤ LỤC\n");
            match parse(&md) {
                Err(MarkdownError::MarkInline { line, .. }) => assert!(line >= 10, "{body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
        // Standing on its own after the list, it works.
        let md = format!("{FRONT}\nThân.\n\n- một\n- hai\n\n{ANNEX}\n\n# PHỤ LỤC\n");
        let doc = parse(&md).unwrap();
        assert!(matches!(doc.blocks.last(), Some(Block::List { .. })));
    }

    #[test]
    fn text_is_nfc_whatever_the_template_typed() {
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = "Kết quả **thực hiện** năm".nfd().collect();
        let doc = parse(&format!("{FRONT}\n{nfd}\n")).unwrap();
        let Block::Paragraph(inlines) = &doc.blocks[0] else {
            panic!("{:?}", doc.blocks[0]);
        };
        let text: Vec<&str> = inlines
            .iter()
            .map(|i| match i {
                Inline::Text(run) => run.text.as_str(),
                Inline::LineBreak => "\n",
            })
            .collect();
        assert_eq!(text, ["Kết quả ", "thực hiện", " năm"]);
    }

    /// Pasted text brings Word's line break (U+000B), controls and
    /// invisible characters; TOML escapes bring them into the front matter.
    #[test]
    fn controls_become_line_breaks_or_go() {
        let front = FRONT.replace("\"Kết quả\"", r#""Kết\u000Bquả\u0001\uFEFF""#);
        let md = format!(
            "{front}\n\u{feff}Một\u{b}hai\u{1}\u{7f}\u{200b} ba\u{2028}\u{fffe}\n\n\
             | A\u{85}B |\n|---|\n| \u{2029}c\u{ffff} |\n"
        );
        let doc = parse(&md).unwrap();
        assert_eq!(doc.meta.trich_yeu, "Kết\nquả");
        assert_eq!(
            doc.blocks[0],
            Block::Paragraph(vec![
                Inline::plain("Một"),
                Inline::LineBreak,
                Inline::plain("hai ba")
            ])
        );
        let Block::Table(table) = &doc.blocks[1] else {
            panic!("{:?}", doc.blocks[1])
        };
        assert_eq!(
            table.header[0],
            [Inline::plain("A"), Inline::LineBreak, Inline::plain("B")]
        );
        assert_eq!(table.rows[0][0], [Inline::plain("c")]);
    }

    #[test]
    fn the_annex_follows_the_marker_and_turns_start_pages() {
        let md = format!(
            "{FRONT}\nThân.\n\n{LANDSCAPE}\n\nNgang.\n\n{PAGE_BREAK}\n{PORTRAIT}\n\nDọc.\n\n{ANNEX}\n\n{PAGE_BREAK}\n\n{LANDSCAPE}\n\n# PHỤ LỤC\n"
        );
        let doc = parse(&md).unwrap();
        assert_eq!(doc.blocks.len(), 3, "{:?}", doc.blocks);
        let turn = |before, orientation| Turn {
            before,
            orientation,
        };
        // The page break before a turn would only leave an empty page.
        assert_eq!(
            doc.turns,
            [
                turn(1, Orientation::Landscape),
                turn(2, Orientation::Portrait)
            ]
        );
        let annex = doc.annex.as_ref().unwrap();
        assert_eq!(annex.blocks.len(), 1, "{:?}", annex.blocks);
        assert_eq!(annex.turns, [turn(0, Orientation::Landscape)]);
        let sections = doc.annex_sections();
        assert_eq!(sections.len(), 1);
        assert!(sections[0].new_page);
        assert_eq!(sections[0].orientation, Orientation::Landscape);
        assert_eq!(doc.body_sections().len(), 3);

        let twice = format!("{FRONT}\n{ANNEX}\n\nA\n\n{ANNEX}\n");
        assert_eq!(
            parse(&twice),
            Err(MarkdownError::SecondAnnex { line: 13, first: 9 })
        );
        assert!(parse(&format!("{FRONT}\nA\n")).unwrap().annex.is_none());
    }

    #[test]
    fn merged_cells_make_header_rows_and_leave_empty_places() {
        let md = format!(
            "{FRONT}\n| STT | Kinh phí | < | Ghi chú |\n|:-:|--:|--:|---|\n| ^ | Tổng | KC | ^ |\n| 1 | 3 | 2 | \\< |\n| **Cộng** | < | 2 | \\^ |\n"
        );
        let doc = parse(&md).unwrap();
        let Block::Table(t) = &doc.blocks[0] else {
            panic!("{:?}", doc.blocks)
        };
        assert_eq!(t.line, 9);
        assert_eq!(t.header.len(), 4);
        assert_eq!(t.header[2], Vec::<Inline>::new());
        assert_eq!(t.subheader.len(), 1);
        assert_eq!(t.subheader[0][1], [Inline::plain("Tổng")]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][3], [Inline::plain("<")], "escaped: text");
        assert_eq!(t.rows[1][3], [Inline::plain("^")]);
        let merge = |row, column, rows, columns| crate::document::Merge {
            row,
            column,
            rows,
            columns,
        };
        assert_eq!(
            t.merges,
            [
                merge(0, 0, 2, 1),
                merge(0, 1, 1, 2),
                merge(0, 3, 2, 1),
                merge(3, 0, 1, 2)
            ]
        );
        use crate::document::Place;
        let grid = t.grid();
        assert_eq!(
            grid.row(1),
            [
                Place::Below { columns: 1 },
                Place::Cell {
                    columns: 1,
                    rows: 1
                },
                Place::Cell {
                    columns: 1,
                    rows: 1
                },
                Place::Below { columns: 1 }
            ]
        );
        assert_eq!(grid.row(3)[1], Place::Covered);
    }

    #[test]
    fn misplaced_merge_signs_name_the_markdown_line() {
        let body = "| A | B |\n|---|---|\n| 1 | 2 |\n| ^ | 3 |\n";
        assert_eq!(
            parse(&format!("{FRONT}\n{body}")),
            Err(MarkdownError::MergeUpBody {
                line: 12,
                column: 1
            })
        );
        let body = "| A | B |\n|---|---|\n| < | 2 |\n";
        let err = parse(&format!("{FRONT}\n{body}")).unwrap_err();
        assert_eq!(err, MarkdownError::MergeLeftFirst { line: 11 });
        assert!(err.to_string().contains("dòng 11"), "{err}");
    }

    #[test]
    fn front_matter_errors_point_at_the_line() {
        let md = FRONT.replace("trich_yeu", "trich_yeuu");
        match parse(&md) {
            Err(MarkdownError::FrontMatter { message, .. }) => {
                assert!(
                    message.contains(
                        "khóa `trich_yeuu` không dùng được. Có phải ý bạn là `trich_yeu`?"
                    ),
                    "{message}"
                )
            }
            other => panic!("{other:?}"),
        }
        let md = "+++\nco_quan_ban_hanh = \"X\"\nso_ky_hieu = 5 5\n+++\n";
        match parse(md) {
            Err(MarkdownError::FrontMatter { line, .. }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
        assert_eq!(parse("# I. A\n"), Err(MarkdownError::MissingFrontMatter));
    }
}
