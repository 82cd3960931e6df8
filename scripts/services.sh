#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis servers for the distributed mode, its tests and its benchmark.
#
#   scripts/services.sh start [DIR] [--no-install]   start both on free 127.0.0.1 ports; state in DIR
#                                                     (default: a new temp dir); prints, for `eval`:
#                                                       PORTALSCORE_DB=postgresql://...
#                                                       PORTALSCORE_BROKER=redis://...
#                                                       PORTALSCORE_SERVICES=DIR
#   scripts/services.sh stop DIR                      stop them and delete their data
#
# Installs Debian's postgresql and redis-server when missing (unless --no-install). Both servers
# listen on 127.0.0.1 only, keep nothing after `stop`, and trust local connections: they are for
# tests and trials, not for a shared installation (see docs/operations.md for that).
set -euo pipefail

die() { echo "services: $*" >&2; exit 1; }

pg_bin() {
  local initdb
  initdb=$(ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$initdb" ] || initdb=$(command -v initdb || true)
  [ -n "$initdb" ] && dirname "$initdb"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

install_missing() {
  local want=()
  [ -n "$(pg_bin)" ] || want+=(postgresql)
  command -v redis-server >/dev/null || want+=(redis-server)
  [ ${#want[@]} = 0 ] && return
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "services: installing ${want[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${want[@]}" >/dev/null
}

# initdb and postgres refuse to run as root: run them as the 'postgres' user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local dir="" install=1
  for arg in "$@"; do
    case "$arg" in
      --no-install) install=0 ;;
      *) dir="$arg" ;;
    esac
  done
  [ "$install" = 1 ] && install_missing
  local bin
  bin=$(pg_bin) || true
  [ -n "$bin" ] || die "PostgreSQL binaries not found (apt-get install postgresql)"
  command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
  [ -n "$dir" ] || dir=$(mktemp -d /tmp/portalscore-services.XXXXXX)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if running "$dir" "$bin"; then  # idempotent: a second start reuses the servers already there
    cat "$dir/env"
    return
  fi
  stop "$dir" 2>/dev/null || true  # leftovers of servers that died

  # PostgreSQL's files live in a directory of their own that the postgres user owns (the state
  # DIR may sit under a root-only temp directory it cannot enter).
  local pgdir pgport
  pgdir=$(mktemp -d /tmp/portalscore-pg.XXXXXX)
  echo "$pgdir" > "$dir/pgdir"
  [ "$(id -u)" = 0 ] && chown postgres: "$pgdir"
  pgport=$(free_port)
  as_pg "$bin/initdb" -D "$pgdir/data" -U portalscore -A trust -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  as_pg "$bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pgport -c unix_socket_directories=$pgdir -c fsync=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$pgdir/postgres.log" >&2; die "postgres did not start"; }
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$pgport" -U portalscore portalscore

  local redisport
  redisport=$(free_port)
  redis-server --bind 127.0.0.1 --port "$redisport" --save "" --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >/dev/null
  for _ in $(seq 50); do
    redis-cli -p "$redisport" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$redisport" ping >/dev/null 2>&1 || die "redis did not start (see $dir/redis.log)"

  {
    echo "PORTALSCORE_DB=postgresql://portalscore@127.0.0.1:$pgport/portalscore"
    echo "PORTALSCORE_BROKER=redis://127.0.0.1:$redisport/0"
    echo "PORTALSCORE_SERVICES=$dir"
  } | tee "$dir/env"
}

running() {
  local dir=$1 bin=$2
  [ -f "$dir/env" ] && [ -f "$dir/pgdir" ] && [ -f "$dir/redis.pid" ] || return 1
  kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null || return 1
  as_pg "$bin/pg_ctl" -D "$(cat "$dir/pgdir")/data" status >/dev/null 2>&1
}

stop() {
  local dir="${1:-}"
  [ -n "$dir" ] && [ -d "$dir" ] || die "usage: $0 stop DIR (the DIR that start printed)"
  if [ -f "$dir/redis.pid" ]; then
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    rm -f "$dir/redis.pid"
  fi
  if [ -f "$dir/pgdir" ]; then
    local pgdir bin
    pgdir=$(cat "$dir/pgdir")
    bin=$(pg_bin) || true
    if [ -d "$pgdir/data" ] && [ -n "$bin" ]; then
      as_pg "$bin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    case "$pgdir" in /tmp/portalscore-pg.*) rm -rf "$pgdir" ;; esac
    rm -f "$dir/pgdir"
  fi
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) die "usage: $0 start [DIR] [--no-install] | stop DIR" ;;
esac
