package org.sparsity4j.core.mask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.testutil.Gen;

class MaskTest {

    @Test
    void bitWordsRoundTripAndAreChecked() {
        Tensor t = Gen.tensor(ElementType.FP16, Shape.of(6, 40), Gen.random("mask-words", 0), false);
        Mask m = StripMasker.of(SparsityPattern.TWO_OF_FOUR).compute(t, 1);
        Mask back = Mask.fromBitWords(m.shape(), m.pattern(), m.kind(), m.axis(), -1, m.toBitWords());
        assertEquals(m, back);
        assertEquals(m.stats().keptElements(), back.stats().keptElements());
        assertTrue(Double.isNaN(back.stats().retainedMagnitude()));
        long[] broken = m.toBitWords();
        broken[0] ^= 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mask.fromBitWords(m.shape(), m.pattern(), MaskKind.STRIP, 1, -1, broken));
        assertTrue(e.getMessage().contains("[0, 0]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Mask.fromBitWords(m.shape(), m.pattern(), MaskKind.STRIP, 1, -1, new long[1]));
    }

    @Test
    void tileBitWordsAreCheckedAlongBothAxes() {
        // real tile masks round trip, ragged second axis included (5 and 7 rows, axes either way)
        for (int k = 0; k < 4; k++) {
            int rows = k < 2 ? 5 : 7;
            boolean swapped = k % 2 == 1;
            Shape shape = swapped ? Shape.of(12, rows) : Shape.of(rows, 12);
            Tensor t = Gen.tensor(ElementType.FP32, shape, Gen.random("tile-words", k), false);
            int ra = swapped ? 0 : 1;
            Mask m = TileMasker.twoOfFour().compute(t, ra, 1 - ra);
            assertEquals(m, Mask.fromBitWords(shape, SparsityPattern.TWO_OF_FOUR, MaskKind.TILE, ra, 1 - ra,
                    m.toBitWords()), "case " + k);
        }
        // 2 of 4 along axis 1 in every row, but columns 0 and 1 keep all 4 rows along axis 0
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mask.fromBitWords(
                Shape.of(4, 4), SparsityPattern.TWO_OF_FOUR, MaskKind.TILE, 1, 0, new long[] {0x3333L}));
        assertTrue(e.getMessage().contains("along axis 0") && e.getMessage().contains("keeps 4"), e.getMessage());
        // the same bits are a valid strip mask
        Mask.fromBitWords(Shape.of(4, 4), SparsityPattern.TWO_OF_FOUR, MaskKind.STRIP, 1, -1, new long[] {0x3333L});
        // a ragged last tile keeps at most 2 per column: here 3 of its 3 rows in column 0
        long bits = 0;
        int[][] kept = {{0, 1}, {2, 3}, {0, 1}, {2, 3}, {0, 2}, {0, 3}, {0, 1}}; // 7 rows of 4
        for (int r = 0; r < kept.length; r++) {
            bits |= 1L << (r * 4 + kept[r][0]) | 1L << (r * 4 + kept[r][1]);
        }
        long ragged = bits;
        e = assertThrows(IllegalArgumentException.class, () -> Mask.fromBitWords(Shape.of(7, 4),
                SparsityPattern.TWO_OF_FOUR, MaskKind.TILE, 1, 0, new long[] {ragged}));
        assertTrue(e.getMessage().contains("[4, 0]") && e.getMessage().contains("more than 2"), e.getMessage());
        // a tile mask is 2:4
        e = assertThrows(IllegalArgumentException.class, () -> Mask.fromBitWords(Shape.of(4, 4),
                SparsityPattern.ONE_OF_TWO, MaskKind.TILE, 1, 0, new long[] {0x5555L}));
        assertTrue(e.getMessage().contains("2:4"), e.getMessage());
    }

    @Test
    void applyLeavesKeptBitsAndZeroesTheRest() {
        Tensor t = Tensor.ofFloats(new float[] {-0f, Float.NaN, 3, 2}, 4);
        Mask m = StripMasker.of(SparsityPattern.TWO_OF_FOUR).compute(t, 0);
        Tensor c = m.applyToCopy(t);
        assertTrue(Float.isNaN((float) c.get(1)));
        assertEquals(3.0, c.get(2));
        assertEquals(0, c.bits(0));
        assertEquals(0, c.bits(3));
        assertEquals(Float.floatToRawIntBits(-0f), t.bits(0), "original untouched");
        assertThrows(IllegalArgumentException.class, () -> m.applyInPlace(Tensor.ofFloats(new float[4], 2, 2)));
    }
}
