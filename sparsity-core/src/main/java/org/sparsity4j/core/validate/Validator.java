package org.sparsity4j.core.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/**
 * Checks that a tensor (for example an already-masked weight) obeys an N:M pattern: no group of
 * M consecutive elements along an axis holds more than N non-zeros. {@code -0} counts as zero;
 * NaN and infinities count as non-zero.
 *
 * <p>With {@code --add-modules jdk.incubator.vector} (and {@code sparsity.simd} not {@code false})
 * groups of 2 and 4 are counted with SIMD; reports are identical either way.
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

    /** Elements per block; blocks run in parallel on large tensors and merge in block order. */
    private static final int BLOCK = 1 << 15;
    private static final int PARALLEL_THRESHOLD = 1 << 20;

    /**
     * Counts non-zeros per group along {@code axis}; {@code ragged} allows a last partial group.
     * The tensor is cut into blocks of whole group rows (contiguous axis: runs of groups; strided
     * axis: a slice of one group row, or several whole rows where a row is shorter than a block),
     * independent of the thread count, so the report is the same whether blocks ran in parallel or not.
     */
    private static void scan(Tensor t, SparsityPattern p, int axis, boolean ragged, Counter c) {
        Shape shape = t.shape();
        int m = p.m();
        int n = p.n();
        int outer = shape.outer(axis);
        int len = (int) shape.dim(axis);
        int inner = shape.inner(axis);
        int groupsPerLine = ragged ? (len + m - 1) / m : len / m;
        if (shape.size() == 0 || groupsPerLine == 0) {
            return;
        }
        int rows = outer * groupsPerLine; // group rows (o, g)
        int slice = inner == 1 ? 1 : Math.max(1, Math.min(inner, BLOCK / m));
        int slicesPerRow = (inner + slice - 1) / slice;
        // group rows per block: many along the contiguous axis, and along a strided one where a row is
        // shorter than a block (a convolution weight along its input channels: kh * kw groups a row)
        int rowsPerBlock = inner == 1 ? Math.max(1, BLOCK / m)
                : slicesPerRow == 1 ? Math.max(1, BLOCK / m / inner) : 1;
        int blocks = inner == 1 || slicesPerRow == 1 ? (rows + rowsPerBlock - 1) / rowsPerBlock : rows * slicesPerRow;
        Counter[] parts = new Counter[blocks];
        int scratchSize = Math.max(m * slice, rowsPerBlock * m);
        // key buffers of this call, taken by blocks and given back (not a ThreadLocal per call, whose
        // entries in the threads' maps cost the collector; see ScratchPool in the mask package)
        ConcurrentLinkedQueue<int[]> scratch = new ConcurrentLinkedQueue<>();
        // SIMD counts of violating groups: a block without violations needs nothing else; a block
        // with violations is rescanned by the scalar loop, which records them in order
        boolean simd = ValidateSimd.enabled() && ValidateSimd.supports(m) && len % m == 0;
        java.util.stream.IntStream ids = java.util.stream.IntStream.range(0, blocks);
        (shape.size() >= PARALLEL_THRESHOLD ? ids.parallel() : ids).forEach(b -> {
            Counter part = new Counter();
            if (inner == 1) {
                int r0 = b * rowsPerBlock;
                int r1 = Math.min(rows, r0 + rowsPerBlock);
                // without a ragged edge, group rows r0..r1 are the consecutive elements r0 * m ..
                if (simd && SimdCount.contiguous(t, r0 * m, (r1 - r0) * m, m, n) == 0) {
                    part.groups += r1 - r0;
                    parts[b] = part;
                    return;
                }
                int[] keys = take(scratch, scratchSize); // only blocks the SIMD count did not clear need it
                for (int r = r0; r < r1; ) {
                    // a run of group rows inside one line (fixed o): consecutive elements
                    int o = r / groupsPerLine;
                    int g0 = r % groupsPerLine;
                    int g1 = Math.min(groupsPerLine, g0 + (r1 - r));
                    int start = o * len + g0 * m;
                    int count = Math.min(len, g1 * m) - g0 * m;
                    t.magnitudeKeys(start, 1, count, keys, 0, 1);
                    for (int g = g0; g < g1; g++) {
                        int from = (g - g0) * m;
                        int to = Math.min(count, from + m);
                        int nz = 0;
                        for (int e = from; e < to; e++) {
                            nz += (keys[e] | -keys[e]) >>> 31;
                        }
                        record(part, shape, axis, o * len + g * m, nz, n);
                    }
                    r += g1 - g0;
                }
                scratch.offer(keys);
            } else {
                // one slice of one group row, or (slicesPerRow == 1) whole rows r0..r1
                int r0 = slicesPerRow == 1 ? b * rowsPerBlock : b / slicesPerRow;
                int r1 = slicesPerRow == 1 ? Math.min(rows, r0 + rowsPerBlock) : r0 + 1;
                int i0 = slicesPerRow == 1 ? 0 : (b % slicesPerRow) * slice;
                int cnt = Math.min(slice, inner - i0);
                int[] keys = null;
                for (int row = r0; row < r1; row++) {
                    int o = row / groupsPerLine;
                    int g = row % groupsPerLine;
                    int width = Math.min(m, len - g * m);
                    int base = (o * len + g * m) * inner;
                    if (simd && SimdCount.strided(t, base + i0, inner, cnt, m, n) == 0) {
                        part.groups += cnt;
                        continue;
                    }
                    if (keys == null) {
                        keys = take(scratch, scratchSize);
                    }
                    for (int j = 0; j < width; j++) {
                        t.magnitudeKeys(base + j * inner + i0, 1, cnt, keys, j * cnt, 1);
                    }
                    for (int i = 0; i < cnt; i++) {
                        int nz = 0;
                        for (int j = 0; j < width; j++) {
                            int k = keys[j * cnt + i];
                            nz += (k | -k) >>> 31;
                        }
                        record(part, shape, axis, base + i0 + i, nz, n);
                    }
                }
                if (keys != null) {
                    scratch.offer(keys);
                }
            }
            parts[b] = part;
        });
        for (Counter part : parts) {
            c.groups += part.groups;
            c.violating += part.violating;
            for (Violation v : part.first) {
                if (c.first.size() < ValidationReport.MAX_RECORDED) {
                    c.first.add(v);
                }
            }
        }
    }

    /** A free key buffer of the call, or a new one. */
    private static int[] take(Queue<int[]> free, int size) {
        int[] keys = free.poll();
        return keys != null ? keys : new int[size];
    }

    private static void record(Counter part, Shape shape, int axis, int firstElement, int nz, int n) {
        part.groups++;
        if (nz > n) {
            part.violating++;
            if (part.first.size() < ValidationReport.MAX_RECORDED) {
                part.first.add(Violation.of(shape.coordinates(firstElement), axis, nz, n));
            }
        }
    }
}
