package org.sparsity4j.core.training;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.sparsity4j.core.tensor.Shape;

/**
 * What a pruning pass did with each candidate weight: pruned (with the axis and the fraction of the
 * weight's L1 magnitude the mask kept) or skipped (with the reason).
 *
 * @param entries one entry per candidate weight, in model order
 */
public record PruneReport(List<PruneReport.Entry> entries) {

    /**
     * Copies the list.
     *
     * @param entries entries
     */
    public PruneReport {
        entries = List.copyOf(entries);
    }

    /**
     * One candidate weight.
     *
     * @param name parameter name
     * @param layer what the weight belongs to (layer type or consuming op)
     * @param shape weight shape
     * @param pruned whether a mask was computed and applied
     * @param detail for pruned weights the mask layout, for skipped weights the reason
     * @param retainedMagnitude kept L1 / total L1 for pruned weights, NaN for skipped ones
     */
    public record Entry(String name, String layer, Shape shape, boolean pruned, String detail,
            double retainedMagnitude) {

        /**
         * A skipped weight.
         *
         * @param name parameter name
         * @param layer layer type or op
         * @param shape weight shape
         * @param reason why it was skipped
         * @return the entry
         */
        public static Entry skipped(String name, String layer, Shape shape, String reason) {
            return new Entry(name, layer, shape, false, reason, Double.NaN);
        }

        @Override
        public String toString() {
            return pruned
                    ? String.format(Locale.ROOT, "pruned  %s (%s %s): %s, kept %.1f%% of |w|", name, layer, shape,
                            detail, 100 * retainedMagnitude)
                    : String.format(Locale.ROOT, "skipped %s (%s %s): %s", name, layer, shape, detail);
        }
    }

    /**
     * Entries of pruned weights.
     *
     * @return pruned entries
     */
    public List<Entry> pruned() {
        return entries.stream().filter(Entry::pruned).collect(Collectors.toList());
    }

    /**
     * Entries of skipped weights.
     *
     * @return skipped entries
     */
    public List<Entry> skipped() {
        return entries.stream().filter(e -> !e.pruned()).collect(Collectors.toList());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(pruned().size() + " weights pruned, " + skipped().size() + " skipped");
        for (Entry e : entries) {
            sb.append(System.lineSeparator()).append("  ").append(e);
        }
        return sb.toString();
    }
}
