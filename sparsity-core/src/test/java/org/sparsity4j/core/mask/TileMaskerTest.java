package org.sparsity4j.core.mask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.testutil.Gen;
import org.sparsity4j.core.validate.Validator;

class TileMaskerTest {

    /** Independently enumerated: all 16-bit masks with exactly 2 per row and per column. */
    private static int[] legalTiles() {
        int[] out = new int[90];
        int n = 0;
        for (int mask = 0; mask < (1 << 16); mask++) {
            boolean ok = true;
            for (int i = 0; i < 4 && ok; i++) {
                int row = 0;
                int col = 0;
                for (int j = 0; j < 4; j++) {
                    row += (mask >> (i * 4 + j)) & 1;
                    col += (mask >> (j * 4 + i)) & 1;
                }
                ok = row == 2 && col == 2;
            }
            if (ok) {
                out[n++] = mask;
            }
        }
        assertEquals(90, n);
        return out;
    }

    private static int tileMask(Mask m, int rowStride, int base) {
        int mask = 0;
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                mask |= (m.isKept(base + r * rowStride + c) ? 1 : 0) << (r * 4 + c);
            }
        }
        return mask;
    }

    @Test
    void enumerationHasExactlyThe90LegalTiles() {
        Set<Integer> expected = new HashSet<>();
        for (int t : legalTiles()) {
            expected.add(t);
        }
        Set<Integer> actual = new HashSet<>();
        for (int k = 0; k < TilePatterns.COUNT; k++) {
            actual.add(TilePatterns.MASKS[k]);
        }
        assertEquals(90, TilePatterns.COUNT);
        assertEquals(expected, actual);
    }

    /** For each of the 90 tiles, a matrix whose large values sit exactly on it selects it (unique optimum). */
    @Test
    void eachOfThe90TilesIsFoundWhenItIsTheUniqueOptimum() {
        for (int tile : legalTiles()) {
            float[] v = new float[16];
            for (int e = 0; e < 16; e++) {
                v[e] = ((tile >> e) & 1) != 0 ? 10 + e : 1 + e * 0.01f;
            }
            Mask m = TileMasker.twoOfFour().compute(Tensor.ofFloats(v, 4, 4), 1, 0);
            assertEquals(tile, tileMask(m, 4, 0), "tile " + Integer.toBinaryString(tile));
            assertEquals(0, m.stats().tiedGroups());
        }
    }

    /** Brute force over all 90 on random tiles of every type: nothing keeps more L1; ties take the first in order. */
    @Test
    void noLegalTileKeepsMoreThanTheChosenOne() {
        int[] legal = legalTiles();
        long ties = 0;
        for (int k = 0; k < 400; k++) {
            SplittableRandom r = Gen.random("tile-opt", k);
            ElementType type = ElementType.values()[r.nextInt(ElementType.values().length)];
            Tensor t = Gen.tensor(type, Shape.of(4, 4), r, false);
            Mask m = TileMasker.twoOfFour().compute(t, 1, 0);
            int chosen = tileMask(m, 4, 0);
            double chosenSum = sum(t, chosen);
            double best = -1;
            for (int tile : legal) {
                best = Math.max(best, sum(t, tile));
            }
            assertEquals(best, chosenSum, 1e-9 * best, Gen.seedOf("tile-opt", k) + " " + type);
            ties += m.stats().tiedGroups();
        }
        assertTrue(ties > 10, "ties must occur in the generated data: " + ties);
    }

    private static double sum(Tensor t, int tile) {
        double s = 0;
        for (int e = 0; e < 16; e++) {
            s += ((tile >> e) & 1) != 0 ? Math.abs(t.get(e)) : 0;
        }
        return s;
    }

    /** A single row is the strip rule even when the kept values are 2^100 apart. */
    @Test
    void singleRowWithAHugeValueFollowsTheStripRule() {
        float[] w = {1e30f, 0f, 1f, 0f};
        Mask tile = TileMasker.twoOfFour().compute(Tensor.ofFloats(w.clone(), 1, 4), 1, 0);
        Mask strip = StripMasker.of(SparsityPattern.TWO_OF_FOUR).compute(Tensor.ofFloats(w.clone(), 1, 4), 1);
        assertTrue(strip.isKept(0) && strip.isKept(2));
        assertTrue(tile.isKept(0) && tile.isKept(2), "keeping the 1.0 costs nothing: " + tile);
        assertEquals(0, tile.stats().tiedGroups(), "no other mask reaches 1e30 + 1");
        assertEquals(0, strip.stats().tiedGroups());
    }

    /** The unique optimum keeps every non-zero (2 per row and column): 4e30 + 4 beats every 4e30 + 3. */
    @Test
    void wideRangeTileKeepsEveryNonZeroOfTheUniqueOptimum() {
        float b = 1e30f;
        float[] w = {
            b, 0, 1, 0,
            0, b, 0, 1,
            1, 0, b, 0,
            0, 1, 0, b};
        Mask m = TileMasker.twoOfFour().compute(Tensor.ofFloats(w, 4, 4), 1, 0);
        for (int e = 0; e < 16; e++) {
            assertEquals(w[e] != 0, m.isKept(e), "element " + e);
        }
        assertEquals(0, m.stats().tiedGroups());
    }

    /** After the NaN, the finite kept sum 3e30 + 4 is compared exactly too. */
    @Test
    void tileWithANaNComparesItsFiniteSumExactly() {
        float b = 1e30f;
        float[] w = {
            b, 0, 1, 0,
            0, b, 0, 1,
            1, 0, b, 0,
            0, 1, 0, Float.NaN};
        Mask m = TileMasker.twoOfFour().compute(Tensor.ofFloats(w, 4, 4), 1, 0);
        for (int e = 0; e < 16; e++) {
            assertEquals(w[e] != 0, m.isKept(e), "element " + e);
        }
        assertEquals(0, m.stats().tiedGroups());
    }

    /**
     * Summed in double, the optimum (2^53 + 18, unique) comes out below another pattern whose exact
     * sum 2^53 + 17 rounds up to 2^53 + 20; the exact comparison still picks the optimum.
     */
    @Test
    void exactOptimumWinsOverAPatternWhoseDoubleSumRoundsHigher() {
        float b = 0x1p53f;
        float[] w = {
            2, 1, b, 3,
            3, 3, 3, 1,
            2, 3, 0, 0,
            0, 3, 3, 0};
        Tensor t = Tensor.ofFloats(w, 4, 4);
        Mask m = TileMasker.twoOfFour().compute(t, 1, 0);
        int[] choice = exactChoice(t, 4, 0, 4, legalTilesInOrder());
        assertEquals(choice[0], tileMask(m, 4, 0));
        assertEquals(0, choice[1]);
        assertEquals(0, m.stats().tiedGroups());
    }

    /**
     * Against an exact brute force (BigDecimal sums, documented pattern order) on tiles whose
     * magnitudes span the whole float range, with zeros, subnormals, repeated values and a few
     * non-finite values: the same mask, and the same number of tied tiles. Ragged tiles included.
     */
    @Test
    void choiceMatchesAnExactReferenceOnWideRangeTiles() {
        int[] order = legalTilesInOrder();
        long ties = 0;
        long roundingTraps = 0;
        for (ElementType type : new ElementType[] {ElementType.FP32, ElementType.BF16}) {
            for (int k = 0; k < 300; k++) {
                String name = "tile-exact-" + type;
                SplittableRandom r = Gen.random(name, k);
                String seed = Gen.seedOf(name, k) + " " + type;
                int rows = 1 + r.nextInt(8);
                int cols = 4 * (1 + r.nextInt(4));
                Tensor t = wideRangeTensor(type, Shape.of(rows, cols), r);
                Mask m = TileMasker.twoOfFour().compute(t, 1, 0);
                long expectedTies = 0;
                for (int tr = 0; tr < rows; tr += 4) {
                    for (int tc = 0; tc < cols; tc += 4) {
                        int real = Math.min(4, rows - tr);
                        int[] choice = exactChoice(t, cols, tr * cols + tc, real, order);
                        int base = tr * cols + tc;
                        for (int e = 0; e < 4 * real; e++) {
                            int i = base + (e / 4) * cols + e % 4;
                            assertEquals(((choice[0] >> e) & 1) != 0, m.isKept(i), seed + " element " + i);
                        }
                        expectedTies += choice[1];
                        roundingTraps += choice[2];
                    }
                }
                assertEquals(expectedTies, m.stats().tiedGroups(), seed + " tied tiles");
                assertEquals(m, TileMasker.twoOfFour().parallel(true).compute(t, 1, 0), seed);
                assertEquals(m.stats().toString(), TileMasker.twoOfFour().parallel(true).compute(t, 1, 0).stats().toString(),
                        seed);
                if (m.stats().nonFiniteElements() == 0) {
                    Tensor scores = Tensor.zeros(ElementType.FP32, t.shape());
                    for (int i = 0; i < t.size(); i++) {
                        scores.setBits(i, Float.floatToRawIntBits((float) Math.abs(t.get(i))));
                    }
                    Tensor weights = Gen.tensor(ElementType.FP16, t.shape(), r, false);
                    Mask byScore = TileMasker.twoOfFour().computeFromScores(weights, scores, 1, 0);
                    assertEquals(m, byScore, seed + " scores");
                    assertEquals(expectedTies, byScore.stats().tiedGroups(), seed + " tied tiles by score");
                }
                ties += expectedTies;
            }
        }
        assertTrue(ties > 50, "ties must occur in the generated data: " + ties);
        assertTrue(roundingTraps > 50, "the data must contain tiles where double sums choose another mask: "
                + roundingTraps);
    }

    /** The legal tiles in the documented order: per row a pair of (0,1) (0,2) (0,3) (1,2) (1,3) (2,3), rows lexicographic. */
    private static int[] legalTilesInOrder() {
        int[] pairs = {0b0011, 0b0101, 0b1001, 0b0110, 0b1010, 0b1100};
        Set<Integer> legal = new HashSet<>();
        for (int tile : legalTiles()) {
            legal.add(tile);
        }
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p < 6 * 6 * 6 * 6; p++) {
            int mask = pairs[p / 216] | pairs[p / 36 % 6] << 4 | pairs[p / 6 % 6] << 8 | pairs[p % 6] << 12;
            if (legal.contains(mask)) {
                out.add(mask);
            }
        }
        assertEquals(90, out.size());
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Exact choice for the tile at {@code base} with {@code real} rows (the others zero): the first
     * pattern in order with the largest (kept NaNs, kept infinities, exact kept finite sum). Returns
     * {the chosen mask on the real rows, 1 if another mask on the real rows ties, 1 if a choice by
     * double sums would differ}.
     */
    private static int[] exactChoice(Tensor t, int cols, int base, int real, int[] order) {
        double[] x = new double[16];
        for (int e = 0; e < 4 * real; e++) {
            x[e] = Math.abs(t.get(base + (e / 4) * cols + e % 4));
        }
        int realBits = (1 << (4 * real)) - 1;
        Object[] bestKey = null;
        int best = 0;
        boolean tied = false;
        double bestDouble = -1;
        int bestByDouble = 0;
        for (int tile : order) {
            int nan = 0;
            int inf = 0;
            BigDecimal sum = BigDecimal.ZERO;
            double doubleSum = 0;
            for (int e = 0; e < 16; e++) {
                if (((tile >> e) & 1) == 0) {
                    continue;
                }
                if (Double.isNaN(x[e])) {
                    nan++;
                } else if (Double.isInfinite(x[e])) {
                    inf++;
                } else {
                    sum = sum.add(new BigDecimal(x[e]));
                    doubleSum += x[e];
                }
            }
            Object[] key = {nan, inf, sum};
            int cmp = bestKey == null ? 1 : compareKeys(key, bestKey);
            if (cmp > 0) {
                bestKey = key;
                best = tile;
                tied = false;
            } else if (cmp == 0 && ((tile ^ best) & realBits) != 0) {
                tied = true;
            }
            if (nan == 0 && inf == 0 && doubleSum > bestDouble) {
                bestDouble = doubleSum;
                bestByDouble = tile;
            }
        }
        boolean finite = (int) bestKey[0] == 0 && (int) bestKey[1] == 0;
        int trap = finite && ((bestByDouble ^ best) & realBits) != 0 ? 1 : 0;
        return new int[] {best & realBits, tied ? 1 : 0, trap};
    }

    private static int compareKeys(Object[] a, Object[] b) {
        int c = Integer.compare((int) a[0], (int) b[0]);
        c = c != 0 ? c : Integer.compare((int) a[1], (int) b[1]);
        return c != 0 ? c : ((BigDecimal) a[2]).compareTo((BigDecimal) b[2]);
    }

    /**
     * A tensor of FP32 or BF16 values from the whole finite range (about 1e-38 to 3e38), with zeros,
     * subnormals, a pool of repeated magnitudes (ties) and a few NaNs and infinities; some tensors
     * stay within a range of 2^9 or 2^28 instead.
     */
    private static Tensor wideRangeTensor(ElementType type, Shape shape, SplittableRandom r) {
        int window = new int[] {9, 28, 254, 254}[r.nextInt(4)];
        int[] pool = {randomFinite(r, window), randomFinite(r, window), Float.floatToRawIntBits(1f)};
        Tensor t = Tensor.zeros(type, shape);
        for (int i = 0; i < t.size(); i++) {
            int roll = r.nextInt(100);
            int bits;
            if (roll < 20) {
                bits = 0;
            } else if (roll < 50) {
                bits = pool[r.nextInt(pool.length)];
            } else if (roll < 58) {
                bits = r.nextInt(1 << 23); // subnormal (FP32) or flushed by truncation
            } else if (roll < 60) {
                bits = r.nextBoolean() ? Float.floatToRawIntBits(Float.NaN) : Float.floatToRawIntBits(Float.POSITIVE_INFINITY);
            } else {
                bits = randomFinite(r, window);
            }
            if (r.nextBoolean()) {
                bits |= 0x8000_0000;
            }
            t.setBits(i, type == ElementType.FP32 ? bits : bits >>> 16);
        }
        return t;
    }

    /** Bits of a random positive normal float with one of {@code window} exponents (254: any). */
    private static int randomFinite(SplittableRandom r, int window) {
        int first = window == 254 ? 1 : 127 - window / 2;
        return (first + r.nextInt(window)) << 23 | r.nextInt(1 << 23);
    }

    @Test
    void allZeroTileTakesTheFirstPatternInOrder() {
        Mask m = TileMasker.twoOfFour().compute(Tensor.ofFloats(new float[16], 4, 4), 1, 0);
        assertEquals(TilePatterns.MASKS[0], tileMask(m, 4, 0));
        assertEquals(1, m.stats().tiedGroups());
        assertEquals(4, m.stats().zeroGroups());
    }

    @Test
    void prunedMatricesAreValidAlongBothAxesAndPropertiesHold() {
        for (int k = 0; k < 60; k++) {
            SplittableRandom r = Gen.random("tile-props", k);
            String seed = Gen.seedOf("tile-props", k);
            ElementType type = ElementType.values()[r.nextInt(ElementType.values().length)];
            int rows = 1 + r.nextInt(14); // ragged allowed
            int cols = 4 * (1 + r.nextInt(5));
            Tensor t = Gen.tensor(type, Shape.of(rows, cols), r, r.nextBoolean());
            Tensor before = t.copy();
            Mask m = TileMasker.twoOfFour().prune(t, 1, 0);
            assertTrue(Validator.checkTile(t, 1, 0).isValid(), seed + " " + Validator.checkTile(t, 1, 0));
            assertEquals(rows * cols / 2, m.keptCount(), seed);
            assertEquals(m, TileMasker.twoOfFour().compute(before, 1, 0), seed);
            assertEquals(Validator.checkStrip(before, SparsityPattern.TWO_OF_FOUR, 1).violatingGroups(),
                    m.stats().overfilledGroups(), seed + " overfilled groups along the reduction axis");
            assertEquals(m, TileMasker.twoOfFour().parallel(true).compute(before, 1, 0), seed);
            // kept columns per tile: full tiles exactly 2, ragged at most 2
            for (int tr = 0; tr < rows; tr += 4) {
                for (int c = 0; c < cols; c++) {
                    int kc = 0;
                    for (int rr = tr; rr < Math.min(rows, tr + 4); rr++) {
                        kc += m.isKept(rr * cols + c) ? 1 : 0;
                    }
                    if (tr + 4 <= rows) {
                        assertEquals(2, kc, seed);
                    } else {
                        assertTrue(kc <= 2, seed);
                    }
                }
            }
            // idempotent
            Tensor again = t.copy();
            TileMasker.twoOfFour().prune(again, 1, 0);
            for (int i = 0; i < t.size(); i++) {
                assertEquals(t.bits(i), again.bits(i), seed);
            }
        }
    }

    @Test
    void convolutionWeightsAreTiledPerKernelPosition() {
        SplittableRandom r = Gen.random("tile-conv", 0);
        Tensor w = Gen.tensor(ElementType.FP16, Shape.of(8, 12, 3, 3), r, false); // [Cout, Cin, kh, kw]
        Mask m = TileMasker.twoOfFour().prune(w, 1, 0);
        assertTrue(Validator.checkTile(w, 1, 0).isValid());
        // each (kh, kw) slice is an independent 8x12 matrix: compare with tiling the slice alone
        for (int pos = 0; pos < 9; pos++) {
            Tensor slice = Tensor.zeros(ElementType.FP16, Shape.of(8, 12));
            for (int co = 0; co < 8; co++) {
                for (int ci = 0; ci < 12; ci++) {
                    slice.setBits(co * 12 + ci, m.isKept((co * 12 + ci) * 9 + pos) ? 1 : 0);
                }
            }
            assertTrue(Validator.checkTile(slice, 1, 0).isValid(), "slice " + pos);
        }
        Tensor big = Gen.tensor(ElementType.BF16, Shape.of(256, 512), Gen.random("tile-big", 0), true);
        assertEquals(TileMasker.twoOfFour().parallel(false).compute(big, 1, 0),
                TileMasker.twoOfFour().parallel(true).compute(big, 1, 0));
        assertEquals(TileMasker.twoOfFour().parallel(false).compute(big, 1, 0).stats().toString(),
                TileMasker.twoOfFour().parallel(true).compute(big, 1, 0).stats().toString());
    }

    @Test
    void longReductionAxesAreCutIntoSegmentsWithoutChangingAnyTile() {
        // a reduction axis longer than a segment, along the last axis and along a strided one, with
        // ragged tile rows and with scores: every tile must be the one chosen for it alone
        int cols = 2 * TileMasker.SEGMENT + 12;
        for (int k = 0; k < 4; k++) {
            SplittableRandom r = Gen.random("tile-segments", k);
            String seed = Gen.seedOf("tile-segments", k);
            int rows = 5 + r.nextInt(3);
            boolean strided = k % 2 == 1;
            Shape shape = strided ? Shape.of(cols, rows) : Shape.of(rows, cols);
            int ra = strided ? 0 : 1;
            int oa = 1 - ra;
            Tensor t = Gen.tensor(ElementType.FP16, shape, r, true);
            float[] sc = new float[(int) shape.size()];
            for (int i = 0; i < sc.length; i++) {
                sc[i] = r.nextInt(4);
            }
            Tensor scores = k >= 2 ? Tensor.ofFloats(sc, shape.dims()) : null;
            Mask m = scores == null ? TileMasker.twoOfFour().compute(t, ra, oa)
                    : TileMasker.twoOfFour().computeFromScores(t, scores, ra, oa);
            Mask par = scores == null ? TileMasker.twoOfFour().parallel(true).compute(t, ra, oa)
                    : TileMasker.twoOfFour().parallel(true).computeFromScores(t, scores, ra, oa);
            assertEquals(m, par, seed);
            assertEquals(m.stats().toString(), par.stats().toString(), seed);
            assertEquals((long) rows * cols / 2, m.keptCount(), seed);
            long tied = 0;
            for (int tr = 0; tr < rows; tr += 4) {
                int h = Math.min(4, rows - tr);
                for (int c = 0; c < cols; c += 4) {
                    Tensor tile = Tensor.zeros(ElementType.FP16, Shape.of(h, 4));
                    float[] tileScores = new float[h * 4];
                    for (int i = 0; i < h; i++) {
                        for (int j = 0; j < 4; j++) {
                            int e = strided ? (c + j) * rows + tr + i : (tr + i) * cols + c + j;
                            tile.setBits(i * 4 + j, t.bits(e));
                            tileScores[i * 4 + j] = sc[e];
                        }
                    }
                    Mask alone = scores == null ? TileMasker.twoOfFour().compute(tile, 1, 0)
                            : TileMasker.twoOfFour().computeFromScores(tile, Tensor.ofFloats(tileScores, h, 4), 1, 0);
                    tied += alone.stats().tiedGroups();
                    for (int i = 0; i < h; i++) {
                        for (int j = 0; j < 4; j++) {
                            int e = strided ? (c + j) * rows + tr + i : (tr + i) * cols + c + j;
                            assertEquals(alone.isKept(i * 4 + j), m.isKept(e),
                                    seed + " tile row " + tr + ", column " + c + ", element " + i + "," + j);
                        }
                    }
                }
            }
            assertEquals(tied, m.stats().tiedGroups(), seed + " tied tiles");
        }
    }

    @Test
    void nonFiniteValuesAreKeptFirst() {
        float nan = Float.NaN;
        float[] v = {
            nan, nan, nan, 1,
            1, 1, 1, 1,
            1, 1, 1, 1,
            1, 1, 1, 1};
        Mask m = TileMasker.twoOfFour().compute(Tensor.ofFloats(v, 4, 4), 1, 0);
        int kept = 0;
        for (int e = 0; e < 3; e++) {
            kept += m.isKept(e) ? 1 : 0;
        }
        assertEquals(2, kept, "a row keeps 2 of its 3 NaNs");
    }

    @Test
    void scoresDrivTheTileChoice() {
        float[] w = new float[16];
        float[] s = new float[16];
        int target = legalTiles()[37];
        for (int e = 0; e < 16; e++) {
            w[e] = 100 - e;
            s[e] = ((target >> e) & 1) != 0 ? 2 : 1;
        }
        Mask m = TileMasker.twoOfFour().computeFromScores(Tensor.ofFloats(w, 4, 4), Tensor.ofFloats(s, 4, 4), 1, 0);
        assertEquals(target, tileMask(m, 4, 0));
        assertEquals(1.0, m.stats().retainedScore() * 24 / 16, 1e-9);
        assertNotEquals(target, tileMask(TileMasker.twoOfFour().compute(Tensor.ofFloats(w, 4, 4), 1, 0), 4, 0));
    }

    @Test
    void badAxesAreRejected() {
        Tensor t = Tensor.ofFloats(new float[32], 4, 8);
        assertThrows(IllegalArgumentException.class, () -> TileMasker.twoOfFour().compute(t, 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TileMasker.twoOfFour().compute(Tensor.ofFloats(new float[30], 5, 6), 1, 0));
        assertTrue(e.getMessage().contains("[5, 6]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TileMasker.twoOfFour().compute(t, 2, 0));
    }
}
