package org.sparsity4j.probe;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.sparsity4j.core.tensor.Fp8;
import org.sparsity4j.core.tensor.HalfFloats;
import org.sparsity4j.cusparselt.Activation;
import org.sparsity4j.cusparselt.AlgorithmConfig;
import org.sparsity4j.cusparselt.Backend;
import org.sparsity4j.cusparselt.CudaStream;
import org.sparsity4j.cusparselt.CusparseLt;
import org.sparsity4j.cusparselt.CusparseLtException;
import org.sparsity4j.cusparselt.DataType;
import org.sparsity4j.cusparselt.DeviceBuffer;
import org.sparsity4j.cusparselt.Layout;
import org.sparsity4j.cusparselt.MatmulPlan;
import org.sparsity4j.cusparselt.MatmulSpec;
import org.sparsity4j.cusparselt.Op;
import org.sparsity4j.cusparselt.Operand;
import org.sparsity4j.cusparselt.PlanOptions;
import org.sparsity4j.cusparselt.PruneMode;
import org.sparsity4j.cusparselt.SparseContext;
import org.sparsity4j.cusparselt.SparseOperand;

/**
 * Adversarial misuse probe of sparsity-cusparselt's public API. One case per JVM:
 * {@code MisuseProbe <case>} prints exactly one line
 * {@code CASE <name>: <OUTCOME> <exception class>: <message, first 200 chars>} and exits 0, where
 * OUTCOME is OK-REFUSED (a documented exception type), WRONG-EXCEPTION (another type), NO-ERROR (the
 * misuse was accepted; the message then says what happened) or SETUP-FAILED (the case could not reach
 * its misuse step, e.g. no GPU). {@code list} prints the case names, {@code describe} the names with
 * the expected types and what each case does, {@code info} the availability of cuSPARSELt.
 */
public final class MisuseProbe {

    private static final Class<? extends Throwable> IAE = IllegalArgumentException.class;
    private static final Class<? extends Throwable> ISE = IllegalStateException.class;
    private static final Class<? extends Throwable> NPE = NullPointerException.class;
    private static final Class<? extends Throwable> CLE = CusparseLtException.class;
    private static final Layout R = Layout.ROW_MAJOR;
    private static final Layout C = Layout.COLUMN_MAJOR;
    /** 16-byte aligned, far from anything a process maps on x86-64 Linux. */
    private static final long BOGUS_ADDRESS = 0xBAD00000000L;
    private static final long BOGUS_STREAM = 0x1000L;

    @FunctionalInterface
    interface Body {
        void run(Run r) throws Throwable;
    }

    @FunctionalInterface
    interface Step {
        void run() throws Throwable;
    }

    record Case(String name, boolean gpu, String doc, Body body, List<Class<? extends Throwable>> expected) {
    }

    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    @SafeVarargs
    private static void add(String name, boolean gpu, String doc, Body body, Class<? extends Throwable>... expected) {
        if (CASES.put(name, new Case(name, gpu, doc, body, List.of(expected))) != null) {
            throw new AssertionError("duplicate case " + name);
        }
    }

    /** Thrown by setup code that cannot go on (no GPU, precondition not obtainable). */
    static final class Setup extends RuntimeException {
        Setup(String m) {
            super(m);
        }
    }

    /** Something that must not throw did (second close, ...): reported as WRONG-EXCEPTION. */
    static final class Unexpected extends RuntimeException {
        Unexpected(String m, Throwable cause) {
            super(m, cause);
        }
    }

    /** State of one case run. */
    static final class Run {
        final Case c;
        boolean reported;
        String note = "misuse accepted silently";
        SparseContext ctx;
        final List<AutoCloseable> extra = new ArrayList<>();

        Run(Case c) {
            this.c = c;
        }

        void requireGpu() {
            if (!CusparseLt.isAvailable()) {
                throw new Setup("no usable GPU/cuSPARSELt: " + CusparseLt.unavailableReason());
            }
        }

        SparseContext ctx() {
            if (ctx == null) {
                requireGpu();
                ctx = SparseContext.create(0);
            }
            return ctx;
        }

        /** A second context, closed at the end. */
        SparseContext newContext() {
            requireGpu();
            SparseContext x = SparseContext.create(0);
            extra.add(x);
            return x;
        }

        void note(String n) {
            note = n;
        }

        /** Runs the misuse step and classifies what it did. */
        void attempt(Step s) {
            Throwable t = null;
            try {
                s.run();
            } catch (Throwable x) {
                t = x;
            }
            if (t == null) {
                report("NO-ERROR", "none", note);
            } else {
                classify(t);
            }
        }

        void classify(Throwable t) {
            t.printStackTrace();
            if (t instanceof Unexpected u) {
                Throwable cause = u.getCause();
                report("WRONG-EXCEPTION", cause.getClass().getName(), u.getMessage());
                return;
            }
            Throwable k = t instanceof Noted && t.getCause() != null ? t.getCause() : t;
            boolean ok = c.expected.stream().anyMatch(e -> e.isInstance(k));
            report(ok ? "OK-REFUSED" : "WRONG-EXCEPTION", k.getClass().getName(), message(t));
        }

        void report(String outcome, String cls, String msg) {
            if (reported) {
                System.err.println("(second report ignored: " + outcome + " " + cls + ": " + msg + ")");
                return;
            }
            reported = true;
            System.out.println("CASE " + c.name + ": " + outcome + " " + cls + ": " + clip(msg));
            System.out.flush();
        }
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            StackTraceElement[] st = t.getStackTrace();
            m = "(no message) at " + (st.length > 0 ? st[0] : "?");
        }
        return m;
    }

    static String clip(String s) {
        String one = (s == null ? "(null)" : s).replaceAll("\\s+", " ").trim();
        return one.length() <= 200 ? one : one.substring(0, 200);
    }

    static void mustNotThrow(String what, Step s) {
        try {
            s.run();
        } catch (Throwable t) {
            throw new Unexpected(what + " threw " + t.getClass().getSimpleName() + ": " + message(t), t);
        }
    }

    /** An FP16 128x64x128 plan with a caller's algorithm configuration, one product, its D checked. */
    static void multiplyWithAlgorithm(Run r, AlgorithmConfig config) {
        SparseContext ctx = r.ctx();
        MatmulSpec s = fp16(128, 64, 128);
        r.attempt(() -> {
            try (MatmulPlan p = ctx.createPlan(s, PlanOptions.withAlgorithm(config))) {
                byte[] d = p.multiply(structuredOnes(s), denseOnes(s), null, 1f, 0f);
                r.note("accepted; plan.algorithm()=" + p.algorithm() + "; " + checkD(s, d, 64));
            }
        });
    }

    // ---------------------------------------------------------------- data helpers

    static MatmulSpec spec(DataType in, DataType out, long m, long n, long k) {
        return MatmulSpec.builder(m, n, k).input(in).output(out).layouts(R, C, R).build();
    }

    static MatmulSpec fp16(long m, long n, long k) {
        return spec(DataType.FP16, DataType.FP16, m, n, k);
    }

    static DataType naturalOutput(DataType in) {
        return switch (in) {
            case INT8 -> DataType.INT32;
            case FP8_E4M3, FP8_E5M2 -> DataType.FP16;
            default -> in;
        };
    }

    static void put(ByteBuffer b, int idx, DataType t, double v) {
        int s = t.byteSize();
        switch (t) {
            case FP32 -> b.putFloat(idx * s, (float) v);
            case FP16 -> b.putShort(idx * s, HalfFloats.floatToFp16((float) v));
            case BF16 -> b.putShort(idx * s, HalfFloats.floatToBf16((float) v));
            case INT8 -> b.put(idx, (byte) Math.round(v));
            case INT32 -> b.putInt(idx * s, (int) Math.round(v));
            case FP8_E4M3 -> b.put(idx, Fp8.floatToE4M3((float) v));
            case FP8_E5M2 -> b.put(idx, Fp8.floatToE5M2((float) v));
        }
    }

    static double get(ByteBuffer b, int idx, DataType t) {
        int s = t.byteSize();
        return switch (t) {
            case FP32 -> b.getFloat(idx * s);
            case FP16 -> HalfFloats.fp16ToFloat(b.getShort(idx * s));
            case BF16 -> HalfFloats.bf16ToFloat(b.getShort(idx * s));
            case INT8 -> b.get(idx);
            case INT32 -> b.getInt(idx * s);
            default -> throw new IllegalStateException("probe helper: no decoder for " + t);
        };
    }

    static byte[] fill(DataType t, long count, double v) {
        ByteBuffer b = ByteBuffer.allocate((int) (count * t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            put(b, i, t, v);
        }
        return b.array();
    }

    /** Structured A, row-major op N (the canonical orientation): ones on the first 2 of 4 (1 of 2 for FP32). */
    static byte[] structuredOnes(MatmulSpec s) {
        if (s.structured() != Operand.A || s.layoutA() != R || s.opA() != Op.N) {
            throw new IllegalStateException("probe helper: canonical orientation expected, got " + s);
        }
        int m = (int) s.m();
        int k = (int) s.k();
        int group = s.input() == DataType.FP32 ? 2 : 4;
        int keep = group / 2;
        ByteBuffer b = ByteBuffer.allocate(m * k * s.input().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                put(b, i * k + j, s.input(), j % group < keep ? 1 : 0);
            }
        }
        return b.array();
    }

    static byte[] denseOnes(MatmulSpec s) {
        return fill(s.input(), s.k() * s.n(), 1);
    }

    /** D of the ones product is K/2 everywhere; says whether it is. */
    static String checkD(MatmulSpec s, byte[] d, double want) {
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) (s.m() * s.n());
        int wrong = 0;
        String first = null;
        for (int i = 0; i < n; i++) {
            double g = get(b, i, s.output());
            if (!(Math.abs(g - want) <= 1e-2 * Math.abs(want) + 1e-6)) {
                if (first == null) {
                    first = "D[" + i + "]=" + g;
                }
                wrong++;
            }
        }
        return wrong == 0 ? "result correct (all " + want + ")" : "result WRONG in " + wrong + "/" + n + " (" + first
                + ", want " + want + ")";
    }

    /** D summary without an expectation (garbage inputs). */
    static String summary(MatmulSpec s, byte[] d) {
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) (s.m() * s.n());
        int nan = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double g = get(b, i, s.output());
            if (Double.isNaN(g)) {
                nan++;
            } else {
                min = Math.min(min, g);
                max = Math.max(max, g);
            }
        }
        return "D: " + nan + " NaN of " + n + ", range [" + min + ", " + max + "]";
    }

    /** A compressed ones operand, the dense ones B and a D buffer for a plan. */
    static final class Prod {
        final MatmulSpec spec;
        final MatmulPlan plan;
        final DeviceBuffer a;
        final SparseOperand op;
        final DeviceBuffer b;
        final DeviceBuffer d;

        Prod(SparseContext ctx, MatmulSpec spec) {
            this(ctx, spec, PlanOptions.noSearch());
        }

        Prod(SparseContext ctx, MatmulSpec spec, PlanOptions options) {
            this.spec = spec;
            plan = ctx.createPlan(spec, options);
            a = ctx.upload(structuredOnes(spec));
            op = plan.compress(a);
            b = ctx.upload(denseOnes(spec));
            d = ctx.allocate(spec.bytesC());
        }

        void matmul(long stream) {
            plan.matmul(1f, op, b.address(), 0f, d.address(), d.address(), stream);
        }

        String check() {
            return checkD(spec, d.toByteArray(), spec.k() / 2.0);
        }
    }

    /** Tries tiny shapes with the dense fallback until one picks dense cuBLAS. */
    static MatmulPlan densePlan(SparseContext ctx) {
        StringBuilder tried = new StringBuilder();
        long[][] shapes = {{16, 8, 16}, {32, 16, 32}, {64, 64, 64}, {64, 64, 4096}, {128, 64, 128}};
        for (DataType t : new DataType[] {DataType.FP16, DataType.BF16, DataType.FP32}) {
            for (long[] sh : shapes) {
                MatmulSpec s = spec(t, t, sh[0], sh[1], sh[2]);
                MatmulPlan p;
                try {
                    p = ctx.createPlan(s, new PlanOptions(false, true, 5));
                } catch (CusparseLtException e) {
                    tried.append(t).append(' ').append(sh[0]).append('x').append(sh[1]).append('x').append(sh[2])
                            .append(" refused; ");
                    continue;
                }
                if (p.backend() == Backend.DENSE) {
                    System.err.println("dense plan: " + s + " - " + p.selectionReason());
                    return p;
                }
                tried.append(t).append(' ').append(sh[0]).append('x').append(sh[1]).append('x').append(sh[2]).append("; ");
                p.close();
            }
        }
        throw new Setup("no shape made the dense fallback choose DENSE (tried " + tried + ")");
    }

    static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    // ---------------------------------------------------------------- cases

    static {
        // ---- MatmulSpec / options validation (pure Java, documented: IllegalArgumentException from build())
        add("spec-negative-dim", false, "MatmulSpec.builder(128,-64,128).build(); build() documents IAE for non-positive dims",
                r -> r.attempt(() -> MatmulSpec.builder(128, -64, 128).build()), IAE);
        add("spec-dims-over-31-bits", false, "builder(2^31, 64, 128).build(); build() documents IAE (dims must fit 31 bits)",
                r -> r.attempt(() -> MatmulSpec.builder(1L << 31, 64, 128).build()), IAE);
        add("spec-not-multiple", false, "FP16 M=100 (structured A needs multiples of 16); IAE from build()",
                r -> r.attempt(() -> MatmulSpec.builder(100, 64, 128).input(DataType.FP16).build()), IAE);
        add("spec-unsupported-types", false, "FP16 -> FP32 output (not a cuSPARSELt 0.8 combination); IAE from build()",
                r -> r.attempt(() -> MatmulSpec.builder(128, 64, 128).input(DataType.FP16).output(DataType.FP32).build()), IAE);
        add("spec-gelu-fp16", false, "GELU on FP16->FP16 (README: refused up front); IAE from build()",
                r -> r.attempt(() -> MatmulSpec.builder(128, 64, 128).input(DataType.FP16).activation(Activation.GELU)
                        .layouts(R, C, R).build()), IAE);
        add("spec-relu-int32-output", false, "RELU with INT8->INT32; IAE from build()",
                r -> r.attempt(() -> MatmulSpec.builder(128, 64, 128).input(DataType.INT8).activation(Activation.RELU)
                        .layouts(R, C, R).build()), IAE);
        add("spec-fp32-noncontiguous-k", false, "FP32 with B row-major op N (PlanInit never returns); IAE from build()",
                r -> r.attempt(() -> MatmulSpec.builder(128, 64, 128).input(DataType.FP32).layouts(R, R, R).build()), IAE);
        add("spec-byte-count-overflow", false,
                "FP32 m=n=k=2147483640 (31-bit, multiples of 8): bytesA/B/C overflow long; expected IAE from build()",
                r -> r.attempt(() -> {
                    MatmulSpec s = MatmulSpec.builder(2147483640L, 2147483640L, 2147483640L).input(DataType.FP32)
                            .layouts(R, C, R).build();
                    r.note("build() accepted; bytesA=" + s.bytesA() + " bytesB=" + s.bytesB() + " bytesC=" + s.bytesC()
                            + " bytesStructured=" + s.bytesStructured() + (s.bytesA() < 0 || s.bytesC() < 0
                            ? " (NEGATIVE: silent long overflow)" : ""));
                }), IAE);
        add("planoptions-zero-iterations", false, "new PlanOptions(false,true,0); record documents IAE",
                r -> r.attempt(() -> new PlanOptions(false, true, 0)), IAE);
        add("planoptions-search-with-algorithm", false, "new PlanOptions(search=true, ..., algorithm); documented IAE",
                r -> r.attempt(() -> new PlanOptions(true, false, 20, new AlgorithmConfig(0, 1, 0, 1))), IAE);
        add("algorithm-negative-id", false, "new AlgorithmConfig(-1,...); documented IAE",
                r -> r.attempt(() -> new AlgorithmConfig(-1, 1, 0, 1)), IAE);

        // ---- context
        add("context-device-negative", true, "SparseContext.create(-1); Javadoc: IAE when the ordinal is out of range",
                r -> {
                    r.requireGpu();
                    r.attempt(() -> SparseContext.create(-1).close());
                }, IAE);
        add("context-device-out-of-range", true, "SparseContext.create(deviceCount); Javadoc: IAE",
                r -> {
                    r.requireGpu();
                    r.attempt(() -> SparseContext.create(CusparseLt.deviceCount()).close());
                }, IAE);

        // ---- buffers
        add("allocate-zero", true, "ctx.allocate(0); Javadoc: size must be positive -> IAE",
                r -> {
                    SparseContext ctx = r.ctx();
                    r.attempt(() -> ctx.allocate(0));
                }, IAE);
        add("allocate-huge", true, "ctx.allocate(Long.MAX_VALUE); cudaMalloc fails -> CusparseLtException (IAE also accepted)",
                r -> {
                    SparseContext ctx = r.ctx();
                    r.attempt(() -> ctx.allocate(Long.MAX_VALUE));
                }, CLE, IAE);
        add("upload-null", true, "ctx.upload(null); null argument -> NPE (Objects.requireNonNull) or IAE",
                r -> {
                    SparseContext ctx = r.ctx();
                    r.attempt(() -> ctx.upload(null));
                }, NPE, IAE);
        add("copy-too-large", true, "64-byte buffer, copyFrom(65 bytes); Javadoc: at most byteSize -> IAE",
                r -> {
                    DeviceBuffer buf = r.ctx().allocate(64);
                    r.attempt(() -> buf.copyFrom(new byte[65]));
                }, IAE);
        add("copy-offset-overflow", true,
                "copyFrom(16 bytes, offset Long.MAX_VALUE-8): offset+length overflows the range check; expected IAE",
                r -> {
                    DeviceBuffer buf = r.ctx().allocate(64);
                    r.attempt(() -> buf.copyFrom(new byte[16], Long.MAX_VALUE - 8));
                }, IAE);

        // ---- lifecycle
        add("plan-use-after-close", true, "plan.close() then plan.matmul(...); IllegalStateException",
                r -> {
                    Prod x = new Prod(r.ctx(), fp16(128, 64, 128));
                    x.plan.close();
                    r.attempt(() -> x.matmul(0));
                }, ISE);
        add("plan-double-close-then-compress", true, "plan.close() twice (second must not throw), then compress; ISE",
                r -> {
                    Prod x = new Prod(r.ctx(), fp16(128, 64, 128));
                    r.attempt(() -> {
                        x.plan.close();
                        mustNotThrow("second plan.close()", x.plan::close);
                        x.plan.compress(x.a);
                    });
                }, ISE);
        add("buffer-double-close-then-toByteArray", true, "DeviceBuffer.close() twice, then toByteArray(); ISE",
                r -> {
                    DeviceBuffer buf = r.ctx().allocate(64);
                    r.attempt(() -> {
                        buf.close();
                        mustNotThrow("second buffer.close()", buf::close);
                        buf.toByteArray();
                    });
                }, ISE);
        add("operand-closed-then-matmul", true, "SparseOperand.close() then plan.matmul with it; ISE",
                r -> {
                    Prod x = new Prod(r.ctx(), fp16(128, 64, 128));
                    x.op.close();
                    r.attempt(() -> x.matmul(0));
                }, ISE);
        add("context-closed-plan-alive-matmul", true,
                "ctx.close() while a plan/operand/buffers are alive (addresses kept), then plan.matmul; ISE",
                r -> {
                    SparseContext ctx = r.ctx();
                    Prod x = new Prod(ctx, fp16(128, 64, 128));
                    long b = x.b.address();
                    long d = x.d.address();
                    r.attempt(() -> {
                        ctx.close();
                        x.plan.matmul(1f, x.op, b, 0f, d, d, 0);
                    });
                }, ISE);
        add("context-closed-planfree-prune", true, "ctx.close() then ctx.prune(spec, oldAddress, oldAddress, STRIP, 0); ISE",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulSpec s = fp16(128, 64, 128);
                    DeviceBuffer a = ctx.upload(structuredOnes(s));
                    long addr = a.address();
                    r.attempt(() -> {
                        ctx.close();
                        ctx.prune(s, addr, addr, PruneMode.STRIP, 0);
                    });
                }, ISE);
        add("context-closed-operand-into-other-context", true,
                "operand of context 1, context 1 closed, used with a plan of context 2 (same spec); ISE",
                r -> {
                    SparseContext ctx1 = r.ctx();
                    SparseContext ctx2 = r.newContext();
                    MatmulSpec s = fp16(128, 64, 128);
                    Prod x1 = new Prod(ctx1, s);
                    Prod x2 = new Prod(ctx2, s);
                    r.attempt(() -> {
                        ctx1.close();
                        x2.plan.matmul(1f, x1.op, x2.b.address(), 0f, x2.d.address(), x2.d.address(), 0);
                        ctx2.synchronize();
                    });
                }, ISE);
        add("cached-plan-closed-reuse", true, "p = ctx.plan(spec); p.close(); p.multiply(...); ISE",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulSpec s = fp16(128, 64, 128);
                    MatmulPlan p = ctx.plan(s);
                    p.close();
                    r.attempt(() -> p.multiply(structuredOnes(s), denseOnes(s), null, 1f, 0f));
                }, ISE);
        add("other-thread-after-close", true, "ctx.close() on main, then plan.multiply on another thread; ISE",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulSpec s = fp16(128, 64, 128);
                    MatmulPlan p = ctx.createPlan(s, PlanOptions.noSearch());
                    ctx.close();
                    r.attempt(() -> {
                        AtomicReference<Throwable> err = new AtomicReference<>();
                        Thread t = new Thread(() -> {
                            try {
                                p.multiply(structuredOnes(s), denseOnes(s), null, 1f, 0f);
                            } catch (Throwable x) {
                                err.set(x);
                            }
                        }, "other");
                        t.setDaemon(true);
                        t.start();
                        t.join(30_000);
                        if (t.isAlive()) {
                            throw new Unexpected("other thread still running after 30 s", new IllegalStateException("hang"));
                        }
                        if (err.get() != null) {
                            throw err.get();
                        }
                    });
                }, ISE);

        // ---- host conveniences with wrong sizes / types
        add("multiply-wrong-length", true, "plan.multiply with dense B 2 bytes short; IAE (length check)",
                r -> {
                    MatmulSpec s = fp16(128, 64, 128);
                    MatmulPlan p = r.ctx().createPlan(s, PlanOptions.noSearch());
                    r.attempt(() -> p.multiply(structuredOnes(s), new byte[(int) s.bytesB() - 2], null, 1f, 0f));
                }, IAE);
        add("multiply-wrong-element-type", true, "FP16 plan given FP32-encoded A and B (twice the bytes); IAE",
                r -> {
                    MatmulSpec s = fp16(128, 64, 128);
                    MatmulSpec s32 = spec(DataType.FP32, DataType.FP32, 128, 64, 128);
                    MatmulPlan p = r.ctx().createPlan(s, PlanOptions.noSearch());
                    r.attempt(() -> p.multiply(structuredOnes(s32), denseOnes(s32), null, 1f, 0f));
                }, IAE);
        add("multiply-beta-without-c", true, "plan.multiply(c=null, beta=1); IAE",
                r -> {
                    MatmulSpec s = fp16(128, 64, 128);
                    MatmulPlan p = r.ctx().createPlan(s, PlanOptions.noSearch());
                    r.attempt(() -> p.multiply(structuredOnes(s), denseOnes(s), null, 1f, 1f));
                }, IAE);
        add("spec-n-not-multiple", true,
                "FP16 128x8x128 (N=8, DataType says M,N,K must be multiples of 16; build checks only the structured "
                        + "operand): build+plan+multiply; expected IAE, NO-ERROR says if D is right",
                r -> {
                    SparseContext ctx = r.ctx();
                    r.attempt(() -> {
                        MatmulSpec s = fp16(128, 8, 128);
                        MatmulPlan p = ctx.createPlan(s, PlanOptions.noSearch());
                        byte[] d = p.multiply(structuredOnes(s), denseOnes(s), null, 1f, 0f);
                        r.note("build, plan and multiply accepted N=8; " + checkD(s, d, 64));
                    });
                }, IAE);

        // ---- compress / operands
        add("compress-buffer-too-small", true, "plan.compress(DeviceBuffer 16 bytes short of bytesStructured); IAE",
                r -> {
                    MatmulSpec s = fp16(128, 64, 128);
                    SparseContext ctx = r.ctx();
                    MatmulPlan p = ctx.createPlan(s, PlanOptions.noSearch());
                    DeviceBuffer small = ctx.allocate(s.bytesStructured() - 16);
                    r.attempt(() -> p.compress(small));
                }, IAE);
        add("compress-unpruned", true,
                "plan.compress on an all-ones (NOT pruned) operand, then matmul; precondition unchecked: NO-ERROR expected",
                r -> {
                    MatmulSpec s = fp16(128, 64, 128);
                    SparseContext ctx = r.ctx();
                    MatmulPlan p = ctx.createPlan(s, PlanOptions.noSearch());
                    DeviceBuffer a = ctx.upload(fill(DataType.FP16, s.m() * s.k(), 1));
                    DeviceBuffer b = ctx.upload(denseOnes(s));
                    DeviceBuffer d = ctx.allocate(s.bytesC());
                    r.attempt(() -> {
                        try (SparseOperand op = p.compress(a)) {
                            p.matmul(1f, op, b.address(), 0f, d.address(), d.address(), 0);
                            ctx.synchronize();
                        }
                        r.note("accepted; " + summary(s, d.toByteArray()) + " (dense product would be 128, pruned 64)");
                    });
                }, IAE, CLE);
        add("matmul-misaligned-address", true, "plan.matmul with dense address + 8 (not 16-byte aligned); IAE",
                r -> {
                    Prod x = new Prod(r.ctx(), fp16(128, 64, 128));
                    r.attempt(() -> x.plan.matmul(1f, x.op, x.b.address() + 8, 0f, x.d.address(), x.d.address(), 0));
                }, IAE);
        add("matmul-null-operand", true, "plan.matmul(structured = null); NPE or IAE",
                r -> {
                    Prod x = new Prod(r.ctx(), fp16(128, 64, 128));
                    r.attempt(() -> x.plan.matmul(1f, null, x.b.address(), 0f, x.d.address(), x.d.address(), 0));
                }, NPE, IAE);
        add("matmul-operand-of-other-spec", true, "operand compressed for 128x64x256 used with a 128x64x128 plan; IAE",
                r -> {
                    SparseContext ctx = r.ctx();
                    Prod x = new Prod(ctx, fp16(128, 64, 128));
                    Prod y = new Prod(ctx, fp16(128, 64, 256));
                    r.attempt(() -> {
                        x.plan.matmul(1f, y.op, x.b.address(), 0f, x.d.address(), x.d.address(), 0);
                        ctx.synchronize();
                    });
                }, IAE);
        add("uploadCompressed-wrong-length", true, "plan.uploadCompressed(compressedSize+1 bytes); Javadoc: exactly -> IAE",
                r -> {
                    MatmulPlan p = r.ctx().createPlan(fp16(128, 64, 128), PlanOptions.noSearch());
                    r.attempt(() -> p.uploadCompressed(new byte[(int) p.compressedSize() + 1]));
                }, IAE);
        add("uploadCompressed-bad-metadata", true,
                "valid FP16 compressed bytes with the metadata part (after the values) set to 0xFF; "
                        + "Javadoc: metadata checked on SM 9.0 -> IAE naming a byte offset",
                r -> {
                    SparseContext ctx = r.ctx();
                    Prod x = new Prod(ctx, fp16(128, 64, 128));
                    byte[] bytes = x.op.toByteArray();
                    int values = (int) (x.spec.bytesStructured() / 2);
                    for (int i = values; i < bytes.length; i++) {
                        bytes[i] = (byte) 0xFF;
                    }
                    r.attempt(() -> {
                        try (SparseOperand bad = x.plan.uploadCompressed(bytes)) {
                            x.plan.matmul(1f, bad, x.b.address(), 0f, x.d.address(), x.d.address(), 0);
                            ctx.synchronize();
                        }
                        r.note("accepted (" + (bytes.length - values) + " metadata bytes = 0xFF); "
                                + summary(x.spec, x.d.toByteArray()));
                    });
                }, IAE);
        add("uploadCompressed-random-all-types", true,
                "random bytes of the right length uploaded for FP32/FP16/BF16/INT8/FP8 plans; each must be refused "
                        + "(IAE: invalid metadata); any accepted is run (matmul+sync) and reported NO-ERROR",
                r -> {
                    SparseContext ctx = r.ctx();
                    List<Prod> prods = new ArrayList<>();
                    for (DataType t : new DataType[] {DataType.FP32, DataType.FP16, DataType.BF16, DataType.INT8,
                        DataType.FP8_E4M3, DataType.FP8_E5M2}) {
                        prods.add(new Prod(ctx, spec(t, naturalOutput(t), 128, 64, 128)));
                    }
                    SplittableRandom rnd = new SplittableRandom(7);
                    r.attempt(() -> {
                        StringBuilder accepted = new StringBuilder();
                        IllegalArgumentException last = null;
                        for (Prod x : prods) {
                            byte[] bytes = new byte[(int) x.plan.compressedSize()];
                            for (int i = 0; i < bytes.length; i++) {
                                bytes[i] = (byte) rnd.nextInt(256);
                            }
                            try (SparseOperand bad = x.plan.uploadCompressed(bytes)) {
                                x.plan.matmul(1f, bad, x.b.address(), 0f, x.d.address(), x.d.address(), 0);
                                ctx.synchronize();
                                accepted.append(' ').append(x.spec.input());
                            } catch (IllegalArgumentException e) {
                                System.err.println(x.spec.input() + ": " + e.getMessage());
                                last = e;
                            }
                        }
                        if (accepted.length() == 0 && last != null) {
                            throw last;
                        }
                        r.note("accepted for" + accepted);
                    });
                }, IAE);
        add("uploadCompressed-other-spec-bytes", true,
                "bytes compressed for 256x64x128 uploaded to a 128x64x256 plan (same element count): IAE if the sizes "
                        + "differ, otherwise undetectable (NO-ERROR)",
                r -> {
                    SparseContext ctx = r.ctx();
                    Prod x = new Prod(ctx, fp16(128, 64, 256));
                    Prod y = new Prod(ctx, fp16(256, 64, 128));
                    byte[] foreign = y.op.toByteArray();
                    r.attempt(() -> {
                        try (SparseOperand bad = x.plan.uploadCompressed(foreign)) {
                            x.plan.matmul(1f, bad, x.b.address(), 0f, x.d.address(), x.d.address(), 0);
                            ctx.synchronize();
                        }
                        r.note("accepted (both " + foreign.length + " bytes); " + x.check());
                    });
                }, IAE, CLE);

        // ---- prune
        add("prune-planfree-wrong-length", true, "ctx.prune(spec, byte[] half the structured size, STRIP); IAE",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulSpec s = fp16(128, 64, 128);
                    r.attempt(() -> ctx.prune(s, new byte[(int) s.bytesStructured() / 2], PruneMode.STRIP));
                }, IAE);
        add("prune-raw-buffer-too-small", true,
                "plan.prune on a 256-byte device buffer for a 2048x2048 FP16 operand (8 MB), then sync; raw addresses "
                        + "are unchecked: NO-ERROR or CusparseLtException, never a crash",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulPlan p = ctx.createPlan(fp16(2048, 64, 2048), PlanOptions.noSearch());
                    DeviceBuffer small = ctx.allocate(256);
                    r.attempt(() -> {
                        p.prune(small.address(), small.address(), PruneMode.STRIP, 0);
                        ctx.synchronize();
                        r.note("accepted: pruned 8 MB through a 256-byte buffer");
                    });
                }, CLE);
        add("compress-planfree-raw-output-too-small", true,
                "ctx.compress(spec, dense, 256-byte output, 0) for a 2048x2048 FP16 operand, then sync; unchecked: "
                        + "NO-ERROR or CusparseLtException",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulSpec s = fp16(2048, 64, 2048);
                    DeviceBuffer dense = ctx.upload(structuredOnes(s));
                    DeviceBuffer small = ctx.allocate(256);
                    r.attempt(() -> {
                        ctx.compress(s, dense.address(), small.address(), 0);
                        ctx.synchronize();
                        r.note("accepted: wrote " + ctx.compressedSize(s) + " bytes into a 256-byte buffer");
                    });
                }, CLE);
        add("prune-null-mode", true, "plan.prune(in, out, mode = null, 0); NPE or IAE",
                r -> {
                    Prod x = new Prod(r.ctx(), fp16(128, 64, 128));
                    r.attempt(() -> x.plan.prune(x.a.address(), x.a.address(), null, 0));
                }, NPE, IAE);

        // ---- bias / epilogues
        add("bias-on-spec-without-bias", true, "8-arg matmul (with bias) on a spec without bias; Javadoc: IAE",
                r -> {
                    SparseContext ctx = r.ctx();
                    Prod x = new Prod(ctx, fp16(128, 64, 128));
                    DeviceBuffer bias = ctx.allocate(256);
                    r.attempt(() -> x.plan.matmul(1f, x.op, x.b.address(), 0f, x.d.address(), x.d.address(),
                            bias.address(), 0));
                }, IAE);
        add("no-bias-on-spec-with-bias", true, "7-arg matmul (no bias) on a spec with bias(true); Javadoc: IAE",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulSpec s = MatmulSpec.builder(128, 64, 128).input(DataType.FP16).bias(true).layouts(R, C, R).build();
                    Prod x = new Prod(ctx, s);
                    r.attempt(() -> x.plan.matmul(1f, x.op, x.b.address(), 0f, x.d.address(), x.d.address(), 0));
                }, IAE);
        add("multiply-bias-wrong-type", true,
                "INT8->INT8 bias spec (bias type FP32) given an FP16-sized bias array to multiply(); IAE",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulSpec s = MatmulSpec.builder(128, 64, 128).input(DataType.INT8).output(DataType.INT8).bias(true)
                            .layouts(R, C, R).build();
                    MatmulPlan p = ctx.createPlan(s, PlanOptions.noSearch());
                    r.attempt(() -> p.multiply(structuredOnes(s), denseOnes(s), null, new byte[(int) s.m() * 2], 1f, 0f));
                }, IAE);
        // ---- streams
        add("bogus-stream-matmul", true,
                "plan.matmul with raw stream handle 0x1000 (never a stream), then sync; raw handles are unchecked: "
                        + "CusparseLtException or NO-ERROR, never a crash",
                r -> {
                    SparseContext ctx = r.ctx();
                    Prod x = new Prod(ctx, fp16(128, 64, 128));
                    r.attempt(() -> {
                        x.matmul(BOGUS_STREAM);
                        ctx.synchronize();
                    });
                }, CLE);
        add("destroyed-stream-matmul", true,
                "handle of a CudaStream that was closed, passed to plan.matmul, then sync; CusparseLtException or "
                        + "NO-ERROR, never a crash",
                r -> {
                    SparseContext ctx = r.ctx();
                    Prod x = new Prod(ctx, fp16(128, 64, 128));
                    CudaStream st = ctx.createStream();
                    long h = st.handle();
                    st.close();
                    r.attempt(() -> {
                        x.matmul(h);
                        ctx.synchronize();
                    });
                }, CLE);
        add("bogus-stream-isPruned", true,
                "plan.isPruned(address, stream 0x1000) (cudaMemsetAsync + PruneCheck + StreamSynchronize on it); "
                        + "CusparseLtException or NO-ERROR, never a crash",
                r -> {
                    Prod x = new Prod(r.ctx(), fp16(128, 64, 128));
                    r.attempt(() -> r.note("accepted; isPruned returned " + x.plan.isPruned(x.a.address(), BOGUS_STREAM)));
                }, CLE);
        add("stream-use-after-close", true, "CudaStream.close() then synchronize(); IllegalStateException",
                r -> {
                    CudaStream st = r.ctx().createStream();
                    st.close();
                    r.attempt(st::synchronize);
                }, ISE);

        // ---- raw addresses
        add("matmulSparse-bogus-address", true,
                "plan.matmulSparse with A = 0xBAD00000000 (aligned, unmapped), then sync; CusparseLtException "
                        + "(illegal address), never a crash",
                r -> {
                    SparseContext ctx = r.ctx();
                    Prod x = new Prod(ctx, fp16(128, 64, 128));
                    r.attempt(() -> {
                        x.plan.matmulSparse(1f, BOGUS_ADDRESS, x.b.address(), 0f, x.d.address(), x.d.address(), 0);
                        ctx.synchronize();
                    });
                }, CLE);
        add("matmul-stale-freed-address", true,
                "address of a DeviceBuffer taken before close() used as B, then sync; NO-ERROR or CusparseLtException",
                r -> {
                    SparseContext ctx = r.ctx();
                    Prod x = new Prod(ctx, fp16(128, 64, 128));
                    DeviceBuffer freed = ctx.upload(denseOnes(x.spec));
                    long stale = freed.address();
                    freed.close();
                    r.attempt(() -> {
                        x.plan.matmul(1f, x.op, stale, 0f, x.d.address(), x.d.address(), 0);
                        ctx.synchronize();
                        r.note("accepted; " + summary(x.spec, x.d.toByteArray()));
                    });
                }, CLE);
        add("close-after-sticky-error", true,
                "after a bogus-address kernel (sticky CUDA error): ctx.close() twice, then ctx.allocate; first close "
                        + "may throw CusparseLtException, second must not throw, use -> IllegalStateException",
                r -> {
                    SparseContext ctx = r.ctx();
                    Prod x = new Prod(ctx, fp16(128, 64, 128));
                    String err;
                    try {
                        x.plan.matmulSparse(1f, BOGUS_ADDRESS, x.b.address(), 0f, x.d.address(), x.d.address(), 0);
                        ctx.synchronize();
                        err = "no error from the bogus kernel";
                    } catch (Throwable t) {
                        err = t.getClass().getSimpleName();
                    }
                    String provoked = err;
                    r.attempt(() -> {
                        String first;
                        try {
                            ctx.close();
                            first = "ok";
                        } catch (Throwable t) {
                            first = t.getClass().getSimpleName() + " " + clip(message(t));
                        }
                        String firstClose = first;
                        mustNotThrow("second close (provoked: " + provoked + "; first close: " + firstClose + ")", ctx::close);
                        try {
                            ctx.allocate(16);
                        } catch (IllegalStateException e) {
                            throw new IllegalStateException("provoked: " + provoked + "; first close: " + firstClose
                                    + "; second close ok; use: " + e.getMessage(), e);
                        }
                    });
                }, ISE);

        // ---- algorithms
        add("algorithm-id-huge", true,
                "createPlan(withAlgorithm(configId = Integer.MAX_VALUE)) + multiply; CusparseLtException (or IAE)",
                r -> multiplyWithAlgorithm(r, new AlgorithmConfig(Integer.MAX_VALUE, 1, 0, 1)), CLE, IAE);
        add("algorithm-splitk-bogus", true,
                "withAlgorithm(configId 0, splitK = Integer.MAX_VALUE, mode 99, buffers -1) + multiply; "
                        + "CusparseLtException (or IAE)",
                r -> multiplyWithAlgorithm(r, new AlgorithmConfig(0, Integer.MAX_VALUE, 99, -1)), CLE, IAE);
        add("algorithm-id-scan", true,
                "configId 0,1,2,... (up to 200) on a FP16 plan, multiply each, until refused; expect a CusparseLtException "
                        + "at the first invalid id (and correct D below it)",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulSpec s = fp16(128, 64, 128);
                    byte[] a = structuredOnes(s);
                    byte[] b = denseOnes(s);
                    List<String> wrong = new ArrayList<>();
                    int[] last = {-1};
                    r.attempt(() -> {
                        for (int id = 0; id <= 200; id++) {
                            try (MatmulPlan p = ctx.createPlan(s, PlanOptions.withAlgorithm(new AlgorithmConfig(id, 1, 0, 1)))) {
                                String chk = checkD(s, p.multiply(a, b, null, 1f, 0f), 64);
                                if (!chk.startsWith("result correct")) {
                                    wrong.add(id + ": " + chk);
                                }
                            } catch (CusparseLtException e) {
                                throw new Noted(e, "id " + id + " refused after ids 0.." + last[0] + " ran ("
                                        + wrong.size() + " with WRONG D); " + e.getMessage() + "; wrong: " + wrong);
                            }
                            last[0] = id;
                        }
                        r.note("ids 0..200 all accepted; wrong results at " + wrong);
                    });
                }, CLE);
        add("algorithm-of-other-spec", true,
                "a searched config and the highest valid configId of a FP16 256x64x512 plan, applied to INT8->INT8, "
                        + "FP8->BF16, FP32 and BF16 specs (Javadoc: only meaningful for its spec); CusparseLtException or NO-ERROR",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulSpec s1 = fp16(256, 64, 512);
                    AlgorithmConfig searched;
                    try (MatmulPlan p = ctx.createPlan(s1, PlanOptions.searched())) {
                        searched = p.algorithm();
                    }
                    int max = 0;
                    for (int id = 1; id <= 200; id++) {
                        try (MatmulPlan p = ctx.createPlan(s1, PlanOptions.withAlgorithm(new AlgorithmConfig(id, 1, 0, 1)))) {
                            max = id;
                        } catch (CusparseLtException e) {
                            break;
                        }
                    }
                    AlgorithmConfig maxCfg = new AlgorithmConfig(max, 1, 0, 1);
                    AlgorithmConfig found = searched;
                    MatmulSpec[] others = {spec(DataType.INT8, DataType.INT8, 128, 64, 128),
                        spec(DataType.FP8_E4M3, DataType.BF16, 128, 64, 128), spec(DataType.FP32, DataType.FP32, 128, 64, 128),
                        spec(DataType.BF16, DataType.BF16, 64, 32, 64)};
                    r.attempt(() -> {
                        StringBuilder sb = new StringBuilder();
                        int[] tally = new int[3]; // ok, wrong D, refused
                        Throwable first = null;
                        for (AlgorithmConfig cfg : new AlgorithmConfig[] {found, maxCfg}) {
                            for (MatmulSpec s : others) {
                                sb.append(" [").append(cfg.configId()).append(' ').append(s.input()).append("->")
                                        .append(s.output()).append(": ");
                                try (MatmulPlan p = ctx.createPlan(s, PlanOptions.withAlgorithm(cfg))) {
                                    byte[] d = p.multiply(structuredOnes(s), denseOnes(s), null, 1f, 0f);
                                    boolean ok = checkD(s, d, s.k() / 2.0).startsWith("result correct");
                                    sb.append(ok ? "ok" : "WRONG D");
                                    tally[ok ? 0 : 1]++;
                                } catch (CusparseLtException e) {
                                    sb.append(e.call()).append(' ').append(e.statusName());
                                    tally[2]++;
                                    if (first == null) {
                                        first = e;
                                    }
                                }
                                sb.append(']');
                            }
                        }
                        String sum = "searched id " + found.configId() + " (splitK " + found.splitK() + "), max FP16 id "
                                + maxCfg.configId() + " on 4 other specs: ok " + tally[0] + ", WRONG D " + tally[1]
                                + ", refused " + tally[2] + ";" + sb;
                        System.err.println(sum);
                        if (first != null) {
                            r.report("OK-REFUSED", first.getClass().getName(), sum);
                        } else {
                            r.note(sum);
                        }
                    });
                }, CLE);

        // ---- dense fallback
        add("dense-plan-uploadCompressed", true,
                "uploadCompressed on a plan whose dense fallback chose DENSE; Javadoc: only SPARSE -> IllegalStateException",
                r -> {
                    MatmulPlan p = densePlan(r.ctx());
                    r.attempt(() -> p.uploadCompressed(new byte[(int) p.compressedSize()]));
                }, ISE);
        add("dense-plan-matmulSparse", true, "matmulSparse on a DENSE plan; IllegalStateException",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulPlan p = densePlan(ctx);
                    DeviceBuffer buf = ctx.allocate(Math.max(p.spec().bytesA(), Math.max(p.spec().bytesB(), p.spec().bytesC())));
                    r.attempt(() -> p.matmulSparse(1f, buf.address(), buf.address(), 0f, buf.address(), buf.address(), 0));
                }, ISE);
        add("dense-operand-into-sparse-plan", true,
                "operand prepared by a DENSE plan (uncompressed) given to a SPARSE plan of the same spec; IAE",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulPlan pd = densePlan(ctx);
                    MatmulSpec s = pd.spec();
                    DeviceBuffer a = ctx.upload(structuredOnes(s));
                    SparseOperand dense = pd.compress(a);
                    MatmulPlan ps = ctx.createPlan(s, PlanOptions.noSearch());
                    DeviceBuffer b = ctx.upload(denseOnes(s));
                    DeviceBuffer d = ctx.allocate(s.bytesC());
                    r.attempt(() -> {
                        ps.matmul(1f, dense, b.address(), 0f, d.address(), d.address(), 0);
                        ctx.synchronize();
                    });
                }, IAE);
        add("dense-plan-operand-of-other-shape", true,
                "DENSE plan given an operand compressed by a SPARSE plan of the same types but K doubled; IAE",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulPlan pd = densePlan(ctx);
                    MatmulSpec s = pd.spec();
                    MatmulSpec other = spec(s.input(), s.output(), s.m(), s.n(), s.k() * 2);
                    Prod y = new Prod(ctx, other);
                    DeviceBuffer b = ctx.upload(denseOnes(s));
                    DeviceBuffer d = ctx.allocate(s.bytesC());
                    r.attempt(() -> {
                        pd.matmul(1f, y.op, b.address(), 0f, d.address(), d.address(), 0);
                        ctx.synchronize();
                    });
                }, IAE);
        add("dense-fallback-huge-iterations", true,
                "createPlan with new PlanOptions(false, true, Integer.MAX_VALUE) (record accepts any >= 1); expected IAE, "
                        + "anything but an Error",
                r -> {
                    SparseContext ctx = r.ctx();
                    r.attempt(() -> ctx.createPlan(fp16(128, 64, 128), new PlanOptions(false, true, Integer.MAX_VALUE)));
                }, IAE, CLE);

        add("epilogue-sweep", true,
                "every type combination x {RELU,GELU} x {bias,no bias}: build; what build accepts is planned and run. "
                        + "README: Java refuses up front what cuSPARSELt refuses. OK-REFUSED = no native refusal",
                r -> {
                    SparseContext ctx = r.ctx();
                    r.attempt(() -> {
                        int java = 0;
                        int ran = 0;
                        List<String> wrong = new ArrayList<>();
                        List<String> nativeRefused = new ArrayList<>();
                        CusparseLtException firstNative = null;
                        for (DataType in : DataType.values()) {
                            for (DataType out : DataType.values()) {
                                if (!MatmulSpec.isSupportedCombination(in, out)) {
                                    continue;
                                }
                                for (Activation act : new Activation[] {Activation.RELU, Activation.GELU}) {
                                    for (boolean bias : new boolean[] {false, true}) {
                                        MatmulSpec s;
                                        try {
                                            s = MatmulSpec.builder(128, 64, 128).input(in).output(out).activation(act)
                                                    .bias(bias).layouts(R, C, C).build();
                                        } catch (IllegalArgumentException e) {
                                            java++;
                                            continue;
                                        }
                                        String tag = in + "->" + out + " " + act + (bias ? "+bias" : "");
                                        try (MatmulPlan p = ctx.createPlan(s, PlanOptions.noSearch())) {
                                            byte[] d = bias ? p.multiply(structuredOnes(s), denseOnes(s), null,
                                                    new byte[(int) s.bytesBias()], 1f, 0f)
                                                    : p.multiply(structuredOnes(s), denseOnes(s), null, 1f, 0f);
                                            String chk = checkD(s, d, 64);
                                            if (!chk.startsWith("result correct")) {
                                                wrong.add(tag + ": " + chk);
                                            }
                                            ran++;
                                        } catch (CusparseLtException e) {
                                            nativeRefused.add(tag + " (" + e.call() + " " + e.statusName() + ")");
                                            if (firstNative == null) {
                                                firstNative = e;
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        String sum = "Java refused " + java + ", ran " + ran + ", native refusals " + nativeRefused.size()
                                + ", wrong results " + wrong.size() + "; native: " + nativeRefused + "; wrong: " + wrong;
                        System.err.println(sum);
                        if (firstNative != null) {
                            r.report("WRONG-EXCEPTION", CusparseLtException.class.getName(), sum);
                        } else {
                            r.report("OK-REFUSED", IllegalArgumentException.class.getName(), sum);
                        }
                    });
                }, IAE);

        // ---- races (plans: Javadoc says safe from several threads; context: one thread at a time)
        add("race-plan-close-during-matmul", true,
                "thread W loops plan.matmul while main closes the plan at a random moment (5 s of rounds); "
                        + "W must stop with ISE (plans are documented thread-safe)",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulSpec s = fp16(128, 64, 128);
                    Prod x = new Prod(ctx, s);
                    long b = x.b.address();
                    long d = x.d.address();
                    SparseOperand op = x.op;
                    r.attempt(() -> race(r, 5_000, () -> ctx.createPlan(s, PlanOptions.noSearch()),
                            p -> p.matmul(1f, op, b, 0f, d, d, 0), MatmulPlan::close, ctx::synchronize));
                }, ISE);
        add("race-context-close-during-matmul", true,
                "thread W loops plan.matmul while main closes the plan's context (fresh context per round, 5 s); "
                        + "W should stop with ISE; crash = failure",
                r -> {
                    r.requireGpu();
                    MatmulSpec s = fp16(128, 64, 128);
                    r.attempt(() -> race(r, 5_000, () -> {
                        SparseContext c = SparseContext.create(0);
                        return new Object[] {c, new Prod(c, s)};
                    }, o -> ((Prod) o[1]).matmul(0), o -> ((SparseContext) o[0]).close(), () -> { }));
                }, ISE);
        add("race-context-close-during-planfree", true,
                "thread W loops ctx.prune(spec, ...) (plan-free) while main closes the context (5 s of rounds); "
                        + "outside the contract (context: one thread at a time) but must not crash; ISE expected in W",
                r -> {
                    r.requireGpu();
                    MatmulSpec s = fp16(128, 64, 128);
                    byte[] ones = structuredOnes(s);
                    r.attempt(() -> race(r, 5_000, () -> {
                        SparseContext c = SparseContext.create(0);
                        return new Object[] {c, c.upload(ones).address()};
                    }, o -> ((SparseContext) o[0]).prune(s, (Long) o[1], (Long) o[1], PruneMode.STRIP, 0),
                            o -> ((SparseContext) o[0]).close(), () -> { }));
                }, ISE);

        // ---- huge dimensions (31-bit, products beyond any device)
        add("planfree-size-huge-dims", true,
                "ctx.compressedSize(INT8 m=k=2147483616, n=32): legal spec, impossible sizes; CusparseLtException "
                        + "or IAE, NO-ERROR prints the size",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulSpec s = spec(DataType.INT8, DataType.INT32, 2147483616L, 32, 2147483616L);
                    r.attempt(() -> r.note("accepted; compressedSize=" + ctx.compressedSize(s) + " bytesStructured="
                            + s.bytesStructured()));
                }, CLE, IAE);
        add("plan-huge-dims", true,
                "ctx.createPlan for INT8 m=k=2147483616, n=32 (no execution); CusparseLtException or IAE; NO-ERROR prints sizes",
                r -> {
                    SparseContext ctx = r.ctx();
                    MatmulSpec s = spec(DataType.INT8, DataType.INT32, 2147483616L, 32, 2147483616L);
                    r.attempt(() -> {
                        try (MatmulPlan p = ctx.createPlan(s, PlanOptions.noSearch())) {
                            r.note("accepted; compressedSize=" + p.compressedSize() + " workspace=" + p.workspaceSize());
                        }
                    });
                }, CLE, IAE);
    }

    /** Classified as its cause, reported with its own (more detailed) message. */
    static final class Noted extends RuntimeException {
        Noted(Throwable cause, String msg) {
            super(msg, cause);
        }
    }

    @FunctionalInterface
    interface Make<T> {
        T make() throws Throwable;
    }

    @FunctionalInterface
    interface Use<T> {
        void use(T t) throws Throwable;
    }

    /**
     * Rounds of: make a resource, start a worker looping {@code work} on it, close it from this thread
     * after a random 0-300 us, join the worker; the worker must end with IllegalStateException.
     */
    static <T> void race(Run r, long millis, Make<T> make, Use<T> work, Use<T> close, Step after) throws Throwable {
        SplittableRandom rnd = new SplittableRandom(42);
        long end = System.currentTimeMillis() + millis;
        int rounds = 0;
        int beforeFirstCall = 0;
        String lastMsg = "";
        while (System.currentTimeMillis() < end) {
            T res;
            try {
                res = make.make();
            } catch (Throwable t) {
                throw new Unexpected("round " + rounds + ": setting up the round threw " + t.getClass().getSimpleName()
                        + ": " + message(t), t);
            }
            AtomicReference<Throwable> err = new AtomicReference<>();
            int[] calls = {0};
            CountDownLatch started = new CountDownLatch(1);
            Thread w = new Thread(() -> {
                started.countDown();
                try {
                    while (true) {
                        work.use(res);
                        calls[0]++;
                    }
                } catch (Throwable t) {
                    err.set(t);
                }
            }, "worker");
            w.setDaemon(true);
            w.start();
            started.await();
            spin(rnd.nextLong(300_000));
            try {
                close.use(res);
            } catch (Throwable t) {
                throw new Unexpected("round " + rounds + ": close from main threw " + t.getClass().getSimpleName() + ": "
                        + message(t), t);
            }
            w.join(20_000);
            if (w.isAlive()) {
                throw new Unexpected("round " + rounds + ": worker still running 20 s after close",
                        new IllegalStateException("worker hang"));
            }
            Throwable t = err.get();
            if (!(t instanceof IllegalStateException)) {
                System.err.println("round " + rounds + " after " + calls[0] + " calls:");
                if (t != null) {
                    t.printStackTrace();
                }
                throw new Unexpected("round " + rounds + " (worker calls " + calls[0] + "): worker ended with "
                        + (t == null ? "nothing" : t.getClass().getName() + ": " + message(t)),
                        t == null ? new IllegalStateException("no exception") : t);
            }
            if (calls[0] == 0) {
                beforeFirstCall++;
            }
            lastMsg = t.getMessage();
            try {
                after.run();
            } catch (Throwable x) {
                throw new Unexpected("round " + rounds + ": after the race, " + x.getClass().getSimpleName() + ": "
                        + message(x), x);
            }
            rounds++;
        }
        throw new IllegalStateException(rounds + " rounds (" + beforeFirstCall + " closed before the first call), "
                + "worker always stopped with IllegalStateException; last: " + lastMsg);
    }

    // ---------------------------------------------------------------- main

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: MisuseProbe <case> | list | describe | info");
            System.exit(2);
        }
        switch (args[0]) {
            case "list" -> {
                CASES.keySet().forEach(System.out::println);
                System.exit(0);
            }
            case "describe" -> {
                for (Case c : CASES.values()) {
                    StringBuilder ex = new StringBuilder();
                    for (Class<?> e : c.expected()) {
                        ex.append(ex.length() == 0 ? "" : "|").append(e.getSimpleName());
                    }
                    System.out.println(c.name() + "\t" + (c.gpu() ? "gpu" : "java") + "\texpect " + ex + "\t" + c.doc());
                }
                System.exit(0);
            }
            case "info" -> {
                System.out.println("java " + System.getProperty("java.version") + "; cuSPARSELt available="
                        + CusparseLt.isAvailable() + " devices=" + CusparseLt.deviceCount() + " reason="
                        + CusparseLt.unavailableReason());
                if (CusparseLt.isAvailable()) {
                    try (SparseContext ctx = SparseContext.create(0)) {
                        long[] mem = ctx.memoryInfo();
                        System.out.println("cuSPARSELt version " + ctx.libraryVersion() + "; device 0 free/total "
                                + mem[0] + "/" + mem[1]);
                    } catch (Throwable t) {
                        System.out.println("context on device 0 failed: " + t);
                    }
                }
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
            default -> {
            }
        }
        Case c = CASES.get(args[0]);
        if (c == null) {
            System.err.println("unknown case " + args[0] + "; run with 'list'");
            System.exit(2);
        }
        Run r = new Run(c);
        System.err.println("case " + c.name() + ": " + c.doc());
        try {
            c.body().run(r);
            if (!r.reported) {
                r.report("SETUP-FAILED", "none", "case ended without reaching its misuse step");
            }
        } catch (Throwable t) {
            if (!r.reported) {
                t.printStackTrace();
                r.report("SETUP-FAILED", t.getClass().getName(), message(t));
            } else {
                System.err.println("after the report:");
                t.printStackTrace();
            }
        }
        // clean up: extra contexts, then the main one; failures only to stderr
        for (AutoCloseable x : r.extra) {
            closeQuietly("extra context", x);
        }
        if (r.ctx != null) {
            closeQuietly("context", r.ctx);
        }
        System.err.println("case " + c.name() + ": cleanup done");
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }

    private static void closeQuietly(String what, AutoCloseable x) {
        try {
            x.close();
        } catch (Throwable t) {
            System.err.println("cleanup: closing " + what + " threw " + t);
        }
    }
}
