//! JSON Schemas of the two input files, generated from the contract types;
//! which keys are required comes from the contract's table of keys.

use crate::contract::keys::{self, Need, Object};
use crate::contract::{Plan, Submission};

use serde_json::{json, Value};

/// The schema of `ke_hoach` or `bao_cao` files, pretty-printed.
pub fn json_schema(kind: &str) -> String {
    let (schema, objects) = if kind == crate::contract::KIND_PLAN {
        (schemars::schema_for!(Plan), &keys::PLAN_OBJECTS[..])
    } else {
        (
            schemars::schema_for!(Submission),
            &keys::SUBMISSION_OBJECTS[..],
        )
    };
    let mut value = serde_json::to_value(&schema).expect("a schema always serialises");
    let root = objects[0];
    require(&mut value, root);
    for object in &objects[1..] {
        let definition = value["definitions"]
            .get_mut(object.schema)
            .unwrap_or_else(|| panic!("no type {} in the schema", object.schema));
        require(definition, *object);
    }
    require_text(&mut value);
    serde_json::to_string_pretty(&value).expect("a schema always serialises")
}

/// Holds the type's properties to the table's keys (the same names, or the
/// table and the types have drifted apart) and writes what is required.
fn require(schema: &mut Value, object: Object) {
    let map = schema.as_object_mut().expect("a schema object");
    let mut properties: Vec<&str> = map["properties"]
        .as_object()
        .expect("an object type has properties")
        .keys()
        .map(String::as_str)
        .collect();
    let mut names: Vec<&str> = object.keys.iter().map(|k| k.name).collect();
    properties.sort_unstable();
    names.sort_unstable();
    assert_eq!(
        properties, names,
        "the keys of {} differ from the contract's table",
        object.schema
    );
    // Sorted, as schemars writes its lists.
    let mut required: Vec<&str> = object
        .keys
        .iter()
        .filter(|k| k.is_required())
        .map(|k| k.name)
        .collect();
    required.sort_unstable();
    map.insert("required".into(), json!(required));
    // "kinh_phi, or else theo_nguon".
    let either: Vec<Value> = object
        .keys
        .iter()
        .filter_map(|k| match k.need {
            Need::Unless(other) => {
                Some(json!({"anyOf": [{"required": [k.name]}, {"required": [other]}]}))
            }
            _ => None,
        })
        .collect();
    if !either.is_empty() {
        map.insert("allOf".into(), Value::Array(either));
    }
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
