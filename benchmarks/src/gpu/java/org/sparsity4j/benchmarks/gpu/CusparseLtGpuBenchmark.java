package org.sparsity4j.benchmarks.gpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.sparsity4j.core.tensor.Fp8;
import org.sparsity4j.core.tensor.HalfFloats;
import org.sparsity4j.cusparselt.AlgorithmConfig;
import org.sparsity4j.cusparselt.CudaStream;
import org.sparsity4j.cusparselt.CusparseLt;
import org.sparsity4j.cusparselt.DataType;
import org.sparsity4j.cusparselt.DeviceBuffer;
import org.sparsity4j.cusparselt.Layout;
import org.sparsity4j.cusparselt.MatmulPlan;
import org.sparsity4j.cusparselt.MatmulSpec;
import org.sparsity4j.cusparselt.PlanOptions;
import org.sparsity4j.cusparselt.PruneMode;
import org.sparsity4j.cusparselt.SparseContext;
import org.sparsity4j.cusparselt.SparseOperand;

import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.CU_STREAM_WAIT_VALUE_GEQ;
import static org.bytedeco.cuda.global.cudart.cuStreamWaitValue32;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaHostAlloc;
import static org.bytedeco.cuda.global.cudart.cudaHostAllocMapped;
import static org.bytedeco.cuda.global.cudart.cudaHostGetDevicePointer;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

/**
 * GPU benchmark of the Java sparse path (not a test): for each type and (N, K, M) shape, a searched,
 * cached plan runs {@code D = A B} with A (N x K) structured row-major, B (K x M) column-major and
 * D column-major, exactly as the C++ reference program {@code bench_cusparselt} does. Prints CSV:
 * per-call CUDA-event median in ms, median host enqueue time in microseconds, and the "held" device
 * time: the median interval between 64 calls enqueued behind a stream held on a flag in mapped host
 * memory ({@code cuStreamWaitValue32}), so the kernels run back to back and no host time is in the
 * interval (-1 where the driver cannot hold the stream, or when a watchdog had to release it because
 * an enqueue blocked) — the same method as the C++ reference.
 *
 * <p>Usage: {@code CusparseLtGpuBenchmark [--stream=default] [--nosearch] [--algs=bench-cpp.csv] [fp16|bf16|int8|e4m3 ...]}:
 * by default the products run on a stream created by the benchmark, with a plan searched by the
 * Java layer ({@code PlanOptions.searched()}); {@code --algs=FILE} instead builds each plan with the
 * configuration (id and split-K settings) the C++ reference program's search chose, read from its
 * CSV, so both run the same kernel; {@code --nosearch} uses cuSPARSELt's default configuration.
 */
public final class CusparseLtGpuBenchmark {

    private static final long[][] SHAPES = {
        {4096, 4096, 16}, {4096, 4096, 2048}, {11008, 4096, 2048}, {8192, 8192, 8192}, {16384, 16384, 8192}};
    private static final int WARMUP = 10;
    private static final int ITERS = 50;
    private static final int HELD = 64;
    private static IntPointer holdFlag;
    private static long holdFlagDevice;
    private static boolean holdAvailable = true;
    private static boolean defaultStream;
    private static boolean search = true;
    private static final java.util.Map<String, AlgorithmConfig> CPP_ALGS = new java.util.HashMap<>();

    private CusparseLtGpuBenchmark() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args type names to run (default all)
     */
    public static void main(String[] args) {
        if (!CusparseLt.isAvailable()) {
            System.err.println("cuSPARSELt unavailable: " + CusparseLt.unavailableReason());
            System.exit(2);
        }
        List<String> want = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--stream=default")) {
                defaultStream = true;
            } else if (a.equals("--nosearch")) {
                search = false;
            } else if (a.startsWith("--algs=")) {
                search = false;
                readAlgorithms(a.substring("--algs=".length()));
            } else {
                want.add(a);
            }
        }
        System.err.println("benchmark mode: stream=" + (defaultStream ? "default" : "own") + ", search=" + search
                + (CPP_ALGS.isEmpty() ? "" : ", configurations of the C++ search"));
        String[][] types = {{"fp16", "FP16"}, {"bf16", "BF16"}, {"int8", "INT8"}, {"e4m3", "FP8_E4M3"}};
        System.out.println("type,N,K,M,layoutC,java_sparse_ms,java_host_us,alg_id,split_k,split_k_mode,split_k_buffers,"
                + "compressed_bytes,plan_ms,java_held_ms,fallback_choice");
        try (SparseContext ctx = SparseContext.create(0); CudaStream stream = ctx.createStream()) {
            warmUpJit(ctx, stream);
            for (String[] t : types) {
                if (!want.isEmpty() && !want.contains(t[0])) {
                    continue;
                }
                DataType type = DataType.valueOf(t[1]);
                for (long[] sh : SHAPES) {
                    run(ctx, stream, t[0], type, sh[0], sh[1], sh[2]);
                }
            }
        }
    }

    /**
     * Runs the Java enqueue path 20 000 times on a small product before anything is measured, so the
     * measured calls execute JIT-compiled code (the 60 calls per shape alone would run mostly in the
     * interpreter) — what a long-running application sees.
     */
    private static void warmUpJit(SparseContext ctx, CudaStream stream) {
        MatmulSpec spec = MatmulSpec.builder(256, 256, 256).input(DataType.FP16)
                .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR).build();
        long t0 = System.nanoTime();
        try (MatmulPlan plan = ctx.createPlan(spec, PlanOptions.noSearch());
             DeviceBuffer a = ctx.allocate(spec.bytesA());
             DeviceBuffer b = ctx.allocate(spec.bytesB());
             DeviceBuffer c = ctx.allocate(spec.bytesC())) {
            fill(a, DataType.FP16, 3);
            fill(b, DataType.FP16, 4);
            plan.prune(a.address(), a.address(), PruneMode.STRIP, 0);
            try (SparseOperand op = plan.compress(a)) {
                for (int i = 0; i < 20_000; i++) {
                    plan.matmul(1f, op, b.address(), 0f, c.address(), c.address(), stream.handle());
                    if (i % 1000 == 999) {
                        stream.synchronize();
                    }
                }
                stream.synchronize();
            }
        }
        System.err.printf(Locale.ROOT, "JIT warm-up: 20000 products of %s in %.0f ms%n", spec, (System.nanoTime() - t0) / 1e6);
    }

    private static void run(SparseContext ctx, CudaStream stream, String name, DataType type, long n, long k, long m) {
        MatmulSpec spec = MatmulSpec.builder(n, m, k).input(type)
                .layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.COLUMN_MAJOR).build();
        String layoutC = "col";
        AlgorithmConfig cpp = CPP_ALGS.get(name + "," + n + "," + k + "," + m);
        PlanOptions options = cpp != null ? PlanOptions.withAlgorithm(cpp)
                : search ? PlanOptions.searched() : PlanOptions.noSearch();
        MatmulPlan plan;
        long planStart = System.nanoTime();
        try {
            plan = ctx.plan(spec, options);
        } catch (RuntimeException e) {
            spec = spec.toBuilder().layouts(Layout.ROW_MAJOR, Layout.COLUMN_MAJOR, Layout.ROW_MAJOR).build();
            layoutC = "row";
            plan = ctx.plan(spec, options);
        }
        double planMs = (System.nanoTime() - planStart) / 1e6;
        try (DeviceBuffer a = ctx.allocate(spec.bytesA());
             DeviceBuffer b = ctx.allocate(spec.bytesB());
             DeviceBuffer c = ctx.allocate(spec.bytesC())) {
            fill(a, type, 1);
            fill(b, type, 2);
            c.clear();
            plan.prune(a.address(), a.address(), PruneMode.STRIP, 0);
            ctx.synchronize();
            try (SparseOperand op = plan.compress(a)) {
                long s = defaultStream ? 0 : stream.handle();
                long dB = b.address();
                long dC = c.address();
                MatmulPlan p = plan;
                for (int i = 0; i < WARMUP; i++) {
                    p.matmul(1f, op, dB, 0f, dC, dC, s);
                }
                ctx.synchronize();
                CUevent_st[] ev = new CUevent_st[2 * ITERS];
                for (int i = 0; i < ev.length; i++) {
                    ev[i] = new CUevent_st();
                    check(cudaEventCreate(ev[i]), "cudaEventCreate");
                }
                CUstream_st cs = s == 0 ? null : new CUstream_st(new Pointer() {
                    {
                        address = s;
                    }
                });
                double[] host = new double[ITERS];
                for (int i = 0; i < ITERS; i++) {
                    check(cudaEventRecord(ev[2 * i], cs), "cudaEventRecord");
                    long t0 = System.nanoTime();
                    p.matmul(1f, op, dB, 0f, dC, dC, s);
                    long t1 = System.nanoTime();
                    check(cudaEventRecord(ev[2 * i + 1], cs), "cudaEventRecord");
                    host[i] = (t1 - t0) / 1000.0;
                }
                ctx.synchronize();
                double[] dev = new double[ITERS];
                try (FloatPointer ms = new FloatPointer(1)) {
                    for (int i = 0; i < ITERS; i++) {
                        check(cudaEventElapsedTime(ms, ev[2 * i], ev[2 * i + 1]), "cudaEventElapsedTime");
                        dev[i] = ms.get();
                    }
                }
                for (CUevent_st e : ev) {
                    cudaEventDestroy(e);
                }
                double held = heldMs(() -> p.matmul(1f, op, dB, 0f, dC, dC, s), cs);
                // after the timing, so the measured sequence matches the C++ reference's
                String choice = "";
                if (m <= 16 && (type == DataType.FP16 || type == DataType.BF16)) {
                    try (MatmulPlan fb = ctx.createPlan(spec, PlanOptions.searchedWithDenseFallback())) {
                        choice = fb.backend() + ": " + fb.selectionReason();
                    }
                }
                AlgorithmConfig alg = plan.algorithm();
                System.out.println(String.format(Locale.ROOT, "%s,%d,%d,%d,%s,%.4f,%.2f,%d,%d,%d,%d,%d,%.1f,%.4f,\"%s\"",
                        name, n, k, m, layoutC, median(dev), median(host), alg.configId(), alg.splitK(),
                        alg.splitKMode(), alg.splitKBuffers(), plan.compressedSize(), planMs, held, choice));
                System.out.flush();
            }
        }
    }

    /**
     * Median interval in ms between {@value #HELD} calls enqueued behind a held stream (see the class
     * comment), or -1 when the stream cannot be held or the watchdog released it.
     */
    private static double heldMs(Runnable call, CUstream_st cs) {
        if (!holdAvailable) {
            return -1;
        }
        if (holdFlag == null) {
            Pointer host = new Pointer();
            Pointer dev = new Pointer();
            check(cudaHostAlloc(host, 4, cudaHostAllocMapped), "cudaHostAlloc");
            check(cudaHostGetDevicePointer(dev, host, 0), "cudaHostGetDevicePointer");
            holdFlag = new IntPointer(host);
            holdFlagDevice = dev.address();
        }
        holdFlag.put(0, 0);
        CUevent_st[] ev = new CUevent_st[HELD + 1];
        for (int i = 0; i < ev.length; i++) {
            ev[i] = new CUevent_st();
            check(cudaEventCreate(ev[i]), "cudaEventCreate");
        }
        int r = cuStreamWaitValue32(cs, holdFlagDevice, 1, CU_STREAM_WAIT_VALUE_GEQ);
        if (r != 0) {
            System.err.println("cuStreamWaitValue32 -> " + r + ": no held timing");
            holdAvailable = false;
            for (CUevent_st e : ev) {
                cudaEventDestroy(e);
            }
            return -1;
        }
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean fired = new AtomicBoolean();
        Thread watchdog = new Thread(() -> {
            try {
                if (!done.await(10, TimeUnit.SECONDS)) {
                    fired.set(true);
                    holdFlag.put(0, 1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "held-stream watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        check(cudaEventRecord(ev[0], cs), "cudaEventRecord");
        for (int i = 0; i < HELD; i++) {
            call.run();
            check(cudaEventRecord(ev[i + 1], cs), "cudaEventRecord");
        }
        holdFlag.put(0, 1);
        done.countDown();
        check(cudaStreamSynchronize(cs), "cudaStreamSynchronize");
        double[] dev = new double[HELD];
        try (FloatPointer ms = new FloatPointer(1)) {
            for (int i = 0; i < HELD; i++) {
                check(cudaEventElapsedTime(ms, ev[i], ev[i + 1]), "cudaEventElapsedTime");
                dev[i] = ms.get();
            }
        }
        for (CUevent_st e : ev) {
            cudaEventDestroy(e);
        }
        if (fired.get()) {
            System.err.println("held timing: an enqueue blocked behind the held stream; released by the watchdog");
            return -1;
        }
        return median(dev);
    }

    /** Reads the configurations the C++ reference's search chose (its CSV: type,N,K,M,...,alg_id,split_k,...). */
    private static void readAlgorithms(String csv) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(csv));
            List<String> head = Arrays.asList(lines.get(0).split(","));
            int id = head.indexOf("alg_id");
            int sk = head.indexOf("split_k");
            int mode = head.indexOf("split_k_mode");
            int bufs = head.indexOf("split_k_buffers");
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",");
                if (f.length <= bufs) {
                    continue;
                }
                CPP_ALGS.put(f[0] + "," + f[1] + "," + f[2] + "," + f[3], new AlgorithmConfig(Integer.parseInt(f[id]),
                        Integer.parseInt(f[sk]), Integer.parseInt(f[mode]), Integer.parseInt(f[bufs])));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + csv, e);
        }
    }

    private static void check(int status, String call) {
        if (status != 0) {
            throw new IllegalStateException(call + " failed with CUDA status " + status);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static long splitmix64(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Tiles a 16 MiB block of pseudo-random values of the type over the buffer, element i of the block
     * derived from x = splitmix64(seed * 2^32 + i) by the formula of the C++ reference
     * ({@code gpu/bench_cusparselt.cpp}): floats (x >>> 40) / 2^23 - 1, INT8 (x >>> 60) - 8, so both
     * programs multiply identical matrices.
     */
    private static void fill(DeviceBuffer d, DataType type, long seed) {
        int block = (int) Math.min(d.byteSize(), 16L << 20);
        byte[] host = new byte[block];
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(host).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int count = block / type.byteSize();
        for (int i = 0; i < count; i++) {
            long x = splitmix64((seed << 32) + i);
            float v = (float) ((x >>> 40) / 8388608.0 - 1.0);
            switch (type) {
                case FP16 -> bb.putShort(2 * i, HalfFloats.floatToFp16(v));
                case BF16 -> bb.putShort(2 * i, HalfFloats.floatToBf16(v));
                case INT8 -> host[i] = (byte) ((int) (x >>> 60) - 8);
                case FP8_E4M3 -> host[i] = Fp8.floatToE4M3(v);
                default -> throw new IllegalArgumentException("no benchmark fill for " + type);
            }
        }
        List<Long> offsets = new ArrayList<>();
        for (long off = 0; off < d.byteSize(); off += block) {
            offsets.add(off);
        }
        for (long off : offsets) {
            long len = Math.min(block, d.byteSize() - off);
            d.copyFrom(len == block ? host : Arrays.copyOf(host, (int) len), off);
        }
    }
}
