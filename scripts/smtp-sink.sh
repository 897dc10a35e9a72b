#!/usr/bin/env bash
# Runs a command beside a throwaway SMTP sink that keeps every message it is given:
#
#   scripts/smtp-sink.sh cargo nextest run -p alcance-server
#
# Installs Debian's `python3-aiosmtpd` when missing, starts its SMTP server on a free port
# on 127.0.0.1 with the Mailbox handler (each message becomes a file of a maildir in a
# temporary folder), runs the command with ALCANCE_TEST_SMTP=127.0.0.1:PORT and
# ALCANCE_TEST_MAILDIR=<the maildir> exported, then stops the sink and deletes the folder,
# whatever the command's outcome. The command's exit code is the script's. Nothing is
# relayed anywhere.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

# Debian's Python (the package installs there), not a pyenv or venv one first on PATH.
PY=/usr/bin/python3
if ! "$PY" -c 'import aiosmtpd' >/dev/null 2>&1; then
  echo "smtp-sink: installing python3-aiosmtpd"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-aiosmtpd >/dev/null
fi

# port_in_use PORT, and scripts/free-port.sh to pick one.
source "$(dirname "$0")/free-port.sh"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/alcance-smtp.XXXXXX")
SINK=""
cleanup() {
  local code=$?
  if [ -n "$SINK" ]; then
    kill "$SINK" 2>/dev/null || true
    wait "$SINK" 2>/dev/null || true
  fi
  rm -rf "$DIR"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$("$(dirname "$0")/free-port.sh")

"$PY" -m aiosmtpd -n -l "127.0.0.1:$PORT" -c aiosmtpd.handlers.Mailbox "$DIR/maildir" >"$DIR/sink.log" 2>&1 &
SINK=$!
for _ in $(seq 1 100); do
  if port_in_use "$PORT"; then break; fi
  if ! kill -0 "$SINK" 2>/dev/null; then
    cat "$DIR/sink.log" >&2
    echo "smtp-sink: the SMTP sink did not start" >&2
    exit 1
  fi
  sleep 0.1
done
if ! port_in_use "$PORT"; then
  echo "smtp-sink: the SMTP sink did not open 127.0.0.1:$PORT" >&2
  exit 1
fi
echo "smtp-sink: aiosmtpd on 127.0.0.1:$PORT, messages in $DIR/maildir"

export ALCANCE_TEST_SMTP="127.0.0.1:$PORT"
export ALCANCE_TEST_MAILDIR="$DIR/maildir"
"$@"
