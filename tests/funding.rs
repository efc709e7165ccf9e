//! Funding figures that agree everywhere (issue 21), on the bundled sample
//! and on the Đắk Lắk example, each bent the way real data sets are: one
//! rule per ratio, projects counted from their entries, rounded money that
//! says so, columns that follow the data, a contract whose advice works,
//! `validate` refusing what the build cannot write, document numbers as
//! the decree writes them.

mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use common::{copy_dir, root, scratch};
use khuyencong::document::{plain_text, Block, Cell, Inline, Table};
use rust_decimal::Decimal;
use serde_json::{json, Value};

const SAMPLE: &str = "input";
const DAK_LAK: &str = "examples/du-lieu/dak-lak-2020";

/// A private copy of a bundled data set.
fn copy(example: &str, name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_dir(&root().join(example), &dir);
    dir
}

/// The plan file of a data set.
fn plan_of(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap()
}

/// Rewrites a JSON file through `change`.
fn change(path: &Path, change: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    change(&mut v);
    std::fs::write(path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// The plan item `code` of a plan.
fn item<'v>(plan: &'v mut Value, code: &str) -> &'v mut Value {
    plan["chuong_trinh"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .flat_map(|p| p["noi_dung"].as_array_mut().unwrap())
        .find(|i| i["ma"] == code)
        .unwrap()
}

fn markdown(input: &Path) -> String {
    common::report(input).markdown
}

/// Every problem `validate` finds: (file name, line, code, path, message).
fn problems(dir: &Path) -> Vec<(String, usize, String, String, String)> {
    match khuyencong::validate::load(&[dir.to_path_buf()], &[], None) {
        Ok(_) => Vec::new(),
        Err(found) => found
            .0
            .iter()
            .map(|d| {
                (
                    d.file.file_name().unwrap().to_string_lossy().into_owned(),
                    d.line,
                    d.code.id().to_string(),
                    d.path.clone(),
                    d.message.clone(),
                )
            })
            .collect(),
    }
}

/// The plan asks for money in `unit`.
fn in_unit(dir: &Path, unit: &str) {
    change(&plan_of(dir), |p| p["van_ban"]["don_vi_tien"] = json!(unit));
}

/// "1.203,84" → 1203.84; none for what is no number.
fn number(text: &str) -> Option<Decimal> {
    let t = text.trim().trim_matches('*');
    let ok = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
    ok.then(|| Decimal::from_str(&t.replace('.', "").replace(',', ".")).ok())
        .flatten()
}

/// The error list (docs/ma-loi.md) shows `words` in the row of `code`.
fn documented(code: &str, words: &str) {
    let list = std::fs::read_to_string(root().join("docs/ma-loi.md")).unwrap();
    let row = list
        .lines()
        .find(|l| l.starts_with(&format!("| {code} |")))
        .unwrap_or_else(|| panic!("no row {code} in docs/ma-loi.md"));
    assert!(row.contains(words), "docs/ma-loi.md, {code}: no {words:?}");
}

// ---- 1. one item, one ratio ----

/// Each item's ratio of money in its paragraph of section I, by number.
fn sentence_ratios(md: &str) -> Vec<(String, String)> {
    let mut current = String::new();
    let mut found = Vec::new();
    for line in md.lines() {
        if let Some(heading) = line.strip_prefix("## ").or(line.strip_prefix("### ")) {
            current = heading.split(". ").next().unwrap().to_string();
        }
        if !line.starts_with("**Thực hiện:**") {
            continue;
        }
        let ratio = if let Some((_, rest)) = line.split_once("kinh phí khuyến công đạt ") {
            rest.split(" kế hoạch").next()
        } else if let Some((_, rest)) = line.split_once("Kinh phí thực hiện: ") {
            rest.split_once("(đạt ")
                .and_then(|(_, r)| r.split(" kế hoạch)").next())
        } else {
            None
        };
        if let Some(ratio) = ratio {
            found.push((current.clone(), ratio.to_string()));
        }
    }
    found
}

/// Bảng 1's ratio of each row, by number.
fn table_ratios(md: &str) -> Vec<(String, String)> {
    let from = md.find("**Bảng 1.").unwrap();
    md[from..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.split('|')
                .map(|c| c.trim().trim_matches('*'))
                .collect::<Vec<_>>()
        })
        .filter(|cells| cells.len() > 5 && !cells[1].is_empty())
        .map(|cells| (cells[1].to_string(), cells[5].to_string()))
        .collect()
}

fn assert_one_ratio_per_item(md: &str, wanted: &str) {
    let table = table_ratios(md);
    let said = sentence_ratios(md);
    assert!(said.len() >= 5, "{said:?}");
    for (so, ratio) in &said {
        let row = table.iter().find(|(n, _)| n == so);
        let (_, in_table) = row.unwrap_or_else(|| panic!("no row {so} in Bảng 1"));
        assert_eq!(ratio, in_table, "item {so}: the sentence and Bảng 1 differ");
    }
    assert!(
        said.iter().any(|(_, r)| r == wanted),
        "{wanted} not said: {said:?}"
    );
}

#[test]
fn an_item_planned_with_counterpart_funds_has_one_ratio() {
    // Đắk Lắk: the unit reports only the budget part of SAN_PHAM
    // (planned 200 triệu budget + 110 triệu counterpart).
    let dir = copy(DAK_LAK, "ty-le-dak-lak");
    change(&dir.join("bao-cao/654-krong-pac.json"), |s| {
        let a = &mut s["hoat_dong"][3];
        assert_eq!(a["noi_dung"], "SAN_PHAM");
        a["kinh_phi"] = json!(200000000);
        a["theo_nguon"] = json!({"dia_phuong": 200000000});
    });
    let md = markdown(&dir);
    assert_one_ratio_per_item(&md, "100,0%");
    assert!(!md.contains("64,5%"), "the all-source ratio is printed");
    assert_one_ratio_per_item(&markdown(&root().join(DAK_LAK)), "93,8%");

    // The sample: a fair planned with counterpart funds, the centre
    // reporting only the budget it spent.
    let dir = copy(SAMPLE, "ty-le-mau");
    change(&plan_of(&dir), |p| {
        p["nguon_kinh_phi"].as_array_mut().unwrap().push(json!(
            {"ma": "doi_ung", "ten": "Vốn đối ứng của cơ sở", "loai": "doi_ung"}
        ));
        let i = item(p, "HOI_CHO");
        i.as_object_mut().unwrap().remove("nguon");
        i["kinh_phi"] = json!(650000000);
        i["theo_nguon"] = json!({"dia_phuong": 450000000, "doi_ung": 200000000});
    });
    change(&dir.join("bao-cao/ttkc.json"), |s| {
        s["hoat_dong"][1]["nguon"] = json!("dia_phuong");
    });
    let md = markdown(&dir);
    assert_one_ratio_per_item(&md, "104,7%");
    assert!(!md.contains("72,5%"), "the all-source ratio is printed");
    assert_one_ratio_per_item(&markdown(&root().join(SAMPLE)), "97,7%");
}

// ---- 2. the project count is counted ----

#[test]
fn projects_are_counted_from_their_entries_never_typed() {
    // Đắk Lắk: one of the seven machinery projects does not type its count.
    let dir = copy(DAK_LAK, "dem-de-an-dak-lak");
    let unit = dir.join("bao-cao/643-buon-ma-thuot.json");
    change(&unit, |s| {
        s["hoat_dong"][0]
            .as_object_mut()
            .unwrap()
            .remove("chi_tieu");
    });
    let md = markdown(&dir);
    assert!(
        md.contains("Hỗ trợ 07 đề án (chi tiết tại Phụ lục). Kết quả: 07 đề án (87,5% kế hoạch)."),
        "{md}"
    );
    // A typed count that disagrees is an error at its place.
    change(&unit, |s| s["hoat_dong"][1]["chi_tieu"]["de_an"] = json!(2));
    let found = problems(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    let (file, line, code, path, message) = &found[0];
    assert_eq!(
        (file.as_str(), code.as_str(), path.as_str()),
        (
            "643-buon-ma-thuot.json",
            "KC039",
            "hoat_dong[1].chi_tieu.de_an"
        )
    );
    assert!(
        *line > 0 && message.contains("mỗi hoạt động một đề án"),
        "{message}"
    );
    documented(
        "KC039",
        "chỉ tiêu `de_an` được đếm từ các hoạt động có khóa `de_an`",
    );
    // A count typed on an activity that is no project.
    change(&unit, |s| {
        s["hoat_dong"][1]["chi_tieu"]["de_an"] = json!(1);
        s["hoat_dong"][1].as_object_mut().unwrap().remove("de_an");
    });
    let found = problems(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].4.contains("không có khóa `de_an`"), "{found:?}");

    // The sample: a showroom planned as one project, reported as one
    // project entry without a typed count.
    let dir = copy(SAMPLE, "dem-de-an-mau");
    add_showroom_project(&dir);
    let md = markdown(&dir);
    assert!(
        md.contains("Hỗ trợ 01 đề án (chi tiết tại Phụ lục). Kết quả: 01 đề án (100,0% kế hoạch)."),
        "{md}"
    );
    assert!(!md.contains("Kết quả: 0 đề án"));
}

/// The sample's showroom (TRUNG_BAY, run by the centre without a place)
/// planned as one project, and reported as one without a typed count.
fn add_showroom_project(dir: &Path) {
    change(&plan_of(dir), |p| {
        item(p, "TRUNG_BAY")["chi_tieu"] = json!([
            {"ma": "de_an", "ten": "đề án", "don_vi_tinh": "đề án", "ke_hoach": 1}
        ]);
    });
    change(&dir.join("bao-cao/ttkc.json"), |s| {
        let a = &mut s["hoat_dong"][12];
        assert_eq!(a["noi_dung"], "TRUNG_BAY");
        assert!(a.get("dia_diem").is_none());
        a["de_an"] = json!({
            "ten": "Phòng trưng bày sản phẩm CNNT tiêu biểu",
            "co_so": "Các cơ sở CNNT, chủ thể OCOP của tỉnh",
            "trang_thai": "hoan_thanh"
        });
    });
}

// ---- 3. money in triệu đồng ----

/// The money tables of a document (body and annex) with what stands
/// before and after each.
fn money_tables(
    doc: &khuyencong::document::Document,
) -> Vec<(Option<String>, &Table, Option<String>)> {
    let mut found = Vec::new();
    let annex = doc
        .annex
        .as_ref()
        .map(|a| a.blocks.as_slice())
        .unwrap_or(&[]);
    for blocks in [doc.blocks.as_slice(), annex] {
        for (i, b) in blocks.iter().enumerate() {
            let Block::Table(t) = b else { continue };
            let paragraph = |b: Option<&Block>| match b {
                Some(Block::Paragraph(p)) => Some(plain_text(p)),
                _ => None,
            };
            let before = i.checked_sub(1).and_then(|j| paragraph(blocks.get(j)));
            found.push((before, t, paragraph(blocks.get(i + 1))));
        }
    }
    found
}

fn text(cell: &Cell) -> String {
    plain_text(cell)
}

/// 0 for the total (the last row), 1 bold, 2 italic, 3 plain.
fn level(row: &[Cell], last: bool) -> u8 {
    if last {
        return 0;
    }
    let run = row.iter().flatten().find_map(|i| match i {
        Inline::Text(r) if !r.text.trim().is_empty() => Some(r),
        _ => None,
    });
    match run {
        Some(r) if r.bold => 1,
        Some(r) if r.italic => 2,
        _ => 3,
    }
}

/// Whether some row of `table`, in a money column, is not the sum of the
/// rows under it (rows one level deeper until the next row of its level).
fn rounded_apart(table: &Table, money: &[usize]) -> bool {
    let rows = &table.rows;
    let levels: Vec<u8> = (0..rows.len())
        .map(|i| level(&rows[i], i + 1 == rows.len()))
        .collect();
    for (i, &l) in levels.iter().enumerate() {
        let (from, to) = if l == 0 {
            (0, i)
        } else {
            (i + 1, rows.len() - 1)
        };
        let under: Vec<usize> = (from..to)
            .take_while(|&j| l == 0 || levels[j] > l)
            .collect();
        let Some(&top) = under.iter().map(|&j| &levels[j]).min() else {
            continue;
        };
        for &col in money {
            let Some(total) = number(&text(&rows[i][col])) else {
                continue;
            };
            let sum: Decimal = under
                .iter()
                .filter(|&&j| levels[j] == top)
                .filter_map(|&j| number(&text(&rows[j][col])))
                .sum();
            if sum != total {
                return true;
            }
        }
    }
    false
}

fn check_money_in_millions(example: &str, name: &str) -> usize {
    let dir = copy(example, name);
    in_unit(&dir, "trieu_dong");
    let report = common::report(&dir);
    let tables = money_tables(&report.document);
    let mut noted = 0;
    let mut checked = 0;
    for (before, table, after) in &tables {
        let columns = table.columns();
        let money: Vec<usize> = (0..columns)
            .filter(|&c| {
                table.rows.iter().any(|r| {
                    let t = text(&r[c]);
                    t.contains(',') && !t.contains('%') && number(&t).is_some()
                })
            })
            .collect();
        if money.is_empty() {
            continue;
        }
        checked += 1;
        // The unit stands above the table, never in a header cell.
        assert_eq!(
            before.as_deref(),
            Some("Đơn vị tính: triệu đồng"),
            "table at line {}",
            table.line
        );
        for row in table.header_rows() {
            for cell in row {
                assert!(!text(cell).contains("đồng"), "header {:?}", text(cell));
            }
        }
        // One number of decimals per column.
        for &c in &money {
            for row in &table.rows {
                let t = text(&row[c]);
                let t = t.trim_matches('*');
                if t.is_empty() {
                    continue;
                }
                let decimals = t.split_once(',').map(|(_, d)| d.len());
                assert_eq!(decimals, Some(2), "{t} at line {}", table.line);
            }
        }
        // Rounded rows that miss their total are noted, and only those.
        let note = after
            .as_deref()
            .is_some_and(|p| p.starts_with("Ghi chú: số liệu đã làm tròn theo triệu đồng"));
        assert_eq!(
            rounded_apart(table, &money),
            note,
            "table at line {}: note {after:?}",
            table.line
        );
        noted += usize::from(note);
    }
    assert!(checked >= 4, "{checked} money tables");
    // The PDF's headers hold no unit to wrap.
    let out = scratch(&format!("{name}-ra"));
    khuyencong::output::write(report, &out, &khuyencong::output::Wait::default())
        .unwrap_or_else(|e| panic!("{e}"));
    if common::have_tool("pdftotext") {
        let pdf = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "pdf"))
            .unwrap();
        let text = common::pdf_text(&pdf, "-raw");
        assert!(!text.contains("(triệu"), "a header holds the unit");
        assert!(text.contains("Đơn vị tính: triệu đồng"));
    }
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&dir);
    noted
}

#[test]
fn money_in_millions_adds_up_or_says_it_is_rounded() {
    // The sample's Bảng 1: 343,80 + 0,00 + 1.203,84 + 921,40 + 777,60 =
    // 3.246,64 against the exact total 3.246,63.
    assert!(check_money_in_millions(SAMPLE, "trieu-mau") >= 1);
    check_money_in_millions(DAK_LAK, "trieu-dak-lak");
}

// ---- 4. columns by data ----

/// A workbook read back: each sheet's cells.
fn workbook(out: &Path) -> (Vec<String>, Vec<calamine::Range<Data>>) {
    let path = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .unwrap();
    let mut xlsx: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(std::fs::read(path).unwrap())).unwrap();
    let names = xlsx.sheet_names();
    let ranges = names
        .iter()
        .map(|n| xlsx.worksheet_range(n).unwrap())
        .collect();
    (names, ranges)
}

/// Every text of a sheet.
fn texts(range: &calamine::Range<Data>) -> Vec<String> {
    range
        .cells()
        .filter_map(|(_, _, d)| match d {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn build_into(input: &Path, name: &str) -> (String, PathBuf) {
    let out = scratch(name);
    let report = common::report(input);
    let md = report.markdown.clone();
    khuyencong::output::write(report, &out, &khuyencong::output::Wait::default())
        .unwrap_or_else(|e| panic!("{e}"));
    (md, out)
}

/// The header line of the Markdown table after `caption`.
fn header_after<'m>(md: &'m str, caption: &str) -> &'m str {
    let from = md.find(caption).unwrap_or_else(|| panic!("no {caption}"));
    md[from..].lines().find(|l| l.starts_with("| STT")).unwrap()
}

#[test]
fn columns_follow_the_data_in_the_report_and_the_workbook() {
    // The sample: no counterpart funds, no project.
    let (md, out) = build_into(&root().join(SAMPLE), "cot-mau");
    let (names, sheets) = workbook(&out);
    let sheet = |name: &str| &sheets[names.iter().position(|n| n == name).unwrap()];
    assert!(!header_after(&md, "**Bảng 3.").contains("Số đề án"));
    assert!(!texts(sheet("Theo đơn vị")).iter().any(|t| t == "Số đề án"));
    assert!(!md.contains("Ngoài ngân sách khuyến công"));
    let sources = texts(sheet("Theo nguồn"));
    assert!(
        !sources.iter().any(|t| t.contains("Ngoài ngân sách")),
        "{sources:?}"
    );

    // The sample with a project and still no counterpart funds.
    let dir = copy(SAMPLE, "cot-mau-de-an");
    add_showroom_project(&dir);
    let (md, out) = build_into(&dir, "cot-mau-de-an-ra");
    let (names, sheets) = workbook(&out);
    let sheet = |name: &str| &sheets[names.iter().position(|n| n == name).unwrap()];
    assert!(header_after(&md, "**Bảng 3.").contains("| Số đề án |"));
    assert!(!header_after(&md, "**Bảng 3.").contains("Ngoài ngân sách"));
    assert!(texts(sheet("Theo đơn vị")).iter().any(|t| t == "Số đề án"));
    let annex = header_after(&md, "PHỤ LỤC");
    assert!(!annex.contains("<"), "{annex}");
    assert!(
        !md.contains("Vốn đối ứng"),
        "an all-zero counterpart column"
    );
    let projects = texts(sheet("Đề án"));
    assert!(
        !projects.iter().any(|t| t.contains("Vốn đối ứng")),
        "{projects:?}"
    );

    // Đắk Lắk: projects and counterpart funds, in both.
    let (md, out) = build_into(&root().join(DAK_LAK), "cot-dak-lak");
    let (names, sheets) = workbook(&out);
    let sheet = |name: &str| &sheets[names.iter().position(|n| n == name).unwrap()];
    let header = header_after(&md, "**Bảng 3.");
    assert!(header.contains("| Số đề án |") && header.contains("| Ngoài ngân sách |"));
    let units = texts(sheet("Theo đơn vị"));
    assert!(units.iter().any(|t| t == "Số đề án") && units.iter().any(|t| t == "Ngoài ngân sách"));
    assert!(texts(sheet("Theo nguồn"))
        .iter()
        .any(|t| t == "Ngoài ngân sách khuyến công"));
    assert!(texts(sheet("Đề án"))
        .iter()
        .any(|t| t == "Vốn đối ứng, nguồn khác"));
}

// ---- 5. the contract ----

#[test]
fn the_split_advice_works_for_plans_and_activities() {
    // Đắk Lắk: a plan item's parts do not add up to its total.
    let dir = copy(DAK_LAK, "loi-khuyen-dak-lak");
    change(&plan_of(&dir), |p| {
        item(p, "MMTB")["kinh_phi"] = json!(2900000000_i64)
    });
    let found = problems(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    let message = &found[0].4;
    assert_eq!(found[0].2, "KC039");
    assert!(!message.contains("bỏ `kinh_phi`"), "{message}");
    documented("KC039", "(kinh phí kế hoạch là tổng mọi nguồn)");
    // Done as said: the total made equal to the parts.
    change(&plan_of(&dir), |p| {
        item(p, "MMTB")["kinh_phi"] = json!(2800000000_i64)
    });
    assert!(problems(&dir).is_empty());
    // An activity may follow the other advice: leave its total out.
    let unit = dir.join("bao-cao/643-buon-ma-thuot.json");
    change(&unit, |s| s["hoat_dong"][0]["kinh_phi"] = json!(530000000));
    let found = problems(&dir);
    assert!(found[0].4.contains("bỏ `kinh_phi`"), "{found:?}");
    change(&unit, |s| {
        s["hoat_dong"][0]
            .as_object_mut()
            .unwrap()
            .remove("kinh_phi");
    });
    assert!(problems(&dir).is_empty());

    // The sample: a plan item split between two sources.
    let dir = copy(SAMPLE, "loi-khuyen-mau");
    change(&plan_of(&dir), |p| {
        let i = item(p, "TRUNG_BAY");
        i.as_object_mut().unwrap().remove("nguon");
        i["theo_nguon"] = json!({"dia_phuong": 100000000, "quoc_gia": 40000000});
    });
    change(&dir.join("bao-cao/ttkc.json"), |s| {
        s["hoat_dong"][12]["nguon"] = json!("dia_phuong");
    });
    let found = problems(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(!found[0].4.contains("bỏ `kinh_phi`"), "{found:?}");
    change(&plan_of(&dir), |p| {
        item(p, "TRUNG_BAY")["kinh_phi"] = json!(140000000)
    });
    assert!(problems(&dir).is_empty());
}

#[test]
fn a_source_without_its_kind_is_named_with_the_fix() {
    for (example, source, fix) in [
        (SAMPLE, "quoc_gia", "\"loai\": \"quoc_gia\""),
        (DAK_LAK, "doi_ung", "\"loai\": \"doi_ung\""),
    ] {
        let dir = copy(example, &format!("loai-{source}"));
        change(&plan_of(&dir), |p| {
            let s = p["nguon_kinh_phi"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|s| s["ma"] == source)
                .unwrap();
            s.as_object_mut().unwrap().remove("loai");
        });
        let found = problems(&dir);
        assert_eq!(found.len(), 1, "{found:?}");
        let (_, line, code, path, message) = &found[0];
        assert_eq!(code, "KC011");
        assert!(*line > 0 && path.ends_with("].loai"), "{path}");
        assert!(
            message.contains(&format!("nguồn `{source}`")) && message.contains(fix),
            "{message}"
        );
        documented("KC011", "Bộ dữ liệu cũ, lập khi `loai` chưa bắt buộc");
    }
}

#[test]
fn a_project_shows_what_was_done_and_a_centre_project_no_false_place() {
    // Đắk Lắk: the centre's consulting project, without its place.
    let dir = copy(DAK_LAK, "de-an-dak-lak");
    change(&dir.join("bao-cao/ttkc.json"), |s| {
        let a = &mut s["hoat_dong"][1];
        assert_eq!(a["noi_dung"], "TU_VAN");
        a.as_object_mut().unwrap().remove("dia_diem");
    });
    let md = markdown(&dir);
    let centre = "Trung tâm Khuyến công và Tư vấn Phát triển Công nghiệp";
    let row = md
        .lines()
        .find(|l| l.contains("| Tư vấn áp dụng ISO 9001:2015 |"))
        .unwrap();
    assert!(!row.contains(centre) && row.contains("| — |"), "{row}");
    assert!(
        row.contains("| Tư vấn áp dụng hệ thống quản lý chất lượng ISO 9001:2015 |"),
        "the project's mo_ta: {row}"
    );
    assert!(md.contains("của Công ty TNHH Cà phê Nguyên Chất: tổng kinh phí"));
    // Every project's mo_ta is in the annex.
    for file in std::fs::read_dir(dir.join("bao-cao")).unwrap() {
        let s: Value =
            serde_json::from_str(&std::fs::read_to_string(file.unwrap().path()).unwrap()).unwrap();
        for a in s["hoat_dong"].as_array().unwrap() {
            if a.get("de_an").is_some() {
                let said = format!("| {} |", a["mo_ta"].as_str().unwrap());
                let annex = &md[md.find("PHỤ LỤC").unwrap()..];
                assert!(annex.contains(&said), "{said}");
            }
        }
    }

    // The sample: the centre's showroom project, without a place.
    let dir = copy(SAMPLE, "de-an-mau");
    add_showroom_project(&dir);
    let md = markdown(&dir);
    let row = md
        .lines()
        .find(|l| l.contains("| Phòng trưng bày sản phẩm CNNT tiêu biểu |"))
        .unwrap();
    assert!(!row.contains(centre) && row.contains("| — |"), "{row}");
    assert!(row.contains("| Duy trì hoạt động phòng trưng bày"), "{row}");
}

// ---- 6. validate = build for money ----

#[test]
fn amounts_the_workbook_cannot_hold_are_refused_by_validate() {
    // The sample: one amount past 2^53 (and below the 10^18 limit).
    let dir = copy(SAMPLE, "lon-mau");
    change(&dir.join("bao-cao/ttkc.json"), |s| {
        s["hoat_dong"][0]["kinh_phi"] = json!(9999999999999999_i64);
    });
    let found = problems(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    let (file, line, code, path, message) = &found[0];
    assert_eq!(
        (file.as_str(), code.as_str(), path.as_str()),
        ("ttkc.json", "KC020", "hoat_dong[0].kinh_phi")
    );
    assert!(
        *line > 0 && message.contains("9.007.199.254.740.992"),
        "{message}"
    );
    documented(
        "KC020",
        "số lớn nhất bảng tính (.xlsx) của báo cáo lưu đúng từng đồng",
    );
    // `build` says the same, before writing anything.
    let out = scratch("lon-mau-ra");
    let o = common::build(&dir, &out);
    let said = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(
        said.contains("ttkc.json:") && said.contains("KC020"),
        "{said}"
    );

    // Đắk Lắk: two amounts, each below the limit, whose total is not.
    let dir = copy(DAK_LAK, "lon-dak-lak");
    change(&dir.join("bao-cao/ttkc.json"), |s| {
        for k in [2, 3] {
            s["hoat_dong"][k]["kinh_phi"] = json!(4600000000000000_i64);
        }
    });
    let found = problems(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].2.as_str(), found[0].3.as_str()),
        ("KC020", "hoat_dong[3].kinh_phi")
    );

    // The plan's side: two items whose planned total is past the limit.
    let dir = copy(SAMPLE, "lon-ke-hoach");
    change(&plan_of(&dir), |p| {
        for k in [0, 1] {
            p["chuong_trinh"][0]["noi_dung"][k]["kinh_phi"] = json!(4600000000000000_i64);
        }
    });
    let found = problems(&dir);
    let over: Vec<_> = found.iter().filter(|f| f.2 == "KC020").collect();
    assert_eq!(over.len(), 1, "{found:?}");
    assert_eq!(
        (over[0].0.as_str(), over[0].3.as_str()),
        ("ke-hoach-2023.json", "chuong_trinh[0].noi_dung[1].kinh_phi")
    );
    assert!(
        over[0].4.contains("kinh phí kế hoạch của mọi nội dung"),
        "{}",
        over[0].4
    );
}

// ---- 8. document numbers ----

#[test]
fn a_document_number_below_ten_takes_its_leading_zero() {
    for (i, (example, number, printed)) in [
        (SAMPLE, "5/BC-KC&TV", "05/BC-KC&TV"),
        (DAK_LAK, "7/BC-TTKC", "07/BC-TTKC"),
    ]
    .into_iter()
    .enumerate()
    {
        let dir = copy(example, &format!("so-{i}"));
        change(&plan_of(&dir), |p| {
            p["van_ban"]["so_ky_hieu"] = json!(number)
        });
        let (md, out) = build_into(&dir, &format!("so-{i}-ra"));
        assert!(md.contains(&format!("so_ky_hieu = \"{printed}\"")), "{md}");
        let docx = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "docx"))
            .unwrap();
        let xml = common::document_xml(&docx);
        assert!(
            xml.contains(&format!("Số: {}", printed.replace('&', "&amp;"))),
            "docx"
        );
        let (_, sheets) = workbook(&out);
        assert!(texts(&sheets[0])
            .iter()
            .any(|t| t.contains(&format!("Báo cáo số {printed} "))));
    }
}

// ---- the rules are written down ----

#[test]
fn every_error_code_is_in_the_error_list() {
    let source = std::fs::read_to_string(root().join("src/diagnostic.rs")).unwrap();
    let codes: Vec<&str> = source
        .split("=> \"")
        .skip(1)
        .filter_map(|rest| rest.get(..5))
        .filter(|c| c.starts_with("KC"))
        .collect();
    assert!(codes.len() >= 26, "{codes:?}");
    for code in codes {
        documented(code, code);
    }
}

#[test]
fn the_data_guide_states_the_ratio_count_and_rounding_rules() {
    let guide = std::fs::read_to_string(root().join("docs/du-lieu.md")).unwrap();
    let rules = &guide[guide.find("## Quy tắc tính").expect("a section of rules")..];
    for rule in ["### Tỷ lệ đạt kế hoạch", "### Số đề án", "### Làm tròn"] {
        assert!(rules.contains(rule), "{rule}");
    }
}
