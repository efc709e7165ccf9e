//! The command as a clerk runs it: exit codes, messages in Vietnamese,
//! outputs untouched on error, byte-identical outputs on rebuild.

mod common;

use std::path::Path;
use std::process::Output;

use common::{copy_of_input, khuyencong, scratch};

fn run(args: &[&str]) -> Output {
    khuyencong(args).output().unwrap()
}

fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn build_writes_the_report_and_a_summary() {
    let out = scratch("build");
    let o = run(&["build", "--output", out.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("Đã đọc 12 báo cáo đơn vị"), "{stdout}");
    assert!(
        stdout.contains("742 Huyện Nhơn Trạch: lần nộp 2"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Bản đã được thay thế, không tính: 742 Huyện Nhơn Trạch lần nộp 1"),
        "{stdout}"
    );
    assert!(stdout.contains("Đơn vị chưa nộp: không có."), "{stdout}");
    assert!(
        stdout.contains("kế hoạch 7.204.400.000 đồng, thực hiện 3.246.633.000 đồng (45,1%)"),
        "{stdout}"
    );
    let names: Vec<String> = files_in(&out).into_iter().map(|(n, _)| n).collect();
    assert!(
        names.contains(&"bao-cao-khuyen-cong-2023.md".to_string()),
        "{names:?}"
    );
    assert!(
        names.iter().all(|n| !n.contains(".tmp")),
        "temporary files left: {names:?}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn rebuilding_gives_identical_bytes() {
    let (a, b) = (scratch("det-a"), scratch("det-b"));
    assert!(run(&["build", "--output", a.to_str().unwrap()])
        .status
        .success());
    assert!(run(&["build", "--output", b.to_str().unwrap()])
        .status
        .success());
    assert_eq!(files_in(&a), files_in(&b));
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn bad_data_exits_1_and_leaves_outputs_alone() {
    let input = copy_of_input("bad-input");
    let unit = input.join("bao-cao/731-bien-hoa.json");
    let text = std::fs::read_to_string(&unit).unwrap();
    std::fs::write(
        &unit,
        text.replacen("\"ma_don_vi\": \"731\"", "\"ma_don_vi\": \"7311\"", 1),
    )
    .unwrap();
    let out = scratch("bad-output");
    std::fs::write(out.join("bao-cao-khuyen-cong-2023.md"), "bản cũ").unwrap();
    let before = files_in(&out);
    let o = run(&[
        "build",
        "--input",
        input.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("731-bien-hoa.json:4:") && stderr.contains("KC032"),
        "{stderr}"
    );
    assert!(stderr.contains("Không ghi báo cáo nào"), "{stderr}");
    assert_eq!(
        files_in(&out),
        before,
        "outputs changed after a failed build"
    );
    let v = run(&["validate", input.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&input);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn validate_one_unit_file_takes_the_plan_from_input() {
    let o = run(&["validate", "input/bao-cao/742-nhon-trach-lan-2.json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Dữ liệu hợp lệ"));
}

#[test]
fn usage_errors_exit_2_in_vietnamese() {
    let o = run(&["--khong-co"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("tùy chọn không hợp lệ"));
    let help = run(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("Cách dùng: khuyencong") && text.contains("validate"),
        "{text}"
    );
    let o = run(&["render", "output/x.md", "--format", "odt"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("chọn một trong: docx, pdf"), "{stderr}");
}

#[test]
fn a_reader_that_stops_early_is_not_a_crash() {
    let mut child = khuyencong(&["schema", "ke_hoach"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && stderr.is_empty(), "{stderr}");
}

#[test]
fn render_turns_a_markdown_file_into_the_same_docx_and_pdf() {
    let out = scratch("render-build");
    assert!(run(&["build", "--output", out.to_str().unwrap()])
        .status
        .success());
    let md = out.join("bao-cao-khuyen-cong-2023.md");
    let again = scratch("render-again");
    let o = run(&[
        "render",
        md.to_str().unwrap(),
        "--output",
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for ext in ["docx", "pdf"] {
        let name = format!("bao-cao-khuyen-cong-2023.{ext}");
        assert_eq!(
            std::fs::read(out.join(&name)).unwrap(),
            std::fs::read(again.join(&name)).unwrap(),
            "{ext} differs"
        );
    }
    let only = scratch("render-only");
    assert!(run(&[
        "render",
        md.to_str().unwrap(),
        "--output",
        only.to_str().unwrap(),
        "--format",
        "pdf"
    ])
    .status
    .success());
    let names: Vec<String> = files_in(&only).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, vec!["bao-cao-khuyen-cong-2023.pdf".to_string()]);
    let broken = scratch("render-broken").join("x.md");
    std::fs::write(&broken, "# I. Không có khối thông tin\n").unwrap();
    let o = run(&["render", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("khối thông tin văn bản"));
    for d in [out, again, only] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_file_named_twice_is_one_file() {
    for args in [
        &[
            "validate",
            "input/bao-cao/731-bien-hoa.json",
            "./input/bao-cao/../bao-cao/731-bien-hoa.json",
        ][..],
        &[
            "validate",
            "input/bao-cao/731-bien-hoa.json",
            "input/bao-cao",
        ],
    ] {
        let o = run(args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{args:?}: {stderr}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("12 báo cáo đơn vị"),
            "{args:?}"
        );
    }
}

#[test]
fn validating_one_file_checks_it_against_the_folder() {
    // A resent file that forgot to raise `lan_nop` is caught before sending.
    let dir = scratch("one-file");
    let copy = dir.join("742-ban-sua.json");
    std::fs::copy("input/bao-cao/742-nhon-trach-lan-2.json", &copy).unwrap();
    let o = run(&["validate", copy.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("KC036") && stderr.contains("742-nhon-trach-lan-2.json"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("731-bien-hoa"),
        "problems of other units' files are not this check's business: {stderr}"
    );
    // An older revision is valid, but the clerk is told it will not count.
    let o = run(&["validate", "input/bao-cao/742-nhon-trach-lan-1.json"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    assert!(stdout.contains("sẽ không được tính"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_output_folder_inside_the_input_is_refused() {
    let input = copy_of_input("out-in-input");
    let tree = |dir: &Path| -> Vec<String> {
        walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap().path().display().to_string())
            .collect()
    };
    let before = tree(&input);
    let mut outputs = vec![
        input.join("ra"),
        input.clone(),
        input.join("bao-cao"),
        input.join("chua-co/../ra"),
    ];
    let links = scratch("out-in-input-link");
    #[cfg(unix)]
    {
        // The same folder reached through a symlink.
        std::os::unix::fs::symlink(&input, links.join("du-lieu")).unwrap();
        outputs.push(links.join("du-lieu/ra"));
        outputs.push(links.join("du-lieu"));
    }
    for out in &outputs {
        for watch in [false, true] {
            let mut args = vec![
                "build",
                "--input",
                input.to_str().unwrap(),
                "--output",
                out.to_str().unwrap(),
            ];
            if watch {
                args.push("--watch");
            }
            // A watch that was not refused would never end: give up on it.
            let mut child = khuyencong(&args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(
                stderr.contains("nằm trong thư mục dữ liệu"),
                "{args:?}: {stderr}"
            );
            assert_eq!(tree(&input), before, "{args:?}: wrote into the input");
        }
    }
    // A sibling whose name only starts like the data folder's is elsewhere.
    let sibling = input.with_file_name(format!(
        "{}-ra",
        input.file_name().unwrap().to_string_lossy()
    ));
    let o = run(&[
        "build",
        "--input",
        input.to_str().unwrap(),
        "--output",
        sibling.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for d in [links, input, sibling] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_unit_that_has_not_reported_is_named_not_counted_as_zero() {
    let input = copy_of_input("missing-unit");
    std::fs::remove_file(input.join("bao-cao/739-cam-my.json")).unwrap();
    let out = scratch("missing-unit-out");
    let (input_arg, out_arg) = (input.to_str().unwrap(), out.to_str().unwrap());

    // build: a warning on stderr, once; the report names the unit.
    let o = run(&["build", "--input", input_arg, "--output", out_arg]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("Cảnh báo: chưa có báo cáo của 1 đơn vị: 739 Huyện Cẩm Mỹ."),
        "{stderr}"
    );
    assert_eq!(format!("{stdout}{stderr}").matches("Cẩm Mỹ").count(), 1);
    let md = std::fs::read_to_string(out.join("bao-cao-khuyen-cong-2023.md")).unwrap();
    assert!(
        md.contains("Đơn vị chưa gửi báo cáo (chưa có trong số liệu tổng hợp): Huyện Cẩm Mỹ."),
        "{md}"
    );
    // Its row in the per-unit table: no figures, not zeros.
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.contains("| Huyện Cẩm Mỹ |"))
        .collect();
    assert_eq!(rows, ["| 8 | Huyện Cẩm Mỹ | chưa nộp | | |"], "{md}");

    // validate: a notice, and the data is still valid.
    let o = run(&["validate", "--input", input_arg]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}");
    assert!(
        stdout.contains("Lưu ý: chưa có báo cáo của 1 đơn vị: 739 Huyện Cẩm Mỹ"),
        "{stdout}"
    );
    // A unit checking its own file hears nothing of the others.
    let own = input.join("bao-cao/735-vinh-cuu.json");
    let o = run(&["validate", "--input", input_arg, own.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(!String::from_utf8_lossy(&o.stdout).contains("Cẩm Mỹ"));

    // build --du: an error naming the unit; the folder is left as it was.
    let before = files_in(&out);
    let o = run(&["build", "--du", "--input", input_arg, "--output", out_arg]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("Lỗi: chưa có báo cáo của 1 đơn vị: 739 Huyện Cẩm Mỹ;"),
        "{stderr}"
    );
    assert!(stderr.contains("được giữ nguyên"), "{stderr}");
    assert!(!stdout.contains("Đã ghi"), "{stdout}");
    assert_eq!(files_in(&out), before);
    // Nor is a folder made where there was none.
    let fresh = out.join("moi");
    let o = run(&[
        "build",
        "--du",
        "--input",
        input_arg,
        "--output",
        fresh.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!fresh.exists());
    let _ = std::fs::remove_dir_all(&input);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn build_du_passes_when_every_unit_reported() {
    let out = scratch("du-complete");
    let o = run(&["build", "--du", "--output", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("bao-cao-khuyen-cong-2023.pdf").exists());
    assert!(!String::from_utf8_lossy(&o.stderr).contains("Cảnh báo"));
    let _ = std::fs::remove_dir_all(&out);
}
