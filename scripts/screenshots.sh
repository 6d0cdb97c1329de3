#!/usr/bin/env bash
# Takes PNG screenshots of the full-screen explorer, in English and in Chinese.
#
# Usage: scripts/screenshots.sh [OUTPUT_DIR]
#   OUTPUT_DIR defaults to screenshots/ in the repository. Set PERMSCOPE=/path/to/permscope to use
#   a binary you built; otherwise the script runs `cargo build` and uses target/debug/permscope.
#
# The explorer runs in a real terminal window: xterm with 120×40 cells, DejaVu Sans Mono for Latin
# text and symbols (✔ ✘) and WenQuanYi Zen Hei Mono for Chinese, on a private X server (Xvfb).
# xdotool types the keys and ImageMagick's `import -window` captures the window. Each language gets
# five images, named LANG-N-STATE.png:
#   1-start       first start, nothing granted
#   2-search      search "hgkz" (pinyin initials of 回滚快照) with both rollback APIs picked
#   3-enterprise  the same draft in the enterprise project scope
#   4-export      the export dialog
#   5-help        the key help overlay
# The images are stored with a 256-colour palette (PNG8): 30 to 40 KB each when last run.
#
# A capture is taken once two captures 0.3 s apart show the same pixels, so a half-drawn frame
# is not saved. The explorer runs with HOME=/home/user (only the export dialog shows it) and the
# XDG directories in a temporary directory, so your saved draft is neither read nor changed.
#
# Missing tools are installed from Debian's packages with apt-get, which needs root: xvfb, xterm,
# xdotool, imagemagick, fonts-dejavu-core and fonts-wqy-zenhei.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
output="${1:-$root/screenshots}"
mkdir -p "$output"

# Debian package for each command or font the script needs.
declare -A needed=(
    [Xvfb]=xvfb
    [xterm]=xterm
    [xdotool]=xdotool
    [import]=imagemagick
    [identify]=imagemagick
    [fc-list]=fontconfig
)
missing=()
for tool in "${!needed[@]}"; do
    command -v "$tool" >/dev/null || missing+=("${needed[$tool]}")
done
if command -v fc-list >/dev/null; then
    fc-list | grep -q "DejaVu Sans Mono" || missing+=(fonts-dejavu-core)
    fc-list | grep -q "WenQuanYi Zen Hei" || missing+=(fonts-wqy-zenhei)
else
    missing+=(fonts-dejavu-core fonts-wqy-zenhei)
fi
if ((${#missing[@]})); then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    echo "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ -n "${PERMSCOPE:-}" ]]; then
    binary="$PERMSCOPE"
else
    (cd "$root" && cargo build --quiet)
    binary="$root/target/debug/permscope"
fi

work="$(mktemp -d)"
xvfb_pid=""
xterm_pid=""
cleanup() {
    [[ -n "$xterm_pid" ]] && kill "$xterm_pid" 2>/dev/null || true
    [[ -n "$xvfb_pid" ]] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Xvfb picks a free display number and writes it to file descriptor 3 once it accepts connections.
Xvfb -displayfd 3 -nolisten tcp -screen 0 1280x900x24 3>"$work/display" 2>/dev/null &
xvfb_pid=$!
for _ in $(seq 100); do
    [[ -s "$work/display" ]] && break
    sleep 0.1
done
[[ -s "$work/display" ]] || { echo "Xvfb did not report a display number within 10 s" >&2; exit 1; }
export DISPLAY=":$(head -n1 "$work/display")"

window=""

# Waits until two captures of the window 0.3 s apart are identical.
settle() {
    import -window "$window" "rgb:$work/previous.rgb"
    for _ in $(seq 40); do
        sleep 0.3
        import -window "$window" "rgb:$work/current.rgb"
        if cmp -s "$work/previous.rgb" "$work/current.rgb"; then
            return 0
        fi
        mv "$work/current.rgb" "$work/previous.rgb"
    done
    echo "warning: the window kept changing; capturing it anyway" >&2
}

shoot() {
    local name="$1"
    settle
    import -window "$window" "PNG8:$output/$name.png"
    echo "wrote $output/$name.png ($(stat -c %s "$output/$name.png") bytes)"
}

keys() {
    xdotool key --clearmodifiers --delay 60 "$@"
}

for lang in en zh; do
    home="$work/home-$lang"
    mkdir -p "$home"
    title="permscope-screenshot-$lang"
    xterm -geometry 120x40+0+0 -u8 +sb -b 6 \
        -fa "DejaVu Sans Mono" -fd "WenQuanYi Zen Hei Mono" -fs 11 \
        -bg "#101010" -fg "#d0d0d0" \
        -xrm "XTerm*cursorBlink: false" -T "$title" \
        -e env -i HOME=/home/user XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
        LANG=C.UTF-8 TERM=xterm-256color PATH="$PATH" "$binary" --lang "$lang" &
    xterm_pid=$!
    window="$(xdotool search --sync --name "^$title\$" | head -n1)"
    xdotool windowfocus --sync "$window"

    # The first frame: wait until the window shows more than its background.
    for _ in $(seq 100); do
        import -window "$window" "$work/probe.png"
        [[ "$(identify -format %k "$work/probe.png")" -gt 8 ]] && break
        sleep 0.1
    done
    shoot "$lang-1-start"

    xdotool type --delay 60 "/hgkz"
    keys Return space j space
    shoot "$lang-2-search"

    keys s
    shoot "$lang-3-enterprise"

    keys e
    shoot "$lang-4-export"

    keys Escape
    sleep 0.3
    keys question
    shoot "$lang-5-help"

    keys Escape
    sleep 0.3
    keys q
    wait "$xterm_pid" || true
    xterm_pid=""
done
