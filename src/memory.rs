//! Memory a thread may take, metered by the program's allocator: the
//! templates' render runs within a bound ([`crate::templating`]), and a
//! template that captures or concatenates text without end must be
//! stopped before the system refuses memory (Rust then aborts the process,
//! which `build --watch` would not survive).
//!
//! The binary's allocator is [`Metered`] around mimalloc. A thread that
//! runs a job through [`metered`] has its allocations counted against a
//! [`Meter`]; past the meter's limit the thread marks the meter and sleeps
//! for good, before it allocates: it holds what it had, takes no more and
//! uses no processor, and whoever waits for it reads the mark. Threads
//! without a meter (every other one) pay one thread-local read per
//! allocation.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::Duration;

/// What one thread may hold, and whether it went past it.
#[derive(Debug)]
pub struct Meter {
    limit: isize,
    used: AtomicIsize,
    over: AtomicBool,
}

impl Meter {
    pub fn new(limit: usize) -> Meter {
        Meter {
            limit: isize::try_from(limit).unwrap_or(isize::MAX),
            used: AtomicIsize::new(0),
            over: AtomicBool::new(false),
        }
    }

    /// Whether the metered thread went past the limit (it is asleep).
    pub fn over(&self) -> bool {
        self.over.load(Ordering::SeqCst)
    }

    /// Counts `bytes` more (or fewer); past the limit, sleeps for good.
    fn charge(&self, bytes: isize) {
        let used = self.used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if bytes > 0 && used > self.limit {
            self.over.store(true, Ordering::SeqCst);
            // Sleeping allocates nothing; the process ends the thread.
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
    }
}

thread_local! {
    /// The meter of the job running on this thread, if any. A plain
    /// pointer in a `Cell` (no destructor): reading it never allocates.
    static METER: Cell<*const Meter> = const { Cell::new(std::ptr::null()) };
}

/// Runs `job` on this thread with its allocations counted against `meter`.
pub fn metered<T>(meter: &Meter, job: impl FnOnce() -> T) -> T {
    METER.with(|m| m.set(meter));
    let value = job();
    METER.with(|m| m.set(std::ptr::null()));
    value
}

/// Counts `bytes` against this thread's meter, if it has one.
fn charge(bytes: isize) {
    let meter = METER.try_with(Cell::get).unwrap_or(std::ptr::null());
    // SAFETY: the pointer is set by `metered` only while the meter it
    // borrows is alive, and cleared before `metered` returns.
    if let Some(meter) = unsafe { meter.as_ref() } {
        meter.charge(bytes);
    }
}

/// An allocator that meters the threads running a metered job.
pub struct Metered<A>(pub A);

fn signed(bytes: usize) -> isize {
    isize::try_from(bytes).unwrap_or(isize::MAX)
}

// SAFETY: every call is forwarded to the wrapped allocator unchanged; the
// meter only counts, and may make the calling thread sleep before it asks.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Metered<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        charge(signed(layout.size()));
        self.0.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        charge(signed(layout.size()));
        self.0.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        charge(-signed(layout.size()));
        self.0.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        charge(signed(new_size) - signed(layout.size()));
        self.0.realloc(ptr, layout, new_size)
    }
}
