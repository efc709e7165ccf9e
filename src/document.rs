//! The document model shared by every writer: what the Markdown says, once
//! parsed. The DOCX and PDF writers render this; neither re-parses Markdown.

use serde::{Deserialize, Deserializer, Serialize};

use crate::contract::Date;

/// Years a report may be dated in: a DOCX is a zip, whose entries cannot
/// be dated outside 1980–2107; no real report is.
pub const REPORT_YEARS: std::ops::RangeInclusive<i32> = 1980..=2107;

fn report_date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let text = String::deserialize(d)?;
    Date::parse(&text)
        .filter(|date| REPORT_YEARS.contains(&date.year))
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "khóa `ngay` phải là một ngày có thật dạng NNNN-TT-NN trong các năm {}–{} (ví dụ 2023-12-15), nhận được \"{text}\"",
                REPORT_YEARS.start(),
                REPORT_YEARS.end()
            ))
        })
}

/// A whole report: the official frame (header, signature, recipients, page
/// settings) from the front matter, the body blocks in order, and the annex
/// printed after the closing block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub meta: Metadata,
    /// The body: from under the title to the closing sentence.
    pub blocks: Vec<Block>,
    /// Where the body turns to a new page of another orientation.
    #[serde(default)]
    pub turns: Vec<Turn>,
    /// Written after `<!-- phu-luc -->`.
    #[serde(default)]
    pub annex: Option<Annex>,
}

/// The annex ("Phụ lục"): after the signature and the recipients, from a
/// new page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Annex {
    pub blocks: Vec<Block>,
    pub turns: Vec<Turn>,
}

/// `<!-- trang-ngang -->` or `<!-- trang-doc -->`: a new page in
/// `orientation` from block `before` on (of the body or of the annex).
/// Kept beside the blocks rather than as a block, so code matching every
/// kind of block does not have to learn about pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    pub before: usize,
    pub orientation: Orientation,
}

/// Which way a page is turned: landscape is the front matter's paper turned
/// a quarter, with the same margins (the binding margin stays on the left).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Orientation {
    #[default]
    Portrait,
    Landscape,
}

/// A run of blocks on pages of one orientation, as the writers lay it out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Section<'a> {
    pub orientation: Orientation,
    /// Starts on a new page: every section but the body's first.
    pub new_page: bool,
    pub blocks: &'a [Block],
    /// Index of its first block in the body or the annex, for messages.
    pub first: usize,
}

impl Document {
    /// The body's sections; the first is on page 1 (portrait, under the
    /// title), even when empty.
    pub fn body_sections(&self) -> Vec<Section<'_>> {
        sections(&self.blocks, &self.turns, Orientation::Portrait, false)
    }

    /// The annex's sections, the first on a new page in the orientation the
    /// body ends in unless the annex turns the page first; none without an
    /// annex.
    pub fn annex_sections(&self) -> Vec<Section<'_>> {
        let Some(annex) = &self.annex else {
            return Vec::new();
        };
        let body_ends = self
            .turns
            .last()
            .map_or(Orientation::Portrait, |t| t.orientation);
        let mut all = sections(&annex.blocks, &annex.turns, body_ends, true);
        // The page the annex starts on is the page its first turn asks for.
        if all.len() > 1 && all[0].blocks.is_empty() {
            all.remove(0);
        }
        all
    }
}

/// Splits `blocks` at the turns (sorted, one per index: the parser sees to
/// both).
fn sections<'a>(
    blocks: &'a [Block],
    turns: &[Turn],
    start: Orientation,
    new_page: bool,
) -> Vec<Section<'a>> {
    let starts = std::iter::once((0, start, new_page)).chain(
        turns
            .iter()
            .map(|t| (t.before.min(blocks.len()), t.orientation, true)),
    );
    let ends = turns
        .iter()
        .map(|t| t.before.min(blocks.len()))
        .chain([blocks.len()]);
    starts
        .zip(ends)
        .map(|((first, orientation, new_page), end)| Section {
            orientation,
            new_page,
            blocks: &blocks[first..end.max(first)],
            first,
        })
        .collect()
}

/// The front matter of the Markdown (TOML between `+++` lines).
/// Keys are Vietnamese because clerks edit them in the template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Cơ quan chủ quản, e.g. "SỞ CÔNG THƯƠNG TỈNH ĐỒNG NAI" (may be empty).
    #[serde(default)]
    pub co_quan_chu_quan: String,
    /// Cơ quan ban hành, e.g. "TRUNG TÂM KHUYẾN CÔNG VÀ TƯ VẤN PHÁT TRIỂN CÔNG NGHIỆP".
    pub co_quan_ban_hanh: String,
    /// Số, ký hiệu without the "Số: " prefix, e.g. "581/BC-KC&TV".
    pub so_ky_hieu: String,
    #[serde(default = "default_quoc_hieu")]
    pub quoc_hieu: String,
    #[serde(default = "default_tieu_ngu")]
    pub tieu_ngu: String,
    /// Place and date line, e.g. "Đồng Nai, ngày 15 tháng 12 năm 2023".
    pub dia_danh_ngay: String,
    /// Date of the report (YYYY-MM-DD in the front matter), checked once
    /// here for both writers: their document properties carry it, so no
    /// output depends on the clock.
    #[serde(deserialize_with = "report_date")]
    pub ngay: Date,
    #[serde(default = "default_loai_van_ban")]
    pub loai_van_ban: String,
    /// Trích yếu, the summary line under the title.
    pub trich_yeu: String,
    /// Recipients, each already punctuated ("- Sở Công Thương;", "- Lưu: VT, KC.").
    #[serde(default)]
    pub noi_nhan: Vec<String>,
    /// Authority lines above the signature, e.g. ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"].
    #[serde(default)]
    pub tham_quyen: Vec<String>,
    /// Signer's full name.
    #[serde(default)]
    pub nguoi_ky: String,
    /// Page settings; every field defaults to Nghị định 30/2020.
    #[serde(default)]
    pub trang: PageSettings,
}

impl Metadata {
    /// Every text of the frame, for the parser to apply [`text_char`] to;
    /// a new text field belongs here too.
    pub(crate) fn texts_mut(&mut self) -> impl Iterator<Item = &mut String> {
        [
            &mut self.co_quan_chu_quan,
            &mut self.co_quan_ban_hanh,
            &mut self.so_ky_hieu,
            &mut self.quoc_hieu,
            &mut self.tieu_ngu,
            &mut self.dia_danh_ngay,
            &mut self.loai_van_ban,
            &mut self.trich_yeu,
            &mut self.nguoi_ky,
            &mut self.trang.phong_chu,
        ]
        .into_iter()
        .chain(&mut self.noi_nhan)
        .chain(&mut self.tham_quyen)
    }
}

fn default_quoc_hieu() -> String {
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into()
}
fn default_tieu_ngu() -> String {
    "Độc lập - Tự do - Hạnh phúc".into()
}
fn default_loai_van_ban() -> String {
    "BÁO CÁO".into()
}

/// Page and typography settings (Nghị định 30/2020/NĐ-CP, Phụ lục I).
/// Lengths in millimetres, sizes in points: layout values, not money, so
/// plain floats are right here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PageSettings {
    pub kho_giay_rong_mm: f32,
    pub kho_giay_cao_mm: f32,
    pub le_tren_mm: f32,
    pub le_duoi_mm: f32,
    pub le_trai_mm: f32,
    pub le_phai_mm: f32,
    /// Font family name written into the DOCX (the PDF embeds the
    /// metric-compatible Liberation Serif).
    pub phong_chu: String,
    /// Body text size.
    pub co_chu: f32,
    /// Size of the header block lines (agency, national name).
    pub co_chu_dau_trang: f32,
    /// Size of the page numbers in the top margin.
    pub co_chu_so_trang: f32,
    /// Size of "Nơi nhận:" (the recipients use one point less).
    pub co_chu_noi_nhan: f32,
    /// Size of table text.
    pub co_chu_bang: f32,
    /// First-line indent of body paragraphs, in centimetres.
    pub thut_dau_dong_cm: f32,
    /// Space after each paragraph, in points.
    pub cach_doan_pt: f32,
    /// Line spacing as a multiple of single spacing.
    pub gian_dong: f32,
}

impl PageSettings {
    /// Paper width and height in millimetres, turned as `orientation` says.
    pub fn paper_mm(&self, orientation: Orientation) -> (f32, f32) {
        match orientation {
            Orientation::Portrait => (self.kho_giay_rong_mm, self.kho_giay_cao_mm),
            Orientation::Landscape => (self.kho_giay_cao_mm, self.kho_giay_rong_mm),
        }
    }

    /// What both writers need of the settings: a page with room for text
    /// and sizes a writer can set.
    pub fn check(&self) -> Result<(), String> {
        let lengths = [
            ("kho_giay_rong_mm", self.kho_giay_rong_mm),
            ("kho_giay_cao_mm", self.kho_giay_cao_mm),
            ("le_tren_mm", self.le_tren_mm),
            ("le_duoi_mm", self.le_duoi_mm),
            ("le_trai_mm", self.le_trai_mm),
            ("le_phai_mm", self.le_phai_mm),
            ("thut_dau_dong_cm", self.thut_dau_dong_cm),
            ("cach_doan_pt", self.cach_doan_pt),
        ];
        let sizes = [
            ("co_chu", self.co_chu),
            ("co_chu_dau_trang", self.co_chu_dau_trang),
            ("co_chu_so_trang", self.co_chu_so_trang),
            ("co_chu_noi_nhan", self.co_chu_noi_nhan),
            ("co_chu_bang", self.co_chu_bang),
            ("gian_dong", self.gian_dong),
        ];
        if let Some((key, v)) = lengths.iter().find(|(_, v)| !(v.is_finite() && *v >= 0.0)) {
            return Err(format!(
                "khóa `{key}` phải là một số không âm, nhận được {v}"
            ));
        }
        if let Some((key, v)) = sizes
            .iter()
            .find(|(_, v)| !(v.is_finite() && (0.5..=200.0).contains(v)))
        {
            return Err(format!(
                "khóa `{key}` phải là một số từ 0,5 đến 200, nhận được {v}"
            ));
        }
        if self.le_trai_mm + self.le_phai_mm + 10.0 > self.kho_giay_rong_mm {
            return Err(format!(
                "lề trái và lề phải ({} mm + {} mm) không chừa đủ chỗ cho chữ (ít nhất 10 mm) trên khổ giấy rộng {} mm",
                self.le_trai_mm, self.le_phai_mm, self.kho_giay_rong_mm
            ));
        }
        if self.le_tren_mm + self.le_duoi_mm + 10.0 > self.kho_giay_cao_mm {
            return Err(format!(
                "lề trên và lề dưới ({} mm + {} mm) không chừa đủ chỗ cho chữ (ít nhất 10 mm) trên khổ giấy cao {} mm",
                self.le_tren_mm, self.le_duoi_mm, self.kho_giay_cao_mm
            ));
        }
        Ok(())
    }
}

impl Default for PageSettings {
    fn default() -> Self {
        Self {
            kho_giay_rong_mm: 210.0,
            kho_giay_cao_mm: 297.0,
            le_tren_mm: 20.0,
            le_duoi_mm: 20.0,
            le_trai_mm: 30.0,
            le_phai_mm: 15.0,
            phong_chu: "Times New Roman".into(),
            co_chu: 14.0,
            co_chu_dau_trang: 13.0,
            co_chu_so_trang: 13.0,
            co_chu_noi_nhan: 12.0,
            co_chu_bang: 12.0,
            thut_dau_dong_cm: 1.27,
            cach_doan_pt: 6.0,
            gian_dong: 1.15,
        }
    }
}

/// A body block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Block {
    /// `#` = level 1 (`I.` sections, caps bold), `##` = 2 (`1.` items),
    /// `###` = 3 (`1.1.` sub-items), `####` = 4 (`a)` points).
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    /// A justified body paragraph with a first-line indent.
    Paragraph(Vec<Inline>),
    /// A list. `start` is the first number of an ordered list, `None` for
    /// a bullet ("- ") list; items may hold lists of their own, to any
    /// depth.
    List {
        start: Option<u64>,
        items: Vec<ListItem>,
    },
    Table(Table),
    /// Written in Markdown as `<!-- ngat-trang -->`.
    PageBreak,
}

/// One list item: the paragraph printed after its marker, then what the
/// item holds under it, in order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ListItem {
    pub content: Vec<Inline>,
    /// Further paragraphs of the item and nested lists; only
    /// [`Block::Paragraph`] and [`Block::List`] (the parser refuses
    /// anything else inside an item).
    #[serde(default)]
    pub children: Vec<Block>,
}

impl ListItem {
    /// An item of one paragraph.
    pub fn plain(content: Vec<Inline>) -> Self {
        ListItem {
            content,
            children: Vec::new(),
        }
    }
}

/// A run of text with one style, or a hard line break.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Inline {
    Text(Run),
    LineBreak,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Run {
    /// In NFC, and only characters [`text_char`] keeps (the Markdown
    /// parser sees to both).
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

/// What a character of text becomes in the model, decided once for every
/// writer. XML 1.0 (the DOCX parts, the PDF's XMP packet) forbids the C0
/// controls but tab, line feed and carriage return, and U+FFFE/U+FFFF,
/// which Rust strings can hold; the PDF fonts have no glyph for any control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextChar {
    Keep,
    /// Word's line break (U+000B, which pasted text brings), form feed,
    /// NEL and the Unicode line and paragraph separators.
    LineBreak,
    /// Every other control, the noncharacters, and the invisible format
    /// characters pasted text carries (zero-width space and joiners,
    /// direction marks, the byte-order mark U+FEFF): a printed report shows
    /// nothing for them, Word would keep them unseen and the PDF could not
    /// draw them, so dropping them gives both writers the same text.
    Drop,
}

/// See [`TextChar`].
pub fn text_char(c: char) -> TextChar {
    match c {
        '\t' | '\n' | '\r' => TextChar::Keep,
        '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => TextChar::LineBreak,
        '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}'
        | '\u{feff}'
        | '\u{fdd0}'..='\u{fdef}' => TextChar::Drop,
        c if c.is_control() || u32::from(c) & 0xfffe == 0xfffe => TextChar::Drop,
        _ => TextChar::Keep,
    }
}

/// A GFM table. Its header rows (`header`, then `subheader`) are repeated
/// on every page by both writers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Table {
    pub align: Vec<Align>,
    /// The row above the delimiter row (`|---|`) of the Markdown.
    pub header: Vec<Cell>,
    /// Header rows under it: the rows right after the delimiter row that
    /// merge a cell into the one above (`^`), for a two- or three-level
    /// header.
    #[serde(default)]
    pub subheader: Vec<Vec<Cell>>,
    pub rows: Vec<Vec<Cell>>,
    /// Cells wider or taller than one position (`<`, `^`); the positions
    /// they cover hold empty cells.
    #[serde(default)]
    pub merges: Vec<Merge>,
    /// Line of the rendered Markdown the table starts on, for messages (0
    /// for a table built in code).
    #[serde(default)]
    pub line: usize,
}

/// One table cell: a single paragraph of inlines.
pub type Cell = Vec<Inline>;

/// A cell covering `rows` × `columns` positions from (`row`, `column`);
/// rows are counted over the header rows, then the body rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    pub row: usize,
    pub column: usize,
    pub rows: usize,
    pub columns: usize,
}

/// What stands at one position of a table row, for the writers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A cell starts here, `columns` wide and `rows` tall.
    Cell { columns: usize, rows: usize },
    /// A cell of the rows above continues here, `columns` wide.
    Below { columns: usize },
    /// Inside a cell starting further left.
    Covered,
}

/// Every row's places: rows no merge touches share one list.
#[derive(Debug, Clone)]
pub struct Grid {
    plain: Vec<Place>,
    merged: std::collections::BTreeMap<usize, Vec<Place>>,
}

impl Grid {
    /// The places of row `row` (header rows first), one per column.
    pub fn row(&self, row: usize) -> &[Place] {
        self.merged.get(&row).unwrap_or(&self.plain)
    }
}

impl Table {
    /// Number of columns: the widest row decides.
    pub fn columns(&self) -> usize {
        self.header_rows()
            .chain(self.rows.iter().map(Vec::as_slice))
            .map(<[Cell]>::len)
            .chain([self.align.len()])
            .max()
            .unwrap_or(0)
    }

    /// The header rows, top down.
    pub fn header_rows(&self) -> impl Iterator<Item = &[Cell]> {
        std::iter::once(self.header.as_slice()).chain(self.subheader.iter().map(Vec::as_slice))
    }

    /// Where each row's cells start and what they cover.
    pub fn grid(&self) -> Grid {
        let columns = self.columns();
        let plain = vec![
            Place::Cell {
                columns: 1,
                rows: 1
            };
            columns
        ];
        let mut merged = std::collections::BTreeMap::new();
        for m in &self.merges {
            for row in m.row..m.row + m.rows {
                let places: &mut Vec<Place> = merged.entry(row).or_insert_with(|| plain.clone());
                let end = (m.column + m.columns).min(columns);
                for place in places.iter_mut().take(end).skip(m.column) {
                    *place = Place::Covered;
                }
                if let Some(first) = places.get_mut(m.column) {
                    *first = if row == m.row {
                        Place::Cell {
                            columns: m.columns,
                            rows: m.rows,
                        }
                    } else {
                        Place::Below { columns: m.columns }
                    };
                }
            }
        }
        Grid { plain, merged }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Align {
    /// No alignment given in the Markdown: left for text.
    None,
    Left,
    Center,
    Right,
}

impl Inline {
    /// Shorthand for a plain run, used by tests and builders.
    pub fn plain(text: impl Into<String>) -> Self {
        Inline::Text(Run {
            text: text.into(),
            ..Run::default()
        })
    }
}

/// The plain text of a sequence of inlines (line breaks become spaces).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for inline in inlines {
        match inline {
            Inline::Text(run) => out.push_str(&run.text),
            Inline::LineBreak => out.push(' '),
        }
    }
    out
}
