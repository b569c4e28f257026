package org.sparsity4j.core.mask;

import java.math.BigInteger;

/**
 * Exact arithmetic for the kept sums of a 4×4 tile of non-negative finite float magnitudes (or
 * scores). The double sums of the fast path are exact for the typical tile; {@link #doubleIsExact}
 * tells when, and {@link #scaled} gives the exact integer form for the other tiles.
 *
 * <h2>Why the fast-path test is sufficient</h2>
 * Every finite float is an integer multiple of 2<sup>-149</sup>; call bit {@code i} the one of
 * weight 2<sup>i-149</sup>. Let {@code L} be the lowest set bit over the non-zero values of the tile
 * and {@code H} the highest. Each value is then a multiple of 2<sup>L</sup> and below
 * 2<sup>H+1</sup>. The search only forms sums of at most 8 distinct values of the tile (pair sums,
 * partial sums and the 8-term sum of a pattern), so each such sum is {@code k·2^L} with
 * {@code 0 <= k < 8·2^(H+1-L) = 2^(H+4-L)}. When {@code H - L <= 49}, {@code k < 2^53}, so every such
 * sum is representable as a double (its exponent stays far inside the double range). Each
 * floating-point addition of two exact partial sums therefore has a representable exact result,
 * which IEEE 754 returns unrounded; by induction every computed sum equals the real sum, and the
 * comparisons between them are exact.
 */
final class TileSums {
    /** Largest {@code H - L} for which double sums of up to 8 terms are exact (53 - 3 carry bits - 1). */
    private static final int MAX_SPAN = 49;

    private TileSums() {
    }

    /**
     * Returns whether double sums of any up to 8 of the values are the exact real sums.
     *
     * @param v non-negative finite magnitudes
     * @return true if {@code H - L <= 49} (see the class documentation), or all values are zero
     */
    static boolean doubleIsExact(float[] v) {
        int top = 0;
        int low = Integer.MAX_VALUE;
        for (float x : v) {
            int bits = Float.floatToRawIntBits(x);
            if (bits != 0) {
                top = Math.max(top, bits); // non-negative floats order like their bits
                low = Math.min(low, lowestBit(bits));
            }
        }
        return top == 0 || highestBit(top) - low <= MAX_SPAN;
    }

    /**
     * Returns the exact value of a non-negative finite float times 2<sup>149</sup>, an integer.
     *
     * @param magnitude a non-negative finite float
     * @return {@code magnitude · 2^149}
     */
    static BigInteger scaled(float magnitude) {
        int bits = Float.floatToRawIntBits(magnitude);
        int exponent = bits >>> 23;
        int mantissa = bits & 0x7F_FFFF;
        if (exponent == 0) {
            return BigInteger.valueOf(mantissa); // subnormal or zero: mantissa · 2^-149
        }
        // normal: (2^23 + mantissa) · 2^(exponent - 150)
        return BigInteger.valueOf(mantissa | 0x80_0000).shiftLeft(exponent - 1);
    }

    /** Index of the lowest set bit of a non-zero, non-negative finite float (bit i weighs 2^(i-149)). */
    private static int lowestBit(int bits) {
        int exponent = bits >>> 23;
        // a normal float has its implicit bit at 23; a subnormal has a set bit below 23
        return Math.max(exponent, 1) - 1 + Math.min(Integer.numberOfTrailingZeros(bits), 23);
    }

    /** Index of the highest set bit of a non-zero, non-negative finite float. */
    private static int highestBit(int bits) {
        int exponent = bits >>> 23;
        return exponent == 0 ? 31 - Integer.numberOfLeadingZeros(bits) : exponent + 22;
    }
}
