//! The official frame of Nghị định 30/2020/NĐ-CP, decided once for both
//! writers: the header block of page 1 (agencies and number on the left,
//! national name, motto and place/date on the right), the title block, and
//! the closing block (recipients on the left; authority, room to sign and
//! the signer on the right), with their words, sizes, column widths, rule
//! lengths and line breaks, all measured with the embedded faces. The
//! prepared layout ([`crate::render::prepared`]) adds the frame's strokes
//! and gaps; the DOCX and PDF writers only place what is decided there, so
//! a change here changes both outputs.

use crate::document::{Metadata, Orientation, PageSettings};
use crate::render::fonts::{self, Face, FontError};

/// Lines left blank between the position and the signer's name: room for
/// the handwritten signature and the seal (or their images when signed
/// digitally).
pub const SIGNATURE_LINES: usize = 4;

/// Label over the recipients.
pub const RECIPIENTS_LABEL: &str = "Nơi nhận:";

/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;

/// Size and face of a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    pub size: f32,
    pub bold: bool,
    pub italic: bool,
}

impl Look {
    pub fn new(size: f32) -> Self {
        Look {
            size,
            bold: false,
            italic: false,
        }
    }
    fn bold(self) -> Self {
        Look { bold: true, ..self }
    }
    fn italic(self) -> Self {
        Look {
            italic: true,
            ..self
        }
    }
    pub fn face(self) -> Face {
        Face::new(self.bold, self.italic)
    }
}

/// One printed line of the frame: already broken, never broken again.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub look: Look,
}

/// Which metadata key a line comes from, for messages about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced {
    pub key: &'static str,
    pub lines: Vec<Line>,
}

/// A solid rule centred under the text above it, `length` points long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub length: f32,
}

/// The two-column header block of page 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// Parent body (if any), then issuing body; the rule goes under them.
    pub left: Vec<Sourced>,
    pub left_rule: Rule,
    /// "Số: …", on the baseline of the place and date.
    pub number: Sourced,
    /// National name and motto; the rule goes under them.
    pub right: Vec<Sourced>,
    pub right_rule: Rule,
    pub place_date: Sourced,
}

/// Document type and summary, centred over the text width.
#[derive(Debug, Clone, PartialEq)]
pub struct Title {
    pub lines: Vec<Sourced>,
    pub rule: Rule,
}

/// Recipients on the left; authority, room to sign, signer on the right.
/// One block: neither writer lets a page break fall inside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Closing {
    /// "Nơi nhận:" and the recipients; empty when there are none.
    pub left: Vec<Line>,
    pub authority: Vec<Line>,
    /// Blank lines of the signer's size before the name.
    pub signature_lines: usize,
    pub signer: Line,
}

/// The whole frame, in points.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Width between the margins.
    pub text_width: f32,
    /// Widths of the left and right columns of the header and closing
    /// blocks (they share one split, so the blocks line up).
    pub columns: (f32, f32),
    pub header: Header,
    pub title: Title,
    pub closing: Closing,
}

/// Width between the margins, in points, on a page turned `orientation`
/// (the margins stay where they are).
pub fn text_width(s: &PageSettings, orientation: Orientation) -> f32 {
    (s.paper_mm(orientation).0 - s.le_trai_mm - s.le_phai_mm) * PT_PER_MM
}

/// Decides the frame of a document (page 1 and the closing block are
/// set for the front matter's page, portrait).
pub fn frame(meta: &Metadata) -> Result<Frame, FontError> {
    let s = &meta.trang;
    let text_width = text_width(s, Orientation::Portrait);
    let small = Look::new(s.co_chu_dau_trang);
    let body = Look::new(s.co_chu);

    let quoc_hieu = meta.quoc_hieu.to_uppercase();
    // The right column holds the national name and the motto on one line
    // each, with an em to spare; the left takes the rest, and never less
    // than two fifths of the width.
    let needed =
        width(&quoc_hieu, small.bold())?.max(width(&meta.tieu_ngu, body.bold())?) + s.co_chu;
    let right = needed.max(text_width / 2.0).min(text_width * 0.6);
    let (left_w, right_w) = (text_width - right, right);

    let mut left = Vec::new();
    if !meta.co_quan_chu_quan.trim().is_empty() {
        left.push(sourced(
            "co_quan_chu_quan",
            &meta.co_quan_chu_quan.to_uppercase(),
            small,
            left_w,
        )?);
    }
    let agency = sourced(
        "co_quan_ban_hanh",
        &meta.co_quan_ban_hanh.to_uppercase(),
        small.bold(),
        left_w,
    )?;
    let left_rule = Rule {
        length: widest(&agency.lines)? / 3.0,
    };
    left.push(agency);
    let nation = sourced("quoc_hieu", &quoc_hieu, small.bold(), right_w)?;
    let motto = sourced("tieu_ngu", &meta.tieu_ngu, body.bold(), right_w)?;
    let right_rule = Rule {
        length: widest(&motto.lines)?,
    };
    let header = Header {
        left,
        left_rule,
        number: sourced(
            "so_ky_hieu",
            &format!("Số: {}", meta.so_ky_hieu),
            small,
            left_w,
        )?,
        right: vec![nation, motto],
        right_rule,
        place_date: sourced("dia_danh_ngay", &meta.dia_danh_ngay, body.italic(), right_w)?,
    };

    let kind = sourced(
        "loai_van_ban",
        &meta.loai_van_ban.to_uppercase(),
        body.bold(),
        text_width,
    )?;
    let summary = sourced("trich_yeu", &meta.trich_yeu, body.bold(), text_width)?;
    let title = Title {
        rule: Rule {
            length: widest(&summary.lines)? / 3.0,
        },
        lines: vec![kind, summary],
    };

    let mut closing_left = Vec::new();
    if !meta.noi_nhan.is_empty() {
        let label = Look::new(s.co_chu_noi_nhan);
        closing_left.extend(lines(RECIPIENTS_LABEL, label.bold().italic(), left_w)?);
        for r in &meta.noi_nhan {
            closing_left.extend(lines(r, Look::new(s.co_chu_noi_nhan - 1.0), left_w)?);
        }
    }
    let mut authority = Vec::new();
    for a in &meta.tham_quyen {
        authority.extend(lines(&a.to_uppercase(), body.bold(), right_w)?);
    }
    let closing = Closing {
        left: closing_left,
        authority,
        signature_lines: SIGNATURE_LINES,
        signer: Line {
            text: meta.nguoi_ky.clone(),
            look: body.bold(),
        },
    };
    Ok(Frame {
        text_width,
        columns: (left_w, right_w),
        header,
        title,
        closing,
    })
}

fn sourced(key: &'static str, text: &str, look: Look, column: f32) -> Result<Sourced, FontError> {
    Ok(Sourced {
        key,
        lines: lines(text, look, column)?,
    })
}

/// Printed width of `text` in points, with the advances the PDF embeds.
/// A character the faces lack counts as half an em (the PDF refuses it
/// anyway, with its place).
pub fn width(text: &str, look: Look) -> Result<f32, FontError> {
    let face = fonts::face(look.face())?;
    Ok(text
        .chars()
        .map(|c| face.advance(c).unwrap_or(500.0))
        .sum::<f32>()
        * look.size
        / 1000.0)
}

fn widest(lines: &[Line]) -> Result<f32, FontError> {
    lines
        .iter()
        .try_fold(0.0f32, |w, l| Ok(w.max(width(&l.text, l.look)?)))
}

/// Single words of agency names that stand alone; every other syllable
/// pairs with the next into a word group ("KHUYẾN CÔNG", "TƯ VẤN",
/// "PHÁT TRIỂN"), which a line break never splits.
const STANDALONE: &[&str] = &[
    "SỞ",
    "BỘ",
    "CỤC",
    "VỤ",
    "VIỆN",
    "BAN",
    "PHÒNG",
    "CHI",
    "TỔNG",
    "TỈNH",
    "HUYỆN",
    "XÃ",
    "PHƯỜNG",
    "QUẬN",
    "THỊ",
    "VÀ",
    "CỦA",
    "VỀ",
    "THUỘC",
    "TRỰC",
    "-",
    "–",
];

/// Kinds of place that stay on the line of the place's name.
const PLACE_KINDS: &[&str] = &[
    "TỈNH",
    "HUYỆN",
    "XÃ",
    "PHƯỜNG",
    "QUẬN",
    "THỊ",
    "THÀNH PHỐ",
    "THỊ TRẤN",
];

/// Breaks `text` into lines no wider than `column`, first line fullest, at
/// word groups only. A clerk can force a break with a line break in the
/// value and glue two words with a no-break space (U+00A0).
pub fn lines(text: &str, look: Look, column: f32) -> Result<Vec<Line>, FontError> {
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let groups = word_groups(paragraph.trim());
        let mut line = String::new();
        for group in groups {
            let candidate = if line.is_empty() {
                group.clone()
            } else {
                format!("{line} {group}")
            };
            if !line.is_empty() && width(&candidate, look)? > column {
                out.push(std::mem::replace(&mut line, group));
            } else {
                line = candidate;
            }
        }
        out.push(line);
    }
    Ok(out
        .into_iter()
        .map(|text| Line {
            text: text.replace('\u{a0}', " "),
            look,
        })
        .collect())
}

fn word_groups(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    let upper = text == text.to_uppercase() && text.chars().any(char::is_alphabetic);
    if !upper {
        // Body-case values (place and date, recipients) break at any space.
        return words.into_iter().map(String::from).collect();
    }
    let alone = |w: &str| STANDALONE.contains(&w);
    let mut groups: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if alone(words[i]) || i + 1 == words.len() || alone(words[i + 1]) {
            groups.push(words[i].to_string());
            i += 1;
        } else {
            groups.push(format!("{} {}", words[i], words[i + 1]));
            i += 2;
        }
    }
    // "TỈNH ĐỒNG NAI", "THÀNH PHỐ BIÊN HÒA", "THỊ XÃ …": a place stays
    // with its kind. Right to left, so "THỊ" joins "XÃ …" once that is whole.
    for g in (0..groups.len().saturating_sub(1)).rev() {
        if PLACE_KINDS.contains(&groups[g].as_str()) {
            let next = groups.remove(g + 1);
            groups[g] = format!("{} {next}", groups[g]);
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_names_break_between_word_groups() {
        let look = Look::new(13.0).bold();
        let name = "TRUNG TÂM KHUYẾN CÔNG VÀ TƯ VẤN PHÁT TRIỂN CÔNG NGHIỆP";
        let full = width(name, look).unwrap();
        for column in [full * 0.35, full * 0.5, full * 0.65, full * 0.8] {
            let broken = lines(name, look, column).unwrap();
            let texts: Vec<&str> = broken.iter().map(|l| l.text.as_str()).collect();
            assert_eq!(texts.join(" "), name);
            for pair in texts.windows(2) {
                let (end, start) = (
                    pair[0].rsplit(' ').next().unwrap(),
                    pair[1].split(' ').next().unwrap(),
                );
                for (a, b) in [
                    ("KHUYẾN", "CÔNG"),
                    ("TƯ", "VẤN"),
                    ("PHÁT", "TRIỂN"),
                    ("CÔNG", "NGHIỆP"),
                    ("TRUNG", "TÂM"),
                ] {
                    assert!(
                        !(end == a && start == b),
                        "{a} / {b} split at {column}: {texts:?}"
                    );
                }
            }
            assert!(
                broken
                    .iter()
                    .all(|l| width(&l.text, look).unwrap() <= column + 0.01),
                "{texts:?}"
            );
        }
        let two = lines(
            name,
            look,
            width("TRUNG TÂM KHUYẾN CÔNG VÀ TƯ VẤN", look).unwrap() + 1.0,
        )
        .unwrap();
        assert_eq!(
            two.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
            ["TRUNG TÂM KHUYẾN CÔNG VÀ TƯ VẤN", "PHÁT TRIỂN CÔNG NGHIỆP"]
        );
    }

    /// `text` broken just after `fits`, the longest first line allowed.
    fn broken_after(text: &str, fits: &str) -> Vec<String> {
        let look = Look::new(13.0);
        let column = width(fits, look).unwrap() + 1.0;
        let lines = lines(text, look, column).unwrap();
        lines.into_iter().map(|l| l.text).collect()
    }

    #[test]
    fn a_place_stays_with_its_kind() {
        assert_eq!(
            broken_after("SỞ CÔNG THƯƠNG TỈNH ĐỒNG NAI", "SỞ CÔNG THƯƠNG TỈNH"),
            ["SỞ CÔNG THƯƠNG", "TỈNH ĐỒNG NAI"]
        );
        assert_eq!(
            broken_after(
                "ỦY BAN NHÂN DÂN THỊ XÃ LONG KHÁNH",
                "ỦY BAN NHÂN DÂN THỊ XÃ"
            ),
            ["ỦY BAN NHÂN DÂN", "THỊ XÃ LONG KHÁNH"]
        );
    }

    #[test]
    fn a_clerk_can_force_and_forbid_breaks() {
        let look = Look::new(13.0);
        let forced = lines("SỞ CÔNG THƯƠNG\nTỈNH ĐỒNG NAI", look, 1000.0).unwrap();
        assert_eq!(forced.len(), 2);
        let glued = lines(
            "TRUNG TÂM HỒ\u{a0}CHÍ\u{a0}MINH",
            look,
            width("TRUNG TÂM HỒ", look).unwrap(),
        )
        .unwrap();
        assert_eq!(glued.last().unwrap().text, "HỒ CHÍ MINH");
    }
}
