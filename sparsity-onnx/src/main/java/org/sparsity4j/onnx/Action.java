package org.sparsity4j.onnx;

/** What happens to a candidate weight. */
public enum Action {
    /** Pruned (or, in a dry run, report or check, would be pruned). */
    PRUNE,
    /** Already satisfies the pattern; left byte-identical. */
    ALREADY_SPARSE,
    /** Not pruned, for the reason given. */
    SKIP;

    /** Returns the lower-case word used in reports. */
    public String word() {
        switch (this) {
            case PRUNE:
                return "prune";
            case ALREADY_SPARSE:
                return "already-sparse";
            default:
                return "skip";
        }
    }
}
