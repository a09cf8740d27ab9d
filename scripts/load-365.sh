#!/usr/bin/env bash
# The load test of issue 7: a 365-day backfill at a realistic volume on a node of its own, with
# bounded memory and no rejected requests. Not part of the test suite (loading takes ~20 minutes).
#
#   bash scripts/load-365.sh                  # DOCS_PER_DAY=20000 DAYS=365, its own node, stopped after
#   KEEP_ES=1 bash scripts/load-365.sh        # leave the node (and its loaded days) running for a re-run
#   LOAD_ES_URL=http://… bash scripts/load-365.sh   # use a node you started (never stopped here)
#
# Prints the figures (load time, wall time, peak RSS, ES search rejections, netlog retries and 429s,
# files, verify) and writes them between the load-365 markers of docs/reliability.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DAYS=${DAYS:-365}
DOCS=${DOCS_PER_DAY:-20000}
END=${END:-2026-10-31}
CONCURRENCY=${CONCURRENCY:-2}
NOW="$(date -u -d "$END + 1 day" +%F)T06:00:00Z"
OUT=${OUT:-$ROOT/.cache/load-365}
PREFIX=load365-
DOC=$ROOT/docs/reliability.md
mkdir -p "$OUT"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }

# Its own node: es-local.sh keeps its state under NETLOG_CACHE, so this node is not the one the
# tests or a developer use, and stopping it stops nothing else.
if [ -n "${LOAD_ES_URL:-}" ]; then
  url=$LOAD_ES_URL
else
  export NETLOG_CACHE=$OUT/es
  url=$(scripts/es-local.sh start | tail -n 1)
  [ "${KEEP_ES:-0}" = 1 ] || trap 'scripts/es-local.sh stop' EXIT
fi
export NETLOG_HASH_KEY=load-test-key-0123456789 NETLOG_NOW=$NOW NETLOG_LOG_FILE=$OUT/elastic.log

load_s=$(cat "$OUT/load_s" 2>/dev/null || echo '?') # from the run that loaded this node
have=$(curl -s "$url/${PREFIX}network-*/_count" | sed -n 's/.*"count":\([0-9]*\).*/\1/p')
if [ -z "$have" ] || [ "$have" -lt $((DAYS * DOCS)) ]; then
  echo "== loading $DAYS days x $DOCS docs into $url"
  start=$(date +%s)
  node bin/netlog.js sample load --es "$url" --days "$DAYS" --end "$END" --docs-per-day "$DOCS" --index-prefix "${PREFIX}network-" --quiet
  load_s=$(( $(date +%s) - start ))
  echo "$load_s" >"$OUT/load_s"
  echo "   loaded in $load_s s"
fi
docs=$(curl -s "$url/${PREFIX}network-*/_count" | sed -n 's/.*"count":\([0-9]*\).*/\1/p')
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
echo "== load-backfill --days $DAYS --concurrency $CONCURRENCY (all tables)"
/usr/bin/time -v -o "$OUT/time.txt" node bin/netlog.js load-backfill --days "$DAYS" --concurrency "$CONCURRENCY" \
  --config "$OUT/config.json" --data "$OUT/data" --es "$url" --quiet >"$OUT/backfill.out"
after=$(rejected)
# The same backfill over fewer days: a peak RSS that does not grow with the days is bounded memory.
SHORT=${SHORT_DAYS:-30}
/usr/bin/time -v -o "$OUT/time-short.txt" node bin/netlog.js load-backfill --days "$SHORT" --concurrency "$CONCURRENCY" \
  --config "$OUT/config.json" --data "$OUT/data-short" --es "$url" --quiet >/dev/null
rm -rf "$OUT/data-short"
rss_short_mb=$(( $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/time-short.txt") / 1024 ))
files=$(find "$OUT/data" -name '*.csv' | wc -l)
bytes=$(du -sb "$OUT/data" | cut -f1)
retries=$(grep -c 'elasticsearch request failed, retrying' "$OUT/elastic.log" || true)
retries429=$(grep 'elasticsearch request failed, retrying' "$OUT/elastic.log" | grep -c '"statusCode":429' || true)
verify=$( (node bin/netlog.js verify --days "$DAYS" --config "$OUT/config.json" --data "$OUT/data" --quiet || true) | tail -n 1)
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/time.txt")
rss_mb=$(( $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/time.txt") / 1024 ))
cpu=$(sed -n 's/.*Percent of CPU this job got: //p' "$OUT/time.txt")
# (The integ-test zip answers no GET /: the version comes from the node info.)
es_version=$(curl -s "$url/_nodes/_local?filter_path=nodes.*.version" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p')
load=$(cut -d' ' -f1-3 /proc/loadavg)

echo "$verify"
echo "days=$DAYS docs_per_day=$DOCS docs=$docs files=$files bytes=$bytes loaded_s=$load_s"
echo "wall=$wall peak_rss_mb=$rss_mb cpu=$cpu peak_rss_mb_${SHORT}_days=$rss_short_mb"
echo "es_search_rejections=$((after - before)) netlog_retries=$retries netlog_429_retries=$retries429"

# The figures, between the markers of docs/reliability.md (the rest of the file is left alone).
if [ -f "$DOC" ] && grep -q '<!-- load-365:start -->' "$DOC"; then
  block=$OUT/figures.md
  {
    echo '<!-- load-365:start -->'
    echo "Measured $(date -u +%F) with \`bash scripts/load-365.sh\` (commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')), $(nproc) cores, load average $load at the end, Elasticsearch $es_version (512 MB heap, its own node), \`--concurrency $CONCURRENCY\`:"
    echo
    echo '| figure | value |'
    echo '|---|---|'
    echo "| days × tables | $DAYS × 10 = $files files ($((bytes / 1024 / 1024)) MB) |"
    echo "| documents | $docs ($DOCS a day before the injected anomalies; loading took ${load_s} s) |"
    echo "| wall time of \`load-backfill --days $DAYS\` | $wall (CPU $cpu of one core) |"
    echo "| peak RSS of netlog | $rss_mb MB (a $SHORT-day backfill: $rss_short_mb MB) |"
    echo "| search requests rejected by the node (\`_nodes/stats\` thread_pool.search.rejected) | $((after - before)) |"
    echo "| netlog retries (log lines \"elasticsearch request failed, retrying\") | $retries, of which 429: $retries429 |"
    echo "| \`verify --days $DAYS\` afterwards | $verify |"
    echo '<!-- load-365:end -->'
  } >"$block"
  node -e '
    const fs = require("node:fs");
    const [doc, block] = process.argv.slice(1);
    const text = fs.readFileSync(doc, "utf8");
    const out = text.replace(/<!-- load-365:start -->[\s\S]*<!-- load-365:end -->/, fs.readFileSync(block, "utf8").trimEnd());
    fs.writeFileSync(doc, out);' "$DOC" "$block"
  echo "== figures written to docs/reliability.md"
fi
