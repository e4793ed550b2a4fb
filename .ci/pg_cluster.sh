# shellcheck shell=bash
# Sourced by .ci/run: a throwaway PostgreSQL cluster on 127.0.0.1 for the
# PostgreSQL half of the test suite. It installs the distribution's server if
# missing, runs it as a non-root user (PostgreSQL refuses to run as root), on a
# free port, in a temporary folder, and exports OUTREACH_TEST_PG_URL. Call
# pg_cluster_stop (the caller's trap) to stop it and remove the folder.

pg_cluster_start() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  # Debian's package starts its own cluster on 5432 where systemd runs; ours is
  # separate and never touches it.
  PG_CLUSTER_DIR=$(mktemp -d /tmp/outreach-pg.XXXXXX)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PG_CLUSTER_DIR"
    as=(runuser -u postgres --)
  fi
  PG_CLUSTER_RUN=("${as[@]}")
  PG_CLUSTER_BIN=$bindir
  # trust on loopback only: a cluster that lives for one CI run and holds test
  # data; fsync off because a crash loses nothing worth keeping.
  "${as[@]}" "$bindir/initdb" -D "$PG_CLUSTER_DIR/data" -U postgres -A trust \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  "${as[@]}" "$bindir/pg_ctl" -D "$PG_CLUSTER_DIR/data" -l "$PG_CLUSTER_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_CLUSTER_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  "${as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres outreach_test
  export OUTREACH_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/outreach_test"
  echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port"
}

pg_cluster_stop() {
  [ -n "${PG_CLUSTER_DIR:-}" ] || return 0
  "${PG_CLUSTER_RUN[@]}" "$PG_CLUSTER_BIN/pg_ctl" -D "$PG_CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_CLUSTER_DIR"
  PG_CLUSTER_DIR=
}
