//! libFuzzer target `trace`: see `scuttlesim_fuzz::trace` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = scuttlesim_fuzz::trace(data);
});
