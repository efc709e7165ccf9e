//! JSON Schemas of the two input files, generated from the contract types.

use crate::contract::{Plan, Submission};

use serde_json::Value;

/// The schema of `ke_hoach` or `bao_cao` files, pretty-printed.
pub fn json_schema(kind: &str) -> String {
    let schema = if kind == crate::contract::KIND_PLAN {
        schemars::schema_for!(Plan)
    } else {
        schemars::schema_for!(Submission)
    };
    let mut value = serde_json::to_value(&schema).expect("a schema always serialises");
    require_text(&mut value);
    serde_json::to_string_pretty(&value).expect("a schema always serialises")
}

/// The tool refuses blank text everywhere: say so in every free-text string.
fn require_text(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let free_text =
                map.get("type") == Some(&Value::from("string")) && !map.contains_key("pattern");
            if free_text {
                map.insert("minLength".into(), Value::from(1));
            }
            map.values_mut().for_each(require_text);
        }
        Value::Array(items) => items.iter_mut().for_each(require_text),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    /// The schemas shipped in docs/schema are the ones the types generate.
    #[test]
    fn committed_schemas_match_the_types() {
        for kind in ["ke_hoach", "bao_cao"] {
            let path = format!(
                "{}/docs/schema/{kind}.schema.json",
                env!("CARGO_MANIFEST_DIR")
            );
            let committed = std::fs::read_to_string(&path).expect("docs/schema is committed");
            assert_eq!(
                committed.trim_end(),
                super::json_schema(kind),
                "regenerate {path} with `khuyencong schema {kind}`"
            );
        }
    }
}
