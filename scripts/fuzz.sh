#!/usr/bin/env bash
# Runs each libFuzzer target in fuzz/ for a bounded time, starting from the committed seeds in
# fuzz/corpus/<target>/, several targets at once.
#
# Usage: scripts/fuzz.sh [--asan] [--jobs N] [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  fuzzing time of each target in seconds, default 60
#   TARGET              run only these targets; default every fuzz/fuzz_targets/*.rs
#   --jobs N            number of targets fuzzed at the same time, default the number of CPUs (nproc)
#   --asan              build through cargo-fuzz with AddressSanitizer instead (see below)
#
# The default build needs the stable toolchain and a C++ compiler, because libfuzzer-sys compiles
# libFuzzer from source. It is `cargo build --release` in fuzz/ with the coverage instrumentation
# that cargo-fuzz 0.13.2 adds (SanitizerCoverage with inline 8-bit counters, a PC table, compare
# tracing and stack depth), `--cfg fuzzing`, debug assertions and overflow checks, into its own
# target directory fuzz/target/sancov. permscope has no unsafe code, so the failures that matter are
# panics, timeouts and running out of memory, and this build detects all three.
# --asan adds AddressSanitizer for memory errors in the unsafe code of dependencies (nucleo-matcher's
# score matrix, for one). It installs cargo-fuzz 0.13.2 when missing (about 8.5 min on 2 cores)
# and makes the stable toolchain accept its unstable -Z flags with RUSTC_BOOTSTRAP=1.
#
# Exit status: 0 when no target failed, 2 on a usage or build error, and 1 when a target found a
# crash or a panic. Status 1 also covers an input that took longer than 10 s and one that made the
# process use more than 2,048 MB.
# A failing input is saved under fuzz/artifacts/<target>/; the message names it and the commands
# that replay it.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: $0 [--asan] [--jobs N] [SECONDS_PER_TARGET] [TARGET...]" >&2
    echo "  $1" >&2
    exit 2
}

available=()
for file in fuzz/fuzz_targets/*.rs; do
    available+=("$(basename "$file" .rs)")
done

asan=false
jobs=$(nproc 2>/dev/null || echo 1)
seconds=60
seconds_given=false
targets=()
while (($#)); do
    case $1 in
        --asan) asan=true ;;
        --jobs)
            (($# >= 2)) || usage "--jobs needs a number"
            jobs=$2
            shift
            ;;
        --jobs=*) jobs=${1#--jobs=} ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        -*) usage "unknown option $1" ;;
        *)
            if [[ $1 =~ ^[0-9]+$ ]] && ! $seconds_given; then
                seconds=$1
                seconds_given=true
            elif [[ " ${available[*]} " == *" $1 "* ]]; then
                targets+=("$1")
            else
                usage "$1 is neither a number of seconds nor a target; the targets are: ${available[*]}"
            fi
            ;;
    esac
    shift
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage "SECONDS_PER_TARGET must be a whole number of seconds above 0, not $seconds"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || usage "--jobs must be a whole number above 0, not $jobs"
((${#targets[@]})) || targets=("${available[@]}")

# Extra libFuzzer options per target. The search target gets inputs up to 24,000 bytes so queries of
# thousands of characters are tried; libFuzzer's default stops at 4,096.
declare -A options=(
    [policy]="-dict=fuzz/dict/policy.dict"
    [catalog]="-dict=fuzz/dict/catalog.dict"
    [search]="-max_len=24000"
    [json]="-dict=fuzz/dict/json.dict"
    [lookup]="-dict=fuzz/dict/lookup.dict"
)

host=$(rustc -vV | sed -n 's/^host: //p')
if $asan; then
    export RUSTC_BOOTSTRAP=1
    if ! cargo fuzz --version >/dev/null 2>&1; then
        echo "fuzz: installing cargo-fuzz"
        cargo install cargo-fuzz --locked --version 0.13.2 || exit 2
    fi
    echo "fuzz: building with cargo-fuzz and AddressSanitizer"
    # cargo-fuzz builds in release mode with debug assertions and AddressSanitizer by default.
    cargo fuzz build || exit 2
    bin_dir=fuzz/target/$host/release
    # `cargo fuzz run` sets this option for AddressSanitizer builds. The binaries run directly here,
    # so the script sets it instead.
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_odr_violation=0"
else
    flags=(
        -Cpasses=sancov-module
        -Cllvm-args=-sanitizer-coverage-level=4
        -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
        -Cllvm-args=-sanitizer-coverage-pc-table
        -Cllvm-args=-sanitizer-coverage-trace-compares
        --cfg fuzzing
        -Cdebug-assertions
        -Coverflow-checks
    )
    if [[ $host == *-linux-* ]]; then
        flags+=(-Cllvm-args=-sanitizer-coverage-stack-depth)
    fi
    echo "fuzz: building ${available[*]}"
    # With --target, RUSTFLAGS reaches only the fuzz binaries and their dependencies, not build
    # scripts and proc macros, which would not link against libFuzzer's coverage callbacks.
    RUSTFLAGS="${flags[*]} ${RUSTFLAGS:-}" cargo build --release --locked --bins \
        --manifest-path fuzz/Cargo.toml --target "$host" --target-dir fuzz/target/sancov || exit 2
    bin_dir=fuzz/target/sancov/$host/release
fi

work=fuzz/target/corpus
logs=fuzz/target/logs
mkdir -p "$logs"
declare -A running=() statuses=()

# Stops the fuzzers still running when the script is interrupted.
stop_running() {
    if ((${#running[@]})); then
        kill "${!running[@]}" 2>/dev/null || true
    fi
    exit 130
}
trap stop_running INT TERM

# Waits for one running fuzzer to exit and records its exit status.
wait_for_one() {
    local pid status
    if wait -n -p pid "${!running[@]}"; then status=0; else status=$?; fi
    statuses[${running[$pid]}]=$status
    echo "fuzz: ${running[$pid]} finished with exit status $status"
    unset "running[$pid]"
}

echo "fuzz: fuzzing ${targets[*]} for ${seconds} s each, $jobs at a time"
for target in "${targets[@]}"; do
    while ((${#running[@]} >= jobs)); do
        wait_for_one
    done
    # libFuzzer adds new inputs to the first corpus directory only, so the committed seeds stay as
    # they are.
    mkdir -p "$work/$target" "fuzz/artifacts/$target"
    read -r -a extra <<<"${options[$target]:-}"
    RUST_BACKTRACE=${RUST_BACKTRACE:-1} "$bin_dir/$target" -artifact_prefix="fuzz/artifacts/$target/" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}" \
        "$work/$target" "fuzz/corpus/$target" >"$logs/$target.log" 2>&1 &
    running[$!]=$target
    echo "fuzz: $target started (log: $logs/$target.log)"
done
while ((${#running[@]})); do
    wait_for_one
done

failed=()
for target in "${targets[@]}"; do
    log=$logs/$target.log
    if [[ ${statuses[$target]} == 0 ]]; then
        grep -E '^Done' "$log" | sed "s/^/fuzz: $target: /" || true
        continue
    fi
    failed+=("$target")
    echo "fuzz: $target FAILED with exit status ${statuses[$target]}" >&2
    # A panic's message comes before its backtrace, which can push it out of the last lines.
    awk '/ panicked at /{shown=1} /^stack backtrace:/{shown=0} shown' "$log" | head -n 20 >&2
    echo "fuzz: the last 30 lines of $log:" >&2
    tail -n 30 "$log" >&2
    input=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
    if [[ -z $input ]]; then
        echo "fuzz: $target saved no input; read $log for the cause" >&2
        continue
    fi
    echo "fuzz: the failing input is $input ($(wc -c <"$input") bytes)" >&2
    if (($(wc -c <"$input") <= 16384)); then
        echo "fuzz: its bytes in base64 (decode with base64 -d):" >&2
        base64 -w 0 "$input" >&2
        echo >&2
    fi
    replay="$bin_dir/$target $input"
    if $asan; then
        replay="ASAN_OPTIONS=detect_odr_violation=0 $replay"
    fi
    echo "fuzz: replay it with: $replay" >&2
    echo "fuzz: after the fix, keep it as a regression test: cp $input fuzz/regressions/$target/" \
        "&& cargo test --test fuzz_regressions" >&2
done

if ((${#failed[@]})); then
    echo "fuzz: failed targets: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: no failure in ${targets[*]} (${seconds} s each)"
