#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ with cargo-fuzz (libFuzzer) for a bounded time, starting from the
# committed seed corpus fuzz/corpus/<target>/.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
# Exit status: 0 when no target failed, 1 when a target found a crash, a panic or an input that
# took longer than 10 s, 2 on a usage, install or build error.
# A failing input is saved under fuzz/artifacts/<target>/; the message names it and the command
# that replays it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if [[ ! $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SECONDS_PER_TARGET]  (a whole number of seconds, default 60)" >&2
    exit 2
fi

# Each target with its extra libFuzzer options. The search target gets inputs up to 24,000 bytes so
# queries of thousands of characters are tried; libFuzzer's default stops at 4,096.
targets=(policy catalog search json)
declare -A options=(
    [policy]="-dict=fuzz/dict/policy.dict"
    [catalog]="-dict=fuzz/dict/catalog.dict"
    [search]="-max_len=24000"
    [json]="-dict=fuzz/dict/json.dict"
)
# lookup: the target for the request-line parser of `permscope lookup` goes here, as
# `targets+=(lookup)` with `options[lookup]=...`, together with fuzz/fuzz_targets/lookup.rs, its
# [[bin]] entry in fuzz/Cargo.toml and seeds in fuzz/corpus/lookup/.

# cargo-fuzz builds with unstable -Z flags (AddressSanitizer). RUSTC_BOOTSTRAP=1 makes the stable
# toolchain accept them, so no nightly toolchain is needed.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked --version 0.13.2 || exit 2
fi

echo "fuzz: building ${#targets[@]} targets"
cargo fuzz build || exit 2

for defined in $(cargo fuzz list); do
    if [[ ! " ${targets[*]} " =~ " $defined " ]]; then
        echo "fuzz: warning: target $defined is defined in fuzz/ but not run by $0" >&2
    fi
done

work=fuzz/target/corpus
logs=fuzz/target/logs
mkdir -p "$logs"
failed=()
for target in "${targets[@]}"; do
    # libFuzzer writes new inputs to the first directory only, so the committed seeds stay unchanged.
    mkdir -p "$work/$target"
    log="$logs/$target.log"
    read -r -a extra <<<"${options[$target]}"
    echo "fuzz: $target for ${seconds} s"
    if cargo fuzz run "$target" "$work/$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}" \
        >"$log" 2>&1; then
        grep -E '^Done' "$log" | sed "s/^/fuzz: $target: /" || true
    else
        failed+=("$target")
        echo "fuzz: $target FAILED; the last lines of $log:" >&2
        tail -n 40 "$log" >&2
        echo "fuzz: replay a saved input with: RUSTC_BOOTSTRAP=1 cargo fuzz run $target fuzz/artifacts/$target/FILE" >&2
    fi
done

if ((${#failed[@]})); then
    echo "fuzz: failed targets: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds} s each with no failure"
