package org.sparsity4j.cusparselt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Argument checks of {@link MatmulSpec} (no GPU needed). */
class MatmulSpecTest {

    @Test
    void exactlyTheDocumentedTypeCombinationsAreAccepted() {
        int accepted = 0;
        for (DataType in : DataType.values()) {
            for (DataType out : DataType.values()) {
                boolean expected = switch (in) {
                    case FP16, BF16, FP32 -> out == in;
                    case INT8 -> out == DataType.INT8 || out == DataType.INT32 || out == DataType.FP16
                            || out == DataType.BF16;
                    case FP8_E4M3, FP8_E5M2 -> out == DataType.FP16 || out == DataType.BF16 || out == DataType.FP32;
                    case INT32 -> false;
                };
                assertEquals(expected, MatmulSpec.isSupportedCombination(in, out), in + " -> " + out);
                MatmulSpec.Builder b = MatmulSpec.builder(128, 128, 128).input(in).output(out);
                if (expected) {
                    b.build();
                    accepted++;
                } else {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
                    assertTrue(e.getMessage().contains(in + " -> " + out), e.getMessage());
                }
            }
        }
        assertEquals(13, accepted);
    }

    @Test
    void inputPicksTheNaturalOutput() {
        assertEquals(DataType.INT32, MatmulSpec.builder(64, 64, 64).input(DataType.INT8).build().output());
        assertEquals(DataType.FP16, MatmulSpec.builder(64, 64, 64).input(DataType.FP8_E4M3).build().output());
        assertEquals(DataType.BF16, MatmulSpec.builder(64, 64, 64).input(DataType.BF16).build().output());
    }

    @Test
    void dimensionsMustBePositive() {
        for (long[] d : new long[][] {{0, 16, 16}, {16, 0, 16}, {16, 16, 0}, {-16, 16, 16}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MatmulSpec.builder(d[0], d[1], d[2]).build());
            assertTrue(e.getMessage().contains("positive"), e.getMessage());
        }
    }

    @Test
    void structuredDimensionsMustBeMultiplesPerType() {
        // randomised over sizes; seed printed on failure
        long seed = 20261122L;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 2000; i++) {
            DataType in = new DataType[] {DataType.FP16, DataType.BF16, DataType.FP32, DataType.INT8,
                    DataType.FP8_E4M3}[rnd.nextInt(5)];
            long m = 16L * rnd.nextInt(1, 40);
            long k = 16L * rnd.nextInt(1, 40);
            long n = 64;
            Operand structured = rnd.nextBoolean() ? Operand.A : Operand.B;
            Op opA = rnd.nextBoolean() ? Op.N : Op.T;
            MatmulSpec.Builder b = MatmulSpec.builder(m, n, k).input(in).structured(structured).ops(opA, Op.N)
                    .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR);
            int mult = in.dimensionMultiple();
            boolean ok = structured == Operand.A ? m % mult == 0 && k % mult == 0 : k % mult == 0 && n % mult == 0;
            if (ok) {
                b.build();
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build,
                        "seed " + seed + " case " + i);
                assertTrue(e.getMessage().contains("multiples of " + mult), e.getMessage());
            }
        }
    }

    @Test
    void leadingDimensionsMustBe16ByteAligned() {
        // structured A 32 x 32 is fine; B row-major with n = 8 FP16 columns is 16 bytes: fine; n = 4 is not
        MatmulSpec.builder(32, 8, 32).input(DataType.FP16).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MatmulSpec.builder(32, 4, 32).input(DataType.FP16).build());
        assertTrue(e.getMessage().contains("leading dimension of B"), e.getMessage());
    }

    @Test
    void storedShapesFollowOps() {
        MatmulSpec s = MatmulSpec.builder(64, 32, 128).ops(Op.T, Op.T)
                .layouts(Layout.COLUMN_MAJOR, Layout.ROW_MAJOR, Layout.COLUMN_MAJOR).build();
        assertEquals(128, s.rowsA());
        assertEquals(64, s.colsA());
        assertEquals(32, s.rowsB());
        assertEquals(128, s.colsB());
        assertEquals(128, s.ldA());
        assertEquals(128, s.ldB());
        assertEquals(64, s.ldC());
        assertEquals(64 * 128 * 2, s.bytesA());
    }

    @Test
    void equalSpecsAreEqualCacheKeys() {
        MatmulSpec a = MatmulSpec.builder(64, 64, 64).input(DataType.BF16).build();
        MatmulSpec b = MatmulSpec.builder(64, 64, 64).input(DataType.BF16).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a, a.toBuilder().build());
        assertNotEquals(a, a.toBuilder().activation(Activation.RELU).build());
    }

    @Test
    void optionsValidateIterations() {
        assertThrows(IllegalArgumentException.class, () -> new PlanOptions(true, true, 0));
        assertFalse(PlanOptions.defaults().search());
        assertTrue(PlanOptions.searched().search());
        assertTrue(PlanOptions.withDenseFallback().denseFallback());
    }

    @Test
    void denseFallbackCoversOnlyWhatCublasGemmExOffers() {
        assertEquals(null, DenseGemm.unsupportedReason(MatmulSpec.builder(64, 64, 64).input(DataType.FP16).build()));
        assertEquals(null, DenseGemm.unsupportedReason(MatmulSpec.builder(64, 64, 64).input(DataType.INT8).build()));
        assertTrue(DenseGemm.unsupportedReason(MatmulSpec.builder(64, 64, 64).input(DataType.FP8_E4M3).build())
                .contains("FP8_E4M3"));
        assertTrue(DenseGemm.unsupportedReason(MatmulSpec.builder(64, 64, 64).input(DataType.FP16)
                .activation(Activation.RELU).build()).contains("RELU"));
    }
}
