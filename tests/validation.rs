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
