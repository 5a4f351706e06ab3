//! Marking byte by byte: for the targets without the others' instructions, and the reference
//! that the tests hold the others to on every target.

/// The marks of 64 bytes (quotes and backslashes), and the control bytes among them.
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2", not(test)),
    expect(dead_code, reason = "x86-64 marks with SSE2 or AVX2; the tests compare those with this")
)]
#[inline]
pub(super) fn block(block: &[u8; 64]) -> (u64, u64) {
    let (mut marks, mut control) = (0u64, 0u64);
    for (k, &c) in block.iter().enumerate() {
        marks |= u64::from(c == b'"' || c == b'\\') << k;
        control |= u64::from(c < 0x20) << k;
    }
    (marks, control)
}
