package org.sparsity4j.onnx;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes one new file from its first byte to its last, in order. Where the file system accepts direct
 * I/O, the bytes are gathered in one block-aligned buffer and written with {@code O_DIRECT}, past the
 * page cache: on the machines this tool was measured on, copying gigabytes into new page-cache pages
 * cost more CPU time than pruning them (see benchmarks/RESULTS.md). Elsewhere (for example tmpfs,
 * which refuses {@code O_DIRECT} at open), the bytes go through plain writes; if the file system
 * accepts the open but refuses the first direct write, the same buffer goes on through a plain
 * channel. The whole blocks of a direct source buffer that lies in memory at the same offset within a
 * block as its bytes in the file are written from where they are, without the copy into the
 * gathering buffer (the pruner places its tensor buffers so). Not thread-safe: one thread at a time,
 * in the order of the file.
 */
final class SequentialOutput implements Closeable {
    /** Bytes gathered per direct write. */
    static final int BUFFER = 8 << 20;
    /**
     * Outputs expected to be smaller than this are written through the page cache: each direct write
     * waits for the device, which costs more than the copy for small files (many small models).
     */
    static final long DIRECT_MIN_BYTES = 64L << 20;
    /** Input bytes read after a failed transfer to tell a read error from a write error. */
    static final int PROBE_BYTES = 8 << 20;
    /** The least block alignment of direct writes. */
    static final int MIN_ALIGNMENT = 4096;

    private final Path file;
    private FileChannel ch;
    /** The aligned gathering buffer; null once writes are plain. */
    private ByteBuffer buf;
    private final int align;
    /** Bytes in the file (a multiple of {@link #align} while writes are direct). */
    private long written;
    /** Whether a direct write has succeeded, and whether the channel was reopened for plain writes. */
    private boolean wroteDirect;
    private boolean plain;
    private boolean closed;
    /** Bytes written straight from callers' buffers, without the copy into the gathering buffer. */
    private long inPlace;

    private SequentialOutput(Path file, FileChannel ch, ByteBuffer buf, int align) {
        this.file = file;
        this.ch = ch;
        this.buf = buf;
        this.align = align;
    }

    /**
     * Opens (and truncates) an existing file for writing from its start; direct I/O is tried when asked
     * for and the output is expected to reach {@link #DIRECT_MIN_BYTES}.
     *
     * @param file the file, which must exist
     * @param direct whether direct I/O may be used
     * @param expectedBytes the expected length of the output
     * @return the output
     * @throws IOException if the file cannot be opened at all
     */
    static SequentialOutput open(Path file, boolean direct, long expectedBytes) throws IOException {
        return open(file, direct && expectedBytes >= DIRECT_MIN_BYTES);
    }

    /**
     * Opens (and truncates) an existing file for writing from its start.
     *
     * @param file the file, which must exist
     * @param direct whether to try direct I/O
     * @return the output
     * @throws IOException if the file cannot be opened at all
     */
    static SequentialOutput open(Path file, boolean direct) throws IOException {
        if (direct) {
            try {
                long block = Files.getFileStore(file).getBlockSize();
                int align = (int) Math.max(MIN_ALIGNMENT, block);
                if (Long.bitCount(block) == 1 && block <= 1 << 20) {
                    FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING, ExtendedOpenOption.DIRECT);
                    ByteBuffer b = ByteBuffer.allocateDirect(BUFFER + align).alignedSlice(align);
                    b.limit(BUFFER);
                    return new SequentialOutput(file, ch, b.slice(), align);
                }
            } catch (IOException | UnsupportedOperationException | LinkageError e) {
                // no direct I/O here (or no jdk.unsupported module in this runtime): plain writes below
            }
        }
        return new SequentialOutput(file, FileChannel.open(file, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), null, 1);
    }

    /**
     * Allocates a direct buffer of {@code bytes} bytes that starts at a multiple of {@code align} in
     * memory, so that {@link #write} can hand its whole blocks to the device without a copy.
     *
     * @param bytes the capacity
     * @param align a power of two
     * @return the buffer, position 0 and limit {@code bytes}
     */
    static ByteBuffer allocateAligned(int bytes, int align) {
        if (bytes > Integer.MAX_VALUE - 2 * align) {
            return ByteBuffer.allocateDirect(bytes); // no room for the alignment: written with a copy
        }
        int blocks = (bytes + align - 1) / align * align;
        // an aligned slice covers whole units only: room for the offset and for the rounded-up length
        ByteBuffer b = ByteBuffer.allocateDirect(blocks + align).alignedSlice(align);
        return b.limit(bytes).slice();
    }

    /** The block size direct writes are aligned to: at least 4096 while writes are direct, 1 otherwise. */
    int alignment() {
        return align;
    }

    /** The number of bytes so far written from the callers' buffers without a copy (see {@link #write}). */
    long bytesWrittenInPlace() {
        return inPlace;
    }

    /** Whether the bytes currently go past the page cache. */
    boolean isDirect() {
        return buf != null && !plain;
    }

    /** The number of bytes written so far, that is, the offset of the next one. */
    long position() {
        return written + (buf == null ? 0 : buf.position());
    }

    /**
     * Appends the remaining bytes of {@code src} (its position moves to its limit).
     *
     * @param src the bytes
     * @throws IOException on a write error
     */
    void write(ByteBuffer src) throws IOException {
        checkOpen();
        if (buf == null) {
            while (src.hasRemaining()) {
                written += ch.write(src, written);
            }
            return;
        }
        int head = Math.floorMod(-buf.position(), align); // bytes to the file's next block boundary
        if (src.isDirect() && src.remaining() >= head + align
                && src.alignmentOffset(src.position(), align) == buf.position() % align) {
            // The source sits in memory at the same offset within a block as its bytes will in the file:
            // its head completes the gathered block, and its whole blocks then go to the device straight
            // from the source, without a copy.
            if (buf.position() > 0) { // then head + buf.position() is a whole number of blocks
                buf.put(buf.position(), src, src.position(), head);
                buf.position(buf.position() + head);
                src.position(src.position() + head);
                flush();
            }
            ByteBuffer blocks = src.duplicate();
            blocks.limit(src.position() + src.remaining() / align * align);
            inPlace += blocks.remaining();
            writeFully(blocks);
            src.position(blocks.limit());
        }
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), buf.remaining());
            buf.put(buf.position(), src, src.position(), n);
            buf.position(buf.position() + n);
            src.position(src.position() + n);
            if (!buf.hasRemaining()) {
                flush();
            }
        }
    }

    /**
     * Appends {@code length} bytes of {@code in} from its offset {@code from}.
     *
     * @param in the source
     * @param from offset in the source
     * @param length number of bytes
     * @param what names the bytes in the error if the source ends early or cannot be read
     * @throws OnnxInputException if the source ends early or a read of it fails (naming the byte offset)
     * @throws IOException on a write error
     */
    void copyFrom(FileChannel in, long from, long length, String what) throws IOException {
        checkOpen();
        long done = 0;
        while (done < length) {
            long n;
            if (buf == null) {
                ch.position(written);
                try {
                    n = in.transferTo(from + done, length - done, ch);
                } catch (IOException e) {
                    // one call reads and writes: a read where the transfer stopped tells which side failed
                    long reached = Math.min(length - done, Math.max(0, outputSize() - written));
                    throw readable(in, from + done + reached, length - done - reached, what, e);
                }
                if (n > 0) {
                    written += n;
                }
            } else {
                int room = (int) Math.min(buf.remaining(), length - done);
                ByteBuffer view = buf.duplicate();
                view.limit(buf.position() + room);
                try {
                    n = in.read(view, from + done);
                } catch (IOException e) {
                    throw readError(what, from + done, e);
                }
                if (n > 0) {
                    buf.position(buf.position() + (int) n);
                    if (!buf.hasRemaining()) {
                        flush();
                    }
                }
            }
            if (n <= 0) {
                throw new OnnxInputException(what + " ended at byte offset " + (from + done));
            }
            done += n;
        }
    }

    /** The output's size, or 0 if even that cannot be read (only used to place the probe below). */
    private long outputSize() {
        try {
            return ch.size();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * After a transfer failed where its input was at {@code at} ({@code length} bytes were left):
     * the input error of the first byte offset of the next {@link #PROBE_BYTES} (or fewer) bytes that
     * cannot be read, or {@code failure} itself (a write error) if they read. A read error stops a
     * transfer where it occurs, so the probe need not read the whole rest of the range (which can be
     * gigabytes after a full disk).
     */
    private static IOException readable(FileChannel in, long at, long length, String what, IOException failure) {
        long window = Math.min(length, PROBE_BYTES);
        ByteBuffer probe = ByteBuffer.allocate((int) Math.min(window, 1 << 16));
        long done = 0;
        while (done < window) {
            probe.clear();
            probe.limit((int) Math.min(probe.capacity(), window - done));
            int n;
            try {
                n = in.read(probe, at + done);
            } catch (IOException e) {
                e.addSuppressed(failure);
                throw readError(what, at + done, e);
            }
            if (n < 0) {
                OnnxInputException early = new OnnxInputException(what + " ended at byte offset " + (at + done));
                early.addSuppressed(failure);
                throw early;
            }
            done += n;
        }
        return failure;
    }

    private static OnnxInputException readError(String what, long offset, IOException e) {
        return new OnnxInputException(what + " cannot be read at byte offset " + offset + ": " + e, e);
    }

    /**
     * Appends {@code count} zero bytes.
     *
     * @param count number of bytes, not negative
     * @throws IOException on a write error
     */
    void zeros(long count) throws IOException {
        checkOpen();
        if (buf == null) {
            written += count; // a hole: reads as zeros once later bytes are written
            return;
        }
        long left = count;
        while (left > 0) {
            int n = (int) Math.min(left, buf.remaining());
            for (int i = 0; i < n; i++) {
                buf.put((byte) 0);
            }
            left -= n;
            if (!buf.hasRemaining()) {
                flush();
            }
        }
    }

    /**
     * Writes what is gathered, gives the file its exact length and syncs it to the device.
     *
     * @throws IOException on a write error
     */
    void finish() throws IOException {
        checkOpen();
        if (buf != null && buf.position() > 0) {
            long end = written + buf.position();
            int padded = (buf.position() + align - 1) / align * align;
            while (buf.position() < padded) {
                buf.put((byte) 0);
            }
            flush();
            ch.truncate(end);
            written = end;
        } else if (buf == null && ch.size() < written) {
            // a trailing hole: extend the file to its length
            ch.write(ByteBuffer.allocate(1), written - 1);
        }
        ch.force(true);
    }

    /** Writes the full gathering buffer (a whole number of blocks), see {@link #writeFully}. */
    private void flush() throws IOException {
        buf.flip();
        writeFully(buf);
        buf.clear();
    }

    /**
     * Writes all of {@code b} (a whole number of blocks, block-aligned in memory, while writes are
     * direct) at the end of the file. If the very first direct write is refused, the file is reopened
     * for plain writes and the gathering goes on as before; any later failure, or a closed channel,
     * is an error.
     */
    private void writeFully(ByteBuffer b) throws IOException {
        try {
            while (b.hasRemaining()) {
                written += ch.write(b, written);
            }
        } catch (java.nio.channels.ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            if (wroteDirect || plain) {
                throw e;
            }
            // direct I/O refused after all (some file systems accept O_DIRECT at open only)
            ch.close();
            ch = FileChannel.open(file, StandardOpenOption.WRITE);
            plain = true;
            while (b.hasRemaining()) {
                written += ch.write(b, written);
            }
        }
        wroteDirect |= !plain;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("output " + file + " is closed");
        }
    }

    /** Closes the file without writing anything still gathered (see {@link #finish()}); idempotent. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            ch.close();
        }
    }
}
