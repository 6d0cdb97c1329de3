#!/usr/bin/env bash
# Measures the peak resident memory of `permscope check` and `permscope search` on a synthetic catalog
# (default 100,000 APIs), on a first run, a cached run and without the cache, and compares it with the
# target: at most 3 × the catalog file size + 20 MB.
#
# The policy checked is at Huawei's limits: 8 statements of 100 action patterns, most with wildcards,
# built from the catalog's actions. Peak memory comes from GNU time's "Maximum resident set size".
#
# Usage: scripts/measure-memory.sh [APIS]
# Installs GNU time and python3 from Debian's packages when missing, and builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."

apis="${1:-100000}"

# shellcheck source=scripts/common.sh
source scripts/common.sh
install_missing /usr/bin/time=time python3=python3
build_release

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A private, empty catalog cache: each command is measured on its first run, which parses the JSON and
# writes the cache, and on its second, which reads the cache.
export XDG_CACHE_HOME="$work/cache"
"$permscope" catalog synth "$apis" --seed 1 -o "$work/catalog.json" 2>/dev/null
python3 - "$work/catalog.json" "$work/policy.json" <<'EOF'
import json, sys
catalog = json.load(open(sys.argv[1], encoding="utf-8"))
actions = sorted({action for api in catalog["apis"] for action in api["actions"]})
statements = []
for s in range(8):
    patterns = []
    for p in range(100):
        action = actions[(s * 100 + p) * 7 % len(actions)]
        service, resource, operation = action.split(":")
        patterns.append([f"{service}:*:get*", f"{service}:{resource}:*", f"{service}:*:list*",
                         f"{service}:{resource}:{operation[0]}*", action][p % 5])
    statement = {"Effect": "Deny" if s >= 6 else "Allow", "Action": patterns}
    if s == 5:
        statement["Condition"] = {"StringEquals": {"g:ProjectName": ["cn-north-4"]}}
    statements.append(statement)
json.dump({"Version": "1.1", "Statement": statements}, open(sys.argv[2], "w"), indent=1)
EOF

size=$(stat -c %s "$work/catalog.json")
target_kb=$(((3 * size + 20 * 1024 * 1024) / 1024))
echo "catalog: $apis APIs, $((size / 1024)) KiB; target: at most $target_kb KiB resident"
measure() {
    local name="$1"
    shift
    local kb
    kb=$(/usr/bin/time -f "%M" "$permscope" --catalog "$work/catalog.json" "$@" 2>&1 >/dev/null | tail -1)
    local verdict="within target"
    ((kb <= target_kb)) || verdict="OVER TARGET"
    echo "$name: peak resident $kb KiB ($verdict)"
}
measure "check (8 x 100 patterns), first run" check "$work/policy.json"
measure "check (8 x 100 patterns), cached" check "$work/policy.json"
measure "check --json (8 x 100 patterns), cached" check --json "$work/policy.json"
rm -rf "$XDG_CACHE_HOME"
measure "search snapshot, first run" search snapshot
measure "search snapshot, cached" search snapshot
measure "search snapshot, --no-cache" --no-cache search snapshot
