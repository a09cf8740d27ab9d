#!/usr/bin/env bash
# netlog against the Python/pandas way and against Elasticsearch's own time, in one command:
#
#   bash bench/run.sh
#
# Installs what it needs (npm packages, the `time` tool, the baseline's pinned venv in bench/.venv),
# builds netlog, starts its own Elasticsearch node, loads the data sets once (reused by later runs
# while the node keeps running: counts are checked, only missing days are loaded), runs netlog and
# bench/baseline.py several times, checks both wrote the same rows, writes bench/results.md and
# prints it. Stops the node it started (BENCH_KEEP_ES=1 keeps it, and its data, for the next run).
#
# Environment (defaults in brackets):
#   BENCH_ES_VERSION [9.5.4]  Elasticsearch version of the bench node (8.x works too)
#   BENCH_REPS [3]            repetitions of every measurement
#   BENCH_DAYS ["7,30"]       day counts at BENCH_DOCS documents a day [100000]
#   BENCH_BIG_DAYS ["1,3"]    day counts at BENCH_BIG_DOCS documents a day [1000000]; "" skips them
#   BENCH_END [2026-05-31]    the last day of every range
#   PYTHON [python3]          the interpreter the venv is made from (3.9 or newer)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

export BENCH_ES_VERSION=${BENCH_ES_VERSION:-9.5.4}
# The bench node lives under bench/.es, apart from the nodes the tests and the demo use (they
# would otherwise share it and load data while we measure).
ES_ENV=(env ES_VERSION="$BENCH_ES_VERSION" ES_HEAP="${BENCH_ES_HEAP:-1g}" NETLOG_CACHE="$ROOT/bench/.es")

echo "== dependencies" >&2
[ -d node_modules ] || npm ci --no-audit --no-fund
# netlog as committed (HEAD), built apart from dist/: work in progress in the tree, or a rebuild of
# dist/ while the benchmark runs, cannot change what is measured.
build=.cache/bench-netlog
rm -rf "$build" && mkdir -p "$build"
git archive HEAD bin src scripts/bundle.ts package.json tsconfig.json tsconfig.build.json | tar -x -C "$build"
npx tsc -p "$build/tsconfig.build.json"
node --import tsx "$build/scripts/bundle.ts"
export BENCH_NETLOG_BIN=$ROOT/$build/bin/netlog.js BENCH_NETLOG_COMMIT=$(git rev-parse --short HEAD)
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq time >/dev/null
  else echo "bench: /usr/bin/time is missing: sudo apt-get install time" >&2; exit 2; fi
fi
venv=bench/.venv
stamp=$(sha256sum bench/requirements.txt | cut -c1-16)
if [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r bench/requirements.txt
  echo "$stamp" >"$venv/.requirements"
fi

echo "== Elasticsearch $BENCH_ES_VERSION" >&2
# The Elasticsearch distribution is cached by scripts/es-local.sh; reuse a zip it already fetched.
mkdir -p bench/.es/es
cp -n ".cache/es/elasticsearch-$BENCH_ES_VERSION.zip" bench/.es/es/ 2>/dev/null || true
already_running=0
"${ES_ENV[@]}" scripts/es-local.sh status >/dev/null 2>&1 && already_running=1
url=$("${ES_ENV[@]}" scripts/es-local.sh start | tail -n 1)
if [ "$already_running" = 0 ] && [ "${BENCH_KEEP_ES:-0}" != 1 ]; then
  trap '"${ES_ENV[@]}" scripts/es-local.sh stop' EXIT
fi

echo "== benchmark (progress below; results in bench/results.md)" >&2
BENCH_ES_STATE="$ROOT/bench/.es/es-run/$BENCH_ES_VERSION" \
  node --import tsx bench/bench.ts --es "$url" --es-version "$BENCH_ES_VERSION"
