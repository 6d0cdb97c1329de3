//! libFuzzer entry point of the `policy` target; the checks are in `permscope::fuzz::policy`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| permscope::fuzz::policy(data));
