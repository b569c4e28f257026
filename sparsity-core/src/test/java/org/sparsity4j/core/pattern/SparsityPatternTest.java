package org.sparsity4j.core.pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparsity4j.core.tensor.ElementType;

class SparsityPatternTest {

    @Test
    void hardwarePatternsAreCanonical() {
        assertSame(SparsityPattern.TWO_OF_FOUR, SparsityPattern.of(2, 4));
        assertSame(SparsityPattern.ONE_OF_TWO, SparsityPattern.parse(" 1:2 "));
        assertTrue(SparsityPattern.TWO_OF_FOUR.isHardwareAccelerated());
        assertFalse(SparsityPattern.of(4, 8).isHardwareAccelerated());
        assertFalse(SparsityPattern.of(1, 4).isHardwareAccelerated());
        assertEquals("4:8", SparsityPattern.of(4, 8).toString());
    }

    @Test
    void requireHardwareSupportNamesTheLegalPattern() {
        assertSame(SparsityPattern.TWO_OF_FOUR, SparsityPattern.TWO_OF_FOUR.requireHardwareSupport(ElementType.FP16));
        assertSame(SparsityPattern.ONE_OF_TWO, SparsityPattern.ONE_OF_TWO.requireHardwareSupport(ElementType.FP32));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparsityPattern.TWO_OF_FOUR.requireHardwareSupport(ElementType.FP32));
        assertTrue(e.getMessage().contains("1:2") && e.getMessage().contains("FP32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.ONE_OF_TWO.requireHardwareSupport(ElementType.INT8));
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.of(4, 8).requireHardwareSupport(ElementType.FP16));
    }

    @Test
    void invalidPatternsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.of(0, 4));
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.of(4, 4));
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.of(1, 1));
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.of(1, SparsityPattern.MAX_M + 1));
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.parse("2/4"));
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.parse("a:b"));
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.parse("2:4:"));
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.parse("2:4:::"));
        // digits only: no signs
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.parse("+2:4"));
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.parse("2:+4"));
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.parse("-2:4"));
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.parse("2:"));
    }
}
