package org.sparsity4j.core.mask;

import java.math.BigInteger;
import java.util.stream.IntStream;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/**
 * Chooses transposable 2:4 masks: the matrix spanned by a reduction axis (columns of a tile) and
 * a second axis (rows of a tile) is cut into 4×4 tiles, and each tile keeps the one of the 90
 * patterns with exactly 2 kept per row and 2 per column that maximises the kept L1 magnitude
 * (or kept score), found exhaustively. Kept sums are compared exactly, also when the magnitudes
 * of a tile span more than a double's precision (a pattern keeping {@code 1e30} and {@code 1}
 * beats one keeping {@code 1e30} and {@code 0}). The result is 2:4 along both axes, so the same mask serves
 * {@code W} and {@code Wᵀ} (forward and backward GEMMs). Any further axes (for example the kernel
 * positions of a convolution weight) index independent matrices.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>The reduction axis length must be a multiple of 4. The second axis may be ragged: a last
 *       partial tile is treated as padded with zero rows; its real rows keep exactly 2 of 4 each and
 *       its columns keep at most 2.</li>
 *   <li>Ties between patterns (exactly equal kept sums): the first in a fixed enumeration order
 *       wins (see the documentation of the pattern order: row by row, lower column pairs first),
 *       which for one row is the strip rule "ties go to the lower index". A tile counts as tied in
 *       {@link MaskStats#tiedGroups()} when another pattern reaching the best sum keeps different
 *       elements; patterns differing only in the zero padding of a ragged tile count as one.</li>
 *   <li>Non-finite values: a tile maximises first the number of kept NaNs, then of kept
 *       infinities, then the exact kept finite L1.</li>
 * </ul>
 *
 * <p>Results do not depend on parallelism (fixed partition, ordered merge). Immutable, thread-safe.
 */
public final class TileMasker {
    private static final SparsityPattern PATTERN = SparsityPattern.TWO_OF_FOUR;
    /**
     * Columns (elements along the reduction axis, a multiple of 4) of one unit of work: a tile row
     * is cut into segments of this length, so that the buffers of a unit stay small (36 bytes per
     * column per running thread) and a long reduction axis is also shared between threads.
     */
    static final int SEGMENT = 4096;
    private final Boolean parallel;

    private TileMasker(Boolean parallel) {
        this.parallel = parallel;
    }

    /**
     * Returns the transposable 2:4 masker.
     *
     * @return the masker
     */
    public static TileMasker twoOfFour() {
        return new TileMasker(null);
    }

    /**
     * Returns a masker that always ({@code true}) or never ({@code false}) runs in parallel.
     *
     * @param enabled whether to use the common fork-join pool
     * @return a new masker
     */
    public TileMasker parallel(boolean enabled) {
        return new TileMasker(enabled);
    }

    /**
     * Computes the transposable mask by magnitude; {@code t} is not changed.
     *
     * @param t the tensor (rank ≥ 2)
     * @param reductionAxis the axis whose length must be a multiple of 4 (tile columns)
     * @param otherAxis the second axis (tile rows), may be ragged
     * @return the mask
     * @throws IllegalArgumentException on an invalid axis or length
     */
    public Mask compute(Tensor t, int reductionAxis, int otherAxis) {
        return run(t, null, reductionAxis, otherAxis, false);
    }

    /**
     * Computes the transposable mask and zeroes pruned elements in place.
     *
     * @param t the tensor, modified
     * @param reductionAxis tile columns
     * @param otherAxis tile rows
     * @return the mask with statistics of the tensor before pruning
     * @throws IllegalArgumentException on an invalid axis or length, or if {@code t} is read-only
     *         ({@link Tensor#isReadOnly()})
     */
    public Mask prune(Tensor t, int reductionAxis, int otherAxis) {
        t.requireWritable("prune");
        return run(t, null, reductionAxis, otherAxis, true);
    }

    /**
     * Computes the transposable mask maximising the kept score sum per tile.
     *
     * @param weights the tensor the mask is for (not changed)
     * @param scores FP32 scores of the same shape, finite and {@code >= 0}
     * @param reductionAxis tile columns
     * @param otherAxis tile rows
     * @return the mask (statistics include retained score)
     */
    public Mask computeFromScores(Tensor weights, Tensor scores, int reductionAxis, int otherAxis) {
        Scores.check(weights, scores);
        return run(weights, scores, reductionAxis, otherAxis, false);
    }

    private Mask run(Tensor t, Tensor scores, int reductionAxis, int otherAxis, boolean apply) {
        Shape shape = t.shape();
        int ra = Axes.checkGrouped(shape, reductionAxis, PATTERN);
        int oa = Axes.checkOther(shape, ra, otherAxis);
        int lenRa = (int) shape.dim(ra);
        int lenOa = (int) shape.dim(oa);
        int sRa = shape.inner(ra);
        int sOa = shape.inner(oa);
        int[] batchBase = batchOffsets(shape, ra, oa);
        int tileRows = (lenOa + 3) / 4;
        int segLen = Math.min(lenRa, SEGMENT);
        int segs = lenRa == 0 ? 0 : (lenRa + SEGMENT - 1) / SEGMENT;
        long unitCount = (long) batchBase.length * tileRows * segs; // at most size / 4 (segments hold 4+ columns)
        int units = (int) unitCount;
        long[] words = new long[(shape.size() + 63) >>> 6];
        MaskStats.Acc[] partial = new MaskStats.Acc[units];
        boolean par = parallel != null ? parallel : shape.size() >= StripMasker.PARALLEL_THRESHOLD;
        ScratchPool<Scratch> scratch = new ScratchPool<>(() -> new Scratch(segLen, scores != null));
        IntStream us = IntStream.range(0, units);
        (par ? us.parallel() : us).forEach(u -> {
            MaskStats.Acc acc = new MaskStats.Acc();
            int seg = u % segs;
            int tileRow = u / segs;
            int from = seg * SEGMENT;
            int len = Math.min(SEGMENT, lenRa - from);
            int base = batchBase[tileRow / tileRows] + (tileRow % tileRows) * 4 * sOa + from * sRa;
            int rows = Math.min(4, lenOa - (tileRow % tileRows) * 4);
            Scratch s = scratch.take();
            tileRow(t, scores, base, rows, len, sRa, sOa, s, words, acc, apply);
            scratch.give(s);
            partial[u] = acc;
        });
        MaskStats.Acc total = new MaskStats.Acc();
        for (MaskStats.Acc acc : partial) {
            total.add(acc);
        }
        return new Mask(shape, PATTERN, MaskKind.TILE, ra, oa, words, total.toStats(scores != null));
    }

    /** Flat offsets of element (0 along ra, 0 along oa) for every combination of the other axes. */
    private static int[] batchOffsets(Shape shape, int ra, int oa) {
        int rank = shape.rank();
        long[] dims = shape.dims();
        int count = 1;
        for (int a = 0; a < rank; a++) {
            if (a != ra && a != oa) {
                count *= (int) dims[a];
            }
        }
        if (dims[ra] == 0 || dims[oa] == 0) {
            count = 0;
        }
        int[] out = new int[count];
        for (int b = 0; b < count; b++) {
            int rest = b;
            int off = 0;
            for (int a = rank - 1; a >= 0; a--) {
                if (a == ra || a == oa) {
                    continue;
                }
                int c = rest % (int) dims[a];
                rest /= (int) dims[a];
                off += c * shape.inner(a);
            }
            out[b] = off;
        }
        return out;
    }

    /** Buffers for one unit: keys (and score keys, with scores) and keep flags of 4 rows of a segment. */
    private static final class Scratch {
        final int[] keys;
        final int[] scoreKeys;
        final byte[] flags;
        final float[] v = new float[16];
        final double[] pair = new double[24];

        Scratch(int segLen, boolean scores) {
            keys = new int[4 * segLen];
            scoreKeys = scores ? new int[4 * segLen] : null;
            flags = new byte[4 * segLen];
        }
    }

    /**
     * One unit: {@code len} columns (a multiple of 4) of the tile row whose first element is at
     * {@code base}, {@code rows} real rows (1 to 4, the rest zero padding); keys and flags of row r
     * sit at {@code r * len} in the scratch buffers.
     */
    private static void tileRow(Tensor t, Tensor scores, int base, int rows, int len, int sRa, int sOa,
                                Scratch s, long[] words, MaskStats.Acc acc, boolean apply) {
        float[] table = Magnitudes.table(t.type());
        int[] keys = s.keys;
        for (int r = 0; r < rows; r++) {
            t.magnitudeKeys(base + r * sOa, sRa, len, keys, r * len, 1);
            if (scores != null) {
                scores.magnitudeKeys(base + r * sOa, sRa, len, s.scoreKeys, r * len, 1);
            }
        }
        float[] v = s.v;
        byte[] flags = s.flags;
        for (int g = 0; g < len; g += 4) {
            boolean nonFinite = false;
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    float x;
                    if (r >= rows) {
                        x = 0;
                    } else if (scores != null) {
                        x = Float.intBitsToFloat(s.scoreKeys[r * len + g + c]);
                    } else {
                        x = Magnitudes.of(table, keys[r * len + g + c]);
                        nonFinite |= Float.isNaN(x);
                    }
                    v[r * 4 + c] = x;
                }
            }
            int best = nonFinite ? bestNonFinite(keys, t, rows, len, g, acc) : best(v, rows, s.pair, acc);
            int mask = TilePatterns.MASKS[best];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < 4; c++) {
                    flags[r * len + g + c] = (byte) ((mask >>> (r * 4 + c)) & 1);
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            int start = base + r * sOa;
            if (sRa == 1) {
                Bits.orRun(words, start, len, flags, r * len, 1);
            } else {
                for (int x = 0; x < len; x++) {
                    if (flags[r * len + x] != 0) {
                        Bits.set(words, start + x * sRa);
                    }
                }
            }
            if (apply) {
                t.zeroUnflagged(start, sRa, len, flags, r * len, 1);
            }
        }
        // statistics, per group of 4 along the reduction axis
        double total = 0;
        double kept = 0;
        double totalScore = 0;
        double keptScore = 0;
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < len; g += 4) {
                int nz = 0;
                for (int c = 0; c < 4; c++) {
                    int e = r * len + g + c;
                    nz += keys[e] != 0 ? 1 : 0;
                    float mag = Magnitudes.of(table, keys[e]);
                    if (Float.isNaN(mag)) {
                        acc.nonFinite++;
                    } else {
                        total += mag;
                        kept += flags[e] != 0 ? mag : 0;
                    }
                    if (scores != null) {
                        float sc = Float.intBitsToFloat(s.scoreKeys[e]);
                        totalScore += sc;
                        keptScore += flags[e] != 0 ? sc : 0;
                    }
                }
                acc.groups++;
                acc.zeroGroups += nz == 0 ? 1 : 0;
                acc.underfilled += nz < 2 ? 1 : 0;
                acc.overfilled += nz > 2 ? 1 : 0;
            }
        }
        acc.elements += (long) rows * len;
        acc.kept += (long) rows * len / 2;
        acc.total += total;
        acc.keptSum += kept;
        acc.totalScore += totalScore;
        acc.keptScore += keptScore;
    }

    /**
     * Exhaustive search over the 90 patterns on finite values: the largest exact kept sum wins, the
     * first in order among equal ones. Counts a tie when another pattern reaches the same sum with a
     * different mask on the tile's real rows.
     */
    private static int best(float[] v, int rows, double[] pair, MaskStats.Acc acc) {
        return TileSums.doubleIsExact(v) ? bestInDouble(v, rows, pair, acc) : bestExact(v, rows, pair, acc);
    }

    /** The search for tiles whose double sums are exact (see {@link TileSums}). */
    private static int bestInDouble(float[] v, int rows, double[] pair, MaskStats.Acc acc) {
        pairSums(v, pair);
        int best = 0;
        double bestSum = -1;
        boolean tied = false;
        for (int k = 0; k < TilePatterns.COUNT; k++) {
            double sum = patternSum(pair, k);
            if (sum > bestSum) {
                bestSum = sum;
                best = k;
                tied = false;
            } else if (sum == bestSum) {
                tied |= differOnRealRows(k, best, rows);
            }
        }
        acc.tied += tied ? 1 : 0;
        return best;
    }

    /**
     * The search for the other tiles: the double sums single out the candidates, and exact integer
     * sums decide between them. A double pattern sum passes through at most 4 roundings, so it is
     * within a factor {@code 1 ± 4u/(1-4u)} of the exact sum ({@code u = 2^-53}, no underflow or
     * overflow for float terms). A pattern with the largest exact sum therefore has a double sum of
     * at least {@code (1 - 8.1u)} times the largest double sum, above the threshold
     * {@code (1 - 2^-48)} times it (at most {@code 1 - 31u} times it after rounding); patterns
     * below the threshold cannot be best or tie for best.
     */
    private static int bestExact(float[] v, int rows, double[] pair, MaskStats.Acc acc) {
        pairSums(v, pair);
        double largest = 0;
        for (int k = 0; k < TilePatterns.COUNT; k++) {
            largest = Math.max(largest, patternSum(pair, k));
        }
        double threshold = largest * (1 - 0x1p-48);
        BigInteger[] exact = new BigInteger[16];
        for (int e = 0; e < 16; e++) {
            exact[e] = TileSums.scaled(v[e]);
        }
        int best = 0;
        BigInteger bestSum = null;
        boolean tied = false;
        for (int k = 0; k < TilePatterns.COUNT; k++) {
            if (patternSum(pair, k) < threshold) {
                continue;
            }
            BigInteger sum = BigInteger.ZERO;
            int mask = TilePatterns.MASKS[k];
            for (int e = 0; e < 16; e++) {
                sum = ((mask >>> e) & 1) != 0 ? sum.add(exact[e]) : sum;
            }
            int cmp = bestSum == null ? 1 : sum.compareTo(bestSum);
            if (cmp > 0) {
                bestSum = sum;
                best = k;
                tied = false;
            } else if (cmp == 0) {
                tied |= differOnRealRows(k, best, rows);
            }
        }
        acc.tied += tied ? 1 : 0;
        return best;
    }

    /** Double sums of the six column pairs of each row: {@code pair[r * 6 + p]}. */
    private static void pairSums(float[] v, double[] pair) {
        for (int r = 0; r < 4; r++) {
            for (int p = 0; p < 6; p++) {
                int[] cols = TilePatterns.PAIRS[p];
                pair[r * 6 + p] = (double) v[r * 4 + cols[0]] + v[r * 4 + cols[1]];
            }
        }
    }

    /** Double kept sum of pattern {@code k} from the pair sums. */
    private static double patternSum(double[] pair, int k) {
        int[] order = TilePatterns.ROWS;
        int o = k * 4;
        return ((pair[order[o]] + pair[6 + order[o + 1]]) + pair[12 + order[o + 2]]) + pair[18 + order[o + 3]];
    }

    /**
     * Lexicographic search (kept NaN count, kept infinity count, exact kept finite sum) for tiles with
     * non-finite values; ties as in {@link #best}.
     */
    private static int bestNonFinite(int[] keys, Tensor t, int rows, int len, int g, MaskStats.Acc acc) {
        float[] table = Magnitudes.table(t.type());
        int best = 0;
        int bestNan = -1;
        int bestInf = -1;
        BigInteger bestSum = BigInteger.ZERO;
        boolean tied = false;
        for (int k = 0; k < TilePatterns.COUNT; k++) {
            int mask = TilePatterns.MASKS[k];
            int nan = 0;
            int inf = 0;
            BigInteger sum = BigInteger.ZERO;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < 4; c++) {
                    if (((mask >>> (r * 4 + c)) & 1) == 0) {
                        continue;
                    }
                    int key = keys[r * len + g + c];
                    if (t.type().isNaNKey(key)) {
                        nan++;
                    } else if (t.type().isInfiniteKey(key)) {
                        inf++;
                    } else {
                        sum = sum.add(TileSums.scaled(Magnitudes.of(table, key)));
                    }
                }
            }
            int cmp = nan != bestNan ? Integer.compare(nan, bestNan)
                    : inf != bestInf ? Integer.compare(inf, bestInf) : sum.compareTo(bestSum);
            if (cmp > 0) {
                bestNan = nan;
                bestInf = inf;
                bestSum = sum;
                best = k;
                tied = false;
            } else if (cmp == 0) {
                tied |= differOnRealRows(k, best, rows);
            }
        }
        acc.tied += tied ? 1 : 0;
        return best;
    }

    /**
     * Whether patterns {@code a} and {@code b} keep different elements of the first {@code rows} rows;
     * in a ragged tile, patterns that differ only on the zero padding give the same mask.
     */
    private static boolean differOnRealRows(int a, int b, int rows) {
        int real = (1 << (4 * rows)) - 1;
        return ((TilePatterns.MASKS[a] ^ TilePatterns.MASKS[b]) & real) != 0;
    }

    @Override
    public String toString() {
        return "TileMasker[2:4 transposable" + (parallel == null ? "" : parallel ? ", parallel" : ", sequential") + "]";
    }
}
