//! libFuzzer target `scenario_toml`: see `scuttlesim_fuzz::scenario_toml` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = scuttlesim_fuzz::scenario_toml(data);
});
