package org.sparsity4j.cusparselt;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.sparsity4j.cusparselt.gen.cusparseLtHandle_t;
import org.sparsity4j.cusparselt.gen.cusparseLtMatDescriptor_t;
import org.sparsity4j.cusparselt.gen.global.cusparseLt;

import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMajor;
import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMinor;
import static org.bytedeco.cuda.global.cudart.cudaDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cudaDeviceSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;

/**
 * A cuSPARSELt handle bound to one CUDA device, the factory for plans, device buffers and streams,
 * and the owner of a plan cache keyed by {@link MatmulSpec} and {@link PlanOptions}.
 *
 * <p>Closing the context closes everything it created that is still open (plans, operands,
 * buffers, streams), waiting for any of them that another thread is closing at that moment, before
 * it destroys the cuSPARSELt handle. Close is idempotent; any use after close throws
 * {@link IllegalStateException}.
 * A context is meant to be used from one thread at a time; its plans may be used from any thread at
 * once (their host conveniences allocate and free the context's buffers, which it records safely).
 */
public final class SparseContext implements AutoCloseable {

    private final int device;
    /** Compute capability as major * 10 + minor (90 for H100 and H200). */
    private final int computeCapability;
    /** cuSPARSELt's version, asked once at creation (every checked upload needs it). */
    private final int libraryVersion;
    /** Null once closed (volatile: plans and buffers check it from any thread). */
    private volatile cusparseLtHandle_t handle;
    private DenseGemm dense;
    private final OwnedResources children = new OwnedResources();
    /** Set by the first {@link #close()}: a second one, on another thread, does not run it again. */
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    private final Map<PlanKey, MatmulPlan> cache = new HashMap<>();
    private DeviceBuffer compressScratch;
    private DeviceBuffer flag;

    private record PlanKey(MatmulSpec spec, PlanOptions options) {
    }

    private SparseContext(int device, int computeCapability, int libraryVersion, cusparseLtHandle_t handle) {
        this.device = device;
        this.computeCapability = computeCapability;
        this.libraryVersion = libraryVersion;
        this.handle = handle;
    }

    /**
     * Creates a context on a device.
     *
     * @param device CUDA device ordinal
     * @return the context
     * @throws IllegalStateException when cuSPARSELt or a CUDA device is not available
     * @throws IllegalArgumentException when the ordinal is out of range
     */
    public static SparseContext create(int device) {
        NativeLibrary.require();
        if (device < 0 || device >= NativeLibrary.deviceCount()) {
            throw new IllegalArgumentException("device " + device + " out of range: " + NativeLibrary.deviceCount()
                    + " CUDA device(s) present");
        }
        Status.cuda(cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        int[] major = new int[1];
        int[] minor = new int[1];
        Status.cuda(cudaDeviceGetAttribute(major, cudaDevAttrComputeCapabilityMajor, device),
                "cudaDeviceGetAttribute(ComputeCapabilityMajor)");
        Status.cuda(cudaDeviceGetAttribute(minor, cudaDevAttrComputeCapabilityMinor, device),
                "cudaDeviceGetAttribute(ComputeCapabilityMinor)");
        cusparseLtHandle_t h = new cusparseLtHandle_t();
        int st = cusparseLt.cusparseLtInit(h);
        if (st != 0) {
            h.close();
            Status.lt(st, "cusparseLtInit");
        }
        int version;
        try (IntPointer v = new IntPointer(1)) {
            st = cusparseLt.cusparseLtGetVersion(h, v);
            version = v.get();
        }
        if (st != 0) {
            cusparseLt.cusparseLtDestroy(h);
            h.close();
            Status.lt(st, "cusparseLtGetVersion");
        }
        return new SparseContext(device, 10 * major[0] + minor[0], version, h);
    }

    /**
     * The device ordinal.
     *
     * @return the device
     */
    public int device() {
        checkOpen();
        return device;
    }

    /**
     * The device's compute capability as {@code major * 10 + minor}: 90 for H100 and H200, 80 for A100.
     *
     * @return the compute capability
     */
    public int computeCapability() {
        checkOpen();
        return computeCapability;
    }

    /**
     * cuSPARSELt's version number (major*1000 + minor*100 + patch, 800 for 0.8.0).
     *
     * @return the version
     */
    public int libraryVersion() {
        checkOpen();
        return libraryVersion;
    }

    /**
     * Free and total device memory in bytes, as {@code cudaMemGetInfo} reports them.
     *
     * @return {free, total}
     */
    public long[] memoryInfo() {
        checkOpen();
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            Status.cuda(cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return new long[] {free.get(), total.get()};
        }
    }

    /**
     * Allocates device memory owned by the returned buffer.
     *
     * @param bytes size in bytes, positive
     * @return the buffer
     */
    public DeviceBuffer allocate(long bytes) {
        checkOpen();
        DeviceBuffer b = DeviceBuffer.allocate(this, bytes);
        register(b);
        return b;
    }

    /**
     * Allocates a device buffer holding a copy of host bytes.
     *
     * @param bytes the bytes, non-empty
     * @return the buffer
     */
    public DeviceBuffer upload(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        DeviceBuffer b = allocate(bytes.length);
        try {
            b.copyFrom(bytes);
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    /**
     * Creates a CUDA stream owned by the returned object.
     *
     * @return the stream
     */
    public CudaStream createStream() {
        checkOpen();
        CudaStream s = CudaStream.create(this);
        register(s);
        return s;
    }

    /**
     * Creates a plan owned by the caller (close it when done; the context also closes it).
     *
     * @param spec the product
     * @param options how to prepare it
     * @return the plan
     */
    public MatmulPlan createPlan(MatmulSpec spec, PlanOptions options) {
        checkOpen();
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(options, "options");
        Status.cuda(cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        MatmulPlan p = MatmulPlan.create(this, spec, options);
        register(p);
        return p;
    }

    /**
     * Returns the cached plan for this spec with {@link PlanOptions#defaults()}, creating it on
     * first use. Cached plans belong to the context; closing one only evicts it.
     *
     * @param spec the product
     * @return the plan
     */
    public MatmulPlan plan(MatmulSpec spec) {
        return plan(spec, PlanOptions.defaults());
    }

    /**
     * Returns the cached plan for this spec and options, creating it on first use.
     *
     * @param spec the product
     * @param options how to prepare it
     * @return the plan
     */
    public MatmulPlan plan(MatmulSpec spec, PlanOptions options) {
        checkOpen();
        PlanKey key = new PlanKey(Objects.requireNonNull(spec, "spec"), Objects.requireNonNull(options, "options"));
        MatmulPlan p = cache.get(key);
        if (p == null || p.isClosed()) {
            p = createPlan(spec, options);
            cache.put(key, p);
        }
        return p;
    }

    /**
     * Number of open plans in the cache.
     *
     * @return the count
     */
    public int cachedPlanCount() {
        checkOpen();
        cache.values().removeIf(MatmulPlan::isClosed);
        return cache.size();
    }

    /**
     * Size of the compressed structured operand of a spec, without a plan
     * ({@code cusparseLtSpMMACompressedSize2}); equals {@link MatmulPlan#compressedSize()}.
     *
     * @param spec the product whose structured operand is meant
     * @return bytes of the compressed operand
     */
    public long compressedSize(MatmulSpec spec) {
        try (Structured d = new Structured(spec)) {
            return d.sizes()[0];
        }
    }

    /**
     * Prunes the structured operand of a spec on the device without a plan
     * ({@code cusparseLtSpMMAPrune2}, the same result as {@link MatmulPlan#prune(long, long, PruneMode, long)}).
     * In place when {@code in == out}. Enqueued on the stream.
     *
     * @param spec the product whose structured operand is meant (shape, layout, op, type)
     * @param in device address of the dense structured operand
     * @param out device address receiving the pruned matrix
     * @param mode STRIP or TILE
     * @param stream raw CUDA stream, 0 for the default stream
     */
    public void prune(MatmulSpec spec, long in, long out, PruneMode mode, long stream) {
        Objects.requireNonNull(mode, "mode");
        requireAddress("in", in);
        requireAddress("out", out);
        try (Structured d = new Structured(spec)) {
            Status.lt(cusparseLt.cusparseLtSpMMAPrune2(handle, d.descriptor, d.isA, d.op, new Ptr(in), new Ptr(out),
                    mode.code(), Ptr.stream(stream)), "cusparseLtSpMMAPrune2(" + mode + ")");
        }
    }

    /**
     * Host convenience for {@link #prune(MatmulSpec, long, long, PruneMode, long)}.
     *
     * @param spec the product whose structured operand is meant
     * @param dense the dense structured operand, {@link MatmulSpec#bytesStructured()} bytes
     * @param mode STRIP or TILE
     * @return the pruned bytes
     */
    public byte[] prune(MatmulSpec spec, byte[] dense, PruneMode mode) {
        requireLength("structured operand", dense, Objects.requireNonNull(spec, "spec").bytesStructured());
        try (DeviceBuffer d = upload(dense)) {
            prune(spec, d.address(), d.address(), mode, 0);
            synchronize();
            return d.toByteArray();
        }
    }

    /**
     * Checks on the device, without a plan, whether the structured operand of a spec satisfies the
     * pattern ({@code cusparseLtSpMMAPruneCheck2}); synchronises the stream.
     *
     * @param spec the product whose structured operand is meant
     * @param in device address of the dense structured operand
     * @param stream raw CUDA stream, 0 for the default stream
     * @return true when every group is valid
     */
    public boolean isPruned(MatmulSpec spec, long in, long stream) {
        requireAddress("in", in);
        try (Structured d = new Structured(spec); IntPointer result = new IntPointer(1)) {
            if (flag == null || flag.isClosed()) {
                flag = allocate(256);
            }
            // cuSPARSELt 0.8 writes the flag only when it finds an invalid group (measured on an H100):
            // it must start at 0 on the same stream
            Status.cuda(org.bytedeco.cuda.global.cudart.cudaMemsetAsync(new Ptr(flag.address()), 0, 4,
                    Ptr.stream(stream)), "cudaMemsetAsync(flag)");
            Status.lt(cusparseLt.cusparseLtSpMMAPruneCheck2(handle, d.descriptor, d.isA, d.op, new Ptr(in),
                    new IntPointer(new Ptr(flag.address())), Ptr.stream(stream)), "cusparseLtSpMMAPruneCheck2");
            Status.cuda(cudaStreamSynchronize(Ptr.stream(stream)), "cudaStreamSynchronize");
            Status.cuda(cudaMemcpy(result, new Ptr(flag.address()), 4, cudaMemcpyDeviceToHost), "cudaMemcpy(D2H)");
            return result.get() == 0;
        }
    }

    /**
     * Host convenience for {@link #isPruned(MatmulSpec, long, long)}.
     *
     * @param spec the product whose structured operand is meant
     * @param dense the dense structured operand bytes
     * @return true when every group is valid
     */
    public boolean isPruned(MatmulSpec spec, byte[] dense) {
        requireLength("structured operand", dense, Objects.requireNonNull(spec, "spec").bytesStructured());
        try (DeviceBuffer d = upload(dense)) {
            return isPruned(spec, d.address(), 0);
        }
    }

    /**
     * Compresses a pruned structured operand on the device without a plan
     * ({@code cusparseLtSpMMACompress2}) into {@link #compressedSize(MatmulSpec)} bytes of caller
     * memory; the same bytes as {@link MatmulPlan#compress(long, long, long)}, so the result can be
     * used with any plan for the spec. Enqueued on the stream; the context keeps the scratch memory.
     *
     * @param spec the product whose structured operand is meant
     * @param densePruned device address of the pruned dense operand
     * @param compressed device address receiving the compressed operand
     * @param stream raw CUDA stream, 0 for the default stream
     */
    public void compress(MatmulSpec spec, long densePruned, long compressed, long stream) {
        requireAddress("densePruned", densePruned);
        requireAddress("compressed", compressed);
        try (Structured d = new Structured(spec)) {
            long need = Math.max(d.sizes()[1], 256);
            if (compressScratch == null || compressScratch.isClosed() || compressScratch.byteSize() < need) {
                if (compressScratch != null && !compressScratch.isClosed()) {
                    synchronize(); // earlier compressions may still use it
                    compressScratch.close();
                }
                compressScratch = allocate(need);
            }
            Status.lt(cusparseLt.cusparseLtSpMMACompress2(handle, d.descriptor, d.isA, d.op, new Ptr(densePruned),
                    new Ptr(compressed), new Ptr(compressScratch.address()), Ptr.stream(stream)),
                    "cusparseLtSpMMACompress2");
        }
    }

    /**
     * Host convenience for {@link #compress(MatmulSpec, long, long, long)}: the bytes cuSPARSELt
     * produces for a pruned structured operand, for comparison with a CPU compressor or for storage.
     *
     * @param spec the product whose structured operand is meant
     * @param densePruned the pruned dense operand, {@link MatmulSpec#bytesStructured()} bytes
     * @return the compressed operand, {@link #compressedSize(MatmulSpec)} bytes
     */
    public byte[] compress(MatmulSpec spec, byte[] densePruned) {
        requireLength("structured operand", densePruned, Objects.requireNonNull(spec, "spec").bytesStructured());
        try (DeviceBuffer d = upload(densePruned); DeviceBuffer out = allocate(compressedSize(spec))) {
            compress(spec, d.address(), out.address(), 0);
            synchronize();
            return out.toByteArray();
        }
    }

    /** A structured-operand descriptor of a spec for the plan-free (*2) calls; destroyed on close. */
    private final class Structured implements AutoCloseable {
        final cusparseLtMatDescriptor_t descriptor = new cusparseLtMatDescriptor_t();
        final int isA;
        final int op;
        private boolean initialised;

        Structured(MatmulSpec spec) {
            Objects.requireNonNull(spec, "spec");
            checkOpen();
            boolean a = spec.structured() == Operand.A;
            isA = a ? 1 : 0;
            op = (a ? spec.opA() : spec.opB()).code();
            long rows = a ? spec.rowsA() : spec.rowsB();
            long cols = a ? spec.colsA() : spec.colsB();
            long ld = a ? spec.ldA() : spec.ldB();
            Layout layout = a ? spec.layoutA() : spec.layoutB();
            int st = cusparseLt.cusparseLtStructuredDescriptorInit(handle, descriptor, rows, cols, ld, 16,
                    spec.input().cudaCode(), layout.code(), cusparseLt.CUSPARSELT_SPARSITY_50_PERCENT);
            if (st != 0) {
                descriptor.close();
                Status.lt(st, "cusparseLtStructuredDescriptorInit(" + (a ? "A" : "B") + ")");
            }
            initialised = true;
        }

        long[] sizes() {
            try (SizeTPointer size = new SizeTPointer(1); SizeTPointer buffer = new SizeTPointer(1)) {
                Status.lt(cusparseLt.cusparseLtSpMMACompressedSize2(handle, descriptor, size, buffer),
                        "cusparseLtSpMMACompressedSize2");
                return new long[] {size.get(), buffer.get()};
            }
        }

        @Override
        public void close() {
            if (initialised) {
                initialised = false;
                int st = cusparseLt.cusparseLtMatDescriptorDestroy(descriptor);
                descriptor.close();
                Status.lt(st, "cusparseLtMatDescriptorDestroy");
            }
        }
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

    /** Blocks until the device has finished all queued work. */
    public void synchronize() {
        checkOpen();
        Status.cuda(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return handle == null;
    }

    cusparseLtHandle_t handle() {
        checkOpen();
        return handle;
    }

    /** The context's cuBLAS path, created on first use (from any plan's thread). */
    DenseGemm dense() {
        checkOpen();
        synchronized (this) {
            if (dense == null) {
                dense = DenseGemm.create();
            }
            return dense;
        }
    }

    /**
     * Records a resource this context closes with it; called from any thread. A resource made while
     * the context closes on another thread (whose close may already have taken the record) is closed
     * here, and the caller gets the closed context's {@link IllegalStateException}.
     */
    void register(AutoCloseable child) {
        children.add(child);
        if (closing.get()) {
            children.remove(child);
            try {
                child.close();
            } catch (Exception e) {
                IllegalStateException closed = new IllegalStateException("sparse context for device " + device
                        + " is closed");
                closed.addSuppressed(e);
                throw closed;
            }
            throw new IllegalStateException("sparse context for device " + device + " is closed");
        }
    }

    /** Forgets a resource closed by its owner; called from any thread. */
    void forget(AutoCloseable child) {
        children.remove(child);
    }

    /** Number of open resources the context would close (for tests). */
    int openResources() {
        return children.size();
    }

    void checkOpen() {
        if (handle == null) {
            throw new IllegalStateException("sparse context for device " + device + " is closed");
        }
    }

    /**
     * Closes every open child, then destroys the cuSPARSELt handle; idempotent. When two threads close
     * the context at once, one does the work and the other returns at once.
     */
    @Override
    public void close() {
        if (handle == null || !closing.compareAndSet(false, true)) {
            return;
        }
        RuntimeException first = null;
        List<AutoCloseable> open = children.drain();
        // plans first (a plan's close waits for a product being enqueued on it under its lock), then
        // the buffers (the operands' data among them) and streams
        open.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception | Error e) { // every child is closed, whatever one of them throws
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        cache.clear();
        compressScratch = null;
        flag = null;
        DenseGemm cublas;
        synchronized (this) {
            cublas = dense;
            dense = null;
        }
        if (cublas != null) {
            cublas.close();
        }
        cusparseLtHandle_t h = handle;
        handle = null;
        int st = cusparseLt.cusparseLtDestroy(h);
        h.close();
        try {
            Status.lt(st, "cusparseLtDestroy");
        } catch (RuntimeException e) {
            if (first == null) {
                throw e;
            }
            first.addSuppressed(e);
        }
        if (first != null) {
            throw first;
        }
    }

    private static int rank(AutoCloseable c) {
        return c instanceof MatmulPlan ? 0 : 1;
    }
}
