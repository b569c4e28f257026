package org.sparsity4j.core.validate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.testutil.Gen;
import org.sparsity4j.core.testutil.Reference;

class ValidatorTest {

    @Test
    void reportsViolationsWithCoordinates() {
        // [K=8, N=2] checked along axis 0: column 1 has 3 non-zeros in rows 4..7
        float[] v = {
            1, 0,
            0, 0,
            2, 0,
            0, 0,
            0, 1,
            0, 1,
            3, 1,
            0, 0};
        ValidationReport r = Validator.checkStrip(Tensor.ofFloats(v, 8, 2), SparsityPattern.TWO_OF_FOUR, 0);
        assertFalse(r.isValid());
        assertEquals(4, r.groups());
        assertEquals(1, r.violatingGroups());
        Violation first = r.firstViolations().get(0);
        assertArrayEquals(new long[] {4, 1}, first.coordinates());
        assertEquals(3, first.nonZeros());
        assertEquals(2, first.allowed());
        assertTrue(r.toString().contains("[4, 1]"), r.toString());
    }

    @Test
    void negativeZeroIsZeroAndNaNIsNonZero() {
        short[] bits = {(short) 0x8000, (short) 0x8000, 0x3C00, 0x3C00, 0x7E00, 0x3C00, 0x3C00, 0};
        ValidationReport r = Validator.checkStrip(Tensor.ofShorts(ElementType.FP16, bits, 8), SparsityPattern.TWO_OF_FOUR, 0);
        assertEquals(1, r.violatingGroups());
        assertArrayEquals(new long[] {4}, r.firstViolations().get(0).coordinates());
    }

    @Test
    void agreesWithACountingReferenceOnRandomTensors() {
        for (int k = 0; k < 100; k++) {
            SplittableRandom rnd = Gen.random("validate", k);
            ElementType type = ElementType.values()[rnd.nextInt(6)];
            SparsityPattern p = rnd.nextBoolean() ? SparsityPattern.TWO_OF_FOUR : SparsityPattern.of(1 + rnd.nextInt(3), 4);
            long[] dims = {1 + rnd.nextInt(4), 4 * (1 + rnd.nextInt(3)), 1 + rnd.nextInt(4)};
            Tensor t = Gen.tensor(type, Shape.of(dims), rnd, true);
            ValidationReport r = Validator.checkStrip(t, p, 1);
            long violating = 0;
            long groups = 0;
            for (int[] g : Reference.groups(t.shape(), 1, 4)) {
                int nz = 0;
                for (int idx : g) {
                    nz += t.type().isNonZero(t.bits(idx)) ? 1 : 0;
                }
                violating += nz > p.n() ? 1 : 0;
                groups++;
            }
            assertEquals(groups, r.groups(), Gen.seedOf("validate", k));
            assertEquals(violating, r.violatingGroups(), Gen.seedOf("validate", k));
            assertEquals(Math.min(violating, ValidationReport.MAX_RECORDED), r.firstViolations().size());
        }
    }

    /** 2:4 groups counted one by one, in row-major order of their first element (outer, group, inner). */
    private static final class DirectCount {
        long groups;
        long violating;
        final java.util.List<long[]> first = new java.util.ArrayList<>();

        static DirectCount of(Tensor t, int outer, int len, int inner) {
            DirectCount c = new DirectCount();
            for (int o = 0; o < outer; o++) {
                for (int g = 0; g < len / 4; g++) {
                    for (int i = 0; i < inner; i++) {
                        int base = (o * len + g * 4) * inner + i;
                        int nz = 0;
                        for (int j = 0; j < 4; j++) {
                            nz += t.type().isNonZero(t.bits(base + j * inner)) ? 1 : 0;
                        }
                        c.groups++;
                        if (nz > 2) {
                            c.violating++;
                            if (c.first.size() < ValidationReport.MAX_RECORDED) {
                                c.first.add(t.shape().coordinates(base));
                            }
                        }
                    }
                }
            }
            return c;
        }
    }

    /** Large enough for the parallel path: counts and first violations equal a direct count. */
    @Test
    void largeTensorsGiveTheSameReportAsADirectCount() {
        SplittableRandom rnd = Gen.random("validate-large", 0);
        int rows = 1024;
        int cols = 1032;
        Tensor t = Gen.tensor(ElementType.FP16, Shape.of(rows, cols), rnd, true);
        for (int axis = 0; axis < 2; axis++) {
            ValidationReport r = Validator.checkStrip(t, SparsityPattern.TWO_OF_FOUR, axis);
            DirectCount want = DirectCount.of(t, axis == 0 ? 1 : rows, axis == 0 ? rows : cols, axis == 0 ? cols : 1);
            assertEquals(want.groups, r.groups(), Gen.seedOf("validate-large", 0) + " axis " + axis);
            assertEquals(want.violating, r.violatingGroups(), Gen.seedOf("validate-large", 0) + " axis " + axis);
            for (int k = 0; k < want.first.size(); k++) {
                assertArrayEquals(want.first.get(k), r.firstViolations().get(k).coordinates(),
                        "violation " + k + " axis " + axis);
            }
        }
    }

    /**
     * A convolution weight along its input channels (9 groups a group row, several rows a block), pruned
     * and then broken in a few scattered groups: counts and the first violations, in order, equal a
     * direct count, with the SIMD counts and without, on the parallel path.
     */
    @Test
    void convolutionShapedWeightsGiveTheSameReportAsADirectCount() {
        SplittableRandom rnd = Gen.random("validate-conv", 0);
        int outer = 128;
        int len = 256;
        int inner = 9;
        Tensor t = Gen.tensor(ElementType.FP16, Shape.of(outer, len, 3, 3), rnd, true);
        org.sparsity4j.core.mask.StripMasker.of(SparsityPattern.TWO_OF_FOUR).prune(t, 1);
        for (int k = 0; k < 40; k++) {
            int at = rnd.nextInt(t.size());
            t.setBits(at, 0x3C00); // 1.0: breaks the group where it lands on a pruned position
        }
        DirectCount want = DirectCount.of(t, outer, len, inner);
        long groups = want.groups;
        long violating = want.violating;
        java.util.List<long[]> first = want.first;
        assertTrue(violating > 5, "the broken groups: " + violating);
        for (boolean simd : new boolean[] {true, false}) {
            if (simd && !ValidateSimd.enabled()) {
                continue; // no Vector API module in this JVM (the scalar-kernel test run): the scalar counts only
            }
            boolean was = ValidateSimd.use(simd);
            try {
                ValidationReport r = Validator.checkStrip(t, SparsityPattern.TWO_OF_FOUR, 1);
                String what = Gen.seedOf("validate-conv", 0) + " simd " + simd;
                assertEquals(groups, r.groups(), what);
                assertEquals(violating, r.violatingGroups(), what);
                assertEquals(first.size(), r.firstViolations().size(), what);
                for (int k = 0; k < first.size(); k++) {
                    assertArrayEquals(first.get(k), r.firstViolations().get(k).coordinates(), what + " violation " + k);
                }
            } finally {
                ValidateSimd.use(was);
            }
        }
    }

    @Test
    void tileCheckCoversBothAxesAndRaggedEdges() {
        float[] v = new float[6 * 4];
        // rows 0..3: a valid transposable tile
        int[][] kept = {{0, 1}, {2, 3}, {0, 1}, {2, 3}};
        for (int r = 0; r < 4; r++) {
            for (int c : kept[r]) {
                v[r * 4 + c] = 1;
            }
        }
        // ragged rows 4..5 keep 2 each but column 0 then has a partial group with 2 non-zeros: fine
        v[16] = 1;
        v[17] = 1;
        v[20] = 1;
        v[22] = 1;
        assertTrue(Validator.checkTile(Tensor.ofFloats(v.clone(), 6, 4), 1, 0).isValid());
        v[23] = 1; // row 5 now has 3 along the reduction axis
        ValidationReport r = Validator.checkTile(Tensor.ofFloats(v.clone(), 6, 4), 1, 0);
        assertEquals(1, r.violatingGroups());
        assertEquals(1, r.firstViolations().get(0).axis());
        float[] w = new float[16];
        w[0] = 1;
        w[4] = 1;
        w[8] = 1; // column 0 has 3 along axis 0
        ValidationReport col = Validator.checkTile(Tensor.ofFloats(w, 4, 4), 1, 0);
        assertEquals(1, col.violatingGroups());
        assertEquals(0, col.firstViolations().get(0).axis());
        assertArrayEquals(new long[] {0, 0}, col.firstViolations().get(0).coordinates());
    }

    @Test
    void badInputNamesShapeAndAxis() {
        Tensor t = Tensor.ofFloats(new float[12], 2, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Validator.checkStrip(t, SparsityPattern.TWO_OF_FOUR, 1));
        assertTrue(e.getMessage().contains("[2, 6]") && e.getMessage().contains("axis 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Validator.checkStrip(t, SparsityPattern.TWO_OF_FOUR, 5));
        assertThrows(IllegalArgumentException.class, () -> Validator.checkTile(t, 1, 1));
        assertTrue(Validator.checkStrip(t, SparsityPattern.ONE_OF_TWO, 1).isValid());
    }

    @Test
    void reportsAndMaskStatisticsAreValuesEqualWhenTheirContentIs() {
        SplittableRandom r = Gen.random("values", 0);
        Tensor a = Gen.tensor(ElementType.FP16, Shape.of(16, 32), r, true);
        Tensor b = a.copy();
        b.setBits(0, 0x5640); // one element differs: 100.0, larger than any of the Gaussian values around it
        SparsityPattern p = SparsityPattern.TWO_OF_FOUR;
        ValidationReport ra = Validator.checkStrip(a, p, 1);
        assertEquals(ra, Validator.checkStrip(a.copy(), p, 1));
        assertEquals(ra.hashCode(), Validator.checkStrip(a.copy(), p, 1).hashCode());
        assertFalse(ra.equals(Validator.checkStrip(a, p, 0)), "another axis");
        assertFalse(ra.equals(Validator.checkStrip(a, SparsityPattern.of(3, 4), 1)), "another pattern");
        var masker = org.sparsity4j.core.mask.StripMasker.of(p);
        var sa = masker.compute(a, 1).stats();
        assertEquals(sa, masker.compute(a.copy(), 1).stats());
        assertEquals(sa.hashCode(), masker.compute(a.copy(), 1).stats().hashCode());
        assertFalse(sa.equals(masker.compute(b, 1).stats()), "the sums differ");
        assertFalse(sa.equals(null));
    }
}
