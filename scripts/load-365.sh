#!/usr/bin/env bash
# The load test of issue 7: a 365-day backfill at a realistic volume against the local node, with
# bounded memory and no rejected requests. Not part of the test suite (it takes minutes).
#
#   bash scripts/load-365.sh            # DOCS_PER_DAY=20000 DAYS=365
# Prints the figures (wall time, peak RSS, ES search rejections, netlog retries, files, verify).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DAYS=${DAYS:-365}
DOCS=${DOCS_PER_DAY:-20000}
END=${END:-2026-10-31}
NOW="$(date -u -d "$END + 1 day" +%F)T06:00:00Z"
OUT=${OUT:-$ROOT/.cache/load-365}
PREFIX=load365-
mkdir -p "$OUT"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
already=0; scripts/es-local.sh status >/dev/null 2>&1 && already=1
url=$(scripts/es-local.sh start | tail -n 1)
[ "$already" = 1 ] || trap 'scripts/es-local.sh stop' EXIT
export NETLOG_HASH_KEY=load-test-key-0123456789 NETLOG_NOW=$NOW NETLOG_LOG_FILE=$OUT/elastic.log

have=$(curl -s "$url/${PREFIX}network-*/_count" | sed -n 's/.*"count":\([0-9]*\).*/\1/p')
if [ -z "$have" ] || [ "$have" -lt $((DAYS * DOCS)) ]; then
  echo "== loading $DAYS days x $DOCS docs"
  start=$(date +%s)
  node bin/netlog.js sample load --es "$url" --days "$DAYS" --end "$END" --docs-per-day "$DOCS" --index-prefix "${PREFIX}network-" --quiet
  echo "   loaded in $(( $(date +%s) - start )) s"
fi
node --input-type=module -e "
  import { defaultConfig } from './dist/config/validate.js';
  const tables = defaultConfig().tables.map((t) => ({ ...t, index: t.index.split(',').map((i) => '$PREFIX' + i).join(',') }));
  process.stdout.write(JSON.stringify({ tables }));" >"$OUT/config.json"
rejected() {
  curl -s "$url/_nodes/stats/thread_pool?filter_path=nodes.*.thread_pool.search.rejected" |
    node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(Object.values(JSON.parse(s).nodes).reduce((n,x)=>n+x.thread_pool.search.rejected,0)))'
}
before=$(rejected)
rm -rf "$OUT/data" "$OUT/elastic.log"
echo "== load-backfill --days $DAYS (all tables)"
/usr/bin/time -v -o "$OUT/time.txt" node bin/netlog.js load-backfill --days "$DAYS" --config "$OUT/config.json" --data "$OUT/data" --es "$url" --quiet >"$OUT/backfill.out"
after=$(rejected)
files=$(find "$OUT/data" -name '*.csv' | wc -l)
retries=$(grep -c 'elasticsearch request failed, retrying' "$OUT/elastic.log" || true)
node bin/netlog.js verify --days "$DAYS" --config "$OUT/config.json" --data "$OUT/data" --quiet | tail -n 1
echo "days=$DAYS docs_per_day=$DOCS files=$files"
echo "wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/time.txt") peak_rss_mb=$(( $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/time.txt") / 1024 ))"
echo "es_search_rejections=$((after - before)) netlog_retries=$retries"
