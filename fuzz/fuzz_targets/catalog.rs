//! libFuzzer entry point of the `catalog` target; the checks are in `permscope::fuzz::catalog`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| permscope::fuzz::catalog(data));
