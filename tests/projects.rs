//! The second bundled example (examples/du-lieu/dak-lak-2020): projects
//! (đề án) whose money comes from several sources, counterpart funds
//! included. Every total is recomputed here from the raw JSON, without the
//! aggregation code, and looked for in the report.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{copy_dir, edit, root, scratch};
use khuyencong::pipeline::{self, Inputs};
use rust_decimal::Decimal;
use serde_json::Value;

fn example() -> PathBuf {
    root().join("examples/du-lieu/dak-lak-2020")
}

fn inputs(input: PathBuf) -> Inputs {
    Inputs {
        input,
        templates: root().join("templates"),
        year: None,
    }
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn money(v: &Value) -> Decimal {
    match v {
        Value::Number(n) => n.as_i64().map(Decimal::from).unwrap(),
        Value::String(s) => s.parse().unwrap(),
        other => panic!("not an amount: {other}"),
    }
}

/// "3590000000" → "3.590.000.000", written here so the test does not
/// lean on the tool's own formatter.
fn dots(d: Decimal) -> String {
    let digits = d.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Money by source of a plan item or an activity, as the contract says:
/// `theo_nguon`, else the whole `kinh_phi` under `nguon` (or the item's).
fn split(v: &Value, item_source: Option<&str>) -> BTreeMap<String, Decimal> {
    if let Some(Value::Object(parts)) = v.get("theo_nguon") {
        return parts.iter().map(|(k, m)| (k.clone(), money(m))).collect();
    }
    let source = v["nguon"].as_str().or(item_source).unwrap();
    BTreeMap::from([(source.to_string(), money(&v["kinh_phi"]))])
}

#[derive(Default, Debug)]
struct Recount {
    /// Source code → (plan, actual).
    by_source: BTreeMap<String, (Decimal, Decimal)>,
    /// Unit code → (budget, outside) actual.
    by_unit: BTreeMap<String, (Decimal, Decimal)>,
    /// Item code → (total, budget) actual, all activities.
    by_item: BTreeMap<String, (Decimal, Decimal)>,
    /// Programme code → (total, budget, outside) of its projects.
    by_programme: BTreeMap<String, (Decimal, Decimal, Decimal)>,
    projects: usize,
    /// Each project's (name, total, budget, outside).
    rows: Vec<(String, Decimal, Decimal, Decimal)>,
}

fn recount(dir: &Path) -> Recount {
    let plan = read(&dir.join("ke-hoach-2020.json"));
    let kinds: BTreeMap<String, bool> = plan["nguon_kinh_phi"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let kind = s["loai"].as_str().unwrap_or("dia_phuong");
            (
                s["ma"].as_str().unwrap().to_string(),
                matches!(kind, "dia_phuong" | "quoc_gia"),
            )
        })
        .collect();
    let mut r = Recount::default();
    let mut items = BTreeMap::new();
    for prog in plan["chuong_trinh"].as_array().unwrap() {
        for item in prog["noi_dung"].as_array().unwrap() {
            for (source, m) in split(item, None) {
                r.by_source.entry(source).or_default().0 += m;
            }
            items.insert(
                item["ma"].as_str().unwrap().to_string(),
                (prog["ma"].as_str().unwrap().to_string(), item.clone()),
            );
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("bao-cao"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let sub = read(&file);
        let unit = sub["ma_don_vi"].as_str().unwrap().to_string();
        r.by_unit.entry(unit.clone()).or_default();
        for a in sub["hoat_dong"].as_array().unwrap() {
            let (prog, item) = &items[a["noi_dung"].as_str().unwrap()];
            let parts = split(a, item["nguon"].as_str());
            let (mut budget, mut outside) = (Decimal::ZERO, Decimal::ZERO);
            for (source, m) in &parts {
                r.by_source.entry(source.clone()).or_default().1 += m;
                if kinds[source] {
                    budget += m;
                } else {
                    outside += m;
                }
            }
            if let Some(stated) = a.get("kinh_phi") {
                assert_eq!(money(stated), budget + outside, "{}", file.display());
            }
            let i = r
                .by_item
                .entry(item["ma"].as_str().unwrap().to_string())
                .or_default();
            i.0 += budget + outside;
            i.1 += budget;
            let row = r.by_unit.get_mut(&unit).unwrap();
            row.0 += budget;
            row.1 += outside;
            if let Some(p) = a.get("de_an") {
                r.projects += 1;
                let g = r.by_programme.entry(prog.clone()).or_default();
                g.0 += budget + outside;
                g.1 += budget;
                g.2 += outside;
                let name = p["ten"].as_str().unwrap().to_string();
                r.rows.push((name, budget + outside, budget, outside));
            }
        }
    }
    r
}

#[test]
fn golden_markdown_of_the_project_example() {
    let report = pipeline::run(&inputs(example())).unwrap_or_else(|e| panic!("{e}"));
    let golden = root().join("tests/golden/bao-cao-khuyen-cong-2020-dak-lak.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &report.markdown).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap();
    assert!(
        report.markdown == expected,
        "the report differs from {} (UPDATE_GOLDEN=1 to accept)",
        golden.display()
    );
}

#[test]
fn every_total_is_recomputed_from_the_raw_files() {
    let r = recount(&example());
    let md = pipeline::run(&inputs(example())).unwrap().markdown;
    let sum =
        |f: fn(&(Decimal, Decimal)) -> Decimal| -> Decimal { r.by_unit.values().map(f).sum() };
    let (budget, outside) = (sum(|u| u.0), sum(|u| u.1));

    // The case the example is shaped on: 16 projects in 5 groups, 3,59 tỷ,
    // of which 2 tỷ khuyến công budget and 1,59 tỷ from the beneficiaries.
    assert_eq!(r.projects, 16);
    assert_eq!(r.by_programme.len(), 5);
    assert_eq!(budget + outside, Decimal::from(3_590_000_000_i64));
    assert_eq!(budget, Decimal::from(2_000_000_000_i64));
    assert_eq!(outside, Decimal::from(1_590_000_000_i64));

    // Headline: the budget apart from the counterpart funds.
    let headline = format!(
        "Tổng kinh phí thực hiện các nội dung theo kế hoạch là {} đồng, trong đó kinh phí khuyến công hỗ trợ {} đồng",
        dots(budget + outside),
        dots(budget)
    );
    assert!(md.contains(&headline), "{headline}");
    assert!(md.contains(&format!(
        "ngoài ngân sách khuyến công {} đồng",
        dots(outside)
    )));
    let plan = read(&example().join("ke-hoach-2020.json"));
    // Per item: the whole amount in its paragraph, "trong đó" when split.
    for (code, (total, budget)) in &r.by_item {
        let planned = plan["chuong_trinh"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["noi_dung"].as_array().unwrap())
            .find(|i| i["ma"] == code.as_str())
            .unwrap()["ke_hoach"]
            .as_str()
            .unwrap();
        let section = &md[md.find(&format!("**Kế hoạch:** {planned}")).unwrap()..];
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        let said = if total == budget {
            format!("Kinh phí thực hiện: {} đồng", dots(*total))
        } else {
            format!("Tổng kinh phí thực hiện: {} đồng, trong đó", dots(*total))
        };
        assert!(section.contains(&said), "{code}: {said}");
    }
    // Per source, plan and actual.
    for s in plan["nguon_kinh_phi"].as_array().unwrap() {
        let (p, a) = r.by_source[s["ma"].as_str().unwrap()];
        let row = format!(
            "| {} | {} | {} |",
            s["ten"].as_str().unwrap(),
            dots(p),
            dots(a)
        );
        assert!(md.contains(&row), "{row}");
    }
    // Per unit: budget and outside it, a missing unit without figures.
    let by_unit = &md[md.find("**Bảng 3.").unwrap()..];
    for u in plan["don_vi"].as_array().unwrap() {
        let name = u["ten"].as_str().unwrap();
        let line = by_unit
            .lines()
            .find(|l| l.contains(&format!("| {name} | ")))
            .unwrap_or_else(|| panic!("no row for {name}"));
        match r.by_unit.get(u["ma"].as_str().unwrap()) {
            Some((b, o)) => assert!(
                line.ends_with(&format!("| {} | {} |", dots(*b), dots(*o))),
                "{line}"
            ),
            None => assert!(line.ends_with("| chưa nộp | | | | |"), "{line}"),
        }
    }
    // The annex: each project, each group subtotal and the grand total.
    for (name, total, b, o) in &r.rows {
        let cells = format!("| {} | {} | {} |", dots(*total), dots(*b), dots(*o));
        assert!(
            md.lines()
                .any(|l| l.contains(&format!("| {name} |")) && l.contains(&cells)),
            "{name}: {cells}"
        );
    }
    for (total, b, o) in r.by_programme.values() {
        let cells = format!(
            "| **{}** | **{}** | **{}** |",
            dots(*total),
            dots(*b),
            dots(*o)
        );
        assert!(md.contains(&cells), "{cells}");
    }
    assert!(md.contains(&format!(
        "| | **Tổng cộng (16 đề án)** | < | < | < | **{}** | **{}** | **{}** | |",
        dots(budget + outside),
        dots(budget),
        dots(outside)
    )));
}

#[test]
fn a_note_stays_with_its_project_and_declarations_reach_the_report() {
    let md = pipeline::run(&inputs(example())).unwrap().markdown;
    let note = "Thiết bị đã lắp đặt, chờ nghiệm thu đầu năm 2021.";
    let line = md.lines().find(|l| l.contains(note)).unwrap();
    assert!(
        line.starts_with("- Đề án “Ứng dụng máy sản xuất gạch không nung”"),
        "{line}"
    );
    assert_eq!(md.matches(note).count(), 1);
    // A unit that did not carry out an item others did is named there.
    assert!(md.contains("Thị xã Buôn Hồ không thực hiện nội dung này (không tuyển đủ học viên theo quy định). Thị xã đề nghị chuyển chỉ tiêu sang năm 2021."));
    // The note on a zero-budget item that nobody carried out.
    assert!(md.contains("giải trình của Huyện Lắk: Huyện chưa có cụm công nghiệp được thành lập."));
    // The missing unit, named in the text.
    assert!(md.contains("Đơn vị chưa gửi báo cáo (chưa có trong số liệu tổng hợp): Huyện Ea Kar."));
}

/// A private copy of the example, to break.
fn copy_of_example(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_dir(&example(), &dir);
    dir
}

/// Asserts the problem at a JSON path: its code, a position, its words;
/// gives back its file.
fn problem_at(
    found: &khuyencong::diagnostic::Diagnostics,
) -> impl Fn(&str, &str, &str) -> PathBuf + '_ {
    move |path, code, words| {
        let d = found
            .0
            .iter()
            .find(|d| d.path == path)
            .unwrap_or_else(|| panic!("nothing at {path}:\n{found}"));
        assert_eq!(d.code.id(), code, "{d}");
        assert!(d.line > 0 && d.column > 0, "{d}");
        assert!(d.message.contains(words), "{d}");
        d.file.clone()
    }
}

#[test]
fn malformed_splits_are_each_reported_where_they_are() {
    let dir = copy_of_example("tach-sai");
    let unit = dir.join("bao-cao/643-buon-ma-thuot.json");
    // A split that does not add up to the stated total.
    edit(&unit, "\"kinh_phi\": 520000000", "\"kinh_phi\": 530000000");
    // A source the plan does not declare.
    edit(
        &unit,
        "\"dia_phuong\": 200000000",
        "\"dia_phuon\": 200000000",
    );
    // One source and a split at once.
    edit(
        &unit,
        "\"kinh_phi\": 380000000,",
        "\"kinh_phi\": 380000000, \"nguon\": \"dia_phuong\",",
    );
    // An activity of an item with several sources, without its split.
    edit(
        &unit,
        "\"kinh_phi\": 95000000,\n      \"theo_nguon\": {\n        \"dia_phuong\": 75000000,\n        \"doi_ung\": 20000000\n      },",
        "\"kinh_phi\": 95000000,",
    );
    let found = khuyencong::validate::load(std::slice::from_ref(&dir), &[], None).unwrap_err();
    let at = problem_at(&found);
    let file = at(
        "hoat_dong[0].theo_nguon",
        "KC039",
        "cộng lại được 520000000 đồng, khác `kinh_phi` 530000000 đồng (lệch 10000000 đồng)",
    );
    assert!(file.ends_with("643-buon-ma-thuot.json"));
    at(
        "hoat_dong[1].theo_nguon.dia_phuon",
        "KC035",
        "Có phải ý bạn là `dia_phuong`?",
    );
    at("hoat_dong[2].theo_nguon", "KC039", "không ghi cả hai");
    at(
        "hoat_dong[3].theo_nguon",
        "KC011",
        "nội dung `DAO_TAO_NGHE` có kinh phí từ nhiều nguồn (dia_phuong, doi_ung)",
    );
    assert_eq!(found.0.len(), 4, "{found}");

    let _ = std::fs::remove_dir_all(&dir);

    // The plan's own splits, checked before any submission.
    let dir = copy_of_example("ke-hoach-tach-sai");
    let plan = dir.join("ke-hoach-2020.json");
    // A plan item whose split does not add up; a source kind outside the list.
    edit(
        &plan,
        "\"kinh_phi\": 2800000000",
        "\"kinh_phi\": 2900000000",
    );
    edit(&plan, "\"loai\": \"quoc_gia\"", "\"loai\": \"quocgia\"");
    let found = khuyencong::validate::load(std::slice::from_ref(&dir), &[], None).unwrap_err();
    let at = problem_at(&found);
    let file = at(
        "chuong_trinh[0].noi_dung[0].theo_nguon",
        "KC039",
        "khác `kinh_phi` 2900000000 đồng",
    );
    assert!(file.ends_with("ke-hoach-2020.json"));
    at(
        "nguon_kinh_phi[1].loai",
        "KC041",
        "loại nguồn kinh phí `quocgia` không có trong danh sách. Có phải ý bạn là `quoc_gia`?",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_project_status_outside_the_list_is_named() {
    let dir = copy_of_example("trang-thai-sai");
    let unit = dir.join("bao-cao/654-krong-pac.json");
    edit(
        &unit,
        "\"trang_thai\": \"dang_thuc_hien\"",
        "\"trang_thai\": \"dang thuc hien\"",
    );
    let found = khuyencong::validate::load(std::slice::from_ref(&dir), &[], None).unwrap_err();
    let d = &found.0[0];
    assert_eq!(
        (d.code.id(), d.path.as_str()),
        ("KC041", "hoat_dong[1].de_an.trang_thai"),
        "{found}"
    );
    assert!(
        d.message.contains("Có phải ý bạn là `dang_thuc_hien`?"),
        "{d}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_activity_may_leave_its_total_to_the_split() {
    // 648's training project states only its split (80 + 20 triệu).
    let text = std::fs::read_to_string(example().join("bao-cao/648-cu-mgar.json")).unwrap();
    let sub: Value = serde_json::from_str(&text).unwrap();
    let training = &sub["hoat_dong"][2];
    assert!(training.get("kinh_phi").is_none());
    let report = pipeline::run(&inputs(example())).unwrap();
    let unit = report
        .summary
        .don_vi
        .iter()
        .find(|u| u.ma == "648")
        .unwrap();
    assert_eq!(unit.tien.tong_kinh_phi, Decimal::from(830_000_000_i64));
}

#[test]
fn a_corrected_counterpart_amount_is_in_the_change_list() {
    let dir = copy_of_example("doi-ung-sua");
    let out = scratch("doi-ung-sua-ket-qua");
    let build = || {
        let o = common::build(&dir, &out);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    build();
    // The beneficiary put in 30 triệu more than first reported.
    let unit = dir.join("bao-cao/654-krong-pac.json");
    edit(&unit, "\"kinh_phi\": 350000000", "\"kinh_phi\": 380000000");
    edit(&unit, "\"doi_ung\": 230000000", "\"doi_ung\": 260000000");
    let said = build();
    assert!(
        said.contains("Kinh phí ngoài ngân sách khuyến công (vốn đối ứng, nguồn khác): 1.590.000.000 → 1.620.000.000 đồng"),
        "{said}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn data_that_looks_like_a_merge_sign_stays_text() {
    let dir = copy_of_example("dau-gop");
    let unit = dir.join("bao-cao/654-krong-pac.json");
    edit(
        &unit,
        "\"co_so\": \"Cơ sở thức ăn chăn nuôi Phước An\"",
        "\"co_so\": \"^\"",
    );
    edit(
        &unit,
        "\"ten\": \"Ứng dụng máy chế biến thức ăn chăn nuôi\"",
        "\"ten\": \"<\"",
    );
    let report = pipeline::run(&inputs(dir.clone())).unwrap_or_else(|e| panic!("{e}"));
    let annex = report.document.annex.expect("the annex");
    let table = annex
        .blocks
        .iter()
        .find_map(|b| match b {
            khuyencong::document::Block::Table(t) => Some(t),
            _ => None,
        })
        .unwrap();
    let row = table
        .rows
        .iter()
        .find(|r| khuyencong::document::plain_text(&r[3]) == "^")
        .expect("the project's row, its cells as written");
    assert_eq!(khuyencong::document::plain_text(&row[1]), "<");
    // The only merges in the body are the group and total rows' label cells.
    let body_merges = table.merges.iter().filter(|m| m.row >= 2).count();
    assert_eq!(body_merges, 5 + 1, "{:?}", table.merges);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_example_report_ends_with_its_annex_on_landscape_pages() {
    let out = scratch("dak-lak-phu-luc");
    let o = common::build(&example(), &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let xml = common::document_xml(&out.join("bao-cao-khuyen-cong-2020.docx"));
    assert!(xml.contains(r#"w:orient="landscape""#));
    // The annex comes after the signature, in its own section.
    let signer = xml.find("Nguyễn Văn Thử").unwrap();
    let annex = xml.find("PHỤ LỤC: DANH SÁCH ĐỀ ÁN").unwrap();
    let landscape = xml.find(r#"w:orient="landscape""#).unwrap();
    assert!(
        signer < annex && annex < landscape,
        "{signer} {annex} {landscape}"
    );
    common::assert_word_valid(&out);
    if common::have_tool("pdfinfo") && common::have_tool("pdftotext") {
        let pdf = out.join("bao-cao-khuyen-cong-2020.pdf");
        let sizes = common::page_sizes(&pdf);
        let texts = common::pdf_pages(&pdf);
        let first = texts.iter().position(|t| t.contains("PHỤ LỤC")).unwrap();
        assert!(texts.len() - first >= 2, "the annex takes two pages");
        for (i, size) in sizes.iter().enumerate() {
            let landscape = i >= first;
            assert_eq!(common::is_landscape(*size), landscape, "page {}", i + 1);
            assert_eq!(common::is_portrait(*size), !landscape, "page {}", i + 1);
        }
        assert!(common::squash(&texts[first]).contains("Đơn vị tính: đồng"));
        for text in &texts[first..] {
            // The header, repeated on every page.
            let flat = common::squash(text);
            assert!(
                flat.contains("Kinh phí") && flat.contains("Khuyến công"),
                "{text}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&out);
}
