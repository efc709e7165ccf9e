//! The district form, round two (issue 19): what a form lets in is exactly
//! what the officer typed. One test (or more) for each numbered case of the
//! issue. They run the command as a user would; `KC_BIN=/path/to/old/khuyencong`
//! runs them against another build of it (each fails against the build
//! before the work).

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{bin, col, counted, first, have_tool, info, root, said, scratch, set, text, timed};
use khuyencong::contract::keys::{activity, project, submission};
use khuyencong::contract::Plan;
use khuyencong::excel::form::{self, Cell, Entry};
use khuyencong::excel::{self as excel, Field};
use khuyencong::validate::{self, Dataset};

// ---- running the command ----

fn run(args: &[&std::ffi::OsStr]) -> Output {
    timed(Command::new(bin()).args(args), Duration::from_secs(60))
}

/// The command under a 1 GB address-space limit.
fn limited(args: &[&std::ffi::OsStr]) -> (Output, Duration) {
    let started = Instant::now();
    let out = timed(
        Command::new("sh")
            .arg("-c")
            .arg("ulimit -v 1000000; exec \"$0\" \"$@\"")
            .arg(bin())
            .args(args),
        Duration::from_secs(120),
    );
    (out, started.elapsed())
}

fn os<S: AsRef<std::ffi::OsStr> + ?Sized>(s: &S) -> &std::ffi::OsStr {
    s.as_ref()
}

// ---- the sample's forms ----

fn sample() -> Dataset {
    validate::load(&[root().join("input")], &[], None).expect("dữ liệu mẫu hợp lệ")
}

/// A folder with the sample plan only.
fn plan_only(data: &Dataset, name: &str) -> PathBuf {
    let input = scratch(name);
    std::fs::copy(&data.plan.path, input.join("ke-hoach-2023.json")).unwrap();
    input
}

/// The form of `unit` filled with its counted submission (as revision 1).
fn filled(data: &Dataset, unit: &str) -> Vec<Entry> {
    form::entries(&data.plan.value, &counted(data, unit).value, 1)
}

fn form_bytes(data: &Dataset, unit: &str, entries: &[Entry]) -> Vec<u8> {
    let plan = &data.plan.value;
    let u = plan.don_vi.iter().find(|u| u.ma == unit).unwrap();
    form::write(plan, u, entries).unwrap()
}

/// The form of Nhơn Trạch filled (as revision 1).
fn nhon_trach(data: &Dataset) -> Vec<u8> {
    form_bytes(data, "742", &filled(data, "742"))
}

/// The form of `unit` filled (as revision 1), written at `path`.
fn write_filled(data: &Dataset, unit: &str, path: &Path) -> PathBuf {
    write_form(data, unit, &filled(data, unit), path)
}

fn write_form(data: &Dataset, unit: &str, entries: &[Entry], path: &Path) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, form_bytes(data, unit, entries)).unwrap();
    path.to_path_buf()
}

/// The arguments `COMMAND FORM --input INPUT`.
fn on_form<'a>(command: &'a str, form: &'a Path, input: &'a Path) -> [&'a std::ffi::OsStr; 4] {
    [
        os(command),
        form.as_os_str(),
        os("--input"),
        input.as_os_str(),
    ]
}

/// `validate FORM --input INPUT`.
fn validate_form(form: &Path, input: &Path) -> Output {
    run(&on_form("validate", form, input))
}

/// The lines of the output that speak of `cell` with `code`.
fn at<'s>(said: &'s str, code: &str, cell: &str) -> Vec<&'s str> {
    let mark = format!(" {code} tại {cell}: ");
    said.lines().filter(|l| l.contains(&mark)).collect()
}

// ---- taking a form's zip apart ----

/// Every part of an xlsx file, decompressed.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_string(), data)
        })
        .collect()
}

/// One part of a zip: its name, how it is stored (0 stored, 8 deflated),
/// its bytes as stored, its CRC and its size as declared.
struct Part {
    name: String,
    method: u16,
    data: Vec<u8>,
    crc: u32,
    size: u64,
}

impl Part {
    fn stored(name: &str, data: Vec<u8>) -> Part {
        let mut crc = flate2::Crc::new();
        crc.update(&data);
        Part {
            name: name.into(),
            method: 0,
            crc: crc.sum(),
            size: data.len() as u64,
            data,
        }
    }
}

/// A zip of `parts`, written by hand so that a part may be compressed
/// ahead and may declare any size (a CRC checked only past the limits).
fn zip_of(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for p in parts {
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes()); // made by
            }
            h.extend(20u16.to_le_bytes()); // needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(p.method.to_le_bytes());
            h.extend([0u8; 4]); // time, date
            h.extend(p.crc.to_le_bytes());
            h.extend((p.data.len() as u32).to_le_bytes());
            h.extend((p.size.min(u64::from(u32::MAX)) as u32).to_le_bytes());
            h.extend((p.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend([0u8; 6]); // comment, disk, internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(p.name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&p.data);
        central.extend(header(0x0201_4b50, true));
    }
    let start = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(start.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A form's zip with the part `name` replaced by `with` (stored).
fn replace(bytes: &[u8], name: &str, with: impl FnOnce(Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut with = Some(with);
    let all: Vec<Part> = parts(bytes)
        .into_iter()
        .map(|(n, data)| {
            let data = if n == name {
                (with.take().unwrap())(data)
            } else {
                data
            };
            Part::stored(&n, data)
        })
        .collect();
    zip_of(&all)
}

/// A part's text edited.
fn edit_text(bytes: &[u8], name: &str, edit: impl FnOnce(String) -> String) -> Vec<u8> {
    replace(bytes, name, |data| {
        edit(String::from_utf8(data).unwrap()).into_bytes()
    })
}

/// The raw deflate stream of `head`, `unit` × `times`, `tail`, made cheaply:
/// a block of repeats compresses the same each time after the first, so it
/// is compressed twice and repeated (a 1 GiB text in about a megabyte).
fn deflated_repeats(head: &[u8], unit: &[u8], times: usize, tail: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let per_block = (1 << 20) / unit.len();
    let block: Vec<u8> = unit.repeat(per_block);
    let mut c = Compress::new(Compression::best(), false);
    let mut step = |input: &[u8], flush| {
        let mut out = Vec::with_capacity(input.len() + 1024);
        let before = c.total_in();
        loop {
            c.compress_vec(&input[(c.total_in() - before) as usize..], &mut out, flush)
                .unwrap();
            if (c.total_in() - before) as usize == input.len() && out.len() < out.capacity() {
                break;
            }
            out.reserve(1 << 16);
        }
        out
    };
    let mut stream = step(head, FlushCompress::Sync);
    let (blocks, rest) = (times / per_block, times % per_block);
    if blocks > 0 {
        stream.extend(step(&block, FlushCompress::Sync));
    }
    if blocks > 1 {
        let second = step(&block, FlushCompress::Sync);
        let third = step(&block, FlushCompress::Sync);
        assert_eq!(
            second, third,
            "a block of repeats compresses the same each time"
        );
        for _ in 2..blocks {
            stream.extend(&second);
        }
        stream.extend(&third);
    }
    stream.extend(step(&unit.repeat(rest), FlushCompress::Sync));
    stream.extend(step(tail, FlushCompress::Finish));
    stream
}

/// A form whose part `name` is `head`, `unit` × `times`, `tail`, deflated,
/// declaring `declared` bytes (its true size, or a lie).
fn with_huge_part(
    bytes: &[u8],
    name: &str,
    (head, unit, times, tail): (&[u8], &[u8], usize, &[u8]),
    declared: Option<u64>,
) -> Vec<u8> {
    let size = (head.len() + unit.len() * times + tail.len()) as u64;
    // A part read to its end must have its real checksum; a larger one is
    // never read that far.
    let crc = if size <= 64 << 20 {
        let mut crc = flate2::Crc::new();
        crc.update(head);
        let block = unit.repeat(4096);
        for _ in 0..times / 4096 {
            crc.update(&block);
        }
        crc.update(&unit.repeat(times % 4096));
        crc.update(tail);
        crc.sum()
    } else {
        0
    };
    let all: Vec<Part> = parts(bytes)
        .into_iter()
        .map(|(n, data)| {
            if n == name {
                Part {
                    name: n,
                    method: 8,
                    data: deflated_repeats(head, unit, times, tail),
                    crc,
                    size: declared.unwrap_or(size),
                }
            } else {
                Part::stored(&n, data)
            }
        })
        .collect();
    zip_of(&all)
}

const ACTIVITIES_PART: &str = "xl/worksheets/sheet3.xml";
const STRINGS_PART: &str = "xl/sharedStrings.xml";

// ---- 4. Unbounded reading ----

/// Each hostile file is refused within seconds under a 1 GB address
/// space, with KC042 naming the limit, never an abort.
fn assert_refused_in_bounds(name: &str, bytes: Vec<u8>, limit: &str) {
    let data = sample();
    let input = plan_only(&data, &format!("bounds-{name}"));
    let path = scratch(&format!("bounds-form-{name}")).join("742.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let (out, took) = limited(&on_form("validate", &path, &input));
    let said = said(&out);
    assert_eq!(out.status.code(), Some(1), "{name}: {said}");
    assert!(
        said.contains("lỗi KC042") && said.contains(limit),
        "{name}: `{limit}` not named: {said}"
    );
    assert!(
        !said.contains("panicked") && !said.contains("backtrace"),
        "{said}"
    );
    assert!(took < Duration::from_secs(20), "{name}: {took:?}");
}

#[test]
fn a_value_at_the_last_cell_is_refused_without_allocating_the_sheet() {
    let data = sample();
    let bytes = edit_text(&nhon_trach(&data), ACTIVITIES_PART, |xml| {
        xml.replacen(
            "</sheetData>",
            "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData>",
            1,
        )
        .replacen(
            "<dimension ref=\"",
            "<dimension ref=\"A1:XFD1048576\" x=\"",
            1,
        )
    });
    assert!(bytes.len() < 200_000);
    assert_refused_in_bounds("xfd", bytes, "XFD1048576");
}

#[test]
fn a_huge_unused_shared_string_is_refused_before_it_is_read() {
    let data = sample();
    let form = nhon_trach(&data);
    let gib = 1usize << 30;
    let huge = (
        &b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"1\"><si><t>"[..],
        &b"aaaaaaaaaaaaaaaa"[..],
        gib / 16,
        &b"</t></si></sst>"[..],
    );
    // Declared as it is, and declared small: the bytes are counted.
    for declared in [None, Some(1000)] {
        let bytes = with_huge_part(&form, STRINGS_PART, huge, declared);
        assert!(bytes.len() < 3_000_000, "{}", bytes.len());
        assert_refused_in_bounds("string", bytes, "giải nén ra hơn 16 MiB");
    }
}

#[test]
fn a_million_filled_rows_are_refused() {
    let data = sample();
    let form = form_bytes(&data, "742", &[]);
    let sheet = common::zip_part_of(&form, ACTIVITIES_PART).unwrap();
    let cut = sheet.find("<sheetData>").unwrap() + "<sheetData>".len();
    let end = sheet.find("</sheetData>").unwrap();
    // Rows (and cells) without numbers count one after the other, as a
    // reader numbers them: a million rows of the form's 26 columns.
    let row = format!("<row>{}</row>", "<c><v>1</v></c>".repeat(26));
    let rows = (
        &sheet.as_bytes()[..cut],
        row.as_bytes(),
        1_048_274,
        &sheet.as_bytes()[end..],
    );
    // Declared as it is, the part is too big; declared small, its rows
    // are counted as they are read.
    for (declared, limit) in [(None, "giải nén ra hơn 16 MiB"), (Some(1000), "5000 dòng")] {
        let bytes = with_huge_part(&form, ACTIVITIES_PART, rows, declared);
        assert!(bytes.len() < 6_000_000, "{}", bytes.len());
        assert_refused_in_bounds("rows", bytes, limit);
    }
}

#[test]
fn a_huge_count_of_shared_strings_is_refused() {
    let data = sample();
    let bytes = edit_text(&nhon_trach(&data), STRINGS_PART, |xml| {
        let start = xml.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
        let end = start + xml[start..].find('"').unwrap();
        format!("{}4000000000{}", &xml[..start], &xml[end..])
    });
    assert_refused_in_bounds("unique-count", bytes, "4000000000 chuỗi");
}

// ---- 1. Lists that spreadsheets read as one item each ----

/// Every list a sheet's cells offer, read as a spreadsheet reads it: a
/// literal list split at each comma, a range read cell by cell. (column
/// letter, choices).
fn lists_of(bytes: &[u8], sheet_part: &str) -> Vec<(String, Vec<String>)> {
    let xml = common::zip_part_of(bytes, sheet_part).unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut lists = Vec::new();
    for validation in xml.split("<dataValidation ").skip(1) {
        if !validation.contains("type=\"list\"") {
            continue;
        }
        let sqref = validation
            .split("sqref=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let column: String = sqref
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let formula = validation
            .split("<formula1>")
            .nth(1)
            .unwrap()
            .split("</formula1>")
            .next()
            .unwrap();
        let formula = formula.replace("&quot;", "\"").replace("&amp;", "&");
        let choices: Vec<String> = if let Some(literal) = formula.strip_prefix('"') {
            literal
                .trim_end_matches('"')
                .split(',')
                .map(String::from)
                .collect()
        } else {
            let (sheet, range) = formula.rsplit_once('!').unwrap();
            let sheet = sheet.trim_matches('\'');
            let range = range.replace('$', "");
            let (first, last) = range.split_once(':').unwrap();
            let row = |r: &str| {
                r.trim_start_matches(|c: char| c.is_ascii_alphabetic())
                    .parse::<u32>()
                    .unwrap()
                    - 1
            };
            let col = first.bytes().next().unwrap() - b'A';
            let cells = calamine::Reader::worksheet_range(&mut book, sheet).unwrap();
            (row(first)..=row(last))
                .map(|r| {
                    cells
                        .get_value((r, u32::from(col)))
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                })
                .collect()
        };
        lists.push((column, choices));
    }
    lists
}

/// The column of `letters` (A → 0).
fn column_of(letters: &str) -> u16 {
    letters
        .bytes()
        .fold(0u16, |n, b| n * 26 + u16::from(b - b'A') + 1)
        - 1
}

/// The blank form the command writes for `unit` of the sample.
fn blank_form(unit: &str, name: &str) -> Vec<u8> {
    let dir = scratch(name);
    let out = run(&[
        os("bieu-mau"),
        os(unit),
        os("--input"),
        root().join("input").as_os_str(),
        os("--output"),
        dir.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", said(&out));
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::read(file).unwrap()
}

/// A cell typed into a sheet's XML: text, or a number.
fn typed(reference: &str, value: &str) -> String {
    match value.parse::<f64>() {
        Ok(_) => format!("<c r=\"{reference}\"><v>{value}</v></c>"),
        Err(_) => {
            let value = value.replace('&', "&amp;").replace('<', "&lt;");
            format!("<c r=\"{reference}\" t=\"inlineStr\"><is><t>{value}</t></is></c>")
        }
    }
}

/// A blank form with cells typed in: (sheet part, cell, value).
fn typed_in(blank: &[u8], cells: &[(&str, String, String)]) -> Vec<u8> {
    let all: Vec<Part> = parts(blank)
        .into_iter()
        .map(|(n, data)| match String::from_utf8(data) {
            Ok(mut xml) => {
                for (_, reference, value) in cells.iter().filter(|(part, ..)| *part == n) {
                    xml = replace_cell(&xml, reference, &typed(reference, value));
                }
                Part::stored(&n, xml.into_bytes())
            }
            Err(binary) => Part::stored(&n, binary.into_bytes()),
        })
        .collect();
    zip_of(&all)
}

#[test]
fn every_choice_of_every_list_imports() {
    let data = sample();
    let plan = &data.plan.value;
    let input = plan_only(&data, "lists-input");
    let dir = scratch("lists");
    let blank = blank_form("742", "lists-blank");
    const INFO_PART: &str = "xl/worksheets/sheet2.xml";
    let cell = |part: &'static str, col: u16, row: u32, value: &str| {
        (
            part,
            format!("{}{}", excel::column_letters(col), row),
            value.to_string(),
        )
    };
    let base = vec![
        cell(INFO_PART, 1, 6, "1"),
        cell(INFO_PART, 1, 7, "20/11/2023"),
        cell(INFO_PART, 1, 8, "Nguyễn Văn A"),
    ];
    let labels = excel::item_labels(plan);
    // An activity of an item, whole but for the cell under test.
    let activity = |cells: &mut Vec<_>, label: &str| {
        let code = labels
            .iter()
            .find(|(_, l)| l == label)
            .map_or("KSDN", |(i, _)| i.ma.as_str());
        let item = plan
            .chuong_trinh
            .iter()
            .flat_map(|p| &p.noi_dung)
            .find(|i| i.ma == code)
            .unwrap();
        let source = item.sole_source().map_or_else(
            || item.theo_nguon.keys().next().unwrap().clone(),
            String::from,
        );
        cells.push(cell(ACTIVITIES_PART, 0, 3, label));
        cells.push(cell(
            ACTIVITIES_PART,
            col(plan, &Field::Own(activity::MO_TA)),
            3,
            "Tổ chức một lớp",
        ));
        cells.push(cell(
            ACTIVITIES_PART,
            col(plan, &Field::Money(source)),
            3,
            "1000000",
        ));
    };
    let mut cases = 0;
    let mut failures = Vec::new();
    for (sheet, part) in [
        (excel::SHEET_ACTIVITIES, ACTIVITIES_PART),
        (excel::SHEET_NOT_DONE, "xl/worksheets/sheet4.xml"),
        (excel::SHEET_EXTRA, "xl/worksheets/sheet5.xml"),
    ] {
        let lists = lists_of(&blank, part);
        assert!(!lists.is_empty(), "{sheet} offers lists");
        for (column, choices) in lists {
            let c = column_of(&column);
            for choice in choices {
                let mut cells = base.clone();
                match sheet {
                    excel::SHEET_ACTIVITIES if c == 0 => activity(&mut cells, &choice),
                    excel::SHEET_ACTIVITIES => {
                        activity(&mut cells, &labels[0].1);
                        cells.push(cell(
                            part,
                            col(plan, &Field::Project(project::TEN)),
                            3,
                            "Đề án A",
                        ));
                        cells.push(cell(
                            part,
                            col(plan, &Field::Project(project::CO_SO)),
                            3,
                            "Cơ sở A",
                        ));
                        cells.push(cell(part, c, 3, &choice));
                    }
                    excel::SHEET_NOT_DONE => {
                        cells.push(cell(part, 0, 3, &choice));
                        cells.push(cell(part, 1, 3, "Không có nhu cầu"));
                    }
                    _ => {
                        let row = [
                            "Nhiệm vụ A",
                            "Công văn 1",
                            "5000000",
                            "Không",
                            &plan.nguon_kinh_phi[0].ten,
                        ];
                        for (i, value) in row.into_iter().enumerate() {
                            cells.push(cell(part, i as u16, 3, value));
                        }
                        cells.push(cell(part, c, 3, &choice));
                    }
                }
                cases += 1;
                let path = dir.join(format!("{cases}/742.xlsx"));
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, typed_in(&blank, &cells)).unwrap();
                let out = validate_form(&path, &input);
                if !out.status.success() {
                    failures.push(format!("{sheet} {column} “{choice}”: {}", said(&out)));
                }
            }
        }
    }
    assert!(cases > 40, "{cases}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- 2. Silent wrong values ----

/// The form of Nhơn Trạch filled, `edit`ed, its bytes then `xml`-edited,
/// validated against the sample plan.
fn mistake(
    name: &str,
    edit: impl FnOnce(&mut Vec<Entry>, &Plan),
    xml: impl FnOnce(Vec<u8>) -> Vec<u8>,
) -> Output {
    let data = sample();
    let input = plan_only(&data, &format!("{name}-input"));
    let mut entries = filled(&data, "742");
    edit(&mut entries, &data.plan.value);
    let path = scratch(name).join("742.xlsx");
    std::fs::write(&path, xml(form_bytes(&data, "742", &entries))).unwrap();
    validate_form(&path, &input)
}

/// A `mistake` refused: exit status 1 and, for each `(code, cell, words)`,
/// exactly one line of the output with `code` at `cell`, saying `words`.
/// Returns what was said, for what a case checks besides.
fn refused(
    name: &str,
    edit: impl FnOnce(&mut Vec<Entry>, &Plan),
    xml: impl FnOnce(Vec<u8>) -> Vec<u8>,
    told: &[(&str, &str, &str)],
) -> String {
    let out = mistake(name, edit, xml);
    let said = said(&out);
    assert_eq!(out.status.code(), Some(1), "{name}: {said}");
    for (code, cell, words) in told {
        let lines = at(&said, code, cell);
        assert!(
            lines.len() == 1 && lines[0].contains(words),
            "{name}: not one {code} at {cell} saying “{words}”:\n{said}"
        );
    }
    said
}

fn money() -> Field {
    Field::Money("dia_phuong".into())
}

/// `<c r="T3" …>…</c>` of a sheet replaced by `cell`.
fn replace_cell(xml: &str, reference: &str, cell: &str) -> String {
    let start = xml
        .find(&format!("<c r=\"{reference}\""))
        .unwrap_or_else(|| panic!("{reference}"));
    let rest = &xml[start..];
    let end = if rest[..rest.find('>').unwrap()].ends_with('/') {
        rest.find('>').unwrap() + 1
    } else {
        rest.find("</c>").unwrap() + 4
    };
    format!("{}{cell}{}", &xml[..start], &xml[start + end..])
}

#[test]
fn a_formula_without_its_result_is_refused_at_its_cell() {
    refused(
        "no-result",
        |e, p| first(e, p, money(), Some(Cell::Number(18_000_000.0))),
        |b| {
            edit_text(&b, ACTIVITIES_PART, |x| {
                replace_cell(&x, "T3", "<c r=\"T3\" s=\"7\"><f>10000000+8000000</f></c>")
            })
        },
        &[("KC020", "Hoạt động!T3", "không lưu kết quả của công thức")],
    );
}

#[test]
fn a_date_in_a_money_cell_is_refused() {
    refused(
        "date-money",
        |e, p| {
            first(
                e,
                p,
                money(),
                Some(Cell::Date(khuyencong::contract::Date {
                    year: 2023,
                    month: 5,
                    day: 18,
                })),
            )
        },
        |b| b,
        &[(
            "KC020",
            "Hoạt động!T3",
            "ô là ngày 18/05/2023 chứ không phải số",
        )],
    );
}

#[test]
fn error_values_are_refused_in_the_spreadsheets_spelling() {
    let said = refused(
        "error-values",
        |_, _| {},
        |b| {
            edit_text(&b, ACTIVITIES_PART, |x| {
                let x = replace_cell(&x, "B3", "<c r=\"B3\" t=\"e\"><v>#VALUE!</v></c>");
                replace_cell(&x, "T3", "<c r=\"T3\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c>")
            })
        },
        &[
            ("KC010", "Hoạt động!B3", "#VALUE!"),
            ("KC020", "Hoạt động!T3", "#DIV/0!"),
        ],
    );
    assert!(
        !said.contains("#Value") && !said.contains("#Div0"),
        "{said}"
    );
}

/// A date cell whose number is no day a spreadsheet has (before 1900,
/// after 9999) is told as that, echoing the number: not as "a time
/// without a day" with nothing quoted.
#[test]
fn a_date_cell_out_of_the_calendar_is_told_as_such() {
    let said = refused(
        "date-out",
        |e, p| first(e, p, money(), Some(Cell::Number(18_000_000.0))),
        |b| {
            edit_text(&b, "xl/worksheets/sheet2.xml", |x| {
                let start = x.find("<c r=\"B7\"").unwrap();
                let style = &x[start..start + x[start..].find('>').unwrap()];
                let style = style
                    .split("s=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                replace_cell(
                    &x,
                    "B7",
                    &format!("<c r=\"B7\" s=\"{style}\"><v>2958466</v></c>"),
                )
            })
        },
        &[("KC022", "Thông tin!B7", "ghi “2958466”")],
    );
    let line = at(&said, "KC022", "Thông tin!B7").concat();
    assert!(!line.contains("chỉ có giờ"), "{said}");
}

/// A cell written twice in a sheet (no spreadsheet saves one so; a tool
/// or a hand edit may): which of its two values is meant cannot be told,
/// and one of them would be lost without a word.
#[test]
fn a_cell_written_twice_is_refused() {
    refused(
        "cell-twice",
        |e, p| first(e, p, money(), Some(Cell::Number(18_000_000.0))),
        |b| {
            edit_text(&b, ACTIVITIES_PART, |x| {
                replace_cell(&x, "U3", "<c r=\"T3\" s=\"6\"><v>99000000</v></c>")
            })
        },
        &[("KC042", "Hoạt động!T3", "ô T3 hai lần")],
    );
}

#[test]
fn a_cleared_key_row_is_refused() {
    // The keys of the money columns (T2:V2) deleted: their amounts would
    // be read as columns outside the form.
    refused(
        "cleared-keys",
        |_, _| {},
        |b| {
            edit_text(&b, ACTIVITIES_PART, |x| {
                ["T2", "U2", "V2"]
                    .iter()
                    .fold(x, |x, r| replace_cell(&x, r, ""))
            })
        },
        &[("KC042", "Hoạt động!T2", "")],
    );
}

// ---- 3. Locked cells and the hidden sheet are checked ----

#[test]
fn a_unit_code_changed_under_its_name_supersedes_nobody() {
    let data = sample();
    let input = common::copy_of_input("another-unit");
    let mut entries = filled(&data, "735");
    info(&mut entries, submission::MA_DON_VI, text("731"));
    info(&mut entries, submission::LAN_NOP, Some(Cell::Number(2.0)));
    let form = write_form(
        &data,
        "735",
        &entries,
        &scratch("another-unit-form").join("735.xlsx"),
    );
    let before = common::files_under(&input);
    let out = run(&on_form("nhap", &form, &input));
    let said = said(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        at(&said, "KC042", "Thông tin!B4")
            .iter()
            .any(|l| l.contains("Thành phố Biên Hòa") && l.contains("Huyện Vĩnh Cửu")),
        "{said}"
    );
    assert_eq!(common::files_under(&input), before, "nothing written");
}

#[test]
fn a_remapped_catalogue_row_is_refused() {
    let data = sample();
    let plan = &data.plan.value;
    let row = 1 + excel::item_labels(plan)
        .iter()
        .position(|(i, _)| i.ma == "TAP_HUAN")
        .unwrap() as u32;
    refused(
        "remapped",
        |e, _| set(e, excel::SHEET_CATALOGUE, row, 1, text("HTKN")),
        |b| b,
        &[("KC042", &format!("Danh mục!B{}", row + 1), "")],
    );
}

#[test]
fn a_swapped_or_repeated_key_is_refused() {
    let data = sample();
    let plan = &data.plan.value;
    let columns = excel::activity_columns(plan);
    let (t, u) = (
        col(plan, &money()),
        col(plan, &Field::Money("quoc_gia".into())),
    );
    let key = |c: u16| columns[usize::from(c)].key.clone();
    for (name, cells) in [
        ("swapped", vec![(t, key(u)), (u, key(t))]),
        ("repeated", vec![(u, key(t))]),
    ] {
        let cell = format!("Hoạt động!{}2", excel::column_letters(cells[0].0));
        refused(
            name,
            |e, _| {
                for (c, k) in &cells {
                    set(e, excel::SHEET_ACTIVITIES, excel::KEY_ROW, *c, text(k));
                }
            },
            |b| b,
            &[("KC042", &cell, "")],
        );
    }
}

// ---- 5. What is validated is what is written ----

/// The system calls a run of the command makes on paths (strace).
fn traced(args: &[&std::ffi::OsStr], dir: &Path) -> (Output, String) {
    let log = dir.join("strace.log");
    let out = timed(
        Command::new("strace")
            .args([
                "-f",
                "-qq",
                "-e",
                "trace=open,openat,rename,renameat,renameat2",
                "-o",
            ])
            .arg(&log)
            .arg(bin())
            .args(args),
        Duration::from_secs(120),
    );
    (out, std::fs::read_to_string(&log).unwrap_or_default())
}

/// Opens of `file` that succeeded, in a trace.
fn opens(trace: &str, file: &Path) -> Vec<String> {
    let name = format!("\"{}\"", file.display());
    trace
        .lines()
        .filter(|l| l.contains("open") && l.contains(&name) && !l.contains("= -1"))
        .map(String::from)
        .collect()
}

#[test]
fn a_form_is_read_once() {
    if !have_tool("strace") {
        return;
    }
    let data = sample();
    let dir = scratch("read-once");
    let form = write_filled(&data, "735", &dir.join("nhan/735.xlsx"));
    let input = plan_only(&data, "read-once-input");
    for command in ["validate", "nhap"] {
        let (out, trace) = traced(&on_form(command, &form, &input), &dir);
        assert!(out.status.success(), "{command}: {}", said(&out));
        let opened = opens(&trace, &form);
        assert_eq!(
            opened.len(),
            1,
            "{command} opens the form once:\n{}",
            opened.join("\n")
        );
    }
}

// ---- 6. Paths that are not files ----

#[test]
fn a_device_a_fifo_or_a_folder_named_as_a_form_is_refused_at_once() {
    let data = sample();
    let input = plan_only(&data, "not-files-input");
    let dir = scratch("not-files");
    let zero = dir.join("zero.xlsx");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let fifo = dir.join("fifo.xlsx");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let folder = dir.join("folder.xlsx");
    std::fs::create_dir_all(&folder).unwrap();
    for (path, what) in [(&zero, "thiết bị"), (&fifo, "FIFO"), (&folder, "thư mục")] {
        for command in ["nhap", "validate"] {
            if command == "validate" && path == &folder {
                continue; // a folder named to `validate` is a folder to walk
            }
            let (out, took) = limited(&on_form(command, path, &input));
            let said = said(&out);
            assert_eq!(out.status.code(), Some(1), "{command} {what}: {said}");
            assert!(
                said.contains("lỗi KC001") && said.contains(what),
                "{command} {what}: {said}"
            );
            assert!(took < Duration::from_secs(10), "{command} {what}: {took:?}");
        }
    }
    // A manifest that is a FIFO.
    let manifest = dir.join("fifo.manifest.json");
    assert!(Command::new("mkfifo")
        .arg(&manifest)
        .status()
        .unwrap()
        .success());
    let (out, took) = limited(&[os("diff"), manifest.as_os_str(), manifest.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("FIFO"), "{}", said(&out));
    assert!(took < Duration::from_secs(10));
}

#[test]
fn bieu_mau_never_writes_through_a_link() {
    let dir = scratch("through-link");
    let outside = scratch("through-link-outside");
    let output = dir.join("bieu-mau");
    std::fs::create_dir_all(&output).unwrap();
    // Dangling links at the form's name (and at the name it had before),
    // and at the name of the folder's lock.
    for name in [
        "742-nhon-trach.xlsx",
        "742-huyen-nhon-trach.xlsx",
        ".khuyencong-khoa",
    ] {
        std::os::unix::fs::symlink(outside.join(name), output.join(name)).unwrap();
    }
    let out = run(&[
        os("bieu-mau"),
        os("742"),
        os("--input"),
        root().join("input").as_os_str(),
        os("--output"),
        output.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("liên kết"), "{}", said(&out));
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        0,
        "nothing written outside"
    );
}

// ---- 7. Names printed escaped ----

#[test]
fn names_with_line_breaks_stay_on_one_line_in_every_command() {
    let data = sample();
    let dir = scratch("names");
    // nhap: a form's name with a line break that would forge a result.
    let input = plan_only(&data, "names-input");
    let form = write_filled(&data, "735", &dir.join("735\nĐã nhập giả.xlsx"));
    let out = run(&on_form("nhap", &form, &input));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("Đã nhập")).count(),
        1,
        "{stdout}"
    );
    assert!(stdout.contains("735\\nĐã nhập giả.xlsx"), "{stdout}");
    // A name that is not UTF-8: its bytes, never U+FFFD.
    use std::os::unix::ffi::OsStrExt;
    let input = plan_only(&data, "names-bytes-input");
    let odd = dir.join(std::ffi::OsStr::from_bytes(b"bi\xEAn-h\xF2a.xlsx"));
    let form = write_filled(&data, "731", &odd);
    let out = run(&on_form("nhap", &form, &input));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("bi\\xEAn-h\\xF2a.xlsx") && !stdout.contains('\u{FFFD}'),
        "{stdout}"
    );
    // build and validate: a data file's name.
    let copy = common::copy_of_input("names-build");
    let forged = "742\nLưu ý: giả.json";
    std::fs::rename(
        copy.join("bao-cao/742-nhon-trach-lan-1.json"),
        copy.join("bao-cao").join(forged),
    )
    .unwrap();
    let out_dir = scratch("names-build-out");
    let build = run(&[
        os("build"),
        os("--input"),
        copy.as_os_str(),
        os("--output"),
        out_dir.as_os_str(),
    ]);
    let validate = run(&[
        os("validate"),
        copy.join("bao-cao").join(forged).as_os_str(),
        os("--input"),
        copy.as_os_str(),
    ]);
    for (command, out) in [("build", build), ("validate", validate)] {
        let all = said(&out);
        assert!(out.status.success(), "{command}: {all}");
        assert!(
            !all.lines().any(|l| l.starts_with("Lưu ý: giả")),
            "{command}: {all}"
        );
        assert!(all.contains("742\\nLưu ý: giả.json"), "{command}: {all}");
    }
    // bieu-mau: the folder's name.
    let output = dir.join("ra\nĐã ghi biểu mẫu: giả");
    let out = run(&[
        os("bieu-mau"),
        os("742"),
        os("--input"),
        root().join("input").as_os_str(),
        os("--output"),
        output.as_os_str(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("Đã ghi biểu mẫu"))
            .count(),
        1,
        "{stdout}"
    );
}

#[test]
fn diff_prints_a_manifests_names_escaped() {
    let copy = common::copy_of_input("diff-names");
    let out_dir = scratch("diff-names-out");
    let built = run(&[
        os("build"),
        os("--input"),
        copy.as_os_str(),
        os("--output"),
        out_dir.as_os_str(),
    ]);
    assert!(built.status.success(), "{}", said(&built));
    let old = out_dir.join("bao-cao-khuyen-cong-2023.manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&old).unwrap()).unwrap();
    manifest["dau_vao"][1]["tep"] =
        "x.json\n  - Tổng kinh phí thực hiện: 3.246.633.000 → 1 đồng\u{1b}[31m".into();
    let new = out_dir.join("sua.manifest.json");
    std::fs::write(&new, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let out = run(&[os("diff"), old.as_os_str(), new.as_os_str()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", said(&out));
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    assert!(
        !stdout
            .lines()
            .any(|l| l.trim_start().starts_with("- Tổng kinh phí")),
        "{stdout}"
    );
}

// ---- 8. The officer's words ----

/// Every key of the contract, as a message would name it.
fn contract_keys() -> Vec<String> {
    use khuyencong::contract::keys::{PLAN_OBJECTS, SUBMISSION_OBJECTS};
    PLAN_OBJECTS
        .iter()
        .chain(&SUBMISSION_OBJECTS)
        .flat_map(|o| o.keys.iter().map(|k| k.name.to_string()))
        .collect()
}

#[test]
fn messages_at_cells_speak_the_forms_words() {
    let data = sample();
    let plan = &data.plan.value;
    let date = |day, month, year| Some(Cell::Date(khuyencong::contract::Date { year, month, day }));
    type Edit = Box<dyn Fn(&mut Vec<Entry>, &Plan)>;
    // (what, edit, code, cell, what the message must say)
    let cases: Vec<(&str, Edit, &str, &str, &str)> = vec![
        ("mô tả trống", Box::new(|e, p| first(e, p, Field::Own(activity::MO_TA), None)), "KC011", "Hoạt động!B3", "ô “Mô tả: đã làm gì (một câu)” còn trống"),
        ("ngày nộp trống", Box::new(|e, _| info(e, submission::NGAY_NOP, None)), "KC011", "Thông tin!B7", "ô “Ngày nộp (ngày/tháng/năm)” còn trống"),
        ("ngày kiểu Mỹ", Box::new(|e, p| first(e, p, Field::Own(activity::TU_NGAY), text("05/18/2023"))), "KC022", "Hoạt động!D3", "ghi “05/18/2023”, không phải ngày có thật (tháng 18 không có; có vẻ đã ghi theo kiểu tháng/ngày/năm, ngày này là 18/05/2023); ghi ngày theo dạng ngày/tháng/năm"),
        ("nội dung gõ tay", Box::new(|e, p| first(e, p, Field::Own(activity::NOI_DUNG), text("Tập huấn"))), "KC033", "Hoạt động!A3", "Có phải ý bạn là “5.1. Tập huấn về công tác khuyến công”?"),
        ("chỉ tiêu của nội dung khác", Box::new(|e, p| first(e, p, Field::Indicator("doan".into()), Some(Cell::Number(2.0)))), "KC034", "Hoạt động!G3", "cột “Số lượng: đoàn (đoàn)” không phải chỉ tiêu của nội dung “1.1. Tổ chức lớp KSDN và các lớp chuyên đề”"),
        ("đến ngày trước từ ngày", Box::new(move |e, p| first(e, p, Field::Own(activity::DEN_NGAY), date(2, 1, 2023))), "KC039", "Hoạt động!E3", "“Đến ngày” (02/01/2023) trước “Từ ngày”"),
        ("tình trạng gõ sai", Box::new(|e, p| {
            first(e, p, Field::Project(project::TEN), text("Đề án A"));
            first(e, p, Field::Project(project::CO_SO), text("Cơ sở A"));
            first(e, p, Field::Project(project::TRANG_THAI), text("xong"));
        }), "KC041", "Hoạt động!Y3", "Chọn một trong: “đã hoàn thành, nghiệm thu”, “đang thực hiện”, “chuyển tiếp sang năm sau”"),
        ("đề án thiếu cơ sở", Box::new(|e, p| first(e, p, Field::Project(project::TEN), text("Đề án A"))), "KC011", "Hoạt động!X3", "ô “Đề án: cơ sở thụ hưởng” còn trống"),
        ("tiền kiểu Anh", Box::new(|e, p| first(e, p, money(), text("18,000,000"))), "KC020", "Hoạt động!T3", "ghi 18000000 hoặc dùng dấu chấm ngăn nghìn"),
        ("số lượng bằng chữ", Box::new(|e, p| first(e, p, Field::Indicator("hoc_vien".into()), text("mười"))), "KC021", "Hoạt động!F3", "phần thập phân (nếu có) ngăn bằng dấu phẩy"),
        ("không thực hiện thiếu lý do", Box::new(|e, _| {
            set(e, excel::SHEET_NOT_DONE, 2, 0, text("1.1. Tổ chức lớp KSDN và các lớp chuyên đề"));
        }), "KC011", "Không thực hiện!B3", "nội dung “1.1. Tổ chức lớp KSDN và các lớp chuyên đề” không có lý do chung trong kế hoạch"),
    ];
    let keys = contract_keys();
    let codes: Vec<&str> = excel::plan_items(plan).map(|i| i.ma.as_str()).collect();
    let mut failures = Vec::new();
    for (n, (what, edit, code, cell, words)) in cases.into_iter().enumerate() {
        let out = mistake(&format!("words-{n}"), |e, p| edit(e, p), |b| b);
        let said = said(&out);
        let lines = at(&said, code, cell);
        if out.status.code() != Some(1) || !lines.iter().any(|l| l.contains(words)) {
            failures.push(format!("{what}: {said}"));
        }
        // No JSON key, no item code, no JSON date next to a cell.
        for line in said
            .lines()
            .filter(|l| l.contains(" tại ") && l.contains('!'))
        {
            let message = line.split_once(": lỗi ").map_or(line, |(_, m)| m);
            let named_key = keys.iter().find(|k| {
                message.contains(&format!("`{k}`")) || message.contains(&format!("\"{k}\""))
            });
            let named_code = codes.iter().find(|c| message.contains(&format!("`{c}`")));
            if named_key.is_some() || named_code.is_some() || message.contains("YYYY") {
                failures.push(format!("{what}: JSON words at a cell: {line}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_total_row_a_signature_row_and_merged_cells_are_named_as_such() {
    let data = sample();
    let last = counted(&data, "742").value.hoat_dong.len() as u32 + excel::FIRST_DATA_ROW;
    let row = |r: u32| format!("Hoạt động!A{}", r + 1);
    refused(
        "not-data-rows",
        |e, p| {
            let t = col(p, &money());
            set(e, excel::SHEET_ACTIVITIES, last, 0, text("Tổng cộng"));
            set(
                e,
                excel::SHEET_ACTIVITIES,
                last,
                t,
                Some(Cell::Formula(format!("=SUM(T3:T{last})"), 1.0)),
            );
            set(
                e,
                excel::SHEET_ACTIVITIES,
                last + 2,
                0,
                text("Người lập biểu"),
            );
            set(
                e,
                excel::SHEET_ACTIVITIES,
                last + 2,
                4,
                text("Thủ trưởng đơn vị"),
            );
        },
        |b| {
            edit_text(&b, ACTIVITIES_PART, |x| {
                x.replacen(
                    "</sheetData>",
                    "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"B3:C3\"/></mergeCells>",
                    1,
                )
            })
        },
        &[
            ("KC042", &row(last), "xóa dòng tổng cộng: công cụ tự cộng"),
            ("KC042", &row(last + 2), "dòng chữ ký"),
            ("KC042", "Hoạt động!B3", "B3:C3 được gộp"),
        ],
    );
}

#[test]
fn nothing_in_english() {
    let data = sample();
    let input = plan_only(&data, "english-input");
    let dir = scratch("english");
    // A password-protected workbook (an OLE file), a file that is no zip,
    // a damaged sheet.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(4096, 0);
    let damaged = edit_text(&nhon_trach(&data), ACTIVITIES_PART, |x| {
        x.replacen(
            "<sheetData>",
            "<sheetData><row r=\"1\"><c r=\"A1\"><v>1</x></c></row>",
            1,
        )
    });
    for (name, bytes, words) in [
        ("mat-khau.xlsx", ole, "mật khẩu"),
        (
            "khong-phai.xlsx",
            b"{\"loai\": \"bao_cao\"}".to_vec(),
            "không mở được như tệp Excel",
        ),
        ("hong.xlsx", damaged, "bị hỏng"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = validate_form(&path, &input);
        let said = said(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {said}");
        assert!(said.contains(words), "{name}: {said}");
        for english in [
            "error",
            "Error",
            "Zip",
            "password",
            "invalid",
            "os error",
            "renamed",
            "đổi tên",
        ] {
            assert!(!said.contains(english), "{name}: `{english}` in {said}");
        }
    }
}

#[test]
fn a_write_that_fails_is_told_in_vietnamese() {
    let data = sample();
    let input = plan_only(&data, "immutable-input");
    let folder = input.join("bao-cao");
    std::fs::create_dir_all(&folder).unwrap();
    if !chattr(&folder, "+i") {
        return;
    }
    let form = write_filled(&data, "735", &scratch("immutable").join("735.xlsx"));
    let out = run(&on_form("nhap", &form, &input));
    chattr(&folder, "-i");
    let said = said(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("không có quyền ghi"), "{said}");
    assert!(
        !said.contains("os error") && !said.contains("Operation"),
        "{said}"
    );
}

/// `chattr` on a path; false (after a loud skip message) where the
/// filesystem or the user may not.
fn chattr(path: &Path, flag: &str) -> bool {
    let done = Command::new("chattr")
        .arg(flag)
        .arg(path)
        .output()
        .is_ok_and(|o| o.status.success());
    if !done {
        eprintln!(
            "\n!!! BỎ QUA (SKIPPED): không đặt được chattr {flag} trên {} !!!\n",
            path.display()
        );
    }
    done
}

#[test]
fn amounts_under_a_thousand_and_dates_of_another_year_are_told() {
    let date = |day, month, year| Some(Cell::Date(khuyencong::contract::Date { year, month, day }));
    let out = mistake(
        "plausible",
        |e, p| {
            first(e, p, money(), Some(Cell::Number(18.0)));
            first(e, p, Field::Own(activity::TU_NGAY), date(18, 5, 2022));
            first(e, p, Field::Own(activity::DEN_NGAY), date(18, 5, 2023));
        },
        |b| b,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        stdout.contains(" lưu ý KC050 tại Hoạt động!T3: số tiền 18 đồng nhỏ hơn 1.000 đồng"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            " lưu ý KC051 tại Hoạt động!D3: ngày 18/05/2022 không thuộc năm báo cáo 2023"
        ),
        "{stdout}"
    );
}

// ---- 9. The year's flow ----

#[test]
fn a_form_in_the_data_folder_is_never_ignored() {
    let data = sample();
    let copy = common::copy_of_input("form-in-input");
    let form = write_filled(&data, "735", &copy.join("bao-cao/735-vinh-cuu-nhan.xlsx"));
    assert!(form.exists());
    let out_dir = scratch("form-in-input-out");
    for args in [
        vec![os("validate"), os("--input"), copy.as_os_str()],
        vec![
            os("build"),
            os("--input"),
            copy.as_os_str(),
            os("--output"),
            out_dir.as_os_str(),
        ],
    ] {
        let out = run(&args);
        let said = said(&out);
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(
            said.contains("lỗi KC043") && said.contains("khuyencong nhap"),
            "{said}"
        );
    }
}

#[test]
fn nhap_again_skips_what_is_in_and_takes_what_is_new() {
    let data = sample();
    let input = plan_only(&data, "again-input");
    let inbox = scratch("again-inbox");
    let form = |unit: &str| write_filled(&data, unit, &inbox.join(format!("{unit}.xlsx")));
    let (first_two, third) = ([form("731"), form("732")], form("734"));
    let nhap = |forms: &[&PathBuf]| {
        let mut args = vec![os("nhap")];
        args.extend(forms.iter().map(|f| f.as_os_str()));
        args.extend([os("--input"), input.as_os_str()]);
        run(&args)
    };
    let out = nhap(&[&first_two[0], &first_two[1]]);
    assert!(out.status.success(), "{}", said(&out));
    // One naming scheme: the sample's names.
    for name in ["731-bien-hoa.json", "732-long-khanh.json"] {
        assert!(input.join("bao-cao").join(name).exists(), "{name}");
    }
    let out = nhap(&[&first_two[0], &first_two[1], &third]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(stdout.matches("đã nhập trước đó").count(), 2, "{stdout}");
    assert!(stdout.contains("734-tan-phu.json"), "{stdout}");
    assert_eq!(std::fs::read_dir(input.join("bao-cao")).unwrap().count(), 3);
}

#[test]
fn the_year_end_flow_tells_the_excel_path() {
    let guide = std::fs::read_to_string(root().join("docs/quy-trinh-cuoi-nam.md")).unwrap();
    let first = guide.split("\n## 2.").next().unwrap();
    assert!(
        first.contains("khuyencong nhap") && first.contains("bieu-mau"),
        "{first}"
    );
}

#[test]
fn the_blank_form_prints_on_few_landscape_pages() {
    if !have_tool("soffice") || !have_tool("pdfinfo") {
        return;
    }
    let dir = scratch("print");
    let blank = dir.join("742.xlsx");
    std::fs::write(&blank, blank_form("742", "print-blank")).unwrap();
    // Row heights fit the wrapped lines of the guide.
    let guide = common::zip_part(&blank, "xl/worksheets/sheet1.xml");
    assert!(guide.matches("customHeight=\"1\"").count() >= 3, "{guide}");
    common::libreoffice_to_pdf(&dir, &[blank]);
    let sizes = common::page_sizes(&dir.join("742.pdf"));
    // Six sheets, each as wide as one landscape page.
    assert!(sizes.len() <= 8, "{} pages", sizes.len());
    assert!(sizes.iter().all(|s| common::is_landscape(*s)), "{sizes:?}");
}

// ---- 10. One write rule ----

#[test]
fn no_command_writes_a_file_in_place() {
    if !have_tool("strace") {
        return;
    }
    let data = sample();
    let dir = scratch("in-place");
    let forms = dir.join("bieu-mau");
    let input = plan_only(&data, "in-place-input");
    let form = write_filled(&data, "735", &dir.join("nhan/735.xlsx"));
    let templates = dir.join("mau");
    let runs: [(Vec<&std::ffi::OsStr>, &Path); 3] = [
        (
            vec![
                os("bieu-mau"),
                os("742"),
                os("--input"),
                root().join("input").into_os_string().leak(),
                os("--output"),
                forms.as_os_str(),
            ],
            &forms,
        ),
        (on_form("nhap", &form, &input).to_vec(), &input),
        (
            vec![os("templates"), os("export"), templates.as_os_str()],
            &templates,
        ),
    ];
    for (args, folder) in runs {
        std::fs::create_dir_all(folder).unwrap();
        let before = common::files_under(folder);
        let (out, trace) = traced(&args, &dir);
        assert!(out.status.success(), "{args:?}: {}", said(&out));
        let written: Vec<PathBuf> = common::files_under(folder)
            .into_iter()
            .filter(|f| !before.contains(f))
            .map(|(p, _)| folder.join(p))
            .collect();
        assert!(!written.is_empty(), "{args:?} wrote nothing");
        for file in written {
            let name = format!("\"{}\"", file.display());
            let created = trace
                .lines()
                .filter(|l| l.contains(&name) && l.contains("O_CREAT"))
                .count();
            let renamed = trace
                .lines()
                .filter(|l| l.contains("rename") && l.ends_with(" = 0") && l.contains(&name))
                .count();
            assert_eq!((created, renamed), (0, 1), "{args:?}: {}", file.display());
        }
    }
}

// ---- the guides say what the command says ----

#[test]
fn the_guides_name_every_message_of_the_forms() {
    let said_by_forms = [
        "KC001",
        "KC042",
        "KC043",
        "KC050",
        "KC051",
        "KC052",
        "KC053",
        "xóa dòng tổng cộng: công cụ tự cộng",
        "dòng chữ ký",
        "ô gộp",
        "không lưu kết quả",
        "#DIV/0!",
        "05/18/2023",
        "Có phải ý bạn là “5.1. Tập huấn về công tác khuyến công”?",
        "ô “Mô tả: đã làm gì (một câu)” còn trống",
        "đã nhập trước đó",
        "mật khẩu",
        "16 MiB",
        "dấu phẩy ngăn nghìn",
    ];
    for guide in ["docs/ma-loi.md", "docs/huong-dan-don-vi.md"] {
        let text = std::fs::read_to_string(root().join(guide)).unwrap();
        let missing: Vec<&str> = said_by_forms
            .iter()
            .copied()
            .filter(|m| !text.contains(m))
            .collect();
        assert!(missing.is_empty(), "{guide} does not say: {missing:?}");
    }
}

#[test]
fn one_long_text_repeated_in_many_cells_is_refused() {
    // A 10 MiB shared string (within the limit of a part) in 60.000 cells
    // (within the limit of cells) would be 600 GB of text once copied.
    let data = sample();
    let form = form_bytes(&data, "742", &[]);
    let strings = common::zip_part_of(&form, STRINGS_PART).unwrap();
    let long_index = strings.matches("<si>").count();
    let mut rows = String::new();
    for r in 3..2003 {
        rows.push_str(&format!("<row r=\"{r}\">"));
        for c in 0..30u16 {
            let cell = excel::column_letters(c);
            rows.push_str(&format!(
                "<c r=\"{cell}{r}\" t=\"s\"><v>{long_index}</v></c>"
            ));
        }
        rows.push_str("</row>");
    }
    let sheet_bytes = edit_text(&form, ACTIVITIES_PART, |xml| {
        let start = xml.find("<row r=\"3\"").unwrap();
        let end = xml.find("</sheetData>").unwrap();
        format!("{}{rows}{}", &xml[..start], &xml[end..])
    });
    let head = format!("{}<si><t>", strings.trim_end().trim_end_matches("</sst>"));
    let long = (
        head.as_bytes(),
        &b"aaaaaaaaaaaaaaaa"[..],
        (10 << 20) / 16,
        &b"</t></si></sst>"[..],
    );
    let bytes = with_huge_part(&sheet_bytes, STRINGS_PART, long, None);
    assert_refused_in_bounds("repeated-text", bytes, "64 MiB");
}
