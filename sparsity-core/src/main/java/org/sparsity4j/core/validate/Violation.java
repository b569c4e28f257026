package org.sparsity4j.core.validate;

import java.util.Arrays;

/**
 * One group that holds more non-zeros than its pattern allows. Immutable.
 */
public final class Violation {
    private final long[] coordinates;
    private final int axis;
    private final int nonZeros;
    private final int allowed;

    private Violation(long[] coordinates, int axis, int nonZeros, int allowed) {
        this.coordinates = coordinates;
        this.axis = axis;
        this.nonZeros = nonZeros;
        this.allowed = allowed;
    }

    static Violation of(long[] coordinates, int axis, int nonZeros, int allowed) {
        return new Violation(coordinates.clone(), axis, nonZeros, allowed);
    }

    /** Returns the coordinates of the group's first element. */
    public long[] coordinates() {
        return coordinates.clone();
    }

    /** Returns the axis along which the group runs. */
    public int axis() {
        return axis;
    }

    /** Returns the number of non-zeros found in the group. */
    public int nonZeros() {
        return nonZeros;
    }

    /** Returns the number of non-zeros the pattern allows (N). */
    public int allowed() {
        return allowed;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Violation)) {
            return false;
        }
        Violation v = (Violation) o;
        return Arrays.equals(coordinates, v.coordinates) && axis == v.axis && nonZeros == v.nonZeros
                && allowed == v.allowed;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(coordinates) * 31 + axis * 7 + nonZeros;
    }

    /** Returns e.g. {@code "group at [0, 4] along axis 1 has 3 non-zeros (allowed 2)"}. */
    @Override
    public String toString() {
        return "group at " + Arrays.toString(coordinates) + " along axis " + axis + " has " + nonZeros
                + " non-zeros (allowed " + allowed + ")";
    }
}
