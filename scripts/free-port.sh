#!/usr/bin/env bash
# Prints a TCP port nothing listens on at 127.0.0.1 (20000–59999, tried at random), for the
# throwaway services of the tests (scripts/pg-cluster.sh, scripts/smtp-sink.sh). Exits 1
# when 50 tries find none. `source` it instead to get the `port_in_use PORT` check.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 40000))
    if ! port_in_use "$candidate"; then
      echo "$candidate"
      exit 0
    fi
  done
  echo "free-port: no free port found on 127.0.0.1" >&2
  exit 1
fi
