//! The input mutator of the stable fuzz harnesses (`crates/fibers-cli/tests/fuzz_regressions.rs`
//! and `fuzz_resources.rs`, which include this file by path): truncations, byte flips, byte
//! insertions and deletions, tokens of the libFuzzer dictionaries, splices of two seeds and
//! repeated slices.

use std::path::Path;

/// The files of a directory as (path, bytes), sorted; empty when it does not exist.
pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .map(|e| {
                    (
                        e.path().display().to_string(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// A small deterministic generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The tokens of `fuzz/dict/<target>.dict` under `root`.
pub fn dictionary(root: &Path, target: &str) -> Vec<Vec<u8>> {
    let text =
        std::fs::read_to_string(root.join(format!("fuzz/dict/{target}.dict"))).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            let inner = l.strip_prefix('"')?.strip_suffix('"')?;
            Some(unescape(inner))
        })
        .collect()
}

/// The escapes of libFuzzer dictionaries: `\\`, `\"`, `\xNN`.
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            if b[i + 1] == b'x' && i + 3 < b.len() {
                if let Ok(v) = u8::from_str_radix(&s[i + 2..i + 4], 16) {
                    out.push(v);
                    i += 4;
                    continue;
                }
            }
            out.push(b[i + 1]);
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// One mutated input: a random seed changed by one to four mutations.
pub fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], dict: &[Vec<u8>]) -> Vec<u8> {
    let mut d = seeds[rng.below(seeds.len())].clone();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = d.len();
        match rng.below(8) {
            0 => d.truncate(rng.below(len + 1)),
            1 if len > 0 => {
                let i = rng.below(len);
                d[i] ^= 1 << rng.below(8);
            }
            2 if len > 0 => {
                let i = rng.below(len);
                d[i] = rng.next() as u8;
            }
            3 => {
                let i = rng.below(len + 1);
                d.insert(i, rng.next() as u8);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let k = 1 + rng.below(16.min(len - i));
                d.drain(i..i + k);
            }
            5 if !dict.is_empty() => {
                let tok = &dict[rng.below(dict.len())];
                let i = rng.below(len + 1);
                d.splice(i..i, tok.iter().copied());
            }
            6 => {
                let other = &seeds[rng.below(seeds.len())];
                let (i, j) = (rng.below(len + 1), rng.below(other.len() + 1));
                d.truncate(i);
                d.extend_from_slice(&other[j..]);
            }
            _ => {
                // Repeat a slice (long numbers, duplicated members).
                if len > 0 {
                    let i = rng.below(len);
                    let k = 1 + rng.below(32.min(len - i));
                    let piece = d[i..i + k].to_vec();
                    let at = rng.below(len + 1);
                    d.splice(at..at, piece);
                }
            }
        }
    }
    d
}
