//! Bounds on rendering the templates: a template is a program a clerk
//! writes, and Tera 2 has no limit of its own. Three loops of
//! `range(end=100000)` would run for days, two loops that print text
//! grow the Markdown until memory runs out (the process then aborts).
//!
//! Each render runs on a thread of its own, with a [`Budget`]:
//! - **size**: the Markdown is written through a [`Bounded`] writer that
//!   refuses to grow past [`MAX_MARKDOWN_BYTES`] (a little more for a
//!   registry of many thousands of units: [`Limits::for_units`]);
//! - **time**: the writer, every filter of ours and the `range` function
//!   (which this module replaces) stop the render once [`TIME_LIMIT`] is
//!   past; the caller stops waiting then in any case, so a loop that
//!   neither prints nor calls anything (a list set once, iterated three
//!   times over) is abandoned, not waited for;
//! - **memory**: what the thread allocates is counted by the program's
//!   allocator ([`crate::memory`]); past [`MEMORY_LIMIT`] (text captured by
//!   `{% set %}`, strings doubled by `~`) the thread is put to sleep for
//!   good before it allocates, and the caller reports it.
//!
//! Whatever stops a render, the caller gets [`Exceeded`], said in
//! Vietnamese with the template's name: never an abort or a backtrace, and
//! `build --watch` goes on watching.

use std::cell::RefCell;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the templates may take to render: a province's report takes
/// milliseconds, a country's (some 700 districts) well under a second.
pub const TIME_LIMIT: Duration = Duration::from_secs(10);

/// The most Markdown the templates may write: 1.000 units write 0,6 MB.
pub const MAX_MARKDOWN_BYTES: usize = 50 * 1024 * 1024;

/// The most memory one render may take.
pub const MEMORY_LIMIT: usize = 512 * 1024 * 1024;

/// The bounds of a render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub time: Duration,
    pub bytes: usize,
    pub memory: usize,
}

impl Limits {
    /// The bounds for a report of `units` units: [`TIME_LIMIT`],
    /// [`MAX_MARKDOWN_BYTES`] and [`MEMORY_LIMIT`], with room for each unit
    /// past what any real registry has, so that a synthetic national test of
    /// 100.000 units (63 MB of Markdown, some seconds) still renders while a
    /// runaway loop is stopped all the same.
    pub fn for_units(units: usize) -> Limits {
        let units = units.min(10_000_000);
        Limits {
            time: TIME_LIMIT + Duration::from_micros(200 * units as u64),
            bytes: MAX_MARKDOWN_BYTES + 1024 * units,
            memory: MEMORY_LIMIT + 4 * 1024 * units,
        }
    }
}

/// Which bound a render went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    Time,
    Size,
    Memory,
}

impl Exceeded {
    const NONE: u8 = 0;

    fn code(self) -> u8 {
        match self {
            Exceeded::Time => 1,
            Exceeded::Size => 2,
            Exceeded::Memory => 3,
        }
    }

    fn of(code: u8) -> Option<Exceeded> {
        match code {
            1 => Some(Exceeded::Time),
            2 => Some(Exceeded::Size),
            3 => Some(Exceeded::Memory),
            _ => None,
        }
    }
}

/// The bounds of one render, shared by its thread and the caller.
#[derive(Debug)]
pub struct Budget {
    pub limits: Limits,
    deadline: Instant,
    /// The first bound passed (0: none yet).
    over: AtomicU8,
}

impl Budget {
    /// A budget of `limits` from now.
    pub fn new(limits: Limits) -> Arc<Budget> {
        Arc::new(Budget {
            limits,
            deadline: Instant::now() + limits.time,
            over: AtomicU8::new(Exceeded::NONE),
        })
    }

    /// Records that `bound` was passed (the first one stays).
    fn pass(&self, bound: Exceeded) {
        let _ = self.over.compare_exchange(
            Exceeded::NONE,
            bound.code(),
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
    }

    /// Stops the render (at its next check): its result is not wanted.
    pub fn cancel(&self) {
        self.pass(Exceeded::Time);
    }

    /// The bound passed, if any.
    pub fn exceeded(&self) -> Option<Exceeded> {
        Exceeded::of(self.over.load(Ordering::SeqCst))
    }

    /// Whether the render must stop now: a bound was passed, or the time
    /// is up (which is then recorded).
    fn stop(&self) -> bool {
        if self.exceeded().is_some() {
            return true;
        }
        if Instant::now() >= self.deadline {
            self.pass(Exceeded::Time);
            return true;
        }
        false
    }
}

thread_local! {
    /// The budget of the render running on this thread.
    static CURRENT: RefCell<Option<Arc<Budget>>> = const { RefCell::new(None) };
}

/// What a filter or function of ours returns when the render must stop;
/// the caller reads the budget, not this text.
const STOPPED: &str = "khuyencong: dừng dựng mẫu (vượt giới hạn)";

thread_local! {
    /// Calls of [`check`] on this thread: the clock is read every so many.
    static CALLS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Called by every filter and function of ours: an error once the render
/// running on this thread must stop (a bound passed elsewhere is seen at
/// once, the time every 64 calls: a filter takes microseconds).
pub fn check() -> tera::TeraResult<()> {
    let calls = CALLS.with(|c| {
        c.set(c.get().wrapping_add(1));
        c.get()
    });
    CURRENT.with(|current| match &*current.borrow() {
        Some(budget)
            if budget.exceeded().is_some() || (calls.is_multiple_of(64) && budget.stop()) =>
        {
            Err(tera::Error::message(STOPPED))
        }
        _ => Ok(()),
    })
}

/// The Markdown being written, refused past the budget's size; checks the
/// time every so many writes.
pub struct Bounded {
    pub bytes: Vec<u8>,
    budget: Arc<Budget>,
    writes: u32,
}

impl Bounded {
    pub fn new(budget: Arc<Budget>) -> Bounded {
        Bounded {
            bytes: Vec::new(),
            budget,
            writes: 0,
        }
    }
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writes = self.writes.wrapping_add(1);
        let stop = || std::io::Error::other(STOPPED);
        if self.bytes.len() + buf.len() > self.budget.limits.bytes {
            self.budget.pass(Exceeded::Size);
            return Err(stop());
        }
        if self.writes.is_multiple_of(256) && self.budget.stop() {
            return Err(stop());
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Tera's `range`, checking the budget each time it is called (a loop
/// inside a loop calls it again and again) and saying its limit in
/// Vietnamese.
pub fn range(kwargs: tera::Kwargs, _: &tera::State) -> tera::TeraResult<Vec<i128>> {
    /// Tera's own bound on one call.
    const MAX_RANGE_LEN: i128 = 100_000;
    check()?;
    let start = kwargs.get::<i128>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i128>("end")?;
    let step = kwargs.get::<i128>("step_by")?.unwrap_or(1);
    let refuse = |why: String| Err(tera::Error::message(format!("hàm `range`: {why}")));
    if step == 0 {
        return refuse("`step_by` bằng 0 thì không bao giờ đến `end`".into());
    }
    let span = if step > 0 {
        end.checked_sub(start)
    } else {
        start.checked_sub(end)
    };
    let step_size = step.checked_abs();
    let len = match (span, step_size) {
        (Some(span), _) if span <= 0 => 0,
        (Some(span), Some(size)) => span / size + i128::from(span % size != 0),
        _ => return refuse("số quá lớn".into()),
    };
    if len > MAX_RANGE_LEN {
        return refuse(format!(
            "tạo {} số, quá giới hạn 100.000 số mỗi lần gọi; một báo cáo không cần vòng lặp dài như vậy (lặp trên danh sách của dữ liệu, ví dụ `{{% for u in don_vi %}}`)",
            crate::format::so(len.into(), None)
        ));
    }
    Ok((0..len).map(|i| start + i * step).collect())
}

/// Tera's `throw`: stops the render with the template's own message, which
/// the error then shows.
pub fn throw(kwargs: tera::Kwargs, _: &tera::State) -> tera::TeraResult<bool> {
    let message = kwargs.must_get::<&str>("message")?;
    Err(tera::Error::message(format!("{THROWN}{message}")))
}

/// How a `throw` message starts, so the error can say where it came from.
pub const THROWN: &str = "khuyencong-throw: ";

/// How long a job that went past a bound is given to return.
const GRACE: Duration = Duration::from_millis(500);

/// A render running on a thread of its own (see [`spawn`]).
pub struct Pending<T> {
    budget: Arc<Budget>,
    meter: Arc<crate::memory::Meter>,
    result: Option<mpsc::Receiver<T>>,
}

/// Starts `job` on a thread of its own, within `budget` (its memory too);
/// `job` is given the budget (for its writer).
pub fn spawn<T: Send + 'static>(
    budget: Arc<Budget>,
    job: impl FnOnce(Arc<Budget>) -> T + Send + 'static,
) -> Pending<T> {
    let (done, result) = mpsc::channel();
    let meter = Arc::new(crate::memory::Meter::new(budget.limits.memory));
    let (mine, metering) = (Arc::clone(&budget), Arc::clone(&meter));
    let thread = move || {
        CURRENT.with(|c| *c.borrow_mut() = Some(Arc::clone(&mine)));
        let value = crate::memory::metered(&metering, || job(mine));
        CURRENT.with(|c| *c.borrow_mut() = None);
        let _ = done.send(value);
    };
    let spawned = std::thread::Builder::new()
        .name("dung-mau".into())
        .stack_size(16 * 1024 * 1024)
        .spawn(thread);
    Pending {
        budget,
        meter,
        // No thread to be had: the system is out of resources, as out of
        // memory.
        result: spawned.ok().map(|_| result),
    }
}

impl<T> Pending<T> {
    /// The job's value (a job stopped by a check of the budget returns
    /// too: [`Budget::exceeded`] then says why), or the bound it went past
    /// when it did not return. Waits at most until the time is up: a job
    /// that overruns is left to stop at its next check (or asleep, out of
    /// memory), not waited for.
    pub fn wait(self) -> Result<T, Exceeded> {
        let Some(result) = self.result else {
            return Err(Exceeded::Memory);
        };
        let mut stopped: Option<Instant> = None;
        loop {
            match result.recv_timeout(Duration::from_millis(20)) {
                Ok(value) => return Ok(value),
                Err(RecvTimeoutError::Timeout) => {}
                // The job ended without a value (a panic): said as out of
                // memory, the one way a render ends so.
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(self.budget.exceeded().unwrap_or(Exceeded::Memory))
                }
            }
            if self.meter.over() {
                // Asleep for good: nothing more will come.
                self.budget.pass(Exceeded::Memory);
                return Err(self.budget.exceeded().unwrap_or(Exceeded::Memory));
            }
            let now = Instant::now();
            if now >= self.budget.deadline {
                self.budget.pass(Exceeded::Time);
            }
            // A job that saw the bound returns at once, with where it was;
            // one that does not check is not waited for.
            if let Some(bound) = self.budget.exceeded() {
                if now >= *stopped.get_or_insert(now) + GRACE {
                    return Err(bound);
                }
            }
        }
    }
}
