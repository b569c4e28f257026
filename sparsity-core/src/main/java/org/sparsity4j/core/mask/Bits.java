package org.sparsity4j.core.mask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Packing keep flags into mask words; words at the edges of a run are OR-ed atomically. */
final class Bits {
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle CODES = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Bits() {
    }

    /**
     * Sets bit {@code startBit + k} for every {@code k < len} with a non-zero flag at
     * {@code flags[off + k * stride]}. Runs of different threads never share interior words,
     * only edge words, which are OR-ed atomically.
     */
    static void orRun(long[] words, int startBit, int len, byte[] flags, int off, int stride) {
        if (len <= 0) {
            return;
        }
        int endBit = startBit + len; // exclusive
        int firstWord = startBit >>> 6;
        int lastWord = (endBit - 1) >>> 6;
        int f = off;
        int bit = startBit;
        for (int w = firstWord; w <= lastWord; w++) {
            int from = Math.max(bit, w << 6);
            int to = (int) Math.min(endBit, ((long) w + 1) << 6); // long: the last word may end at 2^31
            long acc = 0;
            for (int b = from; b < to; b++, f += stride) {
                acc |= (long) ((flags[f] | -flags[f]) >>> 31) << (b & 63);
            }
            bit = to;
            if (w == firstWord || w == lastWord) { // edge words may be shared with a neighbouring run
                WORDS.getAndBitwiseOr(words, w, acc);
            } else {
                words[w] = acc;
            }
        }
    }

    /**
     * Sets bit {@code startBit + k} for every {@code k < len} whose code {@code codes[k]} has bit
     * {@code lane} set; edge words are OR-ed atomically as in {@link #orRun}.
     */
    static void orNibbleBit(long[] words, int startBit, int len, byte[] codes, int lane) {
        if (len <= 0) {
            return;
        }
        int off = startBit & 63;
        int firstWord = startBit >>> 6;
        int lastWord = (startBit + len - 1) >>> 6;
        int w = firstWord;
        long carry = 0; // bits of the previous 64 codes that belong to word w
        for (int k = 0; k < len; k += 64) {
            long v = laneBits(codes, k, Math.min(64, len - k), lane);
            storeWord(words, w, carry | (v << off), w == firstWord || w == lastWord);
            carry = off == 0 ? 0 : v >>> (64 - off);
            w++;
        }
        if (w <= lastWord) {
            storeWord(words, w, carry, true);
        }
    }

    /** Bit i of the result: bit {@code lane} of {@code codes[k + i]}, for {@code i < n <= 64}. */
    private static long laneBits(byte[] codes, int k, int n, int lane) {
        long r = 0;
        if (n == 64) {
            for (int i = 0; i < 8; i++) {
                // bit `lane` of each of 8 codes to bits 0, 8, .., 56, then gathered into bits 56..63
                long x = ((long) CODES.get(codes, k + 8 * i) >>> lane) & 0x0101_0101_0101_0101L;
                r |= ((x * 0x0102_0408_1020_4080L) >>> 56) << (8 * i);
            }
        } else {
            for (int i = 0; i < n; i++) {
                r |= (long) ((codes[k + i] >>> lane) & 1) << i;
            }
        }
        return r;
    }

    private static void storeWord(long[] words, int w, long bits, boolean edge) {
        if (edge) {
            WORDS.getAndBitwiseOr(words, w, bits);
        } else {
            words[w] = bits;
        }
    }

    /**
     * Stores bits {@code 0 .. len-1} of {@code src} (64 per word) at {@code startBit}, a multiple
     * of 64, into words owned by the caller's run (plain stores); bits of {@code src} past
     * {@code len} are ignored.
     */
    static void storeRun(long[] words, int startBit, int len, long[] src) {
        int first = startBit >>> 6;
        int full = len >>> 6;
        System.arraycopy(src, 0, words, first, full);
        int rest = len & 63;
        if (rest != 0) {
            words[first + full] = src[full] & ((1L << rest) - 1);
        }
    }

    /**
     * ORs bits {@code 0 .. len-1} of {@code src} (64 per word) into the run of {@code len} bits at
     * {@code startBit}; bits of {@code src} past {@code len} are ignored. Interior words are stored,
     * edge words OR-ed atomically as in {@link #orRun}.
     */
    static void orBitRun(long[] words, int startBit, int len, long[] src) {
        if (len <= 0) {
            return;
        }
        int endBit = startBit + len;
        int firstWord = startBit >>> 6;
        int lastWord = (endBit - 1) >>> 6;
        int shift = startBit & 63;
        int srcWords = (len + 63) >>> 6;
        for (int w = firstWord; w <= lastWord; w++) {
            int j = w - firstWord; // destination bits shift.. of word w are source word j's low bits
            long acc = j < srcWords ? src[j] << shift : 0;
            if (shift != 0 && j > 0) {
                acc |= src[j - 1] >>> (64 - shift);
            }
            int from = Math.max(startBit, w << 6) - (w << 6);
            int to = (int) Math.min(endBit, ((long) w + 1) << 6) - (w << 6); // long, as in orRun
            acc &= (to == 64 ? -1L : (1L << to) - 1) & (-1L << from);
            if (w == firstWord || w == lastWord) {
                WORDS.getAndBitwiseOr(words, w, acc);
            } else {
                words[w] = acc;
            }
        }
    }

    /** Sets one bit atomically. */
    static void set(long[] words, int index) {
        WORDS.getAndBitwiseOr(words, index >>> 6, 1L << (index & 63));
    }

    static boolean get(long[] words, int index) {
        return (words[index >>> 6] & (1L << (index & 63))) != 0;
    }
}
