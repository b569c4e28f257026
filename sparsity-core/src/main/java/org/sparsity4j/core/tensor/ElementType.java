package org.sparsity4j.core.tensor;

import org.sparsity4j.core.pattern.SparsityPattern;

/**
 * Element types a weight tensor can hold, with their storage width, exact decoding and the
 * magnitude order that pruning uses.
 *
 * <h2>Magnitude order</h2>
 * The magnitude of an element is {@code |decoded value|}. {@code +0} and {@code -0} have equal
 * magnitude. Non-finite values have a fixed place at the top of the order:
 * <pre>  0 &lt; every finite magnitude (ascending) &lt; Infinity &lt; NaN  </pre>
 * All NaN encodings (any sign, any payload) have the same magnitude. NaN ranks highest — as in
 * {@link Float#compare} and {@code torch.topk} — so that a corrupt weight is kept and stays
 * visible after pruning instead of being silently pruned away. {@link #FP8_E4M3} (the OCP
 * "E4M3FN" variant used by CUDA and ONNX {@code FLOAT8E4M3FN}) has no infinity; its NaN
 * ({@code S.1111.111}) is still the largest.
 *
 * <p>The order is exposed as an integer {@link #magnitudeKey(int) key}: for two elements of the
 * same type, {@code key(a) < key(b)} exactly when {@code |a| < |b|} in the order above.
 */
public enum ElementType {
    /** IEEE 754 binary32. Hardware pattern 1:2 (TF32 sparse tensor cores). */
    FP32(4, 0x7F80_0000),
    /** IEEE 754 binary16. Hardware pattern 2:4. */
    FP16(2, 0x7C00),
    /** bfloat16 (upper half of binary32). Hardware pattern 2:4. */
    BF16(2, 0x7F80),
    /** Signed two's-complement 8-bit integer. Hardware pattern 2:4. Magnitude of -128 is 128. */
    INT8(1, -1),
    /** OCP FP8 E4M3FN: bias 7, no infinity, NaN = S.1111.111, max 448. Hardware pattern 2:4. */
    FP8_E4M3(1, -1),
    /** OCP FP8 E5M2: bias 15, infinity and NaN as in binary16. Hardware pattern 2:4. */
    FP8_E5M2(1, 0x7C);

    private final int byteSize;
    /** Encoding of +infinity with the sign cleared, or -1 where the type has none. */
    private final int infinityKey;

    ElementType(int byteSize, int infinityKey) {
        this.byteSize = byteSize;
        this.infinityKey = infinityKey;
    }

    /** Returns the storage size of one element in bytes (4, 2 or 1). */
    public int byteSize() {
        return byteSize;
    }

    /** Returns the storage size of one element in bits. */
    public int bitWidth() {
        return byteSize * 8;
    }

    /** Returns true for the floating-point types (all but {@link #INT8}). */
    public boolean isFloatingPoint() {
        return this != INT8;
    }

    /**
     * Returns the pattern that NVIDIA sparse tensor cores accelerate for this type:
     * 1:2 for {@link #FP32} (TF32), 2:4 for every 16- and 8-bit type.
     */
    public SparsityPattern hardwarePattern() {
        return this == FP32 ? SparsityPattern.ONE_OF_TWO : SparsityPattern.TWO_OF_FOUR;
    }

    /**
     * Decodes one element from its raw bits (the low {@link #bitWidth()} bits of {@code bits};
     * higher bits are ignored). The result is exact: every value of every type is representable
     * as a {@code double}.
     *
     * @param bits the element's storage bits
     * @return the value; NaN for NaN encodings, infinities where the type has them
     */
    public double decode(int bits) {
        switch (this) {
            case FP32:
                return Float.intBitsToFloat(bits);
            case FP16:
                return HalfFloats.fp16ToFloat((short) bits);
            case BF16:
                return HalfFloats.bf16ToFloat((short) bits);
            case INT8:
                return (byte) bits;
            case FP8_E4M3:
                return Fp8.e4m3ToFloat((byte) bits);
            case FP8_E5M2:
                return Fp8.e5m2ToFloat((byte) bits);
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * Returns the magnitude key of an element: a non-negative integer, monotone in the magnitude
     * order described in the class documentation. Equal magnitudes (±0, all NaNs) give equal keys.
     *
     * @param bits the element's storage bits (higher bits ignored)
     * @return the key, {@code 0} for ±0
     */
    public int magnitudeKey(int bits) {
        switch (this) {
            case FP32:
                return Math.min(bits & 0x7FFF_FFFF, 0x7F80_0001);
            case FP16:
                return Math.min(bits & 0x7FFF, 0x7C01);
            case BF16:
                return Math.min(bits & 0x7FFF, 0x7F81);
            case INT8:
                return Math.abs((int) (byte) bits);
            case FP8_E4M3:
                return bits & 0x7F;
            case FP8_E5M2:
                return Math.min(bits & 0x7F, 0x7D);
            default:
                throw new AssertionError(this);
        }
    }

    /** Returns the largest possible magnitude key (that of NaN, or of -128 for {@link #INT8}). */
    public int maxMagnitudeKey() {
        switch (this) {
            case FP32:
                return 0x7F80_0001;
            case FP16:
                return 0x7C01;
            case BF16:
                return 0x7F81;
            case INT8:
                return 128;
            case FP8_E4M3:
                return 0x7F;
            case FP8_E5M2:
                return 0x7D;
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * Returns true if the key belongs to a NaN encoding.
     *
     * @param key a value returned by {@link #magnitudeKey(int)}
     * @return whether it is the NaN key (never for INT8)
     */
    public boolean isNaNKey(int key) {
        return this != INT8 && key == maxMagnitudeKey();
    }

    /**
     * Returns true if the key belongs to ±infinity (never for types without infinity).
     *
     * @param key a value returned by {@link #magnitudeKey(int)}
     * @return whether it is the infinity key
     */
    public boolean isInfiniteKey(int key) {
        return infinityKey >= 0 && key == infinityKey;
    }

    /**
     * Returns the magnitude that a key stands for, as a double: exact for finite keys,
     * {@code +Infinity} for the infinity key and NaN for the NaN key.
     *
     * @param key a value returned by {@link #magnitudeKey(int)}
     * @return the magnitude
     */
    public double magnitudeOfKey(int key) {
        return this == INT8 ? key : Math.abs(decode(key));
    }

    /**
     * Returns true if the bits encode a value other than ±0 (NaN counts as non-zero).
     *
     * @param bits the element's raw bits (the low {@link #bitWidth()} bits)
     * @return whether the value is not zero
     */
    public boolean isNonZero(int bits) {
        return magnitudeKey(bits) != 0;
    }
}
