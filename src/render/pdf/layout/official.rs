//! Places the official frame decided in [`crate::render::frame`]: the
//! two-column header of page 1 with the title, and the closing block.
//! Words, sizes, line breaks, column widths and rule lengths come from the
//! frame, gaps and strokes from the prepared layout, as they do for the
//! DOCX; only the lines are stacked here.

use super::text::TextAlign;
use super::{Item, Layouter, Role, Rule, Slot, Stacked};
use crate::document::Inline;
use crate::render::frame::{Frame, Line, Sourced};

impl Layouter<'_> {
    /// Sets lines one under the other in a column from `top`.
    fn lines(
        &mut self,
        lines: &[Line],
        align: TextAlign,
        role: Role,
        (x, width): (f32, f32),
        top: f32,
    ) -> Stacked {
        let mut all = Stacked::empty(top);
        for line in lines {
            let l = line.look;
            let style = self.plain_style(l.size, l.bold, l.italic, align, role);
            let text = [Inline::plain(&line.text)];
            let set = self.stack(&text, &style, x, width, all.bottom);
            all.append(set);
        }
        all
    }

    /// The lines of metadata keys, centred, with the key named in any
    /// missing-glyph report.
    fn sourced(&mut self, keys: &[Sourced], column: (f32, f32), top: f32) -> Stacked {
        let mut all = Stacked::empty(top);
        for key in keys {
            self.location = format!("khóa {}", key.key);
            let set = self.lines(
                &key.lines,
                TextAlign::Center,
                Role::Header,
                column,
                all.bottom,
            );
            all.append(set);
        }
        all
    }

    pub(super) fn header(&mut self, frame: &Frame) -> Slot {
        let h = &frame.header;
        let gaps = self.gaps;
        let thickness = self.strokes.frame_rule;
        let left = (self.area.left, frame.columns.0);
        let right = (self.area.left + frame.columns.0, frame.columns.1);
        let mut items = Vec::new();

        let agencies = self.sourced(&h.left, left, 0.0);
        let left_y = agencies.bottom + gaps.above_rule;
        items.push(centred_rule(
            left.0 + left.1 / 2.0,
            left_y,
            h.left_rule.length,
            thickness,
        ));
        items.extend(agencies.items);

        let nation = self.sourced(&h.right, right, 0.0);
        let right_y = nation.bottom + gaps.above_rule;
        items.push(centred_rule(
            right.0 + right.1 / 2.0,
            right_y,
            h.right_rule.length,
            thickness,
        ));
        items.extend(nation.items);

        // "Số: ..." and the place/date line share one baseline.
        let top = left_y.max(right_y) + gaps.below_header_rule;
        let mut number = self.sourced(std::slice::from_ref(&h.number), left, top);
        let mut date = self.sourced(std::slice::from_ref(&h.place_date), right, top);
        let (low, high) = if number.first_baseline < date.first_baseline {
            (&mut number, &date)
        } else {
            (&mut date, &number)
        };
        let dy = high.first_baseline - low.first_baseline;
        low.items.iter_mut().for_each(|item| item.shift(dy));
        low.bottom += dy;
        let y = number.bottom.max(date.bottom) + gaps.above_title;
        items.extend(number.items);
        items.extend(date.items);

        // Document type and summary, centred over the full width, then a rule.
        let full = (self.area.left, frame.text_width);
        let title = self.sourced(&frame.title.lines, full, y);
        let y = title.bottom + gaps.above_rule;
        items.push(centred_rule(
            full.0 + full.1 / 2.0,
            y,
            frame.title.rule.length,
            thickness,
        ));
        items.extend(title.items);
        Slot::flow(y + gaps.below_title_rule, items)
    }

    /// Recipients on the left; authority, room to sign and the signer's name
    /// on the right. One slot, so it is never split across pages.
    pub(super) fn closing(&mut self, frame: &Frame) -> Slot {
        let c = &frame.closing;
        let left = (self.area.left, frame.columns.0);
        let right = (self.area.left + frame.columns.0, frame.columns.1);
        let top = self.gaps.above_closing;
        let recipients = self.lines(&c.left, TextAlign::Left, Role::Closing, left, top);
        let authority = self.lines(&c.authority, TextAlign::Center, Role::Closing, right, top);
        let gap = c.signature_lines as f32 * self.single(c.signer.look.size);
        let signer = self.lines(
            std::slice::from_ref(&c.signer),
            TextAlign::Center,
            Role::Closing,
            right,
            authority.bottom + gap,
        );
        let bottom = recipients.bottom.max(signer.bottom);
        let mut items = recipients.items;
        items.extend(authority.items);
        items.extend(signer.items);
        Slot::flow(bottom, items)
    }
}

fn centred_rule(centre: f32, y: f32, length: f32, thickness: f32) -> Item {
    Item::Rule(Rule {
        x1: centre - length / 2.0,
        y1: y,
        x2: centre + length / 2.0,
        y2: y,
        thickness,
    })
}
