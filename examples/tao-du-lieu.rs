//! Writes a synthetic data set for benchmarks:
//! `cargo run --release --example tao-du-lieu -- SỐ_ĐƠN_VỊ THƯ_MỤC [HẠT_GIỐNG]`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(dir)) = (args.first().and_then(|n| n.parse().ok()), args.get(1)) else {
        eprintln!("Cách dùng: tao-du-lieu SỐ_ĐƠN_VỊ THƯ_MỤC [HẠT_GIỐNG]");
        std::process::exit(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2025);
    if let Err(e) = khuyencong::synth::generate(std::path::Path::new(dir), n, seed) {
        eprintln!("Lỗi: không ghi được dữ liệu vào {dir}: {e}");
        std::process::exit(1);
    }
}
