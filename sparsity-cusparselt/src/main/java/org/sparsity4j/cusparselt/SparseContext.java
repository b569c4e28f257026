package org.sparsity4j.cusparselt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.sparsity4j.cusparselt.gen.cusparseLtHandle_t;
import org.sparsity4j.cusparselt.gen.global.cusparseLt;

import static org.bytedeco.cuda.global.cudart.cudaDeviceSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;

/**
 * A cuSPARSELt handle bound to one CUDA device, the factory for plans, device buffers and streams,
 * and the owner of a plan cache keyed by {@link MatmulSpec} and {@link PlanOptions}.
 *
 * <p>Closing the context closes everything it created that is still open (plans, operands,
 * buffers, streams). Close is idempotent; any use after close throws {@link IllegalStateException}.
 * A context is meant to be used from one thread at a time.
 */
public final class SparseContext implements AutoCloseable {

    private final int device;
    private cusparseLtHandle_t handle;
    private DenseGemm dense;
    private final Set<AutoCloseable> children = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<PlanKey, MatmulPlan> cache = new HashMap<>();

    private record PlanKey(MatmulSpec spec, PlanOptions options) {
    }

    private SparseContext(int device, cusparseLtHandle_t handle) {
        this.device = device;
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
        cusparseLtHandle_t h = new cusparseLtHandle_t();
        int st = cusparseLt.cusparseLtInit(h);
        if (st != 0) {
            h.close();
            Status.lt(st, "cusparseLtInit");
        }
        return new SparseContext(device, h);
    }

    /**
     * The device ordinal.
     *
     * @return the device
     */
    public int device() {
        return device;
    }

    /**
     * cuSPARSELt's version number (major*1000 + minor*100 + patch, 800 for 0.8.0).
     *
     * @return the version
     */
    public int libraryVersion() {
        checkOpen();
        try (IntPointer v = new IntPointer(1)) {
            Status.lt(cusparseLt.cusparseLtGetVersion(handle, v), "cusparseLtGetVersion");
            return v.get();
        }
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
        children.add(b);
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
        children.add(s);
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
        children.add(p);
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
        cache.values().removeIf(MatmulPlan::isClosed);
        return cache.size();
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

    DenseGemm dense() {
        checkOpen();
        if (dense == null) {
            dense = DenseGemm.create();
        }
        return dense;
    }

    void register(AutoCloseable child) {
        children.add(child);
    }

    void forget(AutoCloseable child) {
        children.remove(child);
    }

    void checkOpen() {
        if (handle == null) {
            throw new IllegalStateException("sparse context for device " + device + " is closed");
        }
    }

    /** Closes every open child, then destroys the cuSPARSELt handle; idempotent. */
    @Override
    public void close() {
        if (handle == null) {
            return;
        }
        RuntimeException first = null;
        List<AutoCloseable> open = new ArrayList<>(children);
        // plans and operands before the buffers and streams they may use
        open.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                }
            }
        }
        children.clear();
        cache.clear();
        if (dense != null) {
            dense.close();
            dense = null;
        }
        cusparseLtHandle_t h = handle;
        handle = null;
        int st = cusparseLt.cusparseLtDestroy(h);
        h.close();
        Status.lt(st, "cusparseLtDestroy");
        if (first != null) {
            throw first;
        }
    }

    private static int rank(AutoCloseable c) {
        if (c instanceof SparseOperand) {
            return 0;
        }
        if (c instanceof MatmulPlan) {
            return 1;
        }
        return 2;
    }
}
