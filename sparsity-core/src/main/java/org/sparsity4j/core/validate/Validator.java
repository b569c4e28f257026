package org.sparsity4j.core.validate;

import java.util.ArrayList;
import java.util.List;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/**
 * Checks that a tensor (for example an already-masked weight) obeys an N:M pattern: no group of
 * M consecutive elements along an axis holds more than N non-zeros. {@code -0} counts as zero;
 * NaN and infinities count as non-zero.
 */
public final class Validator {
    private Validator() {
    }

    /**
     * Checks a strip pattern along one axis.
     *
     * @param t the tensor
     * @param pattern the pattern
     * @param axis the reduction axis (negative counts from the end)
     * @return the report
     * @throws IllegalArgumentException if the axis is out of range or its length is not a multiple of M
     */
    public static ValidationReport checkStrip(Tensor t, SparsityPattern pattern, int axis) {
        Shape shape = t.shape();
        int a = shape.normalizeAxis(axis);
        long len = shape.dim(a);
        if (len % pattern.m() != 0) {
            throw new IllegalArgumentException("axis " + axis + " of shape " + shape + " has length " + len
                    + ", not a multiple of M=" + pattern.m() + " (pattern " + pattern + ")");
        }
        Counter c = new Counter();
        scan(t, pattern, a, false, c);
        return new ValidationReport(pattern + " along axis " + a + " of " + t.type() + " " + shape, c.groups,
                c.violating, c.first);
    }

    /**
     * Checks transposable 2:4 validity: 2:4 along {@code reductionAxis} (whose length must be a
     * multiple of 4) and along {@code otherAxis}, where a last partial group (ragged edge) may hold
     * at most 2 non-zeros.
     *
     * @param t the tensor
     * @param reductionAxis the axis with groups of exactly 4
     * @param otherAxis the second axis
     * @return the report covering both axes
     * @throws IllegalArgumentException on invalid axes
     */
    public static ValidationReport checkTile(Tensor t, int reductionAxis, int otherAxis) {
        Shape shape = t.shape();
        SparsityPattern p = SparsityPattern.TWO_OF_FOUR;
        int ra = shape.normalizeAxis(reductionAxis);
        int oa = shape.normalizeAxis(otherAxis);
        if (ra == oa) {
            throw new IllegalArgumentException("tile axes must differ, both are " + ra + " for shape " + shape);
        }
        if (shape.dim(ra) % 4 != 0) {
            throw new IllegalArgumentException("axis " + reductionAxis + " of shape " + shape + " has length "
                    + shape.dim(ra) + ", not a multiple of M=4 (pattern 2:4)");
        }
        Counter c = new Counter();
        scan(t, p, ra, false, c);
        scan(t, p, oa, true, c);
        return new ValidationReport("transposable 2:4 along axes " + ra + " and " + oa + " of " + t.type() + " "
                + shape, c.groups, c.violating, c.first);
    }

    private static final class Counter {
        long groups;
        long violating;
        final List<Violation> first = new ArrayList<>();
    }

    /** Counts non-zeros per group along {@code axis}; {@code ragged} allows a last partial group. */
    private static void scan(Tensor t, SparsityPattern p, int axis, boolean ragged, Counter c) {
        Shape shape = t.shape();
        int m = p.m();
        int n = p.n();
        int outer = shape.outer(axis);
        int len = (int) shape.dim(axis);
        int inner = shape.inner(axis);
        int groupsPerLine = ragged ? (len + m - 1) / m : len / m;
        int[] keys = new int[Math.max(inner, 1)];
        int[] counts = new int[Math.max(inner, 1)];
        for (int o = 0; o < outer; o++) {
            for (int g = 0; g < groupsPerLine; g++) {
                int width = Math.min(m, len - g * m);
                java.util.Arrays.fill(counts, 0);
                int base = (o * len + g * m) * inner;
                for (int j = 0; j < width; j++) {
                    t.magnitudeKeys(base + j * inner, 1, inner, keys, 0, 1);
                    for (int i = 0; i < inner; i++) {
                        counts[i] += keys[i] != 0 ? 1 : 0;
                    }
                }
                for (int i = 0; i < inner; i++) {
                    c.groups++;
                    if (counts[i] > n) {
                        c.violating++;
                        if (c.first.size() < ValidationReport.MAX_RECORDED) {
                            c.first.add(Violation.of(shape.coordinates(base + i), axis, counts[i], n));
                        }
                    }
                }
            }
        }
    }
}
