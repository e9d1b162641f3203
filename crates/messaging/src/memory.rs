//! The daemon's heap policy: what glibc's allocator keeps after a burst of large messages.
//!
//! By default glibc raises its mmap threshold to the size of the largest block freed (up to
//! 32 MiB) and its trim threshold to twice that, so after one burst of 64 KiB messages and a
//! client output queue of a few MiB, every later buffer comes from the brk heap and several MiB
//! of freed heap stay resident for good (measured: 9 MiB of the 13.7 MiB RSS of an idle node
//! after the benchmark). Fixing both thresholds keeps large buffers in their own mappings
//! (returned on free), and [`release_free_memory`], called about once a second by the event
//! loop, hands freed pages in the middle of the heap back to the kernel.

use crate::limits;

/// Sets the allocator's fixed thresholds ([`limits::MALLOC_MMAP_THRESHOLD_BYTES`],
/// [`limits::MALLOC_TRIM_THRESHOLD_BYTES`]) for this process. Call once, before the daemon
/// allocates its buffers; a no-op where the C library is not glibc.
pub fn configure_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let settings = [
            (libc::M_MMAP_THRESHOLD, limits::MALLOC_MMAP_THRESHOLD_BYTES),
            (libc::M_TRIM_THRESHOLD, limits::MALLOC_TRIM_THRESHOLD_BYTES),
            (libc::M_ARENA_MAX, limits::MALLOC_ARENAS_MAX),
        ];
        for (parameter, value) in settings {
            let value = i32::try_from(value).unwrap_or(i32::MAX);
            // SAFETY: mallopt only adjusts the allocator's tuning parameters; it takes plain
            // integers and is safe to call at any time.
            if unsafe { libc::mallopt(parameter, value) } != 1 {
                tracing::debug!("mallopt({parameter}, {value}) was refused");
            }
        }
    }
}

/// Returns free heap pages to the kernel (glibc's `malloc_trim(0)`); a no-op elsewhere.
/// Costs a walk over the free lists, so call it at most about once a second.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only releases memory the allocator holds as free.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

/// Decides when the event loop releases free heap memory: at most once per
/// [`limits::MEMORY_TRIM_INTERVAL_MS`].
#[derive(Debug, Default)]
pub struct TrimSchedule {
    last_ms: u64,
}

impl TrimSchedule {
    /// Whether a trim is due at `now_ms`; if so, records it as done.
    pub fn due(&mut self, now_ms: u64) -> bool {
        if now_ms.saturating_sub(self.last_ms) < limits::MEMORY_TRIM_INTERVAL_MS {
            return false;
        }
        self.last_ms = now_ms;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_at_most_once_per_interval() {
        let mut schedule = TrimSchedule::default();
        let start = limits::MEMORY_TRIM_INTERVAL_MS;
        assert!(schedule.due(start));
        assert!(!schedule.due(start + 1));
        assert!(!schedule.due(start + limits::MEMORY_TRIM_INTERVAL_MS - 1));
        assert!(schedule.due(start + limits::MEMORY_TRIM_INTERVAL_MS));
    }

    #[test]
    fn configuring_and_trimming_leave_the_allocator_usable() {
        configure_allocator();
        let big = vec![7u8; 4 * limits::MALLOC_MMAP_THRESHOLD_BYTES];
        let small: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8; 1024]).collect();
        drop(big);
        release_free_memory();
        assert!(small.iter().enumerate().all(|(i, v)| v[0] == i as u8));
    }
}
