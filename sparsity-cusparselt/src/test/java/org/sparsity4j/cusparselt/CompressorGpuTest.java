package org.sparsity4j.cusparselt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.compress.CompressedFormat;
import org.sparsity4j.core.compress.Op;
import org.sparsity4j.core.compress.Order;
import org.sparsity4j.core.compress.SparseCompressor;
import org.sparsity4j.core.mask.StripMasker;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/**
 * sparsity-core's CPU compressor against {@code cusparseLtSpMMACompress}, byte for byte, on random
 * large shapes of every type (structured A, row-major, op N: the orientation proven for all types).
 */
@Tag("gpu")
class CompressorGpuTest {

    private static SparseContext ctx;

    @BeforeAll
    static void open() {
        Gpu.require();
        ctx = SparseContext.create(0);
    }

    @AfterAll
    static void close() {
        if (ctx != null) {
            ctx.close();
        }
    }

    @Test
    void coreCompressorEqualsCusparseLtCompressByteForByte() {
        int[][] shapes = {{1024, 2048}, {768, 1536}, {2048, 512}, {320, 4096}};
        int n = 64;
        int compared = 0;
        for (DataType in : new DataType[] {DataType.FP32, DataType.FP16, DataType.BF16, DataType.INT8,
            DataType.FP8_E4M3, DataType.FP8_E5M2}) {
            DataType out = null;
            for (DataType o : DataType.values()) {
                if (out == null && MatmulSpec.isSupportedCombination(in, o)) {
                    out = o;
                }
            }
            if (out == null) {
                continue;
            }
            ElementType type = in.elementType();
            for (int s = 0; s < shapes.length; s++) {
                int m = shapes[s][0];
                int k = shapes[s][1];
                long seed = 0xC0FFEEL * (in.ordinal() + 1) + s;
                SplittableRandom rnd = new SplittableRandom(seed);
                Tensor a = Tensor.zeros(type, Shape.of(m, k));
                for (int i = 0; i < a.size(); i++) {
                    int bits;
                    do {
                        bits = rnd.nextInt(8) == 0 ? 0 : rnd.nextInt();
                        bits &= type.byteSize() == 4 ? -1 : (1 << type.bitWidth()) - 1;
                    } while (type != ElementType.INT8 && !Double.isFinite(type.decode(bits)));
                    a.setBits(i, bits);
                }
                StripMasker.of(type.hardwarePattern()).prune(a, 1);
                byte[] dense = a.toLittleEndianBytes().array();
                CompressedFormat format = CompressedFormat.forSm90(type, m, k, Order.ROW_MAJOR, Op.NON_TRANSPOSE);
                byte[] cpu = SparseCompressor.compress(format, a);
                MatmulSpec spec = MatmulSpec.builder(m, n, k).input(in).output(out)
                        .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.ROW_MAJOR).build();
                try (MatmulPlan plan = ctx.createPlan(spec, PlanOptions.noSearch());
                     DeviceBuffer d = ctx.upload(dense);
                     SparseOperand onDevice = plan.compress(d)) {
                    byte[] gpu = onDevice.toByteArray();
                    String what = in + "->" + out + " A " + m + "x" + k + " seed " + seed;
                    assertEquals(plan.compressedSize(), format.compressedSize(), what + ": compressed size");
                    for (int i = 0; i < format.writtenBytes(); i++) {
                        if (cpu[i] != gpu[i]) {
                            fail(what + ": first difference at byte " + i + " of " + format.writtenBytes()
                                    + " (values end at " + format.valuesBytes() + "): core 0x"
                                    + Integer.toHexString(cpu[i] & 0xFF) + ", cuSPARSELt 0x" + Integer.toHexString(gpu[i] & 0xFF));
                        }
                    }
                    assertArrayEquals(gpu, ctx.compress(spec, dense), what + ": Compress2 (no plan) equals Compress");
                    compared++;
                    Gpu.progress("compressor equal: " + what + " (" + format.writtenBytes() + " bytes)");
                }
            }
        }
        assertEquals(24, compared, "every type and shape compared");
    }
}
