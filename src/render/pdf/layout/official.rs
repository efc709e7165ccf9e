//! The official frame around the body (Nghị định 30/2020): the two-column
//! header of page 1 with the title, and the closing recipients/signature block.

use super::text::TextAlign;
use super::{Item, Layouter, Role, Rule, Slot};
use crate::document::{Inline, Metadata};

/// Distance from a line box's bottom to the rule under it, in em: clears
/// the dot below Vietnamese capitals (Ệ, Ộ) and descenders.
const RULE_GAP_EM: f32 = 0.3;

impl Layouter<'_> {
    /// Left/right column widths shared by the header and the closing block:
    /// about 40/60, widened on the right when the national name needs it.
    fn columns(&mut self, meta: &Metadata) -> (f32, f32) {
        let s = self.settings;
        let width = self.frame.width();
        let quoc_hieu = self.plain_style(
            s.co_chu_dau_trang,
            true,
            false,
            TextAlign::Center,
            Role::Header,
        );
        let tieu_ngu = self.plain_style(s.co_chu, true, false, TextAlign::Center, Role::Header);
        let needed = self
            .measure(&[Inline::plain(meta.quoc_hieu.to_uppercase())], &quoc_hieu)
            .0
            .max(self.measure(&[Inline::plain(&meta.tieu_ngu)], &tieu_ngu).0);
        let right = (width * 0.6).max(needed + s.co_chu).min(width * 0.7);
        (width - right, right)
    }

    pub(super) fn header(&mut self, meta: &Metadata) -> Slot {
        let s = self.settings;
        let (left_w, right_w) = self.columns(meta);
        let (left_x, right_x) = (self.frame.left, self.frame.left + left_w);
        let small = s.co_chu_dau_trang;
        let body = s.co_chu;
        let centred = |this: &Self, size, bold, italic| {
            this.plain_style(size, bold, italic, TextAlign::Center, Role::Header)
        };
        let mut items = Vec::new();

        // Left column: agencies, a short rule, the number.
        let mut left_y = 0.0;
        if !meta.co_quan_chu_quan.trim().is_empty() {
            self.location = "khóa co_quan_chu_quan".into();
            let text = self.stack(
                &[Inline::plain(meta.co_quan_chu_quan.to_uppercase())],
                &centred(self, small, false, false),
                left_x,
                left_w,
                left_y,
            );
            left_y = text.bottom;
            items.extend(text.items);
        }
        self.location = "khóa co_quan_ban_hanh".into();
        let agency = self.stack(
            &[Inline::plain(meta.co_quan_ban_hanh.to_uppercase())],
            &centred(self, small, true, false),
            left_x,
            left_w,
            left_y,
        );
        left_y = agency.bottom + small * RULE_GAP_EM;
        items.push(centred_rule(
            left_x + left_w / 2.0,
            left_y,
            agency.widest / 3.0,
        ));
        items.extend(agency.items);

        // Right column: national name, motto underlined by a rule as long as it.
        self.location = "khóa quoc_hieu".into();
        let nation = self.stack(
            &[Inline::plain(meta.quoc_hieu.to_uppercase())],
            &centred(self, small, true, false),
            right_x,
            right_w,
            0.0,
        );
        self.location = "khóa tieu_ngu".into();
        let motto = self.stack(
            &[Inline::plain(&meta.tieu_ngu)],
            &centred(self, body, true, false),
            right_x,
            right_w,
            nation.bottom,
        );
        let right_y = motto.bottom + body * RULE_GAP_EM;
        items.push(centred_rule(right_x + right_w / 2.0, right_y, motto.widest));
        items.extend(nation.items);
        items.extend(motto.items);

        // "Số: ..." and the place/date line share one baseline.
        let top = left_y.max(right_y) + body * 0.5;
        self.location = "khóa so_ky_hieu".into();
        let mut number = self.stack(
            &[Inline::plain(format!("Số: {}", meta.so_ky_hieu))],
            &centred(self, small, false, false),
            left_x,
            left_w,
            top,
        );
        self.location = "khóa dia_danh_ngay".into();
        let mut date = self.stack(
            &[Inline::plain(&meta.dia_danh_ngay)],
            &centred(self, body, false, true),
            right_x,
            right_w,
            top,
        );
        let (low, high) = if number.first_baseline < date.first_baseline {
            (&mut number, &date)
        } else {
            (&mut date, &number)
        };
        let dy = high.first_baseline - low.first_baseline;
        low.items.iter_mut().for_each(|item| item.shift(dy));
        low.bottom += dy;
        let mut y = number.bottom.max(date.bottom) + self.single(body);
        items.extend(number.items);
        items.extend(date.items);

        // Document type and summary, centred over the full width, then a rule.
        let full = self.frame.width();
        self.location = "khóa loai_van_ban".into();
        let kind = self.stack(
            &[Inline::plain(&meta.loai_van_ban)],
            &centred(self, body, true, false),
            left_x,
            full,
            y,
        );
        self.location = "khóa trich_yeu".into();
        let summary = self.stack(
            &[Inline::plain(&meta.trich_yeu)],
            &centred(self, body, true, false),
            left_x,
            full,
            kind.bottom,
        );
        y = summary.bottom + body * RULE_GAP_EM;
        items.push(centred_rule(left_x + full / 2.0, y, summary.widest / 3.0));
        items.extend(kind.items);
        items.extend(summary.items);
        y += self.single(body);
        Slot::flow(y, items)
    }

    /// Recipients on the left; authority, room to sign and the signer's name
    /// on the right. One slot, so it is never split across pages.
    pub(super) fn closing(&mut self, meta: &Metadata) -> Slot {
        let s = self.settings;
        let (left_w, right_w) = self.columns(meta);
        let (left_x, right_x) = (self.frame.left, self.frame.left + left_w);
        let top = self.single(s.co_chu);
        let mut items = Vec::new();

        let mut left_y = top;
        if !meta.noi_nhan.is_empty() {
            let heading = self.plain_style(
                s.co_chu_noi_nhan,
                true,
                true,
                TextAlign::Left,
                Role::Closing,
            );
            let title = self.stack(
                &[Inline::plain("Nơi nhận:")],
                &heading,
                left_x,
                left_w,
                left_y,
            );
            left_y = title.bottom;
            items.extend(title.items);
            let line = self.plain_style(
                s.co_chu_noi_nhan - 1.0,
                false,
                false,
                TextAlign::Left,
                Role::Closing,
            );
            for recipient in &meta.noi_nhan {
                let text = self.stack(&[Inline::plain(recipient)], &line, left_x, left_w, left_y);
                left_y = text.bottom;
                items.extend(text.items);
            }
        }

        let signer = self.plain_style(s.co_chu, true, false, TextAlign::Center, Role::Closing);
        let mut right_y = top;
        for authority in &meta.tham_quyen {
            let text = self.stack(
                &[Inline::plain(authority.to_uppercase())],
                &signer,
                right_x,
                right_w,
                right_y,
            );
            right_y = text.bottom;
            items.extend(text.items);
        }
        right_y += 4.0 * signer.line_height;
        let name = self.stack(
            &[Inline::plain(&meta.nguoi_ky)],
            &signer,
            right_x,
            right_w,
            right_y,
        );
        right_y = name.bottom;
        items.extend(name.items);
        Slot::flow(left_y.max(right_y), items)
    }
}

fn centred_rule(centre: f32, y: f32, length: f32) -> Item {
    Item::Rule(Rule {
        x1: centre - length / 2.0,
        y1: y,
        x2: centre + length / 2.0,
        y2: y,
        thickness: 0.6,
    })
}
