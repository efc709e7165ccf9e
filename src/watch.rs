//! `build --watch`: rebuild when an input or template file changes, so a
//! clerk can edit a template with the PDF open beside it. A failed rebuild
//! reports its errors and leaves the last good outputs in place. Each
//! rebuild takes the output folder's lock only to put it right and to
//! write, so a build run by hand meanwhile waits for it, and it for that one.
//! [`Changes`] is the watching alone, which the desk (`khuyencong xem`)
//! uses for its preview.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

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
    let mut changes = Changes::new(&[&inputs.input, &inputs.templates], debounce)?;
    each(build_once(inputs, output_dir, wait));
    loop {
        match stop.try_recv() {
            Ok(()) | Err(std::sync::mpsc::TryRecvError::Disconnected) => return Ok(()),
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
        }
        match changes.wait(Some(Duration::from_millis(100))) {
            Next::Changed => each(build_once(inputs, output_dir, wait)),
            Next::Quiet => {}
            Next::Closed => return Ok(()),
        }
    }
}

/// What [`Changes::wait`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// A file was written, moved or deleted.
    Changed,
    /// Nothing within the time asked.
    Quiet,
    /// The watcher is gone.
    Closed,
}

/// Real changes under some folders: the system's notifications (inotify,
/// no polling), gathered until `debounce` passes without one, then
/// confirmed by path, size and modification time. Reading a file is no
/// change: its notifications (open, read, closed unwritten) are dropped as
/// they arrive, or the reading done by a build — and by the confirming walk
/// itself — would set off another round, for ever.
pub struct Changes {
    _watcher: RecommendedWatcher,
    events: Receiver<()>,
    debounce: Duration,
    dirs: Vec<PathBuf>,
    last: Fingerprint,
}

impl Changes {
    /// Watches the folders of `dirs` that exist, recursively.
    pub fn new(dirs: &[&Path], debounce: Duration) -> Result<Changes, String> {
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            if event.as_ref().map_or(true, changes_something) {
                let _ = tx.send(());
            }
        })
        .map_err(|e| e.to_string())?;
        for dir in dirs {
            if dir.exists() {
                watcher
                    .watch(dir, RecursiveMode::Recursive)
                    .map_err(|e| format!("{}: {e}", dir.display()))?;
            }
        }
        let dirs: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
        let last = fingerprint(&dirs);
        Ok(Changes {
            _watcher: watcher,
            events,
            debounce,
            dirs,
            last,
        })
    }

    /// Waits for the files to change: at most `timeout`, or for as long as
    /// it takes (`None`, without waking in between).
    pub fn wait(&mut self, timeout: Option<Duration>) -> Next {
        let first = match timeout {
            Some(t) => self.events.recv_timeout(t),
            None => self
                .events
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
        };
        match first {
            Ok(()) => {}
            Err(RecvTimeoutError::Timeout) => return Next::Quiet,
            Err(RecvTimeoutError::Disconnected) => return Next::Closed,
        }
        // The rest of the burst (an editor's save is several events).
        loop {
            match self.events.recv_timeout(self.debounce) {
                Ok(()) => {}
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return Next::Closed,
            }
        }
        let now = fingerprint(&self.dirs);
        if now == self.last {
            Next::Quiet
        } else {
            self.last = now;
            Next::Changed
        }
    }
}

/// Whether a notification may mean a change: anything but a file or folder
/// opened, read, or closed without being written.
fn changes_something(event: &Event) -> bool {
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
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

type Fingerprint = Vec<(PathBuf, u64, Option<std::time::SystemTime>)>;

/// Path, size and modification time of every file under `dirs`.
fn fingerprint(dirs: &[PathBuf]) -> Fingerprint {
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
