package org.sparsity4j.core.mask;

import java.util.Arrays;
import java.util.Objects;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/**
 * A keep-mask over a tensor: one bit per element (1 = kept), with the pattern, kind and axes it
 * was chosen for and the statistics of the tensor it was computed from. Immutable; about one
 * eighth of a byte per element.
 *
 * <p>Every group of M consecutive elements along {@link #axis()} has exactly N kept positions
 * (a kept position may hold a zero). A {@link MaskKind#TILE} mask additionally keeps exactly 2 of
 * every 4 along {@link #otherAxis()} in full tiles.
 */
public final class Mask {
    private final Shape shape;
    private final SparsityPattern pattern;
    private final MaskKind kind;
    private final int axis;
    private final int otherAxis;
    private final MaskWords words;
    private final MaskStats stats;

    Mask(Shape shape, SparsityPattern pattern, MaskKind kind, int axis, int otherAxis, long[] words,
         MaskStats stats) {
        this(shape, pattern, kind, axis, otherAxis, MaskWords.single(words, shape.size()), stats);
    }

    Mask(Shape shape, SparsityPattern pattern, MaskKind kind, int axis, int otherAxis, MaskWords words,
         MaskStats stats) {
        this.shape = shape;
        this.pattern = pattern;
        this.kind = kind;
        this.axis = axis;
        this.otherAxis = otherAxis;
        this.words = words;
        this.stats = stats;
    }

    /**
     * Rebuilds a mask from the words of {@link #toBitWords()} (for example to resume fine-tuning
     * with saved masks). The bits are checked: every group along {@code axis} must hold exactly N
     * kept positions, and a tile mask (2:4 only) must also keep exactly 2 of every 4 along
     * {@code otherAxis} (at most 2 in a last partial group there, a ragged tile). The statistics of
     * a restored mask carry counts only; magnitude sums are NaN.
     *
     * @param shape the tensor shape
     * @param pattern the pattern
     * @param kind the kind
     * @param axis the reduction axis
     * @param otherAxis the second axis of a tile mask, -1 for a strip mask
     * @param words the bits, element i at bit {@code i & 63} of word {@code i >> 6}
     * @return the mask
     * @throws IllegalArgumentException if the words do not fit the shape or break the pattern
     */
    public static Mask fromBitWords(Shape shape, SparsityPattern pattern, MaskKind kind, int axis, int otherAxis,
                                    long[] words) {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(kind, "kind");
        int a = Axes.checkGrouped(shape, axis, pattern);
        int o = -1;
        if (kind == MaskKind.TILE) {
            o = Axes.checkOther(shape, a, otherAxis);
        } else if (otherAxis != -1) {
            throw new IllegalArgumentException("a strip mask has no second axis (got " + otherAxis + ")");
        }
        int need = (shape.size() + 63) >>> 6;
        if (words.length != need) {
            throw new IllegalArgumentException("shape " + shape + " needs " + need + " mask words, got " + words.length);
        }
        long[] copy = words.clone();
        int tailBits = shape.size() & 63;
        if (tailBits != 0 && (copy[need - 1] >>> tailBits) != 0) {
            throw new IllegalArgumentException("mask words have bits set past the last element of shape " + shape);
        }
        if (kind == MaskKind.TILE && !pattern.equals(SparsityPattern.TWO_OF_FOUR)) {
            throw new IllegalArgumentException("a tile mask is 2:4, not " + pattern);
        }
        long groups = checkGroups(copy, shape, a, pattern.m(), pattern.n(), "");
        if (kind == MaskKind.TILE) {
            checkGroups(copy, shape, o, 4, 2, " (the tile mask's second axis)");
        }
        long kept = groups * pattern.n();
        MaskStats stats = new MaskStats(shape.size(), kept, groups, 0, 0, 0, 0, 0, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN);
        return new Mask(shape, pattern, kind, a, o, copy, stats);
    }

    /**
     * Checks that every group of {@code m} along axis {@code a} keeps exactly {@code n}; a last
     * partial group (an axis length that is not a multiple of m: a ragged tile) keeps at most n.
     * Returns the number of whole groups.
     */
    private static long checkGroups(long[] bits, Shape shape, int a, int m, int n, String which) {
        int inner = shape.inner(a);
        int len = (int) shape.dim(a);
        int outer = shape.outer(a);
        long groups = 0;
        for (int oo = 0; oo < outer; oo++) {
            for (int g = 0; g < len; g += m) {
                int size = Math.min(m, len - g);
                for (int i = 0; i < inner; i++) {
                    int base = (oo * len + g) * inner + i;
                    int c = 0;
                    for (int j = 0; j < size; j++) {
                        c += Bits.get(bits, base + j * inner) ? 1 : 0;
                    }
                    if (size == m ? c != n : c > n) {
                        throw new IllegalArgumentException("mask group at " + Arrays.toString(shape.coordinates(base))
                                + " along axis " + a + which + " of shape " + shape + " keeps " + c
                                + (size == m ? ", not " + n : " of " + size + ", more than " + n));
                    }
                    groups += size == m ? 1 : 0;
                }
            }
        }
        return groups;
    }

    /** Returns the shape of the masked tensor. */
    public Shape shape() {
        return shape;
    }

    /** Returns the pattern. */
    public SparsityPattern pattern() {
        return pattern;
    }

    /** Returns how the mask was chosen. */
    public MaskKind kind() {
        return kind;
    }

    /** Returns the reduction axis (normalized, non-negative). */
    public int axis() {
        return axis;
    }

    /** Returns the second axis of a tile mask, or -1 for a strip mask. */
    public int otherAxis() {
        return otherAxis;
    }

    /**
     * Returns whether an element is kept.
     *
     * @param index flat row-major index
     * @return true if kept
     */
    public boolean isKept(int index) {
        Objects.checkIndex(index, shape.size());
        return words.get(index);
    }

    /** Returns the number of kept positions. */
    public long keptCount() {
        return words.count();
    }

    /** Returns the statistics of the tensor this mask was computed from. */
    public MaskStats stats() {
        return stats;
    }

    /** Returns a copy of the bits: element i at bit {@code i & 63} of word {@code i >> 6}. */
    public long[] toBitWords() {
        return words.toWords();
    }

    /**
     * Zeroes every pruned element of {@code t} in place; kept elements are untouched.
     *
     * @param t a tensor of this mask's shape (any element type)
     * @throws IllegalArgumentException if the shape differs or {@code t} is read-only ({@link Tensor#isReadOnly()})
     */
    public void applyInPlace(Tensor t) {
        if (!t.shape().equals(shape)) {
            throw new IllegalArgumentException("mask for shape " + shape + " cannot apply to tensor of shape " + t.shape());
        }
        t.requireWritable("applyInPlace");
        byte[] flags = new byte[4096];
        int size = shape.size();
        for (int start = 0; start < size; start += Math.min(flags.length, size - start)) { // no int overflow near 2^31
            int n = Math.min(flags.length, size - start);
            words.flags(start, n, flags);
            t.zeroUnflagged(start, 1, n, flags, 0, 1);
        }
    }

    /**
     * Returns a masked copy of {@code t}; {@code t} is unchanged.
     *
     * @param t a tensor of this mask's shape
     * @return a heap copy with pruned elements zeroed
     */
    public Tensor applyToCopy(Tensor t) {
        Tensor c = t.copy();
        applyInPlace(c);
        return c;
    }

    /** Masks are equal when shape, pattern, kind, axes and kept bits are equal (statistics aside). */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Mask)) {
            return false;
        }
        Mask m = (Mask) o;
        return shape.equals(m.shape) && pattern.equals(m.pattern) && kind == m.kind && axis == m.axis
                && otherAxis == m.otherAxis && words.sameBits(m.words);
    }

    @Override
    public int hashCode() {
        return Objects.hash(shape, pattern, kind, axis, otherAxis, words.bitsHash());
    }

    @Override
    public String toString() {
        return "Mask[" + kind + " " + pattern + " axis " + axis + (otherAxis >= 0 ? "/" + otherAxis : "")
                + " of " + shape + ", kept " + keptCount() + "]";
    }
}
