#!/usr/bin/env bash
# Used to show that a refactor leaves the demo's outputs unchanged: run `alcance demo` before and
# after into two folders, then `scripts/compare-demo.sh BEFORE AFTER` (exit 1 on a difference).
# compare-demo.sh A B: compares two `alcance demo` output folders, ignoring only the
# generation timestamps (JSON "generated_at", XLSX docProps/core.xml, HTML "Generated").
set -u
a=$1; b=$2; rc=0
norm_json() { sed -E 's/"generated_at": ?"[^"]*"/"generated_at":"T"/g' "$1"; }
for f in exports/account_metrics.csv exports/post_metrics.csv charts/follower_growth.svg charts/engagement_trend.svg charts/follower_growth.png charts/engagement_trend.png; do
  cmp -s "$a/$f" "$b/$f" && echo "identical  $f" || { echo "DIFFERENT  $f"; rc=1; }
done
for f in exports/alcance-export.json reports/weekly.json; do
  cmp -s <(norm_json "$a/$f") <(norm_json "$b/$f") && echo "identical but timestamps  $f" || { echo "DIFFERENT  $f"; rc=1; }
done
for f in exports/alcance-export.xlsx reports/weekly.xlsx; do
  t=$(mktemp -d); mkdir -p $t/a $t/b
  (cd $t/a && unzip -qo "$a/$f") ; (cd $t/b && unzip -qo "$b/$f")
  rm -f $t/a/docProps/core.xml $t/b/docProps/core.xml
  for d in $t/a $t/b; do [ -f $d/xl/sharedStrings.xml ] && sed -i -E 's/Generated [0-9-]+ [0-9:]+ UTC/Generated T/g' $d/xl/sharedStrings.xml; done
  diff -rq $t/a $t/b >/dev/null && echo "identical but timestamps  $f (every part but docProps/core.xml)" || { echo "DIFFERENT  $f"; diff -rq $t/a $t/b; rc=1; }
  rm -rf $t
done
exit $rc
