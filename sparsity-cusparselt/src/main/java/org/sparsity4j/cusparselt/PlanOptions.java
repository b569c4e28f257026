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
     * Default options: algorithm search on, dense fallback off.
     *
     * @return the defaults
     */
    public static PlanOptions defaults() {
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
     * Search plus the dense fallback.
     *
     * @return options with the fallback enabled
     */
    public static PlanOptions withDenseFallback() {
        return new PlanOptions(true, true, 20);
    }
}
