//! The year-end cycle: corrections, change reports, safe outputs, template
//! editing, watching.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{copy_of_input, edit, khuyencong, root, scratch};
use khuyencong::manifest::{self, Manifest};
use khuyencong::output;
use khuyencong::pipeline::{self, Inputs};

fn build(input: &Path, out: &Path) -> output::Written {
    let report = pipeline::run(&Inputs {
        input: input.to_path_buf(),
        templates: root().join("templates"),
        year: None,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    output::write(report, out, &output::Wait::default()).unwrap()
}

/// The TTKC re-sends its report with 932.000 đồng more spent.
fn raise_ttkc(input: &Path) {
    edit(
        &input.join("bao-cao/ttkc.json"),
        "\"kinh_phi\": 119068000",
        "\"kinh_phi\": 120000000",
    );
}

/// The output set is complete and from one build: every file the manifest
/// lists has exactly the bytes it records, and nothing else is there.
fn consistent(out: &Path) -> Manifest {
    let m = output::read_manifest(&output::manifest_path(out, 2023)).expect("a manifest");
    for entry in &m.dau_ra {
        let bytes = std::fs::read(out.join(&entry.tep)).unwrap();
        assert_eq!(
            manifest::sha256(&bytes),
            entry.sha256,
            "{} does not belong to this manifest",
            entry.tep
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = m
        .dau_ra
        .iter()
        .map(|e| e.tep.clone())
        .chain(["bao-cao-khuyen-cong-2023.manifest.json".to_string()])
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    m
}

#[test]
fn a_resent_revision_is_named_in_the_change_report() {
    let input = copy_of_input("resend");
    let out = scratch("resend-out");
    let first = build(&input, &out);
    assert!(
        first.changes.is_none(),
        "no previous manifest: no change report"
    );
    let again = build(&input, &out);
    assert_eq!(again.changes, Some(vec![]));
    assert_eq!(
        manifest::report(&[], "so với lần tạo báo cáo trước"),
        "Không có thay đổi nào so với lần tạo báo cáo trước."
    );

    // Nhơn Trạch re-sends (lần 3) with a higher KSDN cost and more trainees.
    let lan2 = std::fs::read_to_string(input.join("bao-cao/742-nhon-trach-lan-2.json")).unwrap();
    let lan3 = lan2
        .replacen("\"lan_nop\": 2", "\"lan_nop\": 3", 1)
        .replacen("\"kinh_phi\": 39500000", "\"kinh_phi\": 41270000", 1)
        .replacen("\"hoc_vien\": 48", "\"hoc_vien\": 50", 1);
    std::fs::write(input.join("bao-cao/742-nhon-trach-lan-3.json"), lan3).unwrap();
    let changed = build(&input, &out);
    let lines: Vec<String> = changed
        .changes
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    let text = lines.join("\n");
    assert!(text.contains("bao-cao/742-nhon-trach-lan-3.json"), "{text}");
    assert!(text.contains("Đơn vị 742: lần nộp 2 → lần nộp 3"), "{text}");
    assert!(
        text.contains(
            "1.1 Kinh phí thực hiện: 224.730.000 → 226.500.000 đồng (Huyện Nhơn Trạch, lần nộp 3)"
        ),
        "{text}"
    );
    assert!(
        text.contains("1.1 Chỉ tiêu lượt học viên: 274 → 276 (Huyện Nhơn Trạch, lần nộp 3)"),
        "{text}"
    );
    assert!(
        text.contains("Tổng kinh phí thực hiện: 3.246.633.000 → 3.248.403.000 đồng"),
        "{text}"
    );
    // Every total moved by exactly the correction: nothing counted twice.
    assert_eq!(
        changed.manifest.so_lieu.thuc_hien - first.manifest.so_lieu.thuc_hien,
        rust_decimal::Decimal::from(1_770_000)
    );
    let _ = std::fs::remove_dir_all(&input);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn diff_of_two_manifests_from_the_command_line() {
    let input = copy_of_input("diff");
    let (a, b) = (scratch("diff-a"), scratch("diff-b"));
    build(&input, &a);
    raise_ttkc(&input);
    build(&input, &b);
    let name = "bao-cao-khuyen-cong-2023.manifest.json";
    let o = khuyencong(&[
        "diff",
        a.join(name).to_str().unwrap(),
        b.join(name).to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    assert!(stdout.contains("1.2 Kinh phí thực hiện: 119.068.000 → 120.000.000 đồng (Trung tâm Khuyến công và Tư vấn Phát triển Công nghiệp, lần nộp 1)"), "{stdout}");
    let same = khuyencong(&[
        "diff",
        a.join(name).to_str().unwrap(),
        a.join(name).to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(String::from_utf8_lossy(&same.stdout).contains("Không có thay đổi nào"));
    let missing = khuyencong(&["diff", "khong-co.json", a.join(name).to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    for d in [input, a, b] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[cfg(unix)]
#[test]
fn a_killed_build_never_leaves_a_mixed_set() {
    let input = copy_of_input("kill");
    let out = scratch("kill-out");
    build(&input, &out);
    let old = consistent(&out);
    raise_ttkc(&input);
    let mut outcomes = (0, 0);
    for i in 0..30u64 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_khuyencong"))
            .args([
                "build",
                "--input",
                input.to_str().unwrap(),
                "--output",
                out.to_str().unwrap(),
            ])
            .current_dir(root())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(100 * i));
        let _ = child.kill(); // SIGKILL: no chance to clean up
        let _ = child.wait();
        // What the next run does first: finish or discard the interrupted one.
        output::recover(&out, &output::Wait::default()).unwrap();
        let now = consistent(&out);
        if now == old {
            outcomes.0 += 1
        } else {
            outcomes.1 += 1
        }
        // Back to the old set half of the time, so kills land on both sides.
        if i % 2 == 1 {
            let _ = std::fs::remove_dir_all(&out);
            std::fs::create_dir_all(&out).unwrap();
            let restored = copy_of_input("kill-restore");
            build(&restored, &out);
            let _ = std::fs::remove_dir_all(&restored);
        }
    }
    eprintln!(
        "killed builds: {} left the old set, {} the new one",
        outcomes.0, outcomes.1
    );
    let _ = std::fs::remove_dir_all(&input);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn an_output_that_cannot_be_replaced_is_named() {
    let input = copy_of_input("blocked");
    let out = scratch("blocked-out");
    build(&input, &out);
    let before = consistent(&out);
    // Something in the way of the Word file: the set is not touched.
    std::fs::remove_file(out.join("bao-cao-khuyen-cong-2023.docx")).unwrap();
    std::fs::create_dir(out.join("bao-cao-khuyen-cong-2023.docx")).unwrap();
    raise_ttkc(&input);
    let o = khuyencong(&[
        "build",
        "--input",
        input.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("bao-cao-khuyen-cong-2023.docx") && stderr.contains("thư mục"),
        "{stderr}"
    );
    let md = std::fs::read(out.join("bao-cao-khuyen-cong-2023.md")).unwrap();
    let recorded = before
        .dau_ra
        .iter()
        .find(|e| e.tep.ends_with(".md"))
        .unwrap();
    assert_eq!(
        manifest::sha256(&md),
        recorded.sha256,
        "the Markdown was replaced although the set failed"
    );
    let _ = std::fs::remove_dir_all(&input);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn templates_export_never_overwrites_an_edited_template() {
    let dir = scratch("export");
    let dir_s = dir.to_str().unwrap();
    assert!(khuyencong(&["templates", "export", dir_s])
        .output()
        .unwrap()
        .status
        .success());
    let main = dir.join("bao-cao.md");
    std::fs::write(&main, "mẫu đã sửa").unwrap();
    let o = khuyencong(&["templates", "export", dir_s])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("Không ghi đè mẫu đã sửa"));
    assert_eq!(std::fs::read_to_string(&main).unwrap(), "mẫu đã sửa");
    assert!(khuyencong(&["templates", "export", dir_s, "--force"])
        .output()
        .unwrap()
        .status
        .success());
    assert_eq!(
        std::fs::read_to_string(&main).unwrap(),
        std::fs::read_to_string(root().join("templates/bao-cao.md")).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn templates_check_points_at_the_broken_line() {
    let dir = scratch("check");
    assert!(khuyencong(&["templates", "export", dir.to_str().unwrap()])
        .output()
        .unwrap()
        .status
        .success());
    let main = dir.join("bao-cao.md");
    let text = std::fs::read_to_string(&main).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("van_ban.ten_co_quan }} báo cáo"))
        .unwrap()
        + 1;
    edit(
        &main,
        "{{ van_ban.ten_co_quan }} báo cáo",
        "{{ van_ban.ten_co_quann }} báo cáo",
    );
    let o = khuyencong(&["templates", "check", "--templates", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr.contains(&format!("bao-cao.md:{line}:")), "{stderr}");
    assert!(
        stderr.contains("không có trường `ten_co_quann`") && stderr.contains("`ten_co_quan`"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn context_lists_the_template_variables() {
    let o = khuyencong(&["context"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["tong"]["thuc_hien"], 3_246_633_000_i64);
    assert_eq!(json["chuong_trinh"][0]["noi_dung"][0]["so"], "1.1");
    assert_eq!(json["don_vi_chua_nop"], serde_json::json!([]));
}

#[test]
fn table_headers_keep_the_capitals_of_a_unit_of_measure() {
    let input = copy_of_input("header-capitals");
    edit(
        &input.join("ke-hoach-2023.json"),
        "\"don_vi_tinh\": \"lượt học viên\"",
        "\"don_vi_tinh\": \"lượt học viên CNNT\"",
    );
    let report = pipeline::run(&Inputs {
        input: input.clone(),
        templates: root().join("templates"),
        year: None,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        report
            .markdown
            .contains("| STT | Đơn vị | Lượt học viên CNNT | Kinh phí |"),
        "{}",
        report.markdown
    );
    let _ = std::fs::remove_dir_all(&input);
}

#[test]
fn watch_rebuilds_after_a_change() {
    let input = copy_of_input("watch");
    let out = scratch("watch-out");
    let inputs = Inputs {
        input: input.clone(),
        templates: root().join("templates"),
        year: None,
    };
    let (stop_tx, stop) = std::sync::mpsc::channel();
    let (seen_tx, seen) = std::sync::mpsc::channel();
    let out2 = out.clone();
    let watcher = std::thread::spawn(move || {
        let wait = output::Wait::default();
        khuyencong::watch::watch(
            &inputs,
            &out2,
            &wait,
            Duration::from_millis(50),
            &stop,
            |o| {
                let total = match o {
                    khuyencong::watch::Outcome::Built(w) => Some(w.manifest.so_lieu.thuc_hien),
                    _ => None,
                };
                let _ = seen_tx.send(total);
            },
        )
    });
    let first = seen
        .recv_timeout(Duration::from_secs(10))
        .unwrap()
        .expect("first build");
    // Nothing changed: no rebuild (reading the inputs must not trigger one).
    assert!(
        seen.recv_timeout(Duration::from_millis(800)).is_err(),
        "rebuilt although nothing changed"
    );
    // A broken file: the rebuild fails and the last good outputs stay.
    let unit = input.join("bao-cao/ttkc.json");
    let good = std::fs::read_to_string(&unit).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    std::fs::write(&unit, "{ hỏng").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let failed = loop {
        match seen.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(None) => break true,
            Ok(Some(_)) => continue,
            Err(_) => break false,
        }
    };
    assert!(failed, "the broken file did not trigger a failed rebuild");
    assert_eq!(consistent(&out).so_lieu.thuc_hien, first);
    // Fixed, with a new figure: rebuilt.
    std::fs::write(
        &unit,
        good.replacen("\"kinh_phi\": 119068000", "\"kinh_phi\": 120000000", 1),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let rebuilt = loop {
        match seen.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Some(total)) if total != first => break Some(total),
            Ok(_) => continue,
            Err(_) => break None,
        }
    };
    assert_eq!(rebuilt, Some(first + rust_decimal::Decimal::from(932_000)));
    stop_tx.send(()).unwrap();
    watcher.join().unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&input);
    let _ = std::fs::remove_dir_all(&out);
}

/// Every file in a folder by name, with the SHA-256 of its bytes.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, manifest::sha256(&std::fs::read(&p).unwrap()))
        })
        .collect();
    files.sort();
    files
}

/// `khuyencong build` of `input` into `out`.
fn build_command(input: &Path, out: &Path) -> Command {
    khuyencong(&[
        "build",
        "--input",
        input.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ])
}

#[test]
fn two_builds_into_one_folder_leave_one_set() {
    let a = copy_of_input("pair-a");
    let b = copy_of_input("pair-b");
    raise_ttkc(&b);
    let out = scratch("pair-out");
    for round in 0..20 {
        let mut order = [&a, &b];
        if round % 2 == 1 {
            order.reverse();
        }
        let children: Vec<_> = order
            .iter()
            .map(|input| {
                build_command(input, &out)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let o = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            // Both finish, one after the other; a build that gave up
            // waiting says so and leaves the folder to the other.
            assert!(
                o.status.success()
                    || (o.status.code() == Some(1) && stderr.contains("vẫn đang ghi vào")),
                "round {round}: {stderr}"
            );
        }
        consistent(&out);
    }
    for d in [a, b, out] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_planted_journal_never_reaches_outside_the_folder() {
    let base = scratch("planted");
    let out = base.join("ra");
    assert!(build_command(&root().join("input"), &out)
        .output()
        .unwrap()
        .status
        .success());
    let set = files(&out);
    std::fs::write(base.join("bi-mat.pdf"), "tệp ngoài thư mục kết quả").unwrap();
    std::fs::create_dir(base.join("ngoai")).unwrap();
    std::fs::write(base.join("ngoai/bi-mat.pdf"), "tệp ngoài nữa").unwrap();
    let abs = base.to_str().unwrap();
    let journals = [
        // The two-column journal of earlier versions, pointing outside.
        serde_json::json!([["../bi-mat.pdf", "../da-chuyen.pdf"]]),
        serde_json::json!([[format!("{abs}/bi-mat.pdf"), format!("{abs}/da-chuyen.pdf")]]),
        serde_json::json!([{"tep": "../bi-mat.pdf", "co_ban_cu": true}]),
        serde_json::json!([{"tep": format!("{abs}/bi-mat.pdf"), "co_ban_cu": true}]),
        serde_json::json!([{"tep": "../ngoai/bi-mat.pdf", "co_ban_cu": false}]),
        serde_json::json!([{"tep": "..", "co_ban_cu": false}]),
        serde_json::json!([{"tep": "con/bao-cao.pdf", "co_ban_cu": false}]),
        serde_json::json!([{"tep": "ghi-chu.txt", "co_ban_cu": false}]),
        serde_json::json!("không phải danh sách"),
    ];
    let outside = |base: &Path| {
        let mut all: Vec<(String, String)> = walkdir::WalkDir::new(base)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file() && !e.path().starts_with(&out))
            .map(|e| {
                let bytes = std::fs::read(e.path()).unwrap();
                (e.path().display().to_string(), manifest::sha256(&bytes))
            })
            .collect();
        all.sort();
        all
    };
    let before = outside(&base);
    let journal = out.join(".khuyencong-dang-ghi");
    for planted in journals {
        std::fs::write(&journal, planted.to_string()).unwrap();
        let o = build_command(&root().join("input"), &out).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{planted}: {stderr}");
        assert!(
            stderr.contains(".khuyencong-dang-ghi") && stderr.contains("không hợp lệ"),
            "{planted}: {stderr}"
        );
        assert_eq!(
            outside(&base),
            before,
            "{planted}: touched outside the folder"
        );
        // Left for a person to look at; the set itself was not touched.
        assert!(journal.exists(), "{planted}");
        std::fs::remove_file(&journal).unwrap();
        assert_eq!(files(&out), set, "{planted}");
    }
    let _ = std::fs::remove_dir_all(&base);
}

/// Sets or clears the immutable attribute; false where the file system
/// (or the machine) has none.
#[cfg(target_os = "linux")]
fn chattr(path: &Path, flag: &str) -> bool {
    Command::new("chattr")
        .arg(flag)
        .arg(path)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(target_os = "linux")]
#[test]
fn a_rename_refused_mid_commit_puts_the_old_set_back() {
    /// Clears the attribute whatever happens, so the folder can be removed.
    struct Immutable(std::path::PathBuf);
    impl Drop for Immutable {
        fn drop(&mut self) {
            chattr(&self.0, "-i");
        }
    }
    let input = copy_of_input("immutable");
    let out = scratch("immutable-out");
    build(&input, &out);
    let before = files(&out);
    let pdf = out.join("bao-cao-khuyen-cong-2023.pdf");
    if !chattr(&pdf, "+i") {
        eprintln!("\n!!! BỎ QUA (SKIPPED): không đặt được thuộc tính bất biến (chattr +i) trên {}; phép thử đổi tên thất bại giữa chừng không chạy !!!\n", pdf.display());
        return;
    }
    let guard = Immutable(pdf);
    raise_ttkc(&input);
    let o = build_command(&input, &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("bao-cao-khuyen-cong-2023.pdf") && stderr.contains("được giữ nguyên"),
        "{stderr}"
    );
    assert_eq!(files(&out), before, "not the old set, byte for byte");
    drop(guard);
    let _ = std::fs::remove_dir_all(&input);
    let _ = std::fs::remove_dir_all(&out);
}

/// What a build killed between its second and third renames leaves: every
/// old file moved to its backup name, the new Markdown and DOCX in place,
/// the new PDF and manifest still under their temporary names, the journal.
fn interrupted_commit(out: &Path, new: &Path) {
    let names = [
        "bao-cao-khuyen-cong-2023.md",
        "bao-cao-khuyen-cong-2023.docx",
        "bao-cao-khuyen-cong-2023.pdf",
        "bao-cao-khuyen-cong-2023.manifest.json",
    ];
    let journal: Vec<_> = names
        .iter()
        .map(|n| serde_json::json!({"tep": n, "co_ban_cu": true}))
        .collect();
    std::fs::write(
        out.join(".khuyencong-dang-ghi"),
        serde_json::Value::from(journal).to_string(),
    )
    .unwrap();
    for (i, name) in names.iter().enumerate() {
        std::fs::rename(out.join(name), out.join(format!(".{name}.cu-khuyencong"))).unwrap();
        let to = if i < 2 {
            out.join(name)
        } else {
            out.join(format!(".{name}.tmp-khuyencong"))
        };
        std::fs::copy(new.join(name), to).unwrap();
    }
}

#[test]
fn a_failing_build_first_repairs_an_interrupted_commit() {
    let input = copy_of_input("repair");
    let (out, new) = (scratch("repair-out"), scratch("repair-new"));
    build(&input, &out);
    let old = files(&out);
    raise_ttkc(&input);
    build(&input, &new);
    interrupted_commit(&out, &new);
    // Broken data: the build stops before writing, and says the old
    // reports are kept; that must be what is on disk.
    std::fs::write(input.join("bao-cao/ttkc.json"), "{ hỏng").unwrap();
    let o = build_command(&input, &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("được giữ nguyên"), "{stderr}");
    assert_eq!(files(&out), old, "a mixed set behind \"được giữ nguyên\"");
    // The same for a watch whose rebuild fails.
    interrupted_commit(&out, &new);
    let inputs = Inputs {
        input: input.clone(),
        templates: root().join("templates"),
        year: None,
    };
    let (stop_tx, stop) = std::sync::mpsc::channel();
    let mut first = None;
    khuyencong::watch::watch(
        &inputs,
        &out,
        &output::Wait::default(),
        Duration::from_millis(50),
        &stop,
        |outcome| {
            first.get_or_insert(matches!(outcome, khuyencong::watch::Outcome::Failed(_)));
            let _ = stop_tx.send(());
        },
    )
    .unwrap();
    assert_eq!(first, Some(true), "the rebuild did not fail on the data");
    assert_eq!(files(&out), old, "a mixed set behind a failed rebuild");
    for d in [input, out, new] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Issue 14: `build` run where there is no `templates/` folder uses the
/// embedded defaults and says so; a `--templates` folder that is not there
/// is an error naming it, with the export hint.
#[test]
fn templates_folder_absent_or_misspelt() {
    let cwd = scratch("no-templates");
    let input = root().join("input");
    let run = |extra: &[&str]| {
        let mut args = vec!["build", "--input", input.to_str().unwrap()];
        args.extend(extra);
        khuyencong(&args).current_dir(&cwd).output().unwrap()
    };
    let o = run(&[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("Lưu ý: không có thư mục mẫu templates: dùng các mẫu mặc định"),
        "{stdout}"
    );
    let o = run(&["--templates", "mau-go-nham"]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("mau-go-nham: lỗi KC060 trong mẫu báo cáo: không có thư mục mẫu này")
            && stderr.contains("`khuyencong templates export mau-go-nham`"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&cwd);
}

/// Issue 14: an edited template whose file is deleted falls back to the
/// default with a warning naming it; `templates check` lists each template
/// with where it comes from.
#[test]
fn a_deleted_edited_template_is_named_and_check_lists_origins() {
    let dir = scratch("lost-templates");
    let out = scratch("lost-out");
    let (dir_s, out_s) = (dir.to_str().unwrap(), out.to_str().unwrap());
    assert!(khuyencong(&["templates", "export", dir_s])
        .output()
        .unwrap()
        .status
        .success());
    edit(
        &dir.join("phan/tong-hop.md"),
        "**Bảng 2. Kinh phí theo nguồn**",
        "**Bảng 2. Kinh phí chia theo nguồn**",
    );
    std::fs::remove_file(dir.join("phan/kinh-phi.md")).unwrap();
    let check = khuyencong(&["templates", "check", "--templates", dir_s])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{listed}");
    assert!(
        listed.contains("(1 đã sửa, 4 giống mẫu mặc định, 1 mặc định, 0 thêm)"),
        "{listed}"
    );
    assert!(
        listed.contains(&format!(
            "  phan/tong-hop.md: đã sửa ({})",
            dir.join("phan/tong-hop.md").display()
        )),
        "{listed}"
    );
    assert!(
        listed.contains(&format!(
            "  phan/kinh-phi.md: mặc định (không có tệp trong {dir_s})"
        )),
        "{listed}"
    );
    assert!(
        listed.contains("  bao-cao.md: giống mẫu mặc định ("),
        "{listed}"
    );

    let build = || {
        khuyencong(&["build", "--templates", dir_s, "--output", out_s])
            .output()
            .unwrap()
    };
    assert!(build().status.success());
    // The unedited partial that is missing was never edited: no warning.
    std::fs::remove_file(dir.join("phan/tong-hop.md")).unwrap();
    let o = build();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("Cảnh báo: mẫu phan/tong-hop.md đã được sửa ở lần tạo báo cáo trước nhưng không còn trong thư mục mẫu"),
        "{stderr}"
    );
    assert!(!stderr.contains("kinh-phi.md"), "{stderr}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout
            .contains("Mẫu đã sửa ở lần trước không còn tệp, dùng mẫu mặc định: phan/tong-hop.md"),
        "{stdout}"
    );
    let md = std::fs::read_to_string(out.join("bao-cao-khuyen-cong-2023.md")).unwrap();
    assert!(md.contains("**Bảng 2. Kinh phí theo nguồn**"));
    for d in [dir, out] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Issue 14: the change report does not depend on how the input folder was
/// typed, nor on a manifest written with the paths as typed (older ones).
#[test]
fn the_change_report_ignores_how_the_input_was_typed() {
    let out = scratch("spellings");
    let absolute = root().join("input");
    // Integration tests run in the package root.
    assert_eq!(std::env::current_dir().unwrap(), root());
    let first = build(Path::new("input"), &out);
    assert!(first
        .manifest
        .dau_vao
        .iter()
        .any(|e| e.tep == "bao-cao/742-nhon-trach-lan-2.json"));
    for spelling in [
        Path::new("./input"),
        absolute.as_path(),
        Path::new("input/"),
    ] {
        let again = build(spelling, &out);
        assert_eq!(again.changes, Some(vec![]), "{}", spelling.display());
        assert_eq!(again.manifest.dau_vao, first.manifest.dau_vao);
    }
    // A manifest of an older version: paths as typed, absolute or not.
    let path = output::manifest_path(&out, 2023);
    for prefix in ["input/", &format!("{}/", absolute.display())] {
        let mut old = first.manifest.clone();
        for e in &mut old.dau_vao {
            e.tep = format!("{prefix}{}", e.tep);
        }
        for t in &mut old.mau {
            t.tep = t
                .tep
                .as_ref()
                .map(|n| format!("{}/templates/{n}", root().display()));
        }
        std::fs::write(&path, serde_json::to_string(&old).unwrap()).unwrap();
        let again = build(Path::new("input"), &out);
        assert_eq!(again.changes, Some(vec![]), "{prefix}");
    }
    let _ = std::fs::remove_dir_all(&out);
}
