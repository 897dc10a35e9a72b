#!/usr/bin/env python3
"""A binary's named symbols grouped by the crate their demangled path starts with
(`<T as Trait>::f` counts to T's crate; C symbols have no path), largest first, in MiB.
Needs the binary before strip (Cargo's `dist` profile with `strip = false`). Issue 16
point 2, docs/PERFORMANCE.md.

    python3 scripts/binary-size.py target/dist/alcance-desktop [ROWS]
"""
import re, subprocess, sys, collections
path = sys.argv[1]
out = subprocess.run(["nm", "-S", "--size-sort", "-C", path], capture_output=True, text=True).stdout
by = collections.Counter(); n = collections.Counter()
def crate_of(name):
    s = name
    # <A as B>::f and <impl ..> : take the first path inside
    while s.startswith("<"):
        s = s[1:]
        if s.startswith("&"): s = s.lstrip("&").replace("mut ", "", 1)
        if s.startswith("dyn "): s = s[4:]
        if s.startswith("["): s = s[1:]
        if s.startswith("("): s = s[1:]
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", s)
    if m: return m.group(1)
    return "[C / no crate path]"
for line in out.splitlines():
    parts = line.split(None, 3)
    if len(parts) < 4: continue
    size = int(parts[1], 16); typ = parts[2]; name = parts[3]
    c = crate_of(name)
    by[c] += size; n[c] += 1
total = sum(by.values())
print(f"symbols total {total/1048576:.2f} MiB")
for c, s in by.most_common(int(sys.argv[2]) if len(sys.argv) > 2 else 45):
    print(f"{s/1048576:8.2f} MiB {100*s/total:5.1f}%  {n[c]:6d}  {c}")
