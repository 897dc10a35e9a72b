#!/usr/bin/env bash
# `alcance tray`'s memory (docs/PERFORMANCE.md, "Issue 16 point 1: the tray as its own
# process"). A seeded `alcance sandbox` process on 127.0.0.1, the demo workspace built
# against it (17 accounts), then `alcance tray --workspace` in its own D-Bus session (no
# StatusNotifier host, as under Xvfb) three times over:
#   1. first start: every demo account is due, one scheduled run; peak while it runs, and
#      idle 30 s after it ended;
#   2. second start: nothing due; idle 30 s after the start; then the tray's "Sync now"
#      clicked over D-Bus (com.canonical.dbusmenu), peak while that manual run goes.
# VmRSS / VmHWM from /proc/PID/status, PSS from /proc/PID/smaps_rollup (sampled every
# 0.2 s during runs, the highest kept), in MiB.
# Usage: scripts/tray-footprint.sh [ALCANCE_BIN]   (default: target/release/alcance;
# DAYS=7 the demo's days).
set -euo pipefail
if [[ "${1:-}" != "--inner" ]]; then
  exec dbus-run-session -- bash "$0" --inner "$@"
fi
shift
bin=$(realpath "${1:-${CARGO_TARGET_DIR:-target}/release/alcance}")
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export ALCANCE_VAULT_PASSPHRASE=alcance-demo-workspace ALCANCE_DATA_DIR="$work/data"
unset ALCANCE_WORKSPACE ALCANCE_SANDBOX_URL RUST_LOG
mkdir -p "$work/data"

"$bin" sandbox --port 0 >"$work/sandbox.out" 2>/dev/null &
pids+=($!)
for _ in $(seq 100); do grep -q http "$work/sandbox.out" 2>/dev/null && break; sleep 0.1; done
url=$(head -1 "$work/sandbox.out" | awk '{print $NF}')
"$bin" demo --out "$work/ws" --sandbox-url "$url" --days "${DAYS:-7}" >/dev/null
ws=(--workspace "$work/ws" --sandbox-url "$url")

mib() { awk -v k="$2" '$1 == k":" {printf "%.1f", $2 / 1024}' "$1"; }
pss() { mib "/proc/$1/smaps_rollup" Pss; }
rss() { mib "/proc/$1/status" VmRSS; }
hwm() { mib "/proc/$1/status" VmHWM; }
# RSS split: anonymous (heap, stacks) and file-backed (the executable's and libraries' pages).
split() { echo "RssAnon $(mib "/proc/$1/status" RssAnon) MiB, RssFile $(mib "/proc/$1/status" RssFile) MiB"; }
runs_done() { "$bin" status "${ws[@]}" --runs 20 | sed -n '/Last runs/,$p' | grep -c "$1.*\(ok\|partial\)" || true; }

# Waits until `kind` runs done reach `n`, sampling PSS; prints the highest PSS.
wait_runs() {
  local pid=$1 kind=$2 n=$3 max=0 p
  for _ in $(seq 3000); do
    p=$(pss "$pid"); max=$(awk -v a="$max" -v b="$p" 'BEGIN {print (b > a) ? b : a}')
    [[ $(runs_done "$kind") -ge $n ]] && break
    sleep 0.2
  done
  echo "$max"
}

echo "alcance: $bin ($(stat -c %s "$bin") bytes)"
echo "accounts: $("$bin" status "${ws[@]}" | sed -n '1,/Last runs/p' | grep -cE '^│ +[0-9]+ ┆' || true)"

"$bin" tray "${ws[@]}" 2>"$work/tray1.err" &
tray=$!; pids+=("$tray")
sleep 1
peak_pss=$(wait_runs "$tray" scheduled 1)
echo "first start, scheduled run of every account: peak VmHWM $(hwm "$tray") MiB, peak PSS $peak_pss MiB"
sleep 30
echo "first start, idle 30 s after the run: VmRSS $(rss "$tray") MiB ($(split "$tray")), PSS $(pss "$tray") MiB"
kill -TERM "$tray"; wait "$tray" || true

"$bin" tray "${ws[@]}" 2>"$work/tray2.err" &
tray=$!; pids+=("$tray")
sleep 30
echo "second start, nothing due, idle 30 s after start: VmRSS $(rss "$tray") MiB ($(split "$tray")), VmHWM $(hwm "$tray") MiB, PSS $(pss "$tray") MiB"
name=$(busctl --user list --no-legend 2>/dev/null | awk -v p="$tray" '$1 ~ "^org.kde.StatusNotifierItem-"p"-" {print $1}' | head -1)
if [[ -n "$name" ]]; then
  layout=$(gdbus call --session --dest "$name" --object-path /MenuBar --method com.canonical.dbusmenu.GetLayout -- 0 -1 '[]')
  id=$(grep -o "([0-9]*, {[^}]*'label': <'Sync now'>" <<<"$layout" | head -1 | tr -dc '0-9,' | cut -d, -f1)
  manual_before=$(runs_done manual)
  gdbus call --session --dest "$name" --object-path /MenuBar --method com.canonical.dbusmenu.Event -- "$id" clicked '<0>' 0 >/dev/null
  peak_pss=$(wait_runs "$tray" manual $((manual_before + 1)))
  echo "second start, tray Sync now (menu item $id over D-Bus): peak VmHWM $(hwm "$tray") MiB, peak PSS $peak_pss MiB"
  sleep 30
  echo "second start, idle 30 s after Sync now: VmRSS $(rss "$tray") MiB ($(split "$tray")), PSS $(pss "$tray") MiB"
else
  echo "the tray's D-Bus name was not found: Sync now not clicked"
fi
kill -TERM "$tray"; wait "$tray" || true
echo "tray stderr (second start):"; sed 's/^/  /' "$work/tray2.err"
