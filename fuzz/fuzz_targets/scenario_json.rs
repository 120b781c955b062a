//! libFuzzer target `scenario_json`: see `scuttlesim_fuzz::scenario_json` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = scuttlesim_fuzz::scenario_json(data);
});
