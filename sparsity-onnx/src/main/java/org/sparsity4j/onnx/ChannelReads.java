package org.sparsity4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Reads one range of a file into a buffer. A large range is read in parts at once, by the caller and
 * by the common fork-join pool (the threads that prune the tensor next): copying a tensor out of the
 * page cache is the one step of a prune that otherwise runs on one thread while the pool waits
 * (measured in benchmarks/RESULTS.md). The parts are positional reads of one channel, which the JDK
 * allows from several threads at once. The call returns (or throws) only when every part has
 * finished, whether it succeeded or failed, even with an {@code Error}, so that no part writes into
 * the buffer afterwards.
 */
final class ChannelReads {
    /** Ranges of at least this many bytes are read in parts. */
    static final int PARALLEL_MIN_BYTES = 2 << 20;
    /** The least size of a part; parts start at multiples of it. */
    static final int PART_ALIGNMENT = 1 << 20;

    /**
     * A positional read, as {@link FileChannel#read(ByteBuffer, long)}: safe to call from several
     * threads at once for different ranges.
     */
    interface PositionalRead {
        /**
         * Reads bytes at a file offset into the buffer's remaining space.
         *
         * @param dst the destination
         * @param position the file offset
         * @return the number of bytes read, or -1 at the end of the file
         * @throws IOException on a read error
         */
        int read(ByteBuffer dst, long position) throws IOException;
    }

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
        readFully(ch::read, buf, position, early, ForkJoinPool.getCommonPoolParallelism() + 1);
    }

    /**
     * {@link #readFully(FileChannel, ByteBuffer, long, EndOfFile)} with any positional read and a given
     * number of threads.
     *
     * @param ch the file's positional read
     * @param buf the destination
     * @param position the file offset of the first byte
     * @param early makes the error for a file that ends before the range does
     * @param threads the caller and the pool threads to share the range among
     * @throws IOException on a read error (the first part's, in file order)
     */
    static void readFully(PositionalRead ch, ByteBuffer buf, long position, EndOfFile early, int threads)
            throws IOException {
        int bytes = buf.remaining();
        int parts = parts(bytes, threads);
        if (parts <= 1) {
            readPart(ch, buf, position, early);
            return;
        }
        int start = buf.position();
        int[] from = starts(bytes, parts);
        // each part's failure, whatever it is, kept here: no part may still write into the buffer
        // when this method returns or throws
        Throwable[] failed = new Throwable[parts];
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts];
        for (int i = 1; i < parts; i++) {
            ByteBuffer part = buf.duplicate().limit(start + from[i + 1]).position(start + from[i]).slice();
            long at = position + from[i];
            int k = i;
            tasks[i] = ForkJoinPool.commonPool().submit(() -> {
                try {
                    readPart(ch, part, at, early);
                } catch (Throwable t) {
                    failed[k] = t;
                }
            });
        }
        try {
            readPart(ch, buf.duplicate().limit(start + from[1]), position, early);
        } catch (Throwable t) {
            failed[0] = t;
        }
        for (int i = 1; i < parts; i++) {
            boolean interrupted = false;
            while (true) {
                try {
                    tasks[i].get(); // the task catches everything itself
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // waited for all the same; the interrupt is restored below
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
                    failed[i] = failed[i] == null ? e : failed[i];
                    break;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        for (Throwable t : failed) { // the first failure in file order
            if (t instanceof IOException) {
                throw (IOException) t;
            }
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
            if (t != null) {
                throw new IllegalStateException("reading the file failed", t);
            }
        }
        buf.position(buf.limit());
    }

    /**
     * The number of parts for a range: one below {@link #PARALLEL_MIN_BYTES}, else up to
     * {@code threads}, each at least {@link #PART_ALIGNMENT} bytes (parts start at multiples of it and
     * differ in size by at most it, see {@link #starts}).
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

    /**
     * Where the parts of a range start: part i at i/parts of the range rounded down to
     * {@link #PART_ALIGNMENT}, and one more entry, the range's length.
     *
     * @param bytes the range's length
     * @param parts the number of parts, as {@link #parts} gives it
     * @return {@code parts + 1} offsets, increasing
     */
    static int[] starts(int bytes, int parts) {
        int[] from = new int[parts + 1];
        for (int i = 1; i < parts; i++) {
            from[i] = (int) ((long) bytes * i / parts / PART_ALIGNMENT * PART_ALIGNMENT);
        }
        from[parts] = bytes;
        return from;
    }

    private static void readPart(PositionalRead ch, ByteBuffer buf, long position, EndOfFile early) throws IOException {
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
