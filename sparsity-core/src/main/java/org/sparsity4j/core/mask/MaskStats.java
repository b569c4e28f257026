package org.sparsity4j.core.mask;

/**
 * Statistics of one mask over one tensor. Immutable.
 *
 * <p>Magnitude sums cover finite values only; {@link #nonFiniteElements()} counts the rest
 * (NaN and ±Inf), which are ranked above every finite value when masks are chosen.
 */
public final class MaskStats {
    private final long elements;
    private final long keptElements;
    private final long groups;
    private final long zeroGroups;
    private final long underfilledGroups;
    private final long overfilledGroups;
    private final long tiedGroups;
    private final long nonFiniteElements;
    private final double totalMagnitude;
    private final double keptMagnitude;
    private final double totalScore;
    private final double keptScore;

    MaskStats(long elements, long keptElements, long groups, long zeroGroups, long underfilledGroups,
              long overfilledGroups, long tiedGroups, long nonFiniteElements, double totalMagnitude,
              double keptMagnitude, double totalScore, double keptScore) {
        this.elements = elements;
        this.keptElements = keptElements;
        this.groups = groups;
        this.zeroGroups = zeroGroups;
        this.underfilledGroups = underfilledGroups;
        this.overfilledGroups = overfilledGroups;
        this.tiedGroups = tiedGroups;
        this.nonFiniteElements = nonFiniteElements;
        this.totalMagnitude = totalMagnitude;
        this.keptMagnitude = keptMagnitude;
        this.totalScore = totalScore;
        this.keptScore = keptScore;
    }

    /** Returns the number of elements in the tensor. */
    public long elements() {
        return elements;
    }

    /** Returns the number of kept positions (exactly N per group; kept positions may hold zeros). */
    public long keptElements() {
        return keptElements;
    }

    /** Returns the number of groups of M along the reduction axis. */
    public long groups() {
        return groups;
    }

    /** Returns the number of groups whose elements are all zero. */
    public long zeroGroups() {
        return zeroGroups;
    }

    /** Returns the number of groups with fewer than N non-zeros (all-zero groups included). */
    public long underfilledGroups() {
        return underfilledGroups;
    }

    /**
     * Returns the number of groups that held more than N non-zeros (NaN and ±Inf count as
     * non-zero, −0 as zero): the groups that broke the pattern before masking, and so the number
     * a {@link org.sparsity4j.core.validate.Validator} check of the unmasked tensor reports as
     * violating along the same axis. For strip masks, zero means the tensor already had the pattern
     * along the axis, and masking it changes no value (in place, only −0 may become +0). For tile
     * masks it counts the groups of 4 along the reduction axis only: a tile mask may still prune to
     * satisfy the other axis, which a tile check also counts. 0 for a mask made from bits alone.
     */
    public long overfilledGroups() {
        return overfilledGroups;
    }

    /**
     * Returns the number of groups (strip) or tiles (tile) where the choice was decided by the tie
     * rule: for strips, the smallest kept value equals the largest pruned one; for tiles, more than
     * one of the 90 patterns reaches the best kept sum (exactly equal sums), counting patterns that
     * differ only in the zero padding of a ragged tile as one.
     */
    public long tiedGroups() {
        return tiedGroups;
    }

    /** Returns the number of NaN and infinite elements (excluded from the magnitude sums). */
    public long nonFiniteElements() {
        return nonFiniteElements;
    }

    /** Returns the L1 norm of all finite elements. */
    public double totalMagnitude() {
        return totalMagnitude;
    }

    /**
     * Returns the L1 norm of the kept finite elements, never above {@link #totalMagnitude()}: both
     * are rounded sums, and a kept sum that rounds above its total is reported as the total.
     */
    public double keptMagnitude() {
        return keptMagnitude;
    }

    /**
     * Returns the retained magnitude: kept L1 over total L1 of the finite elements, in [0, 1];
     * 1 when the tensor has no non-zero finite element.
     */
    public double retainedMagnitude() {
        return totalMagnitude == 0 ? 1.0 : keptMagnitude / totalMagnitude;
    }

    /**
     * Returns kept score sum over total score sum when the mask was chosen from scores; NaN
     * otherwise; 1 when every score is zero.
     */
    public double retainedScore() {
        if (Double.isNaN(totalScore)) {
            return Double.NaN;
        }
        return totalScore == 0 ? 1.0 : keptScore / totalScore;
    }

    /**
     * Equal when every count and sum is the same (sums compared bit for bit, NaN equal to NaN).
     *
     * @param o another object
     * @return whether it holds the same statistics
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MaskStats)) {
            return false;
        }
        MaskStats s = (MaskStats) o;
        return elements == s.elements && keptElements == s.keptElements && groups == s.groups
                && zeroGroups == s.zeroGroups && underfilledGroups == s.underfilledGroups
                && overfilledGroups == s.overfilledGroups && tiedGroups == s.tiedGroups
                && nonFiniteElements == s.nonFiniteElements
                && Double.compare(totalMagnitude, s.totalMagnitude) == 0
                && Double.compare(keptMagnitude, s.keptMagnitude) == 0
                && Double.compare(totalScore, s.totalScore) == 0 && Double.compare(keptScore, s.keptScore) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(elements, keptElements, groups, zeroGroups, underfilledGroups, overfilledGroups,
                tiedGroups, nonFiniteElements, totalMagnitude, keptMagnitude, totalScore, keptScore);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "MaskStats[elements=%d, kept=%d, groups=%d, zeroGroups=%d, underfilled=%d, overfilled=%d, tied=%d, "
                        + "nonFinite=%d, retainedMagnitude=%.6f%s]",
                elements, keptElements, groups, zeroGroups, underfilledGroups, overfilledGroups, tiedGroups,
                nonFiniteElements, retainedMagnitude(), Double.isNaN(totalScore) ? "" : String.format(java.util.Locale.ROOT,
                        ", retainedScore=%.6f", retainedScore()));
    }

    /** Mutable accumulator for one block of work; blocks are merged in a fixed order. */
    static final class Acc {
        long elements;
        long kept;
        long groups;
        long zeroGroups;
        long underfilled;
        long overfilled;
        long tied;
        long nonFinite;
        double total;
        double keptSum;
        double totalScore;
        double keptScore;

        void add(Acc o) {
            elements += o.elements;
            kept += o.kept;
            groups += o.groups;
            zeroGroups += o.zeroGroups;
            underfilled += o.underfilled;
            overfilled += o.overfilled;
            tied += o.tied;
            nonFinite += o.nonFinite;
            total += o.total;
            keptSum += o.keptSum;
            totalScore += o.totalScore;
            keptScore += o.keptScore;
        }

        /**
         * The statistics. The kept sums are rounded sums added in another order than the totals
         * (and the SIMD kernels add in yet another), so where every finite element is kept the kept
         * sum can round to just above its total; it is capped at the total, so that the retained
         * fractions stay in [0, 1].
         */
        MaskStats toStats(boolean scored) {
            return new MaskStats(elements, kept, groups, zeroGroups, underfilled, overfilled, tied, nonFinite, total,
                    Math.min(keptSum, total), scored ? totalScore : Double.NaN,
                    scored ? Math.min(keptScore, totalScore) : Double.NaN);
        }
    }
}
