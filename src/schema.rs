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
