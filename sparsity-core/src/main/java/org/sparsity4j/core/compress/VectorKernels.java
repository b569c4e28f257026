package org.sparsity4j.core.compress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.sparsity4j.core.tensor.ElementType;

/**
 * Vector API versions of {@link SparseCompressor}'s kernels for 2:4 types with the reduction
 * dimension contiguous: compression of the 16-bit types (FP16, BF16) and of the 8-bit types (INT8,
 * FP8), and decompression of both. Their output is byte for byte that of the scalar
 * kernels, which still handle the groups of a row beyond the last whole metadata tile. Loaded only
 * when {@link SimdSwitch#enabled()}; nothing outside this class sees a vector type.
 *
 * <p>All vectors are 256 bits (32 bytes); only operations that C2 compiles to AVX2 instructions on
 * JDK 17 are used (measured: the kernels run 3 to 5 times faster than the scalar ones on one core;
 * an operation falling back to Java code would make them many times slower instead). Compression
 * finds the 4-bit pattern of non-zero lanes of every group with a compare, a blend of lane bits and
 * a horizontal OR inside the group's lanes, looks up the positions to keep in a 32-entry table with
 * one byte rearrange, and gathers the kept elements with a second, data-dependent rearrange. The
 * metadata codes follow from the same positions; one constant rearrange puts the bytes of rows p
 * and p + 8 (which the layout interleaves) in their order. A table entry flags a group with more
 * than 2 non-zeros; the band then reports failure and the caller names the first violating group.
 * Decompression spreads each group's metadata nibble and two values into an int (8-bit) or long
 * (16-bit) lane and shifts the values to their positions with per-lane shift counts; a band with an
 * invalid code is decompressed again by the scalar kernel, which throws its usual exception.
 */
final class VectorKernels {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

    /** Flag of the position tables for a pattern with more than 2 non-zeros. */
    private static final byte INVALID = 0x40;
    /** Keeps a shuffle index inside the 32 lanes (drops {@link #INVALID}). */
    private static final byte INDEX_BITS = 0x1F;

    /** Lanes 16..31. */
    private static final VectorMask<Byte> UPPER = VectorMask.fromArray(B, booleans(d -> d >= 16 ? 1 : 0), 0);
    private static final ByteVector ZERO = ByteVector.zero(B);
    private static final ShortVector ZERO16 = ShortVector.zero(S);

    // ---- 8-bit compression: a vector holds 8 groups of 4 bytes
    /** Bit i of the group pattern for byte lane i of a group. */
    private static final ByteVector BITS8 = bytes(d -> 1 << (d & 3));
    /** Pattern of group j of the source (in byte 3 of its int lane) to bytes 2j and 2j + 1 (both halves alike). */
    private static final VectorShuffle<Byte> COMPACT8 = shuffle(d -> 4 * ((d & 15) >> 1) + 3);
    /** Odd bytes look up the second kept position (table entries 16..31). */
    private static final ByteVector SELECT8 = bytes(d -> (d & 1) * 16);
    /** Entries 0..15: first kept position of a pattern; 16..31: second one; INVALID for more than 2 non-zeros. */
    private static final ByteVector TABLE8 = positionTable(1);
    /** First byte of the source group of output byte d. */
    private static final ByteVector BASE8 = bytes(d -> 4 * ((d & 15) >> 1));
    /** Metadata bytes of rows (p, p + 8) × 8 group pairs, packed in int lanes, to their places (bytes 0..15). */
    private static final VectorShuffle<Byte> META8 = meta8Shuffle();

    // ---- 16-bit compression: a vector holds 4 groups of 4 shorts
    private static final ShortVector BITS16 = ShortVector.fromArray(S, shorts(d -> 1 << (d & 3)), 0);
    /** Pattern of group j of the source (in byte 0 of its long lane) to bytes 4j..4j + 3. */
    private static final VectorShuffle<Byte> COMPACT16 = shuffle(d -> 8 * ((d & 15) >> 2));
    /** Bytes 2 and 3 of an output element pair look up the second kept position. */
    private static final ByteVector SELECT16 = bytes(d -> (d & 3) >= 2 ? 16 : 0);
    /** As {@link #TABLE8} with byte offsets (2 × position). */
    private static final ByteVector TABLE16 = positionTable(2);
    /** First byte of the source group of output byte d, plus the byte within the element. */
    private static final ByteVector BASE16 = bytes(d -> 8 * ((d & 15) >> 2) + (d & 1));
    /** Metadata bytes of 8 groups, one per int lane, to their places (bytes 0..7). */
    private static final VectorShuffle<Byte> META16 = meta16Shuffle();

    // ---- 8-bit decompression: a vector holds 8 groups of 4 output bytes
    /** Offsets of the rows of a decompression quad; their metadata bytes have p3, p0 = 00, 10, 01, 11. */
    private static final int[] QUAD = {0, 8, 1, 9};
    /** [2k + h]: metadata byte of row k of the quad for group 8h + j into int lane j. */
    private static final VectorShuffle<Byte>[] SPREAD8 = spread8();
    /** Low nibble for even groups, high nibble for odd ones. */
    private static final IntVector NIBBLE_SHIFT = IntVector.fromArray(I, new int[] {0, 4, 0, 4, 0, 4, 0, 4}, 0);
    /** [h]: the two value bytes of group 8h + j into bytes 0 and 1 of int lane j. */
    private static final VectorShuffle<Byte>[] VALUES8 = values8();

    /** [2k + h]: metadata byte of row k = (r, p3) of 8 rows (p + r + 8 p3) for group 4h + j into long lane j. */
    private static final VectorShuffle<Byte>[] SPREAD16 = spread16();
    /** [h]: the two values (4 bytes) of group 4h + j into bytes 0..3 of long lane j. */
    private static final VectorShuffle<Byte>[] VALUES16 = values16();

    private VectorKernels() {
    }

    // The kernels are written out in one method each, without helper methods: C2 does not always
    // inline a helper that it already compiled on its own, and a vector passed to a method that is
    // not inlined is boxed on the heap, which costs more than the whole computation.

    // ------------------------------------------------------------------ compression, 8-bit

    /** As the scalar 8-bit kernel: false if a group holds more than 2 non-zeros. */
    static boolean compress8(CompressedFormat f, byte[] dense, byte[] out) {
        int outer = f.outerExtent();
        int groups = f.reductionExtent() / 4;
        int full = groups & ~15;
        int rowBytes = f.reductionExtent();
        int valueRowBytes = rowBytes / 2;
        int off = f.metadataOffset();
        byte zeroMask = f.type() == ElementType.INT8 ? (byte) 0xFF : (byte) 0x7F;
        int[] op = SparseCompressor.outerPart(f);
        int[] gb = SparseCompressor.groupBytes(f);
        return SparseCompressor.forEachBand(f, band -> {
            int start = band * 64;
            int end = Math.min(outer, start + 64);
            boolean ok = true;
            for (int base = start; base < end; base += 16) {
                // rows p and p + 8 of 16 groups: 16 consecutive metadata bytes
                for (int p = base; p < base + 8; p++) {
                    int q = p + 8;
                    int meta = off + (op[p] >> 1);
                    for (int g = 0; g < full; g += 16) {
                        // row p: patterns of non-zero bytes, kept positions, gathered values
                        ByteVector a = ByteVector.fromArray(B, dense, p * rowBytes + 4 * g);
                        ByteVector b = ByteVector.fromArray(B, dense, p * rowBytes + 4 * g + 32);
                        ByteVector pa = ZERO.blend(BITS8, a.and(zeroMask).compare(VectorOperators.NE, (byte) 0))
                                .reinterpretAsInts().mul(0x0101_0101).reinterpretAsBytes().rearrange(COMPACT8);
                        ByteVector pb = ZERO.blend(BITS8, b.and(zeroMask).compare(VectorOperators.NE, (byte) 0))
                                .reinterpretAsInts().mul(0x0101_0101).reinterpretAsBytes().rearrange(COMPACT8);
                        ByteVector lp = TABLE8.rearrange(pa.blend(pb, UPPER).add(SELECT8).toShuffle());
                        VectorShuffle<Byte> keep = lp.add(BASE8).and(INDEX_BITS).toShuffle();
                        a.rearrange(keep).blend(b.rearrange(keep), UPPER).intoArray(out, p * valueRowBytes + 2 * g);
                        // row q
                        ByteVector c = ByteVector.fromArray(B, dense, q * rowBytes + 4 * g);
                        ByteVector d = ByteVector.fromArray(B, dense, q * rowBytes + 4 * g + 32);
                        ByteVector pc = ZERO.blend(BITS8, c.and(zeroMask).compare(VectorOperators.NE, (byte) 0))
                                .reinterpretAsInts().mul(0x0101_0101).reinterpretAsBytes().rearrange(COMPACT8);
                        ByteVector pd = ZERO.blend(BITS8, d.and(zeroMask).compare(VectorOperators.NE, (byte) 0))
                                .reinterpretAsInts().mul(0x0101_0101).reinterpretAsBytes().rearrange(COMPACT8);
                        ByteVector lq = TABLE8.rearrange(pc.blend(pd, UPPER).add(SELECT8).toShuffle());
                        keep = lq.add(BASE8).and(INDEX_BITS).toShuffle();
                        c.rearrange(keep).blend(d.rearrange(keep), UPPER).intoArray(out, q * valueRowBytes + 2 * g);
                        if (lp.or(lq).compare(VectorOperators.GE, INVALID).anyTrue()) {
                            ok = false;
                        }
                        // metadata: short lane j = first | second << 8 of group j -> code; int lane h = byte of pair h
                        ShortVector sp = lp.reinterpretAsShorts();
                        ShortVector sq = lq.reinterpretAsShorts();
                        IntVector cp = sp.or(sp.lanewise(VectorOperators.LSHR, 6)).and((short) 0xF).reinterpretAsInts();
                        IntVector cq = sq.or(sq.lanewise(VectorOperators.LSHR, 6)).and((short) 0xF).reinterpretAsInts();
                        IntVector mp = cp.or(cp.lanewise(VectorOperators.LSHR, 12)).and(0xFF);
                        IntVector mq = cq.or(cq.lanewise(VectorOperators.LSHR, 12)).and(0xFF);
                        LongVector m = mp.or(mq.lanewise(VectorOperators.LSHL, 8)).reinterpretAsBytes()
                                .rearrange(META8).reinterpretAsLongs();
                        LONG_LE.set(out, meta + gb[g], m.lane(0));
                        LONG_LE.set(out, meta + gb[g] + 8, m.lane(1));
                    }
                }
            }
            if (full < groups) {
                ok &= SparseCompressor.compress8Rows(f, dense, out, op, gb, start, end, full, groups);
            }
            return ok;
        });
    }

    // ------------------------------------------------------------------ compression, 16-bit

    /** As the scalar 16-bit kernel: false if a group holds more than 2 non-zeros. */
    static boolean compress16(CompressedFormat f, byte[] dense, byte[] out) {
        int outer = f.outerExtent();
        int groups = f.reductionExtent() / 4;
        int full = groups & ~7;
        int rowBytes = f.reductionExtent() * 2;
        int valueRowBytes = f.reductionExtent();
        int off = f.metadataOffset();
        int[] op = SparseCompressor.outerPart(f);
        int[] gb = SparseCompressor.groupBytes(f);
        return SparseCompressor.forEachBand(f, band -> {
            int start = band * 64;
            int end = Math.min(outer, start + 64);
            boolean ok = true;
            for (int base = start; base < end; base += 16) {
                // rows p and p + 8 of 8 groups: 8 consecutive metadata bytes
                for (int p = base; p < base + 8; p++) {
                    int q = p + 8;
                    int meta = off + (op[p] >> 1);
                    for (int g = 0; g < full; g += 8) {
                        // row p: patterns of non-zero shorts, kept positions, gathered values
                        ByteVector a = ByteVector.fromArray(B, dense, p * rowBytes + 8 * g);
                        ByteVector b = ByteVector.fromArray(B, dense, p * rowBytes + 8 * g + 32);
                        LongVector xa = ZERO16.blend(BITS16, a.reinterpretAsShorts().and((short) 0x7FFF)
                                .compare(VectorOperators.NE, (short) 0)).reinterpretAsLongs();
                        LongVector xb = ZERO16.blend(BITS16, b.reinterpretAsShorts().and((short) 0x7FFF)
                                .compare(VectorOperators.NE, (short) 0)).reinterpretAsLongs();
                        xa = xa.or(xa.lanewise(VectorOperators.LSHR, 32));
                        xb = xb.or(xb.lanewise(VectorOperators.LSHR, 32));
                        ByteVector pa = xa.or(xa.lanewise(VectorOperators.LSHR, 16)).reinterpretAsBytes().rearrange(COMPACT16);
                        ByteVector pb = xb.or(xb.lanewise(VectorOperators.LSHR, 16)).reinterpretAsBytes().rearrange(COMPACT16);
                        ByteVector lp = TABLE16.rearrange(pa.blend(pb, UPPER).add(SELECT16).toShuffle());
                        VectorShuffle<Byte> keep = lp.add(BASE16).and(INDEX_BITS).toShuffle();
                        a.rearrange(keep).blend(b.rearrange(keep), UPPER).intoArray(out, p * valueRowBytes + 4 * g);
                        // row q
                        ByteVector c = ByteVector.fromArray(B, dense, q * rowBytes + 8 * g);
                        ByteVector d = ByteVector.fromArray(B, dense, q * rowBytes + 8 * g + 32);
                        LongVector xc = ZERO16.blend(BITS16, c.reinterpretAsShorts().and((short) 0x7FFF)
                                .compare(VectorOperators.NE, (short) 0)).reinterpretAsLongs();
                        LongVector xd = ZERO16.blend(BITS16, d.reinterpretAsShorts().and((short) 0x7FFF)
                                .compare(VectorOperators.NE, (short) 0)).reinterpretAsLongs();
                        xc = xc.or(xc.lanewise(VectorOperators.LSHR, 32));
                        xd = xd.or(xd.lanewise(VectorOperators.LSHR, 32));
                        ByteVector pc = xc.or(xc.lanewise(VectorOperators.LSHR, 16)).reinterpretAsBytes().rearrange(COMPACT16);
                        ByteVector pd = xd.or(xd.lanewise(VectorOperators.LSHR, 16)).reinterpretAsBytes().rearrange(COMPACT16);
                        ByteVector lq = TABLE16.rearrange(pc.blend(pd, UPPER).add(SELECT16).toShuffle());
                        keep = lq.add(BASE16).and(INDEX_BITS).toShuffle();
                        c.rearrange(keep).blend(d.rearrange(keep), UPPER).intoArray(out, q * valueRowBytes + 4 * g);
                        if (lp.or(lq).compare(VectorOperators.GE, INVALID).anyTrue()) {
                            ok = false;
                        }
                        // metadata: int lane j = 2 first, 2 first, 2 second, 2 second of group j -> code;
                        // one byte per group: row p low nibble, row q high nibble
                        IntVector ip = lp.reinterpretAsInts();
                        IntVector iq = lq.reinterpretAsInts();
                        IntVector cp = ip.lanewise(VectorOperators.LSHR, 1).or(ip.lanewise(VectorOperators.LSHR, 15)).and(0xF);
                        IntVector cq = iq.lanewise(VectorOperators.LSHL, 3).or(iq.lanewise(VectorOperators.LSHR, 11)).and(0xF0);
                        long m = cp.or(cq).reinterpretAsBytes().rearrange(META16).reinterpretAsLongs().lane(0);
                        LONG_LE.set(out, meta + gb[g], m);
                    }
                }
            }
            if (full < groups) {
                ok &= SparseCompressor.compress16Rows(f, dense, out, op, gb, start, end, full, groups);
            }
            return ok;
        });
    }

    // ------------------------------------------------------------------ decompression, 8-bit

    /**
     * As the scalar 8-bit decompression. A band holding an invalid code is decompressed again by the
     * scalar kernel, which throws the same exception as without vectors.
     */
    static void decompress8(CompressedFormat f, byte[] in, byte[] dense) {
        int outer = f.outerExtent();
        int groups = f.reductionExtent() / 4;
        int full = groups & ~15;
        int rowBytes = f.reductionExtent();
        int valueRowBytes = rowBytes / 2;
        int off = f.metadataOffset();
        int[] op = SparseCompressor.outerPart(f);
        int[] gb = SparseCompressor.groupBytes(f);
        SparseCompressor.forEachBand(f, band -> {
            int start = band * 64;
            int end = Math.min(outer, start + 64);
            boolean ok = true;
            for (int base = start; base < end; base += 16) {
                // the quad p, p + 8, p + 1, p + 9 of 16 groups: 32 consecutive metadata bytes
                for (int p = base; p < base + 8; p += 2) {
                    int meta = off + (op[p] >> 1);
                    for (int g = 0; g < full; g += 16) {
                        ByteVector m = ByteVector.fromArray(B, in, meta + gb[g]);
                        for (int k = 0; k < 4; k++) {
                            int row = p + QUAD[k];
                            ByteVector v = ByteVector.fromArray(B, in, row * valueRowBytes + 2 * g);
                            for (int half = 0; half < 2; half++) {
                                IntVector code = m.rearrange(SPREAD8[2 * k + half]).reinterpretAsInts()
                                        .lanewise(VectorOperators.LSHR, NIBBLE_SHIFT).and(0xF);
                                IntVector i0 = code.and(3);
                                IntVector i1 = code.lanewise(VectorOperators.LSHR, 2);
                                if (i0.compare(VectorOperators.GE, i1).anyTrue()) {
                                    ok = false;
                                }
                                IntVector x = v.rearrange(VALUES8[half]).reinterpretAsInts();
                                x.and(0xFF).lanewise(VectorOperators.LSHL, i0.lanewise(VectorOperators.LSHL, 3))
                                        .or(x.lanewise(VectorOperators.LSHR, 8).and(0xFF)
                                                .lanewise(VectorOperators.LSHL, i1.lanewise(VectorOperators.LSHL, 3)))
                                        .reinterpretAsBytes().intoArray(dense, row * rowBytes + 4 * g + 32 * half);
                            }
                        }
                    }
                }
            }
            if (!ok) {
                // the whole band again, in the scalar order, so that the same code is named
                SparseCompressor.decompress8Rows(f, in, dense, op, gb, start, end, 0, groups);
            } else if (full < groups) {
                SparseCompressor.decompress8Rows(f, in, dense, op, gb, start, end, full, groups);
            }
            return true;
        });
    }

    // ------------------------------------------------------------------ decompression, 16-bit

    /**
     * As the scalar 16-bit decompression. A band holding an invalid code is decompressed again by the
     * scalar kernel, which throws the same exception as without vectors.
     */
    static void decompress16(CompressedFormat f, byte[] in, byte[] dense) {
        int outer = f.outerExtent();
        int groups = f.reductionExtent() / 4;
        int full = groups & ~7;
        int rowBytes = f.reductionExtent() * 2;
        int valueRowBytes = f.reductionExtent();
        int off = f.metadataOffset();
        int[] op = SparseCompressor.outerPart(f);
        int[] gb = SparseCompressor.groupBytes(f);
        SparseCompressor.forEachBand(f, band -> {
            int start = band * 64;
            int end = Math.min(outer, start + 64);
            boolean ok = true;
            for (int base = start; base < end; base += 16) {
                // rows p + r and p + 8 + r, r = 0..3, of 8 groups: 32 consecutive metadata bytes
                for (int p = base; p < base + 8; p += 4) {
                    int meta = off + (op[p] >> 1);
                    for (int g = 0; g < full; g += 8) {
                        ByteVector m = ByteVector.fromArray(B, in, meta + gb[g]);
                        for (int k = 0; k < 8; k++) {
                            int row = p + (k >> 1) + 8 * (k & 1);
                            ByteVector v = ByteVector.fromArray(B, in, row * valueRowBytes + 4 * g);
                            for (int half = 0; half < 2; half++) {
                                LongVector code = m.rearrange(SPREAD16[2 * k + half]).reinterpretAsLongs()
                                        .lanewise(VectorOperators.LSHR, 4 * (k & 1)).and(0xF);
                                LongVector i0 = code.and(3);
                                LongVector i1 = code.lanewise(VectorOperators.LSHR, 2);
                                if (i0.compare(VectorOperators.GE, i1).anyTrue()) {
                                    ok = false;
                                }
                                LongVector x = v.rearrange(VALUES16[half]).reinterpretAsLongs();
                                x.and(0xFFFF).lanewise(VectorOperators.LSHL, i0.lanewise(VectorOperators.LSHL, 4))
                                        .or(x.lanewise(VectorOperators.LSHR, 16).and(0xFFFF)
                                                .lanewise(VectorOperators.LSHL, i1.lanewise(VectorOperators.LSHL, 4)))
                                        .reinterpretAsBytes().intoArray(dense, row * rowBytes + 8 * g + 32 * half);
                            }
                        }
                    }
                }
            }
            if (!ok) {
                // the whole band again, in the scalar order, so that the same code is named
                SparseCompressor.decompress16Rows(f, in, dense, op, gb, start, end, 0, groups);
            } else if (full < groups) {
                SparseCompressor.decompress16Rows(f, in, dense, op, gb, start, end, full, groups);
            }
            return true;
        });
    }

    // ------------------------------------------------------------------ constant tables

    private static ByteVector positionTable(int scale) {
        byte[] t = new byte[32];
        for (int pattern = 0; pattern < 16; pattern++) {
            int code = SparseCompressor.CODE[pattern];
            if (code < 0) {
                t[pattern] = INVALID;
                t[16 + pattern] = (byte) (INVALID | scale);
            } else {
                t[pattern] = (byte) (scale * (code & 3));
                t[16 + pattern] = (byte) (scale * (code >> 2));
            }
        }
        return ByteVector.fromArray(B, t, 0);
    }

    private static VectorShuffle<Byte> meta8Shuffle() {
        // metadata byte index in a 16-byte run: bit 0 = p3, bit 1 = g3, bit 2 = g1, bit 3 = g2
        int[] s = new int[32];
        for (int h = 0; h < 8; h++) {
            for (int k = 0; k < 2; k++) {
                int d = ((h >> 2) & 1) << 1 | (h & 1) << 2 | ((h >> 1) & 1) << 3 | k;
                s[d] = 4 * h + k;
                s[d + 16] = 4 * h + k;
            }
        }
        return VectorShuffle.fromArray(B, s, 0);
    }

    private static VectorShuffle<Byte> meta16Shuffle() {
        // metadata byte index in an 8-byte run: bit 0 = g2, bit 1 = g0, bit 2 = g1
        int[] s = new int[32];
        for (int d = 0; d < 32; d++) {
            int g = (d & 7) >> 1 & 1 | ((d & 7) >> 2 & 1) << 1 | (d & 1) << 2;
            s[d] = 4 * g;
        }
        return VectorShuffle.fromArray(B, s, 0);
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // no generic array creation
    private static VectorShuffle<Byte>[] spread8() {
        VectorShuffle<Byte>[] t = new VectorShuffle[8];
        for (int k = 0; k < 4; k++) {
            for (int half = 0; half < 2; half++) {
                int[] s = new int[32];
                for (int d = 0; d < 32; d++) {
                    int h = 4 * half + (d >> 3);
                    s[d] = ((h >> 2) & 1) << 1 | (h & 1) << 2 | ((h >> 1) & 1) << 3 | (k & 1) | (k >> 1) << 4;
                }
                t[2 * k + half] = VectorShuffle.fromArray(B, s, 0);
            }
        }
        return t;
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // no generic array creation
    private static VectorShuffle<Byte>[] values8() {
        VectorShuffle<Byte>[] t = new VectorShuffle[2];
        for (int half = 0; half < 2; half++) {
            int[] s = new int[32];
            for (int d = 0; d < 32; d++) {
                s[d] = 2 * (8 * half + (d >> 2)) + Math.min(d & 3, 1);
            }
            t[half] = VectorShuffle.fromArray(B, s, 0);
        }
        return t;
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // no generic array creation
    private static VectorShuffle<Byte>[] spread16() {
        VectorShuffle<Byte>[] t = new VectorShuffle[16];
        for (int k = 0; k < 8; k++) {
            for (int half = 0; half < 2; half++) {
                int[] s = new int[32];
                for (int d = 0; d < 32; d++) {
                    int g = 4 * half + (d >> 3);
                    s[d] = ((g >> 2) & 1) | (g & 1) << 1 | ((g >> 1) & 1) << 2 | (k >> 1) << 3;
                }
                t[2 * k + half] = VectorShuffle.fromArray(B, s, 0);
            }
        }
        return t;
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // no generic array creation
    private static VectorShuffle<Byte>[] values16() {
        VectorShuffle<Byte>[] t = new VectorShuffle[2];
        for (int half = 0; half < 2; half++) {
            int[] s = new int[32];
            for (int d = 0; d < 32; d++) {
                s[d] = 4 * (4 * half + (d >> 3)) + Math.min(d & 7, 3);
            }
            t[half] = VectorShuffle.fromArray(B, s, 0);
        }
        return t;
    }

    private static ByteVector bytes(IntUnaryOperator lane) {
        byte[] b = new byte[32];
        for (int d = 0; d < 32; d++) {
            b[d] = (byte) lane.applyAsInt(d);
        }
        return ByteVector.fromArray(B, b, 0);
    }

    private static short[] shorts(IntUnaryOperator lane) {
        short[] s = new short[16];
        for (int d = 0; d < 16; d++) {
            s[d] = (short) lane.applyAsInt(d);
        }
        return s;
    }

    private static boolean[] booleans(IntUnaryOperator lane) {
        boolean[] b = new boolean[32];
        for (int d = 0; d < 32; d++) {
            b[d] = lane.applyAsInt(d) != 0;
        }
        return b;
    }

    private static VectorShuffle<Byte> shuffle(IntUnaryOperator lane) {
        int[] s = new int[32];
        for (int d = 0; d < 32; d++) {
            s[d] = lane.applyAsInt(d);
        }
        return VectorShuffle.fromArray(B, s, 0);
    }
}
