#!/usr/bin/env bash
# The main job on the embedded default: a real local Elasticsearch with generated network logs
# (three days ending yesterday, anomalies on yesterday), then `netlog load-daily` for yesterday
# into demo/data/, then a look at what was written. Stops the Elasticsearch it started (KEEP_ES=1 keeps it).
# The demo never touches production: its own data folder (demo/data, gitignored), its own indices
# (demo-network-*, read through demo/netlog.json, found beside the data folder) and its own log.
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
  chmod 600 .cache/demo-hash.key # a key file only its owner may read (netlog warns otherwise)
  export NETLOG_HASH_KEY_FILE=$ROOT/.cache/demo-hash.key
fi


yesterday=$(date -u -d yesterday +%F)
export ES_URL=$url
# Everything of the demo lives in demo/: the data folder, its config (found there, beside demo/data,
# by netlog itself) and the log. The indices are demo-network-*, never the production network-*.
mkdir -p demo
export NETLOG_LOG_FILE=$ROOT/demo/elastic.log
data=demo/data
node bin/netlog.js config --defaults --quiet |
  node -e 'let t="";process.stdin.on("data",(d)=>(t+=d)).on("end",()=>{const c=JSON.parse(t);
    for (const x of c.tables) x.index=x.index.split(",").map((i)=>"demo-"+i).join(",");
    process.stdout.write(JSON.stringify(c,null,2)+"\n")})' >demo/netlog.json
echo "== loading three days of generated network logs ending $yesterday into $url (indices demo-network-*, with planted beacons and decoys)"
node bin/netlog.js sample load --days 3 --end "$yesterday" --docs-per-day "${DEMO_DOCS_PER_DAY:-20000}" --index-prefix demo-network- --beacons
echo "== netlog doctor"
node bin/netlog.js doctor --data "$data"
echo "== netlog load-daily (yesterday, every table) into $data"
node bin/netlog.js load-daily --data "$data"
echo "== what was written"
find "$data" -name "$yesterday.csv" | sort
echo "-- $data/dns/${yesterday:0:4}/$yesterday.csv (first lines of $(($(wc -l <"$data/dns/${yesterday:0:4}/$yesterday.csv") - 1)) rows)"
head -n 4 "$data/dns/${yesterday:0:4}/$yesterday.csv"
echo "-- $data/internal_to_external/${yesterday:0:4}/$yesterday.csv"
head -n 4 "$data/internal_to_external/${yesterday:0:4}/$yesterday.csv"
echo "== the analyst's side: the three days, a wavelet analysis of tls, the HTML report"
node bin/netlog.js load-backfill --days 3 --data "$data" --quiet
node bin/netlog.js wavelet --table tls --days 3 --data "$data" --out demo/out/tls-anomalies.csv --chart demo/out/tls-wavelet.png
node bin/netlog.js plot --tables total,dns,tls --days 3 --data "$data" --resample 1h --out demo/out/traffic.png
node bin/netlog.js beacons --days 3 --data "$data" --out demo/out/beacons.json --chart demo/out/beacons.png
node bin/netlog.js report --days 3 --data "$data" --beacons demo/out/beacons.json --out demo/out/report.html
echo "== logs of this run: demo/elastic.log"
