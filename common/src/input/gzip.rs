//! Gzip decompression.
//!
//! Whole files go through libdeflate, which inflates a complete member into a buffer sized in
//! advance at about three times the speed of streaming inflaters (measured on the bench tree,
//! bench/README.md). The
//! `libdeflater` crate does not expose the `_ex` call that reports how much input a member
//! used, and without it concatenated members (a saved `ct-fetch --stdout` stream) cannot be
//! walked, so this module calls libdeflate-sys directly. Streams of unknown length, such as
//! stdin, and any file libdeflate rejects go through flate2's multi-member decoder instead.

use std::io::{self, BufRead, Read};

use libdeflate_sys as ld;

/// The two magic bytes that open every gzip member.
pub const MAGIC: [u8; 2] = [0x1f, 0x8b];

pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[..2] == MAGIC
}

/// Why whole-buffer inflation gave up.
#[derive(Debug, PartialEq, Eq)]
pub enum WholeError {
    /// The data is corrupt or truncated; stream it to recover what precedes the damage.
    BadData,
    /// The output would exceed the limit; stream it instead of holding it in memory.
    TooLarge,
}

/// A reusable libdeflate decompressor.
pub struct Inflater {
    raw: *mut ld::libdeflate_decompressor,
}

// SAFETY: a libdeflate decompressor holds no thread-affine state and may move between threads
// as long as no two use it at once (libdeflate.h, on thread safety); `Inflater` is not `Sync`
// and its methods take `&mut self`, so only one thread uses it at a time.
unsafe impl Send for Inflater {}

impl Default for Inflater {
    fn default() -> Self {
        Self::new()
    }
}

impl Inflater {
    pub fn new() -> Self {
        // SAFETY: plain allocation call; a null result means the allocator failed.
        let raw = unsafe { ld::libdeflate_alloc_decompressor() };
        if raw.is_null() {
            std::alloc::handle_alloc_error(std::alloc::Layout::new::<[u8; 32 * 1024]>());
        }
        Inflater { raw }
    }

    /// Inflates every member of `input` into `out` (cleared first), refusing to grow `out`
    /// beyond `limit` bytes.
    pub fn gunzip(&mut self, input: &[u8], out: &mut Vec<u8>, limit: usize) -> Result<(), WholeError> {
        out.clear();
        let mut pos = 0;
        while pos < input.len() {
            let rest = &input[pos..];
            if !is_gzip(rest) {
                // Some writers pad a gzip file with zeros; anything else is damage.
                if rest.iter().all(|&b| b == 0) {
                    break;
                }
                return Err(WholeError::BadData);
            }
            // ISIZE (the last four bytes) is the exact size when the file is one member, which
            // is how CloudTrail writes it; otherwise it is a starting guess that doubles.
            let mut guess = if pos == 0 && input.len() >= 18 {
                let n = input.len();
                u32::from_le_bytes([input[n - 4], input[n - 3], input[n - 2], input[n - 1]]) as usize
            } else {
                0
            };
            guess = guess.max(rest.len().saturating_mul(4)).max(4096);
            loop {
                let room = guess.min(limit.saturating_sub(out.len()));
                out.reserve(room);
                let mut used_in = 0usize;
                let mut used_out = 0usize;
                // SAFETY: the output pointer and length describe `out`'s spare capacity,
                // which is at least `room` bytes after the reserve above; libdeflate writes at
                // most `room` bytes there and reports how many through `used_out`.
                let res = unsafe {
                    ld::libdeflate_gzip_decompress_ex(
                        self.raw,
                        rest.as_ptr().cast(),
                        rest.len(),
                        out.as_mut_ptr().add(out.len()).cast(),
                        room,
                        &mut used_in,
                        &mut used_out,
                    )
                };
                match res {
                    ld::libdeflate_result_LIBDEFLATE_SUCCESS => {
                        // SAFETY: libdeflate initialised `used_out` bytes of spare capacity.
                        unsafe { out.set_len(out.len() + used_out) };
                        pos += used_in;
                        break;
                    }
                    ld::libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE => {
                        if out.len() + room >= limit {
                            return Err(WholeError::TooLarge);
                        }
                        guess = guess.saturating_mul(2);
                    }
                    _ => return Err(WholeError::BadData),
                }
            }
        }
        Ok(())
    }
}

impl Drop for Inflater {
    fn drop(&mut self) {
        // SAFETY: `raw` came from libdeflate_alloc_decompressor and is freed once.
        unsafe { ld::libdeflate_free_decompressor(self.raw) }
    }
}

/// A streaming decoder over all concatenated members of `input`.
pub fn stream<R: BufRead>(input: R) -> flate2::bufread::MultiGzDecoder<R> {
    flate2::bufread::MultiGzDecoder::new(input)
}

/// Describes a decoder error in the words a user needs.
pub fn describe(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::UnexpectedEof => "truncated gzip data (unexpected end of file)".to_string(),
        _ => format!("corrupt gzip data ({err})"),
    }
}

/// Reads from `r` until `buf` is full or the end, retrying interruptions.
pub fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn inflates_one_member_and_concatenated_members() {
        let mut inf = Inflater::new();
        let mut out = Vec::new();
        inf.gunzip(&gz(b"hello world"), &mut out, 1 << 20).unwrap();
        assert_eq!(out, b"hello world");

        let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut both = gz(&big);
        both.extend(gz(b"second"));
        inf.gunzip(&both, &mut out, 1 << 30).unwrap();
        assert_eq!(out.len(), big.len() + 6);
        assert!(out.ends_with(b"second"));
    }

    #[test]
    fn rejects_truncation_and_respects_the_limit() {
        let mut inf = Inflater::new();
        let mut out = Vec::new();
        let data = gz(&vec![b'x'; 100_000]);
        assert_eq!(inf.gunzip(&data[..data.len() - 9], &mut out, 1 << 20), Err(WholeError::BadData));
        assert_eq!(inf.gunzip(&data, &mut out, 50_000), Err(WholeError::TooLarge));
        let mut padded = data.clone();
        padded.extend([0u8; 7]);
        inf.gunzip(&padded, &mut out, 1 << 20).unwrap();
        assert_eq!(out.len(), 100_000);
    }

    #[test]
    fn a_wrong_size_trailer_is_damage_not_a_crash() {
        let mut data = gz(&vec![b'y'; 70_000]);
        let n = data.len();
        data[n - 4..].copy_from_slice(&5u32.to_le_bytes());
        let mut out = Vec::new();
        assert_eq!(Inflater::new().gunzip(&data, &mut out, 1 << 20), Err(WholeError::BadData));
    }
}
