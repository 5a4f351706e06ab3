//! Marking the quotes and backslashes of an event's text, and finding its control bytes, 64
//! bytes at a step (`mark`): the fast reader then finds a string's end by a bit scan instead of
//! a search per string. One file per instruction set, each compiled where it can run: AVX2
//! (chosen at run time), SSE2 (part of every x86-64) and the portable one, byte by byte, which
//! every target compiles and the tests hold the others to.

#[cfg(target_arch = "x86_64")]
mod avx2;
mod portable;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2;

/// The marks of 64 bytes without run-time detection: SSE2 where the build has it, else byte
/// by byte.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use self::sse2::block as static_block;

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
use self::portable::block as static_block;

/// Sets bit `k % 64` of `marks[k / 64]` where byte `k` of `b` is a quote or a backslash (the
/// bytes that can end a string or start an escape), so that finding a string's end is a bit
/// scan instead of a search per string (events hold some seventy strings, mostly short).
/// False when `b` has a control byte: those are left to serde, so strings need no check for
/// them and whitespace is only spaces. `marks` has a word for every 64 bytes of `b` begun.
pub(super) fn mark(b: &[u8], marks: &mut [u64]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: `avx2::mark` needs only that the CPU has AVX2, which it has (just checked;
        // the answer is cached by std).
        return unsafe { avx2::mark(b, marks) };
    }
    mark_with(b, marks, static_block)
}

/// `mark` with `block` computing the marks of 64 bytes (and the control bytes among them).
#[inline(always)]
fn mark_with(b: &[u8], marks: &mut [u64], block: impl Fn(&[u8; 64]) -> (u64, u64)) -> bool {
    let mut control = 0u64;
    let mut blocks = b.chunks_exact(64);
    for (chunk, slot) in (&mut blocks).zip(marks.iter_mut()) {
        let (m, c) = block(block_of(chunk));
        *slot = m;
        control |= c;
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        // The tail padded with spaces, which are neither marks nor control bytes.
        let mut last = [b' '; 64];
        last[..rest.len()].copy_from_slice(rest);
        let (m, c) = block(&last);
        if let Some(slot) = marks.last_mut() {
            *slot = m;
        }
        control |= c;
    }
    control == 0
}

/// A block of `chunks_exact(64)` as the array it is.
fn block_of(chunk: &[u8]) -> &[u8; 64] {
    chunk.try_into().unwrap_or(&[0; 64])
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// A way of marking a whole text, by name.
    type Marker = (&'static str, fn(&[u8], &mut [u64]) -> bool);

    /// Every way of marking that this build and CPU can run: the portable one first, then
    /// each instruction set's, then `mark` (the one the reader uses).
    fn markers() -> Vec<Marker> {
        let mut all: Vec<Marker> = vec![("portable", |b, m| super::mark_with(b, m, super::portable::block))];
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        all.push(("sse2", |b, m| super::mark_with(b, m, super::sse2::block)));
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            fn avx2(b: &[u8], marks: &mut [u64]) -> bool {
                // SAFETY: listed only where the CPU has AVX2 (checked just above).
                unsafe { super::avx2::mark(b, marks) }
            }
            all.push(("avx2", avx2));
        }
        all.push(("mark", super::mark));
        all
    }

    /// The marks and the answer of every way of marking `text`, beside the portable one's.
    fn all_agree(text: &[u8]) -> Result<(), TestCaseError> {
        let words = text.len().div_ceil(64);
        let mut portable = vec![0u64; words];
        let clean = super::mark_with(text, &mut portable, super::portable::block);
        for (name, marker) in markers() {
            let mut got = vec![0u64; words];
            prop_assert_eq!(marker(text, &mut got), clean, "{}", name);
            prop_assert_eq!(&got, &portable, "{}", name);
        }
        Ok(())
    }

    proptest! {
        /// Every way of marking (AVX2 where the CPU has it, SSE2, byte by byte) marks the quotes
        /// and backslashes of any text, and finds its control bytes.
        #[test]
        fn the_marks_are_the_same_every_way(text in proptest::collection::vec(prop_oneof![Just(b'"'), Just(b'\\'), Just(b'\n'), Just(0x1f), Just(0x20), Just(b'a'), Just(0xff)], 0..300)) {
            let words = text.len().div_ceil(64);
            let mut want = vec![0u64; words];
            for (k, &c) in text.iter().enumerate() {
                want[k / 64] |= u64::from(c == b'"' || c == b'\\') << (k % 64);
            }
            let control = text.iter().any(|&c| c < 0x20);
            let mut got = vec![0u64; words];
            prop_assert_eq!(super::mark(&text, &mut got), !control);
            prop_assert_eq!(&got, &want);
            let mut got = vec![0u64; words];
            prop_assert_eq!(super::mark_with(&text, &mut got, super::static_block), !control);
            prop_assert_eq!(&got, &want);
            let mut got = vec![0u64; words];
            prop_assert_eq!(super::mark_with(&text, &mut got, super::portable::block), !control);
            prop_assert_eq!(&got, &want);
            all_agree(&text)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        /// Each instruction set's marking agrees with the portable one on texts of any bytes
        /// and length (whole blocks, a tail, bytes on either side of the signed and control
        /// boundaries, which the vector comparisons are most likely to get wrong).
        #[test]
        fn each_instruction_set_marks_as_the_portable_one(
            text in proptest::collection::vec(prop_oneof![
                3 => any::<u8>(),
                1 => prop::sample::select(vec![b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xa2, 0xdc, 0xff]),
            ], 0..400)
        ) {
            all_agree(&text)?;
        }
    }

    /// Every byte value, at every position of a block, alone and among quotes: each way of
    /// marking reads each byte as the portable one does.
    #[test]
    fn every_byte_everywhere() {
        // Each instruction set this build and CPU have is among those compared.
        let names: Vec<&str> = markers().iter().map(|(name, _)| *name).collect();
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        assert!(names.contains(&"sse2"), "{names:?}");
        #[cfg(target_arch = "x86_64")]
        assert_eq!(names.contains(&"avx2"), std::arch::is_x86_feature_detected!("avx2"), "{names:?}");
        assert_eq!(names.first(), Some(&"portable"));
        for byte in 0..=255u8 {
            for at in [0, 1, 15, 16, 31, 32, 33, 47, 63, 64, 65, 100, 127] {
                let mut text = vec![b'a'; 130];
                text[at] = byte;
                all_agree(&text).unwrap();
                let mut quoted = vec![b'"'; 130];
                quoted[at] = byte;
                all_agree(&quoted).unwrap();
            }
        }
    }
}
