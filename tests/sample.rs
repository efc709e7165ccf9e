use std::path::PathBuf;

use khuyencong::validate;

fn input() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("input")
}

#[test]
fn sample_input_loads_with_revisions() {
    let data = validate::load(&[input()], &[], None).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(data.plan.value.nam, 2023);
    assert_eq!(data.submissions.len(), 12);
    assert_eq!(data.superseded.len(), 1);
    assert_eq!(data.superseded[0].value.ma_don_vi, "742");
    assert_eq!(data.superseded[0].value.lan_nop, 1);
    assert!(data.missing_units().is_empty());
}
