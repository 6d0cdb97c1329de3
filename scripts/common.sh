# Shared by the measuring scripts in this folder; source it after `cd` to the repository root.

# Installs the named Debian packages, each given as COMMAND=PACKAGE, whose command is not found. A
# COMMAND that starts with / is tested as an executable path (GNU time is /usr/bin/time, not `time`).
install_missing() {
    local missing=() pair command
    for pair in "$@"; do
        command="${pair%%=*}"
        if [[ $command == /* ]]; then
            [[ -x $command ]] || missing+=("${pair#*=}")
        else
            command -v "$command" >/dev/null || missing+=("${pair#*=}")
        fi
    done
    if ((${#missing[@]})); then
        echo "installing ${missing[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# Builds the release binary and sets `permscope` to its path.
build_release() {
    cargo build --release --locked --quiet
    permscope="$PWD/target/release/permscope"
}
