package org.sparsity4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.mask.Mask;
import org.sparsity4j.core.mask.StripMasker;
import org.sparsity4j.core.mask.TileMasker;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.testutil.Gen;

class ParameterMaskTest {

    /**
     * The bulk views (1/0 floats, first pruned index, leak check) against the mask's own per-element
     * answer, on masks of one page and of several (odd row lengths, sizes not a multiple of 64), and
     * with the first pruned element placed anywhere, the last element included.
     */
    @Test
    void bulkViewsAgreeWithTheMaskElementByElement() {
        int[][] shapes = {{8, 12}, {3, 20}, {1100, 516}, {2000, 301}, {16, 16}};
        for (int c = 0; c < shapes.length; c++) {
            SplittableRandom r = Gen.random("parameter-mask", c);
            String seed = Gen.seedOf("parameter-mask", c);
            int rows = shapes[c][0];
            int cols = shapes[c][1];
            float[] w = new float[rows * cols];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextGaussian();
            }
            Tensor t = Tensor.ofFloats(w, rows, cols);
            Mask mask = c == 4 ? TileMasker.twoOfFour().compute(t, 1, 0)
                    : StripMasker.of(SparsityPattern.TWO_OF_FOUR).compute(t, cols % 4 == 0 ? 1 : 0);
            ParameterMask pm = ParameterMask.of("w", mask);
            float[] floats = pm.toFloats();
            int first = -1;
            long leaks = 0;
            float[] values = w.clone();
            for (int i = 0; i < w.length; i++) {
                assertEquals(mask.isKept(i) ? 1f : 0f, floats[i], seed + " element " + i);
                if (!mask.isKept(i)) {
                    if (first < 0) {
                        first = i;
                    }
                    if (r.nextInt(3) == 0) {
                        leaks++;
                    } else {
                        values[i] = 0f;
                    }
                }
            }
            assertEquals(first, pm.firstPruned(), seed);
            assertEquals(leaks, pm.check(values).prunedNonZero(), seed);
        }
    }

    @Test
    void firstPrunedFindsTheLastElementAndNothingPastIt() {
        // a 1:2 mask over two elements keeps exactly one; the words' bits past the end must not count
        Mask keepsFirst = StripMasker.of(SparsityPattern.ONE_OF_TWO).compute(Tensor.ofFloats(new float[] {2, 1}, 2), 0);
        assertEquals(1, ParameterMask.of("w", keepsFirst).firstPruned());
        Mask keepsLast = StripMasker.of(SparsityPattern.ONE_OF_TWO).compute(Tensor.ofFloats(new float[] {1, 2}, 2), 0);
        assertEquals(0, ParameterMask.of("w", keepsLast).firstPruned());
    }
}
