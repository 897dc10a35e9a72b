#!/usr/bin/env bash
# Peers side by side, one run (issue 16 point 6; a benchmark, not run in CI).
#
# Installs the peers from PyPI into a virtualenv (target/peers-venv; pinned versions of
# ../shared/peers/README.md), builds the release `alcance`, starts one seeded sandbox on
# 127.0.0.1 (a free port, rate limits off, X and Instagram posting PEERS_VOLUME times the
# model's rate) and lets benches/peers/run.py collect the same owned X and Instagram accounts
# over the same window with Alcance (`alcance collect --now --since`, into a fresh SQLite
# workspace each run) and with each peer, every tool a child process measured by wait4.
# Prints a Markdown table: records (metric values), wall s, records/s, CPU s per 100,000
# records, peak RSS MiB and the ratios to Alcance. Downloads only from PyPI (the first
# time); everything measured talks to 127.0.0.1 only.
#
# Environment: PEERS_REPS (runs of each tool, default 5), PEERS_VOLUME (1–10, default 10),
# PEERS_DAYS (window in days, default 180), PEERS_VENV, PEERS_SHARED (default ../shared/peers),
# ALCANCE_BIN (skip the build and use this binary).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
shared="${PEERS_SHARED:-$repo/../shared/peers}"
venv="${PEERS_VENV:-$repo/target/peers-venv}"
volume="${PEERS_VOLUME:-10}"
days="${PEERS_DAYS:-180}"
peers=(plinxore-tap-instagram-user==0.5.1 python-facebook-api==0.24.0 python-twitter-v2==0.9.3)

for f in sg_config.json sg_catalog.json; do
  [ -f "$shared/$f" ] || { echo "run.sh: $shared/$f is missing (set PEERS_SHARED)" >&2; exit 1; }
done

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || { echo "run.sh: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "${peers[@]}"

# The Singer tap's API root is a constant (url_base); point it at the sandbox. The pattern
# also matches a previous run's sandbox address, so the venv can be reused.
tap_client="$(ls "$venv"/lib/python3*/site-packages/tap_instagram_user/client.py)"

if [ -n "${ALCANCE_BIN:-}" ]; then
  alcance="$ALCANCE_BIN"
else
  CARGO_INCREMENTAL=0 cargo build --release --quiet -p alcance-cli
  alcance="$repo/target/release/alcance"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/alcance-peers.XXXXXX")"
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

port="$(scripts/free-port.sh)"
"$alcance" sandbox --port "$port" --no-limits --post-volume "$volume" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  if curl -fsS "$base/__alcance/health" >/dev/null 2>&1; then break; fi
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
  sleep 0.1
done
curl -fsS "$base/__alcance/health" >/dev/null

sed -i "s#return \"[^\"]*/v22.0\"#return \"$base/v22.0\"#" "$tap_client"
grep -q "$base/v22.0" "$tap_client" || { echo "run.sh: could not redirect the Singer tap's url_base" >&2; exit 1; }

since="$(date -u -d "$days days ago" +%Y-%m-%d)"
echo "Peers side by side: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "alcance $(git rev-parse --short HEAD) (release); Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())');" \
  "$("$venv/bin/pip" list --format=freeze 2>/dev/null | grep -iE '^(plinxore|python-facebook|python-twitter|singer-sdk|requests)' | tr '\n' ' ')"
echo "Sandbox: seeded, rate limits off, X and Instagram at ${volume}× the model's posts a day."

PEERS_BASE="$base" PEERS_ALCANCE="$alcance" PEERS_WORK="$work" PEERS_SINCE="$since" \
  PEERS_REPS="${PEERS_REPS:-5}" PEERS_SG_DIR="$shared" PEERS_TAP="$venv/bin/tap-instagram-user" \
  "$venv/bin/python" "$repo/benches/peers/run.py"
