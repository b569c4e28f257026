package org.sparsity4j.cusparselt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparsity4j.core.compress.CompressedFormat;
import org.sparsity4j.core.compress.SparseCompressor;

/** Sparse products on the GPU against a float64 CPU reference, every type combination and layout. */
@Tag("gpu")
class MatmulGpuTest {

    private static SparseContext ctx;

    @org.junit.jupiter.api.BeforeEach
    void announce(org.junit.jupiter.api.TestInfo info) {
        Gpu.progress("START " + getClass().getSimpleName() + "." + info.getDisplayName());
    }

    @org.junit.jupiter.api.AfterEach
    void done(org.junit.jupiter.api.TestInfo info) {
        Gpu.progress("END   " + getClass().getSimpleName() + "." + info.getDisplayName());
    }

    @BeforeAll
    static void open() {
        Gpu.require();
        ctx = SparseContext.create(0);
        System.out.println("cuSPARSELt version " + ctx.libraryVersion());
    }

    @AfterAll
    static void close() {
        if (ctx != null) {
            ctx.close();
        }
    }

    static Stream<Arguments> combinations() {
        List<Arguments> out = new ArrayList<>();
        for (DataType in : DataType.values()) {
            for (DataType o : DataType.values()) {
                if (MatmulSpec.isSupportedCombination(in, o)) {
                    out.add(Arguments.of(in, o));
                }
            }
        }
        return out.stream();
    }

    /** The logical op(A) and op(B) of a spec (the structured one pruned) and their stored bytes. */
    record Operands(double[] opA, double[] opB, byte[] structured, byte[] other) {
        static Operands random(MatmulSpec s, SplittableRandom rnd) {
            int m = (int) s.m();
            int n = (int) s.n();
            int k = (int) s.k();
            int keep = s.input() == DataType.FP32 ? 1 : 2;
            int group = s.input() == DataType.FP32 ? 2 : 4;
            int maxAbs = maxAbs(s);
            double[] opA;
            double[] opB;
            if (s.structured() == Operand.A) {
                opA = Matrices.structured(rnd, m, k, 1, keep, group, maxAbs);
                opB = Matrices.dense(rnd, k, n, maxAbs);
            } else {
                opA = Matrices.dense(rnd, m, k, maxAbs);
                opB = Matrices.structured(rnd, k, n, 0, keep, group, maxAbs);
            }
            double[] storedA = s.opA() == Op.N ? opA : Matrices.transpose(opA, m, k);
            double[] storedB = s.opB() == Op.N ? opB : Matrices.transpose(opB, k, n);
            byte[] a = Matrices.encode(s.input(), storedA, (int) s.rowsA(), (int) s.colsA(), s.layoutA());
            byte[] b = Matrices.encode(s.input(), storedB, (int) s.rowsB(), (int) s.colsB(), s.layoutB());
            return s.structured() == Operand.A ? new Operands(opA, opB, a, b) : new Operands(opA, opB, b, a);
        }

        static int maxAbs(MatmulSpec s) {
            return s.output() == DataType.INT8 ? 1 : 3;
        }
    }

    /** Runs one spec with alpha=1,beta=0 and alpha=2,beta=1 and compares with float64. */
    static void checkSpec(MatmulPlan plan, long seed) {
        MatmulSpec s = plan.spec();
        SplittableRandom rnd = new SplittableRandom(seed);
        int m = (int) s.m();
        int n = (int) s.n();
        int k = (int) s.k();
        Operands ops = Operands.random(s, rnd);
        double[] opA = ops.opA();
        double[] opB = ops.opB();
        double[] c = Matrices.dense(rnd, m, n, Operands.maxAbs(s));
        byte[] cBytes = Matrices.encode(s.output(), c, m, n, s.layoutC());
        byte[] sp = ops.structured();
        byte[] other = ops.other();
        double[] bias = s.hasBias() ? Matrices.dense(rnd, m, 1, 3) : null;
        byte[] biasBytes = bias == null ? null : Matrices.encode(s.biasType(), bias, m, 1, Layout.ROW_MAJOR);
        for (double[] ab : new double[][] {{1, 0}, {2, 1}}) {
            byte[] cArg = ab[1] == 0 ? null : cBytes;
            byte[] d = bias == null ? plan.multiply(sp, other, cArg, (float) ab[0], (float) ab[1])
                    : plan.multiply(sp, other, cArg, biasBytes, (float) ab[0], (float) ab[1]);
            double[] got = Matrices.decode(s.output(), d, m, n, s.layoutC());
            double[] want = Matrices.reference(opA, opB, c, m, n, k, ab[0], ab[1]);
            if (bias != null) {
                for (int i = 0; i < want.length; i++) {
                    want[i] += bias[i / n];
                }
            }
            if (s.activation() == Activation.RELU) {
                for (int i = 0; i < want.length; i++) {
                    want[i] = Math.max(0, want[i]);
                }
            }
            // GELU: cuSPARSELt documents the tanh approximation; allow its distance from exact GELU
            // (and, for integer outputs, the rounding of a non-integer GELU value)
            boolean intOut = s.output() == DataType.INT8 || s.output() == DataType.INT32;
            double geluSlack = s.activation() != Activation.GELU ? 0 : intOut ? 0.502 : 2e-3;
            if (s.activation() == Activation.GELU) {
                for (int i = 0; i < want.length; i++) {
                    double x = want[i];
                    want[i] = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
                }
            }
            double rel = Matrices.relTol(s.output());
            for (int i = 0; i < want.length; i++) {
                double tol = 1e-6 + geluSlack + rel * Math.abs(want[i]);
                if (!(Math.abs(got[i] - want[i]) <= tol)) {
                    fail(s + " alpha=" + ab[0] + " beta=" + ab[1] + " seed=" + seed + ": D[" + (i / n) + "," + (i % n)
                            + "] = " + got[i] + ", float64 reference " + want[i]);
                }
            }
        }
    }

    /**
     * Where the plan runs the sparse kernel and the layout is proven: the operand compressed by
     * sparsity-core equals cuSPARSELt's (written bytes), {@link MatmulPlan#uploadCompressed} accepts both
     * and refuses them with one invalid metadata code, and a product on the uploaded core bytes equals
     * the product on the device-compressed operand bit for bit. Returns 1 if checked, 0 if not.
     */
    static int checkCompressedUpload(MatmulPlan plan, long seed) {
        MatmulSpec s = plan.spec();
        if (plan.backend() != Backend.SPARSE) {
            return 0;
        }
        CompressedFormat f = MatmulPlan.provenFormat(s, ctx.computeCapability(), ctx.libraryVersion());
        boolean strided8 = s.input().byteSize() == 1 && (s.structured() == Operand.A
                ? (s.opA() == Op.N) != (s.layoutA() == Layout.ROW_MAJOR)
                : (s.opB() == Op.N) != (s.layoutB() == Layout.COLUMN_MAJOR));
        if (f == null) {
            assertTrue(strided8 || ctx.computeCapability() != 90, s + ": no proven format on SM 9.0");
            return 0;
        }
        Operands ops = Operands.random(s, new SplittableRandom(seed));
        byte[] core = SparseCompressor.compress(f, ops.structured());
        assertEquals(plan.compressedSize(), core.length, s + ": compressed size");
        byte[] bad = core.clone();
        bad[f.metadataOffset()] &= (byte) 0xF0; // group (0, 0): code 0, invalid for 2:4 and 1:2
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.uploadCompressed(bad));
        assertTrue(e.getMessage().contains("invalid metadata code 0x0 at byte offset " + f.metadataOffset()
                + " (group at row 0, column 0)"), s + ": " + e.getMessage());
        try (DeviceBuffer dense = ctx.upload(ops.structured());
             SparseOperand onDevice = plan.compress(dense);
             SparseOperand uploaded = plan.uploadCompressed(core);
             DeviceBuffer other = ctx.upload(ops.other());
             DeviceBuffer d1 = ctx.allocate(s.bytesC());
             DeviceBuffer d2 = ctx.allocate(s.bytesC());
             DeviceBuffer bias = s.hasBias() ? ctx.allocate(s.bytesBias()) : null) {
            byte[] gpu = onDevice.toByteArray();
            for (int i = 0; i < f.writtenBytes(); i++) {
                if (gpu[i] != core[i]) {
                    fail(s + " seed " + seed + ": core and cuSPARSELt differ first at byte " + i);
                }
            }
            plan.uploadCompressed(gpu).close();
            if (bias != null) {
                bias.clear();
                plan.matmul(1f, onDevice, other.address(), 0f, d1.address(), d1.address(), bias.address(), 0);
                plan.matmul(1f, uploaded, other.address(), 0f, d2.address(), d2.address(), bias.address(), 0);
            } else {
                plan.matmul(1f, onDevice, other.address(), 0f, d1.address(), d1.address(), 0);
                plan.matmul(1f, uploaded, other.address(), 0f, d2.address(), d2.address(), 0);
            }
            ctx.synchronize();
            assertArrayEquals(d1.toByteArray(), d2.toByteArray(), s + " seed " + seed
                    + ": product on the uploaded core bytes differs from the device-compressed operand's");
        }
        return 1;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("combinations")
    void matchesFloat64ReferenceForEveryLayout(DataType in, DataType out) {
        long seed = 0x5EED0000L + in.ordinal() * 31L + out.ordinal();
        List<String> ran = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<String> refusedByJava = new ArrayList<>();
        int uploadsChecked = 0;
        int m = 128;
        int n = 64;
        int k = 128;
        for (Operand structured : Operand.values()) {
            for (Layout la : Layout.values()) {
                for (Layout lb : Layout.values()) {
                    for (Layout lc : Layout.values()) {
                        for (Op oa : Op.values()) {
                            for (Op ob : Op.values()) {
                                String tag = structured + ":" + (la == Layout.ROW_MAJOR ? "R" : "C") + oa
                                        + (lb == Layout.ROW_MAJOR ? "R" : "C") + ob
                                        + (lc == Layout.ROW_MAJOR ? "R" : "C");
                                MatmulSpec spec;
                                try {
                                    spec = MatmulSpec.builder(m, n, k).input(in).output(out)
                                            .layouts(la, lb, lc).ops(oa, ob).structured(structured).build();
                                } catch (IllegalArgumentException e) {
                                    // FP32 layouts on which cuSPARSELt 0.8 never returns from plan init
                                    assertTrue(in == DataType.FP32, e::getMessage);
                                    refusedByJava.add(tag);
                                    continue;
                                }
                                System.out.print(tag + " ");
                                System.out.flush();
                                MatmulPlan plan;
                                try {
                                    plan = ctx.createPlan(spec, PlanOptions.noSearch());
                                } catch (CusparseLtException e) {
                                    assertTrue(e.statusName().equals("CUSPARSE_STATUS_NOT_SUPPORTED")
                                            || e.statusName().equals("CUSPARSE_STATUS_INVALID_VALUE"), e::getMessage);
                                    refused.add(tag + "(" + e.call() + ")");
                                    continue;
                                }
                                try (plan) {
                                    checkSpec(plan, seed++);
                                    uploadsChecked += checkCompressedUpload(plan, seed++);
                                } catch (CusparseLtException e) {
                                    assertTrue(e.statusName().equals("CUSPARSE_STATUS_NOT_SUPPORTED"), e::getMessage);
                                    refused.add(tag + "(" + e.call() + ")");
                                    continue;
                                }
                                ran.add(tag);
                            }
                        }
                    }
                }
            }
        }
        System.out.println(java.time.Instant.now() + " " + in + "->" + out + ": verified " + ran.size() + " layouts " + ran);
        System.out.println(in + "->" + out + ": refused by cuSPARSELt " + refused.size() + " " + refused
                + "; refused by the Java checks " + refusedByJava.size() + " " + refusedByJava);
        System.out.println(in + "->" + out + ": core-compressed operands uploaded and checked in " + uploadsChecked
                + " layouts");
        assertTrue(uploadsChecked > 0, "no layout ran the upload check");
        // the layout every type supports: structured A row-major op N, B column-major op N (K contiguous)
        assertTrue(ran.stream().anyMatch(t -> t.startsWith("A:RNCN")),
                in + "->" + out + " must run with A row-major/N and B column-major/N; ran " + ran + ", refused " + refused);
    }

    @Test
    void reluEpilogueClampsNegativeResults() {
        MatmulSpec spec = MatmulSpec.builder(128, 64, 128).input(DataType.FP16).activation(Activation.RELU).build();
        try (MatmulPlan plan = ctx.createPlan(spec, PlanOptions.noSearch())) {
            checkSpec(plan, 77);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("combinations")
    void biasEpilogueAddsOneValuePerRowForEveryCombination(DataType in, DataType out) {
        for (Activation act : new Activation[] {Activation.NONE, Activation.RELU}) {
            if (act != Activation.NONE && out == DataType.INT32) {
                continue;
            }
            for (Layout lc : Layout.values()) {
                MatmulSpec spec = MatmulSpec.builder(128, 64, 128).input(in).output(out).bias(true).activation(act)
                        .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, lc).build();
                try (MatmulPlan plan = ctx.createPlan(spec, PlanOptions.noSearch())) {
                    checkSpec(plan, 900 + in.ordinal() * 10 + out.ordinal());
                }
                System.out.println("bias " + spec + ": verified (bias type " + spec.biasType() + ")");
            }
        }
    }

    @Test
    void biasVectorCanChangeBetweenProductsOfOnePlan() {
        MatmulSpec spec = MatmulSpec.builder(128, 64, 256).input(DataType.FP16).bias(true)
                .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.ROW_MAJOR).build();
        SplittableRandom rnd = new SplittableRandom(606);
        double[] a = Matrices.structured(rnd, 128, 256, 1, 2, 4, 3);
        double[] b = Matrices.dense(rnd, 256, 64, 3);
        double[] bias1 = Matrices.dense(rnd, 128, 1, 3);
        double[] bias2 = Matrices.dense(rnd, 128, 1, 3);
        try (MatmulPlan plan = ctx.createPlan(spec, PlanOptions.searched());
             DeviceBuffer aDev = ctx.upload(Matrices.encode(DataType.FP16, a, 128, 256, Layout.ROW_MAJOR));
             SparseOperand op = plan.compress(aDev);
             DeviceBuffer bDev = ctx.upload(Matrices.encode(DataType.FP16, b, 256, 64, Layout.COLUMN_MAJOR));
             DeviceBuffer b1 = ctx.upload(Matrices.encode(DataType.FP16, bias1, 128, 1, Layout.ROW_MAJOR));
             DeviceBuffer b2 = ctx.upload(Matrices.encode(DataType.FP16, bias2, 128, 1, Layout.ROW_MAJOR));
             DeviceBuffer d1 = ctx.allocate(spec.bytesC());
             DeviceBuffer d2 = ctx.allocate(spec.bytesC());
             DeviceBuffer d3 = ctx.allocate(spec.bytesC())) {
            plan.matmul(1f, op, bDev.address(), 0f, d1.address(), d1.address(), b1.address(), 0);
            plan.matmul(1f, op, bDev.address(), 0f, d2.address(), d2.address(), b2.address(), 0);
            plan.matmul(1f, op, bDev.address(), 0f, d3.address(), d3.address(), b1.address(), 0);
            ctx.synchronize();
            double[] product = Matrices.reference(a, b, null, 128, 64, 256, 1, 0);
            for (Object[] c : new Object[][] {{d1, bias1}, {d2, bias2}, {d3, bias1}}) {
                double[] got = Matrices.decode(DataType.FP16, ((DeviceBuffer) c[0]).toByteArray(), 128, 64, Layout.ROW_MAJOR);
                double[] bias = (double[]) c[1];
                for (int i = 0; i < got.length; i++) {
                    assertEquals(product[i] + bias[i / 64], got[i], 1e-9, "D[" + i / 64 + "," + i % 64 + "]");
                }
            }
            // misuse is refused before cuSPARSELt sees it
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> plan.matmul(1f, op, bDev.address(), 0f, d1.address(), d1.address(), 0));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> plan.matmul(1f, op, bDev.address(), 0f, d1.address(), d1.address(), 0L, 0));
        }
    }

    @Test
    void searchedDenseFallbackTimesTheSearchedKernelAndStaysCorrect() {
        for (long m : new long[] {64, 4096}) {
            MatmulSpec spec = MatmulSpec.builder(m, 64, 4096).input(DataType.BF16)
                    .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR).build();
            try (MatmulPlan plan = ctx.createPlan(spec, PlanOptions.searchedWithDenseFallback())) {
                System.out.println("searched + dense fallback for " + spec + ": " + plan.backend() + " - "
                        + plan.selectionReason() + "; kernel " + plan.algorithm());
                assertTrue(plan.selectionReason().contains("median of 20"), plan.selectionReason());
                checkSpec(plan, 41 + m);
            }
        }
        MatmulSpec withBias = MatmulSpec.builder(64, 64, 4096).input(DataType.BF16).bias(true)
                .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR).build();
        try (MatmulPlan plan = ctx.createPlan(withBias, PlanOptions.searchedWithDenseFallback())) {
            assertEquals(Backend.SPARSE, plan.backend());
            assertTrue(plan.selectionReason().contains("no bias epilogue"), plan.selectionReason());
            checkSpec(plan, 43);
        }
    }

    @Test
    void fp32OneToTwoInTheCanonicalLayout() {
        MatmulSpec spec = MatmulSpec.builder(128, 64, 128).input(DataType.FP32)
                .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR).build();
        try (MatmulPlan plan = ctx.createPlan(spec, PlanOptions.noSearch())) {
            checkSpec(plan, 32);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("combinations")
    void geluEpilogueMatchesTheTanhApproximationWhereOffered(DataType in, DataType out) {
        MatmulSpec.Builder b = MatmulSpec.builder(128, 64, 128).input(in).output(out).activation(Activation.GELU)
                .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR);
        if (!MatmulSpec.offersGelu(in, out)) {
            // cuSPARSELt 0.8 refuses GELU here (INVALID_VALUE); Java refuses it first
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, b::build);
            System.out.println("GELU " + in + "->" + out + ": refused by the Java checks: " + e.getMessage());
            return;
        }
        try (MatmulPlan plan = ctx.createPlan(b.build(), PlanOptions.noSearch())) {
            checkSpec(plan, 78 + in.ordinal());
            System.out.println("GELU " + in + "->" + out + ": verified against the tanh approximation");
        }
    }

    @Test
    void planFromASavedAlgorithmReproducesTheSearchedPlan() {
        MatmulSpec spec = MatmulSpec.builder(512, 64, 1024).input(DataType.BF16)
                .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR).build();
        SplittableRandom rnd = new SplittableRandom(2024);
        double[] a = Matrices.structured(rnd, 512, 1024, 1, 2, 4, 3);
        double[] b = Matrices.dense(rnd, 1024, 64, 3);
        byte[] aBytes = Matrices.encode(DataType.BF16, a, 512, 1024, Layout.ROW_MAJOR);
        byte[] bBytes = Matrices.encode(DataType.BF16, b, 1024, 64, Layout.COLUMN_MAJOR);
        AlgorithmConfig found;
        byte[] searched;
        try (MatmulPlan plan = ctx.createPlan(spec, PlanOptions.searched())) {
            found = plan.algorithm();
            searched = plan.multiply(aBytes, bBytes, null, 1f, 0f);
            System.out.println("searched " + spec + ": " + found + ", compressed " + plan.compressedSize()
                    + " bytes, workspace " + plan.workspaceSize() + " bytes");
        }
        try (MatmulPlan again = ctx.createPlan(spec, PlanOptions.withAlgorithm(found))) {
            assertEquals(found, again.algorithm());
            assertArrayEquals(searched, again.multiply(aBytes, bBytes, null, 1f, 0f),
                    "the saved configuration " + found + " gives the searched plan's bytes");
            checkSpec(again, 2025);
        }
    }

    @Test
    void cachedPlanIsReusedAndReplacedOnceClosed() {
        MatmulSpec spec = MatmulSpec.builder(256, 128, 256).input(DataType.BF16)
                .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.ROW_MAJOR).build();
        MatmulPlan cached = ctx.plan(spec);
        assertTrue(cached == ctx.plan(spec), "cache returns the same plan for an equal spec");
        checkSpec(cached, 1234);
        cached.close();
        MatmulPlan again = ctx.plan(spec);
        assertTrue(again != cached && !again.isClosed(), "a closed cached plan is replaced");
    }

    @Test
    void searchedPlanMatchesReferenceOnAFreshlyCompressedOperand() {
        // the path that faulted in the first H100 runs: search, then compress with the searched plan
        MatmulSpec spec = MatmulSpec.builder(4096, 16, 4096).input(DataType.FP16)
                .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR).build();
        try (MatmulPlan plan = ctx.createPlan(spec, PlanOptions.searched())) {
            assertTrue(plan.algorithmId() >= 0);
            System.out.println("searched " + spec + ": " + plan.algorithm() + ", compressed " + plan.compressedSize()
                    + " bytes, workspace " + plan.workspaceSize() + " bytes");
            checkSpec(plan, 4321);
        }
    }

    @Test
    void compressedBytesRoundTripThroughHostUpload() {
        MatmulSpec spec = MatmulSpec.builder(128, 64, 256).input(DataType.FP16)
                .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.ROW_MAJOR).build();
        SplittableRandom rnd = new SplittableRandom(99);
        double[] a = Matrices.structured(rnd, 128, 256, 1, 2, 4, 3);
        double[] b = Matrices.dense(rnd, 256, 64, 3);
        byte[] aBytes = Matrices.encode(DataType.FP16, a, 128, 256, Layout.ROW_MAJOR);
        byte[] bBytes = Matrices.encode(DataType.FP16, b, 256, 64, Layout.COLUMN_MAJOR);
        try (MatmulPlan plan = ctx.createPlan(spec, PlanOptions.noSearch());
             DeviceBuffer dense = ctx.upload(aBytes);
             SparseOperand onDevice = plan.compress(dense);
             SparseOperand uploaded = plan.uploadCompressed(onDevice.toByteArray());
             DeviceBuffer bDev = ctx.upload(bBytes);
             DeviceBuffer d1 = ctx.allocate(spec.bytesC());
             DeviceBuffer d2 = ctx.allocate(spec.bytesC())) {
            assertEquals(plan.compressedSize(), onDevice.byteSize());
            plan.matmul(1f, onDevice, bDev.address(), 0f, d1.address(), d1.address(), 0);
            plan.matmul(1f, uploaded, bDev.address(), 0f, d2.address(), d2.address(), 0);
            ctx.synchronize();
            byte[] r1 = d1.toByteArray();
            assertArrayEquals(r1, d2.toByteArray());
            double[] want = Matrices.reference(a, b, null, 128, 64, 256, 1, 0);
            double[] got = Matrices.decode(DataType.FP16, r1, 128, 64, Layout.ROW_MAJOR);
            assertArrayEquals(want, got, 1e-9);
        }
    }

    @Test
    void workOnACallerStream() {
        MatmulSpec spec = MatmulSpec.builder(128, 128, 128).input(DataType.FP16).build();
        SplittableRandom rnd = new SplittableRandom(5);
        double[] a = Matrices.structured(rnd, 128, 128, 1, 2, 4, 3);
        double[] b = Matrices.dense(rnd, 128, 128, 3);
        try (CudaStream stream = ctx.createStream();
             MatmulPlan plan = ctx.createPlan(spec, PlanOptions.defaults());
             DeviceBuffer aDev = ctx.upload(Matrices.encode(DataType.FP16, a, 128, 128, Layout.ROW_MAJOR));
             DeviceBuffer bDev = ctx.upload(Matrices.encode(DataType.FP16, b, 128, 128, Layout.ROW_MAJOR));
             DeviceBuffer compressed = ctx.allocate(plan.compressedSize());
             DeviceBuffer d = ctx.allocate(spec.bytesC())) {
            plan.compress(aDev.address(), compressed.address(), stream.handle());
            plan.matmulSparse(1f, compressed.address(), bDev.address(), 0f, d.address(), d.address(), stream.handle());
            stream.synchronize();
            double[] got = Matrices.decode(DataType.FP16, d.toByteArray(), 128, 128, Layout.ROW_MAJOR);
            assertArrayEquals(Matrices.reference(a, b, null, 128, 128, 128, 1, 0), got, 1e-9);
        }
    }

    static Stream<Arguments> denseTypes() {
        return Stream.of(Arguments.of(DataType.FP16, DataType.FP16), Arguments.of(DataType.BF16, DataType.BF16),
                Arguments.of(DataType.FP32, DataType.FP32), Arguments.of(DataType.INT8, DataType.INT32));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("denseTypes")
    void denseCublasPathMatchesReferenceForEveryLayout(DataType in, DataType out) {
        int m = 64;
        int n = 32;
        int k = 128;
        long seed = 4242 + in.ordinal();
        for (Layout la : Layout.values()) {
            for (Layout lb : Layout.values()) {
                for (Layout lc : Layout.values()) {
                    for (Op oa : Op.values()) {
                        for (Op ob : Op.values()) {
                            if (in == DataType.INT8 && !(la == Layout.ROW_MAJOR && oa == Op.N
                                    && lb == Layout.COLUMN_MAJOR && ob == Op.N && lc == Layout.COLUMN_MAJOR)) {
                                continue; // cuBLAS INT8 GEMM is documented for the TN layout only
                            }
                            MatmulSpec s;
                            try {
                                s = MatmulSpec.builder(m, n, k).input(in).output(out).layouts(la, lb, lc)
                                        .ops(oa, ob).build();
                            } catch (IllegalArgumentException e) {
                                assertTrue(in == DataType.FP32, e::getMessage); // FP32 layouts cuSPARSELt cannot plan
                                continue;
                            }
                            SplittableRandom rnd = new SplittableRandom(seed++);
                            double[] a = Matrices.dense(rnd, m, k, 3);
                            double[] b = Matrices.dense(rnd, k, n, 3);
                            double[] sa = oa == Op.N ? a : Matrices.transpose(a, m, k);
                            double[] sb = ob == Op.N ? b : Matrices.transpose(b, k, n);
                            try (DeviceBuffer ad = ctx.upload(Matrices.encode(in, sa, (int) s.rowsA(), (int) s.colsA(), la));
                                 DeviceBuffer bd = ctx.upload(Matrices.encode(in, sb, (int) s.rowsB(), (int) s.colsB(), lb));
                                 DeviceBuffer dd = ctx.allocate(s.bytesC())) {
                                ctx.dense().gemm(s, 1f, ad.address(), bd.address(), 0f, dd.address(), dd.address(), 0);
                                ctx.synchronize();
                                double[] got = Matrices.decode(out, dd.toByteArray(), m, n, lc);
                                double[] want = Matrices.reference(a, b, null, m, n, k, 1, 0);
                                for (int i = 0; i < want.length; i++) {
                                    double tol = 1e-6 + Matrices.relTol(out) * Math.abs(want[i]);
                                    if (!(Math.abs(got[i] - want[i]) <= tol)) {
                                        fail("dense " + s + ": D[" + i + "] = " + got[i] + " want " + want[i]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void denseFallbackDecidesOnMeasuredTimesAndStaysCorrect() {
        for (long m : new long[] {64, 4096}) {
            MatmulSpec spec = MatmulSpec.builder(m, 64, 4096).input(DataType.BF16)
                    .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR).build();
            try (MatmulPlan plan = ctx.createPlan(spec, PlanOptions.withDenseFallback())) {
                System.out.println("dense fallback for " + spec + ": " + plan.backend() + " - " + plan.selectionReason());
                assertTrue(plan.selectionReason().contains("median of 20"), plan.selectionReason());
                checkSpec(plan, 31 + m);
            }
        }
    }
}
