#!/usr/bin/env bash
# Measures the full-screen explorer as a user runs it: the release binary in a private tmux server on
# a 120×40 screen, with keys sent by `tmux send-keys` and the screen read by `tmux capture-pane`.
#
# 1. Start to first frame on the built-in catalog, the median of RUNS starts. The pane's bash waits on
#    a FIFO until a reader is attached with `tmux pipe-pane`. bash then writes $EPOCHREALTIME and execs
#    permscope, and the reader notes the time at which the last word of the footer ("quit") reaches it.
#    The figure therefore includes exec, loading, terminal setup, the first frame and tmux passing the
#    output on. The same measurement of `printf 'q quit'` in place of permscope is printed as the
#    harness's own cost.
# 2. Peak resident memory (VmHWM from /proc/PID/status, read just before quitting) on the built-in
#    catalog and on a synthetic catalog of APIS APIs (default 100,000), after typing queries a
#    character at a time. Targets: at most 15 MiB for the built-in catalog, and at most 3 × the
#    catalog file size + 20 MiB for the synthetic one.
# 3. Key to complete results on screen on the synthetic catalog: the time from sending a key until the
#    search line shows the query's match count, polled with capture-pane. A key that leaves the count
#    unchanged cannot be timed this way and is skipped. The counts come from `permscope search --json`.
#    The precision is about one capture (the script prints the mean time per capture).
#
# Usage: scripts/measure-explorer.sh [APIS] [RUNS]
# Installs tmux and python3 from Debian's packages when missing, and builds the release binary. The
# explorer runs with HOME and the XDG directories in a temporary directory, so your saved draft is
# neither read nor changed.
set -euo pipefail
cd "$(dirname "$0")/.."

apis="${1:-100000}"
runs="${2:-15}"

# shellcheck source=scripts/common.sh
source scripts/common.sh
install_missing tmux=tmux python3=python3
build_release

work="$(mktemp -d)"
socket="permscope-measure-$$"
export TMUX_TMPDIR="$work"
tmux_() { tmux -L "$socket" -f /dev/null "$@"; }
cleanup() {
    tmux_ kill-server 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$permscope" catalog synth "$apis" --seed 1 -o "$work/catalog.json" 2>/dev/null
catalog_bytes=$(stat -c %s "$work/catalog.json")

# Queries typed on each catalog: English words, Chinese, pinyin initials and full pinyin, an action, a
# path and two-term queries. The synthetic ones are those of benches/engine.rs.
seed_queries=("snapshot" "回滚快照" "hgkz" "kuaizhao" "evs:snapshots:get" "delete metadata")
synth_queries=("snapshot" "创建云服务器" "cjyfwq" "huigun" "delete tags" "ecs:cloudServers:get"
    "/v2/{project_id}/vpcs" "list log stream" "vpc subnet get")

# The status line is the second row from the bottom of the 40-row screen.
status_row=38
timeout_seconds=120

milliseconds() { python3 -c "import sys; print(f'{(float(sys.argv[2]) - float(sys.argv[1])) * 1000:.1f}')" "$1" "$2"; }
median() { python3 -c "import statistics, sys; print(f'{statistics.median(float(v) for v in sys.argv[1:]):.1f}')" "$@"; }

# Starts a session named $1 running the rest of the arguments, with a fresh home directory.
start_session() {
    local name="$1"
    shift
    local home="$work/home-$name"
    mkdir -p "$home"
    tmux_ new-session -d -s "$name" -x 120 -y 40 -c "$home" \
        -e "HOME=$home" -e "XDG_DATA_HOME=$home/data" -e "XDG_CONFIG_HOME=$home/config" \
        -e "XDG_STATE_HOME=$home/state" -e "XDG_CACHE_HOME=$home/cache" \
        -e "LANG=C.UTF-8" -e "TERM=xterm-256color" -- "$@"
}

status_line() { tmux_ capture-pane -p -t "$1" -S "$status_row" -E "$status_row"; }

# Polls until the command `$2 ...` succeeds for session $1; fails with the screen after the timeout.
wait_until() {
    local name="$1"
    shift
    local deadline=$((SECONDS + timeout_seconds))
    until "$@"; do
        ((SECONDS <= deadline)) || timed_out "$name" "$@"
        sleep 0.01
    done
}

# Reports a wait that timed out, with the screen of session $1, and stops the script.
timed_out() {
    local name="$1"
    shift
    echo "timed out after $timeout_seconds s waiting for: $*" >&2
    tmux_ capture-pane -p -t "$name" >&2
    exit 1
}

screen_contains() { tmux_ capture-pane -p -t "$1" | grep -qF -- "$2"; }

# Tells whether the search line of session $1 shows query $2, and, when $3 is given, count $3.
search_line_is() {
    local line
    line="$(status_line "$1")"
    [[ $line == "Search: $2 "* || ($2 == "" && $line == "Search: "*) ]] || return 1
    [[ -z ${3:-} ]] && return 0
    local word="matches"
    (($3 == 1)) && word="match"
    [[ $line == *" $3 $word" ]]
}

# Prints how many APIs of catalog arguments $1 match query $2, as `permscope search` ranks them.
match_count() {
    local -a catalog_args=()
    [[ -n $1 ]] && catalog_args=(--catalog "$1")
    "$permscope" "${catalog_args[@]}" search --json -- "$2" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["results"]))'
}

# Starts the explorer in session $1 with the remaining arguments. bash waits for it and writes its exit
# status to a file, because tmux 3.3a does not always record the status of a dead pane.
start_explorer() {
    local name="$1"
    shift
    start_session "$name" env "EXIT_FILE=$work/$name.exit" bash -c '"$@"; echo "$?" >"$EXIT_FILE"' bash "$permscope" "$@"
}

# Reads the peak resident memory, in KiB, of the explorer of session $1: the child of the pane's bash.
peak_kib() {
    local pid
    pid="$(ps -o pid= --ppid "$(tmux_ display-message -p -t "$1" '#{pane_pid}')" | tr -d ' ')"
    awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status"
}

# Quits the explorer of session $1 with q and checks that it exits with status 0.
quit_explorer() {
    tmux_ send-keys -t "$1" q
    wait_until "$1" test -s "$work/$1.exit"
    local status
    status="$(cat "$work/$1.exit")"
    [[ $status == 0 ]] || { echo "the explorer exited with status $status" >&2; exit 1; }
    tmux_ kill-session -t "$1" 2>/dev/null || true
}

# Types query $3 in session $1 a character at a time on catalog arguments $2 (empty for the built-in
# catalog). Waits for each character's echo. With $4 = time, also times each key whose match count
# differs from the previous key's until that count is shown, and appends the times to `key_times`.
type_query() {
    local name="$1" catalog="$2" query="$3" timing="${4:-}"
    local previous
    previous="$(match_count "$catalog" "")"
    tmux_ send-keys -t "$name" /
    wait_until "$name" search_line_is "$name" "" "$previous"

    local prefix="" i
    for ((i = 0; i < ${#query}; i++)); do
        local char="${query:i:1}"
        prefix+="$char"
        local count
        count="$(match_count "$catalog" "$prefix")"
        if [[ $timing == time && $count != "$previous" ]]; then
            local start end
            start=$EPOCHREALTIME
            tmux_ send-keys -t "$name" -l -- "$char"
            # Polls without sleeping, so the precision is one capture.
            until search_line_is "$name" "$prefix" "$count"; do
                ((EPOCHSECONDS - ${start%.*} <= timeout_seconds)) || timed_out "$name" search_line_is "$name" "$prefix" "$count"
            done
            end=$EPOCHREALTIME
            key_times+=("$(milliseconds "$start" "$end")")
        else
            tmux_ send-keys -t "$name" -l -- "$char"
            wait_until "$name" search_line_is "$name" "$prefix"
            # Lets a search whose arrival the screen cannot show finish before the next timed key.
            [[ $timing == time ]] && sleep 1
        fi
        previous="$count"
    done
    wait_until "$name" search_line_is "$name" "$query" "$previous"

    # Esc clears the search; the next key waits until the line is gone, so it is not read as Alt+key.
    tmux_ send-keys -t "$name" Escape
    wait_until "$name" search_closed "$name"
}

search_closed() { ! search_line_is "$1" ""; }

# --- 1. Start to first frame ---------------------------------------------------------------------

cat >"$work/stamp.py" <<'EOF'
# Reads pane output on stdin and writes the time at which the marker first arrives to the file
# argv[1]. Creates argv[1].ready once it is reading, and reads on until the pane closes, so the pipe
# from tmux never fills.
import os, sys, time
path, marker = sys.argv[1], sys.argv[2].encode()
open(path + ".ready", "w").close()
seen, stamped = b"", False
while chunk := os.read(0, 65536):
    if stamped:
        continue
    seen += chunk
    if marker in seen:
        with open(path + ".tmp", "w") as out:
            out.write(f"{time.time():.6f}\n")
        os.rename(path + ".tmp", path)
        stamped = True
EOF

# Starts the command $2 ... in session $1, held on a FIFO until the reader runs, and prints the
# milliseconds from exec to the arrival of "quit" in the pane's output.
first_frame_ms() {
    local name="$1"
    shift
    local gate="$work/$name.gate" frame="$work/$name.frame" start="$work/$name.start"
    mkfifo "$gate"
    start_session "$name" env "GATE=$gate" "START=$start" \
        bash -c 'read -r _ <"$GATE"; echo "$EPOCHREALTIME" >"$START"; exec "$@"' bash "$@"
    tmux_ pipe-pane -t "$name" "python3 '$work/stamp.py' '$frame' quit"
    wait_until "$name" test -e "$frame.ready"
    echo go >"$gate"
    wait_until "$name" test -s "$frame"
    wait_until "$name" test -s "$start"
    milliseconds "$(cat "$start")" "$(cat "$frame")"
}

echo "start to first frame, built-in catalog, $runs starts:"
first_frames=()
baselines=()
for ((run = 1; run <= runs; run++)); do
    first_frames+=("$(first_frame_ms "start$run" "$permscope")")
    baselines+=("$(first_frame_ms "printf$run" printf 'q quit')")
    tmux_ kill-session -t "start$run"
    tmux_ kill-session -t "printf$run" 2>/dev/null || true
done
echo "  permscope: median $(median "${first_frames[@]}") ms (all: ${first_frames[*]})"
echo "  harness alone (printf): median $(median "${baselines[@]}") ms (all: ${baselines[*]})"
echo "  target: at most 10 ms"

# --- 2 and 3. Memory, and key to complete results ---------------------------------------------------

verdict() { if (($1 <= $2)); then echo "within target"; else echo "OVER TARGET"; fi; }

start_explorer seed
wait_until seed screen_contains seed "0/19 callable, 0 conditional"
for query in "${seed_queries[@]}"; do
    type_query seed "" "$query"
done
seed_kib="$(peak_kib seed)"
quit_explorer seed
seed_target_kib=$((15 * 1024))
echo "peak resident memory, built-in catalog: $seed_kib KiB (target at most $seed_target_kib KiB: $(verdict "$seed_kib" "$seed_target_kib"))"

key_times=()
start_explorer synth --catalog "$work/catalog.json"
wait_until synth screen_contains synth "┌ APIs $apis "
capture_start=$EPOCHREALTIME
for ((i = 0; i < 20; i++)); do status_line synth >/dev/null; done
capture_end=$EPOCHREALTIME
for query in "${synth_queries[@]}"; do
    type_query synth "$work/catalog.json" "$query" time
done
synth_kib="$(peak_kib synth)"
quit_explorer synth
synth_target_kib=$(((3 * catalog_bytes + 20 * 1024 * 1024) / 1024))
echo "peak resident memory, $apis APIs ($((catalog_bytes / 1024)) KiB of JSON): $synth_kib KiB (target at most $synth_target_kib KiB: $(verdict "$synth_kib" "$synth_target_kib"))"
fastest="$(printf '%s\n' "${key_times[@]}" | sort -g | head -1)"
slowest="$(printf '%s\n' "${key_times[@]}" | sort -g | tail -1)"
echo "key to complete results on screen, $apis APIs: median $(median "${key_times[@]}") ms, fastest $fastest ms, slowest $slowest ms over ${#key_times[@]} keys"
echo "  one capture-pane takes $(python3 -c "import sys; print(f'{(float(sys.argv[2]) - float(sys.argv[1])) * 1000 / 20:.1f}')" "$capture_start" "$capture_end") ms on average"
