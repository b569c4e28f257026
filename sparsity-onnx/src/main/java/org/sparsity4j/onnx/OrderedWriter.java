package org.sparsity4j.onnx;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the writes of one output file on a second thread, in the order they are queued, so that disk
 * writes overlap the reading and pruning of the next tensor. Two tensor buffers alternate between the
 * caller and the writer: {@link #buffer} waits until the write that last used the buffer it hands out
 * has run. After a failed write the later ones do nothing; {@link #finish} waits for every write in
 * order, so the first failure is the one reported. {@link #close} stops the thread and waits for it,
 * and must come before the output is closed.
 */
final class OrderedWriter implements Closeable {
    /** A write of the output; it runs on the writer thread. */
    interface Write {
        /**
         * Writes.
         *
         * @throws IOException on a read or write error
         */
        void run() throws IOException;
    }

    private static final int BLOCK = 4096;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sparsity-writer");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean failed = new AtomicBoolean();
    private final List<Future<?>> writes = new ArrayList<>();
    private final ByteBuffer[] buffers = new ByteBuffer[2];
    private final Future<?>[] lastUse = new Future<?>[2];
    private int slot;

    /**
     * Waits until the next of the two buffers is free and returns {@code bytes} of it, little-endian,
     * placed at {@code fileOffset}'s offset within a 4096-byte block, so that
     * {@link SequentialOutput#write} can write it without a copy when its bytes go to that offset.
     *
     * @param bytes the tensor's length in bytes
     * @param fileOffset where the bytes will be written in the output
     * @param label the tensor's name, for the error
     * @return the buffer, position 0, limit {@code bytes}
     * @throws IOException if an earlier write that used the buffer failed
     * @throws OnnxInputException if the tensor has 2 GiB or more
     */
    ByteBuffer buffer(long bytes, long fileOffset, String label) throws IOException {
        if (bytes > Integer.MAX_VALUE - 8 - 2 * BLOCK) {
            throw new OnnxInputException("tensor '" + label + "' has " + bytes + " bytes; one tensor must stay under 2 GiB");
        }
        await(lastUse[slot]);
        int shift = (int) (fileOffset & (BLOCK - 1));
        if (buffers[slot] == null || buffers[slot].capacity() < bytes + shift) {
            buffers[slot] = null; // the old one may go before the new one is allocated
            buffers[slot] = SequentialOutput.allocateAligned((int) bytes + BLOCK);
        }
        ByteBuffer b = buffers[slot].duplicate();
        b.clear().position(shift).limit(shift + (int) bytes);
        return b.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Queues a write that reads the buffer last returned by {@link #buffer}; that buffer is not handed
     * out again before this write has run.
     *
     * @param write the write
     */
    void submitBuffer(Write write) {
        lastUse[slot] = submit(write);
        slot ^= 1;
    }

    /**
     * Queues a write that uses no tensor buffer.
     *
     * @param write the write
     * @return its future
     */
    Future<?> submit(Write write) {
        Future<?> f = thread.submit(() -> {
            if (failed.get()) {
                return null;
            }
            try {
                write.run();
            } catch (IOException | RuntimeException | Error e) {
                failed.set(true);
                throw e;
            }
            return null;
        });
        writes.add(f);
        return f;
    }

    /**
     * Waits for every queued write, in order.
     *
     * @throws IOException the first write's failure
     */
    void finish() throws IOException {
        for (Future<?> w : writes) {
            await(w);
        }
    }

    private static void await(Future<?> write) throws IOException {
        if (write == null) {
            return;
        }
        try {
            write.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing the output");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException) {
                throw (IOException) c;
            }
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            throw new IllegalStateException("writing the output failed", c);
        }
    }

    /** Stops the writer thread (writes not yet started do not run) and waits for it; idempotent. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
