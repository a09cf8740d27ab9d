#!/usr/bin/env bash
# The stress check of the test suite (#13): full `CI=true bash .ci/run` on fresh clones of one commit,
# several times in a row, each beside busy loops that take CPU from it, and after each run a look for
# any process the run left behind.
#
#   bash scripts/stress-ci.sh [COMMIT] [OUT]     # default HEAD, and a new folder under /tmp
#
# Environment: STRESS_RUNS [3] runs, STRESS_LOOPS [2] busy loops (`yes > /dev/null`), STRESS_LIMIT
# [5400] seconds a run may take (CI's 90 minutes): then its whole process group is stopped (each run
# has its own session, so test.sh and its children go too, not only the top shell).
# Writes OUT/summary.log (exit code, time, suite times, the test count line, what was left behind) and
# OUT/runN.log; exits 1 when any run failed or left a process.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
commit=$(git -C "$repo" rev-parse "${1:-HEAD}") || exit 2
out=${2:-$(mktemp -d /tmp/netlog-stress.XXXXXX)}
runs=${STRESS_RUNS:-3} loops=${STRESS_LOOPS:-2} limit=${STRESS_LIMIT:-5400}
mkdir -p "$out"
sum=$out/summary.log
echo "commit $commit, $runs runs beside $loops busy loops, started $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$sum"
bad=0
for i in $(seq 1 "$runs"); do
  dir=$out/run$i
  rm -rf "$dir" && git clone -q "$repo" "$dir" && git -C "$dir" checkout -q "$commit" || exit 2
  busy=()
  for _ in $(seq 1 "$loops"); do yes >/dev/null & busy+=($!); done
  t0=$(date +%s)
  setsid bash -c "cd '$dir' && CI=true exec bash .ci/run" >"$out/run$i.log" 2>&1 &
  pid=$!
  (sleep "$limit"; kill -TERM -- -"$pid" 2>/dev/null; sleep 30; kill -KILL -- -"$pid" 2>/dev/null) &
  guard=$!
  wait "$pid"; rc=$?
  kill "$guard" 2>/dev/null; pkill -P "$guard" 2>/dev/null
  t1=$(date +%s)
  kill "${busy[@]}"; wait "${busy[@]}" 2>/dev/null
  echo "run $i: exit $rc, $((t1 - t0)) s, ended $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$sum"
  grep -E '^(netlog:|suite time:|=== .*(left|watchdog))' "$out/run$i.log" >>"$sum"
  # Left behind: any process whose command line or working directory is inside this clone.
  left=$(for p in /proc/[0-9]*; do
    c=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null); w=$(readlink "$p/cwd" 2>/dev/null)
    case "$c $w" in *"$dir"*) echo "${p#/proc/} $c" ;; esac
  done)
  echo "ps after run $i: ${left:-no process left}" >>"$sum"
  kill -KILL -- -"$pid" 2>/dev/null
  [ "$rc" = 0 ] && [ -z "$left" ] || bad=1
done
echo "finished $(date -u +%FT%TZ)" >>"$sum"
cat "$sum"
exit "$bad"
