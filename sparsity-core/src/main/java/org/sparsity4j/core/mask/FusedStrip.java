package org.sparsity4j.core.mask;

import java.util.function.IntFunction;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Tensor;

/**
 * Single-pass strip kernels for the hardware patterns along a contiguous axis: each chunk is
 * bulk-read into a primitive array, and one loop computes keys, the keep choice, the zeroing, the
 * statistics and the mask bits. Used by {@link StripMasker} for magnitude masks of
 * 2:4 (every type) and 1:2 (FP32); the rules are exactly those of the general path.
 *
 * <p>Where {@link StripSimd} selects them, the SIMD kernels of {@link SimdStrip} run a chunk
 * instead (FP32, FP16, BF16); a chunk they decline (non-finite or huge values) runs here. When the
 * mask is applied to a tensor made on a Java array ({@link Tensor#array()}), along the contiguous
 * axis or along a strided axis, the SIMD kernels work on that array in place, and only the rest
 * of a chunk that is not a multiple of 64 elements goes through the chunk buffers.
 *
 * <p>Comparisons are arithmetic ({@code x >= y} as {@code (y - x - 1) >>> 31}, exact because keys
 * lie in {@code [0, 2^31)}): keep patterns of real weights are random, so branches would mispredict.
 */
final class FusedStrip {
    /** Elements per chunk: a multiple of 64, so chunks own whole mask words. */
    static final int CHUNK = 4096;
    private static final int MAX_KEY = Integer.MAX_VALUE;
    /** {@link #choose} of four equal keys: the first two kept, tied. */
    private static final int TIED_EQUAL = 0b0011 | 16;
    private static final int[][] KEY8 = new int[ElementType.values().length][];

    static {
        for (ElementType t : ElementType.values()) {
            if (t.byteSize() == 1) {
                int[] k = new int[256];
                for (int b = 0; b < 256; b++) {
                    k[b] = t.magnitudeKey(b);
                }
                KEY8[t.ordinal()] = k;
            }
        }
    }

    private FusedStrip() {
    }

    static boolean supports(ElementType type, SparsityPattern p) {
        return p.equals(SparsityPattern.TWO_OF_FOUR) || (p.equals(SparsityPattern.ONE_OF_TWO) && type == ElementType.FP32);
    }

    /**
     * Chunk buffers, used by one block at a time (see {@link ScratchPool}): lane j of a strided block
     * is row j; a contiguous chunk uses lane 0.
     */
    static final class Scratch {
        private final float[][] floats = new float[4][];
        private final short[][] shorts = new short[4][];
        private final byte[][] bytes = new byte[4][];
        private byte[] nibs;
        /** Mask bits of the SIMD kernels, per lane: bit k of lane j for element k of that lane. */
        final long[][] bits = new long[4][CHUNK / 64];
        /**
         * Sum of the elements the one-pass SIMD kernels read ahead ({@link SimdStrip#inPlace}):
         * stored only so that the compiler keeps those reads; never read.
         */
        long touched;
        /** First element of each row of a strided block worked on in place. */
        final int[] rows = new int[4];
        private final short[][] keep16 = new short[4][];
        private final int[][] keep32 = new int[4][];

        /**
         * FP32 elements of a chunk, per lane, with at least lanes {@code 0 .. lanes - 1} allocated (a
         * contiguous chunk needs one lane, a strided one M); each lane, like every buffer here, is
         * allocated on first use.
         */
        float[][] floats(int lanes) {
            return withLanes(floats, lanes, float[]::new);
        }

        /** FP16 and BF16 elements of a chunk, per lane, as {@link #floats(int)}. */
        short[][] shorts(int lanes) {
            return withLanes(shorts, lanes, short[]::new);
        }

        /** 8-bit elements of a chunk, per lane, as {@link #floats(int)}. */
        byte[][] bytes(int lanes) {
            return withLanes(bytes, lanes, byte[]::new);
        }

        /** Keep codes of the scalar kernels, one per group. */
        byte[] nibs() {
            if (nibs == null) {
                nibs = new byte[CHUNK];
            }
            return nibs;
        }

        /** Keep lanes (all ones = kept) of the SIMD kernels for 16-bit elements, as {@link #floats(int)}. */
        short[][] keep16(int lanes) {
            return withLanes(keep16, lanes, short[]::new);
        }

        /** As {@link #keep16(int)} for 32-bit elements. */
        int[][] keep32(int lanes) {
            return withLanes(keep32, lanes, int[]::new);
        }

        private static <T> T[] withLanes(T[] all, int lanes, IntFunction<T> make) {
            for (int j = 0; j < lanes; j++) {
                if (all[j] == null) {
                    all[j] = make.apply(CHUNK);
                }
            }
            return all;
        }
    }

    /**
     * Processes {@code count} groups of one block: group q's element j is at
     * {@code base + q * groupStride + j * elemStride}. Contiguous axis: groupStride = M,
     * elemStride = 1, and {@code base - origin} is a multiple of 64 (the block owns its mask words).
     * Strided axis: groupStride = 1 and elemStride = the axis stride (each lane is a run of one row).
     * Element e's mask bit is bit {@code e - origin} of {@code words} (the block's page of the mask,
     * {@link MaskWords}).
     */
    static void run(Tensor t, SparsityPattern p, int base, int count, int groupStride, int elemStride, boolean apply,
                    long[] words, int origin, MaskStats.Acc acc, Scratch s, boolean simd) {
        int m = p.m();
        boolean vector = simd && SimdStrip.supports(t.type(), m);
        boolean contiguous = elemStride == 1 && groupStride == m;
        int perChunk = CHUNK / m;
        // SIMD masking in place on the tensor's own array: no copy out and back
        Object array = vector && apply ? t.array().orElse(null) : null;
        for (int done = 0; done < count; done += perChunk) {
            int g = Math.min(perChunk, count - done);
            int at = base + done * groupStride;
            if (contiguous) {
                int direct = array == null ? 0 : SimdStrip.inPlaceLength(g * m);
                // the elements of this block after the run, which the kernel may read ahead
                int ahead = base + count * m - (at + direct);
                if (direct > 0 && SimdStrip.inPlace(t.type(), m, array, at, direct, ahead, s, acc)) {
                    Bits.storeRun(words, at - origin, direct, s.bits[0]);
                    if (direct == g * m) {
                        continue;
                    }
                    at += direct;
                    g -= direct / m;
                }
                transfer(t, at, g * m, 0, s, false);
                boolean simdDone = vector && SimdStrip.kernel(t.type(), m, g, s, true, acc);
                if (!simdDone) {
                    kernel(t.type(), m, g, s, true, acc);
                }
                if (apply) {
                    transfer(t, at, g * m, 0, s, true);
                }
                if (simdDone) {
                    Bits.storeRun(words, at - origin, g * m, s.bits[0]);
                } else {
                    pack(words, at - origin, g, m, s.nibs());
                }
            } else {
                int direct = array == null ? 0 : SimdStrip.inPlaceLength(g);
                if (direct > 0 && inPlaceStrided(t.type(), m, array, at, elemStride, direct, s, words, origin, acc)) {
                    if (direct == g) {
                        continue;
                    }
                    at += direct;
                    g -= direct;
                }
                gather(t, m, at, elemStride, g, s);
                boolean simdDone = vector && SimdStrip.kernel(t.type(), m, g, s, false, acc);
                if (!simdDone) {
                    kernel(t.type(), m, g, s, false, acc);
                }
                scatter(t, m, at, elemStride, g, s, apply, simdDone, words, origin);
            }
        }
        acc.elements += (long) count * m;
        acc.kept += (long) count * p.n();
        acc.groups += count;
    }

    // The loops over the M rows of a strided chunk live in these small methods, not in run: a loop of
    // run that counts M iterations per chunk overflows its back-edge counter early and makes the JIT
    // compile all of run again from that loop (on-stack replacement), once per such loop; measured in
    // benchmarks/RESULTS.md (the command line tool's start-up).

    /** The SIMD kernel in place on the rows of a strided chunk; false if it does not apply. */
    private static boolean inPlaceStrided(ElementType type, int m, Object array, int at, int elemStride, int g,
            Scratch s, long[] words, int origin, MaskStats.Acc acc) {
        for (int j = 0; j < m; j++) {
            s.rows[j] = at + j * elemStride;
        }
        if (!SimdStrip.inPlaceStrided(type, m, array, s.rows, g, s, acc)) {
            return false;
        }
        for (int j = 0; j < m; j++) {
            Bits.orBitRun(words, at + j * elemStride - origin, g, s.bits[j]);
        }
        return true;
    }

    /** Copies the M rows of a strided chunk into the lanes of the scratch buffers. */
    private static void gather(Tensor t, int m, int at, int elemStride, int g, Scratch s) {
        for (int j = 0; j < m; j++) {
            transfer(t, at + j * elemStride, g, j, s, false);
        }
    }

    /** Writes the masked lanes back into the M rows of a strided chunk (if applying) and sets their bits. */
    private static void scatter(Tensor t, int m, int at, int elemStride, int g, Scratch s, boolean apply,
            boolean simdDone, long[] words, int origin) {
        for (int j = 0; j < m; j++) {
            if (apply) {
                transfer(t, at + j * elemStride, g, j, s, true);
            }
            if (simdDone) {
                Bits.orBitRun(words, at + j * elemStride - origin, g, s.bits[j]);
            } else {
                Bits.orNibbleBit(words, at + j * elemStride - origin, g, s.nibs(), j);
            }
        }
    }

    /** Reads ({@code write == false}) or writes {@code len} elements at {@code at} into lane {@code lane}. */
    private static void transfer(Tensor t, int at, int len, int lane, Scratch s, boolean write) {
        switch (t.type().byteSize()) {
            case 4:
                if (write) {
                    t.writeFloats(at, s.floats(lane + 1)[lane], 0, len);
                } else {
                    t.readFloats(at, s.floats(lane + 1)[lane], 0, len);
                }
                break;
            case 2:
                if (write) {
                    t.writeShorts(at, s.shorts(lane + 1)[lane], 0, len);
                } else {
                    t.readShorts(at, s.shorts(lane + 1)[lane], 0, len);
                }
                break;
            default:
                if (write) {
                    t.writeBytes(at, s.bytes(lane + 1)[lane], 0, len);
                } else {
                    t.readBytes(at, s.bytes(lane + 1)[lane], 0, len);
                }
        }
    }

    /** Runs the loop for the type and layout on {@code g} groups; keep codes go to {@code s.nibs()}. */
    private static void kernel(ElementType type, int m, int g, Scratch s, boolean contiguous, MaskStats.Acc acc) {
        if (m == 4 && choose(1, 1, 1, 1, 1, 1) != TIED_EQUAL) {
            // one tied group per chunk, through the choose() the loops inline, so that the JIT's branch
            // profile has seen the tie branch taken: C2 then compiles that branch instead of a trap,
            // which at the first tied group of a real tensor would discard the compiled loop (about 30 ms
            // of recompilation in every short run); the check itself cannot fail
            throw new AssertionError("tie rule");
        }
        float[] table = Magnitudes.table(type);
        int step = contiguous ? m : 1;
        int l1 = contiguous ? 0 : 1;
        int l2 = contiguous ? 0 : 2;
        int l3 = contiguous ? 0 : 3;
        int b1 = contiguous ? 1 : 0;
        int b2 = contiguous ? 2 : 0;
        int b3 = contiguous ? 3 : 0;
        switch (type.byteSize()) {
            case 4: {
                float[][] f = s.floats(contiguous ? 1 : m);
                if (m == 2) {
                    fp32x12(f[0], f[l1], b1, step, g, s.nibs(), acc);
                } else {
                    fp32x24(f[0], f[l1], f[l2], f[l3], 0, b1, b2, b3, step, g, s.nibs(), acc);
                }
                break;
            }
            case 2: {
                short[][] h = s.shorts(contiguous ? 1 : 4);
                boolean fp16 = type == ElementType.FP16;
                half24(h[0], h[l1], h[l2], h[l3], 0, b1, b2, b3, step, g, s.nibs(), type.maxMagnitudeKey(),
                        fp16 ? 13 : 16, fp16 ? 0x1p112f : 1f, fp16 ? 0x7C00 : Integer.MAX_VALUE, table, acc);
                break;
            }
            default: {
                byte[][] v = s.bytes(contiguous ? 1 : 4);
                byte24(v[0], v[l1], v[l2], v[l3], 0, b1, b2, b3, step, g, s.nibs(), KEY8[type.ordinal()], table, acc);
            }
        }
    }

    /** Packs keep codes of a contiguous chunk (M bits per group) into its own mask words. */
    private static void pack(long[] words, int at, int groups, int m, byte[] nibs) {
        int word = at >>> 6;
        int perWord = 64 / m;
        for (int q = 0; q < groups; q += perWord) {
            long bits = 0;
            int end = Math.min(groups, q + perWord);
            for (int k = q; k < end; k++) {
                bits |= (long) nibs[k] << ((k - q) * m);
            }
            words[word++] = bits;
        }
    }

    /** Keep nibble of a 2:4 group: bit j set for the 2 largest keys, ties to the lower index. */
    private static int keep24(int a, int b, int c, int d) {
        int ab = (b - a - 1) >>> 31; // a beats b
        int ac = (c - a - 1) >>> 31;
        int ad = (d - a - 1) >>> 31;
        int bc = (c - b - 1) >>> 31;
        int bd = (d - b - 1) >>> 31;
        int cd = (d - c - 1) >>> 31;
        int ra = 3 - ab - ac - ad;
        int rb = 2 + ab - bc - bd;
        int rc = 1 + ac + bc - cd;
        int rd = ad + bd + cd;
        return ((ra - 2) >>> 31) | (((rb - 2) >>> 31) << 1) | (((rc - 2) >>> 31) << 2) | (((rd - 2) >>> 31) << 3);
    }

    /**
     * Keep nibble of a 2:4 group from its keys and its second and third largest keys, plus 16 when the
     * tie rule decided (the two are equal; rare in real weights, so the branch predicts well);
     * otherwise the keep set is the two keys above the third largest.
     */
    private static int choose(int a, int b, int c, int d, int s2, int s3) {
        if (s2 == s3) {
            return keep24(a, b, c, d) | 16;
        }
        return ((s3 - a) >>> 31) | (((s3 - b) >>> 31) << 1) | (((s3 - c) >>> 31) << 2) | (((s3 - d) >>> 31) << 3);
    }

    private static int nz(int k) {
        return (k | -k) >>> 31;
    }

    private static void fp32x24(float[] v0, float[] v1, float[] v2, float[] v3, int b0, int b1, int b2, int b3,
            int step, int groups, byte[] nibs, MaskStats.Acc acc) {
        double total = 0;
        double kept = 0;
        long tied = 0;
        long zero = 0;
        long under = 0;
        long over = 0;
        for (int q = 0; q < groups; q++) {
            int i0 = b0 + q * step;
            int i1 = b1 + q * step;
            int i2 = b2 + q * step;
            int i3 = b3 + q * step;
            int x0 = Float.floatToRawIntBits(v0[i0]);
            int x1 = Float.floatToRawIntBits(v1[i1]);
            int x2 = Float.floatToRawIntBits(v2[i2]);
            int x3 = Float.floatToRawIntBits(v3[i3]);
            int a = Math.min(x0 & 0x7FFF_FFFF, 0x7F80_0001);
            int b = Math.min(x1 & 0x7FFF_FFFF, 0x7F80_0001);
            int c = Math.min(x2 & 0x7FFF_FFFF, 0x7F80_0001);
            int d = Math.min(x3 & 0x7FFF_FFFF, 0x7F80_0001);
            int hi = Math.min(Math.max(a, b), Math.max(c, d)); // the four keys sorted: s1 >= s2 >= s3 >= s4
            int lo = Math.max(Math.min(a, b), Math.min(c, d));
            int s1 = Math.max(Math.max(a, b), Math.max(c, d));
            int s2 = Math.max(hi, lo);
            int s3 = Math.min(hi, lo);
            int nib = choose(a, b, c, d, s2, s3);
            tied += nib >>> 4;
            nib &= 15;
            v0[i0] = Float.intBitsToFloat(x0 & -(nib & 1));
            v1[i1] = Float.intBitsToFloat(x1 & -((nib >>> 1) & 1));
            v2[i2] = Float.intBitsToFloat(x2 & -((nib >>> 2) & 1));
            v3[i3] = Float.intBitsToFloat(x3 & -(nib >>> 3));
            float ma = Float.intBitsToFloat(a);
            float mb = Float.intBitsToFloat(b);
            float mc = Float.intBitsToFloat(c);
            float md = Float.intBitsToFloat(d);
            float g = (ma + mb) + (mc + md);
            if (Float.isFinite(g)) {
                total += g;
                kept += Float.intBitsToFloat(s1) + Float.intBitsToFloat(s2);
            } else {
                slow(new int[] {a, b, c, d}, nib, null, acc);
            }
            zero += (s1 - 1) >>> 31;
            under += (s2 - 1) >>> 31;
            over += (-s3) >>> 31;
            nibs[q] = (byte) nib;
        }
        add(acc, total, kept, tied, zero, under, over);
    }

    private static void fp32x12(float[] v0, float[] v1, int b1, int step, int groups, byte[] nibs,
                                MaskStats.Acc acc) {
        double total = 0;
        double kept = 0;
        long tied = 0;
        long zero = 0;
        long over = 0;
        for (int q = 0; q < groups; q++) {
            int i0 = q * step;
            int i1 = b1 + q * step;
            int x0 = Float.floatToRawIntBits(v0[i0]);
            int x1 = Float.floatToRawIntBits(v1[i1]);
            int a = Math.min(x0 & 0x7FFF_FFFF, 0x7F80_0001);
            int b = Math.min(x1 & 0x7FFF_FFFF, 0x7F80_0001);
            int first = (b - a - 1) >>> 31; // a >= b: ties keep the lower index
            v0[i0] = Float.intBitsToFloat(x0 & -first);
            v1[i1] = Float.intBitsToFloat(x1 & (first - 1));
            tied += ((a ^ b) - 1) >>> 31;
            float g = Float.intBitsToFloat(a) + Float.intBitsToFloat(b);
            int code = 2 - first; // bit 0: first kept, bit 1: second kept
            if (Float.isFinite(g)) {
                total += g;
                kept += Float.intBitsToFloat((a & -first) | (b & (first - 1)));
            } else {
                slow(new int[] {a, b}, code, null, acc);
            }
            zero += (nz(a) + nz(b) - 1) >>> 31;
            over += nz(a) & nz(b);
            nibs[q] = (byte) code;
        }
        add(acc, total, kept, tied, zero, zero, over);
    }

    /**
     * The magnitude of a finite FP16 ({@code shift} 13, {@code scale} 2^112) or BF16 ({@code shift} 16,
     * {@code scale} 1) key, exactly the value of {@link Magnitudes#table}: the key's bits moved to a
     * float's exponent and mantissa, then scaled by a power of two (exact, subnormals included).
     */
    static float magnitude16(int key, int shift, float scale) {
        return Float.intBitsToFloat(key << shift) * scale;
    }

    private static void half24(short[] v0, short[] v1, short[] v2, short[] v3, int b0, int b1, int b2, int b3,
            int step, int groups, byte[] nibs, int cap, int shift, float scale, int finite, float[] table,
            MaskStats.Acc acc) {
        double total = 0;
        double kept = 0;
        long tied = 0;
        long zero = 0;
        long under = 0;
        long over = 0;
        for (int q = 0; q < groups; q++) {
            int i0 = b0 + q * step;
            int i1 = b1 + q * step;
            int i2 = b2 + q * step;
            int i3 = b3 + q * step;
            int x0 = v0[i0];
            int x1 = v1[i1];
            int x2 = v2[i2];
            int x3 = v3[i3];
            int a = Math.min(x0 & 0x7FFF, cap);
            int b = Math.min(x1 & 0x7FFF, cap);
            int c = Math.min(x2 & 0x7FFF, cap);
            int d = Math.min(x3 & 0x7FFF, cap);
            int hi = Math.min(Math.max(a, b), Math.max(c, d)); // the four keys sorted: s1 >= s2 >= s3 >= s4
            int lo = Math.max(Math.min(a, b), Math.min(c, d));
            int s1 = Math.max(Math.max(a, b), Math.max(c, d));
            int s2 = Math.max(hi, lo);
            int s3 = Math.min(hi, lo);
            int nib = choose(a, b, c, d, s2, s3);
            tied += nib >>> 4;
            nib &= 15;
            v0[i0] = (short) (x0 & -(nib & 1));
            v1[i1] = (short) (x1 & -((nib >>> 1) & 1));
            v2[i2] = (short) (x2 & -((nib >>> 2) & 1));
            v3[i3] = (short) (x3 & -(nib >>> 3));
            float ma = magnitude16(a, shift, scale);
            float mb = magnitude16(b, shift, scale);
            float mc = magnitude16(c, shift, scale);
            float md = magnitude16(d, shift, scale);
            float g = (ma + mb) + (mc + md);
            if (s1 < finite && Float.isFinite(g)) {
                total += g;
                kept += magnitude16(s1, shift, scale) + magnitude16(s2, shift, scale);
            } else {
                slow(new int[] {a, b, c, d}, nib, table, acc);
            }
            zero += (s1 - 1) >>> 31;
            under += (s2 - 1) >>> 31;
            over += (-s3) >>> 31;
            nibs[q] = (byte) nib;
        }
        add(acc, total, kept, tied, zero, under, over);
    }

    /*
     * byte24 repeats half24 for byte[] lanes on purpose: widening 8-bit chunks into the 16-bit
     * lanes to share one loop (with a key table for 8-bit types) measured 15-30% slower for INT8
     * (8192x8192, one thread: 488-553 ms against 417-423 ms). The lines that sort the four keys and
     * choose are the same in fp32x24, half24 and byte24 for the same reason: each loop stays on its
     * own array type, and the sorted keys (s1, s2, s3) feed type-specific sums in the same iteration.
     */
    private static void byte24(byte[] v0, byte[] v1, byte[] v2, byte[] v3, int b0, int b1, int b2, int b3,
            int step, int groups, byte[] nibs, int[] keyOf, float[] table, MaskStats.Acc acc) {
        double total = 0;
        double kept = 0;
        long tied = 0;
        long zero = 0;
        long under = 0;
        long over = 0;
        for (int q = 0; q < groups; q++) {
            int i0 = b0 + q * step;
            int i1 = b1 + q * step;
            int i2 = b2 + q * step;
            int i3 = b3 + q * step;
            int x0 = v0[i0];
            int x1 = v1[i1];
            int x2 = v2[i2];
            int x3 = v3[i3];
            int a = keyOf[x0 & 0xFF];
            int b = keyOf[x1 & 0xFF];
            int c = keyOf[x2 & 0xFF];
            int d = keyOf[x3 & 0xFF];
            int hi = Math.min(Math.max(a, b), Math.max(c, d)); // the four keys sorted: s1 >= s2 >= s3 >= s4
            int lo = Math.max(Math.min(a, b), Math.min(c, d));
            int s1 = Math.max(Math.max(a, b), Math.max(c, d));
            int s2 = Math.max(hi, lo);
            int s3 = Math.min(hi, lo);
            int nib = choose(a, b, c, d, s2, s3);
            tied += nib >>> 4;
            nib &= 15;
            v0[i0] = (byte) (x0 & -(nib & 1));
            v1[i1] = (byte) (x1 & -((nib >>> 1) & 1));
            v2[i2] = (byte) (x2 & -((nib >>> 2) & 1));
            v3[i3] = (byte) (x3 & -(nib >>> 3));
            float ma = table[a];
            float mb = table[b];
            float mc = table[c];
            float md = table[d];
            float g = (ma + mb) + (mc + md);
            if (Float.isFinite(g)) {
                total += g;
                kept += table[s1] + table[s2];
            } else {
                slow(new int[] {a, b, c, d}, nib, table, acc);
            }
            zero += (s1 - 1) >>> 31;
            under += (s2 - 1) >>> 31;
            over += (-s3) >>> 31;
            nibs[q] = (byte) nib;
        }
        add(acc, total, kept, tied, zero, under, over);
    }

    /** Exact statistics of a group with a non-finite value (or a float overflow). */
    private static void slow(int[] keys, int nib, float[] table, MaskStats.Acc acc) {
        for (int j = 0; j < keys.length; j++) {
            float mag = Magnitudes.of(table, keys[j]);
            if (Float.isNaN(mag)) {
                acc.nonFinite++;
            } else {
                acc.total += mag;
                acc.keptSum += ((nib >>> j) & 1) != 0 ? mag : 0;
            }
        }
    }

    private static void add(MaskStats.Acc acc, double total, double kept, long tied, long zero, long under,
                            long over) {
        acc.total += total;
        acc.keptSum += kept;
        acc.tied += tied;
        acc.zeroGroups += zero;
        acc.underfilled += under;
        acc.overfilled += over;
    }
}
