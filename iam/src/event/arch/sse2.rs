//! Marking with SSE2, sixteen bytes at a time: the default on x86-64, every one of which has
//! SSE2.

use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8};

/// The marks of 64 bytes (quotes and backslashes), and the control bytes among them.
#[inline]
pub(super) fn block(block: &[u8; 64]) -> (u64, u64) {
    let (mut marks, mut control) = (0u64, 0u64);
    for (n, chunk) in block.chunks_exact(16).enumerate() {
        let half = |h: &[u8]| i64::from_le_bytes(h.try_into().unwrap_or_default());
        let (low, high) = (half(&chunk[..8]), half(&chunk[8..]));
        // SAFETY: these intrinsics only need SSE2, which this build has (this file is compiled
        // only with it; it is part of every x86-64). They compute on values; nothing is read
        // through a pointer.
        let (m, c) = unsafe {
            let v = _mm_set_epi64x(high, low);
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // Below 0x20 exactly where the unsigned minimum with 0x1f leaves the byte as is.
            let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            (_mm_movemask_epi8(_mm_or_si128(quote, backslash)), _mm_movemask_epi8(control))
        };
        marks |= u64::from(m as u16) << (16 * n);
        control |= u64::from(c as u16) << (16 * n);
    }
    (marks, control)
}
