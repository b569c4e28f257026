package org.sparsity4j.core.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.testutil.Gen;

class HalfFloatsTest {

    @Test
    void fp16RoundTripsEveryNonNaNPattern() {
        for (int h = 0; h < 65536; h++) {
            float f = HalfFloats.fp16ToFloat((short) h);
            short back = HalfFloats.floatToFp16(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfFloats.fp16ToFloat(back)), "NaN stays NaN: 0x" + Integer.toHexString(h));
                assertEquals(h & 0x8000, back & 0x8000, "NaN keeps its sign");
            } else {
                assertEquals(h, back & 0xFFFF, "0x" + Integer.toHexString(h));
            }
        }
    }

    /** Every midpoint between consecutive finite binary16 values rounds to the even neighbour. */
    @Test
    void fp16MidpointsRoundToEven() {
        for (int h = 0; h < 0x7BFF; h++) {
            double lo = HalfFloats.fp16ToFloat((short) h);
            double hi = HalfFloats.fp16ToFloat((short) (h + 1));
            float mid = (float) ((lo + hi) / 2); // exact in float: binary16 midpoints need 12 bits
            int expected = (h & 1) == 0 ? h : h + 1;
            assertEquals(expected, HalfFloats.floatToFp16(mid) & 0xFFFF, "midpoint above 0x" + Integer.toHexString(h));
            assertEquals(expected | 0x8000, HalfFloats.floatToFp16(-mid) & 0xFFFF);
            assertEquals(h, HalfFloats.floatToFp16(Math.nextDown(mid)) & 0xFFFF);
            assertEquals(h + 1, HalfFloats.floatToFp16(Math.nextUp(mid)) & 0xFFFF);
        }
    }

    @Test
    void fp16OverflowAndUnderflow() {
        assertEquals(0x7BFF, HalfFloats.floatToFp16(65519.99f) & 0xFFFF);
        assertEquals(0x7C00, HalfFloats.floatToFp16(65520f) & 0xFFFF);
        assertEquals(0xFC00, HalfFloats.floatToFp16(-1e9f) & 0xFFFF);
        assertEquals(0x0000, HalfFloats.floatToFp16(0x1p-26f) & 0xFFFF);
        assertEquals(0x0001, HalfFloats.floatToFp16(0x1.0001p-25f) & 0xFFFF);
        assertEquals(0x8000, HalfFloats.floatToFp16(-0f) & 0xFFFF);
    }

    @Test
    void bf16RoundTripsAndRoundsToNearestEven() {
        for (int h = 0; h < 65536; h++) {
            float f = HalfFloats.bf16ToFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals(h, HalfFloats.floatToBf16(f) & 0xFFFF);
            } else {
                assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(f))));
            }
        }
        SplittableRandom r = Gen.random("bf16", 0);
        for (int i = 0; i < 100_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (Float.isNaN(f)) {
                continue;
            }
            float rounded = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(f));
            int bits = Float.floatToRawIntBits(f);
            float down = Float.intBitsToFloat(bits & 0xFFFF_0000);
            float up = Float.intBitsToFloat((bits & 0xFFFF_0000) + 0x10000);
            double dDown = Math.abs((double) f - down);
            // for rounding, infinity stands at 2^128 (IEEE 754 overflow rule)
            double upValue = Float.isInfinite(up) ? Math.copySign(0x1p128, up) : up;
            double dUp = Math.abs((double) f - upValue);
            float expected = dDown < dUp ? down : dUp < dDown ? up : ((bits >>> 16) & 1) == 0 ? down : up;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(rounded), Gen.seedOf("bf16", 0) + " " + f);
        }
    }

    @Test
    void fp8RoundTripsEveryPattern() {
        for (int b = 0; b < 256; b++) {
            float e4 = Fp8.e4m3ToFloat((byte) b);
            if (!Float.isNaN(e4)) {
                assertEquals(b, Fp8.floatToE4M3(e4) & 0xFF, "e4m3 0x" + Integer.toHexString(b));
            }
            float e5 = Fp8.e5m2ToFloat((byte) b);
            if (!Float.isNaN(e5)) {
                assertEquals(b, Fp8.floatToE5M2(e5) & 0xFF, "e5m2 0x" + Integer.toHexString(b));
            }
        }
        assertEquals(0x7E, Fp8.floatToE4M3(1e6f) & 0xFF, "E4M3 saturates");
        assertEquals(0x7C, Fp8.floatToE5M2(1e6f) & 0xFF, "E5M2 overflows to infinity");
        assertEquals(0x7F, Fp8.floatToE4M3(Float.NaN) & 0x7F);
    }

    @Test
    void fp8EncodingOfValuesBeyondTheFiniteRange() {
        // E4M3FN has no infinity: everything beyond 448, infinity included, saturates with its sign
        for (float v : new float[] {448.5f, 464f, 480f, 1e6f, 4e18f, 1e20f, Float.MAX_VALUE, Float.POSITIVE_INFINITY}) {
            assertEquals(0x7E, Fp8.floatToE4M3(v) & 0xFF, "E4M3 of " + v);
            assertEquals(0xFE, Fp8.floatToE4M3(-v) & 0xFF, "E4M3 of " + -v);
        }
        assertEquals(0x7E, Fp8.floatToE4M3(448f) & 0xFF);
        assertEquals(0x7D, Fp8.floatToE4M3(431f) & 0xFF, "416: below the midpoint 432 of 416 and 448");
        assertEquals(0x7E, Fp8.floatToE4M3(433f) & 0xFF, "448: above that midpoint");
        // E5M2 overflows to infinity from the midpoint 61440 above its largest finite value 57344 on
        for (float v : new float[] {61440f, 1e20f, Float.MAX_VALUE, Float.POSITIVE_INFINITY}) {
            assertEquals(0x7C, Fp8.floatToE5M2(v) & 0xFF, "E5M2 of " + v);
            assertEquals(0xFC, Fp8.floatToE5M2(-v) & 0xFF, "E5M2 of " + -v);
        }
        assertEquals(0x7B, Fp8.floatToE5M2(61439f) & 0xFF, "E5M2 of 61439");
    }
}
