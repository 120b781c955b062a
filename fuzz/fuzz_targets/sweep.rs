//! libFuzzer target `sweep`: see `scuttlesim_fuzz::sweep` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = scuttlesim_fuzz::sweep(data);
});
