#!/usr/bin/env bash
# A real 3-node Elasticsearch cluster on loopback, for the cluster tests (a node killed mid-backfill).
# Same distribution, Java and unprivileged user as scripts/es-local.sh (whose functions it uses).
#
#   scripts/es-cluster.sh start          # starts 3 nodes, waits for all of them; prints node 1's URL last
#   scripts/es-cluster.sh stop           # stops every node (SIGTERM, then SIGKILL) and removes their data
#   scripts/es-cluster.sh kill-node N    # SIGKILL node N (1..3) and wait until it is gone: a crash
#   scripts/es-cluster.sh start-node N   # start node N again on its own data and wait until it rejoined
#   scripts/es-cluster.sh urls           # "N URL" for each node; exits 3 when the cluster is not started
#   scripts/es-cluster.sh status         # node 1's URL, exit 0 when at least one node runs, 3 otherwise
#
# Environment: ES_VERSION (default 9.5.4), ES_CLUSTER_HEAP (JVM heap of each node, default 320m),
# NETLOG_CACHE, ES_USER as for es-local.sh.
set -euo pipefail

ES_VERSION=${ES_VERSION:-9.5.4}
ES_HEAP=${ES_CLUSTER_HEAP:-320m}
ENGINE=elasticsearch # the cluster tests run on Elasticsearch only
export ES_VERSION ES_HEAP ENGINE
# shellcheck source=scripts/es-local.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/es-local.sh"
die() { echo "es-cluster: $*" >&2; exit 1; }

readonly NODES=3
CSTATE="$CACHE/es-cluster/$ES_VERSION"

node_pid() { cat "$CSTATE/node$1.pid" 2>/dev/null || true; }
node_url() { cat "$CSTATE/node$1.url"; }
node_alive() {
  local pid
  pid=$(node_pid "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}
check_n() {
  case "${1:-}" in [1-$NODES]) ;; *) die "a node number 1..$NODES is required" ;; esac
  [ -f "$CSTATE/dir" ] || die "the cluster is not started (scripts/es-cluster.sh start)"
}

# Launches node N from its prepared directory (daemonised, as the unprivileged user) and records its pid.
launch_node() {
  local n=$1 run home java_home waited=0
  run=$(cat "$CSTATE/dir")
  home=$(cat "$CSTATE/home")
  java_home=$(cat "$CSTATE/java")
  rm -f "$run/node$n/es.pid" "$CSTATE/node$n.pid"
  as_node_user env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$run/node$n/config" ES_JAVA_OPTS="" \
    "$home/bin/elasticsearch" -d -p "$run/node$n/es.pid" >"$run/node$n/stdout.log" 2>&1 \
    || { tail -40 "$run/node$n/stdout.log" >&2; die "node $n failed to start"; }
  until [ -s "$run/node$n/es.pid" ]; do
    sleep 0.5; waited=$((waited + 1))
    [ $waited -lt 120 ] || die "node $n wrote no pid file in 60s"
  done
  cp "$run/node$n/es.pid" "$CSTATE/node$n.pid"
}

# Waits until a live node reports `nodes` members (and, when given, at least `status`).
wait_for_nodes() {
  local nodes=$1 status=${2:-yellow} waited=0 n url
  while :; do
    for n in $(seq 1 $NODES); do
      node_alive "$n" || continue
      url=$(node_url "$n")
      if curl -fsS "$url/_cluster/health?wait_for_nodes=$nodes&wait_for_status=$status&timeout=5s" >/dev/null 2>&1; then
        return 0
      fi
    done
    sleep 1; waited=$((waited + 1))
    [ $waited -lt 240 ] || die "the cluster did not reach $nodes node(s), $status, in 240s"
  done
}

cmd_cluster_start() {
  if [ -f "$CSTATE/dir" ] && node_alive 1; then
    # Started already: bring back any node a test left killed.
    local m
    for m in $(seq 1 $NODES); do node_alive "$m" || launch_node "$m"; done
    wait_for_nodes $NODES
    node_url 1
    return 0
  fi
  cmd_cluster_stop >/dev/null 2>&1 || true
  ensure_user
  local home java_home run n seeds="" masters="" http transport
  home=$(ensure_distribution)
  java_home=$(pick_java_home)
  run=$(mktemp -d /tmp/netlog-es-cluster.XXXXXX)
  chmod 755 "$run"
  mkdir -p "$CSTATE"
  echo "$run" >"$CSTATE/dir"
  echo "$home" >"$CSTATE/home"
  echo "$java_home" >"$CSTATE/java"
  declare -a https transports
  for n in $(seq 1 $NODES); do
    https[n]=$(free_port)
    transports[n]=$(free_port)
    seeds+="${seeds:+, }\"127.0.0.1:${transports[n]}\""
    masters+="${masters:+, }\"netlog-node-$n\""
  done
  for n in $(seq 1 $NODES); do
    http=${https[n]}
    transport=${transports[n]}
    mkdir -p "$run/node$n/data" "$run/node$n/logs"
    cp -r "$home/config" "$run/node$n/config"
    cat >>"$run/node$n/config/elasticsearch.yml" <<EOF
cluster.name: netlog-cluster
node.name: netlog-node-$n
network.host: 127.0.0.1
http.port: $http
transport.port: $transport
discovery.seed_hosts: [ $seeds ]
cluster.initial_master_nodes: [ $masters ]
path.data: $run/node$n/data
path.logs: $run/node$n/logs
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
    [ -d "$home/modules/x-pack-security" ] && echo "xpack.security.enabled: false" >>"$run/node$n/config/elasticsearch.yml"
    printf -- '-Xms%s\n-Xmx%s\n' "$ES_HEAP" "$ES_HEAP" >"$run/node$n/config/jvm.options.d/heap.options"
    echo "http://127.0.0.1:$http" >"$CSTATE/node$n.url"
  done
  [ "$(id -u)" -eq 0 ] && chown -R "$ES_USER:$ES_USER" "$run"
  echo "es-cluster: starting $NODES nodes of Elasticsearch $ES_VERSION (heap $ES_HEAP each) in $run" >&2
  for n in $(seq 1 $NODES); do launch_node "$n"; done
  wait_for_nodes $NODES green
  echo "es-cluster: $NODES nodes up" >&2
  node_url 1
}

# Stops every node this script started (by their recorded pids), then removes their data.
cmd_cluster_stop() {
  [ -d "$CSTATE" ] || { echo "es-cluster: not running" >&2; return 0; }
  local n pid waited
  for n in $(seq 1 $NODES); do
    pid=$(node_pid "$n")
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for n in $(seq 1 $NODES); do
    pid=$(node_pid "$n")
    [ -n "$pid" ] || continue
    waited=0
    while kill -0 "$pid" 2>/dev/null; do
      sleep 0.5; waited=$((waited + 1))
      if [ $waited -ge 40 ]; then kill -9 "$pid" 2>/dev/null || true; fi
    done
  done
  local run
  run=$(cat "$CSTATE/dir" 2>/dev/null || true)
  case "$run" in /tmp/netlog-es-cluster.*) rm -rf "$run" ;; esac
  rm -rf "$CSTATE"
  echo "es-cluster: stopped" >&2
}

cmd_kill_node() {
  check_n "$1"
  local pid
  pid=$(node_pid "$1")
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  echo "es-cluster: node $1 killed" >&2
}

cmd_start_node() {
  check_n "$1"
  node_alive "$1" || launch_node "$1"
  wait_for_nodes $NODES
  echo "es-cluster: node $1 is back" >&2
}

cmd_urls() {
  [ -f "$CSTATE/dir" ] || { echo "es-cluster: not running" >&2; exit 3; }
  local n
  for n in $(seq 1 $NODES); do echo "$n $(node_url "$n")"; done
}

cmd_cluster_status() {
  local n
  for n in $(seq 1 $NODES); do
    if [ -f "$CSTATE/dir" ] && node_alive "$n"; then node_url 1; return 0; fi
  done
  echo "es-cluster: not running" >&2
  exit 3
}

case "${1:-}" in
  start) cmd_cluster_start ;;
  stop) cmd_cluster_stop ;;
  kill-node) cmd_kill_node "${2:-}" ;;
  start-node) cmd_start_node "${2:-}" ;;
  urls) cmd_urls ;;
  status) cmd_cluster_status ;;
  *) die "usage: scripts/es-cluster.sh start|stop|kill-node N|start-node N|urls|status" ;;
esac
