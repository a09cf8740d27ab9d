#!/usr/bin/env bash
# Start, stop or inspect a real single-node Elasticsearch (or OpenSearch) on loopback, for tests and the demo.
#
#   scripts/es-local.sh start    # prints the node's URL as its last line
#   scripts/es-local.sh stop
#   scripts/es-local.sh status   # prints the URL and exits 0 when running, exits 3 otherwise
#   scripts/es-local.sh url      # prints the URL of a running node
#
# Environment:
#   ENGINE       elasticsearch (default) or opensearch: OpenSearch's integ-test zip
#                (org.opensearch.distribution.integ-test-zip:opensearch, no bundled JDK: it runs on
#                the machine's OpenJDK 17, or Temurin) started the same way
#   ES_VERSION   the integ-test-zip version from Maven Central (default below, 2.19.1 for OpenSearch;
#                Elasticsearch 9.x needs Java 21+)
#   ES_HEAP      JVM heap, at most 1g (default 512m)
#   ES_USER      the unprivileged user that runs the node when this script runs as root (default netlog-es)
#   NETLOG_CACHE where the downloaded zip and the run state live (default <repo>/.cache)
#   ES_SECURITY  1: a separate node with security on (plain HTTP) and two file-realm users for tests:
#                netlog / netlog-test-password (superuser) and monitor / monitor-test-password
#                (cluster monitor only: it may check health but not read any index)
#
# The node speaks plain HTTP on loopback (security, where the zip ships it, is switched off).
set -euo pipefail

readonly DEFAULT_ES_VERSION=8.19.21
readonly DEFAULT_OS_VERSION=2.19.1
ENGINE=${ENGINE:-elasticsearch}
case "$ENGINE" in
  elasticsearch)
    ES_VERSION=${ES_VERSION:-$DEFAULT_ES_VERSION}
    PRODUCT=Elasticsearch GROUP=org.elasticsearch.distribution.integ-test-zip NAME=elasticsearch ;;
  opensearch)
    ES_VERSION=${ES_VERSION:-$DEFAULT_OS_VERSION}
    PRODUCT=OpenSearch GROUP=org.opensearch.distribution.integ-test-zip NAME=opensearch ;;
  *) echo "es-local: ENGINE=$ENGINE is not elasticsearch or opensearch" >&2; exit 1 ;;
esac
ES_HEAP=${ES_HEAP:-512m}
ES_USER=${ES_USER:-netlog-es}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${NETLOG_CACHE:-$ROOT/.cache}
ES_SECURITY=${ES_SECURITY:-0}
STATE="$CACHE/es-run/$ES_VERSION"
[ "$ENGINE" = opensearch ] && STATE="$CACHE/es-run/opensearch-$ES_VERSION"
CURL_AUTH=()
if [ "$ES_SECURITY" = 1 ]; then
  STATE="$STATE-secure"
  CURL_AUTH=(-u netlog:netlog-test-password)
fi
# Unpacked distributions go where an unprivileged user can read them: a checkout under a
# root-only temp dir (mktemp -d) would not be traversable by the node's user.
DIST_BASE=${NETLOG_ES_DIST:-/var/tmp/netlog-es}

die() { echo "es-local: $*" >&2; exit 1; }

case "$ES_HEAP" in
  [1-9][0-9][0-9]m | 1g | 1024m) ;;
  *) die "ES_HEAP=$ES_HEAP is not allowed: use 100m..999m or 1g" ;;
esac

major() { echo "${1%%.*}"; }

# The JDK for this version: 8.x runs on the machine's OpenJDK 17, 9.x needs 21+ (the Temurin JDK).
pick_java_home() {
  local need=17 candidate v preferred
  # 8.x: the machine's OpenJDK 17 first; 9.x: the Temurin JDK beside it.
  preferred="/usr/lib/jvm/java-17-openjdk* /usr/lib/jvm/temurin-*"
  # OpenSearch 2.x has no bundled JDK and runs on 11+: the machine's OpenJDK 17 first.
  if [ "$ENGINE" = elasticsearch ] && [ "$(major "$ES_VERSION")" -ge 9 ]; then need=21; preferred="/usr/lib/jvm/temurin-* /usr/lib/jvm/java-2*-openjdk*"; fi
  if [ -n "${ES_JAVA_HOME:-}" ]; then echo "$ES_JAVA_HOME"; return; fi
  for candidate in $preferred ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [ -x "$candidate/bin/java" ] || continue
    v=$("$candidate/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    if [ -n "$v" ] && [ "$v" -ge "$need" ]; then echo "$candidate"; return; fi
  done
  die "no JDK >= $need found for $PRODUCT $ES_VERSION: install one (e.g. apt-get install openjdk-17-jre-headless) or set ES_JAVA_HOME"
}

# Download the zip with Maven (cached in ~/.m2 and copied into $CACHE) and unpack it once.
ensure_distribution() {
  local zip="$CACHE/es/$NAME-$ES_VERSION.zip" home="$DIST_BASE/$NAME-$ES_VERSION"
  if [ ! -x "$home/bin/$NAME" ]; then
    if [ ! -s "$zip" ]; then
      command -v mvn >/dev/null || die "Maven (mvn) is required to fetch $PRODUCT: apt-get install maven"
      mkdir -p "$CACHE/es"
      echo "es-local: fetching $GROUP:$NAME:$ES_VERSION:zip with Maven" >&2
      mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
        "-Dartifact=$GROUP:$NAME:$ES_VERSION:zip" \
        "-DoutputDirectory=$CACHE/es" >&2 || die "Maven could not fetch $PRODUCT $ES_VERSION (check the version and network)"
    fi
    mkdir -p "$DIST_BASE"
    local tmp
    tmp=$(mktemp -d "$DIST_BASE/.unpack.XXXXXX")
    (cd "$tmp" && jar xf "$zip" 2>/dev/null || unzip -q "$zip" -d "$tmp") || die "could not unpack $zip"
    chmod -R a+rX "$tmp"
    chmod a+x "$tmp/$NAME-$ES_VERSION/bin/"* "$tmp/$NAME-$ES_VERSION"/jdk/bin/* 2>/dev/null || true
    rm -rf "$home"
    mv "$tmp/$NAME-$ES_VERSION" "$home"
    rmdir "$tmp"
  fi
  chmod a+rx "$DIST_BASE"
  echo "$home"
}

ensure_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  id "$ES_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER" \
    || die "could not create the unprivileged user $ES_USER"
}

as_node_user() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid="$ES_USER" --regid="$ES_USER" --init-groups -- "$@"
  else
    "$@"
  fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

is_running() {
  [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null
}

cmd_start() {
  if is_running; then cat "$STATE/url"; return 0; fi
  rm -rf "$STATE"
  ensure_user
  local home java_home port run url
  home=$(ensure_distribution)
  java_home=$(pick_java_home)
  port=${ES_PORT:-$(free_port)}
  run=$(mktemp -d /tmp/netlog-es-run.XXXXXX)
  chmod 755 "$run"
  cp -r "$home/config" "$run/config"
  mkdir -p "$run/data" "$run/logs"
  cat >>"$run/config/$NAME.yml" <<EOF
cluster.name: netlog-local
node.name: netlog-local-1
discovery.type: single-node
network.host: _local_
http.port: $port
transport.port: 0
path.data: $run/data
path.logs: $run/logs
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
  # Recent integ-test-zips (8.19+) ship the x-pack-security module, which would auto-configure
  # TLS and passwords at first start. The local test node speaks plain HTTP on loopback; with
  # ES_SECURITY=1 it checks credentials (file realm), still over plain HTTP.
  # OpenSearch's integ-test zip has no security plugin at all: it always speaks plain HTTP, without users.
  if [ "$ES_SECURITY" = 1 ] && [ "$ENGINE" = opensearch ]; then
    die "the OpenSearch integ-test zip has no security plugin: ES_SECURITY=1 is not possible"
  elif [ "$ES_SECURITY" = 1 ]; then
    [ -d "$home/modules/x-pack-security" ] || die "this Elasticsearch zip has no security module: ES_SECURITY=1 is not possible"
    printf 'xpack.security.enabled: true\nxpack.security.http.ssl.enabled: false\nxpack.security.transport.ssl.enabled: false\nxpack.security.enrollment.enabled: false\n' >>"$run/config/elasticsearch.yml"
    printf 'monitor_only:\n  cluster: [ monitor ]\n' >>"$run/config/roles.yml"
    ES_PATH_CONF="$run/config" ES_JAVA_HOME="$java_home" "$home/bin/elasticsearch-users" useradd netlog -p netlog-test-password -r superuser >/dev/null
    ES_PATH_CONF="$run/config" ES_JAVA_HOME="$java_home" "$home/bin/elasticsearch-users" useradd monitor -p monitor-test-password -r monitor_only >/dev/null
  elif [ -d "$home/modules/x-pack-security" ]; then
    echo "xpack.security.enabled: false" >>"$run/config/elasticsearch.yml"
  fi
  printf -- '-Xms%s\n-Xmx%s\n' "$ES_HEAP" "$ES_HEAP" >"$run/config/jvm.options.d/heap.options"
  # OpenSearch's jvm.options writes GC logs, heap dumps and error files relative to the working
  # directory (which the node's user may not write): into the run directory instead.
  if [ "$ENGINE" = opensearch ]; then
    sed -i -e "s|=logs/|=$run/logs/|g; s|file=logs/|file=$run/logs/|g; s|HeapDumpPath=data|HeapDumpPath=$run/data|" \
      "$run/config/jvm.options"
  fi
  [ "$(id -u)" -eq 0 ] && chown -R "$ES_USER:$ES_USER" "$run"
  mkdir -p "$STATE"
  echo "$run" >"$STATE/dir"
  url="http://localhost:$port"
  echo "$url" >"$STATE/url"
  echo "es-local: starting $PRODUCT $ES_VERSION on $url (java: $java_home, heap $ES_HEAP)" >&2
  as_node_user env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$run/config" ES_JAVA_OPTS="" \
    OPENSEARCH_JAVA_HOME="$java_home" OPENSEARCH_PATH_CONF="$run/config" OPENSEARCH_JAVA_OPTS="" \
    "$home/bin/$NAME" -d -p "$run/es.pid" >"$run/stdout.log" 2>&1 \
    || { tail -40 "$run/stdout.log" "$run"/logs/*.log 2>/dev/null >&2 || true; die "$PRODUCT $ES_VERSION failed to start"; }
  local waited=0
  until [ -s "$run/es.pid" ]; do
    sleep 0.5; waited=$((waited + 1))
    [ $waited -lt 120 ] || die "$PRODUCT wrote no pid file in 60s"
  done
  cp "$run/es.pid" "$STATE/pid"
  waited=0
  until curl -fsS "${CURL_AUTH[@]}" "$url/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null 2>&1; do
    if ! is_running; then
      tail -40 "$run"/logs/netlog-local.log >&2 2>/dev/null || true
      rm -rf "$STATE"
      die "$PRODUCT $ES_VERSION exited during start-up (log above)"
    fi
    sleep 1; waited=$((waited + 1))
    [ $waited -lt 180 ] || { cmd_stop; die "$PRODUCT $ES_VERSION not healthy after 180s"; }
  done
  echo "es-local: $PRODUCT $ES_VERSION is up" >&2
  echo "$url"
}

cmd_stop() {
  [ -d "$STATE" ] || { echo "es-local: $PRODUCT $ES_VERSION is not running" >&2; return 0; }
  if is_running; then
    local pid waited=0
    pid=$(cat "$STATE/pid")
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
      sleep 0.5; waited=$((waited + 1))
      if [ $waited -ge 60 ]; then kill -9 "$pid" 2>/dev/null || true; fi
    done
  fi
  local run
  run=$(cat "$STATE/dir" 2>/dev/null || true)
  case "$run" in /tmp/netlog-es-run.*) rm -rf "$run" ;; esac
  rm -rf "$STATE"
  echo "es-local: $PRODUCT $ES_VERSION stopped" >&2
}

cmd_status() {
  if is_running; then cat "$STATE/url"; else echo "es-local: $PRODUCT $ES_VERSION is not running" >&2; exit 3; fi
}

# Sourced (by scripts/es-cluster.sh, for its functions): define them and do nothing else.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status | url) cmd_status ;;
  *) die "usage: scripts/es-local.sh start|stop|status" ;;
esac
