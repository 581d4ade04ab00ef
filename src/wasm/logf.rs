//! The natural logarithm of an `f32` as glibc computes it, so that scores come out to the last
//! bit as natively. Ranking (BM25) takes the logarithm of each searched term's rarity; on
//! wasm32, Rust's `f32::ln` calls the `logf` of its own maths library (FreeBSD's algorithm),
//! which differs from glibc's in the last bit for some numbers: scores printed one digit apart,
//! and pages of equal score possibly ordered otherwise. This `logf` replaces that one (which is
//! linked weakly for this purpose). Without it, 49 of 2,100 answers of the parity check
//! (.ci/check-search-module) differed; those it printed, by a score's last digit.
//!
//! The algorithm and constants are those of Arm's optimized-routines `logf` (MIT), which glibc
//! (since 2.28) and musl ship: a table of 16 points `c` with `1/c` and `ln(c)`, and a
//! polynomial for `ln(1 + r)` near 0, computed in `f64`. Computed without fused multiply-adds
//! it gives the same result as glibc's on x86-64 (with or without them) for every positive
//! `f32`: checked for all 2,139,095,039 of them.

/// (1/c, ln(c)) for each of the 16 subintervals `z` falls in.
const TABLE: [(u64, u64); 16] = [
    (0x3ff661ec79f8f3be, 0xbfd57bf7808caade),
    (0x3ff571ed4aaf883d, 0xbfd2bef0a7c06ddb),
    (0x3ff49539f0f010b0, 0xbfd01eae7f513a67),
    (0x3ff3c995b0b80385, 0xbfcb31d8a68224e9),
    (0x3ff30d190c8864a5, 0xbfc6574f0ac07758),
    (0x3ff25e227b0b8ea0, 0xbfc1aa2bc79c8100),
    (0x3ff1bb4a4a1a343f, 0xbfba4e76ce8c0e5e),
    (0x3ff12358f08ae5ba, 0xbfb1973c5a611ccc),
    (0x3ff0953f419900a7, 0xbfa252f438e10c1e),
    (0x3ff0000000000000, 0x0000000000000000),
    (0x3fee608cfd9a47ac, 0x3faaa5aa5df25984),
    (0x3feca4b31f026aa0, 0x3fbc5e53aa362eb4),
    (0x3feb2036576afce6, 0x3fc526e57720db08),
    (0x3fe9c2d163a1aa2d, 0x3fcbc2860d224770),
    (0x3fe886e6037841ed, 0x3fd1058bc8a07ee1),
    (0x3fe767dcf5534862, 0x3fd4043057b6ee09),
];
const LN2: u64 = 0x3fe62e42fefa39ef;
/// ln(1 + r) ≈ r + POLY[2] r² + POLY[1] r³ + POLY[0] r⁴.
const POLY: [u64; 3] = [0xbfd00ea348b88334, 0x3fd5575b0be00b6a, 0xbfdffffef20a4123];
/// The subintervals start at about 0.7: `z` is the number scaled into [OFF, 2 OFF).
const OFF: u32 = 0x3f330000;

/// The symbol that `f32::ln` calls on wasm32: compiler-builtins defines it weakly, so this
/// definition wins at link time. (Natively this file is compiled only by the test that checks
/// it against glibc, tests/search_logf.rs: there it must not replace glibc's own.)
#[cfg(target_family = "wasm")]
#[no_mangle]
pub extern "C" fn logf(x: f32) -> f32 {
    ln(x)
}

/// ln(x), rounded as glibc's `logf` rounds it.
pub fn ln(x: f32) -> f32 {
    let mut ix = x.to_bits();
    if ix == 0x3f80_0000 {
        return 0.0;
    }
    if ix.wrapping_sub(0x0080_0000) >= 0x7f80_0000 - 0x0080_0000 {
        // Zero, subnormal, negative, infinite or not a number.
        if ix << 1 == 0 {
            return f32::NEG_INFINITY;
        }
        if ix == 0x7f80_0000 {
            return x;
        }
        if ix & 0x8000_0000 != 0 || ix << 1 >= 0xff00_0000 {
            return f32::NAN;
        }
        // Subnormal: made normal, its exponent taken back.
        ix = (x * 8_388_608.0).to_bits().wrapping_sub(23 << 23);
    }
    // x = 2^k z, z in [OFF, 2 OFF) and exact; ln(x) = ln(1 + (z/c - 1)) + ln(c) + k ln(2).
    let tmp = ix.wrapping_sub(OFF);
    let (inv_c, log_c) = TABLE[((tmp >> 19) % 16) as usize];
    let k = (tmp as i32) >> 23;
    let z = f64::from(f32::from_bits(ix.wrapping_sub(tmp & 0xff80_0000)));
    let r = z * f64::from_bits(inv_c) - 1.0;
    let y0 = f64::from_bits(log_c) + f64::from(k) * f64::from_bits(LN2);
    let [a0, a1, a2] = POLY.map(f64::from_bits);
    let r2 = r * r;
    let y = a1 * r + a2;
    let y = a0 * r2 + y;
    (y * r2 + (y0 + r)) as f32
}
