//! Element-wise "greater than" of two version blocks, 16 entries per SSE2
//! compare, one bit per entry gathered by `movemask`. SSE2 is part of every
//! x86-64, so these always run there; elsewhere they return `None` and the
//! caller computes the mask without them. The result is exact (an integer
//! compare), so determinism is untouched. Besides [`crate::prefetch`], the
//! crate's only `unsafe`: calling a function compiled for a target feature,
//! which the target always has.

/// Bit `j` set when `mine[j] > digest[j]`, for blocks of a whole number of
/// 16 entries and at most 64 (`None` off x86-64).
#[inline]
pub fn greater_u8(mine: &[u8], digest: &[u8]) -> Option<u64> {
    assert!(mine.len() == digest.len() && mine.len() <= 64 && mine.len() % 16 == 0);
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86-64 baseline.
    return Some(unsafe { sse2::greater_u8(mine, digest) });
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// [`greater_u8`] for `u16` entries.
#[inline]
pub fn greater_u16(mine: &[u16], digest: &[u16]) -> Option<u64> {
    assert!(mine.len() == digest.len() && mine.len() <= 64 && mine.len() % 16 == 0);
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86-64 baseline.
    return Some(unsafe { sse2::greater_u16(mine, digest) });
    #[cfg(not(target_arch = "x86_64"))]
    None
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpgt_epi16, _mm_cmpgt_epi8, _mm_movemask_epi8, _mm_packs_epi16, _mm_set1_epi16,
        _mm_set1_epi8, _mm_set_epi64x, _mm_xor_si128,
    };

    /// Two little-endian words as one register (low word first).
    #[target_feature(enable = "sse2")]
    fn register(low: u64, high: u64) -> __m128i {
        _mm_set_epi64x(high as i64, low as i64)
    }

    /// Entries are unsigned and the compare signed: flipping the top bit of
    /// both sides maps the unsigned order onto the signed one.
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

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
