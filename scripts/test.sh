#!/usr/bin/env bash
# The whole suite: unit tests once, then the integration tests against each Elasticsearch version and
# then OpenSearch, one engine at a time, each on a real node started (and always stopped) by
# scripts/es-local.sh.
#
#   bash scripts/test.sh                    # installs what is missing, runs everything
#   ES_VERSIONS=9.5.4 OPENSEARCH_VERSIONS= bash scripts/test.sh  # one version only
#   NETLOG_TEST_ONLY=unit bash scripts/test.sh
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
  rm -rf "$results" "$NETLOG_TEST_OUT"
}
trap cleanup EXIT

failed_runs=0
run_suite() {
  local name=$1; shift
  echo "=== $name"
  if ! node --import tsx --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$results/$name.tap" "$@"; then
    failed_runs=$((failed_runs + 1))
  fi
}

if [ "${NETLOG_TEST_ONLY:-}" != integration ]; then
  run_suite unit test/unit/*.test.ts
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
    unset ENGINE
  done
fi

if [ "${NETLOG_TEST_ONLY:-}" != unit ]; then
  # After the whole suite: no IP literal and no test secret in any CSV or log line any test wrote.
  echo "=== leak scan of every CSV and log file the suite wrote"
  node --import tsx test/helpers/scan-leaks.ts "$NETLOG_TEST_OUT" || failed_runs=$((failed_runs + 1))
fi

pass=0 fail=0 skip=0
for f in "$results"/*.tap; do
  pass=$((pass + $(sed -n 's/^# pass //p' "$f" | tail -n 1)))
  fail=$((fail + $(sed -n 's/^# fail //p' "$f" | tail -n 1)))
  skip=$((skip + $(sed -n 's/^# skipped //p' "$f" | tail -n 1)))
done
echo "Elasticsearch versions: $ES_VERSIONS; OpenSearch versions: ${OPENSEARCH_VERSIONS:-none}"
echo "netlog: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$failed_runs" -eq 0 ]
