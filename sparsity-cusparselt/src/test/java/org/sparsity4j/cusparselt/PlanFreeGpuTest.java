package org.sparsity4j.cusparselt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.validate.Validator;

/**
 * The plan-free calls of {@link SparseContext} ({@code cusparseLtSpMMAPrune2}, {@code PruneCheck2},
 * {@code CompressedSize2}, {@code Compress2}) give the same results as the plan-based ones, for every
 * input type and the structured-operand orientations with K contiguous.
 */
@Tag("gpu")
class PlanFreeGpuTest {

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

    /** Structured A row-major op N / column-major op T, structured B column-major op N / row-major op T. */
    private static MatmulSpec spec(DataType in, int orientation) {
        DataType out = in == DataType.INT8 ? DataType.INT32 : in.byteSize() == 1 ? DataType.FP16 : in;
        MatmulSpec.Builder b = MatmulSpec.builder(256, 128, 512).input(in).output(out);
        return switch (orientation) {
            case 0 -> b.layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.ROW_MAJOR).ops(Op.N, Op.N).build();
            case 1 -> b.layouts(Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR, Layout.ROW_MAJOR).ops(Op.T, Op.N).build();
            case 2 -> b.structured(Operand.B).layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.ROW_MAJOR)
                    .ops(Op.N, Op.N).build();
            default -> b.structured(Operand.B).layouts(Layout.ROW_MAJOR, Layout.ROW_MAJOR, Layout.ROW_MAJOR)
                    .ops(Op.N, Op.T).build();
        };
    }

    /** Random finite values of the type, a quarter of them zero, with repeated magnitudes for ties. */
    private static byte[] randomDense(DataType in, long count, SplittableRandom rnd) {
        ByteBuffer b = ByteBuffer.allocate((int) (count * in.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            double v = rnd.nextInt(4) == 0 ? 0 : (rnd.nextInt(7) - 3) * (rnd.nextBoolean() ? 1 : 0.25);
            Matrices.put(b, i, in, v);
        }
        return b.array();
    }

    /** The stored structured operand as a 2-D tensor in memory order, and the axis along which K runs. */
    private static Object[] kAxisView(MatmulSpec spec, byte[] bytes) {
        boolean a = spec.structured() == Operand.A;
        long rows = a ? spec.rowsA() : spec.rowsB();
        long cols = a ? spec.colsA() : spec.colsB();
        boolean rowMajor = (a ? spec.layoutA() : spec.layoutB()) == Layout.ROW_MAJOR;
        Op op = a ? spec.opA() : spec.opB();
        // K is the column index of stored A with op N (row index with op T), the row index of stored B with op N
        boolean kIsColumn = a == (op == Op.N);
        Shape shape = rowMajor ? Shape.of(rows, cols) : Shape.of(cols, rows);
        int axis = (kIsColumn == rowMajor) ? 1 : 0;
        Tensor t = Tensor.wrap(spec.input().elementType(), shape, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        return new Object[] {t, axis};
    }

    private static boolean coreValid(MatmulSpec spec, byte[] bytes) {
        Object[] v = kAxisView(spec, bytes);
        Tensor t = (Tensor) v[0];
        return Validator.checkStrip(t, t.type().hardwarePattern(), (Integer) v[1]).isValid();
    }

    @Test
    void planFreeCallsEqualThePlanBasedOnes() {
        int checked = 0;
        List<String> problems = new ArrayList<>();
        for (DataType in : new DataType[] {DataType.FP32, DataType.FP16, DataType.BF16, DataType.INT8,
            DataType.FP8_E4M3, DataType.FP8_E5M2}) {
            for (int orientation = 0; orientation < 4; orientation++) {
                MatmulSpec spec = spec(in, orientation);
                long seed = 0xF2EEL + in.ordinal() * 8L + orientation;
                byte[] dense = randomDense(in, spec.bytesStructured() / in.byteSize(), new SplittableRandom(seed));
                String what = spec + " seed " + seed;
                MatmulPlan created;
                try {
                    created = ctx.createPlan(spec, PlanOptions.noSearch());
                } catch (CusparseLtException e) {
                    assertTrue(orientation != 0, what + ": the canonical orientation must plan: " + e.getMessage());
                    System.out.println("refused by cuSPARSELt, not compared: " + what + ": " + e.getMessage());
                    continue;
                }
                StringBuilder row = new StringBuilder(in + " orientation " + orientation + ":");
                try (MatmulPlan plan = created) {
                    assertEquals(plan.compressedSize(), ctx.compressedSize(spec), what + ": compressed size");
                    for (PruneMode mode : PruneMode.values()) {
                        if (mode == PruneMode.TILE && in == DataType.FP32) {
                            continue; // TILE is a 2:4 mode
                        }
                        byte[] viaPlan = plan.prune(dense, mode);
                        byte[] planFree = ctx.prune(spec, dense, mode);
                        boolean same = java.util.Arrays.equals(viaPlan, planFree);
                        boolean core = coreValid(spec, planFree);
                        boolean check2 = ctx.isPruned(spec, planFree);
                        boolean check = plan.isPruned(planFree);
                        row.append(String.format(" %s: Prune2==Prune %s, core valid along K %s, PruneCheck2 %s, PruneCheck %s;",
                                mode, same, core, check2, check));
                        if (!same || !core || check2 != core || check != core) {
                            problems.add(what + " " + mode + ": Prune2==Prune " + same + ", core validator " + core
                                    + ", PruneCheck2 " + check2 + ", PruneCheck " + check);
                        }
                    }
                    boolean denseCheck2 = ctx.isPruned(spec, dense);
                    boolean denseCore = coreValid(spec, dense);
                    row.append(" dense: PruneCheck2 ").append(denseCheck2).append(", core ").append(denseCore).append(';');
                    if (denseCheck2 != denseCore) {
                        problems.add(what + " dense input: PruneCheck2 " + denseCheck2 + ", core validator " + denseCore);
                    }
                    byte[] pruned = ctx.prune(spec, dense, PruneMode.STRIP);
                    byte[] compressed = ctx.compress(spec, pruned);
                    byte[] viaPlan;
                    try (DeviceBuffer d = ctx.upload(pruned); SparseOperand op = plan.compress(d)) {
                        viaPlan = op.toByteArray();
                    }
                    boolean sameCompressed = java.util.Arrays.equals(viaPlan, compressed);
                    row.append(" Compress2==Compress ").append(sameCompressed);
                    if (!sameCompressed) {
                        problems.add(what + ": Compress2 differs from Compress");
                    }
                    checked++;
                    Gpu.progress(row.toString());
                }
            }
        }
        System.out.println("plan-free calls compared on " + checked + " of 24 type/orientation cases");
        assertTrue(checked >= 6, "at least the canonical orientation of every type was compared: " + checked);
        assertTrue(problems.isEmpty(), problems.size() + " disagreement(s):\n" + String.join("\n", problems));
    }
}
