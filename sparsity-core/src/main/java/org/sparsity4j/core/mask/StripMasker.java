package org.sparsity4j.core.mask;

import java.util.Objects;
import java.util.stream.IntStream;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/**
 * Chooses strip (1-D) N:M masks: in every group of M consecutive elements along the reduction
 * axis, keep the N of largest magnitude (or score).
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Order: {@link ElementType} magnitude order ({@code +0 == -0}, finite ascending, then
 *       infinity, then NaN).</li>
 *   <li>Ties go to the lower index along the axis.</li>
 *   <li>Exactly N positions are kept per group, so a group with fewer than N non-zeros keeps some
 *       zeros and stays valid.</li>
 *   <li>The axis length must be a multiple of M.</li>
 * </ul>
 *
 * <h2>Parallelism</h2>
 * The tensor is cut into blocks of a fixed size that does not depend on the thread count; blocks
 * run on the common fork-join pool when the tensor has at least {@link #PARALLEL_THRESHOLD}
 * elements (or always/never, see {@link #parallel(boolean)}), and per-block statistics are merged
 * in block order. The mask and the statistics are therefore identical, bit for bit, whether the
 * work ran on one thread or many.
 * The bits of a large mask are held in pages of 2^19 elements (64 KiB) or more, which
 * the threads allocate as they reach them: no thread zeroes the whole mask while the others wait.
 *
 * <h2>SIMD</h2>
 * When the JVM runs with {@code --add-modules jdk.incubator.vector} (the incubating Vector API,
 * JDK 16 and later) on hardware with 256-bit vectors, magnitude masks of FP32 (1:2, 2:4), FP16
 * and BF16 (2:4) use SIMD kernels; {@code -Dsparsity.simd=false} turns them off. Masks, pruned
 * values and group counts are identical either way; the magnitude sums of {@link MaskStats} may
 * differ in the last digits (summation order; relative difference below {@code 5e-6}). Without the
 * module the scalar kernels run and the Vector API is never loaded. With the SIMD kernels,
 * {@link #prune} of a tensor made on a Java array ({@link Tensor#array()}) works on that array in
 * place; otherwise elements go through per-thread chunk buffers.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class StripMasker {
    /** Element count from which {@link #compute} and {@link #prune} run in parallel by default. */
    public static final int PARALLEL_THRESHOLD = 1 << 20;
    /** Target elements per block. */
    private static final int BLOCK_ELEMENTS = 1 << 14;

    private final SparsityPattern pattern;
    private final Boolean parallel; // null = by size

    private StripMasker(SparsityPattern pattern, Boolean parallel) {
        this.pattern = pattern;
        this.parallel = parallel;
    }

    /**
     * Returns a masker for a pattern.
     *
     * @param pattern the N:M pattern
     * @return the masker
     */
    public static StripMasker of(SparsityPattern pattern) {
        return new StripMasker(Objects.requireNonNull(pattern, "pattern"), null);
    }

    /**
     * Returns a masker that always ({@code true}) or never ({@code false}) runs in parallel.
     *
     * @param enabled whether to use the common fork-join pool
     * @return a new masker
     */
    public StripMasker parallel(boolean enabled) {
        return new StripMasker(pattern, enabled);
    }

    /** Returns the pattern. */
    public SparsityPattern pattern() {
        return pattern;
    }

    /**
     * Computes the magnitude mask of {@code t} along {@code axis}; {@code t} is not changed.
     *
     * @param t the tensor
     * @param axis the reduction axis (negative counts from the end)
     * @return the mask with statistics
     * @throws IllegalArgumentException if the axis is out of range or its length is not a multiple of M
     */
    public Mask compute(Tensor t, int axis) {
        return run(t, null, axis, false);
    }

    /**
     * Computes the magnitude mask and zeroes the pruned elements of {@code t} in one pass.
     *
     * @param t the tensor, modified in place
     * @param axis the reduction axis
     * @return the mask with statistics of the tensor before pruning
     * @throws IllegalArgumentException as {@link #compute}, or if {@code t} is read-only
     *         ({@link Tensor#isReadOnly()})
     */
    public Mask prune(Tensor t, int axis) {
        t.requireWritable("prune");
        return run(t, null, axis, true);
    }

    /**
     * Computes a mask from caller-supplied scores (for example activation-aware scores
     * {@code |W| * ||X||}): in every group the N largest scores are kept, ties to the lower index.
     * The statistics report retained magnitude of {@code weights} and retained score.
     *
     * @param weights the tensor the mask is for (not changed)
     * @param scores FP32 scores of the same shape, each finite and {@code >= 0}
     * @param axis the reduction axis
     * @return the mask
     * @throws IllegalArgumentException if shapes differ, scores are not FP32, a score is negative,
     *         NaN or infinite (naming its coordinates), or the axis is invalid
     */
    public Mask computeFromScores(Tensor weights, Tensor scores, int axis) {
        Scores.check(weights, scores);
        return run(weights, scores, axis, false);
    }

    private Mask run(Tensor t, Tensor scores, int axis, boolean apply) {
        Shape shape = t.shape();
        int a = Axes.checkGrouped(shape, axis, pattern);
        Plan plan = new Plan(shape, a, pattern);
        MaskWords words = MaskWords.paged(shape.size(), plan.unit());
        MaskStats.Acc[] partial = new MaskStats.Acc[plan.blocks];
        boolean par = parallel != null ? parallel : shape.size() >= PARALLEL_THRESHOLD;
        ScratchPool<Scratch> scratch = new ScratchPool<>(() -> new Scratch(plan.maxBlockGroups * pattern.m()));
        boolean simd = StripSimd.enabled();
        IntStream blocks = IntStream.range(0, plan.blocks);
        (par ? blocks.parallel() : blocks).forEach(b -> {
            MaskStats.Acc acc = new MaskStats.Acc();
            Scratch s = scratch.take();
            processBlock(t, scores, plan, b, s, words, acc, apply, simd);
            scratch.give(s); // not after a failure: the call fails as a whole
            partial[b] = acc;
        });
        MaskStats.Acc total = new MaskStats.Acc();
        for (MaskStats.Acc acc : partial) {
            total.add(acc);
        }
        return new Mask(shape, pattern, MaskKind.STRIP, a, -1, words, total.toStats(scores != null));
    }

    /**
     * Buffers of one call, used by one block at a time ({@link ScratchPool}), each array allocated on
     * first use: the fused and SIMD paths of the hardware patterns need only a few of them, and
     * allocating (zeroing) them all cost a call about as much as pruning 64K FP16 elements
     * (benchmarks/RESULTS.md).
     */
    private static final class Scratch {
        private final int n;
        private int[] keys;
        private int[] scoreKeys;
        private byte[] flags;
        final FusedStrip.Scratch fused = new FusedStrip.Scratch();

        Scratch(int n) {
            this.n = n;
        }

        int[] keys() {
            if (keys == null) {
                keys = new int[n];
            }
            return keys;
        }

        int[] scoreKeys() {
            if (scoreKeys == null) {
                scoreKeys = new int[n];
            }
            return scoreKeys;
        }

        byte[] flags() {
            if (flags == null) {
                flags = new byte[n];
            }
            return flags;
        }
    }

    /**
     * The fixed block partition. A block is {@link #rows} segments of {@code count} groups, segment r
     * from {@code base + r * m * inner}; group q's element j sits at
     * {@code segment base + q * groupStride + j * elemStride}. Along a strided axis a segment lies in one
     * group row (M rows of {@code inner} elements); where a group row is shorter than a block, a block
     * takes several whole group rows (a convolution weight along its input channels has only
     * {@code kh * kw} groups per row), so that the work per block, and not per row, pays for the block.
     */
    static final class Plan {
        final int m;
        final int inner;
        final int blocks;
        final int maxBlockGroups;
        final int totalGroups;
        final int segsPerRow;
        final int seg;
        /** Group rows per block (1 along the contiguous axis, and where a row is cut into segments). */
        final int rowsPerBlock;
        final int groupRows;

        Plan(Shape shape, int axis, SparsityPattern p) {
            m = p.m();
            inner = shape.inner(axis);
            totalGroups = shape.size() / m;
            int target = Math.max(1, BLOCK_ELEMENTS / m);
            if (inner == 1) {
                seg = target;
                segsPerRow = 0;
                groupRows = 0;
                rowsPerBlock = 1;
                blocks = (totalGroups + seg - 1) / seg;
                maxBlockGroups = Math.min(seg, Math.max(totalGroups, 1));
            } else {
                seg = Math.max(1, Math.min(inner, target));
                segsPerRow = (inner + seg - 1) / seg;
                groupRows = inner == 0 ? 0 : totalGroups / inner;
                rowsPerBlock = segsPerRow == 1 ? Math.max(1, target / Math.max(inner, 1)) : 1;
                blocks = segsPerRow == 1 ? (groupRows + rowsPerBlock - 1) / rowsPerBlock : groupRows * segsPerRow;
                maxBlockGroups = seg;
            }
        }

        /** The number of segments (group rows) of block {@code b}. */
        int rows(int b) {
            return rowsPerBlock == 1 ? 1 : Math.min(rowsPerBlock, groupRows - b * rowsPerBlock);
        }

        int base(int b) {
            if (segsPerRow == 0) {
                return b * seg * m;
            }
            if (segsPerRow == 1) {
                return b * rowsPerBlock * m * inner;
            }
            int row = b / segsPerRow;
            int s = b % segsPerRow;
            return row * m * inner + s * seg;
        }

        int count(int b) {
            if (segsPerRow == 0) {
                return Math.min(seg, totalGroups - b * seg);
            }
            int s = b % segsPerRow;
            return Math.min(seg, inner - s * seg);
        }

        /**
         * Elements that no block crosses, from element 0 on: a block's span along the contiguous
         * axis, a group of M rows along a strided one ({@link MaskWords#paged}).
         */
        long unit() {
            return segsPerRow == 0 ? (long) seg * m : (long) rowsPerBlock * m * inner;
        }

        int groupStride() {
            return segsPerRow == 0 ? m : 1;
        }

        int elemStride() {
            return segsPerRow == 0 ? 1 : inner;
        }
    }

    private void processBlock(Tensor t, Tensor scores, Plan plan, int b, Scratch s, MaskWords mask,
                              MaskStats.Acc acc, boolean apply, boolean simd) {
        // the block's page of the mask (allocated here by the first block that reaches it), bits from origin;
        // pages are whole multiples of Plan.unit(), so every segment of the block lies in this one
        int first = plan.base(b);
        int page = mask.pageOf(first);
        long[] words = mask.page(page);
        int origin = mask.origin(page);
        int rows = plan.rows(b);
        for (int r = 0; r < rows; r++) {
            processSegment(t, scores, plan, first + r * plan.m * plan.inner, plan.count(b), s, words, origin, acc,
                    apply, simd);
        }
    }

    /** One segment of a block: {@code count} groups from {@code base}, in one group row. */
    private void processSegment(Tensor t, Tensor scores, Plan plan, int base, int count, Scratch s, long[] words,
                                int origin, MaskStats.Acc acc, boolean apply, boolean simd) {
        final int m = plan.m;
        final int n = pattern.n();
        final int gs = plan.groupStride();
        final int es = plan.elemStride();
        if (scores == null && FusedStrip.supports(t.type(), pattern)) {
            FusedStrip.run(t, pattern, base, count, gs, es, apply, words, origin, acc, s.fused, simd);
            return;
        }
        final int[] keys = s.keys();
        final byte[] flags = s.flags();
        loadKeys(t, plan, base, count, keys);
        int[] sel = keys;
        if (scores != null) {
            loadKeys(scores, plan, base, count, s.scoreKeys());
            sel = s.scoreKeys();
        }
        // The hardware patterns without scores took the fused path above; what remains (score masks,
        // general N:M, 1:2 on narrow types) uses the general rank selection.
        long tied = selectGeneric(sel, flags, count, m, n);
        accumulate(t.type(), keys, flags, count, m, n, acc);
        acc.tied += tied;
        if (scores != null) {
            double total = 0;
            double kept = 0;
            int[] sk = s.scoreKeys();
            for (int e = 0; e < count * m; e++) {
                float v = Float.intBitsToFloat(sk[e]);
                total += v;
                kept += flags[e] != 0 ? v : 0;
            }
            acc.totalScore += total;
            acc.keptScore += kept;
        }
        if (plan.segsPerRow == 0) {
            Bits.orRun(words, base - origin, count * m, flags, 0, 1);
            if (apply) {
                t.zeroUnflagged(base, 1, count * m, flags, 0, 1);
            }
        } else {
            for (int j = 0; j < m; j++) {
                Bits.orRun(words, base + j * es - origin, count, flags, j, m);
                if (apply) {
                    t.zeroUnflagged(base + j * es, 1, count, flags, j, m);
                }
            }
        }
    }

    /** Loads the keys of one block into {@code dst[q * m + j]}; one sequential pass when the axis is contiguous. */
    private static void loadKeys(Tensor t, Plan plan, int base, int count, int[] dst) {
        int m = plan.m;
        if (plan.segsPerRow == 0) {
            t.magnitudeKeys(base, 1, count * m, dst, 0, 1);
        } else {
            for (int j = 0; j < m; j++) {
                t.magnitudeKeys(base + j * plan.inner, 1, count, dst, j, m);
            }
        }
    }

    /**
     * Keeps, in every group, the N elements of lowest rank, where an element's rank is the number
     * of others that beat it (a larger key, or an equal key at a lower index). Returns the number
     * of groups decided by the tie rule (smallest kept key equal to the largest pruned key).
     */
    private static long selectGeneric(int[] k, byte[] flags, int count, int m, int n) {
        long tied = 0;
        for (int q = 0, o = 0; q < count; q++, o += m) {
            int minKept = Integer.MAX_VALUE;
            int maxDropped = Integer.MIN_VALUE;
            for (int j = 0; j < m; j++) {
                int kj = k[o + j];
                int rank = 0;
                for (int i = 0; i < m; i++) {
                    int ki = k[o + i];
                    rank += (ki > kj ? 1 : 0) + (ki == kj & i < j ? 1 : 0);
                }
                boolean keep = rank < n;
                flags[o + j] = (byte) (keep ? 1 : 0);
                if (keep) {
                    minKept = Math.min(minKept, kj);
                } else {
                    maxDropped = Math.max(maxDropped, kj);
                }
            }
            tied += minKept == maxDropped ? 1 : 0;
        }
        return tied;
    }

    /**
     * Magnitude sums and group counts for one block. Sums are formed per group in float (exact
     * enough for statistics, and the same on every path) and added to double accumulators; a group
     * whose sum is not finite (NaN, infinity, or float overflow) is recounted exactly.
     */
    private static void accumulate(ElementType type, int[] keys, byte[] flags, int count, int m, int n,
                                   MaskStats.Acc acc) {
        float[] table = Magnitudes.table(type);
        double total = 0;
        double kept = 0;
        long nonFinite = 0;
        long zeroGroups = 0;
        long underfilled = 0;
        long overfilled = 0;
        for (int q = 0, o = 0; q < count; q++, o += m) {
            int nz = 0;
            float gTotal = 0;
            float gKept = 0;
            for (int j = 0; j < m; j++) {
                int key = keys[o + j];
                nz += (key | -key) >>> 31;
                float mag = table != null ? table[key] : Float.intBitsToFloat(key);
                gTotal += mag;
                gKept += mag * flags[o + j];
            }
            if (Float.isFinite(gTotal)) {
                total += gTotal;
                kept += gKept;
            } else {
                for (int j = 0; j < m; j++) {
                    float mag = Magnitudes.of(table, keys[o + j]);
                    if (Float.isNaN(mag)) {
                        nonFinite++;
                    } else {
                        total += mag;
                        kept += flags[o + j] != 0 ? mag : 0;
                    }
                }
            }
            zeroGroups += (nz - 1) >>> 31;
            underfilled += (nz - n) >>> 31;
            overfilled += (n - nz) >>> 31;
        }
        acc.elements += (long) count * m;
        acc.kept += (long) count * n;
        acc.groups += count;
        acc.zeroGroups += zeroGroups;
        acc.underfilled += underfilled;
        acc.overfilled += overfilled;
        acc.nonFinite += nonFinite;
        acc.total += total;
        acc.keptSum += kept;
    }

    @Override
    public String toString() {
        return "StripMasker[" + pattern + (parallel == null ? "" : parallel ? ", parallel" : ", sequential") + "]";
    }
}
