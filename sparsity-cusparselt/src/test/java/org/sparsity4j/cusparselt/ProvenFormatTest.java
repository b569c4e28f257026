package org.sparsity4j.cusparselt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparsity4j.core.compress.CompressedFormat;
import org.sparsity4j.core.compress.Order;

/**
 * {@link MatmulPlan#provenFormat}, which decides whether {@link MatmulPlan#uploadCompressed} checks
 * metadata: the structured operand as stored, in every orientation (no GPU needed; the GPU tests check
 * the result against cuSPARSELt's own compressed bytes).
 */
class ProvenFormatTest {

    private static final int SM90 = 90;
    private static final int V080 = 800;

    @Test
    void everyOrientationMapsToTheStoredStructuredOperand() {
        int m = 192;
        int n = 64;
        int k = 128;
        int mapped = 0;
        int strided8 = 0;
        for (DataType in : new DataType[] {DataType.FP32, DataType.FP16, DataType.BF16, DataType.INT8,
                DataType.FP8_E4M3, DataType.FP8_E5M2}) {
            DataType out = in == DataType.INT8 ? DataType.INT32 : in.byteSize() == 1 ? DataType.FP16 : in;
            for (Operand structured : Operand.values()) {
                for (Layout la : Layout.values()) {
                    for (Layout lb : Layout.values()) {
                        for (Op oa : Op.values()) {
                            for (Op ob : Op.values()) {
                                MatmulSpec s;
                                try {
                                    s = MatmulSpec.builder(m, n, k).input(in).output(out).layouts(la, lb, Layout.ROW_MAJOR)
                                            .ops(oa, ob).structured(structured).build();
                                } catch (IllegalArgumentException fp32DenseLayout) {
                                    continue;
                                }
                                boolean a = structured == Operand.A;
                                Layout layout = a ? la : lb;
                                Op op = a ? oa : ob;
                                // the reduction dimension k is contiguous: A row-major op N or column-major op T,
                                // B column-major op N or row-major op T
                                boolean kContiguous = a ? (op == Op.N) == (layout == Layout.ROW_MAJOR)
                                        : (op == Op.N) == (layout == Layout.COLUMN_MAJOR);
                                CompressedFormat f = MatmulPlan.provenFormat(s, SM90, V080);
                                String what = s.toString();
                                if (in.byteSize() == 1 && !kContiguous) {
                                    assertNull(f, what + ": 8-bit with k strided has no proven layout");
                                    strided8++;
                                    continue;
                                }
                                assertNotNull(f, what);
                                assertEquals(in.elementType(), f.type(), what);
                                assertEquals(a ? s.rowsA() : s.rowsB(), f.rows(), what + ": rows as stored");
                                assertEquals(a ? s.colsA() : s.colsB(), f.cols(), what + ": cols as stored");
                                assertEquals(layout == Layout.ROW_MAJOR ? Order.ROW_MAJOR : Order.COLUMN_MAJOR, f.order(),
                                        what);
                                assertEquals(a ? m : n, f.outerExtent(), what + ": outer extent");
                                assertEquals(k, f.reductionExtent(), what + ": reduction extent");
                                assertEquals(s.bytesStructured(), f.denseBytes(), what);
                                mapped++;
                            }
                        }
                    }
                }
            }
        }
        // 16 orientations of the structured operand per operand pair; FP32 keeps those with the dense
        // operand's k contiguous
        assertTrue(mapped > 100 && strided8 > 0, mapped + " mapped, " + strided8 + " 8-bit strided");
    }

    @Test
    void otherArchitecturesAndLibraryVersionsAreNotChecked() {
        MatmulSpec s = MatmulSpec.builder(128, 64, 128).input(DataType.FP16).build();
        assertNotNull(MatmulPlan.provenFormat(s, SM90, V080));
        assertNotNull(MatmulPlan.provenFormat(s, SM90, 812), "0.8.12 is a 0.8 release");
        assertNull(MatmulPlan.provenFormat(s, 80, V080), "A100");
        assertNull(MatmulPlan.provenFormat(s, 89, V080), "Ada");
        assertNull(MatmulPlan.provenFormat(s, 100, V080), "Blackwell");
        assertNull(MatmulPlan.provenFormat(s, SM90, 700), "cuSPARSELt 0.7");
        assertNull(MatmulPlan.provenFormat(s, SM90, 900), "cuSPARSELt 0.9");
        // a dense operand beyond one Java array (40960^2 FP16 = 3.4 GB): length check only, as documented
        MatmulSpec big = MatmulSpec.builder(40960, 64, 40960).input(DataType.FP16).build();
        assertNull(MatmulPlan.provenFormat(big, SM90, V080));
    }
}
