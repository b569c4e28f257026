package org.sparsity4j.core.compress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/**
 * Compresses a structured sparse matrix into the bytes {@code cusparseLtSpMMACompress2} produces, and
 * decompresses such bytes back into the dense matrix. Stateless and thread-safe.
 *
 * <h2>Dense input</h2>
 * Two forms are accepted: a {@link Tensor} of shape {@code [rows, cols]} holding the matrix
 * element (r, c) at index {@code [r][c]} (the format's {@link Order} then only decides the
 * compressed layout), or the raw little-endian bytes of the matrix in the format's order, exactly
 * as they would be copied to the GPU.
 *
 * <h2>Which elements are kept</h2>
 * A group (4 consecutive elements along the reduction dimension, 2 for FP32) may hold at most 2
 * (FP32: 1) non-zeros, where every value other than {@code ±0} counts as non-zero (NaN, infinities
 * and subnormals included). A group with more is refused with an {@link IllegalArgumentException}
 * naming the first violating group in row-major order of the matrix — no value is ever dropped.
 * Groups with fewer non-zeros encode what cuSPARSELt encodes: the non-zero positions, completed with
 * the highest free positions (none: positions 2 and 3; one at position i: i and 3, or 2 and 3 for
 * i = 3; FP32 pairs: the non-zero, else position 1).
 *
 * <h2>Round trip</h2>
 * {@code decompress(compress(x))} equals {@code x} bit for bit, with these exceptions, all of them
 * cuSPARSELt's own behaviour: a {@code -0} in a position that is not encoded comes back as {@code +0};
 * FP32 subnormals count as zero when cuSPARSELt chooses the kept element of a pair (it flushes them),
 * so a subnormal paired with a zero is not encoded; FP32 values are stored plus {@code 0x1000} in
 * their bit pattern (cuSPARSELt's rounding offset for TF32), which is exact to undo except for the
 * finite values {@code ±0x7F7FF000} (returned as ±infinity) and NaNs whose payload is below
 * {@code 0x1000} (returned as the largest finite values).
 */
public final class SparseCompressor {
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Metadata filler nibble of the written region (cuSPARSELt writes 0xE there). */
    private static final byte FILL = (byte) 0xEE;
    /** FP32 pair codes: element 0 kept = half-word positions (0,1), element 1 kept = (2,3). */
    private static final int FP32_CODE0 = 0x4;
    private static final int FP32_CODE1 = 0xE;
    /** 2:4 metadata code (idx0 | idx1 << 2) for each mask of non-zero positions with at most 2 bits; -1 otherwise. */
    static final byte[] CODE = new byte[16];

    static {
        for (int mask = 0; mask < 16; mask++) {
            if (Integer.bitCount(mask) > 2) {
                CODE[mask] = -1;
                continue;
            }
            int chosen = mask;
            for (int i = 3; i >= 0 && Integer.bitCount(chosen) < 2; i--) {
                chosen |= 1 << i;
            }
            int i0 = Integer.numberOfTrailingZeros(chosen);
            int i1 = 31 - Integer.numberOfLeadingZeros(chosen);
            CODE[mask] = (byte) (i0 | i1 << 2);
        }
    }

    private SparseCompressor() {
    }

    /**
     * Returns whether the Vector API kernels are in use: they are when the running JVM has the
     * incubating module {@code jdk.incubator.vector} ({@code --add-modules jdk.incubator.vector}) and
     * the system property {@code sparsity.simd} is not {@code false}. They cover compression of the
     * 2:4 types and decompression of the 8-bit types when the reduction dimension is contiguous in
     * memory; every other case, and every JVM without the module, uses the scalar kernels. Both give
     * the same bytes.
     *
     * @return true if the vector kernels are used
     */
    public static boolean usesVectorKernels() {
        return SimdSwitch.enabled();
    }

    // ------------------------------------------------------------------ public API: compress

    /**
     * Compresses a matrix given as a tensor of shape {@code [rows, cols]}.
     *
     * @param format the format (type and shape must match the tensor)
     * @param matrix the dense matrix, element (r, c) at {@code [r][c]}
     * @return a new array of {@link CompressedFormat#compressedSize()} bytes
     * @throws IllegalArgumentException if the tensor does not match the format or a group holds too
     *     many non-zeros
     */
    public static byte[] compress(CompressedFormat format, Tensor matrix) {
        return compress(format, storedBytes(format, matrix, "matrix"));
    }

    /**
     * Compresses the raw dense bytes of a matrix in the format's memory order.
     *
     * @param format the format
     * @param dense {@link CompressedFormat#denseBytes()} little-endian bytes
     * @return a new array of {@link CompressedFormat#compressedSize()} bytes
     * @throws IllegalArgumentException if the length is wrong or a group holds too many non-zeros
     */
    public static byte[] compress(CompressedFormat format, byte[] dense) {
        byte[] out = new byte[format.compressedSize()];
        compress(format, dense, out);
        return out;
    }

    /**
     * Compresses the raw dense bytes of a matrix in the format's memory order into {@code out}.
     *
     * @param format the format
     * @param dense {@link CompressedFormat#denseBytes()} little-endian bytes
     * @param out receives {@link CompressedFormat#compressedSize()} bytes from index 0 (all of them
     *     are written; the bytes cuSPARSELt leaves untouched are written as zero)
     * @throws IllegalArgumentException if a length is wrong or a group holds too many non-zeros (then
     *     the content of {@code out} is unspecified)
     */
    public static void compress(CompressedFormat format, byte[] dense, byte[] out) {
        Objects.requireNonNull(format, "format");
        checkLength(format, dense, out);
        int off = format.metadataOffset();
        int written = format.writtenBytes();
        Arrays.fill(out, off, written, FILL);
        Arrays.fill(out, written, format.compressedSize(), (byte) 0);
        boolean ok;
        if (format.type() == ElementType.FP32) {
            ok = compressFp32(format, dense, out);
        } else if (format.reductionStride() == 1 && format.type().byteSize() == 2) {
            ok = compress16Contiguous(format, dense, out);
        } else if (format.reductionStride() == 1) {
            ok = compress8Contiguous(format, dense, out);
        } else {
            ok = compress24Strided(format, dense, out);
        }
        if (!ok) {
            throw violation(format, dense);
        }
    }

    /**
     * Compresses the remaining bytes of a buffer (the raw dense matrix in the format's order; the
     * buffer's own byte order is ignored, the bytes are little-endian). The buffer's position is not
     * changed.
     *
     * @param format the format
     * @param dense the dense bytes
     * @return a new little-endian heap buffer of {@link CompressedFormat#compressedSize()} bytes
     */
    public static ByteBuffer compress(CompressedFormat format, ByteBuffer dense) {
        byte[] d = new byte[dense.remaining()];
        dense.duplicate().get(d);
        return ByteBuffer.wrap(compress(format, d)).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ------------------------------------------------------------------ public API: decompress

    /**
     * Decompresses into a new tensor of shape {@code [rows, cols]}.
     *
     * @param format the format
     * @param compressed at least {@link CompressedFormat#compressedSize()} bytes from index 0
     * @return the dense matrix
     * @throws IllegalArgumentException if the buffer is too short or holds an invalid metadata code
     */
    public static Tensor decompress(CompressedFormat format, byte[] compressed) {
        byte[] dense = new byte[Math.toIntExact(format.denseBytes())];
        decompress(format, compressed, dense);
        return toTensor(format, dense);
    }

    /**
     * Decompresses the remaining bytes of a buffer into a new tensor of shape {@code [rows, cols]}.
     * The buffer's position is not changed.
     *
     * @param format the format
     * @param compressed the compressed bytes (at least {@link CompressedFormat#compressedSize()} remaining)
     * @return the dense matrix
     */
    public static Tensor decompress(CompressedFormat format, ByteBuffer compressed) {
        if (compressed.remaining() < format.compressedSize()) {
            throw new IllegalArgumentException("compressed buffer holds " + compressed.remaining()
                    + " bytes but " + format + " needs " + format.compressedSize());
        }
        byte[] c = new byte[format.compressedSize()];
        compressed.duplicate().get(c);
        return decompress(format, c);
    }

    /**
     * Decompresses into the raw dense bytes of the matrix in the format's memory order.
     *
     * @param format the format
     * @param compressed at least {@link CompressedFormat#compressedSize()} bytes from index 0
     * @param dense receives {@link CompressedFormat#denseBytes()} bytes (every byte is written)
     * @throws IllegalArgumentException if a length is wrong or a metadata code is invalid (the first
     *     invalid code in the order of {@link #checkMetadata}, named as it names it; {@code dense} may
     *     then hold part of the matrix)
     */
    public static void decompress(CompressedFormat format, byte[] compressed, byte[] dense) {
        Objects.requireNonNull(format, "format");
        if (compressed.length < format.compressedSize()) {
            throw new IllegalArgumentException("compressed buffer holds " + compressed.length + " bytes but "
                    + format + " needs " + format.compressedSize());
        }
        if (dense.length != format.denseBytes()) {
            throw new IllegalArgumentException("dense buffer holds " + dense.length + " bytes but " + format
                    + " needs " + format.denseBytes());
        }
        try {
            if (format.type() == ElementType.FP32) {
                Arrays.fill(dense, (byte) 0);
                decompressFp32(format, compressed, dense);
            } else if (format.reductionStride() == 1 && format.type().byteSize() == 2) {
                decompress16Contiguous(format, compressed, dense);
            } else if (format.reductionStride() == 1) {
                decompress8Contiguous(format, compressed, dense);
            } else {
                Arrays.fill(dense, (byte) 0);
                decompress24(format, compressed, dense);
            }
        } catch (IllegalArgumentException e) {
            // the kernels meet the codes in their memory order, and parallel ones in any order: the
            // error names the first invalid code in checkMetadata's order instead, so that both name the
            // same group whatever the kernel
            checkCodes(format, compressed, false);
            throw e;
        }
    }

    // ------------------------------------------------------------------ public API: metadata check

    /**
     * Checks the metadata of a compressed buffer without decompressing it, for example before handing
     * bytes from a file or another process to the GPU: cuSPARSELt runs a product on any metadata
     * without an error, and invalid codes give wrong results. Every group's code must be one of the six
     * 2:4 codes ({@code idx0 | idx1 << 2} with {@code idx0 < idx1}); for FP32 one of the two 1:2 codes
     * (0x4, 0xE), and the second metadata copy must hold the same code wherever the region holds it.
     * The kept values are not checked (any bits are a value), nor the untouched tail of the metadata
     * region. Large buffers are checked in parallel; the error is the same as a sequential check's.
     *
     * @param format the format
     * @param compressed at least {@link CompressedFormat#compressedSize()} bytes from index 0
     * @throws IllegalArgumentException if the buffer is too short, or at the first invalid code (in the
     *     order of the outer dimension, then the groups), naming its byte offset and the group's row and
     *     column in the stored matrix
     */
    public static void checkMetadata(CompressedFormat format, byte[] compressed) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(compressed, "compressed");
        if (compressed.length < format.compressedSize()) {
            throw new IllegalArgumentException("compressed buffer holds " + compressed.length + " bytes but "
                    + format + " needs " + format.compressedSize());
        }
        checkCodes(format, compressed, true);
    }

    /**
     * {@link #checkMetadata} on a buffer of the right length; FP32 second copies only if {@code copies}
     * (decompression reads the first copy alone).
     */
    private static void checkCodes(CompressedFormat format, byte[] compressed, boolean copies) {
        boolean fp32 = format.type() == ElementType.FP32;
        int outer = format.outerExtent();
        int groups = format.reductionExtent() / (fp32 ? 2 : 4);
        int off = format.metadataOffset();
        if (!fp32 && outer % 64 == 0 && groups % (format.type().byteSize() == 1 ? 16 : 8) == 0
                && allCodesValid(compressed, off, (long) outer * groups / 2)) {
            // whole metadata tiles: the first outer * groups / 2 bytes hold exactly the groups' codes
            return;
        }
        int metaEnd = off + format.metadataBytes();
        int[] op = outerPart(format);
        int[] gp = groupPart(format);
        int firstCopyNibbles = 512 * ((outer + 63) / 64) * ((groups + 7) / 8);
        forEachBand(format, band -> {
            int end = Math.min(outer, band * 64 + 64);
            for (int p = band * 64; p < end; p++) {
                for (int g = 0; g < groups; g++) {
                    int nibble = op[p] + gp[g];
                    int code = getNibble(compressed, off, nibble);
                    if (!fp32) {
                        if (!validCode(code)) {
                            throw corrupt(format, code, off + (nibble >> 1), p, 4 * g);
                        }
                        continue;
                    }
                    if (code != FP32_CODE0 && code != FP32_CODE1) {
                        throw corrupt(format, code, off + (nibble >> 1), p, 2 * g);
                    }
                    int second = firstCopyNibbles + fp32SecondCopyIndex(p, g, outer);
                    if (copies && off + (second >> 1) < metaEnd) {
                        int copy = getNibble(compressed, off, second);
                        if (copy != code) {
                            int[] rc = rowCol(format, p, 2 * g);
                            throw new IllegalArgumentException("compressed buffer of " + format
                                    + ": FP32 metadata code 0x" + Integer.toHexString(code) + " at byte offset "
                                    + (off + (nibble >> 1)) + " but its second copy at byte offset "
                                    + (off + (second >> 1)) + " holds 0x" + Integer.toHexString(copy)
                                    + " (pair at row " + rc[0] + ", column " + rc[1] + ")");
                        }
                    }
                }
            }
            return true;
        });
    }

    /**
     * Whether every nibble of {@code bytes} bytes from {@code from} is a 2:4 code, sixteen at a time: with
     * a = code & 3 and b = code >> 2, 4 + b - a (never borrowing from the next nibble) is at least 5,
     * that is bit 2 set and bit 0 or 1 set, exactly when a < b.
     */
    static boolean allCodesValid(byte[] in, int from, long bytes) {
        final long lowTwo = 0x3333_3333_3333_3333L;
        final long four = 0x4444_4444_4444_4444L;
        final long ones = 0x1111_1111_1111_1111L;
        int end = from + (int) bytes;
        int i = from;
        long bad = 0;
        for (; i + 8 <= end; i += 8) {
            long x = (long) LONG_LE.get(in, i);
            long d = (((x >>> 2) & lowTwo) | four) - (x & lowTwo);
            bad |= ~((d >>> 2) & (d | d >>> 1)) & ones;
        }
        for (; i < end; i++) {
            if (!validCode(in[i] & 0xF) || !validCode((in[i] >> 4) & 0xF)) {
                return false;
            }
        }
        return bad == 0;
    }

    // ------------------------------------------------------------------ tensor <-> stored bytes

    /**
     * Returns the raw bytes of a {@code [rows, cols]} tensor in the format's memory order.
     *
     * @param format the format
     * @param matrix the tensor
     * @param name its name for error messages
     * @return new array of {@link CompressedFormat#denseBytes()} bytes
     */
    static byte[] storedBytes(CompressedFormat format, Tensor matrix, String name) {
        Objects.requireNonNull(matrix, name);
        Shape want = Shape.of(format.rows(), format.cols());
        if (matrix.type() != format.type() || !matrix.shape().equals(want)) {
            throw new IllegalArgumentException(name + " is " + matrix.type() + " " + matrix.shape() + " but "
                    + format + " needs " + format.type() + " " + want);
        }
        byte[] rowMajor = new byte[Math.toIntExact(format.denseBytes())];
        Tensor.wrap(format.type(), want, ByteBuffer.wrap(rowMajor)).copyFrom(matrix);
        if (format.order() == Order.ROW_MAJOR) {
            return rowMajor;
        }
        return transpose(rowMajor, format.rows(), format.cols(), format.type().byteSize());
    }

    private static Tensor toTensor(CompressedFormat format, byte[] stored) {
        byte[] rowMajor = format.order() == Order.ROW_MAJOR ? stored
                : transpose(stored, format.cols(), format.rows(), format.type().byteSize());
        return Tensor.wrap(format.type(), Shape.of(format.rows(), format.cols()), ByteBuffer.wrap(rowMajor));
    }

    /** Transposes a row-major r × c matrix of es-byte elements into a row-major c × r one. */
    private static byte[] transpose(byte[] src, int r, int c, int es) {
        byte[] dst = new byte[src.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                System.arraycopy(src, (i * c + j) * es, dst, (j * r + i) * es, es);
            }
        }
        return dst;
    }

    private static void checkLength(CompressedFormat format, byte[] dense, byte[] out) {
        if (dense.length != format.denseBytes()) {
            throw new IllegalArgumentException("dense buffer holds " + dense.length + " bytes but " + format
                    + " needs " + format.denseBytes());
        }
        if (out.length < format.compressedSize()) {
            throw new IllegalArgumentException("output buffer holds " + out.length + " bytes but " + format
                    + " needs " + format.compressedSize());
        }
    }

    // ------------------------------------------------------------------ metadata index tables

    /**
     * Nibble index of group (p, g) in the 2:4 metadata = outerPart[p] + groupPart[g]. 16-bit types:
     * tiles of 64 outer × 8 groups (512 nibbles), tiles along k first; 8-bit types: tiles of
     * 64 outer × 16 groups (1024 nibbles). Also FP32's first copy, with pairs as groups.
     */
    static int[] outerPart(CompressedFormat f) {
        int[] t = new int[f.outerExtent()];
        boolean eight = f.type().byteSize() == 1;
        int groups = f.reductionExtent() / (f.type() == ElementType.FP32 ? 2 : 4);
        int tilesK = eight ? (groups + 15) / 16 : (groups + 7) / 8;
        int tileNibbles = eight ? 1024 : 512;
        for (int p = 0; p < t.length; p++) {
            int w = eight
                    ? bit(p, 3) << 1 | bit(p, 0) << 5 | bit(p, 1) << 6 | bit(p, 2) << 7 | bit(p, 4) << 8 | bit(p, 5) << 9
                    : bit(p, 3) | bit(p, 0) << 4 | bit(p, 1) << 5 | bit(p, 2) << 6 | bit(p, 4) << 7 | bit(p, 5) << 8;
            t[p] = w + tileNibbles * tilesK * (p >> 6);
        }
        return t;
    }

    static int[] groupPart(CompressedFormat f) {
        boolean eight = f.type().byteSize() == 1;
        int groups = f.reductionExtent() / (f.type() == ElementType.FP32 ? 2 : 4);
        int[] t = new int[groups];
        for (int g = 0; g < groups; g++) {
            t[g] = eight
                    ? bit(g, 0) | bit(g, 3) << 2 | bit(g, 1) << 3 | bit(g, 2) << 4 | 1024 * (g >> 4)
                    : bit(g, 2) << 1 | bit(g, 0) << 2 | bit(g, 1) << 3 | 512 * (g >> 3);
        }
        return t;
    }

    private static int bit(int v, int i) {
        return (v >> i) & 1;
    }

    private static void putNibble(byte[] out, int metaOffset, int nibble, int code) {
        int i = metaOffset + (nibble >> 1);
        int shift = (nibble & 1) << 2;
        out[i] = (byte) ((out[i] & ~(0xF << shift)) | code << shift);
    }

    private static int getNibble(byte[] in, int metaOffset, int nibble) {
        return (in[metaOffset + (nibble >> 1)] >> ((nibble & 1) << 2)) & 0xF;
    }

    // ------------------------------------------------------------------ kernels: 2:4

    /** Groups of a row handled before moving to the next row, so that a band's metadata stays in L1. */
    private static final int BLOCK_GROUPS = 128;

    /** Below this many dense bytes the kernels run on the calling thread only. */
    private static final long PARALLEL_THRESHOLD = 1 << 20;

    /**
     * Runs {@code band} for every band of 64 outer indices (the metadata of different bands never
     * shares a byte), in parallel for large matrices; returns false if any band returned false. An
     * {@link IllegalArgumentException} from a band is rethrown as it is, on the calling thread; if
     * several bands throw, the one of the lowest band, so that the message does not depend on the
     * thread that ran it.
     */
    static boolean forEachBand(CompressedFormat f, java.util.function.IntPredicate band) {
        int bands = (f.outerExtent() + 63) / 64;
        IllegalArgumentException[] errors = new IllegalArgumentException[bands];
        IntStream range = IntStream.range(0, bands);
        if (f.denseBytes() >= PARALLEL_THRESHOLD) {
            range = range.parallel();
        }
        boolean ok = range.allMatch(b -> {
            try {
                return band.test(b);
            } catch (IllegalArgumentException e) {
                errors[b] = e;
                return true;
            }
        });
        for (IllegalArgumentException e : errors) {
            if (e != null) {
                throw e;
            }
        }
        return ok;
    }

    /**
     * For each mask of non-zero lanes: code | (bit shift of the first kept lane) << 8 | (bit shift of
     * the second) << 16, for 16-bit lanes; -1 for masks with more than 2 lanes.
     */
    private static final int[] ENC16 = new int[16];

    static {
        for (int mask = 0; mask < 16; mask++) {
            int code = CODE[mask];
            ENC16[mask] = code < 0 ? -1 : code | ((code & 3) << 4) << 8 | ((code >> 2) << 4) << 16;
        }
    }

    /** Mask of the non-zero lanes of four fp16/bf16 elements packed in a long (bit i: lane i). */
    private static int lanes16(long x) {
        long hi = ((x & 0x7FFF_7FFF_7FFF_7FFFL) + 0x7FFF_7FFF_7FFF_7FFFL) & 0x8000_8000_8000_8000L;
        // gathers bits 15, 31, 47, 63 into bits 60..63 (the other partial products stay below bit 48)
        return (int) ((hi * 0x0000_2000_4000_8001L) >>> 60);
    }

    /** As {@link #ENC16} for 8-bit lanes. */
    private static final int[] ENC8 = new int[16];

    static {
        for (int mask = 0; mask < 16; mask++) {
            int code = CODE[mask];
            ENC8[mask] = code < 0 ? -1 : code | ((code & 3) << 3) << 8 | ((code >> 2) << 3) << 16;
        }
    }

    /** Mask of the non-zero lanes of four 8-bit elements packed in an int (INT8: any bit; FP8: not the sign). */
    private static int lanes8(int x, boolean int8) {
        int hi = ((x & 0x7F7F_7F7F) + 0x7F7F_7F7F) & 0x8080_8080;
        if (int8) {
            hi |= x & 0x8080_8080;
        }
        // gathers bits 7, 15, 23, 31 into bits 28..31
        return (hi * 0x0020_4081) >>> 28;
    }

    /** Metadata byte offset of group g within its row's metadata, for the contiguous kernels. */
    static int[] groupBytes(CompressedFormat f) {
        int[] gp = groupPart(f);
        int[] gb = new int[gp.length];
        for (int g = 0; g < gp.length; g++) {
            gb[g] = gp[g] >> 1;
        }
        return gb;
    }

    /**
     * 16-bit types, reduction dimension contiguous: rows p and p + 8 share every metadata byte (low
     * nibble p), so they are compressed together and each metadata byte is written once.
     */
    private static boolean compress16Contiguous(CompressedFormat f, byte[] dense, byte[] out) {
        if (SimdSwitch.enabled()) {
            return VectorKernels.compress16(f, dense, out);
        }
        int outer = f.outerExtent();
        int groups = f.reductionExtent() / 4;
        int[] op = outerPart(f);
        int[] gb = groupBytes(f);
        return forEachBand(f, band -> {
            boolean ok = true;
            int end = Math.min(outer, band * 64 + 64);
            for (int gs = 0; gs < groups; gs += BLOCK_GROUPS) {
                ok &= compress16Rows(f, dense, out, op, gb, band * 64, end, gs, Math.min(groups, gs + BLOCK_GROUPS));
            }
            return ok;
        });
    }

    /**
     * The scalar 16-bit kernel on outer indices [pFrom, pTo) (pFrom a multiple of 16, pTo - pFrom too)
     * and groups [gFrom, gTo); returns false if a group there holds more than 2 non-zeros.
     */
    static boolean compress16Rows(CompressedFormat f, byte[] dense, byte[] out, int[] op, int[] gb,
            int pFrom, int pTo, int gFrom, int gTo) {
        int rowBytes = f.reductionExtent() * 2;
        int valueRowBytes = f.reductionExtent();
        int off = f.metadataOffset();
        boolean ok = true;
        for (int base = pFrom; base < pTo; base += 16) {
            for (int p = base; p < base + 8; p++) {
                int q = p + 8;
                int srcP = p * rowBytes;
                int srcQ = q * rowBytes;
                int vP = p * valueRowBytes;
                int vQ = q * valueRowBytes;
                int meta = off + (op[p] >> 1);
                for (int g = gFrom; g < gTo; g++) {
                    long x = (long) LONG_LE.get(dense, srcP + 8 * g);
                    long y = (long) LONG_LE.get(dense, srcQ + 8 * g);
                    int ex = ENC16[lanes16(x)];
                    int ey = ENC16[lanes16(y)];
                    if ((ex | ey) < 0) {
                        ok = false;
                        ex = ex < 0 ? ENC16[3] : ex;
                        ey = ey < 0 ? ENC16[3] : ey;
                    }
                    INT_LE.set(out, vP + 4 * g, (int) (x >>> (ex >> 8)) & 0xFFFF | (int) (x >>> (ex >>> 16)) << 16);
                    INT_LE.set(out, vQ + 4 * g, (int) (y >>> (ey >> 8)) & 0xFFFF | (int) (y >>> (ey >>> 16)) << 16);
                    out[meta + gb[g]] = (byte) (ex & 0xF | (ey & 0xF) << 4);
                }
            }
        }
        return ok;
    }

    /**
     * 8-bit types, reduction dimension contiguous: groups g and g + 1 of a row share every metadata
     * byte (low nibble g), so they are compressed together and each metadata byte is written once.
     */
    private static boolean compress8Contiguous(CompressedFormat f, byte[] dense, byte[] out) {
        if (SimdSwitch.enabled()) {
            return VectorKernels.compress8(f, dense, out);
        }
        int outer = f.outerExtent();
        int groups = f.reductionExtent() / 4;
        int[] op = outerPart(f);
        int[] gb = groupBytes(f);
        return forEachBand(f, band -> {
            boolean ok = true;
            int end = Math.min(outer, band * 64 + 64);
            for (int gs = 0; gs < groups; gs += BLOCK_GROUPS) {
                ok &= compress8Rows(f, dense, out, op, gb, band * 64, end, gs, Math.min(groups, gs + BLOCK_GROUPS));
            }
            return ok;
        });
    }

    /**
     * The scalar 8-bit kernel on outer indices [pFrom, pTo) and groups [gFrom, gTo) (gFrom and gTo
     * even); returns false if a group there holds more than 2 non-zeros.
     */
    static boolean compress8Rows(CompressedFormat f, byte[] dense, byte[] out, int[] op, int[] gb,
            int pFrom, int pTo, int gFrom, int gTo) {
        int rowBytes = f.reductionExtent();
        int valueRowBytes = f.reductionExtent() / 2;
        int off = f.metadataOffset();
        boolean int8 = f.type() == ElementType.INT8;
        boolean ok = true;
        for (int p = pFrom; p < pTo; p++) {
            int src = p * rowBytes;
            int v = p * valueRowBytes;
            int meta = off + (op[p] >> 1);
            for (int g = gFrom; g < gTo; g += 2) {
                long xy = (long) LONG_LE.get(dense, src + 4 * g);
                int x = (int) xy;
                int y = (int) (xy >>> 32);
                int ex = ENC8[lanes8(x, int8)];
                int ey = ENC8[lanes8(y, int8)];
                if ((ex | ey) < 0) {
                    ok = false;
                    ex = ex < 0 ? ENC8[3] : ex;
                    ey = ey < 0 ? ENC8[3] : ey;
                }
                INT_LE.set(out, v + 2 * g, (x >>> (ex >> 8)) & 0xFF | ((x >>> (ex >>> 16)) & 0xFF) << 8
                        | ((y >>> (ey >> 8)) & 0xFF) << 16 | (y >>> (ey >>> 16)) << 24);
                out[meta + gb[g]] = (byte) (ex & 0xF | (ey & 0xF) << 4);
            }
        }
        return ok;
    }

    /** Any 2:4 type with the reduction dimension strided (the values go out outer-index fastest). */
    private static boolean compress24Strided(CompressedFormat f, byte[] dense, byte[] out) {
        int es = f.type().byteSize();
        int outer = f.outerExtent();
        int groups = f.reductionExtent() / 4;
        int ps = f.outerStride();
        int ks = f.reductionStride();
        int off = f.metadataOffset();
        int[] op = outerPart(f);
        int[] gp = groupPart(f);
        int zeroMask = f.type() == ElementType.INT8 ? 0xFF : es == 1 ? 0x7F : 0x7FFF;
        int[] e = new int[4];
        boolean ok = true;
        for (int g = 0; g < groups; g++) {
            for (int p = 0; p < outer; p++) {
                int base = p * ps + 4 * g * ks;
                int mask = 0;
                for (int i = 0; i < 4; i++) {
                    e[i] = read(dense, base + i * ks, es);
                    mask |= (e[i] & zeroMask) != 0 ? 1 << i : 0;
                }
                int code = CODE[mask];
                if (code < 0) {
                    ok = false;
                    code = 0x4;
                }
                write(out, (2 * g) * outer + p, es, e[code & 3]);
                write(out, (2 * g + 1) * outer + p, es, e[code >> 2]);
                putNibble(out, off, op[p] + gp[g], code);
            }
        }
        return ok;
    }

    /** True for the 2:4 codes (idx0 | idx1 << 2) with idx0 < idx1. */
    private static boolean validCode(int code) {
        return (code & 3) < (code >> 2);
    }

    private static void decompress16Contiguous(CompressedFormat f, byte[] in, byte[] dense) {
        if (SimdSwitch.enabled()) {
            VectorKernels.decompress16(f, in, dense);
            return;
        }
        int outer = f.outerExtent();
        int groups = f.reductionExtent() / 4;
        int[] op = outerPart(f);
        int[] gb = groupBytes(f);
        forEachBand(f, band -> {
            decompress16Rows(f, in, dense, op, gb, band * 64, Math.min(outer, band * 64 + 64), 0, groups);
            return true;
        });
    }

    /**
     * The scalar 16-bit decompression of outer indices [pFrom, pTo) (pFrom a multiple of 16, pTo - pFrom
     * too) and groups [gFrom, gTo).
     *
     * @throws IllegalArgumentException at the first invalid metadata code, in the order rows p then p + 8
     *     of each group, groups in order, p in order
     */
    static void decompress16Rows(CompressedFormat f, byte[] in, byte[] dense, int[] op, int[] gb,
            int pFrom, int pTo, int gFrom, int gTo) {
        int rowBytes = f.reductionExtent() * 2;
        int valueRowBytes = f.reductionExtent();
        int off = f.metadataOffset();
        for (int base = pFrom; base < pTo; base += 16) {
            for (int p = base; p < base + 8; p++) {
                int q = p + 8;
                int meta = off + (op[p] >> 1);
                for (int g = gFrom; g < gTo; g++) {
                    int b = in[meta + gb[g]];
                    int cx = b & 0xF;
                    int cy = (b >> 4) & 0xF;
                    if (!validCode(cx) || !validCode(cy)) {
                        throw corrupt(f, validCode(cx) ? cy : cx, meta + gb[g], validCode(cx) ? q : p, 4 * g);
                    }
                    long x = (int) INT_LE.get(in, p * valueRowBytes + 4 * g) & 0xFFFF_FFFFL;
                    long y = (int) INT_LE.get(in, q * valueRowBytes + 4 * g) & 0xFFFF_FFFFL;
                    LONG_LE.set(dense, p * rowBytes + 8 * g,
                            (x & 0xFFFF) << ((cx & 3) << 4) | (x >>> 16) << ((cx >> 2) << 4));
                    LONG_LE.set(dense, q * rowBytes + 8 * g,
                            (y & 0xFFFF) << ((cy & 3) << 4) | (y >>> 16) << ((cy >> 2) << 4));
                }
            }
        }
    }

    private static void decompress8Contiguous(CompressedFormat f, byte[] in, byte[] dense) {
        if (SimdSwitch.enabled()) {
            VectorKernels.decompress8(f, in, dense);
            return;
        }
        int outer = f.outerExtent();
        int groups = f.reductionExtent() / 4;
        int[] op = outerPart(f);
        int[] gb = groupBytes(f);
        forEachBand(f, band -> {
            decompress8Rows(f, in, dense, op, gb, band * 64, Math.min(outer, band * 64 + 64), 0, groups);
            return true;
        });
    }

    /**
     * The scalar 8-bit decompression of outer indices [pFrom, pTo) and groups [gFrom, gTo) (even).
     *
     * @throws IllegalArgumentException at the first invalid metadata code, in row order then group order
     */
    static void decompress8Rows(CompressedFormat f, byte[] in, byte[] dense, int[] op, int[] gb,
            int pFrom, int pTo, int gFrom, int gTo) {
        int rowBytes = f.reductionExtent();
        int valueRowBytes = f.reductionExtent() / 2;
        int off = f.metadataOffset();
        for (int p = pFrom; p < pTo; p++) {
            int meta = off + (op[p] >> 1);
            for (int g = gFrom; g < gTo; g += 2) {
                int b = in[meta + gb[g]];
                int cx = b & 0xF;
                int cy = (b >> 4) & 0xF;
                if (!validCode(cx) || !validCode(cy)) {
                    throw corrupt(f, validCode(cx) ? cy : cx, meta + gb[g], p, 4 * (validCode(cx) ? g + 1 : g));
                }
                int v = (int) INT_LE.get(in, p * valueRowBytes + 2 * g);
                int x = (v & 0xFF) << ((cx & 3) << 3) | ((v >>> 8) & 0xFF) << ((cx >> 2) << 3);
                int y = ((v >>> 16) & 0xFF) << ((cy & 3) << 3) | (v >>> 24) << ((cy >> 2) << 3);
                LONG_LE.set(dense, p * rowBytes + 4 * g, (x & 0xFFFF_FFFFL) | (long) y << 32);
            }
        }
    }

    private static void decompress24(CompressedFormat f, byte[] in, byte[] dense) {
        int es = f.type().byteSize();
        int outer = f.outerExtent();
        int groups = f.reductionExtent() / 4;
        int ps = f.outerStride();
        int ks = f.reductionStride();
        int off = f.metadataOffset();
        int[] op = outerPart(f);
        int[] gp = groupPart(f);
        boolean contiguous = ks == 1;
        int half = f.reductionExtent() / 2;
        for (int p = 0; p < outer; p++) {
            for (int g = 0; g < groups; g++) {
                int nibble = op[p] + gp[g];
                int code = getNibble(in, off, nibble);
                int i0 = code & 3;
                int i1 = code >> 2;
                if (i0 >= i1) {
                    throw corrupt(f, code, off + (nibble >> 1), p, 4 * g);
                }
                int v0 = contiguous ? p * half + 2 * g : (2 * g) * outer + p;
                int v1 = contiguous ? v0 + 1 : v0 + outer;
                int base = p * ps + 4 * g * ks;
                write(dense, base + i0 * ks, es, read(in, v0, es));
                write(dense, base + i1 * ks, es, read(in, v1, es));
            }
        }
    }

    // ------------------------------------------------------------------ kernels: FP32 1:2

    /**
     * FP32: one metadata nibble per pair, written twice: the first copy in the 16-bit layout with
     * pairs as groups; the second after it (clipped to the metadata region) in tiles of
     * 32 outer × 8 pairs, see {@link #fp32SecondCopyIndex}.
     */
    private static boolean compressFp32(CompressedFormat f, byte[] dense, byte[] out) {
        int outer = f.outerExtent();
        int pairs = f.reductionExtent() / 2;
        int ps = f.outerStride();
        int ks = f.reductionStride();
        boolean contiguous = ks == 1;
        int off = f.metadataOffset();
        int metaEnd = off + f.metadataBytes();
        int[] op = outerPart(f);
        int[] gp = groupPart(f);
        int firstCopyNibbles = 512 * ((outer + 63) / 64) * ((pairs + 7) / 8);
        boolean ok = true;
        for (int p = 0; p < outer; p++) {
            for (int g = 0; g < pairs; g++) {
                int base = p * ps + 2 * g * ks;
                int a = (int) INT_LE.get(dense, 4 * base);
                int b = (int) INT_LE.get(dense, 4 * (base + ks));
                if ((a & 0x7FFF_FFFF) != 0 && (b & 0x7FFF_FFFF) != 0) {
                    ok = false;
                }
                // cuSPARSELt flushes subnormals when it chooses: the non-zero one, else element 1
                int k = (b & 0x7F80_0000) != 0 || (a & 0x7F80_0000) == 0 ? 1 : 0;
                int x = k == 0 ? a : b;
                if ((x & 0x7F80_0000) != 0x7F80_0000) {
                    x += 0x1000;
                }
                int v = contiguous ? p * pairs + g : g * outer + p;
                INT_LE.set(out, 4 * v, x);
                int code = k == 0 ? FP32_CODE0 : FP32_CODE1;
                putNibble(out, off, op[p] + gp[g], code);
                int second = firstCopyNibbles + fp32SecondCopyIndex(p, g, outer);
                if (off + (second >> 1) < metaEnd) {
                    putNibble(out, off, second, code);
                }
            }
        }
        return ok;
    }

    /**
     * Nibble index of pair (p, g) in FP32's second metadata copy: tiles of 32 outer × 8 pairs
     * (256 nibbles); tiles are grouped by 4 along the outer dimension (fewer in the last group) and
     * by 2 along k; order, slowest first: k super-tile (16 pairs), outer group, k tile in the
     * super-tile, outer tile in the group.
     */
    static int fp32SecondCopyIndex(int p, int g, int outer) {
        int within = bit(g, 0) | bit(g, 1) << 1 | bit(p, 3) << 2 | bit(g, 2) << 3 | bit(p, 4) << 4
                | bit(p, 0) << 5 | bit(p, 1) << 6 | bit(p, 2) << 7;
        int outerTiles = (outer + 31) / 32;
        int tile = p >> 5;
        int group = tile / 4;
        int inGroup = tile % 4;
        int groupSize = Math.min(4, outerTiles - group * 4);
        int t = (g >> 4) * outerTiles * 2 + group * 8 + ((g >> 3) & 1) * groupSize + inGroup;
        return within + 256 * t;
    }

    private static void decompressFp32(CompressedFormat f, byte[] in, byte[] dense) {
        int outer = f.outerExtent();
        int pairs = f.reductionExtent() / 2;
        int ps = f.outerStride();
        int ks = f.reductionStride();
        boolean contiguous = ks == 1;
        int off = f.metadataOffset();
        int[] op = outerPart(f);
        int[] gp = groupPart(f);
        for (int p = 0; p < outer; p++) {
            for (int g = 0; g < pairs; g++) {
                int nibble = op[p] + gp[g];
                int code = getNibble(in, off, nibble);
                int k;
                if (code == FP32_CODE0) {
                    k = 0;
                } else if (code == FP32_CODE1) {
                    k = 1;
                } else {
                    throw corrupt(f, code, off + (nibble >> 1), p, 2 * g);
                }
                int v = contiguous ? p * pairs + g : g * outer + p;
                int x = (int) INT_LE.get(in, 4 * v);
                int exponent = x & 0x7F80_0000;
                if (exponent != 0x7F80_0000 || ((x & 0x7F_FFFF) != 0 && (x & 0x7F_FFFF) < 0x1000)) {
                    x -= 0x1000;
                }
                INT_LE.set(dense, 4 * (p * ps + (2 * g + k) * ks), x);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static int read(byte[] a, int element, int es) {
        switch (es) {
            case 4:
                return (int) INT_LE.get(a, element * 4);
            case 2:
                return (short) SHORT_LE.get(a, element * 2) & 0xFFFF;
            default:
                return a[element] & 0xFF;
        }
    }

    private static void write(byte[] a, int element, int es, int bits) {
        switch (es) {
            case 4:
                INT_LE.set(a, element * 4, bits);
                break;
            case 2:
                SHORT_LE.set(a, element * 2, (short) bits);
                break;
            default:
                a[element] = (byte) bits;
        }
    }

    private static IllegalArgumentException corrupt(CompressedFormat f, int code, int byteOffset, int p, int q) {
        int[] rc = rowCol(f, p, q);
        return new IllegalArgumentException("compressed buffer of " + f + ": invalid metadata code 0x"
                + Integer.toHexString(code) + " at byte offset " + byteOffset + " (group at row " + rc[0]
                + ", column " + rc[1] + ")");
    }

    /** (outer index, reduction index) to (row, column) of the stored matrix. */
    private static int[] rowCol(CompressedFormat f, int p, int q) {
        return f.groupsAlongColumns() ? new int[] {p, q} : new int[] {q, p};
    }

    /** Finds the first violating group in row-major order of the matrix and describes it. */
    private static IllegalArgumentException violation(CompressedFormat f, byte[] dense) {
        ElementType type = f.type();
        int es = type.byteSize();
        int size = f.type() == ElementType.FP32 ? 2 : 4;
        int allowed = size / 2;
        int outer = f.outerExtent();
        int groups = f.reductionExtent() / size;
        long first = Long.MAX_VALUE;
        int firstCount = 0;
        long violating = 0;
        for (int p = 0; p < outer; p++) {
            for (int g = 0; g < groups; g++) {
                int count = 0;
                for (int i = 0; i < size; i++) {
                    int idx = p * f.outerStride() + (g * size + i) * f.reductionStride();
                    if (type.isNonZero(read(dense, idx, es))) {
                        count++;
                    }
                }
                if (count > allowed) {
                    violating++;
                    int[] rc = rowCol(f, p, g * size);
                    long key = (long) rc[0] * f.cols() + rc[1];
                    if (key < first) {
                        first = key;
                        firstCount = count;
                    }
                }
            }
        }
        long row = first / f.cols();
        long col = first % f.cols();
        String along = f.groupsAlongColumns() ? "columns " + col + ".." + (col + size - 1) + " of row " + row
                : "rows " + row + ".." + (row + size - 1) + " of column " + col;
        return new IllegalArgumentException("matrix " + type + " " + f.rows() + "x" + f.cols() + " violates "
                + f.pattern() + ": the group at row " + row + ", column " + col + " (" + along + ") holds "
                + firstCount + " non-zeros, at most " + allowed + " allowed (" + violating
                + " violating group" + (violating == 1 ? "" : "s") + " in all)");
    }
}
