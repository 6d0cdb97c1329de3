//! libFuzzer entry point of the `json` target; the checks are in `permscope::fuzz::json`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| permscope::fuzz::json(data));
