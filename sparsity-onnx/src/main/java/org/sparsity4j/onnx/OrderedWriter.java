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
 * has run. After a failed write the later ones do nothing, and the next call of {@link #buffer},
 * {@link #submit} or {@link #finish} throws that first failure; {@link #finish} waits for every write
 * in order. {@link #close} stops the thread and waits for it, and must come before the output is
 * closed.
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

    /** Block sizes above this are not used to place buffers (the buffers are then written with a copy). */
    private static final int MAX_BLOCK = 1 << 20;
    /** The largest tensor a buffer holds: 2 GiB less room for a Java array's header and block alignment. */
    static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8 - 2L * MAX_BLOCK;
    private final int block;
    private final long largest;
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
     * Starts the writer thread.
     *
     * @param output the output the writes go to: its block size places the buffers (see {@link #buffer})
     * @param largest the largest tensor, in bytes, that {@link #buffer} will be asked for (checked with
     *        {@link #requireBufferable}): each buffer is allocated once, at that size, when first handed out
     */
    OrderedWriter(SequentialOutput output, long largest) {
        this.block = Math.min(MAX_BLOCK, Math.max(SequentialOutput.MIN_ALIGNMENT, output.alignment()));
        this.largest = largest;
    }

    /**
     * Waits until the next of the two buffers is free and returns {@code bytes} of it, little-endian,
     * placed at {@code fileOffset}'s offset within a block of the output, so that
     * {@link SequentialOutput#write} can write it without a copy when its bytes go to that offset.
     *
     * @param bytes the tensor's length in bytes, at most the {@code largest} given at construction
     * @param fileOffset where the bytes will be written in the output
     * @param label the tensor's name, for the error
     * @return the buffer, position 0, limit {@code bytes}
     * @throws IOException if a write has failed (the first failure)
     * @throws OnnxInputException if the tensor has 2 GiB or more
     */
    ByteBuffer buffer(long bytes, long fileOffset, String label) throws IOException {
        requireBufferable(bytes, label);
        if (bytes > largest) {
            throw new IllegalArgumentException("tensor '" + label + "': " + bytes + " bytes, more than the "
                    + largest + " this writer was sized for");
        }
        if (failed.get()) {
            finish(); // report the first failure now, not after the rest of the model
        }
        await(lastUse[slot]);
        if (buffers[slot] == null) {
            buffers[slot] = SequentialOutput.allocateAligned((int) largest + block, block);
        }
        int shift = (int) Math.floorMod(fileOffset, (long) block);
        ByteBuffer b = buffers[slot].duplicate();
        b.clear().position(shift).limit(shift + (int) bytes);
        return b.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Checks that a tensor fits one buffer.
     *
     * @param bytes the tensor's length in bytes
     * @param label the tensor's name, for the error
     * @throws OnnxInputException if the tensor has 2 GiB or more (less some alignment room)
     */
    static void requireBufferable(long bytes, String label) {
        if (bytes > MAX_TENSOR_BYTES) {
            throw new OnnxInputException("tensor '" + label + "' has " + bytes + " bytes; one tensor must stay under 2 GiB");
        }
    }

    /**
     * Queues a write that reads the buffer last returned by {@link #buffer}; that buffer is not handed
     * out again before this write has run.
     *
     * @param write the write
     * @throws IOException if an earlier write has failed (the first failure)
     */
    void submitBuffer(Write write) throws IOException {
        lastUse[slot] = submit(write);
        slot ^= 1;
    }

    /**
     * Queues a write that uses no tensor buffer.
     *
     * @param write the write
     * @return its future
     * @throws IOException if an earlier write has failed (the first failure)
     */
    Future<?> submit(Write write) throws IOException {
        if (failed.get()) {
            finish(); // report the first failure now, not after the rest of the model
        }
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
