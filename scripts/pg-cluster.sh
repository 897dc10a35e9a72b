#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster:
#
#   scripts/pg-cluster.sh cargo nextest run -p alcance-store
#
# Installs Debian's `postgresql` package when no server binaries are found, runs `initdb`
# into a temporary folder (user `alcance`, a password generated for this run, password
# authentication on 127.0.0.1 only, the unix socket inside the folder), starts it with
# `pg_ctl` on a free port on 127.0.0.1, runs the command with
# ALCANCE_TEST_PG_URL=postgres://alcance:…@127.0.0.1:PORT/postgres exported, then stops the
# cluster and deletes the folder, whatever the command's outcome. The command's exit code
# is the script's. Nothing assumes (or touches) a system-wide server.
#
# initdb refuses to run as root: as root, the cluster runs as the unprivileged user
# `nobody` (runuser). Durability is off (fsync, synchronous_commit): the data dies with
# the run anyway.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then
    command -v "$name"
    return
  fi
  # Debian / Ubuntu keep the server binaries off PATH, one folder per major version.
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] && echo "$found"
}

if [ -z "$(find_bin initdb)" ] || [ -z "$(find_bin pg_ctl)" ]; then
  echo "pg-cluster: installing postgresql"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)
if [ -z "$INITDB" ] || [ -z "$PG_CTL" ]; then
  echo "pg-cluster: initdb / pg_ctl not found after installing postgresql" >&2
  exit 1
fi

# As root, run the server as `nobody`; otherwise as the current user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

# port_in_use PORT, and scripts/free-port.sh to pick one.
source "$(dirname "$0")/free-port.sh"

started=$(date +%s%N)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/alcance-pg.XXXXXX")
cleanup() {
  local code=$?
  if [ -f "$DIR/data/postmaster.pid" ]; then
    as_owner "$PG_CTL" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PASSWORD=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$PASSWORD" >"$DIR/pwfile"
chmod 600 "$DIR/pwfile"
if [ "$(id -u)" -eq 0 ]; then
  chown -R nobody "$DIR"
fi

as_owner "$INITDB" -D "$DIR/data" -U alcance --pwfile="$DIR/pwfile" -E UTF8 --no-locale \
  --auth-local=scram-sha-256 --auth-host=scram-sha-256 >"$DIR/initdb.log" 2>&1 || {
  cat "$DIR/initdb.log" >&2
  exit 1
}
rm -f "$DIR/pwfile"
# Only 127.0.0.1 may connect (besides the socket in $DIR), always with the password.
printf '%s\n' "local all all scram-sha-256" "host all all 127.0.0.1/32 scram-sha-256" >"$DIR/data/pg_hba.conf"

PORT=$("$(dirname "$0")/free-port.sh")

as_owner "$PG_CTL" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || {
  cat "$DIR/server.log" >&2
  exit 1
}
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
echo "pg-cluster: PostgreSQL $("$PG_CTL" --version | awk '{print $3}') on 127.0.0.1:$PORT (started in ${elapsed_ms} ms)"

export ALCANCE_TEST_PG_URL="postgres://alcance:$PASSWORD@127.0.0.1:$PORT/postgres"
"$@"
