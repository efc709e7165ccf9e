//! Parallel map that only wakes the thread pool when there is enough work:
//! on two cores, idle pool workers spinning for work slow a small build
//! (the bundled sample) more than parallelism speeds it up.

use rayon::prelude::*;

/// Below this many items (files, submissions) work runs on the calling thread.
pub const PARALLEL_FROM: usize = 64;

/// `items.iter().map(f).collect()`, in parallel for large inputs; the order
/// of the results is always the order of the items.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    map_if(items.len() >= PARALLEL_FROM, items, f)
}

/// As [`map`], when the caller knows better whether the work is large.
pub fn map_if<T: Sync, R: Send>(
    parallel: bool,
    items: &[T],
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    if parallel {
        items.par_iter().map(f).collect()
    } else {
        items.iter().map(f).collect()
    }
}
