package org.sparsity4j.core.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.testutil.Gen;

class ElementTypeTest {

    /** Independent binary16 decoder: sign * mantissa * 2^exp computed with BigDecimal. */
    private static double referenceFp16(int h) {
        int sign = (h >> 15) & 1;
        int exp = (h >> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 31) {
            return mant == 0 ? (sign == 1 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : Double.NaN;
        }
        BigDecimal m = exp == 0 ? BigDecimal.valueOf(mant) : BigDecimal.valueOf(1024 + mant);
        int e = (exp == 0 ? 1 : exp) - 15 - 10;
        BigDecimal v = e >= 0 ? m.multiply(BigDecimal.valueOf(2).pow(e)) : m.divide(BigDecimal.valueOf(2).pow(-e));
        double d = v.doubleValue();
        return sign == 1 ? -d : d;
    }

    @Test
    void fp16DecodesAll65536PatternsExactly() {
        for (int h = 0; h < 65536; h++) {
            double expected = referenceFp16(h);
            double actual = ElementType.FP16.decode(h);
            if (Double.isNaN(expected)) {
                assertTrue(Double.isNaN(actual), "bits 0x" + Integer.toHexString(h));
            } else {
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
                        "bits 0x" + Integer.toHexString(h));
            }
        }
    }

    @Test
    void bf16DecodesAll65536PatternsAsUpperHalfOfFloat() {
        for (int h = 0; h < 65536; h++) {
            double actual = ElementType.BF16.decode(h);
            float expected = Float.intBitsToFloat(h << 16);
            if (Float.isNaN(expected)) {
                assertTrue(Double.isNaN(actual));
            } else {
                assertEquals(expected, actual, 0.0, "bits 0x" + Integer.toHexString(h));
                assertEquals(Float.floatToRawIntBits(expected) >>> 31, Double.doubleToRawLongBits(actual) >>> 63);
            }
        }
    }

    @Test
    void fp8DecodesKnownValues() {
        assertEquals(448.0, ElementType.FP8_E4M3.decode(0x7E));
        assertEquals(-448.0, ElementType.FP8_E4M3.decode(0xFE));
        assertTrue(Double.isNaN(ElementType.FP8_E4M3.decode(0x7F)));
        assertEquals(0x1p-9, ElementType.FP8_E4M3.decode(0x01));
        assertEquals(1.0, ElementType.FP8_E4M3.decode(0x38));
        assertEquals(57344.0, ElementType.FP8_E5M2.decode(0x7B));
        assertEquals(Double.POSITIVE_INFINITY, ElementType.FP8_E5M2.decode(0x7C));
        assertTrue(Double.isNaN(ElementType.FP8_E5M2.decode(0x7D)));
        assertEquals(0x1p-16, ElementType.FP8_E5M2.decode(0x01));
        assertEquals(-128.0, ElementType.INT8.decode(0x80));
        assertEquals(-1.0, ElementType.INT8.decode(0xFF));
    }

    /**
     * Exhaustive for every type of width ≤ 16 bits: sorting all encodings by key must sort them by
     * |value| (NaN above infinity above every finite), and equal keys must mean equal magnitudes.
     */
    @ParameterizedTest
    @EnumSource(value = ElementType.class, names = {"FP16", "BF16", "INT8", "FP8_E4M3", "FP8_E5M2"})
    void magnitudeKeyOrdersEveryEncodingByAbsoluteValue(ElementType type) {
        int n = 1 << type.bitWidth();
        List<Integer> all = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            all.add(b);
        }
        all.sort(Comparator.comparingInt(type::magnitudeKey));
        for (int i = 1; i < n; i++) {
            int a = all.get(i - 1);
            int b = all.get(i);
            int cmp = compareMagnitudes(type.decode(a), type.decode(b));
            int keyCmp = Integer.compare(type.magnitudeKey(a), type.magnitudeKey(b));
            assertEquals(Integer.signum(keyCmp), cmp, type + " 0x" + Integer.toHexString(a) + " vs 0x"
                    + Integer.toHexString(b));
        }
        assertEquals(0, type.magnitudeKey(0));
        assertEquals(type.maxMagnitudeKey(), type.magnitudeKey(all.get(n - 1)));
    }

    @Test
    void fp32MagnitudeKeyOrdersRandomAndSpecialValues() {
        SplittableRandom r = Gen.random("fp32key", 0);
        float[] specials = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0xFFC0_0001), 1f, -1f};
        List<Integer> bits = new ArrayList<>();
        for (float f : specials) {
            bits.add(Float.floatToRawIntBits(f));
        }
        for (int i = 0; i < 200_000; i++) {
            bits.add(r.nextInt());
        }
        for (int i = 0; i < bits.size(); i++) {
            int a = bits.get(i);
            int b = bits.get((i * 7919 + 13) % bits.size());
            int cmp = compareMagnitudes(Float.intBitsToFloat(a), Float.intBitsToFloat(b));
            assertEquals(cmp, Integer.signum(Integer.compare(ElementType.FP32.magnitudeKey(a),
                    ElementType.FP32.magnitudeKey(b))), Gen.seedOf("fp32key", 0) + " " + a + " vs " + b);
        }
    }

    /** The documented order: |x| ascending, then infinity, then NaN (all NaNs equal). */
    private static int compareMagnitudes(double x, double y) {
        int rx = Double.isNaN(x) ? 2 : Double.isInfinite(x) ? 1 : 0;
        int ry = Double.isNaN(y) ? 2 : Double.isInfinite(y) ? 1 : 0;
        if (rx != ry) {
            return Integer.compare(rx, ry);
        }
        if (rx != 0) {
            return 0;
        }
        return Double.compare(Math.abs(x), Math.abs(y)) == 0 ? 0 : Math.abs(x) < Math.abs(y) ? -1 : 1;
    }

    @Test
    void positiveAndNegativeZeroHaveEqualMagnitudeAndAreZero() {
        for (ElementType t : ElementType.values()) {
            int negZero = t == ElementType.INT8 ? 0 : 1 << (t.bitWidth() - 1);
            assertEquals(t.magnitudeKey(0), t.magnitudeKey(negZero), t.toString());
            assertFalse(t.isNonZero(negZero), t.toString());
        }
    }

    @Test
    void nanAndInfinityKeysAreClassified() {
        assertTrue(ElementType.FP16.isNaNKey(ElementType.FP16.magnitudeKey(0xFE01)));
        assertTrue(ElementType.FP16.isInfiniteKey(ElementType.FP16.magnitudeKey(0xFC00)));
        assertFalse(ElementType.FP8_E4M3.isInfiniteKey(ElementType.FP8_E4M3.magnitudeKey(0x7E)));
        assertFalse(ElementType.INT8.isNaNKey(ElementType.INT8.magnitudeKey(0x80)));
        assertEquals(128, ElementType.INT8.magnitudeKey(0x80));
        assertTrue(ElementType.BF16.isNonZero(0x7FC0));
    }

    @Test
    void hardwarePatternPerType() {
        assertEquals(SparsityPattern.ONE_OF_TWO, ElementType.FP32.hardwarePattern());
        for (ElementType t : ElementType.values()) {
            if (t != ElementType.FP32) {
                assertEquals(SparsityPattern.TWO_OF_FOUR, t.hardwarePattern(), t.toString());
            }
        }
    }

    @Test
    void magnitudeOfKeyMatchesDecodedAbsoluteValue() {
        for (ElementType t : new ElementType[] {ElementType.FP16, ElementType.BF16, ElementType.FP8_E4M3,
                ElementType.FP8_E5M2, ElementType.INT8}) {
            for (int b = 0; b < (1 << t.bitWidth()); b++) {
                double v = Math.abs(t.decode(b));
                double m = t.magnitudeOfKey(t.magnitudeKey(b));
                if (Double.isNaN(v)) {
                    assertTrue(Double.isNaN(m));
                } else {
                    assertEquals(v, m, 0.0, t + " 0x" + Integer.toHexString(b));
                }
            }
        }
    }
}
