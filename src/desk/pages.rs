//! The desk's pages, in Vietnamese. Every piece of data (unit names,
//! descriptions, file names, messages: anything a file or a request can
//! hold) goes through [`e`] on its way into the page; the script is a file
//! of its own, so the pages allow no inline script at all (see the
//! Content-Security-Policy in `guard`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use super::preview::Problem;
use super::{Built, Preview, Receipt, MAX_FORMS};
use crate::format;
use crate::intake::{Intake, Refused};
use crate::manifest::OutputEntry;
use crate::render::html;

/// The script of every page: live parts, the drop zone.
pub const SCRIPT: &str = include_str!("ban-lam-viec.js");

/// Escaped for HTML text and quoted attributes.
fn e(text: &str) -> String {
    html::escape(text)
}

/// The pages' style: the report pages' (faces, page boxes) and the desk's.
pub fn style() -> String {
    let mut css = html::style();
    css.push_str(include_str!("ban-lam-viec.css"));
    css
}

/// A whole page: title, the menu with `current` marked, and `body`.
fn shell(title: &str, current: &str, body: &str) -> String {
    let mut menu = String::new();
    for (href, label) in [
        ("/", "Báo cáo"),
        ("/don-vi", "Đơn vị"),
        ("/nhan", "Nhận biểu mẫu"),
        ("/tao", "Tạo báo cáo"),
    ] {
        let here = if href == current {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(menu, "<a href=\"{href}\"{here}>{label}</a>");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} — Bàn làm việc khuyến công</title>\
         <link rel=\"stylesheet\" href=\"/ban-lam-viec.css\">\
         <script src=\"/ban-lam-viec.js\" defer></script></head>\n<body>\
         <header class=\"dau\"><span class=\"ten\">Bàn làm việc khuyến công</span><nav>{menu}</nav></header>\n\
         <main>{body}</main></body></html>\n",
        e(title)
    )
}

/// A short page saying why something was refused.
pub fn refused(message: &str) -> String {
    shell(
        "Không làm được",
        "",
        &format!("<div class=\"loi-khung\"><p>{}</p></div>", e(message)),
    )
}

/// `/`: the report, live.
pub fn report(preview: &Preview) -> String {
    shell(
        "Báo cáo",
        "/",
        &format!(
            "<div id=\"song\" data-song=\"/phan/bao-cao\" data-the=\"{}\">{}</div>",
            preview.generation,
            report_part(preview)
        ),
    )
}

/// The live part of `/`: the problems of the latest save, then the pages
/// of the last good build.
pub fn report_part(preview: &Preview) -> String {
    let mut out = String::new();
    if !preview.problems.is_empty() {
        let kept = if preview.good.is_some() {
            "Bản xem dưới đây là bản dựng được gần nhất."
        } else {
            "Chưa dựng được bản xem nào."
        };
        let _ = write!(
            out,
            "<section class=\"loi-khung\" id=\"loi\"><p><b>Lần lưu vừa rồi có {} lỗi.</b> {kept} Sửa lỗi rồi lưu lại tệp: trang tự cập nhật.</p>{}</section>",
            preview.problems.len(),
            problem_list(&preview.problems)
        );
    }
    match &preview.good {
        Some(good) => {
            out.push_str("<div class=\"bao-cao\">");
            out.push_str(&good.pages);
            out.push_str("</div>");
        }
        None if preview.problems.is_empty() => {
            out.push_str("<p>Đang dựng bản xem…</p>");
        }
        None => {}
    }
    out
}

/// Problems as a list: place, code, message, and the line with a mark
/// under the column.
fn problem_list(problems: &[Problem]) -> String {
    let mut out = String::from("<ol class=\"loi\">");
    for p in problems {
        let _ = write!(
            out,
            "<li><span class=\"noi\">{}</span>{} <span class=\"ma\">{}</span>: <span class=\"tin\">{}</span>",
            e(&p.place()),
            if p.at.is_empty() {
                String::new()
            } else {
                format!(" tại <span class=\"o\">{}</span>", e(&p.at))
            },
            e(&p.code),
            e(&p.message)
        );
        if let Some(line) = &p.excerpt {
            out.push_str(&excerpt(line, p.line, p.column));
        }
        out.push_str("</li>");
    }
    out.push_str("</ol>");
    out
}

/// The line of a file with a caret under `column` (from 1, in characters),
/// a long line cut to the part around it.
fn excerpt(line: &str, number: usize, column: usize) -> String {
    const AROUND: usize = 70;
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let at = column.saturating_sub(1).min(chars.len());
    let start = at.saturating_sub(AROUND);
    let end = (at + AROUND).min(chars.len());
    let mut shown: String = chars[start..end].iter().collect();
    let mut caret = at - start;
    if start > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if end < chars.len() {
        shown.push('…');
    }
    let gutter = format!("{number} │ ");
    format!(
        "<pre class=\"trich\"><span class=\"so\">{}</span>{}\n<span class=\"so\">{}│ </span>{}<span class=\"dau-mu\">^</span></pre>",
        e(&gutter),
        e(&shown),
        " ".repeat(gutter.chars().count() - 2),
        " ".repeat(caret)
    )
}

/// `/don-vi`: the units, live.
pub fn units(preview: &Preview) -> String {
    shell(
        "Đơn vị",
        "/don-vi",
        &format!(
            "<h1>Đơn vị báo cáo</h1><div id=\"song\" data-song=\"/phan/don-vi\" data-the=\"{}\">{}</div>",
            preview.generation,
            units_part(preview)
        ),
    )
}

/// The live part of `/don-vi`.
pub fn units_part(preview: &Preview) -> String {
    let mut out = String::new();
    let (unit_problems, others): (Vec<&Problem>, Vec<&Problem>) =
        preview.problems.iter().partition(|p| {
            p.unit.as_ref().is_some_and(|u| {
                preview
                    .good
                    .as_ref()
                    .is_some_and(|g| g.summary.don_vi.iter().any(|d| &d.ma == u))
            })
        });
    if !preview.problems.is_empty() {
        let _ = write!(
            out,
            "<section class=\"loi-khung\"><p><b>Dữ liệu hiện có {} lỗi</b>; bảng dưới là số liệu của lần dựng được gần nhất, lỗi của từng đơn vị ghi ở cột Lỗi.</p>{}</section>",
            preview.problems.len(),
            problem_list(&others.into_iter().cloned().collect::<Vec<_>>())
        );
    }
    let Some(good) = &preview.good else {
        out.push_str("<p>Chưa có số liệu: dữ liệu chưa lần nào kiểm tra được.</p>");
        return out;
    };
    let s = &good.summary;
    let sent = s.don_vi.iter().filter(|u| u.co_bao_cao).count();
    let rate = s
        .tong
        .kinh_phi
        .ty_le
        .map_or("–".to_string(), |r| format::phan_tram(r, 1));
    let _ = write!(
        out,
        "<p class=\"tom\">Năm {}: <b>{sent}/{}</b> đơn vị đã nộp. Kinh phí khuyến công cả kế hoạch: kế hoạch {}, thực hiện {} ({}).</p>",
        s.nam,
        s.don_vi.len(),
        e(&format::tien(s.tong.kinh_phi.ke_hoach)),
        e(&format::tien(s.tong.kinh_phi.thuc_hien)),
        e(&rate)
    );
    out.push_str(
        "<table class=\"don-vi\"><thead><tr><th>STT</th><th>Mã</th><th>Đơn vị</th><th>Tình trạng</th>\
         <th>Lần nộp</th><th>Ngày nộp</th><th>Người lập</th><th>Kinh phí thực hiện</th><th>Lỗi</th><th>Biểu mẫu</th></tr></thead><tbody>",
    );
    let mut by_unit: BTreeMap<&str, Vec<&Problem>> = BTreeMap::new();
    for p in &unit_problems {
        if let Some(u) = &p.unit {
            by_unit.entry(u.as_str()).or_default().push(p);
        }
    }
    for (i, u) in s.don_vi.iter().enumerate() {
        let status = if u.co_bao_cao {
            "<span class=\"da-nop\">đã nộp</span>"
        } else {
            "<span class=\"chua-nop\">chưa nộp</span>"
        };
        let date = u
            .ngay_nop
            .map(|d| format!("{:02}/{:02}/{}", d.ngay, d.thang, d.nam))
            .unwrap_or_default();
        let money = if u.co_bao_cao {
            format::tien(u.tien.tong_kinh_phi)
        } else {
            String::new()
        };
        let errors = by_unit.get(u.ma.as_str()).map_or(String::new(), |ps| {
            let mut list = String::from("<ul class=\"loi-don-vi\">");
            for p in ps {
                let at = if p.at.is_empty() {
                    p.place()
                } else {
                    p.at.clone()
                };
                let _ = write!(
                    list,
                    "<li><span class=\"o\">{}</span> <span class=\"ma\">{}</span>: {}</li>",
                    e(&at),
                    e(&p.code),
                    e(&p.message)
                );
            }
            list.push_str("</ul>");
            list
        });
        let code = utf8_percent_encode(&u.ma, NON_ALPHANUMERIC).to_string();
        let mut forms = format!("<a href=\"/bieu-mau/{}.xlsx\">trống</a>", e(&code));
        if let Some(n) = u.lan_nop {
            let _ = write!(
                forms,
                " · <a href=\"/bieu-mau/{}.xlsx?dien-san=1\">điền sẵn (lần {})</a>",
                e(&code),
                n + 1
            );
        }
        let _ = write!(
            out,
            "<tr data-ma=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{status}</td><td>{}</td><td>{date}</td><td>{}</td><td class=\"so-tien\">{}</td><td>{errors}</td><td>{forms}</td></tr>",
            e(&u.ma),
            i + 1,
            e(&u.ma),
            e(&u.ten),
            u.lan_nop.map(|n| n.to_string()).unwrap_or_default(),
            e(u.nguoi_lap.as_deref().unwrap_or_default()),
            e(&money),
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// `/nhan`: the upload form, and what the last upload led to.
pub fn receive(receipt: Option<&Receipt>) -> String {
    let mut body = format!(
        "<h1>Nhận biểu mẫu</h1>\
         <p>Chọn hoặc kéo thả các biểu mẫu Excel (.xlsx) đơn vị đã điền. Biểu mẫu được kiểm tra như lệnh \
         <code>khuyencong nhap</code>: có lỗi ở bất kỳ biểu mẫu nào thì không ghi biểu mẫu nào.</p>\
         <form class=\"nhan\" method=\"post\" action=\"/nhan\" enctype=\"multipart/form-data\">\
         <label class=\"tha\"><span>Kéo thả biểu mẫu vào đây, hoặc bấm để chọn (tối đa {MAX_FORMS} tệp, mỗi tệp tối đa {} MiB, cả lần gửi tối đa {} MiB)</span>\
         <input type=\"file\" name=\"bieu_mau\" accept=\".xlsx\" multiple required></label>\
         <button type=\"submit\">Kiểm tra và nhập</button></form>",
        crate::load::MAX_FILE_BYTES / (1024 * 1024),
        super::MAX_UPLOAD_BYTES / (1024 * 1024)
    );
    match receipt {
        None => {}
        Some(Receipt::Refused(why)) => {
            let _ = write!(
                body,
                "<section class=\"loi-khung\" id=\"ket-qua\"><p><b>Không nhập biểu mẫu nào:</b> {}.</p></section>",
                e(why)
            );
        }
        Some(Receipt::Ran { names, outcome }) => {
            let sent = |form: &PathBuf| {
                names
                    .iter()
                    .find(|(n, _)| n == form)
                    .map_or_else(|| form.display().to_string(), |(_, s)| s.clone())
            };
            body.push_str("<section id=\"ket-qua\">");
            if !outcome.warnings.is_empty() {
                body.push_str("<ul class=\"luu-y\">");
                for w in &outcome.warnings.0 {
                    let _ = write!(
                        body,
                        "<li>Lưu ý — <b>{}</b> {}: {}.</li>",
                        e(&sent(&w.file)),
                        e(&crate::diagnostic::escaped(&w.path)),
                        e(&crate::diagnostic::escaped(&w.message))
                    );
                }
                body.push_str("</ul>");
            }
            match &outcome.result {
                Ok(intakes) => {
                    body.push_str("<div class=\"xong\"><p><b>Đã nhập:</b></p><ul>");
                    for i in intakes {
                        let _ = match i {
                            Intake::Write { form, name, .. } => write!(
                                body,
                                "<li><b>{}</b> → {} trong thư mục dữ liệu</li>",
                                e(&sent(form)),
                                e(name)
                            ),
                            Intake::Skip { form, file } => write!(
                                body,
                                "<li><b>{}</b>: bỏ qua, đã nhập trước đó ({} có đúng nội dung này)</li>",
                                e(&sent(form)),
                                e(&crate::diagnostic::shown_path(file))
                            ),
                        };
                    }
                    body.push_str(
                        "</ul><p><a href=\"/don-vi\">Xem tình trạng các đơn vị</a></p></div>",
                    );
                }
                Err(Refused::Checks(diags)) => {
                    let mut by_form: BTreeMap<&PathBuf, Vec<&crate::diagnostic::Diagnostic>> =
                        BTreeMap::new();
                    for d in &diags.0 {
                        by_form.entry(&d.file).or_default().push(d);
                    }
                    let _ = write!(
                        body,
                        "<div class=\"loi-khung\"><p><b>Không nhập biểu mẫu nào</b>: có {} lỗi. Sửa các ô dưới đây trong biểu mẫu rồi gửi lại.</p>",
                        diags.len()
                    );
                    for (form, list) in by_form {
                        let _ = write!(body, "<h2>{}</h2><ol class=\"loi\">", e(&sent(form)));
                        for d in list {
                            let place = if d.line > 0 {
                                format!("dòng {}:{}", d.line, d.column)
                            } else {
                                d.path.clone()
                            };
                            let _ = write!(
                                body,
                                "<li><span class=\"o\">{}</span> <span class=\"ma\">{}</span>: <span class=\"tin\">{}</span></li>",
                                e(&crate::diagnostic::escaped(&place)),
                                d.code.id(),
                                e(&crate::diagnostic::escaped(&d.message))
                            );
                        }
                        body.push_str("</ol>");
                    }
                    body.push_str("</div>");
                }
                Err(refused) => {
                    let _ = write!(
                        body,
                        "<div class=\"loi-khung\"><p><b>Không nhập biểu mẫu nào:</b> {}. Chưa tệp nào được ghi; gửi lại.</p></div>",
                        e(&refused.to_string())
                    );
                }
            }
            body.push_str("</section>");
        }
    }
    shell("Nhận biểu mẫu", "/nhan", &body)
}

/// `/tao`: the build button, the last build's result, the current set.
pub fn build(built: Option<&Built>, set: &[OutputEntry], year: Option<i32>) -> String {
    let mut body = String::from(
        "<h1>Tạo báo cáo</h1>\
         <form class=\"tao\" method=\"post\" action=\"/tao\">\
         <label><input type=\"checkbox\" name=\"du\" value=\"1\"> Bản chính thức: chỉ tạo khi mọi đơn vị đã nộp (như <code>build --du</code>)</label>\
         <button type=\"submit\">Tạo báo cáo</button></form>",
    );
    match built {
        None => {}
        Some(Built::Written { files, changes }) => {
            let _ = write!(
                body,
                "<section class=\"xong\" id=\"ket-qua\"><p><b>Đã tạo báo cáo</b> ({} tệp).</p>",
                files.len()
            );
            match changes {
                Some(changes) => {
                    let _ = write!(body, "<pre class=\"thay-doi\">{}</pre>", e(changes));
                }
                None => body.push_str(
                    "<p>Thư mục kết quả chưa có bản kê của lần tạo trước nên chưa có gì để so sánh; từ lần sau, trang này liệt kê những gì đã thay đổi.</p>",
                ),
            }
            body.push_str("</section>");
        }
        Some(Built::Failed(problems)) => {
            let _ = write!(
                body,
                "<section class=\"loi-khung\" id=\"ket-qua\"><p><b>Không tạo được báo cáo</b>; các tệp cũ được giữ nguyên.</p>{}</section>",
                problem_list(problems)
            );
        }
        Some(Built::NotWritten(why)) => {
            let _ = write!(
                body,
                "<section class=\"loi-khung\" id=\"ket-qua\"><p><b>Không ghi được báo cáo:</b> {}</p></section>",
                e(why)
            );
        }
    }
    body.push_str("<h2>Bộ báo cáo hiện có</h2>");
    if set.is_empty() {
        let _ = write!(
            body,
            "<p>Chưa có bộ báo cáo nào{}.</p>",
            year.map_or(String::new(), |y| format!(" của năm {y}"))
        );
    } else {
        body.push_str("<ul class=\"tai\">");
        for entry in set {
            let name = e(&entry.tep);
            let _ = write!(body, "<li><a href=\"/tai/{name}\" download>{name}</a></li>");
        }
        body.push_str("</ul>");
    }
    shell("Tạo báo cáo", "/tao", &body)
}

/// `/bieu-mau/…` when the data cannot be read: a form cannot be made
/// without a plan that passes the checks.
pub fn form_refused(problems: &[Problem]) -> String {
    shell(
        "Không tạo được biểu mẫu",
        "/don-vi",
        &format!(
            "<section class=\"loi-khung\"><p><b>Không tạo được biểu mẫu</b>: dữ liệu đang có lỗi (như lệnh <code>bieu-mau</code>).</p>{}</section>",
            problem_list(problems)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_stands_under_the_column() {
        let html = excerpt("  \"kinh_phi\": 1500.5,", 12, 15);
        assert!(
            html.contains("12 │ </span>  &quot;kinh_phi&quot;: 1500.5,\n"),
            "{html}"
        );
        assert!(
            html.contains("</span>              <span class=\"dau-mu\">^"),
            "{html}"
        );
        let long = format!("{}X{}", "a".repeat(200), "b".repeat(200));
        let html = excerpt(&long, 1, 201);
        assert!(html.contains(&format!("…{}X{}…", "a".repeat(70), "b".repeat(69))));
        assert!(html.contains(&format!("</span>{}<span class=\"dau-mu\">", " ".repeat(71))));
    }

    #[test]
    fn problems_are_escaped() {
        let p = Problem {
            file: "input/<script>.json".into(),
            line: 1,
            column: 1,
            at: "\"x\"".into(),
            code: "KC004".into(),
            message: "<img src=x onerror=alert(1)>".into(),
            excerpt: Some("<script>alert('x')</script>".into()),
            unit: None,
        };
        let html = problem_list(&[p]);
        assert!(
            !html.contains("<script>") && !html.contains("<img"),
            "{html}"
        );
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }
}
