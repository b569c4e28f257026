package org.sparsity4j.core.training;

import java.util.Arrays;
import java.util.Objects;
import org.sparsity4j.core.mask.Mask;
import org.sparsity4j.core.mask.MaskKind;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.validate.ValidationReport;
import org.sparsity4j.core.validate.Validator;

/**
 * The core {@link Mask} of one named weight. Immutable. Elements are in row-major order of the
 * weight's shape as the framework stores it.
 */
public final class ParameterMask {
    private final String name;
    private final Mask mask;

    private ParameterMask(String name, Mask mask) {
        this.name = Objects.requireNonNull(name, "name");
        this.mask = Objects.requireNonNull(mask, "mask");
    }

    /**
     * Names a core mask.
     *
     * @param name the parameter name
     * @param mask a strip or tile mask computed by the core maskers (or restored with
     *     {@link Mask#fromBitWords})
     * @return the parameter mask
     */
    public static ParameterMask of(String name, Mask mask) {
        return new ParameterMask(name, mask);
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
     * The core mask.
     *
     * @return the mask
     */
    public Mask mask() {
        return mask;
    }

    /**
     * The weight shape the mask was made for.
     *
     * @return shape
     */
    public Shape shape() {
        return mask.shape();
    }

    /**
     * The pattern.
     *
     * @return N:M pattern
     */
    public SparsityPattern pattern() {
        return mask.pattern();
    }

    /**
     * Strip or tile.
     *
     * @return the kind
     */
    public MaskKind kind() {
        return mask.kind();
    }

    /**
     * The reduction axis the groups run along.
     *
     * @return axis
     */
    public int axis() {
        return mask.axis();
    }

    /**
     * For tile masks the other tile axis.
     *
     * @return the axis, or -1 for strip masks
     */
    public int otherAxis() {
        return mask.otherAxis();
    }

    /**
     * Number of elements.
     *
     * @return element count of the weight
     */
    public int size() {
        return mask.shape().size();
    }

    /**
     * Whether an element is kept.
     *
     * @param flatIndex row-major index
     * @return true when kept
     */
    public boolean isKept(int flatIndex) {
        return mask.isKept(flatIndex);
    }

    /**
     * Number of kept elements.
     *
     * @return kept count
     */
    public long keptCount() {
        return mask.keptCount();
    }

    /**
     * The row-major index of the first pruned element.
     *
     * @return the index, or -1 when every element is kept
     */
    public int firstPruned() {
        long[] words = mask.toBitWords();
        for (int w = 0; w < words.length; w++) {
            if (words[w] != -1L) {
                int i = (w << 6) + Long.numberOfTrailingZeros(~words[w]);
                return i < size() ? i : -1; // a clear bit past the last element is no element
            }
        }
        return -1;
    }

    /**
     * The mask as 1/0 floats, row-major, for multiplying a framework array.
     *
     * @return a new array of {@link #size()} values
     */
    public float[] toFloats() {
        float[] out = new float[size()];
        long[] words = mask.toBitWords(); // once: a bit test per element, not a mask lookup
        for (int i = 0; i < out.length; i++) {
            if ((words[i >>> 6] >>> i & 1) != 0) {
                out[i] = 1f;
            }
        }
        return out;
    }

    /**
     * Checks weight values against this mask and against the N:M pattern itself (with the core
     * validator, for tile masks along both axes).
     *
     * @param values the weight values, row-major, length {@link #size()}
     * @return the check
     */
    public ParameterCheck check(float[] values) {
        if (values.length != size()) {
            throw new IllegalArgumentException("weight '" + name + "' has " + values.length
                    + " values but its mask has shape " + shape() + " (" + size() + " elements)");
        }
        long prunedNonZero = 0;
        int firstLeak = -1;
        long[] words = mask.toBitWords();
        for (int i = 0; i < values.length; i++) {
            if ((words[i >>> 6] >>> i & 1) == 0 && values[i] != 0f) {
                prunedNonZero++;
                if (firstLeak < 0) {
                    firstLeak = i;
                }
            }
        }
        Tensor t = Tensor.ofFloats(values.clone(), shape().dims());
        ValidationReport report = kind() == MaskKind.TILE
                ? Validator.checkTile(t, axis(), otherAxis())
                : Validator.checkStrip(t, pattern(), axis());
        return new ParameterCheck(name, shape(), pattern(), kind(), report.groups(), report.violatingGroups(),
                report.firstViolations().isEmpty() ? null : report.firstViolations().get(0).toString(),
                prunedNonZero, firstLeak < 0 ? null : Arrays.toString(shape().coordinates(firstLeak)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParameterMask m && name.equals(m.name) && mask.equals(m.mask);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, mask);
    }

    @Override
    public String toString() {
        return name + ": " + mask;
    }
}
