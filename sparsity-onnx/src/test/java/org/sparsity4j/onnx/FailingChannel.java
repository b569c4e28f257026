package org.sparsity4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A read-only file channel over a real one whose reads fail from a given byte offset on, as a disk
 * read error would: a read that starts there throws, a read that starts before stops short of it,
 * and a transfer that reaches it throws. Other operations are refused or delegated.
 */
final class FailingChannel extends FileChannel {
    private final FileChannel in;
    private final long failAt;

    FailingChannel(FileChannel in, long failAt) {
        this.in = in;
        this.failAt = failAt;
    }

    private IOException failure(long position) {
        return new IOException("simulated read error at byte offset " + position);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        if (position >= failAt && position < in.size()) {
            throw failure(position);
        }
        ByteBuffer view = dst.duplicate();
        view.limit((int) Math.min(view.limit(), view.position() + Math.max(0, failAt - position)));
        int n = in.read(view, position);
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        if (position + count > failAt && position < in.size()) {
            throw failure(Math.max(position, failAt));
        }
        return in.transferTo(position, count, target);
    }

    @Override
    public int read(ByteBuffer dst) {
        throw new UnsupportedOperationException("positional reads only");
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) {
        throw new UnsupportedOperationException("positional reads only");
    }

    @Override
    public int write(ByteBuffer src) {
        throw new UnsupportedOperationException("read-only");
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        throw new UnsupportedOperationException("read-only");
    }

    @Override
    public int write(ByteBuffer src, long position) {
        throw new UnsupportedOperationException("read-only");
    }

    @Override
    public long position() throws IOException {
        return in.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        in.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return in.size();
    }

    @Override
    public FileChannel truncate(long size) {
        throw new UnsupportedOperationException("read-only");
    }

    @Override
    public void force(boolean metaData) {
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
        throw new UnsupportedOperationException("read-only");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
        throw new UnsupportedOperationException("no mapping");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
        throw new UnsupportedOperationException("no locks");
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
        throw new UnsupportedOperationException("no locks");
    }

    @Override
    protected void implCloseChannel() throws IOException {
        in.close();
    }
}
