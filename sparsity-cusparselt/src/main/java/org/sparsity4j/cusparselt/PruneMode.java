package org.sparsity4j.cusparselt;

/** cuSPARSELt's on-device pruning algorithms. */
public enum PruneMode {
    /** Keep the 2 largest of every 4 consecutive elements along the reduction dimension. */
    STRIP(1),
    /** Keep 8 of every 4x4 tile so that rows and columns are both 2:4. */
    TILE(0);

    private final int code;

    PruneMode(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }
}
