//! libFuzzer entry point of the `search` target; the checks are in `permscope::fuzz::search`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| permscope::fuzz::search(data));
