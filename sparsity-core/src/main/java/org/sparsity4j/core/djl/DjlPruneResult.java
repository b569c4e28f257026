package org.sparsity4j.core.djl;

import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.PruneReport;

/**
 * The masks a pruning pass applied and its report.
 *
 * @param masks the masks of the pruned weights, by full parameter name
 * @param report what was pruned and what was skipped, and why
 */
public record DjlPruneResult(MaskSet masks, PruneReport report) {
}
