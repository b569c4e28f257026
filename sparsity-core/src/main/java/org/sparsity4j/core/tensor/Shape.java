package org.sparsity4j.core.tensor;

import java.util.Arrays;

/**
 * An immutable row-major tensor shape. Every dimension is non-negative and the element count fits
 * in a Java array index ({@code <= Integer.MAX_VALUE - 8}), the limit of one tensor's storage.
 */
public final class Shape {
    /** The largest element count a tensor may have. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final long[] dims;
    private final int size;

    private Shape(long[] dims, int size) {
        this.dims = dims;
        this.size = size;
    }

    /**
     * Creates a shape.
     *
     * @param dims dimensions, outermost first (a rank-0 shape has one element)
     * @return the shape
     * @throws IllegalArgumentException if a dimension is negative, or the element count (of an empty
     *         shape: the product of its non-zero dimensions) is more than {@link #MAX_ELEMENTS}
     */
    public static Shape of(long... dims) {
        long[] copy = dims.clone();
        boolean empty = false;
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(copy) + ": dimension "
                        + i + " is negative (" + copy[i] + ")");
            }
            empty |= copy[i] == 0;
        }
        // the product of the non-zero dimensions bounds every stride and index product, also of an empty shape
        long size = 1;
        for (long d : copy) {
            if (d == 0) {
                continue;
            }
            if (size > MAX_ELEMENTS / d) {
                throw new IllegalArgumentException("shape " + Arrays.toString(copy)
                        + (empty ? ": its non-zero dimensions have" : " has")
                        + " more elements than one tensor can hold (" + MAX_ELEMENTS + ")");
            }
            size *= d;
        }
        return new Shape(copy, empty ? 0 : (int) size);
    }

    /**
     * Creates a shape from int dimensions.
     *
     * @param dims dimensions, outermost first
     * @return the shape
     * @throws IllegalArgumentException as {@link #of(long...)}
     */
    public static Shape ofInts(int... dims) {
        return of(Arrays.stream(dims).asLongStream().toArray());
    }

    /** Returns the number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /**
     * Returns one dimension.
     *
     * @param axis the axis, {@code 0 <= axis < rank()}; negative axes count from the end
     * @return its length
     */
    public long dim(int axis) {
        return dims[normalizeAxis(axis)];
    }

    /** Returns a copy of the dimensions. */
    public long[] dims() {
        return dims.clone();
    }

    /** Returns the number of elements (product of the dimensions). */
    public int size() {
        return size;
    }

    /**
     * Resolves an axis, allowing negative values counted from the end ({@code -1} = last).
     *
     * @param axis the axis
     * @return the axis in {@code [0, rank())}
     * @throws IllegalArgumentException naming this shape if the axis is out of range
     */
    public int normalizeAxis(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for shape " + this
                    + " (rank " + dims.length + ")");
        }
        return a;
    }

    private void requireNormalized(int axis) {
        if (axis < 0 || axis >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " is not a normalized axis of shape " + this
                    + " (0 to " + (dims.length - 1) + ")");
        }
    }

    /**
     * Returns the product of the dimensions before {@code axis}.
     *
     * @param axis a normalized axis, {@code 0 <= axis < rank}
     * @return the outer extent
     * @throws IllegalArgumentException if the axis is out of range (naming the shape)
     */
    public int outer(int axis) {
        requireNormalized(axis);
        long p = 1;
        for (int i = 0; i < axis; i++) {
            p *= dims[i];
        }
        return (int) p;
    }

    /**
     * Returns the product of the dimensions after {@code axis}, which is also the stride of
     * {@code axis} in elements.
     *
     * @param axis a normalized axis, {@code 0 <= axis < rank}
     * @return the inner extent
     * @throws IllegalArgumentException if the axis is out of range (naming the shape)
     */
    public int inner(int axis) {
        requireNormalized(axis);
        long p = 1;
        for (int i = axis + 1; i < dims.length; i++) {
            p *= dims[i];
        }
        return (int) p;
    }

    /**
     * Converts a flat row-major index to coordinates.
     *
     * @param index flat element index
     * @return coordinates, one per axis
     */
    public long[] coordinates(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " outside shape " + this);
        }
        long[] c = new long[dims.length];
        long rest = index;
        for (int i = dims.length - 1; i >= 0; i--) {
            c[i] = rest % dims[i];
            rest /= dims[i];
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Returns the dimensions as {@code [d0, d1, ...]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
