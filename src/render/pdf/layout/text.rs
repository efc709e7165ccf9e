//! Text → measured glyphs → broken lines → positioned spans.

use super::justify::{self, Word};
use super::{Item, Layouter, MissingGlyph, Span, Stacked, Style, EPS};
use crate::document::Inline;
use crate::render::fonts::Face;

/// One character to draw, measured in its face.
#[derive(Debug, Clone, Copy)]
struct Glyph {
    ch: char,
    face: Face,
    width: f32,
}

impl Glyph {
    fn is_space(&self) -> bool {
        self.ch == ' '
    }
}

#[derive(Debug, Clone)]
enum Token {
    Word(Vec<Glyph>),
    Space(Glyph),
    Break,
}

/// A broken line before positioning; `justify` is false for the last line
/// of a paragraph and lines ended by a hard break.
#[derive(Debug, Clone)]
struct RawLine {
    glyphs: Vec<Glyph>,
    justify: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum TextAlign {
    Justify,
    Left,
    Center,
    Right,
}

impl Layouter<'_> {
    /// Splits inlines into words, spaces and hard breaks, measuring each
    /// character in the face its run asks for. Text comes in NFC (see
    /// `document::Run`), so an accented letter is one precomposed glyph.
    fn tokens(&mut self, inlines: &[Inline], style: &Style) -> Vec<Token> {
        let mut tokens = Vec::new();
        for inline in inlines {
            let run = match inline {
                Inline::Text(run) => run,
                Inline::LineBreak => {
                    tokens.push(Token::Break);
                    continue;
                }
            };
            let face = Face::new(run.bold || style.bold, run.italic || style.italic);
            for ch in run.text.chars() {
                let ch = if matches!(ch, '\t' | '\n' | '\r') {
                    ' '
                } else {
                    ch
                };
                let Some(advance) = self.metrics(face).advance(ch) else {
                    self.report_missing(ch);
                    continue;
                };
                let glyph = Glyph {
                    ch,
                    face,
                    width: advance * style.size / 1000.0,
                };
                match tokens.last_mut() {
                    // Runs of spaces collapse into one.
                    Some(Token::Space(_)) if glyph.is_space() => {}
                    _ if glyph.is_space() => tokens.push(Token::Space(glyph)),
                    Some(Token::Word(word)) => word.push(glyph),
                    _ => tokens.push(Token::Word(vec![glyph])),
                }
            }
        }
        tokens
    }

    fn report_missing(&mut self, ch: char) {
        let location = self.location.clone();
        match self.missing.iter_mut().find(|m| m.ch == ch) {
            Some(m) if m.locations.contains(&location) => {}
            Some(m) => m.locations.push(location),
            None => self.missing.push(MissingGlyph {
                ch,
                locations: vec![location],
            }),
        }
    }

    /// Breaks and positions text in the column starting at `x` (page
    /// coordinates): one entry per line, items relative to the line's top.
    pub(super) fn set_lines(
        &mut self,
        inlines: &[Inline],
        style: &Style,
        x: f32,
        width: f32,
    ) -> Vec<Vec<Item>> {
        let tokens = self.tokens(inlines, style);
        let regular = self.metrics(Face::Regular);
        // Centre the glyph box (ascent + descent) in the line box.
        let baseline = (style.line_height - (regular.ascent + regular.descent) * style.size) / 2.0
            + regular.ascent * style.size;
        let total_fit = style.align == TextAlign::Justify;
        break_lines(tokens, width - style.first_indent, width, total_fit)
            .into_iter()
            .enumerate()
            .map(|(i, line)| {
                let indent = if i == 0 { style.first_indent } else { 0.0 };
                position_line(&line, style, x + indent, width - indent, baseline)
                    .into_iter()
                    .map(Item::Text)
                    .collect()
            })
            .collect()
    }

    /// Sets text line after line from `top` down, in a column.
    pub(super) fn stack(
        &mut self,
        inlines: &[Inline],
        style: &Style,
        x: f32,
        width: f32,
        top: f32,
    ) -> Stacked {
        let mut stacked = Stacked::empty(top);
        for (i, line) in self
            .set_lines(inlines, style, x, width)
            .into_iter()
            .enumerate()
        {
            let (left, right) = extent(&line);
            stacked.widest = stacked.widest.max(right - left);
            for item in &line {
                let item = item.shifted(stacked.bottom);
                if let (0, Item::Text(span)) = (i, &item) {
                    stacked.first_baseline = span.baseline;
                }
                stacked.items.push(item);
            }
            stacked.bottom += style.line_height;
        }
        stacked
    }
}

/// Horizontal extent of a line's spans.
fn extent(items: &[Item]) -> (f32, f32) {
    items.iter().fold(
        (f32::INFINITY, f32::NEG_INFINITY),
        |(l, r), item| match item {
            Item::Text(span) => (l.min(span.x), r.max(span.x + span.width)),
            Item::Rule(_) => (l, r),
        },
    )
}

/// Breaks text into lines, each stretch between hard breaks on its own.
/// Justified text is broken as a whole ([`justify::breaks`]: total fit,
/// with first fit's line count); other text, and a stretch holding a word
/// wider than a line, first fit.
fn break_lines(tokens: Vec<Token>, first_width: f32, width: f32, total_fit: bool) -> Vec<RawLine> {
    let mut lines = Vec::new();
    let mut stretches = tokens.split(|t| matches!(t, Token::Break)).peekable();
    while let Some(stretch) = stretches.next() {
        let words: Vec<(Option<Glyph>, &[Glyph])> = words(stretch);
        if words.is_empty() {
            // An empty line between two hard breaks; none after the last.
            if stretches.peek().is_some() || lines.is_empty() {
                lines.push(RawLine {
                    glyphs: Vec::new(),
                    justify: false,
                });
            }
            continue;
        }
        let first = if lines.is_empty() { first_width } else { width };
        let start = lines.len();
        let fit = total_fit
            .then(|| {
                let boxes: Vec<Word> = words
                    .iter()
                    .map(|(space, word)| Word {
                        space: space.map_or(0.0, |g| g.width),
                        width: word.iter().map(|g| g.width).sum(),
                    })
                    .collect();
                justify::breaks(&boxes, first, width)
            })
            .flatten();
        match fit {
            Some(ends) => {
                let mut from = 0;
                for end in ends {
                    let mut glyphs = Vec::new();
                    for (i, (space, word)) in words[from..end].iter().enumerate() {
                        if i > 0 {
                            glyphs.extend(*space);
                        }
                        glyphs.extend_from_slice(word);
                    }
                    lines.push(RawLine {
                        glyphs,
                        justify: true,
                    });
                    from = end;
                }
            }
            None => first_fit(&words, first, width, &mut lines),
        }
        if let Some(last) = lines[start..].last_mut() {
            last.justify = false;
        }
    }
    lines
}

/// The words of a stretch of text, each with the space before it (none for
/// the first: a line never starts with a space).
fn words(tokens: &[Token]) -> Vec<(Option<Glyph>, &[Glyph])> {
    let mut words = Vec::new();
    let mut space = None;
    for token in tokens {
        match token {
            Token::Space(glyph) => space = (!words.is_empty()).then_some(*glyph),
            Token::Word(word) => words.push((space.take(), &word[..])),
            Token::Break => {}
        }
    }
    words
}

/// First fit: each word on the line if it fits, else on the next. A word
/// wider than a whole line is cut, preferably just after a `-` or `/`, else
/// between characters, filling the current line first so it never
/// overflows. Linear in the text: a line reads only the glyphs that could
/// go on it, so a megabyte-long word is cut in one pass.
fn first_fit(
    words: &[(Option<Glyph>, &[Glyph])],
    first_width: f32,
    width: f32,
    lines: &mut Vec<RawLine>,
) {
    let start = lines.len();
    let mut line: Vec<Glyph> = Vec::new();
    let mut used = 0.0f32;
    let finish = |lines: &mut Vec<RawLine>, line: &mut Vec<Glyph>| {
        lines.push(RawLine {
            glyphs: std::mem::take(line),
            justify: true,
        });
    };
    for &(space, word) in words {
        let mut space = space.filter(|_| !line.is_empty());
        // What is left of the word once its head went on a line.
        let mut rest = word;
        loop {
            let available = if lines.len() == start {
                first_width
            } else {
                width
            };
            let gap = space.map_or(0.0, |g| g.width);
            let room = available - used - gap;
            // An empty rest fits too: a column narrower than one glyph cuts
            // a word down to nothing.
            if let Some(rest_width) = width_within(rest, room) {
                line.extend(space.take());
                line.extend_from_slice(rest);
                used += gap + rest_width;
                break;
            }
            // Only a word wider than a whole line is cut; any other moves
            // whole to the next line.
            if width_within(rest, width).is_none() {
                if let Some(cut) = cut_point(rest, room, line.is_empty()) {
                    line.extend(space.take());
                    line.extend_from_slice(&rest[..cut]);
                    rest = &rest[cut..];
                }
            }
            // Whatever did not fit starts the next line.
            finish(lines, &mut line);
            used = 0.0;
            space = None;
        }
    }
    if !line.is_empty() {
        finish(lines, &mut line);
    }
}

/// The width of `glyphs` if it fits in `room`, reading no further than the
/// first glyph past it (what keeps a long word's breaking linear).
fn width_within(glyphs: &[Glyph], room: f32) -> Option<f32> {
    glyphs.iter().try_fold(0.0f32, |sum, glyph| {
        let sum = sum + glyph.width;
        (sum <= room + EPS).then_some(sum)
    })
}

/// Where to cut an over-long word so its head fits in `room`: after the last
/// fitting `-` or `/`, or (only on an empty line) after as many characters
/// as fit, at least one.
fn cut_point(word: &[Glyph], room: f32, empty_line: bool) -> Option<usize> {
    let mut width = 0.0;
    let mut fits = 0;
    let mut at_mark = None;
    for (i, glyph) in word.iter().enumerate() {
        width += glyph.width;
        if width > room + EPS {
            break;
        }
        fits = i + 1;
        // After a mark, but never inside a run of them ("//", "--").
        let mark = |g: &Glyph| matches!(g.ch, '-' | '/');
        if mark(glyph) && word.get(i + 1).is_some_and(|next| !mark(next)) {
            at_mark = Some(i + 1);
        }
    }
    at_mark.or(empty_line.then_some(fits.max(1)))
}

/// Turns a broken line into spans (one per face change) starting at `x`,
/// aligned in `width`, with `baseline` relative to the line's top.
fn position_line(line: &RawLine, style: &Style, x: f32, width: f32, baseline: f32) -> Vec<Span> {
    let natural: f32 = line.glyphs.iter().map(|g| g.width).sum();
    let gaps = line.glyphs.iter().filter(|g| g.is_space()).count();
    let (start, gap_extra) = match style.align {
        // Negative when total fit shrank the line's spaces (by at most
        // `justify::SHRINK` of a space).
        TextAlign::Justify if line.justify && gaps > 0 => (x, (width - natural) / gaps as f32),
        TextAlign::Justify | TextAlign::Left => (x, 0.0),
        TextAlign::Center => (x + (width - natural) / 2.0, 0.0),
        TextAlign::Right => (x + width - natural, 0.0),
    };
    let mut spans: Vec<Span> = Vec::new();
    let mut pen = start;
    for glyph in &line.glyphs {
        let advance = glyph.width + if glyph.is_space() { gap_extra } else { 0.0 };
        match spans.last_mut() {
            Some(span) if span.face == glyph.face => {
                span.text.push(glyph.ch);
                span.width += advance;
            }
            _ => spans.push(Span {
                role: style.role,
                face: glyph.face,
                size: style.size,
                x: pen,
                baseline,
                width: advance,
                gap_extra,
                text: glyph.ch.to_string(),
            }),
        }
        pen += advance;
    }
    spans
}
