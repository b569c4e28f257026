package org.sparsity4j.core.validate;

import java.util.List;

/**
 * The outcome of checking a tensor against a pattern. Immutable.
 */
public final class ValidationReport {
    /** How many violations are recorded in {@link #firstViolations()} at most. */
    public static final int MAX_RECORDED = 16;

    private final String description;
    private final long groups;
    private final long violatingGroups;
    private final List<Violation> first;

    ValidationReport(String description, long groups, long violatingGroups, List<Violation> first) {
        this.description = description;
        this.groups = groups;
        this.violatingGroups = violatingGroups;
        this.first = List.copyOf(first);
    }

    /** Returns true if no group violates the pattern. */
    public boolean isValid() {
        return violatingGroups == 0;
    }

    /** Returns the number of groups checked (along both axes for a tile check). */
    public long groups() {
        return groups;
    }

    /** Returns the number of groups with too many non-zeros. */
    public long violatingGroups() {
        return violatingGroups;
    }

    /** Returns the first violations in index order (axis by axis), at most {@link #MAX_RECORDED}. */
    public List<Violation> firstViolations() {
        return first;
    }

    /** Returns what was checked, e.g. {@code "2:4 along axis 1 of FP16 [64, 128]"}. */
    public String description() {
        return description;
    }

    /** Returns a one-line summary naming the first violation, if any. */
    /**
     * Equal when the description, the counts and the recorded violations are the same.
     *
     * @param o another object
     * @return whether it is the same report
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ValidationReport)) {
            return false;
        }
        ValidationReport r = (ValidationReport) o;
        return groups == r.groups && violatingGroups == r.violatingGroups && description.equals(r.description)
                && first.equals(r.first);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(description, groups, violatingGroups, first);
    }

    @Override
    public String toString() {
        if (isValid()) {
            return description + ": valid (" + groups + " groups)";
        }
        return description + ": " + violatingGroups + " of " + groups + " groups violate; first: " + first.get(0);
    }
}
