package org.sparsity4j.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ShapeAndTensorTest {

    @Test
    void negativeDimensionIsRejectedNamingTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shape.of(4, -1, 2));
        assertTrue(e.getMessage().contains("[4, -1, 2]"), e.getMessage());
        assertTrue(e.getMessage().contains("dimension 1"), e.getMessage());
    }

    @Test
    void overflowingShapeIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Shape.of(1L << 20, 1L << 20, 1L << 30));
        assertTrue(e.getMessage().contains("more elements"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(Long.MAX_VALUE, 2));
        // an empty shape still bounds its other dimensions: strides and index products stay in int
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Shape.of(0, 3_000_000_000L));
        assertTrue(empty.getMessage().contains("[0, 3000000000]"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(50_000, 0, 50_000));
        assertEquals(0, Shape.of(0, 1L << 30).size());
        assertEquals(0, Shape.of(46_340, 0, 46_340).size());
    }

    @Test
    void axisOutOfRangeNamesShapeAndAxis() {
        Shape s = Shape.of(2, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.normalizeAxis(2));
        assertTrue(e.getMessage().contains("axis 2") && e.getMessage().contains("[2, 8]"), e.getMessage());
        assertEquals(1, s.normalizeAxis(-1));
        assertThrows(IllegalArgumentException.class, () -> s.normalizeAxis(-3));
        // inner and outer take normalized axes only (inner(-1) used to be the whole size)
        e = assertThrows(IllegalArgumentException.class, () -> s.inner(-1));
        assertTrue(e.getMessage().contains("axis -1") && e.getMessage().contains("[2, 8]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.outer(2));
        assertEquals(8, s.inner(0));
        assertEquals(2, s.outer(1));
    }

    @Test
    void coordinatesAndExtents() {
        Shape s = Shape.of(2, 3, 4);
        assertArrayEquals(new long[] {1, 2, 3}, s.coordinates(23));
        assertEquals(2, s.outer(1));
        assertEquals(4, s.inner(1));
        assertEquals(24, s.size());
        assertEquals(0, Shape.of(3, 0, 5).size());
        assertEquals(1, Shape.of().size());
    }

    @Test
    void wrapChecksByteLengthAndReadsLittleEndian() {
        ByteBuffer bb = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN);
        bb.put(0, (byte) 0x00).put(1, (byte) 0x3C); // 1.0 in binary16, little-endian
        Tensor t = Tensor.wrap(ElementType.FP16, Shape.of(4), bb);
        assertEquals(1.0, t.get(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(ElementType.FP16, Shape.of(5), bb));
        assertTrue(e.getMessage().contains("8 bytes") && e.getMessage().contains("[5]") && e.getMessage().contains("10"),
                e.getMessage());
        t.setBits(3, 0xBC00);
        assertEquals((byte) 0xBC, bb.get(7), "writes go through to the caller's buffer, little-endian");
    }

    @Test
    void arrayIsTheSharedArrayOfTheArrayFactoriesAndEmptyForWrappedBuffers() {
        float[] f = {1, 2, 3, 4};
        short[] h = new short[4];
        byte[] b = new byte[4];
        assertSame(f, Tensor.ofFloats(f, 4).array().orElseThrow());
        assertSame(h, Tensor.ofShorts(ElementType.BF16, h, 2, 2).array().orElseThrow());
        assertSame(b, Tensor.ofBytes(ElementType.INT8, b, 4).array().orElseThrow());
        for (ElementType type : ElementType.values()) {
            Tensor z = Tensor.zeros(type, Shape.of(2, 4));
            Object a = z.array().orElseThrow();
            Class<?> want = type.byteSize() == 4 ? float[].class : type.byteSize() == 2 ? short[].class : byte[].class;
            assertEquals(want, a.getClass(), type.toString());
            z.setBits(5, 0x3C);
            assertEquals(0x3C, z.copy().bits(5), "writes through the tensor reach its array");
            assertTrue(Tensor.wrap(type, Shape.of(2, 4), ByteBuffer.wrap(new byte[8 * type.byteSize()])).array().isEmpty(),
                    "a tensor on a (heap) byte buffer has no array of elements " + type);
        }
        Tensor t = Tensor.ofFloats(f, 4);
        ((float[]) t.array().orElseThrow())[2] = -7f;
        assertEquals(-7.0, t.get(2), "writes to the array are writes to the tensor");
    }

    @Test
    void arrayFactoriesCheckLengthAndType() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofFloats(new float[5], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofShorts(ElementType.INT8, new short[4], 4));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofBytes(ElementType.FP16, new byte[4], 4));
        float[] data = {1, -2, Float.NaN, -0f};
        Tensor t = Tensor.ofFloats(data, 2, 2);
        Tensor c = t.copy();
        c.setBits(0, 0);
        assertEquals(1f, data[0], "copy is independent");
        assertEquals(Float.floatToRawIntBits(-0f), c.bits(3), "copy preserves bits");
        ByteBuffer le = t.toLittleEndianBytes();
        assertEquals(16, le.remaining());
        assertEquals(0x3F80_0000, le.getInt(0));
    }

    @Test
    void aTensorOnAReadOnlyBufferIsMaskedButNotPrunedInPlace() {
        ByteBuffer b = ByteBuffer.allocate(4 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 8; i++) {
            b.putFloat(i * 4, i + 1);
        }
        Tensor t = Tensor.wrap(ElementType.FP32, Shape.of(2, 4), b.asReadOnlyBuffer());
        assertTrue(t.isReadOnly());
        org.sparsity4j.core.mask.StripMasker masker =
                org.sparsity4j.core.mask.StripMasker.of(org.sparsity4j.core.pattern.SparsityPattern.TWO_OF_FOUR);
        org.sparsity4j.core.mask.Mask m = masker.compute(t, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> masker.prune(t, 1));
        assertTrue(e.getMessage().contains("read-only") && e.getMessage().contains("[2, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.applyInPlace(t));
        assertThrows(IllegalArgumentException.class, () -> org.sparsity4j.core.mask.TileMasker.twoOfFour().prune(t, 1, 0));
        Tensor copy = m.applyToCopy(t);
        assertEquals(0, copy.bits(0));
        assertEquals(Float.floatToRawIntBits(4f), copy.bits(3));
        assertEquals(Float.floatToRawIntBits(1f), t.bits(0), "the read-only tensor is unchanged");
        // every writing method says so with an IllegalArgumentException that names the tensor
        java.util.List<org.junit.jupiter.api.function.Executable> writes = java.util.List.of(
                () -> t.setBits(0, 0),
                () -> t.copyFrom(Tensor.zeros(ElementType.FP32, Shape.of(2, 4))),
                () -> t.writeFloats(0, new float[2], 0, 2),
                () -> t.zeroUnflagged(0, 1, 4, new byte[4], 0, 1),
                () -> t.zeroUnflagged(0, 4, 2, new byte[2], 0, 1));
        for (int i = 0; i < writes.size(); i++) {
            e = assertThrows(IllegalArgumentException.class, writes.get(i), "write " + i);
            assertTrue(e.getMessage().contains("read-only") && e.getMessage().contains("[2, 4]"), e.getMessage());
        }
        ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        Tensor h16 = Tensor.wrap(ElementType.FP16, Shape.of(4), h.asReadOnlyBuffer());
        assertThrows(IllegalArgumentException.class, () -> h16.writeShorts(0, new short[1], 0, 1));
        Tensor b8 = Tensor.wrap(ElementType.INT8, Shape.of(8), h.asReadOnlyBuffer());
        assertThrows(IllegalArgumentException.class, () -> b8.writeBytes(0, new byte[1], 0, 1));
        for (int i = 0; i < 8; i++) {
            assertEquals(Float.floatToRawIntBits(i + 1), t.bits(i), "unchanged element " + i);
        }
    }
}
