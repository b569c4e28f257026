"""Merges the C++ and Java benchmark CSVs into one markdown table (stdout).

usage: merge_results.py bench-cpp.csv bench-java.csv "<device name>"
"""
import csv
import datetime
import sys


def load(path):
    with open(path, newline="") as f:
        return {(r["type"], r["N"], r["K"], r["M"]): r for r in csv.DictReader(f)}


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return float("nan")


cpp = load(sys.argv[1])
java = load(sys.argv[2])
device = sys.argv[3] if len(sys.argv) > 3 else "GPU"
mode = sys.argv[4] if len(sys.argv) > 4 else "own stream, searched"
print(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {device}; "
      "CUDA-event medians of 30 calls after 5 warm-ups; A (N x K) 2:4-sparse row-major, "
      "B (K x M) column-major, D column-major; dense = cuBLASLt on the pruned A; sparse = cuSPARSELt "
      "with a searched algorithm and a cached plan. Java benchmark mode: " + mode + ".\n")
print("| type | N, K, M | dense ms | C++ sparse ms | Java sparse ms | C++ speedup | Java speedup "
      "| Java / C++ time | C++ host µs/call | Java host µs/call |")
print("|---|---|---|---|---|---|---|---|---|---|")
for key, c in cpp.items():
    j = java.get(key, {})
    d, cs, js = num(c.get("dense_ms")), num(c.get("cpp_sparse_ms")), num(j.get("java_sparse_ms"))
    ch, jh = num(c.get("cpp_host_us")), num(j.get("java_host_us"))
    print(f"| {key[0]} | {key[1]}, {key[2]}, {key[3]} | {d:.3f} | {cs:.3f} | {js:.3f} | {d / cs:.2f}x "
          f"| {d / js:.2f}x | {js / cs:.3f} | {ch:.1f} | {jh:.1f} |")
notes = [f"- {k[0]} {k[1]},{k[2]},{k[3]}: dense fallback chose {r['fallback_choice']}"
         for k, r in java.items() if r.get("fallback_choice")]
if notes:
    print("\nDense-fallback decisions (Java, measured at plan time):\n")
    print("\n".join(notes))
