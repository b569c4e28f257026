package org.sparsity4j.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Reads one range of a file into a buffer. A large range is read in parts at once, by the caller and
 * by the common fork-join pool (the threads that prune the tensor next): copying a tensor out of the
 * page cache is the one step of a prune that otherwise runs on one thread while the pool waits
 * (measured in benchmarks/RESULTS.md). The parts are positional reads of one channel, which the JDK
 * allows from several threads at once. The call returns only when every part has finished, whether
 * it succeeded or not, so that no part writes into the buffer afterwards.
 */
final class ChannelReads {
    /** Ranges of at least this many bytes are read in parts. */
    static final int PARALLEL_MIN_BYTES = 2 << 20;
    /** The least size of a part; parts start at multiples of it. */
    static final int PART_ALIGNMENT = 1 << 20;

    /** Describes a range that ended early: the file has no byte at {@code offset}. */
    interface EndOfFile {
        /**
         * Makes the error.
         *
         * @param offset the file offset of the first missing byte
         * @return the error to throw
         */
        OnnxInputException at(long offset);
    }

    private ChannelReads() {
    }

    /**
     * Fills the buffer's remaining space with the file's bytes from {@code position} on; on return the
     * buffer's position is its limit.
     *
     * @param ch the file
     * @param buf the destination
     * @param position the file offset of the first byte
     * @param early makes the error for a file that ends before the range does
     * @throws OnnxInputException from {@code early}: the error of the first part that ran out of file
     * @throws IOException on a read error (the first part's, in file order)
     */
    static void readFully(FileChannel ch, ByteBuffer buf, long position, EndOfFile early) throws IOException {
        int bytes = buf.remaining();
        int parts = parts(bytes, ForkJoinPool.getCommonPoolParallelism() + 1);
        if (parts <= 1) {
            readPart(ch, buf, position, early);
            return;
        }
        int start = buf.position();
        // each part a whole number of alignment units, together covering the range
        long share = ((long) bytes + parts - 1) / parts;
        int per = (int) ((share + PART_ALIGNMENT - 1) / PART_ALIGNMENT * PART_ALIGNMENT);
        @SuppressWarnings("unchecked")
        ForkJoinTask<Void>[] tasks = new ForkJoinTask[parts];
        for (int i = 1; i < parts; i++) {
            int from = (int) Math.min(bytes, (long) i * per);
            int to = (int) Math.min(bytes, (long) from + per);
            ByteBuffer part = buf.duplicate().limit(start + to).position(start + from).slice();
            long at = position + from;
            tasks[i] = ForkJoinPool.commonPool().submit(() -> {
                try {
                    readPart(ch, part, at, early);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return null;
            });
        }
        Throwable first = null;
        try {
            readPart(ch, buf.duplicate().limit(start + Math.min(bytes, per)), position, early);
        } catch (IOException | RuntimeException e) {
            first = e;
        }
        for (int i = 1; i < parts; i++) {
            try {
                tasks[i].join();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e instanceof UncheckedIOException ? ((UncheckedIOException) e).getCause() : e;
                }
            }
        }
        if (first instanceof IOException) {
            throw (IOException) first;
        }
        if (first != null) {
            throw (RuntimeException) first;
        }
        buf.position(buf.limit());
    }

    /**
     * The number of parts for a range: one below {@link #PARALLEL_MIN_BYTES}, else up to
     * {@code threads}, each at least {@link #PART_ALIGNMENT} bytes.
     *
     * @param bytes the range's length
     * @param threads the threads available
     * @return at least 1
     */
    static int parts(int bytes, int threads) {
        if (bytes < PARALLEL_MIN_BYTES || threads <= 1) {
            return 1;
        }
        return Math.max(1, Math.min(threads, bytes / PART_ALIGNMENT));
    }

    private static void readPart(FileChannel ch, ByteBuffer buf, long position, EndOfFile early) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw early.at(pos);
            }
            pos += n;
        }
    }
}
