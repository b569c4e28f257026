package org.sparsity4j.cusparselt;

import org.bytedeco.cuda.cudart.CUstream_st;

import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

/**
 * A CUDA stream created and owned by this object. Code that already has a stream (from another
 * library) passes its raw handle to the {@code long stream} overloads instead. {@link #close()} is
 * idempotent; any other use after close throws {@link IllegalStateException}.
 */
public final class CudaStream implements AutoCloseable {

    private final SparseContext context;
    /** The stream; null once closed (volatile: a context may close its streams from another thread). */
    private volatile CUstream_st stream;

    private CudaStream(SparseContext context, CUstream_st stream) {
        this.context = context;
        this.stream = stream;
    }

    static CudaStream create(SparseContext context) {
        CUstream_st s = new CUstream_st();
        Status.cuda(cudaStreamCreate(s), "cudaStreamCreate");
        return new CudaStream(context, s);
    }

    /**
     * The raw {@code cudaStream_t} handle.
     *
     * @return the handle
     */
    public long handle() {
        check();
        return stream.address();
    }

    /** Blocks until all work queued on this stream is done. */
    public void synchronize() {
        check();
        Status.cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    private void check() {
        if (stream == null) {
            throw new IllegalStateException("CUDA stream is closed");
        }
        context.checkOpen();
    }

    /** Destroys the stream; idempotent, and destroyed once if closed on two threads at a time. */
    @Override
    public synchronized void close() {
        if (stream != null) {
            CUstream_st s = stream;
            stream = null;
            try {
                Status.cuda(cudaStreamDestroy(s), "cudaStreamDestroy");
            } finally {
                context.forget(this); // after the destroy, as in DeviceBuffer.close
            }
        }
    }
}
