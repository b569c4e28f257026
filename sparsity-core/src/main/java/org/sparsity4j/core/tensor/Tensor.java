package org.sparsity4j.core.tensor;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * A row-major tensor view over existing storage: a Java array or a little-endian byte buffer.
 * The tensor does not copy; pruning "in place" writes through to the caller's storage.
 *
 * <p>Storage per type: {@link ElementType#FP32} in a {@code float[]} or 4 little-endian bytes per
 * element; {@link ElementType#FP16} and {@link ElementType#BF16} as raw bits in a {@code short[]}
 * or 2 little-endian bytes; 8-bit types in a {@code byte[]} or 1 byte per element.
 *
 * <p>A tensor is not thread-safe for concurrent writes; the pruning API parallelises internally.
 */
public final class Tensor {
    private final ElementType type;
    private final Shape shape;
    /** FloatBuffer for FP32, ShortBuffer for 16-bit types, ByteBuffer for 8-bit types; index 0 = element 0. */
    private final Buffer storage;
    /** The Java array behind {@link #storage} (from index 0), or null for a tensor made by {@link #wrap}. */
    private final Object array;

    private Tensor(ElementType type, Shape shape, Buffer storage, Object array) {
        this.type = type;
        this.shape = shape;
        this.storage = storage;
        this.array = array;
    }

    /**
     * Wraps little-endian bytes. The buffer's remaining bytes, from its position, must hold exactly
     * the shape's elements; the buffer's byte order setting is ignored (storage is little-endian).
     *
     * @param type element type
     * @param shape the shape
     * @param bytes the storage (not copied; position and limit are not changed)
     * @return a tensor writing through to {@code bytes}
     * @throws IllegalArgumentException if the byte count does not match the shape
     */
    public static Tensor wrap(ElementType type, Shape shape, ByteBuffer bytes) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(shape, "shape");
        long need = (long) shape.size() * type.byteSize();
        if (bytes.remaining() != need) {
            throw new IllegalArgumentException("buffer holds " + bytes.remaining() + " bytes but shape "
                    + shape + " of " + type + " needs " + need);
        }
        ByteBuffer le = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        Buffer storage;
        switch (type.byteSize()) {
            case 4:
                storage = le.asFloatBuffer();
                break;
            case 2:
                storage = le.asShortBuffer();
                break;
            default:
                storage = le;
        }
        return new Tensor(type, shape, storage, null);
    }

    /**
     * Wraps a float array as an {@link ElementType#FP32} tensor.
     *
     * @param values the storage (not copied)
     * @param dims the shape
     * @return the tensor
     * @throws IllegalArgumentException if the array length does not match the shape
     */
    public static Tensor ofFloats(float[] values, long... dims) {
        Shape shape = Shape.of(dims);
        checkLength(values.length, shape, ElementType.FP32);
        return new Tensor(ElementType.FP32, shape, FloatBuffer.wrap(values), values);
    }

    /**
     * Wraps 16-bit raw encodings as an {@link ElementType#FP16} or {@link ElementType#BF16} tensor.
     *
     * @param type FP16 or BF16
     * @param bits the storage (not copied)
     * @param dims the shape
     * @return the tensor
     * @throws IllegalArgumentException if the type is not 16-bit or the length does not match
     */
    public static Tensor ofShorts(ElementType type, short[] bits, long... dims) {
        if (type.byteSize() != 2) {
            throw new IllegalArgumentException("short[] storage needs a 16-bit type, not " + type);
        }
        Shape shape = Shape.of(dims);
        checkLength(bits.length, shape, type);
        return new Tensor(type, shape, ShortBuffer.wrap(bits), bits);
    }

    /**
     * Wraps 8-bit encodings as an {@link ElementType#INT8}, {@link ElementType#FP8_E4M3} or
     * {@link ElementType#FP8_E5M2} tensor.
     *
     * @param type an 8-bit type
     * @param bits the storage (not copied)
     * @param dims the shape
     * @return the tensor
     * @throws IllegalArgumentException if the type is not 8-bit or the length does not match
     */
    public static Tensor ofBytes(ElementType type, byte[] bits, long... dims) {
        if (type.byteSize() != 1) {
            throw new IllegalArgumentException("byte[] storage needs an 8-bit type, not " + type);
        }
        Shape shape = Shape.of(dims);
        checkLength(bits.length, shape, type);
        return new Tensor(type, shape, ByteBuffer.wrap(bits), bits);
    }

    /**
     * Allocates a zero-filled tensor on the heap.
     *
     * @param type element type
     * @param shape shape
     * @return the tensor
     */
    public static Tensor zeros(ElementType type, Shape shape) {
        switch (type.byteSize()) {
            case 4: {
                float[] a = new float[shape.size()];
                return new Tensor(type, shape, FloatBuffer.wrap(a), a);
            }
            case 2: {
                short[] a = new short[shape.size()];
                return new Tensor(type, shape, ShortBuffer.wrap(a), a);
            }
            default: {
                byte[] a = new byte[shape.size()];
                return new Tensor(type, shape, ByteBuffer.wrap(a), a);
            }
        }
    }

    private static void checkLength(int length, Shape shape, ElementType type) {
        if (length != shape.size()) {
            throw new IllegalArgumentException("array holds " + length + " elements but shape " + shape
                    + " of " + type + " needs " + shape.size());
        }
    }

    /** Returns the element type. */
    public ElementType type() {
        return type;
    }

    /** Returns the shape. */
    public Shape shape() {
        return shape;
    }

    /** Returns the element count. */
    public int size() {
        return shape.size();
    }

    /**
     * Returns the Java array this tensor was created on, shared and not copied: the {@code float[]}
     * given to {@link #ofFloats}, the {@code short[]} given to {@link #ofShorts}, the {@code byte[]}
     * given to {@link #ofBytes}, or the array {@link #zeros} allocated. Element {@code i} of the
     * tensor is element {@code i} of the array, in the encoding the factory describes. Empty for a
     * tensor made by {@link #wrap}, whose storage is the caller's byte buffer. Bulk kernels use it
     * to work on the elements in place instead of copying them out and back.
     *
     * @return the backing array ({@code float[]}, {@code short[]} or {@code byte[]}), or empty
     */
    public Optional<Object> array() {
        return Optional.ofNullable(array);
    }

    /**
     * Returns whether the elements cannot be written: a tensor made by {@link #wrap} over a read-only
     * buffer. Such a tensor can be read, masked ({@code compute}) and copied, not pruned in place.
     *
     * @return true if the storage is read-only
     */
    public boolean isReadOnly() {
        return storage.isReadOnly();
    }

    /**
     * Throws unless the elements can be written (see {@link #isReadOnly()}).
     *
     * @param operation what is about to write, for the message
     * @throws IllegalArgumentException if the storage is read-only
     */
    public void requireWritable(String operation) {
        if (storage.isReadOnly()) {
            throw new IllegalArgumentException(operation + " writes to the tensor, but the " + type + " tensor of shape "
                    + shape + " is on a read-only buffer; compute the mask and apply it to a copy instead");
        }
    }

    /**
     * Returns the raw bits of one element (zero-extended to an int for 8- and 16-bit types).
     *
     * @param index flat row-major index
     * @return the bits
     */
    public int bits(int index) {
        switch (type.byteSize()) {
            case 4:
                return Float.floatToRawIntBits(((FloatBuffer) storage).get(index));
            case 2:
                return ((ShortBuffer) storage).get(index) & 0xFFFF;
            default:
                return ((ByteBuffer) storage).get(index) & 0xFF;
        }
    }

    /**
     * Sets the raw bits of one element (only the low {@link ElementType#bitWidth()} bits are used).
     *
     * @param index flat row-major index
     * @param bits the bits
     * @throws IllegalArgumentException if the tensor is read-only ({@link #isReadOnly()})
     */
    public void setBits(int index, int bits) {
        requireWritable("setBits");
        putBits(index, bits);
    }

    private void putBits(int index, int bits) {
        switch (type.byteSize()) {
            case 4:
                ((FloatBuffer) storage).put(index, Float.intBitsToFloat(bits));
                break;
            case 2:
                ((ShortBuffer) storage).put(index, (short) bits);
                break;
            default:
                ((ByteBuffer) storage).put(index, (byte) bits);
        }
    }

    /**
     * Returns one element decoded to a double (exact).
     *
     * @param index flat row-major index
     * @return the value
     */
    public double get(int index) {
        return type.decode(bits(index));
    }

    /**
     * Reads the {@link ElementType#magnitudeKey(int) magnitude keys} of {@code count} elements at
     * {@code start, start + stride, ...} into {@code dst[dstOff], dst[dstOff + dstStride], ...}.
     * This is the bulk form of {@code type().magnitudeKey(bits(i))} used by the pruning kernels.
     *
     * @param start flat index of the first element
     * @param stride distance between elements, in elements
     * @param count number of elements
     * @param dst destination
     * @param dstOff first destination index
     * @param dstStride distance between destination entries
     */
    public void magnitudeKeys(int start, int stride, int count, int[] dst, int dstOff, int dstStride) {
        if (stride != 1) {
            for (int k = 0, i = start, d = dstOff; k < count; k++, i += stride, d += dstStride) {
                dst[d] = type.magnitudeKey(bits(i));
            }
            return;
        }
        // Bulk-copy chunks into a primitive scratch array, then convert with a plain array loop:
        // per-element Buffer access costs about three times more once several buffer classes are in use.
        // sign cleared, all NaN encodings capped at the type's NaN key (see ElementType#magnitudeKey)
        final int cap = type.maxMagnitudeKey();
        Scratch s = SCRATCH.get();
        for (int done = 0; done < count; done += Math.min(CHUNK, count - done)) { // no int overflow near 2^31
            int len = Math.min(CHUNK, count - done);
            int d = dstOff + done * dstStride;
            switch (type) {
                case FP32: {
                    ((FloatBuffer) storage).get(start + done, s.floats, 0, len);
                    float[] f = s.floats;
                    for (int k = 0; k < len; k++, d += dstStride) {
                        dst[d] = Math.min(Float.floatToRawIntBits(f[k]) & 0x7FFF_FFFF, cap);
                    }
                    break;
                }
                case FP16:
                case BF16: {
                    ((ShortBuffer) storage).get(start + done, s.shorts, 0, len);
                    short[] h = s.shorts;
                    for (int k = 0; k < len; k++, d += dstStride) {
                        dst[d] = Math.min(h[k] & 0x7FFF, cap);
                    }
                    break;
                }
                case INT8: {
                    ((ByteBuffer) storage).get(start + done, s.bytes, 0, len);
                    byte[] v = s.bytes;
                    for (int k = 0; k < len; k++, d += dstStride) {
                        dst[d] = Math.abs((int) v[k]);
                    }
                    break;
                }
                case FP8_E4M3:
                case FP8_E5M2: {
                    ((ByteBuffer) storage).get(start + done, s.bytes, 0, len);
                    byte[] v = s.bytes;
                    for (int k = 0; k < len; k++, d += dstStride) {
                        dst[d] = Math.min(v[k] & 0x7F, cap);
                    }
                    break;
                }
                default:
                    throw new AssertionError(type);
            }
        }
    }

    /**
     * Sets to zero ({@code +0} for floating-point types) every element at {@code start + k * stride},
     * {@code k < count}, whose flag {@code flags[flagOff + k * flagStride]} is 0; elements whose
     * flag is non-zero keep their bits.
     *
     * @param start flat index of the first element
     * @param stride distance between elements, in elements
     * @param count number of elements
     * @param flags keep flags
     * @param flagOff first flag index
     * @param flagStride distance between flags
     * @throws IllegalArgumentException if the tensor is read-only
     */
    public void zeroUnflagged(int start, int stride, int count, byte[] flags, int flagOff, int flagStride) {
        requireWritable("zeroUnflagged");
        if (stride != 1) {
            for (int k = 0, i = start, f = flagOff; k < count; k++, i += stride, f += flagStride) {
                if (flags[f] == 0) {
                    putBits(i, 0);
                }
            }
            return;
        }
        // Branch-free on chunks: bits AND-ed with 0 or all ones (keep patterns are random, so a
        // branch per element would mispredict about half the time).
        Scratch s = SCRATCH.get();
        for (int done = 0; done < count; done += Math.min(CHUNK, count - done)) { // no int overflow near 2^31
            int len = Math.min(CHUNK, count - done);
            int f = flagOff + done * flagStride;
            int at = start + done;
            switch (type.byteSize()) {
                case 4: {
                    FloatBuffer b = (FloatBuffer) storage;
                    b.get(at, s.floats, 0, len);
                    int[] bits = s.ints;
                    for (int k = 0; k < len; k++, f += flagStride) {
                        int keep = -((flags[f] | -flags[f]) >>> 31);
                        bits[k] = Float.floatToRawIntBits(s.floats[k]) & keep;
                    }
                    for (int k = 0; k < len; k++) {
                        s.floats[k] = Float.intBitsToFloat(bits[k]);
                    }
                    b.put(at, s.floats, 0, len);
                    break;
                }
                case 2: {
                    ShortBuffer b = (ShortBuffer) storage;
                    b.get(at, s.shorts, 0, len);
                    short[] h = s.shorts;
                    for (int k = 0; k < len; k++, f += flagStride) {
                        int keep = -((flags[f] | -flags[f]) >>> 31);
                        h[k] = (short) (h[k] & keep);
                    }
                    b.put(at, h, 0, len);
                    break;
                }
                default: {
                    ByteBuffer b = (ByteBuffer) storage;
                    b.get(at, s.bytes, 0, len);
                    byte[] v = s.bytes;
                    for (int k = 0; k < len; k++, f += flagStride) {
                        int keep = -((flags[f] | -flags[f]) >>> 31);
                        v[k] = (byte) (v[k] & keep);
                    }
                    b.put(at, v, 0, len);
                }
            }
        }
    }

    /**
     * Bulk-reads FP32 elements.
     *
     * @param start flat index of the first element
     * @param dst destination
     * @param off first destination index
     * @param len number of elements
     * @throws IllegalStateException if this tensor is not 32-bit
     */
    public void readFloats(int start, float[] dst, int off, int len) {
        requireWidth(4);
        ((FloatBuffer) storage).get(start, dst, off, len);
    }

    /**
     * Bulk-writes FP32 elements (bit for bit).
     *
     * @param start flat index of the first element
     * @param src source
     * @param off first source index
     * @param len number of elements
     * @throws IllegalStateException if this tensor is not 32-bit
     * @throws IllegalArgumentException if the tensor is read-only
     */
    public void writeFloats(int start, float[] src, int off, int len) {
        requireWidth(4);
        requireWritable("writeFloats");
        ((FloatBuffer) storage).put(start, src, off, len);
    }

    /**
     * Bulk-reads the raw bits of 16-bit elements.
     *
     * @param start flat index of the first element
     * @param dst destination
     * @param off first destination index
     * @param len number of elements
     * @throws IllegalStateException if this tensor is not 16-bit
     */
    public void readShorts(int start, short[] dst, int off, int len) {
        requireWidth(2);
        ((ShortBuffer) storage).get(start, dst, off, len);
    }

    /**
     * Bulk-writes the raw bits of 16-bit elements.
     *
     * @param start flat index of the first element
     * @param src source
     * @param off first source index
     * @param len number of elements
     * @throws IllegalStateException if this tensor is not 16-bit
     * @throws IllegalArgumentException if the tensor is read-only
     */
    public void writeShorts(int start, short[] src, int off, int len) {
        requireWidth(2);
        requireWritable("writeShorts");
        ((ShortBuffer) storage).put(start, src, off, len);
    }

    /**
     * Bulk-reads 8-bit elements.
     *
     * @param start flat index of the first element
     * @param dst destination
     * @param off first destination index
     * @param len number of elements
     * @throws IllegalStateException if this tensor is not 8-bit
     */
    public void readBytes(int start, byte[] dst, int off, int len) {
        requireWidth(1);
        ((ByteBuffer) storage).get(start, dst, off, len);
    }

    /**
     * Bulk-writes 8-bit elements.
     *
     * @param start flat index of the first element
     * @param src source
     * @param off first source index
     * @param len number of elements
     * @throws IllegalStateException if this tensor is not 8-bit
     * @throws IllegalArgumentException if the tensor is read-only
     */
    public void writeBytes(int start, byte[] src, int off, int len) {
        requireWidth(1);
        requireWritable("writeBytes");
        ((ByteBuffer) storage).put(start, src, off, len);
    }

    private void requireWidth(int bytes) {
        if (type.byteSize() != bytes) {
            throw new IllegalStateException(this + " has " + type.byteSize() + "-byte elements, not " + bytes);
        }
    }

    /** Elements per bulk transfer in the bulk methods. */
    private static final int CHUNK = 4096;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread transfer buffers of the bulk methods. */
    private static final class Scratch {
        final float[] floats = new float[CHUNK];
        final int[] ints = new int[CHUNK];
        final short[] shorts = new short[CHUNK];
        final byte[] bytes = new byte[CHUNK];
    }

    /**
     * Returns a deep copy on the heap (same type, shape and bits).
     *
     * @return the copy
     */
    public Tensor copy() {
        Tensor c = zeros(type, shape);
        c.copyFrom(this);
        return c;
    }

    /**
     * Copies all elements of {@code source} (same type and shape) into this tensor, bit for bit.
     *
     * @param source the source
     * @throws IllegalArgumentException if type or shape differ, or this tensor is read-only
     */
    public void copyFrom(Tensor source) {
        requireSameLayout(source, "source");
        requireWritable("copyFrom");
        switch (type.byteSize()) {
            case 4:
                ((FloatBuffer) storage).duplicate().clear().put(((FloatBuffer) source.storage).duplicate().clear());
                break;
            case 2:
                ((ShortBuffer) storage).duplicate().clear().put(((ShortBuffer) source.storage).duplicate().clear());
                break;
            default:
                ((ByteBuffer) storage).duplicate().clear().put(((ByteBuffer) source.storage).duplicate().clear());
        }
    }

    /**
     * Writes the elements as little-endian bytes into a new heap buffer.
     *
     * @return the bytes, position 0, limit = size × byte size
     * @throws IllegalStateException if they are more than one buffer holds (naming the shape)
     */
    public ByteBuffer toLittleEndianBytes() {
        long bytes = (long) size() * type.byteSize();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of shape " + shape + " of " + type + " holds " + bytes
                    + " bytes, more than one ByteBuffer can (2^31 - 9)");
        }
        ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        Tensor view = wrap(type, shape, out);
        view.copyFrom(this);
        return out;
    }

    /**
     * Checks that another tensor has this tensor's type and shape.
     *
     * @param other the other tensor
     * @param what its name in the error message
     * @throws IllegalArgumentException if they differ
     */
    public void requireSameLayout(Tensor other, String what) {
        if (other.type != type || !other.shape.equals(shape)) {
            throw new IllegalArgumentException(what + " is " + other.type + " " + other.shape
                    + " but must be " + type + " " + shape);
        }
    }

    @Override
    public String toString() {
        return "Tensor[" + type + " " + shape + "]";
    }
}
