//! The `khuyencong` command: a thin shell over the library, in the manner of
//! ripgrep's `main.rs`. The schema is `cli::args`, each command has its own
//! module, and only `cli::messages` prints. Exit codes: 0 done, 1 the data or
//! templates need fixing (or the output cannot be written), 2 the command
//! was mistyped.

use std::process::ExitCode;

use clap::Parser;

mod cli;

use cli::args::{Cli, Command, TemplatesCommand};

#[global_allocator]
static GLOBAL: khuyencong::memory::Metered<mimalloc::MiMalloc> =
    khuyencong::memory::Metered(mimalloc::MiMalloc);

fn main() -> ExitCode {
    run().unwrap_or_else(cli::args::usage_error)
}

/// Runs the command named on the command line. clap reports `--help` and
/// `--version` the way it reports a mistyped command, as the error.
fn run() -> Result<ExitCode, clap::Error> {
    let cli = Cli::try_parse()?;
    Ok(match cli.command {
        None => cli::build::run(cli.build),
        Some(Command::Build(args)) => cli::build::run(args),
        Some(Command::Validate(args)) => cli::validate::run(args),
        Some(Command::Diff(args)) => cli::diff::run(args),
        Some(Command::Context(args)) => cli::context::run(args),
        Some(Command::Templates(TemplatesCommand::Export(args))) => cli::templates::export(args),
        Some(Command::Templates(TemplatesCommand::Check(args))) => cli::templates::check(args),
        Some(Command::Render(args)) => cli::render::run(args),
        Some(Command::Schema(args)) => cli::schema::run(args),
        Some(Command::BieuMau(args)) => cli::bieu_mau::run(args),
        Some(Command::Nhap(args)) => cli::nhap::run(args),
        Some(Command::Xem(args)) => cli::xem::run(args),
    })
}
