package org.sparsity4j.core.tensor;

/**
 * Conversions between {@code float} and the 16-bit formats binary16 (FP16) and bfloat16 (BF16).
 * Decoding is exact. Encoding rounds to nearest, ties to even, overflows to infinity and keeps
 * NaN a NaN (quiet, sign preserved).
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /**
     * Decodes binary16 bits to a float (exact).
     *
     * @param bits binary16 encoding
     * @return the value
     */
    public static float fp16ToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal: mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * Encodes a float as binary16, rounding to nearest even.
     *
     * @param value the value
     * @return binary16 encoding
     */
    public static short floatToFp16(float value) {
        int f = Float.floatToRawIntBits(value);
        int sign = (f >>> 16) & 0x8000;
        int abs = f & 0x7FFF_FFFF;
        if (abs > 0x7F80_0000) {
            return (short) (sign | 0x7E00 | ((abs >>> 13) & 0x3FF));
        }
        if (abs >= 0x4780_0000) { // >= 65536: rounds to infinity (max finite 65504, halfway 65520)
            return (short) (sign | 0x7C00);
        }
        if (abs >= 0x3880_0000) { // normal binary16 range (>= 2^-14)
            int exp = ((abs >>> 23) - 112) << 10;
            int mant = abs & 0x7F_FFFF;
            int h = exp | (mant >>> 13);
            int rest = mant & 0x1FFF;
            if (rest > 0x1000 || (rest == 0x1000 && (h & 1) != 0)) {
                h++; // may carry into the exponent, which is the correct result (up to infinity)
            }
            return (short) (sign | h);
        }
        // subnormal or zero: value = m * 2^-24 with m rounded to nearest even
        float scaled = Float.intBitsToFloat(abs) * 0x1p24f; // exact: power-of-two scaling
        int m = (int) Math.rint(scaled);
        return (short) (sign | m); // m == 0x400 becomes the smallest normal, which is correct
    }

    /**
     * Decodes bfloat16 bits to a float (exact).
     *
     * @param bits bfloat16 encoding
     * @return the value
     */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Encodes a float as bfloat16, rounding to nearest even.
     *
     * @param value the value
     * @return bfloat16 encoding
     */
    public static short floatToBf16(float value) {
        int f = Float.floatToRawIntBits(value);
        if ((f & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((f >>> 16) | 0x0040);
        }
        int rounding = 0x7FFF + ((f >>> 16) & 1);
        return (short) ((f + rounding) >>> 16);
    }
}
