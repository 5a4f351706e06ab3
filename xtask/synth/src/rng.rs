//! A tiny seeded PRNG (SplitMix64) and the random-value helpers the generators share.
//!
//! Written here instead of pulling in `rand` so that the byte stream is fixed by this file
//! alone: the sample bucket and the bench tree must stay byte-identical across toolchains
//! and dependency updates. `fork` derives independent streams, which is what makes the
//! benchmark tree identical for any `--jobs` value (each file owns the stream of its index).

/// SplitMix64 state.
#[derive(Clone, Debug)]
pub struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser: a good 64-bit bijective mixer.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Stable 64-bit hash of a string (FNV-1a, then mixed), for values that must be the same
/// wherever a name recurs (an IAM user's access key, a role's id).
pub fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01B3);
    }
    mix(h)
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(mix(seed ^ 0x5EED_5EED_5EED_5EED))
    }

    /// An independent stream for `stream` (a file index, an actor id…).
    pub fn fork(&self, stream: u64) -> Rng {
        Rng(mix(self.0 ^ mix(stream.wrapping_mul(GOLDEN).wrapping_add(1))))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is irrelevant for n far below 2^64).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index into a slice of length `n`.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(hi >= lo);
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.index(xs.len())]
    }

    /// Index drawn with probability proportional to 1/(i+1) among `n` (a Zipf-like
    /// popularity curve: a few items dominate, a long tail is still present).
    pub fn zipf(&mut self, n: usize) -> usize {
        // Harmonic weights; n is small (tens), so a linear scan is fine.
        let total: f64 = (1..=n).map(|i| 1.0 / i as f64).sum();
        let mut x = self.unit() * total;
        for i in 0..n {
            x -= 1.0 / (i + 1) as f64;
            if x < 0.0 {
                return i;
            }
        }
        n - 1
    }

    fn push_from(&mut self, out: &mut String, set: &[u8], n: usize) {
        for _ in 0..n {
            out.push(set[self.index(set.len())] as char);
        }
    }

    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.push_from(&mut s, HEX, n);
        s
    }

    pub fn upper_hex(&mut self, n: usize) -> String {
        self.hex(n).to_ascii_uppercase()
    }

    pub fn alnum(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.push_from(&mut s, ALNUM, n);
        s
    }

    /// Upper-case letters and digits 2-7: the alphabet of AWS key and principal ids.
    pub fn key_chars(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.push_from(&mut s, UPPER_ALNUM, n);
        s
    }

    pub fn base64(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.push_from(&mut s, B64, n);
        s
    }

    pub fn digits(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.push_from(&mut s, b"0123456789", n);
        s
    }

    /// A random (version 4) GUID, lower-case as CloudTrail writes eventID.
    pub fn guid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        let mut s = String::with_capacity(36);
        let nib = |s: &mut String, v: u64, shift: u32| {
            s.push(HEX[((v >> shift) & 15) as usize] as char);
        };
        for i in 0..8 {
            nib(&mut s, a, 60 - 4 * i);
        }
        s.push('-');
        for i in 8..12 {
            nib(&mut s, a, 60 - 4 * i);
        }
        s.push_str("-4");
        for i in 13..16 {
            nib(&mut s, a, 60 - 4 * i);
        }
        s.push('-');
        s.push(HEX[(8 + ((b >> 62) & 3)) as usize] as char);
        for i in 1..4 {
            nib(&mut s, b, 60 - 4 * i);
        }
        s.push('-');
        for i in 4..16 {
            nib(&mut s, b, 60 - 4 * i);
        }
        s
    }
}

/// Cumulative-weight table for fast repeated weighted draws.
#[derive(Clone, Debug)]
pub struct Weighted {
    cum: Vec<u64>,
}

impl Weighted {
    pub fn new(weights: impl IntoIterator<Item = u64>) -> Weighted {
        let mut acc = 0;
        let cum = weights
            .into_iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect::<Vec<_>>();
        assert!(acc > 0, "weights must not all be zero");
        Weighted { cum }
    }

    pub fn draw(&self, rng: &mut Rng) -> usize {
        let x = rng.below(*self.cum.last().unwrap());
        self.cum.partition_point(|&c| c <= x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_deterministic_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut f1 = Rng::new(7).fork(1);
        let mut f2 = Rng::new(7).fork(2);
        assert_ne!(f1.next_u64(), f2.next_u64());
    }

    #[test]
    fn guid_shape() {
        let g = Rng::new(1).guid();
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
        assert!(g.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let w = Weighted::new([0, 5, 0, 1]);
        let mut r = Rng::new(3);
        for _ in 0..1000 {
            let i = w.draw(&mut r);
            assert!(i == 1 || i == 3);
        }
    }
}
