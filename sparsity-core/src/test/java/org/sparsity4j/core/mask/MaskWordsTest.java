package org.sparsity4j.core.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.testutil.Gen;

class MaskWordsTest {

    /** Units of the masker's plans: block spans (contiguous) and M-row groups with odd row lengths (strided). */
    private static final long[] UNITS = {16384, 16380, 4 * 600, 4 * 301, 2 * 33333, 8 * 3, 1, 1 << 20, 3 << 19};

    @Test
    void pagesAreWholeUnitsAndWholeWords() {
        for (long unit : UNITS) {
            for (int size : new int[] {1, 63, 64, 100_000, 524_288, 524_289, 3_000_000, 40_000_001}) {
                MaskWords w = MaskWords.paged(size, unit);
                int last = w.pageOf(size - 1);
                if (last == 0) {
                    assertEquals(0, w.origin(0));
                    continue;
                }
                int perPage = w.origin(1);
                String at = "unit " + unit + ", size " + size;
                assertEquals(0, perPage % 64, at + ": page of " + perPage + " elements");
                assertEquals(0, perPage % unit, at + ": page of " + perPage + " elements");
                assertTrue(perPage >= MaskWords.TARGET_PAGE_ELEMENTS, at);
                for (int p = 0; p <= last; p++) {
                    assertEquals((long) p * perPage, w.origin(p), at);
                    assertEquals(p, w.pageOf(w.origin(p)), at);
                    if (p > 0) {
                        assertEquals(p - 1, w.pageOf(w.origin(p) - 1), at);
                    }
                }
                // the last page holds the words left over, no more
                assertEquals((int) ((size + 63L) / 64) - last * (perPage / 64), w.page(last).length, at);
            }
        }
    }

    @Test
    void pageArithmeticHoldsNearTheLargestTensor() {
        int size = Integer.MAX_VALUE - 5; // only the page table is allocated
        MaskWords w = MaskWords.paged(size, 16384);
        int last = w.pageOf(size - 1);
        assertTrue(w.origin(last) > 0 && w.origin(last) <= size - 1, "origin " + w.origin(last));
        assertTrue(size - 1 - w.origin(last) < w.origin(1), "last element inside the last page");
        MaskWords odd = MaskWords.paged(size, 4L * 536_870_911); // a unit above the size: one page
        assertEquals(0, odd.pageOf(size - 1));
    }

    @Test
    void bitsReadBackAcrossPagesAsOneFlatArray() {
        for (long unit : UNITS) {
            SplittableRandom r = Gen.random("mask-words", unit);
            int size = 1_200_000 + r.nextInt(64);
            MaskWords paged = MaskWords.paged(size, unit);
            long[] flat = new long[(size + 63) / 64];
            for (int k = 0; k < 20_000; k++) {
                int e = r.nextInt(size);
                flat[e >>> 6] |= 1L << e;
                int p = paged.pageOf(e);
                Bits.set(paged.page(p), e - paged.origin(p));
            }
            String at = Gen.seedOf("mask-words", unit) + " unit " + unit;
            assertArrayEquals(flat, paged.toWords(), at);
            MaskWords single = MaskWords.single(flat.clone(), size);
            assertTrue(paged.sameBits(single) && single.sameBits(paged), at);
            assertEquals(Arrays.hashCode(flat), paged.bitsHash(), at);
            assertEquals(Arrays.hashCode(flat), single.bitsHash(), at);
            assertEquals(Arrays.stream(flat).map(Long::bitCount).sum(), paged.count(), at);
            for (int k = 0; k < 2_000; k++) {
                int e = r.nextInt(size);
                assertEquals((flat[e >>> 6] >>> e & 1) != 0, paged.get(e), at + " element " + e);
            }
            // flags over runs that start and end anywhere, across page edges
            byte[] flags = new byte[5000];
            for (int p = 1; p <= paged.pageOf(size - 1); p++) {
                int start = paged.origin(p) - 1 - r.nextInt(100);
                int n = Math.min(flags.length, size - start);
                paged.flags(start, n, flags);
                for (int k = 0; k < n; k++) {
                    assertEquals(flat[(start + k) >>> 6] >>> (start + k) & 1, flags[k], at + " flag " + (start + k));
                }
            }
            flat[flat.length - 1] ^= 1L << ((size - 1) & 63);
            assertFalse(paged.sameBits(MaskWords.single(flat, size)), at + ": the last bit differs");
        }
    }

    @Test
    void pagesNeverWrittenReadAsZero() {
        MaskWords w = MaskWords.paged(3_000_000, 16384);
        assertEquals(0, w.count());
        assertFalse(w.get(2_999_999));
        assertArrayEquals(new long[(3_000_000 + 63) / 64], w.toWords());
        assertTrue(w.sameBits(MaskWords.single(new long[(3_000_000 + 63) / 64], 3_000_000)));
    }

    @Test
    void threadsAskingForOnePageAtOnceGetTheSameArray() throws Exception {
        for (int round = 0; round < 50; round++) {
            MaskWords w = MaskWords.paged(4_000_000, 16384);
            int threads = 4;
            long[][] got = new long[threads][];
            CountDownLatch go = new CountDownLatch(1);
            Thread[] ts = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                int k = i;
                ts[i] = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    got[k] = w.page(3);
                    Bits.set(got[k], k);
                });
                ts[i].start();
            }
            go.countDown();
            for (Thread t : ts) {
                t.join();
            }
            for (int i = 1; i < threads; i++) {
                assertTrue(got[0] == got[i], "round " + round + ": thread " + i + " got another page");
            }
            assertEquals(0b1111, w.page(3)[0], "round " + round + ": every thread's bit in the one page");
        }
    }

    @Test
    void emptyMasksAndEmptyUnitsHaveOnePage() {
        for (long[] c : new long[][] {{0, 0}, {0, 16384}, {5, 0}, {0, -1}}) {
            MaskWords w = MaskWords.paged((int) c[0], c[1]);
            String at = "size " + c[0] + ", unit " + c[1];
            assertEquals(0, w.count(), at);
            assertEquals((c[0] + 63) / 64, w.toWords().length, at);
            assertEquals((c[0] + 63) / 64, w.page(0).length, at);
        }
    }

    @Test
    void aSinglePageMustFitTheSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskWords.single(new long[2], 64));
        assertTrue(e.getMessage().contains("64 elements need 1 mask words, got 2"), e.getMessage());
        assertEquals(0, MaskWords.single(new long[0], 0).count());
    }
}
