//! Tables: column widths from content, rows with borders, the header row
//! kept for repeating on every page the table continues on.

use super::text::TextAlign;
use super::{Item, Layouter, Role, Rule, Slot, SlotKind, Style, EPS};
use crate::document::{plain_text, Align, Grid, Inline, Place, Table};

impl Layouter<'_> {
    /// The header slot (all header rows, kept with the first row) and one
    /// slot per body row; a row taller than a page is cut into page-sized
    /// pieces.
    pub(super) fn table(&mut self, table: &Table, id: usize) -> (Slot, Vec<Slot>) {
        let size = self.settings.co_chu_bang;
        let (pad_x, pad_y) = crate::render::frame::cell_padding(self.settings);
        let columns = table.columns();
        let grid = table.grid();
        let header_rows = table.subheader.len() + 1;
        let align = |col: usize| match table.align.get(col).copied().unwrap_or(Align::None) {
            Align::None | Align::Left => TextAlign::Left,
            Align::Center => TextAlign::Center,
            Align::Right => TextAlign::Right,
        };
        let header_styles =
            vec![self.plain_style(size, true, false, TextAlign::Center, Role::Table); columns];
        let body_styles: Vec<Style> = (0..columns)
            .map(|col| self.plain_style(size, false, false, align(col), Role::Table))
            .collect();

        let base_location = self.location.clone();
        let mut measures = vec![ColumnMeasure::default(); columns];
        // Merged cells, measured once their columns are: (first column,
        // width in columns, natural, widest word, in the header).
        let mut merged: Vec<(usize, usize, f32, f32, bool)> = Vec::new();
        for (col, measure) in measures.iter_mut().enumerate() {
            measure.numeric = true;
            for (r, row) in table.header_rows().enumerate() {
                self.location = match r {
                    0 => format!("{base_location}, hàng tiêu đề, cột {}", col + 1),
                    _ => format!("{base_location}, hàng tiêu đề {}, cột {}", r + 1, col + 1),
                };
                let Place::Cell { columns: n, .. } = grid.row(r)[col] else {
                    continue;
                };
                let (natural, word) = self.measure(cell(row, col), &header_styles[col]);
                let (natural, word) = (natural + 2.0 * pad_x, word + 2.0 * pad_x);
                if n == 1 {
                    measure.header_natural = measure.header_natural.max(natural);
                    measure.header_word = measure.header_word.max(word);
                } else {
                    merged.push((col, n, natural, word, true));
                }
            }
            for (r, row) in table.rows.iter().enumerate() {
                self.location = format!("{base_location}, hàng {}, cột {}", r + 1, col + 1);
                let Place::Cell { columns: n, .. } = grid.row(header_rows + r)[col] else {
                    continue;
                };
                let content = cell(row, col);
                let (natural, word) = self.measure(content, &body_styles[col]);
                let (natural, word) = (natural + 2.0 * pad_x, word + 2.0 * pad_x);
                if n == 1 {
                    measure.natural = measure.natural.max(natural);
                    measure.word = measure.word.max(word);
                    measure.numeric &= is_numeric(&plain_text(content));
                } else {
                    merged.push((col, n, natural, word, false));
                }
            }
        }
        for (col, n, natural, word, header) in merged {
            let span = &mut measures[col..(col + n).min(columns)];
            spread(span, natural, |m| {
                if header {
                    &mut m.header_natural
                } else {
                    &mut m.natural
                }
            });
            spread(span, word, |m| {
                if header {
                    &mut m.header_word
                } else {
                    &mut m.word
                }
            });
        }
        let widths = column_widths(&measures, self.area.width());

        self.location = format!("{base_location}, hàng tiêu đề");
        let header = if header_rows == 1 {
            let mut header = self.row(
                &table.header,
                grid.row(0),
                &widths,
                &header_styles,
                (pad_x, pad_y),
                f32::INFINITY,
                true,
            );
            header.remove(0)
        } else {
            self.header_rows(table, &grid, &widths, &header_styles, (pad_x, pad_y))
        };
        // Rows must fit under a repeated header on an otherwise empty page.
        let room = self.area.bottom - self.area.top - header.height;
        let mut rows: Vec<Slot> = Vec::new();
        // The last rows stay together (see `frame::TABLE_END_ROWS`): the
        // total never stands alone under a repeated header.
        let kept_from = table
            .rows
            .len()
            .saturating_sub(crate::render::frame::TABLE_END_ROWS);
        for (r, row) in table.rows.iter().enumerate() {
            if r > kept_from {
                if let Some(previous) = rows.last_mut() {
                    previous.keep_with_next = true;
                }
            }
            self.location = format!("{base_location}, hàng {}", r + 1);
            let places = grid.row(header_rows + r);
            let pad = (pad_x, pad_y);
            for mut piece in self.row(row, places, &widths, &body_styles, pad, room, false) {
                piece.kind = SlotKind::TableRow(id);
                rows.push(piece);
            }
        }
        self.location = base_location;
        if let Some(last) = rows.last_mut() {
            last.space_after = self.settings.cach_doan_pt;
        }
        (
            Slot {
                keep_with_next: !rows.is_empty(),
                ..header
            },
            rows,
        )
    }

    /// One table row as slots with borders (one slot unless the row is
    /// taller than `room`). The header row also draws the top border. A
    /// merged cell is set in the width of its columns, with no border
    /// between them.
    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        cells: &[Vec<Inline>],
        places: &[Place],
        widths: &[f32],
        styles: &[Style],
        (pad_x, pad_y): (f32, f32),
        room: f32,
        top_border: bool,
    ) -> Vec<Slot> {
        let xs = edges(self.area.left, widths);
        let mut columns = Vec::with_capacity(widths.len());
        let mut line_height = 0.0f32;
        for (col, style) in styles.iter().enumerate().take(widths.len()) {
            line_height = line_height.max(style.line_height);
            let Place::Cell { columns: n, .. } = places[col] else {
                continue;
            };
            let width = span_width(widths, col, n);
            columns.push(self.set_lines(
                cell(cells, col),
                style,
                xs[col] + pad_x,
                width - 2.0 * pad_x,
            ));
        }
        let lines = columns.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let per_slot = (((room - 2.0 * pad_y) / line_height).floor() as usize).max(1);
        let thin = self.settings.co_chu_bang / 24.0;
        let mut slots = Vec::new();
        for first in (0..lines).step_by(per_slot) {
            let count = per_slot.min(lines - first);
            let height = count as f32 * line_height + 2.0 * pad_y;
            let mut items: Vec<Item> = columns
                .iter()
                .flat_map(|column| column.iter().skip(first).take(count).enumerate())
                .flat_map(|(i, line)| {
                    line.iter()
                        .map(move |item| item.shifted(pad_y + i as f32 * line_height))
                })
                .collect();
            let (left, right) = (self.area.left, self.area.left + widths.iter().sum::<f32>());
            if top_border || first > 0 {
                items.push(rule(left, 0.0, right, 0.0, thin));
            }
            items.push(rule(left, height, right, height, thin));
            for (col, &x) in xs.iter().enumerate() {
                // No border inside a merged cell.
                if places.get(col) != Some(&Place::Covered) {
                    items.push(rule(x, 0.0, x, height, thin));
                }
            }
            slots.push(Slot::flow(height, items));
        }
        slots
    }

    /// Header rows with cells merged across rows: one slot, each row as
    /// tall as its tallest unmerged cell (a merged cell taller than its
    /// rows lengthens the last), every cell's text centred in its box and
    /// its borders around the whole box.
    fn header_rows(
        &mut self,
        table: &Table,
        grid: &Grid,
        widths: &[f32],
        styles: &[Style],
        (pad_x, pad_y): (f32, f32),
    ) -> Slot {
        let xs = edges(self.area.left, widths);
        let line_height = styles.iter().map(|s| s.line_height).fold(0.0, f32::max);
        // (row, first column, columns, rows, lines)
        let mut cells = Vec::new();
        for (r, row) in table.header_rows().enumerate() {
            for (col, style) in styles.iter().enumerate() {
                if let Place::Cell { columns, rows } = grid.row(r)[col] {
                    let width = span_width(widths, col, columns);
                    let lines =
                        self.set_lines(cell(row, col), style, xs[col] + pad_x, width - 2.0 * pad_x);
                    cells.push((r, col, columns, rows, lines));
                }
            }
        }
        let needed = |lines: &Vec<Vec<Item>>| lines.len().max(1) as f32 * line_height + 2.0 * pad_y;
        let count = table.subheader.len() + 1;
        let mut heights = vec![line_height + 2.0 * pad_y; count];
        for (r, _, _, rows, lines) in &cells {
            if *rows == 1 {
                heights[*r] = heights[*r].max(needed(lines));
            }
        }
        for (r, _, _, rows, lines) in &cells {
            let end = (r + rows).min(count);
            let short = needed(lines) - heights[*r..end].iter().sum::<f32>();
            if short > 0.0 {
                heights[end - 1] += short;
            }
        }
        let tops = edges(0.0, &heights);
        let thin = self.settings.co_chu_bang / 24.0;
        let (left, bottom) = (xs[0], tops[count]);
        let right = xs[widths.len()];
        let mut items = Vec::new();
        let mut rules = vec![
            rule(left, 0.0, right, 0.0, thin),
            rule(left, 0.0, left, bottom, thin),
        ];
        for (r, col, columns, rows, lines) in cells {
            let (top, end) = (tops[r], tops[(r + rows).min(count)]);
            let text = lines.len() as f32 * line_height;
            let dy = top + (end - top - text) / 2.0;
            for (i, line) in lines.iter().enumerate() {
                items.extend(
                    line.iter()
                        .map(|item| item.shifted(dy + i as f32 * line_height)),
                );
            }
            let (x1, x2) = (xs[col], xs[(col + columns).min(widths.len())]);
            rules.push(rule(x1, end, x2, end, thin));
            rules.push(rule(x2, top, x2, end, thin));
        }
        items.extend(rules);
        Slot::flow(bottom, items)
    }
}

/// Where each column starts, from `start`, and where the last ends.
fn edges(start: f32, widths: &[f32]) -> Vec<f32> {
    let mut x = start;
    let mut edges = Vec::with_capacity(widths.len() + 1);
    edges.push(x);
    for width in widths {
        x += width;
        edges.push(x);
    }
    edges
}

/// Width of `n` columns from `col`.
fn span_width(widths: &[f32], col: usize, n: usize) -> f32 {
    widths[col..(col + n).min(widths.len())].iter().sum()
}

/// Widens the columns of a merged cell by equal shares until `field` of
/// them adds up to `need`.
fn spread(span: &mut [ColumnMeasure], need: f32, field: impl Fn(&mut ColumnMeasure) -> &mut f32) {
    let have: f32 = span.iter_mut().map(|m| *field(m)).sum();
    if need > have && !span.is_empty() {
        let share = (need - have) / span.len() as f32;
        for m in span {
            *field(m) += share;
        }
    }
}

fn rule(x1: f32, y1: f32, x2: f32, y2: f32, thickness: f32) -> Item {
    Item::Rule(Rule {
        x1,
        y1,
        x2,
        y2,
        thickness,
    })
}

fn cell(row: &[Vec<Inline>], col: usize) -> &[Inline] {
    row.get(col).map(Vec::as_slice).unwrap_or(&[])
}

#[derive(Debug, Clone, Default)]
struct ColumnMeasure {
    /// Widest unbreakable word and natural width of the body cells (padded).
    word: f32,
    natural: f32,
    header_word: f32,
    header_natural: f32,
    /// Every body cell is a number: the column gets its natural width.
    numeric: bool,
}

/// Column widths filling `total`. Number columns keep figures on one line
/// (their headers too when every column fits unwrapped, else the header
/// wraps at word boundaries); text columns share the rest, each at least its
/// widest word, growing in proportion to how much wrapping they would need.
fn column_widths(columns: &[ColumnMeasure], total: f32) -> Vec<f32> {
    let want: Vec<f32> = columns
        .iter()
        .map(|c| c.natural.max(c.header_natural))
        .collect();
    let least: Vec<f32> = columns
        .iter()
        .map(|c| {
            if c.numeric {
                c.natural.max(c.header_word)
            } else {
                c.word.max(c.header_word)
            }
        })
        .collect();
    // With no text column every column is flexible.
    let any_text = columns.iter().any(|c| !c.numeric);
    let flexible: Vec<bool> = columns.iter().map(|c| !any_text || !c.numeric).collect();
    let sum = |values: &[f32], flex: bool| -> f32 {
        values
            .iter()
            .zip(&flexible)
            .filter(|(_, &f)| f == flex)
            .map(|(v, _)| v)
            .sum()
    };
    let (flex_want, flex_least) = (sum(&want, true), sum(&least, true));
    let fixed = if total - sum(&want, false) >= flex_want {
        &want
    } else {
        &least
    };
    let room = total - sum(fixed, false);
    let widths = want.iter().zip(&least).zip(fixed).zip(&flexible);
    if room >= flex_want {
        // Everything fits on one line: the spare width goes to text columns.
        let spare = room - flex_want;
        widths
            .map(|(((&w, _), &x), &f)| {
                if f {
                    w + spare * w / flex_want.max(EPS)
                } else {
                    x
                }
            })
            .collect()
    } else if room >= flex_least {
        let stretch = flex_want - flex_least;
        widths
            .map(|(((&w, &l), &x), &f)| {
                if f {
                    l + (room - flex_least) * (w - l) / stretch.max(EPS)
                } else {
                    x
                }
            })
            .collect()
    } else {
        // Not even the words fit: the narrow columns keep their minimum and
        // the widest share what is left (their long words get cut). Scaling
        // every column down instead let one long word squeeze the others
        // below their padding.
        let cap = fair_cap(&least, total);
        least.iter().map(|l| l.min(cap)).collect()
    }
}

/// The width `cap` for which `Σ min(least, cap) = total` (`Σ least > total`).
fn fair_cap(least: &[f32], total: f32) -> f32 {
    let mut sorted = least.to_vec();
    sorted.sort_by(f32::total_cmp);
    let mut left = total;
    for (i, l) in sorted.iter().enumerate() {
        let share = left / (sorted.len() - i) as f32;
        if *l > share {
            return share;
        }
        left -= l;
    }
    f32::INFINITY
}

/// Figures like "224.730.000", "97,7%", "1.1" or "-".
fn is_numeric(text: &str) -> bool {
    let text = text.trim();
    text.is_empty()
        || (text.chars().any(|c| c.is_ascii_digit())
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || ".,%+-() ".contains(c)))
}
