#!/usr/bin/env bash
# Profile netlog's client side on the bench data: one `load-backfill --force` under `node --cpu-prof`
# against a running bench node, then the top self-time functions.
#
#   bash bench/profile.sh [DAYS [CONCURRENCY [NETLOG_BIN]]]    # defaults: 7 1 bin/netlog.js (npm run build first)
#
# Needs the node and data of an earlier `BENCH_KEEP_ES=1 bash bench/run.sh`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
days=${1:-7} conc=${2:-1} bin=${3:-bin/netlog.js}
end=${BENCH_END:-2026-05-31}
url=$(env ES_VERSION="${BENCH_ES_VERSION:-9.5.4}" NETLOG_CACHE="$ROOT/bench/.es" scripts/es-local.sh status)
[ -s bench/out/config-100k.json ] || { echo "profile: run bench/run.sh first (it writes the bench config)" >&2; exit 2; }
out=bench/out/profile
rm -rf "$out" && mkdir -p "$out"
curl -fsS -XPOST "$url/bench-network-*/_cache/clear" >/dev/null
NETLOG_HASH_KEY=bench-only-pseudonym-key-0123456789 NETLOG_NOW="$(date -u -d "$end + 1 day" +%F)T12:00:00Z" NETLOG_LOG_FILE=$out/netlog.jsonl \
  /usr/bin/time -f "wall %e s, user %U s, system %S s, peak RSS %M KB" \
  node --cpu-prof --cpu-prof-dir="$out" "$bin" --quiet --config bench/out/config-100k.json --data "$out/data" \
  load-backfill --force --concurrency "$conc" --from "$(date -u -d "$end - $((days - 1)) days" +%F)" --to "$end" --es "$url" >/dev/null
node -e 'let t=0;for(const l of require("fs").readFileSync(process.argv[1],"utf8").split("\n"))if(l&&JSON.parse(l).msg==="table day loaded")t+=JSON.parse(l).tookMs;console.log(`Elasticsearch took ${(t/1000).toFixed(2)} s in sum`)' "$out/netlog.jsonl"
node --import tsx bench/cpu-top.ts "$out"/*.cpuprofile "${TOP:-30}"
