//! Total-fit line breaking for justified text (Knuth–Plass, restricted).
//!
//! A paragraph is broken as a whole: every line gets a badness from how far
//! its spaces must stretch or shrink to fill the measure, and dynamic
//! programming picks the breaks with the least total demerits. Two limits
//! make it fit this project:
//!
//! - **The line count is first fit's.** Word and LibreOffice break a DOCX
//!   paragraph line by line (first fit), and the PDF and the DOCX must have
//!   the same pages; so only breakings with exactly as many lines as first
//!   fit are considered. First fit's own breaking is one of them, so there
//!   is always an answer, and pagination does not move.
//! - **A bounded window.** The end of line `k` stays within [`WINDOW`] words
//!   of where first fit ends it, so the work is linear in the paragraph
//!   (a few thousand steps a line) however long it is.
//!
//! Only spaces stretch or shrink; a word is never split here (the caller
//! uses first fit, which cuts, for a paragraph holding a word wider than a
//! line), so "13264/UBND-KTNS" stays whole.

use super::EPS;

/// A space may shrink to two thirds of its width: TeX's and typst's
/// default (typst's `justification-limits`, the reference). At
/// 80 % the sample kept a line at 2,54× a space that no breaking with
/// first fit's line count could avoid; at two thirds the tightest line of
/// the sample is 0,73×, words still clearly apart.
const SHRINK: f32 = 1.0 / 3.0;
/// The stretch of a space at which a line's badness is 100 (TeX's half a
/// space). Only a scale: a space stretches as far as its line needs.
const STRETCH: f64 = 0.5;
/// How far, in words, a line's end may move from first fit's.
const WINDOW: usize = 16;
/// TeX's line penalty: added to every line's badness before squaring.
const LINE_PENALTY: f64 = 10.0;
/// Badness of a justified line with a single word, which cannot be spread.
const SOLID: f64 = 1e6;

/// One word to place: its width and the width of the space before it (the
/// first word's space is never drawn, so it is not counted).
#[derive(Debug, Clone, Copy)]
pub(super) struct Word {
    pub space: f32,
    pub width: f32,
}

/// The breaks of a paragraph: the index just past each line's last word.
/// `first` is the first line's measure, `width` the others'; the last line
/// is set ragged (not justified). None when a word does not fit an empty
/// line (the caller cuts it with its own first fit).
pub(super) fn breaks(words: &[Word], first: f32, width: f32) -> Option<Vec<usize>> {
    let greedy = first_fit(words, first, width)?;
    let lines = greedy.len();
    if lines < 2 {
        return Some(greedy);
    }
    let paragraph = Paragraph::new(words, first, width, lines);
    // Where line `k` may end: near first fit's end, leaving every line at
    // least one word; the last line ends with the paragraph.
    let last = words.len();
    let window = |k: usize| -> (usize, usize) {
        if k + 1 == lines {
            return (last, last);
        }
        let low = greedy[k].saturating_sub(WINDOW).max(k + 1);
        let high = (greedy[k] + WINDOW).min(last - (lines - 1 - k));
        (low, high)
    };
    // best[k][j - low]: the least demerits of lines 0..=k with line k
    // ending at j, and where line k then starts.
    let mut best: Vec<Vec<(f64, usize)>> = Vec::with_capacity(lines);
    for k in 0..lines {
        let (low, high) = window(k);
        let mut row = vec![(f64::INFINITY, 0); high + 1 - low];
        for (j, cell) in (low..=high).zip(row.iter_mut()) {
            if k == 0 {
                if let Some(d) = paragraph.demerits(0, j, 0) {
                    *cell = (d, 0);
                }
                continue;
            }
            let (prev_low, prev_high) = window(k - 1);
            // From the shortest line to the longest: once a line is too
            // long, every earlier start makes it longer still.
            for i in (prev_low..=prev_high.min(j - 1)).rev() {
                let Some(d) = paragraph.demerits(i, j, k) else {
                    break;
                };
                let total = best[k - 1][i - prev_low].0 + d;
                // Strictly less: ties keep the later start, every run.
                if total < cell.0 {
                    *cell = (total, i);
                }
            }
        }
        best.push(row);
    }
    if !best[lines - 1][0].0.is_finite() {
        // Rounding kept first fit's own breaking out: keep it.
        return Some(greedy);
    }
    let mut ends = vec![last; lines];
    for k in (1..lines).rev() {
        let (low, _) = window(k);
        ends[k - 1] = best[k][ends[k] - low].1;
    }
    Some(ends)
}

/// Prefix sums of a paragraph's widths, for a line's length in one step.
struct Paragraph<'a> {
    words: &'a [Word],
    /// Width of words `0..i` with the spaces between them (f64: a long
    /// paragraph adds up many widths).
    length: Vec<f64>,
    /// Width of those spaces alone.
    spaces: Vec<f64>,
    first: f64,
    width: f64,
    lines: usize,
}

impl<'a> Paragraph<'a> {
    fn new(words: &'a [Word], first: f32, width: f32, lines: usize) -> Self {
        let mut length = Vec::with_capacity(words.len() + 1);
        let mut spaces = Vec::with_capacity(words.len() + 1);
        length.push(0.0);
        spaces.push(0.0);
        for (i, word) in words.iter().enumerate() {
            let space = f64::from(word.space);
            length.push(length[i] + space + f64::from(word.width));
            spaces.push(spaces[i] + space);
        }
        Paragraph {
            words,
            length,
            spaces,
            first: f64::from(first),
            width: f64::from(width),
            lines,
        }
    }

    /// Demerits of line `line` holding words `i..j`, or None when it is
    /// too long even with its spaces shrunk.
    fn demerits(&self, i: usize, j: usize, line: usize) -> Option<f64> {
        // The space before a line's first word is not drawn.
        let lead = f64::from(self.words[i].space);
        let length = self.length[j] - self.length[i] - lead;
        let space = self.spaces[j] - self.spaces[i] - lead;
        let measure = if line == 0 { self.first } else { self.width };
        let room = f64::from(EPS);
        let badness = if line + 1 == self.lines || space <= 0.0 {
            // The last line is ragged, a one-word line cannot spread: each
            // must fit as it is.
            if length > measure + room {
                return None;
            }
            if line + 1 == self.lines {
                0.0
            } else {
                SOLID
            }
        } else if length > measure {
            let shrink = space * f64::from(SHRINK);
            if length - shrink > measure + room {
                return None;
            }
            100.0 * ((length - measure) / shrink).powi(3)
        } else {
            100.0 * ((measure - length) / (space * STRETCH)).powi(3)
        };
        Some((LINE_PENALTY + badness).powi(2))
    }
}

/// First fit with the same arithmetic as the layout's (`text::first_fit`),
/// so the same line count to the last bit; None when a word does not fit
/// an empty line.
fn first_fit(words: &[Word], first: f32, width: f32) -> Option<Vec<usize>> {
    let mut ends = Vec::new();
    let mut used = 0.0f32;
    let mut empty = true;
    for (i, word) in words.iter().enumerate() {
        let available = if ends.is_empty() { first } else { width };
        let gap = if empty { 0.0 } else { word.space };
        if word.width <= available - used - gap + EPS {
            used += gap + word.width;
        } else if empty || word.width > width + EPS {
            return None;
        } else {
            ends.push(i);
            used = word.width;
        }
        empty = false;
    }
    ends.push(words.len());
    Some(ends)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::pdf::layout::{Item, Style};
    use proptest::prelude::*;

    fn words(widths: &[f32]) -> Vec<Word> {
        widths
            .iter()
            .map(|&width| Word { space: 1.0, width })
            .collect()
    }

    /// How many normal spaces each gap of each justified line is.
    fn stretches(words: &[Word], ends: &[usize], measure: f32) -> Vec<f32> {
        let mut start = 0;
        let mut out = Vec::new();
        for &end in &ends[..ends.len() - 1] {
            let line = &words[start..end];
            let gaps = (line.len() - 1) as f32;
            let length = line.iter().map(|w| w.width).sum::<f32>() + gaps;
            out.push(1.0 + (measure - length) / gaps);
            start = end;
        }
        out
    }

    fn total(words: &[Word], ends: &[usize], first: f32, width: f32) -> Option<f64> {
        let paragraph = Paragraph::new(words, first, width, ends.len());
        let mut start = 0;
        let mut sum = 0.0;
        for (k, &end) in ends.iter().enumerate() {
            sum += paragraph.demerits(start, end, k)?;
            start = end;
        }
        Some(sum)
    }

    #[test]
    fn first_fit_fills_each_line() {
        // 3 + 1 + 3 = 7 fits in 8; the next word does not.
        let w = words(&[3.0, 3.0, 3.0, 3.0, 3.0]);
        assert_eq!(first_fit(&w, 8.0, 8.0), Some(vec![2, 4, 5]));
        assert_eq!(first_fit(&w, 3.0, 11.0), Some(vec![1, 4, 5]));
        assert_eq!(first_fit(&w[..1], 8.0, 8.0), Some(vec![1]));
        // A word wider than the first line, or than any line: not here.
        assert_eq!(first_fit(&w, 2.0, 11.0), None);
        assert_eq!(first_fit(&words(&[1.0, 12.0, 12.0]), 20.0, 11.0), None);
    }

    #[test]
    fn a_word_moves_down_to_spread_a_loose_line_over_a_tight_one() {
        // First fit leaves "8.5 8.5" with one gap three spaces wide, because
        // the "5" after it does not fit; one "1" moved down from the line
        // above fills it, and its gap is spread over eight spaces.
        let mut widths = vec![1.0; 10];
        widths.extend([8.5, 8.5, 5.0]);
        let w = words(&widths);
        assert_eq!(first_fit(&w, 20.0, 20.0), Some(vec![10, 12, 13]));
        assert_eq!(stretches(&w, &[10, 12, 13], 20.0)[1], 3.0);
        let ends = breaks(&w, 20.0, 20.0).unwrap();
        assert_eq!(ends, [9, 12, 13]);
        assert_eq!(stretches(&w, &ends, 20.0), [1.375, 1.0]);
    }

    #[test]
    fn spaces_shrink_to_two_thirds_and_no_further() {
        // "10 10" is 21 with a full space: it fits 20.7 only by shrinking the
        // space to 0.7, and never fits 20.6 (two thirds is 0.667).
        let w = words(&[10.0, 10.0, 1.0, 1.0]);
        for (measure, shrunk) in [(20.7, true), (20.6, false)] {
            let ends = breaks(&w, measure, 30.0).unwrap();
            assert_eq!(ends.len(), 2, "{measure}");
            assert_eq!(ends[0] == 2, shrunk, "{measure}: {ends:?}");
        }
    }

    #[test]
    fn the_line_count_is_first_fits_even_when_shrinking_saves_a_line() {
        // Shrunk, the four words fit one line of 42.5; first fit (and Word)
        // makes two, and so does this.
        let w = words(&[10.0, 10.0, 10.0, 10.0]);
        assert_eq!(breaks(&w, 42.5, 42.5).map(|e| e.len()), Some(2));
    }

    #[test]
    fn work_stays_linear_for_a_huge_paragraph() {
        // 300.000 words (two megabytes of text): without the window the
        // search would be quadratic and never finish.
        let w: Vec<Word> = (0..300_000)
            .map(|i| Word {
                space: 3.5,
                width: 10.0 + (i * 7 % 23) as f32,
            })
            .collect();
        let started = std::time::Instant::now();
        let ends = breaks(&w, 431.0, 467.0).unwrap();
        let greedy = first_fit(&w, 431.0, 467.0).unwrap();
        assert_eq!(ends.len(), greedy.len());
        assert!(
            total(&w, &ends, 431.0, 467.0) < total(&w, &greedy, 431.0, 467.0),
            "no better than first fit"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "{:?}",
            started.elapsed()
        );
    }

    /// On the sample report, every justified paragraph has as many lines as
    /// first fit gives it (so the pages do not move), and some break
    /// elsewhere.
    #[test]
    fn the_sample_keeps_first_fits_line_counts_with_other_breaks() {
        use crate::document::{Block, Orientation};
        use crate::render::pdf::layout::{text::TextAlign, Layouter, Role, Sheet};
        let md = include_str!("../../../../tests/golden/bao-cao-khuyen-cong-2023.md");
        let doc = crate::markdown::parse(md).unwrap();
        let prepared = crate::render::prepared::prepare(&doc).unwrap();
        let mut layouter = Layouter::new(&prepared).unwrap();
        let area = Sheet::new(&doc.meta.trang, Orientation::Portrait).area;
        let justified = layouter.style(&prepared.formats.body, Role::Body);
        let ragged = Style {
            align: TextAlign::Left,
            ..justified
        };
        let (mut paragraphs, mut moved) = (0, 0);
        for block in &doc.blocks {
            let Block::Paragraph(content) = block else {
                continue;
            };
            let text = |lines: Vec<Vec<Item>>| -> Vec<String> {
                lines
                    .iter()
                    .map(|line| {
                        line.iter()
                            .filter_map(|item| match item {
                                Item::Text(span) => Some(span.text.as_str()),
                                Item::Rule(_) => None,
                            })
                            .collect()
                    })
                    .collect()
            };
            let total = text(layouter.set_lines(content, &justified, area.left, area.width()));
            let first = text(layouter.set_lines(content, &ragged, area.left, area.width()));
            assert_eq!(total.len(), first.len(), "{first:#?}");
            paragraphs += 1;
            moved += usize::from(total != first);
        }
        assert!(
            paragraphs > 30 && moved >= 10,
            "{moved} of {paragraphs} moved"
        );
    }

    /// Every way to break `words` into `lines` lines.
    fn every_breaking(words: usize, lines: usize) -> Vec<Vec<usize>> {
        if lines == 1 {
            return vec![vec![words]];
        }
        (lines - 1..words)
            .flat_map(|end| {
                every_breaking(end, lines - 1)
                    .into_iter()
                    .map(move |mut b| {
                        b.push(words);
                        b
                    })
            })
            .collect()
    }

    proptest! {
        /// On paragraphs small enough for the window to cover every
        /// breaking, the result is the best of all breakings with first
        /// fit's line count, and every line fits.
        #[test]
        fn best_of_all_breakings_with_first_fits_count(
            widths in prop::collection::vec(1.0f32..9.0, 1..12),
            first in 9.0f32..25.0,
            extra in 0.0f32..6.0,
        ) {
            let w = words(&widths);
            let width = first + extra;
            let ends = breaks(&w, first, width).unwrap();
            let greedy = first_fit(&w, first, width).unwrap();
            prop_assert_eq!(ends.len(), greedy.len());
            let found = total(&w, &ends, first, width);
            prop_assert!(found.is_some(), "a line overflows: {:?}", ends);
            let best = every_breaking(w.len(), greedy.len())
                .iter()
                .filter_map(|b| total(&w, b, first, width))
                .fold(f64::INFINITY, f64::min);
            prop_assert!(found.unwrap() <= best * (1.0 + 1e-9), "{:?}: {:?} > {}", ends, found, best);
        }
    }
}
