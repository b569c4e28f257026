package org.sparsity4j.core.testutil;

import java.util.SplittableRandom;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/**
 * Seeded generators for property tests. The base seed is {@code -Dsparsity.seed} (default fixed,
 * so CI is reproducible); every failure message includes the seed of the case that failed.
 */
public final class Gen {
    /** Base seed of this run. */
    public static final long BASE_SEED = Long.getLong("sparsity.seed", 0x5EED_2026L);

    static {
        System.out.println("[sparsity tests] base seed = " + BASE_SEED + " (override with -Dsparsity.seed=N)");
    }

    private Gen() {
    }

    /** Returns a generator for case {@code k} of test {@code name}. */
    public static SplittableRandom random(String name, long k) {
        return new SplittableRandom(BASE_SEED ^ (name.hashCode() * 0x9E3779B97F4A7C15L) ^ (k * 0xBF58476D1CE4E5B9L));
    }

    /** Describes a case for failure messages. */
    public static String seedOf(String name, long k) {
        return "[test " + name + ", case " + k + ", base seed " + BASE_SEED + "]";
    }

    /**
     * Returns random bits of an element of {@code type}, biased towards zeros (both signs), repeated
     * magnitudes (ties) and, if {@code specials}, NaN and infinities.
     */
    public static int elementBits(ElementType type, SplittableRandom r, boolean specials) {
        int roll = r.nextInt(100);
        int width = type.bitWidth();
        int sign = width == 32 ? 0x8000_0000 : 1 << (width - 1);
        if (roll < 15) {
            return r.nextBoolean() ? 0 : (type == ElementType.INT8 ? 0 : sign); // +0 or -0
        }
        if (roll < 45) {
            // small pool of magnitudes: many ties
            int small = 1 + r.nextInt(3);
            int bits = encodeSmall(type, small);
            return r.nextBoolean() ? bits : negate(type, bits);
        }
        if (specials && roll < 50) {
            return special(type, r);
        }
        while (true) {
            int bits = width == 32 ? r.nextInt() : r.nextInt(1 << width);
            if (type == ElementType.INT8 || Double.isFinite(type.decode(bits))) {
                return bits;
            }
        }
    }

    private static int special(ElementType type, SplittableRandom r) {
        switch (type) {
            case FP32:
                return r.nextBoolean() ? Float.floatToRawIntBits(Float.NaN) | (r.nextBoolean() ? 0x8000_0000 : 0)
                        : Float.floatToRawIntBits(r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY);
            case FP16:
                return r.nextBoolean() ? 0x7C01 + r.nextInt(0x3FF) : (r.nextBoolean() ? 0x7C00 : 0xFC00);
            case BF16:
                return r.nextBoolean() ? 0xFFC0 : (r.nextBoolean() ? 0x7F80 : 0xFF80);
            case FP8_E4M3:
                return r.nextBoolean() ? 0x7F : 0xFF;
            case FP8_E5M2:
                return r.nextBoolean() ? 0x7D + r.nextInt(3) : (r.nextBoolean() ? 0x7C : 0xFC);
            default:
                return r.nextBoolean() ? 0x80 : 0x7F; // -128, 127
        }
    }

    /** Encodes small integer magnitude 1..3 in a type. */
    public static int encodeSmall(ElementType type, int v) {
        switch (type) {
            case FP32:
                return Float.floatToRawIntBits(v);
            case FP16:
                return org.sparsity4j.core.tensor.HalfFloats.floatToFp16(v) & 0xFFFF;
            case BF16:
                return org.sparsity4j.core.tensor.HalfFloats.floatToBf16(v) & 0xFFFF;
            case FP8_E4M3:
                return org.sparsity4j.core.tensor.Fp8.floatToE4M3(v) & 0xFF;
            case FP8_E5M2:
                return org.sparsity4j.core.tensor.Fp8.floatToE5M2(v) & 0xFF;
            default:
                return v;
        }
    }

    /** Negates an encoding (sign flip; two's complement for INT8). */
    public static int negate(ElementType type, int bits) {
        switch (type.bitWidth()) {
            case 32:
                return bits ^ 0x8000_0000;
            case 16:
                return bits ^ 0x8000;
            default:
                return type == ElementType.INT8 ? (-(byte) bits) & 0xFF : bits ^ 0x80;
        }
    }

    /** Returns a heap tensor of random elements; about one group in eight is forced to all zeros. */
    public static Tensor tensor(ElementType type, Shape shape, SplittableRandom r, boolean specials) {
        Tensor t = Tensor.zeros(type, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setBits(i, elementBits(type, r, specials));
        }
        return t;
    }

    /** Zeroes a random subset of groups of {@code m} along the last axis (to guarantee all-zero groups). */
    public static void zeroSomeGroups(Tensor t, int m, SplittableRandom r) {
        for (int base = 0; base + m <= t.size(); base += m) {
            if (r.nextInt(8) == 0) {
                for (int j = 0; j < m; j++) {
                    t.setBits(base + j, 0);
                }
            }
        }
    }
}
