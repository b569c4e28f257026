#!/usr/bin/env python3
"""Writes the case list for cusparselt_golden (one line per case) to standard output.

Usage: gen_cases.py [--sizes] [--type=N ...]
  --sizes   adds the compressed-size survey lines
  --type=N  only this cudaDataType (repeatable); default: all six

Every choice is seeded, so the list is the same on every run.
"""
import random
import sys

TYPES = {0: "fp32", 2: "fp16", 14: "bf16", 3: "int8", 28: "e4m3", 29: "e5m2"}
A_ORIENTATIONS = [("R", "N"), ("C", "N"), ("R", "T"), ("C", "T")]


def unit(t):
    return 32 if t in (3, 28, 29) else 16


def esize(t):
    return 4 if t == 0 else 2 if t in (2, 14) else 1


def probe_shapes(t):
    if unit(t) == 32:
        return [(32, 64), (32, 32), (64, 128), (128, 128), (96, 160)]
    return [(32, 64), (16, 16), (64, 64), (128, 128), (48, 80)]


def digits(n, base):
    d = 1
    cap = base
    while cap < n:
        cap *= base
        d += 1
    return d


def random_shapes(t, rnd, count, forced):
    u = unit(t)
    shapes = list(forced)
    while len(shapes) < count:
        a = 1 + int((21 if u == 16 else 11) * rnd.random() ** 2)
        b = 1 + int((21 if u == 16 else 11) * rnd.random() ** 2)
        shapes.append((a * u, b * u))
    return shapes[:count]


def lines(with_sizes, only_types=None):
    out = []
    for t, tn in TYPES.items():
        if only_types and t not in only_types:
            continue
        rnd = random.Random(1000 + t)
        u = unit(t)
        gold = "golden-%s.bin" % tn
        probe = "probes-%s.bin" % ("8" if esize(t) == 1 else "16")
        seed = t * 1_000_000

        def case(file, name, order, op, sparse_a, r, c, mode, plane=0):
            nonlocal seed
            seed += 1
            out.append("case %s %s %d %s %s %d %d %d %s %d %d" % (
                file, name, t, order, op, sparse_a, r, c, mode, seed, plane))

        # random pruned goldens: 24 shapes row-major op N, 8 per other orientation
        forced = [(u, u), (u, 2 * u), (2 * u, u), (3 * u, 5 * u), (5 * u, 3 * u), (u, 10 * u), (10 * u, u)]
        for (r, c) in random_shapes(t, rnd, 24, forced):
            case(gold, "random", "R", "N", 1, r, c, "random")
        for (order, op) in A_ORIENTATIONS[1:]:
            for (r, c) in random_shapes(t, rnd, 8, [(u, 2 * u), (3 * u, 5 * u)]):
                case(gold, "random", order, op, 1, r, c, "random")
        # kept positions drawn without cusparseLtSpMMAPrune2, in every orientation
        for (order, op) in A_ORIENTATIONS:
            for (r, c) in random_shapes(t, rnd, 4, [(2 * u, 3 * u)]):
                case(gold, "randown", order, op, 1, r, c, "randown")
        # sparse B operand: a few, to document whether it is accepted and how it is laid out
        for (order, op) in A_ORIENTATIONS:
            for (r, c) in [(2 * u, 4 * u), (4 * u, 2 * u)]:
                case(gold, "randomB", order, op, 0, r, c, "random")
        # shapes off the 16/32 grid: accepted or refused by the descriptor
        for (r, c) in [(8, 8), (8, 16), (16, 8), (8, 32), (32, 8), (24, 40), (40, 24), (16, 24), (24, 16),
                       (48, 48), (16, 32), (32, 16), (16, 64), (64, 16), (40, 40), (4, 4), (4, 16), (16, 4)]:
            case(gold, "odd", "R", "N", 1, r, c, "random")
            case(gold, "odd", "C", "T", 1, r, c, "random")
        for (order, op) in A_ORIENTATIONS:
            for i, (r, c) in enumerate(probe_shapes(t)):
                small = i < 2
                # groups with fewer than N non-zeros, -0, NaN/Inf: small shapes are goldens
                for mode in ("under", "underneg", "special"):
                    case(gold if small else probe, mode, order, op, 1, r, c, mode)
                n = r * c
                vplanes = digits(n, 30000 if esize(t) == 2 else 120 if esize(t) == 1 else 1 << 23)
                for p in range(vplanes):
                    case(probe, "vcoord", order, op, 1, r, c, "vcoord", p)
                g = 2 if t == 0 else 4
                npat = 2 if t == 0 else 6
                for p in range(digits(n // g, npat)):
                    case(probe, "mcoord", order, op, 1, r, c, "mcoord", p)
        if with_sizes:
            for order in ("R", "C"):
                dims = list(range(4, 64, 4)) + list(range(64, 513, 8))
                for r in dims:
                    for c in dims:
                        out.append("sizes sizes.tsv %d %s %d %d %d" % (t, order, r, c, c if order == "R" else r))
                for (r, c) in [(1024, 1024), (4096, 4096), (8192, 8192), (4096, 11008), (11008, 4096),
                               (8192, 28672), (12288, 4096), (768, 3072), (3072, 768), (1000, 1000)]:
                    out.append("sizes sizes.tsv %d %s %d %d %d" % (t, order, r, c, c if order == "R" else r))
                for (r, c, extra) in [(64, 64, 16), (64, 64, 64), (128, 64, 32), (64, 128, 8)]:
                    ld = (c if order == "R" else r) + extra
                    out.append("sizes sizes.tsv %d %s %d %d %d" % (t, order, r, c, ld))
    return out


if __name__ == "__main__":
    types = [int(a.split("=")[1]) for a in sys.argv[1:] if a.startswith("--type=")]
    sys.stdout.write("\n".join(lines("--sizes" in sys.argv, types)) + "\n")
