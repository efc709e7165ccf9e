//! Per-stage timings at several scales (`cargo bench`). A plain harness:
//! each stage runs on the same synthetic data set several times and the
//! median is reported, in milliseconds, as a Markdown table.
//!
//! `cargo bench -- mau 12 1000 10000` picks the data sets: `mau` is the
//! bundled sample in input/, a number N a synthetic set of N units
//! (default: mau 12 1000 10000).

use std::path::PathBuf;
use std::time::Instant;

use khuyencong::diagnostic::Diagnostics;
use khuyencong::render::{docx, pdf, prepared};
use khuyencong::{aggregate, markdown, output, pipeline, synth, templating, validate};

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a == "mau" || a.parse::<usize>().is_ok())
        .collect();
    let sets = if args.is_empty() {
        ["mau", "12", "1000", "10000"].map(String::from).to_vec()
    } else {
        args
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    println!("| dữ liệu (đơn vị) | tệp | đọc | kiểm tra | lệnh validate | tổng hợp | Markdown | mô hình | bố cục | DOCX | PDF | trọn bộ (4 định dạng + manifest) | số trang PDF |");
    println!("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for set in sets {
        let (dir, n) = match set.parse::<usize>() {
            Ok(n) => {
                let dir = std::env::temp_dir().join(format!("kc-bench-{n}"));
                let _ = std::fs::remove_dir_all(&dir);
                synth::generate(&dir, n, 2025).expect("synthetic data");
                (dir, n)
            }
            Err(_) => (root.join("input"), 12),
        };
        let out = std::env::temp_dir().join(format!("kc-bench-out-{set}"));
        let runs = (20_000 / n).clamp(3, 50);

        let paths = [dir.clone()];
        let mut diags = Diagnostics::default();
        let files = validate::read_all(&paths, &mut diags);
        let read = median_ms(runs, || {
            validate::read_all(&paths, &mut Diagnostics::default());
        });
        let data = validate::check_files(&files, None, Diagnostics::default())
            .expect("valid synthetic data");
        let check = median_ms(runs, || {
            validate::check_files(&files, None, Diagnostics::default()).expect("valid");
        });
        // What `khuyencong validate` does: read and check, the folder as
        // both the files named and their context.
        let validate_cmd = median_ms(runs, || {
            validate::load(&paths, &paths, None).expect("valid");
        });
        let summary = aggregate::summarise(&data).expect("sums add up");
        let aggregate = median_ms(runs, || {
            aggregate::summarise(&data).expect("sums add up");
        });
        let templates =
            templating::Templates::load(Some(&root.join("templates"))).expect("templates");
        let md = markdown::number_headings(&templates.render(&summary).expect("renders"));
        let render = median_ms(runs, || {
            templates.render(&summary).expect("renders");
        });
        let doc = markdown::parse(&md).expect("parses");
        let model = median_ms(runs, || {
            markdown::parse(&md).expect("parses");
        });
        let layout = prepared::prepare(&doc).expect("lays out");
        let layout_ms = median_ms(runs, || {
            prepared::prepare(&doc).expect("lays out");
        });
        let docx_ms = median_ms(runs, || {
            docx::write(&layout).expect("docx");
        });
        let pdf_bytes = pdf::write(&layout).expect("pdf");
        let pdf_ms = median_ms(runs, || {
            pdf::write(&layout).expect("pdf");
        });
        let pages = pdf::layout::layout(&layout)
            .map(|l| l.pages.len())
            .unwrap_or(0);
        let inputs = pipeline::Inputs {
            input: dir.clone(),
            templates: root.join("templates"),
            year: None,
        };
        let total = median_ms(runs, || {
            let report = pipeline::run(&inputs).expect("builds");
            output::write(report, &out, &output::Wait::default()).expect("writes");
        });
        println!(
            "| {set} | {} | {read:.2} | {check:.2} | {validate_cmd:.2} | {aggregate:.2} | {render:.2} | {model:.2} | {layout_ms:.2} | {docx_ms:.2} | {pdf_ms:.2} | {total:.2} | {pages} |",
            files.len()
        );
        assert!(!pdf_bytes.is_empty());
        if set != "mau" {
            let _ = std::fs::remove_dir_all(&dir);
        }
        let _ = std::fs::remove_dir_all(&out);
    }
}
