package org.sparsity4j.core.tensor;

/**
 * Exact decoding of the two OCP 8-bit floating-point formats, and round-to-nearest-even
 * encoding for building test data and converting weights.
 */
public final class Fp8 {
    private static final float[] E4M3 = new float[256];
    private static final float[] E5M2 = new float[256];

    static {
        for (int b = 0; b < 256; b++) {
            E4M3[b] = decodeE4M3(b);
            E5M2[b] = HalfFloats.fp16ToFloat((short) (b << 8));
        }
    }

    private Fp8() {
    }

    private static float decodeE4M3(int b) {
        int sign = b & 0x80;
        int exp = (b >>> 3) & 0xF;
        int mant = b & 0x7;
        float v;
        if (exp == 0xF && mant == 0x7) {
            v = Float.NaN;
        } else if (exp == 0) {
            v = mant * 0x1p-9f; // subnormal: mant/8 * 2^-6
        } else {
            v = (1 + mant / 8f) * (float) Math.pow(2, exp - 7);
        }
        return sign != 0 ? -v : v;
    }

    /**
     * Decodes FP8 E4M3FN.
     *
     * @param bits the encoding
     * @return the value (NaN for S.1111.111)
     */
    public static float e4m3ToFloat(byte bits) {
        return E4M3[bits & 0xFF];
    }

    /**
     * Decodes FP8 E5M2.
     *
     * @param bits the encoding
     * @return the value
     */
    public static float e5m2ToFloat(byte bits) {
        return E5M2[bits & 0xFF];
    }

    /**
     * Encodes a float as FP8 E4M3FN, rounding to nearest even; values beyond the largest finite
     * value (448) saturate to ±448 (there is no infinity), NaN becomes NaN.
     *
     * @param value the value
     * @return the encoding
     */
    public static byte floatToE4M3(float value) {
        return nearest(E4M3, value, true);
    }

    /**
     * Encodes a float as FP8 E5M2, rounding to nearest even; overflow gives ±infinity.
     *
     * @param value the value
     * @return the encoding
     */
    public static byte floatToE5M2(float value) {
        return nearest(E5M2, value, false);
    }

    private static byte nearest(float[] table, float value, boolean saturate) {
        boolean negative = (Float.floatToRawIntBits(value) & 0x8000_0000) != 0;
        int signBit = negative ? 0x80 : 0;
        if (Float.isNaN(value)) {
            return (byte) (signBit | 0x7F);
        }
        float a = Math.abs(value);
        if (saturate && a > 448f) {
            // beyond the largest finite E4M3 value, infinity included: the search below cannot tell
            // the candidates apart there (every distance is the same double, or infinite)
            return (byte) (signBit | 0x7E);
        }
        int best = 0;
        double bestErr = Double.POSITIVE_INFINITY;
        for (int b = 0; b < 0x80; b++) {
            float t = table[b];
            if (Float.isNaN(t) || (saturate && Float.isInfinite(t))) {
                continue;
            }
            double err = Math.abs((double) t - a);
            if (Float.isInfinite(t)) {
                // only reached for E5M2; overflow threshold is the midpoint above the max finite
                err = a >= 61440f ? 0 : Double.POSITIVE_INFINITY;
            }
            if (err < bestErr || (err == bestErr && (b & 1) == 0 && (best & 1) != 0)) {
                best = b;
                bestErr = err;
            }
        }
        return (byte) (signBit | best);
    }
}
