package org.sparsity4j.core.validate;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Tensor;

/**
 * SIMD counts of violating groups (more than N non-zeros among M = 2 or 4) for {@link Validator},
 * with the incubating Vector API (256-bit vectors). Loaded only through {@link ValidateSimd}; no
 * signature here names a vector type.
 *
 * <p>Every lane gets a zero flag (all ones where the element is {@code ±0}); adding the flags of
 * the lane's group partners (brought in by shifts of the wider views, or a lane permutation for
 * 32-bit elements) gives every lane {@code -zeros} of its group; a group violates when
 * {@code -zeros > N - M}, and each violating group is counted once per lane, i.e. M times.
 */
final class SimdCount {
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
    private static final VectorShuffle<Integer> X2 = VectorShuffle.fromOp(I, i -> i ^ 2);
    /** Elements per bulk read. */
    private static final int CHUNK = 4096;
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private SimdCount() {
    }

    /** Per-thread bulk-read buffers, one per row of a strided block. */
    private static final class Buffers {
        final float[][] floats = new float[4][CHUNK];
        final short[][] shorts = new short[4][CHUNK];
        final byte[][] bytes = new byte[4][CHUNK];
    }


    /** Mask of the bits that make an element non-zero (the sign bit does not, except for INT8). */
    private static int magnitudeBits(ElementType type) {
        switch (type) {
            case FP32:
                return 0x7FFF_FFFF;
            case FP16:
            case BF16:
                return 0x7FFF;
            case INT8:
                return 0xFF;
            default:
                return 0x7F;
        }
    }

    /**
     * Counts the groups of {@code m} consecutive elements in {@code [start, start + len)} ({@code len}
     * a multiple of m) that hold more than {@code n} non-zeros.
     */
    static long contiguous(Tensor t, int start, int len, int m, int n) {
        Buffers buf = BUFFERS.get();
        int bitsMask = magnitudeBits(t.type());
        long lanes = 0;
        for (int done = 0; done < len; done += Math.min(CHUNK, len - done)) { // no int overflow near 2^31
            int c = Math.min(CHUNK, len - done);
            switch (t.type().byteSize()) {
                case 4:
                    t.readFloats(start + done, buf.floats[0], 0, c);
                    lanes += contiguous32(buf.floats[0], c, m, n);
                    break;
                case 2:
                    t.readShorts(start + done, buf.shorts[0], 0, c);
                    lanes += contiguous16(buf.shorts[0], c, m, n, (short) bitsMask);
                    break;
                default:
                    t.readBytes(start + done, buf.bytes[0], 0, c);
                    lanes += contiguous8(buf.bytes[0], c, m, n, (byte) bitsMask);
            }
        }
        return lanes / m;
    }

    /**
     * Counts the violating groups of a strided block: group i's element j is at
     * {@code start + j * stride + i}, {@code i < count}.
     */
    static long strided(Tensor t, int start, int stride, int count, int m, int n) {
        Buffers buf = BUFFERS.get();
        int bitsMask = magnitudeBits(t.type());
        long groups = 0;
        for (int done = 0; done < count; done += Math.min(CHUNK, count - done)) {
            int c = Math.min(CHUNK, count - done);
            for (int j = 0; j < m; j++) {
                int at = start + j * stride + done;
                switch (t.type().byteSize()) {
                    case 4:
                        t.readFloats(at, buf.floats[j], 0, c);
                        break;
                    case 2:
                        t.readShorts(at, buf.shorts[j], 0, c);
                        break;
                    default:
                        t.readBytes(at, buf.bytes[j], 0, c);
                }
            }
            switch (t.type().byteSize()) {
                case 4:
                    groups += strided32(buf.floats, c, m, n);
                    break;
                case 2:
                    groups += strided16(buf.shorts, c, m, n, (short) bitsMask);
                    break;
                default:
                    groups += strided8(buf.bytes, c, m, n, (byte) bitsMask);
            }
        }
        return groups;
    }

    // ---------------------------------------------------------------- contiguous

    private static long contiguous32(float[] v, int len, int m, int n) {
        int limit = n - m;
        int full = len & -I.length();
        long lanes = 0;
        for (int i = 0; i < full; i += I.length()) {
            IntVector z = (IntVector) FloatVector.fromArray(FloatVector.SPECIES_256, v, i).reinterpretAsInts()
                    .and(0x7FFF_FFFF).compare(VectorOperators.EQ, 0).toVector();
            LongVector zl = z.reinterpretAsLongs();
            IntVector s = z.add(zl.lanewise(VectorOperators.LSHL, 32).or(zl.lanewise(VectorOperators.LSHR, 32))
                    .reinterpretAsInts());
            if (m == 4) {
                s = s.add(s.rearrange(X2));
            }
            lanes += s.compare(VectorOperators.GT, limit).trueCount();
        }
        return lanes + tail(v, full, len, m, n);
    }

    private static long contiguous16(short[] v, int len, int m, int n, short bits) {
        short limit = (short) (n - m);
        int full = len & -S.length();
        long lanes = 0;
        for (int i = 0; i < full; i += S.length()) {
            ShortVector z = (ShortVector) ShortVector.fromArray(S, v, i).and(bits)
                    .compare(VectorOperators.EQ, (short) 0).toVector();
            IntVector zi = z.reinterpretAsInts();
            ShortVector s = z.add(zi.lanewise(VectorOperators.LSHL, 16).or(zi.lanewise(VectorOperators.LSHR, 16))
                    .reinterpretAsShorts());
            if (m == 4) {
                LongVector sl = s.reinterpretAsLongs();
                s = s.add(sl.lanewise(VectorOperators.LSHL, 32).or(sl.lanewise(VectorOperators.LSHR, 32))
                        .reinterpretAsShorts());
            }
            lanes += s.compare(VectorOperators.GT, limit).trueCount();
        }
        return lanes + tail(v, full, len, m, n, bits);
    }

    private static long contiguous8(byte[] v, int len, int m, int n, byte bits) {
        byte limit = (byte) (n - m);
        int full = len & -B.length();
        long lanes = 0;
        for (int i = 0; i < full; i += B.length()) {
            ByteVector z = (ByteVector) ByteVector.fromArray(B, v, i).and(bits)
                    .compare(VectorOperators.EQ, (byte) 0).toVector();
            ShortVector zs = z.reinterpretAsShorts();
            ByteVector s = z.add(zs.lanewise(VectorOperators.LSHL, 8).or(zs.lanewise(VectorOperators.LSHR, 8))
                    .reinterpretAsBytes());
            if (m == 4) {
                IntVector si = s.reinterpretAsInts();
                s = s.add(si.lanewise(VectorOperators.LSHL, 16).or(si.lanewise(VectorOperators.LSHR, 16))
                        .reinterpretAsBytes());
            }
            lanes += s.compare(VectorOperators.GT, limit).trueCount();
        }
        return lanes + tail(v, full, len, m, n, bits);
    }

    /** Violating lanes (M per violating group) among the elements {@code [from, len)} after the whole vectors. */
    private static long tail(float[] v, int from, int len, int m, int n) {
        long lanes = 0;
        for (int g = from; g < len; g += m) {
            int nz = 0;
            for (int j = g; j < g + m; j++) {
                nz += (Float.floatToRawIntBits(v[j]) & 0x7FFF_FFFF) != 0 ? 1 : 0;
            }
            lanes += nz > n ? m : 0;
        }
        return lanes;
    }

    /** As {@link #tail(float[], int, int, int, int)} for 16-bit elements. */
    private static long tail(short[] v, int from, int len, int m, int n, short bits) {
        long lanes = 0;
        for (int g = from; g < len; g += m) {
            int nz = 0;
            for (int j = g; j < g + m; j++) {
                nz += (v[j] & bits) != 0 ? 1 : 0;
            }
            lanes += nz > n ? m : 0;
        }
        return lanes;
    }

    /** As {@link #tail(float[], int, int, int, int)} for 8-bit elements. */
    private static long tail(byte[] v, int from, int len, int m, int n, byte bits) {
        long lanes = 0;
        for (int g = from; g < len; g += m) {
            int nz = 0;
            for (int j = g; j < g + m; j++) {
                nz += (v[j] & bits) != 0 ? 1 : 0;
            }
            lanes += nz > n ? m : 0;
        }
        return lanes;
    }

    // ---------------------------------------------------------------- strided

    private static long strided32(float[][] rows, int count, int m, int n) {
        int limit = n - m;
        int full = count & -I.length();
        long groups = 0;
        for (int i = 0; i < full; i += I.length()) {
            IntVector s = IntVector.zero(I);
            for (int j = 0; j < m; j++) {
                s = s.add((IntVector) FloatVector.fromArray(FloatVector.SPECIES_256, rows[j], i).reinterpretAsInts()
                        .and(0x7FFF_FFFF).compare(VectorOperators.EQ, 0).toVector());
            }
            groups += s.compare(VectorOperators.GT, limit).trueCount();
        }
        for (int i = full; i < count; i++) {
            int nz = 0;
            for (int j = 0; j < m; j++) {
                nz += (Float.floatToRawIntBits(rows[j][i]) & 0x7FFF_FFFF) != 0 ? 1 : 0;
            }
            groups += nz > n ? 1 : 0;
        }
        return groups;
    }

    private static long strided16(short[][] rows, int count, int m, int n, short bits) {
        short limit = (short) (n - m);
        int full = count & -S.length();
        long groups = 0;
        for (int i = 0; i < full; i += S.length()) {
            ShortVector s = ShortVector.zero(S);
            for (int j = 0; j < m; j++) {
                s = s.add((ShortVector) ShortVector.fromArray(S, rows[j], i).and(bits)
                        .compare(VectorOperators.EQ, (short) 0).toVector());
            }
            groups += s.compare(VectorOperators.GT, limit).trueCount();
        }
        for (int i = full; i < count; i++) {
            int nz = 0;
            for (int j = 0; j < m; j++) {
                nz += (rows[j][i] & bits) != 0 ? 1 : 0;
            }
            groups += nz > n ? 1 : 0;
        }
        return groups;
    }

    private static long strided8(byte[][] rows, int count, int m, int n, byte bits) {
        byte limit = (byte) (n - m);
        int full = count & -B.length();
        long groups = 0;
        for (int i = 0; i < full; i += B.length()) {
            ByteVector s = ByteVector.zero(B);
            for (int j = 0; j < m; j++) {
                s = s.add((ByteVector) ByteVector.fromArray(B, rows[j], i).and(bits)
                        .compare(VectorOperators.EQ, (byte) 0).toVector());
            }
            groups += s.compare(VectorOperators.GT, limit).trueCount();
        }
        for (int i = full; i < count; i++) {
            int nz = 0;
            for (int j = 0; j < m; j++) {
                nz += (rows[j][i] & bits) != 0 ? 1 : 0;
            }
            groups += nz > n ? 1 : 0;
        }
        return groups;
    }
}
