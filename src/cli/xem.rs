//! `khuyencong xem`: the year-end desk in a browser (`khuyencong::desk`),
//! until Ctrl+C.

use std::process::ExitCode;

use khuyencong::desk::{self, Config, PASSWORD_ENV};

use super::args::ViewArgs;

pub fn run(args: ViewArgs) -> ExitCode {
    let password = args
        .password
        .or_else(|| std::env::var(PASSWORD_ENV).ok())
        .filter(|p| !p.is_empty());
    let inputs = args.data.inputs(args.templates);
    if inputs.templates_dir().is_none() {
        super::build::no_templates_folder(&inputs);
    }
    let config = Config {
        inputs,
        output: args.output,
        address: args.address,
        port: args.port,
        password,
    };
    let served = desk::serve(config, |address| {
        if address.ip().is_unspecified() {
            out!(
                "Bàn làm việc đang mở ở cổng {port} trên mọi địa chỉ của máy: trên máy này mở http://127.0.0.1:{port}/, máy khác mở http://ĐỊA_CHỈ_MÁY_NÀY:{port}/ (cần mật khẩu). Ctrl+C để dừng.",
                port = address.port()
            );
        } else {
            out!("Bàn làm việc đang mở ở http://{address}/ — mở địa chỉ này trong trình duyệt (Ctrl+C để dừng).");
        }
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            err!("{e}");
            ExitCode::from(1)
        }
    }
}
