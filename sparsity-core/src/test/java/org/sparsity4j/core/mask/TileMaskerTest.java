package org.sparsity4j.core.mask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
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
