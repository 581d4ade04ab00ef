//! Spreads independent work over the machine's cores; results and errors come back in order.

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many threads to run: one per core.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `work` on every item, each core taking the next item as it finishes one, so that a
/// few long items do not leave a core idle. Stops at the first error.
pub fn try_for_each<T: Sync>(
    items: &[T],
    work: impl Fn(&T) -> anyhow::Result<()> + Sync,
) -> anyhow::Result<()> {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers().min(items.len().max(1)))
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
                        work(item)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("a worker thread panicked")))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn every_item_is_done_once_and_errors_come_back() {
        let items: Vec<usize> = (0..100).collect();
        let done = Mutex::new(Vec::new());
        try_for_each(&items, |&i| {
            done.lock().unwrap().push(i);
            Ok(())
        })
        .unwrap();
        let mut done = done.into_inner().unwrap();
        done.sort();
        assert_eq!(done, items);
        let failed = try_for_each(&items, |&i| {
            if i == 42 {
                anyhow::bail!("item {i}")
            } else {
                Ok(())
            }
        });
        assert_eq!(failed.unwrap_err().to_string(), "item 42");
    }
}
