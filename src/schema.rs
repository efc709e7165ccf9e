//! JSON Schemas of the two input files, generated from the contract types.

use crate::contract::{Plan, Submission};

/// The schema of `ke_hoach` or `bao_cao` files, pretty-printed.
pub fn json_schema(kind: &str) -> String {
    let schema = if kind == crate::contract::KIND_PLAN {
        schemars::schema_for!(Plan)
    } else {
        schemars::schema_for!(Submission)
    };
    serde_json::to_string_pretty(&schema).expect("a schema always serialises")
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
