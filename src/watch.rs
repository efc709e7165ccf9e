//! `build --watch`: rebuild when an input or template file changes, so a
//! clerk can edit a template with the PDF open beside it. A failed rebuild
//! reports its errors and leaves the last good outputs in place. Each
//! rebuild takes the output folder's lock only to put it right and to
//! write, so a build run by hand meanwhile waits for it, and it for that one.

use std::path::Path;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::Duration;

use notify_debouncer_mini::new_debouncer;
use notify_debouncer_mini::notify::RecursiveMode;

use crate::output::{self, OutputError, Wait, Written};
use crate::pipeline::{self, BuildError, Inputs};

/// The result of one (re)build.
pub enum Outcome {
    Built(Box<Written>),
    Failed(BuildError),
    NotWritten(OutputError),
}

/// Builds once, then again after every burst of changes (settled for
/// `debounce`), until `stop` receives or is dropped. `each` sees every result;
/// `wait` says how to meet another build writing into `output_dir`.
pub fn watch(
    inputs: &Inputs,
    output_dir: &Path,
    wait: &Wait,
    debounce: Duration,
    stop: &Receiver<()>,
    mut each: impl FnMut(Outcome),
) -> Result<(), String> {
    let (tx, changes) = channel();
    let mut debouncer = new_debouncer(debounce, tx).map_err(|e| e.to_string())?;
    for dir in [&inputs.input, &inputs.templates] {
        if dir.exists() {
            debouncer
                .watcher()
                .watch(dir, RecursiveMode::Recursive)
                .map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    let dirs = [inputs.input.as_path(), inputs.templates.as_path()];
    let mut last = fingerprint(&dirs);
    each(build_once(inputs, output_dir, wait));
    loop {
        match stop.try_recv() {
            Ok(()) | Err(std::sync::mpsc::TryRecvError::Disconnected) => return Ok(()),
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
        }
        match changes.recv_timeout(Duration::from_millis(100)) {
            Ok(Ok(events)) if !events.is_empty() => {
                // Reading the files for a build raises events too: rebuild
                // only when something was really written, moved or deleted.
                let now = fingerprint(&dirs);
                if now != last {
                    last = now;
                    each(build_once(inputs, output_dir, wait));
                }
            }
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
    }
}

fn build_once(inputs: &Inputs, output_dir: &Path, wait: &Wait) -> Outcome {
    // An interrupted build is put right first, so that a failed rebuild
    // leaves a complete set behind, as it says.
    if let Err(e) = output::recover(output_dir, wait) {
        return Outcome::NotWritten(e);
    }
    match pipeline::run(inputs) {
        Ok(report) => match output::write(report, output_dir, wait) {
            Ok(w) => Outcome::Built(Box::new(w)),
            Err(e) => Outcome::NotWritten(e),
        },
        Err(e) => Outcome::Failed(e),
    }
}

/// Path, size and modification time of every file under `dirs`.
fn fingerprint(dirs: &[&Path]) -> Vec<(std::path::PathBuf, u64, Option<std::time::SystemTime>)> {
    dirs.iter()
        .flat_map(|d| walkdir::WalkDir::new(d).sort_by_file_name())
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            Some((e.into_path(), m.len(), m.modified().ok()))
        })
        .collect()
}
