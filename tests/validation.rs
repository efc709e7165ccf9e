//! Every class of bad input gives its documented error code, all at once,
//! with a position; the sample itself is clean.

mod common;

use std::path::Path;

use common::{copy_of_input, edit, scratch};
use khuyencong::validate;

fn edit_in(dir: &Path, file: &str, from: &str, to: &str) {
    edit(&dir.join(file), from, to);
}

/// (file, line, code) of every problem found.
fn problems(dir: &Path) -> Vec<(String, usize, &'static str)> {
    match validate::load(&[dir.to_path_buf()], &[], None) {
        Ok(_) => Vec::new(),
        Err(d) => {
            d.0.iter()
                .map(|d| {
                    (
                        d.file.file_name().unwrap().to_string_lossy().into_owned(),
                        d.line,
                        d.code.id(),
                    )
                })
                .collect()
        }
    }
}

const UNIT: &str = "bao-cao/731-bien-hoa.json";

#[test]
fn each_bad_input_has_its_code() {
    type Break = fn(&Path);
    let cases: &[(&str, Break, &str)] = &[
        (
            "empty",
            |d| std::fs::write(d.join(UNIT), "").unwrap(),
            "KC004",
        ),
        (
            "truncated",
            |d| {
                let t = std::fs::read_to_string(d.join(UNIT)).unwrap();
                std::fs::write(d.join(UNIT), &t[..t.len() / 2]).unwrap()
            },
            "KC004",
        ),
        (
            "binary",
            |d| std::fs::write(d.join(UNIT), [0u8, 159, 146, 150, 0, 1, 2]).unwrap(),
            "KC002",
        ),
        (
            "utf16",
            |d| {
                let t = std::fs::read_to_string(d.join(UNIT)).unwrap();
                let mut b = vec![0xFF, 0xFE];
                b.extend(t.encode_utf16().flat_map(|u| u.to_le_bytes()));
                std::fs::write(d.join(UNIT), b).unwrap()
            },
            "KC002",
        ),
        (
            "50 MB",
            |d| {
                // Sparse: the size is refused before a byte is read.
                let f = std::fs::File::create(d.join("bao-cao/lon.json")).unwrap();
                f.set_len(50 * 1024 * 1024).unwrap()
            },
            "KC003",
        ),
        (
            "deep",
            |d| std::fs::write(d.join(UNIT), "[".repeat(10_000)).unwrap(),
            "KC005",
        ),
        (
            "huge money",
            |d| {
                edit_in(
                    d,
                    UNIT,
                    "\"kinh_phi\": 64800000",
                    "\"kinh_phi\": 1000000000000000000000000000000",
                )
            },
            "KC020",
        ),
        (
            "float money",
            |d| {
                edit_in(
                    d,
                    UNIT,
                    "\"kinh_phi\": 64800000",
                    "\"kinh_phi\": 64800000.5",
                )
            },
            "KC020",
        ),
        (
            "negative money",
            |d| edit_in(d, UNIT, "\"kinh_phi\": 64800000", "\"kinh_phi\": -64800000"),
            "KC020",
        ),
        (
            "formatted money",
            |d| {
                edit_in(
                    d,
                    UNIT,
                    "\"kinh_phi\": 64800000",
                    "\"kinh_phi\": \"64.800.000\"",
                )
            },
            "KC020",
        ),
        (
            "negative quantity",
            |d| edit_in(d, UNIT, "\"cong_tac_vien\": 8", "\"cong_tac_vien\": -8"),
            "KC021",
        ),
        (
            "wrong type",
            |d| edit_in(d, UNIT, "\"lan_nop\": 1", "\"lan_nop\": \"một\""),
            "KC010",
        ),
        (
            "missing key",
            |d| edit_in(d, UNIT, "\"nguoi_lap\"", "\"nguoi_lap_\""),
            "KC011",
        ),
        (
            "unknown key",
            |d| {
                edit_in(
                    d,
                    UNIT,
                    "\"nguoi_lap\"",
                    "\"ghi_chu\": \"x\", \"nguoi_lap\"",
                )
            },
            "KC012",
        ),
        (
            "duplicate key",
            |d| edit_in(d, UNIT, "\"nguoi_lap\"", "\"nam\": 2023, \"nguoi_lap\""),
            "KC013",
        ),
        (
            "bad date",
            |d| {
                edit_in(
                    d,
                    UNIT,
                    "\"ngay_nop\": \"2023-11-",
                    "\"ngay_nop\": \"2023-13-",
                )
            },
            "KC022",
        ),
        (
            "other year",
            |d| edit_in(d, UNIT, "\"nam\": 2023", "\"nam\": 2022"),
            "KC031",
        ),
        (
            "unknown unit",
            |d| edit_in(d, UNIT, "\"ma_don_vi\": \"731\"", "\"ma_don_vi\": \"799\""),
            "KC032",
        ),
        (
            "unknown item",
            |d| edit_in(d, UNIT, "\"noi_dung\": \"CTV\"", "\"noi_dung\": \"CTX\""),
            "KC033",
        ),
        (
            "unknown indicator",
            |d| edit_in(d, UNIT, "\"cong_tac_vien\"", "\"cong_tac\""),
            "KC034",
        ),
        (
            "unknown source",
            |d| {
                edit_in(
                    d,
                    UNIT,
                    "\"kinh_phi\": 64800000",
                    "\"kinh_phi\": 64800000, \"nguon\": \"trung_uong\"",
                )
            },
            "KC035",
        ),
        (
            "same revision twice",
            |d| {
                std::fs::copy(d.join(UNIT), d.join("bao-cao/731-ban-sao.json")).unwrap();
            },
            "KC036",
        ),
        (
            "duplicate plan item",
            |d| {
                edit_in(
                    d,
                    "ke-hoach-2023.json",
                    "\"ma\": \"HTKN\"",
                    "\"ma\": \"KSDN\"",
                )
            },
            "KC037",
        ),
        (
            "no plan",
            |d| std::fs::remove_file(d.join("ke-hoach-2023.json")).unwrap(),
            "KC038",
        ),
        (
            "unknown kind",
            |d| {
                edit_in(
                    d,
                    UNIT,
                    "\"loai\": \"bao_cao\"",
                    "\"loai\": \"bao_cao_nam\"",
                )
            },
            "KC030",
        ),
    ];
    for (name, apply, code) in cases {
        let dir = copy_of_input(&name.replace(' ', "-"));
        apply(&dir);
        let found = problems(&dir);
        assert!(
            found.iter().any(|(_, _, c)| c == code),
            "{name}: expected {code}, got {found:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_missing_input_folder_is_one_problem() {
    let dir = scratch("khong-co");
    let missing = dir.join("input");
    let err = validate::load(std::slice::from_ref(&missing), &[], None).unwrap_err();
    let codes: Vec<&str> = err.0.iter().map(|d| d.code.id()).collect();
    assert_eq!(codes, ["KC001"], "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_over_the_limit_is_refused_saying_the_limit() {
    let dir = copy_of_input("50mb");
    let f = std::fs::File::create(dir.join("bao-cao/lon.json")).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    let err = validate::load(std::slice::from_ref(&dir), &[], None).unwrap_err();
    let d = err
        .0
        .iter()
        .find(|d| d.code.id() == "KC003")
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        d.message.contains("50,0 MiB") && d.message.contains("giới hạn 10,0 MiB"),
        "{}",
        d.message
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plan_problems_say_what_is_wrong_with_the_plan() {
    // Two plans for one year: named as such, not as "several years".
    let dir = copy_of_input("two-plans");
    std::fs::copy(
        dir.join("ke-hoach-2023.json"),
        dir.join("ke-hoach-2023-ban-sao.json"),
    )
    .unwrap();
    let err = validate::load(std::slice::from_ref(&dir), &[], None).unwrap_err();
    assert!(
        err.0.iter().any(|d| d.code.id() == "KC038"
            && d.message.contains("hơn một tệp kế hoạch cho cùng một năm")),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    // A plan with its own error: that error, and no misleading "no plan".
    let dir = copy_of_input("broken-plan");
    edit_in(
        &dir,
        "ke-hoach-2023.json",
        "\"kinh_phi\": 230000000",
        "\"kinh_phi\": 230000000.5",
    );
    let found = problems(&dir);
    assert!(
        found
            .iter()
            .any(|(f, _, c)| f == "ke-hoach-2023.json" && *c == "KC020"),
        "{found:?}"
    );
    assert!(!found.iter().any(|(_, _, c)| *c == "KC038"), "{found:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_problem_of_every_file_at_once() {
    let dir = copy_of_input("many");
    edit_in(
        &dir,
        UNIT,
        "\"kinh_phi\": 64800000",
        "\"kinh_phi\": 64800000.5",
    );
    edit_in(
        &dir,
        UNIT,
        "\"ma_don_vi\": \"731\"",
        "\"ma_don_vi\": \"799\"",
    );
    edit_in(
        &dir,
        "bao-cao/732-long-khanh.json",
        "\"noi_dung\": \"KSDN\"",
        "\"noi_dung\": \"KSDM\"",
    );
    edit_in(
        &dir,
        "bao-cao/734-tan-phu.json",
        "\"nguoi_lap\"",
        "\"nguoi_lapp\"",
    );
    let found = problems(&dir);
    let codes: Vec<_> = found.iter().map(|(f, _, c)| format!("{f} {c}")).collect();
    for expected in [
        "731-bien-hoa.json KC020",
        "731-bien-hoa.json KC032",
        "732-long-khanh.json KC033",
        "734-tan-phu.json KC011",
        "734-tan-phu.json KC012",
    ] {
        assert!(
            codes.iter().any(|c| c == expected),
            "missing {expected} in {codes:?}"
        );
    }
    assert!(found.iter().all(|(_, line, _)| *line > 0), "{found:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bom_nfd_and_editor_temporaries_are_handled() {
    let dir = copy_of_input("bom");
    let path = dir.join(UNIT);
    let text = std::fs::read_to_string(&path).unwrap();
    // Windows Notepad's BOM, and decomposed Vietnamese from some keyboards.
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd(text.as_str()).collect();
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(nfd.as_bytes());
    std::fs::write(&path, bytes).unwrap();
    std::fs::write(dir.join("bao-cao/.~lock.731-bien-hoa.json#"), "garbage").unwrap();
    std::fs::write(dir.join("bao-cao/~$ban-nhap.json"), "garbage").unwrap();
    std::fs::write(dir.join("bao-cao/731-bien-hoa.json~"), "garbage").unwrap();
    let data =
        validate::load(std::slice::from_ref(&dir), &[], None).unwrap_or_else(|d| panic!("{d}"));
    let unit = data
        .submissions
        .iter()
        .find(|s| s.value.ma_don_vi == "731")
        .unwrap();
    let nfc: String =
        unicode_normalization::UnicodeNormalization::nfc(unit.value.nguoi_lap.as_str()).collect();
    assert_eq!(unit.value.nguoi_lap, nfc);
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_outside_links_are_reported() {
    let dir = copy_of_input("links");
    std::os::unix::fs::symlink(&dir, dir.join("bao-cao/vong-lap")).unwrap();
    let outside = std::env::temp_dir().join(format!("kc-outside-{}.json", std::process::id()));
    std::fs::copy(dir.join(UNIT), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("bao-cao/ngoai.json")).unwrap();
    let found = problems(&dir);
    assert!(
        found
            .iter()
            .any(|(f, _, c)| f == "vong-lap" && *c == "KC001"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(f, _, c)| f == "ngoai.json" && *c == "KC001"),
        "{found:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(outside);
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = copy_of_input("unreadable");
    let path = dir.join(UNIT);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        eprintln!("!!! BỎ QUA: chạy bằng root nên vẫn đọc được tệp không có quyền đọc !!!");
    } else {
        let found = problems(&dir);
        assert!(found.iter().any(|(_, _, c)| *c == "KC001"), "{found:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_sample_is_clean_and_revisions_replace() {
    let dir = copy_of_input("revision");
    let before = validate::load(std::slice::from_ref(&dir), &[], None).unwrap();
    let total = |d: &validate::Dataset| {
        khuyencong::aggregate::summarise(d)
            .unwrap()
            .tong
            .kinh_phi
            .thuc_hien
    };
    let old_total = total(&before);
    // Nhơn Trạch re-sends: lần 3 with 1.000.000 more for KSDN.
    let lan2 = std::fs::read_to_string(dir.join("bao-cao/742-nhon-trach-lan-2.json")).unwrap();
    let lan3 = lan2
        .replacen("\"lan_nop\": 2", "\"lan_nop\": 3", 1)
        .replacen("\"kinh_phi\": 39500000", "\"kinh_phi\": 40500000", 1);
    assert_ne!(lan2, lan3);
    std::fs::write(dir.join("bao-cao/742-nhon-trach-lan-3.json"), lan3).unwrap();
    let after = validate::load(std::slice::from_ref(&dir), &[], None).unwrap();
    assert_eq!(after.superseded.len(), 2);
    assert_eq!(
        total(&after) - old_total,
        rust_decimal::Decimal::from(1_000_000)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every problem found, with its file name as printed.
fn diagnostics(dir: &Path) -> khuyencong::diagnostic::Diagnostics {
    validate::load(&[dir.to_path_buf()], &[], None)
        .err()
        .unwrap_or_default()
}

#[cfg(unix)]
#[test]
fn folder_links_pointing_outside_are_refused_not_followed() {
    // A folder outside the input holding a "later revision" of Biên Hòa.
    let outside = scratch("links-outside-folder");
    let dir = copy_of_input("folder-links");
    let forged = std::fs::read_to_string(dir.join(UNIT)).unwrap().replacen(
        "\"lan_nop\": 1",
        "\"lan_nop\": 9",
        1,
    );
    std::fs::write(outside.join("731-lan-9.json"), forged).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("bao-cao/ngoai")).unwrap();
    std::os::unix::fs::symlink("/etc", dir.join("etc")).unwrap();
    let err = diagnostics(&dir);
    for link in ["ngoai", "etc"] {
        assert!(
            err.0.iter().any(|d| d.code.id() == "KC001"
                && d.file.file_name().is_some_and(|n| n == link)
                && d.message.contains("ra ngoài thư mục dữ liệu")),
            "{link}: {err}"
        );
    }
    // Nothing behind either link was read.
    for link in [dir.join("bao-cao/ngoai"), dir.join("etc")] {
        assert!(
            err.0
                .iter()
                .all(|d| d.file == link || !d.file.starts_with(&link)),
            "{err}"
        );
    }
    assert_eq!(err.0.len(), 2, "{err}");
    // A folder link that stays inside is followed as documented.
    let inside = copy_of_input("folder-links-inside");
    std::fs::rename(inside.join("bao-cao"), inside.join("that")).unwrap();
    std::os::unix::fs::symlink(inside.join("that"), inside.join("bao-cao")).unwrap();
    let data =
        validate::load(std::slice::from_ref(&inside), &[], None).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(data.submissions.len(), 12);
    for d in [&dir, &outside, &inside] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[cfg(unix)]
#[test]
fn dangling_links_that_are_not_json_are_ignored() {
    let dir = copy_of_input("dangling-other");
    std::os::unix::fs::symlink(dir.join("khong-co.txt"), dir.join("ghi-chu.txt")).unwrap();
    std::os::unix::fs::symlink(dir.join("khong-co"), dir.join("bao-cao/thu-muc-cu")).unwrap();
    validate::load(std::slice::from_ref(&dir), &[], None).unwrap_or_else(|d| panic!("{d}"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn odd_file_names_stay_on_one_line_and_cannot_forge_an_error() {
    use std::os::unix::ffi::OsStrExt;
    let dir = copy_of_input("odd-names");
    let broken = std::fs::read_to_string(dir.join(UNIT)).unwrap().replacen(
        "\"lan_nop\": 1",
        "\"lan_nop\": 0",
        1,
    );
    // A forged error line in a name; bytes that are not UTF-8; a plain
    // Vietnamese name, which must be printed as it is.
    let forged = "giả\n(thư mục dữ liệu): lỗi KC038 tại $: giả.json";
    std::fs::write(dir.join("bao-cao").join(forged), &broken).unwrap();
    let latin1 = std::ffi::OsStr::from_bytes(b"bi\xEAn-h\xF2a.json");
    std::fs::write(dir.join("bao-cao").join(latin1), &broken).unwrap();
    std::fs::remove_file(dir.join(UNIT)).unwrap();
    std::fs::write(dir.join("bao-cao/731-biên-hòa.json"), &broken).unwrap();
    let err = diagnostics(&dir);
    assert_eq!(err.0.len(), 3, "{err}");
    let printed = err.to_string();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(
        lines.len(),
        4,
        "one line per error and the summary:\n{printed}"
    );
    let base = dir.join("bao-cao").display().to_string();
    assert!(
        lines.iter().any(|l| l.starts_with(&format!(
            "\"{base}/giả\\n(thư mục dữ liệu): lỗi KC038 tại $: giả.json\":"
        ))),
        "{printed}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("\"{base}/bi\\xEAn-h\\xF2a.json\":"))),
        "{printed}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{base}/731-biên-hòa.json:5:"))),
        "{printed}"
    );
    assert!(!printed.contains('\u{FFFD}'), "{printed}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_plan_file_of_the_year_is_named() {
    let dir = copy_of_input("three-plans");
    for copy in ["ke-hoach-2023-ban-sao.json", "ke-hoach-2023-moi.json"] {
        std::fs::copy(dir.join("ke-hoach-2023.json"), dir.join(copy)).unwrap();
    }
    let err = diagnostics(&dir);
    let named: Vec<_> = err.0.iter().filter(|d| d.code.id() == "KC038").collect();
    assert!(!named.is_empty(), "{err}");
    for d in named {
        for plan in [
            "ke-hoach-2023.json",
            "ke-hoach-2023-ban-sao.json",
            "ke-hoach-2023-moi.json",
        ] {
            assert!(d.message.contains(plan), "no {plan} in: {d}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Quantities that cannot be added exactly in 28 significant digits, or
/// with a fraction in the 15 that templates compute with.
#[test]
fn quantities_whose_sum_would_round_are_refused() {
    let dir = copy_of_input("inexact-sum");
    edit_in(
        &dir,
        UNIT,
        "\"cong_tac_vien\": 8",
        "\"cong_tac_vien\": \"0.000000000000000001\"",
    );
    edit_in(
        &dir,
        "bao-cao/732-long-khanh.json",
        "\"cong_tac_vien\": 5",
        "\"cong_tac_vien\": 1000000000000000000",
    );
    let err = diagnostics(&dir);
    let d = err
        .0
        .iter()
        .find(|d| d.code.id() == "KC021")
        .unwrap_or_else(|| panic!("accepted an inexact sum: {err}"));
    assert!(
        d.path.ends_with("chi_tieu.cong_tac_vien")
            && d.line > 0
            && d.message.contains("cong_tac_vien")
            && d.message.contains("CTV")
            && d.message.contains("chính xác"),
        "{d}"
    );
    // Large whole sums still pass.
    edit_in(&dir, UNIT, "\"0.000000000000000001\"", "\"0.0000000001\"");
    validate::load(std::slice::from_ref(&dir), &[], None).unwrap_err();
    edit_in(&dir, UNIT, "\"0.0000000001\"", "8");
    validate::load(std::slice::from_ref(&dir), &[], None).unwrap_or_else(|d| panic!("{d}"));
    // A sum with a fraction must keep within the 15 significant digits
    // templates compute with, or the report would print it rounded.
    edit_in(
        &dir,
        "bao-cao/732-long-khanh.json",
        "\"cong_tac_vien\": 1000000000000000000",
        "\"cong_tac_vien\": 5",
    );
    edit_in(
        &dir,
        UNIT,
        "\"cong_tac_vien\": 8",
        "\"cong_tac_vien\": \"8.12345678901234567\"",
    );
    let err = diagnostics(&dir);
    assert!(
        err.0
            .iter()
            .any(|d| d.code.id() == "KC021" && d.message.contains("15 chữ số có nghĩa")),
        "accepted a quantity templates would round: {err}"
    );
    edit_in(&dir, UNIT, "\"8.12345678901234567\"", "\"8.12345678901\"");
    validate::load(std::slice::from_ref(&dir), &[], None).unwrap_or_else(|d| panic!("{d}"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A broken or missing plan still lets every check that does not need it run.
#[test]
fn a_plan_problem_does_not_hide_the_units_problems() {
    let break_units = |dir: &Path| {
        edit_in(dir, UNIT, "\"lan_nop\": 1", "\"lan_nop\": 0");
        edit_in(
            dir,
            UNIT,
            "\"kinh_phi\": 64800000",
            "\"kinh_phi\": 64800000.5",
        );
        edit_in(
            dir,
            "bao-cao/732-long-khanh.json",
            "\"den_ngay\": \"2023-10-12\"",
            "\"den_ngay\": \"2023-10-01\"",
        );
        std::fs::copy(
            dir.join("bao-cao/735-vinh-cuu.json"),
            dir.join("bao-cao/735-ban-sao.json"),
        )
        .unwrap();
    };
    type Break = fn(&Path);
    let plans: &[(&str, Break, &[&str])] = &[
        (
            "broken",
            |d| {
                edit_in(
                    d,
                    "ke-hoach-2023.json",
                    "\"kinh_phi\": 230000000",
                    "\"kinh_phi\": 230000000.5",
                )
            },
            &["ke-hoach-2023.json KC020"],
        ),
        (
            "missing",
            |d| std::fs::remove_file(d.join("ke-hoach-2023.json")).unwrap(),
            &["(thư mục dữ liệu) KC038"],
        ),
        (
            "doubled",
            |d| {
                std::fs::copy(d.join("ke-hoach-2023.json"), d.join("ke-hoach-2.json")).unwrap();
            },
            &["ke-hoach-2.json KC038"],
        ),
    ];
    for (name, break_plan, plan_codes) in plans {
        let dir = copy_of_input(&format!("plan-{name}"));
        break_plan(&dir);
        break_units(&dir);
        let found: Vec<String> = problems(&dir)
            .into_iter()
            .map(|(f, _, c)| format!("{f} {c}"))
            .collect();
        for expected in plan_codes.iter().copied().chain([
            "731-bien-hoa.json KC010",
            "731-bien-hoa.json KC020",
            "732-long-khanh.json KC039",
            "735-vinh-cuu.json KC036",
            "735-ban-sao.json KC036",
        ]) {
            assert!(
                found.iter().any(|c| c == expected),
                "{name}: missing {expected} in {found:?}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Text the report cannot print is refused where it stands, naming the
/// character; a raw control character is a JSON syntax error.
#[test]
fn text_the_report_cannot_print_is_refused() {
    // (JSON text of `nguoi_lap`, code, character named, its column).
    let cases: &[(&str, &str, &str, usize)] = &[
        (r#""Nguyễn\u0001Linh""#, "KC040", "U+0001", 23),
        (r#""Nguyễn\u007fLinh""#, "KC040", "U+007F", 23),
        ("\"Nguyễn\u{7f}Linh\"", "KC040", "U+007F", 23),
        (r#""Nguyễn\u200bLinh""#, "KC040", "U+200B", 23),
        (r#""Nguyễn\u200fLinh""#, "KC040", "U+200F", 23),
        (r#""Nguyễn\u202eLinh""#, "KC040", "U+202E", 23),
        (r#""Nguyễn\u2028Linh""#, "KC040", "U+2028", 23),
        (r#""Nguyễn\u2029Linh""#, "KC040", "U+2029", 23),
        (r#""Nguyễn\u2060Linh""#, "KC040", "U+2060", 23),
        (r#""Nguyễn\ufeffLinh""#, "KC040", "U+FEFF", 23),
        (r#""Nguyễn\u00adLinh""#, "KC040", "U+00AD", 23),
        (r#""Nguyễn\bLinh""#, "KC040", "U+0008", 23),
        (r#""Linh\u2028""#, "KC040", "U+2028", 21),
        (r#""\u200b\u200b""#, "KC040", "U+200B", 17),
        ("\"Đã kiểm ✓\"", "KC040", "U+2713", 25),
        ("\"120 ㎡\"", "KC040", "U+33A1", 21),
        ("\"Linh 😀\"", "KC040", "U+1F600", 22),
        (r#""Linh \ud83d\ude00""#, "KC040", "U+1F600", 22),
        ("\"Lâm 林\"", "KC040", "U+6797", 21),
        // In the italic face only: templates may set any text upright.
        ("\"Linh \u{F001}\"", "KC040", "U+F001", 22),
        ("\"Nguyễn\u{1}Linh\"", "KC004", "", 23),
        ("\"Nguyễn\nLinh\"", "KC004", "", 23),
        ("\"Nguyễn\tLinh\"", "KC004", "", 23),
    ];
    for (json, code, named, column) in cases {
        let dir = copy_of_input("unprintable");
        edit_in(
            &dir,
            UNIT,
            "\"nguoi_lap\": \"Nguyễn Thị Mỹ Linh\"",
            &format!("\"nguoi_lap\": {json}"),
        );
        let err = diagnostics(&dir);
        let d = err
            .0
            .iter()
            .find(|d| d.code.id() == *code)
            .unwrap_or_else(|| panic!("{json}: expected {code}, got {err}"));
        assert_eq!((d.line, d.column), (7, *column), "{json}: {d}");
        assert!(d.message.contains(named), "{json}: {d}");
        if *code == "KC040" {
            assert_eq!(d.path, "nguoi_lap", "{json}: {d}");
            assert!(
                d.message.contains("xóa") || d.message.contains("thay"),
                "{d}"
            );
        }
        assert_eq!(err.0.len(), 1, "{json}: {err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Tab and line breaks written as escapes are whitespace the report prints
/// as one space; the characters every face has are accepted.
#[test]
fn escaped_whitespace_and_the_fonts_characters_are_accepted() {
    let dir = copy_of_input("printable");
    edit_in(
        &dir,
        UNIT,
        "\"kinh_phi\": 64800000",
        r#""ghi_chu": "Dòng một\nDòng hai\r\n\tThụt lề – “trích” … 25 °C, ½, №, €, ₫, ©, ≤ →.", "kinh_phi": 64800000"#,
    );
    validate::load(std::slice::from_ref(&dir), &[], None).unwrap_or_else(|d| panic!("{d}"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn many_unknown_keys_in_one_object_are_counted_not_listed() {
    let dir = copy_of_input("many-keys");
    let keys: String = (0..100).map(|i| format!("\"khoa_{i}\": 1, ")).collect();
    edit_in(&dir, UNIT, "\"nguoi_lap\"", &format!("{keys}\"nguoi_lap\""));
    let err = diagnostics(&dir);
    let unknown: Vec<_> = err.0.iter().filter(|d| d.code.id() == "KC012").collect();
    assert!(unknown.len() < 50, "{} lines for one object", unknown.len());
    let rest = 100 - (unknown.len() - 1);
    assert!(
        unknown
            .iter()
            .any(|d| d.message.contains(&format!("{rest} khóa"))),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// 300.000 distinct keys in one `chi_tieu`: linear, and one line for the rest.
#[test]
fn a_huge_object_is_checked_in_linear_time() {
    let dir = copy_of_input("huge-object");
    let keys: Vec<String> = (0..300_000).map(|i| format!("\"k{i}\": 1")).collect();
    edit_in(
        &dir,
        UNIT,
        "\"cong_tac_vien\": 8",
        &format!("\"cong_tac_vien\": 8, {}", keys.join(", ")),
    );
    let started = std::time::Instant::now();
    let err = diagnostics(&dir);
    let took = started.elapsed();
    let unknown: Vec<_> = err.0.iter().filter(|d| d.code.id() == "KC034").collect();
    assert!(
        (2..50).contains(&unknown.len()),
        "{} lines for one object",
        unknown.len()
    );
    assert!(
        unknown.iter().any(|d| d
            .message
            .contains(&format!("{} mã", 300_000 - (unknown.len() - 1)))),
        "{:?}",
        unknown.last()
    );
    assert!(took.as_secs() < 20, "took {took:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// 300.000 copies of one key on one line: counted, and found in linear time.
#[test]
fn a_key_repeated_many_times_is_counted_not_listed() {
    let dir = copy_of_input("repeated-key");
    let copies = vec!["\"cong_tac_vien\": 8"; 300_000].join(", ");
    edit_in(&dir, UNIT, "\"cong_tac_vien\": 8", &copies);
    let started = std::time::Instant::now();
    let err = diagnostics(&dir);
    let took = started.elapsed();
    assert!((2..50).contains(&err.0.len()), "{} lines", err.0.len());
    let last = err.0.iter().max_by_key(|d| d.column).unwrap();
    assert!(
        last.code.id() == "KC013"
            && last
                .message
                .contains(&format!("{} khóa", 299_999 - (err.0.len() - 1))),
        "{last}"
    );
    assert!(took.as_secs() < 20, "took {took:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_unit_level_outside_the_list_is_refused_with_a_hint() {
    let dir = copy_of_input("bad-level");
    // The third unit (Tân Phú, "huyen" at 40:14) and the fourth (Vĩnh Cửu).
    edit_in(
        &dir,
        "ke-hoach-2023.json",
        "\"cap\": \"huyen\"",
        "\"cap\": \"banana\"",
    );
    edit_in(
        &dir,
        "ke-hoach-2023.json",
        "\"cap\": \"huyen\"",
        "\"cap\": \"huyện\"",
    );
    let found = diagnostics(&dir);
    let shown = found.to_string();
    assert_eq!(found.codes(), ["KC041", "KC041"], "{shown}");
    let banana = &found.0[0];
    assert_eq!(
        (banana.line, banana.column, banana.path.as_str()),
        (40, 14, "don_vi[2].cap"),
        "{shown}"
    );
    assert!(
        shown
            .contains("ke-hoach-2023.json:40:14: lỗi KC041 tại don_vi[2].cap: cấp đơn vị `banana`"),
        "{shown}"
    );
    assert!(
        shown.contains("Các giá trị hợp lệ: tinh, thanh_pho, thi_xa, huyen, quan, xa, phuong, thi_tran, dac_khu, trung_tam"),
        "{shown}"
    );
    assert_eq!(found.0[1].path, "don_vi[3].cap", "{shown}");
    assert!(
        found.0[1].message.contains("Có phải ý bạn là `huyen`?"),
        "{shown}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_listed_unit_level_is_accepted() {
    let dir = copy_of_input("every-level");
    let plan = dir.join("ke-hoach-2023.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    let units = json["don_vi"].as_array_mut().unwrap();
    let levels = khuyencong::contract::UNIT_LEVELS;
    assert!(units.len() >= levels.len(), "one unit for each level");
    for (unit, level) in units.iter_mut().zip(levels) {
        unit["cap"] = level.into();
    }
    std::fs::write(&plan, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let data = validate::load(std::slice::from_ref(&dir), &[], None).unwrap();
    let found: Vec<&str> = data
        .plan
        .value
        .don_vi
        .iter()
        .map(|u| u.cap.as_str())
        .collect();
    assert_eq!(found[..levels.len()], levels);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A unit's files are named after its code and name (`731-bien-hoa.json`):
/// a code with no Latin letter or digit named a hidden `.json` that no
/// build read (the submission silently lost), and two codes alike but for
/// their signs shared one file. Both are refused in the plan, at the code.
#[test]
fn unit_codes_that_cannot_name_a_file_of_their_own_are_refused() {
    let dir = copy_of_input("ma-ten-tep");
    let path = dir.join("ke-hoach-2023.json");
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let units = plan["don_vi"].as_array_mut().unwrap();
    let mut twin = units[0].clone();
    twin["ma"] = "73.1".into();
    units[0]["ma"] = "73-1".into();
    units[1] = twin;
    let centre = units.iter_mut().find(|u| u["ma"] == "TTKC").unwrap();
    centre["ma"] = "##".into();
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let err = validate::load(std::slice::from_ref(&dir), &[], None).unwrap_err();
    let said: Vec<String> = err.0.iter().map(|d| d.to_string()).collect();
    let find = |part: &str| {
        said.iter()
            .find(|m| m.contains(part))
            .unwrap_or_else(|| panic!("no “{part}” in {said:#?}"))
            .clone()
    };
    let twin = find("cho cùng một tên tệp `73-1-bien-hoa.json`");
    assert!(
        twin.contains("KC037") && twin.contains("don_vi[1].ma"),
        "{twin}"
    );
    let star = find("mã đơn vị `##` không có chữ cái Latin hay chữ số");
    assert!(
        star.contains("KC037") && star.contains("don_vi[11].ma"),
        "{star}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
