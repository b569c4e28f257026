package org.sparsity4j.core.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/** Seeded property tests: decompress(compress(x)) == x for random valid x, in every proven orientation. */
class RoundTripPropertyTest {
    private static final long SEED = 0x5EED_C0DEL;

    static Stream<Arguments> orientations() {
        List<Arguments> out = new ArrayList<>();
        for (ElementType t : ElementType.values()) {
            for (Operand operand : Operand.values()) {
                for (Order order : Order.values()) {
                    for (Op op : Op.values()) {
                        try {
                            CompressedFormat.forSm90(t, 64, 64, order, op, operand);
                            out.add(Arguments.of(t, order, op, operand));
                        } catch (IllegalArgumentException unproven) {
                            // 8-bit types with the reduction dimension strided: refused, tested elsewhere
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("orientations")
    void roundTripIsExact(ElementType type, Order order, Op op, Operand operand) {
        long seed = SEED ^ (type.ordinal() * 1_000_003L + order.ordinal() * 31L + op.ordinal() * 7L + operand.ordinal());
        SplittableRandom rnd = new SplittableRandom(seed);
        int unit = CompressedFormat.dimensionUnit(type);
        for (int trial = 0; trial < 12; trial++) {
            int rows = unit * (1 + rnd.nextInt(Math.max(1, 160 / unit)));
            int cols = unit * (1 + rnd.nextInt(Math.max(1, 160 / unit)));
            CompressedFormat f = CompressedFormat.forSm90(type, rows, cols, order, op, operand);
            Tensor x = randomValid(f, rnd);
            String where = "seed " + seed + " trial " + trial + " " + f;
            byte[] c = SparseCompressor.compress(f, x);
            assertEquals(f.compressedSize(), c.length, where);
            Tensor y = SparseCompressor.decompress(f, c);
            assertEquals(x.shape(), y.shape(), where);
            for (int i = 0; i < x.size(); i++) {
                if (x.bits(i) != y.bits(i)) {
                    throw new AssertionError(where + ": element " + i + " is 0x" + Integer.toHexString(y.bits(i))
                            + " after the round trip, was 0x" + Integer.toHexString(x.bits(i)));
                }
            }
            // the raw-byte and ByteBuffer entry points agree with the tensor one
            byte[] stored = SparseCompressor.storedBytes(f, x, "x");
            assertArrayEquals(c, SparseCompressor.compress(f, stored), where);
            ByteBuffer viaBuffer = SparseCompressor.compress(f, ByteBuffer.wrap(stored));
            assertEquals(ByteBuffer.wrap(c), viaBuffer, where);
            Tensor z = SparseCompressor.decompress(f, ByteBuffer.wrap(c));
            assertArrayEquals(x.toLittleEndianBytes().array(), z.toLittleEndianBytes().array(), where);
        }
    }

    /**
     * A random matrix obeying the pattern along the format's reduction dimension: random bit patterns
     * (NaN and infinities included), groups with 0, 1 or 2 non-zeros, no -0 and, for FP32, no
     * subnormals or values in the two documented exceptions.
     */
    static Tensor randomValid(CompressedFormat f, SplittableRandom rnd) {
        ElementType type = f.type();
        int size = type == ElementType.FP32 ? 2 : 4;
        int keep = size / 2;
        Tensor x = Tensor.zeros(type, Shape.of(f.rows(), f.cols()));
        boolean alongCols = f.groupsAlongColumns();
        for (int p = 0; p < f.outerExtent(); p++) {
            for (int g = 0; g < f.reductionExtent() / size; g++) {
                int nonZeros = rnd.nextInt(keep + 1 + 2) > keep ? keep : rnd.nextInt(keep + 1);
                int[] positions = rnd.ints(0, size).distinct().limit(nonZeros).toArray();
                for (int q : positions) {
                    int k = g * size + q;
                    int r = alongCols ? p : k;
                    int c = alongCols ? k : p;
                    x.setBits(r * f.cols() + c, randomNonZero(type, rnd));
                }
            }
        }
        return x;
    }

    static int randomNonZero(ElementType type, SplittableRandom rnd) {
        while (true) {
            int bits = rnd.nextInt() & ((1 << type.bitWidth()) - 1 | (type == ElementType.FP32 ? -1 : 0));
            if (!type.isNonZero(bits)) {
                continue;
            }
            if (type == ElementType.FP32) {
                int magnitude = bits & 0x7FFF_FFFF;
                boolean subnormal = (bits & 0x7F80_0000) == 0;
                boolean lowPayloadNaN = (bits & 0x7F80_0000) == 0x7F80_0000 && (bits & 0x7F_FFFF) != 0
                        && (bits & 0x7F_FFFF) < 0x1000;
                if (subnormal || lowPayloadNaN || magnitude == 0x7F7F_F000) {
                    continue;
                }
            }
            return bits;
        }
    }
}
