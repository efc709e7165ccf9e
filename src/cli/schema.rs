//! `khuyencong schema`: the JSON Schema of a plan or a unit's report.

use std::process::ExitCode;

use super::args::SchemaArgs;

pub fn run(args: SchemaArgs) -> ExitCode {
    out!("{}", khuyencong::schema::json_schema(&args.kind));
    ExitCode::SUCCESS
}
