//! Tables: rows with borders set in the prepared layout's columns, the
//! header rows kept for repeating on every page the table continues on.

use super::text::TextAlign;
use super::{Item, Layouter, Role, Rule, Slot, SlotKind, Style};
use crate::document::{Grid, Inline, Place};
use crate::render::prepared::{self, CellFormat, TableLayout, VerticalAlign};

impl Layouter<'_> {
    /// The header slot (all header rows, kept with the first row) and one
    /// slot per body row; a row taller than a page is cut into page-sized
    /// pieces.
    pub(super) fn table(&mut self, t: &TableLayout, id: usize) -> (Slot, Vec<Slot>) {
        let table = t.table;
        let style = |this: &Self, cell: &CellFormat| Style {
            align: match cell.align {
                prepared::TextAlign::Justify | prepared::TextAlign::Left => TextAlign::Left,
                prepared::TextAlign::Center => TextAlign::Center,
                prepared::TextAlign::Right => TextAlign::Right,
            },
            bold: cell.bold,
            ..this.style(&t.text, Role::Table)
        };
        let header_styles = vec![style(self, &t.header); t.widths.len()];
        let body_styles: Vec<Style> = t.body.iter().map(|c| style(self, c)).collect();
        let vertical: Vec<VerticalAlign> = t.body.iter().map(|c| c.vertical).collect();

        let base_location = self.location.clone();
        self.location = format!("{base_location}, hàng tiêu đề");
        let header = if t.header_rows == 1 {
            let mut header = self.row(
                t,
                &table.header,
                t.grid.row(0),
                &header_styles,
                &[t.header.vertical; 1].repeat(t.widths.len()),
                f32::INFINITY,
                true,
            );
            header.remove(0)
        } else {
            self.header_rows(t, &t.grid, &header_styles)
        };
        // Rows must fit under a repeated header on an otherwise empty page.
        let room = self.area.bottom - self.area.top - header.height;
        let mut rows: Vec<Slot> = Vec::new();
        for (r, row) in table.rows.iter().enumerate() {
            self.location = format!("{base_location}, hàng {}", r + 1);
            let places = t.grid.row(t.header_rows + r);
            for mut piece in self.row(t, row, places, &body_styles, &vertical, room, false) {
                piece.kind = SlotKind::TableRow(id);
                rows.push(piece);
            }
            if let Some(last) = rows.last_mut() {
                last.keep_with_next = t.keep_with_next[r];
            }
        }
        self.location = base_location;
        if let Some(last) = rows.last_mut() {
            last.space_after = t.space_after;
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
    /// taller than `room`, when each piece is set from its top). The header
    /// row also draws the top border. A merged cell is set in the width of
    /// its columns, with no border between them.
    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        t: &TableLayout,
        cells: &[Vec<Inline>],
        places: &[Place],
        styles: &[Style],
        vertical: &[VerticalAlign],
        room: f32,
        top_border: bool,
    ) -> Vec<Slot> {
        let pad_x = t.padding.0;
        let widths = &t.widths;
        let xs = edges(self.area.left, widths);
        let mut columns = Vec::with_capacity(widths.len());
        let mut line_height = 0.0f32;
        for (col, style) in styles.iter().enumerate().take(widths.len()) {
            line_height = line_height.max(style.line_height);
            let Place::Cell { columns: n, .. } = places[col] else {
                continue;
            };
            let lines = self.set_lines(
                cell(cells, col),
                style,
                xs[col] + pad_x,
                t.span(col, n) - 2.0 * pad_x,
            );
            columns.push((col, lines));
        }
        let lines = columns
            .iter()
            .map(|(_, l)| l.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let per_slot =
            (((room - t.row_height(0, line_height)) / line_height).floor() as usize).max(1);
        let thin = t.border;
        let inset = t.inset();
        let mut slots = Vec::new();
        for first in (0..lines).step_by(per_slot) {
            let count = per_slot.min(lines - first);
            let height = t.row_height(count, line_height);
            let mut items: Vec<Item> = Vec::new();
            for (col, column) in &columns {
                // Centred in a row set whole; a piece of a cut row from its top.
                let dy = match vertical.get(*col) {
                    Some(VerticalAlign::Center) if count == lines => {
                        (lines - column.len()) as f32 * line_height / 2.0
                    }
                    _ => 0.0,
                };
                for (i, line) in column.iter().skip(first).take(count).enumerate() {
                    items.extend(
                        line.iter()
                            .map(|item| item.shifted(inset + dy + i as f32 * line_height)),
                    );
                }
            }
            let (left, right) = (xs[0], xs[widths.len()]);
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
    fn header_rows(&mut self, t: &TableLayout, grid: &Grid, styles: &[Style]) -> Slot {
        let pad_x = t.padding.0;
        let (table, widths) = (t.table, &t.widths);
        let xs = edges(self.area.left, widths);
        let line_height = styles.iter().map(|s| s.line_height).fold(0.0, f32::max);
        // (row, first column, columns, rows, lines)
        let mut cells = Vec::new();
        for (r, row) in table.header_rows().enumerate() {
            for (col, style) in styles.iter().enumerate() {
                if let Place::Cell { columns, rows } = grid.row(r)[col] {
                    let width = t.span(col, columns);
                    let lines =
                        self.set_lines(cell(row, col), style, xs[col] + pad_x, width - 2.0 * pad_x);
                    cells.push((r, col, columns, rows, lines));
                }
            }
        }
        let needed = |lines: &Vec<Vec<Item>>| t.row_height(lines.len().max(1), line_height);
        let count = table.subheader.len() + 1;
        let mut heights = vec![t.row_height(1, line_height); count];
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
        let thin = t.border;
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
