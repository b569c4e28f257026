package org.sparsity4j.cusparselt;

/**
 * The structured input of a plan, resident on the device in the form the plan's backend needs:
 * compressed (values plus metadata, cuSPARSELt's layout) for {@link Backend#SPARSE}, the pruned
 * dense matrix for {@link Backend#DENSE}. Produced by {@link MatmulPlan#compress(DeviceBuffer)} or
 * {@link MatmulPlan#uploadCompressed(byte[])}; owns its device memory. {@link #close()} frees it; it is
 * idempotent, and any other use after close throws {@link IllegalStateException}.
 */
public final class SparseOperand implements AutoCloseable {

    private final MatmulSpec spec;
    private final Backend backend;
    private final DeviceBuffer buffer;

    SparseOperand(MatmulSpec spec, Backend backend, DeviceBuffer buffer) {
        this.spec = spec;
        this.backend = backend;
        this.buffer = buffer;
    }

    /**
     * The spec of the plan this operand was prepared for.
     *
     * @return the spec
     */
    public MatmulSpec spec() {
        checkOpen();
        return spec;
    }

    /**
     * The form of the data: compressed for SPARSE, dense for DENSE.
     *
     * @return the backend
     */
    public Backend backend() {
        checkOpen();
        return backend;
    }

    /**
     * Device address of the data.
     *
     * @return the address
     */
    public long address() {
        return buffer.address();
    }

    /**
     * Size of the device data in bytes.
     *
     * @return the size
     */
    public long byteSize() {
        return buffer.byteSize();
    }

    /**
     * Copies the device data to the host (the compressed bytes for a SPARSE operand).
     *
     * @return the bytes
     */
    public byte[] toByteArray() {
        return buffer.toByteArray();
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return buffer.isClosed();
    }

    private void checkOpen() {
        if (buffer.isClosed()) {
            throw new IllegalStateException("sparse operand is closed");
        }
    }

    /** Frees the device data; idempotent. */
    @Override
    public void close() {
        buffer.close();
    }
}
