package org.sparsity4j.core.training;

import org.sparsity4j.core.mask.MaskKind;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Shape;

/**
 * The verification of one weight: does it still satisfy its N:M pattern, and are all positions its
 * mask pruned still exactly zero.
 *
 * @param name parameter name
 * @param shape weight shape
 * @param pattern pattern checked
 * @param kind strip or tile
 * @param groups number of groups checked (for tile masks, row and column groups)
 * @param violatingGroups groups with more than N non-zeros
 * @param firstViolation the first violating group as the validator describes it, or null
 * @param prunedNonZero positions the mask pruned that hold a non-zero value
 * @param firstPrunedNonZero coordinates of the first such position, or null
 */
public record ParameterCheck(String name, Shape shape, SparsityPattern pattern, MaskKind kind, long groups,
        long violatingGroups, String firstViolation, long prunedNonZero, String firstPrunedNonZero) {

    /**
     * Whether the weight kept its pattern and its mask.
     *
     * @return true when valid
     */
    public boolean isValid() {
        return violatingGroups == 0 && prunedNonZero == 0;
    }

    @Override
    public String toString() {
        if (isValid()) {
            return name + " " + shape + ": " + pattern + " " + kind.name().toLowerCase() + " ok (" + groups + " groups)";
        }
        return name + " " + shape + ": LOST PATTERN " + pattern + " " + kind.name().toLowerCase() + ", "
                + violatingGroups + "/" + groups + " groups violate" + (firstViolation == null ? "" : " (first "
                + firstViolation + ")") + ", " + prunedNonZero + " pruned positions non-zero"
                + (firstPrunedNonZero == null ? "" : " (first at " + firstPrunedNonZero + ")");
    }
}
