#!/usr/bin/env python3
"""Runs cusparselt_golden over a case list and survives crashes inside the library.

Usage: run_cases.py <binary> <cases file>

When the process dies (a signal), the line and stage it died in are read from progress.txt, the
case is recorded as crashed (stage 9 record, status = stage), and the run resumes after it. After
two crashes with the same signature (type, order, op, operand, whether it prunes, stage), the
remaining lines with that signature are not run and recorded as crashed with status 100 + stage.
"""
import subprocess
import sys


def signature(line, stage):
    f = line.split()
    if f[0] == "sizes":
        return ("sizes", f[2], f[3], stage)
    prunes = f[9] in ("random", "special")
    return ("case", f[3], f[4], f[5], f[6], prunes if stage >= 3 else None, stage)


def main():
    binary, cases = sys.argv[1], sys.argv[2]
    lines = open(cases).read().split("\n")
    skipped = {}  # line -> stage
    counts = {}
    crashed = []
    start = 0
    while True:
        with open("cases-run.txt", "w") as f:
            f.write("\n".join("#" + l if i in skipped else l for i, l in enumerate(lines)))
        rc = subprocess.call([binary, "cases-run.txt", str(start), "progress.txt"])
        if rc == 0:
            break
        if rc > 0 and rc <= 128:
            print("cusparselt_golden failed with status %d; stopping" % rc, flush=True)
            break
        line, stage = (int(x) for x in open("progress.txt").read().split())
        print("crashed (status %d) at line %d, stage %d: %s" % (rc, line, stage, lines[line]), flush=True)
        crashed.append((line, stage))
        sig = signature(lines[line], stage)
        counts[sig] = counts.get(sig, 0) + 1
        if counts[sig] >= 2:
            for i in range(line + 1, len(lines)):
                if lines[i].strip() and not lines[i].startswith("#") and i not in skipped \
                        and signature(lines[i], stage) == sig:
                    skipped[i] = 100 + stage
            print("  skipping the remaining lines with signature %s" % (sig,), flush=True)
        start = line + 1
    with open("crashed.txt", "w") as f:
        for line, stage in crashed + sorted(skipped.items()):
            f.write("%d %d\n" % (line, stage))
    print("crashed: %d, skipped after crashes: %d" % (len(crashed), len(skipped)), flush=True)
    if crashed or skipped:
        subprocess.check_call([binary, "--crashed", cases, "crashed.txt"])


if __name__ == "__main__":
    main()
