#!/usr/bin/env bash
# One long fuzz run of a target (ADR 0016): libFuzzer through cargo-fuzz on stable
# (`-s none`), RUNS executions (default 10 million), the working corpus in fuzz/runs/TARGET
# (ignored by git) seeded from fuzz/corpus/TARGET, crashes in fuzz/artifacts/TARGET/.
# The log (with libFuzzer's final stats) goes to fuzz/runs/TARGET.log. MAX_SECONDS, when
# given, ends the run earlier (libFuzzer's -max_total_time).
#
#   fuzz/run.sh TARGET [RUNS [MAX_SECONDS]]   # needs: cargo install cargo-fuzz --locked
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1
runs=${2:-10000000}
max_seconds=${3:-0}
mkdir -p "fuzz/runs/$target"
start=$(date +%s)
set +e
cargo fuzz run -s none --fuzz-dir fuzz "$target" "fuzz/runs/$target" "fuzz/corpus/$target" -- \
  -runs="$runs" -max_total_time="$max_seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
  >"fuzz/runs/$target.log" 2>&1
rc=$?
set -e
echo "target=$target runs=$runs rc=$rc wall_seconds=$(($(date +%s) - start)) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\"" \
  | tee -a "fuzz/runs/$target.log"
exit $rc
