//! Templates a clerk edits: the money unit switch on both bundled examples,
//! numbers in the context, error messages, and every example of the guide
//! (docs/mau-bao-cao.md) executed against the sample data.

mod common;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use common::{copy_dir, root, scratch};
use khuyencong::aggregate::{self, Summary};
use khuyencong::contract::MoneyUnit;
use khuyencong::format;
use khuyencong::pipeline::{self, Inputs};
use khuyencong::templating::{self, render_text, BUILTIN_FILTERS};
use khuyencong::validate;
use rust_decimal::Decimal;

fn summary(input: &Path) -> Summary {
    let data = validate::load(&[input.to_path_buf()], &[], None).unwrap_or_else(|d| panic!("{d}"));
    aggregate::summarise(&data).unwrap_or_else(|e| panic!("{e}"))
}

fn sample() -> Summary {
    summary(&root().join("input"))
}

fn build(input: PathBuf) -> String {
    let inputs = Inputs {
        input,
        templates: root().join("templates"),
        year: None,
    };
    pipeline::run(&inputs)
        .unwrap_or_else(|e| panic!("{e}"))
        .markdown
}

/// A copy of `example` whose plan asks for `unit`.
fn with_unit(example: &Path, name: &str, unit: &str) -> PathBuf {
    let dir = scratch(name);
    copy_dir(example, &dir);
    let plan = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let text = std::fs::read_to_string(&plan).unwrap();
    assert!(text.contains("\"van_ban\": {"), "{}", plan.display());
    let text = text.replacen(
        "\"van_ban\": {",
        &format!("\"van_ban\": {{ \"don_vi_tien\": \"{unit}\","),
        1,
    );
    std::fs::write(&plan, text).unwrap();
    dir
}

/// Numbers ("1.779,97") and the text between them.
fn tokens(line: &str) -> (Vec<String>, Vec<Decimal>) {
    let (mut text, mut numbers, mut number) = (vec![String::new()], Vec::new(), String::new());
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() || (!number.is_empty() && (c == '.' || c == ',') && next_digit) {
            number.push(c);
            continue;
        }
        if !number.is_empty() {
            numbers.push(Decimal::from_str(&number.replace('.', "").replace(',', ".")).unwrap());
            number.clear();
            text.push(String::new());
        }
        text.last_mut().unwrap().push(c);
    }
    if !number.is_empty() {
        numbers.push(Decimal::from_str(&number.replace('.', "").replace(',', ".")).unwrap());
    }
    (text, numbers)
}

/// The report in triệu đồng against the same report in đồng: the same lines,
/// the same words, each number either unchanged or the đồng figure converted
/// and rounded once; every figure of a million đồng or more converted.
fn check_unit_switch(example: &Path, name: &str) {
    let dong = build(example.to_path_buf());
    let trieu = build(with_unit(example, name, "trieu_dong"));
    // The note under a table whose rounded rows miss its total (with its
    // blank line) is the only line triệu đồng adds.
    let note = "*Ghi chú: số liệu đã làm tròn";
    assert!(!dong.contains(note));
    let trieu = trieu.replace(&format!("\n\n{note}"), "\n\u{1}");
    let trieu_lines: Vec<&str> = trieu.lines().filter(|l| !l.starts_with('\u{1}')).collect();
    let dong_lines: Vec<&str> = dong.lines().collect();
    assert_eq!(dong_lines.len(), trieu_lines.len());
    let mut converted = 0;
    for (d, t) in dong_lines.iter().zip(&trieu_lines) {
        let same_words = |l: &str| tokens(&l.replace("triệu đồng", "đồng")).0;
        assert_eq!(same_words(d), same_words(t), "\n{d}\n{t}");
        let ((_, dn), (_, tn)) = (tokens(d), tokens(t));
        for (a, b) in dn.iter().zip(&tn) {
            let shown = format::so_tien(*a, MoneyUnit::TrieuDong, None);
            let expected = Decimal::from_str(&shown.replace('.', "").replace(',', ".")).unwrap();
            // A figure: in a table cell, or printed with "đồng". Units' own
            // text ("… (60.000.000 đồng)", a phone number) is data and stays.
            let written = format!("{} đồng", format::so(*a, None));
            let figure = d.starts_with('|') || (d.contains(&written) && !t.contains(&written));
            if *a >= Decimal::from(1_000_000) && figure {
                assert_eq!(*b, expected, "{a} in\n{d}\n{t}");
                converted += 1;
            } else {
                assert!(*b == *a || *b == expected, "{a} → {b} in\n{d}\n{t}");
            }
        }
    }
    assert!(converted > 20, "only {converted} figures converted");
    assert!(
        trieu.contains("*Đơn vị tính: triệu đồng*") && dong.contains("*Đơn vị tính: đồng*"),
        "the unit line follows the unit"
    );
    assert!(!trieu.contains("(triệu đồng)") && !trieu.contains("(đồng)"));
}

#[test]
fn the_money_unit_switches_the_whole_sample_report() {
    check_unit_switch(&root().join("input"), "unit-sample");
    // The amount in words stays in đồng.
    let trieu = build(with_unit(&root().join("input"), "unit-words", "trieu_dong"));
    assert!(
        trieu.contains("(bằng chữ: Ba tỷ"),
        "amount in words stays in đồng"
    );
}

#[test]
fn the_money_unit_switches_the_whole_project_example() {
    check_unit_switch(
        &root().join("examples/du-lieu/dak-lak-2020"),
        "unit-dak-lak",
    );
}

#[test]
fn a_misspelt_money_unit_is_refused_with_a_hint() {
    let dir = with_unit(&root().join("input"), "unit-typo", "trieu");
    let inputs = Inputs {
        input: dir,
        templates: root().join("templates"),
        year: None,
    };
    let message = pipeline::run(&inputs).err().expect("refused").to_string();
    assert!(message.contains("đơn vị tiền `trieu`"), "{message}");
    assert!(message.contains("trieu_dong"), "{message}");
}

#[test]
fn the_money_unit_filter_and_headers_agree() {
    let ctx = serde_json::json!({"don_vi_tien": "nghìn đồng", "a": 224730500});
    let out = render_text(
        "{{ a | tien }}|{{ a | tien(don_vi=false) }}|{{ a | tien(le=0) }}|{{ a | bang_chu_tien }}",
        &ctx,
    )
    .unwrap();
    assert_eq!(
        out,
        "224.730,5 nghìn đồng|224.730,50|224.731 nghìn đồng|Hai trăm hai mươi bốn triệu bảy trăm ba mươi nghìn năm trăm đồng"
    );
}

#[test]
fn every_number_in_the_context_is_a_number() {
    let json = serde_json::to_value(sample()).unwrap();
    let mut rates = 0;
    fn walk(v: &serde_json::Value, key: &str, rates: &mut usize) {
        match v {
            serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| walk(v, k, rates)),
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, key, rates)),
            serde_json::Value::String(s) => assert!(
                s.parse::<f64>().is_err()
                    || ["so", "so_noi_dung", "ma", "ma_don_vi"].contains(&key),
                "`{key}` is the string {s:?}"
            ),
            serde_json::Value::Number(_) if key == "ty_le" => *rates += 1,
            _ => {}
        }
    }
    walk(&json, "", &mut rates);
    assert!(rates > 10);
    // Sorting and comparing rates works (some are none: no plan).
    let out = render_text(
        "{% for n in chuong_trinh[0].noi_dung | sort(attribute=\"kinh_phi.ty_le\") %}{% if n.kinh_phi.ty_le > 100 %}+{% else %}-{% endif %}{% endfor %}",
        &sample(),
    )
    .unwrap();
    assert!(
        !out.is_empty() && out.chars().all(|c| c == '+' || c == '-'),
        "{out}"
    );
}

#[test]
fn a_computed_share_is_formatted() {
    let ctx = serde_json::json!({"a": 1, "b": 3});
    assert_eq!(
        render_text("{{ (a * 100 / b) | phan_tram }}", &ctx).unwrap(),
        "33,3%"
    );
    assert_eq!(
        render_text("{{ (a * 100 / b) | so(le=2) }}", &ctx).unwrap(),
        "33,33"
    );
    // Half away from zero at the shown places, from the exact decimal.
    assert_eq!(
        render_text("{{ 97.45 | phan_tram }}|{{ 0.125 | so(le=2) }}", &ctx).unwrap(),
        "97,5%|0,13"
    );
    let errs = render_text("{{ a * 100 / b | phan_tram }}", &ctx).unwrap_err();
    assert!(
        errs[0].message.contains("viết `(a * 100 / b) | phan_tram`"),
        "{errs:?}"
    );
    assert!(!errs[0].message.contains("f64"), "{errs:?}");
    let errs = render_text("{{ \"x\" | tien }}", &ctx).unwrap_err();
    assert!(
        errs[0].message.contains("cần một số, nhận được chuỗi `x`"),
        "{errs:?}"
    );
}

#[test]
fn unknown_filter_arguments_are_errors_with_a_suggestion() {
    let errs = render_text(
        "{{ 1779970000 | trieu_dong(so_le=1) }}",
        &serde_json::json!({}),
    )
    .unwrap_err();
    assert!(
        errs[0]
            .message
            .contains("tham số `so_le` không có; Có phải ý bạn là `le`?"),
        "{errs:?}"
    );
    let errs = render_text("{{ 5 | so_dem(le=1) }}", &serde_json::json!({})).unwrap_err();
    assert!(
        errs[0].message.contains("không nhận tham số nào"),
        "{errs:?}"
    );
}

#[test]
fn unclosed_blocks_name_the_opening_tag() {
    let text = "a\n{% for x in l %}\n{% if x %}\nb\n{% endfor %}\n";
    let errs = render_text(text, &serde_json::json!({"l": [1]})).unwrap_err();
    assert_eq!(errs[0].line, 3, "{errs:?}");
    assert_eq!(
        errs[0].message.split(';').next().unwrap(),
        "`{% if %}` ở dòng 3 chưa có `{% endif %}`"
    );
    let errs = render_text(
        "{# {% if %} #}\n{% for x in l %}\nb\n",
        &serde_json::json!({"l": [1]}),
    )
    .unwrap_err();
    assert!(
        errs[0]
            .message
            .starts_with("`{% for %}` ở dòng 2 chưa có `{% endfor %}`"),
        "{errs:?}"
    );
    let errs = render_text("{% iff x %}{% endif %}", &serde_json::json!({})).unwrap_err();
    assert!(
        errs[0]
            .message
            .contains("không có thẻ `{% iff %}`. Có phải ý bạn là `if`?"),
        "{errs:?}"
    );
}

#[test]
fn common_tera_errors_are_in_vietnamese() {
    let ctx = serde_json::json!({"van_ban": {"so_ky_hieu": "1"}, "n": 1});
    for (text, expected) in [
        ("{{ x | upper }}", "bộ lọc `upper` cần một chuỗi, nhưng giá trị trước `|` `x` là một giá trị không tồn tại"),
        ("{{ van_ban.so_ky_hieuu | length }}", "Có phải ý bạn là `so_ky_hieu`?"),
        ("{{ van_ban.so_ky_hieuu | tien }}", "`van_ban` không có trường `so_ky_hieuu`. Có phải ý bạn là `so_ky_hieu`?"),
        ("{{ x + 1 }}", "phép `+` cần hai số, nhận được một giá trị không tồn tại"),
        ("{{ \"a\" > n }}", "không so sánh được chuỗi với số"),
    ] {
        let errs = render_text(text, &ctx).unwrap_err();
        assert!(errs[0].message.contains(expected), "{text}: {errs:?}");
        for english in ["Invalid type", "requires", "Cannot", "undefined`"] {
            assert!(!errs[0].message.contains(english), "{text}: {errs:?}");
        }
    }
}

#[test]
fn front_matter_errors_point_at_the_template_line() {
    let dir = scratch("front-matter");
    templating::export(&dir, false, &Default::default()).unwrap();
    let main = dir.join("bao-cao.md");
    let text = std::fs::read_to_string(&main).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("so_ky_hieu"))
        .unwrap()
        + 1;
    std::fs::write(
        &main,
        text.replace("van_ban.so_ky_hieu |", "van_ban.so_ky_hieuu |"),
    )
    .unwrap();
    let inputs = Inputs {
        input: root().join("input"),
        templates: dir.clone(),
        year: None,
    };
    let message = pipeline::run(&inputs).err().expect("refused").to_string();
    assert!(
        message.contains(&format!("bao-cao.md:{line}:")),
        "{message}"
    );
    assert!(
        message.contains("Có phải ý bạn là `so_ky_hieu`?"),
        "{message}"
    );
    // A TOML mistake written in the template: the template's line too.
    std::fs::write(
        &main,
        text.replacen("so_ky_hieu =", "co_chu = 13\nso_ky_hieu =", 1),
    )
    .unwrap();
    let message = pipeline::run(&inputs).err().expect("refused").to_string();
    assert!(
        message.contains(&format!("bao-cao.md:{line}:")),
        "{message}"
    );
    assert!(
        message.contains("khóa `co_chu` không dùng được"),
        "{message}"
    );
}

/// The guide's `{{ … }}` → `…` pairs, as written in its tables and text.
fn guide_examples(guide: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for line in guide.lines() {
        let line = line.replace("\\|", "|");
        let mut rest = line.as_str();
        while let Some(start) = rest.find("`{{") {
            let after = &rest[start + 1..];
            let Some(end) = after.find("}}`") else { break };
            let expr = &after[..end + 2];
            let tail = &after[end + 3..];
            if let Some(result) = tail.strip_prefix(" → `") {
                if let Some(close) = result.find('`') {
                    found.push((expr.to_string(), result[..close].to_string()));
                }
            }
            rest = tail;
        }
    }
    found
}

#[test]
fn every_example_of_the_guide_renders_as_shown() {
    let guide = std::fs::read_to_string(root().join("docs/mau-bao-cao.md")).unwrap();
    let examples = guide_examples(&guide);
    assert!(examples.len() > 30, "{}", examples.len());
    let context = sample();
    for (expr, expected) in &examples {
        let out = render_text(expr, &context).unwrap_or_else(|e| panic!("{expr}: {e:?}"));
        assert_eq!(&out, expected, "{expr}");
    }
    // The fenced examples: a ```jinja block, "cho:", then a ```text block.
    let blocks: Vec<&str> = guide.split("```").collect();
    let mut checked = 0;
    for i in (1..blocks.len().saturating_sub(2)).step_by(2) {
        let (Some(code), Some(expected)) = (
            blocks[i].strip_prefix("jinja\n"),
            blocks[i + 2].strip_prefix("text\n"),
        ) else {
            continue;
        };
        if !blocks[i + 1].trim().starts_with("cho") {
            continue;
        }
        let out = render_text(code, &context).unwrap_or_else(|e| panic!("{code}: {e:?}"));
        fn lines(t: &str) -> Vec<&str> {
            t.trim().lines().map(str::trim_end).collect()
        }
        assert_eq!(lines(&out), lines(expected), "{code}");
        checked += 1;
    }
    assert!(checked >= 2, "{checked} fenced examples");
}

#[test]
fn the_guide_lists_exactly_the_filters_that_exist() {
    let guide = std::fs::read_to_string(root().join("docs/mau-bao-cao.md")).unwrap();
    let section = guide
        .split("## Bộ lọc")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let named: Vec<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split(" |").next())
        .flat_map(|cell| cell.split(", ").map(|n| n.trim_matches('`')))
        .collect();
    let all: Vec<&str> = templating::filter_names()
        .chain(BUILTIN_FILTERS.iter().copied())
        .collect();
    for name in &all {
        assert!(named.contains(name), "filter `{name}` is not in the guide");
    }
    for name in &named {
        assert!(
            all.contains(name),
            "the guide names `{name}`, which does not exist"
        );
        // And it exists in the engine: an unknown filter is refused at load.
        let errs = render_text(&format!("{{{{ x | {name} }}}}"), &serde_json::json!({}));
        if let Err(errs) = errs {
            assert!(
                !errs[0].message.contains("không có bộ lọc"),
                "{name}: {errs:?}"
            );
        }
    }
}

/// The fenced block of the guide right after the paragraph starting with
/// `lead`.
fn guide_block(guide: &str, lead: &str) -> String {
    let after = &guide[guide.find(lead).unwrap_or_else(|| panic!("{lead}"))..];
    let open = after.find("```").unwrap();
    let body = &after[open..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()].to_string()
}

/// A private copy of the default templates with `bao-cao.md` edited.
fn edited_templates(name: &str, from: &str, to: &str) -> PathBuf {
    let dir = scratch(name);
    copy_dir(&root().join("templates"), &dir);
    common::edit(&dir.join("bao-cao.md"), from, to);
    dir
}

#[test]
fn the_guide_error_lines_are_what_the_tool_says() {
    // Each line of the guide's error list, made by one edit a clerk could make.
    let edits = [
        ("năm {{ nam }} như sau", "năm {{ namm }} như sau"),
        (
            "## {{ ct.so }}. {{ ct.ten }}",
            "## {{ ct.so }}. {{ ct.tenn }}",
        ),
        ("{{ t.kinh_phi | tien }}", "{{ t.kinh_phi | tienn }}"),
        ("\"phan/tong-hop.md\"", "\"phan/tonghop.md\""),
        (
            "## {{ ct.so }}. {{ ct.ten }}",
            "## {{ ct.so }}. {{ ct.ten }",
        ),
        ("# KẾT QUẢ THỰC HIỆN", "{% if nam %}# KẾT QUẢ THỰC HIỆN"),
        ("# KẾT QUẢ THỰC HIỆN", "{% iff nam %}# KẾT QUẢ THỰC HIỆN"),
        ("năm {{ nam }} của", "năm {{ tong.thuc_hienn | tien }} của"),
        (
            "năm {{ nam }} của",
            "năm {{ tong.thuc_hien * 100 / tong.ke_hoach | phan_tram }} của",
        ),
        (
            "năm {{ nam }} của",
            "năm {% if chuong_trinh[2].noi_dung[5].kinh_phi.ty_le > 100 %}x{% endif %} của",
        ),
    ];
    let mut said = Vec::new();
    for (i, (from, to)) in edits.iter().enumerate() {
        let dir = edited_templates(&format!("loi-mau-{i}"), from, to);
        let inputs = Inputs {
            input: root().join("input"),
            templates: dir.clone(),
            year: None,
        };
        let error = match pipeline::run(&inputs) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("edit {i} ({to}) built"),
        };
        let prefix = format!("{}/", dir.display());
        said.push(error.replace(&prefix, "templates/"));
        let _ = std::fs::remove_dir_all(&dir);
    }
    let guide = std::fs::read_to_string(root().join("docs/mau-bao-cao.md")).unwrap();
    let shown = guide_block(&guide, "Lỗi mẫu chỉ rõ tệp mẫu");
    assert_eq!(
        shown.trim_end(),
        said.join("\n").trim_end(),
        "docs/mau-bao-cao.md (\"Khi mẫu có lỗi\") no longer shows what the tool says"
    );
}

#[test]
fn the_guide_table_example_builds() {
    let guide = std::fs::read_to_string(root().join("docs/mau-bao-cao.md")).unwrap();
    let partial = guide_block(&guide, "**Thêm một bảng.**");
    let dir = edited_templates(
        "them-bang",
        "{% include \"phan/tong-hop.md\" %}\n",
        "{% include \"phan/tong-hop.md\" %}\n\n{% include \"phan/chua-nop.md\" %}\n",
    );
    std::fs::write(dir.join("phan/chua-nop.md"), partial).unwrap();
    let input = common::copy_of_input("them-bang-du-lieu");
    let run = |input: &Path| {
        pipeline::run(&Inputs {
            input: input.to_path_buf(),
            templates: dir.clone(),
            year: None,
        })
        .unwrap_or_else(|e| panic!("{e}"))
        .markdown
    };
    assert!(run(&input).contains("Tất cả 12 đơn vị đã nộp báo cáo."));
    std::fs::remove_file(input.join("bao-cao/739-cam-my.json")).unwrap();
    let md = run(&input);
    assert!(md.contains("**Bảng 4. Đơn vị chưa nộp báo cáo**"), "{md}");
    assert!(md.contains("| 739 | Huyện Cẩm Mỹ |"), "{md}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&input);
}
