//! Templates a clerk can trust, round three (issue 20): nothing wrong
//! reaches the report without a word. One test (or more) for each numbered
//! case of the issue. They run the command as a clerk would;
//! `KC_BIN=/path/to/old/khuyencong` runs them against another build of it
//! (each fails against the build before the issue's work).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{bin, copy_dir, root, said, scratch, timed, xml_text, zip_part};

// ---- running the command ----

/// `khuyencong ARGS` run in `dir`, within a minute.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    timed(
        Command::new(bin()).args(args).current_dir(dir),
        Duration::from_secs(60),
    )
}

/// A working folder as a clerk has it: `input/` (the sample data) and
/// `templates/` (the defaults, exported), nothing else.
fn workspace(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_dir(&root().join("input"), &dir.join("input"));
    copy_dir(&root().join("templates"), &dir.join("templates"));
    dir
}

/// Every file under `dir`, relative, in order.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect();
    found.sort();
    found
}

// ---- 1. Windows files ----

/// Rewrites a text file as Windows saves it: a BOM, CRLF line ends (or,
/// `cr_only`, the lone CR of old Mac editors).
fn as_windows(path: &Path, cr_only: bool) {
    let text = std::fs::read_to_string(path).unwrap();
    let end = if cr_only { "\r" } else { "\r\n" };
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(text.replace('\n', end).into_bytes());
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn windows_files_build_the_same_report_byte_for_byte() {
    let linux = workspace("windows-lf");
    let windows = workspace("windows-crlf");
    for (i, file) in files(&windows.join("templates")).iter().enumerate() {
        as_windows(&windows.join("templates").join(file), i == 1);
    }
    for (i, file) in files(&windows.join("input")).iter().enumerate() {
        as_windows(&windows.join("input").join(file), i == 2);
    }
    let check = run_in(&windows, &["templates", "check"]);
    assert!(check.status.success(), "{}", said(&check));
    assert!(
        said(&check).contains("0 đã sửa, 6 giống mẫu mặc định"),
        "a template saved on Windows is the default it was exported as: {}",
        said(&check)
    );
    for dir in [&linux, &windows] {
        let out = run_in(dir, &["build"]);
        assert!(out.status.success(), "{}: {}", dir.display(), said(&out));
    }
    let reports: Vec<PathBuf> = files(&linux.join("output"))
        .into_iter()
        .filter(|f| !f.to_string_lossy().contains("manifest"))
        .collect();
    assert_eq!(reports.len(), 4, "{reports:?}");
    for file in &reports {
        let (a, b) = (
            std::fs::read(linux.join("output").join(file)).unwrap(),
            std::fs::read(windows.join("output").join(file)).unwrap(),
        );
        assert!(a == b, "{} differs", file.display());
    }

    // A Markdown file edited on Windows renders as the same file on Linux.
    let md = reports
        .iter()
        .find(|f| f.extension().unwrap() == "md")
        .unwrap();
    for (dir, windows_file) in [("render-lf", false), ("render-crlf", true)] {
        let at = linux.join(dir);
        std::fs::create_dir_all(&at).unwrap();
        std::fs::copy(linux.join("output").join(md), at.join(md)).unwrap();
        if windows_file {
            as_windows(&at.join(md), false);
        }
        let out = run_in(&linux, &["render", &format!("{dir}/{}", md.display())]);
        assert!(out.status.success(), "{}", said(&out));
    }
    for ext in ["docx", "pdf"] {
        let name = md.with_extension(ext);
        assert!(
            std::fs::read(linux.join("render-lf").join(&name)).unwrap()
                == std::fs::read(linux.join("render-crlf").join(&name)).unwrap(),
            "{} rendered from a Windows file differs",
            name.display()
        );
    }
    let _ = std::fs::remove_dir_all(&linux);
    let _ = std::fs::remove_dir_all(&windows);
}

/// A clone by Git for Windows (`core.autocrlf=true`) checks out LF text:
/// the attributes say so for every kind of text file, and fonts are binary.
#[test]
fn git_checks_out_text_with_lf_everywhere() {
    if !common::have_tool("git") {
        return;
    }
    for (file, eol) in [
        ("templates/bao-cao.md", "lf"),
        ("input/ke-hoach-2023.json", "lf"),
        ("src/main.rs", "lf"),
        ("Cargo.toml", "lf"),
    ] {
        let out = Command::new("git")
            .args(["check-attr", "eol", "--", file])
            .current_dir(root())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(said.trim(), format!("{file}: eol: {eol}"));
    }
    let fonts: Vec<PathBuf> = files(&root().join("assets"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "ttf"))
        .collect();
    assert!(!fonts.is_empty());
    for font in fonts {
        let path = Path::new("assets").join(&font);
        let out = Command::new("git")
            .args(["check-attr", "binary", "--"])
            .arg(&path)
            .current_dir(root())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.trim().ends_with("binary: set"), "{said}");
    }
}

// ---- 2. wrong output with exit 0 ----

/// Replaces the first `from` in a template of `dir`, which must contain it.
fn edit(dir: &Path, template: &str, from: &str, to: &str) {
    common::edit(&dir.join("templates").join(template), from, to);
}

/// The template errors a command printed (`tệp:dòng:cột: lỗi KC06x trong mẫu báo cáo: …`).
fn template_errors(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(" trong mẫu báo cáo: "))
        .map(str::to_string)
        .collect()
}

/// `build` and `templates check` refuse the workspace with the same
/// errors (one report check, run by both), nothing is written; the errors.
fn refused_alike(dir: &Path) -> Vec<String> {
    let check = run_in(dir, &["templates", "check"]);
    let build = run_in(dir, &["build"]);
    assert_eq!(check.status.code(), Some(1), "{}", said(&check));
    assert_eq!(build.status.code(), Some(1), "{}", said(&build));
    assert!(!said(&check).contains("Mẫu hợp lệ"), "{}", said(&check));
    assert!(
        !dir.join("output").exists(),
        "build wrote {:?}",
        files(&dir.join("output"))
    );
    let (checked, built) = (template_errors(&check), template_errors(&build));
    assert!(!checked.is_empty(), "{}", said(&check));
    assert_eq!(checked, built, "templates check and build disagree");
    checked
}

/// The error at `place` (`templates/x.md:12:`), which must say `what`.
fn error_at<'e>(errors: &'e [String], place: &str, what: &str) -> &'e str {
    errors
        .iter()
        .find(|e| e.starts_with(place) && e.contains(what))
        .unwrap_or_else(|| {
            panic!(
                "no error at {place} saying {what:?}:\n{}",
                errors.join("\n")
            )
        })
}

/// 1-based line of the first line of template `name` containing `text`.
fn line_of(dir: &Path, name: &str, text: &str) -> usize {
    std::fs::read_to_string(dir.join("templates").join(name))
        .unwrap()
        .lines()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("{name} has no {text:?}"))
        + 1
}

#[test]
fn a_table_loop_with_blank_lines_is_an_error_at_the_row() {
    let dir = workspace("blank-rows");
    // The natural way: a blank line around the row of each `{% for %}`.
    edit(
        &dir,
        "phan/tong-hop.md",
        "{% for u in don_vi -%}\n",
        "\n{% for u in don_vi %}\n\n",
    );
    edit(
        &dir,
        "phan/tong-hop.md",
        "{% endfor -%}\n| | **Tổng cộng** | | |",
        "\n{% endfor %}\n\n| | **Tổng cộng** | | |",
    );
    let errors = refused_alike(&dir);
    let row = line_of(
        &dir,
        "phan/tong-hop.md",
        "| {{ loop.index | so }} | {{ u.ten }}",
    );
    let error = error_at(
        &errors,
        &format!("templates/phan/tong-hop.md:{row}:1:"),
        "là một hàng bảng nhưng đứng ngoài bảng",
    );
    assert!(error.contains("`{%-` và `-%}`"), "{error}");
    // Said once for the template's row, not once per unit.
    assert!(error.contains("chỗ khác"), "{error}");
    assert_eq!(
        errors
            .iter()
            .filter(|e| e.contains(&format!("tong-hop.md:{row}:")))
            .count(),
        1,
        "{errors:#?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_value_printed_without_a_filter_is_an_error_with_the_filter_to_add() {
    let dir = workspace("raw-values");
    edit(
        &dir,
        "bao-cao.md",
        "như sau:\n",
        "như sau:\n\nThực hiện {{ tong.thuc_hien }}, đạt {{ tong.ty_le }}; làm tròn {{ tong.ty_le | round(precision=1) }}.\n\nNgày {{ van_ban.ngay }}.\n\n{{ tong }}\n",
    );
    let errors = refused_alike(&dir);
    let line = line_of(&dir, "bao-cao.md", "Thực hiện {{ tong.thuc_hien }}");
    let at = |column: usize| format!("templates/bao-cao.md:{line}:{column}:");
    let e = error_at(&errors, &at(11), "`3246633000`");
    assert!(e.contains("`{{ tong.thuc_hien | tien }}`"), "{e}");
    let e = error_at(&errors, &at(37), "`45.06458553106435`");
    assert!(e.contains("`{{ tong.ty_le | phan_tram }}`"), "{e}");
    let e = error_at(&errors, &at(64), "`45.1`");
    assert!(e.contains("Thay `round(…)` bằng `| phan_tram`"), "{e}");
    let e = error_at(
        &errors,
        &format!("templates/bao-cao.md:{}:6:", line + 2),
        "`2023-12-15`",
    );
    assert!(e.contains("`{{ van_ban.ngay | ngay }}`"), "{e}");
    let e = error_at(
        &errors,
        &format!("templates/bao-cao.md:{}:1:", line + 4),
        "cả một đối tượng",
    );
    assert!(
        e.contains("các trường: chenh_lech, co_ngoai_ngan_sach"),
        "{e}"
    );
    assert_eq!(errors.len(), 5, "{errors:#?}");
    // In the `+++` block a date in quotes is TOML, not a raw value.
    let dir2 = workspace("raw-values-toml");
    edit(
        &dir2,
        "bao-cao.md",
        "ngay = {{ van_ban.ngay | toml }}",
        "ngay = \"{{ van_ban.ngay }}\"",
    );
    let out = run_in(&dir2, &["templates", "check"]);
    assert!(out.status.success(), "{}", said(&out));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&dir2);
}

#[test]
fn an_image_is_an_error_at_its_line_saying_who_signs() {
    let dir = workspace("image");
    edit(
        &dir,
        "bao-cao.md",
        "Trên đây là báo cáo",
        "![Chữ ký giám đốc](chu-ky.png)\n\nTrên đây là báo cáo",
    );
    let errors = refused_alike(&dir);
    let line = line_of(&dir, "bao-cao.md", "![Chữ ký giám đốc]");
    let e = error_at(
        &errors,
        &format!("templates/bao-cao.md:{line}:1:"),
        "hình ảnh",
    );
    assert!(
        e.contains("phần mềm ký số đóng chúng lên khi ký tệp PDF"),
        "{e}"
    );
    // And the guide says so too.
    let guide = std::fs::read_to_string(root().join("docs/mau-bao-cao.md")).unwrap();
    assert!(
        guide.contains("phần mềm ký số"),
        "docs/mau-bao-cao.md: images"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_character_the_fonts_lack_is_refused_by_check_as_by_build() {
    let dir = workspace("glyph");
    edit(
        &dir,
        "phan/noi-dung.md",
        "Đánh giá: {{ nd.trang_thai }}",
        "Đánh giá: ✓ {{ nd.trang_thai }}",
    );
    let errors = refused_alike(&dir);
    let line = line_of(&dir, "phan/noi-dung.md", "Đánh giá: ✓");
    let e = error_at(
        &errors,
        &format!("templates/phan/noi-dung.md:{line}:"),
        "ký tự `✓` (U+2713) không có trong phông chữ",
    );
    assert!(!e.contains("khối nội dung"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_character_the_fonts_lack_in_a_comment_is_not_refused() {
    // A clerk's notes in HTML comments never print: a block of its own,
    // over two lines, and one inside a sentence.
    let dir = workspace("glyph-comment");
    edit(
        &dir,
        "phan/noi-dung.md",
        "Đánh giá: {{ nd.trang_thai }}",
        "Đánh giá: <!-- ★ xem lại --> {{ nd.trang_thai }}",
    );
    edit(
        &dir,
        "bao-cao.md",
        "\n# KẾT QUẢ THỰC HIỆN",
        "\n<!-- ★ Phần I\n     ✓ đã soát -->\n\n# KẾT QUẢ THỰC HIỆN",
    );
    let check = run_in(&dir, &["templates", "check"]);
    assert!(check.status.success(), "{}", said(&check));
    let build = run_in(&dir, &["build"]);
    assert!(build.status.success(), "{}", said(&build));
    // What prints is still checked.
    std::fs::remove_dir_all(dir.join("output")).unwrap();
    edit(&dir, "phan/noi-dung.md", "<!-- ★ xem lại --> ", "★ ");
    let errors = refused_alike(&dir);
    let line = line_of(&dir, "phan/noi-dung.md", "Đánh giá: ★");
    error_at(
        &errors,
        &format!("templates/phan/noi-dung.md:{line}:"),
        "ký tự `★` (U+2605) không có trong phông chữ",
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// An HTML block and a footnote: what the document model refuses, at the
/// template's line (not only the rendered Markdown's).
#[test]
fn refused_markdown_is_said_at_the_template_line() {
    let dir = workspace("html");
    edit(
        &dir,
        "phan/tong-hop.md",
        "**Bảng 2. Kinh phí theo nguồn**",
        "<div>Ghi chú</div>\n\nXem chú thích[^1].\n\n[^1]: Chú thích.\n\n**Bảng 2. Kinh phí theo nguồn**",
    );
    let errors = refused_alike(&dir);
    let html = line_of(&dir, "phan/tong-hop.md", "<div>");
    error_at(
        &errors,
        &format!("templates/phan/tong-hop.md:{html}:1:"),
        "HTML `<div>Ghi chú</div>`",
    );
    let note = line_of(&dir, "phan/tong-hop.md", "[^1]: Chú thích.");
    error_at(
        &errors,
        &format!("templates/phan/tong-hop.md:{note}:1:"),
        "chú thích cuối trang",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- 3. bounds ----

#[test]
fn endless_loops_stop_after_ten_seconds_with_the_line() {
    let dir = workspace("loops");
    edit(
        &dir,
        "bao-cao.md",
        "như sau:\n",
        "như sau:\n{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% for k in range(end=100000) %}{% endfor %}{% endfor %}{% endfor %}\n",
    );
    let line = line_of(&dir, "bao-cao.md", "{% for i in range");
    for args in [&["templates", "check"][..], &["build"]] {
        let started = Instant::now();
        let out = run_in(&dir, args);
        let took = started.elapsed();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", said(&out));
        assert!(took < Duration::from_secs(20), "{args:?} took {took:?}");
        let errors = template_errors(&out);
        error_at(
            &errors,
            &format!("templates/bao-cao.md:{line}:"),
            "lỗi KC064 trong mẫu báo cáo: dựng mẫu quá 10 giây nên đã dừng",
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `sh -c 'ulimit -v KB; exec khuyencong ARGS'` in `dir`.
fn limited(dir: &Path, kb: u32, args: &[&str]) -> Output {
    timed(
        Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -v {kb}; exec \"$0\" \"$@\""))
            .arg(bin())
            .args(args)
            .current_dir(dir),
        Duration::from_secs(60),
    )
}

/// Said in Vietnamese, with the template: no abort, no backtrace.
fn stopped_in_words(out: &Output, what: &str) {
    let text = said(out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(what), "{text}");
    assert!(text.contains("templates/bao-cao.md"), "{text}");
    for crash in ["panicked", "backtrace", "memory allocation", "Aborted"] {
        assert!(!text.contains(crash), "{text}");
    }
}

#[test]
fn loops_that_print_stop_at_fifty_megabytes_without_an_abort() {
    let dir = workspace("print-loops");
    edit(
        &dir,
        "bao-cao.md",
        "như sau:\n",
        "như sau:\n{% for i in range(end=100000) %}{% for j in range(end=100000) %}Một dòng chữ của vòng lặp in ra mãi.{% endfor %}{% endfor %}\n",
    );
    let out = limited(&dir, 1_500_000, &["build"]);
    stopped_in_words(&out, "mẫu dựng ra hơn 50 MB Markdown nên đã dừng");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn text_captured_without_end_stops_at_the_memory_bound() {
    let dir = workspace("capture-loops");
    // Text doubled 60 times, never printed: no output to count.
    edit(
        &dir,
        "bao-cao.md",
        "như sau:\n",
        "như sau:\n{% set_global s = \"xxxxxxxx\" %}{% for i in range(end=60) %}{% set_global s = s ~ s %}{% endfor %}{{ s | length }}\n",
    );
    let out = limited(&dir, 2_000_000, &["templates", "check"]);
    stopped_in_words(&out, "dựng mẫu cần hơn 512 MB bộ nhớ nên đã dừng");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn markdown_too_large_to_render_is_refused_at_once() {
    let dir = scratch("huge-markdown");
    let md = root().join("tests/golden/bao-cao-khuyen-cong-2023.md");
    let mut text = std::fs::read_to_string(md).unwrap();
    let body = "Một đoạn văn của báo cáo, chép lại rất nhiều lần.\n\n".repeat(1 << 20);
    text.push_str(&body);
    std::fs::write(dir.join("lon.md"), &text).unwrap();
    assert!(text.len() > 50 * 1024 * 1024);
    let started = Instant::now();
    let out = limited(&dir, 1_500_000, &["render", "lon.md"]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(
        said(&out).contains("vượt giới hạn 50,0 MiB"),
        "{}",
        said(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `build --watch` reports a template that runs too long, and goes on
/// watching: fixing the template makes the report again.
#[test]
fn watch_goes_on_after_a_bound_is_passed() {
    use std::io::{BufRead, BufReader};
    let dir = workspace("watch-loops");
    let main = dir.join("templates/bao-cao.md");
    let good = std::fs::read_to_string(&main).unwrap();
    edit(
        &dir,
        "bao-cao.md",
        "như sau:\n",
        "như sau:\n{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% for k in range(end=100000) %}{% endfor %}{% endfor %}{% endfor %}\n",
    );
    /// The watch, killed however the test ends.
    struct Watching(std::process::Child);
    impl Drop for Watching {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut watching = Watching(
        Command::new(bin())
            .args(["build", "--watch"])
            .current_dir(&dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let child = &mut watching.0;
    let (lines, seen) = std::sync::mpsc::channel::<String>();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
    }
    let wait_for = |what: &str| {
        let until = Instant::now() + Duration::from_secs(40);
        let mut all = Vec::new();
        while Instant::now() < until {
            if let Ok(line) = seen.recv_timeout(Duration::from_millis(200)) {
                let found = line.contains(what);
                all.push(line);
                if found {
                    return all;
                }
            }
        }
        panic!("no {what:?} in:\n{}", all.join("\n"));
    };
    let first = wait_for("dựng mẫu quá 10 giây nên đã dừng");
    assert!(!first.iter().any(|l| l.contains("panicked")), "{first:?}");
    std::thread::sleep(Duration::from_millis(500));
    std::fs::write(&main, &good).unwrap();
    wait_for("Đã tạo lại báo cáo");
    let alive = child.try_wait().unwrap().is_none();
    drop(watching);
    assert!(alive, "--watch stopped");
    assert!(dir.join("output/bao-cao-khuyen-cong-2023.pdf").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- 4. every message in Vietnamese, at the right line, with a hint ----

/// A mistake a clerk makes: what the guide's table shows as written, and
/// the edit of a default template that makes it.
struct Mistake {
    written: &'static str,
    template: &'static str,
    from: &'static str,
    to: &'static str,
}

const AFTER_OPENING: &str = "như sau:\n";
const IN_FRONT_MATTER: &str = "nguoi_ky = {{ van_ban.nguoi_ky | toml }}\n";

/// The guide's table of messages, a row each (issue 20, items 2 to 4).
const MISTAKES: &[Mistake] = &[
    Mistake {
        written: "hàng của bảng trong `{% for %}` viết cách dòng trống",
        template: "phan/tong-hop.md",
        from: "{% for u in don_vi -%}\n",
        to: "\n{% for u in don_vi %}\n\n",
    },
    Mistake {
        written: "`{{ tong.thuc_hien }}`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {{ tong.thuc_hien }}\n",
    },
    Mistake {
        written: "`{{ tong.ty_le }}`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {{ tong.ty_le }}\n",
    },
    Mistake {
        written: "`{{ tong.ty_le | round(precision=1) }}`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {{ tong.ty_le | round(precision=1) }}\n",
    },
    Mistake {
        written: "`{{ van_ban.ngay }}`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {{ van_ban.ngay }}\n",
    },
    Mistake {
        written: "`{{ tong }}`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {{ tong }}\n",
    },
    Mistake {
        written: "`![Chữ ký giám đốc](chu-ky.png)`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau:\n\n![Chữ ký giám đốc](chu-ky.png)\n",
    },
    Mistake {
        written: "`✓` trong chữ của mẫu",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: ✓\n",
    },
    Mistake {
        written: "`<div>Ghi chú</div>`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau:\n\n<div>Ghi chú</div>\n",
    },
    Mistake {
        written: "`{{ tong.ty_le | phan_tram(2) }}`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {{ tong.ty_le | phan_tram(2) }}\n",
    },
    Mistake {
        written: "`{{ tong.ty_le | round(2) }}`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {{ tong.ty_le | round(2) }}\n",
    },
    Mistake {
        written: "`{% for ct in chuong_trinh | sort(attribute=\"tenn\") %}`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {% for ct in chuong_trinh | sort(attribute=\"tenn\") %}{{ ct.ten }}{% endfor %}\n",
    },
    Mistake {
        written: "`{{ tong.thuc_hien | tien(don_vi=\"x\") }}`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {{ tong.thuc_hien | tien(don_vi=\"x\") }}\n",
    },
    Mistake {
        written: "`{% for u in don_vi %}{{ (u.kinhphi * 100) | so }}{% endfor %}`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {% for u in don_vi %}{{ (u.kinhphi * 100) | so }}{% endfor %}\n",
    },
    Mistake {
        written: "`{% include \"bao-cao.md\" %}` trong `bao-cao.md`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {% include \"bao-cao.md\" %}\n",
    },
    Mistake {
        written: "`{% for i in range(end=1000000) %}`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {% for i in range(end=1000000) %}{% endfor %}\n",
    },
    Mistake {
        written: "`{{ throw(message=\"Chưa có số liệu quý IV\") }}`",
        template: "bao-cao.md",
        from: AFTER_OPENING,
        to: "như sau: {{ throw(message=\"Chưa có số liệu quý IV\") }}\n",
    },
    Mistake {
        written: "`gian_dong = 1,5` (dưới `[trang]`)",
        template: "bao-cao.md",
        from: IN_FRONT_MATTER,
        to: "nguoi_ky = {{ van_ban.nguoi_ky | toml }}\n[trang]\ngian_dong = 1,5\n",
    },
    Mistake {
        written: "`co_chu = \"13pt\"` (dưới `[trang]`)",
        template: "bao-cao.md",
        from: IN_FRONT_MATTER,
        to: "nguoi_ky = {{ van_ban.nguoi_ky | toml }}\n[trang]\nco_chu = \"13pt\"\n",
    },
    Mistake {
        written: "thiếu dấu phẩy sau một phần tử của `noi_nhan`",
        template: "bao-cao.md",
        from: "    {{ (\"- \" ~ n ~ \";\") | toml }},",
        to: "    {{ (\"- \" ~ n ~ \";\") | toml }}",
    },
    Mistake {
        written: "`[trang]` trước các khóa khác",
        template: "bao-cao.md",
        from: "tham_quyen = {{ van_ban.tham_quyen | toml }}\n",
        to: "[trang]\nco_chu = 13\ntham_quyen = {{ van_ban.tham_quyen | toml }}\n",
    },
    Mistake {
        written: "`don_vi_tien = \"trieu_dong\"` trong khối `+++`",
        template: "bao-cao.md",
        from: IN_FRONT_MATTER,
        to: "nguoi_ky = {{ van_ban.nguoi_ky | toml }}\ndon_vi_tien = \"trieu_dong\"\n",
    },
    Mistake {
        written: "`tham_quyen = \"GIÁM ĐỐC\"`",
        template: "bao-cao.md",
        from: "tham_quyen = {{ van_ban.tham_quyen | toml }}\n",
        to: "tham_quyen = \"GIÁM ĐỐC\"\n",
    },
];

/// A table cell: `|` escaped, one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The guide's table of messages, as the command says them now.
fn messages_table() -> String {
    let mut table = String::from("| Viết trong mẫu | Chương trình báo |\n|---|---|\n");
    for (i, m) in MISTAKES.iter().enumerate() {
        let dir = workspace(&format!("message-{i}"));
        edit(&dir, m.template, m.from, m.to);
        let out = run_in(&dir, &["templates", "check"]);
        let errors = template_errors(&out);
        assert_eq!(out.status.code(), Some(1), "{}: {}", m.written, said(&out));
        assert_eq!(errors.len(), 1, "{}: {errors:#?}", m.written);
        let said = &errors[0];
        for english in [
            "(Tera", "expected", "Found", "invalid", "Value at", "at path",
        ] {
            assert!(!said.contains(english), "{}: English: {said}", m.written);
        }
        table.push_str(&format!("| {} | {} |\n", cell(m.written), cell(said)));
        let _ = std::fs::remove_dir_all(&dir);
    }
    table
}

const TABLE_START: &str = "<!-- bảng thông báo: sinh từ tests/clerk.rs -->\n";
const TABLE_END: &str = "<!-- hết bảng thông báo -->";

/// The guide's table of messages is what the command says, case by case;
/// `KC_HUONG_DAN=ghi` writes it into the guide.
#[test]
fn the_guide_table_of_messages_is_what_the_command_says() {
    let table = messages_table();
    let path = root().join("docs/mau-bao-cao.md");
    let guide = std::fs::read_to_string(&path).unwrap();
    let start = guide.find(TABLE_START).map(|i| i + TABLE_START.len());
    let end = guide.find(TABLE_END);
    let (Some(start), Some(end)) = (start, end) else {
        panic!("docs/mau-bao-cao.md has no table of messages:\n{table}");
    };
    if std::env::var("KC_HUONG_DAN").is_ok_and(|v| v == "ghi") {
        let written = format!("{}{table}{}", &guide[..start], &guide[end..]);
        std::fs::write(&path, written).unwrap();
        return;
    }
    assert_eq!(
        guide[start..end],
        table,
        "docs/mau-bao-cao.md: the table of messages is not what the command says (KC_HUONG_DAN=ghi cargo test --test clerk the_guide_table writes it)"
    );
}

#[test]
fn recipients_written_with_their_dash_print_once() {
    let dir = workspace("recipients");
    let plan = dir.join("input/ke-hoach-2023.json");
    let text = std::fs::read_to_string(&plan).unwrap();
    let edited = text
        .replacen("\"Sở Công Thương (b/c)\"", "\"- Sở Công Thương (b/c);\"", 1)
        .replacen("\"luu\": \"VT, KC\"", "\"luu\": \"Lưu: VT, KC.\"", 1);
    assert_ne!(edited, text);
    std::fs::write(&plan, edited).unwrap();
    let out = run_in(&dir, &["build"]);
    assert!(out.status.success(), "{}", said(&out));
    let md = std::fs::read_to_string(dir.join("output/bao-cao-khuyen-cong-2023.md")).unwrap();
    assert!(md.contains("\"- Sở Công Thương (b/c);\""), "{md}");
    assert!(md.contains("\"- Lưu: VT, KC.\""), "{md}");
    assert!(
        !md.contains("- - ") && !md.contains(";;") && !md.contains(".."),
        "{md}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- 5. table numbers by the document ----

/// The captions "Bảng N. …" of a text, in order, each up to its end.
fn captions(text: &str, titles: &[&str]) -> Vec<String> {
    let mut found: Vec<(usize, String)> = Vec::new();
    for title in titles {
        for (at, _) in text.match_indices(title) {
            let start = text[..at].rfind("Bảng").unwrap();
            found.push((start, text[start..at + title.len()].to_string()));
        }
    }
    found.sort();
    found.into_iter().map(|(_, c)| c).collect()
}

#[test]
fn tables_are_numbered_by_the_document_and_references_follow() {
    let dir = workspace("table-numbers");
    let path = dir.join("templates/phan/tong-hop.md");
    let text = std::fs::read_to_string(&path).unwrap();
    // Table 3 moved before table 2, a table added first (its caption
    // without a number), and the text refers to tables 2 and 3.
    let (two, three) = (
        text.find("**Bảng 2. ").unwrap(),
        text.find("**Bảng 3. ").unwrap(),
    );
    let moved = format!(
        "{}{}\n\n{}",
        &text[..two],
        text[three..].trim_end(),
        &text[two..three]
    );
    let added = "**Bảng. Số đơn vị**\n\n| Đơn vị | Số |\n|:--|--:|\n| Đã nộp | {{ tong.so_don_vi_bao_cao }} |\n\n";
    let edited = moved
        .replacen("**Bảng 1. ", &format!("{added}**Bảng 1. "), 1)
        .replacen(
            " Trong {{ tong.so_noi_dung",
            " Chi tiết theo đơn vị tại Bảng 3, theo nguồn tại Bảng 2. Trong {{ tong.so_noi_dung",
            1,
        );
    std::fs::write(&path, edited).unwrap();
    let out = run_in(&dir, &["build"]);
    assert!(out.status.success(), "{}", said(&out));
    let titles = [
        ". Số đơn vị",
        ". Kinh phí theo chương trình",
        ". Kinh phí thực hiện theo đơn vị",
        ". Kinh phí theo nguồn",
    ];
    let expected = [
        "Bảng 1. Số đơn vị",
        "Bảng 2. Kinh phí theo chương trình",
        "Bảng 3. Kinh phí thực hiện theo đơn vị",
        "Bảng 4. Kinh phí theo nguồn",
    ];
    let reference = "Chi tiết theo đơn vị tại Bảng 3, theo nguồn tại Bảng 4.";
    let report = dir.join("output/bao-cao-khuyen-cong-2023");
    let md = std::fs::read_to_string(report.with_extension("md")).unwrap();
    assert_eq!(captions(&md, &titles), expected, "the Markdown");
    assert!(md.contains(reference), "the Markdown: {md}");
    let docx = xml_text(&zip_part(
        &report.with_extension("docx"),
        "word/document.xml",
    ));
    assert_eq!(captions(&docx, &titles), expected, "the DOCX");
    assert!(docx.contains(reference), "the DOCX");
    if common::have_tool("pdftotext") {
        let pdf = common::squash(&common::pdf_text(&report.with_extension("pdf"), "-raw"));
        assert_eq!(captions(&pdf, &titles), expected, "the PDF");
        assert!(pdf.contains(reference), "the PDF: {pdf}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn data_naming_a_table_prints_as_typed_while_the_tables_are_renumbered() {
    // Table 3 moved before table 2: the template's "Bảng 3" is now table
    // 2. A unit's description and place name "Bảng 2", "Bảng 3" of their
    // own (another document's table, a product): they print as typed.
    let dir = workspace("table-data");
    let path = dir.join("templates/phan/tong-hop.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (two, three) = (
        text.find("**Bảng 2. ").unwrap(),
        text.find("**Bảng 3. ").unwrap(),
    );
    let moved = format!(
        "{}{}\n\n{}",
        &text[..two],
        text[three..].trim_end(),
        &text[two..three]
    )
    .replacen(
        " Trong {{ tong.so_noi_dung",
        " Chi tiết theo đơn vị tại Bảng 3. Trong {{ tong.so_noi_dung",
        1,
    );
    std::fs::write(&path, moved).unwrap();
    let unit = dir.join("input/bao-cao/ttkc.json");
    let description = "các cơ sở CNNT gốm có nhu cầu khảo sát học tập kinh nghiệm";
    let typed = [
        "theo Bảng 2 của Quyết định số 1994",
        "Cơ sở Lắp Bảng 3 điện tử",
    ];
    common::edit(&unit, description, &format!("{description} {}", typed[0]));
    common::edit(&unit, "Làng gốm Bát Tràng – thành phố Hà Nội", typed[1]);
    let check = run_in(&dir, &["templates", "check"]);
    assert!(check.status.success(), "{}", said(&check));
    let out = run_in(&dir, &["build"]);
    assert!(out.status.success(), "{}", said(&out));
    let reference = "Chi tiết theo đơn vị tại Bảng 2.";
    let report = dir.join("output/bao-cao-khuyen-cong-2023");
    let md = std::fs::read_to_string(report.with_extension("md")).unwrap();
    assert!(md.contains(reference), "the Markdown: {md}");
    assert!(md.contains("**Bảng 2. Kinh phí thực hiện theo đơn vị**"));
    let docx = xml_text(&zip_part(
        &report.with_extension("docx"),
        "word/document.xml",
    ));
    assert!(docx.contains(reference), "the DOCX");
    let pdf = common::have_tool("pdftotext")
        .then(|| common::squash(&common::pdf_text(&report.with_extension("pdf"), "-raw")));
    if let Some(pdf) = &pdf {
        assert!(pdf.contains(reference), "the PDF: {pdf}");
    }
    for text in typed {
        assert!(docx.contains(text), "the DOCX lacks {text:?}");
        if let Some(pdf) = &pdf {
            assert!(pdf.contains(text), "the PDF lacks {text:?}");
        }
        // The Markdown shows it to a reader as typed (one character
        // reference keeps it from being taken for the template's words).
        let written = text.replacen("Bảng ", "Bảng&#32;", 1);
        assert!(md.contains(&written), "the Markdown lacks {written:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_reference_to_two_tables_of_one_number_is_an_error() {
    let dir = workspace("table-twice");
    edit(&dir, "phan/tong-hop.md", "**Bảng 3. ", "**Bảng 2. ");
    edit(
        &dir,
        "phan/tong-hop.md",
        " Trong {{ tong.so_noi_dung",
        " Xem Bảng 2. Trong {{ tong.so_noi_dung",
    );
    let errors = refused_alike(&dir);
    let line = line_of(&dir, "phan/tong-hop.md", "Xem Bảng 2.");
    error_at(
        &errors,
        &format!("templates/phan/tong-hop.md:{line}:"),
        "\"Bảng 2\" chỉ tới bảng nào? Có 2 chú thích bảng viết số 2",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_reference_to_a_table_that_did_not_print_is_an_error() {
    // Bảng 2 printed only for some data: this year it is not, Bảng 3 is
    // numbered 2, and "Bảng 2" of the text would name the units' table.
    let dir = workspace("table-unprinted");
    edit(
        &dir,
        "phan/tong-hop.md",
        "**Bảng 2. Kinh phí theo nguồn**",
        "{% if tong.so_noi_dung > 1000 %}**Bảng 2. Kinh phí theo nguồn**",
    );
    edit(
        &dir,
        "phan/tong-hop.md",
        "{% include \"phan/lam-tron.md\" %}{% endif %}\n**Bảng 3.",
        "{% include \"phan/lam-tron.md\" %}{% endif %}{% endif %}\n**Bảng 3.",
    );
    edit(
        &dir,
        "phan/tong-hop.md",
        " Trong {{ tong.so_noi_dung",
        " Theo nguồn tại Bảng 2, theo đơn vị tại Bảng 3. Trong {{ tong.so_noi_dung",
    );
    let errors = refused_alike(&dir);
    let line = line_of(&dir, "phan/tong-hop.md", "Theo nguồn tại Bảng 2");
    let caption = line_of(&dir, "phan/tong-hop.md", "**Bảng 2. ");
    error_at(
        &errors,
        &format!("templates/phan/tong-hop.md:{line}:"),
        &format!("câu văn nhắc tới \"Bảng 2\" nhưng bảng có chú thích viết số 2 (templates/phan/tong-hop.md:{caption}) không được in"),
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_table_wider_than_its_page_is_an_error_at_its_line() {
    // `templates check` said "Mẫu hợp lệ"; `build` failed at the writers,
    // naming only a line of the Markdown.
    let dir = workspace("table-too-wide");
    let columns = 16;
    let cells = |cell: &dyn Fn(usize) -> String| -> String {
        (0..columns).map(|i| format!(" {} |", cell(i))).collect()
    };
    let table = format!(
        "**Bảng. Rộng**\n\n|{}\n|{}\n|{}\n\n",
        cells(&|i| format!("Cột tiêu đề dài số {i}")),
        cells(&|_| "--:".to_string()),
        cells(&|_| "1.234.567.890".to_string()),
    );
    edit(
        &dir,
        "phan/tong-hop.md",
        "**Bảng 2. ",
        &format!("{table}**Bảng 2. "),
    );
    let errors = refused_alike(&dir);
    let line = line_of(&dir, "phan/tong-hop.md", "| Cột tiêu đề dài số 0 |");
    error_at(
        &errors,
        &format!("templates/phan/tong-hop.md:{line}:"),
        "có 16 cột, cần ít nhất",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_caption_stuck_to_the_table_above_is_an_error() {
    let dir = workspace("caption-stuck");
    edit(
        &dir,
        "phan/tong-hop.md",
        "{% include \"phan/lam-tron.md\" %}{% endif %}\n**Bảng 2.",
        "{% include \"phan/lam-tron.md\" %}{% endif %}**Bảng 2.",
    );
    let errors = refused_alike(&dir);
    error_at(
        &errors,
        "templates/phan/tong-hop.md:",
        "dòng `**Bảng 2. Kinh phí theo nguồn**` không có dấu `|` nhưng đứng liền dưới một bảng",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// "Đơn vị tính: …" over a money table is set right, without a first-line
/// indent, in the DOCX and in the PDF.
#[test]
fn the_unit_line_is_right_aligned_in_both_writers() {
    let dir = workspace("unit-line");
    let out = run_in(&dir, &["build"]);
    assert!(out.status.success(), "{}", said(&out));
    let report = dir.join("output/bao-cao-khuyen-cong-2023");
    let xml = zip_part(&report.with_extension("docx"), "word/document.xml");
    let paragraphs: Vec<&str> = xml
        .split("<w:p ")
        .filter(|p| xml_text(&format!("<{p}")).starts_with("Đơn vị tính"))
        .collect();
    assert!(paragraphs.len() >= 5, "{}", paragraphs.len());
    for p in &paragraphs {
        let p = &p[..p.find("</w:p>").unwrap()];
        assert!(p.contains("<w:jc w:val=\"right\" />"), "{p}");
        assert!(p.contains("w:firstLine=\"0\""), "{p}");
    }
    if common::have_tool("pdftotext") {
        // The unit's last word ends at the right margin (15 mm).
        let bbox = Command::new("pdftotext")
            .args(["-bbox"])
            .arg(report.with_extension("pdf"))
            .arg("-")
            .output()
            .unwrap();
        let html = String::from_utf8_lossy(&bbox.stdout);
        let words: Vec<&str> = html.lines().filter(|l| l.contains("<word")).collect();
        let mut checked = 0;
        for (i, w) in words.iter().enumerate() {
            if !w.ends_with(">tính:</word>") || !words[i - 1].ends_with(">vị</word>") {
                continue;
            }
            let last = words[i + 1];
            let x_max: f32 = last
                .split("xMax=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
                .unwrap()
                .parse()
                .unwrap();
            let page_width = if x_max > 600.0 { 841.89 } else { 595.28 };
            let right = page_width - 15.0 * 72.0 / 25.4;
            assert!((x_max - right).abs() < 1.0, "{last}: {x_max} vs {right}");
            checked += 1;
        }
        assert!(checked >= 5, "{checked}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- 6. a visible draft mark ----

/// The texts of a PDF's pages, as pdftotext reads them.
fn pdf_pages(pdf: &Path) -> Vec<String> {
    common::pdf_text(pdf, "-raw")
        .split('\u{c}')
        .map(str::to_string)
        .collect()
}

/// The DOCX headers' texts: (the first page's, every other's).
fn docx_headers(docx: &Path) -> (String, Vec<String>) {
    let document = zip_part(docx, "word/document.xml");
    let rels = zip_part(docx, "word/_rels/document.xml.rels");
    let first_id = document
        .split("w:type=\"first\"")
        .nth(1)
        .and_then(|r| r.split("r:id=\"").nth(1))
        .and_then(|r| r.split('"').next())
        .expect("page 1 has a first-page header")
        .to_string();
    let target = |id: &str| {
        rels.split(&format!("Id=\"{id}\""))
            .nth(1)
            .and_then(|r| r.split("Target=\"").nth(1))
            .and_then(|r| r.split('"').next())
            .map(|t| format!("word/{t}"))
            .unwrap()
    };
    let first = target(&first_id);
    let others = rels
        .match_indices("Target=\"header")
        .map(|(i, _)| {
            let name = rels[i + 8..].split('"').next().unwrap();
            format!("word/{name}")
        })
        .filter(|name| *name != first)
        .map(|name| xml_text(&zip_part(docx, &name)))
        .collect();
    (xml_text(&zip_part(docx, &first)), others)
}

#[test]
fn a_report_built_while_units_are_missing_is_marked_draft() {
    let dir = workspace("draft");
    std::fs::remove_file(dir.join("input/bao-cao/739-cam-my.json")).unwrap();
    let out = run_in(&dir, &["build"]);
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out).contains("là bản DỰ THẢO (DOCX và PDF in dấu \"DỰ THẢO\" ở đầu trang 1)"),
        "the summary says so: {}",
        said(&out)
    );
    let report = dir.join("output/bao-cao-khuyen-cong-2023");
    let docx = report.with_extension("docx");
    let (first, others) = docx_headers(&docx);
    assert_eq!(first.trim(), "DỰ THẢO");
    assert!(others.iter().all(|h| !h.contains("DỰ THẢO")), "{others:?}");
    assert!(!xml_text(&zip_part(&docx, "word/document.xml")).contains("DỰ THẢO"));
    common::assert_word_valid(&dir.join("output"));
    if common::have_tool("pdftotext") {
        let pages = pdf_pages(&report.with_extension("pdf"));
        assert!(pages[0].contains("DỰ THẢO"), "{}", pages[0]);
        assert!(pages[1..].iter().all(|p| !p.contains("DỰ THẢO")));
        // In the top margin (20 mm), at the right edge of the text.
        let bbox = Command::new("pdftotext")
            .args(["-bbox", "-f", "1", "-l", "1"])
            .arg(report.with_extension("pdf"))
            .arg("-")
            .output()
            .unwrap();
        let html = String::from_utf8_lossy(&bbox.stdout);
        let word = html
            .lines()
            .find(|l| l.ends_with(">THẢO</word>"))
            .expect("THẢO on page 1");
        let number = |key: &str| -> f32 {
            word.split(&format!("{key}=\""))
                .nth(1)
                .and_then(|v| v.split('"').next())
                .unwrap()
                .parse()
                .unwrap()
        };
        let (margin, right) = (20.0 * 72.0 / 25.4, 595.28 - 15.0 * 72.0 / 25.4);
        assert!(number("yMax") < margin, "{word}");
        assert!(
            right - number("xMax") < 12.0 && number("xMax") < right,
            "{word}"
        );
    }
    if common::have_tool("soffice") && common::have_tool("pdfinfo") {
        let lo = dir.join("lo");
        common::libreoffice_to_pdf(&lo, &[docx]);
        let pages = |pdf: &Path| {
            let info = Command::new("pdfinfo").arg(pdf).output().unwrap();
            String::from_utf8_lossy(&info.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("Pages:"))
                .unwrap()
                .trim()
                .to_string()
        };
        let through_lo = lo.join("bao-cao-khuyen-cong-2023.pdf");
        assert_eq!(pages(&report.with_extension("pdf")), pages(&through_lo));
        let lo_pages = pdf_pages(&through_lo);
        assert!(lo_pages[0].contains("DỰ THẢO"), "{}", lo_pages[0]);
        assert!(lo_pages[1..].iter().all(|p| !p.contains("DỰ THẢO")));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_complete_report_carries_no_draft_mark() {
    let dir = workspace("final");
    for args in [&["build"][..], &["build", "--du"]] {
        let out = run_in(&dir, args);
        assert!(out.status.success(), "{}", said(&out));
        assert!(!said(&out).contains("DỰ THẢO"), "{}", said(&out));
        let report = dir.join("output/bao-cao-khuyen-cong-2023");
        let (first, others) = docx_headers(&report.with_extension("docx"));
        assert!(!first.contains("DỰ THẢO") && others.iter().all(|h| !h.contains("DỰ THẢO")));
        if common::have_tool("pdftotext") {
            let pages = pdf_pages(&report.with_extension("pdf"));
            assert!(pages.iter().all(|p| !p.contains("DỰ THẢO")));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- 7. render into a build's output folder ----

#[test]
fn render_into_a_builds_folder_is_refused_and_hand_edits_are_never_lost() {
    let dir = workspace("render-output");
    let out = run_in(&dir, &["build"]);
    assert!(out.status.success(), "{}", said(&out));
    let output = dir.join("output");
    let before: Vec<(PathBuf, Vec<u8>)> = files(&output)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(output.join(&f)).unwrap()))
        .collect();
    let md = output.join("bao-cao-khuyen-cong-2023.md");
    let mut text = std::fs::read_to_string(&md).unwrap();
    text.push_str("\nMột câu sửa tay.\n");
    std::fs::write(&md, &text).unwrap();
    // render into the build's folder: refused, nothing written.
    let out = run_in(&dir, &["render", "output/bao-cao-khuyen-cong-2023.md"]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(
        said(&out).contains("là thư mục kết quả của `khuyencong build`"),
        "{}",
        said(&out)
    );
    for (file, bytes) in &before {
        if file.extension().is_some_and(|e| e != "md") {
            assert!(
                std::fs::read(output.join(file)).unwrap() == *bytes,
                "{} changed",
                file.display()
            );
        }
    }
    // Elsewhere, it renders.
    let out = run_in(
        &dir,
        &[
            "render",
            "output/bao-cao-khuyen-cong-2023.md",
            "--output",
            "ban-sua-tay",
        ],
    );
    assert!(out.status.success(), "{}", said(&out));
    assert!(dir
        .join("ban-sua-tay/bao-cao-khuyen-cong-2023.pdf")
        .exists());
    // The next build says what it replaces, and keeps the hand edit.
    let out = run_in(&dir, &["build"]);
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out)
            .contains("output/bao-cao-khuyen-cong-2023.md đã bị sửa hay thay ngoài chương trình"),
        "{}",
        said(&out)
    );
    let kept = output.join("bao-cao-khuyen-cong-2023.sua-tay.md");
    assert_eq!(std::fs::read_to_string(kept).unwrap(), text);
    assert!(!std::fs::read_to_string(&md)
        .unwrap()
        .contains("Một câu sửa tay."));
    // Nothing changed since: nothing said.
    let out = run_in(&dir, &["build"]);
    assert!(!said(&out).contains("ngoài chương trình"), "{}", said(&out));
    let _ = std::fs::remove_dir_all(&dir);
}
