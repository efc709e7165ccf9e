//! The sample report end to end: golden Markdown, the seed's figures,
//! computed numbering, escaping of data text, template errors.

mod common;

use common::{copy_dir, root, scratch};
use khuyencong::document::{plain_text, Block};
use khuyencong::pipeline::{self, BuildError, Inputs};

fn sample_inputs() -> Inputs {
    Inputs {
        input: root().join("input"),
        templates: root().join("templates"),
        year: None,
    }
}

#[test]
fn golden_markdown() {
    let report = pipeline::run(&sample_inputs()).unwrap_or_else(|e| panic!("{e}"));
    let golden = root().join("tests/golden/bao-cao-khuyen-cong-2023.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &report.markdown).unwrap();
    }
    let expected =
        std::fs::read_to_string(&golden).expect("tests/golden: run with UPDATE_GOLDEN=1 once");
    assert!(
        report.markdown == expected,
        "the Markdown changed; review it and run with UPDATE_GOLDEN=1 to accept"
    );
}

#[test]
fn carries_every_figure_of_the_seed() {
    let md = pipeline::run(&sample_inputs()).unwrap().markdown;
    for figure in [
        // plan budgets
        "230.000.000",
        "220.000.000",
        "2.700.000.000",
        "450.000.000",
        "64.000.000",
        "310.000.000",
        "254.000.000",
        "60.000.000",
        "1.058.400.000",
        "260.000.000",
        "20.000.000",
        "1.338.000.000",
        "150.000.000",
        "90.000.000",
        "7.204.400.000",
        // actual costs
        "224.730.000",
        "119.068.000",
        "471.000.000",
        "417.110.000",
        "315.725.000",
        "921.400.000",
        "138.000.000",
        "18.600.000",
        "527.000.000",
        "94.000.000",
        "6.000.000.000",
        // quantities and counts
        "274 lượt học viên",
        "300 lượt học viên",
        "16 người",
        "15 người",
        "03 hội chợ",
        "32 sản phẩm",
        "70 cá nhân",
        "384 người",
        "400 người",
        "65 người",
        "24 chuyên đề",
        "04 hội thảo",
        "Có 05 nội dung không thực hiện",
        // facts
        "15/8 – 18/8/2023",
        "581/KC\\&TV-KC",
        "3116/QĐ-BCT",
        "4815/SCT-KH",
        "1994/QĐ-UBND",
        "5321/SCT-CN",
        "13264/UBND-KTNS",
        "7386/SCT-KH",
        "59/2015/QĐ-UBND",
        "17/2019/QĐ-UBND",
        "0819.348.787",
    ] {
        assert!(md.contains(figure), "missing {figure:?}");
    }
    for unit in [
        "Nhơn Trạch",
        "Cẩm Mỹ",
        "Tân Phú",
        "Định Quán",
        "Long Thành",
        "Long Khánh",
        "Vĩnh Cửu",
        "Xuân Lộc",
        "Thống Nhất",
    ] {
        assert!(md.contains(unit), "missing {unit}");
    }
}

#[test]
fn numbering_is_computed_without_gaps() {
    let doc = pipeline::run(&sample_inputs()).unwrap().document;
    let (mut section, mut programme, mut item, mut programmes) = (0, 0, 0, 0);
    for block in &doc.blocks {
        let Block::Heading { level, content } = block else {
            continue;
        };
        let text = plain_text(content);
        let number = text.split(' ').next().unwrap().trim_end_matches('.');
        match level {
            1 => {
                section += 1;
                programme = 0;
                let roman = ["I", "II", "III", "IV", "V", "VI"][section - 1];
                assert_eq!(number, roman, "{text}");
            }
            2 => {
                programme += 1;
                programmes = programmes.max(programme);
                item = 0;
                assert_eq!(number, programme.to_string(), "{text}");
            }
            3 => {
                item += 1;
                assert_eq!(number, format!("{programme}.{item}"), "{text}");
            }
            _ => {}
        }
    }
    assert_eq!(section, 4);
    assert_eq!(programmes, 5);
}

#[test]
fn data_text_cannot_change_the_structure() {
    let dir = scratch("escape");
    copy_dir(&root().join("input"), &dir);
    let baseline = pipeline::run(&Inputs {
        input: dir.clone(),
        ..sample_inputs()
    })
    .unwrap()
    .document;
    let unit = dir.join("bao-cao/737-trang-bom.json");
    let text = std::fs::read_to_string(&unit).unwrap();
    let hostile = "Ghi chú *đậm* _nghiêng_ | a | b |\\n\\n# Tiêu đề giả\\n1. danh sách\\n- gạch <b>html</b> [liên kết](x) `mã`";
    let with_note = text.replacen(
        "\"kinh_phi\"",
        &format!("\"ghi_chu\": \"{hostile}\", \"kinh_phi\""),
        1,
    );
    std::fs::write(&unit, with_note).unwrap();
    let doc = pipeline::run(&Inputs {
        input: dir.clone(),
        ..sample_inputs()
    })
    .unwrap()
    .document;
    let kinds = |d: &khuyencong::document::Document| {
        d.blocks
            .iter()
            .map(std::mem::discriminant)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(&doc),
        kinds(&baseline),
        "a note changed the document structure"
    );
    let all_text: String = doc
        .blocks
        .iter()
        .filter_map(|b| {
            if let Block::Paragraph(p) = b {
                Some(plain_text(p))
            } else {
                None
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all_text.contains("Ghi chú *đậm* _nghiêng_ | a | b | # Tiêu đề giả 1. danh sách - gạch <b>html</b> [liên kết](x) `mã`"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn embedded_templates_when_the_folder_is_absent() {
    let with_files = pipeline::run(&sample_inputs()).unwrap();
    let embedded = khuyencong::templating::Templates::load(None).unwrap();
    let rendered = embedded.render(&with_files.summary).unwrap();
    let checked = khuyencong::report_check::check(&embedded, &rendered).unwrap();
    assert_eq!(with_files.markdown, checked.markdown);
    assert!(embedded.sources.iter().all(|s| s.path.is_none()));
}

/// A misspelt `--templates` must not quietly give the default report.
#[test]
fn a_templates_folder_that_does_not_exist_is_an_error() {
    let missing = root().join("khong-co-thu-muc-nay");
    match pipeline::run(&Inputs {
        templates: missing.clone(),
        ..sample_inputs()
    }) {
        Err(BuildError::Template(errors)) => {
            let text = errors[0].to_string();
            assert!(text.starts_with(&missing.display().to_string()), "{text}");
            assert!(text.contains("không có thư mục mẫu này"), "{text}");
            assert!(
                text.contains(&format!(
                    "`khuyencong templates export {}`",
                    missing.display()
                )),
                "{text}"
            );
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("built with the defaults instead"),
    }
    // Only the default folder, named as such, may be absent.
    let default = Inputs {
        templates: pipeline::DEFAULT_TEMPLATES.into(),
        ..sample_inputs()
    };
    assert!(root().join("templates").is_dir());
    assert_eq!(
        default.templates_dir(),
        Some(std::path::Path::new("templates"))
    );
}

#[test]
fn a_broken_template_names_file_line_and_a_hint() {
    let dir = scratch("templates");
    copy_dir(&root().join("templates"), &dir);
    let path = dir.join("phan/noi-dung.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen(
            "{{ nd.tong_kinh_phi.thuc_hien | tien }}",
            "{{ nd.tong_kinh_phi.thuc_hien | tienn }}",
            1,
        ),
    )
    .unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("nd.tong_kinh_phi.thuc_hien | tien"))
        .unwrap()
        + 1;
    match pipeline::run(&Inputs {
        templates: dir.clone(),
        ..sample_inputs()
    }) {
        Err(BuildError::Template(errors)) => {
            let e = &errors[0];
            assert!(e.file.ends_with("phan/noi-dung.md"), "{e}");
            assert_eq!(e.line, line, "{e}");
            assert!(e.message.contains("Có phải ý bạn là `tien`?"), "{e}");
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("the broken template rendered"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
