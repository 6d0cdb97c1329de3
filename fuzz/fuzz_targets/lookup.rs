//! libFuzzer entry point of the `lookup` target; the checks are in `permscope::fuzz::lookup`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| permscope::fuzz::lookup(data));
