#!/usr/bin/env bash
# Times `permscope search` against `fzf --filter` on the same 100,000 APIs and the same queries, side by
# side in one run. For each query it prints both tools' median wall time and median CPU time (user +
# system, all threads), and the wall-time ratio. On a machine shared with other work the CPU times are
# the steadier figure.
#
# Both tools get the same text to search: fzf reads one line per API (method, path, Chinese name,
# English name, actions), permscope reads the catalog those lines were made from. Both print every match
# to /dev/null. Pinyin queries are left out because fzf cannot match them.
#
# permscope keeps a parsed copy of a large catalog in its cache directory after the first run (a
# private one under the temporary directory here, filled by one untimed run). The main comparison is
# with that cache, because a user's second and later searches run with it. The `--no-cache` column
# parses the JSON every time, as the first search of a new catalog file does.
#
# Usage: scripts/bench-search-vs-fzf.sh [APIS] [RUNS]   (defaults: 100000 APIs, 7 runs per query)
# Installs fzf and python3 from Debian's packages when missing, and builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."

apis="${1:-100000}"
runs="${2:-7}"

# shellcheck source=scripts/common.sh
source scripts/common.sh
install_missing fzf=fzf python3=python3
build_release

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"
"$permscope" catalog synth "$apis" --seed 1 -o "$work/catalog.json" 2>/dev/null
python3 - "$work/catalog.json" "$work/rows.txt" <<'EOF'
import json, sys
catalog = json.load(open(sys.argv[1], encoding="utf-8"))
with open(sys.argv[2], "w", encoding="utf-8") as rows:
    for api in catalog["apis"]:
        fields = [api["method"], api["path"], api["name"]["zh"], api["name"]["en"], *api["actions"]]
        rows.write(" ".join(fields) + "\n")
EOF

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "fzf $(fzf --version | cut -d' ' -f1), $apis APIs, catalog $(du -h "$work/catalog.json" | cut -f1), rows $(du -h "$work/rows.txt" | cut -f1), $runs runs per query"

python3 - "$permscope" "$work/catalog.json" "$work/rows.txt" "$runs" <<'EOF'
import resource, statistics, subprocess, sys, time

permscope, catalog, rows, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
queries = ["snapshot", "delete tags", "ecs:cloudServers:get", "/v2/{project_id}/vpcs", "list log stream",
           "创建云服务器", "vpc subnet get", "rollback"]

def timed(command, stdin=None):
    """Runs the command; returns its wall time and its CPU time (user + system) in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdin=stdin, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

def count(command, stdin=None):
    out = subprocess.run(command, stdin=stdin, stdout=subprocess.PIPE, check=True).stdout
    return out.count(b"\n")

first_wall, _ = timed([permscope, "--catalog", catalog, "search", "warm-up"])
print(f"first permscope run, which parses the catalog and writes the cache: {first_wall * 1000:.1f} ms")
print(f"{'query':<24}{'fzf ms':>9}{'permscope ms':>14}{'speed-up':>10}{'fzf CPU ms':>12}{'permscope CPU ms':>18}"
      f"{'fzf rows':>10}{'permscope rows':>16}{'--no-cache ms':>15}")
ratios, cpu_ratios, uncached_ratios = [], [], []
for query in queries:
    fzf_runs, permscope_runs, uncached_runs = [], [], []
    # Alternate the tools so that load from other processes falls on all alike.
    for _ in range(runs):
        with open(rows, "rb") as stdin:
            fzf_runs.append(timed(["fzf", "--filter", query], stdin))
        permscope_runs.append(timed([permscope, "--catalog", catalog, "search", query]))
        uncached_runs.append(timed([permscope, "--no-cache", "--catalog", catalog, "search", query]))
    with open(rows, "rb") as stdin:
        fzf_rows = count(["fzf", "--filter", query], stdin)
    permscope_rows = count([permscope, "--catalog", catalog, "search", query])
    fzf_ms = statistics.median(wall for wall, _ in fzf_runs) * 1000
    permscope_ms = statistics.median(wall for wall, _ in permscope_runs) * 1000
    fzf_cpu = statistics.median(cpu for _, cpu in fzf_runs) * 1000
    permscope_cpu = statistics.median(cpu for _, cpu in permscope_runs) * 1000
    uncached_ms = statistics.median(wall for wall, _ in uncached_runs) * 1000
    ratios.append(fzf_ms / permscope_ms)
    cpu_ratios.append(fzf_cpu / permscope_cpu)
    uncached_ratios.append(fzf_ms / uncached_ms)
    print(f"{query:<24}{fzf_ms:>9.1f}{permscope_ms:>14.1f}{fzf_ms / permscope_ms:>9.2f}x{fzf_cpu:>12.1f}{permscope_cpu:>18.1f}"
          f"{fzf_rows:>10}{permscope_rows:>16}{uncached_ms:>15.1f}")
print(f"geometric mean speed-up, wall time: {statistics.geometric_mean(ratios):.2f}x (target: at least 3x)")
print(f"geometric mean ratio of CPU time (fzf / permscope): {statistics.geometric_mean(cpu_ratios):.2f}x")
print(f"geometric mean speed-up without the cache, wall time: {statistics.geometric_mean(uncached_ratios):.2f}x")
EOF
