//! The PDF's pages as HTML, for the desk's live preview (`khuyencong
//! xem`): the same laid-out pages the PDF writer transcribes
//! ([`pdf::layout`](super::pdf::layout)), each a box of its page's size,
//! every span absolutely placed at its x and baseline in points, in the
//! embedded Liberation Serif faces (served by the desk, see [`STYLE`]), so
//! that the text lands where the PDF puts it and the pages break where the
//! PDF's do. Nothing is laid out here: positions, sizes and the
//! justification added at each space are the layout's.
//!
//! The output is a fragment (one `<section>` per page) that the page
//! showing it styles with [`STYLE`].

use std::fmt::Write;

use super::fonts::Face;
use super::pdf::layout::{Item, Layout, Rule, Span};

/// Where the page that shows the fragment serves the faces:
/// `FONT_PATH` + [`font_file`].
pub const FONT_PATH: &str = "/phong/";

/// The file name a face is served under.
pub fn font_file(face: Face) -> String {
    format!("{}.ttf", face.postscript_name())
}

/// The CSS class of a face.
fn class(face: Face) -> &'static str {
    match face {
        Face::Regular => "r",
        Face::Bold => "b",
        Face::Italic => "i",
        Face::BoldItalic => "bi",
    }
}

/// The style every page of the fragment needs: the four faces, each a
/// family of its own so that the browser never synthesises bold or italic,
/// with kerning and ligatures off (the PDF draws each character's own
/// glyph at its advance, nothing else).
///
/// A span is placed by its baseline: its box has no line height, and an
/// empty inline block 1 em high sits on the baseline before the text, so
/// the line starts exactly 1 em above the baseline whatever ascent the
/// browser reads from the face (`top` = baseline − size).
pub fn style() -> String {
    let mut css = String::new();
    for face in Face::ALL {
        let _ = write!(
            css,
            "@font-face{{font-family:kc-{c};src:url(\"{FONT_PATH}{f}\") format(\"truetype\");font-display:block}}\n.{c}{{font-family:kc-{c},serif}}\n",
            c = class(face),
            f = font_file(face),
        );
    }
    css.push_str(concat!(
        ".trang{position:relative;background:#fff;margin:0 auto 18px;box-shadow:0 1px 4px rgba(0,0,0,.35);overflow:hidden;color:#000}\n",
        ".trang .s{position:absolute;line-height:0;white-space:pre;font-kerning:none;",
        "font-variant-ligatures:none;font-feature-settings:\"kern\" 0,\"liga\" 0,\"clig\" 0;",
        "text-rendering:geometricPrecision}\n",
        ".trang .s::before{content:\"\";display:inline-block;height:1em}\n",
        ".trang .k{position:absolute;background:#000}\n",
        ".trang .w{word-spacing:0}\n",
    ));
    css
}

/// The pages as HTML: one `<section class="trang">` per page, numbered
/// from 1 in `data-trang`.
pub fn pages(layout: &Layout) -> String {
    let spans: usize = layout.pages.iter().map(|p| p.items.len()).sum();
    let mut out = String::with_capacity(160 * spans);
    for (n, page) in layout.pages.iter().enumerate() {
        let _ = write!(
            out,
            "<section class=\"trang\" data-trang=\"{}\" style=\"width:{}pt;height:{}pt\">",
            n + 1,
            pt(page.sheet.width),
            pt(page.sheet.height)
        );
        for item in &page.items {
            match item {
                Item::Text(span) => push_span(&mut out, span),
                Item::Rule(rule) => push_rule(&mut out, rule),
            }
        }
        out.push_str("</section>\n");
    }
    out
}

/// A length in points, to a hundredth (far below a pixel).
fn pt(v: f32) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn push_span(out: &mut String, span: &Span) {
    let _ = write!(
        out,
        "<span class=\"s {}\" style=\"left:{}pt;top:{}pt;font-size:{}pt",
        class(span.face),
        pt(span.x),
        pt(span.baseline - span.size),
        pt(span.size)
    );
    if span.gap_extra != 0.0 {
        // The PDF widens each ASCII space; CSS would widen a no-break
        // space too, so those are kept at their own width.
        let _ = write!(out, ";word-spacing:{}pt", pt(span.gap_extra));
    }
    out.push_str("\">");
    for c in span.text.chars() {
        match c {
            '\u{a0}' if span.gap_extra != 0.0 => out.push_str("<span class=\"w\">\u{a0}</span>"),
            _ => escape_char(out, c),
        }
    }
    out.push_str("</span>");
}

/// A rule as a box: a straight one along its length, its thickness
/// centred on the line as the PDF strokes it; a slanted one turned.
fn push_rule(out: &mut String, rule: &Rule) {
    let t = rule.thickness;
    if rule.y1 == rule.y2 || rule.x1 == rule.x2 {
        let (left, right) = (rule.x1.min(rule.x2), rule.x1.max(rule.x2));
        let (top, bottom) = (rule.y1.min(rule.y2), rule.y1.max(rule.y2));
        let (x, y, w, h) = if rule.y1 == rule.y2 {
            (left, top - t / 2.0, right - left, t)
        } else {
            (left - t / 2.0, top, t, bottom - top)
        };
        let _ = write!(
            out,
            "<i class=\"k\" style=\"left:{}pt;top:{}pt;width:{}pt;height:{}pt\"></i>",
            pt(x),
            pt(y),
            pt(w),
            pt(h)
        );
    } else {
        let (dx, dy) = (rule.x2 - rule.x1, rule.y2 - rule.y1);
        let _ = write!(
            out,
            "<i class=\"k\" style=\"left:{}pt;top:{}pt;width:{}pt;height:{}pt;transform-origin:0 50%;transform:rotate({}rad)\"></i>",
            pt(rule.x1),
            pt(rule.y1 - t / 2.0),
            pt(dx.hypot(dy)),
            pt(t),
            dy.atan2(dx)
        );
    }
}

/// Text as HTML character data or a quoted attribute value: the five
/// characters that could end either are written as references.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        escape_char(&mut out, c);
    }
    out
}

fn escape_char(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::pdf::layout::{Page, Role, Sheet, TextArea};

    fn page(items: Vec<Item>) -> Layout {
        let area = TextArea {
            left: 10.0,
            right: 90.0,
            top: 10.0,
            bottom: 190.0,
        };
        let sheet = Sheet {
            width: 100.0,
            height: 200.0,
            area,
        };
        Layout {
            width: 100.0,
            height: 200.0,
            area,
            pages: vec![Page {
                items,
                orientation: crate::document::Orientation::Portrait,
                sheet,
            }],
            outline: Vec::new(),
        }
    }

    fn span(text: &str, gap_extra: f32) -> Item {
        Item::Text(Span {
            role: Role::Body,
            face: Face::Bold,
            size: 13.0,
            x: 56.5,
            baseline: 100.25,
            width: 40.0,
            gap_extra,
            text: text.into(),
        })
    }

    #[test]
    fn spans_sit_on_their_baseline_with_their_text_escaped() {
        let html = pages(&page(vec![span("<script>\"x\" & 'y'</script>", 0.0)]));
        assert_eq!(
            html,
            "<section class=\"trang\" data-trang=\"1\" style=\"width:100pt;height:200pt\">\
             <span class=\"s b\" style=\"left:56.5pt;top:87.25pt;font-size:13pt\">\
             &lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;</span></section>\n"
        );
    }

    #[test]
    fn justified_lines_widen_ascii_spaces_only() {
        let html = pages(&page(vec![span("a b\u{a0}c", 1.5)]));
        assert!(html.contains("word-spacing:1.5pt\">a b<span class=\"w\">\u{a0}</span>c</span>"));
    }

    #[test]
    fn rules_are_centred_on_their_line() {
        let html = pages(&page(vec![
            Item::Rule(Rule {
                x1: 60.0,
                y1: 50.0,
                x2: 20.0,
                y2: 50.0,
                thickness: 0.5,
            }),
            Item::Rule(Rule {
                x1: 30.0,
                y1: 10.0,
                x2: 30.0,
                y2: 40.0,
                thickness: 1.0,
            }),
        ]));
        assert!(html.contains("left:20pt;top:49.75pt;width:40pt;height:0.5pt"));
        assert!(html.contains("left:29.5pt;top:10pt;width:1pt;height:30pt"));
    }
}
