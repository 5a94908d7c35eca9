#!/usr/bin/env bash
# Measures jgctl's performance targets beside raw baselines in the same run
# (docs/performance.md). Bounded in time: a few minutes on 2 cores.
#   scripts/bench.sh [ROWS]      (default 1000000 rows per import round)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/jgbench.XXXXXX")
trap 'rm -rf "$work"' EXIT
go build -o "$work/jgctl" ./cmd/jgctl
go build -o "$work/jgbench" ./cmd/jgbench

echo "# jgctl benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(go version | cut -d' ' -f3)"
echo
"$work/jgbench" -dir "$work" -rows "$rows"

echo
echo "## Whole-process figures"
echo
# Peak RSS of a streaming import of $rows rows as its own process, split
# into the heap (RssAnon) and the store file's pages mapped by bbolt
# (RssFile: page cache shared with the kernel, reclaimable), sampled every 50 ms.
"$work/jgctl" --store "$work/rss.db" -o json import violations "$work/round0.csv" >/dev/null &
pid=$!
anon=0; file=0
while kill -0 "$pid" 2>/dev/null; do
  a=$(awk '/^RssAnon/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
  f=$(awk '/^RssFile/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a
  [ -n "$f" ] && [ "$f" -gt "$file" ] && file=$f
  sleep 0.05
done
wait "$pid"
echo "- \`jgctl import violations\` of $rows rows, peak RSS: heap (anonymous) $((anon / 1024)) MiB, store file mapped $((file / 1024)) MiB (target < 100 MB)"

# `jgctl violations list` as a whole process on the store of 2 × $rows records,
# beside the cost of starting the same binary for --version-like work.
time_runs() { # prints p50 and p99 in ms of 200 runs of "$@"
  local ts=()
  for _ in $(seq 200); do
    local s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; local e=$(date +%s%N)
    ts+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {printf "p50 %.1f ms, p99 %.1f ms", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000}'
}
list=$(time_runs "$work/jgctl" --store "$work/jgctl.db" violations list --plate 鲁A00001 --plate-type 02 -o json)
help=$(time_runs "$work/jgctl" --help)
echo "- \`jgctl violations list --plate …\` on $((2 * rows)) records, whole process: $list (target < 30 ms)"
echo "- baseline, \`jgctl --help\` (process start, no store): $help"

# On PostgreSQL (a private durable server from the machine's binaries),
# when asked: JGBENCH_PG=1 scripts/bench.sh (about 6 more minutes).
if [ -n "${JGBENCH_PG:-}" ]; then
  echo
  echo "## PostgreSQL"
  echo
  echo "| measure | jgctl | raw baseline (same run) | ratio | target |"
  echo "|---|---:|---:|---:|---|"
  "$work/jgbench" -pg-pay 200000
  "$work/jgbench" -pg-list "$rows"
fi
