"""Java vs C++ with the same kernel configuration, identical operands and the same sequence of work.

usage: compare_fixed.py cpp-fixed-1.csv [cpp-fixed-2.csv ...] -- java-1.csv [java-2.csv ...]
Round i pairs the i-th C++ file (bench_cusparselt --algs) with the i-th Java file (--algs), which ran
one after the other. Prints two markdown tables: per shape and round the device-time medians of calls
timed one by one and their ratio, the ratio of the per-side means over rounds, and the host enqueue
cost of both sides; then the same for the "held" device times (calls enqueued behind a held stream,
so the interval holds no host time; -1 or missing where a side could not hold the stream).
"""
import csv
import sys


def load(path):
    with open(path, newline="") as f:
        return {(r["type"], r["N"], r["K"], r["M"]): r for r in csv.DictReader(f)}


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return float("nan")


sep = sys.argv.index("--")
cpp = [load(p) for p in sys.argv[1:sep]]
java = [load(p) for p in sys.argv[sep + 1:]]
rounds = min(len(cpp), len(java))


def mean(v):
    return sum(v) / len(v)


def table(cpp_col, java_col, label, host):
    """One row per shape: both sides' times per round and their ratio; with host, the enqueue costs too.
    A time of -1 (no held timing on that side) shows as nan."""
    head = "| type | N, K, M | config | " + " | ".join(
        f"C++ {label}ms r{i + 1} | Java {label}ms r{i + 1} | Java/C++ r{i + 1}" for i in range(rounds))
    head += f" | Java/C++ {label}(means) |" + (" C++ host µs | Java host µs | Java − C++ host µs |" if host else "")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for key, c0 in cpp[0].items():
        cells, cs, js, ch, jh = [], [], [], [], []
        for i in range(rounds):
            c = cpp[i].get(key, {})
            j = java[i].get(key, {})
            cm, jm = (x if x > 0 else float("nan") for x in (num(c.get(cpp_col)), num(j.get(java_col))))
            cs.append(cm)
            js.append(jm)
            ch.append(num(c.get("cpp_host_us")))
            jh.append(num(j.get("java_host_us")))
            cells.append(f"{cm:.4f} | {jm:.4f} | {jm / cm:.3f}")
        row = f"| {key[0]} | {key[1]}, {key[2]}, {key[3]} | {c0.get('alg_id')} | " + " | ".join(cells)
        row += f" | {mean(js) / mean(cs):.3f} |"
        if host:
            row += f" {mean(ch):.1f} | {mean(jh):.1f} | {mean(jh) - mean(ch):+.1f} |"
        print(row)


table("cpp_sparse_ms", "java_sparse_ms", "", True)
print()
table("cpp_held_ms", "java_held_ms", "held ", False)
