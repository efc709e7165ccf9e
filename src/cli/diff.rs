//! `khuyencong diff`: what changed between two manifests.

use std::path::Path;
use std::process::ExitCode;

use khuyencong::diagnostic::shown_path;
use khuyencong::{manifest, output};

use super::args::DiffArgs;

pub fn run(args: DiffArgs) -> ExitCode {
    let read = |p: &Path| {
        output::load_manifest(p).map_err(|e| {
            format!(
                "không đọc được bản kê {} (tệp …manifest.json do `khuyencong build` ghi): {e}",
                shown_path(p)
            )
        })
    };
    match (read(&args.old), read(&args.new)) {
        (Ok(a), Ok(b)) => {
            out!(
                "{}",
                manifest::report(&manifest::diff(&a, &b), "so với bản kê cũ")
            );
            ExitCode::SUCCESS
        }
        (Err(e), _) | (_, Err(e)) => {
            err!("{e}");
            ExitCode::from(1)
        }
    }
}
