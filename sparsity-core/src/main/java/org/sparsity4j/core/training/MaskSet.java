package org.sparsity4j.core.training;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparsity4j.core.mask.Mask;
import org.sparsity4j.core.mask.MaskKind;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Shape;

/**
 * The masks of a model, by parameter name, in model order. Immutable. Saved next to the model so an
 * interrupted fine-tune resumes with exactly the same masks.
 *
 * <p>File format (big-endian, as {@link DataOutputStream} writes it): the 8 ASCII bytes
 * {@code S4JMASK1}; an int count; per mask: UTF name, int n, int m, byte kind (0 strip, 1 tile),
 * int axis, int other axis (-1 for strip), int rank, rank longs of dims, int word count and that many
 * longs of {@link Mask#toBitWords()} (kept elements in row-major order). Reading re-checks that every
 * group keeps exactly N elements.
 */
public final class MaskSet {
    private static final byte[] MAGIC = {'S', '4', 'J', 'M', 'A', 'S', 'K', '1'};
    private final Map<String, ParameterMask> masks;

    private MaskSet(Map<String, ParameterMask> masks) {
        this.masks = masks;
    }

    /**
     * A set of masks; names must be unique.
     *
     * @param masks masks in model order
     * @return the set
     */
    public static MaskSet of(Collection<ParameterMask> masks) {
        Map<String, ParameterMask> map = new LinkedHashMap<>();
        for (ParameterMask m : masks) {
            if (map.put(m.name(), m) != null) {
                throw new IllegalArgumentException("two masks for parameter '" + m.name() + "'");
            }
        }
        return new MaskSet(map);
    }

    /**
     * The mask of a parameter.
     *
     * @param name parameter name
     * @return the mask, or null when the parameter is not masked
     */
    public ParameterMask get(String name) {
        return masks.get(name);
    }

    /**
     * All masks in model order.
     *
     * @return the masks
     */
    public List<ParameterMask> masks() {
        return List.copyOf(masks.values());
    }

    /**
     * Masked parameter names in model order.
     *
     * @return names
     */
    public List<String> names() {
        return List.copyOf(masks.keySet());
    }

    /**
     * Number of masked parameters.
     *
     * @return count
     */
    public int size() {
        return masks.size();
    }

    /**
     * Writes the masks to a file (replacing it).
     *
     * @param file target file
     * @throws IOException on write failure
     */
    public void save(Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            writeTo(out);
        }
    }

    /**
     * Reads masks written by {@link #save(Path)}.
     *
     * @param file the file
     * @return the masks
     * @throws IOException on read failure or a malformed file (the message names the file)
     */
    public static MaskSet load(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return readFrom(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("cannot read masks from " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the masks to a stream (left open).
     *
     * @param stream target
     * @throws IOException on write failure
     */
    public void writeTo(OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        out.write(MAGIC);
        out.writeInt(masks.size());
        for (ParameterMask m : masks.values()) {
            out.writeUTF(m.name());
            out.writeInt(m.pattern().n());
            out.writeInt(m.pattern().m());
            out.writeByte(m.kind() == MaskKind.TILE ? 1 : 0);
            out.writeInt(m.axis());
            out.writeInt(m.otherAxis());
            long[] dims = m.shape().dims();
            out.writeInt(dims.length);
            for (long d : dims) {
                out.writeLong(d);
            }
            long[] words = m.mask().toBitWords();
            out.writeInt(words.length);
            for (long w : words) {
                out.writeLong(w);
            }
        }
        out.flush();
    }

    /**
     * Reads masks written by {@link #writeTo(OutputStream)}.
     *
     * @param stream source (left open)
     * @return the masks
     * @throws IOException on read failure or malformed content
     */
    public static MaskSet readFrom(InputStream stream) throws IOException {
        Counting counting = new Counting(stream);
        String[] where = {"the header"};
        try {
            return read(new DataInputStream(counting), where);
        } catch (java.io.EOFException e) { // DataInputStream's has no message
            java.io.EOFException early = new java.io.EOFException("truncated at byte offset " + counting.count
                    + ", in " + where[0] + ": the masks end early");
            early.initCause(e);
            throw early;
        }
    }

    /** Counts the bytes read through it, so that a truncated file's error names where it ends. */
    private static final class Counting extends java.io.FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b >= 0 ? 1 : 0;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count += Math.max(n, 0);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }

    private static MaskSet read(DataInputStream in, String[] where) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException("not a Sparsity4J mask file (bad magic at byte offset 0)");
        }
        int count = in.readInt();
        if (count < 0) {
            throw new IOException("negative mask count " + count);
        }
        List<ParameterMask> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            where[0] = "mask " + (i + 1) + " of " + count;
            String name = in.readUTF();
            where[0] = "mask " + (i + 1) + " of " + count + " ('" + name + "')";
            int n = in.readInt();
            int m = in.readInt();
            SparsityPattern pattern;
            try {
                pattern = SparsityPattern.of(n, m);
            } catch (IllegalArgumentException e) {
                throw new IOException("mask '" + name + "': " + e.getMessage(), e);
            }
            byte kindByte = in.readByte();
            if (kindByte != 0 && kindByte != 1) {
                throw new IOException("mask '" + name + "': unknown kind " + kindByte);
            }
            int axis = in.readInt();
            int other = in.readInt();
            int rank = in.readInt();
            if (rank <= 0 || rank > 16) {
                throw new IOException("mask '" + name + "': bad rank " + rank);
            }
            long[] dims = new long[rank];
            for (int d = 0; d < rank; d++) {
                dims[d] = in.readLong();
            }
            Shape shape;
            try {
                shape = Shape.of(dims);
            } catch (IllegalArgumentException e) {
                throw new IOException("mask '" + name + "': " + e.getMessage(), e);
            }
            int words = in.readInt();
            if (words != (shape.size() + 63) / 64) {
                throw new IOException("mask '" + name + "': " + words + " words for shape " + shape);
            }
            long[] bits = new long[words];
            for (int w = 0; w < words; w++) {
                bits[w] = in.readLong();
            }
            try {
                list.add(ParameterMask.of(name, Mask.fromBitWords(shape, pattern,
                        kindByte == 1 ? MaskKind.TILE : MaskKind.STRIP, axis, other, bits)));
            } catch (IllegalArgumentException e) {
                throw new IOException("mask '" + name + "': " + e.getMessage(), e);
            }
        }
        if (in.read() != -1) {
            throw new IOException("trailing bytes after " + count + " masks");
        }
        try {
            return of(list);
        } catch (IllegalArgumentException e) { // two masks for one parameter
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaskSet s && masks.equals(s.masks);
    }

    @Override
    public int hashCode() {
        return masks.hashCode();
    }

    @Override
    public String toString() {
        return "MaskSet" + masks.values();
    }

}
