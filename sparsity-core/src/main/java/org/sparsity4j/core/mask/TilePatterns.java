package org.sparsity4j.core.mask;

/**
 * The 90 4×4 keep-patterns with exactly 2 kept per row and 2 per column, in a fixed order: each
 * row r picks one of the six pairs {@code (0,1) (0,2) (0,3) (1,2) (1,3) (2,3)} (pair index
 * {@code p_r}), and patterns are ordered lexicographically by {@code (p_0, p_1, p_2, p_3)}.
 * When several patterns keep the same sum (exactly: {@link TileMasker} compares the real-number
 * sums, see {@link TileSums}), the first in this order wins — for a single row this is the strip
 * rule "ties go to the lower index".
 */
final class TilePatterns {
    /** Columns of each pair index. */
    static final int[][] PAIRS = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};
    /** Pair index per row for each pattern: {@code ROWS[pattern * 4 + r]}. */
    static final int[] ROWS;
    /** 16-bit kept mask per pattern: bit {@code r * 4 + c}. */
    static final int[] MASKS;
    static final int COUNT;

    static {
        int[] rows = new int[6 * 6 * 6 * 6 * 4];
        int[] masks = new int[6 * 6 * 6 * 6];
        int n = 0;
        for (int p0 = 0; p0 < 6; p0++) {
            for (int p1 = 0; p1 < 6; p1++) {
                for (int p2 = 0; p2 < 6; p2++) {
                    for (int p3 = 0; p3 < 6; p3++) {
                        int[] ps = {p0, p1, p2, p3};
                        int[] col = new int[4];
                        int mask = 0;
                        for (int r = 0; r < 4; r++) {
                            for (int c : PAIRS[ps[r]]) {
                                col[c]++;
                                mask |= 1 << (r * 4 + c);
                            }
                        }
                        if (col[0] == 2 && col[1] == 2 && col[2] == 2 && col[3] == 2) {
                            System.arraycopy(ps, 0, rows, n * 4, 4);
                            masks[n] = mask;
                            n++;
                        }
                    }
                }
            }
        }
        COUNT = n;
        ROWS = java.util.Arrays.copyOf(rows, n * 4);
        MASKS = java.util.Arrays.copyOf(masks, n);
    }

    private TilePatterns() {
    }
}
