//! The units' Excel forms: written from the plan, filled, imported back
//! through the JSON checks (issue 13).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{counted, first, have_tool, info, root, said, scratch, set, text};
use khuyencong::contract::keys::{activity, project, submission};
use khuyencong::contract::{Date, Plan};
use khuyencong::excel::form::{self, Cell, Entry};
use khuyencong::excel::{self as excel, import, Field};
use khuyencong::validate::{self, Dataset};

fn load(input: &Path) -> Dataset {
    validate::load(&[input.to_path_buf()], &[], None).expect("dữ liệu mẫu hợp lệ")
}

/// The form of `unit` filled with its counted submission, as that revision.
fn filled(data: &Dataset, unit: &str) -> Vec<Entry> {
    let sub = &counted(data, unit).value;
    form::entries(&data.plan.value, sub, sub.lan_nop)
}

/// A form read back against the plan, as `validate` and `nhap` read it.
fn read_form(path: &Path, plan: &Plan) -> import::Form {
    let mut diags = khuyencong::diagnostic::Diagnostics::default();
    let file = khuyencong::load::read(path, &mut diags).unwrap_or_else(|| panic!("{diags}"));
    let khuyencong::load::Content::Form(book) = &file.content else {
        panic!("not a form")
    };
    import::read(path, book, plan).unwrap_or_else(|d| panic!("{d}"))
}

fn write_form(data: &Dataset, unit: &str, entries: &[Entry], dir: &Path) -> PathBuf {
    let plan = &data.plan.value;
    let u = plan.don_vi.iter().find(|u| u.ma == unit).unwrap();
    let path = dir.join(format!("{unit}.xlsx"));
    std::fs::write(&path, form::write(plan, u, entries).unwrap()).unwrap();
    path
}

fn nhap(forms: &[PathBuf], input: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_khuyencong"))
        .arg("nhap")
        .args(forms)
        .arg("--input")
        .arg(input)
        .output()
        .unwrap()
}

/// The report's figures, without what names files (`ban_thay_the`, each
/// unit's `tep`).
fn figures(input: &Path) -> serde_json::Value {
    let report = common::report(input);
    let mut v = serde_json::to_value(&report.summary).unwrap();
    v.as_object_mut().unwrap().remove("ban_thay_the");
    for unit in v["don_vi"].as_array_mut().unwrap() {
        unit.as_object_mut().unwrap().remove("tep");
    }
    v
}

fn plan_only(plan: &Path, name: &str) -> PathBuf {
    let input = scratch(name);
    std::fs::copy(plan, input.join(plan.file_name().unwrap())).unwrap();
    input
}

#[test]
fn same_plan_same_bytes() {
    let data = load(&root().join("input"));
    let dir = scratch("bytes");
    let a = std::fs::read(write_form(&data, "742", &[], &dir)).unwrap();
    let b = std::fs::read(write_form(&data, "742", &[], &dir)).unwrap();
    assert_eq!(a, b, "cùng kế hoạch phải ra cùng byte");
    // What makes it a form: drop-downs from the catalogue, the whole-đồng
    // and date rules, Vietnamese grouping, locked sheets, frozen labels.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&a)).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet3.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    for part in [
        "<formula1>'Danh mục'!$A$2:$A$19</formula1>",
        "type=\"date\"",
        "AND(ISNUMBER(T3),T3&gt;=0,T3=INT(T3))",
        "<sheetProtection",
        "state=\"frozen\"",
    ] {
        assert!(sheet.contains(part), "{part}");
    }
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("[$-42A]#,##0"));
    let other = std::fs::read(write_form(&data, "741", &[], &dir)).unwrap();
    assert_ne!(a, other);
}

#[test]
fn drop_down_numbers_are_the_reports() {
    let data = load(&root().join("input"));
    let labels = excel::item_labels(&data.plan.value);
    let report = common::report(&root().join("input"));
    for prog in &report.summary.chuong_trinh {
        for item in prog.noi_dung.iter().filter(|i| !i.so.is_empty()) {
            let (_, label) = labels.iter().find(|(i, _)| i.ma == item.ma).unwrap();
            assert_eq!(label, &format!("{}. {}", item.so, item.ten));
        }
    }
    assert!(labels
        .iter()
        .any(|(_, l)| l == "1.1. Tổ chức lớp KSDN và các lớp chuyên đề"));
}

#[test]
fn bundled_sample_round_trip() {
    let sample = root().join("input");
    let data = load(&sample);
    let forms_dir = scratch("round-forms");
    let forms: Vec<PathBuf> = data
        .submissions
        .iter()
        .map(|s| {
            let unit = &s.value.ma_don_vi;
            write_form(&data, unit, &filled(&data, unit), &forms_dir)
        })
        .collect();
    let input = plan_only(&data.plan.path, "round-input");
    let out = nhap(&forms, &input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(figures(&input), figures(&sample));
    // Imported again, the same forms are skipped: nothing is rewritten.
    let before = common::files_under(&input);
    let again = nhap(&forms, &input);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        stdout.matches("đã nhập trước đó").count(),
        forms.len(),
        "{stdout}"
    );
    assert_eq!(common::files_under(&input), before);
}

#[test]
fn project_example_round_trip() {
    let example = root().join("examples/du-lieu/dak-lak-2020");
    let data = load(&example);
    // The centre's report: several sources, projects, tasks outside the plan.
    let unit = "TTKC";
    let input = scratch("projects-input");
    common::copy_dir(&example, &input);
    let sub = counted(&data, unit);
    let kept = input.join(sub.path.strip_prefix(&example).unwrap());
    std::fs::remove_file(&kept).unwrap();
    let form = write_form(
        &data,
        unit,
        &filled(&data, unit),
        &scratch("projects-forms"),
    );
    let out = nhap(&[form], &input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(figures(&input), figures(&example));
}

#[test]
fn libreoffice_copy_imports_the_same() {
    if !have_tool("soffice") {
        return;
    }
    let data = load(&root().join("examples/du-lieu/dak-lak-2020"));
    let dir = scratch("soffice");
    let form = write_form(&data, "TTKC", &filled(&data, "TTKC"), &dir);
    let resaved = dir.join("resaved");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("profile").display()
        ))
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(&resaved)
        .arg(&form)
        .output()
        .unwrap();
    assert!(status.status.success());
    // As LibreOffice shows it: amounts with dots between thousands, dates
    // day/month/year (the third sheet, "Hoạt động", as text).
    let shown = dir.join("shown");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("profile").display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,3",
            "--outdir",
        ])
        .arg(&shown)
        .arg(&form)
        .output()
        .unwrap();
    assert!(status.status.success());
    let csv = std::fs::read_dir(&shown)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<String>();
    assert!(csv.contains(",75.000.000,"), "{csv}");
    assert!(csv.contains(",01/06/2020,28/08/2020,"), "{csv}");
    let copy = resaved.join("TTKC.xlsx");
    assert_ne!(std::fs::read(&copy).unwrap(), std::fs::read(&form).unwrap());
    let plan = &data.plan.value;
    assert_eq!(read_form(&copy, plan).json, read_form(&form, plan).json);
}

/// What a mistake is expected to give.
enum Outcome {
    /// Imported; the submission's JSON holds this text.
    Taken(&'static str),
    /// Imported with a notice holding this text.
    Noticed(&'static str),
    /// Refused: code, cell, a part of the message.
    Refused(&'static str, &'static str, &'static str),
}

struct Mistake {
    what: &'static str,
    edit: fn(&mut Vec<Entry>, &Plan),
    outcome: Outcome,
}

#[allow(non_snake_case)]
fn MONEY() -> Field {
    Field::Money("dia_phuong".into())
}

fn mistakes() -> Vec<Mistake> {
    use Outcome::*;
    vec![
        Mistake {
            what: "tiền gõ thành chữ có dấu chấm ngăn nghìn",
            edit: |e, p| first(e, p, MONEY(), text("18.000.000")),
            outcome: Taken("\"kinh_phi\": \"18000000\""),
        },
        Mistake {
            what: "tiền gõ có khoảng trắng ngăn nghìn",
            edit: |e, p| first(e, p, MONEY(), text("18 000 000")),
            outcome: Taken("\"kinh_phi\": \"18000000\""),
        },
        Mistake {
            what: "tiền có phần lẻ đồng",
            edit: |e, p| first(e, p, MONEY(), Some(Cell::Number(1500.5))),
            outcome: Refused("KC020", "Hoạt động!T3", "không có phần lẻ (1500,5)"),
        },
        Mistake {
            what: "tiền viết bằng chữ",
            edit: |e, p| first(e, p, MONEY(), text("mười tám triệu")),
            outcome: Refused(
                "KC020",
                "Hoạt động!T3",
                "số tiền “mười tám triệu” không đọc được thành số đồng",
            ),
        },
        Mistake {
            what: "tiền âm",
            edit: |e, p| first(e, p, MONEY(), Some(Cell::Number(-5.0))),
            outcome: Refused("KC020", "Hoạt động!T3", "số tiền không được âm"),
        },
        Mistake {
            what: "tiền kiểu Anh 18,000,000",
            edit: |e, p| first(e, p, MONEY(), text("18,000,000")),
            outcome: Refused(
                "KC020",
                "Hoạt động!T3",
                "dấu phẩy ngăn nghìn theo kiểu tiếng Anh",
            ),
        },
        Mistake {
            what: "tiền là công thức (đọc giá trị đã tính)",
            edit: |e, p| {
                first(
                    e,
                    p,
                    MONEY(),
                    Some(Cell::Formula("=10000000+8000000".into(), 18_000_000.0)),
                )
            },
            outcome: Taken("\"kinh_phi\": 18000000"),
        },
        Mistake {
            what: "ngày là số ngày của Excel",
            edit: |e, p| first(e, p, Field::Own(activity::TU_NGAY), Some(Cell::Number(45_089.0))),
            outcome: Taken("\"tu_ngay\": \"2023-06-12\""),
        },
        Mistake {
            what: "ngày gõ thành chữ 12/06/2023",
            edit: |e, p| first(e, p, Field::Own(activity::TU_NGAY), text("12/06/2023")),
            outcome: Taken("\"tu_ngay\": \"2023-06-12\""),
        },
        Mistake {
            what: "ngày không có thật 31/02/2023",
            edit: |e, p| first(e, p, Field::Own(activity::TU_NGAY), text("31/02/2023")),
            outcome: Refused(
                "KC022",
                "Hoạt động!D3",
                "ghi “31/02/2023”, không phải ngày có thật (tháng 2 năm 2023 không có ngày 31)",
            ),
        },
        Mistake {
            what: "ngày kết thúc trước ngày bắt đầu",
            edit: |e, p| {
                first(
                    e,
                    p,
                    Field::Own(activity::DEN_NGAY),
                    Some(Cell::Date(Date {
                        year: 2023,
                        month: 1,
                        day: 2,
                    })),
                )
            },
            outcome: Refused(
                "KC039",
                "Hoạt động!E3",
                "“Đến ngày” (02/01/2023) trước “Từ ngày”",
            ),
        },
        Mistake {
            what: "số lượng có dấu phẩy thập phân 2,5",
            edit: |e, p| first(e, p, Field::Indicator("hoc_vien".into()), text("2,5")),
            outcome: Taken("\"hoc_vien\": \"2.5\""),
        },
        Mistake {
            what: "dòng trống giữa các hoạt động",
            edit: |e, _| {
                for entry in e
                    .iter_mut()
                    .filter(|x| x.sheet == excel::SHEET_ACTIVITIES && x.row >= 3)
                {
                    entry.row += 2;
                }
            },
            outcome: Taken("\"noi_dung\": \"CTV\""),
        },
        Mistake {
            what: "cột thêm ngoài biểu mẫu",
            edit: |e, p| {
                let last = excel::activity_columns(p).len() as u16;
                set(e, excel::SHEET_ACTIVITIES, 2, last + 1, text("ghi thêm"));
            },
            outcome: Noticed("cột AB không thuộc biểu mẫu"),
        },
        Mistake {
            what: "biểu mẫu của năm khác",
            edit: |e, _| info(e, submission::NAM, Some(Cell::Number(2022.0))),
            outcome: Refused(
                "KC031",
                "Thông tin!B3",
                "biểu mẫu của năm 2022 nhưng đang tổng hợp năm 2023",
            ),
        },
        Mistake {
            what: "biểu mẫu của đơn vị không có trong danh mục",
            edit: |e, _| info(e, submission::MA_DON_VI, text("999")),
            outcome: Refused(
                "KC032",
                "Thông tin!B4",
                "mã đơn vị `999` không có trong danh mục",
            ),
        },
        Mistake {
            what: "nội dung gõ tay không có trong danh sách",
            edit: |e, p| first(e, p, Field::Own(activity::NOI_DUNG), text("Tập huấn")),
            outcome: Refused(
                "KC033",
                "Hoạt động!A3",
                "nội dung “Tập huấn” không có trong danh sách nội dung của kế hoạch năm 2023. Có phải ý bạn là “5.1. Tập huấn về công tác khuyến công”?",
            ),
        },
        Mistake {
            what: "số lượng ghi vào chỉ tiêu của nội dung khác",
            edit: |e, p| first(e, p, Field::Indicator("doan".into()), Some(Cell::Number(2.0))),
            outcome: Refused(
                "KC034",
                "Hoạt động!G3",
                "cột “Số lượng: đoàn (đoàn)” không phải chỉ tiêu của nội dung “1.1. Tổ chức lớp KSDN và các lớp chuyên đề”: để trống ô này; số lượng của nội dung này ghi ở cột “Số lượng: học viên (lượt học viên)”",
            ),
        },
        Mistake {
            what: "bỏ trống mô tả",
            edit: |e, p| first(e, p, Field::Own(activity::MO_TA), None),
            outcome: Refused(
                "KC011",
                "Hoạt động!B3",
                "ô “Mô tả: đã làm gì (một câu)” còn trống",
            ),
        },
        Mistake {
            what: "tình trạng đề án gõ sai",
            edit: |e, p| {
                first(e, p, Field::Project(project::TEN), text("Hỗ trợ máy"));
                first(e, p, Field::Project(project::CO_SO), text("Cơ sở A"));
                first(e, p, Field::Project(project::TRANG_THAI), text("xong rồi"));
            },
            outcome: Refused(
                "KC041",
                "Hoạt động!Y3",
                "tình trạng đề án “xong rồi” không có trong danh sách",
            ),
        },
        Mistake {
            what: "bỏ trống ngày nộp",
            edit: |e, _| info(e, submission::NGAY_NOP, None),
            outcome: Refused(
                "KC011",
                "Thông tin!B7",
                "ô “Ngày nộp (ngày/tháng/năm)” còn trống",
            ),
        },
        Mistake {
            what: "biểu mẫu để trống",
            edit: |e, _| e.retain(|x| x.sheet == excel::SHEET_INFO),
            outcome: Noticed("không có hoạt động nào"),
        },
    ]
}

#[test]
fn spreadsheet_mistakes() {
    let data = load(&root().join("input"));
    let input = plan_only(&data.plan.path, "mistakes-input");
    let dir = scratch("mistakes");
    let mut failures = Vec::new();
    for (n, m) in mistakes().into_iter().enumerate() {
        let mut entries = filled(&data, "742");
        info(&mut entries, submission::LAN_NOP, Some(Cell::Number(1.0)));
        (m.edit)(&mut entries, &data.plan.value);
        let case = dir.join(n.to_string());
        std::fs::create_dir_all(&case).unwrap();
        let path = write_form(&data, "742", &entries, &case);
        let out = Command::new(env!("CARGO_BIN_EXE_khuyencong"))
            .arg("validate")
            .arg(&path)
            .arg("--input")
            .arg(&input)
            .output()
            .unwrap();
        let said = said(&out);
        let ok = match m.outcome {
            Outcome::Taken(fragment) => {
                out.status.success() && read_form(&path, &data.plan.value).json.contains(fragment)
            }
            Outcome::Noticed(fragment) => out.status.success() && said.contains(fragment),
            Outcome::Refused(code, cell, fragment) => {
                let at = format!("lỗi {code} tại {cell}: ");
                out.status.code() == Some(1)
                    && said
                        .lines()
                        .any(|l| l.contains(&at) && l.contains(fragment))
            }
        };
        if std::env::var_os("KC_SHOW").is_some() {
            eprintln!("{}\n{said}", m.what);
        }
        if !ok {
            failures.push(format!("{}: {said}", m.what));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

#[test]
fn not_a_form() {
    let data = load(&root().join("input"));
    let input = plan_only(&data.plan.path, "not-a-form-input");
    let dir = scratch("not-a-form");
    let fake = dir.join("bao-cao.xlsx");
    std::fs::write(&fake, "{\"loai\": \"bao_cao\"}").unwrap();
    let out = nhap(&[fake], &input);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("lỗi KC042"), "{stderr}");
    assert!(stderr.contains("Không nhập biểu mẫu nào"), "{stderr}");
    assert!(!input.join("bao-cao").exists(), "không được ghi gì");
}

#[test]
fn revisions_in_the_way() {
    let sample = root().join("input");
    let data = load(&sample);
    let dir = scratch("in-the-way-forms");
    let form_as = |lan_nop: f64| {
        let mut entries = filled(&data, "742");
        info(
            &mut entries,
            submission::LAN_NOP,
            Some(Cell::Number(lan_nop)),
        );
        let case = dir.join(lan_nop.to_string());
        std::fs::create_dir_all(&case).unwrap();
        write_form(&data, "742", &entries, &case)
    };
    // Revision 2 is in: a form of revision 1 is old.
    let input = plan_only(&data.plan.path, "in-the-way-older");
    std::fs::create_dir_all(input.join("bao-cao")).unwrap();
    let second = input.join("bao-cao/742-nhon-trach-lan-2.json");
    std::fs::copy(sample.join("bao-cao/742-nhon-trach-lan-2.json"), &second).unwrap();
    let out = nhap(&[form_as(1.0)], &input);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("lỗi KC036 tại Thông tin!B6: lần nộp 1 đã cũ: đã có lần nộp 2"),
        "{stderr}"
    );
    assert!(stderr.contains("ghi lần nộp 3 rồi nhập lại"), "{stderr}");
    // Another revision stands where revision 5 would be written.
    let input = plan_only(&data.plan.path, "in-the-way-file");
    std::fs::create_dir_all(input.join("bao-cao")).unwrap();
    let squatter = input.join("bao-cao/742-nhon-trach-lan-5.json");
    std::fs::copy(sample.join("bao-cao/742-nhon-trach-lan-1.json"), &squatter).unwrap();
    let before = std::fs::read(&squatter).unwrap();
    let out = nhap(&[form_as(5.0)], &input);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("742-nhon-trach-lan-5.json (khác nội dung biểu mẫu này) nên không ghi đè"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&squatter).unwrap(), before);
    assert_eq!(std::fs::read_dir(input.join("bao-cao")).unwrap().count(), 1);
}

#[test]
fn bieu_mau_writes_every_unit_and_overwrites_nothing() {
    let dir = scratch("bieu-mau");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_khuyencong"))
            .arg("bieu-mau")
            .arg("--input")
            .arg(root().join("input"))
            .arg("--output")
            .arg(&dir)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&[]).status.success());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 12);
    assert!(names.contains(&"742-nhon-trach.xlsx".to_string()));
    // Again: the same bytes are kept; a filled form in the way is refused.
    let again = run(&["742"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("Giữ nguyên"));
    let filled = run(&["--dien-san", "742"]);
    assert_eq!(filled.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&filled.stderr).contains("không ghi đè"));
    let unknown = run(&["743"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("không có đơn vị mã `743`"));
}
