package org.sparsity4j.core.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/** Exhaustive group encodings, refusals and error messages. */
class SparseCompressorTest {
    private static final CompressedFormat FP16_16 =
            CompressedFormat.forSm90(ElementType.FP16, 16, 16, Order.ROW_MAJOR, Op.NON_TRANSPOSE);

    /** Expected 4-bit code (idx0 | idx1 << 2) for each set of non-zero positions with at most 2 members. */
    private static int expectedCode(int mask) {
        switch (mask) {
            case 0b0000: return 0xE; // none: positions 2, 3
            case 0b0001: return 0xC; // 0 -> 0, 3
            case 0b0010: return 0xD; // 1 -> 1, 3
            case 0b0100: return 0xE; // 2 -> 2, 3
            case 0b1000: return 0xE; // 3 -> 2, 3
            case 0b0011: return 0x4;
            case 0b0101: return 0x8;
            case 0b0110: return 0x9;
            case 0b1001: return 0xC;
            case 0b1010: return 0xD;
            case 0b1100: return 0xE;
            default: throw new AssertionError(mask);
        }
    }

    @Test
    void everyGroupContentEncodesAsCuSparseLtDoes() {
        for (int mask = 0; mask < 16; mask++) {
            Tensor x = Tensor.zeros(ElementType.FP16, Shape.of(16, 16));
            for (int i = 0; i < 4; i++) {
                if ((mask >> i & 1) != 0) {
                    x.setBits(i, 0x3C00 + i); // 1.0, 1.0009..., distinct
                }
            }
            if (Integer.bitCount(mask) > 2) {
                int m = mask;
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> SparseCompressor.compress(FP16_16, x), "mask " + m);
                assertTrue(e.getMessage().contains("row 0, column 0"), e.getMessage());
                assertTrue(e.getMessage().contains(Integer.bitCount(mask) + " non-zeros"), e.getMessage());
                continue;
            }
            byte[] c = SparseCompressor.compress(FP16_16, x);
            int code = c[FP16_16.metadataOffset()] & 0xF;
            assertEquals(expectedCode(mask), code, "mask " + Integer.toBinaryString(mask));
            // values: the elements at the two encoded positions, in order
            int v0 = (c[0] & 0xFF) | (c[1] & 0xFF) << 8;
            int v1 = (c[2] & 0xFF) | (c[3] & 0xFF) << 8;
            assertEquals(x.bits(code & 3), v0);
            assertEquals(x.bits(code >> 2), v1);
            assertArrayEquals(x.toLittleEndianBytes().array(),
                    SparseCompressor.decompress(FP16_16, c).toLittleEndianBytes().array());
        }
    }

    @Test
    void fp32PairsEncodeAsCuSparseLtDoes() {
        CompressedFormat f = CompressedFormat.forSm90(ElementType.FP32, 8, 8, Order.ROW_MAJOR, Op.NON_TRANSPOSE);
        int[][] cases = {
            // a, b, expected code, expected stored value
            {0, 0, 0xE, 0x1000},
            {0x3F80_0000, 0, 0x4, 0x3F80_1000},
            {0, 0xBF80_0000, 0xE, 0xBF80_1000},
            {1, 0, 0xE, 0x1000}, // subnormal counts as zero when choosing
            {0, 1, 0xE, 0x1001},
            {0x7FC0_0000, 0, 0x4, 0x7FC0_0000}, // NaN and infinity are stored unchanged
            {0, 0xFF80_0000, 0xE, 0xFF80_0000},
            {0x7F7F_FFFF, 0, 0x4, 0x7F80_0FFF},
        };
        for (int[] k : cases) {
            float[] v = new float[64];
            v[0] = Float.intBitsToFloat(k[0]);
            v[1] = Float.intBitsToFloat(k[1]);
            byte[] c = SparseCompressor.compress(f, Tensor.ofFloats(v, 8, 8));
            assertEquals(k[2], c[f.metadataOffset()] & 0xF, "code for " + Integer.toHexString(k[0]) + ", "
                    + Integer.toHexString(k[1]));
            assertEquals(k[3], GoldenVectorTest.bits(c, 0, 4), "stored value");
        }
    }

    @Test
    void violationNamesTheFirstGroupInRowMajorOrder() {
        // operand A, op T: groups run down the columns; violations at (rows 4..7, col 3) and (rows 0..3, col 9)
        CompressedFormat f = CompressedFormat.forSm90(ElementType.BF16, 16, 16, Order.ROW_MAJOR, Op.TRANSPOSE);
        Tensor x = Tensor.zeros(ElementType.BF16, Shape.of(16, 16));
        for (int r = 4; r < 7; r++) {
            x.setBits(r * 16 + 3, 0x3F80);
        }
        for (int r = 0; r < 4; r++) {
            x.setBits(r * 16 + 9, 0x3F80);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparseCompressor.compress(f, x));
        assertTrue(e.getMessage().contains("row 0, column 9 (rows 0..3 of column 9) holds 4 non-zeros"), e.getMessage());
        assertTrue(e.getMessage().contains("2 violating groups"), e.getMessage());
    }

    @Test
    void negativeZeroAndFp8NegativeZeroAreZeros() {
        Tensor x = Tensor.zeros(ElementType.FP8_E4M3, Shape.of(32, 32));
        x.setBits(0, 0x80);
        x.setBits(1, 0x38);
        x.setBits(2, 0x80);
        x.setBits(3, 0x40);
        CompressedFormat f = CompressedFormat.forSm90(ElementType.FP8_E4M3, 32, 32, Order.ROW_MAJOR, Op.NON_TRANSPOSE);
        byte[] c = SparseCompressor.compress(f, x);
        assertEquals(0xD, c[f.metadataOffset()] & 0xF);
        // int8 0x80 is -128, a non-zero
        Tensor y = Tensor.zeros(ElementType.INT8, Shape.of(32, 32));
        y.setBits(0, 0x80);
        y.setBits(1, 0x01);
        y.setBits(2, 0x80);
        CompressedFormat g = CompressedFormat.forSm90(ElementType.INT8, 32, 32, Order.ROW_MAJOR, Op.NON_TRANSPOSE);
        assertThrows(IllegalArgumentException.class, () -> SparseCompressor.compress(g, y));
    }

    @Test
    void refusesUnprovenConfigurations() {
        IllegalArgumentException arch = assertThrows(IllegalArgumentException.class,
                () -> CompressedFormat.forComputeCapability(8, 0, ElementType.FP16, 64, 64, Order.ROW_MAJOR,
                        Op.NON_TRANSPOSE, Operand.A));
        assertTrue(arch.getMessage().contains("SM 8.0") && arch.getMessage().contains("SM 9.0"), arch.getMessage());
        CompressedFormat.forComputeCapability(9, 0, ElementType.FP16, 64, 64, Order.ROW_MAJOR, Op.NON_TRANSPOSE, Operand.A);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> CompressedFormat.forSm90(ElementType.INT8, 48, 64, Order.ROW_MAJOR, Op.NON_TRANSPOSE));
        assertTrue(shape.getMessage().contains("48x64") && shape.getMessage().contains("32"), shape.getMessage());
        for (Order order : Order.values()) {
            for (Op op : Op.values()) {
                boolean contiguous = (order == Order.ROW_MAJOR) == (op == Op.NON_TRANSPOSE);
                for (ElementType t : new ElementType[] {ElementType.INT8, ElementType.FP8_E4M3, ElementType.FP8_E5M2}) {
                    if (contiguous) {
                        CompressedFormat.forSm90(t, 64, 64, order, op, Operand.A);
                        assertThrows(IllegalArgumentException.class, () -> CompressedFormat.forSm90(t, 64, 64, order, op, Operand.B));
                    } else {
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                () -> CompressedFormat.forSm90(t, 64, 64, order, op, Operand.A));
                        assertTrue(e.getMessage().contains("crashes"), e.getMessage());
                        CompressedFormat.forSm90(t, 64, 64, order, op, Operand.B);
                    }
                }
            }
        }
    }

    @Test
    void rejectsWrongInputs() {
        assertThrows(IllegalArgumentException.class, () -> SparseCompressor.compress(FP16_16, new byte[10]));
        assertThrows(IllegalArgumentException.class,
                () -> SparseCompressor.compress(FP16_16, Tensor.zeros(ElementType.BF16, Shape.of(16, 16))));
        assertThrows(IllegalArgumentException.class,
                () -> SparseCompressor.compress(FP16_16, Tensor.zeros(ElementType.FP16, Shape.of(16, 32))));
        assertThrows(IllegalArgumentException.class, () -> SparseCompressor.decompress(FP16_16, new byte[100]));
        byte[] c = SparseCompressor.compress(FP16_16, Tensor.zeros(ElementType.FP16, Shape.of(16, 16)));
        c[FP16_16.metadataOffset()] = 0x00; // code (0, 0) is not a valid pair
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparseCompressor.decompress(FP16_16, c));
        assertTrue(e.getMessage().contains("byte offset " + FP16_16.metadataOffset()), e.getMessage());
    }

    @Test
    void formatIsAValue() {
        CompressedFormat a = CompressedFormat.forSm90(ElementType.FP16, 64, 128, Order.COLUMN_MAJOR, Op.TRANSPOSE);
        CompressedFormat b = CompressedFormat.forSm90(ElementType.FP16, 64, 128, Order.COLUMN_MAJOR, Op.TRANSPOSE, Operand.A);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(64, a.reductionExtent());
        assertEquals(128, a.outerExtent());
        assertTrue(a.toString().contains("64x128"));
    }
}
