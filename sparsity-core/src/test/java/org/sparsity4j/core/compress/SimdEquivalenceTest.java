package org.sparsity4j.core.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparsity4j.core.simd.VectorSupport;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.testutil.Gen;

/**
 * The Vector API kernels against the scalar ones, selected through {@link SimdSwitch} in the same JVM:
 * byte-identical compressed buffers and dense matrices, the same exception messages for violating
 * input and corrupt metadata, and exact round trips, over random shapes of every 2:4 type and every
 * proven orientation (the orientations with the reduction dimension strided stay scalar on both
 * paths and are included as a control).
 */
class SimdEquivalenceTest {

    static Stream<Arguments> orientations() {
        List<Arguments> out = new ArrayList<>();
        for (ElementType t : ElementType.values()) {
            if (t == ElementType.FP32) {
                continue;
            }
            for (Operand operand : Operand.values()) {
                for (Order order : Order.values()) {
                    for (Op op : Op.values()) {
                        try {
                            CompressedFormat.forSm90(t, 64, 64, order, op, operand);
                            out.add(Arguments.of(t, order, op, operand));
                        } catch (IllegalArgumentException unproven) {
                            // 8-bit types with the reduction dimension strided: refused
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @Test
    void theVectorKernelsAreAvailableInTheTestJvm() {
        // surefire runs with the incubating module; without it this class would only compare scalar with scalar
        assumeFalse("false".equalsIgnoreCase(System.getProperty("sparsity.simd")), "SIMD turned off");
        assertTrue(SimdSwitch.AVAILABLE, VectorSupport.describe());
    }

    @ParameterizedTest
    @MethodSource("orientations")
    void vectorAndScalarKernelsAgree(ElementType type, Order order, Op op, Operand operand) {
        String name = "simd-" + type + "-" + order + "-" + op + "-" + operand;
        int unit = CompressedFormat.dimensionUnit(type);
        for (int k = 0; k < 10; k++) {
            SplittableRandom rnd = Gen.random(name, k);
            String where = Gen.seedOf(name, k);
            // up to 5 metadata tiles along k (ragged last tile) and 3 bands of 64 rows (partial last band)
            int rows = unit * (1 + rnd.nextInt(192 / unit));
            int cols = unit * (1 + rnd.nextInt(192 / unit));
            CompressedFormat f = CompressedFormat.forSm90(type, rows, cols, order, op, operand);
            checkCase(f, rnd, where + " " + f);
        }
    }

    /** Above 1 MiB the kernels run band-parallel; violations and corrupt codes deep inside are still named alike. */
    @ParameterizedTest
    @MethodSource("largeCases")
    void largeMatricesAgree(ElementType type, Order order, Op op, int rows, int cols) {
        String name = "simd-large-" + type + "-" + order + "-" + op;
        SplittableRandom rnd = Gen.random(name, 0);
        CompressedFormat f = CompressedFormat.forSm90(type, rows, cols, order, op);
        checkCase(f, rnd, Gen.seedOf(name, 0) + " " + f);
    }

    static Stream<Arguments> largeCases() {
        return Stream.of(Arguments.of(ElementType.FP16, Order.ROW_MAJOR, Op.NON_TRANSPOSE, 1024, 1008),
                Arguments.of(ElementType.BF16, Order.COLUMN_MAJOR, Op.TRANSPOSE, 1040, 1024),
                Arguments.of(ElementType.INT8, Order.ROW_MAJOR, Op.NON_TRANSPOSE, 1024, 1056),
                Arguments.of(ElementType.FP8_E5M2, Order.COLUMN_MAJOR, Op.TRANSPOSE, 1088, 1024));
    }

    private static void checkCase(CompressedFormat f, SplittableRandom rnd, String where) {
        byte[] dense = randomValid(f, rnd);
        // valid input: identical buffers (every byte: the outputs start as different garbage)
        byte[] scalar = compress(false, f, dense, rnd);
        byte[] simd = compress(true, f, dense, rnd);
        assertArrayEquals(scalar, simd, where + ": compressed buffers differ");
        // decompression: identical dense bytes, and the documented round trip (only -0 that is not
        // encoded comes back +0)
        byte[] backScalar = decompress(false, f, scalar, rnd);
        byte[] backSimd = decompress(true, f, simd, rnd);
        assertArrayEquals(backScalar, backSimd, where + ": decompressed matrices differ");
        checkRoundTrip(f, dense, backSimd, where);
        assertArrayEquals(simd, compress(true, f, backSimd, rnd), where + ": compress(decompress(c)) != c");

        // violations: a few groups made to hold 3 or 4 non-zeros; the same message on both paths
        byte[] bad = dense.clone();
        int violations = 1 + rnd.nextInt(3);
        for (int i = 0; i < violations; i++) {
            int p = rnd.nextInt(f.outerExtent());
            int g = rnd.nextInt(f.reductionExtent() / 4);
            int nonZeros = 3 + rnd.nextInt(2);
            for (int j = 0; j < nonZeros; j++) {
                setElement(f, bad, p, 4 * g + j, nonZero(f.type(), rnd));
            }
        }
        String scalarError = compressError(false, f, bad);
        assertNotNull(scalarError, where + ": the scalar kernel accepted a violating matrix");
        assertEquals(scalarError, compressError(true, f, bad), where + ": different violation messages");

        // corrupt metadata: an invalid code (idx0 >= idx1) in one random nibble of the written metadata;
        // both paths must either refuse it with the same message or (a filler nibble) return the same bytes
        byte[] corrupt = scalar.clone();
        int byteIndex = f.metadataOffset() + rnd.nextInt(f.writtenBytes() - f.metadataOffset());
        int shift = rnd.nextBoolean() ? 4 : 0;
        int[] invalidCodes = {0x0, 0x1, 0x2, 0x3, 0x5, 0x6, 0x7, 0xA, 0xB, 0xF};
        int code = invalidCodes[rnd.nextInt(invalidCodes.length)];
        corrupt[byteIndex] = (byte) ((corrupt[byteIndex] & ~(0xF << shift)) | code << shift);
        Object scalarResult = decompressOutcome(false, f, corrupt);
        Object simdResult = decompressOutcome(true, f, corrupt);
        if (scalarResult instanceof String) {
            assertEquals(scalarResult, simdResult, where + ": different corrupt-code messages");
        } else {
            assertTrue(simdResult instanceof byte[], where + ": vector kernel refused what the scalar one accepted: " + simdResult);
            assertArrayEquals((byte[]) scalarResult, (byte[]) simdResult, where + ": decompressed matrices differ");
        }
    }

    /**
     * Random dense bytes obeying 2:4 along k: random elements (ties, ±0, NaN, infinities), then groups
     * trimmed to at most 2 non-zeros; -0 and +0 stay where they fall.
     */
    private static byte[] randomValid(CompressedFormat f, SplittableRandom rnd) {
        ElementType type = f.type();
        byte[] dense = new byte[Math.toIntExact(f.denseBytes())];
        for (int p = 0; p < f.outerExtent(); p++) {
            for (int g = 0; g < f.reductionExtent() / 4; g++) {
                int roll = rnd.nextInt(10);
                int allowed = roll == 0 ? 0 : roll == 1 ? 1 : 2;
                int nonZeros = 0;
                for (int j = 0; j < 4; j++) {
                    int bits = Gen.elementBits(type, rnd, true);
                    if (type.isNonZero(bits)) {
                        if (nonZeros == allowed) {
                            bits = rnd.nextBoolean() || type == ElementType.INT8 ? 0 : Gen.negate(type, 0);
                        } else {
                            nonZeros++;
                        }
                    }
                    setElement(f, dense, p, 4 * g + j, bits);
                }
            }
        }
        return dense;
    }

    private static int nonZero(ElementType type, SplittableRandom rnd) {
        while (true) {
            int bits = Gen.elementBits(type, rnd, true);
            if (type.isNonZero(bits)) {
                return bits;
            }
        }
    }

    private static void setElement(CompressedFormat f, byte[] dense, int p, int q, int bits) {
        int es = f.type().byteSize();
        int index = (p * f.outerStride() + q * f.reductionStride()) * es;
        for (int b = 0; b < es; b++) {
            dense[index + b] = (byte) (bits >>> (8 * b));
        }
    }

    private static void checkRoundTrip(CompressedFormat f, byte[] dense, byte[] back, String where) {
        int es = f.type().byteSize();
        int sign = es == 2 ? 0x8000 : 0x80;
        for (int i = 0; i < dense.length / es; i++) {
            int x = es == 2 ? (dense[2 * i] & 0xFF) | (dense[2 * i + 1] & 0xFF) << 8 : dense[i] & 0xFF;
            int y = es == 2 ? (back[2 * i] & 0xFF) | (back[2 * i + 1] & 0xFF) << 8 : back[i] & 0xFF;
            if (x != y && !(x == sign && y == 0 && f.type() != ElementType.INT8)) {
                throw new AssertionError(where + ": element " + i + " is 0x" + Integer.toHexString(y)
                        + " after the round trip, was 0x" + Integer.toHexString(x));
            }
        }
    }

    private static byte[] compress(boolean simd, CompressedFormat f, byte[] dense, SplittableRandom rnd) {
        byte[] out = new byte[f.compressedSize()];
        Arrays.fill(out, (byte) rnd.nextInt(256));
        boolean previous = SimdSwitch.set(simd);
        try {
            SparseCompressor.compress(f, dense, out);
        } finally {
            SimdSwitch.set(previous);
        }
        return out;
    }

    private static byte[] decompress(boolean simd, CompressedFormat f, byte[] compressed, SplittableRandom rnd) {
        byte[] out = new byte[Math.toIntExact(f.denseBytes())];
        Arrays.fill(out, (byte) rnd.nextInt(256));
        boolean previous = SimdSwitch.set(simd);
        try {
            SparseCompressor.decompress(f, compressed, out);
        } finally {
            SimdSwitch.set(previous);
        }
        return out;
    }

    /** The message of the exception compress throws, or null if it accepts the input. */
    private static String compressError(boolean simd, CompressedFormat f, byte[] dense) {
        boolean previous = SimdSwitch.set(simd);
        try {
            SparseCompressor.compress(f, dense);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        } finally {
            SimdSwitch.set(previous);
        }
    }

    /** The dense bytes decompress returns, or the message of the exception it throws. */
    private static Object decompressOutcome(boolean simd, CompressedFormat f, byte[] compressed) {
        boolean previous = SimdSwitch.set(simd);
        try {
            byte[] out = new byte[Math.toIntExact(f.denseBytes())];
            SparseCompressor.decompress(f, compressed, out);
            return out;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        } finally {
            SimdSwitch.set(previous);
        }
    }
}
