package org.sparsity4j.core.nd4j;

import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.PruneReport;

/**
 * The masks a pruning pass applied and its report.
 *
 * @param masks the masks of the pruned variables, by variable name
 * @param report what was pruned and what was skipped, and why
 */
public record SameDiffPruneResult(MaskSet masks, PruneReport report) {
}
