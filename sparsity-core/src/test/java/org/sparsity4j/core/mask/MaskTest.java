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
