package org.sparsity4j.core.mask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.testutil.Gen;

class TileSumsTest {
    private static final BigDecimal TWO_TO_149 = new BigDecimal(2).pow(149);

    private static float[] tile(float... values) {
        return java.util.Arrays.copyOf(values, 16);
    }

    @Test
    void fastPathAcceptsSpansUpTo49Bits() {
        assertTrue(TileSums.doubleIsExact(new float[16]));
        assertTrue(TileSums.doubleIsExact(tile(1f, 0x1p49f)));
        assertFalse(TileSums.doubleIsExact(tile(1f, 0x1p50f)));
        assertTrue(TileSums.doubleIsExact(tile(1.5f, 0x1p48f)), "1.5 has its lowest bit at 2^-1");
        assertFalse(TileSums.doubleIsExact(tile(1.5f, 0x1p49f)));
        assertTrue(TileSums.doubleIsExact(tile(Float.MIN_VALUE, 0x1p-100f)));
        assertFalse(TileSums.doubleIsExact(tile(Float.MIN_VALUE, 0x1p-99f)));
        assertFalse(TileSums.doubleIsExact(tile(1e30f, 0f, 1f)));
        assertTrue(TileSums.doubleIsExact(tile(Float.MAX_VALUE, 0x1p104f)), "2^104 is the lowest bit of MAX_VALUE");
        assertFalse(TileSums.doubleIsExact(tile(Float.MAX_VALUE, 0x1p77f)));
    }

    @Test
    void scaledIsTheExactValueTimes2To149() {
        for (int k = 0; k < 2000; k++) {
            SplittableRandom r = Gen.random("tile-sums-scaled", k);
            float x = Float.intBitsToFloat(r.nextInt(0x7F80_0000));
            assertEquals(new BigDecimal(x).multiply(TWO_TO_149).toBigIntegerExact(), TileSums.scaled(x),
                    Gen.seedOf("tile-sums-scaled", k) + " " + x);
        }
        assertEquals(java.math.BigInteger.ONE, TileSums.scaled(Float.MIN_VALUE));
    }

    /** Whenever the fast path is taken, double sums of any 8 of the values equal the exact sums. */
    @Test
    void doubleSumsAreExactWhereTheFastPathIsTaken() {
        int accepted = 0;
        for (int k = 0; k < 5000; k++) {
            SplittableRandom r = Gen.random("tile-sums-exact", k);
            int lowExponent = 1 + r.nextInt(200);
            int window = 1 + r.nextInt(30);
            float[] v = new float[16];
            for (int i = 0; i < 16; i++) {
                int roll = r.nextInt(10);
                int bits = roll == 0 ? 0 : roll == 1 ? r.nextInt(1 << 23)
                        : (Math.min(254, lowExponent + r.nextInt(window)) << 23 | r.nextInt(1 << 23));
                v[i] = Float.intBitsToFloat(bits);
            }
            if (!TileSums.doubleIsExact(v)) {
                continue;
            }
            accepted++;
            for (int s = 0; s < 20; s++) {
                double sum = 0;
                BigDecimal exact = BigDecimal.ZERO;
                for (int j = 0; j < 8; j++) {
                    float x = v[r.nextInt(16)];
                    sum += x;
                    exact = exact.add(new BigDecimal(x));
                }
                assertEquals(0, exact.compareTo(new BigDecimal(sum)), Gen.seedOf("tile-sums-exact", k));
            }
        }
        assertTrue(accepted > 1000, "cases on the fast path: " + accepted);
    }
}
