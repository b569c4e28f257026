package org.sparsity4j.cusparselt;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemset;

/**
 * A block of device memory owned by this object (allocated with {@code cudaMalloc}, 256-byte aligned).
 * Obtain one from {@link SparseContext#allocate(long)} or {@link SparseContext#upload(byte[])}.
 * Copies are synchronous. {@link #close()} frees the memory; it is idempotent, and any other use
 * after close throws {@link IllegalStateException}.
 */
public final class DeviceBuffer implements AutoCloseable {

    private final SparseContext context;
    private final long byteSize;
    /** The device address; 0 once closed (volatile: a context may close its buffers from another thread). */
    private volatile long address;

    private DeviceBuffer(SparseContext context, long address, long byteSize) {
        this.context = context;
        this.address = address;
        this.byteSize = byteSize;
    }

    static DeviceBuffer allocate(SparseContext context, long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("device buffer size must be positive, got " + bytes + " bytes");
        }
        Pointer p = new Pointer();
        Status.cuda(cudaMalloc(p, bytes), "cudaMalloc(" + bytes + " bytes)");
        return new DeviceBuffer(context, p.address(), bytes);
    }

    /**
     * The device address of the first byte.
     *
     * @return the address
     */
    public long address() {
        checkOpen();
        return address;
    }

    /**
     * Size in bytes.
     *
     * @return the size
     */
    public long byteSize() {
        checkOpen();
        return byteSize;
    }

    /**
     * Copies host bytes to the start of this buffer.
     *
     * @param src bytes to copy; at most {@link #byteSize()}
     */
    public void copyFrom(byte[] src) {
        Objects.requireNonNull(src, "src");
        checkOpen();
        if (src.length > byteSize) {
            throw new IllegalArgumentException("source has " + src.length + " bytes, buffer holds " + byteSize);
        }
        try (BytePointer host = new BytePointer(src)) {
            Status.cuda(cudaMemcpy(new Ptr(address), host, src.length, cudaMemcpyHostToDevice), "cudaMemcpy(H2D)");
        }
    }

    /**
     * Copies host bytes into this buffer starting at a byte offset.
     *
     * @param src bytes to copy
     * @param offset destination byte offset; {@code offset + src.length} must not exceed the size
     */
    public void copyFrom(byte[] src, long offset) {
        Objects.requireNonNull(src, "src");
        checkOpen();
        if (offset < 0 || offset > byteSize - src.length) { // no overflow: byteSize >= 0
            throw new IllegalArgumentException("copy of " + src.length + " bytes at offset " + offset
                    + " does not fit a buffer of " + byteSize + " bytes");
        }
        try (BytePointer host = new BytePointer(src)) {
            Status.cuda(cudaMemcpy(new Ptr(address + offset), host, src.length, cudaMemcpyHostToDevice),
                    "cudaMemcpy(H2D at offset " + offset + ")");
        }
    }

    /**
     * Copies the remaining bytes of a host buffer to the start of this buffer (position unchanged).
     *
     * @param src the bytes to copy
     */
    public void copyFrom(ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        byte[] bytes = new byte[src.remaining()];
        src.duplicate().get(bytes);
        copyFrom(bytes);
    }

    /**
     * Copies the whole buffer to a new host array.
     *
     * @return the bytes
     */
    public byte[] toByteArray() {
        checkOpen();
        if (byteSize > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("buffer of " + byteSize + " bytes does not fit a Java array");
        }
        byte[] out = new byte[(int) byteSize];
        try (BytePointer host = new BytePointer(byteSize)) {
            Status.cuda(cudaMemcpy(host, new Ptr(address), byteSize, cudaMemcpyDeviceToHost), "cudaMemcpy(D2H)");
            host.get(out);
        }
        return out;
    }

    /** Sets every byte to zero. */
    public void clear() {
        checkOpen();
        Status.cuda(cudaMemset(new Ptr(address), 0, byteSize), "cudaMemset");
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return address == 0;
    }

    private void checkOpen() {
        if (address == 0) {
            throw new IllegalStateException("device buffer is closed");
        }
        context.checkOpen();
    }

    /**
     * Frees the device memory; idempotent, and safe against a close on another thread (the owner's and
     * the context's): the memory is freed once.
     */
    @Override
    public synchronized void close() {
        if (address != 0) {
            long a = address;
            address = 0;
            try {
                Status.cuda(cudaFree(new Ptr(a)), "cudaFree");
            } finally {
                // only now: until then a context closing on another thread still holds this buffer, and its
                // close of it waits here, so the context outlives the free
                context.forget(this);
            }
        }
    }
}
