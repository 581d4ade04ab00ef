//! The logarithm the search module links in place of its own `logf` (src/wasm/logf.rs), so that
//! ranking in the browser scores as natively, against glibc's, which `f32::ln` calls here: the
//! same bits for every kind of number, and for an even spread of the positive ones.

#[path = "../src/wasm/logf.rs"]
mod logf;

fn same(x: f32) -> bool {
    let (got, want) = (logf::ln(x), x.ln());
    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan())
}

#[test]
fn special_numbers_as_glibc() {
    let numbers = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        f32::MIN_POSITIVE,
        f32::from_bits(1),
        f32::from_bits(0x007f_ffff),
        f32::MAX,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        std::f32::consts::E,
        2.0,
        0.5,
    ];
    for x in numbers {
        assert!(same(x), "ln({x:e}): {} natively, {}", x.ln(), logf::ln(x));
    }
}

#[test]
fn every_4093rd_positive_number_as_glibc() {
    // Every positive finite f32 agrees (checked once, in 20 s optimised); a test takes a
    // spread of half a million, subnormals and the numbers near 1 among them.
    let mut differing = Vec::new();
    for bits in (1..0x7f80_0000u32)
        .step_by(4093)
        .chain(0x3f70_0000..0x3f81_0000)
    {
        let x = f32::from_bits(bits);
        if !same(x) {
            differing.push(x);
        }
    }
    assert!(
        differing.is_empty(),
        "{} differ, first {:e}",
        differing.len(),
        differing[0]
    );
}
