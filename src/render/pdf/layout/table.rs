//! Tables: column widths from content, rows with borders, the header row
//! kept for repeating on every page the table continues on.

use super::text::TextAlign;
use super::{Item, Layouter, Role, Rule, Slot, SlotKind, Style, EPS};
use crate::document::{plain_text, Align, Inline, Table};

impl Layouter<'_> {
    /// The header row slot (kept with the first row) and one slot per body
    /// row; a row taller than a page is cut into page-sized pieces.
    pub(super) fn table(&mut self, table: &Table, id: usize) -> (Slot, Vec<Slot>) {
        let size = self.settings.co_chu_bang;
        let (pad_x, pad_y) = crate::render::frame::cell_padding(self.settings);
        let columns = table
            .header
            .len()
            .max(table.align.len())
            .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
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
        for (col, measure) in measures.iter_mut().enumerate() {
            self.location = format!("{base_location}, hàng tiêu đề, cột {}", col + 1);
            let (natural, word) = self.measure(cell(&table.header, col), &header_styles[col]);
            measure.header_natural = natural + 2.0 * pad_x;
            measure.header_word = word + 2.0 * pad_x;
            measure.numeric = true;
            for (r, row) in table.rows.iter().enumerate() {
                self.location = format!("{base_location}, hàng {}, cột {}", r + 1, col + 1);
                let content = cell(row, col);
                let (natural, word) = self.measure(content, &body_styles[col]);
                measure.natural = measure.natural.max(natural + 2.0 * pad_x);
                measure.word = measure.word.max(word + 2.0 * pad_x);
                measure.numeric &= is_numeric(&plain_text(content));
            }
        }
        let widths = column_widths(&measures, self.area.width());

        self.location = format!("{base_location}, hàng tiêu đề");
        let header_cells = table.header.iter().collect::<Vec<_>>();
        let mut header = self.row(
            &header_cells,
            &widths,
            &header_styles,
            pad_x,
            pad_y,
            f32::INFINITY,
            true,
        );
        let header = header.remove(0);
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
            let cells = row.iter().collect::<Vec<_>>();
            for mut piece in self.row(&cells, &widths, &body_styles, pad_x, pad_y, room, false) {
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
    /// taller than `room`). The header row also draws the top border.
    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        cells: &[&Vec<Inline>],
        widths: &[f32],
        styles: &[Style],
        pad_x: f32,
        pad_y: f32,
        room: f32,
        top_border: bool,
    ) -> Vec<Slot> {
        let empty = Vec::new();
        let mut x = self.area.left;
        let mut columns = Vec::with_capacity(widths.len());
        let mut line_height = 0.0f32;
        for (col, (width, style)) in widths.iter().zip(styles).enumerate() {
            line_height = line_height.max(style.line_height);
            let content = cells.get(col).copied().unwrap_or(&empty);
            columns.push(self.set_lines(content, style, x + pad_x, width - 2.0 * pad_x));
            x += width;
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
            let rule = |x1, y1, x2, y2| {
                Item::Rule(Rule {
                    x1,
                    y1,
                    x2,
                    y2,
                    thickness: thin,
                })
            };
            if top_border || first > 0 {
                items.push(rule(left, 0.0, right, 0.0));
            }
            items.push(rule(left, height, right, height));
            let mut x = left;
            items.push(rule(x, 0.0, x, height));
            for width in widths {
                x += width;
                items.push(rule(x, 0.0, x, height));
            }
            slots.push(Slot::flow(height, items));
        }
        slots
    }
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
