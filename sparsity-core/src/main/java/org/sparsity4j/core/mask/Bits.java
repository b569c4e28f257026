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

    /** Sets one bit atomically. */
    static void set(long[] words, int index) {
        WORDS.getAndBitwiseOr(words, index >>> 6, 1L << (index & 63));
    }

    static boolean get(long[] words, int index) {
        return (words[index >>> 6] & (1L << (index & 63))) != 0;
    }
}
