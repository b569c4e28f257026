package org.sparsity4j.core.training;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;
import org.sparsity4j.core.mask.Mask;
import org.sparsity4j.core.mask.MaskKind;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.validate.ValidationReport;
import org.sparsity4j.core.validate.Validator;

/**
 * The mask of one named weight: which elements are kept, in row-major order of the weight's shape,
 * and how it was laid out (pattern, strip axis or tile axes) so the weight can be re-checked later.
 * Immutable.
 */
public final class ParameterMask {
    private final String name;
    private final Shape shape;
    private final SparsityPattern pattern;
    private final MaskKind kind;
    private final int axis;
    private final int otherAxis;
    private final BitSet kept;

    private ParameterMask(String name, Shape shape, SparsityPattern pattern, MaskKind kind, int axis, int otherAxis,
            BitSet kept) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = Objects.requireNonNull(shape, "shape");
        this.pattern = Objects.requireNonNull(pattern, "pattern");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.axis = axis;
        this.otherAxis = otherAxis;
        this.kept = (BitSet) kept.clone();
    }

    /**
     * Records a core mask under a parameter name.
     *
     * @param name the parameter name
     * @param mask a strip or tile mask computed by the core maskers
     * @param otherAxis for tile masks the second axis of the 4x4 tiles, otherwise ignored
     * @return the parameter mask
     */
    public static ParameterMask of(String name, Mask mask, int otherAxis) {
        int n = mask.shape().size();
        BitSet bits = new BitSet(n);
        for (int i = 0; i < n; i++) {
            if (mask.isKept(i)) {
                bits.set(i);
            }
        }
        return new ParameterMask(name, mask.shape(), mask.pattern(), mask.kind(), mask.axis(),
                mask.kind() == MaskKind.TILE ? otherAxis : -1, bits);
    }

    /**
     * Rebuilds a mask from its parts (used when reading a mask file).
     *
     * @param name parameter name
     * @param shape weight shape
     * @param pattern N:M pattern
     * @param kind strip or tile
     * @param axis strip axis, or the tile's reduction axis
     * @param otherAxis the tile's other axis, -1 for strip masks
     * @param kept kept elements, row-major
     * @return the mask
     */
    public static ParameterMask of(String name, Shape shape, SparsityPattern pattern, MaskKind kind, int axis,
            int otherAxis, BitSet kept) {
        if (axis < 0 || axis >= shape.rank()) {
            throw new IllegalArgumentException("mask '" + name + "': axis " + axis + " out of range for shape " + shape);
        }
        if (kind == MaskKind.TILE && (otherAxis < 0 || otherAxis >= shape.rank() || otherAxis == axis)) {
            throw new IllegalArgumentException("mask '" + name + "': tile axes " + axis + "," + otherAxis
                    + " invalid for shape " + shape);
        }
        if (kept.length() > shape.size()) {
            throw new IllegalArgumentException("mask '" + name + "': kept bit " + (kept.length() - 1)
                    + " outside shape " + shape);
        }
        return new ParameterMask(name, shape, pattern, kind, axis, kind == MaskKind.TILE ? otherAxis : -1, kept);
    }

    /**
     * The parameter name.
     *
     * @return name
     */
    public String name() {
        return name;
    }

    /**
     * The weight shape the mask was made for.
     *
     * @return shape
     */
    public Shape shape() {
        return shape;
    }

    /**
     * The pattern.
     *
     * @return N:M pattern
     */
    public SparsityPattern pattern() {
        return pattern;
    }

    /**
     * Strip or tile.
     *
     * @return the kind
     */
    public MaskKind kind() {
        return kind;
    }

    /**
     * The reduction axis the groups run along.
     *
     * @return axis
     */
    public int axis() {
        return axis;
    }

    /**
     * For tile masks the other tile axis.
     *
     * @return the axis, or -1 for strip masks
     */
    public int otherAxis() {
        return otherAxis;
    }

    /**
     * Number of elements.
     *
     * @return element count of the weight
     */
    public int size() {
        return shape.size();
    }

    /**
     * Whether an element is kept.
     *
     * @param flatIndex row-major index
     * @return true when kept
     */
    public boolean isKept(int flatIndex) {
        Objects.checkIndex(flatIndex, size());
        return kept.get(flatIndex);
    }

    /**
     * Number of kept elements.
     *
     * @return kept count
     */
    public int keptCount() {
        return kept.cardinality();
    }

    /**
     * The kept set as a copy.
     *
     * @return kept bits, row-major
     */
    public BitSet keptBits() {
        return (BitSet) kept.clone();
    }

    /**
     * The mask as 1/0 floats, row-major, for multiplying a framework array.
     *
     * @return a new array of {@link #size()} values
     */
    public float[] toFloats() {
        float[] out = new float[size()];
        for (int i = kept.nextSetBit(0); i >= 0; i = kept.nextSetBit(i + 1)) {
            out[i] = 1f;
        }
        return out;
    }

    /**
     * Zeroes the pruned positions of a row-major copy of the weight.
     *
     * @param values the weight values, length {@link #size()}
     */
    public void applyInPlace(float[] values) {
        requireLength(values);
        for (int i = kept.nextClearBit(0); i < values.length; i = kept.nextClearBit(i + 1)) {
            values[i] = 0f;
        }
    }

    /**
     * Checks weight values against this mask and against the N:M pattern itself.
     *
     * @param values the weight values, row-major, length {@link #size()}
     * @return the check
     */
    public ParameterCheck check(float[] values) {
        requireLength(values);
        long prunedNonZero = 0;
        int firstLeak = -1;
        for (int i = kept.nextClearBit(0); i < values.length; i = kept.nextClearBit(i + 1)) {
            if (values[i] != 0f) {
                prunedNonZero++;
                if (firstLeak < 0) {
                    firstLeak = i;
                }
            }
        }
        Tensor t = Tensor.ofFloats(values.clone(), shape.dims());
        ValidationReport report = kind == MaskKind.TILE
                ? Validator.checkTile(t, axis, otherAxis)
                : Validator.checkStrip(t, pattern, axis);
        return new ParameterCheck(name, shape, pattern, kind, report.groups(), report.violatingGroups(),
                report.firstViolations().isEmpty() ? null : report.firstViolations().get(0).toString(),
                prunedNonZero, firstLeak < 0 ? null : Arrays.toString(shape.coordinates(firstLeak)));
    }

    private void requireLength(float[] values) {
        if (values.length != size()) {
            throw new IllegalArgumentException("weight '" + name + "' has " + values.length
                    + " values but its mask has shape " + shape + " (" + size() + " elements)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParameterMask m && name.equals(m.name) && shape.equals(m.shape)
                && pattern.equals(m.pattern) && kind == m.kind && axis == m.axis && otherAxis == m.otherAxis
                && kept.equals(m.kept);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, shape, pattern, kind, axis, otherAxis, kept);
    }

    @Override
    public String toString() {
        return "ParameterMask{" + name + " " + shape + " " + pattern + " " + kind + " axis=" + axis
                + (kind == MaskKind.TILE ? "," + otherAxis : "") + " kept=" + keptCount() + "/" + size() + "}";
    }
}
