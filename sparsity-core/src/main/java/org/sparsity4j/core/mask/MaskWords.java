package org.sparsity4j.core.mask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The bits of a {@link Mask}, one per element (element i is bit {@code i & 63} of word
 * {@code i >> 6} of the flat bit array), held in pages of whole words.
 *
 * <p>A {@link StripMasker} mask is written in pages that each thread allocates when it first
 * reaches them ({@link #page}): a single array for the whole tensor would be zeroed by the calling
 * thread alone before the work starts (8 MiB for an 8192 × 8192 tensor: 1.0–1.6 ms on the two-core
 * benchmark VM while the other thread waited, against 14 ms for the masking itself;
 * benchmarks/RESULTS.md), whereas each page is zeroed by the thread that fills it, just before it
 * does. Pages are whole multiples of a
 * unit that no block of the masker crosses, so every block writes into one page, with the bit
 * offsets of {@link Bits} counted from the page's first element ({@link #origin}).
 *
 * <p>Complete once the masker's blocks have run (their fork-join gives the caller every page and
 * every bit); not changed afterwards. Other masks ({@link TileMasker},
 * {@link Mask#fromBitWords}) use one page ({@link #single}).
 */
final class MaskWords {
    private static final VarHandle PAGES = MethodHandles.arrayElementVarHandle(long[][].class);
    /** Smallest page, in elements, when the tensor has more (64 KiB of words). */
    static final int TARGET_PAGE_ELEMENTS = 1 << 19;

    private final int size;
    private final int wordsPerPage;
    private final long[][] pages;
    /**
     * For {@link #word}: word w is word {@code w & offsetMask} of page {@code w >>> pageShift} where
     * that holds (one page, or pages of a power of two of words), else {@code pageShift} is -1 and
     * a division finds the page. {@link Mask#isKept} in a loop over a whole tensor took 3.5 ns per
     * element with the division alone, 1.6 ns with a single array (benchmarks/RESULTS.md).
     */
    private final int pageShift;
    private final int offsetMask;

    private MaskWords(int size, int wordsPerPage, long[][] pages) {
        this.size = size;
        this.wordsPerPage = wordsPerPage;
        this.pages = pages;
        if (pages.length == 1) {
            pageShift = 31; // every word index is below 2^26
            offsetMask = Integer.MAX_VALUE;
        } else if (Integer.bitCount(wordsPerPage) == 1) {
            pageShift = Integer.numberOfTrailingZeros(wordsPerPage);
            offsetMask = wordsPerPage - 1;
        } else {
            pageShift = -1;
            offsetMask = 0;
        }
    }

    /** The bits of {@code size} elements in one array (taken, not copied) of {@code ceil(size / 64)} words. */
    static MaskWords single(long[] words, int size) {
        int need = words(size);
        if (words.length != need) {
            throw new IllegalArgumentException(size + " elements need " + need + " mask words, got " + words.length);
        }
        return new MaskWords(size, Math.max(1, need), new long[][] {words});
    }

    /**
     * Empty bits for {@code size} elements in pages of a whole number of {@code unit} elements (and
     * of words), at least {@link #TARGET_PAGE_ELEMENTS} where the tensor has more; allocated by
     * {@link #page} on first use. A unit of {@code size} or more (or a non-positive one) gives one page.
     */
    static MaskWords paged(int size, long unit) {
        long page = unit <= 0 ? size : unit * (64 / gcd(unit, 64));
        if (page > 0 && page < TARGET_PAGE_ELEMENTS) {
            page *= (TARGET_PAGE_ELEMENTS + page - 1) / page;
        }
        int total = words(size);
        if (page <= 0 || page >= size) {
            return new MaskWords(size, Math.max(1, total), new long[1][]);
        }
        int perPage = (int) (page >>> 6);
        return new MaskWords(size, perPage, new long[(total + perPage - 1) / perPage][]);
    }

    private static int words(int size) {
        return (int) ((size + 63L) >>> 6);
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long r = a % b;
            a = b;
            b = r;
        }
        return a;
    }

    /** The index of the page that holds element {@code element}. */
    int pageOf(int element) {
        return (element >>> 6) / wordsPerPage;
    }

    /** The first element of page {@code p}: bit offsets into that page count from here. */
    int origin(int p) {
        return p * wordsPerPage << 6; // below 2^31: the page exists, so its first element does
    }

    /**
     * The words of page {@code p}, allocated (zeroed) by the first thread that asks; safe to call
     * from several threads at once.
     */
    long[] page(int p) {
        long[] w = (long[]) PAGES.getAcquire(pages, p);
        if (w != null) {
            return w;
        }
        int first = p * wordsPerPage;
        long[] fresh = new long[Math.min(wordsPerPage, words(size) - first)];
        long[] won = (long[]) PAGES.compareAndExchangeRelease(pages, p, null, fresh);
        return won == null ? fresh : won;
    }

    /** Word {@code w} of the flat bit array (0 where no page was written). */
    long word(int w) {
        long[] pg;
        int at;
        if (pageShift >= 0) {
            pg = pages[w >>> pageShift];
            at = w & offsetMask;
        } else {
            int p = w / wordsPerPage;
            pg = pages[p];
            at = w - p * wordsPerPage;
        }
        return pg == null ? 0 : pg[at];
    }

    /** Whether element {@code index} is kept. */
    boolean get(int index) {
        return (word(index >>> 6) & (1L << (index & 63))) != 0;
    }

    /** Number of set bits. */
    long count() {
        long c = 0;
        for (long[] pg : pages) {
            if (pg != null) {
                for (long w : pg) {
                    c += Long.bitCount(w);
                }
            }
        }
        return c;
    }

    /** The flat bit array, in a new array. */
    long[] toWords() {
        long[] all = new long[words(size)];
        for (int p = 0; p < pages.length; p++) {
            if (pages[p] != null) {
                System.arraycopy(pages[p], 0, all, p * wordsPerPage, pages[p].length);
            }
        }
        return all;
    }

    /**
     * Sets {@code flags[k]} to 1 where element {@code start + k} is kept and to 0 where it is not,
     * for {@code k < n}.
     */
    void flags(int start, int n, byte[] flags) {
        int k = 0;
        while (k < n) {
            int w = (start + k) >>> 6;
            long word = word(w);
            int end = (int) Math.min(n, (((long) w + 1) << 6) - start); // the elements of word w
            for (; k < end; k++) {
                flags[k] = (byte) ((word >>> ((start + k) & 63)) & 1);
            }
        }
    }

    /** Whether both hold the same bits (pages may differ). */
    boolean sameBits(MaskWords o) {
        if (size != o.size) {
            return false;
        }
        int total = words(size);
        for (int w = 0; w < total; w++) {
            if (word(w) != o.word(w)) {
                return false;
            }
        }
        return true;
    }

    /** A hash of the bits alone, as {@link java.util.Arrays#hashCode(long[])} of the flat array. */
    int bitsHash() {
        int h = 1;
        int total = words(size);
        for (int w = 0; w < total; w++) {
            long x = word(w);
            h = 31 * h + (int) (x ^ (x >>> 32));
        }
        return h;
    }
}
