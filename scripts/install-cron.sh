#!/usr/bin/env bash
# Installs elastic.cron for this checkout: NETLOG_HOME becomes this folder, PATH gains the folder of
# the node found now, NETLOG_ENV may be given as the first argument. Replaces the user's crontab
# (the old one is saved to logs/crontab.backup).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
env_file=${1:-/etc/netlog/netlog.env}
node_dir=$(dirname "$(command -v node)")
[ -f "$env_file" ] || echo "install-cron: warning: $env_file does not exist yet; create it (ES_URL, ES_API_KEY, NETLOG_HASH_KEY_FILE) before 06:00 UTC" >&2
mkdir -p "$ROOT/logs"
crontab -l >"$ROOT/logs/crontab.backup" 2>/dev/null || true
sed -e "s|^NETLOG_HOME=.*|NETLOG_HOME=$ROOT|" -e "s|^NETLOG_ENV=.*|NETLOG_ENV=$env_file|" -e "s|^PATH=.*|PATH=$node_dir:/usr/local/bin:/usr/bin:/bin|" \
  "$ROOT/elastic.cron" | crontab -
echo "installed; crontab -l shows it (previous crontab saved to logs/crontab.backup)"
