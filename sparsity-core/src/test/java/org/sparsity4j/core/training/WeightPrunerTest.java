package org.sparsity4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Shape;

/** Skip rules, in-place pruning and mask checks, independent of any framework. */
class WeightPrunerTest {

    @Test
    void skipReasons() {
        PruneOptions o = PruneOptions.twoOfFour();
        assertNull(WeightPruner.skipReason("w", "Linear", Shape.of(8, 16), 1, o));
        assertTrue(WeightPruner.skipReason("w", "Linear", Shape.of(8, 6), 1, o).contains("length 6, not a multiple of 4"));
        assertTrue(WeightPruner.skipReason("w", "Linear", Shape.of(8, 8), 2, o).contains("outside shape"));
        assertTrue(WeightPruner.skipReason("head.w", "Linear", Shape.of(8, 8), 1, o.excluding("^head\\."))
                .contains("excluded by name rule '^head\\.'"));
        assertTrue(WeightPruner.skipReason("w", "Linear", Shape.of(8, 8), 1, o.withMinElements(65))
                .contains("64 elements, below the minimum of 65"));
        assertNull(WeightPruner.skipReason("w", "Linear", Shape.of(8, 6), 1, o.withPattern(SparsityPattern.ONE_OF_TWO)));
        assertThrows(IllegalArgumentException.class, () -> o.withMinElements(-1));
        PruneOptions noConv = o.excludingLayers("(?i)conv");
        assertTrue(WeightPruner.skipReason("c.w", "Conv2d", Shape.of(8, 8, 3, 3), 1, noConv)
                .contains("excluded by layer rule '(?i)conv'"));
        assertTrue(WeightPruner.skipReason("c.w", "conv2d NCHW", Shape.of(8, 8, 3, 3), 1, noConv).contains("layer rule"));
        assertNull(WeightPruner.skipReason("fc.w", "Linear", Shape.of(8, 8), 1, noConv));
    }

    @Test
    void pruneZeroesInPlaceAndTheMaskMatchesTheWeights() {
        long seed = 42;
        Random rng = new Random(seed);
        for (int trial = 0; trial < 100; trial++) {
            int rows = 4 * (1 + rng.nextInt(4));
            int cols = 4 * (1 + rng.nextInt(4));
            float[] w = new float[rows * cols];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rng.nextGaussian();
            }
            float[] orig = w.clone();
            int axis = rng.nextInt(2);
            PruneOptions options = rng.nextBoolean() ? PruneOptions.twoOfFour() : PruneOptions.twoOfFour().withTileMasks();
            WeightPruner.Outcome out = WeightPruner.prune("w", "test", w, Shape.of(rows, cols), axis, 1 - axis, options);
            String what = "seed " + seed + " trial " + trial;
            assertTrue(out.pruned(), what);
            ParameterMask m = out.mask();
            assertEquals(w.length / 2, m.keptCount(), what);
            for (int i = 0; i < w.length; i++) {
                assertEquals(m.isKept(i) ? orig[i] : 0f, w[i], what + " index " + i);
            }
            ParameterCheck check = m.check(w);
            assertTrue(check.isValid(), what + " " + check);
            assertTrue(out.entry().retainedMagnitude() >= 0.5 && out.entry().retainedMagnitude() <= 1.0, what);
        }
    }

    @Test
    void checkReportsPrunedNonZerosAndPatternViolations() {
        float[] w = {4, 3, 2, 1, 8, 7, 6, 5};
        WeightPruner.Outcome out = WeightPruner.prune("w", "test", w, Shape.of(2, 4), 1, 0, PruneOptions.twoOfFour());
        ParameterMask m = out.mask();
        assertTrue(m.check(w).isValid());
        w[3] = 0.5f; // a pruned position of row 0 becomes non-zero: 3 non-zeros in that group
        ParameterCheck c = m.check(w);
        assertFalse(c.isValid());
        assertEquals(1, c.prunedNonZero());
        assertEquals(1, c.violatingGroups());
        assertEquals("[0, 3]", c.firstPrunedNonZero());
        assertTrue(c.toString().contains("LOST PATTERN"), c.toString());
        w[3] = 0;
        w[0] = 0; // a kept position becoming 0 is fine
        assertTrue(m.check(w).isValid());
        assertThrows(IllegalArgumentException.class, () -> m.check(new float[3]));
    }
}
