package org.sparsity4j.core.mask;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparsity4j.core.tensor.Shape;

/**
 * Mask-word packing at the end of the largest tensor: the last word of a run may end at bit 2^31,
 * past {@code int} (the words array of such a mask is 256 MiB).
 */
class BitsTest {
    private static final int SIZE = (int) Shape.MAX_ELEMENTS & -4; // 2^31 - 12

    @Test
    void runsThatEndInTheLastWordKeepTheirBits() {
        long[] words = new long[(SIZE + 63) >>> 6];
        int start = SIZE - 100;
        byte[] flags = new byte[100];
        long[] src = new long[2];
        for (int k = 0; k < 100; k++) {
            flags[k] = (byte) (k % 3 == 0 ? 1 : 0);
            if (k % 3 == 0) {
                src[k >>> 6] |= 1L << (k & 63);
            }
        }
        Bits.orRun(words, start, 100, flags, 0, 1);
        assertRun(words, start, 100, "orRun");
        java.util.Arrays.fill(words, words.length - 3, words.length, 0);
        Bits.orBitRun(words, start, 100, src);
        assertRun(words, start, 100, "orBitRun");
    }

    private static void assertRun(long[] words, int start, int len, String what) {
        for (int k = 0; k < len; k++) {
            assertEquals(k % 3 == 0, Bits.get(words, start + k), what + ": bit " + (start + k));
        }
        assertEquals(0, words[words.length - 1] >>> ((SIZE & 63)), what + ": no bit past the end");
    }
}
