//! Element-wise "greater than" of two version blocks, 16 entries per SSE2
//! compare, one bit per entry gathered by `movemask`; the whole both-ways
//! digest scan at `u8`, 32 entries per AVX2 compare; ChaCha8's first
//! block for four streams at once (the seeds of [`crate::rng`]); and the
//! compress of a block's mask into a vector ([`compress_into`]). SSE2 is
//! part of every x86-64, so those always run there; AVX2 runs where the
//! processor reports it (checked at each call, a cached flag). Elsewhere
//! they return `None` or `false` and the caller computes the result
//! without them. The results are exact (integer operations), so
//! determinism is untouched. Besides [`crate::prefetch`], the library's
//! only `unsafe` (the binary's allocator has its own): calling a function
//! compiled for a target feature the processor has, AVX2's unaligned
//! loads, and the compress setting a vector's length over slots it wrote.

/// Bit `j` set when `mine[j] > digest[j]`, for blocks of a whole number of
/// 16 entries and at most 64 (`None` off x86-64).
#[inline]
pub fn greater_u8(mine: &[u8], digest: &[u8]) -> Option<u64> {
    assert!(mine.len() == digest.len() && mine.len() <= 64 && mine.len().is_multiple_of(16));
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86-64 baseline.
    return Some(unsafe { sse2::greater_u8(mine, digest) });
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// [`greater_u8`] for `u16` entries.
#[inline]
pub fn greater_u16(mine: &[u16], digest: &[u16]) -> Option<u64> {
    assert!(mine.len() == digest.len() && mine.len() <= 64 && mine.len().is_multiple_of(16));
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86-64 baseline.
    return Some(unsafe { sse2::greater_u16(mine, digest) });
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// Both ways of the digest scan at `u8`, 64 entries per block by AVX2:
/// for each block of `mine` and `digest` (of equal length, at least 64)
/// where they differ, in order, calls `block(first, newer, older)` with
/// bit `j` of `newer` set when `mine[first + j] > digest[first + j]` and of
/// `older` when the reverse. A length that is not a multiple of 64 ends
/// with a block of the last 64 entries (`first` is `len - 64`),
/// overlapping the one before, whose entries' bits it leaves clear: every
/// block is whole, and each entry is in the masks of one block only.
/// `false`, and no call, when the processor has no AVX2 (or off x86-64)
/// or the vectors are shorter than a block: the caller then scans them
/// its own way.
#[inline]
pub fn both_ways_u8(mine: &[u8], digest: &[u8], block: impl FnMut(usize, u64, u64)) -> bool {
    assert_eq!(mine.len(), digest.len(), "the vectors have one length");
    #[cfg(target_arch = "x86_64")]
    if mine.len() >= 64 && std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("popcnt") {
        // SAFETY: the processor has AVX2 and POPCNT (detected just above).
        unsafe { avx2::both_ways_u8(mine, digest, block) };
        return true;
    }
    let _ = block;
    false
}

/// Appends `make(j)` to `out` for each bit `j` set in `mask`, in the order
/// of `j`: a software compress of a 64-entry block's mask. The first
/// [`COMPRESS_UNROLLED`] are written with no branch per entry (a block
/// usually has fewer; unused slots are written and left past the end), so
/// the number of set bits mispredicts no loop exit. `make` is also called
/// with `j = 63` for slots past the last set bit, and must accept it.
#[inline(always)]
pub fn compress_into<T: Copy>(out: &mut Vec<T>, mut mask: u64, mut make: impl FnMut(usize) -> T) {
    let count = mask.count_ones() as usize;
    let room = count.max(COMPRESS_UNROLLED);
    out.reserve(room);
    let len = out.len();
    let spare = &mut out.spare_capacity_mut()[..room];
    for slot in &mut spare[..COMPRESS_UNROLLED] {
        slot.write(make(mask.trailing_zeros() as usize & 63));
        mask &= mask.wrapping_sub(1);
    }
    let mut at = COMPRESS_UNROLLED;
    while mask != 0 {
        spare[at].write(make(mask.trailing_zeros() as usize));
        mask &= mask - 1;
        at += 1;
    }
    // SAFETY: the `count` slots from `len` were written just above, one
    // per set bit (`reserve` made room for at least `count`).
    unsafe { out.set_len(len + count) };
}

/// How many entries [`compress_into`] writes with no branch per entry.
pub const COMPRESS_UNROLLED: usize = 8;

/// The first eight words of block 0 of ChaCha8 (`rand_chacha`'s layout:
/// the 64-bit block counter in words 12 and 13, zero here; the 64-bit
/// stream in words 14 and 15) under `key`, for four streams at once whose
/// low words are `streams` and whose high word is `high` (`None` off
/// x86-64). Entry `l` of the result is stream `l`'s words.
#[inline]
pub fn chacha8_block0_x4(key: &[u32; 8], streams: [u32; 4], high: u32) -> Option<[[u32; 8]; 4]> {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86-64 baseline.
    return Some(unsafe { sse2::chacha8_block0_x4(key, streams, high) });
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (key, streams, high);
        None
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_cmpgt_epi16, _mm_cmpgt_epi8, _mm_cvtsi128_si64, _mm_movemask_epi8,
        _mm_or_si128, _mm_packs_epi16, _mm_set1_epi16, _mm_set1_epi32, _mm_set1_epi8, _mm_set_epi32,
        _mm_set_epi64x, _mm_slli_epi32, _mm_srli_epi32, _mm_unpackhi_epi64, _mm_xor_si128,
    };

    /// Each 32-bit lane rotated left by `L` bits (`R` = 32 - `L`).
    #[target_feature(enable = "sse2")]
    fn rotl<const L: i32, const R: i32>(x: __m128i) -> __m128i {
        _mm_or_si128(_mm_slli_epi32::<L>(x), _mm_srli_epi32::<R>(x))
    }

    /// ChaCha's quarter round on words `a`, `b`, `c`, `d` of four states.
    #[target_feature(enable = "sse2")]
    fn quarter(x: &mut [__m128i; 16], a: usize, b: usize, c: usize, d: usize) {
        x[a] = _mm_add_epi32(x[a], x[b]);
        x[d] = rotl::<16, 16>(_mm_xor_si128(x[d], x[a]));
        x[c] = _mm_add_epi32(x[c], x[d]);
        x[b] = rotl::<12, 20>(_mm_xor_si128(x[b], x[c]));
        x[a] = _mm_add_epi32(x[a], x[b]);
        x[d] = rotl::<8, 24>(_mm_xor_si128(x[d], x[a]));
        x[c] = _mm_add_epi32(x[c], x[d]);
        x[b] = rotl::<7, 25>(_mm_xor_si128(x[b], x[c]));
    }

    /// See [`super::chacha8_block0_x4`]: one lane per stream.
    #[target_feature(enable = "sse2")]
    pub(super) fn chacha8_block0_x4(key: &[u32; 8], streams: [u32; 4], high: u32) -> [[u32; 8]; 4] {
        const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];
        let splat = |w: u32| _mm_set1_epi32(w as i32);
        let mut init = [splat(0); 16];
        for w in 0..4 {
            init[w] = splat(SIGMA[w]);
        }
        for w in 0..8 {
            init[4 + w] = splat(key[w]);
        }
        let [s0, s1, s2, s3] = streams.map(|s| s as i32);
        init[14] = _mm_set_epi32(s3, s2, s1, s0);
        init[15] = splat(high);
        let mut x = init;
        for _ in 0..4 {
            quarter(&mut x, 0, 4, 8, 12);
            quarter(&mut x, 1, 5, 9, 13);
            quarter(&mut x, 2, 6, 10, 14);
            quarter(&mut x, 3, 7, 11, 15);
            quarter(&mut x, 0, 5, 10, 15);
            quarter(&mut x, 1, 6, 11, 12);
            quarter(&mut x, 2, 7, 8, 13);
            quarter(&mut x, 3, 4, 9, 14);
        }
        let mut out = [[0u32; 8]; 4];
        for w in 0..8 {
            let v = _mm_add_epi32(x[w], init[w]);
            let low = _mm_cvtsi128_si64(v) as u64;
            let high = _mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v)) as u64;
            out[0][w] = low as u32;
            out[1][w] = (low >> 32) as u32;
            out[2][w] = high as u32;
            out[3][w] = (high >> 32) as u32;
        }
        out
    }

    /// Two little-endian words as one register (low word first).
    #[inline]
    #[target_feature(enable = "sse2")]
    fn register(low: u64, high: u64) -> __m128i {
        _mm_set_epi64x(high as i64, low as i64)
    }

    /// Entries are unsigned and the compare signed: flipping the top bit of
    /// both sides maps the unsigned order onto the signed one.
    #[inline]
    #[target_feature(enable = "sse2")]
    pub(super) fn greater_u8(mine: &[u8], digest: &[u8]) -> u64 {
        let flip = _mm_set1_epi8(i8::MIN);
        let load = |x: &[u8]| {
            let word = |w: &[u8]| u64::from_le_bytes(w.try_into().expect("8 entries"));
            _mm_xor_si128(register(word(&x[..8]), word(&x[8..16])), flip)
        };
        let mut bits = 0u64;
        for (c, (a, b)) in mine.chunks_exact(16).zip(digest.chunks_exact(16)).enumerate() {
            let gt = _mm_cmpgt_epi8(load(a), load(b));
            bits |= u64::from(_mm_movemask_epi8(gt) as u16) << (c * 16);
        }
        bits
    }

    /// As [`greater_u8`], eight entries per compare; two compares are
    /// packed to bytes (all-ones and zero lanes stay so) for one `movemask`.
    #[inline]
    #[target_feature(enable = "sse2")]
    pub(super) fn greater_u16(mine: &[u16], digest: &[u16]) -> u64 {
        let flip = _mm_set1_epi16(i16::MIN);
        let load = |x: &[u16]| {
            let word =
                |w: &[u16]| (w.iter().enumerate()).fold(0u64, |acc, (j, &v)| acc | u64::from(v) << (16 * j));
            _mm_xor_si128(register(word(&x[..4]), word(&x[4..8])), flip)
        };
        let mut bits = 0u64;
        for (c, (a, b)) in mine.chunks_exact(16).zip(digest.chunks_exact(16)).enumerate() {
            let low = _mm_cmpgt_epi16(load(&a[..8]), load(&b[..8]));
            let high = _mm_cmpgt_epi16(load(&a[8..]), load(&b[8..]));
            bits |= u64::from(_mm_movemask_epi8(_mm_packs_epi16(low, high)) as u16) << (c * 16);
        }
        bits
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpgt_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_set1_epi8,
        _mm256_xor_si256,
    };

    /// The masks of `newer` and `older` entries (see [`super::both_ways_u8`])
    /// of the 64 entries from `at`, which must be in both vectors.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn masks(mine: &[u8], digest: &[u8], at: usize) -> (u64, u64) {
        assert!(at + 64 <= mine.len() && at + 64 <= digest.len(), "a whole block");
        // Entries are unsigned and the compare signed: flipping the top bit
        // of both sides maps the unsigned order onto the signed one.
        let flip = _mm256_set1_epi8(i8::MIN);
        let load = |x: &[u8], k: usize| {
            // SAFETY: `at + k + 32 <= at + 64`, within `x` (asserted above);
            // the load is unaligned.
            let v = unsafe { _mm256_loadu_si256(x.as_ptr().add(at + k).cast::<__m256i>()) };
            _mm256_xor_si256(v, flip)
        };
        let (a0, a1) = (load(mine, 0), load(mine, 32));
        let (b0, b1) = (load(digest, 0), load(digest, 32));
        let bits = |x: __m256i, y: __m256i| u64::from(_mm256_movemask_epi8(_mm256_cmpgt_epi8(x, y)) as u32);
        (
            bits(a0, b0) | bits(a1, b1) << 32,
            bits(b0, a0) | bits(b1, a1) << 32,
        )
    }

    /// See [`super::both_ways_u8`] (`mine.len() >= 64` there).
    #[target_feature(enable = "avx2,popcnt")]
    pub(super) fn both_ways_u8(mine: &[u8], digest: &[u8], mut block: impl FnMut(usize, u64, u64)) {
        let len = mine.len();
        let whole = len / 64;
        for i in 0..whole {
            // Both vectors are cold in a large cluster (10 KB each at 10,000
            // nodes): ask for the lines six blocks on.
            let ahead = (i + 6) * 64;
            if let (Some(x), Some(y)) = (mine.get(ahead), digest.get(ahead)) {
                crate::prefetch::prefetch(x);
                crate::prefetch::prefetch(y);
            }
            let (newer, older) = masks(mine, digest, i * 64);
            if newer | older != 0 {
                block(i * 64, newer, older);
            }
        }
        let rest = len % 64;
        if rest > 0 {
            // The last 64 entries, of which the first `64 - rest` were in
            // the block before: their bits are cleared.
            let (newer, older) = masks(mine, digest, len - 64);
            let fresh = u64::MAX << (64 - rest);
            let (newer, older) = (newer & fresh, older & fresh);
            if newer | older != 0 {
                block(len - 64, newer, older);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The compress appends one entry per set bit, in bit order, after
    /// what the vector held: masks of every bit count from 0 to 64, onto
    /// vectors full to capacity and with room to spare.
    #[test]
    fn compress_appends_one_entry_per_set_bit() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for bits in 0..=64u32 {
            for _ in 0..20 {
                let mut mask = 0u64;
                while mask.count_ones() < bits {
                    mask |= 1 << rng.random_range(0..64);
                }
                let held: Vec<u32> = (0..rng.random_range(0..5)).map(|i| 1000 + i).collect();
                let mut out = held.clone();
                if rng.random_bool(0.5) {
                    out.shrink_to_fit();
                } else {
                    out.reserve(rng.random_range(0..80));
                }
                compress_into(&mut out, mask, |j| 7 * j as u32);
                let want: Vec<u32> = held
                    .iter()
                    .copied()
                    .chain((0..64).filter(|j| mask >> j & 1 == 1).map(|j| 7 * j))
                    .collect();
                assert_eq!(out, want, "mask {mask:#x}");
            }
        }
    }

    /// Every pair of byte values in every lane, and random `u16` blocks
    /// made of values around the sign bit, against a plain `>`.
    #[test]
    fn masks_match_a_plain_compare() {
        let plain = |a: &[u64], b: &[u64]| (0..a.len()).fold(0u64, |m, j| m | u64::from(a[j] > b[j]) << j);
        for x in 0..=255u8 {
            for y in 0..=255u8 {
                let lane = (x as usize * 7 + y as usize) % 64;
                let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
                (a[lane], b[lane]) = (x, y);
                let want = plain(&a.map(u64::from), &b.map(u64::from));
                if let Some(got) = greater_u8(&a, &b) {
                    assert_eq!(got, want, "{x} vs {y} in lane {lane}");
                }
            }
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let edges = [0u16, 1, 0x7ffe, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff];
        for len in [0, 16, 32, 48, 64] {
            for _ in 0..2_000 {
                let mut pick = || edges[rng.random_range(0..edges.len())];
                let a: Vec<u16> = (0..len).map(|_| pick()).collect();
                let b: Vec<u16> = (0..len).map(|_| pick()).collect();
                let want = plain(
                    &a.iter().map(|&v| v.into()).collect::<Vec<_>>(),
                    &b.iter().map(|&v| v.into()).collect::<Vec<_>>(),
                );
                if let Some(got) = greater_u16(&a, &b) {
                    assert_eq!(got, want, "{a:?} vs {b:?}");
                }
                let (a8, b8): (Vec<u8>, Vec<u8>) = (
                    a.iter().map(|&v| v as u8).collect(),
                    b.iter().map(|&v| v as u8).collect(),
                );
                if let Some(got) = greater_u8(&a8, &b8) {
                    assert_eq!(
                        got,
                        plain(
                            &a8.iter().map(|&v| v.into()).collect::<Vec<_>>(),
                            &b8.iter().map(|&v| v.into()).collect::<Vec<_>>()
                        )
                    );
                }
            }
        }
    }
}
