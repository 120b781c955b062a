//! The binary's allocator: the system's, asking the kernel to back its
//! memory with transparent huge pages (`madvise(MADV_HUGEPAGE)`, for
//! kernels whose THP mode is `madvise`, the usual default), as glibc's
//! `glibc.malloc.hugetlb=1` tunable does.
//!
//! A large run reads its per-node state at random: with 4 KiB pages most
//! of those reads also miss the TLB, a page walk each. 2 MiB pages cover
//! the state with a few hundred TLB entries. Two kinds of memory get the
//! hint: large blocks (2 MiB or more, mapped apart by the system
//! allocator) unless zeroed, and, with glibc, the heap the smaller blocks
//! come from (a node's version vector, a message's deltas), each time it
//! has grown. The hint changes no byte of memory and no result
//! (determinism is untouched); where the kernel has no huge pages to give,
//! or on other systems, it does nothing.
//!
//! Its cost is memory touched sparsely: a huge page is populated whole. A
//! large zeroed block (an `N × N` table of which a run fills a few rows)
//! is therefore never advised — advising them took `quickstart.toml` at
//! 20,000 nodes from 0.6 to 12.8 GB — and a smaller one in the heap can
//! cost at most its own size, rounded to huge pages.

use std::alloc::{GlobalAlloc, Layout, System};
#[cfg(all(target_os = "linux", target_env = "gnu"))]
use std::sync::atomic::{AtomicUsize, Ordering};

/// Blocks at least this large get the hint (one huge page; smaller ones
/// cannot hold one).
#[cfg(target_os = "linux")]
const HUGE: usize = 2 << 20;

/// How far the heap grows at least each time (glibc's `M_TOP_PAD`): in
/// steps of many huge pages, most of each advised before it is touched,
/// rather than 128 KiB at a time.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const HEAP_STEP: usize = 64 << 20;

/// Blocks at least this large are mapped apart from the heap (glibc's
/// `M_MMAP_THRESHOLD`). Setting `M_TOP_PAD` freezes glibc's own threshold
/// at 128 KiB, which would map and unmap every block from there up (a
/// large run's digests) each time; one huge page keeps a zeroed block
/// large enough to be filled sparsely (an `N × N` table) out of the
/// advised heap, while the smaller ones a run allocates often stay in it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MAP_APART: usize = HUGE;

/// The heap's end (program break) when last looked at (0: not yet).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
static HEAP_END: AtomicUsize = AtomicUsize::new(0);

/// The base page size (set by [`init`]): `madvise` takes a range that
/// starts on a page.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
static PAGE: AtomicUsize = AtomicUsize::new(4096);

/// [`System`], with large blocks and the heap advised to use huge pages.
pub struct HugePages;

/// Makes the heap grow in [`HEAP_STEP`]s and notes where it ends now;
/// call once, first thing.
pub fn init() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `sysconf` only reads a system parameter.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        if page > 0 && (page as usize).is_power_of_two() {
            PAGE.store(page as usize, Ordering::Relaxed);
        }
        // SAFETY: `mallopt` only sets allocator parameters.
        unsafe {
            libc::mallopt(libc::M_TOP_PAD, HEAP_STEP as libc::c_int);
            libc::mallopt(libc::M_MMAP_THRESHOLD, MAP_APART as libc::c_int);
        }
        advise_heap();
    }
}

// SAFETY: every block comes from `System` and goes back to it with the same
// layout; the hint only reads the block's address range.
unsafe impl GlobalAlloc for HugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc(layout) };
        advise(p, layout.size());
        advise_heap_past(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc_zeroed(layout) };
        // Not this block: large zeroed blocks are the ones filled sparsely
        // (see the module's doc).
        advise_heap_past(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if new_size > layout.size() {
            advise(p, new_size);
            advise_heap_past(p, new_size);
        }
        p
    }
}

/// Advises the whole huge pages inside `[p, p + size)` to be huge.
#[inline]
fn advise(p: *mut u8, size: usize) {
    #[cfg(target_os = "linux")]
    if size >= HUGE && !p.is_null() {
        let start = (p as usize).next_multiple_of(HUGE);
        let end = (p as usize + size) & !(HUGE - 1);
        if end > start {
            advise_pages(start, end);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (p, size);
}

/// Advises the heap's new part if the block `[p, p + size)` ends past
/// the heap's end as last looked at (else the heap did not grow for it: a
/// load and a compare).
#[inline(always)]
fn advise_heap_past(p: *mut u8, size: usize) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if (p as usize).saturating_add(size) > HEAP_END.load(Ordering::Relaxed) {
        advise_heap();
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = (p, size);
}

/// Advises the heap's new part, if it grew since last looked at (a heap
/// that shrank is only noted). The heap is the main thread's, where a run
/// allocates: other threads allocate from arenas of their own, whose
/// large blocks alone get the hint. glibc only: elsewhere `sbrk` may cost
/// a system call, and the heap is not where blocks come from.
#[inline]
fn advise_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `sbrk(0)` only reads the program break.
        let end = unsafe { libc::sbrk(0) } as usize;
        if end != HEAP_END.load(Ordering::Relaxed) {
            let last = HEAP_END.swap(end, Ordering::Relaxed);
            if last != 0 && end > last {
                advise_pages(last & !(PAGE.load(Ordering::Relaxed) - 1), end);
            }
        }
    }
}

/// Advises the pages of `[start, end)`, a mapped range starting on a page.
#[cfg(target_os = "linux")]
fn advise_pages(start: usize, end: usize) {
    // SAFETY: the caller's range is mapped memory; the hint changes no
    // contents, and its error (no THP, or a heap that shrank meanwhile) is
    // ignored on purpose.
    unsafe {
        libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The `VmFlags` of the mapping holding `addr`, from `/proc/self/smaps`.
    fn flags_at(addr: usize) -> Option<String> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        let mut inside = false;
        for line in smaps.lines() {
            let range = line.split_whitespace().next().unwrap_or("");
            if let Some((a, b)) = range.split_once('-') {
                if let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16)) {
                    inside = (a..b).contains(&addr);
                    continue;
                }
            }
            if inside {
                if let Some(f) = line.strip_prefix("VmFlags:") {
                    return Some(f.to_string());
                }
            }
        }
        None
    }

    /// A large block's whole huge pages, and a grown heap's new part, are
    /// mapped with the hint (`hg`), and not what lies before. Skipped where
    /// the kernel has no THP to advise.
    #[test]
    fn large_blocks_and_the_grown_heap_are_advised() {
        if !std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
            .is_ok_and(|m| m.contains("[madvise]") || m.contains("[always]"))
        {
            return;
        }
        let a = HugePages;
        init();
        let large = Layout::from_size_align(6 << 20, 8).unwrap();
        // SAFETY: a non-zero size; freed below with the same layout.
        let p = unsafe { a.alloc(large) };
        assert!(!p.is_null());
        let inside = (p as usize).next_multiple_of(HUGE);
        assert!(flags_at(inside).is_some_and(|f| f.contains(" hg")), "large block");
        // SAFETY: allocated above with this layout.
        unsafe { a.dealloc(p, large) };

        // A grown heap's new part, here a mapping of our own: from the
        // page holding its old end on.
        let len = 8 << 20;
        // SAFETY: a fresh private anonymous mapping, unmapped below.
        let m = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(m, libc::MAP_FAILED);
        let base = m as usize;
        advise_pages(base + (3 << 20), base + len);
        assert!(
            flags_at(base + (3 << 20)).is_some_and(|f| f.contains(" hg")),
            "new part"
        );
        assert!(flags_at(base).is_some_and(|f| !f.contains(" hg")), "old part");
        // SAFETY: mapped above with this length.
        unsafe { libc::munmap(m, len) };
    }
}
