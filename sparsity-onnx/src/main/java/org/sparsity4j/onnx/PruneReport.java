package org.sparsity4j.onnx;

import java.util.List;

/**
 * The result of analysing, checking or pruning a model: every candidate weight with its action.
 *
 * @param input the input model
 * @param output the written model, or null if nothing was written (dry run, report, check)
 * @param pattern the pattern, e.g. "2:4"
 * @param mask the mask kind
 * @param tensors every candidate in model order
 * @param calibration what activation-aware pruning measured, or null without calibration
 */
public record PruneReport(String input, String output, String pattern, MaskChoice mask, List<TensorReport> tensors,
        CalibrationReport calibration) {

    /**
     * Counts the candidates with an action.
     *
     * @param action the action
     * @return how many
     */
    public long count(Action action) {
        return tensors.stream().filter(t -> t.action() == action).count();
    }

    /** Returns the number of weight elements pruned (or that would be). */
    public long prunedElements() {
        return tensors.stream().filter(t -> t.action() == Action.PRUNE).mapToLong(TensorReport::elements).sum();
    }

    /** Tells whether every eligible (not skipped) weight already satisfies the pattern. */
    public boolean allEligibleValid() {
        return count(Action.PRUNE) == 0;
    }
}
