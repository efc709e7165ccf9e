//! `khuyencong context`: every variable the templates can use, as JSON.

use std::process::ExitCode;

use khuyencong::aggregate::{self, Summary};
use khuyencong::validate;

use super::args::DataArgs;

pub fn run(data: DataArgs) -> ExitCode {
    match load_summary(&data) {
        Ok(summary) => {
            let json =
                serde_json::to_string_pretty(&summary).expect("the summary always serialises");
            out!("{json}");
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn load_summary(data: &DataArgs) -> Result<Summary, ExitCode> {
    let dataset =
        validate::load(std::slice::from_ref(&data.input), &[], data.year).map_err(|d| {
            diag!("{d}");
            ExitCode::from(1)
        })?;
    aggregate::summarise(&dataset).map_err(|e| {
        err!("{e}");
        ExitCode::from(1)
    })
}
