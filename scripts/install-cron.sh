#!/usr/bin/env bash
# Installs elastic.cron for this checkout into the current user's crontab.
#
#   scripts/install-cron.sh [ENV_FILE] [--data DIR] [--config FILE] [--print]
#
# Writes into a copy of elastic.cron: NETLOG_HOME = this checkout, PATH = the folder of the node found
# now first, NETLOG_ENV = ENV_FILE (default /etc/netlog/netlog.env), NETLOG_DATA = DIR (default data),
# and with --config, `--config FILE` (made absolute, checked now) into every netlog command line.
# Without it netlog finds netlog.yaml/.yml/.json beside the data folder or in /etc/netlog, if any.
# The user's other crontab entries are kept; an earlier netlog block (between the ">>> netlog" and
# "<<< netlog" lines) is replaced, so running it again is safe. The previous crontab is saved to
# logs/crontab.backup. --print shows the resulting crontab instead of installing it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
env_file=/etc/netlog/netlog.env
data_dir=
config=
print=0
while [ $# -gt 0 ]; do
  case $1 in
    --print) print=1 ;;
    --data) data_dir=${2:?--data needs a directory}; shift ;;
    --config) config=${2:?--config needs a file}; shift ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "install-cron: unknown option $1" >&2; exit 2 ;;
    *) env_file=$1 ;;
  esac
  shift
done

node_bin=$(command -v node) || { echo "install-cron: node is not on PATH: install node >= 20 first" >&2; exit 1; }
node_major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || { echo "install-cron: $node_bin is node $node_major; netlog needs node >= 20" >&2; exit 1; }
# The job runs the build: check it is there and starts, now rather than at 06:00.
"$node_bin" "$ROOT/bin/netlog.js" --version >/dev/null 2>&1 ||
  { echo "install-cron: $ROOT/bin/netlog.js does not start: run npm ci && npm run build in $ROOT" >&2; exit 1; }
if [ -n "$config" ]; then
  [ -r "$config" ] || { echo "install-cron: cannot read the config file $config" >&2; exit 1; }
  config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")
  # The jobs would fail at 06:00 on a config netlog refuses: check it now, with the data folder it serves.
  (cd "$ROOT" && "$node_bin" bin/netlog.js config --quiet --config "$config" --data "${data_dir:-data}" >/dev/null) ||
    { echo "install-cron: netlog refuses $config (above): fix it first" >&2; exit 1; }
fi
for value in "$ROOT" "$env_file" "$data_dir" "$config" "$(dirname "$node_bin")"; do
  case $value in *[%\|\"\$\`\\]* | *[[:space:]]*)
    echo "install-cron: \"$value\" holds a space or one of % | \" \$ \` \\, which a crontab line cannot carry as is" >&2
    exit 1 ;;
  esac
done
[ -r "$env_file" ] ||
  echo "install-cron: note: $env_file does not exist yet: put ES credentials there (ES_API_KEY=..., chmod 600) if the cluster needs them" >&2

path=/usr/local/bin:/usr/bin:/bin
case :$path: in *:"$(dirname "$node_bin")":*) ;; *) path=$(dirname "$node_bin"):$path ;; esac
block=$(sed \
  -e "s|^NETLOG_HOME=.*|NETLOG_HOME=$ROOT|" \
  -e "s|^NETLOG_ENV=.*|NETLOG_ENV=$env_file|" \
  -e "s|^PATH=.*|PATH=$path|" \
  ${data_dir:+-e "s|^NETLOG_DATA=.*|NETLOG_DATA=$data_dir|"} \
  ${config:+-e "s|bin/netlog\.js \([a-z-]*\) |bin/netlog.js \1 --config $config |"} \
  "$ROOT/elastic.cron")

current=$(crontab -l 2>/dev/null || true)
# The user's entries without an earlier netlog block.
others=$(printf '%s\n' "$current" | sed '/^# >>> netlog/,/^# <<< netlog/d')
new=$( [ -n "$others" ] && printf '%s\n\n' "$others"; printf '%s\n' "$block")

if [ "$print" = 1 ]; then
  printf '%s\n' "$new"
  exit 0
fi
mkdir -p "$ROOT/logs"
printf '%s\n' "$current" >"$ROOT/logs/crontab.backup"
printf '%s\n' "$new" | crontab -
echo "installed: load-daily 06:00, publish 06:10 (UTC with cronie; the system zone with Debian's cron), verify --repair Sundays 07:00"
echo "check with crontab -l; runs append to $ROOT/logs/cron.log (previous crontab: logs/crontab.backup)"
