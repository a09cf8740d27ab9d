#!/usr/bin/env bash
# Day-file sizes of the two flow tables with and without the row bound and hourly buckets (issue 18,
# item 4), on a day already indexed by `netlog sample load --hosts H --docs-per-day 250×H`.
# Usage: bench/flow-sizes.sh ES_URL DAY OUT_DIR [TOP]
# Writes OUT_DIR/<variant>/... day files and prints one line per (variant, table): rows and bytes.
set -euo pipefail
url=$1 day=$2 out=$3 top=${4:-1000}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
export NETLOG_HASH_KEY=${NETLOG_HASH_KEY:-bench-flow-sizes-key-0123456789abcdef}
node "$here/bin/netlog.js" config --defaults 2>/dev/null | python3 -c "
import json, sys
c = json.load(sys.stdin)
flows = [t for t in c['tables'] if t['name'] in ('internal_to_internal', 'internal_to_external')]
variants = {
  'unbounded': {},
  'bounded': {'row_bound': {'top': $top, 'by': 'count'}},
  'hourly': {'interval': '1h'},
  'hourly-bounded': {'interval': '1h', 'row_bound': {'top': $top, 'by': 'count'}},
}
for name, extra in variants.items():
  json.dump({'es': {'page_size': 10000}, 'tables': [dict(t, **extra) for t in flows]}, open('$out/' + name + '.json', 'w'))
"
for v in unbounded bounded hourly hourly-bounded; do
  start=$(date +%s)
  node "$here/bin/netlog.js" load-daily --es "$url" --config "$out/$v.json" --data "$out/$v" \
    --log-file "$out/$v.log" --date "$day" --quiet
  secs=$(( $(date +%s) - start ))
  for t in internal_to_internal internal_to_external; do
    f="$out/$v/$t/${day:0:4}/$day.csv"
    echo "$v $t rows=$(( $(wc -l < "$f") - 1 )) bytes=$(stat -c %s "$f") seconds=$secs"
  done
done
