//! A hint to the processor to start loading a value's cache line now, so
//! that a load issued later finds it in cache. It changes nothing the
//! program computes (a prefetch cannot fault and has no visible effect), so
//! determinism is untouched; it only lets two cache misses of one event
//! overlap instead of following each other.

/// Starts loading the cache line holding `value` (a no-op off x86-64).
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `prefetcht0` only hints the cache; it never faults and has no
    // effect on memory or registers, and the pointer comes from a reference.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
