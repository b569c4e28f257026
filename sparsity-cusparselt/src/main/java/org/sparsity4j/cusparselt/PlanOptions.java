package org.sparsity4j.cusparselt;

/**
 * How a plan is prepared.
 *
 * @param search run {@code cusparseLtMatmulSearch} at plan time and keep the fastest configuration
 * @param denseFallback time the sparse kernel against dense cuBLAS on the plan's shape at plan time
 *     and execute the faster from then on
 * @param timingIterations timed runs per candidate for the fallback decision (median is used)
 */
public record PlanOptions(boolean search, boolean denseFallback, int timingIterations) {

    /** Validates the iteration count. */
    public PlanOptions {
        if (timingIterations < 1) {
            throw new IllegalArgumentException("timingIterations must be at least 1, got " + timingIterations);
        }
    }

    /**
     * Default options: no algorithm search, dense fallback off. Search is opt-in ({@link #searched()})
     * because searched plans faulted (illegal address) in this project's only H100 run; see the
     * module README.
     *
     * @return the defaults
     */
    public static PlanOptions defaults() {
        return new PlanOptions(false, false, 20);
    }

    /**
     * Runs {@code cusparseLtMatmulSearch} at plan time and keeps the fastest configuration.
     * Experimental: not yet verified on a GPU after the fix described in the module README.
     *
     * @return options with search on
     */
    public static PlanOptions searched() {
        return new PlanOptions(true, false, 20);
    }

    /**
     * Quick plans: no search, no fallback (for tests and one-shot products).
     *
     * @return options without search
     */
    public static PlanOptions noSearch() {
        return new PlanOptions(false, false, 20);
    }

    /**
     * The dense fallback (plan-time timing of sparse against dense cuBLAS), without search.
     *
     * @return options with the fallback enabled
     */
    public static PlanOptions withDenseFallback() {
        return new PlanOptions(false, true, 20);
    }
}
