package org.sparsity4j.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparsity4j.core.mask.StripMasker;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.simd.VectorSupport;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.testutil.Gen;

/**
 * The SIMD non-zero counts of {@link Validator} against the scalar loop in the same JVM: exact
 * violating-group counts of {@link SimdCount} against a direct count, and identical reports
 * (groups, violating groups, recorded violations in order) with SIMD on and off.
 */
class ValidatorSimdTest {
    private final boolean initial = ValidateSimd.enabled();

    @AfterEach
    void restore() {
        ValidateSimd.use(initial && ValidateSimd.AVAILABLE);
    }

    @Test
    void simdIsSelectedInTheTestJvm() {
        assumeFalse("false".equalsIgnoreCase(System.getProperty("sparsity.simd")), "SIMD turned off");
        assertEquals(VectorSupport.enabled(), ValidateSimd.AVAILABLE);
        assertEquals(ValidateSimd.AVAILABLE, initial);
    }

    private static SparsityPattern randomPattern(SplittableRandom r) {
        switch (r.nextInt(5)) {
            case 0:
                return SparsityPattern.ONE_OF_TWO;
            case 1:
                return SparsityPattern.of(1 + r.nextInt(3), 4);
            case 2:
                return SparsityPattern.of(1 + r.nextInt(7), 8); // scalar path
            default:
                return SparsityPattern.TWO_OF_FOUR;
        }
    }

    /** A tensor that mostly obeys {@code p} along {@code axis}, with a few extra non-zeros (or none). */
    private static Tensor mostlyValid(ElementType type, Shape shape, SparsityPattern p, int axis, SplittableRandom r) {
        Tensor t = Gen.tensor(type, shape, r, r.nextBoolean());
        if (p.m() == 2 || p.m() == 4) {
            StripMasker.of(p).prune(t, axis);
        }
        int extra = r.nextInt(3) == 0 ? 0 : r.nextInt(6);
        for (int i = 0; i < extra; i++) {
            t.setBits(r.nextInt(t.size()), Gen.encodeSmall(type, 1 + r.nextInt(3)));
        }
        return t;
    }

    @ParameterizedTest
    @EnumSource(ElementType.class)
    void reportsMatchTheScalarLoop(ElementType type) {
        if (!ValidateSimd.AVAILABLE) {
            return;
        }
        String name = "validateSimd" + type;
        for (int k = 0; k < 60; k++) {
            SplittableRandom r = Gen.random(name, k);
            SparsityPattern p = randomPattern(r);
            int m = p.m();
            Shape shape;
            int axis;
            switch (k % 3) {
                case 0:
                    shape = Shape.of(1 + r.nextInt(5), m * (1 + r.nextInt(40)));
                    axis = 1;
                    break;
                case 1:
                    shape = Shape.of(m * (1 + r.nextInt(6)), 1 + r.nextInt(3000));
                    axis = 0;
                    break;
                default:
                    shape = Shape.of(1 + r.nextInt(3), m * (1 + r.nextInt(3)), 1 + r.nextInt(700));
                    axis = 1;
            }
            Tensor t = k % 7 == 0 ? Gen.tensor(type, shape, r, true) : mostlyValid(type, shape, p, axis, r);
            String what = Gen.seedOf(name, k) + " " + p + " " + shape + " axis " + axis;
            ValidationReport scalar = with(false, () -> Validator.checkStrip(t, p, axis));
            ValidationReport simd = with(true, () -> Validator.checkStrip(t, p, axis));
            assertEquals(scalar.groups(), simd.groups(), "groups " + what);
            assertEquals(scalar.violatingGroups(), simd.violatingGroups(), "violating " + what);
            assertEquals(scalar.firstViolations(), simd.firstViolations(), "violations " + what);
            if (k % 3 != 2) {
                // transposable check: a ragged other axis stays on the scalar loop
                int other = 1 - axis;
                if (shape.dim(axis) % 4 == 0) {
                    ValidationReport a = with(false, () -> Validator.checkTile(t, axis, other));
                    ValidationReport b = with(true, () -> Validator.checkTile(t, axis, other));
                    assertEquals(a.violatingGroups(), b.violatingGroups(), "tile " + what);
                    assertEquals(a.firstViolations(), b.firstViolations(), "tile violations " + what);
                }
            }
        }
    }

    /** {@link SimdCount} counts exactly (the validator only uses whether the count is zero). */
    @ParameterizedTest
    @EnumSource(ElementType.class)
    void simdCountsAreExact(ElementType type) {
        if (!ValidateSimd.AVAILABLE) {
            return;
        }
        String name = "simdCount" + type;
        for (int k = 0; k < 40; k++) {
            SplittableRandom r = Gen.random(name, k);
            int m = r.nextBoolean() ? 2 : 4;
            int n = 1 + r.nextInt(m - 1);
            int rows = m * (1 + r.nextInt(3));
            int cols = m * (1 + r.nextInt(1500));
            Tensor t = Gen.tensor(type, Shape.of(rows, cols), r, r.nextBoolean());
            // contiguous: all groups of the flat tensor
            long expected = 0;
            for (int g = 0; g < t.size(); g += m) {
                int nz = 0;
                for (int j = 0; j < m; j++) {
                    nz += type.isNonZero(t.bits(g + j)) ? 1 : 0;
                }
                expected += nz > n ? 1 : 0;
            }
            String what = Gen.seedOf(name, k) + " " + n + ":" + m + " [" + rows + ", " + cols + "]";
            assertEquals(expected, SimdCount.contiguous(t, 0, t.size(), m, n), "contiguous " + what);
            // strided: groups of m rows starting at row 0, columns from an offset
            int from = r.nextInt(cols);
            int count = cols - from;
            long strided = 0;
            for (int i = 0; i < count; i++) {
                int nz = 0;
                for (int j = 0; j < m; j++) {
                    nz += type.isNonZero(t.bits(j * cols + from + i)) ? 1 : 0;
                }
                strided += nz > n ? 1 : 0;
            }
            assertEquals(strided, SimdCount.strided(t, from, cols, count, m, n), "strided " + what);
        }
    }

    private static ValidationReport with(boolean simd, Supplier<ValidationReport> run) {
        boolean was = ValidateSimd.use(simd);
        try {
            return run.get();
        } finally {
            ValidateSimd.use(was);
        }
    }
}
