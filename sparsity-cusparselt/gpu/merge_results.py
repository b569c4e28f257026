"""Merges the C++ and Java benchmark CSVs into markdown tables (stdout).

usage: merge_results.py bench-cpp.csv bench-java.csv "<device name>" "<Java mode>" [bench-java-cppalgs.csv]
bench-java.csv: plans searched by the Java layer; bench-java-cppalgs.csv (optional): plans built with
the configuration the C++ program's search chose, so both sides run the same kernel.
"""
import csv
import datetime
import os
import sys


def load(path):
    if not path or not os.path.exists(path):
        return {}
    with open(path, newline="") as f:
        return {(r["type"], r["N"], r["K"], r["M"]): r for r in csv.DictReader(f)}


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return float("nan")


def alg(r):
    if not r:
        return "–"
    return f"{r.get('alg_id', '?')}/{r.get('split_k', '?')}"


cpp = load(sys.argv[1])
java = load(sys.argv[2])
device = sys.argv[3] if len(sys.argv) > 3 else "GPU"
mode = sys.argv[4] if len(sys.argv) > 4 else "searched in Java"
same = load(sys.argv[5]) if len(sys.argv) > 5 else {}
print(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {device}; "
      "CUDA-event medians of 50 calls after 10 warm-ups; A (N x K) 2:4-sparse row-major, "
      "B (K x M) column-major, D column-major; dense = cuBLASLt on the pruned A; sparse = cuSPARSELt "
      "with a cached plan. Java plans: " + mode + ".\n")
print("| type | N, K, M | dense ms | C++ searched plan ms | C++ fresh plan, searched config ms | Java ms, C++ config "
      "| Java / C++ (same config) | Java ms, Java search | Java search / C++ searched | C++ host µs/call "
      "| Java host µs/call | config C++ / Java (id/splitK) | C++ speedup | Java speedup (C++ config) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for key, c in cpp.items():
    j = java.get(key, {})
    s = same.get(key, {})
    d, cs, cc = num(c.get("dense_ms")), num(c.get("cpp_sparse_ms")), num(c.get("cpp_cfg_ms"))
    js, ss = num(j.get("java_sparse_ms")), num(s.get("java_sparse_ms"))
    ch = num(c.get("cpp_cfg_host_us"))
    jh = num(s.get("java_host_us")) if s else num(j.get("java_host_us"))
    print(f"| {key[0]} | {key[1]}, {key[2]}, {key[3]} | {d:.4f} | {cs:.4f} | {cc:.4f} | {ss:.4f} | {ss / cc:.3f} "
          f"| {js:.4f} | {js / cs:.3f} | {ch:.1f} | {jh:.1f} | {alg(c)} / {alg(j)} | {d / cs:.2f}x | {d / ss:.2f}x |")
print("\nHeld stream (calls enqueued behind a stream held on a host flag, kernels back to back, "
      "median interval of 64; no host time in the interval):\n")
print("| type | N, K, M | dense held ms | C++ fresh plan, searched config held ms | Java held ms, C++ config | Java / C++ held "
      "| C++ held speedup | Java held speedup |")
print("|---|---|---|---|---|---|---|---|")
for key, c in cpp.items():
    s = same.get(key, {})
    pos = lambda x: x if x > 0 else float("nan")
    d, cs, js = pos(num(c.get("dense_held_ms"))), pos(num(c.get("cpp_cfg_held_ms"))), pos(num(s.get("java_held_ms")))
    print(f"| {key[0]} | {key[1]}, {key[2]}, {key[3]} | {d:.4f} | {cs:.4f} | {js:.4f} | {js / cs:.3f} "
          f"| {d / cs:.2f}x | {d / js:.2f}x |")
notes = [f"- {k[0]} {k[1]},{k[2]},{k[3]}: dense fallback chose {r['fallback_choice']}"
         for k, r in java.items() if r.get("fallback_choice")]
if notes:
    print("\nDense-fallback decisions (Java, measured at plan time):\n")
    print("\n".join(notes))
