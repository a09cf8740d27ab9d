#!/usr/bin/env bash
# The whole suite: unit tests once, then the integration tests against each Elasticsearch version and
# then OpenSearch, one engine at a time, each on a real node started (and always stopped) by
# scripts/es-local.sh.
#
#   bash scripts/test.sh                    # installs what is missing, runs everything
#   ES_VERSIONS=9.5.4 OPENSEARCH_VERSIONS= bash scripts/test.sh  # one version only
#   NETLOG_TEST_ONLY=unit bash scripts/test.sh
#
# Nothing hangs: a test file that runs longer than NETLOG_TEST_FILE_TIMEOUT seconds (default 1200) is
# stopped and fails (node --test --test-timeout; the file's children are killed, test/helpers/children.ts),
# and a whole suite longer than NETLOG_TEST_SUITE_TIMEOUT seconds (default 3600) is killed by a
# watchdog. After each suite, any node, java, git or chromium process that carries this run's
# NETLOG_TEST_OUT in its environment (every child of a test does) is named, killed, and fails the run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ES_VERSIONS=${ES_VERSIONS-${ES_VERSION:-"8.19.21 9.5.4"}}
# Empty (OPENSEARCH_VERSIONS=) skips OpenSearch.
OPENSEARCH_VERSIONS=${OPENSEARCH_VERSIONS-2.19.1}
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent

results=$(mktemp -d)
# Every test's temp dir lands here and is kept until the end, for the leak scan below.
NETLOG_TEST_OUT=$(mktemp -d /tmp/netlog-test-out.XXXXXX)
export NETLOG_TEST_OUT
started=() # engine:version of the nodes this script started: stopped on exit, even on failure
cleanup() {
  for n in "${started[@]}"; do ENGINE=${n%%:*} ES_VERSION=${n#*:} scripts/es-local.sh stop >/dev/null 2>&1 || true; done
  [ -z "${cluster_version:-}" ] || ES_VERSION=$cluster_version scripts/es-cluster.sh stop >/dev/null 2>&1 || true
  rm -rf "$results" "$NETLOG_TEST_OUT"
}
trap cleanup EXIT

FILE_TIMEOUT=${NETLOG_TEST_FILE_TIMEOUT:-1200}
SUITE_TIMEOUT=${NETLOG_TEST_SUITE_TIMEOUT:-3600}
failed_runs=0
timings=()
run_suite() {
  local name=$1 started=$SECONDS code=0; shift
  echo "=== $name"
  timeout --kill-after=60 "$SUITE_TIMEOUT" \
    node --import tsx --test --test-timeout=$((FILE_TIMEOUT * 1000)) \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$results/$name.tap" "$@" || code=$?
  if [ "$code" = 124 ] || [ "$code" = 137 ]; then
    echo "=== $name: stopped by the watchdog after ${SUITE_TIMEOUT} s"
  fi
  [ "$code" = 0 ] || failed_runs=$((failed_runs + 1))
  timings+=("$name $((SECONDS - started)) s")
}

# Every process a test started inherits NETLOG_TEST_OUT (a fresh path per run): those still alive.
leftovers() {
  local pid
  for pid in $(pgrep -x 'node|java|git|chromium|chrome' || true); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "NETLOG_TEST_OUT=$NETLOG_TEST_OUT"; then
      echo "$pid"
    fi
  done
}
check_leftovers() {
  local name=$1 pids
  pids=$(leftovers)
  [ -n "$pids" ] || return 0
  echo "=== $name left processes behind (killed now):"
  # shellcheck disable=SC2086
  ps -o pid=,etime=,args= -p "$(echo $pids | tr ' ' ,)" | cut -c1-240 || true
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
  failed_runs=$((failed_runs + 1))
}

if [ "${NETLOG_TEST_ONLY:-}" != integration ]; then
  run_suite unit test/unit/*.test.ts
  check_leftovers unit
fi
if [ "${NETLOG_TEST_ONLY:-}" != unit ]; then
  for n in $(for v in $ES_VERSIONS; do echo "elasticsearch:$v"; done; for v in $OPENSEARCH_VERSIONS; do echo "opensearch:$v"; done); do
    engine=${n%%:*} v=${n#*:}
    export ENGINE=$engine
    # A node that was already running (a developer's) is used and left running; ours is stopped.
    if ES_VERSION=$v scripts/es-local.sh status >/dev/null 2>&1; then ours=0; else ours=1; started+=("$n"); fi
    url=$(ES_VERSION=$v scripts/es-local.sh start | tail -n 1)
    NETLOG_TEST_ENGINE=$engine NETLOG_TEST_ES_URL=$url NETLOG_TEST_ES_VERSION=$v \
      run_suite "integration-${engine/elasticsearch/es}-$v" test/integration/*.test.ts
    [ "$ours" = 0 ] || ES_VERSION=$v scripts/es-local.sh stop
    check_leftovers "integration-${engine/elasticsearch/es}-$v"
    unset ENGINE
  done
fi

# The cluster tests (a node killed mid-backfill) on a real 3-node cluster, for one version only,
# after the single nodes are stopped; the cluster is always stopped (see cleanup).
if [ "${NETLOG_TEST_ONLY:-}" != unit ] && [[ " $ES_VERSIONS " == *" 9.5.4 "* ]]; then
  cluster_version=9.5.4
  ES_VERSION=$cluster_version scripts/es-cluster.sh start >/dev/null
  NETLOG_TEST_CLUSTER=1 NETLOG_TEST_ES_VERSION=$cluster_version run_suite "cluster-es-$cluster_version" test/cluster/*.test.ts
  ES_VERSION=$cluster_version scripts/es-cluster.sh stop
fi

if [ "${NETLOG_TEST_ONLY:-}" != unit ]; then
  # After the whole suite: no IP literal and no test secret in any CSV or log line any test wrote.
  echo "=== leak scan of every CSV and log file the suite wrote"
  node --import tsx test/helpers/scan-leaks.ts "$NETLOG_TEST_OUT" || failed_runs=$((failed_runs + 1))
fi

pass=0 fail=0 cancelled=0 skip=0
for f in "$results"/*.tap; do
  pass=$((pass + $(sed -n 's/^# pass //p' "$f" | tail -n 1)))
  fail=$((fail + $(sed -n 's/^# fail //p' "$f" | tail -n 1)))
  cancelled=$((cancelled + $(sed -n 's/^# cancelled //p' "$f" | tail -n 1)))
  skip=$((skip + $(sed -n 's/^# skipped //p' "$f" | tail -n 1)))
done
echo "Elasticsearch versions: $ES_VERSIONS; OpenSearch versions: ${OPENSEARCH_VERSIONS:-none}"
printf 'suite time: %s\n' "${timings[@]}"
echo "netlog: $pass passed, $fail failed, $cancelled cancelled (timed out), $skip skipped"
[ "$fail" -eq 0 ] && [ "$cancelled" -eq 0 ] && [ "$failed_runs" -eq 0 ]
