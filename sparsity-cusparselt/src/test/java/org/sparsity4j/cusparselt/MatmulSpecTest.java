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
                MatmulSpec.Builder b = MatmulSpec.builder(128, 128, 128).input(in).output(out)
                        .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR);
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
    void biasTypeIsTheOutputTypeForFloatsAndFp32ForIntegers() {
        for (DataType in : DataType.values()) {
            for (DataType out : DataType.values()) {
                if (!MatmulSpec.isSupportedCombination(in, out)) {
                    continue;
                }
                MatmulSpec s = MatmulSpec.builder(96, 64, 128).input(in).output(out).bias(true)
                        .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR).build();
                DataType want = out == DataType.INT8 || out == DataType.INT32 ? DataType.FP32 : out;
                assertEquals(want, s.biasType(), s.toString());
                assertEquals(96L * want.byteSize(), s.bytesBias(), s.toString());
                assertTrue(s.toString().contains("bias " + want), s.toString());
                MatmulSpec without = s.toBuilder().bias(false).build();
                assertTrue(s.hasBias() && !without.hasBias());
                assertTrue(!s.equals(without) && s.equals(without.toBuilder().bias(true).build()),
                        "the bias is part of the spec's identity (plan cache key)");
            }
        }
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
    void byteCountsThatOverflowALongAreRefused() {
        // 31-bit dimensions whose products overflow: m * k * 4 bytes > 2^63
        long big = 2_147_483_640L;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MatmulSpec.builder(big, big, big).input(DataType.FP32).build());
        assertTrue(e.getMessage().contains("63 bits") && e.getMessage().contains("m=" + big), e.getMessage());
        MatmulSpec s = MatmulSpec.builder(1L << 20, 1L << 20, 1L << 20).input(DataType.FP16).build();
        assertEquals(2L << 40, s.bytesA());
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
            Op drawn = rnd.nextBoolean() ? Op.N : Op.T;
            // FP32 with B structured needs K contiguous in the row-major A: op N (see the FP32 test)
            Op opA = in == DataType.FP32 && structured == Operand.B ? Op.N : drawn;
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
        assertThrows(IllegalArgumentException.class, () -> new PlanOptions(false, true, Integer.MAX_VALUE));
        assertEquals(PlanOptions.MAX_TIMING_ITERATIONS,
                new PlanOptions(false, true, PlanOptions.MAX_TIMING_ITERATIONS).timingIterations());
        assertFalse(PlanOptions.defaults().search());
        assertTrue(PlanOptions.searched().search());
        assertTrue(PlanOptions.withDenseFallback().denseFallback());
    }

    @Test
    void fp32IsRefusedWhereCusparseLtPlanInitNeverReturns() {
        int refused = 0;
        for (Operand st : Operand.values()) {
            for (Layout la : Layout.values()) {
                for (Layout lb : Layout.values()) {
                    for (Layout lc : Layout.values()) {
                        for (Op oa : Op.values()) {
                            for (Op ob : Op.values()) {
                                MatmulSpec.Builder b = MatmulSpec.builder(128, 64, 128).input(DataType.FP32)
                                        .layouts(la, lb, lc).ops(oa, ob).structured(st);
                                boolean kContiguous = st == Operand.A ? (ob == Op.N) == (lb == Layout.COLUMN_MAJOR)
                                        : (oa == Op.N) == (la == Layout.ROW_MAJOR);
                                if (kContiguous) {
                                    assertEquals(DataType.FP32, b.build().input());
                                    // the same layout is fine for the other types
                                } else {
                                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
                                    assertTrue(e.getMessage().contains("K contiguous"), e.getMessage());
                                    refused++;
                                }
                                assertEquals(DataType.FP16, b.input(DataType.FP16).build().input());
                            }
                        }
                    }
                }
            }
        }
        assertEquals(32, refused, "half of the 64 FP32 orientations hang in cuSPARSELt 0.8");
    }

    @Test
    void geluOnlyWhereCusparseLtOffersIt() {
        for (DataType in : DataType.values()) {
            for (DataType out : DataType.values()) {
                if (!MatmulSpec.isSupportedCombination(in, out)) {
                    continue;
                }
                MatmulSpec.Builder b = MatmulSpec.builder(128, 64, 128).input(in).output(out)
                        .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR).activation(Activation.GELU);
                boolean offered = (in == DataType.INT8 && out == DataType.INT8)
                        || ((in == DataType.FP8_E4M3 || in == DataType.FP8_E5M2) && out == DataType.BF16);
                assertEquals(offered, MatmulSpec.offersGelu(in, out), in + "->" + out);
                if (offered) {
                    assertEquals(Activation.GELU, b.build().activation());
                } else {
                    assertThrows(IllegalArgumentException.class, b::build, in + "->" + out);
                }
            }
        }
    }

    @Test
    void aFixedAlgorithmExcludesSearchAndNeedsAValidId() {
        AlgorithmConfig cfg = new AlgorithmConfig(6, -1, 2, 0);
        assertEquals(cfg, PlanOptions.withAlgorithm(cfg).algorithm());
        assertFalse(PlanOptions.withAlgorithm(cfg).search());
        assertEquals(null, PlanOptions.searched().algorithm());
        assertThrows(IllegalArgumentException.class, () -> new PlanOptions(true, false, 20, cfg));
        assertThrows(IllegalArgumentException.class, () -> new AlgorithmConfig(-1, 1, 0, 0));
        assertThrows(NullPointerException.class, () -> PlanOptions.withAlgorithm(null));
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
