package org.sparsity4j.cusparselt;

import java.util.Arrays;
import java.util.Objects;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.sparsity4j.core.compress.CompressedFormat;
import org.sparsity4j.core.compress.Order;
import org.sparsity4j.core.compress.SparseCompressor;
import org.sparsity4j.cusparselt.gen.cusparseLtMatDescriptor_t;
import org.sparsity4j.cusparselt.gen.cusparseLtMatmulAlgSelection_t;
import org.sparsity4j.cusparselt.gen.cusparseLtMatmulDescriptor_t;
import org.sparsity4j.cusparselt.gen.cusparseLtMatmulPlan_t;

import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemset;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;
import static org.sparsity4j.cusparselt.gen.global.cusparseLt.*;

/**
 * A prepared sparse matrix product: cuSPARSELt descriptors, algorithm selection, plan and workspace
 * for one {@link MatmulSpec}, plus (optionally) the searched algorithm and the dense-fallback
 * decision.
 *
 * <p>Execution methods take device addresses and a raw CUDA stream handle ({@code 0} is the legacy
 * default stream) and only enqueue work. Host-array conveniences ({@link #multiply}, {@link #prune(byte[], PruneMode)},
 * {@link #isPruned(byte[])}) copy, run and synchronise. Methods are safe to call from several
 * threads (they serialise on the plan). Close is idempotent; use after close throws
 * {@link IllegalStateException}.
 */
public final class MatmulPlan implements AutoCloseable {

    private final SparseContext context;
    private final MatmulSpec spec;
    private final PlanOptions options;
    private final PlanOptions effective;
    private cusparseLtMatDescriptor_t matA;
    private cusparseLtMatDescriptor_t matB;
    private cusparseLtMatDescriptor_t matC;
    private cusparseLtMatmulDescriptor_t matmul;
    private cusparseLtMatmulAlgSelection_t algSel;
    private cusparseLtMatmulPlan_t plan;
    private boolean planInitialised;
    private boolean descriptorsInitialised;
    // separate host scalars: JavaCPP offsets void* arguments by their position in bytes
    private final FloatPointer alphaHost = new FloatPointer(1);
    private final FloatPointer betaHost = new FloatPointer(1);
    private final PointerPointer<Pointer> streams = new PointerPointer<>(1);
    private final IntPointer scratchInt = new IntPointer(1);
    private final LongPointer biasHolder = new LongPointer(1);
    // reused argument objects of the enqueue path (guarded by this plan's lock), and the values last
    // written to the host scalars and the stream array, so an unchanged call writes nothing
    private final Ptr argA = new Ptr(0);
    private final Ptr argB = new Ptr(0);
    private final Ptr argC = new Ptr(0);
    private final Ptr argD = new Ptr(0);
    private final Ptr argWorkspace = new Ptr(0);
    private float lastAlpha = Float.NaN;
    private float lastBeta = Float.NaN;
    private long lastStream = -1;
    private long biasPlaceholder;
    private long boundBias;
    private long workspace;
    private long workspaceSize;
    private long compressBuffer;
    private long compressedSize;
    private long compressBufferSize;
    private AlgorithmConfig algorithm;
    private Backend backend = Backend.SPARSE;
    private String selectionReason = "sparse kernel (dense fallback not requested)";
    /** Set (under the plan's lock) when close begins; read by {@link #isClosed} from any thread. */
    private volatile boolean closed;

    private MatmulPlan(SparseContext context, MatmulSpec spec, PlanOptions options, PlanOptions effective) {
        this.context = context;
        this.spec = spec;
        this.options = options;
        this.effective = effective;
    }

    /**
     * Creates a plan. With search, the search runs on a separate, temporary plan with scratch
     * operands; the plan returned is then built afresh with the configuration the search chose
     * (as {@link PlanOptions#withAlgorithm(AlgorithmConfig)} would). On the H100 with cuSPARSELt
     * 0.8, executing the searched plan object itself after its scratch operands were freed raised
     * cudaErrorIllegalAddress, while a new plan with the chosen configuration runs correctly.
     */
    static MatmulPlan create(SparseContext context, MatmulSpec spec, PlanOptions options) {
        if (options.search()) {
            AlgorithmConfig found;
            try (MatmulPlan searched = build(context, spec, options,
                    new PlanOptions(true, false, options.timingIterations(), null))) {
                found = searched.algorithm;
            }
            return build(context, spec, options,
                    new PlanOptions(false, options.denseFallback(), options.timingIterations(), found));
        }
        return build(context, spec, options, options);
    }

    private static MatmulPlan build(SparseContext context, MatmulSpec spec, PlanOptions options, PlanOptions effective) {
        MatmulPlan p = new MatmulPlan(context, spec, options, effective);
        try {
            p.init();
        } catch (RuntimeException | Error e) { // an OutOfMemoryError too: the half-built plan is freed
            try {
                p.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return p;
    }

    private void init() {
        var h = context.handle();
        MatmulSpec s = spec;
        matA = new cusparseLtMatDescriptor_t();
        matB = new cusparseLtMatDescriptor_t();
        matC = new cusparseLtMatDescriptor_t();
        matmul = new cusparseLtMatmulDescriptor_t();
        algSel = new cusparseLtMatmulAlgSelection_t();
        plan = new cusparseLtMatmulPlan_t();
        int in = s.input().cudaCode();
        if (s.structured() == Operand.A) {
            Status.lt(cusparseLtStructuredDescriptorInit(h, matA, s.rowsA(), s.colsA(), s.ldA(), 16, in,
                    s.layoutA().code(), CUSPARSELT_SPARSITY_50_PERCENT), "cusparseLtStructuredDescriptorInit(A)");
            Status.lt(cusparseLtDenseDescriptorInit(h, matB, s.rowsB(), s.colsB(), s.ldB(), 16, in,
                    s.layoutB().code()), "cusparseLtDenseDescriptorInit(B)");
        } else {
            Status.lt(cusparseLtDenseDescriptorInit(h, matA, s.rowsA(), s.colsA(), s.ldA(), 16, in,
                    s.layoutA().code()), "cusparseLtDenseDescriptorInit(A)");
            Status.lt(cusparseLtStructuredDescriptorInit(h, matB, s.rowsB(), s.colsB(), s.ldB(), 16, in,
                    s.layoutB().code(), CUSPARSELT_SPARSITY_50_PERCENT), "cusparseLtStructuredDescriptorInit(B)");
        }
        Status.lt(cusparseLtDenseDescriptorInit(h, matC, s.m(), s.n(), s.ldC(), 16, s.output().cudaCode(),
                s.layoutC().code()), "cusparseLtDenseDescriptorInit(C)");
        Status.lt(cusparseLtMatmulDescriptorInit(h, matmul, s.opA().code(), s.opB().code(), matA, matB, matC, matC,
                s.computeTypeCode()), "cusparseLtMatmulDescriptorInit");
        if (s.activation() != Activation.NONE) {
            int attr = s.activation() == Activation.RELU ? CUSPARSELT_MATMUL_ACTIVATION_RELU
                    : CUSPARSELT_MATMUL_ACTIVATION_GELU;
            scratchInt.put(1);
            Status.lt(cusparseLtMatmulDescSetAttribute(h, matmul, attr, scratchInt, 4),
                    "cusparseLtMatmulDescSetAttribute(" + s.activation() + ")");
        }
        if (s.hasBias()) {
            // cuSPARSELt 0.8 enables the bias epilogue only when a bias pointer is set before
            // cusparseLtMatmulPlanInit; later changes of the pointer are honoured (measured on an H100).
            // Until a product passes the caller's vector, a zeroed vector owned by the plan is bound.
            biasPlaceholder = malloc(Math.max(s.bytesBias(), 256));
            Status.cuda(cudaMemset(new Ptr(biasPlaceholder), 0, Math.max(s.bytesBias(), 256)), "cudaMemset(bias)");
            bindBias(biasPlaceholder);
        }
        Status.lt(cusparseLtMatmulAlgSelectionInit(h, algSel, matmul, CUSPARSELT_MATMUL_ALG_DEFAULT),
                "cusparseLtMatmulAlgSelectionInit");
        descriptorsInitialised = true;
        if (effective.algorithm() != null) {
            applyAlgorithm(effective.algorithm());
        }
        Status.lt(cusparseLtMatmulPlanInit(h, plan, matmul, algSel), "cusparseLtMatmulPlanInit");
        planInitialised = true;
        refreshSizes();
        if (effective.search() || effective.denseFallback()) {
            try (Scratch x = new Scratch()) {
                if (effective.search()) {
                    streams.put(0, (Pointer) null);
                    alphaHost.put(1f);
                    betaHost.put(0f);
                    lastStream = 0;
                    lastAlpha = 1f;
                    lastBeta = 0f;
                    Status.lt(cusparseLtMatmulSearch(h, plan, alphaHost, new Ptr(x.sparseSlotA()),
                            new Ptr(x.sparseSlotB()), betaHost, new Ptr(x.c.address()),
                            new Ptr(x.c.address()), new Ptr(workspace()), streams, 0), "cusparseLtMatmulSearch");
                    Status.cuda(org.bytedeco.cuda.global.cudart.cudaDeviceSynchronize(),
                            "cudaDeviceSynchronize(after search)");
                }
                if (effective.denseFallback()) {
                    decideBackend(x);
                }
            }
        }
        algorithm = readAlgorithm();
    }

    private void bindBias(long address) {
        biasHolder.put(address);
        Status.lt(cusparseLtMatmulDescSetAttribute(context.handle(), matmul, CUSPARSELT_MATMUL_BIAS_POINTER,
                biasHolder, 8), "cusparseLtMatmulDescSetAttribute(BIAS_POINTER)");
        boundBias = address;
    }

    /**
     * Sets a configuration on the (freshly initialised) algorithm selection: the id always, the
     * split-K settings only when the configuration splits K (splitK > 1), as a fresh selection's
     * split-K defaults are otherwise what the configuration expects.
     */
    private void applyAlgorithm(AlgorithmConfig a) {
        var h = context.handle();
        setAlg(h, CUSPARSELT_MATMUL_ALG_CONFIG_ID, a.configId(), "CONFIG_ID");
        if (a.splitK() > 1) {
            setAlg(h, CUSPARSELT_MATMUL_SPLIT_K, a.splitK(), "SPLIT_K");
            setAlg(h, CUSPARSELT_MATMUL_SPLIT_K_MODE, a.splitKMode(), "SPLIT_K_MODE");
            setAlg(h, CUSPARSELT_MATMUL_SPLIT_K_BUFFERS, a.splitKBuffers(), "SPLIT_K_BUFFERS");
        }
    }

    private void setAlg(org.sparsity4j.cusparselt.gen.cusparseLtHandle_t h, int attr, int value, String name) {
        scratchInt.put(value);
        Status.lt(cusparseLtMatmulAlgSetAttribute(h, algSel, attr, scratchInt, 4),
                "cusparseLtMatmulAlgSetAttribute(" + name + "=" + value + ")");
    }

    private AlgorithmConfig readAlgorithm() {
        var h = context.handle();
        int[] codes = {CUSPARSELT_MATMUL_ALG_CONFIG_ID, CUSPARSELT_MATMUL_SPLIT_K, CUSPARSELT_MATMUL_SPLIT_K_MODE,
            CUSPARSELT_MATMUL_SPLIT_K_BUFFERS};
        int[] v = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            scratchInt.put(0);
            Status.lt(cusparseLtMatmulAlgGetAttribute(h, algSel, codes[i], scratchInt, 4),
                    "cusparseLtMatmulAlgGetAttribute(" + codes[i] + ")");
            v[i] = scratchInt.get();
        }
        return new AlgorithmConfig(v[0], v[1], v[2], v[3]);
    }

    /** Scratch operands for search and timing: A, B, C and a compressed structured operand. */
    private final class Scratch implements AutoCloseable {
        final DeviceBuffer a = context.allocate(spec.bytesA());
        final DeviceBuffer b = context.allocate(spec.bytesB());
        final DeviceBuffer c = context.allocate(spec.bytesC());
        final DeviceBuffer compressed = context.allocate(Math.max(compressedSize, 1));
        final long dense;

        Scratch() {
            // small non-zero values in every type; prune + compress so the sparse kernel sees valid data
            for (DeviceBuffer d : new DeviceBuffer[] {a, b, c}) {
                Status.cuda(cudaMemset(new Ptr(d.address()), 0x11, d.byteSize()), "cudaMemset");
            }
            dense = spec.structured() == Operand.A ? a.address() : b.address();
            Status.lt(cusparseLtSpMMAPrune(context.handle(), matmul, new Ptr(dense), new Ptr(dense),
                    CUSPARSELT_PRUNE_SPMMA_STRIP, null), "cusparseLtSpMMAPrune");
            Status.lt(cusparseLtSpMMACompress(context.handle(), plan, new Ptr(dense), new Ptr(compressed.address()),
                    new Ptr(compressBuffer()), null), "cusparseLtSpMMACompress");
        }

        long sparseSlotA() {
            return spec.structured() == Operand.A ? compressed.address() : a.address();
        }

        long sparseSlotB() {
            return spec.structured() == Operand.B ? compressed.address() : b.address();
        }

        @Override
        public void close() {
            compressed.close();
            c.close();
            b.close();
            a.close();
        }
    }

    private void decideBackend(Scratch x) {
        String why = DenseGemm.unsupportedReason(spec);
        if (why != null) {
            backend = Backend.SPARSE;
            selectionReason = "sparse kernel: no dense alternative (" + why + ")";
            return;
        }
        DenseGemm dense = context.dense();
        int iters = effective.timingIterations();
        double sparseMs = median(time(iters, () -> enqueueSparse(1f, x.sparseSlotA(), x.sparseSlotB(), 0f,
                x.c.address(), x.c.address(), biasPlaceholder, 0)));
        double denseMs = median(time(iters, () -> dense.gemm(spec, 1f, x.a.address(), x.b.address(), 0f,
                x.c.address(), x.c.address(), 0)));
        String numbers = String.format(java.util.Locale.ROOT, "sparse %.4f ms vs dense cuBLAS %.4f ms (median of %d)",
                sparseMs, denseMs, iters);
        if (denseMs < sparseMs) {
            backend = Backend.DENSE;
            selectionReason = "dense cuBLAS is faster on this shape: " + numbers;
        } else {
            backend = Backend.SPARSE;
            selectionReason = "sparse kernel is faster on this shape: " + numbers;
        }
    }

    private double[] time(int iters, Runnable r) {
        CUevent_st start = new CUevent_st();
        CUevent_st stop = new CUevent_st();
        Status.cuda(cudaEventCreate(start), "cudaEventCreate");
        Status.cuda(cudaEventCreate(stop), "cudaEventCreate");
        try (FloatPointer ms = new FloatPointer(1)) {
            for (int i = 0; i < 3; i++) {
                r.run();
            }
            double[] out = new double[iters];
            for (int i = 0; i < iters; i++) {
                Status.cuda(cudaEventRecord(start, null), "cudaEventRecord");
                r.run();
                Status.cuda(cudaEventRecord(stop, null), "cudaEventRecord");
                Status.cuda(cudaEventSynchronize(stop), "cudaEventSynchronize");
                Status.cuda(cudaEventElapsedTime(ms, start, stop), "cudaEventElapsedTime");
                out[i] = ms.get();
            }
            return out;
        } finally {
            cudaEventDestroy(start);
            cudaEventDestroy(stop);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /**
     * Queries workspace and compressed sizes (they may change when search picks another kernel);
     * device memory for workspace and compression scratch is allocated lazily on first use, so a
     * plan that is never executed holds none.
     */
    private void refreshSizes() {
        try (SizeTPointer w = new SizeTPointer(1); SizeTPointer a = new SizeTPointer(1);
             SizeTPointer b = new SizeTPointer(1)) {
            Status.lt(cusparseLtMatmulGetWorkspace(context.handle(), plan, w), "cusparseLtMatmulGetWorkspace");
            Status.lt(cusparseLtSpMMACompressedSize(context.handle(), plan, a, b), "cusparseLtSpMMACompressedSize");
            long need = w.get();
            if (workspace != 0 && need > workspaceSize) {
                free(workspace);
                workspace = 0;
            }
            workspaceSize = Math.max(workspaceSize, need);
            compressedSize = Math.max(compressedSize, a.get());
            if (compressBuffer != 0 && b.get() > compressBufferSize) {
                free(compressBuffer);
                compressBuffer = 0;
            }
            compressBufferSize = Math.max(compressBufferSize, b.get());
        }
    }

    private long workspace() {
        if (workspace == 0) {
            workspace = malloc(Math.max(workspaceSize, 256));
        }
        return workspace;
    }

    private long compressBuffer() {
        if (compressBuffer == 0) {
            compressBuffer = malloc(Math.max(compressBufferSize, 256));
        }
        return compressBuffer;
    }

    private static long malloc(long bytes) {
        Pointer p = new Pointer();
        Status.cuda(org.bytedeco.cuda.global.cudart.cudaMalloc(p, bytes), "cudaMalloc(" + bytes + " bytes)");
        return p.address();
    }

    private static void free(long address) {
        Status.cuda(org.bytedeco.cuda.global.cudart.cudaFree(new Ptr(address)), "cudaFree");
    }

    /** @return the spec this plan executes */
    public MatmulSpec spec() {
        checkOpen();
        return spec;
    }

    /** @return the options it was prepared with */
    public PlanOptions options() {
        checkOpen();
        return options;
    }

    /** @return the backend executing {@link #matmul} */
    public Backend backend() {
        checkOpen();
        return backend;
    }

    /** @return a sentence saying which backend runs and why, with the measured times when timed */
    public String selectionReason() {
        checkOpen();
        return selectionReason;
    }

    /** @return cuSPARSELt's algorithm configuration id in use (the searched one when searched) */
    public int algorithmId() {
        checkOpen();
        return algorithm.configId();
    }

    /**
     * The kernel configuration this plan runs: cuSPARSELt's default, the one given in the options,
     * or the one the search chose. Pass it to {@link PlanOptions#withAlgorithm(AlgorithmConfig)} to
     * rebuild the same plan later without searching.
     *
     * @return the configuration
     */
    public AlgorithmConfig algorithm() {
        checkOpen();
        return algorithm;
    }

    /** @return bytes of the compressed structured operand */
    public long compressedSize() {
        checkOpen();
        return compressedSize;
    }

    /** @return bytes of the workspace the plan keeps on the device */
    public long workspaceSize() {
        checkOpen();
        return workspaceSize;
    }

    /**
     * Prunes a dense copy of the structured operand on the device ({@code cusparseLtSpMMAPrune}).
     * In place when {@code in == out}. Enqueued on the stream.
     *
     * @param in device address of the dense structured operand
     * @param out device address receiving the pruned matrix
     * @param mode STRIP or TILE
     * @param stream raw CUDA stream, 0 for the default stream
     */
    public synchronized void prune(long in, long out, PruneMode mode, long stream) {
        checkOpen();
        Objects.requireNonNull(mode, "mode");
        requireAddress("in", in);
        requireAddress("out", out);
        Status.lt(cusparseLtSpMMAPrune(context.handle(), matmul, new Ptr(in), new Ptr(out), mode.code(),
                Ptr.stream(stream)), "cusparseLtSpMMAPrune(" + mode + ")");
    }

    /**
     * Host convenience: prunes a structured operand on the device and returns the result.
     *
     * @param dense the dense structured operand, {@link MatmulSpec#bytesStructured()} bytes, in the
     *     spec's layout, little-endian
     * @param mode STRIP or TILE
     * @return the pruned bytes
     */
    public byte[] prune(byte[] dense, PruneMode mode) {
        requireLength("structured operand", dense, spec.bytesStructured());
        try (DeviceBuffer d = context.upload(dense)) {
            prune(d.address(), d.address(), mode, 0);
            return d.toByteArray();
        }
    }

    /**
     * Checks on the device whether a dense structured operand satisfies the pattern
     * ({@code cusparseLtSpMMAPruneCheck}); synchronises the stream.
     *
     * @param in device address of the dense structured operand
     * @param stream raw CUDA stream, 0 for the default stream
     * @return true when every group is valid
     */
    public synchronized boolean isPruned(long in, long stream) {
        checkOpen();
        requireAddress("in", in);
        long flag = malloc(256);
        try {
            // cuSPARSELt 0.8 writes the flag only when it finds an invalid group (measured on an H100):
            // it must start at 0
            Status.cuda(org.bytedeco.cuda.global.cudart.cudaMemsetAsync(new Ptr(flag), 0, 4, Ptr.stream(stream)),
                    "cudaMemsetAsync(flag)");
            Status.lt(cusparseLtSpMMAPruneCheck(context.handle(), matmul, new Ptr(in), new IntPointer(new Ptr(flag)),
                    Ptr.stream(stream)), "cusparseLtSpMMAPruneCheck");
            Status.cuda(cudaStreamSynchronize(Ptr.stream(stream)), "cudaStreamSynchronize");
            Status.cuda(cudaMemcpy(scratchInt, new Ptr(flag), 4, cudaMemcpyDeviceToHost), "cudaMemcpy(D2H)");
            return scratchInt.get() == 0;
        } finally {
            free(flag);
        }
    }

    /**
     * Host convenience for {@link #isPruned(long, long)}.
     *
     * @param dense the dense structured operand bytes
     * @return true when every group is valid
     */
    public boolean isPruned(byte[] dense) {
        requireLength("structured operand", dense, spec.bytesStructured());
        try (DeviceBuffer d = context.upload(dense)) {
            return isPruned(d.address(), 0);
        }
    }

    /**
     * Compresses a pruned dense structured operand on the device into caller memory of
     * {@link #compressedSize()} bytes ({@code cusparseLtSpMMACompress}). Enqueued on the stream.
     *
     * @param dense device address of the pruned dense operand
     * @param compressed device address receiving the compressed operand
     * @param stream raw CUDA stream, 0 for the default stream
     */
    public synchronized void compress(long dense, long compressed, long stream) {
        checkOpen();
        requireAddress("dense", dense);
        requireAddress("compressed", compressed);
        Status.lt(cusparseLtSpMMACompress(context.handle(), plan, new Ptr(dense), new Ptr(compressed),
                new Ptr(compressBuffer()), Ptr.stream(stream)), "cusparseLtSpMMACompress");
    }

    /**
     * Prepares the structured operand for this plan's backend: compressed on the device for SPARSE,
     * a dense copy for DENSE. Synchronous. The input must already be pruned (see
     * {@link #prune(long, long, PruneMode, long)}): compression does not check it, and an unpruned
     * input gives wrong products (use {@link #isPruned(long, long)} where in doubt).
     *
     * @param densePruned the pruned dense structured operand
     * @return the operand, owned by the caller
     */
    public SparseOperand compress(DeviceBuffer densePruned) {
        Objects.requireNonNull(densePruned, "densePruned");
        checkOpen();
        if (densePruned.byteSize() < spec.bytesStructured()) {
            throw new IllegalArgumentException("structured operand buffer has " + densePruned.byteSize()
                    + " bytes, spec " + spec + " needs " + spec.bytesStructured());
        }
        DeviceBuffer out;
        if (backend == Backend.SPARSE) {
            out = context.allocate(compressedSize);
            try {
                compress(densePruned.address(), out.address(), 0);
                context.synchronize();
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
        } else {
            out = context.allocate(spec.bytesStructured());
            Status.cuda(org.bytedeco.cuda.global.cudart.cudaMemcpy(new Ptr(out.address()),
                    new Ptr(densePruned.address()), spec.bytesStructured(),
                    org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice), "cudaMemcpy(D2D)");
        }
        // the context records the operand's buffer (closing it closes the operand), not the operand
        return new SparseOperand(spec, backend, out);
    }

    /**
     * Uploads an operand compressed on the CPU (for example by sparsity-core's compressor) in
     * cuSPARSELt's layout. Only for the SPARSE backend.
     *
     * <p>cuSPARSELt runs a product on any bytes without an error, so they are checked first. The
     * length must be {@link #compressedSize()}. Where the layout is proven (compute capability 9.0,
     * cuSPARSELt 0.8, for the 8-bit types the reduction dimension contiguous, and the dense operand
     * within one Java array, 2^31 - 9 bytes: see {@link CompressedFormat}), every group's metadata code
     * is checked as well ({@link SparseCompressor#checkMetadata}; large operands on the common pool,
     * the caller waiting) before the upload; elsewhere only the length is. No check can tell bytes
     * compressed for another spec of the same geometry (another element type of the same width, the
     * other operand of a square product): those run and give wrong products.
     *
     * @param compressed exactly {@link #compressedSize()} bytes
     * @return the operand, owned by the caller
     * @throws IllegalArgumentException if the length is wrong, or a metadata code is invalid (the message
     *     names its byte offset and the group's row and column in the stored structured operand)
     * @throws IllegalStateException if the plan runs dense cuBLAS, or is closed
     */
    public SparseOperand uploadCompressed(byte[] compressed) {
        checkOpen();
        if (backend != Backend.SPARSE) {
            throw new IllegalStateException("plan runs dense cuBLAS (" + selectionReason
                    + "); upload the pruned dense operand with compress(DeviceBuffer) instead");
        }
        requireLength("compressed operand", compressed, compressedSize);
        CompressedFormat format = provenFormat(spec, context.computeCapability(), context.libraryVersion());
        if (format != null) {
            SparseCompressor.checkMetadata(format, compressed);
        }
        DeviceBuffer out = context.upload(compressed);
        // the context records the operand's buffer (closing it closes the operand), not the operand
        return new SparseOperand(spec, backend, out);
    }

    /**
     * The compressed format of the spec's structured operand where its layout is proven (compute
     * capability 9.0, cuSPARSELt 0.8.x, see {@link CompressedFormat}) and the operand fits the core's
     * arrays (dense within 2^31 - 9 bytes); null elsewhere.
     *
     * @param spec the spec
     * @param computeCapability major * 10 + minor
     * @param libraryVersion cuSPARSELt's version number (800 for 0.8.0)
     * @return the format, or null
     */
    static CompressedFormat provenFormat(MatmulSpec spec, int computeCapability, int libraryVersion) {
        if (libraryVersion / 100 != 8) {
            return null;
        }
        boolean a = spec.structured() == Operand.A;
        long rows = a ? spec.rowsA() : spec.rowsB();
        long cols = a ? spec.colsA() : spec.colsB();
        Layout layout = a ? spec.layoutA() : spec.layoutB();
        Op op = a ? spec.opA() : spec.opB();
        try {
            return CompressedFormat.forComputeCapability(computeCapability / 10, computeCapability % 10,
                    spec.input().elementType(), Math.toIntExact(rows), Math.toIntExact(cols),
                    layout == Layout.ROW_MAJOR ? Order.ROW_MAJOR : Order.COLUMN_MAJOR,
                    op == Op.N ? org.sparsity4j.core.compress.Op.NON_TRANSPOSE
                            : org.sparsity4j.core.compress.Op.TRANSPOSE,
                    a ? org.sparsity4j.core.compress.Operand.A : org.sparsity4j.core.compress.Operand.B);
        } catch (IllegalArgumentException unproven) {
            // another architecture, an 8-bit orientation with the reduction strided, or beyond one array
            return null;
        }
    }

    /**
     * Enqueues {@code D = act(alpha op(A) op(B) + beta C)} on the stream with the plan's backend. For
     * a spec without a bias epilogue; with one, use
     * {@link #matmul(float, SparseOperand, long, float, long, long, long, long)}.
     *
     * @param alpha scale of the product
     * @param structured the prepared structured operand (A or B, as the spec says)
     * @param dense device address of the other input
     * @param beta scale of C
     * @param c device address of C (may equal d; ignored when beta is 0 but must be valid)
     * @param d device address of D
     * @param stream raw CUDA stream, 0 for the default stream
     * @throws IllegalArgumentException when the spec has a bias epilogue
     */
    public void matmul(float alpha, SparseOperand structured, long dense, float beta, long c, long d, long stream) {
        requireNoBias();
        run(alpha, structured, dense, beta, c, d, 0, stream);
    }

    /**
     * Enqueues {@code D = act(alpha op(A) op(B) + beta C + bias)} on the stream, for a spec with a
     * bias epilogue ({@link MatmulSpec#hasBias()}): {@code bias} holds M values of
     * {@link MatmulSpec#biasType()}, one per row of D. The vector is read when the kernel runs, so it
     * must stay valid until the stream reaches this product.
     *
     * @param alpha scale of the product
     * @param structured the prepared structured operand (A or B, as the spec says)
     * @param dense device address of the other input
     * @param beta scale of C
     * @param c device address of C (may equal d; ignored when beta is 0 but must be valid)
     * @param d device address of D
     * @param bias device address of the bias vector
     * @param stream raw CUDA stream, 0 for the default stream
     * @throws IllegalArgumentException when the spec has no bias epilogue
     */
    public void matmul(float alpha, SparseOperand structured, long dense, float beta, long c, long d, long bias,
                       long stream) {
        requireBias(bias);
        run(alpha, structured, dense, beta, c, d, bias, stream);
    }

    private void run(float alpha, SparseOperand structured, long dense, float beta, long c, long d, long bias,
                     long stream) {
        Objects.requireNonNull(structured, "structured");
        checkOpen();
        if (!structured.spec().equals(spec)) {
            throw new IllegalArgumentException("operand was prepared for " + structured.spec() + ", plan is " + spec);
        }
        if (structured.backend() != backend) {
            throw new IllegalArgumentException("operand is in " + structured.backend() + " form, plan runs " + backend);
        }
        requireAddress("dense", dense);
        requireAddress("c", c);
        requireAddress("d", d);
        synchronized (this) {
            // the operand's address is read under the plan's lock, after the plan is found open: the
            // context closes its plans before its buffers (operands' data among them), so an operand
            // cannot be freed between this read and the enqueue by a context close on another thread
            checkOpen();
            long s = structured.address();
            long a = spec.structured() == Operand.A ? s : dense;
            long b = spec.structured() == Operand.A ? dense : s;
            if (backend == Backend.SPARSE) {
                enqueueSparse(alpha, a, b, beta, c, d, bias, stream);
            } else {
                context.dense().gemm(spec, alpha, a, b, beta, c, d, stream);
            }
        }
    }

    /**
     * Enqueues the sparse kernel directly on raw device addresses: the structured slot must hold a
     * compressed operand. Only for the SPARSE backend and a spec without a bias epilogue.
     *
     * @param alpha scale of the product
     * @param a device address of A (compressed when A is structured)
     * @param b device address of B (compressed when B is structured)
     * @param beta scale of C
     * @param c device address of C
     * @param d device address of D
     * @param stream raw CUDA stream, 0 for the default stream
     */
    public void matmulSparse(float alpha, long a, long b, float beta, long c, long d, long stream) {
        requireNoBias();
        sparseOnly(alpha, a, b, beta, c, d, 0, stream);
    }

    /**
     * Enqueues the sparse kernel with the bias epilogue directly on raw device addresses (see
     * {@link #matmul(float, SparseOperand, long, float, long, long, long, long)} for the bias).
     *
     * @param alpha scale of the product
     * @param a device address of A (compressed when A is structured)
     * @param b device address of B (compressed when B is structured)
     * @param beta scale of C
     * @param c device address of C
     * @param d device address of D
     * @param bias device address of the bias vector, M values of {@link MatmulSpec#biasType()}
     * @param stream raw CUDA stream, 0 for the default stream
     */
    public void matmulSparse(float alpha, long a, long b, float beta, long c, long d, long bias, long stream) {
        requireBias(bias);
        sparseOnly(alpha, a, b, beta, c, d, bias, stream);
    }

    private void sparseOnly(float alpha, long a, long b, float beta, long c, long d, long bias, long stream) {
        checkOpen();
        if (backend != Backend.SPARSE) {
            throw new IllegalStateException("plan runs dense cuBLAS: " + selectionReason);
        }
        requireAddress("a", a);
        requireAddress("b", b);
        requireAddress("c", c);
        requireAddress("d", d);
        enqueueSparse(alpha, a, b, beta, c, d, bias, stream);
    }

    private void requireNoBias() {
        if (spec.hasBias()) {
            throw new IllegalArgumentException("spec " + spec + " has a bias epilogue: pass the bias vector");
        }
    }

    private void requireBias(long bias) {
        if (!spec.hasBias()) {
            throw new IllegalArgumentException("spec " + spec + " has no bias epilogue; build it with bias(true)");
        }
        requireAddress("bias", bias);
    }

    private synchronized void enqueueSparse(float alpha, long a, long b, float beta, long c, long d, long bias,
                                            long stream) {
        // checked again under the plan's lock: a close on another thread between the caller's check
        // and here has destroyed the descriptors this call would pass to cuSPARSELt
        checkOpen();
        if (spec.hasBias() && bias != boundBias) {
            bindBias(bias);
        }
        if (Float.floatToRawIntBits(alpha) != Float.floatToRawIntBits(lastAlpha)) {
            alphaHost.put(alpha);
            lastAlpha = alpha;
        }
        if (Float.floatToRawIntBits(beta) != Float.floatToRawIntBits(lastBeta)) {
            betaHost.put(beta);
            lastBeta = beta;
        }
        if (stream != lastStream) {
            streams.put(0, stream == 0 ? null : new Ptr(stream));
            lastStream = stream;
        }
        Status.lt(cusparseLtMatmul(context.handle(), plan, alphaHost, argA.at(a), argB.at(b), betaHost, argC.at(c),
                argD.at(d), argWorkspace.at(workspace()), streams, 1), "cusparseLtMatmul");
    }

    /**
     * Host convenience: uploads the operands, compresses (or copies, for DENSE) the structured one
     * on the device, runs the product on the default stream and returns D.
     *
     * @param structuredPruned the structured operand, already pruned, dense, in the spec's layout
     * @param dense the other input
     * @param c C, or null when beta is 0
     * @param alpha scale of the product
     * @param beta scale of C
     * @return D, {@link MatmulSpec#bytesC()} bytes, little-endian
     */
    public byte[] multiply(byte[] structuredPruned, byte[] dense, byte[] c, float alpha, float beta) {
        requireNoBias();
        return multiplyWith(structuredPruned, dense, c, null, alpha, beta);
    }

    /**
     * Host convenience for a spec with a bias epilogue: as
     * {@link #multiply(byte[], byte[], byte[], float, float)}, adding {@code bias} (M values of
     * {@link MatmulSpec#biasType()}, little-endian) to every row of D before the activation.
     *
     * @param structuredPruned the structured operand, already pruned, dense, in the spec's layout
     * @param dense the other input
     * @param c C, or null when beta is 0
     * @param bias the bias vector, {@link MatmulSpec#bytesBias()} bytes
     * @param alpha scale of the product
     * @param beta scale of C
     * @return D, {@link MatmulSpec#bytesC()} bytes, little-endian
     */
    public byte[] multiply(byte[] structuredPruned, byte[] dense, byte[] c, byte[] bias, float alpha, float beta) {
        if (!spec.hasBias()) {
            throw new IllegalArgumentException("spec " + spec + " has no bias epilogue; build it with bias(true)");
        }
        requireLength("bias", bias, spec.bytesBias());
        return multiplyWith(structuredPruned, dense, c, bias, alpha, beta);
    }

    private byte[] multiplyWith(byte[] structuredPruned, byte[] dense, byte[] c, byte[] bias, float alpha, float beta) {
        checkOpen();
        requireLength("structured operand", structuredPruned, spec.bytesStructured());
        long otherBytes = spec.structured() == Operand.A ? spec.bytesB() : spec.bytesA();
        requireLength("dense operand", dense, otherBytes);
        if (c != null) {
            requireLength("C", c, spec.bytesC());
        } else if (beta != 0f) {
            throw new IllegalArgumentException("C is null but beta is " + beta);
        }
        try (DeviceBuffer sp = context.upload(structuredPruned);
             SparseOperand op = compress(sp);
             DeviceBuffer other = context.upload(dense);
             DeviceBuffer out = context.allocate(spec.bytesC());
             DeviceBuffer biasBuffer = bias == null ? null : context.upload(bias)) {
            if (c != null) {
                out.copyFrom(c);
            } else {
                out.clear();
            }
            run(alpha, op, other.address(), beta, out.address(), out.address(),
                    biasBuffer == null ? 0 : biasBuffer.address(), 0);
            context.synchronize();
            return out.toByteArray();
        }
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("plan " + spec + " is closed");
        }
        context.checkOpen();
    }

    private static void requireAddress(String name, long address) {
        if (address == 0) {
            throw new IllegalArgumentException("device address of " + name + " is null");
        }
        if ((address & 15) != 0) {
            throw new IllegalArgumentException("device address of " + name + " (0x" + Long.toHexString(address)
                    + ") is not 16-byte aligned");
        }
    }

    private static void requireLength(String name, byte[] bytes, long expected) {
        Objects.requireNonNull(bytes, name);
        if (bytes.length != expected) {
            throw new IllegalArgumentException(name + " has " + bytes.length + " bytes, expected " + expected);
        }
    }

    /** Destroys the plan and its descriptors and frees its device memory; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            destroy();
        } finally {
            // only now: until then a context closing on another thread still holds this plan, and its close of
            // the plan waits for this one, so cuSPARSELt's handle outlives the plan's destruction
            context.forget(this);
        }
    }

    private void destroy() {
        RuntimeException first = null;
        if (planInitialised) {
            first = keep(first, () -> Status.lt(cusparseLtMatmulPlanDestroy(plan), "cusparseLtMatmulPlanDestroy"));
        }
        if (descriptorsInitialised) {
            first = keep(first, () -> Status.lt(cusparseLtMatmulAlgSelectionDestroy(algSel),
                    "cusparseLtMatmulAlgSelectionDestroy"));
            first = keep(first, () -> Status.lt(cusparseLtMatDescriptorDestroy(matA), "cusparseLtMatDescriptorDestroy(A)"));
            first = keep(first, () -> Status.lt(cusparseLtMatDescriptorDestroy(matB), "cusparseLtMatDescriptorDestroy(B)"));
            first = keep(first, () -> Status.lt(cusparseLtMatDescriptorDestroy(matC), "cusparseLtMatDescriptorDestroy(C)"));
        }
        if (workspace != 0) {
            long w = workspace;
            workspace = 0;
            first = keep(first, () -> free(w));
        }
        if (compressBuffer != 0) {
            long cb = compressBuffer;
            compressBuffer = 0;
            first = keep(first, () -> free(cb));
        }
        if (biasPlaceholder != 0) {
            long bp = biasPlaceholder;
            biasPlaceholder = 0;
            first = keep(first, () -> free(bp));
        }
        for (Pointer p : new Pointer[] {plan, algSel, matmul, matA, matB, matC, alphaHost, betaHost, streams, scratchInt, biasHolder,
            argA, argB, argC, argD, argWorkspace}) {
            if (p != null) {
                p.close();
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static RuntimeException keep(RuntimeException first, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return first == null ? e : first;
        }
        return first;
    }
}
