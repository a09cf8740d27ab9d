#!/usr/bin/env bash
# netlog against the Python/pandas way, on the real local Elasticsearch, in one run.
#
#   bash bench/run.sh                       # default scales, 3 repetitions
#   BENCH_REPS=5 BENCH_SCALES="7:100000 30:100000 3:1000000" bash bench/run.sh
#
# Loads each scale once into its own indices (bench-<docs>-network-*) and reuses them on later runs;
# runs netlog load-backfill (default concurrency, and --concurrency 1) and bench/baseline.py over the
# same days and tables; checks both wrote the same rows and totals; reports wall time, peak RSS,
# Elasticsearch's summed `took`, netlog's client-side overhead; writes bench/results.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
REPS=${BENCH_REPS:-3}
SCALES=${BENCH_SCALES:-"7:100000 30:100000 3:1000000"}
END=${BENCH_END:-2026-10-31}
NOW="$(date -u -d "$END + 1 day" +%F)T06:00:00Z"
KEY=bench-hash-key-0123456789abcdef
OUT=$ROOT/bench/out
mkdir -p "$OUT"

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install -q -r bench/requirements.txt
fi

# Our own node (state under .cache/bench), 1 GB heap, stopped at the end.
export NETLOG_CACHE=$ROOT/.cache/bench ES_HEAP=${ES_HEAP:-1g} ES_VERSION=${BENCH_ES_VERSION:-8.19.21}
mkdir -p "$NETLOG_CACHE/es"
cp -n "$ROOT"/.cache/es/*.zip "$NETLOG_CACHE/es/" 2>/dev/null || true
url=$(scripts/es-local.sh start | tail -n 1)
trap 'scripts/es-local.sh stop >/dev/null 2>&1' EXIT

rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
wall_s() { sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
spread() { sort -n | awk 'NR==1{min=$1} {max=$1} END {printf "%.2f–%.2f", min, max}'; }

results=$OUT/results.tsv
: >"$results"
for scale in $SCALES; do
  days=${scale%%:*} docs=${scale##*:}
  prefix="bench-$docs-"
  from=$(date -u -d "$END - $((days - 1)) days" +%F)
  want_days=$days
  # Load once: the largest day count of this volume, reused by smaller scales.
  have=$(curl -s "$url/${prefix}network-*/_count" | sed -n 's/.*"count":\([0-9]*\).*/\1/p')
  max_days=$(for s in $SCALES; do [ "${s##*:}" = "$docs" ] && echo "${s%%:*}"; done | sort -n | tail -1)
  if [ -z "$have" ] || [ "$have" -lt $((max_days * docs)) ]; then
    echo "== loading $max_days days x $docs docs into ${prefix}network-*" >&2
    NETLOG_LOG_FILE=$OUT/load.log node bin/netlog.js sample load --es "$url" --days "$max_days" --end "$END" \
      --docs-per-day "$docs" --index-prefix "${prefix}network-" --quiet
  fi
  cfg=$OUT/config-$docs.json
  node --input-type=module -e "
    import { defaultConfig } from './dist/config/validate.js';
    const c = defaultConfig();
    const tables = c.tables.map((t) => ({ ...t, index: t.index.split(',').map((i) => '$prefix' + i).join(',') }));
    process.stdout.write(JSON.stringify({ tables }));" >"$cfg"
  node --import tsx bench/dump-queries.ts "$cfg" "$from" "$END" "$OUT/queries-$days-$docs.json"
  for rep in $(seq 1 "$REPS"); do
    for variant in netlog netlog-c1 python; do
      dir=$OUT/$variant-$days-$docs
      rm -rf "$dir" "$OUT/time.txt"
      case $variant in
        netlog | netlog-c1)
          conc=2; [ "$variant" = netlog-c1 ] && conc=1
          log=$OUT/$variant.log; rm -f "$log"
          NETLOG_HASH_KEY=$KEY NETLOG_LOG_FILE=$log NETLOG_NOW=$NOW /usr/bin/time -v -o "$OUT/time.txt" \
            node bin/netlog.js load-backfill --from "$from" --to "$END" --force --concurrency "$conc" --config "$cfg" --data "$dir" --es "$url" --quiet >/dev/null
          took=$(node -e 'const fs=require("fs");let s=0;for(const l of fs.readFileSync(process.argv[1],"utf8").split("\n")){if(!l)continue;const r=JSON.parse(l);if(r.msg==="table day loaded")s+=r.tookMs}console.log(s)' "$log")
          ;;
        python)
          took=$(/usr/bin/time -v -o "$OUT/time.txt" bench/.venv/bin/python bench/baseline.py --es "$url" --queries "$OUT/queries-$days-$docs.json" --out "$dir" --key "$KEY" | sed -n 's/.*"took_ms": \([0-9]*\).*/\1/p')
          ;;
      esac
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$days" "$docs" "$variant" "$rep" "$(wall_s "$OUT/time.txt")" "$(rss_kb "$OUT/time.txt")" "$took" >>"$results"
      echo "   $days d x $docs: $variant rep $rep: $(wall_s "$OUT/time.txt") s, $(( $(rss_kb "$OUT/time.txt") / 1024 )) MB, ES took $took ms" >&2
    done
    node --import tsx bench/compare.ts "$OUT/netlog-$days-$docs" "$OUT/python-$days-$docs"
  done
done

node --import tsx bench/report.ts "$results" "$REPS" "$ES_VERSION" >bench/results.md
cat bench/results.md
