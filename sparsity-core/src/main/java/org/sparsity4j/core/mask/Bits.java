package org.sparsity4j.core.mask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Packing keep flags into mask words; words at the edges of a run are OR-ed atomically. */
final class Bits {
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

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
            int to = Math.min(endBit, (w + 1) << 6);
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
        int endBit = startBit + len;
        int firstWord = startBit >>> 6;
        int lastWord = (endBit - 1) >>> 6;
        int k = 0;
        for (int w = firstWord; w <= lastWord; w++) {
            int from = Math.max(startBit, w << 6);
            int to = Math.min(endBit, (w + 1) << 6);
            long acc = 0;
            for (int b = from; b < to; b++, k++) {
                acc |= (long) ((codes[k] >>> lane) & 1) << (b & 63);
            }
            if (w == firstWord || w == lastWord) {
                WORDS.getAndBitwiseOr(words, w, acc);
            } else {
                words[w] = acc;
            }
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
            int to = Math.min(endBit, (w + 1) << 6) - (w << 6);
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
