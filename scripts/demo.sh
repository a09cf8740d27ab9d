#!/usr/bin/env bash
# The main job on the embedded default: a real local Elasticsearch with generated network logs
# (three days ending yesterday, anomalies on yesterday), then `netlog load-daily` for yesterday
# into data/, then a look at what was written. Stops the Elasticsearch it started (KEEP_ES=1 keeps it).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent

# Stop the node at the end only if this script started it (a node already running is left alone).
already_running=0
scripts/es-local.sh status >/dev/null 2>&1 && already_running=1
url=$(scripts/es-local.sh start | tail -n 1)
if [ "$already_running" = 0 ] && [ "${KEEP_ES:-0}" != 1 ]; then trap 'scripts/es-local.sh stop' EXIT; fi

# A demo pseudonymisation key, made once and kept out of git. Production sets NETLOG_HASH_KEY_FILE.
if [ -z "${NETLOG_HASH_KEY:-}" ] && [ -z "${NETLOG_HASH_KEY_FILE:-}" ]; then
  mkdir -p .cache
  [ -s .cache/demo-hash.key ] || node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))' >.cache/demo-hash.key
  export NETLOG_HASH_KEY_FILE=$ROOT/.cache/demo-hash.key
fi

yesterday=$(date -u -d yesterday +%F)
export ES_URL=$url
echo "== loading three days of generated network logs ending $yesterday into $url"
node bin/netlog.js sample load --days 3 --end "$yesterday" --docs-per-day "${DEMO_DOCS_PER_DAY:-20000}"
echo "== netlog doctor"
node bin/netlog.js doctor
echo "== netlog load-daily (yesterday, every table)"
node bin/netlog.js load-daily --data data
echo "== what was written"
find data -name "$yesterday.csv" | sort
echo "-- data/dns/${yesterday:0:4}/$yesterday.csv (first lines of $(($(wc -l <"data/dns/${yesterday:0:4}/$yesterday.csv") - 1)) rows)"
head -n 4 "data/dns/${yesterday:0:4}/$yesterday.csv"
echo "-- data/internal_to_external/${yesterday:0:4}/$yesterday.csv"
head -n 4 "data/internal_to_external/${yesterday:0:4}/$yesterday.csv"
echo "== the analyst's side: the three days, a wavelet analysis of tls, the HTML report"
node bin/netlog.js load-backfill --days 3 --data data --quiet
node bin/netlog.js wavelet --table tls --days 3 --data data --out out/tls-anomalies.csv --chart out/tls-wavelet.png
node bin/netlog.js plot --tables total,dns,tls --days 3 --data data --resample 1h --out out/traffic.png
node bin/netlog.js report --days 3 --data data --out out/report.html
echo "== logs of this run: logs/elastic.log"
